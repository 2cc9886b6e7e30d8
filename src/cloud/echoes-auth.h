/* echoes-auth.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-secret-store.h"

/* EchoesAuth: the session owner (Supabase GoTrue at `/auth/v1`).
 *
 * - Properties: url, anon-key (construct-only), signed-in, user-id, email, expires-at,
 *   session-persistent (FALSE when the keyring could not keep the session: then
 *   echoes_auth_get_persistence_error() says why, for the UI), use-keyring (construct-only).
 * - Signal `signed-out (GError *reason)`: the session ended; @reason is %NULL when the user
 *   signed out, %ECHOES_CLOUD_ERROR_SESSION_EXPIRED when the server refused a refresh.
 * - The session lives only in memory and in libsecret (EchoesSecretStore); call
 *   echoes_auth_restore_async() at start. It is refreshed before it expires (a timer) and by
 *   echoes_auth_refresh_async() when a request got a 401 with @stale_token: only one refresh
 *   is in flight, the others wait on it; when the token already changed, nothing is sent.
 * - EchoesHttp (and so every client) uses echoes_auth_dup_access_token() for `Authorization`
 *   and calls the refresh on a 401, then retries once.
 */

G_BEGIN_DECLS

#define ECHOES_TYPE_AUTH (echoes_auth_get_type())

G_DECLARE_FINAL_TYPE (EchoesAuth, echoes_auth, ECHOES, AUTH, GObject)

/**
 * EchoesAuthUriFunc:
 * @uri: the address to open in the system browser
 * @user_data: the data given with the function
 *
 * Asked by echoes_auth_sign_in_with_provider_async() to open the provider's sign-in page;
 * the UI opens it with gtk_show_uri(), the CLI prints it.
 */
typedef void (*EchoesAuthUriFunc) (const char *uri,
                                   gpointer    user_data);

EchoesAuth   *echoes_auth_new                           (const char          *url,
                                                         const char          *anon_key);
EchoesAuth   *echoes_auth_new_full                      (const char          *url,
                                                         const char          *anon_key,
                                                         gboolean             use_keyring);
EchoesAuth   *echoes_auth_new_from_settings             (GError             **error);
const char   *echoes_auth_get_url                       (EchoesAuth          *self);
const char   *echoes_auth_get_anon_key                  (EchoesAuth          *self);
gboolean      echoes_auth_get_signed_in                 (EchoesAuth          *self);
const char   *echoes_auth_get_user_id                   (EchoesAuth          *self);
const char   *echoes_auth_get_email                     (EchoesAuth          *self);
gint64        echoes_auth_get_expires_at                (EchoesAuth          *self);
gboolean      echoes_auth_get_session_persistent        (EchoesAuth          *self);
const GError *echoes_auth_get_persistence_error         (EchoesAuth          *self);
char         *echoes_auth_dup_access_token              (EchoesAuth          *self);

void          echoes_auth_restore_async                 (EchoesAuth          *self,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean      echoes_auth_restore_finish                (EchoesAuth          *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);
void          echoes_auth_sign_up_async                 (EchoesAuth          *self,
                                                         const char          *email,
                                                         const char          *password,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean      echoes_auth_sign_up_finish                (EchoesAuth          *self,
                                                         GAsyncResult        *result,
                                                         gboolean            *confirmation_sent,
                                                         GError             **error);
void          echoes_auth_sign_in_async                 (EchoesAuth          *self,
                                                         const char          *email,
                                                         const char          *password,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean      echoes_auth_sign_in_finish                (EchoesAuth          *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);
void          echoes_auth_sign_in_with_provider_async   (EchoesAuth          *self,
                                                         const char          *provider,
                                                         EchoesAuthUriFunc    open_uri,
                                                         gpointer             open_uri_data,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean      echoes_auth_sign_in_with_provider_finish  (EchoesAuth          *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);
void          echoes_auth_sign_out_async                (EchoesAuth          *self,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean      echoes_auth_sign_out_finish               (EchoesAuth          *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);
void          echoes_auth_request_password_reset_async  (EchoesAuth          *self,
                                                         const char          *email,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean      echoes_auth_request_password_reset_finish (EchoesAuth          *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);
void          echoes_auth_refresh_async                 (EchoesAuth          *self,
                                                         const char          *stale_token,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean      echoes_auth_refresh_finish                (EchoesAuth          *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);

G_END_DECLS
