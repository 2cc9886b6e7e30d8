/* echoes-drop-target.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ECHOES_TYPE_DROP_TARGET (echoes_drop_target_get_type())

G_DECLARE_FINAL_TYPE (EchoesDropTarget, echoes_drop_target, ECHOES, DROP_TARGET, GObject)

EchoesDropTarget *echoes_drop_target_new          (void);
void              echoes_drop_target_attach       (EchoesDropTarget *self,
                                                   GtkWidget        *widget);
gboolean          echoes_drop_target_get_active   (EchoesDropTarget *self);
gboolean          echoes_drop_target_get_enabled  (EchoesDropTarget *self);
void              echoes_drop_target_set_enabled  (EchoesDropTarget *self,
                                                   gboolean          enabled);
void              echoes_drop_target_drop_value   (EchoesDropTarget *self,
                                                   const GValue     *value);

G_END_DECLS
