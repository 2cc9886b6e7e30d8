/* echoes-face-detector.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-face-detector"

#include "config.h"

#include "echoes-ken-burns.h"
#include "echoes-ken-burns-private.h"

#include <gst/gst.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>

/* Face detection: GStreamer's `facedetect` (OpenCV) run once on a downscaled photo, so
 * that the framing keeps faces in every frame. */

static gboolean
element_exists (const char *name)
{
  g_autoptr(GstElementFactory) factory = NULL;

  if (!gst_init_check (NULL, NULL, NULL))
    return FALSE;

  factory = gst_element_factory_find (name);
  return factory != NULL;
}

static GstBuffer *
pixbuf_to_rgb_buffer (GdkPixbuf *pixbuf)
{
  int w = gdk_pixbuf_get_width (pixbuf);
  int h = gdk_pixbuf_get_height (pixbuf);
  int n = gdk_pixbuf_get_n_channels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int out_stride = GST_ROUND_UP_4 (w * 3);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  GstBuffer *buffer = gst_buffer_new_allocate (NULL, (gsize)out_stride * h, NULL);
  GstMapInfo map;

  gst_buffer_map (buffer, &map, GST_MAP_WRITE);
  for (int y = 0; y < h; y++)
    {
      const guint8 *s = pixels + (gsize)y * stride;
      guint8 *d = map.data + (gsize)y * out_stride;

      for (int x = 0; x < w; x++)
        d[x * 3] = s[x * n], d[x * 3 + 1] = s[x * n + 1], d[x * 3 + 2] = s[x * n + 2];
    }
  gst_buffer_unmap (buffer, &map);

  return buffer;
}

EchoesKenBurnsRect *
_echoes_ken_burns_detect_faces_in_pixbuf (GdkPixbuf     *pixbuf,
                        guint         *n_faces,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) src = NULL;
  g_autoptr(GstCaps) caps = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GArray) faces = g_array_new (FALSE, FALSE, sizeof (EchoesKenBurnsRect));
  g_autoptr(GError) local_error = NULL;
  GstBuffer *buffer;
  gboolean done = FALSE;

  *n_faces = 0;

  pipeline = gst_parse_launch ("appsrc name=src format=time ! videoconvert "
                               "! facedetect display=false updates=every_frame "
                               "min-size-width=24 min-size-height=24 ! fakesink",
                               &local_error);
  if (pipeline == NULL)
    {
      g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_MISSING_PLUGIN,
                   "Face detection unavailable: %s", local_error->message);
      return NULL;
    }

  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  caps = gst_caps_new_simple ("video/x-raw",
                              "format", G_TYPE_STRING, "RGB",
                              "width", G_TYPE_INT, gdk_pixbuf_get_width (pixbuf),
                              "height", G_TYPE_INT, gdk_pixbuf_get_height (pixbuf),
                              "framerate", GST_TYPE_FRACTION, 1, 1,
                              NULL);
  g_object_set (src, "caps", caps, NULL);

  buffer = pixbuf_to_rgb_buffer (pixbuf);
  GST_BUFFER_PTS (buffer) = 0;
  GST_BUFFER_DURATION (buffer) = GST_SECOND;

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  gst_app_src_push_buffer (GST_APP_SRC (src), buffer);
  gst_app_src_end_of_stream (GST_APP_SRC (src));

  bus = gst_element_get_bus (pipeline);
  while (!done)
    {
      g_autoptr(GstMessage) msg = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          gst_element_set_state (pipeline, GST_STATE_NULL);
          return NULL;
        }

      msg = gst_bus_timed_pop_filtered (bus, 50 * GST_MSECOND,
                                        GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT);
      if (msg == NULL)
        continue;

      switch ((int)GST_MESSAGE_TYPE (msg))
        {
        case GST_MESSAGE_ELEMENT:
          {
            const GstStructure *s = gst_message_get_structure (msg);
            const GValue *list;

            if (!gst_structure_has_name (s, "facedetect") ||
                !(list = gst_structure_get_value (s, "faces")) ||
                !GST_VALUE_HOLDS_LIST (list))
              break;

            for (guint i = 0; i < gst_value_list_get_size (list); i++)
              {
                const GValue *v = gst_value_list_get_value (list, i);
                const GstStructure *fs = gst_value_get_structure (v);
                guint x = 0, y = 0, w = 0, h = 0;
                EchoesKenBurnsRect r;

                if (fs == NULL ||
                    !gst_structure_get_uint (fs, "x", &x) || !gst_structure_get_uint (fs, "y", &y) ||
                    !gst_structure_get_uint (fs, "width", &w) ||
                    !gst_structure_get_uint (fs, "height", &h))
                  continue;

                r = (EchoesKenBurnsRect) { x, y, w, h };
                g_array_append_val (faces, r);
              }
          }
          break;

        case GST_MESSAGE_ERROR:
          {
            g_autoptr(GError) gst_error = NULL;

            gst_message_parse_error (msg, &gst_error, NULL);
            gst_element_set_state (pipeline, GST_STATE_NULL);
            g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_FAILED,
                         "Face detection failed: %s", gst_error->message);
            return NULL;
          }

        default:
          done = TRUE;
          break;
        }
    }

  gst_element_set_state (pipeline, GST_STATE_NULL);

  *n_faces = faces->len;
  return (EchoesKenBurnsRect *)(gpointer)g_array_free (g_steal_pointer (&faces), FALSE);
}

/**
 * echoes_ken_burns_facedetect_available:
 *
 * Returns: whether GStreamer's `facedetect` element (gstreamer1.0-opencv) is installed
 */
gboolean
echoes_ken_burns_facedetect_available (void)
{
  static gsize available = 0;

  if (g_once_init_enter (&available))
    g_once_init_leave (&available, element_exists ("facedetect") ? 2 : 1);

  return available == 2;
}

/**
 * echoes_ken_burns_detect_faces:
 * @image_path: the photo
 * @max_size: longest side to detect on (e.g. 640); 0 for full size
 * @photo_width: (out) (optional): width of the image the faces refer to
 * @photo_height: (out) (optional): height of that image
 * @n_faces: (out): number of faces
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Runs GStreamer's `facedetect` once on the photo, downscaled. Blocks: call it from a
 * worker thread.
 *
 * Returns: (transfer full) (array length=n_faces) (nullable): the faces, in the pixels of
 *   the downscaled image (%NULL with @n_faces 0 if none and no error)
 */
EchoesKenBurnsRect *
echoes_ken_burns_detect_faces (const char    *image_path,
                               int            max_size,
                               int           *photo_width,
                               int           *photo_height,
                               guint         *n_faces,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autofree EchoesKenBurnsRect *faces = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (image_path != NULL, NULL);
  g_return_val_if_fail (n_faces != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  *n_faces = 0;

  if (!_echoes_ken_burns_ensure_gst (error))
    return NULL;

  if (!echoes_ken_burns_facedetect_available ())
    {
      g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_MISSING_PLUGIN,
                   "The GStreamer element facedetect is not installed");
      return NULL;
    }

  if (!(pixbuf = _echoes_ken_burns_load_photo (image_path, max_size, 1.0, error)))
    return NULL;

  if (photo_width)
    *photo_width = gdk_pixbuf_get_width (pixbuf);
  if (photo_height)
    *photo_height = gdk_pixbuf_get_height (pixbuf);

  faces = _echoes_ken_burns_detect_faces_in_pixbuf (pixbuf, n_faces, cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (*n_faces == 0)
    return NULL;

  return g_steal_pointer (&faces);
}
