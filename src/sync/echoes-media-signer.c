/* echoes-media-signer.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-media-signer"

#include "config.h"

#include "echoes-media-signer.h"

#include <string.h>

/**
 * EchoesMediaSigner:
 *
 * Signed URLs for the media of synced clips, to stream a clip whose file is not (yet)
 * downloaded. A URL is asked for an hour (#ECHOES_MEDIA_URL_LIFETIME) and given again
 * until shortly before it expires (a tenth of its lifetime, at most five minutes);
 * `force_new` asks for a new one, for when the server refused the old one. The object
 * is the one the sync engine uploads (`{user}/{project}/{clip}.{ext}` in `images` or
 * `clips`). URLs are secrets: they are never logged, and forgotten at sign-out.
 *
 * Lives on the main thread; the store is read on its worker.
 */
struct _EchoesMediaSigner
{
  GObject           parent_instance;

  EchoesStore      *store;    /* (owned) */
  EchoesSyncRemote *remote;   /* (owned) */
  GHashTable       *cache;    /* (owned) "kind:clip" -> Signed */
  guint             lifetime;
};

G_DEFINE_FINAL_TYPE (EchoesMediaSigner, echoes_media_signer, G_TYPE_OBJECT)

typedef struct
{
  char   *url;
  gint64  expires_at;   /* real time, µs */
} Signed;

static void
signed_free (Signed *entry)
{
  g_free (entry->url);
  g_free (entry);
}

typedef struct
{
  char   *key;
  char   *clip_id;
  char   *kind;
  char   *relative;     /* from the store */
  gint64  expires_at;
} Request;

static void
request_free (Request *request)
{
  g_free (request->key);
  g_free (request->clip_id);
  g_free (request->kind);
  g_free (request->relative);
  g_free (request);
}

static gint64
margin (guint lifetime)
{
  return MIN ((gint64) lifetime * G_USEC_PER_SEC / 10, 5 * G_TIME_SPAN_MINUTE);
}

/* Store thread: the clip's media path, if its project is synced. */
static gpointer
media_path_job (EchoesStore   *store,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  Request *request = data;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(EchoesProject) project = NULL;
  const char *relative;

  if (!(clip = echoes_store_get_clip (store, request->clip_id, error)) ||
      !(project = echoes_store_get_project (store, echoes_clip_get_project_id (clip), error)))
    return NULL;

  relative = g_str_equal (request->kind, "image") ? echoes_clip_get_image (clip)
                                                  : echoes_clip_get_video (clip);
  if (!echoes_project_get_synced (project) || relative == NULL ||
      strchr (relative, '/') == NULL || g_path_is_absolute (relative))
    {
      g_set_error (error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NOT_FOUND,
                   "Clip %s has no synced %s", request->clip_id, request->kind);
      return NULL;
    }

  return g_strdup (relative);
}

static void
signed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EchoesMediaSigner *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  GError *error = NULL;
  Signed *entry;
  char *url;

  if (!(url = echoes_sync_remote_sign_finish (ECHOES_SYNC_REMOTE (object), result, &error)))
    {
      g_task_return_error (task, error);
      return;
    }

  entry = g_new0 (Signed, 1);
  entry->url = url;
  entry->expires_at = request->expires_at;
  g_hash_table_replace (self->cache, g_strdup (request->key), entry);
  g_debug ("Signed the %s of clip %s", request->kind, request->clip_id);

  g_task_return_pointer (task, g_strdup (url), g_free);
}

static void
path_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EchoesMediaSigner *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autofree char *object_path = NULL;
  const char *user_id;
  GError *error = NULL;

  if (!(request->relative = echoes_store_run_finish (ECHOES_STORE (object), result, &error)))
    {
      g_task_return_error (task, error);
      return;
    }

  if (!(user_id = echoes_sync_remote_get_user_id (self->remote)))
    {
      g_task_return_new_error (task, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NOT_SIGNED_IN,
                               "Not signed in");
      return;
    }

  /* `clips/{project}/{name}` is the object `{user}/{project}/{name}`, as uploaded */
  object_path = g_strdup_printf ("%s/%s", user_id, strchr (request->relative, '/') + 1);
  request->expires_at = g_get_real_time () + (gint64) self->lifetime * G_USEC_PER_SEC;
  echoes_sync_remote_sign_async (self->remote,
                                 g_str_equal (request->kind, "image") ? "images" : "clips",
                                 object_path, self->lifetime, g_task_get_cancellable (task),
                                 signed_cb, g_object_ref (task));
}

static void
echoes_media_signer_finalize (GObject *object)
{
  EchoesMediaSigner *self = (EchoesMediaSigner *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->remote);
  g_clear_pointer (&self->cache, g_hash_table_unref);

  G_OBJECT_CLASS (echoes_media_signer_parent_class)->finalize (object);
}

static void
echoes_media_signer_class_init (EchoesMediaSignerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = echoes_media_signer_finalize;
}

static void
echoes_media_signer_init (EchoesMediaSigner *self)
{
  self->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) signed_free);
  self->lifetime = ECHOES_MEDIA_URL_LIFETIME;
}

/**
 * echoes_media_signer_new:
 * @store: the store the clips are read from
 * @remote: the server that signs
 *
 * Returns: (transfer full): a new signer, with an empty cache
 */
EchoesMediaSigner *
echoes_media_signer_new (EchoesStore      *store,
                         EchoesSyncRemote *remote)
{
  EchoesMediaSigner *self;

  g_return_val_if_fail (ECHOES_IS_STORE (store), NULL);
  g_return_val_if_fail (ECHOES_IS_SYNC_REMOTE (remote), NULL);

  self = g_object_new (ECHOES_TYPE_MEDIA_SIGNER, NULL);
  self->store = g_object_ref (store);
  self->remote = g_object_ref (remote);
  return self;
}

guint
echoes_media_signer_get_lifetime (EchoesMediaSigner *self)
{
  g_return_val_if_fail (ECHOES_IS_MEDIA_SIGNER (self), 0);
  return self->lifetime;
}

/**
 * echoes_media_signer_set_lifetime:
 * @self: an #EchoesMediaSigner
 * @seconds: how long the URLs asked from now on stay valid
 */
void
echoes_media_signer_set_lifetime (EchoesMediaSigner *self,
                                  guint              seconds)
{
  g_return_if_fail (ECHOES_IS_MEDIA_SIGNER (self));
  g_return_if_fail (seconds > 0);
  self->lifetime = seconds;
}

/**
 * echoes_media_signer_forget:
 * @self: an #EchoesMediaSigner
 *
 * Drops every cached URL (at sign-out).
 */
void
echoes_media_signer_forget (EchoesMediaSigner *self)
{
  g_return_if_fail (ECHOES_IS_MEDIA_SIGNER (self));
  g_hash_table_remove_all (self->cache);
}

/**
 * echoes_media_signer_sign_async:
 * @self: an #EchoesMediaSigner
 * @clip_id: a clip of a synced project
 * @kind: `video` or `image`
 * @force_new: ask the server even if a cached URL seems valid (the server refused it)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the URL
 * @user_data: data for @callback
 *
 * A URL that reads the clip's media from the server without the session. Fails with
 * %ECHOES_SYNC_ERROR_NOT_FOUND for a clip without that media or not synced, and
 * %ECHOES_SYNC_ERROR_NOT_SIGNED_IN when nobody is signed in.
 */
void
echoes_media_signer_sign_async (EchoesMediaSigner   *self,
                                const char          *clip_id,
                                const char          *kind,
                                gboolean             force_new,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *request;
  Signed *entry;

  g_return_if_fail (ECHOES_IS_MEDIA_SIGNER (self));
  g_return_if_fail (clip_id != NULL);
  g_return_if_fail (g_strcmp0 (kind, "video") == 0 || g_strcmp0 (kind, "image") == 0);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_media_signer_sign_async);

  request = g_new0 (Request, 1);
  request->key = g_strconcat (kind, ":", clip_id, NULL);
  request->clip_id = g_strdup (clip_id);
  request->kind = g_strdup (kind);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  entry = g_hash_table_lookup (self->cache, request->key);
  if (entry != NULL && !force_new &&
      entry->expires_at - g_get_real_time () > margin (self->lifetime))
    {
      request->expires_at = entry->expires_at;
      g_task_return_pointer (task, g_strdup (entry->url), g_free);
      return;
    }
  if (entry != NULL)
    g_hash_table_remove (self->cache, request->key);

  echoes_store_run_async (self->store, media_path_job, request, NULL, g_free, cancellable,
                          path_cb, g_steal_pointer (&task));
}

/**
 * echoes_media_signer_sign_finish:
 * @self: an #EchoesMediaSigner
 * @result: the result
 * @expires_at: (out) (optional): when the URL expires (real time, µs)
 * @error: return location for an error
 *
 * Returns: (transfer full): the signed URL (a secret: never log it), or %NULL
 */
char *
echoes_media_signer_sign_finish (EchoesMediaSigner  *self,
                                 GAsyncResult       *result,
                                 gint64             *expires_at,
                                 GError            **error)
{
  char *url;

  g_return_val_if_fail (ECHOES_IS_MEDIA_SIGNER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  url = g_task_propagate_pointer (G_TASK (result), error);
  if (expires_at != NULL)
    {
      Request *request = g_task_get_task_data (G_TASK (result));
      *expires_at = url ? request->expires_at : 0;
    }
  return url;
}
