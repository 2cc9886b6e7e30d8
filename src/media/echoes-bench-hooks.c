/* echoes-bench-hooks.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-bench-hooks"

#include "config.h"

#include "echoes-bench-hooks.h"

static gboolean raw_output;

void
_echoes_bench_hooks_set_raw_output (gboolean raw)
{
  g_atomic_int_set (&raw_output, raw);
}

gboolean
_echoes_bench_hooks_get_raw_output (void)
{
  return g_atomic_int_get (&raw_output);
}
