/* echoes-loopback-redirect.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-loopback-redirect"

#include "config.h"

#include "echoes-loopback-redirect.h"

#include <string.h>
#include <libsoup/soup.h>

#include "echoes-cloud-error.h"
#include "echoes-util.h"

/**
 * EchoesLoopbackRedirect:
 *
 * Where the system browser comes back to the app: a web server on 127.0.0.1 that listens
 * for one request to `/callback`. Its address carries a random `state`; a visit whose
 * `state` differs, or that carries an `error` (OAuth's way of saying no), or lacks the
 * required parameter, fails. Whatever the visit, the browser gets a small page (success or
 * failure text) and the server then closes: it answers once. Waiting ends with a timeout
 * or the caller's cancellable too.
 *
 * Used by the browser sign-in (PKCE) in `echoes-auth-oauth.c`.
 */

struct _EchoesLoopbackRedirect
{
  GObject      parent_instance;

  SoupServer  *server;          /* (owned) */
  char        *uri;             /* (owned) http://127.0.0.1:PORT/callback?state=… */
  char        *state;           /* (owned) */
  char        *required_param;  /* (owned) (nullable) */

  /* while waiting */
  GTask       *task;            /* (owned) (nullable) */
  GSource     *timeout;         /* (owned) (nullable) */
  GSource     *cancelled;       /* (owned) (nullable) */
  char        *success_text;    /* (owned) */
  char        *failure_text;    /* (owned) */
  gboolean     answered;        /* the one visit came (or the wait ended): no other */
  gboolean     responding;      /* the page is being sent; the server closes after it */
};

G_DEFINE_FINAL_TYPE (EchoesLoopbackRedirect, echoes_loopback_redirect, G_TYPE_OBJECT)

static void
stop_waiting (EchoesLoopbackRedirect *self)
{
  self->answered = TRUE;
  if (self->timeout != NULL)
    g_source_destroy (self->timeout);
  g_clear_pointer (&self->timeout, g_source_unref);
  if (self->cancelled != NULL)
    g_source_destroy (self->cancelled);
  g_clear_pointer (&self->cancelled, g_source_unref);
}

/* Ends the wait with @query (owned) or @error (owned). */
static void
finish (EchoesLoopbackRedirect *self,
        GHashTable             *query,
        GError                 *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  stop_waiting (self);
  if (!self->responding && self->server != NULL)
    soup_server_disconnect (self->server);
  if (task == NULL)
    {
      g_clear_pointer (&query, g_hash_table_unref);
      g_clear_error (&error);
      return;
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, query, (GDestroyNotify) g_hash_table_unref);
}

static gboolean
timeout_cb (gpointer user_data)
{
  EchoesLoopbackRedirect *self = user_data;

  finish (self, NULL, g_error_new_literal (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_TIMEOUT,
                                           "Nobody came back from the browser in time"));
  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  EchoesLoopbackRedirect *self = user_data;

  finish (self, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                           "Operation was cancelled"));
  return G_SOURCE_REMOVE;
}

/* The browser has its page (or went away): now the server may close. */
static void
page_sent_cb (SoupServerMessage *msg,
              SoupServer        *server)
{
  soup_server_disconnect (server);
}

static void
callback_cb (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  EchoesLoopbackRedirect *self = user_data;
  const char *state = query != NULL ? g_hash_table_lookup (query, "state") : NULL;
  const char *oauth_error = query != NULL ? g_hash_table_lookup (query, "error") : NULL;
  gboolean has_required = self->required_param == NULL
                          || (query != NULL && g_hash_table_lookup (query, self->required_param) != NULL);
  gboolean ok = oauth_error == NULL && has_required && g_strcmp0 (state, self->state) == 0;
  g_autofree char *html = NULL;
  GError *error = NULL;

  if (self->answered || self->task == NULL || !g_str_equal (path, "/callback"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  html = g_markup_printf_escaped ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
                                  "<title>Echoes</title></head><body><p>%s</p></body></html>",
                                  ok ? self->success_text : self->failure_text);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    html, strlen (html));

  /* Closing the server here would drop the browser's connection before its page: it
   * closes once the page is sent. */
  self->responding = TRUE;
  g_signal_connect_data (msg, "finished", G_CALLBACK (page_sent_cb),
                         g_object_ref (server), (GClosureNotify)(void (*) (void))g_object_unref, 0);

  if (oauth_error != NULL || !has_required)
    {
      const char *description = query != NULL ? g_hash_table_lookup (query, "error_description") : NULL;

      error = g_error_new (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_OAUTH_FAILED,
                           "The provider refused: %s %s",
                           oauth_error != NULL ? oauth_error : "no answer",
                           description != NULL ? description : "");
    }
  else if (!ok)
    error = g_error_new_literal (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_OAUTH_FAILED,
                                 "The browser came back with another state");

  finish (self, error == NULL ? g_hash_table_ref (query) : NULL, error);
}

static void
echoes_loopback_redirect_dispose (GObject *object)
{
  EchoesLoopbackRedirect *self = (EchoesLoopbackRedirect *)object;

  stop_waiting (self);
  if (self->server != NULL && !self->responding)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (echoes_loopback_redirect_parent_class)->dispose (object);
}

static void
echoes_loopback_redirect_finalize (GObject *object)
{
  EchoesLoopbackRedirect *self = (EchoesLoopbackRedirect *)object;

  g_free (self->uri);
  g_free (self->state);
  g_free (self->required_param);
  g_free (self->success_text);
  g_free (self->failure_text);

  G_OBJECT_CLASS (echoes_loopback_redirect_parent_class)->finalize (object);
}

static void
echoes_loopback_redirect_class_init (EchoesLoopbackRedirectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = echoes_loopback_redirect_dispose;
  object_class->finalize = echoes_loopback_redirect_finalize;
}

static void
echoes_loopback_redirect_init (EchoesLoopbackRedirect *self)
{
}

/**
 * echoes_loopback_redirect_new:
 * @required_param: (nullable): a query parameter the visit must carry, e.g. "code"
 * @error: return location for an error
 *
 * Starts listening on a free port of 127.0.0.1.
 *
 * Returns: (transfer full) (nullable): the listener, or %NULL with @error set
 */
EchoesLoopbackRedirect *
echoes_loopback_redirect_new (const char  *required_param,
                              GError     **error)
{
  g_autoptr(EchoesLoopbackRedirect) self = g_object_new (ECHOES_TYPE_LOOPBACK_REDIRECT, NULL);
  g_autoptr(GError) listen_error = NULL;
  GSList *uris;
  int port = 0;

  self->required_param = g_strdup (required_param);
  self->state = echoes_random_base64url (16);
  self->server = soup_server_new (NULL, NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &listen_error))
    {
      g_set_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_OAUTH_FAILED,
                   "Can't listen on loopback: %s", listen_error->message);
      return NULL;
    }
  uris = soup_server_get_uris (self->server);
  if (uris != NULL)
    port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  self->uri = g_strdup_printf ("http://127.0.0.1:%d/callback?state=%s", port, self->state);
  soup_server_add_handler (self->server, NULL, callback_cb, self, NULL);

  return g_steal_pointer (&self);
}

/**
 * echoes_loopback_redirect_get_uri:
 * @self: a #EchoesLoopbackRedirect
 *
 * Returns: where the browser should come back: `http://127.0.0.1:PORT/callback?state=…`
 */
const char *
echoes_loopback_redirect_get_uri (EchoesLoopbackRedirect *self)
{
  g_return_val_if_fail (ECHOES_IS_LOOPBACK_REDIRECT (self), NULL);
  return self->uri;
}

/**
 * echoes_loopback_redirect_get_state:
 * @self: a #EchoesLoopbackRedirect
 *
 * Returns: the random state the visit must carry back
 */
const char *
echoes_loopback_redirect_get_state (EchoesLoopbackRedirect *self)
{
  g_return_val_if_fail (ECHOES_IS_LOOPBACK_REDIRECT (self), NULL);
  return self->state;
}

/**
 * echoes_loopback_redirect_wait_async:
 * @self: a #EchoesLoopbackRedirect
 * @timeout_s: how long to wait for the browser
 * @success_text: the page the browser shows when the visit is accepted
 * @failure_text: the page the browser shows otherwise
 * @cancellable: (nullable): a #GCancellable: the user's Cancel
 * @callback: called on the visit, the timeout or the cancel
 * @user_data: data for @callback
 *
 * Waits once for the browser. Fails with %ECHOES_CLOUD_ERROR_TIMEOUT after @timeout_s,
 * %ECHOES_CLOUD_ERROR_OAUTH_FAILED for a refused or forged visit.
 */
void
echoes_loopback_redirect_wait_async (EchoesLoopbackRedirect *self,
                                     guint                   timeout_s,
                                     const char             *success_text,
                                     const char             *failure_text,
                                     GCancellable           *cancellable,
                                     GAsyncReadyCallback     callback,
                                     gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ECHOES_IS_LOOPBACK_REDIRECT (self));
  g_return_if_fail (success_text != NULL && failure_text != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_loopback_redirect_wait_async);
  if (self->task != NULL || self->answered)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The browser can come back only once");
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  g_free (self->success_text);
  self->success_text = g_strdup (success_text);
  g_free (self->failure_text);
  self->failure_text = g_strdup (failure_text);
  self->task = g_steal_pointer (&task);

  self->timeout = g_timeout_source_new_seconds (timeout_s);
  g_source_set_callback (self->timeout, timeout_cb, self, NULL);
  g_source_attach (self->timeout, g_task_get_context (self->task));
  if (cancellable != NULL)
    {
      self->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->cancelled, G_SOURCE_FUNC (cancelled_cb), self, NULL);
      g_source_attach (self->cancelled, g_task_get_context (self->task));
    }
}

/**
 * echoes_loopback_redirect_wait_finish:
 * @self: a #EchoesLoopbackRedirect
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the visit's query parameters, or %NULL with @error set
 */
GHashTable *
echoes_loopback_redirect_wait_finish (EchoesLoopbackRedirect  *self,
                                      GAsyncResult            *result,
                                      GError                 **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
