/* echoes-functions-client.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "echoes-auth.h"
#include "echoes-cloud-client.h"
#include "echoes-http.h"

/* EchoesFunctionsClient: `POST /functions/v1/{name}` with a JSON body (or none), returns
 * the JSON answer. An `{ "error": "…", "code": "…" }` body maps to %ECHOES_CLOUD_ERROR
 * (`no_credits`/`insufficient_credits` or HTTP 402 → NO_CREDITS). Never retried after a
 * 5xx (functions are not idempotent), except when the connection was refused.
 */

G_BEGIN_DECLS

#define ECHOES_TYPE_FUNCTIONS_CLIENT (echoes_functions_client_get_type())

G_DECLARE_FINAL_TYPE (EchoesFunctionsClient, echoes_functions_client, ECHOES, FUNCTIONS_CLIENT, EchoesCloudClient)

EchoesFunctionsClient *echoes_functions_client_new           (EchoesAuth             *auth);
void                   echoes_functions_client_invoke_async  (EchoesFunctionsClient  *self,
                                                              const char             *name,
                                                              JsonNode               *body,
                                                              GCancellable           *cancellable,
                                                              GAsyncReadyCallback     callback,
                                                              gpointer                user_data);
JsonNode              *echoes_functions_client_invoke_finish (EchoesFunctionsClient  *self,
                                                              GAsyncResult           *result,
                                                              GError                **error);

G_END_DECLS
