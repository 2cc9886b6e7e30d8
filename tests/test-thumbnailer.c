/* test-thumbnailer.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <utime.h>

#include "echoes-image.h"
#include "echoes-test-media.h"
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

static void
assert_pixel (GdkPixbuf *pixbuf,
              int        x,
              int        y,
              guint32    rgb)
{
  const guint8 *p = gdk_pixbuf_read_pixels (pixbuf) + y * gdk_pixbuf_get_rowstride (pixbuf) +
                    x * gdk_pixbuf_get_n_channels (pixbuf);

  /* Through H.264 and YUV: within a few levels */
  g_assert_cmpint (ABS ((int) p[0] - (int) (rgb >> 16)), <, 24);
  g_assert_cmpint (ABS ((int) p[1] - (int) ((rgb >> 8) & 0xff)), <, 24);
  g_assert_cmpint (ABS ((int) p[2] - (int) (rgb & 0xff)), <, 24);
}

static void
video_loaded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GdkPixbuf **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = echoes_thumbnailer_load_video_finish (ECHOES_THUMBNAILER (object), result, &error);
  g_assert_no_error (error);
}

static gboolean
is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

/* A clip's thumbnail is its video's first frame, cached apart from its photo's. */
static void
test_video (void)
{
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "echoes", NULL);
  g_autoptr(EchoesThumbnailer) thumbnailer = echoes_thumbnailer_new (cache);
  /* videotestsrc pattern 4: red; the photo is blue */
  g_autofree char *video = (g_mkdir_with_parents (g_get_user_cache_dir (), 0700),
                            echoes_test_media_make_clip (g_get_user_cache_dir (), "clip.mp4",
                                                         320, 180, 10, 4));
  g_autofree char *jpeg = echoes_test_write_jpeg (g_get_user_cache_dir (), "photo.jpg", 320, 180, 0x0000ff);
  g_autofree char *broken = g_build_filename (g_get_user_cache_dir (), "broken.mp4", NULL);
  g_autofree char *video_thumb = cached_path ("clip-v-video", 160);
  g_autofree char *photo_thumb = cached_path ("clip-v", 160);
  g_autoptr(GdkPixbuf) frame = NULL;
  g_autoptr(GdkPixbuf) photo = NULL;
  g_autoptr(GdkPixbuf) cached = NULL;
  g_autoptr(GdkPixbuf) async = NULL;
  g_autoptr(GError) error = NULL;

  photo = echoes_thumbnailer_load (thumbnailer, jpeg, "clip-v", 160, &error);
  g_assert_no_error (error);
  assert_pixel (photo, 80, 45, 0x0000ff);

  frame = echoes_thumbnailer_load_video (thumbnailer, video, "clip-v", 160, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (frame), ==, 160);
  g_assert_cmpint (gdk_pixbuf_get_height (frame), ==, 90);
  assert_pixel (frame, 80, 45, 0xff0000);
  g_assert_true (g_file_test (video_thumb, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (photo_thumb, G_FILE_TEST_IS_REGULAR));

  /* From the cache: the same picture */
  cached = gdk_pixbuf_new_from_file (video_thumb, &error);
  g_assert_no_error (error);
  assert_pixel (cached, 80, 45, 0xff0000);

  /* Off the calling thread */
  g_assert_cmpint (g_unlink (video_thumb), ==, 0);
  echoes_thumbnailer_load_video_async (thumbnailer, video, "clip-v", 160, NULL,
                                       video_loaded_cb, &async);
  g_assert_true (echoes_test_wait_until (is_set, &async, 60000));
  assert_pixel (async, 80, 45, 0xff0000);
  g_assert_true (g_file_test (video_thumb, G_FILE_TEST_IS_REGULAR));

  /* A broken video: an error, nothing cached */
  g_assert_true (g_file_set_contents (broken, "not a video", -1, NULL));
  g_assert_null (echoes_thumbnailer_load_video (thumbnailer, broken, "clip-b", 160, &error));
  g_assert_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_DAMAGED);
  g_clear_error (&error);
  {
    g_autofree char *broken_thumb = cached_path ("clip-b-video", 160);

    g_assert_false (g_file_test (broken_thumb, G_FILE_TEST_EXISTS));
  }
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);
  gst_init (NULL, NULL);

  g_test_add_func ("/echoes/media/thumbnailer/makes-and-caches", test_makes_and_caches);
  g_test_add_func ("/echoes/media/thumbnailer/async", test_async);
  g_test_add_func ("/echoes/media/thumbnailer/video", test_video);

  return g_test_run ();
}
