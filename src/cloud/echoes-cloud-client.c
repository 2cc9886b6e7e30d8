/* echoes-cloud-client.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-cloud-client"

#include "config.h"

#include "echoes-cloud-client.h"

/**
 * EchoesCloudClient:
 *
 * What the account server's API clients (#EchoesRestClient, #EchoesStorageClient,
 * #EchoesFunctionsClient) share: the session they make requests as (#EchoesCloudClient:auth,
 * which also gives the server's URL and key) and one #EchoesHttp of their own, made
 * from it. No other state.
 */

typedef struct
{
  EchoesAuth *auth;  /* (owned) */
  EchoesHttp *http;  /* (owned) */
} EchoesCloudClientPrivate;

enum {
  PROP_0,
  PROP_AUTH,
  N_PROPS
};

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (EchoesCloudClient, echoes_cloud_client, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];

static void
echoes_cloud_client_constructed (GObject *object)
{
  EchoesCloudClient *self = (EchoesCloudClient *)object;
  EchoesCloudClientPrivate *priv = echoes_cloud_client_get_instance_private (self);

  G_OBJECT_CLASS (echoes_cloud_client_parent_class)->constructed (object);

  g_assert (ECHOES_IS_AUTH (priv->auth));
  priv->http = echoes_http_new (echoes_auth_get_url (priv->auth),
                                echoes_auth_get_anon_key (priv->auth), priv->auth);
}

static void
echoes_cloud_client_dispose (GObject *object)
{
  EchoesCloudClient *self = (EchoesCloudClient *)object;
  EchoesCloudClientPrivate *priv = echoes_cloud_client_get_instance_private (self);

  g_clear_object (&priv->http);
  g_clear_object (&priv->auth);

  G_OBJECT_CLASS (echoes_cloud_client_parent_class)->dispose (object);
}

static void
echoes_cloud_client_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  EchoesCloudClient *self = ECHOES_CLOUD_CLIENT (object);
  EchoesCloudClientPrivate *priv = echoes_cloud_client_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_AUTH:
      g_value_set_object (value, priv->auth);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_cloud_client_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  EchoesCloudClient *self = ECHOES_CLOUD_CLIENT (object);
  EchoesCloudClientPrivate *priv = echoes_cloud_client_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_AUTH:
      priv->auth = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_cloud_client_class_init (EchoesCloudClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = echoes_cloud_client_constructed;
  object_class->dispose = echoes_cloud_client_dispose;
  object_class->get_property = echoes_cloud_client_get_property;
  object_class->set_property = echoes_cloud_client_set_property;

  /**
   * EchoesCloudClient:auth:
   *
   * The session the requests are made as; it also gives the server URL and key.
   */
  properties [PROP_AUTH] =
    g_param_spec_object ("auth", NULL, NULL, ECHOES_TYPE_AUTH,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
echoes_cloud_client_init (EchoesCloudClient *self)
{
}

/**
 * echoes_cloud_client_get_auth:
 * @self: a #EchoesCloudClient
 *
 * Returns: (transfer none): the session the requests are made as
 */
EchoesAuth *
echoes_cloud_client_get_auth (EchoesCloudClient *self)
{
  EchoesCloudClientPrivate *priv = echoes_cloud_client_get_instance_private (self);

  g_return_val_if_fail (ECHOES_IS_CLOUD_CLIENT (self), NULL);

  return priv->auth;
}

/**
 * echoes_cloud_client_get_http:
 * @self: a #EchoesCloudClient
 *
 * For the subclasses: the HTTP client their requests go through.
 *
 * Returns: (transfer none): the client's #EchoesHttp
 */
EchoesHttp *
echoes_cloud_client_get_http (EchoesCloudClient *self)
{
  EchoesCloudClientPrivate *priv = echoes_cloud_client_get_instance_private (self);

  g_return_val_if_fail (ECHOES_IS_CLOUD_CLIENT (self), NULL);

  return priv->http;
}
