/* echoes-exporter-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "echoes-exporter.h"
#include "echoes-progress.h"

G_BEGIN_DECLS

/* Shared by the exporter's files (the list of pieces is at the top of echoes-exporter.c);
 * not for other callers. */

struct _EchoesExporter
{
  GObject             parent_instance;

  GStrv               clips;      /* (owned) */
  GArray             *durations;  /* (owned) (nullable) GstClockTime */
  GStrv               music;      /* (owned) */
  double              volume;
  GstClockTime        fade_out;
  EchoesExportFormat  format;
  guint               height;
  GstClockTime        crossfade;
  EchoesExportFlags   flags;
  gboolean            copied_video;
  gboolean            spliced_video;
};

typedef struct
{
  GStrv                     clips;
  GArray                   *durations;
  GStrv                     music;
  double                    volume;
  GstClockTime              fade_out;
  EchoesExportFormat        format;
  guint                     height;
  GstClockTime              crossfade;
  EchoesExportFlags         flags;
  char                     *destination;

  /* Progress goes either to a callback on the export thread (sync) or to the "progress"
   * signal on the caller's main context (async). */
  EchoesExportProgressFunc  progress;
  gpointer                  progress_data;
  GMainContext             *context;
  GWeakRef                  exporter;

  gboolean                  copied_video;
  gboolean                  spliced_video;
  gboolean                  video_encoder_created;
  char                     *faststart_file;

  /* The stage running maps its 0–1 onto its phase of the bar, which never goes back. */
  gint64                    started;
  EchoesProgress            bar;
} Job;

typedef struct
{
  GstCaps      *caps;
  guint         width;
  guint         height;
  gint          fps_n;
  gint          fps_d;
  GstClockTime  duration;
} ClipInfo;

/* echoes-exporter.c */
void          _echoes_exporter_job_report          (Job             *job,
                                                    double           fraction,
                                                    gint64           remaining);
void          _echoes_exporter_job_report_stage    (Job             *job,
                                                    double           fraction);

/* echoes-exporter-plan.c */
void          _echoes_exporter_clip_info_clear     (gpointer         data);
gboolean      _echoes_exporter_inspect_clips       (Job             *job,
                                                    GArray          *infos,
                                                    GCancellable    *cancellable,
                                                    GError         **error);
void          _echoes_exporter_film_size           (Job             *job,
                                                    const ClipInfo  *first,
                                                    guint           *width,
                                                    guint           *height);
gboolean      _echoes_exporter_clips_share_stream  (Job             *job,
                                                    GArray          *infos);
gboolean      _echoes_exporter_can_copy_video      (Job             *job,
                                                    GArray          *infos);
GstClockTime *_echoes_exporter_job_dup_durations   (Job             *job,
                                                    guint            n);
gboolean      _echoes_exporter_splice_video        (Job             *job,
                                                    const char      *parts_dir,
                                                    GArray          *infos,
                                                    GCancellable    *cancellable,
                                                    GError         **error);

/* echoes-exporter-render.c */
gboolean      _echoes_exporter_export_film         (Job             *job,
                                                    GCancellable    *cancellable,
                                                    GError         **error);

G_END_DECLS
