/* echoes-sync-remote.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ECHOES_SYNC_ERROR (echoes_sync_error_quark ())

/**
 * EchoesSyncError:
 * @ECHOES_SYNC_ERROR_FAILED: the server refused or failed
 * @ECHOES_SYNC_ERROR_OFFLINE: there is no network
 * @ECHOES_SYNC_ERROR_NETWORK: the server could not be reached, or the connection dropped
 * @ECHOES_SYNC_ERROR_NOT_FOUND: the row or file is not on the server
 * @ECHOES_SYNC_ERROR_BAD_RESPONSE: the server's answer makes no sense (a size mismatch…)
 * @ECHOES_SYNC_ERROR_UPLOAD_EXPIRED: a resumable upload is gone; it starts again
 * @ECHOES_SYNC_ERROR_NOT_SIGNED_IN: the account's session ended
 * @ECHOES_SYNC_ERROR_OTHER_ACCOUNT: the synced projects here belong to another account
 *
 * Errors of the sync layer (`src/sync/`). Messages are for logs; the UI words them.
 */
typedef enum
{
  ECHOES_SYNC_ERROR_FAILED,
  ECHOES_SYNC_ERROR_OFFLINE,
  ECHOES_SYNC_ERROR_NETWORK,
  ECHOES_SYNC_ERROR_NOT_FOUND,
  ECHOES_SYNC_ERROR_BAD_RESPONSE,
  ECHOES_SYNC_ERROR_UPLOAD_EXPIRED,
  ECHOES_SYNC_ERROR_NOT_SIGNED_IN,
  ECHOES_SYNC_ERROR_OTHER_ACCOUNT,
} EchoesSyncError;

GQuark echoes_sync_error_quark (void);

/**
 * ECHOES_SYNC_RESUMABLE_THRESHOLD:
 *
 * Files larger than this (6 MiB, the server's chunk size) go up by resumable (TUS)
 * upload.
 */
#define ECHOES_SYNC_RESUMABLE_THRESHOLD (6 * 1024 * 1024)

/**
 * EchoesSyncUploadProgress:
 * @upload_url: (nullable): the resumable upload's URL, once the server made one
 * @offset: how many bytes the server has
 * @size: the file's size
 * @user_data: the data given with the callback
 *
 * Called on the caller's main context as an upload goes; the engine keeps @upload_url
 * and @offset in the store so that an upload resumes after a restart.
 */
typedef void (*EchoesSyncUploadProgress) (const char *upload_url,
                                          gint64      offset,
                                          gint64      size,
                                          gpointer    user_data);

/**
 * ECHOES_SYNC_PUSH_ROW_TYPE:
 *
 * The #GVariant type of a row given to echoes_sync_remote_push_rows_async(): its id and
 * its fields (each with the time it was written).
 */
#define ECHOES_SYNC_PUSH_ROW_TYPE "(sa{s(vx)})"

#define ECHOES_TYPE_SYNC_REMOTE (echoes_sync_remote_get_type())

G_DECLARE_INTERFACE (EchoesSyncRemote, echoes_sync_remote, ECHOES, SYNC_REMOTE, GObject)

/**
 * EchoesSyncRemoteInterface:
 * @get_user_id: the signed-in account's id (the first folder of its media), or %NULL
 * @list_changes_async: rows of @table (`projects` or `clips`) changed on the server after
 *   @since (the server's change time, Unix microseconds), deleted ones included
 * @list_changes_finish: a #GPtrArray of #GVariant rows of type
 *   %ECHOES_STORE_SYNC_ROW_TYPE; media fields (`image`, `video`) hold object paths
 *   (`{user}/{project}/{clip}.{ext}`)
 * @push_row_async: creates or updates a row with some fields (type
 *   %ECHOES_STORE_SYNC_FIELDS_TYPE, each with the time it was written); idempotent
 * @push_row_finish: finishes @push_row_async
 * @push_rows_async: pushes many rows of @table at once, each a #GVariant of type
 *   %ECHOES_SYNC_PUSH_ROW_TYPE (its id and fields, as for @push_row_async), in as few
 *   requests as the server allows; each row succeeds or fails on its own. Optional: the
 *   default pushes them one after the other with @push_row_async
 * @push_rows_finish: a #GPtrArray with, for each row in the order given, %NULL if it was
 *   pushed or the #GError it failed with; %NULL (and @error set) only if the whole call
 *   failed (cancelled)
 * @delete_row_async: deletes a row for good; deleting a missing row succeeds
 * @delete_row_finish: finishes @delete_row_async
 * @upload_async: puts a file at @object_path of @bucket (`images` or `clips`), replacing
 *   it; resumable uploads start at @resume_offset of @resume_url when one is given
 * @upload_finish: finishes @upload_async
 * @download_async: writes an object into @destination (created or replaced)
 * @download_finish: returns the bytes written, and the size the server announced (-1 if
 *   it did not)
 * @sign_async: (nullable): a URL that reads @object_path of @bucket without the
 *   session for @expires_in seconds (a signed URL: a secret); a remote without it cannot
 *   stream, %G_IO_ERROR_NOT_SUPPORTED
 * @sign_finish: the URL
 *
 * The server as the sync engine sees it: rows with per-field times, and files. The
 * Supabase adapter implements it over the cloud clients; tests use an in-memory one.
 */
struct _EchoesSyncRemoteInterface
{
  GTypeInterface parent_iface;

  const char *(*get_user_id)         (EchoesSyncRemote          *self);

  void        (*list_changes_async)  (EchoesSyncRemote          *self,
                                      const char                *table,
                                      gint64                     since,
                                      GCancellable              *cancellable,
                                      GAsyncReadyCallback        callback,
                                      gpointer                   user_data);
  GPtrArray  *(*list_changes_finish) (EchoesSyncRemote          *self,
                                      GAsyncResult              *result,
                                      GError                   **error);
  void        (*push_row_async)      (EchoesSyncRemote          *self,
                                      const char                *table,
                                      const char                *id,
                                      GVariant                  *fields,
                                      GCancellable              *cancellable,
                                      GAsyncReadyCallback        callback,
                                      gpointer                   user_data);
  gboolean    (*push_row_finish)     (EchoesSyncRemote          *self,
                                      GAsyncResult              *result,
                                      GError                   **error);
  void        (*push_rows_async)     (EchoesSyncRemote          *self,
                                      const char                *table,
                                      GPtrArray                 *rows,
                                      GCancellable              *cancellable,
                                      GAsyncReadyCallback        callback,
                                      gpointer                   user_data);
  GPtrArray  *(*push_rows_finish)    (EchoesSyncRemote          *self,
                                      GAsyncResult              *result,
                                      GError                   **error);
  void        (*delete_row_async)    (EchoesSyncRemote          *self,
                                      const char                *table,
                                      const char                *id,
                                      GCancellable              *cancellable,
                                      GAsyncReadyCallback        callback,
                                      gpointer                   user_data);
  gboolean    (*delete_row_finish)   (EchoesSyncRemote          *self,
                                      GAsyncResult              *result,
                                      GError                   **error);
  void        (*upload_async)        (EchoesSyncRemote          *self,
                                      const char                *bucket,
                                      const char                *object_path,
                                      GFile                     *file,
                                      const char                *content_type,
                                      gboolean                   resumable,
                                      const char                *resume_url,
                                      gint64                     resume_offset,
                                      EchoesSyncUploadProgress   progress,
                                      gpointer                   progress_data,
                                      GCancellable              *cancellable,
                                      GAsyncReadyCallback        callback,
                                      gpointer                   user_data);
  gboolean    (*upload_finish)       (EchoesSyncRemote          *self,
                                      GAsyncResult              *result,
                                      GError                   **error);
  void        (*download_async)      (EchoesSyncRemote          *self,
                                      const char                *bucket,
                                      const char                *object_path,
                                      GFile                     *destination,
                                      GCancellable              *cancellable,
                                      GAsyncReadyCallback        callback,
                                      gpointer                   user_data);
  gint64      (*download_finish)     (EchoesSyncRemote          *self,
                                      GAsyncResult              *result,
                                      gint64                    *expected_size,
                                      GError                   **error);
  void        (*sign_async)          (EchoesSyncRemote          *self,
                                      const char                *bucket,
                                      const char                *object_path,
                                      guint                      expires_in,
                                      GCancellable              *cancellable,
                                      GAsyncReadyCallback        callback,
                                      gpointer                   user_data);
  char       *(*sign_finish)         (EchoesSyncRemote          *self,
                                      GAsyncResult              *result,
                                      GError                   **error);
};

const char *echoes_sync_remote_get_user_id         (EchoesSyncRemote          *self);
void        echoes_sync_remote_list_changes_async  (EchoesSyncRemote          *self,
                                                    const char                *table,
                                                    gint64                     since,
                                                    GCancellable              *cancellable,
                                                    GAsyncReadyCallback        callback,
                                                    gpointer                   user_data);
GPtrArray  *echoes_sync_remote_list_changes_finish (EchoesSyncRemote          *self,
                                                    GAsyncResult              *result,
                                                    GError                   **error);
void        echoes_sync_remote_push_row_async      (EchoesSyncRemote          *self,
                                                    const char                *table,
                                                    const char                *id,
                                                    GVariant                  *fields,
                                                    GCancellable              *cancellable,
                                                    GAsyncReadyCallback        callback,
                                                    gpointer                   user_data);
gboolean    echoes_sync_remote_push_row_finish     (EchoesSyncRemote          *self,
                                                    GAsyncResult              *result,
                                                    GError                   **error);
void        echoes_sync_remote_push_rows_async     (EchoesSyncRemote          *self,
                                                    const char                *table,
                                                    GPtrArray                 *rows,
                                                    GCancellable              *cancellable,
                                                    GAsyncReadyCallback        callback,
                                                    gpointer                   user_data);
GPtrArray  *echoes_sync_remote_push_rows_finish    (EchoesSyncRemote          *self,
                                                    GAsyncResult              *result,
                                                    GError                   **error);
GPtrArray  *echoes_sync_row_errors_new             (guint                      n_rows);
void        echoes_sync_remote_delete_row_async    (EchoesSyncRemote          *self,
                                                    const char                *table,
                                                    const char                *id,
                                                    GCancellable              *cancellable,
                                                    GAsyncReadyCallback        callback,
                                                    gpointer                   user_data);
gboolean    echoes_sync_remote_delete_row_finish   (EchoesSyncRemote          *self,
                                                    GAsyncResult              *result,
                                                    GError                   **error);
void        echoes_sync_remote_upload_async        (EchoesSyncRemote          *self,
                                                    const char                *bucket,
                                                    const char                *object_path,
                                                    GFile                     *file,
                                                    const char                *content_type,
                                                    gboolean                   resumable,
                                                    const char                *resume_url,
                                                    gint64                     resume_offset,
                                                    EchoesSyncUploadProgress   progress,
                                                    gpointer                   progress_data,
                                                    GCancellable              *cancellable,
                                                    GAsyncReadyCallback        callback,
                                                    gpointer                   user_data);
gboolean    echoes_sync_remote_upload_finish       (EchoesSyncRemote          *self,
                                                    GAsyncResult              *result,
                                                    GError                   **error);
void        echoes_sync_remote_download_async      (EchoesSyncRemote          *self,
                                                    const char                *bucket,
                                                    const char                *object_path,
                                                    GFile                     *destination,
                                                    GCancellable              *cancellable,
                                                    GAsyncReadyCallback        callback,
                                                    gpointer                   user_data);
gint64      echoes_sync_remote_download_finish     (EchoesSyncRemote          *self,
                                                    GAsyncResult              *result,
                                                    gint64                    *expected_size,
                                                    GError                   **error);

void        echoes_sync_remote_sign_async          (EchoesSyncRemote          *self,
                                                    const char                *bucket,
                                                    const char                *object_path,
                                                    guint                      expires_in,
                                                    GCancellable              *cancellable,
                                                    GAsyncReadyCallback        callback,
                                                    gpointer                   user_data);
char       *echoes_sync_remote_sign_finish         (EchoesSyncRemote          *self,
                                                    GAsyncResult              *result,
                                                    GError                   **error);

G_END_DECLS
