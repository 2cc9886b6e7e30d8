/* echoes-cloud-client.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-auth.h"
#include "echoes-http.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_CLOUD_CLIENT (echoes_cloud_client_get_type ())

G_DECLARE_DERIVABLE_TYPE (EchoesCloudClient, echoes_cloud_client, ECHOES, CLOUD_CLIENT, GObject)

struct _EchoesCloudClientClass
{
  GObjectClass parent_class;

  /*< private >*/
  gpointer padding[4];
};

EchoesAuth *echoes_cloud_client_get_auth (EchoesCloudClient *self);
EchoesHttp *echoes_cloud_client_get_http (EchoesCloudClient *self);

G_END_DECLS
