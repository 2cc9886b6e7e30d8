/* test-paths.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "echoes-paths.h"
#include "echoes-util.h"

static void
test_paths_layout (void)
{
  g_autofree char *image = echoes_paths_image_relative ("p", "c", "jpg");
  g_autofree char *video = echoes_paths_video_relative ("p", "c");
  g_autofree char *abs = echoes_paths_resolve ("/data", image);
  g_autofree char *same = echoes_paths_resolve ("/data", "/elsewhere/x.jpg");
  g_autofree char *db = echoes_paths_dup_database ();
  g_autofree char *state = echoes_paths_generation_state_relative ("c");

  g_assert_cmpstr (image, ==, "images/p/c.jpg");
  g_assert_cmpstr (state, ==, ECHOES_PATHS_GENERATIONS_DIR "/c.json");
  g_assert_cmpstr (ECHOES_PATHS_GENERATIONS_DIR, ==, "generations");
  g_assert_cmpstr (video, ==, "clips/p/c.mp4");
  g_assert_cmpstr (abs, ==, "/data/images/p/c.jpg");
  g_assert_cmpstr (same, ==, "/elsewhere/x.jpg");
  g_assert_null (echoes_paths_resolve ("/data", NULL));
  g_assert_true (g_str_has_prefix (db, g_get_user_data_dir ()));
  g_assert_true (g_str_has_suffix (db, "/echoes/echoes.db"));
}

static void
test_copy_atomic (void)
{
  g_autofree char *src = g_build_filename (g_get_user_data_dir (), "src.bin", NULL);
  g_autofree char *dest = g_build_filename (g_get_user_data_dir (), "a", "b", "dest.bin", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GFile) source = g_file_new_for_path (src);
  g_autoptr(GFile) missing = g_file_new_for_path ("/nonexistent/file");
  /* opens fine, then fails on the first read (EIO at address 0) */
  g_autoptr(GFile) unreadable = g_file_new_for_path ("/proc/self/mem");
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *dest_dir = g_path_get_dirname (dest);
  gsize len;

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  g_file_set_contents (src, "hello", 5, &error);
  g_assert_no_error (error);

  g_assert_true (echoes_file_copy_atomic (source, dest, NULL, &error));
  g_assert_no_error (error);
  g_file_get_contents (dest, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "hello");

  /* A failed copy leaves neither the destination nor a temp file behind. */
  g_unlink (dest);
  g_assert_false (echoes_file_copy_atomic (missing, dest, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));

  g_assert_false (echoes_file_copy_atomic (unreadable, dest, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  dir = g_dir_open (dest_dir, 0, &error);
  g_assert_no_error (error);
  g_assert_null (g_dir_read_name (dir));
}

static void
test_set_str (void)
{
  g_autofree char *s = NULL;

  g_assert_true (echoes_set_str (&s, "a"));
  g_assert_false (echoes_set_str (&s, "a"));
  g_assert_true (echoes_set_str (&s, NULL));
  g_assert_null (s);
  g_assert_false (echoes_set_str (&s, NULL));
}

static void
test_base64url (void)
{
  static const guint8 bytes[] = { 0xfb, 0xff, 0x3e };
  g_autofree char *text = echoes_base64url_encode (bytes, 2);
  g_autofree guint8 *back = NULL;
  g_autofree guint8 *padded = NULL;
  g_autofree guint8 *bad = NULL;
  g_autofree char *a = echoes_random_base64url (32);
  g_autofree char *b = echoes_random_base64url (32);
  gsize len = 0;

  /* RFC 4648 §5: - and _ for + and /, no padding. */
  g_assert_cmpstr (text, ==, "-_8");
  back = echoes_base64url_decode (text, &len);
  g_assert_cmpmem (back, len, bytes, 2);
  padded = echoes_base64url_decode ("-_8=", &len);
  g_assert_cmpmem (padded, len, bytes, 2);
  bad = echoes_base64url_decode ("a+b/", &len);
  g_assert_null (bad);
  g_assert_cmpuint (len, ==, 0);

  /* 32 random bytes: 43 characters, never the same twice. */
  g_assert_cmpuint (strlen (a), ==, 43);
  g_assert_cmpstr (a, !=, b);
  g_assert_cmpuint (strspn (a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), ==, 43);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/echoes/core/paths/layout", test_paths_layout);
  g_test_add_func ("/echoes/core/util/copy-atomic", test_copy_atomic);
  g_test_add_func ("/echoes/core/util/set-str", test_set_str);
  g_test_add_func ("/echoes/core/util/base64url", test_base64url);

  return g_test_run ();
}
