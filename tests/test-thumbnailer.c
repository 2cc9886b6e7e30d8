/* test-thumbnailer.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <utime.h>

#include "echoes-test-util.h"
#include "echoes-thumbnailer.h"

static char *
cached_path (const char *key,
             int         size)
{
  g_autofree char *dir = g_strdup_printf ("%d", size);
  g_autofree char *name = g_strdup_printf ("%s.png", key);

  return g_build_filename (g_get_user_cache_dir (), "echoes", "thumbnails", dir, name, NULL);
}

static void
test_makes_and_caches (void)
{
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "echoes", NULL);
  g_autoptr(EchoesThumbnailer) thumbnailer = echoes_thumbnailer_new (cache);
  g_autofree char *jpeg = echoes_test_write_jpeg (g_get_user_cache_dir (), "big.jpg", 1600, 1200, 0x3080ff);
  g_autofree char *thumb = cached_path ("clip-1", 320);
  g_autoptr(GdkPixbuf) first = NULL;
  g_autoptr(GdkPixbuf) second = NULL;
  g_autoptr(GError) error = NULL;
  struct utimbuf old = { 1000, 1000 };
  GStatBuf st;

  first = echoes_thumbnailer_load (thumbnailer, jpeg, "clip-1", 320, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (first), ==, 320);
  g_assert_cmpint (gdk_pixbuf_get_height (first), ==, 240);
  g_assert_true (g_file_test (thumb, G_FILE_TEST_IS_REGULAR));

  /* the second load is the cached file: replace it with a marker image and see it */
  {
    g_autoptr(GdkPixbuf) marker = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 7, 5);

    gdk_pixbuf_fill (marker, 0);
    gdk_pixbuf_save (marker, thumb, "png", &error, NULL);
    g_assert_no_error (error);
  }
  second = echoes_thumbnailer_load (thumbnailer, jpeg, "clip-1", 320, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (second), ==, 7);
  g_clear_object (&second);

  /* a cache older than its image is made again */
  g_assert_cmpint (utime (thumb, &old), ==, 0);
  second = echoes_thumbnailer_load (thumbnailer, jpeg, "clip-1", 320, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (second), ==, 320);
  g_assert_cmpint (g_stat (thumb, &st), ==, 0);
  g_assert_cmpint (st.st_mtime, >, 1000);
  g_clear_object (&second);

  /* a damaged cache file is made again too */
  g_file_set_contents (thumb, "garbage", -1, NULL);
  second = echoes_thumbnailer_load (thumbnailer, jpeg, "clip-1", 320, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (second), ==, 320);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GdkPixbuf **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = echoes_thumbnailer_load_finish (ECHOES_THUMBNAILER (object), result, &error);
  g_assert_no_error (error);
}

static void
failed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = echoes_thumbnailer_load_finish (ECHOES_THUMBNAILER (object),
                                                                result, &error);

  g_assert_null (pixbuf);
  g_assert_nonnull (error);
  *done = TRUE;
}

static void
test_async (void)
{
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "echoes", NULL);
  g_autoptr(EchoesThumbnailer) thumbnailer = echoes_thumbnailer_new (cache);
  g_autofree char *jpeg = echoes_test_write_jpeg (g_get_user_cache_dir (), "tall.jpg", 300, 900, 0xffffff);
  g_autofree char *bad = g_build_filename (g_get_user_cache_dir (), "bad.jpg", NULL);
  GdkPixbuf *pixbufs[8] = { NULL };
  gboolean failed = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (pixbufs); i++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", i);
      echoes_thumbnailer_load_async (thumbnailer, jpeg, key, 160, NULL, load_cb, &pixbufs[i]);
    }
  g_file_set_contents (bad, "not a jpeg", -1, NULL);
  echoes_thumbnailer_load_async (thumbnailer, bad, "bad", 160, NULL, failed_cb, &failed);

  for (guint i = 0; i < G_N_ELEMENTS (pixbufs); i++)
    {
      while (pixbufs[i] == NULL)
        g_main_context_iteration (NULL, TRUE);
      /* the longest side is the size asked for */
      g_assert_cmpint (gdk_pixbuf_get_height (pixbufs[i]), ==, 160);
      g_assert_cmpint (gdk_pixbuf_get_width (pixbufs[i]), ==, 53);
      g_object_unref (pixbufs[i]);
    }
  echoes_test_wait (&failed);
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);

  g_test_add_func ("/echoes/media/thumbnailer/makes-and-caches", test_makes_and_caches);
  g_test_add_func ("/echoes/media/thumbnailer/async", test_async);

  return g_test_run ();
}
