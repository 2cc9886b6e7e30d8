/* test-store-sync.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The store's side of sync: the outbox written with each change, per-field merging of
 * pulled rows, the change stamp, upload state. */

#include "config.h"

#include <glib/gstdio.h>

#include "echoes-paths.h"
#include "echoes-store-private.h"
#include "echoes-store-test-hooks.h"
#include "echoes-test-util.h"

static EchoesStore *
open_store (void)
{
  g_autoptr(GError) error = NULL;
  EchoesStore *store = echoes_store_open (NULL, &error);

  g_assert_no_error (error);
  return store;
}

static GPtrArray *
outbox (EchoesStore *store)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *items = echoes_store_list_outbox (store, &error);

  g_assert_no_error (error);
  return items;
}

static EchoesOutboxItem *
find_item (GPtrArray  *items,
           const char *entity,
           const char *id)
{
  for (guint i = 0; i < items->len; i++)
    {
      EchoesOutboxItem *item = g_ptr_array_index (items, i);

      if (g_str_equal (item->entity, entity) && g_str_equal (item->local_id, id))
        return item;
    }
  return NULL;
}

static EchoesClip *
insert_clip (EchoesStore *store,
             const char  *project_id,
             const char  *id,
             guint        position)
{
  g_autofree char *image = echoes_paths_image_relative (project_id, id, "jpg");
  g_autoptr(GError) error = NULL;
  EchoesClip *clip = echoes_clip_new (id, project_id);

  echoes_clip_set_image (clip, image);
  g_assert_true (echoes_store_insert_clip (store, clip, position, &error));
  g_assert_no_error (error);
  return clip;
}

/* A remote row: (id, time, deleted, {field: (value, time)}), fields given as
 * name, GVariant (floating), time, …, NULL. */
static GVariant *
remote_row (const char *id,
            gint64      row_time,
            gboolean    deleted,
            ...)
{
  GVariantBuilder builder;
  const char *name;
  va_list args;

  g_variant_builder_init (&builder, G_VARIANT_TYPE (ECHOES_STORE_SYNC_FIELDS_TYPE));
  va_start (args, deleted);
  while ((name = va_arg (args, const char *)))
    {
      GVariant *value = va_arg (args, GVariant *);
      gint64 time = va_arg (args, gint64);

      g_variant_builder_add (&builder, "{s(vx)}", name, value, time);
    }
  va_end (args);

  return g_variant_ref_sink (g_variant_new ("(sxb@" ECHOES_STORE_SYNC_FIELDS_TYPE ")", id, row_time,
                                            deleted, g_variant_builder_end (&builder)));
}

static GVariant *
text (const char *value)
{
  return g_variant_new_maybe (G_VARIANT_TYPE_STRING, value ? g_variant_new_string (value) : NULL);
}

static void
apply (EchoesStore *store,
       const char  *entity,
       GVariant    *row)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (rows, row);
  g_assert_true (echoes_store_apply_remote (store, entity, rows, &error));
  g_assert_no_error (error);
}

static gint64
field_time_of (EchoesStore *store,
               const char  *entity,
               const char  *id,
               const char  *field)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) row = echoes_store_dup_sync_row (store, entity, id, &error);
  gint64 time = -1;

  g_assert_no_error (error);
  g_assert_true (g_variant_lookup (row, field, "(vx)", NULL, &time));
  return time;
}

/* Changes to a synced project are queued with the change, and coalesce. */
static void
test_outbox (void)
{
  g_autoptr(EchoesStore) store = open_store ();
  g_autoptr(EchoesProject) local = NULL;
  g_autoptr(EchoesProject) synced = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(EchoesClip) ghost = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  EchoesOutboxItem *item;
  gint64 seq, revision;

  local = echoes_store_create_project (store, "Local", &error);
  g_assert_no_error (error);
  clip = insert_clip (store, echoes_project_get_id (local), "c-local", 0);
  echoes_project_set_title (local, "Local, renamed");
  g_assert_true (echoes_store_update_project (store, local, &error));
  items = outbox (store);
  g_assert_cmpuint (items->len, ==, 0);
  g_clear_pointer (&items, g_ptr_array_unref);

  g_assert_true (echoes_store_set_default_synced (store, TRUE, &error));
  synced = echoes_store_create_project (store, "Synced", &error);
  g_assert_no_error (error);
  items = outbox (store);
  g_assert_cmpuint (items->len, ==, 1);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpstr (item->entity, ==, "project");
  g_assert_cmpstr (item->op, ==, "upsert");
  g_assert_true (g_strv_contains ((const char * const *)item->fields, "title"));
  seq = item->seq;
  revision = item->revision;
  g_clear_pointer (&items, g_ptr_array_unref);

  /* Pushed once (done with the revision read), it goes. */
  g_assert_true (echoes_store_outbox_done (store, seq, revision, &error));
  items = outbox (store);
  g_assert_cmpuint (items->len, ==, 0);
  g_clear_pointer (&items, g_ptr_array_unref);

  /* Two changes make one item naming both fields. A push of the first revision does
   * not take off the merged one. */
  echoes_project_set_title (synced, "Synced, renamed");
  g_assert_true (echoes_store_update_project (store, synced, &error));
  items = outbox (store);
  seq = ((EchoesOutboxItem *)g_ptr_array_index (items, 0))->seq;
  revision = ((EchoesOutboxItem *)g_ptr_array_index (items, 0))->revision;
  g_clear_pointer (&items, g_ptr_array_unref);
  echoes_project_set_ratio (synced, "9:16");
  g_assert_true (echoes_store_update_project (store, synced, &error));
  g_assert_true (echoes_store_outbox_done (store, seq, revision, &error));
  items = outbox (store);
  g_assert_cmpuint (items->len, ==, 1);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpint (item->revision, >, revision);
  g_assert_true (g_strv_contains ((const char * const *)item->fields, "title"));
  g_assert_true (g_strv_contains ((const char * const *)item->fields, "ratio"));
  g_assert_false (g_strv_contains ((const char * const *)item->fields, "music"));

  /* A failure is counted and delays the item. */
  g_assert_true (echoes_store_outbox_failed (store, item->seq, G_MAXINT64, "refused", &error));
  g_clear_pointer (&items, g_ptr_array_unref);
  items = outbox (store);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpuint (item->attempts, ==, 1);
  g_assert_cmpint (item->next_try_at, ==, G_MAXINT64);
  g_assert_true (echoes_store_outbox_done (store, item->seq, item->revision, &error));
  g_clear_pointer (&items, g_ptr_array_unref);

  /* A clip: its row, the image to upload, the others' orders; a refused change queues
   * nothing (same transaction). */
  g_clear_object (&clip);
  clip = insert_clip (store, echoes_project_get_id (synced), "c-1", 0);
  items = outbox (store);
  g_assert_nonnull (find_item (items, "clip", "c-1"));
  g_assert_nonnull (find_item (items, "image", "c-1"));
  g_assert_cmpstr (find_item (items, "image", "c-1")->op, ==, "upload");
  g_assert_cmpuint (items->len, ==, 2);
  g_clear_pointer (&items, g_ptr_array_unref);

  ghost = echoes_clip_new ("c-ghost", echoes_project_get_id (synced));
  echoes_clip_set_image (ghost, "images/x/c-ghost.jpg");
  g_assert_false (echoes_store_update_clip (store, ghost, &error));
  g_assert_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  items = outbox (store);
  g_assert_null (find_item (items, "clip", "c-ghost"));
  g_clear_pointer (&items, g_ptr_array_unref);

  /* Keep local: the project's pending items go, and later changes stay here. */
  g_assert_true (echoes_store_keep_local (store, echoes_project_get_id (synced), &error));
  items = outbox (store);
  g_assert_cmpuint (items->len, ==, 0);
  g_clear_pointer (&items, g_ptr_array_unref);

  /* Keep in my account: everything of the project is queued. */
  g_assert_true (echoes_store_keep_in_account (store, echoes_project_get_id (local), &error));
  g_assert_no_error (error);
  items = outbox (store);
  g_assert_nonnull (find_item (items, "project", echoes_project_get_id (local)));
  g_assert_nonnull (find_item (items, "clip", "c-local"));
  g_assert_nonnull (find_item (items, "image", "c-local"));
  g_assert_cmpuint (items->len, ==, 3);

  echoes_test_drain (store);
  g_assert_finalize_object (g_steal_pointer (&store));
}

/* Pulled rows merge per field: the later write wins; new rows land synced, in order,
 * with nothing queued back. */
static void
test_apply_remote (void)
{
  g_autoptr(EchoesStore) store = open_store ();
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) synced = NULL;
  gint64 now = g_get_real_time ();

  apply (store, "project", remote_row ("p1", now, FALSE,
                                       "title", text ("From the server"), now,
                                       "status", text ("in_progress"), now,
                                       NULL));
  project = echoes_store_get_project (store, "p1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (echoes_project_get_title (project), ==, "From the server");
  synced = echoes_store_dup_project_ids (store, TRUE, &error);
  g_assert_cmpstrv (synced, ((const char *[]) { "p1", NULL }));

  /* Three new clips, given out of order; one of an unknown project; one with a value
   * that makes no sense (skipped, the rest of the row lands). */
  {
    g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);

    g_ptr_array_add (rows, remote_row ("c2", now, FALSE, "project_id", text ("p1"), now,
                                       "image", text ("images/p1/c2.jpg"), now,
                                       "order", g_variant_new_int32 (2), now, NULL));
    g_ptr_array_add (rows, remote_row ("c0", now, FALSE, "project_id", text ("p1"), now,
                                       "image", text ("images/p1/c0.jpg"), now,
                                       "status", text ("bogus"), now,
                                       "order", g_variant_new_int32 (0), now, NULL));
    g_ptr_array_add (rows, remote_row ("c1", now, FALSE, "project_id", text ("p1"), now,
                                       "image", text ("images/p1/c1.jpg"), now,
                                       "prompt", text ("a cat"), now,
                                       "order", g_variant_new_int32 (1), now, NULL));
    g_ptr_array_add (rows, remote_row ("cx", now, FALSE, "project_id", text ("nowhere"), now,
                                       "image", text ("images/nowhere/cx.jpg"), now, NULL));
    g_assert_true (echoes_store_apply_remote (store, "clip", rows, &error));
    g_assert_no_error (error);
  }
  clips = echoes_store_list_clips (store, "p1", &error);
  g_assert_cmpuint (clips->len, ==, 3);
  g_assert_cmpstr (echoes_clip_get_id (g_ptr_array_index (clips, 0)), ==, "c0");
  g_assert_cmpstr (echoes_clip_get_id (g_ptr_array_index (clips, 2)), ==, "c2");
  g_assert_cmpint (echoes_clip_get_status (g_ptr_array_index (clips, 0)), ==, ECHOES_CLIP_STATUS_PENDING);
  g_assert_true (_echoes_store_check_order (store, "p1", &error));
  items = outbox (store);
  g_assert_cmpuint (items->len, ==, 0);
  g_clear_pointer (&items, g_ptr_array_unref);

  /* A local edit after the server's, and an older server write, lose to it; a newer
   * one wins. */
  clip = echoes_store_get_clip (store, "c1", &error);
  echoes_clip_set_prompt (clip, "a dog");
  g_assert_true (echoes_store_update_clip (store, clip, &error));
  g_assert_cmpint (field_time_of (store, "clip", "c1", "prompt"), >, now);
  apply (store, "clip", remote_row ("c1", now + 1, FALSE, "prompt", text ("stale"), now + 1,
                                    "motion", text ("zoom"), now + 1, NULL));
  g_clear_object (&clip);
  clip = echoes_store_get_clip (store, "c1", &error);
  g_assert_cmpstr (echoes_clip_get_prompt (clip), ==, "a dog");
  g_assert_cmpstr (echoes_clip_get_motion (clip), ==, "zoom");
  apply (store, "clip", remote_row ("c1", G_MAXINT64 / 2, FALSE,
                                    "prompt", text ("newest"), G_MAXINT64 / 2, NULL));
  g_clear_object (&clip);
  clip = echoes_store_get_clip (store, "c1", &error);
  g_assert_cmpstr (echoes_clip_get_prompt (clip), ==, "newest");

  /* Two clips claim the first place: the one there first keeps it, the other moves and
   * its new place is queued for the server. */
  g_assert_true (echoes_store_set_default_synced (store, TRUE, &error));
  apply (store, "clip", remote_row ("c2", now + 5, FALSE, "order", g_variant_new_int32 (0), now + 5,
                                    NULL));
  g_assert_true (_echoes_store_check_order (store, "p1", &error));
  g_clear_pointer (&clips, g_ptr_array_unref);
  clips = echoes_store_list_clips (store, "p1", &error);
  g_assert_cmpstr (echoes_clip_get_id (g_ptr_array_index (clips, 0)), ==, "c0");
  g_assert_cmpstr (echoes_clip_get_id (g_ptr_array_index (clips, 1)), ==, "c2");
  items = outbox (store);
  g_assert_nonnull (find_item (items, "clip", "c2"));
  g_assert_true (g_strv_contains ((const char * const *)find_item (items, "clip", "c2")->fields, "order"));
  g_clear_pointer (&items, g_ptr_array_unref);

  /* A newer "live" from the server for a clip live here already, with no word about its
   * order: it keeps its place (no placeholder order left behind). */
  apply (store, "clip", remote_row ("c1", now + 6, FALSE, "trashed", g_variant_new_boolean (FALSE), now + 6,
                                    NULL));
  g_assert_true (_echoes_store_check_order (store, "p1", &error));
  g_assert_no_error (error);
  g_clear_object (&clip);
  clip = echoes_store_get_clip (store, "c1", &error);
  g_assert_cmpuint (echoes_clip_get_position (clip), ==, 2);

  /* Deleted on the server after the last local edit: trashed here (recoverable). */
  apply (store, "clip", remote_row ("c0", G_MAXINT64 / 2, TRUE, NULL));
  g_clear_pointer (&clips, g_ptr_array_unref);
  clips = echoes_store_list_clips (store, "p1", &error);
  g_assert_cmpuint (clips->len, ==, 2);
  g_assert_true (_echoes_store_check_order (store, "p1", &error));
  g_assert_true (echoes_store_restore_clip (store, "c0", 0, &error));
  g_assert_no_error (error);

  /* A row of the wrong type is refused, and changes nothing. */
  {
    g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);

    g_ptr_array_add (rows, g_variant_ref_sink (g_variant_new_string ("garbage")));
    g_assert_false (echoes_store_apply_remote (store, "clip", rows, &error));
    g_assert_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_INVALID);
    g_clear_error (&error);
  }

  echoes_test_drain (store);
  g_assert_finalize_object (g_steal_pointer (&store));
}

static void
test_missing_media_and_uploads (void)
{
  g_autoptr(EchoesStore) store = open_store ();
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GPtrArray) missing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *url = NULL;
  const char *clip_id, *kind, *relative;
  gint64 offset = 0;

  g_assert_true (echoes_store_set_default_synced (store, TRUE, &error));
  project = echoes_store_create_project (store, "Media", &error);
  clip = insert_clip (store, echoes_project_get_id (project), "m1", 0);

  missing = echoes_store_list_missing_media (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (missing->len, ==, 1);
  g_variant_get (g_ptr_array_index (missing, 0), "(&s&s&s)", &clip_id, &kind, &relative);
  g_assert_cmpstr (clip_id, ==, "m1");
  g_assert_cmpstr (kind, ==, "image");
  g_assert_cmpstr (relative, ==, echoes_clip_get_image (clip));
  g_clear_pointer (&missing, g_ptr_array_unref);

  path = echoes_store_resolve (store, echoes_clip_get_image (clip));
  dir = g_path_get_dirname (path);
  g_mkdir_with_parents (dir, 0700);
  g_assert_true (g_file_set_contents (path, "jpeg", 4, NULL));
  missing = echoes_store_list_missing_media (store, &error);
  g_assert_cmpuint (missing->len, ==, 0);

  g_assert_false (echoes_store_get_upload (store, "m1", "image", &url, &offset, &error));
  g_assert_no_error (error);
  g_assert_true (echoes_store_set_upload (store, "m1", "image", echoes_clip_get_image (clip),
                                          "http://127.0.0.1/upload/1", 42, 100, &error));
  g_assert_true (echoes_store_get_upload (store, "m1", "image", &url, &offset, &error));
  g_assert_cmpstr (url, ==, "http://127.0.0.1/upload/1");
  g_assert_cmpint (offset, ==, 42);
  g_assert_true (echoes_store_clear_upload (store, "m1", "image", &error));
  g_assert_false (echoes_store_get_upload (store, "m1", "image", NULL, NULL, &error));

  echoes_test_drain (store);
  g_assert_finalize_object (g_steal_pointer (&store));
}

/* The stamp moves with writes from this connection and from another one. */
static void
test_change_stamp (void)
{
  g_autoptr(EchoesStore) store = open_store ();
  g_autoptr(EchoesStore) other = open_store ();
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  guint64 stamp = echoes_store_get_change_stamp (store);

  g_assert_cmpuint (echoes_store_get_change_stamp (store), ==, stamp);
  project = echoes_store_create_project (other, "Elsewhere", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (echoes_store_get_change_stamp (store), !=, stamp);
  stamp = echoes_store_get_change_stamp (store);
  g_assert_true (echoes_store_set_sync_value (store, "pulled:clips", "12", &error));
  g_assert_cmpuint (echoes_store_get_change_stamp (store), !=, stamp);

  value = echoes_store_dup_sync_value (other, "pulled:clips", &error);
  g_assert_cmpstr (value, ==, "12");
  g_assert_true (echoes_store_set_sync_value (store, "pulled:clips", NULL, &error));
  g_clear_pointer (&value, g_free);
  value = echoes_store_dup_sync_value (other, "pulled:clips", &error);
  g_assert_no_error (error);
  g_assert_null (value);

  echoes_test_drain (other);
  g_assert_finalize_object (g_steal_pointer (&other));
  echoes_test_drain (store);
  g_assert_finalize_object (g_steal_pointer (&store));
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);

  g_test_add_func ("/echoes/store/sync/outbox", test_outbox);
  g_test_add_func ("/echoes/store/sync/apply-remote", test_apply_remote);
  g_test_add_func ("/echoes/store/sync/missing-media-and-uploads", test_missing_media_and_uploads);
  g_test_add_func ("/echoes/store/sync/change-stamp", test_change_stamp);

  return g_test_run ();
}
