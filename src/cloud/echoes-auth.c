/* echoes-auth.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-auth"

#include "config.h"

#include "echoes-auth-private.h"

#include <string.h>

#include "echoes-cloud-config.h"
#include "echoes-cloud-error.h"
#include "echoes-cloud-private.h"
#include "echoes-util.h"

/* EchoesAuth itself: its properties and signal, construction, the getters, and the session
 * taken into memory and ended (the other files are listed in echoes-auth-private.h). */

/* A session is refreshed this long before its access token expires. */
#define DEFAULT_REFRESH_MARGIN_S 60
#define DEFAULT_OAUTH_TIMEOUT_S  300

enum {
  PROP_0,
  PROP_URL,
  PROP_ANON_KEY,
  PROP_USE_KEYRING,
  PROP_SIGNED_IN,
  PROP_USER_ID,
  PROP_EMAIL,
  PROP_EXPIRES_AT,
  PROP_SESSION_PERSISTENT,
  PROP_REFRESH_MARGIN,
  PROP_OAUTH_TIMEOUT,
  N_PROPS
};

enum {
  SIGNED_OUT,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (EchoesAuth, echoes_auth, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

static void
clear_session (EchoesAuth *self)
{
  gboolean was_signed_in = self->access_token != NULL;

  g_clear_pointer (&self->access_token, echoes_secret_free);
  g_clear_pointer (&self->refresh_token, echoes_secret_free);
  g_clear_pointer (&self->user_id, g_free);
  g_clear_pointer (&self->email, g_free);
  self->expires_at = 0;
  g_clear_handle_id (&self->refresh_timer, g_source_remove);

  if (was_signed_in)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SIGNED_IN]);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_USER_ID]);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_EMAIL]);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_EXPIRES_AT]);
    }
}

void
_echoes_auth_set_persistence (EchoesAuth   *self,
                              gboolean      persistent,
                              const GError *error)
{
  g_clear_error (&self->persistence_error);
  if (error != NULL)
    self->persistence_error = g_error_copy (error);

  if (self->session_persistent != persistent)
    {
      self->session_persistent = persistent;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SESSION_PERSISTENT]);
    }
}

static gint64
jwt_exp (const char *token)
{
  g_auto(GStrv) parts = g_strsplit (token, ".", 3);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree guint8 *payload = NULL;
  gsize len = 0;
  JsonNode *root;

  if (g_strv_length (parts) != 3)
    return 0;

  payload = echoes_base64url_decode (parts[1], &len);
  if (payload == NULL || !json_parser_load_from_data (parser, (const char *) payload, len, NULL))
    return 0;
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return 0;
  return json_object_get_int_member_with_default (json_node_get_object (root), "exp", 0);
}

const char *
_echoes_auth_get_string (JsonObject *object,
                         const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING
      && *json_node_get_string (node) != '\0')
    return json_node_get_string (node);
  return NULL;
}

/* Takes a GoTrue session (token response or our keyring copy) into memory. */
gboolean
_echoes_auth_apply_session (EchoesAuth  *self,
                            JsonNode    *node,
                            GError     **error)
{
  JsonObject *object;
  JsonObject *user = NULL;
  const char *access_token;
  const char *refresh_token;
  const char *user_id;
  const char *email;
  gint64 expires_at;
  gboolean was_signed_in = self->access_token != NULL;
  g_autofree char *old_user = g_strdup (self->user_id);
  g_autofree char *old_email = g_strdup (self->email);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_BAD_RESPONSE,
                           "The session is not a JSON object");
      return FALSE;
    }
  object = json_node_get_object (node);
  if (json_object_has_member (object, "user")
      && JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "user")))
    user = json_object_get_object_member (object, "user");

  access_token = _echoes_auth_get_string (object, "access_token");
  refresh_token = _echoes_auth_get_string (object, "refresh_token");
  user_id = user != NULL ? _echoes_auth_get_string (user, "id")
                         : _echoes_auth_get_string (object, "user_id");
  email = user != NULL ? _echoes_auth_get_string (user, "email")
                       : _echoes_auth_get_string (object, "email");

  if (access_token == NULL || refresh_token == NULL || user_id == NULL)
    {
      g_set_error_literal (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_BAD_RESPONSE,
                           "The session lacks a token or a user id");
      return FALSE;
    }

  expires_at = json_object_get_int_member_with_default (object, "expires_at", 0);
  if (expires_at <= 0 && json_object_get_int_member_with_default (object, "expires_in", 0) > 0)
    expires_at = g_get_real_time () / G_USEC_PER_SEC
                 + json_object_get_int_member (object, "expires_in");
  if (expires_at <= 0)
    expires_at = jwt_exp (access_token);

  g_clear_pointer (&self->access_token, echoes_secret_free);
  g_clear_pointer (&self->refresh_token, echoes_secret_free);
  self->access_token = g_strdup (access_token);
  self->refresh_token = g_strdup (refresh_token);
  g_free (self->user_id);
  self->user_id = g_strdup (user_id);
  if (email != NULL || user != NULL)
    {
      g_free (self->email);
      self->email = g_strdup (email);
    }
  self->expires_at = expires_at;

  if (!was_signed_in)
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SIGNED_IN]);
  if (g_strcmp0 (old_user, self->user_id) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_USER_ID]);
  if (g_strcmp0 (old_email, self->email) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_EMAIL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_EXPIRES_AT]);

  if (expires_at > 0)
    _echoes_auth_schedule_refresh (self, expires_at - g_get_real_time () / G_USEC_PER_SEC
                                         - self->refresh_margin);

  g_debug ("Session for user %s, expires at %" G_GINT64_FORMAT, self->user_id, expires_at);
  return TRUE;
}

static void
forgot_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!echoes_secret_store_clear_finish (ECHOES_SECRET_STORE (object), result, &error))
    g_message ("The keyring copy of the session could not be deleted: %s", error->message);
}

/* Ends the session here: memory and keyring. @reason: %NULL when the user signed out.
 * @forgotten, when given, runs once the keyring copy is gone (or there is none). */
void
_echoes_auth_end_session_full (EchoesAuth          *self,
                               const GError        *reason,
                               GAsyncReadyCallback  forgotten,
                               gpointer             user_data)
{
  if (self->store != NULL)
    echoes_secret_store_clear_async (self->store, self->url, NULL,
                                     forgotten ? forgotten : forgot_cb, user_data);
  else if (forgotten != NULL)
    forgotten (NULL, NULL, user_data);

  if (self->access_token == NULL)
    return;

  clear_session (self);
  g_signal_emit (self, signals [SIGNED_OUT], 0, reason);
}

void
_echoes_auth_end_session (EchoesAuth   *self,
                          const GError *reason)
{
  _echoes_auth_end_session_full (self, reason, NULL, NULL);
}

static void
echoes_auth_constructed (GObject *object)
{
  EchoesAuth *self = (EchoesAuth *)object;

  G_OBJECT_CLASS (echoes_auth_parent_class)->constructed (object);

  self->http = echoes_http_new (self->url, self->anon_key, NULL);
  if (self->use_keyring)
    self->store = echoes_secret_store_new ();
}

static void
echoes_auth_dispose (GObject *object)
{
  EchoesAuth *self = (EchoesAuth *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_timer, g_source_remove);
  g_clear_object (&self->http);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (echoes_auth_parent_class)->dispose (object);
}

static void
echoes_auth_finalize (GObject *object)
{
  EchoesAuth *self = (EchoesAuth *)object;

  g_clear_pointer (&self->access_token, echoes_secret_free);
  g_clear_pointer (&self->refresh_token, echoes_secret_free);
  g_clear_pointer (&self->user_id, g_free);
  g_clear_pointer (&self->email, g_free);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->anon_key, g_free);
  g_clear_error (&self->persistence_error);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->refresh_waiters, g_ptr_array_unref);

  G_OBJECT_CLASS (echoes_auth_parent_class)->finalize (object);
}

static void
echoes_auth_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EchoesAuth *self = ECHOES_AUTH (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_ANON_KEY:
      g_value_set_string (value, self->anon_key);
      break;
    case PROP_USE_KEYRING:
      g_value_set_boolean (value, self->use_keyring);
      break;
    case PROP_SIGNED_IN:
      g_value_set_boolean (value, self->access_token != NULL);
      break;
    case PROP_USER_ID:
      g_value_set_string (value, self->user_id);
      break;
    case PROP_EMAIL:
      g_value_set_string (value, self->email);
      break;
    case PROP_EXPIRES_AT:
      g_value_set_int64 (value, self->expires_at);
      break;
    case PROP_SESSION_PERSISTENT:
      g_value_set_boolean (value, self->session_persistent);
      break;
    case PROP_REFRESH_MARGIN:
      g_value_set_uint (value, self->refresh_margin);
      break;
    case PROP_OAUTH_TIMEOUT:
      g_value_set_uint (value, self->oauth_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_auth_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  EchoesAuth *self = ECHOES_AUTH (object);

  switch (prop_id)
    {
    case PROP_URL:
      {
        g_autofree char *url = g_value_dup_string (value);
        gsize len;

        if (url == NULL)
          url = g_strdup ("");
        len = strlen (url);
        while (len > 0 && url[len - 1] == '/')
          url[--len] = '\0';
        self->url = g_steal_pointer (&url);
      }
      break;
    case PROP_ANON_KEY:
      self->anon_key = g_value_dup_string (value);
      if (self->anon_key == NULL)
        self->anon_key = g_strdup ("");
      break;
    case PROP_USE_KEYRING:
      self->use_keyring = g_value_get_boolean (value);
      break;
    case PROP_REFRESH_MARGIN:
      if (self->refresh_margin != g_value_get_uint (value))
        {
          self->refresh_margin = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_OAUTH_TIMEOUT:
      if (self->oauth_timeout != g_value_get_uint (value))
        {
          self->oauth_timeout = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_auth_class_init (EchoesAuthClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = echoes_auth_constructed;
  object_class->dispose = echoes_auth_dispose;
  object_class->finalize = echoes_auth_finalize;
  object_class->get_property = echoes_auth_get_property;
  object_class->set_property = echoes_auth_set_property;

  /**
   * EchoesAuth:url:
   *
   * The account server's base URL.
   */
  properties [PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesAuth:anon-key:
   *
   * The account server's public key.
   */
  properties [PROP_ANON_KEY] =
    g_param_spec_string ("anon-key", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesAuth:use-keyring:
   *
   * Whether the session is kept in (and restored from) the keyring.
   */
  properties [PROP_USE_KEYRING] =
    g_param_spec_boolean ("use-keyring", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesAuth:signed-in:
   *
   * Whether there is a session.
   */
  properties [PROP_SIGNED_IN] =
    g_param_spec_boolean ("signed-in", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesAuth:user-id:
   *
   * The signed-in user's id (a UUID), or %NULL.
   */
  properties [PROP_USER_ID] =
    g_param_spec_string ("user-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesAuth:email:
   *
   * The signed-in user's e-mail address, or %NULL.
   */
  properties [PROP_EMAIL] =
    g_param_spec_string ("email", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesAuth:expires-at:
   *
   * When the access token expires, in seconds since the epoch; 0 when unknown.
   */
  properties [PROP_EXPIRES_AT] =
    g_param_spec_int64 ("expires-at", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesAuth:session-persistent:
   *
   * Whether the session is kept in the keyring and so survives a restart. When it is
   * %FALSE after a sign-in, echoes_auth_get_persistence_error() says why.
   */
  properties [PROP_SESSION_PERSISTENT] =
    g_param_spec_boolean ("session-persistent", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesAuth:refresh-margin:
   *
   * How many seconds before its expiry the session is refreshed.
   */
  properties [PROP_REFRESH_MARGIN] =
    g_param_spec_uint ("refresh-margin", NULL, NULL, 0, 3600, DEFAULT_REFRESH_MARGIN_S,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesAuth:oauth-timeout:
   *
   * How many seconds a browser sign-in may take before it fails.
   */
  properties [PROP_OAUTH_TIMEOUT] =
    g_param_spec_uint ("oauth-timeout", NULL, NULL, 1, 3600, DEFAULT_OAUTH_TIMEOUT_S,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EchoesAuth::signed-out:
   * @self: a #EchoesAuth
   * @reason: (nullable): why the session ended; %NULL when the user signed out
   *
   * The session ended: the user signed out, or the server refused to refresh it
   * (%ECHOES_CLOUD_ERROR_SESSION_EXPIRED).
   */
  signals [SIGNED_OUT] =
    g_signal_new ("signed-out",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
echoes_auth_init (EchoesAuth *self)
{
  self->cancellable = g_cancellable_new ();
}

/**
 * echoes_auth_new:
 * @url: the account server's base URL
 * @anon_key: its public key
 *
 * Creates a session owner that keeps the session in the keyring.
 *
 * Returns: (transfer full): a new #EchoesAuth, signed out until restored or signed in
 */
EchoesAuth *
echoes_auth_new (const char *url,
                 const char *anon_key)
{
  return echoes_auth_new_full (url, anon_key, TRUE);
}

/**
 * echoes_auth_new_full:
 * @url: the account server's base URL
 * @anon_key: its public key
 * @use_keyring: whether the session is kept in the keyring
 *
 * Creates a session owner; without the keyring a session lasts as long as the object.
 *
 * Returns: (transfer full): a new #EchoesAuth
 */
EchoesAuth *
echoes_auth_new_full (const char *url,
                      const char *anon_key,
                      gboolean    use_keyring)
{
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (anon_key != NULL, NULL);

  return g_object_new (ECHOES_TYPE_AUTH,
                       "url", url,
                       "anon-key", anon_key,
                       "use-keyring", use_keyring,
                       NULL);
}

/**
 * echoes_auth_new_from_settings:
 * @error: return location for an error
 *
 * Creates the app's session owner for the configured account server (see
 * echoes_cloud_config_lookup()).
 *
 * Returns: (transfer full) (nullable): a new #EchoesAuth, or %NULL with
 *   %ECHOES_CLOUD_ERROR_NOT_CONFIGURED
 */
EchoesAuth *
echoes_auth_new_from_settings (GError **error)
{
  g_autofree char *url = NULL;
  g_autofree char *anon_key = NULL;

  if (!echoes_cloud_config_lookup (&url, &anon_key, error))
    return NULL;
  return echoes_auth_new (url, anon_key);
}

/**
 * echoes_auth_get_url:
 * @self: a #EchoesAuth
 *
 * Returns: (transfer none): the account server's base URL
 */
const char *
echoes_auth_get_url (EchoesAuth *self)
{
  g_return_val_if_fail (ECHOES_IS_AUTH (self), NULL);
  return self->url;
}

/**
 * echoes_auth_get_anon_key:
 * @self: a #EchoesAuth
 *
 * Returns: (transfer none): the account server's public key
 */
const char *
echoes_auth_get_anon_key (EchoesAuth *self)
{
  g_return_val_if_fail (ECHOES_IS_AUTH (self), NULL);
  return self->anon_key;
}

/**
 * echoes_auth_get_signed_in:
 * @self: a #EchoesAuth
 *
 * Returns: whether there is a session
 */
gboolean
echoes_auth_get_signed_in (EchoesAuth *self)
{
  g_return_val_if_fail (ECHOES_IS_AUTH (self), FALSE);
  return self->access_token != NULL;
}

/**
 * echoes_auth_get_user_id:
 * @self: a #EchoesAuth
 *
 * Returns: (transfer none) (nullable): the signed-in user's id
 */
const char *
echoes_auth_get_user_id (EchoesAuth *self)
{
  g_return_val_if_fail (ECHOES_IS_AUTH (self), NULL);
  return self->user_id;
}

/**
 * echoes_auth_get_email:
 * @self: a #EchoesAuth
 *
 * Returns: (transfer none) (nullable): the signed-in user's e-mail address
 */
const char *
echoes_auth_get_email (EchoesAuth *self)
{
  g_return_val_if_fail (ECHOES_IS_AUTH (self), NULL);
  return self->email;
}

/**
 * echoes_auth_get_expires_at:
 * @self: a #EchoesAuth
 *
 * Returns: the access token's expiry in seconds since the epoch, 0 when signed out
 */
gint64
echoes_auth_get_expires_at (EchoesAuth *self)
{
  g_return_val_if_fail (ECHOES_IS_AUTH (self), 0);
  return self->expires_at;
}

/**
 * echoes_auth_get_session_persistent:
 * @self: a #EchoesAuth
 *
 * Returns: whether the session is kept in the keyring
 */
gboolean
echoes_auth_get_session_persistent (EchoesAuth *self)
{
  g_return_val_if_fail (ECHOES_IS_AUTH (self), FALSE);
  return self->session_persistent;
}

/**
 * echoes_auth_get_persistence_error:
 * @self: a #EchoesAuth
 *
 * Gets why the session could not be kept in the keyring (an %ECHOES_CLOUD_ERROR_KEYRING);
 * the UI tells the user the sign-in won't be remembered.
 *
 * Returns: (transfer none) (nullable): the error, or %NULL
 */
const GError *
echoes_auth_get_persistence_error (EchoesAuth *self)
{
  g_return_val_if_fail (ECHOES_IS_AUTH (self), NULL);
  return self->persistence_error;
}

/**
 * echoes_auth_dup_access_token:
 * @self: a #EchoesAuth
 *
 * Gets the access token for `Authorization: Bearer`. It is a secret: never log it.
 *
 * Returns: (transfer full) (nullable): the token, %NULL when signed out
 */
char *
echoes_auth_dup_access_token (EchoesAuth *self)
{
  g_return_val_if_fail (ECHOES_IS_AUTH (self), NULL);
  return g_strdup (self->access_token);
}
