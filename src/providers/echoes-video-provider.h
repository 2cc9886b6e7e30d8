/* echoes-video-provider.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ECHOES_PROVIDER_ERROR (echoes_provider_error_quark ())

/**
 * EchoesProviderError:
 * @ECHOES_PROVIDER_ERROR_FAILED: the provider failed (details in the message)
 * @ECHOES_PROVIDER_ERROR_NOT_SUPPORTED: the request asks for something the provider can't
 *   do (a ratio or duration outside its capabilities)
 * @ECHOES_PROVIDER_ERROR_NOT_FOUND: no provider with that name
 * @ECHOES_PROVIDER_ERROR_INVALID: the request is malformed (e.g. a bad motion string)
 * @ECHOES_PROVIDER_ERROR_NETWORK: the service could not be reached (cloud providers)
 * @ECHOES_PROVIDER_ERROR_NO_CREDITS: the account has no credits left (cloud providers)
 * @ECHOES_PROVIDER_ERROR_IMAGE: the photo could not be read
 * @ECHOES_PROVIDER_ERROR_MISSING_PLUGIN: a GStreamer element the provider needs is missing
 * @ECHOES_PROVIDER_ERROR_MODERATION: the service refused the photo or its result under its
 *   content rules (cloud providers)
 * @ECHOES_PROVIDER_ERROR_NOT_SIGNED_IN: the provider needs a signed-in account (cloud providers)
 *
 * Messages are for developers and logs; the UI shows the code's text (see
 * #EchoesClipFailure).
 */
typedef enum
{
  ECHOES_PROVIDER_ERROR_FAILED,
  ECHOES_PROVIDER_ERROR_NOT_SUPPORTED,
  ECHOES_PROVIDER_ERROR_NOT_FOUND,
  ECHOES_PROVIDER_ERROR_INVALID,
  ECHOES_PROVIDER_ERROR_NETWORK,
  ECHOES_PROVIDER_ERROR_NO_CREDITS,
  ECHOES_PROVIDER_ERROR_IMAGE,
  ECHOES_PROVIDER_ERROR_MISSING_PLUGIN,
  ECHOES_PROVIDER_ERROR_MODERATION,
  ECHOES_PROVIDER_ERROR_NOT_SIGNED_IN,
} EchoesProviderError;

/**
 * EchoesVideoProviderCapabilities:
 * @durations: (array zero-terminated=1): supported clip lengths in seconds, ascending,
 *   0-terminated; a provider taking any length in a range lists the range's ends and sets
 *   @duration_range
 * @duration_range: %TRUE if any length between the first and last of @durations works
 * @ratios: (array zero-terminated=1): supported ratios ("16:9", "9:16", "1:1")
 * @needs_network: generation talks to a server
 * @costs_credits: each clip spends an account credit
 * @uses_motion: honours the motion string (EchoesClip:motion)
 * @uses_prompt: honours a text prompt
 *
 * Static, owned by the provider.
 */
typedef struct
{
  const guint        *durations;
  gboolean            duration_range;
  const char * const *ratios;
  gboolean            needs_network;
  gboolean            costs_credits;
  gboolean            uses_motion;
  gboolean            uses_prompt;
} EchoesVideoProviderCapabilities;

/**
 * EchoesVideoRequest:
 * @image_path: the photo, an absolute path
 * @prompt: (nullable): what should happen, for AI providers
 * @ratio: "16:9", "9:16" or "1:1"
 * @duration: seconds
 * @seed: for reproducible results
 * @motion: (nullable): the clip's motion string (see echoes-ken-burns.h), for providers
 *   that use it
 * @output_path: where the MP4 goes (absolute); providers write a temporary file beside it
 *   and rename it, so @output_path either doesn't change or is complete
 * @project_id: (nullable): the clip's project (its UUID, the server's id too), for cloud
 *   providers
 * @clip_id: (nullable): the clip (its UUID), for cloud providers: asking again for the same
 *   clip follows the job already started instead of starting (and paying for) another
 * @resume: %TRUE when the clip was generating when the app last stopped and this finishes
 *   that run (echoes_generation_queue_resume_async()); %FALSE for a deliberate (re)generate.
 *   A paid provider never charges again for a resumed run whose result is already made.
 * @state_path: (nullable): a file (absolute, under the app's data folder, kept across
 *   restarts) where the provider may keep what it needs to resume this clip's run, e.g. a
 *   provider's task id; the provider writes it atomically and removes it when the run ends
 *
 * What to generate. Plain data; the provider copies what it needs before
 * echoes_video_provider_generate_async() returns.
 */
typedef struct
{
  const char *image_path;
  const char *prompt;
  const char *ratio;
  double      duration;
  guint32     seed;
  const char *motion;
  const char *output_path;
  const char *project_id;
  const char *clip_id;
  gboolean    resume;
  const char *state_path;
} EchoesVideoRequest;

/**
 * EchoesProgressFunc:
 * @fraction: 0–1
 * @user_data: closure
 *
 * Progress of one generation, always called in the thread-default main context of the
 * caller of echoes_video_provider_generate_async(), never after its callback.
 */
typedef void (*EchoesProgressFunc) (double   fraction,
                                    gpointer user_data);

#define ECHOES_TYPE_VIDEO_PROVIDER (echoes_video_provider_get_type())

G_DECLARE_INTERFACE (EchoesVideoProvider, echoes_video_provider, ECHOES, VIDEO_PROVIDER, GObject)

struct _EchoesVideoProviderInterface
{
  GTypeInterface parent_iface;

  const char                            *(*get_name)         (EchoesVideoProvider  *self);
  const EchoesVideoProviderCapabilities *(*get_capabilities) (EchoesVideoProvider  *self);
  void                                   (*generate_async)   (EchoesVideoProvider       *self,
                                                              const EchoesVideoRequest  *request,
                                                              EchoesProgressFunc         progress,
                                                              gpointer                   progress_data,
                                                              GDestroyNotify             progress_destroy,
                                                              GCancellable              *cancellable,
                                                              GAsyncReadyCallback        callback,
                                                              gpointer                   user_data);
  gboolean                               (*generate_finish)  (EchoesVideoProvider  *self,
                                                              GAsyncResult         *result,
                                                              GError              **error);
};

GQuark                                 echoes_provider_error_quark            (void);

const char                            *echoes_video_provider_get_name         (EchoesVideoProvider       *self);
const EchoesVideoProviderCapabilities *echoes_video_provider_get_capabilities (EchoesVideoProvider       *self);
gboolean                               echoes_video_provider_supports         (EchoesVideoProvider       *self,
                                                                               const char                *ratio,
                                                                               double                     duration);
void                                   echoes_video_provider_generate_async   (EchoesVideoProvider       *self,
                                                                               const EchoesVideoRequest  *request,
                                                                               EchoesProgressFunc         progress,
                                                                               gpointer                   progress_data,
                                                                               GDestroyNotify             progress_destroy,
                                                                               GCancellable              *cancellable,
                                                                               GAsyncReadyCallback        callback,
                                                                               gpointer                   user_data);
gboolean                               echoes_video_provider_generate_finish  (EchoesVideoProvider       *self,
                                                                               GAsyncResult              *result,
                                                                               GError                   **error);

G_END_DECLS
