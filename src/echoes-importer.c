/* echoes-importer.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-importer"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "echoes-importer.h"

#include "echoes-image.h"
#include "echoes-paths.h"
#include "echoes-util.h"

/**
 * EchoesImporter:
 *
 * Adds photos to a project: the one code path behind drops, paste, the file chooser,
 * `echoes FILE…` and `echoes-cli clips add`.
 *
 * Each file is checked (header, size, format, completeness), copied into
 * `images/{project}/{clip}.{ext}` (temp file + rename), thumbnailed (which decodes it
 * at display size, so a damaged image is caught before it reaches the timeline) and
 * only then inserted into the store. Files are processed on one thread per core; a bad
 * file is reported with #EchoesImporter::file-failed and the rest go on. Within one
 * import the new clips are placed in capture order after the existing ones, however
 * the threads finish. Signals and property notifications arrive on the main context
 * that was current when the import started.
 */
struct _EchoesImporter
{
  GObject            parent_instance;

  EchoesStore       *store;        /* (owned) */
  EchoesThumbnailer *thumbnailer;  /* (owned) */
  char              *project_id;   /* (owned) */

  guint              total;
  guint              done;
  guint              failed;
};

G_DEFINE_FINAL_TYPE (EchoesImporter, echoes_importer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TOTAL,
  PROP_DONE,
  PROP_FAILED,
  PROP_FRACTION,
  N_PROPS
};

enum {
  CLIP_ADDED,
  FILE_FAILED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

typedef struct
{
  gint64  time;
  char   *name;
} SortKey;

/* One import run, shared by its worker threads. */
typedef struct
{
  EchoesImporter *self;      /* (owned) */
  GMainContext   *context;   /* (owned) where events are delivered */
  GCancellable   *cancellable;
  GMutex          lock;      /* guards keys and the insert that follows a key's choice */
  GArray         *keys;      /* SortKey of the clips this run committed, sorted */
  guint           base;      /* clips in the project when the run started */
} Run;

typedef struct
{
  EchoesImporter *self;  /* (owned) */
  GFile      *file;  /* (owned) */
  EchoesClip *clip;  /* (owned) (nullable) */
  GError     *error; /* (owned) (nullable) */
} Event;

static int
sort_key_compare (const SortKey *a,
                  const SortKey *b)
{
  if (a->time != b->time)
    return a->time < b->time ? -1 : 1;
  return g_strcmp0 (a->name, b->name);
}

static void
sort_key_clear (SortKey *key)
{
  g_free (key->name);
}

static Run *
run_new (EchoesImporter *self,
         GCancellable   *cancellable)
{
  Run *run = g_new0 (Run, 1);

  run->self = g_object_ref (self);
  run->context = g_main_context_ref_thread_default ();
  run->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  run->keys = g_array_new (FALSE, FALSE, sizeof (SortKey));
  g_array_set_clear_func (run->keys, (GDestroyNotify)sort_key_clear);
  g_mutex_init (&run->lock);
  return run;
}

static void
run_free (Run *run)
{
  g_clear_object (&run->self);
  g_clear_object (&run->cancellable);
  g_main_context_unref (run->context);
  g_array_unref (run->keys);
  g_mutex_clear (&run->lock);
  g_free (run);
}

static void
event_free (Event *event)
{
  g_clear_object (&event->self);
  g_clear_object (&event->file);
  g_clear_object (&event->clip);
  g_clear_error (&event->error);
  g_free (event);
}

/* Runs on the import's main context. */
static gboolean
event_dispatch (gpointer data)
{
  Event *event = data;
  EchoesImporter *self = event->self;

  g_object_freeze_notify (G_OBJECT (self));
  self->done++;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_DONE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_FRACTION]);

  if (event->error != NULL)
    {
      self->failed++;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_FAILED]);
      g_signal_emit (self, signals [FILE_FAILED], 0, event->file, event->error);
    }
  else
    g_signal_emit (self, signals [CLIP_ADDED], 0, event->clip);

  g_object_thaw_notify (G_OBJECT (self));
  return G_SOURCE_REMOVE;
}

static char *
display_name (GFile *file)
{
  g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME,
                                                 G_FILE_QUERY_INFO_NONE, NULL, NULL);

  if (info != NULL)
    return g_strdup (g_file_info_get_display_name (info));
  return g_file_get_basename (file);
}

/* Files that are not on a local path (a browser's http URI, a GVfs mount) are fetched
 * into the cache first, so every check below reads a plain local file. */
static GFile *
localize (GFile         *file,
          const char    *name,
          char         **tmp_path,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *cache = NULL;
  g_autofree char *uuid = NULL;
  g_autoptr(GError) local_error = NULL;

  if (path != NULL)
    return g_object_ref (file);

  cache = echoes_paths_dup_cache_dir ();
  uuid = g_uuid_string_random ();
  *tmp_path = g_build_filename (cache, "import", uuid, NULL);
  if (!echoes_file_copy_atomic (file, *tmp_path, cancellable, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_UNREADABLE,
                     _("“%s” cannot be read: %s"), name, local_error->message);
      return NULL;
    }

  return g_file_new_for_path (*tmp_path);
}

static EchoesClip *
import_one (Run           *run,
            GFile         *file,
            GError       **error)
{
  EchoesImporter *self = run->self;
  g_autoptr(EchoesImageInfo) info = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GdkPixbuf) thumbnail = NULL;
  g_autoptr(GFile) local = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *name = display_name (file);
  g_autofree char *clip_id = g_uuid_string_random ();
  g_autofree char *relative = NULL;
  g_autofree char *absolute = NULL;
  SortKey key;
  guint position = 0;
  gboolean ok;

  if (!(local = localize (file, name, &tmp_path, run->cancellable, error)))
    return NULL;

  info = echoes_image_probe (local, run->cancellable, error);
  if (info == NULL)
    goto out;

  relative = echoes_paths_image_relative (self->project_id, clip_id, info->extension);
  absolute = echoes_store_resolve (self->store, relative);
  if (!echoes_file_copy_atomic (local, absolute, run->cancellable, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_UNREADABLE,
                     _("“%s” could not be copied: %s"), name, local_error->message);
      goto out;
    }

  /* Decoding at display size is the real test of the pixels, and leaves the cached
   * thumbnail the timeline shows next. */
  if (!(thumbnail = echoes_thumbnailer_load (self->thumbnailer, absolute, clip_id,
                                             ECHOES_THUMBNAIL_SIZE, error)))
    {
      g_unlink (absolute);
      goto out;
    }

  clip = echoes_clip_new (clip_id, self->project_id);
  g_object_set (clip,
                "image", relative,
                "source-name", name,
                "capture-time", info->capture_time,
                NULL);

  key.time = info->capture_time;
  key.name = g_utf8_casefold (name, -1);

  g_mutex_lock (&run->lock);
  while (position < run->keys->len &&
         sort_key_compare (&g_array_index (run->keys, SortKey, position), &key) <= 0)
    position++;
  ok = echoes_store_insert_clip (self->store, clip, run->base + position, &local_error);
  if (ok)
    g_array_insert_val (run->keys, position, key);
  else
    g_free (key.name);
  g_mutex_unlock (&run->lock);

  if (!ok)
    {
      g_unlink (absolute);
      g_set_error (error, ECHOES_IMAGE_ERROR, ECHOES_IMAGE_ERROR_UNREADABLE,
                   _("“%s” could not be added to the project: %s"), name,
                   local_error->message);
      g_clear_object (&clip);
    }

out:
  if (tmp_path)
    g_unlink (tmp_path);

  return g_steal_pointer (&clip);
}

static void
file_worker (gpointer data,
             gpointer user_data)
{
  Run *run = user_data;
  Event *event = g_new0 (Event, 1);

  event->self = g_object_ref (run->self);
  event->file = data;

  if (!g_cancellable_set_error_if_cancelled (run->cancellable, &event->error))
    event->clip = import_one (run, event->file, &event->error);

  if (g_error_matches (event->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Cancelled files are neither done nor failed: they were not tried. */
      event_free (event);
      return;
    }

  g_main_context_invoke_full (run->context, G_PRIORITY_DEFAULT, event_dispatch, event,
                              (GDestroyNotify)event_free);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  EchoesImporter *self = source_object;
  GPtrArray *files = task_data;
  g_autoptr(GPtrArray) existing = NULL;
  g_autoptr(GError) error = NULL;
  GThreadPool *pool;
  Run *run = g_object_get_data (G_OBJECT (task), "echoes-importer-run");

  if (!(existing = echoes_store_list_clips (self->store, self->project_id, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  run->base = existing->len;

  pool = g_thread_pool_new (file_worker, run, g_get_num_processors (), FALSE, NULL);
  for (guint i = 0; i < files->len; i++)
    g_thread_pool_push (pool, g_object_ref (g_ptr_array_index (files, i)), NULL);
  /* Waits for every queued file. */
  g_thread_pool_free (pool, FALSE, TRUE);

  if (g_task_return_error_if_cancelled (task))
    return;

  g_task_return_boolean (task, TRUE);
}

static void
echoes_importer_finalize (GObject *object)
{
  EchoesImporter *self = (EchoesImporter *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->thumbnailer);
  g_clear_pointer (&self->project_id, g_free);

  G_OBJECT_CLASS (echoes_importer_parent_class)->finalize (object);
}

static void
echoes_importer_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  EchoesImporter *self = ECHOES_IMPORTER (object);

  switch (prop_id)
    {
    case PROP_TOTAL:
      g_value_set_uint (value, self->total);
      break;

    case PROP_DONE:
      g_value_set_uint (value, self->done);
      break;

    case PROP_FAILED:
      g_value_set_uint (value, self->failed);
      break;

    case PROP_FRACTION:
      g_value_set_double (value, echoes_importer_get_fraction (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_importer_class_init (EchoesImporterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = echoes_importer_finalize;
  object_class->get_property = echoes_importer_get_property;

  properties [PROP_TOTAL] =
    g_param_spec_uint ("total", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_DONE] =
    g_param_spec_uint ("done", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_FAILED] =
    g_param_spec_uint ("failed", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EchoesImporter::clip-added:
   * @self: the importer
   * @clip: the new clip, as written to the store
   *
   * A file became a clip.
   */
  signals [CLIP_ADDED] =
    g_signal_new ("clip-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, ECHOES_TYPE_CLIP);

  /**
   * EchoesImporter::file-failed:
   * @self: the importer
   * @file: the file that was refused
   * @error: why; its message is translated and names the file
   *
   * A file was refused; nothing of it was kept.
   */
  signals [FILE_FAILED] =
    g_signal_new ("file-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_FILE, G_TYPE_ERROR);
}

static void
echoes_importer_init (EchoesImporter *self)
{
}

/**
 * echoes_importer_new:
 * @store: the store
 * @thumbnailer: the thumbnailer that checks and caches each photo
 * @project_id: the project the photos join
 *
 * Returns: (transfer full): a new #EchoesImporter
 */
EchoesImporter *
echoes_importer_new (EchoesStore       *store,
                     EchoesThumbnailer *thumbnailer,
                     const char        *project_id)
{
  EchoesImporter *self;

  g_return_val_if_fail (ECHOES_IS_STORE (store), NULL);
  g_return_val_if_fail (ECHOES_IS_THUMBNAILER (thumbnailer), NULL);
  g_return_val_if_fail (project_id != NULL, NULL);

  self = g_object_new (ECHOES_TYPE_IMPORTER, NULL);
  self->store = g_object_ref (store);
  self->thumbnailer = g_object_ref (thumbnailer);
  self->project_id = g_strdup (project_id);
  return self;
}

const char *
echoes_importer_get_project_id (EchoesImporter *self)
{
  g_return_val_if_fail (ECHOES_IS_IMPORTER (self), NULL);
  return self->project_id;
}

guint
echoes_importer_get_total (EchoesImporter *self)
{
  g_return_val_if_fail (ECHOES_IS_IMPORTER (self), 0);
  return self->total;
}

guint
echoes_importer_get_done (EchoesImporter *self)
{
  g_return_val_if_fail (ECHOES_IS_IMPORTER (self), 0);
  return self->done;
}

guint
echoes_importer_get_failed (EchoesImporter *self)
{
  g_return_val_if_fail (ECHOES_IS_IMPORTER (self), 0);
  return self->failed;
}

/**
 * echoes_importer_get_fraction:
 *
 * Returns: the share of files handled (imported or refused) so far, 0 to 1
 */
double
echoes_importer_get_fraction (EchoesImporter *self)
{
  g_return_val_if_fail (ECHOES_IS_IMPORTER (self), 0);

  return self->total ? (double)self->done / self->total : 0.0;
}

/**
 * echoes_importer_import_async:
 * @files: (element-type GFile): the files to add
 *
 * Imports @files. Several imports may run at once; `total` and `done` add up over all.
 * Cancelling stops at the next file; clips already added stay.
 */
void
echoes_importer_import_async (EchoesImporter      *self,
                              GPtrArray           *files,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GPtrArray *copy;

  g_return_if_fail (ECHOES_IS_IMPORTER (self));
  g_return_if_fail (files != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  copy = g_ptr_array_new_full (files->len, g_object_unref);
  for (guint i = 0; i < files->len; i++)
    g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (files, i)));

  self->total += files->len;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_TOTAL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_FRACTION]);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_importer_import_async);
  g_task_set_task_data (task, copy, (GDestroyNotify)g_ptr_array_unref);
  g_object_set_data_full (G_OBJECT (task), "echoes-importer-run", run_new (self, cancellable),
                          (GDestroyNotify)run_free);
  g_task_run_in_thread (task, import_thread);
}

/**
 * echoes_importer_import_finish:
 *
 * Returns: %TRUE when every file was handled (some may have failed: see
 *   #EchoesImporter::file-failed), %FALSE if cancelled or the project is gone
 */
gboolean
echoes_importer_import_finish (EchoesImporter  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
import_sync_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask **out = user_data;

  *out = g_object_ref (G_TASK (result));
}

/**
 * echoes_importer_import:
 * @files: (element-type GFile): the files to add
 *
 * Like echoes_importer_import_async(), but blocks until done; signals are emitted in
 * the calling thread. For the CLI and tests.
 */
gboolean
echoes_importer_import (EchoesImporter  *self,
                        GPtrArray       *files,
                        GCancellable    *cancellable,
                        GError         **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GTask) result = NULL;
  GTask *weak;
  gboolean ok;

  g_return_val_if_fail (ECHOES_IS_IMPORTER (self), FALSE);

  g_main_context_push_thread_default (context);
  echoes_importer_import_async (self, files, cancellable, import_sync_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  /* Events queued before the task returned were dispatched before its callback, as
   * both go through this context in order. */
  g_main_context_pop_thread_default (context);

  ok = echoes_importer_import_finish (self, G_ASYNC_RESULT (result), error);

  /* GTask's worker thread drops its reference after the callback may already have
   * run; wait for it, so that when this returns nothing of the import is alive. */
  weak = result;
  g_object_add_weak_pointer (G_OBJECT (weak), (gpointer *)&weak);
  g_clear_object (&result);
  while (g_atomic_pointer_get (&weak) != NULL)
    g_usleep (100);

  return ok;
}
