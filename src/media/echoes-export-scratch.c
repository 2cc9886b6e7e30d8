/* echoes-export-scratch.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-export-scratch"

#include "config.h"

#include "echoes-export-scratch.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/file.h>
#include <glib/gstdio.h>
#include <glib/gi18n.h>

/* Where an export keeps its working files, so that a process killed mid-way (SIGKILL,
 * a power cut) leaves nothing that the next start cannot find and remove.
 *
 * Each export has a folder of its own in the cache, `CACHE/export/XXXXXX`, holding:
 *  - `lock`: locked (flock) for as long as the export runs; the kernel drops the lock
 *    when the process dies, however it dies, so a folder whose lock can be taken
 *    belongs to no running export;
 *  - `target`: the path of the film's temporary file in the destination folder,
 *    written before that file is created;
 *  - the working files: the spliced video and its transitions, mp4mux's faststart
 *    file.
 *
 * The film itself is written to `.echoes-export-XXXXXX.partial` in the destination
 * folder and renamed into place when complete: rename() only works within one file
 * system, and the cache may be on another.
 *
 * echoes_export_scratch_sweep(), run at every start of the app and the CLI, removes
 * the folders of dead exports and the temporary files their `target` names. */

#define LOCK_NAME   "lock"
#define TARGET_NAME "target"
#define OUTPUT_PREFIX ".echoes-export-"
#define OUTPUT_SUFFIX ".partial"

/* A folder without a lock file is one being set up, or one whose process died in
 * the instant between creating it and its lock: removed once this old. */
#define UNLOCKED_MIN_AGE (10 * G_TIME_SPAN_MINUTE)

struct _EchoesExportScratch
{
  char     *dir;
  char     *output;
  int       lock_fd;
  gboolean  committed;
};

static char *
export_dir (const char *cache_dir)
{
  return g_build_filename (cache_dir, "export", NULL);
}

/* Sets @error for @saved_errno and returns %NULL. */
static gpointer
set_io_error (GError     **error,
              int          saved_errno,
              const char  *display)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("“%s” cannot be written: %s"), display, g_strerror (saved_errno));
  return NULL;
}

/* Removes the files in @dir (it holds no folders), then @dir. */
static void
remove_flat_dir (const char *dir)
{
  g_autoptr(GDir) entries = g_dir_open (dir, 0, NULL);
  const char *name;

  while (entries != NULL && (name = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      /* The lock last: while it exists, a sweep leaves the folder to us. */
      if (!g_str_equal (name, LOCK_NAME))
        g_unlink (path);
    }

  {
    g_autofree char *lock = g_build_filename (dir, LOCK_NAME, NULL);

    g_unlink (lock);
  }
  g_rmdir (dir);
}

/* Whether @path is a film's temporary file as this file names them. */
static gboolean
is_output_name (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);

  return g_path_is_absolute (path) &&
         g_str_has_prefix (base, OUTPUT_PREFIX) && g_str_has_suffix (base, OUTPUT_SUFFIX);
}

/**
 * echoes_export_scratch_new:
 * @cache_dir: the app's cache folder (echoes_paths_dup_cache_dir())
 * @destination: the film's final path
 * @error: return location for an error
 *
 * Creates an export's working folder in the cache, locked until freed, and its
 * temporary file in the folder of @destination, recorded in the working folder.
 *
 * Returns: (transfer full): the scratch space, or %NULL with @error set
 */
EchoesExportScratch *
echoes_export_scratch_new (const char  *cache_dir,
                           const char  *destination,
                           GError     **error)
{
  g_autoptr(EchoesExportScratch) self = g_new0 (EchoesExportScratch, 1);
  g_autofree char *top = export_dir (cache_dir);
  g_autofree char *dest_dir = g_path_get_dirname (destination);
  g_autofree char *display = g_filename_display_basename (destination);
  g_autofree char *lock_temp = NULL;
  g_autofree char *lock = NULL;
  g_autofree char *target = NULL;
  g_autofree char *dir = NULL;
  int fd = -1;

  g_return_val_if_fail (cache_dir != NULL, NULL);
  g_return_val_if_fail (destination != NULL, NULL);

  self->lock_fd = -1;

  if (g_mkdir_with_parents (top, 0700) != 0)
    return set_io_error (error, errno, display);

  dir = g_build_filename (top, "XXXXXX", NULL);
  if (g_mkdtemp_full (dir, 0700) == NULL)
    return set_io_error (error, errno, display);
  self->dir = g_steal_pointer (&dir);

  /* Locked under another name, then renamed: a sweep never sees an unlocked `lock`. */
  lock_temp = g_build_filename (self->dir, LOCK_NAME ".new", NULL);
  lock = g_build_filename (self->dir, LOCK_NAME, NULL);
  self->lock_fd = g_open (lock_temp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (self->lock_fd < 0)
    return set_io_error (error, errno, display);
  if (flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0 || g_rename (lock_temp, lock) != 0)
    return set_io_error (error, errno, display);

  /* The temporary film is named after the working folder, and recorded before it
   * exists: a kill between the two leaves nothing the sweep does not know of. */
  target = g_build_filename (self->dir, TARGET_NAME, NULL);
  for (guint attempt = 0; fd < 0; attempt++)
    {
      g_autofree char *base = g_path_get_basename (self->dir);
      g_autofree char *name = NULL;
      g_autoptr(GError) local_error = NULL;

      if (attempt == 0)
        name = g_strconcat (OUTPUT_PREFIX, base, OUTPUT_SUFFIX, NULL);
      else
        name = g_strdup_printf (OUTPUT_PREFIX "%s-%08x" OUTPUT_SUFFIX, base, g_random_int ());
      g_free (self->output);
      self->output = g_build_filename (dest_dir, name, NULL);

      if (!g_file_set_contents (target, self->output, -1, &local_error))
        {
          g_clear_pointer (&self->output, g_free);  /* not ours: never removed */
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("“%s” cannot be written: %s"), display, local_error->message);
          return NULL;
        }

      /* 0666 & ~umask, like any new file. */
      fd = g_open (self->output, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd < 0)
        {
          int saved_errno = errno;

          /* Someone else's file, or none: never ours to remove. */
          g_clear_pointer (&self->output, g_free);
          if (saved_errno != EEXIST || attempt >= 10)
            return set_io_error (error, saved_errno, display);
        }
    }
  close (fd);

  return g_steal_pointer (&self);
}

/**
 * echoes_export_scratch_get_dir:
 * @self: an #EchoesExportScratch
 *
 * Returns: the working folder, in the cache, for any file the export needs
 */
const char *
echoes_export_scratch_get_dir (EchoesExportScratch *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->dir;
}

/**
 * echoes_export_scratch_get_output:
 * @self: an #EchoesExportScratch
 *
 * Returns: the film's temporary file, in the destination's folder: renamed into
 *   place when complete (then call echoes_export_scratch_committed())
 */
const char *
echoes_export_scratch_get_output (EchoesExportScratch *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->output;
}

/**
 * echoes_export_scratch_committed:
 * @self: an #EchoesExportScratch
 *
 * Says the temporary film has been moved into place: freeing @self leaves it.
 */
void
echoes_export_scratch_committed (EchoesExportScratch *self)
{
  g_return_if_fail (self != NULL);

  self->committed = TRUE;
}

/**
 * echoes_export_scratch_free:
 * @self: (nullable): an #EchoesExportScratch
 *
 * Removes the temporary film (unless committed) and the working folder.
 */
void
echoes_export_scratch_free (EchoesExportScratch *self)
{
  if (self == NULL)
    return;

  if (self->output != NULL && !self->committed)
    g_unlink (self->output);
  if (self->dir != NULL)
    remove_flat_dir (self->dir);
  if (self->lock_fd >= 0)
    close (self->lock_fd);

  g_free (self->output);
  g_free (self->dir);
  g_free (self);
}

/* Whether the export that made @dir is gone: its lock can be taken, or it has no lock
 * and is old. Returns the lock's descriptor in @lock_fd (held until the folder is
 * removed), or -1. */
static gboolean
is_abandoned (const char *dir,
              int        *lock_fd)
{
  g_autofree char *lock = g_build_filename (dir, LOCK_NAME, NULL);
  GStatBuf st;
  int fd;

  *lock_fd = -1;

  if ((fd = g_open (lock, O_RDWR | O_CLOEXEC, 0)) < 0)
    return g_stat (dir, &st) == 0 &&
           g_get_real_time () - (gint64) st.st_mtime * G_USEC_PER_SEC >= UNLOCKED_MIN_AGE;

  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      return FALSE;
    }

  *lock_fd = fd;
  return TRUE;
}

/**
 * echoes_export_scratch_sweep:
 * @cache_dir: the app's cache folder (echoes_paths_dup_cache_dir())
 *
 * Removes what exports that did not end left behind: their working folders in the
 * cache and the temporary films those name. Exports still running (in this process
 * or another) are left alone. Blocks on the disk.
 *
 * Returns: how many exports' leftovers were removed
 */
guint
echoes_export_scratch_sweep (const char *cache_dir)
{
  g_autofree char *top = NULL;
  g_autoptr(GDir) entries = NULL;
  const char *name;
  guint n = 0;

  g_return_val_if_fail (cache_dir != NULL, 0);

  top = export_dir (cache_dir);
  if (!(entries = g_dir_open (top, 0, NULL)))
    return 0;

  while ((name = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *dir = g_build_filename (top, name, NULL);
      g_autofree char *target = g_build_filename (dir, TARGET_NAME, NULL);
      g_autofree char *output = NULL;
      int lock_fd;

      if (!g_file_test (dir, G_FILE_TEST_IS_DIR) || !is_abandoned (dir, &lock_fd))
        continue;

      /* Only ever a file named as ours: the journal could have been tampered with. */
      if (g_file_get_contents (target, &output, NULL, NULL) && is_output_name (output))
        {
          g_debug ("Removing the temporary film %s of an export that did not end", output);
          g_unlink (output);
        }

      g_debug ("Removing the working files of an export that did not end: %s", dir);
      remove_flat_dir (dir);
      if (lock_fd >= 0)
        close (lock_fd);
      n++;
    }

  return n;
}
