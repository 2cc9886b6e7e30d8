/* echoes-player-pipeline.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-player-pipeline"

#include "config.h"

#include "echoes-player-pipeline.h"

#include <gst/app/app.h>
/* GES 1.22's headers have const-qualified return types (-Wignored-qualifiers). */
#include <ges/ges.h>
#include <glib/gi18n.h>

#include "echoes-film-timeline.h"
#include "echoes-music.h"

/* Plays one clip or the film (approved clips + music) without GTK: the film's GES
 * timeline (shared with the exporter, laid out with the same crossfade and per-clip
 * durations as the export) in a GESPipeline in preview mode. The clips are
 * one nlecomposition, which prepares the next clip's decoder before the cut, so clips
 * follow each other without a black frame or a stall, and the music plays on the same
 * clock. Seeking works across clips. Frames leave through an RGBA appsink to a
 * callback (see docs/media.md, section 3).
 *
 * Everything but the frame callback runs on the main context that called
 * echoes_player_pipeline_load_async(); file discovery runs on a worker thread. */

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

  GMutex                 frame_lock;
  EchoesPlayerFrameFunc  frame_func;
  gpointer               frame_data;
  GDestroyNotify         frame_destroy;

  guint                  playing : 1;
  guint                  loaded : 1;
};

enum {
  PROP_0,
  PROP_CROSSFADE,
  PROP_DURATION,
  PROP_LOADED,
  PROP_PLAYING,
  N_PROPS
};

enum {
  EOS,
  ERROR,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (EchoesPlayerPipeline, echoes_player_pipeline, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

typedef struct
{
  GStrv         clips;
  GStrv         music;
  double        volume;
  GstClockTime  fade_out;
  GstClockTime  crossfade;
  GArray       *durations;  /* (nullable) */
  guint         start_clip;
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
set_playing (EchoesPlayerPipeline *self,
             gboolean              playing)
{
  playing = !!playing;

  if (self->playing != playing)
    {
      self->playing = playing;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PLAYING]);
    }
}

static void
deliver (EchoesPlayerPipeline *self,
         GstSample            *sample)
{
  g_mutex_lock (&self->frame_lock);
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
finish_load (EchoesPlayerPipeline *self,
             GError               *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->load_task);

  if (task == NULL)
    return;

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  self->loaded = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LOADED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_DURATION]);
  g_task_return_boolean (task, TRUE);
}

static gboolean
bus_cb (GstBus     *bus,
        GstMessage *message,
        gpointer    user_data)
{
  EchoesPlayerPipeline *self = user_data;

  switch ((int) GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ASYNC_DONE:
      if (self->load_task != NULL)
        {
          if (GST_CLOCK_TIME_IS_VALID (self->pending_seek))
            {
              GstClockTime position = self->pending_seek;

              /* Start from clip N: prerolled at 0, now seek and wait for the next one. */
              self->pending_seek = GST_CLOCK_TIME_NONE;
              if (gst_element_seek_simple (GST_ELEMENT (self->pipeline), GST_FORMAT_TIME,
                                           GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE,
                                           (gint64) position))
                break;
            }

          finish_load (self, NULL);
        }
      break;

    case GST_MESSAGE_EOS:
      g_debug ("End of film");
      set_playing (self, FALSE);
      g_signal_emit (self, signals [EOS], 0);
      break;

    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) gst_error = NULL;
        g_autofree char *debug = NULL;
        GError *error;

        gst_message_parse_error (message, &gst_error, &debug);
        g_warning ("Playback failed: %s (%s)", gst_error->message, debug ? debug : "");
        error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                             _("The film cannot be played: %s"), gst_error->message);

        gst_element_set_state (GST_ELEMENT (self->pipeline), GST_STATE_NULL);
        set_playing (self, FALSE);

        if (self->load_task != NULL)
          {
            finish_load (self, error);
          }
        else
          {
            g_signal_emit (self, signals [ERROR], 0, error);
            g_error_free (error);
          }
      }
      break;

    default:
      break;
    }

  return G_SOURCE_CONTINUE;
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
      finish_load (self, error);
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
      finish_load (self, error);
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
  self->bus_watch = gst_bus_add_watch (bus, bus_cb, self);

  self->pending_seek = GST_CLOCK_TIME_NONE;
  if (data->start_clip > 0 && data->start_clip < self->starts->len - 1)
    self->pending_seek = g_array_index (self->starts, GstClockTime, data->start_clip);

  if (gst_element_set_state (GST_ELEMENT (self->pipeline), GST_STATE_PAUSED) ==
      GST_STATE_CHANGE_FAILURE)
    finish_load (self, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                    _("The film cannot be played")));
}

static void
echoes_player_pipeline_dispose (GObject *object)
{
  EchoesPlayerPipeline *self = (EchoesPlayerPipeline *)object;

  echoes_player_pipeline_unload (self);
  echoes_player_pipeline_set_frame_func (self, NULL, NULL, NULL);
  gst_clear_object (&self->audio_sink);

  G_OBJECT_CLASS (echoes_player_pipeline_parent_class)->dispose (object);
}

static void
echoes_player_pipeline_finalize (GObject *object)
{
  EchoesPlayerPipeline *self = (EchoesPlayerPipeline *)object;

  g_clear_pointer (&self->starts, g_array_unref);
  g_clear_pointer (&self->durations, g_array_unref);
  g_mutex_clear (&self->frame_lock);

  G_OBJECT_CLASS (echoes_player_pipeline_parent_class)->finalize (object);
}

static void
echoes_player_pipeline_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  EchoesPlayerPipeline *self = ECHOES_PLAYER_PIPELINE (object);

  switch (prop_id)
    {
    case PROP_CROSSFADE:
      g_value_set_uint64 (value, self->crossfade);
      break;

    case PROP_DURATION:
      g_value_set_uint64 (value, echoes_player_pipeline_get_duration (self));
      break;

    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;

    case PROP_PLAYING:
      g_value_set_boolean (value, self->playing);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_player_pipeline_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  EchoesPlayerPipeline *self = ECHOES_PLAYER_PIPELINE (object);

  switch (prop_id)
    {
    case PROP_CROSSFADE:
      echoes_player_pipeline_set_crossfade (self, g_value_get_uint64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_player_pipeline_class_init (EchoesPlayerPipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = echoes_player_pipeline_dispose;
  object_class->finalize = echoes_player_pipeline_finalize;
  object_class->get_property = echoes_player_pipeline_get_property;
  object_class->set_property = echoes_player_pipeline_set_property;

  /**
   * EchoesPlayerPipeline:crossfade:
   *
   * How long consecutive clips overlap, fading from one to the next, in nanoseconds;
   * 0 (the default) cuts. The same value as the export's (echoes_exporter_set_crossfade())
   * lays the film out the same way: each crossfade shortens the film by its length, and
   * the clip starts (echoes_player_pipeline_get_clip_start()) are where each fade begins.
   * Like the exporter, a crossfade is at most half of either clip.
   *
   * Applies from the next echoes_player_pipeline_load_async().
   */
  properties [PROP_CROSSFADE] =
    g_param_spec_uint64 ("crossfade", NULL, NULL,
                         0, G_MAXINT64, 0,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties [PROP_DURATION] =
    g_param_spec_uint64 ("duration", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties [PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties [PROP_PLAYING] =
    g_param_spec_boolean ("playing", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EchoesPlayerPipeline::eos:
   * @self: the player
   *
   * The film (or clip) played to its end. The player is paused on its last frame.
   */
  signals [EOS] =
    g_signal_new ("eos",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * EchoesPlayerPipeline::error:
   * @self: the player
   * @error: what went wrong (translated)
   *
   * Playback failed after loading; the player stopped.
   */
  signals [ERROR] =
    g_signal_new ("error",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
echoes_player_pipeline_init (EchoesPlayerPipeline *self)
{
  g_mutex_init (&self->frame_lock);
  self->starts = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  self->pending_seek = GST_CLOCK_TIME_NONE;
}

/**
 * echoes_player_pipeline_new:
 *
 * Returns: (transfer full): a new, empty player
 */
EchoesPlayerPipeline *
echoes_player_pipeline_new (void)
{
  /* ges_init() expects GStreamer to be initialised already. */
  gst_init (NULL, NULL);
  ges_init ();

  return g_object_new (ECHOES_TYPE_PLAYER_PIPELINE, NULL);
}

/**
 * echoes_player_pipeline_set_frame_func:
 * @self: a #EchoesPlayerPipeline
 * @func: (nullable) (scope notified): called for every frame, on a streaming thread
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 */
void
echoes_player_pipeline_set_frame_func (EchoesPlayerPipeline  *self,
                                       EchoesPlayerFrameFunc  func,
                                       gpointer               user_data,
                                       GDestroyNotify         destroy)
{
  gpointer old_data;
  GDestroyNotify old_destroy;

  g_return_if_fail (ECHOES_IS_PLAYER_PIPELINE (self));

  g_mutex_lock (&self->frame_lock);
  old_data = self->frame_data;
  old_destroy = self->frame_destroy;
  self->frame_func = func;
  self->frame_data = user_data;
  self->frame_destroy = destroy;
  g_mutex_unlock (&self->frame_lock);

  if (old_destroy != NULL)
    old_destroy (old_data);
}

/**
 * echoes_player_pipeline_set_audio_sink:
 * @self: a #EchoesPlayerPipeline
 * @sink: (nullable) (transfer floating): the audio sink for the next load, or %NULL for
 *   the default (autoaudiosink)
 */
void
echoes_player_pipeline_set_audio_sink (EchoesPlayerPipeline *self,
                                       GstElement           *sink)
{
  g_return_if_fail (ECHOES_IS_PLAYER_PIPELINE (self));
  g_return_if_fail (!sink || GST_IS_ELEMENT (sink));

  if (sink != NULL)
    gst_object_ref_sink (sink);
  gst_clear_object (&self->audio_sink);
  self->audio_sink = sink;
}

/**
 * echoes_player_pipeline_get_crossfade:
 * @self: a #EchoesPlayerPipeline
 *
 * Returns: the crossfade between clips for the next load, in nanoseconds
 */
GstClockTime
echoes_player_pipeline_get_crossfade (EchoesPlayerPipeline *self)
{
  g_return_val_if_fail (ECHOES_IS_PLAYER_PIPELINE (self), 0);

  return self->crossfade;
}

/**
 * echoes_player_pipeline_set_crossfade:
 * @self: a #EchoesPlayerPipeline
 * @crossfade: the overlap between consecutive clips, 0 for cuts
 *
 * Sets #EchoesPlayerPipeline:crossfade, for the next load.
 */
void
echoes_player_pipeline_set_crossfade (EchoesPlayerPipeline *self,
                                      GstClockTime          crossfade)
{
  g_return_if_fail (ECHOES_IS_PLAYER_PIPELINE (self));
  g_return_if_fail (GST_CLOCK_TIME_IS_VALID (crossfade));

  if (self->crossfade != crossfade)
    {
      self->crossfade = crossfade;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CROSSFADE]);
    }
}

/**
 * echoes_player_pipeline_set_clip_durations:
 * @self: a #EchoesPlayerPipeline
 * @durations: (nullable) (array length=n_durations): per-clip durations (e.g. from "Fit
 *   Clips to Music"), %GST_CLOCK_TIME_NONE for a clip's own length; %NULL for every clip's
 *   own length
 * @n_durations: the length of @durations
 *
 * Cuts the clips of the next load to these durations (never longer than a clip), as
 * echoes_exporter_set_clip_durations() does for the export.
 */
void
echoes_player_pipeline_set_clip_durations (EchoesPlayerPipeline *self,
                                           const GstClockTime   *durations,
                                           guint                 n_durations)
{
  g_return_if_fail (ECHOES_IS_PLAYER_PIPELINE (self));
  g_return_if_fail (durations != NULL || n_durations == 0);

  g_clear_pointer (&self->durations, g_array_unref);
  if (durations != NULL && n_durations > 0)
    {
      self->durations = g_array_sized_new (FALSE, FALSE, sizeof (GstClockTime), n_durations);
      g_array_append_vals (self->durations, durations, n_durations);
    }
}

/**
 * echoes_player_pipeline_load_async:
 * @self: a #EchoesPlayerPipeline
 * @clips: (array zero-terminated=1): absolute paths of the clips, in order (one clip to
 *   play a single clip)
 * @music: (nullable) (array zero-terminated=1): absolute paths of the music tracks
 * @volume: the music's gain
 * @fade_out: the music's fade at the end of the film
 * @start_clip: the clip to start from
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the first frame (of @start_clip) is ready, paused
 * @user_data: data for @callback
 *
 * Replaces what the player had loaded, laid out with #EchoesPlayerPipeline:crossfade and
 * the durations of echoes_player_pipeline_set_clip_durations(). Bad music gives an
 * #ECHOES_MUSIC_ERROR.
 */
void
echoes_player_pipeline_load_async (EchoesPlayerPipeline *self,
                                   const char * const   *clips,
                                   const char * const   *music,
                                   double                volume,
                                   GstClockTime          fade_out,
                                   guint                 start_clip,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) assets_task = NULL;
  LoadData *data;

  g_return_if_fail (ECHOES_IS_PLAYER_PIPELINE (self));
  g_return_if_fail (clips != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  echoes_player_pipeline_unload (self);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_player_pipeline_load_async);

  if (clips[0] == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The film has no approved clips"));
      return;
    }

  self->load_task = g_object_ref (task);

  data = g_new0 (LoadData, 1);
  data->clips = g_strdupv ((GStrv) clips);
  data->music = music ? g_strdupv ((GStrv) music) : g_new0 (char *, 1);
  data->volume = volume;
  data->fade_out = fade_out;
  data->crossfade = self->crossfade;
  data->durations = self->durations ? g_array_ref (self->durations) : NULL;
  data->start_clip = start_clip;

  assets_task = g_task_new (self, cancellable, load_assets_cb, g_steal_pointer (&task));
  g_task_set_source_tag (assets_task, load_thread);
  g_task_set_task_data (assets_task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (assets_task, load_thread);
}

/**
 * echoes_player_pipeline_load_finish:
 * @self: a #EchoesPlayerPipeline
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Returns: %TRUE if the film is ready to play
 */
gboolean
echoes_player_pipeline_load_finish (EchoesPlayerPipeline  *self,
                                    GAsyncResult          *result,
                                    GError               **error)
{
  g_return_val_if_fail (ECHOES_IS_PLAYER_PIPELINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * echoes_player_pipeline_unload:
 * @self: a #EchoesPlayerPipeline
 *
 * Stops and forgets the film. A pending load fails with %G_IO_ERROR_CANCELLED.
 */
void
echoes_player_pipeline_unload (EchoesPlayerPipeline *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ECHOES_IS_PLAYER_PIPELINE (self));

  if ((task = g_steal_pointer (&self->load_task)))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Unloaded");

  g_clear_handle_id (&self->bus_watch, g_source_remove);

  if (self->pipeline != NULL)
    {
      /* Joins the streaming threads: no frame callback runs after this. */
      gst_element_set_state (GST_ELEMENT (self->pipeline), GST_STATE_NULL);
      gst_clear_object (&self->pipeline);
    }
  gst_clear_object (&self->timeline);
  g_array_set_size (self->starts, 0);

  set_playing (self, FALSE);
  if (self->loaded)
    {
      self->loaded = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LOADED]);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_DURATION]);
    }
}

gboolean
echoes_player_pipeline_get_loaded (EchoesPlayerPipeline *self)
{
  g_return_val_if_fail (ECHOES_IS_PLAYER_PIPELINE (self), FALSE);

  return self->loaded;
}

void
echoes_player_pipeline_play (EchoesPlayerPipeline *self)
{
  g_return_if_fail (ECHOES_IS_PLAYER_PIPELINE (self));

  if (!self->loaded)
    return;

  /* At the end: play again from the start. */
  if (echoes_player_pipeline_get_position (self) + GST_SECOND / 20 >=
      echoes_player_pipeline_get_duration (self))
    echoes_player_pipeline_seek (self, 0);

  gst_element_set_state (GST_ELEMENT (self->pipeline), GST_STATE_PLAYING);
  set_playing (self, TRUE);
}

void
echoes_player_pipeline_pause (EchoesPlayerPipeline *self)
{
  g_return_if_fail (ECHOES_IS_PLAYER_PIPELINE (self));

  if (!self->loaded)
    return;

  gst_element_set_state (GST_ELEMENT (self->pipeline), GST_STATE_PAUSED);
  set_playing (self, FALSE);
}

gboolean
echoes_player_pipeline_get_playing (EchoesPlayerPipeline *self)
{
  g_return_val_if_fail (ECHOES_IS_PLAYER_PIPELINE (self), FALSE);

  return self->playing;
}

/**
 * echoes_player_pipeline_seek:
 * @self: a #EchoesPlayerPipeline
 * @position: the film time to show
 *
 * Seeks to the exact frame, across clips. Playing or paused stays as it was; when
 * paused, the frame at @position is delivered.
 *
 * Returns: %TRUE if the seek was started
 */
gboolean
echoes_player_pipeline_seek (EchoesPlayerPipeline *self,
                             GstClockTime          position)
{
  g_return_val_if_fail (ECHOES_IS_PLAYER_PIPELINE (self), FALSE);

  if (!self->loaded)
    return FALSE;

  position = MIN (position, echoes_player_pipeline_get_duration (self));

  return gst_element_seek_simple (GST_ELEMENT (self->pipeline), GST_FORMAT_TIME,
                                  GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE,
                                  (gint64) position);
}

gboolean
echoes_player_pipeline_seek_to_clip (EchoesPlayerPipeline *self,
                                     guint                 clip)
{
  g_return_val_if_fail (ECHOES_IS_PLAYER_PIPELINE (self), FALSE);

  if (clip >= echoes_player_pipeline_get_n_clips (self))
    return FALSE;

  return echoes_player_pipeline_seek (self, echoes_player_pipeline_get_clip_start (self, clip));
}

GstClockTime
echoes_player_pipeline_get_position (EchoesPlayerPipeline *self)
{
  gint64 position = 0;

  g_return_val_if_fail (ECHOES_IS_PLAYER_PIPELINE (self), 0);

  if (self->pipeline == NULL ||
      !gst_element_query_position (GST_ELEMENT (self->pipeline), GST_FORMAT_TIME, &position) ||
      position < 0)
    return 0;

  return (GstClockTime) position;
}

GstClockTime
echoes_player_pipeline_get_duration (EchoesPlayerPipeline *self)
{
  g_return_val_if_fail (ECHOES_IS_PLAYER_PIPELINE (self), 0);

  if (self->starts->len == 0)
    return 0;

  return g_array_index (self->starts, GstClockTime, self->starts->len - 1);
}

guint
echoes_player_pipeline_get_n_clips (EchoesPlayerPipeline *self)
{
  g_return_val_if_fail (ECHOES_IS_PLAYER_PIPELINE (self), 0);

  return self->starts->len > 0 ? self->starts->len - 1 : 0;
}

/**
 * echoes_player_pipeline_get_clip_start:
 * @self: a #EchoesPlayerPipeline
 * @clip: a clip index, or the number of clips for the film's end
 *
 * Returns: where @clip starts in the film (the clip boundaries of the scrub bar)
 */
GstClockTime
echoes_player_pipeline_get_clip_start (EchoesPlayerPipeline *self,
                                       guint                 clip)
{
  g_return_val_if_fail (ECHOES_IS_PLAYER_PIPELINE (self), 0);
  g_return_val_if_fail (clip < self->starts->len, 0);

  return g_array_index (self->starts, GstClockTime, clip);
}

/**
 * echoes_player_pipeline_get_clip_at:
 * @self: a #EchoesPlayerPipeline
 * @position: a film time
 *
 * Returns: the index of the clip shown at @position
 */
guint
echoes_player_pipeline_get_clip_at (EchoesPlayerPipeline *self,
                                    GstClockTime          position)
{
  guint n;

  g_return_val_if_fail (ECHOES_IS_PLAYER_PIPELINE (self), 0);

  n = echoes_player_pipeline_get_n_clips (self);
  for (guint i = 1; i < n; i++)
    if (position < g_array_index (self->starts, GstClockTime, i))
      return i - 1;

  return n > 0 ? n - 1 : 0;
}
