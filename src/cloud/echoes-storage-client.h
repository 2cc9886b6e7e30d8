/* echoes-storage-client.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-auth.h"
#include "echoes-cloud-client.h"
#include "echoes-http.h"

/* EchoesStorageClient: Supabase Storage (`/storage/v1`) for the sync layer.
 *
 * - upload: files up to %ECHOES_STORAGE_TUS_CHUNK_SIZE go in one `POST /object/{bucket}/{path}`
 *   with `x-upsert: true` (so sending it again is harmless and it is retried); larger ones
 *   by TUS at `/storage/v1/upload/resumable` in 6 MiB chunks. @progress gets the TUS upload
 *   URL right after creation and the offset after each chunk: persist both. Pass the URL
 *   back as @resume_url (after a dropped connection or a restart): the client asks the
 *   server its offset (HEAD) and sends the rest (PATCH). When the server forgot the upload
 *   (404/410, at the HEAD or at a chunk) the client starts a new one and calls @progress
 *   with the new URL and offset 0 (so %ECHOES_CLOUD_ERROR_UPLOAD_EXPIRED is not returned).
 * - download: streams `GET /object/authenticated/{bucket}/{path}` (or a signed URL) into a
 *   temporary file next to @destination, checks its size against Content-Length, then
 *   renames it over @destination; on any error no file is left. _finish returns the size
 *   (-1 on error).
 * - create_signed_url returns an absolute URL valid @expires_in seconds (a secret: never
 *   log it); the caller asks for a new one when it expires.
 */

G_BEGIN_DECLS

/**
 * ECHOES_STORAGE_TUS_CHUNK_SIZE:
 *
 * The size of every chunk of a resumable (TUS) upload but the last: 6 MiB, as Supabase
 * Storage requires. Files larger than this go through TUS.
 */
#define ECHOES_STORAGE_TUS_CHUNK_SIZE (6 * 1024 * 1024)

/**
 * EchoesStorageProgressFunc:
 * @upload_url: (nullable): the TUS upload URL once the upload was created, %NULL for a
 *   small file sent in one request
 * @offset: how many bytes the server has
 * @total: the size of the file
 * @user_data: the data given with the function
 *
 * Called on the main context after each part of an upload. The caller persists
 * @upload_url and @offset (the sync layer keeps them in its outbox) to resume the upload
 * after a dropped connection or a restart by passing @upload_url back to
 * echoes_storage_client_upload_async().
 */
typedef void (*EchoesStorageProgressFunc) (const char *upload_url,
                                           goffset     offset,
                                           goffset     total,
                                           gpointer    user_data);

#define ECHOES_TYPE_STORAGE_CLIENT (echoes_storage_client_get_type())

G_DECLARE_FINAL_TYPE (EchoesStorageClient, echoes_storage_client, ECHOES, STORAGE_CLIENT, EchoesCloudClient)

EchoesStorageClient *echoes_storage_client_new                  (EchoesAuth                *auth);
void                 echoes_storage_client_upload_async         (EchoesStorageClient       *self,
                                                                 const char                *bucket,
                                                                 const char                *path,
                                                                 GFile                     *file,
                                                                 const char                *content_type,
                                                                 const char                *resume_url,
                                                                 EchoesStorageProgressFunc  progress,
                                                                 gpointer                   progress_data,
                                                                 GDestroyNotify             progress_destroy,
                                                                 GCancellable              *cancellable,
                                                                 GAsyncReadyCallback        callback,
                                                                 gpointer                   user_data);
gboolean             echoes_storage_client_upload_finish        (EchoesStorageClient       *self,
                                                                 GAsyncResult              *result,
                                                                 GError                   **error);
void                 echoes_storage_client_download_async       (EchoesStorageClient       *self,
                                                                 const char                *bucket,
                                                                 const char                *path,
                                                                 GFile                     *destination,
                                                                 GCancellable              *cancellable,
                                                                 GAsyncReadyCallback        callback,
                                                                 gpointer                   user_data);
goffset              echoes_storage_client_download_finish      (EchoesStorageClient       *self,
                                                                 GAsyncResult              *result,
                                                                 GError                   **error);
void                 echoes_storage_client_download_url_async   (EchoesStorageClient       *self,
                                                                 const char                *url,
                                                                 GFile                     *destination,
                                                                 GCancellable              *cancellable,
                                                                 GAsyncReadyCallback        callback,
                                                                 gpointer                   user_data);
goffset              echoes_storage_client_download_url_finish  (EchoesStorageClient       *self,
                                                                 GAsyncResult              *result,
                                                                 GError                   **error);
void                 echoes_storage_client_create_signed_url_async  (EchoesStorageClient  *self,
                                                                     const char           *bucket,
                                                                     const char           *path,
                                                                     guint                 expires_in,
                                                                     GCancellable         *cancellable,
                                                                     GAsyncReadyCallback   callback,
                                                                     gpointer              user_data);
char                *echoes_storage_client_create_signed_url_finish (EchoesStorageClient  *self,
                                                                     GAsyncResult         *result,
                                                                     GError              **error);
void                 echoes_storage_client_remove_async         (EchoesStorageClient       *self,
                                                                 const char                *bucket,
                                                                 const char * const        *paths,
                                                                 GCancellable              *cancellable,
                                                                 GAsyncReadyCallback        callback,
                                                                 gpointer                   user_data);
gboolean             echoes_storage_client_remove_finish        (EchoesStorageClient       *self,
                                                                 GAsyncResult              *result,
                                                                 GError                   **error);

G_END_DECLS
