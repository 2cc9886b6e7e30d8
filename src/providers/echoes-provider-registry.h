/* echoes-provider-registry.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-auth.h"
#include "echoes-video-provider.h"

G_BEGIN_DECLS

/* The GSettings key holding the active provider's name, and its default. */
#define ECHOES_PROVIDER_SETTINGS_KEY "active-provider"
#define ECHOES_PROVIDER_DEFAULT      "local"
/* Environment variable that overrides the setting (tests, CI, debugging). */
#define ECHOES_PROVIDER_ENV          "ECHOES_PROVIDER"

#define ECHOES_TYPE_PROVIDER_REGISTRY (echoes_provider_registry_get_type())

G_DECLARE_FINAL_TYPE (EchoesProviderRegistry, echoes_provider_registry, ECHOES, PROVIDER_REGISTRY, GObject)

EchoesProviderRegistry *echoes_provider_registry_new           (void);
EchoesProviderRegistry *echoes_provider_registry_new_with_auth (EchoesAuth              *auth);
void                    echoes_provider_registry_set_auth      (EchoesProviderRegistry  *self,
                                                                EchoesAuth              *auth);
void                    echoes_provider_registry_set_runway_key (EchoesProviderRegistry *self,
                                                                 const char             *key,
                                                                 const char             *api_url);
gboolean                echoes_provider_registry_get_has_runway_key (EchoesProviderRegistry *self);
void                    echoes_provider_registry_add           (EchoesProviderRegistry  *self,
                                                                EchoesVideoProvider     *provider);
EchoesVideoProvider    *echoes_provider_registry_lookup        (EchoesProviderRegistry  *self,
                                                                const char              *name);
GStrv                   echoes_provider_registry_dup_names     (EchoesProviderRegistry  *self);
const char             *echoes_provider_registry_resolve_name  (const char              *setting);
EchoesVideoProvider    *echoes_provider_registry_get_active    (EchoesProviderRegistry  *self,
                                                                const char              *setting,
                                                                GError                 **error);

G_END_DECLS
