/* echoes-rest-client.h
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

/* EchoesRestClient: PostgREST (`/rest/v1`) for the sync layer. No state but the auth.
 *
 * - @params and @filters are %NULL-terminated key/value pairs, values unescaped:
 *   `{ "select", "*,clips(*)", "project_id", "eq.42", "order", "order.asc", NULL }`;
 *   the client URL-encodes them.
 * - Every _finish returns the response body as a #JsonNode (transfer full): an array of rows
 *   for select/insert/upsert/update/delete (`Prefer: return=representation`), whatever the
 *   function returns for rpc (a JSON null node when the body is empty).
 * - upsert sends `Prefer: resolution=merge-duplicates,return=representation` and
 *   `on_conflict` when @on_conflict is not %NULL; it is retried like an idempotent request.
 *   insert and rpc (POST) are never sent twice after a 5xx or a dropped connection.
 * - Errors are in %ECHOES_CLOUD_ERROR (see echoes-cloud-error.h): 409 → CONFLICT,
 *   403/42501 → FORBIDDEN, 404 → NOT_FOUND, 402/PT402 → NO_CREDITS, 401 after one refresh →
 *   SESSION_EXPIRED; the PostgREST `code` (e.g. "23505") starts the error message.
 */

G_BEGIN_DECLS

#define ECHOES_TYPE_REST_CLIENT (echoes_rest_client_get_type())

G_DECLARE_FINAL_TYPE (EchoesRestClient, echoes_rest_client, ECHOES, REST_CLIENT, EchoesCloudClient)

EchoesRestClient *echoes_rest_client_new           (EchoesAuth          *auth);
void              echoes_rest_client_select_async  (EchoesRestClient    *self,
                                                    const char          *table,
                                                    const char * const  *params,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
JsonNode         *echoes_rest_client_select_finish (EchoesRestClient    *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
void              echoes_rest_client_insert_async  (EchoesRestClient    *self,
                                                    const char          *table,
                                                    JsonNode            *rows,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
JsonNode         *echoes_rest_client_insert_finish (EchoesRestClient    *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
void              echoes_rest_client_upsert_async  (EchoesRestClient    *self,
                                                    const char          *table,
                                                    JsonNode            *rows,
                                                    const char          *on_conflict,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
JsonNode         *echoes_rest_client_upsert_finish (EchoesRestClient    *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
void              echoes_rest_client_update_async  (EchoesRestClient    *self,
                                                    const char          *table,
                                                    const char * const  *filters,
                                                    JsonNode            *patch,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
JsonNode         *echoes_rest_client_update_finish (EchoesRestClient    *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
void              echoes_rest_client_delete_async  (EchoesRestClient    *self,
                                                    const char          *table,
                                                    const char * const  *filters,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
JsonNode         *echoes_rest_client_delete_finish (EchoesRestClient    *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
void              echoes_rest_client_rpc_async     (EchoesRestClient    *self,
                                                    const char          *function,
                                                    JsonNode            *args,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
JsonNode         *echoes_rest_client_rpc_finish    (EchoesRestClient    *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

G_END_DECLS
