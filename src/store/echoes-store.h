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

#define ECHOES_STORE_SCHEMA_VERSION 6

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
void           echoes_store_set_default_ratio   (EchoesStore    *self,
                                                 EchoesRatio     ratio);
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

/* ---- sync support (used by src/sync/; synchronous like the rest) ---- */

/**
 * ECHOES_STORE_SYNC_FIELDS_TYPE:
 *
 * The #GVariant type of a row's sync fields: field name → (value, updated_at in Unix
 * microseconds). Values are `ms` (text), `b`, `i` (order) or `x` (times).
 */
#define ECHOES_STORE_SYNC_FIELDS_TYPE "a{s(vx)}"

/**
 * ECHOES_STORE_SYNC_ROW_TYPE:
 *
 * The #GVariant type of a remote row handed to echoes_store_apply_remote(): (id, the
 * server's change time, deleted for good on the server, fields).
 */
#define ECHOES_STORE_SYNC_ROW_TYPE "(sxb" ECHOES_STORE_SYNC_FIELDS_TYPE ")"

/**
 * EchoesOutboxItem:
 * @seq: the item's place in the outbox (items are pushed in this order)
 * @revision: bumped whenever a later change is merged into the item
 * @entity: `project`, `clip` (op `upsert`), `image` or `video` (op `upload`)
 * @local_id: the row (a project or a clip); ids are UUIDs shared with the server
 * @project_id: the project the row belongs to (itself for a project)
 * @op: `upsert` or `upload`
 * @fields: the fields changed since the last push
 * @created_at: when the item was queued
 * @attempts: failed pushes so far
 * @next_try_at: not before this time (Unix microseconds), after a failure
 *
 * A change waiting to be pushed.
 */
typedef struct
{
  gint64  seq;
  gint64  revision;
  char   *entity;
  char   *local_id;
  char   *project_id;
  char   *op;
  GStrv   fields;
  gint64  created_at;
  guint   attempts;
  gint64  next_try_at;
} EchoesOutboxItem;

void           echoes_outbox_item_free          (EchoesOutboxItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EchoesOutboxItem, echoes_outbox_item_free)

guint64        echoes_store_get_change_stamp    (EchoesStore    *self);
char          *echoes_store_dup_sync_value      (EchoesStore    *self,
                                                 const char     *key,
                                                 GError        **error);
gboolean       echoes_store_set_sync_value      (EchoesStore    *self,
                                                 const char     *key,
                                                 const char     *value,
                                                 GError        **error);
gboolean       echoes_store_set_default_synced  (EchoesStore    *self,
                                                 gboolean        synced,
                                                 GError        **error);
GStrv          echoes_store_dup_project_ids     (EchoesStore    *self,
                                                 gboolean        synced,
                                                 GError        **error);
gboolean       echoes_store_keep_in_account     (EchoesStore    *self,
                                                 const char     *project_id,
                                                 GError        **error);
gboolean       echoes_store_keep_local          (EchoesStore    *self,
                                                 const char     *project_id,
                                                 GError        **error);
GPtrArray     *echoes_store_list_outbox         (EchoesStore    *self,
                                                 GError        **error);
gboolean       echoes_store_outbox_done         (EchoesStore    *self,
                                                 gint64          seq,
                                                 gint64          revision,
                                                 GError        **error);
gboolean       echoes_store_outbox_failed       (EchoesStore    *self,
                                                 gint64          seq,
                                                 gint64          next_try_at,
                                                 const char     *message,
                                                 GError        **error);
GVariant      *echoes_store_dup_sync_row        (EchoesStore    *self,
                                                 const char     *entity,
                                                 const char     *id,
                                                 GError        **error);
gboolean       echoes_store_apply_remote        (EchoesStore    *self,
                                                 const char     *entity,
                                                 GPtrArray      *rows,
                                                 GError        **error);
GPtrArray     *echoes_store_list_missing_media  (EchoesStore    *self,
                                                 GError        **error);
gboolean       echoes_store_get_upload          (EchoesStore    *self,
                                                 const char     *clip_id,
                                                 const char     *kind,
                                                 char          **url,
                                                 gint64         *offset,
                                                 GError        **error);
gboolean       echoes_store_set_upload          (EchoesStore    *self,
                                                 const char     *clip_id,
                                                 const char     *kind,
                                                 const char     *path,
                                                 const char     *url,
                                                 gint64          offset,
                                                 gint64          size,
                                                 GError        **error);
gboolean       echoes_store_clear_upload        (EchoesStore    *self,
                                                 const char     *clip_id,
                                                 const char     *kind,
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
