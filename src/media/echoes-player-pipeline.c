/* echoes-player-pipeline.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-player-pipeline"

#include "config.h"

#include "echoes-player-pipeline.h"

#include <glib/gi18n.h>

#include "echoes-player-pipeline-private.h"

/* Plays one clip or the film (approved clips + music) without GTK: the film's GES
 * timeline (shared with the exporter, laid out with the same crossfade and per-clip
 * durations as the export) in a GESPipeline in preview mode. The clips are
 * one nlecomposition, which prepares the next clip's decoder before the cut, so clips
 * follow each other without a black frame or a stall, and the music plays on the same
 * clock. Seeking works across clips. Frames leave through an RGBA appsink to a
 * callback (see docs/media.md, section 3).
 *
 * A clip may be an `http://` or `https://` URI (a signed URL: streamed by souphttpsrc).
 * When the server refuses it (HTTP 400/401/403: the URL expired) while loading or
 * playing, the player asks its EchoesUriRenewer for a new URI, builds the film again and
 * carries on from the same position, playing or paused as it was: a short stall. URIs
 * are secrets: no message or log of the player quotes them.
 *
 * Everything but the frame callback runs on the main context that called
 * echoes_player_pipeline_load_async(); file discovery runs on a worker thread.
 *
 * This file holds the object, its bus and its settings and loads; the other pieces
 * (loading, playback, renewal) are listed in echoes-player-pipeline-private.h. */

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

void
_echoes_player_pipeline_set_playing (EchoesPlayerPipeline *self,
                                     gboolean              playing)
{
  playing = !!playing;

  if (self->playing != playing)
    {
      self->playing = playing;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PLAYING]);
    }
}

void
_echoes_player_pipeline_finish_load (EchoesPlayerPipeline *self,
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

  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LOADED]);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_DURATION]);
    }
  g_task_return_boolean (task, TRUE);
}

/* Stops and drops the GES pipeline and its bus watch; the clip starts stay. */
void
_echoes_player_pipeline_teardown (EchoesPlayerPipeline *self)
{
  g_clear_handle_id (&self->bus_watch, g_source_remove);

  if (self->pipeline != NULL)
    {
      /* Joins the streaming threads: no frame callback runs after this. */
      gst_element_set_state (GST_ELEMENT (self->pipeline), GST_STATE_NULL);
      gst_clear_object (&self->pipeline);
    }
  gst_clear_object (&self->timeline);

  g_mutex_lock (&self->frame_lock);
  self->hold_frames = FALSE;
  g_mutex_unlock (&self->frame_lock);
}

gboolean
_echoes_player_pipeline_bus_cb (GstBus     *bus,
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
              g_mutex_lock (&self->frame_lock);
              self->hold_frames = FALSE;
              g_mutex_unlock (&self->frame_lock);
              if (gst_element_seek_simple (GST_ELEMENT (self->pipeline), GST_FORMAT_TIME,
                                           GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE,
                                           (gint64) position))
                break;
            }

          _echoes_player_pipeline_finish_load (self, NULL);
        }
      break;

    case GST_MESSAGE_EOS:
      g_debug ("End of film");
      _echoes_player_pipeline_set_playing (self, FALSE);
      g_signal_emit (self, signals [EOS], 0);
      break;

    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) gst_error = NULL;
        g_autofree char *debug = NULL;
        GError *error;

        gst_message_parse_error (message, &gst_error, &debug);

        /* A streamed clip's URL expired: get a new one and go on from here. */
        if (_echoes_player_pipeline_is_refused (message, gst_error) &&
            _echoes_player_pipeline_renew (self,
                                           _echoes_player_pipeline_clip_of_source (
                                             self, GST_MESSAGE_SRC (message)),
                                           echoes_player_pipeline_get_position (self)))
          break;

        if (_echoes_player_pipeline_has_remote_sources (self))
          {
            /* souphttpsrc's debug text quotes the URL: never logged. */
            g_autofree char *text = _echoes_player_pipeline_redact (self, gst_error->message);

            g_warning ("Playback failed: %s", text);
            error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                 _("The film cannot be played: %s"), text);
          }
        else
          {
            g_warning ("Playback failed: %s (%s)", gst_error->message, debug ? debug : "");
            error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                 _("The film cannot be played: %s"), gst_error->message);
          }

        gst_element_set_state (GST_ELEMENT (self->pipeline), GST_STATE_NULL);
        _echoes_player_pipeline_set_playing (self, FALSE);
        self->recovering = FALSE;

        if (self->load_task != NULL)
          {
            _echoes_player_pipeline_finish_load (self, error);
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

/* The film rebuilt after a renewal (no load of the caller's was pending). */
void
_echoes_player_pipeline_recovered_cb (GObject      *object,
                                      GAsyncResult *result,
                                      gpointer      user_data)
{
  EchoesPlayerPipeline *self = ECHOES_PLAYER_PIPELINE (object);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->recovering = FALSE;
      _echoes_player_pipeline_teardown (self);
      _echoes_player_pipeline_set_playing (self, FALSE);
      g_signal_emit (self, signals [ERROR], 0, error);
      return;
    }

  self->recovering = FALSE;
  g_debug ("Streaming again from %" GST_TIME_FORMAT, GST_TIME_ARGS (self->resume_position));
  if (self->resume_playing)
    gst_element_set_state (GST_ELEMENT (self->pipeline), GST_STATE_PLAYING);
  _echoes_player_pipeline_set_playing (self, self->resume_playing);
}

static void
echoes_player_pipeline_dispose (GObject *object)
{
  EchoesPlayerPipeline *self = (EchoesPlayerPipeline *)object;

  echoes_player_pipeline_unload (self);
  echoes_player_pipeline_set_frame_func (self, NULL, NULL, NULL);
  gst_clear_object (&self->audio_sink);
  g_clear_object (&self->renewer);

  G_OBJECT_CLASS (echoes_player_pipeline_parent_class)->dispose (object);
}

static void
echoes_player_pipeline_finalize (GObject *object)
{
  EchoesPlayerPipeline *self = (EchoesPlayerPipeline *)object;

  g_clear_pointer (&self->starts, g_array_unref);
  g_clear_pointer (&self->durations, g_array_unref);
  g_clear_pointer (&self->sources, g_strfreev);
  g_clear_pointer (&self->music, g_strfreev);
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
  self->resume_position = 0;
  self->last_position = GST_CLOCK_TIME_NONE;
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
 * echoes_player_pipeline_set_renewer:
 * @self: a #EchoesPlayerPipeline
 * @renewer: (nullable): what gives new URIs for streamed clips the server refuses, or
 *   %NULL: a refused clip stops playback with #EchoesPlayerPipeline::error
 *
 * Clip indices given to @renewer are those of the clips of the current load.
 */
void
echoes_player_pipeline_set_renewer (EchoesPlayerPipeline *self,
                                    EchoesUriRenewer     *renewer)
{
  g_return_if_fail (ECHOES_IS_PLAYER_PIPELINE (self));
  g_return_if_fail (!renewer || ECHOES_IS_URI_RENEWER (renewer));

  g_set_object (&self->renewer, renewer);
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
 *   play a single clip); a clip may be an `http://` or `https://` URI instead, streamed
 *   (see echoes_player_pipeline_set_renewer())
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

  self->load_task = g_steal_pointer (&task);
  self->sources = g_strdupv ((GStrv) clips);
  self->music = music ? g_strdupv ((GStrv) music) : NULL;
  self->volume = volume;
  self->fade_out = fade_out;
  self->renewals = 0;
  self->resume_position = 0;
  self->start_clip = start_clip;

  _echoes_player_pipeline_start_load (self, start_clip, GST_CLOCK_TIME_NONE);
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

  g_cancellable_cancel (self->renew_cancellable);
  g_clear_object (&self->renew_cancellable);
  g_clear_pointer (&self->to_renew, g_array_unref);
  self->recovering = FALSE;

  if ((task = g_steal_pointer (&self->load_task)))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Unloaded");

  _echoes_player_pipeline_teardown (self);
  g_array_set_size (self->starts, 0);
  g_clear_pointer (&self->sources, g_strfreev);
  g_clear_pointer (&self->music, g_strfreev);
  g_mutex_lock (&self->frame_lock);
  self->last_position = GST_CLOCK_TIME_NONE;
  g_mutex_unlock (&self->frame_lock);

  _echoes_player_pipeline_set_playing (self, FALSE);
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
