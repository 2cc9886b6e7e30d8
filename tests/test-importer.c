/* test-importer.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "echoes-importer.h"
#include "echoes-store-test-hooks.h"
#include "echoes-test-util.h"

typedef struct
{
  EchoesStore       *store;
  EchoesThumbnailer *thumbnailer;
  EchoesProject     *project;
  char              *photos;
  GPtrArray         *failures;  /* "name\tmessage" */
  GPtrArray         *added;
} Fixture;

static void
on_failed (EchoesImporter *importer,
           GFile          *file,
           GError         *error,
           Fixture        *f)
{
  g_autofree char *name = g_file_get_basename (file);

  g_ptr_array_add (f->failures, g_strdup_printf ("%s\t%s", name, error->message));
}

static void
on_added (EchoesImporter *importer,
          EchoesClip     *clip,
          Fixture        *f)
{
  g_ptr_array_add (f->added, g_object_ref (clip));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "echoes", NULL);

  f->store = echoes_store_open (NULL, &error);
  g_assert_no_error (error);
  f->thumbnailer = echoes_thumbnailer_new (cache);
  f->project = echoes_store_create_project (f->store, "Trip", &error);
  g_assert_no_error (error);
  f->photos = g_build_filename (g_get_user_cache_dir (), "photos", NULL);
  g_mkdir_with_parents (f->photos, 0700);
  f->failures = g_ptr_array_new_with_free_func (g_free);
  f->added = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->project);
  echoes_test_drain (f->thumbnailer);
  g_assert_finalize_object (g_steal_pointer (&f->thumbnailer));
  echoes_test_drain (f->store);
  g_assert_finalize_object (g_steal_pointer (&f->store));
  g_ptr_array_unref (f->failures);
  g_ptr_array_unref (f->added);
  g_free (f->photos);
}

static EchoesImporter *
make_importer (Fixture *f)
{
  EchoesImporter *importer = echoes_importer_new (f->store, f->thumbnailer,
                                                  echoes_project_get_id (f->project));

  g_signal_connect (importer, "file-failed", G_CALLBACK (on_failed), f);
  g_signal_connect (importer, "clip-added", G_CALLBACK (on_added), f);
  return importer;
}

static GPtrArray *
files_of (const char * const *paths)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; paths[i]; i++)
    g_ptr_array_add (files, g_file_new_for_path (paths[i]));
  return files;
}

static void
test_good_and_bad (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(EchoesImporter) importer = make_importer (f);
  g_autofree char *a = echoes_test_write_jpeg (f->photos, "a.jpg", 640, 480, 0xff0000);
  g_autofree char *b = echoes_test_write_jpeg (f->photos, "b.jpg", 640, 480, 0x00ff00);
  g_autofree char *empty = g_build_filename (f->photos, "empty.jpg", NULL);
  g_autofree char *text = g_build_filename (f->photos, "readme.jpg", NULL);
  g_autofree char *missing = g_build_filename (f->photos, "gone.jpg", NULL);
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesClip) existing = echoes_clip_new ("existing", echoes_project_get_id (f->project));

  /* a clip already in the project must not be touched */
  echoes_clip_set_image (existing, "images/elsewhere.jpg");
  echoes_clip_set_approved (existing, TRUE);
  g_assert_true (echoes_store_insert_clip (f->store, existing, 0, &error));

  g_file_set_contents (empty, "", 0, NULL);
  g_file_set_contents (text, "hello", -1, NULL);
  files = files_of ((const char *[]) { a, empty, b, text, missing, NULL });

  g_assert_true (echoes_importer_import (importer, files, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (echoes_importer_get_total (importer), ==, 5);
  g_assert_cmpuint (echoes_importer_get_done (importer), ==, 5);
  g_assert_cmpuint (echoes_importer_get_failed (importer), ==, 3);
  g_assert_cmpfloat (echoes_importer_get_fraction (importer), ==, 1.0);
  g_assert_cmpuint (f->added->len, ==, 2);
  g_assert_cmpuint (f->failures->len, ==, 3);
  for (guint i = 0; i < f->failures->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (f->failures, i), "\t", 2);

      /* each message names its file */
      g_assert_nonnull (strstr (parts[1], parts[0]));
    }

  clips = echoes_store_list_clips (f->store, echoes_project_get_id (f->project), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clips->len, ==, 3);
  g_assert_cmpstr (echoes_clip_get_id (g_ptr_array_index (clips, 0)), ==, "existing");
  g_assert_true (echoes_clip_get_approved (g_ptr_array_index (clips, 0)));

  for (guint i = 1; i < clips->len; i++)
    {
      EchoesClip *clip = g_ptr_array_index (clips, i);
      g_autofree char *path = echoes_store_resolve (f->store, echoes_clip_get_image (clip));
      g_autofree char *expected = g_strdup_printf ("images/%s/%s.jpg",
                                                   echoes_project_get_id (f->project),
                                                   echoes_clip_get_id (clip));

      g_assert_cmpstr (echoes_clip_get_image (clip), ==, expected);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      g_assert_cmpint (echoes_clip_get_status (clip), ==, ECHOES_CLIP_STATUS_PENDING);
    }

  /* nothing of the refused files was kept */
  {
    g_autofree char *dir = g_build_filename (echoes_store_get_data_dir (f->store), "images",
                                             echoes_project_get_id (f->project), NULL);
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    guint n = 0;

    while (g_dir_read_name (d))
      n++;
    g_assert_cmpuint (n, ==, 2);
  }
}

static void
test_capture_order (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(EchoesImporter) importer = make_importer (f);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) before_sort = NULL;
  const guint n = 12;
  guint order[12];

  /* dated photos named against their dates, offered in shuffled order */
  for (guint i = 0; i < n; i++)
    order[i] = i;
  for (guint i = n - 1; i > 0; i--)
    {
      guint j = g_test_rand_int_range (0, i + 1);
      guint t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("IMG_%02u.jpg", n - order[i]);
      g_autofree char *path = echoes_test_write_jpeg (f->photos, name, 320, 240, 0x808080);
      g_autofree char *when = g_strdup_printf ("2024:05:%02u 10:00:00", order[i] + 1);

      echoes_test_set_exif (path, when, 0);
      g_ptr_array_add (files, g_file_new_for_path (path));
    }

  g_assert_true (echoes_importer_import (importer, files, NULL, &error));
  g_assert_no_error (error);

  clips = echoes_store_list_clips (f->store, echoes_project_get_id (f->project), &error);
  g_assert_cmpuint (clips->len, ==, n);
  for (guint i = 1; i < n; i++)
    g_assert_cmpint (echoes_clip_get_capture_time (g_ptr_array_index (clips, i - 1)), <,
                     echoes_clip_get_capture_time (g_ptr_array_index (clips, i)));
  g_clear_pointer (&clips, g_ptr_array_unref);

  /* the user shuffles the timeline; Sort by Date puts it back, and undo restores */
  g_assert_true (echoes_store_move_clip (f->store, echoes_clip_get_id (g_ptr_array_index (f->added, 0)), 7, &error));
  g_assert_true (echoes_store_move_clip (f->store, echoes_clip_get_id (g_ptr_array_index (f->added, 3)), 0, &error));
  before_sort = echoes_store_dup_clip_order (f->store, echoes_project_get_id (f->project), &error);
  g_assert_true (echoes_store_sort_clips_by_date (f->store, echoes_project_get_id (f->project), &error));
  g_assert_no_error (error);
  clips = echoes_store_list_clips (f->store, echoes_project_get_id (f->project), &error);
  for (guint i = 1; i < n; i++)
    g_assert_cmpint (echoes_clip_get_capture_time (g_ptr_array_index (clips, i - 1)), <,
                     echoes_clip_get_capture_time (g_ptr_array_index (clips, i)));
  g_clear_pointer (&clips, g_ptr_array_unref);

  g_assert_true (echoes_store_set_clip_order (f->store, echoes_project_get_id (f->project),
                                              (const char * const *)before_sort, &error));
  clips = echoes_store_list_clips (f->store, echoes_project_get_id (f->project), &error);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (echoes_clip_get_id (g_ptr_array_index (clips, i)), ==, before_sort[i]);
}

static void
notify_done (EchoesImporter *importer,
             GParamSpec     *pspec,
             GCancellable   *cancellable)
{
  if (echoes_importer_get_done (importer) == 2)
    g_cancellable_cancel (cancellable);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(EchoesImporter) importer = make_importer (f);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = echoes_test_write_jpeg (f->photos, "same.jpg", 1200, 900, 0x123456);

  for (guint i = 0; i < 200; i++)
    g_ptr_array_add (files, g_file_new_for_path (path));

  g_signal_connect (importer, "notify::done", G_CALLBACK (notify_done), cancellable);
  g_assert_false (echoes_importer_import (importer, files, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* what was added before the cancel stays, consistently; the rest never started */
  clips = echoes_store_list_clips (f->store, echoes_project_get_id (f->project), NULL);
  g_assert_cmpuint (clips->len, ==, f->added->len);
  g_assert_cmpuint (clips->len, >=, 2);
  g_assert_cmpuint (clips->len, <, 200);
  g_assert_true (_echoes_store_check_order (f->store, echoes_project_get_id (f->project), NULL));
}

static void
test_project_gone (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(EchoesImporter) importer = NULL;
  g_autofree char *a = echoes_test_write_jpeg (f->photos, "a.jpg", 64, 48, 0xff0000);
  g_autoptr(GPtrArray) files = files_of ((const char *[]) { a, NULL });
  g_autoptr(GError) error = NULL;

  g_assert_true (echoes_store_trash_project (f->store, echoes_project_get_id (f->project), NULL));
  echoes_store_purge_trash (f->store, NULL, NULL);

  importer = make_importer (f);
  g_assert_true (echoes_importer_import (importer, files, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->failures->len, ==, 1);
  g_assert_cmpuint (f->added->len, ==, 0);

  /* the copied image was removed again */
  {
    g_autofree char *dir = g_build_filename (echoes_store_get_data_dir (f->store), "images",
                                             echoes_project_get_id (f->project), NULL);
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);

    g_assert_true (d == NULL || g_dir_read_name (d) == NULL);
  }
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);

  g_test_add ("/echoes/import/importer/good-and-bad", Fixture, NULL, fixture_setup, test_good_and_bad, fixture_teardown);
  g_test_add ("/echoes/import/importer/capture-order", Fixture, NULL, fixture_setup, test_capture_order, fixture_teardown);
  g_test_add ("/echoes/import/importer/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/echoes/import/importer/project-gone", Fixture, NULL, fixture_setup, test_project_gone, fixture_teardown);

  return g_test_run ();
}
