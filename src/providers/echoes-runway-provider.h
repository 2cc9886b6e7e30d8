/* echoes-runway-provider.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "echoes-auth.h"
#include "echoes-video-provider.h"

G_BEGIN_DECLS

#define ECHOES_RUNWAY_PROVIDER_NAME "runway"

/**
 * ECHOES_RUNWAY_MAX_IMAGE_BYTES:
 *
 * The largest photo sent as it is (the server's `images` bucket takes 15 MB); larger ones
 * are re-encoded as JPEG first.
 */
#define ECHOES_RUNWAY_MAX_IMAGE_BYTES (15 * 1000 * 1000)

/**
 * ECHOES_RUNWAY_MAX_IMAGE_SIDE:
 *
 * The longest side sent as it is; larger photos are scaled down to
 * %ECHOES_RUNWAY_CONVERTED_SIDE.
 */
#define ECHOES_RUNWAY_MAX_IMAGE_SIDE  7999
#define ECHOES_RUNWAY_CONVERTED_SIDE  4096

#define ECHOES_TYPE_RUNWAY_PROVIDER (echoes_runway_provider_get_type())

G_DECLARE_FINAL_TYPE (EchoesRunwayProvider, echoes_runway_provider, ECHOES, RUNWAY_PROVIDER, GObject)

EchoesRunwayProvider *echoes_runway_provider_new            (EchoesAuth           *auth);
EchoesAuth           *echoes_runway_provider_get_auth       (EchoesRunwayProvider *self);
double                echoes_runway_provider_get_poll_scale (EchoesRunwayProvider *self);
void                  echoes_runway_provider_set_poll_scale (EchoesRunwayProvider *self,
                                                             double                scale);
guint                 echoes_runway_provider_get_n_status_requests (EchoesRunwayProvider *self);
void                  echoes_runway_provider_detach_all     (EchoesRunwayProvider *self);
void                  echoes_runway_provider_set_api_key    (EchoesRunwayProvider *self,
                                                             const char           *key,
                                                             const char           *api_url);
char                 *echoes_runway_provider_prepare_image  (const char           *path,
                                                             char                **content_type,
                                                             char                **extension,
                                                             gboolean             *converted,
                                                             GError              **error);

G_END_DECLS
