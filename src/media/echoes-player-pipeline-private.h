/* echoes-player-pipeline-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

/* GES 1.22's headers have const-qualified return types (-Wignored-qualifiers). */
#include <ges/ges.h>

#include "echoes-player-pipeline.h"

G_BEGIN_DECLS

/* EchoesPlayerPipeline is one object over several files, by concern:
 * - echoes-player-pipeline.c: the object, its properties and signals, the bus (end of
 *   film, errors), the end of a load or of a rebuild after a renewal, settings,
 *   load/unload
 * - echoes-player-load.c: clips discovered on a worker, the timeline and GES pipeline
 *   built, the RGBA frame sink
 * - echoes-player-playback.c: play, pause, seek, position, duration and clip starts
 * - echoes-player-renewal.c: streamed clips: refused URLs renewed, the film rebuilt at
 *   the same position, URLs kept out of messages */
struct _EchoesPlayerPipeline
{
  GObject                parent_instance;

  GESPipeline           *pipeline;     /* (owned) (nullable) */
  GESTimeline           *timeline;     /* (owned) (nullable) */
  GstElement            *audio_sink;   /* (owned) (nullable) for the next load */
  GArray                *starts;       /* (owned) clip starts, then the film's end */
  GArray                *durations;    /* (owned) (nullable) GstClockTime, for the next load */
  GstClockTime           crossfade;
  guint                  bus_watch;
  GTask                 *load_task;    /* (owned) (nullable) until prerolled */
  GstClockTime           pending_seek;

  /* What was loaded, to build it again with renewed URIs */
  GStrv                  sources;      /* (owned) (nullable) paths or URIs */
  GStrv                  music;        /* (owned) (nullable) */
  double                 volume;
  GstClockTime           fade_out;
  EchoesUriRenewer      *renewer;      /* (owned) (nullable) */
  GCancellable          *renew_cancellable; /* (owned) (nullable) */
  GArray                *to_renew;     /* (owned) (nullable) guint clip indices */
  guint                  renewals;
  guint                  start_clip;
  GstClockTime           renew_position;
  GstClockTime           resume_position; /* where a rebuilt film continues */
  GstClockTime           last_position;   /* of the last frame shown (frame_lock) */
  gboolean               hold_frames;     /* prerolling before a start seek (frame_lock) */

  GMutex                 frame_lock;
  EchoesPlayerFrameFunc  frame_func;
  gpointer               frame_data;
  GDestroyNotify         frame_destroy;

  guint                  playing : 1;
  guint                  loaded : 1;
  guint                  recovering : 1;  /* rebuilding after a renewal, loaded */
  guint                  resume_playing : 1;
};

/* echoes-player-pipeline.c */
void      _echoes_player_pipeline_set_playing        (EchoesPlayerPipeline *self,
                                                      gboolean              playing);
void      _echoes_player_pipeline_finish_load        (EchoesPlayerPipeline *self,
                                                      GError               *error);
void      _echoes_player_pipeline_teardown           (EchoesPlayerPipeline *self);
gboolean  _echoes_player_pipeline_bus_cb             (GstBus               *bus,
                                                      GstMessage           *message,
                                                      gpointer              user_data);
void      _echoes_player_pipeline_recovered_cb       (GObject              *object,
                                                      GAsyncResult         *result,
                                                      gpointer              user_data);

/* echoes-player-load.c */
void      _echoes_player_pipeline_start_load         (EchoesPlayerPipeline *self,
                                                      guint                 start_clip,
                                                      GstClockTime          start_position);

/* echoes-player-renewal.c */
gboolean  _echoes_player_pipeline_has_remote_sources (EchoesPlayerPipeline *self);
char     *_echoes_player_pipeline_redact             (EchoesPlayerPipeline *self,
                                                      const char           *text);
gboolean  _echoes_player_pipeline_is_refused         (GstMessage           *message,
                                                      const GError         *error);
int       _echoes_player_pipeline_clip_of_source     (EchoesPlayerPipeline *self,
                                                      GstObject            *source);
gboolean  _echoes_player_pipeline_renew              (EchoesPlayerPipeline *self,
                                                      int                   clip,
                                                      GstClockTime          position);

G_END_DECLS
