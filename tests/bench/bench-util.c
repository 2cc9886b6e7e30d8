/* bench-util.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "bench-util"

#include "config.h"

#include "bench-util.h"

/**
 * bench_env_uint:
 * @name: an environment variable
 * @fallback: the value when @name is unset or not a number in 1..1000000
 *
 * Returns: the benchmark setting @name, or @fallback
 */
guint
bench_env_uint (const char *name,
                guint       fallback)
{
  const char *value = g_getenv (name);
  guint64 n;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 1, 1000000, &n, NULL))
    return fallback;
  return (guint)n;
}
