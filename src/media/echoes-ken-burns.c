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
#include "echoes-clip-encoder.h"
#include "echoes-image.h"
#include "echoes-media-util.h"
#include "echoes-util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <glib/gstdio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gst/gst.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>

/* The renderer follows media-recipes.md section 1: decode the photo once at the size the
 * tightest crop needs, convert it once to planar YUV (BT.709, limited range), then render
 * every frame with a sub-pixel bilinear crop+scale straight into I420 and push it through
 * appsrc ! x264enc ! mp4mux. The framing (which crop each frame shows) is a pure function,
 * echoes_ken_burns_compute_crops(), so it can be tested without pixels. */

G_DEFINE_QUARK (echoes-ken-burns-error-quark, echoes_ken_burns_error)

/* Faces get this much room around them (fraction of the face size) so that hair and
 * chin stay in the picture too. */
#define FACE_MARGIN 0.15

/* A photo whose aspect differs from the film's by more than this factor is panned
 * across rather than zoomed (auto preset). */
#define PAN_ASPECT_FACTOR 1.3

/* Auto zooms stay gentle whatever the params say. */
#define AUTO_MAX_ZOOM 1.2

/* Decode so that the tightest crop still has this many photo pixels per output pixel. */
#define DECODE_OVERSAMPLE 1.1

static gboolean raw_output;

void
_echoes_ken_burns_set_raw_output (gboolean raw)
{
  raw_output = raw;
}

/* Frames waiting in appsrc for x264: bounds memory, keeps the encoder busy. */
#define QUEUED_FRAMES 4

static const char * const preset_names[] = {
  "auto", "zoom-in", "zoom-out", "pan-left", "pan-right", "pan-up", "pan-down", "custom",
};

static const char * const easing_names[] = {
  "linear", "ease-in-out", "ease-in", "ease-out",
};

typedef struct
{
  double x;
  double y;
} Point;

/* ---- params ---- */

/**
 * echoes_ken_burns_params_init:
 * @params: the struct to fill
 *
 * Sets the defaults: auto preset, ease-in-out, zoom 1.25, speed 1, 16:9 1280×720,
 * 30 fps, 5 s, seed 0, face detection on; custom rectangles are the whole photo.
 */
void
echoes_ken_burns_params_init (EchoesKenBurnsParams *params)
{
  g_return_if_fail (params != NULL);

  memset (params, 0, sizeof *params);
  params->preset = ECHOES_KEN_BURNS_PRESET_AUTO;
  params->easing = ECHOES_KEN_BURNS_EASING_IN_OUT;
  params->zoom = ECHOES_KEN_BURNS_DEFAULT_ZOOM;
  params->speed = 1.0;
  params->start = (EchoesKenBurnsRect) { 0, 0, 1, 1 };
  params->end = (EchoesKenBurnsRect) { 0, 0, 1, 1 };
  params->width = 1280;
  params->height = 720;
  params->fps = 30;
  params->duration = ECHOES_KEN_BURNS_DEFAULT_DURATION;
  params->seed = 0;
  params->detect_faces = TRUE;
}

/**
 * echoes_ken_burns_params_set_ratio:
 * @params: the params
 * @ratio: the project's ratio: "16:9", "9:16" or "1:1"
 *
 * Sets the output size: 16:9 → 1280×720, 9:16 → 720×1280, 1:1 → 1080×1080 (the square
 * keeps about the same pixel count as the others, and matches what phones share).
 *
 * Returns: %FALSE if @ratio is unknown (the size is left alone)
 */
gboolean
echoes_ken_burns_params_set_ratio (EchoesKenBurnsParams *params,
                                   const char           *ratio)
{
  g_return_val_if_fail (params != NULL, FALSE);

  if (g_strcmp0 (ratio, "16:9") == 0)
    params->width = 1280, params->height = 720;
  else if (g_strcmp0 (ratio, "9:16") == 0)
    params->width = 720, params->height = 1280;
  else if (g_strcmp0 (ratio, "1:1") == 0)
    params->width = 1080, params->height = 1080;
  else
    return FALSE;

  return TRUE;
}

const char *
echoes_ken_burns_preset_to_string (EchoesKenBurnsPreset preset)
{
  if ((guint)preset < G_N_ELEMENTS (preset_names))
    return preset_names[preset];
  return NULL;
}

gboolean
echoes_ken_burns_preset_from_string (const char           *str,
                                     EchoesKenBurnsPreset *preset)
{
  guint i;

  if (!echoes_names_lookup (preset_names, G_N_ELEMENTS (preset_names), str, &i))
    return FALSE;
  *preset = (EchoesKenBurnsPreset)i;
  return TRUE;
}

const char *
echoes_ken_burns_easing_to_string (EchoesKenBurnsEasing easing)
{
  if ((guint)easing < G_N_ELEMENTS (easing_names))
    return easing_names[easing];
  return NULL;
}

gboolean
echoes_ken_burns_easing_from_string (const char           *str,
                                     EchoesKenBurnsEasing *easing)
{
  guint i;

  if (!echoes_names_lookup (easing_names, G_N_ELEMENTS (easing_names), str, &i))
    return FALSE;
  *easing = (EchoesKenBurnsEasing)i;
  return TRUE;
}

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

/**
 * echoes_ken_burns_params_to_string:
 * @params: the params
 *
 * Serialises everything but the output size as a GVariant `a{sv}` in text form, e.g.
 * `{'version': <1>, 'preset': <'zoom-in'>, 'zoom': <1.25>, …}`.
 *
 * Returns: (transfer full): the string for #EchoesClip:motion
 */
char *
echoes_ken_burns_params_to_string (const EchoesKenBurnsParams *params)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autoptr(GVariant) variant = NULL;

  g_return_val_if_fail (params != NULL, NULL);

  g_variant_dict_insert (&dict, "version", "i", 1);
  g_variant_dict_insert (&dict, "preset", "s", echoes_ken_burns_preset_to_string (params->preset));
  g_variant_dict_insert (&dict, "easing", "s", echoes_ken_burns_easing_to_string (params->easing));
  g_variant_dict_insert (&dict, "zoom", "d", params->zoom);
  g_variant_dict_insert (&dict, "speed", "d", params->speed);
  g_variant_dict_insert (&dict, "start", "(dddd)", params->start.x, params->start.y,
                         params->start.width, params->start.height);
  g_variant_dict_insert (&dict, "end", "(dddd)", params->end.x, params->end.y,
                         params->end.width, params->end.height);
  g_variant_dict_insert (&dict, "fps", "i", params->fps);
  g_variant_dict_insert (&dict, "duration", "d", params->duration);
  g_variant_dict_insert (&dict, "seed", "u", params->seed);
  g_variant_dict_insert (&dict, "faces", "b", params->detect_faces);

  variant = g_variant_ref_sink (g_variant_dict_end (&dict));
  return g_variant_print (variant, TRUE);
}

static gboolean
rect_is_valid (const EchoesKenBurnsRect *r)
{
  return isfinite (r->x) && isfinite (r->y) && isfinite (r->width) && isfinite (r->height) &&
         r->width > 0 && r->height > 0 &&
         r->x >= -1e-6 && r->y >= -1e-6 &&
         r->x + r->width <= 1 + 1e-6 && r->y + r->height <= 1 + 1e-6;
}

/**
 * echoes_ken_burns_params_from_string:
 * @params: filled with the defaults, then with what @str holds
 * @str: (nullable): a string from echoes_ken_burns_params_to_string(); %NULL or "" gives
 *   the defaults
 * @error: return location for an error
 *
 * Keys that are missing keep their defaults, unknown keys are ignored. The output size is
 * left at the default; call echoes_ken_burns_params_set_ratio() after.
 *
 * Returns: %FALSE with %ECHOES_KEN_BURNS_ERROR_INVALID if @str can't be parsed or holds
 *   values out of range
 */
gboolean
echoes_ken_burns_params_from_string (EchoesKenBurnsParams  *params,
                                     const char            *str,
                                     GError               **error)
{
  g_autoptr(GVariant) variant = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  const char *s = NULL;
  EchoesKenBurnsParams p;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  echoes_ken_burns_params_init (&p);

  if (str == NULL || *str == '\0')
    {
      *params = p;
      return TRUE;
    }

  if (!(variant = g_variant_parse (G_VARIANT_TYPE_VARDICT, str, NULL, NULL, &local_error)))
    {
      g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_INVALID,
                   "Invalid motion string: %s", local_error->message);
      return FALSE;
    }

  g_variant_dict_init (&dict, variant);

  if (g_variant_dict_lookup (&dict, "preset", "&s", &s) &&
      !echoes_ken_burns_preset_from_string (s, &p.preset))
    goto invalid;
  if (g_variant_dict_lookup (&dict, "easing", "&s", &s) &&
      !echoes_ken_burns_easing_from_string (s, &p.easing))
    goto invalid;
  g_variant_dict_lookup (&dict, "zoom", "d", &p.zoom);
  g_variant_dict_lookup (&dict, "speed", "d", &p.speed);
  g_variant_dict_lookup (&dict, "start", "(dddd)", &p.start.x, &p.start.y,
                         &p.start.width, &p.start.height);
  g_variant_dict_lookup (&dict, "end", "(dddd)", &p.end.x, &p.end.y,
                         &p.end.width, &p.end.height);
  g_variant_dict_lookup (&dict, "fps", "i", &p.fps);
  g_variant_dict_lookup (&dict, "duration", "d", &p.duration);
  g_variant_dict_lookup (&dict, "seed", "u", &p.seed);
  g_variant_dict_lookup (&dict, "faces", "b", &p.detect_faces);

  if (!(p.zoom >= 1.0 && p.zoom <= 3.0) ||
      !(p.speed >= 0.1 && p.speed <= 2.0) ||
      p.fps < 1 || p.fps > 60 ||
      !(p.duration >= 0.1 && p.duration <= 60.0) ||
      !rect_is_valid (&p.start) || !rect_is_valid (&p.end))
    goto invalid;

  *params = p;
  return TRUE;

invalid:
  g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_INVALID,
               "Motion values out of range: %s", str);
  return FALSE;
}

/**
 * echoes_ken_burns_params_get_n_frames:
 *
 * Returns: round (duration × fps), at least 1
 */
guint
echoes_ken_burns_params_get_n_frames (const EchoesKenBurnsParams *params)
{
  g_return_val_if_fail (params != NULL, 0);

  return MAX (1, (guint)lround (params->duration * params->fps));
}

/* ---- framing (pure) ---- */

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

/* ---- GStreamer helpers ---- */

static gboolean
ensure_gst (GError **error)
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
element_exists (const char *name)
{
  g_autoptr(GstElementFactory) factory = NULL;

  if (!gst_init_check (NULL, NULL, NULL))
    return FALSE;

  factory = gst_element_factory_find (name);
  return factory != NULL;
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

static GstBuffer *
pixbuf_to_rgb_buffer (GdkPixbuf *pixbuf)
{
  int w = gdk_pixbuf_get_width (pixbuf);
  int h = gdk_pixbuf_get_height (pixbuf);
  int n = gdk_pixbuf_get_n_channels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int out_stride = GST_ROUND_UP_4 (w * 3);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  GstBuffer *buffer = gst_buffer_new_allocate (NULL, (gsize)out_stride * h, NULL);
  GstMapInfo map;

  gst_buffer_map (buffer, &map, GST_MAP_WRITE);
  for (int y = 0; y < h; y++)
    {
      const guint8 *s = pixels + (gsize)y * stride;
      guint8 *d = map.data + (gsize)y * out_stride;

      for (int x = 0; x < w; x++)
        d[x * 3] = s[x * n], d[x * 3 + 1] = s[x * n + 1], d[x * 3 + 2] = s[x * n + 2];
    }
  gst_buffer_unmap (buffer, &map);

  return buffer;
}

static EchoesKenBurnsRect *
detect_faces_in_pixbuf (GdkPixbuf     *pixbuf,
                        guint         *n_faces,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) src = NULL;
  g_autoptr(GstCaps) caps = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GArray) faces = g_array_new (FALSE, FALSE, sizeof (EchoesKenBurnsRect));
  g_autoptr(GError) local_error = NULL;
  GstBuffer *buffer;
  gboolean done = FALSE;

  *n_faces = 0;

  pipeline = gst_parse_launch ("appsrc name=src format=time ! videoconvert "
                               "! facedetect display=false updates=every_frame "
                               "min-size-width=24 min-size-height=24 ! fakesink",
                               &local_error);
  if (pipeline == NULL)
    {
      g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_MISSING_PLUGIN,
                   "Face detection unavailable: %s", local_error->message);
      return NULL;
    }

  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  caps = gst_caps_new_simple ("video/x-raw",
                              "format", G_TYPE_STRING, "RGB",
                              "width", G_TYPE_INT, gdk_pixbuf_get_width (pixbuf),
                              "height", G_TYPE_INT, gdk_pixbuf_get_height (pixbuf),
                              "framerate", GST_TYPE_FRACTION, 1, 1,
                              NULL);
  g_object_set (src, "caps", caps, NULL);

  buffer = pixbuf_to_rgb_buffer (pixbuf);
  GST_BUFFER_PTS (buffer) = 0;
  GST_BUFFER_DURATION (buffer) = GST_SECOND;

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  gst_app_src_push_buffer (GST_APP_SRC (src), buffer);
  gst_app_src_end_of_stream (GST_APP_SRC (src));

  bus = gst_element_get_bus (pipeline);
  while (!done)
    {
      g_autoptr(GstMessage) msg = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          gst_element_set_state (pipeline, GST_STATE_NULL);
          return NULL;
        }

      msg = gst_bus_timed_pop_filtered (bus, 50 * GST_MSECOND,
                                        GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT);
      if (msg == NULL)
        continue;

      switch ((int)GST_MESSAGE_TYPE (msg))
        {
        case GST_MESSAGE_ELEMENT:
          {
            const GstStructure *s = gst_message_get_structure (msg);
            const GValue *list;

            if (!gst_structure_has_name (s, "facedetect") ||
                !(list = gst_structure_get_value (s, "faces")) ||
                !GST_VALUE_HOLDS_LIST (list))
              break;

            for (guint i = 0; i < gst_value_list_get_size (list); i++)
              {
                const GValue *v = gst_value_list_get_value (list, i);
                const GstStructure *fs = gst_value_get_structure (v);
                guint x = 0, y = 0, w = 0, h = 0;
                EchoesKenBurnsRect r;

                if (fs == NULL ||
                    !gst_structure_get_uint (fs, "x", &x) || !gst_structure_get_uint (fs, "y", &y) ||
                    !gst_structure_get_uint (fs, "width", &w) ||
                    !gst_structure_get_uint (fs, "height", &h))
                  continue;

                r = (EchoesKenBurnsRect) { x, y, w, h };
                g_array_append_val (faces, r);
              }
          }
          break;

        case GST_MESSAGE_ERROR:
          {
            g_autoptr(GError) gst_error = NULL;

            gst_message_parse_error (msg, &gst_error, NULL);
            gst_element_set_state (pipeline, GST_STATE_NULL);
            g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_FAILED,
                         "Face detection failed: %s", gst_error->message);
            return NULL;
          }

        default:
          done = TRUE;
          break;
        }
    }

  gst_element_set_state (pipeline, GST_STATE_NULL);

  *n_faces = faces->len;
  return (EchoesKenBurnsRect *)(gpointer)g_array_free (g_steal_pointer (&faces), FALSE);
}

#define DETAIL_GRID_X 16
#define DETAIL_GRID_Y 12

/**
 * echoes_ken_burns_find_detail:
 * @pixbuf: the photo (any size; a downscaled copy is fine)
 * @detail: (out): the detailed region, in @pixbuf's pixels
 *
 * Finds where the picture has detail (local contrast), so that zooms don't end on a blank
 * sky or wall: the bounding box of the grid cells with at least 60 % of the highest
 * contrast. Cheap (samples at most ~64×64 pixels per cell of a 16×12 grid).
 *
 * Returns: %FALSE if there is no clear subject (the photo is flat, or detailed all over)
 */
gboolean
echoes_ken_burns_find_detail (GdkPixbuf          *pixbuf,
                              EchoesKenBurnsRect *detail)
{
  double energy[DETAIL_GRID_Y][DETAIL_GRID_X] = { { 0 } };
  const guint8 *pixels;
  int w, h, n, stride, step;
  double max = 0, cw, ch;
  int x0 = DETAIL_GRID_X, y0 = DETAIL_GRID_Y, x1 = -1, y1 = -1;

  g_return_val_if_fail (GDK_IS_PIXBUF (pixbuf), FALSE);
  g_return_val_if_fail (detail != NULL, FALSE);

  w = gdk_pixbuf_get_width (pixbuf);
  h = gdk_pixbuf_get_height (pixbuf);
  n = gdk_pixbuf_get_n_channels (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  pixels = gdk_pixbuf_read_pixels (pixbuf);

  if (w < DETAIL_GRID_X * 2 || h < DETAIL_GRID_Y * 2)
    return FALSE;

  cw = (double)w / DETAIL_GRID_X;
  ch = (double)h / DETAIL_GRID_Y;
  step = MAX (1, (int)(MIN (cw, ch) / 64));

  for (int gy = 0; gy < DETAIL_GRID_Y; gy++)
    for (int gx = 0; gx < DETAIL_GRID_X; gx++)
      {
        int ys = (int)(gy * ch), ye = MIN ((int)((gy + 1) * ch), h - 1);
        int xs = (int)(gx * cw), xe = MIN ((int)((gx + 1) * cw), w - 1);
        double sum = 0;
        guint count = 0;

        for (int y = ys; y < ye; y += step)
          for (int x = xs; x < xe; x += step)
            {
              const guint8 *p = pixels + (gsize)y * stride + (gsize)x * n;
              const guint8 *r = p + n, *d = p + stride;
              int l = p[0] + 2 * p[1] + p[2];

              sum += abs (r[0] + 2 * r[1] + r[2] - l) + abs (d[0] + 2 * d[1] + d[2] - l);
              count++;
            }

        energy[gy][gx] = count ? sum / (4.0 * count) : 0;
        max = MAX (max, energy[gy][gx]);
      }

  /* Under ~2 levels of contrast per pixel the photo is flat: no subject to aim at. */
  if (max < 2.0)
    return FALSE;

  for (int gy = 0; gy < DETAIL_GRID_Y; gy++)
    for (int gx = 0; gx < DETAIL_GRID_X; gx++)
      if (energy[gy][gx] >= 0.6 * max)
        {
          x0 = MIN (x0, gx), y0 = MIN (y0, gy);
          x1 = MAX (x1, gx), y1 = MAX (y1, gy);
        }

  /* Detail all over the picture: no better aim than the default. */
  if ((x1 - x0 + 1) * 10 > DETAIL_GRID_X * 6 && (y1 - y0 + 1) * 10 > DETAIL_GRID_Y * 6)
    return FALSE;

  *detail = (EchoesKenBurnsRect) { x0 * cw, y0 * ch, (x1 - x0 + 1) * cw, (y1 - y0 + 1) * ch };
  return TRUE;
}

/**
 * echoes_ken_burns_facedetect_available:
 *
 * Returns: whether GStreamer's `facedetect` element (gstreamer1.0-opencv) is installed
 */
gboolean
echoes_ken_burns_facedetect_available (void)
{
  static gsize available = 0;

  if (g_once_init_enter (&available))
    g_once_init_leave (&available, element_exists ("facedetect") ? 2 : 1);

  return available == 2;
}

/* Loads @path with its EXIF orientation applied, downscaled so that its longer side is at
 * most @max_size (0: full size), or by @scale if @scale < 1. */
static GdkPixbuf *
load_photo (const char  *path,
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

/**
 * echoes_ken_burns_detect_faces:
 * @image_path: the photo
 * @max_size: longest side to detect on (e.g. 640); 0 for full size
 * @photo_width: (out) (optional): width of the image the faces refer to
 * @photo_height: (out) (optional): height of that image
 * @n_faces: (out): number of faces
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Runs GStreamer's `facedetect` once on the photo, downscaled. Blocks: call it from a
 * worker thread.
 *
 * Returns: (transfer full) (array length=n_faces) (nullable): the faces, in the pixels of
 *   the downscaled image (%NULL with @n_faces 0 if none and no error)
 */
EchoesKenBurnsRect *
echoes_ken_burns_detect_faces (const char    *image_path,
                               int            max_size,
                               int           *photo_width,
                               int           *photo_height,
                               guint         *n_faces,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autofree EchoesKenBurnsRect *faces = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (image_path != NULL, NULL);
  g_return_val_if_fail (n_faces != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  *n_faces = 0;

  if (!ensure_gst (error))
    return NULL;

  if (!echoes_ken_burns_facedetect_available ())
    {
      g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_MISSING_PLUGIN,
                   "The GStreamer element facedetect is not installed");
      return NULL;
    }

  if (!(pixbuf = load_photo (image_path, max_size, 1.0, error)))
    return NULL;

  if (photo_width)
    *photo_width = gdk_pixbuf_get_width (pixbuf);
  if (photo_height)
    *photo_height = gdk_pixbuf_get_height (pixbuf);

  faces = detect_faces_in_pixbuf (pixbuf, n_faces, cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (*n_faces == 0)
    return NULL;

  return g_steal_pointer (&faces);
}

/* ---- rendering ---- */

typedef struct
{
  guint8 *data;
  int     width;
  int     height;
  int     stride;
} Plane;

static void
plane_clear (Plane *p)
{
  g_clear_pointer (&p->data, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Plane, plane_clear)

static inline guint8
clamp_u8 (int v)
{
  return (guint8)CLAMP (v, 0, 255);
}

/* RGB → Y (full resolution) and U, V (2×2 averages), BT.709 limited range. */
static void
pixbuf_to_yuv (GdkPixbuf *pixbuf,
               Plane     *Y,
               Plane     *U,
               Plane     *V)
{
  int w = gdk_pixbuf_get_width (pixbuf);
  int h = gdk_pixbuf_get_height (pixbuf);
  int n = gdk_pixbuf_get_n_channels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  int cw = (w + 1) / 2, ch = (h + 1) / 2;

  *Y = (Plane) { g_malloc ((gsize)w * h), w, h, w };
  *U = (Plane) { g_malloc ((gsize)cw * ch), cw, ch, cw };
  *V = (Plane) { g_malloc ((gsize)cw * ch), cw, ch, cw };

  for (int y = 0; y < h; y++)
    {
      const guint8 *s = pixels + (gsize)y * stride;
      guint8 *d = Y->data + (gsize)y * w;

      for (int x = 0; x < w; x++, s += n)
        d[x] = clamp_u8 (((47 * s[0] + 157 * s[1] + 16 * s[2] + 128) >> 8) + 16);
    }

  for (int cy = 0; cy < ch; cy++)
    {
      int y0 = cy * 2, y1 = MIN (cy * 2 + 1, h - 1);
      const guint8 *r0 = pixels + (gsize)y0 * stride;
      const guint8 *r1 = pixels + (gsize)y1 * stride;

      for (int cx = 0; cx < cw; cx++)
        {
          int x0 = cx * 2 * n, x1 = MIN (cx * 2 + 1, w - 1) * n;
          int r = r0[x0] + r0[x1] + r1[x0] + r1[x1];
          int g = r0[x0 + 1] + r0[x1 + 1] + r1[x0 + 1] + r1[x1 + 1];
          int b = r0[x0 + 2] + r0[x1 + 2] + r1[x0 + 2] + r1[x1 + 2];

          /* r, g, b are 4× the average; the offset keeps the shift on positive values. */
          U->data[(gsize)cy * cw + cx] =
            clamp_u8 ((-26 * r - 87 * g + 112 * b + 512 + (128 << 10)) >> 10);
          V->data[(gsize)cy * cw + cx] =
            clamp_u8 ((112 * r - 102 * g - 10 * b + 512 + (128 << 10)) >> 10);
        }
    }
}

typedef struct
{
  int     *xi;
  guint16 *xf;
  guint16 *row;
} Scratch;

/* Bilinear crop+scale of @src's region starting at (@x0, @y0) with @sx × @sy source pixels
 * per output pixel into @dst (@dw × @dh). Pixel centres: s = x0 + (d + 0.5) × scale − 0.5,
 * 8-bit fractions. Per output row the two source rows are blended vertically into a
 * 16-bit row over the span used, then gathered horizontally. */
static void
resample (const Plane *src,
          guint8      *dst,
          int          dw,
          int          dh,
          int          dstride,
          double       x0,
          double       y0,
          double       sx,
          double       sy,
          Scratch     *scratch)
{
  int *xi = scratch->xi;
  guint16 *xf = scratch->xf;
  guint16 *row = scratch->row;
  int span_lo, span_hi;

  for (int x = 0; x < dw; x++)
    {
      double s = x0 + (x + 0.5) * sx - 0.5;
      int i;

      s = CLAMP (s, 0.0, (double)(src->width - 1));
      i = MIN ((int)s, src->width - 2);
      xi[x] = i;
      xf[x] = (guint16)lround ((s - i) * 256.0);
    }

  span_lo = xi[0];
  span_hi = xi[dw - 1] + 1;

  for (int y = 0; y < dh; y++)
    {
      double s = y0 + (y + 0.5) * sy - 0.5;
      const guint8 *r0, *r1;
      guint fy, gy;
      guint8 *d = dst + (gsize)y * dstride;
      int j;

      s = CLAMP (s, 0.0, (double)(src->height - 1));
      j = MIN ((int)s, src->height - 2);
      fy = (guint)lround ((s - j) * 256.0);
      gy = 256 - fy;
      r0 = src->data + (gsize)j * src->stride;
      r1 = r0 + src->stride;

      for (int x = span_lo; x <= span_hi; x++)
        row[x] = (guint16)(r0[x] * gy + r1[x] * fy);

      for (int x = 0; x < dw; x++)
        {
          guint32 f = xf[x];
          guint32 v = row[xi[x]] * (256 - f) + row[xi[x] + 1] * f;

          d[x] = (guint8)((v + 32768) >> 16);
        }
    }
}

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
               const Plane                *planes,
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
  Scratch scratch = { xi, xf, row };
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
      resample (&planes[0], map.data + GST_VIDEO_INFO_PLANE_OFFSET (&info, 0), W, H,
                GST_VIDEO_INFO_PLANE_STRIDE (&info, 0), c->x, c->y, sx, sy, &scratch);
      for (guint p = 1; p < 3; p++)
        resample (&planes[p], map.data + GST_VIDEO_INFO_PLANE_OFFSET (&info, p), W / 2, H / 2,
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
  const Plane                *planes;
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
                       const Plane                *planes,
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
  g_auto(Plane) Y = { 0 };
  g_auto(Plane) U = { 0 };
  g_auto(Plane) V = { 0 };
  Plane planes[3];
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

  if (!ensure_gst (error))
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

  if (!(pixbuf = load_photo (image_path, 0, scale, error)))
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
      faces = detect_faces_in_pixbuf (small, &n_faces, cancellable, &local_error);
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

  pixbuf_to_yuv (pixbuf, &Y, &U, &V);
  g_clear_object (&pixbuf);
  planes[0] = Y, planes[1] = U, planes[2] = V;
  report (&reporter, 0.04);
  g_debug ("Framed and converted after %.0f ms", (g_get_monotonic_time () - t_start) / 1000.0);

  if (!(temp_path = make_temp_path (output_path, error)))
    return FALSE;

  /* The clips' encoder (echoes-clip-encoder.c): x264 medium, CRF-like 23, a key frame
   * every second so that the export can cut clips there without re-encoding. */
  encoder = echoes_clip_encoder_describe (params->fps, 1, ECHOES_CLIP_ENCODER_QUALITY);
  encoder_muxer = raw_output ? g_strdup ("queue")
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
