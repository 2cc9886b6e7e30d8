/* echoes-film-export.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-exporter.h"
#include "echoes-generation-queue.h"
#include "echoes-library.h"
#include "echoes-music.h"
#include "echoes-player-pipeline.h"
#include "echoes-store.h"

G_BEGIN_DECLS

/**
 * EchoesFilm:
 * @clips: (array zero-terminated=1): absolute paths of the approved clips, in order
 * @clip_ids: (array zero-terminated=1): their clip ids
 * @durations: (array length=n_clips): per-clip durations from "fit to music", or
 *   %GST_CLOCK_TIME_NONE for a clip's natural length
 * @n_clips: the number of approved clips
 * @music: (array zero-terminated=1): absolute paths of the music tracks
 * @volume: the music's gain
 * @fade_out: the music's fade at the end
 *
 * What a project's film is made of, read from the store.
 */
typedef struct
{
  GStrv         clips;
  GStrv         clip_ids;
  GstClockTime *durations;
  guint         n_clips;
  GStrv         music;
  double        volume;
  GstClockTime  fade_out;
} EchoesFilm;

EchoesFilm *echoes_film_load          (EchoesStore    *store,
                                       const char     *project_id,
                                       GError        **error);
void        echoes_film_free          (EchoesFilm     *film);
void        echoes_film_apply         (EchoesFilm     *film,
                                       EchoesExporter *exporter);
GstClockTime *echoes_film_probe_lengths  (EchoesFilm            *film,
                                          GCancellable          *cancellable);
guint         echoes_film_lengthen_clips (EchoesFilm            *film,
                                          const GstClockTime    *lengths,
                                          EchoesLibrary         *library,
                                          const char            *project_id,
                                          EchoesGenerationQueue *queue,
                                          const char            *ratio);
gboolean      echoes_film_fit_to_music   (EchoesFilm            *film,
                                          GPtrArray             *tracks,
                                          GstClockTime           crossfade,
                                          EchoesMusic           *music);
gboolean      echoes_film_fit_to_music_sync (EchoesStore         *store,
                                             const char          *project_id,
                                             EchoesVideoProvider *provider,
                                             GstClockTime         crossfade,
                                             gboolean            *fits,
                                             guint               *n_longer,
                                             GCancellable        *cancellable,
                                             GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EchoesFilm, echoes_film_free)

G_END_DECLS
