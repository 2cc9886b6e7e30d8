/* echoes-preferences-window.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-preferences-window"

#include "config.h"

#include "echoes-preferences-window.h"
#include "echoes-context.h"
#include "echoes-cloud-error.h"

#include <math.h>
#include <glib/gi18n.h>

#include "echoes-project-settings.h"

/* The app's preferences: every row is bound to its GSettings key (g_settings_bind), so a
 * change applies at once, everywhere the key is read, and a key changed elsewhere (the
 * Export dialog's crossfade switch, dconf) shows here at once too. */

struct _EchoesPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;        /* (owned) */
  GtkFileChooserNative *folder_chooser;  /* (owned) (nullable) */

  AdwComboRow          *format_row;
  AdwActionRow         *folder_row;
  AdwComboRow          *provider_row;
  AdwComboRow          *quality_row;
  AdwComboRow          *ratio_row;
  GtkSpinButton        *crossfade_spin;
  GtkSpinButton        *duration_spin;
  GtkSwitch            *fallback_switch;

  /* The user's own Runway key (with a context only) */
  EchoesContext        *context;          /* (owned) (nullable) */
  GCancellable         *key_cancellable;  /* (owned) (nullable) a check or removal running */
  AdwPreferencesGroup  *runway_group;
  AdwPasswordEntryRow  *runway_key_row;
  AdwActionRow         *runway_key_saved_row;
  GtkButton            *runway_key_remove_button;
};

G_DEFINE_FINAL_TYPE (EchoesPreferencesWindow, echoes_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The rows' items, in order, as the keys' <choices> spell them (the shapes are
 * echoes_project_settings_get_ratios()). */
static const char * const providers[] = { "local", "runway", NULL };
static const char * const formats[] = { "mp4", "webm", NULL };
static const char * const qualities[] = { "720p", "1080p", NULL };

static gboolean
choice_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char * const *choices = user_data;
  const char *choice = g_variant_get_string (variant, NULL);

  for (guint i = 0; choices[i] != NULL; i++)
    if (g_str_equal (choices[i], choice))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  return FALSE;
}

static GVariant *
choice_set_mapping (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  const char * const *choices = user_data;
  guint selected = g_value_get_uint (value);

  if (selected >= g_strv_length ((char **) choices))
    return NULL;

  return g_variant_new_string (choices[selected]);
}

static void
bind_choice (EchoesPreferencesWindow *self,
             const char              *key,
             AdwComboRow             *row,
             const char * const      *choices)
{
  g_settings_bind_with_mapping (self->settings, key, row, "selected", G_SETTINGS_BIND_DEFAULT,
                                choice_get_mapping, choice_set_mapping, (gpointer) choices, NULL);
}

/* The crossfade key is in milliseconds; the row shows seconds. */
static gboolean
crossfade_get_mapping (GValue   *value,
                       GVariant *variant,
                       gpointer  user_data)
{
  g_value_set_double (value, g_variant_get_uint32 (variant) / 1000.0);
  return TRUE;
}

static GVariant *
crossfade_set_mapping (const GValue       *value,
                       const GVariantType *expected_type,
                       gpointer            user_data)
{
  double seconds = g_value_get_double (value);

  if (!isfinite (seconds) || seconds < 0 || seconds > 5)
    return NULL;

  return g_variant_new_uint32 ((guint32) lround (seconds * 1000));
}

/* The folder as the row shows it: its name in the user's words, the Videos folder for
 * the empty default. */
static gboolean
folder_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char *path = g_variant_get_string (variant, NULL);

  if (*path == '\0')
    path = g_get_user_special_dir (G_USER_DIRECTORY_VIDEOS);
  if (path == NULL)
    path = g_get_home_dir ();

  g_value_take_string (value, g_filename_display_name (path));
  return TRUE;
}

static void
folder_chooser_response_cb (EchoesPreferencesWindow *self,
                            int                      response,
                            GtkFileChooserNative    *chooser)
{
  g_autoptr(GFile) folder = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (chooser));
  g_clear_object (&self->folder_chooser);

  /* A folder without a local path (a remote location) cannot be written by the
   * exporter: keep the previous one. */
  if (folder != NULL && (path = g_file_get_path (folder)) != NULL)
    g_settings_set_string (self->settings, "export-folder", path);
}

static void
choose_folder_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  EchoesPreferencesWindow *self = ECHOES_PREFERENCES_WINDOW (widget);
  g_autofree char *current = NULL;

  if (self->folder_chooser != NULL)
    return;

  self->folder_chooser = gtk_file_chooser_native_new (_("Choose the Export Folder"),
                                                      GTK_WINDOW (self),
                                                      GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                                      _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->folder_chooser), TRUE);

  current = g_settings_get_string (self->settings, "export-folder");
  if (*current != '\0')
    {
      g_autoptr(GFile) file = g_file_new_for_path (current);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->folder_chooser), file, NULL);
    }

  g_signal_connect_object (self->folder_chooser, "response",
                           G_CALLBACK (folder_chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->folder_chooser));
}

static void
update_runway_key (EchoesPreferencesWindow *self)
{
  gboolean has_key = self->context != NULL && echoes_context_get_has_runway_key (self->context);
  gboolean busy = self->key_cancellable != NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->runway_key_saved_row), has_key);
  gtk_widget_set_sensitive (GTK_WIDGET (self->runway_key_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->runway_key_remove_button), !busy);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->runway_key_row),
                                 busy ? _("Checking the key with Runway…")
                                      : has_key ? _("Replace With Another _Key")
                                                : _("Runway _API Key"));
}

static void
runway_key_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(EchoesPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  const char *message = NULL;

  if (!echoes_context_set_runway_key_finish (ECHOES_CONTEXT (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_UNAUTHORIZED))
        message = _("Runway does not accept this key");
      else
        message = echoes_cloud_error_describe (error);
    }
  else
    {
      message = echoes_context_get_has_runway_key (self->context)
                ? _("Your Runway key is saved") : _("Your Runway key is removed");
      gtk_editable_set_text (GTK_EDITABLE (self->runway_key_row), "");
    }

  g_clear_object (&self->key_cancellable);
  update_runway_key (self);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
}

static void
set_runway_key (EchoesPreferencesWindow *self,
                const char              *key)
{
  if (self->context == NULL || self->key_cancellable != NULL)
    return;

  self->key_cancellable = g_cancellable_new ();
  update_runway_key (self);
  echoes_context_set_runway_key_async (self->context, key, self->key_cancellable,
                                       runway_key_done_cb, g_object_ref (self));
}

static void
runway_key_apply_cb (EchoesPreferencesWindow *self)
{
  const char *key = gtk_editable_get_text (GTK_EDITABLE (self->runway_key_row));

  if (key != NULL && *key != '\0')
    set_runway_key (self, key);
}

static void
runway_key_remove_cb (EchoesPreferencesWindow *self)
{
  set_runway_key (self, NULL);
}

static void
echoes_preferences_window_dispose (GObject *object)
{
  EchoesPreferencesWindow *self = ECHOES_PREFERENCES_WINDOW (object);

  if (self->key_cancellable != NULL)
    g_cancellable_cancel (self->key_cancellable);
  g_clear_object (&self->key_cancellable);
  if (self->context != NULL)
    g_signal_handlers_disconnect_by_data (self->context, self);
  g_clear_object (&self->context);

  if (self->folder_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->folder_chooser));
  g_clear_object (&self->folder_chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), ECHOES_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (echoes_preferences_window_parent_class)->dispose (object);
}

static void
echoes_preferences_window_finalize (GObject *object)
{
  EchoesPreferencesWindow *self = ECHOES_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (echoes_preferences_window_parent_class)->finalize (object);
}

static void
echoes_preferences_window_class_init (EchoesPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = echoes_preferences_window_dispose;
  object_class->finalize = echoes_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/echoes-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EchoesPreferencesWindow, crossfade_spin);
  gtk_widget_class_bind_template_child (widget_class, EchoesPreferencesWindow, duration_spin);
  gtk_widget_class_bind_template_child (widget_class, EchoesPreferencesWindow, fallback_switch);
  gtk_widget_class_bind_template_child (widget_class, EchoesPreferencesWindow, folder_row);
  gtk_widget_class_bind_template_child (widget_class, EchoesPreferencesWindow, format_row);
  gtk_widget_class_bind_template_child (widget_class, EchoesPreferencesWindow, provider_row);
  gtk_widget_class_bind_template_child (widget_class, EchoesPreferencesWindow, quality_row);
  gtk_widget_class_bind_template_child (widget_class, EchoesPreferencesWindow, ratio_row);
  gtk_widget_class_bind_template_child (widget_class, EchoesPreferencesWindow, runway_group);
  gtk_widget_class_bind_template_child (widget_class, EchoesPreferencesWindow, runway_key_row);
  gtk_widget_class_bind_template_child (widget_class, EchoesPreferencesWindow, runway_key_saved_row);
  gtk_widget_class_bind_template_child (widget_class, EchoesPreferencesWindow, runway_key_remove_button);
  gtk_widget_class_bind_template_callback (widget_class, runway_key_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, runway_key_remove_cb);

  gtk_widget_class_install_action (widget_class, "preferences.choose-folder", NULL,
                                   choose_folder_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
echoes_preferences_window_init (EchoesPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (BASE_ID);

  bind_choice (self, "active-provider", self->provider_row, providers);
  bind_choice (self, "default-ratio", self->ratio_row, echoes_project_settings_get_ratios ());
  bind_choice (self, "export-format", self->format_row, formats);
  bind_choice (self, "export-quality", self->quality_row, qualities);
  g_settings_bind (self->settings, "ken-burns-fallback", self->fallback_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "clip-duration",
                   gtk_spin_button_get_adjustment (self->duration_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "crossfade",
                                gtk_spin_button_get_adjustment (self->crossfade_spin), "value",
                                G_SETTINGS_BIND_DEFAULT,
                                crossfade_get_mapping, crossfade_set_mapping, NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "export-folder", self->folder_row, "subtitle",
                                G_SETTINGS_BIND_GET, folder_get_mapping, NULL, NULL, NULL);
}

/**
 * echoes_preferences_window_new:
 * @parent: (nullable): the window it belongs to
 *
 * Returns: (transfer none): a new preferences window, not shown yet
 */
EchoesPreferencesWindow *
echoes_preferences_window_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (ECHOES_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       NULL);
}

static void
has_runway_key_cb (EchoesPreferencesWindow *self)
{
  update_runway_key (self);
}

/**
 * echoes_preferences_window_set_context:
 * @self: a #EchoesPreferencesWindow
 * @context: (nullable): the app's context: shows the user's own Runway key
 */
void
echoes_preferences_window_set_context (EchoesPreferencesWindow *self,
                                       EchoesContext           *context)
{
  g_return_if_fail (ECHOES_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (context == NULL || ECHOES_IS_CONTEXT (context));

  if (self->context != NULL)
    g_signal_handlers_disconnect_by_data (self->context, self);
  g_set_object (&self->context, context);
  if (context != NULL)
    g_signal_connect_object (context, "notify::has-runway-key",
                             G_CALLBACK (has_runway_key_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_set_visible (GTK_WIDGET (self->runway_group), context != NULL);
  update_runway_key (self);
}

/**
 * echoes_preferences_window_get_settings:
 * @self: the preferences window
 *
 * Returns: (transfer none): the settings its rows are bound to
 */
GSettings *
echoes_preferences_window_get_settings (EchoesPreferencesWindow *self)
{
  g_return_val_if_fail (ECHOES_IS_PREFERENCES_WINDOW (self), NULL);
  return self->settings;
}
