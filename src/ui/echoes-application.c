/* echoes-application.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-application"

#include "config.h"

#include "echoes-application.h"

#include <epoxy/gl.h>
#include <glib/gi18n.h>

#include "echoes-preferences-window.h"
#include "echoes-startup-report.h"
#include "echoes-util.h"
#include "echoes-window.h"

/**
 * EchoesApplication:
 *
 * Opens the library (#EchoesContext) in the background, shows the window at once
 * and hands the library to it when ready. `echoes FILE…` and "Open With" import the
 * files into the project shown, or a new one.
 */
struct _EchoesApplication
{
  AdwApplication  parent_instance;

  EchoesContext  *context;     /* (owned) (nullable) */
  GError         *error;       /* (owned) (nullable) why the library did not open */
  GCancellable   *cancellable; /* (owned) */
  char           *data_dir;    /* (owned) (nullable) NULL: the default */
  GSettings      *settings;    /* (owned) (nullable) NULL: no schema installed */
  gboolean        loading;
};

G_DEFINE_FINAL_TYPE (EchoesApplication, echoes_application, ADW_TYPE_APPLICATION)

static void echoes_application_load (EchoesApplication *self);

/* Whether GDK's OpenGL is a software rasteriser (Mesa's llvmpipe, softpipe, swrast, or
 * SwiftShader): a virtual machine, a remote desktop, Xvfb. */
static gboolean
gl_is_software (GdkDisplay *display)
{
  g_autoptr(GdkGLContext) context = NULL;
  static const char * const software[] = { "llvmpipe", "softpipe", "swrast", "SwiftShader" };
  const char *renderer;
  gboolean found = FALSE;

  if (!(context = gdk_display_create_gl_context (display, NULL)) ||
      !gdk_gl_context_realize (context, NULL))
    return FALSE;

  /* Through libepoxy, like GTK: it serves whichever context GDK made current. */
  gdk_gl_context_make_current (context);
  renderer = (const char *) glGetString (GL_RENDERER);
  g_debug ("OpenGL renderer: %s", renderer ? renderer : "(unknown)");
  for (guint i = 0; renderer != NULL && i < G_N_ELEMENTS (software); i++)
    found |= strstr (renderer, software[i]) != NULL;
  gdk_gl_context_clear_current ();

  return found;
}

/* GTK 4.8 draws with OpenGL whenever it can. On a software rasteriser its GL renderer
 * is the slowest way to draw Echoes' window and the biggest: the first frame waits
 * for its shaders to be compiled to machine code (0.6-1 s under Xvfb) and that code
 * and its compiler take about 100 MB; cairo draws the same window in a few ms. So
 * unless GSK_RENDERER chooses, a software GL means cairo. The display's "gsk-renderer"
 * data is how GTK's inspector picks its own renderer (GTK reads it before GSK_RENDERER);
 * setenv() is not safe any more, other threads run by now. */
static void
choose_renderer (void)
{
  GdkDisplay *display = gdk_display_get_default ();
  gint64 start = g_get_monotonic_time ();

  if (display == NULL || g_getenv ("GSK_RENDERER") != NULL ||
      g_object_get_data (G_OBJECT (display), "gsk-renderer") != NULL)
    return;

  if (gl_is_software (display))
    {
      g_debug ("Software OpenGL (%.1f ms to tell): drawing with cairo",
               (g_get_monotonic_time () - start) / 1000.0);
      g_object_set_data_full (G_OBJECT (display), "gsk-renderer", g_strdup ("cairo"), g_free);
    }
}

static EchoesWindow *
get_window (EchoesApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window != NULL && ECHOES_IS_WINDOW (window))
    return ECHOES_WINDOW (window);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (ECHOES_IS_WINDOW (l->data))
      return ECHOES_WINDOW (l->data);

  return NULL;
}

static EchoesWindow *
ensure_window (EchoesApplication *self)
{
  EchoesWindow *window = get_window (self);

  if (window != NULL)
    return window;

  window = echoes_window_new (GTK_APPLICATION (self));
  echoes_startup_report_attach (GTK_WIDGET (window));
  if (self->context != NULL)
    echoes_window_set_context (window, self->context);
  else if (self->error != NULL)
    echoes_window_show_error (window, self->error);

  return window;
}

/* The preferences the context follows, applied again whenever one changes. */
static void
settings_changed_cb (GSettings         *settings,
                     const char        *key,
                     EchoesApplication *self)
{
  g_autofree char *provider = NULL;

  if (self->context == NULL ||
      (key != NULL && !g_str_equal (key, ECHOES_PROVIDER_SETTINGS_KEY) &&
       !g_str_equal (key, "default-ratio") && !g_str_equal (key, "clip-duration") &&
       !g_str_equal (key, "ken-burns-fallback")))
    return;

  if (self->settings != NULL)
    provider = g_settings_get_string (self->settings, ECHOES_PROVIDER_SETTINGS_KEY);
  echoes_context_set_provider_name (self->context, provider);
  echoes_context_apply_settings (self->context, self->settings);
}

static void
resume_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  guint n;

  n = echoes_generation_queue_resume_finish (ECHOES_GENERATION_QUEUE (object), result, &error);
  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not resume the generation queue: %s", error->message);
    }
  else if (n > 0)
    g_debug ("Resumed %u clips to generate", n);
}

static void
context_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(EchoesApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  self->loading = FALSE;
  self->context = echoes_context_new_finish (result, &error);

  if (self->context != NULL)
    {
      if ((self->settings = echoes_settings_new (NULL)) != NULL)
        g_signal_connect_object (self->settings, "changed", G_CALLBACK (settings_changed_cb),
                                 self, 0);
      settings_changed_cb (self->settings, NULL, self);
      /* Clips queued when the app last quit carry on. */
      echoes_generation_queue_resume_async (echoes_context_get_queue (self->context),
                                            self->cancellable, resume_cb, NULL);
    }

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    {
      if (!ECHOES_IS_WINDOW (l->data))
        continue;

      if (self->context != NULL)
        echoes_window_set_context (l->data, self->context);
      else
        echoes_window_show_error (l->data, error);
    }

  /* The context purged what was deleted (and not undone) in the last session. */
  if (self->context == NULL)
    {
      g_warning ("Could not open the library: %s", error->message);
      self->error = g_steal_pointer (&error);
    }
}

static void
echoes_application_load (EchoesApplication *self)
{
  if (self->loading || self->context != NULL)
    return;

  g_clear_error (&self->error);
  self->loading = TRUE;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (ECHOES_IS_WINDOW (l->data))
      echoes_window_show_loading (l->data);

  echoes_context_new_async (self->data_dir, self->cancellable, context_ready_cb,
                            g_object_ref (self));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  EchoesApplication *self = user_data;
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Closing (rather than quitting) lets windows save their size. */
  for (GList *l = windows; l; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  EchoesApplication *self = user_data;
  static const char *developers[] = { "The Echoes Authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", get_window (self),
                        "application-name", _("Echoes"),
                        "application-icon", BASE_ID,
                        "developer-name", _("The Echoes Authors"),
                        "version", PACKAGE_VERSION,
                        "website", "https://github.com/echoes/VideoCreator",
                        "issue-url", "https://github.com/echoes/VideoCreator/issues",
                        "copyright", "© 2026 The Echoes Authors",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: your names, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
new_project_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  EchoesApplication *self = user_data;
  EchoesWindow *window = ensure_window (self);

  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-project", NULL);
}

static void
shortcuts_action (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  EchoesApplication *self = user_data;
  EchoesWindow *window = ensure_window (self);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  EchoesApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  EchoesPreferencesWindow *window = echoes_preferences_window_new (parent);

  echoes_preferences_window_set_context (window, self->context);
  gtk_window_present (GTK_WINDOW (window));
}

static void
reload_library_action (GSimpleAction *action,
                       GVariant      *param,
                       gpointer       user_data)
{
  echoes_application_load (ECHOES_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
  { "new-project", new_project_action },
  { "shortcuts", shortcuts_action },
  { "preferences", preferences_action },
  { "reload-library", reload_library_action },
};

static void
echoes_application_startup (GApplication *application)
{
  EchoesApplication *self = ECHOES_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *new_accels[] = { "<Control>n", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (echoes_application_parent_class)->startup (application);

  choose_renderer ();

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.new-project", new_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);

  gtk_window_set_default_icon_name (APP_ID);

  echoes_application_load (self);
}

static void
echoes_application_activate (GApplication *application)
{
  EchoesApplication *self = ECHOES_APPLICATION (application);

  gtk_window_present (GTK_WINDOW (ensure_window (self)));
}

static void
echoes_application_open (GApplication  *application,
                         GFile        **files,
                         int            n_files,
                         const char    *hint)
{
  EchoesApplication *self = ECHOES_APPLICATION (application);
  g_autoptr(GPtrArray) array = g_ptr_array_new_with_free_func (g_object_unref);
  EchoesWindow *window = ensure_window (self);

  for (int i = 0; i < n_files; i++)
    g_ptr_array_add (array, g_object_ref (files[i]));

  /* The window waits for the library if it is still opening. */
  echoes_window_import_files (window, array);
  gtk_window_present (GTK_WINDOW (window));
}

static void
echoes_application_shutdown (GApplication *application)
{
  EchoesApplication *self = ECHOES_APPLICATION (application);

  g_cancellable_cancel (self->cancellable);

  G_APPLICATION_CLASS (echoes_application_parent_class)->shutdown (application);
}

static void
echoes_application_dispose (GObject *object)
{
  EchoesApplication *self = (EchoesApplication *)object;

  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (echoes_application_parent_class)->dispose (object);
}

static void
echoes_application_finalize (GObject *object)
{
  EchoesApplication *self = (EchoesApplication *)object;

  g_clear_object (&self->context);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);
  g_clear_pointer (&self->data_dir, g_free);

  G_OBJECT_CLASS (echoes_application_parent_class)->finalize (object);
}

static void
echoes_application_class_init (EchoesApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = echoes_application_dispose;
  object_class->finalize = echoes_application_finalize;

  app_class->startup = echoes_application_startup;
  app_class->activate = echoes_application_activate;
  app_class->open = echoes_application_open;
  app_class->shutdown = echoes_application_shutdown;
}

static void
echoes_application_init (EchoesApplication *self)
{
  self->cancellable = g_cancellable_new ();
}

/**
 * echoes_application_new:
 *
 * Returns: (transfer full): the application
 */
EchoesApplication *
echoes_application_new (void)
{
  /* One resource path for release and .Devel builds: style.css and the help overlay. */
  return g_object_new (ECHOES_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}

/**
 * echoes_application_get_context:
 *
 * Returns: (transfer none) (nullable): the context, once the library is open
 */
EchoesContext *
echoes_application_get_context (EchoesApplication *self)
{
  g_return_val_if_fail (ECHOES_IS_APPLICATION (self), NULL);
  return self->context;
}

/**
 * echoes_application_get_error:
 *
 * Returns: (transfer none) (nullable): why the library could not be opened
 */
const GError *
echoes_application_get_error (EchoesApplication *self)
{
  g_return_val_if_fail (ECHOES_IS_APPLICATION (self), NULL);
  return self->error;
}

/**
 * echoes_application_set_data_dir:
 * @data_dir: (nullable): where the library lives; %NULL for the default
 *
 * Must be called before the application starts.
 */
void
echoes_application_set_data_dir (EchoesApplication *self,
                                 const char        *data_dir)
{
  g_return_if_fail (ECHOES_IS_APPLICATION (self));

  g_free (self->data_dir);
  self->data_dir = g_strdup (data_dir);
}
