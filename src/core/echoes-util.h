/* echoes-util.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean  echoes_set_str              (char       **str_pointer,
                                       const char  *new_str);
gboolean  echoes_file_replace_contents (const char  *path,
                                       const char  *contents,
                                       gsize        length,
                                       GError     **error);
gboolean  echoes_file_copy_atomic     (GFile       *source,
                                       const char  *dest_path,
                                       GCancellable *cancellable,
                                       GError     **error);

void      echoes_task_unref_in_context (GTask       *task);
gboolean  echoes_names_lookup         (const char * const *names,
                                       guint               n_names,
                                       const char         *str,
                                       guint              *index);
GSettings *echoes_settings_new        (const char *key);
void      echoes_secret_free          (gpointer    secret);
char     *echoes_base64url_encode     (const guint8 *data,
                                       gsize        len);
guint8   *echoes_base64url_decode     (const char  *text,
                                       gsize       *len);
char     *echoes_random_base64url     (gsize        n_bytes);

G_END_DECLS
