/* echoes-runway-server.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-runway-provider"

#include "config.h"

#include <errno.h>

#include "echoes-runway-provider-private.h"

#include "echoes-cloud-error.h"
#include "echoes-types.h"

/* EchoesRunwayProvider through the account server: steps 2–6 of a generation (see the
 * top of echoes-runway-provider.c), bottom-up: download, clip-status, generate-clip,
 * upload, rows. */

/* ---- 6. download ---- */

static void
download_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GError *error = NULL;

  echoes_storage_client_download_finish (ECHOES_STORAGE_CLIENT (object), result, &error);
  _echoes_runway_job_downloaded (user_data, error);
}

static void
job_download (Job      *job,
              JsonObject *answer)
{
  const char *url = json_object_get_string_member_with_default (answer, "video_url", NULL);
  const char *video_path = json_object_get_string_member_with_default (answer, "video_path", NULL);
  g_autoptr(GFile) output = g_file_new_for_path (job->output_path);
  g_autofree char *dir = g_path_get_dirname (job->output_path);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      _echoes_runway_job_return (job, g_error_new (ECHOES_PROVIDER_ERROR,
                                                   ECHOES_PROVIDER_ERROR_FAILED,
                                                   "Cannot create %s: %s",
                                                   dir, g_strerror (saved)));
      return;
    }

  _echoes_runway_job_report_progress (job, 0.95);
  if (url != NULL && *url != '\0')
    {
      job->in_flight = TRUE;
      echoes_storage_client_download_url_async (job->self->storage, url, output, job->cancellable,
                                                download_cb, job);
    }
  else if (video_path != NULL && *video_path != '\0')
    {
      job->in_flight = TRUE;
      echoes_storage_client_download_async (job->self->storage, "clips", video_path, output,
                                            job->cancellable, download_cb, job);
    }
  else
    _echoes_runway_job_return (job,
                               g_error_new_literal (ECHOES_PROVIDER_ERROR,
                                                    ECHOES_PROVIDER_ERROR_FAILED,
                                                    "The server gave no video for the ready clip"));
}

/* ---- 5. clip-status ---- */

static gboolean
job_settle (Job        *job,
            JsonObject *answer)
{
  const char *status = json_object_get_string_member_with_default (answer, "status", "");

  if (g_str_equal (status, "ready"))
    {
      job_download (job, answer);
      return TRUE;
    }
  if (g_str_equal (status, "failed"))
    {
      _echoes_runway_job_return (job, _echoes_runway_error_from_failure (
                    json_object_get_string_member_with_default (answer, "error", NULL)));
      return TRUE;
    }
  if (!g_str_equal (status, "generating"))
    {
      _echoes_runway_job_return (job, g_error_new (ECHOES_PROVIDER_ERROR,
                                                   ECHOES_PROVIDER_ERROR_FAILED,
                                                   "Unexpected clip status “%s”", status));
      return TRUE;
    }

  if (json_object_has_member (answer, "retry_after_seconds"))
    job->retry_after = MAX (1.0, json_object_get_double_member (answer, "retry_after_seconds"));
  _echoes_runway_job_note_progress (job, answer);
  return FALSE;
}

void
_echoes_runway_server_status_cb (GObject      *object,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;

  node = echoes_functions_client_invoke_finish (ECHOES_FUNCTIONS_CLIENT (object), result, &error);
  if (_echoes_runway_job_poll_failed (job, &error))
    return;
  if (!_echoes_runway_job_resumed (job, &error))
    return;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      _echoes_runway_job_return (job, g_error_new_literal (ECHOES_PROVIDER_ERROR,
                                                           ECHOES_PROVIDER_ERROR_FAILED,
                                                           "clip-status gave no object"));
      return;
    }

  if (!job_settle (job, json_node_get_object (node)))
    _echoes_runway_job_step_poll (job);
}

/* ---- 4. generate-clip ---- */

static void
generate_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;
  JsonObject *answer;

  node = echoes_functions_client_invoke_finish (ECHOES_FUNCTIONS_CLIENT (object), result, &error);
  if (!_echoes_runway_job_resumed (job, &error))
    return;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      _echoes_runway_job_return (job, g_error_new_literal (ECHOES_PROVIDER_ERROR,
                                                           ECHOES_PROVIDER_ERROR_FAILED,
                                                           "generate-clip gave no object"));
      return;
    }

  answer = json_node_get_object (node);
  if (json_object_has_member (answer, "retry_after_seconds"))
    job->retry_after = MAX (1.0, json_object_get_double_member (answer, "retry_after_seconds"));
  _echoes_runway_job_report_progress (job, 0.05);
  if (!job_settle (job, answer))
    _echoes_runway_job_step_poll (job);
}

static void
job_send_generate (Job *job)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "clip_id");
  json_builder_add_string_value (builder, job->clip_id);
  _echoes_runway_job_add_motion (job, builder, "prompt");
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  job->started = TRUE;
  job->in_flight = TRUE;
  echoes_functions_client_invoke_async (job->self->functions, "generate-clip", body,
                                        job->cancellable, generate_cb, job);
}

/* The server clip's task id before generate-clip goes out: on a resume, another one there
 * means generate-clip got through (see the top of echoes-runway-provider.c). */
static void
job_step_generate (Job *job)
{
  _echoes_runway_job_state_write (job, "server", "previous_task", job->server_task,
                                  job_send_generate);
}

/* ---- 3. upload ---- */

static void
upload_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Job *job = user_data;
  GError *error = NULL;

  echoes_storage_client_upload_finish (ECHOES_STORAGE_CLIENT (object), result, &error);
  if (!_echoes_runway_job_resumed (job, &error))
    return;

  _echoes_runway_job_report_progress (job, 0.03);
  job_step_generate (job);
}

static void
job_step_upload (Job *job)
{
  g_autoptr(GFile) file = g_file_new_for_path (job->upload_path);

  job->in_flight = TRUE;
  echoes_storage_client_upload_async (job->self->storage, "images", job->image_object, file,
                                      job->content_type, NULL, NULL, NULL, NULL,
                                      job->cancellable, upload_cb, job);
}

/* ---- 2. rows ---- */

static void
prompt_updated_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;

  node = echoes_rest_client_update_finish (ECHOES_REST_CLIENT (object), result, &error);
  if (!_echoes_runway_job_resumed (job, &error))
    return;
  job_step_upload (job);
}

static void
existing_clip_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;
  JsonObject *row;
  const char *status;
  const char *image_url;
  const char *prompt;
  const char *task_id;

  node = echoes_rest_client_select_finish (ECHOES_REST_CLIENT (object), result, &error);
  if (!_echoes_runway_job_resumed (job, &error))
    return;
  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) != 1)
    {
      /* The id is taken by a clip that is not ours. */
      _echoes_runway_job_return (job, g_error_new (ECHOES_PROVIDER_ERROR,
                                                   ECHOES_PROVIDER_ERROR_FAILED,
                                                   "Clip %s exists on the server but is not yours",
                                                   job->clip_id));
      return;
    }

  row = json_array_get_object_element (json_node_get_array (node), 0);
  status = json_object_get_string_member_with_default (row, "status", "");
  image_url = json_object_get_string_member_with_default (row, "image_url", NULL);
  prompt = json_object_get_string_member_with_default (row, "prompt", NULL);
  task_id = json_object_get_string_member_with_default (row, "provider_task_id", NULL);
  g_free (job->server_task);
  job->server_task = g_strdup (task_id);

  if (job->resume && (g_str_equal (status, "ready") || g_str_equal (status, "failed"))
      && g_strcmp0 (job->state_kind, "server") == 0 && g_strcmp0 (job->state_task, task_id) != 0)
    {
      /* Made (or failed, and refunded) by this very run while the app was away: deliver
       * it; never generate and charge again. */
      g_debug ("Clip %s was settled on the server meanwhile: fetching it", job->clip_id);
      _echoes_runway_job_report_progress (job, 0.05);
      _echoes_runway_job_poll_timeout_cb (job);
      return;
    }

  if (g_str_equal (status, "generating"))
    {
      /* Started before (another run of the app): follow it, never start again. */
      g_debug ("Clip %s is already generating on the server: following it", job->clip_id);
      job->started = TRUE;
      _echoes_runway_job_report_progress (job, 0.05);
      _echoes_runway_job_poll_timeout_cb (job);
      return;
    }

  /* The row keeps its image path (only the prompt is user-writable): send the photo there. */
  if (image_url != NULL && *image_url != '\0')
    {
      g_free (job->image_object);
      job->image_object = g_strdup (image_url);
    }

  if (g_strcmp0 (prompt, job->prompt) != 0)
    {
      const char *filters[] = { "id", NULL, NULL };
      g_autofree char *eq = g_strconcat ("eq.", job->clip_id, NULL);
      g_autoptr(JsonNode) patch = _echoes_runway_object_node_for ("prompt", job->prompt, NULL);

      filters[1] = eq;
      job->in_flight = TRUE;
      echoes_rest_client_update_async (job->self->rest, "clips", filters, patch, job->cancellable,
                                       prompt_updated_cb, job);
      return;
    }

  job_step_upload (job);
}

static void
clip_inserted_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;
  gboolean inserted = FALSE;

  node = echoes_rest_client_insert_finish (ECHOES_REST_CLIENT (object), result, &error);
  if (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_CONFLICT))
    g_clear_error (&error);
  else if (error == NULL)
    inserted = TRUE;
  if (!_echoes_runway_job_resumed (job, &error))
    return;
  if (!inserted)
    {
      g_autofree char *eq = g_strconcat ("eq.", job->clip_id, NULL);
      const char *params[] = { "select", "id,status,image_url,prompt,provider_task_id", "id", eq, NULL };

      job->in_flight = TRUE;
      echoes_rest_client_select_async (job->self->rest, "clips", params, job->cancellable,
                                       existing_clip_cb, job);
      return;
    }

  job_step_upload (job);
}

void
_echoes_runway_server_project_inserted_cb (GObject      *object,
                                           GAsyncResult *result,
                                           gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) clip = NULL;
  GError *error = NULL;

  node = echoes_rest_client_insert_finish (ECHOES_REST_CLIENT (object), result, &error);
  if (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_CONFLICT))
    g_clear_error (&error);  /* there already (sync, or an earlier clip) */
  if (!_echoes_runway_job_resumed (job, &error))
    return;

  clip = _echoes_runway_object_node_for ("id", job->clip_id,
                                         "project_id", job->project_id,
                                         "image_url", job->image_object,
                                         "prompt", job->prompt,
                                         NULL);
  job->in_flight = TRUE;
  echoes_rest_client_insert_async (job->self->rest, "clips", clip, job->cancellable,
                                   clip_inserted_cb, job);
}
