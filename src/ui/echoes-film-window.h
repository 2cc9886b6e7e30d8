/* echoes-film-window.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "echoes-film-export.h"
#include "echoes-film-player.h"
#include "echoes-sync-engine.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_FILM_WINDOW (echoes_film_window_get_type())

G_DECLARE_FINAL_TYPE (EchoesFilmWindow, echoes_film_window, ECHOES, FILM_WINDOW, AdwWindow)

EchoesFilmWindow *echoes_film_window_new        (GtkWindow        *parent,
                                                 const char       *title,
                                                 EchoesFilm       *film,
                                                 guint             start_clip,
                                                 GstClockTime      crossfade,
                                                 EchoesSyncEngine *engine);
EchoesFilmPlayer *echoes_film_window_get_player (EchoesFilmWindow *self);
gboolean          echoes_film_window_get_loaded (EchoesFilmWindow *self);

G_END_DECLS
