/* echoes-film-export.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-film-export"

#include "config.h"

#include "echoes-film-export.h"

#include <glib/gi18n.h>

#include "echoes-music.h"

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
