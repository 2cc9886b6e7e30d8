/* echoes-stream-resolver.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-stream-resolver"

#include "config.h"

#include "echoes-stream-resolver.h"

/**
 * EchoesStreamResolver:
 *
 * Where the player reads each clip of a film or of the clip window: the local file
 * when it is on disk, else (a synced clip whose video is still to be downloaded) a
 * signed URL from the sync engine, streamed. As an #EchoesUriRenewer it gives the
 * player a new URL when the server refuses the old one (it expired), so playback goes
 * on. Once the download is done, the next load plays the file.
 *
 * The clip ids are those of the paths, in the same order.
 */
struct _EchoesStreamResolver
{
  GObject           parent_instance;

  EchoesSyncEngine *engine;    /* (owned) (nullable) signed out: nothing is streamed */
  GStrv             clip_ids;  /* (owned) */
};

static void echoes_stream_resolver_renewer_init (EchoesUriRenewerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EchoesStreamResolver, echoes_stream_resolver, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ECHOES_TYPE_URI_RENEWER,
                                                      echoes_stream_resolver_renewer_init))

typedef struct
{
  GStrv  sources;   /* paths, then some replaced by URLs */
  GArray *missing;  /* guint: indices of paths not on disk */
  guint  next;
  guint  streamed;
} Resolve;

static void
resolve_free (Resolve *resolve)
{
  g_strfreev (resolve->sources);
  g_clear_pointer (&resolve->missing, g_array_unref);
  g_free (resolve);
}

/* Worker thread: which files are not on disk. */
static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Resolve *resolve = task_data;

  for (guint i = 0; resolve->sources[i] != NULL; i++)
    if (g_path_is_absolute (resolve->sources[i]) &&
        !g_file_test (resolve->sources[i], G_FILE_TEST_EXISTS))
      g_array_append_val (resolve->missing, i);

  g_task_return_boolean (task, TRUE);
}

static void sign_next (GTask *task);

static void
signed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Resolve *resolve = g_task_get_task_data (task);
  guint index = g_array_index (resolve->missing, guint, resolve->next);
  g_autoptr(GError) error = NULL;
  char *url;

  url = echoes_sync_engine_sign_media_finish (ECHOES_SYNC_ENGINE (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (url != NULL)
    {
      g_free (resolve->sources[index]);
      resolve->sources[index] = url;
      resolve->streamed++;
    }
  else
    /* Not on the server either (or signed out): the path stays, and the player says
     * it cannot be played. */
    g_debug ("Clip %u cannot be streamed: %s", index, error->message);

  resolve->next++;
  sign_next (g_steal_pointer (&task));
}

static void
sign_next (GTask *task)
{
  EchoesStreamResolver *self = g_task_get_source_object (task);
  Resolve *resolve = g_task_get_task_data (task);

  if (self->engine == NULL || resolve->next >= resolve->missing->len)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  echoes_sync_engine_sign_media_async (self->engine,
                                       self->clip_ids[g_array_index (resolve->missing, guint,
                                                                     resolve->next)],
                                       "video", FALSE, g_task_get_cancellable (task),
                                       signed_cb, task);
}

static void
checked_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  sign_next (task);
}

static void
echoes_stream_resolver_finalize (GObject *object)
{
  EchoesStreamResolver *self = (EchoesStreamResolver *)object;

  g_clear_object (&self->engine);
  g_clear_pointer (&self->clip_ids, g_strfreev);

  G_OBJECT_CLASS (echoes_stream_resolver_parent_class)->finalize (object);
}

static void
echoes_stream_resolver_class_init (EchoesStreamResolverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = echoes_stream_resolver_finalize;
}

static void
echoes_stream_resolver_init (EchoesStreamResolver *self)
{
}

/* EchoesUriRenewer: the server refused a URL: ask for a new one. */

static void
renewed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *url;

  if (!(url = echoes_sync_engine_sign_media_finish (ECHOES_SYNC_ENGINE (object), result, NULL,
                                                    &error)))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, url, g_free);
}

static void
renew_async (EchoesUriRenewer    *renewer,
             guint                clip,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  EchoesStreamResolver *self = ECHOES_STREAM_RESOLVER (renewer);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, renew_async);

  if (self->engine == NULL || clip >= g_strv_length (self->clip_ids))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No clip %u to stream",
                               clip);
      return;
    }

  echoes_sync_engine_sign_media_async (self->engine, self->clip_ids[clip], "video", TRUE,
                                       cancellable, renewed_cb, g_steal_pointer (&task));
}

static char *
renew_finish (EchoesUriRenewer  *renewer,
              GAsyncResult      *result,
              GError           **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
echoes_stream_resolver_renewer_init (EchoesUriRenewerInterface *iface)
{
  iface->renew_async = renew_async;
  iface->renew_finish = renew_finish;
}

/**
 * echoes_stream_resolver_new:
 * @engine: (nullable): the sync engine while signed in, else %NULL (nothing streams)
 * @clip_ids: (array zero-terminated=1): the clip of each path to resolve, in order
 *
 * Returns: (transfer full): a resolver, to give the player with
 *   echoes_player_pipeline_set_renewer() as well
 */
EchoesStreamResolver *
echoes_stream_resolver_new (EchoesSyncEngine   *engine,
                            const char * const *clip_ids)
{
  EchoesStreamResolver *self;

  g_return_val_if_fail (!engine || ECHOES_IS_SYNC_ENGINE (engine), NULL);
  g_return_val_if_fail (clip_ids != NULL, NULL);

  self = g_object_new (ECHOES_TYPE_STREAM_RESOLVER, NULL);
  self->engine = engine ? g_object_ref (engine) : NULL;
  self->clip_ids = g_strdupv ((GStrv) clip_ids);
  return self;
}

/**
 * echoes_stream_resolver_resolve_async:
 * @self: an #EchoesStreamResolver
 * @paths: (array zero-terminated=1): the clips' absolute paths
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with what the player should load
 * @user_data: data for @callback
 *
 * Replaces the paths whose files are missing by signed URLs when the clip is synced
 * and on the server. Disk checks run on a worker thread.
 */
void
echoes_stream_resolver_resolve_async (EchoesStreamResolver *self,
                                      const char * const   *paths,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data)
{
  g_autoptr(GTask) check = NULL;
  GTask *task;
  Resolve *resolve;

  g_return_if_fail (ECHOES_IS_STREAM_RESOLVER (self));
  g_return_if_fail (paths != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_stream_resolver_resolve_async);
  resolve = g_new0 (Resolve, 1);
  resolve->sources = g_strdupv ((GStrv) paths);
  resolve->missing = g_array_new (FALSE, FALSE, sizeof (guint));
  g_task_set_task_data (task, resolve, (GDestroyNotify) resolve_free);

  check = g_task_new (self, cancellable, checked_cb, task);
  g_task_set_task_data (check, resolve, NULL);
  g_task_run_in_thread (check, check_thread);
}

/**
 * echoes_stream_resolver_resolve_finish:
 * @self: an #EchoesStreamResolver
 * @result: the result
 * @n_streamed: (out) (optional): how many clips are streamed
 * @error: return location for an error (only %G_IO_ERROR_CANCELLED)
 *
 * Returns: (transfer full): the paths, some replaced by URLs (secrets: never log them)
 */
GStrv
echoes_stream_resolver_resolve_finish (EchoesStreamResolver  *self,
                                       GAsyncResult          *result,
                                       guint                 *n_streamed,
                                       GError               **error)
{
  Resolve *resolve;

  g_return_val_if_fail (ECHOES_IS_STREAM_RESOLVER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;

  resolve = g_task_get_task_data (G_TASK (result));
  if (n_streamed != NULL)
    *n_streamed = resolve->streamed;
  return g_steal_pointer (&resolve->sources);
}
