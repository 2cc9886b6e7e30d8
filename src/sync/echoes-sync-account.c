/* echoes-sync-account.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-sync-engine"

#include "config.h"

#include "echoes-sync-engine-private.h"

/* The sync engine's account calls: sign-in, sign-out, local projects, signed media URLs. */

static void
store_job_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  gpointer value = echoes_store_run_finish (ECHOES_STORE (object), result, &error);

  if (error)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, value, g_task_get_source_tag (task) ==
                                        echoes_sync_engine_list_local_projects_async ?
                                        (GDestroyNotify)g_strfreev : NULL);
}

/**
 * echoes_sync_engine_list_local_projects_async:
 *
 * Lists the local-only projects: the first sign-in asks whether to upload them.
 */
void
echoes_sync_engine_list_local_projects_async (EchoesSyncEngine    *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (ECHOES_IS_SYNC_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_sync_engine_list_local_projects_async);
  _echoes_sync_run_job (self, _echoes_sync_job_new (JOB_LIST_LOCAL), cancellable, store_job_cb, task);
}

/**
 * echoes_sync_engine_list_local_projects_finish:
 *
 * Returns: (transfer full): the ids of the local-only projects
 */
GStrv
echoes_sync_engine_list_local_projects_finish (EchoesSyncEngine  *self,
                                               GAsyncResult      *result,
                                               GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * echoes_sync_engine_signed_in_async:
 * @upload_local: %TRUE to upload every local-only project ("Keep in my account"),
 *   %FALSE to keep them on this computer only
 *
 * Records the first sign-in's answer: projects created from now on are synced, and the
 * existing local ones are uploaded or stay local-only. Then syncs.
 */
void
echoes_sync_engine_signed_in_async (EchoesSyncEngine    *self,
                                    gboolean             upload_local,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;
  Job *job;

  g_return_if_fail (ECHOES_IS_SYNC_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_sync_engine_signed_in_async);
  job = _echoes_sync_job_new (JOB_SIGNED_IN);
  job->flag = upload_local;
  job->value = g_strdup (echoes_sync_remote_get_user_id (self->remote));
  _echoes_sync_run_job (self, job, cancellable, store_job_cb, task);
  self->pull_requested = TRUE;
}

gboolean
echoes_sync_engine_signed_in_finish (EchoesSyncEngine  *self,
                                     GAsyncResult      *result,
                                     GError           **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  g_task_propagate_pointer (G_TASK (result), &local_error);
  if (local_error)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/**
 * echoes_sync_engine_keep_in_account_async:
 *
 * "Keep in my account" for one local-only project: it becomes synced and all of it is
 * queued for upload.
 */
void
echoes_sync_engine_keep_in_account_async (EchoesSyncEngine    *self,
                                          const char          *project_id,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  GTask *task;
  Job *job;

  g_return_if_fail (ECHOES_IS_SYNC_ENGINE (self));
  g_return_if_fail (project_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_sync_engine_keep_in_account_async);
  job = _echoes_sync_job_new (JOB_KEEP_IN_ACCOUNT);
  job->id = g_strdup (project_id);
  _echoes_sync_run_job (self, job, cancellable, store_job_cb, task);
}

gboolean
echoes_sync_engine_keep_in_account_finish (EchoesSyncEngine  *self,
                                           GAsyncResult      *result,
                                           GError           **error)
{
  return echoes_sync_engine_signed_in_finish (self, result, error);
}

/**
 * echoes_sync_engine_signed_out_async:
 *
 * After sign-out: stops syncing, and projects created from now on are local-only.
 * Synced projects stay here, and their pending changes stay queued for the next
 * sign-in to the same account.
 */
void
echoes_sync_engine_signed_out_async (EchoesSyncEngine    *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (ECHOES_IS_SYNC_ENGINE (self));

  echoes_sync_engine_stop (self);
  echoes_media_signer_forget (self->signer);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_sync_engine_signed_out_async);
  _echoes_sync_run_job (self, _echoes_sync_job_new (JOB_SIGNED_OUT), cancellable, store_job_cb, task);
}

gboolean
echoes_sync_engine_signed_out_finish (EchoesSyncEngine  *self,
                                      GAsyncResult      *result,
                                      GError           **error)
{
  return echoes_sync_engine_signed_in_finish (self, result, error);
}

static void
signed_media_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  gint64 *expires_at = g_task_get_task_data (task);
  GError *error = NULL;
  char *url;

  if (!(url = echoes_media_signer_sign_finish (ECHOES_MEDIA_SIGNER (object), result, expires_at,
                                               &error)))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, url, g_free);
}

/**
 * echoes_sync_engine_sign_media_async:
 * @self: an #EchoesSyncEngine
 * @clip_id: a clip of a synced project
 * @kind: `video` or `image`
 * @force_new: %TRUE when the server refused the last URL (it expired): ask for a new one
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the URL
 * @user_data: data for @callback
 *
 * A signed URL to read the clip's media from the server (to stream a video that is not
 * downloaded yet), valid for about an hour; the same URL comes back until shortly
 * before it expires. It is a secret: never log it.
 */
void
echoes_sync_engine_sign_media_async (EchoesSyncEngine    *self,
                                     const char          *clip_id,
                                     const char          *kind,
                                     gboolean             force_new,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (ECHOES_IS_SYNC_ENGINE (self));
  g_return_if_fail (clip_id != NULL && kind != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_sync_engine_sign_media_async);
  g_task_set_task_data (task, g_new0 (gint64, 1), g_free);
  echoes_media_signer_sign_async (self->signer, clip_id, kind, force_new, cancellable,
                                  signed_media_cb, task);
}

/**
 * echoes_sync_engine_sign_media_finish:
 * @self: an #EchoesSyncEngine
 * @result: the result
 * @expires_at: (out) (optional): when the URL expires (real time, µs)
 * @error: return location for an error
 *
 * Returns: (transfer full): the URL, or %NULL with @error set
 */
char *
echoes_sync_engine_sign_media_finish (EchoesSyncEngine  *self,
                                      GAsyncResult      *result,
                                      gint64            *expires_at,
                                      GError           **error)
{
  char *url;

  g_return_val_if_fail (ECHOES_IS_SYNC_ENGINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  url = g_task_propagate_pointer (G_TASK (result), error);
  if (expires_at != NULL)
    *expires_at = url ? *(gint64 *) g_task_get_task_data (G_TASK (result)) : 0;
  return url;
}

/**
 * echoes_sync_engine_set_media_url_lifetime:
 * @self: an #EchoesSyncEngine
 * @seconds: how long the signed media URLs asked from now on stay valid
 *
 * For tests; the default is #ECHOES_MEDIA_URL_LIFETIME.
 */
void
echoes_sync_engine_set_media_url_lifetime (EchoesSyncEngine *self,
                                           guint             seconds)
{
  g_return_if_fail (ECHOES_IS_SYNC_ENGINE (self));
  echoes_media_signer_set_lifetime (self->signer, seconds);
}
