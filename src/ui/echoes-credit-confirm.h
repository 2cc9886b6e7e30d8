/* echoes-credit-confirm.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "echoes-context.h"

G_BEGIN_DECLS

void echoes_credit_confirm_enqueue_clip (GtkWidget     *parent,
                                         EchoesContext *context,
                                         const char    *clip_id);
void echoes_credit_confirm_enqueue_project (GtkWidget     *parent,
                                            EchoesContext *context,
                                            const char    *project_id,
                                            GListModel    *clips);

G_END_DECLS
