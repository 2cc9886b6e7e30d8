/* echoes-cli-credits.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-cli-credits"

#include "config.h"

#include "echoes-cli-credits.h"
#include "echoes-cli-runway-key.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "echoes-auth.h"
#include "echoes-cloud-error.h"
#include "echoes-credits-client.h"
#include "echoes-runway-provider.h"
#include "echoes-util.h"
#include "echoes-cli-util.h"

/* `echoes-cli credits [packs | buy PACK | redeem CODE]` and `echoes-cli referral`: the
 * account's credits from a terminal or a script, as the account the app signed in to
 * (`echoes-cli account login`). */

#define BASE_ID "io.github.echoes.VideoCreator"

const char *
echoes_cli_credits_usage (void)
{
  return _("  credits                  balance and history of the signed-in account\n"
           "  credits packs            the credit packs on sale\n"
           "  credits buy PACK         prints the checkout page for PACK (open it in a browser)\n"
           "  credits redeem CODE      redeems a friend’s referral code\n"
           "  referral                 prints your referral code\n");
}

gboolean
echoes_cli_credits_handles (const char *group)
{
  return g_strcmp0 (group, "credits") == 0 || g_strcmp0 (group, "referral") == 0;
}

static int
fail_error (const GError *error)
{
  g_printerr ("echoes-cli: %s\n", echoes_credits_error_describe (error));
  return 1;
}

/* The app's session, restored from the keyring; %NULL with an error when nobody is
 * signed in. */
static EchoesAuth *
dup_session (GError **error)
{
  g_autoptr(EchoesAuth) auth = NULL;
  EchoesCliWait wait = { NULL };
  gboolean ok;

  if (!(auth = echoes_auth_new_from_settings (error)))
    return NULL;

  echoes_auth_restore_async (auth, NULL, echoes_cli_wait_cb, &wait);
  ok = echoes_auth_restore_finish (auth, echoes_cli_wait (&wait), error);
  g_object_unref (wait.result);
  if (!ok)
    return NULL;
  if (!echoes_auth_get_signed_in (auth))
    {
      g_set_error_literal (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_NOT_SIGNED_IN,
                           "Not signed in");
      return NULL;
    }
  return g_steal_pointer (&auth);
}

/**
 * echoes_cli_credits_new_registry:
 * @provider_name: (nullable): the provider the command will use
 *
 * The providers for `projects generate`: when @provider_name is "runway", with the
 * signed-in session (without one, "runway" refuses every clip with “Sign in to use AI
 * motion”).
 *
 * Returns: (transfer full): a registry
 */
EchoesProviderRegistry *
echoes_cli_credits_new_registry (const char *provider_name)
{
  g_autoptr(EchoesProviderRegistry) registry = NULL;
  g_autoptr(EchoesAuth) auth = NULL;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (provider_name, ECHOES_RUNWAY_PROVIDER_NAME) != 0)
    return echoes_provider_registry_new ();

  if (!(auth = dup_session (&error)))
    g_debug ("No session for AI motion: %s", error->message);
  registry = echoes_provider_registry_new_with_auth (auth);
  /* With the user's own Runway key, no session is needed. */
  echoes_cli_runway_key_apply (registry);
  return g_steal_pointer (&registry);
}

static void
print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static int
credits_show (EchoesCreditsClient *credits,
              gboolean             json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ledger = NULL;
  g_autofree char *code = NULL;
  EchoesCliWait wait = { NULL };
  int balance = 0;
  gboolean ok;

  echoes_credits_client_get_balance_async (credits, NULL, echoes_cli_wait_cb, &wait);
  ok = echoes_credits_client_get_balance_finish (credits, echoes_cli_wait (&wait), &balance, &code, &error);
  g_clear_object (&wait.result);
  if (!ok)
    return fail_error (error);

  echoes_credits_client_list_ledger_async (credits, 0, NULL, echoes_cli_wait_cb, &wait);
  ledger = echoes_credits_client_list_ledger_finish (credits, echoes_cli_wait (&wait), &error);
  g_clear_object (&wait.result);
  if (ledger == NULL)
    return fail_error (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "balance");
      json_builder_add_int_value (builder, balance);
      json_builder_set_member_name (builder, "referral_code");
      json_builder_add_string_value (builder, code);
      json_builder_set_member_name (builder, "ledger");
      json_builder_begin_array (builder);
      for (guint i = 0; i < ledger->len; i++)
        {
          EchoesCreditEntry *entry = ledger->pdata[i];
          g_autofree char *date = g_date_time_format_iso8601 (entry->created_at);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "date");
          json_builder_add_string_value (builder, date);
          json_builder_set_member_name (builder, "kind");
          json_builder_add_string_value (builder, entry->kind);
          json_builder_set_member_name (builder, "amount");
          json_builder_add_int_value (builder, entry->amount);
          json_builder_set_member_name (builder, "clip");
          if (entry->clip_id != NULL)
            json_builder_add_string_value (builder, entry->clip_id);
          else
            json_builder_add_null_value (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      print_json (builder);
      return 0;
    }

  g_print (g_dngettext (GETTEXT_PACKAGE, "%d credit left\n", "%d credits left\n", balance), balance);
  for (guint i = 0; i < ledger->len; i++)
    {
      EchoesCreditEntry *entry = ledger->pdata[i];
      g_autoptr(GDateTime) local = g_date_time_to_local (entry->created_at);
      g_autofree char *date = g_date_time_format (local, "%Y-%m-%d %H:%M");

      g_print ("%s  %+4d  %s%s%s\n", date, entry->amount, echoes_credit_kind_describe (entry->kind),
               entry->clip_id != NULL ? "  " : "", entry->clip_id != NULL ? entry->clip_id : "");
    }
  return 0;
}

static int
credits_packs (EchoesCreditsClient *credits,
               gboolean             json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) packs = NULL;
  EchoesCliWait wait = { NULL };

  echoes_credits_client_list_packs_async (credits, NULL, echoes_cli_wait_cb, &wait);
  packs = echoes_credits_client_list_packs_finish (credits, echoes_cli_wait (&wait), &error);
  g_clear_object (&wait.result);
  if (packs == NULL)
    return fail_error (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < packs->len; i++)
        {
          EchoesCreditPack *pack = packs->pdata[i];

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, pack->id);
          json_builder_set_member_name (builder, "credits");
          json_builder_add_int_value (builder, pack->credits);
          json_builder_set_member_name (builder, "amount_cents");
          json_builder_add_int_value (builder, pack->amount_cents);
          json_builder_set_member_name (builder, "currency");
          json_builder_add_string_value (builder, pack->currency);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      print_json (builder);
      return 0;
    }

  for (guint i = 0; i < packs->len; i++)
    {
      EchoesCreditPack *pack = packs->pdata[i];
      g_autofree char *currency = g_ascii_strup (pack->currency, -1);

      /* TRANSLATORS: a credit pack: its id, how many credits, its price */
      g_print (_("%s: %d credits for %d.%02d %s\n"), pack->id, pack->credits,
               pack->amount_cents / 100, pack->amount_cents % 100, currency);
    }
  return 0;
}

/* The success and cancel pages of Checkout: settings; empty means the server's own. */
static char *
dup_setting (const char *key)
{
  g_autoptr(GSettings) settings = echoes_settings_new (key);

  return settings != NULL ? g_settings_get_string (settings, key) : NULL;
}

static int
credits_buy (EchoesCreditsClient *credits,
             const char          *pack,
             gboolean             json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *success = dup_setting ("checkout-success-url");
  g_autofree char *cancel = dup_setting ("checkout-cancel-url");
  g_autofree char *session = NULL;
  g_autofree char *url = NULL;
  EchoesCliWait wait = { NULL };

  echoes_credits_client_checkout_async (credits, pack, success, cancel, NULL, echoes_cli_wait_cb, &wait);
  url = echoes_credits_client_checkout_finish (credits, echoes_cli_wait (&wait), &session, &error);
  g_clear_object (&wait.result);
  if (url == NULL)
    return fail_error (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, url);
      json_builder_set_member_name (builder, "session_id");
      json_builder_add_string_value (builder, session);
      json_builder_set_member_name (builder, "pack");
      json_builder_add_string_value (builder, pack);
      json_builder_end_object (builder);
      print_json (builder);
      return 0;
    }

  g_printerr ("%s\n", _("Open this page to pay; the credits arrive once the payment is confirmed:"));
  g_print ("%s\n", url);
  return 0;
}

static int
credits_redeem (EchoesCreditsClient *credits,
                const char          *code,
                gboolean             json)
{
  g_autoptr(GError) error = NULL;
  EchoesCliWait wait = { NULL };
  int bonus = 0, balance = 0;
  gboolean ok;

  echoes_credits_client_redeem_async (credits, code, NULL, echoes_cli_wait_cb, &wait);
  ok = echoes_credits_client_redeem_finish (credits, echoes_cli_wait (&wait), &bonus, &balance, &error);
  g_clear_object (&wait.result);
  if (!ok)
    return fail_error (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "bonus");
      json_builder_add_int_value (builder, bonus);
      json_builder_set_member_name (builder, "balance");
      json_builder_add_int_value (builder, balance);
      json_builder_end_object (builder);
      print_json (builder);
      return 0;
    }

  g_print (g_dngettext (GETTEXT_PACKAGE, "Redeemed: %d credit added, %d left\n",
                        "Redeemed: %d credits added, %d left\n", bonus), bonus, balance);
  return 0;
}

static int
referral_show (EchoesCreditsClient *credits,
               gboolean             json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  EchoesCliWait wait = { NULL };
  gboolean ok;

  echoes_credits_client_get_balance_async (credits, NULL, echoes_cli_wait_cb, &wait);
  ok = echoes_credits_client_get_balance_finish (credits, echoes_cli_wait (&wait), NULL, &code, &error);
  g_clear_object (&wait.result);
  if (!ok)
    return fail_error (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "referral_code");
      json_builder_add_string_value (builder, code);
      json_builder_end_object (builder);
      print_json (builder);
    }
  else
    g_print ("%s\n", code);
  return 0;
}

/**
 * echoes_cli_credits:
 * @argc: arguments after the program name
 * @argv: "credits" or "referral", then the command's arguments
 */
int
echoes_cli_credits (int        argc,
                    char     **argv,
                    gboolean   json)
{
  g_autoptr(EchoesAuth) auth = NULL;
  g_autoptr(EchoesCreditsClient) credits = NULL;
  g_autoptr(GError) error = NULL;
  const char *group = argv[0];
  const char *command = argc > 1 ? argv[1] : NULL;
  gboolean referral = g_str_equal (group, "referral");

  if ((referral && argc != 1)
      || (!referral && !(argc == 1
                         || (argc == 2 && g_str_equal (command, "packs"))
                         || (argc == 3 && (g_str_equal (command, "buy") || g_str_equal (command, "redeem"))))))
    {
      g_printerr (_("Usage:\n%s"), echoes_cli_credits_usage ());
      return 2;
    }

  if (!(auth = dup_session (&error)))
    {
      if (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_NOT_SIGNED_IN))
        {
          g_printerr ("echoes-cli: %s\n", _("Sign in first: echoes-cli account login"));
          return 1;
        }
      return fail_error (error);
    }
  credits = echoes_credits_client_new (auth);

  if (referral)
    return referral_show (credits, json);
  if (command == NULL)
    return credits_show (credits, json);
  if (g_str_equal (command, "packs"))
    return credits_packs (credits, json);
  if (g_str_equal (command, "buy"))
    return credits_buy (credits, argv[2], json);
  return credits_redeem (credits, argv[2], json);
}
