/* echoes-context-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "echoes-context.h"

G_BEGIN_DECLS

/* Test hooks: never called by shipping code. */
void _echoes_context_set_sync_remote_for_testing (EchoesContext    *self,
                                                  EchoesSyncRemote *remote,
                                                  GNetworkMonitor  *monitor);

G_END_DECLS
