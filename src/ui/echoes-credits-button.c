/* echoes-credits-button.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-credits-button"

#include "config.h"

#include "echoes-credits-button.h"

#include <glib/gi18n.h>

#include "echoes-credits-client.h"
#include "echoes-credits-window.h"

/**
 * EchoesCreditsButton:
 *
 * The header-bar button showing the account's credit balance, hidden while signed out
 * (or without an account server). It reads the balance on sign-in, after each generation
 * finishes, when its window gets the focus and when the Credits window reads a new one
 * (after a purchase); clicking it opens #EchoesCreditsWindow.
 */
struct _EchoesCreditsButton
{
  GtkButton            parent_instance;

  EchoesContext       *context;        /* (owned) (nullable) */
  EchoesAuth          *auth;           /* (owned) (nullable) */
  EchoesCreditsClient *client;         /* (owned) (nullable) while signed in */
  GCancellable        *cancellable;    /* (owned) (nullable) the balance request */
  GtkWindow           *credits_window; /* (nullable) weak */
  GtkWindow           *root;           /* (nullable) weak: whose focus is watched */
  int                  balance;        /* -1: not known */
};

G_DEFINE_FINAL_TYPE (EchoesCreditsButton, echoes_credits_button, GTK_TYPE_BUTTON)

static void
set_balance (EchoesCreditsButton *self,
             int                  balance)
{
  g_autofree char *label = NULL;
  g_autofree char *tooltip = NULL;

  self->balance = balance;
  if (balance < 0)
    return;
  /* TRANSLATORS: the credit balance on the header-bar button; keep it short */
  label = g_strdup_printf (ngettext ("%d Credit", "%d Credits", balance), balance);
  gtk_button_set_label (GTK_BUTTON (self), label);
  tooltip = g_strdup_printf (ngettext ("%d credit left: show credits, buy more",
                                       "%d credits left: show credits, buy more", balance),
                             balance);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), tooltip);
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
}

static void
balance_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(EchoesCreditsButton) self = user_data;
  g_autoptr(GError) error = NULL;
  int balance = 0;

  if (!echoes_credits_client_get_balance_finish (ECHOES_CREDITS_CLIENT (object), result, &balance, NULL, &error))
    {
      /* The button keeps the last balance known; the Credits window says what went wrong. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not read the balance: %s", error->message);
      return;
    }
  set_balance (self, balance);
}

/**
 * echoes_credits_button_refresh:
 *
 * Reads the balance again (when signed in).
 */
void
echoes_credits_button_refresh (EchoesCreditsButton *self)
{
  g_return_if_fail (ECHOES_IS_CREDITS_BUTTON (self));

  if (self->client == NULL)
    return;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  echoes_credits_client_get_balance_async (self->client, self->cancellable, balance_cb,
                                           g_object_ref (self));
}

static void
signed_in_cb (EchoesCreditsButton *self)
{
  gboolean signed_in = self->auth != NULL && echoes_auth_get_signed_in (self->auth);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->client);
  self->balance = -1;

  if (!signed_in)
    {
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      if (self->credits_window != NULL)
        gtk_window_destroy (self->credits_window);
      return;
    }

  self->client = echoes_credits_client_new (self->auth);
  echoes_credits_button_refresh (self);
}

static void
clip_finished_cb (EchoesCreditsButton *self)
{
  echoes_credits_button_refresh (self);
}

static void
root_active_cb (EchoesCreditsButton *self,
                GParamSpec          *pspec,
                GtkWindow           *root)
{
  if (gtk_window_is_active (root))
    echoes_credits_button_refresh (self);
}

static void
window_balance_cb (EchoesCreditsButton *self,
                   GParamSpec          *pspec,
                   EchoesCreditsWindow *window)
{
  int balance = echoes_credits_window_get_balance (window);

  if (balance >= 0)
    set_balance (self, balance);
}

static void
echoes_credits_button_clicked (GtkButton *button)
{
  EchoesCreditsButton *self = ECHOES_CREDITS_BUTTON (button);
  EchoesCreditsWindow *window;

  if (self->auth == NULL || !echoes_auth_get_signed_in (self->auth))
    return;
  if (self->credits_window != NULL)
    {
      gtk_window_present (self->credits_window);
      return;
    }

  window = echoes_credits_window_new (self->auth);
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
  g_signal_connect_object (window, "notify::balance", G_CALLBACK (window_balance_cb), self, G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->credits_window, GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (window));
}

static void
echoes_credits_button_root (GtkWidget *widget)
{
  EchoesCreditsButton *self = ECHOES_CREDITS_BUTTON (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (echoes_credits_button_parent_class)->root (widget);

  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root) && GTK_WINDOW (root) != self->root)
    {
      g_set_weak_pointer (&self->root, GTK_WINDOW (root));
      g_signal_connect_object (root, "notify::is-active", G_CALLBACK (root_active_cb), self, G_CONNECT_SWAPPED);
    }
}

static void
echoes_credits_button_dispose (GObject *object)
{
  EchoesCreditsButton *self = (EchoesCreditsButton *)object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->credits_window != NULL)
    gtk_window_destroy (self->credits_window);
  g_clear_weak_pointer (&self->credits_window);
  g_clear_weak_pointer (&self->root);
  g_clear_object (&self->client);
  g_clear_object (&self->auth);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (echoes_credits_button_parent_class)->dispose (object);
}

static void
echoes_credits_button_finalize (GObject *object)
{
  EchoesCreditsButton *self = (EchoesCreditsButton *)object;

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (echoes_credits_button_parent_class)->finalize (object);
}

static void
echoes_credits_button_class_init (EchoesCreditsButtonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkButtonClass *button_class = GTK_BUTTON_CLASS (klass);

  object_class->dispose = echoes_credits_button_dispose;
  object_class->finalize = echoes_credits_button_finalize;
  widget_class->root = echoes_credits_button_root;
  button_class->clicked = echoes_credits_button_clicked;
}

static void
echoes_credits_button_init (EchoesCreditsButton *self)
{
  self->balance = -1;
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Credits"), -1);
}

/**
 * echoes_credits_button_set_context:
 * @context: the opened context
 *
 * Shows the balance of @context's account while signed in. Without an account server
 * (echoes_context_get_auth() is %NULL) the button stays hidden.
 */
void
echoes_credits_button_set_context (EchoesCreditsButton *self,
                                   EchoesContext       *context)
{
  g_return_if_fail (ECHOES_IS_CREDITS_BUTTON (self));
  g_return_if_fail (ECHOES_IS_CONTEXT (context));

  if (self->context != NULL)
    return;
  self->context = g_object_ref (context);
  if (echoes_context_get_auth (context) == NULL)
    return;

  self->auth = g_object_ref (echoes_context_get_auth (context));
  g_signal_connect_object (self->auth, "notify::signed-in", G_CALLBACK (signed_in_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (echoes_context_get_queue (context), "clip-finished",
                           G_CALLBACK (clip_finished_cb), self, G_CONNECT_SWAPPED);
  signed_in_cb (self);
}

int
echoes_credits_button_get_balance (EchoesCreditsButton *self)
{
  g_return_val_if_fail (ECHOES_IS_CREDITS_BUTTON (self), -1);
  return self->balance;
}

/**
 * echoes_credits_button_get_credits_window:
 *
 * Returns: (transfer none) (nullable): the Credits window, while open
 */
GtkWindow *
echoes_credits_button_get_credits_window (EchoesCreditsButton *self)
{
  g_return_val_if_fail (ECHOES_IS_CREDITS_BUTTON (self), NULL);
  return self->credits_window;
}
