/* echoes-credits-window-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "echoes-credits-window.h"

G_BEGIN_DECLS

/* For tests: opens the Checkout page with @func instead of gtk_show_uri(), and polls the
 * balance first after @first_poll_ms (then backing off) instead of a few seconds. */
void        _echoes_credits_window_set_uri_func      (EchoesCreditsWindow *self,
                                                      EchoesAuthUriFunc    func,
                                                      gpointer             data);
void        _echoes_credits_window_set_first_poll    (EchoesCreditsWindow *self,
                                                      guint                first_poll_ms);
guint       _echoes_credits_window_get_n_entries     (EchoesCreditsWindow *self);
const char *_echoes_credits_window_get_entry_kind    (EchoesCreditsWindow *self,
                                                      guint                position);
guint       _echoes_credits_window_get_n_packs       (EchoesCreditsWindow *self);
void        _echoes_credits_window_buy               (EchoesCreditsWindow *self,
                                                      guint                pack);
const char *_echoes_credits_window_get_last_toast    (EchoesCreditsWindow *self);
const char *_echoes_credits_window_get_referral_code (EchoesCreditsWindow *self);
void        _echoes_credits_window_redeem            (EchoesCreditsWindow *self,
                                                      const char          *code);
const char *_echoes_credits_window_get_redeem_message (EchoesCreditsWindow *self);
const char *_echoes_credits_window_get_error         (EchoesCreditsWindow *self);

G_END_DECLS
