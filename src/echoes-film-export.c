/* echoes-film-export.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-film-export"

#include "config.h"

#include "echoes-film-export.h"

#include <gst/pbutils/pbutils.h>
#include <glib/gi18n.h>

#include "echoes-music.h"
#include "echoes-video-provider.h"

/* Glue between the store and the media layer: which clips and music make up a
 * project's film. Used by `echoes-cli projects export` and by the UI (through
 * echoes_store_run_async(), since it reads the store synchronously), before it hands
 * the film to an EchoesExporter or an EchoesPlayerPipeline. */

void
echoes_film_free (EchoesFilm *film)
{
  if (film == NULL)
    return;

  g_strfreev (film->clips);
  g_strfreev (film->clip_ids);
  g_free (film->durations);
  g_strfreev (film->music);
  g_free (film);
}

/**
 * echoes_film_load:
 * @store: an #EchoesStore
 * @project_id: the project
 * @error: return location for an error
 *
 * Reads the approved, ready clips of @project_id in film order and its music settings.
 * Blocks on SQLite: call it on a worker thread or through echoes_store_run_async().
 *
 * Returns: (transfer full): the film, or %NULL with @error set (also when no clip is
 *   approved)
 */
EchoesFilm *
echoes_film_load (EchoesStore  *store,
                  const char   *project_id,
                  GError      **error)
{
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(EchoesMusic) music = NULL;
  g_autoptr(EchoesFilm) film = NULL;
  g_autoptr(GStrvBuilder) paths = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_autoptr(GArray) durations = g_array_new (FALSE, FALSE, sizeof (GstClockTime));

  g_return_val_if_fail (ECHOES_IS_STORE (store), NULL);
  g_return_val_if_fail (project_id != NULL, NULL);

  if (!(project = echoes_store_get_project (store, project_id, error)) ||
      !(clips = echoes_store_list_clips (store, project_id, error)) ||
      !(music = echoes_music_parse (echoes_project_get_music (project), error)))
    return NULL;

  film = g_new0 (EchoesFilm, 1);

  for (guint i = 0; i < clips->len; i++)
    {
      EchoesClip *clip = g_ptr_array_index (clips, i);
      g_autofree char *path = NULL;
      GstClockTime duration = GST_CLOCK_TIME_NONE;

      if (!echoes_clip_get_approved (clip) ||
          echoes_clip_get_status (clip) != ECHOES_CLIP_STATUS_READY ||
          echoes_clip_get_video (clip) == NULL)
        continue;

      path = echoes_store_resolve (store, echoes_clip_get_video (clip));
      g_strv_builder_add (paths, path);
      g_strv_builder_add (ids, echoes_clip_get_id (clip));
      echoes_music_get_clip_duration (music, echoes_clip_get_id (clip), &duration);
      g_array_append_val (durations, duration);
    }

  if (durations->len == 0)
    {
      g_set_error (error, ECHOES_EXPORT_ERROR, ECHOES_EXPORT_ERROR_NO_CLIPS,
                   _("“%s” has no approved clips yet"), echoes_project_get_title (project));
      return NULL;
    }

  film->n_clips = durations->len;
  film->clips = g_strv_builder_end (paths);
  film->clip_ids = g_strv_builder_end (ids);
  film->durations = (GstClockTime *) g_array_free (g_steal_pointer (&durations), FALSE);
  film->music = echoes_music_resolve_tracks (music, echoes_store_get_data_dir (store));
  film->volume = music->volume;
  film->fade_out = music->fade_out;

  return g_steal_pointer (&film);
}

/**
 * echoes_film_apply:
 * @film: an #EchoesFilm
 * @exporter: an #EchoesExporter
 *
 * Gives the film's clips, durations and music to @exporter.
 */
void
echoes_film_apply (EchoesFilm     *film,
                   EchoesExporter *exporter)
{
  gboolean any_duration = FALSE;

  g_return_if_fail (film != NULL);
  g_return_if_fail (ECHOES_IS_EXPORTER (exporter));

  echoes_exporter_set_clips (exporter, (const char * const *) film->clips);
  echoes_exporter_set_music (exporter, (const char * const *) film->music, film->volume,
                             film->fade_out);

  for (guint i = 0; i < film->n_clips; i++)
    any_duration |= GST_CLOCK_TIME_IS_VALID (film->durations[i]);

  echoes_exporter_set_clip_durations (exporter, any_duration ? film->durations : NULL,
                                      any_duration ? film->n_clips : 0);
}

/**
 * echoes_film_probe_lengths:
 * @film: an #EchoesFilm
 * @cancellable: (nullable): checked between clips
 *
 * Reads how long each clip's video is. Blocks: call it from a worker thread.
 *
 * Returns: (transfer full) (array length=film->n_clips): the lengths;
 *   %GST_CLOCK_TIME_NONE for a clip that cannot be read
 */
GstClockTime *
echoes_film_probe_lengths (EchoesFilm   *film,
                           GCancellable *cancellable)
{
  g_autoptr(GstDiscoverer) discoverer = gst_discoverer_new (10 * GST_SECOND, NULL);
  GstClockTime *lengths = g_new (GstClockTime, film->n_clips);

  for (guint i = 0; i < film->n_clips; i++)
    {
      g_autoptr(GstDiscovererInfo) info = NULL;
      g_autofree char *uri = NULL;

      lengths[i] = GST_CLOCK_TIME_NONE;
      if (discoverer == NULL || g_cancellable_is_cancelled (cancellable) ||
          !(uri = gst_filename_to_uri (film->clips[i], NULL)))
        continue;

      info = gst_discoverer_discover_uri (discoverer, uri, NULL);
      if (info != NULL && gst_discoverer_info_get_result (info) == GST_DISCOVERER_OK)
        lengths[i] = gst_discoverer_info_get_duration (info);
    }

  return lengths;
}

/* Whether a clip of @length must be made again to last @wanted: within a frame at
 * 60 fps is long enough, and only a provider that honours the motion's duration, can
 * make that length and spends no credits is asked. */
static gboolean
needs_longer_clip (EchoesVideoProvider *provider,
                   const char          *ratio,
                   GstClockTime         wanted,
                   GstClockTime         length)
{
  const EchoesVideoProviderCapabilities *caps = echoes_video_provider_get_capabilities (provider);

  return caps->uses_motion && !caps->costs_credits &&
         GST_CLOCK_TIME_IS_VALID (wanted) && GST_CLOCK_TIME_IS_VALID (length) &&
         wanted > length + GST_SECOND / 60 &&
         echoes_video_provider_supports (provider, ratio, (double) wanted / GST_SECOND);
}

/**
 * echoes_film_lengthen_clips:
 * @film: an #EchoesFilm whose durations were fitted (see echoes_music_fit_durations())
 * @lengths: (array): the clips' own lengths, from echoes_film_probe_lengths()
 * @library: the library, to save the clips
 * @project_id: the film's project, whose clips @library has loaded
 * @queue: the generation queue, whose provider makes the clips
 * @ratio: (nullable): the project's ratio
 *
 * A clip can only be cut, not stretched: for each clip whose fitted duration is longer
 * than its video, asks for a longer clip. When the queue's provider honours the motion
 * string, spends no credits and can make that length, the clip's motion gets the new
 * duration and the clip is generated again; others keep their length (the film then
 * ends before the music).
 *
 * Returns: how many clips are generated again
 */
guint
echoes_film_lengthen_clips (EchoesFilm            *film,
                            const GstClockTime    *lengths,
                            EchoesLibrary         *library,
                            const char            *project_id,
                            EchoesGenerationQueue *queue,
                            const char            *ratio)
{
  EchoesVideoProvider *provider = echoes_generation_queue_get_provider (queue);
  GListModel *clips = echoes_library_get_clips (library, project_id);
  const EchoesVideoProviderCapabilities *caps;
  guint n = 0;

  g_return_val_if_fail (film != NULL && lengths != NULL, 0);

  if (provider == NULL)
    return 0;

  caps = echoes_video_provider_get_capabilities (provider);
  if (!caps->uses_motion || caps->costs_credits)
    return 0;

  for (guint i = 0; i < film->n_clips; i++)
    {
      GstClockTime wanted = film->durations[i];
      double seconds = (double) wanted / GST_SECOND;
      g_autoptr(EchoesClip) clip = NULL;
      g_autoptr(EchoesClip) copy = NULL;
      g_autofree char *motion = NULL;

      if (!needs_longer_clip (provider, ratio, wanted, lengths[i]))
        continue;

      for (guint k = 0; clip == NULL && k < g_list_model_get_n_items (clips); k++)
        {
          g_autoptr(EchoesClip) item = g_list_model_get_item (clips, k);

          if (g_strcmp0 (echoes_clip_get_id (item), film->clip_ids[i]) == 0)
            clip = g_steal_pointer (&item);
        }
      if (clip == NULL)
        continue;

      copy = echoes_clip_copy (clip);
      motion = echoes_clip_dup_motion_with_duration (copy, seconds);
      echoes_clip_set_motion (copy, motion);
      /* The library writes the motion before the queue reads the clip: both go
       * through the store's one worker, in order. */
      echoes_library_update_clip (library, copy);
      echoes_generation_queue_enqueue_clip (queue, film->clip_ids[i]);
      n++;
    }

  return n;
}

/**
 * echoes_film_fit_to_music:
 * @film: an #EchoesFilm
 * @tracks: (element-type EchoesMusicTrack): its music, probed (echoes_music_probe())
 * @crossfade: the crossfade between clips
 * @music: the project's music settings, to record the durations in
 *
 * "Fit to music": shares the music's length among the film's clips, writing each
 * clip's duration into @film->durations and into @music (whose echoes_music_format()
 * the caller saves as the project's music).
 *
 * Returns: %TRUE if the clips end with the music; %FALSE if the music is too long or
 *   too short for this many clips, which were then made as long or as short as allowed
 */
gboolean
echoes_film_fit_to_music (EchoesFilm   *film,
                          GPtrArray    *tracks,
                          GstClockTime  crossfade,
                          EchoesMusic  *music)
{
  gboolean fits;

  g_return_val_if_fail (film != NULL && tracks != NULL && music != NULL, FALSE);

  fits = echoes_music_fit_durations (echoes_music_total_duration (tracks), film->n_clips,
                                     crossfade, GST_SECOND / 30, film->durations);
  for (guint i = 0; i < film->n_clips; i++)
    echoes_music_set_clip_duration (music, film->clip_ids[i], film->durations[i]);

  return fits;
}

/**
 * echoes_film_fit_to_music_sync:
 * @store: an #EchoesStore
 * @project_id: the project
 * @provider: (nullable): the provider that makes the project's clips
 * @crossfade: the crossfade between clips (the `crossfade` setting)
 * @fits: (out) (optional): whether the clips end with the music
 * @n_longer: (out) (optional): how many clips must be made again, longer
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * What the app's "Fit Clips to Music" does, in one blocking call for echoes-cli and
 * worker threads: fits the approved clips to the music (echoes_film_fit_to_music()),
 * saves the durations, and marks the clips that must get longer pending with the new
 * length in their motion, when @provider can make them so (see
 * echoes_film_lengthen_clips(), the app's variant that queues them at once).
 *
 * Returns: %TRUE, or %FALSE with @error set (no approved clip, no music, music that
 *   cannot be read); then nothing was changed
 */
gboolean
echoes_film_fit_to_music_sync (EchoesStore          *store,
                               const char           *project_id,
                               EchoesVideoProvider  *provider,
                               GstClockTime          crossfade,
                               gboolean             *fits,
                               guint                *n_longer,
                               GCancellable         *cancellable,
                               GError              **error)
{
  g_autoptr(EchoesFilm) film = NULL;
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(EchoesMusic) music = NULL;
  g_autoptr(GPtrArray) tracks = NULL;
  g_autofree GstClockTime *lengths = NULL;
  g_autofree char *text = NULL;
  gboolean fitted;
  guint n = 0;

  g_return_val_if_fail (ECHOES_IS_STORE (store), FALSE);
  g_return_val_if_fail (project_id != NULL, FALSE);
  g_return_val_if_fail (provider == NULL || ECHOES_IS_VIDEO_PROVIDER (provider), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(project = echoes_store_get_project (store, project_id, error)) ||
      !(film = echoes_film_load (store, project_id, error)))
    return FALSE;

  if (film->music == NULL || film->music[0] == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("“%s” has no music; choose the music first"),
                   echoes_project_get_title (project));
      return FALSE;
    }

  if (!(tracks = echoes_music_probe ((const char * const *) film->music, cancellable, error)) ||
      !(music = echoes_music_parse (echoes_project_get_music (project), error)))
    return FALSE;

  fitted = echoes_film_fit_to_music (film, tracks, crossfade, music);
  text = echoes_music_format (music);
  echoes_project_set_music (project, text);
  if (!echoes_store_update_project (store, project, error))
    return FALSE;

  lengths = echoes_film_probe_lengths (film, cancellable);
  for (guint i = 0; provider != NULL && i < film->n_clips; i++)
    {
      g_autoptr(EchoesClip) clip = NULL;
      g_autofree char *motion = NULL;

      if (!needs_longer_clip (provider, echoes_project_get_ratio (project), film->durations[i],
                              lengths[i]))
        continue;

      if (!(clip = echoes_store_get_clip (store, film->clip_ids[i], error)))
        return FALSE;
      motion = echoes_clip_dup_motion_with_duration (clip, (double) film->durations[i] / GST_SECOND);
      echoes_clip_set_motion (clip, motion);
      echoes_clip_set_status (clip, ECHOES_CLIP_STATUS_PENDING);
      if (!echoes_store_update_clip (store, clip, error))
        return FALSE;
      n++;
    }

  if (fits != NULL)
    *fits = fitted;
  if (n_longer != NULL)
    *n_longer = n;
  return TRUE;
}
