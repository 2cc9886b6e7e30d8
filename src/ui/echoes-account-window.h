/* echoes-account-window.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "echoes-auth.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_ACCOUNT_WINDOW (echoes_account_window_get_type())

G_DECLARE_FINAL_TYPE (EchoesAccountWindow, echoes_account_window, ECHOES, ACCOUNT_WINDOW, AdwWindow)

EchoesAccountWindow *echoes_account_window_new      (GtkWindow           *parent,
                                                     EchoesAuth          *auth);
EchoesAuth          *echoes_account_window_get_auth (EchoesAccountWindow *self);

G_END_DECLS
