/* test-music.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-music"

#include "config.h"

#include <math.h>
#include <string.h>
#include <gst/app/app.h>

#include "echoes-exporter.h"
#include "echoes-music.h"
#include "echoes-test-media.h"
#include "echoes-test-util.h"

#define FRAME (GST_SECOND / 30)

static char *media_dir;

static void
test_music_probe_formats (void)
{
  static const struct {
    const char *name;
    const char *format;
    guint       rate;
  } files[] = {
    { "a.wav", "wav", 44100 },
    { "b.ogg", "ogg", 48000 },
    { "c.flac", "flac", 44100 },
    { "d.mp3", "mp3", 44100 },
    { "e.m4a", "m4a", 48000 },
  };
  g_autoptr(GPtrArray) tracks = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) paths = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = echoes_test_media_make_audio (media_dir, files[i].name,
                                                            files[i].format, files[i].rate, 1.0);
      g_strv_builder_add (builder, path);
    }
  paths = g_strv_builder_end (builder);

  tracks = echoes_music_probe ((const char * const *) paths, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tracks);
  g_assert_cmpuint (tracks->len, ==, G_N_ELEMENTS (files));

  for (guint i = 0; i < tracks->len; i++)
    {
      EchoesMusicTrack *track = g_ptr_array_index (tracks, i);

      g_test_message ("%s: %" GST_TIME_FORMAT, files[i].name, GST_TIME_ARGS (track->duration));
      g_assert_cmpstr (track->path, ==, paths[i]);
      g_assert_cmpuint (track->rate, ==, files[i].rate);
      g_assert_cmpuint (track->channels, ==, 2);
      /* Lossy encoders pad a little. */
      g_assert_cmpuint (track->duration, >=, 950 * GST_MSECOND);
      g_assert_cmpuint (track->duration, <=, 1100 * GST_MSECOND);
    }

  g_assert_cmpuint (echoes_music_total_duration (tracks), >=, 5 * 950 * GST_MSECOND);
}

static void
probe_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_music_probe_async (void)
{
  g_autofree char *path = echoes_test_media_make_audio (media_dir, "async.wav", "wav",
                                                        48000, 0.5);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) tracks = NULL;
  g_autoptr(GError) error = NULL;
  const char *paths[] = { path, NULL };

  echoes_music_probe_async (paths, NULL, probe_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  tracks = echoes_music_probe_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tracks->len, ==, 1);
  g_assert_cmpuint (((EchoesMusicTrack *) tracks->pdata[0])->duration, ==, GST_SECOND / 2);
}

static char *
make_corrupt_flac (void)
{
  g_autofree char *good = echoes_test_media_make_audio (media_dir, "good.flac", "flac",
                                                        44100, 3.0);
  g_autofree char *contents = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  char *path = g_build_filename (media_dir, "corrupt.flac", NULL);
  gsize length;

  /* A valid FLAC header, then noise. */
  g_assert_true (g_file_get_contents (good, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 20000);
  for (gsize i = 200; i < 20000; i++)
    contents[i] = (char) g_rand_int_range (rand, 0, 256);
  g_assert_true (g_file_set_contents (path, contents, 20000, NULL));

  return path;
}

static void
test_music_probe_errors (void)
{
  g_autofree char *good = echoes_test_media_make_audio (media_dir, "ok.wav", "wav", 44100, 0.5);
  g_autofree char *text = g_build_filename (media_dir, "notes.mp3", NULL);
  g_autofree char *corrupt = make_corrupt_flac ();
  g_autofree char *missing = g_build_filename (media_dir, "missing.ogg", NULL);
  g_autofree char *video = echoes_test_media_make_clip (media_dir, "silent.mp4", 320, 180, 5, 0);
  g_autoptr(GPtrArray) tracks = NULL;
  g_autoptr(GError) error = NULL;
  const char *with_missing[] = { good, missing, NULL };
  const char *with_text[] = { text, NULL };
  const char *with_corrupt[] = { good, corrupt, NULL };
  const char *with_video[] = { video, NULL };

  g_assert_true (g_file_set_contents (text, "These are not the notes you are looking for.\n",
                                      -1, NULL));

  tracks = echoes_music_probe (with_missing, NULL, &error);
  g_assert_error (error, ECHOES_MUSIC_ERROR, ECHOES_MUSIC_ERROR_NOT_FOUND);
  g_assert_null (tracks);
  g_assert_nonnull (strstr (error->message, "missing.ogg"));
  g_clear_error (&error);

  tracks = echoes_music_probe (with_text, NULL, &error);
  g_assert_error (error, ECHOES_MUSIC_ERROR, ECHOES_MUSIC_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "notes.mp3"));
  g_clear_error (&error);

  tracks = echoes_music_probe (with_corrupt, NULL, &error);
  g_assert_error (error, ECHOES_MUSIC_ERROR, ECHOES_MUSIC_ERROR_BROKEN);
  g_assert_nonnull (strstr (error->message, "corrupt.flac"));
  g_clear_error (&error);

  tracks = echoes_music_probe (with_video, NULL, &error);
  g_assert_error (error, ECHOES_MUSIC_ERROR, ECHOES_MUSIC_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "silent.mp4"));
  g_clear_error (&error);
}

/* Decodes the film's audio to interleaved stereo float samples. */
static GArray *
decode_audio (const char *path,
              guint      *rate)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autofree char *description = NULL;
  GArray *samples = g_array_new (FALSE, FALSE, sizeof (float));
  GstSample *sample;

  description = g_strdup_printf ("filesrc location=\"%s\" ! qtdemux ! audio/mpeg ! decodebin "
                                 "! audioconvert ! audio/x-raw,format=F32LE,layout=interleaved,channels=2 "
                                 "! appsink name=sink sync=false", path);
  pipeline = gst_parse_launch (description, &error);
  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink))))
    {
      GstBuffer *buffer = gst_sample_get_buffer (sample);
      GstStructure *s = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
      GstMapInfo map;
      int r;

      g_assert_true (gst_structure_get_int (s, "rate", &r));
      *rate = (guint) r;
      g_assert_true (gst_buffer_map (buffer, &map, GST_MAP_READ));
      g_array_append_vals (samples, map.data, map.size / sizeof (float));
      gst_buffer_unmap (buffer, &map);
      gst_sample_unref (sample);
    }

  gst_element_set_state (pipeline, GST_STATE_NULL);

  return samples;
}

static double
rms (GArray *samples,
     guint   rate,
     double  from,
     double  to)
{
  gsize a = (gsize) (from * rate) * 2, b = (gsize) (to * rate) * 2;
  double sum = 0;

  for (gsize i = a; i < b; i++)
    sum += g_array_index (samples, float, i) * g_array_index (samples, float, i);

  return sqrt (sum / (double) (b - a));
}

static void
test_music_mixed_rates (void)
{
  g_autoptr(EchoesExporter) exporter = echoes_exporter_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) samples = NULL;
  g_autoptr(GstDiscovererInfo) info = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *out_dir = g_dir_make_tmp ("echoes-music-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (out_dir, "film.mp4", NULL);
  g_autofree char *clip_a = NULL;
  g_autofree char *clip_b = NULL;
  g_autofree char *clip_c = NULL;
  GList *audio;
  guint rate = 0;
  double seconds, jump = 0;
  gsize edge;

  /* 440 Hz for 1.5 s is a whole number of cycles: played back to back without a gap,
   * overlap or drift the two tracks make one continuous sine. */
  first = echoes_test_media_make_audio (media_dir, "first.wav", "wav", 44100, 1.5);
  second = echoes_test_media_make_audio (media_dir, "second.flac", "flac", 48000, 5.0);
  clip_a = echoes_test_media_make_clip (media_dir, "ma.mp4", 320, 180, 30, 0);
  clip_b = echoes_test_media_make_clip (media_dir, "mb.mp4", 320, 180, 30, 1);
  clip_c = echoes_test_media_make_clip (media_dir, "mc.mp4", 320, 180, 30, 18);

  {
    const char *clips[] = { clip_a, clip_b, clip_c, NULL };
    const char *tracks[] = { first, second, NULL };

    echoes_exporter_set_clips (exporter, clips);
    echoes_exporter_set_music (exporter, tracks, 1.0, GST_SECOND / 2);
    echoes_exporter_set_height (exporter, 0);
    g_assert_true (echoes_exporter_run (exporter, out, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
  }

  info = echoes_test_media_discover (out);
  audio = gst_discoverer_info_get_audio_streams (info);
  g_assert_nonnull (audio);
  g_assert_cmpuint (gst_discoverer_audio_info_get_sample_rate (audio->data), ==, 48000);
  gst_discoverer_stream_info_list_free (audio);

  samples = decode_audio (out, &rate);
  g_assert_cmpuint (rate, ==, 48000);
  seconds = samples->len / 2.0 / rate;
  g_test_message ("audio: %.4f s", seconds);
  /* Film length, ± AAC priming/padding (1024 samples each). */
  g_assert_cmpfloat (fabs (seconds - 3.0), <, 0.05);

  /* No silence around the change of track, and the fade-out at the end. */
  g_assert_cmpfloat (rms (samples, rate, 1.30, 1.45), >, 0.4);
  g_assert_cmpfloat (rms (samples, rate, 1.55, 1.70), >, 0.4);
  g_assert_cmpfloat (fabs (rms (samples, rate, 1.30, 1.45) - rms (samples, rate, 1.55, 1.70)),
                     <, 0.05);
  g_assert_cmpfloat (rms (samples, rate, 2.90, 2.98), <, 0.5 * rms (samples, rate, 2.0, 2.4));

  /* No click: the largest step between samples across the join stays that of a sine
   * (2π·440/48000·0.8 ≈ 0.046, plus codec noise); a gap or phase jump gives ~0.5–1.6. */
  edge = (gsize) (1.5 * rate) * 2;
  for (gsize i = edge - rate / 10 * 2; i < edge + rate / 10 * 2; i++)
    jump = MAX (jump, fabs (g_array_index (samples, float, i) -
                            g_array_index (samples, float, i - 2)));
  g_test_message ("largest step at the join: %.3f", jump);
  g_assert_cmpfloat (jump, <, 0.2);

  echoes_test_remove_tree (out_dir);
}

static double
export_rms (const char *music_path,
            const char *clip,
            double      volume)
{
  g_autoptr(EchoesExporter) exporter = echoes_exporter_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) samples = NULL;
  g_autofree char *out_dir = g_dir_make_tmp ("echoes-music-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (out_dir, "film.mp4", NULL);
  const char *clips[] = { clip, NULL };
  const char *tracks[] = { music_path, NULL };
  guint rate = 0;

  echoes_exporter_set_clips (exporter, clips);
  echoes_exporter_set_music (exporter, tracks, volume, 0);
  echoes_exporter_set_height (exporter, 0);
  g_assert_true (echoes_exporter_run (exporter, out, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  samples = decode_audio (out, &rate);
  echoes_test_remove_tree (out_dir);

  return rms (samples, rate, 0.3, 0.7);
}

static void
test_music_volume (void)
{
  g_autofree char *tone = echoes_test_media_make_audio (media_dir, "tone.wav", "wav", 48000, 2.0);
  g_autofree char *clip = echoes_test_media_make_clip (media_dir, "v.mp4", 320, 180, 30, 0);
  double full = export_rms (tone, clip, 1.0);
  double half = export_rms (tone, clip, 0.5);

  g_test_message ("RMS at volume 1.0: %.3f, at 0.5: %.3f", full, half);
  /* audiotestsrc's sine has amplitude 0.8: RMS 0.566. */
  g_assert_cmpfloat (fabs (full - 0.566), <, 0.03);
  g_assert_cmpfloat (fabs (half / full - 0.5), <, 0.03);
}

static void
test_music_fit (void)
{
  GstClockTime d[12];
  GstClockTime sum;

  /* 60 s over 12 clips: 5 s each. */
  g_assert_true (echoes_music_fit_durations (60 * GST_SECOND, 12, 0, FRAME, d));
  for (guint i = 0; i < 12; i++)
    g_assert_cmpuint (d[i], ==, 150 * FRAME);

  /* 61 s = 1830 frames: six clips of 153 frames, six of 152, to the frame. */
  g_assert_true (echoes_music_fit_durations (61 * GST_SECOND, 12, 0, FRAME, d));
  sum = 0;
  for (guint i = 0; i < 12; i++)
    {
      g_assert_cmpuint (d[i], ==, (i < 6 ? 153 : 152) * FRAME);
      sum += d[i];
    }
  g_assert_cmpuint (sum, ==, 1830 * FRAME);

  /* With 0.5 s crossfades the clips overlap: the film (sum − 9 × 0.5 s) is the music. */
  g_assert_true (echoes_music_fit_durations (40 * GST_SECOND, 10, GST_SECOND / 2, FRAME, d));
  sum = 0;
  for (guint i = 0; i < 10; i++)
    sum += d[i];
  g_assert_cmpuint (sum - 9 * (GST_SECOND / 2), <=, 40 * GST_SECOND + FRAME / 2);
  g_assert_cmpuint (sum - 9 * (GST_SECOND / 2), >=, 40 * GST_SECOND - FRAME / 2);

  /* Music too short: 1 s per clip is below the 2 s minimum. */
  g_assert_false (echoes_music_fit_durations (10 * GST_SECOND, 10, 0, FRAME, d));
  for (guint i = 0; i < 10; i++)
    g_assert_cmpuint (d[i], ==, 60 * FRAME);

  /* Too long: 40 s per clip is above the 10 s maximum. */
  g_assert_false (echoes_music_fit_durations (200 * GST_SECOND, 5, 0, FRAME, d));
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (d[i], ==, 300 * FRAME);

  /* The limits themselves fit. */
  g_assert_true (echoes_music_fit_durations (20 * GST_SECOND, 10, 0, FRAME, d));
  g_assert_true (echoes_music_fit_durations (100 * GST_SECOND, 10, 0, FRAME, d));

  /* Without a frame rate: nanoseconds. */
  g_assert_true (echoes_music_fit_durations (10 * GST_SECOND + 1, 3, 0, 0, d));
  g_assert_cmpuint (d[0] + d[1] + d[2], ==, 10 * GST_SECOND + 1);

  g_assert_false (echoes_music_fit_durations (10 * GST_SECOND, 0, 0, FRAME, d));
}

static void
test_music_serialise (void)
{
  g_autoptr(EchoesMusic) music = echoes_music_new ();
  g_autoptr(EchoesMusic) parsed = NULL;
  g_autoptr(EchoesMusic) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  g_auto(GStrv) resolved = NULL;
  GstClockTime d = 0;
  const char *tracks[] = { "music/intro.ogg", "/home/me/Music/Big ‘Band’.mp3", NULL };

  /* Defaults serialise to nothing, and nothing parses to the defaults. */
  g_assert_null (echoes_music_format (music));
  parsed = echoes_music_parse (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (parsed->tracks), ==, 0);
  g_assert_cmpfloat (parsed->volume, ==, 1.0);
  g_assert_cmpuint (parsed->fade_out, ==, ECHOES_MUSIC_DEFAULT_FADE_OUT);
  g_clear_pointer (&parsed, echoes_music_free);
  parsed = echoes_music_parse ("  ", &error);
  g_assert_no_error (error);
  g_clear_pointer (&parsed, echoes_music_free);

  g_strfreev (music->tracks);
  music->tracks = g_strdupv ((GStrv) tracks);
  music->volume = 0.75;
  music->fade_out = 3 * GST_SECOND;
  echoes_music_set_clip_duration (music, "clip-b", 4500 * GST_MSECOND);
  echoes_music_set_clip_duration (music, "clip-a", 2 * GST_SECOND);

  text = echoes_music_format (music);
  g_test_message ("%s", text);
  g_assert_nonnull (text);
  parsed = echoes_music_parse (text, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (parsed->tracks, tracks);
  g_assert_cmpfloat (parsed->volume, ==, 0.75);
  g_assert_cmpuint (parsed->fade_out, ==, 3 * GST_SECOND);
  g_assert_true (echoes_music_get_clip_duration (parsed, "clip-b", &d));
  g_assert_cmpuint (d, ==, 4500 * GST_MSECOND);
  g_assert_true (echoes_music_get_clip_duration (parsed, "clip-a", NULL));
  g_assert_false (echoes_music_get_clip_duration (parsed, "clip-c", NULL));

  /* Stable text: the same settings always give the same row. */
  copy = echoes_music_copy (parsed);
  again = echoes_music_format (copy);
  g_assert_cmpstr (again, ==, text);

  resolved = echoes_music_resolve_tracks (parsed, "/data");
  g_assert_cmpstr (resolved[0], ==, "/data/music/intro.ogg");
  g_assert_cmpstr (resolved[1], ==, tracks[1]);

  echoes_music_set_clip_duration (parsed, "clip-b", GST_CLOCK_TIME_NONE);
  g_assert_false (echoes_music_get_clip_duration (parsed, "clip-b", NULL));
  g_clear_pointer (&parsed, echoes_music_free);

  /* Rows from before the format: a bare path. */
  parsed = echoes_music_parse ("/home/me/song.ogg", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (parsed->tracks), ==, 1);
  g_assert_cmpstr (parsed->tracks[0], ==, "/home/me/song.ogg");
  g_clear_pointer (&parsed, echoes_music_free);

  /* Out-of-range and unknown values. */
  parsed = echoes_music_parse ("{'volume': <7.5>, 'future': <'x'>}", &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (parsed->volume, ==, 2.0);
  g_clear_pointer (&parsed, echoes_music_free);

  parsed = echoes_music_parse ("{'tracks': <['a.ogg'", &error);
  g_assert_error (error, ECHOES_MUSIC_ERROR, ECHOES_MUSIC_ERROR_INVALID);
  g_assert_null (parsed);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gst_init (&argc, &argv);

  media_dir = g_dir_make_tmp ("echoes-music-XXXXXX", NULL);

  g_test_add_func ("/echoes/media/music/probe/formats", test_music_probe_formats);
  g_test_add_func ("/echoes/media/music/probe/async", test_music_probe_async);
  g_test_add_func ("/echoes/media/music/probe/errors", test_music_probe_errors);
  g_test_add_func ("/echoes/media/music/mixed-rates", test_music_mixed_rates);
  g_test_add_func ("/echoes/media/music/volume", test_music_volume);
  g_test_add_func ("/echoes/media/music/fit", test_music_fit);
  g_test_add_func ("/echoes/media/music/serialise", test_music_serialise);

  ret = g_test_run ();

  echoes_test_remove_tree (media_dir);
  g_clear_pointer (&media_dir, g_free);

  return ret;
}
