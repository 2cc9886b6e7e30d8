/* echoes-media-signer.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-store.h"
#include "echoes-sync-remote.h"

G_BEGIN_DECLS

/**
 * ECHOES_MEDIA_URL_LIFETIME:
 *
 * How long a signed media URL is asked to stay valid, in seconds: an hour.
 */
#define ECHOES_MEDIA_URL_LIFETIME 3600

#define ECHOES_TYPE_MEDIA_SIGNER (echoes_media_signer_get_type())

G_DECLARE_FINAL_TYPE (EchoesMediaSigner, echoes_media_signer, ECHOES, MEDIA_SIGNER, GObject)

EchoesMediaSigner *echoes_media_signer_new          (EchoesStore        *store,
                                                     EchoesSyncRemote   *remote);
guint              echoes_media_signer_get_lifetime (EchoesMediaSigner  *self);
void               echoes_media_signer_set_lifetime (EchoesMediaSigner  *self,
                                                     guint               seconds);
void               echoes_media_signer_forget       (EchoesMediaSigner  *self);
void               echoes_media_signer_sign_async   (EchoesMediaSigner  *self,
                                                     const char         *clip_id,
                                                     const char         *kind,
                                                     gboolean            force_new,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
char              *echoes_media_signer_sign_finish  (EchoesMediaSigner  *self,
                                                     GAsyncResult       *result,
                                                     gint64             *expires_at,
                                                     GError            **error);

G_END_DECLS
