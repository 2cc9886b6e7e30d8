/* test-film-export.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-film-export"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "echoes-film-export.h"
#include "echoes-local-provider.h"
#include "echoes-paths.h"
#include "echoes-test-util.h"
#include "echoes-test-media.h"

/* A project in the store → its film (echoes_film_load) → `echoes-cli projects export`. */

typedef struct
{
  EchoesStore *store;
  char        *project_id;
  char        *out_dir;
} Fixture;

static void
add_clip_frames (Fixture  *fixture,
                 guint     position,
                 gboolean  approved,
                 guint     pattern,
                 guint     frames)
{
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *video = echoes_paths_video_relative (fixture->project_id, id);
  g_autofree char *path = echoes_store_resolve (fixture->store, video);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *made = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  made = echoes_test_media_make_clip (dir, name, 320, 180, frames, pattern);

  clip = echoes_clip_new (id, fixture->project_id);
  echoes_clip_set_image (clip, "images/unused.jpg");
  echoes_clip_set_video (clip, video);
  echoes_clip_set_status (clip, ECHOES_CLIP_STATUS_READY);
  echoes_clip_set_approved (clip, approved);
  g_assert_true (echoes_store_insert_clip (fixture->store, clip, position, &error));
  g_assert_no_error (error);
}

static void
add_clip (Fixture  *fixture,
          guint     position,
          gboolean  approved,
          guint     pattern)
{
  add_clip_frames (fixture, position, approved, pattern, 30);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(EchoesMusic) music = echoes_music_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *music_dir = NULL;
  g_autofree char *track = NULL;
  g_autofree char *text = NULL;

  fixture->store = echoes_store_open (NULL, &error);
  g_assert_no_error (error);
  project = echoes_store_create_project (fixture->store, "Trip", &error);
  g_assert_no_error (error);
  fixture->project_id = g_strdup (echoes_project_get_id (project));

  add_clip (fixture, 0, TRUE, 0);
  add_clip (fixture, 1, FALSE, 1);   /* not approved: not in the film */
  add_clip (fixture, 2, TRUE, 18);

  music_dir = g_build_filename (echoes_store_get_data_dir (fixture->store), "music", NULL);
  g_assert_cmpint (g_mkdir_with_parents (music_dir, 0755), ==, 0);
  track = echoes_test_media_make_audio (music_dir, "song.ogg", "ogg", 44100, 4.0);
  g_strfreev (music->tracks);
  music->tracks = g_strsplit ("music/song.ogg", ",", -1);
  music->volume = 0.5;
  text = echoes_music_format (music);
  echoes_project_set_music (project, text);
  g_assert_true (echoes_store_update_project (fixture->store, project, &error));
  g_assert_no_error (error);

  fixture->out_dir = g_dir_make_tmp ("echoes-film-export-XXXXXX", NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->store);
  g_clear_pointer (&fixture->project_id, g_free);
  echoes_test_remove_tree (fixture->out_dir);
  g_clear_pointer (&fixture->out_dir, g_free);
}

static void
test_film_load (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(EchoesFilm) film = NULL;
  g_autoptr(EchoesExporter) exporter = echoes_exporter_new ();
  g_autoptr(GError) error = NULL;

  film = echoes_film_load (fixture->store, fixture->project_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (film->n_clips, ==, 2);
  g_assert_cmpuint (g_strv_length (film->clips), ==, 2);
  g_assert_true (g_file_test (film->clips[0], G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (film->clips[1], G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (g_strv_length (film->music), ==, 1);
  g_assert_true (g_str_has_suffix (film->music[0], "/music/song.ogg"));
  g_assert_true (g_path_is_absolute (film->music[0]));
  g_assert_cmpfloat (film->volume, ==, 0.5);
  g_assert_false (GST_CLOCK_TIME_IS_VALID (film->durations[0]));

  echoes_film_apply (film, exporter);
}

static void
test_film_load_empty (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(EchoesFilm) film = NULL;
  g_autoptr(GError) error = NULL;

  project = echoes_store_create_project (fixture->store, "Empty", &error);
  g_assert_no_error (error);
  film = echoes_film_load (fixture->store, echoes_project_get_id (project), &error);
  g_assert_error (error, ECHOES_EXPORT_ERROR, ECHOES_EXPORT_ERROR_NO_CLIPS);
  g_assert_null (film);
}

static int
run_cli (const char * const  *args,
         char               **out,
         char               **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_get_environ ();
  const char *cli = g_getenv ("ECHOES_CLI");
  int status = -1;

  /* GLib's test isolation sets the user dirs in-process only: hand them to the CLI. */
  env = g_environ_setenv (env, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  env = g_environ_setenv (env, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);

  g_ptr_array_add (argv, (gpointer) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
                out, err, &status, &error);
  g_assert_no_error (error);

  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
test_film_cli_export (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *out = g_build_filename (fixture->out_dir, "trip.webm", NULL);
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  g_autoptr(GstDiscovererInfo) info = NULL;
  GstClockTime duration;
  int status;

  {
    const char *args[] = { "--json", "projects", "export", "Trip", out, "--webm",
                           "--crossfade", "0.5", NULL };

    if (g_getenv ("ECHOES_CLI") == NULL)
      {
        g_test_skip ("ECHOES_CLI is not set");
        return;
      }
    status = run_cli (args, &stdout_text, &stderr_text);
    g_test_message ("%s%s", stdout_text, stderr_text);
    g_assert_cmpint (status, ==, 0);
    g_assert_nonnull (strstr (stdout_text, "\"clips\" : 2"));
  }

  /* Two approved 1 s clips with a 0.5 s crossfade, at 720p. */
  info = echoes_test_media_discover (out);
  duration = gst_discoverer_info_get_duration (info);
  g_assert_cmpuint (duration, >=, 1500 * GST_MSECOND - GST_SECOND / 30);
  g_assert_cmpuint (duration, <=, 1500 * GST_MSECOND + GST_SECOND / 30);

  /* Never overwritten without --force. */
  g_clear_pointer (&stdout_text, g_free);
  g_clear_pointer (&stderr_text, g_free);
  {
    const char *args[] = { "projects", "export", "Trip", out, "--webm", NULL };

    status = run_cli (args, &stdout_text, &stderr_text);
    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (stderr_text, "already exists"));
  }

  g_clear_pointer (&stdout_text, g_free);
  g_clear_pointer (&stderr_text, g_free);
  {
    const char *args[] = { "projects", "export", "Trip", out, "--webm", "--force", NULL };

    status = run_cli (args, &stdout_text, &stderr_text);
    g_assert_cmpint (status, ==, 0);
  }

  g_clear_pointer (&stdout_text, g_free);
  g_clear_pointer (&stderr_text, g_free);
  {
    const char *args[] = { "projects", "export", "Trip", out, "--crossfade", "9", NULL };

    status = run_cli (args, &stdout_text, &stderr_text);
    g_assert_cmpint (status, ==, 1);
  }
}

typedef struct
{
  EchoesGenerationQueue *queue;
  GListModel            *clips;
} Lengthen;

static gboolean
clips_loaded (gpointer data)
{
  Lengthen *l = data;

  return g_list_model_get_n_items (l->clips) == 3;
}

static gboolean
queue_done (gpointer data)
{
  Lengthen *l = data;

  return echoes_generation_queue_get_n_jobs (l->queue) == 0;
}

static void
test_film_lengthen (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(EchoesLibrary) library = echoes_library_new (fixture->store);
  g_autoptr(EchoesLocalProvider) local = echoes_local_provider_new ();
  g_autoptr(EchoesGenerationQueue) queue = NULL;
  g_autoptr(EchoesFilm) film = NULL;
  g_autoptr(EchoesFilm) after = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) motion = NULL;
  g_autofree GstClockTime *lengths = NULL;
  g_autofree GstClockTime *new_lengths = NULL;
  g_autofree char *photo = echoes_store_resolve (fixture->store, "images/unused.jpg");
  g_autofree char *photo_dir = g_path_get_dirname (photo);
  g_autofree char *written = NULL;
  Lengthen l;
  double seconds;

  /* The clips' photo, for making them again. */
  g_assert_cmpint (g_mkdir_with_parents (photo_dir, 0755), ==, 0);
  written = echoes_test_write_jpeg (photo_dir, "unused.jpg", 400, 300, 0x336699);

  echoes_local_provider_set_max_size (local, 288);
  queue = echoes_generation_queue_new (fixture->store, library, ECHOES_VIDEO_PROVIDER (local));
  l.queue = queue;
  l.clips = echoes_library_get_clips (library, fixture->project_id);
  g_assert_true (echoes_test_wait_until (clips_loaded, &l, 10000));

  film = echoes_film_load (fixture->store, fixture->project_id, &error);
  g_assert_no_error (error);
  lengths = echoes_film_probe_lengths (film, NULL);
  g_assert_cmpuint (lengths[0], ==, GST_SECOND);
  g_assert_cmpuint (lengths[1], ==, GST_SECOND);

  /* "Fit to music" wants the first clip 2.5 s long, the second as it is. */
  film->durations[0] = 75 * (GST_SECOND / 30);
  film->durations[1] = GST_SECOND;
  g_assert_cmpuint (echoes_film_lengthen_clips (film, lengths, library, fixture->project_id,
                                                queue, "16:9"), ==, 1);
  g_assert_true (echoes_test_wait_until (queue_done, &l, 60000));

  /* Made again at 2.5 s, still approved; the other one untouched. */
  after = echoes_film_load (fixture->store, fixture->project_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (after->n_clips, ==, 2);
  g_assert_cmpstr (after->clip_ids[0], ==, film->clip_ids[0]);
  new_lengths = echoes_film_probe_lengths (after, NULL);
  g_assert_cmpuint (new_lengths[0], >=, 75 * (GST_SECOND / 30) - GST_SECOND / 30);
  g_assert_cmpuint (new_lengths[0], <=, 75 * (GST_SECOND / 30) + GST_SECOND / 30);
  g_assert_cmpuint (new_lengths[1], ==, GST_SECOND);

  /* The duration went into the motion, without a seed: the framing stays the clip's. */
  clip = echoes_store_get_clip (fixture->store, film->clip_ids[0], &error);
  g_assert_no_error (error);
  motion = g_variant_parse (G_VARIANT_TYPE_VARDICT, echoes_clip_get_motion (clip), NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_lookup (motion, "duration", "d", &seconds));
  g_assert_cmpfloat_with_epsilon (seconds, 2.5, 0.001);
  g_assert_false (g_variant_lookup (motion, "seed", "u", NULL));

  /* Nothing is longer than its clip now: nothing to do. */
  g_assert_cmpuint (echoes_film_lengthen_clips (after, new_lengths, library, fixture->project_id,
                                                queue, "16:9"), ==, 0);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* The names in @dir_path, sorted, as one string. */
static char *
list_dir (const char *dir_path)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);

  return g_strjoinv (" ", (char **) names->pdata);
}

/* Whether a running export has started writing its film: its temporary file is in
 * @out_dir and mp4mux's faststart file in the cache holds data. */
static gboolean
export_under_way (const char *out_dir)
{
  g_autofree char *scratch_top = g_build_filename (g_get_user_cache_dir (), "echoes", "export",
                                                   NULL);
  g_autofree char *out_names = list_dir (out_dir);
  g_autoptr(GDir) dir = g_dir_open (scratch_top, 0, NULL);
  const char *name;

  if (strstr (out_names, ".echoes-export-") == NULL)
    return FALSE;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *faststart = g_build_filename (scratch_top, name, "faststart", NULL);
      GStatBuf st;

      if (g_stat (faststart, &st) == 0 && st.st_size > 0)
        return TRUE;
    }

  return FALSE;
}

static void
test_film_cli_export_killed (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *out = g_build_filename (fixture->out_dir, "film.mp4", NULL);
  g_autofree char *mine = g_build_filename (fixture->out_dir, "notes.txt", NULL);
  g_autofree char *scratch_top = g_build_filename (g_get_user_cache_dir (), "echoes", "export",
                                                   NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_get_environ ();
  const char *cli = g_getenv ("ECHOES_CLI");
  const char *list[] = { "projects", "list", NULL };
  const char *argv[] = { cli, "projects", "export", "Trip", out, "--1080p", NULL };
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  GPid pid;
  int status;

  g_assert_nonnull (cli);

  /* Long enough (4 × 10 s re-encoded at 1080p) to be killed while it writes. */
  for (guint i = 0; i < 4; i++)
    add_clip_frames (fixture, 3 + i, TRUE, i + 1, 300);
  g_assert_true (g_file_set_contents (mine, "mine", -1, &error));
  before = list_dir (fixture->out_dir);

  env = g_environ_setenv (env, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  env = g_environ_setenv (env, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_spawn_async (NULL, (char **) argv, env,
                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                 NULL, NULL, &pid, &error);
  g_assert_no_error (error);

  /* Polled: the condition is on the disk, written by another process. */
  while (!export_under_way (fixture->out_dir))
    {
      g_assert_cmpint (waitpid (pid, &status, WNOHANG), ==, 0);  /* not ended yet */
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }

  /* Another start meanwhile leaves a running export alone. */
  g_assert_cmpint (run_cli (list, &stdout_text, &stderr_text), ==, 0);
  g_clear_pointer (&stdout_text, g_free);
  g_clear_pointer (&stderr_text, g_free);
  g_assert_true (export_under_way (fixture->out_dir));

  kill (pid, SIGKILL);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_true (WIFSIGNALED (status));

  /* What the kill left: the temporary film beside the destination, the working files
   * in the cache, nothing else. */
  after = list_dir (fixture->out_dir);
  g_test_message ("after the kill: %s", after);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_nonnull (strstr (after, ".echoes-export-"));
  g_assert_true (g_str_has_suffix (after, ".partial notes.txt"));
  g_clear_pointer (&after, g_free);
  after = list_dir (scratch_top);
  g_assert_cmpstr (after, !=, "");
  g_clear_pointer (&after, g_free);

  /* The next start removes it all, and nothing of the user's. */
  g_assert_cmpint (run_cli (list, &stdout_text, &stderr_text), ==, 0);
  after = list_dir (fixture->out_dir);
  g_assert_cmpstr (after, ==, before);
  g_clear_pointer (&after, g_free);
  after = list_dir (scratch_top);
  g_assert_cmpstr (after, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);
  gst_init (&argc, &argv);

  g_test_add ("/echoes/media/film-export/load", Fixture, NULL,
              fixture_setup, test_film_load, fixture_teardown);
  g_test_add ("/echoes/media/film-export/load-empty", Fixture, NULL,
              fixture_setup, test_film_load_empty, fixture_teardown);
  g_test_add ("/echoes/media/film-export/lengthen", Fixture, NULL,
              fixture_setup, test_film_lengthen, fixture_teardown);
  g_test_add ("/echoes/media/film-export/cli", Fixture, NULL,
              fixture_setup, test_film_cli_export, fixture_teardown);
  g_test_add ("/echoes/media/film-export/cli-killed", Fixture, NULL,
              fixture_setup, test_film_cli_export_killed, fixture_teardown);

  return g_test_run ();
}
