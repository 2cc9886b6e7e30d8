/* echoes-runway-key.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-runway-key"

#include "config.h"

#include "echoes-runway-key.h"

#include <string.h>

#include "echoes-cloud-error.h"
#include "echoes-http.h"
#include "echoes-util.h"

/**
 * echoes_runway_key_dup_api_url:
 *
 * Returns: (transfer full): Runway's API: %ECHOES_RUNWAY_API_URL, or the address in the
 *   `ECHOES_RUNWAY_API_URL` environment variable. The key is kept in the keyring under it.
 */
char *
echoes_runway_key_dup_api_url (void)
{
  const char *env = g_getenv (ECHOES_RUNWAY_API_URL_ENV);

  return g_strdup (env != NULL && *env != '\0' ? env : ECHOES_RUNWAY_API_URL);
}

/**
 * echoes_runway_key_new_headers:
 * @key: the user's own Runway key (a secret)
 *
 * Returns: (transfer full): request headers for Runway's API: the key as a bearer token
 *   and the API version
 */
SoupMessageHeaders *
echoes_runway_key_new_headers (const char *key)
{
  SoupMessageHeaders *headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);

  echoes_http_headers_set_bearer (headers, key);
  soup_message_headers_replace (headers, "X-Runway-Version", ECHOES_RUNWAY_API_VERSION);
  return headers;
}

static void
validated_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(EchoesHttpResponse) response = NULL;
  GError *error = NULL;

  if (!(response = echoes_http_send_finish (ECHOES_HTTP (object), result, &error)))
    {
      if (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_SESSION_EXPIRED)
          || g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_FORBIDDEN))
        {
          g_task_return_new_error (task, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_UNAUTHORIZED,
                                   "Runway refused the key");
          g_error_free (error);
          return;
        }
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * echoes_runway_key_validate_async:
 * @base_url: Runway's API (%ECHOES_RUNWAY_API_URL; a fake in tests)
 * @key: the key to check (a secret: never logged)
 *
 * Asks Runway about the key's organization once.
 */
void
echoes_runway_key_validate_async (const char          *base_url,
                                  const char          *key,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(EchoesHttp) http = NULL;
  g_autoptr(SoupMessageHeaders) headers = NULL;

  g_return_if_fail (base_url != NULL);
  g_return_if_fail (key != NULL);

  g_task_set_source_tag (task, echoes_runway_key_validate_async);
  if (*key == '\0' || strpbrk (key, " \r\n\t") != NULL)
    {
      g_task_return_new_error (task, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_UNAUTHORIZED,
                               "Not a Runway key");
      return;
    }

  http = echoes_http_new (base_url, "", NULL);
  headers = echoes_runway_key_new_headers (key);
  echoes_http_send_async (http, "GET", "/v1/organization", headers, NULL, NULL,
                          ECHOES_HTTP_ANONYMOUS, cancellable, validated_cb,
                          g_steal_pointer (&task));
}

gboolean
echoes_runway_key_validate_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  EchoesSecretStore *store;
  char              *base_url;
  char              *key;
} Save;

static void
save_free (Save *save)
{
  g_clear_object (&save->store);
  g_free (save->base_url);
  echoes_secret_free (save->key);
  g_free (save);
}

static void
stored_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!echoes_secret_store_store_finish (ECHOES_SECRET_STORE (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
save_validated_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Save *save = g_task_get_task_data (task);
  GError *error = NULL;

  if (!echoes_runway_key_validate_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  echoes_secret_store_store_async (save->store, save->base_url, save->key,
                                   g_task_get_cancellable (task), stored_cb,
                                   g_object_ref (task));
}

/**
 * echoes_runway_key_save_async:
 * @store: the keyring
 * @base_url: Runway's API
 * @key: the key
 *
 * Checks the key once with Runway, then keeps it in the keyring. Nothing is kept when
 * Runway refuses it (%ECHOES_CLOUD_ERROR_UNAUTHORIZED).
 */
void
echoes_runway_key_save_async (EchoesSecretStore   *store,
                              const char          *base_url,
                              const char          *key,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Save *save = g_new0 (Save, 1);

  g_return_if_fail (ECHOES_IS_SECRET_STORE (store));

  g_task_set_source_tag (task, echoes_runway_key_save_async);
  save->store = g_object_ref (store);
  save->base_url = g_strdup (base_url);
  save->key = g_strdup (key);
  g_task_set_task_data (task, save, (GDestroyNotify) save_free);
  echoes_runway_key_validate_async (base_url, key, cancellable, save_validated_cb,
                                    g_steal_pointer (&task));
}

gboolean
echoes_runway_key_save_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
