/* echoes-runway-provider-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "echoes-functions-client.h"
#include "echoes-http.h"
#include "echoes-rest-client.h"
#include "echoes-runway-provider.h"
#include "echoes-storage-client.h"

G_BEGIN_DECLS

/* Shared by the files of EchoesRunwayProvider (see the top of echoes-runway-provider.c).
 * Everything here runs in the caller's context, except _echoes_runway_image_prepare_thread()
 * and _echoes_runway_job_state_read(), on a worker thread. */

#define DEFAULT_RETRY_AFTER_SECONDS 5.0
#define MAX_POLL_SECONDS            8.0
#define BACKOFF_FACTOR              1.5
#define MAX_PROMPT_CHARS            1000
#define STILL_POLLS                 3
/* The user's own key: the estimate of the time left that the server makes otherwise. */
#define MIN_ESTIMATE_SECONDS        1.5
#define MAX_ESTIMATE_SECONDS        7.0
#define PROGRESS_AGE_SECONDS        4.0

struct _EchoesRunwayProvider
{
  GObject                parent_instance;

  EchoesAuth            *auth;
  EchoesRestClient      *rest;
  EchoesStorageClient   *storage;
  EchoesFunctionsClient *functions;
  char                  *api_key;      /* (nullable) the user's own Runway key: a secret */
  EchoesHttp            *direct;       /* (nullable) Runway's API, with api_key */
  GHashTable            *jobs;         /* clip id → Job (unowned; a job removes itself) */
  double                 poll_scale;
  guint                  n_status_requests;
};

typedef struct
{
  EchoesRunwayProvider *self;          /* (owned) */
  char                 *clip_id;
  char                 *project_id;
  char                 *image_path;
  char                 *prompt;
  char                 *ratio;         /* Runway's, e.g. "1280:720" */
  guint                 duration;
  guint32               seed;
  char                 *output_path;

  char                 *upload_path;   /* what is sent: the photo or a converted copy */
  char                 *content_type;
  char                 *extension;
  gboolean              converted;
  char                 *image_object;  /* {user}/{project}/{clip}.{ext} */
  gboolean              use_key;       /* the user's own key: straight to Runway */
  char                 *data_uri;      /* the photo for Runway (own key only) */
  char                 *runway_task;   /* Runway's task id (own key only) */
  char                 *state_path;    /* (nullable) the resume state file */
  gboolean              resume;        /* finishing a run the app stopped in */
  char                 *state_kind;    /* (nullable) the state file's "kind", when resuming */
  char                 *state_task;    /* (nullable) its "task" or "previous_task" */
  char                 *server_task;   /* (nullable) the server clip's task id before ours */

  GTask                *task;          /* (owned) the first caller's */
  GPtrArray            *waiters;       /* (owned) GTask: callers that joined */
  GCancellable         *cancellable;   /* (owned) ours: cancelled by any caller or detach */
  GPtrArray            *caller_cancellables; /* (owned) */
  GArray               *cancel_ids;
  EchoesProgressFunc    progress;
  gpointer              progress_data;
  GDestroyNotify        progress_destroy;

  gboolean              started;       /* generate-clip was sent: cancel must tell the server */
  gboolean              detached;
  gboolean              done;
  gboolean              in_flight;     /* a request or the photo's preparation runs */
  GSource              *cancel_source; /* (owned) (nullable) */
  double                retry_after;   /* seconds, from the server */
  double                last_delay;    /* seconds */
  double                last_progress; /* the provider's, 0–1; -1 before any */
  guint                 n_still;       /* answers in a row without new progress */
  guint                 n_polls;
  guint                 poll_source;
} Job;

typedef void (*StateWritten) (Job *job);

/* echoes-runway-job.c */
void      _echoes_runway_job_return                   (Job           *job,
                                                       GError        *error);
void      _echoes_runway_job_report_progress          (Job           *job,
                                                       double         fraction);
void      _echoes_runway_job_cancelled                (Job           *job);
gboolean  _echoes_runway_job_resumed                  (Job           *job,
                                                       GError       **error);
gboolean  _echoes_runway_job_poll_failed              (Job           *job,
                                                       GError       **error);
void      _echoes_runway_job_cancellable_cancelled_cb (GCancellable  *cancellable,
                                                       Job           *job);
void      _echoes_runway_job_downloaded               (Job           *job,
                                                       GError        *error);
void      _echoes_runway_job_note_progress            (Job           *job,
                                                       JsonObject    *answer);
void      _echoes_runway_job_step_poll                (Job           *job);
gboolean  _echoes_runway_job_poll_timeout_cb          (gpointer       user_data);
void      _echoes_runway_job_state_read               (Job           *job);
void      _echoes_runway_job_state_write              (Job           *job,
                                                       const char    *kind,
                                                       const char    *member,
                                                       const char    *task,
                                                       StateWritten   next);
GError   *_echoes_runway_error_from_failure           (const char    *failure);
JsonNode *_echoes_runway_object_node_for              (const char    *first_name,
                                                       ...);
void      _echoes_runway_job_add_motion               (Job           *job,
                                                       JsonBuilder   *builder,
                                                       const char    *prompt_member);

/* echoes-runway-server.c */
void _echoes_runway_server_status_cb           (GObject      *object,
                                                GAsyncResult *result,
                                                gpointer      user_data);
void _echoes_runway_server_project_inserted_cb (GObject      *object,
                                                GAsyncResult *result,
                                                gpointer      user_data);

/* echoes-runway-direct.c */
SoupMessageHeaders *_echoes_runway_direct_headers   (EchoesRunwayProvider *self);
void                _echoes_runway_direct_cancel    (Job                  *job);
void                _echoes_runway_direct_status_cb (GObject              *object,
                                                     GAsyncResult         *result,
                                                     gpointer              user_data);
void                _echoes_runway_direct_start     (Job                  *job);

/* echoes-runway-image.c: on a worker thread, then back in the caller's context */
void _echoes_runway_image_prepare_thread (GTask        *task,
                                          gpointer      source_object,
                                          gpointer      task_data,
                                          GCancellable *cancellable);
void _echoes_runway_image_prepared_cb    (GObject      *object,
                                          GAsyncResult *result,
                                          gpointer      user_data);

G_END_DECLS
