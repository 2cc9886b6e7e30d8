/* echoes-store-projects.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-store"

#include "config.h"

#include "echoes-store-private.h"

/* EchoesStore's projects: listed, created, updated, trashed and restored. */

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

static EchoesProject *
project_from_row (sqlite3_stmt *stmt)
{
  EchoesProject *project = echoes_project_new (_echoes_store_column_text (stmt, PROJECT_COLUMN_ID));
  EchoesProjectStatus status = ECHOES_PROJECT_STATUS_IN_PROGRESS;

  g_assert (sqlite3_column_count (stmt) == N_PROJECT_COLUMNS);
  echoes_project_status_from_string (_echoes_store_column_text (stmt, PROJECT_COLUMN_STATUS),
                                     &status);
  g_object_set (project,
                "title", _echoes_store_column_text (stmt, PROJECT_COLUMN_TITLE),
                "music", _echoes_store_column_text (stmt, PROJECT_COLUMN_MUSIC),
                "status", status,
                "created-at", (gint64)sqlite3_column_int64 (stmt, PROJECT_COLUMN_CREATED_AT),
                "updated-at", (gint64)sqlite3_column_int64 (stmt, PROJECT_COLUMN_UPDATED_AT),
                "ratio", _echoes_store_column_text (stmt, PROJECT_COLUMN_RATIO),
                "clip-count", (guint)sqlite3_column_int (stmt, PROJECT_COLUMN_CLIP_COUNT),
                "approved-count", (guint)sqlite3_column_int (stmt, PROJECT_COLUMN_APPROVED_COUNT),
                "synced", sqlite3_column_int (stmt, PROJECT_COLUMN_SYNCED) != 0,
                "provider", _echoes_store_column_text (stmt, PROJECT_COLUMN_PROVIDER),
                NULL);
  return project;
}

/* ---- queries (callers hold the lock) ---- */

static EchoesProject *
get_project_locked (EchoesStore  *self,
                    const char   *project_id,
                    GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = _echoes_store_prepare (self, "SELECT " PROJECT_COLUMNS " FROM projects p "
                                            "WHERE p.id = ?1 AND p.trashed = 0", error)))
    return NULL;
  _echoes_store_bind_text (stmt, 1, project_id);

  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    return project_from_row (stmt);

  if (rc == SQLITE_DONE)
    g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND,
                 "No project %s", project_id);
  else
    _echoes_store_set_sqlite_error (self, rc, error);

  return NULL;
}

/* ---- public synchronous API ---- */

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
  if (!(stmt = _echoes_store_prepare (self, "SELECT " PROJECT_COLUMNS " FROM projects p "
                                            "WHERE p.trashed = 0 "
                                            "ORDER BY p.updated_at DESC, p.id", error)))
    return NULL;

  return _echoes_store_collect_rows (self, stmt, (EchoesStoreRowFunc)project_from_row,
                                     g_object_unref, error);
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
  if (!_echoes_store_begin (self, error))
    return NULL;

  /* While signed in, new projects follow the account (echoes_store_set_default_synced()). */
  mode = _echoes_store_dup_sync_value_locked (self, "default_sync_mode", NULL);
  ok = (stmt = _echoes_store_prepare (self, "INSERT INTO projects (id, title, created_at, "
                                            "updated_at, sync_mode, ratio) "
                                            "VALUES (?1, ?2, ?3, ?3, ?4, ?5)", error)) != NULL;
  if (ok)
    {
      _echoes_store_bind_text (stmt, 1, id);
      _echoes_store_bind_text (stmt, 2, title);
      sqlite3_bind_int64 (stmt, 3, now);
      _echoes_store_bind_text (stmt, 4, g_strcmp0 (mode, "synced") == 0 ? "synced" : "local");
      _echoes_store_bind_text (stmt, 5, echoes_ratio_to_string (self->default_ratio));
      ok = _echoes_store_step_done (self, stmt, error) &&
           _echoes_store_track (self, "project", id, id,
                                (const char * const *)_echoes_store_all_field_names ("project"),
                                now, error);
    }
  if (!_echoes_store_end (self, ok, error))
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
  if (!_echoes_store_begin (self, error))
    return FALSE;

  ok = (old = get_project_locked (self, id, error)) != NULL &&
       (stmt = _echoes_store_prepare (self, "UPDATE projects SET title = ?1, music = ?2, "
                                            "ratio = ?3, status = ?4, updated_at = ?5, "
                                            "provider = ?7 WHERE id = ?6 AND trashed = 0",
                                      error)) != NULL;
  if (ok)
    {
      _echoes_store_bind_text (stmt, 1, echoes_project_get_title (project) ?: "");
      _echoes_store_bind_text (stmt, 2, echoes_project_get_music (project));
      _echoes_store_bind_text (stmt, 3, echoes_project_get_ratio (project) ?:
                                        echoes_ratio_to_string (ECHOES_RATIO_DEFAULT));
      _echoes_store_bind_text (stmt, 4,
                               echoes_project_status_to_string (echoes_project_get_status (project)));
      sqlite3_bind_int64 (stmt, 5, now);
      _echoes_store_bind_text (stmt, 6, id);
      _echoes_store_bind_text (stmt, 7, echoes_project_get_provider (project));
      ok = _echoes_store_step_done (self, stmt, error);
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
      ok = _echoes_store_track (self, "project", id, id, changed, now, error);
    }
  if (!_echoes_store_end (self, ok, error))
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

  if (!_echoes_store_begin (self, error))
    return FALSE;

  ok = (stmt = _echoes_store_prepare (self, "UPDATE projects SET trashed = ?1 WHERE id = ?2 "
                                            "AND trashed = ?3",
                                      error)) != NULL;
  if (ok)
    {
      sqlite3_bind_int (stmt, 1, trashed);
      _echoes_store_bind_text (stmt, 2, project_id);
      sqlite3_bind_int (stmt, 3, !trashed);
      ok = _echoes_store_step_done (self, stmt, error);
    }
  if (ok && sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND,
                   "No project %s", project_id);
      ok = FALSE;
    }
  ok = ok && _echoes_store_track (self, "project", project_id, project_id,
                                  (const char *[]) { "trashed", NULL }, g_get_real_time (), error);

  return _echoes_store_end (self, ok, error);
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
