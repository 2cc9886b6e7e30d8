/* echoes-ken-burns.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-ken-burns"

#include "config.h"

#include "echoes-ken-burns.h"
#include "echoes-ken-burns-private.h"
#include "echoes-bench-hooks.h"
#include "echoes-clip-encoder.h"
#include "echoes-image.h"
#include "echoes-media-util.h"
#include "echoes-yuv-scaler.h"

#include <errno.h>
#include <math.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <glib/gstdio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gst/gst.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>

/* The renderer (docs/media.md, section 1): decode the photo once at the size the
 * tightest crop needs, convert it once to planar YUV (BT.709, limited range), then render
 * every frame with a sub-pixel bilinear crop+scale straight into I420 and push it through
 * appsrc ! x264enc ! mp4mux. This file is that renderer; the operations it ties live in
 * files of their own: the params (echoes-ken-burns-params.c), the framing, a pure function
 * of the params that can be tested without pixels (echoes-ken-burns-framing.c), the face
 * detector (echoes-face-detector.c), the detail finder (echoes-detail-finder.c) and the
 * YUV conversion and scaler (echoes-yuv-scaler.c). */

G_DEFINE_QUARK (echoes-ken-burns-error-quark, echoes_ken_burns_error)

/* Decode so that the tightest crop still has this many photo pixels per output pixel. */
#define DECODE_OVERSAMPLE 1.1

/* Frames waiting in appsrc for x264: bounds memory, keeps the encoder busy. */
#define QUEUED_FRAMES 4

/* ---- GStreamer helpers ---- */

gboolean
_echoes_ken_burns_ensure_gst (GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!gst_init_check (NULL, NULL, &local_error))
    {
      g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_MISSING_PLUGIN,
                   "GStreamer failed to start: %s", local_error->message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
wait_for_eos (GstElement    *pipeline,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (echoes_media_wait_for_eos (pipeline, cancellable, &local_error))
    return TRUE;

  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_FAILED,
                 "Encoding failed: %s", local_error->message);
  return FALSE;
}

GdkPixbuf *
_echoes_ken_burns_load_photo (const char  *path,
            int          max_size,
            double       scale,
            GError     **error)
{
  g_autoptr(GdkPixbuf) raw = NULL;
  g_autoptr(GError) local_error = NULL;
  int w = 0, h = 0;

  if (gdk_pixbuf_get_file_info (path, &w, &h) == NULL || w <= 0 || h <= 0)
    {
      g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_IMAGE,
                   "Not a readable image: %s", path);
      return NULL;
    }

  if (max_size > 0)
    scale = MIN (scale, (double)max_size / MAX (w, h));
  scale = MIN (scale, 1.0);

  raw = gdk_pixbuf_new_from_file_at_scale (path, MAX (4, (int)lround (w * scale)),
                                           MAX (4, (int)lround (h * scale)), TRUE, &local_error);
  if (raw == NULL)
    {
      g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_IMAGE,
                   "Could not decode %s: %s", path, local_error->message);
      return NULL;
    }

  return gdk_pixbuf_apply_embedded_orientation (raw);
}

/* ---- rendering ---- */

/* Throttles progress reports to whole percents, never going back. */
typedef struct
{
  EchoesKenBurnsProgress func;
  gpointer               data;
  int                    last;
} Reporter;

static void
report (Reporter *r,
        double    fraction)
{
  int pct = (int)(fraction * 100);

  if (r->func != NULL && pct > r->last)
    {
      r->last = pct;
      r->func (CLAMP (fraction, 0.0, 1.0), r->data);
    }
}

static gpointer
teardown_thread (gpointer data)
{
  g_autoptr(GstElement) pipeline = data;

  gst_element_set_state (pipeline, GST_STATE_NULL);
  return NULL;
}

static char *
make_temp_path (const char  *output_path,
                GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (output_path);
  g_autofree char *base = g_path_get_basename (output_path);
  g_autofree char *tmpl = g_strdup_printf (".%s.XXXXXX", base);
  g_autofree char *path = g_build_filename (dir, tmpl, NULL);
  int fd;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int errsv = errno;

      g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_FAILED,
                   "Could not create %s: %s", dir, g_strerror (errsv));
      return NULL;
    }

  if ((fd = g_mkstemp (path)) < 0)
    {
      int errsv = errno;

      g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_FAILED,
                   "Could not create a file in %s: %s", dir, g_strerror (errsv));
      return NULL;
    }
  close (fd);

  /* mkstemp() makes it private; a clip is an ordinary document. */
  g_chmod (path, 0644);

  return g_steal_pointer (&path);
}

static gboolean
render_frames (GstElement                 *pipeline,
               GstAppSrc                  *src,
               const EchoesYuvPlane                *planes,
               const EchoesKenBurnsRect   *crops,
               guint                       n_frames,
               const EchoesKenBurnsParams *params,
               Reporter                   *reporter,
               GCancellable               *cancellable,
               GError                    **error)
{
  const int W = params->width, H = params->height;
  GstVideoInfo info;
  guint64 max_bytes;
  g_autofree int *xi = g_new (int, W);
  g_autofree guint16 *xf = g_new (guint16, W);
  g_autofree guint16 *row = g_new (guint16, planes[0].width + 1);
  EchoesYuvScratch scratch = { xi, xf, row };
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);

  /* GStreamer's I420 rounds each plane's stride up to 4 bytes. */
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, W, H);
  max_bytes = GST_VIDEO_INFO_SIZE (&info) * QUEUED_FRAMES;

  for (guint n = 0; n < n_frames; n++)
    {
      const EchoesKenBurnsRect *c = &crops[n];
      double sx = c->width / W, sy = c->height / H;
      GstBuffer *buffer;
      GstMapInfo map;
      GstFlowReturn ret;

      /* appsrc doesn't block (block=false): wait for room here, so that a cancel is
       * seen within a few milliseconds instead of after x264 took the next frame. */
      while (gst_app_src_get_current_level_bytes (src) >= max_bytes &&
             !g_cancellable_is_cancelled (cancellable))
        {
          g_autoptr(GstMessage) msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

          if (msg != NULL)
            {
              g_autoptr(GError) gst_error = NULL;

              gst_message_parse_error (msg, &gst_error, NULL);
              g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_FAILED,
                           "Encoding failed: %s", gst_error->message);
              return FALSE;
            }
          g_usleep (2000);
        }

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      buffer = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info), NULL);
      gst_buffer_map (buffer, &map, GST_MAP_WRITE);
      echoes_yuv_scaler_resample (&planes[0], map.data + GST_VIDEO_INFO_PLANE_OFFSET (&info, 0), W, H,
                GST_VIDEO_INFO_PLANE_STRIDE (&info, 0), c->x, c->y, sx, sy, &scratch);
      for (guint p = 1; p < 3; p++)
        echoes_yuv_scaler_resample (&planes[p], map.data + GST_VIDEO_INFO_PLANE_OFFSET (&info, p), W / 2, H / 2,
                  GST_VIDEO_INFO_PLANE_STRIDE (&info, p), c->x / 2, c->y / 2, sx, sy, &scratch);
      gst_buffer_unmap (buffer, &map);

      GST_BUFFER_PTS (buffer) = gst_util_uint64_scale (n, GST_SECOND, params->fps);
      GST_BUFFER_DURATION (buffer) = gst_util_uint64_scale (n + 1, GST_SECOND, params->fps) -
                                     GST_BUFFER_PTS (buffer);

      if ((ret = gst_app_src_push_buffer (src, buffer)) != GST_FLOW_OK)
        {
          g_autoptr(GError) bus_error = NULL;

          /* The real reason is on the bus. */
          if (!wait_for_eos (pipeline, cancellable, &bus_error))
            g_propagate_error (error, g_steal_pointer (&bus_error));
          else
            g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_FAILED,
                         "Encoder refused a frame: %s", gst_flow_get_name (ret));
          return FALSE;
        }

      report (reporter, 0.05 + 0.9 * (n + 1) / n_frames);
    }

  gst_app_src_end_of_stream (src);
  return wait_for_eos (pipeline, cancellable, error);
}

/* How much lower the rendering thread's priority is than the caller's. */
#define RENDER_NICE 10

typedef struct
{
  GstElement                 *pipeline;
  GstAppSrc                  *src;
  const EchoesYuvPlane                *planes;
  const EchoesKenBurnsRect   *crops;
  guint                       n_frames;
  const EchoesKenBurnsParams *params;
  Reporter                   *reporter;
  GCancellable               *cancellable;
  GError                     *error;
  gboolean                    ok;
} RenderJob;

static gpointer
render_thread (gpointer data)
{
  RenderJob *job = data;
#ifdef SYS_gettid
  id_t tid = (id_t) syscall (SYS_gettid);
  int nice_value;

  errno = 0;
  nice_value = getpriority (PRIO_PROCESS, tid);
  if (errno == 0)
    setpriority (PRIO_PROCESS, tid, MIN (nice_value + RENDER_NICE, 19));
#endif

  job->ok = render_frames (job->pipeline, job->src, job->planes, job->crops, job->n_frames,
                           job->params, job->reporter, job->cancellable, &job->error);
  return NULL;
}

/* Renders the frames on a thread of its own at a lower priority: x264 is the
 * bottleneck, and a frame takes a fraction of the time to render that it takes to
 * encode, so the queue stays full while x264's threads get the cores first (about 5 %
 * less time for a 720p clip on two cores, see bench-ken-burns). A thread of its own,
 * because an unprivileged thread cannot take back a nice increase, and the caller's is
 * usually a pool thread. Progress is reported from that thread. */
static gboolean
render_behind_encoder (GstElement                 *pipeline,
                       GstAppSrc                  *src,
                       const EchoesYuvPlane                *planes,
                       const EchoesKenBurnsRect   *crops,
                       guint                       n_frames,
                       const EchoesKenBurnsParams *params,
                       Reporter                   *reporter,
                       GCancellable               *cancellable,
                       GError                    **error)
{
  RenderJob job = { pipeline, src, planes, crops, n_frames, params, reporter, cancellable,
                    NULL, FALSE };
  GThread *thread = g_thread_try_new ("echoes-kb-render", render_thread, &job, NULL);

  if (thread == NULL)
    return render_frames (pipeline, src, planes, crops, n_frames, params, reporter,
                          cancellable, error);

  g_thread_join (thread);
  if (job.error != NULL)
    g_propagate_error (error, job.error);
  return job.ok;
}

/**
 * echoes_ken_burns_render:
 * @image_path: the photo (any format gdk-pixbuf reads; EXIF orientation is applied)
 * @params: the motion and the output size (even width and height)
 * @output_path: the MP4 to write; its folder is created
 * @progress: (nullable) (scope call): called from a rendering thread while the call
 *   runs, 0–1
 * @progress_data: closure for @progress
 * @cancellable: (nullable): checked before every frame and every 20 ms while the encoder
 *   drains
 * @error: return location for an error
 *
 * Renders the clip as H.264 (High, CRF 23 equivalent) in MP4. Writes a hidden temporary
 * file beside @output_path and renames it on success; on failure or cancellation the
 * temporary file is removed and @output_path is untouched. Blocks: call it from a worker
 * thread.
 *
 * Returns: %TRUE on success
 */
gboolean
echoes_ken_burns_render (const char                 *image_path,
                         const EchoesKenBurnsParams *params,
                         const char                 *output_path,
                         EchoesKenBurnsProgress      progress,
                         gpointer                    progress_data,
                         GCancellable               *cancellable,
                         GError                    **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) src = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree EchoesKenBurnsRect *faces = NULL;
  g_autofree EchoesKenBurnsRect *crops = NULL;
  g_autofree char *temp_path = NULL;
  g_autofree char *description = NULL;
  g_autofree char *encoder = NULL;
  g_autofree char *encoder_muxer = NULL;
  g_autofree char *faststart_path = NULL;
  g_autoptr(GstElement) mux = NULL;
  g_auto(EchoesYuvPlane) Y = { 0 };
  g_auto(EchoesYuvPlane) U = { 0 };
  g_auto(EchoesYuvPlane) V = { 0 };
  EchoesYuvPlane planes[3];
  Reporter reporter = { progress, progress_data, -1 };
  EchoesKenBurnsRect a, b, detail;
  EchoesKenBurnsRect *detailp = NULL;
  guint n_faces = 0, n_frames = 0;
  int fw = 0, fh = 0;
  double min_crop, scale, pw, ph;
  gboolean ok;
  gint64 t_start = g_get_monotonic_time ();

  g_return_val_if_fail (image_path != NULL, FALSE);
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (output_path != NULL, FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (params->width < 16 || params->height < 16 || params->width % 2 || params->height % 2 ||
      params->fps < 1 || params->fps > 60 || !(params->duration > 0 && params->duration <= 60))
    {
      g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_INVALID,
                   "Invalid output %dx%d@%d for %.2f s", params->width, params->height,
                   params->fps, params->duration);
      return FALSE;
    }

  if (!_echoes_ken_burns_ensure_gst (error))
    return FALSE;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* Decode once at the size the tightest crop needs (the plan only depends on the aspect
   * ratio and relative positions, so plan on the photo's size as displayed first). */
  if (!echoes_image_get_size (image_path, &fw, &fh) || fw < 2 || fh < 2)
    {
      g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_IMAGE,
                   "Not a readable image: %s", image_path);
      return FALSE;
    }

  scale = 1.0;
  if (echoes_ken_burns_plan (params, fw, fh, NULL, 0, NULL, &a, &b))
    {
      min_crop = MIN (a.width, b.width);
      scale = DECODE_OVERSAMPLE * params->width / min_crop;
    }

  if (!(pixbuf = _echoes_ken_burns_load_photo (image_path, 0, scale, error)))
    return FALSE;

  pw = gdk_pixbuf_get_width (pixbuf);
  ph = gdk_pixbuf_get_height (pixbuf);
  report (&reporter, 0.02);
  g_debug ("Decoded %s at %gx%g in %.0f ms", image_path, pw, ph,
           (g_get_monotonic_time () - t_start) / 1000.0);

  if (params->detect_faces && echoes_ken_burns_facedetect_available ())
    {
      g_autoptr(GdkPixbuf) small = NULL;
      double f = MIN (1.0, 640.0 / MAX (pw, ph));

      /* Detect on at most 640 px: enough for faces that matter in a 720p film. */
      small = f < 1.0 ? gdk_pixbuf_scale_simple (pixbuf, MAX (1, (int)(pw * f)),
                                                 MAX (1, (int)(ph * f)), GDK_INTERP_BILINEAR)
                      : g_object_ref (pixbuf);
      faces = _echoes_ken_burns_detect_faces_in_pixbuf (small, &n_faces, cancellable, &local_error);
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      else if (local_error != NULL)
        {
          g_debug ("Face detection failed, framing without: %s", local_error->message);
          n_faces = 0;
        }

      for (guint i = 0; i < n_faces; i++)
        {
          faces[i].x /= f;
          faces[i].y /= f;
          faces[i].width /= f;
          faces[i].height /= f;
        }
      g_debug ("%u face(s) in %s", n_faces, image_path);
    }

  if (n_faces == 0 && echoes_ken_burns_find_detail (pixbuf, &detail))
    {
      detailp = &detail;
      g_debug ("Detail at %.0f,%.0f %.0fx%.0f", detail.x, detail.y, detail.width, detail.height);
    }

  if (!(crops = echoes_ken_burns_compute_crops (params, pw, ph, faces, n_faces, detailp,
                                                &n_frames)))
    {
      g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_INVALID,
                   "Could not frame a %gx%g photo", pw, ph);
      return FALSE;
    }

  echoes_yuv_from_pixbuf (pixbuf, &Y, &U, &V);
  g_clear_object (&pixbuf);
  planes[0] = Y, planes[1] = U, planes[2] = V;
  report (&reporter, 0.04);
  g_debug ("Framed and converted after %.0f ms", (g_get_monotonic_time () - t_start) / 1000.0);

  if (!(temp_path = make_temp_path (output_path, error)))
    return FALSE;

  /* The clips' encoder (echoes-clip-encoder.c), with a key frame every second so that
   * the export can cut clips there without re-encoding. Face detection may have left
   * its (ignored) error in local_error. */
  g_clear_error (&local_error);
  if (!_echoes_bench_hooks_get_raw_output () && !echoes_clip_encoder_check (&local_error))
    {
      g_unlink (temp_path);
      g_set_error_literal (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_MISSING_PLUGIN,
                           local_error->message);
      return FALSE;
    }
  encoder = echoes_clip_encoder_describe (params->fps, 1, ECHOES_CLIP_ENCODER_QUALITY);
  encoder_muxer = _echoes_bench_hooks_get_raw_output () ? g_strdup ("queue")
                             : g_strdup_printf ("%s ! mp4mux name=mux faststart=true", encoder);
  description = g_strdup_printf (
    "appsrc name=src format=time is-live=false block=false "
    "caps=video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1,"
    "colorimetry=bt709,pixel-aspect-ratio=1/1,interlace-mode=progressive "
    "! %s ! filesink name=sink",
    params->width, params->height, params->fps, encoder_muxer);

  if (!(pipeline = gst_parse_launch (description, &local_error)))
    {
      g_unlink (temp_path);
      g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_MISSING_PLUGIN,
                   "Could not build the encoder (x264enc, mp4mux): %s", local_error->message);
      return FALSE;
    }

  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  mux = gst_bin_get_by_name (GST_BIN (pipeline), "mux");
  g_object_set (sink, "location", temp_path, NULL);
  /* mp4mux's own temporary file (the stream, while the index is written first) goes
   * beside ours rather than into /tmp: if the process ends before a cancelled render is
   * torn down, the store's sweep of unreferenced files removes it. */
  faststart_path = g_strconcat (temp_path, ".moov", NULL);
  if (mux != NULL)
    g_object_set (mux, "faststart-file", faststart_path, NULL);

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      ok = FALSE;
      g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_FAILED,
                   "Could not start the encoder");
    }
  else
    {
      ok = render_behind_encoder (pipeline, GST_APP_SRC (src), planes, crops, n_frames, params,
                                  &reporter, cancellable, error);
    }

  if (!ok && g_cancellable_is_cancelled (cancellable))
    {
      /* Stopping x264 waits for the frames in flight (~100 ms at 720p on two cores): do
       * that behind our back so a cancel returns at once. The names are gone right now;
       * filesink and mp4mux only still hold the unlinked inodes. */
      g_unlink (temp_path);
      g_unlink (faststart_path);
      g_thread_unref (g_thread_new ("echoes-kb-teardown", teardown_thread,
                                    g_steal_pointer (&pipeline)));
      return FALSE;
    }

  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_unlink (faststart_path);

  g_debug ("Rendered %u frames in %.0f ms", n_frames, (g_get_monotonic_time () - t_start) / 1000.0);

  if (ok && g_rename (temp_path, output_path) != 0)
    {
      int errsv = errno;

      g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_FAILED,
                   "Could not move the clip to %s: %s", output_path, g_strerror (errsv));
      ok = FALSE;
    }

  if (!ok)
    g_unlink (temp_path);
  else
    report (&reporter, 1.0);

  return ok;
}
