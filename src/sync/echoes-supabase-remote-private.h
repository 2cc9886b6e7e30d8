/* echoes-supabase-remote-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "echoes-rest-client.h"
#include "echoes-storage-client.h"
#include "echoes-supabase-remote.h"
#include "echoes-sync-remote.h"

G_BEGIN_DECLS

/* #EchoesSupabaseRemote is split by concern: echoes-supabase-remote.c keeps the object,
 * the pull and the media; echoes-supabase-remote-push.c pushes and deletes rows. */

struct _EchoesSupabaseRemote
{
  GObject              parent_instance;

  EchoesAuth          *auth;     /* (owned) */
  EchoesRestClient    *rest;     /* (owned) */
  EchoesStorageClient *storage;  /* (owned) */
};

GError     *_echoes_supabase_to_sync_error           (GError               *error);
gboolean    _echoes_supabase_parse_time              (const char           *text,
                                                      gint64               *usec);
char       *_echoes_supabase_format_time             (gint64                usec);
void        _echoes_supabase_set_field_time          (JsonObject           *times,
                                                      const char           *column,
                                                      gint64                usec);
const char *_echoes_supabase_json_string_or_null     (JsonObject           *object,
                                                      const char           *member);
gint64      _echoes_supabase_edited_since            (JsonObject           *row);

void        _echoes_supabase_remote_push_row_async   (EchoesSyncRemote     *remote,
                                                      const char           *table,
                                                      const char           *id,
                                                      GVariant             *fields,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
void        _echoes_supabase_remote_push_rows_async  (EchoesSyncRemote     *remote,
                                                      const char           *table,
                                                      GPtrArray            *rows,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
GPtrArray  *_echoes_supabase_remote_push_rows_finish (EchoesSyncRemote     *remote,
                                                      GAsyncResult         *result,
                                                      GError              **error);
gboolean    _echoes_supabase_remote_boolean_finish   (EchoesSyncRemote     *remote,
                                                      GAsyncResult         *result,
                                                      GError              **error);
void        _echoes_supabase_remote_delete_row_async (EchoesSyncRemote     *remote,
                                                      const char           *table,
                                                      const char           *id,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);

G_END_DECLS
