/* echoes-cli-account.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *echoes_cli_account_usage (void);
int         echoes_cli_account       (int        argc,
                                      char     **argv,
                                      gboolean   json);

G_END_DECLS
