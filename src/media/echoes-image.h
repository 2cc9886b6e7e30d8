/* echoes-image.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

G_BEGIN_DECLS

#define ECHOES_IMAGE_ERROR (echoes_image_error_quark ())

/**
 * EchoesImageError:
 * @ECHOES_IMAGE_ERROR_UNREADABLE: the file cannot be opened or read
 * @ECHOES_IMAGE_ERROR_EMPTY: the file is empty
 * @ECHOES_IMAGE_ERROR_NOT_IMAGE: the file is not an image
 * @ECHOES_IMAGE_ERROR_UNSUPPORTED: an image format no installed loader reads
 * @ECHOES_IMAGE_ERROR_TOO_LARGE: over 100 megapixels or 50 MB
 * @ECHOES_IMAGE_ERROR_DAMAGED: truncated or corrupt image data
 *
 * The messages of these errors are translated, name the file and say why: they are
 * shown to the user as they are.
 */
typedef enum
{
  ECHOES_IMAGE_ERROR_UNREADABLE,
  ECHOES_IMAGE_ERROR_EMPTY,
  ECHOES_IMAGE_ERROR_NOT_IMAGE,
  ECHOES_IMAGE_ERROR_UNSUPPORTED,
  ECHOES_IMAGE_ERROR_TOO_LARGE,
  ECHOES_IMAGE_ERROR_DAMAGED,
} EchoesImageError;

#define ECHOES_IMAGE_MAX_PIXELS (100 * 1000 * 1000)
#define ECHOES_IMAGE_MAX_BYTES  (50 * 1000 * 1000)

typedef struct
{
  char   *format;        /* GdkPixbuf format name: "jpeg", "png", … */
  char   *extension;     /* what the copy in the data dir is named with */
  int     width;         /* as displayed, after EXIF orientation */
  int     height;
  gint64  capture_time;  /* Unix seconds: EXIF DateTimeOriginal, else mtime */
  gboolean from_exif;    /* capture_time came from EXIF */
} EchoesImageInfo;

GQuark           echoes_image_error_quark    (void);
EchoesImageInfo *echoes_image_probe          (GFile            *file,
                                              GCancellable     *cancellable,
                                              GError          **error);
void             echoes_image_info_free      (EchoesImageInfo  *info);
GdkPixbuf       *echoes_image_load_at_size   (const char       *path,
                                              int               size,
                                              GError          **error);
gboolean         echoes_image_get_size       (const char       *path,
                                              int              *width,
                                              int              *height);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EchoesImageInfo, echoes_image_info_free)

G_END_DECLS
