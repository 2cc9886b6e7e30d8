/* echoes-ken-burns-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "echoes-ken-burns.h"

G_BEGIN_DECLS

/* Shared by the Ken Burns files (renderer, face detector); not for other callers. */

gboolean            _echoes_ken_burns_ensure_gst             (GError        **error);

/* Loads @path with its EXIF orientation applied, downscaled so that its longer side is
 * at most @max_size (0: full size), or by @scale if @scale < 1. */
GdkPixbuf          *_echoes_ken_burns_load_photo             (const char     *path,
                                                              int             max_size,
                                                              double          scale,
                                                              GError        **error);

/* Runs `facedetect` on @pixbuf; the faces are in @pixbuf's pixels. */
EchoesKenBurnsRect *_echoes_ken_burns_detect_faces_in_pixbuf (GdkPixbuf      *pixbuf,
                                                              guint          *n_faces,
                                                              GCancellable   *cancellable,
                                                              GError        **error);

G_END_DECLS
