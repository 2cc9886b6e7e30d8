/* echoes-test-cloud.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The secrets the fake server hands out: no file, setting or log may ever hold them. */
#define FAKE_ACCESS_PREFIX  "tok-access-3f9a1c"
#define FAKE_REFRESH_PREFIX "tok-refresh-77b2e0"
#define FAKE_PASSWORD       "pw-secret-5d1e8b"
#define FAKE_SIGN_TOKEN     "tok-sign-90c4d2"
#define FAKE_EMAIL          "ada@example.com"
#define FAKE_USER_ID        "11111111-2222-3333-4444-555555555555"
#define FAKE_ANON_KEY       "anon-key-public"

typedef struct _FakeServer FakeServer;

/* Return TRUE when the message was answered. */
typedef gboolean (*FakeHandler) (FakeServer        *fake,
                                 SoupServerMessage *msg,
                                 const char        *path,
                                 GHashTable        *query,
                                 gpointer           data);

struct _FakeServer
{
  SoupServer  *server;
  char        *url;
  GHashTable  *hits;           /* "METHOD /path" → count */
  guint        refreshes;
  guint        generation;     /* the current tokens end in -<generation> */
  gboolean     access_refused; /* the current access token is refused (as if expired) */
  gboolean     refuse_refresh;
  gint64       expires_in;
  char        *last_authorization;
  char        *last_prefer;
  char        *last_query;
  GBytes      *last_body;
  FakeHandler  handler;
  gpointer     handler_data;
  GPtrArray   *paused;         /* paused messages, unpaused at the end */
  /* A fake TUS endpoint and object store. */
  GByteArray  *tus_data;
  goffset      tus_length;
  guint        tus_creations;
  guint        tus_fail_patches;   /* how many PATCHes answer 503 from now on */
  gboolean     tus_drop_next;      /* the next PATCH keeps half its body, then the connection drops */
  gboolean     tus_forget_next;    /* the next PATCH finds the upload expired (410), as does HEAD */
  GBytes      *object;             /* the last object uploaded in one request */
};

FakeServer *fake_server_new          (void);
void        fake_server_free         (FakeServer  *fake);
guint       fake_server_hits         (FakeServer  *fake,
                                      const char  *method_path);
char       *fake_server_access_token (FakeServer  *fake);
void        fake_server_raw_response (SoupServerMessage *msg,
                                      const char        *raw,
                                      gsize              len);
void        fake_server_json         (SoupServerMessage *msg,
                                      guint              status,
                                      const char        *json);
void        fake_server_pause        (FakeServer        *fake,
                                      SoupServerMessage *msg);

int         fake_server_run_cli      (FakeServer         *fake,
                                      const char         *input,
                                      const char         *bus_address,
                                      char              **out,
                                      char              **err,
                                      const char * const *args);

/* Runway's key check (`GET /v1/organization`) on loopback: one key is good. */
typedef struct
{
  SoupServer *server;
  char       *url;       /* the API's base URL */
  char       *good_key;
  guint       checks;    /* requests seen */
} FakeRunwayKeys;

FakeRunwayKeys *fake_runway_keys_new  (const char     *good_key);
void            fake_runway_keys_free (FakeRunwayKeys *fake);

JsonNode     *test_http_json         (const char    *method,
                                      const char    *address,
                                      const char    *body);
void          test_wait_result       (GAsyncResult **result);
void          test_result_cb         (GObject       *object,
                                      GAsyncResult  *result,
                                      gpointer       user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeServer, fake_server_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeRunwayKeys, fake_runway_keys_free)

G_END_DECLS
