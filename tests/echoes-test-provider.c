/* echoes-test-provider.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "echoes-test-provider.h"

static const char * const test_ratios[] = { "16:9", "9:16", "1:1", NULL };
static const guint test_durations[] = { 5, 0 };
static const EchoesVideoProviderCapabilities test_caps = {
  .durations = test_durations, .ratios = test_ratios,
};

typedef struct
{
  TestProvider       *self;
  char               *image_path;
  char               *output_path;
  EchoesProgressFunc  progress;
  gpointer            progress_data;
  GDestroyNotify      progress_destroy;
  guint               ticks;
} FakeJob;

static void
fake_job_free (FakeJob *job)
{
  if (job->progress_destroy)
    job->progress_destroy (job->progress_data);
  g_free (job->image_path);
  g_free (job->output_path);
  g_free (job);
}

static gboolean
fake_tick (gpointer user_data)
{
  GTask *task = user_data;
  FakeJob *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;

  job->ticks++;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      job->self->running--;
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }

  if (job->ticks == 1)
    {
      /* A report that goes back, as a jittering real one may: never shown. */
      if (job->progress)
        {
          job->progress (0.5, job->progress_data);
          job->progress (0.4, job->progress_data);
        }
      return G_SOURCE_CONTINUE;
    }

  /* Waits for a condition, not a time: the test says when. */
  if (job->self->block || job->self->max_running < job->self->hold_until)
    return G_SOURCE_CONTINUE;

  job->self->running--;

  if (job->self->fail &&
      (job->self->fail_suffix == NULL || g_str_has_suffix (job->image_path, job->self->fail_suffix)))
    {
      if (job->self->fail_domain != 0)
        g_task_return_new_error (task, job->self->fail_domain, job->self->fail_code,
                                 TEST_PROVIDER_MESSAGE " %d", job->self->fail_code);
      else
        g_task_return_new_error (task, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_FAILED,
                                 TEST_PROVIDER_MESSAGE);
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }

  dir = g_path_get_dirname (job->output_path);
  g_mkdir_with_parents (dir, 0755);
  if (job->self->video != NULL)
    {
      g_autofree char *contents = NULL;
      gsize len;

      g_file_get_contents (job->self->video, &contents, &len, &error);
      g_assert_no_error (error);
      g_file_set_contents (job->output_path, contents, len, &error);
    }
  else
    g_file_set_contents (job->output_path, "not really a video", -1, &error);
  g_assert_no_error (error);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
fake_generate_async (EchoesVideoProvider      *provider,
                     const EchoesVideoRequest *request,
                     EchoesProgressFunc        progress,
                     gpointer                  progress_data,
                     GDestroyNotify            progress_destroy,
                     GCancellable             *cancellable,
                     GAsyncReadyCallback       callback,
                     gpointer                  user_data)
{
  TestProvider *self = TEST_PROVIDER (provider);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  FakeJob *job = g_new0 (FakeJob, 1);

  g_assert_nonnull (request->ratio);
  self->last_duration = request->duration;
  job->self = self;
  job->image_path = g_strdup (request->image_path);
  job->output_path = g_strdup (request->output_path);
  job->progress = progress;
  job->progress_data = progress_data;
  job->progress_destroy = progress_destroy;
  g_task_set_task_data (task, job, (GDestroyNotify)fake_job_free);

  self->started++;
  self->running++;
  self->max_running = MAX (self->max_running, self->running);
  {
    g_autoptr(GSource) source = g_timeout_source_new (10);

    /* In the caller's context, like a real provider (the sync API runs its own). */
    g_source_set_callback (source, fake_tick, task, NULL);
    g_source_attach (source, g_main_context_get_thread_default ());
  }
}

static gboolean
fake_generate_finish (EchoesVideoProvider  *provider,
                      GAsyncResult         *result,
                      GError              **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static const char *
fake_get_name (EchoesVideoProvider *provider)
{
  TestProvider *self = (TestProvider *)provider;

  return self->name != NULL ? self->name : "test";
}

static const EchoesVideoProviderCapabilities *
fake_get_capabilities (EchoesVideoProvider *provider)
{
  return &test_caps;
}

static void
test_provider_iface_init (EchoesVideoProviderInterface *iface)
{
  iface->get_name = fake_get_name;
  iface->get_capabilities = fake_get_capabilities;
  iface->generate_async = fake_generate_async;
  iface->generate_finish = fake_generate_finish;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestProvider, test_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ECHOES_TYPE_VIDEO_PROVIDER,
                                                      test_provider_iface_init))

static void
test_provider_class_init (TestProviderClass *klass)
{
}

static void
test_provider_init (TestProvider *self)
{
  self->fail_suffix = "fail.jpg";
}

