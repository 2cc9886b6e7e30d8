/* echoes-supabase-remote.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-supabase-remote"

#include "config.h"

#include "echoes-supabase-remote-private.h"

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
 * The server's tables (supabase/migrations) keep an `updated_at` per row, set by a
 * trigger (the pull cursor), and `field_times`: when each user-written column's value
 * was written by a client (supabase/migrations/20251203000500_field_times.sql). A pulled
 * field carries its field time, else the row's. A push sends, with each value, its time;
 * the server keeps the later write of each field. They hold the synced subset
 * of the local fields (`projects`: title, status; `clips`: project_id, image_url,
 * video_url, status, approved, order, provider, prompt, error); the others (ratio,
 * motion, source name, capture time) stay on the device, and so does the music: the
 * local value names files on this computer, which the server has no bucket for. Users may write only
 * some columns (see the grants in supabase/migrations/20250601000200_security.sql): a
 * clip is inserted with id, project, image, prompt and order, then updated in approved
 * and prompt; its order changes through the `move_clip` function, which keeps the
 * later move per clip (supabase/migrations/20251203000700_order_field_time.sql). A trashed row is
 * deleted on the server, which keeps a tombstone of it (`sync_tombstones`, see
 * supabase/migrations/20251203000300_sync_tombstones.sql) for 30 days: a pull lists
 * the table's rows changed since the last pull, then its tombstones written since,
 * handed to the engine as rows deleted for good at that time. Pushes compare each
 * field's time with the server's time of that field; a delete loses to a later edit of
 * any field of the row on another device (see _echoes_supabase_edited_since() and
 * echoes-supabase-remote-push.c).
 *
 * A clip generated on this device: the engine uploads its video to
 * `clips/{user}/{project}/{clip}.mp4`, and a push carrying the status `ready` with that
 * video calls `attach_local_video`, which marks the server's row ready; only then is
 * the approval sent (the server approves ready clips only). Until then a pulled clip
 * the server never generated (`pending`) brings no status, video, approval, provider
 * or error: the device that made the video keeps them.
 */
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
GError *
_echoes_supabase_to_sync_error (GError *error)
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

gboolean
_echoes_supabase_parse_time (const char *text,
                             gint64     *usec)
{
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  if (text == NULL || !(time = g_date_time_new_from_iso8601 (text, utc)))
    return FALSE;

  *usec = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
  return TRUE;
}

char *
_echoes_supabase_format_time (gint64 usec)
{
  g_autoptr(GDateTime) seconds = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) time = NULL;

  if (seconds == NULL)
    return g_strdup ("1970-01-01T00:00:00Z");
  time = g_date_time_add (seconds, usec % G_USEC_PER_SEC);
  return g_date_time_format_iso8601 (time);
}

void
_echoes_supabase_set_field_time (JsonObject *times,
                                 const char *column,
                                 gint64      usec)
{
  g_autofree char *time = _echoes_supabase_format_time (usec);

  json_object_set_string_member (times, column, time);
}

const char *
_echoes_supabase_json_string_or_null (JsonObject *object,
                                      const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* Since when the server's row is what a user made it: the latest of its creation (a row
 * inserted again after a delete is new) and of the times users wrote its content (title,
 * prompt, approval…). The server's own writes (a generation finishing) bump updated_at,
 * and a place in the order is no content (moving another clip shifts this one): neither
 * keeps alive a row deleted elsewhere after this time. -1 if the row says neither. */
gint64
_echoes_supabase_edited_since (JsonObject *row)
{
  JsonNode *times_node = row ? json_object_get_member (row, "field_times") : NULL;
  gint64 latest = -1;
  gint64 time;

  if (_echoes_supabase_parse_time (_echoes_supabase_json_string_or_null (row, "created_at"), &time))
    latest = time;
  if (times_node != NULL && JSON_NODE_HOLDS_OBJECT (times_node))
    {
      JsonObject *times = json_node_get_object (times_node);
      g_autoptr(GList) members = json_object_get_members (times);

      for (GList *l = members; l != NULL; l = l->next)
        if (!g_str_equal (l->data, "order") &&
            _echoes_supabase_parse_time (_echoes_supabase_json_string_or_null (times, l->data), &time))
          latest = MAX (latest, time);
    }
  return latest;
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
  gboolean no_generation;
  JsonNode *times_node;
  JsonObject *times = NULL;
  guint n;

  if (!json_object_has_member (object, "id") ||
      !JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "id")) ||
      !(id = json_object_get_string_member (object, "id")) ||
      !json_object_has_member (object, "updated_at") ||
      !_echoes_supabase_parse_time (json_object_get_string_member (object, "updated_at"), &updated_at))
    return NULL;

  /* A clip the server never generated (`pending`) says nothing about its video: one
   * generated on a device keeps its status, video and approval there until that device
   * attaches the video (see attach_video()). */
  no_generation = g_str_equal (table, "clips") &&
                  g_strcmp0 (_echoes_supabase_json_string_or_null (object, "status"), "pending") == 0;
  times_node = json_object_get_member (object, "field_times");
  if (times_node != NULL && JSON_NODE_HOLDS_OBJECT (times_node))
    times = json_node_get_object (times_node);

  columns = columns_of (table, &n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_object_get_member (object, columns[i].column);
      GVariant *value = NULL;

      if (node == NULL)
        continue;
      if (no_generation &&
          (g_str_equal (columns[i].field, "status") || g_str_equal (columns[i].field, "video") ||
           g_str_equal (columns[i].field, "approved") || g_str_equal (columns[i].field, "provider") ||
           g_str_equal (columns[i].field, "error")))
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
                _echoes_supabase_parse_time (json_node_get_string (node), &time))
              value = g_variant_new_int64 (time);
          }
          break;
        default:
          g_assert_not_reached ();
        }

      if (value != NULL)
        {
          gint64 time = updated_at;

          /* the time the value was written, where the server keeps one */
          if (!_echoes_supabase_parse_time (_echoes_supabase_json_string_or_null (times, columns[i].column), &time))
            time = updated_at;
          g_variant_builder_add (&builder, "{s(vx)}", columns[i].field, value, time);
        }
    }

  /* The server keeps live rows only; live since a user last made or edited it. */
  {
    gint64 live = _echoes_supabase_edited_since (object);

    g_variant_builder_add (&builder, "{s(vx)}", "trashed", g_variant_new_boolean (FALSE),
                           live >= 0 ? live : updated_at);
  }

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

/* PostgREST answers at most a page of rows (Supabase's default cap is 1000): ask page
 * after page until a short one. */
#define PAGE_SIZE 500

typedef struct
{
  char      *table;
  char      *since;       /* the gte filter */
  GPtrArray *rows;        /* GVariant */
  guint      offset;
  gboolean   tombstones;  /* listing the table's tombstones, after its rows */
} Listing;

static void
listing_free (Listing *listing)
{
  g_free (listing->table);
  g_free (listing->since);
  g_ptr_array_unref (listing->rows);
  g_free (listing);
}

static void list_page (GTask *task);

/* A tombstone (supabase/migrations/20251203000300_sync_tombstones.sql) → (id, deleted_at,
 * TRUE, {}): the row is gone for good on the server since deleted_at. */
static GVariant *
tombstone_from_json (JsonObject *object)
{
  JsonNode *id = json_object_get_member (object, "id");
  JsonNode *time = json_object_get_member (object, "deleted_at");
  gint64 deleted_at;

  if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_STRING ||
      time == NULL || !JSON_NODE_HOLDS_VALUE (time) || json_node_get_value_type (time) != G_TYPE_STRING ||
      !_echoes_supabase_parse_time (json_node_get_string (time), &deleted_at))
    return NULL;

  return g_variant_ref_sink (g_variant_new ("(sxb@" ECHOES_STORE_SYNC_FIELDS_TYPE ")",
                                            json_node_get_string (id), deleted_at, TRUE,
                                            g_variant_new_array (G_VARIANT_TYPE ("{s(vx)}"), NULL, 0)));
}

static void
selected_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  Listing *listing = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *array;
  guint n;

  if (!(node = echoes_rest_client_select_finish (ECHOES_REST_CLIENT (object), result, &error)))
    {
      g_task_return_error (task, _echoes_supabase_to_sync_error (g_steal_pointer (&error)));
      g_object_unref (task);
      return;
    }

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_task_return_new_error (task, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_BAD_RESPONSE,
                               "The rows of %s are not an array", listing->table);
      g_object_unref (task);
      return;
    }

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      GVariant *row;

      if (JSON_NODE_HOLDS_OBJECT (element) &&
          (row = listing->tombstones ? tombstone_from_json (json_node_get_object (element)) :
                                       row_from_json (listing->table, json_node_get_object (element))))
        g_ptr_array_add (listing->rows, row);
      else
        g_debug ("A row of %s is malformed: skipped", listing->table);
    }

  if (n >= PAGE_SIZE)
    {
      listing->offset += n;
      list_page (task);
      return;
    }
  if (!listing->tombstones)
    {
      listing->tombstones = TRUE;
      listing->offset = 0;
      list_page (task);
      return;
    }

  g_task_return_pointer (task, g_ptr_array_ref (listing->rows), (GDestroyNotify)g_ptr_array_unref);
  g_object_unref (task);
}

static void
list_page (GTask *task)
{
  EchoesSupabaseRemote *self = g_task_get_source_object (task);
  Listing *listing = g_task_get_task_data (task);
  g_autofree char *limit = g_strdup_printf ("%u", PAGE_SIZE);
  g_autofree char *offset = g_strdup_printf ("%u", listing->offset);
  g_autofree char *table = g_strdup_printf ("eq.%s", listing->table);
  /* id breaks ties of the time, so that pages do not overlap or skip */
  const char *params[] = { "select", "*", "updated_at", listing->since,
                           "order", "updated_at.asc,id.asc", "limit", limit, "offset", offset,
                           NULL };
  const char *tombstone_params[] = { "select", "id,deleted_at", "table_name", table,
                                     "deleted_at", listing->since,
                                     "order", "deleted_at.asc,id.asc", "limit", limit,
                                     "offset", offset, NULL };

  if (listing->tombstones)
    echoes_rest_client_select_async (self->rest, "sync_tombstones", tombstone_params,
                                     g_task_get_cancellable (task), selected_cb, task);
  else
    echoes_rest_client_select_async (self->rest, listing->table, params,
                                     g_task_get_cancellable (task), selected_cb, task);
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
  g_autofree char *time = _echoes_supabase_format_time (since);
  Listing *listing = g_new0 (Listing, 1);

  /* gte, not gt: rows written in the same microsecond as the last one pulled are not
   * missed; merging a row twice is harmless. */
  listing->table = g_strdup (table);
  listing->since = g_strdup_printf ("gte.%s", time);
  listing->rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
  g_task_set_source_tag (task, list_changes_async);
  g_task_set_task_data (task, listing, (GDestroyNotify)listing_free);
  list_page (g_steal_pointer (&task));
}

static GPtrArray *
list_changes_finish (EchoesSyncRemote  *remote,
                     GAsyncResult      *result,
                     GError           **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
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
    g_task_return_error (task, _echoes_supabase_to_sync_error (g_steal_pointer (&error)));
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
    g_task_return_error (task, _echoes_supabase_to_sync_error (g_steal_pointer (&error)));
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
signed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *url;

  url = echoes_storage_client_create_signed_url_finish (ECHOES_STORAGE_CLIENT (object), result,
                                                        &error);
  if (url == NULL)
    g_task_return_error (task, _echoes_supabase_to_sync_error (g_steal_pointer (&error)));
  else
    g_task_return_pointer (task, url, g_free);
}

static void
sign_async (EchoesSyncRemote    *remote,
            const char          *bucket,
            const char          *object_path,
            guint                expires_in,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  EchoesSupabaseRemote *self = ECHOES_SUPABASE_REMOTE (remote);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, sign_async);
  echoes_storage_client_create_signed_url_async (self->storage, bucket, object_path, expires_in,
                                                 cancellable, signed_cb, g_steal_pointer (&task));
}

static char *
sign_finish (EchoesSyncRemote  *remote,
             GAsyncResult      *result,
             GError           **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
echoes_supabase_remote_iface_init (EchoesSyncRemoteInterface *iface)
{
  iface->get_user_id = get_user_id;
  iface->list_changes_async = list_changes_async;
  iface->list_changes_finish = list_changes_finish;
  iface->push_row_async = _echoes_supabase_remote_push_row_async;
  iface->push_row_finish = _echoes_supabase_remote_boolean_finish;
  iface->push_rows_async = _echoes_supabase_remote_push_rows_async;
  iface->push_rows_finish = _echoes_supabase_remote_push_rows_finish;
  iface->delete_row_async = _echoes_supabase_remote_delete_row_async;
  iface->delete_row_finish = _echoes_supabase_remote_boolean_finish;
  iface->upload_async = upload_async;
  iface->upload_finish = _echoes_supabase_remote_boolean_finish;
  iface->download_async = download_async;
  iface->download_finish = download_finish;
  iface->sign_async = sign_async;
  iface->sign_finish = sign_finish;
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
