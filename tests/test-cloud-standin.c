/* test-cloud-standin.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "echoes-auth.h"
#include "echoes-cloud-config.h"
#include "echoes-cloud-error.h"
#include "echoes-http.h"
#include "echoes-rest-client.h"
#include "echoes-storage-client.h"
#include "echoes-test-cloud.h"
#include "echoes-test-util.h"

/* The C client against the real stand-in (real PostgreSQL, real RLS), started by
 * tests/cloud-standin.sh which sets ECHOES_SUPABASE_URL / ECHOES_SUPABASE_ANON_KEY. */

static char *url;
static char *anon_key;

static char *
unique_email (void)
{
  return g_strdup_printf ("c-client-%08x%08x@example.com", g_random_int (), g_random_int ());
}

static EchoesAuth *
new_auth (void)
{
  return echoes_auth_new_full (url, anon_key, FALSE);
}

static gboolean
sign_up (EchoesAuth  *auth,
         const char  *email,
         const char  *password,
         GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  gboolean confirmation = TRUE;
  gboolean ok;

  echoes_auth_sign_up_async (auth, email, password, NULL, test_result_cb, &result);
  test_wait_result (&result);
  ok = echoes_auth_sign_up_finish (auth, result, &confirmation, error);
  if (ok)
    g_assert_false (confirmation);
  return ok;
}

static gboolean
sign_in (EchoesAuth  *auth,
         const char  *email,
         const char  *password,
         GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  echoes_auth_sign_in_async (auth, email, password, NULL, test_result_cb, &result);
  test_wait_result (&result);
  return echoes_auth_sign_in_finish (auth, result, error);
}

/* GET /auth/v1/user with a given token: is the session alive on the server? */
static gboolean
user_with_token (const char  *token,
                 GError     **error)
{
  g_autoptr(EchoesHttp) http = echoes_http_new (url, anon_key, NULL);
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autofree char *bearer = g_strconcat ("Bearer ", token, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) node = NULL;

  soup_message_headers_replace (headers, "Authorization", bearer);
  echoes_http_send_json_async (http, "GET", "/auth/v1/user", headers, NULL, ECHOES_HTTP_ANONYMOUS,
                               NULL, test_result_cb, &result);
  test_wait_result (&result);
  node = echoes_http_send_json_finish (http, result, error);
  return node != NULL;
}

static void
test_accounts (void)
{
  g_autofree char *email = unique_email ();
  g_autoptr(EchoesAuth) auth = new_auth ();
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  /* Too weak, then good. */
  g_assert_false (sign_up (auth, email, "123", &error));
  g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_WEAK_PASSWORD);
  g_clear_error (&error);
  g_assert_true (sign_up (auth, email, "correct horse battery", &error));
  g_assert_no_error (error);
  g_assert_true (echoes_auth_get_signed_in (auth));
  g_assert_cmpstr (echoes_auth_get_email (auth), ==, email);

  /* The same address again. */
  {
    g_autoptr(EchoesAuth) other = new_auth ();

    g_assert_false (sign_up (other, email, "another password", &error));
    g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_EMAIL_TAKEN);
    g_clear_error (&error);
    g_assert_false (sign_in (other, email, "wrong password", &error));
    g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_INVALID_CREDENTIALS);
    g_clear_error (&error);
  }

  /* Refresh rotates the tokens; the new access token works. */
  first = echoes_auth_dup_access_token (auth);
  echoes_auth_refresh_async (auth, NULL, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_auth_refresh_finish (auth, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  second = echoes_auth_dup_access_token (auth);
  g_assert_nonnull (second);
  g_assert_true (user_with_token (second, &error));
  g_assert_no_error (error);

  /* A second refresh (rotation respected: the client uses the newest refresh token). */
  echoes_auth_refresh_async (auth, NULL, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_auth_refresh_finish (auth, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_free (second);
  second = echoes_auth_dup_access_token (auth);

  /* Sign-out revokes the session on the server: its token is refused by /auth/v1/user. */
  echoes_auth_sign_out_async (auth, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_auth_sign_out_finish (auth, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_false (echoes_auth_get_signed_in (auth));
  g_assert_false (user_with_token (second, &error));
  g_assert_true (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_SESSION_EXPIRED)
                 || g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_UNAUTHORIZED));
  g_clear_error (&error);

  /* And signing in again works. */
  g_assert_true (sign_in (auth, email, "correct horse battery", &error));
  g_assert_no_error (error);
}

static GFile *
write_file (const char *name,
            gsize       size)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), name, NULL);
  g_autofree guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) ((i * 2654435761u) >> 11);
  data[0] = 0xff;
  data[1] = 0xd8;
  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  g_assert_true (g_file_set_contents (path, (const char *) data, size, NULL));
  return g_file_new_for_path (path);
}

static void
progress_cb (const char *upload_url,
             goffset     offset,
             goffset     total,
             gpointer    user_data)
{
  goffset *last = user_data;

  *last = offset;
}

static void
test_rest_and_storage (void)
{
  g_autofree char *email = unique_email ();
  g_autoptr(EchoesAuth) auth = new_auth ();
  g_autoptr(EchoesRestClient) rest = NULL;
  g_autoptr(EchoesStorageClient) storage = NULL;
  g_autoptr(JsonNode) row = json_from_string ("{\"title\":\"From C\"}", NULL);
  g_autoptr(JsonNode) rows = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *sizes_names[] = { "small.jpg", "large.jpg" };
  const gsize sizes[] = { 200 * 1024, 7 * 1024 * 1024 + 333 };
  g_autofree char *project = NULL;

  g_assert_true (sign_up (auth, email, "correct horse battery", &error));
  g_assert_no_error (error);
  rest = echoes_rest_client_new (auth);
  storage = echoes_storage_client_new (auth);

  echoes_rest_client_insert_async (rest, "projects", row, NULL, test_result_cb, &result);
  test_wait_result (&result);
  rows = echoes_rest_client_insert_finish (rest, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (rows)), ==, 1);
  project = g_strdup (json_object_get_string_member (json_array_get_object_element (json_node_get_array (rows), 0), "id"));
  g_clear_pointer (&rows, json_node_unref);

  {
    const char *params[] = { "select", "id,title", "id", NULL, NULL };
    g_autofree char *eq = g_strconcat ("eq.", project, NULL);

    params[3] = eq;
    echoes_rest_client_select_async (rest, "projects", params, NULL, test_result_cb, &result);
    test_wait_result (&result);
    rows = echoes_rest_client_select_finish (rest, result, &error);
    g_assert_no_error (error);
    g_clear_object (&result);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (rows), 0), "title"),
                     ==, "From C");
  }

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GFile) file = write_file (sizes_names[i], sizes[i]);
      g_autoptr(GFile) back = g_file_new_build_filename (g_get_user_data_dir (), "back.jpg", NULL);
      g_autofree char *object = g_strdup_printf ("%s/%s/%s", echoes_auth_get_user_id (auth), project, sizes_names[i]);
      g_autofree char *original = NULL;
      g_autofree char *copy = NULL;
      g_autofree char *signed_url = NULL;
      gsize len = 0, copy_len = 0;
      goffset last = -1;

      echoes_storage_client_upload_async (storage, "images", object, file, "image/jpeg", NULL,
                                          progress_cb, &last, NULL, NULL, test_result_cb, &result);
      test_wait_result (&result);
      g_assert_true (echoes_storage_client_upload_finish (storage, result, &error));
      g_assert_no_error (error);
      g_clear_object (&result);
      g_assert_cmpint (last, ==, sizes[i]);

      echoes_storage_client_download_async (storage, "images", object, back, NULL, test_result_cb, &result);
      test_wait_result (&result);
      g_assert_cmpint (echoes_storage_client_download_finish (storage, result, &error), ==, sizes[i]);
      g_assert_no_error (error);
      g_clear_object (&result);
      g_assert_true (g_file_load_contents (file, NULL, &original, &len, NULL, NULL));
      g_assert_true (g_file_load_contents (back, NULL, &copy, &copy_len, NULL, NULL));
      g_assert_cmpmem (original, len, copy, copy_len);
      g_clear_pointer (&copy, g_free);

      echoes_storage_client_create_signed_url_async (storage, "images", object, 60, NULL, test_result_cb, &result);
      test_wait_result (&result);
      signed_url = echoes_storage_client_create_signed_url_finish (storage, result, &error);
      g_assert_no_error (error);
      g_clear_object (&result);
      g_file_delete (back, NULL, NULL);
      echoes_storage_client_download_url_async (storage, signed_url, back, NULL, test_result_cb, &result);
      test_wait_result (&result);
      g_assert_cmpint (echoes_storage_client_download_url_finish (storage, result, &error), ==, sizes[i]);
      g_assert_no_error (error);
      g_clear_object (&result);
    }

  /* Another user sees none of it, and can't change it. */
  {
    g_autofree char *other_email = unique_email ();
    g_autoptr(EchoesAuth) other = new_auth ();
    g_autoptr(EchoesRestClient) other_rest = NULL;
    g_autoptr(JsonNode) patch = json_from_string ("{\"title\":\"Stolen\"}", NULL);
    g_autofree char *eq = g_strconcat ("eq.", project, NULL);
    const char *filters[] = { "id", eq, NULL };
    JsonNode *found;

    g_assert_true (sign_up (other, other_email, "another good password", &error));
    g_assert_no_error (error);
    other_rest = echoes_rest_client_new (other);

    echoes_rest_client_select_async (other_rest, "projects", filters, NULL, test_result_cb, &result);
    test_wait_result (&result);
    found = echoes_rest_client_select_finish (other_rest, result, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (found)), ==, 0);
    json_node_unref (found);
    g_clear_object (&result);

    echoes_rest_client_update_async (other_rest, "projects", filters, patch, NULL, test_result_cb, &result);
    test_wait_result (&result);
    found = echoes_rest_client_update_finish (other_rest, result, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (found)), ==, 0);
    json_node_unref (found);
    g_clear_object (&result);
  }

  /* Another user's folder is refused. */
  {
    g_autoptr(GFile) file = write_file ("x.jpg", 1000);
    g_autofree char *object = g_strdup_printf ("%s/%s/x.jpg", "00000000-0000-0000-0000-000000000000", project);

    echoes_storage_client_upload_async (storage, "images", object, file, "image/jpeg", NULL,
                                        NULL, NULL, NULL, NULL, test_result_cb, &result);
    test_wait_result (&result);
    g_assert_false (echoes_storage_client_upload_finish (storage, result, &error));
    g_assert_true (error->domain == ECHOES_CLOUD_ERROR);
    g_assert_true (error->code == ECHOES_CLOUD_ERROR_FORBIDDEN || error->code == ECHOES_CLOUD_ERROR_UNAUTHORIZED
                   || error->code == ECHOES_CLOUD_ERROR_INVALID_REQUEST);
    g_clear_error (&error);
    g_clear_object (&result);
  }
}

typedef struct
{
  SoupSession  *session;
  GAsyncResult *result;
} Browser;

static void
browser_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Browser *browser = user_data;
  g_autoptr(GBytes) page = soup_session_send_and_read_finish (SOUP_SESSION (object), result, NULL);

  browser->result = g_object_ref (result);
}

/* The "browser": follows the stand-in's fake Google straight back to the app's loopback. */
static void
open_uri_cb (const char *uri,
             gpointer    user_data)
{
  Browser *browser = user_data;
  g_autofree char *with_hint = g_strconcat (uri, "&login_hint=c-client-google%40example.com", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", with_hint);

  g_assert_nonnull (msg);
  soup_session_send_and_read_async (browser->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    browser_done_cb, browser);
}

static void
test_google_pkce (void)
{
  g_autoptr(EchoesAuth) auth = new_auth ();
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Browser browser = { session, NULL };

  echoes_auth_sign_in_with_provider_async (auth, "google", open_uri_cb, &browser, NULL,
                                           test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_auth_sign_in_with_provider_finish (auth, result, &error));
  g_assert_no_error (error);
  g_assert_true (echoes_auth_get_signed_in (auth));
  g_assert_cmpstr (echoes_auth_get_email (auth), ==, "c-client-google@example.com");
  test_wait_result (&browser.result);
  g_clear_object (&browser.result);
}

typedef struct
{
  char         *url;
  goffset       offset;
  GCancellable *cancellable;
} Resume;

static void
resume_progress_cb (const char *upload_url,
                    goffset     offset,
                    goffset     total,
                    gpointer    user_data)
{
  Resume *resume = user_data;

  g_free (resume->url);
  resume->url = g_strdup (upload_url);
  resume->offset = offset;
  /* "Quit" once the first chunk is on the server. */
  if (offset >= 6 * 1024 * 1024 && resume->cancellable != NULL)
    g_cancellable_cancel (resume->cancellable);
}

static void
test_tus_resume_after_restart (void)
{
  g_autofree char *email = unique_email ();
  g_autoptr(EchoesAuth) auth = new_auth ();
  g_autoptr(GFile) file = write_file ("resumed.jpg", 13 * 1024 * 1024 + 77);
  g_autoptr(GFile) back = g_file_new_build_filename (g_get_user_data_dir (), "resumed-back.jpg", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *object = NULL;
  g_autofree char *original = NULL;
  g_autofree char *copy = NULL;
  Resume resume = { NULL, 0, cancellable };
  gsize len = 0, copy_len = 0;

  g_assert_true (sign_up (auth, email, "correct horse battery", &error));
  g_assert_no_error (error);
  object = g_strdup_printf ("%s/p/resumed.jpg", echoes_auth_get_user_id (auth));

  {
    g_autoptr(EchoesStorageClient) storage = echoes_storage_client_new (auth);

    echoes_storage_client_upload_async (storage, "images", object, file, "image/jpeg", NULL,
                                        resume_progress_cb, &resume, NULL, cancellable,
                                        test_result_cb, &result);
    test_wait_result (&result);
    g_assert_false (echoes_storage_client_upload_finish (storage, result, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_clear_object (&result);
  }
  g_assert_nonnull (resume.url);
  g_assert_cmpint (resume.offset, >=, 6 * 1024 * 1024);

  /* A new client (after a restart) goes on from the URL it was handed. */
  resume.cancellable = NULL;
  {
    g_autoptr(EchoesStorageClient) storage = echoes_storage_client_new (auth);
    g_autofree char *upload_url = g_strdup (resume.url);

    echoes_storage_client_upload_async (storage, "images", object, file, "image/jpeg", upload_url,
                                        resume_progress_cb, &resume, NULL, NULL,
                                        test_result_cb, &result);
    test_wait_result (&result);
    g_assert_true (echoes_storage_client_upload_finish (storage, result, &error));
    g_assert_no_error (error);
    g_clear_object (&result);
    g_assert_cmpstr (resume.url, ==, upload_url);

    echoes_storage_client_download_async (storage, "images", object, back, NULL, test_result_cb, &result);
    test_wait_result (&result);
    g_assert_cmpint (echoes_storage_client_download_finish (storage, result, &error), ==, 13 * 1024 * 1024 + 77);
    g_assert_no_error (error);
  }
  g_assert_true (g_file_load_contents (file, NULL, &original, &len, NULL, NULL));
  g_assert_true (g_file_load_contents (back, NULL, &copy, &copy_len, NULL, NULL));
  g_assert_cmpmem (original, len, copy, copy_len);
  g_free (resume.url);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  echoes_test_init (&argc, &argv);

  /* Without a backend this test fails: it is only run by tests/cloud-standin.sh. */
  if (!echoes_cloud_config_lookup (&url, &anon_key, &error))
    g_error ("ECHOES_SUPABASE_URL / ECHOES_SUPABASE_ANON_KEY are not set: run through tests/cloud-standin.sh");

  g_test_add_func ("/echoes/cloud/standin/accounts", test_accounts);
  g_test_add_func ("/echoes/cloud/standin/rest-storage", test_rest_and_storage);
  g_test_add_func ("/echoes/cloud/standin/tus-resume-after-restart", test_tus_resume_after_restart);
  g_test_add_func ("/echoes/cloud/standin/google-pkce", test_google_pkce);

  return g_test_run ();
}
