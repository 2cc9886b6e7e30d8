/* test-generation-queue.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-generation-queue"

#include "config.h"

#include "echoes-test-provider.h"
#include "echoes-test-util.h"

#include <glib/gstdio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gst/gst.h>

#include "echoes-generation-batch.h"
#include "echoes-generation-queue.h"
#include "echoes-library.h"
#include "echoes-local-provider.h"
#include "echoes-paths.h"
#include "echoes-provider-registry.h"
#include "echoes-store.h"

/* ---- fixture ---- */

typedef struct
{
  EchoesStore   *store;
  TestProvider  *provider;
  char          *project_id;
  GPtrArray     *clip_ids;
  GPtrArray     *finished;   /* clip ids, in order */
  GPtrArray     *errors;     /* (nullable) GErrors, parallel to @finished */
  guint          drained;
} Fixture;

static char *
add_clip (Fixture    *f,
          const char *name,
          int         width,
          int         height)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *relative = echoes_paths_image_relative (f->project_id, id, name);
  g_autofree char *path = echoes_store_resolve (f->store, relative);
  g_autofree char *dir = g_path_get_dirname (path);

  gdk_pixbuf_fill (pixbuf, 0x884422ff);
  g_mkdir_with_parents (dir, 0755);
  gdk_pixbuf_save (pixbuf, path, "jpeg", &error, NULL);
  g_assert_no_error (error);

  clip = echoes_clip_new (id, f->project_id);
  echoes_clip_set_image (clip, relative);
  g_assert_true (echoes_store_insert_clip (f->store, clip, f->clip_ids->len, &error));
  g_assert_no_error (error);
  g_ptr_array_add (f->clip_ids, g_strdup (id));

  return g_steal_pointer (&id);
}

static void
clear_error (gpointer data)
{
  if (data != NULL)
    g_error_free (data);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesProject) project = NULL;

  f->store = echoes_store_open (NULL, &error);
  g_assert_no_error (error);
  project = echoes_store_create_project (f->store, "Holiday", &error);
  g_assert_no_error (error);
  f->project_id = g_strdup (echoes_project_get_id (project));
  f->provider = g_object_new (TEST_TYPE_PROVIDER, NULL);
  f->clip_ids = g_ptr_array_new_with_free_func (g_free);
  f->finished = g_ptr_array_new_with_free_func (g_free);
  f->errors = g_ptr_array_new_with_free_func (clear_error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (g_steal_pointer (&f->provider));
  g_clear_object (&f->store);
  g_clear_pointer (&f->project_id, g_free);
  g_clear_pointer (&f->clip_ids, g_ptr_array_unref);
  g_clear_pointer (&f->finished, g_ptr_array_unref);
  g_clear_pointer (&f->errors, g_ptr_array_unref);
}

static void
finished_cb (EchoesGenerationQueue *queue,
             const char            *clip_id,
             const GError          *error,
             Fixture               *f)
{
  g_ptr_array_add (f->finished, g_strdup (clip_id));
  g_ptr_array_add (f->errors, error ? g_error_copy (error) : NULL);
}

static void
drained_cb (EchoesGenerationQueue *queue,
            Fixture               *f)
{
  f->drained++;
}

static EchoesGenerationQueue *
make_queue (Fixture       *f,
            EchoesLibrary *library)
{
  EchoesGenerationQueue *queue;

  queue = echoes_generation_queue_new (f->store, library, ECHOES_VIDEO_PROVIDER (f->provider));
  /* These tests follow the order clips run in: one at a time unless a test says more. */
  echoes_generation_queue_set_max_jobs (queue, 1);
  g_signal_connect (queue, "clip-finished", G_CALLBACK (finished_cb), f);
  g_signal_connect (queue, "drained", G_CALLBACK (drained_cb), f);
  return queue;
}

static void
wait_drained (Fixture *f,
              guint    n)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (f->drained < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static gpointer
nothing_func (EchoesStore   *store,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  return GINT_TO_POINTER (TRUE);
}

static void
flushed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(gboolean *)user_data = echoes_store_run_finish (ECHOES_STORE (object), result, NULL) != NULL;
}

/* Waits until every job queued on the store so far has run. */
static void
flush_store (Fixture *f)
{
  gboolean done = FALSE;

  echoes_store_run_async (f->store, nothing_func, NULL, NULL, NULL, NULL, flushed_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
assert_queued (Fixture            *f,
               const char * const *expected)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;

  flush_store (f);
  ids = echoes_store_dup_queued_clips (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (ids, expected);
}

static EchoesClip *
get_clip (Fixture    *f,
          const char *id)
{
  g_autoptr(GError) error = NULL;
  EchoesClip *clip = echoes_store_get_clip (f->store, id, &error);

  g_assert_no_error (error);
  return clip;
}

static void
assert_ready (Fixture    *f,
              const char *id)
{
  g_autoptr(EchoesClip) clip = get_clip (f, id);
  g_autofree char *expected = echoes_paths_video_relative (f->project_id, id);
  g_autofree char *path = echoes_store_resolve (f->store, expected);

  g_assert_cmpint (echoes_clip_get_status (clip), ==, ECHOES_CLIP_STATUS_READY);
  g_assert_cmpstr (echoes_clip_get_video (clip), ==, expected);
  g_assert_null (echoes_clip_get_error (clip));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

/* ---- tests ---- */

static void
test_project (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(EchoesGenerationQueue) queue = NULL;
  g_autofree char *a = add_clip (f, "a.jpg", 64, 48);
  g_autofree char *bad = add_clip (f, "fail.jpg", 64, 48);
  g_autofree char *c = add_clip (f, "c.jpg", 64, 48);
  g_autofree char *d = add_clip (f, "d.jpg", 64, 48);
  g_autoptr(EchoesClip) failed = NULL;

  f->provider->fail = TRUE;
  /* The first clip runs until the second has started: two at once, however slowly
   * the queue starts them. */
  f->provider->hold_until = 2;
  queue = make_queue (f, NULL);
  echoes_generation_queue_set_max_jobs (queue, 2);
  echoes_generation_queue_enqueue_project (queue, f->project_id);
  wait_drained (f, 1);

  /* Bounded concurrency, every clip once. */
  g_assert_cmpuint (f->provider->started, ==, 4);
  g_assert_cmpuint (f->provider->max_running, ==, 2);
  g_assert_cmpuint (f->finished->len, ==, 4);
  g_assert_cmpuint (echoes_generation_queue_get_n_jobs (queue), ==, 0);

  assert_ready (f, a);
  assert_ready (f, c);
  assert_ready (f, d);
  failed = get_clip (f, bad);
  g_assert_cmpint (echoes_clip_get_status (failed), ==, ECHOES_CLIP_STATUS_FAILED);
  /* A stable code is stored, not the provider's (untranslated) message. */
  g_assert_cmpstr (echoes_clip_get_error (failed), ==, "failed");
  g_assert_cmpint (echoes_clip_get_failure (failed), ==, ECHOES_CLIP_FAILURE_FAILED);
  g_assert_false (echoes_clip_get_queued (failed));
  g_assert_cmpstr (echoes_clip_get_provider (failed), ==, "test");
  g_assert_null (echoes_clip_get_video (failed));

  /* Retry: only the failed clip runs again, and succeeds. */
  f->provider->fail = FALSE;
  echoes_generation_queue_enqueue_project (queue, f->project_id);
  wait_drained (f, 2);
  g_assert_cmpuint (f->provider->started, ==, 5);
  assert_ready (f, bad);

  /* Enqueueing a clip that is already queued is a no-op; a ready one regenerates. */
  echoes_generation_queue_enqueue_clip (queue, a);
  echoes_generation_queue_enqueue_clip (queue, a);
  g_assert_true (echoes_generation_queue_has_clip (queue, a));
  g_assert_cmpuint (echoes_generation_queue_get_n_jobs (queue), ==, 1);
  wait_drained (f, 3);
  g_assert_cmpuint (f->provider->started, ==, 6);
  assert_ready (f, a);

  g_assert_finalize_object (g_steal_pointer (&queue));
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* A provider's resume state for @clip_id, where the queue tells it to keep it. */
static char *
write_state_file (Fixture    *f,
                  const char *clip_id)
{
  g_autofree char *relative = echoes_paths_generation_state_relative (clip_id);
  char *path = echoes_store_resolve (f->store, relative);
  g_autofree char *dir = g_path_get_dirname (path);

  g_mkdir_with_parents (dir, 0700);
  g_assert_true (g_file_set_contents (path, "{\"kind\": \"server\", \"previous_task\": null}", -1, NULL));
  return path;
}

static void
test_resume (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(EchoesGenerationQueue) queue = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *a = add_clip (f, "a.jpg", 64, 48);
  g_autofree char *b = add_clip (f, "b.jpg", 64, 48);
  g_autofree char *video = echoes_paths_video_relative (f->project_id, a);
  g_autofree char *video_path = echoes_store_resolve (f->store, video);
  g_autofree char *dir = g_path_get_dirname (video_path);
  g_autofree char *stale = NULL;
  g_autofree char *base = g_path_get_basename (video_path);
  g_autofree char *stale_name = g_strdup_printf (".%s.Ab12Cd", base);
  g_autofree char *state_a = NULL;
  g_autofree char *state_b = NULL;
  g_autofree char *state_gone = NULL;
  g_autofree char *other = NULL;
  g_autofree char *state_dir = NULL;

  /* A crash mid-generation: the row says generating, a partial temp file is there. */
  clip = get_clip (f, a);
  echoes_clip_set_status (clip, ECHOES_CLIP_STATUS_GENERATING);
  g_assert_true (echoes_store_update_clip (f->store, clip, &error));
  g_assert_no_error (error);
  stale = g_build_filename (dir, stale_name, NULL);
  g_mkdir_with_parents (dir, 0755);
  g_assert_true (g_file_set_contents (stale, "partial", -1, NULL));

  /* Resume state files: the interrupted clip's, one of a clip that is not generating,
   * one of a deleted clip (both over, removed), and something else (left alone). */
  state_a = write_state_file (f, a);
  state_b = write_state_file (f, b);
  state_gone = write_state_file (f, "00000000-0000-4000-8000-00000000dead");
  state_dir = g_path_get_dirname (state_a);
  other = g_build_filename (state_dir, "README", NULL);
  g_assert_true (g_file_set_contents (other, "kept", -1, NULL));

  queue = make_queue (f, NULL);
  echoes_generation_queue_resume_async (queue, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (echoes_generation_queue_resume_finish (queue, result, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (g_file_test (state_a, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (state_b, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (state_gone, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
  wait_drained (f, 1);

  assert_ready (f, a);
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  /* Only the interrupted clip: b stays pending until asked for. */
  g_clear_object (&clip);
  clip = get_clip (f, b);
  g_assert_cmpint (echoes_clip_get_status (clip), ==, ECHOES_CLIP_STATUS_PENDING);
  g_assert_cmpuint (f->provider->started, ==, 1);

  g_clear_object (&result);
  g_assert_finalize_object (g_steal_pointer (&queue));
}

static void
started_cb (EchoesGenerationQueue *queue,
            const char            *clip_id,
            char                 **started)
{
  g_free (*started);
  *started = g_strdup (clip_id);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(EchoesGenerationQueue) queue = NULL;
  g_autofree char *a = add_clip (f, "a.jpg", 64, 48);
  g_autofree char *b = add_clip (f, "b.jpg", 64, 48);
  g_autofree char *c = add_clip (f, "c.jpg", 64, 48);
  g_autofree char *started = NULL;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  f->provider->block = TRUE;
  queue = make_queue (f, NULL);
  g_signal_connect (queue, "clip-started", G_CALLBACK (started_cb), &started);
  echoes_generation_queue_enqueue_clip (queue, a);
  echoes_generation_queue_enqueue_clip (queue, b);
  echoes_generation_queue_enqueue_clip (queue, c);
  g_assert_cmpuint (echoes_generation_queue_get_n_jobs (queue), ==, 3);

  while (g_strcmp0 (started, a) != 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }

  /* The clip is `generating` in the store while it runs. */
  {
    g_autoptr(EchoesClip) clip = get_clip (f, a);
    g_assert_cmpint (echoes_clip_get_status (clip), ==, ECHOES_CLIP_STATUS_GENERATING);
  }
  /* and the whole queue is on disk, for a restart */
  assert_queued (f, (const char * const[]) { a, b, c, NULL });

  /* Cancel a queued clip: it simply leaves the queue. */
  echoes_generation_queue_cancel_clip (queue, b);
  g_assert_false (echoes_generation_queue_has_clip (queue, b));
  g_assert_cmpuint (echoes_generation_queue_get_n_jobs (queue), ==, 2);
  assert_queued (f, (const char * const[]) { a, c, NULL });

  /* Cancel the running one: back to pending, and c starts. */
  echoes_generation_queue_cancel_clip (queue, a);
  while (g_strcmp0 (started, c) != 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (f->finished->len, ==, 1);
  g_assert_cmpstr (f->finished->pdata[0], ==, a);
  g_assert_error ((GError *)f->errors->pdata[0], G_IO_ERROR, G_IO_ERROR_CANCELLED);
  {
    g_autoptr(EchoesClip) clip = get_clip (f, a);
    g_assert_cmpint (echoes_clip_get_status (clip), ==, ECHOES_CLIP_STATUS_PENDING);
    g_assert_null (echoes_clip_get_error (clip));
  }

  /* Cancel everything. */
  echoes_generation_queue_enqueue_clip (queue, b);
  echoes_generation_queue_cancel_all (queue);
  wait_drained (f, 1);
  g_assert_cmpuint (f->provider->started, ==, 2);
  for (guint i = 0; i < f->clip_ids->len; i++)
    {
      g_autoptr(EchoesClip) clip = get_clip (f, f->clip_ids->pdata[i]);
      g_autofree char *video = echoes_paths_video_relative (f->project_id, f->clip_ids->pdata[i]);
      g_autofree char *path = echoes_store_resolve (f->store, video);

      g_assert_cmpint (echoes_clip_get_status (clip), ==, ECHOES_CLIP_STATUS_PENDING);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
  assert_queued (f, (const char * const[]) { NULL });

  g_assert_finalize_object (g_steal_pointer (&queue));
}

static void
test_resume_queued (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(EchoesGenerationQueue) queue = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *a = add_clip (f, "a.jpg", 64, 48);
  g_autofree char *b = add_clip (f, "b.jpg", 64, 48);
  g_autofree char *c = add_clip (f, "c.jpg", 64, 48);
  g_autoptr(EchoesClip) clip = NULL;

  /* The app was asked for b and c and quit before they ran: not dropped. */
  g_assert_true (echoes_store_set_clips_queued (f->store, (const char * const[]) { b, c, NULL },
                                                TRUE, &error));
  g_assert_no_error (error);

  queue = make_queue (f, NULL);
  echoes_generation_queue_resume_async (queue, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (echoes_generation_queue_resume_finish (queue, result, &error), ==, 2);
  wait_drained (f, 1);

  assert_ready (f, b);
  assert_ready (f, c);
  clip = get_clip (f, a);
  g_assert_cmpint (echoes_clip_get_status (clip), ==, ECHOES_CLIP_STATUS_PENDING);
  assert_queued (f, (const char * const[]) { NULL });

  g_clear_object (&result);
  g_assert_finalize_object (g_steal_pointer (&queue));
}

typedef struct
{
  GArray *values;
} Notes;

static void
progress_notify_cb (EchoesClip *clip,
                    GParamSpec *pspec,
                    GArray     *values)
{
  double v = echoes_clip_get_progress (clip);

  g_array_append_val (values, v);
}

static gboolean
model_clip_ready (gpointer user_data)
{
  return echoes_clip_get_status (user_data) == ECHOES_CLIP_STATUS_READY;
}

static void
test_library_progress (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(EchoesLibrary) library = echoes_library_new (f->store);
  g_autoptr(EchoesGenerationQueue) queue = NULL;
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(EchoesClip) model_clip = NULL;
  g_autofree char *a = add_clip (f, "a.jpg", 64, 48);
  GListModel *model = echoes_library_get_clips (library, f->project_id);
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (g_list_model_get_n_items (model) < 1)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  model_clip = g_list_model_get_item (model, 0);
  g_assert_cmpstr (echoes_clip_get_id (model_clip), ==, a);
  g_signal_connect (model_clip, "notify::progress", G_CALLBACK (progress_notify_cb), values);

  queue = make_queue (f, library);
  echoes_generation_queue_enqueue_clip (queue, a);
  wait_drained (f, 1);

  /* The UI's object followed: 0.5 from the provider (not its 0.4 after), 1 at the end,
   * then ready. */
  g_assert_cmpuint (values->len, >=, 2);
  g_assert_cmpfloat (g_array_index (values, double, 0), ==, 0.5);
  for (guint i = 1; i < values->len; i++)
    g_assert_cmpfloat (g_array_index (values, double, i), >=, g_array_index (values, double, i - 1));
  g_assert_cmpfloat (g_array_index (values, double, values->len - 1), ==, 1.0);
  while (!model_clip_ready (model_clip))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }

  g_signal_handlers_disconnect_by_data (model_clip, values);
  g_assert_finalize_object (g_steal_pointer (&queue));
}

static void
test_failure_codes (Fixture       *f,
                    gconstpointer  data)
{
  const struct {
    GQuark             domain;
    int                code;
    EchoesClipFailure  failure;
    const char        *stored;
  } cases[] = {
    { ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_NOT_SUPPORTED, ECHOES_CLIP_FAILURE_NOT_SUPPORTED, "not-supported" },
    { ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_INVALID, ECHOES_CLIP_FAILURE_INVALID_MOTION, "invalid-motion" },
    { ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_NETWORK, ECHOES_CLIP_FAILURE_NETWORK, "network" },
    { ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_NO_CREDITS, ECHOES_CLIP_FAILURE_NO_CREDITS, "no-credits" },
    { ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_NOT_FOUND, ECHOES_CLIP_FAILURE_NO_PROVIDER, "no-provider" },
    { ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_IMAGE, ECHOES_CLIP_FAILURE_PHOTO, "photo" },
    { ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_MISSING_PLUGIN, ECHOES_CLIP_FAILURE_MISSING_PLUGIN, "missing-plugin" },
    { ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_MODERATION, ECHOES_CLIP_FAILURE_MODERATION, "moderation" },
    { ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_NOT_SIGNED_IN, ECHOES_CLIP_FAILURE_NOT_SIGNED_IN, "not-signed-in" },
    /* Errors of other domains (a provider passing GIO's on) are plain failures. */
    { 0, 0, ECHOES_CLIP_FAILURE_FAILED, "failed" },
  };
  g_autoptr(EchoesGenerationQueue) queue = NULL;
  g_autofree char *bad = add_clip (f, "fail.jpg", 64, 48);

  f->provider->fail = TRUE;
  queue = make_queue (f, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EchoesClip) clip = NULL;

      f->provider->fail_domain = cases[i].domain ? cases[i].domain : G_IO_ERROR;
      f->provider->fail_code = cases[i].domain ? cases[i].code : G_IO_ERROR_PERMISSION_DENIED;
      echoes_generation_queue_enqueue_clip (queue, bad);
      wait_drained (f, i + 1);

      clip = get_clip (f, bad);
      g_assert_cmpint (echoes_clip_get_status (clip), ==, ECHOES_CLIP_STATUS_FAILED);
      g_assert_cmpstr (echoes_clip_get_error (clip), ==, cases[i].stored);
      g_assert_cmpint (echoes_clip_get_failure (clip), ==, cases[i].failure);
      g_assert_cmpstr (echoes_clip_get_failure_message (clip), ==,
                       echoes_clip_failure_get_message (cases[i].failure));
    }

  g_assert_finalize_object (g_steal_pointer (&queue));
}

/* A clip given its own provider (Use Ken Burns Instead after an AI clip failed) runs with
 * it, while the queue's provider stays the default of every other clip. */
static void
test_clip_provider (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(EchoesGenerationQueue) queue = NULL;
  g_autofree char *bad = add_clip (f, "fail.jpg", 64, 48);
  TestProvider *other = g_object_new (TEST_TYPE_PROVIDER, NULL);
  g_autoptr(EchoesClip) clip = NULL;

  other->name = "other";
  f->provider->fail = TRUE;
  f->provider->fail_domain = ECHOES_PROVIDER_ERROR;
  f->provider->fail_code = ECHOES_PROVIDER_ERROR_MODERATION;
  queue = make_queue (f, NULL);

  echoes_generation_queue_enqueue_clip (queue, bad);
  wait_drained (f, 1);
  clip = get_clip (f, bad);
  g_assert_cmpint (echoes_clip_get_failure (clip), ==, ECHOES_CLIP_FAILURE_MODERATION);
  g_assert_cmpuint (f->provider->started, ==, 1);

  echoes_generation_queue_enqueue_clip_with_provider (queue, bad, ECHOES_VIDEO_PROVIDER (other));
  wait_drained (f, 2);
  assert_ready (f, bad);
  g_assert_cmpuint (other->started, ==, 1);
  g_assert_cmpuint (f->provider->started, ==, 1);
  g_assert_true (echoes_generation_queue_get_provider (queue) == ECHOES_VIDEO_PROVIDER (f->provider));

  g_assert_finalize_object (g_steal_pointer (&queue));
  g_assert_finalize_object (other);
}

static void
queued_notify_cb (EchoesClip *clip,
                  GParamSpec *pspec,
                  GArray     *values)
{
  gboolean v = echoes_clip_get_queued (clip);

  g_array_append_val (values, v);
}

static gboolean
model_clip_queued (gpointer user_data)
{
  return echoes_clip_get_queued (user_data);
}

static gboolean
model_clip_not_queued (gpointer user_data)
{
  return !echoes_clip_get_queued (user_data);
}

static gboolean
model_has_two (gpointer user_data)
{
  return g_list_model_get_n_items (user_data) == 2;
}

/* EchoesClip:queued of the library's objects follows the queue: the UI's Cancel
 * Generation depends on it for clips waiting behind another. */
static void
test_library_queued (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(EchoesLibrary) library = echoes_library_new (f->store);
  g_autoptr(EchoesGenerationQueue) queue = NULL;
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (gboolean));
  g_autoptr(EchoesClip) first = NULL;
  g_autoptr(EchoesClip) second = NULL;
  g_autofree char *a = add_clip (f, "a.jpg", 64, 48);
  g_autofree char *b = add_clip (f, "b.jpg", 64, 48);
  GListModel *model = echoes_library_get_clips (library, f->project_id);

  g_assert_true (echoes_test_wait_until (model_has_two, model, 5000));
  first = g_list_model_get_item (model, 0);
  second = g_list_model_get_item (model, 1);
  g_assert_cmpstr (echoes_clip_get_id (second), ==, b);
  g_signal_connect (second, "notify::queued", G_CALLBACK (queued_notify_cb), values);

  f->provider->block = TRUE;
  queue = make_queue (f, library);
  echoes_generation_queue_enqueue_clip (queue, a);
  echoes_generation_queue_enqueue_clip (queue, b);

  /* b waits behind a: its status stays pending, but the model shows it queued. */
  g_assert_true (echoes_test_wait_until (model_clip_queued, second, 5000));
  g_assert_true (echoes_test_wait_until (model_clip_queued, first, 5000));
  g_assert_cmpint (echoes_clip_get_status (second), ==, ECHOES_CLIP_STATUS_PENDING);

  /* Cancelling the waiting clip clears it. */
  echoes_generation_queue_cancel_clip (queue, b);
  g_assert_true (echoes_test_wait_until (model_clip_not_queued, second, 5000));
  g_assert_cmpint (echoes_clip_get_status (second), ==, ECHOES_CLIP_STATUS_PENDING);
  g_assert_cmpuint (values->len, ==, 2);

  /* The running one is cleared when it ends. */
  echoes_generation_queue_cancel_all (queue);
  wait_drained (f, 1);
  g_assert_true (echoes_test_wait_until (model_clip_not_queued, first, 5000));

  g_signal_handlers_disconnect_by_data (second, values);
  g_assert_finalize_object (g_steal_pointer (&queue));
}

typedef struct
{
  guint  calls;
  double last;
  guint  last_index;
  guint  total;
} SyncProgress;

static void
sync_progress_cb (const char *clip_id,
                  guint       index,
                  guint       total,
                  double      fraction,
                  gpointer    user_data)
{
  SyncProgress *p = user_data;

  /* The batch's progress never goes back, however its clips' reports interleave. */
  if (p->calls > 0)
    {
      g_assert_cmpfloat (fraction, >=, p->last);
      g_assert_cmpuint (index, >=, p->last_index);
    }
  p->calls++;
  p->last = fraction;
  p->last_index = index;
  p->total = total;
}

static void
test_sync_local (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(EchoesLocalProvider) local = echoes_local_provider_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *a = add_clip (f, "a.jpg", 300, 200);
  g_autofree char *b = add_clip (f, "b.jpg", 200, 300);
  g_autoptr(EchoesClip) clip = get_clip (f, b);
  SyncProgress progress = { 0 };
  guint n_done = 0;

  /* Small and short: 2 s at 288×162. */
  echoes_local_provider_set_max_size (local, 288);
  echoes_clip_set_motion (clip, "{'duration': <2.0>, 'preset': <'pan-down'>}");
  g_assert_true (echoes_store_update_clip (f->store, clip, &error));
  g_clear_object (&clip);
  clip = get_clip (f, a);
  echoes_clip_set_motion (clip, "{'duration': <2.0>}");
  g_assert_true (echoes_store_update_clip (f->store, clip, &error));

  g_assert_true (echoes_generation_batch_run (f->store, NULL,
                                              ECHOES_VIDEO_PROVIDER (local),
                                              f->project_id,
                                              sync_progress_cb, &progress,
                                              &n_done, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_done, ==, 2);
  g_assert_cmpuint (progress.total, ==, 2);
  g_assert_cmpuint (progress.last_index, ==, 2);
  g_assert_cmpfloat (progress.last, ==, 1.0);
  g_assert_cmpuint (progress.calls, >, 10);
  assert_ready (f, a);
  assert_ready (f, b);

  /* Nothing left to do is a success too. */
  g_assert_true (echoes_generation_batch_run (f->store, NULL,
                                              ECHOES_VIDEO_PROVIDER (local),
                                              f->project_id, NULL, NULL,
                                              &n_done, NULL, &error));
  g_assert_cmpuint (n_done, ==, 0);

  /* An unknown project is an error. */
  g_assert_false (echoes_generation_batch_run (f->store, NULL,
                                               ECHOES_VIDEO_PROVIDER (local),
                                               "no-such-project", NULL, NULL,
                                               NULL, NULL, &error));
  g_assert_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND);
}

static void
test_sync_failure (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = add_clip (f, "a.jpg", 64, 48);
  g_autofree char *bad = add_clip (f, "fail.jpg", 64, 48);
  guint n_done = 0;

  f->provider->fail = TRUE;
  g_assert_false (echoes_generation_batch_run (f->store, NULL,
                                               ECHOES_VIDEO_PROVIDER (f->provider),
                                               f->project_id, NULL, NULL,
                                               &n_done, NULL, &error));
  g_assert_error (error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_FAILED);
  /* The reason is the translated sentence the app shows, not the provider's message. */
  g_assert_cmpstr (error->message, ==, "1 of 2 clips failed: The clip could not be made");
  g_assert_cmpuint (n_done, ==, 1);
  assert_ready (f, a);
}

/* The `clip-duration` preference: clips whose motion gives no length get it; a clip's own
 * length wins. */
static void
test_default_duration (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(EchoesGenerationQueue) queue = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *a = add_clip (f, "a.jpg", 64, 48);
  g_autofree char *b = add_clip (f, "b.jpg", 64, 48);

  clip = get_clip (f, a);
  echoes_clip_set_motion (clip, "{'duration': <2.0>}");
  g_assert_true (echoes_store_update_clip (f->store, clip, &error));
  g_assert_no_error (error);

  queue = make_queue (f, NULL);
  echoes_generation_queue_set_default_duration (queue, 3.0);

  echoes_generation_queue_enqueue_clip (queue, a);
  wait_drained (f, 1);
  g_assert_cmpfloat (f->provider->last_duration, ==, 0.0);

  echoes_generation_queue_enqueue_clip (queue, b);
  wait_drained (f, 2);
  g_assert_cmpfloat (f->provider->last_duration, ==, 3.0);

  g_assert_finalize_object (g_steal_pointer (&queue));
}

/* ---- provider choice: clip override → project default → the queue's provider ---- */

typedef struct
{
  EchoesProviderRegistry *registry;
  TestProvider           *local;   /* named "local" */
  TestProvider           *runway;  /* named "runway" */
  GPtrArray              *fell_back;
} Choice;

static void
fell_back_cb (EchoesGenerationQueue *queue,
              const char            *clip_id,
              const GError          *error,
              Choice                *choice)
{
  g_assert_nonnull (error);
  g_ptr_array_add (choice->fell_back, g_strdup (clip_id));
}

static EchoesGenerationQueue *
make_choice_queue (Fixture *f,
                   Choice  *choice)
{
  EchoesGenerationQueue *queue = make_queue (f, NULL);

  if (choice->registry == NULL)
    {
      choice->registry = echoes_provider_registry_new ();
      choice->local = g_object_new (TEST_TYPE_PROVIDER, NULL);
      choice->local->name = "local";
      choice->runway = g_object_new (TEST_TYPE_PROVIDER, NULL);
      choice->runway->name = "runway";
      /* Fakes under the real names replace the real providers. */
      echoes_provider_registry_add (choice->registry, ECHOES_VIDEO_PROVIDER (choice->local));
      echoes_provider_registry_add (choice->registry, ECHOES_VIDEO_PROVIDER (choice->runway));
      choice->fell_back = g_ptr_array_new_with_free_func (g_free);
    }
  echoes_generation_queue_set_registry (queue, choice->registry);
  g_signal_connect (queue, "clip-fell-back", G_CALLBACK (fell_back_cb), choice);
  return queue;
}

static void
choice_clear (Choice *choice)
{
  g_assert_finalize_object (g_steal_pointer (&choice->registry));
  g_assert_finalize_object (g_steal_pointer (&choice->local));
  g_assert_finalize_object (g_steal_pointer (&choice->runway));
  g_clear_pointer (&choice->fell_back, g_ptr_array_unref);
}

static void
set_project_provider (Fixture    *f,
                      const char *provider)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesProject) project = echoes_store_get_project (f->store, f->project_id, &error);

  g_assert_no_error (error);
  echoes_project_set_provider (project, provider);
  g_assert_true (echoes_store_update_project (f->store, project, &error));
  g_assert_no_error (error);
}

static void
set_clip_override (Fixture    *f,
                   const char *id,
                   const char *provider)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesClip) clip = get_clip (f, id);

  echoes_clip_set_provider_override (clip, provider);
  g_assert_true (echoes_store_update_clip (f->store, clip, &error));
  g_assert_no_error (error);
}

static void
assert_made_with (Fixture    *f,
                  const char *id,
                  const char *provider)
{
  g_autoptr(EchoesClip) clip = get_clip (f, id);

  g_assert_cmpstr (echoes_clip_get_provider (clip), ==, provider);
}

static void
test_choice_order (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(EchoesGenerationQueue) queue = NULL;
  g_autofree char *a = add_clip (f, "a.jpg", 64, 48);
  g_autofree char *b = add_clip (f, "b.jpg", 64, 48);
  g_autofree char *c = add_clip (f, "c.jpg", 64, 48);
  Choice choice = { 0 };

  queue = make_choice_queue (f, &choice);

  /* Nothing chosen: the queue's provider (the app's setting). */
  echoes_generation_queue_enqueue_clip (queue, a);
  wait_drained (f, 1);
  assert_ready (f, a);
  assert_made_with (f, a, "test");

  /* The project's choice, then a clip's own over it. */
  set_project_provider (f, "runway");
  set_clip_override (f, c, "local");
  echoes_generation_queue_enqueue_clip (queue, b);
  echoes_generation_queue_enqueue_clip (queue, c);
  wait_drained (f, 2);
  assert_ready (f, b);
  assert_ready (f, c);
  assert_made_with (f, b, "runway");
  assert_made_with (f, c, "local");
  g_assert_cmpuint (f->provider->started, ==, 1);
  g_assert_cmpuint (choice.runway->started, ==, 1);
  g_assert_cmpuint (choice.local->started, ==, 1);

  /* A forced provider (echoes-cli --provider) wins over both. */
  echoes_generation_queue_set_force_provider (queue, TRUE);
  echoes_generation_queue_enqueue_clip (queue, c);
  wait_drained (f, 3);
  assert_made_with (f, c, "test");
  g_assert_cmpuint (choice.local->started, ==, 1);

  g_assert_finalize_object (g_steal_pointer (&queue));
  choice_clear (&choice);
}

/* A provider nobody knows fails the clip; nothing else makes it. */
static void
test_choice_unknown (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(EchoesGenerationQueue) queue = NULL;
  g_autofree char *a = add_clip (f, "a.jpg", 64, 48);
  g_autoptr(EchoesClip) clip = NULL;
  Choice choice = { 0 };

  queue = make_choice_queue (f, &choice);
  echoes_generation_queue_set_ken_burns_fallback (queue, TRUE);
  set_project_provider (f, "no-such-provider");
  echoes_generation_queue_enqueue_clip (queue, a);
  wait_drained (f, 1);

  clip = get_clip (f, a);
  g_assert_cmpint (echoes_clip_get_status (clip), ==, ECHOES_CLIP_STATUS_FAILED);
  g_assert_cmpint (echoes_clip_get_failure (clip), ==, ECHOES_CLIP_FAILURE_NO_PROVIDER);
  g_assert_false (echoes_clip_get_queued (clip));
  g_assert_error ((GError *)f->errors->pdata[0], ECHOES_PROVIDER_ERROR,
                  ECHOES_PROVIDER_ERROR_NOT_FOUND);
  g_assert_cmpuint (f->provider->started + choice.local->started + choice.runway->started, ==, 0);
  g_assert_cmpuint (choice.fell_back->len, ==, 0);

  g_assert_finalize_object (g_steal_pointer (&queue));
  choice_clear (&choice);
}

/* "Use Ken Burns instead" is the clip's choice from then on: a new queue on the same
 * store (the app restarted) still makes it with Ken Burns. */
static void
test_choice_restart (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(EchoesGenerationQueue) queue = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autofree char *a = add_clip (f, "a.jpg", 64, 48);
  Choice choice = { 0 };

  set_project_provider (f, "runway");
  queue = make_choice_queue (f, &choice);
  echoes_generation_queue_enqueue_clip_with_provider (queue, a, ECHOES_VIDEO_PROVIDER (choice.local));
  wait_drained (f, 1);
  assert_made_with (f, a, "local");
  clip = get_clip (f, a);
  g_assert_cmpstr (echoes_clip_get_provider_override (clip), ==, "local");
  g_assert_finalize_object (g_steal_pointer (&queue));

  /* Queued when the app quit. */
  g_assert_true (echoes_store_set_clips_queued (f->store, (const char *[]) { a, NULL }, TRUE,
                                                &error));
  g_assert_no_error (error);

  queue = make_choice_queue (f, &choice);
  echoes_generation_queue_resume_async (queue, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (echoes_generation_queue_resume_finish (queue, result, &error), ==, 1);
  g_assert_no_error (error);
  wait_drained (f, 2);
  assert_made_with (f, a, "local");
  g_assert_cmpuint (choice.local->started, ==, 2);
  g_assert_cmpuint (choice.runway->started, ==, 0);
  g_assert_cmpuint (f->provider->started, ==, 0);

  g_clear_object (&result);  /* the task holds the queue */
  g_assert_finalize_object (g_steal_pointer (&queue));
  choice_clear (&choice);
}

static void
test_choice_fallback (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(EchoesGenerationQueue) queue = NULL;
  g_autofree char *a = add_clip (f, "a.jpg", 64, 48);
  g_autofree char *b = add_clip (f, "b.jpg", 64, 48);
  g_autoptr(EchoesClip) clip = NULL;
  Choice choice = { 0 };

  set_project_provider (f, "runway");
  queue = make_choice_queue (f, &choice);
  choice.runway->fail = TRUE;
  choice.runway->fail_suffix = NULL;
  choice.runway->fail_domain = ECHOES_PROVIDER_ERROR;
  choice.runway->fail_code = ECHOES_PROVIDER_ERROR_MODERATION;

  /* Off (the default): the clip fails and offers Ken Burns; nothing else runs. */
  g_assert_false (echoes_generation_queue_get_ken_burns_fallback (queue));
  echoes_generation_queue_enqueue_clip (queue, a);
  wait_drained (f, 1);
  clip = get_clip (f, a);
  g_assert_cmpint (echoes_clip_get_failure (clip), ==, ECHOES_CLIP_FAILURE_MODERATION);
  g_assert_cmpuint (choice.local->started, ==, 0);
  g_assert_cmpuint (choice.fell_back->len, ==, 0);

  /* On: made again once with Ken Burns, which becomes the clip's choice; the queue
   * drains once, after both. */
  echoes_generation_queue_set_ken_burns_fallback (queue, TRUE);
  choice.runway->fail_code = ECHOES_PROVIDER_ERROR_NO_CREDITS;
  echoes_generation_queue_enqueue_clip (queue, b);
  wait_drained (f, 2);
  assert_ready (f, b);
  assert_made_with (f, b, "local");
  g_clear_object (&clip);
  clip = get_clip (f, b);
  g_assert_cmpstr (echoes_clip_get_provider_override (clip), ==, "local");
  g_assert_cmpuint (choice.runway->started, ==, 2);
  g_assert_cmpuint (choice.local->started, ==, 1);
  g_assert_cmpuint (choice.fell_back->len, ==, 1);
  g_assert_cmpstr (choice.fell_back->pdata[0], ==, b);
  g_assert_cmpuint (f->drained, ==, 2);

  g_assert_finalize_object (g_steal_pointer (&queue));
  choice_clear (&choice);
}

static gboolean
provider_running (gpointer user_data)
{
  return ((TestProvider *)user_data)->running > 0;
}

/* Cancelling an AI clip never makes it with Ken Burns. */
static void
test_choice_cancel (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(EchoesGenerationQueue) queue = NULL;
  g_autofree char *a = add_clip (f, "a.jpg", 64, 48);
  g_autoptr(EchoesClip) clip = NULL;
  Choice choice = { 0 };

  set_project_provider (f, "runway");
  queue = make_choice_queue (f, &choice);
  echoes_generation_queue_set_ken_burns_fallback (queue, TRUE);
  choice.runway->block = TRUE;
  echoes_generation_queue_enqueue_clip (queue, a);
  g_assert_true (echoes_test_wait_until (provider_running, choice.runway, 5000));
  echoes_generation_queue_cancel_clip (queue, a);
  wait_drained (f, 1);

  clip = get_clip (f, a);
  g_assert_cmpint (echoes_clip_get_status (clip), ==, ECHOES_CLIP_STATUS_PENDING);
  g_assert_null (echoes_clip_get_provider_override (clip));
  g_assert_cmpuint (choice.local->started, ==, 0);
  g_assert_cmpuint (choice.fell_back->len, ==, 0);

  g_assert_finalize_object (g_steal_pointer (&queue));
  choice_clear (&choice);
}

int
main (int   argc,
      char *argv[])
{
  /* keeps the MIME database gdk-pixbuf needs visible in isolated dirs */
  echoes_test_init (&argc, &argv);
  gst_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/echoes/generation/queue/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("project-retry", test_project);
  ADD ("resume", test_resume);
  ADD ("resume-queued", test_resume_queued);
  ADD ("cancel", test_cancel);
  ADD ("library-progress", test_library_progress);
  ADD ("library-queued", test_library_queued);
  ADD ("failure-codes", test_failure_codes);
  ADD ("clip-provider", test_clip_provider);
  ADD ("sync-local", test_sync_local);
  ADD ("sync-failure", test_sync_failure);
  ADD ("default-duration", test_default_duration);
  ADD ("choice-order", test_choice_order);
  ADD ("choice-unknown", test_choice_unknown);
  ADD ("choice-restart", test_choice_restart);
  ADD ("choice-fallback", test_choice_fallback);
  ADD ("choice-cancel", test_choice_cancel);
#undef ADD

  return g_test_run ();
}
