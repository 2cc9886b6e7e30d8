/* echoes-sync-pull.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-sync-engine"

#include "config.h"

#include "echoes-sync-engine-private.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

/* The pull half of a sync cycle (see echoes-sync-engine.c): the rows changed on the
 * server since each table's cursor, merged into the store, then the media that synced
 * clips lack, downloaded to a checked temporary file and renamed into place. */

static const char * const tables[] = { "projects", "clips" };
static const char * const entities[] = { "project", "clip" };

G_STATIC_ASSERT (G_N_ELEMENTS (tables) == ECHOES_SYNC_N_TABLES);

static void download_next (Cycle *cycle);

/* ---- store jobs (worker thread) ---- */

char *
_echoes_sync_prepare_download (Job     *job,
                               GError **error)
{
  g_autofree char *dir = g_path_get_dirname (job->path);
  g_autofree char *suffix = g_uuid_string_random ();

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot create %s: %s", dir, g_strerror (errsv));
      return NULL;
    }

  /* The store's sweep removes `.partial-` files a crash leaves behind. */
  suffix[6] = '\0';
  return g_strconcat (job->path, ".partial-", suffix, NULL);
}

gboolean
_echoes_sync_finish_download (Job     *job,
                              GError **error)
{
  GStatBuf st;

  /* job->url is the temporary file, job->path the final one */
  if (g_stat (job->url, &st) != 0 || st.st_size != job->size || job->size <= 0 ||
      (job->expected >= 0 && job->expected != job->size))
    {
      g_set_error (error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_BAD_RESPONSE,
                   "Download of %s is short: %" G_GINT64_FORMAT " bytes of %" G_GINT64_FORMAT,
                   job->path, job->size, job->expected);
      g_unlink (job->url);
      return FALSE;
    }

  if (g_rename (job->url, job->path) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot rename to %s: %s", job->path, g_strerror (errsv));
      g_unlink (job->url);
      return FALSE;
    }

  return TRUE;
}


static gboolean
is_safe_name (const char *name)
{
  if (name == NULL || *name == '\0' || *name == '.' || strlen (name) > 200)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

/* `{user}/{project}/{clip}.jpg` → `images/{project}/{clip}.jpg`, or %NULL for a path
 * that could lead out of the data directory. */
static char *
local_media_path (const char *kind,
                  const char *object_path)
{
  g_auto(GStrv) parts = g_strsplit (object_path, "/", -1);
  guint n = g_strv_length (parts);

  if (n < 2 || !is_safe_name (parts[n - 2]) || !is_safe_name (parts[n - 1]))
    return NULL;

  return g_build_filename (g_str_equal (kind, "image") ? "images" : "clips",
                           parts[n - 2], parts[n - 1], NULL);
}


/* ---- pull ---- */

static void
applied_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Cycle *cycle = user_data;
  g_autoptr(GError) error = NULL;

  echoes_store_run_finish (ECHOES_STORE (object), result, &error);
  if (error)
    {
      /* Without this table's rows the next one's (clips of new projects) cannot land. */
      _echoes_sync_cycle_record_error (cycle, error);
      _echoes_sync_cycle_finish (cycle);
      return;
    }

  _echoes_sync_cycle_step_done (cycle);
  cycle->table++;
  _echoes_sync_pull_next (cycle);
}

/* Media paths from the server become local ones; other fields pass as they are. */
static GVariant *
translate_row_in (GVariant   *row,
                  const char *table,
                  gint64     *max_time)
{
  g_autoptr(GVariant) fields = NULL;
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE (ECHOES_STORE_SYNC_FIELDS_TYPE));
  const char *id;
  gint64 row_time;
  gboolean deleted;
  GVariantIter iter;
  const char *name;
  GVariant *value;
  gint64 time;

  g_variant_get (row, "(&sxb@" ECHOES_STORE_SYNC_FIELDS_TYPE ")", &id, &row_time, &deleted, &fields);
  *max_time = MAX (*max_time, row_time);

  g_variant_iter_init (&iter, fields);
  while (g_variant_iter_loop (&iter, "{&s(vx)}", &name, &value, &time))
    {
      if (g_str_equal (table, "clips") &&
          (g_str_equal (name, "image") || g_str_equal (name, "video")) &&
          g_variant_is_of_type (value, G_VARIANT_TYPE ("ms")))
        {
          g_autoptr(GVariant) inner = g_variant_get_maybe (value);
          g_autofree char *local = NULL;

          if (inner != NULL &&
              !(local = local_media_path (name, g_variant_get_string (inner, NULL))))
            {
              g_debug ("Remote clip %s: unusable %s path, ignored", id, name);
              continue;
            }
          g_variant_builder_add (&builder, "{s(vx)}", name,
                                 g_variant_new_maybe (G_VARIANT_TYPE_STRING,
                                                      local ? g_variant_new_string (local) : NULL),
                                 time);
          continue;
        }
      g_variant_builder_add (&builder, "{s(vx)}", name, value, time);
    }

  return g_variant_ref_sink (g_variant_new ("(sxb@" ECHOES_STORE_SYNC_FIELDS_TYPE ")", id, row_time,
                                            deleted, g_variant_builder_end (&builder)));
}

static void
changes_listed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Cycle *cycle = user_data;
  const char *table = tables[cycle->table];
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) local = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
  gint64 max_time = cycle->since;
  Job *job;

  if (!(rows = echoes_sync_remote_list_changes_finish (ECHOES_SYNC_REMOTE (object), result, &error)))
    {
      _echoes_sync_cycle_record_error (cycle, error);
      _echoes_sync_cycle_finish (cycle);
      return;
    }

  for (guint i = 0; i < rows->len; i++)
    {
      GVariant *row = g_ptr_array_index (rows, i);

      if (!g_variant_is_of_type (row, G_VARIANT_TYPE (ECHOES_STORE_SYNC_ROW_TYPE)))
        {
          g_set_error (&error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_BAD_RESPONSE,
                       "A row of %s has the type %s", table, g_variant_get_type_string (row));
          _echoes_sync_cycle_record_error (cycle, error);
          _echoes_sync_cycle_finish (cycle);
          return;
        }
      g_ptr_array_add (local, translate_row_in (row, table, &max_time));
    }

  g_debug ("Pulled %u rows of %s", local->len, table);
  job = _echoes_sync_job_new (JOB_APPLY);
  job->entity = g_strdup (entities[cycle->table]);
  job->rows = g_steal_pointer (&local);
  job->key = g_strdup_printf ("pulled:%s", table);
  job->when = max_time;
  _echoes_sync_run_job (cycle->self, job, cycle->cancellable, applied_cb, cycle);
}

static void
cursor_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Cycle *cycle = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *since = NULL;

  if (!(since = echoes_store_run_finish (ECHOES_STORE (object), result, &error)))
    {
      _echoes_sync_cycle_record_error (cycle, error);
      _echoes_sync_cycle_finish (cycle);
      return;
    }

  cycle->since = g_ascii_strtoll (since, NULL, 10);
  echoes_sync_remote_list_changes_async (cycle->self->remote, tables[cycle->table],
                                         cycle->since, cycle->cancellable,
                                         changes_listed_cb, cycle);
}

static void
missing_media_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Cycle *cycle = user_data;
  g_autoptr(GError) error = NULL;

  if (!(cycle->media = echoes_store_run_finish (ECHOES_STORE (object), result, &error)))
    {
      _echoes_sync_cycle_record_error (cycle, error);
      _echoes_sync_cycle_finish (cycle);
      return;
    }

  cycle->n_steps += cycle->media->len;
  download_next (cycle);
}

void
_echoes_sync_pull_next (Cycle *cycle)
{
  Job *job;

  _echoes_sync_cycle_announce (cycle);

  if (cycle->table < G_N_ELEMENTS (tables))
    {
      job = _echoes_sync_job_new (JOB_GET_CURSOR);
      job->key = g_strdup_printf ("pulled:%s", tables[cycle->table]);
      _echoes_sync_run_job (cycle->self, job, cycle->cancellable, cursor_cb, cycle);
      return;
    }

  _echoes_sync_run_job (cycle->self, _echoes_sync_job_new (JOB_MISSING_MEDIA), cycle->cancellable, missing_media_cb, cycle);
}

/* ---- download ---- */

static void
download_finished_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Cycle *cycle = user_data;
  g_autoptr(GError) error = NULL;

  echoes_store_run_finish (ECHOES_STORE (object), result, &error);
  if (_echoes_sync_is_cancelled (error))
    {
      _echoes_sync_cycle_record_error (cycle, error);
      _echoes_sync_cycle_finish (cycle);
      return;
    }
  if (error)
    _echoes_sync_cycle_record_error (cycle, error);

  _echoes_sync_cycle_step_done (cycle);
  cycle->media_index++;
  download_next (cycle);
}

static void
downloaded_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Cycle *cycle = user_data;
  g_autoptr(GError) error = NULL;
  gint64 expected = -1;
  gint64 size;
  Job *job;

  size = echoes_sync_remote_download_finish (ECHOES_SYNC_REMOTE (object), result, &expected, &error);

  job = _echoes_sync_job_new (JOB_FINISH_DOWNLOAD);
  job->url = g_strdup (cycle->tmp_path);
  job->path = g_strdup (cycle->final_path);
  job->size = size;
  job->expected = expected;

  if (size < 0)
    {
      g_autoptr(GFile) tmp = g_file_new_for_path (cycle->tmp_path);

      /* the temporary file goes; the next sync tries again */
      _echoes_sync_job_free (job);
      g_file_delete_async (tmp, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      if (_echoes_sync_is_cancelled (error))
        {
          _echoes_sync_cycle_record_error (cycle, error);
          _echoes_sync_cycle_finish (cycle);
          return;
        }
      /* Not uploaded yet by the device that has it: not an error of ours. */
      if (!g_error_matches (error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NOT_FOUND))
        _echoes_sync_cycle_record_error (cycle, error);
      else
        g_debug ("%s is not on the server yet", cycle->final_path);
      _echoes_sync_cycle_step_done (cycle);
      cycle->media_index++;
      download_next (cycle);
      return;
    }

  _echoes_sync_run_job (cycle->self, job, cycle->cancellable, download_finished_cb, cycle);
}

static void
download_prepared_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Cycle *cycle = user_data;
  EchoesSyncEngine *self = cycle->self;
  GVariant *entry = g_ptr_array_index (cycle->media, cycle->media_index);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) destination = NULL;
  g_autofree char *object_path = NULL;
  const char *clip_id, *kind, *relative;
  const char *user_id;

  g_variant_get (entry, "(&s&s&s)", &clip_id, &kind, &relative);

  g_free (cycle->tmp_path);
  if (!(cycle->tmp_path = echoes_store_run_finish (ECHOES_STORE (object), result, &error)) ||
      !(user_id = echoes_sync_remote_get_user_id (self->remote)))
    {
      if (error == NULL)
        g_set_error (&error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NOT_SIGNED_IN, "Not signed in");
      _echoes_sync_cycle_record_error (cycle, error);
      if (_echoes_sync_is_cancelled (error))
        {
          _echoes_sync_cycle_finish (cycle);
          return;
        }
      _echoes_sync_cycle_step_done (cycle);
      cycle->media_index++;
      download_next (cycle);
      return;
    }

  /* relative is `images/{project}/{name}`: the object is `{user}/{project}/{name}` */
  object_path = g_strdup_printf ("%s/%s", user_id, strchr (relative, '/') + 1);
  destination = g_file_new_for_path (cycle->tmp_path);
  g_debug ("Downloading %s", relative);
  echoes_sync_remote_download_async (self->remote,
                                     g_str_equal (kind, "image") ? "images" : "clips",
                                     object_path, destination, cycle->cancellable,
                                     downloaded_cb, cycle);
}

static void
download_next (Cycle *cycle)
{
  GVariant *entry;
  const char *relative;
  Job *job;

  while (cycle->media_index < cycle->media->len)
    {
      entry = g_ptr_array_index (cycle->media, cycle->media_index);
      g_variant_get (entry, "(&s&s&s)", NULL, NULL, &relative);
      if (strchr (relative, '/') != NULL && !g_path_is_absolute (relative))
        break;
      cycle->media_index++;
    }

  if (cycle->media_index >= cycle->media->len)
    {
      _echoes_sync_cycle_finish (cycle);
      return;
    }

  g_free (cycle->final_path);
  cycle->final_path = echoes_store_resolve (cycle->self->store, relative);

  job = _echoes_sync_job_new (JOB_PREPARE_DOWNLOAD);
  job->path = g_strdup (cycle->final_path);
  _echoes_sync_run_job (cycle->self, job, cycle->cancellable, download_prepared_cb, cycle);
}
