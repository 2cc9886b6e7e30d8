/* echoes-http.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-http"

#include "config.h"

#include "echoes-http-private.h"

#include <string.h>

#include "echoes-auth.h"
#include "echoes-cloud-private.h"
#include "echoes-util.h"

/* EchoesHttp itself: the object, its properties and session, URLs and the bearer header.
 * The other pieces are listed in echoes-http-private.h. */

#define MAX_CONNS_PER_HOST 6

enum {
  PROP_0,
  PROP_URL,
  PROP_ANON_KEY,
  PROP_AUTH,
  PROP_TIMEOUT,
  PROP_MAX_TRIES,
  PROP_RETRY_DELAY,
  PROP_MAX_BODY_SIZE,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (EchoesHttp, echoes_http, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];

static void
echoes_http_dispose (GObject *object)
{
  EchoesHttp *self = (EchoesHttp *)object;

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->auth);

  G_OBJECT_CLASS (echoes_http_parent_class)->dispose (object);
}

static void
echoes_http_finalize (GObject *object)
{
  EchoesHttp *self = (EchoesHttp *)object;

  g_clear_object (&self->session);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->anon_key, g_free);

  G_OBJECT_CLASS (echoes_http_parent_class)->finalize (object);
}

static void
echoes_http_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EchoesHttp *self = ECHOES_HTTP (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_ANON_KEY:
      g_value_set_string (value, self->anon_key);
      break;
    case PROP_AUTH:
      g_value_set_object (value, self->auth);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_MAX_TRIES:
      g_value_set_uint (value, self->max_tries);
      break;
    case PROP_RETRY_DELAY:
      g_value_set_uint (value, self->retry_delay);
      break;
    case PROP_MAX_BODY_SIZE:
      g_value_set_uint64 (value, self->max_body_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_http_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  EchoesHttp *self = ECHOES_HTTP (object);

  switch (prop_id)
    {
    case PROP_URL:
      {
        g_autofree char *url = g_value_dup_string (value);
        g_autoptr(GUri) uri = NULL;
        gsize len;

        if (url == NULL)
          url = g_strdup ("");
        len = strlen (url);
        while (len > 0 && url[len - 1] == '/')
          url[--len] = '\0';
        if ((uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL)) != NULL)
          self->host = g_strdup (g_uri_get_host (uri));
        self->url = g_steal_pointer (&url);
      }
      break;
    case PROP_ANON_KEY:
      self->anon_key = g_value_dup_string (value);
      if (self->anon_key == NULL)
        self->anon_key = g_strdup ("");
      break;
    case PROP_AUTH:
      self->auth = g_value_dup_object (value);
      break;
    case PROP_TIMEOUT:
      echoes_http_set_timeout (self, g_value_get_uint (value));
      break;
    case PROP_MAX_TRIES:
      echoes_http_set_max_tries (self, g_value_get_uint (value));
      break;
    case PROP_RETRY_DELAY:
      echoes_http_set_retry_delay (self, g_value_get_uint (value));
      break;
    case PROP_MAX_BODY_SIZE:
      echoes_http_set_max_body_size (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_http_class_init (EchoesHttpClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = echoes_http_dispose;
  object_class->finalize = echoes_http_finalize;
  object_class->get_property = echoes_http_get_property;
  object_class->set_property = echoes_http_set_property;

  /**
   * EchoesHttp:url:
   *
   * The server's base URL; request paths are relative to it.
   */
  properties [PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesHttp:anon-key:
   *
   * The public key sent as `apikey` with every request to the server.
   */
  properties [PROP_ANON_KEY] =
    g_param_spec_string ("anon-key", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesHttp:auth:
   *
   * The session whose access token goes in `Authorization`, or %NULL.
   */
  properties [PROP_AUTH] =
    g_param_spec_object ("auth", NULL, NULL, ECHOES_TYPE_AUTH,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesHttp:timeout:
   *
   * Seconds without any data moving after which a request fails with
   * %ECHOES_CLOUD_ERROR_TIMEOUT (and an idempotent one is tried again).
   */
  properties [PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 1, 3600, 30,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesHttp:max-tries:
   *
   * How many times a request that may be retried is sent at most.
   */
  properties [PROP_MAX_TRIES] =
    g_param_spec_uint ("max-tries", NULL, NULL, 1, 20, 4,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesHttp:retry-delay:
   *
   * The first backoff delay in milliseconds; it doubles with each try, with jitter.
   */
  properties [PROP_RETRY_DELAY] =
    g_param_spec_uint ("retry-delay", NULL, NULL, 1, ECHOES_HTTP_MAX_RETRY_DELAY_MS, 500,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesHttp:max-body-size:
   *
   * The largest response body read into memory, in bytes; a larger one fails with
   * %ECHOES_CLOUD_ERROR_TOO_LARGE before it is read whole. Downloads are not capped.
   */
  properties [PROP_MAX_BODY_SIZE] =
    g_param_spec_uint64 ("max-body-size", NULL, NULL, 1, G_MAXSIZE, ECHOES_HTTP_MAX_JSON_SIZE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
echoes_http_init (EchoesHttp *self)
{
  /* SoupSession allows only 2 connections per host by default: the sync engine runs a
   * few uploads at once (MAX_UPLOADS in src/sync/echoes-sync-push.c) beside the odd
   * request for a token or a row, and every request here goes to the one host. */
  self->session = soup_session_new_with_options ("user-agent", "Echoes/" PACKAGE_VERSION,
                                                 "idle-timeout", 60,
                                                 "max-conns-per-host", MAX_CONNS_PER_HOST,
                                                 "max-conns", 2 * MAX_CONNS_PER_HOST,
                                                 NULL);
}

/**
 * echoes_http_new:
 * @url: the server's base URL, e.g. `https://<ref>.supabase.co`
 * @anon_key: the server's public key
 * @auth: (nullable): the session that signs requests, or %NULL
 *
 * Creates a request helper with its own #SoupSession.
 *
 * Returns: (transfer full): a new #EchoesHttp
 */
EchoesHttp *
echoes_http_new (const char *url,
                 const char *anon_key,
                 EchoesAuth *auth)
{
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (anon_key != NULL, NULL);
  g_return_val_if_fail (auth == NULL || ECHOES_IS_AUTH (auth), NULL);

  return g_object_new (ECHOES_TYPE_HTTP, "url", url, "anon-key", anon_key, "auth", auth, NULL);
}

/**
 * echoes_http_get_url:
 * @self: a #EchoesHttp
 *
 * Returns: (transfer none): the base URL, without a trailing slash
 */
const char *
echoes_http_get_url (EchoesHttp *self)
{
  g_return_val_if_fail (ECHOES_IS_HTTP (self), NULL);
  return self->url;
}

/**
 * echoes_http_get_auth:
 * @self: a #EchoesHttp
 *
 * Returns: (transfer none) (nullable): the session that signs the requests
 */
EchoesAuth *
echoes_http_get_auth (EchoesHttp *self)
{
  g_return_val_if_fail (ECHOES_IS_HTTP (self), NULL);
  return self->auth;
}

/**
 * echoes_http_get_session:
 * @self: a #EchoesHttp
 *
 * Returns: (transfer none): the libsoup session of this helper
 */
SoupSession *
echoes_http_get_session (EchoesHttp *self)
{
  g_return_val_if_fail (ECHOES_IS_HTTP (self), NULL);
  return self->session;
}

/**
 * echoes_http_get_timeout:
 * @self: a #EchoesHttp
 *
 * Returns: the #EchoesHttp:timeout in seconds
 */
guint
echoes_http_get_timeout (EchoesHttp *self)
{
  g_return_val_if_fail (ECHOES_IS_HTTP (self), 0);
  return self->timeout;
}

/**
 * echoes_http_set_timeout:
 * @self: a #EchoesHttp
 * @seconds: seconds without data before a request fails
 *
 * Sets #EchoesHttp:timeout.
 */
void
echoes_http_set_timeout (EchoesHttp *self,
                         guint       seconds)
{
  g_return_if_fail (ECHOES_IS_HTTP (self));
  g_return_if_fail (seconds > 0);

  if (self->timeout != seconds)
    {
      self->timeout = seconds;
      soup_session_set_timeout (self->session, seconds);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_TIMEOUT]);
    }
}

/**
 * echoes_http_get_max_tries:
 * @self: a #EchoesHttp
 *
 * Returns: the #EchoesHttp:max-tries
 */
guint
echoes_http_get_max_tries (EchoesHttp *self)
{
  g_return_val_if_fail (ECHOES_IS_HTTP (self), 0);
  return self->max_tries;
}

/**
 * echoes_http_set_max_tries:
 * @self: a #EchoesHttp
 * @max_tries: how many times a retried request is sent at most (1: never retried)
 *
 * Sets #EchoesHttp:max-tries.
 */
void
echoes_http_set_max_tries (EchoesHttp *self,
                           guint       max_tries)
{
  g_return_if_fail (ECHOES_IS_HTTP (self));
  g_return_if_fail (max_tries > 0);

  if (self->max_tries != max_tries)
    {
      self->max_tries = max_tries;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MAX_TRIES]);
    }
}

/**
 * echoes_http_get_retry_delay:
 * @self: a #EchoesHttp
 *
 * Returns: the #EchoesHttp:retry-delay in milliseconds
 */
guint
echoes_http_get_retry_delay (EchoesHttp *self)
{
  g_return_val_if_fail (ECHOES_IS_HTTP (self), 0);
  return self->retry_delay;
}

/**
 * echoes_http_set_retry_delay:
 * @self: a #EchoesHttp
 * @msec: the first backoff delay in milliseconds
 *
 * Sets #EchoesHttp:retry-delay.
 */
void
echoes_http_set_retry_delay (EchoesHttp *self,
                             guint       msec)
{
  g_return_if_fail (ECHOES_IS_HTTP (self));
  g_return_if_fail (msec > 0);

  if (self->retry_delay != msec)
    {
      self->retry_delay = msec;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_RETRY_DELAY]);
    }
}

/**
 * echoes_http_get_max_body_size:
 * @self: a #EchoesHttp
 *
 * Returns: the #EchoesHttp:max-body-size in bytes
 */
gsize
echoes_http_get_max_body_size (EchoesHttp *self)
{
  g_return_val_if_fail (ECHOES_IS_HTTP (self), 0);
  return self->max_body_size;
}

/**
 * echoes_http_set_max_body_size:
 * @self: a #EchoesHttp
 * @max_body_size: the largest body read into memory, in bytes
 *
 * Sets #EchoesHttp:max-body-size.
 */
void
echoes_http_set_max_body_size (EchoesHttp *self,
                               gsize       max_body_size)
{
  g_return_if_fail (ECHOES_IS_HTTP (self));
  g_return_if_fail (max_body_size > 0);

  if (self->max_body_size != max_body_size)
    {
      self->max_body_size = max_body_size;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MAX_BODY_SIZE]);
    }
}

/**
 * echoes_http_headers_set_bearer:
 * @headers: request headers
 * @token: a secret (a session's access token, an API key)
 *
 * Sets `Authorization: Bearer @token`; the copy of the secret made for it is wiped.
 */
void
echoes_http_headers_set_bearer (SoupMessageHeaders *headers,
                                const char         *token)
{
  char *bearer = g_strconcat ("Bearer ", token, NULL);

  soup_message_headers_replace (headers, "Authorization", bearer);
  echoes_secret_free (bearer);
}

/**
 * echoes_http_build_url:
 * @self: a #EchoesHttp
 * @path: a path below the base URL, starting with `/` (may already carry a query)
 * @params: (nullable) (array zero-terminated=1): key/value pairs, unescaped, for the query
 *
 * Builds an absolute URL; the values are percent-encoded.
 *
 * Returns: (transfer full): the URL
 */
char *
echoes_http_build_url (EchoesHttp         *self,
                       const char         *path,
                       const char * const *params)
{
  GString *url;
  gboolean has_query;

  g_return_val_if_fail (ECHOES_IS_HTTP (self), NULL);
  g_return_val_if_fail (path != NULL && path[0] == '/', NULL);

  url = g_string_new (self->url);
  g_string_append (url, path);
  has_query = strchr (path, '?') != NULL;

  for (guint i = 0; params != NULL && params[i] != NULL && params[i + 1] != NULL; i += 2)
    {
      g_autofree char *key = g_uri_escape_string (params[i], NULL, FALSE);
      g_autofree char *value = _echoes_cloud_escape_param (params[i + 1]);

      g_string_append_c (url, has_query ? '&' : '?');
      g_string_append_printf (url, "%s=%s", key, value);
      has_query = TRUE;
    }

  return g_string_free (url, FALSE);
}
