/* echoes-store-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "echoes-store.h"

G_BEGIN_DECLS

/* For the migration tests: the SQL that brings schema version N-1 to N (1-based). */
const char *_echoes_store_get_migration (guint version);
gboolean    _echoes_store_check_order   (EchoesStore  *self,
                                         const char   *project_id,
                                         GError      **error);

void        _echoes_store_sweep_files  (EchoesStore  *self,
                                        GTimeSpan     min_age);

G_END_DECLS
