/* echoes-player-pipeline.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

#include "echoes-uri-renewer.h"

G_BEGIN_DECLS

/**
 * EchoesPlayerFrameFunc:
 * @sample: a decoded RGBA frame (video/x-raw,format=RGBA, system memory)
 * @user_data: user data
 *
 * Called on a GStreamer streaming thread for every frame, in playback time (the sink
 * is synchronised to the clock) and for the still frame shown after a seek while
 * paused. Take a reference to keep @sample.
 */
typedef void (*EchoesPlayerFrameFunc) (GstSample *sample,
                                       gpointer   user_data);

#define ECHOES_TYPE_PLAYER_PIPELINE (echoes_player_pipeline_get_type())

G_DECLARE_FINAL_TYPE (EchoesPlayerPipeline, echoes_player_pipeline, ECHOES, PLAYER_PIPELINE, GObject)

EchoesPlayerPipeline *echoes_player_pipeline_new             (void);
void                  echoes_player_pipeline_set_frame_func  (EchoesPlayerPipeline  *self,
                                                              EchoesPlayerFrameFunc  func,
                                                              gpointer               user_data,
                                                              GDestroyNotify         destroy);
void                  echoes_player_pipeline_set_audio_sink  (EchoesPlayerPipeline  *self,
                                                              GstElement            *sink);
void                  echoes_player_pipeline_set_renewer     (EchoesPlayerPipeline  *self,
                                                              EchoesUriRenewer      *renewer);
GstClockTime          echoes_player_pipeline_get_crossfade   (EchoesPlayerPipeline  *self);
void                  echoes_player_pipeline_set_crossfade   (EchoesPlayerPipeline  *self,
                                                              GstClockTime           crossfade);
void                  echoes_player_pipeline_set_clip_durations (EchoesPlayerPipeline *self,
                                                              const GstClockTime    *durations,
                                                              guint                  n_durations);
void                  echoes_player_pipeline_load_async      (EchoesPlayerPipeline  *self,
                                                              const char * const    *clips,
                                                              const char * const    *music,
                                                              double                 volume,
                                                              GstClockTime           fade_out,
                                                              guint                  start_clip,
                                                              GCancellable          *cancellable,
                                                              GAsyncReadyCallback    callback,
                                                              gpointer               user_data);
gboolean              echoes_player_pipeline_load_finish     (EchoesPlayerPipeline  *self,
                                                              GAsyncResult          *result,
                                                              GError               **error);
void                  echoes_player_pipeline_unload          (EchoesPlayerPipeline  *self);
gboolean              echoes_player_pipeline_get_loaded      (EchoesPlayerPipeline  *self);
void                  echoes_player_pipeline_play            (EchoesPlayerPipeline  *self);
void                  echoes_player_pipeline_pause           (EchoesPlayerPipeline  *self);
gboolean              echoes_player_pipeline_get_playing     (EchoesPlayerPipeline  *self);
gboolean              echoes_player_pipeline_seek            (EchoesPlayerPipeline  *self,
                                                              GstClockTime           position);
gboolean              echoes_player_pipeline_seek_to_clip    (EchoesPlayerPipeline  *self,
                                                              guint                  clip);
GstClockTime          echoes_player_pipeline_get_position    (EchoesPlayerPipeline  *self);
GstClockTime          echoes_player_pipeline_get_duration    (EchoesPlayerPipeline  *self);
guint                 echoes_player_pipeline_get_n_clips     (EchoesPlayerPipeline  *self);
GstClockTime          echoes_player_pipeline_get_clip_start  (EchoesPlayerPipeline  *self,
                                                              guint                  clip);
guint                 echoes_player_pipeline_get_clip_at     (EchoesPlayerPipeline  *self,
                                                              GstClockTime           position);

G_END_DECLS
