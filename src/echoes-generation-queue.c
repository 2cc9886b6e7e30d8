/* echoes-generation-queue.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-generation-queue"

#include "config.h"

#include "echoes-generation-queue.h"
#include "echoes-generation-queue-private.h"

#include <glib/gi18n.h>

#include "echoes-ken-burns.h"
#include "echoes-local-provider.h"
#include "echoes-paths.h"
#include "echoes-progress.h"

/**
 * EchoesGenerationQueue:
 *
 * Turns clips into videos with the active #EchoesVideoProvider, a bounded number at a
 * time. Every state change is written to the store first (pending → generating →
 * ready | failed, the video path `clips/{project}/{clip}.mp4`, the failure's code in
 * EchoesClip:error, whether the clip waits in the queue in EchoesClip:queued), then the
 * library is reloaded so the UI follows. Provider messages only go to the debug log: the
 * UI shows the failure's translated text (echoes_clip_get_failure_message()). Per-clip
 * progress goes to EchoesClip:progress of the library's model objects (transient, not
 * stored).
 *
 * A clip left `generating` by a crash is found by echoes_generation_queue_resume_async()
 * and generated again, as a resumed run (EchoesVideoRequest:resume): a provider that was
 * still making it, or has made it meanwhile, delivers that run instead of starting (and
 * charging for) another; its state file is `generations/{clip}.json`
 * (echoes_paths_generation_state_relative()); resuming also removes the state files of
 * clips deleted or no longer generating. A cancelled clip goes back to `pending`.
 *
 * Which provider makes a clip is read from the store when its job starts (so a clip
 * resumed after a restart keeps its choice): the clip's EchoesClip:provider-override,
 * else its project's EchoesProject:provider, else the queue's EchoesGenerationQueue:provider
 * (the app's `active-provider`); the name is looked up in EchoesGenerationQueue:registry.
 * A name nobody knows fails the clip (%ECHOES_CLIP_FAILURE_NO_PROVIDER): never a silent
 * Ken Burns. With EchoesGenerationQueue:force-provider every clip uses the queue's
 * provider (`echoes-cli --provider`). With EchoesGenerationQueue:ken-burns-fallback a clip
 * whose AI job failed (moderation, no credits, the service failed) is made once more
 * with "local", which becomes its choice (EchoesGenerationQueue::clip-fell-back).
 *
 * Lives on the main thread (or the thread-default context of its user); the store work
 * runs on the store's worker thread and rendering in the provider's threads.
 */

/* This file holds the GObject and a job's run: started with the resolved provider, its
 * progress, its end and the Ken Burns fallback. The pieces are listed in
 * echoes-generation-queue-private.h. */

enum {
  PROP_0,
  PROP_PROVIDER,
  PROP_REGISTRY,
  PROP_FORCE_PROVIDER,
  PROP_KEN_BURNS_FALLBACK,
  PROP_MAX_JOBS,
  PROP_N_JOBS,
  N_PROPS
};

enum {
  CLIP_STARTED,
  CLIP_PROGRESS,
  CLIP_FINISHED,
  CLIP_FELL_BACK,
  DRAINED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (EchoesGenerationQueue, echoes_generation_queue, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

Job *
_echoes_generation_job_new (const char *clip_id)
{
  Job *job = g_rc_box_new0 (Job);

  job->clip_id = g_strdup (clip_id);
  job->cancellable = g_cancellable_new ();
  return job;
}

static void
job_clear (Job *job)
{
  g_clear_object (&job->self);
  g_clear_pointer (&job->clip_id, g_free);
  g_clear_pointer (&job->project_id, g_free);
  g_clear_pointer (&job->video, g_free);
  g_clear_object (&job->cancellable);
  g_clear_object (&job->provider);
}

static Job *
job_ref (Job *job)
{
  return g_rc_box_acquire (job);
}

void
_echoes_generation_job_unref (Job *job)
{
  g_rc_box_release_full (job, (GDestroyNotify)job_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, _echoes_generation_job_unref)

/* ---- main thread ---- */

static EchoesClip *
find_model_clip (EchoesGenerationQueue *self,
                 Job                   *job)
{
  GListModel *model;
  guint n;

  if (self->library == NULL || job->project_id == NULL)
    return NULL;

  model = echoes_library_get_clips (self->library, job->project_id);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(EchoesClip) clip = g_list_model_get_item (model, i);

      if (g_strcmp0 (echoes_clip_get_id (clip), job->clip_id) == 0)
        return clip;  /* the model holds a reference */
    }

  return NULL;
}

static void
set_progress (EchoesGenerationQueue *self,
              Job                   *job,
              double                 fraction)
{
  EchoesClip *clip = find_model_clip (self, job);

  if (clip != NULL)
    echoes_clip_set_progress (clip, CLAMP (fraction, 0.0, 1.0));
}

void
_echoes_generation_queue_reload (EchoesGenerationQueue *self,
                                 const char            *project_id)
{
  if (self->library != NULL && project_id != NULL)
    echoes_library_reload (self->library, project_id);
}

void
_echoes_generation_queue_maybe_drained (EchoesGenerationQueue *self)
{
  if (self->running->len == 0 && self->pending.length == 0 && self->n_listing == 0)
    g_signal_emit (self, signals [DRAINED], 0);
}

/* For the pieces in other files, which do not see the property specs. */
void
_echoes_generation_queue_notify_n_jobs (EchoesGenerationQueue *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_JOBS]);
}

/* The provider called @name: the registry's, one given to enqueue_clip_with_provider(),
 * or the queue's own. */
EchoesVideoProvider *
_echoes_generation_queue_lookup_provider (EchoesGenerationQueue *self,
                                          const char            *name)
{
  EchoesVideoProvider *provider = NULL;

  if (name == NULL)
    return NULL;
  if (self->registry != NULL &&
      (provider = echoes_provider_registry_lookup (self->registry, name)) != NULL)
    return provider;
  if ((provider = g_hash_table_lookup (self->extra, name)) != NULL)
    return provider;
  if (g_str_equal (echoes_video_provider_get_name (self->provider), name))
    return self->provider;
  return NULL;
}

static GStrv
dup_known_names (EchoesGenerationQueue *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GHashTableIter iter;
  gpointer name;

  if (self->registry != NULL)
    {
      g_auto(GStrv) names = echoes_provider_registry_dup_names (self->registry);

      g_strv_builder_addv (builder, (const char **)names);
    }
  g_hash_table_iter_init (&iter, self->extra);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    g_strv_builder_add (builder, name);
  g_strv_builder_add (builder, echoes_video_provider_get_name (self->provider));
  return g_strv_builder_end (builder);
}

/* Whether a failed AI job is made again with Ken Burns: never after a cancellation, nor
 * for failures Ken Burns would share (the photo, a missing plug-in). */
static gboolean
should_fall_back (EchoesGenerationQueue *self,
                  Job                   *job,
                  const GError          *error)
{
  if (!self->ken_burns_fallback || error == NULL || job->provider == NULL ||
      !echoes_provider_name_is_ai (echoes_video_provider_get_name (job->provider)) ||
      _echoes_generation_queue_lookup_provider (self, ECHOES_LOCAL_PROVIDER_NAME) == NULL)
    return FALSE;

  switch (_echoes_generation_failure_from_error (error))
    {
    case ECHOES_CLIP_FAILURE_MODERATION:
    case ECHOES_CLIP_FAILURE_NO_CREDITS:
    case ECHOES_CLIP_FAILURE_FAILED:
      return !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

    case ECHOES_CLIP_FAILURE_NONE:
    case ECHOES_CLIP_FAILURE_UNKNOWN:
    case ECHOES_CLIP_FAILURE_NOT_SUPPORTED:
    case ECHOES_CLIP_FAILURE_NO_PROVIDER:
    case ECHOES_CLIP_FAILURE_INVALID_MOTION:
    case ECHOES_CLIP_FAILURE_NETWORK:
    case ECHOES_CLIP_FAILURE_PHOTO:
    case ECHOES_CLIP_FAILURE_MISSING_PLUGIN:
    case ECHOES_CLIP_FAILURE_NOT_SIGNED_IN:
    default:
      return FALSE;
    }
}

static void
job_done (EchoesGenerationQueue *self,
          Job                   *job,
          const GError          *error)
{
  g_autoptr(Job) hold = job_ref (job);
  g_autoptr(EchoesGenerationQueue) hold_self = g_object_ref (self);

  if (error == NULL)
    g_debug ("Clip %s is ready", job->clip_id);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Clip %s failed: %s", job->clip_id, error->message);

  /* The run is over: a ready clip's bar is full, a failed one shows none. */
  echoes_progress_finish (&job->bar);
  set_progress (self, job, error == NULL ? echoes_progress_get_fraction (&job->bar) : 0.0);
  g_ptr_array_remove (self->running, job);
  g_signal_emit (self, signals [CLIP_FINISHED], 0, job->clip_id, error);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_JOBS]);
  g_clear_object (&job->self);

  /* Queued before pump() and maybe_drained(), so the queue does not drain in between. */
  if (should_fall_back (self, job, error))
    {
      EchoesVideoProvider *local =
        _echoes_generation_queue_lookup_provider (self, ECHOES_LOCAL_PROVIDER_NAME);

      g_debug ("Clip %s falls back to Ken Burns", job->clip_id);
      echoes_generation_queue_enqueue_clip_with_provider (self, job->clip_id, local);
      g_signal_emit (self, signals [CLIP_FELL_BACK], 0, job->clip_id, error);
    }

  _echoes_generation_queue_pump (self);
  _echoes_generation_queue_maybe_drained (self);
}

static void
finish_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  g_autoptr(EchoesGenerationQueue) self = g_object_ref (job->self);
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GError) error = NULL;
  FinishData *finish = g_task_get_task_data (G_TASK (result));

  if (!(clip = echoes_store_run_finish (ECHOES_STORE (object), result, &error)))
    g_warning ("Could not record the result of clip %s: %s", job->clip_id, error->message);

  _echoes_generation_queue_reload (self, job->project_id);
  job_done (self, job, finish->error);
}

static void
complete (Job    *job,
          GError *error)
{
  FinishData *finish = g_new0 (FinishData, 1);

  finish->clip_id = g_strdup (job->clip_id);
  finish->video = g_strdup (job->video);
  finish->error = error;

  /* Not cancellable: the outcome must reach the store. */
  echoes_store_run_async (job->self->store, _echoes_generation_finish_func, finish,
                          (GDestroyNotify)_echoes_generation_finish_data_free, g_object_unref,
                          NULL, finish_cb, job_ref (job));
}

static void
progress_cb (double   fraction,
             gpointer user_data)
{
  Job *job = user_data;

  if (job->self == NULL || !echoes_progress_update (&job->bar, fraction))
    return;

  fraction = echoes_progress_get_fraction (&job->bar);
  set_progress (job->self, job, fraction);
  g_signal_emit (job->self, signals [CLIP_PROGRESS], 0, job->clip_id, fraction);
}

static void
generate_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  GError *error = NULL;

  echoes_video_provider_generate_finish (ECHOES_VIDEO_PROVIDER (object), result, &error);
  complete (job, error);
}

static void
start_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  g_autoptr(StartResult) res = NULL;
  g_autoptr(GError) error = NULL;
  EchoesGenerationQueue *self = job->self;
  EchoesVideoRequest request = { 0 };

  if (!(res = echoes_store_run_finish (ECHOES_STORE (object), result, &error)))
    {
      /* Nothing was written (no such clip, or the store failed): nothing to undo. */
      g_warning ("Could not start clip %s: %s", job->clip_id, error->message);
      job_done (self, job, error);
      return;
    }

  job->project_id = g_strdup (res->project_id);
  if (res->unknown ||
      !(job->provider = _echoes_generation_queue_lookup_provider (self, res->provider)))
    {
      g_debug ("Clip %s: no video provider called “%s”", job->clip_id,
               res->provider ? res->provider : "");
      complete (job, g_error_new (ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_NOT_FOUND,
                                  "No video provider called “%s”",
                                  res->provider ? res->provider : ""));
      return;
    }
  g_object_ref (job->provider);
  job->video = g_strdup (res->video);
  _echoes_generation_queue_reload (self, job->project_id);
  echoes_progress_init (&job->bar);
  set_progress (self, job, echoes_progress_get_fraction (&job->bar));
  g_signal_emit (self, signals [CLIP_STARTED], 0, job->clip_id);

  if (g_cancellable_is_cancelled (job->cancellable))
    {
      complete (job, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled"));
      return;
    }

  request.image_path = res->image_path;
  request.prompt = res->prompt;
  request.ratio = res->ratio;
  /* A clip whose motion gives no length gets the preferred one (`clip-duration`). */
  request.duration = echoes_ken_burns_motion_has (res->motion, "duration") ? 0
                                                                           : self->default_duration;
  request.seed = g_str_hash (job->clip_id);
  request.motion = res->motion;
  request.output_path = res->output_path;
  request.project_id = res->project_id;
  request.clip_id = job->clip_id;
  request.resume = res->resume;
  request.state_path = res->state_path;

  echoes_video_provider_generate_async (job->provider, &request,
                                        progress_cb, job_ref (job),
                                        (GDestroyNotify)_echoes_generation_job_unref,
                                        job->cancellable, generate_cb, job_ref (job));
}

static void
start (EchoesGenerationQueue *self,
       Job                   *job)
{
  StartData *data = g_new0 (StartData, 1);

  job->self = g_object_ref (self);
  g_ptr_array_add (self->running, job);

  data->clip_id = g_strdup (job->clip_id);
  data->default_name = g_strdup (echoes_video_provider_get_name (self->provider));
  data->forced = self->force_provider ? g_strdup (data->default_name) : NULL;
  data->known = dup_known_names (self);
  echoes_store_run_async (self->store, _echoes_generation_start_func, data, (GDestroyNotify)_echoes_generation_start_data_free,
                          (GDestroyNotify)_echoes_generation_start_result_free, NULL, start_cb, job_ref (job));
}

void
_echoes_generation_queue_pump (EchoesGenerationQueue *self)
{
  while (self->running->len < self->max_jobs && self->pending.length > 0)
    start (self, g_queue_pop_head (&self->pending));
}

/* ---- GObject ---- */

static void
echoes_generation_queue_dispose (GObject *object)
{
  EchoesGenerationQueue *self = (EchoesGenerationQueue *)object;

  /* Running jobs hold a reference, so only queued ones can be left here. */
  echoes_generation_queue_cancel_all (self);

  G_OBJECT_CLASS (echoes_generation_queue_parent_class)->dispose (object);
}

static void
echoes_generation_queue_finalize (GObject *object)
{
  EchoesGenerationQueue *self = (EchoesGenerationQueue *)object;

  g_queue_clear_full (&self->pending, (GDestroyNotify)_echoes_generation_job_unref);
  g_clear_pointer (&self->running, g_ptr_array_unref);
  g_clear_pointer (&self->extra, g_hash_table_unref);
  g_clear_object (&self->registry);
  g_clear_object (&self->provider);
  g_clear_object (&self->library);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (echoes_generation_queue_parent_class)->finalize (object);
}

static void
echoes_generation_queue_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  EchoesGenerationQueue *self = ECHOES_GENERATION_QUEUE (object);

  switch (prop_id)
    {
    case PROP_PROVIDER:
      g_value_set_object (value, self->provider);
      break;

    case PROP_REGISTRY:
      g_value_set_object (value, self->registry);
      break;

    case PROP_FORCE_PROVIDER:
      g_value_set_boolean (value, self->force_provider);
      break;

    case PROP_KEN_BURNS_FALLBACK:
      g_value_set_boolean (value, self->ken_burns_fallback);
      break;

    case PROP_MAX_JOBS:
      g_value_set_uint (value, self->max_jobs);
      break;

    case PROP_N_JOBS:
      g_value_set_uint (value, echoes_generation_queue_get_n_jobs (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_generation_queue_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  EchoesGenerationQueue *self = ECHOES_GENERATION_QUEUE (object);

  switch (prop_id)
    {
    case PROP_PROVIDER:
      echoes_generation_queue_set_provider (self, g_value_get_object (value));
      break;

    case PROP_REGISTRY:
      echoes_generation_queue_set_registry (self, g_value_get_object (value));
      break;

    case PROP_FORCE_PROVIDER:
      echoes_generation_queue_set_force_provider (self, g_value_get_boolean (value));
      break;

    case PROP_KEN_BURNS_FALLBACK:
      echoes_generation_queue_set_ken_burns_fallback (self, g_value_get_boolean (value));
      break;

    case PROP_MAX_JOBS:
      echoes_generation_queue_set_max_jobs (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_generation_queue_class_init (EchoesGenerationQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = echoes_generation_queue_dispose;
  object_class->finalize = echoes_generation_queue_finalize;
  object_class->get_property = echoes_generation_queue_get_property;
  object_class->set_property = echoes_generation_queue_set_property;

  properties [PROP_PROVIDER] =
    g_param_spec_object ("provider", NULL, NULL, ECHOES_TYPE_VIDEO_PROVIDER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties [PROP_REGISTRY] =
    g_param_spec_object ("registry", NULL, NULL, ECHOES_TYPE_PROVIDER_REGISTRY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties [PROP_FORCE_PROVIDER] =
    g_param_spec_boolean ("force-provider", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties [PROP_KEN_BURNS_FALLBACK] =
    g_param_spec_boolean ("ken-burns-fallback", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties [PROP_MAX_JOBS] =
    g_param_spec_uint ("max-jobs", NULL, NULL, 1, 8, 1,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties [PROP_N_JOBS] =
    g_param_spec_uint ("n-jobs", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EchoesGenerationQueue::clip-started:
   * @self: the queue
   * @clip_id: the clip, now `generating` in the store
   */
  signals [CLIP_STARTED] =
    g_signal_new ("clip-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * EchoesGenerationQueue::clip-progress:
   * @self: the queue
   * @clip_id: the clip
   * @fraction: 0–1
   */
  signals [CLIP_PROGRESS] =
    g_signal_new ("clip-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_DOUBLE);

  /**
   * EchoesGenerationQueue::clip-finished:
   * @self: the queue
   * @clip_id: the clip
   * @error: (nullable): why it failed (%G_IO_ERROR_CANCELLED if cancelled), %NULL if ready
   *
   * Emitted after the outcome is in the store.
   */
  signals [CLIP_FINISHED] =
    g_signal_new ("clip-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);

  /**
   * EchoesGenerationQueue::clip-fell-back:
   * @self: the queue
   * @clip_id: the clip, queued again with Ken Burns
   * @error: why its AI job failed
   *
   * Emitted after EchoesGenerationQueue::clip-finished when
   * EchoesGenerationQueue:ken-burns-fallback made the clip again with "local".
   */
  signals [CLIP_FELL_BACK] =
    g_signal_new ("clip-fell-back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);

  /**
   * EchoesGenerationQueue::drained:
   * @self: the queue
   *
   * Emitted when the last queued clip finished (e.g. to send a notification).
   */
  signals [DRAINED] =
    g_signal_new ("drained", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
echoes_generation_queue_init (EchoesGenerationQueue *self)
{
  g_queue_init (&self->pending);
  self->running = g_ptr_array_new_with_free_func ((GDestroyNotify)_echoes_generation_job_unref);
  self->extra = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  /* One clip per core: a clip's renderer and x264 `veryfast` keep about 1.3 cores busy
   * for a 720p clip, so one clip at a time leaves part of a larger machine idle, and each
   * clip peaks at about 150 MB. */
  self->max_jobs = CLAMP (g_get_num_processors (), 1, 4);
}

/* ---- public API ---- */

/**
 * echoes_generation_queue_new:
 * @store: the store
 * @library: (nullable): the live models to update (the app's); %NULL for the CLI
 * @provider: the provider clips without a choice of their own or of their project's
 *   generate with (see echoes_provider_registry_get_active())
 *
 * Returns: (transfer full): a new, empty #EchoesGenerationQueue
 */
EchoesGenerationQueue *
echoes_generation_queue_new (EchoesStore         *store,
                             EchoesLibrary       *library,
                             EchoesVideoProvider *provider)
{
  EchoesGenerationQueue *self;

  g_return_val_if_fail (ECHOES_IS_STORE (store), NULL);
  g_return_val_if_fail (!library || ECHOES_IS_LIBRARY (library), NULL);
  g_return_val_if_fail (ECHOES_IS_VIDEO_PROVIDER (provider), NULL);

  self = g_object_new (ECHOES_TYPE_GENERATION_QUEUE, "provider", provider, NULL);
  self->store = g_object_ref (store);
  self->library = library ? g_object_ref (library) : NULL;
  return self;
}

/**
 * echoes_generation_queue_get_provider:
 *
 * Returns: (transfer none): the provider new jobs use
 */
EchoesVideoProvider *
echoes_generation_queue_get_provider (EchoesGenerationQueue *self)
{
  g_return_val_if_fail (ECHOES_IS_GENERATION_QUEUE (self), NULL);

  return self->provider;
}

/**
 * echoes_generation_queue_set_provider:
 * @provider: the provider for jobs that start from now on (running ones keep theirs)
 */
void
echoes_generation_queue_set_provider (EchoesGenerationQueue *self,
                                      EchoesVideoProvider   *provider)
{
  g_return_if_fail (ECHOES_IS_GENERATION_QUEUE (self));
  g_return_if_fail (ECHOES_IS_VIDEO_PROVIDER (provider));

  if (g_set_object (&self->provider, provider))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PROVIDER]);
}

guint
echoes_generation_queue_get_max_jobs (EchoesGenerationQueue *self)
{
  g_return_val_if_fail (ECHOES_IS_GENERATION_QUEUE (self), 0);

  return self->max_jobs;
}

/**
 * echoes_generation_queue_set_max_jobs:
 * @max_jobs: how many clips generate at once, 1–8 (default: one per core, at most 4)
 */
void
echoes_generation_queue_set_max_jobs (EchoesGenerationQueue *self,
                                      guint                  max_jobs)
{
  g_return_if_fail (ECHOES_IS_GENERATION_QUEUE (self));
  g_return_if_fail (max_jobs >= 1 && max_jobs <= 8);

  if (self->max_jobs != max_jobs)
    {
      self->max_jobs = max_jobs;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MAX_JOBS]);
      _echoes_generation_queue_pump (self);
    }
}

/**
 * echoes_generation_queue_set_default_duration:
 * @seconds: the length of clips whose motion gives none, 0 for the provider's own
 */
void
echoes_generation_queue_set_default_duration (EchoesGenerationQueue *self,
                                              double                 seconds)
{
  g_return_if_fail (ECHOES_IS_GENERATION_QUEUE (self));
  g_return_if_fail (seconds >= 0);

  self->default_duration = seconds;
}

/**
 * echoes_generation_queue_get_n_jobs:
 *
 * Returns: clips queued or generating
 */
guint
echoes_generation_queue_get_n_jobs (EchoesGenerationQueue *self)
{
  g_return_val_if_fail (ECHOES_IS_GENERATION_QUEUE (self), 0);

  return self->pending.length + self->running->len;
}

/**
 * echoes_generation_queue_get_registry:
 *
 * Returns: (transfer none) (nullable): where clips' chosen providers are looked up
 */
EchoesProviderRegistry *
echoes_generation_queue_get_registry (EchoesGenerationQueue *self)
{
  g_return_val_if_fail (ECHOES_IS_GENERATION_QUEUE (self), NULL);

  return self->registry;
}

/**
 * echoes_generation_queue_set_registry:
 * @registry: (nullable): the providers clips and projects may choose by name; without
 *   one, only the queue's provider (and those given to
 *   echoes_generation_queue_enqueue_clip_with_provider()) are known
 */
void
echoes_generation_queue_set_registry (EchoesGenerationQueue  *self,
                                      EchoesProviderRegistry *registry)
{
  g_return_if_fail (ECHOES_IS_GENERATION_QUEUE (self));
  g_return_if_fail (registry == NULL || ECHOES_IS_PROVIDER_REGISTRY (registry));

  if (g_set_object (&self->registry, registry))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_REGISTRY]);
}

/**
 * echoes_generation_queue_set_force_provider:
 * @force: %TRUE: every clip uses the queue's provider, whatever it or its project chose
 */
void
echoes_generation_queue_set_force_provider (EchoesGenerationQueue *self,
                                            gboolean               force)
{
  g_return_if_fail (ECHOES_IS_GENERATION_QUEUE (self));

  force = !!force;
  if (self->force_provider != force)
    {
      self->force_provider = force;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_FORCE_PROVIDER]);
    }
}

gboolean
echoes_generation_queue_get_ken_burns_fallback (EchoesGenerationQueue *self)
{
  g_return_val_if_fail (ECHOES_IS_GENERATION_QUEUE (self), FALSE);

  return self->ken_burns_fallback;
}

/**
 * echoes_generation_queue_set_ken_burns_fallback:
 * @fallback: %TRUE: a clip whose AI job failed (moderation, no credits, the service
 *   failed; never a cancellation) is made once more with Ken Burns ("local"), which
 *   becomes its choice; the app binds this to the `ken-burns-fallback` setting
 */
void
echoes_generation_queue_set_ken_burns_fallback (EchoesGenerationQueue *self,
                                                gboolean               fallback)
{
  g_return_if_fail (ECHOES_IS_GENERATION_QUEUE (self));

  fallback = !!fallback;
  if (self->ken_burns_fallback != fallback)
    {
      self->ken_burns_fallback = fallback;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_KEN_BURNS_FALLBACK]);
    }
}

