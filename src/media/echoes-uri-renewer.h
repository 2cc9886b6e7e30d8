/* echoes-uri-renewer.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ECHOES_TYPE_URI_RENEWER (echoes_uri_renewer_get_type ())

G_DECLARE_INTERFACE (EchoesUriRenewer, echoes_uri_renewer, ECHOES, URI_RENEWER, GObject)

/**
 * EchoesUriRenewerInterface:
 * @renew_async: asks for a new URI for clip @clip (an index into the clips the player
 *   was loaded with), whose current URI the server refused (an expired signed URL)
 * @renew_finish: the new URI (a secret: never log it), or %NULL with an error
 *
 * How an #EchoesPlayerPipeline gets a fresh URI for a clip it streams over HTTP. The
 * media layer knows nothing of accounts or storage: a layer above implements this (see
 * `src/echoes-stream-resolver.c`).
 */
struct _EchoesUriRenewerInterface
{
  GTypeInterface parent_iface;

  void   (*renew_async)  (EchoesUriRenewer     *self,
                          guint                 clip,
                          GCancellable         *cancellable,
                          GAsyncReadyCallback   callback,
                          gpointer              user_data);
  char  *(*renew_finish) (EchoesUriRenewer     *self,
                          GAsyncResult         *result,
                          GError              **error);
};

void   echoes_uri_renewer_renew_async  (EchoesUriRenewer     *self,
                                        guint                 clip,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
char  *echoes_uri_renewer_renew_finish (EchoesUriRenewer     *self,
                                        GAsyncResult         *result,
                                        GError              **error);

gboolean echoes_uri_is_remote          (const char           *uri_or_path);
char    *echoes_uri_display_name       (const char           *uri_or_path);

G_END_DECLS
