/* echoes-types.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-types"

#include "config.h"

#include <string.h>

#include "echoes-types.h"

/* These strings are the wire format shared with the server's check constraints. */
static const char * const project_statuses[] = { "in_progress", "completed" };
static const char * const clip_statuses[] = { "pending", "generating", "ready", "failed" };

static gboolean
lookup (const char * const *table,
        guint               n,
        const char         *str,
        guint              *out)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      if (strcmp (table[i], str) == 0)
        {
          *out = i;
          return TRUE;
        }
    }

  return FALSE;
}

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

  if (!lookup (project_statuses, G_N_ELEMENTS (project_statuses), str, &v))
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

  if (!lookup (clip_statuses, G_N_ELEMENTS (clip_statuses), str, &v))
    return FALSE;
  *status = v;
  return TRUE;
}
