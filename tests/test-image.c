/* test-image.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The import corpus: every kind of file a user drops, generated here. */

#include "config.h"

#include <glib/gstdio.h>

#include "echoes-image.h"
#include "echoes-test-util.h"

static char *corpus;

static EchoesImageInfo *
probe (const char  *name,
       GError     **error)
{
  g_autofree char *path = g_build_filename (corpus, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return echoes_image_probe (file, NULL, error);
}

static void
assert_refused (const char       *name,
                EchoesImageError  code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesImageInfo) info = probe (name, &error);

  g_assert_null (info);
  g_assert_error (error, ECHOES_IMAGE_ERROR, (int)code);
  /* the message names the file, for the user */
  g_assert_nonnull (strstr (error->message, name));
}

static void
make_corpus (void)
{
  g_autofree char *jpeg = NULL;
  g_autofree char *rotated = NULL;
  g_autofree char *cmd = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *half = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  FILE *big;

  /* ISOLATE_DIRS only applies inside tests: main() gets a temporary folder */
  corpus = g_dir_make_tmp ("echoes-corpus-XXXXXX", &error);
  g_assert_no_error (error);

  jpeg = echoes_test_write_jpeg (corpus, "photo.jpg", 400, 300, 0xff8040);
  echoes_test_set_exif (jpeg, "2021:07:14 09:30:00", 0);

  /* stored landscape 400x300, shown portrait 300x400 */
  rotated = echoes_test_write_jpeg (corpus, "rotated.jpg", 400, 300, 0x40ff80);
  echoes_test_set_exif (rotated, NULL, 6);

  pixbuf = gdk_pixbuf_new_from_file (jpeg, &error);
  g_assert_no_error (error);
  half = g_build_filename (corpus, "photo.png", NULL);
  gdk_pixbuf_save (pixbuf, half, "png", &error, NULL);
  g_assert_no_error (error);
  g_clear_pointer (&half, g_free);

  /* formats gdk-pixbuf cannot write */
  cmd = g_strdup_printf ("convert %s/photo.jpg -colorspace CMYK %s/cmyk.jpg", corpus, corpus);
  echoes_test_run_command (cmd);
  g_free (cmd);
  cmd = g_strdup_printf ("convert %s/photo.jpg -depth 16 %s/deep.png", corpus, corpus);
  echoes_test_run_command (cmd);
  g_free (cmd);
  cmd = g_strdup_printf ("convert %s/photo.jpg -quality 80 %s/photo.webp", corpus, corpus);
  echoes_test_run_command (cmd);
  g_free (cmd);
  cmd = g_strdup_printf ("convert -delay 20 %s/photo.jpg %s/rotated.jpg -loop 0 %s/animated.gif",
                         corpus, corpus, corpus);
  echoes_test_run_command (cmd);
  g_free (cmd);
  cmd = g_strdup_printf ("convert %s/photo.jpg %s/photo.tif", corpus, corpus);
  echoes_test_run_command (cmd);
  g_free (cmd);
  /* the HEIF loader (heif-gdk-pixbuf) is installed by build-aux/ci-install.sh */
  cmd = g_strdup_printf ("convert %s/photo.jpg %s/photo.heic", corpus, corpus);
  echoes_test_run_command (cmd);

  /* broken files */
  g_file_get_contents (jpeg, &contents, &len, &error);
  g_assert_no_error (error);
  half = g_build_filename (corpus, "truncated.jpg", NULL);
  g_file_set_contents (half, contents, len / 2, &error);
  g_assert_no_error (error);
  g_clear_pointer (&half, g_free);
  g_clear_pointer (&contents, g_free);

  {
    g_autofree char *png = g_build_filename (corpus, "photo.png", NULL);
    g_autofree char *cut = g_build_filename (corpus, "truncated.png", NULL);

    g_file_get_contents (png, &contents, &len, &error);
    g_assert_no_error (error);
    g_file_set_contents (cut, contents, len - 20, &error);
    g_assert_no_error (error);
  }

  {
    g_autofree char *empty = g_build_filename (corpus, "empty.jpg", NULL);
    g_autofree char *text = g_build_filename (corpus, "notes.jpg", NULL);
    g_autofree char *heic = g_build_filename (corpus, "phone.heic", NULL);
    g_autofree char *huge_path = NULL;
    g_autofree char *bomb = echoes_test_write_png_header (corpus, "huge.png", 20000, 20000);
    /* an ISO-BMFF 'ftyp heic' box, as an iPhone writes */
    static const char heic_head[] = "\0\0\0\x18" "ftypheic\0\0\0\0mif1heic";

    g_file_set_contents (empty, "", 0, &error);
    g_assert_no_error (error);
    g_file_set_contents (text, "Shopping list: milk, eggs\n", -1, &error);
    g_assert_no_error (error);
    g_file_set_contents (heic, heic_head, sizeof heic_head - 1, &error);
    g_assert_no_error (error);

    /* 60 MB: refused by size before anything reads it */
    huge_path = g_build_filename (corpus, "huge.jpg", NULL);
    big = fopen (huge_path, "wb");
    g_assert_nonnull (big);
    g_assert_cmpint (fseek (big, 60 * 1000 * 1000, SEEK_SET), ==, 0);
    fputc (0, big);
    fclose (big);
  }
}

static void
test_accepts_photos (void)
{
  static const struct {
    const char *name;
    const char *extension;
    int width, height;
  } good[] = {
    { "photo.jpg", "jpg", 400, 300 },
    { "rotated.jpg", "jpg", 300, 400 },
    { "photo.png", "png", 400, 300 },
    { "cmyk.jpg", "jpg", 400, 300 },
    { "deep.png", "png", 400, 300 },
    { "photo.webp", "webp", 400, 300 },
    { "animated.gif", "gif", 400, 300 },
    { "photo.tif", "tif", 400, 300 },
    { "photo.heic", "heic", 400, 300 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EchoesImageInfo) info = probe (good[i].name, &error);

      g_test_message ("%s", good[i].name);
      g_assert_no_error (error);
      g_assert_cmpstr (info->extension, ==, good[i].extension);
      g_assert_cmpint (info->width, ==, good[i].width);
      g_assert_cmpint (info->height, ==, good[i].height);
      g_assert_cmpint (info->capture_time, >, 0);
    }
}

static void
test_exif_time (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesImageInfo) info = probe ("photo.jpg", &error);
  g_autoptr(GDateTime) expected = g_date_time_new_utc (2021, 7, 14, 9, 30, 0);

  g_assert_no_error (error);
  g_assert_true (info->from_exif);
  g_assert_cmpint (info->capture_time, ==, g_date_time_to_unix (expected));

  g_clear_pointer (&info, echoes_image_info_free);
  info = probe ("photo.png", &error);
  g_assert_no_error (error);
  g_assert_false (info->from_exif);
}

static void
test_refuses_bad_files (void)
{
  assert_refused ("empty.jpg", ECHOES_IMAGE_ERROR_EMPTY);
  assert_refused ("notes.jpg", ECHOES_IMAGE_ERROR_NOT_IMAGE);
  assert_refused ("truncated.jpg", ECHOES_IMAGE_ERROR_DAMAGED);
  assert_refused ("truncated.png", ECHOES_IMAGE_ERROR_DAMAGED);
  assert_refused ("huge.png", ECHOES_IMAGE_ERROR_TOO_LARGE);
  assert_refused ("huge.jpg", ECHOES_IMAGE_ERROR_TOO_LARGE);
  assert_refused ("missing.jpg", ECHOES_IMAGE_ERROR_UNREADABLE);
}

static void
test_heic_header_only (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesImageInfo) info = NULL;
  gboolean have_heif = FALSE;
  g_autoptr(GSList) formats = gdk_pixbuf_get_formats ();

  for (GSList *l = formats; l; l = l->next)
    {
      g_autofree char *format_name = gdk_pixbuf_format_get_name (l->data);

      if (g_str_has_prefix (format_name, "heif"))
        have_heif = TRUE;
    }

  /* libheif's loader warns about the missing box before it fails */
  if (have_heif)
    g_test_expect_message (NULL, G_LOG_LEVEL_WARNING, "*No 'meta' box*");
  info = probe ("phone.heic", &error);
  g_test_assert_expected_messages ();

  /* A header alone is never a photo: refused either way, as unsupported when no
   * loader can read HEIC, as damaged when one can. */
  g_assert_null (info);
  if (have_heif)
    g_assert_true (error->domain == ECHOES_IMAGE_ERROR);
  else
    g_assert_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "phone.heic"));
}

static void
test_load_at_size_orients (void)
{
  g_autofree char *rotated = g_build_filename (corpus, "rotated.jpg", NULL);
  g_autofree char *photo = g_build_filename (corpus, "photo.jpg", NULL);
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *p;

  pixbuf = echoes_image_load_at_size (rotated, 200, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 150);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 200);
  /* orientation 6 turns the stored image 90° clockwise: the white marker from the
   * stored top-left corner is now top-right */
  p = gdk_pixbuf_read_pixels (pixbuf) + 10 * gdk_pixbuf_get_rowstride (pixbuf) +
      (gdk_pixbuf_get_width (pixbuf) - 10) * gdk_pixbuf_get_n_channels (pixbuf);
  g_assert_cmpint (p[0], >, 200);
  g_assert_cmpint (p[1], >, 200);
  g_assert_cmpint (p[2], >, 200);
  g_clear_object (&pixbuf);

  /* never upscaled */
  pixbuf = echoes_image_load_at_size (photo, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 400);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  echoes_test_init (&argc, &argv);

  make_corpus ();
  g_test_add_func ("/echoes/media/image/accepts-photos", test_accepts_photos);
  g_test_add_func ("/echoes/media/image/exif-time", test_exif_time);
  g_test_add_func ("/echoes/media/image/refuses-bad-files", test_refuses_bad_files);
  g_test_add_func ("/echoes/media/image/heic-header-only", test_heic_header_only);
  g_test_add_func ("/echoes/media/image/load-at-size-orients", test_load_at_size_orients);

  ret = g_test_run ();
  echoes_test_remove_tree (corpus);
  g_free (corpus);
  return ret;
}
