/* test-ken-burns.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-ken-burns"

#include "config.h"

#include "echoes-test-util.h"

#include <math.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>

#include "echoes-ken-burns.h"

#define EPS 1e-6

static const EchoesKenBurnsPreset all_presets[] = {
  ECHOES_KEN_BURNS_PRESET_AUTO, ECHOES_KEN_BURNS_PRESET_ZOOM_IN, ECHOES_KEN_BURNS_PRESET_ZOOM_OUT,
  ECHOES_KEN_BURNS_PRESET_PAN_LEFT, ECHOES_KEN_BURNS_PRESET_PAN_RIGHT,
  ECHOES_KEN_BURNS_PRESET_PAN_UP, ECHOES_KEN_BURNS_PRESET_PAN_DOWN,
  ECHOES_KEN_BURNS_PRESET_CUSTOM,
};

/* A photo with a gradient and some structure, so the encoder has real work. */
static char *
make_photo (const char *name,
            int         width,
            int         height)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (g_get_user_cache_dir (), name, NULL);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = pixels + y * stride + x * 3;

        p[0] = (guint8)(255 * x / width);
        p[1] = (guint8)(255 * y / height);
        p[2] = ((x / 16 + y / 16) % 2) ? 200 : 40;
      }

  g_mkdir_with_parents (g_get_user_cache_dir (), 0755);
  gdk_pixbuf_save (pixbuf, path, "jpeg", &error, "quality", "90", NULL);
  g_assert_no_error (error);

  return path;
}

static gboolean
rect_contains (const EchoesKenBurnsRect *outer,
               const EchoesKenBurnsRect *inner)
{
  return inner->x >= outer->x - EPS && inner->y >= outer->y - EPS &&
         inner->x + inner->width <= outer->x + outer->width + EPS &&
         inner->y + inner->height <= outer->y + outer->height + EPS;
}

static void
assert_crops_valid (const EchoesKenBurnsParams *params,
                    const EchoesKenBurnsRect   *crops,
                    guint                       n,
                    double                      W,
                    double                      H)
{
  EchoesKenBurnsRect photo = { 0, 0, W, H };
  double aspect = (double)params->width / params->height;

  for (guint i = 0; i < n; i++)
    {
      g_assert_true (rect_contains (&photo, &crops[i]));
      g_assert_cmpfloat (crops[i].width, >, 0);
      g_assert_cmpfloat_with_epsilon (crops[i].width / crops[i].height, aspect, 1e-6 * aspect);
    }
}

static void
test_params_roundtrip (void)
{
  EchoesKenBurnsParams p, q;
  g_autofree char *str = NULL;
  g_autoptr(GError) error = NULL;

  echoes_ken_burns_params_init (&p);
  p.preset = ECHOES_KEN_BURNS_PRESET_CUSTOM;
  p.easing = ECHOES_KEN_BURNS_EASING_OUT;
  p.zoom = 1.6;
  p.speed = 0.5;
  p.start = (EchoesKenBurnsRect) { 0.1, 0.2, 0.5, 0.25 };
  p.end = (EchoesKenBurnsRect) { 0.0, 0.0, 1.0, 0.5625 };
  p.fps = 24;
  p.duration = 7.5;
  p.seed = 4242;
  p.detect_faces = FALSE;

  str = echoes_ken_burns_params_to_string (&p);
  g_assert_nonnull (strstr (str, "'preset': <'custom'>"));
  g_assert_true (echoes_ken_burns_params_from_string (&q, str, &error));
  g_assert_no_error (error);
  g_assert_cmpint (q.preset, ==, p.preset);
  g_assert_cmpint (q.easing, ==, p.easing);
  g_assert_cmpfloat (q.zoom, ==, p.zoom);
  g_assert_cmpfloat (q.speed, ==, p.speed);
  g_assert_cmpmem (&q.start, sizeof q.start, &p.start, sizeof p.start);
  g_assert_cmpmem (&q.end, sizeof q.end, &p.end, sizeof p.end);
  g_assert_cmpint (q.fps, ==, 24);
  g_assert_cmpfloat (q.duration, ==, 7.5);
  g_assert_cmpuint (q.seed, ==, 4242);
  g_assert_false (q.detect_faces);
  g_assert_cmpuint (echoes_ken_burns_params_get_n_frames (&q), ==, 180);

  /* Empty means defaults; partial strings keep defaults for the rest. */
  g_assert_true (echoes_ken_burns_params_from_string (&q, NULL, &error));
  g_assert_cmpint (q.preset, ==, ECHOES_KEN_BURNS_PRESET_AUTO);
  g_assert_cmpfloat (q.duration, ==, ECHOES_KEN_BURNS_DEFAULT_DURATION);
  g_assert_true (echoes_ken_burns_params_from_string (&q, "{'preset': <'pan-up'>}", &error));
  g_assert_no_error (error);
  g_assert_cmpint (q.preset, ==, ECHOES_KEN_BURNS_PRESET_PAN_UP);
  g_assert_cmpfloat (q.zoom, ==, ECHOES_KEN_BURNS_DEFAULT_ZOOM);

  /* Garbage and out-of-range values are rejected and leave @params alone. */
  q.seed = 7;
  g_assert_false (echoes_ken_burns_params_from_string (&q, "{'preset': <'spin'>}", &error));
  g_assert_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (echoes_ken_burns_params_from_string (&q, "not a variant", &error));
  g_assert_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (echoes_ken_burns_params_from_string (&q, "{'zoom': <9.0>}", &error));
  g_assert_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (echoes_ken_burns_params_from_string (&q, "{'start': <(0.8, 0.0, 0.5, 0.5)>}",
                                                       &error));
  g_assert_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_INVALID);
  g_assert_cmpuint (q.seed, ==, 7);
}

static void
test_params_ratio (void)
{
  EchoesKenBurnsParams p;

  echoes_ken_burns_params_init (&p);
  g_assert_true (echoes_ken_burns_params_set_ratio (&p, "9:16"));
  g_assert_cmpint (p.width, ==, 720);
  g_assert_cmpint (p.height, ==, 1280);
  g_assert_true (echoes_ken_burns_params_set_ratio (&p, "1:1"));
  g_assert_cmpint (p.width, ==, 1080);
  g_assert_cmpint (p.height, ==, 1080);
  g_assert_true (echoes_ken_burns_params_set_ratio (&p, "16:9"));
  g_assert_cmpint (p.width, ==, 1280);
  g_assert_cmpint (p.height, ==, 720);
  g_assert_false (echoes_ken_burns_params_set_ratio (&p, "4:3"));
  g_assert_cmpint (p.width, ==, 1280);
}

static void
test_easing (void)
{
  for (guint e = ECHOES_KEN_BURNS_EASING_LINEAR; e <= ECHOES_KEN_BURNS_EASING_OUT; e++)
    {
      double prev = -1;

      g_assert_cmpfloat (echoes_ken_burns_ease (e, 0), ==, 0);
      g_assert_cmpfloat (echoes_ken_burns_ease (e, 1), ==, 1);
      for (int i = 0; i <= 100; i++)
        {
          double v = echoes_ken_burns_ease (e, i / 100.0);

          g_assert_cmpfloat (v, >=, prev);
          prev = v;
        }
    }

  /* Ease-in-out starts and ends slower than linear. */
  g_assert_cmpfloat (echoes_ken_burns_ease (ECHOES_KEN_BURNS_EASING_IN_OUT, 0.05), <, 0.05);
  g_assert_cmpfloat (echoes_ken_burns_ease (ECHOES_KEN_BURNS_EASING_IN_OUT, 0.95), >, 0.95);
}

static void
test_framing_clamped (void)
{
  static const double sizes[][2] = {
    { 4000, 3000 }, { 3000, 4000 }, { 1920, 1080 }, { 1080, 1920 }, { 8000, 1000 },
    { 500, 3000 }, { 1000, 1000 }, { 37, 23 },
  };
  static const char * const ratios[] = { "16:9", "9:16", "1:1" };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint r = 0; r < G_N_ELEMENTS (ratios); r++)
      for (guint p = 0; p < G_N_ELEMENTS (all_presets); p++)
        for (guint32 seed = 0; seed < 4; seed++)
          {
            g_autofree EchoesKenBurnsRect *crops = NULL;
            EchoesKenBurnsParams params;
            guint n = 0;

            echoes_ken_burns_params_init (&params);
            echoes_ken_burns_params_set_ratio (&params, ratios[r]);
            params.preset = all_presets[p];
            params.seed = seed;
            params.zoom = 1.0 + seed * 0.5;
            params.speed = 0.5 + seed * 0.5;
            /* Custom rectangles deliberately off the photo's shape and near the edges. */
            params.start = (EchoesKenBurnsRect) { 0.9, 0.0, 0.1, 0.9 };
            params.end = (EchoesKenBurnsRect) { 0.0, 0.5, 1.0, 0.5 };
            params.duration = 1;

            crops = echoes_ken_burns_compute_crops (&params, sizes[s][0], sizes[s][1],
                                                    NULL, 0, NULL, &n);
            g_assert_nonnull (crops);
            g_assert_cmpuint (n, ==, 30);
            assert_crops_valid (&params, crops, n, sizes[s][0], sizes[s][1]);
          }
}

static void
test_framing_deterministic (void)
{
  EchoesKenBurnsParams params;
  g_autofree EchoesKenBurnsRect *a = NULL;
  g_autofree EchoesKenBurnsRect *b = NULL;
  gboolean some_differ = FALSE;
  guint na, nb;

  echoes_ken_burns_params_init (&params);
  params.seed = 99;
  a = echoes_ken_burns_compute_crops (&params, 3000, 2000, NULL, 0, NULL, &na);
  b = echoes_ken_burns_compute_crops (&params, 3000, 2000, NULL, 0, NULL, &nb);
  g_assert_cmpuint (na, ==, 150);
  g_assert_cmpmem (a, na * sizeof *a, b, nb * sizeof *b);

  /* Auto chooses between two framings by the seed: some seeds must differ. */
  for (guint32 seed = 0; seed < 16 && !some_differ; seed++)
    {
      g_autofree EchoesKenBurnsRect *c = NULL;
      guint nc;

      params.seed = seed;
      c = echoes_ken_burns_compute_crops (&params, 3000, 2000, NULL, 0, NULL, &nc);
      some_differ = memcmp (a, c, nc * sizeof *c) != 0;
    }
  g_assert_true (some_differ);
}

static void
test_framing_auto_portrait (void)
{
  const double W = 2000, H = 3000;
  g_autofree EchoesKenBurnsRect *crops = NULL;
  EchoesKenBurnsParams params;
  guint n;

  echoes_ken_burns_params_init (&params);
  for (params.seed = 0; params.seed < 4; params.seed++)
    {
      g_clear_pointer (&crops, g_free);
      crops = echoes_ken_burns_compute_crops (&params, W, H, NULL, 0, NULL, &n);
      assert_crops_valid (&params, crops, n, W, H);

      /* Whole width, never stretched, from the very top to the very bottom. */
      for (guint i = 0; i < n; i++)
        {
          g_assert_cmpfloat_with_epsilon (crops[i].width, W, EPS);
          if (i > 0)
            g_assert_cmpfloat (crops[i].y, >=, crops[i - 1].y);
        }
      g_assert_cmpfloat_with_epsilon (crops[0].y, 0, EPS);
      g_assert_cmpfloat_with_epsilon (crops[n - 1].y + crops[n - 1].height, H, EPS);
    }
}

static void
test_framing_auto_panorama (void)
{
  const double W = 9000, H = 1500;
  EchoesKenBurnsParams params;
  gboolean seen_left = FALSE, seen_right = FALSE;

  echoes_ken_burns_params_init (&params);
  for (params.seed = 0; params.seed < 16; params.seed++)
    {
      g_autofree EchoesKenBurnsRect *crops = NULL;
      guint n;
      double first, last;

      crops = echoes_ken_burns_compute_crops (&params, W, H, NULL, 0, NULL, &n);
      assert_crops_valid (&params, crops, n, W, H);

      for (guint i = 0; i < n; i++)
        {
          g_assert_cmpfloat_with_epsilon (crops[i].height, H, EPS);
          g_assert_cmpfloat_with_epsilon (crops[i].y, 0, EPS);
        }

      /* From one end of the panorama to the other. */
      first = crops[0].x;
      last = crops[n - 1].x;
      g_assert_cmpfloat_with_epsilon (MIN (first, last), 0, EPS);
      g_assert_cmpfloat_with_epsilon (MAX (first, last), W - crops[0].width, EPS);
      seen_left |= first > last;
      seen_right |= first < last;
    }

  g_assert_true (seen_left && seen_right);
}

static void
test_framing_auto_same_shape (void)
{
  const double W = 1920, H = 1080;
  EchoesKenBurnsParams params;

  echoes_ken_burns_params_init (&params);
  for (params.seed = 0; params.seed < 8; params.seed++)
    {
      g_autofree EchoesKenBurnsRect *crops = NULL;
      const EchoesKenBurnsRect *big, *small;
      guint n;

      crops = echoes_ken_burns_compute_crops (&params, W, H, NULL, 0, NULL, &n);
      assert_crops_valid (&params, crops, n, W, H);

      big = crops[0].width > crops[n - 1].width ? &crops[0] : &crops[n - 1];
      small = big == &crops[0] ? &crops[n - 1] : &crops[0];

      /* One end shows the whole photo, the other a gentle zoom (at most 1.2×). */
      g_assert_cmpfloat_with_epsilon (big->width, W, EPS);
      g_assert_cmpfloat (small->width, <, W);
      g_assert_cmpfloat (W / small->width, <=, 1.2 + EPS);
      /* No faces: aimed at the upper third (portrait-safe). */
      g_assert_cmpfloat (small->y + small->height / 2, <, H / 2);
    }
}

static void
test_framing_faces (void)
{
  static const double sizes[][2] = {
    { 4000, 3000 }, { 3000, 4000 }, { 1920, 1080 }, { 9000, 1500 }, { 1000, 1000 },
  };
  static const char * const ratios[] = { "16:9", "9:16", "1:1" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20260101);
  guint checked = 0;

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint r = 0; r < G_N_ELEMENTS (ratios); r++)
      for (guint p = 0; p < G_N_ELEMENTS (all_presets); p++)
        for (guint trial = 0; trial < 6; trial++)
          {
            const double W = sizes[s][0], H = sizes[s][1];
            g_autofree EchoesKenBurnsRect *crops = NULL;
            EchoesKenBurnsRect faces[3];
            EchoesKenBurnsParams params;
            double max_w, max_h, aspect;
            guint n, n_faces = 1 + trial % 3;

            echoes_ken_burns_params_init (&params);
            echoes_ken_burns_params_set_ratio (&params, ratios[r]);
            params.preset = all_presets[p];
            params.seed = trial;
            params.zoom = 2.5;
            params.speed = 2.0;
            params.duration = 2;
            params.start = (EchoesKenBurnsRect) { 0.0, 0.0, 0.2, 0.2 };
            params.end = (EchoesKenBurnsRect) { 0.8, 0.8, 0.2, 0.2 };
            aspect = (double)params.width / params.height;
            max_w = MIN (W, H * aspect);
            max_h = max_w / aspect;

            /* Faces clustered so that the largest crop can hold them all (with margin). */
            for (guint f = 0; f < n_faces; f++)
              {
                double size = g_rand_double_range (rand, 0.05, 0.15) * MIN (max_w, max_h);
                double cx = g_rand_double_range (rand, 0, W - max_w * 0.6);
                double cy = g_rand_double_range (rand, 0, H - max_h * 0.6);

                if (f > 0)
                  {
                    cx = faces[0].x + g_rand_double_range (rand, -0.2, 0.2) * max_w;
                    cy = faces[0].y + g_rand_double_range (rand, -0.2, 0.2) * max_h;
                  }
                cx = CLAMP (cx, 0, W - size);
                cy = CLAMP (cy, 0, H - size);
                faces[f] = (EchoesKenBurnsRect) { cx, cy, size, size };
              }

            crops = echoes_ken_burns_compute_crops (&params, W, H, faces, n_faces, NULL, &n);
            assert_crops_valid (&params, crops, n, W, H);

            for (guint i = 0; i < n; i++)
              for (guint f = 0; f < n_faces; f++)
                {
                  if (!rect_contains (&crops[i], &faces[f]))
                    g_error ("%gx%g %s preset %d seed %u frame %u: crop %g,%g %gx%g misses "
                             "face %g,%g %gx%g", W, H, ratios[r], all_presets[p], trial, i,
                             crops[i].x, crops[i].y, crops[i].width, crops[i].height,
                             faces[f].x, faces[f].y, faces[f].width, faces[f].height);
                  checked++;
                }
          }

  g_assert_cmpuint (checked, >, 10000);
}

static void
test_framing_detail (void)
{
  /* A flat photo with one textured patch low on the right: zooms must end on it, not on
   * the (blank) upper third. */
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 1600, 900);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  EchoesKenBurnsRect patch = { 1200, 600, 300, 250 };
  EchoesKenBurnsRect detail;
  EchoesKenBurnsParams params;
  g_autofree EchoesKenBurnsRect *crops = NULL;
  double cx = patch.x + patch.width / 2, cy = patch.y + patch.height / 2;
  guint n;

  gdk_pixbuf_fill (pixbuf, 0x8090a0ff);
  g_assert_false (echoes_ken_burns_find_detail (pixbuf, &detail));

  for (int y = (int)patch.y; y < patch.y + patch.height; y++)
    for (int x = (int)patch.x; x < patch.x + patch.width; x++)
      memset (pixels + y * stride + x * 3, ((x / 6 + y / 6) % 2) ? 230 : 20, 3);

  g_assert_true (echoes_ken_burns_find_detail (pixbuf, &detail));
  g_assert_cmpfloat (fabs (detail.x + detail.width / 2 - cx), <, 150);
  g_assert_cmpfloat (fabs (detail.y + detail.height / 2 - cy), <, 150);

  echoes_ken_burns_params_init (&params);
  params.preset = ECHOES_KEN_BURNS_PRESET_ZOOM_IN;
  crops = echoes_ken_burns_compute_crops (&params, 1600, 900, NULL, 0, &detail, &n);
  assert_crops_valid (&params, crops, n, 1600, 900);
  g_assert_true (cx > crops[n - 1].x && cx < crops[n - 1].x + crops[n - 1].width);
  g_assert_true (cy > crops[n - 1].y && cy < crops[n - 1].y + crops[n - 1].height);
  g_assert_cmpfloat (crops[n - 1].y + crops[n - 1].height / 2, >, 450);
}

static void
test_framing_faces_pan (void)
{
  /* A portrait photo panned top to bottom in a landscape film with a face low in the
   * picture: the pan must be shortened so the face is never cut off. */
  const double W = 2000, H = 3000;
  EchoesKenBurnsRect face = { 900, 2400, 200, 200 };
  g_autofree EchoesKenBurnsRect *crops = NULL;
  EchoesKenBurnsParams params;
  guint n;

  echoes_ken_burns_params_init (&params);
  crops = echoes_ken_burns_compute_crops (&params, W, H, &face, 1, NULL, &n);
  for (guint i = 0; i < n; i++)
    g_assert_true (rect_contains (&crops[i], &face));
  /* It still moves. */
  g_assert_cmpfloat (crops[n - 1].y - crops[0].y, >, 100);
}

static void
discover (const char   *path,
          int          *width,
          int          *height,
          int          *fps_n,
          int          *fps_d,
          GstClockTime *duration,
          char        **container,
          char        **video)
{
  g_autoptr(GstDiscoverer) discoverer = NULL;
  g_autoptr(GstDiscovererInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  g_autoptr(GstDiscovererStreamInfo) top = NULL;
  g_autoptr(GstCaps) top_caps = NULL;
  g_autoptr(GstCaps) caps = NULL;
  GList *streams;
  GstDiscovererVideoInfo *vinfo;

  discoverer = gst_discoverer_new (5 * GST_SECOND, &error);
  g_assert_no_error (error);
  info = gst_discoverer_discover_uri (discoverer, uri, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gst_discoverer_info_get_result (info), ==, GST_DISCOVERER_OK);

  top = gst_discoverer_info_get_stream_info (info);
  top_caps = gst_discoverer_stream_info_get_caps (top);
  *container = gst_caps_to_string (top_caps);

  streams = gst_discoverer_info_get_video_streams (info);
  g_assert_cmpuint (g_list_length (streams), ==, 1);
  vinfo = streams->data;
  caps = gst_discoverer_stream_info_get_caps (GST_DISCOVERER_STREAM_INFO (vinfo));
  *video = gst_caps_to_string (caps);
  *width = (int)gst_discoverer_video_info_get_width (vinfo);
  *height = (int)gst_discoverer_video_info_get_height (vinfo);
  *fps_n = (int)gst_discoverer_video_info_get_framerate_num (vinfo);
  *fps_d = (int)gst_discoverer_video_info_get_framerate_denom (vinfo);
  *duration = gst_discoverer_info_get_duration (info);
  gst_discoverer_stream_info_list_free (streams);
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
progress_cb (double   fraction,
             gpointer user_data)
{
  GArray *values = user_data;

  g_array_append_val (values, fraction);
}

static void
test_render (void)
{
  g_autofree char *photo = make_photo ("render.jpg", 640, 480);
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "render", NULL);
  g_autofree char *out = g_build_filename (dir, "clip.mp4", NULL);
  g_autofree char *container = NULL;
  g_autofree char *video = NULL;
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  EchoesKenBurnsParams params;
  GstClockTime duration;
  int w, h, fn, fd;

  echoes_ken_burns_params_init (&params);
  params.width = 320;
  params.height = 180;
  params.duration = 1.0;
  params.fps = 30;

  g_assert_true (echoes_ken_burns_render (photo, &params, out, progress_cb, values, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (out, G_FILE_TEST_IS_REGULAR));
  /* No temporary file left beside it. */
  g_assert_cmpuint (count_files (dir), ==, 1);

  discover (out, &w, &h, &fn, &fd, &duration, &container, &video);
  g_test_message ("container %s, video %s, %" GST_TIME_FORMAT, container, video,
                  GST_TIME_ARGS (duration));
  g_assert_true (g_str_has_prefix (container, "video/quicktime"));
  g_assert_true (g_str_has_prefix (video, "video/x-h264"));
  g_assert_cmpint (w, ==, 320);
  g_assert_cmpint (h, ==, 180);
  g_assert_cmpint (fn, ==, 30);
  g_assert_cmpint (fd, ==, 1);
  g_assert_cmpuint (duration, >=, GST_SECOND - GST_SECOND / 30);
  g_assert_cmpuint (duration, <=, GST_SECOND + GST_SECOND / 30);

  /* Progress only goes up and ends at 1. */
  g_assert_cmpuint (values->len, >, 10);
  for (guint i = 1; i < values->len; i++)
    g_assert_cmpfloat (g_array_index (values, double, i), >=, g_array_index (values, double, i - 1));
  g_assert_cmpfloat (g_array_index (values, double, values->len - 1), ==, 1.0);

  /* Square 24 fps too, with a chroma width (90) that GStreamer pads to 92 bytes. */
  params.width = params.height = 180;
  params.fps = 24;
  params.preset = ECHOES_KEN_BURNS_PRESET_PAN_LEFT;
  g_clear_pointer (&container, g_free);
  g_clear_pointer (&video, g_free);
  g_assert_true (echoes_ken_burns_render (photo, &params, out, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  discover (out, &w, &h, &fn, &fd, &duration, &container, &video);
  g_assert_cmpint (w, ==, 180);
  g_assert_cmpint (h, ==, 180);
  g_assert_cmpint (fn, ==, 24);
  g_assert_cmpuint (duration, >=, GST_SECOND - GST_SECOND / 24);
  g_assert_cmpuint (duration, <=, GST_SECOND + GST_SECOND / 24);
}

typedef struct
{
  GCancellable *cancellable;
  gint64        cancelled_at;
  double        last;
} CancelData;

/* Rendering thread: cancels at the first rendered frame (past decoding and framing). */
static void
cancel_progress_cb (double   fraction,
                    gpointer user_data)
{
  CancelData *data = user_data;

  g_assert_cmpfloat (fraction, >=, data->last);
  data->last = fraction;
  if (fraction > 0.05 && data->cancelled_at == 0)
    {
      data->cancelled_at = g_get_monotonic_time ();
      g_cancellable_cancel (data->cancellable);
    }
}

static void
test_render_cancel (void)
{
  g_autofree char *photo = make_photo ("cancel.jpg", 1600, 1200);
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "cancel", NULL);
  g_autofree char *out = g_build_filename (dir, "clip.mp4", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  EchoesKenBurnsParams params;
  CancelData data = { cancellable, 0, 0.0 };
  gint64 returned_at;

  /* Full size, 10 s: cancelled at its first frame, far from the end. */
  echoes_ken_burns_params_init (&params);
  params.duration = 10;

  g_assert_false (echoes_ken_burns_render (photo, &params, out, cancel_progress_cb, &data,
                                           cancellable, &error));
  returned_at = g_get_monotonic_time ();
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (data.cancelled_at, >, 0);
  g_test_message ("returned %" G_GINT64_FORMAT " ms after the cancel, at %.0f %%",
                  (returned_at - data.cancelled_at) / 1000, data.last * 100);
  /* It stopped rendering: far fewer frames than the clip's 240. */
  g_assert_cmpfloat (data.last, <, 0.5);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (dir), ==, 0);

  /* Cancelled before it starts: nothing at all. */
  g_clear_error (&error);
  g_assert_false (echoes_ken_burns_render (photo, &params, out, NULL, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (count_files (dir), ==, 0);
}

static void
test_render_errors (void)
{
  g_autofree char *bad = g_build_filename (g_get_user_cache_dir (), "bad.jpg", NULL);
  g_autofree char *photo = make_photo ("ok.jpg", 64, 64);
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "errors", NULL);
  g_autofree char *out = g_build_filename (dir, "clip.mp4", NULL);
  g_autoptr(GError) error = NULL;
  EchoesKenBurnsParams params;

  g_mkdir_with_parents (g_get_user_cache_dir (), 0755);
  g_assert_true (g_file_set_contents (bad, "not a jpeg", -1, NULL));

  echoes_ken_burns_params_init (&params);
  params.width = 64;
  params.height = 36;
  params.duration = 0.5;

  g_assert_false (echoes_ken_burns_render (bad, &params, out, NULL, NULL, NULL, &error));
  g_assert_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_IMAGE);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  params.width = 63;
  g_assert_false (echoes_ken_burns_render (photo, &params, out, NULL, NULL, NULL, &error));
  g_assert_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_INVALID);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
}

static void
test_facedetect (void)
{
  g_autofree char *photo = NULL;
  g_autofree EchoesKenBurnsRect *faces = NULL;
  g_autoptr(GError) error = NULL;
  guint n_faces = 99;
  int w = 0, h = 0;

  if (!echoes_ken_burns_facedetect_available ())
    {
      g_test_skip ("facedetect (gstreamer1.0-opencv) is not installed");
      return;
    }

  /* A generated pattern has no faces; this checks the detection path end to end. */
  photo = make_photo ("nofaces.jpg", 1200, 800);
  faces = echoes_ken_burns_detect_faces (photo, 640, &w, &h, &n_faces, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (w, ==, 640);
  g_assert_cmpint (h, ==, 427);
  g_assert_cmpuint (n_faces, ==, 0);
  g_assert_null (faces);
}

int
main (int   argc,
      char *argv[])
{
  /* keeps the MIME database gdk-pixbuf needs visible in isolated dirs */
  echoes_test_init (&argc, &argv);
  gst_init (&argc, &argv);

  g_test_add_func ("/echoes/media/ken-burns/params/roundtrip", test_params_roundtrip);
  g_test_add_func ("/echoes/media/ken-burns/params/ratio", test_params_ratio);
  g_test_add_func ("/echoes/media/ken-burns/easing", test_easing);
  g_test_add_func ("/echoes/media/ken-burns/framing/clamped", test_framing_clamped);
  g_test_add_func ("/echoes/media/ken-burns/framing/deterministic", test_framing_deterministic);
  g_test_add_func ("/echoes/media/ken-burns/framing/auto-portrait", test_framing_auto_portrait);
  g_test_add_func ("/echoes/media/ken-burns/framing/auto-panorama", test_framing_auto_panorama);
  g_test_add_func ("/echoes/media/ken-burns/framing/auto-same-shape", test_framing_auto_same_shape);
  g_test_add_func ("/echoes/media/ken-burns/framing/faces", test_framing_faces);
  g_test_add_func ("/echoes/media/ken-burns/framing/faces-pan", test_framing_faces_pan);
  g_test_add_func ("/echoes/media/ken-burns/framing/detail", test_framing_detail);
  g_test_add_func ("/echoes/media/ken-burns/render/output", test_render);
  g_test_add_func ("/echoes/media/ken-burns/render/cancel", test_render_cancel);
  g_test_add_func ("/echoes/media/ken-burns/render/errors", test_render_errors);
  g_test_add_func ("/echoes/media/ken-burns/facedetect", test_facedetect);

  return g_test_run ();
}
