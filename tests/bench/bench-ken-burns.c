/* bench-ken-burns.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "bench-ken-burns"

#include "config.h"

#include <math.h>
#include <sys/resource.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>

#include "echoes-ken-burns.h"
#include "echoes-bench-hooks.h"
#include "../echoes-test-util.h"

/* One 5 s 1280×720@30 clip from a generated 12-megapixel JPEG: our renderer against
 * `ffmpeg -vf zoompan` with the same x264 settings (medium, CRF 23, no VBV, a key frame every
 * second as the app's clips have: echoes-clip-encoder.c), and
 * against x264 alone encoding the very frames our renderer makes (the floor; the
 * renderer writes them raw for it). Also the smoothness of
 * the motion: a bright dot is tracked in every frame of both outputs; the figure is how
 * much its per-frame velocity deviates from the 5-frame mean (zoompan's integer crop
 * steps show up as judder). Never fails on a figure. */

#define PHOTO_W 4000
#define PHOTO_H 3000
#define OUT_W   1280
#define OUT_H   720
#define FPS     30
#define SECONDS 5
#define FRAMES  (FPS * SECONDS)

static const char *ffmpeg_zoompan =
  "crop=iw:iw*9/16,zoompan=z='1+0.25*on/149':x='(iw-iw/zoom)*on/149':"
  "y='(ih-ih/zoom)*on/149':d=150:s=1280x720:fps=30,format=yuv420p";

static char *
write_photo (const char *dir,
             const char *name,
             gboolean    dot)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, PHOTO_W, PHOTO_H);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  /* The dot sits where it stays in view for the whole zoom (towards the bottom right). */
  const double dx = PHOTO_W * 0.62, dy = PHOTO_H * 0.58, sigma = 14.0;

  for (int y = 0; y < PHOTO_H; y++)
    {
      guint8 *row = pixels + (gsize)y * stride;

      for (int x = 0; x < PHOTO_W; x++)
        {
          guint8 *p = row + x * 3;

          if (dot)
            {
              double d2 = (x - dx) * (x - dx) + (y - dy) * (y - dy);
              guint8 v = (guint8)(16 + 220 * exp (-d2 / (2 * sigma * sigma)));

              p[0] = p[1] = p[2] = v;
            }
          else
            {
              /* Gradients plus texture, roughly as hard to encode as a photo. */
              guint32 h = (guint32)(x * 2654435761u) ^ (guint32)(y * 2246822519u);

              p[0] = (guint8)(255 * x / PHOTO_W) ^ (guint8)((h >> 28) & 7);
              p[1] = (guint8)(255 * y / PHOTO_H);
              p[2] = (guint8)(128 + 100 * sin (x / 40.0) * cos (y / 55.0));
            }
        }
    }

  gdk_pixbuf_save (pixbuf, path, "jpeg", &error, "quality", "92", NULL);
  g_assert_no_error (error);
  return path;
}

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

static gboolean
run_command (char   **argv,
             double  *seconds)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  double t0 = now ();

  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("%s failed: %s\n%s\n", argv[0], error->message, err ? err : "");
      return FALSE;
    }

  *seconds = now () - t0;
  return TRUE;
}

static void
params_matching_zoompan (EchoesKenBurnsParams *params)
{
  /* zoompan after crop=iw:iw*9/16: from the centred full-width 16:9 band to its bottom-
   * right 1/1.25, linearly. */
  double band_h = PHOTO_W * 9.0 / 16.0, y0 = (PHOTO_H - band_h) / 2;

  echoes_ken_burns_params_init (params);
  params->preset = ECHOES_KEN_BURNS_PRESET_CUSTOM;
  params->easing = ECHOES_KEN_BURNS_EASING_LINEAR;
  params->start = (EchoesKenBurnsRect) { 0, y0 / PHOTO_H, 1, band_h / PHOTO_H };
  params->end = (EchoesKenBurnsRect) { 0.2, (y0 + band_h * 0.2) / PHOTO_H, 0.8,
                                       band_h * 0.8 / PHOTO_H };
  params->width = OUT_W;
  params->height = OUT_H;
  params->fps = FPS;
  params->duration = SECONDS;
  params->detect_faces = FALSE;
}

/* Per-frame centroid of the bright dot, in output pixels. */
static GArray *
track_dot (const char *video)
{
  g_autofree char *uri = g_filename_to_uri (video, NULL, NULL);
  g_autofree char *desc = g_strdup_printf ("uridecodebin uri=%s ! videoconvert ! "
                                           "video/x-raw,format=GRAY8 ! appsink name=sink "
                                           "sync=false", uri);
  g_autoptr(GstElement) pipeline = gst_parse_launch (desc, NULL);
  g_autoptr(GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GArray *points = g_array_new (FALSE, FALSE, sizeof (double) * 2);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  for (;;)
    {
      g_autoptr(GstSample) sample = gst_app_sink_pull_sample (GST_APP_SINK (sink));
      GstStructure *s;
      GstMapInfo map;
      GstBuffer *buffer;
      int w, h, stride;
      double sx = 0, sy = 0, sw = 0, pt[2];

      if (sample == NULL)
        break;

      s = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
      gst_structure_get_int (s, "width", &w);
      gst_structure_get_int (s, "height", &h);
      stride = GST_ROUND_UP_4 (w);
      buffer = gst_sample_get_buffer (sample);
      gst_buffer_map (buffer, &map, GST_MAP_READ);
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          {
            int v = map.data[y * stride + x] - 40;

            if (v > 0)
              sx += (double)v * x, sy += (double)v * y, sw += v;
          }
      gst_buffer_unmap (buffer, &map);

      pt[0] = sw > 0 ? sx / sw : NAN;
      pt[1] = sw > 0 ? sy / sw : NAN;
      g_array_append_vals (points, pt, 1);
    }
  gst_element_set_state (pipeline, GST_STATE_NULL);

  return points;
}

/* RMS and max of |v(n) - mean(v(n-2..n+2))| over the per-frame velocities. */
static void
judder (GArray *points,
        double *rms,
        double *max)
{
  const double *p = (const double *)(gpointer)points->data;
  guint n = points->len;
  double sum = 0;
  guint count = 0;

  *max = 0;
  for (guint i = 2; i + 3 < n; i++)
    {
      double vx = p[2 * (i + 1)] - p[2 * i], vy = p[2 * (i + 1) + 1] - p[2 * i + 1];
      double mx = 0, my = 0, d;

      for (guint j = i - 2; j <= i + 2; j++)
        {
          mx += (p[2 * (j + 1)] - p[2 * j]) / 5;
          my += (p[2 * (j + 1) + 1] - p[2 * j + 1]) / 5;
        }

      d = hypot (vx - mx, vy - my);
      if (isnan (d))
        continue;
      sum += d * d;
      count++;
      *max = MAX (*max, d);
    }

  *rms = count ? sqrt (sum / count) : NAN;
}

static double
render_ours (const char *photo,
             const char *out)
{
  EchoesKenBurnsParams params;
  g_autoptr(GError) error = NULL;
  double t0 = now ();

  params_matching_zoompan (&params);
  if (!echoes_ken_burns_render (photo, &params, out, NULL, NULL, NULL, &error))
    g_error ("Render failed: %s", error->message);

  return now () - t0;
}

static double
render_ffmpeg (const char *photo,
               const char *out)
{
  char *argv[] = {
    (char *)"ffmpeg", (char *)"-v", (char *)"error", (char *)"-y", (char *)"-i", (char *)photo,
    (char *)"-vf", (char *)ffmpeg_zoompan, (char *)"-frames:v", (char *)"150",
    (char *)"-c:v", (char *)"libx264", (char *)"-preset", (char *)"medium",
    (char *)"-crf", (char *)"23", (char *)"-g", (char *)"30", (char *)"-keyint_min", (char *)"30",
    (char *)out, NULL
  };
  double seconds = NAN;

  run_command (argv, &seconds);
  return seconds;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("bench-ken-burns-XXXXXX", NULL);
  g_autofree char *photo = NULL;
  g_autofree char *dot = NULL;
  g_autofree char *ours = g_build_filename (dir, "ours.mp4", NULL);
  g_autofree char *ff = g_build_filename (dir, "ffmpeg.mp4", NULL);
  g_autofree char *ours_dot = g_build_filename (dir, "ours-dot.mp4", NULL);
  g_autofree char *ours_faces = g_build_filename (dir, "ours-faces.mp4", NULL);
  g_autofree char *ff_dot = g_build_filename (dir, "ffmpeg-dot.mp4", NULL);
  g_autofree char *raw = g_build_filename (dir, "frames.yuv", NULL);
  g_autofree char *enc = g_build_filename (dir, "encode-only.mp4", NULL);
  g_autofree char *ffmpeg = g_find_program_in_path ("ffmpeg");
  g_autoptr(GArray) ours_points = NULL;
  g_autoptr(GArray) ff_points = NULL;
  g_autoptr(GError) error = NULL;
  struct rusage usage;
  double t_ours, t_ff = NAN, t_enc = NAN, t_raw = NAN, t_faces, t0;
  long rss_self, rss_children = 0;

  gst_init (&argc, &argv);

  g_print ("# Ken Burns: 12 MP JPEG -> %d s %dx%d@%d H.264 (x264 medium, CRF 23)\n",
           SECONDS, OUT_W, OUT_H, FPS);
  t0 = now ();
  photo = write_photo (dir, "photo.jpg", FALSE);
  dot = write_photo (dir, "dot.jpg", TRUE);
  g_print ("# generated test photos in %.2f s\n", now () - t0);

  /* Warm caches (x264 init, plugin loading) before timing anything. */
  render_ours (dot, ours_dot);

  t_ours = render_ours (photo, ours);
  getrusage (RUSAGE_SELF, &usage);
  rss_self = usage.ru_maxrss;

  {
    EchoesKenBurnsParams params;

    params_matching_zoompan (&params);
    params.preset = ECHOES_KEN_BURNS_PRESET_AUTO;
    params.detect_faces = TRUE;
    t0 = now ();
    /* Its own file: the encode-only floor below re-encodes the frames of `ours`. */
    if (!echoes_ken_burns_render (photo, &params, ours_faces, NULL, NULL, NULL, &error))
      g_error ("Render failed: %s", error->message);
    t_faces = now () - t0;
  }

  if (ffmpeg == NULL)
    {
      g_print ("# SKIP ffmpeg parts: ffmpeg is not installed (build-aux/ci-install.sh installs it)\n");
    }
  else
    {
      char *encode[] = { (char *)"ffmpeg", (char *)"-v", (char *)"error", (char *)"-y",
                         (char *)"-f", (char *)"rawvideo", (char *)"-pix_fmt", (char *)"yuv420p",
                         (char *)"-s", (char *)"1280x720", (char *)"-r", (char *)"30",
                         (char *)"-i", raw, (char *)"-c:v", (char *)"libx264",
                         (char *)"-preset", (char *)"medium", (char *)"-crf", (char *)"23",
                         (char *)"-g", (char *)"30", (char *)"-keyint_min", (char *)"30",
                         enc, NULL };

      render_ffmpeg (dot, ff_dot);
      t_ff = render_ffmpeg (photo, ff);
      /* The floor: x264 alone on our very frames, written raw by the renderer (re-encoding
       * frames decoded from its H.264 output would be cheaper than the real thing: CRF 23
       * has smoothed detail away). */
      _echoes_bench_hooks_set_raw_output (TRUE);
      t_raw = render_ours (photo, raw);
      _echoes_bench_hooks_set_raw_output (FALSE);
      run_command (encode, &t_enc);
      getrusage (RUSAGE_CHILDREN, &usage);
      rss_children = usage.ru_maxrss;
    }

  g_print ("\n%-44s %8s %10s\n", "", "time", "vs zoompan");
  g_print ("%-44s %7.2fs %10s\n", "ffmpeg crop+zoompan+libx264", t_ff, "1.00");
  g_print ("%-44s %7.2fs %9.2fx\n", "ffmpeg encode-only (raw -> libx264) = floor", t_enc,
           t_ff / t_enc);
  g_print ("%-44s %7.2fs %9.2fx\n", "echoes_ken_burns_render", t_ours, t_ff / t_ours);
  g_print ("%-44s %7.2fs\n", "  its frames alone (raw, no encoding)", t_raw);
  g_print ("%-44s %7.2fs\n", "echoes_ken_burns_render, auto + facedetect", t_faces);
  g_print ("ours / encode-only floor: %.2fx\n", t_ours / t_enc);
  g_print ("peak RSS: this process (renderer, incl. test harness) %.1f MiB; "
           "largest ffmpeg child %.1f MiB\n", rss_self / 1024.0, rss_children / 1024.0);

  ours_points = track_dot (ours_dot);
  {
    double rms, max;

    judder (ours_points, &rms, &max);
    g_print ("\nsmoothness (tracked dot, |velocity - 5-frame mean velocity|, output px):\n");
    g_print ("  ours:    rms %.3f px, max %.3f px over %u frames\n", rms, max, ours_points->len);
  }
  if (ffmpeg != NULL)
    {
      double rms, max;

      ff_points = track_dot (ff_dot);
      judder (ff_points, &rms, &max);
      g_print ("  zoompan: rms %.3f px, max %.3f px over %u frames\n", rms, max, ff_points->len);
    }

  echoes_test_remove_tree (dir);

  return 0;
}
