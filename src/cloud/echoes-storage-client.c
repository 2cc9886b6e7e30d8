/* echoes-storage-client.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-storage-client"

#include "config.h"

#include "echoes-storage-client.h"

#include <string.h>

#include "echoes-cloud-error.h"

/* How many times in a row a TUS chunk may fail (each time the offset is asked again with
 * HEAD and the upload goes on from there) before the upload gives up. */
#define MAX_CHUNK_FAILURES 4

struct _EchoesStorageClient
{
  EchoesCloudClient parent_instance;
};

G_DEFINE_FINAL_TYPE (EchoesStorageClient, echoes_storage_client, ECHOES_TYPE_CLOUD_CLIENT)

static void
echoes_storage_client_class_init (EchoesStorageClientClass *klass)
{
}

static void
echoes_storage_client_init (EchoesStorageClient *self)
{
}

/**
 * echoes_storage_client_new:
 * @auth: the session
 *
 * Creates a Storage client for the session's server.
 *
 * Returns: (transfer full): a new #EchoesStorageClient
 */
EchoesStorageClient *
echoes_storage_client_new (EchoesAuth *auth)
{
  g_return_val_if_fail (ECHOES_IS_AUTH (auth), NULL);

  return g_object_new (ECHOES_TYPE_STORAGE_CLIENT, "auth", auth, NULL);
}

static char *
object_path (const char *prefix,
             const char *bucket,
             const char *path)
{
  g_autofree char *b = g_uri_escape_string (bucket, NULL, FALSE);
  g_autofree char *p = g_uri_escape_string (path, "/", FALSE);

  return g_strconcat (prefix, b, "/", p, NULL);
}

static gboolean
valid_object (const char *bucket,
              const char *path)
{
  return bucket != NULL && *bucket != '\0' && strchr (bucket, '/') == NULL
      && path != NULL && *path != '\0' && *path != '/' && strstr (path, "..") == NULL;
}

/* Upload */

typedef struct
{
  char                      *bucket;
  char                      *path;
  GFile                     *file;
  char                      *content_type;
  char                      *upload_url;
  EchoesStorageProgressFunc  progress;
  gpointer                   progress_data;
  GDestroyNotify             progress_destroy;
  goffset                    size;
  goffset                    offset;
  guint                      failures;
  GInputStream              *input;
  guint8                    *chunk;
} Upload;

static void
upload_free (gpointer data)
{
  Upload *upload = data;

  g_free (upload->bucket);
  g_free (upload->path);
  g_clear_object (&upload->file);
  g_free (upload->content_type);
  g_free (upload->upload_url);
  if (upload->progress_destroy != NULL)
    upload->progress_destroy (upload->progress_data);
  g_clear_object (&upload->input);
  g_free (upload->chunk);
  g_free (upload);
}

static void
report (Upload *upload)
{
  if (upload->progress != NULL)
    upload->progress (upload->upload_url, upload->offset, upload->size, upload->progress_data);
}

static void tus_create (GTask *task);
static void tus_send_chunk (GTask *task);
static void tus_head (GTask *task);

static void
small_uploaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(EchoesHttpResponse) response = NULL;
  GError *error = NULL;

  response = echoes_http_send_finish (ECHOES_HTTP (object), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  upload->offset = upload->size;
  report (upload);
  g_task_return_boolean (task, TRUE);
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EchoesStorageClient *self = g_task_get_source_object (task);
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = NULL;
  GCancellable *cancellable;
  GError *error = NULL;

  bytes = g_file_load_bytes_finish (G_FILE (object), result, NULL, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  upload->size = g_bytes_get_size (bytes);

  /* x-upsert: sending the same object again replaces it, so a retry is harmless. */
  soup_message_headers_replace (headers, "x-upsert", "true");
  soup_message_headers_replace (headers, "cache-control", "max-age=3600");
  path = object_path ("/storage/v1/object/", upload->bucket, upload->path);
  cancellable = g_task_get_cancellable (task);
  echoes_http_send_async (echoes_cloud_client_get_http (ECHOES_CLOUD_CLIENT (self)), "POST", path, headers, bytes, upload->content_type,
                          ECHOES_HTTP_IDEMPOTENT | ECHOES_HTTP_REQUIRE_SESSION,
                          cancellable, small_uploaded_cb, g_steal_pointer (&task));
}

static gboolean
read_offset (EchoesHttpResponse *response,
             goffset            *offset)
{
  const char *value = soup_message_headers_get_one (response->headers, "Upload-Offset");
  guint64 n = 0;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &n, NULL))
    return FALSE;
  *offset = (goffset) n;
  return TRUE;
}

static SoupMessageHeaders *
tus_headers (void)
{
  SoupMessageHeaders *headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);

  soup_message_headers_replace (headers, "Tus-Resumable", "1.0.0");
  return headers;
}

/* A chunk failed: ask the server how far it got and go on from there (an upload the server
 * forgot, 404/410, is created again by head_cb()). */
static void
tus_chunk_failed (GTask  *task,
                  GError *error)
{
  Upload *upload = g_task_get_task_data (task);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || ++upload->failures >= MAX_CHUNK_FAILURES
      || !(echoes_cloud_error_is_transient (error)
           || g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_CONFLICT)
           || g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_NOT_FOUND)
           || g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_BAD_RESPONSE)))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  g_debug ("Chunk at %" G_GOFFSET_FORMAT " failed (%s); asking the server its offset",
           upload->offset, error->message);
  g_error_free (error);
  tus_head (task);
}

static void
patched_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(EchoesHttpResponse) response = NULL;
  GError *error = NULL;
  goffset offset = 0;

  response = echoes_http_send_finish (ECHOES_HTTP (object), result, &error);
  if (response == NULL)
    {
      tus_chunk_failed (task, error);
      return;
    }
  if (!read_offset (response, &offset) || offset <= upload->offset || offset > upload->size)
    {
      tus_chunk_failed (task, g_error_new_literal (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_BAD_RESPONSE,
                                                   "TUS chunk answer without a valid Upload-Offset"));
      return;
    }

  upload->offset = offset;
  upload->failures = 0;
  report (upload);
  tus_send_chunk (task);
}

static void
chunk_read_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  EchoesStorageClient *self = g_task_get_source_object (task);
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(SoupMessageHeaders) headers = tus_headers ();
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *offset = NULL;
  GError *error = NULL;
  gsize n_read = 0;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (object), result, &n_read, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if ((goffset) n_read != MIN ((goffset) ECHOES_STORAGE_TUS_CHUNK_SIZE, upload->size - upload->offset))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "The file changed size while it was uploaded");
      g_object_unref (task);
      return;
    }

  bytes = g_bytes_new (upload->chunk, n_read);
  offset = g_strdup_printf ("%" G_GOFFSET_FORMAT, upload->offset);
  soup_message_headers_replace (headers, "Upload-Offset", offset);
  /* Not retried blindly: after a failure the offset is asked again (HEAD). */
  echoes_http_send_async (echoes_cloud_client_get_http (ECHOES_CLOUD_CLIENT (self)), "PATCH", upload->upload_url, headers, bytes,
                          "application/offset+octet-stream",
                          ECHOES_HTTP_ABSOLUTE_URL | ECHOES_HTTP_NO_RETRY | ECHOES_HTTP_REQUIRE_SESSION,
                          g_task_get_cancellable (task), patched_cb, task);
}

static void
tus_send_chunk (GTask *task)
{
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (upload->offset >= upload->size)
    {
      g_debug ("TUS upload of %" G_GOFFSET_FORMAT " bytes complete", upload->size);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  /* Local file reads are fast; seeking is synchronous on a local stream anyway. */
  if (!g_seekable_seek (G_SEEKABLE (upload->input), upload->offset, G_SEEK_SET,
                        g_task_get_cancellable (task), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  if (upload->chunk == NULL)
    upload->chunk = g_malloc (ECHOES_STORAGE_TUS_CHUNK_SIZE);
  g_input_stream_read_all_async (upload->input, upload->chunk,
                                 MIN ((goffset) ECHOES_STORAGE_TUS_CHUNK_SIZE, upload->size - upload->offset),
                                 G_PRIORITY_DEFAULT, g_task_get_cancellable (task), chunk_read_cb, task);
}

static void
head_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(EchoesHttpResponse) response = NULL;
  GError *error = NULL;
  goffset offset = 0;

  response = echoes_http_send_finish (ECHOES_HTTP (object), result, &error);
  if (response == NULL)
    {
      /* The server forgot the upload (expired or never finished creating): start again. */
      if (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_NOT_FOUND)
          || g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_FORBIDDEN))
        {
          g_debug ("The TUS upload is gone on the server: starting a new one");
          g_error_free (error);
          tus_create (task);
          return;
        }
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (!read_offset (response, &offset) || offset > upload->size)
    {
      g_task_return_new_error (task, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_BAD_RESPONSE,
                               "TUS HEAD answer without a valid Upload-Offset");
      g_object_unref (task);
      return;
    }

  g_debug ("The server has %" G_GOFFSET_FORMAT " of %" G_GOFFSET_FORMAT " bytes",
           offset, upload->size);
  upload->offset = offset;
  report (upload);
  tus_send_chunk (task);
}

static void
tus_head (GTask *task)
{
  EchoesStorageClient *self = g_task_get_source_object (task);
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(SoupMessageHeaders) headers = tus_headers ();

  echoes_http_send_async (echoes_cloud_client_get_http (ECHOES_CLOUD_CLIENT (self)), "HEAD", upload->upload_url, headers, NULL, NULL,
                          ECHOES_HTTP_ABSOLUTE_URL | ECHOES_HTTP_REQUIRE_SESSION,
                          g_task_get_cancellable (task), head_cb, task);
}

static void
created_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  EchoesHttp *http = ECHOES_HTTP (object);
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(EchoesHttpResponse) response = NULL;
  g_autoptr(GUri) base = NULL;
  g_autoptr(GUri) location = NULL;
  GError *error = NULL;
  const char *value;

  response = echoes_http_send_finish (http, result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  value = soup_message_headers_get_one (response->headers, "Location");
  base = g_uri_parse (echoes_http_get_url (http), G_URI_FLAGS_NONE, NULL);
  if (value == NULL || base == NULL
      || (location = g_uri_parse_relative (base, value, G_URI_FLAGS_NONE, NULL)) == NULL)
    {
      g_task_return_new_error (task, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_BAD_RESPONSE,
                               "TUS creation answer without a Location");
      g_object_unref (task);
      return;
    }

  g_free (upload->upload_url);
  upload->upload_url = g_uri_to_string (location);
  upload->offset = 0;
  report (upload);
  tus_send_chunk (task);
}

static char *
metadata_pair (const char *key,
               const char *value)
{
  g_autofree char *b64 = g_base64_encode ((const guchar *) value, strlen (value));

  return g_strconcat (key, " ", b64, NULL);
}

static void
tus_create (GTask *task)
{
  EchoesStorageClient *self = g_task_get_source_object (task);
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(SoupMessageHeaders) headers = tus_headers ();
  g_autofree char *length = g_strdup_printf ("%" G_GOFFSET_FORMAT, upload->size);
  g_autofree char *m1 = metadata_pair ("bucketName", upload->bucket);
  g_autofree char *m2 = metadata_pair ("objectName", upload->path);
  g_autofree char *m3 = metadata_pair ("contentType", upload->content_type);
  g_autofree char *m4 = metadata_pair ("cacheControl", "3600");
  g_autofree char *metadata = g_strjoin (",", m1, m2, m3, m4, NULL);

  g_clear_pointer (&upload->upload_url, g_free);
  soup_message_headers_replace (headers, "Upload-Length", length);
  soup_message_headers_replace (headers, "Upload-Metadata", metadata);
  soup_message_headers_replace (headers, "x-upsert", "true");

  /* Creating an upload twice only leaves an unused one behind: safe to retry. */
  echoes_http_send_async (echoes_cloud_client_get_http (ECHOES_CLOUD_CLIENT (self)), "POST", "/storage/v1/upload/resumable", headers, NULL, NULL,
                          ECHOES_HTTP_IDEMPOTENT | ECHOES_HTTP_REQUIRE_SESSION,
                          g_task_get_cancellable (task), created_cb, task);
}

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  Upload *upload = g_task_get_task_data (task);
  GError *error = NULL;

  upload->input = G_INPUT_STREAM (g_file_read_finish (G_FILE (object), result, &error));
  if (upload->input == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (upload->upload_url != NULL)
    tus_head (task);
  else
    tus_create (task);
}

static void
queried_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(GFileInfo) info = NULL;
  GError *error = NULL;

  info = g_file_query_info_finish (G_FILE (object), result, &error);
  if (info == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  upload->size = g_file_info_get_size (info);

  if (upload->size <= ECHOES_STORAGE_TUS_CHUNK_SIZE && upload->upload_url == NULL)
    {
      g_file_load_bytes_async (upload->file, g_task_get_cancellable (task), loaded_cb, task);
      return;
    }

  g_file_read_async (upload->file, G_PRIORITY_DEFAULT, g_task_get_cancellable (task), opened_cb, task);
}

/**
 * echoes_storage_client_upload_async:
 * @self: a #EchoesStorageClient
 * @bucket: the bucket, e.g. "images"
 * @path: the object's path in the bucket, e.g. `{user}/{project}/{clip}.jpg`
 * @file: the local file
 * @content_type: its MIME type
 * @resume_url: (nullable): the TUS upload URL of an earlier, unfinished upload of @file
 * @progress: (nullable): called with the upload URL and offset to persist
 * @progress_data: data for @progress
 * @progress_destroy: (nullable): frees @progress_data
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the whole file is stored
 * @user_data: data for @callback
 *
 * Uploads @file to Storage, replacing any object at @path: in one request up to
 * %ECHOES_STORAGE_TUS_CHUNK_SIZE, by resumable TUS chunks beyond (see the header).
 */
void
echoes_storage_client_upload_async (EchoesStorageClient       *self,
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
                                    gpointer                   user_data)
{
  GTask *task;
  Upload *upload;

  g_return_if_fail (ECHOES_IS_STORAGE_CLIENT (self));
  g_return_if_fail (valid_object (bucket, path));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (content_type != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_storage_client_upload_async);
  upload = g_new0 (Upload, 1);
  upload->bucket = g_strdup (bucket);
  upload->path = g_strdup (path);
  upload->file = g_object_ref (file);
  upload->content_type = g_strdup (content_type);
  upload->upload_url = g_strdup (resume_url);
  upload->progress = progress;
  upload->progress_data = progress_data;
  upload->progress_destroy = progress_destroy;
  g_task_set_task_data (task, upload, upload_free);

  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, cancellable, queried_cb, task);
}

/**
 * echoes_storage_client_upload_finish:
 * @self: a #EchoesStorageClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: %TRUE when the server has the whole file
 */
gboolean
echoes_storage_client_upload_finish (EchoesStorageClient  *self,
                                     GAsyncResult         *result,
                                     GError              **error)
{
  g_return_val_if_fail (ECHOES_IS_STORAGE_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Download */

static void
downloaded_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  goffset size;

  size = echoes_http_download_finish (ECHOES_HTTP (object), result, &error);
  if (size < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, size);
}

/**
 * echoes_storage_client_download_async:
 * @self: a #EchoesStorageClient
 * @bucket: the bucket
 * @path: the object's path
 * @destination: the local file to write (its folder must exist)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the file is in place
 * @user_data: data for @callback
 *
 * Downloads an object as the signed-in user; see the header for the temp-file rule.
 */
void
echoes_storage_client_download_async (EchoesStorageClient *self,
                                      const char          *bucket,
                                      const char          *path,
                                      GFile               *destination,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *url_path = NULL;

  g_return_if_fail (ECHOES_IS_STORAGE_CLIENT (self));
  g_return_if_fail (valid_object (bucket, path));
  g_return_if_fail (G_IS_FILE (destination));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_storage_client_download_async);

  url_path = object_path ("/storage/v1/object/authenticated/", bucket, path);
  echoes_http_download_async (echoes_cloud_client_get_http (ECHOES_CLOUD_CLIENT (self)), url_path, ECHOES_HTTP_REQUIRE_SESSION, destination,
                              cancellable, downloaded_cb, g_steal_pointer (&task));
}

/**
 * echoes_storage_client_download_finish:
 * @self: a #EchoesStorageClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: the file's size, or -1 with @error set
 */
goffset
echoes_storage_client_download_finish (EchoesStorageClient  *self,
                                       GAsyncResult         *result,
                                       GError              **error)
{
  g_return_val_if_fail (ECHOES_IS_STORAGE_CLIENT (self), -1);
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  return g_task_propagate_int (G_TASK (result), error);
}

/**
 * echoes_storage_client_download_url_async:
 * @self: a #EchoesStorageClient
 * @url: an absolute (signed) URL
 * @destination: the local file to write (its folder must exist)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the file is in place
 * @user_data: data for @callback
 *
 * Downloads from a signed URL like echoes_storage_client_download_async(); an expired URL
 * fails with %ECHOES_CLOUD_ERROR_UNAUTHORIZED or %ECHOES_CLOUD_ERROR_INVALID_REQUEST: ask
 * for a new one.
 */
void
echoes_storage_client_download_url_async (EchoesStorageClient *self,
                                          const char          *url,
                                          GFile               *destination,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ECHOES_IS_STORAGE_CLIENT (self));
  g_return_if_fail (url != NULL);
  g_return_if_fail (G_IS_FILE (destination));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_storage_client_download_url_async);

  echoes_http_download_async (echoes_cloud_client_get_http (ECHOES_CLOUD_CLIENT (self)), url, ECHOES_HTTP_ABSOLUTE_URL | ECHOES_HTTP_ANONYMOUS,
                              destination, cancellable, downloaded_cb, g_steal_pointer (&task));
}

/**
 * echoes_storage_client_download_url_finish:
 * @self: a #EchoesStorageClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: the file's size, or -1 with @error set
 */
goffset
echoes_storage_client_download_url_finish (EchoesStorageClient  *self,
                                           GAsyncResult         *result,
                                           GError              **error)
{
  return echoes_storage_client_download_finish (self, result, error);
}

/* Signed URLs */

static void
signed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EchoesHttp *http = ECHOES_HTTP (object);
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;
  const char *signed_url = NULL;

  node = echoes_http_send_json_finish (http, result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object_ = json_node_get_object (node);

      signed_url = json_object_get_string_member_with_default (object_, "signedURL", NULL);
      if (signed_url == NULL)
        signed_url = json_object_get_string_member_with_default (object_, "signedUrl", NULL);
    }
  if (signed_url == NULL || *signed_url == '\0')
    {
      g_task_return_new_error (task, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_BAD_RESPONSE,
                               "The signing answer has no signedURL");
      return;
    }

  if (g_str_has_prefix (signed_url, "http://") || g_str_has_prefix (signed_url, "https://"))
    g_task_return_pointer (task, g_strdup (signed_url), g_free);
  else if (g_str_has_prefix (signed_url, "/storage/v1/"))
    g_task_return_pointer (task, g_strconcat (echoes_http_get_url (http), signed_url, NULL), g_free);
  else
    g_task_return_pointer (task, g_strconcat (echoes_http_get_url (http), "/storage/v1",
                                              signed_url[0] == '/' ? "" : "/", signed_url, NULL),
                           g_free);
}

/**
 * echoes_storage_client_create_signed_url_async:
 * @self: a #EchoesStorageClient
 * @bucket: the bucket
 * @path: the object's path
 * @expires_in: how many seconds the URL stays valid
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the URL
 * @user_data: data for @callback
 *
 * Asks for a signed URL (`POST /storage/v1/object/sign/{bucket}/{path}`) to play or fetch
 * an object without the session, e.g. from GStreamer.
 */
void
echoes_storage_client_create_signed_url_async (EchoesStorageClient *self,
                                               const char          *bucket,
                                               const char          *path,
                                               guint                expires_in,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *url_path = NULL;
  JsonObject *object;

  g_return_if_fail (ECHOES_IS_STORAGE_CLIENT (self));
  g_return_if_fail (valid_object (bucket, path));
  g_return_if_fail (expires_in > 0);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_storage_client_create_signed_url_async);

  object = json_object_new ();
  json_object_set_int_member (object, "expiresIn", expires_in);
  body = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (body, object);

  url_path = object_path ("/storage/v1/object/sign/", bucket, path);
  echoes_http_send_json_async (echoes_cloud_client_get_http (ECHOES_CLOUD_CLIENT (self)), "POST", url_path, NULL, body,
                               ECHOES_HTTP_IDEMPOTENT | ECHOES_HTTP_REQUIRE_SESSION,
                               cancellable, signed_cb, g_steal_pointer (&task));
}

/**
 * echoes_storage_client_create_signed_url_finish:
 * @self: a #EchoesStorageClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the absolute signed URL (a secret), or %NULL with @error set
 */
char *
echoes_storage_client_create_signed_url_finish (EchoesStorageClient  *self,
                                                GAsyncResult         *result,
                                                GError              **error)
{
  g_return_val_if_fail (ECHOES_IS_STORAGE_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Remove */

/**
 * echoes_storage_client_remove_async:
 * @self: a #EchoesStorageClient
 * @bucket: the bucket
 * @paths: (array zero-terminated=1): the objects' paths
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Deletes objects (`DELETE /storage/v1/object/{bucket}`); paths that do not exist are not
 * an error.
 */
void
echoes_storage_client_remove_async (EchoesStorageClient *self,
                                    const char          *bucket,
                                    const char * const  *paths,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *url_path = NULL;
  JsonObject *object;
  JsonArray *array;

  g_return_if_fail (ECHOES_IS_STORAGE_CLIENT (self));
  g_return_if_fail (bucket != NULL && *bucket != '\0');
  g_return_if_fail (paths != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_storage_client_remove_async);

  array = json_array_new ();
  for (guint i = 0; paths[i] != NULL; i++)
    json_array_add_string_element (array, paths[i]);
  object = json_object_new ();
  json_object_set_array_member (object, "prefixes", array);
  body = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (body, object);

  escaped = g_uri_escape_string (bucket, NULL, FALSE);
  url_path = g_strconcat ("/storage/v1/object/", escaped, NULL);
  echoes_http_send_json_async (echoes_cloud_client_get_http (ECHOES_CLOUD_CLIENT (self)), "DELETE", url_path, NULL, body,
                               ECHOES_HTTP_REQUIRE_SESSION, cancellable, echoes_http_return_boolean_cb,
                               g_steal_pointer (&task));
}

/**
 * echoes_storage_client_remove_finish:
 * @self: a #EchoesStorageClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: %TRUE when the objects are gone
 */
gboolean
echoes_storage_client_remove_finish (EchoesStorageClient  *self,
                                     GAsyncResult         *result,
                                     GError              **error)
{
  g_return_val_if_fail (ECHOES_IS_STORAGE_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
