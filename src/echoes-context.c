/* echoes-context.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-context"

#include "config.h"

#include "echoes-context.h"
#include "echoes-context-private.h"

#include "echoes-export-scratch.h"
#include "echoes-local-provider.h"
#include "echoes-paths.h"
#include "echoes-runway-key.h"
#include "echoes-secret-store.h"
#include "echoes-supabase-remote.h"
#include "echoes-util.h"

/**
 * EchoesContext:
 *
 * Everything below the UI that the app and the CLI share: the store, the live models,
 * the thumbnailer, the video providers and the generation queue. Created once by the
 * application and passed down; there are no other globals. It also owns the account
 * session (#EchoesAuth), created on first use so that the CLI pays for it only when
 * it asks.
 *
 * In the app (a context opened with echoes_context_new_async()), it also owns the
 * #EchoesSyncEngine while the account is signed in: created and started when the session
 * is there (signed in or restored), stopped and dropped on sign-out. On the first
 * sign-in of an account in this data directory, when there are local projects, the
 * #EchoesContext:first-sign-in property asks the UI whether to upload them
 * (echoes_context_answer_first_sign_in()).
 */
struct _EchoesContext
{
  GObject            parent_instance;

  EchoesStore       *store;        /* (owned) */
  EchoesLibrary     *library;      /* (owned) */
  EchoesThumbnailer *thumbnailer;  /* (owned) */
  EchoesProviderRegistry *registry; /* (owned) */
  EchoesGenerationQueue  *queue;    /* (owned) */
  EchoesAuth        *auth;         /* (owned) (nullable) NULL: not created yet or no server */
  gboolean           auth_looked_up;
  GCancellable      *cancellable;  /* (owned) cancelled in dispose */
  EchoesSecretStore *keyring;      /* (owned) (nullable) for the user's own Runway key */

  /* Sync (the app only) */
  EchoesSyncEngine  *sync_engine;  /* (owned) (nullable) while signed in */
  GCancellable      *sync_cancellable; /* (owned) (nullable) the engine's setup */
  guint              first_sign_in;    /* local projects to ask about, 0: no question */
  gboolean           sync_enabled;
  EchoesSyncRemote  *test_remote;  /* (owned) (nullable) */
  GNetworkMonitor   *test_monitor; /* (owned) (nullable) */
};

G_DEFINE_FINAL_TYPE (EchoesContext, echoes_context, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SYNC_ENGINE,
  PROP_FIRST_SIGN_IN,
  PROP_HAS_RUNWAY_KEY,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
echoes_context_dispose (GObject *object)
{
  EchoesContext *self = (EchoesContext *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->auth != NULL)
    g_signal_handlers_disconnect_by_data (self->auth, self);
  if (self->sync_engine != NULL)
    echoes_sync_engine_stop (self->sync_engine);
  if (self->sync_cancellable != NULL)
    g_cancellable_cancel (self->sync_cancellable);
  g_clear_object (&self->sync_cancellable);
  g_clear_object (&self->sync_engine);
  g_clear_object (&self->test_remote);
  g_clear_object (&self->test_monitor);
  g_clear_object (&self->auth);
  g_clear_object (&self->keyring);
  g_clear_object (&self->cancellable);

  /* Queued clips stay queued in the store; the next start resumes them. */
  g_clear_object (&self->queue);
  g_clear_object (&self->registry);
  g_clear_object (&self->library);
  g_clear_object (&self->thumbnailer);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (echoes_context_parent_class)->dispose (object);
}

static void
echoes_context_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  EchoesContext *self = ECHOES_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_SYNC_ENGINE:
      g_value_set_object (value, self->sync_engine);
      break;

    case PROP_FIRST_SIGN_IN:
      g_value_set_uint (value, self->first_sign_in);
      break;

    case PROP_HAS_RUNWAY_KEY:
      g_value_set_boolean (value, echoes_context_get_has_runway_key (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_context_class_init (EchoesContextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = echoes_context_dispose;
  object_class->get_property = echoes_context_get_property;

  /**
   * EchoesContext:sync-engine:
   *
   * The sync engine while the account is signed in, %NULL otherwise.
   */
  properties [PROP_SYNC_ENGINE] =
    g_param_spec_object ("sync-engine", NULL, NULL, ECHOES_TYPE_SYNC_ENGINE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesContext:first-sign-in:
   *
   * When not 0, the account signed in for the first time in this data directory and
   * there are this many local projects: the UI asks, once, whether to upload them and
   * answers with echoes_context_answer_first_sign_in().
   */
  properties [PROP_FIRST_SIGN_IN] =
    g_param_spec_uint ("first-sign-in", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesContext:has-runway-key:
   *
   * Whether AI clips ("runway") go straight to Runway with the user's own key, kept in
   * the keyring (no account, no credits), rather than through the account server.
   */
  properties [PROP_HAS_RUNWAY_KEY] =
    g_param_spec_boolean ("has-runway-key", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
echoes_context_init (EchoesContext *self)
{
  self->cancellable = g_cancellable_new ();
}

/**
 * echoes_context_new:
 * @store: an open store
 *
 * Returns: (transfer full): a new #EchoesContext
 */
EchoesContext *
echoes_context_new (EchoesStore *store)
{
  EchoesContext *self;
  g_autofree char *cache_dir = echoes_paths_dup_cache_dir ();

  g_return_val_if_fail (ECHOES_IS_STORE (store), NULL);

  self = g_object_new (ECHOES_TYPE_CONTEXT, NULL);
  self->store = g_object_ref (store);
  self->library = echoes_library_new (store);
  self->thumbnailer = echoes_thumbnailer_new (cache_dir);
  self->registry = echoes_provider_registry_new ();
  self->queue = echoes_generation_queue_new (store, self->library,
                                             echoes_provider_registry_lookup (self->registry,
                                                                              ECHOES_LOCAL_PROVIDER_NAME));
  /* Projects and clips choose their provider by name (EchoesProject:provider). */
  echoes_generation_queue_set_registry (self->queue, self->registry);
  return self;
}

/* ---- sync (the app only) ---- */

static void
set_first_sign_in (EchoesContext *self,
                   guint          n_local)
{
  if (self->first_sign_in == n_local)
    return;
  self->first_sign_in = n_local;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_FIRST_SIGN_IN]);
}

static void
signed_in_recorded_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!echoes_sync_engine_signed_in_finish (ECHOES_SYNC_ENGINE (object), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("The sign-in could not be recorded: %s", error->message);
}

static void
local_listed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EchoesContext) self = user_data;
  EchoesSyncEngine *engine = ECHOES_SYNC_ENGINE (object);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) local = NULL;

  local = echoes_sync_engine_list_local_projects_finish (engine, result, &error);
  if (engine != self->sync_engine)
    return;
  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("The local projects could not be listed: %s", error->message);
      return;
    }

  if (g_strv_length (local) == 0)
    echoes_sync_engine_signed_in_async (engine, FALSE, self->sync_cancellable,
                                        signed_in_recorded_cb, NULL);
  else
    set_first_sign_in (self, g_strv_length (local));
}

static gpointer
read_account (EchoesStore   *store,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  char *account = echoes_store_dup_sync_value (store, "account", &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return account != NULL ? account : g_strdup ("");
}

/* Whose are the synced projects here? None yet: the first sign-in (ask about the local
 * projects); this account's: sync as before; another account's: nothing is recorded,
 * and the engine reports it. */
static void
account_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EchoesContext) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  EchoesSyncEngine *engine = self->sync_engine;
  const char *user_id;

  account = echoes_store_run_finish (ECHOES_STORE (object), result, &error);
  if (engine == NULL || g_cancellable_is_cancelled (self->sync_cancellable))
    return;
  if (account == NULL)
    {
      g_warning ("The account of this data directory could not be read: %s", error->message);
      return;
    }

  user_id = echoes_sync_remote_get_user_id (echoes_sync_engine_get_remote (engine));
  if (*account == '\0')
    echoes_sync_engine_list_local_projects_async (engine, self->sync_cancellable,
                                                  local_listed_cb, g_object_ref (self));
  else if (g_strcmp0 (account, user_id) == 0)
    echoes_sync_engine_signed_in_async (engine, FALSE, self->sync_cancellable,
                                        signed_in_recorded_cb, NULL);
}

static void
create_sync_engine (EchoesContext *self)
{
  g_autoptr(EchoesSyncRemote) remote = NULL;
  GNetworkMonitor *monitor;

  if (self->sync_engine != NULL)
    return;

  if (self->test_remote != NULL)
    remote = g_object_ref (self->test_remote);
  else
    remote = ECHOES_SYNC_REMOTE (echoes_supabase_remote_new (self->auth));
  monitor = self->test_monitor != NULL ? self->test_monitor : g_network_monitor_get_default ();

  self->sync_cancellable = g_cancellable_new ();
  self->sync_engine = echoes_sync_engine_new (self->store, remote, monitor);
  echoes_sync_engine_start (self->sync_engine);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SYNC_ENGINE]);

  echoes_store_run_async (self->store, read_account, NULL, NULL, g_free, self->sync_cancellable,
                          account_read_cb, g_object_ref (self));
}

static void
signed_out_recorded_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!echoes_sync_engine_signed_out_finish (ECHOES_SYNC_ENGINE (object), result, &error))
    g_warning ("The sign-out could not be recorded: %s", error->message);
}

/* Sign-out: new projects are local-only from now on; what was not pushed stays queued
 * for the next sign-in. */
static void
drop_sync_engine (EchoesContext *self)
{
  g_autoptr(EchoesSyncEngine) engine = g_steal_pointer (&self->sync_engine);

  if (engine == NULL)
    return;

  g_cancellable_cancel (self->sync_cancellable);
  g_clear_object (&self->sync_cancellable);
  echoes_sync_engine_signed_out_async (engine, NULL, signed_out_recorded_cb, NULL);
  set_first_sign_in (self, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SYNC_ENGINE]);
}

static void
update_sync (EchoesContext *self)
{
  if (self->auth != NULL && echoes_auth_get_signed_in (self->auth))
    create_sync_engine (self);
  else
    drop_sync_engine (self);
}

static void
enable_sync (EchoesContext *self)
{
  if (self->sync_enabled || echoes_context_get_auth (self) == NULL)
    return;

  self->sync_enabled = TRUE;
  g_signal_connect_swapped (self->auth, "notify::signed-in", G_CALLBACK (update_sync), self);
  update_sync (self);
}

static void
restored_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* Offline, the kept session stays and EchoesAuth refreshes it later; a refused one
   * ended with EchoesAuth::signed-out, which the UI reports. */
  if (!echoes_auth_restore_finish (ECHOES_AUTH (object), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("The account session was not restored: %s", error->message);
}

/* The app (which opens its context asynchronously) takes the kept session back at once,
 * in the background; the CLI restores it only for the commands that need it. */
static void
restore_session (EchoesContext *self)
{
  EchoesAuth *auth = echoes_context_get_auth (self);

  if (auth != NULL)
    echoes_auth_restore_async (auth, self->cancellable, restored_cb, NULL);
  enable_sync (self);
}

static void
sweep_exports (void)
{
  g_autofree char *cache_dir = echoes_paths_dup_cache_dir ();
  guint n;

  if ((n = echoes_export_scratch_sweep (cache_dir)) > 0)
    g_debug ("Removed the leftovers of %u exports", n);
}

static void
sweep_exports_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  sweep_exports ();
  g_task_return_boolean (task, TRUE);
}

static void
runway_key_loaded_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!echoes_context_load_runway_key_finish (ECHOES_CONTEXT (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("No own Runway key: %s", error->message);
}

static void
open_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(EchoesStore) store = NULL;
  g_autoptr(GError) error = NULL;
  EchoesContext *self;

  if (!(store = echoes_store_open_finish (result, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self = echoes_context_new (store);
  /* What was trashed and not restored in the last session goes for good now. */
  echoes_library_purge_trash (self->library);
  restore_session (self);
  /* The user's own Runway key, if any, from the keyring. */
  echoes_context_load_runway_key_async (self, self->cancellable, runway_key_loaded_cb, NULL);
  /* And what exports killed in the last session left, off the main thread. */
  {
    g_autoptr(GTask) sweep = g_task_new (NULL, NULL, NULL, NULL);

    g_task_run_in_thread (sweep, sweep_exports_thread);
  }
  g_task_return_pointer (task, self, g_object_unref);
}

/**
 * echoes_context_new_async:
 * @data_dir: (nullable): the data directory, %NULL for the default
 *
 * Opens the store off the main thread and builds the context on it.
 */
void
echoes_context_new_async (const char          *data_dir,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_context_new_async);
  echoes_store_open_async (data_dir, cancellable, open_cb, g_steal_pointer (&task));
}

/**
 * echoes_context_new_finish:
 *
 * Returns: (transfer full): the context, or %NULL with an #EchoesStoreError
 */
EchoesContext *
echoes_context_new_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * echoes_context_get_store:
 *
 * Returns: (transfer none): the store
 */
EchoesStore *
echoes_context_get_store (EchoesContext *self)
{
  g_return_val_if_fail (ECHOES_IS_CONTEXT (self), NULL);
  return self->store;
}

/**
 * echoes_context_get_library:
 *
 * Returns: (transfer none): the live models
 */
EchoesLibrary *
echoes_context_get_library (EchoesContext *self)
{
  g_return_val_if_fail (ECHOES_IS_CONTEXT (self), NULL);
  return self->library;
}

/**
 * echoes_context_get_thumbnailer:
 *
 * Returns: (transfer none): the thumbnailer
 */
EchoesThumbnailer *
echoes_context_get_thumbnailer (EchoesContext *self)
{
  g_return_val_if_fail (ECHOES_IS_CONTEXT (self), NULL);
  return self->thumbnailer;
}

/**
 * echoes_context_get_registry:
 *
 * Returns: (transfer none): the video providers
 */
EchoesProviderRegistry *
echoes_context_get_registry (EchoesContext *self)
{
  g_return_val_if_fail (ECHOES_IS_CONTEXT (self), NULL);
  return self->registry;
}

/**
 * echoes_context_get_queue:
 *
 * Returns: (transfer none): the generation queue
 */
EchoesGenerationQueue *
echoes_context_get_queue (EchoesContext *self)
{
  g_return_val_if_fail (ECHOES_IS_CONTEXT (self), NULL);
  return self->queue;
}

/**
 * echoes_context_get_auth:
 *
 * Gets the account session, created on the first call for the configured account
 * server (the `supabase-url` and `supabase-anon-key` settings, or the
 * `ECHOES_SUPABASE_URL` and `ECHOES_SUPABASE_ANON_KEY` environment variables). A context
 * opened with echoes_context_new_async() also restores the session kept in the keyring.
 *
 * Returns: (transfer none) (nullable): the session owner, or %NULL when this build has no
 *   account server
 */
EchoesAuth *
echoes_context_get_auth (EchoesContext *self)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (ECHOES_IS_CONTEXT (self), NULL);

  if (!self->auth_looked_up)
    {
      self->auth_looked_up = TRUE;
      if (!(self->auth = echoes_auth_new_from_settings (&error)))
        g_debug ("No account: %s", error->message);
      else
        /* The "runway" provider generates (and pays) as this session's account. */
        echoes_context_set_auth (self, self->auth);
    }
  return self->auth;
}

/**
 * echoes_context_choose_provider:
 * @clip: a clip of the library
 *
 * The provider @clip will be made with, as the generation queue resolves it: its own
 * choice, else its project's (as the library holds it), else the queue's (the app's
 * `active-provider`). For the cards' badges and the credit count.
 *
 * Returns: (transfer none): the provider's name, valid while @clip, its project and the
 *   queue's provider are
 */
const char *
echoes_context_choose_provider (EchoesContext *self,
                                EchoesClip    *clip)
{
  EchoesProject *project;

  g_return_val_if_fail (ECHOES_IS_CONTEXT (self), NULL);
  g_return_val_if_fail (ECHOES_IS_CLIP (clip), NULL);

  project = echoes_library_find_project (self->library, echoes_clip_get_project_id (clip));
  return echoes_clip_choose_provider (clip, project ? echoes_project_get_provider (project) : NULL,
                                      echoes_video_provider_get_name (echoes_generation_queue_get_provider (self->queue)));
}

/**
 * echoes_context_apply_settings:
 * @settings: (nullable): the app's settings; %NULL when its schema is not installed
 *   (running from the build tree), which keeps the defaults
 *
 * Applies the preferences the layers below the UI follow: the film shape of new projects
 * (`default-ratio`), the length of clips whose motion gives none (`clip-duration`) and
 * whether failed AI clips are made with Ken Burns instead (`ken-burns-fallback`).
 * The app calls it again when one changes; the provider is
 * echoes_context_set_provider_name()'s.
 */
void
echoes_context_apply_settings (EchoesContext *self,
                               GSettings     *settings)
{
  g_autofree char *ratio_name = NULL;
  EchoesRatio ratio = ECHOES_RATIO_DEFAULT;
  double duration = 0;
  gboolean fallback = FALSE;

  g_return_if_fail (ECHOES_IS_CONTEXT (self));
  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));

  if (settings != NULL)
    {
      ratio_name = g_settings_get_string (settings, "default-ratio");
      if (!echoes_ratio_from_string (ratio_name, &ratio))
        ratio = ECHOES_RATIO_DEFAULT;
      duration = g_settings_get_double (settings, "clip-duration");
      fallback = g_settings_get_boolean (settings, "ken-burns-fallback");
    }

  echoes_store_set_default_ratio (self->store, ratio);
  echoes_generation_queue_set_default_duration (self->queue, duration);
  echoes_generation_queue_set_ken_burns_fallback (self->queue, fallback);
}

/**
 * echoes_context_set_provider_name:
 * @setting: (nullable): the `active-provider` GSettings value
 *
 * Makes the provider named by @setting (or by the `ECHOES_PROVIDER` environment
 * variable, which wins) the one the queue generates with. An unknown name falls back
 * to the local provider.
 */
void
echoes_context_set_provider_name (EchoesContext *self,
                                  const char    *setting)
{
  g_autoptr(GError) error = NULL;
  EchoesVideoProvider *provider;

  g_return_if_fail (ECHOES_IS_CONTEXT (self));

  if (!(provider = echoes_provider_registry_get_active (self->registry, setting, &error)))
    {
      g_warning ("%s; using the local provider", error->message);
      provider = echoes_provider_registry_lookup (self->registry, ECHOES_LOCAL_PROVIDER_NAME);
    }

  echoes_generation_queue_set_provider (self->queue, provider);
}

/**
 * echoes_context_set_auth:
 * @auth: (nullable): the app's session owner, %NULL when the account server is not set up
 *
 * Makes the "runway" provider generate (and pay) as @auth's account. When the queue
 * generates with "runway", it switches to the new one; jobs already running keep theirs.
 */
void
echoes_context_set_auth (EchoesContext *self,
                         EchoesAuth    *auth)
{
  gboolean was_runway;

  g_return_if_fail (ECHOES_IS_CONTEXT (self));
  g_return_if_fail (auth == NULL || ECHOES_IS_AUTH (auth));

  was_runway = g_strcmp0 (echoes_video_provider_get_name (echoes_generation_queue_get_provider (self->queue)),
                          "runway") == 0;
  echoes_provider_registry_set_auth (self->registry, auth);
  if (was_runway)
    echoes_generation_queue_set_provider (self->queue,
                                          echoes_provider_registry_lookup (self->registry, "runway"));
}

/**
 * echoes_context_sweep_exports:
 *
 * Removes what exports that did not end (a killed process, a power cut) left: their
 * working files in the cache and their temporary films. Exports still running are
 * left alone. Blocks on the disk: the app runs it on a worker thread at start-up
 * (echoes_context_new_async()), the CLI before each command.
 */
void
echoes_context_sweep_exports (EchoesContext *self)
{
  g_return_if_fail (ECHOES_IS_CONTEXT (self));

  sweep_exports ();
}

/**
 * echoes_context_get_sync_engine:
 *
 * Returns: (transfer none) (nullable): the sync engine while the account is signed in
 *   (in the app), %NULL otherwise
 */
EchoesSyncEngine *
echoes_context_get_sync_engine (EchoesContext *self)
{
  g_return_val_if_fail (ECHOES_IS_CONTEXT (self), NULL);
  return self->sync_engine;
}

/**
 * echoes_context_get_first_sign_in:
 *
 * Returns: how many local projects the first sign-in asks about, 0 when there is no
 *   question
 */
guint
echoes_context_get_first_sign_in (EchoesContext *self)
{
  g_return_val_if_fail (ECHOES_IS_CONTEXT (self), 0);
  return self->first_sign_in;
}

/**
 * echoes_context_answer_first_sign_in:
 * @upload_local: %TRUE to upload the local projects to the account, %FALSE to keep
 *   them on this computer only
 *
 * Answers the first sign-in's question (#EchoesContext:first-sign-in), which then goes.
 */
void
echoes_context_answer_first_sign_in (EchoesContext *self,
                                     gboolean       upload_local)
{
  g_return_if_fail (ECHOES_IS_CONTEXT (self));

  if (self->first_sign_in == 0 || self->sync_engine == NULL)
    return;

  set_first_sign_in (self, 0);
  echoes_sync_engine_signed_in_async (self->sync_engine, upload_local, self->sync_cancellable,
                                      signed_in_recorded_cb, NULL);
}

/* For tests only (echoes-context-private.h): syncs with @remote over @monitor as if an
 * account had signed in (%NULL @remote: as if it signed out). */
void
_echoes_context_set_sync_remote_for_testing (EchoesContext    *self,
                                             EchoesSyncRemote *remote,
                                             GNetworkMonitor  *monitor)
{
  g_return_if_fail (ECHOES_IS_CONTEXT (self));

  drop_sync_engine (self);
  g_set_object (&self->test_remote, remote);
  g_set_object (&self->test_monitor, monitor);
  if (remote != NULL)
    create_sync_engine (self);
}

/* The user's own Runway key ("bring your own key"): checked once with Runway, then kept
 * only in the keyring under Runway's API address (cloud/echoes-runway-key.c) and handed
 * to the "runway" provider (echoes_provider_registry_set_runway_key()). */

static EchoesSecretStore *
get_keyring (EchoesContext *self)
{
  if (self->keyring == NULL)
    self->keyring = echoes_secret_store_new ();
  return self->keyring;
}

static void
apply_runway_key (EchoesContext *self,
                  const char    *key)
{
  g_autofree char *api_url = echoes_runway_key_dup_api_url ();
  gboolean had = echoes_context_get_has_runway_key (self);

  echoes_provider_registry_set_runway_key (self->registry, key, api_url);
  if (had != echoes_context_get_has_runway_key (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_HAS_RUNWAY_KEY]);
}

/**
 * echoes_context_get_has_runway_key:
 *
 * Returns: whether AI clips use the user's own Runway key (#EchoesContext:has-runway-key)
 */
gboolean
echoes_context_get_has_runway_key (EchoesContext *self)
{
  g_return_val_if_fail (ECHOES_IS_CONTEXT (self), FALSE);
  return echoes_provider_registry_get_has_runway_key (self->registry);
}

static void
runway_key_looked_up_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EchoesContext *self = g_task_get_source_object (task);
  GError *error = NULL;
  char *key;

  key = echoes_secret_store_lookup_finish (ECHOES_SECRET_STORE (object), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  apply_runway_key (self, key);
  echoes_secret_free (key);
  g_task_return_boolean (task, TRUE);
}

/**
 * echoes_context_load_runway_key_async:
 *
 * Looks for the user's own Runway key in the keyring and, when there is one, has AI
 * clips use it. The app does it at start-up, the CLI before it generates.
 */
void
echoes_context_load_runway_key_async (EchoesContext       *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *api_url = echoes_runway_key_dup_api_url ();

  g_return_if_fail (ECHOES_IS_CONTEXT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_context_load_runway_key_async);
  echoes_secret_store_lookup_async (get_keyring (self), api_url, cancellable,
                                    runway_key_looked_up_cb, g_steal_pointer (&task));
}

/**
 * echoes_context_load_runway_key_finish:
 *
 * Returns: %TRUE when the keyring answered (with a key or without), %FALSE with an error
 *   when there is no keyring
 */
gboolean
echoes_context_load_runway_key_finish (EchoesContext  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
runway_key_saved_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EchoesContext *self = g_task_get_source_object (task);
  char *key = g_task_get_task_data (task);
  GError *error = NULL;

  if (!echoes_runway_key_save_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  apply_runway_key (self, key);
  g_task_return_boolean (task, TRUE);
}

static void
runway_key_forgotten_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EchoesContext *self = g_task_get_source_object (task);
  GError *error = NULL;

  /* Whatever the keyring says, this session stops using the key. */
  apply_runway_key (self, NULL);
  if (!echoes_secret_store_clear_finish (ECHOES_SECRET_STORE (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * echoes_context_set_runway_key_async:
 * @key: (nullable): the user's own Runway key, %NULL to remove it
 *
 * With @key: checks it once with Runway, keeps it in the keyring and has AI clips use
 * it; nothing changes when Runway refuses it (%ECHOES_CLOUD_ERROR_UNAUTHORIZED) or there
 * is no keyring. With %NULL: forgets it here and in the keyring; AI clips go through the
 * account and its credits again. Runs already started keep their way.
 */
void
echoes_context_set_runway_key_async (EchoesContext       *self,
                                     const char          *key,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *api_url = echoes_runway_key_dup_api_url ();

  g_return_if_fail (ECHOES_IS_CONTEXT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_context_set_runway_key_async);
  if (key == NULL || *key == '\0')
    {
      echoes_secret_store_clear_async (get_keyring (self), api_url, cancellable,
                                       runway_key_forgotten_cb, g_steal_pointer (&task));
      return;
    }

  g_task_set_task_data (task, g_strdup (key), echoes_secret_free);
  echoes_runway_key_save_async (get_keyring (self), api_url, key, cancellable,
                                runway_key_saved_cb, g_steal_pointer (&task));
}

/**
 * echoes_context_set_runway_key_finish:
 *
 * Returns: %TRUE when the key is kept (or removed)
 */
gboolean
echoes_context_set_runway_key_finish (EchoesContext  *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
