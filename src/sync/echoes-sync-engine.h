/* echoes-sync-engine.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-store.h"
#include "echoes-sync-remote.h"

G_BEGIN_DECLS

/**
 * EchoesSyncState:
 * @ECHOES_SYNC_STATE_OFFLINE: no network: changes wait in the outbox
 * @ECHOES_SYNC_STATE_IDLE: in step with the server as of the last sync
 * @ECHOES_SYNC_STATE_SYNCING: pushing or pulling
 * @ECHOES_SYNC_STATE_ERROR: the last sync failed (see #EchoesSyncEngine:last-error)
 *
 * What the sync indicator shows.
 */
typedef enum
{
  ECHOES_SYNC_STATE_OFFLINE,
  ECHOES_SYNC_STATE_IDLE,
  ECHOES_SYNC_STATE_SYNCING,
  ECHOES_SYNC_STATE_ERROR,
} EchoesSyncState;

#define ECHOES_TYPE_SYNC_STATE (echoes_sync_state_get_type ())
GType echoes_sync_state_get_type (void);

#define ECHOES_TYPE_SYNC_ENGINE (echoes_sync_engine_get_type())

G_DECLARE_FINAL_TYPE (EchoesSyncEngine, echoes_sync_engine, ECHOES, SYNC_ENGINE, GObject)

EchoesSyncEngine *echoes_sync_engine_new                      (EchoesStore          *store,
                                                               EchoesSyncRemote     *remote,
                                                               GNetworkMonitor      *monitor);
EchoesStore      *echoes_sync_engine_get_store                (EchoesSyncEngine     *self);
EchoesSyncRemote *echoes_sync_engine_get_remote               (EchoesSyncEngine     *self);
EchoesSyncState   echoes_sync_engine_get_state                (EchoesSyncEngine     *self);
const GError     *echoes_sync_engine_get_last_error           (EchoesSyncEngine     *self);
double            echoes_sync_engine_get_progress             (EchoesSyncEngine     *self);

void              echoes_sync_engine_start                    (EchoesSyncEngine     *self);
void              echoes_sync_engine_stop                     (EchoesSyncEngine     *self);
void              echoes_sync_engine_sync_now                 (EchoesSyncEngine     *self);
void              echoes_sync_engine_sync_async               (EchoesSyncEngine     *self,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
gboolean          echoes_sync_engine_sync_finish              (EchoesSyncEngine     *self,
                                                               GAsyncResult         *result,
                                                               GError              **error);

void              echoes_sync_engine_list_local_projects_async  (EchoesSyncEngine   *self,
                                                                 GCancellable       *cancellable,
                                                                 GAsyncReadyCallback callback,
                                                                 gpointer            user_data);
GStrv             echoes_sync_engine_list_local_projects_finish (EchoesSyncEngine   *self,
                                                                 GAsyncResult       *result,
                                                                 GError            **error);
void              echoes_sync_engine_signed_in_async          (EchoesSyncEngine     *self,
                                                               gboolean              upload_local,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
gboolean          echoes_sync_engine_signed_in_finish         (EchoesSyncEngine     *self,
                                                               GAsyncResult         *result,
                                                               GError              **error);
void              echoes_sync_engine_keep_in_account_async    (EchoesSyncEngine     *self,
                                                               const char           *project_id,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
gboolean          echoes_sync_engine_keep_in_account_finish   (EchoesSyncEngine     *self,
                                                               GAsyncResult         *result,
                                                               GError              **error);
void              echoes_sync_engine_signed_out_async         (EchoesSyncEngine     *self,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
gboolean          echoes_sync_engine_signed_out_finish        (EchoesSyncEngine     *self,
                                                               GAsyncResult         *result,
                                                               GError              **error);
void              echoes_sync_engine_sign_media_async         (EchoesSyncEngine     *self,
                                                               const char           *clip_id,
                                                               const char           *kind,
                                                               gboolean              force_new,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
char             *echoes_sync_engine_sign_media_finish        (EchoesSyncEngine     *self,
                                                               GAsyncResult         *result,
                                                               gint64               *expires_at,
                                                               GError              **error);
void              echoes_sync_engine_set_media_url_lifetime   (EchoesSyncEngine     *self,
                                                               guint                 seconds);

G_END_DECLS
