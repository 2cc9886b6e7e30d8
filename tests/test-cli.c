/* test-cli.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* echoes-cli end to end: the real binary on a real store in the test's data dir. */

#include "config.h"

#include <json-glib/json-glib.h>

#include "echoes-test-util.h"

typedef struct
{
  char *out;
  char *err;
  int   exit_code;
} Result;

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static void
run (Result     *r,
     const char *first,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;
  int status;

  g_ptr_array_add (argv, (char *)g_getenv ("ECHOES_CLI"));
  va_start (args, first);
  for (arg = first; arg; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  env = g_environ_setenv (env, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  env = g_environ_setenv (env, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  env = g_environ_setenv (env, "XDG_DATA_DIRS", "/usr/local/share:/usr/share", TRUE);
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);

  result_clear (r);
  g_spawn_sync (NULL, (char **)argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
                &r->out, &r->err, &status, &error);
  g_assert_no_error (error);
  r->exit_code = WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
test_projects (void)
{
  g_auto(Result) r = { 0 };
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *id = NULL;
  JsonArray *array;

  run (&r, "projects", "create", "Summer 2026", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  run (&r, "--json", "projects", "create", "Grandma", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  node = parse (r.out);
  id = g_strdup (json_object_get_string_member (json_node_get_object (node), "id"));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "title"), ==, "Grandma");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "status"), ==, "in_progress");
  g_clear_pointer (&node, json_node_unref);

  run (&r, "projects", "rename", id, "Grandma's album", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);

  run (&r, "--json", "projects", "list", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  node = parse (r.out);
  array = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "title"),
                   ==, "Grandma's album");
  g_clear_pointer (&node, json_node_unref);

  /* by title */
  run (&r, "projects", "delete", "Summer 2026", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  run (&r, "projects", "list", NULL);
  g_assert_null (strstr (r.out, "Summer 2026"));
  g_assert_nonnull (strstr (r.out, "Grandma's album"));

  /* errors: message on stderr, non-zero exit, nothing on stdout */
  run (&r, "projects", "delete", "Nope", NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  g_assert_nonnull (strstr (r.err, "No project “Nope”"));
  g_assert_cmpstr (r.out, ==, "");
  run (&r, "projects", "create", "   ", NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  run (&r, "projects", "rename", id, NULL);
  g_assert_cmpint (r.exit_code, ==, 2);
  g_assert_nonnull (strstr (r.err, "Usage"));
  run (&r, "frobnicate", "it", NULL);
  g_assert_cmpint (r.exit_code, ==, 2);
}

static char *
clip_id_at (Result     *r,
            const char *project,
            guint       index)
{
  g_autoptr(JsonNode) node = NULL;

  run (r, "--json", "clips", "list", project, NULL);
  g_assert_cmpint (r->exit_code, ==, 0);
  node = parse (r->out);
  return g_strdup (json_object_get_string_member (
    json_array_get_object_element (json_node_get_array (node), index), "id"));
}

static void
test_clips (void)
{
  g_auto(Result) r = { 0 };
  g_autofree char *photos = g_build_filename (g_get_user_cache_dir (), "photos", NULL);
  g_autofree char *a = echoes_test_write_jpeg (photos, "a.jpg", 320, 240, 0xff0000);
  g_autofree char *b = echoes_test_write_jpeg (photos, "b.jpg", 320, 240, 0x00ff00);
  g_autofree char *c = echoes_test_write_jpeg (photos, "c.jpg", 320, 240, 0x0000ff);
  g_autofree char *bad = g_build_filename (photos, "bad.jpg", NULL);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *array;

  echoes_test_set_exif (a, "2020:01:01 00:00:01", 0);
  echoes_test_set_exif (b, "2020:01:01 00:00:02", 0);
  echoes_test_set_exif (c, "2020:01:01 00:00:03", 0);
  g_file_set_contents (bad, "not a photo", -1, NULL);

  run (&r, "projects", "create", "Film", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);

  /* one bad file: the others are added, the error is named, the exit is non-zero */
  run (&r, "clips", "add", "Film", c, bad, a, b, NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  g_assert_nonnull (strstr (r.err, "“bad.jpg” is not an image"));

  run (&r, "--json", "clips", "list", "Film", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  node = parse (r.out);
  array = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (array), ==, 3);
  /* capture order, not argument order */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "source_name"), ==, "a.jpg");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 2), "source_name"), ==, "c.jpg");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (array, 2), "order"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "status"), ==, "pending");
  g_clear_pointer (&node, json_node_unref);

  first = clip_id_at (&r, "Film", 0);
  run (&r, "clips", "approve", first, NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  run (&r, "clips", "move", first, "2", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  run (&r, "--json", "clips", "list", "Film", NULL);
  node = parse (r.out);
  array = json_node_get_array (node);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 2), "id"), ==, first);
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (array, 2), "approved"));
  g_clear_pointer (&node, json_node_unref);

  run (&r, "clips", "unapprove", first, NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  run (&r, "projects", "list", NULL);
  g_assert_nonnull (strstr (r.out, "3 clips\t0 approved\tFilm"));

  second = clip_id_at (&r, "Film", 1);
  run (&r, "clips", "delete", second, NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  run (&r, "--json", "clips", "list", "Film", NULL);
  node = parse (r.out);
  array = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (array, i), "order"), ==, i);

  run (&r, "clips", "move", first, "minus-one", NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  run (&r, "clips", "approve", "no-such-clip", NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  g_assert_nonnull (strstr (r.err, "No clip"));
  run (&r, "clips", "add", "Nope", a, NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);

  g_assert_nonnull (g_getenv ("ECHOES_CLI"));
  g_test_add_func ("/echoes/cli/projects", test_projects);
  g_test_add_func ("/echoes/cli/clips", test_clips);

  return g_test_run ();
}
