/* test-library.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "echoes-library.h"
#include "echoes-test-util.h"

typedef struct
{
  EchoesStore   *store;
  EchoesLibrary *library;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->store = echoes_store_open (NULL, &error);
  g_assert_no_error (error);
  f->library = echoes_library_new (f->store);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  echoes_test_drain (f->library);
  g_assert_finalize_object (g_steal_pointer (&f->library));
  echoes_test_drain (f->store);
  g_assert_finalize_object (g_steal_pointer (&f->store));
}

typedef struct
{
  GListModel *model;
  guint       n;
} CountWait;

static gboolean
has_n_items (gpointer data)
{
  CountWait *w = data;

  return g_list_model_get_n_items (w->model) == w->n;
}

static void
wait_n (GListModel *model,
        guint       n)
{
  CountWait w = { model, n };

  g_assert_true (echoes_test_wait_until (has_n_items, &w, 10000));
}

static void
created_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  EchoesProject **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = echoes_library_create_project_finish (ECHOES_LIBRARY (object), result, &error);
  g_assert_no_error (error);
}

static EchoesProject *
create_project (EchoesLibrary *library,
                const char    *title)
{
  EchoesProject *project = NULL;

  echoes_library_create_project_async (library, title, NULL, created_cb, &project);
  while (project == NULL)
    g_main_context_iteration (NULL, TRUE);
  return project;
}

static gboolean
library_idle (gpointer data)
{
  gboolean *done = data;

  *done = TRUE;
  return G_SOURCE_REMOVE;
}

/* Everything queued on the store before this has been applied to the models. */
static void
flush (Fixture *f)
{
  g_autoptr(EchoesProject) probe = create_project (f->library, "flush");
  gboolean done = FALSE;

  g_idle_add (library_idle, &done);
  echoes_test_wait (&done);
  echoes_library_trash_project (f->library, echoes_project_get_id (probe));
  wait_n (echoes_library_get_projects (f->library),
          g_list_model_get_n_items (echoes_library_get_projects (f->library)) - 1);
}

static void
items_changed (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               guint      *changes)
{
  *changes += removed + added;
}

static void
test_projects_model (Fixture       *f,
                     gconstpointer  data)
{
  GListModel *projects = echoes_library_get_projects (f->library);
  g_autoptr(EchoesProject) a = create_project (f->library, "A");
  g_autoptr(EchoesProject) b = create_project (f->library, "B");
  g_autoptr(EchoesProject) first = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (projects), ==, 2);
  /* the object returned is the one in the model */
  first = g_list_model_get_item (projects, 0);
  g_assert_true (first == b);
  g_assert_true (echoes_library_find_project (f->library, echoes_project_get_id (a)) == a);

  echoes_project_set_title (a, "A renamed");
  echoes_library_update_project (f->library, a);
  echoes_library_trash_project (f->library, echoes_project_get_id (b));
  wait_n (projects, 1);
  g_assert_null (echoes_library_find_project (f->library, echoes_project_get_id (b)));

  echoes_library_restore_project (f->library, echoes_project_get_id (b));
  wait_n (projects, 2);
  {
    g_autoptr(EchoesProject) fresh = echoes_store_get_project (f->store, echoes_project_get_id (a), NULL);

    g_assert_cmpstr (echoes_project_get_title (fresh), ==, "A renamed");
  }
}

static void
test_clips_model (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(EchoesProject) project = create_project (f->library, "P");
  const char *pid = echoes_project_get_id (project);
  GListModel *clips = echoes_library_get_clips (f->library, pid);
  g_autoptr(EchoesClip) c0 = NULL;
  g_autoptr(EchoesClip) c2 = NULL;
  g_autoptr(EchoesClip) moved = NULL;
  g_autoptr(GError) error = NULL;
  guint changes = 0;

  /* a worker (the importer) writes to the store; a reload shows it */
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *id = g_strdup_printf ("clip-%u", i);
      g_autoptr(EchoesClip) clip = echoes_clip_new (id, pid);

      echoes_clip_set_image (clip, "images/x.jpg");
      g_assert_true (echoes_store_insert_clip (f->store, clip, i, &error));
    }
  echoes_library_reload (f->library, pid);
  wait_n (clips, 5);

  c0 = g_list_model_get_item (clips, 0);
  c2 = g_list_model_get_item (clips, 2);
  g_assert_cmpstr (echoes_clip_get_id (c0), ==, "clip-0");

  /* a move splices only the range that changed and keeps the objects */
  g_signal_connect (clips, "items-changed", G_CALLBACK (items_changed), &changes);
  echoes_library_move_clip (f->library, c0, 2);
  flush (f);
  moved = g_list_model_get_item (clips, 2);
  g_assert_true (moved == c0);
  g_assert_cmpuint (echoes_clip_get_position (c0), ==, 2);
  g_assert_cmpuint (echoes_clip_get_position (c2), ==, 1);
  g_assert_cmpuint (changes, ==, 6);   /* 3 removed + 3 added, not 10 */

  /* approving is saved and the same object is updated */
  echoes_clip_set_approved (c2, TRUE);
  echoes_library_update_clip (f->library, c2);
  echoes_library_trash_clip (f->library, c0);
  wait_n (clips, 4);
  echoes_library_restore_clip (f->library, pid, "clip-0", 2);
  wait_n (clips, 5);
  g_clear_object (&moved);
  moved = g_list_model_get_item (clips, 2);
  g_assert_cmpstr (echoes_clip_get_id (moved), ==, "clip-0");
  {
    g_autoptr(EchoesClip) stored = echoes_store_get_clip (f->store, echoes_clip_get_id (c2), NULL);

    g_assert_true (echoes_clip_get_approved (stored));
  }
  {
    EchoesProject *counted = echoes_library_find_project (f->library, pid);

    g_assert_cmpuint (echoes_project_get_clip_count (counted), ==, 5);
    g_assert_cmpuint (echoes_project_get_approved_count (counted), ==, 1);
  }
}

static void
sorted_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GStrv *out = user_data;
  g_autoptr(GError) error = NULL;

  *out = echoes_library_sort_by_date_finish (ECHOES_LIBRARY (object), result, &error);
  g_assert_no_error (error);
}

static void
test_sort_and_undo (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(EchoesProject) project = create_project (f->library, "P");
  const char *pid = echoes_project_get_id (project);
  GListModel *clips = echoes_library_get_clips (f->library, pid);
  g_auto(GStrv) previous = NULL;
  const gint64 times[] = { 30, 10, 20 };

  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      g_autofree char *id = g_strdup_printf ("c%u", i);
      g_autoptr(EchoesClip) clip = echoes_clip_new (id, pid);

      g_object_set (clip, "image", "images/x.jpg", "capture-time", times[i], NULL);
      g_assert_true (echoes_store_insert_clip (f->store, clip, i, NULL));
    }
  echoes_library_reload (f->library, pid);
  wait_n (clips, 3);

  echoes_library_sort_by_date_async (f->library, pid, NULL, sorted_cb, &previous);
  while (previous == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstrv (previous, ((const char *[]) { "c0", "c1", "c2", NULL }));
  {
    g_autoptr(EchoesClip) first = g_list_model_get_item (clips, 0);
    g_assert_cmpstr (echoes_clip_get_id (first), ==, "c1");
  }

  echoes_library_set_clip_order (f->library, pid, (const char * const *)previous);
  flush (f);
  {
    g_autoptr(EchoesClip) first = g_list_model_get_item (clips, 0);
    g_assert_cmpstr (echoes_clip_get_id (first), ==, "c0");
  }
}

static void
on_error (EchoesLibrary *library,
          GError        *error,
          GError       **out)
{
  *out = g_error_copy (error);
}

static void
test_error_signal (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(EchoesProject) project = create_project (f->library, "P");
  g_autoptr(EchoesClip) ghost = echoes_clip_new ("ghost", echoes_project_get_id (project));
  g_autoptr(GError) error = NULL;

  g_signal_connect (f->library, "error", G_CALLBACK (on_error), &error);
  g_test_expect_message ("echoes-library", G_LOG_LEVEL_WARNING, "*No clip ghost*");
  echoes_library_move_clip (f->library, ghost, 0);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_test_assert_expected_messages ();
  g_assert_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND);
  g_signal_handlers_disconnect_by_func (f->library, on_error, &error);
  /* the models are re-read after a failure: let that finish */
  flush (f);
}

typedef struct
{
  EchoesLibrary *library;
  const char    *project_id;
  GListModel    *clips;
} ElsewhereWait;

static gboolean
shows_other_writes (gpointer data)
{
  ElsewhereWait *w = data;
  EchoesProject *project = echoes_library_find_project (w->library, w->project_id);

  return project != NULL && g_list_model_get_n_items (w->clips) == 1;
}

/* Another connection (echoes-cli, a second instance) writes: the models follow. */
static void
test_other_connection (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(EchoesProject) mine = create_project (f->library, "Mine");
  g_autoptr(EchoesStore) other = NULL;
  g_autoptr(EchoesProject) theirs = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *clips = echoes_library_get_clips (f->library, echoes_project_get_id (mine));
  ElsewhereWait w = { f->library, NULL, clips };

  wait_n (echoes_library_get_projects (f->library), 1);

  other = echoes_store_open (echoes_store_get_data_dir (f->store), &error);
  g_assert_no_error (error);
  theirs = echoes_store_create_project (other, "From the CLI", &error);
  g_assert_no_error (error);
  clip = echoes_clip_new ("clip-elsewhere", echoes_project_get_id (mine));
  echoes_clip_set_image (clip, "images/x/clip-elsewhere.jpg");
  g_assert_true (echoes_store_insert_clip (other, clip, 0, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (g_steal_pointer (&other));

  /* Noticed within a second of the commit: the library polls every half second. */
  w.project_id = echoes_project_get_id (theirs);
  g_assert_true (echoes_test_wait_until (shows_other_writes, &w, 1000));
  g_assert_cmpuint (g_list_model_get_n_items (echoes_library_get_projects (f->library)), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);

  g_test_add ("/echoes/store/library/projects", Fixture, NULL, fixture_setup, test_projects_model, fixture_teardown);
  g_test_add ("/echoes/store/library/clips", Fixture, NULL, fixture_setup, test_clips_model, fixture_teardown);
  g_test_add ("/echoes/store/library/sort-and-undo", Fixture, NULL, fixture_setup, test_sort_and_undo, fixture_teardown);
  g_test_add ("/echoes/store/library/error-signal", Fixture, NULL, fixture_setup, test_error_signal, fixture_teardown);
  g_test_add ("/echoes/store/library/other-connection", Fixture, NULL, fixture_setup, test_other_connection, fixture_teardown);

  return g_test_run ();
}
