/* echoes-cloud-config.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char     *echoes_cloud_config_dup_url      (void);
char     *echoes_cloud_config_dup_anon_key (void);
gboolean  echoes_cloud_config_lookup       (char   **url,
                                            char   **anon_key,
                                            GError **error);

G_END_DECLS
