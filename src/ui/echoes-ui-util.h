/* echoes-ui-util.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void echoes_ui_fix_button_names (GtkWidget *widget);

G_END_DECLS
