/* echoes-auth-session.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-auth"

#include "config.h"

#include "echoes-auth-private.h"

#include <libsecret/secret.h>

#include "echoes-cloud-error.h"
#include "echoes-util.h"

/* EchoesAuth's session kept in the keyring, restored from it at start, and refreshed. */

/* After a refresh failed for a transient reason (offline), it is tried again this late. */
#define REFRESH_RETRY_S          30

static char *
serialize_session (EchoesAuth *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "access_token");
  json_builder_add_string_value (builder, self->access_token);
  json_builder_set_member_name (builder, "refresh_token");
  json_builder_add_string_value (builder, self->refresh_token);
  json_builder_set_member_name (builder, "expires_at");
  json_builder_add_int_value (builder, self->expires_at);
  json_builder_set_member_name (builder, "user_id");
  json_builder_add_string_value (builder, self->user_id);
  json_builder_set_member_name (builder, "email");
  json_builder_add_string_value (builder, self->email != NULL ? self->email : "");
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* Persisting: the keyring copy is replaced whole (one item per server), so the old refresh
 * token is never kept beside the new one. Without a keyring the session lives in memory. */

static void
persisted_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EchoesAuth *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!echoes_secret_store_store_finish (ECHOES_SECRET_STORE (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_message ("The session will not be remembered: %s", error->message);
      _echoes_auth_set_persistence (self, FALSE, error);
    }
  else
    _echoes_auth_set_persistence (self, TRUE, NULL);

  g_task_return_boolean (task, TRUE);
}

void
_echoes_auth_persist_session (EchoesAuth          *self,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (self, self->cancellable, callback, user_data);
  char *secret;

  if (self->store == NULL || self->access_token == NULL)
    {
      if (self->store == NULL)
        _echoes_auth_set_persistence (self, FALSE, NULL);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  secret = serialize_session (self);
  echoes_secret_store_store_async (self->store, self->url, secret, self->cancellable,
                                   persisted_cb, task);
  echoes_secret_free (secret);
}

/* For a sign-in's task: the session is kept (or could not be: the sign-in stands, the
 * session then lasts until the app quits), so the task succeeds. */
void
_echoes_auth_persisted_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  g_task_propagate_boolean (G_TASK (result), NULL);
  g_task_return_boolean (task, TRUE);
}

/* restore */

static void
restore_refreshed_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!echoes_auth_refresh_finish (ECHOES_AUTH (object), result, &error)
      && !echoes_cloud_error_is_transient (error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
restored_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EchoesAuth *self = g_task_get_source_object (task);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  char *secret;
  gboolean parsed;

  secret = echoes_secret_store_lookup_finish (ECHOES_SECRET_STORE (object), result, &error);
  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _echoes_auth_set_persistence (self, FALSE, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (secret == NULL)
    {
      g_debug ("No session in the keyring");
      g_task_return_boolean (task, TRUE);
      return;
    }

  parsed = json_parser_load_from_data (parser, secret, -1, NULL);
  secret_password_free (secret);
  if (!parsed || !_echoes_auth_apply_session (self, json_parser_get_root (parser), &error))
    {
      g_message ("The keyring holds an unreadable session; it is dropped");
      _echoes_auth_end_session (self, NULL);
      g_task_return_boolean (task, TRUE);
      return;
    }
  _echoes_auth_set_persistence (self, TRUE, NULL);

  if (self->expires_at > 0
      && self->expires_at <= g_get_real_time () / G_USEC_PER_SEC + self->refresh_margin)
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      echoes_auth_refresh_async (self, NULL, cancellable, restore_refreshed_cb,
                                 g_steal_pointer (&task));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * echoes_auth_restore_async:
 * @self: a #EchoesAuth
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Takes the session kept in the keyring, if any, refreshing it when it expired. Offline,
 * an expired session is kept and refreshed later (the app works offline-first).
 */
void
echoes_auth_restore_async (EchoesAuth          *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ECHOES_IS_AUTH (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_auth_restore_async);

  if (self->store == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  echoes_secret_store_lookup_async (self->store, self->url, cancellable, restored_cb,
                                    g_steal_pointer (&task));
}

/**
 * echoes_auth_restore_finish:
 * @self: a #EchoesAuth
 * @result: the result
 * @error: return location for an error
 *
 * Gets the result of echoes_auth_restore_async(); #EchoesAuth:signed-in says whether a
 * session was found. Fails with %ECHOES_CLOUD_ERROR_KEYRING without a usable keyring, or
 * %ECHOES_CLOUD_ERROR_SESSION_EXPIRED when the server refused the kept session.
 *
 * Returns: %TRUE on success
 */
gboolean
echoes_auth_restore_finish (EchoesAuth    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Refresh: one request in flight; every caller waits on it. */

static void
finish_refresh (EchoesAuth   *self,
                const GError *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->refresh_waiters);

  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

static void
refresh_persisted_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  EchoesAuth *self = ECHOES_AUTH (object);

  g_task_propagate_boolean (G_TASK (result), NULL);
  finish_refresh (self, NULL);
  g_object_unref (self);
}

static void
refreshed_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(EchoesAuth) self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = echoes_http_send_json_finish (ECHOES_HTTP (object), result, &error);
  if (node != NULL && self->access_token != NULL && _echoes_auth_apply_session (self, node, &error))
    {
      /* The new refresh token is in the keyring before anyone uses the new session. */
      _echoes_auth_persist_session (self, refresh_persisted_cb, g_object_ref (self));
      return;
    }

  if (error == NULL)
    error = g_error_new_literal (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_SESSION_EXPIRED,
                                 "Signed out while refreshing");

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || echoes_cloud_error_is_transient (error))
    {
      /* Offline: the session stays; the timer tries again. */
      g_debug ("Refresh failed, trying again later: %s", error->message);
      if (self->access_token != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _echoes_auth_schedule_refresh (self, REFRESH_RETRY_S);
      finish_refresh (self, error);
      return;
    }

  {
    g_autoptr(GError) expired = g_error_new (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_SESSION_EXPIRED,
                                             "The server refused the refresh: %s", error->message);

    g_message ("Session ended: %s", expired->message);
    _echoes_auth_end_session (self, expired);
    finish_refresh (self, expired);
  }
}

static gboolean
refresh_timer_cb (gpointer user_data)
{
  EchoesAuth *self = user_data;

  self->refresh_timer = 0;
  echoes_auth_refresh_async (self, NULL, NULL, NULL, NULL);
  return G_SOURCE_REMOVE;
}

void
_echoes_auth_schedule_refresh (EchoesAuth *self,
                               gint64      delay_s)
{
  g_clear_handle_id (&self->refresh_timer, g_source_remove);
  delay_s = CLAMP (delay_s, 0, G_MAXUINT / 1000);
  self->refresh_timer = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, (guint) delay_s,
                                                    refresh_timer_cb, self, NULL);
}

/* refresh */

/**
 * echoes_auth_refresh_async:
 * @self: a #EchoesAuth
 * @stale_token: (nullable): the access token a server refused, or %NULL to refresh anyway
 * @cancellable: (nullable): a #GCancellable (it stops the wait, not the shared refresh)
 * @callback: (nullable): called when the session is fresh or ended
 * @user_data: data for @callback
 *
 * Refreshes the session with its refresh token (`grant_type=refresh_token`), storing the
 * rotated refresh token in the keyring before anyone uses it. One refresh is in flight at
 * a time; callers arriving meanwhile wait for it. When @stale_token is no longer the
 * current token (another refresh won), it returns at once. A refused refresh ends the
 * session (#EchoesAuth::signed-out) and fails with %ECHOES_CLOUD_ERROR_SESSION_EXPIRED.
 */
void
echoes_auth_refresh_async (EchoesAuth          *self,
                           const char          *stale_token,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (ECHOES_IS_AUTH (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_auth_refresh_async);

  if (self->refresh_token == NULL)
    {
      g_task_return_new_error (task, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_SESSION_EXPIRED,
                               "Not signed in");
      return;
    }
  if (stale_token != NULL && g_strcmp0 (stale_token, self->access_token) != 0
      && self->refresh_waiters == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->refresh_waiters != NULL)
    {
      g_ptr_array_add (self->refresh_waiters, g_steal_pointer (&task));
      return;
    }

  self->refresh_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->refresh_waiters, g_steal_pointer (&task));
  g_clear_handle_id (&self->refresh_timer, g_source_remove);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "refresh_token");
  json_builder_add_string_value (builder, self->refresh_token);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  g_debug ("Refreshing the session");
  echoes_http_send_json_async (self->http, "POST", "/auth/v1/token?grant_type=refresh_token",
                               NULL, body, ECHOES_HTTP_ANONYMOUS, self->cancellable,
                               refreshed_cb, g_object_ref (self));
}

/**
 * echoes_auth_refresh_finish:
 * @self: a #EchoesAuth
 * @result: the result
 * @error: return location for an error
 *
 * Returns: %TRUE when the session is fresh
 */
gboolean
echoes_auth_refresh_finish (EchoesAuth    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
