/* echoes-test-util.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-test-util"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <gexiv2/gexiv2.h>

#include "echoes-test-util.h"

/**
 * echoes_test_init:
 *
 * g_test_init() with %G_TEST_OPTION_ISOLATE_DIRS, keeping the system MIME database:
 * isolation also hides XDG_DATA_DIRS, and gdk-pixbuf recognises image formats through
 * GIO's MIME sniffing, so without this no image would load in a test.
 */
void
echoes_test_init (int    *argc,
                  char ***argv)
{
  const char * const mime_dirs[] = { "/usr/share/mime", NULL };

  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_content_type_set_mime_dirs (mime_dirs);
}

/**
 * echoes_test_write_jpeg:
 *
 * Writes a JPEG with a colour gradient (so it is not trivially compressible) and a
 * solid square in the top-left corner (so orientation can be checked).
 *
 * Returns: (transfer full): the path
 */
char *
echoes_test_write_jpeg (const char *dir,
                        const char *name,
                        int         width,
                        int         height,
                        guint32     rgb)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL;
  char *path = g_build_filename (dir, name, NULL);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);

  g_mkdir_with_parents (dir, 0700);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = pixels + y * stride + x * 3;
        gboolean marker = x < width / 4 && y < height / 4;

        p[0] = marker ? 255 : ((rgb >> 16) & 0xff) * x / MAX (1, width);
        p[1] = marker ? 255 : ((rgb >> 8) & 0xff) * y / MAX (1, height);
        p[2] = marker ? 255 : (rgb & 0xff);
      }

  /* Written beside and renamed over: code under test may be reading the old one. */
  tmp = g_strconcat (path, ".tmp", NULL);
  gdk_pixbuf_save (pixbuf, tmp, "jpeg", &error, "quality", "90", NULL);
  g_assert_no_error (error);
  g_assert_cmpint (g_rename (tmp, path), ==, 0);
  return path;
}

/**
 * echoes_test_set_exif:
 * @date_time_original: (nullable): "YYYY:MM:DD HH:MM:SS"
 * @orientation: 1–8, or 0 to leave it out
 */
void
echoes_test_set_exif (const char *path,
                      const char *date_time_original,
                      int         orientation)
{
  g_autoptr(GExiv2Metadata) meta = gexiv2_metadata_new ();
  g_autoptr(GError) error = NULL;

  gexiv2_metadata_open_path (meta, path, &error);
  g_assert_no_error (error);
  if (date_time_original)
    {
      gexiv2_metadata_try_set_tag_string (meta, "Exif.Photo.DateTimeOriginal",
                                          date_time_original, &error);
      g_assert_no_error (error);
    }
  if (orientation)
    {
      gexiv2_metadata_try_set_orientation (meta, orientation, &error);
      g_assert_no_error (error);
    }
  gexiv2_metadata_save_file (meta, path, &error);
  g_assert_no_error (error);
}

static guint32
crc32 (const guint8 *data,
       gsize         len)
{
  guint32 crc = 0xffffffff;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320 & (0 - (crc & 1)));
    }

  return ~crc;
}

static void
put32 (guint8  *p,
       guint32  v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

/**
 * echoes_test_write_png_header:
 *
 * Writes a PNG whose header claims @width × @height, without the pixels: what a
 * "decompression bomb" looks like to a header check.
 *
 * Returns: (transfer full): the path
 */
char *
echoes_test_write_png_header (const char *dir,
                              const char *name,
                              guint32     width,
                              guint32     height)
{
  guint8 data[8 + 25 + 12 + 12];
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  memcpy (data, "\x89PNG\r\n\x1a\n", 8);
  put32 (data + 8, 13);
  memcpy (data + 12, "IHDR", 4);
  put32 (data + 16, width);
  put32 (data + 20, height);
  data[24] = 8;   /* bit depth */
  data[25] = 2;   /* RGB */
  data[26] = data[27] = data[28] = 0;
  put32 (data + 29, crc32 (data + 12, 17));
  /* an empty IDAT: libpng reports the header once it reaches image data */
  put32 (data + 33, 0);
  memcpy (data + 37, "IDAT", 4);
  put32 (data + 41, crc32 (data + 37, 4));
  put32 (data + 45, 0);
  memcpy (data + 49, "IEND", 4);
  put32 (data + 53, crc32 (data + 49, 4));

  g_file_set_contents (path, (const char *)data, sizeof data, &error);
  g_assert_no_error (error);
  return path;
}

/**
 * echoes_test_run_command:
 *
 * Runs a helper command (ImageMagick, to make formats gdk-pixbuf cannot write) and
 * fails the test if it is missing or fails: a missing tool is a broken setup, not a
 * reason to skip.
 */
void
echoes_test_run_command (const char *command_line)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status;

  g_spawn_command_line_sync (command_line, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("“%s” failed: %s", command_line, err);
}

/**
 * echoes_test_wait:
 *
 * Iterates the thread-default main context until *@flag is set (30 s at most).
 */
void
echoes_test_wait (gboolean *flag)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!*flag)
    {
      g_main_context_iteration (g_main_context_get_thread_default (), FALSE);
      if (!*flag)
        g_usleep (1000);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
}

/**
 * echoes_test_wait_until:
 *
 * Iterates the default main context until @condition returns %TRUE.
 *
 * Returns: %FALSE on time-out
 */
gboolean
echoes_test_wait_until (GSourceFunc  condition,
                        gpointer     data,
                        guint        timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }

  return TRUE;
}

/**
 * echoes_test_remove_tree:
 *
 * Removes a folder the test made, with everything in it.
 */
void
echoes_test_remove_tree (const char *path)
{
  g_autofree char *quoted = g_shell_quote (path);
  g_autofree char *cmd = g_strdup_printf ("rm -rf %s", quoted);

  g_assert_true (g_str_has_prefix (path, g_get_tmp_dir ()));
  echoes_test_run_command (cmd);
}

/**
 * echoes_test_drain:
 * @object: a #GObject the test is about to finalize
 *
 * Iterates the thread-default main context until the test holds the only reference
 * to @object: worker threads hand their last task references back to the main
 * context, so these arrive just after the callbacks the test waited for.
 */
void
echoes_test_drain (gpointer object)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_atomic_int_get (&G_OBJECT (object)->ref_count) > 1)
    {
      if (!g_main_context_iteration (g_main_context_get_thread_default (), FALSE))
        g_usleep (500);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
}
