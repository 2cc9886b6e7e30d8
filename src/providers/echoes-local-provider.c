/* echoes-local-provider.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-local-provider"

#include "config.h"

#include "echoes-local-provider.h"

#include "echoes-ken-burns.h"
#include "echoes-types.h"

/* The offline provider: the Ken Burns renderer on a worker thread. Free, no network. */

struct _EchoesLocalProvider
{
  GObject parent_instance;

  int max_size;
};

enum {
  PROP_0,
  PROP_MAX_SIZE,
  N_PROPS
};

static void video_provider_iface_init (EchoesVideoProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EchoesLocalProvider, echoes_local_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ECHOES_TYPE_VIDEO_PROVIDER,
                                                      video_provider_iface_init))

static GParamSpec *properties [N_PROPS];

static const guint local_durations[] = { 2, 10, 0 };
static const EchoesVideoProviderCapabilities local_capabilities = {
  .durations = local_durations,
  .duration_range = TRUE,
  .ratios = echoes_ratio_names,  /* all of them */
  .needs_network = FALSE,
  .costs_credits = FALSE,
  .uses_motion = TRUE,
  .uses_prompt = FALSE,
};

/* Shared between the caller's context and the worker: progress reports are dropped once
 * the generation has finished, so none arrives after the callback. */
typedef struct
{
  EchoesProgressFunc func;
  gpointer           data;
  GDestroyNotify     destroy;
  GMainContext      *context;
  gboolean           done;     /* only touched in @context */
} Progress;

static Progress *
progress_new (EchoesProgressFunc func,
              gpointer           data,
              GDestroyNotify     destroy)
{
  Progress *p = g_atomic_rc_box_new0 (Progress);

  p->func = func;
  p->data = data;
  p->destroy = destroy;
  p->context = g_main_context_ref_thread_default ();
  return p;
}

static void
progress_clear (Progress *p)
{
  if (p->destroy != NULL)
    p->destroy (p->data);
  g_main_context_unref (p->context);
}

static void
progress_unref (Progress *p)
{
  g_atomic_rc_box_release_full (p, (GDestroyNotify)progress_clear);
}

typedef struct
{
  Progress *progress;
  double    fraction;
} ProgressUpdate;

static gboolean
progress_update_cb (gpointer user_data)
{
  ProgressUpdate *u = user_data;

  if (!u->progress->done && u->progress->func != NULL)
    u->progress->func (u->fraction, u->progress->data);

  return G_SOURCE_REMOVE;
}

static void
progress_update_free (gpointer user_data)
{
  ProgressUpdate *u = user_data;

  progress_unref (u->progress);
  g_free (u);
}

/* Worker thread. */
static void
render_progress_cb (double   fraction,
                    gpointer user_data)
{
  Progress *p = user_data;
  ProgressUpdate *u = g_new0 (ProgressUpdate, 1);
  g_autoptr(GSource) source = g_idle_source_new ();

  u->progress = g_atomic_rc_box_acquire (p);
  u->fraction = fraction;

  /* Not g_main_context_invoke(): it would run the callback right here when this thread
   * can acquire the (global default) context. */
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, progress_update_cb, u, progress_update_free);
  g_source_set_static_name (source, "[echoes] render progress");
  g_source_attach (source, p->context);
}

typedef struct
{
  EchoesKenBurnsParams  params;
  char                 *image_path;
  char                 *output_path;
  Progress             *progress;
} Job;

static void
job_free (Job *job)
{
  g_free (job->image_path);
  g_free (job->output_path);
  g_clear_pointer (&job->progress, progress_unref);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

/* Not a switch: -Wswitch-enum would turn a new renderer error code into a build failure. */
static EchoesProviderError
provider_code (const GError *error)
{
  if (g_error_matches (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_INVALID))
    return ECHOES_PROVIDER_ERROR_INVALID;
  if (g_error_matches (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_IMAGE))
    return ECHOES_PROVIDER_ERROR_IMAGE;
  if (g_error_matches (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_MISSING_PLUGIN))
    return ECHOES_PROVIDER_ERROR_MISSING_PLUGIN;

  return ECHOES_PROVIDER_ERROR_FAILED;
}

static void
render_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;

  if (!echoes_ken_burns_render (job->image_path, &job->params, job->output_path,
                                render_progress_cb, job->progress, cancellable, &error))
    {
      /* Keep the cancellation code; report the rest as provider failures. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autoptr(GError) wrapped = NULL;

          wrapped = g_error_new_literal (ECHOES_PROVIDER_ERROR, provider_code (error),
                                         error->message);
          g_task_return_error (task, g_steal_pointer (&wrapped));
          return;
        }

      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
render_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Job *job = g_task_get_task_data (G_TASK (result));

  /* From here on no progress is delivered, and the caller's progress data is released
   * here, in its context, rather than whenever the worker drops its task reference. */
  job->progress->done = TRUE;
  g_clear_pointer (&job->progress, progress_unref);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static const char *
echoes_local_provider_get_name (EchoesVideoProvider *provider)
{
  return ECHOES_LOCAL_PROVIDER_NAME;
}

static const EchoesVideoProviderCapabilities *
echoes_local_provider_get_capabilities (EchoesVideoProvider *provider)
{
  return &local_capabilities;
}

static void
echoes_local_provider_generate_async (EchoesVideoProvider      *provider,
                                      const EchoesVideoRequest *request,
                                      EchoesProgressFunc        progress,
                                      gpointer                  progress_data,
                                      GDestroyNotify            progress_destroy,
                                      GCancellable             *cancellable,
                                      GAsyncReadyCallback       callback,
                                      gpointer                  user_data)
{
  EchoesLocalProvider *self = ECHOES_LOCAL_PROVIDER (provider);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Job) job = g_new0 (Job, 1);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_local_provider_generate_async);

  job->progress = progress_new (progress, progress_data, progress_destroy);

  if (!echoes_ken_burns_params_from_string (&job->params, request->motion, &error))
    {
      g_task_return_new_error (task, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_INVALID,
                               "%s", error->message);
      return;
    }

  /* Without a stored seed (no motion, or only a duration from "Fit Clips to Music") the
   * request's seed picks the framing. */
  if (!echoes_ken_burns_motion_has (request->motion, "seed"))
    job->params.seed = request->seed;

  if (request->duration > 0)
    job->params.duration = request->duration;

  if (!echoes_ken_burns_params_set_ratio (&job->params, request->ratio) ||
      !echoes_video_provider_supports (provider, request->ratio, job->params.duration))
    {
      g_task_return_new_error (task, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_NOT_SUPPORTED,
                               "The local provider can't make a %.1f s clip at %s",
                               job->params.duration, request->ratio ? request->ratio : "(none)");
      return;
    }

  /* Smaller output for tests and previews, same aspect, even sides. */
  if (self->max_size > 0 && MAX (job->params.width, job->params.height) > self->max_size)
    {
      double f = (double)self->max_size / MAX (job->params.width, job->params.height);

      job->params.width = MAX (16, (int)(job->params.width * f) & ~1);
      job->params.height = MAX (16, (int)(job->params.height * f) & ~1);
    }

  job->image_path = g_strdup (request->image_path);
  job->output_path = g_strdup (request->output_path);

  /* No source object: the worker thread may drop the last reference to this task after
   * the caller's callback ran, and must not be the one to finalize the provider. */
  worker = g_task_new (NULL, cancellable, render_done_cb, g_steal_pointer (&task));
  g_task_set_source_tag (worker, render_thread);
  g_task_set_task_data (worker, g_steal_pointer (&job), (GDestroyNotify)job_free);
  g_task_run_in_thread (worker, render_thread);
}

static gboolean
echoes_local_provider_generate_finish (EchoesVideoProvider  *provider,
                                       GAsyncResult         *result,
                                       GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
video_provider_iface_init (EchoesVideoProviderInterface *iface)
{
  iface->get_name = echoes_local_provider_get_name;
  iface->get_capabilities = echoes_local_provider_get_capabilities;
  iface->generate_async = echoes_local_provider_generate_async;
  iface->generate_finish = echoes_local_provider_generate_finish;
}

static void
echoes_local_provider_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  EchoesLocalProvider *self = ECHOES_LOCAL_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_MAX_SIZE:
      g_value_set_int (value, self->max_size);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_local_provider_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  EchoesLocalProvider *self = ECHOES_LOCAL_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_MAX_SIZE:
      echoes_local_provider_set_max_size (self, g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_local_provider_class_init (EchoesLocalProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = echoes_local_provider_get_property;
  object_class->set_property = echoes_local_provider_set_property;

  /**
   * EchoesLocalProvider:max-size:
   *
   * Caps the output's longer side (0: the ratio's full size, e.g. 1280×720). For tests
   * and quick previews.
   */
  properties [PROP_MAX_SIZE] =
    g_param_spec_int ("max-size", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
echoes_local_provider_init (EchoesLocalProvider *self)
{
}

EchoesLocalProvider *
echoes_local_provider_new (void)
{
  return g_object_new (ECHOES_TYPE_LOCAL_PROVIDER, NULL);
}

int
echoes_local_provider_get_max_size (EchoesLocalProvider *self)
{
  g_return_val_if_fail (ECHOES_IS_LOCAL_PROVIDER (self), 0);

  return self->max_size;
}

void
echoes_local_provider_set_max_size (EchoesLocalProvider *self,
                                    int                  max_size)
{
  g_return_if_fail (ECHOES_IS_LOCAL_PROVIDER (self));
  g_return_if_fail (max_size >= 0);

  if (self->max_size != max_size)
    {
      self->max_size = max_size;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MAX_SIZE]);
    }
}
