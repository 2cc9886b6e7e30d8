/* test-motion-editor.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-motion-editor"

#include "config.h"

#include <gtk/gtk.h>

#include "echoes-ken-burns.h"
#include "echoes-motion-editor.h"

static void
changed_cb (EchoesMotionEditor  *editor,
            const char          *motion,
            char               **out)
{
  g_free (*out);
  *out = g_strdup (motion);
}

static void
test_motion_editor (void)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 400, 600);
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *changed = NULL;
  g_autofree char *motion = NULL;
  EchoesMotionEditor *editor;
  EchoesKenBurnsParams params;
  GtkWidget *window;
  GtkDropDown *dropdown = NULL;
  GtkWidget *child;

  gdk_pixbuf_fill (pixbuf, 0x203040ff);
  texture = gdk_texture_new_for_pixbuf (pixbuf);

  editor = ECHOES_MOTION_EDITOR (echoes_motion_editor_new ());
  g_object_ref_sink (editor);
  g_signal_connect (editor, "motion-changed", G_CALLBACK (changed_cb), &changed);

  echoes_motion_editor_set_paintable (editor, GDK_PAINTABLE (texture));
  g_assert_true (echoes_motion_editor_get_paintable (editor) == GDK_PAINTABLE (texture));
  echoes_motion_editor_set_ratio (editor, "9:16");
  g_assert_cmpstr (echoes_motion_editor_get_ratio (editor), ==, "9:16");

  /* Setting from code doesn't emit; reading gives it back. */
  echoes_motion_editor_set_motion (editor, "{'preset': <'pan-up'>, 'zoom': <1.5>}");
  g_assert_null (changed);
  motion = echoes_motion_editor_dup_motion (editor);
  g_assert_true (echoes_ken_burns_params_from_string (&params, motion, NULL));
  g_assert_cmpint (params.preset, ==, ECHOES_KEN_BURNS_PRESET_PAN_UP);
  g_assert_cmpfloat (params.zoom, ==, 1.5);

  /* The preset dropdown is wired to the motion. */
  for (child = gtk_widget_get_first_child (GTK_WIDGET (editor)); child != NULL && dropdown == NULL; )
    {
      if (GTK_IS_DROP_DOWN (child))
        dropdown = GTK_DROP_DOWN (child);
      else if (gtk_widget_get_first_child (child) != NULL)
        child = gtk_widget_get_first_child (child);
      else
        {
          while (child != NULL && gtk_widget_get_next_sibling (child) == NULL)
            child = gtk_widget_get_parent (child);
          child = child ? gtk_widget_get_next_sibling (child) : NULL;
        }
    }
  g_assert_nonnull (dropdown);
  g_assert_cmpuint (gtk_drop_down_get_selected (dropdown), ==, ECHOES_KEN_BURNS_PRESET_PAN_UP);

  gtk_drop_down_set_selected (dropdown, ECHOES_KEN_BURNS_PRESET_ZOOM_OUT);
  g_assert_nonnull (changed);
  g_assert_true (echoes_ken_burns_params_from_string (&params, changed, NULL));
  g_assert_cmpint (params.preset, ==, ECHOES_KEN_BURNS_PRESET_ZOOM_OUT);

  /* Switching to custom keeps the rectangles the previous preset showed: valid ones. */
  gtk_drop_down_set_selected (dropdown, ECHOES_KEN_BURNS_PRESET_CUSTOM);
  g_assert_true (echoes_ken_burns_params_from_string (&params, changed, NULL));
  g_assert_cmpint (params.preset, ==, ECHOES_KEN_BURNS_PRESET_CUSTOM);
  g_assert_cmpfloat (params.start.width, >, 0);
  g_assert_cmpfloat (params.start.x + params.start.width, <=, 1 + 1e-9);
  /* 9:16 rectangles on a 2:3 photo: width/height in photo pixels is 9/16. */
  g_assert_cmpfloat_with_epsilon (params.start.width * 400 / (params.start.height * 600),
                                  9.0 / 16.0, 1e-6);

  /* It draws in a window. */
  window = gtk_window_new ();
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (editor));
  gtk_window_present (GTK_WINDOW (window));
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  gtk_window_destroy (GTK_WINDOW (window));

  g_assert_finalize_object (editor);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();

  g_test_add_func ("/echoes/ui/motion-editor/basics", test_motion_editor);

  return g_test_run ();
}
