/* echoes-motion-editor.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ECHOES_TYPE_MOTION_EDITOR (echoes_motion_editor_get_type())

G_DECLARE_FINAL_TYPE (EchoesMotionEditor, echoes_motion_editor, ECHOES, MOTION_EDITOR, GtkWidget)

GtkWidget    *echoes_motion_editor_new           (void);
GdkPaintable *echoes_motion_editor_get_paintable (EchoesMotionEditor *self);
void          echoes_motion_editor_set_paintable (EchoesMotionEditor *self,
                                                  GdkPaintable       *paintable);
const char   *echoes_motion_editor_get_ratio     (EchoesMotionEditor *self);
void          echoes_motion_editor_set_ratio     (EchoesMotionEditor *self,
                                                  const char         *ratio);
char         *echoes_motion_editor_dup_motion    (EchoesMotionEditor *self);
void          echoes_motion_editor_set_motion    (EchoesMotionEditor *self,
                                                  const char         *motion);

G_END_DECLS
