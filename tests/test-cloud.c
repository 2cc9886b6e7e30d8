/* test-cloud.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "echoes-auth.h"
#include "echoes-cloud-config.h"
#include "echoes-cloud-error.h"
#include "echoes-functions-client.h"
#include "echoes-http.h"
#include "echoes-rest-client.h"
#include "echoes-storage-client.h"
#include "echoes-test-cloud.h"
#include "echoes-test-util.h"

/* The cloud layer against an in-process server on 127.0.0.1 that misbehaves on purpose.
 * No keyring here (use-keyring FALSE): see test-cloud-keyring.c. */

typedef struct
{
  FakeServer *fake;
  EchoesHttp *http;
  guint       calls;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->fake = fake_server_new ();
  f->http = echoes_http_new (f->fake->url, FAKE_ANON_KEY, NULL);
  echoes_http_set_retry_delay (f->http, 5);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->http);
  fake_server_free (f->fake);
}

static EchoesHttpResponse *
send_sync (EchoesHttp  *http,
           const char  *method,
           const char  *path,
           GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  echoes_http_send_async (http, method, path, NULL, NULL, NULL, ECHOES_HTTP_FLAGS_NONE, NULL,
                          test_result_cb, &result);
  test_wait_result (&result);
  return echoes_http_send_finish (http, result, error);
}

static JsonNode *
send_json_sync (EchoesHttp  *http,
                const char  *method,
                const char  *path,
                GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  echoes_http_send_json_async (http, method, path, NULL, NULL, ECHOES_HTTP_FLAGS_NONE, NULL,
                               test_result_cb, &result);
  test_wait_result (&result);
  return echoes_http_send_json_finish (http, result, error);
}

/* 503, 503, then 200 */
static gboolean
flaky_handler (FakeServer        *fake,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           data)
{
  Fixture *f = data;

  if (++f->calls < 3)
    fake_server_json (msg, f->calls == 1 ? 503 : 500, "{\"message\":\"try later\"}");
  else
    fake_server_json (msg, 200, "{\"ok\":true}");
  return TRUE;
}

static void
test_http_retry_5xx (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  f->fake->handler = flaky_handler;
  f->fake->handler_data = f;
  node = send_json_sync (f->http, "GET", "/rest/v1/things", &error);
  g_assert_no_error (error);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (node), "ok"));
  g_assert_cmpuint (fake_server_hits (f->fake, "GET /rest/v1/things"), ==, 3);
}

static gboolean
always_500_handler (FakeServer        *fake,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           data)
{
  fake_server_json (msg, 500, "{\"code\":\"XX000\",\"message\":\"boom\"}");
  return TRUE;
}

static void
test_http_post_not_retried (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(EchoesHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  f->fake->handler = always_500_handler;
  response = send_sync (f->http, "POST", "/rest/v1/things", &error);
  g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_SERVER);
  g_assert_null (response);
  g_assert_cmpuint (fake_server_hits (f->fake, "POST /rest/v1/things"), ==, 1);
}

static void
test_http_retries_exhausted (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(EchoesHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  f->fake->handler = always_500_handler;
  echoes_http_set_max_tries (f->http, 3);
  response = send_sync (f->http, "GET", "/rest/v1/things", &error);
  g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_SERVER);
  g_assert_true (echoes_cloud_error_is_transient (error));
  g_assert_cmpuint (fake_server_hits (f->fake, "GET /rest/v1/things"), ==, 3);
}

typedef struct
{
  const char *retry_after;
  guint       calls;
  gint64      first;
  gint64      second;
} RateLimit;

static gboolean
rate_limit_handler (FakeServer        *fake,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           data)
{
  RateLimit *limit = data;

  if (limit->calls++ == 0)
    {
      limit->first = g_get_monotonic_time ();
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", limit->retry_after);
      fake_server_json (msg, 429, "{\"code\":429,\"error_code\":\"over_request_rate_limit\"}");
      return TRUE;
    }
  limit->second = g_get_monotonic_time ();
  fake_server_json (msg, 200, "[]");
  return TRUE;
}

static void
test_http_retry_after (Fixture       *f,
                       gconstpointer  data)
{
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 3);
      g_autofree char *http_date = soup_date_time_to_string (later, SOUP_DATE_HTTP);
      RateLimit limit = { i == 0 ? "1" : http_date, 0, 0, 0 };
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) error = NULL;

      f->fake->handler = rate_limit_handler;
      f->fake->handler_data = &limit;
      /* Even a POST goes again after a 429: the server did nothing. */
      node = send_json_sync (f->http, "POST", "/rest/v1/rpc/f", &error);
      g_assert_no_error (error);
      g_assert_cmpuint (limit.calls, ==, 2);
      /* The wait honoured Retry-After (a lower bound only: never a flaky upper one). The
       * HTTP date, 3 s ahead at a one-second resolution, is at least 2 s away. */
      g_assert_cmpint (limit.second - limit.first, >=, 950 * 1000);
    }
}

static void
test_http_retry_after_too_long (Fixture       *f,
                                gconstpointer  data)
{
  RateLimit limit = { "3600", 0, 0, 0 };
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  f->fake->handler = rate_limit_handler;
  f->fake->handler_data = &limit;
  node = send_json_sync (f->http, "GET", "/rest/v1/x", &error);
  g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_RATE_LIMITED);
  g_assert_cmpuint (limit.calls, ==, 1);
}

static gboolean
silent_handler (FakeServer        *fake,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           data)
{
  fake_server_pause (fake, msg);
  return TRUE;
}

static void
test_http_timeout (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(EchoesHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  f->fake->handler = silent_handler;
  echoes_http_set_timeout (f->http, 1);
  echoes_http_set_max_tries (f->http, 2);
  response = send_sync (f->http, "GET", "/rest/v1/slow", &error);
  g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_TIMEOUT);
  /* A GET that timed out is tried again. */
  g_assert_cmpuint (fake_server_hits (f->fake, "GET /rest/v1/slow"), ==, 2);
}

static gboolean
truncated_handler (FakeServer        *fake,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           data)
{
  const char *raw = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    "Content-Length: 1000\r\n\r\n[{\"id\":1,\"title\":\"Se";

  fake_server_raw_response (msg, raw, strlen (raw));
  return TRUE;
}

static void
test_http_truncated (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  f->fake->handler = truncated_handler;
  echoes_http_set_max_tries (f->http, 2);
  node = send_json_sync (f->http, "GET", "/rest/v1/things", &error);
  g_assert_null (node);
  g_assert_true (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_BAD_RESPONSE)
                 || g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_NETWORK));
  g_assert_cmpuint (fake_server_hits (f->fake, "GET /rest/v1/things"), ==, 2);
}

static gboolean
garbage_handler (FakeServer        *fake,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           data)
{
  fake_server_json (msg, 200, data);
  return TRUE;
}

static void
test_http_garbage_json (Fixture       *f,
                        gconstpointer  data)
{
  const char *bodies[] = { "{not json", "[{\"id\":1},", "\xff\xfe\x00garbage", "<html>502</html>" };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) error = NULL;

      f->fake->handler = garbage_handler;
      f->fake->handler_data = (gpointer) bodies[i];
      node = send_json_sync (f->http, "GET", "/rest/v1/things", &error);
      g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_BAD_RESPONSE);
      g_assert_null (node);
    }
}

static gboolean
huge_declared_handler (FakeServer        *fake,
                       SoupServerMessage *msg,
                       const char        *path,
                       GHashTable        *query,
                       gpointer           data)
{
  const char *raw = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    "Content-Length: 104857600\r\n\r\n[0,0,0,0,0,0,0,0";

  fake_server_raw_response (msg, raw, strlen (raw));
  return TRUE;
}

typedef struct
{
  guint    chunks;
  gboolean finished;
} Stream;

static char huge_chunk[1024 * 1024];

static void
wrote_chunk_cb (SoupServerMessage *msg,
                Stream            *stream)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  if (stream->chunks < 100)
    {
      stream->chunks++;
      soup_message_body_append (body, SOUP_MEMORY_STATIC, huge_chunk, sizeof huge_chunk);
    }
  else
    soup_message_body_complete (body);
}

static void
finished_cb (SoupServerMessage *msg,
             Stream            *stream)
{
  stream->finished = TRUE;
}

static gboolean
huge_chunked_handler (FakeServer        *fake,
                      SoupServerMessage *msg,
                      const char        *path,
                      GHashTable        *query,
                      gpointer           data)
{
  Stream *stream = data;

  memset (huge_chunk, ' ', sizeof huge_chunk);
  huge_chunk[0] = '[';
  soup_server_message_set_status (msg, 200, NULL);
  soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg),
                                     SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg),
                                         "application/json", NULL);
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (wrote_chunk_cb), stream);
  g_signal_connect (msg, "finished", G_CALLBACK (finished_cb), stream);
  stream->chunks = 1;
  soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_STATIC,
                            huge_chunk, sizeof huge_chunk);
  return TRUE;
}

static gboolean
stream_finished (gpointer data)
{
  return ((Stream *) data)->finished;
}

static void
test_http_huge (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  Stream stream = { 0, FALSE };

  /* Announced: refused before a byte of it is read. */
  f->fake->handler = huge_declared_handler;
  node = send_json_sync (f->http, "GET", "/rest/v1/things", &error);
  g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_TOO_LARGE);
  g_assert_null (node);
  g_clear_error (&error);

  /* Streamed without a length: reading stops at the cap, the rest is never sent. */
  f->fake->handler = huge_chunked_handler;
  f->fake->handler_data = &stream;
  node = send_json_sync (f->http, "GET", "/rest/v1/stream", &error);
  g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_TOO_LARGE);
  g_assert_null (node);
  g_assert_true (echoes_test_wait_until (stream_finished, &stream, 30000));
  g_assert_cmpuint (stream.chunks, <, 50);
  g_assert_cmpuint (fake_server_hits (f->fake, "GET /rest/v1/stream"), ==, 1);
}

static void
test_http_connection_refused (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(EchoesHttp) http = NULL;
  g_autoptr(EchoesHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  GSList *uris;

  /* A port that was just free: nothing listens there any more. */
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  soup_server_disconnect (server);

  http = echoes_http_new (url, FAKE_ANON_KEY, NULL);
  echoes_http_set_retry_delay (http, 5);
  response = send_sync (http, "GET", "/rest/v1/things", &error);
  g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_NETWORK);
  g_assert_true (echoes_cloud_error_is_transient (error));
}

static void
test_http_cancel (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(EchoesHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  f->fake->handler = always_500_handler;
  echoes_http_set_retry_delay (f->http, 30000);
  echoes_http_send_async (f->http, "GET", "/rest/v1/things", NULL, NULL, NULL,
                          ECHOES_HTTP_FLAGS_NONE, cancellable, test_result_cb, &result);
  /* Cancelled while it waits to try again. */
  while (fake_server_hits (f->fake, "GET /rest/v1/things") == 0)
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (cancellable);
  test_wait_result (&result);
  response = echoes_http_send_finish (f->http, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_http_logs_no_query (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *url = NULL;
  const char *params[] = { "select", "*,clips(*)", "title", "eq.a b&c", NULL };

  url = echoes_http_build_url (f->http, "/rest/v1/projects", params);
  g_assert_true (g_str_has_prefix (url, f->fake->url));
  g_assert_true (g_str_has_suffix (url, "/rest/v1/projects?select=*,clips(*)&title=eq.a%20b%26c"));
}

/* Auth */

static EchoesAuth *
new_auth (Fixture *f)
{
  return echoes_auth_new_full (f->fake->url, FAKE_ANON_KEY, FALSE);
}

static void
sign_in (EchoesAuth *auth,
         const char *email,
         const char *password,
         GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  echoes_auth_sign_in_async (auth, email, password, NULL, test_result_cb, &result);
  test_wait_result (&result);
  echoes_auth_sign_in_finish (auth, result, error);
}

typedef struct
{
  guint       status;
  const char *body;
} Canned;

static gboolean
canned_handler (FakeServer        *fake,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           data)
{
  const Canned *canned = data;

  if (!g_str_has_prefix (path, "/auth/v1/"))
    return FALSE;
  if (canned->status == 429)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "0");
  fake_server_json (msg, canned->status, canned->body);
  return TRUE;
}

static void
test_auth_errors (Fixture       *f,
                  gconstpointer  data)
{
  static const struct
  {
    Canned           canned;
    EchoesCloudError expected;
  } cases[] = {
    { { 400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid login credentials\"}" },
      ECHOES_CLOUD_ERROR_INVALID_CREDENTIALS },
    { { 400, "{\"code\":400,\"error_code\":\"invalid_credentials\",\"msg\":\"Invalid login credentials\"}" },
      ECHOES_CLOUD_ERROR_INVALID_CREDENTIALS },
    { { 400, "{\"code\":\"email_not_confirmed\",\"message\":\"Email not confirmed\"}" },
      ECHOES_CLOUD_ERROR_EMAIL_NOT_CONFIRMED },
    { { 422, "{\"code\":422,\"error_code\":\"user_already_exists\",\"msg\":\"User already registered\"}" },
      ECHOES_CLOUD_ERROR_EMAIL_TAKEN },
    { { 422, "{\"code\":\"email_exists\",\"message\":\"exists\"}" }, ECHOES_CLOUD_ERROR_EMAIL_TAKEN },
    { { 422, "{\"code\":422,\"error_code\":\"weak_password\",\"msg\":\"Password should be at least 6 characters\","
             "\"weak_password\":{\"reasons\":[\"length\"]}}" }, ECHOES_CLOUD_ERROR_WEAK_PASSWORD },
    { { 429, "{\"code\":429,\"error_code\":\"over_email_send_rate_limit\"}" }, ECHOES_CLOUD_ERROR_RATE_LIMITED },
    { { 500, "{\"code\":500,\"error_code\":\"unexpected_failure\"}" }, ECHOES_CLOUD_ERROR_SERVER },
    { { 200, "{\"access_token\":\"\"}" }, ECHOES_CLOUD_ERROR_BAD_RESPONSE },
    { { 200, "not json at all" }, ECHOES_CLOUD_ERROR_BAD_RESPONSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EchoesAuth) auth = new_auth (f);
      g_autoptr(GError) error = NULL;

      f->fake->handler = canned_handler;
      f->fake->handler_data = (gpointer) &cases[i].canned;
      sign_in (auth, FAKE_EMAIL, FAKE_PASSWORD, &error);
      g_assert_error (error, ECHOES_CLOUD_ERROR, (gint) cases[i].expected);
      g_assert_false (echoes_auth_get_signed_in (auth));
      g_assert_cmpstr (echoes_cloud_error_describe (error), !=, error->message);
    }

  /* And the real thing: a wrong password against the fake GoTrue. */
  {
    g_autoptr(EchoesAuth) auth = new_auth (f);
    g_autoptr(GError) error = NULL;

    guint before = fake_server_hits (f->fake, "POST /auth/v1/token");

    f->fake->handler = NULL;
    sign_in (auth, FAKE_EMAIL, "wrong", &error);
    g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_INVALID_CREDENTIALS);
    /* A sign-in is a POST: not sent twice. */
    g_assert_cmpuint (fake_server_hits (f->fake, "POST /auth/v1/token"), ==, before + 1);
  }
}

static void
signed_out_cb (EchoesAuth   *auth,
               const GError *reason,
               GError      **out)
{
  g_assert_null (*out);
  *out = reason != NULL ? g_error_copy (reason)
                        : g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "user");
}

static void
test_auth_sign_in_out (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(EchoesAuth) auth = new_auth (f);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) reason = NULL;
  g_autofree char *token = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_signal_connect (auth, "signed-out", G_CALLBACK (signed_out_cb), &reason);
  sign_in (auth, FAKE_EMAIL, FAKE_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_true (echoes_auth_get_signed_in (auth));
  g_assert_cmpstr (echoes_auth_get_user_id (auth), ==, FAKE_USER_ID);
  g_assert_cmpstr (echoes_auth_get_email (auth), ==, FAKE_EMAIL);
  g_assert_cmpint (echoes_auth_get_expires_at (auth), >=, now + 3600 - 5);
  g_assert_false (echoes_auth_get_session_persistent (auth));
  token = echoes_auth_dup_access_token (auth);
  g_assert_cmpstr (token, ==, FAKE_ACCESS_PREFIX "-1");

  echoes_auth_sign_out_async (auth, NULL, test_result_cb, &result);
  g_assert_false (echoes_auth_get_signed_in (auth));
  test_wait_result (&result);
  g_assert_true (echoes_auth_sign_out_finish (auth, result, &error));
  g_assert_no_error (error);
  /* The server revoked the session. */
  g_assert_cmpuint (fake_server_hits (f->fake, "POST /auth/v1/logout"), ==, 1);
  g_assert_cmpstr (f->fake->last_authorization, ==, "Bearer " FAKE_ACCESS_PREFIX "-1");
  g_assert_cmpuint (f->fake->generation, ==, 101);
  g_assert_error (reason, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_null (echoes_auth_get_user_id (auth));
  g_clear_object (&result);

  /* Password reset and sign-up answers. */
  echoes_auth_request_password_reset_async (auth, FAKE_EMAIL, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_auth_request_password_reset_finish (auth, result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fake_server_hits (f->fake, "POST /auth/v1/recover"), ==, 1);
  g_clear_object (&result);

  g_assert_finalize_object (g_steal_pointer (&auth));
}

static gboolean
signup_handler (FakeServer        *fake,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           data)
{
  if (!g_str_equal (path, "/auth/v1/signup"))
    return FALSE;
  fake_server_json (msg, 200, data);
  return TRUE;
}

static void
test_auth_sign_up (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(EchoesAuth) auth = new_auth (f);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean confirmation = TRUE;

  /* E-mail confirmation on: a user, no session. */
  f->fake->handler = signup_handler;
  f->fake->handler_data = (gpointer) "{\"id\":\"" FAKE_USER_ID "\",\"email\":\"" FAKE_EMAIL "\",\"confirmation_sent_at\":\"2026-01-01T00:00:00Z\"}";
  echoes_auth_sign_up_async (auth, FAKE_EMAIL, FAKE_PASSWORD, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_auth_sign_up_finish (auth, result, &confirmation, &error));
  g_assert_no_error (error);
  g_assert_true (confirmation);
  g_assert_false (echoes_auth_get_signed_in (auth));
  g_clear_object (&result);

  /* Confirmation off: a session at once. */
  f->fake->handler_data = (gpointer) "{\"access_token\":\"" FAKE_ACCESS_PREFIX "-1\",\"refresh_token\":\"" FAKE_REFRESH_PREFIX "-1\","
                          "\"expires_in\":3600,\"user\":{\"id\":\"" FAKE_USER_ID "\",\"email\":\"" FAKE_EMAIL "\"}}";
  echoes_auth_sign_up_async (auth, FAKE_EMAIL, FAKE_PASSWORD, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_auth_sign_up_finish (auth, result, &confirmation, &error));
  g_assert_no_error (error);
  g_assert_false (confirmation);
  g_assert_true (echoes_auth_get_signed_in (auth));
}

typedef struct
{
  GAsyncResult *results[8];
} Many;

static void
test_auth_refresh_on_401 (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(EchoesAuth) auth = new_auth (f);
  g_autoptr(EchoesRestClient) rest = NULL;
  g_autoptr(GError) error = NULL;
  const char *params[] = { "select", "*", NULL };
  Many many = { { NULL } };

  sign_in (auth, FAKE_EMAIL, FAKE_PASSWORD, &error);
  g_assert_no_error (error);
  rest = echoes_rest_client_new (auth);

  /* The server now refuses the token (expired): every request gets a 401, then all wait on
   * ONE refresh, then each is sent once more with the new token. */
  f->fake->access_refused = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (many.results); i++)
    echoes_rest_client_select_async (rest, "projects", params, NULL, test_result_cb, &many.results[i]);
  for (guint i = 0; i < G_N_ELEMENTS (many.results); i++)
    {
      g_autoptr(JsonNode) rows = NULL;

      test_wait_result (&many.results[i]);
      rows = echoes_rest_client_select_finish (rest, many.results[i], &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_ARRAY (rows));
      g_clear_object (&many.results[i]);
    }
  g_assert_cmpuint (f->fake->refreshes, ==, 1);
  g_assert_cmpuint (f->fake->generation, ==, 2);
  g_assert_cmpuint (fake_server_hits (f->fake, "GET /rest/v1/projects"), ==, 16);
  g_assert_cmpstr (f->fake->last_authorization, ==, "Bearer " FAKE_ACCESS_PREFIX "-2");

  g_assert_finalize_object (g_steal_pointer (&rest));
  g_assert_finalize_object (g_steal_pointer (&auth));
}

static void
test_auth_refresh_refused (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(EchoesAuth) auth = new_auth (f);
  g_autoptr(EchoesRestClient) rest = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) reason = NULL;

  sign_in (auth, FAKE_EMAIL, FAKE_PASSWORD, &error);
  g_assert_no_error (error);
  g_signal_connect (auth, "signed-out", G_CALLBACK (signed_out_cb), &reason);
  rest = echoes_rest_client_new (auth);

  f->fake->access_refused = TRUE;
  f->fake->refuse_refresh = TRUE;
  echoes_rest_client_select_async (rest, "projects", NULL, NULL, test_result_cb, &result);
  test_wait_result (&result);
  rows = echoes_rest_client_select_finish (rest, result, &error);
  g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_SESSION_EXPIRED);
  g_assert_false (echoes_auth_get_signed_in (auth));
  g_assert_error (reason, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_SESSION_EXPIRED);
  g_assert_cmpuint (f->fake->refreshes, ==, 1);
  g_clear_error (&error);
  g_clear_object (&result);

  /* Signed out: a write is refused here, without a request. */
  {
    g_autoptr(JsonNode) row = json_from_string ("{\"title\":\"x\"}", NULL);
    guint before = fake_server_hits (f->fake, "POST /rest/v1/projects");

    echoes_rest_client_insert_async (rest, "projects", row, NULL, test_result_cb, &result);
    test_wait_result (&result);
    g_assert_null (echoes_rest_client_insert_finish (rest, result, &error));
    g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_NOT_SIGNED_IN);
    g_assert_cmpuint (fake_server_hits (f->fake, "POST /rest/v1/projects"), ==, before);
  }
}

static gboolean
refreshed_once (gpointer data)
{
  return ((Fixture *) data)->fake->refreshes >= 1;
}

static void
test_auth_refresh_timer (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(EchoesAuth) auth = new_auth (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  /* A token valid 2 s, refreshed 1 s before it expires: the timer refreshes it alone. */
  g_object_set (auth, "refresh-margin", 1, NULL);
  f->fake->expires_in = 2;
  sign_in (auth, FAKE_EMAIL, FAKE_PASSWORD, &error);
  g_assert_no_error (error);
  f->fake->expires_in = 3600;
  g_assert_true (echoes_test_wait_until (refreshed_once, f, 20000));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  token = echoes_auth_dup_access_token (auth);
  g_assert_cmpstr (token, ==, FAKE_ACCESS_PREFIX "-2");
  g_assert_true (echoes_auth_get_signed_in (auth));
}

typedef struct
{
  Fixture    *f;
  char       *challenge;
  const char *state_override;
  gboolean    answer;
  GAsyncResult *browser;
  const char *refusal;  /* the provider says no: ?error=… instead of a code */
} Browser;

static void
browser_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Browser *browser = user_data;
  g_autoptr(GBytes) bytes = NULL;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, NULL);
  browser->browser = g_object_ref (result);
}

static void
open_uri_cb (const char *uri,
             gpointer    user_data)
{
  Browser *browser = user_data;
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GUri) redirect = NULL;
  g_autoptr(GHashTable) redirect_params = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *back = NULL;
  const char *state;

  g_assert_nonnull (parsed);
  g_assert_cmpstr (g_uri_get_path (parsed), ==, "/auth/v1/authorize");
  params = g_uri_parse_params (g_uri_get_query (parsed), -1, "&", G_URI_PARAMS_NONE, NULL);
  g_assert_cmpstr (g_hash_table_lookup (params, "provider"), ==, "google");
  g_assert_cmpstr (g_hash_table_lookup (params, "code_challenge_method"), ==, "s256");
  browser->challenge = g_strdup (g_hash_table_lookup (params, "code_challenge"));
  g_assert_cmpuint (strlen (browser->challenge), ==, 43);
  browser->f->fake->handler_data = browser->challenge;

  redirect = g_uri_parse (g_hash_table_lookup (params, "redirect_to"), G_URI_FLAGS_NONE, NULL);
  g_assert_nonnull (redirect);
  g_assert_cmpstr (g_uri_get_host (redirect), ==, "127.0.0.1");
  g_assert_cmpstr (g_uri_get_path (redirect), ==, "/callback");
  redirect_params = g_uri_parse_params (g_uri_get_query (redirect), -1, "&", G_URI_PARAMS_NONE, NULL);
  state = g_hash_table_lookup (redirect_params, "state");
  g_assert_nonnull (state);

  if (!browser->answer)
    return;

  /* The browser comes back, as GoTrue sends it: redirect_to plus the code. */
  back = g_strdup_printf ("http://127.0.0.1:%d/callback?state=%s&%s%s",
                          g_uri_get_port (redirect),
                          browser->state_override != NULL ? browser->state_override : state,
                          browser->refusal != NULL ? "error=" : "code=the-code",
                          browser->refusal != NULL ? browser->refusal : "");
  session = soup_session_new ();
  msg = soup_message_new ("GET", back);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, browser_cb, browser);
}

static void
test_auth_pkce (Fixture       *f,
                gconstpointer  data)
{
  struct
  {
    const char *state;
    gboolean    answer;
    gboolean    cancel;
    int         code;
    GQuark      domain;
    const char *refusal;
  } cases[] = {
    { NULL, TRUE, FALSE, 0, 0, NULL },
    { "forged-state", TRUE, FALSE, ECHOES_CLOUD_ERROR_OAUTH_FAILED, ECHOES_CLOUD_ERROR, NULL },
    { NULL, TRUE, FALSE, ECHOES_CLOUD_ERROR_OAUTH_FAILED, ECHOES_CLOUD_ERROR, "access_denied" },
    { NULL, FALSE, FALSE, ECHOES_CLOUD_ERROR_TIMEOUT, ECHOES_CLOUD_ERROR, NULL },
    { NULL, FALSE, TRUE, G_IO_ERROR_CANCELLED, G_IO_ERROR, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EchoesAuth) auth = new_auth (f);
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      Browser browser = { f, NULL, cases[i].state, cases[i].answer, NULL, cases[i].refusal };
      gboolean ok;

      g_object_set (auth, "oauth-timeout", 1, NULL);
      echoes_auth_sign_in_with_provider_async (auth, "google", open_uri_cb, &browser, cancellable,
                                               test_result_cb, &result);
      if (cases[i].cancel)
        g_cancellable_cancel (cancellable);
      test_wait_result (&result);
      ok = echoes_auth_sign_in_with_provider_finish (auth, result, &error);
      if (cases[i].domain == 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_true (echoes_auth_get_signed_in (auth));
          g_assert_cmpstr (echoes_auth_get_user_id (auth), ==, FAKE_USER_ID);
        }
      else
        {
          g_assert_error (error, cases[i].domain, cases[i].code);
          g_assert_false (echoes_auth_get_signed_in (auth));
        }
      if (cases[i].answer)
        test_wait_result (&browser.browser);
      g_clear_object (&browser.browser);
      g_free (browser.challenge);
      f->fake->handler_data = NULL;
    }
}

/* REST, functions, storage */

static EchoesAuth *
signed_in_auth (Fixture *f)
{
  EchoesAuth *auth = new_auth (f);
  g_autoptr(GError) error = NULL;

  sign_in (auth, FAKE_EMAIL, FAKE_PASSWORD, &error);
  g_assert_no_error (error);
  return auth;
}

static void
test_rest_requests (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(EchoesAuth) auth = signed_in_auth (f);
  g_autoptr(EchoesRestClient) rest = echoes_rest_client_new (auth);
  g_autoptr(JsonNode) row = json_from_string ("{\"id\":7,\"title\":\"Sea\"}", NULL);
  const char *filters[] = { "id", "eq.7", NULL };
  const char *params[] = { "select", "*,clips(*)", "order", "updated_at.desc", NULL };
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  JsonNode *node;

  echoes_rest_client_select_async (rest, "projects", params, NULL, test_result_cb, &result);
  test_wait_result (&result);
  node = echoes_rest_client_select_finish (rest, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, 1);
  g_assert_cmpstr (f->fake->last_query, ==, "select=*,clips(*)&order=updated_at.desc");
  json_node_unref (node);
  g_clear_object (&result);

  echoes_rest_client_upsert_async (rest, "projects", row, "id", NULL, test_result_cb, &result);
  test_wait_result (&result);
  node = echoes_rest_client_upsert_finish (rest, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (f->fake->last_prefer, ==, "resolution=merge-duplicates,return=representation");
  g_assert_cmpstr (f->fake->last_query, ==, "on_conflict=id");
  json_node_unref (node);
  g_clear_object (&result);

  echoes_rest_client_update_async (rest, "projects", filters, row, NULL, test_result_cb, &result);
  test_wait_result (&result);
  node = echoes_rest_client_update_finish (rest, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fake_server_hits (f->fake, "PATCH /rest/v1/projects"), ==, 1);
  g_assert_cmpstr (f->fake->last_query, ==, "id=eq.7");
  json_node_unref (node);
  g_clear_object (&result);

  echoes_rest_client_delete_async (rest, "projects", filters, NULL, test_result_cb, &result);
  test_wait_result (&result);
  node = echoes_rest_client_delete_finish (rest, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fake_server_hits (f->fake, "DELETE /rest/v1/projects"), ==, 1);
  json_node_unref (node);
  g_clear_object (&result);

  echoes_rest_client_rpc_async (rest, "reorder_clips", NULL, NULL, test_result_cb, &result);
  test_wait_result (&result);
  node = echoes_rest_client_rpc_finish (rest, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_node_get_int (node), ==, 42);
  json_node_unref (node);
  g_clear_object (&result);
}

static gboolean
postgrest_error_handler (FakeServer        *fake,
                         SoupServerMessage *msg,
                         const char        *path,
                         GHashTable        *query,
                         gpointer           data)
{
  const Canned *canned = data;

  if (!g_str_has_prefix (path, "/rest/v1/") && !g_str_has_prefix (path, "/functions/v1/")
      && !g_str_has_prefix (path, "/storage/v1/"))
    return FALSE;
  fake_server_json (msg, canned->status, canned->body);
  return TRUE;
}

static void
test_rest_functions_errors (Fixture       *f,
                            gconstpointer  data)
{
  static const struct
  {
    Canned           canned;
    EchoesCloudError expected;
  } cases[] = {
    { { 409, "{\"code\":\"23505\",\"message\":\"duplicate key value\",\"details\":null,\"hint\":null}" },
      ECHOES_CLOUD_ERROR_CONFLICT },
    { { 403, "{\"code\":\"42501\",\"message\":\"new row violates row-level security policy\"}" },
      ECHOES_CLOUD_ERROR_FORBIDDEN },
    { { 404, "{\"code\":\"PGRST205\",\"message\":\"Could not find the table\"}" },
      ECHOES_CLOUD_ERROR_NOT_FOUND },
    { { 402, "{\"code\":\"PT402\",\"message\":\"insufficient credits\"}" }, ECHOES_CLOUD_ERROR_NO_CREDITS },
    { { 402, "{\"error\":\"Not enough credits\",\"code\":\"no_credits\"}" }, ECHOES_CLOUD_ERROR_NO_CREDITS },
    { { 400, "{\"error\":\"Out of credits\",\"code\":\"insufficient_credits\"}" }, ECHOES_CLOUD_ERROR_NO_CREDITS },
    { { 400, "{\"statusCode\":\"409\",\"error\":\"Duplicate\",\"message\":\"The resource already exists\"}" },
      ECHOES_CLOUD_ERROR_CONFLICT },
    { { 400, "{\"statusCode\":\"404\",\"error\":\"not_found\",\"message\":\"Object not found\"}" },
      ECHOES_CLOUD_ERROR_NOT_FOUND },
    { { 400, "{\"code\":\"22P02\",\"message\":\"invalid input syntax\"}" }, ECHOES_CLOUD_ERROR_INVALID_REQUEST },
  };
  g_autoptr(EchoesAuth) auth = signed_in_auth (f);
  g_autoptr(EchoesRestClient) rest = echoes_rest_client_new (auth);
  g_autoptr(EchoesFunctionsClient) functions = echoes_functions_client_new (auth);

  f->fake->handler = postgrest_error_handler;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) body = json_from_string ("{\"clip\":\"c1\"}", NULL);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GAsyncResult) result2 = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(JsonNode) node2 = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) error2 = NULL;

      f->fake->handler_data = (gpointer) &cases[i].canned;
      echoes_rest_client_insert_async (rest, "clips", body, NULL, test_result_cb, &result);
      test_wait_result (&result);
      node = echoes_rest_client_insert_finish (rest, result, &error);
      g_assert_error (error, ECHOES_CLOUD_ERROR, (gint) cases[i].expected);

      echoes_functions_client_invoke_async (functions, "generate-clip", body, NULL, test_result_cb, &result2);
      test_wait_result (&result2);
      node2 = echoes_functions_client_invoke_finish (functions, result2, &error2);
      g_assert_error (error2, ECHOES_CLOUD_ERROR, (gint) cases[i].expected);
    }
  g_assert_cmpuint (fake_server_hits (f->fake, "POST /functions/v1/generate-clip"), ==, G_N_ELEMENTS (cases));
}

static GFile *
write_file (const char *name,
            gsize       size)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), name, NULL);
  g_autofree guint8 *data = g_malloc (size);
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) ((i * 2654435761u) >> 13);
  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  g_file_set_contents (path, (const char *) data, size, &error);
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static void
assert_same_bytes (GFile        *file,
                   const guint8 *data,
                   gsize         len)
{
  g_autofree char *contents = NULL;
  gsize size = 0;

  g_assert_true (g_file_load_contents (file, NULL, &contents, &size, NULL, NULL));
  g_assert_cmpuint (size, ==, len);
  g_assert_cmpmem (contents, size, data, len);
}

typedef struct
{
  char    *url;
  goffset  offset;
  goffset  total;
  guint    calls;
} Progress;

static void
progress_cb (const char *upload_url,
             goffset     offset,
             goffset     total,
             gpointer    user_data)
{
  Progress *progress = user_data;

  g_free (progress->url);
  progress->url = g_strdup (upload_url);
  progress->offset = offset;
  progress->total = total;
  progress->calls++;
}

static gboolean
upload (EchoesStorageClient *storage,
        GFile               *file,
        const char          *resume_url,
        Progress            *progress,
        GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  echoes_storage_client_upload_async (storage, "clips", FAKE_USER_ID "/p1/c1.mp4", file, "video/mp4",
                                      resume_url, progress_cb, progress, NULL, NULL,
                                      test_result_cb, &result);
  test_wait_result (&result);
  return echoes_storage_client_upload_finish (storage, result, error);
}

static void
test_storage_small_upload_download (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(EchoesAuth) auth = signed_in_auth (f);
  g_autoptr(EchoesStorageClient) storage = echoes_storage_client_new (auth);
  g_autoptr(GFile) file = write_file ("small.jpg", 100 * 1024);
  g_autoptr(GFile) copy = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *url = NULL;
  Progress progress = { NULL, 0, 0, 0 };
  gsize size = 0;

  g_assert_true (upload (storage, file, NULL, &progress, &error));
  g_assert_no_error (error);
  g_assert_nonnull (f->fake->object);
  g_assert_true (g_file_load_contents (file, NULL, &contents, &size, NULL, NULL));
  g_assert_cmpmem (g_bytes_get_data (f->fake->object, NULL), g_bytes_get_size (f->fake->object),
                   contents, size);
  g_assert_cmpuint (progress.offset, ==, size);
  g_assert_null (progress.url);
  g_assert_cmpuint (f->fake->tus_creations, ==, 0);

  copy = g_file_new_build_filename (g_get_user_data_dir (), "copy.jpg", NULL);
  echoes_storage_client_download_async (storage, "clips", FAKE_USER_ID "/p1/c1.mp4", copy, NULL,
                                        test_result_cb, &result);
  test_wait_result (&result);
  g_assert_cmpint (echoes_storage_client_download_finish (storage, result, &error), ==, size);
  g_assert_no_error (error);
  assert_same_bytes (copy, (const guint8 *) contents, size);
  g_clear_object (&result);

  echoes_storage_client_create_signed_url_async (storage, "clips", "a/b_c.mp4", 600, NULL,
                                                 test_result_cb, &result);
  test_wait_result (&result);
  url = echoes_storage_client_create_signed_url_finish (storage, result, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (url, f->fake->url));
  g_assert_true (g_str_has_suffix (url, "/storage/v1/object/sign/clips/a/b_c.mp4?token=" FAKE_SIGN_TOKEN));
  g_free (progress.url);
}

static void
test_storage_expired_token (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(EchoesAuth) auth = signed_in_auth (f);
  g_autoptr(EchoesStorageClient) storage = echoes_storage_client_new (auth);
  g_autoptr(GFile) small = write_file ("small.jpg", 1000);
  g_autoptr(GFile) big = write_file ("big.mp4", 6 * 1024 * 1024 + 10);
  g_autoptr(GError) error = NULL;
  Progress progress = { NULL, 0, 0, 0 };

  /* Storage answers an expired token with HTTP 400 (statusCode "403", "jwt expired"), and
   * its TUS endpoint with 403: one refresh, one retry, as after a 401. */
  f->fake->access_refused = TRUE;
  g_assert_true (upload (storage, small, NULL, &progress, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->fake->refreshes, ==, 1);
  g_assert_cmpuint (fake_server_hits (f->fake, "POST /storage/v1/object/clips/" FAKE_USER_ID "/p1/c1.mp4"), ==, 2);

  f->fake->access_refused = TRUE;
  g_assert_true (upload (storage, big, NULL, &progress, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->fake->refreshes, ==, 2);
  g_assert_cmpuint (f->fake->tus_data->len, ==, 6 * 1024 * 1024 + 10);
  g_free (progress.url);

  /* Refused even after the refresh: the error is the session's, not "forbidden". */
  f->fake->access_refused = TRUE;
  f->fake->refuse_refresh = TRUE;
  g_assert_false (upload (storage, small, NULL, &progress, &error));
  g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_SESSION_EXPIRED);
}

static gboolean
lying_download_handler (FakeServer        *fake,
                        SoupServerMessage *msg,
                        const char        *path,
                        GHashTable        *query,
                        gpointer           data)
{
  const char *raw = "HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\n"
                    "Content-Length: 5000\r\n\r\nonly a part of the film";

  if (!g_str_has_prefix (path, "/storage/v1/object/authenticated/"))
    return FALSE;
  fake_server_raw_response (msg, raw, strlen (raw));
  return TRUE;
}

static void
test_storage_download_size_mismatch (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(EchoesAuth) auth = signed_in_auth (f);
  g_autoptr(EchoesStorageClient) storage = echoes_storage_client_new (auth);
  g_autoptr(GFile) dir = g_file_new_build_filename (g_get_user_data_dir (), "downloads", NULL);
  g_autoptr(GFile) dest = g_file_get_child (dir, "clip.mp4");
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GFileInfo *info;
  guint n = 0;

  g_file_make_directory_with_parents (dir, NULL, NULL);
  g_assert_true (g_file_replace_contents (dest, "the old clip", 12, NULL, FALSE, 0, NULL, NULL, NULL));

  f->fake->handler = lying_download_handler;
  echoes_storage_client_download_async (storage, "clips", "u/p/clip.mp4", dest, NULL,
                                        test_result_cb, &result);
  test_wait_result (&result);
  g_assert_cmpint (echoes_storage_client_download_finish (storage, result, &error), ==, -1);
  g_assert_true (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_BAD_RESPONSE)
                 || g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_NETWORK));

  /* The old file is intact and no part file is left beside it. */
  assert_same_bytes (dest, (const guint8 *) "the old clip", 12);
  children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME, 0, NULL, NULL);
  while ((info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_assert_cmpstr (g_file_info_get_name (info), ==, "clip.mp4");
      n++;
      g_object_unref (info);
    }
  g_assert_cmpuint (n, ==, 1);
}

static void
test_storage_tus_resume (Fixture       *f,
                         gconstpointer  data)
{
  const gsize size = 13 * 1024 * 1024 + 12345;
  g_autoptr(GFile) file = write_file ("big.mp4", size);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  Progress progress = { NULL, 0, 0, 0 };
  gsize len = 0;

  g_assert_true (g_file_load_contents (file, NULL, &contents, &len, NULL, NULL));

  /* 1. A connection dropped mid-chunk: the client asks the offset (HEAD) and goes on. */
  {
    g_autoptr(EchoesAuth) auth = signed_in_auth (f);
    g_autoptr(EchoesStorageClient) storage = echoes_storage_client_new (auth);

    f->fake->tus_drop_next = TRUE;
    g_assert_true (upload (storage, file, NULL, &progress, &error));
    g_assert_no_error (error);
    g_assert_cmpmem (f->fake->tus_data->data, f->fake->tus_data->len, contents, len);
    g_assert_cmpuint (f->fake->tus_creations, ==, 1);
    g_assert_cmpuint (fake_server_hits (f->fake, "HEAD /storage/v1/upload/resumable/upload-1"), ==, 1);
    g_assert_cmpint (progress.offset, ==, size);
  }

  /* 2. The server fails after the first chunk until the app gives up ("quits"); a new
   * client (after a restart) resumes from the URL and offset it was handed. */
  g_clear_pointer (&progress.url, g_free);
  progress.calls = 0;
  progress.offset = 0;
  {
    g_autoptr(EchoesAuth) auth = signed_in_auth (f);
    g_autoptr(EchoesStorageClient) storage = echoes_storage_client_new (auth);

    f->fake->handler = NULL;
    f->fake->tus_drop_next = FALSE;
    echoes_http_set_retry_delay (echoes_cloud_client_get_http (ECHOES_CLOUD_CLIENT (storage)), 5);
    {
      g_autoptr(GAsyncResult) result = NULL;

      echoes_storage_client_upload_async (storage, "clips", FAKE_USER_ID "/p1/c1.mp4", file, "video/mp4",
                                          NULL, progress_cb, &progress, NULL, NULL,
                                          test_result_cb, &result);
      /* After the first chunk is stored, the server starts failing. */
      while (progress.offset < 6 * 1024 * 1024 && result == NULL)
        g_main_context_iteration (NULL, TRUE);
      f->fake->tus_fail_patches = 1000;
      test_wait_result (&result);
      g_assert_false (echoes_storage_client_upload_finish (storage, result, &error));
      g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_SERVER);
      g_clear_error (&error);
    }
    g_assert_nonnull (progress.url);
    g_assert_cmpint (progress.offset, >=, 6 * 1024 * 1024);
    g_assert_cmpint (progress.offset, <, size);
  }
  f->fake->tus_fail_patches = 0;
  {
    g_autoptr(EchoesAuth) auth = signed_in_auth (f);
    g_autoptr(EchoesStorageClient) storage = echoes_storage_client_new (auth);
    g_autofree char *resume = g_strdup (progress.url);
    guint creations = f->fake->tus_creations;
    guint heads = fake_server_hits (f->fake, "HEAD /storage/v1/upload/resumable/upload-1");

    g_assert_true (upload (storage, file, resume, &progress, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (f->fake->tus_creations, ==, creations);
    g_assert_cmpuint (fake_server_hits (f->fake, "HEAD /storage/v1/upload/resumable/upload-1"), ==, heads + 1);
    g_assert_cmpmem (f->fake->tus_data->data, f->fake->tus_data->len, contents, len);
  }
  g_free (progress.url);
}

static void
test_storage_tus_expired (Fixture       *f,
                          gconstpointer  data)
{
  const gsize size = 6 * 1024 * 1024 + 1000;
  g_autoptr(GFile) file = write_file ("expiring.mp4", size);
  g_autoptr(EchoesAuth) auth = signed_in_auth (f);
  g_autoptr(EchoesStorageClient) storage = echoes_storage_client_new (auth);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  Progress progress = { NULL, 0, 0, 0 };
  gsize len = 0;

  g_assert_true (g_file_load_contents (file, NULL, &contents, &len, NULL, NULL));

  /* The server forgets the upload between two chunks: it is created again, from zero. */
  f->fake->tus_forget_next = TRUE;
  g_assert_true (upload (storage, file, NULL, &progress, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->fake->tus_creations, ==, 2);
  g_assert_cmpmem (f->fake->tus_data->data, f->fake->tus_data->len, contents, len);

  /* A resume URL the server no longer knows starts a new upload too. */
  f->fake->tus_length = 0;
  g_byte_array_set_size (f->fake->tus_data, 0);
  g_assert_true (upload (storage, file, progress.url, &progress, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->fake->tus_creations, ==, 3);
  g_assert_cmpmem (f->fake->tus_data->data, f->fake->tus_data->len, contents, len);
  g_free (progress.url);
}

static void
test_cli_without_keyring (Fixture       *f,
                          gconstpointer  data)
{
  const char *bus = "unix:path=/nonexistent/echoes-test-bus";
  const char *login[] = { "account", "login", FAKE_EMAIL, NULL };
  const char *status[] = { "account", "status", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* The password comes from stdin; without a keyring the sign-in works but is not kept. */
  g_assert_cmpint (fake_server_run_cli (f->fake, FAKE_PASSWORD "\n", bus, &out, &err, login), ==, 0);
  g_assert_cmpstr (out, ==, "Signed in as " FAKE_EMAIL ".\n");
  g_assert_nonnull (strstr (err, "can’t be remembered"));
  g_assert_null (strstr (out, "tok-"));
  g_assert_null (strstr (err, "tok-"));
  g_assert_cmpuint (fake_server_hits (f->fake, "POST /auth/v1/token"), ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (fake_server_run_cli (f->fake, "wrong\n", bus, &out, &err, login), ==, 1);
  g_assert_cmpstr (err, ==, "echoes-cli: The e-mail address or the password is wrong.\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (fake_server_run_cli (f->fake, "", bus, &out, &err, login), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (fake_server_run_cli (f->fake, NULL, bus, &out, &err, status), ==, 1);
  g_assert_cmpstr (out, ==, "Not signed in.\n");
}

static void
test_error_describe (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (int code = ECHOES_CLOUD_ERROR_FAILED; code <= ECHOES_CLOUD_ERROR_KEYRING; code++)
    {
      g_autoptr(GError) error = g_error_new_literal (ECHOES_CLOUD_ERROR, code, "developer text");
      const char *sentence = echoes_cloud_error_describe (error);

      g_assert_nonnull (sentence);
      g_assert_cmpstr (sentence, !=, "developer text");
      g_assert_true (g_str_has_suffix (sentence, "."));
      g_assert_false (g_hash_table_contains (seen, sentence));
      g_hash_table_add (seen, (gpointer) sentence);
    }
}

static void
test_config (void)
{
  g_autoptr(GSettings) settings = g_settings_new (BASE_ID);
  g_autofree char *url = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GError) error = NULL;

  /* The build's defaults (empty here): not configured. */
  g_unsetenv ("ECHOES_SUPABASE_URL");
  g_unsetenv ("ECHOES_SUPABASE_ANON_KEY");
  g_assert_false (echoes_cloud_config_lookup (NULL, NULL, &error));
  g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_NOT_CONFIGURED);
  g_clear_error (&error);

  g_settings_set_string (settings, "supabase-url", "https://settings.example.com/");
  g_settings_set_string (settings, "supabase-anon-key", "settings-key");
  g_assert_true (echoes_cloud_config_lookup (&url, &key, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (url, ==, "https://settings.example.com");
  g_assert_cmpstr (key, ==, "settings-key");
  g_clear_pointer (&url, g_free);
  g_clear_pointer (&key, g_free);

  g_setenv ("ECHOES_SUPABASE_URL", "http://127.0.0.1:54321", TRUE);
  g_setenv ("ECHOES_SUPABASE_ANON_KEY", "env-key", TRUE);
  g_assert_true (echoes_cloud_config_lookup (&url, &key, &error));
  g_assert_cmpstr (url, ==, "http://127.0.0.1:54321");
  g_assert_cmpstr (key, ==, "env-key");
  g_clear_pointer (&url, g_free);

  g_setenv ("ECHOES_SUPABASE_URL", "not a url", TRUE);
  g_assert_false (echoes_cloud_config_lookup (&url, NULL, &error));
  g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_NOT_CONFIGURED);
  g_unsetenv ("ECHOES_SUPABASE_URL");
  g_unsetenv ("ECHOES_SUPABASE_ANON_KEY");
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/echoes/cloud/http/retry-5xx", test_http_retry_5xx);
  ADD ("/echoes/cloud/http/post-not-retried", test_http_post_not_retried);
  ADD ("/echoes/cloud/http/retries-exhausted", test_http_retries_exhausted);
  ADD ("/echoes/cloud/http/retry-after", test_http_retry_after);
  ADD ("/echoes/cloud/http/retry-after-too-long", test_http_retry_after_too_long);
  ADD ("/echoes/cloud/http/timeout", test_http_timeout);
  ADD ("/echoes/cloud/http/truncated", test_http_truncated);
  ADD ("/echoes/cloud/http/garbage-json", test_http_garbage_json);
  ADD ("/echoes/cloud/http/huge", test_http_huge);
  ADD ("/echoes/cloud/http/connection-refused", test_http_connection_refused);
  ADD ("/echoes/cloud/http/cancel", test_http_cancel);
  ADD ("/echoes/cloud/http/build-url", test_http_logs_no_query);
  ADD ("/echoes/cloud/auth/errors", test_auth_errors);
  ADD ("/echoes/cloud/auth/sign-in-out", test_auth_sign_in_out);
  ADD ("/echoes/cloud/auth/sign-up", test_auth_sign_up);
  ADD ("/echoes/cloud/auth/refresh-on-401", test_auth_refresh_on_401);
  ADD ("/echoes/cloud/auth/refresh-refused", test_auth_refresh_refused);
  ADD ("/echoes/cloud/auth/refresh-timer", test_auth_refresh_timer);
  ADD ("/echoes/cloud/auth/pkce", test_auth_pkce);
  ADD ("/echoes/cloud/rest/requests", test_rest_requests);
  ADD ("/echoes/cloud/rest/errors", test_rest_functions_errors);
  ADD ("/echoes/cloud/storage/small", test_storage_small_upload_download);
  ADD ("/echoes/cloud/storage/download-size-mismatch", test_storage_download_size_mismatch);
  ADD ("/echoes/cloud/storage/expired-token", test_storage_expired_token);
  ADD ("/echoes/cloud/storage/tus-resume", test_storage_tus_resume);
  ADD ("/echoes/cloud/storage/tus-expired", test_storage_tus_expired);
  ADD ("/echoes/cloud/cli/without-keyring", test_cli_without_keyring);
#undef ADD
  g_test_add_func ("/echoes/cloud/error/describe", test_error_describe);
  g_test_add_func ("/echoes/cloud/config", test_config);

  return g_test_run ();
}
