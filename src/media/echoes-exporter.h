/* echoes-exporter.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

#include "echoes-music.h"

G_BEGIN_DECLS

#define ECHOES_EXPORT_ERROR (echoes_export_error_quark ())

/**
 * EchoesExportError:
 * @ECHOES_EXPORT_ERROR_FAILED: GStreamer failed while writing the film
 * @ECHOES_EXPORT_ERROR_NO_CLIPS: there is nothing to export
 * @ECHOES_EXPORT_ERROR_BAD_CLIP: a clip is missing or cannot be read
 *
 * Existing outputs give %G_IO_ERROR_EXISTS, cancellation %G_IO_ERROR_CANCELLED and
 * unusable music an #ECHOES_MUSIC_ERROR. Messages are translated.
 */
typedef enum
{
  ECHOES_EXPORT_ERROR_FAILED,
  ECHOES_EXPORT_ERROR_NO_CLIPS,
  ECHOES_EXPORT_ERROR_BAD_CLIP,
} EchoesExportError;

/**
 * EchoesExportFormat:
 * @ECHOES_EXPORT_FORMAT_MP4: MP4, H.264 + AAC
 * @ECHOES_EXPORT_FORMAT_WEBM: WebM, VP9 + Opus
 */
typedef enum
{
  ECHOES_EXPORT_FORMAT_MP4,
  ECHOES_EXPORT_FORMAT_WEBM,
} EchoesExportFormat;

/**
 * EchoesExportFlags:
 * @ECHOES_EXPORT_FLAGS_NONE: no flags
 * @ECHOES_EXPORT_FLAGS_OVERWRITE: replace an existing output file
 * @ECHOES_EXPORT_FLAGS_FORCE_ENCODE: re-encode the video even when it could be copied
 */
typedef enum
{
  ECHOES_EXPORT_FLAGS_NONE         = 0,
  ECHOES_EXPORT_FLAGS_OVERWRITE    = 1 << 0,
  ECHOES_EXPORT_FLAGS_FORCE_ENCODE = 1 << 1,
} EchoesExportFlags;

/**
 * EchoesExportProgressFunc:
 * @fraction: 0.0 – 1.0
 * @remaining: estimated time left in microseconds, or -1 while unknown
 * @user_data: user data
 */
typedef void (*EchoesExportProgressFunc) (double   fraction,
                                          gint64   remaining,
                                          gpointer user_data);

#define ECHOES_TYPE_EXPORTER (echoes_exporter_get_type())

G_DECLARE_FINAL_TYPE (EchoesExporter, echoes_exporter, ECHOES, EXPORTER, GObject)

GQuark              echoes_export_error_quark        (void);

EchoesExporter     *echoes_exporter_new              (void);
void                echoes_exporter_set_clips        (EchoesExporter           *self,
                                                      const char * const       *paths);
void                echoes_exporter_set_clip_durations (EchoesExporter         *self,
                                                      const GstClockTime       *durations,
                                                      guint                     n_durations);
void                echoes_exporter_set_music        (EchoesExporter           *self,
                                                      const char * const       *tracks,
                                                      double                    volume,
                                                      GstClockTime              fade_out);
void                echoes_exporter_set_format       (EchoesExporter           *self,
                                                      EchoesExportFormat        format);
EchoesExportFormat  echoes_exporter_get_format       (EchoesExporter           *self);
void                echoes_exporter_set_height       (EchoesExporter           *self,
                                                      guint                     height);
guint               echoes_exporter_get_height       (EchoesExporter           *self);
void                echoes_exporter_set_crossfade    (EchoesExporter           *self,
                                                      GstClockTime              crossfade);
GstClockTime        echoes_exporter_get_crossfade    (EchoesExporter           *self);
void                echoes_exporter_set_flags        (EchoesExporter           *self,
                                                      EchoesExportFlags         flags);
EchoesExportFlags   echoes_exporter_get_flags        (EchoesExporter           *self);
gboolean            echoes_exporter_get_copied_video (EchoesExporter           *self);
gboolean            echoes_exporter_get_spliced_video (EchoesExporter          *self);

gboolean            echoes_exporter_run              (EchoesExporter           *self,
                                                      const char               *destination,
                                                      GCancellable             *cancellable,
                                                      EchoesExportProgressFunc  progress,
                                                      gpointer                  user_data,
                                                      GError                  **error);
void                echoes_exporter_run_async        (EchoesExporter           *self,
                                                      const char               *destination,
                                                      GCancellable             *cancellable,
                                                      GAsyncReadyCallback       callback,
                                                      gpointer                  user_data);
gboolean            echoes_exporter_run_finish       (EchoesExporter           *self,
                                                      GAsyncResult             *result,
                                                      GError                  **error);

G_END_DECLS
