/* echoes-credits-client.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-auth.h"

/* EchoesCreditsClient: the account's credits on the server (supabase/README.md):
 * balance and referral code (`user_profiles`), the ledger (`credit_transactions`, with the
 * clip of generation rows from `generation_reservations`), the packs and Stripe Checkout
 * (`create-checkout`), and referrals (`redeem_referral`). Errors: %ECHOES_CLOUD_ERROR, and
 * %ECHOES_CREDITS_ERROR for a refused referral code or an unknown pack. */

G_BEGIN_DECLS

#define ECHOES_CREDITS_ERROR (echoes_credits_error_quark ())

/**
 * EchoesCreditsError:
 * @ECHOES_CREDITS_ERROR_INVALID_CODE: no account has this referral code
 * @ECHOES_CREDITS_ERROR_OWN_CODE: the code is the account's own
 * @ECHOES_CREDITS_ERROR_ALREADY_REDEEMED: the account already redeemed a code
 * @ECHOES_CREDITS_ERROR_REFERRED_YOU: the code belongs to someone this account referred
 * @ECHOES_CREDITS_ERROR_UNKNOWN_PACK: the server has no such credit pack
 * @ECHOES_CREDITS_ERROR_REDIRECT_REFUSED: the server's allow-list refused the success or
 *   cancel page given for Checkout (`invalid_redirect_url`)
 */
typedef enum
{
  ECHOES_CREDITS_ERROR_INVALID_CODE,
  ECHOES_CREDITS_ERROR_OWN_CODE,
  ECHOES_CREDITS_ERROR_ALREADY_REDEEMED,
  ECHOES_CREDITS_ERROR_REFERRED_YOU,
  ECHOES_CREDITS_ERROR_UNKNOWN_PACK,
  ECHOES_CREDITS_ERROR_REDIRECT_REFUSED,
} EchoesCreditsError;

/**
 * EchoesCreditEntry:
 * @created_at: when (UTC)
 * @kind: the ledger type: "signup_bonus", "purchase", "referral_bonus",
 *   "generation_reserve" (a spend), "generation_release" (a refund), "purchase_refund",
 *   "adjustment"
 * @amount: credits, negative for a spend
 * @clip_id: (nullable): the clip of a generation row
 *
 * One row of the ledger, newest first.
 */
typedef struct
{
  GDateTime *created_at;
  char      *kind;
  int        amount;
  char      *clip_id;
} EchoesCreditEntry;

/**
 * EchoesCreditPack:
 * @id: what to buy with ("pack_10")
 * @name: its name, from the server
 * @credits: how many credits
 * @amount_cents: the price, in cents of @currency
 * @currency: "usd", …
 */
typedef struct
{
  char *id;
  char *name;
  int   credits;
  int   amount_cents;
  char *currency;
} EchoesCreditPack;

void echoes_credit_entry_free (EchoesCreditEntry *entry);
void echoes_credit_pack_free  (EchoesCreditPack  *pack);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EchoesCreditEntry, echoes_credit_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EchoesCreditPack, echoes_credit_pack_free)

#define ECHOES_TYPE_CREDITS_CLIENT (echoes_credits_client_get_type())

G_DECLARE_FINAL_TYPE (EchoesCreditsClient, echoes_credits_client, ECHOES, CREDITS_CLIENT, GObject)

GQuark               echoes_credits_error_quark             (void);
const char          *echoes_credits_error_describe          (const GError         *error);
const char          *echoes_credit_kind_describe            (const char           *kind);

EchoesCreditsClient *echoes_credits_client_new              (EchoesAuth           *auth);
void                 echoes_credits_client_get_balance_async  (EchoesCreditsClient  *self,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
gboolean             echoes_credits_client_get_balance_finish (EchoesCreditsClient  *self,
                                                               GAsyncResult         *result,
                                                               int                  *balance,
                                                               char                **referral_code,
                                                               GError              **error);
void                 echoes_credits_client_list_ledger_async  (EchoesCreditsClient  *self,
                                                               guint                 limit,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
GPtrArray           *echoes_credits_client_list_ledger_finish (EchoesCreditsClient  *self,
                                                               GAsyncResult         *result,
                                                               GError              **error);
void                 echoes_credits_client_list_packs_async   (EchoesCreditsClient  *self,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
GPtrArray           *echoes_credits_client_list_packs_finish  (EchoesCreditsClient  *self,
                                                               GAsyncResult         *result,
                                                               GError              **error);
void                 echoes_credits_client_checkout_async     (EchoesCreditsClient  *self,
                                                               const char           *pack_id,
                                                               const char           *success_url,
                                                               const char           *cancel_url,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
char                *echoes_credits_client_checkout_finish    (EchoesCreditsClient  *self,
                                                               GAsyncResult         *result,
                                                               char                **session_id,
                                                               GError              **error);
void                 echoes_credits_client_redeem_async       (EchoesCreditsClient  *self,
                                                               const char           *code,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
gboolean             echoes_credits_client_redeem_finish      (EchoesCreditsClient  *self,
                                                               GAsyncResult         *result,
                                                               int                  *bonus,
                                                               int                  *balance,
                                                               GError              **error);

G_END_DECLS
