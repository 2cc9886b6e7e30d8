/* echoes-library.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-library"

#include "config.h"

#include "echoes-library.h"
#include "echoes-store-private.h"

/**
 * EchoesLibrary:
 *
 * The live models the UI binds to, over the store.
 *
 * Every change goes to the store first, on the store's worker thread; the same job
 * then re-reads the affected rows, and back on the main thread the #GListStores are
 * reconciled with them: existing objects are updated in place (so bindings keep
 * working) and only the changed range is spliced. The models therefore always show
 * what the database holds, whatever wrote it (the UI, the importer, a generation job).
 *
 * Operations without a callback report failures through #EchoesLibrary::error.
 *
 * Writes that do not go through the library (another process such as echoes-cli, a
 * second instance, a sync, a worker) are noticed by polling the store's change stamp
 * (SQLite's `PRAGMA data_version` plus this connection's changes) on the store's worker
 * thread every half second: when it moved for another reason than the library's own
 * operations, every loaded model is re-read and reconciled.
 */
struct _EchoesLibrary
{
  GObject      parent_instance;

  EchoesStore *store;        /* (owned) */
  GListStore  *projects;     /* (owned) EchoesProject */
  GHashTable  *clips;        /* (owned) project id -> GListStore of EchoesClip */
  GCancellable *cancellable; /* (owned) */

  guint64      stamp;        /* the change stamp the models reflect */
  guint        watch_id;
  gboolean     polling;      /* a stamp read is queued */
};

#define WATCH_INTERVAL_MS 500

G_DEFINE_FINAL_TYPE (EchoesLibrary, echoes_library, G_TYPE_OBJECT)

enum {
  ERROR,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

typedef enum
{
  OP_RELOAD,
  OP_CREATE_PROJECT,
  OP_UPDATE_PROJECT,
  OP_TRASH_PROJECT,
  OP_RESTORE_PROJECT,
  OP_UPDATE_CLIP,
  OP_MOVE_CLIP,
  OP_TRASH_CLIP,
  OP_RESTORE_CLIP,
  OP_SET_ORDER,
  OP_SORT_BY_DATE,
  OP_PURGE,
} OpKind;

typedef struct
{
  OpKind         kind;
  char          *project_id;
  char          *clip_id;
  char          *title;
  guint          position;
  EchoesProject *project;   /* (owned) (nullable) a copy, safe for the worker */
  EchoesClip    *clip;      /* (owned) (nullable) a copy */
  GStrv          order;
} Op;

typedef struct
{
  GPtrArray     *projects;  /* fresh rows */
  GPtrArray     *clips;     /* fresh rows of op->project_id, if any */
  EchoesProject *created;
  GStrv          previous_order;
  guint64        stamp_before;
  guint64        stamp_after;
} OpResult;

static void
op_free (Op *op)
{
  g_free (op->project_id);
  g_free (op->clip_id);
  g_free (op->title);
  g_clear_object (&op->project);
  g_clear_object (&op->clip);
  g_strfreev (op->order);
  g_free (op);
}

static void
op_result_free (OpResult *result)
{
  g_clear_pointer (&result->projects, g_ptr_array_unref);
  g_clear_pointer (&result->clips, g_ptr_array_unref);
  g_clear_object (&result->created);
  g_strfreev (result->previous_order);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Op, op_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpResult, op_result_free)

static Op *
op_new (OpKind      kind,
        const char *project_id)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->project_id = g_strdup (project_id);
  return op;
}

/* Runs on the store's worker thread. */
static gpointer
op_run (EchoesStore   *store,
        gpointer       data,
        GCancellable  *cancellable,
        GError       **error)
{
  Op *op = data;
  g_autoptr(OpResult) result = g_new0 (OpResult, 1);
  gboolean ok = TRUE;

  result->stamp_before = echoes_store_get_change_stamp (store);

  switch (op->kind)
    {
    case OP_RELOAD:
      break;

    case OP_CREATE_PROJECT:
      ok = (result->created = echoes_store_create_project (store, op->title, error)) != NULL;
      break;

    case OP_UPDATE_PROJECT:
      ok = echoes_store_update_project (store, op->project, error);
      break;

    case OP_TRASH_PROJECT:
      ok = echoes_store_trash_project (store, op->project_id, error);
      break;

    case OP_RESTORE_PROJECT:
      ok = echoes_store_restore_project (store, op->project_id, error);
      break;

    case OP_UPDATE_CLIP:
      ok = echoes_store_update_clip (store, op->clip, error);
      break;

    case OP_MOVE_CLIP:
      ok = echoes_store_move_clip (store, op->clip_id, op->position, error);
      break;

    case OP_TRASH_CLIP:
      ok = echoes_store_trash_clip (store, op->clip_id, error);
      break;

    case OP_RESTORE_CLIP:
      ok = echoes_store_restore_clip (store, op->clip_id, op->position, error);
      break;

    case OP_SET_ORDER:
      ok = echoes_store_set_clip_order (store, op->project_id,
                                        (const char * const *)op->order, error);
      break;

    case OP_SORT_BY_DATE:
      ok = (result->previous_order = echoes_store_dup_clip_order (store, op->project_id,
                                                                  error)) != NULL &&
           echoes_store_sort_clips_by_date (store, op->project_id, error);
      break;

    case OP_PURGE:
      echoes_store_purge_trash (store, NULL, error);
      ok = error == NULL || *error == NULL;
      if (ok)
        _echoes_store_sweep_files (store, 10 * G_TIME_SPAN_MINUTE);
      break;

    default:
      g_assert_not_reached ();
    }

  /* Re-read what the UI shows even after a failure: the models then show the truth. */
  if ((result->projects = echoes_store_list_projects (store, ok ? error : NULL)) == NULL)
    ok = FALSE;
  if (op->project_id != NULL &&
      (result->clips = echoes_store_list_clips (store, op->project_id, ok ? error : NULL)) == NULL)
    ok = FALSE;

  if (!ok)
    return NULL;

  result->stamp_after = echoes_store_get_change_stamp (store);
  return g_steal_pointer (&result);
}

typedef const char *(*GetIdFunc)  (gpointer item);
typedef void        (*UpdateFunc) (gpointer item,
                                   gpointer other);

/* Makes @model hold objects equal to @fresh, in that order, reusing its objects by id
 * and splicing only the range that changed. */
static void
reconcile (GListStore *model,
           GPtrArray  *fresh,
           GetIdFunc   get_id,
           UpdateFunc  update)
{
  g_autoptr(GHashTable) existing = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                          g_object_unref);
  g_autoptr(GPtrArray) wanted = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (model));
  guint prefix = 0;
  guint suffix = 0;

  for (guint i = 0; i < n_old; i++)
    {
      gpointer item = g_list_model_get_item (G_LIST_MODEL (model), i);
      g_hash_table_insert (existing, (gpointer)get_id (item), item);
    }

  for (guint i = 0; i < fresh->len; i++)
    {
      gpointer row = g_ptr_array_index (fresh, i);
      gpointer item = g_hash_table_lookup (existing, get_id (row));

      if (item != NULL)
        {
          update (item, row);
          g_ptr_array_add (wanted, g_object_ref (item));
        }
      else
        g_ptr_array_add (wanted, g_object_ref (row));
    }

  while (prefix < n_old && prefix < wanted->len)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (model), prefix);
      if (item != g_ptr_array_index (wanted, prefix))
        break;
      prefix++;
    }
  while (suffix < n_old - prefix && suffix < wanted->len - prefix)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (model), n_old - 1 - suffix);
      if (item != g_ptr_array_index (wanted, wanted->len - 1 - suffix))
        break;
      suffix++;
    }

  if (prefix + suffix < MAX (n_old, wanted->len))
    g_list_store_splice (model, prefix, n_old - prefix - suffix,
                         wanted->pdata + prefix, wanted->len - prefix - suffix);
}

static void
apply_result (EchoesLibrary *self,
              const char    *project_id,
              OpResult      *result)
{
  GListStore *clips;

  /* Only our own change happened since the models were last in step: they still are. */
  if (self->stamp == result->stamp_before)
    self->stamp = result->stamp_after;

  if (result->projects)
    reconcile (self->projects, result->projects,
               (GetIdFunc)echoes_project_get_id, (UpdateFunc)echoes_project_update_from);

  if (project_id && result->clips &&
      (clips = g_hash_table_lookup (self->clips, project_id)))
    reconcile (clips, result->clips,
               (GetIdFunc)echoes_clip_get_id, (UpdateFunc)echoes_clip_update_from);
}

static void
op_done_cb (GObject      *object,
            GAsyncResult *res,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EchoesLibrary *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  g_autoptr(OpResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = echoes_store_run_finish (ECHOES_STORE (object), res, &error);

  if (result == NULL)
    {
      /* Show the truth again after a failed change. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && op->kind != OP_RELOAD)
        echoes_library_reload (self, op->project_id);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  apply_result (self, op->project_id, result);
  g_task_return_pointer (task, g_steal_pointer (&result), (GDestroyNotify)op_result_free);
}

static void
report_error_cb (GObject      *object,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  g_autoptr(OpResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (!(result = g_task_propagate_pointer (G_TASK (res), &error)) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_warning ("Library operation failed: %s", error->message);
      g_signal_emit (object, signals [ERROR], 0, error);
    }
}

static void
run_op (EchoesLibrary       *self,
        Op                  *op,
        gpointer             source_tag,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  if (callback == NULL)
    {
      callback = report_error_cb;
      user_data = NULL;
    }

  if (cancellable == NULL)
    cancellable = self->cancellable;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify)op_free);

  /* The worker gets the op but not ownership: the task keeps it for op_done_cb. */
  echoes_store_run_async (self->store, op_run, op, NULL, (GDestroyNotify)op_result_free,
                          cancellable, op_done_cb, g_steal_pointer (&task));
}

static gpointer
read_stamp (EchoesStore   *store,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  guint64 *stamp = g_new (guint64, 1);

  *stamp = echoes_store_get_change_stamp (store);
  return stamp;
}

static void
stamp_read_cb (GObject      *object,
               GAsyncResult *res,
               gpointer      user_data)
{
  g_autoptr(EchoesLibrary) self = user_data;
  g_autofree guint64 *stamp = NULL;
  GHashTableIter iter;
  gpointer project_id;

  self->polling = FALSE;
  if (!(stamp = echoes_store_run_finish (ECHOES_STORE (object), res, NULL)) ||
      *stamp == self->stamp)
    return;

  g_debug ("The database changed behind the library: reloading");
  self->stamp = *stamp;
  echoes_library_reload (self, NULL);
  g_hash_table_iter_init (&iter, self->clips);
  while (g_hash_table_iter_next (&iter, &project_id, NULL))
    echoes_library_reload (self, project_id);
}

static gboolean
watch_cb (gpointer user_data)
{
  EchoesLibrary *self = user_data;

  if (!self->polling)
    {
      self->polling = TRUE;
      echoes_store_run_async (self->store, read_stamp, NULL, NULL, g_free, self->cancellable,
                              stamp_read_cb, g_object_ref (self));
    }

  return G_SOURCE_CONTINUE;
}

static void
echoes_library_dispose (GObject *object)
{
  EchoesLibrary *self = (EchoesLibrary *)object;

  g_clear_handle_id (&self->watch_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (echoes_library_parent_class)->dispose (object);
}

static void
echoes_library_finalize (GObject *object)
{
  EchoesLibrary *self = (EchoesLibrary *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->projects);
  g_clear_pointer (&self->clips, g_hash_table_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (echoes_library_parent_class)->finalize (object);
}

static void
echoes_library_class_init (EchoesLibraryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = echoes_library_dispose;
  object_class->finalize = echoes_library_finalize;

  /**
   * EchoesLibrary::error:
   * @self: the library
   * @error: what went wrong
   *
   * A change made without a callback failed; the models were re-read from the store.
   */
  signals [ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
echoes_library_init (EchoesLibrary *self)
{
  self->projects = g_list_store_new (ECHOES_TYPE_PROJECT);
  self->clips = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->cancellable = g_cancellable_new ();
}

/**
 * echoes_library_new:
 * @store: an open store
 *
 * Creates the library and starts loading the project list.
 *
 * Returns: (transfer full): a new #EchoesLibrary
 */
EchoesLibrary *
echoes_library_new (EchoesStore *store)
{
  EchoesLibrary *self;

  g_return_val_if_fail (ECHOES_IS_STORE (store), NULL);

  self = g_object_new (ECHOES_TYPE_LIBRARY, NULL);
  self->store = g_object_ref (store);
  echoes_library_reload (self, NULL);
  self->watch_id = g_timeout_add (WATCH_INTERVAL_MS, watch_cb, self);
  return self;
}

/**
 * echoes_library_get_store:
 *
 * Returns: (transfer none): the store
 */
EchoesStore *
echoes_library_get_store (EchoesLibrary *self)
{
  g_return_val_if_fail (ECHOES_IS_LIBRARY (self), NULL);
  return self->store;
}

/**
 * echoes_library_get_projects:
 *
 * Returns: (transfer none): a #GListModel of #EchoesProject, most recent first
 */
GListModel *
echoes_library_get_projects (EchoesLibrary *self)
{
  g_return_val_if_fail (ECHOES_IS_LIBRARY (self), NULL);
  return G_LIST_MODEL (self->projects);
}

/**
 * echoes_library_find_clip:
 * @clip_id: a clip
 *
 * Looks for the clip in the clip lists loaded so far (it loads none).
 *
 * Returns: (transfer none) (nullable): the live clip, or %NULL if no loaded list has it
 */
EchoesClip *
echoes_library_find_clip (EchoesLibrary *self,
                          const char    *clip_id)
{
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (ECHOES_IS_LIBRARY (self), NULL);
  g_return_val_if_fail (clip_id != NULL, NULL);

  g_hash_table_iter_init (&iter, self->clips);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GListModel *clips = value;
      guint n = g_list_model_get_n_items (clips);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(EchoesClip) clip = g_list_model_get_item (clips, i);

          if (g_strcmp0 (echoes_clip_get_id (clip), clip_id) == 0)
            return clip;  /* the list holds a reference */
        }
    }

  return NULL;
}

/**
 * echoes_library_get_clips:
 *
 * Gets the live clip list of a project; loads it the first time.
 *
 * Returns: (transfer none): a #GListModel of #EchoesClip in timeline order
 */
GListModel *
echoes_library_get_clips (EchoesLibrary *self,
                          const char    *project_id)
{
  GListStore *clips;

  g_return_val_if_fail (ECHOES_IS_LIBRARY (self), NULL);
  g_return_val_if_fail (project_id != NULL, NULL);

  if (!(clips = g_hash_table_lookup (self->clips, project_id)))
    {
      clips = g_list_store_new (ECHOES_TYPE_CLIP);
      g_hash_table_insert (self->clips, g_strdup (project_id), clips);
      echoes_library_reload (self, project_id);
    }

  return G_LIST_MODEL (clips);
}

/**
 * echoes_library_find_project:
 *
 * Returns: (transfer none) (nullable): the loaded project with that id
 */
EchoesProject *
echoes_library_find_project (EchoesLibrary *self,
                             const char    *project_id)
{
  guint n;

  g_return_val_if_fail (ECHOES_IS_LIBRARY (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->projects));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(EchoesProject) project = g_list_model_get_item (G_LIST_MODEL (self->projects), i);

      if (g_strcmp0 (echoes_project_get_id (project), project_id) == 0)
        return project;
    }

  return NULL;
}

/**
 * echoes_library_reload:
 * @project_id: (nullable): also re-read this project's clips
 *
 * Re-reads the models from the store, e.g. after a worker wrote to it.
 */
void
echoes_library_reload (EchoesLibrary *self,
                       const char    *project_id)
{
  g_return_if_fail (ECHOES_IS_LIBRARY (self));

  run_op (self, op_new (OP_RELOAD, project_id), echoes_library_reload, NULL, NULL, NULL);
}

void
echoes_library_create_project_async (EchoesLibrary       *self,
                                     const char          *title,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  Op *op;

  g_return_if_fail (ECHOES_IS_LIBRARY (self));
  g_return_if_fail (title != NULL);

  op = op_new (OP_CREATE_PROJECT, NULL);
  op->title = g_strdup (title);
  run_op (self, op, echoes_library_create_project_async, cancellable, callback, user_data);
}

/**
 * echoes_library_create_project_finish:
 *
 * Returns: (transfer full): the new project, as it stands in the project model
 */
EchoesProject *
echoes_library_create_project_finish (EchoesLibrary  *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  g_autoptr(OpResult) res = NULL;
  EchoesProject *project;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (!(res = g_task_propagate_pointer (G_TASK (result), error)))
    return NULL;

  project = echoes_library_find_project (self, echoes_project_get_id (res->created));
  return g_object_ref (project ? project : res->created);
}

void
echoes_library_update_project (EchoesLibrary *self,
                               EchoesProject *project)
{
  Op *op;

  g_return_if_fail (ECHOES_IS_LIBRARY (self));
  g_return_if_fail (ECHOES_IS_PROJECT (project));

  op = op_new (OP_UPDATE_PROJECT, NULL);
  op->project = echoes_project_copy (project);
  run_op (self, op, echoes_library_update_project, NULL, NULL, NULL);
}

void
echoes_library_trash_project (EchoesLibrary *self,
                              const char    *project_id)
{
  g_return_if_fail (ECHOES_IS_LIBRARY (self));
  g_return_if_fail (project_id != NULL);

  run_op (self, op_new (OP_TRASH_PROJECT, project_id), echoes_library_trash_project,
          NULL, NULL, NULL);
}

void
echoes_library_restore_project (EchoesLibrary *self,
                                const char    *project_id)
{
  g_return_if_fail (ECHOES_IS_LIBRARY (self));
  g_return_if_fail (project_id != NULL);

  run_op (self, op_new (OP_RESTORE_PROJECT, project_id), echoes_library_restore_project,
          NULL, NULL, NULL);
}

/**
 * echoes_library_update_clip:
 * @clip: a clip whose fields were changed (approved, motion, …)
 *
 * Saves the clip's fields.
 */
void
echoes_library_update_clip (EchoesLibrary *self,
                            EchoesClip    *clip)
{
  Op *op;

  g_return_if_fail (ECHOES_IS_LIBRARY (self));
  g_return_if_fail (ECHOES_IS_CLIP (clip));

  op = op_new (OP_UPDATE_CLIP, echoes_clip_get_project_id (clip));
  op->clip = echoes_clip_copy (clip);
  run_op (self, op, echoes_library_update_clip, NULL, NULL, NULL);
}

void
echoes_library_move_clip (EchoesLibrary *self,
                          EchoesClip    *clip,
                          guint          position)
{
  Op *op;

  g_return_if_fail (ECHOES_IS_LIBRARY (self));
  g_return_if_fail (ECHOES_IS_CLIP (clip));

  op = op_new (OP_MOVE_CLIP, echoes_clip_get_project_id (clip));
  op->clip_id = g_strdup (echoes_clip_get_id (clip));
  op->position = position;
  run_op (self, op, echoes_library_move_clip, NULL, NULL, NULL);
}

void
echoes_library_trash_clip (EchoesLibrary *self,
                           EchoesClip    *clip)
{
  Op *op;

  g_return_if_fail (ECHOES_IS_LIBRARY (self));
  g_return_if_fail (ECHOES_IS_CLIP (clip));

  op = op_new (OP_TRASH_CLIP, echoes_clip_get_project_id (clip));
  op->clip_id = g_strdup (echoes_clip_get_id (clip));
  run_op (self, op, echoes_library_trash_clip, NULL, NULL, NULL);
}

void
echoes_library_restore_clip (EchoesLibrary *self,
                             const char    *project_id,
                             const char    *clip_id,
                             guint          position)
{
  Op *op;

  g_return_if_fail (ECHOES_IS_LIBRARY (self));
  g_return_if_fail (project_id != NULL);
  g_return_if_fail (clip_id != NULL);

  op = op_new (OP_RESTORE_CLIP, project_id);
  op->clip_id = g_strdup (clip_id);
  op->position = position;
  run_op (self, op, echoes_library_restore_clip, NULL, NULL, NULL);
}

void
echoes_library_set_clip_order (EchoesLibrary      *self,
                               const char         *project_id,
                               const char * const *clip_ids)
{
  Op *op;

  g_return_if_fail (ECHOES_IS_LIBRARY (self));
  g_return_if_fail (project_id != NULL);
  g_return_if_fail (clip_ids != NULL);

  op = op_new (OP_SET_ORDER, project_id);
  op->order = g_strdupv ((char **)clip_ids);
  run_op (self, op, echoes_library_set_clip_order, NULL, NULL, NULL);
}

void
echoes_library_sort_by_date_async (EchoesLibrary       *self,
                                   const char          *project_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (ECHOES_IS_LIBRARY (self));
  g_return_if_fail (project_id != NULL);

  run_op (self, op_new (OP_SORT_BY_DATE, project_id), echoes_library_sort_by_date_async,
          cancellable, callback, user_data);
}

/**
 * echoes_library_sort_by_date_finish:
 *
 * Returns: (transfer full): the order before sorting, for undo with
 *   echoes_library_set_clip_order()
 */
GStrv
echoes_library_sort_by_date_finish (EchoesLibrary  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_autoptr(OpResult) res = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (!(res = g_task_propagate_pointer (G_TASK (result), error)))
    return NULL;

  return g_steal_pointer (&res->previous_order);
}

/**
 * echoes_library_purge_trash:
 *
 * Deletes for good what was trashed (and not restored), with its files, and media
 * files that a crash left without a row (older than ten minutes, so that another
 * process's import in flight is left alone).
 */
void
echoes_library_purge_trash (EchoesLibrary *self)
{
  g_return_if_fail (ECHOES_IS_LIBRARY (self));

  run_op (self, op_new (OP_PURGE, NULL), echoes_library_purge_trash, NULL, NULL, NULL);
}
