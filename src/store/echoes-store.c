/* echoes-store.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-store"

#include "config.h"

#include <errno.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "echoes-store-private.h"
#include "echoes-store-test-hooks.h"

#include "echoes-paths.h"
#include "echoes-util.h"

/**
 * EchoesStore:
 *
 * The SQLite database: the single source of truth on this machine.
 *
 * Every method is synchronous and thread-safe (one connection behind a mutex). The UI
 * never calls them directly: echoes_store_run_async() queues work on the store's own
 * worker thread, which runs jobs one at a time in submission order, so a move followed
 * by a delete reaches the database in that order.
 *
 * Clip order is kept as `0..n-1` over the live (untrashed) clips of a project by a
 * partial unique index and by rewriting orders only through write_order().
 */
struct _EchoesStore
{
  GObject      parent_instance;

  GMutex       lock;
  sqlite3     *db;          /* (owned) */
  char        *data_dir;    /* (owned) */
  GThreadPool *pool;        /* (owned) */
  EchoesRatio  default_ratio;  /* of new projects; under the lock */
};

G_DEFINE_FINAL_TYPE (EchoesStore, echoes_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (echoes-store-error-quark, echoes_store_error)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* Schema history. Never edit a released step: add a new one. Timestamps are Unix
 * microseconds (UTC); paths are relative to the data directory. */
static const char * const migrations[] = {
  /* 1: the first release */
  "CREATE TABLE projects ("
  "  id TEXT PRIMARY KEY NOT NULL,"
  "  title TEXT NOT NULL DEFAULT '',"
  "  music TEXT,"
  "  status TEXT NOT NULL DEFAULT 'in_progress' CHECK (status IN ('in_progress', 'completed')),"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "CREATE TABLE clips ("
  "  id TEXT PRIMARY KEY NOT NULL,"
  "  project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,"
  "  image TEXT NOT NULL,"
  "  video TEXT,"
  "  status TEXT NOT NULL DEFAULT 'pending'"
  "    CHECK (status IN ('pending', 'generating', 'ready', 'failed')),"
  "  approved INTEGER NOT NULL DEFAULT 0 CHECK (approved IN (0, 1)),"
  "  \"order\" INTEGER NOT NULL,"
  "  provider TEXT,"
  "  prompt TEXT,"
  "  error TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX clips_project_order ON clips (project_id, \"order\");",

  /* 2: capture-time ordering, undoable deletes, order uniqueness */
  "ALTER TABLE projects ADD COLUMN trashed INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE clips ADD COLUMN trashed INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE clips ADD COLUMN source_name TEXT;"
  "ALTER TABLE clips ADD COLUMN capture_time INTEGER NOT NULL DEFAULT 0;"
  "DROP INDEX clips_project_order;"
  "CREATE UNIQUE INDEX clips_project_order ON clips (project_id, \"order\") WHERE trashed = 0;",

  /* 3: motion (film ratio, per-clip framing) */
  "ALTER TABLE projects ADD COLUMN ratio TEXT NOT NULL DEFAULT '16:9';"
  "ALTER TABLE clips ADD COLUMN motion TEXT;",

  /* 4: the generation queue survives a restart */
  "ALTER TABLE clips ADD COLUMN queued INTEGER NOT NULL DEFAULT 0;",

  /* 5: sync with an account. Local ids are UUIDs and are the server's ids too.
   * - projects.sync_mode: 'local' projects never leave the machine; 'synced' ones have
   *   every change queued in the outbox.
   * - sync_fields: when each field of a row was last written (per-field last writer wins);
   *   a field without a row here was not written since tracking began (time 0).
   * - outbox: changes to push, one row per entity and op, coalesced (fields merged,
   *   revision bumped) until pushed. Rows are read at push time, so an item only names
   *   the fields. entity: project | clip (op upsert), image | video (op upload).
   * - uploads: where a resumable upload stands (TUS URL and offset), kept across restarts.
   * - sync_state: pull cursors per table, the account, the default mode of new projects. */
  "ALTER TABLE projects ADD COLUMN sync_mode TEXT NOT NULL DEFAULT 'local' "
  "  CHECK (sync_mode IN ('local', 'synced'));"
  "CREATE TABLE sync_fields ("
  "  entity TEXT NOT NULL,"
  "  id TEXT NOT NULL,"
  "  field TEXT NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  PRIMARY KEY (entity, id, field)"
  ") WITHOUT ROWID;"
  "CREATE TABLE outbox ("
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  entity TEXT NOT NULL CHECK (entity IN ('project', 'clip', 'image', 'video')),"
  "  local_id TEXT NOT NULL,"
  "  project_id TEXT NOT NULL,"
  "  op TEXT NOT NULL CHECK (op IN ('upsert', 'upload')),"
  "  fields TEXT NOT NULL DEFAULT '',"
  "  revision INTEGER NOT NULL DEFAULT 0,"
  "  created_at INTEGER NOT NULL,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_try_at INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT"
  ");"
  "CREATE UNIQUE INDEX outbox_entity ON outbox (entity, local_id, op);"
  "CREATE TABLE uploads ("
  "  clip_id TEXT NOT NULL,"
  "  kind TEXT NOT NULL CHECK (kind IN ('image', 'video')),"
  "  path TEXT NOT NULL,"
  "  url TEXT,"
  "  \"offset\" INTEGER NOT NULL DEFAULT 0,"
  "  size INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (clip_id, kind)"
  ") WITHOUT ROWID;"
  "CREATE TABLE sync_state ("
  "  key TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT"
  ") WITHOUT ROWID;",

  /* 6: provider choice. projects.provider: the project's default provider, NULL to follow
   * the app's `active-provider` setting. clips.provider_override: the clip's own choice,
   * NULL to follow the project. clips.provider keeps its meaning: the provider the
   * clip's last generation ran with (the server writes it too). */
  "ALTER TABLE projects ADD COLUMN provider TEXT;"
  "ALTER TABLE clips ADD COLUMN provider_override TEXT;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == ECHOES_STORE_SCHEMA_VERSION);

/* The columns clip_from_row() reads, and their indices: keep the two in the same order. */
#define CLIP_COLUMNS \
  "id, project_id, image, video, status, approved, \"order\", provider, prompt, error, " \
  "created_at, updated_at, source_name, capture_time, motion, queued, provider_override"

enum
{
  CLIP_COLUMN_ID,
  CLIP_COLUMN_PROJECT_ID,
  CLIP_COLUMN_IMAGE,
  CLIP_COLUMN_VIDEO,
  CLIP_COLUMN_STATUS,
  CLIP_COLUMN_APPROVED,
  CLIP_COLUMN_ORDER,
  CLIP_COLUMN_PROVIDER,
  CLIP_COLUMN_PROMPT,
  CLIP_COLUMN_ERROR,
  CLIP_COLUMN_CREATED_AT,
  CLIP_COLUMN_UPDATED_AT,
  CLIP_COLUMN_SOURCE_NAME,
  CLIP_COLUMN_CAPTURE_TIME,
  CLIP_COLUMN_MOTION,
  CLIP_COLUMN_QUEUED,
  CLIP_COLUMN_PROVIDER_OVERRIDE,
  N_CLIP_COLUMNS
};

/* The columns project_from_row() reads, and their indices: keep the two in the same
 * order. */
#define PROJECT_COLUMNS \
  "p.id, p.title, p.music, p.status, p.created_at, p.updated_at, p.ratio, " \
  "(SELECT count(*) FROM clips c WHERE c.project_id = p.id AND c.trashed = 0), " \
  "(SELECT count(*) FROM clips c WHERE c.project_id = p.id AND c.trashed = 0 AND c.approved), " \
  "p.sync_mode = 'synced', p.provider"

enum
{
  PROJECT_COLUMN_ID,
  PROJECT_COLUMN_TITLE,
  PROJECT_COLUMN_MUSIC,
  PROJECT_COLUMN_STATUS,
  PROJECT_COLUMN_CREATED_AT,
  PROJECT_COLUMN_UPDATED_AT,
  PROJECT_COLUMN_RATIO,
  PROJECT_COLUMN_CLIP_COUNT,
  PROJECT_COLUMN_APPROVED_COUNT,
  PROJECT_COLUMN_SYNCED,
  PROJECT_COLUMN_PROVIDER,
  N_PROJECT_COLUMNS
};

/* Queries of a single column (`SELECT id …`, `PRAGMA user_version`) read it here. */
#define ONLY_COLUMN 0

static gboolean
set_sqlite_error (EchoesStore  *self,
                  int           rc,
                  GError      **error)
{
  int code;

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      code = ECHOES_STORE_ERROR_FULL;
      break;

    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = ECHOES_STORE_ERROR_CORRUPT;
      break;

    default:
      code = ECHOES_STORE_ERROR_FAILED;
      break;
    }

  g_set_error (error, ECHOES_STORE_ERROR, code, "SQLite: %s (%d)",
               self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc), rc);
  return FALSE;
}

static sqlite3_stmt *
prepare (EchoesStore  *self,
         const char   *sql,
         GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if ((rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL)) != SQLITE_OK)
    {
      set_sqlite_error (self, rc, error);
      return NULL;
    }

  return stmt;
}

static gboolean
exec (EchoesStore  *self,
      const char   *sql,
      GError      **error)
{
  int rc;

  if ((rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL)) != SQLITE_OK)
    return set_sqlite_error (self, rc, error);

  return TRUE;
}

/* Steps a statement that returns no rows. */
static gboolean
step_done (EchoesStore   *self,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, rc, error);

  return TRUE;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           index)
{
  return (const char *)sqlite3_column_text (stmt, index);
}

typedef gpointer (*RowFunc) (sqlite3_stmt *stmt);

static gpointer
dup_first_column (sqlite3_stmt *stmt)
{
  return g_strdup (column_text (stmt, ONLY_COLUMN));
}

/* Steps @stmt to the end, turning each row into an element with @row. */
static GPtrArray *
collect_rows (EchoesStore     *self,
              sqlite3_stmt    *stmt,
              RowFunc          row,
              GDestroyNotify   free_func,
              GError         **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, row (stmt));

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      return NULL;
    }

  return g_steal_pointer (&rows);
}

static gboolean
begin (EchoesStore  *self,
       GError      **error)
{
  return exec (self, "BEGIN IMMEDIATE", error);
}

/* Commits, or rolls back if @ok is FALSE. Returns @ok && the commit succeeded. */
static gboolean
end (EchoesStore  *self,
     gboolean      ok,
     GError      **error)
{
  if (ok)
    {
      if (exec (self, "COMMIT", error))
        return TRUE;
    }

  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

static EchoesClip *
clip_from_row (sqlite3_stmt *stmt)
{
  EchoesClip *clip = echoes_clip_new (column_text (stmt, CLIP_COLUMN_ID), column_text (stmt, CLIP_COLUMN_PROJECT_ID));
  EchoesClipStatus status = ECHOES_CLIP_STATUS_PENDING;

  g_assert (sqlite3_column_count (stmt) == N_CLIP_COLUMNS);
  echoes_clip_status_from_string (column_text (stmt, CLIP_COLUMN_STATUS), &status);
  g_object_set (clip,
                "image", column_text (stmt, CLIP_COLUMN_IMAGE),
                "video", column_text (stmt, CLIP_COLUMN_VIDEO),
                "status", status,
                "approved", sqlite3_column_int (stmt, CLIP_COLUMN_APPROVED) != 0,
                "position", (guint)sqlite3_column_int (stmt, CLIP_COLUMN_ORDER),
                "provider", column_text (stmt, CLIP_COLUMN_PROVIDER),
                "prompt", column_text (stmt, CLIP_COLUMN_PROMPT),
                "error", column_text (stmt, CLIP_COLUMN_ERROR),
                "created-at", (gint64)sqlite3_column_int64 (stmt, CLIP_COLUMN_CREATED_AT),
                "updated-at", (gint64)sqlite3_column_int64 (stmt, CLIP_COLUMN_UPDATED_AT),
                "source-name", column_text (stmt, CLIP_COLUMN_SOURCE_NAME),
                "capture-time", (gint64)sqlite3_column_int64 (stmt, CLIP_COLUMN_CAPTURE_TIME),
                "motion", column_text (stmt, CLIP_COLUMN_MOTION),
                "queued", sqlite3_column_int (stmt, CLIP_COLUMN_QUEUED) != 0,
                "provider-override", column_text (stmt, CLIP_COLUMN_PROVIDER_OVERRIDE),
                NULL);
  return clip;
}

static EchoesProject *
project_from_row (sqlite3_stmt *stmt)
{
  EchoesProject *project = echoes_project_new (column_text (stmt, PROJECT_COLUMN_ID));
  EchoesProjectStatus status = ECHOES_PROJECT_STATUS_IN_PROGRESS;

  g_assert (sqlite3_column_count (stmt) == N_PROJECT_COLUMNS);
  echoes_project_status_from_string (column_text (stmt, PROJECT_COLUMN_STATUS), &status);
  g_object_set (project,
                "title", column_text (stmt, PROJECT_COLUMN_TITLE),
                "music", column_text (stmt, PROJECT_COLUMN_MUSIC),
                "status", status,
                "created-at", (gint64)sqlite3_column_int64 (stmt, PROJECT_COLUMN_CREATED_AT),
                "updated-at", (gint64)sqlite3_column_int64 (stmt, PROJECT_COLUMN_UPDATED_AT),
                "ratio", column_text (stmt, PROJECT_COLUMN_RATIO),
                "clip-count", (guint)sqlite3_column_int (stmt, PROJECT_COLUMN_CLIP_COUNT),
                "approved-count", (guint)sqlite3_column_int (stmt, PROJECT_COLUMN_APPROVED_COUNT),
                "synced", sqlite3_column_int (stmt, PROJECT_COLUMN_SYNCED) != 0,
                "provider", column_text (stmt, PROJECT_COLUMN_PROVIDER),
                NULL);
  return project;
}

static gboolean
migrate (EchoesStore  *self,
         GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int version;

  if (!(stmt = prepare (self, "PRAGMA user_version", error)))
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return set_sqlite_error (self, sqlite3_errcode (self->db), error);
  version = sqlite3_column_int (stmt, ONLY_COLUMN);
  /* A live statement would lock the schema against DROP INDEX and friends. */
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (version > ECHOES_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_TOO_NEW,
                   "Database schema %d is newer than this version of Echoes (%d)",
                   version, ECHOES_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  /* Each step and its user_version bump commit together, so a crash mid-migration
   * leaves the previous, consistent version. */
  for (int v = version + 1; v <= ECHOES_STORE_SCHEMA_VERSION; v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v);
      gboolean ok;

      g_debug ("Migrating database to schema %d", v);
      if (!begin (self, error))
        return FALSE;
      ok = exec (self, migrations[v - 1], error) && exec (self, bump, error);
      if (!end (self, ok, error))
        return FALSE;
    }

  return TRUE;
}

static void
store_worker (gpointer data,
              gpointer user_data)
{
  GTask *task = data;
  EchoesStore *self = g_task_get_source_object (task);
  EchoesStoreFunc func = g_object_get_data (G_OBJECT (task), "echoes-store-func");
  GDestroyNotify result_destroy = g_object_get_data (G_OBJECT (task), "echoes-store-result-destroy");
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  gpointer result;

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    {
      result = func (self, g_task_get_task_data (task), cancellable, &error);

      if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, result, result_destroy);
    }

  echoes_task_unref_in_context (task);
}

static void
echoes_store_finalize (GObject *object)
{
  EchoesStore *self = (EchoesStore *)object;

  /* Wait for queued jobs: each holds a ref on the store, so by the time we get here
   * the pool is idle, but free it gracefully anyway. */
  if (self->pool)
    g_thread_pool_free (self->pool, FALSE, TRUE);
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->data_dir, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (echoes_store_parent_class)->finalize (object);
}

static void
echoes_store_class_init (EchoesStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = echoes_store_finalize;
}

static void
echoes_store_init (EchoesStore *self)
{
  g_mutex_init (&self->lock);
  self->pool = g_thread_pool_new (store_worker, self, 1, FALSE, NULL);
}

/**
 * echoes_store_open:
 * @data_dir: (nullable): the data directory, or %NULL for `$XDG_DATA_HOME/echoes`
 * @error: return location for a #GError
 *
 * Opens (creating if needed) and migrates the database. Blocks: call it from a worker
 * thread or the CLI, or use echoes_store_open_async().
 *
 * Returns: (transfer full): the store, or %NULL with @error set
 */
EchoesStore *
echoes_store_open (const char  *data_dir,
                   GError     **error)
{
  g_autoptr(EchoesStore) self = NULL;
  g_autofree char *path = NULL;
  int rc;

  self = g_object_new (ECHOES_TYPE_STORE, NULL);
  self->data_dir = data_dir ? g_strdup (data_dir) : echoes_paths_dup_data_dir ();

  if (g_mkdir_with_parents (self->data_dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot create %s: %s", self->data_dir, g_strerror (errsv));
      return NULL;
    }

  path = g_build_filename (self->data_dir, "echoes.db", NULL);
  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (self, rc, error);
      return NULL;
    }

  sqlite3_busy_timeout (self->db, 5000);
  sqlite3_extended_result_codes (self->db, TRUE);

  /* WAL: readers never block the writer, and a crash mid-transaction rolls back. */
  if (!exec (self, "PRAGMA journal_mode = WAL", error) ||
      !exec (self, "PRAGMA synchronous = NORMAL", error) ||
      !exec (self, "PRAGMA foreign_keys = ON", error) ||
      !migrate (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  EchoesStore *store;

  if ((store = echoes_store_open (task_data, &error)))
    g_task_return_pointer (task, store, g_object_unref);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

/**
 * echoes_store_open_async:
 *
 * Opens the store on a worker thread.
 */
void
echoes_store_open_async (const char          *data_dir,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_store_open_async);
  g_task_set_task_data (task, g_strdup (data_dir), g_free);
  g_task_run_in_thread (task, open_thread);
}

/**
 * echoes_store_open_finish:
 *
 * Returns: (transfer full): the store, or %NULL with @error set
 */
EchoesStore *
echoes_store_open_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
echoes_store_get_data_dir (EchoesStore *self)
{
  g_return_val_if_fail (ECHOES_IS_STORE (self), NULL);

  return self->data_dir;
}

/**
 * echoes_store_resolve:
 * @relative: (nullable): a path as stored in the database
 *
 * Returns: (transfer full) (nullable): the absolute path
 */
char *
echoes_store_resolve (EchoesStore *self,
                      const char  *relative)
{
  g_return_val_if_fail (ECHOES_IS_STORE (self), NULL);

  return echoes_paths_resolve (self->data_dir, relative);
}

/**
 * echoes_store_run_async:
 * @func: the work, run on the store's worker thread; it may call the sync API
 * @data: (nullable): handed to @func
 * @data_destroy: (nullable): frees @data
 * @result_destroy: (nullable): frees what @func returns if nobody takes it
 *
 * Queues @func behind every job queued before it.
 */
void
echoes_store_run_async (EchoesStore         *self,
                        EchoesStoreFunc      func,
                        gpointer             data,
                        GDestroyNotify       data_destroy,
                        GDestroyNotify       result_destroy,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ECHOES_IS_STORE (self));
  g_return_if_fail (func != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_store_run_async);
  g_task_set_task_data (task, data, data_destroy);
  g_object_set_data (G_OBJECT (task), "echoes-store-func", func);
  g_object_set_data (G_OBJECT (task), "echoes-store-result-destroy", result_destroy);
  g_thread_pool_push (self->pool, g_steal_pointer (&task), NULL);
}

/**
 * echoes_store_run_finish:
 *
 * Returns: (transfer full) (nullable): what the job returned
 */
gpointer
echoes_store_run_finish (EchoesStore   *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- change tracking for sync (callers hold the lock, inside a transaction) ---- */

/* The fields a sync carries, per entity, and their columns. A field is a nullable
 * string ('s'), a string that may not be NULL ('S'), a boolean ('b'), an int ('i') or
 * an int64 ('x'). */
typedef struct
{
  const char *name;
  const char *column;
  char        kind;
} SyncField;

static const SyncField project_fields[] = {
  { "title", "title", 'S' },
  { "music", "music", 's' },
  { "ratio", "ratio", 'S' },
  { "provider", "provider", 's' },
  { "status", "status", 'S' },
  { "trashed", "trashed", 'b' },
  { "created_at", "created_at", 'x' },
};

static const SyncField clip_fields[] = {
  { "project_id", "project_id", 's' },
  { "image", "image", 'S' },
  { "video", "video", 's' },
  { "status", "status", 'S' },
  { "approved", "approved", 'b' },
  { "order", "\"order\"", 'i' },
  { "provider", "provider", 's' },
  { "prompt", "prompt", 's' },
  { "error", "error", 's' },
  { "source_name", "source_name", 's' },
  { "capture_time", "capture_time", 'x' },
  { "motion", "motion", 's' },
  { "provider_override", "provider_override", 's' },
  { "trashed", "trashed", 'b' },
  { "created_at", "created_at", 'x' },
};

static const SyncField *
sync_fields_of (const char *entity,
                guint      *n_fields,
                const char **table)
{
  if (g_strcmp0 (entity, "project") == 0)
    {
      *n_fields = G_N_ELEMENTS (project_fields);
      *table = "projects";
      return project_fields;
    }
  if (g_strcmp0 (entity, "clip") == 0)
    {
      *n_fields = G_N_ELEMENTS (clip_fields);
      *table = "clips";
      return clip_fields;
    }
  return NULL;
}

static const SyncField *
find_sync_field (const char *entity,
                 const char *name)
{
  const SyncField *fields;
  const char *table;
  guint n;

  if (!(fields = sync_fields_of (entity, &n, &table)))
    return NULL;
  for (guint i = 0; i < n; i++)
    if (g_str_equal (fields[i].name, name))
      return &fields[i];
  return NULL;
}

/* The names of every sync field of @entity, %NULL-terminated, not owned. */
static const char **
all_field_names (const char *entity)
{
  static const char *project_names[G_N_ELEMENTS (project_fields) + 1];
  static const char *clip_names[G_N_ELEMENTS (clip_fields) + 1];
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (guint i = 0; i < G_N_ELEMENTS (project_fields); i++)
        project_names[i] = project_fields[i].name;
      for (guint i = 0; i < G_N_ELEMENTS (clip_fields); i++)
        clip_names[i] = clip_fields[i].name;
      g_once_init_leave (&initialized, 1);
    }

  return g_str_equal (entity, "project") ? project_names : clip_names;
}

static char *
dup_sync_value_locked (EchoesStore  *self,
                       const char   *key,
                       GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self, "SELECT value FROM sync_state WHERE key = ?1", error)))
    return NULL;
  bind_text (stmt, 1, key);
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    return g_strdup (column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    set_sqlite_error (self, rc, error);
  return NULL;
}

static gboolean
project_is_synced (EchoesStore *self,
                   const char  *project_id)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = prepare (self, "SELECT sync_mode = 'synced' FROM projects WHERE id = ?1", NULL)))
    return FALSE;
  bind_text (stmt, 1, project_id);
  return sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0) != 0;
}

/* Queues @fields of an entity for pushing, merging them into the entity's pending item
 * if there is one: its revision goes up, so a push in flight does not take it off the
 * outbox (echoes_store_outbox_done()) and the newer values go out next time. */
static gboolean
enqueue (EchoesStore         *self,
         const char          *entity,
         const char          *id,
         const char          *project_id,
         const char          *op,
         const char * const  *fields,
         gint64               now,
         GError             **error)
{
  g_autoptr(sqlite3_stmt) select = NULL;
  g_autoptr(sqlite3_stmt) write = NULL;
  g_autoptr(GPtrArray) merged = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;
  gint64 seq = -1;
  int rc;

  if (!(select = prepare (self, "SELECT seq, fields FROM outbox "
                                "WHERE entity = ?1 AND local_id = ?2 AND op = ?3", error)))
    return FALSE;
  bind_text (select, 1, entity);
  bind_text (select, 2, id);
  bind_text (select, 3, op);
  if ((rc = sqlite3_step (select)) == SQLITE_ROW)
    {
      g_auto(GStrv) old = g_strsplit (column_text (select, 1), ",", -1);

      seq = sqlite3_column_int64 (select, 0);
      for (guint i = 0; old[i]; i++)
        if (*old[i])
          g_ptr_array_add (merged, g_strdup (old[i]));
    }
  else if (rc != SQLITE_DONE)
    return set_sqlite_error (self, rc, error);

  for (guint i = 0; fields[i]; i++)
    if (!g_ptr_array_find_with_equal_func (merged, fields[i], g_str_equal, NULL))
      g_ptr_array_add (merged, g_strdup (fields[i]));
  g_ptr_array_add (merged, NULL);
  joined = g_strjoinv (",", (char **)merged->pdata);

  if (seq >= 0)
    {
      /* A new change may be what fixes a refused item: try it again soon. */
      if (!(write = prepare (self, "UPDATE outbox SET fields = ?2, revision = revision + 1, "
                                   "next_try_at = 0 WHERE seq = ?1", error)))
        return FALSE;
      sqlite3_bind_int64 (write, 1, seq);
      bind_text (write, 2, joined);
    }
  else
    {
      if (!(write = prepare (self, "INSERT INTO outbox (entity, local_id, project_id, op, fields, "
                                   "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error)))
        return FALSE;
      bind_text (write, 1, entity);
      bind_text (write, 2, id);
      bind_text (write, 3, project_id);
      bind_text (write, 4, op);
      bind_text (write, 5, joined);
      sqlite3_bind_int64 (write, 6, now);
    }

  return step_done (self, write, error);
}

static gboolean
set_field_time (EchoesStore  *self,
                const char   *entity,
                const char   *id,
                const char   *field,
                gint64        time,
                GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = prepare (self, "INSERT OR REPLACE INTO sync_fields (entity, id, field, updated_at) "
                              "VALUES (?1, ?2, ?3, ?4)", error)))
    return FALSE;
  bind_text (stmt, 1, entity);
  bind_text (stmt, 2, id);
  bind_text (stmt, 3, field);
  sqlite3_bind_int64 (stmt, 4, time);
  return step_done (self, stmt, error);
}

/* Records that @fields of a row were written locally at @now (for the per-field last
 * writer wins of a later sync) and, if its project is synced, queues them for pushing:
 * in the transaction of the change itself, so a crash can never lose one without the
 * other. */
static gboolean
track (EchoesStore         *self,
       const char          *entity,
       const char          *id,
       const char          *project_id,
       const char * const  *fields,
       gint64               now,
       GError             **error)
{
  if (fields == NULL || fields[0] == NULL)
    return TRUE;

  for (guint i = 0; fields[i]; i++)
    if (!set_field_time (self, entity, id, fields[i], now, error))
      return FALSE;

  if (!project_is_synced (self, project_id))
    return TRUE;

  return enqueue (self, entity, id, project_id, "upsert", fields, now, error);
}

/* Queues the upload of a clip's image or video if its project is synced. */
static gboolean
track_media (EchoesStore  *self,
             const char   *kind,
             const char   *clip_id,
             const char   *project_id,
             gint64        now,
             GError      **error)
{
  const char *fields[] = { kind, NULL };

  if (!project_is_synced (self, project_id))
    return TRUE;

  return enqueue (self, kind, clip_id, project_id, "upload", fields, now, error);
}

/* ---- queries (callers hold the lock) ---- */

static GPtrArray *
load_order (EchoesStore  *self,
            const char   *project_id,
            GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = prepare (self, "SELECT id FROM clips WHERE project_id = ?1 AND trashed = 0 "
                              "ORDER BY \"order\"", error)))
    return NULL;
  bind_text (stmt, 1, project_id);

  return collect_rows (self, stmt, dup_first_column, g_free, error);
}

/* Makes @ids (every live clip of the project, each once) the order 0..n-1. Only rows
 * whose position changes are written: first to distinct negative values, then to their
 * final values, which the first pass has vacated, so the unique index never trips.
 * With @tracked, each moved clip's order is recorded as a local change (see track()). */
static gboolean
write_order_full (EchoesStore  *self,
                  const char   *project_id,
                  GPtrArray    *ids,
                  gboolean      tracked,
                  GError      **error)
{
  g_autoptr(sqlite3_stmt) select = NULL;
  g_autoptr(sqlite3_stmt) update = NULL;
  g_autoptr(sqlite3_stmt) times = NULL;
  g_autoptr(GHashTable) current = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *order_field[] = { "order", NULL };
  gboolean synced = FALSE;
  gint64 now = g_get_real_time ();
  enum { ID_COLUMN, ORDER_COLUMN };
  int rc;

  /* see track(): one statement for all the rows, the mode looked up once */
  if (tracked)
    {
      synced = project_is_synced (self, project_id);
      if (!(times = prepare (self, "INSERT OR REPLACE INTO sync_fields (entity, id, field, "
                                   "updated_at) VALUES ('clip', ?1, 'order', ?2)", error)))
        return FALSE;
    }

  if (!(select = prepare (self, "SELECT id, \"order\" FROM clips "
                                "WHERE project_id = ?1 AND trashed = 0", error)))
    return FALSE;
  bind_text (select, 1, project_id);
  while ((rc = sqlite3_step (select)) == SQLITE_ROW)
    g_hash_table_insert (current, g_strdup (column_text (select, ID_COLUMN)),
                         GINT_TO_POINTER (sqlite3_column_int (select, ORDER_COLUMN)));
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, rc, error);

  if (g_hash_table_size (current) != ids->len)
    {
      g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_INVALID,
                   "Order names %u clips, the project has %u", ids->len,
                   g_hash_table_size (current));
      return FALSE;
    }

  if (!(update = prepare (self, "UPDATE clips SET \"order\" = ?1, updated_at = ?2 WHERE id = ?3",
                          error)))
    return FALSE;

  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < ids->len; i++)
        {
          const char *id = g_ptr_array_index (ids, i);
          gpointer value;

          if (!g_hash_table_lookup_extended (current, id, NULL, &value))
            {
              g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_INVALID,
                           "Clip %s is not in project %s", id, project_id);
              return FALSE;
            }
          if (GPOINTER_TO_INT (value) == (int)i)
            continue;

          sqlite3_reset (update);
          sqlite3_bind_int (update, 1, pass == 0 ? -1 - (int)i : (int)i);
          sqlite3_bind_int64 (update, 2, now);
          bind_text (update, 3, id);
          if (!step_done (self, update, error))
            return FALSE;

          if (pass == 1 && tracked)
            {
              sqlite3_reset (times);
              bind_text (times, 1, id);
              sqlite3_bind_int64 (times, 2, now);
              if (!step_done (self, times, error) ||
                  (synced && !enqueue (self, "clip", id, project_id, "upsert", order_field, now,
                                       error)))
                return FALSE;
            }
        }
    }

  return TRUE;
}

static gboolean
write_order (EchoesStore  *self,
             const char   *project_id,
             GPtrArray    *ids,
             GError      **error)
{
  return write_order_full (self, project_id, ids, TRUE, error);
}

static gboolean
touch_project (EchoesStore  *self,
               const char   *project_id,
               GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = prepare (self, "UPDATE projects SET updated_at = ?1 WHERE id = ?2", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
  bind_text (stmt, 2, project_id);
  return step_done (self, stmt, error);
}

static EchoesClip *
get_clip_locked (EchoesStore  *self,
                 const char   *clip_id,
                 gboolean      include_trashed,
                 GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self, include_trashed ?
                        "SELECT " CLIP_COLUMNS " FROM clips WHERE id = ?1" :
                        "SELECT " CLIP_COLUMNS " FROM clips WHERE id = ?1 AND trashed = 0",
                        error)))
    return NULL;
  bind_text (stmt, 1, clip_id);

  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    return clip_from_row (stmt);

  if (rc == SQLITE_DONE)
    g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND,
                 "No clip %s", clip_id);
  else
    set_sqlite_error (self, rc, error);

  return NULL;
}

static EchoesProject *
get_project_locked (EchoesStore  *self,
                    const char   *project_id,
                    GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self, "SELECT " PROJECT_COLUMNS " FROM projects p "
                              "WHERE p.id = ?1 AND p.trashed = 0", error)))
    return NULL;
  bind_text (stmt, 1, project_id);

  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    return project_from_row (stmt);

  if (rc == SQLITE_DONE)
    g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND,
                 "No project %s", project_id);
  else
    set_sqlite_error (self, rc, error);

  return NULL;
}

/* ---- public sync API ---- */

/**
 * echoes_store_list_projects:
 *
 * Returns: (transfer container) (element-type EchoesProject): live projects, the most
 *   recently changed first
 */
GPtrArray *
echoes_store_list_projects (EchoesStore  *self,
                            GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (ECHOES_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = prepare (self, "SELECT " PROJECT_COLUMNS " FROM projects p WHERE p.trashed = 0 "
                              "ORDER BY p.updated_at DESC, p.id", error)))
    return NULL;

  return collect_rows (self, stmt, (RowFunc)project_from_row, g_object_unref, error);
}

/**
 * echoes_store_get_project:
 *
 * Returns: (transfer full): the project, or %NULL with %ECHOES_STORE_ERROR_NOT_FOUND
 */
EchoesProject *
echoes_store_get_project (EchoesStore  *self,
                          const char   *project_id,
                          GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (ECHOES_IS_STORE (self), NULL);
  g_return_val_if_fail (project_id != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  return get_project_locked (self, project_id, error);
}

/**
 * echoes_store_create_project:
 * @title: the user-visible title
 *
 * Returns: (transfer full): the new project
 */
EchoesProject *
echoes_store_create_project (EchoesStore  *self,
                             const char   *title,
                             GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *mode = NULL;
  gint64 now = g_get_real_time ();
  gboolean ok;

  g_return_val_if_fail (ECHOES_IS_STORE (self), NULL);
  g_return_val_if_fail (title != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!begin (self, error))
    return NULL;

  /* While signed in, new projects follow the account (echoes_store_set_default_synced()). */
  mode = dup_sync_value_locked (self, "default_sync_mode", NULL);
  ok = (stmt = prepare (self, "INSERT INTO projects (id, title, created_at, updated_at, sync_mode, "
                              "ratio) VALUES (?1, ?2, ?3, ?3, ?4, ?5)", error)) != NULL;
  if (ok)
    {
      bind_text (stmt, 1, id);
      bind_text (stmt, 2, title);
      sqlite3_bind_int64 (stmt, 3, now);
      bind_text (stmt, 4, g_strcmp0 (mode, "synced") == 0 ? "synced" : "local");
      bind_text (stmt, 5, echoes_ratio_to_string (self->default_ratio));
      ok = step_done (self, stmt, error) &&
           track (self, "project", id, id, (const char * const *)all_field_names ("project"),
                  now, error);
    }
  if (!end (self, ok, error))
    return NULL;

  return get_project_locked (self, id, error);
}

/**
 * echoes_store_set_default_ratio:
 * @ratio: the film shape new projects start with (the `default-ratio` preference)
 */
void
echoes_store_set_default_ratio (EchoesStore *self,
                                EchoesRatio  ratio)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_if_fail (ECHOES_IS_STORE (self));
  g_return_if_fail (ratio <= ECHOES_RATIO_1_1);

  locker = g_mutex_locker_new (&self->lock);
  self->default_ratio = ratio;
}

/**
 * echoes_store_update_project:
 * @project: the project with its new title, music, ratio and status
 *
 * Writes the project's editable fields. Updates @project's `updated-at`.
 */
gboolean
echoes_store_update_project (EchoesStore    *self,
                             EchoesProject  *project,
                             GError        **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(EchoesProject) old = NULL;
  const char *id = echoes_project_get_id (project);
  const char *changed[6] = { NULL, };
  guint n_changed = 0;
  gint64 now = g_get_real_time ();
  gboolean ok;

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);
  g_return_val_if_fail (ECHOES_IS_PROJECT (project), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!begin (self, error))
    return FALSE;

  ok = (old = get_project_locked (self, id, error)) != NULL &&
       (stmt = prepare (self, "UPDATE projects SET title = ?1, music = ?2, ratio = ?3, "
                              "status = ?4, updated_at = ?5, provider = ?7 "
                              "WHERE id = ?6 AND trashed = 0",
                        error)) != NULL;
  if (ok)
    {
      bind_text (stmt, 1, echoes_project_get_title (project) ?: "");
      bind_text (stmt, 2, echoes_project_get_music (project));
      bind_text (stmt, 3, echoes_project_get_ratio (project) ?:
                          echoes_ratio_to_string (ECHOES_RATIO_DEFAULT));
      bind_text (stmt, 4, echoes_project_status_to_string (echoes_project_get_status (project)));
      sqlite3_bind_int64 (stmt, 5, now);
      bind_text (stmt, 6, id);
      bind_text (stmt, 7, echoes_project_get_provider (project));
      ok = step_done (self, stmt, error);
    }
  if (ok)
    {
      if (g_strcmp0 (echoes_project_get_provider (old), echoes_project_get_provider (project)) != 0)
        changed[n_changed++] = "provider";
      if (g_strcmp0 (echoes_project_get_title (old), echoes_project_get_title (project) ?: "") != 0)
        changed[n_changed++] = "title";
      if (g_strcmp0 (echoes_project_get_music (old), echoes_project_get_music (project)) != 0)
        changed[n_changed++] = "music";
      if (g_strcmp0 (echoes_project_get_ratio (old), echoes_project_get_ratio (project) ?:
                                 echoes_ratio_to_string (ECHOES_RATIO_DEFAULT)) != 0)
        changed[n_changed++] = "ratio";
      if (echoes_project_get_status (old) != echoes_project_get_status (project))
        changed[n_changed++] = "status";
      ok = track (self, "project", id, id, changed, now, error);
    }
  if (!end (self, ok, error))
    return FALSE;

  echoes_project_set_updated_at (project, now);
  return TRUE;
}

static gboolean
set_project_trashed (EchoesStore  *self,
                     const char   *project_id,
                     gboolean      trashed,
                     GError      **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok;

  if (!begin (self, error))
    return FALSE;

  ok = (stmt = prepare (self, "UPDATE projects SET trashed = ?1 WHERE id = ?2 AND trashed = ?3",
                        error)) != NULL;
  if (ok)
    {
      sqlite3_bind_int (stmt, 1, trashed);
      bind_text (stmt, 2, project_id);
      sqlite3_bind_int (stmt, 3, !trashed);
      ok = step_done (self, stmt, error);
    }
  if (ok && sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND,
                   "No project %s", project_id);
      ok = FALSE;
    }
  ok = ok && track (self, "project", project_id, project_id,
                    (const char *[]) { "trashed", NULL }, g_get_real_time (), error);

  return end (self, ok, error);
}

/**
 * echoes_store_trash_project:
 *
 * Hides the project and its clips until echoes_store_restore_project() or
 * echoes_store_purge_trash(), which removes it and its media for good.
 */
gboolean
echoes_store_trash_project (EchoesStore  *self,
                            const char   *project_id,
                            GError      **error)
{
  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);
  g_return_val_if_fail (project_id != NULL, FALSE);

  return set_project_trashed (self, project_id, TRUE, error);
}

/**
 * echoes_store_restore_project:
 *
 * Undoes echoes_store_trash_project().
 */
gboolean
echoes_store_restore_project (EchoesStore  *self,
                              const char   *project_id,
                              GError      **error)
{
  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);
  g_return_val_if_fail (project_id != NULL, FALSE);

  return set_project_trashed (self, project_id, FALSE, error);
}

/**
 * echoes_store_list_clips:
 *
 * Returns: (transfer container) (element-type EchoesClip): the live clips in order
 */
GPtrArray *
echoes_store_list_clips (EchoesStore  *self,
                         const char   *project_id,
                         GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (ECHOES_IS_STORE (self), NULL);
  g_return_val_if_fail (project_id != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = prepare (self, "SELECT " CLIP_COLUMNS " FROM clips "
                              "WHERE project_id = ?1 AND trashed = 0 ORDER BY \"order\"", error)))
    return NULL;
  bind_text (stmt, 1, project_id);

  return collect_rows (self, stmt, (RowFunc)clip_from_row, g_object_unref, error);
}

/**
 * echoes_store_get_clip:
 *
 * Returns: (transfer full): the clip, or %NULL with %ECHOES_STORE_ERROR_NOT_FOUND
 */
EchoesClip *
echoes_store_get_clip (EchoesStore  *self,
                       const char   *clip_id,
                       GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (ECHOES_IS_STORE (self), NULL);
  g_return_val_if_fail (clip_id != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  return get_clip_locked (self, clip_id, FALSE, error);
}

static void
bind_clip_fields (sqlite3_stmt *stmt,
                  EchoesClip   *clip,
                  gint64        now)
{
  /* ?1 id, ?2..?11 the mutable fields, ?12 updated_at, ?15 provider_override */
  bind_text (stmt, 1, echoes_clip_get_id (clip));
  bind_text (stmt, 2, echoes_clip_get_image (clip));
  bind_text (stmt, 3, echoes_clip_get_video (clip));
  bind_text (stmt, 4, echoes_clip_status_to_string (echoes_clip_get_status (clip)));
  sqlite3_bind_int (stmt, 5, echoes_clip_get_approved (clip));
  bind_text (stmt, 6, echoes_clip_get_provider (clip));
  bind_text (stmt, 7, echoes_clip_get_prompt (clip));
  bind_text (stmt, 8, echoes_clip_get_error (clip));
  bind_text (stmt, 9, echoes_clip_get_source_name (clip));
  sqlite3_bind_int64 (stmt, 10, echoes_clip_get_capture_time (clip));
  bind_text (stmt, 11, echoes_clip_get_motion (clip));
  sqlite3_bind_int64 (stmt, 12, now);
  bind_text (stmt, 15, echoes_clip_get_provider_override (clip));
}

/**
 * echoes_store_insert_clip:
 * @clip: a new clip; its id, project and image must be set
 * @position: where it goes; past the end appends
 *
 * Inserts @clip and shifts the clips at and after @position, in one transaction. On
 * success @clip's position and timestamps are updated.
 */
gboolean
echoes_store_insert_clip (EchoesStore  *self,
                          EchoesClip   *clip,
                          guint         position,
                          GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  const char *project_id;
  gint64 now = g_get_real_time ();
  gboolean ok;

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);
  g_return_val_if_fail (ECHOES_IS_CLIP (clip), FALSE);
  g_return_val_if_fail (echoes_clip_get_image (clip) != NULL, FALSE);

  project_id = echoes_clip_get_project_id (clip);
  locker = g_mutex_locker_new (&self->lock);
  if (!begin (self, error))
    return FALSE;

  ok = (ids = load_order (self, project_id, error)) != NULL &&
       (stmt = prepare (self, "INSERT INTO clips (id, image, video, status, approved, provider, "
                              "prompt, error, source_name, capture_time, motion, updated_at, "
                              "project_id, \"order\", created_at, provider_override) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                              "?14, ?12, ?15)", error)) != NULL;
  if (ok)
    {
      position = MIN (position, ids->len);
      bind_clip_fields (stmt, clip, now);
      bind_text (stmt, 13, project_id);
      sqlite3_bind_int (stmt, 14, ids->len);
      g_ptr_array_insert (ids, position, g_strdup (echoes_clip_get_id (clip)));
      ok = step_done (self, stmt, error) &&
           track (self, "clip", echoes_clip_get_id (clip), project_id,
                  (const char * const *)all_field_names ("clip"), now, error) &&
           write_order (self, project_id, ids, error) &&
           touch_project (self, project_id, error) &&
           track_media (self, "image", echoes_clip_get_id (clip), project_id, now, error) &&
           (echoes_clip_get_video (clip) == NULL ||
            track_media (self, "video", echoes_clip_get_id (clip), project_id, now, error));
    }

  if (!end (self, ok, error))
    return FALSE;

  g_object_set (clip, "position", position, "created-at", now, "updated-at", now, NULL);
  return TRUE;
}

/**
 * echoes_store_update_clip:
 * @clip: the clip with its new fields
 *
 * Writes every field of @clip except its project, position and EchoesClip:queued (the
 * generation queue's, see echoes_store_set_clips_queued()).
 */
gboolean
echoes_store_update_clip (EchoesStore  *self,
                          EchoesClip   *clip,
                          GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(EchoesClip) old = NULL;
  const char *changed[13] = { NULL, };
  guint n_changed = 0;
  gint64 now = g_get_real_time ();
  gboolean ok;

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);
  g_return_val_if_fail (ECHOES_IS_CLIP (clip), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!begin (self, error))
    return FALSE;

  ok = (old = get_clip_locked (self, echoes_clip_get_id (clip), TRUE, error)) != NULL &&
       (stmt = prepare (self, "UPDATE clips SET image = ?2, video = ?3, status = ?4, "
                              "approved = ?5, provider = ?6, prompt = ?7, error = ?8, "
                              "source_name = ?9, capture_time = ?10, motion = ?11, "
                              "updated_at = ?12, provider_override = ?15 WHERE id = ?1",
                        error)) != NULL;
  if (ok)
    {
      bind_clip_fields (stmt, clip, now);
      ok = step_done (self, stmt, error);
    }
  if (ok)
    {
#define CHANGED_STR(field, getter) \
      if (g_strcmp0 (getter (old), getter (clip)) != 0) changed[n_changed++] = field
#define CHANGED_VAL(field, getter) \
      if (getter (old) != getter (clip)) changed[n_changed++] = field
      CHANGED_STR ("image", echoes_clip_get_image);
      CHANGED_STR ("video", echoes_clip_get_video);
      CHANGED_VAL ("status", echoes_clip_get_status);
      CHANGED_VAL ("approved", echoes_clip_get_approved);
      CHANGED_STR ("provider", echoes_clip_get_provider);
      CHANGED_STR ("prompt", echoes_clip_get_prompt);
      CHANGED_STR ("error", echoes_clip_get_error);
      CHANGED_STR ("source_name", echoes_clip_get_source_name);
      CHANGED_VAL ("capture_time", echoes_clip_get_capture_time);
      CHANGED_STR ("motion", echoes_clip_get_motion);
      CHANGED_STR ("provider_override", echoes_clip_get_provider_override);
#undef CHANGED_STR
#undef CHANGED_VAL
      ok = track (self, "clip", echoes_clip_get_id (clip), echoes_clip_get_project_id (old),
                  changed, now, error);
      if (ok && g_strcmp0 (echoes_clip_get_image (old), echoes_clip_get_image (clip)) != 0)
        ok = track_media (self, "image", echoes_clip_get_id (clip),
                          echoes_clip_get_project_id (old), now, error);
      if (ok && echoes_clip_get_video (clip) != NULL &&
          g_strcmp0 (echoes_clip_get_video (old), echoes_clip_get_video (clip)) != 0)
        ok = track_media (self, "video", echoes_clip_get_id (clip),
                          echoes_clip_get_project_id (old), now, error);
    }
  if (!end (self, ok, error))
    return FALSE;

  echoes_clip_set_updated_at (clip, now);
  return TRUE;
}

/**
 * echoes_store_move_clip:
 * @position: the new index; past the end moves it last
 *
 * Moves a clip, shifting the clips between its old and new place.
 */
gboolean
echoes_store_move_clip (EchoesStore  *self,
                        const char   *clip_id,
                        guint         position,
                        GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  gboolean ok;

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);
  g_return_val_if_fail (clip_id != NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!begin (self, error))
    return FALSE;

  ok = (clip = get_clip_locked (self, clip_id, FALSE, error)) != NULL &&
       (ids = load_order (self, echoes_clip_get_project_id (clip), error)) != NULL;
  if (ok)
    {
      guint from = echoes_clip_get_position (clip);
      gpointer id = g_ptr_array_steal_index (ids, from);

      g_ptr_array_insert (ids, MIN (position, ids->len), id);
      ok = write_order (self, echoes_clip_get_project_id (clip), ids, error) &&
           touch_project (self, echoes_clip_get_project_id (clip), error);
    }

  return end (self, ok, error);
}

/**
 * echoes_store_trash_clip:
 *
 * Takes a clip off the timeline (closing the gap) until echoes_store_restore_clip() or
 * echoes_store_purge_trash().
 */
gboolean
echoes_store_trash_clip (EchoesStore  *self,
                         const char   *clip_id,
                         GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  gboolean ok;

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);
  g_return_val_if_fail (clip_id != NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!begin (self, error))
    return FALSE;

  ok = (clip = get_clip_locked (self, clip_id, FALSE, error)) != NULL &&
       (stmt = prepare (self, "UPDATE clips SET trashed = 1, updated_at = ?2 WHERE id = ?1",
                        error)) != NULL;
  if (ok)
    {
      gint64 now = g_get_real_time ();

      bind_text (stmt, 1, clip_id);
      sqlite3_bind_int64 (stmt, 2, now);
      ok = step_done (self, stmt, error) &&
           track (self, "clip", clip_id, echoes_clip_get_project_id (clip),
                  (const char *[]) { "trashed", NULL }, now, error) &&
           (ids = load_order (self, echoes_clip_get_project_id (clip), error)) != NULL &&
           write_order (self, echoes_clip_get_project_id (clip), ids, error) &&
           touch_project (self, echoes_clip_get_project_id (clip), error);
    }

  return end (self, ok, error);
}

/**
 * echoes_store_restore_clip:
 * @position: where it goes back (usually where it was)
 *
 * Undoes echoes_store_trash_clip().
 */
gboolean
echoes_store_restore_clip (EchoesStore  *self,
                           const char   *clip_id,
                           guint         position,
                           GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  const char *project_id = NULL;
  gboolean ok;

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);
  g_return_val_if_fail (clip_id != NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!begin (self, error))
    return FALSE;

  ok = (clip = get_clip_locked (self, clip_id, TRUE, error)) != NULL &&
       (ids = load_order (self, (project_id = echoes_clip_get_project_id (clip)), error)) != NULL &&
       (stmt = prepare (self, "UPDATE clips SET trashed = 0, \"order\" = ?2 "
                              "WHERE id = ?1 AND trashed = 1", error)) != NULL;
  if (ok)
    {
      bind_text (stmt, 1, clip_id);
      sqlite3_bind_int (stmt, 2, ids->len);
      ok = step_done (self, stmt, error);
      if (ok && sqlite3_changes (self->db) == 0)
        {
          g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND,
                       "Clip %s is not in the trash", clip_id);
          ok = FALSE;
        }
    }
  if (ok)
    {
      g_ptr_array_insert (ids, MIN (position, ids->len), g_strdup (clip_id));
      ok = write_order (self, project_id, ids, error) &&
           track (self, "clip", clip_id, project_id,
                  (const char *[]) { "trashed", "order", NULL }, g_get_real_time (), error) &&
           touch_project (self, project_id, error);
    }

  return end (self, ok, error);
}

/**
 * echoes_store_dup_clip_order:
 *
 * Returns: (transfer full): the ids of the live clips in order, for undo
 */
GStrv
echoes_store_dup_clip_order (EchoesStore  *self,
                             const char   *project_id,
                             GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) ids = NULL;

  g_return_val_if_fail (ECHOES_IS_STORE (self), NULL);
  g_return_val_if_fail (project_id != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!(ids = load_order (self, project_id, error)))
    return NULL;

  g_ptr_array_set_free_func (ids, NULL);
  g_ptr_array_add (ids, NULL);
  return (GStrv)g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

/**
 * echoes_store_set_clip_order:
 * @clip_ids: every live clip of the project, each once, in the new order
 *
 * Replaces the whole order in one transaction; refused unless @clip_ids is a
 * permutation of the project's clips.
 */
gboolean
echoes_store_set_clip_order (EchoesStore         *self,
                             const char          *project_id,
                             const char * const  *clip_ids,
                             GError             **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean ok;

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);
  g_return_val_if_fail (project_id != NULL, FALSE);
  g_return_val_if_fail (clip_ids != NULL, FALSE);

  for (guint i = 0; clip_ids[i]; i++)
    {
      if (!g_hash_table_add (seen, (gpointer)clip_ids[i]))
        {
          g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_INVALID,
                       "Clip %s appears twice", clip_ids[i]);
          return FALSE;
        }
      g_ptr_array_add (ids, (gpointer)clip_ids[i]);
    }

  locker = g_mutex_locker_new (&self->lock);
  if (!begin (self, error))
    return FALSE;
  ok = write_order (self, project_id, ids, error) && touch_project (self, project_id, error);
  return end (self, ok, error);
}

/**
 * echoes_store_sort_clips_by_date:
 *
 * Orders the project's clips by capture time (then by file name), in one transaction.
 * Take echoes_store_dup_clip_order() first to be able to undo it.
 */
gboolean
echoes_store_sort_clips_by_date (EchoesStore  *self,
                                 const char   *project_id,
                                 GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  gboolean ok;

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);
  g_return_val_if_fail (project_id != NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!begin (self, error))
    return FALSE;

  /* Clips with no known time (0) keep their relative order after the dated ones. */
  ok = (stmt = prepare (self, "SELECT id FROM clips WHERE project_id = ?1 AND trashed = 0 "
                              "ORDER BY capture_time = 0, capture_time, "
                              "source_name COLLATE NOCASE, \"order\"", error)) != NULL;
  if (ok)
    {
      bind_text (stmt, 1, project_id);
      ok = (ids = collect_rows (self, stmt, dup_first_column, g_free, error)) != NULL;
    }
  ok = ok && write_order (self, project_id, ids, error) && touch_project (self, project_id, error);

  return end (self, ok, error);
}

static void
unlink_media (EchoesStore *self,
              GPtrArray   *paths)
{
  for (guint i = 0; i < paths->len; i++)
    {
      g_autofree char *path = echoes_store_resolve (self, g_ptr_array_index (paths, i));

      if (g_unlink (path) != 0 && errno != ENOENT)
        g_warning ("Cannot remove %s: %s", path, g_strerror (errno));
    }
}

/* Removes files under images/ and clips/ that no row points to: `.partial-XXXXXX`
 * files of a copy that was killed (see echoes_file_copy_atomic()), and complete files
 * whose row was never inserted because the process died between the rename and the
 * insert. Only files older than @min_age go: another process may be importing right
 * now, between its rename and its insert. */
static void
sweep_files (EchoesStore *self,
             const char  *kind,
             GHashTable  *referenced,
             GTimeSpan    min_age)
{
  g_autofree char *top = g_build_filename (self->data_dir, kind, NULL);
  g_autoptr(GDir) projects = g_dir_open (top, 0, NULL);
  gint64 now = g_get_real_time ();
  const char *project;

  while (projects && (project = g_dir_read_name (projects)))
    {
      g_autofree char *dir_path = g_build_filename (top, project, NULL);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;

      while (dir && (name = g_dir_read_name (dir)))
        {
          g_autofree char *relative = g_build_filename (kind, project, name, NULL);
          g_autofree char *path = NULL;
          GStatBuf st;

          if (g_hash_table_contains (referenced, relative))
            continue;

          path = g_build_filename (dir_path, name, NULL);
          if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode) ||
              now - (gint64)st.st_mtime * G_USEC_PER_SEC < min_age)
            continue;

          g_debug ("Removing unreferenced %s", relative);
          g_unlink (path);
        }
    }
}

/**
 * _echoes_store_sweep_files:
 * @min_age: leave files younger than this alone
 *
 * Removes media files no clip (live or trashed) points to.
 */
void
_echoes_store_sweep_files (EchoesStore *self,
                           GTimeSpan    min_age)
{
  g_autoptr(GHashTable) referenced = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  {
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

    if (!(stmt = prepare (self, "SELECT image FROM clips UNION "
                                "SELECT video FROM clips WHERE video IS NOT NULL", NULL)))
      return;
    while (sqlite3_step (stmt) == SQLITE_ROW)
      g_hash_table_add (referenced, g_strdup (column_text (stmt, ONLY_COLUMN)));
    /* a failed read leaves the set short: sweep nothing rather than too much */
    if (sqlite3_errcode (self->db) != SQLITE_DONE && sqlite3_errcode (self->db) != SQLITE_OK)
      return;
  }

  sweep_files (self, "images", referenced, min_age);
  sweep_files (self, "clips", referenced, min_age);
}

static gboolean
exec_with_id (EchoesStore  *self,
              const char   *sql,
              const char   *id,
              GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = prepare (self, sql, error)))
    return FALSE;
  bind_text (stmt, 1, id);
  return step_done (self, stmt, error);
}

/**
 * echoes_store_purge_trash:
 * @only_id: (nullable): purge only this trashed clip or project, or %NULL for all
 *
 * Deletes trashed projects and clips for good, and then their image and video files.
 *
 * Returns: how many clips were purged
 */
guint
echoes_store_purge_trash (EchoesStore  *self,
                          const char   *only_id,
                          GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  guint n = 0;
  gboolean ok;
  enum { IMAGE_COLUMN, VIDEO_COLUMN };
  int rc;

  g_return_val_if_fail (ECHOES_IS_STORE (self), 0);

  locker = g_mutex_locker_new (&self->lock);
  if (!begin (self, error))
    return 0;

  ok = (stmt = prepare (self, "SELECT image, video FROM clips "
                              "WHERE (trashed = 1 AND (?1 IS NULL OR id = ?1)) OR project_id IN "
                              "(SELECT id FROM projects WHERE trashed = 1 AND (?1 IS NULL OR id = ?1))",
                        error)) != NULL;
  if (ok)
    {
      bind_text (stmt, 1, only_id);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          g_ptr_array_add (paths, g_strdup (column_text (stmt, IMAGE_COLUMN)));
          if (column_text (stmt, VIDEO_COLUMN))
            g_ptr_array_add (paths, g_strdup (column_text (stmt, VIDEO_COLUMN)));
          n++;
        }
      ok = rc == SQLITE_DONE || set_sqlite_error (self, rc, error);
    }

  /* a project's clips go with it (ON DELETE CASCADE) */
  ok = ok &&
       exec_with_id (self, "DELETE FROM clips WHERE trashed = 1 AND (?1 IS NULL OR id = ?1)",
                     only_id, error) &&
       exec_with_id (self, "DELETE FROM projects WHERE trashed = 1 AND (?1 IS NULL OR id = ?1)",
                     only_id, error);

  if (!end (self, ok, error))
    return 0;

  /* Files go only after the rows that point to them are gone. */
  unlink_media (self, paths);

  return n;
}

/**
 * echoes_store_set_clips_queued:
 * @clip_ids: the clips
 * @queued: whether they wait for generation
 *
 * Records that clips are waiting in the generation queue (or no longer are), in one
 * transaction, so that a restart finds them with echoes_store_dup_queued_clips().
 */
gboolean
echoes_store_set_clips_queued (EchoesStore         *self,
                               const char * const  *clip_ids,
                               gboolean             queued,
                               GError             **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);
  g_return_val_if_fail (clip_ids != NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!begin (self, error))
    return FALSE;

  ok = (stmt = prepare (self, "UPDATE clips SET queued = ?2 WHERE id = ?1", error)) != NULL;
  for (guint i = 0; ok && clip_ids[i]; i++)
    {
      sqlite3_reset (stmt);
      bind_text (stmt, 1, clip_ids[i]);
      sqlite3_bind_int (stmt, 2, !!queued);
      ok = step_done (self, stmt, error);
    }

  return end (self, ok, error);
}

/**
 * echoes_store_dup_queued_clips:
 *
 * Returns: (transfer full): the live clips waiting for or in generation (queued, or
 *   left `generating` by a crash), project by project in timeline order
 */
GStrv
echoes_store_dup_queued_clips (EchoesStore  *self,
                               GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) ids = NULL;

  g_return_val_if_fail (ECHOES_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = prepare (self, "SELECT c.id FROM clips c JOIN projects p ON p.id = c.project_id "
                              "WHERE c.trashed = 0 AND p.trashed = 0 "
                              "AND (c.queued = 1 OR c.status = 'generating') "
                              "ORDER BY p.updated_at, c.project_id, c.\"order\"", error)) ||
      !(ids = collect_rows (self, stmt, dup_first_column, g_free, error)))
    return NULL;

  g_ptr_array_set_free_func (ids, NULL);
  g_ptr_array_add (ids, NULL);
  return (GStrv)g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

/**
 * _echoes_store_get_migration:
 * @version: 1-based schema version
 *
 * Returns: (nullable): the SQL that creates @version from @version - 1
 */
const char *
_echoes_store_get_migration (guint version)
{
  if (version == 0 || version > G_N_ELEMENTS (migrations))
    return NULL;
  return migrations[version - 1];
}

/**
 * _echoes_store_check_order:
 *
 * Checks that the project's live clips have the orders 0..n-1 exactly once each.
 */
gboolean
_echoes_store_check_order (EchoesStore  *self,
                           const char   *project_id,
                           GError      **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int expected = 0;
  int rc;

  if (!(stmt = prepare (self, "SELECT \"order\" FROM clips WHERE project_id = ?1 AND trashed = 0 "
                              "ORDER BY \"order\"", error)))
    return FALSE;
  bind_text (stmt, 1, project_id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int order = sqlite3_column_int (stmt, ONLY_COLUMN);

      if (order != expected)
        {
          g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_FAILED,
                       "Expected order %d, found %d", expected, order);
          return FALSE;
        }
      expected++;
    }

  return rc == SQLITE_DONE || set_sqlite_error (self, rc, error);
}

/* ---- sync support ---- */

void
echoes_outbox_item_free (EchoesOutboxItem *item)
{
  if (item == NULL)
    return;
  g_free (item->entity);
  g_free (item->local_id);
  g_free (item->project_id);
  g_free (item->op);
  g_strfreev (item->fields);
  g_free (item);
}

/**
 * echoes_store_get_change_stamp:
 *
 * A number that changes whenever the database changed: a commit by another connection
 * (another process such as echoes-cli, or another #EchoesStore: SQLite's
 * `PRAGMA data_version`) or a row written through this one. Cheap: poll it.
 *
 * Returns: the stamp
 */
guint64
echoes_store_get_change_stamp (EchoesStore *self)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint64 data_version = 0;

  g_return_val_if_fail (ECHOES_IS_STORE (self), 0);

  locker = g_mutex_locker_new (&self->lock);
  if ((stmt = prepare (self, "PRAGMA data_version", NULL)) && sqlite3_step (stmt) == SQLITE_ROW)
    data_version = (guint64)sqlite3_column_int64 (stmt, 0);

  return (data_version << 32) ^ (guint64)sqlite3_total_changes64 (self->db);
}

/**
 * echoes_store_dup_sync_value:
 * @key: `pulled:projects`, `pulled:clips`, `account`, …
 *
 * Returns: (transfer full) (nullable): the value, %NULL if unset (or on error)
 */
char *
echoes_store_dup_sync_value (EchoesStore  *self,
                             const char   *key,
                             GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (ECHOES_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  return dup_sync_value_locked (self, key, error);
}

/**
 * echoes_store_set_sync_value:
 * @value: (nullable): the new value, %NULL to unset
 *
 * Keeps a piece of sync bookkeeping (a pull cursor, the account's id).
 */
gboolean
echoes_store_set_sync_value (EchoesStore  *self,
                             const char   *key,
                             const char   *value,
                             GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = prepare (self, value ? "INSERT OR REPLACE INTO sync_state (key, value) VALUES (?1, ?2)"
                                    : "DELETE FROM sync_state WHERE key = ?1", error)))
    return FALSE;
  bind_text (stmt, 1, key);
  if (value)
    bind_text (stmt, 2, value);
  return step_done (self, stmt, error);
}

/**
 * echoes_store_set_default_synced:
 * @synced: whether projects created from now on are synced (signed in) or local-only
 *
 * Sets the mode of new projects; existing ones keep theirs (see
 * echoes_store_keep_in_account()).
 */
gboolean
echoes_store_set_default_synced (EchoesStore  *self,
                                 gboolean      synced,
                                 GError      **error)
{
  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);

  return echoes_store_set_sync_value (self, "default_sync_mode", synced ? "synced" : "local", error);
}

/**
 * echoes_store_dup_project_ids:
 * @synced: %TRUE for the synced projects, %FALSE for the local-only ones
 *
 * Lists the live projects in one mode, e.g. the local-only ones that the first sign-in
 * offers to upload.
 *
 * Returns: (transfer full): the ids, most recently changed first
 */
GStrv
echoes_store_dup_project_ids (EchoesStore  *self,
                              gboolean      synced,
                              GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) ids = NULL;

  g_return_val_if_fail (ECHOES_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = prepare (self, "SELECT id FROM projects WHERE trashed = 0 AND sync_mode = ?1 "
                              "ORDER BY updated_at DESC, id", error)))
    return NULL;
  bind_text (stmt, 1, synced ? "synced" : "local");
  if (!(ids = collect_rows (self, stmt, dup_first_column, g_free, error)))
    return NULL;

  g_ptr_array_set_free_func (ids, NULL);
  g_ptr_array_add (ids, NULL);
  return (GStrv)g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

static gboolean
stamp_untracked (EchoesStore   *self,
                 const char    *sql,
                 const char    *project_id,
                 const char   **names,
                 GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = prepare (self, sql, error)))
    return FALSE;
  for (guint i = 0; names[i]; i++)
    {
      sqlite3_reset (stmt);
      bind_text (stmt, 1, project_id);
      bind_text (stmt, 2, names[i]);
      if (!step_done (self, stmt, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * echoes_store_keep_in_account:
 *
 * "Keep in my account": makes a local-only project synced and queues all of it (the
 * project, its live clips, their images and videos) for pushing, in one transaction.
 * Doing it again is harmless.
 */
gboolean
echoes_store_keep_in_account (EchoesStore  *self,
                              const char   *project_id,
                              GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) clips = NULL;
  gint64 now = g_get_real_time ();
  gboolean ok;
  int rc;

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);
  g_return_val_if_fail (project_id != NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!begin (self, error))
    return FALSE;

  ok = (stmt = prepare (self, "UPDATE projects SET sync_mode = 'synced' WHERE id = ?1", error)) != NULL;
  if (ok)
    {
      bind_text (stmt, 1, project_id);
      ok = step_done (self, stmt, error);
    }
  if (ok && sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND,
                   "No project %s", project_id);
      ok = FALSE;
    }
  /* Rows from before sync existed have no field times: they date from the row's last
   * change, so that what was written elsewhere since wins. */
  ok = ok &&
       stamp_untracked (self, "INSERT OR IGNORE INTO sync_fields (entity, id, field, updated_at) "
                              "SELECT 'project', id, ?2, updated_at FROM projects WHERE id = ?1",
                        project_id, all_field_names ("project"), error) &&
       stamp_untracked (self, "INSERT OR IGNORE INTO sync_fields (entity, id, field, updated_at) "
                              "SELECT 'clip', id, ?2, updated_at FROM clips WHERE project_id = ?1",
                        project_id, all_field_names ("clip"), error);
  ok = ok && enqueue (self, "project", project_id, project_id, "upsert",
                      (const char * const *)all_field_names ("project"), now, error);
  ok = ok && (clips = prepare (self, "SELECT id, video FROM clips WHERE project_id = ?1 "
                                     "AND trashed = 0 ORDER BY \"order\"", error)) != NULL;
  if (ok)
    {
      bind_text (clips, 1, project_id);
      while (ok && (rc = sqlite3_step (clips)) == SQLITE_ROW)
        {
          g_autofree char *id = g_strdup (column_text (clips, 0));
          gboolean has_video = column_text (clips, 1) != NULL;

          ok = enqueue (self, "clip", id, project_id, "upsert",
                        (const char * const *)all_field_names ("clip"), now, error) &&
               track_media (self, "image", id, project_id, now, error) &&
               (!has_video || track_media (self, "video", id, project_id, now, error));
        }
      if (ok && rc != SQLITE_DONE)
        ok = set_sqlite_error (self, rc, error);
    }

  return end (self, ok, error);
}

/**
 * echoes_store_keep_local:
 *
 * Makes a project local-only again: it stops syncing and its pending changes are
 * dropped from the outbox. What the server already has stays there.
 */
gboolean
echoes_store_keep_local (EchoesStore  *self,
                         const char   *project_id,
                         GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gboolean ok;

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);
  g_return_val_if_fail (project_id != NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!begin (self, error))
    return FALSE;
  ok = exec_with_id (self, "UPDATE projects SET sync_mode = 'local' WHERE id = ?1", project_id,
                     error) &&
       exec_with_id (self, "DELETE FROM outbox WHERE project_id = ?1", project_id, error);
  return end (self, ok, error);
}

static gpointer
outbox_item_from_row (sqlite3_stmt *stmt)
{
  EchoesOutboxItem *item = g_new0 (EchoesOutboxItem, 1);

  item->seq = sqlite3_column_int64 (stmt, 0);
  item->revision = sqlite3_column_int64 (stmt, 1);
  item->entity = g_strdup (column_text (stmt, 2));
  item->local_id = g_strdup (column_text (stmt, 3));
  item->project_id = g_strdup (column_text (stmt, 4));
  item->op = g_strdup (column_text (stmt, 5));
  item->fields = g_strsplit (column_text (stmt, 6) ?: "", ",", -1);
  item->created_at = sqlite3_column_int64 (stmt, 7);
  item->attempts = sqlite3_column_int (stmt, 8);
  item->next_try_at = sqlite3_column_int64 (stmt, 9);
  return item;
}

/**
 * echoes_store_list_outbox:
 *
 * Returns: (transfer container) (element-type EchoesOutboxItem): every pending change,
 *   oldest first
 */
GPtrArray *
echoes_store_list_outbox (EchoesStore  *self,
                          GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (ECHOES_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = prepare (self, "SELECT seq, revision, entity, local_id, project_id, op, fields, "
                              "created_at, attempts, next_try_at FROM outbox ORDER BY seq", error)))
    return NULL;

  return collect_rows (self, stmt, outbox_item_from_row,
                       (GDestroyNotify)echoes_outbox_item_free, error);
}

/**
 * echoes_store_outbox_done:
 * @revision: the item's revision when it was read
 *
 * Takes a pushed item off the outbox, unless a change was merged into it since it was
 * read (its revision moved on): then it stays, to be pushed again.
 */
gboolean
echoes_store_outbox_done (EchoesStore  *self,
                          gint64        seq,
                          gint64        revision,
                          GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = prepare (self, "DELETE FROM outbox WHERE seq = ?1 AND revision = ?2", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_int64 (stmt, 2, revision);
  return step_done (self, stmt, error);
}

/**
 * echoes_store_outbox_failed:
 * @next_try_at: when to try again (Unix microseconds)
 * @message: (nullable): why, for debugging (never a secret)
 *
 * Counts a failed push of an item and delays its next try.
 */
gboolean
echoes_store_outbox_failed (EchoesStore  *self,
                            gint64        seq,
                            gint64        next_try_at,
                            const char   *message,
                            GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = prepare (self, "UPDATE outbox SET attempts = attempts + 1, next_try_at = ?2, "
                              "last_error = ?3 WHERE seq = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_int64 (stmt, 2, next_try_at);
  bind_text (stmt, 3, message);
  return step_done (self, stmt, error);
}

static GVariant *
column_to_variant (sqlite3_stmt *stmt,
                   int           index,
                   char          kind)
{
  switch (kind)
    {
    case 's':
    case 'S':
      return g_variant_new_maybe (G_VARIANT_TYPE_STRING,
                                  column_text (stmt, index) ?
                                  g_variant_new_string (column_text (stmt, index)) : NULL);
    case 'b':
      return g_variant_new_boolean (sqlite3_column_int (stmt, index) != 0);
    case 'i':
      return g_variant_new_int32 (sqlite3_column_int (stmt, index));
    case 'x':
      return g_variant_new_int64 (sqlite3_column_int64 (stmt, index));
    default:
      g_assert_not_reached ();
    }
}

/* Binds a remote value; FALSE if it has the wrong type or is not acceptable. */
static gboolean
bind_variant (sqlite3_stmt    *stmt,
              int              index,
              const SyncField *field,
              GVariant        *value)
{
  switch (field->kind)
    {
    case 's':
    case 'S':
      {
        g_autoptr(GVariant) inner = NULL;

        if (!g_variant_is_of_type (value, G_VARIANT_TYPE ("ms")))
          return FALSE;
        inner = g_variant_get_maybe (value);
        if (inner == NULL && field->kind == 'S')
          return FALSE;
        if (inner && g_str_equal (field->name, "status"))
          {
            const char *status = g_variant_get_string (inner, NULL);
            EchoesClipStatus clip_status;
            EchoesProjectStatus project_status;

            if (!echoes_clip_status_from_string (status, &clip_status) &&
                !echoes_project_status_from_string (status, &project_status))
              return FALSE;
          }
        bind_text (stmt, index, inner ? g_variant_get_string (inner, NULL) : NULL);
        return TRUE;
      }
    case 'b':
      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
        return FALSE;
      sqlite3_bind_int (stmt, index, g_variant_get_boolean (value));
      return TRUE;
    case 'i':
      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_INT32) || g_variant_get_int32 (value) < 0)
        return FALSE;
      sqlite3_bind_int (stmt, index, g_variant_get_int32 (value));
      return TRUE;
    case 'x':
      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        return FALSE;
      sqlite3_bind_int64 (stmt, index, g_variant_get_int64 (value));
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

/* The per-field write times of a row (see field_time()). */
static GHashTable *
load_field_times (EchoesStore  *self,
                  const char   *entity,
                  const char   *id,
                  GError      **error)
{
  g_autoptr(GHashTable) times = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self, "SELECT field, updated_at FROM sync_fields "
                              "WHERE entity = ?1 AND id = ?2", error)))
    return NULL;
  bind_text (stmt, 1, entity);
  bind_text (stmt, 2, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 *time = g_new (gint64, 1);

      *time = sqlite3_column_int64 (stmt, 1);
      g_hash_table_insert (times, g_strdup (column_text (stmt, 0)), time);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      return NULL;
    }

  return g_steal_pointer (&times);
}

/* A field never written since the row was first tracked dates from 0: any write
 * elsewhere is later. */
static gint64
field_time (GHashTable *times,
            const char *field)
{
  gint64 *time = g_hash_table_lookup (times, field);

  return time ? *time : 0;
}

static char *
build_select (const char      *table,
              const SyncField *fields,
              guint            n_fields,
              const char      *extra)
{
  GString *sql = g_string_new ("SELECT ");

  for (guint i = 0; i < n_fields; i++)
    g_string_append_printf (sql, "%s, ", fields[i].column);
  g_string_append_printf (sql, "%s FROM %s WHERE id = ?1", extra, table);
  return g_string_free (sql, FALSE);
}

/**
 * echoes_store_dup_sync_row:
 * @entity: `project` or `clip`
 *
 * Reads a row's sync fields (trashed ones too) with the time each was last written.
 *
 * Returns: (transfer full): a #GVariant of type %ECHOES_STORE_SYNC_FIELDS_TYPE, or %NULL
 *   with %ECHOES_STORE_ERROR_NOT_FOUND when the row is gone (purged)
 */
GVariant *
echoes_store_dup_sync_row (EchoesStore  *self,
                           const char   *entity,
                           const char   *id,
                           GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) times = NULL;
  g_autofree char *sql = NULL;
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE (ECHOES_STORE_SYNC_FIELDS_TYPE));
  const SyncField *fields;
  const char *table;
  guint n;
  int rc;

  g_return_val_if_fail (ECHOES_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (!(fields = sync_fields_of (entity, &n, &table)))
    {
      g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_INVALID,
                   "No sync entity %s", entity);
      return NULL;
    }

  sql = build_select (table, fields, n, "updated_at");
  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = prepare (self, sql, error)))
    return NULL;
  bind_text (stmt, 1, id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND,
                     "No %s %s", entity, id);
      else
        set_sqlite_error (self, rc, error);
      return NULL;
    }

  if (!(times = load_field_times (self, entity, id, error)))
    return NULL;

  for (guint i = 0; i < n; i++)
    g_variant_builder_add (&builder, "{s(vx)}", fields[i].name,
                           column_to_variant (stmt, i, fields[i].kind),
                           field_time (times, fields[i].name));

  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

typedef struct
{
  int    order;
  gint64 time;
} Placement;

typedef struct
{
  char  *id;
  int    order;
  gint64 time;
} Slot;

static int
slot_compare (gconstpointer a,
              gconstpointer b)
{
  const Slot *x = a;
  const Slot *y = b;

  if (x->order != y->order)
    return x->order < y->order ? -1 : 1;
  /* Two clips want the same place: the one placed there first keeps it, so every
   * device, seeing the same times, settles on the same order. */
  if (x->time != y->time)
    return x->time < y->time ? -1 : 1;
  return strcmp (x->id, y->id);
}

static void
slot_clear (Slot *slot)
{
  g_free (slot->id);
}

/* Back to 0..n-1 after remote changes: every live clip wants its place (@placements for
 * the ones whose order the remote set, its current order otherwise); conflicts are
 * settled by slot_compare(). A clip that lands elsewhere than it wanted has its new
 * place recorded as a local change, so the server gets the settled order too. */
static gboolean
normalise_order (EchoesStore  *self,
                 const char   *project_id,
                 GHashTable   *placements,
                 gint64        now,
                 GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) slots = g_array_new (FALSE, FALSE, sizeof (Slot));
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  int rc;

  g_array_set_clear_func (slots, (GDestroyNotify)slot_clear);

  if (!(stmt = prepare (self, "SELECT c.id, c.\"order\", coalesce (f.updated_at, 0) "
                              "FROM clips c LEFT JOIN sync_fields f "
                              "ON f.entity = 'clip' AND f.id = c.id AND f.field = 'order' "
                              "WHERE c.project_id = ?1 AND c.trashed = 0", error)))
    return FALSE;
  bind_text (stmt, 1, project_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Slot slot = { g_strdup (column_text (stmt, 0)), sqlite3_column_int (stmt, 1),
                    sqlite3_column_int64 (stmt, 2) };
      Placement *placement = g_hash_table_lookup (placements, slot.id);

      if (placement)
        {
          slot.order = placement->order;
          slot.time = placement->time;
        }
      g_array_append_val (slots, slot);
    }
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, rc, error);

  g_array_sort (slots, slot_compare);
  for (guint i = 0; i < slots->len; i++)
    g_ptr_array_add (ids, g_array_index (slots, Slot, i).id);

  if (!write_order_full (self, project_id, ids, FALSE, error))
    return FALSE;

  for (guint i = 0; i < slots->len; i++)
    {
      Slot *slot = &g_array_index (slots, Slot, i);

      if (slot->order != (int)i &&
          !track (self, "clip", slot->id, project_id, (const char *[]) { "order", NULL }, now,
                  error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
apply_remote_row (EchoesStore  *self,
                  const char   *entity,
                  GVariant     *row,
                  GHashTable   *placements,
                  GHashTable   *affected,
                  int          *next_temp,
                  gint64        now,
                  GError      **error)
{
  g_autoptr(GVariant) remote_fields = NULL;
  g_autoptr(GHashTable) times = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *project_id = NULL;
  gboolean is_clip = g_str_equal (entity, "clip");
  const SyncField *fields;
  const char *table;
  const char *id;
  GVariantIter iter;
  const char *name;
  GVariant *value;
  gint64 time;
  gint64 row_time;
  gint64 updated_at = 0;
  gint64 max_local = 0;
  gint64 max_remote = 0;
  gboolean deleted;
  gboolean exists;
  gboolean was_trashed = TRUE;
  gboolean trashed;
  gboolean trashed_won = FALSE;
  gboolean remote_trashed = FALSE;
  gint64 trashed_time = 0;
  gboolean order_won = FALSE;
  int remote_order = 0;
  gint64 order_time = 0;
  int current_order = 0;
  guint n;
  int rc;

  fields = sync_fields_of (entity, &n, &table);
  g_variant_get (row, "(&sxb@" ECHOES_STORE_SYNC_FIELDS_TYPE ")", &id, &row_time, &deleted,
                 &remote_fields);

  {
    g_autofree char *sql = g_strdup_printf ("SELECT updated_at, trashed, %s FROM %s WHERE id = ?1",
                                            is_clip ? "project_id, \"order\"" : "id, 0", table);

    if (!(stmt = prepare (self, sql, error)))
      return FALSE;
  }
  bind_text (stmt, 1, id);
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      exists = TRUE;
      updated_at = sqlite3_column_int64 (stmt, 0);
      was_trashed = sqlite3_column_int (stmt, 1) != 0;
      project_id = g_strdup (column_text (stmt, 2));
      current_order = sqlite3_column_int (stmt, 3);
    }
  else if (rc == SQLITE_DONE)
    exists = FALSE;
  else
    return set_sqlite_error (self, rc, error);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!exists)
    {
      g_autoptr(GVariant) project_value = NULL;

      if (deleted)
        return TRUE;

      if (is_clip)
        {
          g_autoptr(GVariant) inner = NULL;

          if (!g_variant_lookup (remote_fields, "project_id", "(vx)", &project_value, NULL) ||
              !g_variant_is_of_type (project_value, G_VARIANT_TYPE ("ms")) ||
              !(inner = g_variant_get_maybe (project_value)))
            {
              g_debug ("Remote clip %s has no project: skipped", id);
              return TRUE;
            }
          project_id = g_variant_dup_string (inner, NULL);
          if (!(stmt = prepare (self, "SELECT 1 FROM projects "
                                      "WHERE id = ?1 AND sync_mode = 'synced'", error)))
            return FALSE;
          bind_text (stmt, 1, project_id);
          if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
            {
              g_debug ("Remote clip %s of an unknown or local-only project %s: skipped", id,
                       project_id);
              return rc == SQLITE_DONE || set_sqlite_error (self, rc, error);
            }
          g_clear_pointer (&stmt, sqlite3_finalize);

          /* Born trashed, with a placeholder order: the fields below bring it to life. */
          if (!(stmt = prepare (self, "INSERT INTO clips (id, project_id, image, \"order\", "
                                      "trashed, created_at, updated_at) "
                                      "VALUES (?1, ?2, '', ?3, 1, ?4, 0)", error)))
            return FALSE;
          bind_text (stmt, 1, id);
          bind_text (stmt, 2, project_id);
          sqlite3_bind_int (stmt, 3, (*next_temp)--);
          sqlite3_bind_int64 (stmt, 4, row_time);
        }
      else
        {
          project_id = g_strdup (id);
          if (!(stmt = prepare (self, "INSERT INTO projects (id, title, created_at, updated_at, "
                                      "sync_mode, trashed) VALUES (?1, '', ?2, 0, 'synced', 1)",
                                error)))
            return FALSE;
          bind_text (stmt, 1, id);
          sqlite3_bind_int64 (stmt, 2, row_time);
        }
      if (!step_done (self, stmt, error))
        return FALSE;
      g_clear_pointer (&stmt, sqlite3_finalize);
      was_trashed = TRUE;
      current_order = *next_temp + 1;
    }

  /* A project made local-only again takes nothing more from the server. */
  if (exists && !project_is_synced (self, project_id))
    {
      g_debug ("Remote %s %s of a local-only project: skipped", entity, id);
      return TRUE;
    }

  if (!(times = load_field_times (self, entity, id, error)))
    return FALSE;
  if (exists)
    for (guint i = 0; i < n; i++)
      max_local = MAX (max_local, field_time (times, fields[i].name));

  /* A new row without a word about being trashed is live. */
  if (!exists && !g_variant_lookup (remote_fields, "trashed", "(vx)", NULL, NULL))
    {
      trashed_won = TRUE;
      remote_trashed = FALSE;
      trashed_time = row_time;
    }

  if (deleted)
    {
      /* Gone for good on the server: a tombstone at the row's time. */
      trashed_won = row_time > field_time (times, "trashed");
      remote_trashed = TRUE;
      trashed_time = row_time;
    }
  else
    {
      g_variant_iter_init (&iter, remote_fields);
      while (g_variant_iter_loop (&iter, "{&s(vx)}", &name, &value, &time))
        {
          const SyncField *field = find_sync_field (entity, name);
          g_autofree char *sql = NULL;

          /* A clip never moves to another project through a sync. */
          if (field == NULL || g_str_equal (name, "project_id") ||
              time <= field_time (times, name))
            continue;

          if (g_str_equal (name, "trashed"))
            {
              if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
                {
                  trashed_won = TRUE;
                  remote_trashed = g_variant_get_boolean (value);
                  trashed_time = time;
                }
              continue;
            }
          if (g_str_equal (name, "order"))
            {
              if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32) &&
                  g_variant_get_int32 (value) >= 0)
                {
                  order_won = TRUE;
                  remote_order = g_variant_get_int32 (value);
                  order_time = time;
                }
              continue;
            }

          sql = g_strdup_printf ("UPDATE %s SET %s = ?2 WHERE id = ?1", table, field->column);
          if (!(stmt = prepare (self, sql, error)))
            return FALSE;
          bind_text (stmt, 1, id);
          if (!bind_variant (stmt, 2, field, value))
            {
              g_debug ("Remote %s %s: unusable value for %s, skipped", entity, id, name);
              g_clear_pointer (&stmt, sqlite3_finalize);
              continue;
            }
          if (!step_done (self, stmt, error) ||
              !set_field_time (self, entity, id, name, time, error))
            return FALSE;
          g_clear_pointer (&stmt, sqlite3_finalize);
          max_remote = MAX (max_remote, time);
        }
    }

  trashed = was_trashed;
  if (trashed_won)
    {
      if (remote_trashed && !was_trashed && max_local > trashed_time)
        {
          /* Deleted elsewhere, but edited here afterwards: it stays, and goes back to
           * the server whole. */
          g_debug ("%s %s: kept, edited after the remote delete", entity, id);
          if (!set_field_time (self, entity, id, "trashed", now, error) ||
              (project_is_synced (self, project_id) &&
               !enqueue (self, entity, id, project_id, "upsert",
                         (const char * const *)all_field_names (entity), now, error)))
            return FALSE;
        }
      else
        {
          gboolean revived;

          trashed = remote_trashed;
          /* A clip coming back to life takes a placeholder order at once: its old one
           * may be taken (see normalise_order(), which places it below). A clip live
           * here already keeps its place. */
          revived = is_clip && was_trashed && !trashed;
          if (!(stmt = prepare (self, !is_clip ? "UPDATE projects SET trashed = ?2 WHERE id = ?1" :
                                      !revived ? "UPDATE clips SET trashed = ?2 WHERE id = ?1" :
                                      "UPDATE clips SET trashed = ?2, \"order\" = ?3 WHERE id = ?1",
                                error)))
            return FALSE;
          bind_text (stmt, 1, id);
          sqlite3_bind_int (stmt, 2, trashed);
          if (revived)
            sqlite3_bind_int (stmt, 3, (*next_temp)--);
          if (!step_done (self, stmt, error) ||
              !set_field_time (self, entity, id, "trashed", trashed_time, error))
            return FALSE;
          g_clear_pointer (&stmt, sqlite3_finalize);
          max_remote = MAX (max_remote, trashed_time);
        }
    }

  if (is_clip)
    {
      if (order_won)
        {
          if (!set_field_time (self, entity, id, "order", order_time, error))
            return FALSE;
          max_remote = MAX (max_remote, order_time);
        }

      if (!trashed && (was_trashed || order_won))
        {
          Placement *placement = g_new (Placement, 1);

          /* Its place is settled with the others' in normalise_order(); meanwhile it
           * holds a placeholder order that no live clip has. */
          placement->order = order_won ? remote_order : current_order;
          placement->time = order_won ? order_time : field_time (times, "order");
          if (!exists && !order_won)
            placement->order = G_MAXINT;
          g_hash_table_insert (placements, g_strdup (id), placement);
          g_hash_table_add (affected, g_strdup (project_id));

          if (!(stmt = prepare (self, "UPDATE clips SET \"order\" = ?2 WHERE id = ?1", error)))
            return FALSE;
          bind_text (stmt, 1, id);
          sqlite3_bind_int (stmt, 2, (*next_temp)--);
          if (!step_done (self, stmt, error))
            return FALSE;
          g_clear_pointer (&stmt, sqlite3_finalize);
        }
      else if (trashed && order_won)
        {
          if (!(stmt = prepare (self, "UPDATE clips SET \"order\" = ?2 WHERE id = ?1", error)))
            return FALSE;
          bind_text (stmt, 1, id);
          sqlite3_bind_int (stmt, 2, remote_order);
          if (!step_done (self, stmt, error))
            return FALSE;
          g_clear_pointer (&stmt, sqlite3_finalize);
        }

      if (!was_trashed && trashed)
        g_hash_table_add (affected, g_strdup (project_id));
    }

  if (max_remote > updated_at)
    {
      g_autofree char *sql = g_strdup_printf ("UPDATE %s SET updated_at = ?2 WHERE id = ?1", table);

      if (!(stmt = prepare (self, sql, error)))
        return FALSE;
      bind_text (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, max_remote);
      if (!step_done (self, stmt, error))
        return FALSE;
    }

  return TRUE;
}

/**
 * echoes_store_apply_remote:
 * @entity: `project` or `clip`
 * @rows: (element-type GVariant): rows of type %ECHOES_STORE_SYNC_ROW_TYPE, as pulled;
 *   media paths already translated to local ones
 *
 * Merges pulled rows, in one transaction: per field, the later write wins (by the
 * fields' times). Rows and projects new here are created (synced). Nothing is queued
 * for pushing back, except where the merge decides against the server: a clip deleted
 * there but edited here later stays (and is pushed whole), and clips whose order had
 * to be settled (two clips wanting one place) get their new place pushed. Orders stay
 * 0..n-1. A clip of an unknown project is skipped.
 */
gboolean
echoes_store_apply_remote (EchoesStore  *self,
                           const char   *entity,
                           GPtrArray    *rows,
                           GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GHashTable) placements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) affected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 now = g_get_real_time ();
  int next_temp = -1000000;
  GHashTableIter iter;
  gpointer project_id;
  gboolean ok = TRUE;
  guint n;
  const char *table;

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);
  g_return_val_if_fail (rows != NULL, FALSE);

  if (!sync_fields_of (entity, &n, &table))
    {
      g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_INVALID,
                   "No sync entity %s", entity);
      return FALSE;
    }

  locker = g_mutex_locker_new (&self->lock);
  if (!begin (self, error))
    return FALSE;

  for (guint i = 0; ok && i < rows->len; i++)
    {
      GVariant *row = g_ptr_array_index (rows, i);

      if (!g_variant_is_of_type (row, G_VARIANT_TYPE (ECHOES_STORE_SYNC_ROW_TYPE)))
        {
          g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_INVALID,
                       "A remote row has the type %s", g_variant_get_type_string (row));
          ok = FALSE;
          break;
        }
      ok = apply_remote_row (self, entity, row, placements, affected, &next_temp, now, error);
    }

  g_hash_table_iter_init (&iter, affected);
  while (ok && g_hash_table_iter_next (&iter, &project_id, NULL))
    ok = normalise_order (self, project_id, placements, now, error);

  return end (self, ok, error);
}

/**
 * echoes_store_list_missing_media:
 *
 * Finds the images and videos of synced projects' live clips that are not on disk
 * (pulled from another device, to be downloaded).
 *
 * Returns: (transfer container) (element-type GVariant): `(sss)`: clip id, `image` or
 *   `video`, the relative path the file belongs at
 */
GPtrArray *
echoes_store_list_missing_media (EchoesStore  *self,
                                 GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
  int rc;

  g_return_val_if_fail (ECHOES_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = prepare (self, "SELECT c.id, c.image, c.video FROM clips c "
                              "JOIN projects p ON p.id = c.project_id "
                              "WHERE p.sync_mode = 'synced' AND p.trashed = 0 AND c.trashed = 0 "
                              "ORDER BY p.updated_at DESC, c.\"order\"", error)))
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (guint k = 0; k < 2; k++)
        {
          const char *relative = column_text (stmt, 1 + k);
          g_autofree char *path = NULL;

          if (relative == NULL || *relative == '\0')
            continue;
          path = echoes_store_resolve (self, relative);
          if (!g_file_test (path, G_FILE_TEST_EXISTS))
            g_ptr_array_add (missing, g_variant_ref_sink (g_variant_new ("(sss)",
                                                                         column_text (stmt, 0),
                                                                         k == 0 ? "image" : "video",
                                                                         relative)));
        }
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      return NULL;
    }

  return g_steal_pointer (&missing);
}

/**
 * echoes_store_get_upload:
 * @kind: `image` or `video`
 * @url: (out) (optional): the resumable upload's URL
 * @offset: (out) (optional): how many bytes the server has
 *
 * Returns: %TRUE if a resumable upload of this file was started, %FALSE (and no error)
 *   if not
 */
gboolean
echoes_store_get_upload (EchoesStore  *self,
                         const char   *clip_id,
                         const char   *kind,
                         char        **url,
                         gint64       *offset,
                         GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = prepare (self, "SELECT url, \"offset\" FROM uploads "
                              "WHERE clip_id = ?1 AND kind = ?2 AND url IS NOT NULL", error)))
    return FALSE;
  bind_text (stmt, 1, clip_id);
  bind_text (stmt, 2, kind);
  if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
    {
      if (rc != SQLITE_DONE)
        set_sqlite_error (self, rc, error);
      return FALSE;
    }
  if (url)
    *url = g_strdup (column_text (stmt, 0));
  if (offset)
    *offset = sqlite3_column_int64 (stmt, 1);
  return TRUE;
}

/**
 * echoes_store_set_upload:
 * @path: the file being uploaded (relative)
 * @url: the resumable upload's URL
 * @offset: how many bytes the server has
 * @size: the file's size
 *
 * Remembers where a resumable upload stands, so that it resumes after a restart.
 */
gboolean
echoes_store_set_upload (EchoesStore  *self,
                         const char   *clip_id,
                         const char   *kind,
                         const char   *path,
                         const char   *url,
                         gint64        offset,
                         gint64        size,
                         GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = prepare (self, "INSERT OR REPLACE INTO uploads (clip_id, kind, path, url, "
                              "\"offset\", size) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error)))
    return FALSE;
  bind_text (stmt, 1, clip_id);
  bind_text (stmt, 2, kind);
  bind_text (stmt, 3, path ?: "");
  bind_text (stmt, 4, url);
  sqlite3_bind_int64 (stmt, 5, offset);
  sqlite3_bind_int64 (stmt, 6, size);
  return step_done (self, stmt, error);
}

/**
 * echoes_store_clear_upload:
 *
 * Forgets a finished (or abandoned) resumable upload.
 */
gboolean
echoes_store_clear_upload (EchoesStore  *self,
                           const char   *clip_id,
                           const char   *kind,
                           GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = prepare (self, "DELETE FROM uploads WHERE clip_id = ?1 AND kind = ?2", error)))
    return FALSE;
  bind_text (stmt, 1, clip_id);
  bind_text (stmt, 2, kind);
  return step_done (self, stmt, error);
}
