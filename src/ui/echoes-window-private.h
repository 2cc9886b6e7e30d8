/* echoes-window-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "echoes-drop-target.h"
#include "echoes-film-export.h"
#include "echoes-importer.h"
#include "echoes-library.h"
#include "echoes-window.h"

G_BEGIN_DECLS

/* The window is split by feature, each in its own file:
 *
 *   echoes-window.c             the class, its template, init, dispose and public API,
 *                               and the helpers every feature shares (toasts, errors)
 *   echoes-window-actions.c     which actions are enabled, the keyboard shortcuts
 *   echoes-window-projects.c    the project list, search, the title dialog, delete/restore
 *   echoes-window-clips.c       the clip grid: focus, move, approve, trash, sort, open, play
 *   echoes-window-import.c      the import queue, paste, the file chooser, drops
 *   echoes-window-generation.c  the generation progress and its actions
 *   echoes-window-export.c      the Export dialog, its progress and Show in Files
 *   echoes-window-music.c       music, volume, ratio and Fit Clips to Music
 *   echoes-window-sync.c        the sync indicator, its errors, the first sign-in's
 *                               question and Keep in My Account
 *
 * The struct lives here so that each file reaches the state of its feature; a file calls
 * another feature only through the _echoes_window_*() functions below. */

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
  EchoesDropTarget     *drop_target;        /* (owned) */

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

  /* "Approve some ready clips…": gone once a clip is approved */
  AdwToast             *approve_hint;       /* (nullable) weak */
  /* Sync (the engine is the context's, while signed in) */
  EchoesSyncEngine     *sync_engine;        /* (owned) (nullable) */
  GSignalGroup         *sync_signals;       /* (owned) */
  AdwToast             *sync_toast;         /* (nullable) weak: the error shown */
  guint                 n_sync_toasts;      /* sync errors shown, for tests */
  gint64                focus_synced_at;    /* monotonic */

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
  GtkDropDown          *provider_dropdown;
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
  GtkWidget            *sync_box;
  GtkImage             *sync_icon;
  GtkSpinner           *sync_spinner;
  GtkLabel             *sync_label;
};

/* echoes-window.c: shared helpers */
EchoesLibrary *_echoes_window_get_library          (EchoesWindow  *self);
const char    *_echoes_window_get_project_id       (EchoesWindow  *self);
AdwToast      *_echoes_window_toast_new_escaped    (const char    *text);
void           _echoes_window_show_undo_toast      (EchoesWindow  *self,
                                                    const char    *title,
                                                    const char    *action_name,
                                                    GVariant      *target);
void           _echoes_window_show_approve_hint    (EchoesWindow  *self,
                                                    const char    *text);
void           _echoes_window_hide_approve_hint    (EchoesWindow  *self);
const char    *_echoes_window_describe_error       (const GError  *error);
void           _echoes_window_show_library_error   (EchoesWindow  *self,
                                                    const GError  *error);
void           _echoes_window_send_notification    (EchoesWindow  *self,
                                                    const char    *id,
                                                    const char    *title,
                                                    const char    *body);
void           _echoes_window_set_crossfade        (EchoesWindow  *self,
                                                    GstClockTime   crossfade);
void           _echoes_window_load_film_async      (EchoesWindow        *self,
                                                    const char          *project_id,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
void           _echoes_window_update_content_page  (EchoesWindow  *self);

/* echoes-window-actions.c */
void           _echoes_window_actions_class_init   (GtkWidgetClass *widget_class);
void           _echoes_window_update_actions       (EchoesWindow   *self);

/* echoes-window-projects.c */
void           _echoes_window_projects_class_init  (GtkWidgetClass *widget_class);
void           _echoes_window_projects_init        (EchoesWindow   *self);
void           _echoes_window_projects_dispose     (EchoesWindow   *self);
void           _echoes_window_projects_set_context (EchoesWindow   *self);
void           _echoes_window_set_project          (EchoesWindow   *self,
                                                    EchoesProject  *project);
char          *_echoes_window_make_untitled_title  (EchoesWindow   *self);

/* echoes-window-clips.c */
void           _echoes_window_clips_class_init     (GtkWidgetClass *widget_class);
void           _echoes_window_clips_init           (EchoesWindow   *self);
void           _echoes_window_clips_dispose        (EchoesWindow   *self);

/* echoes-window-import.c */
void           _echoes_window_import_class_init    (GtkWidgetClass *widget_class);
void           _echoes_window_import_init          (EchoesWindow   *self);
void           _echoes_window_import_dispose       (EchoesWindow   *self);
void           _echoes_window_import_set_context   (EchoesWindow   *self);
void           _echoes_window_queue_import         (EchoesWindow   *self,
                                                    GPtrArray      *files,
                                                    GPtrArray      *temp_files);

/* echoes-window-generation.c */
void           _echoes_window_generation_class_init  (GtkWidgetClass *widget_class);
void           _echoes_window_generation_set_context (EchoesWindow   *self);
EchoesGenerationQueue *_echoes_window_get_queue      (EchoesWindow   *self);

/* echoes-window-export.c */
void           _echoes_window_export_class_init    (GtkWidgetClass *widget_class);
void           _echoes_window_export_init          (EchoesWindow   *self);
void           _echoes_window_export_dispose       (EchoesWindow   *self);
void           _echoes_window_export_to            (EchoesWindow              *self,
                                                    GFile                     *file,
                                                    const EchoesExportOptions *options);

/* echoes-window-music.c */
void           _echoes_window_music_class_init     (GtkWidgetClass *widget_class);
void           _echoes_window_music_init           (EchoesWindow   *self);
void           _echoes_window_music_dispose        (EchoesWindow   *self);
void           _echoes_window_music_update         (EchoesWindow   *self);

/* echoes-window-sync.c */
void           _echoes_window_sync_class_init      (GtkWidgetClass *widget_class);
void           _echoes_window_sync_init            (EchoesWindow   *self);
void           _echoes_window_sync_dispose         (EchoesWindow   *self);
void           _echoes_window_sync_set_context     (EchoesWindow   *self);
void           _echoes_window_sync_update_actions  (EchoesWindow   *self);

/* For tests: the widgets and state they check. */
GtkWidget  *_echoes_window_get_clip_grid      (EchoesWindow *self);
GtkWidget  *_echoes_window_get_leaflet        (EchoesWindow *self);
GtkWidget  *_echoes_window_get_sidebar        (EchoesWindow *self);
GtkWidget  *_echoes_window_get_content        (EchoesWindow *self);
const char *_echoes_window_get_page           (EchoesWindow *self);
gboolean    _echoes_window_undo               (EchoesWindow *self);
gboolean    _echoes_window_can_undo           (EchoesWindow *self);
guint       _echoes_window_get_n_failures     (EchoesWindow *self);
guint       _echoes_window_get_n_shown_projects (EchoesWindow *self);
void        _echoes_window_set_music_files    (EchoesWindow       *self,
                                               const char * const *paths);
const char *_echoes_window_get_music_label    (EchoesWindow *self);
GstClockTime _echoes_window_get_crossfade     (EchoesWindow *self);
EchoesDropTarget *_echoes_window_get_drop_target (EchoesWindow *self);
const char *_echoes_window_get_sync_label     (EchoesWindow *self);
AdwToast   *_echoes_window_get_sync_toast     (EchoesWindow *self);
guint       _echoes_window_get_n_sync_toasts  (EchoesWindow *self);
AdwMessageDialog *_echoes_window_get_first_sign_in_dialog (EchoesWindow *self);

G_END_DECLS
