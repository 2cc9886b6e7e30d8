/* echoes-store-test-hooks.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "echoes-store.h"

G_BEGIN_DECLS

/* For the tests only (defined in echoes-store.c, which alone of the shipping code
 * includes this header; tests/check-layers.py checks). */

/* For the migration tests: the SQL that brings schema version N-1 to N (1-based). */
const char *_echoes_store_get_migration (guint version);
/* The project's live clips have the orders 0..n-1 exactly once each. */
gboolean    _echoes_store_check_order   (EchoesStore  *self,
                                         const char   *project_id,
                                         GError      **error);

G_END_DECLS
