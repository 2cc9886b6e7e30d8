/* echoes-cli-runway-key.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "echoes-provider-registry.h"

G_BEGIN_DECLS

const char *echoes_cli_runway_key_usage (void);
int         echoes_cli_runway_key       (int                     argc,
                                         char                  **argv,
                                         gboolean                json);
void        echoes_cli_runway_key_apply (EchoesProviderRegistry *registry);

G_END_DECLS
