/* bench-ken-burns.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "bench-ken-burns"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <glib/gstdio.h>

#include "echoes-ken-burns.h"
#include "echoes-bench-hooks.h"
#include "../echoes-test-util.h"

/* One 5 s 1280×720@30 clip from a 12-megapixel photo, for a generated photo and a real
 * textured one (a GNOME wallpaper from gnome-backgrounds): our renderer against
 * `ffmpeg -vf zoompan` + libx264 `medium` CRF 23, in time and in SSIM against a lossless
 * render of the same motion (each against its own: our frames written raw, zoompan's
 * written raw). The goal is at most half of ffmpeg's time at an SSIM no lower. Also x264
 * alone on our frames with our settings (the encode-only floor), the smoothness of the
 * motion (a bright dot tracked in every frame: zoompan's integer crop steps show up as
 * judder), and a batch of 10 photos through `echoes-cli projects generate`: its wall time
 * against 10 × one clip's CPU seconds ÷ cores (every core busy: goal ≤ 1.1×) and its peak
 * RSS per clip generating at once (goal ≤ 250 MB). Never fails on a figure. */

#define WALLPAPER "/usr/share/backgrounds/gnome/wood-d.webp"
#define BATCH     10

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
run_command_env (char **argv,
                 char **env)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, argv, env, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_printerr ("%s failed: %s\n", argv[0], error->message);
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
               const char *out,
               gboolean    raw)
{
  char *argv[] = {
    (char *)"ffmpeg", (char *)"-v", (char *)"error", (char *)"-y", (char *)"-i", (char *)photo,
    (char *)"-vf", (char *)ffmpeg_zoompan, (char *)"-frames:v", (char *)"150",
    (char *)"-c:v", (char *)"libx264", (char *)"-preset", (char *)"medium",
    (char *)"-crf", (char *)"23", (char *)"-g", (char *)"30", (char *)"-keyint_min", (char *)"30",
    (char *)out, NULL
  };
  char *argv_raw[] = {
    (char *)"ffmpeg", (char *)"-v", (char *)"error", (char *)"-y", (char *)"-i", (char *)photo,
    (char *)"-vf", (char *)ffmpeg_zoompan, (char *)"-frames:v", (char *)"150",
    (char *)"-f", (char *)"rawvideo", (char *)"-pix_fmt", (char *)"yuv420p", (char *)out, NULL
  };
  double seconds = NAN;

  run_command (raw ? argv_raw : argv, &seconds);
  return seconds;
}

/* SSIM (all planes) of @video against raw I420 frames @reference, by ffmpeg's ssim filter. */
static double
ssim (const char *video,
      const char *reference)
{
  g_autofree char *size = g_strdup_printf ("%dx%d", OUT_W, OUT_H);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *all;
  char *argv[] = {
    (char *)"ffmpeg", (char *)"-v", (char *)"info", (char *)"-i", (char *)video,
    (char *)"-f", (char *)"rawvideo", (char *)"-pix_fmt", (char *)"yuv420p", (char *)"-s", size,
    (char *)"-r", (char *)"30", (char *)"-i", (char *)reference,
    (char *)"-lavfi", (char *)"ssim", (char *)"-f", (char *)"null", (char *)"-", NULL
  };

  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, NULL, &error) ||
      err == NULL || (all = strstr (err, "All:")) == NULL)
    return NAN;

  return g_ascii_strtod (all + 4, NULL);
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64)st.st_size : -1;
}

static double
cpu_seconds (int who)
{
  struct rusage usage;

  getrusage (who, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

/* The 4:3 middle of the wallpaper as a 12.6 MP JPEG, or NULL without gnome-backgrounds. */
static char *
write_wallpaper (const char *dir)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GdkPixbuf) cropped = NULL;
  g_autoptr(GError) error = NULL;
  char *path;
  int w, h;

  if (!(pixbuf = gdk_pixbuf_new_from_file (WALLPAPER, &error)))
    {
      g_print ("# SKIP the wallpaper photo: %s (gnome-backgrounds, webp-pixbuf-loader)\n",
               error->message);
      return NULL;
    }

  w = gdk_pixbuf_get_width (pixbuf);
  h = MIN (gdk_pixbuf_get_height (pixbuf), w * 3 / 4);
  cropped = gdk_pixbuf_new_subpixbuf (pixbuf, 0, (gdk_pixbuf_get_height (pixbuf) - h) / 2, w, h);
  path = g_build_filename (dir, "wallpaper.jpg", NULL);
  gdk_pixbuf_save (cropped, path, "jpeg", &error, "quality", "92", NULL);
  g_assert_no_error (error);
  return path;
}

/* Ours against zoompan on one photo: 3 alternating runs each, medians. */
static double
bench_photo (const char *dir,
             const char *label,
             const char *photo,
             double     *cpu_one_clip)
{
  g_autofree char *ours = g_build_filename (dir, "ours.mp4", NULL);
  g_autofree char *ours_raw = g_build_filename (dir, "ours.yuv", NULL);
  g_autofree char *ff = g_build_filename (dir, "ffmpeg.mp4", NULL);
  g_autofree char *ff_raw = g_build_filename (dir, "ffmpeg.yuv", NULL);
  g_autofree char *floor_mp4 = g_build_filename (dir, "encode-only.mp4", NULL);
  double t_ours[3], t_ff[3], t_floor = NAN, cpu0, s_ours, s_ff;
  char *encode[] = { (char *)"ffmpeg", (char *)"-v", (char *)"error", (char *)"-y",
                     (char *)"-f", (char *)"rawvideo", (char *)"-pix_fmt", (char *)"yuv420p",
                     (char *)"-s", (char *)"1280x720", (char *)"-r", (char *)"30",
                     (char *)"-i", ours_raw, (char *)"-c:v", (char *)"libx264",
                     (char *)"-preset", (char *)"veryfast", (char *)"-crf", (char *)"21",
                     (char *)"-g", (char *)"30", (char *)"-keyint_min", (char *)"30",
                     floor_mp4, NULL };

  /* Warm caches (x264 init, plugin loading, the photo in the page cache). */
  render_ours (photo, ours);
  render_ffmpeg (photo, ff, FALSE);

  for (guint i = 0; i < 3; i++)
    {
      cpu0 = cpu_seconds (RUSAGE_SELF);
      t_ours[i] = render_ours (photo, ours);
      if (i == 0 && cpu_one_clip != NULL)
        *cpu_one_clip = cpu_seconds (RUSAGE_SELF) - cpu0;
      t_ff[i] = render_ffmpeg (photo, ff, FALSE);
    }
  qsort (t_ours, 3, sizeof (double), compare_doubles);
  qsort (t_ff, 3, sizeof (double), compare_doubles);

  _echoes_bench_hooks_set_raw_output (TRUE);
  render_ours (photo, ours_raw);
  _echoes_bench_hooks_set_raw_output (FALSE);
  render_ffmpeg (photo, ff_raw, TRUE);
  run_command (encode, &t_floor);

  s_ours = ssim (ours, ours_raw);
  s_ff = ssim (ff, ff_raw);

  g_print ("\n%s photo (median of 3 runs)        time   vs zoompan   SSIM vs lossless   size\n",
           label);
  g_print ("  ffmpeg zoompan + x264 medium CRF 23  %5.2fs   1.00          %.4f          %4.0f kB\n",
           t_ff[1], s_ff, file_size (ff) / 1024.0);
  g_print ("  echoes_ken_burns_render              %5.2fs   %.2fx (goal <= 0.50)  %.4f (goal >= %.4f)  %4.0f kB\n",
           t_ours[1], t_ours[1] / t_ff[1], s_ours, s_ff, file_size (ours) / 1024.0);
  g_print ("  x264 alone on our frames (floor)     %5.2fs   ours / floor %.2fx\n",
           t_floor, t_ours[1] / t_floor);

  g_unlink (ours_raw);
  g_unlink (ff_raw);
  return t_ours[1];
}

/* 10 photos through the CLI, as a user's batch: wall time, CPU and peak RSS of the child. */
static void
bench_batch (const char *dir,
             const char *photo,
             double      cpu_one_clip)
{
  const char *cli = g_getenv ("ECHOES_CLI");
  g_autofree char *home = g_build_filename (dir, "batch-home", NULL);
  g_autofree char *data = g_build_filename (home, "data", NULL);
  g_autofree char *cache = g_build_filename (home, "cache", NULL);
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GPtrArray) add = g_ptr_array_new_with_free_func (g_free);
  struct rusage usage;
  double wall, cpu0, cpu, ideal;
  guint cores = g_get_num_processors ();
  guint jobs = CLAMP (cores, 1, 4);

  if (cli == NULL)
    {
      g_print ("# SKIP the batch: ECHOES_CLI is not set (meson test sets it)\n");
      return;
    }

  env = g_environ_setenv (env, "XDG_DATA_HOME", data, TRUE);
  env = g_environ_setenv (env, "XDG_CACHE_HOME", cache, TRUE);

  {
    char *create[] = { (char *)cli, (char *)"projects", (char *)"create", (char *)"Batch", NULL };

    g_assert_true (g_spawn_sync (NULL, create, env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                 NULL, NULL, NULL, NULL));
  }

  g_ptr_array_add (add, g_strdup (cli));
  g_ptr_array_add (add, g_strdup ("clips"));
  g_ptr_array_add (add, g_strdup ("add"));
  g_ptr_array_add (add, g_strdup ("Batch"));
  for (guint i = 0; i < BATCH; i++)
    {
      g_autofree char *name = g_strdup_printf ("photo-%02u.jpg", i);
      char *copy = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length;

      g_assert_true (g_file_get_contents (photo, &contents, &length, NULL));
      g_assert_true (g_file_set_contents (copy, contents, length, NULL));
      g_ptr_array_add (add, copy);
    }
  g_ptr_array_add (add, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **)add->pdata, env, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, NULL, NULL));

  {
    char *generate[] = { (char *)cli, (char *)"projects", (char *)"generate", (char *)"Batch",
                         NULL };
    double t0 = now ();

    cpu0 = cpu_seconds (RUSAGE_CHILDREN);
    run_command_env (generate, env);
    wall = now () - t0;
    cpu = cpu_seconds (RUSAGE_CHILDREN) - cpu0;
  }
  getrusage (RUSAGE_CHILDREN, &usage);

  ideal = BATCH * cpu_one_clip / cores;
  g_print ("\nbatch of %u photos, `echoes-cli projects generate` (%u clips at once, %u cores)\n",
           BATCH, jobs, cores);
  g_print ("  wall %.2fs; 10 x one clip's CPU (%.2fs) / cores = %.2fs: %.2fx (goal <= 1.10)\n",
           wall, cpu_one_clip, ideal, wall / ideal);
  g_print ("  its CPU %.2fs (%.0f%% of the cores); peak RSS %.0f MB = %.0f MB per clip at once "
           "(goal <= 250 MB)\n", cpu, 100 * cpu / (wall * cores), usage.ru_maxrss / 1024.0,
           usage.ru_maxrss / 1024.0 / jobs);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("bench-ken-burns-XXXXXX", NULL);
  g_autofree char *photo = NULL;
  g_autofree char *wallpaper = NULL;
  g_autofree char *dot = NULL;
  g_autofree char *ours_dot = g_build_filename (dir, "ours-dot.mp4", NULL);
  g_autofree char *ours_faces = g_build_filename (dir, "ours-faces.mp4", NULL);
  g_autofree char *ff_dot = g_build_filename (dir, "ffmpeg-dot.mp4", NULL);
  g_autofree char *ffmpeg = g_find_program_in_path ("ffmpeg");
  g_autoptr(GArray) ours_points = NULL;
  g_autoptr(GArray) ff_points = NULL;
  g_autoptr(GError) error = NULL;
  double t_faces, t0, cpu_one_clip = NAN;

  gst_init (&argc, &argv);

  if (ffmpeg == NULL)
    {
      g_print ("# SKIP: ffmpeg is not installed (build-aux/ci-install.sh installs it)\n");
      return 0;
    }

  g_print ("# Ken Burns: 12 MP photo -> %d s %dx%d@%d H.264, %u cores\n",
           SECONDS, OUT_W, OUT_H, FPS, g_get_num_processors ());
  t0 = now ();
  photo = write_photo (dir, "photo.jpg", FALSE);
  dot = write_photo (dir, "dot.jpg", TRUE);
  wallpaper = write_wallpaper (dir);
  g_print ("# made the test photos in %.2f s\n", now () - t0);

  bench_photo (dir, "generated", photo, &cpu_one_clip);
  if (wallpaper != NULL)
    bench_photo (dir, "wallpaper", wallpaper, NULL);

  {
    EchoesKenBurnsParams params;

    params_matching_zoompan (&params);
    params.preset = ECHOES_KEN_BURNS_PRESET_AUTO;
    params.detect_faces = TRUE;
    t0 = now ();
    if (!echoes_ken_burns_render (photo, &params, ours_faces, NULL, NULL, NULL, &error))
      g_error ("Render failed: %s", error->message);
    t_faces = now () - t0;
    g_print ("\nechoes_ken_burns_render, auto framing + face detection: %.2fs\n", t_faces);
  }

  render_ours (dot, ours_dot);
  render_ffmpeg (dot, ff_dot, FALSE);
  ours_points = track_dot (ours_dot);
  ff_points = track_dot (ff_dot);
  {
    double rms, max;

    judder (ours_points, &rms, &max);
    g_print ("\nsmoothness (tracked dot, |velocity - 5-frame mean velocity|, output px):\n");
    g_print ("  ours:    rms %.3f px, max %.3f px over %u frames\n", rms, max, ours_points->len);
    judder (ff_points, &rms, &max);
    g_print ("  zoompan: rms %.3f px, max %.3f px over %u frames\n", rms, max, ff_points->len);
  }

  bench_batch (dir, photo, cpu_one_clip);

  echoes_test_remove_tree (dir);

  return 0;
}
