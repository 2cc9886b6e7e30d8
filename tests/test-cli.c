/* test-cli.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* echoes-cli end to end: the real binary on a real store in the test's data dir. */

#include "config.h"

#include <json-glib/json-glib.h>

#include "echoes-music.h"
#include "echoes-test-media.h"
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

/* The language of the next commands (LANGUAGE), or NULL for the untranslated text. */
static const char *language;

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
  if (language != NULL)
    env = g_environ_setenv (env, "LANGUAGE", language, TRUE);
  else
    env = g_environ_unsetenv (env, "LANGUAGE");

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

static JsonObject *
project_object (Result     *r,
                const char *name)
{
  g_autoptr(JsonNode) node = NULL;
  JsonArray *array;

  run (r, "--json", "projects", "list", NULL);
  g_assert_cmpint (r->exit_code, ==, 0);
  node = parse (r->out);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member (object, "title"), name) == 0)
        return json_object_ref (object);
    }
  g_assert_not_reached ();
}

static EchoesMusic *
project_music (Result     *r,
               const char *name)
{
  g_autoptr(JsonObject) object = project_object (r, name);
  g_autoptr(GError) error = NULL;
  EchoesMusic *music;

  if (json_object_get_null_member (object, "music"))
    return NULL;
  music = echoes_music_parse (json_object_get_string_member (object, "music"), &error);
  g_assert_no_error (error);
  return music;
}

static void
test_projects_set (void)
{
  g_auto(Result) r = { 0 };
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "music", NULL);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *broken = g_build_filename (dir, "broken.mp3", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.ogg", NULL);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(EchoesMusic) music = NULL;

  g_mkdir_with_parents (dir, 0700);
  first = echoes_test_media_make_audio (dir, "first.wav", "wav", 48000, 1.0);
  second = echoes_test_media_make_audio (dir, "second.ogg", "ogg", 44100, 1.0);
  g_file_set_contents (broken, "ID3 but not really an MP3 file", -1, NULL);

  run (&r, "projects", "set", "--help", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  g_assert_nonnull (strstr (r.out, "--ratio"));
  g_assert_nonnull (strstr (r.out, "--no-music"));

  run (&r, "projects", "create", "Holiday", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);

  /* Ratio and music (several files after one --music) and volume in one go. */
  run (&r, "--json", "projects", "set", "Holiday", "--ratio", "9:16", "--music", first, second,
       "--volume", "0.8", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  object = project_object (&r, "Holiday");
  g_assert_cmpstr (json_object_get_string_member (object, "ratio"), ==, "9:16");
  music = project_music (&r, "Holiday");
  g_assert_nonnull (music);
  g_assert_cmpuint (g_strv_length (music->tracks), ==, 2);
  g_assert_cmpstr (music->tracks[0], ==, first);
  g_assert_cmpstr (music->tracks[1], ==, second);
  g_assert_cmpfloat_with_epsilon (music->volume, 0.8, 1e-9);
  g_clear_pointer (&music, echoes_music_free);
  g_clear_pointer (&object, json_object_unref);

  /* Bad values: a clear message, exit 1, and the project as it was. */
  run (&r, "projects", "set", "Holiday", "--ratio", "4:3", NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  g_assert_nonnull (strstr (r.err, "“4:3” is not a film shape"));
  run (&r, "projects", "set", "Holiday", "--music", missing, NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  g_assert_nonnull (strstr (r.err, "missing.ogg"));
  run (&r, "projects", "set", "Holiday", "--ratio", "1:1", "--music", broken, NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  g_assert_nonnull (strstr (r.err, "broken.mp3"));
  run (&r, "projects", "set", "Holiday", "--volume", "2.5", NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  g_assert_nonnull (strstr (r.err, "between 0 and 2"));
  run (&r, "projects", "set", "Holiday", NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  g_assert_nonnull (strstr (r.err, "Nothing to set"));
  run (&r, "projects", "set", "Holiday", "--music", first, "--no-music", NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  run (&r, "projects", "set", "Holiday", "--frobnicate", NULL);
  g_assert_cmpint (r.exit_code, ==, 2);

  object = project_object (&r, "Holiday");
  g_assert_cmpstr (json_object_get_string_member (object, "ratio"), ==, "9:16");
  music = project_music (&r, "Holiday");
  g_assert_cmpuint (g_strv_length (music->tracks), ==, 2);
  g_assert_cmpfloat_with_epsilon (music->volume, 0.8, 1e-9);
  g_clear_pointer (&music, echoes_music_free);
  g_clear_pointer (&object, json_object_unref);

  run (&r, "projects", "set", "Holiday", "--no-music", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  g_assert_null (project_music (&r, "Holiday"));
}

static JsonObject *
clip_object (Result     *r,
             const char *project,
             guint       index)
{
  g_autoptr(JsonNode) node = NULL;

  run (r, "--json", "clips", "list", project, NULL);
  g_assert_cmpint (r->exit_code, ==, 0);
  node = parse (r->out);
  return json_object_ref (json_array_get_object_element (json_node_get_array (node), index));
}

static double
motion_duration (JsonObject *clip)
{
  g_autoptr(GVariant) motion = NULL;
  double seconds = 0;

  motion = g_variant_parse (G_VARIANT_TYPE_VARDICT,
                            json_object_get_string_member (clip, "motion"), NULL, NULL, NULL);
  g_assert_nonnull (motion);
  g_assert_true (g_variant_lookup (motion, "duration", "d", &seconds));
  return seconds;
}

static void
test_clips_set (void)
{
  g_auto(Result) r = { 0 };
  g_autofree char *photos = g_build_filename (g_get_user_cache_dir (), "photos", NULL);
  g_autofree char *a = echoes_test_write_jpeg (photos, "a.jpg", 320, 240, 0xff0000);
  g_autofree char *id = NULL;
  g_autofree char *long_prompt = g_strnfill (1001, 'x');
  g_autoptr(JsonObject) clip = NULL;
  g_autoptr(GVariant) motion = NULL;
  const char *preset = NULL;

  run (&r, "clips", "set", "--help", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  g_assert_nonnull (strstr (r.out, "--motion"));
  g_assert_nonnull (strstr (r.out, "--duration"));

  run (&r, "projects", "create", "Motion", NULL);
  run (&r, "clips", "add", "Motion", a, NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  id = clip_id_at (&r, "Motion", 0);

  run (&r, "clips", "set", id, "--motion", "zoom-in", "--duration", "6", "--prompt",
       "  Waves roll onto the beach  ", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  clip = clip_object (&r, "Motion", 0);
  g_assert_cmpstr (json_object_get_string_member (clip, "prompt"), ==, "Waves roll onto the beach");
  g_assert_cmpstr (json_object_get_string_member (clip, "status"), ==, "pending");
  g_assert_cmpfloat (motion_duration (clip), ==, 6.0);
  motion = g_variant_parse (G_VARIANT_TYPE_VARDICT, json_object_get_string_member (clip, "motion"),
                            NULL, NULL, NULL);
  g_assert_true (g_variant_lookup (motion, "preset", "&s", &preset));
  g_assert_cmpstr (preset, ==, "zoom-in");
  g_clear_pointer (&clip, json_object_unref);

  /* Bad values: nothing changes. */
  run (&r, "clips", "set", id, "--motion", "spin", NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  g_assert_nonnull (strstr (r.err, "“spin” is not a motion"));
  run (&r, "clips", "set", id, "--duration", "11", NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  g_assert_nonnull (strstr (r.err, "from 2 to 10 seconds"));
  run (&r, "clips", "set", id, "--duration", "0", "--prompt", "other", NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  g_assert_nonnull (strstr (r.err, "from 2 to 10 seconds"));
  run (&r, "clips", "set", id, "--prompt", long_prompt, NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  g_assert_nonnull (strstr (r.err, "at most 1000 characters"));
  run (&r, "clips", "set", id, NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  run (&r, "clips", "set", "no-such-clip", "--duration", "3", NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  g_assert_nonnull (strstr (r.err, "No clip"));

  clip = clip_object (&r, "Motion", 0);
  g_assert_cmpfloat (motion_duration (clip), ==, 6.0);
  g_assert_cmpstr (json_object_get_string_member (clip, "prompt"), ==, "Waves roll onto the beach");
}

static void
test_fit_to_music (void)
{
  g_auto(Result) r = { 0 };
  g_autofree char *photos = g_build_filename (g_get_user_cache_dir (), "photos", NULL);
  g_autofree char *a = echoes_test_write_jpeg (photos, "a.jpg", 320, 240, 0xff0000);
  g_autofree char *b = echoes_test_write_jpeg (photos, "b.jpg", 320, 240, 0x00ff00);
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "music", NULL);
  g_autofree char *song = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(EchoesMusic) music = NULL;

  g_mkdir_with_parents (dir, 0700);
  song = echoes_test_media_make_audio (dir, "song.wav", "wav", 48000, 8.0);

  run (&r, "projects", "create", "Fit", NULL);
  run (&r, "clips", "add", "Fit", a, b, NULL);
  g_assert_cmpint (r.exit_code, ==, 0);

  run (&r, "projects", "fit-to-music", "Fit", NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  g_assert_nonnull (strstr (r.err, "no approved clips"));

  /* Two short clips, made for real by the offline provider, then approved. */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *id = clip_id_at (&r, "Fit", i);

      run (&r, "clips", "set", id, "--duration", "2", NULL);
      g_assert_cmpint (r.exit_code, ==, 0);
    }
  run (&r, "projects", "generate", "Fit", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *id = clip_id_at (&r, "Fit", i);

      run (&r, "clips", "approve", id, NULL);
      g_assert_cmpint (r.exit_code, ==, 0);
    }

  run (&r, "projects", "fit-to-music", "Fit", NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  g_assert_nonnull (strstr (r.err, "no music"));

  run (&r, "projects", "set", "Fit", "--music", song, NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  run (&r, "--json", "projects", "fit-to-music", "Fit", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  node = parse (r.out);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (node), "fits"));
  /* 8 s of music for two clips of 2 s: both must be made again, about 4 s long. */
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "longer"), ==, 2);

  music = project_music (&r, "Fit");
  g_assert_cmpuint (g_hash_table_size (music->durations), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonObject) clip = clip_object (&r, "Fit", i);
      GstClockTime duration = 0;

      g_assert_cmpstr (json_object_get_string_member (clip, "status"), ==, "pending");
      g_assert_true (echoes_music_get_clip_duration (music, json_object_get_string_member (clip, "id"),
                                                     &duration));
      g_assert_cmpfloat_with_epsilon (motion_duration (clip), (double) duration / GST_SECOND, 1e-6);
      g_assert_cmpfloat_with_epsilon (motion_duration (clip), 4.0, 0.1);
    }
}

/* echoes-cli in German, with the catalogue built in the build directory. */
/* Each clip is made with its own choice, else its project's, else the app's; a clip
 * whose provider cannot make it fails (never a silent Ken Burns); --provider forces one
 * for all. */
static void
test_provider_choice (void)
{
  g_auto(Result) r = { 0 };
  g_autofree char *photos = g_build_filename (g_get_user_cache_dir (), "photos", NULL);
  g_autofree char *a = echoes_test_write_jpeg (photos, "a.jpg", 320, 240, 0xff0000);
  g_autofree char *b = echoes_test_write_jpeg (photos, "b.jpg", 320, 240, 0x00ff00);
  g_autofree char *first = NULL;
  g_autoptr(JsonObject) clip = NULL;
  g_autoptr(JsonNode) node = NULL;

  run (&r, "projects", "create", "Choice", NULL);
  run (&r, "clips", "add", "Choice", a, b, NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *id = clip_id_at (&r, "Choice", i);

      run (&r, "clips", "set", id, "--duration", "2", NULL);
      g_assert_cmpint (r.exit_code, ==, 0);
    }

  run (&r, "projects", "set", "Choice", "--provider", "sora", NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  g_assert_nonnull (strstr (r.err, "“sora” is not a motion provider"));

  run (&r, "--json", "projects", "set", "Choice", "--provider", "runway", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  node = parse (r.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "provider"), ==, "runway");
  first = clip_id_at (&r, "Choice", 0);
  run (&r, "clips", "set", first, "--provider", "local", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);

  /* Nobody is signed in: the AI clip fails, the Ken Burns one is made. */
  run (&r, "projects", "generate", "Choice", NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  g_assert_nonnull (strstr (r.err, "1 of 2 clips failed"));
  clip = clip_object (&r, "Choice", 0);
  g_assert_cmpstr (json_object_get_string_member (clip, "status"), ==, "ready");
  g_assert_cmpstr (json_object_get_string_member (clip, "provider"), ==, "local");
  g_assert_cmpstr (json_object_get_string_member (clip, "provider_override"), ==, "local");
  g_clear_pointer (&clip, json_object_unref);
  clip = clip_object (&r, "Choice", 1);
  g_assert_cmpstr (json_object_get_string_member (clip, "status"), ==, "failed");
  g_assert_cmpstr (json_object_get_string_member (clip, "provider"), ==, "runway");
  g_assert_true (json_object_get_null_member (clip, "provider_override"));
  g_clear_pointer (&clip, json_object_unref);

  /* --provider wins over every choice, and changes none. */
  run (&r, "--provider", "local", "projects", "generate", "Choice", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  clip = clip_object (&r, "Choice", 1);
  g_assert_cmpstr (json_object_get_string_member (clip, "status"), ==, "ready");
  g_assert_cmpstr (json_object_get_string_member (clip, "provider"), ==, "local");
  g_assert_true (json_object_get_null_member (clip, "provider_override"));
  g_clear_pointer (&clip, json_object_unref);

  /* back to following the project: made again */
  run (&r, "clips", "set", first, "--provider", "default", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  clip = clip_object (&r, "Choice", 0);
  g_assert_true (json_object_get_null_member (clip, "provider_override"));
  g_assert_cmpstr (json_object_get_string_member (clip, "status"), ==, "pending");
}

static void
test_german (void)
{
  g_auto(Result) r = { 0 };

  g_assert_nonnull (g_getenv ("ECHOES_LOCALEDIR"));
  language = "de";

  run (&r, "projects", "create", "Sommer", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  run (&r, "projects", "list", NULL);
  g_assert_nonnull (strstr (r.out, "0 Clips\t0 freigegeben\tSommer"));

  run (&r, "projects", "set", "Sommer", "--ratio", "4:3", NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  g_assert_nonnull (strstr (r.err, "„4:3“ ist kein Filmformat; verwenden Sie 16:9, 9:16 oder 1:1"));
  run (&r, "projects", "delete", "Winter", NULL);
  g_assert_cmpint (r.exit_code, ==, 1);
  g_assert_nonnull (strstr (r.err, "Kein Projekt „Winter“"));

  run (&r, "clips", "set", "--help", NULL);
  g_assert_cmpint (r.exit_code, ==, 0);
  g_assert_nonnull (strstr (r.out, "Setzt Bewegung, Länge, Prompt eines Clips oder wie er animiert wird."));
  g_assert_null (strstr (r.out, "Sets a clip"));

  language = NULL;
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);
  gst_init (&argc, &argv);

  g_assert_nonnull (g_getenv ("ECHOES_CLI"));
  g_test_add_func ("/echoes/cli/projects", test_projects);
  g_test_add_func ("/echoes/cli/clips", test_clips);
  g_test_add_func ("/echoes/cli/projects-set", test_projects_set);
  g_test_add_func ("/echoes/cli/clips-set", test_clips_set);
  g_test_add_func ("/echoes/cli/fit-to-music", test_fit_to_music);
  g_test_add_func ("/echoes/cli/provider-choice", test_provider_choice);
  g_test_add_func ("/echoes/cli/german", test_german);

  return g_test_run ();
}
