/* echoes-video-provider.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-video-provider"

#include "config.h"

#include "echoes-video-provider.h"

G_DEFINE_QUARK (echoes-provider-error-quark, echoes_provider_error)

G_DEFINE_INTERFACE (EchoesVideoProvider, echoes_video_provider, G_TYPE_OBJECT)

static void
echoes_video_provider_default_init (EchoesVideoProviderInterface *iface)
{
}

/**
 * echoes_video_provider_get_name:
 * @self: a #EchoesVideoProvider
 *
 * Returns: (transfer none): the stable id stored in EchoesClip:provider and in the
 *   `active-provider` setting, e.g. "local"
 */
const char *
echoes_video_provider_get_name (EchoesVideoProvider *self)
{
  g_return_val_if_fail (ECHOES_IS_VIDEO_PROVIDER (self), NULL);

  return ECHOES_VIDEO_PROVIDER_GET_IFACE (self)->get_name (self);
}

/**
 * echoes_video_provider_get_capabilities:
 * @self: a #EchoesVideoProvider
 *
 * Returns: (transfer none): what the provider can do
 */
const EchoesVideoProviderCapabilities *
echoes_video_provider_get_capabilities (EchoesVideoProvider *self)
{
  g_return_val_if_fail (ECHOES_IS_VIDEO_PROVIDER (self), NULL);

  return ECHOES_VIDEO_PROVIDER_GET_IFACE (self)->get_capabilities (self);
}

/**
 * echoes_video_provider_supports:
 * @self: a #EchoesVideoProvider
 * @ratio: (nullable): a ratio, or %NULL to not check it
 * @duration: seconds, or 0 to not check it
 *
 * Returns: whether the capabilities allow @ratio and @duration
 */
gboolean
echoes_video_provider_supports (EchoesVideoProvider *self,
                                const char          *ratio,
                                double               duration)
{
  const EchoesVideoProviderCapabilities *caps;
  gboolean ratio_ok = ratio == NULL;
  gboolean duration_ok = duration <= 0;

  g_return_val_if_fail (ECHOES_IS_VIDEO_PROVIDER (self), FALSE);

  caps = echoes_video_provider_get_capabilities (self);

  for (guint i = 0; !ratio_ok && caps->ratios != NULL && caps->ratios[i] != NULL; i++)
    ratio_ok = g_str_equal (caps->ratios[i], ratio);

  if (!duration_ok && caps->durations != NULL && caps->durations[0] != 0)
    {
      guint n = 0;

      while (caps->durations[n] != 0)
        n++;

      if (caps->duration_range)
        duration_ok = duration >= caps->durations[0] - 1e-9 &&
                      duration <= caps->durations[n - 1] + 1e-9;
      else
        for (guint i = 0; i < n && !duration_ok; i++)
          duration_ok = G_APPROX_VALUE (duration, (double)caps->durations[i], 1e-9);
    }

  return ratio_ok && duration_ok;
}

/**
 * echoes_video_provider_generate_async:
 * @self: a #EchoesVideoProvider
 * @request: what to make; copied before this returns
 * @progress: (nullable) (scope notified): progress, in the caller's thread-default main
 *   context, never after @callback ran
 * @progress_data: closure for @progress
 * @progress_destroy: (nullable): frees @progress_data once no more progress can come
 * @cancellable: (nullable): a #GCancellable; a cancelled generation leaves no output file
 * @callback: called when done
 * @user_data: closure for @callback
 *
 * Makes a video clip from a photo.
 */
void
echoes_video_provider_generate_async (EchoesVideoProvider      *self,
                                      const EchoesVideoRequest *request,
                                      EchoesProgressFunc        progress,
                                      gpointer                  progress_data,
                                      GDestroyNotify            progress_destroy,
                                      GCancellable             *cancellable,
                                      GAsyncReadyCallback       callback,
                                      gpointer                  user_data)
{
  g_return_if_fail (ECHOES_IS_VIDEO_PROVIDER (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (request->image_path != NULL);
  g_return_if_fail (request->output_path != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  ECHOES_VIDEO_PROVIDER_GET_IFACE (self)->generate_async (self, request, progress, progress_data,
                                                           progress_destroy, cancellable,
                                                           callback, user_data);
}

/**
 * echoes_video_provider_generate_finish:
 * @self: a #EchoesVideoProvider
 * @result: the result
 * @error: return location for an error (%G_IO_ERROR_CANCELLED, %ECHOES_PROVIDER_ERROR, …)
 *
 * Returns: %TRUE if the request's output path now holds the clip
 */
gboolean
echoes_video_provider_generate_finish (EchoesVideoProvider  *self,
                                       GAsyncResult         *result,
                                       GError              **error)
{
  g_return_val_if_fail (ECHOES_IS_VIDEO_PROVIDER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return ECHOES_VIDEO_PROVIDER_GET_IFACE (self)->generate_finish (self, result, error);
}
