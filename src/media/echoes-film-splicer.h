/* echoes-film-splicer.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

typedef void (*EchoesSpliceProgressFunc) (double   fraction,
                                          gpointer user_data);

gboolean echoes_film_splice (const char * const        *clips,
                             const GstClockTime        *durations,
                             GstClockTime               crossfade,
                             const char                *work_dir,
                             const char                *output,
                             EchoesSpliceProgressFunc   progress,
                             gpointer                   progress_data,
                             guint                     *n_encoded,
                             GCancellable              *cancellable,
                             GError                   **error);

G_END_DECLS
