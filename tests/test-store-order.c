/* test-store-order.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Property test: after any sequence of add, move, delete, undo of a delete, sort and
 * undo of a sort, every project's clip order is exactly 0..n-1 and matches a plain
 * in-memory model of the same operations. */

#include "config.h"

#include "echoes-store-test-hooks.h"

typedef struct
{
  char  *id;
  guint  position;
} Trashed;

typedef struct
{
  char      *project_id;
  GPtrArray *model;     /* ids in expected order */
  GArray    *trashed;   /* Trashed, an undo stack */
  GHashTable *time;     /* id -> capture time */
} Project;

static void
check_project (EchoesStore *store,
               Project     *p)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) clips = NULL;

  g_assert_true (_echoes_store_check_order (store, p->project_id, &error));
  g_assert_no_error (error);

  clips = echoes_store_list_clips (store, p->project_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clips->len, ==, p->model->len);
  for (guint i = 0; i < clips->len; i++)
    {
      EchoesClip *clip = g_ptr_array_index (clips, i);

      g_assert_cmpstr (echoes_clip_get_id (clip), ==, g_ptr_array_index (p->model, i));
      g_assert_cmpuint (echoes_clip_get_position (clip), ==, i);
    }
}

static int
compare_by_time (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  GHashTable *time = user_data;
  const char *ia = *(const char **)a;
  const char *ib = *(const char **)b;
  gint64 ta = GPOINTER_TO_SIZE (g_hash_table_lookup (time, ia));
  gint64 tb = GPOINTER_TO_SIZE (g_hash_table_lookup (time, ib));

  /* same key as the store: time, then name (= id here, as source_name is the id) */
  if (ta != tb)
    return ta < tb ? -1 : 1;
  return g_ascii_strcasecmp (ia, ib);
}

static void
test_order_random_operations (void)
{
  g_autoptr(EchoesStore) store = NULL;
  g_autoptr(GError) error = NULL;
  Project projects[3];
  guint n_ops = g_test_slow () ? 5000 : 1500;

  store = echoes_store_open (NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (projects); i++)
    {
      g_autoptr(EchoesProject) project = echoes_store_create_project (store, "P", &error);

      g_assert_no_error (error);
      projects[i].project_id = g_strdup (echoes_project_get_id (project));
      projects[i].model = g_ptr_array_new_with_free_func (g_free);
      projects[i].trashed = g_array_new (FALSE, FALSE, sizeof (Trashed));
      projects[i].time = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }

  for (guint op = 0; op < n_ops; op++)
    {
      Project *p = &projects[g_test_rand_int_range (0, G_N_ELEMENTS (projects))];
      guint n = p->model->len;
      int kind = g_test_rand_int_range (0, 100);

      if (kind < 35 || n == 0)
        {
          /* add at a random place, sometimes past the end */
          g_autofree char *id = g_uuid_string_random ();
          g_autoptr(EchoesClip) clip = echoes_clip_new (id, p->project_id);
          guint position = g_test_rand_int_range (0, n + 3);
          gint64 time = g_test_rand_int_range (1, 50);

          g_object_set (clip, "image", "images/x.jpg", "source-name", id,
                        "capture-time", time, NULL);
          g_assert_true (echoes_store_insert_clip (store, clip, position, &error));
          g_assert_no_error (error);
          g_ptr_array_insert (p->model, MIN (position, n), g_strdup (id));
          g_hash_table_insert (p->time, g_strdup (id), GSIZE_TO_POINTER (time));
        }
      else if (kind < 60)
        {
          guint from = g_test_rand_int_range (0, n);
          guint to = g_test_rand_int_range (0, n + 2);
          char *id = g_ptr_array_steal_index (p->model, from);

          g_assert_true (echoes_store_move_clip (store, id, to, &error));
          g_assert_no_error (error);
          g_ptr_array_insert (p->model, MIN (to, p->model->len), id);
        }
      else if (kind < 78)
        {
          guint at = g_test_rand_int_range (0, n);
          Trashed t = { g_ptr_array_steal_index (p->model, at), at };

          g_assert_true (echoes_store_trash_clip (store, t.id, &error));
          g_assert_no_error (error);
          g_array_append_val (p->trashed, t);
        }
      else if (kind < 90 && p->trashed->len > 0)
        {
          /* undo the last delete: back where it was */
          Trashed t = g_array_index (p->trashed, Trashed, p->trashed->len - 1);

          g_array_set_size (p->trashed, p->trashed->len - 1);
          g_assert_true (echoes_store_restore_clip (store, t.id, t.position, &error));
          g_assert_no_error (error);
          g_ptr_array_insert (p->model, MIN (t.position, p->model->len), t.id);
        }
      else if (kind < 96)
        {
          /* sort by date, then sometimes undo it */
          g_auto(GStrv) before = echoes_store_dup_clip_order (store, p->project_id, &error);

          g_assert_no_error (error);
          g_assert_true (echoes_store_sort_clips_by_date (store, p->project_id, &error));
          g_assert_no_error (error);
          g_ptr_array_sort_with_data (p->model, compare_by_time, p->time);
          check_project (store, p);

          if (g_test_rand_bit ())
            {
              g_assert_true (echoes_store_set_clip_order (store, p->project_id,
                                                          (const char * const *)before, &error));
              g_assert_no_error (error);
              g_ptr_array_set_size (p->model, 0);
              for (guint i = 0; before[i]; i++)
                g_ptr_array_add (p->model, g_strdup (before[i]));
            }
        }
      else
        {
          /* an order that is not a permutation is refused and changes nothing */
          g_autoptr(GPtrArray) bad = g_ptr_array_new ();

          for (guint i = 0; i + 1 < n; i++)
            g_ptr_array_add (bad, g_ptr_array_index (p->model, i));
          if (n > 1)
            g_ptr_array_add (bad, g_ptr_array_index (p->model, 0));
          g_ptr_array_add (bad, NULL);
          g_assert_false (echoes_store_set_clip_order (store, p->project_id,
                                                       (const char * const *)bad->pdata, &error));
          g_assert_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_INVALID);
          g_clear_error (&error);
        }

      check_project (store, p);
    }

  for (guint i = 0; i < G_N_ELEMENTS (projects); i++)
    {
      for (guint j = 0; j < projects[i].trashed->len; j++)
        g_free (g_array_index (projects[i].trashed, Trashed, j).id);
      g_array_unref (projects[i].trashed);
      g_ptr_array_unref (projects[i].model);
      g_hash_table_unref (projects[i].time);
      g_free (projects[i].project_id);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/echoes/store/order/random-operations", test_order_random_operations);

  return g_test_run ();
}
