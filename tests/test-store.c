/* test-store.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "echoes-store-private.h"
#include "echoes-store-test-hooks.h"
#include "echoes-test-util.h"

typedef struct
{
  char        *data_dir;
  EchoesStore *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->data_dir = g_build_filename (g_get_user_data_dir (), "echoes", NULL);
  f->store = echoes_store_open (NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  echoes_test_drain (f->store);
  g_assert_finalize_object (g_steal_pointer (&f->store));
  g_free (f->data_dir);
}

static EchoesClip *
add_clip (EchoesStore *store,
          const char  *project_id,
          const char  *name,
          guint        position)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *image = g_strdup_printf ("images/%s/%s.jpg", project_id, id);
  g_autoptr(GError) error = NULL;
  EchoesClip *clip = echoes_clip_new (id, project_id);

  g_object_set (clip, "image", image, "source-name", name, NULL);
  g_assert_true (echoes_store_insert_clip (store, clip, position, &error));
  g_assert_no_error (error);
  return clip;
}

static char *
sql_string (const char *db_path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    result = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return result;
}

static void
test_open_pragmas (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *db_path = g_build_filename (f->data_dir, "echoes.db", NULL);
  g_autofree char *mode = sql_string (db_path, "PRAGMA journal_mode");
  g_autofree char *version = sql_string (db_path, "PRAGMA user_version");

  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpint (atoi (version), ==, ECHOES_STORE_SCHEMA_VERSION);
  g_assert_cmpstr (echoes_store_get_data_dir (f->store), ==, f->data_dir);
}

/* New projects start with the preferred film shape (`default-ratio`). */
static void
test_project_default_ratio (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(EchoesProject) wide = NULL;
  g_autoptr(EchoesProject) tall = NULL;
  g_autoptr(EchoesProject) again = NULL;
  g_autoptr(GError) error = NULL;

  wide = echoes_store_create_project (f->store, "Wide", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (echoes_project_get_ratio (wide), ==, "16:9");

  echoes_store_set_default_ratio (f->store, ECHOES_RATIO_9_16);
  tall = echoes_store_create_project (f->store, "Tall", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (echoes_project_get_ratio (tall), ==, "9:16");
  again = echoes_store_get_project (f->store, echoes_project_get_id (tall), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (echoes_project_get_ratio (again), ==, "9:16");
}

static void
test_project_crud (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(EchoesProject) a = NULL;
  g_autoptr(EchoesProject) b = NULL;
  g_autoptr(EchoesProject) again = NULL;
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(GError) error = NULL;

  a = echoes_store_create_project (f->store, "Summer", &error);
  g_assert_no_error (error);
  /* b is made after a on the clock the store records: wait for it to move on. */
  while (g_get_real_time () <= echoes_project_get_updated_at (a))
    g_thread_yield ();
  b = echoes_store_create_project (f->store, "Grandma", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (echoes_project_get_title (a), ==, "Summer");
  g_assert_cmpstr (echoes_project_get_ratio (a), ==, "16:9");
  g_assert_cmpint (echoes_project_get_status (a), ==, ECHOES_PROJECT_STATUS_IN_PROGRESS);
  g_assert_cmpint (echoes_project_get_created_at (a), >, 0);

  /* most recently changed first */
  projects = echoes_store_list_projects (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (projects->len, ==, 2);
  g_assert_cmpstr (echoes_project_get_id (g_ptr_array_index (projects, 0)), ==,
                   echoes_project_get_id (b));

  echoes_project_set_title (a, "Summer 2026");
  echoes_project_set_status (a, ECHOES_PROJECT_STATUS_COMPLETED);
  echoes_project_set_music (a, "music/a.ogg");
  g_assert_true (echoes_store_update_project (f->store, a, &error));
  g_assert_no_error (error);
  again = echoes_store_get_project (f->store, echoes_project_get_id (a), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (echoes_project_get_title (again), ==, "Summer 2026");
  g_assert_cmpstr (echoes_project_get_music (again), ==, "music/a.ogg");
  g_assert_cmpint (echoes_project_get_status (again), ==, ECHOES_PROJECT_STATUS_COMPLETED);
  g_clear_object (&again);

  g_assert_true (echoes_store_trash_project (f->store, echoes_project_get_id (a), &error));
  g_assert_no_error (error);
  g_assert_null (echoes_store_get_project (f->store, echoes_project_get_id (a), &error));
  g_assert_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (echoes_store_restore_project (f->store, echoes_project_get_id (a), &error));
  g_assert_no_error (error);
  again = echoes_store_get_project (f->store, echoes_project_get_id (a), &error);
  g_assert_no_error (error);

  g_assert_false (echoes_store_restore_project (f->store, "nope", &error));
  g_assert_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND);
}

static void
test_clip_crud (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(EchoesProject) project = echoes_store_create_project (f->store, "P", NULL);
  const char *pid = echoes_project_get_id (project);
  g_autoptr(EchoesClip) a = add_clip (f->store, pid, "a.jpg", G_MAXUINT);
  g_autoptr(EchoesClip) b = add_clip (f->store, pid, "b.jpg", G_MAXUINT);
  g_autoptr(EchoesClip) c = add_clip (f->store, pid, "c.jpg", 0);
  g_autoptr(EchoesClip) got = NULL;
  g_autoptr(EchoesProject) counted = NULL;
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GError) error = NULL;

  clips = echoes_store_list_clips (f->store, pid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clips->len, ==, 3);
  g_assert_cmpstr (echoes_clip_get_id (g_ptr_array_index (clips, 0)), ==, echoes_clip_get_id (c));
  g_assert_cmpstr (echoes_clip_get_id (g_ptr_array_index (clips, 1)), ==, echoes_clip_get_id (a));
  g_assert_cmpstr (echoes_clip_get_id (g_ptr_array_index (clips, 2)), ==, echoes_clip_get_id (b));

  echoes_clip_set_approved (a, TRUE);
  echoes_clip_set_status (a, ECHOES_CLIP_STATUS_FAILED);
  echoes_clip_set_error (a, "provider said no");
  echoes_clip_set_motion (a, "{'preset': <'zoom-in'>}");
  g_assert_true (echoes_store_update_clip (f->store, a, &error));
  g_assert_no_error (error);
  got = echoes_store_get_clip (f->store, echoes_clip_get_id (a), &error);
  g_assert_no_error (error);
  g_assert_true (echoes_clip_get_approved (got));
  g_assert_cmpint (echoes_clip_get_status (got), ==, ECHOES_CLIP_STATUS_FAILED);
  g_assert_cmpstr (echoes_clip_get_error (got), ==, "provider said no");
  g_assert_cmpstr (echoes_clip_get_motion (got), ==, "{'preset': <'zoom-in'>}");
  g_assert_cmpuint (echoes_clip_get_position (got), ==, 1);

  /* `queued` is read into EchoesClip:queued; only echoes_store_set_clips_queued() writes
   * it, so saving a stale copy of the clip does not clear it. */
  g_assert_false (echoes_clip_get_queued (got));
  g_assert_true (echoes_store_set_clips_queued (f->store,
                                                (const char * const[]) { echoes_clip_get_id (a), NULL },
                                                TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (echoes_store_update_clip (f->store, a, &error));
  g_clear_object (&got);
  got = echoes_store_get_clip (f->store, echoes_clip_get_id (a), &error);
  g_assert_no_error (error);
  g_assert_true (echoes_clip_get_queued (got));

  counted = echoes_store_get_project (f->store, pid, &error);
  g_assert_cmpuint (echoes_project_get_clip_count (counted), ==, 3);
  g_assert_cmpuint (echoes_project_get_approved_count (counted), ==, 1);

  /* a clip for a project that does not exist is refused by the foreign key */
  {
    g_autoptr(EchoesClip) orphan = echoes_clip_new ("x", "no-such-project");

    echoes_clip_set_image (orphan, "images/x.jpg");
    g_assert_false (echoes_store_insert_clip (f->store, orphan, 0, &error));
    g_assert_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_FAILED);
    g_clear_error (&error);
  }

  g_assert_null (echoes_store_get_clip (f->store, "missing", &error));
  g_assert_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND);
}

static void
test_purge_removes_files (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(EchoesProject) project = echoes_store_create_project (f->store, "P", NULL);
  const char *pid = echoes_project_get_id (project);
  g_autoptr(EchoesClip) keep = add_clip (f->store, pid, "keep.jpg", 0);
  g_autoptr(EchoesClip) drop = add_clip (f->store, pid, "drop.jpg", 1);
  g_autofree char *keep_path = echoes_store_resolve (f->store, echoes_clip_get_image (keep));
  g_autofree char *drop_path = echoes_store_resolve (f->store, echoes_clip_get_image (drop));
  g_autofree char *dir = g_path_get_dirname (keep_path);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0700);
  g_file_set_contents (keep_path, "k", 1, NULL);
  g_file_set_contents (drop_path, "d", 1, NULL);

  g_assert_true (echoes_store_trash_clip (f->store, echoes_clip_get_id (drop), &error));
  g_assert_no_error (error);
  /* trashed, not gone: the file stays for undo */
  g_assert_true (g_file_test (drop_path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (echoes_store_purge_trash (f->store, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_false (g_file_test (drop_path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (keep_path, G_FILE_TEST_EXISTS));

  g_assert_false (echoes_store_restore_clip (f->store, echoes_clip_get_id (drop), 0, &error));
  g_assert_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* purging one item leaves the rest of the trash restorable */
  {
    g_autoptr(EchoesClip) x = add_clip (f->store, pid, "x.jpg", 1);
    g_autoptr(EchoesClip) y = add_clip (f->store, pid, "y.jpg", 2);

    g_assert_true (echoes_store_trash_clip (f->store, echoes_clip_get_id (x), &error));
    g_assert_true (echoes_store_trash_clip (f->store, echoes_clip_get_id (y), &error));
    g_assert_cmpuint (echoes_store_purge_trash (f->store, echoes_clip_get_id (x), &error), ==, 1);
    g_assert_no_error (error);
    g_assert_false (echoes_store_restore_clip (f->store, echoes_clip_get_id (x), 1, &error));
    g_clear_error (&error);
    g_assert_true (echoes_store_restore_clip (f->store, echoes_clip_get_id (y), 1, &error));
    g_assert_no_error (error);
    g_assert_true (echoes_store_trash_clip (f->store, echoes_clip_get_id (y), &error));
    g_assert_cmpuint (echoes_store_purge_trash (f->store, NULL, &error), ==, 1);
  }

  /* a trashed project takes its clips and files with it */
  g_assert_true (echoes_store_trash_project (f->store, pid, &error));
  g_assert_cmpuint (echoes_store_purge_trash (f->store, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_false (g_file_test (keep_path, G_FILE_TEST_EXISTS));
  g_assert_null (echoes_store_get_clip (f->store, echoes_clip_get_id (keep), &error));
}

static void
test_sweep_orphans (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(EchoesProject) project = echoes_store_create_project (f->store, "P", NULL);
  const char *pid = echoes_project_get_id (project);
  g_autoptr(EchoesClip) kept = add_clip (f->store, pid, "kept.jpg", 0);
  g_autofree char *kept_path = echoes_store_resolve (f->store, echoes_clip_get_image (kept));
  g_autofree char *dir = g_path_get_dirname (kept_path);
  g_autofree char *orphan = g_build_filename (dir, "orphan.jpg", NULL);
  g_autofree char *partial = g_build_filename (dir, "x.jpg.partial-AB12CD", NULL);

  g_mkdir_with_parents (dir, 0700);
  g_file_set_contents (kept_path, "k", 1, NULL);
  g_file_set_contents (orphan, "o", 1, NULL);
  g_file_set_contents (partial, "p", 1, NULL);

  /* young files may belong to an import in flight in another process */
  _echoes_store_sweep_files (f->store, 10 * G_TIME_SPAN_MINUTE);
  g_assert_true (g_file_test (orphan, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (partial, G_FILE_TEST_EXISTS));

  _echoes_store_sweep_files (f->store, 0);
  g_assert_false (g_file_test (orphan, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (partial, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (kept_path, G_FILE_TEST_EXISTS));
}

static void
test_too_new_is_refused (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "newer", NULL);
  g_autofree char *db_path = g_build_filename (dir, "echoes.db", NULL);
  g_autofree char *title = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesStore) store = NULL;
  sqlite3 *db = NULL;

  g_mkdir_with_parents (dir, 0700);
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE projects (title TEXT);"
                                     "INSERT INTO projects VALUES ('future');"
                                     "PRAGMA user_version = 99;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = echoes_store_open (dir, &error);
  g_assert_null (store);
  g_assert_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_TOO_NEW);

  /* nothing touched */
  title = sql_string (db_path, "SELECT title FROM projects");
  g_assert_cmpstr (title, ==, "future");
}

static void
test_corrupt_is_refused (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "corrupt", NULL);
  g_autofree char *db_path = g_build_filename (dir, "echoes.db", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesStore) store = NULL;
  const char garbage[] = "this is not a database, and it must not be overwritten......";

  g_mkdir_with_parents (dir, 0700);
  g_file_set_contents (db_path, garbage, sizeof garbage, NULL);

  store = echoes_store_open (dir, &error);
  g_assert_null (store);
  g_assert_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_CORRUPT);

  g_file_get_contents (db_path, &contents, NULL, NULL);
  g_assert_cmpstr (contents, ==, garbage);
}

typedef struct
{
  gboolean  done;
  GPtrArray *order;
} RunData;

static gpointer
record_job (EchoesStore   *store,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  RunData *run = data;

  g_assert_false (g_main_context_is_owner (g_main_context_default ()));
  g_ptr_array_add (run->order, GUINT_TO_POINTER (run->order->len));
  return GUINT_TO_POINTER (run->order->len);
}

static void
job_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  RunData *run = user_data;
  g_autoptr(GError) error = NULL;
  gpointer value = echoes_store_run_finish (ECHOES_STORE (object), result, &error);

  g_assert_no_error (error);
  g_assert_nonnull (value);
  if (GPOINTER_TO_UINT (value) == 20)
    run->done = TRUE;
}

static void
test_run_async_in_order (Fixture       *f,
                         gconstpointer  data)
{
  RunData run = { FALSE, g_ptr_array_new () };

  g_main_context_acquire (g_main_context_default ());
  for (guint i = 0; i < 20; i++)
    echoes_store_run_async (f->store, record_job, &run, NULL, NULL, NULL, job_done, &run);

  while (!run.done)
    g_main_context_iteration (NULL, TRUE);

  for (guint i = 0; i < run.order->len; i++)
    g_assert_cmpuint (GPOINTER_TO_UINT (g_ptr_array_index (run.order, i)), ==, i);
  g_ptr_array_unref (run.order);
  g_main_context_release (g_main_context_default ());
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/echoes/store/open/pragmas", Fixture, NULL, fixture_setup, test_open_pragmas, fixture_teardown);
  g_test_add ("/echoes/store/project/crud", Fixture, NULL, fixture_setup, test_project_crud, fixture_teardown);
  g_test_add ("/echoes/store/project/default-ratio", Fixture, NULL, fixture_setup, test_project_default_ratio, fixture_teardown);
  g_test_add ("/echoes/store/clip/crud", Fixture, NULL, fixture_setup, test_clip_crud, fixture_teardown);
  g_test_add ("/echoes/store/trash/purge-removes-files", Fixture, NULL, fixture_setup, test_purge_removes_files, fixture_teardown);
  g_test_add ("/echoes/store/run-async/in-order", Fixture, NULL, fixture_setup, test_run_async_in_order, fixture_teardown);
  g_test_add ("/echoes/store/trash/sweep-orphans", Fixture, NULL, fixture_setup, test_sweep_orphans, fixture_teardown);
  g_test_add_func ("/echoes/store/open/too-new", test_too_new_is_refused);
  g_test_add_func ("/echoes/store/open/corrupt", test_corrupt_is_refused);

  return g_test_run ();
}
