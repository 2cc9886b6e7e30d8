/* echoes-test-remote.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-test-remote"

#include "config.h"

#include "echoes-test-remote.h"

#include <string.h>

#include "echoes-cloud-error.h"
#include "echoes-store.h"

typedef struct
{
  GVariant *value;
  gint64    time;
} FakeField;

typedef struct
{
  gint64      changed_at;
  gboolean    deleted;
  GHashTable *fields;  /* name -> FakeField */
} FakeRow;

static void
fake_field_free (FakeField *field)
{
  g_variant_unref (field->value);
  g_free (field);
}

static void
fake_row_free (FakeRow *row)
{
  g_hash_table_unref (row->fields);
  g_free (row);
}

static void echoes_test_remote_iface_init (EchoesSyncRemoteInterface *iface);

typedef struct
{
  GTask  *task;
  char   *key;
  GBytes *bytes;
} HeldUpload;

static void
held_upload_free (HeldUpload *held)
{
  g_clear_object (&held->task);
  g_free (held->key);
  g_bytes_unref (held->bytes);
  g_free (held);
}

G_DEFINE_FINAL_TYPE_WITH_CODE (EchoesTestRemote, echoes_test_remote, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ECHOES_TYPE_SYNC_REMOTE,
                                                      echoes_test_remote_iface_init))

static gint64
tick (EchoesTestRemote *self)
{
  self->clock = MAX (self->clock + 1, g_get_real_time ());
  return self->clock;
}

static GHashTable *
get_table (EchoesTestRemote *self,
           const char       *table)
{
  GHashTable *rows = g_hash_table_lookup (self->tables, table);

  if (rows == NULL)
    {
      rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)fake_row_free);
      g_hash_table_insert (self->tables, g_strdup (table), rows);
    }
  return rows;
}

static const char *
remote_get_user_id (EchoesSyncRemote *remote)
{
  return ECHOES_TEST_REMOTE (remote)->user_id;
}

static GVariant *
row_to_variant (const char *id,
                FakeRow    *row)
{
  GVariantBuilder builder;
  GHashTableIter iter;
  gpointer name, value;

  g_variant_builder_init (&builder, G_VARIANT_TYPE (ECHOES_STORE_SYNC_FIELDS_TYPE));
  g_hash_table_iter_init (&iter, row->fields);
  while (g_hash_table_iter_next (&iter, &name, &value))
    {
      FakeField *field = value;
      g_variant_builder_add (&builder, "{s(vx)}", name, field->value, field->time);
    }

  return g_variant_ref_sink (g_variant_new ("(sxb@" ECHOES_STORE_SYNC_FIELDS_TYPE ")", id,
                                            row->changed_at, row->deleted,
                                            g_variant_builder_end (&builder)));
}

static void
remote_list_changes_async (EchoesSyncRemote    *remote,
                           const char          *table,
                           gint64               since,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  EchoesTestRemote *self = ECHOES_TEST_REMOTE (remote);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
  GHashTableIter iter;
  gpointer id, value;

  g_hash_table_iter_init (&iter, get_table (self, table));
  while (g_hash_table_iter_next (&iter, &id, &value))
    if (((FakeRow *)value)->changed_at > since)
      g_ptr_array_add (rows, row_to_variant (id, value));

  g_task_return_pointer (task, rows, (GDestroyNotify)g_ptr_array_unref);
}

static GPtrArray *
remote_list_changes_finish (EchoesSyncRemote  *remote,
                            GAsyncResult      *result,
                            GError           **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* One row's push: %NULL if it went, else why not. */
static GError *
apply_push (EchoesTestRemote *self,
            const char       *table,
            const char       *id,
            GVariant         *fields)
{
  g_autoptr(GVariant) sunk = g_variant_ref_sink (fields);
  GHashTable *rows = get_table (self, table);
  FakeRow *row;
  GVariantIter iter;
  const char *name;
  GVariant *value;
  gint64 time;

  if (self->fail_pushes > 0 || g_strcmp0 (self->refuse_id, id) == 0)
    {
      if (self->fail_pushes > 0)
        self->fail_pushes--;
      return g_error_new (ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NETWORK,
                          "Connection refused (test)");
    }

  /* Like a server without tombstones: a row deleted there (or never sent) cannot be
   * brought back by a push of a few fields. */
  row = g_hash_table_lookup (rows, id);
  if ((row == NULL || row->deleted) && !g_variant_lookup (sunk, "created_at", "(vx)", NULL, NULL))
    {
      return g_error_new (ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NOT_FOUND,
                          "No row %s (test)", id);
    }

  if (row == NULL)
    {
      row = g_new0 (FakeRow, 1);
      row->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify)fake_field_free);
      g_hash_table_insert (rows, g_strdup (id), row);
    }

  /* per field, the later write wins */
  g_variant_iter_init (&iter, sunk);
  while (g_variant_iter_loop (&iter, "{&s(vx)}", &name, &value, &time))
    {
      FakeField *field = g_hash_table_lookup (row->fields, name);

      if (field && field->time >= time)
        continue;
      field = g_new0 (FakeField, 1);
      field->value = g_variant_ref (value);
      field->time = time;
      g_hash_table_insert (row->fields, g_strdup (name), field);
    }
  row->deleted = FALSE;
  row->changed_at = tick (self);
  self->n_pushes++;
  g_hash_table_insert (self->push_counts, g_strdup (id),
                       GUINT_TO_POINTER (echoes_test_remote_count_pushes (self, id) + 1));

  if (self->fail_after_apply)
    {
      self->fail_after_apply = FALSE;
      return g_error_new (ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NETWORK,
                          "Connection reset after the request (test)");
    }

  return NULL;
}

static void
remote_push_row_async (EchoesSyncRemote    *remote,
                       const char          *table,
                       const char          *id,
                       GVariant            *fields,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  EchoesTestRemote *self = ECHOES_TEST_REMOTE (remote);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error;

  self->n_row_requests++;
  if ((error = apply_push (self, table, id, fields)))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Like a bulk request: one request, each row applied (or refused) on its own. */
static void
remote_push_rows_async (EchoesSyncRemote    *remote,
                        const char          *table,
                        GPtrArray           *rows,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  EchoesTestRemote *self = ECHOES_TEST_REMOTE (remote);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GPtrArray *errors = echoes_sync_row_errors_new (rows->len);

  self->n_row_requests++;
  for (guint i = 0; i < rows->len; i++)
    {
      g_autoptr(GVariant) fields = NULL;
      const char *id;

      g_variant_get (g_ptr_array_index (rows, i), "(&s@a{s(vx)})", &id, &fields);
      g_ptr_array_index (errors, i) = apply_push (self, table, id, fields);
    }
  g_task_return_pointer (task, errors, (GDestroyNotify)g_ptr_array_unref);
}

static GPtrArray *
remote_push_rows_finish (EchoesSyncRemote  *remote,
                         GAsyncResult      *result,
                         GError           **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
remote_boolean_finish (EchoesSyncRemote  *remote,
                       GAsyncResult      *result,
                       GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
remote_delete_row_async (EchoesSyncRemote    *remote,
                         const char          *table,
                         const char          *id,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  EchoesTestRemote *self = ECHOES_TEST_REMOTE (remote);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  FakeRow *row = g_hash_table_lookup (get_table (self, table), id);

  if (row)
    {
      row->deleted = TRUE;
      row->changed_at = tick (self);
    }
  g_task_return_boolean (task, TRUE);
}

static void
remote_upload_async (EchoesSyncRemote         *remote,
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
  EchoesTestRemote *self = ECHOES_TEST_REMOTE (remote);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *url = NULL;
  gsize length = 0;
  GByteArray *partial;
  gsize end;

  /* reading a small test file synchronously is fine in a fake */
  if (!g_file_load_contents (file, NULL, &contents, &length, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->n_upload_attempts++;
  if (self->uploads_overloaded)
    {
      g_task_return_new_error (task, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_SERVER,
                               "Service unavailable (test)");
      return;
    }
  if (self->refuse_upload_id && strstr (object_path, self->refuse_upload_id))
    {
      g_task_return_new_error (task, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_FAILED,
                               "Upload refused (test)");
      return;
    }

  if (!resumable && self->hold_uploads)
    {
      HeldUpload *held = g_new0 (HeldUpload, 1);

      held->task = g_steal_pointer (&task);
      held->key = g_strdup_printf ("%s/%s", bucket, object_path);
      held->bytes = g_bytes_new (contents, length);
      g_ptr_array_add (self->held, held);
      self->max_held = MAX (self->max_held, self->held->len);
      return;
    }

  if (!resumable)
    {
      g_hash_table_insert (self->objects, g_strdup_printf ("%s/%s", bucket, object_path),
                           g_bytes_new (contents, length));
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (resume_url)
    {
      if (!(partial = g_hash_table_lookup (self->uploads, resume_url)))
        {
          g_task_return_new_error (task, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_UPLOAD_EXPIRED,
                                   "No such upload (test)");
          return;
        }
      if ((gint64)partial->len != resume_offset)
        {
          g_task_return_new_error (task, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_FAILED,
                                   "Offset %" G_GINT64_FORMAT " but the server has %u (test)",
                                   resume_offset, partial->len);
          return;
        }
      self->n_resumes++;
      self->last_resume_offset = resume_offset;
      url = g_strdup (resume_url);
    }
  else
    {
      url = g_strdup_printf ("http://127.0.0.1/upload/resumable/%u", ++self->next_upload);
      partial = g_byte_array_new ();
      g_hash_table_insert (self->uploads, g_strdup (url), partial);
      progress (url, 0, length, progress_data);
    }

  end = length;
  if (self->cut_upload_at > 0 && (gsize)self->cut_upload_at < length)
    end = self->cut_upload_at;
  if (end > partial->len)
    g_byte_array_append (partial, (const guint8 *)contents + partial->len, end - partial->len);
  progress (url, partial->len, length, progress_data);

  if (end < length)
    {
      self->cut_upload_at = 0;
      g_task_return_new_error (task, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NETWORK,
                               "Connection dropped mid-upload (test)");
      return;
    }

  g_hash_table_insert (self->objects, g_strdup_printf ("%s/%s", bucket, object_path),
                       g_bytes_new (partial->data, partial->len));
  g_hash_table_remove (self->uploads, url);
  g_task_return_boolean (task, TRUE);
}

static void
remote_download_async (EchoesSyncRemote    *remote,
                       const char          *bucket,
                       const char          *object_path,
                       GFile               *destination,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  EchoesTestRemote *self = ECHOES_TEST_REMOTE (remote);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  GBytes *bytes = echoes_test_remote_get_object (self, bucket, object_path);
  gsize size;
  gsize written;

  if (bytes == NULL)
    {
      g_task_return_new_error (task, ECHOES_SYNC_ERROR, ECHOES_SYNC_ERROR_NOT_FOUND,
                               "No object %s/%s (test)", bucket, object_path);
      return;
    }

  size = g_bytes_get_size (bytes);
  written = self->truncate_downloads ? size / 2 : size;
  if (!g_file_replace_contents (destination, g_bytes_get_data (bytes, NULL), written, NULL, FALSE,
                                G_FILE_CREATE_NONE, NULL, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_object_set_data (G_OBJECT (task), "expected", GSIZE_TO_POINTER (size));
  g_task_return_int (task, written);
}

static gint64
remote_download_finish (EchoesSyncRemote  *remote,
                        GAsyncResult      *result,
                        gint64            *expected_size,
                        GError           **error)
{
  if (expected_size)
    *expected_size = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (result), "expected"));
  return g_task_propagate_int (G_TASK (result), error);
}

static void
echoes_test_remote_iface_init (EchoesSyncRemoteInterface *iface)
{
  iface->get_user_id = remote_get_user_id;
  iface->list_changes_async = remote_list_changes_async;
  iface->list_changes_finish = remote_list_changes_finish;
  iface->push_row_async = remote_push_row_async;
  iface->push_row_finish = remote_boolean_finish;
  iface->push_rows_async = remote_push_rows_async;
  iface->push_rows_finish = remote_push_rows_finish;
  iface->delete_row_async = remote_delete_row_async;
  iface->delete_row_finish = remote_boolean_finish;
  iface->upload_async = remote_upload_async;
  iface->upload_finish = remote_boolean_finish;
  iface->download_async = remote_download_async;
  iface->download_finish = remote_download_finish;
}

static void
echoes_test_remote_finalize (GObject *object)
{
  EchoesTestRemote *self = (EchoesTestRemote *)object;

  g_free (self->user_id);
  g_free (self->refuse_id);
  g_free (self->refuse_upload_id);
  g_ptr_array_unref (self->held);
  g_hash_table_unref (self->tables);
  g_hash_table_unref (self->objects);
  g_hash_table_unref (self->uploads);
  g_hash_table_unref (self->push_counts);

  G_OBJECT_CLASS (echoes_test_remote_parent_class)->finalize (object);
}

static void
echoes_test_remote_class_init (EchoesTestRemoteClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = echoes_test_remote_finalize;
}

static void
echoes_test_remote_init (EchoesTestRemote *self)
{
  self->tables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify)g_hash_table_unref);
  self->objects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)g_bytes_unref);
  self->uploads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)g_byte_array_unref);
  self->push_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->held = g_ptr_array_new_with_free_func ((GDestroyNotify)held_upload_free);
}

EchoesTestRemote *
echoes_test_remote_new (const char *user_id)
{
  EchoesTestRemote *self = g_object_new (ECHOES_TYPE_TEST_REMOTE, NULL);

  self->user_id = g_strdup (user_id);
  return self;
}

guint
echoes_test_remote_count_pushes (EchoesTestRemote *self,
                                 const char       *id)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->push_counts, id));
}

/* Returns: (transfer full) (nullable): the field's value on the server */
GVariant *
echoes_test_remote_dup_field (EchoesTestRemote *self,
                              const char       *table,
                              const char       *id,
                              const char       *field)
{
  FakeRow *row = g_hash_table_lookup (get_table (self, table), id);
  FakeField *value;

  if (row == NULL || !(value = g_hash_table_lookup (row->fields, field)))
    return NULL;
  return g_variant_ref (value->value);
}

guint
echoes_test_remote_count_rows (EchoesTestRemote *self,
                               const char       *table)
{
  return g_hash_table_size (get_table (self, table));
}

GBytes *
echoes_test_remote_get_object (EchoesTestRemote *self,
                               const char       *bucket,
                               const char       *path)
{
  g_autofree char *key = g_strdup_printf ("%s/%s", bucket, path);

  return g_hash_table_lookup (self->objects, key);
}

/* Deletes a row for good, as another client would. */
void
echoes_test_remote_delete (EchoesTestRemote *self,
                           const char       *table,
                           const char       *id)
{
  FakeRow *row = g_hash_table_lookup (get_table (self, table), id);

  g_assert (row != NULL);
  row->deleted = TRUE;
  row->changed_at = tick (self);
}

gboolean
echoes_test_remote_is_deleted (EchoesTestRemote *self,
                               const char       *table,
                               const char       *id)
{
  FakeRow *row = g_hash_table_lookup (get_table (self, table), id);

  return row != NULL && row->deleted;
}

/* Ends the held uploads: stored, unless their caller cancelled meanwhile. */
void
echoes_test_remote_release_uploads (EchoesTestRemote *self)
{
  g_autoptr(GPtrArray) held = g_steal_pointer (&self->held);

  self->held = g_ptr_array_new_with_free_func ((GDestroyNotify)held_upload_free);
  for (guint i = 0; i < held->len; i++)
    {
      HeldUpload *upload = g_ptr_array_index (held, i);

      if (!g_cancellable_is_cancelled (g_task_get_cancellable (upload->task)))
        g_hash_table_insert (self->objects, g_strdup (upload->key), g_bytes_ref (upload->bytes));
      /* a cancelled task returns G_IO_ERROR_CANCELLED by itself */
      g_task_return_boolean (upload->task, TRUE);
    }
}
