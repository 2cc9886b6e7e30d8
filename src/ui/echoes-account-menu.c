/* echoes-account-menu.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-account-menu"

#include "config.h"

#include "echoes-account-menu.h"

#include <glib/gi18n.h>

#include "echoes-account-window.h"
#include "echoes-cloud-error.h"

/**
 * EchoesAccountMenu:
 *
 * The account section of the main window's menu, above its last section: "Sign In…" when
 * signed out; the address (as the section's heading) and "Sign Out" when signed in. It owns the `account.sign-in`
 * and `account.sign-out` actions of the window, opens #EchoesAccountWindow and says in a
 * toast what happened to the session (signed out, ended by the server, not remembered).
 * The window keeps it for its lifetime.
 */
struct _EchoesAccountMenu
{
  GObject             parent_instance;

  GWeakRef            window;        /* EchoesWindow */
  GWeakRef            account_window; /* EchoesAccountWindow, while open */
  GMenu              *menu;          /* (owned) the window's menu */
  guint               position;      /* of the account section in it */
  gboolean            inserted;
  EchoesAuth         *auth;          /* (owned) */
  GSimpleActionGroup *actions;       /* (owned) */
  GCancellable       *cancellable;   /* (owned) */
  AdwToast           *toast;         /* (nullable) weak: the last toast about the account */
};

G_DEFINE_FINAL_TYPE (EchoesAccountMenu, echoes_account_menu, G_TYPE_OBJECT)

/* Takes @toast (transfer full). */
static void
add_toast (EchoesAccountMenu *self,
           AdwToast          *toast)
{
  g_autoptr(EchoesWindow) window = g_weak_ref_get (&self->window);

  /* A new word about the account replaces the last one ("Signed out" after "Signed in"). */
  if (self->toast != NULL)
    adw_toast_dismiss (self->toast);

  if (window != NULL)
    {
      g_set_weak_pointer (&self->toast, toast);
      echoes_window_add_toast (window, toast);
    }
  else
    g_object_unref (toast);
}

static AdwToast *
toast_new_text (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  return adw_toast_new (escaped);
}

static void
update (EchoesAccountMenu *self)
{
  g_autoptr(GMenu) items = g_menu_new ();
  gboolean signed_in = echoes_auth_get_signed_in (self->auth);
  const char *heading = NULL;
  GAction *action;

  /* A section's label is its heading: the address of the account signed in. */
  if (signed_in)
    {
      heading = echoes_auth_get_email (self->auth);
      if (heading == NULL)
        heading = _("Signed In");
      g_menu_append (items, _("Sign _Out"), "account.sign-out");
    }
  else
    g_menu_append (items, _("_Sign In…"), "account.sign-in");

  if (self->inserted)
    g_menu_remove (self->menu, self->position);
  g_menu_insert_section (self->menu, self->position, heading, G_MENU_MODEL (items));
  self->inserted = TRUE;

  action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), "sign-in");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), !signed_in);
  action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), "sign-out");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), signed_in);
}

static void
account_signed_in_cb (EchoesAccountMenu   *self,
                      EchoesAccountWindow *account_window)
{
  g_autofree char *text = NULL;
  AdwToast *toast;

  if (echoes_auth_get_session_persistent (self->auth))
    {
      text = g_strdup_printf (_("Signed in as %s"),
                              echoes_auth_get_email (self->auth) ? echoes_auth_get_email (self->auth) : "");
      toast = toast_new_text (text);
    }
  else
    {
      toast = toast_new_text (_("You are signed in for this session only: no keyring is available to remember it. You will have to sign in again next time."));
      adw_toast_set_timeout (toast, 0);
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
    }
  add_toast (self, toast);
}

static void
sign_in_action (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  EchoesAccountMenu *self = user_data;
  g_autoptr(EchoesWindow) window = g_weak_ref_get (&self->window);
  g_autoptr(EchoesAccountWindow) open = g_weak_ref_get (&self->account_window);
  EchoesAccountWindow *account_window;

  if (open != NULL)
    {
      gtk_window_present (GTK_WINDOW (open));
      return;
    }

  account_window = echoes_account_window_new (GTK_WINDOW (window), self->auth);
  g_signal_connect_object (account_window, "signed-in", G_CALLBACK (account_signed_in_cb),
                           self, G_CONNECT_SWAPPED);
  g_weak_ref_set (&self->account_window, account_window);
  gtk_window_present (GTK_WINDOW (account_window));
}

static void
signed_out_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* Here the session is gone already; the server forgets it when its token expires. */
  if (!echoes_auth_sign_out_finish (ECHOES_AUTH (object), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("The server was not told about the sign-out: %s", error->message);
}

static void
sign_out_action (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  EchoesAccountMenu *self = user_data;
  echoes_auth_sign_out_async (self->auth, self->cancellable, signed_out_cb, NULL);
  add_toast (self, adw_toast_new (_("Signed out")));
}

/* The session ended without the user asking: the server refused to refresh it. */
static void
auth_signed_out_cb (EchoesAccountMenu *self,
                    const GError      *reason,
                    EchoesAuth        *auth)
{
  AdwToast *toast;

  if (reason == NULL)
    return;

  toast = toast_new_text (echoes_cloud_error_describe (reason));
  adw_toast_set_button_label (toast, _("_Sign In"));
  adw_toast_set_action_name (toast, "account.sign-in");
  adw_toast_set_timeout (toast, 0);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  add_toast (self, toast);
}

static const GActionEntry actions[] = {
  { "sign-in", sign_in_action },
  { "sign-out", sign_out_action },
};

static void
echoes_account_menu_dispose (GObject *object)
{
  EchoesAccountMenu *self = (EchoesAccountMenu *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->actions);
  g_clear_object (&self->menu);
  g_clear_object (&self->auth);

  G_OBJECT_CLASS (echoes_account_menu_parent_class)->dispose (object);
}

static void
echoes_account_menu_finalize (GObject *object)
{
  EchoesAccountMenu *self = (EchoesAccountMenu *)object;

  g_clear_weak_pointer (&self->toast);
  g_weak_ref_clear (&self->window);
  g_weak_ref_clear (&self->account_window);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (echoes_account_menu_parent_class)->finalize (object);
}

static void
echoes_account_menu_class_init (EchoesAccountMenuClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = echoes_account_menu_dispose;
  object_class->finalize = echoes_account_menu_finalize;
}

static void
echoes_account_menu_init (EchoesAccountMenu *self)
{
  g_weak_ref_init (&self->window, NULL);
  g_weak_ref_init (&self->account_window, NULL);
  self->cancellable = g_cancellable_new ();
  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), actions, G_N_ELEMENTS (actions), self);
}

/**
 * echoes_account_menu_attach:
 * @window: the main window
 * @menu: its main menu
 * @context: its context
 *
 * Adds a section showing @context's account to @menu, above its last section, and gives
 * @window the `account.*` actions. Without an account server (echoes_context_get_auth()
 * is %NULL) nothing is added.
 */
void
echoes_account_menu_attach (EchoesWindow  *window,
                            GMenu         *menu,
                            EchoesContext *context)
{
  EchoesAccountMenu *self;
  EchoesAuth *auth;

  g_return_if_fail (ECHOES_IS_WINDOW (window));
  g_return_if_fail (G_IS_MENU (menu));
  g_return_if_fail (ECHOES_IS_CONTEXT (context));

  if (!(auth = echoes_context_get_auth (context)))
    return;

  self = g_object_new (ECHOES_TYPE_ACCOUNT_MENU, NULL);
  g_weak_ref_set (&self->window, window);
  self->menu = g_object_ref (menu);
  self->position = g_menu_model_get_n_items (G_MENU_MODEL (menu)) > 0
                   ? g_menu_model_get_n_items (G_MENU_MODEL (menu)) - 1 : 0;
  self->auth = g_object_ref (auth);

  g_signal_connect_object (auth, "notify::signed-in", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (auth, "notify::email", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (auth, "signed-out", G_CALLBACK (auth_signed_out_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_insert_action_group (GTK_WIDGET (window), "account", G_ACTION_GROUP (self->actions));
  update (self);

  /* The window keeps the menu as long as it lives. */
  g_object_set_data_full (G_OBJECT (window), "echoes-account-menu", self, g_object_unref);
}
