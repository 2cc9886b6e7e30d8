/* echoes-thumbnailer.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-thumbnailer"

#include "config.h"

#include <glib/gstdio.h>

#include "echoes-thumbnailer.h"

#include "echoes-image.h"
#include "echoes-util.h"

/**
 * EchoesThumbnailer:
 *
 * Makes and caches the timeline's thumbnails.
 *
 * Thumbnails are decoded at their display size (scale-at-load), on a pool of one thread
 * per core, and cached as PNG under `$XDG_CACHE_HOME/echoes/thumbnails/{size}/{key}.png`.
 * A cached thumbnail older than its image, or unreadable, is made again. The cache is
 * disposable: nothing else refers to it.
 */
struct _EchoesThumbnailer
{
  GObject      parent_instance;

  char        *cache_dir;  /* (owned) */
  GThreadPool *pool;       /* (owned) */
};

G_DEFINE_FINAL_TYPE (EchoesThumbnailer, echoes_thumbnailer, G_TYPE_OBJECT)

typedef struct
{
  char *image_path;
  char *key;
  int   size;
} Request;

static void
request_free (Request *request)
{
  g_free (request->image_path);
  g_free (request->key);
  g_free (request);
}

static char *
cache_path (EchoesThumbnailer *self,
            const char        *key,
            int                size)
{
  g_autofree char *dir = g_strdup_printf ("%d", size);
  g_autofree char *name = g_strdup_printf ("%s.png", key);

  return g_build_filename (self->cache_dir, "thumbnails", dir, name, NULL);
}

static void
pool_worker (gpointer data,
             gpointer user_data)
{
  GTask *task = data;
  EchoesThumbnailer *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GdkPixbuf *pixbuf;

  if (!g_task_return_error_if_cancelled (task))
    {
      if ((pixbuf = echoes_thumbnailer_load (self, request->image_path, request->key,
                                             request->size, &error)))
        g_task_return_pointer (task, pixbuf, g_object_unref);
      else
        g_task_return_error (task, g_steal_pointer (&error));
    }

  echoes_task_unref_in_context (task);
}

static void
echoes_thumbnailer_finalize (GObject *object)
{
  EchoesThumbnailer *self = (EchoesThumbnailer *)object;

  g_thread_pool_free (self->pool, TRUE, TRUE);
  g_clear_pointer (&self->cache_dir, g_free);

  G_OBJECT_CLASS (echoes_thumbnailer_parent_class)->finalize (object);
}

static void
echoes_thumbnailer_class_init (EchoesThumbnailerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = echoes_thumbnailer_finalize;
}

static void
echoes_thumbnailer_init (EchoesThumbnailer *self)
{
  self->pool = g_thread_pool_new (pool_worker, self, MAX (2, g_get_num_processors ()), FALSE, NULL);
}

/**
 * echoes_thumbnailer_new:
 * @cache_dir: the app's cache directory
 *
 * Returns: (transfer full): a new #EchoesThumbnailer
 */
EchoesThumbnailer *
echoes_thumbnailer_new (const char *cache_dir)
{
  EchoesThumbnailer *self;

  g_return_val_if_fail (cache_dir != NULL, NULL);

  self = g_object_new (ECHOES_TYPE_THUMBNAILER, NULL);
  self->cache_dir = g_strdup (cache_dir);
  return self;
}

/**
 * echoes_thumbnailer_load:
 * @image_path: the absolute path of the image
 * @key: a name unique to the image (the clip id)
 * @size: the longest side in pixels
 *
 * Returns the cached thumbnail, making it first if needed. Blocks: call it from a
 * worker thread, or use echoes_thumbnailer_load_async().
 *
 * Returns: (transfer full): the thumbnail, or %NULL with a #EchoesImageError
 */
GdkPixbuf *
echoes_thumbnailer_load (EchoesThumbnailer  *self,
                         const char         *image_path,
                         const char         *key,
                         int                 size,
                         GError            **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autofree char *buffer = NULL;
  GStatBuf image_stat, thumb_stat;
  gsize len;

  g_return_val_if_fail (ECHOES_IS_THUMBNAILER (self), NULL);
  g_return_val_if_fail (image_path != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  path = cache_path (self, key, size);
  if (g_stat (path, &thumb_stat) == 0 &&
      g_stat (image_path, &image_stat) == 0 &&
      thumb_stat.st_mtime >= image_stat.st_mtime &&
      (pixbuf = gdk_pixbuf_new_from_file (path, NULL)))
    return g_steal_pointer (&pixbuf);

  if (!(pixbuf = echoes_image_load_at_size (image_path, size, error)))
    return NULL;

  /* A failure to cache is not a failure to thumbnail: the next load tries again. Fast
   * zlib level: the cache is read far more often than written, and the files are small. */
  if (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &len, "png", NULL, "compression", "1", NULL))
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *dir = g_path_get_dirname (path);

      g_mkdir_with_parents (dir, 0700);
      if (!g_file_set_contents_full (path, buffer, len, G_FILE_SET_CONTENTS_NONE, 0600,
                                     &local_error))
        g_debug ("Cannot cache thumbnail: %s", local_error->message);
    }

  return g_steal_pointer (&pixbuf);
}

/**
 * echoes_thumbnailer_load_async:
 *
 * Loads a thumbnail on the thumbnailer's thread pool.
 */
void
echoes_thumbnailer_load_async (EchoesThumbnailer   *self,
                               const char          *image_path,
                               const char          *key,
                               int                  size,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *request;

  g_return_if_fail (ECHOES_IS_THUMBNAILER (self));
  g_return_if_fail (image_path != NULL);
  g_return_if_fail (key != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  request = g_new0 (Request, 1);
  request->image_path = g_strdup (image_path);
  request->key = g_strdup (key);
  request->size = size;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_thumbnailer_load_async);
  g_task_set_task_data (task, request, (GDestroyNotify)request_free);
  g_thread_pool_push (self->pool, g_steal_pointer (&task), NULL);
}

/**
 * echoes_thumbnailer_load_finish:
 *
 * Returns: (transfer full): the thumbnail, or %NULL with @error set
 */
GdkPixbuf *
echoes_thumbnailer_load_finish (EchoesThumbnailer  *self,
                                GAsyncResult       *result,
                                GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
