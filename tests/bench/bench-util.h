/* bench-util.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

guint bench_env_uint (const char *name,
                      guint       fallback);

G_END_DECLS
