/* echoes-loopback-redirect.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ECHOES_TYPE_LOOPBACK_REDIRECT (echoes_loopback_redirect_get_type ())

G_DECLARE_FINAL_TYPE (EchoesLoopbackRedirect, echoes_loopback_redirect, ECHOES, LOOPBACK_REDIRECT, GObject)

EchoesLoopbackRedirect *echoes_loopback_redirect_new         (const char              *required_param,
                                                              GError                 **error);
const char             *echoes_loopback_redirect_get_uri     (EchoesLoopbackRedirect  *self);
const char             *echoes_loopback_redirect_get_state   (EchoesLoopbackRedirect  *self);
void                    echoes_loopback_redirect_wait_async  (EchoesLoopbackRedirect  *self,
                                                              guint                    timeout_s,
                                                              const char              *success_text,
                                                              const char              *failure_text,
                                                              GCancellable            *cancellable,
                                                              GAsyncReadyCallback      callback,
                                                              gpointer                 user_data);
GHashTable             *echoes_loopback_redirect_wait_finish (EchoesLoopbackRedirect  *self,
                                                              GAsyncResult            *result,
                                                              GError                 **error);

G_END_DECLS
