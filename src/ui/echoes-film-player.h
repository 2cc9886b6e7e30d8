/* echoes-film-player.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "echoes-player-pipeline.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_FILM_PLAYER (echoes_film_player_get_type())

G_DECLARE_FINAL_TYPE (EchoesFilmPlayer, echoes_film_player, ECHOES, FILM_PLAYER, GtkWidget)

GtkWidget            *echoes_film_player_new          (void);
EchoesPlayerPipeline *echoes_film_player_get_pipeline (EchoesFilmPlayer     *self);
void                  echoes_film_player_load_async   (EchoesFilmPlayer     *self,
                                                       const char * const   *clips,
                                                       const char * const   *music,
                                                       double                volume,
                                                       GstClockTime          fade_out,
                                                       guint                 start_clip,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean              echoes_film_player_load_finish  (EchoesFilmPlayer     *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void                  echoes_film_player_play         (EchoesFilmPlayer     *self);
void                  echoes_film_player_pause        (EchoesFilmPlayer     *self);
GdkPaintable         *echoes_film_player_get_frame    (EchoesFilmPlayer     *self);

G_END_DECLS
