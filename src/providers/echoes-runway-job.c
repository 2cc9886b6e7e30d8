/* echoes-runway-job.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-runway-provider"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "echoes-runway-provider-private.h"

#include "echoes-cloud-error.h"
#include "echoes-types.h"
#include "echoes-util.h"

/* EchoesRunwayProvider, a generation's Job on both ways (see the top of
 * echoes-runway-provider.c): its errors, the resume state file, completion, cancel and
 * the polling. */

static void
job_free (Job *job)
{
  if (job->poll_source != 0)
    g_source_destroy (g_main_context_find_source_by_id (g_task_get_context (job->task), job->poll_source));
  if (job->cancel_source != NULL)
    {
      g_source_destroy (job->cancel_source);
      g_clear_pointer (&job->cancel_source, g_source_unref);
    }
  g_signal_handlers_disconnect_by_data (job->cancellable, job);
  for (guint i = 0; job->cancel_ids && i < job->cancel_ids->len; i++)
    g_cancellable_disconnect (job->caller_cancellables->pdata[i],
                              g_array_index (job->cancel_ids, gulong, i));
  g_clear_pointer (&job->cancel_ids, g_array_unref);
  g_clear_pointer (&job->caller_cancellables, g_ptr_array_unref);
  if (job->progress_destroy != NULL)
    job->progress_destroy (job->progress_data);
  if (job->converted && job->upload_path != NULL)
    g_unlink (job->upload_path);
  g_clear_object (&job->task);
  g_clear_pointer (&job->waiters, g_ptr_array_unref);
  g_clear_object (&job->cancellable);
  g_clear_object (&job->self);
  g_free (job->clip_id);
  g_free (job->project_id);
  g_free (job->image_path);
  g_free (job->prompt);
  g_free (job->ratio);
  g_free (job->output_path);
  g_free (job->upload_path);
  g_free (job->content_type);
  g_free (job->extension);
  g_free (job->image_object);
  g_free (job->data_uri);
  g_free (job->runway_task);
  g_free (job->state_path);
  g_free (job->state_kind);
  g_free (job->state_task);
  g_free (job->server_task);
  g_free (job);
}

/* ---- errors ---- */

static GError *
provider_error_from_cloud (const GError *error)
{
  EchoesProviderError code = ECHOES_PROVIDER_ERROR_FAILED;

  if (error->domain == G_IO_ERROR && error->code == G_IO_ERROR_CANCELLED)
    return g_error_copy (error);

  if (error->domain == ECHOES_CLOUD_ERROR)
    {
      switch ((EchoesCloudError) error->code)
        {
        case ECHOES_CLOUD_ERROR_NO_CREDITS:
          code = ECHOES_PROVIDER_ERROR_NO_CREDITS;
          break;
        case ECHOES_CLOUD_ERROR_NOT_SIGNED_IN:
        case ECHOES_CLOUD_ERROR_SESSION_EXPIRED:
        case ECHOES_CLOUD_ERROR_UNAUTHORIZED:
        case ECHOES_CLOUD_ERROR_NOT_CONFIGURED:
          code = ECHOES_PROVIDER_ERROR_NOT_SIGNED_IN;
          break;
        case ECHOES_CLOUD_ERROR_NETWORK:
        case ECHOES_CLOUD_ERROR_TIMEOUT:
        case ECHOES_CLOUD_ERROR_RATE_LIMITED:
        case ECHOES_CLOUD_ERROR_SERVER:
          code = ECHOES_PROVIDER_ERROR_NETWORK;
          break;
        case ECHOES_CLOUD_ERROR_TOO_LARGE:
          code = ECHOES_PROVIDER_ERROR_IMAGE;
          break;
        case ECHOES_CLOUD_ERROR_FAILED:
        case ECHOES_CLOUD_ERROR_INVALID_CREDENTIALS:
        case ECHOES_CLOUD_ERROR_EMAIL_NOT_CONFIRMED:
        case ECHOES_CLOUD_ERROR_EMAIL_TAKEN:
        case ECHOES_CLOUD_ERROR_WEAK_PASSWORD:
        case ECHOES_CLOUD_ERROR_SIGNUP_DISABLED:
        case ECHOES_CLOUD_ERROR_FORBIDDEN:
        case ECHOES_CLOUD_ERROR_NOT_FOUND:
        case ECHOES_CLOUD_ERROR_CONFLICT:
        case ECHOES_CLOUD_ERROR_INVALID_REQUEST:
        case ECHOES_CLOUD_ERROR_BAD_RESPONSE:
        case ECHOES_CLOUD_ERROR_UPLOAD_EXPIRED:
        case ECHOES_CLOUD_ERROR_OAUTH_FAILED:
        case ECHOES_CLOUD_ERROR_KEYRING:
        default:
          break;
        }
    }

  return g_error_new (ECHOES_PROVIDER_ERROR, code, "%s", error->message);
}

/* clips.error of a failed clip starts with the provider's failure code. */
GError *
_echoes_runway_error_from_failure (const char *failure)
{
  EchoesProviderError code = ECHOES_PROVIDER_ERROR_FAILED;

  if (failure == NULL)
    failure = "";
  if (g_str_has_prefix (failure, "SAFETY"))
    code = ECHOES_PROVIDER_ERROR_MODERATION;
  else if (g_str_has_prefix (failure, "ASSET.INVALID"))
    code = ECHOES_PROVIDER_ERROR_IMAGE;
  else if (g_str_has_prefix (failure, "GENERATION_CANCELLED"))
    return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled on the server");

  return g_error_new (ECHOES_PROVIDER_ERROR, code, "The generation failed: %s", failure);
}

/* ---- the resume state file ---- */

/* On the worker thread: reads what the interrupted run left (resume only). */
void
_echoes_runway_job_state_read (Job *job)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  g_autofree char *dir = NULL;
  gsize len = 0;
  JsonObject *object;

  if (job->state_path == NULL)
    return;
  dir = g_path_get_dirname (job->state_path);
  g_mkdir_with_parents (dir, 0700);
  if (!job->resume || !g_file_get_contents (job->state_path, &text, &len, NULL))
    return;
  if (!json_parser_load_from_data (parser, text, len, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;

  object = json_node_get_object (json_parser_get_root (parser));
  job->state_kind = g_strdup (json_object_get_string_member_with_default (object, "kind", NULL));
  if (g_strcmp0 (job->state_kind, "direct") == 0)
    job->state_task = g_strdup (json_object_get_string_member_with_default (object, "task", NULL));
  else if (g_strcmp0 (job->state_kind, "server") == 0)
    job->state_task = g_strdup (json_object_get_string_member_with_default (object, "previous_task", NULL));
}

static void
state_written_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Job *job = user_data;
  StateWritten next = g_object_get_data (object, "echoes-next");
  g_autoptr(GError) failed = NULL;
  GError *error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &failed)
      && g_error_matches (failed, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    error = g_steal_pointer (&failed);
  else if (failed != NULL)
    g_debug ("Cannot write %s: %s", job->state_path, failed->message);  /* no resume then */
  if (!_echoes_runway_job_resumed (job, &error))
    return;
  next (job);
}

/* Writes the state file (atomically: a temporary file renamed over it), then next(). */
void
_echoes_runway_job_state_write (Job          *job,
                                const char   *kind,
                                const char   *member,
                                const char   *task,
                                StateWritten  next)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *text;

  if (job->state_path == NULL)
    {
      next (job);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind);
  json_builder_set_member_name (builder, member);
  if (task != NULL)
    json_builder_add_string_value (builder, task);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  bytes = g_bytes_new_take (text, strlen (text));

  file = g_file_new_for_path (job->state_path);
  g_object_set_data (G_OBJECT (file), "echoes-next", next);
  job->in_flight = TRUE;
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_PRIVATE,
                                       job->cancellable, state_written_cb, job);
}

static void
state_removed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_delete_finish (G_FILE (object), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_debug ("Cannot remove a generation's state: %s", error->message);
}

static void
state_remove (Job *job)
{
  g_autoptr(GFile) file = NULL;

  if (job->state_path == NULL)
    return;
  file = g_file_new_for_path (job->state_path);
  g_file_delete_async (file, G_PRIORITY_DEFAULT, NULL, state_removed_cb, NULL);
}

/* ---- completion ---- */

void
_echoes_runway_job_return (Job    *job,
                           GError *error)
{
  g_autoptr(GError) owned = error;

  if (job->done)
    return;
  job->done = TRUE;

  if (job->poll_source != 0)
    {
      g_source_destroy (g_main_context_find_source_by_id (g_task_get_context (job->task),
                                                          job->poll_source));
      job->poll_source = 0;
    }

  if (g_hash_table_lookup (job->self->jobs, job->clip_id) == job)
    g_hash_table_remove (job->self->jobs, job->clip_id);

  /* Over (made, failed or cancelled): nothing to resume. Detached: the next run resumes. */
  if (!job->detached)
    state_remove (job);

  for (guint i = 0; i < job->waiters->len; i++)
    {
      GTask *waiter = job->waiters->pdata[i];

      if (owned != NULL)
        g_task_return_error (waiter, g_error_copy (owned));
      else
        g_task_return_boolean (waiter, TRUE);
    }

  if (owned != NULL)
    g_task_return_error (job->task, g_steal_pointer (&owned));
  else
    g_task_return_boolean (job->task, TRUE);

  job_free (job);
}

void
_echoes_runway_job_report_progress (Job    *job,
                                    double  fraction)
{
  if (!job->done && job->progress != NULL)
    job->progress (CLAMP (fraction, 0.0, 1.0), job->progress_data);
}

/* ---- cancel ---- */

static void
cancel_generation_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autofree char *clip_id = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  if (!(node = echoes_functions_client_invoke_finish (ECHOES_FUNCTIONS_CLIENT (object), result, &error)))
    g_warning ("Could not cancel the generation of clip %s: %s", clip_id, error->message);
  else
    g_debug ("Generation of clip %s cancelled on the server", clip_id);
}

void
_echoes_runway_job_cancelled (Job *job)
{
  if (job->done)
    return;

  if (job->use_key && job->runway_task != NULL && !job->detached)
    _echoes_runway_direct_cancel (job);
  else if (job->started && !job->detached && !job->use_key)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) body = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "clip_id");
      json_builder_add_string_value (builder, job->clip_id);
      json_builder_end_object (builder);
      body = json_builder_get_root (builder);
      echoes_functions_client_invoke_async (job->self->functions, "cancel-generation", body, NULL,
                                            cancel_generation_cb, g_strdup (job->clip_id));
    }

  _echoes_runway_job_return (job, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                       "Cancelled"));
}

static gboolean
job_check (Job     *job,
           GError **error)
{
  if (*error == NULL)
    return TRUE;

  if (g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (error);
      _echoes_runway_job_cancelled (job);
      return FALSE;
    }

  _echoes_runway_job_return (job, provider_error_from_cloud (*error));
  g_clear_error (error);
  return FALSE;
}

/* A status request that failed for a transient reason (offline, a 5xx, a 429): the job
 * goes on (at the server, or at Runway), so it is asked again later, backing off. Returns
 * %TRUE when @error was that, and consumed it. */
gboolean
_echoes_runway_job_poll_failed (Job     *job,
                                GError **error)
{
  g_autoptr(GError) none = NULL;

  if (*error == NULL || !echoes_cloud_error_is_transient (*error)
      || g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;

  g_debug ("Status of clip %s: %s; asking again later", job->clip_id, (*error)->message);
  g_clear_error (error);
  job->n_still = MAX (job->n_still, STILL_POLLS + 1);
  if (_echoes_runway_job_resumed (job, &none))
    _echoes_runway_job_step_poll (job);
  return TRUE;
}

/* First thing in every callback: the job was cancelled while the step ran? */
gboolean
_echoes_runway_job_resumed (Job     *job,
                            GError **error)
{
  job->in_flight = FALSE;
  if (job->done)
    {
      g_clear_error (error);
      return FALSE;
    }
  if (g_cancellable_is_cancelled (job->cancellable))
    {
      g_clear_error (error);
      _echoes_runway_job_cancelled (job);
      return FALSE;
    }
  return job_check (job, error);
}

static gboolean
cancel_idle_cb (gpointer user_data)
{
  Job *job = user_data;

  g_clear_pointer (&job->cancel_source, g_source_unref);
  /* A running step ends with G_IO_ERROR_CANCELLED (or sees the cancellable) itself. */
  if (!job->in_flight)
    _echoes_runway_job_cancelled (job);
  return G_SOURCE_REMOVE;
}

void
_echoes_runway_job_cancellable_cancelled_cb (GCancellable *cancellable,
                                             Job          *job)
{
  GSource *source;

  if (job->cancel_source != NULL)
    return;
  source = g_idle_source_new ();
  g_source_set_callback (source, cancel_idle_cb, job, NULL);
  g_source_set_static_name (source, "[echoes] runway cancel");
  job->cancel_source = source;
  g_source_attach (source, g_task_get_context (job->task));
}

JsonNode *
_echoes_runway_object_node_for (const char *first_name,
                                ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  va_list args;

  json_builder_begin_object (builder);
  va_start (args, first_name);
  for (const char *name = first_name; name != NULL; name = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      json_builder_set_member_name (builder, name);
      if (value != NULL)
        json_builder_add_string_value (builder, value);
      else
        json_builder_add_null_value (builder);
    }
  va_end (args);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* The motion a job asks for, the same to the server and to Runway: the prompt (under
 * @prompt_member, when there is one), the ratio, the duration and the seed. */
void
_echoes_runway_job_add_motion (Job         *job,
                               JsonBuilder *builder,
                               const char  *prompt_member)
{
  if (job->prompt != NULL)
    {
      json_builder_set_member_name (builder, prompt_member);
      json_builder_add_string_value (builder, job->prompt);
    }
  json_builder_set_member_name (builder, "ratio");
  json_builder_add_string_value (builder, job->ratio);
  json_builder_set_member_name (builder, "duration");
  json_builder_add_int_value (builder, job->duration);
  json_builder_set_member_name (builder, "seed");
  json_builder_add_int_value (builder, job->seed);
}

/* ---- 6. download ---- */

/* Every download of the video (through the account by signed URL or object path, or
 * straight from Runway with the user's own key) ends here; @error is owned. */
void
_echoes_runway_job_downloaded (Job    *job,
                               GError *error)
{
  if (!_echoes_runway_job_resumed (job, &error))
    return;

  _echoes_runway_job_report_progress (job, 1.0);
  _echoes_runway_job_return (job, NULL);
}

/* ---- 5. clip-status, both ways ---- */

/* The provider's progress in a clip-status answer or a Runway task, if any. */
void
_echoes_runway_job_note_progress (Job        *job,
                                  JsonObject *answer)
{
  double progress;

  if (!json_object_has_member (answer, "progress")
      || JSON_NODE_HOLDS_NULL (json_object_get_member (answer, "progress")))
    return;
  progress = CLAMP (json_object_get_double_member (answer, "progress"), 0.0, 1.0);
  if (progress > job->last_progress)
    job->n_still = 0;
  job->last_progress = progress;
  _echoes_runway_job_report_progress (job, 0.05 + 0.85 * progress);
}

gboolean
_echoes_runway_job_poll_timeout_cb (gpointer user_data)
{
  Job *job = user_data;
  g_autoptr(JsonNode) body = _echoes_runway_object_node_for ("clip_id", job->clip_id, NULL);

  job->poll_source = 0;
  job->n_still++;  /* until the answer shows new progress */
  job->n_polls++;
  job->self->n_status_requests++;
  job->in_flight = TRUE;
  if (job->use_key)
    {
      g_autofree char *path = g_strconcat ("/v1/tasks/", job->runway_task, NULL);
      g_autoptr(SoupMessageHeaders) headers = _echoes_runway_direct_headers (job->self);

      echoes_http_send_json_async (job->self->direct, "GET", path, headers, NULL,
                                   ECHOES_HTTP_ANONYMOUS, job->cancellable,
                                   _echoes_runway_direct_status_cb, job);
      return G_SOURCE_REMOVE;
    }
  echoes_functions_client_invoke_async (job->self->functions, "clip-status", body,
                                        job->cancellable, _echoes_runway_server_status_cb, job);
  return G_SOURCE_REMOVE;
}

void
_echoes_runway_job_step_poll (Job *job)
{
  g_autoptr(GSource) source = NULL;
  double delay;

  /* After the server's retry_after_seconds (its estimate of the time left, while there is
   * progress) until STILL_POLLS answers in a row brought no new progress; then backing off,
   * never sooner than the server asks. */
  if (job->last_delay <= 0 || job->n_still <= STILL_POLLS)
    delay = job->retry_after;
  else
    delay = MAX (job->retry_after, MIN (job->last_delay * BACKOFF_FACTOR, MAX_POLL_SECONDS));
  job->last_delay = delay;

  g_assert (job->poll_source == 0);
  /* In the caller's context (the CLI generates on a thread of its own). */
  source = g_timeout_source_new ((guint) (delay * job->self->poll_scale * 1000.0));
  g_source_set_callback (source, _echoes_runway_job_poll_timeout_cb, job, NULL);
  g_source_set_static_name (source, "[echoes] runway poll");
  job->poll_source = g_source_attach (source, g_task_get_context (job->task));
}
