/* echoes-store-sync-rows.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-store"

#include "config.h"

#include "echoes-store-private.h"

/* EchoesStore's sync rows: a row's sync fields read with their times (for a push),
 * pulled rows merged in (per-field last writer wins) and clip orders settled. */

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
                                  _echoes_store_column_text (stmt, index) ?
                                  g_variant_new_string (_echoes_store_column_text (stmt, index)) :
                                  NULL);
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
              const EchoesStoreSyncField *field,
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
        _echoes_store_bind_text (stmt, index, inner ? g_variant_get_string (inner, NULL) : NULL);
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

  if (!(stmt = _echoes_store_prepare (self, "SELECT field, updated_at FROM sync_fields "
                                            "WHERE entity = ?1 AND id = ?2", error)))
    return NULL;
  _echoes_store_bind_text (stmt, 1, entity);
  _echoes_store_bind_text (stmt, 2, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 *time = g_new (gint64, 1);

      *time = sqlite3_column_int64 (stmt, 1);
      g_hash_table_insert (times, g_strdup (_echoes_store_column_text (stmt, 0)), time);
    }
  if (rc != SQLITE_DONE)
    {
      _echoes_store_set_sqlite_error (self, rc, error);
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
              const EchoesStoreSyncField *fields,
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
  const EchoesStoreSyncField *fields;
  const char *table;
  guint n;
  int rc;

  g_return_val_if_fail (ECHOES_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (!(fields = _echoes_store_sync_fields_of (entity, &n, &table)))
    {
      g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_INVALID,
                   "No sync entity %s", entity);
      return NULL;
    }

  sql = build_select (table, fields, n, "updated_at");
  locker = g_mutex_locker_new (&self->lock);
  if (!(stmt = _echoes_store_prepare (self, sql, error)))
    return NULL;
  _echoes_store_bind_text (stmt, 1, id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND,
                     "No %s %s", entity, id);
      else
        _echoes_store_set_sqlite_error (self, rc, error);
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

  if (!(stmt = _echoes_store_prepare (self, "SELECT c.id, c.\"order\", coalesce (f.updated_at, 0) "
                                            "FROM clips c LEFT JOIN sync_fields f "
                                            "ON f.entity = 'clip' AND f.id = c.id "
                                            "AND f.field = 'order' WHERE c.project_id = ?1 "
                                            "AND c.trashed = 0", error)))
    return FALSE;
  _echoes_store_bind_text (stmt, 1, project_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Slot slot = { g_strdup (_echoes_store_column_text (stmt, 0)), sqlite3_column_int (stmt, 1),
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
    return _echoes_store_set_sqlite_error (self, rc, error);

  g_array_sort (slots, slot_compare);
  for (guint i = 0; i < slots->len; i++)
    g_ptr_array_add (ids, g_array_index (slots, Slot, i).id);

  if (!_echoes_store_write_order_full (self, project_id, ids, FALSE, error))
    return FALSE;

  for (guint i = 0; i < slots->len; i++)
    {
      Slot *slot = &g_array_index (slots, Slot, i);

      if (slot->order != (int)i &&
          !_echoes_store_track (self, "clip", slot->id, project_id,
                                (const char *[]) { "order", NULL }, now, error))
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
  const EchoesStoreSyncField *fields;
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

  fields = _echoes_store_sync_fields_of (entity, &n, &table);
  g_variant_get (row, "(&sxb@" ECHOES_STORE_SYNC_FIELDS_TYPE ")", &id, &row_time, &deleted,
                 &remote_fields);

  {
    g_autofree char *sql = g_strdup_printf ("SELECT updated_at, trashed, %s FROM %s WHERE id = ?1",
                                            is_clip ? "project_id, \"order\"" : "id, 0", table);

    if (!(stmt = _echoes_store_prepare (self, sql, error)))
      return FALSE;
  }
  _echoes_store_bind_text (stmt, 1, id);
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      exists = TRUE;
      updated_at = sqlite3_column_int64 (stmt, 0);
      was_trashed = sqlite3_column_int (stmt, 1) != 0;
      project_id = g_strdup (_echoes_store_column_text (stmt, 2));
      current_order = sqlite3_column_int (stmt, 3);
    }
  else if (rc == SQLITE_DONE)
    exists = FALSE;
  else
    return _echoes_store_set_sqlite_error (self, rc, error);
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
          if (!(stmt = _echoes_store_prepare (self, "SELECT 1 FROM projects WHERE id = ?1 "
                                                    "AND sync_mode = 'synced'", error)))
            return FALSE;
          _echoes_store_bind_text (stmt, 1, project_id);
          if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
            {
              g_debug ("Remote clip %s of an unknown or local-only project %s: skipped", id,
                       project_id);
              return rc == SQLITE_DONE || _echoes_store_set_sqlite_error (self, rc, error);
            }
          g_clear_pointer (&stmt, sqlite3_finalize);

          /* Born trashed, with a placeholder order: the fields below bring it to life. */
          if (!(stmt = _echoes_store_prepare (self, "INSERT INTO clips (id, project_id, image, "
                                                    "\"order\", trashed, created_at, updated_at) "
                                                    "VALUES (?1, ?2, '', ?3, 1, ?4, 0)", error)))
            return FALSE;
          _echoes_store_bind_text (stmt, 1, id);
          _echoes_store_bind_text (stmt, 2, project_id);
          sqlite3_bind_int (stmt, 3, (*next_temp)--);
          sqlite3_bind_int64 (stmt, 4, row_time);
        }
      else
        {
          project_id = g_strdup (id);
          if (!(stmt = _echoes_store_prepare (self, "INSERT INTO projects (id, title, created_at, "
                                                    "updated_at, sync_mode, trashed) "
                                                    "VALUES (?1, '', ?2, 0, 'synced', 1)",
                                              error)))
            return FALSE;
          _echoes_store_bind_text (stmt, 1, id);
          sqlite3_bind_int64 (stmt, 2, row_time);
        }
      if (!_echoes_store_step_done (self, stmt, error))
        return FALSE;
      g_clear_pointer (&stmt, sqlite3_finalize);
      was_trashed = TRUE;
      current_order = *next_temp + 1;
    }

  /* A project made local-only again takes nothing more from the server. */
  if (exists && !_echoes_store_project_is_synced (self, project_id))
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
          const EchoesStoreSyncField *field = _echoes_store_find_sync_field (entity, name);
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
          if (!(stmt = _echoes_store_prepare (self, sql, error)))
            return FALSE;
          _echoes_store_bind_text (stmt, 1, id);
          if (!bind_variant (stmt, 2, field, value))
            {
              g_debug ("Remote %s %s: unusable value for %s, skipped", entity, id, name);
              g_clear_pointer (&stmt, sqlite3_finalize);
              continue;
            }
          if (!_echoes_store_step_done (self, stmt, error) ||
              !_echoes_store_set_field_time (self, entity, id, name, time, error))
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
          if (!_echoes_store_set_field_time (self, entity, id, "trashed", now, error) ||
              (_echoes_store_project_is_synced (self, project_id) &&
               !_echoes_store_enqueue (self, entity, id, project_id, "upsert",
                                       (const char * const *)_echoes_store_all_field_names (entity),
                                       now, error)))
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
          if (!(stmt = _echoes_store_prepare (self,
                                              !is_clip ?
                                              "UPDATE projects SET trashed = ?2 WHERE id = ?1" :
                                              !revived ?
                                              "UPDATE clips SET trashed = ?2 WHERE id = ?1" :
                                              "UPDATE clips SET trashed = ?2, \"order\" = ?3 "
                                              "WHERE id = ?1",
                                              error)))
            return FALSE;
          _echoes_store_bind_text (stmt, 1, id);
          sqlite3_bind_int (stmt, 2, trashed);
          if (revived)
            sqlite3_bind_int (stmt, 3, (*next_temp)--);
          if (!_echoes_store_step_done (self, stmt, error) ||
              !_echoes_store_set_field_time (self, entity, id, "trashed", trashed_time, error))
            return FALSE;
          g_clear_pointer (&stmt, sqlite3_finalize);
          max_remote = MAX (max_remote, trashed_time);
        }
    }

  if (is_clip)
    {
      if (order_won)
        {
          if (!_echoes_store_set_field_time (self, entity, id, "order", order_time, error))
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

          if (!(stmt = _echoes_store_prepare (self, "UPDATE clips SET \"order\" = ?2 "
                                                    "WHERE id = ?1", error)))
            return FALSE;
          _echoes_store_bind_text (stmt, 1, id);
          sqlite3_bind_int (stmt, 2, (*next_temp)--);
          if (!_echoes_store_step_done (self, stmt, error))
            return FALSE;
          g_clear_pointer (&stmt, sqlite3_finalize);
        }
      else if (trashed && order_won)
        {
          if (!(stmt = _echoes_store_prepare (self, "UPDATE clips SET \"order\" = ?2 "
                                                    "WHERE id = ?1", error)))
            return FALSE;
          _echoes_store_bind_text (stmt, 1, id);
          sqlite3_bind_int (stmt, 2, remote_order);
          if (!_echoes_store_step_done (self, stmt, error))
            return FALSE;
          g_clear_pointer (&stmt, sqlite3_finalize);
        }

      if (!was_trashed && trashed)
        g_hash_table_add (affected, g_strdup (project_id));
    }

  if (max_remote > updated_at)
    {
      g_autofree char *sql = g_strdup_printf ("UPDATE %s SET updated_at = ?2 WHERE id = ?1", table);

      if (!(stmt = _echoes_store_prepare (self, sql, error)))
        return FALSE;
      _echoes_store_bind_text (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, max_remote);
      if (!_echoes_store_step_done (self, stmt, error))
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

  if (!_echoes_store_sync_fields_of (entity, &n, &table))
    {
      g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_INVALID,
                   "No sync entity %s", entity);
      return FALSE;
    }

  locker = g_mutex_locker_new (&self->lock);
  if (!_echoes_store_begin (self, error))
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

  return _echoes_store_end (self, ok, error);
}
