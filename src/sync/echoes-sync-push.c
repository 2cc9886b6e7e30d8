/* echoes-sync-push.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-sync-engine"

#include "config.h"

#include "echoes-sync-engine-private.h"

#include <string.h>
#include <glib/gstdio.h>

#include "echoes-cloud-error.h"

/* The push half of a sync cycle (see echoes-sync-engine.c).
 *
 * The outbox is walked oldest first, and what may go starts at once: rows in batches of
 * one table (echoes_sync_remote_push_rows_async(): a few requests for many rows), one
 * batch at a time so that projects go before their clips, and media uploads a few at a
 * time beside them. An item waits while an older item of the same row (or, for a clip,
 * of its project) is still going, so a row's changes reach the server in order. Each
 * item settles on its own: taken off the outbox once the server has it (if it did not
 * change meanwhile: the revision check of echoes_store_outbox_done()), or counted as
 * failed with a backoff, blocking the rest of its row (and a project's clips) for this
 * cycle. A failure of the server as a whole (429, 5xx, no answer) starts nothing new in
 * this cycle: what runs finishes, the rest waits for the next one, so a storm is not
 * multiplied by the pool. A cancel (sign-out, dispose) stops it all; the cycle ends once
 * everything started has returned. */

/* How many media uploads run at once. One upload at a time leaves the connection idle
 * while the server checks the token, writes the object and answers; a few in flight
 * overlap that, which is what makes up for it on loopback and beyond. More than 4 adds
 * memory (a small upload is read whole) and load on a 2-core machine, not throughput.
 * The HTTP session allows more connections per host than this (echoes-http.c). */
#define MAX_UPLOADS 4

/* Rows per batch: one lookup and, for the new ones, one insert for this many rows. The
 * lookup names each id in its URL (`id=in.(…)`, 37 bytes each): this keeps it near 2 kB. */
#define BATCH_ROWS 50

typedef enum
{
  ITEM_WAITING,
  ITEM_RUNNING,
  ITEM_SETTLED,
} ItemState;

struct _PushState
{
  GPtrArray  *items;          /* (owned) EchoesOutboxItem, oldest first */
  guint8     *states;         /* (owned) an ItemState per item */
  guint       first;          /* every item before this one is settled */
  GHashTable *blocked;        /* (owned) ids whose items wait this cycle (a failure) */
  guint       n_active;       /* uploads and batches running, until their items settled */
  guint       n_uploads;
  gboolean    batch_running;
  gboolean    paused;         /* the server failed as a whole: nothing new starts */
  gboolean    stopping;       /* cancelled: wait for what runs, then end the cycle */
  double      upload_share;   /* the running uploads' done fractions, summed */
};

typedef struct
{
  Cycle      *cycle;
  const char *table;
  GArray     *indices;        /* (owned) guint: the batch's items */
  GPtrArray  *rows;           /* (owned) (nullable) GVariant or NULL: the rows as read */
  guint       n_pending;      /* items not settled yet */
} Batch;

typedef struct
{
  Batch   *batch;
  GArray  *members;           /* (owned) guint: indices into the batch of the rows pushed */
  gboolean full;              /* every field goes: the server lacks these rows */
} RowsCall;

typedef struct
{
  Cycle      *cycle;
  guint       index;
  UploadInfo *info;           /* (owned) (nullable) */
  double      share;          /* how much of it the server has, 0 to 1 */
} Upload;

typedef struct
{
  Cycle  *cycle;
  guint   index;
  Batch  *batch;              /* (nullable) the batch it belongs to, else an upload */
  Upload *upload;             /* (nullable) (owned) */
} Settle;

static void pump (Cycle *cycle);

void
_echoes_sync_push_state_free (PushState *push)
{
  g_clear_pointer (&push->items, g_ptr_array_unref);
  g_clear_pointer (&push->blocked, g_hash_table_unref);
  g_free (push->states);
  g_free (push);
}

static void
batch_free (Batch *batch)
{
  g_array_unref (batch->indices);
  g_clear_pointer (&batch->rows, g_ptr_array_unref);
  g_free (batch);
}

static void
rows_call_free (RowsCall *call)
{
  g_array_unref (call->members);
  g_free (call);
}

static void
upload_free (Upload *upload)
{
  g_clear_pointer (&upload->info, _echoes_sync_upload_info_free);
  g_free (upload);
}

static EchoesOutboxItem *
item_at (Cycle *cycle,
         guint  index)
{
  return g_ptr_array_index (cycle->push->items, index);
}

static const char *
table_of (EchoesOutboxItem *item)
{
  return g_str_equal (item->entity, "project") ? "projects" : "clips";
}

static gboolean
is_upload (EchoesOutboxItem *item)
{
  return g_str_equal (item->op, "upload");
}

/* Failures of the server as a whole rather than of one item: more requests now would
 * only add to the load (EchoesHttp has retried the idempotent ones already). */
static gboolean
is_server_wide (const GError *error)
{
  return g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_RATE_LIMITED) ||
         g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_SERVER) ||
         g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_TIMEOUT) ||
         g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_NETWORK);
}

static void
report_progress (Cycle *cycle)
{
  if (cycle->announced && cycle->n_steps > 0)
    _echoes_sync_engine_set_progress (cycle->self,
                                      (cycle->n_done + cycle->push->upload_share) /
                                      MAX (cycle->n_steps, cycle->n_done + 1));
}

/* ---- store jobs (worker thread) ---- */

UploadInfo *
_echoes_sync_read_upload_info (EchoesStore  *store,
                               Job          *job,
                               GError      **error)
{
  g_autoptr(GVariant) row = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GVariant) inner = NULL;
  g_autoptr(UploadInfo) info = g_new0 (UploadInfo, 1);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GVariant) project = NULL;
  g_autoptr(GVariant) project_inner = NULL;
  gboolean trashed = FALSE;
  GStatBuf st;

  /* job->entity is `image` or `video`: a field of the clip */
  if (!(row = echoes_store_dup_sync_row (store, "clip", job->id, &local_error)))
    {
      if (g_error_matches (local_error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND))
        return g_steal_pointer (&info); /* purged: nothing to upload */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  {
    g_autoptr(GVariant) trashed_value = NULL;

    if (g_variant_lookup (row, "trashed", "(vx)", &trashed_value, NULL) &&
        g_variant_is_of_type (trashed_value, G_VARIANT_TYPE_BOOLEAN))
      trashed = g_variant_get_boolean (trashed_value);
  }
  if (trashed ||
      !g_variant_lookup (row, job->entity, "(vx)", &value, NULL) ||
      !(inner = g_variant_get_maybe (value)) ||
      !g_variant_lookup (row, "project_id", "(vx)", &project, NULL) ||
      !(project_inner = g_variant_get_maybe (project)))
    return g_steal_pointer (&info);

  info->relative = g_variant_dup_string (inner, NULL);
  info->project_id = g_variant_dup_string (project_inner, NULL);
  info->absolute = echoes_store_resolve (store, info->relative);
  if (g_stat (info->absolute, &st) != 0)
    {
      /* Nothing to send (the file went with a purge, or never arrived here). */
      g_clear_pointer (&info->relative, g_free);
      return g_steal_pointer (&info);
    }
  info->size = st.st_size;

  if (echoes_store_get_upload (store, job->id, job->entity, &info->url, &info->offset, NULL) &&
      info->offset > info->size)
    {
      g_clear_pointer (&info->url, g_free);
      info->offset = 0;
    }

  return g_steal_pointer (&info);
}

static void
variant_unref0 (gpointer variant)
{
  if (variant != NULL)
    g_variant_unref (variant);
}

/* job->rows holds ids of job->entity: their sync rows, NULL for one purged here. */
GPtrArray *
_echoes_sync_read_rows (EchoesStore  *store,
                        Job          *job,
                        GError      **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_full (job->rows->len, variant_unref0);

  for (guint i = 0; i < job->rows->len; i++)
    {
      g_autoptr(GError) local_error = NULL;
      GVariant *row = echoes_store_dup_sync_row (store, job->entity,
                                                 g_ptr_array_index (job->rows, i), &local_error);

      if (row == NULL &&
          !g_error_matches (local_error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_ptr_array_add (rows, row);
    }

  return g_steal_pointer (&rows);
}

/* ---- settling an item ---- */

static void
batch_item_settled (Batch *batch)
{
  Cycle *cycle = batch->cycle;

  g_assert (batch->n_pending > 0);
  if (--batch->n_pending > 0)
    return;

  cycle->push->batch_running = FALSE;
  cycle->push->n_active--;
  batch_free (batch);
}

static void
release (Settle *settle)
{
  Cycle *cycle = settle->cycle;
  PushState *push = cycle->push;

  push->states[settle->index] = ITEM_SETTLED;
  cycle->n_done++;
  if (settle->upload != NULL)
    {
      push->upload_share -= settle->upload->share;
      push->n_uploads--;
      push->n_active--;
      g_clear_pointer (&settle->upload, upload_free);
    }
  if (settle->batch != NULL)
    batch_item_settled (settle->batch);
  report_progress (cycle);
  g_free (settle);

  pump (cycle);
}

static void
settled_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Settle *settle = user_data;
  g_autoptr(GError) error = NULL;

  echoes_store_run_finish (ECHOES_STORE (object), result, &error);
  if (error)
    {
      _echoes_sync_cycle_record_error (settle->cycle, error);
      if (_echoes_sync_is_cancelled (error))
        settle->cycle->push->stopping = TRUE;
    }
  release (settle);
}

/* Ends an item's push: off the outbox if @error is %NULL (and the item did not change
 * meanwhile), else counted as failed. Takes @upload. */
static void
settle (Cycle        *cycle,
        guint         index,
        Batch        *batch,
        Upload       *upload,
        const GError *error)
{
  PushState *push = cycle->push;
  EchoesOutboxItem *item = item_at (cycle, index);
  Settle *settle = g_new0 (Settle, 1);
  Job *job;

  settle->cycle = cycle;
  settle->index = index;
  settle->batch = batch;
  settle->upload = upload;

  if (error == NULL)
    {
      job = _echoes_sync_job_new (JOB_OUTBOX_DONE);
      job->seq = item->seq;
      job->revision = item->revision;
      _echoes_sync_run_job (cycle->self, job, cycle->cancellable, settled_cb, settle);
      return;
    }

  _echoes_sync_cycle_record_error (cycle, error);
  if (_echoes_sync_is_cancelled (error))
    {
      /* It stays in the outbox as it is. Released from the main loop, never from within
       * a caller that may still use the batch or the cycle. */
      push->stopping = TRUE;
      g_idle_add_once ((GSourceOnceFunc)release, settle);
      return;
    }

  /* Later items of the same row, or of a project's clips, must not overtake it. */
  g_hash_table_add (push->blocked, g_strdup (item->local_id));
  if (g_str_equal (item->entity, "project"))
    g_hash_table_add (push->blocked, g_strdup (item->project_id));
  if (is_server_wide (error) && !push->paused)
    {
      g_debug ("The server fails as a whole: nothing new is pushed in this sync");
      push->paused = TRUE;
    }

  job = _echoes_sync_job_new (JOB_OUTBOX_FAILED);
  job->seq = item->seq;
  job->when = g_get_real_time () + _echoes_sync_backoff (PUSH_BACKOFF_MIN, PUSH_BACKOFF_MAX,
                                                         item->attempts + 1);
  job->value = g_strdup (error->message);
  _echoes_sync_run_job (cycle->self, job, cycle->cancellable, settled_cb, settle);
}

/* ---- media paths ---- */

/* `images/{project}/{clip}.jpg` → `{user}/{project}/{clip}.jpg` */
static char *
remote_media_path (const char *user_id,
                   const char *project_id,
                   const char *relative)
{
  g_autofree char *name = g_path_get_basename (relative);

  return g_strdup_printf ("%s/%s/%s", user_id, project_id, name);
}

static const char *
content_type_for (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  if (g_str_has_suffix (lower, ".png"))
    return "image/png";
  if (g_str_has_suffix (lower, ".webp"))
    return "image/webp";
  if (g_str_has_suffix (lower, ".mp4"))
    return "video/mp4";
  return "image/jpeg";
}

/* ---- uploads ---- */

static void
uploaded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Upload *upload = user_data;
  Cycle *cycle = upload->cycle;
  EchoesOutboxItem *item = item_at (cycle, upload->index);
  g_autoptr(GError) error = NULL;

  /* Either way, the kept URL and offset go when the upload is over or gone (queued before
   * the outbox update: the worker runs jobs in order). */
  if (echoes_sync_remote_upload_finish (ECHOES_SYNC_REMOTE (object), result, &error) ||
      g_error_matches (error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_UPLOAD_EXPIRED))
    {
      Job *job = _echoes_sync_job_new (JOB_CLEAR_UPLOAD);

      job->id = g_strdup (item->local_id);
      job->entity = g_strdup (item->entity);
      _echoes_sync_run_job (cycle->self, job, NULL, NULL, NULL);
    }

  settle (cycle, upload->index, NULL, upload, error);
}

static void
upload_progress_cb (const char *upload_url,
                    gint64      offset,
                    gint64      size,
                    gpointer    user_data)
{
  Upload *upload = user_data;
  Cycle *cycle = upload->cycle;
  EchoesOutboxItem *item = item_at (cycle, upload->index);
  Job *job;

  if (size > 0)
    {
      double share = CLAMP ((double)offset / size, 0.0, 1.0);

      cycle->push->upload_share += share - upload->share;
      upload->share = share;
      report_progress (cycle);
    }

  if (upload_url == NULL)
    return;

  job = _echoes_sync_job_new (JOB_SET_UPLOAD);
  job->id = g_strdup (item->local_id);
  job->entity = g_strdup (item->entity);
  job->path = g_strdup (upload->info->relative);
  job->url = g_strdup (upload_url);
  job->offset = offset;
  job->size = size;
  _echoes_sync_run_job (cycle->self, job, NULL, NULL, NULL);
}

static void
upload_info_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Upload *upload = user_data;
  Cycle *cycle = upload->cycle;
  EchoesSyncEngine *self = cycle->self;
  EchoesOutboxItem *item = item_at (cycle, upload->index);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *object_path = NULL;
  const char *user_id;
  UploadInfo *info;

  if (!(info = echoes_store_run_finish (ECHOES_STORE (object), result, &error)))
    {
      settle (cycle, upload->index, NULL, upload, error);
      return;
    }
  upload->info = info;

  if (info->relative == NULL)
    {
      /* nothing (left) to upload */
      settle (cycle, upload->index, NULL, upload, NULL);
      return;
    }

  if (!(user_id = echoes_sync_remote_get_user_id (self->remote)))
    {
      g_set_error (&error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NOT_SIGNED_IN, "Not signed in");
      settle (cycle, upload->index, NULL, upload, error);
      return;
    }

  object_path = remote_media_path (user_id, info->project_id, info->relative);
  file = g_file_new_for_path (info->absolute);
  g_debug ("Uploading %s (%" G_GINT64_FORMAT " bytes%s)", info->relative, info->size,
           info->url ? ", resuming" : "");
  echoes_sync_remote_upload_async (self->remote,
                                   g_str_equal (item->entity, "image") ? "images" : "clips",
                                   object_path, file, content_type_for (info->relative),
                                   info->size > ECHOES_SYNC_RESUMABLE_THRESHOLD,
                                   info->url, info->url ? info->offset : 0,
                                   upload_progress_cb, upload,
                                   cycle->cancellable, uploaded_cb, upload);
}

static void
start_upload (Cycle *cycle,
              guint  index)
{
  PushState *push = cycle->push;
  EchoesOutboxItem *item = item_at (cycle, index);
  Upload *upload = g_new0 (Upload, 1);
  Job *job;

  upload->cycle = cycle;
  upload->index = index;
  push->states[index] = ITEM_RUNNING;
  push->n_uploads++;
  push->n_active++;

  g_debug ("Pushing %s %s (%s)", item->entity, item->local_id, item->op);
  job = _echoes_sync_job_new (JOB_UPLOAD_INFO);
  job->entity = g_strdup (item->entity);
  job->id = g_strdup (item->local_id);
  _echoes_sync_run_job (cycle->self, job, cycle->cancellable, upload_info_cb, upload);
}

/* ---- rows ---- */

static gboolean
translate_media_out (EchoesSyncEngine  *self,
                     GVariant          *row,
                     GVariant          *value,
                     GVariant         **out,
                     GError           **error)
{
  g_autoptr(GVariant) inner = g_variant_get_maybe (value);
  g_autoptr(GVariant) project = NULL;
  g_autoptr(GVariant) project_inner = NULL;
  g_autofree char *path = NULL;
  const char *user_id;

  if (inner == NULL)
    {
      *out = g_variant_ref (value);
      return TRUE;
    }

  if (!(user_id = echoes_sync_remote_get_user_id (self->remote)))
    {
      g_set_error (error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NOT_SIGNED_IN, "Not signed in");
      return FALSE;
    }

  g_variant_lookup (row, "project_id", "(vx)", &project, NULL);
  project_inner = project ? g_variant_get_maybe (project) : NULL;
  path = remote_media_path (user_id, project_inner ? g_variant_get_string (project_inner, NULL) : "",
                            g_variant_get_string (inner, NULL));
  *out = g_variant_ref_sink (g_variant_new_maybe (G_VARIANT_TYPE_STRING,
                                                  g_variant_new_string (path)));
  return TRUE;
}

/* The row to push for @item, of type %ECHOES_SYNC_PUSH_ROW_TYPE: only the fields changed
 * since the last push, so that a field changed on the server meanwhile is not
 * overwritten with an older value (a clip always names its project); all of them when
 * @full, for a row the server lacks. */
static GVariant *
push_row_for (EchoesSyncEngine  *self,
              EchoesOutboxItem  *item,
              GVariant          *row,
              gboolean           full,
              GError           **error)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE (ECHOES_STORE_SYNC_FIELDS_TYPE));
  GVariantIter iter;
  const char *name;
  GVariant *value;
  gint64 time;

  g_variant_iter_init (&iter, row);
  while (g_variant_iter_loop (&iter, "{&s(vx)}", &name, &value, &time))
    {
      g_autoptr(GVariant) out = NULL;

      if (!full &&
          !g_strv_contains ((const char * const *)item->fields, name) &&
          !(g_str_equal (name, "project_id") && g_str_equal (item->entity, "clip")))
        continue;

      if (g_str_equal (item->entity, "clip") &&
          (g_str_equal (name, "image") || g_str_equal (name, "video")))
        {
          if (!translate_media_out (self, row, value, &out, error))
            {
              /* leaving g_variant_iter_loop() early: the value is ours */
              g_variant_unref (value);
              return NULL;
            }
        }
      else
        out = g_variant_ref (value);

      g_variant_builder_add (&builder, "{s(vx)}", name, out, time);
    }

  return g_variant_ref_sink (g_variant_new ("(s@" ECHOES_STORE_SYNC_FIELDS_TYPE ")",
                                            item->local_id, g_variant_builder_end (&builder)));
}

static void push_rows (Batch  *batch,
                       GArray *members,
                       gboolean full);

static void
rows_pushed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  RowsCall *call = user_data;
  Batch *batch = call->batch;
  Cycle *cycle = batch->cycle;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GArray) again = g_array_new (FALSE, FALSE, sizeof (guint));

  errors = echoes_sync_remote_push_rows_finish (ECHOES_SYNC_REMOTE (object), result, &error);
  if (errors != NULL && errors->len != call->members->len)
    {
      g_set_error (&error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_BAD_RESPONSE,
                   "%u results for %u rows", errors->len, call->members->len);
      g_clear_pointer (&errors, g_ptr_array_unref);
    }

  for (guint j = 0; j < call->members->len; j++)
    {
      guint member = g_array_index (call->members, guint, j);
      guint index = g_array_index (batch->indices, guint, member);
      const GError *row_error = errors ? g_ptr_array_index (errors, j) : error;

      /* The server lost the row (deleted on another device) but it changed here since:
       * it goes back whole. */
      if (!call->full &&
          g_error_matches (row_error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NOT_FOUND))
        {
          g_array_append_val (again, member);
          continue;
        }
      settle (cycle, index, batch, NULL, row_error);
    }

  /* settle() never ends the batch while those wait: they are still pending in it */
  if (again->len > 0)
    push_rows (batch, g_steal_pointer (&again), TRUE);
  rows_call_free (call);
}

/* Takes @members. */
static void
push_rows (Batch    *batch,
           GArray   *members,
           gboolean  full)
{
  Cycle *cycle = batch->cycle;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
  RowsCall *call = g_new0 (RowsCall, 1);

  call->batch = batch;
  call->full = full;
  call->members = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint j = 0; j < members->len; j++)
    {
      guint member = g_array_index (members, guint, j);
      guint index = g_array_index (batch->indices, guint, member);
      g_autoptr(GError) error = NULL;
      GVariant *row;

      if (!(row = push_row_for (cycle->self, item_at (cycle, index),
                                g_ptr_array_index (batch->rows, member), full, &error)))
        {
          settle (cycle, index, batch, NULL, error);
          continue;
        }
      g_ptr_array_add (rows, row);
      g_array_append_val (call->members, member);
    }
  g_array_unref (members);

  if (rows->len == 0)
    {
      rows_call_free (call);
      return;
    }

  g_debug ("Pushing %u rows of %s%s", rows->len, batch->table, full ? " whole" : "");
  echoes_sync_remote_push_rows_async (cycle->self->remote, batch->table, rows,
                                      cycle->cancellable, rows_pushed_cb, call);
}

typedef struct
{
  Batch *batch;
  guint  index;
} Deletion;

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Deletion *deletion = user_data;
  g_autoptr(GError) error = NULL;

  echoes_sync_remote_delete_row_finish (ECHOES_SYNC_REMOTE (object), result, &error);
  settle (deletion->batch->cycle, deletion->index, deletion->batch, NULL, error);
  g_free (deletion);
}

static void
rows_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Batch *batch = user_data;
  Cycle *cycle = batch->cycle;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) members = g_array_new (FALSE, FALSE, sizeof (guint));
  guint n = batch->indices->len;

  if (!(batch->rows = echoes_store_run_finish (ECHOES_STORE (object), result, &error)))
    {
      for (guint k = 0; k < n; k++)
        settle (cycle, g_array_index (batch->indices, guint, k), batch, NULL, error);
      return;
    }

  for (guint k = 0; k < n; k++)
    {
      guint index = g_array_index (batch->indices, guint, k);

      if (g_ptr_array_index (batch->rows, k) == NULL)
        {
          Deletion *deletion = g_new0 (Deletion, 1);

          /* Purged here since it was queued: gone for good on the server too. */
          deletion->batch = batch;
          deletion->index = index;
          echoes_sync_remote_delete_row_async (cycle->self->remote, batch->table,
                                               item_at (cycle, index)->local_id,
                                               cycle->cancellable, deleted_cb, deletion);
          continue;
        }
      g_array_append_val (members, k);
    }

  if (members->len > 0)
    push_rows (batch, g_steal_pointer (&members), FALSE);
}

static void
start_batch (Cycle  *cycle,
             GArray *indices)
{
  PushState *push = cycle->push;
  EchoesOutboxItem *first = item_at (cycle, g_array_index (indices, guint, 0));
  Batch *batch = g_new0 (Batch, 1);
  Job *job;

  batch->cycle = cycle;
  batch->table = table_of (first);
  batch->indices = indices;
  batch->n_pending = indices->len;
  push->batch_running = TRUE;
  push->n_active++;

  job = _echoes_sync_job_new (JOB_READ_ROWS);
  job->entity = g_strdup (first->entity);
  job->rows = g_ptr_array_new_with_free_func (g_free);
  for (guint k = 0; k < indices->len; k++)
    {
      EchoesOutboxItem *item = item_at (cycle, g_array_index (indices, guint, k));

      push->states[g_array_index (indices, guint, k)] = ITEM_RUNNING;
      g_ptr_array_add (job->rows, g_strdup (item->local_id));
    }
  g_debug ("Pushing %u %s rows", indices->len, first->entity);
  _echoes_sync_run_job (cycle->self, job, cycle->cancellable, rows_read_cb, batch);
}

/* ---- the pipeline ---- */

static void
push_done (Cycle *cycle)
{
  if (cycle->push->stopping || g_cancellable_is_cancelled (cycle->cancellable))
    {
      if (cycle->error == NULL)
        {
          g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                         "Sync cancelled");
          _echoes_sync_cycle_record_error (cycle, error);
        }
      _echoes_sync_cycle_finish (cycle);
      return;
    }

  if (cycle->push->paused)
    cycle->deferred = TRUE;

  if (cycle->pull)
    _echoes_sync_pull_next (cycle);
  else
    _echoes_sync_cycle_finish (cycle);
}

/* Starts what may start, oldest first; ends the push once nothing runs. */
static void
pump (Cycle *cycle)
{
  PushState *push = cycle->push;
  g_autoptr(GHashTable) held = NULL;
  GArray *batch = NULL;
  const char *batch_entity = NULL;
  gint64 now = g_get_real_time ();

  while (push->first < push->items->len && push->states[push->first] == ITEM_SETTLED)
    push->first++;

  if (push->stopping || push->paused || g_cancellable_is_cancelled (cycle->cancellable))
    goto out;

  /* ids with an older item still waiting or running: their later items wait too */
  held = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = push->first; i < push->items->len; i++)
    {
      EchoesOutboxItem *item = item_at (cycle, i);

      if (push->states[i] == ITEM_SETTLED)
        continue;
      if (push->states[i] == ITEM_RUNNING)
        {
          g_hash_table_add (held, item->local_id);
          continue;
        }

      if (item->next_try_at > now && !cycle->retry_now)
        {
          cycle->deferred = TRUE;
          push->states[i] = ITEM_SETTLED;
          continue;
        }
      if (g_hash_table_contains (push->blocked, item->local_id) ||
          g_hash_table_contains (push->blocked, item->project_id))
        {
          push->states[i] = ITEM_SETTLED;
          continue;
        }

      if (g_hash_table_contains (held, item->local_id) ||
          g_hash_table_contains (held, item->project_id))
        ;
      else if (is_upload (item))
        {
          if (push->n_uploads < MAX_UPLOADS)
            {
              _echoes_sync_cycle_announce (cycle);
              start_upload (cycle, i);
            }
        }
      else if (!push->batch_running &&
               (batch == NULL || (batch->len < BATCH_ROWS &&
                                  g_str_equal (batch_entity, item->entity))))
        {
          if (batch == NULL)
            {
              batch = g_array_new (FALSE, FALSE, sizeof (guint));
              batch_entity = item->entity;
            }
          g_array_append_val (batch, i);
        }
      g_hash_table_add (held, item->local_id);
    }

  if (batch != NULL)
    {
      _echoes_sync_cycle_announce (cycle);
      start_batch (cycle, batch);
    }

out:
  if (push->n_active == 0)
    push_done (cycle);
}

void
_echoes_sync_push_start (Cycle     *cycle,
                         GPtrArray *items)
{
  PushState *push = g_new0 (PushState, 1);
  gint64 now = g_get_real_time ();

  g_assert (cycle->push == NULL);

  push->items = items;
  push->states = g_new0 (guint8, MAX (items->len, 1));
  push->blocked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  cycle->push = push;

  for (guint i = 0; i < items->len; i++)
    if (((EchoesOutboxItem *)g_ptr_array_index (items, i))->next_try_at <= now ||
        cycle->retry_now)
      cycle->n_steps++;

  pump (cycle);
}
