/* echoes-uri-renewer.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-uri-renewer"

#include "config.h"

#include "echoes-uri-renewer.h"

#include <string.h>

G_DEFINE_INTERFACE (EchoesUriRenewer, echoes_uri_renewer, G_TYPE_OBJECT)

static void
echoes_uri_renewer_default_init (EchoesUriRenewerInterface *iface)
{
}

/**
 * echoes_uri_renewer_renew_async:
 * @self: an #EchoesUriRenewer
 * @clip: the clip's index in the player's load
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the new URI
 * @user_data: data for @callback
 */
void
echoes_uri_renewer_renew_async (EchoesUriRenewer    *self,
                                guint                clip,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (ECHOES_IS_URI_RENEWER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  ECHOES_URI_RENEWER_GET_IFACE (self)->renew_async (self, clip, cancellable, callback, user_data);
}

/**
 * echoes_uri_renewer_renew_finish:
 * @self: an #EchoesUriRenewer
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the new URI (a secret), or %NULL with @error set
 */
char *
echoes_uri_renewer_renew_finish (EchoesUriRenewer  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (ECHOES_IS_URI_RENEWER (self), NULL);

  return ECHOES_URI_RENEWER_GET_IFACE (self)->renew_finish (self, result, error);
}

/**
 * echoes_uri_is_remote:
 * @uri_or_path: a clip as the player takes it
 *
 * Returns: whether @uri_or_path is an `http://` or `https://` URI (streamed), not a path
 */
gboolean
echoes_uri_is_remote (const char *uri_or_path)
{
  return uri_or_path != NULL &&
         (g_ascii_strncasecmp (uri_or_path, "http://", 7) == 0 ||
          g_ascii_strncasecmp (uri_or_path, "https://", 8) == 0);
}

/**
 * echoes_uri_display_name:
 * @uri_or_path: a path or a URI
 *
 * The file name to show for a clip: for a URI, the last part of its path without the
 * query (a signed URL's token never reaches the user or a log).
 *
 * Returns: (transfer full): a name for messages
 */
char *
echoes_uri_display_name (const char *uri_or_path)
{
  g_autofree char *path = NULL;
  const char *end;

  g_return_val_if_fail (uri_or_path != NULL, NULL);

  if (!echoes_uri_is_remote (uri_or_path))
    return g_filename_display_basename (uri_or_path);

  end = uri_or_path + strcspn (uri_or_path, "?#");
  path = g_strndup (uri_or_path, end - uri_or_path);
  {
    const char *slash = strrchr (path, '/');
    g_autofree char *unescaped = g_uri_unescape_string (slash ? slash + 1 : path, NULL);

    return g_strdup (unescaped && *unescaped ? unescaped : "clip");
  }
}
