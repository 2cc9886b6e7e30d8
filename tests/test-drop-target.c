/* test-drop-target.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-drop-target"

#include "config.h"

#include <adwaita.h>

#include "echoes-drop-target.h"
#include "echoes-test-util.h"

/* Xvfb cannot drive a real drag from another application: these tests call what GTK's
 * drop handling calls, on the drop target's own controller. */

static GtkEventController *
find_controller (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  GtkEventController *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET_ASYNC (controller))
        {
          g_assert_null (found);
          found = controller;
        }
    }

  return found;
}

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          guint      *count)
{
  (*count)++;
}

static void
test_drop_target_active (void)
{
  EchoesDropTarget *target = echoes_drop_target_new ();
  GtkWidget *widget = g_object_ref_sink (gtk_label_new ("Drop here"));
  GtkEventController *controller;
  GdkDragAction action = 0;
  guint notified = 0;

  g_assert_false (echoes_drop_target_get_active (target));
  g_assert_true (echoes_drop_target_get_enabled (target));
  g_assert_null (find_controller (widget));

  echoes_drop_target_attach (target, widget);
  controller = find_controller (widget);
  g_assert_nonnull (controller);
  g_signal_connect (target, "notify::active", G_CALLBACK (count_cb), &notified);

  /* A drag enters: active, and the drop would copy. */
  g_signal_emit_by_name (controller, "drag-enter", NULL, 10.0, 10.0, &action);
  g_assert_cmpint (action, ==, GDK_ACTION_COPY);
  g_assert_true (echoes_drop_target_get_active (target));
  g_assert_cmpuint (notified, ==, 1);

  /* Moving over the widget keeps it so, without notifying again. */
  action = 0;
  g_signal_emit_by_name (controller, "drag-motion", NULL, 20.0, 20.0, &action);
  g_assert_cmpint (action, ==, GDK_ACTION_COPY);
  g_assert_true (echoes_drop_target_get_active (target));
  g_assert_cmpuint (notified, ==, 1);

  /* The drag leaves. */
  g_signal_emit_by_name (controller, "drag-leave", NULL);
  g_assert_false (echoes_drop_target_get_active (target));
  g_assert_cmpuint (notified, ==, 2);

  /* Disabled (before the library is open): still a property of its own. */
  echoes_drop_target_set_enabled (target, FALSE);
  g_assert_false (echoes_drop_target_get_enabled (target));
  g_assert_false (echoes_drop_target_get_active (target));

  /* The widget holds the controller, not the drop target: both go. */
  g_assert_finalize_object (target);
  g_assert_finalize_object (widget);
}

static void
files_cb (EchoesDropTarget  *target,
          GPtrArray         *files,
          GPtrArray        **out)
{
  g_assert_null (*out);
  *out = g_ptr_array_ref (files);
}

static void
texture_cb (EchoesDropTarget  *target,
            GdkTexture        *texture,
            GdkTexture       **out)
{
  g_assert_null (*out);
  *out = g_object_ref (texture);
}

static void
test_drop_target_drop (void)
{
  EchoesDropTarget *target = echoes_drop_target_new ();
  g_autoptr(GFile) photo = g_file_new_for_path ("/tmp/photos/beach.jpg");
  g_autoptr(GFile) remote = g_file_new_for_uri ("https://example.com/harbour.jpg");
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 4, 3);
  GdkTexture *texture;
  GPtrArray *dropped_files = NULL;
  GdkTexture *dropped_texture = NULL;
  GSList list = { photo, NULL };
  GSList second = { remote, NULL };
  g_auto(GValue) value = G_VALUE_INIT;

  g_signal_connect (target, "drop-files", G_CALLBACK (files_cb), &dropped_files);
  g_signal_connect (target, "drop-texture", G_CALLBACK (texture_cb), &dropped_texture);

  /* Files: every one, in order, remote ones too (the importer says why it refuses them). */
  list.next = &second;
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, &list);
  echoes_drop_target_drop_value (target, &value);
  g_assert_nonnull (dropped_files);
  g_assert_cmpuint (dropped_files->len, ==, 2);
  g_assert_true (g_file_equal (g_ptr_array_index (dropped_files, 0), photo));
  g_assert_true (g_file_equal (g_ptr_array_index (dropped_files, 1), remote));
  g_assert_null (dropped_texture);
  g_value_unset (&value);

  /* An image without a file */
  gdk_pixbuf_fill (pixbuf, 0x3584e4ff);
  texture = gdk_texture_new_for_pixbuf (pixbuf);
  g_value_init (&value, GDK_TYPE_TEXTURE);
  g_value_set_object (&value, texture);
  echoes_drop_target_drop_value (target, &value);
  g_assert_true (dropped_texture == texture);
  g_assert_cmpuint (dropped_files->len, ==, 2);
  g_value_unset (&value);

  g_assert_finalize_object (target);
  g_ptr_array_unref (dropped_files);
  g_object_unref (dropped_texture);
  g_assert_finalize_object (texture);
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);
  gtk_init ();

  g_test_add_func ("/echoes/ui/drop-target/active", test_drop_target_active);
  g_test_add_func ("/echoes/ui/drop-target/drop", test_drop_target_drop);

  return g_test_run ();
}
