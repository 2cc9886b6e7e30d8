/* echoes-runway-provider.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-runway-provider"

#include "config.h"

#include <glib/gi18n.h>

#include "echoes-runway-provider.h"
#include "echoes-runway-provider-private.h"

#include "echoes-image.h"
#include "echoes-runway-key.h"
#include "echoes-types.h"
#include "echoes-util.h"

/* AI motion through the account server (supabase/functions): the server holds the Runway
 * key and charges the credit.
 *
 * One generation:
 *  1. the photo is checked against the provider's limits (format JPEG/PNG/WebP, at most
 *     ECHOES_RUNWAY_MAX_IMAGE_BYTES, sides ≤ ECHOES_RUNWAY_MAX_IMAGE_SIDE, aspect 1:2–2:1,
 *     EXIF rotation) and re-encoded as JPEG on a worker thread when it is outside them, so
 *     no credit is spent on a photo the provider rejects;
 *  2. the project and clip rows are created with the local UUIDs (which are the server ids
 *     too); a clip the server already has keeps its row (only its prompt is updated) — and
 *     when it is `generating` there, the job is followed instead of started again (that is
 *     how a generation resumes after a restart: the queue asks again for the same clip);
 *  3. the photo goes to `images/{user}/{project}/{clip}.{ext}`;
 *  4. `generate-clip` (a repeat never charges twice);
 *  5. `clip-status`: first after the server's `retry_after_seconds`, which is its estimate
 *     of the time left while the provider reports progress (so the poll lands about when
 *     the video is done, see supabase/functions/_shared/generation.ts); that is followed
 *     until STILL_POLLS answers in a row showed no new progress, then the wait backs off
 *     (×1.5, at most MAX_POLL_SECONDS, never sooner than the server asks); one request at
 *     a time per clip, also when the same clip is asked for twice (the second caller joins);
 *  6. the ready video is downloaded (signed URL, else the `clips` bucket) to a temporary
 *     file beside the output and renamed over it, so preview and export need no network.
 * Cancel calls `cancel-generation` (the credit comes back unless the video was already
 * made). echoes_runway_provider_detach_all() stops following without cancelling (the app
 * quits: the server keeps generating and the next start resumes).
 *
 * Resuming (EchoesVideoRequest:resume, a run the app stopped in) against a regenerate: the
 * state file (EchoesVideoRequest:state_path, JSON, written atomically, removed when the run
 * ends but kept when detached) says what this run had done:
 *  - `{"kind": "server", "previous_task": T}`: written before `generate-clip` is sent, with
 *    the server clip's task id then (T, or null). On resume, a clip the server has `ready`
 *    or `failed` under another task id than T was made by this run while the app was away:
 *    it is only followed (`clip-status`, then the download), never generated (and charged)
 *    again. Same task id, or no file: `generate-clip` never got through, so it is sent now.
 *    A deliberate regenerate (no resume) of a `ready` clip is charged again, as it should.
 *  - `{"kind": "direct", "task": id}`: the user's own key; written once Runway names the
 *    task. On resume the task is polled again with the key (never a second task), and
 *    cancelling it deletes it at Runway (`DELETE /v1/tasks/{id}`). */

/* The provider is split by concern; what the files share is in
 * echoes-runway-provider-private.h (the Job, the object's struct, the timings):
 *  - echoes-runway-provider.c: the object, starting (or joining) a generation;
 *  - echoes-runway-image.c: 1. the photo (limits, re-encoding, the own key's data URI);
 *  - echoes-runway-server.c: 2.–6. through the account (rows, upload, generate-clip,
 *    clip-status, download);
 *  - echoes-runway-direct.c: the user's own key, straight to Runway;
 *  - echoes-runway-job.c: a Job's life on both ways (errors, the resume state file,
 *    completion, cancel, polling). */

enum {
  PROP_0,
  PROP_AUTH,
  PROP_POLL_SCALE,
  N_PROPS
};

static void video_provider_iface_init (EchoesVideoProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EchoesRunwayProvider, echoes_runway_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ECHOES_TYPE_VIDEO_PROVIDER,
                                                      video_provider_iface_init))

static GParamSpec *properties [N_PROPS];

static const guint runway_durations[] = { 5, 10, 0 };
static const EchoesVideoProviderCapabilities runway_capabilities = {
  .durations = runway_durations,
  .duration_range = FALSE,
  .ratios = echoes_ratio_names,
  .needs_network = TRUE,
  .costs_credits = TRUE,
  .uses_motion = FALSE,
  .uses_prompt = TRUE,
};

static void
caller_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  Job *job = user_data;

  /* Runs in the thread that cancelled; the job lives on the main context. */
  g_cancellable_cancel (job->cancellable);
}

static void
job_add_caller_cancellable (Job          *job,
                            GCancellable *cancellable)
{
  gulong id;

  if (cancellable == NULL)
    return;

  g_ptr_array_add (job->caller_cancellables, g_object_ref (cancellable));
  id = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb), job, NULL);
  g_array_append_val (job->cancel_ids, id);
}

static const char *
runway_ratio (const char *ratio)
{
  if (g_strcmp0 (ratio, "9:16") == 0)
    return "720:1280";
  if (g_strcmp0 (ratio, "1:1") == 0)
    return "960:960";
  return "1280:720";
}

static void
echoes_runway_provider_generate_async (EchoesVideoProvider      *provider,
                                       const EchoesVideoRequest *request,
                                       EchoesProgressFunc        progress,
                                       gpointer                  progress_data,
                                       GDestroyNotify            progress_destroy,
                                       GCancellable             *cancellable,
                                       GAsyncReadyCallback       callback,
                                       gpointer                  user_data)
{
  EchoesRunwayProvider *self = ECHOES_RUNWAY_PROVIDER (provider);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) prepare = NULL;
  Job *job;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_runway_provider_generate_async);

  if (self->api_key == NULL && !echoes_auth_get_signed_in (self->auth))
    {
      if (progress_destroy != NULL)
        progress_destroy (progress_data);
      g_task_return_new_error (task, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_NOT_SIGNED_IN,
                               "%s", _("Sign in to use AI motion"));
      return;
    }
  if (request->clip_id == NULL || request->project_id == NULL || request->image_path == NULL
      || request->output_path == NULL)
    {
      if (progress_destroy != NULL)
        progress_destroy (progress_data);
      g_task_return_new_error (task, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_INVALID,
                               "An AI clip needs its clip and project ids");
      return;
    }
  if (request->prompt != NULL && g_utf8_strlen (request->prompt, -1) > MAX_PROMPT_CHARS)
    {
      if (progress_destroy != NULL)
        progress_destroy (progress_data);
      g_task_return_new_error (task, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_INVALID,
                               "The prompt is longer than %d characters", MAX_PROMPT_CHARS);
      return;
    }

  /* The same clip asked for again while it runs: join it (one request in flight). */
  if ((job = g_hash_table_lookup (self->jobs, request->clip_id)) != NULL)
    {
      if (progress_destroy != NULL)
        progress_destroy (progress_data);
      job_add_caller_cancellable (job, cancellable);
      g_ptr_array_add (job->waiters, g_steal_pointer (&task));
      return;
    }

  job = g_new0 (Job, 1);
  job->self = g_object_ref (self);
  job->clip_id = g_strdup (request->clip_id);
  job->project_id = g_strdup (request->project_id);
  job->image_path = g_strdup (request->image_path);
  job->prompt = (request->prompt != NULL && *request->prompt != '\0') ? g_strdup (request->prompt) : NULL;
  job->ratio = g_strdup (runway_ratio (request->ratio));
  job->duration = request->duration > 5 ? 10 : 5;
  job->seed = request->seed;
  job->output_path = g_strdup (request->output_path);
  job->task = g_steal_pointer (&task);
  g_task_set_check_cancellable (job->task, FALSE);
  job->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  job->cancellable = g_cancellable_new ();
  job->caller_cancellables = g_ptr_array_new_with_free_func (g_object_unref);
  job->cancel_ids = g_array_new (FALSE, FALSE, sizeof (gulong));
  job->progress = progress;
  job->progress_data = progress_data;
  job->progress_destroy = progress_destroy;
  job->retry_after = DEFAULT_RETRY_AFTER_SECONDS;
  job->last_progress = -1.0;
  job->use_key = self->api_key != NULL;
  job->resume = request->resume;
  job->state_path = g_strdup (request->state_path);
  g_hash_table_insert (self->jobs, job->clip_id, job);

  g_signal_connect (job->cancellable, "cancelled",
                    G_CALLBACK (_echoes_runway_job_cancellable_cancelled_cb), job);
  job_add_caller_cancellable (job, cancellable);

  prepare = g_task_new (NULL, NULL, _echoes_runway_image_prepared_cb, NULL);
  g_task_set_task_data (prepare, job, NULL);
  job->in_flight = TRUE;
  g_task_run_in_thread (prepare, _echoes_runway_image_prepare_thread);
}

static gboolean
echoes_runway_provider_generate_finish (EchoesVideoProvider  *provider,
                                        GAsyncResult         *result,
                                        GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static const char *
echoes_runway_provider_get_name (EchoesVideoProvider *provider)
{
  return ECHOES_RUNWAY_PROVIDER_NAME;
}

static const EchoesVideoProviderCapabilities *
echoes_runway_provider_get_capabilities (EchoesVideoProvider *provider)
{
  return &runway_capabilities;
}

static void
video_provider_iface_init (EchoesVideoProviderInterface *iface)
{
  iface->get_name = echoes_runway_provider_get_name;
  iface->get_capabilities = echoes_runway_provider_get_capabilities;
  iface->generate_async = echoes_runway_provider_generate_async;
  iface->generate_finish = echoes_runway_provider_generate_finish;
}

static void
echoes_runway_provider_constructed (GObject *object)
{
  EchoesRunwayProvider *self = ECHOES_RUNWAY_PROVIDER (object);

  G_OBJECT_CLASS (echoes_runway_provider_parent_class)->constructed (object);

  g_assert (self->auth != NULL);
  self->rest = echoes_rest_client_new (self->auth);
  self->storage = echoes_storage_client_new (self->auth);
  self->functions = echoes_functions_client_new (self->auth);
}

static void
echoes_runway_provider_finalize (GObject *object)
{
  EchoesRunwayProvider *self = ECHOES_RUNWAY_PROVIDER (object);

  /* Every job holds a reference: none is left here. */
  g_assert (g_hash_table_size (self->jobs) == 0);
  g_clear_pointer (&self->jobs, g_hash_table_unref);
  g_clear_object (&self->rest);
  g_clear_object (&self->storage);
  g_clear_object (&self->functions);
  g_clear_object (&self->auth);
  g_clear_object (&self->direct);
  g_clear_pointer (&self->api_key, echoes_secret_free);

  G_OBJECT_CLASS (echoes_runway_provider_parent_class)->finalize (object);
}

static void
echoes_runway_provider_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  EchoesRunwayProvider *self = ECHOES_RUNWAY_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_AUTH:
      g_value_set_object (value, self->auth);
      break;
    case PROP_POLL_SCALE:
      g_value_set_double (value, self->poll_scale);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_runway_provider_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  EchoesRunwayProvider *self = ECHOES_RUNWAY_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_AUTH:
      self->auth = g_value_dup_object (value);
      break;
    case PROP_POLL_SCALE:
      echoes_runway_provider_set_poll_scale (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_runway_provider_class_init (EchoesRunwayProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = echoes_runway_provider_constructed;
  object_class->finalize = echoes_runway_provider_finalize;
  object_class->get_property = echoes_runway_provider_get_property;
  object_class->set_property = echoes_runway_provider_set_property;

  /* gdk-pixbuf reads its list of loaders on first use, which two photo checks on worker
   * threads must not do at once: read it here, once. */
  g_slist_free (gdk_pixbuf_get_formats ());

  /**
   * EchoesRunwayProvider:auth:
   *
   * The session generations are made (and paid) as.
   */
  properties [PROP_AUTH] =
    g_param_spec_object ("auth", NULL, NULL, ECHOES_TYPE_AUTH,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesRunwayProvider:poll-scale:
   *
   * Multiplies every wait between status requests (1: the server's pace). Tests make it
   * small to run against a fake provider quickly; the order of the requests is the same.
   */
  properties [PROP_POLL_SCALE] =
    g_param_spec_double ("poll-scale", NULL, NULL, 0.001, 10.0, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
echoes_runway_provider_init (EchoesRunwayProvider *self)
{
  self->jobs = g_hash_table_new (g_str_hash, g_str_equal);
  self->poll_scale = 1.0;
}

/**
 * echoes_runway_provider_new:
 * @auth: the session (signed in or not: without a session every generation fails with
 *   %ECHOES_PROVIDER_ERROR_NOT_SIGNED_IN)
 *
 * Returns: (transfer full): the "runway" provider
 */
EchoesRunwayProvider *
echoes_runway_provider_new (EchoesAuth *auth)
{
  g_return_val_if_fail (ECHOES_IS_AUTH (auth), NULL);

  return g_object_new (ECHOES_TYPE_RUNWAY_PROVIDER, "auth", auth, NULL);
}

/**
 * echoes_runway_provider_get_auth:
 *
 * Returns: (transfer none): the session
 */
EchoesAuth *
echoes_runway_provider_get_auth (EchoesRunwayProvider *self)
{
  g_return_val_if_fail (ECHOES_IS_RUNWAY_PROVIDER (self), NULL);
  return self->auth;
}

double
echoes_runway_provider_get_poll_scale (EchoesRunwayProvider *self)
{
  g_return_val_if_fail (ECHOES_IS_RUNWAY_PROVIDER (self), 1.0);
  return self->poll_scale;
}

void
echoes_runway_provider_set_poll_scale (EchoesRunwayProvider *self,
                                       double                scale)
{
  g_return_if_fail (ECHOES_IS_RUNWAY_PROVIDER (self));
  g_return_if_fail (scale > 0);

  if (self->poll_scale == scale)
    return;
  self->poll_scale = scale;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_POLL_SCALE]);
}

/**
 * echoes_runway_provider_get_n_status_requests:
 *
 * Returns: how many `clip-status` requests this provider sent (for tests and the benchmark)
 */
guint
echoes_runway_provider_get_n_status_requests (EchoesRunwayProvider *self)
{
  g_return_val_if_fail (ECHOES_IS_RUNWAY_PROVIDER (self), 0);
  return self->n_status_requests;
}

/**
 * echoes_runway_provider_detach_all:
 *
 * Stops following every generation without cancelling it on the server (the app quits):
 * their callbacks get %G_IO_ERROR_CANCELLED soon after, and asking again for the same clip
 * (after a restart) follows the job instead of paying for another.
 */
void
echoes_runway_provider_detach_all (EchoesRunwayProvider *self)
{
  g_autoptr(GList) jobs = NULL;

  g_return_if_fail (ECHOES_IS_RUNWAY_PROVIDER (self));

  jobs = g_hash_table_get_values (self->jobs);
  for (GList *l = jobs; l != NULL; l = l->next)
    {
      Job *job = l->data;

      job->detached = TRUE;
      g_cancellable_cancel (job->cancellable);
    }
}

/**
 * echoes_runway_provider_set_api_key:
 * @key: (nullable): the user's own Runway key (see echoes_runway_key_save_async()), %NULL
 *   to go through the account server and its credits again
 * @api_url: (nullable): Runway's API, %NULL for %ECHOES_RUNWAY_API_URL
 *
 * With a key, new generations call Runway directly: no account, no credits, nothing on
 * the server. A run resumes after a restart through its state file (the Runway task id,
 * EchoesVideoRequest:state_path) once the key is set again. Jobs already running keep
 * their way.
 */
void
echoes_runway_provider_set_api_key (EchoesRunwayProvider *self,
                                    const char           *key,
                                    const char           *api_url)
{
  g_return_if_fail (ECHOES_IS_RUNWAY_PROVIDER (self));

  g_clear_pointer (&self->api_key, echoes_secret_free);
  g_clear_object (&self->direct);
  if (key == NULL || *key == '\0')
    return;

  self->api_key = g_strdup (key);
  self->direct = echoes_http_new (api_url != NULL ? api_url : ECHOES_RUNWAY_API_URL, "", NULL);
}
