/* echoes-ken-burns-framing.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-ken-burns-framing"

#include "config.h"

#include "echoes-ken-burns.h"

#include <math.h>

/* The framing: which crop of the photo each frame shows, and how the motion eases. Pure
 * functions of the params and the photo's size, faces and detail, so that they can be
 * tested without pixels. */

/* Faces get this much room around them (fraction of the face size) so that hair and
 * chin stay in the picture too. */
#define FACE_MARGIN 0.15

/* A photo whose aspect differs from the film's by more than this factor is panned
 * across rather than zoomed (auto preset). */
#define PAN_ASPECT_FACTOR 1.3

/* Auto zooms stay gentle whatever the params say. */
#define AUTO_MAX_ZOOM 1.2

typedef struct
{
  double x;
  double y;
} Point;

/**
 * echoes_ken_burns_ease:
 * @easing: the curve
 * @t: time, 0–1
 *
 * Returns: progress along the motion, 0–1, monotonic in @t
 */
double
echoes_ken_burns_ease (EchoesKenBurnsEasing easing,
                       double               t)
{
  t = CLAMP (t, 0.0, 1.0);

  switch (easing)
    {
    case ECHOES_KEN_BURNS_EASING_IN_OUT:
      return t * t * (3.0 - 2.0 * t);

    case ECHOES_KEN_BURNS_EASING_IN:
      return t * t;

    case ECHOES_KEN_BURNS_EASING_OUT:
      return 1.0 - (1.0 - t) * (1.0 - t);

    case ECHOES_KEN_BURNS_EASING_LINEAR:
    default:
      return t;
    }
}

/* Moves @r (size kept) so that it lies inside [0,W]×[0,H]; if it is bigger than the
 * photo in a direction it is centred there (callers never make it bigger). */
static void
clamp_into (EchoesKenBurnsRect *r,
            double              W,
            double              H)
{
  r->x = r->width >= W ? (W - r->width) / 2 : CLAMP (r->x, 0, W - r->width);
  r->y = r->height >= H ? (H - r->height) / 2 : CLAMP (r->y, 0, H - r->height);
}

/* Places a crop of @w×@h centred on @focus, inside the photo, containing @must (if any):
 * the position range that contains @must is intersected with the one inside the photo. */
static EchoesKenBurnsRect
place (double                    w,
       double                    h,
       Point                     focus,
       const EchoesKenBurnsRect *must,
       double                    W,
       double                    H)
{
  EchoesKenBurnsRect r = { focus.x - w / 2, focus.y - h / 2, w, h };

  if (must != NULL)
    {
      double lo_x = MAX (0, must->x + must->width - w);
      double hi_x = MIN (W - w, must->x);
      double lo_y = MAX (0, must->y + must->height - h);
      double hi_y = MIN (H - h, must->y);

      /* When the region doesn't fit (or only just, give or take rounding), centre on it. */
      r.x = lo_x <= hi_x ? CLAMP (r.x, lo_x, hi_x) : must->x + must->width / 2 - w / 2;
      r.y = lo_y <= hi_y ? CLAMP (r.y, lo_y, hi_y) : must->y + must->height / 2 - h / 2;
    }

  clamp_into (&r, W, H);
  return r;
}

/* The range of x (or y) positions a crop of size @size may take: inside the photo and,
 * if possible, containing [@must_lo, @must_hi]. */
static void
travel_range (double  size,
              double  extent,
              double  must_lo,
              double  must_hi,
              double *lo,
              double *hi)
{
  *lo = 0;
  *hi = MAX (0, extent - size);

  if (must_hi > must_lo)
    {
      double a = MAX (*lo, must_hi - size);
      double b = MIN (*hi, must_lo);

      /* When the region doesn't fit (or only just, give or take rounding), centre on it. */
      if (a <= b)
        *lo = a, *hi = b;
      else
        *lo = *hi = CLAMP ((must_lo + must_hi - size) / 2, *lo, *hi);
    }
}

/**
 * echoes_ken_burns_plan:
 * @params: the motion; only the aspect of its output size matters here
 * @photo_width: the photo's width in pixels (after EXIF orientation)
 * @photo_height: the photo's height in pixels
 * @faces: (array length=n_faces) (nullable): faces in photo pixels
 * @n_faces: number of faces
 * @detail: (nullable): the photo's most detailed region (echoes_ken_burns_find_detail()),
 *   in photo pixels; without faces, zooms aim at its centre instead of the upper third, so
 *   they never end on a blank area
 * @start: (out): first crop, in photo pixels
 * @end: (out): last crop, in photo pixels
 *
 * Chooses the first and last crop. Both have the output's aspect, lie inside the photo
 * (never a black border, never a stretch) and contain every face with a margin whenever
 * the largest crop of that aspect can (else they are centred on the faces). Every frame in
 * between is a linear blend of the two (echoes_ken_burns_compute_crops()), and a blend of
 * two rectangles that contain a region and lie inside the photo does too.
 *
 * Auto: a photo much taller than the film (a portrait in a landscape film) is shown at full
 * width panning top to bottom; one much wider (a panorama) at full height panning sideways
 * (direction from the seed); otherwise it zooms gently (in or out from the seed, at most
 * 1.2×) on the faces or, without faces, a point on the upper third (portrait-safe).
 *
 * Returns: %FALSE if the sizes are unusable
 */
gboolean
echoes_ken_burns_plan (const EchoesKenBurnsParams *params,
                       double                      photo_width,
                       double                      photo_height,
                       const EchoesKenBurnsRect   *faces,
                       guint                       n_faces,
                       const EchoesKenBurnsRect   *detail,
                       EchoesKenBurnsRect         *start,
                       EchoesKenBurnsRect         *end)
{
  g_autoptr(GRand) rand = NULL;
  EchoesKenBurnsRect must = { 0 };
  EchoesKenBurnsRect *mustp = NULL;
  EchoesKenBurnsPreset preset;
  const double W = photo_width;
  const double H = photo_height;
  double A, max_w, max_h, zoom, min_w, speed;
  Point focus;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (start != NULL && end != NULL, FALSE);

  if (!(W >= 1 && H >= 1) || params->width <= 0 || params->height <= 0)
    return FALSE;

  rand = g_rand_new_with_seed (params->seed);
  A = (double)params->width / params->height;
  speed = CLAMP (params->speed, 0.1, 2.0);

  /* The largest crop of the output's aspect. */
  if (W / H > A)
    max_h = H, max_w = H * A;
  else
    max_w = W, max_h = W / A;

  /* The region every frame must show: all faces plus a margin, inside the photo. */
  for (guint i = 0; faces != NULL && i < n_faces; i++)
    {
      const EchoesKenBurnsRect *f = &faces[i];
      double mx = f->width * FACE_MARGIN, my = f->height * FACE_MARGIN;
      double x0 = MAX (0, f->x - mx), y0 = MAX (0, f->y - my);
      double x1 = MIN (W, f->x + f->width + mx), y1 = MIN (H, f->y + f->height + my);

      if (x1 <= x0 || y1 <= y0)
        continue;

      if (mustp == NULL)
        {
          must = (EchoesKenBurnsRect) { x0, y0, x1 - x0, y1 - y0 };
          mustp = &must;
        }
      else
        {
          double ux1 = MAX (must.x + must.width, x1), uy1 = MAX (must.y + must.height, y1);

          must.x = MIN (must.x, x0);
          must.y = MIN (must.y, y0);
          must.width = ux1 - must.x;
          must.height = uy1 - must.y;
        }
    }

  /* The smallest crop that still shows every face. */
  min_w = mustp ? MAX (must.width, must.height * A) : 0;
  min_w = MIN (min_w, max_w);

  /* Where zooms aim: the faces, else the detail, else the middle of the upper third,
   * where heads are in most portraits and horizons in most landscapes. */
  if (mustp)
    focus = (Point) { must.x + must.width / 2, must.y + must.height / 2 };
  else if (detail != NULL && detail->width > 0 && detail->height > 0)
    focus = (Point) { CLAMP (detail->x + detail->width / 2, 0, W),
                      CLAMP (detail->y + detail->height / 2, 0, H) };
  else
    focus = (Point) { W / 2, H / 3 };

  preset = params->preset;
  zoom = 1.0 + (CLAMP (params->zoom, 1.0, 3.0) - 1.0) * speed;

  if (preset == ECHOES_KEN_BURNS_PRESET_AUTO)
    {
      double r = W / H;
      gboolean flip = g_rand_boolean (rand);

      if (r * PAN_ASPECT_FACTOR < A)
        preset = ECHOES_KEN_BURNS_PRESET_PAN_DOWN;
      else if (r > A * PAN_ASPECT_FACTOR)
        preset = flip ? ECHOES_KEN_BURNS_PRESET_PAN_LEFT : ECHOES_KEN_BURNS_PRESET_PAN_RIGHT;
      else
        preset = flip ? ECHOES_KEN_BURNS_PRESET_ZOOM_OUT : ECHOES_KEN_BURNS_PRESET_ZOOM_IN;

      zoom = MIN (zoom, AUTO_MAX_ZOOM);
      speed = MIN (speed, 1.0);
    }

  switch (preset)
    {
    case ECHOES_KEN_BURNS_PRESET_CUSTOM:
      {
        const EchoesKenBurnsRect *rel[2] = { &params->start, &params->end };
        EchoesKenBurnsRect *out[2] = { start, end };

        for (guint i = 0; i < 2; i++)
          {
            /* Keep the centre and the width the user chose, fix the aspect, shrink to
             * fit, then make room for the faces. */
            double cx = (rel[i]->x + rel[i]->width / 2) * W;
            double cy = (rel[i]->y + rel[i]->height / 2) * H;
            double w = CLAMP (rel[i]->width * W, MAX (min_w, 1.0), max_w);

            *out[i] = place (w, w / A, (Point) { cx, cy }, mustp, W, H);
          }
      }
      break;

    case ECHOES_KEN_BURNS_PRESET_ZOOM_IN:
    case ECHOES_KEN_BURNS_PRESET_ZOOM_OUT:
      {
        double w_small = MAX (max_w / zoom, min_w);
        EchoesKenBurnsRect big = place (max_w, max_h, focus, mustp, W, H);
        EchoesKenBurnsRect small = place (w_small, w_small / A, focus, mustp, W, H);

        *start = preset == ECHOES_KEN_BURNS_PRESET_ZOOM_IN ? big : small;
        *end = preset == ECHOES_KEN_BURNS_PRESET_ZOOM_IN ? small : big;
      }
      break;

    case ECHOES_KEN_BURNS_PRESET_PAN_LEFT:
    case ECHOES_KEN_BURNS_PRESET_PAN_RIGHT:
    case ECHOES_KEN_BURNS_PRESET_PAN_UP:
    case ECHOES_KEN_BURNS_PRESET_PAN_DOWN:
      {
        gboolean horizontal = preset == ECHOES_KEN_BURNS_PRESET_PAN_LEFT ||
                              preset == ECHOES_KEN_BURNS_PRESET_PAN_RIGHT;
        gboolean forward = preset == ECHOES_KEN_BURNS_PRESET_PAN_RIGHT ||
                           preset == ECHOES_KEN_BURNS_PRESET_PAN_DOWN;
        double w = max_w, h = max_h, lo, hi, travel, mid, a, b;
        EchoesKenBurnsRect r;

        /* No room to travel along the pan's axis at the largest crop: zoom in (by the
         * zoom amount) to make some. */
        if ((horizontal && W - max_w < 1e-6 * W) || (!horizontal && H - max_h < 1e-6 * H))
          {
            w = MAX (max_w / MAX (zoom, 1.05), min_w);
            h = w / A;
          }

        r = place (w, h, focus, mustp, W, H);

        if (horizontal)
          travel_range (w, W, mustp ? must.x : 0, mustp ? must.x + must.width : 0, &lo, &hi);
        else
          travel_range (h, H, mustp ? must.y : 0, mustp ? must.y + must.height : 0, &lo, &hi);

        /* Travel min (1, speed) of the room, centred in it. */
        travel = (hi - lo) * MIN (1.0, speed);
        mid = (lo + hi) / 2;
        a = forward ? mid - travel / 2 : mid + travel / 2;
        b = forward ? mid + travel / 2 : mid - travel / 2;

        *start = r;
        *end = r;
        if (horizontal)
          start->x = a, end->x = b;
        else
          start->y = a, end->y = b;
      }
      break;

    case ECHOES_KEN_BURNS_PRESET_AUTO:
    default:
      g_assert_not_reached ();
    }

  return TRUE;
}

/**
 * echoes_ken_burns_compute_crops:
 * @params: the motion
 * @photo_width: photo width in pixels
 * @photo_height: photo height in pixels
 * @faces: (array length=n_faces) (nullable): faces in photo pixels
 * @n_faces: number of faces
 * @detail: (nullable): the most detailed region, see echoes_ken_burns_plan()
 * @n_frames: (out): number of frames (echoes_ken_burns_params_get_n_frames())
 *
 * The crop of every frame, in photo pixels: the eased linear blend of the crops from
 * echoes_ken_burns_plan(). Pure and deterministic for a given seed.
 *
 * Returns: (transfer full) (array length=n_frames) (nullable): the crops, free with g_free()
 */
EchoesKenBurnsRect *
echoes_ken_burns_compute_crops (const EchoesKenBurnsParams *params,
                                double                      photo_width,
                                double                      photo_height,
                                const EchoesKenBurnsRect   *faces,
                                guint                       n_faces,
                                const EchoesKenBurnsRect   *detail,
                                guint                      *n_frames)
{
  g_autofree EchoesKenBurnsRect *crops = NULL;
  EchoesKenBurnsRect a, b;
  guint n;

  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (n_frames != NULL, NULL);

  *n_frames = 0;

  if (!echoes_ken_burns_plan (params, photo_width, photo_height, faces, n_faces, detail, &a, &b))
    return NULL;

  n = echoes_ken_burns_params_get_n_frames (params);
  crops = g_new (EchoesKenBurnsRect, n);

  for (guint i = 0; i < n; i++)
    {
      double t = n > 1 ? (double)i / (n - 1) : 0.0;
      double e = echoes_ken_burns_ease (params->easing, t);
      EchoesKenBurnsRect *c = &crops[i];

      c->x = a.x + (b.x - a.x) * e;
      c->y = a.y + (b.y - a.y) * e;
      c->width = a.width + (b.width - a.width) * e;
      c->height = a.height + (b.height - a.height) * e;

      /* Rounding must never push a crop over the edge. */
      c->width = MIN (c->width, photo_width);
      c->height = MIN (c->height, photo_height);
      c->x = CLAMP (c->x, 0, photo_width - c->width);
      c->y = CLAMP (c->y, 0, photo_height - c->height);
    }

  *n_frames = n;
  return g_steal_pointer (&crops);
}
