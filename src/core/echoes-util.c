/* echoes-util.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-util"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>

#include "echoes-util.h"

/**
 * echoes_set_str:
 * @str_pointer: (inout) (not optional) (nullable): a pointer to an owned string
 * @new_str: (nullable): the new value
 *
 * Backport of g_set_str() (GLib 2.76): replaces the string if it differs.
 *
 * Returns: %TRUE if the value changed
 */
gboolean
echoes_set_str (char       **str_pointer,
                const char  *new_str)
{
  char *copy;

  if (*str_pointer == new_str || g_strcmp0 (*str_pointer, new_str) == 0)
    return FALSE;

  copy = g_strdup (new_str);
  g_free (*str_pointer);
  *str_pointer = copy;

  return TRUE;
}

static gboolean
ensure_parent (const char  *path,
               GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot create folder %s: %s", dir, g_strerror (errsv));
      return FALSE;
    }

  return TRUE;
}

static gboolean
sync_and_close (int          fd,
                const char  *path,
                GError     **error)
{
  int errsv = 0;

  if (fsync (fd) != 0)
    errsv = errno;
  if (close (fd) != 0 && errsv == 0)
    errsv = errno;

  if (errsv != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot write %s: %s", path, g_strerror (errsv));
      return FALSE;
    }

  return TRUE;
}

static gboolean
rename_into_place (const char  *from,
                   const char  *to,
                   GError     **error)
{
  if (g_rename (from, to) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot rename %s: %s", to, g_strerror (errsv));
      return FALSE;
    }

  return TRUE;
}

/**
 * echoes_file_replace_contents:
 *
 * Writes @contents to a temporary file beside @path, syncs it and renames it over
 * @path, so a crash never leaves a half-written file at @path.
 */
gboolean
echoes_file_replace_contents (const char  *path,
                              const char  *contents,
                              gsize        length,
                              GError     **error)
{
  g_return_val_if_fail (path != NULL, FALSE);

  if (!ensure_parent (path, error))
    return FALSE;

  /* g_file_set_contents_full() writes to a temp file in the same folder, fsyncs and
   * renames; exactly the guarantee the design asks for. */
  return g_file_set_contents_full (path, contents, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/**
 * echoes_file_copy_atomic:
 * @source: the file to copy
 * @dest_path: where it should appear
 *
 * Copies @source to a temporary name in @dest_path's folder, flushes it to disk and
 * renames it into place. On failure or cancellation nothing is left behind, and a crash
 * leaves at most a `.partial` file that is never referenced.
 */
gboolean
echoes_file_copy_atomic (GFile         *source,
                         const char    *dest_path,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autofree char *tmp_path = NULL;
  gboolean ok;
  int fd;

  g_return_val_if_fail (G_IS_FILE (source), FALSE);
  g_return_val_if_fail (dest_path != NULL, FALSE);

  if (!ensure_parent (dest_path, error))
    return FALSE;

  if (!(in = g_file_read (source, cancellable, error)))
    return FALSE;

  /* g_file_replace() writes straight to the final name when it does not exist yet, so
   * it cannot give the temp-and-rename guarantee; do it by hand. */
  tmp_path = g_strconcat (dest_path, ".partial-XXXXXX", NULL);
  if ((fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0600)) < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot create %s: %s", tmp_path, g_strerror (errsv));
      return FALSE;
    }

  out = g_unix_output_stream_new (fd, FALSE);
  if (g_output_stream_splice (out, G_INPUT_STREAM (in), G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE,
                              cancellable, error) < 0)
    ok = (close (fd), FALSE);
  else
    ok = sync_and_close (fd, tmp_path, error) && rename_into_place (tmp_path, dest_path, error);

  if (!ok)
    {
      g_unlink (tmp_path);
      return FALSE;
    }

  return TRUE;
}

static gboolean
do_nothing (gpointer data)
{
  return G_SOURCE_REMOVE;
}

/**
 * echoes_task_unref_in_context:
 * @task: (transfer full): a task a pool thread has just returned
 *
 * Drops a worker thread's reference to @task on the task's own main context, after
 * its callback. Otherwise the last reference to the task, and with it to its source
 * object, may be dropped in the worker, and an object that owns the pool would then
 * be finalized on one of its own threads, which waits for itself.
 */
void
echoes_task_unref_in_context (GTask *task)
{
  g_return_if_fail (G_IS_TASK (task));

  g_main_context_invoke_full (g_task_get_context (task), G_PRIORITY_DEFAULT_IDLE,
                              do_nothing, task, g_object_unref);
}

/**
 * echoes_names_lookup:
 * @names: (array length=n_names): a table of names; %NULL entries never match
 * @n_names: its length
 * @str: (nullable): the name to look for
 * @index: (out): where @str is in @names
 *
 * The reverse of indexing a table of enum names (`names[value]`).
 *
 * Returns: %FALSE if @str is not in @names; @index is then left alone
 */
gboolean
echoes_names_lookup (const char * const *names,
                     guint               n_names,
                     const char         *str,
                     guint              *index)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < n_names; i++)
    {
      if (names[i] != NULL && strcmp (names[i], str) == 0)
        {
          *index = i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * echoes_settings_new:
 * @key: (nullable): a key the installed schema must have, or %NULL
 *
 * The app's settings (`BASE_ID`), for every layer and both front ends.
 *
 * Returns: (transfer full) (nullable): the settings, or %NULL when their schema is not
 *   installed (running from the build tree without `GSETTINGS_SCHEMA_DIR`) or is an older
 *   one without @key: then the defaults apply
 */
GSettings *
echoes_settings_new (const char *key)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL || !(schema = g_settings_schema_source_lookup (source, BASE_ID, TRUE)) ||
      (key != NULL && !g_settings_schema_has_key (schema, key)))
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

/**
 * echoes_secret_free:
 * @secret: (nullable) (transfer full): a token, key or password (a string)
 *
 * Overwrites @secret with zeros, then frees it. explicit_bzero(), unlike a memset()
 * right before the free, is never optimised away. For g_clear_pointer() and as a
 * #GDestroyNotify too.
 */
void
echoes_secret_free (gpointer secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

/**
 * echoes_base64url_encode:
 * @data: bytes
 * @len: their number
 *
 * Returns: (transfer full): @data in unpadded base64url (RFC 4648 §5), as PKCE wants
 */
char *
echoes_base64url_encode (const guint8 *data,
                         gsize         len)
{
  char *text = g_base64_encode (data, len);
  char *end;

  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  if ((end = strchr (text, '=')) != NULL)
    *end = '\0';
  return text;
}

/**
 * echoes_random_base64url:
 * @n_bytes: how many random bytes
 *
 * Secrets (a PKCE verifier, an OAuth state) come from the kernel's random generator,
 * never from g_random_*(), whose Mersenne Twister output can be predicted.
 *
 * Returns: (transfer full): @n_bytes random bytes in base64url
 */
char *
echoes_random_base64url (gsize n_bytes)
{
  g_autofree guint8 *bytes = g_new (guint8, n_bytes);
  gsize done = 0;
  char *text;

  while (done < n_bytes)
    {
      ssize_t n = getrandom (bytes + done, n_bytes - done, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_error ("No random bytes from the kernel: %s", g_strerror (errno));
        }
      done += (gsize) n;
    }
  text = echoes_base64url_encode (bytes, n_bytes);
  explicit_bzero (bytes, n_bytes);
  return text;
}

/**
 * echoes_base64url_decode:
 * @text: base64url (RFC 4648 §5), padded or not, as in a JWT
 * @len: (out): the number of bytes
 *
 * Returns: (transfer full) (nullable): the bytes, %NULL when @text is not base64url
 */
guint8 *
echoes_base64url_decode (const char *text,
                         gsize      *len)
{
  gsize n = strlen (text);
  g_autofree char *b64 = g_malloc (n + 4);

  *len = 0;
  if (strspn (text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=") != n)
    return NULL;
  memcpy (b64, text, n);
  while (n % 4 != 0)
    b64[n++] = '=';
  b64[n] = '\0';
  g_strdelimit (b64, "-", '+');
  g_strdelimit (b64, "_", '/');
  return g_base64_decode (b64, len);
}
