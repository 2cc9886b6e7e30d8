/* echoes-supabase-remote.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-supabase-remote"

#include "config.h"

#include "echoes-supabase-remote.h"

#include <json-glib/json-glib.h>

#include "echoes-cloud-error.h"
#include "echoes-rest-client.h"
#include "echoes-storage-client.h"
#include "echoes-store.h"

/**
 * EchoesSupabaseRemote:
 *
 * #EchoesSyncRemote over the account's Supabase project: rows through PostgREST
 * (#EchoesRestClient), media through Storage (#EchoesStorageClient).
 *
 * The server's tables (supabase/migrations) keep one `updated_at` per row, set by a
 * trigger: every field of a pulled row carries that time. They hold the synced subset
 * of the local fields (`projects`: title, status; `clips`: project_id, image_url,
 * video_url, status, approved, order, provider, prompt, error); the others (ratio,
 * motion, source name, capture time) stay on the device, and so does the music: the
 * local value names files on this computer, which the server has no bucket for. Users may write only
 * some columns (see the grants in supabase/migrations/20250601000200_security.sql): a
 * clip is inserted with id, project, image, prompt and order, then updated in approved
 * and prompt; its order changes through the `move_clip` function. A trashed row is
 * deleted on the server. A pull by `updated_at` cannot see rows deleted on the server:
 * such deletions do not reach other devices until the server keeps tombstones (a
 * `deleted_at` column) and per-field times; the engine and the store handle both
 * already (see #EchoesSyncRemoteInterface).
 */
struct _EchoesSupabaseRemote
{
  GObject              parent_instance;

  EchoesAuth          *auth;     /* (owned) */
  EchoesRestClient    *rest;     /* (owned) */
  EchoesStorageClient *storage;  /* (owned) */
};

static void echoes_supabase_remote_iface_init (EchoesSyncRemoteInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EchoesSupabaseRemote, echoes_supabase_remote, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ECHOES_TYPE_SYNC_REMOTE,
                                                      echoes_supabase_remote_iface_init))

/* local field ↔ server column, and the value's kind ('s' text, 'b', 'i', 'x' time) */
typedef struct
{
  const char *field;
  const char *column;
  char        kind;
} Column;

static const Column project_columns[] = {
  { "title", "title", 's' },
  { "status", "status", 's' },
  { "created_at", "created_at", 'x' },
};

static const Column clip_columns[] = {
  { "project_id", "project_id", 's' },
  { "image", "image_url", 's' },
  { "video", "video_url", 's' },
  { "status", "status", 's' },
  { "approved", "approved", 'b' },
  { "order", "order", 'i' },
  { "provider", "provider", 's' },
  { "prompt", "prompt", 's' },
  { "error", "error", 's' },
  { "created_at", "created_at", 'x' },
};

static const Column *
columns_of (const char *table,
            guint      *n)
{
  if (g_str_equal (table, "projects"))
    {
      *n = G_N_ELEMENTS (project_columns);
      return project_columns;
    }
  *n = G_N_ELEMENTS (clip_columns);
  return clip_columns;
}

/* Cloud errors pass as they are (the UI words them with echoes_cloud_error_describe()),
 * but for the ones the engine acts upon. */
static GError *
to_sync_error (GError *error)
{
  if (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_NOT_FOUND))
    {
      GError *sync_error = g_error_new_literal (ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NOT_FOUND,
                                                error->message);
      g_error_free (error);
      return sync_error;
    }
  if (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_UPLOAD_EXPIRED))
    {
      GError *sync_error = g_error_new_literal (ECHOES_SYNC_ERROR,
                                                ECHOES_SYNC_ERROR_UPLOAD_EXPIRED, error->message);
      g_error_free (error);
      return sync_error;
    }
  return error;
}

static gboolean
parse_time (const char *text,
            gint64     *usec)
{
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  if (text == NULL || !(time = g_date_time_new_from_iso8601 (text, utc)))
    return FALSE;

  *usec = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
  return TRUE;
}

static char *
format_time (gint64 usec)
{
  g_autoptr(GDateTime) seconds = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) time = NULL;

  if (seconds == NULL)
    return g_strdup ("1970-01-01T00:00:00Z");
  time = g_date_time_add (seconds, usec % G_USEC_PER_SEC);
  return g_date_time_format_iso8601 (time);
}

/* A PostgREST row → (id, updated_at, FALSE, fields), or %NULL if it makes no sense. */
static GVariant *
row_from_json (const char *table,
               JsonObject *object)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE (ECHOES_STORE_SYNC_FIELDS_TYPE));
  const Column *columns;
  const char *id;
  gint64 updated_at;
  guint n;

  if (!json_object_has_member (object, "id") ||
      !JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "id")) ||
      !(id = json_object_get_string_member (object, "id")) ||
      !json_object_has_member (object, "updated_at") ||
      !parse_time (json_object_get_string_member (object, "updated_at"), &updated_at))
    return NULL;

  columns = columns_of (table, &n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_object_get_member (object, columns[i].column);
      GVariant *value = NULL;

      if (node == NULL)
        continue;

      switch (columns[i].kind)
        {
        case 's':
          if (JSON_NODE_HOLDS_NULL (node))
            value = g_variant_new_maybe (G_VARIANT_TYPE_STRING, NULL);
          else if (json_node_get_value_type (node) == G_TYPE_STRING)
            value = g_variant_new_maybe (G_VARIANT_TYPE_STRING,
                                         g_variant_new_string (json_node_get_string (node)));
          break;
        case 'b':
          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
            value = g_variant_new_boolean (json_node_get_boolean (node));
          break;
        case 'i':
          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64 &&
              json_node_get_int (node) >= 0 && json_node_get_int (node) <= G_MAXINT32)
            value = g_variant_new_int32 ((gint32)json_node_get_int (node));
          break;
        case 'x':
          {
            gint64 time;

            if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
                parse_time (json_node_get_string (node), &time))
              value = g_variant_new_int64 (time);
          }
          break;
        default:
          g_assert_not_reached ();
        }

      if (value != NULL)
        g_variant_builder_add (&builder, "{s(vx)}", columns[i].field, value, updated_at);
    }

  /* The server keeps live rows only. */
  g_variant_builder_add (&builder, "{s(vx)}", "trashed", g_variant_new_boolean (FALSE), updated_at);

  return g_variant_ref_sink (g_variant_new ("(sxb@" ECHOES_STORE_SYNC_FIELDS_TYPE ")", id,
                                            updated_at, FALSE, g_variant_builder_end (&builder)));
}

static const char *
get_user_id (EchoesSyncRemote *remote)
{
  EchoesSupabaseRemote *self = ECHOES_SUPABASE_REMOTE (remote);

  return echoes_auth_get_signed_in (self->auth) ? echoes_auth_get_user_id (self->auth) : NULL;
}

/* ---- list changes ---- */

static void
selected_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  const char *table = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
  JsonArray *array;

  if (!(node = echoes_rest_client_select_finish (ECHOES_REST_CLIENT (object), result, &error)))
    {
      g_task_return_error (task, to_sync_error (g_steal_pointer (&error)));
      return;
    }

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_task_return_new_error (task, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_BAD_RESPONSE,
                               "The rows of %s are not an array", table);
      return;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      GVariant *row;

      if (JSON_NODE_HOLDS_OBJECT (element) &&
          (row = row_from_json (table, json_node_get_object (element))))
        g_ptr_array_add (rows, row);
      else
        g_debug ("A row of %s is malformed: skipped", table);
    }

  g_task_return_pointer (task, g_steal_pointer (&rows), (GDestroyNotify)g_ptr_array_unref);
}

static void
list_changes_async (EchoesSyncRemote    *remote,
                    const char          *table,
                    gint64               since,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  EchoesSupabaseRemote *self = ECHOES_SUPABASE_REMOTE (remote);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *time = format_time (since);
  /* gte, not gt: rows written in the same microsecond as the last one pulled are not
   * missed; merging a row twice is harmless. */
  g_autofree char *filter = g_strdup_printf ("gte.%s", time);
  const char *params[] = { "select", "*", "updated_at", filter, "order", "updated_at.asc", NULL };

  g_task_set_source_tag (task, list_changes_async);
  g_task_set_task_data (task, g_strdup (table), g_free);
  echoes_rest_client_select_async (self->rest, table, params, cancellable, selected_cb,
                                   g_steal_pointer (&task));
}

static GPtrArray *
list_changes_finish (EchoesSyncRemote  *remote,
                     GAsyncResult      *result,
                     GError           **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- push ---- */

typedef struct
{
  char       *table;
  char       *id;
  GVariant   *fields;   /* (owned) */
  JsonObject *insert;   /* (owned) columns for a new row */
  JsonObject *patch;    /* (owned) columns an existing row may change */
  gint        order;    /* -1: not pushed */
} Push;

static void
push_free (Push *push)
{
  g_free (push->table);
  g_free (push->id);
  g_variant_unref (push->fields);
  json_object_unref (push->insert);
  json_object_unref (push->patch);
  g_free (push);
}

static void
finish_boolean_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  gpointer tag = g_object_get_data (G_OBJECT (task), "echoes-finish");

  if (tag == echoes_rest_client_rpc_async)
    node = echoes_rest_client_rpc_finish (ECHOES_REST_CLIENT (object), result, &error);
  else if (tag == echoes_rest_client_delete_async)
    node = echoes_rest_client_delete_finish (ECHOES_REST_CLIENT (object), result, &error);
  else if (tag == echoes_rest_client_upsert_async)
    node = echoes_rest_client_upsert_finish (ECHOES_REST_CLIENT (object), result, &error);
  else
    node = echoes_rest_client_update_finish (ECHOES_REST_CLIENT (object), result, &error);

  if (error)
    g_task_return_error (task, to_sync_error (g_steal_pointer (&error)));
  else
    g_task_return_boolean (task, TRUE);
}

static void
move_clip (GTask *task)
{
  EchoesSupabaseRemote *self = g_task_get_source_object (task);
  Push *push = g_task_get_task_data (task);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) args = NULL;

  if (push->order < 0)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "p_clip_id");
  json_builder_add_string_value (builder, push->id);
  json_builder_set_member_name (builder, "p_new_index");
  json_builder_add_int_value (builder, push->order);
  json_builder_end_object (builder);
  args = json_builder_get_root (builder);

  g_object_set_data (G_OBJECT (task), "echoes-finish", echoes_rest_client_rpc_async);
  echoes_rest_client_rpc_async (self->rest, "move_clip", args, g_task_get_cancellable (task),
                                finish_boolean_cb, task);
}

static void
clip_written_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (g_object_get_data (G_OBJECT (task), "echoes-insert"))
    node = echoes_rest_client_insert_finish (ECHOES_REST_CLIENT (object), result, &error);
  else
    node = echoes_rest_client_update_finish (ECHOES_REST_CLIENT (object), result, &error);

  if (error)
    {
      g_task_return_error (task, to_sync_error (g_steal_pointer (&error)));
      g_object_unref (task);
      return;
    }

  /* A new clip got its place with the insert. */
  if (g_object_get_data (G_OBJECT (task), "echoes-insert"))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  move_clip (task);
}

static void
clip_looked_up_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  EchoesSupabaseRemote *self = g_task_get_source_object (task);
  Push *push = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *filter = g_strdup_printf ("eq.%s", push->id);
  const char *filters[] = { "id", filter, NULL };

  if (!(node = echoes_rest_client_select_finish (ECHOES_REST_CLIENT (object), result, &error)))
    {
      g_task_return_error (task, to_sync_error (g_steal_pointer (&error)));
      g_object_unref (task);
      return;
    }

  if (JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) == 0)
    {
      if (!json_object_has_member (push->insert, "project_id") ||
          !json_object_has_member (push->insert, "image_url"))
        {
          g_task_return_new_error (task, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NOT_FOUND,
                                   "Clip %s is not on the server", push->id);
          g_object_unref (task);
          return;
        }
      if (push->order >= 0)
        json_object_set_int_member (push->insert, "order", push->order);
      json_node_set_object (body, push->insert);
      g_object_set_data (G_OBJECT (task), "echoes-insert", GINT_TO_POINTER (TRUE));
      echoes_rest_client_insert_async (self->rest, "clips", body, g_task_get_cancellable (task),
                                       clip_written_cb, task);
      return;
    }

  if (json_object_get_size (push->patch) == 0)
    {
      move_clip (task);
      return;
    }

  json_node_set_object (body, push->patch);
  echoes_rest_client_update_async (self->rest, "clips", filters, body,
                                   g_task_get_cancellable (task), clip_written_cb, task);
}

static void
add_json_value (JsonObject *object,
                const char *column,
                GVariant   *value)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE ("ms")))
    {
      g_autoptr(GVariant) inner = g_variant_get_maybe (value);

      if (inner)
        json_object_set_string_member (object, column, g_variant_get_string (inner, NULL));
      else
        json_object_set_null_member (object, column);
    }
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    json_object_set_boolean_member (object, column, g_variant_get_boolean (value));
}

static void
push_row_async (EchoesSyncRemote    *remote,
                const char          *table,
                const char          *id,
                GVariant            *fields,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  EchoesSupabaseRemote *self = ECHOES_SUPABASE_REMOTE (remote);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *filter = g_strdup_printf ("eq.%s", id);
  const char *filters[] = { "id", filter, NULL };
  gboolean is_clip = g_str_equal (table, "clips");
  gboolean trashed = FALSE;
  Push *push;
  GVariantIter iter;
  const char *name;
  GVariant *value;
  gint64 time;

  g_task_set_source_tag (task, push_row_async);
  push = g_new0 (Push, 1);
  push->table = g_strdup (table);
  push->id = g_strdup (id);
  push->fields = g_variant_ref_sink (fields);
  push->insert = json_object_new ();
  push->patch = json_object_new ();
  push->order = -1;
  g_task_set_task_data (task, push, (GDestroyNotify)push_free);

  json_object_set_string_member (push->insert, "id", id);

  /* Only the columns users may write (supabase/migrations/20250601000200_security.sql). */
  g_variant_iter_init (&iter, push->fields);
  while (g_variant_iter_loop (&iter, "{&s(vx)}", &name, &value, &time))
    {
      if (g_str_equal (name, "trashed") && g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
        trashed = g_variant_get_boolean (value);
      else if (!is_clip && (g_str_equal (name, "title") || g_str_equal (name, "status")))
        add_json_value (push->insert, name, value);
      else if (is_clip && g_str_equal (name, "project_id"))
        add_json_value (push->insert, "project_id", value);
      else if (is_clip && g_str_equal (name, "image"))
        add_json_value (push->insert, "image_url", value);
      else if (is_clip && g_str_equal (name, "prompt"))
        {
          add_json_value (push->insert, "prompt", value);
          add_json_value (push->patch, "prompt", value);
        }
      else if (is_clip && g_str_equal (name, "approved"))
        add_json_value (push->patch, "approved", value);
      else if (is_clip && g_str_equal (name, "order") &&
               g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
        push->order = g_variant_get_int32 (value);
    }

  if (trashed)
    {
      g_object_set_data (G_OBJECT (task), "echoes-finish", echoes_rest_client_delete_async);
      echoes_rest_client_delete_async (self->rest, table, filters, cancellable,
                                       finish_boolean_cb, g_steal_pointer (&task));
      return;
    }

  if (!is_clip)
    {
      g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);

      /* user_id defaults to the caller on the server */
      json_node_set_object (body, push->insert);
      g_object_set_data (G_OBJECT (task), "echoes-finish", echoes_rest_client_upsert_async);
      echoes_rest_client_upsert_async (self->rest, table, body, "id", cancellable,
                                       finish_boolean_cb, g_steal_pointer (&task));
      return;
    }

  {
    const char *params[] = { "select", "id", "id", filter, NULL };

    echoes_rest_client_select_async (self->rest, "clips", params, cancellable,
                                     clip_looked_up_cb, g_steal_pointer (&task));
  }
}

static gboolean
boolean_finish (EchoesSyncRemote  *remote,
                GAsyncResult      *result,
                GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
delete_row_async (EchoesSyncRemote    *remote,
                  const char          *table,
                  const char          *id,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  EchoesSupabaseRemote *self = ECHOES_SUPABASE_REMOTE (remote);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *filter = g_strdup_printf ("eq.%s", id);
  const char *filters[] = { "id", filter, NULL };

  g_task_set_source_tag (task, delete_row_async);
  g_object_set_data (G_OBJECT (task), "echoes-finish", echoes_rest_client_delete_async);
  echoes_rest_client_delete_async (self->rest, table, filters, cancellable, finish_boolean_cb,
                                   g_steal_pointer (&task));
}

/* ---- media ---- */

typedef struct
{
  EchoesSyncUploadProgress progress;
  gpointer                 data;
} Progress;

static void
storage_progress_cb (const char *upload_url,
                     goffset     offset,
                     goffset     total,
                     gpointer    user_data)
{
  Progress *progress = user_data;

  progress->progress (upload_url, offset, total, progress->data);
}

static void
uploaded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!echoes_storage_client_upload_finish (ECHOES_STORAGE_CLIENT (object), result, &error))
    g_task_return_error (task, to_sync_error (g_steal_pointer (&error)));
  else
    g_task_return_boolean (task, TRUE);
}

static void
upload_async (EchoesSyncRemote         *remote,
              const char               *bucket,
              const char               *object_path,
              GFile                    *file,
              const char               *content_type,
              gboolean                  resumable,
              const char               *resume_url,
              gint64                    resume_offset,
              EchoesSyncUploadProgress  progress,
              gpointer                  progress_data,
              GCancellable             *cancellable,
              GAsyncReadyCallback       callback,
              gpointer                  user_data)
{
  EchoesSupabaseRemote *self = ECHOES_SUPABASE_REMOTE (remote);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Progress *wrapper = NULL;

  g_task_set_source_tag (task, upload_async);

  /* The storage client picks TUS by size itself, and asks the server for the offset of
   * a resumed upload (HEAD): the kept offset is only a hint. */
  if (progress)
    {
      wrapper = g_new0 (Progress, 1);
      wrapper->progress = progress;
      wrapper->data = progress_data;
    }
  echoes_storage_client_upload_async (self->storage, bucket, object_path, file, content_type,
                                      resume_url, progress ? storage_progress_cb : NULL, wrapper,
                                      g_free, cancellable, uploaded_cb, g_steal_pointer (&task));
}

static void
downloaded_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  goffset size;

  size = echoes_storage_client_download_finish (ECHOES_STORAGE_CLIENT (object), result, &error);
  if (size < 0)
    g_task_return_error (task, to_sync_error (g_steal_pointer (&error)));
  else
    g_task_return_int (task, size);
}

static void
download_async (EchoesSyncRemote    *remote,
                const char          *bucket,
                const char          *object_path,
                GFile               *destination,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  EchoesSupabaseRemote *self = ECHOES_SUPABASE_REMOTE (remote);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, download_async);
  echoes_storage_client_download_async (self->storage, bucket, object_path, destination,
                                        cancellable, downloaded_cb, g_steal_pointer (&task));
}

static gint64
download_finish (EchoesSyncRemote  *remote,
                 GAsyncResult      *result,
                 gint64            *expected_size,
                 GError           **error)
{
  gint64 size = g_task_propagate_int (G_TASK (result), error);

  /* the storage client checked the size against Content-Length already */
  if (expected_size)
    *expected_size = size;
  return size;
}

static void
echoes_supabase_remote_iface_init (EchoesSyncRemoteInterface *iface)
{
  iface->get_user_id = get_user_id;
  iface->list_changes_async = list_changes_async;
  iface->list_changes_finish = list_changes_finish;
  iface->push_row_async = push_row_async;
  iface->push_row_finish = boolean_finish;
  iface->delete_row_async = delete_row_async;
  iface->delete_row_finish = boolean_finish;
  iface->upload_async = upload_async;
  iface->upload_finish = boolean_finish;
  iface->download_async = download_async;
  iface->download_finish = download_finish;
}

static void
echoes_supabase_remote_finalize (GObject *object)
{
  EchoesSupabaseRemote *self = (EchoesSupabaseRemote *)object;

  g_clear_object (&self->auth);
  g_clear_object (&self->rest);
  g_clear_object (&self->storage);

  G_OBJECT_CLASS (echoes_supabase_remote_parent_class)->finalize (object);
}

static void
echoes_supabase_remote_class_init (EchoesSupabaseRemoteClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = echoes_supabase_remote_finalize;
}

static void
echoes_supabase_remote_init (EchoesSupabaseRemote *self)
{
}

/**
 * echoes_supabase_remote_new:
 * @auth: the account's session
 *
 * Returns: (transfer full): a remote for #EchoesSyncEngine over the account's server
 */
EchoesSupabaseRemote *
echoes_supabase_remote_new (EchoesAuth *auth)
{
  EchoesSupabaseRemote *self;

  g_return_val_if_fail (ECHOES_IS_AUTH (auth), NULL);

  self = g_object_new (ECHOES_TYPE_SUPABASE_REMOTE, NULL);
  self->auth = g_object_ref (auth);
  self->rest = echoes_rest_client_new (auth);
  self->storage = echoes_storage_client_new (auth);
  return self;
}

/**
 * echoes_supabase_remote_get_auth:
 *
 * Returns: (transfer none): the session
 */
EchoesAuth *
echoes_supabase_remote_get_auth (EchoesSupabaseRemote *self)
{
  g_return_val_if_fail (ECHOES_IS_SUPABASE_REMOTE (self), NULL);
  return self->auth;
}
