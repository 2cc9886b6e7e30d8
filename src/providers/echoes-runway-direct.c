/* echoes-runway-direct.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-runway-provider"

#include "config.h"

#include "echoes-runway-provider-private.h"

#include "echoes-cloud-error.h"
#include "echoes-runway-key.h"
#include "echoes-types.h"

/* EchoesRunwayProvider with the user's own key: straight to Runway (see the top of
 * echoes-runway-provider.c). */

/* ---- the user's own key: straight to Runway ---- */

/* The user's own key: the time left, estimated as the server does otherwise (see
 * nextPollSeconds() in supabase/functions/_shared/generation.ts) from the task's age
 * (`createdAt`) and progress, within MIN_ESTIMATE_SECONDS–MAX_ESTIMATE_SECONDS; the default
 * wait without them. */
static double
direct_retry_after (JsonObject *task,
                    double      progress)
{
  const char *created = json_object_get_string_member_with_default (task, "createdAt", NULL);
  g_autoptr(GDateTime) then = created ? g_date_time_new_from_iso8601 (created, NULL) : NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  double age;

  if (then == NULL || !(progress > 0.0 && progress < 1.0))
    return DEFAULT_RETRY_AFTER_SECONDS;
  age = g_date_time_difference (now, then) / (double) G_USEC_PER_SEC;
  if (age <= 0)
    return DEFAULT_RETRY_AFTER_SECONDS;
  return CLAMP ((age * (1.0 - progress) - MIN (PROGRESS_AGE_SECONDS, age / 2.0)) / progress,
                MIN_ESTIMATE_SECONDS, MAX_ESTIMATE_SECONDS);
}

SoupMessageHeaders *
_echoes_runway_direct_headers (EchoesRunwayProvider *self)
{
  return echoes_runway_key_new_headers (self->api_key);
}

static void
direct_cancelled_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  if (!(node = echoes_http_send_json_finish (ECHOES_HTTP (object), result, &error)))
    g_debug ("Could not cancel the Runway task: %s", error->message);
}

void
_echoes_runway_direct_cancel (Job *job)
{
  g_autofree char *path = g_strconcat ("/v1/tasks/", job->runway_task, NULL);
  g_autoptr(SoupMessageHeaders) headers = _echoes_runway_direct_headers (job->self);

  echoes_http_send_json_async (job->self->direct, "DELETE", path, headers, NULL,
                               ECHOES_HTTP_ANONYMOUS, NULL, direct_cancelled_cb, NULL);
}

static void
direct_downloaded_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GError *error = NULL;

  echoes_http_download_finish (ECHOES_HTTP (object), result, &error);
  _echoes_runway_job_downloaded (user_data, error);
}

void
_echoes_runway_direct_status_cb (GObject      *object,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;
  JsonObject *task;
  const char *status;

  node = echoes_http_send_json_finish (ECHOES_HTTP (object), result, &error);
  if (_echoes_runway_job_poll_failed (job, &error))
    return;
  if (!_echoes_runway_job_resumed (job, &error))
    return;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      _echoes_runway_job_return (job, g_error_new_literal (ECHOES_PROVIDER_ERROR,
                                                           ECHOES_PROVIDER_ERROR_FAILED,
                                                           "Runway gave no task"));
      return;
    }

  task = json_node_get_object (node);
  status = json_object_get_string_member_with_default (task, "status", "");
  if (g_str_equal (status, "SUCCEEDED"))
    {
      JsonArray *output = json_object_has_member (task, "output")
                          && JSON_NODE_HOLDS_ARRAY (json_object_get_member (task, "output"))
                          ? json_object_get_array_member (task, "output") : NULL;
      const char *url = output != NULL && json_array_get_length (output) > 0
                        ? json_array_get_string_element (output, 0) : NULL;
      g_autoptr(GFile) file = g_file_new_for_path (job->output_path);
      g_autofree char *dir = g_path_get_dirname (job->output_path);

      if (url == NULL || g_mkdir_with_parents (dir, 0755) != 0)
        {
          _echoes_runway_job_return (job, g_error_new_literal (ECHOES_PROVIDER_ERROR,
                                                               ECHOES_PROVIDER_ERROR_FAILED,
                                                               "Runway gave no video"));
          return;
        }
      _echoes_runway_job_report_progress (job, 0.95);
      job->in_flight = TRUE;
      echoes_http_download_async (job->self->direct, url,
                                  ECHOES_HTTP_ABSOLUTE_URL | ECHOES_HTTP_ANONYMOUS, file,
                                  job->cancellable, direct_downloaded_cb, job);
      return;
    }
  if (g_str_equal (status, "FAILED") || g_str_equal (status, "CANCELLED"))
    {
      const char *code = json_object_get_string_member_with_default (task, "failureCode", status);

      _echoes_runway_job_return (job, _echoes_runway_error_from_failure (code));
      return;
    }

  _echoes_runway_job_note_progress (job, task);
  job->retry_after = direct_retry_after (task, job->last_progress);
  _echoes_runway_job_step_poll (job);
}

static void
direct_started_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;
  const char *id;

  node = echoes_http_send_json_finish (ECHOES_HTTP (object), result, &error);
  if (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_INVALID_REQUEST))
    {
      /* 400: Runway names the field; the photo is the only thing we send that can be bad. */
      g_autoptr(GError) none = NULL;

      job->in_flight = FALSE;
      _echoes_runway_job_return (job, g_error_new (ECHOES_PROVIDER_ERROR,
                                                   ECHOES_PROVIDER_ERROR_IMAGE,
                                                   "Runway refused the request: %s",
                                                   error->message));
      g_clear_error (&error);
      return;
    }
  if (!_echoes_runway_job_resumed (job, &error))
    return;
  if (!JSON_NODE_HOLDS_OBJECT (node)
      || !(id = json_object_get_string_member_with_default (json_node_get_object (node), "id", NULL)))
    {
      _echoes_runway_job_return (job, g_error_new_literal (ECHOES_PROVIDER_ERROR,
                                                           ECHOES_PROVIDER_ERROR_FAILED,
                                                           "Runway gave no task id"));
      return;
    }

  job->runway_task = g_strdup (id);
  _echoes_runway_job_report_progress (job, 0.05);
  /* Kept for a restart: the next run polls this task instead of starting another. */
  _echoes_runway_job_state_write (job, "direct", "task", id, _echoes_runway_job_step_poll);
}

void
_echoes_runway_direct_start (Job *job)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(SoupMessageHeaders) headers = _echoes_runway_direct_headers (job->self);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, "gen4_turbo");
  json_builder_set_member_name (builder, "promptImage");
  json_builder_add_string_value (builder, job->data_uri);
  _echoes_runway_job_add_motion (job, builder, "promptText");
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  job->started = TRUE;
  job->in_flight = TRUE;
  /* Never sent twice: a repeat would start (and bill) a second task. */
  echoes_http_send_json_async (job->self->direct, "POST", "/v1/image_to_video", headers, body,
                               ECHOES_HTTP_ANONYMOUS | ECHOES_HTTP_NO_RETRY, job->cancellable,
                               direct_started_cb, job);
}
