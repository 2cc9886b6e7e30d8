/* echoes-auth-account.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-auth"

#include "config.h"

#include "echoes-auth-private.h"

#include "echoes-cloud-error.h"

/* EchoesAuth's account requests: sign-up and sign-in with a password, sign-out, and the
 * password reset. */

/* sign-up / sign-in */

static void
session_answer_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EchoesAuth *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = echoes_http_send_json_finish (ECHOES_HTTP (object), result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A sign-up that needs the e-mail confirmed answers a user, not a session. */
  if (g_task_get_source_tag (task) == echoes_auth_sign_up_async
      && JSON_NODE_HOLDS_OBJECT (node)
      && !json_object_has_member (json_node_get_object (node), "access_token"))
    {
      if (_echoes_auth_get_string (json_node_get_object (node), "id") == NULL
          && !(json_object_has_member (json_node_get_object (node), "user")))
        {
          g_task_return_new_error (task, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_BAD_RESPONSE,
                                   "The sign-up answer has neither a session nor a user");
          return;
        }
      g_task_set_task_data (task, GINT_TO_POINTER (TRUE), NULL);
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (!_echoes_auth_apply_session (self, node, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  _echoes_auth_persist_session (self, _echoes_auth_persisted_cb, g_steal_pointer (&task));
}

static void
send_credentials (EchoesAuth          *self,
                  gpointer             source_tag,
                  const char          *path,
                  const char          *email,
                  const char          *password,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "email");
  json_builder_add_string_value (builder, email);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  echoes_http_send_json_async (self->http, "POST", path, NULL, body, ECHOES_HTTP_ANONYMOUS,
                               cancellable, session_answer_cb, g_steal_pointer (&task));
}

/**
 * echoes_auth_sign_up_async:
 * @self: a #EchoesAuth
 * @email: the new account's e-mail address
 * @password: its password (never logged nor kept)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Creates an account. When the server confirms addresses by e-mail there is no session
 * yet: echoes_auth_sign_up_finish() says so.
 */
void
echoes_auth_sign_up_async (EchoesAuth          *self,
                           const char          *email,
                           const char          *password,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (ECHOES_IS_AUTH (self));
  g_return_if_fail (email != NULL);
  g_return_if_fail (password != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  send_credentials (self, echoes_auth_sign_up_async, "/auth/v1/signup", email, password,
                    cancellable, callback, user_data);
}

/**
 * echoes_auth_sign_up_finish:
 * @self: a #EchoesAuth
 * @result: the result
 * @confirmation_sent: (out) (optional): %TRUE when the account waits for its e-mail
 *   address to be confirmed (no session yet)
 * @error: return location for an error (%ECHOES_CLOUD_ERROR_EMAIL_TAKEN,
 *   %ECHOES_CLOUD_ERROR_WEAK_PASSWORD, …)
 *
 * Returns: %TRUE when the account was created
 */
gboolean
echoes_auth_sign_up_finish (EchoesAuth    *self,
                            GAsyncResult  *result,
                            gboolean      *confirmation_sent,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (confirmation_sent != NULL)
    *confirmation_sent = GPOINTER_TO_INT (g_task_get_task_data (G_TASK (result)));
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * echoes_auth_sign_in_async:
 * @self: a #EchoesAuth
 * @email: the e-mail address
 * @password: the password (never logged nor kept)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Signs in with an e-mail address and a password, then keeps the session in the keyring
 * (see #EchoesAuth:session-persistent).
 */
void
echoes_auth_sign_in_async (EchoesAuth          *self,
                           const char          *email,
                           const char          *password,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (ECHOES_IS_AUTH (self));
  g_return_if_fail (email != NULL);
  g_return_if_fail (password != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  send_credentials (self, echoes_auth_sign_in_async, "/auth/v1/token?grant_type=password",
                    email, password, cancellable, callback, user_data);
}

/**
 * echoes_auth_sign_in_finish:
 * @self: a #EchoesAuth
 * @result: the result
 * @error: return location for an error (%ECHOES_CLOUD_ERROR_INVALID_CREDENTIALS, …)
 *
 * Returns: %TRUE when signed in
 */
gboolean
echoes_auth_sign_in_finish (EchoesAuth    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* sign-out */

/* Sign-out completes once the keyring copy is gone and the server answered: a process
 * that exits right after (echoes-cli account logout) must not leave the session behind. */
typedef struct
{
  guint   pending;
  GError *error;   /* (owned) (nullable) the server's refusal */
} SignOut;

static void
sign_out_free (SignOut *sign_out)
{
  g_clear_error (&sign_out->error);
  g_free (sign_out);
}

static void
sign_out_step_done (GTask *task)
{
  SignOut *sign_out = g_task_get_task_data (task);

  if (--sign_out->pending > 0)
    return;
  if (sign_out->error != NULL)
    g_task_return_error (task, g_steal_pointer (&sign_out->error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
sign_out_forgotten_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (object != NULL && !echoes_secret_store_clear_finish (ECHOES_SECRET_STORE (object), result, &error))
    g_message ("The keyring copy of the session could not be deleted: %s", error->message);
  sign_out_step_done (task);
}

static void
logged_out_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SignOut *sign_out = g_task_get_task_data (task);
  g_autoptr(EchoesHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  response = echoes_http_send_finish (ECHOES_HTTP (object), result, &error);
  /* A session the server no longer knows is signed out already. */
  if (response == NULL
      && !g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_UNAUTHORIZED)
      && !g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_SESSION_EXPIRED)
      && !g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_NOT_FOUND))
    sign_out->error = g_steal_pointer (&error);
  sign_out_step_done (task);
}

/**
 * echoes_auth_sign_out_async:
 * @self: a #EchoesAuth
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Signs out: the session ends here at once (memory and keyring), and the server is asked to
 * revoke it (`POST /auth/v1/logout?scope=local`). The finish function reports whether the
 * server could be told; either way nobody is signed in any more.
 */
void
echoes_auth_sign_out_async (EchoesAuth          *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessageHeaders) headers = NULL;
  SignOut *sign_out;

  g_return_if_fail (ECHOES_IS_AUTH (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_auth_sign_out_async);
  sign_out = g_new0 (SignOut, 1);
  g_task_set_task_data (task, sign_out, (GDestroyNotify) sign_out_free);

  if (self->access_token == NULL)
    {
      sign_out->pending = 1;
      _echoes_auth_end_session_full (self, NULL, sign_out_forgotten_cb, g_steal_pointer (&task));
      return;
    }

  headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  echoes_http_headers_set_bearer (headers, self->access_token);

  sign_out->pending = 2;
  _echoes_auth_end_session_full (self, NULL, sign_out_forgotten_cb, g_object_ref (task));
  echoes_http_send_async (self->http, "POST", "/auth/v1/logout?scope=local", headers, NULL, NULL,
                          ECHOES_HTTP_ANONYMOUS, cancellable, logged_out_cb, g_steal_pointer (&task));
}

/**
 * echoes_auth_sign_out_finish:
 * @self: a #EchoesAuth
 * @result: the result
 * @error: return location for an error
 *
 * Returns: %TRUE when the server revoked the session too
 */
gboolean
echoes_auth_sign_out_finish (EchoesAuth    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* password reset */

/**
 * echoes_auth_request_password_reset_async:
 * @self: a #EchoesAuth
 * @email: the account's e-mail address
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Asks the server to send a password-reset e-mail (`POST /auth/v1/recover`).
 */
void
echoes_auth_request_password_reset_async (EchoesAuth          *self,
                                          const char          *email,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (ECHOES_IS_AUTH (self));
  g_return_if_fail (email != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_auth_request_password_reset_async);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "email");
  json_builder_add_string_value (builder, email);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  echoes_http_send_json_async (self->http, "POST", "/auth/v1/recover", NULL, body,
                               ECHOES_HTTP_ANONYMOUS, cancellable, echoes_http_return_boolean_cb,
                               g_steal_pointer (&task));
}

/**
 * echoes_auth_request_password_reset_finish:
 * @self: a #EchoesAuth
 * @result: the result
 * @error: return location for an error
 *
 * Returns: %TRUE when the server accepted the request
 */
gboolean
echoes_auth_request_password_reset_finish (EchoesAuth    *self,
                                           GAsyncResult  *result,
                                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
