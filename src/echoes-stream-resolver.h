/* echoes-stream-resolver.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-sync-engine.h"
#include "echoes-uri-renewer.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_STREAM_RESOLVER (echoes_stream_resolver_get_type())

G_DECLARE_FINAL_TYPE (EchoesStreamResolver, echoes_stream_resolver, ECHOES, STREAM_RESOLVER, GObject)

EchoesStreamResolver *echoes_stream_resolver_new            (EchoesSyncEngine     *engine,
                                                             const char * const   *clip_ids);
void                  echoes_stream_resolver_resolve_async  (EchoesStreamResolver *self,
                                                             const char * const   *paths,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
GStrv                 echoes_stream_resolver_resolve_finish (EchoesStreamResolver *self,
                                                             GAsyncResult         *result,
                                                             guint                *n_streamed,
                                                             GError              **error);

G_END_DECLS
