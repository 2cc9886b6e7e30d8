/* echoes-yuv-scaler.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

/* One 8-bit plane of a planar YUV picture. */
typedef struct
{
  guint8 *data;
  int     width;
  int     height;
  int     stride;
} EchoesYuvPlane;

/* Working memory of echoes_yuv_scaler_resample(), allocated once per clip: @xi and @xf
 * hold as many entries as the output is wide, @row as many as the source plane + 1. */
typedef struct
{
  int     *xi;
  guint16 *xf;
  guint16 *row;
} EchoesYuvScratch;

void echoes_yuv_plane_clear     (EchoesYuvPlane       *p);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EchoesYuvPlane, echoes_yuv_plane_clear)

void echoes_yuv_from_pixbuf     (GdkPixbuf            *pixbuf,
                                 EchoesYuvPlane       *Y,
                                 EchoesYuvPlane       *U,
                                 EchoesYuvPlane       *V);
void echoes_yuv_scaler_resample (const EchoesYuvPlane *src,
                                 guint8               *dst,
                                 int                   dw,
                                 int                   dh,
                                 int                   dstride,
                                 double                x0,
                                 double                y0,
                                 double                sx,
                                 double                sy,
                                 EchoesYuvScratch     *scratch);

G_END_DECLS
