/* echoes-context.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-auth.h"
#include "echoes-generation-queue.h"
#include "echoes-library.h"
#include "echoes-provider-registry.h"
#include "echoes-store.h"
#include "echoes-sync-engine.h"
#include "echoes-thumbnailer.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_CONTEXT (echoes_context_get_type())

G_DECLARE_FINAL_TYPE (EchoesContext, echoes_context, ECHOES, CONTEXT, GObject)

EchoesContext     *echoes_context_new             (EchoesStore         *store);
void               echoes_context_new_async       (const char          *data_dir,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
EchoesContext     *echoes_context_new_finish      (GAsyncResult        *result,
                                                   GError             **error);
EchoesStore       *echoes_context_get_store       (EchoesContext       *self);
EchoesLibrary     *echoes_context_get_library     (EchoesContext       *self);
const char        *echoes_context_choose_provider (EchoesContext       *self,
                                                   EchoesClip          *clip);
EchoesThumbnailer *echoes_context_get_thumbnailer (EchoesContext       *self);
EchoesProviderRegistry *echoes_context_get_registry (EchoesContext     *self);
EchoesGenerationQueue  *echoes_context_get_queue    (EchoesContext     *self);
EchoesAuth             *echoes_context_get_auth     (EchoesContext     *self);
void               echoes_context_set_auth        (EchoesContext       *self,
                                                   EchoesAuth          *auth);
EchoesSyncEngine       *echoes_context_get_sync_engine (EchoesContext  *self);
guint                   echoes_context_get_first_sign_in    (EchoesContext *self);
void                    echoes_context_answer_first_sign_in (EchoesContext *self,
                                                             gboolean       upload_local);
void               echoes_context_apply_settings  (EchoesContext       *self,
                                                   GSettings           *settings);
void               echoes_context_set_provider_name (EchoesContext     *self,
                                                     const char        *setting);
void               echoes_context_sweep_exports   (EchoesContext       *self);
gboolean           echoes_context_get_has_runway_key (EchoesContext    *self);
void               echoes_context_load_runway_key_async  (EchoesContext       *self,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean           echoes_context_load_runway_key_finish (EchoesContext       *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
void               echoes_context_set_runway_key_async   (EchoesContext       *self,
                                                          const char          *key,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean           echoes_context_set_runway_key_finish  (EchoesContext       *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

G_END_DECLS
