/* echoes-types.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * EchoesProjectStatus:
 * @ECHOES_PROJECT_STATUS_IN_PROGRESS: the film is being made
 * @ECHOES_PROJECT_STATUS_COMPLETED: the film was exported
 *
 * Mirrors the server's `projects.status` column.
 */
typedef enum
{
  ECHOES_PROJECT_STATUS_IN_PROGRESS,
  ECHOES_PROJECT_STATUS_COMPLETED,
} EchoesProjectStatus;

/**
 * EchoesClipStatus:
 * @ECHOES_CLIP_STATUS_PENDING: no video yet
 * @ECHOES_CLIP_STATUS_GENERATING: a provider is making the video
 * @ECHOES_CLIP_STATUS_READY: the video exists
 * @ECHOES_CLIP_STATUS_FAILED: generation failed; see the clip's error
 *
 * Mirrors the server's `clips.status` column.
 */
typedef enum
{
  ECHOES_CLIP_STATUS_PENDING,
  ECHOES_CLIP_STATUS_GENERATING,
  ECHOES_CLIP_STATUS_READY,
  ECHOES_CLIP_STATUS_FAILED,
} EchoesClipStatus;

/**
 * EchoesClipFailure:
 * @ECHOES_CLIP_FAILURE_NONE: the clip did not fail
 * @ECHOES_CLIP_FAILURE_UNKNOWN: a reason this version does not know: free text stored by
 *   an older version or by the server
 * @ECHOES_CLIP_FAILURE_FAILED: the provider failed (the details are only in the log)
 * @ECHOES_CLIP_FAILURE_NOT_SUPPORTED: the provider can't make a clip of this ratio or length
 * @ECHOES_CLIP_FAILURE_INVALID_MOTION: the clip's motion can't be used
 * @ECHOES_CLIP_FAILURE_PHOTO: the photo can't be read
 * @ECHOES_CLIP_FAILURE_MISSING_PLUGIN: a GStreamer element the provider needs is missing
 * @ECHOES_CLIP_FAILURE_NO_PROVIDER: the provider the clip asked for is not available
 * @ECHOES_CLIP_FAILURE_NETWORK: the provider's service could not be reached
 * @ECHOES_CLIP_FAILURE_NO_CREDITS: the account has no credits left
 * @ECHOES_CLIP_FAILURE_MODERATION: the video service refused the photo or the result (content rules)
 * @ECHOES_CLIP_FAILURE_NOT_SIGNED_IN: the provider needs an account and nobody is signed in
 *
 * Why a clip's generation failed. The clip's `error` column stores the stable code of
 * echoes_clip_failure_to_string(), never a message: the UI shows
 * echoes_clip_failure_get_message(), translated.
 */
typedef enum
{
  ECHOES_CLIP_FAILURE_NONE,
  ECHOES_CLIP_FAILURE_UNKNOWN,
  ECHOES_CLIP_FAILURE_FAILED,
  ECHOES_CLIP_FAILURE_NOT_SUPPORTED,
  ECHOES_CLIP_FAILURE_INVALID_MOTION,
  ECHOES_CLIP_FAILURE_PHOTO,
  ECHOES_CLIP_FAILURE_MISSING_PLUGIN,
  ECHOES_CLIP_FAILURE_NO_PROVIDER,
  ECHOES_CLIP_FAILURE_NETWORK,
  ECHOES_CLIP_FAILURE_NO_CREDITS,
  ECHOES_CLIP_FAILURE_MODERATION,
  ECHOES_CLIP_FAILURE_NOT_SIGNED_IN,
} EchoesClipFailure;

/**
 * EchoesRatio:
 * @ECHOES_RATIO_16_9: landscape, 16:9
 * @ECHOES_RATIO_9_16: portrait, 9:16
 * @ECHOES_RATIO_1_1: square
 *
 * A project's film shape. Stored as echoes_ratio_to_string() ("16:9", "9:16", "1:1") in
 * the store's `projects.ratio` column and on the server.
 */
typedef enum
{
  ECHOES_RATIO_16_9,
  ECHOES_RATIO_9_16,
  ECHOES_RATIO_1_1,
} EchoesRatio;

#define ECHOES_RATIO_DEFAULT ECHOES_RATIO_16_9

/**
 * EchoesResolution:
 * @ECHOES_RESOLUTION_720P: 720 lines on the short side (1280×720 for 16:9)
 * @ECHOES_RESOLUTION_1080P: 1080 lines on the short side (1920×1080 for 16:9)
 *
 * The film sizes offered for export; see echoes_ratio_get_size().
 */
typedef enum
{
  ECHOES_RESOLUTION_720P,
  ECHOES_RESOLUTION_1080P,
} EchoesResolution;

/* Every ratio's string, in #EchoesRatio order, %NULL-terminated (usable in static
 * initialisers, e.g. a provider's capabilities). */
extern const char * const echoes_ratio_names[];

const char          *echoes_project_status_to_string (EchoesProjectStatus  status);
gboolean             echoes_project_status_from_string (const char        *str,
                                                        EchoesProjectStatus *status);
const char          *echoes_clip_status_to_string    (EchoesClipStatus     status);
gboolean             echoes_clip_status_from_string  (const char          *str,
                                                      EchoesClipStatus    *status);
const char          *echoes_clip_failure_to_string   (EchoesClipFailure    failure);
gboolean             echoes_clip_failure_from_string (const char          *str,
                                                      EchoesClipFailure   *failure);
const char          *echoes_clip_failure_get_message (EchoesClipFailure    failure);

const char          *echoes_ratio_to_string          (EchoesRatio          ratio);
gboolean             echoes_ratio_from_string        (const char          *str,
                                                      EchoesRatio         *ratio);
void                 echoes_ratio_get_size           (EchoesRatio          ratio,
                                                      EchoesResolution     resolution,
                                                      int                 *width,
                                                      int                 *height);
void                 echoes_ratio_get_clip_size      (EchoesRatio          ratio,
                                                      int                 *width,
                                                      int                 *height);
guint                echoes_resolution_get_lines     (EchoesResolution     resolution);

G_END_DECLS
