/* echoes-credit-confirm.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-credit-confirm"

#include "config.h"

#include "echoes-credit-confirm.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "echoes-credits-client.h"
#include "echoes-generation-queue.h"

/* Before a clip is generated with the AI provider (which spends a credit on the account),
 * the user confirms: "This uses 1 credit — N left". With a local provider the clip is
 * queued at once. */

#define AI_PROVIDER "runway"

typedef struct
{
  GWeakRef       parent;
  EchoesContext *context;
  char          *clip_id;
} Confirm;

static void
confirm_free (Confirm *confirm)
{
  g_weak_ref_clear (&confirm->parent);
  g_clear_object (&confirm->context);
  g_free (confirm->clip_id);
  g_free (confirm);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Confirm, confirm_free)

static void
enqueue (EchoesContext *context,
         const char    *clip_id)
{
  echoes_generation_queue_enqueue_clip (echoes_context_get_queue (context), clip_id);
}

static void
response_cb (AdwMessageDialog *dialog,
             const char       *response,
             Confirm          *confirm)
{
  if (g_strcmp0 (response, "generate") == 0)
    enqueue (confirm->context, confirm->clip_id);
}

static void
balance_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Confirm) confirm = user_data;
  g_autoptr(GtkWidget) parent = g_weak_ref_get (&confirm->parent);
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  GtkRoot *root;
  GtkWidget *dialog;
  int balance = 0;

  if (parent == NULL || !(root = gtk_widget_get_root (parent)))
    return;

  if (echoes_credits_client_get_balance_finish (ECHOES_CREDITS_CLIENT (object), result, &balance, NULL, &error))
    /* TRANSLATORS: before generating an AI clip; %d is the credits the account has now */
    body = g_strdup_printf (ngettext ("This uses 1 credit — %d left.", "This uses 1 credit — %d left.", balance),
                            balance);
  else
    body = g_strdup_printf ("%s\n%s", _("This uses 1 credit."), echoes_credits_error_describe (error));

  dialog = adw_message_dialog_new (GTK_WINDOW (root), _("Generate With AI?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "generate", _("_Generate"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "generate",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "generate");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (response_cb),
                         g_steal_pointer (&confirm), (GClosureNotify) (void (*) (void)) confirm_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/**
 * echoes_credit_confirm_enqueue_clip:
 * @parent: the widget asking (its window is the dialog's parent)
 * @context: the context
 * @clip_id: the clip to generate
 *
 * Queues @clip_id for generation; with the AI provider, only once the user confirmed
 * spending a credit (the balance is read first, asynchronously).
 */
void
echoes_credit_confirm_enqueue_clip (GtkWidget     *parent,
                                    EchoesContext *context,
                                    const char    *clip_id)
{
  EchoesGenerationQueue *queue;
  EchoesAuth *auth;
  g_autoptr(EchoesCreditsClient) client = NULL;
  Confirm *confirm;

  g_return_if_fail (GTK_IS_WIDGET (parent));
  g_return_if_fail (ECHOES_IS_CONTEXT (context));
  g_return_if_fail (clip_id != NULL);

  queue = echoes_context_get_queue (context);
  auth = echoes_context_get_auth (context);
  /* A local provider costs nothing; signed out, the AI provider fails the clip with
   * "sign in" and spends nothing. */
  if (g_strcmp0 (echoes_video_provider_get_name (echoes_generation_queue_get_provider (queue)), AI_PROVIDER) != 0
      || auth == NULL || !echoes_auth_get_signed_in (auth))
    {
      enqueue (context, clip_id);
      return;
    }

  confirm = g_new0 (Confirm, 1);
  g_weak_ref_init (&confirm->parent, parent);
  confirm->context = g_object_ref (context);
  confirm->clip_id = g_strdup (clip_id);
  client = echoes_credits_client_new (auth);
  echoes_credits_client_get_balance_async (client, NULL, balance_cb, confirm);
}
