/* echoes-test-ui.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void echoes_test_ui_wait_ms         (guint       ms);
void echoes_test_ui_save_screenshot (GtkWidget  *widget,
                                     const char *name);

G_END_DECLS
