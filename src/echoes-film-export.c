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

      /* Within a frame at 60 fps is long enough. */
      if (!GST_CLOCK_TIME_IS_VALID (wanted) || !GST_CLOCK_TIME_IS_VALID (lengths[i]) ||
          wanted <= lengths[i] + GST_SECOND / 60 ||
          !echoes_video_provider_supports (provider, ratio, seconds))
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
