/* echoes-rest-client.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-rest-client"

#include "config.h"

#include "echoes-rest-client.h"

#include <string.h>

#include "echoes-cloud-error.h"

struct _EchoesRestClient
{
  EchoesCloudClient parent_instance;
};

G_DEFINE_FINAL_TYPE (EchoesRestClient, echoes_rest_client, ECHOES_TYPE_CLOUD_CLIENT)

static void
echoes_rest_client_class_init (EchoesRestClientClass *klass)
{
}

static void
echoes_rest_client_init (EchoesRestClient *self)
{
}

/**
 * echoes_rest_client_new:
 * @auth: the session
 *
 * Creates a PostgREST client for the session's server.
 *
 * Returns: (transfer full): a new #EchoesRestClient
 */
EchoesRestClient *
echoes_rest_client_new (EchoesAuth *auth)
{
  g_return_val_if_fail (ECHOES_IS_AUTH (auth), NULL);

  return g_object_new (ECHOES_TYPE_REST_CLIENT, "auth", auth, NULL);
}

static void
json_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  JsonNode *node;

  node = echoes_http_send_json_finish (ECHOES_HTTP (object), result, &error);
  if (node == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

static void
send (EchoesRestClient    *self,
      gpointer             source_tag,
      const char          *method,
      const char          *path,
      const char * const  *params,
      const char          *prefer,
      JsonNode            *body,
      EchoesHttpFlags      flags,
      GCancellable        *cancellable,
      GAsyncReadyCallback  callback,
      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autofree char *url = echoes_http_build_url (echoes_cloud_client_get_http (ECHOES_CLOUD_CLIENT (self)), path, params);
  const char *base = echoes_http_get_url (echoes_cloud_client_get_http (ECHOES_CLOUD_CLIENT (self)));

  g_task_set_source_tag (task, source_tag);
  if (prefer != NULL)
    soup_message_headers_replace (headers, "Prefer", prefer);

  echoes_http_send_json_async (echoes_cloud_client_get_http (ECHOES_CLOUD_CLIENT (self)), method, url + strlen (base), headers, body, flags,
                               cancellable, json_cb, g_steal_pointer (&task));
}

static JsonNode *
finish (EchoesRestClient  *self,
        GAsyncResult      *result,
        GError           **error)
{
  g_return_val_if_fail (ECHOES_IS_REST_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
valid_name (const char *name)
{
  if (name == NULL || *name == '\0')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

/**
 * echoes_rest_client_select_async:
 * @self: a #EchoesRestClient
 * @table: the table or view
 * @params: (nullable) (array zero-terminated=1): key/value pairs: `select`, filters
 *   (`"id", "eq.42"`), `order`, `limit`, `offset`
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the rows
 * @user_data: data for @callback
 *
 * Reads rows (`GET /rest/v1/{table}`); retried like any GET.
 */
void
echoes_rest_client_select_async (EchoesRestClient    *self,
                                 const char          *table,
                                 const char * const  *params,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (ECHOES_IS_REST_CLIENT (self));
  g_return_if_fail (valid_name (table));

  path = g_strconcat ("/rest/v1/", table, NULL);
  send (self, echoes_rest_client_select_async, "GET", path, params, NULL, NULL,
        ECHOES_HTTP_FLAGS_NONE, cancellable, callback, user_data);
}

/**
 * echoes_rest_client_select_finish:
 * @self: a #EchoesRestClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): a JSON array of rows, or %NULL with @error set
 */
JsonNode *
echoes_rest_client_select_finish (EchoesRestClient  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  return finish (self, result, error);
}

/**
 * echoes_rest_client_insert_async:
 * @self: a #EchoesRestClient
 * @table: the table
 * @rows: a JSON object or array of objects
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the inserted rows
 * @user_data: data for @callback
 *
 * Inserts rows (`POST`, `Prefer: return=representation`). Never sent twice after a 5xx or
 * a dropped connection: use echoes_rest_client_upsert_async() for rows that may be sent
 * again.
 */
void
echoes_rest_client_insert_async (EchoesRestClient    *self,
                                 const char          *table,
                                 JsonNode            *rows,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (ECHOES_IS_REST_CLIENT (self));
  g_return_if_fail (valid_name (table));
  g_return_if_fail (rows != NULL);

  path = g_strconcat ("/rest/v1/", table, NULL);
  send (self, echoes_rest_client_insert_async, "POST", path, NULL, "return=representation",
        rows, ECHOES_HTTP_REQUIRE_SESSION, cancellable, callback, user_data);
}

/**
 * echoes_rest_client_insert_finish:
 * @self: a #EchoesRestClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): a JSON array of the inserted rows, or %NULL with @error set
 */
JsonNode *
echoes_rest_client_insert_finish (EchoesRestClient  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  return finish (self, result, error);
}

/**
 * echoes_rest_client_upsert_async:
 * @self: a #EchoesRestClient
 * @table: the table
 * @rows: a JSON object or array of objects
 * @on_conflict: (nullable): the unique columns to merge on, comma-separated, when not the
 *   primary key
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the rows
 * @user_data: data for @callback
 *
 * Inserts or updates rows (`Prefer: resolution=merge-duplicates,return=representation`).
 * Sending it twice gives the same rows, so it is retried like an idempotent request.
 */
void
echoes_rest_client_upsert_async (EchoesRestClient    *self,
                                 const char          *table,
                                 JsonNode            *rows,
                                 const char          *on_conflict,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autofree char *path = NULL;
  const char *params[] = { "on_conflict", on_conflict, NULL };

  g_return_if_fail (ECHOES_IS_REST_CLIENT (self));
  g_return_if_fail (valid_name (table));
  g_return_if_fail (rows != NULL);

  path = g_strconcat ("/rest/v1/", table, NULL);
  send (self, echoes_rest_client_upsert_async, "POST", path, on_conflict != NULL ? params : NULL,
        "resolution=merge-duplicates,return=representation", rows,
        ECHOES_HTTP_IDEMPOTENT | ECHOES_HTTP_REQUIRE_SESSION, cancellable, callback, user_data);
}

/**
 * echoes_rest_client_upsert_finish:
 * @self: a #EchoesRestClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): a JSON array of the rows, or %NULL with @error set
 */
JsonNode *
echoes_rest_client_upsert_finish (EchoesRestClient  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  return finish (self, result, error);
}

/**
 * echoes_rest_client_update_async:
 * @self: a #EchoesRestClient
 * @table: the table
 * @filters: (array zero-terminated=1): key/value pairs choosing the rows; at least one
 * @patch: a JSON object with the columns to change
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the changed rows
 * @user_data: data for @callback
 *
 * Updates rows (`PATCH`, `Prefer: return=representation`). Rows hidden by row-level
 * security are not an error: the answer is an empty array.
 */
void
echoes_rest_client_update_async (EchoesRestClient    *self,
                                 const char          *table,
                                 const char * const  *filters,
                                 JsonNode            *patch,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (ECHOES_IS_REST_CLIENT (self));
  g_return_if_fail (valid_name (table));
  g_return_if_fail (filters != NULL && filters[0] != NULL);
  g_return_if_fail (patch != NULL);

  path = g_strconcat ("/rest/v1/", table, NULL);
  send (self, echoes_rest_client_update_async, "PATCH", path, filters, "return=representation",
        patch, ECHOES_HTTP_REQUIRE_SESSION, cancellable, callback, user_data);
}

/**
 * echoes_rest_client_update_finish:
 * @self: a #EchoesRestClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): a JSON array of the changed rows, or %NULL with @error set
 */
JsonNode *
echoes_rest_client_update_finish (EchoesRestClient  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  return finish (self, result, error);
}

/**
 * echoes_rest_client_delete_async:
 * @self: a #EchoesRestClient
 * @table: the table
 * @filters: (array zero-terminated=1): key/value pairs choosing the rows; at least one
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the deleted rows
 * @user_data: data for @callback
 *
 * Deletes rows (`DELETE`, `Prefer: return=representation`).
 */
void
echoes_rest_client_delete_async (EchoesRestClient    *self,
                                 const char          *table,
                                 const char * const  *filters,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (ECHOES_IS_REST_CLIENT (self));
  g_return_if_fail (valid_name (table));
  g_return_if_fail (filters != NULL && filters[0] != NULL);

  path = g_strconcat ("/rest/v1/", table, NULL);
  send (self, echoes_rest_client_delete_async, "DELETE", path, filters, "return=representation",
        NULL, ECHOES_HTTP_REQUIRE_SESSION, cancellable, callback, user_data);
}

/**
 * echoes_rest_client_delete_finish:
 * @self: a #EchoesRestClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): a JSON array of the deleted rows, or %NULL with @error set
 */
JsonNode *
echoes_rest_client_delete_finish (EchoesRestClient  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  return finish (self, result, error);
}

/**
 * echoes_rest_client_rpc_async:
 * @self: a #EchoesRestClient
 * @function: the SQL function
 * @args: (nullable): a JSON object of named arguments
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the function's result
 * @user_data: data for @callback
 *
 * Calls `POST /rest/v1/rpc/{function}`; never sent twice after a 5xx.
 */
void
echoes_rest_client_rpc_async (EchoesRestClient    *self,
                              const char          *function,
                              JsonNode            *args,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) empty = NULL;

  g_return_if_fail (ECHOES_IS_REST_CLIENT (self));
  g_return_if_fail (valid_name (function));

  if (args == NULL)
    {
      empty = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (empty, json_object_new ());
    }

  path = g_strconcat ("/rest/v1/rpc/", function, NULL);
  send (self, echoes_rest_client_rpc_async, "POST", path, NULL, NULL,
        args != NULL ? args : empty, ECHOES_HTTP_FLAGS_NONE, cancellable, callback, user_data);
}

/**
 * echoes_rest_client_rpc_finish:
 * @self: a #EchoesRestClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the function's result (a JSON null node when empty), or %NULL
 *   with @error set
 */
JsonNode *
echoes_rest_client_rpc_finish (EchoesRestClient  *self,
                               GAsyncResult      *result,
                               GError           **error)
{
  return finish (self, result, error);
}
