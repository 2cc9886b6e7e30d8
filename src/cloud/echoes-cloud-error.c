/* echoes-cloud-error.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-cloud-error"

#include "config.h"

#include "echoes-cloud-error.h"

#include <string.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "echoes-cloud-private.h"

G_DEFINE_QUARK (echoes-cloud-error-quark, echoes_cloud_error)

/* Server codes, from GoTrue (`error_code`), PostgREST (SQLSTATE or PGRST…), Storage and our
 * edge functions, that say more than the HTTP status. */
static const struct
{
  const char       *code;
  EchoesCloudError  error;
} server_codes[] = {
  { "invalid_credentials",         ECHOES_CLOUD_ERROR_INVALID_CREDENTIALS },
  { "invalid_grant",               ECHOES_CLOUD_ERROR_INVALID_CREDENTIALS },
  { "email_not_confirmed",         ECHOES_CLOUD_ERROR_EMAIL_NOT_CONFIRMED },
  { "user_already_exists",         ECHOES_CLOUD_ERROR_EMAIL_TAKEN },
  { "email_exists",                ECHOES_CLOUD_ERROR_EMAIL_TAKEN },
  { "weak_password",               ECHOES_CLOUD_ERROR_WEAK_PASSWORD },
  { "signup_disabled",             ECHOES_CLOUD_ERROR_SIGNUP_DISABLED },
  { "email_provider_disabled",     ECHOES_CLOUD_ERROR_SIGNUP_DISABLED },
  { "over_request_rate_limit",     ECHOES_CLOUD_ERROR_RATE_LIMITED },
  { "over_email_send_rate_limit",  ECHOES_CLOUD_ERROR_RATE_LIMITED },
  { "refresh_token_not_found",     ECHOES_CLOUD_ERROR_SESSION_EXPIRED },
  { "refresh_token_already_used",  ECHOES_CLOUD_ERROR_SESSION_EXPIRED },
  { "session_expired",             ECHOES_CLOUD_ERROR_SESSION_EXPIRED },
  { "session_not_found",           ECHOES_CLOUD_ERROR_SESSION_EXPIRED },
  { "bad_jwt",                     ECHOES_CLOUD_ERROR_UNAUTHORIZED },
  { "no_authorization",            ECHOES_CLOUD_ERROR_UNAUTHORIZED },
  { "PGRST301",                    ECHOES_CLOUD_ERROR_UNAUTHORIZED },
  { "PGRST302",                    ECHOES_CLOUD_ERROR_UNAUTHORIZED },
  { "PGRST303",                    ECHOES_CLOUD_ERROR_UNAUTHORIZED },
  { "flow_state_not_found",        ECHOES_CLOUD_ERROR_OAUTH_FAILED },
  { "flow_state_expired",          ECHOES_CLOUD_ERROR_OAUTH_FAILED },
  { "bad_code_verifier",           ECHOES_CLOUD_ERROR_OAUTH_FAILED },
  { "bad_oauth_state",             ECHOES_CLOUD_ERROR_OAUTH_FAILED },
  { "bad_oauth_callback",          ECHOES_CLOUD_ERROR_OAUTH_FAILED },
  { "provider_disabled",           ECHOES_CLOUD_ERROR_OAUTH_FAILED },
  { "no_credits",                  ECHOES_CLOUD_ERROR_NO_CREDITS },
  { "insufficient_credits",        ECHOES_CLOUD_ERROR_NO_CREDITS },
  { "PT402",                       ECHOES_CLOUD_ERROR_NO_CREDITS },
  { "23505",                       ECHOES_CLOUD_ERROR_CONFLICT },
  { "23503",                       ECHOES_CLOUD_ERROR_CONFLICT },
  { "42501",                       ECHOES_CLOUD_ERROR_FORBIDDEN },
  { "PGRST116",                    ECHOES_CLOUD_ERROR_NOT_FOUND },
  { "PGRST202",                    ECHOES_CLOUD_ERROR_NOT_FOUND },
  { "PGRST205",                    ECHOES_CLOUD_ERROR_NOT_FOUND },
  { "42P01",                       ECHOES_CLOUD_ERROR_NOT_FOUND },
  { "not_found",                   ECHOES_CLOUD_ERROR_NOT_FOUND },
  { "NoSuchKey",                   ECHOES_CLOUD_ERROR_NOT_FOUND },
  { "Duplicate",                   ECHOES_CLOUD_ERROR_CONFLICT },
  { "EntityTooLarge",              ECHOES_CLOUD_ERROR_TOO_LARGE },
  { "Payload too large",           ECHOES_CLOUD_ERROR_TOO_LARGE },
};

static EchoesCloudError
error_for_status (guint status)
{
  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      return ECHOES_CLOUD_ERROR_UNAUTHORIZED;
    case SOUP_STATUS_PAYMENT_REQUIRED:
      return ECHOES_CLOUD_ERROR_NO_CREDITS;
    case SOUP_STATUS_FORBIDDEN:
      return ECHOES_CLOUD_ERROR_FORBIDDEN;
    case SOUP_STATUS_NOT_FOUND:
    case SOUP_STATUS_GONE:
      return ECHOES_CLOUD_ERROR_NOT_FOUND;
    case SOUP_STATUS_CONFLICT:
    case SOUP_STATUS_PRECONDITION_FAILED:
      return ECHOES_CLOUD_ERROR_CONFLICT;
    case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE:
      return ECHOES_CLOUD_ERROR_TOO_LARGE;
    case 429:
      return ECHOES_CLOUD_ERROR_RATE_LIMITED;
    case SOUP_STATUS_GATEWAY_TIMEOUT:
      return ECHOES_CLOUD_ERROR_TIMEOUT;
    default:
      if (status >= 500)
        return ECHOES_CLOUD_ERROR_SERVER;
      if (status >= 400)
        return ECHOES_CLOUD_ERROR_INVALID_REQUEST;
      return ECHOES_CLOUD_ERROR_BAD_RESPONSE;
    }
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

/* Maps an error answer of GoTrue (three body shapes), PostgREST, Storage (whose body may carry
 * the real status in `statusCode` under an HTTP 400) or an edge function to a GError. */
GError *
_echoes_cloud_error_from_response (guint               status,
                                   SoupMessageHeaders *headers,
                                   GBytes             *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *code = NULL;
  const char *message = NULL;
  const char *data = NULL;
  gsize size = 0;
  EchoesCloudError error_code;

  if (body != NULL)
    data = g_bytes_get_data (body, &size);

  if (size > 0 && json_parser_load_from_data (parser, data, size, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *object = json_node_get_object (json_parser_get_root (parser));
      const char *status_code = member_string (object, "statusCode");

      code = member_string (object, "error_code");
      if (code == NULL)
        code = member_string (object, "code");
      if (code == NULL)
        code = member_string (object, "error");
      message = member_string (object, "msg");
      if (message == NULL)
        message = member_string (object, "message");
      if (message == NULL)
        message = member_string (object, "error_description");
      if (message == NULL && code != NULL && member_string (object, "error") != code)
        message = member_string (object, "error");

      /* Storage answers 400 with the real status in the body. */
      if (status_code != NULL)
        {
          guint64 real = 0;

          if (g_ascii_string_to_unsigned (status_code, 10, 400, 599, &real, NULL))
            status = (guint) real;
        }
    }

  error_code = error_for_status (status);
  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (server_codes); i++)
    {
      if (g_ascii_strcasecmp (code, server_codes[i].code) == 0)
        {
          error_code = server_codes[i].error;
          break;
        }
    }

  /* PostgREST's connection / resource errors are worth a retry like any 5xx. */
  if (code != NULL && (g_str_has_prefix (code, "08") || g_str_has_prefix (code, "53"))
      && status >= 500)
    error_code = ECHOES_CLOUD_ERROR_SERVER;

  return g_error_new (ECHOES_CLOUD_ERROR, error_code, "HTTP %u%s%s%s%.200s",
                      status,
                      code != NULL ? " " : "", code != NULL ? code : "",
                      message != NULL ? ": " : "", message != NULL ? message : "");
}

GError *
_echoes_cloud_error_from_io (const GError *io_error)
{
  if (io_error->domain == ECHOES_CLOUD_ERROR
      || g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (io_error);

  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_TIMEOUT,
                        "Timed out: %s", io_error->message);
  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
    return g_error_new (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_BAD_RESPONSE,
                        "Truncated answer: %s", io_error->message);
  return g_error_new (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_NETWORK,
                      "%s", io_error->message);
}

/* A URL as it may appear in a log: host and path, never the query (signed URLs carry their
 * token there) nor user info. */
char *
_echoes_cloud_loggable_url (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL)
    return g_strdup ("(invalid URL)");

  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d%s", g_uri_get_host (uri), g_uri_get_port (uri),
                            g_uri_get_path (uri));
  return g_strdup_printf ("%s%s", g_uri_get_host (uri), g_uri_get_path (uri));
}

/* Escapes a query value: PostgREST's operators and punctuation stay readable. */
char *
_echoes_cloud_escape_param (const char *value)
{
  return g_uri_escape_string (value, "*,.():!-_~", FALSE);
}

/**
 * echoes_cloud_error_describe:
 * @error: an error from the cloud layer (or from GIO)
 *
 * Gets a sentence for the user that says what went wrong, translated. For an error from
 * another domain it returns the error's own message.
 *
 * Returns: (transfer none): a sentence for the user
 */
const char *
echoes_cloud_error_describe (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return _("The operation was cancelled.");
  if (error->domain != ECHOES_CLOUD_ERROR)
    return error->message;

  switch ((EchoesCloudError) error->code)
    {
    case ECHOES_CLOUD_ERROR_NOT_CONFIGURED:
      return _("No account server is set up for this copy of Echoes.");
    case ECHOES_CLOUD_ERROR_NETWORK:
      return _("The account server could not be reached. Check your internet connection and try again.");
    case ECHOES_CLOUD_ERROR_TIMEOUT:
      return _("The account server took too long to answer. Try again later.");
    case ECHOES_CLOUD_ERROR_NOT_SIGNED_IN:
      return _("You are not signed in.");
    case ECHOES_CLOUD_ERROR_UNAUTHORIZED:
      return _("The server did not accept your sign-in. Sign in again.");
    case ECHOES_CLOUD_ERROR_SESSION_EXPIRED:
      return _("Your session has ended. Sign in again.");
    case ECHOES_CLOUD_ERROR_INVALID_CREDENTIALS:
      return _("The e-mail address or the password is wrong.");
    case ECHOES_CLOUD_ERROR_EMAIL_NOT_CONFIRMED:
      return _("Confirm your e-mail address first: follow the link in the message you received.");
    case ECHOES_CLOUD_ERROR_EMAIL_TAKEN:
      return _("An account with this e-mail address already exists. Sign in instead.");
    case ECHOES_CLOUD_ERROR_WEAK_PASSWORD:
      return _("This password is too weak. Choose a longer one.");
    case ECHOES_CLOUD_ERROR_SIGNUP_DISABLED:
      return _("The server does not accept new accounts.");
    case ECHOES_CLOUD_ERROR_RATE_LIMITED:
      return _("Too many requests were made. Wait a moment and try again.");
    case ECHOES_CLOUD_ERROR_FORBIDDEN:
      return _("Your account is not allowed to do this.");
    case ECHOES_CLOUD_ERROR_NOT_FOUND:
      return _("It was not found on the server.");
    case ECHOES_CLOUD_ERROR_CONFLICT:
      return _("It was changed or already exists on the server.");
    case ECHOES_CLOUD_ERROR_INVALID_REQUEST:
      return _("The server refused the request.");
    case ECHOES_CLOUD_ERROR_TOO_LARGE:
      return _("It is too large for the server.");
    case ECHOES_CLOUD_ERROR_SERVER:
      return _("The account server has a problem. Try again later.");
    case ECHOES_CLOUD_ERROR_BAD_RESPONSE:
      return _("The server sent an answer that could not be understood.");
    case ECHOES_CLOUD_ERROR_NO_CREDITS:
      return _("Your account has no credits left.");
    case ECHOES_CLOUD_ERROR_UPLOAD_EXPIRED:
      return _("The upload expired on the server and has to start again.");
    case ECHOES_CLOUD_ERROR_OAUTH_FAILED:
      return _("Signing in through the browser failed. Try again.");
    case ECHOES_CLOUD_ERROR_KEYRING:
      return _("Your sign-in can’t be remembered: no keyring is available. You will have to sign in again next time.");
    case ECHOES_CLOUD_ERROR_FAILED:
    default:
      return _("Something went wrong with your account server.");
    }
}

/**
 * echoes_cloud_error_is_transient:
 * @error: an error
 *
 * Whether trying again later may succeed (network, timeout, rate limit, server error):
 * the sync layer keeps its outbox entry and retries with backoff.
 *
 * Returns: %TRUE for a transient error
 */
gboolean
echoes_cloud_error_is_transient (const GError *error)
{
  g_return_val_if_fail (error != NULL, FALSE);

  if (error->domain != ECHOES_CLOUD_ERROR)
    return FALSE;

  switch ((EchoesCloudError) error->code)
    {
    case ECHOES_CLOUD_ERROR_NETWORK:
    case ECHOES_CLOUD_ERROR_TIMEOUT:
    case ECHOES_CLOUD_ERROR_RATE_LIMITED:
    case ECHOES_CLOUD_ERROR_SERVER:
      return TRUE;
    case ECHOES_CLOUD_ERROR_FAILED:
    case ECHOES_CLOUD_ERROR_NOT_CONFIGURED:
    case ECHOES_CLOUD_ERROR_NOT_SIGNED_IN:
    case ECHOES_CLOUD_ERROR_UNAUTHORIZED:
    case ECHOES_CLOUD_ERROR_SESSION_EXPIRED:
    case ECHOES_CLOUD_ERROR_INVALID_CREDENTIALS:
    case ECHOES_CLOUD_ERROR_EMAIL_NOT_CONFIRMED:
    case ECHOES_CLOUD_ERROR_EMAIL_TAKEN:
    case ECHOES_CLOUD_ERROR_WEAK_PASSWORD:
    case ECHOES_CLOUD_ERROR_SIGNUP_DISABLED:
    case ECHOES_CLOUD_ERROR_FORBIDDEN:
    case ECHOES_CLOUD_ERROR_NOT_FOUND:
    case ECHOES_CLOUD_ERROR_CONFLICT:
    case ECHOES_CLOUD_ERROR_INVALID_REQUEST:
    case ECHOES_CLOUD_ERROR_TOO_LARGE:
    case ECHOES_CLOUD_ERROR_BAD_RESPONSE:
    case ECHOES_CLOUD_ERROR_NO_CREDITS:
    case ECHOES_CLOUD_ERROR_UPLOAD_EXPIRED:
    case ECHOES_CLOUD_ERROR_OAUTH_FAILED:
    case ECHOES_CLOUD_ERROR_KEYRING:
    default:
      return FALSE;
    }
}
