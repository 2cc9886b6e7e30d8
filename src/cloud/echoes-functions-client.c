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
  GObject     parent_instance;

  EchoesAuth *auth; /* (owned) */
  EchoesHttp *http; /* (owned) */
};

enum {
  PROP_0,
  PROP_AUTH,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (EchoesFunctionsClient, echoes_functions_client, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];

static void
echoes_functions_client_constructed (GObject *object)
{
  EchoesFunctionsClient *self = (EchoesFunctionsClient *)object;

  G_OBJECT_CLASS (echoes_functions_client_parent_class)->constructed (object);

  self->http = echoes_http_new (echoes_auth_get_url (self->auth),
                                echoes_auth_get_anon_key (self->auth), self->auth);
}

static void
echoes_functions_client_dispose (GObject *object)
{
  EchoesFunctionsClient *self = (EchoesFunctionsClient *)object;

  g_clear_object (&self->http);
  g_clear_object (&self->auth);

  G_OBJECT_CLASS (echoes_functions_client_parent_class)->dispose (object);
}

static void
echoes_functions_client_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  EchoesFunctionsClient *self = ECHOES_FUNCTIONS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_AUTH:
      g_value_set_object (value, self->auth);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_functions_client_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  EchoesFunctionsClient *self = ECHOES_FUNCTIONS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_AUTH:
      self->auth = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_functions_client_class_init (EchoesFunctionsClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = echoes_functions_client_constructed;
  object_class->dispose = echoes_functions_client_dispose;
  object_class->get_property = echoes_functions_client_get_property;
  object_class->set_property = echoes_functions_client_set_property;

  /**
   * EchoesFunctionsClient:auth:
   *
   * The session the functions are called as.
   */
  properties [PROP_AUTH] =
    g_param_spec_object ("auth", NULL, NULL, ECHOES_TYPE_AUTH,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
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

/**
 * echoes_functions_client_get_http:
 * @self: a #EchoesFunctionsClient
 *
 * Returns: (transfer none): the request helper
 */
EchoesHttp *
echoes_functions_client_get_http (EchoesFunctionsClient *self)
{
  g_return_val_if_fail (ECHOES_IS_FUNCTIONS_CLIENT (self), NULL);
  return self->http;
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
  echoes_http_send_json_async (self->http, "POST", path, NULL, body, ECHOES_HTTP_REQUIRE_SESSION,
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
