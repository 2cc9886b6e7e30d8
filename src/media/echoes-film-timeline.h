/* echoes-film-timeline.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
/* GES 1.22's headers have const-qualified return types (-Wignored-qualifiers). */
#include <ges/ges.h>

G_BEGIN_DECLS

/**
 * EchoesFilmSettings:
 * @width: output width, or 0 for the clips' own size (no restriction)
 * @height: output height, or 0 for the clips' own size
 * @fps_n: output frame rate numerator, or 0 for the clips' own
 * @fps_d: output frame rate denominator
 * @crossfade: overlap between consecutive clips; 0 for hard cuts
 * @mixing: %FALSE for a copy (smart render) export: no transitions, no compositing
 * @volume: music gain, 0.0 – 2.0
 * @fade_out: music fade at the end of the film
 *
 * How echoes_film_timeline_new() lays out a film.
 */
typedef struct
{
  guint         width;
  guint         height;
  gint          fps_n;
  gint          fps_d;
  GstClockTime  crossfade;
  gboolean      mixing;
  double        volume;
  GstClockTime  fade_out;
} EchoesFilmSettings;

void         echoes_film_settings_init     (EchoesFilmSettings  *settings);
GPtrArray   *echoes_film_request_assets    (const char * const  *paths,
                                            GCancellable        *cancellable,
                                            GError             **error);
GESTimeline *echoes_film_timeline_new      (GPtrArray           *clip_assets,
                                            const GstClockTime  *durations,
                                            GPtrArray           *music_assets,
                                            const EchoesFilmSettings *settings,
                                            GArray              *clip_starts,
                                            GError             **error);

G_END_DECLS
