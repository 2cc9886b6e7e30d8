/* echoes-media-util.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-media"

#include "config.h"

#include "echoes-media-util.h"

/**
 * echoes_media_wait_for_eos:
 * @pipeline: a playing pipeline
 * @cancellable: (nullable): polled every 20 ms, so that a cancel is seen quickly even
 *   while an encoder drains
 * @error: return location for an error
 *
 * Blocks until @pipeline reaches the end of its stream or fails.
 *
 * Returns: %TRUE at the end of the stream; %FALSE with G_IO_ERROR_CANCELLED, or with
 *   the pipeline's own error (a GStreamer domain, technical wording: callers say what
 *   failed in their own words)
 */
gboolean
echoes_media_wait_for_eos (GstElement    *pipeline,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);

  for (;;)
    {
      g_autoptr(GstMessage) message = NULL;
      g_autofree char *debug = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      message = gst_bus_timed_pop_filtered (bus, 20 * GST_MSECOND,
                                            GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
      if (message == NULL)
        continue;

      if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS)
        return TRUE;

      gst_message_parse_error (message, error, &debug);
      g_debug ("%s: %s", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), debug ? debug : "");
      return FALSE;
    }
}
