/* echoes-progress.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-progress"

#include "config.h"

#include "echoes-progress.h"

#include <math.h>

/* NaN never compares: treat it as no progress at all. */
static double
clamp_fraction (double fraction)
{
  if (isnan (fraction))
    return 0.0;
  return CLAMP (fraction, 0.0, 1.0);
}

/**
 * echoes_progress_init:
 * @self: an #EchoesProgress
 *
 * Starts a run at 0, with one phase covering the whole bar.
 */
void
echoes_progress_init (EchoesProgress *self)
{
  g_return_if_fail (self != NULL);

  self->value = 0.0;
  self->start = 0.0;
  self->end = 1.0;
}

/**
 * echoes_progress_begin_phase:
 * @self: an #EchoesProgress
 * @end: where the bar is when the new phase is done, 0–1
 *
 * Starts a phase that fills the bar from the value reached so far to @end. An @end
 * below the value reached gives an empty phase: the bar stays where it is.
 */
void
echoes_progress_begin_phase (EchoesProgress *self,
                             double          end)
{
  g_return_if_fail (self != NULL);

  self->start = self->value;
  self->end = MAX (clamp_fraction (end), self->value);
}

/**
 * echoes_progress_update:
 * @self: an #EchoesProgress
 * @fraction: how far the running phase is, 0–1 (clamped)
 *
 * Moves the bar to @fraction of the running phase, unless it is already further.
 *
 * Returns: %TRUE if the value rose
 */
gboolean
echoes_progress_update (EchoesProgress *self,
                        double          fraction)
{
  double value;

  g_return_val_if_fail (self != NULL, FALSE);

  value = self->start + (self->end - self->start) * clamp_fraction (fraction);
  if (value <= self->value)
    return FALSE;

  self->value = value;
  return TRUE;
}

/**
 * echoes_progress_get_fraction:
 * @self: an #EchoesProgress
 *
 * Returns: the highest value reached in this run, 0–1
 */
double
echoes_progress_get_fraction (const EchoesProgress *self)
{
  g_return_val_if_fail (self != NULL, 0.0);

  return self->value;
}

/**
 * echoes_progress_finish:
 * @self: an #EchoesProgress
 *
 * Ends the run: the bar is full.
 */
void
echoes_progress_finish (EchoesProgress *self)
{
  g_return_if_fail (self != NULL);

  self->value = self->start = self->end = 1.0;
}
