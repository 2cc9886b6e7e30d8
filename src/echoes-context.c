/* echoes-context.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-context"

#include "config.h"

#include "echoes-context.h"

#include "echoes-export-scratch.h"
#include "echoes-local-provider.h"
#include "echoes-paths.h"

/**
 * EchoesContext:
 *
 * Everything below the UI that the app and the CLI share: the store, the live models,
 * the thumbnailer, the video providers and the generation queue. Created once by the
 * application and passed down; there are no other globals. It also owns the account
 * session (#EchoesAuth), created on first use so that the CLI pays for it only when
 * it asks.
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
};

G_DEFINE_FINAL_TYPE (EchoesContext, echoes_context, G_TYPE_OBJECT)

static void
echoes_context_dispose (GObject *object)
{
  EchoesContext *self = (EchoesContext *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->auth);
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
echoes_context_class_init (EchoesContextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = echoes_context_dispose;
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
  return self;
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
