/* echoes-window-export.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-window"

#include "config.h"

#include <glib/gi18n.h>

#include "echoes-window-private.h"
#include "echoes-ui-util.h"

/* Export: the Export dialog and file chooser, the export's progress under the timeline,
 * and Show in Files once the film is written. */


/* What the Export dialog's "Crossfade Between Clips" switch turns on. */
#define DEFAULT_CROSSFADE (GST_SECOND / 2)

static void
set_exporting (EchoesWindow *self,
               gboolean      exporting)
{
  self->exporting = exporting;
  gtk_revealer_set_reveal_child (self->export_revealer, exporting);
  _echoes_window_update_actions (self);
}

static void
export_progress_cb (EchoesWindow   *self,
                    double          fraction,
                    gint64          remaining,
                    EchoesExporter *exporter)
{
  g_autofree char *label = NULL;
  guint seconds;

  gtk_progress_bar_set_fraction (self->export_progress, CLAMP (fraction, 0.0, 1.0));

  if (remaining < 0)
    {
      gtk_label_set_label (self->export_label, _("Exporting…"));
      return;
    }

  seconds = (guint)((remaining + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
  if (seconds < 60)
    label = g_strdup_printf (ngettext ("Exporting… about %u second left",
                                       "Exporting… about %u seconds left", seconds), seconds);
  else
    label = g_strdup_printf (ngettext ("Exporting… about %u minute left",
                                       "Exporting… about %u minutes left", (seconds + 59) / 60),
                             (seconds + 59) / 60);
  gtk_label_set_label (self->export_label, label);
}

static void
mark_project_completed (EchoesWindow *self,
                        const char   *project_id)
{
  GListModel *projects = echoes_library_get_projects (_echoes_window_get_library (self));
  guint n = g_list_model_get_n_items (projects);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(EchoesProject) project = g_list_model_get_item (projects, i);
      g_autoptr(EchoesProject) copy = NULL;

      if (g_strcmp0 (echoes_project_get_id (project), project_id) != 0)
        continue;

      if (echoes_project_get_status (project) != ECHOES_PROJECT_STATUS_COMPLETED)
        {
          copy = echoes_project_copy (project);
          echoes_project_set_status (copy, ECHOES_PROJECT_STATUS_COMPLETED);
          echoes_library_update_project (_echoes_window_get_library (self), copy);
        }
      return;
    }
}

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EchoesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  g_autofree char *uri = NULL;
  AdwToast *toast;

  echoes_exporter_run_finish (ECHOES_EXPORTER (object), result, &error);
  g_signal_handlers_disconnect_by_data (object, self);
  g_clear_object (&self->exporter);
  set_exporting (self, FALSE);

  if (gtk_widget_in_destruction (GTK_WIDGET (self)) || self->context == NULL)
    return;

  name = g_file_get_basename (self->export_file);

  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        text = g_strdup (_("Export cancelled"));
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        text = g_strdup_printf (_("“%s” already exists"), name);
      else
        text = g_strdup_printf (_("Could not export the film: %s"), error->message);
      adw_toast_overlay_add_toast (self->toast_overlay, _echoes_window_toast_new_escaped (text));
      return;
    }

  mark_project_completed (self, self->export_project_id);

  uri = g_file_get_uri (self->export_file);
  toast = adw_toast_new (_("Exported"));
  adw_toast_set_button_label (toast, _("Show in _Files"));
  adw_toast_set_action_name (toast, "win.show-in-files");
  adw_toast_set_action_target_value (toast, g_variant_new_string (uri));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);

  /* Translators: the body of the notification of a finished export; %s is a file name */
  text = g_strdup_printf (_("“%s” is ready"), name);
  _echoes_window_send_notification (self, "export", _("Film Exported"), text);
}

static void
export_film_loaded_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(EchoesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesFilm) film = NULL;
  g_autofree char *path = NULL;

  film = echoes_store_run_finish (ECHOES_STORE (object), result, &error);
  if (film == NULL || g_cancellable_is_cancelled (self->export_cancellable))
    {
      set_exporting (self, FALSE);
      if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (g_error_matches (error, ECHOES_EXPORT_ERROR, ECHOES_EXPORT_ERROR_NO_CLIPS))
        _echoes_window_show_approve_hint (self, _("Approve some ready clips to export the film"));
      else
        adw_toast_overlay_add_toast (self->toast_overlay, _echoes_window_toast_new_escaped (error->message));
      return;
    }

  self->exporter = echoes_exporter_new ();
  echoes_film_apply (film, self->exporter);
  echoes_exporter_set_format (self->exporter, self->export_options.format);
  echoes_exporter_set_height (self->exporter,
                              echoes_resolution_get_lines (self->export_options.resolution));
  echoes_exporter_set_crossfade (self->exporter, self->export_options.crossfade);
  echoes_exporter_set_flags (self->exporter, self->export_options.flags);
  g_signal_connect_object (self->exporter, "progress", G_CALLBACK (export_progress_cb), self,
                           G_CONNECT_SWAPPED);

  path = g_file_get_path (self->export_file);
  echoes_exporter_run_async (self->exporter, path, self->export_cancellable, export_done_cb,
                             g_object_ref (self));
}

static void
cancel_export_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);

  g_cancellable_cancel (self->export_cancellable);
}

static void
export_file_checked_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(EchoesWindow) self = user_data;
  g_autoptr(GFileInfo) info = NULL;
  EchoesExportOptions options = self->export_options;

  /* The file chooser already asked whether to replace an existing file. */
  info = g_file_query_info_finish (G_FILE (object), result, NULL);
  options.flags = info != NULL ? ECHOES_EXPORT_FLAGS_OVERWRITE : ECHOES_EXPORT_FLAGS_NONE;
  _echoes_window_export_to (self, G_FILE (object), &options);
}

static void
export_chooser_response_cb (EchoesWindow         *self,
                            int                   response,
                            GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (chooser));
  g_clear_object (&self->export_chooser);

  if (file != NULL)
    g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                             G_PRIORITY_DEFAULT, self->cancellable, export_file_checked_cb,
                             g_object_ref (self));
}

static void
export_dialog_response_cb (AdwMessageDialog *dialog,
                           const char       *response,
                           EchoesWindow     *self)
{
  g_autofree char *name = NULL;
  const char *title;
  AdwComboRow *format_row = g_object_get_data (G_OBJECT (dialog), "format-row");
  AdwComboRow *size_row = g_object_get_data (G_OBJECT (dialog), "size-row");
  GtkSwitch *crossfade = g_object_get_data (G_OBJECT (dialog), "crossfade-switch");
  gboolean webm;

  if (!g_str_equal (response, "export") || self->project == NULL || self->exporting)
    return;

  webm = adw_combo_row_get_selected (format_row) == 1;
  self->export_options.format = webm ? ECHOES_EXPORT_FORMAT_WEBM : ECHOES_EXPORT_FORMAT_MP4;
  /* The rows list the resolutions in #EchoesResolution order. */
  self->export_options.resolution = (EchoesResolution) adw_combo_row_get_selected (size_row);
  /* Written here rather than bound to the switch: Cancel leaves the choice as it was.
   * A longer crossfade set in the settings is kept while the switch stays on. */
  if (!gtk_switch_get_active (crossfade))
    _echoes_window_set_crossfade (self, 0);
  else if (_echoes_window_get_crossfade (self) == 0)
    _echoes_window_set_crossfade (self, DEFAULT_CROSSFADE);
  self->export_options.crossfade = _echoes_window_get_crossfade (self);
  self->export_options.flags = ECHOES_EXPORT_FLAGS_NONE;

  if (self->export_chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->export_chooser));
      g_clear_object (&self->export_chooser);
    }

  title = echoes_project_get_title (self->project);
  name = g_strconcat (title != NULL && *title != '\0' ? title : _("Film"), webm ? ".webm" : ".mp4", NULL);
  g_strdelimit (name, "/", '-');

  self->export_chooser = gtk_file_chooser_native_new (_("Export Film"), GTK_WINDOW (self),
                                                      GTK_FILE_CHOOSER_ACTION_SAVE,
                                                      _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->export_chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->export_chooser), name);
  if (self->settings != NULL)
    {
      g_autofree char *folder = g_settings_get_string (self->settings, "export-folder");

      /* Empty: the chooser's own choice (the last folder used, or Videos). */
      if (folder[0] != '\0' && g_file_test (folder, G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GFile) dir = g_file_new_for_path (folder);

          gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->export_chooser), dir, NULL);
        }
    }
  g_signal_connect_object (self->export_chooser, "response",
                           G_CALLBACK (export_chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->export_chooser));
}

static GtkWidget *
combo_row_new (const char  *title,
               const char **items,
               guint        selected)
{
  AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());
  g_autoptr(GtkStringList) model = gtk_string_list_new (items);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (row, G_LIST_MODEL (model));
  adw_combo_row_set_selected (row, selected);
  return GTK_WIDGET (row);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  const char *formats[] = { _("MP4 (H.264)"), _("WebM (VP9)"), NULL };
  const char *sizes[] = { _("720p"), _("1080p"), NULL };
  GtkWidget *dialog;
  GtkWidget *group;
  GtkWidget *format_row;
  GtkWidget *size_row;
  GtkWidget *crossfade_row;
  GtkWidget *crossfade;

  if (self->project == NULL || self->exporting)
    return;

  group = adw_preferences_group_new ();
  format_row = combo_row_new (_("Format"), formats,
                              self->export_options.format == ECHOES_EXPORT_FORMAT_WEBM ? 1 : 0);
  size_row = combo_row_new (_("Resolution"), sizes, self->export_options.resolution);
  crossfade = gtk_switch_new ();
  gtk_switch_set_active (GTK_SWITCH (crossfade), _echoes_window_get_crossfade (self) > 0);
  gtk_widget_set_valign (crossfade, GTK_ALIGN_CENTER);
  crossfade_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (crossfade_row), _("Crossfade Between Clips"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (crossfade_row), crossfade);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (crossfade_row), crossfade);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), format_row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), size_row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), crossfade_row);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Export Film"),
                                   _("The approved clips, in order, with the music"));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), group);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "export", _("_Export…"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "export",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "export");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "format-row", format_row);
  g_object_set_data (G_OBJECT (dialog), "size-row", size_row);
  g_object_set_data (G_OBJECT (dialog), "crossfade-switch", crossfade);
  echoes_ui_fix_button_names (dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (export_dialog_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* See echoes_window_export_to(). */
void
_echoes_window_export_to (EchoesWindow              *self,
                          GFile                     *file,
                          const EchoesExportOptions *options)
{
  if (self->exporting || self->context == NULL || _echoes_window_get_project_id (self) == NULL)
    return;

  self->export_options = *options;
  /* The choice is kept (the `crossfade` setting): the film preview plays the film as it
   * was last exported. */
  _echoes_window_set_crossfade (self, options->crossfade);
  self->export_options.crossfade = _echoes_window_get_crossfade (self);
  g_set_object (&self->export_file, file);
  g_free (self->export_project_id);
  self->export_project_id = g_strdup (_echoes_window_get_project_id (self));
  g_clear_object (&self->export_cancellable);
  self->export_cancellable = g_cancellable_new ();

  gtk_label_set_label (self->export_label, _("Preparing the export…"));
  gtk_progress_bar_set_fraction (self->export_progress, 0.0);
  set_exporting (self, TRUE);

  _echoes_window_load_film_async (self, self->export_project_id, self->export_cancellable,
                                  export_film_loaded_cb, g_object_ref (self));
}

static void
show_folder (EchoesWindow *self,
             const char   *uri)
{
  g_autoptr(GFile) file = g_file_new_for_uri (uri);
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autofree char *folder = parent ? g_file_get_uri (parent) : g_strdup (uri);

  gtk_show_uri (GTK_WINDOW (self), folder, GDK_CURRENT_TIME);
}

typedef struct
{
  GWeakRef  window;
  char     *uri;
} ShowItems;

static void
show_items_free (ShowItems *data)
{
  g_weak_ref_clear (&data->window);
  g_free (data->uri);
  g_free (data);
}

static void
show_items_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  ShowItems *data = user_data;
  g_autoptr(EchoesWindow) self = g_weak_ref_get (&data->window);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply == NULL && self != NULL)
    {
      g_debug ("No file manager on D-Bus (%s); opening the folder", error->message);
      show_folder (self, data->uri);
    }

  show_items_free (data);
}

static void
session_bus_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  ShowItems *data = user_data;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(EchoesWindow) self = NULL;
  const char *uris[] = { data->uri, NULL };

  if (!(bus = g_bus_get_finish (result, NULL)))
    {
      if ((self = g_weak_ref_get (&data->window)) != NULL)
        show_folder (self, data->uri);
      show_items_free (data);
      return;
    }

  g_dbus_connection_call (bus, "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                          "org.freedesktop.FileManager1", "ShowItems",
                          g_variant_new ("(^ass)", uris, ""), NULL,
                          G_DBUS_CALL_FLAGS_NONE, 5000, NULL, show_items_cb, data);
}

static void
show_in_files_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  ShowItems *data = g_new0 (ShowItems, 1);

  /* The file manager selects the file in its folder; without one, open the folder. */
  g_weak_ref_init (&data->window, widget);
  data->uri = g_variant_dup_string (param, NULL);
  g_bus_get (G_BUS_TYPE_SESSION, NULL, session_bus_cb, data);
}

/* Feature hooks */


void
_echoes_window_export_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-export", NULL, cancel_export_action);
  gtk_widget_class_install_action (widget_class, "win.show-in-files", "s", show_in_files_action);
}

void
_echoes_window_export_init (EchoesWindow *self)
{
  self->export_options.format = ECHOES_EXPORT_FORMAT_MP4;
  self->export_options.resolution = ECHOES_RESOLUTION_1080P;
  /* The Export dialog starts from the preferences (the `export-*` settings). */
  if (self->settings != NULL)
    {
      g_autofree char *format = g_settings_get_string (self->settings, "export-format");
      g_autofree char *quality = g_settings_get_string (self->settings, "export-quality");

      if (g_str_equal (format, "webm"))
        self->export_options.format = ECHOES_EXPORT_FORMAT_WEBM;
      self->export_options.resolution = g_str_equal (quality, "1080p") ? ECHOES_RESOLUTION_1080P
                                                                       : ECHOES_RESOLUTION_720P;
    }
  self->export_options.crossfade = _echoes_window_get_crossfade (self);
}

void
_echoes_window_export_dispose (EchoesWindow *self)
{
  g_cancellable_cancel (self->export_cancellable);

  if (self->export_chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->export_chooser));
      g_clear_object (&self->export_chooser);
    }

  if (self->exporter != NULL)
    g_signal_handlers_disconnect_by_data (self->exporter, self);
}
