/* echoes-export-scratch.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _EchoesExportScratch EchoesExportScratch;

EchoesExportScratch *echoes_export_scratch_new        (const char           *cache_dir,
                                                       const char           *destination,
                                                       GError              **error);
const char          *echoes_export_scratch_get_dir    (EchoesExportScratch  *self);
const char          *echoes_export_scratch_get_output (EchoesExportScratch  *self);
void                 echoes_export_scratch_committed  (EchoesExportScratch  *self);
void                 echoes_export_scratch_free       (EchoesExportScratch  *self);

guint                echoes_export_scratch_sweep      (const char           *cache_dir);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EchoesExportScratch, echoes_export_scratch_free)

G_END_DECLS
