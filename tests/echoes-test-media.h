/* echoes-test-media.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Tiny generated media for the media tests and benchmarks: header-only, because the
 * test executables are built from test-<name>.c + echoes-test-util.c only. */

#pragma once

#include <gio/gio.h>
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>

#include "echoes-clip-encoder.h"

G_BEGIN_DECLS

G_GNUC_UNUSED static gboolean
echoes_test_media_run (const char  *description,
                       GError     **error)
{
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;
  gboolean ok;

  if (!(pipeline = gst_parse_launch (description, error)))
    return FALSE;

  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  message = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
                                        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  ok = message != NULL && GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS;
  if (!ok && message != NULL)
    gst_message_parse_error (message, error, NULL);
  else if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Timed out: %s", description);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  return ok;
}

/* An H.264 MP4 made with the app's clip encoder (High profile, B-frames, a key frame
 * every second), @frames at 30 fps. Clips made with the same size share SPS/PPS, so
 * they can be copied together. */
G_GNUC_UNUSED static char *
echoes_test_media_make_clip (const char *dir,
                             const char *name,
                             guint       width,
                             guint       height,
                             guint       frames,
                             guint       pattern)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *encoder = echoes_clip_encoder_describe (30, 1, ECHOES_CLIP_ENCODER_QUALITY);
  g_autofree char *description = NULL;

  description = g_strdup_printf ("videotestsrc num-buffers=%u pattern=%u "
                                 "! video/x-raw,format=I420,width=%u,height=%u,framerate=30/1 "
                                 "! %s ! mp4mux ! filesink location=\"%s\"",
                                 frames, pattern, width, height, encoder, path);
  if (!echoes_test_media_run (description, &error))
    g_error ("Cannot make %s: %s", path, error->message);

  return g_steal_pointer (&path);
}

/* A sine tone of @seconds at @rate, stereo, encoded as @format: "wav", "ogg", "flac",
 * "mp3" or "m4a". */
G_GNUC_UNUSED static char *
echoes_test_media_make_audio (const char *dir,
                              const char *name,
                              const char *format,
                              guint       rate,
                              double      seconds)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *description = NULL;
  const char *encode;
  /* 50 ms buffers, so that lengths in multiples of 50 ms are exact. */
  guint samples = rate / 20;
  guint buffers = (guint) (seconds * 20 + 0.5);

  if (g_str_equal (format, "wav"))
    encode = "wavenc";
  else if (g_str_equal (format, "ogg"))
    encode = "audioconvert ! vorbisenc ! oggmux";
  else if (g_str_equal (format, "flac"))
    encode = "audioconvert ! flacenc";
  else if (g_str_equal (format, "mp3"))
    encode = "audioconvert ! lamemp3enc ! id3v2mux";
  else if (g_str_equal (format, "m4a"))
    encode = "audioconvert ! avenc_aac ! mp4mux";
  else
    g_error ("Unknown format %s", format);

  description = g_strdup_printf ("audiotestsrc num-buffers=%u samplesperbuffer=%u freq=440 "
                                 "! audio/x-raw,format=S16LE,rate=%u,channels=2 ! %s "
                                 "! filesink location=\"%s\"",
                                 buffers, samples, rate, encode, path);
  if (!echoes_test_media_run (description, &error))
    g_error ("Cannot make %s: %s", path, error->message);

  return g_steal_pointer (&path);
}

G_GNUC_UNUSED static GstDiscovererInfo *
echoes_test_media_discover (const char *path)
{
  g_autoptr(GstDiscoverer) discoverer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = gst_filename_to_uri (path, NULL);
  GstDiscovererInfo *info;

  discoverer = gst_discoverer_new (30 * GST_SECOND, &error);
  g_assert_no_error (error);
  info = gst_discoverer_discover_uri (discoverer, uri, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_assert_cmpint (gst_discoverer_info_get_result (info), ==, GST_DISCOVERER_OK);

  return info;
}

G_END_DECLS
