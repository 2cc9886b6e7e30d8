/* echoes-sync-engine-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "echoes-sync-engine.h"
#include "echoes-media-signer.h"

G_BEGIN_DECLS

/* The engine is split by concern: echoes-sync-engine.c keeps the object, its state, the
 * sync cycle and the scheduling; echoes-sync-jobs.c runs the store jobs;
 * echoes-sync-account.c holds the account calls (sign-in, sign-out, local projects,
 * signed media URLs); echoes-sync-push.c pushes the outbox; echoes-sync-pull.c pulls the
 * server's changes and downloads the media. One Cycle is one sync: push, then pull, then
 * download. Everything here runs on the main thread, except the job functions, which
 * run on the store's worker thread. */

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

#define ECHOES_SYNC_N_TABLES 2      /* projects, then clips */
#define PUSH_BACKOFF_MIN     (2 * G_TIME_SPAN_SECOND)
#define PUSH_BACKOFF_MAX     G_TIME_SPAN_HOUR

/* ---- store jobs (run on the store's worker thread), echoes-sync-jobs.c ---- */

typedef enum
{
  JOB_LIST_OUTBOX,
  JOB_READ_ROW,
  JOB_READ_ROWS,
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

Job        *_echoes_sync_job_new              (JobKind              kind);
void        _echoes_sync_job_free             (Job                 *job);
void        _echoes_sync_upload_info_free     (UploadInfo          *info);
void        _echoes_sync_run_job              (EchoesSyncEngine    *self,
                                               Job                 *job,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, _echoes_sync_job_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (UploadInfo, _echoes_sync_upload_info_free)

/* job bodies, on the worker thread */
UploadInfo *_echoes_sync_read_upload_info     (EchoesStore         *store,
                                               Job                 *job,
                                               GError             **error);
GPtrArray  *_echoes_sync_read_rows            (EchoesStore         *store,
                                               Job                 *job,
                                               GError             **error);
char       *_echoes_sync_prepare_download     (Job                 *job,
                                               GError             **error);
gboolean    _echoes_sync_finish_download      (Job                 *job,
                                               GError             **error);

/* ---- one sync cycle ---- */

typedef struct _PushState PushState;

typedef struct
{
  EchoesSyncEngine *self;         /* (owned) */
  GCancellable     *cancellable;  /* (owned) */
  GPtrArray        *waiters;      /* (owned) */
  gboolean          pull;
  gboolean          retry_now;    /* items in backoff go too (start, Retry) */
  gboolean          announced;    /* state set to syncing */
  gboolean          deferred;     /* items waited for their backoff */

  PushState        *push;         /* (owned) (nullable) see echoes-sync-push.c */

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

void        _echoes_sync_engine_set_progress  (EchoesSyncEngine    *self,
                                               double               progress);
gint64      _echoes_sync_backoff              (gint64               min,
                                               gint64               max,
                                               guint                failures);
gboolean    _echoes_sync_is_cancelled         (const GError        *error);
void        _echoes_sync_cycle_step_done      (Cycle               *cycle);
void        _echoes_sync_cycle_record_error   (Cycle               *cycle,
                                               const GError        *error);
void        _echoes_sync_cycle_announce       (Cycle               *cycle);
void        _echoes_sync_cycle_finish         (Cycle               *cycle);

/* echoes-sync-push.c: pushes the listed outbox, then pulls (if the cycle does) or finishes */
void        _echoes_sync_push_start           (Cycle               *cycle,
                                               GPtrArray           *items);
void        _echoes_sync_push_state_free      (PushState           *push);

/* echoes-sync-pull.c: pulls each table, then downloads missing media, then finishes */
void        _echoes_sync_pull_next            (Cycle               *cycle);

G_END_DECLS
