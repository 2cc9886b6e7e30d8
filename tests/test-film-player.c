/* test-film-player.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-film-player"

#include "config.h"

#include <gtk/gtk.h>

#include "echoes-film-player.h"
#include "echoes-test-media.h"
#include "echoes-test-util.h"

static char *media_dir;
static char *clips[3];

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GError **error = user_data;

  if (!echoes_film_player_load_finish (ECHOES_FILM_PLAYER (object), result, error) &&
      *error == NULL)
    g_assert_not_reached ();
  if (*error == NULL)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NONE, "done");
}

/* Wakes the blocking iterations below now and then: some conditions (a position after
 * a seek) change on a streaming thread without any source firing on this context. */
static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
timeout_cb (gpointer data)
{
  g_error ("Timed out");
  return G_SOURCE_REMOVE;
}

static void
test_film_player_play (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *player = echoes_film_player_new ();
  EchoesPlayerPipeline *pipeline = echoes_film_player_get_pipeline (ECHOES_FILM_PLAYER (player));
  g_autoptr(GError) error = NULL;
  GdkPaintable *frame;
  /* a deadlock guard, not a timing goal: generous for a loaded CI machine */
  guint timeout = g_timeout_add_seconds (120, timeout_cb, NULL);
  guint tick = g_timeout_add (10, tick_cb, NULL);

  g_object_ref (player);
  gtk_window_set_child (GTK_WINDOW (window), player);
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 400);
  gtk_window_present (GTK_WINDOW (window));

  echoes_player_pipeline_set_audio_sink (pipeline, gst_element_factory_make ("fakesink", NULL));
  echoes_film_player_load_async (ECHOES_FILM_PLAYER (player), (const char * const *) clips,
                                 NULL, 1.0, 0, 0, NULL, loaded_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NONE);
  g_clear_error (&error);

  /* The prerolled first frame is on screen, at the clips' size. */
  while ((frame = echoes_film_player_get_frame (ECHOES_FILM_PLAYER (player))) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (frame), ==, 320);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (frame), ==, 180);

  /* Space = play/pause, through the widget's action. */
  g_assert_true (gtk_widget_activate_action (player, "player.play-pause", NULL));
  g_assert_true (echoes_player_pipeline_get_playing (pipeline));
  while (echoes_player_pipeline_get_playing (pipeline))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (echoes_player_pipeline_get_position (pipeline), >=, 1900 * GST_MSECOND);

  /* Previous clip from the end: the start of the last clip. Paused, so the position
   * stays there to be read (playing on from it would race with the check). */
  echoes_film_player_pause (ECHOES_FILM_PLAYER (player));
  g_assert_true (gtk_widget_activate_action (player, "player.previous-clip", NULL));
  /* During the flushing seek (GES flushes more than once) the position reads 0 for
   * moments: wait until it has read the target on five ticks in a row. */
  for (guint stable = 0; stable < 5; )
    {
      g_main_context_iteration (NULL, TRUE);
      if (echoes_player_pipeline_get_position (pipeline) == GST_SECOND)
        stable++;
      else
        stable = 0;
    }

  g_source_remove (tick);
  g_source_remove (timeout);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (player);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  gst_init (&argc, &argv);

  media_dir = g_dir_make_tmp ("echoes-film-player-XXXXXX", NULL);
  clips[0] = echoes_test_media_make_clip (media_dir, "a.mp4", 320, 180, 30, 0);
  clips[1] = echoes_test_media_make_clip (media_dir, "b.mp4", 320, 180, 30, 18);

  g_test_add_func ("/echoes/ui/film-player/play", test_film_player_play);

  ret = g_test_run ();

  echoes_test_remove_tree (media_dir);
  g_clear_pointer (&clips[0], g_free);
  g_clear_pointer (&clips[1], g_free);
  g_clear_pointer (&media_dir, g_free);

  return ret;
}
