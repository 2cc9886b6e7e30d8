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

/* Before clips are generated with an AI provider (which spends a credit on the account),
 * the user confirms: "This uses 1 credit — N left". Only the clips that will use an AI
 * provider (their own choice, else their project's, else the app's) count; without any
 * the clips are queued at once. */

typedef struct
{
  GWeakRef       parent;
  EchoesContext *context;
  char          *clip_id;     /* (nullable) one clip… */
  char          *project_id;  /* (nullable) …or a project's pending and failed clips */
  guint          n_credits;
} Confirm;

static void
confirm_free (Confirm *confirm)
{
  g_weak_ref_clear (&confirm->parent);
  g_clear_object (&confirm->context);
  g_free (confirm->clip_id);
  g_free (confirm->project_id);
  g_free (confirm);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Confirm, confirm_free)

static void
enqueue (Confirm *confirm)
{
  EchoesGenerationQueue *queue = echoes_context_get_queue (confirm->context);

  if (confirm->clip_id != NULL)
    echoes_generation_queue_enqueue_clip (queue, confirm->clip_id);
  else
    echoes_generation_queue_enqueue_project (queue, confirm->project_id);
}

static void
response_cb (AdwMessageDialog *dialog,
             const char       *response,
             Confirm          *confirm)
{
  if (g_strcmp0 (response, "generate") == 0)
    enqueue (confirm);
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
    {
      /* TRANSLATORS: before generating AI clips; %d is the credits the account has now */
      g_autofree char *left = g_strdup_printf (ngettext ("%d left", "%d left", balance), balance);

      /* TRANSLATORS: "This uses 1 credit — 3 left." */
      body = g_strdup_printf (ngettext ("This uses %u credit — %s.", "This uses up to %u credits — %s.",
                                        confirm->n_credits),
                              confirm->n_credits, left);
    }
  else
    body = g_strdup_printf ("%s\n%s",
                            confirm->n_credits == 1 ? _("This uses 1 credit.") : _("This uses a credit per clip."),
                            echoes_credits_error_describe (error));

  dialog = adw_message_dialog_new (GTK_WINDOW (root),
                                   confirm->n_credits == 1 ? _("Generate With AI?") : _("Generate All With AI?"),
                                   body);
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

/* Takes @confirm. */
static void
confirm_then_enqueue (GtkWidget *parent,
                      Confirm   *confirm)
{
  EchoesAuth *auth = echoes_context_get_auth (confirm->context);
  g_autoptr(EchoesCreditsClient) client = NULL;

  /* A local provider costs nothing; with the user's own Runway key, AI clips cost no
   * credit either; signed out, the AI provider fails the clip with "sign in" and spends
   * nothing. */
  if (confirm->n_credits == 0
      || echoes_context_get_has_runway_key (confirm->context)
      || auth == NULL || !echoes_auth_get_signed_in (auth))
    {
      enqueue (confirm);
      confirm_free (confirm);
      return;
    }

  g_weak_ref_set (&confirm->parent, parent);
  client = echoes_credits_client_new (auth);
  echoes_credits_client_get_balance_async (client, NULL, balance_cb, confirm);
}

/* Whether the clip (as the library shows it) will be made by an AI provider. */
static gboolean
clip_uses_ai (EchoesContext *context,
              const char    *clip_id)
{
  EchoesClip *clip = echoes_library_find_clip (echoes_context_get_library (context), clip_id);

  if (clip != NULL)
    return echoes_provider_name_is_ai (echoes_context_choose_provider (context, clip));

  /* Not shown anywhere: as the app's setting says. */
  return echoes_provider_name_is_ai (echoes_video_provider_get_name (
    echoes_generation_queue_get_provider (echoes_context_get_queue (context))));
}

static Confirm *
confirm_new (EchoesContext *context)
{
  Confirm *confirm = g_new0 (Confirm, 1);

  g_weak_ref_init (&confirm->parent, NULL);
  confirm->context = g_object_ref (context);
  return confirm;
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
  Confirm *confirm;

  g_return_if_fail (GTK_IS_WIDGET (parent));
  g_return_if_fail (ECHOES_IS_CONTEXT (context));
  g_return_if_fail (clip_id != NULL);

  confirm = confirm_new (context);
  confirm->clip_id = g_strdup (clip_id);
  confirm->n_credits = clip_uses_ai (context, clip_id) ? 1 : 0;
  confirm_then_enqueue (parent, confirm);
}

/**
 * echoes_credit_confirm_enqueue_project:
 * @parent: the widget asking
 * @context: the context
 * @project_id: the project
 * @clips: (nullable): its clips (#EchoesClip), to count the pending and failed ones
 *
 * Queues the project's pending and failed clips; with the AI provider, only once the
 * user confirmed spending up to a credit per clip.
 */
void
echoes_credit_confirm_enqueue_project (GtkWidget     *parent,
                                       EchoesContext *context,
                                       const char    *project_id,
                                       GListModel    *clips)
{
  Confirm *confirm;

  g_return_if_fail (GTK_IS_WIDGET (parent));
  g_return_if_fail (ECHOES_IS_CONTEXT (context));
  g_return_if_fail (project_id != NULL);

  confirm = confirm_new (context);
  confirm->project_id = g_strdup (project_id);
  for (guint i = 0; clips != NULL && i < g_list_model_get_n_items (clips); i++)
    {
      g_autoptr(EchoesClip) clip = g_list_model_get_item (clips, i);
      EchoesClipStatus status = echoes_clip_get_status (clip);

      if ((status == ECHOES_CLIP_STATUS_PENDING || status == ECHOES_CLIP_STATUS_FAILED) &&
          echoes_provider_name_is_ai (echoes_context_choose_provider (context, clip)))
        confirm->n_credits++;
    }
  confirm_then_enqueue (parent, confirm);
}
