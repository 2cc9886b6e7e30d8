/* echoes-runway-provider.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-runway-provider"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "echoes-runway-provider.h"

#include "echoes-cloud-error.h"
#include "echoes-functions-client.h"
#include "echoes-image.h"
#include "echoes-rest-client.h"
#include "echoes-runway-key.h"
#include "echoes-storage-client.h"
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

#define DEFAULT_RETRY_AFTER_SECONDS 5.0
#define MAX_POLL_SECONDS            8.0
#define BACKOFF_FACTOR              1.5
#define MAX_PROMPT_CHARS            1000
#define STILL_POLLS                 3
/* The user's own key: the estimate of the time left that the server makes otherwise. */
#define MIN_ESTIMATE_SECONDS        1.5
#define MAX_ESTIMATE_SECONDS        7.0
#define PROGRESS_AGE_SECONDS        4.0

struct _EchoesRunwayProvider
{
  GObject                parent_instance;

  EchoesAuth            *auth;
  EchoesRestClient      *rest;
  EchoesStorageClient   *storage;
  EchoesFunctionsClient *functions;
  char                  *api_key;      /* (nullable) the user's own Runway key: a secret */
  EchoesHttp            *direct;       /* (nullable) Runway's API, with api_key */
  GHashTable            *jobs;         /* clip id → Job (unowned; a job removes itself) */
  double                 poll_scale;
  guint                  n_status_requests;
};

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

typedef struct
{
  EchoesRunwayProvider *self;          /* (owned) */
  char                 *clip_id;
  char                 *project_id;
  char                 *image_path;
  char                 *prompt;
  char                 *ratio;         /* Runway's, e.g. "1280:720" */
  guint                 duration;
  guint32               seed;
  char                 *output_path;

  char                 *upload_path;   /* what is sent: the photo or a converted copy */
  char                 *content_type;
  char                 *extension;
  gboolean              converted;
  char                 *image_object;  /* {user}/{project}/{clip}.{ext} */
  gboolean              use_key;       /* the user's own key: straight to Runway */
  char                 *data_uri;      /* the photo for Runway (own key only) */
  char                 *runway_task;   /* Runway's task id (own key only) */
  char                 *state_path;    /* (nullable) the resume state file */
  gboolean              resume;        /* finishing a run the app stopped in */
  char                 *state_kind;    /* (nullable) the state file's "kind", when resuming */
  char                 *state_task;    /* (nullable) its "task" or "previous_task" */
  char                 *server_task;   /* (nullable) the server clip's task id before ours */

  GTask                *task;          /* (owned) the first caller's */
  GPtrArray            *waiters;       /* (owned) GTask: callers that joined */
  GCancellable         *cancellable;   /* (owned) ours: cancelled by any caller or detach */
  GPtrArray            *caller_cancellables; /* (owned) */
  GArray               *cancel_ids;
  EchoesProgressFunc    progress;
  gpointer              progress_data;
  GDestroyNotify        progress_destroy;

  gboolean              started;       /* generate-clip was sent: cancel must tell the server */
  gboolean              detached;
  gboolean              done;
  gboolean              in_flight;     /* a request or the photo's preparation runs */
  GSource              *cancel_source; /* (owned) (nullable) */
  double                retry_after;   /* seconds, from the server */
  double                last_delay;    /* seconds */
  double                last_progress; /* the provider's, 0–1; -1 before any */
  guint                 n_still;       /* answers in a row without new progress */
  guint                 n_polls;
  guint                 poll_source;
} Job;

static void job_step_poll (Job *job);
static void direct_start (Job *job);
static void direct_cancel (Job *job);
static gboolean job_resumed (Job     *job,
                             GError **error);
static gboolean poll_timeout_cb (gpointer user_data);

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

/* ---- image limits ---- */

/**
 * echoes_runway_provider_prepare_image:
 * @path: a photo
 * @content_type: (out): what to send it as
 * @extension: (out): the object's extension ("jpg", "png", "webp")
 * @converted: (out): %TRUE if the returned path is a new temporary JPEG (the caller
 *   removes it)
 * @error: return location for an error (%ECHOES_PROVIDER_ERROR_IMAGE)
 *
 * Checks @path against the provider's limits and re-encodes it as a JPEG (at most
 * %ECHOES_RUNWAY_CONVERTED_SIDE on the longest side, EXIF rotation applied, cropped to an
 * aspect between 1:2 and 2:1) when it is outside them. Blocking: call it on a worker thread.
 *
 * Returns: (transfer full): the path to upload
 */
char *
echoes_runway_provider_prepare_image (const char  *path,
                                      char       **content_type,
                                      char       **extension,
                                      gboolean    *converted,
                                      GError     **error)
{
  GdkPixbufFormat *format;
  g_autofree char *name = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GdkPixbuf) cropped = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *tmp = NULL;
  GStatBuf st;
  int raw_w = 0, raw_h = 0, w = 0, h = 0;
  gboolean ok_format, ok;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  *converted = FALSE;
  format = gdk_pixbuf_get_file_info (path, &raw_w, &raw_h);
  if (format == NULL || g_stat (path, &st) != 0 || !echoes_image_get_size (path, &w, &h))
    {
      g_set_error (error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_IMAGE,
                   "Cannot read the photo %s", path);
      return NULL;
    }

  name = gdk_pixbuf_format_get_name (format);
  ok_format = g_str_equal (name, "jpeg") || g_str_equal (name, "png") || g_str_equal (name, "webp");
  ok = ok_format
       && st.st_size <= ECHOES_RUNWAY_MAX_IMAGE_BYTES
       && MAX (w, h) <= ECHOES_RUNWAY_MAX_IMAGE_SIDE
       && w <= 2 * h && h <= 2 * w
       && w == raw_w && h == raw_h;  /* a rotation in EXIF: the provider may ignore it */
  if (ok)
    {
      *content_type = g_strconcat ("image/", name, NULL);
      *extension = g_strdup (g_str_equal (name, "jpeg") ? "jpg" : name);
      return g_strdup (path);
    }

  if (!(pixbuf = echoes_image_load_at_size (path, ECHOES_RUNWAY_CONVERTED_SIDE, &local_error)))
    {
      g_set_error (error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_IMAGE,
                   "Cannot convert the photo: %s", local_error->message);
      return NULL;
    }

  w = gdk_pixbuf_get_width (pixbuf);
  h = gdk_pixbuf_get_height (pixbuf);
  if (w > 2 * h)
    cropped = gdk_pixbuf_new_subpixbuf (pixbuf, (w - 2 * h) / 2, 0, 2 * h, h);
  else if (h > 2 * w)
    cropped = gdk_pixbuf_new_subpixbuf (pixbuf, 0, (h - 2 * w) / 2, w, 2 * w);
  else
    cropped = g_object_ref (pixbuf);

  if ((fd = g_file_open_tmp ("echoes-runway-XXXXXX.jpg", &tmp, &local_error)) < 0)
    {
      g_set_error (error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_FAILED,
                   "Cannot convert the photo: %s", local_error->message);
      return NULL;
    }
  close (fd);

  if (!gdk_pixbuf_save (cropped, tmp, "jpeg", &local_error, "quality", "90", NULL))
    {
      g_unlink (tmp);
      g_set_error (error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_IMAGE,
                   "Cannot convert the photo: %s", local_error->message);
      return NULL;
    }

  *converted = TRUE;
  *content_type = g_strdup ("image/jpeg");
  *extension = g_strdup ("jpg");
  return g_steal_pointer (&tmp);
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
static GError *
provider_error_from_failure (const char *failure)
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
static void
state_read (Job *job)
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

typedef void (*StateWritten) (Job *job);

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
  if (!job_resumed (job, &error))
    return;
  next (job);
}

/* Writes the state file (atomically: a temporary file renamed over it), then next(). */
static void
state_write (Job          *job,
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

static void
job_return (Job    *job,
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

static void
report_progress (Job    *job,
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

static void
job_cancelled (Job *job)
{
  if (job->done)
    return;

  if (job->use_key && job->runway_task != NULL && !job->detached)
    direct_cancel (job);
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

  job_return (job, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled"));
}

/* Every async step holds the job through this: if the job ended meanwhile (cancelled,
 * detached) the step's answer is dropped. Steps run one after the other, so at most one
 * request is in flight for a job. */
typedef struct
{
  Job  *job;
  guint generation;
} Step;

static gboolean
job_check (Job     *job,
           GError **error)
{
  if (*error == NULL)
    return TRUE;

  if (g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (error);
      job_cancelled (job);
      return FALSE;
    }

  job_return (job, provider_error_from_cloud (*error));
  g_clear_error (error);
  return FALSE;
}

/* First thing in every callback: the job was cancelled while the step ran? */
static gboolean
job_resumed (Job     *job,
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
      job_cancelled (job);
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
    job_cancelled (job);
  return G_SOURCE_REMOVE;
}

static void
job_cancellable_cancelled_cb (GCancellable *cancellable,
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

static JsonNode *
object_node_for (const char *first_name,
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

/* ---- 6. download ---- */

/* Every download of the video (through the account by signed URL or object path, or
 * straight from Runway with the user's own key) ends here; @error is owned. */
static void
job_downloaded (Job    *job,
                GError *error)
{
  if (!job_resumed (job, &error))
    return;

  report_progress (job, 1.0);
  job_return (job, NULL);
}

static void
download_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GError *error = NULL;

  echoes_storage_client_download_finish (ECHOES_STORAGE_CLIENT (object), result, &error);
  job_downloaded (user_data, error);
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

      job_return (job, g_error_new (ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_FAILED,
                                    "Cannot create %s: %s", dir, g_strerror (saved)));
      return;
    }

  report_progress (job, 0.95);
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
    job_return (job, g_error_new_literal (ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_FAILED,
                                          "The server gave no video for the ready clip"));
}

/* ---- 5. clip-status ---- */

/* The provider's progress in a clip-status answer or a Runway task, if any. */
static void
job_note_progress (Job        *job,
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
  report_progress (job, 0.05 + 0.85 * progress);
}

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
      job_return (job, provider_error_from_failure (
                    json_object_get_string_member_with_default (answer, "error", NULL)));
      return TRUE;
    }
  if (!g_str_equal (status, "generating"))
    {
      job_return (job, g_error_new (ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_FAILED,
                                    "Unexpected clip status “%s”", status));
      return TRUE;
    }

  if (json_object_has_member (answer, "retry_after_seconds"))
    job->retry_after = MAX (1.0, json_object_get_double_member (answer, "retry_after_seconds"));
  job_note_progress (job, answer);
  return FALSE;
}

static void
status_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;

  node = echoes_functions_client_invoke_finish (ECHOES_FUNCTIONS_CLIENT (object), result, &error);
  if (node == NULL && error != NULL && echoes_cloud_error_is_transient (error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autoptr(GError) none = NULL;

      if (!job_resumed (job, &none))
        {
          g_clear_error (&error);
          return;
        }
      /* The job goes on at the server: ask again later, backing off. */
      g_debug ("Status of clip %s: %s; asking again later", job->clip_id, error->message);
      g_clear_error (&error);
      job->n_still = MAX (job->n_still, STILL_POLLS + 1);
      job_step_poll (job);
      return;
    }
  if (!job_resumed (job, &error))
    return;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      job_return (job, g_error_new_literal (ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_FAILED,
                                            "clip-status gave no object"));
      return;
    }

  if (!job_settle (job, json_node_get_object (node)))
    job_step_poll (job);
}

/* ---- the user's own key: straight to Runway ---- */

static SoupMessageHeaders *
direct_headers (EchoesRunwayProvider *self)
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

static void
direct_cancel (Job *job)
{
  g_autofree char *path = g_strconcat ("/v1/tasks/", job->runway_task, NULL);
  g_autoptr(SoupMessageHeaders) headers = direct_headers (job->self);

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
  job_downloaded (user_data, error);
}

static void
direct_status_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;
  JsonObject *task;
  const char *status;

  node = echoes_http_send_json_finish (ECHOES_HTTP (object), result, &error);
  if (node == NULL && error != NULL && echoes_cloud_error_is_transient (error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autoptr(GError) none = NULL;

      g_clear_error (&error);
      job->n_still = MAX (job->n_still, STILL_POLLS + 1);  /* backing off */
      if (job_resumed (job, &none))
        job_step_poll (job);
      return;
    }
  if (!job_resumed (job, &error))
    return;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      job_return (job, g_error_new_literal (ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_FAILED,
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
          job_return (job, g_error_new_literal (ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_FAILED,
                                                "Runway gave no video"));
          return;
        }
      report_progress (job, 0.95);
      job->in_flight = TRUE;
      echoes_http_download_async (job->self->direct, url,
                                  ECHOES_HTTP_ABSOLUTE_URL | ECHOES_HTTP_ANONYMOUS, file,
                                  job->cancellable, direct_downloaded_cb, job);
      return;
    }
  if (g_str_equal (status, "FAILED") || g_str_equal (status, "CANCELLED"))
    {
      const char *code = json_object_get_string_member_with_default (task, "failureCode", status);

      job_return (job, provider_error_from_failure (code));
      return;
    }

  job_note_progress (job, task);
  job->retry_after = direct_retry_after (task, job->last_progress);
  job_step_poll (job);
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
      job_return (job, g_error_new (ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_IMAGE,
                                    "Runway refused the request: %s", error->message));
      g_clear_error (&error);
      return;
    }
  if (!job_resumed (job, &error))
    return;
  if (!JSON_NODE_HOLDS_OBJECT (node)
      || !(id = json_object_get_string_member_with_default (json_node_get_object (node), "id", NULL)))
    {
      job_return (job, g_error_new_literal (ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_FAILED,
                                            "Runway gave no task id"));
      return;
    }

  job->runway_task = g_strdup (id);
  report_progress (job, 0.05);
  /* Kept for a restart: the next run polls this task instead of starting another. */
  state_write (job, "direct", "task", id, job_step_poll);
}

static void
direct_start (Job *job)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(SoupMessageHeaders) headers = direct_headers (job->self);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, "gen4_turbo");
  json_builder_set_member_name (builder, "promptImage");
  json_builder_add_string_value (builder, job->data_uri);
  if (job->prompt != NULL)
    {
      json_builder_set_member_name (builder, "promptText");
      json_builder_add_string_value (builder, job->prompt);
    }
  json_builder_set_member_name (builder, "ratio");
  json_builder_add_string_value (builder, job->ratio);
  json_builder_set_member_name (builder, "duration");
  json_builder_add_int_value (builder, job->duration);
  json_builder_set_member_name (builder, "seed");
  json_builder_add_int_value (builder, job->seed);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  job->started = TRUE;
  job->in_flight = TRUE;
  /* Never sent twice: a repeat would start (and bill) a second task. */
  echoes_http_send_json_async (job->self->direct, "POST", "/v1/image_to_video", headers, body,
                               ECHOES_HTTP_ANONYMOUS | ECHOES_HTTP_NO_RETRY, job->cancellable,
                               direct_started_cb, job);
}

static gboolean
poll_timeout_cb (gpointer user_data)
{
  Job *job = user_data;
  g_autoptr(JsonNode) body = object_node_for ("clip_id", job->clip_id, NULL);

  job->poll_source = 0;
  job->n_still++;  /* until the answer shows new progress */
  job->n_polls++;
  job->self->n_status_requests++;
  job->in_flight = TRUE;
  if (job->use_key)
    {
      g_autofree char *path = g_strconcat ("/v1/tasks/", job->runway_task, NULL);
      g_autoptr(SoupMessageHeaders) headers = direct_headers (job->self);

      echoes_http_send_json_async (job->self->direct, "GET", path, headers, NULL,
                                   ECHOES_HTTP_ANONYMOUS, job->cancellable, direct_status_cb, job);
      return G_SOURCE_REMOVE;
    }
  echoes_functions_client_invoke_async (job->self->functions, "clip-status", body,
                                        job->cancellable, status_cb, job);
  return G_SOURCE_REMOVE;
}

static void
job_step_poll (Job *job)
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
  g_source_set_callback (source, poll_timeout_cb, job, NULL);
  g_source_set_static_name (source, "[echoes] runway poll");
  job->poll_source = g_source_attach (source, g_task_get_context (job->task));
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
  if (!job_resumed (job, &error))
    return;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      job_return (job, g_error_new_literal (ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_FAILED,
                                            "generate-clip gave no object"));
      return;
    }

  answer = json_node_get_object (node);
  if (json_object_has_member (answer, "retry_after_seconds"))
    job->retry_after = MAX (1.0, json_object_get_double_member (answer, "retry_after_seconds"));
  report_progress (job, 0.05);
  if (!job_settle (job, answer))
    job_step_poll (job);
}

static void
job_send_generate (Job *job)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "clip_id");
  json_builder_add_string_value (builder, job->clip_id);
  if (job->prompt != NULL)
    {
      json_builder_set_member_name (builder, "prompt");
      json_builder_add_string_value (builder, job->prompt);
    }
  json_builder_set_member_name (builder, "ratio");
  json_builder_add_string_value (builder, job->ratio);
  json_builder_set_member_name (builder, "duration");
  json_builder_add_int_value (builder, job->duration);
  json_builder_set_member_name (builder, "seed");
  json_builder_add_int_value (builder, job->seed);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  job->started = TRUE;
  job->in_flight = TRUE;
  echoes_functions_client_invoke_async (job->self->functions, "generate-clip", body,
                                        job->cancellable, generate_cb, job);
}

/* The server clip's task id before generate-clip goes out: on a resume, another one there
 * means generate-clip got through (see the top of this file). */
static void
job_step_generate (Job *job)
{
  state_write (job, "server", "previous_task", job->server_task, job_send_generate);
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
  if (!job_resumed (job, &error))
    return;

  report_progress (job, 0.03);
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
  if (!job_resumed (job, &error))
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
  if (!job_resumed (job, &error))
    return;
  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) != 1)
    {
      /* The id is taken by a clip that is not ours. */
      job_return (job, g_error_new (ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_FAILED,
                                    "Clip %s exists on the server but is not yours", job->clip_id));
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
      report_progress (job, 0.05);
      poll_timeout_cb (job);
      return;
    }

  if (g_str_equal (status, "generating"))
    {
      /* Started before (another run of the app): follow it, never start again. */
      g_debug ("Clip %s is already generating on the server: following it", job->clip_id);
      job->started = TRUE;
      report_progress (job, 0.05);
      poll_timeout_cb (job);
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
      g_autoptr(JsonNode) patch = object_node_for ("prompt", job->prompt, NULL);

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
  if (!job_resumed (job, &error))
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

static void
project_inserted_cb (GObject      *object,
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
  if (!job_resumed (job, &error))
    return;

  clip = object_node_for ("id", job->clip_id,
                          "project_id", job->project_id,
                          "image_url", job->image_object,
                          "prompt", job->prompt,
                          NULL);
  job->in_flight = TRUE;
  echoes_rest_client_insert_async (job->self->rest, "clips", clip, job->cancellable,
                                   clip_inserted_cb, job);
}

/* ---- 1. the photo ---- */

static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  char *path;

  state_read (job);
  if (g_strcmp0 (job->state_kind, "direct") == 0 && job->state_task != NULL)
    {
      /* A task on the user's own key, started before the restart: poll it again. */
      if (!job->use_key)
        g_task_return_new_error (task, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_FAILED,
                                 "The clip was being made with your own Runway key, which is not set any more");
      else
        g_task_return_pointer (task, NULL, NULL);
      return;
    }
  if (g_strcmp0 (job->state_kind, "server") == 0)
    job->use_key = FALSE;  /* started through the account: follow it there */

  path = echoes_runway_provider_prepare_image (job->image_path, &job->content_type,
                                               &job->extension, &job->converted, &error);
  if (path != NULL && job->use_key)
    {
      /* Runway takes a data URI of at most 5 MB: a smaller JPEG when it is larger. */
      g_autofree char *data = NULL;
      g_autofree char *b64 = NULL;
      gsize len = 0;

      if (!g_file_get_contents (path, &data, &len, &error))
        {
          g_free (path);
          g_task_return_error (task, error);
          return;
        }
      if (len * 4 / 3 + 64 > 5 * 1000 * 1000)
        {
          g_autoptr(GdkPixbuf) pixbuf = echoes_image_load_at_size (path, 2048, &error);
          g_autofree gchar *jpeg = NULL;
          gsize jpeg_len = 0;

          if (pixbuf == NULL
              || !gdk_pixbuf_save_to_buffer (pixbuf, &jpeg, &jpeg_len, "jpeg", &error, "quality", "85", NULL))
            {
              g_free (path);
              g_task_return_new_error (task, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_IMAGE,
                                       "Cannot convert the photo: %s", error->message);
              g_error_free (error);
              return;
            }
          g_free (data);
          data = g_steal_pointer (&jpeg);
          len = jpeg_len;
          g_free (job->content_type);
          job->content_type = g_strdup ("image/jpeg");
        }
      b64 = g_base64_encode ((const guchar *) data, len);
      job->data_uri = g_strconcat ("data:", job->content_type, ";base64,", b64, NULL);
    }
  if (path == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, path, g_free);
}

static void
prepared_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(JsonNode) project = NULL;
  GError *error = NULL;
  char *path;

  path = g_task_propagate_pointer (G_TASK (result), &error);
  job->upload_path = path;  /* freed (and removed if converted) with the job */
  job->in_flight = FALSE;
  if (g_cancellable_is_cancelled (job->cancellable))
    {
      g_clear_error (&error);
      job_cancelled (job);
      return;
    }
  if (path == NULL && error == NULL)
    {
      /* Resumed: the Runway task of the state file (own key). */
      g_debug ("Clip %s: polling its Runway task again", job->clip_id);
      job->runway_task = g_strdup (job->state_task);
      job->started = TRUE;
      report_progress (job, 0.05);
      poll_timeout_cb (job);
      return;
    }
  if (path == NULL)
    {
      job_return (job, error);
      return;
    }

  if (job->use_key)
    {
      direct_start (job);
      return;
    }

  job->image_object = g_strdup_printf ("%s/%s/%s.%s", echoes_auth_get_user_id (job->self->auth),
                                       job->project_id, job->clip_id, job->extension);
  project = object_node_for ("id", job->project_id, NULL);
  job->in_flight = TRUE;
  echoes_rest_client_insert_async (job->self->rest, "projects", project, job->cancellable,
                                   project_inserted_cb, job);
}

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

  g_signal_connect (job->cancellable, "cancelled", G_CALLBACK (job_cancellable_cancelled_cb), job);
  job_add_caller_cancellable (job, cancellable);

  prepare = g_task_new (NULL, NULL, prepared_cb, NULL);
  g_task_set_task_data (prepare, job, NULL);
  job->in_flight = TRUE;
  g_task_run_in_thread (prepare, prepare_thread);
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
