/* echoes-credits-button.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "echoes-context.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_CREDITS_BUTTON (echoes_credits_button_get_type())

G_DECLARE_FINAL_TYPE (EchoesCreditsButton, echoes_credits_button, ECHOES, CREDITS_BUTTON, GtkButton)

void      echoes_credits_button_set_context (EchoesCreditsButton *self,
                                             EchoesContext       *context);
void      echoes_credits_button_refresh     (EchoesCreditsButton *self);
int       echoes_credits_button_get_balance (EchoesCreditsButton *self);
GtkWindow *echoes_credits_button_get_credits_window (EchoesCreditsButton *self);

G_END_DECLS
