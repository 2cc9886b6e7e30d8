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

const char          *echoes_project_status_to_string (EchoesProjectStatus  status);
gboolean             echoes_project_status_from_string (const char        *str,
                                                        EchoesProjectStatus *status);
const char          *echoes_clip_status_to_string    (EchoesClipStatus     status);
gboolean             echoes_clip_status_from_string  (const char          *str,
                                                      EchoesClipStatus    *status);

G_END_DECLS
