/* echoes-cli-util.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* An async call run to its end from a CLI command: pass echoes_cli_wait_cb and the wait
 * as the callback and its data, then echoes_cli_wait() for the result. */
typedef struct
{
  GAsyncResult *result;  /* (owned) (nullable) */
} EchoesCliWait;

void          echoes_cli_wait_cb   (GObject       *object,
                                    GAsyncResult  *result,
                                    gpointer       user_data);
GAsyncResult *echoes_cli_wait      (EchoesCliWait *wait);
char         *echoes_cli_read_line (const char    *prompt,
                                    gboolean       secret);

G_END_DECLS
