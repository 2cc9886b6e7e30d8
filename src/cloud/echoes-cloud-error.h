/* echoes-cloud-error.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ECHOES_CLOUD_ERROR (echoes_cloud_error_quark ())

/**
 * EchoesCloudError:
 * @ECHOES_CLOUD_ERROR_FAILED: an error without a better code
 * @ECHOES_CLOUD_ERROR_NOT_CONFIGURED: no server address or key is set
 * @ECHOES_CLOUD_ERROR_NETWORK: the server could not be reached (or the connection dropped)
 * @ECHOES_CLOUD_ERROR_TIMEOUT: the server did not answer in time
 * @ECHOES_CLOUD_ERROR_NOT_SIGNED_IN: the request needs an account and nobody is signed in
 * @ECHOES_CLOUD_ERROR_UNAUTHORIZED: the server refused the credentials (HTTP 401/403)
 * @ECHOES_CLOUD_ERROR_SESSION_EXPIRED: the session ended (refresh refused); sign in again
 * @ECHOES_CLOUD_ERROR_INVALID_CREDENTIALS: wrong e-mail address or password
 * @ECHOES_CLOUD_ERROR_EMAIL_NOT_CONFIRMED: the address was not confirmed yet
 * @ECHOES_CLOUD_ERROR_EMAIL_TAKEN: an account with this address exists
 * @ECHOES_CLOUD_ERROR_WEAK_PASSWORD: the password is too weak
 * @ECHOES_CLOUD_ERROR_SIGNUP_DISABLED: the server does not accept new accounts
 * @ECHOES_CLOUD_ERROR_RATE_LIMITED: too many requests (HTTP 429), even after waiting
 * @ECHOES_CLOUD_ERROR_FORBIDDEN: the account may not do this (row-level security, HTTP 403)
 * @ECHOES_CLOUD_ERROR_NOT_FOUND: the row, object or function does not exist
 * @ECHOES_CLOUD_ERROR_CONFLICT: the row or object already exists / was changed (HTTP 409)
 * @ECHOES_CLOUD_ERROR_INVALID_REQUEST: the server refused the request as invalid (HTTP 400/422)
 * @ECHOES_CLOUD_ERROR_TOO_LARGE: a body is larger than allowed (either direction)
 * @ECHOES_CLOUD_ERROR_SERVER: the server failed (HTTP 5xx)
 * @ECHOES_CLOUD_ERROR_BAD_RESPONSE: the answer was malformed, truncated or of the wrong size
 * @ECHOES_CLOUD_ERROR_NO_CREDITS: the account has no credits left (HTTP 402)
 * @ECHOES_CLOUD_ERROR_UPLOAD_EXPIRED: a resumable upload is gone on the server; start again
 * @ECHOES_CLOUD_ERROR_OAUTH_FAILED: the browser sign-in failed, was refused or did not match
 * @ECHOES_CLOUD_ERROR_KEYRING: the session could not be kept in the keyring
 *
 * Errors of the cloud layer (`src/cloud/`). The message of such an error is for
 * developers and logs; echoes_cloud_error_describe() gives the sentence for the user.
 */
typedef enum
{
  ECHOES_CLOUD_ERROR_FAILED,
  ECHOES_CLOUD_ERROR_NOT_CONFIGURED,
  ECHOES_CLOUD_ERROR_NETWORK,
  ECHOES_CLOUD_ERROR_TIMEOUT,
  ECHOES_CLOUD_ERROR_NOT_SIGNED_IN,
  ECHOES_CLOUD_ERROR_UNAUTHORIZED,
  ECHOES_CLOUD_ERROR_SESSION_EXPIRED,
  ECHOES_CLOUD_ERROR_INVALID_CREDENTIALS,
  ECHOES_CLOUD_ERROR_EMAIL_NOT_CONFIRMED,
  ECHOES_CLOUD_ERROR_EMAIL_TAKEN,
  ECHOES_CLOUD_ERROR_WEAK_PASSWORD,
  ECHOES_CLOUD_ERROR_SIGNUP_DISABLED,
  ECHOES_CLOUD_ERROR_RATE_LIMITED,
  ECHOES_CLOUD_ERROR_FORBIDDEN,
  ECHOES_CLOUD_ERROR_NOT_FOUND,
  ECHOES_CLOUD_ERROR_CONFLICT,
  ECHOES_CLOUD_ERROR_INVALID_REQUEST,
  ECHOES_CLOUD_ERROR_TOO_LARGE,
  ECHOES_CLOUD_ERROR_SERVER,
  ECHOES_CLOUD_ERROR_BAD_RESPONSE,
  ECHOES_CLOUD_ERROR_NO_CREDITS,
  ECHOES_CLOUD_ERROR_UPLOAD_EXPIRED,
  ECHOES_CLOUD_ERROR_OAUTH_FAILED,
  ECHOES_CLOUD_ERROR_KEYRING,
} EchoesCloudError;

GQuark      echoes_cloud_error_quark    (void);
const char *echoes_cloud_error_describe (const GError *error);
gboolean    echoes_cloud_error_is_transient (const GError *error);

G_END_DECLS
