/* echoes-window.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-window"

#include "config.h"

#include "echoes-window.h"
#include "echoes-window-private.h"
#include "echoes-ui-util.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "echoes-account-menu.h"
#include "echoes-sync-badge.h"
#include "echoes-clip-card.h"
#include "echoes-credits-button.h"
#include "echoes-paths.h"
#include "echoes-store.h"
#include "echoes-util.h"

/**
 * EchoesWindow:
 *
 * The main window: the project list in a sidebar, the timeline of the selected project
 * beside it (an #AdwLeaflet folds them on narrow screens).
 *
 * Every change goes through #EchoesLibrary (which writes the store on its worker thread)
 * or #EchoesImporter; the window only binds to the library's live models.
 *
 * The features live in echoes-window-*.c (see echoes-window-private.h); this file holds
 * the class, its template, init, dispose, the public API and the helpers they share.
 */

/* How long after the library opens its clips still count as the first content. */
#define FIRST_CONTENT_MS 1000
/* The `crossfade` settings key's maximum, in milliseconds. */
#define MAX_CROSSFADE_MS 5000

G_DEFINE_FINAL_TYPE (EchoesWindow, echoes_window, ADW_TYPE_APPLICATION_WINDOW)

/* The crossfade between clips: the `crossfade` settings key, shared by the film preview,
 * "Fit Clips to Music" and the export, so that they lay the film out alike and the choice
 * survives a restart. Without an installed schema it only lives in export_options. */
static GstClockTime
get_crossfade (EchoesWindow *self)
{
  if (self->settings != NULL)
    return (GstClockTime) g_settings_get_uint (self->settings, "crossfade") * GST_MSECOND;

  return self->export_options.crossfade;
}

void
_echoes_window_set_crossfade (EchoesWindow *self,
                              GstClockTime  crossfade)
{
  crossfade = MIN (crossfade, (GstClockTime) MAX_CROSSFADE_MS * GST_MSECOND);
  self->export_options.crossfade = crossfade;
  if (self->settings != NULL)
    g_settings_set_uint (self->settings, "crossfade", (guint) (crossfade / GST_MSECOND));
}

/* Shared by the features */

EchoesLibrary *
_echoes_window_get_library (EchoesWindow *self)
{
  return self->context ? echoes_context_get_library (self->context) : NULL;
}

const char *
_echoes_window_get_project_id (EchoesWindow *self)
{
  return self->project ? echoes_project_get_id (self->project) : NULL;
}

/* Titles of toasts are markup in libadwaita 1.2. */
AdwToast *
_echoes_window_toast_new_escaped (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  return adw_toast_new (escaped);
}

/* The toast's own Undo button did the undo: Ctrl+Z must not do it again. */
static void
undo_toast_button_clicked_cb (EchoesWindow *self,
                              AdwToast     *toast)
{
  if (toast != self->undo_toast)
    return;

  g_clear_pointer (&self->undo_action, g_free);
  g_clear_pointer (&self->undo_target, g_variant_unref);
  _echoes_window_update_actions (self);
}

void
_echoes_window_show_undo_toast (EchoesWindow *self,
                                const char   *title,
                                const char   *action_name,
                                GVariant     *target)
{
  AdwToast *toast = _echoes_window_toast_new_escaped (title);

  g_variant_ref_sink (target);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, action_name);
  adw_toast_set_action_target_value (toast, target);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);

  g_free (self->undo_action);
  self->undo_action = g_strdup (action_name);
  g_clear_pointer (&self->undo_target, g_variant_unref);
  self->undo_target = target;

  if (self->undo_toast != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->undo_toast), (gpointer *)&self->undo_toast);
  self->undo_toast = toast;
  g_object_add_weak_pointer (G_OBJECT (toast), (gpointer *)&self->undo_toast);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (undo_toast_button_clicked_cb),
                           self, G_CONNECT_SWAPPED);

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  _echoes_window_update_actions (self);
}

/* A hint that stops being true once a clip is approved: it goes then, not when its
 * time is up. */
void
_echoes_window_show_approve_hint (EchoesWindow *self,
                                  const char   *text)
{
  AdwToast *toast = adw_toast_new (text);

  _echoes_window_hide_approve_hint (self);
  self->approve_hint = toast;
  g_object_add_weak_pointer (G_OBJECT (toast), (gpointer *)&self->approve_hint);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
_echoes_window_hide_approve_hint (EchoesWindow *self)
{
  AdwToast *toast = self->approve_hint;

  if (toast == NULL)
    return;

  g_object_remove_weak_pointer (G_OBJECT (toast), (gpointer *)&self->approve_hint);
  self->approve_hint = NULL;
  adw_toast_dismiss (toast);
}

const char *
_echoes_window_describe_error (const GError *error)
{
  if (g_error_matches (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_FULL) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
    return _("The disk is full. Free some space and try again.");
  if (g_error_matches (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_TOO_NEW))
    return _("The library was saved by a newer version of Echoes. Update Echoes to open it.");
  if (g_error_matches (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_CORRUPT))
    return _("The library file is damaged. Restore it from a backup, or move it away to start an empty library.");
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    return _("Echoes is not allowed to write its library. Check the permissions of its folder.");
  return NULL;
}

static void
library_error_cb (EchoesWindow  *self,
                  const GError  *error,
                  EchoesLibrary *library)
{
  const char *text = _echoes_window_describe_error (error);
  g_autofree char *message = NULL;

  if (text == NULL)
    text = message = g_strdup_printf (_("The change could not be saved: %s"), error->message);

  adw_toast_overlay_add_toast (self->toast_overlay, _echoes_window_toast_new_escaped (text));
}

/* Shows why a change of the library failed. */
void
_echoes_window_show_library_error (EchoesWindow *self,
                                   const GError *error)
{
  library_error_cb (self, error, _echoes_window_get_library (self));
}

void
_echoes_window_send_notification (EchoesWindow *self,
                                  const char   *id,
                                  const char   *title,
                                  const char   *body)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  g_autoptr(GNotification) notification = NULL;

  /* Only when the user looks elsewhere; the window shows it in place otherwise. */
  if (app == NULL || gtk_window_is_active (GTK_WINDOW (self)))
    return;

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_application_send_notification (G_APPLICATION (app), id, notification);
}

static gpointer
load_film_func (EchoesStore   *store,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  return echoes_film_load (store, data, error);
}

/* Reads the film of @project_id (its approved clips, music and lengths) off the main
 * thread; finish with echoes_store_run_finish() on the store. */
void
_echoes_window_load_film_async (EchoesWindow        *self,
                                const char          *project_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  echoes_store_run_async (echoes_context_get_store (self->context), load_film_func,
                          g_strdup (project_id), g_free,
                          (GDestroyNotify)echoes_film_free, cancellable,
                          callback, user_data);
}

void
_echoes_window_update_content_page (EchoesWindow *self)
{
  const char *page;

  if (self->context == NULL)
    return;

  if (self->project == NULL)
    page = "no-project";
  else if (self->clips == NULL || g_list_model_get_n_items (self->clips) == 0)
    page = "empty";
  else
    page = "timeline";

  /* The library's first clips come a moment after its first pages (no project yet, an
   * empty one while its clips are read): show them at once rather than fade them in. */
  if (g_str_equal (page, "timeline") &&
      g_get_monotonic_time () - self->opened_at < FIRST_CONTENT_MS * 1000)
    gtk_stack_set_visible_child_full (self->content_stack, page, GTK_STACK_TRANSITION_TYPE_NONE);
  else
    gtk_stack_set_visible_child_name (self->content_stack, page);
  _echoes_window_update_actions (self);
}

/* Window */

static gboolean
echoes_window_close_request (GtkWindow *window)
{
  EchoesWindow *self = ECHOES_WINDOW (window);
  int width, height;

  if (self->settings != NULL)
    {
      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
    }

  return GTK_WINDOW_CLASS (echoes_window_parent_class)->close_request (window);
}

static void
echoes_window_dispose (GObject *object)
{
  EchoesWindow *self = (EchoesWindow *)object;

  g_cancellable_cancel (self->cancellable);
  _echoes_window_import_dispose (self);
  _echoes_window_clips_dispose (self);
  _echoes_window_music_dispose (self);
  _echoes_window_export_dispose (self);
  _echoes_window_sync_dispose (self);

  if (self->context != NULL)
    {
      g_signal_handlers_disconnect_by_data (echoes_context_get_library (self->context), self);
      g_signal_handlers_disconnect_by_data (echoes_context_get_queue (self->context), self);
    }

  _echoes_window_projects_dispose (self);

  gtk_widget_dispose_template (GTK_WIDGET (self), ECHOES_TYPE_WINDOW);

  g_clear_object (&self->project_selection);
  g_clear_object (&self->filtered_projects);
  g_clear_object (&self->project_filter);
  g_clear_object (&self->clip_selection);
  g_clear_object (&self->clips);
  g_clear_object (&self->project);
  g_clear_object (&self->importer);

  if (self->approve_hint != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->approve_hint), (gpointer *)&self->approve_hint);
      self->approve_hint = NULL;
    }
  if (self->undo_toast != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->undo_toast), (gpointer *)&self->undo_toast);
      self->undo_toast = NULL;
    }

  G_OBJECT_CLASS (echoes_window_parent_class)->dispose (object);
}

static void
echoes_window_finalize (GObject *object)
{
  EchoesWindow *self = (EchoesWindow *)object;

  g_clear_object (&self->context);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->import_cancellable);
  g_clear_object (&self->exporter);
  g_clear_object (&self->export_cancellable);
  g_clear_object (&self->export_file);
  g_clear_pointer (&self->export_project_id, g_free);
  g_clear_pointer (&self->play_start_id, g_free);
  g_clear_object (&self->project_signals);
  g_clear_object (&self->clips_signals);
  g_clear_object (&self->failure_list);
  g_clear_pointer (&self->failures, g_ptr_array_unref);
  g_clear_pointer (&self->pending_files, g_ptr_array_unref);
  g_clear_pointer (&self->wanted_project_id, g_free);
  g_clear_pointer (&self->refocus_clip_id, g_free);
  g_clear_pointer (&self->undo_action, g_free);
  g_clear_pointer (&self->undo_target, g_variant_unref);

  G_OBJECT_CLASS (echoes_window_parent_class)->finalize (object);
}

static void
echoes_window_class_init (EchoesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = echoes_window_dispose;
  object_class->finalize = echoes_window_finalize;
  window_class->close_request = echoes_window_close_request;

  g_type_ensure (ECHOES_TYPE_CREDITS_BUTTON);
  g_type_ensure (ECHOES_TYPE_PROJECT);
  g_type_ensure (ECHOES_TYPE_CLIP_CARD);
  g_type_ensure (ECHOES_TYPE_SYNC_BADGE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/echoes-window.ui");
  gtk_widget_class_bind_template_child_full (widget_class, "credits_button", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, bottom_bar);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, clip_grid);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, content);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, export_label);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, export_progress);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, export_revealer);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, generation_label);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, generation_progress);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, generation_revealer);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, import_label);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, import_progress);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, import_revealer);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, music_button);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, music_label);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, primary_menu);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, project_list);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, ratio_dropdown);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, provider_dropdown);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, sync_box);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, sync_icon);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, sync_label);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, sync_spinner);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, volume_adjustment);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, volume_button);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, window_title);

  _echoes_window_actions_class_init (widget_class);
  _echoes_window_projects_class_init (widget_class);
  _echoes_window_clips_class_init (widget_class);
  _echoes_window_import_class_init (widget_class);
  _echoes_window_generation_class_init (widget_class);
  _echoes_window_export_class_init (widget_class);
  _echoes_window_music_class_init (widget_class);
  _echoes_window_sync_class_init (widget_class);
}

static void
echoes_window_init (EchoesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  echoes_ui_fix_button_names (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  /* Without an installed schema (running from the build tree) the window still works. */
  if ((self->settings = echoes_settings_new (NULL)) != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }
  else
    {
      g_warning ("The settings schema %s is not installed; settings are not kept", BASE_ID);
      gtk_window_set_default_size (GTK_WINDOW (self), 1000, 700);
    }

  _echoes_window_projects_init (self);
  _echoes_window_clips_init (self);
  _echoes_window_import_init (self);
  _echoes_window_music_init (self);
  _echoes_window_export_init (self);
  _echoes_window_sync_init (self);

  echoes_window_show_loading (self);
}

/**
 * echoes_window_new:
 * @application: (nullable): the application
 *
 * Returns: (transfer full): a new window showing "Opening Library…" until
 *   echoes_window_set_context() or echoes_window_show_error()
 */
EchoesWindow *
echoes_window_new (GtkApplication *application)
{
  g_return_val_if_fail (!application || GTK_IS_APPLICATION (application), NULL);

  return g_object_new (ECHOES_TYPE_WINDOW, "application", application, NULL);
}

/**
 * echoes_window_get_context:
 *
 * Returns: (transfer none) (nullable): the context, once the library is open
 */
EchoesContext *
echoes_window_get_context (EchoesWindow *self)
{
  g_return_val_if_fail (ECHOES_IS_WINDOW (self), NULL);
  return self->context;
}

/**
 * echoes_window_set_context:
 * @context: the opened context
 *
 * Shows the library of @context: its projects, then the last project opened. Files
 * given to echoes_window_import_files() before are imported now.
 */
void
echoes_window_set_context (EchoesWindow  *self,
                           EchoesContext *context)
{
  g_return_if_fail (ECHOES_IS_WINDOW (self));
  g_return_if_fail (ECHOES_IS_CONTEXT (context));

  if (self->context != NULL)
    return;

  self->context = g_object_ref (context);
  self->opened_at = g_get_monotonic_time ();
  echoes_account_menu_attach (self, self->primary_menu, context);
  echoes_credits_button_set_context (ECHOES_CREDITS_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (self), ECHOES_TYPE_WINDOW, "credits_button")), context);
  g_signal_connect_object (echoes_context_get_library (context), "error",
                           G_CALLBACK (library_error_cb), self, G_CONNECT_SWAPPED);
  _echoes_window_generation_set_context (self);

  gtk_spinner_stop (self->loading_spinner);

  _echoes_window_projects_set_context (self);
  _echoes_window_update_content_page (self);
  _echoes_window_import_set_context (self);
  _echoes_window_sync_set_context (self);
}

/**
 * echoes_window_show_loading:
 *
 * Shows a spinner while the library opens.
 */
void
echoes_window_show_loading (EchoesWindow *self)
{
  g_return_if_fail (ECHOES_IS_WINDOW (self));

  gtk_spinner_start (self->loading_spinner);
  gtk_stack_set_visible_child_name (self->content_stack, "loading");
  gtk_stack_set_visible_child_name (self->sidebar_stack, "no-projects");
  _echoes_window_update_actions (self);
}

/**
 * echoes_window_show_error:
 * @error: why the library could not be opened
 *
 * Shows a page saying why the library cannot be opened, with a Try Again button
 * (`app.reload-library`).
 */
void
echoes_window_show_error (EchoesWindow *self,
                          const GError *error)
{
  g_autofree char *message = NULL;
  const char *text;

  g_return_if_fail (ECHOES_IS_WINDOW (self));
  g_return_if_fail (error != NULL);

  if ((text = _echoes_window_describe_error (error)) == NULL)
    text = message = g_strdup_printf (_("Echoes could not open its library: %s"), error->message);
  else if (g_error_matches (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_CORRUPT) ||
           g_error_matches (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_TOO_NEW))
    {
      g_autofree char *path = echoes_paths_dup_database ();

      /* Translators: the first %s is a sentence, the second the path of the library file */
      text = message = g_strdup_printf (_("%s\n\nLibrary file: %s"), text, path);
    }

  gtk_spinner_stop (self->loading_spinner);
  adw_status_page_set_description (self->error_page, text);
  gtk_stack_set_visible_child_name (self->content_stack, "error");
  adw_leaflet_set_visible_child (self->leaflet, self->content);
  _echoes_window_update_actions (self);
}

/**
 * echoes_window_get_project_id:
 *
 * Returns: (nullable): the id of the project shown
 */
const char *
echoes_window_get_project_id (EchoesWindow *self)
{
  g_return_val_if_fail (ECHOES_IS_WINDOW (self), NULL);
  return _echoes_window_get_project_id (self);
}

/**
 * echoes_window_select_project:
 * @project_id: a project id
 *
 * Shows that project, now or as soon as the library has loaded it.
 */
void
echoes_window_select_project (EchoesWindow *self,
                              const char   *project_id)
{
  EchoesProject *project;

  g_return_if_fail (ECHOES_IS_WINDOW (self));
  g_return_if_fail (project_id != NULL);

  if (_echoes_window_get_library (self) != NULL &&
      (project = echoes_library_find_project (_echoes_window_get_library (self), project_id)) != NULL)
    {
      g_clear_pointer (&self->wanted_project_id, g_free);
      _echoes_window_set_project (self, project);
      return;
    }

  g_free (self->wanted_project_id);
  self->wanted_project_id = g_strdup (project_id);
}

static void
project_created_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(EchoesWindow) self = user_data;
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(GError) error = NULL;

  if (!(project = echoes_library_create_project_finish (ECHOES_LIBRARY (object), result, &error)))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        library_error_cb (self, error, ECHOES_LIBRARY (object));
      return;
    }

  echoes_window_select_project (self, echoes_project_get_id (project));
  adw_leaflet_set_visible_child (self->leaflet, self->content);
}

/**
 * echoes_window_create_project:
 * @title: (nullable): the title; %NULL makes "Untitled Project N"
 *
 * Creates a project and shows it.
 */
void
echoes_window_create_project (EchoesWindow *self,
                              const char   *title)
{
  g_autofree char *untitled = NULL;

  g_return_if_fail (ECHOES_IS_WINDOW (self));
  g_return_if_fail (self->context != NULL);

  if (title == NULL)
    title = untitled = _echoes_window_make_untitled_title (self);

  echoes_library_create_project_async (_echoes_window_get_library (self), title, self->cancellable,
                                       project_created_cb, g_object_ref (self));
}

/**
 * echoes_window_import_files:
 * @files: (element-type GFile): photos to add
 *
 * Imports @files into the project shown, or into a new one when none is. This is
 * what drops, paste, the file chooser and the command line all call. The import
 * runs in the background with progress and Cancel in the window; refused files are
 * reported in one toast with their reasons.
 */
void
echoes_window_import_files (EchoesWindow *self,
                            GPtrArray    *files)
{
  g_return_if_fail (ECHOES_IS_WINDOW (self));
  g_return_if_fail (files != NULL);

  _echoes_window_queue_import (self, files, NULL);
}

/**
 * echoes_window_get_importing:
 *
 * Returns: whether an import is running or queued
 */
gboolean
echoes_window_get_importing (EchoesWindow *self)
{
  g_return_val_if_fail (ECHOES_IS_WINDOW (self), FALSE);

  return self->importer != NULL || self->creating_project ||
         !g_queue_is_empty (&self->import_queue) || self->pending_files->len > 0;
}

/**
 * echoes_window_add_toast:
 * @toast: (transfer full): a toast
 *
 * Shows @toast over the timeline.
 */
void
echoes_window_add_toast (EchoesWindow *self,
                         AdwToast     *toast)
{
  g_return_if_fail (ECHOES_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/**
 * echoes_window_export_to:
 * @file: where to write the film
 * @options: format, size, crossfade and whether to replace @file
 *
 * Exports the shown project's film to @file (what the Export dialog does after the
 * file chooser), showing the progress in place; on success the project is completed.
 * The crossfade is kept in the `crossfade` setting, which the film preview and "Fit
 * Clips to Music" use too (at most 5 s, to the millisecond).
 */
void
echoes_window_export_to (EchoesWindow              *self,
                         GFile                     *file,
                         const EchoesExportOptions *options)
{
  g_return_if_fail (ECHOES_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (options != NULL);

  _echoes_window_export_to (self, file, options);
}

/**
 * echoes_window_get_exporting:
 *
 * Returns: whether an export runs
 */
gboolean
echoes_window_get_exporting (EchoesWindow *self)
{
  g_return_val_if_fail (ECHOES_IS_WINDOW (self), FALSE);
  return self->exporting;
}

/* For tests */

GtkWidget *
_echoes_window_get_clip_grid (EchoesWindow *self)
{
  return GTK_WIDGET (self->clip_grid);
}

GtkWidget *
_echoes_window_get_leaflet (EchoesWindow *self)
{
  return GTK_WIDGET (self->leaflet);
}

GtkWidget *
_echoes_window_get_sidebar (EchoesWindow *self)
{
  return self->sidebar;
}

GtkWidget *
_echoes_window_get_content (EchoesWindow *self)
{
  return self->content;
}

const char *
_echoes_window_get_page (EchoesWindow *self)
{
  return gtk_stack_get_visible_child_name (self->content_stack);
}

/* Whether there is something for Undo (Ctrl+Z) to undo. */
gboolean
_echoes_window_can_undo (EchoesWindow *self)
{
  return self->undo_action != NULL;
}

/* Does what the Undo button of the last toast does (also Ctrl+Z, even once the toast is
 * gone). */
gboolean
_echoes_window_undo (EchoesWindow *self)
{
  g_autofree char *action = g_steal_pointer (&self->undo_action);
  g_autoptr(GVariant) target = g_steal_pointer (&self->undo_target);

  if (action == NULL)
    return FALSE;

  _echoes_window_update_actions (self);
  if (self->undo_toast != NULL)
    adw_toast_dismiss (self->undo_toast);

  return gtk_widget_activate_action_variant (GTK_WIDGET (self), action, target);
}

guint
_echoes_window_get_n_failures (EchoesWindow *self)
{
  return g_list_model_get_n_items (G_LIST_MODEL (self->failure_list));
}

guint
_echoes_window_get_n_shown_projects (EchoesWindow *self)
{
  return g_list_model_get_n_items (G_LIST_MODEL (self->filtered_projects));
}

/* The crossfade the film preview and the export use (the `crossfade` setting). */
GstClockTime
_echoes_window_get_crossfade (EchoesWindow *self)
{
  g_return_val_if_fail (ECHOES_IS_WINDOW (self), 0);
  return get_crossfade (self);
}

EchoesDropTarget *
_echoes_window_get_drop_target (EchoesWindow *self)
{
  return self->drop_target;
}
