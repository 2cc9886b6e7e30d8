/* bench-sync.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "bench-sync"

#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>

#include "echoes-auth.h"
#include "echoes-paths.h"
#include "echoes-store.h"
#include "echoes-supabase-remote.h"
#include "echoes-sync-engine.h"
#include "bench-util.h"
#include "../echoes-test-util.h"

/* Sync against the stand-in on loopback (started by tests/cloud-standin.sh, which sets
 * ECHOES_SUPABASE_URL and ECHOES_SUPABASE_ANON_KEY):
 *   1. a project of ECHOES_BENCH_CLIPS (200) clips with 2 MB images pushed by one device:
 *      its throughput against curl uploading the same files to the same bucket in the same
 *      run (goal ≥ 0.8×), HTTP requests per clip, and this process's peak RSS;
 *   2. a project of ECHOES_BENCH_PULL_CLIPS (1000) clips pulled by a fresh device: the
 *      rows alone (goal ≤ 2 s), then the whole first sync (rows into the store and their
 *      small images downloaded).
 * Prints figures; never fails on one. */

#define PASSWORD   "correct horse battery staple"
#define IMAGE_SIZE (2 * 1000 * 1000)

static guint n_requests;

static GLogWriterOutput
count_requests (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const char *domain = NULL, *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }

  /* EchoesHttp logs one "METHOD path -> status" line per answered request. */
  if (g_strcmp0 (domain, "echoes-http") == 0 && message != NULL && strstr (message, " -> ") != NULL)
    g_atomic_int_inc (&n_requests);

  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return g_log_writer_standard_streams (level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

typedef struct
{
  EchoesAuth           *auth;
  EchoesStore          *store;
  EchoesSupabaseRemote *remote;
  EchoesSyncEngine     *engine;
} Device;

static gboolean
device_open (Device     *device,
             const char *name,
             const char *email,
             gboolean    sign_up)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), name, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean confirmation = FALSE;
  gboolean ok;

  device->auth = echoes_auth_new_full (g_getenv ("ECHOES_SUPABASE_URL"),
                                       g_getenv ("ECHOES_SUPABASE_ANON_KEY"), FALSE);
  if (sign_up)
    echoes_auth_sign_up_async (device->auth, email, PASSWORD, NULL, result_cb, &result);
  else
    echoes_auth_sign_in_async (device->auth, email, PASSWORD, NULL, result_cb, &result);
  ok = sign_up ? echoes_auth_sign_up_finish (device->auth, wait_result (&result), &confirmation,
                                             &error)
               : echoes_auth_sign_in_finish (device->auth, wait_result (&result), &error);
  g_clear_object (&result);
  if (!ok || !(device->store = echoes_store_open (dir, &error)))
    {
      g_printerr ("Cannot open %s: %s\n", name, error->message);
      return FALSE;
    }

  device->remote = echoes_supabase_remote_new (device->auth);
  device->engine = echoes_sync_engine_new (device->store, ECHOES_SYNC_REMOTE (device->remote), NULL);
  echoes_sync_engine_signed_in_async (device->engine, FALSE, NULL, result_cb, &result);
  if (!echoes_sync_engine_signed_in_finish (device->engine, wait_result (&result), &error))
    {
      g_printerr ("Cannot sign %s in: %s\n", name, error->message);
      return FALSE;
    }
  return TRUE;
}

static void
device_close (Device *device)
{
  if (device->engine != NULL)
    echoes_sync_engine_stop (device->engine);
  g_clear_object (&device->engine);
  g_clear_object (&device->remote);
  g_clear_object (&device->store);
  g_clear_object (&device->auth);
}

static gboolean
device_sync (Device *device)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  echoes_sync_engine_sync_async (device->engine, NULL, result_cb, &result);
  if (!echoes_sync_engine_sync_finish (device->engine, wait_result (&result), &error))
    {
      g_printerr ("Sync failed: %s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

/* A project of @n clips whose images are @size bytes of noise; returns its id. */
static char *
make_project (EchoesStore *store,
              const char  *title,
              guint        n,
              gsize        size,
              GPtrArray   *paths)
{
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = g_malloc (size);
  const char *pid;

  project = echoes_store_create_project (store, title, &error);
  g_assert_no_error (error);
  pid = echoes_project_get_id (project);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *image = echoes_paths_image_relative (pid, id, "jpg");
      g_autofree char *path = echoes_store_resolve (store, image);
      g_autofree char *dir = g_path_get_dirname (path);
      g_autoptr(EchoesClip) clip = echoes_clip_new (id, pid);
      guint32 seed = g_random_int ();

      for (gsize j = 0; j + 4 <= size; j += 4)
        {
          seed = seed * 1664525u + 1013904223u;
          memcpy (data + j, &seed, 4);
        }
      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_assert_true (g_file_set_contents (path, data, size, &error));
      echoes_clip_set_image (clip, image);
      g_assert_true (echoes_store_insert_clip (store, clip, i, &error));
      g_assert_no_error (error);
      if (paths != NULL)
        g_ptr_array_add (paths, g_steal_pointer (&path));
    }

  return g_strdup (pid);
}

/* curl uploading @paths to the images bucket, one connection kept alive, as the same user;
 * the token goes in a header file, never on the command line. */
static double
curl_upload (Device    *device,
             GPtrArray *paths)
{
  g_autofree char *dir = g_dir_make_tmp ("bench-sync-curl-XXXXXX", NULL);
  g_autofree char *headers = g_build_filename (dir, "headers", NULL);
  g_autofree char *token = echoes_auth_dup_access_token (device->auth);
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *url = g_getenv ("ECHOES_SUPABASE_URL");
  int status = 0;
  double t0, seconds;

  contents = g_strdup_printf ("apikey: %s\nAuthorization: Bearer %s\nContent-Type: image/jpeg\n"
                              "x-upsert: true\n", g_getenv ("ECHOES_SUPABASE_ANON_KEY"), token);
  g_assert_true (g_file_set_contents_full (headers, contents, -1, G_FILE_SET_CONTENTS_NONE,
                                           0600, NULL));

  g_ptr_array_add (argv, g_strdup ("curl"));
  g_ptr_array_add (argv, g_strdup ("-sS"));
  g_ptr_array_add (argv, g_strdup ("--fail"));
  for (guint i = 0; i < paths->len; i++)
    {
      if (i > 0)
        g_ptr_array_add (argv, g_strdup ("--next"));
      g_ptr_array_add (argv, g_strdup ("-o"));
      g_ptr_array_add (argv, g_strdup ("/dev/null"));
      g_ptr_array_add (argv, g_strdup ("-H"));
      g_ptr_array_add (argv, g_strdup_printf ("@%s", headers));
      g_ptr_array_add (argv, g_strdup ("--data-binary"));
      g_ptr_array_add (argv, g_strdup_printf ("@%s", (char *)paths->pdata[i]));
      g_ptr_array_add (argv, g_strdup_printf ("%s/storage/v1/object/images/%s/curl/%u.jpg", url,
                                              echoes_auth_get_user_id (device->auth), i));
    }
  g_ptr_array_add (argv, NULL);

  t0 = now ();
  if (!g_spawn_sync (NULL, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                     NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("curl failed: %s\n", error->message);
      seconds = NAN;
    }
  else
    seconds = now () - t0;

  echoes_test_remove_tree (dir);
  return seconds;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = g_dir_make_tmp ("bench-sync-XXXXXX", NULL);
  g_autofree char *data_home = g_build_filename (home, "data", NULL);
  g_autofree char *email = g_strdup_printf ("bench-%08x@example.com", g_random_int ());
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pid = NULL;
  Device a = { NULL, }, b = { NULL, };
  guint n_push = bench_env_uint ("ECHOES_BENCH_CLIPS", 200);
  guint n_pull = bench_env_uint ("ECHOES_BENCH_PULL_CLIPS", 1000);
  struct rusage usage;
  double t0, t_push, t_curl, t_rows, t_first;
  guint requests;

  if (g_getenv ("ECHOES_SUPABASE_URL") == NULL)
    {
      g_print ("# SKIP: run through tests/cloud-standin.sh (meson test --suite bench does)\n");
      return 0;
    }

  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_log_set_writer_func (count_requests, NULL, NULL);
  g_setenv ("G_MESSAGES_DEBUG", "echoes-http", TRUE);

  if (!device_open (&a, "device-a", email, TRUE))
    return 1;

  /* 1. push */
  g_print ("# sync: %u clips of %.1f MB images pushed to the stand-in on loopback\n", n_push,
           IMAGE_SIZE / 1e6);
  pid = make_project (a.store, "Bench push", n_push, IMAGE_SIZE, paths);
  n_requests = 0;
  t0 = now ();
  if (!device_sync (&a))
    return 1;
  t_push = now () - t0;
  requests = g_atomic_int_get (&n_requests);
  getrusage (RUSAGE_SELF, &usage);
  t_curl = curl_upload (&a, paths);

  g_print ("  echoes sync:  %6.2f s, %6.1f MB/s, %.1f requests per clip\n", t_push,
           n_push * IMAGE_SIZE / 1e6 / t_push, (double) requests / n_push);
  g_print ("  curl uploads: %6.2f s, %6.1f MB/s (the images alone, one connection)\n", t_curl,
           n_push * IMAGE_SIZE / 1e6 / t_curl);
  g_print ("  throughput vs curl: %.2fx (goal >= 0.80)\n", t_curl / t_push);
  g_print ("  peak RSS of this process: %.0f MB\n", usage.ru_maxrss / 1024.0);

  /* 2. pull on a fresh device */
  g_clear_pointer (&pid, g_free);
  pid = make_project (a.store, "Bench pull", n_pull, 1000, NULL);
  if (!device_sync (&a))
    return 1;
  if (!device_open (&b, "device-b", email, FALSE))
    return 1;

  t0 = now ();
  echoes_sync_remote_list_changes_async (ECHOES_SYNC_REMOTE (b.remote), "clips", 0, NULL,
                                         result_cb, &result);
  rows = echoes_sync_remote_list_changes_finish (ECHOES_SYNC_REMOTE (b.remote),
                                                 wait_result (&result), &error);
  t_rows = now () - t0;
  if (rows == NULL)
    {
      g_printerr ("Pull failed: %s\n", error->message);
      return 1;
    }

  t0 = now ();
  if (!device_sync (&b))
    return 1;
  t_first = now () - t0;

  g_print ("# a fresh device pulls %u clips' rows (%u rows of every project)\n", n_pull,
           rows->len);
  g_print ("  rows alone: %.2f s (goal <= 2 s)\n", t_rows);
  g_print ("  first sync (every row into the store, %u images of %.1f MB and %u of 1 kB "
           "downloaded): %.2f s\n", n_push, IMAGE_SIZE / 1e6, n_pull, t_first);

  device_close (&a);
  device_close (&b);
  echoes_test_remove_tree (home);
  return 0;
}
