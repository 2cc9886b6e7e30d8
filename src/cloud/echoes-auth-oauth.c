/* echoes-auth-oauth.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-auth"

#include "config.h"

#include "echoes-auth-private.h"

#include <glib/gi18n.h>

#include "echoes-loopback-redirect.h"
#include "echoes-util.h"

/* EchoesAuth's browser sign-in with PKCE, back through a loopback redirect. */

/* Browser sign-in with PKCE: the browser comes back once to a loopback server. */

typedef struct
{
  EchoesLoopbackRedirect *redirect;  /* (owned) */
  char                   *verifier;  /* (owned) a secret */
} OAuthFlow;

static void
oauth_flow_free (gpointer data)
{
  OAuthFlow *flow = data;

  g_clear_object (&flow->redirect);
  g_clear_pointer (&flow->verifier, echoes_secret_free);
  g_free (flow);
}

static void
oauth_exchanged_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EchoesAuth *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;

  node = echoes_http_send_json_finish (ECHOES_HTTP (object), result, &error);
  if (node == NULL || !_echoes_auth_apply_session (self, node, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  _echoes_auth_persist_session (self, _echoes_auth_persisted_cb, g_steal_pointer (&task));
}

static void
oauth_returned_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EchoesAuth *self = g_task_get_source_object (task);
  OAuthFlow *flow = g_task_get_task_data (task);
  g_autoptr(GHashTable) query = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) body = NULL;
  GCancellable *cancellable;
  GError *error = NULL;

  query = echoes_loopback_redirect_wait_finish (ECHOES_LOOPBACK_REDIRECT (object), result, &error);
  if (query == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "auth_code");
  json_builder_add_string_value (builder, g_hash_table_lookup (query, "code"));
  json_builder_set_member_name (builder, "code_verifier");
  json_builder_add_string_value (builder, flow->verifier);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  cancellable = g_task_get_cancellable (task);
  echoes_http_send_json_async (self->http, "POST", "/auth/v1/token?grant_type=pkce", NULL, body,
                               ECHOES_HTTP_ANONYMOUS, cancellable,
                               oauth_exchanged_cb, g_steal_pointer (&task));
}

/**
 * echoes_auth_sign_in_with_provider_async:
 * @self: a #EchoesAuth
 * @provider: the OAuth provider, e.g. "google"
 * @open_uri: (scope call): called once with the address to open in the browser
 * @open_uri_data: data for @open_uri
 * @cancellable: (nullable): a #GCancellable: the user's Cancel
 * @callback: called when signed in, failed, cancelled or timed out
 * @user_data: data for @callback
 *
 * Signs in through the system browser with PKCE: listens once on a loopback port for the
 * redirect (an #EchoesLoopbackRedirect, which checks its `state`), then trades the code
 * and the verifier for a session. Fails with %ECHOES_CLOUD_ERROR_TIMEOUT after
 * #EchoesAuth:oauth-timeout seconds.
 */
void
echoes_auth_sign_in_with_provider_async (EchoesAuth          *self,
                                         const char          *provider,
                                         EchoesAuthUriFunc    open_uri,
                                         gpointer             open_uri_data,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *authorize = NULL;
  g_autoptr(GChecksum) checksum = NULL;
  GError *error = NULL;
  OAuthFlow *flow;
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  const char *params[11];

  g_return_if_fail (ECHOES_IS_AUTH (self));
  g_return_if_fail (provider != NULL);
  g_return_if_fail (open_uri != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_auth_sign_in_with_provider_async);
  flow = g_new0 (OAuthFlow, 1);
  g_task_set_task_data (task, flow, oauth_flow_free);

  if (!(flow->redirect = echoes_loopback_redirect_new ("code", &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  flow->verifier = echoes_random_base64url (32);
  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, (const guchar *) flow->verifier, -1);
  g_checksum_get_digest (checksum, digest, &digest_len);
  challenge = echoes_base64url_encode (digest, digest_len);

  params[0] = "provider";              params[1] = provider;
  params[2] = "redirect_to";           params[3] = echoes_loopback_redirect_get_uri (flow->redirect);
  params[4] = "code_challenge";        params[5] = challenge;
  params[6] = "code_challenge_method"; params[7] = "s256";
  params[8] = "flow_type";             params[9] = "pkce";
  params[10] = NULL;
  authorize = echoes_http_build_url (self->http, "/auth/v1/authorize", params);

  echoes_loopback_redirect_wait_async (flow->redirect, self->oauth_timeout,
                                       _("You are signed in to Echoes. You can close this page and go back to the app."),
                                       _("Signing in to Echoes failed. Go back to the app and try again."),
                                       cancellable, oauth_returned_cb, g_object_ref (task));

  g_debug ("Browser sign-in with %s", provider);
  open_uri (authorize, open_uri_data);
}

/**
 * echoes_auth_sign_in_with_provider_finish:
 * @self: a #EchoesAuth
 * @result: the result
 * @error: return location for an error
 *
 * Returns: %TRUE when signed in
 */
gboolean
echoes_auth_sign_in_with_provider_finish (EchoesAuth    *self,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
