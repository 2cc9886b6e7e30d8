/* echoes-startup-report.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void echoes_startup_report_attach (GtkWidget *window);

G_END_DECLS
