/* echoes-image.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-image"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gexiv2/gexiv2.h>

#include "echoes-image.h"

G_DEFINE_QUARK (echoes-image-error-quark, echoes_image_error)

#define TAIL_SIZE 65536

/* How each loader's format is named on disk. */
static const struct {
  const char *format;
  const char *extension;
} extensions[] = {
  { "jpeg", "jpg" },
  { "png", "png" },
  { "webp", "webp" },
  { "gif", "gif" },
  { "tiff", "tif" },
  { "heif", "heic" },
  { "heif/avif", "heic" },   /* libheif's loader reads both; the bytes say which */
  { "avif", "avif" },
  { "bmp", "bmp" },
};

/* Formats we accept as photos; icons, cursors and vector art are not. */
static gboolean
format_is_photo (const char *format)
{
  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++)
    if (g_str_equal (extensions[i].format, format))
      return TRUE;
  return FALSE;
}

static const char *
format_extension (const char *format)
{
  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++)
    if (g_str_equal (extensions[i].format, format))
      return extensions[i].extension;
  return format;
}

static gboolean
have_loader_for (const char *mime)
{
  g_autoptr(GSList) formats = gdk_pixbuf_get_formats ();

  for (GSList *l = formats; l; l = l->next)
    {
      g_auto(GStrv) types = gdk_pixbuf_format_get_mime_types (l->data);

      if (g_strv_contains ((const char * const *)types, mime))
        return TRUE;
    }

  return FALSE;
}

static gboolean
memmem_tail (const guint8 *data,
             gsize         len,
             const char   *needle,
             gsize         needle_len)
{
  for (gsize i = len; i >= needle_len; i--)
    if (memcmp (data + i - needle_len, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}

/* gdk-pixbuf decodes truncated JPEG and PNG files without an error (the missing part
 * comes out grey), so check that the file ends the way its format says it must. */
static gboolean
is_complete (const char   *format,
             const guint8 *head,
             gsize         head_len,
             const guint8 *tail,
             gsize         tail_len,
             goffset       size)
{
  if (g_str_equal (format, "jpeg"))
    return memmem_tail (tail, tail_len, "\xff\xd9", 2);

  if (g_str_equal (format, "png"))
    return memmem_tail (tail, tail_len, "IEND\xae\x42\x60\x82", 8);

  if (g_str_equal (format, "gif"))
    return memmem_tail (tail + tail_len - MIN (tail_len, 16), MIN (tail_len, 16), "\x3b", 1);

  if (g_str_equal (format, "webp") && head_len >= 12)
    {
      guint32 riff = head[4] | (head[5] << 8) | (head[6] << 16) | ((guint32)head[7] << 24);
      return (goffset)riff + 8 <= size;
    }

  return TRUE;
}

static gint64
parse_exif_time (const char *value)
{
  int y, mo, d, h, mi, s;
  g_autoptr(GDateTime) dt = NULL;

  /* "YYYY:MM:DD HH:MM:SS", local time of the camera */
  if (value == NULL || sscanf (value, "%d:%d:%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s) != 6)
    return 0;
  if (y < 1826 || mo < 1 || mo > 12 || d < 1 || d > 31)
    return 0;
  if (!(dt = g_date_time_new_utc (y, mo, d, h, mi, s)))
    return 0;

  return g_date_time_to_unix (dt);
}

static GExiv2Metadata *
open_metadata (const char *path)
{
  static gsize initialized;
  g_autoptr(GExiv2Metadata) meta = NULL;

  /* exiv2's XMP parser must be initialised once before threads use it. */
  if (g_once_init_enter (&initialized))
    g_once_init_leave (&initialized, gexiv2_initialize () ? 1 : 2);

  meta = gexiv2_metadata_new ();
  if (!gexiv2_metadata_open_path (meta, path, NULL))
    return NULL;

  return g_steal_pointer (&meta);
}

/* Whether the EXIF orientation turns the picture by a quarter. */
static gboolean
swaps_sides (GExiv2Metadata *meta)
{
  GExiv2Orientation orientation = gexiv2_metadata_try_get_orientation (meta, NULL);

  return orientation >= GEXIV2_ORIENTATION_ROT_90_HFLIP && orientation <= GEXIV2_ORIENTATION_ROT_270;
}

static void
read_exif (const char      *path,
           EchoesImageInfo *info)
{
  g_autoptr(GExiv2Metadata) meta = NULL;
  g_autofree char *when = NULL;

  if (!(meta = open_metadata (path)))
    return;

  if (swaps_sides (meta))
    {
      int w = info->width;
      info->width = info->height;
      info->height = w;
    }

  if (gexiv2_metadata_try_has_tag (meta, "Exif.Photo.DateTimeOriginal", NULL))
    when = gexiv2_metadata_try_get_tag_string (meta, "Exif.Photo.DateTimeOriginal", NULL);
  if (when == NULL && gexiv2_metadata_try_has_tag (meta, "Exif.Image.DateTime", NULL))
    when = gexiv2_metadata_try_get_tag_string (meta, "Exif.Image.DateTime", NULL);

  if ((info->capture_time = parse_exif_time (when)) != 0)
    info->from_exif = TRUE;
}

static gboolean
read_head_and_tail (GFile         *file,
                    goffset        size,
                    guint8        *head,
                    gsize         *head_len,
                    guint8        *tail,
                    gsize         *tail_len,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GFileInputStream) in = NULL;

  if (!(in = g_file_read (file, cancellable, error)))
    return FALSE;
  if (!g_input_stream_read_all (G_INPUT_STREAM (in), head, *head_len, head_len, cancellable, error))
    return FALSE;
  if (size > TAIL_SIZE &&
      !g_seekable_seek (G_SEEKABLE (in), size - TAIL_SIZE, G_SEEK_SET, cancellable, error))
    return FALSE;
  if (size <= TAIL_SIZE &&
      !g_seekable_seek (G_SEEKABLE (in), 0, G_SEEK_SET, cancellable, error))
    return FALSE;
  return g_input_stream_read_all (G_INPUT_STREAM (in), tail, *tail_len, tail_len, cancellable, error);
}

/**
 * echoes_image_probe:
 * @file: a local image file
 *
 * Reads the header (not the pixels) and the EXIF data of @file and checks that it is a
 * photo Echoes can use: not empty, not over %ECHOES_IMAGE_MAX_BYTES or
 * %ECHOES_IMAGE_MAX_PIXELS, a format a loader reads, not truncated.
 *
 * Returns: (transfer full): what was found, or %NULL with a #EchoesImageError whose
 *   message is a translated sentence naming the file
 */
EchoesImageInfo *
echoes_image_probe (GFile         *file,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(EchoesImageInfo) info = NULL;
  g_autoptr(GFileInfo) file_info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autofree guint8 *head = NULL;
  g_autofree guint8 *tail = NULL;
  gsize head_len = 4096;
  gsize tail_len = TAIL_SIZE;
  GdkPixbufFormat *format;
  g_autofree char *format_name = NULL;
  goffset size;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  path = g_file_get_path (file);
  name = g_file_get_basename (file);

  if (path == NULL ||
      !(file_info = g_file_query_info (file,
                                       G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                       G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                       G_FILE_ATTRIBUTE_TIME_MODIFIED,
                                       G_FILE_QUERY_INFO_NONE, cancellable, &local_error)))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_UNREADABLE,
                     _("“%s” cannot be read: %s"), name,
                     local_error ? local_error->message : _("not a local file"));
      return NULL;
    }

  if (g_file_info_get_file_type (file_info) != G_FILE_TYPE_REGULAR)
    {
      g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_NOT_IMAGE,
                   _("“%s” is not a file"), name);
      return NULL;
    }

  size = g_file_info_get_size (file_info);
  if (size == 0)
    {
      g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_EMPTY,
                   _("“%s” is empty"), name);
      return NULL;
    }
  if (size > ECHOES_IMAGE_MAX_BYTES)
    {
      g_autofree char *size_text = g_format_size (size);

      g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_TOO_LARGE,
                   _("“%s” is too large (%s; the limit is 50 MB)"), name, size_text);
      return NULL;
    }

  head = g_malloc (head_len);
  tail = g_malloc (tail_len);
  if (!read_head_and_tail (file, size, head, &head_len, tail, &tail_len, cancellable,
                           &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_UNREADABLE,
                     _("“%s” cannot be read: %s"), name, local_error->message);
      return NULL;
    }

  info = g_new0 (EchoesImageInfo, 1);
  if (!(format = gdk_pixbuf_get_file_info (path, &info->width, &info->height)))
    {
      g_autofree char *type = g_content_type_guess (NULL, head, head_len, NULL);
      g_autofree char *mime = g_content_type_get_mime_type (type);

      if (mime && have_loader_for (mime))
        g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_DAMAGED,
                     _("“%s” is damaged: its header cannot be read"), name);
      else if (mime && g_str_has_prefix (mime, "image/"))
        g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_UNSUPPORTED,
                     _("“%s” is in a format that cannot be opened here (%s)"), name, mime);
      else
        g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_NOT_IMAGE,
                     _("“%s” is not an image"), name);
      return NULL;
    }

  format_name = gdk_pixbuf_format_get_name (format);
  if (!format_is_photo (format_name))
    {
      g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_UNSUPPORTED,
                   _("“%s” is not a photo (%s)"), name, format_name);
      return NULL;
    }

  if (info->width <= 0 || info->height <= 0)
    {
      g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_DAMAGED,
                   _("“%s” is damaged: its size cannot be read"), name);
      return NULL;
    }

  if ((gint64)info->width * info->height > ECHOES_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_TOO_LARGE,
                   _("“%s” is too large (%d × %d pixels; the limit is 100 megapixels)"),
                   name, info->width, info->height);
      return NULL;
    }

  if (!is_complete (format_name, head, head_len, tail, tail_len, size))
    {
      g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_DAMAGED,
                   _("“%s” is damaged: the file is incomplete"), name);
      return NULL;
    }

  info->extension = g_strdup (format_extension (format_name));
  info->format = g_steal_pointer (&format_name);
  read_exif (path, info);

  if (info->capture_time == 0)
    {
      g_autoptr(GDateTime) mtime = g_file_info_get_modification_date_time (file_info);

      if (mtime)
        info->capture_time = g_date_time_to_unix (mtime);
    }

  return g_steal_pointer (&info);
}

void
echoes_image_info_free (EchoesImageInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->format);
  g_free (info->extension);
  g_free (info);
}

/**
 * echoes_image_load_at_size:
 * @path: an image file
 * @size: the longest side of the result, in pixels
 *
 * Decodes @path scaled down at load time (JPEG decodes at 1/2, 1/4 or 1/8 directly),
 * never larger than the image, with its EXIF orientation applied.
 *
 * Returns: (transfer full): the pixbuf, or %NULL with a #EchoesImageError
 */
GdkPixbuf *
echoes_image_load_at_size (const char  *path,
                           int          size,
                           GError     **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) local_error = NULL;
  int width, height;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (size > 0, NULL);

  if (gdk_pixbuf_get_file_info (path, &width, &height) && width <= size && height <= size)
    pixbuf = gdk_pixbuf_new_from_file (path, &local_error);
  else
    pixbuf = gdk_pixbuf_new_from_file_at_scale (path, size, size, TRUE, &local_error);

  if (pixbuf == NULL)
    {
      g_autofree char *name = g_path_get_basename (path);

      g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_DAMAGED,
                   _("“%s” is damaged: %s"), name, local_error->message);
      return NULL;
    }

  return gdk_pixbuf_apply_embedded_orientation (pixbuf);
}

/**
 * echoes_image_get_size:
 * @path: an image file
 * @width: (out): its width as displayed, after the EXIF orientation
 * @height: (out): its height as displayed
 *
 * Reads the size from the header, without decoding the picture.
 *
 * Returns: %FALSE if @path is not an image gdk-pixbuf can read
 */
gboolean
echoes_image_get_size (const char *path,
                       int        *width,
                       int        *height)
{
  g_autoptr(GExiv2Metadata) meta = NULL;
  int w = 0, h = 0;

  if (gdk_pixbuf_get_file_info (path, &w, &h) == NULL || w <= 0 || h <= 0)
    return FALSE;

  if ((meta = open_metadata (path)) && swaps_sides (meta))
    {
      *width = h;
      *height = w;
    }
  else
    {
      *width = w;
      *height = h;
    }

  return TRUE;
}
