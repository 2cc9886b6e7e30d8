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

#include <errno.h>

#include <glib/gi18n.h>
#include <adwaita.h>

#include "echoes-account-menu.h"
#include "echoes-clip-card.h"
#include "echoes-clip-window.h"
#include "echoes-film-export.h"
#include "echoes-film-window.h"
#include "echoes-generation-queue.h"
#include "echoes-importer.h"
#include "echoes-library.h"
#include "echoes-music.h"
#include "echoes-paths.h"
#include "echoes-store.h"

/**
 * EchoesWindow:
 *
 * The main window: the project list in a sidebar, the timeline of the selected project
 * beside it (an #AdwLeaflet folds them on narrow screens).
 *
 * Every change goes through #EchoesLibrary (which writes the store on its worker thread)
 * or #EchoesImporter; the window only binds to the library's live models.
 */

#define RELOAD_DELAY_MS 250
/* How long after the library opens its clips still count as the first content. */
#define FIRST_CONTENT_MS 1000
/* What the Export dialog's "Crossfade Between Clips" switch turns on. */
#define DEFAULT_CROSSFADE (GST_SECOND / 2)
/* The `crossfade` settings key's maximum, in milliseconds. */
#define MAX_CROSSFADE_MS 5000

typedef struct
{
  char      *project_id;  /* (nullable) NULL: the current project, or a new one */
  GPtrArray *files;       /* GFile */
  GPtrArray *temp_files;  /* (nullable) GFile: deleted after the import */
} ImportBatch;

struct _EchoesWindow
{
  AdwApplicationWindow  parent_instance;

  EchoesContext        *context;            /* (owned) (nullable) */
  GSettings            *settings;           /* (owned) (nullable) */
  GCancellable         *cancellable;        /* (owned) */

  /* Projects */
  GtkStringFilter      *project_filter;     /* (owned) */
  GtkFilterListModel   *filtered_projects;  /* (owned) */
  GtkSingleSelection   *project_selection;  /* (owned) */
  EchoesProject        *project;            /* (owned) (nullable) the shown project */
  GSignalGroup         *project_signals;    /* (owned) */
  char                 *wanted_project_id;  /* (owned) (nullable) select when it loads */
  gboolean              select_first;
  gint64                opened_at;          /* when the context was set, monotonic */

  /* Clips of the shown project */
  GListModel           *clips;              /* (owned) (nullable) */
  GSignalGroup         *clips_signals;      /* (owned) */
  GtkSingleSelection   *clip_selection;     /* (owned) */
  char                 *refocus_clip_id;    /* (owned) (nullable) */
  guint                 refocus_source;

  /* Import */
  GQueue                import_queue;       /* ImportBatch */
  GPtrArray            *pending_files;      /* (owned) GFile: before the library opened */
  EchoesImporter       *importer;           /* (owned) (nullable) the running import */
  GCancellable         *import_cancellable; /* (owned) (nullable) */
  GPtrArray            *failures;           /* (owned) char*: this import's refusals */
  GtkStringList        *failure_list;       /* (owned) the last import's refusals */
  guint                 last_imported;      /* photos the last import added */
  guint                 reload_source;
  gboolean              creating_project;
  GtkFileChooserNative *chooser;            /* (owned) (nullable) */

  /* Generation (the queue is the context's; these count the current batch) */
  guint                 gen_done;
  guint                 gen_ready;
  guint                 gen_failed;
  double                gen_fraction;

  /* Play and export */
  char                 *play_start_id;      /* (owned) (nullable) */
  EchoesExporter       *exporter;           /* (owned) (nullable) the running export */
  GCancellable         *export_cancellable; /* (owned) (nullable) */
  GFile                *export_file;        /* (owned) (nullable) */
  char                 *export_project_id;  /* (owned) (nullable) */
  EchoesExportOptions   export_options;
  gboolean              exporting;
  GtkFileChooserNative *export_chooser;     /* (owned) (nullable) */

  /* Music and ratio */
  GtkFileChooserNative *music_chooser;      /* (owned) (nullable) */
  guint                 volume_source;
  gboolean              updating_project;

  /* The last toast's Undo, for tests */
  AdwToast             *undo_toast;         /* (nullable) weak */
  char                 *undo_action;        /* (owned) (nullable) */
  GVariant             *undo_target;        /* (owned) (nullable) */

  /* Template children */
  AdwWindowTitle       *window_title;
  GtkWidget            *back_button;
  GtkActionBar         *bottom_bar;
  GtkLabel             *export_label;
  GtkProgressBar       *export_progress;
  GtkRevealer          *export_revealer;
  GtkLabel             *generation_label;
  GtkProgressBar       *generation_progress;
  GtkRevealer          *generation_revealer;
  GtkWidget            *music_button;
  GtkLabel             *music_label;
  GtkDropDown          *ratio_dropdown;
  GtkAdjustment        *volume_adjustment;
  GtkWidget            *volume_button;
  GtkGridView          *clip_grid;
  GtkWidget            *content;
  GtkStack             *content_stack;
  AdwStatusPage        *error_page;
  GtkRevealer          *import_revealer;
  GtkLabel             *import_label;
  GtkProgressBar       *import_progress;
  AdwLeaflet           *leaflet;
  GtkSpinner           *loading_spinner;
  GtkListView          *project_list;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkWidget            *sidebar;
  GtkStack             *sidebar_stack;
  AdwToastOverlay      *toast_overlay;
  GMenu                *primary_menu;
};

G_DEFINE_FINAL_TYPE (EchoesWindow, echoes_window, ADW_TYPE_APPLICATION_WINDOW)

static void echoes_window_process_imports (EchoesWindow *self);
static void update_project_settings       (EchoesWindow *self);
static void echoes_window_set_project     (EchoesWindow  *self,
                                           EchoesProject *project);

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

static void
set_crossfade (EchoesWindow *self,
               GstClockTime  crossfade)
{
  crossfade = MIN (crossfade, (GstClockTime) MAX_CROSSFADE_MS * GST_MSECOND);
  self->export_options.crossfade = crossfade;
  if (self->settings != NULL)
    g_settings_set_uint (self->settings, "crossfade", (guint) (crossfade / GST_MSECOND));
}

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

static EchoesLibrary *
get_library (EchoesWindow *self)
{
  return self->context ? echoes_context_get_library (self->context) : NULL;
}

static const char *
get_project_id (EchoesWindow *self)
{
  return self->project ? echoes_project_get_id (self->project) : NULL;
}

/* Titles of toasts are markup in libadwaita 1.2. */
static AdwToast *
toast_new_escaped (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  return adw_toast_new (escaped);
}

static void
show_undo_toast (EchoesWindow *self,
                 const char   *title,
                 const char   *action_name,
                 GVariant     *target)
{
  AdwToast *toast = toast_new_escaped (title);

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

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static const char *
describe_error (const GError *error)
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
  const char *text = describe_error (error);
  g_autofree char *message = NULL;

  if (text == NULL)
    text = message = g_strdup_printf (_("The change could not be saved: %s"), error->message);

  adw_toast_overlay_add_toast (self->toast_overlay, toast_new_escaped (text));
}

/* Pages and actions */

static void
update_sidebar_page (EchoesWindow *self)
{
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  const char *page = "list";

  if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered_projects)) == 0)
    page = (search && *search) ? "no-results" : "no-projects";

  gtk_stack_set_visible_child_name (self->sidebar_stack, page);
}

static void
update_actions (EchoesWindow *self)
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
  /* Hidden rather than unrevealed: a hidden bar does not widen a narrow window. */
  gtk_widget_set_visible (GTK_WIDGET (self->bottom_bar), has_project);
}

static void
update_content_page (EchoesWindow *self)
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
  update_actions (self);
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
    position = find_project_position (self, get_project_id (self));

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
  EchoesLibrary *library = get_library (self);

  if (library == NULL)
    return;

  /* The shown project was deleted (here or elsewhere). */
  if (self->project != NULL &&
      echoes_library_find_project (library, get_project_id (self)) == NULL)
    echoes_window_set_project (self, NULL);

  if (self->wanted_project_id != NULL)
    {
      EchoesProject *wanted = echoes_library_find_project (library, self->wanted_project_id);

      if (wanted != NULL)
        {
          g_clear_pointer (&self->wanted_project_id, g_free);
          echoes_window_set_project (self, wanted);
        }
    }
  else if (self->select_first && self->project == NULL && g_list_model_get_n_items (model) > 0)
    {
      g_autoptr(EchoesProject) first = g_list_model_get_item (model, 0);

      echoes_window_set_project (self, first);
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
    echoes_window_set_project (self, project);
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

/* Clips */

static EchoesClip *
find_clip (EchoesWindow *self,
           const char   *clip_id)
{
  guint n;

  if (self->clips == NULL || clip_id == NULL)
    return NULL;

  n = g_list_model_get_n_items (self->clips);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(EchoesClip) clip = g_list_model_get_item (self->clips, i);

      if (g_strcmp0 (echoes_clip_get_id (clip), clip_id) == 0)
        return clip;
    }

  return NULL;
}

static EchoesClipCard *
find_card (EchoesWindow *self,
           const char   *clip_id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->clip_grid));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *card = gtk_widget_get_first_child (child);
      EchoesClip *clip;

      if (card != NULL && ECHOES_IS_CLIP_CARD (card) &&
          (clip = echoes_clip_card_get_clip (ECHOES_CLIP_CARD (card))) != NULL &&
          g_strcmp0 (echoes_clip_get_id (clip), clip_id) == 0)
        return ECHOES_CLIP_CARD (card);
    }

  return NULL;
}

/* The clip whose card has the keyboard focus, if the focus is in the timeline. */
static EchoesClip *
get_focused_clip (EchoesWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->clip_grid)))
    return NULL;

  for (GtkWidget *w = focus; w != NULL && w != GTK_WIDGET (self->clip_grid); w = gtk_widget_get_parent (w))
    {
      GtkWidget *first;

      if (ECHOES_IS_CLIP_CARD (w))
        return echoes_clip_card_get_clip (ECHOES_CLIP_CARD (w));

      /* The list item widget itself may hold the focus. */
      if ((first = gtk_widget_get_first_child (w)) != NULL && ECHOES_IS_CLIP_CARD (first))
        return echoes_clip_card_get_clip (ECHOES_CLIP_CARD (first));
    }

  return NULL;
}

static gboolean
refocus_cb (gpointer user_data)
{
  EchoesWindow *self = user_data;
  EchoesClipCard *card;

  self->refocus_source = 0;

  if (self->refocus_clip_id != NULL &&
      (card = find_card (self, self->refocus_clip_id)) != NULL)
    {
      gtk_widget_grab_focus (GTK_WIDGET (card));
      g_clear_pointer (&self->refocus_clip_id, g_free);
    }

  return G_SOURCE_REMOVE;
}

static void
clips_changed_cb (EchoesWindow *self,
                  guint         position,
                  guint         removed,
                  guint         added,
                  GListModel   *model)
{
  update_content_page (self);

  /* After a keyboard move or delete the card widgets are recycled: focus the clip
   * again once the grid has laid out its new children. */
  if (self->refocus_clip_id != NULL && self->refocus_source == 0)
    self->refocus_source = g_timeout_add (50, refocus_cb, self);
}

static void
clip_setup_cb (EchoesWindow             *self,
               GtkListItem              *item,
               GtkSignalListItemFactory *factory)
{
  /* The card is focusable, so the list item widget passes the focus on to it. */
  gtk_list_item_set_child (item, echoes_clip_card_new (self->context));
}

static void
clip_bind_cb (EchoesWindow             *self,
              GtkListItem              *item,
              GtkSignalListItemFactory *factory)
{
  echoes_clip_card_set_clip (ECHOES_CLIP_CARD (gtk_list_item_get_child (item)),
                             gtk_list_item_get_item (item));
}

static void
clip_unbind_cb (EchoesWindow             *self,
                GtkListItem              *item,
                GtkSignalListItemFactory *factory)
{
  /* Cancels a thumbnail still loading for a card scrolled away. */
  echoes_clip_card_set_clip (ECHOES_CLIP_CARD (gtk_list_item_get_child (item)), NULL);
}

static void
project_notify_cb (EchoesWindow  *self,
                   GParamSpec    *pspec,
                   EchoesProject *project)
{
  update_title (self);
  if (g_strcmp0 (pspec->name, "music") == 0 || g_strcmp0 (pspec->name, "ratio") == 0)
    update_project_settings (self);
}

static void
echoes_window_set_project (EchoesWindow  *self,
                           EchoesProject *project)
{
  EchoesLibrary *library = get_library (self);

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
  update_project_settings (self);
  update_content_page (self);
}

/* Import */

static gboolean
reload_timeout_cb (gpointer user_data)
{
  EchoesWindow *self = user_data;

  self->reload_source = 0;
  if (self->importer != NULL && get_library (self) != NULL)
    echoes_library_reload (get_library (self), echoes_importer_get_project_id (self->importer));

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
  toast = toast_new_escaped (title);
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
  EchoesLibrary *library = get_library (self);
  ImportBatch *batch;

  echoes_importer_import_finish (importer, result, &error);
  self->last_imported = echoes_importer_get_done (importer);

  /* The window was closed: its widgets are gone. */
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_signal_handlers_disconnect_by_data (importer, self);
      g_clear_object (&self->importer);
  g_clear_object (&self->exporter);
      return;
    }

  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (library != NULL)
    echoes_library_reload (library, echoes_importer_get_project_id (importer));

  if (error != NULL)
    {
      g_autofree char *message = NULL;
      const char *text = describe_error (error);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          guint done = echoes_importer_get_done (importer);

          message = g_strdup_printf (ngettext ("Import cancelled after %u photo",
                                               "Import cancelled after %u photos", done),
                                     done);
        }
      else if (text == NULL)
        message = g_strdup_printf (_("The photos could not be imported: %s"), error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, toast_new_escaped (message ? message : text));
    }

  show_import_failures (self);

  g_signal_handlers_disconnect_by_data (importer, self);
  g_clear_object (&self->importer);
  g_clear_object (&self->import_cancellable);
  g_clear_object (&self->export_cancellable);
  g_clear_object (&self->export_file);
  g_clear_pointer (&self->export_project_id, g_free);
  g_clear_pointer (&self->play_start_id, g_free);

  if ((batch = g_queue_pop_head (&self->import_queue)) != NULL)
    import_batch_free (batch);

  gtk_revealer_set_reveal_child (self->import_revealer, FALSE);
  update_actions (self);

  if (!gtk_widget_in_destruction (GTK_WIDGET (self)))
    echoes_window_process_imports (self);
}

static char *
make_untitled_title (EchoesWindow *self)
{
  GListModel *projects = echoes_library_get_projects (get_library (self));
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
        library_error_cb (self, error, ECHOES_LIBRARY (object));
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
      echoes_window_set_project (self, live ? live : project);
    }

  update_actions (self);
  if (!gtk_widget_in_destruction (GTK_WIDGET (self)))
    echoes_window_process_imports (self);
}

static void
echoes_window_process_imports (EchoesWindow *self)
{
  EchoesLibrary *library = get_library (self);
  ImportBatch *batch;

  if (library == NULL || self->importer != NULL || self->creating_project)
    return;

  if ((batch = g_queue_peek_head (&self->import_queue)) == NULL)
    return;

  if (batch->project_id == NULL && self->project != NULL)
    batch->project_id = g_strdup (get_project_id (self));

  if (batch->project_id == NULL)
    {
      g_autofree char *title = make_untitled_title (self);

      self->creating_project = TRUE;
      update_actions (self);
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
  update_actions (self);

  echoes_importer_import_async (self->importer, batch->files, self->import_cancellable,
                                import_done_cb, g_object_ref (self));
}

static void
queue_import (EchoesWindow *self,
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
  batch->project_id = g_strdup (get_project_id (self));
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
      adw_toast_overlay_add_toast (self->toast_overlay, toast_new_escaped (message));
      return;
    }

  files = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (files, g_object_ref (file));
  queue_import (self, files, files);
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

static gboolean
all_remote (GSList *list)
{
  for (GSList *l = list; l != NULL; l = l->next)
    if (g_file_is_native (l->data))
      return FALSE;
  return list != NULL;
}

/* Drops from other applications */

typedef struct
{
  EchoesWindow *self;
  GdkDrop      *drop;
} DropData;

static void
drop_data_free (DropData *data)
{
  g_object_unref (data->self);
  g_object_unref (data->drop);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DropData, drop_data_free)

static void
drop_texture_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(DropData) data = user_data;
  g_autoptr(GError) error = NULL;
  const GValue *value;

  value = gdk_drop_read_value_finish (GDK_DROP (object), result, &error);
  if (value == NULL || !G_VALUE_HOLDS (value, GDK_TYPE_TEXTURE))
    {
      g_debug ("Could not read the dropped image: %s", error ? error->message : "no data");
      gdk_drop_finish (data->drop, 0);
      return;
    }

  import_texture (data->self, g_value_get_object (value));
  gdk_drop_finish (data->drop, GDK_ACTION_COPY);
}

static void
drop_files_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(DropData) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = NULL;
  GdkContentFormats *formats = gdk_drop_get_formats (data->drop);
  const GValue *value;
  GSList *list;

  value = gdk_drop_read_value_finish (GDK_DROP (object), result, &error);
  if (value == NULL || !G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      g_debug ("Could not read the dropped files: %s", error ? error->message : "no data");
      gdk_drop_finish (data->drop, 0);
      return;
    }

  list = g_value_get_boxed (value);

  /* Browsers offer the web address of an image and its pixels: take the pixels. */
  if (all_remote (list) && gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE))
    {
      GdkDrop *drop = data->drop;

      gdk_drop_read_value_async (drop, GDK_TYPE_TEXTURE, G_PRIORITY_DEFAULT,
                                 data->self->cancellable, drop_texture_cb,
                                 g_steal_pointer (&data));
      return;
    }

  files = file_list_to_array (list);
  echoes_window_import_files (data->self, files);
  gdk_drop_finish (data->drop, GDK_ACTION_COPY);
}

static gboolean
drop_accept_cb (EchoesWindow        *self,
                GdkDrop             *drop,
                GtkDropTargetAsync  *target)
{
  GdkContentFormats *formats = gdk_drop_get_formats (drop);

  if (self->context == NULL || gdk_content_formats_contain_gtype (formats, ECHOES_TYPE_CLIP))
    return FALSE;

  return gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST) ||
         gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE);
}

static GdkDragAction
drop_enter_cb (EchoesWindow       *self,
               GdkDrop            *drop,
               double              x,
               double              y,
               GtkDropTargetAsync *target)
{
  gtk_widget_add_css_class (self->content, "drop-highlight");
  return GDK_ACTION_COPY;
}

static void
drop_leave_cb (EchoesWindow       *self,
               GdkDrop            *drop,
               GtkDropTargetAsync *target)
{
  gtk_widget_remove_css_class (self->content, "drop-highlight");
}

static gboolean
drop_cb (EchoesWindow       *self,
         GdkDrop            *drop,
         double              x,
         double              y,
         GtkDropTargetAsync *target)
{
  GdkContentFormats *formats = gdk_drop_get_formats (drop);
  DropData *data;

  gtk_widget_remove_css_class (self->content, "drop-highlight");

  data = g_new0 (DropData, 1);
  data->self = g_object_ref (self);
  data->drop = g_object_ref (drop);

  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST))
    gdk_drop_read_value_async (drop, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT,
                               self->cancellable, drop_files_cb, data);
  else
    gdk_drop_read_value_async (drop, GDK_TYPE_TEXTURE, G_PRIORITY_DEFAULT,
                               self->cancellable, drop_texture_cb, data);

  return TRUE;
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
                                     toast_new_escaped (_("The clipboard holds no photos")));
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
                                     toast_new_escaped (_("The clipboard holds no photos")));
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
                                 toast_new_escaped (_("The clipboard holds no photos")));
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
  EchoesLibrary *library = get_library (data->self);

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
    gtk_editable_set_text (GTK_EDITABLE (entry), (untitled = make_untitled_title (self)));

  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "ok", project ? _("_Rename") : _("_Create"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "ok",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "ok");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

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

  if (self->project == NULL || get_library (self) == NULL)
    return;

  id = g_strdup (get_project_id (self));
  /* Translators: a toast after deleting a project; %s is its title */
  title = g_strdup_printf (_("“%s” deleted"), echoes_project_get_title (self->project));

  /* Trashed, not purged: Undo restores it, and the next start purges it. */
  echoes_library_trash_project (get_library (self), id);
  echoes_window_set_project (self, NULL);
  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  show_undo_toast (self, title, "win.restore-project", g_variant_new_string (id));
}

static void
restore_project_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  const char *id = g_variant_get_string (param, NULL);

  if (get_library (self) == NULL)
    return;

  echoes_library_restore_project (get_library (self), id);
  echoes_window_select_project (self, id);
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
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* Clip actions */

static void
trash_clip (EchoesWindow *self,
            EchoesClip   *clip)
{
  g_autofree char *title = NULL;
  const char *name = echoes_clip_get_source_name (clip);

  if (name == NULL || *name == '\0')
    name = _("Photo");

  /* Translators: a toast after deleting a photo; %s is its file name */
  title = g_strdup_printf (_("“%s” deleted"), name);
  show_undo_toast (self, title, "win.restore-clip",
                   g_variant_new ("(ssu)",
                                  echoes_clip_get_project_id (clip),
                                  echoes_clip_get_id (clip),
                                  echoes_clip_get_position (clip)));
  echoes_library_trash_clip (get_library (self), clip);
}

static void
trash_clip_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  EchoesClip *clip = find_clip (self, g_variant_get_string (param, NULL));

  if (clip != NULL)
    trash_clip (self, clip);
}

static void
restore_clip_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  const char *project_id;
  const char *clip_id;
  guint position;

  if (get_library (self) == NULL)
    return;

  g_variant_get (param, "(&s&su)", &project_id, &clip_id, &position);
  echoes_library_restore_clip (get_library (self), project_id, clip_id, position);
}

static void
set_clip_approved_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  g_autoptr(EchoesClip) copy = NULL;
  const char *clip_id;
  gboolean approved;
  EchoesClip *clip;

  g_variant_get (param, "(&sb)", &clip_id, &approved);
  if ((clip = find_clip (self, clip_id)) == NULL || echoes_clip_get_approved (clip) == approved)
    return;

  copy = echoes_clip_copy (clip);
  echoes_clip_set_approved (copy, approved);
  echoes_library_update_clip (get_library (self), copy);
}

static void
move_clip_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  const char *clip_id;
  guint position;
  EchoesClip *clip;

  g_variant_get (param, "(&su)", &clip_id, &position);
  if ((clip = find_clip (self, clip_id)) == NULL || echoes_clip_get_position (clip) == position)
    return;

  echoes_library_move_clip (get_library (self), clip, position);
}

static void
move_focused_clip (EchoesWindow *self,
                   int           delta)
{
  EchoesClip *clip = get_focused_clip (self);
  guint position;
  guint n;

  if (clip == NULL || self->clips == NULL)
    return;

  position = echoes_clip_get_position (clip);
  n = g_list_model_get_n_items (self->clips);
  if ((delta < 0 && position == 0) || (delta > 0 && position + 1 >= n))
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return;
    }

  g_free (self->refocus_clip_id);
  self->refocus_clip_id = g_strdup (echoes_clip_get_id (clip));
  echoes_library_move_clip (get_library (self), clip, position + delta);
}

static void
move_clip_left_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  move_focused_clip (ECHOES_WINDOW (widget), -1);
}

static void
move_clip_right_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  move_focused_clip (ECHOES_WINDOW (widget), 1);
}

static void
delete_focused_clip_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  EchoesClip *clip = get_focused_clip (self);
  g_autoptr(EchoesClip) neighbour = NULL;
  guint position;

  if (clip == NULL)
    return;

  /* Keep the keyboard in the timeline: focus the next photo, or the previous one. */
  position = echoes_clip_get_position (clip);
  if (!(neighbour = g_list_model_get_item (self->clips, position + 1)) && position > 0)
    neighbour = g_list_model_get_item (self->clips, position - 1);
  g_free (self->refocus_clip_id);
  self->refocus_clip_id = neighbour ? g_strdup (echoes_clip_get_id (neighbour)) : NULL;

  trash_clip (self, clip);
}

typedef struct
{
  EchoesWindow *self;
  char         *project_id;
} SortData;

static void
sort_data_free (SortData *data)
{
  g_object_unref (data->self);
  g_free (data->project_id);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SortData, sort_data_free)

static void
sort_by_date_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SortData) data = user_data;
  EchoesWindow *self = data->self;
  const char *project_id = data->project_id;
  g_auto(GStrv) previous = NULL;
  g_autoptr(GError) error = NULL;

  previous = echoes_library_sort_by_date_finish (ECHOES_LIBRARY (object), result, &error);
  if (previous == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        library_error_cb (self, error, ECHOES_LIBRARY (object));
      return;
    }

  show_undo_toast (self, _("Photos sorted by date"), "win.restore-order",
                   g_variant_new ("(s^as)", project_id, previous));
}

static void
sort_by_date_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  SortData *data;

  if (self->project == NULL)
    return;

  data = g_new0 (SortData, 1);
  data->self = g_object_ref (self);
  data->project_id = g_strdup (get_project_id (self));
  echoes_library_sort_by_date_async (get_library (self), data->project_id, self->cancellable,
                                     sort_by_date_cb, data);
}

static void
restore_order_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  g_autofree const char **order = NULL;
  const char *project_id;

  if (get_library (self) == NULL)
    return;

  g_variant_get (param, "(&s^a&s)", &project_id, &order);
  echoes_library_set_clip_order (get_library (self), project_id, order);
}

/* Generation */

static EchoesGenerationQueue *
get_queue (EchoesWindow *self)
{
  return self->context ? echoes_context_get_queue (self->context) : NULL;
}

static void
send_notification (EchoesWindow *self,
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

static void
update_generation (EchoesWindow *self)
{
  EchoesGenerationQueue *queue = get_queue (self);
  guint n_jobs = queue ? echoes_generation_queue_get_n_jobs (queue) : 0;
  g_autofree char *label = NULL;
  guint total;

  if (n_jobs > 0)
    {
      total = self->gen_done + n_jobs;
      /* Translators: "Generating 3 of 12…" */
      label = g_strdup_printf (_("Generating %u of %u…"), MIN (self->gen_done + 1, total), total);
      gtk_label_set_label (self->generation_label, label);
      gtk_progress_bar_set_fraction (self->generation_progress,
                                     CLAMP ((self->gen_done + self->gen_fraction) / total, 0.0, 1.0));
    }

  gtk_revealer_set_reveal_child (self->generation_revealer, n_jobs > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-generation", n_jobs > 0);
}

static void
queue_n_jobs_cb (EchoesWindow          *self,
                 GParamSpec            *pspec,
                 EchoesGenerationQueue *queue)
{
  update_generation (self);
}

static void
queue_clip_started_cb (EchoesWindow          *self,
                       const char            *clip_id,
                       EchoesGenerationQueue *queue)
{
  self->gen_fraction = 0.0;
  update_generation (self);
}

static void
queue_clip_progress_cb (EchoesWindow          *self,
                        const char            *clip_id,
                        double                 fraction,
                        EchoesGenerationQueue *queue)
{
  self->gen_fraction = fraction;
  update_generation (self);
}

static void
queue_clip_finished_cb (EchoesWindow          *self,
                        const char            *clip_id,
                        const GError          *error,
                        EchoesGenerationQueue *queue)
{
  self->gen_done++;
  self->gen_fraction = 0.0;
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->gen_failed++;
  else if (error == NULL)
    self->gen_ready++;
  update_generation (self);
}

static void
queue_drained_cb (EchoesWindow          *self,
                  EchoesGenerationQueue *queue)
{
  g_autofree char *body = NULL;

  if (self->gen_failed > 0)
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%u clip could not be generated",
                                                         "%u clips could not be generated",
                                                         self->gen_failed),
                                               self->gen_failed);

      adw_toast_overlay_add_toast (self->toast_overlay, toast_new_escaped (text));
    }

  if (self->gen_ready > 0)
    {
      body = g_strdup_printf (ngettext ("%u clip is ready to review",
                                        "%u clips are ready to review", self->gen_ready),
                              self->gen_ready);
      send_notification (self, "generation", _("Clips Generated"), body);
    }

  self->gen_done = self->gen_ready = self->gen_failed = 0;
  self->gen_fraction = 0.0;
  update_generation (self);
}

static void
generate_all_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);

  if (get_queue (self) != NULL && get_project_id (self) != NULL)
    echoes_generation_queue_enqueue_project (get_queue (self), get_project_id (self));
}

static void
cancel_generation_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);

  if (get_queue (self) != NULL)
    echoes_generation_queue_cancel_all (get_queue (self));
}

static void
generate_clip_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);

  if (get_queue (self) != NULL)
    echoes_generation_queue_enqueue_clip (get_queue (self), g_variant_get_string (param, NULL));
}

static void
cancel_clip_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);

  if (get_queue (self) != NULL)
    echoes_generation_queue_cancel_clip (get_queue (self), g_variant_get_string (param, NULL));
}

/* Clip detail */

static void
open_clip (EchoesWindow *self,
           EchoesClip   *clip)
{
  EchoesClipWindow *window;

  if (clip == NULL || self->context == NULL)
    return;

  window = echoes_clip_window_new (GTK_WINDOW (self), self->context, clip,
                                   self->project ? echoes_project_get_ratio (self->project) : NULL);
  gtk_window_present (GTK_WINDOW (window));
}

static void
open_clip_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);

  open_clip (self, find_clip (self, g_variant_get_string (param, NULL)));
}

static void
clip_activated_cb (EchoesWindow *self,
                   guint         position,
                   GtkGridView  *grid)
{
  g_autoptr(EchoesClip) clip = NULL;

  if (self->clips != NULL && (clip = g_list_model_get_item (self->clips, position)) != NULL)
    open_clip (self, clip);
}

/* Play film */

static gpointer
load_film_func (EchoesStore   *store,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  return echoes_film_load (store, data, error);
}

static void
play_film_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(EchoesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesFilmWindow) window = NULL;
  g_autofree char *start_id = g_steal_pointer (&self->play_start_id);
  EchoesFilm *film;
  EchoesClip *start;
  guint start_clip = 0;

  film = echoes_store_run_finish (ECHOES_STORE (object), result, &error);
  if (film == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (g_error_matches (error, ECHOES_EXPORT_ERROR, ECHOES_EXPORT_ERROR_NO_CLIPS))
        adw_toast_overlay_add_toast (self->toast_overlay,
                                     adw_toast_new (_("Approve some ready clips to play the film")));
      else
        adw_toast_overlay_add_toast (self->toast_overlay, toast_new_escaped (error->message));
      return;
    }

  /* Start at the chosen clip, or the first approved one after it. */
  if ((start = find_clip (self, start_id)) != NULL)
    {
      for (guint i = 0; i < film->n_clips; i++)
        {
          EchoesClip *clip = find_clip (self, film->clip_ids[i]);

          if (clip != NULL && echoes_clip_get_position (clip) >= echoes_clip_get_position (start))
            {
              start_clip = i;
              break;
            }
        }
    }

  window = g_object_ref_sink (echoes_film_window_new (GTK_WINDOW (self),
                                                      self->project ? echoes_project_get_title (self->project) : NULL,
                                                      film, start_clip, get_crossfade (self)));
  echoes_film_free (film);
  gtk_window_present (GTK_WINDOW (window));
}

static void
play_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  EchoesClip *start = get_focused_clip (self);

  if (self->context == NULL || get_project_id (self) == NULL)
    return;

  if (start == NULL)
    start = gtk_single_selection_get_selected_item (self->clip_selection);

  g_free (self->play_start_id);
  self->play_start_id = start ? g_strdup (echoes_clip_get_id (start)) : NULL;
  echoes_store_run_async (echoes_context_get_store (self->context), load_film_func,
                          g_strdup (get_project_id (self)), g_free,
                          (GDestroyNotify)echoes_film_free, self->cancellable,
                          play_film_cb, g_object_ref (self));
}

/* Export */

static void
set_exporting (EchoesWindow *self,
               gboolean      exporting)
{
  self->exporting = exporting;
  gtk_revealer_set_reveal_child (self->export_revealer, exporting);
  update_actions (self);
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
  GListModel *projects = echoes_library_get_projects (get_library (self));
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
          echoes_library_update_project (get_library (self), copy);
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
      adw_toast_overlay_add_toast (self->toast_overlay, toast_new_escaped (text));
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
  send_notification (self, "export", _("Film Exported"), text);
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
        adw_toast_overlay_add_toast (self->toast_overlay,
                                     adw_toast_new (_("Approve some ready clips to export the film")));
      else
        adw_toast_overlay_add_toast (self->toast_overlay, toast_new_escaped (error->message));
      return;
    }

  self->exporter = echoes_exporter_new ();
  echoes_film_apply (film, self->exporter);
  echoes_exporter_set_format (self->exporter, self->export_options.format);
  echoes_exporter_set_height (self->exporter, self->export_options.height);
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
  echoes_window_export_to (self, G_FILE (object), &options);
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
  self->export_options.height = adw_combo_row_get_selected (size_row) == 1 ? 1080 : 720;
  /* Written here rather than bound to the switch: Cancel leaves the choice as it was.
   * A longer crossfade set in the settings is kept while the switch stays on. */
  if (!gtk_switch_get_active (crossfade))
    set_crossfade (self, 0);
  else if (get_crossfade (self) == 0)
    set_crossfade (self, DEFAULT_CROSSFADE);
  self->export_options.crossfade = get_crossfade (self);
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
  size_row = combo_row_new (_("Resolution"), sizes, self->export_options.height == 1080 ? 1 : 0);
  crossfade = gtk_switch_new ();
  gtk_switch_set_active (GTK_SWITCH (crossfade), get_crossfade (self) > 0);
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
  g_signal_connect_object (dialog, "response", G_CALLBACK (export_dialog_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
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

/* Music, volume and ratio of the project */

static const char *ratios[] = { "16:9", "9:16", "1:1" };

static void
update_project_settings (EchoesWindow *self)
{
  g_autoptr(EchoesMusic) music = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  const char *ratio;
  guint selected = 0;

  if (self->project == NULL)
    return;

  self->updating_project = TRUE;

  ratio = echoes_project_get_ratio (self->project);
  for (guint i = 0; i < G_N_ELEMENTS (ratios); i++)
    if (g_strcmp0 (ratio, ratios[i]) == 0)
      selected = i;
  gtk_drop_down_set_selected (self->ratio_dropdown, selected);

  music = echoes_music_parse (echoes_project_get_music (self->project), NULL);
  for (guint i = 0; music != NULL && music->tracks != NULL && music->tracks[i] != NULL; i++)
    {
      g_autofree char *name = g_path_get_basename (music->tracks[i]);

      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, name);
    }
  if (names->len > 0)
    {
      g_autofree char *tooltip = g_strdup_printf (_("Music: %s"), names->str);

      gtk_label_set_use_underline (self->music_label, FALSE);
      gtk_label_set_label (self->music_label, names->str);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->music_button), tooltip);
    }
  else
    {
      gtk_label_set_use_underline (self->music_label, TRUE);
      gtk_label_set_label (self->music_label, _("_Music…"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->music_button), _("Choose the Music"));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->volume_button), names->len > 0);
  if (music != NULL)
    gtk_adjustment_set_value (self->volume_adjustment, music->volume);

  self->updating_project = FALSE;
}

static void
save_project (EchoesWindow *self,
              const char   *music,
              const char   *ratio)
{
  g_autoptr(EchoesProject) copy = NULL;

  if (self->project == NULL)
    return;

  copy = echoes_project_copy (self->project);
  if (music != NULL)
    echoes_project_set_music (copy, music);
  if (ratio != NULL)
    echoes_project_set_ratio (copy, ratio);
  echoes_library_update_project (get_library (self), copy);
}

static void
ratio_selected_cb (EchoesWindow *self,
                   GParamSpec   *pspec,
                   GtkDropDown  *dropdown)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (self->updating_project || self->project == NULL || selected >= G_N_ELEMENTS (ratios) ||
      g_strcmp0 (echoes_project_get_ratio (self->project), ratios[selected]) == 0)
    return;

  save_project (self, NULL, ratios[selected]);
}

static gboolean
save_volume_cb (gpointer user_data)
{
  EchoesWindow *self = user_data;
  g_autoptr(EchoesMusic) music = NULL;
  g_autofree char *text = NULL;

  self->volume_source = 0;
  if (self->project == NULL ||
      !(music = echoes_music_parse (echoes_project_get_music (self->project), NULL)))
    return G_SOURCE_REMOVE;

  music->volume = gtk_adjustment_get_value (self->volume_adjustment);
  text = echoes_music_format (music);
  save_project (self, text, NULL);
  return G_SOURCE_REMOVE;
}

static void
volume_changed_cb (EchoesWindow  *self,
                   GtkAdjustment *adjustment)
{
  /* Write once the scale stops moving, not at every step of a drag. */
  if (!self->updating_project && self->project != NULL)
    {
      g_clear_handle_id (&self->volume_source, g_source_remove);
      self->volume_source = g_timeout_add (300, save_volume_cb, self);
    }
}

typedef struct
{
  EchoesWindow *self;        /* (owned) */
  char         *project_id;  /* (owned) */
  GStrv         paths;       /* (owned) */
} MusicProbe;

static void
music_probe_free (MusicProbe *probe)
{
  g_object_unref (probe->self);
  g_free (probe->project_id);
  g_strfreev (probe->paths);
  g_free (probe);
}

static void
music_probed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  MusicProbe *probe = user_data;
  EchoesWindow *self = probe->self;
  g_autoptr(GPtrArray) tracks = NULL;
  g_autoptr(EchoesMusic) music = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  tracks = echoes_music_probe_finish (result, &error);

  if (tracks == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *name = g_path_get_basename (probe->paths[0]);

          if (g_strv_length (probe->paths) == 1)
            /* Translators: %s is a file name, then the reason */
            text = g_strdup_printf (_("“%s” cannot be used as music: %s"), name, error->message);
          else
            text = g_strdup_printf (_("The music cannot be used: %s"), error->message);
          adw_toast_overlay_add_toast (self->toast_overlay, toast_new_escaped (text));
        }
      music_probe_free (probe);
      return;
    }

  /* The user may have switched projects meanwhile: the music goes where it was chosen. */
  if (self->project != NULL && g_strcmp0 (get_project_id (self), probe->project_id) == 0)
    {
      if (!(music = echoes_music_parse (echoes_project_get_music (self->project), NULL)))
        music = echoes_music_new ();
      g_strfreev (music->tracks);
      music->tracks = g_strdupv (probe->paths);
      text = echoes_music_format (music);
      save_project (self, text, NULL);
    }

  music_probe_free (probe);
}

static void
music_chooser_response_cb (EchoesWindow         *self,
                           int                   response,
                           GtkFileChooserNative *chooser)
{
  g_autoptr(GListModel) files = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) paths = NULL;
  guint n;

  if (response == GTK_RESPONSE_ACCEPT)
    files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (chooser));
  g_clear_object (&self->music_chooser);

  if (files == NULL || self->project == NULL || (n = g_list_model_get_n_items (files)) == 0)
    return;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GFile) file = g_list_model_get_item (files, i);
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        g_strv_builder_add (builder, path);
    }

  paths = g_strv_builder_end (builder);
  _echoes_window_set_music_files (self, (const char * const *)paths);
}

static void
choose_music_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  const char *patterns[] = { "*.mp3", "*.ogg", "*.oga", "*.flac", "*.wav", "*.m4a" };

  if (self->project == NULL || self->music_chooser != NULL)
    return;

  gtk_file_filter_set_name (filter, _("Music"));
  gtk_file_filter_add_mime_type (filter, "audio/*");
  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);

  self->music_chooser = gtk_file_chooser_native_new (_("Choose Music"), GTK_WINDOW (self),
                                                     GTK_FILE_CHOOSER_ACTION_OPEN,
                                                     _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->music_chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->music_chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->music_chooser), filter);
  g_signal_connect_object (self->music_chooser, "response",
                           G_CALLBACK (music_chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->music_chooser));
}


/* Fit to music: the approved clips share the length of the music. */

typedef struct
{
  EchoesWindow *self;        /* (owned) */
  char         *project_id;  /* (owned) */
  EchoesFilm   *film;        /* (owned) */
  gboolean      fits;
} FitMusic;

static void
fit_music_free (FitMusic *fit)
{
  g_object_unref (fit->self);
  g_free (fit->project_id);
  g_clear_pointer (&fit->film, echoes_film_free);
  g_free (fit);
}

static void
fit_music_probe_lengths (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  FitMusic *fit = task_data;

  g_task_return_pointer (task, echoes_film_probe_lengths (fit->film, cancellable), g_free);
}

static void
fit_music_lengths_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  EchoesWindow *self = ECHOES_WINDOW (object);
  FitMusic *fit = g_task_get_task_data (G_TASK (result));
  g_autofree GstClockTime *lengths = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autofree char *text = NULL;
  guint longer = 0;

  if (lengths == NULL || self->context == NULL)
    return;

  if (self->project != NULL && g_strcmp0 (get_project_id (self), fit->project_id) == 0)
    longer = echoes_film_lengthen_clips (fit->film, lengths, echoes_context_get_library (self->context),
                                         fit->project_id, get_queue (self),
                                         echoes_project_get_ratio (self->project));

  if (!fit->fits)
    text = g_strdup (_("The music does not fit this many clips; they were made as long or as short as allowed"));
  else if (longer > 0)
    text = g_strdup_printf (ngettext ("The film now ends with the music; %u clip is made again, longer",
                                      "The film now ends with the music; %u clips are made again, longer",
                                      longer), longer);
  else
    text = g_strdup (_("The film now ends with the music"));

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static void
fit_music_probed_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  FitMusic *fit = user_data;
  EchoesWindow *self = fit->self;
  g_autoptr(GPtrArray) tracks = NULL;
  g_autoptr(EchoesMusic) music = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree GstClockTime *durations = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GTask) task = NULL;
  gboolean fits;

  if (!(tracks = echoes_music_probe_finish (result, &error)))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          text = g_strdup_printf (_("The music cannot be used: %s"), error->message);
          adw_toast_overlay_add_toast (self->toast_overlay, toast_new_escaped (text));
        }
      fit_music_free (fit);
      return;
    }

  if (self->project == NULL || g_strcmp0 (get_project_id (self), fit->project_id) != 0 ||
      !(music = echoes_music_parse (echoes_project_get_music (self->project), NULL)))
    {
      fit_music_free (fit);
      return;
    }

  durations = g_new0 (GstClockTime, fit->film->n_clips);
  fits = echoes_music_fit_durations (echoes_music_total_duration (tracks), fit->film->n_clips,
                                     get_crossfade (self), GST_SECOND / 30, durations);
  for (guint i = 0; i < fit->film->n_clips; i++)
    echoes_music_set_clip_duration (music, fit->film->clip_ids[i], durations[i]);
  g_free (text);
  text = echoes_music_format (music);
  save_project (self, text, NULL);

  /* Clips can be cut but not stretched: the ones that must get longer are made again,
   * once their lengths are known (off the main thread). */
  memcpy (fit->film->durations, durations, fit->film->n_clips * sizeof (GstClockTime));
  fit->fits = fits;
  task = g_task_new (self, self->cancellable, fit_music_lengths_cb, NULL);
  g_task_set_task_data (task, fit, (GDestroyNotify) fit_music_free);
  g_task_run_in_thread (task, fit_music_probe_lengths);
}

static void
fit_music_loaded_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(EchoesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  EchoesFilm *film;
  FitMusic *fit;

  if (!(film = echoes_store_run_finish (ECHOES_STORE (object), result, &error)))
    {
      if (g_error_matches (error, ECHOES_EXPORT_ERROR, ECHOES_EXPORT_ERROR_NO_CLIPS))
        adw_toast_overlay_add_toast (self->toast_overlay,
                                     adw_toast_new (_("Approve some ready clips to fit them to the music")));
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_toast_overlay_add_toast (self->toast_overlay, toast_new_escaped (error->message));
      return;
    }

  if (film->music == NULL || film->music[0] == NULL)
    {
      echoes_film_free (film);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Choose the music first")));
      return;
    }

  fit = g_new0 (FitMusic, 1);
  fit->self = g_object_ref (self);
  fit->project_id = g_strdup (get_project_id (self));
  fit->film = film;
  echoes_music_probe_async ((const char * const *)film->music, self->cancellable,
                            fit_music_probed_cb, fit);
}

static void
fit_to_music_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);

  if (self->context == NULL || get_project_id (self) == NULL)
    return;

  echoes_store_run_async (echoes_context_get_store (self->context), load_film_func,
                          g_strdup (get_project_id (self)), g_free,
                          (GDestroyNotify)echoes_film_free, self->cancellable,
                          fit_music_loaded_cb, g_object_ref (self));
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
  ImportBatch *batch;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->import_cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_clear_handle_id (&self->refocus_source, g_source_remove);
  g_clear_handle_id (&self->volume_source, g_source_remove);
  g_cancellable_cancel (self->export_cancellable);

  if (self->export_chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->export_chooser));
      g_clear_object (&self->export_chooser);
    }
  if (self->music_chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->music_chooser));
      g_clear_object (&self->music_chooser);
    }

  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }

  while ((batch = g_queue_pop_head (&self->import_queue)) != NULL)
    import_batch_free (batch);

  if (self->context != NULL)
    {
      g_signal_handlers_disconnect_by_data (echoes_context_get_library (self->context), self);
      g_signal_handlers_disconnect_by_data (echoes_context_get_queue (self->context), self);
    }
  if (self->exporter != NULL)
    g_signal_handlers_disconnect_by_data (self->exporter, self);

  if (self->project_signals != NULL)
    g_signal_group_set_target (self->project_signals, NULL);
  if (self->clips_signals != NULL)
    g_signal_group_set_target (self->clips_signals, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), ECHOES_TYPE_WINDOW);

  g_clear_object (&self->project_selection);
  g_clear_object (&self->filtered_projects);
  g_clear_object (&self->project_filter);
  g_clear_object (&self->clip_selection);
  g_clear_object (&self->clips);
  g_clear_object (&self->project);
  g_clear_object (&self->importer);

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

  g_type_ensure (ECHOES_TYPE_PROJECT);
  g_type_ensure (ECHOES_TYPE_CLIP_CARD);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/echoes-window.ui");
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
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, volume_adjustment);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, volume_button);
  gtk_widget_class_bind_template_child (widget_class, EchoesWindow, window_title);
  gtk_widget_class_bind_template_callback (widget_class, project_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, project_subtitle);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);

  gtk_widget_class_install_action (widget_class, "win.new-project", NULL, new_project_action);
  gtk_widget_class_install_action (widget_class, "win.rename-project", NULL, rename_project_action);
  gtk_widget_class_install_action (widget_class, "win.delete-project", NULL, delete_project_action);
  gtk_widget_class_install_action (widget_class, "win.restore-project", "s", restore_project_action);
  gtk_widget_class_install_action (widget_class, "win.show-projects", NULL, show_projects_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.add-photos", NULL, add_photos_action);
  gtk_widget_class_install_action (widget_class, "win.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-import", NULL, cancel_import_action);
  gtk_widget_class_install_action (widget_class, "win.show-import-errors", NULL, show_import_errors_action);
  gtk_widget_class_install_action (widget_class, "win.trash-clip", "s", trash_clip_action);
  gtk_widget_class_install_action (widget_class, "win.restore-clip", "(ssu)", restore_clip_action);
  gtk_widget_class_install_action (widget_class, "win.set-clip-approved", "(sb)", set_clip_approved_action);
  gtk_widget_class_install_action (widget_class, "win.move-clip", "(su)", move_clip_action);
  gtk_widget_class_install_action (widget_class, "win.move-clip-left", NULL, move_clip_left_action);
  gtk_widget_class_install_action (widget_class, "win.move-clip-right", NULL, move_clip_right_action);
  gtk_widget_class_install_action (widget_class, "win.delete-focused-clip", NULL, delete_focused_clip_action);
  gtk_widget_class_install_action (widget_class, "win.sort-by-date", NULL, sort_by_date_action);
  gtk_widget_class_install_action (widget_class, "win.restore-order", "(sas)", restore_order_action);
  gtk_widget_class_install_action (widget_class, "win.generate-all", NULL, generate_all_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-generation", NULL, cancel_generation_action);
  gtk_widget_class_install_action (widget_class, "win.generate-clip", "s", generate_clip_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-clip", "s", cancel_clip_action);
  gtk_widget_class_install_action (widget_class, "win.open-clip", "s", open_clip_action);
  gtk_widget_class_install_action (widget_class, "win.play", NULL, play_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-export", NULL, cancel_export_action);
  gtk_widget_class_install_action (widget_class, "win.show-in-files", "s", show_in_files_action);
  gtk_widget_class_install_action (widget_class, "win.choose-music", NULL, choose_music_action);
  gtk_widget_class_install_action (widget_class, "win.fit-to-music", NULL, fit_to_music_action);

  /* Bubble phase: entries get these keys first. */
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
}

static void
echoes_window_init (EchoesWindow *self)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  GtkSignalListItemFactory *factory;
  GtkDropTargetAsync *drop;
  g_autoptr(GdkContentFormats) formats = NULL;
  GSettingsSchemaSource *source;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->failures = g_ptr_array_new_with_free_func (g_free);
  self->failure_list = gtk_string_list_new (NULL);
  self->pending_files = g_ptr_array_new_with_free_func (g_object_unref);
  g_queue_init (&self->import_queue);

  /* Without an installed schema (running from the build tree) the window still works. */
  source = g_settings_schema_source_get_default ();
  if (source != NULL && (schema = g_settings_schema_source_lookup (source, BASE_ID, TRUE)) != NULL)
    {
      self->settings = g_settings_new (BASE_ID);
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

  /* Clips: library model -> selection -> grid of cards */
  self->clip_selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->clip_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->clip_selection, TRUE);
  factory = GTK_SIGNAL_LIST_ITEM_FACTORY (gtk_signal_list_item_factory_new ());
  g_signal_connect_object (factory, "setup", G_CALLBACK (clip_setup_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "bind", G_CALLBACK (clip_bind_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (clip_unbind_cb), self, G_CONNECT_SWAPPED);
  gtk_grid_view_set_factory (self->clip_grid, GTK_LIST_ITEM_FACTORY (factory));
  gtk_grid_view_set_model (self->clip_grid, GTK_SELECTION_MODEL (self->clip_selection));
  g_object_unref (factory);

  g_signal_connect_object (self->clip_grid, "activate", G_CALLBACK (clip_activated_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->ratio_dropdown, "notify::selected", G_CALLBACK (ratio_selected_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->volume_adjustment, "value-changed", G_CALLBACK (volume_changed_cb),
                           self, G_CONNECT_SWAPPED);
  self->export_options.format = ECHOES_EXPORT_FORMAT_MP4;
  self->export_options.height = 1080;
  self->export_options.crossfade = get_crossfade (self);

  self->clips_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_object (self->clips_signals, "items-changed", G_CALLBACK (clips_changed_cb),
                                 self, G_CONNECT_SWAPPED);

  /* Files and images dropped from other applications */
  formats = gdk_content_formats_new_for_gtype (GDK_TYPE_FILE_LIST);
  formats = gdk_content_formats_union (formats, gdk_content_formats_new_for_gtype (GDK_TYPE_TEXTURE));
  drop = gtk_drop_target_async_new (g_steal_pointer (&formats), GDK_ACTION_COPY);
  g_signal_connect_object (drop, "accept", G_CALLBACK (drop_accept_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (drop, "drag-enter", G_CALLBACK (drop_enter_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (drop, "drag-motion", G_CALLBACK (drop_enter_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (drop, "drag-leave", G_CALLBACK (drop_leave_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (drop, "drop", G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (self->content, GTK_EVENT_CONTROLLER (drop));
  gtk_widget_add_css_class (self->content, "drop-area");

  gtk_search_bar_set_key_capture_widget (self->search_bar, self->sidebar);

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
  EchoesLibrary *library;
  g_autofree char *last = NULL;
  g_autoptr(GPtrArray) pending = NULL;

  g_return_if_fail (ECHOES_IS_WINDOW (self));
  g_return_if_fail (ECHOES_IS_CONTEXT (context));

  if (self->context != NULL)
    return;

  self->context = g_object_ref (context);
  self->opened_at = g_get_monotonic_time ();
  echoes_account_menu_attach (self, self->primary_menu, context);
  library = echoes_context_get_library (context);
  g_signal_connect_object (library, "error", G_CALLBACK (library_error_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (echoes_context_get_queue (context), "notify::n-jobs",
                           G_CALLBACK (queue_n_jobs_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (echoes_context_get_queue (context), "clip-started",
                           G_CALLBACK (queue_clip_started_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (echoes_context_get_queue (context), "clip-progress",
                           G_CALLBACK (queue_clip_progress_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (echoes_context_get_queue (context), "clip-finished",
                           G_CALLBACK (queue_clip_finished_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (echoes_context_get_queue (context), "drained",
                           G_CALLBACK (queue_drained_cb), self, G_CONNECT_SWAPPED);

  gtk_spinner_stop (self->loading_spinner);

  if (self->settings != NULL)
    last = g_settings_get_string (self->settings, "last-project");
  if (last != NULL && *last != '\0')
    self->wanted_project_id = g_steal_pointer (&last);
  else
    self->select_first = TRUE;

  gtk_filter_list_model_set_model (self->filtered_projects, echoes_library_get_projects (library));
  projects_changed_cb (self, 0, 0, 0, G_LIST_MODEL (self->filtered_projects));
  update_sidebar_page (self);
  update_content_page (self);
  update_generation (self);

  pending = g_steal_pointer (&self->pending_files);
  self->pending_files = g_ptr_array_new_with_free_func (g_object_unref);
  if (pending->len > 0)
    echoes_window_import_files (self, pending);
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
  update_actions (self);
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

  if ((text = describe_error (error)) == NULL)
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
  update_actions (self);
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
  return get_project_id (self);
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

  if (get_library (self) != NULL &&
      (project = echoes_library_find_project (get_library (self), project_id)) != NULL)
    {
      g_clear_pointer (&self->wanted_project_id, g_free);
      echoes_window_set_project (self, project);
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
    title = untitled = make_untitled_title (self);

  echoes_library_create_project_async (get_library (self), title, self->cancellable,
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

  queue_import (self, files, NULL);
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

/* Does what the Undo button of the last toast does. */
gboolean
_echoes_window_undo (EchoesWindow *self)
{
  g_autofree char *action = g_steal_pointer (&self->undo_action);
  g_autoptr(GVariant) target = g_steal_pointer (&self->undo_target);

  if (action == NULL)
    return FALSE;

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

  if (self->exporting || self->context == NULL || get_project_id (self) == NULL)
    return;

  self->export_options = *options;
  /* The choice is kept (the `crossfade` setting): the film preview plays the film as it
   * was last exported. */
  set_crossfade (self, options->crossfade);
  self->export_options.crossfade = get_crossfade (self);
  g_set_object (&self->export_file, file);
  g_free (self->export_project_id);
  self->export_project_id = g_strdup (get_project_id (self));
  g_clear_object (&self->export_cancellable);
  self->export_cancellable = g_cancellable_new ();

  gtk_label_set_label (self->export_label, _("Preparing the export…"));
  gtk_progress_bar_set_fraction (self->export_progress, 0.0);
  set_exporting (self, TRUE);

  echoes_store_run_async (echoes_context_get_store (self->context), load_film_func,
                          g_strdup (self->export_project_id), g_free,
                          (GDestroyNotify)echoes_film_free, self->export_cancellable,
                          export_film_loaded_cb, g_object_ref (self));
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

/**
 * _echoes_window_set_music_files:
 * @paths: audio files
 *
 * What choosing music in the file chooser does: probes @paths in the background, then
 * stores them as the shown project's music, or shows a toast and keeps the old music.
 */
void
_echoes_window_set_music_files (EchoesWindow       *self,
                                const char * const *paths)
{
  MusicProbe *probe;

  g_return_if_fail (ECHOES_IS_WINDOW (self));

  if (paths == NULL || paths[0] == NULL || get_project_id (self) == NULL)
    return;

  probe = g_new0 (MusicProbe, 1);
  probe->self = g_object_ref (self);
  probe->project_id = g_strdup (get_project_id (self));
  probe->paths = g_strdupv ((char **)paths);
  echoes_music_probe_async ((const char * const *)probe->paths, self->cancellable,
                            music_probed_cb, probe);
}

const char *
_echoes_window_get_music_label (EchoesWindow *self)
{
  g_return_val_if_fail (ECHOES_IS_WINDOW (self), NULL);
  return gtk_label_get_label (self->music_label);
}

/* The crossfade the film preview and the export use (the `crossfade` setting). */
GstClockTime
_echoes_window_get_crossfade (EchoesWindow *self)
{
  g_return_val_if_fail (ECHOES_IS_WINDOW (self), 0);
  return get_crossfade (self);
}
