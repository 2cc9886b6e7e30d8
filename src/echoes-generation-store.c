/* echoes-generation-store.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-generation-queue"

#include "config.h"

#include "echoes-generation-queue-private.h"

#include <glib/gstdio.h>

#include "echoes-paths.h"
#include "echoes-video-provider.h"

/* The generation queue's work on the store's worker thread (echoes_store_run_async()):
 * a job's start (its provider chosen, the clip marked `generating`), its end, the
 * clips queued or not, a clip's own provider, and what a restart resumes. The queue
 * (echoes-generation-queue.c, echoes-generation-queue-enqueue.c) runs them and lives on
 * the main thread. */

void
_echoes_generation_start_data_free (StartData *data)
{
  g_free (data->clip_id);
  g_free (data->forced);
  g_free (data->default_name);
  g_strfreev (data->known);
  g_free (data);
}

void
_echoes_generation_start_result_free (StartResult *res)
{
  g_free (res->project_id);
  g_free (res->ratio);
  g_free (res->image_path);
  g_free (res->output_path);
  g_free (res->video);
  g_free (res->motion);
  g_free (res->prompt);
  g_free (res->provider);
  g_free (res->state_path);
  g_free (res);
}

gpointer
_echoes_generation_start_func (EchoesStore   *store,
                               gpointer       data,
                               GCancellable  *cancellable,
                               GError       **error)
{
  StartData *start = data;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(StartResult) res = NULL;
  g_autofree char *state = NULL;
  const char *project_id;
  const char *provider;
  gboolean resume;

  if (!(clip = echoes_store_get_clip (store, start->clip_id, error)))
    return NULL;

  project_id = echoes_clip_get_project_id (clip);
  if (!(project = echoes_store_get_project (store, project_id, error)))
    return NULL;

  if (echoes_clip_get_image (clip) == NULL)
    {
      g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_INVALID,
                   "Clip %s has no photo", start->clip_id);
      return NULL;
    }

  provider = start->forced ?: echoes_clip_choose_provider (clip, echoes_project_get_provider (project),
                                                           start->default_name);
  res = g_new0 (StartResult, 1);
  res->project_id = g_strdup (project_id);
  res->provider = g_strdup (provider);
  if (provider == NULL || !g_strv_contains ((const char * const *)start->known, provider))
    {
      /* Failed as it is, by complete(): no provider was asked, nothing was spent. */
      res->unknown = TRUE;
      return g_steal_pointer (&res);
    }

  /* Already `generating`: the app stopped during its run, and this one finishes it (a
   * deliberate regenerate starts from ready, failed or pending). */
  resume = echoes_clip_get_status (clip) == ECHOES_CLIP_STATUS_GENERATING;

  /* Persist first: if we crash from here on, resume finds the clip `generating`. */
  echoes_clip_set_status (clip, ECHOES_CLIP_STATUS_GENERATING);
  echoes_clip_set_error (clip, NULL);
  echoes_clip_set_provider (clip, provider);
  if (!echoes_store_update_clip (store, clip, error))
    return NULL;

  res->ratio = g_strdup (echoes_project_get_ratio (project));
  res->image_path = echoes_store_resolve (store, echoes_clip_get_image (clip));
  res->video = echoes_paths_video_relative (project_id, start->clip_id);
  res->output_path = echoes_store_resolve (store, res->video);
  res->motion = g_strdup (echoes_clip_get_motion (clip));
  res->prompt = g_strdup (echoes_clip_get_prompt (clip));
  state = echoes_paths_generation_state_relative (start->clip_id);
  res->state_path = echoes_store_resolve (store, state);
  res->resume = resume;

  return g_steal_pointer (&res);
}

void
_echoes_generation_finish_data_free (FinishData *data)
{
  g_free (data->clip_id);
  g_free (data->video);
  g_clear_error (&data->error);
  g_free (data);
}

/* The stable code stored for a failure; the provider's message is for the log only. */
EchoesClipFailure
_echoes_generation_failure_from_error (const GError *error)
{
  if (error->domain != ECHOES_PROVIDER_ERROR)
    return ECHOES_CLIP_FAILURE_FAILED;

  switch ((EchoesProviderError) error->code)
    {
    case ECHOES_PROVIDER_ERROR_NOT_SUPPORTED:
      return ECHOES_CLIP_FAILURE_NOT_SUPPORTED;

    case ECHOES_PROVIDER_ERROR_NOT_FOUND:
      return ECHOES_CLIP_FAILURE_NO_PROVIDER;

    case ECHOES_PROVIDER_ERROR_INVALID:
      return ECHOES_CLIP_FAILURE_INVALID_MOTION;

    case ECHOES_PROVIDER_ERROR_NETWORK:
      return ECHOES_CLIP_FAILURE_NETWORK;

    case ECHOES_PROVIDER_ERROR_NO_CREDITS:
      return ECHOES_CLIP_FAILURE_NO_CREDITS;

    case ECHOES_PROVIDER_ERROR_IMAGE:
      return ECHOES_CLIP_FAILURE_PHOTO;

    case ECHOES_PROVIDER_ERROR_MISSING_PLUGIN:
      return ECHOES_CLIP_FAILURE_MISSING_PLUGIN;

    case ECHOES_PROVIDER_ERROR_MODERATION:
      return ECHOES_CLIP_FAILURE_MODERATION;

    case ECHOES_PROVIDER_ERROR_NOT_SIGNED_IN:
      return ECHOES_CLIP_FAILURE_NOT_SIGNED_IN;

    case ECHOES_PROVIDER_ERROR_FAILED:
    default:
      return ECHOES_CLIP_FAILURE_FAILED;
    }
}

gpointer
_echoes_generation_finish_func (EchoesStore   *store,
                                gpointer       data,
                                GCancellable  *cancellable,
                                GError       **error)
{
  FinishData *finish = data;
  g_autoptr(EchoesClip) clip = NULL;

  if (!(clip = echoes_store_get_clip (store, finish->clip_id, error)))
    return NULL;

  if (finish->error == NULL)
    {
      echoes_clip_set_status (clip, ECHOES_CLIP_STATUS_READY);
      echoes_clip_set_video (clip, finish->video);
      echoes_clip_set_error (clip, NULL);
    }
  else if (g_error_matches (finish->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The old video (if any) is untouched: providers write beside it and rename. */
      echoes_clip_set_status (clip, echoes_clip_get_video (clip) != NULL
                                    ? ECHOES_CLIP_STATUS_READY : ECHOES_CLIP_STATUS_PENDING);
      echoes_clip_set_error (clip, NULL);
    }
  else
    {
      echoes_clip_set_status (clip, ECHOES_CLIP_STATUS_FAILED);
      echoes_clip_set_failure (clip, _echoes_generation_failure_from_error (finish->error));
    }

  if (!echoes_store_update_clip (store, clip, error) ||
      !echoes_store_set_clips_queued (store, (const char *[]) { finish->clip_id, NULL }, FALSE,
                                      error))
    return NULL;

  return g_steal_pointer (&clip);
}

gpointer
_echoes_generation_list_project_func (EchoesStore   *store,
                                      gpointer       data,
                                      GCancellable  *cancellable,
                                      GError       **error)
{
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) ids = NULL;

  if (!(clips = echoes_store_list_clips (store, data, error)))
    return NULL;

  for (guint i = 0; i < clips->len; i++)
    {
      EchoesClipStatus status = echoes_clip_get_status (clips->pdata[i]);

      if (status == ECHOES_CLIP_STATUS_PENDING || status == ECHOES_CLIP_STATUS_FAILED)
        g_strv_builder_add (builder, echoes_clip_get_id (clips->pdata[i]));
    }

  ids = g_strv_builder_end (builder);
  /* Persisted before they are queued in memory: a restart finds them again. */
  if (!echoes_store_set_clips_queued (store, (const char * const *)ids, TRUE, error))
    return NULL;

  return g_steal_pointer (&ids);
}

void
_echoes_generation_queued_data_free (QueuedData *data)
{
  g_strfreev (data->ids);
  g_free (data);
}

gpointer
_echoes_generation_set_queued_func (EchoesStore   *store,
                                    gpointer       data,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  QueuedData *queued = data;
  g_autoptr(GStrvBuilder) projects = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!echoes_store_set_clips_queued (store, (const char * const *)queued->ids,
                                      queued->queued, error))
    return NULL;

  for (guint i = 0; queued->find_projects && queued->ids[i] != NULL; i++)
    {
      g_autoptr(EchoesClip) clip = echoes_store_get_clip (store, queued->ids[i], NULL);

      if (clip != NULL &&
          g_hash_table_add (seen, g_strdup (echoes_clip_get_project_id (clip))))
        g_strv_builder_add (projects, echoes_clip_get_project_id (clip));
    }

  return g_strv_builder_end (projects);
}

/* Removes `.{clip}.mp4.XXXXXX` files a crashed render left beside the clip's video. */
void
_echoes_generation_remove_stale_temp_files (EchoesStore *store,
                                            EchoesClip  *clip)
{
  g_autofree char *relative = echoes_paths_video_relative (echoes_clip_get_project_id (clip),
                                                           echoes_clip_get_id (clip));
  g_autofree char *path = echoes_store_resolve (store, relative);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *prefix = g_strdup_printf (".%s.", base);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)))
    {
      if (g_str_has_prefix (name, prefix))
        {
          g_autofree char *stale = g_build_filename (dir, name, NULL);

          g_debug ("Removing %s left by an interrupted generation", stale);
          g_unlink (stale);
        }
    }
}

void
_echoes_generation_override_data_free (OverrideData *data)
{
  g_free (data->clip_id);
  g_free (data->provider);
  g_free (data);
}

/* Makes data->provider the clip's own choice; returns its project's id. */
gpointer
_echoes_generation_set_override_func (EchoesStore   *store,
                                      gpointer       data,
                                      GCancellable  *cancellable,
                                      GError       **error)
{
  OverrideData *override = data;
  g_autoptr(EchoesClip) clip = NULL;

  if (!(clip = echoes_store_get_clip (store, override->clip_id, error)))
    return NULL;

  echoes_clip_set_provider_override (clip, override->provider);
  if (!echoes_store_update_clip (store, clip, error))
    return NULL;

  return g_strdup (echoes_clip_get_project_id (clip));
}

/* Removes the resume state files (echoes_paths_generation_state_relative()) of runs that
 * can never resume: their clip was deleted, or is no longer `generating` (a crash between
 * the run's end and the file's removal). A clip being generated is `generating` in the
 * store before its provider writes the file, so a running job keeps its own. */
static void
remove_orphan_state_files (EchoesStore *store)
{
  g_autofree char *dir = echoes_store_resolve (store, ECHOES_PATHS_GENERATIONS_DIR);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)))
    {
      g_autofree char *clip_id = NULL;
      g_autoptr(EchoesClip) clip = NULL;
      g_autoptr(GError) error = NULL;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      clip_id = g_strndup (name, strlen (name) - strlen (".json"));
      clip = echoes_store_get_clip (store, clip_id, &error);
      if (clip == NULL && !g_error_matches (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND))
        continue;  /* not known to be gone: keep it */
      if (clip == NULL || echoes_clip_get_status (clip) != ECHOES_CLIP_STATUS_GENERATING)
        {
          g_autofree char *path = g_build_filename (dir, name, NULL);

          g_debug ("Removing %s: its clip's run is over", path);
          g_unlink (path);
        }
    }
}

gpointer
_echoes_generation_resume_func (EchoesStore   *store,
                                gpointer       data,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_auto(GStrv) ids = NULL;

  /* Queued before the restart, or left `generating` by a crash. */
  if (!(ids = echoes_store_dup_queued_clips (store, error)))
    return NULL;

  for (guint i = 0; ids[i]; i++)
    {
      g_autoptr(EchoesClip) clip = echoes_store_get_clip (store, ids[i], NULL);

      if (clip != NULL && echoes_clip_get_status (clip) == ECHOES_CLIP_STATUS_GENERATING)
        _echoes_generation_remove_stale_temp_files (store, clip);
    }
  remove_orphan_state_files (store);

  return g_steal_pointer (&ids);
}
