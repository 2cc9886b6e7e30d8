/* test-project-settings.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The checks the app and echoes-cli share for a project's and a clip's settings: a bad
 * value is refused with a clear message and changes nothing; a good one changes only
 * what it names. */

#include "config.h"

#include <math.h>

#include "echoes-music.h"
#include "echoes-project-settings.h"
#include "echoes-test-media.h"
#include "echoes-test-util.h"

static void
test_ratio (void)
{
  g_autoptr(EchoesProject) project = echoes_project_new ("p1");
  g_autoptr(GError) error = NULL;
  const char * const *ratios = echoes_project_settings_get_ratios ();

  g_assert_cmpuint (g_strv_length ((char **) ratios), ==, 3);
  g_assert_cmpstr (ratios[0], ==, "16:9");

  for (guint i = 0; ratios[i] != NULL; i++)
    {
      g_assert_true (echoes_project_settings_set_ratio (project, ratios[i], &error));
      g_assert_no_error (error);
      g_assert_cmpstr (echoes_project_get_ratio (project), ==, ratios[i]);
    }

  g_assert_false (echoes_project_settings_set_ratio (project, "4:3", &error));
  g_assert_error (error, ECHOES_PROJECT_SETTINGS_ERROR, ECHOES_PROJECT_SETTINGS_ERROR_RATIO);
  g_assert_nonnull (strstr (error->message, "“4:3”"));
  g_assert_cmpstr (echoes_project_get_ratio (project), ==, "1:1");
  g_clear_error (&error);

  g_assert_false (echoes_project_settings_set_ratio (project, "", &error));
  g_assert_error (error, ECHOES_PROJECT_SETTINGS_ERROR, ECHOES_PROJECT_SETTINGS_ERROR_RATIO);

  g_assert_finalize_object (g_steal_pointer (&project));
}

static void
test_music (void)
{
  g_autoptr(EchoesProject) project = echoes_project_new ("p1");
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "music", NULL);
  g_autofree char *song = NULL;
  g_autofree char *broken = g_build_filename (dir, "broken.ogg", NULL);
  g_autoptr(EchoesMusic) music = NULL;
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0700);
  song = echoes_test_media_make_audio (dir, "song.wav", "wav", 48000, 0.5);
  g_file_set_contents (broken, "OggS but nothing else", -1, NULL);

  /* The volume first, the tracks after: each keeps the other. */
  g_assert_true (echoes_project_settings_set_volume (project, 0.5, &error));
  g_assert_true (echoes_project_settings_set_music (project, (const char *[]) { song, NULL },
                                                    NULL, &error));
  g_assert_no_error (error);
  music = echoes_music_parse (echoes_project_get_music (project), &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (music->tracks, ((const char *[]) { song, NULL }));
  g_assert_cmpfloat (music->volume, ==, 0.5);
  g_clear_pointer (&music, echoes_music_free);

  g_assert_false (echoes_project_settings_set_volume (project, 2.5, &error));
  g_assert_error (error, ECHOES_PROJECT_SETTINGS_ERROR, ECHOES_PROJECT_SETTINGS_ERROR_VOLUME);
  g_clear_error (&error);
  g_assert_false (echoes_project_settings_set_volume (project, NAN, &error));
  g_assert_error (error, ECHOES_PROJECT_SETTINGS_ERROR, ECHOES_PROJECT_SETTINGS_ERROR_VOLUME);
  g_clear_error (&error);

  g_assert_false (echoes_project_settings_set_music (project, (const char *[]) { broken, NULL },
                                                     NULL, &error));
  g_assert_true (error->domain == ECHOES_MUSIC_ERROR);
  g_assert_nonnull (strstr (error->message, "broken.ogg"));
  g_clear_error (&error);

  music = echoes_music_parse (echoes_project_get_music (project), &error);
  g_assert_cmpstrv (music->tracks, ((const char *[]) { song, NULL }));
  g_assert_cmpfloat (music->volume, ==, 0.5);

  echoes_project_settings_clear_music (project);
  g_assert_null (echoes_project_get_music (project));

  echoes_project_settings_set_music_tracks (project, (const char *[]) { song, NULL });
  g_assert_nonnull (echoes_project_get_music (project));

  g_assert_finalize_object (g_steal_pointer (&project));
}

static void
test_motion (void)
{
  g_autoptr(EchoesClip) clip = echoes_clip_new ("c1", "p1");
  g_autoptr(GVariant) motion = NULL;
  g_autoptr(GVariant) after = NULL;
  g_autoptr(GError) error = NULL;
  const char *preset = NULL;
  double seconds = 0;
  guint32 seed = 0;

  echoes_clip_set_motion (clip, "{'seed': <uint32 42>, 'preset': <'pan-left'>}");

  g_assert_true (echoes_clip_settings_set_motion (clip, "zoom-out", NAN, &error));
  g_assert_true (echoes_clip_settings_set_motion (clip, NULL, 7.5, &error));
  g_assert_no_error (error);
  motion = g_variant_parse (G_VARIANT_TYPE_VARDICT, echoes_clip_get_motion (clip), NULL, NULL, NULL);
  g_assert_true (g_variant_lookup (motion, "preset", "&s", &preset));
  g_assert_cmpstr (preset, ==, "zoom-out");
  g_assert_true (g_variant_lookup (motion, "duration", "d", &seconds));
  g_assert_cmpfloat (seconds, ==, 7.5);
  /* The framing seed stays: the clip keeps its look. */
  g_assert_true (g_variant_lookup (motion, "seed", "u", &seed));
  g_assert_cmpuint (seed, ==, 42);

  g_assert_false (echoes_clip_settings_set_motion (clip, "custom", NAN, &error));
  g_assert_error (error, ECHOES_PROJECT_SETTINGS_ERROR, ECHOES_PROJECT_SETTINGS_ERROR_MOTION);
  g_clear_error (&error);
  g_assert_false (echoes_clip_settings_set_motion (clip, "zoom-in", 1.5, &error));
  g_assert_error (error, ECHOES_PROJECT_SETTINGS_ERROR, ECHOES_PROJECT_SETTINGS_ERROR_DURATION);
  g_clear_error (&error);
  g_assert_false (echoes_clip_settings_set_motion (clip, NULL, 10.5, &error));
  g_assert_error (error, ECHOES_PROJECT_SETTINGS_ERROR, ECHOES_PROJECT_SETTINGS_ERROR_DURATION);
  g_clear_error (&error);
  after = g_variant_parse (G_VARIANT_TYPE_VARDICT, echoes_clip_get_motion (clip), NULL, NULL, NULL);
  g_assert_true (g_variant_equal (motion, after));

  g_assert_finalize_object (g_steal_pointer (&clip));
}

static void
test_prompt (void)
{
  g_autoptr(EchoesClip) clip = echoes_clip_new ("c1", "p1");
  g_autofree char *longest = g_strnfill (ECHOES_CLIP_PROMPT_MAX_CHARS, 'x');
  g_autofree char *too_long = g_strnfill (ECHOES_CLIP_PROMPT_MAX_CHARS + 1, 'x');
  g_autoptr(GError) error = NULL;

  g_assert_true (echoes_clip_settings_set_prompt (clip, "  Slow pan over the lake \n", &error));
  g_assert_cmpstr (echoes_clip_get_prompt (clip), ==, "Slow pan over the lake");
  g_assert_true (echoes_clip_settings_set_prompt (clip, longest, &error));
  g_assert_no_error (error);

  g_assert_false (echoes_clip_settings_set_prompt (clip, too_long, &error));
  g_assert_error (error, ECHOES_PROJECT_SETTINGS_ERROR, ECHOES_PROJECT_SETTINGS_ERROR_PROMPT);
  g_clear_error (&error);
  g_assert_false (echoes_clip_settings_set_prompt (clip, "bad \xff byte", &error));
  g_assert_error (error, ECHOES_PROJECT_SETTINGS_ERROR, ECHOES_PROJECT_SETTINGS_ERROR_PROMPT);
  g_clear_error (&error);
  g_assert_cmpstr (echoes_clip_get_prompt (clip), ==, longest);

  g_assert_true (echoes_clip_settings_set_prompt (clip, "   ", &error));
  g_assert_null (echoes_clip_get_prompt (clip));

  g_assert_finalize_object (g_steal_pointer (&clip));
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);
  gst_init (&argc, &argv);

  g_test_add_func ("/echoes/settings/project/ratio", test_ratio);
  g_test_add_func ("/echoes/settings/project/music", test_music);
  g_test_add_func ("/echoes/settings/clip/motion", test_motion);
  g_test_add_func ("/echoes/settings/clip/prompt", test_prompt);

  return g_test_run ();
}
