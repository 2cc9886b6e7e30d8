/* echoes-player-load.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-player-pipeline"

#include "config.h"

#include <gst/app/app.h>
#include <glib/gi18n.h>

#include "echoes-player-pipeline-private.h"
#include "echoes-film-timeline.h"
#include "echoes-music.h"

/* EchoesPlayerPipeline's loading: clips and music discovered on a worker thread, the
 * film's timeline and GES pipeline built, and the RGBA sink its frames leave through. */

typedef struct
{
  GStrv         clips;
  GStrv         music;
  double        volume;
  GstClockTime  fade_out;
  GstClockTime  crossfade;
  GArray       *durations;  /* (nullable) */
  guint         start_clip;
  GstClockTime  start_position;  /* or GST_CLOCK_TIME_NONE for start_clip */
  GPtrArray    *clip_assets;
  GPtrArray    *music_assets;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_strfreev (data->clips);
  g_strfreev (data->music);
  g_clear_pointer (&data->durations, g_array_unref);
  g_clear_pointer (&data->clip_assets, g_ptr_array_unref);
  g_clear_pointer (&data->music_assets, g_ptr_array_unref);
  g_free (data);
}

static void
deliver (EchoesPlayerPipeline *self,
         GstSample            *sample)
{
  const GstSegment *segment = gst_sample_get_segment (sample);
  GstBuffer *buffer = gst_sample_get_buffer (sample);

  g_mutex_lock (&self->frame_lock);
  if (self->hold_frames)
    {
      /* The frame at 0 before the seek to where playback starts: not shown. */
      g_mutex_unlock (&self->frame_lock);
      return;
    }
  if (segment != NULL && buffer != NULL && GST_BUFFER_PTS_IS_VALID (buffer))
    {
      GstClockTime time = gst_segment_to_stream_time (segment, GST_FORMAT_TIME,
                                                      GST_BUFFER_PTS (buffer));
      if (GST_CLOCK_TIME_IS_VALID (time))
        self->last_position = time;
    }
  if (self->frame_func != NULL)
    self->frame_func (sample, self->frame_data);
  g_mutex_unlock (&self->frame_lock);
}

/* Streaming thread. */
static GstFlowReturn
new_sample_cb (GstAppSink *sink,
               gpointer    user_data)
{
  GstSample *sample = gst_app_sink_pull_sample (sink);

  if (sample == NULL)
    return GST_FLOW_EOS;

  deliver (user_data, sample);
  gst_sample_unref (sample);

  return GST_FLOW_OK;
}

/* Streaming thread: the frame shown while paused (after loading or a seek). */
static GstFlowReturn
new_preroll_cb (GstAppSink *sink,
                gpointer    user_data)
{
  GstSample *sample = gst_app_sink_pull_preroll (sink);

  if (sample == NULL)
    return GST_FLOW_EOS;

  deliver (user_data, sample);
  gst_sample_unref (sample);

  return GST_FLOW_OK;
}

static GstElement *
create_video_sink (EchoesPlayerPipeline *self)
{
  GstAppSinkCallbacks callbacks = { NULL, new_preroll_cb, new_sample_cb, };
  g_autoptr(GstCaps) caps = gst_caps_from_string ("video/x-raw,format=RGBA");
  GstElement *bin = gst_bin_new ("echoes-video-sink");
  GstElement *queue = gst_element_factory_make ("queue", NULL);
  GstElement *convert = gst_element_factory_make ("videoconvert", NULL);
  GstElement *sink = gst_element_factory_make ("appsink", NULL);
  GstPad *pad;

  g_object_set (sink,
                "caps", caps,
                "sync", TRUE,
                "max-buffers", 2,
                "enable-last-sample", FALSE,
                NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);

  /* The clips' composition switches to the next clip when its output reaches the cut;
   * a second of decoded frames ahead of the sink hides the switch on a slow machine. */
  g_object_set (queue,
                "max-size-time", (guint64) GST_SECOND,
                "max-size-buffers", 0,
                "max-size-bytes", 0,
                NULL);

  gst_bin_add_many (GST_BIN (bin), queue, convert, sink, NULL);
  gst_element_link_many (queue, convert, sink, NULL);

  pad = gst_element_get_static_pad (queue, "sink");
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", pad));
  gst_object_unref (pad);

  return bin;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr(GPtrArray) tracks = NULL;
  GError *error = NULL;

  /* Probe the music first, for an error that names the file. */
  if (data->music[0] != NULL &&
      !(tracks = echoes_music_probe ((const char * const *) data->music, cancellable, &error)))
    {
      g_task_return_error (task, error);
      return;
    }

  if (!(data->clip_assets = echoes_film_request_assets ((const char * const *) data->clips,
                                                         cancellable, &error)) ||
      (data->music[0] != NULL &&
       !(data->music_assets = echoes_film_request_assets ((const char * const *) data->music,
                                                           cancellable, &error))))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
load_assets_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  EchoesPlayerPipeline *self = ECHOES_PLAYER_PIPELINE (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GArray) starts = NULL;
  g_autofree GstClockTime *durations = NULL;
  LoadData *data = g_task_get_task_data (G_TASK (result));
  EchoesFilmSettings settings;
  GError *error = NULL;

  if (self->load_task != task)
    {
      /* Unloaded or replaced meanwhile: unload() already completed the task. */
      g_task_propagate_boolean (G_TASK (result), NULL);
      return;
    }

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* A streamed clip was refused before playing (its URL expired): which one is not
       * known here, so every streamed clip gets a new URL. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) &&
          _echoes_player_pipeline_renew (self, -1,
                                         GST_CLOCK_TIME_IS_VALID (data->start_position)
                                         ? data->start_position : self->resume_position))
        {
          g_error_free (error);
          return;
        }
      _echoes_player_pipeline_finish_load (self, error);
      return;
    }

  echoes_film_settings_init (&settings);
  settings.volume = data->volume;
  settings.fade_out = data->fade_out;
  settings.crossfade = data->crossfade;

  /* Like the exporter: a missing or invalid duration keeps the clip's own length. */
  if (data->durations != NULL)
    {
      durations = g_new (GstClockTime, data->clip_assets->len);
      for (guint i = 0; i < data->clip_assets->len; i++)
        durations[i] = i < data->durations->len ? g_array_index (data->durations, GstClockTime, i)
                                                : GST_CLOCK_TIME_NONE;
    }

  starts = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  if (!(self->timeline = echoes_film_timeline_new (data->clip_assets, durations,
                                                   data->music_assets, &settings, starts,
                                                   &error)))
    {
      _echoes_player_pipeline_finish_load (self, error);
      return;
    }

  g_clear_pointer (&self->starts, g_array_unref);
  self->starts = g_steal_pointer (&starts);

  self->pipeline = g_object_ref_sink (ges_pipeline_new ());
  ges_pipeline_set_timeline (self->pipeline, g_object_ref (self->timeline));
  ges_pipeline_preview_set_video_sink (self->pipeline, create_video_sink (self));
  if (self->audio_sink != NULL)
    ges_pipeline_preview_set_audio_sink (self->pipeline, self->audio_sink);
  ges_pipeline_set_mode (self->pipeline, GES_PIPELINE_MODE_PREVIEW);

  bus = gst_element_get_bus (GST_ELEMENT (self->pipeline));
  self->bus_watch = gst_bus_add_watch (bus, _echoes_player_pipeline_bus_cb, self);

  self->pending_seek = GST_CLOCK_TIME_NONE;
  if (GST_CLOCK_TIME_IS_VALID (data->start_position))
    {
      if (data->start_position > 0)
        self->pending_seek = MIN (data->start_position,
                                  echoes_player_pipeline_get_duration (self));
    }
  else if (data->start_clip > 0 && data->start_clip < self->starts->len - 1)
    self->pending_seek = g_array_index (self->starts, GstClockTime, data->start_clip);

  g_mutex_lock (&self->frame_lock);
  self->hold_frames = GST_CLOCK_TIME_IS_VALID (self->pending_seek);
  g_mutex_unlock (&self->frame_lock);

  if (gst_element_set_state (GST_ELEMENT (self->pipeline), GST_STATE_PAUSED) ==
      GST_STATE_CHANGE_FAILURE)
    _echoes_player_pipeline_finish_load (self, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                            _("The film cannot be played")));
}

/* Discovers the clips of self->sources (and the music) and builds the film for
 * self->load_task. */
void
_echoes_player_pipeline_start_load (EchoesPlayerPipeline *self,
                                    guint                 start_clip,
                                    GstClockTime          start_position)
{
  g_autoptr(GTask) assets_task = NULL;
  LoadData *data;

  data = g_new0 (LoadData, 1);
  data->clips = g_strdupv (self->sources);
  data->music = self->music ? g_strdupv (self->music) : g_new0 (char *, 1);
  data->volume = self->volume;
  data->fade_out = self->fade_out;
  data->crossfade = self->crossfade;
  data->durations = self->durations ? g_array_ref (self->durations) : NULL;
  data->start_clip = start_clip;
  data->start_position = start_position;

  assets_task = g_task_new (self, g_task_get_cancellable (self->load_task), load_assets_cb,
                            g_object_ref (self->load_task));
  g_task_set_source_tag (assets_task, load_thread);
  g_task_set_task_data (assets_task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (assets_task, load_thread);
}
