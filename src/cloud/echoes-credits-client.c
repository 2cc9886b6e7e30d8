/* echoes-credits-client.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-credits-client"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "echoes-credits-client.h"

#include "echoes-cloud-error.h"
#include "echoes-functions-client.h"
#include "echoes-rest-client.h"

struct _EchoesCreditsClient
{
  GObject                parent_instance;

  EchoesAuth            *auth;
  EchoesRestClient      *rest;
  EchoesFunctionsClient *functions;
};

G_DEFINE_FINAL_TYPE (EchoesCreditsClient, echoes_credits_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (echoes-credits-error-quark, echoes_credits_error)

/**
 * echoes_credits_error_describe:
 * @error: an error of this client
 *
 * Returns: the translated sentence for the user (echoes_cloud_error_describe() for
 *   errors of other domains)
 */
const char *
echoes_credits_error_describe (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != ECHOES_CREDITS_ERROR)
    return echoes_cloud_error_describe (error);

  switch ((EchoesCreditsError) error->code)
    {
    case ECHOES_CREDITS_ERROR_INVALID_CODE:
      return _("This referral code does not exist; check it and try again.");
    case ECHOES_CREDITS_ERROR_OWN_CODE:
      return _("This is your own referral code: share it with friends instead.");
    case ECHOES_CREDITS_ERROR_ALREADY_REDEEMED:
      return _("You already redeemed a referral code.");
    case ECHOES_CREDITS_ERROR_REFERRED_YOU:
      return _("You cannot redeem the code of someone you referred.");
    case ECHOES_CREDITS_ERROR_UNKNOWN_PACK:
      return _("This credit pack is not on sale.");
    case ECHOES_CREDITS_ERROR_REDIRECT_REFUSED:
      return _("The account server does not accept the page set to open after paying or cancelling; "
               "check the checkout pages in the settings, or leave them empty.");
    default:
      return error->message;
    }
}

/**
 * echoes_credit_kind_describe:
 * @kind: a ledger type
 *
 * Returns: its translated name, for the Credits page and `echoes-cli credits`
 */
const char *
echoes_credit_kind_describe (const char *kind)
{
  if (g_strcmp0 (kind, "signup_bonus") == 0)
    return _("Welcome credit");
  if (g_strcmp0 (kind, "purchase") == 0)
    return _("Purchase");
  if (g_strcmp0 (kind, "referral_bonus") == 0)
    return _("Referral bonus");
  if (g_strcmp0 (kind, "generation_reserve") == 0)
    return _("AI clip");
  if (g_strcmp0 (kind, "generation_release") == 0)
    return _("Refund of a failed AI clip");
  if (g_strcmp0 (kind, "purchase_refund") == 0)
    return _("Purchase refunded");
  if (g_strcmp0 (kind, "adjustment") == 0)
    return _("Adjustment");
  return kind;
}

void
echoes_credit_entry_free (EchoesCreditEntry *entry)
{
  if (entry == NULL)
    return;
  g_clear_pointer (&entry->created_at, g_date_time_unref);
  g_free (entry->kind);
  g_free (entry->clip_id);
  g_free (entry);
}

void
echoes_credit_pack_free (EchoesCreditPack *pack)
{
  if (pack == NULL)
    return;
  g_free (pack->id);
  g_free (pack->name);
  g_free (pack->currency);
  g_free (pack);
}

static void
echoes_credits_client_finalize (GObject *object)
{
  EchoesCreditsClient *self = ECHOES_CREDITS_CLIENT (object);

  g_clear_object (&self->rest);
  g_clear_object (&self->functions);
  g_clear_object (&self->auth);

  G_OBJECT_CLASS (echoes_credits_client_parent_class)->finalize (object);
}

static void
echoes_credits_client_class_init (EchoesCreditsClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = echoes_credits_client_finalize;
}

static void
echoes_credits_client_init (EchoesCreditsClient *self)
{
}

/**
 * echoes_credits_client_new:
 * @auth: the session
 *
 * Returns: (transfer full): a new #EchoesCreditsClient
 */
EchoesCreditsClient *
echoes_credits_client_new (EchoesAuth *auth)
{
  EchoesCreditsClient *self;

  g_return_val_if_fail (ECHOES_IS_AUTH (auth), NULL);

  self = g_object_new (ECHOES_TYPE_CREDITS_CLIENT, NULL);
  self->auth = g_object_ref (auth);
  self->rest = echoes_rest_client_new (auth);
  self->functions = echoes_functions_client_new (auth);
  return self;
}

static gboolean
require_session (EchoesCreditsClient *self,
                 GTask               *task)
{
  if (echoes_auth_get_signed_in (self->auth))
    return TRUE;
  g_task_return_new_error (task, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_NOT_SIGNED_IN,
                           "Not signed in");
  return FALSE;
}

static GError *
bad_response (const char *what)
{
  return g_error_new (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_BAD_RESPONSE,
                      "Malformed answer for %s", what);
}

/* ---- balance ---- */

typedef struct
{
  int   balance;
  char *referral_code;
} Balance;

static void
balance_free (Balance *b)
{
  g_free (b->referral_code);
  g_free (b);
}

static void
balance_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;
  JsonArray *rows;
  JsonObject *row;
  Balance *b;

  if (!(node = echoes_rest_client_select_finish (ECHOES_REST_CLIENT (object), result, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (rows = json_node_get_array (node)) != 1
      || !JSON_NODE_HOLDS_OBJECT (json_array_get_element (rows, 0)))
    {
      g_task_return_error (task, bad_response ("user_profiles"));
      return;
    }

  row = json_array_get_object_element (rows, 0);
  b = g_new0 (Balance, 1);
  b->balance = (int) json_object_get_int_member_with_default (row, "credit_balance", 0);
  b->referral_code = g_strdup (json_object_get_string_member_with_default (row, "referral_code", NULL));
  g_task_return_pointer (task, b, (GDestroyNotify) balance_free);
}

/**
 * echoes_credits_client_get_balance_async:
 *
 * Reads the account's credit balance and referral code.
 */
void
echoes_credits_client_get_balance_async (EchoesCreditsClient *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *params[] = { "select", "credit_balance,referral_code", "id", NULL, NULL };
  g_autofree char *eq = NULL;

  g_return_if_fail (ECHOES_IS_CREDITS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_credits_client_get_balance_async);
  if (!require_session (self, task))
    return;

  eq = g_strconcat ("eq.", echoes_auth_get_user_id (self->auth), NULL);
  params[3] = eq;
  echoes_rest_client_select_async (self->rest, "user_profiles", params, cancellable, balance_cb,
                                   g_steal_pointer (&task));
}

/**
 * echoes_credits_client_get_balance_finish:
 * @balance: (out) (optional): the credits left
 * @referral_code: (out) (optional) (transfer full): the account's referral code
 */
gboolean
echoes_credits_client_get_balance_finish (EchoesCreditsClient  *self,
                                          GAsyncResult         *result,
                                          int                  *balance,
                                          char                **referral_code,
                                          GError              **error)
{
  Balance *b;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!(b = g_task_propagate_pointer (G_TASK (result), error)))
    return FALSE;
  if (balance != NULL)
    *balance = b->balance;
  if (referral_code != NULL)
    *referral_code = g_steal_pointer (&b->referral_code);
  balance_free (b);
  return TRUE;
}

/* ---- ledger ---- */

static void
reservations_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GPtrArray *entries = g_task_get_task_data (task);
  GPtrArray *refs = g_object_get_data (G_OBJECT (task), "refs");
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GHashTable) clips = g_hash_table_new (g_str_hash, g_str_equal);
  GError *error = NULL;

  if (!(node = echoes_rest_client_select_finish (ECHOES_REST_CLIENT (object), result, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *rows = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (rows); i++)
        {
          JsonObject *row = json_array_get_object_element (rows, i);
          const char *id, *clip;

          if (row == NULL)
            continue;
          id = json_object_get_string_member_with_default (row, "id", NULL);
          clip = json_object_get_string_member_with_default (row, "clip_id", NULL);
          if (id != NULL && clip != NULL)
            g_hash_table_insert (clips, (char *) id, (char *) clip);
        }
    }

  for (guint i = 0; i < entries->len; i++)
    {
      EchoesCreditEntry *entry = entries->pdata[i];
      const char *ref = refs->pdata[i];

      if (ref != NULL && g_hash_table_contains (clips, ref))
        entry->clip_id = g_strdup (g_hash_table_lookup (clips, ref));
    }

  g_task_return_pointer (task, g_ptr_array_ref (entries), (GDestroyNotify) g_ptr_array_unref);
}

static void
ledger_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EchoesCreditsClient *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) echoes_credit_entry_free);
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) ids = g_string_new ("in.(");
  GError *error = NULL;
  JsonArray *rows;
  GCancellable *cancellable;
  guint n_generation = 0;

  if (!(node = echoes_rest_client_select_finish (ECHOES_REST_CLIENT (object), result, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_task_return_error (task, bad_response ("credit_transactions"));
      return;
    }

  rows = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      EchoesCreditEntry *entry;
      const char *kind, *ref, *date;

      if (row == NULL)
        continue;
      kind = json_object_get_string_member_with_default (row, "type", NULL);
      ref = json_object_get_string_member_with_default (row, "reference_id", NULL);
      date = json_object_get_string_member_with_default (row, "created_at", NULL);
      if (kind == NULL || date == NULL)
        continue;

      entry = g_new0 (EchoesCreditEntry, 1);
      entry->kind = g_strdup (kind);
      entry->amount = (int) json_object_get_int_member_with_default (row, "amount", 0);
      entry->created_at = g_date_time_new_from_iso8601 (date, NULL);
      if (entry->created_at == NULL)
        entry->created_at = g_date_time_new_from_unix_utc (0);
      g_ptr_array_add (entries, entry);

      if (g_str_has_prefix (kind, "generation_") && ref != NULL
          && strspn (ref, "0123456789abcdefABCDEF-") == strlen (ref))
        {
          g_string_append_printf (ids, "%s%s", n_generation++ ? "," : "", ref);
          g_ptr_array_add (refs, g_strdup (ref));
        }
      else
        g_ptr_array_add (refs, NULL);
    }

  if (n_generation == 0)
    {
      g_task_return_pointer (task, g_steal_pointer (&entries), (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  g_string_append_c (ids, ')');
  cancellable = g_task_get_cancellable (task);
  g_task_set_task_data (task, g_steal_pointer (&entries), (GDestroyNotify) g_ptr_array_unref);
  g_object_set_data_full (G_OBJECT (task), "refs", g_steal_pointer (&refs),
                          (GDestroyNotify) g_ptr_array_unref);
  echoes_rest_client_select_async (self->rest, "generation_reservations",
                                   (const char *[]) { "select", "id,clip_id", "id", ids->str, NULL },
                                   cancellable, reservations_cb,
                                   g_steal_pointer (&task));
}

/**
 * echoes_credits_client_list_ledger_async:
 * @limit: at most this many rows (0: 100)
 *
 * Reads the ledger, newest first.
 */
void
echoes_credits_client_list_ledger_async (EchoesCreditsClient *self,
                                         guint                limit,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *limit_str = g_strdup_printf ("%u", limit > 0 ? limit : 100);

  g_return_if_fail (ECHOES_IS_CREDITS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_credits_client_list_ledger_async);
  if (!require_session (self, task))
    return;

  echoes_rest_client_select_async (self->rest, "credit_transactions",
                                   (const char *[]) { "select", "amount,type,reference_id,created_at",
                                                      "order", "created_at.desc,id.desc",
                                                      "limit", limit_str, NULL },
                                   cancellable, ledger_cb, g_steal_pointer (&task));
}

/**
 * echoes_credits_client_list_ledger_finish:
 *
 * Returns: (transfer full) (element-type EchoesCreditEntry): the rows, newest first
 */
GPtrArray *
echoes_credits_client_list_ledger_finish (EchoesCreditsClient  *self,
                                          GAsyncResult         *result,
                                          GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- packs ---- */

static void
packs_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) packs = g_ptr_array_new_with_free_func ((GDestroyNotify) echoes_credit_pack_free);
  GError *error = NULL;
  JsonArray *list;

  if (!(node = echoes_http_send_json_finish (ECHOES_HTTP (object), result, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node)
      || !json_object_has_member (json_node_get_object (node), "packs")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (node), "packs"))
      || !(list = json_object_get_array_member (json_node_get_object (node), "packs")))
    {
      g_task_return_error (task, bad_response ("create-checkout"));
      return;
    }

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *o = json_array_get_object_element (list, i);
      EchoesCreditPack *pack;

      if (o == NULL || json_object_get_string_member_with_default (o, "id", NULL) == NULL)
        continue;
      pack = g_new0 (EchoesCreditPack, 1);
      pack->id = g_strdup (json_object_get_string_member (o, "id"));
      pack->name = g_strdup (json_object_get_string_member_with_default (o, "name", pack->id));
      pack->credits = (int) json_object_get_int_member_with_default (o, "credits", 0);
      pack->amount_cents = (int) json_object_get_int_member_with_default (o, "amountCents", 0);
      pack->currency = g_strdup (json_object_get_string_member_with_default (o, "currency", "usd"));
      g_ptr_array_add (packs, pack);
    }

  g_task_return_pointer (task, g_steal_pointer (&packs), (GDestroyNotify) g_ptr_array_unref);
}

/**
 * echoes_credits_client_list_packs_async:
 *
 * Reads the credit packs on sale (`GET /functions/v1/create-checkout`).
 */
void
echoes_credits_client_list_packs_async (EchoesCreditsClient *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ECHOES_IS_CREDITS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_credits_client_list_packs_async);
  echoes_http_send_json_async (echoes_cloud_client_get_http (ECHOES_CLOUD_CLIENT (self->functions)), "GET",
                               "/functions/v1/create-checkout", NULL, NULL, ECHOES_HTTP_FLAGS_NONE,
                               cancellable, packs_cb, g_steal_pointer (&task));
}

/**
 * echoes_credits_client_list_packs_finish:
 *
 * Returns: (transfer full) (element-type EchoesCreditPack): the packs
 */
GPtrArray *
echoes_credits_client_list_packs_finish (EchoesCreditsClient  *self,
                                         GAsyncResult         *result,
                                         GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- checkout ---- */

static void
checkout_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;
  JsonObject *answer;
  const char *url, *session;

  if (!(node = echoes_functions_client_invoke_finish (ECHOES_FUNCTIONS_CLIENT (object), result, &error)))
    {
      if (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_INVALID_REQUEST)
          && strstr (error->message, "invalid_redirect_url") != NULL)
        {
          g_task_return_new_error (task, ECHOES_CREDITS_ERROR, ECHOES_CREDITS_ERROR_REDIRECT_REFUSED,
                                   "%s", error->message);
          g_error_free (error);
          return;
        }
      if (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_INVALID_REQUEST)
          && strstr (error->message, "pack") != NULL)
        {
          g_task_return_new_error (task, ECHOES_CREDITS_ERROR, ECHOES_CREDITS_ERROR_UNKNOWN_PACK,
                                   "%s", error->message);
          g_error_free (error);
          return;
        }
      g_task_return_error (task, error);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node)
      || !(url = json_object_get_string_member_with_default (answer = json_node_get_object (node), "url", NULL))
      || !(g_str_has_prefix (url, "https://") || g_str_has_prefix (url, "http://127.0.0.1")))
    {
      g_task_return_error (task, bad_response ("create-checkout"));
      return;
    }

  session = json_object_get_string_member_with_default (answer, "session_id", NULL);
  g_object_set_data_full (G_OBJECT (task), "session", g_strdup (session), g_free);
  g_task_return_pointer (task, g_strdup (url), g_free);
}

/**
 * echoes_credits_client_checkout_async:
 * @pack_id: a pack (see echoes_credits_client_list_packs_async())
 * @success_url: (nullable): where Checkout goes once paid (`{CHECKOUT_SESSION_ID}` is
 *   replaced by Stripe); %NULL or empty: the server's page
 * @cancel_url: (nullable): where Checkout goes when cancelled; %NULL or empty: the server's
 *
 * Creates a Stripe Checkout Session (`create-checkout`). Credits arrive through the
 * server's webhook: watch the balance. The server takes @success_url and @cancel_url only
 * when its allow-list does (supabase/functions/_shared/redirects.ts), else the call fails
 * with %ECHOES_CREDITS_ERROR_REDIRECT_REFUSED.
 */
void
echoes_credits_client_checkout_async (EchoesCreditsClient *self,
                                      const char          *pack_id,
                                      const char          *success_url,
                                      const char          *cancel_url,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (ECHOES_IS_CREDITS_CLIENT (self));
  g_return_if_fail (pack_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_credits_client_checkout_async);
  if (!require_session (self, task))
    return;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "pack_id");
  json_builder_add_string_value (builder, pack_id);
  if (success_url != NULL && *success_url != '\0')
    {
      json_builder_set_member_name (builder, "success_url");
      json_builder_add_string_value (builder, success_url);
    }
  if (cancel_url != NULL && *cancel_url != '\0')
    {
      json_builder_set_member_name (builder, "cancel_url");
      json_builder_add_string_value (builder, cancel_url);
    }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  echoes_functions_client_invoke_async (self->functions, "create-checkout", body, cancellable,
                                        checkout_cb, g_steal_pointer (&task));
}

/**
 * echoes_credits_client_checkout_finish:
 * @session_id: (out) (optional) (transfer full): the Checkout Session's id
 *
 * Returns: (transfer full): the Checkout page to open in the browser (a secret-free URL)
 */
char *
echoes_credits_client_checkout_finish (EchoesCreditsClient  *self,
                                       GAsyncResult         *result,
                                       char                **session_id,
                                       GError              **error)
{
  char *url;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if ((url = g_task_propagate_pointer (G_TASK (result), error)) && session_id != NULL)
    *session_id = g_strdup (g_object_get_data (G_OBJECT (result), "session"));
  return url;
}

/* ---- referral ---- */

static void
redeem_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;
  JsonObject *answer;
  int *out;

  if (!(node = echoes_rest_client_rpc_finish (ECHOES_REST_CLIENT (object), result, &error)))
    {
      EchoesCreditsError code = ECHOES_CREDITS_ERROR_INVALID_CODE;

      if (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_CONFLICT))
        {
          if (strstr (error->message, "own") != NULL)
            code = ECHOES_CREDITS_ERROR_OWN_CODE;
          else if (strstr (error->message, "referred") != NULL)
            code = ECHOES_CREDITS_ERROR_REFERRED_YOU;
          else
            code = ECHOES_CREDITS_ERROR_ALREADY_REDEEMED;
        }
      else if (!g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_NOT_FOUND))
        {
          g_task_return_error (task, error);
          return;
        }
      g_task_return_new_error (task, ECHOES_CREDITS_ERROR, code, "%s", error->message);
      g_error_free (error);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_task_return_error (task, bad_response ("redeem_referral"));
      return;
    }

  answer = json_node_get_object (node);
  out = g_new0 (int, 2);
  out[0] = (int) json_object_get_int_member_with_default (answer, "bonus", 0);
  out[1] = (int) json_object_get_int_member_with_default (answer, "credit_balance", 0);
  g_task_return_pointer (task, out, g_free);
}

/**
 * echoes_credits_client_redeem_async:
 * @code: a friend's referral code (spaces and case are forgiven)
 *
 * Redeems a referral code once per account.
 */
void
echoes_credits_client_redeem_async (EchoesCreditsClient *self,
                                    const char          *code,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) args = NULL;
  g_autoptr(GString) clean = g_string_new (NULL);

  g_return_if_fail (ECHOES_IS_CREDITS_CLIENT (self));
  g_return_if_fail (code != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_credits_client_redeem_async);
  if (!require_session (self, task))
    return;

  for (const char *p = code; *p; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (clean, g_ascii_toupper (*p));
  if (clean->len == 0 || clean->len > 32)
    {
      g_task_return_new_error (task, ECHOES_CREDITS_ERROR, ECHOES_CREDITS_ERROR_INVALID_CODE,
                               "Malformed referral code");
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "p_code");
  json_builder_add_string_value (builder, clean->str);
  json_builder_end_object (builder);
  args = json_builder_get_root (builder);
  echoes_rest_client_rpc_async (self->rest, "redeem_referral", args, cancellable, redeem_cb,
                                g_steal_pointer (&task));
}

/**
 * echoes_credits_client_redeem_finish:
 * @bonus: (out) (optional): credits received
 * @balance: (out) (optional): the balance after
 * @error: %ECHOES_CREDITS_ERROR_INVALID_CODE, _OWN_CODE, _ALREADY_REDEEMED, _REFERRED_YOU, …
 */
gboolean
echoes_credits_client_redeem_finish (EchoesCreditsClient  *self,
                                     GAsyncResult         *result,
                                     int                  *bonus,
                                     int                  *balance,
                                     GError              **error)
{
  g_autofree int *out = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!(out = g_task_propagate_pointer (G_TASK (result), error)))
    return FALSE;
  if (bonus != NULL)
    *bonus = out[0];
  if (balance != NULL)
    *balance = out[1];
  return TRUE;
}
