/* echoes-store-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "echoes-store.h"

G_BEGIN_DECLS

/* Shared by the store's files (the library sweeps after opening). */
void        _echoes_store_sweep_files  (EchoesStore  *self,
                                        GTimeSpan     min_age);

G_END_DECLS
