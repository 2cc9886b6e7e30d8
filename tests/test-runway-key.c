/* test-runway-key.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "echoes-cloud-error.h"
#include "echoes-context.h"
#include "echoes-runway-key.h"
#include "echoes-secret-store.h"
#include "echoes-test-cloud.h"
#include "echoes-test-util.h"

/* A user's own Runway key in the real keyring (run under build-aux/keyring-session.sh):
 * kept only once Runway (a SoupServer on loopback here) accepted it. */

#define GOOD_KEY "key_9f8e7d6c5b4a39281706"

static char *
lookup (EchoesSecretStore *store,
        const char        *base)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *secret;

  echoes_secret_store_lookup_async (store, base, NULL, test_result_cb, &result);
  test_wait_result (&result);
  secret = echoes_secret_store_lookup_finish (store, result, &error);
  g_assert_no_error (error);
  return secret;
}

static void
test_save (void)
{
  g_autoptr(FakeRunwayKeys) runway = fake_runway_keys_new (GOOD_KEY);
  g_autoptr(EchoesSecretStore) store = echoes_secret_store_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *kept = NULL;
  const char *base = runway->url;

  /* Refused: nothing kept. */
  echoes_runway_key_save_async (store, base, "key_wrong", NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_false (echoes_runway_key_save_finish (result, &error));
  g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  g_clear_object (&result);
  g_assert_null (lookup (store, base));
  g_assert_cmpuint (runway->checks, ==, 1);

  /* Accepted once, then in the keyring. */
  echoes_runway_key_save_async (store, base, GOOD_KEY, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_runway_key_save_finish (result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (runway->checks, ==, 2);
  kept = lookup (store, base);
  g_assert_cmpstr (kept, ==, GOOD_KEY);

  echoes_secret_store_clear_async (store, base, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_secret_store_clear_finish (store, result, &error));
  g_assert_no_error (error);
}

static void
count_cb (guint *count)
{
  (*count)++;
}

static EchoesContext *
open_context (const char *dir)
{
  g_autoptr(EchoesStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = echoes_store_open (dir, &error);
  g_assert_no_error (error);
  return echoes_context_new (store);
}

static gboolean
set_key (EchoesContext  *context,
         const char     *key,
         GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  echoes_context_set_runway_key_async (context, key, NULL, test_result_cb, &result);
  test_wait_result (&result);
  return echoes_context_set_runway_key_finish (context, result, error);
}

static gboolean
load_key (EchoesContext *context)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  echoes_context_load_runway_key_async (context, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_context_load_runway_key_finish (context, result, &error));
  g_assert_no_error (error);
  return echoes_context_get_has_runway_key (context);
}

/* The app's way: the context checks and keeps the key, hands it to "runway", finds it
 * again after a restart, and forgets it on Remove. */
static void
test_context (void)
{
  g_autoptr(FakeRunwayKeys) runway = fake_runway_keys_new (GOOD_KEY);
  const char *base = runway->url;
  g_autofree char *dir = g_dir_make_tmp ("test-runway-key-XXXXXX", NULL);
  g_autoptr(EchoesContext) context = NULL;
  g_autoptr(EchoesContext) restarted = NULL;
  g_autoptr(GError) error = NULL;
  guint notified = 0;

  g_setenv (ECHOES_RUNWAY_API_URL_ENV, base, TRUE);
  context = open_context (dir);
  g_signal_connect_swapped (context, "notify::has-runway-key", G_CALLBACK (count_cb), &notified);
  g_assert_false (load_key (context));

  g_assert_false (set_key (context, "key_wrong", &error));
  g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  g_assert_false (echoes_context_get_has_runway_key (context));
  g_assert_cmpuint (notified, ==, 0);

  g_assert_true (set_key (context, GOOD_KEY, &error));
  g_assert_no_error (error);
  g_assert_true (echoes_context_get_has_runway_key (context));
  g_assert_true (echoes_provider_registry_get_has_runway_key (echoes_context_get_registry (context)));
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpuint (runway->checks, ==, 2);

  /* A new session of the app finds it, without asking Runway again. */
  restarted = open_context (dir);
  g_assert_true (load_key (restarted));
  g_assert_cmpuint (runway->checks, ==, 2);

  g_assert_true (set_key (context, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (echoes_context_get_has_runway_key (context));
  g_assert_cmpuint (notified, ==, 2);
  g_clear_object (&restarted);
  restarted = open_context (dir);
  g_assert_false (load_key (restarted));

  g_clear_object (&restarted);
  echoes_test_drain (context);
  g_clear_object (&context);
  echoes_test_remove_tree (dir);
  g_unsetenv (ECHOES_RUNWAY_API_URL_ENV);
}

static int
run_cli (const char  *base,
         const char  *input,
         char       **out,
         const char  *command)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, ECHOES_RUNWAY_API_URL_ENV, base, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("ECHOES_CLI"),
                                         "runway-key", command, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, input, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_subprocess_communicate_utf8_finish (process, result, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);

  /* The key never shows, not even in debug messages. */
  g_assert_null (strstr (stdout_text, GOOD_KEY));
  g_assert_null (strstr (stderr_text, GOOD_KEY));
  *out = g_strconcat (stdout_text, stderr_text, NULL);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

/* `echoes-cli runway-key`: the key from stdin, checked, kept, reported, removed. */
static void
test_cli (void)
{
  g_autoptr(FakeRunwayKeys) runway = fake_runway_keys_new (GOOD_KEY);
  const char *base = runway->url;
  char *out = NULL;

  g_assert_nonnull (g_getenv ("ECHOES_CLI"));
  g_assert_cmpint (run_cli (base, NULL, &out, "status"), ==, 0);
  g_assert_nonnull (strstr (out, "No own Runway key"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (base, "key_wrong\n", &out, "set"), ==, 1);
  g_assert_nonnull (strstr (out, "Runway does not accept this key"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (base, GOOD_KEY "\n", &out, "set"), ==, 0);
  g_assert_nonnull (strstr (out, "Your own Runway key is set"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpuint (runway->checks, ==, 2);

  g_assert_cmpint (run_cli (base, NULL, &out, "status"), ==, 0);
  g_assert_nonnull (strstr (out, "Your own Runway key is set"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (base, NULL, &out, "remove"), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (base, NULL, &out, "status"), ==, 0);
  g_assert_nonnull (strstr (out, "No own Runway key"));
  g_clear_pointer (&out, g_free);
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);
  g_test_add_func ("/runway-key/save", test_save);
  g_test_add_func ("/runway-key/context", test_context);
  g_test_add_func ("/runway-key/cli", test_cli);
  return g_test_run ();
}
