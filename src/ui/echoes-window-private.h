/* echoes-window-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "echoes-window.h"

G_BEGIN_DECLS

/* For tests: the widgets and state they check. */
GtkWidget  *_echoes_window_get_clip_grid      (EchoesWindow *self);
GtkWidget  *_echoes_window_get_leaflet        (EchoesWindow *self);
GtkWidget  *_echoes_window_get_sidebar        (EchoesWindow *self);
GtkWidget  *_echoes_window_get_content        (EchoesWindow *self);
const char *_echoes_window_get_page           (EchoesWindow *self);
gboolean    _echoes_window_undo               (EchoesWindow *self);
guint       _echoes_window_get_n_failures     (EchoesWindow *self);
guint       _echoes_window_get_n_shown_projects (EchoesWindow *self);
void        _echoes_window_set_music_files    (EchoesWindow       *self,
                                               const char * const *paths);
const char *_echoes_window_get_music_label    (EchoesWindow *self);
GstClockTime _echoes_window_get_crossfade     (EchoesWindow *self);

G_END_DECLS
