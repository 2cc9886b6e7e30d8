/* echoes-http.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

/* EchoesHttp: the request helper every cloud client owns (one SoupSession each).
 * Every request has a timeout (#EchoesHttp:timeout, seconds of silence); idempotent ones
 * (GET, HEAD, PUT, DELETE, PATCH, or %ECHOES_HTTP_IDEMPOTENT) are retried up to
 * #EchoesHttp:max-tries times with exponential backoff and jitter on 429, 5xx and
 * connection errors, honouring `Retry-After`. Bodies read into memory are capped at
 * #EchoesHttp:max-body-size (8 MiB by default); a non-2xx answer becomes an
 * %ECHOES_CLOUD_ERROR. A 401 on a request that carried the user's token triggers one
 * echoes_auth_refresh_async() and one retry. Logs show method, host+path, status and size.
 */

G_BEGIN_DECLS

/* EchoesAuth is defined in echoes-auth.h; the HTTP helper only asks it for tokens. */
typedef struct _EchoesAuth EchoesAuth;

/**
 * ECHOES_HTTP_MAX_JSON_SIZE:
 *
 * The default cap, in bytes, on a response body read into memory (8 MiB).
 */
#define ECHOES_HTTP_MAX_JSON_SIZE (8 * 1024 * 1024)

/**
 * EchoesHttpFlags:
 * @ECHOES_HTTP_FLAGS_NONE: the defaults: retry only idempotent methods (not POST), send the
 *   signed-in user's token when an auth object is set
 * @ECHOES_HTTP_IDEMPOTENT: the request may be sent again after a 5xx or a dropped
 *   connection even if its method is POST (an upsert, a signed-URL request)
 * @ECHOES_HTTP_NO_RETRY: never send the request again, whatever happens
 * @ECHOES_HTTP_ANONYMOUS: send only the `apikey`, never the user's token (sign-in calls)
 * @ECHOES_HTTP_REQUIRE_SESSION: fail with %ECHOES_CLOUD_ERROR_NOT_SIGNED_IN when nobody is
 *   signed in instead of sending the request as the anonymous role
 * @ECHOES_HTTP_ABSOLUTE_URL: the path is an absolute URL (a TUS upload URL, a signed URL):
 *   no `apikey` nor token is added unless it is on the project's host
 *
 * How echoes_http_send_async() sends a request.
 */
typedef enum
{
  ECHOES_HTTP_FLAGS_NONE      = 0,
  ECHOES_HTTP_IDEMPOTENT      = 1 << 0,
  ECHOES_HTTP_NO_RETRY        = 1 << 1,
  ECHOES_HTTP_ANONYMOUS       = 1 << 2,
  ECHOES_HTTP_REQUIRE_SESSION = 1 << 3,
  ECHOES_HTTP_ABSOLUTE_URL    = 1 << 4,
} EchoesHttpFlags;

/**
 * EchoesHttpResponse:
 *
 * What a successful echoes_http_send_async() got back: the status, the headers and the
 * body (at most #EchoesHttp:max-body-size bytes). Free it with echoes_http_response_free().
 */
typedef struct
{
  guint               status;
  SoupMessageHeaders *headers; /* (owned) */
  GBytes             *body;    /* (owned) never %NULL; empty for 204 and HEAD */
} EchoesHttpResponse;

void      echoes_http_response_free     (EchoesHttpResponse *response);
JsonNode *echoes_http_response_dup_json (EchoesHttpResponse *response,
                                         GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EchoesHttpResponse, echoes_http_response_free)

#define ECHOES_TYPE_HTTP (echoes_http_get_type())

G_DECLARE_FINAL_TYPE (EchoesHttp, echoes_http, ECHOES, HTTP, GObject)

EchoesHttp         *echoes_http_new                (const char          *url,
                                                    const char          *anon_key,
                                                    EchoesAuth          *auth);
const char         *echoes_http_get_url            (EchoesHttp          *self);
EchoesAuth         *echoes_http_get_auth           (EchoesHttp          *self);
SoupSession        *echoes_http_get_session        (EchoesHttp          *self);
guint               echoes_http_get_timeout        (EchoesHttp          *self);
void                echoes_http_set_timeout        (EchoesHttp          *self,
                                                    guint                seconds);
guint               echoes_http_get_max_tries      (EchoesHttp          *self);
void                echoes_http_set_max_tries      (EchoesHttp          *self,
                                                    guint                max_tries);
guint               echoes_http_get_retry_delay    (EchoesHttp          *self);
void                echoes_http_set_retry_delay    (EchoesHttp          *self,
                                                    guint                msec);
gsize               echoes_http_get_max_body_size  (EchoesHttp          *self);
void                echoes_http_set_max_body_size  (EchoesHttp          *self,
                                                    gsize                max_body_size);
void                echoes_http_headers_set_bearer (SoupMessageHeaders  *headers,
                                                    const char          *token);
char               *echoes_http_build_url          (EchoesHttp          *self,
                                                    const char          *path,
                                                    const char * const  *params);
void                echoes_http_send_async         (EchoesHttp          *self,
                                                    const char          *method,
                                                    const char          *path,
                                                    SoupMessageHeaders  *headers,
                                                    GBytes              *body,
                                                    const char          *content_type,
                                                    EchoesHttpFlags      flags,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
EchoesHttpResponse *echoes_http_send_finish        (EchoesHttp          *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
void                echoes_http_send_json_async    (EchoesHttp          *self,
                                                    const char          *method,
                                                    const char          *path,
                                                    SoupMessageHeaders  *headers,
                                                    JsonNode            *body,
                                                    EchoesHttpFlags      flags,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
JsonNode           *echoes_http_send_json_finish   (EchoesHttp          *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
void                echoes_http_return_boolean_cb  (GObject             *object,
                                                    GAsyncResult        *result,
                                                    gpointer             user_data);
void                echoes_http_download_async     (EchoesHttp          *self,
                                                    const char          *path,
                                                    EchoesHttpFlags      flags,
                                                    GFile               *destination,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
goffset             echoes_http_download_finish    (EchoesHttp          *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

G_END_DECLS
