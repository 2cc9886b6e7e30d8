/* echoes-importer.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-store.h"
#include "echoes-thumbnailer.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_IMPORTER (echoes_importer_get_type())

G_DECLARE_FINAL_TYPE (EchoesImporter, echoes_importer, ECHOES, IMPORTER, GObject)

EchoesImporter *echoes_importer_new           (EchoesStore         *store,
                                               EchoesThumbnailer   *thumbnailer,
                                               const char          *project_id);
const char     *echoes_importer_get_project_id (EchoesImporter     *self);
guint           echoes_importer_get_total     (EchoesImporter      *self);
guint           echoes_importer_get_done      (EchoesImporter      *self);
guint           echoes_importer_get_failed    (EchoesImporter      *self);
double          echoes_importer_get_fraction  (EchoesImporter      *self);
gboolean        echoes_importer_import        (EchoesImporter      *self,
                                               GPtrArray           *files,
                                               GCancellable        *cancellable,
                                               GError             **error);
void            echoes_importer_import_async  (EchoesImporter      *self,
                                               GPtrArray           *files,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean        echoes_importer_import_finish (EchoesImporter      *self,
                                               GAsyncResult        *result,
                                               GError             **error);

G_END_DECLS
