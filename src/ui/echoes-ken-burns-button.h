/* echoes-ken-burns-button.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "echoes-context.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_KEN_BURNS_BUTTON (echoes_ken_burns_button_get_type())

G_DECLARE_FINAL_TYPE (EchoesKenBurnsButton, echoes_ken_burns_button, ECHOES, KEN_BURNS_BUTTON, GtkButton)

gboolean echoes_ken_burns_button_applies  (EchoesClip           *clip);
void     echoes_ken_burns_button_set_clip (EchoesKenBurnsButton *self,
                                           EchoesContext        *context,
                                           EchoesClip           *clip);

G_END_DECLS
