/* echoes-progress.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * EchoesProgress:
 *
 * The progress of one run (an export, a clip's generation) as one 0–1 value that never
 * goes back. A run is made of phases; each maps its own 0–1 onto the part of the bar
 * between where the previous phase left it and the end given to
 * echoes_progress_begin_phase(). Reports below the value already reached (a position
 * query that jitters, a phase abandoned for another) leave the value where it is.
 *
 * A plain struct owned by whoever runs the work: not thread-safe.
 */
typedef struct
{
  /*< private >*/
  double value;
  double start;
  double end;
} EchoesProgress;

void      echoes_progress_init        (EchoesProgress *self);
void      echoes_progress_begin_phase (EchoesProgress *self,
                                       double          end);
gboolean  echoes_progress_update      (EchoesProgress *self,
                                       double          fraction);
double    echoes_progress_get_fraction (const EchoesProgress *self);
void      echoes_progress_finish      (EchoesProgress *self);

G_END_DECLS
