/* echoes-film-timeline.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-film-timeline"

#include "config.h"

#include <sys/syscall.h>
#include <unistd.h>

#include "echoes-film-timeline.h"

#include <string.h>
#include <gst/controller/controller.h>
#include <glib/gi18n.h>

#include "echoes-music.h"
#include "echoes-uri-renewer.h"

/* The film as a GES timeline, shared by the player (preview) and the exporter (render
 * and smart render), so that what plays is what gets exported:
 *   layer 0: the clips, video only, back to back (overlapping by the crossfade, with
 *            auto-transitions making the crossfades);
 *   layer 1: the music tracks, audio only, back to back from 0, the last one cut at the
 *            film's end, with the volume and a linear fade-out.
 * The audio track is restricted to 48 kHz stereo, so every track is resampled once to
 * the same rate before mixing: 44.1 and 48 kHz tracks follow each other without a click
 * or drift. GES fills the time after the music with silence.
 *
 * GES timelines must be used from the thread that created them: build and run them on
 * the same thread. Asset requests (file discovery) may run on any thread. */

void
echoes_film_settings_init (EchoesFilmSettings *settings)
{
  g_return_if_fail (settings != NULL);

  memset (settings, 0, sizeof *settings);
  settings->mixing = TRUE;
  settings->volume = 1.0;
  settings->fade_out = ECHOES_MUSIC_DEFAULT_FADE_OUT;
}

/* GES discovers a file on the main context: ges_uri_clip_asset_request_sync() runs a
 * loop on the global default context, so called from a worker thread it would steal
 * the main thread's context and dispatch the main thread's sources (a crash in the
 * discoverer was seen). So the requests are made asynchronously on the main context
 * and the worker waits for them. */
typedef struct
{
  GMutex      lock;
  GCond       cond;
  char      **uris;
  GPtrArray  *assets;     /* one slot per uri */
  GError     *error;      /* the first failure */
  guint       remaining;
  gboolean    done;
} Request;

/* the slots of failed requests stay empty */
static void
unref_if_set (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

static void
request_finish (Request *request)
{
  g_mutex_lock (&request->lock);
  if (--request->remaining == 0)
    {
      request->done = TRUE;
      g_cond_signal (&request->cond);
    }
  g_mutex_unlock (&request->lock);
}

static void
asset_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GError) error = NULL;
  GESAsset *asset = ges_asset_request_finish (result, &error);
  const char *uri = ges_asset_get_id (GES_ASSET (object));

  g_mutex_lock (&request->lock);
  for (guint i = 0; request->uris[i]; i++)
    if (asset != NULL && g_strcmp0 (request->uris[i], uri) == 0 &&
        g_ptr_array_index (request->assets, i) == NULL)
      {
        g_ptr_array_index (request->assets, i) = g_object_ref (asset);
        break;
      }
  if (asset == NULL && request->error == NULL)
    {
      g_autofree char *path = g_filename_from_uri (uri, NULL, NULL);
      g_autofree char *display = echoes_uri_display_name (path ? path : uri);

      if (echoes_uri_is_remote (uri))
        /* A streamed clip: the server's refusal (an expired signed URL) is
         * G_IO_ERROR_PERMISSION_DENIED, so the player can ask for a new URL; no message
         * that could quote the URL. */
        g_set_error (&request->error, G_IO_ERROR,
                     error != NULL && error->domain == GST_RESOURCE_ERROR
                     ? G_IO_ERROR_PERMISSION_DENIED : G_IO_ERROR_INVALID_DATA,
                     _("“%s” cannot be streamed"), display);
      else
        g_set_error (&request->error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("“%s” cannot be played: %s"), display,
                     error ? error->message : _("unknown error"));
    }
  g_mutex_unlock (&request->lock);
  g_clear_object (&asset);

  request_finish (request);
}

static gboolean
start_requests (gpointer user_data)
{
  Request *request = user_data;

  for (guint i = 0; request->uris[i]; i++)
    ges_asset_request_async (GES_TYPE_URI_CLIP, request->uris[i], NULL, asset_ready_cb, request);

  return G_SOURCE_REMOVE;
}

/**
 * echoes_film_request_assets:
 * @paths: (array zero-terminated=1): absolute paths of media files, or `http://` /
 *   `https://` URIs (streamed; a refused URI fails with %G_IO_ERROR_PERMISSION_DENIED)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Discovers the files for GES. Blocks: call it on a worker thread while the main
 * context runs, or on the thread that owns the main context (it is iterated meanwhile).
 *
 * Returns: (transfer container) (element-type GESUriClipAsset): the assets, in order
 */
GPtrArray *
echoes_film_request_assets (const char * const  *paths,
                            GCancellable        *cancellable,
                            GError             **error)
{
  g_autoptr(GPtrArray) assets = NULL;
  GMainContext *main_context = g_main_context_default ();
  Request request = { 0 };
  guint n = g_strv_length ((char **)paths);

  g_return_val_if_fail (paths != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* ges_init() expects GStreamer to be initialised already. */
  gst_init (NULL, NULL);
  ges_init ();

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (n == 0)
    return g_ptr_array_new_with_free_func (g_object_unref);

  request.uris = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (echoes_uri_is_remote (paths[i]))
        {
          request.uris[i] = g_strdup (paths[i]);
          continue;
        }

      if (!(request.uris[i] = gst_filename_to_uri (paths[i], &local_error)))
        {
          g_autofree char *display = g_filename_display_basename (paths[i]);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("“%s” cannot be played: %s"), display, local_error->message);
          g_strfreev (request.uris);
          return NULL;
        }
    }

  g_mutex_init (&request.lock);
  g_cond_init (&request.cond);
  request.assets = g_ptr_array_new_full (n, unref_if_set);
  g_ptr_array_set_size (request.assets, n);
  request.remaining = n;

  if ((pid_t)syscall (SYS_gettid) == getpid ())
    {
      /* The main thread (the CLI, a test) calls this while nothing else iterates its
       * context: iterate it here until the requests are done. */
      g_main_context_acquire (main_context);
      start_requests (&request);
      while (!request.done)
        g_main_context_iteration (main_context, TRUE);
      g_main_context_release (main_context);
    }
  else
    {
      /* A worker: the main thread's loop runs the requests. */
      g_main_context_invoke (main_context, start_requests, &request);
      g_mutex_lock (&request.lock);
      while (!request.done)
        g_cond_wait (&request.cond, &request.lock);
      g_mutex_unlock (&request.lock);
    }

  assets = g_steal_pointer (&request.assets);
  g_strfreev (request.uris);
  g_mutex_clear (&request.lock);
  g_cond_clear (&request.cond);

  if (request.error != NULL)
    {
      g_propagate_error (error, request.error);
      return NULL;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  return g_steal_pointer (&assets);
}

#define MIN_GAIN 1e-6

static GstCaps *
first_clip_caps (GESUriClipAsset *asset)
{
  GstDiscovererInfo *info = ges_uri_clip_asset_get_info (asset);
  GstCaps *caps = NULL;
  GList *video;

  if (info == NULL || !(video = gst_discoverer_info_get_video_streams (info)))
    return NULL;

  caps = gst_caps_new_simple ("video/x-raw",
                              "width", G_TYPE_INT,
                              (int) gst_discoverer_video_info_get_width (video->data),
                              "height", G_TYPE_INT,
                              (int) gst_discoverer_video_info_get_height (video->data),
                              NULL);
  if (gst_discoverer_video_info_get_framerate_num (video->data) > 0)
    gst_caps_set_simple (caps, "framerate", GST_TYPE_FRACTION,
                         (int) gst_discoverer_video_info_get_framerate_num (video->data),
                         (int) gst_discoverer_video_info_get_framerate_denom (video->data),
                         NULL);
  gst_discoverer_stream_info_list_free (video);

  return caps;
}

static void
set_fade (GESTrackElement *element,
          GstClockTime     start,
          GstClockTime     inpoint,
          GstClockTime     end,
          GstClockTime     film_end,
          GstClockTime     fade,
          double           volume)
{
  g_autoptr(GstControlSource) source = NULL;
  GstTimedValueControlSource *tv;
  GstClockTime fade_start = film_end - fade;
  GstClockTime t0 = MAX (start, fade_start);

  /* Points are kept above 0: the linear interpolation can round the end of a ramp to
   * 0 to a tiny negative value, which the volume property rejects. 1e-6 is -120 dB. */
  source = gst_interpolation_control_source_new ();
  g_object_set (source, "mode", GST_INTERPOLATION_MODE_LINEAR, NULL);
  tv = GST_TIMED_VALUE_CONTROL_SOURCE (source);

  /* Control source times are the element's internal (media) time. */
  if (t0 > start)
    gst_timed_value_control_source_set (tv, inpoint, MAX (volume, MIN_GAIN));
  gst_timed_value_control_source_set (tv, t0 - start + inpoint,
                                      MAX (volume * (double) (film_end - t0) / (double) fade,
                                           MIN_GAIN));
  gst_timed_value_control_source_set (tv, end - start + inpoint,
                                      MAX (volume * (double) (film_end - end) / (double) fade,
                                           MIN_GAIN));

  ges_track_element_set_control_source (element, source, "volume", "direct-absolute");
}

static gboolean
add_music (GESTimeline               *timeline,
           GPtrArray                 *music_assets,
           GstClockTime               film_end,
           const EchoesFilmSettings  *settings,
           GError                   **error)
{
  GESLayer *layer = ges_timeline_append_layer (timeline);
  GstClockTime start = 0;
  GstClockTime fade = MIN (settings->fade_out, film_end);

  for (guint i = 0; i < music_assets->len && start < film_end; i++)
    {
      GESAsset *asset = g_ptr_array_index (music_assets, i);
      GstClockTime duration = ges_uri_clip_asset_get_duration (GES_URI_CLIP_ASSET (asset));
      GstClockTime end;
      GESClip *clip;
      GList *elements;

      if (!GST_CLOCK_TIME_IS_VALID (duration) || duration == 0)
        continue;

      end = MIN (start + duration, film_end);
      clip = ges_layer_add_asset (layer, asset, start, 0, end - start, GES_TRACK_TYPE_AUDIO);
      if (clip == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("The music cannot be added to the film"));
          return FALSE;
        }

      elements = ges_clip_find_track_elements (clip, NULL, GES_TRACK_TYPE_AUDIO, G_TYPE_NONE);
      for (GList *l = elements; l != NULL; l = l->next)
        {
          if (fade > 0 && end > film_end - fade)
            set_fade (l->data, start, 0, end, film_end, fade, settings->volume);
          else
            ges_timeline_element_set_child_properties (l->data, "volume", settings->volume,
                                                       NULL);
        }
      g_list_free_full (elements, g_object_unref);

      start = end;
    }

  return TRUE;
}

/**
 * echoes_film_timeline_new:
 * @clip_assets: (element-type GESUriClipAsset): the clips, in film order
 * @durations: (nullable) (array): per-clip durations, or %NULL for their natural length
 *   (a duration longer than the clip is cut to the clip's length)
 * @music_assets: (nullable) (element-type GESUriClipAsset): music tracks, in order
 * @settings: the layout
 * @clip_starts: (nullable) (element-type GstClockTime): filled with each clip's start,
 *   then the film's end
 * @error: return location for an error
 *
 * Returns: (transfer full): a committed timeline, or %NULL with @error set
 */
GESTimeline *
echoes_film_timeline_new (GPtrArray                 *clip_assets,
                          const GstClockTime        *durations,
                          GPtrArray                 *music_assets,
                          const EchoesFilmSettings  *settings,
                          GArray                    *clip_starts,
                          GError                   **error)
{
  g_autoptr(GESTimeline) timeline = NULL;
  GESTrack *video;
  GESTrack *audio;
  GESLayer *layer;
  GstClockTime start = 0;
  GstClockTime end = 0;

  g_return_val_if_fail (clip_assets != NULL, NULL);
  g_return_val_if_fail (settings != NULL, NULL);

  /* ges_init() expects GStreamer to be initialised already. */
  gst_init (NULL, NULL);
  ges_init ();

  if (clip_assets->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The film has no approved clips"));
      return NULL;
    }

  timeline = g_object_ref_sink (ges_timeline_new ());

  video = GES_TRACK (ges_video_track_new ());
  if (settings->width > 0 && settings->height > 0)
    {
      g_autoptr(GstCaps) caps = NULL;

      /* I420 all the way from the decoders to the encoder: GES would otherwise mix in
       * AYUV and convert every frame twice. */
      caps = gst_caps_new_simple ("video/x-raw",
                                  "format", G_TYPE_STRING, "I420",
                                  "width", G_TYPE_INT, (int) settings->width,
                                  "height", G_TYPE_INT, (int) settings->height,
                                  NULL);
      if (settings->fps_n > 0)
        gst_caps_set_simple (caps, "framerate", GST_TYPE_FRACTION,
                             settings->fps_n, MAX (settings->fps_d, 1), NULL);
      ges_track_set_restriction_caps (video, caps);
    }
  else if (settings->mixing)
    {
      /* GES composes at 1280×720 unless told otherwise: keep the first clip's size. */
      g_autoptr(GstCaps) caps = first_clip_caps (g_ptr_array_index (clip_assets, 0));

      if (caps != NULL)
        ges_track_set_restriction_caps (video, caps);
    }

  audio = GES_TRACK (ges_audio_track_new ());
  {
    g_autoptr(GstCaps) caps = gst_caps_new_simple ("audio/x-raw",
                                                   "rate", G_TYPE_INT, ECHOES_MUSIC_RATE,
                                                   "channels", G_TYPE_INT, ECHOES_MUSIC_CHANNELS,
                                                   NULL);
    ges_track_set_restriction_caps (audio, caps);
  }

  /* Without mixing, GES smart rendering copies the video; with it, it re-encodes. The
   * audio is always encoded, and keeps its mixer: without one, GES stalls at the change
   * from one music track (or the silence after the music) to the next. */
  ges_track_set_mixing (video, settings->mixing);

  if (!ges_timeline_add_track (timeline, video) || !ges_timeline_add_track (timeline, audio))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot add tracks to the timeline");
      return NULL;
    }

  layer = ges_timeline_append_layer (timeline);
  if (settings->crossfade > 0)
    ges_layer_set_auto_transition (layer, TRUE);

  for (guint i = 0; i < clip_assets->len; i++)
    {
      GESAsset *asset = g_ptr_array_index (clip_assets, i);
      GstClockTime natural = ges_uri_clip_asset_get_duration (GES_URI_CLIP_ASSET (asset));
      GstClockTime duration = natural;
      GstClockTime overlap;

      if (durations != NULL && GST_CLOCK_TIME_IS_VALID (durations[i]) && durations[i] > 0)
        duration = MIN (durations[i], natural);

      if (i > 0)
        {
          /* A crossfade can't be longer than half of either clip. */
          overlap = MIN (settings->crossfade, MIN (duration, end - start) / 2);
          start = end - overlap;
        }

      if (clip_starts != NULL)
        g_array_append_val (clip_starts, start);

      if (!ges_layer_add_asset (layer, asset, start, 0, duration, GES_TRACK_TYPE_VIDEO))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("Clip %u cannot be added to the film"), i + 1);
          return NULL;
        }

      end = start + duration;
    }

  if (clip_starts != NULL)
    g_array_append_val (clip_starts, end);

  if (music_assets != NULL && music_assets->len > 0 &&
      !add_music (timeline, music_assets, end, settings, error))
    return NULL;

  ges_timeline_commit (timeline);

  g_debug ("Film of %u clips, %" GST_TIME_FORMAT, clip_assets->len, GST_TIME_ARGS (end));

  return g_steal_pointer (&timeline);
}
