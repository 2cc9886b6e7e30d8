/* echoes-local-provider.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "echoes-video-provider.h"

G_BEGIN_DECLS

#define ECHOES_LOCAL_PROVIDER_NAME "local"

#define ECHOES_TYPE_LOCAL_PROVIDER (echoes_local_provider_get_type())

G_DECLARE_FINAL_TYPE (EchoesLocalProvider, echoes_local_provider, ECHOES, LOCAL_PROVIDER, GObject)

EchoesLocalProvider *echoes_local_provider_new          (void);
int                  echoes_local_provider_get_max_size (EchoesLocalProvider *self);
void                 echoes_local_provider_set_max_size (EchoesLocalProvider *self,
                                                         int                  max_size);

G_END_DECLS
