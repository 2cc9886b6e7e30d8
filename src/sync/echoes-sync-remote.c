/* echoes-sync-remote.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-sync-remote"

#include "config.h"

#include "echoes-sync-remote.h"

/**
 * EchoesSyncRemote:
 *
 * The server half of a sync, as an interface, so that #EchoesSyncEngine can run against
 * Supabase (#EchoesSupabaseRemote) or an in-memory server in tests.
 */

G_DEFINE_INTERFACE (EchoesSyncRemote, echoes_sync_remote, G_TYPE_OBJECT)
G_DEFINE_QUARK (echoes-sync-error-quark, echoes_sync_error)

/* ---- push_rows: the default, one row after the other ---- */

typedef struct
{
  char      *table;
  GPtrArray *rows;    /* (owned) GVariant */
  GPtrArray *errors;  /* (owned) GError or NULL per row */
  guint      index;
} RowsPush;

static void
rows_push_free (RowsPush *push)
{
  g_free (push->table);
  g_ptr_array_unref (push->rows);
  g_ptr_array_unref (push->errors);
  g_free (push);
}

static void
error_free0 (gpointer error)
{
  if (error != NULL)
    g_error_free (error);
}

/**
 * echoes_sync_row_errors_new:
 * @n_rows: how many rows
 *
 * Makes the result of echoes_sync_remote_push_rows_finish() for @n_rows rows, every one
 * pushed (%NULL) until set otherwise; for implementations of the interface.
 *
 * Returns: (transfer full): a new array of @n_rows %NULL errors
 */
GPtrArray *
echoes_sync_row_errors_new (guint n_rows)
{
  GPtrArray *errors = g_ptr_array_new_full (n_rows, error_free0);

  g_ptr_array_set_size (errors, n_rows);
  return errors;
}

static void push_rows_next (GTask *task);

static void
default_row_pushed_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RowsPush *push = g_task_get_task_data (task);
  GError *error = NULL;

  if (!echoes_sync_remote_push_row_finish (ECHOES_SYNC_REMOTE (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, error);
          return;
        }
      g_ptr_array_index (push->errors, push->index) = error;
    }
  push->index++;
  push_rows_next (g_steal_pointer (&task));
}

static void
push_rows_next (GTask *task)
{
  RowsPush *push = g_task_get_task_data (task);
  g_autoptr(GVariant) fields = NULL;
  const char *id;

  if (push->index >= push->rows->len)
    {
      g_task_return_pointer (task, g_ptr_array_ref (push->errors),
                             (GDestroyNotify)g_ptr_array_unref);
      g_object_unref (task);
      return;
    }

  g_variant_get (g_ptr_array_index (push->rows, push->index), "(&s@a{s(vx)})", &id, &fields);
  echoes_sync_remote_push_row_async (g_task_get_source_object (task), push->table, id, fields,
                                     g_task_get_cancellable (task), default_row_pushed_cb,
                                     task);
}

static void
default_push_rows_async (EchoesSyncRemote    *self,
                         const char          *table,
                         GPtrArray           *rows,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  RowsPush *push = g_new0 (RowsPush, 1);

  g_task_set_source_tag (task, default_push_rows_async);
  push->table = g_strdup (table);
  push->rows = g_ptr_array_ref (rows);
  push->errors = echoes_sync_row_errors_new (rows->len);
  g_task_set_task_data (task, push, (GDestroyNotify)rows_push_free);
  push_rows_next (task);
}

static GPtrArray *
default_push_rows_finish (EchoesSyncRemote  *self,
                          GAsyncResult      *result,
                          GError           **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
echoes_sync_remote_default_init (EchoesSyncRemoteInterface *iface)
{
  iface->push_rows_async = default_push_rows_async;
  iface->push_rows_finish = default_push_rows_finish;
}

/**
 * echoes_sync_remote_get_user_id:
 *
 * Returns: (nullable): the account's id, %NULL when signed out
 */
const char *
echoes_sync_remote_get_user_id (EchoesSyncRemote *self)
{
  g_return_val_if_fail (ECHOES_IS_SYNC_REMOTE (self), NULL);

  return ECHOES_SYNC_REMOTE_GET_IFACE (self)->get_user_id (self);
}

void
echoes_sync_remote_list_changes_async (EchoesSyncRemote    *self,
                                       const char          *table,
                                       gint64               since,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (ECHOES_IS_SYNC_REMOTE (self));
  g_return_if_fail (table != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  ECHOES_SYNC_REMOTE_GET_IFACE (self)->list_changes_async (self, table, since, cancellable,
                                                           callback, user_data);
}

/**
 * echoes_sync_remote_list_changes_finish:
 *
 * Returns: (transfer container) (element-type GVariant): the changed rows
 */
GPtrArray *
echoes_sync_remote_list_changes_finish (EchoesSyncRemote  *self,
                                        GAsyncResult      *result,
                                        GError           **error)
{
  g_return_val_if_fail (ECHOES_IS_SYNC_REMOTE (self), NULL);

  return ECHOES_SYNC_REMOTE_GET_IFACE (self)->list_changes_finish (self, result, error);
}

void
echoes_sync_remote_push_row_async (EchoesSyncRemote    *self,
                                   const char          *table,
                                   const char          *id,
                                   GVariant            *fields,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (ECHOES_IS_SYNC_REMOTE (self));
  g_return_if_fail (table != NULL && id != NULL && fields != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  ECHOES_SYNC_REMOTE_GET_IFACE (self)->push_row_async (self, table, id, fields, cancellable,
                                                       callback, user_data);
}

gboolean
echoes_sync_remote_push_row_finish (EchoesSyncRemote  *self,
                                    GAsyncResult      *result,
                                    GError           **error)
{
  g_return_val_if_fail (ECHOES_IS_SYNC_REMOTE (self), FALSE);

  return ECHOES_SYNC_REMOTE_GET_IFACE (self)->push_row_finish (self, result, error);
}

/**
 * echoes_sync_remote_push_rows_async:
 * @table: `projects` or `clips`
 * @rows: (element-type GVariant): the rows, each of type %ECHOES_SYNC_PUSH_ROW_TYPE
 *
 * Pushes many rows of one table; each succeeds or fails on its own, as if pushed with
 * echoes_sync_remote_push_row_async(), but in fewer requests where the server allows.
 */
void
echoes_sync_remote_push_rows_async (EchoesSyncRemote    *self,
                                    const char          *table,
                                    GPtrArray           *rows,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (ECHOES_IS_SYNC_REMOTE (self));
  g_return_if_fail (table != NULL && rows != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  ECHOES_SYNC_REMOTE_GET_IFACE (self)->push_rows_async (self, table, rows, cancellable,
                                                        callback, user_data);
}

/**
 * echoes_sync_remote_push_rows_finish:
 *
 * Returns: (transfer full) (element-type GError) (nullable): for each row in the order
 *   given, %NULL if it was pushed, else why not; %NULL if the whole push failed
 */
GPtrArray *
echoes_sync_remote_push_rows_finish (EchoesSyncRemote  *self,
                                     GAsyncResult      *result,
                                     GError           **error)
{
  g_return_val_if_fail (ECHOES_IS_SYNC_REMOTE (self), NULL);

  return ECHOES_SYNC_REMOTE_GET_IFACE (self)->push_rows_finish (self, result, error);
}

void
echoes_sync_remote_delete_row_async (EchoesSyncRemote    *self,
                                     const char          *table,
                                     const char          *id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (ECHOES_IS_SYNC_REMOTE (self));
  g_return_if_fail (table != NULL && id != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  ECHOES_SYNC_REMOTE_GET_IFACE (self)->delete_row_async (self, table, id, cancellable,
                                                         callback, user_data);
}

gboolean
echoes_sync_remote_delete_row_finish (EchoesSyncRemote  *self,
                                      GAsyncResult      *result,
                                      GError           **error)
{
  g_return_val_if_fail (ECHOES_IS_SYNC_REMOTE (self), FALSE);

  return ECHOES_SYNC_REMOTE_GET_IFACE (self)->delete_row_finish (self, result, error);
}

void
echoes_sync_remote_upload_async (EchoesSyncRemote         *self,
                                 const char               *bucket,
                                 const char               *object_path,
                                 GFile                    *file,
                                 const char               *content_type,
                                 gboolean                  resumable,
                                 const char               *resume_url,
                                 gint64                    resume_offset,
                                 EchoesSyncUploadProgress  progress,
                                 gpointer                  progress_data,
                                 GCancellable             *cancellable,
                                 GAsyncReadyCallback       callback,
                                 gpointer                  user_data)
{
  g_return_if_fail (ECHOES_IS_SYNC_REMOTE (self));
  g_return_if_fail (bucket != NULL && object_path != NULL && G_IS_FILE (file));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  ECHOES_SYNC_REMOTE_GET_IFACE (self)->upload_async (self, bucket, object_path, file, content_type,
                                                     resumable, resume_url, resume_offset,
                                                     progress, progress_data, cancellable,
                                                     callback, user_data);
}

gboolean
echoes_sync_remote_upload_finish (EchoesSyncRemote  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (ECHOES_IS_SYNC_REMOTE (self), FALSE);

  return ECHOES_SYNC_REMOTE_GET_IFACE (self)->upload_finish (self, result, error);
}

void
echoes_sync_remote_download_async (EchoesSyncRemote    *self,
                                   const char          *bucket,
                                   const char          *object_path,
                                   GFile               *destination,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (ECHOES_IS_SYNC_REMOTE (self));
  g_return_if_fail (bucket != NULL && object_path != NULL && G_IS_FILE (destination));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  ECHOES_SYNC_REMOTE_GET_IFACE (self)->download_async (self, bucket, object_path, destination,
                                                       cancellable, callback, user_data);
}

/**
 * echoes_sync_remote_download_finish:
 * @expected_size: (out) (optional): the size the server announced, -1 if unknown
 *
 * Returns: the number of bytes written, -1 on error
 */
gint64
echoes_sync_remote_download_finish (EchoesSyncRemote  *self,
                                    GAsyncResult      *result,
                                    gint64            *expected_size,
                                    GError           **error)
{
  g_return_val_if_fail (ECHOES_IS_SYNC_REMOTE (self), -1);

  return ECHOES_SYNC_REMOTE_GET_IFACE (self)->download_finish (self, result, expected_size, error);
}

/**
 * echoes_sync_remote_sign_async:
 * @self: an #EchoesSyncRemote
 * @bucket: `images` or `clips`
 * @object_path: the object
 * @expires_in: how long the URL stays valid, in seconds
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the URL
 * @user_data: data for @callback
 *
 * Asks for a URL that reads the object without the session (to stream it). A remote
 * that cannot answers %G_IO_ERROR_NOT_SUPPORTED.
 */
void
echoes_sync_remote_sign_async (EchoesSyncRemote    *self,
                               const char          *bucket,
                               const char          *object_path,
                               guint                expires_in,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  EchoesSyncRemoteInterface *iface;

  g_return_if_fail (ECHOES_IS_SYNC_REMOTE (self));
  g_return_if_fail (bucket != NULL && object_path != NULL && expires_in > 0);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  iface = ECHOES_SYNC_REMOTE_GET_IFACE (self);
  if (iface->sign_async == NULL)
    {
      g_task_report_new_error (self, callback, user_data, echoes_sync_remote_sign_async,
                               G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "This server cannot stream media");
      return;
    }

  iface->sign_async (self, bucket, object_path, expires_in, cancellable, callback, user_data);
}

/**
 * echoes_sync_remote_sign_finish:
 * @self: an #EchoesSyncRemote
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the signed URL (a secret: never log it), or %NULL
 */
char *
echoes_sync_remote_sign_finish (EchoesSyncRemote  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (ECHOES_IS_SYNC_REMOTE (self), NULL);

  if (g_async_result_is_tagged (result, echoes_sync_remote_sign_async))
    return g_task_propagate_pointer (G_TASK (result), error);

  return ECHOES_SYNC_REMOTE_GET_IFACE (self)->sign_finish (self, result, error);
}
