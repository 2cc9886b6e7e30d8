/* bench-startup.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Startup benchmark (prints figures, never fails on a timing): a library with one
 * project of N clips (default 1000, ECHOES_BENCH_CLIPS), each a copy of one 1600x1200
 * JPEG with its thumbnail already cached, then:
 *   A. what the first frame needs, without the UI: open the store, list the projects,
 *      list the project's clips - once straight through EchoesStore (synchronous) and
 *      once the app's way (EchoesContext opened async, EchoesLibrary models filled);
 *      each in a fresh child process, so its peak RSS (VmHWM) is its own; median of
 *      ECHOES_BENCH_RUNS (default 5);
 *   B. the window (measure_window()): the real `echoes` binary (ECHOES_APP, else
 *      ../../src/echoes next to this program) under $DISPLAY, with XDG_DATA_HOME on the
 *      library: time from spawn to its first frame, and its VmHWM.
 *      With ECHOES_REPORT_FIRST_FRAME=1 the app is expected to print `first-frame <ms>`
 *      (and, once the timeline shows the project's clips, `content-frame <ms>`) to
 *      stderr from a GdkFrameClock::after-paint handler, counted from
 *      ECHOES_REPORT_ORIGIN_US (the g_get_monotonic_time() of the spawn, which the
 *      bench passes); if it does not, the window's
 *      mapping is polled with xwininfo instead (which comes a little before its first
 *      paint). The peak RSS is read once it has not grown for ECHOES_BENCH_SETTLE_MS
 *      (default 1000): the visible cards' thumbnails load in the background. The same
 *      is measured on a library whose project has no clips, to show what the clips cost.
 *      The app's warnings are passed on; ECHOES_BENCH_APP_STDERR=1 passes on all of it.
 * Goals: first frame <= 400 ms, RSS <= 200 MB. Exit status 1 only when something is
 * broken (the store, the app crashing, not opening the library or showing no window
 * within 30 s). */

#define G_LOG_DOMAIN "bench-startup"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "echoes-context.h"
#include "echoes-image.h"
#include "echoes-library.h"
#include "echoes-paths.h"
#include "echoes-store.h"
#include "echoes-thumbnailer.h"

#include "bench-util.h"
#include "../echoes-test-util.h"

#define GOAL_FIRST_FRAME_MS 400.0
#define GOAL_RSS_MB         200.0
#define WINDOW_TIMEOUT_S    30

typedef struct
{
  double total_ms;
  double open_ms;
  double projects_ms;
  double clips_ms;
  guint  n_clips;
  double hwm_mb;
  double base_hwm_mb;
  gboolean ok;
} StoreRun;

typedef struct
{
  GPid      pid;
  gint64    spawned;
  double    first_frame_ms;    /* spawn -> `first-frame` line, or -1 */
  double    content_frame_ms;  /* spawn -> `content-frame` line, or -1 */
  double    app_first_ms;      /* what the app itself printed */
  double    app_content_ms;
  gboolean  exited;
  int       status;
  guint     io;
  guint     warnings;
  gboolean  library_failed;
} AppRun;

/* kB from a "Name:   1234 kB" line of /proc/PID/status, or -1. */
static double
proc_status_mb (GPid        pid,
                const char *field)
{
  g_autofree char *path = pid ? g_strdup_printf ("/proc/%d/status", pid)
                              : g_strdup ("/proc/self/status");
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  gsize len = strlen (field);

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strncmp (lines[i], field, len) == 0 && lines[i][len] == ':')
      return g_ascii_strtod (lines[i] + len + 1, NULL) / 1024.0;

  return -1;
}

static void
print_load (const char *when)
{
  g_autofree char *load = NULL;

  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    g_print ("# load average %s: %s", when, load);
}

/* ---- the library ------------------------------------------------------------------ */

static char *
write_image (const char *dir)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 1600, 1200);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, "photo.jpg", NULL);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);

  for (int y = 0; y < 1200; y++)
    for (int x = 0; x < 1600; x++)
      {
        guint8 *p = pixels + y * stride + x * 3;
        guint32 h = ((guint32)x * 73856093u) ^ ((guint32)y * 19349663u);

        h ^= h >> 13;
        h *= 0x5bd1e995u;
        p[0] = 255 * x / 1600;
        p[1] = 255 * y / 1200;
        p[2] = 96 + (h >> 27);
      }

  if (!gdk_pixbuf_save (pixbuf, path, "jpeg", &error, "quality", "90", NULL))
    g_error ("cannot write %s: %s", path, error->message);
  return path;
}

/* One project of @n clips through the store API; every clip a copy of one photo, with
 * its thumbnail in the cache as the importer would have left it. */
static gboolean
populate (const char *dir,
          guint       n)
{
  g_autofree char *xdg_data = g_build_filename (dir, "xdg-data", NULL);
  g_autofree char *xdg_cache = g_build_filename (dir, "xdg-cache", NULL);
  g_autofree char *data_dir = g_build_filename (xdg_data, "echoes", NULL);
  g_autofree char *cache_dir = g_build_filename (xdg_cache, "echoes", NULL);
  g_autofree char *thumb_dir = g_strdup_printf ("%s/thumbnails/%d", cache_dir,
                                                ECHOES_THUMBNAIL_SIZE);
  g_autofree char *photo = write_image (dir);
  g_autofree char *photo_bytes = NULL;
  g_autofree char *thumb_bytes = NULL;
  g_autoptr(GdkPixbuf) thumbnail = NULL;
  g_autoptr(EchoesStore) store = NULL;
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(GError) error = NULL;
  gsize photo_len, thumb_len;
  gint64 start = g_get_monotonic_time ();
  const char *project_id;

  if (!g_file_get_contents (photo, &photo_bytes, &photo_len, &error) ||
      !(thumbnail = echoes_image_load_at_size (photo, ECHOES_THUMBNAIL_SIZE, &error)) ||
      !gdk_pixbuf_save_to_buffer (thumbnail, &thumb_bytes, &thumb_len, "png", &error,
                                  "compression", "1", NULL) ||
      !(store = echoes_store_open (data_dir, &error)) ||
      !(project = echoes_store_create_project (store, "A thousand photos", &error)))
    {
      g_printerr ("cannot make the library: %s\n", error->message);
      return FALSE;
    }

  g_mkdir_with_parents (thumb_dir, 0700);
  project_id = echoes_project_get_id (project);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *clip_id = g_uuid_string_random ();
      g_autofree char *relative = echoes_paths_image_relative (project_id, clip_id, "jpg");
      g_autofree char *absolute = echoes_store_resolve (store, relative);
      g_autofree char *image_dir = g_path_get_dirname (absolute);
      g_autofree char *thumb_name = g_strdup_printf ("%s.png", clip_id);
      g_autofree char *thumb_path = g_build_filename (thumb_dir, thumb_name, NULL);
      g_autofree char *source_name = g_strdup_printf ("IMG_%04u.jpg", i);
      g_autoptr(EchoesClip) clip = echoes_clip_new (clip_id, project_id);

      g_mkdir_with_parents (image_dir, 0700);
      /* The thumbnail after the image: the cache trusts a thumbnail no older than it. */
      if (!g_file_set_contents (absolute, photo_bytes, photo_len, &error) ||
          !g_file_set_contents (thumb_path, thumb_bytes, thumb_len, &error))
        {
          g_printerr ("cannot write the library: %s\n", error->message);
          return FALSE;
        }

      g_object_set (clip,
                    "image", relative,
                    "source-name", source_name,
                    "capture-time", (gint64)1700000000 + i * 60,
                    NULL);
      if (!echoes_store_insert_clip (store, clip, i, &error))
        {
          g_printerr ("cannot insert clip %u: %s\n", i, error->message);
          return FALSE;
        }
    }

  g_print ("# library: 1 project of %u clips, %u x %.0f kB photo + "
           "%.0f kB cached thumbnail, made in %.1f s under %s\n",
           n, n, photo_len / 1024.0, thumb_len / 1024.0,
           (g_get_monotonic_time () - start) / 1e6, dir);
  return TRUE;
}

/* ---- A. the store part, in a child ------------------------------------------------ */

static const char *
find_project (GPtrArray *projects)
{
  /* The big one, wherever the sort puts it. */
  for (guint i = 0; i < projects->len; i++)
    if (g_str_equal (echoes_project_get_title (g_ptr_array_index (projects, i)),
                     "A thousand photos"))
      return echoes_project_get_id (g_ptr_array_index (projects, i));
  return NULL;
}

static int
child_store (void)
{
  g_autofree char *data_dir = echoes_paths_dup_data_dir ();
  g_autoptr(EchoesStore) store = NULL;
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GError) error = NULL;
  double base = proc_status_mb (0, "VmHWM");
  gint64 t0, t1, t2, t3;
  const char *id;

  t0 = g_get_monotonic_time ();
  if (!(store = echoes_store_open (data_dir, &error)))
    goto fail;
  t1 = g_get_monotonic_time ();
  if (!(projects = echoes_store_list_projects (store, &error)))
    goto fail;
  t2 = g_get_monotonic_time ();
  if (!(id = find_project (projects)) || !(clips = echoes_store_list_clips (store, id, &error)))
    goto fail;
  t3 = g_get_monotonic_time ();

  g_print ("RESULT %.3f %.3f %.3f %.3f %u %.1f %.1f\n",
           (t3 - t0) / 1000.0, (t1 - t0) / 1000.0, (t2 - t1) / 1000.0, (t3 - t2) / 1000.0,
           clips->len, proc_status_mb (0, "VmHWM"), base);
  return 0;

fail:
  g_printerr ("store: %s\n", error ? error->message : "the project is missing");
  return 1;
}

static void
context_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  EchoesContext **context = user_data;
  g_autoptr(GError) error = NULL;

  if (!(*context = echoes_context_new_finish (result, &error)))
    g_error ("context: %s", error->message);
}

static EchoesProject *
find_project_in_model (GListModel *projects)
{
  for (guint i = 0; i < g_list_model_get_n_items (projects); i++)
    {
      g_autoptr(EchoesProject) project = g_list_model_get_item (projects, i);

      if (g_str_equal (echoes_project_get_title (project), "A thousand photos"))
        return g_steal_pointer (&project);
    }
  return NULL;
}

/* The app's way: the context opens off the main thread, the library fills its models
 * on the store's worker; done when the project's clip model is full. */
static int
child_library (guint n)
{
  g_autoptr(EchoesContext) context = NULL;
  g_autoptr(EchoesProject) project = NULL;
  GListModel *clips;
  GListModel *projects;
  double base = proc_status_mb (0, "VmHWM");
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  gint64 t0, t1, t2, t3;

  t0 = g_get_monotonic_time ();
  echoes_context_new_async (NULL, NULL, context_cb, &context);
  while (context == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  t1 = g_get_monotonic_time ();

  if (context == NULL)
    {
      g_printerr ("library: the context did not open within 30 s\n");
      return 1;
    }

  projects = echoes_library_get_projects (echoes_context_get_library (context));
  while (!(project = find_project_in_model (projects)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  t2 = g_get_monotonic_time ();
  if (project == NULL)
    {
      g_printerr ("library: the project never appeared\n");
      return 1;
    }

  clips = echoes_library_get_clips (echoes_context_get_library (context),
                                    echoes_project_get_id (project));
  while (g_list_model_get_n_items (clips) < n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  t3 = g_get_monotonic_time ();

  g_print ("RESULT %.3f %.3f %.3f %.3f %u %.1f %.1f\n",
           (t3 - t0) / 1000.0, (t1 - t0) / 1000.0, (t2 - t1) / 1000.0, (t3 - t2) / 1000.0,
           g_list_model_get_n_items (clips), proc_status_mb (0, "VmHWM"), base);
  return 0;
}

static StoreRun
run_child (const char *self_path,
           const char *mode,
           guint       n)
{
  g_autofree char *n_text = g_strdup_printf ("%u", n);
  const char *argv[] = { self_path, mode, n_text, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *line;
  StoreRun run = { 0, };
  int status;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                     &status, &error))
    {
      g_printerr ("cannot run %s: %s\n", self_path, error->message);
      return run;
    }
  if (!g_spawn_check_wait_status (status, NULL) || !(line = strstr (out, "RESULT ")))
    {
      g_printerr ("%s %s failed: %s%s\n", self_path, mode, out, err);
      return run;
    }

  run.ok = sscanf (line, "RESULT %lf %lf %lf %lf %u %lf %lf", &run.total_ms, &run.open_ms,
                   &run.projects_ms, &run.clips_ms, &run.n_clips, &run.hwm_mb,
                   &run.base_hwm_mb) == 7 && run.n_clips == n;
  if (!run.ok)
    g_printerr ("%s %s: unexpected output: %s\n", self_path, mode, line);
  return run;
}

static int
compare_run (gconstpointer a,
             gconstpointer b)
{
  const StoreRun *x = a, *y = b;

  return x->total_ms < y->total_ms ? -1 : x->total_ms > y->total_ms;
}

static gboolean
measure_store (const char *self_path,
               const char *label,
               const char *mode,
               guint       n,
               guint       runs)
{
  g_autoptr(GArray) results = g_array_new (FALSE, FALSE, sizeof (StoreRun));
  StoreRun median, worst;

  /* One untimed run: the binary and the database into the page cache. */
  if (!run_child (self_path, mode, n).ok)
    return FALSE;

  for (guint i = 0; i < runs; i++)
    {
      StoreRun run = run_child (self_path, mode, n);

      if (!run.ok)
        return FALSE;
      g_array_append_val (results, run);
    }

  g_array_sort (results, compare_run);
  median = g_array_index (results, StoreRun, results->len / 2);
  worst = g_array_index (results, StoreRun, results->len - 1);

  g_print ("%s: %.1f ms median, %.1f ms worst of %u (open %.1f + projects %.1f + "
           "%u clips %.1f) | goal first frame <= %.0f ms, of which this is the data part\n",
           label, median.total_ms, worst.total_ms, runs, median.open_ms, median.projects_ms,
           median.n_clips, median.clips_ms, GOAL_FIRST_FRAME_MS);
  g_print ("%s: VmHWM %.1f MB (%.1f MB before opening) | goal <= %.0f MB\n",
           label, median.hwm_mb, median.base_hwm_mb, GOAL_RSS_MB);
  return TRUE;
}

/* ---- B. the window ------------------------------------------------------------------ */

static char *
find_app (const char *self_path)
{
  g_autofree char *bench_dir = g_path_get_dirname (self_path);
  const char *env = g_getenv ("ECHOES_APP");
  char *path;

  if (env != NULL && g_file_test (env, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (env);

  path = g_build_filename (bench_dir, "..", "..", "src", "echoes", NULL);
  if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    return path;

  g_free (path);
  return NULL;
}

static gboolean
stderr_cb (GIOChannel   *channel,
           GIOCondition  condition,
           gpointer      user_data)
{
  AppRun *run = user_data;
  g_autofree char *line = NULL;
  GIOStatus status;
  gsize len;

  while ((status = g_io_channel_read_line (channel, &line, &len, NULL, NULL)) ==
         G_IO_STATUS_NORMAL)
    {
      double now = (g_get_monotonic_time () - run->spawned) / 1000.0;
      double value;

      if (sscanf (line, "first-frame %lf", &value) == 1 && run->first_frame_ms < 0)
        {
          run->first_frame_ms = now;
          run->app_first_ms = value;
        }
      else if (sscanf (line, "content-frame %lf", &value) == 1 && run->content_frame_ms < 0)
        {
          run->content_frame_ms = now;
          run->app_content_ms = value;
        }
      else if (strstr (line, "WARNING **") || strstr (line, "CRITICAL **"))
        {
          /* A window showing an error page would be measured as if it were the project. */
          if (strstr (line, "Could not open the library"))
            run->library_failed = TRUE;
          run->warnings++;
          g_printerr ("  app: %s", line);
        }
      else if (g_getenv ("ECHOES_BENCH_APP_STDERR"))
        g_printerr ("  app: %s", line);
      g_clear_pointer (&line, g_free);
    }

  if (status == G_IO_STATUS_EOF || status == G_IO_STATUS_ERROR)
    {
      run->io = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
child_watch_cb (GPid     pid,
                int      status,
                gpointer user_data)
{
  AppRun *run = user_data;

  run->exited = TRUE;
  run->status = status;
  g_spawn_close_pid (pid);
}

/* TRUE once a window of the app is viewable on the display (an X11 display only). */
static gboolean
window_mapped (const char *xwininfo)
{
  const char *tree_argv[] = { xwininfo, "-root", "-tree", NULL };
  g_autofree char *tree = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_spawn_sync (NULL, (char **)tree_argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &tree, NULL, NULL, NULL))
    return FALSE;

  lines = g_strsplit (tree, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *lower = g_ascii_strdown (lines[i], -1);
      g_autofree char *info = NULL;
      g_autofree char *id = NULL;
      const char *start = strstr (lines[i], "0x");

      /* The WM_CLASS GTK sets: ("echoes" "Echoes") or the app id. */
      if (start == NULL || strstr (lower, "echoes") == NULL)
        continue;
      id = g_strndup (start, strcspn (start, " "));
      {
        const char *info_argv[] = { xwininfo, "-id", id, NULL };

        if (g_spawn_sync (NULL, (char **)info_argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                          NULL, &info, NULL, NULL, NULL) &&
            strstr (info, "IsViewable") != NULL)
          return TRUE;
      }
    }

  return FALSE;
}

/**
 * measure_window:
 *
 * THE WINDOW HOOK. Spawns the real app on the library under $DISPLAY and measures
 * spawn → first frame and its VmHWM once the project's clips are on screen. Returns
 * %FALSE only when the app is broken (crashes, or shows nothing within 30 s); a
 * missing display or binary is reported and skipped.
 */
static gboolean
measure_window (const char *self_path,
                const char *label,
                const char *dir)
{
  g_autofree char *xdg_data = g_build_filename (dir, "xdg-data", NULL);
  g_autofree char *xdg_cache = g_build_filename (dir, "xdg-cache", NULL);
  g_autofree char *xdg_config = g_build_filename (dir, "xdg-config", NULL);
  g_autofree char *app = find_app (self_path);
  g_autofree char *xwininfo = g_find_program_in_path ("xwininfo");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GIOChannel) channel = NULL;
  g_autofree char *origin = NULL;
  const char *argv[] = { NULL, NULL };
  guint settle_ms = bench_env_uint ("ECHOES_BENCH_SETTLE_MS", 1000);
  AppRun run = { 0, 0, -1, -1, -1, -1, FALSE, 0, 0, 0, FALSE };
  double mapped_ms = -1, hwm = -1, rss = -1, last_hwm = -1;
  gint64 deadline, settle_from = 0, stable_since = 0, last_sample = 0;
  int err_fd;

  if (app == NULL)
    {
      g_print ("%s: skipped, the echoes binary was not found (set ECHOES_APP)\n", label);
      return TRUE;
    }
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("%s: skipped, it needs a display (run under xvfb-run -a "
               "dbus-run-session, as .ci/run does)\n", label);
      return TRUE;
    }

  argv[0] = app;
  envp = g_environ_setenv (envp, "ECHOES_REPORT_FIRST_FRAME", "1", TRUE);
  envp = g_environ_setenv (envp, "GSETTINGS_BACKEND", "memory", TRUE);
  envp = g_environ_setenv (envp, "XDG_DATA_HOME", xdg_data, TRUE);
  envp = g_environ_setenv (envp, "XDG_CACHE_HOME", xdg_cache, TRUE);
  envp = g_environ_setenv (envp, "XDG_CONFIG_HOME", xdg_config, TRUE);
  if (g_strcmp0 (g_getenv ("ECHOES_BENCH_A11Y"), "0") == 0)
    envp = g_environ_setenv (envp, "GTK_A11Y", "none", TRUE);

  /* The app counts its `first-frame <ms>` from the same instant. */
  run.spawned = g_get_monotonic_time ();
  origin = g_strdup_printf ("%" G_GINT64_FORMAT, run.spawned);
  envp = g_environ_setenv (envp, "ECHOES_REPORT_ORIGIN_US", origin, TRUE);
  if (!g_spawn_async_with_pipes (dir, (char **)argv, envp, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                 NULL, &run.pid, NULL, NULL, &err_fd, &error))
    {
      g_printerr ("window: cannot run %s: %s\n", app, error->message);
      return FALSE;
    }

  g_child_watch_add (run.pid, child_watch_cb, &run);
  channel = g_io_channel_unix_new (err_fd);
  g_io_channel_set_close_on_unref (channel, TRUE);
  g_io_channel_set_flags (channel, G_IO_FLAG_NONBLOCK, NULL);
  run.io = g_io_add_watch (channel, G_IO_IN | G_IO_HUP | G_IO_ERR, stderr_cb, &run);

  /* Until the content frame (or, without the app's report, the mapping); then until
   * the peak RSS has not grown for ECHOES_BENCH_SETTLE_MS: the visible cards' thumbnails
   * load in the background. */
  deadline = run.spawned + WINDOW_TIMEOUT_S * G_USEC_PER_SEC;
  while (!run.exited && !run.library_failed && g_get_monotonic_time () < deadline)
    {
      gint64 now;

      while (g_main_context_iteration (NULL, FALSE))
        ;
      now = g_get_monotonic_time ();

      if (mapped_ms < 0 && run.first_frame_ms < 0 && xwininfo != NULL && window_mapped (xwininfo))
        mapped_ms = (g_get_monotonic_time () - run.spawned) / 1000.0;

      if (settle_from == 0 &&
          (run.content_frame_ms >= 0 ||
           (run.first_frame_ms >= 0 && now - run.spawned > 5 * G_USEC_PER_SEC) ||
           (run.first_frame_ms < 0 && mapped_ms >= 0)))
        settle_from = stable_since = now;

      if (settle_from != 0 && now - last_sample >= 100 * 1000)
        {
          double sample = proc_status_mb (run.pid, "VmHWM");

          last_sample = now;
          if (sample > last_hwm + 0.5)
            {
              last_hwm = sample;
              stable_since = now;
            }
          else if (now - stable_since >= (gint64)settle_ms * 1000)
            break;
        }

      g_usleep (5000);
    }

  if (!run.exited)
    {
      hwm = proc_status_mb (run.pid, "VmHWM");
      rss = proc_status_mb (run.pid, "VmRSS");
      kill (run.pid, SIGTERM);
      deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
      while (!run.exited && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      if (!run.exited)
        kill (run.pid, SIGKILL);
      while (!run.exited)
        g_main_context_iteration (NULL, TRUE);
    }
  else
    {
      g_printerr ("%s: %s exited early (wait status %d)\n", label, app, run.status);
      g_clear_handle_id (&run.io, g_source_remove);
      return FALSE;
    }
  g_clear_handle_id (&run.io, g_source_remove);

  if (run.library_failed)
    {
      g_printerr ("%s: the app could not open the library (is %s older than this benchmark? "
                  "rebuild all)\n", label, app);
      return FALSE;
    }

  if (run.first_frame_ms >= 0)
    {
      g_print ("%s: first frame %.0f ms after spawn (app says %.0f ms) | goal <= %.0f ms\n",
               label, run.first_frame_ms, run.app_first_ms, GOAL_FIRST_FRAME_MS);
      if (run.content_frame_ms >= 0)
        g_print ("%s: first frame with the project's clips %.0f ms after spawn (app says "
                 "%.0f ms) | goal <= %.0f ms\n", label, run.content_frame_ms, run.app_content_ms,
                 GOAL_FIRST_FRAME_MS);
      else
        g_print ("%s: the app did not report `content-frame <ms>`\n", label);
    }
  else if (mapped_ms >= 0)
    g_print ("%s: window mapped %.0f ms after spawn (xwininfo poll, +-15 ms; the app has no "
             "ECHOES_REPORT_FIRST_FRAME report, so this is mapping, not painted content) | "
             "goal first frame <= %.0f ms\n", label, mapped_ms, GOAL_FIRST_FRAME_MS);
  else
    {
      g_printerr ("%s: no window within %d s (the app did not report a frame%s)\n",
                  label, WINDOW_TIMEOUT_S, xwininfo ? " and xwininfo saw none" : ", no xwininfo");
      return FALSE;
    }

  g_print ("%s: VmHWM %.1f MB, VmRSS %.1f MB (stable for %.1f s, %.1f s after the window) | "
           "goal <= %.0f MB\n", label, hwm, rss, settle_ms / 1000.0,
           settle_from ? (stable_since - settle_from) / 1e6 + settle_ms / 1000.0 : 0.0,
           GOAL_RSS_MB);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *self_path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *empty_dir = NULL;
  guint n = bench_env_uint ("ECHOES_BENCH_CLIPS", 1000);
  guint runs = bench_env_uint ("ECHOES_BENCH_RUNS", 5);
  gboolean ok = TRUE;

  /* Children inherit the XDG_* set below and find the library on their own. */
  if (argc == 3 && g_str_equal (argv[1], "--child-store"))
    return child_store ();
  if (argc == 3 && g_str_equal (argv[1], "--child-library"))
    return child_library ((guint)g_ascii_strtoull (argv[2], NULL, 10));

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  dir = g_dir_make_tmp ("echoes-bench-startup-XXXXXX", NULL);
  {
    g_autofree char *xdg_data = g_build_filename (dir, "xdg-data", NULL);
    g_autofree char *xdg_cache = g_build_filename (dir, "xdg-cache", NULL);
    g_autofree char *xdg_config = g_build_filename (dir, "xdg-config", NULL);

    /* Set before anything asks GLib for them: it reads them once. */
    g_setenv ("XDG_DATA_HOME", xdg_data, TRUE);
    g_setenv ("XDG_CACHE_HOME", xdg_cache, TRUE);
    g_setenv ("XDG_CONFIG_HOME", xdg_config, TRUE);
  }

  print_load ("before");
  empty_dir = g_build_filename (dir, "empty", NULL);
  g_mkdir_with_parents (empty_dir, 0700);
  if (!populate (dir, n) || !populate (empty_dir, 0))
    return 1;

  g_print ("\n## A. the data of the first frame, no UI (child process per run)\n");
  ok &= measure_store (self_path, "store (sync)", "--child-store", n, runs);
  ok &= measure_store (self_path, "context+library (async, the app's path)", "--child-library",
                       n, runs);

  g_print ("\n## B. the window\n");
  ok &= measure_window (self_path, "window, 0 clips", empty_dir);
  {
    g_autofree char *label = g_strdup_printf ("window, %u clips", n);

    ok &= measure_window (self_path, label, dir);
  }
  print_load ("after");

  if (g_getenv ("ECHOES_BENCH_KEEP") == NULL)
    echoes_test_remove_tree (dir);

  if (!ok)
    {
      g_printerr ("bench-startup: something failed (see above)\n");
      return 1;
    }
  return 0;
}
