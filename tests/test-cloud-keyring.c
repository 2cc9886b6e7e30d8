/* test-cloud-keyring.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <libsecret/secret.h>

#include "echoes-auth.h"
#include "echoes-cloud-error.h"
#include "echoes-rest-client.h"
#include "echoes-secret-store.h"
#include "echoes-storage-client.h"
#include <json-glib/json-glib.h>
#include "echoes-test-cloud.h"
#include "echoes-test-util.h"

/* The session in the keyring: needs a Secret Service (a private D-Bus session with an
 * unlocked gnome-keyring: build-aux/keyring-session.sh), except for the case without one. */

static GString *captured_log;

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_autofree char *line = g_log_writer_format_fields (level, fields, n_fields, FALSE);

  g_string_append (captured_log, line);
  g_string_append_c (captured_log, '\n');
  if (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO | G_LOG_LEVEL_MESSAGE))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static EchoesAuth *
sign_in (FakeServer *fake,
         GError    **error)
{
  EchoesAuth *auth = echoes_auth_new (fake->url, FAKE_ANON_KEY);
  g_autoptr(GAsyncResult) result = NULL;

  echoes_auth_sign_in_async (auth, FAKE_EMAIL, FAKE_PASSWORD, NULL, test_result_cb, &result);
  test_wait_result (&result);
  echoes_auth_sign_in_finish (auth, result, error);
  return auth;
}

static gboolean
restore (EchoesAuth *auth,
         GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  echoes_auth_restore_async (auth, NULL, test_result_cb, &result);
  test_wait_result (&result);
  return echoes_auth_restore_finish (auth, result, error);
}

static char *
lookup (EchoesSecretStore *store,
        const char        *url)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *secret;

  echoes_secret_store_lookup_async (store, url, NULL, test_result_cb, &result);
  test_wait_result (&result);
  secret = echoes_secret_store_lookup_finish (store, result, &error);
  g_assert_no_error (error);
  return secret;
}

static void
test_store_lookup_clear (void)
{
  g_autoptr(EchoesSecretStore) store = echoes_secret_store_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *secret;

  g_assert_cmpstr (echoes_secret_store_get_schema_name (store), ==, BASE_ID ".Session");

  echoes_secret_store_store_async (store, "http://127.0.0.1:1", "first", NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_secret_store_store_finish (store, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  /* Stored again: replaced, not added. */
  echoes_secret_store_store_async (store, "http://127.0.0.1:1", "second", NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_secret_store_store_finish (store, result, &error));
  g_clear_object (&result);

  secret = lookup (store, "http://127.0.0.1:1");
  g_assert_cmpstr (secret, ==, "second");
  secret_password_free (secret);
  secret = lookup (store, "http://127.0.0.1:2");
  g_assert_null (secret);

  echoes_secret_store_clear_async (store, "http://127.0.0.1:1", NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_secret_store_clear_finish (store, result, &error));
  g_assert_no_error (error);
  secret = lookup (store, "http://127.0.0.1:1");
  g_assert_null (secret);
  g_clear_object (&result);

  g_assert_finalize_object (g_steal_pointer (&store));
}

static void
test_session_persists (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(EchoesSecretStore) store = echoes_secret_store_new ();
  g_autoptr(EchoesAuth) auth = NULL;
  g_autoptr(EchoesAuth) again = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  char *secret;

  auth = sign_in (fake, &error);
  g_assert_no_error (error);
  g_assert_true (echoes_auth_get_session_persistent (auth));
  g_assert_null (echoes_auth_get_persistence_error (auth));
  secret = lookup (store, fake->url);
  g_assert_nonnull (strstr (secret, FAKE_REFRESH_PREFIX "-1"));
  secret_password_free (secret);

  /* A refresh rotates the token: the keyring holds the new one, never the old. */
  echoes_auth_refresh_async (auth, NULL, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_auth_refresh_finish (auth, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  secret = lookup (store, fake->url);
  g_assert_nonnull (strstr (secret, FAKE_REFRESH_PREFIX "-2"));
  g_assert_null (strstr (secret, FAKE_REFRESH_PREFIX "-1"));
  secret_password_free (secret);

  /* "Restart": a new object finds the session. */
  again = echoes_auth_new (fake->url, FAKE_ANON_KEY);
  g_assert_true (restore (again, &error));
  g_assert_no_error (error);
  g_assert_true (echoes_auth_get_signed_in (again));
  g_assert_cmpstr (echoes_auth_get_email (again), ==, FAKE_EMAIL);
  g_assert_cmpstr (echoes_auth_get_user_id (again), ==, FAKE_USER_ID);
  g_assert_true (echoes_auth_get_session_persistent (again));
  token = echoes_auth_dup_access_token (again);
  g_assert_cmpstr (token, ==, FAKE_ACCESS_PREFIX "-2");

  /* Sign-out deletes the secret. */
  echoes_auth_sign_out_async (again, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_auth_sign_out_finish (again, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while ((secret = lookup (store, fake->url)) != NULL)
      {
        secret_password_free (secret);
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, FALSE);
      }
  }

  g_clear_object (&auth);
  auth = echoes_auth_new (fake->url, FAKE_ANON_KEY);
  g_assert_true (restore (auth, &error));
  g_assert_false (echoes_auth_get_signed_in (auth));
}

static void
test_no_secret_service (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FakeServer) fake = NULL;
      g_autoptr(EchoesAuth) auth = NULL;
      g_autoptr(EchoesAuth) again = NULL;
      g_autoptr(GError) error = NULL;
      const GError *why;

      /* No Secret Service reachable: a bus address where nothing listens. */
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/echoes-test-bus", TRUE);
      fake = fake_server_new ();
      auth = sign_in (fake, &error);
      g_assert_no_error (error);
      g_assert_true (echoes_auth_get_signed_in (auth));
      g_assert_false (echoes_auth_get_session_persistent (auth));
      why = echoes_auth_get_persistence_error (auth);
      g_assert_error (why, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_KEYRING);
      g_assert_cmpstr (echoes_cloud_error_describe (why), !=, why->message);

      again = echoes_auth_new (fake->url, FAKE_ANON_KEY);
      g_assert_false (restore (again, &error));
      g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_KEYRING);
      g_assert_false (echoes_auth_get_signed_in (again));
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
assert_no_secret (const char *where,
                  const char *text,
                  gsize       len)
{
  const char *secrets[] = { FAKE_ACCESS_PREFIX, FAKE_REFRESH_PREFIX, FAKE_PASSWORD, FAKE_SIGN_TOKEN };

  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    if (g_strstr_len (text, len, secrets[i]) != NULL)
      g_error ("A secret (%.9s…) was found in %s", secrets[i], where);
}

static guint
scan_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        n += scan_tree (child);
      else if (g_file_get_contents (child, &contents, &len, NULL))
        {
          assert_no_secret (child, contents, len);
          n++;
        }
    }
  return n;
}

static void
test_no_secret_leaks (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(EchoesAuth) auth = NULL;
  g_autoptr(EchoesRestClient) rest = NULL;
  g_autoptr(EchoesStorageClient) storage = NULL;
  g_autoptr(GSettings) settings = g_settings_new (BASE_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) rows = NULL;
  g_autofree char *signed_url = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *data_file = NULL;
  g_auto(GStrv) keys = NULL;
  const char *params[] = { "select", "*", NULL };

  /* Everything the session does: sign-in, a 401 → refresh → retry, a signed URL, a
   * download through it, sign-out. */
  auth = sign_in (fake, &error);
  g_assert_no_error (error);
  rest = echoes_rest_client_new (auth);
  storage = echoes_storage_client_new (auth);
  fake->access_refused = TRUE;
  echoes_rest_client_select_async (rest, "projects", params, NULL, test_result_cb, &result);
  test_wait_result (&result);
  rows = echoes_rest_client_select_finish (rest, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (fake->refreshes, ==, 1);

  echoes_storage_client_create_signed_url_async (storage, "clips", "u/p/c.mp4", 60, NULL,
                                                 test_result_cb, &result);
  test_wait_result (&result);
  signed_url = echoes_storage_client_create_signed_url_finish (storage, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_nonnull (strstr (signed_url, FAKE_SIGN_TOKEN));
  {
    g_autoptr(GFile) dest = g_file_new_build_filename (g_get_user_data_dir (), "c.mp4", NULL);

    g_mkdir_with_parents (g_get_user_data_dir (), 0700);
    echoes_storage_client_download_url_async (storage, signed_url, dest, NULL, test_result_cb, &result);
    test_wait_result (&result);
    /* The fake has no such object: an error, logged without the URL's token. */
    g_assert_cmpint (echoes_storage_client_download_url_finish (storage, result, &error), ==, -1);
    g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_NOT_FOUND);
    g_clear_error (&error);
    g_clear_object (&result);
  }

  echoes_auth_sign_out_async (auth, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_auth_sign_out_finish (auth, result, &error));
  g_clear_object (&result);

  /* Leave something the app writes in the data dir too, so the scan sees files. */
  data_dir = g_build_filename (g_get_user_data_dir (), "echoes", NULL);
  data_file = g_build_filename (data_dir, "marker", NULL);
  g_mkdir_with_parents (data_dir, 0700);
  g_file_set_contents (data_file, "ok", -1, NULL);

  /* The log was captured (the trace is there) but holds no secret. */
  g_assert_nonnull (strstr (captured_log->str, "/auth/v1/token"));
  g_assert_nonnull (strstr (captured_log->str, "/rest/v1/projects"));
  g_assert_nonnull (strstr (captured_log->str, "/storage/v1/object/sign/clips/u/p/c.mp4"));
  assert_no_secret ("the log", captured_log->str, captured_log->len);

  g_assert_cmpuint (scan_tree (g_get_user_data_dir ()), >=, 1);
  scan_tree (g_get_user_config_dir ());
  scan_tree (g_get_user_cache_dir ());

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *text = g_variant_print (value, FALSE);

      assert_no_secret (keys[i], text, strlen (text));
    }
}

static void
test_cli_login_status_logout (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  const char *login[] = { "account", "login", NULL };
  const char *status[] = { "--json", "account", "status", NULL };
  const char *logout[] = { "account", "logout", NULL };
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonObject *object;

  /* The e-mail address and the password both from stdin. */
  g_assert_cmpint (fake_server_run_cli (fake, FAKE_EMAIL "\n" FAKE_PASSWORD "\n", NULL, &out, &err, login), ==, 0);
  g_assert_cmpstr (out, ==, "Signed in as " FAKE_EMAIL ".\n");
  g_assert_cmpstr (err, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Another process finds the session in the keyring. */
  g_assert_cmpint (fake_server_run_cli (fake, NULL, NULL, &out, &err, status), ==, 0);
  node = json_from_string (out, NULL);
  g_assert_nonnull (node);
  object = json_node_get_object (node);
  g_assert_true (json_object_get_boolean_member (object, "signed_in"));
  g_assert_true (json_object_get_boolean_member (object, "remembered"));
  g_assert_cmpstr (json_object_get_string_member (object, "email"), ==, FAKE_EMAIL);
  g_assert_null (strstr (out, "tok-"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (fake_server_run_cli (fake, NULL, NULL, &out, &err, logout), ==, 0);
  g_assert_cmpstr (out, ==, "Not signed in.\n");
  g_assert_cmpuint (fake_server_hits (fake, "POST /auth/v1/logout"), ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (fake_server_run_cli (fake, NULL, NULL, &out, &err, status + 1), ==, 0);
  g_assert_cmpstr (out, ==, "Not signed in.\n");
}

/* An account with nothing on the server yet: every read finds no row. */
static gboolean
no_rows_handler (FakeServer        *fake,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           data)
{
  if (!g_str_equal (soup_server_message_get_method (msg), "GET")
      || !g_str_has_prefix (path, "/rest/v1/"))
    return FALSE;
  fake_server_json (msg, 200, "[]");
  return TRUE;
}

static void
test_cli_sync (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  const char *login[] = { "account", "login", NULL };
  const char *sync[] = { "account", "sync", NULL };
  const char *logout[] = { "account", "logout", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  fake->handler = no_rows_handler;
  /* The CLI's data directory: this test's own (the test environment's is unusable). */
  g_setenv ("XDG_DATA_HOME", g_get_user_data_dir (), TRUE);

  /* Signed out, there is nothing to sync with. */
  g_assert_cmpint (fake_server_run_cli (fake, NULL, NULL, &out, &err, sync), ==, 1);
  g_assert_cmpstr (err, ==, "echoes-cli: You are not signed in.\n");
  g_assert_cmpuint (fake_server_hits (fake, "GET /rest/v1/projects"), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (fake_server_run_cli (fake, FAKE_EMAIL "\n" FAKE_PASSWORD "\n", NULL, &out, &err, login), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* One whole sync: both tables pulled. */
  status = fake_server_run_cli (fake, NULL, NULL, &out, &err, sync);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "Synced.\n");
  g_assert_cmpuint (fake_server_hits (fake, "GET /rest/v1/projects"), >=, 1);
  g_assert_cmpuint (fake_server_hits (fake, "GET /rest/v1/clips"), >=, 1);
  g_assert_null (strstr (out, "tok-"));
  g_assert_null (strstr (err, "tok-"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (fake_server_run_cli (fake, NULL, NULL, &out, &err, logout), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  captured_log = g_string_new (NULL);
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  g_log_set_writer_func (capture_writer, NULL, NULL);
  echoes_test_init (&argc, &argv);

  g_test_add_func ("/echoes/cloud/keyring/store-lookup-clear", test_store_lookup_clear);
  g_test_add_func ("/echoes/cloud/keyring/cli-sync", test_cli_sync);
  g_test_add_func ("/echoes/cloud/keyring/session-persists", test_session_persists);
  g_test_add_func ("/echoes/cloud/keyring/no-secret-service", test_no_secret_service);
  g_test_add_func ("/echoes/cloud/keyring/no-secret-leaks", test_no_secret_leaks);
  g_test_add_func ("/echoes/cloud/keyring/cli", test_cli_login_status_logout);

  return g_test_run ();
}
