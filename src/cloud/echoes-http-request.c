/* echoes-http-request.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-http"

#include "config.h"

#include "echoes-http-private.h"

#include <string.h>

#include "echoes-auth.h"
#include "echoes-cloud-error.h"
#include "echoes-cloud-private.h"
#include "echoes-util.h"

/* EchoesHttp's requests: each attempt sent with the token (refreshed once after a 401),
 * its answer read into memory under a cap, and the JSON calls on top. */

#define READ_CHUNK         (64 * 1024)
#define MAX_ERROR_BODY     (64 * 1024)
/* A token this close to its expiry is refreshed before the request rather than after a 401. */
#define EXPIRY_SLACK_S     10

static void
request_free (gpointer data)
{
  EchoesHttpRequest *request = data;

  g_free (request->method);
  g_free (request->url);
  g_free (request->log_url);
  g_clear_pointer (&request->headers, soup_message_headers_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request->content_type);
  echoes_secret_free (request->token);
  g_clear_object (&request->msg);
  g_clear_object (&request->stream);
  g_clear_pointer (&request->buffer, g_byte_array_unref);
  g_clear_object (&request->destination);
  g_clear_object (&request->part);
  g_clear_object (&request->out);
  g_clear_error (&request->pending);
  if (request->delay != NULL)
    g_source_destroy (request->delay);
  g_clear_pointer (&request->delay, g_source_unref);
  if (request->cancel_source != NULL)
    g_source_destroy (request->cancel_source);
  g_clear_pointer (&request->cancel_source, g_source_unref);
  g_free (request);
}

/**
 * echoes_http_response_free:
 * @response: (transfer full): a response
 *
 * Frees @response.
 */
void
echoes_http_response_free (EchoesHttpResponse *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response);
}

static JsonNode *
parse_json (GBytes  *body,
            GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  const char *data;
  gsize size = 0;

  data = g_bytes_get_data (body, &size);
  if (size == 0)
    return json_node_new (JSON_NODE_NULL);

  if (!json_parser_load_from_data (parser, data, size, &local_error))
    {
      g_set_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_BAD_RESPONSE,
                   "Malformed JSON answer: %s", local_error->message);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    return json_node_new (JSON_NODE_NULL);
  return json_node_ref (json_parser_get_root (parser));
}

/**
 * echoes_http_response_dup_json:
 * @response: a response
 * @error: return location for an error
 *
 * Parses the body of @response as JSON. An empty body gives a JSON null node; malformed or
 * truncated JSON fails with %ECHOES_CLOUD_ERROR_BAD_RESPONSE.
 *
 * Returns: (transfer full) (nullable): the parsed body
 */
JsonNode *
echoes_http_response_dup_json (EchoesHttpResponse  *response,
                               GError             **error)
{
  g_return_val_if_fail (response != NULL, NULL);

  return parse_json (response->body, error);
}

void
_echoes_http_fail (GTask  *task,
                   GError *error)
{
  EchoesHttpRequest *request = g_task_get_task_data (task);

  g_debug ("%s %s failed: %s", request->method, request->log_url, error->message);
  g_task_return_error (task, error);
  g_object_unref (task);
}

void
_echoes_http_close_stream (EchoesHttpRequest *request)
{
  if (request->stream != NULL)
    g_input_stream_close_async (request->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_clear_object (&request->stream);
}

static void
return_response (GTask *task)
{
  EchoesHttpRequest *request = g_task_get_task_data (task);
  EchoesHttpResponse *response = g_new0 (EchoesHttpResponse, 1);

  response->status = request->status;
  response->headers = soup_message_headers_ref (soup_message_get_response_headers (request->msg));
  response->body = g_byte_array_free_to_bytes (g_steal_pointer (&request->buffer));

  g_debug ("%s %s -> %u (%" G_GSIZE_FORMAT " bytes)", request->method, request->log_url,
           request->status, g_bytes_get_size (response->body));

  g_task_return_pointer (task, response, (GDestroyNotify) echoes_http_response_free);
  g_object_unref (task);
}

static void refresh_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data);

static void
body_complete (GTask *task)
{
  EchoesHttp *self = g_task_get_source_object (task);
  EchoesHttpRequest *request = g_task_get_task_data (task);
  SoupMessageHeaders *headers = soup_message_get_response_headers (request->msg);
  g_autoptr(GBytes) body = NULL;
  GError *error;

  _echoes_http_close_stream (request);

  if (SOUP_STATUS_IS_SUCCESSFUL (request->status))
    {
      return_response (task);
      return;
    }

  body = g_byte_array_free_to_bytes (g_steal_pointer (&request->buffer));
  error = _echoes_cloud_error_from_response (request->status, headers, body);
  g_debug ("%s %s -> %u (%" G_GSIZE_FORMAT " bytes)", request->method, request->log_url,
           request->status, g_bytes_get_size (body));

  /* Storage refuses an expired token with HTTP 400 or 403 ("jwt expired"), not 401: the
   * same one refresh and one retry. */
  if (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_UNAUTHORIZED)
      && request->token != NULL && !request->refreshed && self->auth != NULL)
    {
      g_debug ("%s %s: token refused, refreshing the session", request->method, request->log_url);
      g_error_free (error);
      request->refreshed = TRUE;
      echoes_auth_refresh_async (self->auth, request->token, g_task_get_cancellable (task),
                                 refresh_cb, task);
      return;
    }

  /* A 5xx after a POST may have been carried out: it is never sent twice blindly. */
  _echoes_http_retry_or_fail (task, error, headers,
                              _echoes_http_may_retry (request) && request->status >= 500
                              && request->status != SOUP_STATUS_NOT_IMPLEMENTED);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  EchoesHttpRequest *request = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (bytes == NULL)
    {
      _echoes_http_close_stream (request);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _echoes_http_fail (task, g_steal_pointer (&error));
      else
        _echoes_http_retry_or_fail (task, _echoes_cloud_error_from_io (error), NULL,
                                    _echoes_http_may_retry (request));
      return;
    }

  if (g_bytes_get_size (bytes) == 0)
    {
      body_complete (task);
      return;
    }

  if (request->buffer->len + g_bytes_get_size (bytes) > request->cap)
    {
      _echoes_http_close_stream (request);
      if (SOUP_STATUS_IS_SUCCESSFUL (request->status))
        _echoes_http_fail (task,
                           g_error_new (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_TOO_LARGE,
                                        "Answer larger than %" G_GSIZE_FORMAT " bytes refused",
                                        request->cap));
      else
        _echoes_http_fail (task, _echoes_cloud_error_from_response (request->status, NULL, NULL));
      return;
    }

  g_byte_array_append (request->buffer, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_input_stream_read_bytes_async (request->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), read_cb, task);
}

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!echoes_auth_refresh_finish (ECHOES_AUTH (object), result, &error))
    {
      _echoes_http_fail (task, g_steal_pointer (&error));
      return;
    }
  _echoes_http_start_attempt (task);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  EchoesHttp *self = g_task_get_source_object (task);
  EchoesHttpRequest *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  goffset length;

  request->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (request->stream == NULL)
    {
      gboolean retryable;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          _echoes_http_fail (task, g_steal_pointer (&error));
          return;
        }
      retryable = !(request->flags & ECHOES_HTTP_NO_RETRY)
                  && (_echoes_http_may_retry (request) || _echoes_http_never_sent (error));
      _echoes_http_retry_or_fail (task, _echoes_cloud_error_from_io (error), NULL, retryable);
      return;
    }

  request->status = soup_message_get_status (request->msg);
  headers = soup_message_get_response_headers (request->msg);

  /* The token was refused: refresh once (or wait for the refresh already running) and send
   * the request again with the new token. */
  if (request->status == SOUP_STATUS_UNAUTHORIZED && request->token != NULL
      && !request->refreshed && self->auth != NULL)
    {
      g_debug ("%s %s -> 401: refreshing the session", request->method, request->log_url);
      _echoes_http_close_stream (request);
      request->refreshed = TRUE;
      echoes_auth_refresh_async (self->auth, request->token, g_task_get_cancellable (task),
                                 refresh_cb, task);
      return;
    }

  /* Rate-limited: nothing was done, so even a POST may go again after the wait. */
  if (request->status == 429
      && !(request->flags & ECHOES_HTTP_NO_RETRY) && request->attempt < self->max_tries)
    {
      g_autoptr(SoupMessageHeaders) kept = soup_message_headers_ref (headers);

      _echoes_http_close_stream (request);
      _echoes_http_retry_or_fail (task,
                                  _echoes_cloud_error_from_response (request->status, NULL, NULL),
                                  kept, TRUE);
      return;
    }

  if (request->destination != NULL && SOUP_STATUS_IS_SUCCESSFUL (request->status))
    {
      _echoes_http_download_body (task);
      return;
    }

  request->cap = SOUP_STATUS_IS_SUCCESSFUL (request->status) ? self->max_body_size : MAX_ERROR_BODY;
  length = soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
           ? soup_message_headers_get_content_length (headers) : -1;

  /* A body announced larger than the cap is refused before a byte of it is read. */
  if (length > 0 && (guint64) length > request->cap)
    {
      _echoes_http_close_stream (request);
      if (SOUP_STATUS_IS_SUCCESSFUL (request->status))
        _echoes_http_fail (task,
                           g_error_new (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_TOO_LARGE,
                                        "Answer of %" G_GOFFSET_FORMAT " bytes refused (cap %" G_GSIZE_FORMAT ")",
                                        length, request->cap));
      else
        _echoes_http_retry_or_fail (task,
                                    _echoes_cloud_error_from_response (request->status, headers, NULL),
                                    headers,
                                    _echoes_http_may_retry (request) && request->status >= 500);
      return;
    }

  g_clear_pointer (&request->buffer, g_byte_array_unref);
  request->buffer = g_byte_array_sized_new (length > 0 ? (guint) length : 0);
  g_input_stream_read_bytes_async (request->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), read_cb, task);
}

static void
add_header_cb (const char *name,
               const char *value,
               gpointer    user_data)
{
  soup_message_headers_replace (user_data, name, value);
}

void
_echoes_http_start_attempt (GTask *task)
{
  EchoesHttp *self = g_task_get_source_object (task);
  EchoesHttpRequest *request = g_task_get_task_data (task);
  SoupMessageHeaders *headers;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  g_clear_object (&request->msg);
  g_clear_object (&request->stream);
  g_clear_pointer (&request->buffer, g_byte_array_unref);
  g_clear_pointer (&request->token, g_free);

  if (self->auth != NULL && request->same_host && !(request->flags & ECHOES_HTTP_ANONYMOUS))
    {
      request->token = echoes_auth_dup_access_token (self->auth);

      if (request->token == NULL && (request->flags & ECHOES_HTTP_REQUIRE_SESSION))
        {
          _echoes_http_fail (task, g_error_new_literal (ECHOES_CLOUD_ERROR,
                                                        ECHOES_CLOUD_ERROR_NOT_SIGNED_IN,
                                                        "Not signed in"));
          return;
        }

      /* After a suspend the refresh timer may be late: refresh first, not after a 401. */
      if (request->token != NULL && !request->refreshed
          && echoes_auth_get_expires_at (self->auth) > 0
          && echoes_auth_get_expires_at (self->auth) <= g_get_real_time () / G_USEC_PER_SEC + EXPIRY_SLACK_S)
        {
          request->refreshed = TRUE;
          echoes_auth_refresh_async (self->auth, request->token, g_task_get_cancellable (task),
                                     refresh_cb, task);
          return;
        }
    }

  request->msg = soup_message_new (request->method, request->url);
  if (request->msg == NULL)
    {
      _echoes_http_fail (task, g_error_new (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_FAILED,
                                            "Invalid URL %s", request->log_url));
      return;
    }

  request->attempt++;
  headers = soup_message_get_request_headers (request->msg);
  if (request->same_host)
    soup_message_headers_replace (headers, "apikey", self->anon_key);
  if (request->token != NULL)
    echoes_http_headers_set_bearer (headers, request->token);
  if (request->json)
    soup_message_headers_replace (headers, "Accept", "application/json");
  if (request->headers != NULL)
    soup_message_headers_foreach (request->headers, add_header_cb, headers);
  if (request->body != NULL)
    soup_message_set_request_body_from_bytes (request->msg, request->content_type, request->body);
  if (request->destination != NULL)
    {
      /* Sizes are checked against Content-Length: take the bytes as stored. */
      soup_message_disable_feature (request->msg, SOUP_TYPE_CONTENT_DECODER);
      soup_message_headers_replace (headers, "Accept-Encoding", "identity");
    }

  soup_session_send_async (self->session, request->msg, G_PRIORITY_DEFAULT,
                           g_task_get_cancellable (task), sent_cb, task);
}

GTask *
_echoes_http_request_new (EchoesHttp          *self,
                          const char          *method,
                          const char          *path,
                          SoupMessageHeaders  *headers,
                          GBytes              *body,
                          const char          *content_type,
                          EchoesHttpFlags      flags,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  EchoesHttpRequest *request = g_new0 (EchoesHttpRequest, 1);

  request->method = g_ascii_strup (method, -1);
  if (flags & ECHOES_HTTP_ABSOLUTE_URL)
    {
      g_autoptr(GUri) uri = g_uri_parse (path, G_URI_FLAGS_NONE, NULL);

      request->url = g_strdup (path);
      request->same_host = uri != NULL && self->host != NULL
                           && g_ascii_strcasecmp (g_uri_get_host (uri), self->host) == 0;
    }
  else
    {
      request->url = g_strconcat (self->url, path, NULL);
      request->same_host = TRUE;
    }
  request->log_url = _echoes_cloud_loggable_url (request->url);
  request->headers = headers != NULL ? soup_message_headers_ref (headers) : NULL;
  request->body = body != NULL ? g_bytes_ref (body) : NULL;
  request->content_type = g_strdup (content_type);
  request->flags = flags;
  g_task_set_task_data (task, request, request_free);

  return task;
}

/**
 * echoes_http_send_async:
 * @self: a #EchoesHttp
 * @method: the HTTP method
 * @path: a path below the base URL with its query (already encoded, see
 *   echoes_http_build_url()), or an absolute URL with %ECHOES_HTTP_ABSOLUTE_URL
 * @headers: (nullable): extra request headers (a %SOUP_MESSAGE_HEADERS_REQUEST)
 * @body: (nullable): the request body
 * @content_type: (nullable): the body's type
 * @flags: how to send it
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the answer was read
 * @user_data: data for @callback
 *
 * Sends a request, retrying and refreshing the session as described in the header, and
 * reads its answer (at most #EchoesHttp:max-body-size bytes).
 */
void
echoes_http_send_async (EchoesHttp          *self,
                        const char          *method,
                        const char          *path,
                        SoupMessageHeaders  *headers,
                        GBytes              *body,
                        const char          *content_type,
                        EchoesHttpFlags      flags,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (ECHOES_IS_HTTP (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = _echoes_http_request_new (self, method, path, headers, body, content_type, flags,
                                   cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_http_send_async);
  _echoes_http_start_attempt (task);
}

/**
 * echoes_http_send_finish:
 * @self: a #EchoesHttp
 * @result: the result
 * @error: return location for an error
 *
 * Gets the answer of echoes_http_send_async(). Any status but 2xx is an error in
 * %ECHOES_CLOUD_ERROR.
 *
 * Returns: (transfer full): the answer, or %NULL with @error set
 */
EchoesHttpResponse *
echoes_http_send_finish (EchoesHttp    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (ECHOES_IS_HTTP (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
send_json_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(EchoesHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  response = g_task_propagate_pointer (G_TASK (result), &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if ((node = parse_json (response->body, &error)) == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

/**
 * echoes_http_send_json_async:
 * @self: a #EchoesHttp
 * @method: the HTTP method
 * @path: as for echoes_http_send_async()
 * @headers: (nullable): extra request headers
 * @body: (nullable): a JSON body
 * @flags: how to send it
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the parsed answer
 * @user_data: data for @callback
 *
 * Like echoes_http_send_async() with a JSON body and a JSON answer.
 */
void
echoes_http_send_json_async (EchoesHttp          *self,
                             const char          *method,
                             const char          *path,
                             SoupMessageHeaders  *headers,
                             JsonNode            *body,
                             EchoesHttpFlags      flags,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GBytes) bytes = NULL;
  GTask *outer;
  GTask *task;

  g_return_if_fail (ECHOES_IS_HTTP (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  if (body != NULL)
    {
      char *text = json_to_string (body, FALSE);

      bytes = g_bytes_new_take (text, strlen (text));
    }

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, echoes_http_send_json_async);

  task = _echoes_http_request_new (self, method, path, headers, bytes,
                                   bytes != NULL ? "application/json" : NULL,
                                   flags, cancellable, send_json_cb, outer);
  ((EchoesHttpRequest *) g_task_get_task_data (task))->json = TRUE;
  _echoes_http_start_attempt (task);
}

/**
 * echoes_http_send_json_finish:
 * @self: a #EchoesHttp
 * @result: the result
 * @error: return location for an error
 *
 * Gets the answer of echoes_http_send_json_async(): a JSON null node for an empty body.
 * Malformed or truncated JSON fails with %ECHOES_CLOUD_ERROR_BAD_RESPONSE.
 *
 * Returns: (transfer full): the parsed answer, or %NULL with @error set
 */
JsonNode *
echoes_http_send_json_finish (EchoesHttp    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (ECHOES_IS_HTTP (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * echoes_http_return_boolean_cb:
 * @object: the #EchoesHttp
 * @result: the result of echoes_http_send_json_async()
 * @user_data: (transfer full): a #GTask
 *
 * For a request whose answer does not matter, only its success: the task returns %TRUE,
 * or the request's error.
 */
void
echoes_http_return_boolean_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;

  node = echoes_http_send_json_finish (ECHOES_HTTP (object), result, &error);
  if (node == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}
