/* echoes-test-ui.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "echoes-context.h"
#include "echoes-window.h"

G_BEGIN_DECLS

EchoesContext *echoes_test_ui_open_context    (guint       timeout_ms);
void           echoes_test_ui_wait_mapped     (GtkWidget  *widget,
                                               guint       timeout_ms);
EchoesWindow  *echoes_test_ui_show_window     (EchoesContext *context,
                                               int            width,
                                               int            height,
                                               guint          timeout_ms);
void           echoes_test_ui_close_window    (EchoesWindow  *window,
                                               EchoesContext *context);
void           echoes_test_ui_wait_frames     (GtkWidget  *widget,
                                               guint       n);
void           echoes_test_ui_drain           (void);
void           echoes_test_ui_wait_label      (GtkWidget  *root,
                                               const char *text,
                                               guint       timeout_ms);
void echoes_test_ui_save_screenshot (GtkWidget  *widget,
                                     const char *name);

G_END_DECLS
