/* test-ui-film.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-ui-film"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <adwaita.h>

#include "echoes-clip-window.h"
#include "echoes-context.h"
#include "echoes-film-window.h"
#include "echoes-library.h"
#include "echoes-local-provider.h"
#include "echoes-music.h"
#include "echoes-test-media.h"
#include "echoes-test-util.h"
#include "echoes-test-ui.h"
#include "echoes-window-private.h"

#define TIMEOUT_MS 90000

typedef struct
{
  EchoesContext *context;
  EchoesWindow  *window;
  char          *photos;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  EchoesVideoProvider *local;

  f->context = echoes_test_ui_open_context (TIMEOUT_MS);

  /* Tiny clips keep the test fast. */
  echoes_context_set_provider_name (f->context, "local");
  local = echoes_provider_registry_lookup (echoes_context_get_registry (f->context), "local");
  echoes_local_provider_set_max_size (ECHOES_LOCAL_PROVIDER (local), 128);

  f->photos = g_build_filename (g_get_user_cache_dir (), "photos", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->photos, 0700), ==, 0);

  f->window = echoes_test_ui_show_window (f->context, 1280, 720, TIMEOUT_MS);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  echoes_test_ui_close_window (g_steal_pointer (&f->window), g_steal_pointer (&f->context));
  g_free (f->photos);
}

static GListModel *
get_clips (Fixture *f)
{
  const char *id = echoes_window_get_project_id (f->window);

  return id ? echoes_library_get_clips (echoes_context_get_library (f->context), id) : NULL;
}

static EchoesProject *
get_project (Fixture *f)
{
  GListModel *projects = echoes_library_get_projects (echoes_context_get_library (f->context));
  const char *id = echoes_window_get_project_id (f->window);

  for (guint i = 0; id != NULL && i < g_list_model_get_n_items (projects); i++)
    {
      g_autoptr(EchoesProject) project = g_list_model_get_item (projects, i);

      if (g_strcmp0 (echoes_project_get_id (project), id) == 0)
        return project;
    }
  return NULL;
}

static gboolean
has_project (gpointer data)
{
  return echoes_window_get_project_id (((Fixture *)data)->window) != NULL;
}

typedef struct
{
  Fixture *f;
  guint    n;
} Count;

static gboolean
n_clips_imported (gpointer data)
{
  Count *c = data;
  GListModel *clips = get_clips (c->f);

  return clips != NULL && g_list_model_get_n_items (clips) == c->n &&
         !echoes_window_get_importing (c->f->window);
}

static gboolean
all_ready (gpointer data)
{
  Count *c = data;
  GListModel *clips = get_clips (c->f);
  guint n = clips ? g_list_model_get_n_items (clips) : 0;

  if (n != c->n)
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(EchoesClip) clip = g_list_model_get_item (clips, i);

      if (echoes_clip_get_status (clip) != ECHOES_CLIP_STATUS_READY ||
          echoes_clip_get_video (clip) == NULL)
        return FALSE;
    }
  return echoes_generation_queue_get_n_jobs (echoes_context_get_queue (c->f->context)) == 0;
}

static gboolean
all_approved (gpointer data)
{
  Count *c = data;
  GListModel *clips = get_clips (c->f);

  for (guint i = 0; i < g_list_model_get_n_items (clips); i++)
    {
      g_autoptr(EchoesClip) clip = g_list_model_get_item (clips, i);

      if (!echoes_clip_get_approved (clip))
        return FALSE;
    }
  return TRUE;
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window;
    }
  return NULL;
}

static gboolean
film_window_loaded (gpointer data)
{
  GtkWindow *window = find_toplevel (ECHOES_TYPE_FILM_WINDOW);

  return window != NULL && echoes_film_window_get_loaded (ECHOES_FILM_WINDOW (window));
}

static gboolean
clip_window_loaded (gpointer data)
{
  GtkWindow *window = find_toplevel (ECHOES_TYPE_CLIP_WINDOW);
  EchoesFilmPlayer *player;

  if (window == NULL)
    return FALSE;
  player = echoes_clip_window_get_player (ECHOES_CLIP_WINDOW (window));
  return echoes_player_pipeline_get_loaded (echoes_film_player_get_pipeline (player));
}

static gboolean
not_exporting (gpointer data)
{
  return !echoes_window_get_exporting (((Fixture *)data)->window);
}

static gboolean
project_completed (gpointer data)
{
  EchoesProject *project = get_project (data);

  return project != NULL && echoes_project_get_status (project) == ECHOES_PROJECT_STATUS_COMPLETED;
}

typedef struct
{
  Fixture    *f;
  const char *text;
} MusicIs;

static gboolean
music_has (gpointer data)
{
  MusicIs *m = data;
  EchoesProject *project = get_project (m->f);

  return project != NULL && echoes_project_get_music (project) != NULL &&
         strstr (echoes_project_get_music (project), m->text) != NULL;
}

static gboolean
music_label_is (gpointer data)
{
  MusicIs *m = data;

  return g_strcmp0 (_echoes_window_get_music_label (m->f->window), m->text) == 0;
}

static gboolean
music_fitted (gpointer data)
{
  Fixture *f = data;
  EchoesProject *project = get_project (f);
  g_autoptr(EchoesMusic) music = NULL;
  GListModel *clips = get_clips (f);
  g_autoptr(EchoesClip) clip = g_list_model_get_item (clips, 0);
  GstClockTime duration = GST_CLOCK_TIME_NONE;

  return project != NULL &&
         (music = echoes_music_parse (echoes_project_get_music (project), NULL)) != NULL &&
         echoes_music_get_clip_duration (music, echoes_clip_get_id (clip), &duration) &&
         GST_CLOCK_TIME_IS_VALID (duration);
}

/* Plays the film as win.play does, and returns the film window's pipeline (loaded). */
static EchoesPlayerPipeline *
play_film (Fixture *f)
{
  GtkWindow *window;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.play", NULL));
  g_assert_true (echoes_test_wait_until (film_window_loaded, NULL, TIMEOUT_MS));
  window = find_toplevel (ECHOES_TYPE_FILM_WINDOW);
  echoes_film_player_pause (echoes_film_window_get_player (ECHOES_FILM_WINDOW (window)));
  return echoes_film_player_get_pipeline (echoes_film_window_get_player (ECHOES_FILM_WINDOW (window)));
}

static void
close_film (void)
{
  gtk_window_destroy (find_toplevel (ECHOES_TYPE_FILM_WINDOW));
  echoes_test_ui_drain ();
}

/* The fitted duration of approved clip @i, as the export gets it. */
static GstClockTime
fitted_duration (Fixture *f,
                 guint    i)
{
  g_autoptr(EchoesMusic) music = echoes_music_parse (echoes_project_get_music (get_project (f)), NULL);
  g_autoptr(EchoesClip) clip = g_list_model_get_item (get_clips (f), i);
  GstClockTime duration = GST_CLOCK_TIME_NONE;

  g_assert_nonnull (music);
  g_assert_true (echoes_music_get_clip_duration (music, echoes_clip_get_id (clip), &duration));
  g_assert_true (GST_CLOCK_TIME_IS_VALID (duration));
  return duration;
}

static void
test_film_generate_play_export (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *out_path = g_build_filename (g_get_user_cache_dir (), "Summer.mp4", NULL);
  g_autoptr(GFile) out = g_file_new_for_path (out_path);
  const char *names[] = { "beach.jpg", "harbour.jpg" };
  const guint32 colours[] = { 0x3584e4, 0x2ec27e };
  EchoesExportOptions options = { ECHOES_EXPORT_FORMAT_MP4, ECHOES_RESOLUTION_720P, 0,
                                  ECHOES_EXPORT_FLAGS_NONE };
  Count two = { f, 2 };
  g_autoptr(GSettings) settings = NULL;
  GListModel *clips;
  GtkWindow *window;
  EchoesPlayerPipeline *pipeline;
  GstClockTime natural;
  GStatBuf st;

  echoes_window_create_project (f->window, "Summer");
  g_assert_true (echoes_test_wait_until (has_project, f, TIMEOUT_MS));

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = echoes_test_write_jpeg (f->photos, names[i], 800, 600, colours[i]);

      g_ptr_array_add (files, g_file_new_for_path (path));
    }
  echoes_window_import_files (f->window, files);
  g_assert_true (echoes_test_wait_until (n_clips_imported, &two, TIMEOUT_MS));

  /* Nothing approved yet: Play only says so. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.play", NULL));
  echoes_test_ui_wait_label (GTK_WIDGET (f->window), "Approve some ready clips", TIMEOUT_MS);
  g_assert_null (find_toplevel (ECHOES_TYPE_FILM_WINDOW));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.generate-all", NULL));
  g_assert_true (echoes_test_wait_until (all_ready, &two, TIMEOUT_MS));

  clips = get_clips (f);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(EchoesClip) clip = g_list_model_get_item (clips, i);

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.set-clip-approved",
                                                 "(sb)", echoes_clip_get_id (clip), TRUE));
    }
  g_assert_true (echoes_test_wait_until (all_approved, &two, TIMEOUT_MS));
  echoes_test_ui_save_screenshot (GTK_WIDGET (f->window), "film-ready.png");

  /* The clip detail plays the clip's video. */
  {
    g_autoptr(EchoesClip) clip = g_list_model_get_item (clips, 0);

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.open-clip", "s",
                                               echoes_clip_get_id (clip)));
    g_assert_true (echoes_test_wait_until (clip_window_loaded, NULL, TIMEOUT_MS));
    window = find_toplevel (ECHOES_TYPE_CLIP_WINDOW);
    echoes_test_ui_save_screenshot (GTK_WIDGET (window), "clip-detail.png");
    gtk_window_destroy (window);
  }

  /* The film plays both approved clips, with cuts (the default). */
  g_assert_cmpuint (_echoes_window_get_crossfade (f->window), ==, 0);
  pipeline = play_film (f);
  g_assert_cmpuint (echoes_player_pipeline_get_n_clips (pipeline), ==, 2);
  g_assert_cmpuint (echoes_player_pipeline_get_crossfade (pipeline), ==, 0);
  natural = echoes_player_pipeline_get_clip_start (pipeline, 1);
  g_assert_cmpuint (echoes_player_pipeline_get_duration (pipeline), ==, 2 * natural);
  close_film ();

  /* The crossfade chosen for the export (the `crossfade` setting, as a previous session
   * left it) is what the preview plays: the film is shorter by the crossfade. */
  settings = g_settings_new ("io.github.echoes.VideoCreator");
  g_settings_set_uint (settings, "crossfade", 500);
  g_assert_cmpuint (_echoes_window_get_crossfade (f->window), ==, GST_SECOND / 2);
  pipeline = play_film (f);
  g_assert_cmpuint (echoes_player_pipeline_get_crossfade (pipeline), ==, GST_SECOND / 2);
  g_assert_cmpuint (echoes_player_pipeline_get_clip_start (pipeline, 1), ==, natural - GST_SECOND / 2);
  g_assert_cmpuint (echoes_player_pipeline_get_duration (pipeline), ==, 2 * natural - GST_SECOND / 2);
  close_film ();

  /* Music, as the file chooser gives it: a broken file leaves the music as it was. */
  {
    g_autofree char *tone = echoes_test_media_make_audio (f->photos, "tone.wav", "wav", 48000, 6.0);
    g_autofree char *broken = g_build_filename (f->photos, "broken.mp3", NULL);
    const char *good[] = { tone, NULL };
    const char *bad[] = { broken, NULL };
    MusicIs m = { f, "tone.wav" };
    EchoesProject *project;

    _echoes_window_set_music_files (f->window, good);
    g_assert_true (echoes_test_wait_until (music_has, &m, TIMEOUT_MS));
    g_assert_true (echoes_test_wait_until (music_label_is, &m, TIMEOUT_MS));

    g_assert_true (g_file_set_contents (broken, "not music", -1, NULL));
    _echoes_window_set_music_files (f->window, bad);
    echoes_test_ui_wait_label (GTK_WIDGET (f->window), "cannot be used as music", TIMEOUT_MS);
    project = get_project (f);
    g_assert_nonnull (strstr (echoes_project_get_music (project), "tone.wav"));
    g_assert_null (strstr (echoes_project_get_music (project), "broken.mp3"));

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.fit-to-music", NULL));
    g_assert_true (echoes_test_wait_until (music_fitted, f, TIMEOUT_MS));
    echoes_test_ui_save_screenshot (GTK_WIDGET (f->window), "film-music.png");
  }

  /* After "Fit Clips to Music" the preview cuts the clips as the export does: the fitted
   * durations, overlapping by the crossfade, end with the 6 s of music. */
  {
    GstClockTime first = fitted_duration (f, 0);
    GstClockTime second = fitted_duration (f, 1);

    g_assert_cmpuint (first, <, natural);
    pipeline = play_film (f);
    g_assert_cmpuint (echoes_player_pipeline_get_clip_start (pipeline, 1), ==, first - GST_SECOND / 2);
    g_assert_cmpuint (echoes_player_pipeline_get_duration (pipeline), ==, first + second - GST_SECOND / 2);
    g_assert_cmpuint (echoes_player_pipeline_get_duration (pipeline), <=, 6 * GST_SECOND);
    g_assert_cmpuint (echoes_player_pipeline_get_duration (pipeline), >, 6 * GST_SECOND - GST_SECOND / 30);
    close_film ();
  }

  /* The window opened next (after a restart) offers the same choice. */
  {
    g_autoptr(EchoesWindow) other = g_object_ref_sink (echoes_window_new (NULL));

    g_assert_cmpuint (_echoes_window_get_crossfade (other), ==, GST_SECOND / 2);
    gtk_window_destroy (GTK_WINDOW (other));
    g_assert_finalize_object (g_steal_pointer (&other));
  }

  /* Export, as the dialog does after the file chooser: its choice (cuts) is kept. */
  echoes_window_export_to (f->window, out, &options);
  g_assert_cmpuint (_echoes_window_get_crossfade (f->window), ==, 0);
  g_assert_cmpuint (g_settings_get_uint (settings, "crossfade"), ==, 0);
  g_assert_true (echoes_window_get_exporting (f->window));
  g_assert_true (echoes_test_wait_until (not_exporting, f, TIMEOUT_MS));
  g_assert_cmpint (g_stat (out_path, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 0);
  g_assert_true (echoes_test_wait_until (project_completed, f, TIMEOUT_MS));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkCssProvider) css = NULL;

  echoes_test_init (&argc, &argv);
  gtk_disable_setlocale ();
  setlocale (LC_ALL, "C.UTF-8");
  gtk_init ();
  adw_init ();
  gst_init (&argc, &argv);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                  "/usr/share/icons");
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    RESOURCE_PREFIX "/icons");
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, RESOURCE_PREFIX "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_test_add ("/echoes/ui/film/generate-play-export", Fixture, NULL,
              fixture_setup, test_film_generate_play_export, fixture_teardown);

  return g_test_run ();
}
