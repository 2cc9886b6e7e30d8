/* test-sync-push.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-sync-push"

#include "config.h"

#include <glib/gstdio.h>

#include "echoes-cloud-error.h"
#include "echoes-paths.h"
#include "echoes-store.h"
#include "echoes-sync-engine.h"
#include "echoes-test-network.h"
#include "echoes-test-remote.h"
#include "echoes-test-util.h"

/* The push pipeline of the sync engine (src/sync/echoes-sync-push.c) against the
 * in-memory server: rows in batches, uploads a few at a time, each item on its own. */

#define N_CLIPS 6

typedef struct
{
  EchoesTestRemote *remote;
  TestNetwork      *network;
  EchoesStore      *store;
  EchoesSyncEngine *engine;
  EchoesProject    *project;
  EchoesClip       *clips[N_CLIPS];
} Fixture;

typedef struct
{
  gboolean  done;
  GError   *error;
} SyncWait;

static void
write_media (EchoesStore *store,
             const char  *relative,
             gsize        size,
             guint8       seed)
{
  g_autofree char *path = echoes_store_resolve (store, relative);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree guint8 *data = g_malloc (size);
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8)(seed + i * 31);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, (const char *)data, size, &error);
  g_assert_no_error (error);
}

static EchoesClip *
add_clip (EchoesStore *store,
          const char  *project_id,
          guint        position)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *image = echoes_paths_image_relative (project_id, id, "jpg");
  g_autoptr(GError) error = NULL;
  EchoesClip *clip = echoes_clip_new (id, project_id);

  write_media (store, image, 1000 + position, (guint8)position);
  echoes_clip_set_image (clip, image);
  g_assert_true (echoes_store_insert_clip (store, clip, position, &error));
  g_assert_no_error (error);
  return clip;
}

/* A synced project of @n_clips clips on a fresh device. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "device", NULL);
  g_autoptr(GError) error = NULL;
  guint n_clips = GPOINTER_TO_UINT (data) ? GPOINTER_TO_UINT (data) : N_CLIPS;

  f->remote = echoes_test_remote_new ("5d8f8e1c-0000-4000-8000-000000000001");
  f->network = g_object_new (TEST_TYPE_NETWORK, NULL);
  f->store = echoes_store_open (dir, &error);
  g_assert_no_error (error);
  g_assert_true (echoes_store_set_default_synced (f->store, TRUE, &error));
  f->project = echoes_store_create_project (f->store, "Pushed", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n_clips; i++)
    {
      EchoesClip *clip = add_clip (f->store, echoes_project_get_id (f->project), i);

      if (i < N_CLIPS)
        f->clips[i] = clip;
      else
        g_object_unref (clip);
    }
  f->engine = echoes_sync_engine_new (f->store, ECHOES_SYNC_REMOTE (f->remote),
                                      G_NETWORK_MONITOR (f->network));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  echoes_sync_engine_stop (f->engine);
  echoes_test_drain (f->engine);
  g_assert_finalize_object (g_steal_pointer (&f->engine));
  for (guint i = 0; i < N_CLIPS; i++)
    g_clear_object (&f->clips[i]);
  g_clear_object (&f->project);
  echoes_test_drain (f->store);
  g_assert_finalize_object (g_steal_pointer (&f->store));
  g_assert_finalize_object (g_steal_pointer (&f->remote));
  g_assert_finalize_object (g_steal_pointer (&f->network));
}

static void
synced_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  SyncWait *w = user_data;

  echoes_sync_engine_sync_finish (ECHOES_SYNC_ENGINE (object), result, &w->error);
  w->done = TRUE;
}

static GError *
sync_once (EchoesSyncEngine *engine)
{
  SyncWait w = { FALSE, NULL };

  echoes_sync_engine_sync_async (engine, NULL, synced_cb, &w);
  echoes_test_wait (&w.done);
  return w.error;
}

static GPtrArray *
list_outbox (EchoesStore *store)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *items = echoes_store_list_outbox (store, &error);

  g_assert_no_error (error);
  return items;
}

static char *
object_of (Fixture    *f,
           EchoesClip *clip)
{
  g_autofree char *name = g_path_get_basename (echoes_clip_get_image (clip));

  return g_strdup_printf ("%s/%s/%s", f->remote->user_id, echoes_project_get_id (f->project),
                          name);
}

typedef struct
{
  EchoesTestRemote *remote;
  guint             n;
} HeldWait;

static gboolean
n_held (gpointer data)
{
  HeldWait *w = data;

  return w->remote->held->len >= w->n;
}

typedef struct
{
  EchoesTestRemote *remote;
  SyncWait         *sync;
} ReleaseWait;

/* Lets every upload go as soon as it is made, until the sync is over. */
static gboolean
release_until_done (gpointer data)
{
  ReleaseWait *w = data;

  if (w->remote->held->len > 0)
    echoes_test_remote_release_uploads (w->remote);
  return w->sync->done;
}

/* ---- tests ---- */

/* Many rows go in a few requests: the project, then its clips in one batch. */
static void
test_batch (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) items = NULL;

  g_assert_no_error (sync_once (f->engine));

  /* 1 project + 40 clips: one request for the project, one for the clips */
  g_assert_cmpuint (echoes_test_remote_count_rows (f->remote, "clips"), ==, 40);
  g_assert_cmpuint (echoes_test_remote_count_rows (f->remote, "projects"), ==, 1);
  g_assert_cmpuint (f->remote->n_row_requests, <=, 2);
  g_assert_cmpuint (g_hash_table_size (f->remote->objects), ==, 40);
  items = list_outbox (f->store);
  g_assert_cmpuint (items->len, ==, 0);
}

/* Uploads run a few at a time; one refused does not stop the others, and goes again
 * once the server takes it. */
static void
test_concurrent_uploads (Fixture       *f,
                         gconstpointer  data)
{
  SyncWait w = { FALSE, NULL };
  HeldWait held = { f->remote, 3 };
  ReleaseWait release = { f->remote, &w };
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *refused = object_of (f, f->clips[2]);
  EchoesOutboxItem *item;

  f->remote->hold_uploads = TRUE;
  f->remote->refuse_upload_id = g_strdup (echoes_clip_get_id (f->clips[2]));

  echoes_sync_engine_sync_async (f->engine, NULL, synced_cb, &w);
  /* several in flight at once (the refused one failed at once and freed its place) */
  g_assert_true (echoes_test_wait_until (n_held, &held, 20000));
  g_assert_cmpuint (f->remote->held->len, >=, 3);
  g_assert_cmpuint (f->remote->held->len, <=, 4);
  g_assert_true (echoes_test_wait_until (release_until_done, &release, 20000));
  g_assert_error (w.error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_FAILED);
  g_clear_error (&w.error);
  g_assert_cmpuint (f->remote->max_held, <=, 4);

  for (guint i = 0; i < N_CLIPS; i++)
    {
      g_autofree char *object = object_of (f, f->clips[i]);

      if (i == 2)
        g_assert_null (echoes_test_remote_get_object (f->remote, "images", object));
      else
        g_assert_nonnull (echoes_test_remote_get_object (f->remote, "images", object));
    }

  items = list_outbox (f->store);
  g_assert_cmpuint (items->len, ==, 1);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpstr (item->entity, ==, "image");
  g_assert_cmpstr (item->local_id, ==, echoes_clip_get_id (f->clips[2]));
  g_assert_cmpuint (item->attempts, ==, 1);
  g_assert_cmpint (item->next_try_at, >, g_get_real_time ());

  /* the server takes it now; a requested sync does not wait for the backoff */
  g_clear_pointer (&f->remote->refuse_upload_id, g_free);
  f->remote->hold_uploads = FALSE;
  g_assert_no_error (sync_once (f->engine));
  g_assert_nonnull (echoes_test_remote_get_object (f->remote, "images", refused));
  g_clear_pointer (&items, g_ptr_array_unref);
  items = list_outbox (f->store);
  g_assert_cmpuint (items->len, ==, 0);
}

/* An image replaced while its upload is in flight stays queued: the upload that ends
 * was of the old one. */
static void
test_edited_in_flight (Fixture       *f,
                       gconstpointer  data)
{
  SyncWait w = { FALSE, NULL };
  HeldWait held = { f->remote, 1 };
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autofree char *image = NULL;
  g_autofree char *object = NULL;
  gboolean queued = FALSE;

  f->remote->hold_uploads = TRUE;
  echoes_sync_engine_sync_async (f->engine, NULL, synced_cb, &w);
  g_assert_true (echoes_test_wait_until (n_held, &held, 20000));

  /* the first clip's image changes while uploads are held */
  clip = echoes_store_get_clip (f->store, echoes_clip_get_id (f->clips[0]), &error);
  g_assert_no_error (error);
  image = echoes_paths_image_relative (echoes_project_get_id (f->project),
                                       echoes_clip_get_id (clip), "png");
  write_media (f->store, image, 2000, 99);
  echoes_clip_set_image (clip, image);
  g_assert_true (echoes_store_update_clip (f->store, clip, &error));
  g_assert_no_error (error);

  {
    ReleaseWait release = { f->remote, &w };

    g_assert_true (echoes_test_wait_until (release_until_done, &release, 20000));
  }
  g_assert_no_error (w.error);

  items = list_outbox (f->store);
  for (guint i = 0; i < items->len; i++)
    {
      EchoesOutboxItem *item = g_ptr_array_index (items, i);

      if (g_str_equal (item->entity, "image") &&
          g_str_equal (item->local_id, echoes_clip_get_id (clip)))
        queued = TRUE;
    }
  g_assert_true (queued);

  /* the next sync sends the new one */
  f->remote->hold_uploads = FALSE;
  g_assert_no_error (sync_once (f->engine));
  object = object_of (f, clip);
  g_assert_nonnull (echoes_test_remote_get_object (f->remote, "images", object));
  g_clear_pointer (&items, g_ptr_array_unref);
  items = list_outbox (f->store);
  g_assert_cmpuint (items->len, ==, 0);
}

/* Stopping (sign-out) mid-push cancels every upload in flight; the outbox keeps them. */
static void
test_cancel_mid_push (Fixture       *f,
                      gconstpointer  data)
{
  SyncWait w = { FALSE, NULL };
  HeldWait held = { f->remote, 2 };
  g_autoptr(GPtrArray) items = NULL;

  f->remote->hold_uploads = TRUE;
  echoes_sync_engine_sync_async (f->engine, NULL, synced_cb, &w);
  g_assert_true (echoes_test_wait_until (n_held, &held, 20000));

  echoes_sync_engine_stop (f->engine);
  echoes_test_remote_release_uploads (f->remote);
  echoes_test_wait (&w.done);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&w.error);
  g_assert_cmpuint (f->remote->held->len, ==, 0);

  /* the rows went before the uploads; every image is still queued, none stored */
  g_assert_cmpuint (g_hash_table_size (f->remote->objects), ==, 0);
  items = list_outbox (f->store);
  g_assert_cmpuint (items->len, ==, N_CLIPS);
  for (guint i = 0; i < items->len; i++)
    {
      EchoesOutboxItem *item = g_ptr_array_index (items, i);

      g_assert_cmpstr (item->entity, ==, "image");
      g_assert_cmpuint (item->attempts, ==, 0);
    }

  /* signed in again: everything goes */
  f->remote->hold_uploads = FALSE;
  g_assert_no_error (sync_once (f->engine));
  g_clear_pointer (&items, g_ptr_array_unref);
  items = list_outbox (f->store);
  g_assert_cmpuint (items->len, ==, 0);
  g_assert_cmpuint (g_hash_table_size (f->remote->objects), ==, N_CLIPS);
}

/* A server failing as a whole (503s) is not asked again by every item of the queue:
 * the first failures stop new starts until the next sync. */
static void
test_overloaded (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  guint n_tried = 0;

  f->remote->uploads_overloaded = TRUE;
  error = sync_once (f->engine);
  g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_SERVER);

  /* at most the uploads already in flight when the first failed */
  g_assert_cmpuint (f->remote->n_upload_attempts, >=, 1);
  g_assert_cmpuint (f->remote->n_upload_attempts, <=, 4);
  g_assert_cmpuint (f->remote->n_upload_attempts, <, N_CLIPS);
  items = list_outbox (f->store);
  g_assert_cmpuint (items->len, ==, N_CLIPS);
  for (guint i = 0; i < items->len; i++)
    if (((EchoesOutboxItem *)g_ptr_array_index (items, i))->attempts > 0)
      n_tried++;
  g_assert_cmpuint (n_tried, ==, f->remote->n_upload_attempts);

  /* the server is back */
  f->remote->uploads_overloaded = FALSE;
  g_assert_no_error (sync_once (f->engine));
  g_clear_pointer (&items, g_ptr_array_unref);
  items = list_outbox (f->store);
  g_assert_cmpuint (items->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);

  g_test_add ("/echoes/sync/push/batch", Fixture, GUINT_TO_POINTER (40), fixture_setup, test_batch, fixture_teardown);
  g_test_add ("/echoes/sync/push/concurrent-uploads", Fixture, NULL, fixture_setup, test_concurrent_uploads, fixture_teardown);
  g_test_add ("/echoes/sync/push/edited-in-flight", Fixture, NULL, fixture_setup, test_edited_in_flight, fixture_teardown);
  g_test_add ("/echoes/sync/push/overloaded", Fixture, NULL, fixture_setup, test_overloaded, fixture_teardown);
  g_test_add ("/echoes/sync/push/cancel-mid-push", Fixture, NULL, fixture_setup, test_cancel_mid_push, fixture_teardown);

  return g_test_run ();
}
