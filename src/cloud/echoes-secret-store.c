/* echoes-secret-store.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-secret-store"

#include "config.h"

#include "echoes-secret-store.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "echoes-cloud-error.h"

/* The session's only place on disk: the user's keyring, through the Secret Service. One item
 * per account server (attribute `url`), under a schema named after the app ID. Errors of
 * the Secret Service (none running, locked, refused) become %ECHOES_CLOUD_ERROR_KEYRING. */

struct _EchoesSecretStore
{
  GObject       parent_instance;

  SecretSchema *schema; /* (owned) */
};

G_DEFINE_FINAL_TYPE (EchoesSecretStore, echoes_secret_store, G_TYPE_OBJECT)

static void
echoes_secret_store_finalize (GObject *object)
{
  EchoesSecretStore *self = (EchoesSecretStore *)object;

  g_clear_pointer (&self->schema, secret_schema_unref);

  G_OBJECT_CLASS (echoes_secret_store_parent_class)->finalize (object);
}

static void
echoes_secret_store_class_init (EchoesSecretStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = echoes_secret_store_finalize;
}

static void
echoes_secret_store_init (EchoesSecretStore *self)
{
  self->schema = secret_schema_new (BASE_ID ".Session", SECRET_SCHEMA_NONE,
                                    "url", SECRET_SCHEMA_ATTRIBUTE_STRING,
                                    NULL);
}

static GError *
keyring_error (GError *error)
{
  GError *mapped;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;
  mapped = g_error_new (ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_KEYRING,
                        "Keyring: %s", error->message);
  g_error_free (error);
  return mapped;
}

/**
 * echoes_secret_store_new:
 *
 * Creates the keyring access for sessions.
 *
 * Returns: (transfer full): a new #EchoesSecretStore
 */
EchoesSecretStore *
echoes_secret_store_new (void)
{
  return g_object_new (ECHOES_TYPE_SECRET_STORE, NULL);
}

/**
 * echoes_secret_store_get_schema_name:
 * @self: a #EchoesSecretStore
 *
 * Returns: (transfer none): the libsecret schema name (`<app id>.Session`)
 */
const char *
echoes_secret_store_get_schema_name (EchoesSecretStore *self)
{
  g_return_val_if_fail (ECHOES_IS_SECRET_STORE (self), NULL);
  return self->schema->name;
}

static void
stored_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, keyring_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * echoes_secret_store_store_async:
 * @self: a #EchoesSecretStore
 * @url: the account server the secret belongs to
 * @secret: the secret (the serialized session)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when it is stored
 * @user_data: data for @callback
 *
 * Stores @secret in the default keyring, replacing the previous one for @url.
 */
void
echoes_secret_store_store_async (EchoesSecretStore   *self,
                                 const char          *url,
                                 const char          *secret,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ECHOES_IS_SECRET_STORE (self));
  g_return_if_fail (url != NULL);
  g_return_if_fail (secret != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_secret_store_store_async);
  secret_password_store (self->schema, SECRET_COLLECTION_DEFAULT,
                         /* Translators: the name of the keyring item holding the sign-in */
                         _("Echoes account session"),
                         secret, cancellable, stored_cb, g_steal_pointer (&task),
                         "url", url, NULL);
}

/**
 * echoes_secret_store_store_finish:
 * @self: a #EchoesSecretStore
 * @result: the result
 * @error: return location for an error (%ECHOES_CLOUD_ERROR_KEYRING)
 *
 * Returns: %TRUE when the secret is stored
 */
gboolean
echoes_secret_store_store_finish (EchoesSecretStore  *self,
                                  GAsyncResult       *result,
                                  GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
looked_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, keyring_error (error));
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) secret_password_free);
}

/**
 * echoes_secret_store_lookup_async:
 * @self: a #EchoesSecretStore
 * @url: the account server
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the secret
 * @user_data: data for @callback
 *
 * Looks up the secret stored for @url.
 */
void
echoes_secret_store_lookup_async (EchoesSecretStore   *self,
                                  const char          *url,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ECHOES_IS_SECRET_STORE (self));
  g_return_if_fail (url != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_secret_store_lookup_async);
  secret_password_lookup (self->schema, cancellable, looked_up_cb, g_steal_pointer (&task),
                          "url", url, NULL);
}

/**
 * echoes_secret_store_lookup_finish:
 * @self: a #EchoesSecretStore
 * @result: the result
 * @error: return location for an error (%ECHOES_CLOUD_ERROR_KEYRING)
 *
 * Gets the secret; %NULL without an error when none is stored. Free it with
 * secret_password_free(), which wipes it.
 *
 * Returns: (transfer full) (nullable): the secret
 */
char *
echoes_secret_store_lookup_finish (EchoesSecretStore  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
cleared_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, keyring_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * echoes_secret_store_clear_async:
 * @self: a #EchoesSecretStore
 * @url: the account server
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the secret is gone
 * @user_data: data for @callback
 *
 * Deletes the secret stored for @url (doing nothing when there is none).
 */
void
echoes_secret_store_clear_async (EchoesSecretStore   *self,
                                 const char          *url,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ECHOES_IS_SECRET_STORE (self));
  g_return_if_fail (url != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_secret_store_clear_async);
  secret_password_clear (self->schema, cancellable, cleared_cb, g_steal_pointer (&task),
                         "url", url, NULL);
}

/**
 * echoes_secret_store_clear_finish:
 * @self: a #EchoesSecretStore
 * @result: the result
 * @error: return location for an error (%ECHOES_CLOUD_ERROR_KEYRING)
 *
 * Returns: %TRUE when no secret is left for the URL
 */
gboolean
echoes_secret_store_clear_finish (EchoesSecretStore  *self,
                                  GAsyncResult       *result,
                                  GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
