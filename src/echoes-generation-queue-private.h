/* echoes-generation-queue-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "echoes-generation-queue.h"
#include "echoes-progress.h"
#include "echoes-store.h"

G_BEGIN_DECLS

/* EchoesGenerationQueue is one object in three files:
 *   echoes-generation-queue.c          the GObject and a job's run: started with the
 *                                      resolved provider, progress, end, Ken Burns fallback
 *   echoes-generation-queue-enqueue.c  queuing clips and projects, cancelling, resuming
 *   echoes-generation-store.c          their store work, on the store's worker thread
 */

struct _EchoesGenerationQueue
{
  GObject              parent_instance;

  EchoesStore         *store;     /* (owned) */
  EchoesLibrary       *library;   /* (owned) (nullable) */
  EchoesVideoProvider *provider;  /* (owned): the default */
  EchoesProviderRegistry *registry;  /* (owned) (nullable) */
  GHashTable          *extra;     /* (owned): name → provider given to enqueue_clip_with_provider() */
  gboolean             force_provider;
  gboolean             ken_burns_fallback;
  GQueue               pending;   /* (element-type Job) (owned) */
  GPtrArray           *running;   /* (element-type Job) (owned) */
  guint                max_jobs;
  double               default_duration;  /* seconds, 0: the provider's own */
  guint                n_listing; /* enqueue_project() calls still reading the store */
};

typedef struct
{
  EchoesGenerationQueue *self;         /* (owned) while running */
  char                  *clip_id;
  char                  *project_id;   /* known once started */
  char                  *video;        /* relative path, once started */
  GCancellable          *cancellable;
  EchoesVideoProvider   *provider;     /* (owned) once started */
  EchoesProgress         bar;          /* the provider's reports, never going back */
} Job;

/* Shared by the queue's files (echoes-generation-queue.c defines them). */
Job                 *_echoes_generation_job_new               (const char            *clip_id);
void                 _echoes_generation_job_unref             (Job                   *job);
void                 _echoes_generation_queue_pump            (EchoesGenerationQueue *self);
void                 _echoes_generation_queue_reload          (EchoesGenerationQueue *self,
                                                               const char            *project_id);
void                 _echoes_generation_queue_maybe_drained   (EchoesGenerationQueue *self);
void                 _echoes_generation_queue_notify_n_jobs   (EchoesGenerationQueue *self);
/* The provider called @name: the registry's, one given to enqueue_clip_with_provider(),
 * or the queue's own. */
EchoesVideoProvider *_echoes_generation_queue_lookup_provider (EchoesGenerationQueue *self,
                                                               const char            *name);

/* Shared by the generation queue and the batch driver (echoes-generation-batch.c). */

/* The stable code stored for a failure; the provider's message is for the log only. */
EchoesClipFailure _echoes_generation_failure_from_error      (const GError *error);
/* Removes `.{clip}.mp4.XXXXXX` files a crashed render left beside the clip's video. */
void              _echoes_generation_remove_stale_temp_files (EchoesStore  *store,
                                                              EchoesClip   *clip);

/* The store work of the queue (echoes-generation-store.c), run on the store's worker
 * thread. */

typedef struct
{
  char  *clip_id;
  char  *forced;        /* (nullable): the provider every clip uses */
  char  *default_name;  /* the queue's provider, for clips and projects without a choice */
  GStrv  known;         /* the providers that can be looked up */
} StartData;

typedef struct
{
  char *project_id;
  char *ratio;
  char *image_path;
  char *output_path;
  char *video;
  char *motion;
  char *prompt;
  char *provider;   /* the chosen provider's name */
  gboolean unknown; /* nobody knows @provider: nothing was written */
  char *state_path;
  gboolean resume;
} StartResult;

typedef struct
{
  char   *clip_id;
  char   *video;
  GError *error;
} FinishData;

/* Records queued (data->queued) or not, for the ids in data->ids; returns the ids of
 * their projects when data->find_projects, for reloading the library. */
typedef struct
{
  GStrv    ids;
  gboolean queued;
  gboolean find_projects;
} QueuedData;

typedef struct
{
  char *clip_id;
  char *provider;
} OverrideData;

void      _echoes_generation_start_data_free     (StartData     *data);
void      _echoes_generation_start_result_free   (StartResult   *res);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StartResult, _echoes_generation_start_result_free)
void      _echoes_generation_finish_data_free    (FinishData    *data);
void      _echoes_generation_queued_data_free    (QueuedData    *data);
void      _echoes_generation_override_data_free  (OverrideData  *data);
gpointer  _echoes_generation_start_func          (EchoesStore   *store,
                                                  gpointer       data,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
gpointer  _echoes_generation_finish_func         (EchoesStore   *store,
                                                  gpointer       data,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
gpointer  _echoes_generation_list_project_func   (EchoesStore   *store,
                                                  gpointer       data,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
gpointer  _echoes_generation_set_queued_func     (EchoesStore   *store,
                                                  gpointer       data,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
gpointer  _echoes_generation_set_override_func   (EchoesStore   *store,
                                                  gpointer       data,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
gpointer  _echoes_generation_resume_func         (EchoesStore   *store,
                                                  gpointer       data,
                                                  GCancellable  *cancellable,
                                                  GError       **error);

G_END_DECLS
