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

  return g_test_run ();
}
