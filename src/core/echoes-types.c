/* echoes-types.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-types"

#include "config.h"


#include "echoes-types.h"
#include "echoes-util.h"

#include <glib/gi18n.h>

/* These strings are the wire format shared with the server's check constraints. */
static const char * const project_statuses[] = { "in_progress", "completed" };
static const char * const clip_statuses[] = { "pending", "generating", "ready", "failed" };

/* Stored in clips.error; NULL for ECHOES_CLIP_FAILURE_NONE. Never change a code: older
 * databases hold them. */
static const char * const clip_failures[] = {
  NULL, "unknown", "failed", "not-supported", "invalid-motion", "photo", "missing-plugin",
  "no-provider", "network", "no-credits",
};

const char *
echoes_project_status_to_string (EchoesProjectStatus status)
{
  g_return_val_if_fail (status < G_N_ELEMENTS (project_statuses), NULL);
  return project_statuses[status];
}

gboolean
echoes_project_status_from_string (const char          *str,
                                   EchoesProjectStatus *status)
{
  guint v;

  if (!echoes_names_lookup (project_statuses, G_N_ELEMENTS (project_statuses), str, &v))
    return FALSE;
  *status = v;
  return TRUE;
}

const char *
echoes_clip_status_to_string (EchoesClipStatus status)
{
  g_return_val_if_fail (status < G_N_ELEMENTS (clip_statuses), NULL);
  return clip_statuses[status];
}

gboolean
echoes_clip_status_from_string (const char       *str,
                                EchoesClipStatus *status)
{
  guint v;

  if (!echoes_names_lookup (clip_statuses, G_N_ELEMENTS (clip_statuses), str, &v))
    return FALSE;
  *status = v;
  return TRUE;
}

/**
 * echoes_clip_failure_to_string:
 * @failure: a failure
 *
 * Returns: (nullable): the code stored in the clip's `error` column; %NULL for
 *   %ECHOES_CLIP_FAILURE_NONE
 */
const char *
echoes_clip_failure_to_string (EchoesClipFailure failure)
{
  g_return_val_if_fail (failure < G_N_ELEMENTS (clip_failures), NULL);
  return clip_failures[failure];
}

/**
 * echoes_clip_failure_from_string:
 * @str: (nullable): a stored code
 * @failure: (out): the failure
 *
 * Returns: %FALSE if @str is not a code (e.g. the English message an older version
 *   stored); @failure is then left alone
 */
gboolean
echoes_clip_failure_from_string (const char        *str,
                                 EchoesClipFailure *failure)
{
  guint v;

  if (!echoes_names_lookup (clip_failures, G_N_ELEMENTS (clip_failures), str, &v))
    return FALSE;
  *failure = v;
  return TRUE;
}

/**
 * echoes_clip_failure_get_message:
 * @failure: a failure
 *
 * The sentence the UI and the CLI show for a failed clip (in the card's tooltip, the
 * clip window, `echoes-cli`).
 *
 * Returns: (nullable): a translated sentence; %NULL for %ECHOES_CLIP_FAILURE_NONE
 */
const char *
echoes_clip_failure_get_message (EchoesClipFailure failure)
{
  switch (failure)
    {
    case ECHOES_CLIP_FAILURE_NONE:
      return NULL;

    case ECHOES_CLIP_FAILURE_FAILED:
      return _("The clip could not be made");

    case ECHOES_CLIP_FAILURE_NOT_SUPPORTED:
      return _("The video service cannot make a clip of this shape or length");

    case ECHOES_CLIP_FAILURE_INVALID_MOTION:
      return _("The clip’s motion cannot be used; edit the motion and try again");

    case ECHOES_CLIP_FAILURE_PHOTO:
      return _("The photo cannot be read");

    case ECHOES_CLIP_FAILURE_MISSING_PLUGIN:
      return _("A video component is missing on this computer: install GStreamer’s x264 encoder (x264enc)");

    case ECHOES_CLIP_FAILURE_NO_PROVIDER:
      return _("The chosen video service is not available");

    case ECHOES_CLIP_FAILURE_NETWORK:
      return _("The video service could not be reached; check the connection and try again");

    case ECHOES_CLIP_FAILURE_NO_CREDITS:
      return _("No credits are left for AI motion");

    case ECHOES_CLIP_FAILURE_UNKNOWN:
    default:
      return _("Something went wrong while making the clip");
    }
}
