/* echoes-detail-finder.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-detail-finder"

#include "config.h"

#include "echoes-ken-burns.h"

#include <stdlib.h>

/* The detail finder: where a photo without faces has its subject, so that zooms end
 * on it rather than on a blank sky. */

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
