/* echoes-sync-engine.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-sync-engine"

#include "config.h"

#include "echoes-sync-engine-private.h"
#include "echoes-media-signer.h"

/**
 * EchoesSyncEngine:
 *
 * Keeps the synced projects of the store and the account's server in step.
 *
 * The store stays what the UI reads. Local changes to synced projects are queued in the
 * store's outbox by the store itself, in the transaction of the change; the engine
 * pushes the outbox oldest first, each item with the current values of the fields it
 * names, and takes it off only once the server has it (an item pushed twice after a
 * crash is harmless: pushes are upserts). Rows go in batches (a few requests for many
 * rows) and media uploads a few at a time (echoes-sync-push.c). A failed item is retried
 * later with exponential backoff and jitter; meanwhile the items of other rows go on,
 * and only those of the same row (or, for a project, of its clips) wait behind it.
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

void
_echoes_sync_engine_set_progress (EchoesSyncEngine *self,
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

gint64
_echoes_sync_backoff (gint64 min,
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

static void
cycle_free (Cycle *cycle)
{
  g_clear_object (&cycle->self);
  g_clear_object (&cycle->cancellable);
  g_clear_pointer (&cycle->waiters, g_ptr_array_unref);
  g_clear_pointer (&cycle->push, _echoes_sync_push_state_free);
  g_clear_pointer (&cycle->media, g_ptr_array_unref);
  g_free (cycle->tmp_path);
  g_free (cycle->final_path);
  g_clear_error (&cycle->error);
  g_free (cycle);
}

static void cycle_start   (EchoesSyncEngine *self,
                           gboolean          pull);

gboolean
_echoes_sync_is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

void
_echoes_sync_cycle_step_done (Cycle *cycle)
{
  cycle->n_done++;
  if (cycle->announced && cycle->n_steps > 0)
    _echoes_sync_engine_set_progress (cycle->self, (double)cycle->n_done /
                                                   MAX (cycle->n_steps, cycle->n_done + 1));
}

void
_echoes_sync_cycle_record_error (Cycle        *cycle,
                                 const GError *error)
{
  g_debug ("Sync step failed: %s", error->message);
  if (cycle->error == NULL)
    cycle->error = g_error_copy (error);
}

void
_echoes_sync_cycle_announce (Cycle *cycle)
{
  if (!cycle->announced)
    {
      cycle->announced = TRUE;
      _echoes_sync_engine_set_progress (cycle->self, 0.0);
      set_state (cycle->self, ECHOES_SYNC_STATE_SYNCING);
    }
}

void
_echoes_sync_cycle_finish (Cycle *cycle)
{
  EchoesSyncEngine *self = cycle->self;
  gint64 now = g_get_real_time ();

  self->busy = FALSE;

  if (cycle->pull)
    {
      if (cycle->error && !_echoes_sync_is_cancelled (cycle->error))
        self->next_pull_at = now + _echoes_sync_backoff (PULL_BACKOFF_MIN, PULL_BACKOFF_MAX,
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
      else if (cycle->error && !_echoes_sync_is_cancelled (cycle->error))
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
      _echoes_sync_engine_set_progress (self, 1.0);
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

static void
outbox_listed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Cycle *cycle = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *items;

  if (!(items = echoes_store_run_finish (ECHOES_STORE (object), result, &error)))
    {
      _echoes_sync_cycle_record_error (cycle, error);
      _echoes_sync_cycle_finish (cycle);
      return;
    }

  _echoes_sync_push_start (cycle, items);
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
      _echoes_sync_cycle_record_error (cycle, error);
      _echoes_sync_cycle_finish (cycle);
      return;
    }

  if (!(user_id = echoes_sync_remote_get_user_id (cycle->self->remote)))
    g_set_error (&error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NOT_SIGNED_IN, "Not signed in");
  else if (*account != '\0' && !g_str_equal (account, user_id))
    g_set_error (&error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_OTHER_ACCOUNT,
                 "The synced projects here belong to another account");
  if (error)
    {
      _echoes_sync_cycle_record_error (cycle, error);
      _echoes_sync_cycle_finish (cycle);
      return;
    }

  _echoes_sync_run_job (cycle->self, _echoes_sync_job_new (JOB_LIST_OUTBOX), cycle->cancellable,
                        outbox_listed_cb, cycle);
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
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->busy = TRUE;
  if (cycle->pull)
    {
      self->pull_requested = FALSE;
      cycle->n_steps = ECHOES_SYNC_N_TABLES;
      _echoes_sync_cycle_announce (cycle);
    }

  job = _echoes_sync_job_new (JOB_GET_CURSOR);
  job->key = g_strdup ("account");
  job->value = g_strdup ("");
  _echoes_sync_run_job (self, job, cycle->cancellable, account_checked_cb, cycle);
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
    {
      g_object_unref (self->cancellable);
      self->cancellable = g_cancellable_new ();
    }

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
  g_object_unref (self->cancellable);
  self->cancellable = g_cancellable_new ();
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
