/* echoes-store.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-store"

#include "config.h"

#include <errno.h>

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
 * partial unique index and by rewriting orders only through write_order() (in
 * echoes-store-clips.c).
 */
G_DEFINE_FINAL_TYPE (EchoesStore, echoes_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (echoes-store-error-quark, echoes_store_error)

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

/* ---- SQLite helpers, shared by the store's files (echoes-store-private.h) ---- */

gboolean
_echoes_store_set_sqlite_error (EchoesStore  *self,
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

sqlite3_stmt *
_echoes_store_prepare (EchoesStore  *self,
                       const char   *sql,
                       GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if ((rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL)) != SQLITE_OK)
    {
      _echoes_store_set_sqlite_error (self, rc, error);
      return NULL;
    }

  return stmt;
}

gboolean
_echoes_store_exec (EchoesStore  *self,
                    const char   *sql,
                    GError      **error)
{
  int rc;

  if ((rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL)) != SQLITE_OK)
    return _echoes_store_set_sqlite_error (self, rc, error);

  return TRUE;
}

/* Steps a statement that returns no rows. */
gboolean
_echoes_store_step_done (EchoesStore   *self,
                         sqlite3_stmt  *stmt,
                         GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    return _echoes_store_set_sqlite_error (self, rc, error);

  return TRUE;
}

void
_echoes_store_bind_text (sqlite3_stmt *stmt,
                         int           index,
                         const char   *text)
{
  if (text)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

const char *
_echoes_store_column_text (sqlite3_stmt *stmt,
                           int           index)
{
  return (const char *)sqlite3_column_text (stmt, index);
}

gpointer
_echoes_store_dup_first_column (sqlite3_stmt *stmt)
{
  return g_strdup (_echoes_store_column_text (stmt, ECHOES_STORE_ONLY_COLUMN));
}

/* Steps @stmt to the end, turning each row into an element with @row. */
GPtrArray *
_echoes_store_collect_rows (EchoesStore     *self,
                            sqlite3_stmt    *stmt,
                            EchoesStoreRowFunc          row,
                            GDestroyNotify   free_func,
                            GError         **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, row (stmt));

  if (rc != SQLITE_DONE)
    {
      _echoes_store_set_sqlite_error (self, rc, error);
      return NULL;
    }

  return g_steal_pointer (&rows);
}

gboolean
_echoes_store_begin (EchoesStore  *self,
                     GError      **error)
{
  return _echoes_store_exec (self, "BEGIN IMMEDIATE", error);
}

/* Commits, or rolls back if @ok is FALSE. Returns @ok && the commit succeeded. */
gboolean
_echoes_store_end (EchoesStore  *self,
                   gboolean      ok,
                   GError      **error)
{
  if (ok)
    {
      if (_echoes_store_exec (self, "COMMIT", error))
        return TRUE;
    }

  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

gboolean
_echoes_store_exec_with_id (EchoesStore  *self,
                            const char   *sql,
                            const char   *id,
                            GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = _echoes_store_prepare (self, sql, error)))
    return FALSE;
  _echoes_store_bind_text (stmt, 1, id);
  return _echoes_store_step_done (self, stmt, error);
}

static gboolean
migrate (EchoesStore  *self,
         GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int version;

  if (!(stmt = _echoes_store_prepare (self, "PRAGMA user_version", error)))
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return _echoes_store_set_sqlite_error (self, sqlite3_errcode (self->db), error);
  version = sqlite3_column_int (stmt, ECHOES_STORE_ONLY_COLUMN);
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
      if (!_echoes_store_begin (self, error))
        return FALSE;
      ok = _echoes_store_exec (self, migrations[v - 1], error) &&
           _echoes_store_exec (self, bump, error);
      if (!_echoes_store_end (self, ok, error))
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
      _echoes_store_set_sqlite_error (self, rc, error);
      return NULL;
    }

  sqlite3_busy_timeout (self->db, 5000);
  sqlite3_extended_result_codes (self->db, TRUE);

  /* WAL: readers never block the writer, and a crash mid-transaction rolls back. */
  if (!_echoes_store_exec (self, "PRAGMA journal_mode = WAL", error) ||
      !_echoes_store_exec (self, "PRAGMA synchronous = NORMAL", error) ||
      !_echoes_store_exec (self, "PRAGMA foreign_keys = ON", error) ||
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

  if (!(stmt = _echoes_store_prepare (self, "SELECT \"order\" FROM clips WHERE project_id = ?1 "
                                            "AND trashed = 0 ORDER BY \"order\"", error)))
    return FALSE;
  _echoes_store_bind_text (stmt, 1, project_id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int order = sqlite3_column_int (stmt, ECHOES_STORE_ONLY_COLUMN);

      if (order != expected)
        {
          g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_FAILED,
                       "Expected order %d, found %d", expected, order);
          return FALSE;
        }
      expected++;
    }

  return rc == SQLITE_DONE || _echoes_store_set_sqlite_error (self, rc, error);
}
