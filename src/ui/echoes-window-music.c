/* echoes-window-music.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-window"

#include "config.h"

#include <glib/gi18n.h>

#include "echoes-window-private.h"

#include "echoes-music.h"
#include "echoes-project-settings.h"

/* The project's music, its volume, the film's ratio and how its clips move (its
 * provider) in the bar under the timeline, and "Fit Clips to Music". */

/* The provider drop-down's items, in order: the app's setting, Ken Burns, AI. */
static const char * const provider_choices[] = { ECHOES_PROVIDER_CHOICE_DEFAULT, "local", "runway" };

void
_echoes_window_music_update (EchoesWindow *self)
{
  g_autoptr(EchoesMusic) music = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  EchoesRatio ratio = ECHOES_RATIO_DEFAULT;

  if (self->project == NULL)
    return;

  self->updating_project = TRUE;

  /* The drop-down lists the ratios in #EchoesRatio order. */
  echoes_ratio_from_string (echoes_project_get_ratio (self->project), &ratio);
  gtk_drop_down_set_selected (self->ratio_dropdown, ratio);
  gtk_drop_down_set_selected (self->provider_dropdown, 0);
  for (guint i = 1; i < G_N_ELEMENTS (provider_choices); i++)
    if (g_strcmp0 (echoes_project_get_provider (self->project), provider_choices[i]) == 0)
      gtk_drop_down_set_selected (self->provider_dropdown, i);

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

/* The shown project's settings go through the same code as `echoes-cli projects set`
 * (echoes-project-settings.c), on a copy that the library then stores. */
static EchoesProject *
edit_project (EchoesWindow *self)
{
  return self->project != NULL ? echoes_project_copy (self->project) : NULL;
}

static void
save_project (EchoesWindow  *self,
              EchoesProject *copy)
{
  echoes_library_update_project (_echoes_window_get_library (self), copy);
}

static void
ratio_selected_cb (EchoesWindow *self,
                   GParamSpec   *pspec,
                   GtkDropDown  *dropdown)
{
  guint selected = gtk_drop_down_get_selected (dropdown);
  const char *ratio;

  if (self->updating_project || self->project == NULL || selected > ECHOES_RATIO_1_1)
    return;

  ratio = echoes_ratio_to_string ((EchoesRatio) selected);
  if (g_strcmp0 (echoes_project_get_ratio (self->project), ratio) != 0)
    {
      g_autoptr(EchoesProject) copy = edit_project (self);

      if (echoes_project_settings_set_ratio (copy, ratio, NULL))
        save_project (self, copy);
    }
}

static void
provider_selected_cb (EchoesWindow *self,
                      GParamSpec   *pspec,
                      GtkDropDown  *dropdown)
{
  guint selected = gtk_drop_down_get_selected (dropdown);
  g_autoptr(EchoesProject) copy = NULL;

  if (self->updating_project || self->project == NULL || selected >= G_N_ELEMENTS (provider_choices))
    return;

  copy = edit_project (self);
  if (echoes_project_settings_set_provider (copy, provider_choices[selected], NULL) &&
      g_strcmp0 (echoes_project_get_provider (copy), echoes_project_get_provider (self->project)) != 0)
    save_project (self, copy);
}

static gboolean
save_volume_cb (gpointer user_data)
{
  EchoesWindow *self = user_data;
  g_autoptr(EchoesProject) copy = NULL;

  self->volume_source = 0;
  if ((copy = edit_project (self)) != NULL &&
      echoes_project_settings_set_volume (copy, gtk_adjustment_get_value (self->volume_adjustment),
                                          NULL))
    save_project (self, copy);
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
          adw_toast_overlay_add_toast (self->toast_overlay, _echoes_window_toast_new_escaped (text));
        }
      music_probe_free (probe);
      return;
    }

  /* The user may have switched projects meanwhile: the music goes where it was chosen. */
  if (self->project != NULL && g_strcmp0 (_echoes_window_get_project_id (self), probe->project_id) == 0)
    {
      g_autoptr(EchoesProject) copy = edit_project (self);

      echoes_project_settings_set_music_tracks (copy, (const char * const *) probe->paths);
      save_project (self, copy);
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

  if (self->project != NULL && g_strcmp0 (_echoes_window_get_project_id (self), fit->project_id) == 0)
    longer = echoes_film_lengthen_clips (fit->film, lengths, echoes_context_get_library (self->context),
                                         fit->project_id, _echoes_window_get_queue (self),
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
  g_autoptr(EchoesProject) copy = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GTask) task = NULL;

  if (!(tracks = echoes_music_probe_finish (result, &error)))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          text = g_strdup_printf (_("The music cannot be used: %s"), error->message);
          adw_toast_overlay_add_toast (self->toast_overlay, _echoes_window_toast_new_escaped (text));
        }
      fit_music_free (fit);
      return;
    }

  if (self->project == NULL || g_strcmp0 (_echoes_window_get_project_id (self), fit->project_id) != 0 ||
      !(music = echoes_music_parse (echoes_project_get_music (self->project), NULL)))
    {
      fit_music_free (fit);
      return;
    }

  /* The same fitting as `echoes-cli projects fit-to-music`; it sets the film's durations. */
  fit->fits = echoes_film_fit_to_music (fit->film, tracks, _echoes_window_get_crossfade (self),
                                        music);
  copy = edit_project (self);
  text = echoes_music_format (music);
  echoes_project_set_music (copy, text);
  save_project (self, copy);

  /* Clips can be cut but not stretched: the ones that must get longer are made again,
   * once their lengths are known (off the main thread). */
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
        _echoes_window_show_approve_hint (self, _("Approve some ready clips to fit them to the music"));
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_toast_overlay_add_toast (self->toast_overlay, _echoes_window_toast_new_escaped (error->message));
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
  fit->project_id = g_strdup (_echoes_window_get_project_id (self));
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

  if (self->context == NULL || _echoes_window_get_project_id (self) == NULL)
    return;

  _echoes_window_load_film_async (self, _echoes_window_get_project_id (self), self->cancellable,
                                  fit_music_loaded_cb, g_object_ref (self));
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

  if (paths == NULL || paths[0] == NULL || _echoes_window_get_project_id (self) == NULL)
    return;

  probe = g_new0 (MusicProbe, 1);
  probe->self = g_object_ref (self);
  probe->project_id = g_strdup (_echoes_window_get_project_id (self));
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

/* Feature hooks */


void
_echoes_window_music_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.choose-music", NULL, choose_music_action);
  gtk_widget_class_install_action (widget_class, "win.fit-to-music", NULL, fit_to_music_action);
}

void
_echoes_window_music_init (EchoesWindow *self)
{
  g_signal_connect_object (self->ratio_dropdown, "notify::selected", G_CALLBACK (ratio_selected_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->provider_dropdown, "notify::selected",
                           G_CALLBACK (provider_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->volume_adjustment, "value-changed", G_CALLBACK (volume_changed_cb),
                           self, G_CONNECT_SWAPPED);
}

void
_echoes_window_music_dispose (EchoesWindow *self)
{
  g_clear_handle_id (&self->volume_source, g_source_remove);

  if (self->music_chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->music_chooser));
      g_clear_object (&self->music_chooser);
    }
}
