/* echoes-ken-burns-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* For tests/bench/bench-ken-burns.c: write the rendered frames as raw I420 instead of
 * encoding them, so that the encoder's own time can be measured on the very frames. */
void _echoes_ken_burns_set_raw_output (gboolean raw);

G_END_DECLS
