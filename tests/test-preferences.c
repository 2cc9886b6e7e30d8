/* test-preferences.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-preferences"

#include "config.h"

#include <locale.h>
#include <adwaita.h>
#include <glib/gi18n.h>

#include "echoes-preferences-window.h"
#include "echoes-test-cloud.h"
#include "echoes-runway-key.h"
#include "echoes-test-ui.h"
#include "echoes-test-util.h"

#define TIMEOUT_MS 20000

static gpointer
child (EchoesPreferencesWindow *window,
       const char              *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (window),
                                                   ECHOES_TYPE_PREFERENCES_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

static void
assert_string (GSettings  *settings,
               const char *key,
               const char *expected)
{
  g_autofree char *value = g_settings_get_string (settings, key);

  g_assert_cmpstr (value, ==, expected);
}

static EchoesPreferencesWindow *
show_preferences (void)
{
  EchoesPreferencesWindow *window = g_object_ref_sink (echoes_preferences_window_new (NULL));

  gtk_window_present (GTK_WINDOW (window));
  echoes_test_ui_wait_mapped (GTK_WIDGET (window), TIMEOUT_MS);
  return window;
}

static void
close_preferences (EchoesPreferencesWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static void
test_preferences_bind (void)
{
  g_autoptr(GSettings) settings = g_settings_new (BASE_ID);
  EchoesPreferencesWindow *window = show_preferences ();
  GtkSpinButton *duration = child (window, "duration_spin");
  GtkSpinButton *crossfade = child (window, "crossfade_spin");
  g_autofree char *videos = NULL;

  /* The defaults show. */
  g_assert_cmpuint (adw_combo_row_get_selected (child (window, "provider_row")), ==, 0);
  g_assert_cmpuint (adw_combo_row_get_selected (child (window, "format_row")), ==, 0);
  g_assert_cmpfloat (gtk_spin_button_get_value (duration), ==, 5.0);
  g_assert_cmpfloat (gtk_spin_button_get_value (crossfade), ==, 0.0);

  /* A change through a widget is in GSettings at once. */
  adw_combo_row_set_selected (child (window, "format_row"), 1);
  assert_string (settings, "export-format", "webm");
  adw_combo_row_set_selected (child (window, "quality_row"), 1);
  assert_string (settings, "export-quality", "1080p");
  adw_combo_row_set_selected (child (window, "provider_row"), 1);
  assert_string (settings, "active-provider", "runway");
  adw_combo_row_set_selected (child (window, "ratio_row"), 1);
  assert_string (settings, "default-ratio", "9:16");
  gtk_spin_button_set_value (duration, 7.5);
  g_assert_cmpfloat (g_settings_get_double (settings, "clip-duration"), ==, 7.5);
  gtk_spin_button_set_value (crossfade, 1.5);
  g_assert_cmpuint (g_settings_get_uint (settings, "crossfade"), ==, 1500);

  /* And a change made elsewhere shows at once. */
  g_settings_set_string (settings, "default-ratio", "1:1");
  g_assert_cmpuint (adw_combo_row_get_selected (child (window, "ratio_row")), ==, 2);
  g_settings_set_uint (settings, "crossfade", 500);
  g_assert_cmpfloat (gtk_spin_button_get_value (crossfade), ==, 0.5);

  videos = g_filename_display_name (g_get_user_special_dir (G_USER_DIRECTORY_VIDEOS)
                                      ?: g_get_home_dir ());
  g_assert_cmpstr (adw_action_row_get_subtitle (child (window, "folder_row")), ==, videos);
  g_settings_set_string (settings, "export-folder", "/srv/films");
  g_assert_cmpstr (adw_action_row_get_subtitle (child (window, "folder_row")), ==, "/srv/films");

  /* The spin button keeps to the key's range. */
  gtk_spin_button_set_value (duration, 12);
  g_assert_cmpfloat (g_settings_get_double (settings, "clip-duration"), ==, 10.0);

  close_preferences (window);
  g_settings_reset (settings, "export-format");
}

/* Every title of status pages and preferences rows under @widget, shown or not. */
static void
collect_titles (GtkWidget *widget,
                GPtrArray *titles)
{
  if (ADW_IS_STATUS_PAGE (widget))
    g_ptr_array_add (titles, g_strdup (adw_status_page_get_title (ADW_STATUS_PAGE (widget))));
  if (ADW_IS_PREFERENCES_ROW (widget))
    g_ptr_array_add (titles, g_strdup (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget))));
  if (GTK_IS_LABEL (widget))
    g_ptr_array_add (titles, g_strdup (gtk_label_get_label (GTK_LABEL (widget))));

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_titles (c, titles);
}

static gboolean
has_title (GtkWidget  *widget,
           const char *title)
{
  g_autoptr(GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);

  collect_titles (widget, titles);
  for (guint i = 0; i < titles->len; i++)
    if (g_strcmp0 (titles->pdata[i], title) == 0)
      return TRUE;

  return FALSE;
}

/* The app in German, from the catalogue built in the build directory: the main window
 * and the preferences show translated text, and no English where German is due. */
static void
test_german (void)
{
  EchoesContext *context = NULL;
  EchoesWindow *window = NULL;
  EchoesPreferencesWindow *preferences = NULL;
  const char *localedir = g_getenv ("ECHOES_LOCALEDIR");

  g_assert_nonnull (localedir);
  g_setenv ("LANGUAGE", "de", TRUE);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_assert_cmpstr (_("Preferences"), ==, "Einstellungen");

  preferences = show_preferences ();
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (preferences)), ==, "Einstellungen");
  g_assert_true (has_title (GTK_WIDGET (preferences), "Clip-_Länge"));
  g_assert_true (has_title (GTK_WIDGET (preferences), "_Überblendung zwischen Clips"));
  g_assert_false (has_title (GTK_WIDGET (preferences), "_Crossfade Between Clips"));
  close_preferences (preferences);

  context = echoes_test_ui_open_context (TIMEOUT_MS);
  window = echoes_test_ui_show_window (context, 1000, 700, TIMEOUT_MS);
  g_assert_true (has_title (GTK_WIDGET (window), "Machen Sie einen Film aus Ihren Fotos"));
  g_assert_true (has_title (GTK_WIDGET (window), "Keine Projekte"));
  g_assert_false (has_title (GTK_WIDGET (window), "Make a Film From Your Photos"));
  echoes_test_ui_close_window (window, context);

  g_unsetenv ("LANGUAGE");
}

#define GOOD_KEY "key_4b3a29180716f5e4"

static gboolean
row_enabled (gpointer data)
{
  return gtk_widget_get_sensitive (data);
}

/* Enters @key in the key row and waits for Runway's answer. */
static void
apply_key (EchoesPreferencesWindow *window,
           const char              *key)
{
  GtkWidget *row = child (window, "runway_key_row");

  gtk_editable_set_text (GTK_EDITABLE (row), key);
  g_signal_emit_by_name (row, "apply");
  g_assert_false (gtk_widget_get_sensitive (row));  /* while Runway checks it */
  g_assert_true (echoes_test_wait_until (row_enabled, row, TIMEOUT_MS));
}

/* The user's own Runway key: hidden without a context; a refused key keeps nothing; a
 * good one shows as saved (never in clear: the entry empties) until Remove. */
static void
test_runway_key (void)
{
  g_autoptr(FakeRunwayKeys) runway = fake_runway_keys_new (GOOD_KEY);
  EchoesPreferencesWindow *window = NULL;
  EchoesContext *context = NULL;
  GtkWidget *saved;

  g_setenv (ECHOES_RUNWAY_API_URL_ENV, runway->url, TRUE);

  window = show_preferences ();
  g_assert_false (gtk_widget_get_visible (child (window, "runway_group")));
  close_preferences (window);

  context = echoes_test_ui_open_context (TIMEOUT_MS);
  window = show_preferences ();
  echoes_preferences_window_set_context (window, context);
  saved = child (window, "runway_key_saved_row");
  g_assert_true (gtk_widget_get_visible (child (window, "runway_group")));
  g_assert_false (gtk_widget_get_visible (saved));

  apply_key (window, "key_wrong");
  g_assert_false (gtk_widget_get_visible (saved));
  g_assert_false (echoes_context_get_has_runway_key (context));

  apply_key (window, GOOD_KEY);
  g_assert_true (gtk_widget_get_visible (saved));
  g_assert_true (echoes_context_get_has_runway_key (context));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (window, "runway_key_row"))), ==, "");

  g_signal_emit_by_name (child (window, "runway_key_remove_button"), "clicked");
  g_assert_false (gtk_widget_get_sensitive (child (window, "runway_key_remove_button")));
  g_assert_true (echoes_test_wait_until (row_enabled, child (window, "runway_key_remove_button"), TIMEOUT_MS));
  g_assert_false (gtk_widget_get_visible (saved));
  g_assert_false (echoes_context_get_has_runway_key (context));

  close_preferences (window);
  echoes_test_drain (context);
  g_object_unref (context);
  g_unsetenv (ECHOES_RUNWAY_API_URL_ENV);
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);
  gtk_disable_setlocale ();
  setlocale (LC_ALL, "C.UTF-8");
  gtk_init ();
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/echoes/ui/preferences/bind", test_preferences_bind);
  g_test_add_func ("/echoes/ui/preferences/german", test_german);
  g_test_add_func ("/echoes/ui/preferences/runway-key", test_runway_key);

  return g_test_run ();
}
