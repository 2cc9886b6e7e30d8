/* echoes-test-util.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

G_BEGIN_DECLS

void      echoes_test_init             (int          *argc,
                                         char       ***argv);
char     *echoes_test_write_jpeg        (const char   *dir,
                                         const char   *name,
                                         int           width,
                                         int           height,
                                         guint32       rgb);
void      echoes_test_set_exif          (const char   *path,
                                         const char   *date_time_original,
                                         int           orientation);
char     *echoes_test_write_png_header  (const char   *dir,
                                         const char   *name,
                                         guint32       width,
                                         guint32       height);
void      echoes_test_run_command       (const char   *command_line);
void      echoes_test_remove_tree      (const char   *path);
void      echoes_test_drain            (gpointer      object);
void      echoes_test_wait              (gboolean     *flag);
gboolean  echoes_test_wait_until        (GSourceFunc   condition,
                                         gpointer      data,
                                         guint         timeout_ms);

G_END_DECLS
