/* echoes-player-pipeline.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-player-pipeline"

#include "config.h"

#include "echoes-player-pipeline.h"

#include <string.h>
#include <gst/app/app.h>
/* GES 1.22's headers have const-qualified return types (-Wignored-qualifiers). */
#include <ges/ges.h>
#include <glib/gi18n.h>

#include "echoes-film-timeline.h"
#include "echoes-music.h"
#include "echoes-uri-renewer.h"

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
 * echoes_player_pipeline_load_async(); file discovery runs on a worker thread. */

/* Renewals in a row at about the same position before giving up. */
#define MAX_RENEWALS 3

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

  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LOADED]);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_DURATION]);
    }
  g_task_return_boolean (task, TRUE);
}

/* Stops and drops the GES pipeline and its bus watch; the clip starts stay. */
static void
teardown (EchoesPlayerPipeline *self)
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

static gboolean
has_remote_sources (EchoesPlayerPipeline *self)
{
  for (guint i = 0; self->sources != NULL && self->sources[i] != NULL; i++)
    if (echoes_uri_is_remote (self->sources[i]))
      return TRUE;
  return FALSE;
}

/* Replaces every streamed clip's URI in @text by its file name. */
static char *
redact (EchoesPlayerPipeline *self,
        const char           *text)
{
  g_autoptr(GString) string = g_string_new (text ? text : "");

  for (guint i = 0; self->sources != NULL && self->sources[i] != NULL; i++)
    if (echoes_uri_is_remote (self->sources[i]))
      {
        g_autofree char *name = echoes_uri_display_name (self->sources[i]);

        g_string_replace (string, self->sources[i], name, 0);
      }

  /* Whatever is left of a query (a token) goes too. */
  for (char *q = strchr (string->str, '?'); q != NULL; q = strchr (q + 1, '?'))
    if (strstr (q, "token=") == q + 1)
      {
        gsize end = strcspn (q, " \t\n)\"'");
        g_string_erase (string, q - string->str, end);
        q = string->str;
      }

  return g_string_free (g_steal_pointer (&string), FALSE);
}

/* An HTTP source refused by the server: 400 (a signed URL past its expiry, as Supabase
 * Storage answers), 401 or 403. souphttpsrc posts the status in the error's details. */
static gboolean
is_refused (GstMessage   *message,
            const GError *error)
{
  const GstStructure *details = NULL;
  guint status = 0;

  if (error->domain != GST_RESOURCE_ERROR)
    return FALSE;

  gst_message_parse_error_details (message, &details);
  if (details != NULL && gst_structure_get_uint (details, "http-status-code", &status))
    return status == 400 || status == 401 || status == 403;

  return error->code == GST_RESOURCE_ERROR_NOT_AUTHORIZED;
}

/* The clip whose URI the message's source element reads, or -1. */
static int
clip_of_source (EchoesPlayerPipeline *self,
                GstObject            *source)
{
  g_autofree char *uri = NULL;

  if (source == NULL || !GST_IS_URI_HANDLER (source) ||
      !(uri = gst_uri_handler_get_uri (GST_URI_HANDLER (source))))
    return -1;

  for (guint i = 0; self->sources != NULL && self->sources[i] != NULL; i++)
    if (g_strcmp0 (self->sources[i], uri) == 0)
      return (int) i;

  return -1;
}

static void start_load (EchoesPlayerPipeline *self,
                        guint                 start_clip,
                        GstClockTime          start_position);
static gboolean renew (EchoesPlayerPipeline *self,
                       int                   clip,
                       GstClockTime          position);

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
              g_mutex_lock (&self->frame_lock);
              self->hold_frames = FALSE;
              g_mutex_unlock (&self->frame_lock);
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

        /* A streamed clip's URL expired: get a new one and go on from here. */
        if (is_refused (message, gst_error) &&
            renew (self, clip_of_source (self, GST_MESSAGE_SRC (message)),
                   echoes_player_pipeline_get_position (self)))
          break;

        if (has_remote_sources (self))
          {
            /* souphttpsrc's debug text quotes the URL: never logged. */
            g_autofree char *text = redact (self, gst_error->message);

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
        set_playing (self, FALSE);
        self->recovering = FALSE;

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
      /* A streamed clip was refused before playing (its URL expired): which one is not
       * known here, so every streamed clip gets a new URL. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) &&
          renew (self, -1, GST_CLOCK_TIME_IS_VALID (data->start_position)
                           ? data->start_position : self->resume_position))
        {
          g_error_free (error);
          return;
        }
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
    finish_load (self, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                    _("The film cannot be played")));
}

/* Discovers the clips of self->sources (and the music) and builds the film for
 * self->load_task. */
static void
start_load (EchoesPlayerPipeline *self,
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

/* The film rebuilt after a renewal (no load of the caller's was pending). */
static void
recovered_cb (GObject      *object,
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
      teardown (self);
      set_playing (self, FALSE);
      g_signal_emit (self, signals [ERROR], 0, error);
      return;
    }

  self->recovering = FALSE;
  g_debug ("Streaming again from %" GST_TIME_FORMAT, GST_TIME_ARGS (self->resume_position));
  if (self->resume_playing)
    gst_element_set_state (GST_ELEMENT (self->pipeline), GST_STATE_PLAYING);
  set_playing (self, self->resume_playing);
}

static void renew_next (EchoesPlayerPipeline *self);

static void
renewed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(EchoesPlayerPipeline) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  guint clip;

  uri = echoes_uri_renewer_renew_finish (ECHOES_URI_RENEWER (object), result, &error);
  if (self->to_renew == NULL || self->load_task == NULL)
    return;  /* unloaded meanwhile */

  clip = g_array_index (self->to_renew, guint, 0);
  g_array_remove_index (self->to_renew, 0);

  if (uri == NULL || !echoes_uri_is_remote (uri))
    {
      g_autofree char *name = echoes_uri_display_name (self->sources[clip]);

      g_debug ("No new URL for clip %u: %s", clip, error ? error->message : "not a URL");
      g_clear_pointer (&self->to_renew, g_array_unref);
      finish_load (self, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                      _("“%s” cannot be streamed any more"), name));
      return;
    }

  g_free (self->sources[clip]);
  self->sources[clip] = g_steal_pointer (&uri);
  renew_next (self);
}

static void
renew_next (EchoesPlayerPipeline *self)
{
  if (self->to_renew->len > 0)
    {
      echoes_uri_renewer_renew_async (self->renewer, g_array_index (self->to_renew, guint, 0),
                                      self->renew_cancellable, renewed_cb, g_object_ref (self));
      return;
    }

  g_clear_pointer (&self->to_renew, g_array_unref);
  if (!self->loaded && !self->recovering)
    /* The caller's load: from its first clip again. */
    start_load (self, self->start_clip, GST_CLOCK_TIME_NONE);
  else
    start_load (self, 0, self->resume_position);
}

/* The server refused streamed clip @clip (-1: any streamed clip) at @position: asks the
 * renewer for new URIs, then builds the film again from @position, for the pending load
 * or, once loaded, for an internal one (the caller sees a stall, not an unload).
 * Returns FALSE when nothing can be renewed: the failure stands. */
static gboolean
renew (EchoesPlayerPipeline *self,
       int                   clip,
       GstClockTime          position)
{
  g_autoptr(GArray) clips = NULL;

  if (self->renewer == NULL || self->sources == NULL || self->to_renew != NULL)
    return FALSE;

  if (!GST_CLOCK_TIME_IS_VALID (position))
    position = 0;

  /* Give up when the new URLs are refused again at the same place. */
  if (self->renewals > 0 &&
      (position > self->renew_position ? position - self->renew_position
                                       : self->renew_position - position) < GST_SECOND)
    {
      if (self->renewals >= MAX_RENEWALS)
        return FALSE;
      self->renewals++;
    }
  else
    self->renewals = 1;
  self->renew_position = position;

  clips = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; self->sources[i] != NULL; i++)
    if (echoes_uri_is_remote (self->sources[i]) && (clip < 0 || (guint) clip == i))
      g_array_append_val (clips, i);
  if (clips->len == 0)
    return FALSE;

  g_debug ("A streamed clip was refused at %" GST_TIME_FORMAT ": renewing %u URL(s)",
           GST_TIME_ARGS (position), clips->len);

  if (self->load_task == NULL)
    {
      /* Playing or paused: carry on as it was once rebuilt. */
      self->recovering = TRUE;
      self->resume_playing = self->playing;
      self->load_task = g_task_new (self, NULL, recovered_cb, NULL);
      g_task_set_source_tag (self->load_task, renew);
    }
  self->resume_position = position;
  self->pending_seek = GST_CLOCK_TIME_NONE;

  teardown (self);

  if (self->renew_cancellable == NULL)
    self->renew_cancellable = g_cancellable_new ();
  self->to_renew = g_steal_pointer (&clips);
  renew_next (self);

  return TRUE;
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

  start_load (self, start_clip, GST_CLOCK_TIME_NONE);
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

  teardown (self);
  g_array_set_size (self->starts, 0);
  g_clear_pointer (&self->sources, g_strfreev);
  g_clear_pointer (&self->music, g_strfreev);
  g_mutex_lock (&self->frame_lock);
  self->last_position = GST_CLOCK_TIME_NONE;
  g_mutex_unlock (&self->frame_lock);

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

  if (self->recovering)
    {
      self->resume_playing = TRUE;
      set_playing (self, TRUE);
      return;
    }

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

  if (self->recovering)
    {
      self->resume_playing = FALSE;
      set_playing (self, FALSE);
      return;
    }

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

  if (self->recovering)
    {
      /* Taken up once the film is built again. */
      self->resume_position = position;
      if (GST_CLOCK_TIME_IS_VALID (self->pending_seek))
        self->pending_seek = position;
      if (GST_CLOCK_TIME_IS_VALID (self->pending_seek) || self->pipeline == NULL)
        return TRUE;
    }

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

  if (self->recovering)
    return self->resume_position;

  if (self->pipeline == NULL ||
      !gst_element_query_position (GST_ELEMENT (self->pipeline), GST_FORMAT_TIME, &position) ||
      position < 0)
    {
      GstClockTime last;

      /* In an error, the query may fail: the last frame shown says where. */
      g_mutex_lock (&self->frame_lock);
      last = self->last_position;
      g_mutex_unlock (&self->frame_lock);
      return self->pipeline != NULL && GST_CLOCK_TIME_IS_VALID (last) ? last : 0;
    }

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
