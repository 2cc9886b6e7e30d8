/* echoes-http-download.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-http"

#include "config.h"

#include "echoes-http-private.h"

#include "echoes-cloud-error.h"
#include "echoes-cloud-private.h"

/* EchoesHttp's downloads: echoes_http_download_async() and the steps of its body. */

/* Downloads: the body goes to a hidden file next to the destination, which replaces the
 * destination only once its size matches Content-Length. On any error the part file is
 * deleted: no half file is ever left under the destination's name or beside it. */

static void
part_deleted_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  EchoesHttpRequest *request = g_task_get_task_data (task);

  g_file_delete_finish (G_FILE (object), result, NULL);
  _echoes_http_fail (task, g_steal_pointer (&request->pending));
}

static void
download_fail (GTask  *task,
               GError *error)
{
  EchoesHttpRequest *request = g_task_get_task_data (task);

  _echoes_http_close_stream (request);
  request->pending = error;
  if (request->part == NULL)
    {
      _echoes_http_fail (task, g_steal_pointer (&request->pending));
      return;
    }
  /* Not cancellable: the part file goes even when the download was cancelled. */
  g_file_delete_async (request->part, G_PRIORITY_DEFAULT, NULL, part_deleted_cb, task);
}

static void
moved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  EchoesHttpRequest *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_file_move_finish (G_FILE (object), result, &error))
    {
      download_fail (task, g_steal_pointer (&error));
      return;
    }

  g_debug ("%s %s -> %u (%" G_GOFFSET_FORMAT " bytes to a file)", request->method,
           request->log_url, request->status, request->written);
  g_task_return_int (task, request->written);
  g_object_unref (task);
}

static void
spliced_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  EchoesHttpRequest *request = g_task_get_task_data (task);
  SoupMessageHeaders *headers = soup_message_get_response_headers (request->msg);
  g_autoptr(GError) error = NULL;
  goffset expected = -1;
  gssize written;

  written = g_output_stream_splice_finish (G_OUTPUT_STREAM (object), result, &error);
  g_clear_object (&request->stream);
  g_clear_object (&request->out);
  if (written < 0)
    {
      /* Local errors (a full disk) stay GIO errors; the network's become cloud errors. */
      gboolean network = error->domain != G_IO_ERROR
                         || error->code == G_IO_ERROR_PARTIAL_INPUT
                         || error->code == G_IO_ERROR_TIMED_OUT
                         || error->code == G_IO_ERROR_CONNECTION_CLOSED
                         || error->code == G_IO_ERROR_BROKEN_PIPE;

      download_fail (task, network ? _echoes_cloud_error_from_io (error) : g_steal_pointer (&error));
      return;
    }
  request->written = written;

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    expected = soup_message_headers_get_content_length (headers);
  if (expected >= 0 && expected != written)
    {
      download_fail (task, g_error_new (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_BAD_RESPONSE,
                                        "Downloaded %" G_GSSIZE_FORMAT " bytes of %" G_GOFFSET_FORMAT,
                                        written, expected));
      return;
    }

  g_file_move_async (request->part, request->destination, G_FILE_COPY_OVERWRITE,
                     G_PRIORITY_DEFAULT, g_task_get_cancellable (task), NULL, NULL, moved_cb, task);
}

static void
part_created_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  EchoesHttpRequest *request = g_task_get_task_data (task);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;

  out = g_file_create_finish (G_FILE (object), result, &error);
  if (out == NULL)
    {
      g_clear_object (&request->part);
      download_fail (task, g_steal_pointer (&error));
      return;
    }

  request->out = G_OUTPUT_STREAM (g_steal_pointer (&out));
  g_output_stream_splice_async (request->out, request->stream,
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, g_task_get_cancellable (task), spliced_cb, task);
}

void
_echoes_http_download_body (GTask *task)
{
  EchoesHttpRequest *request = g_task_get_task_data (task);
  g_autoptr(GFile) parent = g_file_get_parent (request->destination);
  g_autofree char *basename = g_file_get_basename (request->destination);
  g_autofree char *name = g_strdup_printf (".%s.%08x.part", basename, g_random_int ());

  request->part = g_file_get_child (parent, name);
  g_file_create_async (request->part, G_FILE_CREATE_PRIVATE, G_PRIORITY_DEFAULT,
                       g_task_get_cancellable (task), part_created_cb, task);
}

/**
 * echoes_http_download_async:
 * @self: a #EchoesHttp
 * @path: as for echoes_http_send_async()
 * @flags: how to send it
 * @destination: the file to write; its folder must exist
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the file is in place
 * @user_data: data for @callback
 *
 * Streams a GET answer into a temporary file in @destination's folder, checks its size
 * against Content-Length and renames it over @destination. Nothing is left on failure.
 */
void
echoes_http_download_async (EchoesHttp          *self,
                            const char          *path,
                            EchoesHttpFlags      flags,
                            GFile               *destination,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (ECHOES_IS_HTTP (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (G_IS_FILE (destination));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = _echoes_http_request_new (self, "GET", path, NULL, NULL, NULL, flags, cancellable,
                                   callback, user_data);
  g_task_set_source_tag (task, echoes_http_download_async);
  ((EchoesHttpRequest *) g_task_get_task_data (task))->destination = g_object_ref (destination);
  _echoes_http_start_attempt (task);
}

/**
 * echoes_http_download_finish:
 * @self: a #EchoesHttp
 * @result: the result
 * @error: return location for an error
 *
 * Gets the result of echoes_http_download_async().
 *
 * Returns: the size of the file, or -1 with @error set
 */
goffset
echoes_http_download_finish (EchoesHttp    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (ECHOES_IS_HTTP (self), -1);
  g_return_val_if_fail (g_task_is_valid (result, self), -1);

  return g_task_propagate_int (G_TASK (result), error);
}
