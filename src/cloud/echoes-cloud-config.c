/* echoes-cloud-config.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-cloud-config"

#include "config.h"

#include "echoes-cloud-config.h"

#include <string.h>
#include <gio/gio.h>

#include "echoes-cloud-defaults.h"
#include "echoes-cloud-error.h"
#include "echoes-util.h"

/* Where the account server is: the environment (ECHOES_SUPABASE_URL,
 * ECHOES_SUPABASE_ANON_KEY) wins over GSettings (`supabase-url`, `supabase-anon-key`),
 * whose empty default means the build's default (the meson options `supabase_url` and
 * `supabase_anon_key`). Only the public anon key ever ships; never a service key. */

static char *
lookup (const char *env,
        const char *key,
        const char *fallback)
{
  g_autoptr(GSettings) settings = NULL;
  const char *value = g_getenv (env);

  if (value != NULL && *value != '\0')
    return g_strdup (value);

  if ((settings = echoes_settings_new (key)) != NULL)
    {
      g_autofree char *setting = g_settings_get_string (settings, key);

      if (setting != NULL && *setting != '\0')
        return g_steal_pointer (&setting);
    }

  return g_strdup (fallback);
}

/**
 * echoes_cloud_config_dup_url:
 *
 * Gets the account server's base URL (`https://<ref>.supabase.co`), without a trailing slash.
 *
 * Returns: (transfer full): the URL; empty when none is set
 */
char *
echoes_cloud_config_dup_url (void)
{
  g_autofree char *url = lookup ("ECHOES_SUPABASE_URL", "supabase-url", ECHOES_SUPABASE_URL_DEFAULT);
  gsize len = strlen (url);

  while (len > 0 && url[len - 1] == '/')
    url[--len] = '\0';
  return g_steal_pointer (&url);
}

/**
 * echoes_cloud_config_dup_anon_key:
 *
 * Gets the server's public (anon) key sent in every request's `apikey` header.
 *
 * Returns: (transfer full): the key; empty when none is set
 */
char *
echoes_cloud_config_dup_anon_key (void)
{
  return lookup ("ECHOES_SUPABASE_ANON_KEY", "supabase-anon-key", ECHOES_SUPABASE_ANON_KEY_DEFAULT);
}

/**
 * echoes_cloud_config_lookup:
 * @url: (out) (optional): the server URL
 * @anon_key: (out) (optional): the anon key
 * @error: return location for an error
 *
 * Gets both settings, failing with %ECHOES_CLOUD_ERROR_NOT_CONFIGURED when either is empty
 * or the URL is not an http(s) URL.
 *
 * Returns: %TRUE when the app has an account server
 */
gboolean
echoes_cloud_config_lookup (char   **url,
                            char   **anon_key,
                            GError **error)
{
  g_autofree char *the_url = echoes_cloud_config_dup_url ();
  g_autofree char *the_key = echoes_cloud_config_dup_anon_key ();

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (*the_key == '\0'
      || !(g_str_has_prefix (the_url, "https://") || g_str_has_prefix (the_url, "http://"))
      || !g_uri_is_valid (the_url, G_URI_FLAGS_NONE, NULL))
    {
      g_set_error_literal (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_NOT_CONFIGURED,
                           "No account server URL or key is configured");
      return FALSE;
    }

  if (url != NULL)
    *url = g_steal_pointer (&the_url);
  if (anon_key != NULL)
    *anon_key = g_steal_pointer (&the_key);
  return TRUE;
}
