/* echoes-store-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "echoes-store.h"

G_BEGIN_DECLS

/* EchoesStore is one object over several files, by concern:
 * - echoes-store.c: the object, opening, schema and migrations, the worker, SQLite helpers
 * - echoes-store-projects.c, echoes-store-clips.c: projects and clips (the synchronous API)
 * - echoes-store-purge.c: the trash purged, unreferenced media files swept
 * - echoes-store-changes.c: change tracking for sync (field times, the outbox)
 * - echoes-store-sync.c: sync support (outbox, sync state, missing media, uploads)
 * - echoes-store-sync-rows.c: a row's sync fields read for a push, pulled rows merged */
struct _EchoesStore
{
  GObject      parent_instance;

  GMutex       lock;
  sqlite3     *db;          /* (owned) */
  char        *data_dir;    /* (owned) */
  GThreadPool *pool;        /* (owned) */
  EchoesRatio  default_ratio;  /* of new projects; under the lock */
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* Queries of a single column (`SELECT id …`, `PRAGMA user_version`) read it here. */
#define ECHOES_STORE_ONLY_COLUMN 0

typedef gpointer (*EchoesStoreRowFunc) (sqlite3_stmt *stmt);

/* The fields a sync carries, per entity, and their columns. A field is a nullable
 * string ('s'), a string that may not be NULL ('S'), a boolean ('b'), an int ('i') or
 * an int64 ('x'). */
typedef struct
{
  const char *name;
  const char *column;
  char        kind;
} EchoesStoreSyncField;

/* SQLite helpers (echoes-store.c) */
gboolean      _echoes_store_set_sqlite_error (EchoesStore          *self,
                                              int                   rc,
                                              GError              **error);
sqlite3_stmt *_echoes_store_prepare          (EchoesStore          *self,
                                              const char           *sql,
                                              GError              **error);
gboolean      _echoes_store_exec             (EchoesStore          *self,
                                              const char           *sql,
                                              GError              **error);
gboolean      _echoes_store_step_done        (EchoesStore          *self,
                                              sqlite3_stmt         *stmt,
                                              GError              **error);
void          _echoes_store_bind_text        (sqlite3_stmt         *stmt,
                                              int                   index,
                                              const char           *text);
const char   *_echoes_store_column_text      (sqlite3_stmt         *stmt,
                                              int                   index);
gpointer      _echoes_store_dup_first_column (sqlite3_stmt         *stmt);
GPtrArray    *_echoes_store_collect_rows     (EchoesStore          *self,
                                              sqlite3_stmt         *stmt,
                                              EchoesStoreRowFunc    row,
                                              GDestroyNotify        free_func,
                                              GError              **error);
gboolean      _echoes_store_begin            (EchoesStore          *self,
                                              GError              **error);
gboolean      _echoes_store_end              (EchoesStore          *self,
                                              gboolean              ok,
                                              GError              **error);
gboolean      _echoes_store_exec_with_id     (EchoesStore          *self,
                                              const char           *sql,
                                              const char           *id,
                                              GError              **error);

/* Change tracking for sync (echoes-store-changes.c): callers hold the lock, inside a
 * transaction. */
const EchoesStoreSyncField *_echoes_store_sync_fields_of (const char  *entity,
                                                          guint       *n_fields,
                                                          const char **table);
const EchoesStoreSyncField *_echoes_store_find_sync_field (const char *entity,
                                                           const char *name);
const char **_echoes_store_all_field_names       (const char          *entity);
char        *_echoes_store_dup_sync_value_locked (EchoesStore         *self,
                                                  const char          *key,
                                                  GError             **error);
gboolean     _echoes_store_project_is_synced     (EchoesStore         *self,
                                                  const char          *project_id);
gboolean     _echoes_store_enqueue               (EchoesStore         *self,
                                                  const char          *entity,
                                                  const char          *id,
                                                  const char          *project_id,
                                                  const char          *op,
                                                  const char * const  *fields,
                                                  gint64               now,
                                                  GError             **error);
gboolean     _echoes_store_set_field_time        (EchoesStore         *self,
                                                  const char          *entity,
                                                  const char          *id,
                                                  const char          *field,
                                                  gint64               time,
                                                  GError             **error);
gboolean     _echoes_store_track                 (EchoesStore         *self,
                                                  const char          *entity,
                                                  const char          *id,
                                                  const char          *project_id,
                                                  const char * const  *fields,
                                                  gint64               now,
                                                  GError             **error);
gboolean     _echoes_store_track_media           (EchoesStore         *self,
                                                  const char          *kind,
                                                  const char          *clip_id,
                                                  const char          *project_id,
                                                  gint64               now,
                                                  GError             **error);

/* Clip order (echoes-store-clips.c): callers hold the lock. */
gboolean     _echoes_store_write_order_full      (EchoesStore         *self,
                                                  const char          *project_id,
                                                  GPtrArray           *ids,
                                                  gboolean             tracked,
                                                  GError             **error);

/* Shared by the store's files (the library sweeps after opening). */
void        _echoes_store_sweep_files  (EchoesStore  *self,
                                        GTimeSpan     min_age);

G_END_DECLS
