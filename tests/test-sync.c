/* test-sync.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The sync engine against an in-memory server: real SQLite stores in separate data
 * directories play two devices of one account. */

#include "config.h"

#include <glib/gstdio.h>

#include "echoes-paths.h"
#include "echoes-store-private.h"
#include "echoes-store-test-hooks.h"
#include "echoes-sync-engine.h"
#include "echoes-test-network.h"
#include "echoes-test-remote.h"
#include "echoes-test-util.h"

/* ---- a network monitor the test switches on and off ---- */

/* ---- helpers ---- */

typedef struct
{
  EchoesTestRemote *remote;
  TestNetwork      *network;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->remote = echoes_test_remote_new ("5d8f8e1c-0000-4000-8000-000000000001");
  f->network = g_object_new (TEST_TYPE_NETWORK, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (g_steal_pointer (&f->remote));
  g_assert_finalize_object (g_steal_pointer (&f->network));
}

static EchoesStore *
open_device (const char *name)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), name, NULL);
  g_autoptr(GError) error = NULL;
  EchoesStore *store = echoes_store_open (dir, &error);

  g_assert_no_error (error);
  return store;
}

static void
close_store (EchoesStore *store)
{
  echoes_test_drain (store);
  g_assert_finalize_object (store);
}

static EchoesSyncEngine *
new_engine (Fixture     *f,
            EchoesStore *store)
{
  return echoes_sync_engine_new (store, ECHOES_SYNC_REMOTE (f->remote),
                                 G_NETWORK_MONITOR (f->network));
}

static void
close_engine (EchoesSyncEngine *engine)
{
  echoes_sync_engine_stop (engine);
  echoes_test_drain (engine);
  g_assert_finalize_object (engine);
}

typedef struct
{
  gboolean  done;
  GError   *error;
} SyncWait;

static void
synced_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  SyncWait *w = user_data;

  echoes_sync_engine_sync_finish (ECHOES_SYNC_ENGINE (object), result, &w->error);
  w->done = TRUE;
}

/* Runs one whole sync; returns its error. */
static GError *
sync_once (EchoesSyncEngine *engine)
{
  SyncWait w = { FALSE, NULL };

  echoes_sync_engine_sync_async (engine, NULL, synced_cb, &w);
  echoes_test_wait (&w.done);
  return w.error;
}

static void
sync_ok (EchoesSyncEngine *engine)
{
  g_autoptr(GError) error = sync_once (engine);

  g_assert_no_error (error);
}

static guint
outbox_length (EchoesStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = echoes_store_list_outbox (store, &error);

  g_assert_no_error (error);
  return items->len;
}

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
    data[i] = (guint8)(seed + i * 31 + (i >> 11));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, (const char *)data, size, &error);
  g_assert_no_error (error);
}

static EchoesProject *
create_project (EchoesStore *store,
                const char  *title)
{
  g_autoptr(GError) error = NULL;
  EchoesProject *project = echoes_store_create_project (store, title, &error);

  g_assert_no_error (error);
  return project;
}

static EchoesClip *
add_clip (EchoesStore *store,
          const char  *project_id,
          guint        position,
          gsize        image_size)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *image = echoes_paths_image_relative (project_id, id, "jpg");
  g_autoptr(GError) error = NULL;
  EchoesClip *clip = echoes_clip_new (id, project_id);

  write_media (store, image, image_size, (guint8)position);
  echoes_clip_set_image (clip, image);
  echoes_clip_set_source_name (clip, "photo.jpg");
  g_assert_true (echoes_store_insert_clip (store, clip, position, &error));
  g_assert_no_error (error);
  return clip;
}

static EchoesClip *
get_clip (EchoesStore *store,
          const char  *id)
{
  g_autoptr(GError) error = NULL;
  EchoesClip *clip = echoes_store_get_clip (store, id, &error);

  g_assert_no_error (error);
  return clip;
}

static void
set_prompt (EchoesStore *store,
            const char  *id,
            const char  *prompt)
{
  g_autoptr(EchoesClip) clip = get_clip (store, id);
  g_autoptr(GError) error = NULL;

  echoes_clip_set_prompt (clip, prompt);
  g_assert_true (echoes_store_update_clip (store, clip, &error));
  g_assert_no_error (error);
}

static void
set_motion (EchoesStore *store,
            const char  *id,
            const char  *motion)
{
  g_autoptr(EchoesClip) clip = get_clip (store, id);
  g_autoptr(GError) error = NULL;

  echoes_clip_set_motion (clip, motion);
  g_assert_true (echoes_store_update_clip (store, clip, &error));
  g_assert_no_error (error);
}

static char *
order_of (EchoesStore *store,
          const char  *project_id)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) order = echoes_store_dup_clip_order (store, project_id, &error);

  g_assert_no_error (error);
  g_assert_true (_echoes_store_check_order (store, project_id, &error));
  g_assert_no_error (error);
  return g_strjoinv (",", order);
}

static gint64
file_size (EchoesStore *store,
           const char  *relative)
{
  g_autofree char *path = echoes_store_resolve (store, relative);
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return -1;
  return st.st_size;
}

/* Syncs both devices until neither has anything left to push: a device may queue
 * something while merging (a clip kept, an order settled), which the other then pulls. */
static void
settle (EchoesSyncEngine *a,
        EchoesSyncEngine *b)
{
  for (guint round = 0; round < 6; round++)
    {
      sync_ok (a);
      sync_ok (b);
      if (round >= 2 &&
          outbox_length (echoes_sync_engine_get_store (a)) == 0 &&
          outbox_length (echoes_sync_engine_get_store (b)) == 0)
        return;
    }
  g_assert_not_reached ();
}

/* ---- tests ---- */

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  EchoesStore *a = open_device ("device-a");
  EchoesStore *b = open_device ("device-b");
  EchoesSyncEngine *sync_a = NULL;
  EchoesSyncEngine *sync_b = NULL;
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(EchoesClip) c0 = NULL;
  g_autoptr(EchoesClip) c1 = NULL;
  g_autoptr(EchoesClip) c2 = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *order_a = NULL;
  g_autofree char *order_b = NULL;
  const char *pid;

  g_assert_true (echoes_store_set_default_synced (a, TRUE, &error));
  g_assert_true (echoes_store_set_default_synced (b, TRUE, &error));

  project = create_project (a, "Summer");
  pid = echoes_project_get_id (project);
  c0 = add_clip (a, pid, 0, 1000);
  c1 = add_clip (a, pid, 1, 2000);
  c2 = add_clip (a, pid, 2, 3000);
  g_assert_cmpuint (outbox_length (a), >, 0);

  sync_a = new_engine (f, a);
  sync_b = new_engine (f, b);

  sync_ok (sync_a);
  g_assert_cmpuint (outbox_length (a), ==, 0);
  g_assert_cmpint (echoes_sync_engine_get_state (sync_a), ==, ECHOES_SYNC_STATE_IDLE);
  g_assert_cmpuint (echoes_test_remote_count_rows (f->remote, "projects"), ==, 1);
  g_assert_cmpuint (echoes_test_remote_count_rows (f->remote, "clips"), ==, 3);

  /* The second device gets the project, the clips in order and the images. */
  sync_ok (sync_b);
  clips = echoes_store_list_clips (b, pid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clips->len, ==, 3);
  g_assert_cmpstr (echoes_clip_get_id (g_ptr_array_index (clips, 0)), ==, echoes_clip_get_id (c0));
  g_assert_cmpstr (echoes_clip_get_id (g_ptr_array_index (clips, 2)), ==, echoes_clip_get_id (c2));
  g_assert_cmpint (file_size (b, echoes_clip_get_image (c0)), ==, 1000);
  g_assert_cmpint (file_size (b, echoes_clip_get_image (c2)), ==, 3000);
  {
    g_autoptr(EchoesProject) there = echoes_store_get_project (b, pid, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (echoes_project_get_title (there), ==, "Summer");
  }
  g_assert_cmpuint (outbox_length (b), ==, 0);

  /* Both edit the same clip: per field, the later write wins. B deletes a clip that A
   * edits afterwards: it is kept. */
  set_prompt (a, echoes_clip_get_id (c0), "prompt from A");
  set_prompt (b, echoes_clip_get_id (c0), "prompt from B");
  g_assert_true (echoes_store_trash_clip (b, echoes_clip_get_id (c1), &error));
  g_assert_no_error (error);
  set_motion (a, echoes_clip_get_id (c0), "motion from A");
  set_prompt (a, echoes_clip_get_id (c1), "edited after the delete");

  settle (sync_a, sync_b);

  for (guint i = 0; i < 2; i++)
    {
      EchoesStore *store = i == 0 ? a : b;
      g_autoptr(EchoesClip) first = get_clip (store, echoes_clip_get_id (c0));
      g_autoptr(EchoesClip) kept = get_clip (store, echoes_clip_get_id (c1));

      g_assert_cmpstr (echoes_clip_get_prompt (first), ==, "prompt from B");
      g_assert_cmpstr (echoes_clip_get_motion (first), ==, "motion from A");
      g_assert_cmpstr (echoes_clip_get_prompt (kept), ==, "edited after the delete");
    }
  order_a = order_of (a, pid);
  order_b = order_of (b, pid);
  g_assert_cmpstr (order_a, ==, order_b);
  g_assert_cmpuint (g_strv_length ((GStrv)(const char *[]) { order_a, NULL }), ==, 1);
  g_clear_pointer (&order_a, g_free);
  g_clear_pointer (&order_b, g_free);

  /* Both reorder: the orders settle the same, 0..n-1, on both; no clip is lost. */
  g_assert_true (echoes_store_move_clip (a, echoes_clip_get_id (c2), 0, &error));
  g_assert_true (echoes_store_move_clip (b, echoes_clip_get_id (c0), 2, &error));
  g_assert_no_error (error);
  settle (sync_a, sync_b);
  order_a = order_of (a, pid);
  order_b = order_of (b, pid);
  g_assert_cmpstr (order_a, ==, order_b);
  {
    g_auto(GStrv) ids = g_strsplit (order_a, ",", -1);

    g_assert_cmpuint (g_strv_length (ids), ==, 3);
  }

  /* A clip deleted on one device goes on the other. */
  g_assert_true (echoes_store_trash_clip (a, echoes_clip_get_id (c2), &error));
  g_assert_no_error (error);
  settle (sync_a, sync_b);
  clips = (g_ptr_array_unref (clips), echoes_store_list_clips (b, pid, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (clips->len, ==, 2);

  close_engine (sync_a);
  close_engine (sync_b);
  close_store (a);
  close_store (b);
}

/* The connection drops after the server applied a push: the item stays in the outbox,
 * across a restart, and is pushed again once; the upsert leaves the same row. */
static void
test_outbox_survives_restart (Fixture       *f,
                              gconstpointer  data)
{
  EchoesStore *store = open_device ("device");
  EchoesSyncEngine *engine = NULL;
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) title = NULL;
  g_autofree char *pid = NULL;
  EchoesOutboxItem *item;

  g_assert_true (echoes_store_set_default_synced (store, TRUE, &error));
  project = create_project (store, "Crash test");
  pid = g_strdup (echoes_project_get_id (project));

  f->remote->fail_after_apply = TRUE;
  engine = new_engine (f, store);
  error = sync_once (engine);
  g_assert_error (error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NETWORK);
  g_clear_error (&error);
  g_assert_cmpint (echoes_sync_engine_get_state (engine), ==, ECHOES_SYNC_STATE_ERROR);
  g_assert_nonnull (echoes_sync_engine_get_last_error (engine));
  g_assert_cmpuint (echoes_test_remote_count_pushes (f->remote, pid), ==, 1);
  close_engine (engine);
  close_store (store);

  store = open_device ("device");
  items = echoes_store_list_outbox (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpstr (item->entity, ==, "project");
  g_assert_cmpstr (item->local_id, ==, pid);
  g_assert_cmpuint (item->attempts, ==, 1);
  g_assert_true (g_strv_contains ((const char * const *)item->fields, "title"));

  engine = new_engine (f, store);
  sync_ok (engine);
  g_assert_cmpuint (outbox_length (store), ==, 0);
  g_assert_cmpuint (echoes_test_remote_count_pushes (f->remote, pid), ==, 2);
  g_assert_cmpuint (echoes_test_remote_count_rows (f->remote, "projects"), ==, 1);
  title = echoes_test_remote_dup_field (f->remote, "projects", pid, "title");
  g_assert_true (g_variant_is_of_type (title, G_VARIANT_TYPE ("ms")));
  {
    g_autoptr(GVariant) inner = g_variant_get_maybe (title);

    g_assert_cmpstr (g_variant_get_string (inner, NULL), ==, "Crash test");
  }
  g_assert_cmpint (echoes_sync_engine_get_state (engine), ==, ECHOES_SYNC_STATE_IDLE);
  g_assert_null (echoes_sync_engine_get_last_error (engine));

  /* Nothing left: another sync pushes nothing. */
  sync_ok (engine);
  g_assert_cmpuint (echoes_test_remote_count_pushes (f->remote, pid), ==, 2);

  close_engine (engine);
  close_store (store);
}

/* A row the server keeps refusing holds back only itself and its project's clips. */
static void
test_failure_isolated (Fixture       *f,
                       gconstpointer  data)
{
  EchoesStore *store = open_device ("device");
  EchoesSyncEngine *engine = NULL;
  g_autoptr(EchoesProject) bad = NULL;
  g_autoptr(EchoesProject) good = NULL;
  g_autoptr(EchoesClip) bad_clip = NULL;
  g_autoptr(EchoesClip) good_clip = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *object = NULL;

  g_assert_true (echoes_store_set_default_synced (store, TRUE, &error));
  bad = create_project (store, "Refused");
  good = create_project (store, "Fine");
  bad_clip = add_clip (store, echoes_project_get_id (bad), 0, 100);
  good_clip = add_clip (store, echoes_project_get_id (good), 0, 100);

  g_free (f->remote->refuse_id);
  f->remote->refuse_id = g_strdup (echoes_project_get_id (bad));
  engine = new_engine (f, store);
  error = sync_once (engine);
  g_assert_error (error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NETWORK);
  g_clear_error (&error);

  g_assert_cmpuint (echoes_test_remote_count_pushes (f->remote, echoes_project_get_id (good)), ==, 1);
  g_assert_cmpuint (echoes_test_remote_count_pushes (f->remote, echoes_clip_get_id (good_clip)), ==, 1);
  object = g_strdup_printf ("%s/%s/%s.jpg", f->remote->user_id, echoes_project_get_id (good),
                            echoes_clip_get_id (good_clip));
  g_assert_nonnull (echoes_test_remote_get_object (f->remote, "images", object));
  g_assert_cmpuint (echoes_test_remote_count_pushes (f->remote, echoes_clip_get_id (bad_clip)), ==, 0);

  /* The refused project waits with a backoff; its clip and image wait behind it. */
  items = echoes_store_list_outbox (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 3);
  for (guint i = 0; i < items->len; i++)
    {
      EchoesOutboxItem *item = g_ptr_array_index (items, i);

      g_assert_cmpstr (item->project_id, ==, echoes_project_get_id (bad));
      if (g_str_equal (item->entity, "project"))
        {
          g_assert_cmpuint (item->attempts, ==, 1);
          g_assert_cmpint (item->next_try_at, >, g_get_real_time ());
        }
      else
        g_assert_cmpuint (item->attempts, ==, 0);
    }

  /* The server accepts it again; Retry (a requested sync) does not wait for the backoff. */
  g_clear_pointer (&f->remote->refuse_id, g_free);
  sync_ok (engine);
  g_assert_cmpuint (outbox_length (store), ==, 0);
  g_assert_cmpuint (echoes_test_remote_count_pushes (f->remote, echoes_clip_get_id (bad_clip)), ==, 1);

  close_engine (engine);
  close_store (store);
}

/* A large image goes up resumably; cut off, it resumes from the kept offset after a
 * restart, and the server ends up with the whole file. */
static void
test_upload_resumes (Fixture       *f,
                     gconstpointer  data)
{
  EchoesStore *store = open_device ("device");
  EchoesSyncEngine *engine = NULL;
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *path = NULL;
  g_autofree char *object = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  gint64 offset = 0;
  const gsize size = 7 * 1024 * 1024 + 123;
  GBytes *uploaded;

  g_assert_true (echoes_store_set_default_synced (store, TRUE, &error));
  project = create_project (store, "Big");
  clip = add_clip (store, echoes_project_get_id (project), 0, size);
  object = g_strdup_printf ("%s/%s/%s.jpg", f->remote->user_id, echoes_project_get_id (project),
                            echoes_clip_get_id (clip));

  f->remote->cut_upload_at = 3 * 1024 * 1024;
  engine = new_engine (f, store);
  error = sync_once (engine);
  g_assert_error (error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NETWORK);
  g_clear_error (&error);
  g_assert_null (echoes_test_remote_get_object (f->remote, "images", object));
  close_engine (engine);
  close_store (store);

  store = open_device ("device");
  g_assert_true (echoes_store_get_upload (store, echoes_clip_get_id (clip), "image", &url, &offset,
                                          &error));
  g_assert_no_error (error);
  g_assert_nonnull (url);
  g_assert_cmpint (offset, ==, 3 * 1024 * 1024);

  engine = new_engine (f, store);
  sync_ok (engine);
  g_assert_cmpuint (f->remote->n_resumes, ==, 1);
  g_assert_cmpint (f->remote->last_resume_offset, ==, 3 * 1024 * 1024);
  uploaded = echoes_test_remote_get_object (f->remote, "images", object);
  g_assert_nonnull (uploaded);
  path = echoes_store_resolve (store, echoes_clip_get_image (clip));
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_cmpmem (g_bytes_get_data (uploaded, NULL), g_bytes_get_size (uploaded), contents, length);
  g_assert_false (echoes_store_get_upload (store, echoes_clip_get_id (clip), "image", NULL, NULL,
                                           &error));
  g_assert_no_error (error);
  g_assert_cmpuint (outbox_length (store), ==, 0);

  close_engine (engine);
  close_store (store);
}

/* A download that comes out short is refused: no file, no temporary left; the next
 * sync gets it. */
static void
test_download_checked (Fixture       *f,
                       gconstpointer  data)
{
  EchoesStore *a = open_device ("device-a");
  EchoesStore *b = open_device ("device-b");
  EchoesSyncEngine *sync_a = NULL;
  EchoesSyncEngine *sync_b = NULL;
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *image_dir = NULL;
  g_autofree char *image = NULL;

  g_assert_true (echoes_store_set_default_synced (a, TRUE, &error));
  project = create_project (a, "Checked");
  clip = add_clip (a, echoes_project_get_id (project), 0, 5000);
  sync_a = new_engine (f, a);
  sync_b = new_engine (f, b);
  sync_ok (sync_a);

  f->remote->truncate_downloads = TRUE;
  error = sync_once (sync_b);
  g_assert_error (error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_BAD_RESPONSE);
  g_clear_error (&error);
  g_assert_cmpint (file_size (b, echoes_clip_get_image (clip)), ==, -1);
  image = echoes_store_resolve (b, echoes_clip_get_image (clip));
  image_dir = g_path_get_dirname (image);
  dir = g_dir_open (image_dir, 0, NULL);
  g_assert_null (dir ? g_dir_read_name (dir) : NULL);

  f->remote->truncate_downloads = FALSE;
  sync_ok (sync_b);
  g_assert_cmpint (file_size (b, echoes_clip_get_image (clip)), ==, 5000);

  close_engine (sync_a);
  close_engine (sync_b);
  close_store (a);
  close_store (b);
}

static void
signed_in_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SyncWait *w = user_data;

  echoes_sync_engine_signed_in_finish (ECHOES_SYNC_ENGINE (object), result, &w->error);
  w->done = TRUE;
}

/* First sign-in: existing local projects are uploaded, or stay local-only. */
static void
test_first_sign_in (Fixture       *f,
                    gconstpointer  data)
{
  for (guint upload = 0; upload < 2; upload++)
    {
      g_autofree char *name = g_strdup_printf ("device-%u", upload);
      EchoesStore *store = open_device (name);
      EchoesSyncEngine *engine = NULL;
      g_autoptr(EchoesProject) old = create_project (store, "Before the account");
      g_autoptr(EchoesClip) clip = add_clip (store, echoes_project_get_id (old), 0, 100);
      g_autoptr(EchoesProject) later = NULL;
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) local = NULL;
      g_autofree char *account = NULL;
      SyncWait w = { FALSE, NULL };

      /* Made before signing in: local-only, nothing queued. */
      g_assert_cmpuint (outbox_length (store), ==, 0);
      local = echoes_store_dup_project_ids (store, FALSE, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_strv_length (local), ==, 1);

      engine = new_engine (f, store);
      echoes_sync_engine_signed_in_async (engine, upload, NULL, signed_in_cb, &w);
      echoes_test_wait (&w.done);
      g_assert_no_error (w.error);
      account = echoes_store_dup_sync_value (store, "account", &error);
      g_assert_cmpstr (account, ==, f->remote->user_id);

      /* project + clip + image, or nothing */
      g_assert_cmpuint (outbox_length (store), ==, upload ? 3 : 0);
      later = create_project (store, "After");
      g_assert_cmpuint (outbox_length (store), ==, upload ? 4 : 1);

      sync_ok (engine);
      g_assert_cmpuint (echoes_test_remote_count_pushes (f->remote, echoes_clip_get_id (clip)), ==,
                        upload ? 1 : 0);
      g_assert_cmpuint (echoes_test_remote_count_pushes (f->remote, echoes_project_get_id (later)),
                        ==, 1);

      close_engine (engine);
      close_store (store);
    }
}

static void
signed_out_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  SyncWait *w = user_data;

  echoes_sync_engine_signed_out_finish (ECHOES_SYNC_ENGINE (object), result, &w->error);
  w->done = TRUE;
}

/* Synced projects stay with the account they were synced to. */
static void
test_other_account (Fixture       *f,
                    gconstpointer  data)
{
  EchoesStore *store = open_device ("device");
  EchoesSyncEngine *engine = new_engine (f, store);
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(GError) error = NULL;
  SyncWait w = { FALSE, NULL };

  echoes_sync_engine_signed_in_async (engine, FALSE, NULL, signed_in_cb, &w);
  echoes_test_wait (&w.done);
  g_assert_no_error (w.error);
  project = create_project (store, "Mine");
  sync_ok (engine);
  g_assert_cmpuint (echoes_test_remote_count_rows (f->remote, "projects"), ==, 1);

  w.done = FALSE;
  echoes_sync_engine_signed_out_async (engine, NULL, signed_out_cb, &w);
  echoes_test_wait (&w.done);
  g_assert_no_error (w.error);
  g_clear_object (&project);
  project = create_project (store, "Signed out");
  g_assert_cmpuint (outbox_length (store), ==, 0);

  g_free (f->remote->user_id);
  f->remote->user_id = g_strdup ("5d8f8e1c-0000-4000-8000-000000000002");
  error = sync_once (engine);
  g_assert_error (error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_OTHER_ACCOUNT);

  close_engine (engine);
  close_store (store);
}

/* "Keep in my account" for one project, later. */
static void
test_keep_in_account (Fixture       *f,
                      gconstpointer  data)
{
  EchoesStore *store = open_device ("device");
  EchoesSyncEngine *engine = new_engine (f, store);
  g_autoptr(EchoesProject) project = create_project (store, "Later");
  g_autoptr(EchoesClip) clip = add_clip (store, echoes_project_get_id (project), 0, 100);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) synced = NULL;

  sync_ok (engine);
  g_assert_cmpuint (echoes_test_remote_count_rows (f->remote, "projects"), ==, 0);

  g_assert_true (echoes_store_keep_in_account (store, echoes_project_get_id (project), &error));
  g_assert_no_error (error);
  synced = echoes_store_dup_project_ids (store, TRUE, &error);
  g_assert_cmpuint (g_strv_length (synced), ==, 1);
  sync_ok (engine);
  g_assert_cmpuint (echoes_test_remote_count_rows (f->remote, "projects"), ==, 1);
  g_assert_cmpuint (echoes_test_remote_count_rows (f->remote, "clips"), ==, 1);

  /* Local-only again: changes stay here. */
  g_assert_true (echoes_store_keep_local (store, echoes_project_get_id (project), &error));
  set_prompt (store, echoes_clip_get_id (clip), "private");
  g_assert_cmpuint (outbox_length (store), ==, 0);

  close_engine (engine);
  close_store (store);
}

static void
state_changed (GObject    *object,
               GParamSpec *pspec,
               guint      *changes)
{
  (*changes)++;
}

/* Offline, nothing is tried; back online, the engine is idle again. */
static void
test_offline (Fixture       *f,
              gconstpointer  data)
{
  EchoesStore *store = open_device ("device");
  EchoesSyncEngine *engine = NULL;
  g_autoptr(GError) error = NULL;
  guint changes = 0;

  test_network_set_available (f->network, FALSE);
  engine = new_engine (f, store);
  g_assert_cmpint (echoes_sync_engine_get_state (engine), ==, ECHOES_SYNC_STATE_OFFLINE);
  error = sync_once (engine);
  g_assert_error (error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_OFFLINE);

  g_signal_connect (engine, "notify::state", G_CALLBACK (state_changed), &changes);
  test_network_set_available (f->network, TRUE);
  g_assert_cmpint (echoes_sync_engine_get_state (engine), ==, ECHOES_SYNC_STATE_IDLE);
  g_assert_cmpuint (changes, ==, 1);

  close_engine (engine);
  close_store (store);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

/* A failure that repeats is reported once; a good sync clears it. */
static void
test_error_once (Fixture       *f,
                 gconstpointer  data)
{
  EchoesStore *store = open_device ("device");
  EchoesSyncEngine *engine = NULL;
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(GError) error = NULL;
  guint notified = 0;

  g_assert_true (echoes_store_set_default_synced (store, TRUE, &error));
  project = create_project (store, "Refused");
  f->remote->refuse_id = g_strdup (echoes_project_get_id (project));

  engine = new_engine (f, store);
  g_signal_connect (engine, "notify::last-error", G_CALLBACK (count_notify), &notified);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GError) sync_error = sync_once (engine);

      g_assert_error (sync_error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NETWORK);
      g_assert_cmpint (echoes_sync_engine_get_state (engine), ==, ECHOES_SYNC_STATE_ERROR);
    }
  g_assert_cmpuint (notified, ==, 1);
  g_assert_error ((GError *)echoes_sync_engine_get_last_error (engine),
                  ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NETWORK);

  g_clear_pointer (&f->remote->refuse_id, g_free);
  sync_ok (engine);
  g_assert_cmpuint (notified, ==, 2);
  g_assert_null (echoes_sync_engine_get_last_error (engine));
  g_assert_cmpint (echoes_sync_engine_get_state (engine), ==, ECHOES_SYNC_STATE_IDLE);
  g_assert_cmpfloat (echoes_sync_engine_get_progress (engine), ==, 1.0);

  close_engine (engine);
  close_store (store);
}

typedef struct
{
  EchoesStore      *store;
  EchoesTestRemote *remote;
  const char       *id;
} PushedWait;

static gboolean
pushed_in_background (gpointer data)
{
  PushedWait *w = data;

  return outbox_length (w->store) == 0 &&
         echoes_test_remote_count_pushes (w->remote, w->id) > 0;
}

/* Started, the engine pushes a change on its own, without being asked. */
static void
test_background (Fixture       *f,
                 gconstpointer  data)
{
  EchoesStore *store = open_device ("device");
  EchoesSyncEngine *engine = new_engine (f, store);
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(GError) error = NULL;
  PushedWait w = { store, f->remote, NULL };

  echoes_sync_engine_start (engine);
  g_assert_true (echoes_store_set_default_synced (store, TRUE, &error));
  project = create_project (store, "In the background");
  w.id = echoes_project_get_id (project);
  g_assert_true (echoes_test_wait_until (pushed_in_background, &w, 20000));

  /* asked for again (the window got the focus): fine while running */
  echoes_sync_engine_sync_now (engine);
  close_engine (engine);
  close_store (store);
}

/* A row deleted on the server but edited here later goes back whole. */
static void
test_deleted_on_server (Fixture       *f,
                        gconstpointer  data)
{
  EchoesStore *store = open_device ("device");
  EchoesSyncEngine *engine = new_engine (f, store);
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GVariant) image = NULL;
  g_autoptr(GVariant) prompt = NULL;
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (echoes_store_set_default_synced (store, TRUE, &error));
  project = create_project (store, "Deleted elsewhere");
  clip = add_clip (store, echoes_project_get_id (project), 0, 100);
  sync_ok (engine);

  /* deleted by another client, then edited here before the pull */
  echoes_test_remote_delete (f->remote, "clips", echoes_clip_get_id (clip));
  set_prompt (store, echoes_clip_get_id (clip), "still here");
  sync_ok (engine);

  clips = echoes_store_list_clips (store, echoes_project_get_id (project), &error);
  g_assert_cmpuint (clips->len, ==, 1);
  image = echoes_test_remote_dup_field (f->remote, "clips", echoes_clip_get_id (clip), "image");
  prompt = echoes_test_remote_dup_field (f->remote, "clips", echoes_clip_get_id (clip), "prompt");
  g_assert_nonnull (image);
  g_assert_nonnull (prompt);
  {
    g_autoptr(GVariant) inner = g_variant_get_maybe (prompt);

    g_assert_cmpstr (g_variant_get_string (inner, NULL), ==, "still here");
  }
  g_assert_cmpuint (outbox_length (store), ==, 0);

  close_engine (engine);
  close_store (store);
}

/* Trashed and purged before it was pushed: the server row goes for good. */
static void
test_purged (Fixture       *f,
             gconstpointer  data)
{
  EchoesStore *store = open_device ("device");
  EchoesSyncEngine *engine = new_engine (f, store);
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  g_assert_true (echoes_store_set_default_synced (store, TRUE, &error));
  project = create_project (store, "Purged");
  clip = add_clip (store, echoes_project_get_id (project), 0, 100);
  sync_ok (engine);

  g_assert_true (echoes_store_trash_clip (store, echoes_clip_get_id (clip), &error));
  g_assert_cmpuint (echoes_store_purge_trash (store, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox_length (store), ==, 1);
  g_assert_false (echoes_test_remote_is_deleted (f->remote, "clips", echoes_clip_get_id (clip)));
  sync_ok (engine);
  g_assert_cmpuint (outbox_length (store), ==, 0);
  g_assert_true (echoes_test_remote_is_deleted (f->remote, "clips", echoes_clip_get_id (clip)));

  /* a tombstone on the server, which the device does not bring back */
  g_assert_null (echoes_store_get_clip (store, echoes_clip_get_id (clip), NULL));
  sync_ok (engine);
  g_assert_null (echoes_store_get_clip (store, echoes_clip_get_id (clip), NULL));
  g_assert_cmpuint (echoes_test_remote_count_rows (f->remote, "clips"), ==, 1);
  {
    g_autoptr(GPtrArray) clips = echoes_store_list_clips (store, echoes_project_get_id (project),
                                                          &error);
    g_assert_cmpuint (clips->len, ==, 0);
  }

  close_engine (engine);
  close_store (store);
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);

  g_test_add ("/echoes/sync/engine/round-trip", Fixture, NULL, fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/echoes/sync/engine/deleted-on-server", Fixture, NULL, fixture_setup, test_deleted_on_server, fixture_teardown);
  g_test_add ("/echoes/sync/engine/purged", Fixture, NULL, fixture_setup, test_purged, fixture_teardown);
  g_test_add ("/echoes/sync/engine/outbox-survives-restart", Fixture, NULL, fixture_setup, test_outbox_survives_restart, fixture_teardown);
  g_test_add ("/echoes/sync/engine/failure-isolated", Fixture, NULL, fixture_setup, test_failure_isolated, fixture_teardown);
  g_test_add ("/echoes/sync/engine/upload-resumes", Fixture, NULL, fixture_setup, test_upload_resumes, fixture_teardown);
  g_test_add ("/echoes/sync/engine/download-checked", Fixture, NULL, fixture_setup, test_download_checked, fixture_teardown);
  g_test_add ("/echoes/sync/engine/first-sign-in", Fixture, NULL, fixture_setup, test_first_sign_in, fixture_teardown);
  g_test_add ("/echoes/sync/engine/other-account", Fixture, NULL, fixture_setup, test_other_account, fixture_teardown);
  g_test_add ("/echoes/sync/engine/keep-in-account", Fixture, NULL, fixture_setup, test_keep_in_account, fixture_teardown);
  g_test_add ("/echoes/sync/engine/error-once", Fixture, NULL, fixture_setup, test_error_once, fixture_teardown);
  g_test_add ("/echoes/sync/engine/background", Fixture, NULL, fixture_setup, test_background, fixture_teardown);
  g_test_add ("/echoes/sync/engine/offline", Fixture, NULL, fixture_setup, test_offline, fixture_teardown);

  return g_test_run ();
}
