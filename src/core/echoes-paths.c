/* echoes-paths.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-paths"

#include "config.h"

#include "echoes-paths.h"

/* The files on disk (README.md, "Architecture"):
 *
 *   $XDG_DATA_HOME/echoes/echoes.db                   SQLite (WAL)
 *   $XDG_DATA_HOME/echoes/images/{project}/{clip}.{ext}
 *   $XDG_DATA_HOME/echoes/clips/{project}/{clip}.mp4
 *   $XDG_CACHE_HOME/echoes/thumbnails/…               disposable
 *
 * Paths stored in the database are relative to the data directory so sync can map them
 * to the server's `{user}/{project}/{clip}` keys. */

/**
 * echoes_paths_dup_data_dir:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/echoes`
 */
char *
echoes_paths_dup_data_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "echoes", NULL);
}

/**
 * echoes_paths_dup_cache_dir:
 *
 * Returns: (transfer full): `$XDG_CACHE_HOME/echoes`, disposable data
 */
char *
echoes_paths_dup_cache_dir (void)
{
  return g_build_filename (g_get_user_cache_dir (), "echoes", NULL);
}

/**
 * echoes_paths_dup_database:
 *
 * Returns: (transfer full): the path of the SQLite database
 */
char *
echoes_paths_dup_database (void)
{
  return g_build_filename (g_get_user_data_dir (), "echoes", "echoes.db", NULL);
}

/**
 * echoes_paths_image_relative:
 *
 * Returns: (transfer full): `images/{project_id}/{clip_id}.{extension}`
 */
char *
echoes_paths_image_relative (const char *project_id,
                             const char *clip_id,
                             const char *extension)
{
  g_autofree char *name = g_strdup_printf ("%s.%s", clip_id, extension);

  return g_build_filename ("images", project_id, name, NULL);
}

/**
 * echoes_paths_video_relative:
 *
 * Returns: (transfer full): `clips/{project_id}/{clip_id}.mp4`
 */
char *
echoes_paths_video_relative (const char *project_id,
                             const char *clip_id)
{
  g_autofree char *name = g_strdup_printf ("%s.mp4", clip_id);

  return g_build_filename ("clips", project_id, name, NULL);
}

/**
 * echoes_paths_generation_state_relative:
 *
 * Where a provider keeps what it needs to resume a clip's run after a restart (see
 * EchoesVideoRequest:state_path); outside `clips/`, whose unreferenced files are swept.
 *
 * Returns: (transfer full): `generations/{clip_id}.json` (in %ECHOES_PATHS_GENERATIONS_DIR)
 */
char *
echoes_paths_generation_state_relative (const char *clip_id)
{
  g_autofree char *name = g_strdup_printf ("%s.json", clip_id);

  return g_build_filename (ECHOES_PATHS_GENERATIONS_DIR, name, NULL);
}

/**
 * echoes_paths_resolve:
 * @data_dir: the data directory
 * @relative: (nullable): a path relative to it, as stored in the database
 *
 * Returns: (transfer full) (nullable): the absolute path, or %NULL for %NULL
 */
char *
echoes_paths_resolve (const char *data_dir,
                      const char *relative)
{
  if (relative == NULL)
    return NULL;
  if (g_path_is_absolute (relative))
    return g_strdup (relative);
  return g_build_filename (data_dir, relative, NULL);
}
