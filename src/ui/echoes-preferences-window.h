/* echoes-preferences-window.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "echoes-context.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_PREFERENCES_WINDOW (echoes_preferences_window_get_type())

G_DECLARE_FINAL_TYPE (EchoesPreferencesWindow, echoes_preferences_window, ECHOES, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

EchoesPreferencesWindow *echoes_preferences_window_new          (GtkWindow               *parent);
void                     echoes_preferences_window_set_context  (EchoesPreferencesWindow *self,
                                                                 EchoesContext           *context);
GSettings               *echoes_preferences_window_get_settings (EchoesPreferencesWindow *self);

G_END_DECLS
