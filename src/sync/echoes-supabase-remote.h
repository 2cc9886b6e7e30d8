/* echoes-supabase-remote.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-auth.h"
#include "echoes-sync-remote.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_SUPABASE_REMOTE (echoes_supabase_remote_get_type())

G_DECLARE_FINAL_TYPE (EchoesSupabaseRemote, echoes_supabase_remote, ECHOES, SUPABASE_REMOTE, GObject)

EchoesSupabaseRemote *echoes_supabase_remote_new      (EchoesAuth           *auth);
EchoesAuth           *echoes_supabase_remote_get_auth (EchoesSupabaseRemote *self);

G_END_DECLS
