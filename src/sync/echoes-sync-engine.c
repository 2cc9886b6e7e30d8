/* echoes-sync-engine.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-sync-engine"

#include "config.h"

#include "echoes-sync-engine.h"
#include "echoes-media-signer.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

/**
 * EchoesSyncEngine:
 *
 * Keeps the synced projects of the store and the account's server in step.
 *
 * The store stays what the UI reads. Local changes to synced projects are queued in the
 * store's outbox by the store itself, in the transaction of the change; the engine
 * pushes the outbox oldest first, each item with the current values of the fields it
 * names, and takes it off only once the server has it (an item pushed twice after a
 * crash is harmless: pushes are upserts). A failed item is retried later with
 * exponential backoff and jitter; meanwhile the items of other rows go on, and only
 * those of the same row (or, for a project, of its clips) wait behind it.
 *
 * Then it pulls, table by table, the rows changed on the server since the last pull and
 * merges them with echoes_store_apply_remote() (per field, the later write wins; a clip
 * is never dropped; orders stay 0..n-1), and downloads the media that synced clips lack:
 * to a temporary file next to its place, size-checked, then renamed.
 *
 * Images and videos go up to `images/{user}/{project}/{clip}.{ext}` and
 * `clips/{user}/{project}/{clip}.mp4`; files over 6 MiB by resumable upload, whose URL
 * and offset are kept in the store so that it resumes after a restart.
 *
 * While a clip's media waits for its download, echoes_sync_engine_sign_media_async()
 * gives a signed URL to stream it (see `echoes-media-signer.c`).
 *
 * Once started, the engine pushes within a second of a change, pulls every few minutes
 * (backing off after failures) and whenever echoes_sync_engine_sync_now() asks (the
 * window calls it when it gets the focus, and for Retry). A #GNetworkMonitor takes it
 * offline and back. Everything touching the database runs on the store's worker thread;
 * the engine itself lives on the main thread.
 */
struct _EchoesSyncEngine
{
  GObject           parent_instance;

  EchoesStore      *store;        /* (owned) */
  EchoesSyncRemote *remote;       /* (owned) */
  GNetworkMonitor  *monitor;      /* (owned) */
  gulong            network_handler;
  EchoesMediaSigner *signer;      /* (owned) */

  EchoesSyncState   state;
  GError           *last_error;   /* (owned) (nullable) */
  double            progress;

  GCancellable     *cancellable;  /* (owned) cancelled by stop() and dispose */
  GPtrArray        *waiters;      /* (owned) GTasks waiting for the next cycle */
  gboolean          started;
  gboolean          online;
  gboolean          busy;
  gboolean          pull_requested;
  guint             tick_id;
  gint64            next_pull_at;
  guint             pull_failures;
};

G_DEFINE_FINAL_TYPE (EchoesSyncEngine, echoes_sync_engine, G_TYPE_OBJECT)
G_DEFINE_ENUM_TYPE (EchoesSyncState, echoes_sync_state,
                    G_DEFINE_ENUM_VALUE (ECHOES_SYNC_STATE_OFFLINE, "offline"),
                    G_DEFINE_ENUM_VALUE (ECHOES_SYNC_STATE_IDLE, "idle"),
                    G_DEFINE_ENUM_VALUE (ECHOES_SYNC_STATE_SYNCING, "syncing"),
                    G_DEFINE_ENUM_VALUE (ECHOES_SYNC_STATE_ERROR, "error"))

enum {
  PROP_0,
  PROP_STORE,
  PROP_REMOTE,
  PROP_NETWORK_MONITOR,
  PROP_STATE,
  PROP_LAST_ERROR,
  PROP_PROGRESS,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

#define TICK_MS              1000
#define PULL_INTERVAL        (3 * G_TIME_SPAN_MINUTE)
#define PULL_BACKOFF_MIN     (5 * G_TIME_SPAN_SECOND)
#define PULL_BACKOFF_MAX     (15 * G_TIME_SPAN_MINUTE)
#define PUSH_BACKOFF_MIN     (2 * G_TIME_SPAN_SECOND)
#define PUSH_BACKOFF_MAX     G_TIME_SPAN_HOUR

static const char * const tables[] = { "projects", "clips" };
static const char * const entities[] = { "project", "clip" };

/* ---- store jobs (run on the store's worker thread) ---- */

typedef enum
{
  JOB_LIST_OUTBOX,
  JOB_READ_ROW,
  JOB_OUTBOX_DONE,
  JOB_OUTBOX_FAILED,
  JOB_UPLOAD_INFO,
  JOB_SET_UPLOAD,
  JOB_CLEAR_UPLOAD,
  JOB_GET_CURSOR,
  JOB_APPLY,
  JOB_MISSING_MEDIA,
  JOB_PREPARE_DOWNLOAD,
  JOB_FINISH_DOWNLOAD,
  JOB_SIGNED_IN,
  JOB_LIST_LOCAL,
  JOB_KEEP_IN_ACCOUNT,
  JOB_SIGNED_OUT,
} JobKind;

typedef struct
{
  JobKind    kind;
  char      *entity;
  char      *id;
  char      *key;
  char      *value;
  char      *path;
  char      *url;
  GPtrArray *rows;
  gint64     seq;
  gint64     revision;
  gint64     when;
  gint64     offset;
  gint64     size;
  gint64     expected;
  gboolean   flag;
} Job;

typedef struct
{
  char    *relative;
  char    *absolute;
  char    *project_id;
  char    *url;
  gint64   offset;
  gint64   size;
} UploadInfo;

static void
job_free (Job *job)
{
  g_free (job->entity);
  g_free (job->id);
  g_free (job->key);
  g_free (job->value);
  g_free (job->path);
  g_free (job->url);
  g_clear_pointer (&job->rows, g_ptr_array_unref);
  g_free (job);
}

static void
upload_info_free (UploadInfo *info)
{
  g_free (info->relative);
  g_free (info->absolute);
  g_free (info->project_id);
  g_free (info->url);
  g_free (info);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (UploadInfo, upload_info_free)

static Job *
job_new (JobKind kind)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  return job;
}

static UploadInfo *
read_upload_info (EchoesStore  *store,
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

static char *
prepare_download (Job     *job,
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

static gboolean
finish_download (Job     *job,
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
signed_in (EchoesStore  *store,
           Job          *job,
           GError      **error)
{
  g_auto(GStrv) local = NULL;

  if (!echoes_store_set_default_synced (store, TRUE, error) ||
      (job->value && !echoes_store_set_sync_value (store, "account", job->value, error)))
    return FALSE;

  if (!job->flag)
    return TRUE;

  if (!(local = echoes_store_dup_project_ids (store, FALSE, error)))
    return FALSE;
  for (guint i = 0; local[i]; i++)
    if (!echoes_store_keep_in_account (store, local[i], error))
      return FALSE;

  return TRUE;
}

static gpointer
job_run (EchoesStore   *store,
         gpointer       data,
         GCancellable  *cancellable,
         GError       **error)
{
  Job *job = data;

  switch (job->kind)
    {
    case JOB_LIST_OUTBOX:
      return echoes_store_list_outbox (store, error);

    case JOB_READ_ROW:
      return echoes_store_dup_sync_row (store, job->entity, job->id, error);

    case JOB_OUTBOX_DONE:
      return GINT_TO_POINTER (echoes_store_outbox_done (store, job->seq, job->revision, error));

    case JOB_OUTBOX_FAILED:
      return GINT_TO_POINTER (echoes_store_outbox_failed (store, job->seq, job->when, job->value,
                                                          error));

    case JOB_UPLOAD_INFO:
      return read_upload_info (store, job, error);

    case JOB_SET_UPLOAD:
      return GINT_TO_POINTER (echoes_store_set_upload (store, job->id, job->entity, job->path,
                                                       job->url, job->offset, job->size, error));

    case JOB_CLEAR_UPLOAD:
      return GINT_TO_POINTER (echoes_store_clear_upload (store, job->id, job->entity, error));

    case JOB_GET_CURSOR:
      {
        g_autoptr(GError) local_error = NULL;
        g_autofree char *value = echoes_store_dup_sync_value (store, job->key, &local_error);

        if (local_error)
          {
            g_propagate_error (error, g_steal_pointer (&local_error));
            return NULL;
          }
        return g_strdup (value ?: job->value ?: "0");
      }

    case JOB_APPLY:
      {
        g_autofree char *cursor = g_strdup_printf ("%" G_GINT64_FORMAT, job->when);

        if (!echoes_store_apply_remote (store, job->entity, job->rows, error) ||
            !echoes_store_set_sync_value (store, job->key, cursor, error))
          return NULL;
        return GINT_TO_POINTER (TRUE);
      }

    case JOB_MISSING_MEDIA:
      return echoes_store_list_missing_media (store, error);

    case JOB_PREPARE_DOWNLOAD:
      return prepare_download (job, error);

    case JOB_FINISH_DOWNLOAD:
      return GINT_TO_POINTER (finish_download (job, error));

    case JOB_SIGNED_IN:
      return GINT_TO_POINTER (signed_in (store, job, error));

    case JOB_LIST_LOCAL:
      return echoes_store_dup_project_ids (store, FALSE, error);

    case JOB_KEEP_IN_ACCOUNT:
      return GINT_TO_POINTER (echoes_store_keep_in_account (store, job->id, error));

    case JOB_SIGNED_OUT:
      return GINT_TO_POINTER (echoes_store_set_default_synced (store, FALSE, error));

    default:
      g_assert_not_reached ();
    }
}

static GDestroyNotify
job_result_destroy (JobKind kind)
{
  switch (kind)
    {
    case JOB_LIST_OUTBOX:
    case JOB_MISSING_MEDIA:
      return (GDestroyNotify)g_ptr_array_unref;
    case JOB_READ_ROW:
      return (GDestroyNotify)g_variant_unref;
    case JOB_UPLOAD_INFO:
      return (GDestroyNotify)upload_info_free;
    case JOB_GET_CURSOR:
    case JOB_PREPARE_DOWNLOAD:
      return g_free;
    case JOB_LIST_LOCAL:
      return (GDestroyNotify)g_strfreev;
    case JOB_OUTBOX_DONE:
    case JOB_OUTBOX_FAILED:
    case JOB_SET_UPLOAD:
    case JOB_CLEAR_UPLOAD:
    case JOB_APPLY:
    case JOB_FINISH_DOWNLOAD:
    case JOB_SIGNED_IN:
    case JOB_KEEP_IN_ACCOUNT:
    case JOB_SIGNED_OUT:
    default:
      return NULL;
    }
}

static void
run_job (EchoesSyncEngine    *self,
         Job                 *job,
         GCancellable        *cancellable,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  echoes_store_run_async (self->store, job_run, job, (GDestroyNotify)job_free,
                          job_result_destroy (job->kind), cancellable, callback, user_data);
}

/* ---- status ---- */

static void
set_state (EchoesSyncEngine *self,
           EchoesSyncState   state)
{
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STATE]);
    }
}

static void
set_progress (EchoesSyncEngine *self,
              double            progress)
{
  progress = CLAMP (progress, 0.0, 1.0);
  if (self->progress != progress)
    {
      self->progress = progress;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PROGRESS]);
    }
}

/* The same failure again is not news: the UI shows an error once. */
static void
set_last_error (EchoesSyncEngine *self,
                const GError     *error)
{
  if (error == NULL && self->last_error == NULL)
    return;
  if (error && self->last_error && error->domain == self->last_error->domain &&
      error->code == self->last_error->code &&
      g_strcmp0 (error->message, self->last_error->message) == 0)
    return;

  g_clear_error (&self->last_error);
  if (error)
    self->last_error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LAST_ERROR]);
}

static gint64
backoff (gint64 min,
         gint64 max,
         guint  failures)
{
  gint64 delay = min;

  for (guint i = 1; i < failures && delay < max; i++)
    delay *= 2;
  delay = MIN (delay, max);

  /* ±20 % jitter, so that many clients do not come back at once */
  return (gint64)(delay * g_random_double_range (0.8, 1.2));
}

/* ---- one sync cycle: push, then pull, then download ---- */

typedef struct
{
  EchoesSyncEngine *self;         /* (owned) */
  GCancellable     *cancellable;  /* (owned) */
  GPtrArray        *waiters;      /* (owned) */
  gboolean          pull;
  gboolean          retry_now;    /* items in backoff go too (start, Retry) */
  gboolean          announced;    /* state set to syncing */
  gboolean          deferred;     /* items waited for their backoff */

  GPtrArray        *items;        /* (owned) EchoesOutboxItem */
  guint             index;
  GHashTable       *blocked;      /* (owned) ids whose items wait this cycle */
  EchoesOutboxItem *item;         /* (unowned) the item being pushed */
  UploadInfo       *upload;       /* (owned) (nullable) */

  gboolean          deleting;     /* the item's row is pushed as a delete */
  gboolean          full_push;    /* every field goes: the server lacks the row */
  GVariant         *row;          /* (owned) (nullable) the item's row as read */

  guint             table;
  gint64            since;        /* the table's pull cursor */
  GPtrArray        *media;        /* (owned) (nullable) */
  guint             media_index;
  char             *tmp_path;     /* (owned) (nullable) */
  char             *final_path;   /* (owned) (nullable) */

  guint             n_steps;
  guint             n_done;
  GError           *error;        /* (owned) (nullable) the cycle's first failure */
} Cycle;

static void
cycle_free (Cycle *cycle)
{
  g_clear_object (&cycle->self);
  g_clear_object (&cycle->cancellable);
  g_clear_pointer (&cycle->waiters, g_ptr_array_unref);
  g_clear_pointer (&cycle->items, g_ptr_array_unref);
  g_clear_pointer (&cycle->blocked, g_hash_table_unref);
  g_clear_pointer (&cycle->upload, upload_info_free);
  g_clear_pointer (&cycle->row, g_variant_unref);
  g_clear_pointer (&cycle->media, g_ptr_array_unref);
  g_free (cycle->tmp_path);
  g_free (cycle->final_path);
  g_clear_error (&cycle->error);
  g_free (cycle);
}

static void push_next     (Cycle *cycle);
static void push_row      (Cycle *cycle);
static void pull_next     (Cycle *cycle);
static void download_next (Cycle *cycle);
static void cycle_start   (EchoesSyncEngine *self,
                           gboolean          pull);

static gboolean
is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
step_done (Cycle *cycle)
{
  cycle->n_done++;
  if (cycle->announced && cycle->n_steps > 0)
    set_progress (cycle->self, (double)cycle->n_done / MAX (cycle->n_steps, cycle->n_done + 1));
}

static void
record_error (Cycle        *cycle,
              const GError *error)
{
  g_debug ("Sync step failed: %s", error->message);
  if (cycle->error == NULL)
    cycle->error = g_error_copy (error);
}

static void
announce (Cycle *cycle)
{
  if (!cycle->announced)
    {
      cycle->announced = TRUE;
      set_progress (cycle->self, 0.0);
      set_state (cycle->self, ECHOES_SYNC_STATE_SYNCING);
    }
}

static void
cycle_finish (Cycle *cycle)
{
  EchoesSyncEngine *self = cycle->self;
  gint64 now = g_get_real_time ();

  self->busy = FALSE;

  if (cycle->pull)
    {
      if (cycle->error && !is_cancelled (cycle->error))
        self->next_pull_at = now + backoff (PULL_BACKOFF_MIN, PULL_BACKOFF_MAX,
                                            ++self->pull_failures);
      else
        {
          self->pull_failures = 0;
          self->next_pull_at = now + PULL_INTERVAL;
        }
    }

  if (cycle->announced || cycle->error)
    {
      if (!self->online)
        set_state (self, ECHOES_SYNC_STATE_OFFLINE);
      else if (cycle->error && !is_cancelled (cycle->error))
        {
          set_last_error (self, cycle->error);
          set_state (self, ECHOES_SYNC_STATE_ERROR);
        }
      else if (cycle->error == NULL && !cycle->deferred)
        {
          set_last_error (self, NULL);
          set_state (self, ECHOES_SYNC_STATE_IDLE);
        }
      else if (self->state == ECHOES_SYNC_STATE_SYNCING)
        set_state (self, self->last_error ? ECHOES_SYNC_STATE_ERROR : ECHOES_SYNC_STATE_IDLE);
      set_progress (self, 1.0);
    }

  for (guint i = 0; i < cycle->waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (cycle->waiters, i);

      if (cycle->error)
        g_task_return_error (task, g_error_copy (cycle->error));
      else
        g_task_return_boolean (task, TRUE);
    }

  /* Someone asked for a sync while this one ran: it must see their changes. */
  if (self->waiters->len > 0 && !g_cancellable_is_cancelled (self->cancellable))
    cycle_start (self, TRUE);

  cycle_free (cycle);
}

/* -- push -- */

static void
item_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Cycle *cycle = user_data;
  g_autoptr(GError) error = NULL;

  echoes_store_run_finish (ECHOES_STORE (object), result, &error);
  if (is_cancelled (error))
    {
      record_error (cycle, error);
      cycle_finish (cycle);
      return;
    }
  if (error)
    record_error (cycle, error);

  step_done (cycle);
  cycle->index++;
  push_next (cycle);
}

static void
item_succeeded (Cycle *cycle)
{
  Job *job = job_new (JOB_OUTBOX_DONE);

  job->seq = cycle->item->seq;
  job->revision = cycle->item->revision;
  run_job (cycle->self, job, cycle->cancellable, item_done_cb, cycle);
}

static void
item_failed (Cycle  *cycle,
             GError *error)
{
  EchoesOutboxItem *item = cycle->item;
  Job *job;

  if (is_cancelled (error))
    {
      record_error (cycle, error);
      cycle_finish (cycle);
      return;
    }

  record_error (cycle, error);

  /* Later items of the same row, or of a project's clips, must not overtake it. */
  g_hash_table_add (cycle->blocked, g_strdup (item->local_id));
  if (g_str_equal (item->entity, "project"))
    g_hash_table_add (cycle->blocked, g_strdup (item->project_id));

  job = job_new (JOB_OUTBOX_FAILED);
  job->seq = item->seq;
  job->when = g_get_real_time () + backoff (PUSH_BACKOFF_MIN, PUSH_BACKOFF_MAX, item->attempts + 1);
  job->value = g_strdup (error->message);
  run_job (cycle->self, job, cycle->cancellable, item_done_cb, cycle);
}

static void
remote_write_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Cycle *cycle = user_data;
  EchoesSyncRemote *remote = ECHOES_SYNC_REMOTE (object);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (g_str_equal (cycle->item->entity, "image") || g_str_equal (cycle->item->entity, "video"))
    ok = echoes_sync_remote_upload_finish (remote, result, &error);
  else if (cycle->deleting)
    ok = echoes_sync_remote_delete_row_finish (remote, result, &error);
  else
    ok = echoes_sync_remote_push_row_finish (remote, result, &error);

  /* The server lost the row (deleted on another device) but it changed here since: it
   * goes back whole. */
  if (!ok && cycle->row != NULL && !cycle->deleting && !cycle->full_push &&
      g_error_matches (error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NOT_FOUND))
    {
      cycle->full_push = TRUE;
      push_row (cycle);
      return;
    }

  if (!ok)
    {
      /* A resumable upload the server forgot starts again from zero next time. */
      if (g_error_matches (error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_UPLOAD_EXPIRED))
        {
          Job *job = job_new (JOB_CLEAR_UPLOAD);

          job->id = g_strdup (cycle->item->local_id);
          job->entity = g_strdup (cycle->item->entity);
          run_job (cycle->self, job, NULL, NULL, NULL);
        }
      item_failed (cycle, error);
      return;
    }

  if (cycle->upload != NULL)
    {
      Job *job = job_new (JOB_CLEAR_UPLOAD);

      job->id = g_strdup (cycle->item->local_id);
      job->entity = g_strdup (cycle->item->entity);
      /* queued before the outbox update: the worker runs them in order */
      run_job (cycle->self, job, NULL, NULL, NULL);
    }

  item_succeeded (cycle);
}

/* `images/{project}/{clip}.jpg` → `{user}/{project}/{clip}.jpg` */
static char *
remote_media_path (const char *user_id,
                   const char *project_id,
                   const char *relative)
{
  g_autofree char *name = g_path_get_basename (relative);

  return g_strdup_printf ("%s/%s/%s", user_id, project_id, name);
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

static void
upload_progress_cb (const char *upload_url,
                    gint64      offset,
                    gint64      size,
                    gpointer    user_data)
{
  Cycle *cycle = user_data;
  Job *job;

  if (size > 0)
    set_progress (cycle->self, ((double)cycle->n_done + (double)offset / size) /
                               MAX (cycle->n_steps, cycle->n_done + 1));

  if (upload_url == NULL)
    return;

  job = job_new (JOB_SET_UPLOAD);
  job->id = g_strdup (cycle->item->local_id);
  job->entity = g_strdup (cycle->item->entity);
  job->path = g_strdup (cycle->upload->relative);
  job->url = g_strdup (upload_url);
  job->offset = offset;
  job->size = size;
  run_job (cycle->self, job, NULL, NULL, NULL);
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

static void
upload_info_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Cycle *cycle = user_data;
  EchoesSyncEngine *self = cycle->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *object_path = NULL;
  const char *user_id;
  UploadInfo *info;

  if (!(info = echoes_store_run_finish (ECHOES_STORE (object), result, &error)))
    {
      item_failed (cycle, error);
      return;
    }
  cycle->upload = info;

  if (info->relative == NULL)
    {
      /* nothing (left) to upload */
      g_clear_pointer (&cycle->upload, upload_info_free);
      item_succeeded (cycle);
      return;
    }

  if (!(user_id = echoes_sync_remote_get_user_id (self->remote)))
    {
      g_set_error (&error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NOT_SIGNED_IN, "Not signed in");
      item_failed (cycle, error);
      return;
    }

  object_path = remote_media_path (user_id, info->project_id, info->relative);
  file = g_file_new_for_path (info->absolute);
  g_debug ("Uploading %s (%" G_GINT64_FORMAT " bytes%s)", info->relative, info->size,
           info->url ? ", resuming" : "");
  echoes_sync_remote_upload_async (self->remote,
                                   g_str_equal (cycle->item->entity, "image") ? "images" : "clips",
                                   object_path, file, content_type_for (info->relative),
                                   info->size > ECHOES_SYNC_RESUMABLE_THRESHOLD,
                                   info->url, info->url ? info->offset : 0,
                                   upload_progress_cb, cycle,
                                   cycle->cancellable, remote_write_cb, cycle);
}

static gboolean
translate_media_out (EchoesSyncEngine  *self,
                     GVariant          *row,
                     const char        *name,
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

static void
read_row_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Cycle *cycle = user_data;
  EchoesSyncEngine *self = cycle->self;
  EchoesOutboxItem *item = cycle->item;
  const char *table = g_str_equal (item->entity, "project") ? "projects" : "clips";
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) row = NULL;

  if (!(row = echoes_store_run_finish (ECHOES_STORE (object), result, &error)))
    {
      if (g_error_matches (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND))
        {
          /* Purged here since it was queued: gone for good on the server too. */
          cycle->deleting = TRUE;
          echoes_sync_remote_delete_row_async (self->remote, table, item->local_id,
                                               cycle->cancellable, remote_write_cb, cycle);
          return;
        }
      item_failed (cycle, error);
      return;
    }

  cycle->row = g_steal_pointer (&row);
  push_row (cycle);
}

static void
push_row (Cycle *cycle)
{
  EchoesSyncEngine *self = cycle->self;
  EchoesOutboxItem *item = cycle->item;
  const char *table = g_str_equal (item->entity, "project") ? "projects" : "clips";
  g_autoptr(GError) error = NULL;
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE (ECHOES_STORE_SYNC_FIELDS_TYPE));
  GVariantIter iter;
  const char *name;
  GVariant *value;
  gint64 time;

  /* Only the fields changed since the last push, so that a field changed on the server
   * meanwhile is not overwritten with an older value; a clip always names its project. */
  g_variant_iter_init (&iter, cycle->row);
  while (g_variant_iter_loop (&iter, "{&s(vx)}", &name, &value, &time))
    {
      g_autoptr(GVariant) out = NULL;

      if (!cycle->full_push &&
          !g_strv_contains ((const char * const *)item->fields, name) &&
          !(g_str_equal (name, "project_id") && g_str_equal (item->entity, "clip")))
        continue;

      if (g_str_equal (item->entity, "clip") &&
          (g_str_equal (name, "image") || g_str_equal (name, "video")))
        {
          if (!translate_media_out (self, cycle->row, name, value, &out, &error))
            {
              item_failed (cycle, error);
              return;
            }
        }
      else
        out = g_variant_ref (value);

      g_variant_builder_add (&builder, "{s(vx)}", name, out, time);
    }

  echoes_sync_remote_push_row_async (self->remote, table, item->local_id,
                                     g_variant_builder_end (&builder),
                                     cycle->cancellable, remote_write_cb, cycle);
}

static void
push_next (Cycle *cycle)
{
  gint64 now = g_get_real_time ();
  Job *job;

  for (; cycle->index < cycle->items->len; cycle->index++)
    {
      EchoesOutboxItem *item = g_ptr_array_index (cycle->items, cycle->index);

      if (item->next_try_at > now && !cycle->retry_now)
        {
          cycle->deferred = TRUE;
          continue;
        }
      if (g_hash_table_contains (cycle->blocked, item->local_id) ||
          g_hash_table_contains (cycle->blocked, item->project_id))
        continue;
      break;
    }

  if (cycle->index >= cycle->items->len)
    {
      if (cycle->pull)
        pull_next (cycle);
      else
        cycle_finish (cycle);
      return;
    }

  announce (cycle);
  cycle->item = g_ptr_array_index (cycle->items, cycle->index);
  g_clear_pointer (&cycle->upload, upload_info_free);
  g_clear_pointer (&cycle->row, g_variant_unref);
  cycle->deleting = FALSE;
  cycle->full_push = FALSE;
  g_debug ("Pushing %s %s (%s)", cycle->item->entity, cycle->item->local_id, cycle->item->op);

  if (g_str_equal (cycle->item->op, "upload"))
    {
      job = job_new (JOB_UPLOAD_INFO);
      job->entity = g_strdup (cycle->item->entity);
      job->id = g_strdup (cycle->item->local_id);
      run_job (cycle->self, job, cycle->cancellable, upload_info_cb, cycle);
    }
  else
    {
      job = job_new (JOB_READ_ROW);
      job->entity = g_strdup (cycle->item->entity);
      job->id = g_strdup (cycle->item->local_id);
      run_job (cycle->self, job, cycle->cancellable, read_row_cb, cycle);
    }
}

static void
outbox_listed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Cycle *cycle = user_data;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time ();

  if (!(cycle->items = echoes_store_run_finish (ECHOES_STORE (object), result, &error)))
    {
      record_error (cycle, error);
      cycle_finish (cycle);
      return;
    }

  for (guint i = 0; i < cycle->items->len; i++)
    if (((EchoesOutboxItem *)g_ptr_array_index (cycle->items, i))->next_try_at <= now ||
        cycle->retry_now)
      cycle->n_steps++;

  push_next (cycle);
}

/* -- pull -- */

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
      record_error (cycle, error);
      cycle_finish (cycle);
      return;
    }

  step_done (cycle);
  cycle->table++;
  pull_next (cycle);
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
      record_error (cycle, error);
      cycle_finish (cycle);
      return;
    }

  for (guint i = 0; i < rows->len; i++)
    {
      GVariant *row = g_ptr_array_index (rows, i);

      if (!g_variant_is_of_type (row, G_VARIANT_TYPE (ECHOES_STORE_SYNC_ROW_TYPE)))
        {
          g_set_error (&error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_BAD_RESPONSE,
                       "A row of %s has the type %s", table, g_variant_get_type_string (row));
          record_error (cycle, error);
          cycle_finish (cycle);
          return;
        }
      g_ptr_array_add (local, translate_row_in (row, table, &max_time));
    }

  g_debug ("Pulled %u rows of %s", local->len, table);
  job = job_new (JOB_APPLY);
  job->entity = g_strdup (entities[cycle->table]);
  job->rows = g_steal_pointer (&local);
  job->key = g_strdup_printf ("pulled:%s", table);
  job->when = max_time;
  run_job (cycle->self, job, cycle->cancellable, applied_cb, cycle);
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
      record_error (cycle, error);
      cycle_finish (cycle);
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
      record_error (cycle, error);
      cycle_finish (cycle);
      return;
    }

  cycle->n_steps += cycle->media->len;
  download_next (cycle);
}

static void
pull_next (Cycle *cycle)
{
  Job *job;

  announce (cycle);

  if (cycle->table < G_N_ELEMENTS (tables))
    {
      job = job_new (JOB_GET_CURSOR);
      job->key = g_strdup_printf ("pulled:%s", tables[cycle->table]);
      run_job (cycle->self, job, cycle->cancellable, cursor_cb, cycle);
      return;
    }

  run_job (cycle->self, job_new (JOB_MISSING_MEDIA), cycle->cancellable, missing_media_cb, cycle);
}

/* -- download -- */

static void
download_finished_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Cycle *cycle = user_data;
  g_autoptr(GError) error = NULL;

  echoes_store_run_finish (ECHOES_STORE (object), result, &error);
  if (is_cancelled (error))
    {
      record_error (cycle, error);
      cycle_finish (cycle);
      return;
    }
  if (error)
    record_error (cycle, error);

  step_done (cycle);
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

  job = job_new (JOB_FINISH_DOWNLOAD);
  job->url = g_strdup (cycle->tmp_path);
  job->path = g_strdup (cycle->final_path);
  job->size = size;
  job->expected = expected;

  if (size < 0)
    {
      g_autoptr(GFile) tmp = g_file_new_for_path (cycle->tmp_path);

      /* the temporary file goes; the next sync tries again */
      job_free (job);
      g_file_delete_async (tmp, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      if (is_cancelled (error))
        {
          record_error (cycle, error);
          cycle_finish (cycle);
          return;
        }
      /* Not uploaded yet by the device that has it: not an error of ours. */
      if (!g_error_matches (error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NOT_FOUND))
        record_error (cycle, error);
      else
        g_debug ("%s is not on the server yet", cycle->final_path);
      step_done (cycle);
      cycle->media_index++;
      download_next (cycle);
      return;
    }

  run_job (cycle->self, job, cycle->cancellable, download_finished_cb, cycle);
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
      record_error (cycle, error);
      if (is_cancelled (error))
        {
          cycle_finish (cycle);
          return;
        }
      step_done (cycle);
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
      cycle_finish (cycle);
      return;
    }

  g_free (cycle->final_path);
  cycle->final_path = echoes_store_resolve (cycle->self->store, relative);

  job = job_new (JOB_PREPARE_DOWNLOAD);
  job->path = g_strdup (cycle->final_path);
  run_job (cycle->self, job, cycle->cancellable, download_prepared_cb, cycle);
}

/* The synced projects of this store belong to the account that first signed in here:
 * never push them into another one. */
static void
account_checked_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Cycle *cycle = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  const char *user_id;

  if (!(account = echoes_store_run_finish (ECHOES_STORE (object), result, &error)))
    {
      record_error (cycle, error);
      cycle_finish (cycle);
      return;
    }

  if (!(user_id = echoes_sync_remote_get_user_id (cycle->self->remote)))
    g_set_error (&error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NOT_SIGNED_IN, "Not signed in");
  else if (*account != '\0' && !g_str_equal (account, user_id))
    g_set_error (&error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_OTHER_ACCOUNT,
                 "The synced projects here belong to another account");
  if (error)
    {
      record_error (cycle, error);
      cycle_finish (cycle);
      return;
    }

  run_job (cycle->self, job_new (JOB_LIST_OUTBOX), cycle->cancellable, outbox_listed_cb, cycle);
}

static void
cycle_start (EchoesSyncEngine *self,
             gboolean          pull)
{
  Cycle *cycle;
  Job *job;

  g_assert (!self->busy);

  cycle = g_new0 (Cycle, 1);
  cycle->self = g_object_ref (self);
  cycle->cancellable = g_object_ref (self->cancellable);
  cycle->pull = pull || self->pull_requested || self->waiters->len > 0;
  /* Asked for (start, focus, Retry, a caller waiting): failed items go again now. */
  cycle->retry_now = cycle->pull && (self->pull_requested || self->waiters->len > 0);
  cycle->waiters = g_steal_pointer (&self->waiters);
  cycle->blocked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->busy = TRUE;
  if (cycle->pull)
    {
      self->pull_requested = FALSE;
      cycle->n_steps = G_N_ELEMENTS (tables);
      announce (cycle);
    }

  job = job_new (JOB_GET_CURSOR);
  job->key = g_strdup ("account");
  job->value = g_strdup ("");
  run_job (self, job, cycle->cancellable, account_checked_cb, cycle);
}

/* ---- scheduling ---- */

static gboolean
tick_cb (gpointer user_data)
{
  EchoesSyncEngine *self = user_data;

  if (!self->busy && self->online)
    cycle_start (self, self->pull_requested || g_get_real_time () >= self->next_pull_at);

  return G_SOURCE_CONTINUE;
}

static void
network_changed_cb (GNetworkMonitor  *monitor,
                    gboolean          available,
                    EchoesSyncEngine *self)
{
  available = g_network_monitor_get_network_available (monitor);
  if (available == self->online)
    return;

  self->online = available;
  g_debug ("Network %s", available ? "available" : "gone");
  if (!available)
    {
      if (!self->busy)
        set_state (self, ECHOES_SYNC_STATE_OFFLINE);
      return;
    }

  if (!self->busy)
    set_state (self, self->last_error ? ECHOES_SYNC_STATE_ERROR : ECHOES_SYNC_STATE_IDLE);
  if (self->started)
    echoes_sync_engine_sync_now (self);
}

/* ---- GObject ---- */

static void
echoes_sync_engine_constructed (GObject *object)
{
  EchoesSyncEngine *self = (EchoesSyncEngine *)object;

  G_OBJECT_CLASS (echoes_sync_engine_parent_class)->constructed (object);

  g_assert (ECHOES_IS_STORE (self->store));
  g_assert (ECHOES_IS_SYNC_REMOTE (self->remote));

  if (self->monitor == NULL)
    self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_handler = g_signal_connect (self->monitor, "network-changed",
                                            G_CALLBACK (network_changed_cb), self);
  self->online = g_network_monitor_get_network_available (self->monitor);
  self->state = self->online ? ECHOES_SYNC_STATE_IDLE : ECHOES_SYNC_STATE_OFFLINE;
  self->signer = echoes_media_signer_new (self->store, self->remote);
}

static void
echoes_sync_engine_dispose (GObject *object)
{
  EchoesSyncEngine *self = (EchoesSyncEngine *)object;

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_signal_handler (&self->network_handler, self->monitor);

  G_OBJECT_CLASS (echoes_sync_engine_parent_class)->dispose (object);
}

static void
echoes_sync_engine_finalize (GObject *object)
{
  EchoesSyncEngine *self = (EchoesSyncEngine *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->remote);
  g_clear_object (&self->monitor);
  g_clear_object (&self->signer);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->waiters, g_ptr_array_unref);
  g_clear_error (&self->last_error);

  G_OBJECT_CLASS (echoes_sync_engine_parent_class)->finalize (object);
}

static void
echoes_sync_engine_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EchoesSyncEngine *self = ECHOES_SYNC_ENGINE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_REMOTE:
      g_value_set_object (value, self->remote);
      break;

    case PROP_NETWORK_MONITOR:
      g_value_set_object (value, self->monitor);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_LAST_ERROR:
      g_value_set_boxed (value, self->last_error);
      break;

    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_sync_engine_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  EchoesSyncEngine *self = ECHOES_SYNC_ENGINE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_REMOTE:
      self->remote = g_value_dup_object (value);
      break;

    case PROP_NETWORK_MONITOR:
      self->monitor = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_sync_engine_class_init (EchoesSyncEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = echoes_sync_engine_constructed;
  object_class->dispose = echoes_sync_engine_dispose;
  object_class->finalize = echoes_sync_engine_finalize;
  object_class->get_property = echoes_sync_engine_get_property;
  object_class->set_property = echoes_sync_engine_set_property;

  properties [PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, ECHOES_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties [PROP_REMOTE] =
    g_param_spec_object ("remote", NULL, NULL, ECHOES_TYPE_SYNC_REMOTE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties [PROP_NETWORK_MONITOR] =
    g_param_spec_object ("network-monitor", NULL, NULL, G_TYPE_NETWORK_MONITOR,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesSyncEngine:state:
   *
   * What the sync indicator shows.
   */
  properties [PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, ECHOES_TYPE_SYNC_STATE, ECHOES_SYNC_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesSyncEngine:last-error:
   *
   * Why the last sync failed, %NULL after one succeeded. Notified only when it changes
   * (the same failure again is not notified), so the UI shows it once, with Retry
   * calling echoes_sync_engine_sync_now().
   */
  properties [PROP_LAST_ERROR] =
    g_param_spec_boxed ("last-error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesSyncEngine:progress:
   *
   * How far the running sync is, from 0 to 1.
   */
  properties [PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
echoes_sync_engine_init (EchoesSyncEngine *self)
{
  self->cancellable = g_cancellable_new ();
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->state = ECHOES_SYNC_STATE_IDLE;
}

/* ---- public API ---- */

/**
 * echoes_sync_engine_new:
 * @store: the store to keep in step
 * @remote: the account's server
 * @monitor: (nullable): the network monitor, %NULL for the default one
 *
 * Creates an engine; it does nothing until echoes_sync_engine_start() or a sync is
 * asked for.
 *
 * Returns: (transfer full): a new #EchoesSyncEngine
 */
EchoesSyncEngine *
echoes_sync_engine_new (EchoesStore      *store,
                        EchoesSyncRemote *remote,
                        GNetworkMonitor  *monitor)
{
  g_return_val_if_fail (ECHOES_IS_STORE (store), NULL);
  g_return_val_if_fail (ECHOES_IS_SYNC_REMOTE (remote), NULL);
  g_return_val_if_fail (!monitor || G_IS_NETWORK_MONITOR (monitor), NULL);

  return g_object_new (ECHOES_TYPE_SYNC_ENGINE,
                       "store", store,
                       "remote", remote,
                       "network-monitor", monitor,
                       NULL);
}

/**
 * echoes_sync_engine_get_store:
 *
 * Returns: (transfer none): the store
 */
EchoesStore *
echoes_sync_engine_get_store (EchoesSyncEngine *self)
{
  g_return_val_if_fail (ECHOES_IS_SYNC_ENGINE (self), NULL);
  return self->store;
}

/**
 * echoes_sync_engine_get_remote:
 *
 * Returns: (transfer none): the server
 */
EchoesSyncRemote *
echoes_sync_engine_get_remote (EchoesSyncEngine *self)
{
  g_return_val_if_fail (ECHOES_IS_SYNC_ENGINE (self), NULL);
  return self->remote;
}

EchoesSyncState
echoes_sync_engine_get_state (EchoesSyncEngine *self)
{
  g_return_val_if_fail (ECHOES_IS_SYNC_ENGINE (self), ECHOES_SYNC_STATE_IDLE);
  return self->state;
}

/**
 * echoes_sync_engine_get_last_error:
 *
 * Returns: (transfer none) (nullable): why the last sync failed
 */
const GError *
echoes_sync_engine_get_last_error (EchoesSyncEngine *self)
{
  g_return_val_if_fail (ECHOES_IS_SYNC_ENGINE (self), NULL);
  return self->last_error;
}

double
echoes_sync_engine_get_progress (EchoesSyncEngine *self)
{
  g_return_val_if_fail (ECHOES_IS_SYNC_ENGINE (self), 0.0);
  return self->progress;
}

/**
 * echoes_sync_engine_start:
 *
 * Starts syncing in the background: a pull now, pushes within a second of each change,
 * a pull every few minutes (backing off after failures).
 */
void
echoes_sync_engine_start (EchoesSyncEngine *self)
{
  g_return_if_fail (ECHOES_IS_SYNC_ENGINE (self));

  if (self->started)
    return;

  if (g_cancellable_is_cancelled (self->cancellable))
    g_set_object (&self->cancellable, g_cancellable_new ());

  self->started = TRUE;
  self->pull_requested = TRUE;
  self->tick_id = g_timeout_add (TICK_MS, tick_cb, self);
  if (!self->busy && self->online)
    cycle_start (self, TRUE);
}

/**
 * echoes_sync_engine_stop:
 *
 * Stops syncing (sign-out, shutdown) and cancels the running sync: what was not
 * pushed stays in the outbox for next time. Call it before dropping the engine.
 */
void
echoes_sync_engine_stop (EchoesSyncEngine *self)
{
  g_return_if_fail (ECHOES_IS_SYNC_ENGINE (self));

  self->started = FALSE;
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_set_object (&self->cancellable, g_cancellable_new ());
}

/**
 * echoes_sync_engine_sync_now:
 *
 * Pushes and pulls as soon as possible: the window calls it when it gets the focus, and
 * Retry after an error.
 */
void
echoes_sync_engine_sync_now (EchoesSyncEngine *self)
{
  g_return_if_fail (ECHOES_IS_SYNC_ENGINE (self));

  self->pull_requested = TRUE;
  if (!self->busy && self->online)
    cycle_start (self, TRUE);
}

/**
 * echoes_sync_engine_sync_async:
 *
 * Runs a whole sync (push, pull, downloads) that starts after this call, and reports
 * how it went.
 */
void
echoes_sync_engine_sync_async (EchoesSyncEngine    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ECHOES_IS_SYNC_ENGINE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_sync_engine_sync_async);

  if (!self->online)
    {
      g_task_return_new_error (task, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_OFFLINE,
                               "No network");
      return;
    }

  g_ptr_array_add (self->waiters, g_steal_pointer (&task));
  if (!self->busy)
    cycle_start (self, TRUE);
}

gboolean
echoes_sync_engine_sync_finish (EchoesSyncEngine  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
store_job_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  gpointer value = echoes_store_run_finish (ECHOES_STORE (object), result, &error);

  if (error)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, value, g_task_get_source_tag (task) ==
                                        echoes_sync_engine_list_local_projects_async ?
                                        (GDestroyNotify)g_strfreev : NULL);
}

/**
 * echoes_sync_engine_list_local_projects_async:
 *
 * Lists the local-only projects: the first sign-in asks whether to upload them.
 */
void
echoes_sync_engine_list_local_projects_async (EchoesSyncEngine    *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (ECHOES_IS_SYNC_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_sync_engine_list_local_projects_async);
  run_job (self, job_new (JOB_LIST_LOCAL), cancellable, store_job_cb, task);
}

/**
 * echoes_sync_engine_list_local_projects_finish:
 *
 * Returns: (transfer full): the ids of the local-only projects
 */
GStrv
echoes_sync_engine_list_local_projects_finish (EchoesSyncEngine  *self,
                                               GAsyncResult      *result,
                                               GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * echoes_sync_engine_signed_in_async:
 * @upload_local: %TRUE to upload every local-only project ("Keep in my account"),
 *   %FALSE to keep them on this computer only
 *
 * Records the first sign-in's answer: projects created from now on are synced, and the
 * existing local ones are uploaded or stay local-only. Then syncs.
 */
void
echoes_sync_engine_signed_in_async (EchoesSyncEngine    *self,
                                    gboolean             upload_local,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;
  Job *job;

  g_return_if_fail (ECHOES_IS_SYNC_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_sync_engine_signed_in_async);
  job = job_new (JOB_SIGNED_IN);
  job->flag = upload_local;
  job->value = g_strdup (echoes_sync_remote_get_user_id (self->remote));
  run_job (self, job, cancellable, store_job_cb, task);
  self->pull_requested = TRUE;
}

gboolean
echoes_sync_engine_signed_in_finish (EchoesSyncEngine  *self,
                                     GAsyncResult      *result,
                                     GError           **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  g_task_propagate_pointer (G_TASK (result), &local_error);
  if (local_error)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/**
 * echoes_sync_engine_keep_in_account_async:
 *
 * "Keep in my account" for one local-only project: it becomes synced and all of it is
 * queued for upload.
 */
void
echoes_sync_engine_keep_in_account_async (EchoesSyncEngine    *self,
                                          const char          *project_id,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  GTask *task;
  Job *job;

  g_return_if_fail (ECHOES_IS_SYNC_ENGINE (self));
  g_return_if_fail (project_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_sync_engine_keep_in_account_async);
  job = job_new (JOB_KEEP_IN_ACCOUNT);
  job->id = g_strdup (project_id);
  run_job (self, job, cancellable, store_job_cb, task);
}

gboolean
echoes_sync_engine_keep_in_account_finish (EchoesSyncEngine  *self,
                                           GAsyncResult      *result,
                                           GError           **error)
{
  return echoes_sync_engine_signed_in_finish (self, result, error);
}

/**
 * echoes_sync_engine_signed_out_async:
 *
 * After sign-out: stops syncing, and projects created from now on are local-only.
 * Synced projects stay here, and their pending changes stay queued for the next
 * sign-in to the same account.
 */
void
echoes_sync_engine_signed_out_async (EchoesSyncEngine    *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (ECHOES_IS_SYNC_ENGINE (self));

  echoes_sync_engine_stop (self);
  echoes_media_signer_forget (self->signer);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_sync_engine_signed_out_async);
  run_job (self, job_new (JOB_SIGNED_OUT), cancellable, store_job_cb, task);
}

gboolean
echoes_sync_engine_signed_out_finish (EchoesSyncEngine  *self,
                                      GAsyncResult      *result,
                                      GError           **error)
{
  return echoes_sync_engine_signed_in_finish (self, result, error);
}

static void
signed_media_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  gint64 *expires_at = g_task_get_task_data (task);
  GError *error = NULL;
  char *url;

  if (!(url = echoes_media_signer_sign_finish (ECHOES_MEDIA_SIGNER (object), result, expires_at,
                                               &error)))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, url, g_free);
}

/**
 * echoes_sync_engine_sign_media_async:
 * @self: an #EchoesSyncEngine
 * @clip_id: a clip of a synced project
 * @kind: `video` or `image`
 * @force_new: %TRUE when the server refused the last URL (it expired): ask for a new one
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the URL
 * @user_data: data for @callback
 *
 * A signed URL to read the clip's media from the server (to stream a video that is not
 * downloaded yet), valid for about an hour; the same URL comes back until shortly
 * before it expires. It is a secret: never log it.
 */
void
echoes_sync_engine_sign_media_async (EchoesSyncEngine    *self,
                                     const char          *clip_id,
                                     const char          *kind,
                                     gboolean             force_new,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (ECHOES_IS_SYNC_ENGINE (self));
  g_return_if_fail (clip_id != NULL && kind != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_sync_engine_sign_media_async);
  g_task_set_task_data (task, g_new0 (gint64, 1), g_free);
  echoes_media_signer_sign_async (self->signer, clip_id, kind, force_new, cancellable,
                                  signed_media_cb, task);
}

/**
 * echoes_sync_engine_sign_media_finish:
 * @self: an #EchoesSyncEngine
 * @result: the result
 * @expires_at: (out) (optional): when the URL expires (real time, µs)
 * @error: return location for an error
 *
 * Returns: (transfer full): the URL, or %NULL with @error set
 */
char *
echoes_sync_engine_sign_media_finish (EchoesSyncEngine  *self,
                                      GAsyncResult      *result,
                                      gint64            *expires_at,
                                      GError           **error)
{
  char *url;

  g_return_val_if_fail (ECHOES_IS_SYNC_ENGINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  url = g_task_propagate_pointer (G_TASK (result), error);
  if (expires_at != NULL)
    *expires_at = url ? *(gint64 *) g_task_get_task_data (G_TASK (result)) : 0;
  return url;
}

/**
 * echoes_sync_engine_set_media_url_lifetime:
 * @self: an #EchoesSyncEngine
 * @seconds: how long the signed media URLs asked from now on stay valid
 *
 * For tests; the default is #ECHOES_MEDIA_URL_LIFETIME.
 */
void
echoes_sync_engine_set_media_url_lifetime (EchoesSyncEngine *self,
                                           guint             seconds)
{
  g_return_if_fail (ECHOES_IS_SYNC_ENGINE (self));
  echoes_media_signer_set_lifetime (self->signer, seconds);
}
