/* echoes-cli-credits.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "echoes-provider-registry.h"

G_BEGIN_DECLS

const char             *echoes_cli_credits_usage        (void);
gboolean                echoes_cli_credits_handles      (const char  *group);
int                     echoes_cli_credits              (int          argc,
                                                         char       **argv,
                                                         gboolean     json);
EchoesProviderRegistry *echoes_cli_credits_new_registry (const char  *provider_name);

G_END_DECLS
