/* echoes-thumbnailer.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

G_BEGIN_DECLS

/* The longest side of a timeline thumbnail: a clip card is 176 × 132 and fills it
 * ("cover"), which a 240 px thumbnail does for photos up to 16:9 without upscaling. */
#define ECHOES_THUMBNAIL_SIZE 240

#define ECHOES_TYPE_THUMBNAILER (echoes_thumbnailer_get_type())

G_DECLARE_FINAL_TYPE (EchoesThumbnailer, echoes_thumbnailer, ECHOES, THUMBNAILER, GObject)

EchoesThumbnailer *echoes_thumbnailer_new         (const char          *cache_dir);
GdkPixbuf         *echoes_thumbnailer_load        (EchoesThumbnailer   *self,
                                                   const char          *image_path,
                                                   const char          *key,
                                                   int                  size,
                                                   GError             **error);
void               echoes_thumbnailer_load_async  (EchoesThumbnailer   *self,
                                                   const char          *image_path,
                                                   const char          *key,
                                                   int                  size,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GdkPixbuf         *echoes_thumbnailer_load_finish (EchoesThumbnailer   *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

GdkPixbuf         *echoes_thumbnailer_load_video        (EchoesThumbnailer   *self,
                                                         const char          *video_path,
                                                         const char          *key,
                                                         int                  size,
                                                         GError             **error);
void               echoes_thumbnailer_load_video_async  (EchoesThumbnailer   *self,
                                                         const char          *video_path,
                                                         const char          *key,
                                                         int                  size,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
GdkPixbuf         *echoes_thumbnailer_load_video_finish (EchoesThumbnailer   *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);

G_END_DECLS
