/* echoes-http.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-http"

#include "config.h"

#include "echoes-http.h"

#include <string.h>

#include "echoes-auth.h"
#include "echoes-cloud-error.h"
#include "echoes-cloud-private.h"
#include "echoes-util.h"

#define READ_CHUNK         (64 * 1024)
#define MAX_ERROR_BODY     (64 * 1024)
#define MAX_RETRY_DELAY_MS (60 * 1000)
#define MAX_CONNS_PER_HOST 6
/* A token this close to its expiry is refreshed before the request rather than after a 401. */
#define EXPIRY_SLACK_S     10

struct _EchoesHttp
{
  GObject      parent_instance;

  char        *url;       /* (owned) no trailing slash */
  char        *host;      /* (owned) (nullable) */
  char        *anon_key;  /* (owned) */
  EchoesAuth  *auth;      /* (owned) (nullable) */
  SoupSession *session;   /* (owned) */
  guint        timeout;
  guint        max_tries;
  guint        retry_delay;
  gsize        max_body_size;
};

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

typedef struct
{
  char               *method;
  char               *url;
  char               *log_url;
  SoupMessageHeaders *headers;       /* (nullable) extra request headers */
  GBytes             *body;          /* (nullable) */
  char               *content_type;
  EchoesHttpFlags     flags;
  gboolean            json;
  guint               attempt;
  gboolean            refreshed;
  gboolean            same_host;
  char               *token;         /* the token sent in this attempt (nullable) */
  SoupMessage        *msg;
  GInputStream       *stream;
  GByteArray         *buffer;
  gsize               cap;
  guint               status;
  GFile              *destination;   /* downloads only */
  GFile              *part;
  GOutputStream      *out;
  goffset             written;
  GError             *pending;       /* error kept while the part file is deleted */
  GSource            *delay;
  GSource            *cancel_source;
} Request;

static void
request_free (gpointer data)
{
  Request *request = data;

  g_free (request->method);
  g_free (request->url);
  g_free (request->log_url);
  g_clear_pointer (&request->headers, soup_message_headers_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request->content_type);
  echoes_secret_free (request->token);
  g_clear_object (&request->msg);
  g_clear_object (&request->stream);
  g_clear_pointer (&request->buffer, g_byte_array_unref);
  g_clear_object (&request->destination);
  g_clear_object (&request->part);
  g_clear_object (&request->out);
  g_clear_error (&request->pending);
  if (request->delay != NULL)
    g_source_destroy (request->delay);
  g_clear_pointer (&request->delay, g_source_unref);
  if (request->cancel_source != NULL)
    g_source_destroy (request->cancel_source);
  g_clear_pointer (&request->cancel_source, g_source_unref);
  g_free (request);
}

static void start_attempt (GTask *task);

/**
 * echoes_http_response_free:
 * @response: (transfer full): a response
 *
 * Frees @response.
 */
void
echoes_http_response_free (EchoesHttpResponse *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response);
}

static JsonNode *
parse_json (GBytes  *body,
            GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  const char *data;
  gsize size = 0;

  data = g_bytes_get_data (body, &size);
  if (size == 0)
    return json_node_new (JSON_NODE_NULL);

  if (!json_parser_load_from_data (parser, data, size, &local_error))
    {
      g_set_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_BAD_RESPONSE,
                   "Malformed JSON answer: %s", local_error->message);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    return json_node_new (JSON_NODE_NULL);
  return json_node_ref (json_parser_get_root (parser));
}

/**
 * echoes_http_response_dup_json:
 * @response: a response
 * @error: return location for an error
 *
 * Parses the body of @response as JSON. An empty body gives a JSON null node; malformed or
 * truncated JSON fails with %ECHOES_CLOUD_ERROR_BAD_RESPONSE.
 *
 * Returns: (transfer full) (nullable): the parsed body
 */
JsonNode *
echoes_http_response_dup_json (EchoesHttpResponse  *response,
                               GError             **error)
{
  g_return_val_if_fail (response != NULL, NULL);

  return parse_json (response->body, error);
}

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
    g_param_spec_uint ("retry-delay", NULL, NULL, 1, MAX_RETRY_DELAY_MS, 500,
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

static gboolean
method_is_idempotent (const char *method)
{
  return g_str_equal (method, "GET") || g_str_equal (method, "HEAD")
      || g_str_equal (method, "PUT") || g_str_equal (method, "DELETE")
      || g_str_equal (method, "PATCH") || g_str_equal (method, "OPTIONS");
}

static gboolean
may_retry (Request *request)
{
  if (request->flags & ECHOES_HTTP_NO_RETRY)
    return FALSE;
  return (request->flags & ECHOES_HTTP_IDEMPOTENT) || method_is_idempotent (request->method);
}

/* Errors that mean the request never reached the server: even a POST may go again. */
static gboolean
never_sent (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND)
      || error->domain == G_RESOLVER_ERROR;
}

/* The delay before the next try: `Retry-After` when the server sent one (seconds or an HTTP
 * date), else exponential backoff with "equal jitter". -1 when the server asks for a wait
 * longer than we are willing to make. */
static gint64
retry_delay_ms (EchoesHttp         *self,
                Request            *request,
                SoupMessageHeaders *headers)
{
  const char *retry_after = headers != NULL ? soup_message_headers_get_one (headers, "Retry-After") : NULL;
  guint64 backoff;

  if (retry_after != NULL)
    {
      g_autofree char *value = g_strstrip (g_strdup (retry_after));
      guint64 seconds = 0;
      gint64 delay = -1;

      if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT32, &seconds, NULL))
        delay = (gint64) seconds * 1000;
      else
        {
          g_autoptr(GDateTime) when = soup_date_time_new_from_http_string (retry_after);
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

          if (when != NULL)
            delay = MAX (0, g_date_time_difference (when, now) / 1000);
        }

      if (delay > MAX_RETRY_DELAY_MS)
        return -1;
      if (delay >= 0)
        return delay;
    }

  backoff = (guint64) self->retry_delay << MIN (request->attempt - 1, 16);
  backoff = MIN (backoff, MAX_RETRY_DELAY_MS);
  return (gint64) (backoff / 2 + g_random_int_range (0, (gint32) (backoff / 2) + 1));
}

static gboolean
retry_now_cb (gpointer user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);

  g_clear_pointer (&request->delay, g_source_unref);
  if (request->cancel_source != NULL)
    g_source_destroy (request->cancel_source);
  g_clear_pointer (&request->cancel_source, g_source_unref);
  start_attempt (task);
  return G_SOURCE_REMOVE;
}

static gboolean
retry_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);

  if (request->delay != NULL)
    g_source_destroy (request->delay);
  g_clear_pointer (&request->delay, g_source_unref);
  g_clear_pointer (&request->cancel_source, g_source_unref);
  g_task_return_error_if_cancelled (task);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* Takes the task's reference. */
static void
schedule_retry (GTask  *task,
                gint64  delay)
{
  Request *request = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  g_debug ("%s %s: trying again in %" G_GINT64_FORMAT " ms (try %u)",
           request->method, request->log_url, delay, request->attempt + 1);

  request->delay = g_timeout_source_new ((guint) delay);
  /* The task's one reference goes to whichever source fires first; it destroys the other. */
  g_source_set_callback (request->delay, retry_now_cb, task, NULL);
  g_source_attach (request->delay, g_task_get_context (task));

  if (cancellable != NULL)
    {
      request->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (request->cancel_source, G_SOURCE_FUNC (retry_cancelled_cb),
                             task, NULL);
      g_source_attach (request->cancel_source, g_task_get_context (task));
    }
}

static void
fail (GTask  *task,
      GError *error)
{
  Request *request = g_task_get_task_data (task);

  g_debug ("%s %s failed: %s", request->method, request->log_url, error->message);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
close_stream (Request *request)
{
  if (request->stream != NULL)
    g_input_stream_close_async (request->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_clear_object (&request->stream);
}

/* A retryable failure of this attempt: schedules the next or fails. Takes the task ref. */
static void
retry_or_fail (GTask              *task,
               GError             *error,
               SoupMessageHeaders *headers,
               gboolean            retryable)
{
  EchoesHttp *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  gint64 delay;

  if (!retryable || request->attempt >= self->max_tries
      || g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      fail (task, error);
      return;
    }

  delay = retry_delay_ms (self, request, headers);
  if (delay < 0)
    {
      fail (task, error);
      return;
    }

  g_debug ("%s %s: %s", request->method, request->log_url, error->message);
  g_error_free (error);
  schedule_retry (task, delay);
}

static void
return_response (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  EchoesHttpResponse *response = g_new0 (EchoesHttpResponse, 1);

  response->status = request->status;
  response->headers = soup_message_headers_ref (soup_message_get_response_headers (request->msg));
  response->body = g_byte_array_free_to_bytes (g_steal_pointer (&request->buffer));

  g_debug ("%s %s -> %u (%" G_GSIZE_FORMAT " bytes)", request->method, request->log_url,
           request->status, g_bytes_get_size (response->body));

  g_task_return_pointer (task, response, (GDestroyNotify) echoes_http_response_free);
  g_object_unref (task);
}

static void refresh_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data);

static void
body_complete (GTask *task)
{
  EchoesHttp *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  SoupMessageHeaders *headers = soup_message_get_response_headers (request->msg);
  g_autoptr(GBytes) body = NULL;
  GError *error;

  close_stream (request);

  if (SOUP_STATUS_IS_SUCCESSFUL (request->status))
    {
      return_response (task);
      return;
    }

  body = g_byte_array_free_to_bytes (g_steal_pointer (&request->buffer));
  error = _echoes_cloud_error_from_response (request->status, headers, body);
  g_debug ("%s %s -> %u (%" G_GSIZE_FORMAT " bytes)", request->method, request->log_url,
           request->status, g_bytes_get_size (body));

  /* Storage refuses an expired token with HTTP 400 or 403 ("jwt expired"), not 401: the
   * same one refresh and one retry. */
  if (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_UNAUTHORIZED)
      && request->token != NULL && !request->refreshed && self->auth != NULL)
    {
      g_debug ("%s %s: token refused, refreshing the session", request->method, request->log_url);
      g_error_free (error);
      request->refreshed = TRUE;
      echoes_auth_refresh_async (self->auth, request->token, g_task_get_cancellable (task),
                                 refresh_cb, task);
      return;
    }

  /* A 5xx after a POST may have been carried out: it is never sent twice blindly. */
  retry_or_fail (task, error, headers,
                 may_retry (request) && request->status >= 500
                 && request->status != SOUP_STATUS_NOT_IMPLEMENTED);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (bytes == NULL)
    {
      close_stream (request);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail (task, g_steal_pointer (&error));
      else
        retry_or_fail (task, _echoes_cloud_error_from_io (error), NULL, may_retry (request));
      return;
    }

  if (g_bytes_get_size (bytes) == 0)
    {
      body_complete (task);
      return;
    }

  if (request->buffer->len + g_bytes_get_size (bytes) > request->cap)
    {
      close_stream (request);
      if (SOUP_STATUS_IS_SUCCESSFUL (request->status))
        fail (task, g_error_new (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_TOO_LARGE,
                                 "Answer larger than %" G_GSIZE_FORMAT " bytes refused",
                                 request->cap));
      else
        fail (task, _echoes_cloud_error_from_response (request->status, NULL, NULL));
      return;
    }

  g_byte_array_append (request->buffer, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_input_stream_read_bytes_async (request->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), read_cb, task);
}

static void download_body (GTask *task);

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!echoes_auth_refresh_finish (ECHOES_AUTH (object), result, &error))
    {
      fail (task, g_steal_pointer (&error));
      return;
    }
  start_attempt (task);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  EchoesHttp *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  goffset length;

  request->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (request->stream == NULL)
    {
      gboolean retryable;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          fail (task, g_steal_pointer (&error));
          return;
        }
      retryable = !(request->flags & ECHOES_HTTP_NO_RETRY)
                  && (may_retry (request) || never_sent (error));
      retry_or_fail (task, _echoes_cloud_error_from_io (error), NULL, retryable);
      return;
    }

  request->status = soup_message_get_status (request->msg);
  headers = soup_message_get_response_headers (request->msg);

  /* The token was refused: refresh once (or wait for the refresh already running) and send
   * the request again with the new token. */
  if (request->status == SOUP_STATUS_UNAUTHORIZED && request->token != NULL
      && !request->refreshed && self->auth != NULL)
    {
      g_debug ("%s %s -> 401: refreshing the session", request->method, request->log_url);
      close_stream (request);
      request->refreshed = TRUE;
      echoes_auth_refresh_async (self->auth, request->token, g_task_get_cancellable (task),
                                 refresh_cb, task);
      return;
    }

  /* Rate-limited: nothing was done, so even a POST may go again after the wait. */
  if (request->status == 429
      && !(request->flags & ECHOES_HTTP_NO_RETRY) && request->attempt < self->max_tries)
    {
      g_autoptr(SoupMessageHeaders) kept = soup_message_headers_ref (headers);

      close_stream (request);
      retry_or_fail (task, _echoes_cloud_error_from_response (request->status, NULL, NULL),
                     kept, TRUE);
      return;
    }

  if (request->destination != NULL && SOUP_STATUS_IS_SUCCESSFUL (request->status))
    {
      download_body (task);
      return;
    }

  request->cap = SOUP_STATUS_IS_SUCCESSFUL (request->status) ? self->max_body_size : MAX_ERROR_BODY;
  length = soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
           ? soup_message_headers_get_content_length (headers) : -1;

  /* A body announced larger than the cap is refused before a byte of it is read. */
  if (length > 0 && (guint64) length > request->cap)
    {
      close_stream (request);
      if (SOUP_STATUS_IS_SUCCESSFUL (request->status))
        fail (task, g_error_new (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_TOO_LARGE,
                                 "Answer of %" G_GOFFSET_FORMAT " bytes refused (cap %" G_GSIZE_FORMAT ")",
                                 length, request->cap));
      else
        retry_or_fail (task, _echoes_cloud_error_from_response (request->status, headers, NULL),
                       headers, may_retry (request) && request->status >= 500);
      return;
    }

  g_clear_pointer (&request->buffer, g_byte_array_unref);
  request->buffer = g_byte_array_sized_new (length > 0 ? (guint) length : 0);
  g_input_stream_read_bytes_async (request->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), read_cb, task);
}

static void
add_header_cb (const char *name,
               const char *value,
               gpointer    user_data)
{
  soup_message_headers_replace (user_data, name, value);
}

static void
start_attempt (GTask *task)
{
  EchoesHttp *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  SoupMessageHeaders *headers;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  g_clear_object (&request->msg);
  g_clear_object (&request->stream);
  g_clear_pointer (&request->buffer, g_byte_array_unref);
  g_clear_pointer (&request->token, g_free);

  if (self->auth != NULL && request->same_host && !(request->flags & ECHOES_HTTP_ANONYMOUS))
    {
      request->token = echoes_auth_dup_access_token (self->auth);

      if (request->token == NULL && (request->flags & ECHOES_HTTP_REQUIRE_SESSION))
        {
          fail (task, g_error_new_literal (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_NOT_SIGNED_IN,
                                           "Not signed in"));
          return;
        }

      /* After a suspend the refresh timer may be late: refresh first, not after a 401. */
      if (request->token != NULL && !request->refreshed
          && echoes_auth_get_expires_at (self->auth) > 0
          && echoes_auth_get_expires_at (self->auth) <= g_get_real_time () / G_USEC_PER_SEC + EXPIRY_SLACK_S)
        {
          request->refreshed = TRUE;
          echoes_auth_refresh_async (self->auth, request->token, g_task_get_cancellable (task),
                                     refresh_cb, task);
          return;
        }
    }

  request->msg = soup_message_new (request->method, request->url);
  if (request->msg == NULL)
    {
      fail (task, g_error_new (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_FAILED,
                               "Invalid URL %s", request->log_url));
      return;
    }

  request->attempt++;
  headers = soup_message_get_request_headers (request->msg);
  if (request->same_host)
    soup_message_headers_replace (headers, "apikey", self->anon_key);
  if (request->token != NULL)
    echoes_http_headers_set_bearer (headers, request->token);
  if (request->json)
    soup_message_headers_replace (headers, "Accept", "application/json");
  if (request->headers != NULL)
    soup_message_headers_foreach (request->headers, add_header_cb, headers);
  if (request->body != NULL)
    soup_message_set_request_body_from_bytes (request->msg, request->content_type, request->body);
  if (request->destination != NULL)
    {
      /* Sizes are checked against Content-Length: take the bytes as stored. */
      soup_message_disable_feature (request->msg, SOUP_TYPE_CONTENT_DECODER);
      soup_message_headers_replace (headers, "Accept-Encoding", "identity");
    }

  soup_session_send_async (self->session, request->msg, G_PRIORITY_DEFAULT,
                           g_task_get_cancellable (task), sent_cb, task);
}

static GTask *
request_new (EchoesHttp          *self,
             const char          *method,
             const char          *path,
             SoupMessageHeaders  *headers,
             GBytes              *body,
             const char          *content_type,
             EchoesHttpFlags      flags,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);

  request->method = g_ascii_strup (method, -1);
  if (flags & ECHOES_HTTP_ABSOLUTE_URL)
    {
      g_autoptr(GUri) uri = g_uri_parse (path, G_URI_FLAGS_NONE, NULL);

      request->url = g_strdup (path);
      request->same_host = uri != NULL && self->host != NULL
                           && g_ascii_strcasecmp (g_uri_get_host (uri), self->host) == 0;
    }
  else
    {
      request->url = g_strconcat (self->url, path, NULL);
      request->same_host = TRUE;
    }
  request->log_url = _echoes_cloud_loggable_url (request->url);
  request->headers = headers != NULL ? soup_message_headers_ref (headers) : NULL;
  request->body = body != NULL ? g_bytes_ref (body) : NULL;
  request->content_type = g_strdup (content_type);
  request->flags = flags;
  g_task_set_task_data (task, request, request_free);

  return task;
}

/**
 * echoes_http_send_async:
 * @self: a #EchoesHttp
 * @method: the HTTP method
 * @path: a path below the base URL with its query (already encoded, see
 *   echoes_http_build_url()), or an absolute URL with %ECHOES_HTTP_ABSOLUTE_URL
 * @headers: (nullable): extra request headers (a %SOUP_MESSAGE_HEADERS_REQUEST)
 * @body: (nullable): the request body
 * @content_type: (nullable): the body's type
 * @flags: how to send it
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the answer was read
 * @user_data: data for @callback
 *
 * Sends a request, retrying and refreshing the session as described in the header, and
 * reads its answer (at most #EchoesHttp:max-body-size bytes).
 */
void
echoes_http_send_async (EchoesHttp          *self,
                        const char          *method,
                        const char          *path,
                        SoupMessageHeaders  *headers,
                        GBytes              *body,
                        const char          *content_type,
                        EchoesHttpFlags      flags,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (ECHOES_IS_HTTP (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = request_new (self, method, path, headers, body, content_type, flags,
                      cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_http_send_async);
  start_attempt (task);
}

/**
 * echoes_http_send_finish:
 * @self: a #EchoesHttp
 * @result: the result
 * @error: return location for an error
 *
 * Gets the answer of echoes_http_send_async(). Any status but 2xx is an error in
 * %ECHOES_CLOUD_ERROR.
 *
 * Returns: (transfer full): the answer, or %NULL with @error set
 */
EchoesHttpResponse *
echoes_http_send_finish (EchoesHttp    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (ECHOES_IS_HTTP (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
send_json_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(EchoesHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  response = g_task_propagate_pointer (G_TASK (result), &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if ((node = parse_json (response->body, &error)) == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

/**
 * echoes_http_send_json_async:
 * @self: a #EchoesHttp
 * @method: the HTTP method
 * @path: as for echoes_http_send_async()
 * @headers: (nullable): extra request headers
 * @body: (nullable): a JSON body
 * @flags: how to send it
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the parsed answer
 * @user_data: data for @callback
 *
 * Like echoes_http_send_async() with a JSON body and a JSON answer.
 */
void
echoes_http_send_json_async (EchoesHttp          *self,
                             const char          *method,
                             const char          *path,
                             SoupMessageHeaders  *headers,
                             JsonNode            *body,
                             EchoesHttpFlags      flags,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GBytes) bytes = NULL;
  GTask *outer;
  GTask *task;

  g_return_if_fail (ECHOES_IS_HTTP (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  if (body != NULL)
    {
      char *text = json_to_string (body, FALSE);

      bytes = g_bytes_new_take (text, strlen (text));
    }

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, echoes_http_send_json_async);

  task = request_new (self, method, path, headers, bytes, bytes != NULL ? "application/json" : NULL,
                      flags, cancellable, send_json_cb, outer);
  ((Request *) g_task_get_task_data (task))->json = TRUE;
  start_attempt (task);
}

/**
 * echoes_http_send_json_finish:
 * @self: a #EchoesHttp
 * @result: the result
 * @error: return location for an error
 *
 * Gets the answer of echoes_http_send_json_async(): a JSON null node for an empty body.
 * Malformed or truncated JSON fails with %ECHOES_CLOUD_ERROR_BAD_RESPONSE.
 *
 * Returns: (transfer full): the parsed answer, or %NULL with @error set
 */
JsonNode *
echoes_http_send_json_finish (EchoesHttp    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (ECHOES_IS_HTTP (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Downloads: the body goes to a hidden file next to the destination, which replaces the
 * destination only once its size matches Content-Length. On any error the part file is
 * deleted: no half file is ever left under the destination's name or beside it. */

static void
part_deleted_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);

  g_file_delete_finish (G_FILE (object), result, NULL);
  fail (task, g_steal_pointer (&request->pending));
}

static void
download_fail (GTask  *task,
               GError *error)
{
  Request *request = g_task_get_task_data (task);

  close_stream (request);
  request->pending = error;
  if (request->part == NULL)
    {
      fail (task, g_steal_pointer (&request->pending));
      return;
    }
  /* Not cancellable: the part file goes even when the download was cancelled. */
  g_file_delete_async (request->part, G_PRIORITY_DEFAULT, NULL, part_deleted_cb, task);
}

static void
moved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_file_move_finish (G_FILE (object), result, &error))
    {
      download_fail (task, g_steal_pointer (&error));
      return;
    }

  g_debug ("%s %s -> %u (%" G_GOFFSET_FORMAT " bytes to a file)", request->method,
           request->log_url, request->status, request->written);
  g_task_return_int (task, request->written);
  g_object_unref (task);
}

static void
spliced_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);
  SoupMessageHeaders *headers = soup_message_get_response_headers (request->msg);
  g_autoptr(GError) error = NULL;
  goffset expected = -1;
  gssize written;

  written = g_output_stream_splice_finish (G_OUTPUT_STREAM (object), result, &error);
  g_clear_object (&request->stream);
  g_clear_object (&request->out);
  if (written < 0)
    {
      /* Local errors (a full disk) stay GIO errors; the network's become cloud errors. */
      gboolean network = error->domain != G_IO_ERROR
                         || error->code == G_IO_ERROR_PARTIAL_INPUT
                         || error->code == G_IO_ERROR_TIMED_OUT
                         || error->code == G_IO_ERROR_CONNECTION_CLOSED
                         || error->code == G_IO_ERROR_BROKEN_PIPE;

      download_fail (task, network ? _echoes_cloud_error_from_io (error) : g_steal_pointer (&error));
      return;
    }
  request->written = written;

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    expected = soup_message_headers_get_content_length (headers);
  if (expected >= 0 && expected != written)
    {
      download_fail (task, g_error_new (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_BAD_RESPONSE,
                                        "Downloaded %" G_GSSIZE_FORMAT " bytes of %" G_GOFFSET_FORMAT,
                                        written, expected));
      return;
    }

  g_file_move_async (request->part, request->destination, G_FILE_COPY_OVERWRITE,
                     G_PRIORITY_DEFAULT, g_task_get_cancellable (task), NULL, NULL, moved_cb, task);
}

static void
part_created_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;

  out = g_file_create_finish (G_FILE (object), result, &error);
  if (out == NULL)
    {
      g_clear_object (&request->part);
      download_fail (task, g_steal_pointer (&error));
      return;
    }

  request->out = G_OUTPUT_STREAM (g_steal_pointer (&out));
  g_output_stream_splice_async (request->out, request->stream,
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, g_task_get_cancellable (task), spliced_cb, task);
}

static void
download_body (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  g_autoptr(GFile) parent = g_file_get_parent (request->destination);
  g_autofree char *basename = g_file_get_basename (request->destination);
  g_autofree char *name = g_strdup_printf (".%s.%08x.part", basename, g_random_int ());

  request->part = g_file_get_child (parent, name);
  g_file_create_async (request->part, G_FILE_CREATE_PRIVATE, G_PRIORITY_DEFAULT,
                       g_task_get_cancellable (task), part_created_cb, task);
}

/**
 * echoes_http_download_async:
 * @self: a #EchoesHttp
 * @path: as for echoes_http_send_async()
 * @flags: how to send it
 * @destination: the file to write; its folder must exist
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the file is in place
 * @user_data: data for @callback
 *
 * Streams a GET answer into a temporary file in @destination's folder, checks its size
 * against Content-Length and renames it over @destination. Nothing is left on failure.
 */
void
echoes_http_download_async (EchoesHttp          *self,
                            const char          *path,
                            EchoesHttpFlags      flags,
                            GFile               *destination,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (ECHOES_IS_HTTP (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (G_IS_FILE (destination));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = request_new (self, "GET", path, NULL, NULL, NULL, flags, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_http_download_async);
  ((Request *) g_task_get_task_data (task))->destination = g_object_ref (destination);
  start_attempt (task);
}

/**
 * echoes_http_download_finish:
 * @self: a #EchoesHttp
 * @result: the result
 * @error: return location for an error
 *
 * Gets the result of echoes_http_download_async().
 *
 * Returns: the size of the file, or -1 with @error set
 */
goffset
echoes_http_download_finish (EchoesHttp    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (ECHOES_IS_HTTP (self), -1);
  g_return_val_if_fail (g_task_is_valid (result, self), -1);

  return g_task_propagate_int (G_TASK (result), error);
}
