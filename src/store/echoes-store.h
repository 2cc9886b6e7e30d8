/* echoes-store.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-clip.h"
#include "echoes-project.h"

G_BEGIN_DECLS

#define ECHOES_STORE_ERROR (echoes_store_error_quark ())

/**
 * EchoesStoreError:
 * @ECHOES_STORE_ERROR_FAILED: SQLite reported an error
 * @ECHOES_STORE_ERROR_NOT_FOUND: no such project or clip
 * @ECHOES_STORE_ERROR_TOO_NEW: the database was written by a newer Echoes
 * @ECHOES_STORE_ERROR_CORRUPT: the database file is damaged
 * @ECHOES_STORE_ERROR_FULL: the disk is full
 * @ECHOES_STORE_ERROR_INVALID: the request makes no sense (empty title, bad position)
 */
typedef enum
{
  ECHOES_STORE_ERROR_FAILED,
  ECHOES_STORE_ERROR_NOT_FOUND,
  ECHOES_STORE_ERROR_TOO_NEW,
  ECHOES_STORE_ERROR_CORRUPT,
  ECHOES_STORE_ERROR_FULL,
  ECHOES_STORE_ERROR_INVALID,
} EchoesStoreError;

#define ECHOES_STORE_SCHEMA_VERSION 4

#define ECHOES_TYPE_STORE (echoes_store_get_type())

G_DECLARE_FINAL_TYPE (EchoesStore, echoes_store, ECHOES, STORE, GObject)

GQuark         echoes_store_error_quark         (void);

EchoesStore   *echoes_store_open                (const char     *data_dir,
                                                 GError        **error);
void           echoes_store_open_async          (const char     *data_dir,
                                                 GCancellable   *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer        user_data);
EchoesStore   *echoes_store_open_finish         (GAsyncResult   *result,
                                                 GError        **error);
const char    *echoes_store_get_data_dir        (EchoesStore    *self);
char          *echoes_store_resolve             (EchoesStore    *self,
                                                 const char     *relative);

/* Synchronous API: thread-safe, for workers and the CLI. Never call from the UI thread;
 * the UI goes through EchoesLibrary, which runs these on the store's worker thread. */
GPtrArray     *echoes_store_list_projects       (EchoesStore    *self,
                                                 GError        **error);
EchoesProject *echoes_store_get_project         (EchoesStore    *self,
                                                 const char     *project_id,
                                                 GError        **error);
EchoesProject *echoes_store_create_project      (EchoesStore    *self,
                                                 const char     *title,
                                                 GError        **error);
gboolean       echoes_store_update_project      (EchoesStore    *self,
                                                 EchoesProject  *project,
                                                 GError        **error);
gboolean       echoes_store_trash_project       (EchoesStore    *self,
                                                 const char     *project_id,
                                                 GError        **error);
gboolean       echoes_store_restore_project     (EchoesStore    *self,
                                                 const char     *project_id,
                                                 GError        **error);
GPtrArray     *echoes_store_list_clips          (EchoesStore    *self,
                                                 const char     *project_id,
                                                 GError        **error);
EchoesClip    *echoes_store_get_clip            (EchoesStore    *self,
                                                 const char     *clip_id,
                                                 GError        **error);
gboolean       echoes_store_insert_clip         (EchoesStore    *self,
                                                 EchoesClip     *clip,
                                                 guint           position,
                                                 GError        **error);
gboolean       echoes_store_update_clip         (EchoesStore    *self,
                                                 EchoesClip     *clip,
                                                 GError        **error);
gboolean       echoes_store_move_clip           (EchoesStore    *self,
                                                 const char     *clip_id,
                                                 guint           position,
                                                 GError        **error);
gboolean       echoes_store_trash_clip          (EchoesStore    *self,
                                                 const char     *clip_id,
                                                 GError        **error);
gboolean       echoes_store_restore_clip        (EchoesStore    *self,
                                                 const char     *clip_id,
                                                 guint           position,
                                                 GError        **error);
GStrv          echoes_store_dup_clip_order      (EchoesStore    *self,
                                                 const char     *project_id,
                                                 GError        **error);
gboolean       echoes_store_set_clip_order      (EchoesStore    *self,
                                                 const char     *project_id,
                                                 const char * const *clip_ids,
                                                 GError        **error);
gboolean       echoes_store_sort_clips_by_date  (EchoesStore    *self,
                                                 const char     *project_id,
                                                 GError        **error);
gboolean       echoes_store_set_clips_queued    (EchoesStore    *self,
                                                 const char * const *clip_ids,
                                                 gboolean        queued,
                                                 GError        **error);
GStrv          echoes_store_dup_queued_clips    (EchoesStore    *self,
                                                 GError        **error);
guint          echoes_store_purge_trash         (EchoesStore    *self,
                                                 const char     *only_id,
                                                 GError        **error);

/* Runs @func on the store's single worker thread, in submission order. */
typedef gpointer (*EchoesStoreFunc) (EchoesStore   *store,
                                     gpointer       data,
                                     GCancellable  *cancellable,
                                     GError       **error);

void           echoes_store_run_async           (EchoesStore    *self,
                                                 EchoesStoreFunc func,
                                                 gpointer        data,
                                                 GDestroyNotify  data_destroy,
                                                 GDestroyNotify  result_destroy,
                                                 GCancellable   *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer        user_data);
gpointer       echoes_store_run_finish          (EchoesStore    *self,
                                                 GAsyncResult   *result,
                                                 GError        **error);

G_END_DECLS
