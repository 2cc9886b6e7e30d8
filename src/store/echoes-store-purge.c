/* echoes-store-purge.c
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

#include "echoes-store-private.h"

/* EchoesStore's deletes for good: the trash purged, media files no row points to
 * swept. */

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

    if (!(stmt = _echoes_store_prepare (self, "SELECT image FROM clips UNION SELECT video "
                                              "FROM clips WHERE video IS NOT NULL", NULL)))
      return;
    while (sqlite3_step (stmt) == SQLITE_ROW)
      g_hash_table_add (referenced,
                        g_strdup (_echoes_store_column_text (stmt, ECHOES_STORE_ONLY_COLUMN)));
    /* a failed read leaves the set short: sweep nothing rather than too much */
    if (sqlite3_errcode (self->db) != SQLITE_DONE && sqlite3_errcode (self->db) != SQLITE_OK)
      return;
  }

  sweep_files (self, "images", referenced, min_age);
  sweep_files (self, "clips", referenced, min_age);
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
  if (!_echoes_store_begin (self, error))
    return 0;

  ok = (stmt = _echoes_store_prepare (self, "SELECT image, video FROM clips "
                                            "WHERE (trashed = 1 AND (?1 IS NULL OR id = ?1)) "
                                            "OR project_id IN (SELECT id FROM projects "
                                            "WHERE trashed = 1 AND (?1 IS NULL OR id = ?1))",
                                      error)) != NULL;
  if (ok)
    {
      _echoes_store_bind_text (stmt, 1, only_id);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          g_ptr_array_add (paths, g_strdup (_echoes_store_column_text (stmt, IMAGE_COLUMN)));
          if (_echoes_store_column_text (stmt, VIDEO_COLUMN))
            g_ptr_array_add (paths, g_strdup (_echoes_store_column_text (stmt, VIDEO_COLUMN)));
          n++;
        }
      ok = rc == SQLITE_DONE || _echoes_store_set_sqlite_error (self, rc, error);
    }

  /* a project's clips go with it (ON DELETE CASCADE) */
  ok = ok &&
       _echoes_store_exec_with_id (self, "DELETE FROM clips "
                                         "WHERE trashed = 1 AND (?1 IS NULL OR id = ?1)",
                                   only_id, error) &&
       _echoes_store_exec_with_id (self, "DELETE FROM projects "
                                         "WHERE trashed = 1 AND (?1 IS NULL OR id = ?1)",
                                   only_id, error);

  if (!_echoes_store_end (self, ok, error))
    return 0;

  /* Files go only after the rows that point to them are gone. */
  unlink_media (self, paths);

  return n;
}
