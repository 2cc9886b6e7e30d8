/* echoes-window-projects.c
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

/* The project list in the sidebar: search, selection, the title dialog (new and
 * rename), delete and restore. */

/* Pages */

static void
update_sidebar_page (EchoesWindow *self)
{
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  const char *page = "list";

  if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered_projects)) == 0)
    page = (search && *search) ? "no-results" : "no-projects";

  gtk_stack_set_visible_child_name (self->sidebar_stack, page);
}

static char *
project_subtitle (gpointer item,
                  guint    clip_count,
                  guint    approved_count)
{
  g_autofree char *photos = NULL;

  if (clip_count == 0)
    return g_strdup (_("No photos"));

  if (approved_count == 0)
    return g_strdup_printf (ngettext ("%u photo", "%u photos", clip_count), clip_count);

  photos = g_strdup_printf (ngettext ("%u photo", "%u photos", clip_count), clip_count);
  /* Translators: "12 photos · 3 approved"; %s is the number of photos */
  return g_strdup_printf (_("%s · %u approved"), photos, approved_count);
}

static void
update_title (EchoesWindow *self)
{
  g_autofree char *subtitle = NULL;

  if (self->project == NULL)
    {
      adw_window_title_set_title (self->window_title, _("Echoes"));
      adw_window_title_set_subtitle (self->window_title, NULL);
      return;
    }

  subtitle = project_subtitle (NULL,
                               echoes_project_get_clip_count (self->project),
                               echoes_project_get_approved_count (self->project));
  adw_window_title_set_title (self->window_title, echoes_project_get_title (self->project));
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

/* Selection of the project list */

static guint
find_project_position (EchoesWindow *self,
                       const char   *project_id)
{
  GListModel *model = G_LIST_MODEL (self->project_selection);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(EchoesProject) project = g_list_model_get_item (model, i);

      if (g_strcmp0 (echoes_project_get_id (project), project_id) == 0)
        return i;
    }

  return GTK_INVALID_LIST_POSITION;
}

static void
sync_project_selection (EchoesWindow *self)
{
  guint position = GTK_INVALID_LIST_POSITION;

  if (self->project != NULL)
    position = find_project_position (self, _echoes_window_get_project_id (self));

  if (gtk_single_selection_get_selected (self->project_selection) != position)
    gtk_single_selection_set_selected (self->project_selection, position);
}

static void
projects_changed_cb (EchoesWindow *self,
                     guint         position,
                     guint         removed,
                     guint         added,
                     GListModel   *model)
{
  EchoesLibrary *library = _echoes_window_get_library (self);

  if (library == NULL)
    return;

  /* The shown project was deleted (here or elsewhere). */
  if (self->project != NULL &&
      echoes_library_find_project (library, _echoes_window_get_project_id (self)) == NULL)
    _echoes_window_set_project (self, NULL);

  if (self->wanted_project_id != NULL)
    {
      EchoesProject *wanted = echoes_library_find_project (library, self->wanted_project_id);

      if (wanted != NULL)
        {
          g_clear_pointer (&self->wanted_project_id, g_free);
          _echoes_window_set_project (self, wanted);
        }
    }
  else if (self->select_first && self->project == NULL && g_list_model_get_n_items (model) > 0)
    {
      g_autoptr(EchoesProject) first = g_list_model_get_item (model, 0);

      _echoes_window_set_project (self, first);
    }

  sync_project_selection (self);
  update_sidebar_page (self);
}

static void
project_selected_cb (EchoesWindow       *self,
                     GParamSpec         *pspec,
                     GtkSingleSelection *selection)
{
  EchoesProject *project = gtk_single_selection_get_selected_item (selection);

  /* Nothing selected happens while the list is filtered or re-sorted: keep showing. */
  if (project != NULL && project != self->project)
    _echoes_window_set_project (self, project);
}

static void
project_activated_cb (EchoesWindow *self,
                      guint         position,
                      GtkListView  *list)
{
  gtk_single_selection_set_selected (self->project_selection, position);
  adw_leaflet_set_visible_child (self->leaflet, self->content);
}

static void
search_changed_cb (EchoesWindow   *self,
                   GtkSearchEntry *entry)
{
  gtk_string_filter_set_search (self->project_filter,
                                gtk_editable_get_text (GTK_EDITABLE (entry)));
  sync_project_selection (self);
  update_sidebar_page (self);
}

static void
stop_search_cb (EchoesWindow   *self,
                GtkSearchEntry *entry)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

static void
project_notify_cb (EchoesWindow  *self,
                   GParamSpec    *pspec,
                   EchoesProject *project)
{
  update_title (self);
  if (g_strcmp0 (pspec->name, "music") == 0 || g_strcmp0 (pspec->name, "ratio") == 0 ||
      g_strcmp0 (pspec->name, "provider") == 0)
    _echoes_window_music_update (self);
}

void
_echoes_window_set_project (EchoesWindow  *self,
                            EchoesProject *project)
{
  EchoesLibrary *library = _echoes_window_get_library (self);

  if (project != NULL)
    self->select_first = FALSE;

  if (!g_set_object (&self->project, project))
    return;

  g_signal_group_set_target (self->project_signals, project);
  g_clear_object (&self->clips);
  if (project != NULL && library != NULL)
    self->clips = g_object_ref (echoes_library_get_clips (library, echoes_project_get_id (project)));
  g_signal_group_set_target (self->clips_signals, self->clips);
  gtk_single_selection_set_model (self->clip_selection, self->clips);

  if (self->settings != NULL)
    g_settings_set_string (self->settings, "last-project", project ? echoes_project_get_id (project) : "");

  sync_project_selection (self);
  update_title (self);
  _echoes_window_music_update (self);
  _echoes_window_update_content_page (self);
}

char *
_echoes_window_make_untitled_title (EchoesWindow *self)
{
  GListModel *projects = echoes_library_get_projects (_echoes_window_get_library (self));
  guint n = g_list_model_get_n_items (projects);

  for (guint i = 1; ; i++)
    {
      /* Translators: the name of a new project; %u is a number */
      g_autofree char *title = g_strdup_printf (_("Untitled Project %u"), i);
      gboolean used = FALSE;

      for (guint j = 0; j < n && !used; j++)
        {
          g_autoptr(EchoesProject) project = g_list_model_get_item (projects, j);

          used = g_strcmp0 (echoes_project_get_title (project), title) == 0;
        }

      if (!used)
        return g_steal_pointer (&title);
    }
}

/* Projects */

typedef struct
{
  EchoesWindow *self;
  GtkEntry     *entry;
  char         *project_id; /* (nullable) NULL: create */
} TitleDialog;

static void
title_dialog_free (TitleDialog *data)
{
  g_object_unref (data->self);
  g_free (data->project_id);
  g_free (data);
}

static void
title_dialog_response_cb (AdwMessageDialog *dialog,
                          const char       *response,
                          TitleDialog      *data)
{
  g_autofree char *title = NULL;
  EchoesLibrary *library = _echoes_window_get_library (data->self);

  if (g_strcmp0 (response, "ok") != 0 || library == NULL ||
      g_cancellable_is_cancelled (data->self->cancellable))
    return;

  title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (data->entry))));
  if (*title == '\0')
    return;

  if (data->project_id == NULL)
    echoes_window_create_project (data->self, title);
  else
    {
      EchoesProject *project = echoes_library_find_project (library, data->project_id);

      if (project != NULL && g_strcmp0 (echoes_project_get_title (project), title) != 0)
        {
          g_autoptr(EchoesProject) copy = echoes_project_copy (project);

          echoes_project_set_title (copy, title);
          echoes_library_update_project (library, copy);
        }
    }
}

static void
title_entry_changed_cb (GtkEditable      *entry,
                        AdwMessageDialog *dialog)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "ok", *text != '\0');
}

static void
show_title_dialog (EchoesWindow  *self,
                   EchoesProject *project)
{
  g_autofree char *untitled = NULL;
  TitleDialog *data;
  GtkWidget *dialog;
  GtkWidget *entry;

  dialog = adw_message_dialog_new (GTK_WINDOW (self),
                                   project ? _("Rename Project") : _("New Project"),
                                   NULL);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Project title"), -1);
  if (project != NULL)
    gtk_editable_set_text (GTK_EDITABLE (entry), echoes_project_get_title (project));
  else
    gtk_editable_set_text (GTK_EDITABLE (entry), (untitled = _echoes_window_make_untitled_title (self)));

  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "ok", project ? _("_Rename") : _("_Create"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "ok",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "ok");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  echoes_ui_fix_button_names (dialog);
  data = g_new0 (TitleDialog, 1);
  data->self = g_object_ref (self);
  data->entry = GTK_ENTRY (entry);
  data->project_id = project ? g_strdup (echoes_project_get_id (project)) : NULL;
  g_signal_connect_data (dialog, "response", G_CALLBACK (title_dialog_response_cb),
                         data, (GClosureNotify)title_dialog_free, 0);
  g_signal_connect_object (entry, "changed", G_CALLBACK (title_entry_changed_cb), dialog, 0);

  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
  gtk_editable_select_region (GTK_EDITABLE (entry), 0, -1);
}

static void
new_project_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  show_title_dialog (ECHOES_WINDOW (widget), NULL);
}

static void
rename_project_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);

  if (self->project != NULL)
    show_title_dialog (self, self->project);
}

static void
delete_project_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  g_autofree char *title = NULL;
  g_autofree char *id = NULL;

  if (self->project == NULL || _echoes_window_get_library (self) == NULL)
    return;

  id = g_strdup (_echoes_window_get_project_id (self));
  /* Translators: a toast after deleting a project; %s is its title */
  title = g_strdup_printf (_("“%s” deleted"), echoes_project_get_title (self->project));

  /* Trashed, not purged: Undo restores it, and the next start purges it. */
  echoes_library_trash_project (_echoes_window_get_library (self), id);
  _echoes_window_set_project (self, NULL);
  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  _echoes_window_show_undo_toast (self, title, "win.restore-project", g_variant_new_string (id));
}

static void
restore_project_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  const char *id = g_variant_get_string (param, NULL);

  if (_echoes_window_get_library (self) == NULL)
    return;

  echoes_library_restore_project (_echoes_window_get_library (self), id);
  echoes_window_select_project (self, id);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* Feature hooks */


void
_echoes_window_projects_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, project_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, project_subtitle);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);

  gtk_widget_class_install_action (widget_class, "win.new-project", NULL, new_project_action);
  gtk_widget_class_install_action (widget_class, "win.rename-project", NULL, rename_project_action);
  gtk_widget_class_install_action (widget_class, "win.delete-project", NULL, delete_project_action);
  gtk_widget_class_install_action (widget_class, "win.restore-project", "s", restore_project_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
}

void
_echoes_window_projects_init (EchoesWindow *self)
{
  /* Projects: library model -> search filter -> selection -> list */
  self->project_filter = gtk_string_filter_new (gtk_property_expression_new (ECHOES_TYPE_PROJECT, NULL, "title"));
  gtk_string_filter_set_ignore_case (self->project_filter, TRUE);
  gtk_string_filter_set_match_mode (self->project_filter, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
  self->filtered_projects = gtk_filter_list_model_new (NULL, g_object_ref (GTK_FILTER (self->project_filter)));
  self->project_selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filtered_projects)));
  gtk_single_selection_set_autoselect (self->project_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->project_selection, TRUE);
  gtk_list_view_set_model (self->project_list, GTK_SELECTION_MODEL (self->project_selection));
  g_signal_connect_object (self->project_selection, "notify::selected-item",
                           G_CALLBACK (project_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filtered_projects, "items-changed",
                           G_CALLBACK (projects_changed_cb), self, G_CONNECT_SWAPPED);

  self->project_signals = g_signal_group_new (ECHOES_TYPE_PROJECT);
  g_signal_group_connect_object (self->project_signals, "notify", G_CALLBACK (project_notify_cb),
                                 self, G_CONNECT_SWAPPED);

  gtk_search_bar_set_key_capture_widget (self->search_bar, self->sidebar);
}

void
_echoes_window_projects_dispose (EchoesWindow *self)
{
  if (self->project_signals != NULL)
    g_signal_group_set_target (self->project_signals, NULL);
}

/* The library is open: list its projects, then show the last project opened. */
void
_echoes_window_projects_set_context (EchoesWindow *self)
{
  g_autofree char *last = NULL;

  if (self->settings != NULL)
    last = g_settings_get_string (self->settings, "last-project");
  if (last != NULL && *last != '\0')
    self->wanted_project_id = g_steal_pointer (&last);
  else
    self->select_first = TRUE;

  gtk_filter_list_model_set_model (self->filtered_projects,
                                   echoes_library_get_projects (_echoes_window_get_library (self)));
  projects_changed_cb (self, 0, 0, 0, G_LIST_MODEL (self->filtered_projects));
  update_sidebar_page (self);
}
