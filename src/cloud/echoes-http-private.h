/* echoes-http-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "echoes-http.h"

G_BEGIN_DECLS

/* EchoesHttp is one object over several files, by concern:
 * - echoes-http.c: the object, its properties, URLs and the bearer header
 * - echoes-http-request.c: a request's attempts (the token, a refresh after a 401), its
 *   answer read into memory, JSON requests
 * - echoes-http-retry.c: which failures are tried again, and when (backoff, Retry-After)
 * - echoes-http-download.c: an answer streamed to a file (part file, size check, rename) */

/* The longest wait before a retry, in milliseconds; also the bound of #EchoesHttp:retry-delay. */
#define ECHOES_HTTP_MAX_RETRY_DELAY_MS (60 * 1000)

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

/* A request in flight: the task data of the GTask of every request. */
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
} EchoesHttpRequest;

/* A request's life (echoes-http-request.c). Those given a task take its reference. */
GTask    *_echoes_http_request_new   (EchoesHttp          *self,
                                      const char          *method,
                                      const char          *path,
                                      SoupMessageHeaders  *headers,
                                      GBytes              *body,
                                      const char          *content_type,
                                      EchoesHttpFlags      flags,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
void      _echoes_http_start_attempt (GTask               *task);
void      _echoes_http_fail          (GTask               *task,
                                      GError              *error);
void      _echoes_http_close_stream  (EchoesHttpRequest   *request);

/* Retries (echoes-http-retry.c) */
gboolean  _echoes_http_may_retry     (EchoesHttpRequest   *request);
gboolean  _echoes_http_never_sent    (const GError        *error);
void      _echoes_http_retry_or_fail (GTask               *task,
                                      GError              *error,
                                      SoupMessageHeaders  *headers,
                                      gboolean             retryable);

/* Downloads (echoes-http-download.c): a 2xx answer's body streamed to the file. */
void      _echoes_http_download_body (GTask               *task);

G_END_DECLS
