/* echoes-paths.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *echoes_paths_dup_data_dir      (void);
char *echoes_paths_dup_cache_dir     (void);
char *echoes_paths_dup_database      (void);
char *echoes_paths_image_relative    (const char *project_id,
                                      const char *clip_id,
                                      const char *extension);
char *echoes_paths_video_relative    (const char *project_id,
                                      const char *clip_id);
#define ECHOES_PATHS_GENERATIONS_DIR "generations"

char *echoes_paths_generation_state_relative (const char *clip_id);
char *echoes_paths_resolve           (const char *data_dir,
                                      const char *relative);

G_END_DECLS
