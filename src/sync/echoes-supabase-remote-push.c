/* echoes-supabase-remote-push.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-supabase-remote"

#include "config.h"

#include "echoes-supabase-remote-private.h"

#include "echoes-cloud-error.h"

/* The rows half of #EchoesSupabaseRemote (see echoes-supabase-remote.c): pushes of one
 * row or of many, and deletes. */

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
  gint64      edited_since; /* see _echoes_supabase_edited_since() */
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

/* Ends @task (the push of a row) with @error (owned), as a sync error. */
static void
push_fail (GTask  *task,
           GError *error)
{
  g_task_return_error (task, _echoes_supabase_to_sync_error (error));
  g_object_unref (task);
}

static void
return_rest_result (GTask    *task,
                    JsonNode *node,
                    GError   *error)
{
  if (error)
    g_task_return_error (task, _echoes_supabase_to_sync_error (error));
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
  g_autofree char *time = _echoes_supabase_format_time (usec);

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
  g_autofree char *time = NULL;

  /* The server compares the move's time with the clip's last move (per field, not per
   * row: see supabase/migrations/20251203000700_order_field_time.sql). */
  if (!push->is_clip || push->order < 0)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  time = _echoes_supabase_format_time (push->order_time);
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "p_clip_id");
  json_builder_add_string_value (builder, push->id);
  json_builder_set_member_name (builder, "p_new_index");
  json_builder_add_int_value (builder, push->order);
  json_builder_set_member_name (builder, "p_time");
  json_builder_add_string_value (builder, time);
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
      push_fail (task, g_steal_pointer (&error));
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
      push_fail (task, g_steal_pointer (&error));
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
      push_fail (task, g_steal_pointer (&error));
      return;
    }
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING ||
      !_echoes_supabase_parse_time (json_node_get_string (node), &attached_usec))
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
    _echoes_supabase_set_field_time (times, "approved", push->approval->time);
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

  if (_echoes_supabase_parse_time (_echoes_supabase_json_string_or_null (push->server_times, column), &time))
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
          _echoes_supabase_set_field_time (times, field->column, field->time);
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

static void after_insert (GTask *task);

static void
inserted_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = echoes_rest_client_insert_finish (ECHOES_REST_CLIENT (object), result, &error);
  if (error)
    {
      push_fail (task, g_steal_pointer (&error));
      return;
    }

  after_insert (task);
}

/* The insert placed it; the rest (approved) is a change of the new row. */
static void
after_insert (GTask *task)
{
  Push *push = g_task_get_task_data (task);

  push->order = -1;
  push->server_usec = 0;
  for (guint i = push->patch->len; i > 0; i--)
    {
      PatchField *field = g_ptr_array_index (push->patch, i - 1);

      if (json_object_has_member (push->insert, field->column) ||
          json_object_has_member (json_object_get_object_member (push->insert, "field_times"),
                                  field->column))
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

/* What the server's row (or its absence, @row %NULL) means for the push of @task:
 * %TRUE if the row is to be inserted (push->insert is then complete), else the push went
 * on (or ended) by itself. */
static gboolean
decide (GTask      *task,
        JsonObject *row)
{
  EchoesSupabaseRemote *self = g_task_get_source_object (task);
  Push *push = g_task_get_task_data (task);
  g_autofree char *id_filter = g_strdup_printf ("eq.%s", push->id);

  if (row == NULL)
    {
      JsonObject *times;

      if (push->trashed)
        {
          g_task_return_boolean (task, TRUE);
          g_object_unref (task);
          return FALSE;
        }
      /* A new row needs its identity: the engine then pushes every field. */
      if (push->is_clip && (!json_object_has_member (push->insert, "project_id") ||
                            !json_object_has_member (push->insert, "image_url")))
        {
          g_task_return_new_error (task, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NOT_FOUND,
                                   "%s is not on the server", push->id);
          g_object_unref (task);
          return FALSE;
        }
      if (push->is_clip && push->order >= 0)
        json_object_set_int_member (push->insert, "order", push->order);
      times = json_object_new ();
      if (push->is_clip && push->order >= 0)
        _echoes_supabase_set_field_time (times, "order", push->order_time);
      for (guint i = 0; i < push->patch->len; i++)
        {
          PatchField *field = g_ptr_array_index (push->patch, i);

          if (json_object_has_member (push->insert, field->column))
            _echoes_supabase_set_field_time (times, field->column, field->time);
          /* Users may not insert `approved`, but a new row has it false already: its time
           * goes with the insert, which leaves the row as the update of it after the
           * insert would (no trigger merges times on insert), one request fewer. */
          else if (push->is_clip && g_str_equal (field->column, "approved") &&
                   JSON_NODE_HOLDS_VALUE (field->value) &&
                   json_node_get_value_type (field->value) == G_TYPE_BOOLEAN &&
                   !json_node_get_boolean (field->value))
            _echoes_supabase_set_field_time (times, field->column, field->time);
        }
      json_object_set_object_member (push->insert, "field_times", times);
      push->attach = push->is_clip && push->local_ready && push->local_video != NULL;
      return TRUE;
    }

  {
    const char *time = json_object_has_member (row, "updated_at") &&
                       JSON_NODE_HOLDS_VALUE (json_object_get_member (row, "updated_at")) ?
                       json_object_get_string_member (row, "updated_at") : NULL;

    if (!_echoes_supabase_parse_time (time, &push->server_usec))
      {
        g_task_return_new_error (task, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_BAD_RESPONSE,
                                 "The row %s has no time", push->id);
        g_object_unref (task);
        return FALSE;
      }
    push->edited_since = _echoes_supabase_edited_since (row);
    if (push->edited_since < 0)
      push->edited_since = push->server_usec;
    if (json_object_has_member (row, "field_times") &&
        JSON_NODE_HOLDS_OBJECT (json_object_get_member (row, "field_times")))
      push->server_times = json_object_ref (json_object_get_object_member (row, "field_times"));
    push->attach = push->is_clip && push->local_ready && push->local_video != NULL &&
                   !(g_strcmp0 (_echoes_supabase_json_string_or_null (row, "status"), "ready") == 0 &&
                     g_strcmp0 (_echoes_supabase_json_string_or_null (row, "video_url"), push->local_video) == 0);
  }

  if (push->trashed)
    {
      g_autofree char *unchanged = time_filter (push->server_usec);
      const char *filters[] = { "id", id_filter, "updated_at", unchanged, NULL };

      if (push->trashed_time <= push->edited_since)
        {
          g_debug ("%s was edited elsewhere after it was deleted here: kept", push->id);
          g_task_return_boolean (task, TRUE);
          g_object_unref (task);
          return FALSE;
        }
      echoes_rest_client_delete_async (self->rest, push->table, filters,
                                       g_task_get_cancellable (task), conditional_delete_cb, task);
      return FALSE;
    }

  patch_row (task);
  return FALSE;
}

static void
insert_row (GTask *task)
{
  EchoesSupabaseRemote *self = g_task_get_source_object (task);
  Push *push = g_task_get_task_data (task);
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (body, push->insert);
  echoes_rest_client_insert_async (self->rest, push->table, body,
                                   g_task_get_cancellable (task), inserted_cb, task);
}

static void
looked_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Push *push = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *rows;
  JsonNode *element;

  if (!(node = echoes_rest_client_select_finish (ECHOES_REST_CLIENT (object), result, &error)))
    {
      push_fail (task, g_steal_pointer (&error));
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
  element = json_array_get_length (rows) > 0 ? json_array_get_element (rows, 0) : NULL;
  if (element != NULL && !JSON_NODE_HOLDS_OBJECT (element))
    {
      g_task_return_new_error (task, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_BAD_RESPONSE,
                               "The row %s has no time", push->id);
      g_object_unref (task);
      return;
    }

  if (decide (task, element ? json_node_get_object (element) : NULL))
    insert_row (task);
}

static const char *
lookup_columns (gboolean is_clip)
{
  return is_clip ? "id,created_at,updated_at,field_times,status,video_url" :
                   "id,created_at,updated_at,field_times";
}

static void
lookup_row (GTask *task)
{
  EchoesSupabaseRemote *self = g_task_get_source_object (task);
  Push *push = g_task_get_task_data (task);
  g_autofree char *filter = g_strdup_printf ("eq.%s", push->id);
  const char *params[] = { "select", lookup_columns (push->is_clip), "id", filter, NULL };

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

/* A task pushing one row, with its Push ready; nothing is sent yet. */
static GTask *
push_task_new (EchoesSupabaseRemote *self,
               const char           *table,
               const char           *id,
               GVariant             *fields,
               GCancellable         *cancellable,
               GAsyncReadyCallback   callback,
               gpointer              user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GVariant) sunk = g_variant_ref_sink (fields);
  Push *push;
  GVariantIter iter;
  const char *name;
  GVariant *value;
  gint64 time;

  g_task_set_source_tag (task, push_task_new);
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

  return g_steal_pointer (&task);
}

void
_echoes_supabase_remote_push_row_async (EchoesSyncRemote    *remote,
                                        const char          *table,
                                        const char          *id,
                                        GVariant            *fields,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  lookup_row (push_task_new (ECHOES_SUPABASE_REMOTE (remote), table, id, fields, cancellable,
                             callback, user_data));
}

/* ---- many rows at once ----
 *
 * One lookup for the whole batch (`id=in.(…)`), then one insert per set of new rows
 * with the same columns (PostgREST takes the columns of a bulk insert from its rows, so
 * rows are grouped rather than given columns they did not have), and for each row what
 * a push of it alone does next: a conditional update, a delete, attaching a video, a
 * move. Each row's fields and their times go as they would alone, so the server keeps
 * the same values (supabase/migrations/20251203000500_field_times.sql). If a bulk insert
 * fails, its rows are inserted one by one, so that one bad row fails alone. */

typedef struct
{
  GPtrArray *tasks;     /* (owned) GTask per row, until it is under way */
  GPtrArray *errors;    /* (owned) GError or NULL per row */
  guint      n_pending;
} Rows;

typedef struct
{
  GTask *batch;         /* (unowned) the push_rows task */
  guint  index;
} RowRef;

static void
object_unref0 (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

static void
rows_free (Rows *rows)
{
  g_ptr_array_unref (rows->tasks);
  g_ptr_array_unref (rows->errors);
  g_free (rows);
}

static void
row_done (GTask *batch)
{
  Rows *rows = g_task_get_task_data (batch);

  g_assert (rows->n_pending > 0);
  if (--rows->n_pending > 0)
    return;

  g_task_return_pointer (batch, g_ptr_array_ref (rows->errors), (GDestroyNotify)g_ptr_array_unref);
  g_object_unref (batch);
}

static void
row_pushed_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  RowRef *ref = user_data;
  Rows *rows = g_task_get_task_data (ref->batch);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_ptr_array_index (rows->errors, ref->index) = error;
  row_done (ref->batch);
  g_free (ref);
}

typedef struct
{
  GTask     *batch;     /* (owned) */
  GPtrArray *tasks;     /* (owned) the row tasks inserted together */
} Insert;

static void
insert_free (Insert *insert)
{
  g_object_unref (insert->batch);
  g_ptr_array_unref (insert->tasks);
  g_free (insert);
}

static void
bulk_inserted_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Insert *insert = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = echoes_rest_client_insert_finish (ECHOES_REST_CLIENT (object), result, &error);
  for (guint i = 0; i < insert->tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (insert->tasks, i);

      if (error == NULL)
        after_insert (g_object_ref (task));
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_error_copy (error));
      else
        insert_row (g_object_ref (task));
    }
  if (error && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("A bulk insert of %u rows failed (%s): one by one", insert->tasks->len,
             error->message);
  insert_free (insert);
}

static void
rows_looked_up_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) batch = user_data;
  EchoesSupabaseRemote *self = g_task_get_source_object (batch);
  Rows *rows = g_task_get_task_data (batch);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GHashTable) found = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) groups = NULL;
  GHashTableIter iter;
  gpointer value;

  node = echoes_rest_client_select_finish (ECHOES_REST_CLIENT (object), result, &error);
  if (node != NULL && !JSON_NODE_HOLDS_ARRAY (node))
    g_set_error (&error, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_BAD_RESPONSE,
                 "The lookup of %u rows is not an array", rows->tasks->len);
  if (error)
    {
      GError *sync_error = _echoes_supabase_to_sync_error (g_steal_pointer (&error));

      for (guint i = 0; i < rows->tasks->len; i++)
        {
          GTask *task = g_steal_pointer (&g_ptr_array_index (rows->tasks, i));

          g_task_return_error (task, g_error_copy (sync_error));
          g_object_unref (task);
        }
      g_error_free (sync_error);
      return;
    }

  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (node), i);
      JsonObject *row = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *id = _echoes_supabase_json_string_or_null (row, "id");

      if (id != NULL)
        g_hash_table_insert (found, (gpointer)id, row);
    }

  /* new rows, by their columns */
  groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                  (GDestroyNotify)g_ptr_array_unref);
  for (guint i = 0; i < rows->tasks->len; i++)
    {
      GTask *task = g_steal_pointer (&g_ptr_array_index (rows->tasks, i));
      Push *push = g_task_get_task_data (task);
      g_autoptr(GList) members = NULL;
      g_autoptr(GString) key = g_string_new (NULL);
      GPtrArray *group;

      push->lookups++;
      if (!decide (task, g_hash_table_lookup (found, push->id)))
        continue;

      members = g_list_sort (json_object_get_members (push->insert), (GCompareFunc)g_strcmp0);
      for (GList *l = members; l; l = l->next)
        g_string_append_printf (key, "%s,", (const char *)l->data);
      if (!(group = g_hash_table_lookup (groups, key->str)))
        {
          group = g_ptr_array_new_with_free_func (g_object_unref);
          g_hash_table_insert (groups, g_strdup (key->str), group);
        }
      g_ptr_array_add (group, task);
    }

  g_hash_table_iter_init (&iter, groups);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GPtrArray *group = value;
      g_autoptr(JsonArray) array = json_array_new ();
      g_autoptr(JsonNode) body = json_node_new (JSON_NODE_ARRAY);
      Insert *insert;

      if (group->len == 1)
        {
          insert_row (g_object_ref (g_ptr_array_index (group, 0)));
          continue;
        }

      for (guint i = 0; i < group->len; i++)
        {
          Push *push = g_task_get_task_data (g_ptr_array_index (group, i));

          json_array_add_object_element (array, json_object_ref (push->insert));
        }
      json_node_set_array (body, array);
      insert = g_new0 (Insert, 1);
      insert->batch = g_object_ref (batch);
      insert->tasks = g_ptr_array_ref (group);
      echoes_rest_client_insert_async (self->rest, ((Push *)g_task_get_task_data (
                                                      g_ptr_array_index (group, 0)))->table,
                                       body, g_task_get_cancellable (batch), bulk_inserted_cb,
                                       insert);
    }
}

void
_echoes_supabase_remote_push_rows_async (EchoesSyncRemote    *remote,
                                         const char          *table,
                                         GPtrArray           *rows_in,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  EchoesSupabaseRemote *self = ECHOES_SUPABASE_REMOTE (remote);
  GTask *batch = g_task_new (self, cancellable, callback, user_data);
  Rows *rows = g_new0 (Rows, 1);
  g_autoptr(GString) filter = g_string_new ("in.(");

  g_task_set_source_tag (batch, _echoes_supabase_remote_push_rows_async);
  rows->tasks = g_ptr_array_new_with_free_func (object_unref0);
  rows->errors = echoes_sync_row_errors_new (rows_in->len);
  rows->n_pending = rows_in->len;
  g_task_set_task_data (batch, rows, (GDestroyNotify)rows_free);

  if (rows_in->len == 0)
    {
      g_task_return_pointer (batch, g_ptr_array_ref (rows->errors),
                             (GDestroyNotify)g_ptr_array_unref);
      g_object_unref (batch);
      return;
    }

  for (guint i = 0; i < rows_in->len; i++)
    {
      RowRef *ref = g_new0 (RowRef, 1);
      g_autoptr(GVariant) fields = NULL;
      const char *id;

      ref->batch = batch;
      ref->index = i;
      g_variant_get (g_ptr_array_index (rows_in, i), "(&s@a{s(vx)})", &id, &fields);
      g_ptr_array_add (rows->tasks, push_task_new (self, table, id, fields, cancellable,
                                                   row_pushed_cb, ref));
      g_string_append_printf (filter, "%s%s", i > 0 ? "," : "", id);
    }
  g_string_append_c (filter, ')');

  {
    const char *params[] = { "select", lookup_columns (g_str_equal (table, "clips")),
                             "id", filter->str, NULL };

    /* the batch task is held by its rows until the last one is done */
    echoes_rest_client_select_async (self->rest, table, params, cancellable,
                                     rows_looked_up_cb, g_object_ref (batch));
  }
}

GPtrArray *
_echoes_supabase_remote_push_rows_finish (EchoesSyncRemote  *remote,
                                          GAsyncResult      *result,
                                          GError           **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
_echoes_supabase_remote_boolean_finish (EchoesSyncRemote  *remote,
                                        GAsyncResult      *result,
                                        GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
_echoes_supabase_remote_delete_row_async (EchoesSyncRemote    *remote,
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

  g_task_set_source_tag (task, _echoes_supabase_remote_delete_row_async);
  echoes_rest_client_delete_async (self->rest, table, filters, cancellable, deleted_cb,
                                   g_steal_pointer (&task));
}
