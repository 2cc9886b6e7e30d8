/* echoes-http-retry.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-http"

#include "config.h"

#include "echoes-http-private.h"

/* EchoesHttp's retries: which requests may go again, the backoff with jitter or the
 * server's `Retry-After`, and the wait before the next attempt. */

static gboolean
method_is_idempotent (const char *method)
{
  return g_str_equal (method, "GET") || g_str_equal (method, "HEAD")
      || g_str_equal (method, "PUT") || g_str_equal (method, "DELETE")
      || g_str_equal (method, "PATCH") || g_str_equal (method, "OPTIONS");
}

gboolean
_echoes_http_may_retry (EchoesHttpRequest *request)
{
  if (request->flags & ECHOES_HTTP_NO_RETRY)
    return FALSE;
  return (request->flags & ECHOES_HTTP_IDEMPOTENT) || method_is_idempotent (request->method);
}

/* Errors that mean the request never reached the server: even a POST may go again. */
gboolean
_echoes_http_never_sent (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND)
      || error->domain == G_RESOLVER_ERROR;
}

/* The delay before the next try: `Retry-After` when the server sent one (seconds or an HTTP
 * date), else exponential backoff with "equal jitter". -1 when the server asks for a wait
 * longer than we are willing to make. */
static gint64
retry_delay_ms (EchoesHttp         *self,
                EchoesHttpRequest  *request,
                SoupMessageHeaders *headers)
{
  const char *retry_after = headers != NULL ? soup_message_headers_get_one (headers, "Retry-After") : NULL;
  guint64 backoff;

  if (retry_after != NULL)
    {
      g_autofree char *value = g_strstrip (g_strdup (retry_after));
      guint64 seconds = 0;
      gint64 delay = -1;

      if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT32, &seconds, NULL))
        delay = (gint64) seconds * 1000;
      else
        {
          g_autoptr(GDateTime) when = soup_date_time_new_from_http_string (retry_after);
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

          if (when != NULL)
            delay = MAX (0, g_date_time_difference (when, now) / 1000);
        }

      if (delay > ECHOES_HTTP_MAX_RETRY_DELAY_MS)
        return -1;
      if (delay >= 0)
        return delay;
    }

  backoff = (guint64) self->retry_delay << MIN (request->attempt - 1, 16);
  backoff = MIN (backoff, ECHOES_HTTP_MAX_RETRY_DELAY_MS);
  return (gint64) (backoff / 2 + g_random_int_range (0, (gint32) (backoff / 2) + 1));
}

static gboolean
retry_now_cb (gpointer user_data)
{
  GTask *task = user_data;
  EchoesHttpRequest *request = g_task_get_task_data (task);

  g_clear_pointer (&request->delay, g_source_unref);
  if (request->cancel_source != NULL)
    g_source_destroy (request->cancel_source);
  g_clear_pointer (&request->cancel_source, g_source_unref);
  _echoes_http_start_attempt (task);
  return G_SOURCE_REMOVE;
}

static gboolean
retry_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  GTask *task = user_data;
  EchoesHttpRequest *request = g_task_get_task_data (task);

  if (request->delay != NULL)
    g_source_destroy (request->delay);
  g_clear_pointer (&request->delay, g_source_unref);
  g_clear_pointer (&request->cancel_source, g_source_unref);
  g_task_return_error_if_cancelled (task);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* Takes the task's reference. */
static void
schedule_retry (GTask  *task,
                gint64  delay)
{
  EchoesHttpRequest *request = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  g_debug ("%s %s: trying again in %" G_GINT64_FORMAT " ms (try %u)",
           request->method, request->log_url, delay, request->attempt + 1);

  request->delay = g_timeout_source_new ((guint) delay);
  /* The task's one reference goes to whichever source fires first; it destroys the other. */
  g_source_set_callback (request->delay, retry_now_cb, task, NULL);
  g_source_attach (request->delay, g_task_get_context (task));

  if (cancellable != NULL)
    {
      request->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (request->cancel_source, G_SOURCE_FUNC (retry_cancelled_cb),
                             task, NULL);
      g_source_attach (request->cancel_source, g_task_get_context (task));
    }
}

/* A retryable failure of this attempt: schedules the next or fails. Takes the task ref. */
void
_echoes_http_retry_or_fail (GTask              *task,
                            GError             *error,
                            SoupMessageHeaders *headers,
                            gboolean            retryable)
{
  EchoesHttp *self = g_task_get_source_object (task);
  EchoesHttpRequest *request = g_task_get_task_data (task);
  gint64 delay;

  if (!retryable || request->attempt >= self->max_tries
      || g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      _echoes_http_fail (task, error);
      return;
    }

  delay = retry_delay_ms (self, request, headers);
  if (delay < 0)
    {
      _echoes_http_fail (task, error);
      return;
    }

  g_debug ("%s %s: %s", request->method, request->log_url, error->message);
  g_error_free (error);
  schedule_retry (task, delay);
}
