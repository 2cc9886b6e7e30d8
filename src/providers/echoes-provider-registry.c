/* echoes-provider-registry.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-provider-registry"

#include "config.h"

#include "echoes-provider-registry.h"

#include "echoes-cloud-config.h"
#include "echoes-local-provider.h"
#include "echoes-runway-provider.h"
#include "echoes-util.h"

/* Knows every video provider by name and picks the active one. Swapping providers is a
 * matter of the `active-provider` setting (or ECHOES_PROVIDER): callers only ever see
 * EchoesVideoProvider. */

struct _EchoesProviderRegistry
{
  GObject    parent_instance;

  GPtrArray *providers;      /* (owned) (element-type EchoesVideoProvider) */
  char      *runway_key;     /* (owned) (nullable) the user's own Runway key: a secret */
  char      *runway_api_url; /* (owned) (nullable) */
};

G_DEFINE_FINAL_TYPE (EchoesProviderRegistry, echoes_provider_registry, G_TYPE_OBJECT)

static void
echoes_provider_registry_finalize (GObject *object)
{
  EchoesProviderRegistry *self = ECHOES_PROVIDER_REGISTRY (object);

  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_clear_pointer (&self->runway_key, echoes_secret_free);
  g_clear_pointer (&self->runway_api_url, g_free);

  G_OBJECT_CLASS (echoes_provider_registry_parent_class)->finalize (object);
}

static void
echoes_provider_registry_class_init (EchoesProviderRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = echoes_provider_registry_finalize;
}

static void
echoes_provider_registry_init (EchoesProviderRegistry *self)
{
  self->providers = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * echoes_provider_registry_new:
 *
 * Creates a registry holding the built-in providers: "local" (Ken Burns, offline) and
 * "runway" (AI motion through the account server) without a session: until the session
 * owner calls echoes_provider_registry_set_auth(), "runway" refuses every clip with
 * %ECHOES_PROVIDER_ERROR_NOT_SIGNED_IN ("Sign in to use AI motion"), never silently
 * falling back to Ken Burns.
 *
 * Returns: (transfer full): a new #EchoesProviderRegistry
 */
EchoesProviderRegistry *
echoes_provider_registry_new (void)
{
  return echoes_provider_registry_new_with_auth (NULL);
}

/**
 * echoes_provider_registry_new_with_auth:
 * @auth: (nullable): the app's session owner
 *
 * Like echoes_provider_registry_new(), with "runway" generating as @auth's account.
 *
 * Returns: (transfer full): a new #EchoesProviderRegistry
 */
EchoesProviderRegistry *
echoes_provider_registry_new_with_auth (EchoesAuth *auth)
{
  g_autoptr(EchoesProviderRegistry) self = g_object_new (ECHOES_TYPE_PROVIDER_REGISTRY, NULL);
  g_autoptr(EchoesLocalProvider) local = echoes_local_provider_new ();

  g_return_val_if_fail (auth == NULL || ECHOES_IS_AUTH (auth), NULL);

  echoes_provider_registry_add (self, ECHOES_VIDEO_PROVIDER (local));
  echoes_provider_registry_set_auth (self, auth);

  return g_steal_pointer (&self);
}

/**
 * echoes_provider_registry_set_auth:
 * @self: a #EchoesProviderRegistry
 * @auth: (nullable): the session owner, %NULL for none
 *
 * (Re)creates the "runway" provider for @auth. Without one it has a session owner that
 * is never signed in.
 */
void
echoes_provider_registry_set_auth (EchoesProviderRegistry *self,
                                   EchoesAuth             *auth)
{
  g_autoptr(EchoesAuth) none = NULL;
  g_autoptr(EchoesRunwayProvider) runway = NULL;

  g_return_if_fail (ECHOES_IS_PROVIDER_REGISTRY (self));
  g_return_if_fail (auth == NULL || ECHOES_IS_AUTH (auth));

  if (auth == NULL)
    {
      g_autofree char *url = echoes_cloud_config_dup_url ();
      g_autofree char *key = echoes_cloud_config_dup_anon_key ();

      auth = none = echoes_auth_new_full (url != NULL ? url : "", key != NULL ? key : "", FALSE);
    }

  runway = echoes_runway_provider_new (auth);
  echoes_runway_provider_set_api_key (runway, self->runway_key, self->runway_api_url);
  echoes_provider_registry_add (self, ECHOES_VIDEO_PROVIDER (runway));
}

/**
 * echoes_provider_registry_set_runway_key:
 * @self: a #EchoesProviderRegistry
 * @key: (nullable): the user's own Runway key, %NULL to go through the account again
 * @api_url: (nullable): Runway's API, %NULL for %ECHOES_RUNWAY_API_URL
 *
 * Gives "runway" the user's own key (echoes_runway_provider_set_api_key()), now and
 * whenever it is made again for another session (echoes_provider_registry_set_auth()).
 */
void
echoes_provider_registry_set_runway_key (EchoesProviderRegistry *self,
                                         const char             *key,
                                         const char             *api_url)
{
  EchoesVideoProvider *runway;

  g_return_if_fail (ECHOES_IS_PROVIDER_REGISTRY (self));

  g_clear_pointer (&self->runway_key, echoes_secret_free);
  g_clear_pointer (&self->runway_api_url, g_free);
  if (key != NULL && *key != '\0')
    {
      self->runway_key = g_strdup (key);
      self->runway_api_url = g_strdup (api_url);
    }

  if ((runway = echoes_provider_registry_lookup (self, "runway")) != NULL &&
      ECHOES_IS_RUNWAY_PROVIDER (runway))
    echoes_runway_provider_set_api_key (ECHOES_RUNWAY_PROVIDER (runway), self->runway_key,
                                        self->runway_api_url);
}

/**
 * echoes_provider_registry_get_has_runway_key:
 * @self: a #EchoesProviderRegistry
 *
 * Returns: whether "runway" uses the user's own key (no account, no credits)
 */
gboolean
echoes_provider_registry_get_has_runway_key (EchoesProviderRegistry *self)
{
  g_return_val_if_fail (ECHOES_IS_PROVIDER_REGISTRY (self), FALSE);

  return self->runway_key != NULL;
}

/**
 * echoes_provider_registry_add:
 * @self: a #EchoesProviderRegistry
 * @provider: a provider; replaces one with the same name
 */
void
echoes_provider_registry_add (EchoesProviderRegistry *self,
                              EchoesVideoProvider    *provider)
{
  const char *name;

  g_return_if_fail (ECHOES_IS_PROVIDER_REGISTRY (self));
  g_return_if_fail (ECHOES_IS_VIDEO_PROVIDER (provider));

  name = echoes_video_provider_get_name (provider);
  for (guint i = 0; i < self->providers->len; i++)
    {
      if (g_str_equal (echoes_video_provider_get_name (self->providers->pdata[i]), name))
        {
          g_ptr_array_remove_index (self->providers, i);
          break;
        }
    }

  g_ptr_array_add (self->providers, g_object_ref (provider));
}

/**
 * echoes_provider_registry_lookup:
 * @self: a #EchoesProviderRegistry
 * @name: a provider name
 *
 * Returns: (transfer none) (nullable): the provider called @name
 */
EchoesVideoProvider *
echoes_provider_registry_lookup (EchoesProviderRegistry *self,
                                 const char             *name)
{
  g_return_val_if_fail (ECHOES_IS_PROVIDER_REGISTRY (self), NULL);

  for (guint i = 0; name != NULL && i < self->providers->len; i++)
    if (g_str_equal (echoes_video_provider_get_name (self->providers->pdata[i]), name))
      return self->providers->pdata[i];

  return NULL;
}

/**
 * echoes_provider_registry_dup_names:
 *
 * Returns: (transfer full): the names of the registered providers, in order of registration
 */
GStrv
echoes_provider_registry_dup_names (EchoesProviderRegistry *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (ECHOES_IS_PROVIDER_REGISTRY (self), NULL);

  for (guint i = 0; i < self->providers->len; i++)
    g_strv_builder_add (builder, echoes_video_provider_get_name (self->providers->pdata[i]));

  return g_strv_builder_end (builder);
}

/**
 * echoes_provider_registry_resolve_name:
 * @setting: (nullable): the value of the `active-provider` GSettings key
 *
 * Returns: (transfer none): the name to use: `$ECHOES_PROVIDER` if set and not empty,
 *   else @setting if not empty, else "local"
 */
const char *
echoes_provider_registry_resolve_name (const char *setting)
{
  const char *env = g_getenv (ECHOES_PROVIDER_ENV);

  if (env != NULL && env[0] != '\0')
    return env;
  if (setting != NULL && setting[0] != '\0')
    return setting;
  return ECHOES_PROVIDER_DEFAULT;
}

/**
 * echoes_provider_registry_get_active:
 * @self: a #EchoesProviderRegistry
 * @setting: (nullable): the value of the `active-provider` GSettings key
 * @error: return location for an error
 *
 * Picks the provider named by echoes_provider_registry_resolve_name().
 *
 * Returns: (transfer none) (nullable): the provider, or %NULL with
 *   %ECHOES_PROVIDER_ERROR_NOT_FOUND (callers may then fall back to "local")
 */
EchoesVideoProvider *
echoes_provider_registry_get_active (EchoesProviderRegistry  *self,
                                     const char              *setting,
                                     GError                 **error)
{
  const char *name;
  EchoesVideoProvider *provider;

  g_return_val_if_fail (ECHOES_IS_PROVIDER_REGISTRY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = echoes_provider_registry_resolve_name (setting);
  if (!(provider = echoes_provider_registry_lookup (self, name)))
    g_set_error (error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_NOT_FOUND,
                 "No video provider called “%s”", name);

  return provider;
}
