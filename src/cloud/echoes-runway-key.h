/* echoes-runway-key.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "echoes-secret-store.h"

/* A user's own Runway API key ("bring your own key"): checked once against Runway
 * (`GET /v1/organization`), then kept only in the keyring (EchoesSecretStore, under the
 * API's address), never in files, settings or logs. */

G_BEGIN_DECLS

#define ECHOES_RUNWAY_API_URL     "https://api.dev.runwayml.com"
#define ECHOES_RUNWAY_API_VERSION "2024-11-06"
/* Environment variable naming another Runway API (tests: the fake Runway). */
#define ECHOES_RUNWAY_API_URL_ENV "ECHOES_RUNWAY_API_URL"

char    *echoes_runway_key_dup_api_url     (void);
SoupMessageHeaders *echoes_runway_key_new_headers (const char *key);

void     echoes_runway_key_validate_async  (const char           *base_url,
                                            const char           *key,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean echoes_runway_key_validate_finish (GAsyncResult         *result,
                                            GError              **error);
void     echoes_runway_key_save_async      (EchoesSecretStore    *store,
                                            const char           *base_url,
                                            const char           *key,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean echoes_runway_key_save_finish     (GAsyncResult         *result,
                                            GError              **error);

G_END_DECLS
