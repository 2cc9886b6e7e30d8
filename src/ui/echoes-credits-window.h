/* echoes-credits-window.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "echoes-auth.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_CREDITS_WINDOW (echoes_credits_window_get_type())

G_DECLARE_FINAL_TYPE (EchoesCreditsWindow, echoes_credits_window, ECHOES, CREDITS_WINDOW, AdwWindow)

EchoesCreditsWindow *echoes_credits_window_new         (EchoesAuth          *auth);
int                  echoes_credits_window_get_balance (EchoesCreditsWindow *self);
void                 echoes_credits_window_refresh     (EchoesCreditsWindow *self);

G_END_DECLS
