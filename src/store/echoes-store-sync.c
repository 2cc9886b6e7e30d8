/* echoes-store-sync.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-store"

#include "config.h"

#include "echoes-store-private.h"

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
  if ((stmt = _echoes_store_prepare (self, "PRAGMA data_version", NULL)) &&
      sqlite3_step (stmt) == SQLITE_ROW)
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
  return _echoes_store_dup_sync_value_locked (self, key, error);
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
  if (!(stmt = _echoes_store_prepare (self,
                                      value ?
                                      "INSERT OR REPLACE INTO sync_state (key, value) "
                                      "VALUES (?1, ?2)" :
                                      "DELETE FROM sync_state WHERE key = ?1", error)))
    return FALSE;
  _echoes_store_bind_text (stmt, 1, key);
  if (value)
    _echoes_store_bind_text (stmt, 2, value);
  return _echoes_store_step_done (self, stmt, error);
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
  if (!(stmt = _echoes_store_prepare (self, "SELECT id FROM projects WHERE trashed = 0 "
                                            "AND sync_mode = ?1 "
                                            "ORDER BY updated_at DESC, id", error)))
    return NULL;
  _echoes_store_bind_text (stmt, 1, synced ? "synced" : "local");
  if (!(ids = _echoes_store_collect_rows (self, stmt, _echoes_store_dup_first_column, g_free,
                                          error)))
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

  if (!(stmt = _echoes_store_prepare (self, sql, error)))
    return FALSE;
  for (guint i = 0; names[i]; i++)
    {
      sqlite3_reset (stmt);
      _echoes_store_bind_text (stmt, 1, project_id);
      _echoes_store_bind_text (stmt, 2, names[i]);
      if (!_echoes_store_step_done (self, stmt, error))
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
  if (!_echoes_store_begin (self, error))
    return FALSE;

  ok = (stmt = _echoes_store_prepare (self, "UPDATE projects SET sync_mode = 'synced' "
                                            "WHERE id = ?1", error)) != NULL;
  if (ok)
    {
      _echoes_store_bind_text (stmt, 1, project_id);
      ok = _echoes_store_step_done (self, stmt, error);
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
                        project_id, _echoes_store_all_field_names ("project"), error) &&
       stamp_untracked (self, "INSERT OR IGNORE INTO sync_fields (entity, id, field, updated_at) "
                              "SELECT 'clip', id, ?2, updated_at FROM clips WHERE project_id = ?1",
                        project_id, _echoes_store_all_field_names ("clip"), error);
  ok = ok && _echoes_store_enqueue (self, "project", project_id, project_id, "upsert",
                                    (const char * const *)_echoes_store_all_field_names ("project"),
                                    now, error);
  ok = ok && (clips = _echoes_store_prepare (self, "SELECT id, video FROM clips "
                                                   "WHERE project_id = ?1 AND trashed = 0 "
                                                   "ORDER BY \"order\"", error)) != NULL;
  if (ok)
    {
      _echoes_store_bind_text (clips, 1, project_id);
      while (ok && (rc = sqlite3_step (clips)) == SQLITE_ROW)
        {
          g_autofree char *id = g_strdup (_echoes_store_column_text (clips, 0));
          gboolean has_video = _echoes_store_column_text (clips, 1) != NULL;

          ok = _echoes_store_enqueue (self, "clip", id, project_id, "upsert",
                                      (const char * const *)_echoes_store_all_field_names ("clip"),
                                      now, error) &&
               _echoes_store_track_media (self, "image", id, project_id, now, error) &&
               (!has_video ||
                _echoes_store_track_media (self, "video", id, project_id, now, error));
        }
      if (ok && rc != SQLITE_DONE)
        ok = _echoes_store_set_sqlite_error (self, rc, error);
    }

  return _echoes_store_end (self, ok, error);
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
  if (!_echoes_store_begin (self, error))
    return FALSE;
  ok = _echoes_store_exec_with_id (self, "UPDATE projects SET sync_mode = 'local' "
                                         "WHERE id = ?1", project_id,
                                   error) &&
       _echoes_store_exec_with_id (self, "DELETE FROM outbox "
                                         "WHERE project_id = ?1", project_id, error);
  return _echoes_store_end (self, ok, error);
}

static gpointer
outbox_item_from_row (sqlite3_stmt *stmt)
{
  EchoesOutboxItem *item = g_new0 (EchoesOutboxItem, 1);

  item->seq = sqlite3_column_int64 (stmt, 0);
  item->revision = sqlite3_column_int64 (stmt, 1);
  item->entity = g_strdup (_echoes_store_column_text (stmt, 2));
  item->local_id = g_strdup (_echoes_store_column_text (stmt, 3));
  item->project_id = g_strdup (_echoes_store_column_text (stmt, 4));
  item->op = g_strdup (_echoes_store_column_text (stmt, 5));
  item->fields = g_strsplit (_echoes_store_column_text (stmt, 6) ?: "", ",", -1);
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
  if (!(stmt = _echoes_store_prepare (self, "SELECT seq, revision, entity, local_id, project_id, "
                                            "op, fields, created_at, attempts, next_try_at "
                                            "FROM outbox ORDER BY seq", error)))
    return NULL;

  return _echoes_store_collect_rows (self, stmt, outbox_item_from_row,
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
  if (!(stmt = _echoes_store_prepare (self, "DELETE FROM outbox WHERE seq = ?1 "
                                            "AND revision = ?2", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_int64 (stmt, 2, revision);
  return _echoes_store_step_done (self, stmt, error);
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
  if (!(stmt = _echoes_store_prepare (self, "UPDATE outbox SET attempts = attempts + 1, "
                                            "next_try_at = ?2, last_error = ?3 "
                                            "WHERE seq = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_int64 (stmt, 2, next_try_at);
  _echoes_store_bind_text (stmt, 3, message);
  return _echoes_store_step_done (self, stmt, error);
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
  if (!(stmt = _echoes_store_prepare (self, "SELECT c.id, c.image, c.video FROM clips c "
                                            "JOIN projects p ON p.id = c.project_id "
                                            "WHERE p.sync_mode = 'synced' AND p.trashed = 0 "
                                            "AND c.trashed = 0 ORDER BY p.updated_at DESC, "
                                            "c.\"order\"", error)))
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (guint k = 0; k < 2; k++)
        {
          const char *relative = _echoes_store_column_text (stmt, 1 + k);
          g_autofree char *path = NULL;

          if (relative == NULL || *relative == '\0')
            continue;
          path = echoes_store_resolve (self, relative);
          if (!g_file_test (path, G_FILE_TEST_EXISTS))
            g_ptr_array_add (missing,
                             g_variant_ref_sink (g_variant_new ("(sss)",
                                                                _echoes_store_column_text (stmt, 0),
                                                                k == 0 ? "image" : "video",
                                                                relative)));
        }
    }
  if (rc != SQLITE_DONE)
    {
      _echoes_store_set_sqlite_error (self, rc, error);
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
  if (!(stmt = _echoes_store_prepare (self, "SELECT url, \"offset\" FROM uploads "
                                            "WHERE clip_id = ?1 AND kind = ?2 "
                                            "AND url IS NOT NULL", error)))
    return FALSE;
  _echoes_store_bind_text (stmt, 1, clip_id);
  _echoes_store_bind_text (stmt, 2, kind);
  if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
    {
      if (rc != SQLITE_DONE)
        _echoes_store_set_sqlite_error (self, rc, error);
      return FALSE;
    }
  if (url)
    *url = g_strdup (_echoes_store_column_text (stmt, 0));
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
  if (!(stmt = _echoes_store_prepare (self, "INSERT OR REPLACE INTO uploads (clip_id, kind, "
                                            "path, url, \"offset\", size) "
                                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error)))
    return FALSE;
  _echoes_store_bind_text (stmt, 1, clip_id);
  _echoes_store_bind_text (stmt, 2, kind);
  _echoes_store_bind_text (stmt, 3, path ?: "");
  _echoes_store_bind_text (stmt, 4, url);
  sqlite3_bind_int64 (stmt, 5, offset);
  sqlite3_bind_int64 (stmt, 6, size);
  return _echoes_store_step_done (self, stmt, error);
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
  if (!(stmt = _echoes_store_prepare (self, "DELETE FROM uploads WHERE clip_id = ?1 "
                                            "AND kind = ?2", error)))
    return FALSE;
  _echoes_store_bind_text (stmt, 1, clip_id);
  _echoes_store_bind_text (stmt, 2, kind);
  return _echoes_store_step_done (self, stmt, error);
}
