/* echoes-test-cloud.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "echoes-test-cloud.h"

#include <string.h>
#include <json-glib/json-glib.h>

/* A stand-in for the account server in the test's own process, on 127.0.0.1: GoTrue's
 * password, refresh and PKCE grants with rotating tokens, a PostgREST table that checks
 * the token, and a TUS endpoint. Each test may answer first through fake->handler. */

void
test_result_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

/**
 * test_http_json:
 * @method: GET, POST…
 * @address: a test server's URL on loopback (the stand-in's fakes)
 * @body: (nullable): a JSON body
 *
 * A request answered 200 with JSON (or nothing, then a JSON null), else a failed
 * assertion. Blocks: for setting up and reading fakes, not for code under test.
 *
 * Returns: (transfer full): the answer
 */
JsonNode *
test_http_json (const char *method,
                const char *address,
                const char *body)
{
  g_autoptr(GProxyResolver) direct = g_simple_proxy_resolver_new (NULL, NULL);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", direct, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, address);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonNode *node;

  g_assert_nonnull (msg);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  text = g_strndup (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
  node = json_from_string (*text ? text : "null", &error);
  g_assert_no_error (error);
  return node;
}

void
test_wait_result (GAsyncResult **result)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (*result == NULL)
    {
      g_main_context_iteration (NULL, TRUE);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
}

char *
fake_server_access_token (FakeServer *fake)
{
  return g_strdup_printf (FAKE_ACCESS_PREFIX "-%u", fake->generation);
}

void
fake_server_json (SoupServerMessage *msg,
                  guint              status,
                  const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  if (json != NULL)
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static void
runway_keys_cb (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           data)
{
  FakeRunwayKeys *fake = data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autofree char *good = g_strconcat ("Bearer ", fake->good_key, NULL);

  fake->checks++;
  g_assert_cmpstr (path, ==, "/v1/organization");
  g_assert_nonnull (soup_message_headers_get_one (headers, "X-Runway-Version"));
  if (g_strcmp0 (soup_message_headers_get_one (headers, "Authorization"), good) == 0)
    fake_server_json (msg, 200, "{\"creditBalance\":10}");
  else
    fake_server_json (msg, 401, "{\"error\":\"Invalid API key\"}");
}

FakeRunwayKeys *
fake_runway_keys_new (const char *good_key)
{
  FakeRunwayKeys *fake = g_new0 (FakeRunwayKeys, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fake->good_key = g_strdup (good_key);
  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, NULL, runway_keys_cb, fake, NULL);
  soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fake->server);
  fake->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return fake;
}

void
fake_runway_keys_free (FakeRunwayKeys *fake)
{
  soup_server_disconnect (fake->server);
  g_object_unref (fake->server);
  g_free (fake->url);
  g_free (fake->good_key);
  g_free (fake);
}

void
fake_server_pause (FakeServer        *fake,
                   SoupServerMessage *msg)
{
  g_ptr_array_add (fake->paused, g_object_ref (msg));
  soup_server_message_pause (msg);
}

/* Writes an answer by hand on the raw connection, then closes it: for truncated bodies and
 * lying Content-Lengths, which libsoup's server would not send. */
void
fake_server_raw_response (SoupServerMessage *msg,
                          const char        *raw,
                          gsize              len)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

  g_output_stream_write_all (g_io_stream_get_output_stream (stream), raw, len, NULL, NULL, NULL);
  g_io_stream_close (stream, NULL, NULL);
}

static void
session_answer (FakeServer        *fake,
                SoupServerMessage *msg)
{
  g_autofree char *json = g_strdup_printf ("{\"access_token\":\"" FAKE_ACCESS_PREFIX "-%u\","
                                           "\"token_type\":\"bearer\",\"expires_in\":%" G_GINT64_FORMAT ","
                                           "\"refresh_token\":\"" FAKE_REFRESH_PREFIX "-%u\","
                                           "\"user\":{\"id\":\"" FAKE_USER_ID "\",\"email\":\"" FAKE_EMAIL "\"}}",
                                           fake->generation, fake->expires_in, fake->generation);
  fake_server_json (msg, 200, json);
}

static JsonObject *
body_object (SoupServerMessage *msg,
             JsonParser        *parser)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  if (body->length == 0 || !json_parser_load_from_data (parser, body->data, body->length, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_node_get_object (json_parser_get_root (parser));
}

static char *
base64url_sha256 (const char *text)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;
  char *b64;
  char *end;

  g_checksum_update (checksum, (const guchar *) text, -1);
  g_checksum_get_digest (checksum, digest, &len);
  b64 = g_base64_encode (digest, len);
  g_strdelimit (b64, "+", '-');
  g_strdelimit (b64, "/", '_');
  if ((end = strchr (b64, '=')) != NULL)
    *end = '\0';
  return b64;
}

static gboolean
authorized (FakeServer        *fake,
            SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Authorization");
  g_autofree char *token = fake_server_access_token (fake);
  g_autofree char *expected = g_strconcat ("Bearer ", token, NULL);

  return !fake->access_refused && g_strcmp0 (header, expected) == 0;
}

static void
handle_tus (FakeServer        *fake,
            SoupServerMessage *msg,
            const char        *method)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  g_autofree char *offset = NULL;

  if (g_str_equal (method, "POST"))
    {
      const char *length = soup_message_headers_get_one (request, "Upload-Length");

      g_assert_nonnull (soup_message_headers_get_one (request, "Upload-Metadata"));
      g_assert_cmpstr (soup_message_headers_get_one (request, "Tus-Resumable"), ==, "1.0.0");
      fake->tus_creations++;
      fake->tus_length = g_ascii_strtoll (length, NULL, 10);
      g_byte_array_set_size (fake->tus_data, 0);
      soup_message_headers_replace (response, "Location",
                                    "/storage/v1/upload/resumable/upload-1");
      soup_message_headers_replace (response, "Tus-Resumable", "1.0.0");
      soup_server_message_set_status (msg, 201, NULL);
      return;
    }

  if (g_str_equal (method, "HEAD"))
    {
      if (fake->tus_length == 0)
        {
          fake_server_json (msg, 404, "{\"message\":\"upload not found\"}");
          return;
        }
      offset = g_strdup_printf ("%u", fake->tus_data->len);
      soup_message_headers_replace (response, "Upload-Offset", offset);
      soup_message_headers_replace (response, "Tus-Resumable", "1.0.0");
      soup_server_message_set_status (msg, 200, NULL);
      return;
    }

  if (g_str_equal (method, "PATCH"))
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);
      guint64 at = g_ascii_strtoull (soup_message_headers_get_one (request, "Upload-Offset"), NULL, 10);

      g_assert_cmpstr (soup_message_headers_get_one (request, "Content-Type"), ==,
                       "application/offset+octet-stream");
      if (fake->tus_forget_next)
        {
          fake->tus_forget_next = FALSE;
          fake->tus_length = 0;
          g_byte_array_set_size (fake->tus_data, 0);
          fake_server_json (msg, 410, "{\"message\":\"upload expired\"}");
          return;
        }
      if (fake->tus_fail_patches > 0)
        {
          fake->tus_fail_patches--;
          fake_server_json (msg, 503, "{\"message\":\"busy\"}");
          return;
        }
      if (at != fake->tus_data->len)
        {
          fake_server_json (msg, 409, "{\"message\":\"offset mismatch\"}");
          return;
        }
      /* Every chunk but the last is exactly 6 MiB, as Supabase requires. */
      if (at + body->length < (guint64) fake->tus_length)
        g_assert_cmpint (body->length, ==, 6 * 1024 * 1024);
      if (fake->tus_drop_next)
        {
          fake->tus_drop_next = FALSE;
          g_byte_array_append (fake->tus_data, (const guint8 *) body->data, body->length / 2);
          fake_server_raw_response (msg, "", 0);
          return;
        }
      g_byte_array_append (fake->tus_data, (const guint8 *) body->data, body->length);
      offset = g_strdup_printf ("%u", fake->tus_data->len);
      soup_message_headers_replace (response, "Upload-Offset", offset);
      soup_message_headers_replace (response, "Tus-Resumable", "1.0.0");
      soup_server_message_set_status (msg, 204, NULL);
      return;
    }

  soup_server_message_set_status (msg, 405, NULL);
}

static void
handle (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  FakeServer *fake = user_data;
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  const char *grant = query != NULL ? g_hash_table_lookup (query, "grant_type") : NULL;
  g_autofree char *key = g_strconcat (method, " ", path, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  GUri *uri = soup_server_message_get_uri (msg);
  JsonObject *body;

  g_hash_table_insert (fake->hits, g_strdup (key),
                       GUINT_TO_POINTER (fake_server_hits (fake, key) + 1));
  g_free (fake->last_authorization);
  fake->last_authorization = g_strdup (soup_message_headers_get_one (request, "Authorization"));
  g_free (fake->last_prefer);
  fake->last_prefer = g_strdup (soup_message_headers_get_one (request, "Prefer"));
  g_free (fake->last_query);
  fake->last_query = g_strdup (g_uri_get_query (uri));
  g_clear_pointer (&fake->last_body, g_bytes_unref);
  fake->last_body = soup_message_body_flatten (soup_server_message_get_request_body (msg));

  /* Like Supabase's gateway, every route but authorize needs the apikey. */
  if (!g_str_equal (path, "/auth/v1/authorize")
      && g_strcmp0 (soup_message_headers_get_one (request, "apikey"), FAKE_ANON_KEY) != 0)
    {
      fake_server_json (msg, 401, "{\"message\":\"No API key found in request\"}");
      return;
    }

  if (fake->handler != NULL && fake->handler (fake, msg, path, query, fake->handler_data))
    return;

  body = body_object (msg, parser);

  if (g_str_equal (path, "/auth/v1/token") && g_strcmp0 (grant, "password") == 0)
    {
      if (body != NULL
          && g_strcmp0 (json_object_get_string_member_with_default (body, "email", ""), FAKE_EMAIL) == 0
          && g_strcmp0 (json_object_get_string_member_with_default (body, "password", ""), FAKE_PASSWORD) == 0)
        session_answer (fake, msg);
      else
        fake_server_json (msg, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid login credentials\"}");
      return;
    }

  if (g_str_equal (path, "/auth/v1/token") && g_strcmp0 (grant, "refresh_token") == 0)
    {
      g_autofree char *current = g_strdup_printf (FAKE_REFRESH_PREFIX "-%u", fake->generation);

      fake->refreshes++;
      if (fake->refuse_refresh || body == NULL
          || g_strcmp0 (json_object_get_string_member_with_default (body, "refresh_token", ""), current) != 0)
        {
          fake_server_json (msg, 400, "{\"code\":400,\"error_code\":\"refresh_token_already_used\","
                                      "\"msg\":\"Invalid Refresh Token: Already Used\"}");
          return;
        }
      fake->generation++;
      fake->access_refused = FALSE;
      session_answer (fake, msg);
      return;
    }

  if (g_str_equal (path, "/auth/v1/token") && g_strcmp0 (grant, "pkce") == 0)
    {
      const char *challenge = fake->handler_data;
      g_autofree char *computed = NULL;

      if (body == NULL || challenge == NULL)
        {
          fake_server_json (msg, 400, "{\"code\":400,\"error_code\":\"validation_failed\"}");
          return;
        }
      computed = base64url_sha256 (json_object_get_string_member_with_default (body, "code_verifier", ""));
      if (g_strcmp0 (json_object_get_string_member_with_default (body, "auth_code", ""), "the-code") != 0
          || g_strcmp0 (computed, challenge) != 0)
        {
          fake_server_json (msg, 400, "{\"code\":400,\"error_code\":\"bad_code_verifier\"}");
          return;
        }
      session_answer (fake, msg);
      return;
    }

  if (g_str_equal (path, "/auth/v1/logout"))
    {
      if (!authorized (fake, msg))
        {
          fake_server_json (msg, 401, "{\"code\":401,\"error_code\":\"session_not_found\"}");
          return;
        }
      fake->generation += 100;  /* the tokens are revoked */
      soup_server_message_set_status (msg, 204, NULL);
      return;
    }

  if (g_str_equal (path, "/auth/v1/recover"))
    {
      fake_server_json (msg, 200, "{}");
      return;
    }

  if (g_str_has_prefix (path, "/rest/v1/"))
    {
      if (!authorized (fake, msg))
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "WWW-Authenticate", "Bearer error=\"invalid_token\"");
          fake_server_json (msg, 401, "{\"code\":\"PGRST303\",\"message\":\"JWT expired\"}");
          return;
        }
      if (g_str_equal (method, "DELETE"))
        fake_server_json (msg, 200, "[{\"id\":7}]");
      else if (g_str_equal (method, "POST") && g_str_has_prefix (path, "/rest/v1/rpc/"))
        fake_server_json (msg, 200, "42");
      else if (g_str_equal (method, "POST"))
        fake_server_json (msg, 201, "[{\"id\":7,\"title\":\"Sea\"}]");
      else
        fake_server_json (msg, 200, "[{\"id\":7,\"title\":\"Sea\"}]");
      return;
    }

  if (g_str_has_prefix (path, "/storage/v1/upload/resumable"))
    {
      if (!authorized (fake, msg))
        {
          fake_server_json (msg, 403, "{\"statusCode\":\"403\",\"code\":\"AccessDenied\",\"error\":\"Unauthorized\",\"message\":\"jwt expired\"}");
          return;
        }
      handle_tus (fake, msg, method);
      return;
    }

  if (g_str_has_prefix (path, "/storage/v1/object/sign/") && g_str_equal (method, "POST"))
    {
      g_autofree char *json = g_strdup_printf ("{\"signedURL\":\"/object/sign/%s?token=" FAKE_SIGN_TOKEN "\"}",
                                               path + strlen ("/storage/v1/object/sign/"));
      fake_server_json (msg, 200, json);
      return;
    }

  if (g_str_has_prefix (path, "/storage/v1/object/") && g_str_equal (method, "POST"))
    {
      if (!authorized (fake, msg))
        {
          fake_server_json (msg, 400, "{\"statusCode\":\"403\",\"code\":\"AccessDenied\",\"error\":\"Unauthorized\",\"message\":\"jwt expired\"}");
          return;
        }
      g_clear_pointer (&fake->object, g_bytes_unref);
      fake->object = g_bytes_ref (fake->last_body);
      fake_server_json (msg, 200, "{\"Key\":\"k\",\"Id\":\"i\"}");
      return;
    }

  if ((g_str_has_prefix (path, "/storage/v1/object/authenticated/")
       || g_str_has_prefix (path, "/storage/v1/object/sign/"))
      && fake->object != NULL)
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                        g_bytes_get_data (fake->object, NULL),
                                        g_bytes_get_size (fake->object));
      return;
    }

  fake_server_json (msg, 404, "{\"statusCode\":\"404\",\"error\":\"not_found\",\"message\":\"Not found\"}");
}

FakeServer *
fake_server_new (void)
{
  FakeServer *fake = g_new0 (FakeServer, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fake->server = soup_server_new (NULL, NULL);
  fake->hits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fake->paused = g_ptr_array_new_with_free_func (g_object_unref);
  fake->tus_data = g_byte_array_new ();
  fake->generation = 1;
  fake->expires_in = 3600;
  soup_server_add_handler (fake->server, NULL, handle, fake, NULL);
  soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fake->server);
  g_assert_nonnull (uris);
  fake->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return fake;
}

guint
fake_server_hits (FakeServer *fake,
                  const char *method_path)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (fake->hits, method_path));
}

void
fake_server_free (FakeServer *fake)
{
  for (guint i = 0; i < fake->paused->len; i++)
    {
      SoupServerMessage *msg = g_ptr_array_index (fake->paused, i);

      soup_server_message_set_status (msg, 503, NULL);
      soup_server_message_unpause (msg);
    }
  soup_server_disconnect (fake->server);
  /* Let the server's last writes and closes run. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&fake->server);
  g_ptr_array_unref (fake->paused);
  g_hash_table_unref (fake->hits);
  g_byte_array_unref (fake->tus_data);
  g_clear_pointer (&fake->object, g_bytes_unref);
  g_clear_pointer (&fake->last_body, g_bytes_unref);
  g_free (fake->last_authorization);
  g_free (fake->last_prefer);
  g_free (fake->last_query);
  g_free (fake->url);
  g_free (fake);
}

/* Runs echoes-cli against the fake server while the main loop serves it. */
int
fake_server_run_cli (FakeServer         *fake,
                     const char         *input,
                     const char         *bus_address,
                     char              **out,
                     char              **err,
                     const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("ECHOES_CLI");

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (gpointer) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "ECHOES_SUPABASE_URL", fake->url, TRUE);
  g_subprocess_launcher_setenv (launcher, "ECHOES_SUPABASE_ANON_KEY", FAKE_ANON_KEY, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  if (bus_address != NULL)
    g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", bus_address, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8_async (process, input, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_subprocess_communicate_utf8_finish (process, result, out, err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}
