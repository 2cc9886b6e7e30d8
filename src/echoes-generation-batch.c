/* echoes-generation-batch.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-generation-batch"

#include "config.h"

#include "echoes-generation-batch.h"

#include <glib/gi18n.h>

#include "echoes-generation-queue.h"
#include "echoes-generation-queue-private.h"

/* The CLI's `generate`: a whole project's clips through an #EchoesGenerationQueue of
 * its own, blocking until the queue is drained. */

typedef struct
{
  EchoesGenerationProgressFunc  progress;
  gpointer                      progress_data;
  guint                         total;
  guint                         finished;
  guint                         failed;
  gboolean                      drained;
  GError                       *first_error;
  GHashTable                   *running;   /* clip id → its fraction (a boxed double) */
  double                        last;
} Batch;

/* The queue makes several clips at once: the batch reports its whole progress, which
 * only rises however the clips' reports interleave. */
static void
batch_report (Batch      *batch,
              const char *clip_id)
{
  GHashTableIter iter;
  gpointer value;
  double sum = batch->finished;

  if (batch->progress == NULL || batch->total == 0)
    return;

  g_hash_table_iter_init (&iter, batch->running);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    sum += *(double *)value;
  batch->last = MAX (batch->last, MIN (sum / batch->total, 1.0));
  batch->progress (clip_id, batch->finished, batch->total, batch->last,
                   batch->progress_data);
}

static void
batch_progress_cb (EchoesGenerationQueue *queue,
                   const char            *clip_id,
                   double                 fraction,
                   Batch                 *batch)
{
  g_hash_table_insert (batch->running, g_strdup (clip_id), g_memdup2 (&fraction, sizeof fraction));
  batch_report (batch, clip_id);
}

static void
batch_finished_cb (EchoesGenerationQueue *queue,
                   const char            *clip_id,
                   const GError          *error,
                   Batch                 *batch)
{
  if (error != NULL)
    {
      batch->failed++;
      if (batch->first_error == NULL)
        batch->first_error = g_error_copy (error);
    }

  g_hash_table_remove (batch->running, clip_id);
  batch->finished++;
  batch_report (batch, clip_id);
}

static void
batch_drained_cb (EchoesGenerationQueue *queue,
                  Batch                 *batch)
{
  batch->drained = TRUE;
}

static void
batch_cancelled_cb (GCancellable          *cancellable,
                    EchoesGenerationQueue *queue)
{
  echoes_generation_queue_cancel_all (queue);
}

static gboolean
batch_cancel_idle (gpointer user_data)
{
  echoes_generation_queue_cancel_all (user_data);
  return G_SOURCE_REMOVE;
}

static void
batch_cancelled_any_thread_cb (GCancellable *cancellable,
                               gpointer      user_data)
{
  GMainContext *context = g_object_get_data (G_OBJECT (user_data), "echoes-batch-context");

  /* "cancelled" may be emitted in any thread; the queue lives in the batch's context. */
  if (g_main_context_is_owner (context))
    batch_cancelled_cb (cancellable, user_data);
  else
    g_main_context_invoke_full (context, G_PRIORITY_HIGH, batch_cancel_idle,
                                g_object_ref (user_data), g_object_unref);
}

/**
 * echoes_generation_batch_run:
 * @store: the store
 * @registry: (nullable): where the clips' and the project's chosen providers are looked
 *   up, @provider being the default; %NULL: every clip is made with @provider
 * @provider: the provider
 * @project_id: the project
 * @progress: (nullable) (scope call): called in this thread for each clip's progress
 * @progress_data: closure for @progress
 * @n_done: (out) (optional): clips made successfully
 * @cancellable: (nullable): stops the batch (clips go back to `pending`)
 * @error: return location for an error
 *
 * Generates every pending or failed clip of @project_id, blocking: it runs its own main
 * context, so it is for the CLI and worker threads, never the UI thread. Also resumes clips
 * of this project left `generating`.
 *
 * Returns: %TRUE if every clip is ready; %FALSE with the cancellation, or with the first
 *   failure's domain and code and a translated message giving the number of failed
 *   clips and the reason (the provider's message goes to the debug log)
 */
gboolean
echoes_generation_batch_run (EchoesStore                   *store,
                             EchoesProviderRegistry        *registry,
                             EchoesVideoProvider           *provider,
                             const char                    *project_id,
                             EchoesGenerationProgressFunc   progress,
                             gpointer                       progress_data,
                             guint                         *n_done,
                             GCancellable                  *cancellable,
                             GError                       **error)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(EchoesGenerationQueue) queue = NULL;
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GHashTable) running = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  Batch batch = { progress, progress_data, 0, 0, 0, FALSE, NULL, running, 0.0 };
  gulong cancel_id = 0;

  g_return_val_if_fail (ECHOES_IS_STORE (store), FALSE);
  g_return_val_if_fail (registry == NULL || ECHOES_IS_PROVIDER_REGISTRY (registry), FALSE);
  g_return_val_if_fail (ECHOES_IS_VIDEO_PROVIDER (provider), FALSE);
  g_return_val_if_fail (project_id != NULL, FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_done != NULL)
    *n_done = 0;

  if (!(project = echoes_store_get_project (store, project_id, error)) ||
      !(clips = echoes_store_list_clips (store, project_id, error)))
    return FALSE;

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);

  queue = echoes_generation_queue_new (store, NULL, provider);
  echoes_generation_queue_set_registry (queue, registry);
  echoes_generation_queue_set_force_provider (queue, registry == NULL);
  g_object_set_data (G_OBJECT (queue), "echoes-batch-context", context);
  g_signal_connect (queue, "clip-progress", G_CALLBACK (batch_progress_cb), &batch);
  g_signal_connect (queue, "clip-finished", G_CALLBACK (batch_finished_cb), &batch);
  g_signal_connect (queue, "drained", G_CALLBACK (batch_drained_cb), &batch);

  for (guint i = 0; i < clips->len; i++)
    {
      EchoesClipStatus status = echoes_clip_get_status (clips->pdata[i]);

      if (status == ECHOES_CLIP_STATUS_PENDING || status == ECHOES_CLIP_STATUS_FAILED ||
          status == ECHOES_CLIP_STATUS_GENERATING)
        {
          if (status == ECHOES_CLIP_STATUS_GENERATING)
            _echoes_generation_remove_stale_temp_files (store, clips->pdata[i]);
          echoes_generation_queue_enqueue_clip (queue, echoes_clip_get_id (clips->pdata[i]));
          batch.total++;
        }
    }

  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (batch_cancelled_any_thread_cb),
                                       queue, NULL);

  while (batch.total > 0 && !batch.drained)
    g_main_context_iteration (context, TRUE);

  g_cancellable_disconnect (cancellable, cancel_id);

  /* Let late idles (cancel handler) run before the context goes away. */
  while (g_main_context_iteration (context, FALSE))
    ;

  g_clear_object (&queue);
  g_main_context_pop_thread_default (context);

  if (n_done != NULL)
    *n_done = batch.finished - batch.failed;

  if (batch.first_error != NULL)
    {
      if (g_error_matches (batch.first_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, batch.first_error);
      else
        {
          const char *reason = echoes_clip_failure_get_message (_echoes_generation_failure_from_error (batch.first_error));

          g_debug ("First failure: %s", batch.first_error->message);
          g_set_error (error, batch.first_error->domain, batch.first_error->code,
                       /* Translators: "1 of 12 clips failed: The photo cannot be read" */
                       ngettext ("%u of %u clip failed: %s", "%u of %u clips failed: %s",
                                 batch.total),
                       batch.failed, batch.total, reason);
          g_error_free (batch.first_error);
        }
      return FALSE;
    }

  return TRUE;
}
