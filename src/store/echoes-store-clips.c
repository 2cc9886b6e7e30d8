/* echoes-store-clips.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-store"

#include "config.h"

#include "echoes-store-private.h"

/* EchoesStore's clips: listed, inserted, updated, moved, trashed and restored;
 * their order; the generation queue's marks. */

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

static EchoesClip *
clip_from_row (sqlite3_stmt *stmt)
{
  EchoesClip *clip = echoes_clip_new (_echoes_store_column_text (stmt, CLIP_COLUMN_ID),
                                      _echoes_store_column_text (stmt, CLIP_COLUMN_PROJECT_ID));
  EchoesClipStatus status = ECHOES_CLIP_STATUS_PENDING;

  g_assert (sqlite3_column_count (stmt) == N_CLIP_COLUMNS);
  echoes_clip_status_from_string (_echoes_store_column_text (stmt, CLIP_COLUMN_STATUS), &status);
  g_object_set (clip,
                "image", _echoes_store_column_text (stmt, CLIP_COLUMN_IMAGE),
                "video", _echoes_store_column_text (stmt, CLIP_COLUMN_VIDEO),
                "status", status,
                "approved", sqlite3_column_int (stmt, CLIP_COLUMN_APPROVED) != 0,
                "position", (guint)sqlite3_column_int (stmt, CLIP_COLUMN_ORDER),
                "provider", _echoes_store_column_text (stmt, CLIP_COLUMN_PROVIDER),
                "prompt", _echoes_store_column_text (stmt, CLIP_COLUMN_PROMPT),
                "error", _echoes_store_column_text (stmt, CLIP_COLUMN_ERROR),
                "created-at", (gint64)sqlite3_column_int64 (stmt, CLIP_COLUMN_CREATED_AT),
                "updated-at", (gint64)sqlite3_column_int64 (stmt, CLIP_COLUMN_UPDATED_AT),
                "source-name", _echoes_store_column_text (stmt, CLIP_COLUMN_SOURCE_NAME),
                "capture-time", (gint64)sqlite3_column_int64 (stmt, CLIP_COLUMN_CAPTURE_TIME),
                "motion", _echoes_store_column_text (stmt, CLIP_COLUMN_MOTION),
                "queued", sqlite3_column_int (stmt, CLIP_COLUMN_QUEUED) != 0,
                "provider-override",
                _echoes_store_column_text (stmt, CLIP_COLUMN_PROVIDER_OVERRIDE),
                NULL);
  return clip;
}

/* ---- queries (callers hold the lock) ---- */

static GPtrArray *
load_order (EchoesStore  *self,
            const char   *project_id,
            GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = _echoes_store_prepare (self, "SELECT id FROM clips WHERE project_id = ?1 "
                                            "AND trashed = 0 ORDER BY \"order\"", error)))
    return NULL;
  _echoes_store_bind_text (stmt, 1, project_id);

  return _echoes_store_collect_rows (self, stmt, _echoes_store_dup_first_column, g_free, error);
}

/* Makes @ids (every live clip of the project, each once) the order 0..n-1. Only rows
 * whose position changes are written: first to distinct negative values, then to their
 * final values, which the first pass has vacated, so the unique index never trips.
 * With @tracked, each moved clip's order is recorded as a local change (see
 * _echoes_store_track()). */
gboolean
_echoes_store_write_order_full (EchoesStore  *self,
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

  /* see _echoes_store_track(): one statement for all the rows, the mode looked up once */
  if (tracked)
    {
      synced = _echoes_store_project_is_synced (self, project_id);
      if (!(times = _echoes_store_prepare (self, "INSERT OR REPLACE INTO sync_fields (entity, id, "
                                                 "field, updated_at) "
                                                 "VALUES ('clip', ?1, 'order', ?2)", error)))
        return FALSE;
    }

  if (!(select = _echoes_store_prepare (self, "SELECT id, \"order\" FROM clips "
                                              "WHERE project_id = ?1 AND trashed = 0", error)))
    return FALSE;
  _echoes_store_bind_text (select, 1, project_id);
  while ((rc = sqlite3_step (select)) == SQLITE_ROW)
    g_hash_table_insert (current, g_strdup (_echoes_store_column_text (select, ID_COLUMN)),
                         GINT_TO_POINTER (sqlite3_column_int (select, ORDER_COLUMN)));
  if (rc != SQLITE_DONE)
    return _echoes_store_set_sqlite_error (self, rc, error);

  if (g_hash_table_size (current) != ids->len)
    {
      g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_INVALID,
                   "Order names %u clips, the project has %u", ids->len,
                   g_hash_table_size (current));
      return FALSE;
    }

  if (!(update = _echoes_store_prepare (self, "UPDATE clips SET \"order\" = ?1, updated_at = ?2 "
                                              "WHERE id = ?3",
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
          _echoes_store_bind_text (update, 3, id);
          if (!_echoes_store_step_done (self, update, error))
            return FALSE;

          if (pass == 1 && tracked)
            {
              sqlite3_reset (times);
              _echoes_store_bind_text (times, 1, id);
              sqlite3_bind_int64 (times, 2, now);
              if (!_echoes_store_step_done (self, times, error) ||
                  (synced && !_echoes_store_enqueue (self, "clip", id, project_id, "upsert",
                                                     order_field, now, error)))
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
  return _echoes_store_write_order_full (self, project_id, ids, TRUE, error);
}

static gboolean
touch_project (EchoesStore  *self,
               const char   *project_id,
               GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = _echoes_store_prepare (self, "UPDATE projects SET updated_at = ?1 "
                                            "WHERE id = ?2", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
  _echoes_store_bind_text (stmt, 2, project_id);
  return _echoes_store_step_done (self, stmt, error);
}

static EchoesClip *
get_clip_locked (EchoesStore  *self,
                 const char   *clip_id,
                 gboolean      include_trashed,
                 GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = _echoes_store_prepare (self, include_trashed ?
                                      "SELECT " CLIP_COLUMNS " FROM clips WHERE id = ?1" :
                                      "SELECT " CLIP_COLUMNS " FROM clips "
                                      "WHERE id = ?1 AND trashed = 0",
                                      error)))
    return NULL;
  _echoes_store_bind_text (stmt, 1, clip_id);

  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    return clip_from_row (stmt);

  if (rc == SQLITE_DONE)
    g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND,
                 "No clip %s", clip_id);
  else
    _echoes_store_set_sqlite_error (self, rc, error);

  return NULL;
}

/* ---- public synchronous API ---- */

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
  if (!(stmt = _echoes_store_prepare (self, "SELECT " CLIP_COLUMNS " FROM clips "
                                            "WHERE project_id = ?1 AND trashed = 0 "
                                            "ORDER BY \"order\"", error)))
    return NULL;
  _echoes_store_bind_text (stmt, 1, project_id);

  return _echoes_store_collect_rows (self, stmt, (EchoesStoreRowFunc)clip_from_row,
                                     g_object_unref, error);
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
  _echoes_store_bind_text (stmt, 1, echoes_clip_get_id (clip));
  _echoes_store_bind_text (stmt, 2, echoes_clip_get_image (clip));
  _echoes_store_bind_text (stmt, 3, echoes_clip_get_video (clip));
  _echoes_store_bind_text (stmt, 4, echoes_clip_status_to_string (echoes_clip_get_status (clip)));
  sqlite3_bind_int (stmt, 5, echoes_clip_get_approved (clip));
  _echoes_store_bind_text (stmt, 6, echoes_clip_get_provider (clip));
  _echoes_store_bind_text (stmt, 7, echoes_clip_get_prompt (clip));
  _echoes_store_bind_text (stmt, 8, echoes_clip_get_error (clip));
  _echoes_store_bind_text (stmt, 9, echoes_clip_get_source_name (clip));
  sqlite3_bind_int64 (stmt, 10, echoes_clip_get_capture_time (clip));
  _echoes_store_bind_text (stmt, 11, echoes_clip_get_motion (clip));
  sqlite3_bind_int64 (stmt, 12, now);
  _echoes_store_bind_text (stmt, 15, echoes_clip_get_provider_override (clip));
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
  if (!_echoes_store_begin (self, error))
    return FALSE;

  ok = (ids = load_order (self, project_id, error)) != NULL &&
       (stmt = _echoes_store_prepare (self, "INSERT INTO clips (id, image, video, status, "
                                            "approved, provider, prompt, error, source_name, "
                                            "capture_time, motion, updated_at, project_id, "
                                            "\"order\", created_at, provider_override) "
                                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                                            "?11, ?12, ?13, ?14, ?12, ?15)", error)) != NULL;
  if (ok)
    {
      position = MIN (position, ids->len);
      bind_clip_fields (stmt, clip, now);
      _echoes_store_bind_text (stmt, 13, project_id);
      sqlite3_bind_int (stmt, 14, ids->len);
      g_ptr_array_insert (ids, position, g_strdup (echoes_clip_get_id (clip)));
      ok = _echoes_store_step_done (self, stmt, error) &&
           _echoes_store_track (self, "clip", echoes_clip_get_id (clip), project_id,
                                (const char * const *)_echoes_store_all_field_names ("clip"),
                                now, error) &&
           write_order (self, project_id, ids, error) &&
           touch_project (self, project_id, error) &&
           _echoes_store_track_media (self, "image", echoes_clip_get_id (clip), project_id, now,
                                      error) &&
           (echoes_clip_get_video (clip) == NULL ||
            _echoes_store_track_media (self, "video", echoes_clip_get_id (clip), project_id, now,
                                       error));
    }

  if (!_echoes_store_end (self, ok, error))
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
  if (!_echoes_store_begin (self, error))
    return FALSE;

  ok = (old = get_clip_locked (self, echoes_clip_get_id (clip), TRUE, error)) != NULL &&
       (stmt = _echoes_store_prepare (self, "UPDATE clips SET image = ?2, video = ?3, status = ?4, "
                                            "approved = ?5, provider = ?6, prompt = ?7, "
                                            "error = ?8, source_name = ?9, capture_time = ?10, "
                                            "motion = ?11, updated_at = ?12, "
                                            "provider_override = ?15 WHERE id = ?1",
                                      error)) != NULL;
  if (ok)
    {
      bind_clip_fields (stmt, clip, now);
      ok = _echoes_store_step_done (self, stmt, error);
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
      ok = _echoes_store_track (self, "clip", echoes_clip_get_id (clip),
                                echoes_clip_get_project_id (old), changed, now, error);
      if (ok && g_strcmp0 (echoes_clip_get_image (old), echoes_clip_get_image (clip)) != 0)
        ok = _echoes_store_track_media (self, "image", echoes_clip_get_id (clip),
                                        echoes_clip_get_project_id (old), now, error);
      if (ok && echoes_clip_get_video (clip) != NULL &&
          g_strcmp0 (echoes_clip_get_video (old), echoes_clip_get_video (clip)) != 0)
        ok = _echoes_store_track_media (self, "video", echoes_clip_get_id (clip),
                                        echoes_clip_get_project_id (old), now, error);
    }
  if (!_echoes_store_end (self, ok, error))
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
  if (!_echoes_store_begin (self, error))
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

  return _echoes_store_end (self, ok, error);
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
  if (!_echoes_store_begin (self, error))
    return FALSE;

  ok = (clip = get_clip_locked (self, clip_id, FALSE, error)) != NULL &&
       (stmt = _echoes_store_prepare (self, "UPDATE clips SET trashed = 1, updated_at = ?2 "
                                            "WHERE id = ?1",
                                      error)) != NULL;
  if (ok)
    {
      gint64 now = g_get_real_time ();

      _echoes_store_bind_text (stmt, 1, clip_id);
      sqlite3_bind_int64 (stmt, 2, now);
      ok = _echoes_store_step_done (self, stmt, error) &&
           _echoes_store_track (self, "clip", clip_id, echoes_clip_get_project_id (clip),
                                (const char *[]) { "trashed", NULL }, now, error) &&
           (ids = load_order (self, echoes_clip_get_project_id (clip), error)) != NULL &&
           write_order (self, echoes_clip_get_project_id (clip), ids, error) &&
           touch_project (self, echoes_clip_get_project_id (clip), error);
    }

  return _echoes_store_end (self, ok, error);
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
  if (!_echoes_store_begin (self, error))
    return FALSE;

  ok = (clip = get_clip_locked (self, clip_id, TRUE, error)) != NULL &&
       (ids = load_order (self, (project_id = echoes_clip_get_project_id (clip)), error)) != NULL &&
       (stmt = _echoes_store_prepare (self, "UPDATE clips SET trashed = 0, \"order\" = ?2 "
                                            "WHERE id = ?1 AND trashed = 1", error)) != NULL;
  if (ok)
    {
      _echoes_store_bind_text (stmt, 1, clip_id);
      sqlite3_bind_int (stmt, 2, ids->len);
      ok = _echoes_store_step_done (self, stmt, error);
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
           _echoes_store_track (self, "clip", clip_id, project_id,
                                (const char *[]) { "trashed", "order", NULL }, g_get_real_time (),
                                error) &&
           touch_project (self, project_id, error);
    }

  return _echoes_store_end (self, ok, error);
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
  if (!_echoes_store_begin (self, error))
    return FALSE;
  ok = write_order (self, project_id, ids, error) && touch_project (self, project_id, error);
  return _echoes_store_end (self, ok, error);
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
  if (!_echoes_store_begin (self, error))
    return FALSE;

  /* Clips with no known time (0) keep their relative order after the dated ones. */
  ok = (stmt = _echoes_store_prepare (self, "SELECT id FROM clips WHERE project_id = ?1 "
                                            "AND trashed = 0 "
                                            "ORDER BY capture_time = 0, capture_time, "
                                            "source_name COLLATE NOCASE, "
                                            "\"order\"", error)) != NULL;
  if (ok)
    {
      _echoes_store_bind_text (stmt, 1, project_id);
      ok = (ids = _echoes_store_collect_rows (self, stmt, _echoes_store_dup_first_column, g_free,
                                              error)) != NULL;
    }
  ok = ok && write_order (self, project_id, ids, error) && touch_project (self, project_id, error);

  return _echoes_store_end (self, ok, error);
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
  if (!_echoes_store_begin (self, error))
    return FALSE;

  ok = (stmt = _echoes_store_prepare (self, "UPDATE clips SET queued = ?2 "
                                            "WHERE id = ?1", error)) != NULL;
  for (guint i = 0; ok && clip_ids[i]; i++)
    {
      sqlite3_reset (stmt);
      _echoes_store_bind_text (stmt, 1, clip_ids[i]);
      sqlite3_bind_int (stmt, 2, !!queued);
      ok = _echoes_store_step_done (self, stmt, error);
    }

  return _echoes_store_end (self, ok, error);
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
  if (!(stmt = _echoes_store_prepare (self, "SELECT c.id FROM clips c "
                                            "JOIN projects p ON p.id = c.project_id "
                                            "WHERE c.trashed = 0 AND p.trashed = 0 "
                                            "AND (c.queued = 1 OR c.status = 'generating') "
                                            "ORDER BY p.updated_at, c.project_id, "
                                            "c.\"order\"", error)) ||
      !(ids = _echoes_store_collect_rows (self, stmt, _echoes_store_dup_first_column, g_free,
                                          error)))
    return NULL;

  g_ptr_array_set_free_func (ids, NULL);
  g_ptr_array_add (ids, NULL);
  return (GStrv)g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}
