/* echoes-store-changes.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-store"

#include "config.h"

#include "echoes-store-private.h"

/* ---- change tracking for sync (callers hold the lock, inside a transaction) ---- */

static const EchoesStoreSyncField project_fields[] = {
  { "title", "title", 'S' },
  { "music", "music", 's' },
  { "ratio", "ratio", 'S' },
  { "provider", "provider", 's' },
  { "status", "status", 'S' },
  { "trashed", "trashed", 'b' },
  { "created_at", "created_at", 'x' },
};

static const EchoesStoreSyncField clip_fields[] = {
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

const EchoesStoreSyncField *
_echoes_store_sync_fields_of (const char *entity,
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

const EchoesStoreSyncField *
_echoes_store_find_sync_field (const char *entity,
                               const char *name)
{
  const EchoesStoreSyncField *fields;
  const char *table;
  guint n;

  if (!(fields = _echoes_store_sync_fields_of (entity, &n, &table)))
    return NULL;
  for (guint i = 0; i < n; i++)
    if (g_str_equal (fields[i].name, name))
      return &fields[i];
  return NULL;
}

/* The names of every sync field of @entity, %NULL-terminated, not owned. */
const char **
_echoes_store_all_field_names (const char *entity)
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

char *
_echoes_store_dup_sync_value_locked (EchoesStore  *self,
                                     const char   *key,
                                     GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = _echoes_store_prepare (self, "SELECT value FROM sync_state WHERE key = ?1", error)))
    return NULL;
  _echoes_store_bind_text (stmt, 1, key);
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    return g_strdup (_echoes_store_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    _echoes_store_set_sqlite_error (self, rc, error);
  return NULL;
}

gboolean
_echoes_store_project_is_synced (EchoesStore *self,
                                 const char  *project_id)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = _echoes_store_prepare (self, "SELECT sync_mode = 'synced' FROM projects "
                                            "WHERE id = ?1", NULL)))
    return FALSE;
  _echoes_store_bind_text (stmt, 1, project_id);
  return sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0) != 0;
}

/* Queues @fields of an entity for pushing, merging them into the entity's pending item
 * if there is one: its revision goes up, so a push in flight does not take it off the
 * outbox (echoes_store_outbox_done()) and the newer values go out next time. */
gboolean
_echoes_store_enqueue (EchoesStore         *self,
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

  if (!(select = _echoes_store_prepare (self, "SELECT seq, fields FROM outbox WHERE entity = ?1 "
                                              "AND local_id = ?2 AND op = ?3", error)))
    return FALSE;
  _echoes_store_bind_text (select, 1, entity);
  _echoes_store_bind_text (select, 2, id);
  _echoes_store_bind_text (select, 3, op);
  if ((rc = sqlite3_step (select)) == SQLITE_ROW)
    {
      g_auto(GStrv) old = g_strsplit (_echoes_store_column_text (select, 1), ",", -1);

      seq = sqlite3_column_int64 (select, 0);
      for (guint i = 0; old[i]; i++)
        if (*old[i])
          g_ptr_array_add (merged, g_strdup (old[i]));
    }
  else if (rc != SQLITE_DONE)
    return _echoes_store_set_sqlite_error (self, rc, error);

  for (guint i = 0; fields[i]; i++)
    if (!g_ptr_array_find_with_equal_func (merged, fields[i], g_str_equal, NULL))
      g_ptr_array_add (merged, g_strdup (fields[i]));
  g_ptr_array_add (merged, NULL);
  joined = g_strjoinv (",", (char **)merged->pdata);

  if (seq >= 0)
    {
      /* A new change may be what fixes a refused item: try it again soon. */
      if (!(write = _echoes_store_prepare (self, "UPDATE outbox SET fields = ?2, "
                                                 "revision = revision + 1, next_try_at = 0 "
                                                 "WHERE seq = ?1", error)))
        return FALSE;
      sqlite3_bind_int64 (write, 1, seq);
      _echoes_store_bind_text (write, 2, joined);
    }
  else
    {
      if (!(write = _echoes_store_prepare (self, "INSERT INTO outbox (entity, local_id, "
                                                 "project_id, op, fields, created_at) "
                                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error)))
        return FALSE;
      _echoes_store_bind_text (write, 1, entity);
      _echoes_store_bind_text (write, 2, id);
      _echoes_store_bind_text (write, 3, project_id);
      _echoes_store_bind_text (write, 4, op);
      _echoes_store_bind_text (write, 5, joined);
      sqlite3_bind_int64 (write, 6, now);
    }

  return _echoes_store_step_done (self, write, error);
}

gboolean
_echoes_store_set_field_time (EchoesStore  *self,
                              const char   *entity,
                              const char   *id,
                              const char   *field,
                              gint64        time,
                              GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = _echoes_store_prepare (self, "INSERT OR REPLACE INTO sync_fields (entity, id, "
                                            "field, updated_at) VALUES (?1, ?2, ?3, ?4)", error)))
    return FALSE;
  _echoes_store_bind_text (stmt, 1, entity);
  _echoes_store_bind_text (stmt, 2, id);
  _echoes_store_bind_text (stmt, 3, field);
  sqlite3_bind_int64 (stmt, 4, time);
  return _echoes_store_step_done (self, stmt, error);
}

/* Records that @fields of a row were written locally at @now (for the per-field last
 * writer wins of a later sync) and, if its project is synced, queues them for pushing:
 * in the transaction of the change itself, so a crash can never lose one without the
 * other. */
gboolean
_echoes_store_track (EchoesStore         *self,
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
    if (!_echoes_store_set_field_time (self, entity, id, fields[i], now, error))
      return FALSE;

  if (!_echoes_store_project_is_synced (self, project_id))
    return TRUE;

  return _echoes_store_enqueue (self, entity, id, project_id, "upsert", fields, now, error);
}

/* Queues the upload of a clip's image or video if its project is synced. */
gboolean
_echoes_store_track_media (EchoesStore  *self,
                           const char   *kind,
                           const char   *clip_id,
                           const char   *project_id,
                           gint64        now,
                           GError      **error)
{
  const char *fields[] = { kind, NULL };

  if (!_echoes_store_project_is_synced (self, project_id))
    return TRUE;

  return _echoes_store_enqueue (self, kind, clip_id, project_id, "upload", fields, now, error);
}
