/* echoes-window-actions.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-window"

#include "config.h"

#include "echoes-window-private.h"

/* The window's actions as a whole: which are enabled, the keyboard shortcuts, and the
 * actions of no single feature. Each feature file installs its own actions. */

void
_echoes_window_update_actions (EchoesWindow *self)
{
  gboolean ready = self->context != NULL;
  gboolean has_project = self->project != NULL;
  guint n_clips = self->clips ? g_list_model_get_n_items (self->clips) : 0;
  gboolean importing = self->importer != NULL || self->creating_project;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-project", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.rename-project", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.delete-project", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.add-photos", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.paste", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sort-by-date", has_project && n_clips > 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-import", importing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.generate-all", has_project && n_clips > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.play", has_project && n_clips > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export",
                                 has_project && n_clips > 0 && !self->exporting);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-export", self->exporting);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.choose-music", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.fit-to-music", has_project && n_clips > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo", _echoes_window_can_undo (self));
  _echoes_window_sync_update_actions (self);
  /* Hidden rather than unrevealed: a hidden bar does not widen a narrow window. */
  gtk_widget_set_visible (GTK_WIDGET (self->bottom_bar), has_project);
}

static void
show_projects_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  _echoes_window_undo (ECHOES_WINDOW (widget));
}

static void
fullscreen_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  GtkWindow *window = GTK_WINDOW (widget);

  if (gtk_window_is_fullscreen (window))
    gtk_window_unfullscreen (window);
  else
    gtk_window_fullscreen (window);
}

void
_echoes_window_actions_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.show-projects", NULL, show_projects_action);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.fullscreen", NULL, fullscreen_action);

  /* Bubble phase: entries get these keys first. */
  /* The application binds Ctrl+N too (for its other windows); this one works without it. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-project", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "win.rename-project", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.add-photos", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK, "win.paste", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.move-clip-left", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Left, GDK_ALT_MASK, "win.move-clip-left", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "win.move-clip-right", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Right, GDK_ALT_MASK, "win.move-clip-right", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.delete-focused-clip", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "win.delete-focused-clip", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, GDK_CONTROL_MASK, "win.play", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_g, GDK_CONTROL_MASK, "win.generate-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "win.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "win.fullscreen", NULL);
}
