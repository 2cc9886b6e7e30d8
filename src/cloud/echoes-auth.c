/* echoes-auth.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-auth"

#include "config.h"

#include "echoes-auth.h"

#include <string.h>
#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "echoes-cloud-config.h"
#include "echoes-cloud-error.h"
#include "echoes-cloud-private.h"
#include "echoes-http.h"
#include "echoes-loopback-redirect.h"
#include "echoes-util.h"

/* A session is refreshed this long before its access token expires. */
#define DEFAULT_REFRESH_MARGIN_S 60
/* After a refresh failed for a transient reason (offline), it is tried again this late. */
#define REFRESH_RETRY_S          30
#define DEFAULT_OAUTH_TIMEOUT_S  300

struct _EchoesAuth
{
  GObject            parent_instance;

  char              *url;                /* (owned) */
  char              *anon_key;           /* (owned) */
  gboolean           use_keyring;
  EchoesHttp        *http;               /* (owned) no auth of its own */
  EchoesSecretStore *store;              /* (owned) (nullable) */
  GCancellable      *cancellable;        /* (owned) cancelled in dispose */

  /* The session; the tokens are secrets: never logged. */
  char              *access_token;       /* (owned) (nullable) */
  char              *refresh_token;      /* (owned) (nullable) */
  gint64             expires_at;
  char              *user_id;            /* (owned) (nullable) */
  char              *email;              /* (owned) (nullable) */

  gboolean           session_persistent;
  GError            *persistence_error;  /* (owned) (nullable) */

  guint              refresh_timer;
  GPtrArray         *refresh_waiters;    /* (owned) (nullable) GTasks; non-NULL: one in flight */
  guint              refresh_margin;
  guint              oauth_timeout;
};

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

static void schedule_refresh (EchoesAuth *self,
                              gint64      delay_s);

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

static void
set_persistence (EchoesAuth   *self,
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

static const char *
get_string (JsonObject *object,
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
static gboolean
apply_session (EchoesAuth  *self,
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

  access_token = get_string (object, "access_token");
  refresh_token = get_string (object, "refresh_token");
  user_id = user != NULL ? get_string (user, "id") : get_string (object, "user_id");
  email = user != NULL ? get_string (user, "email") : get_string (object, "email");

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
    schedule_refresh (self, expires_at - g_get_real_time () / G_USEC_PER_SEC - self->refresh_margin);

  g_debug ("Session for user %s, expires at %" G_GINT64_FORMAT, self->user_id, expires_at);
  return TRUE;
}

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
      set_persistence (self, FALSE, error);
    }
  else
    set_persistence (self, TRUE, NULL);

  g_task_return_boolean (task, TRUE);
}

static void
persist_session (EchoesAuth          *self,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  GTask *task = g_task_new (self, self->cancellable, callback, user_data);
  char *secret;

  if (self->store == NULL || self->access_token == NULL)
    {
      if (self->store == NULL)
        set_persistence (self, FALSE, NULL);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  secret = serialize_session (self);
  echoes_secret_store_store_async (self->store, self->url, secret, self->cancellable,
                                   persisted_cb, task);
  echoes_secret_free (secret);
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
static void
end_session_full (EchoesAuth          *self,
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

static void
end_session (EchoesAuth   *self,
             const GError *reason)
{
  end_session_full (self, reason, NULL, NULL);
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
  if (node != NULL && self->access_token != NULL && apply_session (self, node, &error))
    {
      /* The new refresh token is in the keyring before anyone uses the new session. */
      persist_session (self, refresh_persisted_cb, g_object_ref (self));
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
        schedule_refresh (self, REFRESH_RETRY_S);
      finish_refresh (self, error);
      return;
    }

  {
    g_autoptr(GError) expired = g_error_new (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_SESSION_EXPIRED,
                                             "The server refused the refresh: %s", error->message);

    g_message ("Session ended: %s", expired->message);
    end_session (self, expired);
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

static void
schedule_refresh (EchoesAuth *self,
                  gint64      delay_s)
{
  g_clear_handle_id (&self->refresh_timer, g_source_remove);
  delay_s = CLAMP (delay_s, 0, G_MAXUINT / 1000);
  self->refresh_timer = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, (guint) delay_s,
                                                    refresh_timer_cb, self, NULL);
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
        set_persistence (self, FALSE, error);
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
  if (!parsed || !apply_session (self, json_parser_get_root (parser), &error))
    {
      g_message ("The keyring holds an unreadable session; it is dropped");
      end_session (self, NULL);
      g_task_return_boolean (task, TRUE);
      return;
    }
  set_persistence (self, TRUE, NULL);

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

/* sign-up / sign-in */

static void
session_persisted_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  g_task_propagate_boolean (G_TASK (result), NULL);
  g_task_return_boolean (task, TRUE);
}

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
      if (get_string (json_node_get_object (node), "id") == NULL
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

  if (!apply_session (self, node, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  persist_session (self, session_persisted_cb, g_steal_pointer (&task));
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
oauth_persisted_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  g_task_propagate_boolean (G_TASK (result), NULL);
  g_task_return_boolean (task, TRUE);
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
  if (node == NULL || !apply_session (self, node, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  persist_session (self, oauth_persisted_cb, g_steal_pointer (&task));
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
      end_session_full (self, NULL, sign_out_forgotten_cb, g_steal_pointer (&task));
      return;
    }

  headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  echoes_http_headers_set_bearer (headers, self->access_token);

  sign_out->pending = 2;
  end_session_full (self, NULL, sign_out_forgotten_cb, g_object_ref (task));
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

static void
recovered_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;

  node = echoes_http_send_json_finish (ECHOES_HTTP (object), result, &error);
  if (node == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

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
                               ECHOES_HTTP_ANONYMOUS, cancellable, recovered_cb,
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
