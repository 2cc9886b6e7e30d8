/* echoes-sync-badge.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ECHOES_TYPE_SYNC_BADGE (echoes_sync_badge_get_type())

G_DECLARE_FINAL_TYPE (EchoesSyncBadge, echoes_sync_badge, ECHOES, SYNC_BADGE, GtkWidget)

GtkWidget *echoes_sync_badge_new        (void);
gboolean   echoes_sync_badge_get_synced (EchoesSyncBadge *self);
void       echoes_sync_badge_set_synced (EchoesSyncBadge *self,
                                         gboolean         synced);

G_END_DECLS
