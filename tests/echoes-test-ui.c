/* echoes-test-ui.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-test-ui"

#include "config.h"

#include <string.h>

#include "echoes-test-ui.h"
#include "echoes-test-util.h"

typedef struct
{
  GdkFrameClock *clock;
  gint64         until;
} FrameWait;

static gboolean
frames_drawn (gpointer data)
{
  FrameWait *w = data;

  return gdk_frame_clock_get_frame_counter (w->clock) >= w->until;
}

/**
 * echoes_test_ui_wait_frames:
 *
 * Iterates the main context until @widget's window has drawn @n more frames: what
 * was queued (a layout, a new child, a popover) is then on screen.
 */
void
echoes_test_ui_wait_frames (GtkWidget *widget,
                            guint      n)
{
  FrameWait w;

  /* Not on screen: nothing will be drawn. */
  if (!gtk_widget_get_mapped (widget) || !(w.clock = gtk_widget_get_frame_clock (widget)))
    return;

  for (guint i = 0; i < n; i++)
    {
      w.until = gdk_frame_clock_get_frame_counter (w.clock) + 1;
      gtk_widget_queue_draw (widget);
      if (!echoes_test_wait_until (frames_drawn, &w, 30000))
        g_error ("No frame was drawn in 30 s");
    }
}

/**
 * echoes_test_ui_drain:
 *
 * Iterates the main context until nothing is left to dispatch right now: what an
 * action started on the main thread alone (no worker, no timer) has then happened.
 */
void
echoes_test_ui_drain (void)
{
  for (guint i = 0; i < 10000 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (g_main_context_pending (NULL));
}

static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root) &&
      strstr (gtk_label_get_label (GTK_LABEL (root)), text) != NULL)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

typedef struct
{
  GtkWidget  *root;
  const char *text;
} LabelWait;

static gboolean
label_shown (gpointer data)
{
  LabelWait *w = data;

  return find_label (w->root, w->text) != NULL;
}

/**
 * echoes_test_ui_wait_label:
 *
 * Iterates the main context until a label containing @text is on screen in @root
 * (a toast, a status page).
 */
void
echoes_test_ui_wait_label (GtkWidget  *root,
                           const char *text,
                           guint       timeout_ms)
{
  LabelWait w = { root, text };

  if (!echoes_test_wait_until (label_shown, &w, timeout_ms))
    g_error ("No label “%s” was shown", text);
}

/* Renders @widget in-process (no X tools) and saves it under G_TEST_BUILDDIR/artifacts. */
void
echoes_test_ui_save_screenshot (GtkWidget  *widget,
                                const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  const char *builddir = g_getenv ("G_TEST_BUILDDIR");
  int width = 0;
  int height = 0;

  /* What was queued (a layout, thumbnails just loaded) is drawn first. */
  echoes_test_ui_wait_frames (widget, 2);

  /* A widget that was not drawn yet has nothing to show: let a frame pass. */
  for (guint i = 0; node == NULL && i < 100; i++)
    {
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      if (!(node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot))))
        echoes_test_ui_wait_frames (widget, 1);
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  dir = g_build_filename (builddir ? builddir : ".", "artifacts", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s", path);
}

static void
context_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  EchoesContext **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = echoes_context_new_finish (result, &error);
  g_assert_no_error (error);
}

static gboolean
context_opened (gpointer data)
{
  return *(EchoesContext **)data != NULL;
}

/**
 * echoes_test_ui_open_context:
 *
 * Opens the context on the test's data dir the way the app does (asynchronously),
 * iterating the main context until it is ready.
 *
 * Returns: (transfer full): the context
 */
EchoesContext *
echoes_test_ui_open_context (guint timeout_ms)
{
  EchoesContext *context = NULL;

  echoes_context_new_async (NULL, NULL, context_ready_cb, &context);
  g_assert_true (echoes_test_wait_until (context_opened, &context, timeout_ms));
  return context;
}

static gboolean
widget_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* Iterates the main context until @widget is on screen. */
void
echoes_test_ui_wait_mapped (GtkWidget *widget,
                            guint      timeout_ms)
{
  g_assert_true (echoes_test_wait_until (widget_mapped, widget, timeout_ms));
}

/**
 * echoes_test_ui_show_window:
 *
 * Shows an app window of @width × @height on @context and waits until it is on screen.
 *
 * Returns: (transfer full): the window
 */
EchoesWindow *
echoes_test_ui_show_window (EchoesContext *context,
                            int            width,
                            int            height,
                            guint          timeout_ms)
{
  EchoesWindow *window = g_object_ref_sink (echoes_window_new (NULL));

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  echoes_window_set_context (window, context);
  gtk_window_present (GTK_WINDOW (window));
  echoes_test_ui_wait_mapped (GTK_WIDGET (window), timeout_ms);

  return window;
}

/**
 * echoes_test_ui_close_window:
 * @window: (transfer full): from echoes_test_ui_show_window()
 * @context: (transfer full): its context
 *
 * Closes @window, lets its pending work finish and checks nothing else holds it.
 */
void
echoes_test_ui_close_window (EchoesWindow  *window,
                             EchoesContext *context)
{
  gtk_window_destroy (GTK_WINDOW (window));
  echoes_test_drain (window);
  g_assert_finalize_object (window);
  echoes_test_drain (context);
  g_object_unref (context);
}
