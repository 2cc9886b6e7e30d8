/* echoes-generation-queue-enqueue.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-generation-queue"

#include "config.h"

#include "echoes-generation-queue.h"
#include "echoes-generation-queue-private.h"

/* EchoesGenerationQueue's queuing of clips and projects, cancelling and resuming (the
 * pieces are listed in echoes-generation-queue-private.h). */

/* ---- store work: run on the store's worker thread (echoes-generation-store.c) ---- */

static void
set_queued_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EchoesLibrary) library = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) projects = NULL;

  if (!(projects = echoes_store_run_finish (ECHOES_STORE (object), result, &error)))
    {
      g_warning ("Could not record the generation queue: %s", error->message);
      return;
    }

  /* The clips' EchoesClip:queued changed: the UI follows (e.g. Cancel Generation). */
  for (guint i = 0; library != NULL && projects[i] != NULL; i++)
    echoes_library_reload (library, projects[i]);
}

static void
persist_queued (EchoesGenerationQueue *self,
                GStrv                  ids,
                gboolean               queued)
{
  QueuedData *data = g_new0 (QueuedData, 1);

  data->ids = ids;
  data->queued = queued;
  data->find_projects = self->library != NULL;
  echoes_store_run_async (self->store, _echoes_generation_set_queued_func, data, (GDestroyNotify)_echoes_generation_queued_data_free,
                          (GDestroyNotify)g_strfreev, NULL, set_queued_cb,
                          self->library ? g_object_ref (self->library) : NULL);
}

static void
set_override_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EchoesGenerationQueue) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *project_id = NULL;

  if (!(project_id = echoes_store_run_finish (ECHOES_STORE (object), result, &error)))
    g_warning ("Could not record the clip's provider: %s", error->message);
  _echoes_generation_queue_reload (self, project_id);
}

static void
persist_override (EchoesGenerationQueue *self,
                  const char            *clip_id,
                  const char            *provider)
{
  OverrideData *data = g_new0 (OverrideData, 1);

  data->clip_id = g_strdup (clip_id);
  data->provider = g_strdup (provider);
  echoes_store_run_async (self->store, _echoes_generation_set_override_func, data,
                          (GDestroyNotify)_echoes_generation_override_data_free, g_free, NULL, set_override_cb,
                          g_object_ref (self));
}

/* ---- main thread ---- */

static Job *
find_job (EchoesGenerationQueue *self,
          const char            *clip_id,
          gboolean              *running)
{
  for (guint i = 0; i < self->running->len; i++)
    {
      Job *job = self->running->pdata[i];

      if (g_str_equal (job->clip_id, clip_id))
        {
          *running = TRUE;
          return job;
        }
    }

  for (GList *l = self->pending.head; l != NULL; l = l->next)
    {
      Job *job = l->data;

      if (g_str_equal (job->clip_id, clip_id))
        {
          *running = FALSE;
          return job;
        }
    }

  return NULL;
}

/* Queues the clips of @ids that are not queued or generating yet, in order, and records
 * them in one store transaction (which then reloads their projects). */
static void
enqueue_many (EchoesGenerationQueue *self,
              const char * const    *ids)
{
  g_autoptr(GStrvBuilder) added = g_strv_builder_new ();
  guint n = 0;

  for (guint i = 0; ids[i] != NULL; i++)
    {
      gboolean running;

      if (find_job (self, ids[i], &running) != NULL)
        continue;

      g_queue_push_tail (&self->pending, _echoes_generation_job_new (ids[i]));
      g_strv_builder_add (added, ids[i]);
      n++;
    }

  if (n == 0)
    return;

  persist_queued (self, g_strv_builder_end (added), TRUE);
  _echoes_generation_queue_notify_n_jobs (self);
  _echoes_generation_queue_pump (self);
}

/* ---- public API ---- */

/**
 * echoes_generation_queue_has_clip:
 *
 * Returns: whether the clip is queued or generating
 */
gboolean
echoes_generation_queue_has_clip (EchoesGenerationQueue *self,
                                  const char            *clip_id)
{
  gboolean running;

  g_return_val_if_fail (ECHOES_IS_GENERATION_QUEUE (self), FALSE);
  g_return_val_if_fail (clip_id != NULL, FALSE);

  return find_job (self, clip_id, &running) != NULL;
}

/**
 * echoes_generation_queue_enqueue_clip:
 * @clip_id: a clip in any state; a ready clip is generated again (regenerate), a clip
 *   already queued or generating is left alone
 */
void
echoes_generation_queue_enqueue_clip (EchoesGenerationQueue *self,
                                      const char            *clip_id)
{
  g_return_if_fail (ECHOES_IS_GENERATION_QUEUE (self));
  g_return_if_fail (clip_id != NULL);

  enqueue_many (self, (const char * const[]) { clip_id, NULL });
}

/**
 * echoes_generation_queue_enqueue_clip_with_provider:
 * @clip_id: a clip (not queued again if already queued or generating)
 * @provider: the provider for this clip (say "local" after an AI clip failed)
 *
 * Makes @provider's name the clip's own choice (EchoesClip:provider-override, kept in
 * the store, so a clip resumed after a restart still uses it), then queues the clip like
 * echoes_generation_queue_enqueue_clip(). @provider is used for its name when the
 * registry has none by that name.
 */
void
echoes_generation_queue_enqueue_clip_with_provider (EchoesGenerationQueue *self,
                                                    const char            *clip_id,
                                                    EchoesVideoProvider   *provider)
{
  const char *name;

  g_return_if_fail (ECHOES_IS_GENERATION_QUEUE (self));
  g_return_if_fail (clip_id != NULL);
  g_return_if_fail (ECHOES_IS_VIDEO_PROVIDER (provider));

  name = echoes_video_provider_get_name (provider);
  if (_echoes_generation_queue_lookup_provider (self, name) == NULL)
    g_hash_table_insert (self->extra, g_strdup (name), g_object_ref (provider));

  /* The store runs jobs in order: the choice is written before the job reads it. */
  persist_override (self, clip_id, name);
  enqueue_many (self, (const char * const[]) { clip_id, NULL });
}

static void
list_project_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EchoesGenerationQueue) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;

  self->n_listing--;

  if (!(ids = echoes_store_run_finish (ECHOES_STORE (object), result, &error)))
    g_warning ("Could not list the clips to generate: %s", error->message);

  if (ids != NULL)
    enqueue_many (self, (const char * const *)ids);

  _echoes_generation_queue_maybe_drained (self);
}

/**
 * echoes_generation_queue_enqueue_project:
 * @project_id: a project
 *
 * Queues every clip of the project that is pending or failed, in timeline order.
 */
void
echoes_generation_queue_enqueue_project (EchoesGenerationQueue *self,
                                         const char            *project_id)
{
  g_return_if_fail (ECHOES_IS_GENERATION_QUEUE (self));
  g_return_if_fail (project_id != NULL);

  self->n_listing++;
  echoes_store_run_async (self->store, _echoes_generation_list_project_func, g_strdup (project_id), g_free,
                          (GDestroyNotify)g_strfreev, NULL, list_project_cb,
                          g_object_ref (self));
}

/**
 * echoes_generation_queue_cancel_clip:
 * @clip_id: a clip
 *
 * A queued clip is dropped (it stays as it is in the store); a generating one is stopped,
 * its partial file removed, and it goes back to `pending` (or `ready` if it had a video).
 */
void
echoes_generation_queue_cancel_clip (EchoesGenerationQueue *self,
                                     const char            *clip_id)
{
  gboolean running = FALSE;
  Job *job;

  g_return_if_fail (ECHOES_IS_GENERATION_QUEUE (self));
  g_return_if_fail (clip_id != NULL);

  if (!(job = find_job (self, clip_id, &running)))
    return;

  if (running)
    {
      g_cancellable_cancel (job->cancellable);
      return;
    }

  persist_queued (self, g_strdupv ((char *[]) { (char *)clip_id, NULL }), FALSE);
  g_queue_remove (&self->pending, job);
  _echoes_generation_job_unref (job);
  _echoes_generation_queue_notify_n_jobs (self);
  _echoes_generation_queue_maybe_drained (self);
}

/**
 * echoes_generation_queue_cancel_all:
 *
 * Cancels every queued and generating clip.
 */
void
echoes_generation_queue_cancel_all (EchoesGenerationQueue *self)
{
  gboolean had_pending;

  g_return_if_fail (ECHOES_IS_GENERATION_QUEUE (self));

  had_pending = self->pending.length > 0;
  if (had_pending)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (GList *l = self->pending.head; l; l = l->next)
        g_strv_builder_add (builder, ((Job *)l->data)->clip_id);
      persist_queued (self, g_strv_builder_end (builder), FALSE);
    }
  g_queue_clear_full (&self->pending, (GDestroyNotify)_echoes_generation_job_unref);

  for (guint i = 0; i < self->running->len; i++)
    g_cancellable_cancel (((Job *)self->running->pdata[i])->cancellable);

  if (had_pending)
    {
      _echoes_generation_queue_notify_n_jobs (self);
      _echoes_generation_queue_maybe_drained (self);
    }
}

static void
resume_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EchoesGenerationQueue *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;

  if (!(ids = echoes_store_run_finish (ECHOES_STORE (object), result, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; ids[i] != NULL; i++)
    g_debug ("Resuming clip %s, interrupted while generating", ids[i]);
  enqueue_many (self, (const char * const *)ids);

  g_task_return_int (task, g_strv_length (ids));
}

/**
 * echoes_generation_queue_resume_async:
 * @cancellable: (nullable): a #GCancellable
 *
 * Finds clips left `generating` (the app quit or crashed mid-way), removes their partial
 * files and queues them again. Call once at start-up.
 */
void
echoes_generation_queue_resume_async (EchoesGenerationQueue *self,
                                      GCancellable          *cancellable,
                                      GAsyncReadyCallback    callback,
                                      gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ECHOES_IS_GENERATION_QUEUE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_generation_queue_resume_async);
  echoes_store_run_async (self->store, _echoes_generation_resume_func, NULL, NULL, (GDestroyNotify)g_strfreev,
                          cancellable, resume_cb, g_steal_pointer (&task));
}

/**
 * echoes_generation_queue_resume_finish:
 *
 * Returns: how many clips were queued again (0 on error)
 */
guint
echoes_generation_queue_resume_finish (EchoesGenerationQueue  *self,
                                       GAsyncResult           *result,
                                       GError                **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  n = g_task_propagate_int (G_TASK (result), error);
  return n < 0 ? 0 : (guint)n;
}
