/* echoes-account-menu.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "echoes-context.h"
#include "echoes-window.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_ACCOUNT_MENU (echoes_account_menu_get_type())

G_DECLARE_FINAL_TYPE (EchoesAccountMenu, echoes_account_menu, ECHOES, ACCOUNT_MENU, GObject)

void echoes_account_menu_attach (EchoesWindow  *window,
                                 GMenu         *menu,
                                 EchoesContext *context);

G_END_DECLS
