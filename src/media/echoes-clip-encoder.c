/* echoes-clip-encoder.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-clip-encoder"

#include "config.h"

#include "echoes-clip-encoder.h"

#include <glib/gi18n.h>

/* The H.264 encoding of the app's clips, in one place: the Ken Burns provider makes
 * clips with it, and the film splicer re-encodes the frames around a crossfade with it so
 * that they can sit between frames copied from the clips.
 *
 * Settings, chosen by measurement (docs/media.md, section 2): x264 `veryfast` at
 * CRF 21 without VBV, High profile, a closed GOP of ECHOES_CLIP_KEY_INTERVAL seconds
 * (scene cuts may add key frames, never remove them). On 5 s 720p Ken Burns clips it
 * scores a higher SSIM against a lossless render than `ffmpeg -vf zoompan` with libx264
 * `medium` CRF 23 does against its own, at about a third of that encoder's CPU time, in
 * files no larger. `veryfast` also keeps the look-ahead short, which bounds memory.
 *
 * Fast: the same settings with a shorter look-ahead (which never reaches the SPS/PPS), for
 * the short runs the splicer encodes. The splicer still compares the codec_data of both
 * before it joins them: clips made by an earlier version with other settings are
 * rendered instead. */

#define ECHOES_CLIP_CRF 21

char *
echoes_clip_encoder_describe (int                    fps_n,
                              int                    fps_d,
                              EchoesClipEncoderSpeed speed)
{
  int key_interval;

  g_return_val_if_fail (fps_n > 0 && fps_d > 0, NULL);

  key_interval = MAX (1, (fps_n * ECHOES_CLIP_KEY_INTERVAL + fps_d / 2) / fps_d);

  if (speed == ECHOES_CLIP_ENCODER_FAST)
    return g_strdup_printf ("x264enc speed-preset=veryfast pass=qual quantizer=%d "
                            "key-int-max=%d vbv-buf-capacity=0 rc-lookahead=5 "
                            "option-string=keyint-min=%d "
                            "! video/x-h264,profile=high",
                            ECHOES_CLIP_CRF, key_interval, key_interval);

  return g_strdup_printf ("x264enc speed-preset=veryfast pass=qual quantizer=%d "
                          "key-int-max=%d vbv-buf-capacity=0 option-string=keyint-min=%d "
                          "! video/x-h264,profile=high",
                          ECHOES_CLIP_CRF, key_interval, key_interval);
}

/**
 * echoes_clip_encoder_check:
 * @error: return location for a #GError
 *
 * Whether the elements echoes_clip_encoder_describe() names are installed: x264enc
 * (gst-plugins-ugly) and mp4mux. Builds without the "ugly" plugins (some distributions,
 * a Flatpak without its x264 module) lack them; the error then says so in words the user
 * can act on.
 *
 * Returns: %TRUE if clips can be encoded, or %FALSE with @error set
 *   (%GST_CORE_ERROR_MISSING_PLUGIN, its message translated)
 */
gboolean
echoes_clip_encoder_check (GError **error)
{
  g_autoptr(GstElementFactory) x264 = NULL;
  g_autoptr(GstElementFactory) mp4mux = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(x264 = gst_element_factory_find ("x264enc")))
    {
      g_set_error_literal (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                           _("The H.264 video encoder is not installed: install GStreamer’s "
                             "x264 encoder (x264enc, part of the “ugly” plugins) to make clips"));
      return FALSE;
    }

  if (!(mp4mux = gst_element_factory_find ("mp4mux")))
    {
      g_set_error_literal (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                           _("The MP4 writer is not installed: install GStreamer’s "
                             "“good” plugins (mp4mux) to make clips"));
      return FALSE;
    }

  return TRUE;
}

/* An encoder factory that can write H.264, whichever plugin it comes from. */
static gboolean
is_h264_encoder (GstPluginFeature *feature,
                 gpointer          user_data)
{
  GstElementFactory *factory;

  if (!GST_IS_ELEMENT_FACTORY (feature))
    return FALSE;

  factory = GST_ELEMENT_FACTORY (feature);
  for (const GList *l = gst_element_factory_get_static_pad_templates (factory); l; l = l->next)
    {
      GstStaticPadTemplate *templ = l->data;
      g_autoptr(GstCaps) caps = NULL;
      g_autoptr(GstCaps) h264 = NULL;

      if (templ->direction != GST_PAD_SRC)
        continue;
      caps = gst_static_caps_get (&templ->static_caps);
      h264 = gst_caps_from_string ("video/x-h264");
      if (gst_caps_can_intersect (caps, h264))
        return TRUE;
    }

  return FALSE;
}

/**
 * echoes_clip_encoder_check_h264:
 * @error: return location for a #GError
 *
 * Whether any H.264 encoder is installed (x264enc, openh264enc, a hardware encoder…):
 * what an MP4 export needs when it cannot copy the clips' video. encodebin picks the
 * encoder at run time, so any of them will do.
 *
 * Returns: %TRUE if one is, or %FALSE with @error set (%GST_CORE_ERROR_MISSING_PLUGIN,
 *   its message translated)
 */
gboolean
echoes_clip_encoder_check_h264 (GError **error)
{
  GList *encoders;
  gboolean found;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  encoders = gst_element_factory_list_get_elements (GST_ELEMENT_FACTORY_TYPE_VIDEO_ENCODER,
                                                    GST_RANK_NONE);
  found = FALSE;
  for (const GList *l = encoders; l != NULL && !found; l = l->next)
    found = is_h264_encoder (l->data, NULL);
  gst_plugin_feature_list_free (encoders);

  if (!found)
    g_set_error_literal (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                         _("No H.264 video encoder is installed: install GStreamer’s x264 "
                           "encoder (x264enc, part of the “ugly” plugins), or export as WebM"));

  return found;
}

/**
 * echoes_clip_encoder_same_stream:
 * @a: caps of an H.264 stream
 * @b: caps of another
 *
 * Whether frames of @a and @b can follow each other in one MP4 track: both H.264 with
 * the same size, frame rate, profile and level, and byte-identical SPS/PPS (one avcC
 * for the whole track).
 *
 * Returns: %TRUE if they can
 */
gboolean
echoes_clip_encoder_same_stream (GstCaps *a,
                                 GstCaps *b)
{
  static const char * const fields[] = {
    "stream-format", "profile", "level", "codec_data", "width", "height", "framerate",
  };
  GstStructure *sa;
  GstStructure *sb;

  if (a == NULL || b == NULL || gst_caps_is_empty (a) || gst_caps_is_empty (b))
    return FALSE;

  sa = gst_caps_get_structure (a, 0);
  sb = gst_caps_get_structure (b, 0);
  if (!gst_structure_has_name (sa, "video/x-h264") || !gst_structure_has_name (sb, "video/x-h264"))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const GValue *va = gst_structure_get_value (sa, fields[i]);
      const GValue *vb = gst_structure_get_value (sb, fields[i]);

      if ((va == NULL) != (vb == NULL))
        return FALSE;
      if (va != NULL && gst_value_compare (va, vb) != GST_VALUE_EQUAL)
        return FALSE;
    }

  return TRUE;
}
