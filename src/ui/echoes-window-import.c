/* echoes-window-import.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-window"

#include "config.h"

#include <errno.h>

#include <glib/gi18n.h>

#include "echoes-window-private.h"

/* Photos into the project: the import queue and its progress, the file chooser, paste
 * and drops from other applications. Every way in ends in _echoes_window_queue_import(). */


#define RELOAD_DELAY_MS 250

typedef struct
{
  char      *project_id;  /* (nullable) NULL: the current project, or a new one */
  GPtrArray *files;       /* GFile */
  GPtrArray *temp_files;  /* (nullable) GFile: deleted after the import */
} ImportBatch;

static void echoes_window_process_imports (EchoesWindow *self);

static void
import_batch_free (ImportBatch *batch)
{
  if (batch->temp_files != NULL)
    {
      for (guint i = 0; i < batch->temp_files->len; i++)
        {
          GFile *file = g_ptr_array_index (batch->temp_files, i);

          /* Best effort: the importer already copied the image into the library. */
          g_file_delete_async (file, G_PRIORITY_LOW, NULL, NULL, NULL);
        }
      g_ptr_array_unref (batch->temp_files);
    }
  g_clear_pointer (&batch->files, g_ptr_array_unref);
  g_free (batch->project_id);
  g_free (batch);
}

/* Import */

static gboolean
reload_timeout_cb (gpointer user_data)
{
  EchoesWindow *self = user_data;

  self->reload_source = 0;
  if (self->importer != NULL && _echoes_window_get_library (self) != NULL)
    echoes_library_reload (_echoes_window_get_library (self), echoes_importer_get_project_id (self->importer));

  return G_SOURCE_REMOVE;
}

static void
importer_clip_added_cb (EchoesWindow   *self,
                        EchoesClip     *clip,
                        EchoesImporter *importer)
{
  /* Show photos as they arrive, but re-read the store at most every RELOAD_DELAY_MS. */
  if (self->reload_source == 0)
    self->reload_source = g_timeout_add (RELOAD_DELAY_MS, reload_timeout_cb, self);
}

static void
importer_file_failed_cb (EchoesWindow   *self,
                         GFile          *file,
                         const GError   *error,
                         EchoesImporter *importer)
{
  g_ptr_array_add (self->failures, g_strdup (error->message));
}

static void
importer_progress_cb (EchoesWindow   *self,
                      GParamSpec     *pspec,
                      EchoesImporter *importer)
{
  g_autofree char *label = NULL;
  guint total = echoes_importer_get_total (importer);
  guint current = MIN (echoes_importer_get_done (importer) + echoes_importer_get_failed (importer) + 1,
                       MAX (total, 1));

  /* Translators: "Importing 12 of 200…" */
  label = g_strdup_printf (_("Importing %u of %u…"), current, total);
  gtk_label_set_label (self->import_label, label);
  gtk_progress_bar_set_fraction (self->import_progress, echoes_importer_get_fraction (importer));
}

static void
show_import_failures (EchoesWindow *self)
{
  g_autofree char *title = NULL;
  AdwToast *toast;

  if (self->failures->len == 0)
    return;

  g_ptr_array_add (self->failures, NULL);
  gtk_string_list_splice (self->failure_list, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->failure_list)),
                          (const char * const *)self->failures->pdata);
  g_ptr_array_set_size (self->failures, 0);

  title = g_strdup_printf (ngettext ("%u file could not be imported",
                                     "%u files could not be imported",
                                     g_list_model_get_n_items (G_LIST_MODEL (self->failure_list))),
                           g_list_model_get_n_items (G_LIST_MODEL (self->failure_list)));
  toast = _echoes_window_toast_new_escaped (title);
  adw_toast_set_button_label (toast, _("_Details"));
  adw_toast_set_action_name (toast, "win.show-import-errors");
  /* Errors stay until dismissed: nothing refused goes unnoticed. */
  adw_toast_set_timeout (toast, 0);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
import_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EchoesWindow) self = user_data;
  EchoesImporter *importer = ECHOES_IMPORTER (object);
  g_autoptr(GError) error = NULL;
  EchoesLibrary *library = _echoes_window_get_library (self);
  ImportBatch *batch;

  echoes_importer_import_finish (importer, result, &error);
  self->last_imported = echoes_importer_get_done (importer);

  /* The window was closed: its widgets are gone. */
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_signal_handlers_disconnect_by_data (importer, self);
      g_clear_object (&self->importer);
      return;
    }

  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (library != NULL)
    echoes_library_reload (library, echoes_importer_get_project_id (importer));

  if (error != NULL)
    {
      g_autofree char *message = NULL;
      const char *text = _echoes_window_describe_error (error);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          guint done = echoes_importer_get_done (importer);

          message = g_strdup_printf (ngettext ("Import cancelled after %u photo",
                                               "Import cancelled after %u photos", done),
                                     done);
        }
      else if (text == NULL)
        message = g_strdup_printf (_("The photos could not be imported: %s"), error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, _echoes_window_toast_new_escaped (message ? message : text));
    }

  show_import_failures (self);

  g_signal_handlers_disconnect_by_data (importer, self);
  g_clear_object (&self->importer);
  g_clear_object (&self->import_cancellable);

  if ((batch = g_queue_pop_head (&self->import_queue)) != NULL)
    import_batch_free (batch);

  gtk_revealer_set_reveal_child (self->import_revealer, FALSE);
  _echoes_window_update_actions (self);

  if (!gtk_widget_in_destruction (GTK_WIDGET (self)))
    echoes_window_process_imports (self);
}

static void
import_project_created_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(EchoesWindow) self = user_data;
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(GError) error = NULL;
  ImportBatch *batch;

  self->creating_project = FALSE;
  project = echoes_library_create_project_finish (ECHOES_LIBRARY (object), result, &error);
  batch = g_queue_peek_head (&self->import_queue);

  if (project == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _echoes_window_show_library_error (self, error);
      if ((batch = g_queue_pop_head (&self->import_queue)) != NULL)
        import_batch_free (batch);
    }
  else
    {
      EchoesProject *live = echoes_library_find_project (ECHOES_LIBRARY (object),
                                                         echoes_project_get_id (project));

      if (batch != NULL)
        batch->project_id = g_strdup (echoes_project_get_id (project));
      /* Show where the photos go, not the last project once it loads. */
      g_clear_pointer (&self->wanted_project_id, g_free);
      self->select_first = FALSE;
      _echoes_window_set_project (self, live ? live : project);
    }

  _echoes_window_update_actions (self);
  if (!gtk_widget_in_destruction (GTK_WIDGET (self)))
    echoes_window_process_imports (self);
}

static void
echoes_window_process_imports (EchoesWindow *self)
{
  EchoesLibrary *library = _echoes_window_get_library (self);
  ImportBatch *batch;

  if (library == NULL || self->importer != NULL || self->creating_project)
    return;

  if ((batch = g_queue_peek_head (&self->import_queue)) == NULL)
    return;

  if (batch->project_id == NULL && self->project != NULL)
    batch->project_id = g_strdup (_echoes_window_get_project_id (self));

  if (batch->project_id == NULL)
    {
      g_autofree char *title = _echoes_window_make_untitled_title (self);

      self->creating_project = TRUE;
      _echoes_window_update_actions (self);
      echoes_library_create_project_async (library, title, self->cancellable,
                                           import_project_created_cb, g_object_ref (self));
      return;
    }

  self->importer = echoes_importer_new (echoes_context_get_store (self->context),
                                        echoes_context_get_thumbnailer (self->context),
                                        batch->project_id);
  self->import_cancellable = g_cancellable_new ();
  g_ptr_array_set_size (self->failures, 0);

  g_signal_connect_object (self->importer, "notify::total", G_CALLBACK (importer_progress_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->importer, "notify::done", G_CALLBACK (importer_progress_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->importer, "notify::failed", G_CALLBACK (importer_progress_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->importer, "notify::fraction", G_CALLBACK (importer_progress_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->importer, "file-failed", G_CALLBACK (importer_file_failed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->importer, "clip-added", G_CALLBACK (importer_clip_added_cb),
                           self, G_CONNECT_SWAPPED);

  gtk_label_set_label (self->import_label, _("Preparing import…"));
  gtk_progress_bar_set_fraction (self->import_progress, 0.0);
  gtk_revealer_set_reveal_child (self->import_revealer, TRUE);
  _echoes_window_update_actions (self);

  echoes_importer_import_async (self->importer, batch->files, self->import_cancellable,
                                import_done_cb, g_object_ref (self));
}

void
_echoes_window_queue_import (EchoesWindow *self,
                             GPtrArray    *files,
                             GPtrArray    *temp_files)
{
  ImportBatch *batch;

  if (files == NULL || files->len == 0)
    return;

  if (self->context == NULL)
    {
      /* The library is still opening: import when it is ready. */
      for (guint i = 0; i < files->len; i++)
        g_ptr_array_add (self->pending_files, g_object_ref (g_ptr_array_index (files, i)));
      return;
    }

  batch = g_new0 (ImportBatch, 1);
  batch->files = g_ptr_array_ref (files);
  batch->temp_files = temp_files ? g_ptr_array_ref (temp_files) : NULL;
  /* Photos go to the project shown when they were dropped, even if the user moves on. */
  batch->project_id = g_strdup (_echoes_window_get_project_id (self));
  g_queue_push_tail (&self->import_queue, batch);

  echoes_window_process_imports (self);
}

/* Images without a file (from a browser or the clipboard) */

static void
save_texture_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GdkTexture *texture = task_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H-%M-%S");

  bytes = gdk_texture_save_to_png_bytes (texture);
  dir = g_build_filename (g_get_user_cache_dir (), "echoes", "incoming", NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errsv),
                               "%s: %s", dir, g_strerror (errsv));
      return;
    }

  /* Translators: the file name of an image pasted or dropped without a name */
  name = g_strdup_printf (_("Pasted Image %s %08x.png"), stamp, g_random_int ());
  path = g_build_filename (dir, name, NULL);
  if (!g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, g_file_new_for_path (path), g_object_unref);
}

static void
texture_saved_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  EchoesWindow *self = ECHOES_WINDOW (object);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = NULL;

  if (!(file = g_task_propagate_pointer (G_TASK (result), &error)))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("The image could not be saved: %s"), error->message);
      adw_toast_overlay_add_toast (self->toast_overlay, _echoes_window_toast_new_escaped (message));
      return;
    }

  files = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (files, g_object_ref (file));
  _echoes_window_queue_import (self, files, files);
}

static void
import_texture (EchoesWindow *self,
                GdkTexture   *texture)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, texture_saved_cb, NULL);

  g_task_set_source_tag (task, import_texture);
  g_task_set_task_data (task, g_object_ref (texture), g_object_unref);
  g_task_run_in_thread (task, save_texture_thread);
}

static GPtrArray *
file_list_to_array (GSList *list)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_object_unref);

  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, g_object_ref (l->data));

  return files;
}

/* Drops from other applications */

static void
drop_active_cb (EchoesWindow     *self,
                GParamSpec       *pspec,
                EchoesDropTarget *target)
{
  if (echoes_drop_target_get_active (target))
    gtk_widget_add_css_class (self->content, "drop-highlight");
  else
    gtk_widget_remove_css_class (self->content, "drop-highlight");
}

static void
drop_files_cb (EchoesWindow     *self,
               GPtrArray        *files,
               EchoesDropTarget *target)
{
  echoes_window_import_files (self, files);
}

static void
drop_texture_cb (EchoesWindow     *self,
                 GdkTexture       *texture,
                 EchoesDropTarget *target)
{
  import_texture (self, texture);
}

/* Clipboard */

static void
paste_texture_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(EchoesWindow) self = user_data;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  if (!(texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (object), result, &error)))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_toast_overlay_add_toast (self->toast_overlay,
                                     _echoes_window_toast_new_escaped (_("The clipboard holds no photos")));
      return;
    }

  import_texture (self, texture);
}

static void
paste_files_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EchoesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = NULL;
  const GValue *value;

  value = gdk_clipboard_read_value_finish (GDK_CLIPBOARD (object), result, &error);
  if (value == NULL || !G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_toast_overlay_add_toast (self->toast_overlay,
                                     _echoes_window_toast_new_escaped (_("The clipboard holds no photos")));
      return;
    }

  files = file_list_to_array (g_value_get_boxed (value));
  echoes_window_import_files (self, files);
}

static void
paste_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (widget);
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);

  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST))
    gdk_clipboard_read_value_async (clipboard, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT,
                                    self->cancellable, paste_files_cb, g_object_ref (self));
  else if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE))
    gdk_clipboard_read_texture_async (clipboard, self->cancellable, paste_texture_cb,
                                      g_object_ref (self));
  else
    adw_toast_overlay_add_toast (self->toast_overlay,
                                 _echoes_window_toast_new_escaped (_("The clipboard holds no photos")));
}

/* File chooser */

static void
chooser_response_cb (EchoesWindow         *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  g_autoptr(GtkFileChooserNative) owned = g_steal_pointer (&self->chooser);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) list = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
      guint n = g_list_model_get_n_items (list);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (files, g_list_model_get_item (list, i));

      echoes_window_import_files (self, files);
    }
}

static void
add_photos_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  GtkFileFilter *filter;

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Add Photos"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Add"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Photos"));
  gtk_file_filter_add_mime_type (filter, "image/*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_object_unref (filter);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("All Files"));
  gtk_file_filter_add_pattern (filter, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_object_unref (filter);

  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
cancel_import_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  ImportBatch *batch;

  /* Cancel the running import and forget the queued ones. */
  while (g_queue_get_length (&self->import_queue) > 1 &&
         (batch = g_queue_pop_tail (&self->import_queue)) != NULL)
    import_batch_free (batch);

  g_cancellable_cancel (self->import_cancellable);
}

static void
show_import_errors_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  static const char row_ui[] =
    "<interface><template class=\"GtkListItem\"><property name=\"child\">"
    "<object class=\"GtkLabel\"><property name=\"xalign\">0</property>"
    "<property name=\"wrap\">True</property><property name=\"wrap-mode\">word-char</property>"
    "<property name=\"selectable\">True</property>"
    "<property name=\"margin-top\">6</property><property name=\"margin-bottom\">6</property>"
    "<property name=\"margin-start\">6</property><property name=\"margin-end\">6</property>"
    "<binding name=\"label\"><lookup name=\"string\" type=\"GtkStringObject\">"
    "<lookup name=\"item\">GtkListItem</lookup></lookup></binding>"
    "</object></property></template></interface>";
  g_autoptr(GBytes) bytes = g_bytes_new_static (row_ui, sizeof row_ui - 1);
  GtkListItemFactory *factory = gtk_builder_list_item_factory_new_from_bytes (NULL, bytes);
  GtkNoSelection *selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->failure_list)));
  GtkWidget *list = gtk_list_view_new (GTK_SELECTION_MODEL (selection), factory);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *dialog;

  gtk_widget_add_css_class (list, "boxed-list");
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 320);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);

  dialog = adw_message_dialog_new (GTK_WINDOW (self),
                                   self->last_imported > 0 ? _("Some Files Could Not Be Imported")
                                                           : _("No File Could Be Imported"),
                                   self->last_imported > 0 ? _("The other photos were added to the project.")
                                                           : NULL);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scrolled);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Feature hooks */


void
_echoes_window_import_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.add-photos", NULL, add_photos_action);
  gtk_widget_class_install_action (widget_class, "win.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-import", NULL, cancel_import_action);
  gtk_widget_class_install_action (widget_class, "win.show-import-errors", NULL, show_import_errors_action);
}

void
_echoes_window_import_init (EchoesWindow *self)
{
  self->failures = g_ptr_array_new_with_free_func (g_free);
  self->failure_list = gtk_string_list_new (NULL);
  self->pending_files = g_ptr_array_new_with_free_func (g_object_unref);
  g_queue_init (&self->import_queue);

  /* Files and images dropped from other applications, once the library is open */
  self->drop_target = echoes_drop_target_new ();
  echoes_drop_target_set_enabled (self->drop_target, FALSE);
  echoes_drop_target_attach (self->drop_target, self->content);
  g_signal_connect_object (self->drop_target, "notify::active", G_CALLBACK (drop_active_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->drop_target, "drop-files", G_CALLBACK (drop_files_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->drop_target, "drop-texture", G_CALLBACK (drop_texture_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_widget_add_css_class (self->content, "drop-area");
}

void
_echoes_window_import_dispose (EchoesWindow *self)
{
  ImportBatch *batch;

  g_cancellable_cancel (self->import_cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);

  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }

  while ((batch = g_queue_pop_head (&self->import_queue)) != NULL)
    import_batch_free (batch);

  if (self->drop_target != NULL)
    g_signal_handlers_disconnect_by_data (self->drop_target, self);
  g_clear_object (&self->drop_target);
}

/* The library is open: import what was given before. */
void
_echoes_window_import_set_context (EchoesWindow *self)
{
  g_autoptr(GPtrArray) pending = g_steal_pointer (&self->pending_files);

  echoes_drop_target_set_enabled (self->drop_target, TRUE);
  self->pending_files = g_ptr_array_new_with_free_func (g_object_unref);
  if (pending->len > 0)
    echoes_window_import_files (self, pending);
}
