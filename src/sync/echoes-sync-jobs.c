/* echoes-sync-jobs.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-sync-engine"

#include "config.h"

#include "echoes-sync-engine-private.h"

/* The sync engine's store jobs, run on the store's worker thread (see echoes-sync-engine.c). */

void
_echoes_sync_job_free (Job *job)
{
  g_free (job->entity);
  g_free (job->id);
  g_free (job->key);
  g_free (job->value);
  g_free (job->path);
  g_free (job->url);
  g_clear_pointer (&job->rows, g_ptr_array_unref);
  g_free (job);
}

void
_echoes_sync_upload_info_free (UploadInfo *info)
{
  g_free (info->relative);
  g_free (info->absolute);
  g_free (info->project_id);
  g_free (info->url);
  g_free (info);
}


Job *
_echoes_sync_job_new (JobKind kind)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  return job;
}

static gboolean
signed_in (EchoesStore  *store,
           Job          *job,
           GError      **error)
{
  g_auto(GStrv) local = NULL;

  if (!echoes_store_set_default_synced (store, TRUE, error) ||
      (job->value && !echoes_store_set_sync_value (store, "account", job->value, error)))
    return FALSE;

  if (!job->flag)
    return TRUE;

  if (!(local = echoes_store_dup_project_ids (store, FALSE, error)))
    return FALSE;
  for (guint i = 0; local[i]; i++)
    if (!echoes_store_keep_in_account (store, local[i], error))
      return FALSE;

  return TRUE;
}

static gpointer
job_run (EchoesStore   *store,
         gpointer       data,
         GCancellable  *cancellable,
         GError       **error)
{
  Job *job = data;

  switch (job->kind)
    {
    case JOB_LIST_OUTBOX:
      return echoes_store_list_outbox (store, error);

    case JOB_READ_ROW:
      return echoes_store_dup_sync_row (store, job->entity, job->id, error);

    case JOB_READ_ROWS:
      return _echoes_sync_read_rows (store, job, error);

    case JOB_OUTBOX_DONE:
      return GINT_TO_POINTER (echoes_store_outbox_done (store, job->seq, job->revision, error));

    case JOB_OUTBOX_FAILED:
      return GINT_TO_POINTER (echoes_store_outbox_failed (store, job->seq, job->when, job->value,
                                                          error));

    case JOB_UPLOAD_INFO:
      return _echoes_sync_read_upload_info (store, job, error);

    case JOB_SET_UPLOAD:
      return GINT_TO_POINTER (echoes_store_set_upload (store, job->id, job->entity, job->path,
                                                       job->url, job->offset, job->size, error));

    case JOB_CLEAR_UPLOAD:
      return GINT_TO_POINTER (echoes_store_clear_upload (store, job->id, job->entity, error));

    case JOB_GET_CURSOR:
      {
        g_autoptr(GError) local_error = NULL;
        g_autofree char *value = echoes_store_dup_sync_value (store, job->key, &local_error);

        if (local_error)
          {
            g_propagate_error (error, g_steal_pointer (&local_error));
            return NULL;
          }
        return g_strdup (value ?: job->value ?: "0");
      }

    case JOB_APPLY:
      {
        g_autofree char *cursor = g_strdup_printf ("%" G_GINT64_FORMAT, job->when);

        if (!echoes_store_apply_remote (store, job->entity, job->rows, error) ||
            !echoes_store_set_sync_value (store, job->key, cursor, error))
          return NULL;
        return GINT_TO_POINTER (TRUE);
      }

    case JOB_MISSING_MEDIA:
      return echoes_store_list_missing_media (store, error);

    case JOB_PREPARE_DOWNLOAD:
      return _echoes_sync_prepare_download (job, error);

    case JOB_FINISH_DOWNLOAD:
      return GINT_TO_POINTER (_echoes_sync_finish_download (job, error));

    case JOB_SIGNED_IN:
      return GINT_TO_POINTER (signed_in (store, job, error));

    case JOB_LIST_LOCAL:
      return echoes_store_dup_project_ids (store, FALSE, error);

    case JOB_KEEP_IN_ACCOUNT:
      return GINT_TO_POINTER (echoes_store_keep_in_account (store, job->id, error));

    case JOB_SIGNED_OUT:
      return GINT_TO_POINTER (echoes_store_set_default_synced (store, FALSE, error));

    default:
      g_assert_not_reached ();
    }
}

static GDestroyNotify
job_result_destroy (JobKind kind)
{
  switch (kind)
    {
    case JOB_LIST_OUTBOX:
    case JOB_READ_ROWS:
    case JOB_MISSING_MEDIA:
      return (GDestroyNotify)g_ptr_array_unref;
    case JOB_READ_ROW:
      return (GDestroyNotify)g_variant_unref;
    case JOB_UPLOAD_INFO:
      return (GDestroyNotify)_echoes_sync_upload_info_free;
    case JOB_GET_CURSOR:
    case JOB_PREPARE_DOWNLOAD:
      return g_free;
    case JOB_LIST_LOCAL:
      return (GDestroyNotify)g_strfreev;
    case JOB_OUTBOX_DONE:
    case JOB_OUTBOX_FAILED:
    case JOB_SET_UPLOAD:
    case JOB_CLEAR_UPLOAD:
    case JOB_APPLY:
    case JOB_FINISH_DOWNLOAD:
    case JOB_SIGNED_IN:
    case JOB_KEEP_IN_ACCOUNT:
    case JOB_SIGNED_OUT:
    default:
      return NULL;
    }
}

void
_echoes_sync_run_job (EchoesSyncEngine    *self,
                      Job                 *job,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  echoes_store_run_async (self->store, job_run, job, (GDestroyNotify)_echoes_sync_job_free,
                          job_result_destroy (job->kind), cancellable, callback, user_data);
}
