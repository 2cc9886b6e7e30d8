/* echoes-account-window-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "echoes-account-window.h"

G_BEGIN_DECLS

/* For tests: opens the browser sign-in page with @func instead of gtk_show_uri(). */
void _echoes_account_window_set_uri_func (EchoesAccountWindow *self,
                                          EchoesAuthUriFunc    func,
                                          gpointer             data);

G_END_DECLS
