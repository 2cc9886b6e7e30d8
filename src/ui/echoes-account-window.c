/* echoes-account-window.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-account-window"

#include "config.h"

#include "echoes-account-window-private.h"

#include <string.h>
#include <glib/gi18n.h>

#include "echoes-cloud-error.h"

/**
 * EchoesAccountWindow:
 *
 * The sign-in window: an e-mail address and a password to sign in or create an account,
 * "Forgot Password?" (sends the reset message), and "Continue with Google", which opens
 * the provider's page in the browser and waits, with Cancel, for it to come back.
 * Errors show inline. It closes once signed in, after #EchoesAccountWindow::signed-in.
 */
struct _EchoesAccountWindow
{
  AdwWindow          parent_instance;

  EchoesAuth        *auth;          /* (owned) */
  GCancellable      *cancellable;   /* (owned) (nullable) the request running */
  EchoesAuthUriFunc  uri_func;      /* (nullable) tests only */
  gpointer           uri_data;

  GtkSpinner        *browser_spinner;
  GtkLabel          *error_label;
  GtkWidget         *form;
  GtkLabel          *info_label;
  AdwEntryRow       *email_row;
  AdwEntryRow       *password_row;
  GtkSpinner        *spinner;
  GtkStack          *stack;
};

enum {
  PROP_0,
  PROP_AUTH,
  N_PROPS
};

enum {
  SIGNED_IN,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (EchoesAccountWindow, echoes_account_window, ADW_TYPE_WINDOW)

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

static void
show_message (GtkLabel   *label,
              const char *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL);
}

static void
update_actions (EchoesAccountWindow *self)
{
  gboolean idle = self->cancellable == NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account-window.sign-in", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account-window.sign-up", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account-window.reset-password", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account-window.sign-in-with-google", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account-window.cancel-browser", !idle);
}

/* Starts a request: one at a time, the form stays visible but inert. */
static GCancellable *
begin_request (EchoesAccountWindow *self)
{
  g_assert (self->cancellable == NULL);

  self->cancellable = g_cancellable_new ();
  show_message (self->error_label, NULL);
  show_message (self->info_label, NULL);
  gtk_widget_set_sensitive (self->form, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), TRUE);
  gtk_spinner_start (self->spinner);
  update_actions (self);

  return self->cancellable;
}

static void
end_request (EchoesAccountWindow *self)
{
  g_clear_object (&self->cancellable);
  gtk_widget_set_sensitive (self->form, TRUE);
  gtk_spinner_stop (self->spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gtk_spinner_stop (self->browser_spinner);
  gtk_stack_set_visible_child_name (self->stack, "form");
  update_actions (self);
}

/* A request failed: say why under the fields. */
static void
fail_request (EchoesAccountWindow *self,
              const char          *message)
{
  end_request (self);
  show_message (self->error_label, message);
  gtk_widget_grab_focus (GTK_WIDGET (self->email_row));
}

static void
signed_in (EchoesAccountWindow *self)
{
  end_request (self);
  g_signal_emit (self, signals [SIGNED_IN], 0);
  gtk_window_close (GTK_WINDOW (self));
}

/* Whether @error ended a request this window cancelled (closing, or Cancel): nothing to say. */
static gboolean
was_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static gboolean
read_fields (EchoesAccountWindow  *self,
             gboolean              need_password,
             char                **email,
             const char          **password)
{
  g_autofree char *address = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->email_row))));

  *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  if (*address == '\0' || strchr (address, '@') == NULL)
    {
      show_message (self->info_label, NULL);
      show_message (self->error_label, _("Enter your e-mail address."));
      gtk_widget_grab_focus (GTK_WIDGET (self->email_row));
      return FALSE;
    }
  if (need_password && **password == '\0')
    {
      show_message (self->info_label, NULL);
      show_message (self->error_label, _("Enter your password."));
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return FALSE;
    }

  *email = g_steal_pointer (&address);
  return TRUE;
}

/* Sign in ------------------------------------------------------------------------------- */

static void
sign_in_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(EchoesAccountWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (echoes_auth_sign_in_finish (ECHOES_AUTH (object), result, &error))
    signed_in (self);
  else if (!was_cancelled (error))
    fail_request (self, echoes_cloud_error_describe (error));
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  EchoesAccountWindow *self = ECHOES_ACCOUNT_WINDOW (widget);
  g_autofree char *email = NULL;
  const char *password;

  if (self->cancellable != NULL || !read_fields (self, TRUE, &email, &password))
    return;

  echoes_auth_sign_in_async (self->auth, email, password, begin_request (self),
                             sign_in_cb, g_object_ref (self));
}

/* Create an account --------------------------------------------------------------------- */

static void
sign_up_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(EchoesAccountWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean confirmation_sent = FALSE;

  if (!echoes_auth_sign_up_finish (ECHOES_AUTH (object), result, &confirmation_sent, &error))
    {
      if (!was_cancelled (error))
        fail_request (self, echoes_cloud_error_describe (error));
    }
  else if (confirmation_sent)
    {
      g_autofree char *text = NULL;

      end_request (self);
      text = g_strdup_printf (_("Almost done: open the link we sent to %s to confirm the address, then sign in here."),
                              gtk_editable_get_text (GTK_EDITABLE (self->email_row)));
      show_message (self->info_label, text);
    }
  else
    signed_in (self);
}

static void
sign_up_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  EchoesAccountWindow *self = ECHOES_ACCOUNT_WINDOW (widget);
  g_autofree char *email = NULL;
  const char *password;

  if (self->cancellable != NULL || !read_fields (self, TRUE, &email, &password))
    return;

  echoes_auth_sign_up_async (self->auth, email, password, begin_request (self),
                             sign_up_cb, g_object_ref (self));
}

/* Forgot password ----------------------------------------------------------------------- */

static void
reset_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(EchoesAccountWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!echoes_auth_request_password_reset_finish (ECHOES_AUTH (object), result, &error))
    {
      if (!was_cancelled (error))
        fail_request (self, echoes_cloud_error_describe (error));
      return;
    }

  end_request (self);
  text = g_strdup_printf (_("If an account uses %s, a message with a link to choose a new password is on its way."),
                          gtk_editable_get_text (GTK_EDITABLE (self->email_row)));
  show_message (self->info_label, text);
}

static void
reset_password_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  EchoesAccountWindow *self = ECHOES_ACCOUNT_WINDOW (widget);
  g_autofree char *email = NULL;
  const char *password;

  if (self->cancellable != NULL || !read_fields (self, FALSE, &email, &password))
    return;

  echoes_auth_request_password_reset_async (self->auth, email, begin_request (self),
                                            reset_cb, g_object_ref (self));
}

/* Continue with Google ------------------------------------------------------------------ */

static void
uri_shown_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(EchoesAccountWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (gtk_show_uri_full_finish (GTK_WINDOW (object), result, &error) || was_cancelled (error))
    return;

  /* Without a browser nobody can come back: stop waiting. */
  g_message ("Could not open the sign-in page: %s", error->message);
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      fail_request (self, _("No web browser could be opened to sign in. Sign in with your e-mail address instead."));
    }
}

static void
open_uri (const char *uri,
          gpointer    user_data)
{
  EchoesAccountWindow *self = user_data;

  if (self->uri_func != NULL)
    {
      self->uri_func (uri, self->uri_data);
      return;
    }

  /* Through the OpenURI portal when sandboxed. */
  gtk_show_uri_full (GTK_WINDOW (self), uri, GDK_CURRENT_TIME, self->cancellable,
                     uri_shown_cb, g_object_ref (self));
}

static void
provider_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(EchoesAccountWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (echoes_auth_sign_in_with_provider_finish (ECHOES_AUTH (object), result, &error))
    signed_in (self);
  else if (was_cancelled (error))
    return;
  else if (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_TIMEOUT))
    fail_request (self, _("Nobody came back from the browser in time. Try again, and finish signing in on the page that opens."));
  else
    fail_request (self, echoes_cloud_error_describe (error));
}

static void
sign_in_with_google_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  EchoesAccountWindow *self = ECHOES_ACCOUNT_WINDOW (widget);
  GCancellable *cancellable;

  if (self->cancellable != NULL)
    return;

  cancellable = begin_request (self);
  /* The page has its own spinner. */
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gtk_stack_set_visible_child_name (self->stack, "browser");
  gtk_spinner_start (self->browser_spinner);
  echoes_auth_sign_in_with_provider_async (self->auth, "google", open_uri, self, cancellable,
                                           provider_cb, g_object_ref (self));
}

static void
cancel_browser_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  EchoesAccountWindow *self = ECHOES_ACCOUNT_WINDOW (widget);

  if (self->cancellable == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  end_request (self);
}

static void
entry_changed_cb (EchoesAccountWindow *self)
{
  show_message (self->error_label, NULL);
}

/* GObject ------------------------------------------------------------------------------- */

static void
echoes_account_window_dispose (GObject *object)
{
  EchoesAccountWindow *self = (EchoesAccountWindow *)object;

  /* Closing the window gives up what it was waiting for (the browser's loopback too). */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), ECHOES_TYPE_ACCOUNT_WINDOW);

  G_OBJECT_CLASS (echoes_account_window_parent_class)->dispose (object);
}

static void
echoes_account_window_finalize (GObject *object)
{
  EchoesAccountWindow *self = (EchoesAccountWindow *)object;

  g_clear_object (&self->auth);

  G_OBJECT_CLASS (echoes_account_window_parent_class)->finalize (object);
}

static void
echoes_account_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  EchoesAccountWindow *self = ECHOES_ACCOUNT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_AUTH:
      g_value_set_object (value, self->auth);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_account_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  EchoesAccountWindow *self = ECHOES_ACCOUNT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_AUTH:
      self->auth = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_account_window_class_init (EchoesAccountWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = echoes_account_window_dispose;
  object_class->finalize = echoes_account_window_finalize;
  object_class->get_property = echoes_account_window_get_property;
  object_class->set_property = echoes_account_window_set_property;

  /**
   * EchoesAccountWindow:auth:
   *
   * The session owner to sign in with.
   */
  properties [PROP_AUTH] =
    g_param_spec_object ("auth", NULL, NULL, ECHOES_TYPE_AUTH,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EchoesAccountWindow::signed-in:
   * @self: a #EchoesAccountWindow
   *
   * The user signed in (or created an account that needs no confirmation); the window
   * closes right after.
   */
  signals [SIGNED_IN] =
    g_signal_new ("signed-in",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/echoes-account-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EchoesAccountWindow, browser_spinner);
  gtk_widget_class_bind_template_child (widget_class, EchoesAccountWindow, email_row);
  gtk_widget_class_bind_template_child (widget_class, EchoesAccountWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, EchoesAccountWindow, form);
  gtk_widget_class_bind_template_child (widget_class, EchoesAccountWindow, info_label);
  gtk_widget_class_bind_template_child (widget_class, EchoesAccountWindow, password_row);
  gtk_widget_class_bind_template_child (widget_class, EchoesAccountWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, EchoesAccountWindow, stack);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);

  gtk_widget_class_install_action (widget_class, "account-window.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "account-window.sign-up", NULL, sign_up_action);
  gtk_widget_class_install_action (widget_class, "account-window.reset-password", NULL, reset_password_action);
  gtk_widget_class_install_action (widget_class, "account-window.sign-in-with-google", NULL, sign_in_with_google_action);
  gtk_widget_class_install_action (widget_class, "account-window.cancel-browser", NULL, cancel_browser_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
echoes_account_window_init (EchoesAccountWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_actions (self);
}

/**
 * echoes_account_window_new:
 * @parent: (nullable): the window it belongs to
 * @auth: the session owner
 *
 * Returns: (transfer none): a new modal #EchoesAccountWindow, not shown yet
 */
EchoesAccountWindow *
echoes_account_window_new (GtkWindow  *parent,
                           EchoesAuth *auth)
{
  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (ECHOES_IS_AUTH (auth), NULL);

  return g_object_new (ECHOES_TYPE_ACCOUNT_WINDOW,
                       "auth", auth,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       NULL);
}

/**
 * echoes_account_window_get_auth:
 *
 * Returns: (transfer none): the session owner
 */
EchoesAuth *
echoes_account_window_get_auth (EchoesAccountWindow *self)
{
  g_return_val_if_fail (ECHOES_IS_ACCOUNT_WINDOW (self), NULL);
  return self->auth;
}

void
_echoes_account_window_set_uri_func (EchoesAccountWindow *self,
                                     EchoesAuthUriFunc    func,
                                     gpointer             data)
{
  g_return_if_fail (ECHOES_IS_ACCOUNT_WINDOW (self));

  self->uri_func = func;
  self->uri_data = data;
}
