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
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == ECHOES_STORE_SCHEMA_VERSION);

/* The columns clip_from_row() reads, and their indices: keep the two in the same order. */
#define CLIP_COLUMNS \
  "id, project_id, image, video, status, approved, \"order\", provider, prompt, error, " \
  "created_at, updated_at, source_name, capture_time, motion, queued"

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
  N_CLIP_COLUMNS
};

/* The columns project_from_row() reads, and their indices: keep the two in the same
 * order. */
#define PROJECT_COLUMNS \
  "p.id, p.title, p.music, p.status, p.created_at, p.updated_at, p.ratio, " \
  "(SELECT count(*) FROM clips c WHERE c.project_id = p.id AND c.trashed = 0), " \
  "(SELECT count(*) FROM clips c WHERE c.project_id = p.id AND c.trashed = 0 AND c.approved)"

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
 * final values, which the first pass has vacated, so the unique index never trips. */
static gboolean
write_order (EchoesStore  *self,
             const char   *project_id,
             GPtrArray    *ids,
             GError      **error)
{
  g_autoptr(sqlite3_stmt) select = NULL;
  g_autoptr(sqlite3_stmt) update = NULL;
  g_autoptr(GHashTable) current = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 now = g_get_real_time ();
  enum { ID_COLUMN, ORDER_COLUMN };
  int rc;

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
        }
    }

  return TRUE;
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
  gint64 now = g_get_real_time ();

  g_return_val_if_fail (ECHOES_IS_STORE (self), NULL);
  g_return_val_if_fail (title != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = prepare (self, "INSERT INTO projects (id, title, created_at, updated_at) "
                              "VALUES (?1, ?2, ?3, ?3)", error)))
    return NULL;
  bind_text (stmt, 1, id);
  bind_text (stmt, 2, title);
  sqlite3_bind_int64 (stmt, 3, now);
  if (!step_done (self, stmt, error))
    return NULL;

  return get_project_locked (self, id, error);
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
  gint64 now = g_get_real_time ();

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);
  g_return_val_if_fail (ECHOES_IS_PROJECT (project), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = prepare (self, "UPDATE projects SET title = ?1, music = ?2, ratio = ?3, "
                              "status = ?4, updated_at = ?5 WHERE id = ?6 AND trashed = 0",
                        error)))
    return FALSE;
  bind_text (stmt, 1, echoes_project_get_title (project) ?: "");
  bind_text (stmt, 2, echoes_project_get_music (project));
  bind_text (stmt, 3, echoes_project_get_ratio (project) ?:
                      echoes_ratio_to_string (ECHOES_RATIO_DEFAULT));
  bind_text (stmt, 4, echoes_project_status_to_string (echoes_project_get_status (project)));
  sqlite3_bind_int64 (stmt, 5, now);
  bind_text (stmt, 6, echoes_project_get_id (project));
  if (!step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND,
                   "No project %s", echoes_project_get_id (project));
      return FALSE;
    }

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

  if (!(stmt = prepare (self, "UPDATE projects SET trashed = ?1 WHERE id = ?2 AND trashed = ?3",
                        error)))
    return FALSE;
  sqlite3_bind_int (stmt, 1, trashed);
  bind_text (stmt, 2, project_id);
  sqlite3_bind_int (stmt, 3, !trashed);
  if (!step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND,
                   "No project %s", project_id);
      return FALSE;
    }

  return TRUE;
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
  /* ?1 id, ?2..?11 the mutable fields, ?12 updated_at */
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
                              "project_id, \"order\", created_at) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                              "?14, ?12)", error)) != NULL;
  if (ok)
    {
      position = MIN (position, ids->len);
      bind_clip_fields (stmt, clip, now);
      bind_text (stmt, 13, project_id);
      sqlite3_bind_int (stmt, 14, ids->len);
      g_ptr_array_insert (ids, position, g_strdup (echoes_clip_get_id (clip)));
      ok = step_done (self, stmt, error) &&
           write_order (self, project_id, ids, error) &&
           touch_project (self, project_id, error);
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
  gint64 now = g_get_real_time ();

  g_return_val_if_fail (ECHOES_IS_STORE (self), FALSE);
  g_return_val_if_fail (ECHOES_IS_CLIP (clip), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = prepare (self, "UPDATE clips SET image = ?2, video = ?3, status = ?4, "
                              "approved = ?5, provider = ?6, prompt = ?7, error = ?8, "
                              "source_name = ?9, capture_time = ?10, motion = ?11, "
                              "updated_at = ?12 WHERE id = ?1", error)))
    return FALSE;
  bind_clip_fields (stmt, clip, now);
  if (!step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND,
                   "No clip %s", echoes_clip_get_id (clip));
      return FALSE;
    }

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
      bind_text (stmt, 1, clip_id);
      sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
      ok = step_done (self, stmt, error) &&
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
