/* echoes-window-sync.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-window"

#include "config.h"

#include <glib/gi18n.h>

#include "echoes-window-private.h"

/* Sync as the window shows it: the quiet indicator at the bottom of the sidebar (driven
 * by the engine's state, no polling), a sync error once as a toast with Retry, the first
 * sign-in's question, Keep in My Account, and a sync when the window gets the focus. */

/* Focus comes and goes often (dialogs, other apps): sync on it at most this often. */
#define FOCUS_SYNC_INTERVAL (30 * G_TIME_SPAN_SECOND)

/* The sentence a sync error shows (the sync layer's messages are for logs). */
static const char *
describe_sync_error (const GError *error)
{
  if (error->domain == ECHOES_SYNC_ERROR)
    switch ((EchoesSyncError)error->code)
      {
      case ECHOES_SYNC_ERROR_OFFLINE:
      case ECHOES_SYNC_ERROR_NETWORK:
        return _("Could not reach your account: changes wait on this computer");
      case ECHOES_SYNC_ERROR_NOT_SIGNED_IN:
        return _("Your session ended: sign in again to sync");
      case ECHOES_SYNC_ERROR_OTHER_ACCOUNT:
        return _("The synced projects on this computer belong to another account");
      case ECHOES_SYNC_ERROR_BAD_RESPONSE:
      case ECHOES_SYNC_ERROR_NOT_FOUND:
      case ECHOES_SYNC_ERROR_UPLOAD_EXPIRED:
      case ECHOES_SYNC_ERROR_FAILED:
      default:
        break;
      }
  else if (error->domain == ECHOES_STORE_ERROR)
    return _echoes_window_describe_error (error);

  return _("Sync failed: your changes are kept on this computer");
}

/* Indicator */

static void
update_indicator (EchoesWindow *self)
{
  EchoesSyncState state;
  const char *icon = NULL;
  const char *text = NULL;

  gtk_widget_set_visible (self->sync_box, self->sync_engine != NULL);
  if (self->sync_engine == NULL)
    {
      gtk_spinner_stop (self->sync_spinner);
      return;
    }

  state = echoes_sync_engine_get_state (self->sync_engine);
  switch (state)
    {
    case ECHOES_SYNC_STATE_OFFLINE:
      icon = "network-offline-symbolic";
      text = _("Offline");
      break;
    case ECHOES_SYNC_STATE_SYNCING:
      text = _("Syncing…");
      break;
    case ECHOES_SYNC_STATE_ERROR:
      icon = "dialog-warning-symbolic";
      text = _("Not synced");
      break;
    case ECHOES_SYNC_STATE_IDLE:
    default:
      icon = "emblem-ok-symbolic";
      text = _("Synced");
      break;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->sync_spinner), state == ECHOES_SYNC_STATE_SYNCING);
  gtk_spinner_set_spinning (self->sync_spinner, state == ECHOES_SYNC_STATE_SYNCING);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_icon), icon != NULL);
  if (icon != NULL)
    gtk_image_set_from_icon_name (self->sync_icon, icon);
  gtk_label_set_label (self->sync_label, text);
  gtk_widget_set_tooltip_text (self->sync_box, text);
}

/* Errors: once each, with Retry */

static void
sync_toast_dismissed_cb (AdwToast     *toast,
                         EchoesWindow *self)
{
  if (self->sync_toast == toast)
    self->sync_toast = NULL;
}

static void
last_error_cb (EchoesWindow *self)
{
  const GError *error = self->sync_engine ? echoes_sync_engine_get_last_error (self->sync_engine)
                                          : NULL;
  AdwToast *toast;

  if (error == NULL)
    {
      /* Synced again: the error is history. */
      if (self->sync_toast != NULL)
        adw_toast_dismiss (self->sync_toast);
      return;
    }

  g_message ("Sync failed: %s", error->message);
  if (self->sync_toast != NULL)
    adw_toast_dismiss (self->sync_toast);

  toast = _echoes_window_toast_new_escaped (describe_sync_error (error));
  adw_toast_set_button_label (toast, _("_Retry"));
  adw_toast_set_action_name (toast, "win.retry-sync");
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (sync_toast_dismissed_cb), self, 0);
  self->sync_toast = toast;
  self->n_sync_toasts++;
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
retry_sync_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);

  if (self->sync_engine != NULL)
    echoes_sync_engine_sync_now (self->sync_engine);
}

/* Focus */

static void
is_active_cb (EchoesWindow *self)
{
  gint64 now = g_get_monotonic_time ();

  if (self->sync_engine == NULL || !gtk_window_is_active (GTK_WINDOW (self)))
    return;
  if (self->focus_synced_at != 0 && now - self->focus_synced_at < FOCUS_SYNC_INTERVAL)
    return;

  self->focus_synced_at = now;
  echoes_sync_engine_sync_now (self->sync_engine);
}

/* The first sign-in's question (asked by one window only) */

#define FIRST_SIGN_IN_DIALOG_KEY "echoes-first-sign-in-dialog"

static void
first_sign_in_dialog_gone_cb (gpointer  context,
                              GObject  *dialog)
{
  g_object_set_data (context, FIRST_SIGN_IN_DIALOG_KEY, NULL);
}

static void
first_sign_in_response_cb (AdwMessageDialog *dialog,
                           const char       *response,
                           EchoesContext    *context)
{
  echoes_context_answer_first_sign_in (context, g_strcmp0 (response, "upload") == 0);
}

static void
first_sign_in_cb (EchoesWindow *self)
{
  guint n_local = echoes_context_get_first_sign_in (self->context);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (n_local == 0)
    {
      if ((dialog = g_object_get_data (G_OBJECT (self->context), FIRST_SIGN_IN_DIALOG_KEY)))
        gtk_window_destroy (GTK_WINDOW (dialog));
      return;
    }
  if (g_object_get_data (G_OBJECT (self->context), FIRST_SIGN_IN_DIALOG_KEY) != NULL)
    return;

  /* Translators: %u is the number of projects on this computer only */
  heading = g_strdup_printf (ngettext ("Upload Your %u Project to Your Account?",
                                       "Upload Your %u Projects to Your Account?", n_local),
                             n_local);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _("Projects in your account follow you to your other "
                                     "computers. Projects kept on this computer can be "
                                     "added to your account later, one by one."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "keep", _("_Keep Them on This Computer"),
                                    "upload", _("_Upload"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "upload",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "upload");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect_object (dialog, "response", G_CALLBACK (first_sign_in_response_cb),
                           self->context, 0);
  /* Weak: the entry goes with the dialog, so a later sign-in can ask again. */
  g_object_set_data (G_OBJECT (self->context), FIRST_SIGN_IN_DIALOG_KEY, dialog);
  g_object_weak_ref (G_OBJECT (dialog), first_sign_in_dialog_gone_cb, self->context);
  g_object_set_data_full (G_OBJECT (dialog), "echoes-context", g_object_ref (self->context),
                          g_object_unref);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Keep in My Account */

static void
kept_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(EchoesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!echoes_sync_engine_keep_in_account_finish (ECHOES_SYNC_ENGINE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _echoes_window_show_library_error (self, error);
      return;
    }
  /* The library sees the store change and the row's badge follows; a sync sends it. */
  echoes_sync_engine_sync_now (ECHOES_SYNC_ENGINE (object));
}

static void
keep_in_account_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);

  if (self->sync_engine == NULL || self->project == NULL || echoes_project_get_synced (self->project))
    return;

  echoes_sync_engine_keep_in_account_async (self->sync_engine, echoes_project_get_id (self->project),
                                            self->cancellable, kept_cb, g_object_ref (self));
}

void
_echoes_window_sync_update_actions (EchoesWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.keep-in-account",
                                 self->sync_engine != NULL && self->project != NULL &&
                                 !echoes_project_get_synced (self->project));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.retry-sync", self->sync_engine != NULL);
}

/* The engine comes with a sign-in and goes with a sign-out. */

static void
sync_engine_cb (EchoesWindow *self)
{
  EchoesSyncEngine *engine = echoes_context_get_sync_engine (self->context);

  if (engine == self->sync_engine)
    return;

  if (self->sync_toast != NULL)
    adw_toast_dismiss (self->sync_toast);
  g_set_object (&self->sync_engine, engine);
  g_signal_group_set_target (self->sync_signals, engine);
  self->focus_synced_at = 0;
  update_indicator (self);
  _echoes_window_sync_update_actions (self);
  if (engine != NULL && echoes_sync_engine_get_last_error (engine) != NULL)
    last_error_cb (self);
}

/* Feature hooks */

void
_echoes_window_sync_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.keep-in-account", NULL, keep_in_account_action);
  gtk_widget_class_install_action (widget_class, "win.retry-sync", NULL, retry_sync_action);
}

void
_echoes_window_sync_init (EchoesWindow *self)
{
  self->sync_signals = g_signal_group_new (ECHOES_TYPE_SYNC_ENGINE);
  g_signal_group_connect_object (self->sync_signals, "notify::state",
                                 G_CALLBACK (update_indicator), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->sync_signals, "notify::last-error",
                                 G_CALLBACK (last_error_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->project_signals, "notify::synced",
                                 G_CALLBACK (_echoes_window_sync_update_actions), self,
                                 G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::is-active", G_CALLBACK (is_active_cb), NULL);
  update_indicator (self);
  _echoes_window_sync_update_actions (self);
}

void
_echoes_window_sync_dispose (EchoesWindow *self)
{
  if (self->sync_signals != NULL)
    g_signal_group_set_target (self->sync_signals, NULL);
  g_clear_object (&self->sync_signals);
  g_clear_object (&self->sync_engine);
}

void
_echoes_window_sync_set_context (EchoesWindow *self)
{
  g_signal_connect_object (self->context, "notify::sync-engine", G_CALLBACK (sync_engine_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->context, "notify::first-sign-in", G_CALLBACK (first_sign_in_cb),
                           self, G_CONNECT_SWAPPED);
  sync_engine_cb (self);
  first_sign_in_cb (self);
}

/* For tests */

const char *
_echoes_window_get_sync_label (EchoesWindow *self)
{
  if (!gtk_widget_get_visible (self->sync_box))
    return NULL;
  return gtk_label_get_label (self->sync_label);
}

AdwToast *
_echoes_window_get_sync_toast (EchoesWindow *self)
{
  return self->sync_toast;
}

AdwMessageDialog *
_echoes_window_get_first_sign_in_dialog (EchoesWindow *self)
{
  return self->context ? g_object_get_data (G_OBJECT (self->context), FIRST_SIGN_IN_DIALOG_KEY)
                       : NULL;
}

guint
_echoes_window_get_n_sync_toasts (EchoesWindow *self)
{
  return self->n_sync_toasts;
}
