/* echoes-bench-hooks.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Benchmark hooks: set by tests/bench/, read by the one place they concern. No
 * shipping code but that place includes this header (tests/check-layers.py checks). */

/* For tests/bench/bench-ken-burns.c: the Ken Burns renderer writes the rendered frames
 * as raw I420 instead of encoding them, so that the encoder's own time can be measured
 * on the very frames. */
void     _echoes_bench_hooks_set_raw_output (gboolean raw);
gboolean _echoes_bench_hooks_get_raw_output (void);

G_END_DECLS
