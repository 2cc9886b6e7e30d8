/* echoes-window.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "echoes-context.h"
#include "echoes-exporter.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_WINDOW (echoes_window_get_type())

/**
 * EchoesExportOptions:
 * @format: MP4 or WebM
 * @resolution: 720p or 1080p (lines on the film's short side)
 * @crossfade: the crossfade between clips, 0 for cuts
 * @flags: %ECHOES_EXPORT_FLAGS_OVERWRITE when the user agreed to replace the file
 */
typedef struct
{
  EchoesExportFormat format;
  EchoesResolution   resolution;
  GstClockTime       crossfade;
  EchoesExportFlags  flags;
} EchoesExportOptions;

G_DECLARE_FINAL_TYPE (EchoesWindow, echoes_window, ECHOES, WINDOW, AdwApplicationWindow)

EchoesWindow  *echoes_window_new               (GtkApplication *application);
EchoesContext *echoes_window_get_context       (EchoesWindow   *self);
void           echoes_window_set_context       (EchoesWindow   *self,
                                                EchoesContext  *context);
void           echoes_window_show_loading      (EchoesWindow   *self);
void           echoes_window_show_error        (EchoesWindow   *self,
                                                const GError   *error);
const char    *echoes_window_get_project_id    (EchoesWindow   *self);
void           echoes_window_select_project    (EchoesWindow   *self,
                                                const char     *project_id);
void           echoes_window_create_project    (EchoesWindow   *self,
                                                const char     *title);
void           echoes_window_import_files      (EchoesWindow   *self,
                                                GPtrArray      *files);
gboolean       echoes_window_get_importing     (EchoesWindow   *self);
void           echoes_window_add_toast         (EchoesWindow   *self,
                                                AdwToast       *toast);
void           echoes_window_export_to         (EchoesWindow              *self,
                                                GFile                     *file,
                                                const EchoesExportOptions *options);
gboolean       echoes_window_get_exporting     (EchoesWindow   *self);

G_END_DECLS
