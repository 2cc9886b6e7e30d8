/* echoes-functions-client.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-functions-client"

#include "config.h"

#include "echoes-functions-client.h"

#include "echoes-cloud-error.h"

struct _EchoesFunctionsClient
{
  EchoesCloudClient parent_instance;
};

G_DEFINE_FINAL_TYPE (EchoesFunctionsClient, echoes_functions_client, ECHOES_TYPE_CLOUD_CLIENT)

static void
echoes_functions_client_class_init (EchoesFunctionsClientClass *klass)
{
}

static void
echoes_functions_client_init (EchoesFunctionsClient *self)
{
}

/**
 * echoes_functions_client_new:
 * @auth: the session
 *
 * Creates an edge-function client for the session's server.
 *
 * Returns: (transfer full): a new #EchoesFunctionsClient
 */
EchoesFunctionsClient *
echoes_functions_client_new (EchoesAuth *auth)
{
  g_return_val_if_fail (ECHOES_IS_AUTH (auth), NULL);

  return g_object_new (ECHOES_TYPE_FUNCTIONS_CLIENT, "auth", auth, NULL);
}

static void
invoked_cb (GObject      *object,
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

/**
 * echoes_functions_client_invoke_async:
 * @self: a #EchoesFunctionsClient
 * @name: the function, e.g. "generate-clip"
 * @body: (nullable): a JSON body
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the answer
 * @user_data: data for @callback
 *
 * Calls `POST /functions/v1/{name}` as the signed-in user.
 */
void
echoes_functions_client_invoke_async (EchoesFunctionsClient *self,
                                      const char            *name,
                                      JsonNode              *body,
                                      GCancellable          *cancellable,
                                      GAsyncReadyCallback    callback,
                                      gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (ECHOES_IS_FUNCTIONS_CLIENT (self));
  g_return_if_fail (name != NULL && *name != '\0');
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_functions_client_invoke_async);

  escaped = g_uri_escape_string (name, "/", FALSE);
  path = g_strconcat ("/functions/v1/", escaped, NULL);
  echoes_http_send_json_async (echoes_cloud_client_get_http (ECHOES_CLOUD_CLIENT (self)), "POST", path, NULL, body, ECHOES_HTTP_REQUIRE_SESSION,
                               cancellable, invoked_cb, g_steal_pointer (&task));
}

/**
 * echoes_functions_client_invoke_finish:
 * @self: a #EchoesFunctionsClient
 * @result: the result
 * @error: return location for an error (%ECHOES_CLOUD_ERROR_NO_CREDITS, …)
 *
 * Returns: (transfer full): the JSON answer, or %NULL with @error set
 */
JsonNode *
echoes_functions_client_invoke_finish (EchoesFunctionsClient  *self,
                                       GAsyncResult           *result,
                                       GError                **error)
{
  g_return_val_if_fail (ECHOES_IS_FUNCTIONS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
