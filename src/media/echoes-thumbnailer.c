/* echoes-thumbnailer.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-thumbnailer"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

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
 * A clip's video has its own thumbnail, of its first frame, under `{key}-video.png`.
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
  char     *image_path;
  char     *key;
  int       size;
  gboolean  video;
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
      if (request->video)
        pixbuf = echoes_thumbnailer_load_video (self, request->image_path, request->key,
                                                request->size, &error);
      else
        pixbuf = echoes_thumbnailer_load (self, request->image_path, request->key,
                                          request->size, &error);
      if (pixbuf != NULL)
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

typedef GdkPixbuf *(*LoadFunc) (const char  *path,
                                int          size,
                                GError     **error);

/* The cached thumbnail of @source_path if it is newer than the source, else a new one
 * made by @load and cached. */
static GdkPixbuf *
load_cached (EchoesThumbnailer  *self,
             const char         *source_path,
             const char         *cache_key,
             int                 size,
             LoadFunc            load,
             GError            **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autofree char *buffer = NULL;
  GStatBuf source_stat, thumb_stat;
  gsize len;

  path = cache_path (self, cache_key, size);
  if (g_stat (path, &thumb_stat) == 0 &&
      g_stat (source_path, &source_stat) == 0 &&
      thumb_stat.st_mtime >= source_stat.st_mtime &&
      (pixbuf = gdk_pixbuf_new_from_file (path, NULL)))
    return g_steal_pointer (&pixbuf);

  if (!(pixbuf = load (source_path, size, error)))
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
  g_return_val_if_fail (ECHOES_IS_THUMBNAILER (self), NULL);
  g_return_val_if_fail (image_path != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return load_cached (self, image_path, key, size, echoes_image_load_at_size, error);
}

/* The first frame of a video, its longest side @size pixels. Blocks. */
static GdkPixbuf *
load_first_frame (const char  *video_path,
                  int          size,
                  GError     **error)
{
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) source = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstSample) sample = NULL;
  g_autoptr(GdkPixbuf) frame = NULL;
  GdkPixbuf *thumbnail;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *uri = NULL;
  GstVideoInfo info;
  GstMapInfo map;
  GstBuffer *buffer;
  int width, height;

  /* GStreamer starts on first use (gst_init() is idempotent and locked). */
  if (!gst_init_check (NULL, NULL, &local_error))
    {
      g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_UNSUPPORTED,
                   _("Videos cannot be read: %s"), local_error->message);
      return NULL;
    }

  pipeline = gst_parse_launch ("uridecodebin name=source ! videoconvert ! videoscale ! "
                               "video/x-raw,format=RGB,pixel-aspect-ratio=1/1 ! "
                               "appsink name=sink sync=false max-buffers=1", &local_error);
  if (pipeline == NULL)
    {
      g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_UNSUPPORTED,
                   _("Videos cannot be read: %s"), local_error->message);
      return NULL;
    }

  uri = g_filename_to_uri (video_path, NULL, NULL);
  source = gst_bin_get_by_name (GST_BIN (pipeline), "source");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (source, "uri", uri, NULL);

  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  sample = gst_app_sink_try_pull_preroll (GST_APP_SINK (sink), 30 * GST_SECOND);
  if (sample == NULL)
    {
      g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
      g_autoptr(GstMessage) message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
      g_autoptr(GError) gst_error = NULL;

      if (message != NULL)
        gst_message_parse_error (message, &gst_error, NULL);
      gst_element_set_state (pipeline, GST_STATE_NULL);
      g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_DAMAGED,
                   _("“%s” has no picture: %s"), video_path,
                   gst_error ? gst_error->message : _("no video stream"));
      return NULL;
    }

  buffer = gst_sample_get_buffer (sample);
  if (!gst_video_info_from_caps (&info, gst_sample_get_caps (sample)) ||
      !gst_buffer_map (buffer, &map, GST_MAP_READ))
    {
      gst_element_set_state (pipeline, GST_STATE_NULL);
      g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_DAMAGED,
                   _("The first picture of “%s” cannot be read"), video_path);
      return NULL;
    }

  width = GST_VIDEO_INFO_WIDTH (&info);
  height = GST_VIDEO_INFO_HEIGHT (&info);
  frame = gdk_pixbuf_new_from_data (map.data, GDK_COLORSPACE_RGB, FALSE, 8, width, height,
                                    GST_VIDEO_INFO_PLANE_STRIDE (&info, 0), NULL, NULL);
  /* A copy, scaled to the size asked for: the frame's pixels are the buffer's. */
  if (width >= height)
    thumbnail = gdk_pixbuf_scale_simple (frame, MIN (size, width),
                                         MAX (1, (gint64) height * MIN (size, width) / width),
                                         GDK_INTERP_BILINEAR);
  else
    thumbnail = gdk_pixbuf_scale_simple (frame, MAX (1, (gint64) width * MIN (size, height) / height),
                                         MIN (size, height), GDK_INTERP_BILINEAR);
  g_clear_object (&frame);
  gst_buffer_unmap (buffer, &map);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  return thumbnail;
}

/**
 * echoes_thumbnailer_load_video:
 * @video_path: the absolute path of a clip's video
 * @key: a name unique to the video (the clip id)
 * @size: the longest side in pixels
 *
 * Returns the cached thumbnail of the video's first frame, making it first if needed.
 * Blocks: call it from a worker thread, or use echoes_thumbnailer_load_video_async().
 *
 * Returns: (transfer full): the thumbnail, or %NULL with a #EchoesImageError
 */
GdkPixbuf *
echoes_thumbnailer_load_video (EchoesThumbnailer  *self,
                               const char         *video_path,
                               const char         *key,
                               int                 size,
                               GError            **error)
{
  g_autofree char *cache_key = NULL;

  g_return_val_if_fail (ECHOES_IS_THUMBNAILER (self), NULL);
  g_return_val_if_fail (video_path != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  cache_key = g_strconcat (key, "-video", NULL);
  return load_cached (self, video_path, cache_key, size, load_first_frame, error);
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
 * echoes_thumbnailer_load_video_async:
 *
 * Loads the thumbnail of a video's first frame on the thumbnailer's thread pool.
 */
void
echoes_thumbnailer_load_video_async (EchoesThumbnailer   *self,
                                     const char          *video_path,
                                     const char          *key,
                                     int                  size,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *request;

  g_return_if_fail (ECHOES_IS_THUMBNAILER (self));
  g_return_if_fail (video_path != NULL);
  g_return_if_fail (key != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  request = g_new0 (Request, 1);
  request->image_path = g_strdup (video_path);
  request->key = g_strdup (key);
  request->size = size;
  request->video = TRUE;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_thumbnailer_load_video_async);
  g_task_set_task_data (task, request, (GDestroyNotify)request_free);
  g_thread_pool_push (self->pool, g_steal_pointer (&task), NULL);
}

/**
 * echoes_thumbnailer_load_video_finish:
 *
 * Returns: (transfer full): the thumbnail, or %NULL with @error set
 */
GdkPixbuf *
echoes_thumbnailer_load_video_finish (EchoesThumbnailer  *self,
                                      GAsyncResult       *result,
                                      GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
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
