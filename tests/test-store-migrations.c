/* test-store-migrations.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A database left by every older schema version opens, migrates to the current one
 * and keeps its data. */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "echoes-store-test-hooks.h"

static void
exec_ok (sqlite3    *db,
         const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static void
test_migrate_from (gconstpointer data)
{
  guint from = GPOINTER_TO_UINT (data);
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "old", NULL);
  g_autofree char *db_path = g_build_filename (dir, "echoes.db", NULL);
  g_autoptr(EchoesStore) store = NULL;
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  g_mkdir_with_parents (dir, 0700);
  g_unlink (db_path);
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  for (guint v = 1; v <= from; v++)
    exec_ok (db, _echoes_store_get_migration (v));
  if (from >= 1)
    {
      g_autofree char *set = g_strdup_printf ("PRAGMA user_version = %u", from);

      exec_ok (db, set);
      /* rows as version 1 wrote them: every later column must get its default */
      exec_ok (db, "INSERT INTO projects (id, title, created_at, updated_at) "
                   "VALUES ('p1', 'Old trip', 1, 2);"
                   "INSERT INTO clips (id, project_id, image, status, approved, \"order\", "
                   "  created_at, updated_at) VALUES "
                   "('c0', 'p1', 'images/p1/c0.jpg', 'ready', 1, 0, 1, 1),"
                   "('c1', 'p1', 'images/p1/c1.jpg', 'pending', 0, 1, 1, 1);");
    }
  sqlite3_close (db);

  store = echoes_store_open (dir, &error);
  g_assert_no_error (error);

  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, ECHOES_STORE_SCHEMA_VERSION);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }

  projects = echoes_store_list_projects (store, &error);
  g_assert_no_error (error);

  if (from == 0)
    {
      g_assert_cmpuint (projects->len, ==, 0);
      return;
    }

  g_assert_cmpuint (projects->len, ==, 1);
  g_assert_cmpstr (echoes_project_get_title (g_ptr_array_index (projects, 0)), ==, "Old trip");
  g_assert_cmpstr (echoes_project_get_ratio (g_ptr_array_index (projects, 0)), ==, "16:9");
  g_assert_cmpuint (echoes_project_get_clip_count (g_ptr_array_index (projects, 0)), ==, 2);

  clips = echoes_store_list_clips (store, "p1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clips->len, ==, 2);
  g_assert_cmpstr (echoes_clip_get_id (g_ptr_array_index (clips, 0)), ==, "c0");
  g_assert_true (echoes_clip_get_approved (g_ptr_array_index (clips, 0)));
  g_assert_cmpint (echoes_clip_get_status (g_ptr_array_index (clips, 0)), ==, ECHOES_CLIP_STATUS_READY);
  g_assert_cmpint (echoes_clip_get_capture_time (g_ptr_array_index (clips, 1)), ==, 0);
  /* no provider chosen: the clips follow the project, the project the app */
  g_assert_null (echoes_project_get_provider (g_ptr_array_index (projects, 0)));
  g_assert_null (echoes_clip_get_provider_override (g_ptr_array_index (clips, 0)));

  /* and the migrated database works: order operations keep 0..n-1 */
  g_assert_true (echoes_store_move_clip (store, "c0", 1, &error));
  g_assert_no_error (error);
  g_assert_true (_echoes_store_check_order (store, "p1", &error));
  g_assert_no_error (error);

  /* opening again is a no-op */
  g_clear_object (&store);
  store = echoes_store_open (dir, &error);
  g_assert_no_error (error);
}

/* Version 5 → 6 (provider choice) keeps what version 5 held, and the new fields then
 * round-trip. */
static void
test_migrate_5_data (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "v5", NULL);
  g_autofree char *db_path = g_build_filename (dir, "echoes.db", NULL);
  g_autoptr(EchoesStore) store = NULL;
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  g_mkdir_with_parents (dir, 0700);
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  for (guint v = 1; v <= 5; v++)
    exec_ok (db, _echoes_store_get_migration (v));
  exec_ok (db, "PRAGMA user_version = 5;"
               "INSERT INTO projects (id, title, created_at, updated_at, ratio, sync_mode) "
               "VALUES ('p1', 'Portrait trip', 1, 2, '9:16', 'synced');"
               "INSERT INTO clips (id, project_id, image, video, status, approved, \"order\", "
               "  provider, prompt, motion, queued, created_at, updated_at) VALUES "
               "('c0', 'p1', 'images/p1/c0.jpg', 'clips/p1/c0.mp4', 'ready', 1, 0, 'runway', "
               "  'Waves', '{''preset'': <''zoom-in''>}', 0, 1, 1),"
               "('c1', 'p1', 'images/p1/c1.jpg', NULL, 'pending', 0, 1, NULL, NULL, NULL, 1, 1, 1);"
               "INSERT INTO outbox (entity, local_id, project_id, op, fields, created_at) "
               "VALUES ('clip', 'c0', 'p1', 'upsert', 'approved', 1);");
  sqlite3_close (db);

  store = echoes_store_open (dir, &error);
  g_assert_no_error (error);

  project = echoes_store_get_project (store, "p1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (echoes_project_get_ratio (project), ==, "9:16");
  g_assert_true (echoes_project_get_synced (project));
  g_assert_null (echoes_project_get_provider (project));
  clip = echoes_store_get_clip (store, "c0", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (echoes_clip_get_provider (clip), ==, "runway");
  g_assert_cmpstr (echoes_clip_get_prompt (clip), ==, "Waves");
  g_assert_cmpstr (echoes_clip_get_video (clip), ==, "clips/p1/c0.mp4");
  g_assert_nonnull (echoes_clip_get_motion (clip));
  g_assert_null (echoes_clip_get_provider_override (clip));
  {
    g_auto(GStrv) queued = echoes_store_dup_queued_clips (store, &error);

    g_assert_no_error (error);
    g_assert_cmpstrv (queued, ((const char *[]) { "c1", NULL }));
  }
  {
    g_autoptr(GPtrArray) outbox = echoes_store_list_outbox (store, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (outbox->len, ==, 1);
  }

  /* the new fields round-trip, and reopening keeps them */
  echoes_project_set_provider (project, "local");
  g_assert_true (echoes_store_update_project (store, project, &error));
  g_assert_no_error (error);
  echoes_clip_set_provider_override (clip, "runway");
  g_assert_true (echoes_store_update_clip (store, clip, &error));
  g_assert_no_error (error);
  g_clear_object (&project);
  g_clear_object (&clip);
  g_clear_object (&store);

  store = echoes_store_open (dir, &error);
  g_assert_no_error (error);
  project = echoes_store_get_project (store, "p1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (echoes_project_get_provider (project), ==, "local");
  clip = echoes_store_get_clip (store, "c0", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (echoes_clip_get_provider_override (clip), ==, "runway");
  g_assert_cmpstr (echoes_clip_get_provider (clip), ==, "runway");

  /* back to following: NULL */
  echoes_project_set_provider (project, NULL);
  g_assert_true (echoes_store_update_project (store, project, &error));
  g_clear_object (&project);
  project = echoes_store_get_project (store, "p1", &error);
  g_assert_no_error (error);
  g_assert_null (echoes_project_get_provider (project));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint v = 0; v < ECHOES_STORE_SCHEMA_VERSION; v++)
    {
      g_autofree char *path = g_strdup_printf ("/echoes/store/migrations/from-%u", v);

      g_test_add_data_func (path, GUINT_TO_POINTER (v), test_migrate_from);
    }

  g_test_add_func ("/echoes/store/migrations/from-5-data", test_migrate_5_data);

  return g_test_run ();
}
