/* echoes-yuv-scaler.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-yuv-scaler"

#include "config.h"

#include "echoes-yuv-scaler.h"

#include <math.h>

/* The Ken Burns renderer's pixel work: the photo is converted once to planar YUV, then
 * every frame is a sub-pixel bilinear crop+scale of each plane straight into the I420
 * buffer the encoder takes. */

void
echoes_yuv_plane_clear (EchoesYuvPlane *p)
{
  g_clear_pointer (&p->data, g_free);
}

static inline guint8
clamp_u8 (int v)
{
  return (guint8)CLAMP (v, 0, 255);
}

/* RGB → Y (full resolution) and U, V (2×2 averages), BT.709 limited range. */
void
echoes_yuv_from_pixbuf (GdkPixbuf *pixbuf,
               EchoesYuvPlane     *Y,
               EchoesYuvPlane     *U,
               EchoesYuvPlane     *V)
{
  int w = gdk_pixbuf_get_width (pixbuf);
  int h = gdk_pixbuf_get_height (pixbuf);
  int n = gdk_pixbuf_get_n_channels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  int cw = (w + 1) / 2, ch = (h + 1) / 2;

  *Y = (EchoesYuvPlane) { g_malloc ((gsize)w * h), w, h, w };
  *U = (EchoesYuvPlane) { g_malloc ((gsize)cw * ch), cw, ch, cw };
  *V = (EchoesYuvPlane) { g_malloc ((gsize)cw * ch), cw, ch, cw };

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

/* Bilinear crop+scale of @src's region starting at (@x0, @y0) with @sx × @sy source pixels
 * per output pixel into @dst (@dw × @dh). Pixel centres: s = x0 + (d + 0.5) × scale − 0.5,
 * 8-bit fractions. Per output row the two source rows are blended vertically into a
 * 16-bit row over the span used, then gathered horizontally. */
void
echoes_yuv_scaler_resample (const EchoesYuvPlane *src,
          guint8      *dst,
          int          dw,
          int          dh,
          int          dstride,
          double       x0,
          double       y0,
          double       sx,
          double       sy,
          EchoesYuvScratch     *scratch)
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
