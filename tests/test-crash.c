/* test-crash.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A process killed with SIGKILL in the middle of an import leaves a database that
 * opens, passes SQLite's integrity check, keeps the clip order invariant, and only
 * points at complete image files. */

#include "config.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "echoes-image.h"
#include "echoes-store-private.h"
#include "echoes-store-test-hooks.h"
#include "echoes-test-util.h"

static char **
child_env (void)
{
  char **env = g_get_environ ();

  env = g_environ_setenv (env, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  env = g_environ_setenv (env, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  /* ISOLATE_DIRS hides the system MIME database, which gdk-pixbuf needs */
  env = g_environ_setenv (env, "XDG_DATA_DIRS", "/usr/local/share:/usr/share", TRUE);
  return env;
}

static guint
count_clips (const char *project_id)
{
  g_autoptr(EchoesStore) store = echoes_store_open (NULL, NULL);
  g_autoptr(GPtrArray) clips = NULL;

  if (store == NULL)
    return 0;
  clips = echoes_store_list_clips (store, project_id, NULL);
  return clips ? clips->len : 0;
}

static void
check_consistent (const char *project_id)
{
  g_autofree char *db_path = g_build_filename (g_get_user_data_dir (), "echoes", "echoes.db", NULL);
  g_autoptr(EchoesStore) store = NULL;
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  store = echoes_store_open (NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *)sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  g_assert_true (_echoes_store_check_order (store, project_id, &error));
  g_assert_no_error (error);

  clips = echoes_store_list_clips (store, project_id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < clips->len; i++)
    {
      EchoesClip *clip = g_ptr_array_index (clips, i);
      g_autofree char *path = echoes_store_resolve (store, echoes_clip_get_image (clip));
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(EchoesImageInfo) info = echoes_image_probe (file, NULL, &error);

      /* referenced files are whole: a probe checks the format's end marker */
      g_assert_no_error (error);
      g_assert_nonnull (info);
      g_assert_false (g_str_has_suffix (path, "partial"));
    }
}

static void
test_kill_mid_import (void)
{
  const char *cli = g_getenv ("ECHOES_CLI");
  g_autofree char *photos = g_build_filename (g_get_user_cache_dir (), "photos", NULL);
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) env = child_env ();
  g_autoptr(GError) error = NULL;
  const guint n_files = 60;
  const guint kill_after[] = { 1, 8, 20 };
  guint before = 0;

  g_assert_nonnull (cli);

  {
    g_autoptr(EchoesStore) store = echoes_store_open (NULL, &error);

    g_assert_no_error (error);
    project = echoes_store_create_project (store, "Crash", &error);
    g_assert_no_error (error);
  }

  g_ptr_array_add (argv, g_strdup (cli));
  g_ptr_array_add (argv, g_strdup ("clips"));
  g_ptr_array_add (argv, g_strdup ("add"));
  g_ptr_array_add (argv, g_strdup (echoes_project_get_id (project)));
  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *name = g_strdup_printf ("p%03u.jpg", i);

      /* large enough that copies and thumbnails are in flight when the kill lands */
      g_ptr_array_add (argv, echoes_test_write_jpeg (photos, name, 2000, 1500, 0x102030 * (i + 1)));
    }
  g_ptr_array_add (argv, NULL);

  for (guint round = 0; round < G_N_ELEMENTS (kill_after); round++)
    {
      GPid pid;
      int status;
      gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
      guint after;

      g_spawn_async (NULL, (char **)argv->pdata, env,
                     G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &pid, &error);
      g_assert_no_error (error);

      while (count_clips (echoes_project_get_id (project)) < before + kill_after[round] &&
             g_get_monotonic_time () < deadline)
        g_usleep (2000);

      kill (pid, SIGKILL);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_spawn_close_pid (pid);
      g_assert_true (WIFSIGNALED (status));

      check_consistent (echoes_project_get_id (project));
      after = count_clips (echoes_project_get_id (project));
      g_test_message ("round %u: %u clips before, %u after the kill", round, before, after);
      g_assert_cmpuint (after, >=, before + kill_after[round]);
      /* killed mid-way, not after the end */
      g_assert_cmpuint (after, <, before + n_files);
      before = after;
    }

  /* and the store works afterwards: a full run completes */
  {
    int status;

    g_spawn_sync (NULL, (char **)argv->pdata, env,
                  G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_cmpuint (count_clips (echoes_project_get_id (project)), ==, before + n_files);
    check_consistent (echoes_project_get_id (project));
  }

  /* what the kills left behind (half copies, copies whose row never came) is swept */
  {
    g_autoptr(EchoesStore) store = echoes_store_open (NULL, &error);
    g_autofree char *dir_path = g_build_filename (g_get_user_data_dir (), "echoes", "images",
                                                  echoes_project_get_id (project), NULL);
    g_autoptr(GDir) dir = NULL;
    const char *name;
    guint files = 0;

    g_assert_no_error (error);
    _echoes_store_sweep_files (store, 0);
    dir = g_dir_open (dir_path, 0, &error);
    g_assert_no_error (error);
    while ((name = g_dir_read_name (dir)))
      {
        g_assert_null (strstr (name, ".partial-"));
        files++;
      }
    g_assert_cmpuint (files, ==, count_clips (echoes_project_get_id (project)));
  }
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);

  g_test_add_func ("/echoes/import/crash/kill-mid-import", test_kill_mid_import);

  return g_test_run ();
}
