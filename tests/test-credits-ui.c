/* test-credits-ui.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-credits-ui"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "echoes-auth.h"
#include "echoes-clip-prompt.h"
#include "echoes-context.h"
#include "echoes-credit-confirm.h"
#include "echoes-credits-button.h"
#include "echoes-generation-queue.h"
#include "echoes-credits-window-private.h"
#include "echoes-ken-burns-button.h"
#include "echoes-test-ui.h"
#include "echoes-test-util.h"
#include "echoes-window.h"

/* The credits UI against a fake account server (a SoupServer on 127.0.0.1): GoTrue's
 * password sign-in, the PostgREST tables and RPC the credits client reads
 * (src/cloud/echoes-credits-client.c) and the create-checkout function; the session is
 * kept in the test's private keyring (build-aux/keyring-session.sh). */

#define TIMEOUT_MS   20000
#define ANON_KEY     "test-anon-key"
#define EMAIL        "carol@example.com"
#define PASSWORD     "correct horse battery staple"
#define USER_ID      "0b3a4a8e-2f4d-4c55-8a5b-3c1f6f0d9e21"
#define RESERVATION  "7d9e5f10-1111-4a2b-9c3d-4e5f60718293"
#define CLIP_ID      "a1b2c3d4-5555-4666-8777-8899aabbccdd"
#define CHECKOUT_URL "https://checkout.stripe.test/c/pay/cs_test_42"
#define MY_CODE      "CAROL7"

static struct
{
  SoupServer *server;
  char       *url;
  int         balance;
  guint       n_checkouts;
  char       *checkout_pack;
  char       *opened;      /* the last URI the Credits window opened */
} fake;

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static gboolean
authorized (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");

  return g_strcmp0 (soup_message_headers_get_one (headers, "apikey"), ANON_KEY) == 0
         && authorization != NULL && g_str_has_prefix (authorization, "Bearer fake-access-");
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  const char *method = soup_server_message_get_method (msg);
  const char *grant = query != NULL ? g_hash_table_lookup (query, "grant_type") : NULL;

  if (g_str_equal (method, "POST") && g_str_equal (path, "/auth/v1/token")
      && g_strcmp0 (grant, "password") == 0)
    {
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;
      g_autofree char *json = g_strdup_printf ("{\"access_token\":\"fake-access-1\",\"token_type\":\"bearer\","
                                               "\"expires_in\":3600,\"expires_at\":%" G_GINT64_FORMAT ","
                                               "\"refresh_token\":\"fake-refresh-1\","
                                               "\"user\":{\"id\":\"" USER_ID "\",\"email\":\"" EMAIL "\"}}",
                                               now + 3600);
      respond_json (msg, SOUP_STATUS_OK, json);
      return;
    }
  if (g_str_equal (path, "/auth/v1/logout"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }

  if (!authorized (msg))
    {
      respond_json (msg, SOUP_STATUS_UNAUTHORIZED, "{\"code\":\"PGRST301\",\"message\":\"JWT invalid\"}");
      return;
    }

  if (g_str_equal (method, "GET") && g_str_equal (path, "/rest/v1/user_profiles")
      && g_strcmp0 (g_hash_table_lookup (query, "id"), "eq." USER_ID) == 0)
    {
      g_autofree char *json = g_strdup_printf ("[{\"credit_balance\":%d,\"referral_code\":\"" MY_CODE "\"}]",
                                               fake.balance);
      respond_json (msg, SOUP_STATUS_OK, json);
      return;
    }
  if (g_str_equal (method, "GET") && g_str_equal (path, "/rest/v1/credit_transactions"))
    {
      respond_json (msg, SOUP_STATUS_OK,
                    "[{\"amount\":-1,\"type\":\"generation_reserve\",\"reference_id\":\"" RESERVATION "\","
                    "\"created_at\":\"2026-12-03T12:30:00+00:00\"},"
                    "{\"amount\":1,\"type\":\"referral_bonus\",\"reference_id\":null,"
                    "\"created_at\":\"2026-12-02T10:00:00+00:00\"},"
                    "{\"amount\":5,\"type\":\"signup_bonus\",\"reference_id\":null,"
                    "\"created_at\":\"2026-12-01T09:00:00+00:00\"}]");
      return;
    }
  if (g_str_equal (method, "GET") && g_str_equal (path, "/rest/v1/generation_reservations"))
    {
      respond_json (msg, SOUP_STATUS_OK, "[{\"id\":\"" RESERVATION "\",\"clip_id\":\"" CLIP_ID "\"}]");
      return;
    }
  if (g_str_equal (path, "/functions/v1/create-checkout") && g_str_equal (method, "GET"))
    {
      respond_json (msg, SOUP_STATUS_OK,
                    "{\"packs\":[{\"id\":\"pack_10\",\"name\":\"10 Credits\",\"credits\":10,"
                    "\"amountCents\":500,\"currency\":\"usd\"}]}");
      return;
    }
  if (g_str_equal (path, "/functions/v1/create-checkout") && g_str_equal (method, "POST"))
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);
      g_autoptr(JsonParser) parser = json_parser_new ();

      fake.n_checkouts++;
      if (json_parser_load_from_data (parser, body->data, body->length, NULL)
          && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          g_free (fake.checkout_pack);
          fake.checkout_pack = g_strdup (json_object_get_string_member_with_default (
            json_node_get_object (json_parser_get_root (parser)), "pack_id", NULL));
        }
      respond_json (msg, SOUP_STATUS_OK, "{\"url\":\"" CHECKOUT_URL "\",\"session_id\":\"cs_test_42\"}");
      return;
    }
  if (g_str_equal (method, "POST") && g_str_equal (path, "/rest/v1/rpc/redeem_referral"))
    {
      respond_json (msg, SOUP_STATUS_NOT_FOUND,
                    "{\"code\":\"PT404\",\"message\":\"referral code not found\",\"details\":null,\"hint\":null}");
      return;
    }

  respond_json (msg, SOUP_STATUS_NOT_FOUND, "{\"code\":\"PGRST205\",\"message\":\"Not found\"}");
}

static void
start_fake_server (void)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fake.server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake.server, NULL, server_cb, NULL, NULL);
  soup_server_listen_local (fake.server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fake.server);
  g_assert_nonnull (uris);
  fake.url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

/* Helpers ------------------------------------------------------------------------------ */

static GtkWidget *
find_type (GtkWidget *widget,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
signed_in_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (echoes_auth_sign_in_finish (ECHOES_AUTH (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

typedef struct
{
  EchoesCreditsButton *button;
  int                  balance;
} BalanceWait;

static gboolean
button_shows_cb (gpointer data)
{
  BalanceWait *wait = data;
  g_autofree char *label = g_strdup_printf ("%d Credits", wait->balance);

  return gtk_widget_get_visible (GTK_WIDGET (wait->button))
         && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (wait->button)), label) == 0;
}

static gboolean
button_hidden_cb (gpointer data)
{
  return !gtk_widget_get_visible (GTK_WIDGET (data));
}

static gboolean
ledger_loaded_cb (gpointer data)
{
  EchoesCreditsWindow *window = data;

  return _echoes_credits_window_get_n_entries (window) == 3
         && _echoes_credits_window_get_n_packs (window) == 1
         && _echoes_credits_window_get_referral_code (window) != NULL;
}

static gboolean
opened_cb (gpointer data)
{
  return fake.opened != NULL;
}

static gboolean
toast_cb (gpointer data)
{
  return g_strcmp0 (_echoes_credits_window_get_last_toast (data), "10 credits added") == 0;
}

static gboolean
redeem_message_cb (gpointer data)
{
  return _echoes_credits_window_get_redeem_message (data) != NULL;
}

static gboolean
find_message_dialog_cb (gpointer data)
{
  AdwMessageDialog **dialog = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        {
          *dialog = ADW_MESSAGE_DIALOG (window);
          return TRUE;
        }
    }
  return FALSE;
}

static void
open_uri (const char *uri,
          gpointer    user_data)
{
  g_free (fake.opened);
  fake.opened = g_strdup (uri);
}

/* Tests -------------------------------------------------------------------------------- */

static void
test_credits (void)
{
  g_autoptr(EchoesContext) context = echoes_test_ui_open_context (TIMEOUT_MS);
  EchoesWindow *window;
  EchoesCreditsButton *button;
  EchoesCreditsWindow *credits;
  EchoesAuth *auth;
  BalanceWait wait;
  gboolean done = FALSE;

  auth = echoes_context_get_auth (context);
  g_assert_nonnull (auth);
  window = echoes_test_ui_show_window (context, 1200, 700, TIMEOUT_MS);
  button = ECHOES_CREDITS_BUTTON (find_type (GTK_WIDGET (window), ECHOES_TYPE_CREDITS_BUTTON));
  g_assert_nonnull (button);

  /* Signed out: no balance. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (button)));

  /* Signed in: the balance shows. */
  fake.balance = 5;
  echoes_auth_sign_in_async (auth, EMAIL, PASSWORD, NULL, signed_in_cb, &done);
  echoes_test_wait (&done);
  wait.button = button;
  wait.balance = 5;
  g_assert_true (echoes_test_wait_until (button_shows_cb, &wait, TIMEOUT_MS));

  /* The Credits window: balance, ledger (translated kinds, the clip), packs, my code. */
  g_signal_emit_by_name (button, "clicked");
  credits = ECHOES_CREDITS_WINDOW (echoes_credits_button_get_credits_window (button));
  g_assert_nonnull (credits);
  g_object_ref (credits);
  echoes_test_ui_wait_mapped (GTK_WIDGET (credits), TIMEOUT_MS);
  g_assert_true (echoes_test_wait_until (ledger_loaded_cb, credits, TIMEOUT_MS));
  g_assert_cmpint (echoes_credits_window_get_balance (credits), ==, 5);
  g_assert_cmpstr (_echoes_credits_window_get_entry_kind (credits, 0), ==, "AI clip");
  g_assert_cmpstr (_echoes_credits_window_get_entry_kind (credits, 2), ==, "Welcome credit");
  g_assert_cmpstr (_echoes_credits_window_get_referral_code (credits), ==, MY_CODE);
  g_assert_null (_echoes_credits_window_get_error (credits));
  echoes_test_ui_save_screenshot (GTK_WIDGET (credits), "credits-window.png");

  /* Buying opens Checkout, then the balance is watched until the credits arrive. */
  _echoes_credits_window_set_uri_func (credits, open_uri, NULL);
  _echoes_credits_window_set_first_poll (credits, 100);
  _echoes_credits_window_buy (credits, 0);
  g_assert_true (echoes_test_wait_until (opened_cb, NULL, TIMEOUT_MS));
  g_assert_cmpstr (fake.opened, ==, CHECKOUT_URL);
  g_assert_cmpstr (fake.checkout_pack, ==, "pack_10");
  g_assert_cmpuint (fake.n_checkouts, ==, 1);
  g_assert_null (_echoes_credits_window_get_last_toast (credits));
  fake.balance = 15;
  g_assert_true (echoes_test_wait_until (toast_cb, credits, TIMEOUT_MS));
  wait.balance = 15;
  g_assert_true (echoes_test_wait_until (button_shows_cb, &wait, TIMEOUT_MS));

  /* A code nobody has: the clear refusal. */
  _echoes_credits_window_redeem (credits, "NOPE99");
  g_assert_true (echoes_test_wait_until (redeem_message_cb, credits, TIMEOUT_MS));
  g_assert_cmpstr (_echoes_credits_window_get_redeem_message (credits), ==,
                   "This referral code does not exist; check it and try again.");

  gtk_window_destroy (GTK_WINDOW (credits));
  echoes_test_drain (credits);
  g_assert_finalize_object (credits);

  /* Generating with the AI provider asks first, with the balance; Cancel queues nothing. */
  {
    AdwMessageDialog *dialog = NULL;
    EchoesGenerationQueue *queue = echoes_context_get_queue (context);

    echoes_context_set_provider_name (context, "runway");
    g_assert_cmpstr (echoes_video_provider_get_name (echoes_generation_queue_get_provider (queue)), ==, "runway");
    echoes_credit_confirm_enqueue_clip (GTK_WIDGET (window), context, CLIP_ID);
    g_assert_true (echoes_test_wait_until (find_message_dialog_cb, &dialog, TIMEOUT_MS));
    g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==, "This uses 1 credit — 15 left.");
    g_object_ref (dialog);
    adw_message_dialog_response (dialog, "cancel");
    gtk_window_destroy (GTK_WINDOW (dialog));
    echoes_test_drain (dialog);
    g_assert_finalize_object (dialog);
    g_assert_false (echoes_generation_queue_has_clip (queue, CLIP_ID));
    g_assert_cmpuint (echoes_generation_queue_get_n_jobs (queue), ==, 0);
    echoes_context_set_provider_name (context, "local");
  }

  /* Signed out: the button hides. */
  done = FALSE;
  echoes_auth_sign_out_async (auth, NULL, NULL, NULL);
  g_assert_true (echoes_test_wait_until (button_hidden_cb, button, TIMEOUT_MS));

  echoes_test_ui_close_window (window, g_steal_pointer (&context));
}

static void
test_prompt_too_long (void)
{
  g_autoptr(EchoesContext) context = echoes_test_ui_open_context (TIMEOUT_MS);
  g_autoptr(EchoesClip) clip = echoes_clip_new (CLIP_ID, USER_ID);
  g_autofree char *long_prompt = g_strnfill (1001, 'a');
  GtkWidget *window = gtk_window_new ();
  EchoesClipPrompt *prompt = g_object_new (ECHOES_TYPE_CLIP_PROMPT, NULL);

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (prompt));
  echoes_clip_prompt_set_clip (prompt, context, clip);
  gtk_window_present (GTK_WINDOW (window));
  echoes_test_ui_wait_mapped (window, TIMEOUT_MS);

  g_assert_null (echoes_clip_prompt_get_error (prompt));
  echoes_clip_prompt_set_text (prompt, long_prompt);
  g_assert_false (echoes_clip_prompt_save (prompt));
  g_assert_cmpstr (echoes_clip_prompt_get_error (prompt), ==, "A prompt has at most 1000 characters");
  /* Nothing was written to the clip. */
  g_assert_null (echoes_clip_get_prompt (clip));

  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  echoes_test_drain (context);
}

/* Use Ken Burns Instead: offered only for an AI clip refused by moderation, out of
 * credits or out of reach; never for a local clip or another failure. */
static void
test_ken_burns_offer (void)
{
  g_autoptr(EchoesClip) clip = echoes_clip_new (CLIP_ID, USER_ID);

  echoes_clip_set_status (clip, ECHOES_CLIP_STATUS_FAILED);
  echoes_clip_set_provider (clip, "runway");
  echoes_clip_set_failure (clip, ECHOES_CLIP_FAILURE_MODERATION);
  g_assert_true (echoes_ken_burns_button_applies (clip));
  echoes_clip_set_failure (clip, ECHOES_CLIP_FAILURE_NO_CREDITS);
  g_assert_true (echoes_ken_burns_button_applies (clip));
  echoes_clip_set_failure (clip, ECHOES_CLIP_FAILURE_NETWORK);
  g_assert_true (echoes_ken_burns_button_applies (clip));
  echoes_clip_set_failure (clip, ECHOES_CLIP_FAILURE_PHOTO);
  g_assert_false (echoes_ken_burns_button_applies (clip));
  echoes_clip_set_failure (clip, ECHOES_CLIP_FAILURE_MODERATION);
  echoes_clip_set_provider (clip, "local");
  g_assert_false (echoes_ken_burns_button_applies (clip));
  echoes_clip_set_provider (clip, "runway");
  echoes_clip_set_status (clip, ECHOES_CLIP_STATUS_READY);
  g_assert_false (echoes_ken_burns_button_applies (clip));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  echoes_test_init (&argc, &argv);

  start_fake_server ();
  g_setenv ("ECHOES_SUPABASE_URL", fake.url, TRUE);
  g_setenv ("ECHOES_SUPABASE_ANON_KEY", ANON_KEY, TRUE);

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

  g_test_add_func ("/echoes/ui/credits/balance-ledger-buy-redeem", test_credits);
  g_test_add_func ("/echoes/ui/credits/prompt-too-long", test_prompt_too_long);
  g_test_add_func ("/echoes/ui/credits/ken-burns-offer", test_ken_burns_offer);

  status = g_test_run ();

  g_clear_object (&fake.server);
  g_free (fake.url);
  g_free (fake.checkout_pack);
  g_free (fake.opened);
  return status;
}
