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
  "no-provider", "network", "no-credits", "moderation", "not-signed-in",
};

/* The store's and the server's strings for EchoesRatio, in its order. */
const char * const echoes_ratio_names[] = { "16:9", "9:16", "1:1", NULL };

/* The film sizes: [ratio][resolution] = { width, height }; the short side has the
 * resolution's lines. */
static const struct
{
  int width;
  int height;
} ratio_sizes[][2] = {
  [ECHOES_RATIO_16_9] = { [ECHOES_RESOLUTION_720P] = { 1280, 720 },
                          [ECHOES_RESOLUTION_1080P] = { 1920, 1080 } },
  [ECHOES_RATIO_9_16] = { [ECHOES_RESOLUTION_720P] = { 720, 1280 },
                          [ECHOES_RESOLUTION_1080P] = { 1080, 1920 } },
  [ECHOES_RATIO_1_1] = { [ECHOES_RESOLUTION_720P] = { 720, 720 },
                         [ECHOES_RESOLUTION_1080P] = { 1080, 1080 } },
};

/* The resolution clips are made at: 720p, but 1080p for the square, which so keeps about
 * the pixel count of the others (and matches what phones share). */
static const EchoesResolution clip_resolutions[] = {
  [ECHOES_RATIO_16_9] = ECHOES_RESOLUTION_720P,
  [ECHOES_RATIO_9_16] = ECHOES_RESOLUTION_720P,
  [ECHOES_RATIO_1_1] = ECHOES_RESOLUTION_1080P,
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

    case ECHOES_CLIP_FAILURE_MODERATION:
      return _("The video service refused this photo under its content rules; try another photo or Ken Burns");

    case ECHOES_CLIP_FAILURE_NOT_SIGNED_IN:
      return _("Sign in to use AI motion");

    case ECHOES_CLIP_FAILURE_UNKNOWN:
    default:
      return _("Something went wrong while making the clip");
    }
}

/**
 * echoes_ratio_to_string:
 * @ratio: a ratio
 *
 * Returns: the stored form: "16:9", "9:16" or "1:1"
 */
const char *
echoes_ratio_to_string (EchoesRatio ratio)
{
  g_return_val_if_fail ((guint) ratio < G_N_ELEMENTS (ratio_sizes), NULL);
  return echoes_ratio_names[ratio];
}

/**
 * echoes_ratio_from_string:
 * @str: (nullable): a stored ratio
 * @ratio: (out): the ratio
 *
 * Returns: %FALSE if @str is no known ratio (@ratio is left alone)
 */
gboolean
echoes_ratio_from_string (const char  *str,
                          EchoesRatio *ratio)
{
  guint v;

  if (!echoes_names_lookup (echoes_ratio_names, G_N_ELEMENTS (ratio_sizes), str, &v))
    return FALSE;
  *ratio = v;
  return TRUE;
}

/**
 * echoes_ratio_get_size:
 * @ratio: a ratio
 * @resolution: the resolution
 * @width: (out): the film's width in pixels
 * @height: (out): the film's height in pixels
 *
 * The film size of @ratio at @resolution: its short side has the resolution's lines,
 * e.g. 16:9 at 720p is 1280×720, 9:16 at 1080p is 1080×1920.
 */
void
echoes_ratio_get_size (EchoesRatio       ratio,
                       EchoesResolution  resolution,
                       int              *width,
                       int              *height)
{
  g_return_if_fail ((guint) ratio < G_N_ELEMENTS (ratio_sizes));
  g_return_if_fail ((guint) resolution < G_N_ELEMENTS (ratio_sizes[0]));

  *width = ratio_sizes[ratio][resolution].width;
  *height = ratio_sizes[ratio][resolution].height;
}

/**
 * echoes_ratio_get_clip_size:
 * @ratio: a ratio
 * @width: (out): the clips' width in pixels
 * @height: (out): the clips' height in pixels
 *
 * The size clips of @ratio are made at: 1280×720, 720×1280, and 1080×1080 for the
 * square, which so keeps about the pixel count of the others.
 */
void
echoes_ratio_get_clip_size (EchoesRatio  ratio,
                            int         *width,
                            int         *height)
{
  g_return_if_fail ((guint) ratio < G_N_ELEMENTS (clip_resolutions));

  echoes_ratio_get_size (ratio, clip_resolutions[ratio], width, height);
}

/**
 * echoes_resolution_get_lines:
 * @resolution: a resolution
 *
 * Returns: the lines on the short side: 720 or 1080
 */
guint
echoes_resolution_get_lines (EchoesResolution resolution)
{
  g_return_val_if_fail ((guint) resolution < G_N_ELEMENTS (ratio_sizes[0]), 0);

  /* The square's side is the short side. */
  return (guint) ratio_sizes[ECHOES_RATIO_1_1][resolution].height;
}
