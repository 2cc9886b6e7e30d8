/* echoes-secret-store.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ECHOES_TYPE_SECRET_STORE (echoes_secret_store_get_type())

G_DECLARE_FINAL_TYPE (EchoesSecretStore, echoes_secret_store, ECHOES, SECRET_STORE, GObject)

EchoesSecretStore *echoes_secret_store_new           (void);
const char        *echoes_secret_store_get_schema_name (EchoesSecretStore   *self);
void               echoes_secret_store_store_async   (EchoesSecretStore   *self,
                                                      const char          *url,
                                                      const char          *secret,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean           echoes_secret_store_store_finish  (EchoesSecretStore   *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
void               echoes_secret_store_lookup_async  (EchoesSecretStore   *self,
                                                      const char          *url,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
char              *echoes_secret_store_lookup_finish (EchoesSecretStore   *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
void               echoes_secret_store_clear_async   (EchoesSecretStore   *self,
                                                      const char          *url,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean           echoes_secret_store_clear_finish  (EchoesSecretStore   *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS
