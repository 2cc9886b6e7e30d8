/* test-sync-ui.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-sync-ui"

#include "config.h"

#include <locale.h>

#include <adwaita.h>

#include "echoes-context-private.h"
#include "echoes-paths.h"
#include "echoes-test-network.h"
#include "echoes-test-remote.h"
#include "echoes-test-ui.h"
#include "echoes-test-util.h"
#include "echoes-window-private.h"

/* Sync as the window shows it, with the context's engine over the in-memory server of
 * tests/echoes-test-remote.c and a network the test switches on and off. */

#define TIMEOUT_MS 20000
#define USER_ID    "5d8f8e1c-0000-4000-8000-0000000000aa"

/* ---- a network monitor the test switches on and off ---- */

/* ---- fixture ---- */

typedef struct
{
  EchoesTestRemote *remote;
  TestNetwork      *network;
  EchoesContext    *context;
  EchoesWindow     *window;
  char             *local_id;   /* a project made before the first sign-in */
  char             *other_id;
} Fixture;

typedef struct
{
  EchoesWindow *window;
  const char   *text;
} LabelWait;

static gboolean
label_is (gpointer data)
{
  LabelWait *w = data;

  return g_strcmp0 (_echoes_window_get_sync_label (w->window), w->text) == 0;
}

static void
wait_label (Fixture    *f,
            const char *text)
{
  LabelWait w = { f->window, text };

  if (!echoes_test_wait_until (label_is, &w, TIMEOUT_MS))
    g_error ("The sync indicator says “%s”, not “%s”",
             _echoes_window_get_sync_label (f->window), text);
}

static EchoesProject *
find_project (Fixture    *f,
              const char *id)
{
  return echoes_library_find_project (echoes_context_get_library (f->context), id);
}

typedef struct
{
  Fixture    *f;
  const char *id;
} ProjectWait;

static gboolean
project_synced (gpointer data)
{
  ProjectWait *w = data;
  EchoesProject *project = find_project (w->f, w->id);

  return project != NULL && echoes_project_get_synced (project);
}

static gboolean
project_on_server (gpointer data)
{
  ProjectWait *w = data;
  g_autoptr(GVariant) title = echoes_test_remote_dup_field (w->f->remote, "projects", w->id,
                                                            "title");

  return title != NULL;
}

static gboolean
projects_loaded (gpointer data)
{
  Fixture *f = data;

  return find_project (f, f->local_id) != NULL && find_project (f, f->other_id) != NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return _echoes_window_get_first_sign_in_dialog (data) != NULL;
}

static gboolean
dialog_gone (gpointer data)
{
  return _echoes_window_get_first_sign_in_dialog (data) == NULL;
}

static gpointer
nothing (EchoesStore   *store,
         gpointer       data,
         GCancellable  *cancellable,
         GError       **error)
{
  return GINT_TO_POINTER (TRUE);
}

static void
flushed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_assert_true (echoes_store_run_finish (ECHOES_STORE (object), result, NULL) != NULL);
  *(gboolean *)user_data = TRUE;
}

/* Waits for what the store's worker was given so far (it runs jobs in order), then for
 * the replies on the main context. */
static void
flush_store (Fixture *f)
{
  gboolean done = FALSE;

  echoes_store_run_async (echoes_context_get_store (f->context), nothing, NULL, NULL, NULL, NULL,
                          flushed_cb, &done);
  echoes_test_wait (&done);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *data_dir = echoes_paths_dup_data_dir ();
  g_autoptr(EchoesStore) store = NULL;
  g_autoptr(EchoesProject) local = NULL;
  g_autoptr(EchoesProject) other = NULL;
  g_autoptr(GError) error = NULL;

  echoes_test_remove_tree (data_dir);

  /* Two projects from before any account: local-only. */
  store = echoes_store_open (NULL, &error);
  g_assert_no_error (error);
  local = echoes_store_create_project (store, "Summer", &error);
  g_assert_no_error (error);
  other = echoes_store_create_project (store, "Winter", &error);
  g_assert_no_error (error);
  g_assert_false (echoes_project_get_synced (local));
  f->local_id = g_strdup (echoes_project_get_id (local));
  f->other_id = g_strdup (echoes_project_get_id (other));
  echoes_test_drain (store);
  g_clear_object (&store);

  f->remote = echoes_test_remote_new (USER_ID);
  f->network = g_object_new (TEST_TYPE_NETWORK, NULL);
  f->context = echoes_test_ui_open_context (TIMEOUT_MS);
  f->window = echoes_test_ui_show_window (f->context, 800, 600, TIMEOUT_MS);
  g_assert_true (echoes_test_wait_until (projects_loaded, f, TIMEOUT_MS));

  /* Without an account there is no indicator and nothing to keep in it. */
  g_assert_null (echoes_context_get_sync_engine (f->context));
  g_assert_null (_echoes_window_get_sync_label (f->window));
  echoes_window_select_project (f->window, f->local_id);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.keep-in-account", NULL);
  flush_store (f);
  g_assert_false (echoes_project_get_synced (find_project (f, f->local_id)));
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *)data == NULL;
}

/* Signs out, and waits for the engine to finish recording it and go. */
static void
sign_out (Fixture *f)
{
  EchoesSyncEngine *engine = echoes_context_get_sync_engine (f->context);

  if (engine != NULL)
    g_object_add_weak_pointer (G_OBJECT (engine), (gpointer *)&engine);
  _echoes_context_set_sync_remote_for_testing (f->context, NULL, NULL);
  g_assert_null (echoes_context_get_sync_engine (f->context));
  g_assert_true (echoes_test_wait_until (is_null, &engine, TIMEOUT_MS));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  sign_out (f);
  echoes_test_ui_close_window (g_steal_pointer (&f->window), g_steal_pointer (&f->context));
  g_assert_finalize_object (g_steal_pointer (&f->remote));
  g_assert_finalize_object (g_steal_pointer (&f->network));
  g_free (f->local_id);
  g_free (f->other_id);
}

static void
sign_in (Fixture *f)
{
  _echoes_context_set_sync_remote_for_testing (f->context, ECHOES_SYNC_REMOTE (f->remote),
                                               G_NETWORK_MONITOR (f->network));
  g_assert_nonnull (echoes_context_get_sync_engine (f->context));
}

/* How many project rows say @text with their sync badge (tooltip and accessible name). */
static guint
count_badges (GtkWidget  *widget,
              const char *text)
{
  guint n = 0;

  if (g_strcmp0 (G_OBJECT_TYPE_NAME (widget), "EchoesSyncBadge") == 0
      && gtk_widget_get_mapped (widget)
      && g_strcmp0 (gtk_widget_get_tooltip_text (widget), text) == 0)
    n++;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_badges (child, text);
  return n;
}

typedef struct
{
  GtkWidget *window;
  guint      kept;
  guint      local;
} BadgeWait;

static gboolean
badges_are (gpointer data)
{
  BadgeWait *w = data;

  return count_badges (w->window, "Kept in your account") == w->kept
         && count_badges (w->window, "On this computer only") == w->local;
}

/* ---- tests ---- */

/* The first sign-in asks once, in a dialog; Upload makes the local projects synced. */
static void
test_first_sign_in_upload (Fixture       *f,
                           gconstpointer  data)
{
  ProjectWait local = { f, f->local_id };
  ProjectWait other = { f, f->other_id };
  AdwMessageDialog *dialog;

  {
    BadgeWait badges = { GTK_WIDGET (f->window), 0, 2 };

    g_assert_true (echoes_test_wait_until (badges_are, &badges, TIMEOUT_MS));
  }
  sign_in (f);
  g_assert_true (echoes_test_wait_until (dialog_shown, f->window, TIMEOUT_MS));
  dialog = _echoes_window_get_first_sign_in_dialog (f->window);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==,
                   "Upload Your 2 Projects to Your Account?");
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "keep"), ==,
                   "_Keep Them on This Computer");
  g_assert_cmpuint (echoes_context_get_first_sign_in (f->context), ==, 2);
  echoes_test_ui_save_screenshot (GTK_WIDGET (dialog), "sync-first-sign-in.png");

  adw_message_dialog_response (dialog, "upload");
  g_assert_true (echoes_test_wait_until (dialog_gone, f->window, TIMEOUT_MS));
  g_assert_cmpuint (echoes_context_get_first_sign_in (f->context), ==, 0);

  g_assert_true (echoes_test_wait_until (project_synced, &local, TIMEOUT_MS));
  g_assert_true (echoes_test_wait_until (project_synced, &other, TIMEOUT_MS));
  g_assert_true (echoes_test_wait_until (project_on_server, &local, TIMEOUT_MS));
  g_assert_true (echoes_test_wait_until (project_on_server, &other, TIMEOUT_MS));
  wait_label (f, "Synced");
  {
    BadgeWait badges = { GTK_WIDGET (f->window), 2, 0 };

    g_assert_true (echoes_test_wait_until (badges_are, &badges, TIMEOUT_MS));
  }

  /* Signed out and in again to the same account: no question. */
  sign_out (f);
  g_assert_null (_echoes_window_get_sync_label (f->window));
  sign_in (f);
  wait_label (f, "Synced");
  flush_store (f);
  g_assert_cmpuint (echoes_context_get_first_sign_in (f->context), ==, 0);
  g_assert_null (_echoes_window_get_first_sign_in_dialog (f->window));
}

static gboolean
has_toasts (gpointer data)
{
  return _echoes_window_get_n_sync_toasts (data) > 0;
}

static gboolean
toast_gone (gpointer data)
{
  return _echoes_window_get_sync_toast (data) == NULL;
}

static void
count_cb (guint *n)
{
  (*n)++;
}

static gboolean
twice (gpointer data)
{
  return *(guint *)data >= 2;
}

static gboolean
title_on_server (gpointer data)
{
  ProjectWait *w = data;
  g_autoptr(GVariant) title = echoes_test_remote_dup_field (w->f->remote, "projects", w->id,
                                                            "title");
  g_autoptr(GVariant) inner = NULL;

  if (title == NULL)
    return FALSE;
  inner = g_variant_is_of_type (title, G_VARIANT_TYPE_VARIANT) ? g_variant_get_variant (title)
                                                               : g_variant_ref (title);
  if (g_variant_is_of_type (inner, G_VARIANT_TYPE ("ms")))
    {
      g_autoptr(GVariant) child = g_variant_get_maybe (inner);

      return child != NULL && g_strcmp0 (g_variant_get_string (child, NULL), "Autumn") == 0;
    }
  return g_variant_is_of_type (inner, G_VARIANT_TYPE_STRING) &&
         g_strcmp0 (g_variant_get_string (inner, NULL), "Autumn") == 0;
}

/* Keep Them on This Computer, then Keep in My Account for one project; an error shows
 * once with Retry; the indicator follows the engine. */
static void
test_keep_error_retry (Fixture       *f,
                       gconstpointer  data)
{
  ProjectWait local = { f, f->local_id };
  ProjectWait other = { f, f->other_id };
  EchoesSyncEngine *engine;
  g_autoptr(EchoesProject) renamed = NULL;
  AdwToast *toast;
  guint n_states = 0;

  sign_in (f);
  engine = echoes_context_get_sync_engine (f->context);
  g_assert_true (echoes_test_wait_until (dialog_shown, f->window, TIMEOUT_MS));
  adw_message_dialog_response (_echoes_window_get_first_sign_in_dialog (f->window), "keep");
  g_assert_true (echoes_test_wait_until (dialog_gone, f->window, TIMEOUT_MS));
  wait_label (f, "Synced");
  flush_store (f);
  g_assert_false (echoes_project_get_synced (find_project (f, f->local_id)));
  g_assert_cmpuint (echoes_test_remote_count_rows (f->remote, "projects"), ==, 0);

  /* The indicator: offline and back. */
  test_network_set_available (f->network, FALSE);
  wait_label (f, "Offline");
  test_network_set_available (f->network, TRUE);
  wait_label (f, "Synced");

  /* Keep in My Account, from the project's menu. */
  echoes_window_select_project (f->window, f->local_id);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.keep-in-account", NULL));
  g_assert_true (echoes_test_wait_until (project_synced, &local, TIMEOUT_MS));
  g_assert_true (echoes_test_wait_until (project_on_server, &local, TIMEOUT_MS));
  g_assert_false (echoes_project_get_synced (find_project (f, f->other_id)));
  g_assert_false (project_on_server (&other));
  wait_label (f, "Synced");
  {
    BadgeWait badges = { GTK_WIDGET (f->window), 1, 1 };

    g_assert_true (echoes_test_wait_until (badges_are, &badges, TIMEOUT_MS));
  }
  echoes_test_ui_save_screenshot (GTK_WIDGET (f->window), "sync-window.png");

  /* The server refuses the project from now on: one toast, with Retry. */
  f->remote->refuse_id = g_strdup (f->local_id);
  renamed = echoes_project_copy (find_project (f, f->local_id));
  echoes_project_set_title (renamed, "Autumn");
  echoes_library_update_project (echoes_context_get_library (f->context), renamed);
  g_assert_true (echoes_test_wait_until (has_toasts, f->window, TIMEOUT_MS));
  wait_label (f, "Not synced");
  toast = _echoes_window_get_sync_toast (f->window);
  g_assert_nonnull (toast);
  g_assert_cmpstr (adw_toast_get_action_name (toast), ==, "win.retry-sync");
  g_assert_cmpstr (adw_toast_get_button_label (toast), ==, "_Retry");
  g_assert_nonnull (echoes_sync_engine_get_last_error (engine));

  /* From here on the engine syncs only when asked: what happens next is Retry's doing. */
  echoes_sync_engine_stop (engine);
  wait_label (f, "Not synced");

  /* Retry syncs now: the same failure again is no new toast. */
  g_signal_connect_swapped (engine, "notify::state", G_CALLBACK (count_cb), &n_states);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.retry-sync", NULL));
  g_assert_true (echoes_test_wait_until (twice, &n_states, TIMEOUT_MS));
  wait_label (f, "Not synced");
  g_assert_cmpuint (_echoes_window_get_n_sync_toasts (f->window), ==, 1);

  /* The server takes it again: Retry sends it, and the toast goes. */
  g_clear_pointer (&f->remote->refuse_id, g_free);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.retry-sync", NULL));
  g_assert_true (echoes_test_wait_until (title_on_server, &local, TIMEOUT_MS));
  wait_label (f, "Synced");
  g_assert_true (echoes_test_wait_until (toast_gone, f->window, TIMEOUT_MS));
  g_assert_cmpuint (_echoes_window_get_n_sync_toasts (f->window), ==, 1);
  g_signal_handlers_disconnect_by_data (engine, &n_states);
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);

  /* No account server: the engine comes from the test hook only. */
  g_unsetenv ("ECHOES_SUPABASE_URL");
  g_unsetenv ("ECHOES_SUPABASE_ANON_KEY");

  gtk_disable_setlocale ();
  setlocale (LC_ALL, "C.UTF-8");
  gtk_init ();
  adw_init ();
  g_object_set (gtk_settings_get_default (),
                "gtk-enable-animations", FALSE,
                "gtk-cursor-blink", FALSE,
                NULL);
  gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                  "/usr/share/icons");

  g_test_add ("/echoes/ui/sync/first-sign-in-upload", Fixture, NULL,
              fixture_setup, test_first_sign_in_upload, fixture_teardown);
  g_test_add ("/echoes/ui/sync/keep-error-retry", Fixture, NULL,
              fixture_setup, test_keep_error_retry, fixture_teardown);

  return g_test_run ();
}
