/* echoes-auth-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "echoes-auth.h"
#include "echoes-http.h"

G_BEGIN_DECLS

/* EchoesAuth is one object over several files, by concern:
 * - echoes-auth.c: the object, its properties and signal, the getters, the session taken
 *   into memory (_echoes_auth_apply_session()) and ended (_echoes_auth_end_session())
 * - echoes-auth-session.c: the session kept in the keyring, restored at start, refreshed
 * - echoes-auth-account.c: sign-up and sign-in with a password, sign-out, password reset
 * - echoes-auth-oauth.c: the browser sign-in with PKCE */
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

/* echoes-auth.c */
const char *_echoes_auth_get_string        (JsonObject          *object,
                                            const char          *name);
gboolean    _echoes_auth_apply_session     (EchoesAuth          *self,
                                            JsonNode            *node,
                                            GError             **error);
void        _echoes_auth_set_persistence   (EchoesAuth          *self,
                                            gboolean             persistent,
                                            const GError        *error);
void        _echoes_auth_end_session_full  (EchoesAuth          *self,
                                            const GError        *reason,
                                            GAsyncReadyCallback  forgotten,
                                            gpointer             user_data);
void        _echoes_auth_end_session       (EchoesAuth          *self,
                                            const GError        *reason);

/* echoes-auth-session.c */
void        _echoes_auth_persist_session   (EchoesAuth          *self,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
void        _echoes_auth_persisted_cb      (GObject             *object,
                                            GAsyncResult        *result,
                                            gpointer             user_data);
void        _echoes_auth_schedule_refresh  (EchoesAuth          *self,
                                            gint64               delay_s);

G_END_DECLS
