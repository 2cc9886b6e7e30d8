/* test-account-window.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-account-window"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "echoes-account-window-private.h"
#include "echoes-auth.h"
#include "echoes-cloud-error.h"
#include "echoes-context.h"
#include "echoes-secret-store.h"
#include "echoes-test-ui.h"
#include "echoes-test-util.h"
#include "echoes-window.h"

/* The account UI against a fake GoTrue (a SoupServer on 127.0.0.1; its PostgREST has no
 * rows, for the sync that starts once signed in) and the keyring of
 * the test's private D-Bus session (build-aux/keyring-session.sh). */

#define TIMEOUT_MS     20000
#define ANON_KEY       "test-anon-key"
#define EMAIL          "alice@example.com"
#define PASSWORD       "right horse battery staple"
#define USER_ID        "6f1c0e64-8c5a-4c1e-9a53-0d1b8a3b7a11"
#define OAUTH_CODE     "code-from-google"

/* The fake server's state. */
static struct
{
  SoupServer *server;
  char       *url;
  guint       n_logouts;
  guint       n_sessions;
  char       *challenge;   /* the last authorize URL's code_challenge */
  gboolean    pkce_ok;
  gboolean    refuse_refresh;
  char       *recovered;   /* the address of the last password reset request */
  char       *signed_up;   /* the address of the last sign-up */
} fake;

/* Fake GoTrue -------------------------------------------------------------------------- */

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static void
respond_session (SoupServerMessage *msg)
{
  g_autofree char *json = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  fake.n_sessions++;
  json = g_strdup_printf ("{\"access_token\":\"fake-access-%u\",\"token_type\":\"bearer\","
                          "\"expires_in\":3600,\"expires_at\":%" G_GINT64_FORMAT ","
                          "\"refresh_token\":\"fake-refresh-%u\","
                          "\"user\":{\"id\":\"" USER_ID "\",\"email\":\"" EMAIL "\"}}",
                          fake.n_sessions, now + 3600, fake.n_sessions);
  respond_json (msg, SOUP_STATUS_OK, json);
}

static JsonObject *
read_body (SoupServerMessage *msg,
           JsonParser        *parser)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  if (body->length == 0 || !json_parser_load_from_data (parser, body->data, body->length, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_node_get_object (json_parser_get_root (parser));
}

static char *
s256 (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;
  char *text;
  char *end;

  g_checksum_update (checksum, (const guchar *) verifier, -1);
  g_checksum_get_digest (checksum, digest, &len);
  text = g_base64_encode (digest, len);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  if ((end = strchr (text, '=')) != NULL)
    *end = '\0';
  return text;
}

static void
gotrue_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  const char *grant = query != NULL ? g_hash_table_lookup (query, "grant_type") : NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *body;

  if (g_strcmp0 (soup_message_headers_get_one (headers, "apikey"), ANON_KEY) != 0)
    {
      respond_json (msg, SOUP_STATUS_UNAUTHORIZED, "{\"message\":\"No API key found in request\"}");
      return;
    }

  /* Signed in, the app syncs: an account with nothing on the server yet. */
  if (g_str_equal (method, "GET") && g_str_has_prefix (path, "/rest/v1/"))
    {
      respond_json (msg, SOUP_STATUS_OK, "[]");
      return;
    }

  if (g_str_equal (method, "POST") && g_str_equal (path, "/auth/v1/token")
      && g_strcmp0 (grant, "password") == 0)
    {
      body = read_body (msg, parser);
      if (body != NULL
          && g_strcmp0 (json_object_get_string_member_with_default (body, "email", NULL), EMAIL) == 0
          && g_strcmp0 (json_object_get_string_member_with_default (body, "password", NULL), PASSWORD) == 0)
        respond_session (msg);
      else
        respond_json (msg, SOUP_STATUS_BAD_REQUEST,
                      "{\"code\":400,\"error_code\":\"invalid_credentials\","
                      "\"msg\":\"Invalid login credentials\"}");
      return;
    }

  if (g_str_equal (method, "POST") && g_str_equal (path, "/auth/v1/token")
      && g_strcmp0 (grant, "pkce") == 0)
    {
      g_autofree char *challenge = NULL;
      const char *verifier;

      body = read_body (msg, parser);
      verifier = body ? json_object_get_string_member_with_default (body, "code_verifier", NULL) : NULL;
      if (verifier != NULL)
        challenge = s256 (verifier);
      fake.pkce_ok = body != NULL && fake.challenge != NULL && challenge != NULL
                     && g_str_equal (challenge, fake.challenge)
                     && g_strcmp0 (json_object_get_string_member_with_default (body, "auth_code", NULL),
                                   OAUTH_CODE) == 0;
      if (fake.pkce_ok)
        respond_session (msg);
      else
        respond_json (msg, SOUP_STATUS_BAD_REQUEST,
                      "{\"code\":400,\"error_code\":\"bad_code_verifier\","
                      "\"msg\":\"code challenge does not match previously saved code verifier\"}");
      return;
    }

  if (g_str_equal (method, "POST") && g_str_equal (path, "/auth/v1/token")
      && g_strcmp0 (grant, "refresh_token") == 0)
    {
      if (fake.refuse_refresh)
        respond_json (msg, SOUP_STATUS_BAD_REQUEST,
                      "{\"code\":400,\"error_code\":\"refresh_token_not_found\","
                      "\"msg\":\"Invalid Refresh Token: Refresh Token Not Found\"}");
      else
        respond_session (msg);
      return;
    }

  /* Accounts wait for their address to be confirmed: a user, no session. */
  if (g_str_equal (method, "POST") && g_str_equal (path, "/auth/v1/signup"))
    {
      body = read_body (msg, parser);
      g_free (fake.signed_up);
      fake.signed_up = body ? g_strdup (json_object_get_string_member_with_default (body, "email", NULL)) : NULL;
      respond_json (msg, SOUP_STATUS_OK,
                    "{\"id\":\"" USER_ID "\",\"email\":\"new@example.com\",\"confirmation_sent_at\":\"2026-12-03T13:00:00Z\"}");
      return;
    }

  if (g_str_equal (method, "POST") && g_str_equal (path, "/auth/v1/recover"))
    {
      body = read_body (msg, parser);
      g_free (fake.recovered);
      fake.recovered = body ? g_strdup (json_object_get_string_member_with_default (body, "email", NULL)) : NULL;
      respond_json (msg, SOUP_STATUS_OK, "{}");
      return;
    }

  if (g_str_equal (method, "POST") && g_str_equal (path, "/auth/v1/logout"))
    {
      const char *authorization = soup_message_headers_get_one (headers, "Authorization");

      if (authorization != NULL && g_str_has_prefix (authorization, "Bearer fake-access-"))
        {
          fake.n_logouts++;
          soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
        }
      else
        respond_json (msg, SOUP_STATUS_UNAUTHORIZED,
                      "{\"code\":401,\"error_code\":\"no_authorization\",\"msg\":\"no token\"}");
      return;
    }

  respond_json (msg, SOUP_STATUS_NOT_FOUND, "{\"code\":404,\"msg\":\"Not found\"}");
}

static void
start_fake_gotrue (void)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fake.server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake.server, "/auth/v1", gotrue_cb, NULL, NULL);
  soup_server_add_handler (fake.server, "/rest/v1", gotrue_cb, NULL, NULL);
  soup_server_listen_local (fake.server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fake.server);
  g_assert_nonnull (uris);
  fake.url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

/* Helpers ------------------------------------------------------------------------------ */

typedef struct
{
  EchoesContext *context;
  EchoesWindow  *window;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->context = echoes_test_ui_open_context (TIMEOUT_MS);
  g_assert_nonnull (echoes_context_get_auth (f->context));
  f->window = echoes_test_ui_show_window (f->context, 1000, 700, TIMEOUT_MS);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  echoes_test_ui_close_window (g_steal_pointer (&f->window), g_steal_pointer (&f->context));
}

static gboolean
label_has_text (GtkWidget  *widget,
                const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (label_has_text (child, text))
      return TRUE;
  return FALSE;
}

static GtkWidget *
find_main_menu_popover (GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_primary (GTK_MENU_BUTTON (widget)))
    return GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *popover = find_main_menu_popover (child);

      if (popover != NULL)
        return popover;
    }
  return NULL;
}

/* Whether the window's main menu (as built, with its mnemonics stripped) shows @text. */
static gboolean
menu_shows (EchoesWindow *window,
            const char   *text)
{
  GtkWidget *popover = find_main_menu_popover (GTK_WIDGET (window));

  g_assert_nonnull (popover);
  return label_has_text (popover, text);
}

typedef struct
{
  EchoesWindow *window;
  const char   *text;
} MenuWait;

static gboolean
menu_shows_cb (gpointer data)
{
  MenuWait *wait = data;

  return menu_shows (wait->window, wait->text);
}

static void
wait_menu_shows (EchoesWindow *window,
                 const char   *text)
{
  MenuWait wait = { window, text };

  g_assert_true (echoes_test_wait_until (menu_shows_cb, &wait, TIMEOUT_MS));
}

static EchoesAccountWindow *
find_account_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ECHOES_IS_ACCOUNT_WINDOW (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ECHOES_ACCOUNT_WINDOW (g_object_ref (window));
    }
  return NULL;
}

/* Opens the sign-in window from the main menu's action. */
static EchoesAccountWindow *
open_account_window (Fixture *f)
{
  EchoesAccountWindow *account_window;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "account.sign-in", NULL));
  account_window = find_account_window ();
  g_assert_nonnull (account_window);
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (account_window)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (account_window)) == GTK_WINDOW (f->window));
  echoes_test_ui_wait_mapped (GTK_WIDGET (account_window), TIMEOUT_MS);
  return account_window;
}

static GtkWidget *
find_by_id (GtkWidget  *widget,
            const char *id)
{
  if (g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), id) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_by_id (c, id);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A widget of the window's template, by its id in echoes-account-window.ui. */
static GtkWidget *
child (EchoesAccountWindow *account_window,
       const char          *id)
{
  GtkWidget *widget = find_by_id (GTK_WIDGET (account_window), id);

  g_assert_nonnull (widget);
  return widget;
}

static gboolean
label_visible (gpointer data)
{
  return gtk_widget_get_visible (data) && *gtk_label_get_text (data) != '\0';
}

static gboolean
widget_hidden (gpointer data)
{
  return !gtk_widget_get_visible (data);
}

/* The window closed itself (signed in): nothing else may hold it. */
static void
assert_closed_and_finalized (EchoesAccountWindow *account_window)
{
  g_assert_true (echoes_test_wait_until (widget_hidden, account_window, TIMEOUT_MS));
  echoes_test_drain (account_window);
  g_assert_finalize_object (account_window);
}

static gboolean
signed_in (gpointer data)
{
  return echoes_auth_get_signed_in (data);
}

static gboolean
signed_out (gpointer data)
{
  return !echoes_auth_get_signed_in (data);
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
logged_out (gpointer data)
{
  return fake.n_logouts > GPOINTER_TO_UINT (data);
}

/* The keyring --------------------------------------------------------------------------- */

typedef struct
{
  gboolean  done;
  char     *secret;
  GError   *error;
} Lookup;

static void
looked_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Lookup *lookup = user_data;

  lookup->secret = echoes_secret_store_lookup_finish (ECHOES_SECRET_STORE (object), result,
                                                      &lookup->error);
  lookup->done = TRUE;
}

/* Whether the keyring holds a session for the fake server (the secret is never printed). */
static gboolean
keyring_holds_session (void)
{
  g_autoptr(EchoesSecretStore) store = echoes_secret_store_new ();
  Lookup lookup = { FALSE, NULL, NULL };
  gboolean found;

  echoes_secret_store_lookup_async (store, fake.url, NULL, looked_up_cb, &lookup);
  g_assert_true (echoes_test_wait_until (flag_set, &lookup.done, TIMEOUT_MS));
  g_assert_no_error (lookup.error);
  found = lookup.secret != NULL;
  if (found)
    g_assert_nonnull (strstr (lookup.secret, "\"refresh_token\""));
  g_free (lookup.secret);
  return found;
}

static gboolean
keyring_empty (gpointer data)
{
  return !keyring_holds_session ();
}

/* E-mail and password ----------------------------------------------------------------------- */

static void
test_account_password (Fixture       *f,
                       gconstpointer  data)
{
  EchoesAuth *auth = echoes_context_get_auth (f->context);
  g_autoptr(GError) wrong = g_error_new_literal (ECHOES_CLOUD_ERROR,
                                                 ECHOES_CLOUD_ERROR_INVALID_CREDENTIALS, "");
  g_autoptr(EchoesContext) context2 = NULL;
  EchoesAccountWindow *account_window;
  GtkWidget *error_label;
  EchoesAuth *auth2;
  guint n_logouts = fake.n_logouts;

  g_assert_false (echoes_auth_get_signed_in (auth));
  wait_menu_shows (f->window, "Sign In…");
  account_window = open_account_window (f);
  error_label = child (account_window, "error_label");
  g_assert_false (gtk_widget_get_visible (error_label));

  /* Enter in the password field activates Sign In (the default widget). */
  g_assert_true (gtk_window_get_default_widget (GTK_WINDOW (account_window))
                 == child (account_window, "sign_in_button"));
  gtk_editable_set_text (GTK_EDITABLE (child (account_window, "email_row")), EMAIL);
  gtk_editable_set_text (GTK_EDITABLE (child (account_window, "password_row")), "wrong password");
  g_assert_true (gtk_widget_activate_action (child (account_window, "password_row"),
                                             "default.activate", NULL));
  g_assert_true (echoes_test_wait_until (label_visible, error_label, TIMEOUT_MS));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==,
                   echoes_cloud_error_describe (wrong));
  g_assert_false (echoes_auth_get_signed_in (auth));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (account_window)));
  echoes_test_ui_save_screenshot (GTK_WIDGET (account_window), "account-wrong-password.png");

  /* Typing again clears the error. */
  gtk_editable_set_text (GTK_EDITABLE (child (account_window, "password_row")), PASSWORD);
  g_assert_false (gtk_widget_get_visible (error_label));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (account_window),
                                             "account-window.sign-in", NULL));
  g_assert_true (echoes_test_wait_until (signed_in, auth, TIMEOUT_MS));
  assert_closed_and_finalized (account_window);

  g_assert_cmpstr (echoes_auth_get_email (auth), ==, EMAIL);
  g_assert_true (echoes_auth_get_session_persistent (auth));
  wait_menu_shows (f->window, EMAIL);
  g_assert_true (menu_shows (f->window, "Sign Out"));
  g_assert_true (label_has_text (GTK_WIDGET (f->window), "Signed in as " EMAIL));
  g_assert_false (menu_shows (f->window, "Sign In…"));
  g_assert_true (keyring_holds_session ());

  /* The next start is signed in without asking. */
  context2 = echoes_test_ui_open_context (TIMEOUT_MS);
  auth2 = echoes_context_get_auth (context2);
  g_assert_true (auth2 != auth);
  g_assert_true (echoes_test_wait_until (signed_in, auth2, TIMEOUT_MS));
  g_assert_cmpstr (echoes_auth_get_email (auth2), ==, EMAIL);
  g_assert_cmpstr (echoes_auth_get_user_id (auth2), ==, USER_ID);
  echoes_test_drain (context2);
  g_clear_object (&context2);

  /* One click signs out: the server revokes the session, the keyring forgets it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "account.sign-out", NULL));
  g_assert_false (echoes_auth_get_signed_in (auth));
  g_assert_true (echoes_test_wait_until (keyring_empty, NULL, TIMEOUT_MS));
  wait_menu_shows (f->window, "Sign In…");
  g_assert_false (menu_shows (f->window, EMAIL));
  g_assert_true (label_has_text (GTK_WIDGET (f->window), "Signed out"));
  g_assert_true (echoes_test_wait_until (logged_out, GUINT_TO_POINTER (n_logouts), TIMEOUT_MS));
  g_assert_cmpuint (fake.n_logouts, ==, n_logouts + 1);
}

/* Create Account and Forgot Password? ----------------------------------------------------- */

static void
test_account_sign_up_and_reset (Fixture       *f,
                                gconstpointer  data)
{
  EchoesAuth *auth = echoes_context_get_auth (f->context);
  EchoesAccountWindow *account_window;
  GtkWidget *info_label;
  GtkWidget *error_label;

  account_window = open_account_window (f);
  info_label = child (account_window, "info_label");
  error_label = child (account_window, "error_label");

  /* Without an address there is nothing to send. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (account_window),
                                             "account-window.reset-password", NULL));
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==, "Enter your e-mail address.");

  gtk_editable_set_text (GTK_EDITABLE (child (account_window, "email_row")), EMAIL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (account_window),
                                             "account-window.reset-password", NULL));
  g_assert_true (echoes_test_wait_until (label_visible, info_label, TIMEOUT_MS));
  g_assert_cmpstr (fake.recovered, ==, EMAIL);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (info_label)), EMAIL));
  g_assert_false (gtk_widget_get_visible (error_label));

  gtk_editable_set_text (GTK_EDITABLE (child (account_window, "email_row")), "new@example.com");
  gtk_editable_set_text (GTK_EDITABLE (child (account_window, "password_row")), "a new long password");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (account_window),
                                             "account-window.sign-up", NULL));
  g_assert_false (gtk_widget_get_visible (info_label));
  g_assert_true (echoes_test_wait_until (label_visible, info_label, TIMEOUT_MS));
  g_assert_cmpstr (fake.signed_up, ==, "new@example.com");
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (info_label)), "new@example.com"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (info_label)), "confirm"));
  g_assert_false (echoes_auth_get_signed_in (auth));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (account_window)));
  echoes_test_ui_save_screenshot (GTK_WIDGET (account_window), "account-confirm.png");

  gtk_window_close (GTK_WINDOW (account_window));
  assert_closed_and_finalized (account_window);
}

/* Google (PKCE through the browser) ----------------------------------------------------- */

typedef struct
{
  char *uri;
} Opener;

static void
open_uri_cb (const char *uri,
             gpointer    user_data)
{
  Opener *opener = user_data;

  g_free (opener->uri);
  opener->uri = g_strdup (uri);
}

static gboolean
uri_opened (gpointer data)
{
  return ((Opener *) data)->uri != NULL;
}

/* Starts "Continue with Google" and checks the address given to the browser. Returns
 * the loopback redirect address (with its state). */
static char *
start_google (EchoesAccountWindow *account_window,
              Opener              *opener)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) params = NULL;
  const char *redirect;

  _echoes_account_window_set_uri_func (account_window, open_uri_cb, opener);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (account_window),
                                             "account-window.sign-in-with-google", NULL));
  g_assert_true (echoes_test_wait_until (uri_opened, opener, TIMEOUT_MS));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (account_window, "stack"))),
                   ==, "browser");

  uri = g_uri_parse (opener->uri, G_URI_FLAGS_NONE, NULL);
  g_assert_nonnull (uri);
  g_assert_true (g_str_has_prefix (opener->uri, fake.url));
  g_assert_cmpstr (g_uri_get_path (uri), ==, "/auth/v1/authorize");
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  g_assert_nonnull (params);
  g_assert_cmpstr (g_hash_table_lookup (params, "provider"), ==, "google");
  g_assert_cmpstr (g_hash_table_lookup (params, "code_challenge_method"), ==, "s256");
  g_assert_nonnull (g_hash_table_lookup (params, "code_challenge"));
  g_assert_cmpuint (strlen (g_hash_table_lookup (params, "code_challenge")), ==, 43);
  redirect = g_hash_table_lookup (params, "redirect_to");
  g_assert_nonnull (redirect);
  g_assert_true (g_str_has_prefix (redirect, "http://127.0.0.1:"));
  g_assert_nonnull (strstr (redirect, "/callback?state="));

  g_free (fake.challenge);
  fake.challenge = g_strdup (g_hash_table_lookup (params, "code_challenge"));
  return g_strdup (redirect);
}

typedef struct
{
  gboolean  done;
  guint     status;
  GError   *error;
} Visit;

static void
visited_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Visit *visit = user_data;
  g_autoptr(GBytes) body = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &visit->error);
  visit->status = soup_message_get_status (soup_session_get_async_result_message (SOUP_SESSION (object), result));
  visit->done = TRUE;
}

/* What the browser does once the user signed in at the provider: it loads @address. */
static void
browser_visits (const char *address,
                Visit      *visit)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", address);

  g_assert_nonnull (msg);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, visited_cb, visit);
  g_assert_true (echoes_test_wait_until (flag_set, &visit->done, TIMEOUT_MS));
}

static void
test_account_google (Fixture       *f,
                     gconstpointer  data)
{
  EchoesAuth *auth = echoes_context_get_auth (f->context);
  EchoesAccountWindow *account_window;
  g_autofree char *redirect = NULL;
  g_autofree char *callback = NULL;
  Opener opener = { NULL };
  Visit visit = { FALSE, 0, NULL };

  g_assert_false (echoes_auth_get_signed_in (auth));
  account_window = open_account_window (f);
  redirect = start_google (account_window, &opener);
  echoes_test_ui_save_screenshot (GTK_WIDGET (account_window), "account-browser.png");

  /* The provider sends the browser back with a code; the app trades it with its verifier. */
  callback = g_strconcat (redirect, "&code=" OAUTH_CODE, NULL);
  browser_visits (callback, &visit);
  /* The browser gets its "You are signed in" page before the listener closes. */
  g_assert_no_error (visit.error);
  g_assert_cmpuint (visit.status, ==, SOUP_STATUS_OK);

  g_assert_true (echoes_test_wait_until (signed_in, auth, TIMEOUT_MS));
  g_assert_true (fake.pkce_ok);
  assert_closed_and_finalized (account_window);
  wait_menu_shows (f->window, EMAIL);
  g_assert_true (keyring_holds_session ());

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "account.sign-out", NULL));
  g_assert_true (echoes_test_wait_until (keyring_empty, NULL, TIMEOUT_MS));
  g_assert_true (echoes_test_wait_until (signed_out, auth, TIMEOUT_MS));
  g_free (opener.uri);
}

static void
test_account_google_cancel (Fixture       *f,
                            gconstpointer  data)
{
  EchoesAuth *auth = echoes_context_get_auth (f->context);
  EchoesAccountWindow *account_window;
  g_autofree char *redirect = NULL;
  g_autofree char *callback = NULL;
  Opener opener = { NULL };
  Visit visit = { FALSE, 0, NULL };

  account_window = open_account_window (f);
  redirect = start_google (account_window, &opener);

  /* Cancel goes back to the form and the loopback listener is gone. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (account_window),
                                             "account-window.cancel-browser", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (account_window, "stack"))),
                   ==, "form");
  g_assert_false (gtk_widget_get_visible (child (account_window, "error_label")));
  g_assert_true (gtk_widget_is_sensitive (child (account_window, "email_row")));

  callback = g_strconcat (redirect, "&code=" OAUTH_CODE, NULL);
  browser_visits (callback, &visit);
  g_assert_error (visit.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_clear_error (&visit.error);
  g_assert_false (echoes_auth_get_signed_in (auth));

  /* Escape closes the window. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (account_window), "window.close", NULL));
  assert_closed_and_finalized (account_window);
  g_free (opener.uri);
}

static void
test_account_google_timeout (Fixture       *f,
                             gconstpointer  data)
{
  EchoesAuth *auth = echoes_context_get_auth (f->context);
  EchoesAccountWindow *account_window;
  g_autofree char *redirect = NULL;
  Opener opener = { NULL };

  g_object_set (auth, "oauth-timeout", 1, NULL);
  account_window = open_account_window (f);
  redirect = start_google (account_window, &opener);

  g_assert_true (echoes_test_wait_until (label_visible, child (account_window, "error_label"),
                                         TIMEOUT_MS));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (account_window, "stack"))),
                   ==, "form");
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (child (account_window, "error_label"))),
                            "in time"));
  g_assert_false (echoes_auth_get_signed_in (auth));

  gtk_window_close (GTK_WINDOW (account_window));
  assert_closed_and_finalized (account_window);
  g_free (opener.uri);
}

/* The server refuses to refresh the session: signed out, and the window says so. */
static void
test_account_session_ended (Fixture       *f,
                            gconstpointer  data)
{
  EchoesAuth *auth = echoes_context_get_auth (f->context);
  g_autoptr(GError) expired = g_error_new_literal (ECHOES_CLOUD_ERROR,
                                                   ECHOES_CLOUD_ERROR_SESSION_EXPIRED, "");
  EchoesAccountWindow *account_window;

  account_window = open_account_window (f);
  gtk_editable_set_text (GTK_EDITABLE (child (account_window, "email_row")), EMAIL);
  gtk_editable_set_text (GTK_EDITABLE (child (account_window, "password_row")), PASSWORD);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (account_window),
                                             "account-window.sign-in", NULL));
  g_assert_true (echoes_test_wait_until (signed_in, auth, TIMEOUT_MS));
  assert_closed_and_finalized (account_window);
  wait_menu_shows (f->window, EMAIL);

  fake.refuse_refresh = TRUE;
  echoes_auth_refresh_async (auth, NULL, NULL, NULL, NULL);
  g_assert_true (echoes_test_wait_until (signed_out, auth, TIMEOUT_MS));
  fake.refuse_refresh = FALSE;
  wait_menu_shows (f->window, "Sign In…");
  g_assert_true (label_has_text (GTK_WIDGET (f->window), echoes_cloud_error_describe (expired)));
  g_assert_true (echoes_test_wait_until (keyring_empty, NULL, TIMEOUT_MS));
}

/* Without a Secret Service the sign-in works for this run, and the user is told. */
static void
no_keyring_run (Fixture *f)
{
  EchoesAuth *auth = echoes_context_get_auth (f->context);
  EchoesAccountWindow *account_window;
  guint n_logouts = fake.n_logouts;

  account_window = open_account_window (f);
  gtk_editable_set_text (GTK_EDITABLE (child (account_window, "email_row")), EMAIL);
  gtk_editable_set_text (GTK_EDITABLE (child (account_window, "password_row")), PASSWORD);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (account_window),
                                             "account-window.sign-in", NULL));
  g_assert_true (echoes_test_wait_until (signed_in, auth, TIMEOUT_MS));
  assert_closed_and_finalized (account_window);

  g_assert_false (echoes_auth_get_session_persistent (auth));
  g_assert_nonnull (echoes_auth_get_persistence_error (auth));
  wait_menu_shows (f->window, EMAIL);
  g_assert_true (label_has_text (GTK_WIDGET (f->window),
                                 "You are signed in for this session only: no keyring is available "
                                 "to remember it. You will have to sign in again next time."));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "account.sign-out", NULL));
  g_assert_true (echoes_test_wait_until (logged_out, GUINT_TO_POINTER (n_logouts), TIMEOUT_MS));
}

static void
test_account_no_keyring (void)
{
  Fixture f = { NULL, NULL };

  if (g_test_subprocess ())
    {
      fixture_setup (&f, NULL);
      no_keyring_run (&f);
      fixture_teardown (&f, NULL);
      return;
    }

  /* In a child whose session bus (and so keyring) is out of reach: see main(). */
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  int status;

  echoes_test_init (&argc, &argv);

  /* Before GTK starts its threads: the context reads the server address from here. */
  start_fake_gotrue ();
  g_setenv ("ECHOES_SUPABASE_URL", fake.url, TRUE);
  g_setenv ("ECHOES_SUPABASE_ANON_KEY", ANON_KEY, TRUE);

  if (g_test_subprocess ())
    {
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus", TRUE);
      /* GTK warns that it has no session bus (that is the point here): in this child,
       * only criticals are fatal. */
      g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    }

  gtk_disable_setlocale ();
  setlocale (LC_ALL, "C.UTF-8");
  gtk_init ();
  adw_init ();
  /* No transitions; and no cursor blinking, whose timer in a field of a window that just
   * closed warns under Xvfb (which has no window manager to move the focus). */
  g_object_set (gtk_settings_get_default (),
                "gtk-enable-animations", FALSE,
                "gtk-cursor-blink", FALSE,
                NULL);

  /* Isolated XDG dirs hide the system icon theme. */
  gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                  "/usr/share/icons");

  g_test_add ("/echoes/ui/account-window/password", Fixture, NULL,
              fixture_setup, test_account_password, fixture_teardown);
  g_test_add ("/echoes/ui/account-window/session-ended", Fixture, NULL,
              fixture_setup, test_account_session_ended, fixture_teardown);
  g_test_add ("/echoes/ui/account-window/sign-up-and-reset", Fixture, NULL,
              fixture_setup, test_account_sign_up_and_reset, fixture_teardown);
  g_test_add_func ("/echoes/ui/account-window/no-keyring", test_account_no_keyring);
  g_test_add ("/echoes/ui/account-window/google", Fixture, NULL,
              fixture_setup, test_account_google, fixture_teardown);
  g_test_add ("/echoes/ui/account-window/google-cancel", Fixture, NULL,
              fixture_setup, test_account_google_cancel, fixture_teardown);
  g_test_add ("/echoes/ui/account-window/google-timeout", Fixture, NULL,
              fixture_setup, test_account_google_timeout, fixture_teardown);

  status = g_test_run ();

  g_clear_object (&fake.server);
  g_free (fake.url);
  g_free (fake.challenge);
  g_free (fake.recovered);
  g_free (fake.signed_up);
  return status;
}
