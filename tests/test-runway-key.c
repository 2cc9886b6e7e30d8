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
#include "echoes-runway-key.h"
#include "echoes-secret-store.h"
#include "echoes-test-cloud.h"
#include "echoes-test-util.h"

/* A user's own Runway key in the real keyring (run under build-aux/keyring-session.sh):
 * kept only once Runway (a SoupServer on loopback here) accepted it. */

#define GOOD_KEY "key_9f8e7d6c5b4a39281706"

static guint checks;

static void
runway_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           data)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");

  checks++;
  g_assert_cmpstr (path, ==, "/v1/organization");
  g_assert_nonnull (soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "X-Runway-Version"));
  if (g_strcmp0 (auth, "Bearer " GOOD_KEY) == 0)
    fake_server_json (msg, 200, "{\"creditBalance\":10}");
  else
    fake_server_json (msg, 401, "{\"error\":\"Invalid API key\"}");
}

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
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(EchoesSecretStore) store = echoes_secret_store_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *base = NULL;
  g_autofree char *kept = NULL;
  GSList *uris;

  soup_server_add_handler (server, NULL, runway_cb, NULL, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  /* Refused: nothing kept. */
  echoes_runway_key_save_async (store, base, "key_wrong", NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_false (echoes_runway_key_save_finish (result, &error));
  g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  g_clear_object (&result);
  g_assert_null (lookup (store, base));
  g_assert_cmpuint (checks, ==, 1);

  /* Accepted once, then in the keyring. */
  echoes_runway_key_save_async (store, base, GOOD_KEY, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_runway_key_save_finish (result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (checks, ==, 2);
  kept = lookup (store, base);
  g_assert_cmpstr (kept, ==, GOOD_KEY);

  echoes_secret_store_clear_async (store, base, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_secret_store_clear_finish (store, result, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);
  g_test_add_func ("/runway-key/save", test_save);
  return g_test_run ();
}
