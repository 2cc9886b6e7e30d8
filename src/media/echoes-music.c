/* echoes-music.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-music"

#include "config.h"

#include "echoes-music.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gst/pbutils/pbutils.h>
#include <glib/gi18n.h>

#include "echoes-media-util.h"

/* The `music` column of a project holds a GVariant in text form, type a{sv}:
 *
 *   {'version': <uint32 1>,
 *    'tracks': <['music/intro.ogg', '/home/me/Music/b.mp3']>,
 *    'volume': <0.80000000000000004>,
 *    'fade-out': <int64 2000000>,                         (microseconds)
 *    'durations': <{'clip-id-1': int64 4500000, ...}>}    (microseconds)
 *
 * Unknown keys are ignored so newer versions can add some. A value that is not a
 * GVariant (the column used to hold a bare path) is read as a single track.
 */
#define FORMAT_VERSION 1

#define PROBE_TIMEOUT (10 * GST_SECOND)

G_DEFINE_QUARK (echoes-music-error-quark, echoes_music_error)
G_DEFINE_BOXED_TYPE (EchoesMusic, echoes_music, echoes_music_copy, echoes_music_free)
G_DEFINE_BOXED_TYPE (EchoesMusicTrack, echoes_music_track,
                     echoes_music_track_copy, echoes_music_track_free)

/**
 * echoes_music_new:
 *
 * Returns: (transfer full): settings without tracks, volume 1.0 and the default fade-out
 */
EchoesMusic *
echoes_music_new (void)
{
  EchoesMusic *self = g_new0 (EchoesMusic, 1);

  self->tracks = g_new0 (char *, 1);
  self->volume = 1.0;
  self->fade_out = ECHOES_MUSIC_DEFAULT_FADE_OUT;
  self->durations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  return self;
}

/**
 * echoes_music_copy:
 * @self: a #EchoesMusic
 *
 * Returns: (transfer full): a deep copy
 */
EchoesMusic *
echoes_music_copy (const EchoesMusic *self)
{
  EchoesMusic *copy;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (self != NULL, NULL);

  copy = echoes_music_new ();
  g_strfreev (copy->tracks);
  copy->tracks = g_strdupv (self->tracks);
  copy->volume = self->volume;
  copy->fade_out = self->fade_out;

  g_hash_table_iter_init (&iter, self->durations);
  while (g_hash_table_iter_next (&iter, &key, &value))
    echoes_music_set_clip_duration (copy, key, *(GstClockTime *) value);

  return copy;
}

void
echoes_music_free (EchoesMusic *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->tracks, g_strfreev);
  g_clear_pointer (&self->durations, g_hash_table_unref);
  g_free (self);
}

/**
 * echoes_music_set_clip_duration:
 * @self: a #EchoesMusic
 * @clip_id: a clip id
 * @duration: the clip's duration in the film, or %GST_CLOCK_TIME_NONE to forget it
 */
void
echoes_music_set_clip_duration (EchoesMusic  *self,
                                const char   *clip_id,
                                GstClockTime  duration)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (clip_id != NULL);

  if (!GST_CLOCK_TIME_IS_VALID (duration))
    g_hash_table_remove (self->durations, clip_id);
  else
    g_hash_table_insert (self->durations, g_strdup (clip_id),
                         g_memdup2 (&duration, sizeof duration));
}

/**
 * echoes_music_get_clip_duration:
 * @self: a #EchoesMusic
 * @clip_id: a clip id
 * @duration: (out) (optional): the stored duration
 *
 * Returns: %TRUE if a duration is stored for @clip_id
 */
gboolean
echoes_music_get_clip_duration (const EchoesMusic *self,
                                const char        *clip_id,
                                GstClockTime      *duration)
{
  GstClockTime *value;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (clip_id != NULL, FALSE);

  if (!(value = g_hash_table_lookup (self->durations, clip_id)))
    return FALSE;

  if (duration != NULL)
    *duration = *value;

  return TRUE;
}

/**
 * echoes_music_parse:
 * @text: (nullable): the value of a project's `music` column
 * @error: return location for an error
 *
 * Reads music settings written by echoes_music_format(). %NULL or an empty string is
 * "no music"; a single line that is not a GVariant is a single track (older rows).
 *
 * Returns: (transfer full): the settings, or %NULL with @error set
 */
EchoesMusic *
echoes_music_parse (const char  *text,
                    GError     **error)
{
  g_autoptr(EchoesMusic) self = NULL;
  g_autoptr(GVariant) variant = NULL;
  g_autoptr(GVariant) tracks = NULL;
  g_autoptr(GVariant) durations = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *stripped;
  guint32 version = FORMAT_VERSION;
  gint64 fade_usec;
  GVariantIter iter;
  const char *clip_id;
  gint64 usec;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = echoes_music_new ();

  if (text == NULL)
    return g_steal_pointer (&self);

  stripped = text;
  while (g_ascii_isspace (*stripped))
    stripped++;

  if (*stripped == '\0')
    return g_steal_pointer (&self);

  if (*stripped != '{')
    {
      if (strchr (text, '\n') != NULL)
        {
          g_set_error (error, ECHOES_MUSIC_ERROR, ECHOES_MUSIC_ERROR_INVALID,
                       _("The project’s music settings cannot be read"));
          return NULL;
        }

      g_strfreev (self->tracks);
      self->tracks = g_new0 (char *, 2);
      self->tracks[0] = g_strdup (text);
      return g_steal_pointer (&self);
    }

  variant = g_variant_parse (G_VARIANT_TYPE_VARDICT, text, NULL, NULL, &local_error);
  if (variant == NULL)
    {
      g_set_error (error, ECHOES_MUSIC_ERROR, ECHOES_MUSIC_ERROR_INVALID,
                   _("The project’s music settings cannot be read: %s"), local_error->message);
      return NULL;
    }

  if (g_variant_lookup (variant, "version", "u", &version) && version > FORMAT_VERSION)
    g_debug ("Music settings version %u is newer than %u; reading what we know",
             version, FORMAT_VERSION);

  if ((tracks = g_variant_lookup_value (variant, "tracks", G_VARIANT_TYPE_STRING_ARRAY)))
    {
      g_strfreev (self->tracks);
      self->tracks = g_variant_dup_strv (tracks, NULL);
    }

  if (g_variant_lookup (variant, "volume", "d", &self->volume))
    {
      if (!isfinite (self->volume))
        self->volume = 1.0;
      self->volume = CLAMP (self->volume, 0.0, 2.0);
    }

  if (g_variant_lookup (variant, "fade-out", "x", &fade_usec))
    self->fade_out = MAX (fade_usec, 0) * GST_USECOND;

  if ((durations = g_variant_lookup_value (variant, "durations", G_VARIANT_TYPE ("a{sx}"))))
    {
      g_variant_iter_init (&iter, durations);
      while (g_variant_iter_next (&iter, "{&sx}", &clip_id, &usec))
        if (usec > 0)
          echoes_music_set_clip_duration (self, clip_id, usec * GST_USECOND);
    }

  return g_steal_pointer (&self);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/**
 * echoes_music_format:
 * @self: a #EchoesMusic
 *
 * Serialises the settings for a project's `music` column (see echoes_music_parse()).
 * No tracks, volume 1.0, the default fade and no durations give %NULL.
 *
 * Returns: (transfer full) (nullable): the text
 */
char *
echoes_music_format (const EchoesMusic *self)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_auto(GVariantBuilder) durations = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{sx}"));
  g_autoptr(GVariant) variant = NULL;
  g_autofree gpointer *keys = NULL;
  guint n_keys;

  g_return_val_if_fail (self != NULL, NULL);

  if ((self->tracks == NULL || self->tracks[0] == NULL) &&
      self->volume == 1.0 &&
      self->fade_out == ECHOES_MUSIC_DEFAULT_FADE_OUT &&
      g_hash_table_size (self->durations) == 0)
    return NULL;

  /* Sorted, so that the same settings always give the same text (sync compares rows). */
  keys = g_hash_table_get_keys_as_array (self->durations, &n_keys);
  qsort (keys, n_keys, sizeof (gpointer), compare_strings);
  for (guint i = 0; i < n_keys; i++)
    {
      GstClockTime *value = g_hash_table_lookup (self->durations, keys[i]);

      g_variant_builder_add (&durations, "{sx}", (const char *) keys[i],
                             (gint64) (*value / GST_USECOND));
    }

  g_variant_builder_add (&builder, "{sv}", "version", g_variant_new_uint32 (FORMAT_VERSION));
  g_variant_builder_add (&builder, "{sv}", "tracks",
                         g_variant_new_strv ((const char * const *) self->tracks, -1));
  g_variant_builder_add (&builder, "{sv}", "volume", g_variant_new_double (self->volume));
  g_variant_builder_add (&builder, "{sv}", "fade-out",
                         g_variant_new_int64 ((gint64) (self->fade_out / GST_USECOND)));
  g_variant_builder_add (&builder, "{sv}", "durations", g_variant_builder_end (&durations));

  /* the builder's result is floating: own it, or nothing frees it */
  variant = g_variant_ref_sink (g_variant_builder_end (&builder));
  return g_variant_print (variant, TRUE);
}

/**
 * echoes_music_resolve_tracks:
 * @self: a #EchoesMusic
 * @data_dir: (nullable): the directory relative track paths are relative to
 *
 * Returns: (transfer full): the tracks as absolute paths
 */
GStrv
echoes_music_resolve_tracks (const EchoesMusic *self,
                             const char        *data_dir)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; self->tracks != NULL && self->tracks[i] != NULL; i++)
    {
      if (g_path_is_absolute (self->tracks[i]) || data_dir == NULL)
        g_strv_builder_add (builder, self->tracks[i]);
      else
        {
          g_autofree char *path = g_build_filename (data_dir, self->tracks[i], NULL);

          g_strv_builder_add (builder, path);
        }
    }

  return g_strv_builder_end (builder);
}

EchoesMusicTrack *
echoes_music_track_copy (const EchoesMusicTrack *track)
{
  EchoesMusicTrack *copy;

  g_return_val_if_fail (track != NULL, NULL);

  copy = g_memdup2 (track, sizeof *track);
  copy->path = g_strdup (track->path);

  return copy;
}

void
echoes_music_track_free (EchoesMusicTrack *track)
{
  if (track == NULL)
    return;

  g_free (track->path);
  g_free (track);
}

/* GstDiscoverer asks the parser for a duration right after preroll. An MP3 without a
 * Xing/VBRI header only has one once the parser has seen enough frames to estimate its
 * bitrate, which a busy machine may not reach by then: the file is then decoded to its end
 * and the position there is its length. */
static GstClockTime
measure_by_decoding (const char   *uri,
                     GCancellable *cancellable)
{
  g_autofree char *desc = g_strdup_printf ("uridecodebin uri=\"%s\" ! audioconvert ! "
                                           "fakesink sync=false", uri);
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GError) error = NULL;
  gint64 position = -1;

  if (!(pipeline = gst_parse_launch (desc, &error)))
    {
      g_debug ("Cannot measure %s: %s", uri, error->message);
      return GST_CLOCK_TIME_NONE;
    }

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  if (echoes_media_wait_for_eos (pipeline, cancellable, &error))
    gst_element_query_position (pipeline, GST_FORMAT_TIME, &position);
  else
    g_debug ("Cannot measure %s: %s", uri, error->message);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  return position >= 0 ? (GstClockTime)position : GST_CLOCK_TIME_NONE;
}

static EchoesMusicTrack *
probe_one (GstDiscoverer  *discoverer,
           const char     *path,
           GCancellable   *cancellable,
           GError        **error)
{
  g_autoptr(GstDiscovererInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *display = NULL;
  EchoesMusicTrack *track;
  GList *audio;
  GstDiscovererAudioInfo *ainfo;

  display = g_filename_display_basename (path);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, ECHOES_MUSIC_ERROR, ECHOES_MUSIC_ERROR_NOT_FOUND,
                   _("The music file “%s” cannot be found"), display);
      return NULL;
    }

  if (!(uri = gst_filename_to_uri (path, &local_error)))
    {
      g_set_error (error, ECHOES_MUSIC_ERROR, ECHOES_MUSIC_ERROR_NOT_FOUND,
                   _("The music file “%s” cannot be opened: %s"), display, local_error->message);
      return NULL;
    }

  info = gst_discoverer_discover_uri (discoverer, uri, &local_error);

  if (info == NULL || gst_discoverer_info_get_result (info) != GST_DISCOVERER_OK)
    {
      GstDiscovererResult result = info ? gst_discoverer_info_get_result (info)
                                        : GST_DISCOVERER_ERROR;

      g_debug ("Probing %s failed (%d): %s", path, result,
               local_error ? local_error->message : "no details");

      if (result == GST_DISCOVERER_MISSING_PLUGINS)
        g_set_error (error, ECHOES_MUSIC_ERROR, ECHOES_MUSIC_ERROR_UNSUPPORTED,
                     _("“%s” is in an audio format that cannot be played"), display);
      else if (result == GST_DISCOVERER_ERROR && local_error != NULL &&
               g_error_matches (local_error, GST_STREAM_ERROR, GST_STREAM_ERROR_TYPE_NOT_FOUND))
        g_set_error (error, ECHOES_MUSIC_ERROR, ECHOES_MUSIC_ERROR_UNSUPPORTED,
                     _("“%s” is not an audio file"), display);
      else
        g_set_error (error, ECHOES_MUSIC_ERROR, ECHOES_MUSIC_ERROR_BROKEN,
                     _("“%s” is damaged and cannot be played"), display);
      return NULL;
    }

  audio = gst_discoverer_info_get_audio_streams (info);
  if (audio == NULL)
    {
      g_set_error (error, ECHOES_MUSIC_ERROR, ECHOES_MUSIC_ERROR_UNSUPPORTED,
                   _("“%s” has no sound"), display);
      return NULL;
    }

  ainfo = audio->data;
  track = g_new0 (EchoesMusicTrack, 1);
  track->path = g_strdup (path);
  track->duration = gst_discoverer_info_get_duration (info);
  track->rate = gst_discoverer_audio_info_get_sample_rate (ainfo);
  track->channels = gst_discoverer_audio_info_get_channels (ainfo);
  gst_discoverer_stream_info_list_free (audio);

  if (!GST_CLOCK_TIME_IS_VALID (track->duration) || track->duration < GST_MSECOND * 100)
    track->duration = measure_by_decoding (uri, cancellable);

  if (!GST_CLOCK_TIME_IS_VALID (track->duration) || track->duration < GST_MSECOND * 100)
    {
      echoes_music_track_free (track);
      g_set_error (error, ECHOES_MUSIC_ERROR, ECHOES_MUSIC_ERROR_BROKEN,
                   _("“%s” is too short or damaged"), display);
      return NULL;
    }

  g_debug ("%s: %" GST_TIME_FORMAT ", %u Hz, %u channels", path,
           GST_TIME_ARGS (track->duration), track->rate, track->channels);

  return track;
}

/**
 * echoes_music_probe:
 * @paths: (array zero-terminated=1): absolute paths of audio files
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Checks that every file is playable audio and measures it. Blocks: call it from a
 * worker thread (or use echoes_music_probe_async()).
 *
 * Returns: (transfer container) (element-type EchoesMusicTrack): one track per path,
 *   or %NULL with @error set (an #ECHOES_MUSIC_ERROR naming the first bad file)
 */
GPtrArray *
echoes_music_probe (const char * const  *paths,
                    GCancellable        *cancellable,
                    GError             **error)
{
  g_autoptr(GPtrArray) tracks = NULL;
  g_autoptr(GstDiscoverer) discoverer = NULL;

  g_return_val_if_fail (paths != NULL, NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);

  tracks = g_ptr_array_new_with_free_func ((GDestroyNotify) echoes_music_track_free);

  if (!(discoverer = gst_discoverer_new (PROBE_TIMEOUT, error)))
    return NULL;

  for (guint i = 0; paths[i] != NULL; i++)
    {
      EchoesMusicTrack *track;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      if (!(track = probe_one (discoverer, paths[i], cancellable, error)))
        return NULL;

      g_ptr_array_add (tracks, track);
    }

  return g_steal_pointer (&tracks);
}

static void
probe_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *tracks;

  if ((tracks = echoes_music_probe (task_data, cancellable, &error)))
    g_task_return_pointer (task, tracks, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

/**
 * echoes_music_probe_async:
 * @paths: (array zero-terminated=1): absolute paths of audio files
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the thread-default main context when done
 * @user_data: data for @callback
 *
 * Runs echoes_music_probe() on a worker thread.
 */
void
echoes_music_probe_async (const char * const  *paths,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (paths != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_music_probe_async);
  g_task_set_task_data (task, g_strdupv ((GStrv) paths), (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, probe_thread);
}

/**
 * echoes_music_probe_finish:
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Returns: (transfer container) (element-type EchoesMusicTrack): the tracks
 */
GPtrArray *
echoes_music_probe_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == echoes_music_probe_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * echoes_music_total_duration:
 * @tracks: (element-type EchoesMusicTrack): probed tracks
 *
 * Returns: the length of the tracks played back to back
 */
GstClockTime
echoes_music_total_duration (GPtrArray *tracks)
{
  GstClockTime total = 0;

  g_return_val_if_fail (tracks != NULL, 0);

  for (guint i = 0; i < tracks->len; i++)
    total += ((EchoesMusicTrack *) g_ptr_array_index (tracks, i))->duration;

  return total;
}

/**
 * echoes_music_fit_durations:
 * @music_duration: the length of the music
 * @n_clips: the number of clips in the film
 * @crossfade: the overlap between consecutive clips (0 without crossfades)
 * @frame_duration: durations are whole multiples of this (0 = nanoseconds)
 * @durations: (out caller-allocates) (array length=n_clips): the clip durations
 *
 * "Fit to music": gives every clip (nearly) the same duration, between
 * %ECHOES_MUSIC_MIN_CLIP and %ECHOES_MUSIC_MAX_CLIP, so that the film — the sum of the
 * durations minus the crossfades — ends with the music, to the frame. Leftover frames
 * go to the first clips, one each.
 *
 * Returns: %TRUE if the film ends with the music; %FALSE if the music is too short or
 *   too long for that many clips (the durations are then clamped to the limits)
 */
gboolean
echoes_music_fit_durations (GstClockTime  music_duration,
                            guint         n_clips,
                            GstClockTime  crossfade,
                            GstClockTime  frame_duration,
                            GstClockTime *durations)
{
  guint64 frame = frame_duration > 0 ? frame_duration : 1;
  /* Rounded: at 30 fps a frame is 33333333 ns, and 60 of them are "2 s". */
  guint64 min_frames = (ECHOES_MUSIC_MIN_CLIP + frame / 2) / frame;
  guint64 max_frames = (ECHOES_MUSIC_MAX_CLIP + frame / 2) / frame;
  guint64 total, base, rest;
  gboolean fits = TRUE;

  g_return_val_if_fail (n_clips == 0 || durations != NULL, FALSE);
  g_return_val_if_fail (GST_CLOCK_TIME_IS_VALID (music_duration), FALSE);

  if (n_clips == 0)
    return FALSE;

  /* Crossfades overlap neighbours, so the clips together last longer than the film. */
  total = music_duration + (guint64) (n_clips - 1) * crossfade;
  total = (total + frame / 2) / frame;
  base = total / n_clips;
  rest = total % n_clips;

  for (guint i = 0; i < n_clips; i++)
    {
      guint64 frames = base + (i < rest ? 1 : 0);

      if (frames < min_frames || frames > max_frames)
        {
          fits = FALSE;
          frames = CLAMP (frames, min_frames, max_frames);
        }

      durations[i] = frames * frame;
    }

  return fits;
}
