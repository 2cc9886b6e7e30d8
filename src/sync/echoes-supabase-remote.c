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
 * and prompt; its order changes through the `move_clip` function. A trashed row is
 * deleted on the server, which keeps a tombstone of it (`sync_tombstones`, see
 * supabase/migrations/20251203000300_sync_tombstones.sql) for 30 days: a pull lists
 * the table's rows changed since the last pull, then its tombstones written since,
 * handed to the engine as rows deleted for good at that time. Pushes compare times
 * with the server row (see below).
 *
 * A clip generated on this device: the engine uploads its video to
 * `clips/{user}/{project}/{clip}.mp4`, and a push carrying the status `ready` with that
 * video calls `attach_local_video`, which marks the server's row ready; only then is
 * the approval sent (the server approves ready clips only). Until then a pulled clip
 * the server never generated (`pending`) brings no status, video, approval, provider
 * or error: the device that made the video keeps them.
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

static void
set_field_time (JsonObject *times,
                const char *column,
                gint64      usec)
{
  g_autofree char *time = format_time (usec);

  json_object_set_string_member (times, column, time);
}

static const char *
json_string_or_null (JsonObject *object,
                     const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
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
      !parse_time (json_object_get_string_member (object, "updated_at"), &updated_at))
    return NULL;

  /* A clip the server never generated (`pending`) says nothing about its video: one
   * generated on a device keeps its status, video and approval there until that device
   * attaches the video (see attach_video()). */
  no_generation = g_str_equal (table, "clips") &&
                  g_strcmp0 (json_string_or_null (object, "status"), "pending") == 0;
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
                parse_time (json_node_get_string (node), &time))
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
          if (!parse_time (json_string_or_null (times, columns[i].column), &time))
            time = updated_at;
          g_variant_builder_add (&builder, "{s(vx)}", columns[i].field, value, time);
        }
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
      !parse_time (json_node_get_string (time), &deleted_at))
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
      g_task_return_error (task, to_sync_error (g_steal_pointer (&error)));
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
  g_autofree char *time = format_time (since);
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

/* ---- push ----
 *
 * A push is conditional: a field goes only if it was written here after the server's
 * value of it (its field time, else the row's `updated_at`), and the update applies
 * only if the row did not change since it was read (`updated_at=eq.`); the server's
 * trigger keeps the later write of each field besides.
 * A delete older than the server row's last change is not sent: the row stays, and the
 * next pull brings it back. */

typedef struct
{
  char     *column;
  JsonNode *value;
  gint64    time;
} PatchField;

typedef struct
{
  char       *table;
  char       *id;
  gboolean    is_clip;
  gboolean    trashed;
  gint64      trashed_time;
  JsonObject *insert;       /* (owned) the columns of a new row */
  GPtrArray  *patch;        /* (owned) PatchField: what an existing row may change */
  gint        order;        /* -1: not pushed */
  gint64      order_time;
  gint64      server_usec;  /* the row's updated_at */
  JsonObject *server_times; /* (nullable) (owned) the row's field_times */
  guint       lookups;
  gboolean    local_ready;  /* a clip ready here (status pushed as `ready`) */
  char       *local_video;  /* (nullable) its video's object path, as pushed */
  gboolean    attach;       /* the server must take the video made here */
  PatchField *approval;     /* (nullable) (owned) the approval, sent once the video is attached */
} Push;

static void
patch_field_free (PatchField *field)
{
  g_free (field->column);
  json_node_unref (field->value);
  g_free (field);
}

static void
push_free (Push *push)
{
  g_clear_pointer (&push->approval, patch_field_free);
  g_clear_pointer (&push->server_times, json_object_unref);
  g_free (push->local_video);
  g_free (push->table);
  g_free (push->id);
  json_object_unref (push->insert);
  g_ptr_array_unref (push->patch);
  g_free (push);
}

static void
return_rest_result (GTask    *task,
                    JsonNode *node,
                    GError   *error)
{
  if (error)
    g_task_return_error (task, to_sync_error (error));
  else
    g_task_return_boolean (task, TRUE);
  g_clear_pointer (&node, json_node_unref);
  g_object_unref (task);
}

static void lookup_row (GTask *task);

/* An update or delete conditional on the row's time matched nothing: the row changed
 * on the server meanwhile. Look again (a few times), then leave it to a later push. */
static gboolean
changed_meanwhile (GTask    *task,
                   JsonNode *node)
{
  Push *push = g_task_get_task_data (task);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (json_node_get_array (node)) > 0)
    return FALSE;

  if (push->lookups >= 3)
    {
      g_task_return_new_error (task, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_FAILED,
                               "%s keeps changing on the server", push->id);
      g_object_unref (task);
      return TRUE;
    }

  g_debug ("%s changed on the server meanwhile: looking again", push->id);
  lookup_row (task);
  return TRUE;
}

/* The filter "updated_at is still @usec": PostgREST compares timestamptz to the
 * microsecond, as the server returned it. With "Z", not "+00:00": nothing for URL
 * encoding to mangle. */
static char *
time_filter (gint64 usec)
{
  g_autofree char *time = format_time (usec);

  return g_strdup_printf ("eq.%s", time);
}

static void
moved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GError *error = NULL;
  JsonNode *node = echoes_rest_client_rpc_finish (ECHOES_REST_CLIENT (object), result, &error);

  return_rest_result (user_data, node, error);
}

static void
move_clip (GTask *task)
{
  EchoesSupabaseRemote *self = g_task_get_source_object (task);
  Push *push = g_task_get_task_data (task);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) args = NULL;

  if (!push->is_clip || push->order < 0 || push->order_time <= push->server_usec)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "p_clip_id");
  json_builder_add_string_value (builder, push->id);
  json_builder_set_member_name (builder, "p_new_index");
  json_builder_add_int_value (builder, push->order);
  json_builder_end_object (builder);
  args = json_builder_get_root (builder);

  echoes_rest_client_rpc_async (self->rest, "move_clip", args, g_task_get_cancellable (task),
                                moved_cb, task);
}

static void attach_video (GTask *task);

static void
patched_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = echoes_rest_client_update_finish (ECHOES_REST_CLIENT (object), result, &error);
  if (!error && changed_meanwhile (task, node))
    return;

  /* The server approves only clips it knows are ready (a CHECK): a clip approved here
   * whose video is neither the server's nor attached from here (see attach_video()) is
   * refused. Nothing to retry; the other fields went. */
  if (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_INVALID_REQUEST))
    {
      g_debug ("Server refused a change of %s: %s", ((Push *)g_task_get_task_data (task))->id,
               error->message);
      g_clear_error (&error);
    }
  if (error)
    {
      g_task_return_error (task, to_sync_error (g_steal_pointer (&error)));
      g_object_unref (task);
      return;
    }

  attach_video (task);
}

/* A clip generated on this device: the engine uploads its video to
 * clips/{user}/{project}/{clip}.mp4; attach_local_video()
 * (supabase/migrations/20251203000400_local_generation.sql) marks the server's row ready
 * with it, and then the approval made here goes, conditional on the time the function
 * returned. */
static void
approved_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = echoes_rest_client_update_finish (ECHOES_REST_CLIENT (object), result, &error);
  if (error)
    {
      g_task_return_error (task, to_sync_error (g_steal_pointer (&error)));
      g_object_unref (task);
      return;
    }
  if (node && JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) == 0)
    g_debug ("%s changed on the server meanwhile: its approval is left to the next pull",
             ((Push *)g_task_get_task_data (task))->id);
  move_clip (task);
}

static void
attached_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  EchoesSupabaseRemote *self = g_task_get_source_object (task);
  Push *push = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonObject) object_body = NULL;
  g_autofree char *id_filter = NULL;
  g_autofree char *unchanged = NULL;
  gint64 attached_usec;

  node = echoes_rest_client_rpc_finish (ECHOES_REST_CLIENT (object), result, &error);
  if (error)
    {
      g_task_return_error (task, to_sync_error (g_steal_pointer (&error)));
      g_object_unref (task);
      return;
    }
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING ||
      !parse_time (json_node_get_string (node), &attached_usec))
    {
      g_task_return_new_error (task, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_BAD_RESPONSE,
                               "The server's answer to attaching the video of %s has no time",
                               push->id);
      g_object_unref (task);
      return;
    }

  if (push->approval == NULL)
    {
      move_clip (task);
      return;
    }

  id_filter = g_strdup_printf ("eq.%s", push->id);
  unchanged = time_filter (attached_usec);
  {
    const char *filters[] = { "id", id_filter, "updated_at", unchanged, NULL };
    JsonObject *times = json_object_new ();

    object_body = json_object_new ();
    json_object_set_member (object_body, "approved", json_node_copy (push->approval->value));
    set_field_time (times, "approved", push->approval->time);
    json_object_set_object_member (object_body, "field_times", times);
    body = json_node_new (JSON_NODE_OBJECT);
    json_node_set_object (body, object_body);
    echoes_rest_client_update_async (self->rest, push->table, filters, body,
                                     g_task_get_cancellable (task), approved_cb, task);
  }
}

static void
attach_video (GTask *task)
{
  EchoesSupabaseRemote *self = g_task_get_source_object (task);
  Push *push = g_task_get_task_data (task);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) args = NULL;

  if (!push->attach)
    {
      move_clip (task);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "p_clip_id");
  json_builder_add_string_value (builder, push->id);
  json_builder_end_object (builder);
  args = json_builder_get_root (builder);
  echoes_rest_client_rpc_async (self->rest, "attach_local_video", args,
                                g_task_get_cancellable (task), attached_cb, task);
}

/* When the server's value of @column was written: its field time, else the row's. */
static gint64
server_time_of (Push       *push,
                const char *column)
{
  gint64 time;

  if (parse_time (json_string_or_null (push->server_times, column), &time))
    return time;
  return push->server_usec;
}

/* Sends the fields written here after the server's value of each was (the server keeps
 * the later write per field as well: supabase/migrations/20251203000500_field_times.sql). */
static void
patch_row (GTask *task)
{
  EchoesSupabaseRemote *self = g_task_get_source_object (task);
  Push *push = g_task_get_task_data (task);
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonObject) times = json_object_new ();
  g_autofree char *id_filter = g_strdup_printf ("eq.%s", push->id);
  g_autofree char *unchanged = NULL;
  const char *filters[] = { "id", id_filter, NULL, NULL, NULL };

  for (guint i = 0; i < push->patch->len; i++)
    {
      PatchField *field = g_ptr_array_index (push->patch, i);

      /* An approval of a clip whose video is made here waits for the video (the server
       * approves only ready clips). */
      if (push->attach && g_str_equal (field->column, "approved"))
        {
          if (field->time > server_time_of (push, field->column))
            push->approval = g_ptr_array_steal_index (push->patch, i--);
          continue;
        }
      if (field->time > server_time_of (push, field->column))
        {
          json_object_set_member (object, field->column, json_node_copy (field->value));
          set_field_time (times, field->column, field->time);
        }
      else
        g_debug ("%s.%s of %s: the server's is newer", push->table, field->column, push->id);
    }

  if (json_object_get_size (object) == 0)
    {
      attach_video (task);
      return;
    }
  json_object_set_object_member (object, "field_times", g_steal_pointer (&times));

  if (push->server_usec > 0)
    {
      unchanged = time_filter (push->server_usec);
      filters[2] = "updated_at";
      filters[3] = unchanged;
    }
  json_node_set_object (body, object);
  echoes_rest_client_update_async (self->rest, push->table, filters, body,
                                   g_task_get_cancellable (task), patched_cb, task);
}

static void
inserted_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  Push *push = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = echoes_rest_client_insert_finish (ECHOES_REST_CLIENT (object), result, &error);
  if (error)
    {
      g_task_return_error (task, to_sync_error (g_steal_pointer (&error)));
      g_object_unref (task);
      return;
    }

  /* The insert placed it; the rest (approved) is a change of the new row. */
  push->order = -1;
  push->server_usec = 0;
  for (guint i = push->patch->len; i > 0; i--)
    {
      PatchField *field = g_ptr_array_index (push->patch, i - 1);

      if (json_object_has_member (push->insert, field->column))
        g_ptr_array_remove_index (push->patch, i - 1);
    }
  patch_row (task);
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GError *error = NULL;
  JsonNode *node = echoes_rest_client_delete_finish (ECHOES_REST_CLIENT (object), result, &error);

  return_rest_result (user_data, node, error);
}

static void
conditional_delete_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GError *error = NULL;
  JsonNode *node = echoes_rest_client_delete_finish (ECHOES_REST_CLIENT (object), result, &error);

  if (!error && changed_meanwhile (user_data, node))
    {
      json_node_unref (node);
      return;
    }
  return_rest_result (user_data, node, error);
}

static void
looked_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  EchoesSupabaseRemote *self = g_task_get_source_object (task);
  Push *push = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *id_filter = g_strdup_printf ("eq.%s", push->id);
  JsonArray *rows;

  if (!(node = echoes_rest_client_select_finish (ECHOES_REST_CLIENT (object), result, &error)))
    {
      g_task_return_error (task, to_sync_error (g_steal_pointer (&error)));
      g_object_unref (task);
      return;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_task_return_new_error (task, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_BAD_RESPONSE,
                               "The lookup of %s is not an array", push->id);
      g_object_unref (task);
      return;
    }
  rows = json_node_get_array (node);

  if (json_array_get_length (rows) == 0)
    {
      g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);

      if (push->trashed)
        {
          g_task_return_boolean (task, TRUE);
          g_object_unref (task);
          return;
        }
      /* A new row needs its identity: the engine then pushes every field. */
      if (push->is_clip && (!json_object_has_member (push->insert, "project_id") ||
                            !json_object_has_member (push->insert, "image_url")))
        {
          g_task_return_new_error (task, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NOT_FOUND,
                                   "%s is not on the server", push->id);
          g_object_unref (task);
          return;
        }
      if (push->is_clip && push->order >= 0)
        json_object_set_int_member (push->insert, "order", push->order);
      {
        JsonObject *times = json_object_new ();

        for (guint i = 0; i < push->patch->len; i++)
          {
            PatchField *field = g_ptr_array_index (push->patch, i);

            if (json_object_has_member (push->insert, field->column))
              set_field_time (times, field->column, field->time);
          }
        json_object_set_object_member (push->insert, "field_times", times);
      }
      push->attach = push->is_clip && push->local_ready && push->local_video != NULL;
      json_node_set_object (body, push->insert);
      echoes_rest_client_insert_async (self->rest, push->table, body,
                                       g_task_get_cancellable (task), inserted_cb, task);
      return;
    }

  {
    JsonNode *element = json_array_get_element (rows, 0);
    JsonObject *row = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
    const char *time = row && json_object_has_member (row, "updated_at") &&
                       JSON_NODE_HOLDS_VALUE (json_object_get_member (row, "updated_at")) ?
                       json_object_get_string_member (row, "updated_at") : NULL;

    if (!parse_time (time, &push->server_usec))
      {
        g_task_return_new_error (task, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_BAD_RESPONSE,
                                 "The row %s has no time", push->id);
        g_object_unref (task);
        return;
      }
    if (row && json_object_has_member (row, "field_times") &&
        JSON_NODE_HOLDS_OBJECT (json_object_get_member (row, "field_times")))
      push->server_times = json_object_ref (json_object_get_object_member (row, "field_times"));
    push->attach = push->is_clip && push->local_ready && push->local_video != NULL &&
                   !(g_strcmp0 (json_string_or_null (row, "status"), "ready") == 0 &&
                     g_strcmp0 (json_string_or_null (row, "video_url"), push->local_video) == 0);
  }

  if (push->trashed)
    {
      g_autofree char *unchanged = time_filter (push->server_usec);
      const char *filters[] = { "id", id_filter, "updated_at", unchanged, NULL };

      if (push->trashed_time <= push->server_usec)
        {
          g_debug ("%s changed on the server after it was deleted here: kept", push->id);
          g_task_return_boolean (task, TRUE);
          g_object_unref (task);
          return;
        }
      echoes_rest_client_delete_async (self->rest, push->table, filters,
                                       g_task_get_cancellable (task), conditional_delete_cb, task);
      return;
    }

  patch_row (task);
}

static void
lookup_row (GTask *task)
{
  EchoesSupabaseRemote *self = g_task_get_source_object (task);
  Push *push = g_task_get_task_data (task);
  g_autofree char *filter = g_strdup_printf ("eq.%s", push->id);
  const char *params[] = { "select", push->is_clip ? "id,updated_at,field_times,status,video_url" :
                                                   "id,updated_at,field_times",
                           "id", filter, NULL };

  push->lookups++;
  push->server_usec = 0;
  g_clear_pointer (&push->server_times, json_object_unref);
  /* an approval held back for a video to attach is decided again with the new look */
  if (push->approval != NULL)
    g_ptr_array_add (push->patch, g_steal_pointer (&push->approval));
  echoes_rest_client_select_async (self->rest, push->table, params,
                                   g_task_get_cancellable (task), looked_up_cb, task);
}

static JsonNode *
json_value (GVariant *value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  if (g_variant_is_of_type (value, G_VARIANT_TYPE ("ms")))
    {
      g_autoptr(GVariant) inner = g_variant_get_maybe (value);

      if (inner)
        json_node_set_string (node, g_variant_get_string (inner, NULL));
      else
        json_node_init_null (node);
    }
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    json_node_set_boolean (node, g_variant_get_boolean (value));
  else
    json_node_init_null (node);

  return node;
}

static void
add_patch (Push       *push,
           const char *column,
           GVariant   *value,
           gint64      time)
{
  PatchField *field = g_new0 (PatchField, 1);

  field->column = g_strdup (column);
  field->value = json_value (value);
  field->time = time;
  g_ptr_array_add (push->patch, field);
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
  g_autoptr(GVariant) sunk = g_variant_ref_sink (fields);
  Push *push;
  GVariantIter iter;
  const char *name;
  GVariant *value;
  gint64 time;

  g_task_set_source_tag (task, push_row_async);
  push = g_new0 (Push, 1);
  push->table = g_strdup (table);
  push->id = g_strdup (id);
  push->is_clip = g_str_equal (table, "clips");
  push->insert = json_object_new ();
  push->patch = g_ptr_array_new_with_free_func ((GDestroyNotify)patch_field_free);
  push->order = -1;
  g_task_set_task_data (task, push, (GDestroyNotify)push_free);

  json_object_set_string_member (push->insert, "id", id);

  /* Only the columns users may write (supabase/migrations/20250601000200_security.sql):
   * insert (projects: title, status; clips: project_id, image_url, prompt, order),
   * update (projects: title, status; clips: approved, prompt). */
  g_variant_iter_init (&iter, sunk);
  while (g_variant_iter_loop (&iter, "{&s(vx)}", &name, &value, &time))
    {
      if (g_str_equal (name, "trashed") && g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
        {
          push->trashed = g_variant_get_boolean (value);
          push->trashed_time = time;
        }
      else if (!push->is_clip && (g_str_equal (name, "title") || g_str_equal (name, "status")))
        {
          json_object_set_member (push->insert, name, json_value (value));
          add_patch (push, name, value, time);
        }
      else if (push->is_clip && g_str_equal (name, "project_id"))
        json_object_set_member (push->insert, "project_id", json_value (value));
      else if (push->is_clip && g_str_equal (name, "image"))
        json_object_set_member (push->insert, "image_url", json_value (value));
      else if (push->is_clip && g_str_equal (name, "prompt"))
        {
          json_object_set_member (push->insert, "prompt", json_value (value));
          add_patch (push, "prompt", value, time);
        }
      else if (push->is_clip && g_str_equal (name, "approved"))
        add_patch (push, "approved", value, time);
      else if (push->is_clip && g_str_equal (name, "status") &&
               g_variant_is_of_type (value, G_VARIANT_TYPE ("ms")))
        {
          g_autoptr(GVariant) inner = g_variant_get_maybe (value);

          push->local_ready = inner && g_str_equal (g_variant_get_string (inner, NULL), "ready");
        }
      else if (push->is_clip && g_str_equal (name, "video") &&
               g_variant_is_of_type (value, G_VARIANT_TYPE ("ms")))
        {
          g_autoptr(GVariant) inner = g_variant_get_maybe (value);

          g_clear_pointer (&push->local_video, g_free);
          push->local_video = inner ? g_variant_dup_string (inner, NULL) : NULL;
        }
      else if (push->is_clip && g_str_equal (name, "order") &&
               g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
        {
          push->order = g_variant_get_int32 (value);
          push->order_time = time;
        }
    }

  lookup_row (g_steal_pointer (&task));
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
  echoes_rest_client_delete_async (self->rest, table, filters, cancellable, deleted_cb,
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
    g_task_return_error (task, to_sync_error (g_steal_pointer (&error)));
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
  iface->push_row_async = push_row_async;
  iface->push_row_finish = boolean_finish;
  iface->delete_row_async = delete_row_async;
  iface->delete_row_finish = boolean_finish;
  iface->upload_async = upload_async;
  iface->upload_finish = boolean_finish;
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
