/* test-player-pipeline.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-player-pipeline"

#include "config.h"

#include "echoes-music.h"
#include "echoes-player-pipeline.h"
#include "echoes-test-media.h"
#include "echoes-test-util.h"

#define FRAME (GST_SECOND / 30)

static char *media_dir;
static char *clips[4];  /* three 1 s 320×180 clips */
static char *music;

typedef struct
{
  GstClockTime stream_time;
  GstClockTime running_time;
  gint64       arrival;      /* monotonic µs */
  guint        width;
} Frame;

typedef struct
{
  GMutex   lock;
  GArray  *frames;
  gboolean loaded;
  gboolean eos;
  GError  *error;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_mutex_init (&fixture->lock);
  fixture->frames = g_array_new (FALSE, FALSE, sizeof (Frame));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_array_unref (fixture->frames);
  g_clear_error (&fixture->error);
  g_mutex_clear (&fixture->lock);
}

/* Streaming thread. */
static void
frame_cb (GstSample *sample,
          gpointer   user_data)
{
  Fixture *fixture = user_data;
  const GstSegment *segment = gst_sample_get_segment (sample);
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  GstStructure *s = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
  Frame frame;
  int width = 0;

  g_assert_true (gst_structure_has_name (s, "video/x-raw"));
  g_assert_cmpstr (gst_structure_get_string (s, "format"), ==, "RGBA");
  gst_structure_get_int (s, "width", &width);

  frame.stream_time = gst_segment_to_stream_time (segment, GST_FORMAT_TIME,
                                                  GST_BUFFER_PTS (buffer));
  frame.running_time = gst_segment_to_running_time (segment, GST_FORMAT_TIME,
                                                    GST_BUFFER_PTS (buffer));
  frame.arrival = g_get_monotonic_time ();
  frame.width = (guint) width;

  g_mutex_lock (&fixture->lock);
  /* The prerolled frame comes once more when playback starts. */
  if (fixture->frames->len == 0 ||
      g_array_index (fixture->frames, Frame, fixture->frames->len - 1).stream_time !=
      frame.stream_time)
    g_array_append_val (fixture->frames, frame);
  g_mutex_unlock (&fixture->lock);
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Fixture *fixture = user_data;

  echoes_player_pipeline_load_finish (ECHOES_PLAYER_PIPELINE (object), result, &fixture->error);
  fixture->loaded = TRUE;
}

static void
eos_cb (EchoesPlayerPipeline *player,
        Fixture              *fixture)
{
  fixture->eos = TRUE;
}

static gboolean
timeout_cb (gpointer data)
{
  g_error ("Timed out");
  return G_SOURCE_REMOVE;
}

static EchoesPlayerPipeline *
create_player (Fixture *fixture)
{
  EchoesPlayerPipeline *player = echoes_player_pipeline_new ();

  echoes_player_pipeline_set_frame_func (player, frame_cb, fixture, NULL);
  /* No sound card on CI: a clock-synchronised fake sink keeps real-time playback. */
  echoes_player_pipeline_set_audio_sink (player, gst_parse_bin_from_description (
    "audioconvert ! fakesink sync=true", TRUE, NULL));
  g_signal_connect (player, "eos", G_CALLBACK (eos_cb), fixture);

  return player;
}

static void
load (EchoesPlayerPipeline *player,
      Fixture              *fixture,
      const char * const   *paths,
      const char * const   *tracks,
      guint                 start_clip)
{
  fixture->loaded = FALSE;
  echoes_player_pipeline_load_async (player, paths, tracks, 1.0, GST_SECOND, start_clip,
                                     NULL, loaded_cb, fixture);
  while (!fixture->loaded)
    g_main_context_iteration (NULL, TRUE);
}

static void
play_to_end (EchoesPlayerPipeline *player,
             Fixture              *fixture)
{
  /* a deadlock guard, not a timing goal: generous for a loaded machine under ASan */
  guint timeout = g_timeout_add_seconds (120, timeout_cb, NULL);

  echoes_player_pipeline_play (player);
  g_assert_true (echoes_player_pipeline_get_playing (player));
  while (!fixture->eos)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (echoes_player_pipeline_get_playing (player));
  g_source_remove (timeout);
}

static void
test_player_gapless (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(EchoesPlayerPipeline) player = create_player (fixture);
  const char *tracks[] = { music, NULL };
  gint64 worst_arrival = 0;
  gint64 worst_within = 0;

  load (player, fixture, (const char * const *) clips, tracks, 0);
  g_assert_no_error (fixture->error);
  g_assert_true (echoes_player_pipeline_get_loaded (player));
  g_assert_cmpuint (echoes_player_pipeline_get_n_clips (player), ==, 3);
  g_assert_cmpuint (echoes_player_pipeline_get_duration (player), ==, 3 * GST_SECOND);
  g_assert_cmpuint (echoes_player_pipeline_get_clip_start (player, 1), ==, GST_SECOND);
  g_assert_cmpuint (echoes_player_pipeline_get_clip_start (player, 2), ==, 2 * GST_SECOND);
  g_assert_cmpuint (echoes_player_pipeline_get_clip_at (player, 1500 * GST_MSECOND), ==, 1);
  g_assert_cmpuint (echoes_player_pipeline_get_clip_at (player, 5 * GST_SECOND), ==, 2);

  play_to_end (player, fixture);

  g_mutex_lock (&fixture->lock);
  g_assert_cmpuint (fixture->frames->len, ==, 90);
  g_assert_cmpuint (g_array_index (fixture->frames, Frame, 0).stream_time, ==, 0);
  for (guint i = 1; i < fixture->frames->len; i++)
    {
      const Frame *a = &g_array_index (fixture->frames, Frame, i - 1);
      const Frame *b = &g_array_index (fixture->frames, Frame, i);
      GstClockTimeDiff step = GST_CLOCK_DIFF (a->running_time, b->running_time);
      GstClockTimeDiff film_step = GST_CLOCK_DIFF (a->stream_time, b->stream_time);

      g_assert_cmpuint (b->width, ==, 320);
      /* Every frame, exactly one frame apart, in film time and in playback time —
       * including across the cuts at 1 s and 2 s. */
      g_assert_cmpint (film_step, >=, FRAME - GST_MSECOND);
      g_assert_cmpint (film_step, <=, FRAME + GST_MSECOND);
      g_assert_cmpint (step, >=, FRAME - GST_MSECOND);
      g_assert_cmpint (step, <=, FRAME + GST_MSECOND);

      if (i == 30 || i == 60)
        {
          g_test_message ("cut %u: %" GST_TIME_FORMAT " → %" GST_TIME_FORMAT ", %.1f ms apart",
                          i / 30, GST_TIME_ARGS (a->stream_time), GST_TIME_ARGS (b->stream_time),
                          (b->arrival - a->arrival) / 1000.0);
          worst_arrival = MAX (worst_arrival, b->arrival - a->arrival);
        }
      else
        {
          worst_within = MAX (worst_within, b->arrival - a->arrival);
        }
    }
  g_mutex_unlock (&fixture->lock);

  /* The gap is judged above on buffer timestamps. The wall-clock interval at a cut is
   * only reported: it depends on the machine's load (and is many times longer under the
   * sanitizers), and timings belong in benchmarks, not in pass/fail tests. */
  g_test_message ("worst interval: at a cut %.1f ms, inside a clip %.1f ms",
                  worst_arrival / 1000.0, worst_within / 1000.0);

  g_assert_finalize_object (g_steal_pointer (&player));
}

static void
test_player_start_clip (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(EchoesPlayerPipeline) player = create_player (fixture);

  load (player, fixture, (const char * const *) clips, NULL, 1);
  g_assert_no_error (fixture->error);

  /* Loaded = prerolled at the start of clip 2 (after the frame at 0 it seeked from). */
  g_mutex_lock (&fixture->lock);
  g_assert_cmpuint (fixture->frames->len, >=, 1);
  g_array_remove_range (fixture->frames, 0, fixture->frames->len - 1);
  g_assert_cmpuint (g_array_index (fixture->frames, Frame, 0).stream_time, ==, GST_SECOND);
  g_mutex_unlock (&fixture->lock);
  g_assert_cmpuint (echoes_player_pipeline_get_position (player), ==, GST_SECOND);

  play_to_end (player, fixture);

  /* From clip 2 to the end. */
  g_mutex_lock (&fixture->lock);
  g_assert_cmpuint (fixture->frames->len, ==, 60);
  g_assert_cmpuint (g_array_index (fixture->frames, Frame, 0).stream_time, ==, GST_SECOND);
  g_mutex_unlock (&fixture->lock);
}

static void
test_player_seek (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(EchoesPlayerPipeline) player = create_player (fixture);
  GstClockTime position;
  Frame last;

  load (player, fixture, (const char * const *) clips, NULL, 0);
  g_assert_no_error (fixture->error);
  g_assert_false (echoes_player_pipeline_get_playing (player));

  /* Paused: the frame at the new position is delivered. */
  g_assert_true (echoes_player_pipeline_seek (player, 2500 * GST_MSECOND));
  for (;;)
    {
      gboolean seen;

      g_mutex_lock (&fixture->lock);
      last = g_array_index (fixture->frames, Frame, fixture->frames->len - 1);
      seen = last.stream_time >= 2 * GST_SECOND;
      g_mutex_unlock (&fixture->lock);
      if (seen)
        break;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (last.stream_time, >=, 2500 * GST_MSECOND - FRAME);
  g_assert_cmpuint (last.stream_time, <=, 2500 * GST_MSECOND + FRAME);

  position = echoes_player_pipeline_get_position (player);
  g_assert_cmpuint (position, >=, 2500 * GST_MSECOND - FRAME);
  g_assert_cmpuint (position, <=, 2500 * GST_MSECOND + FRAME);

  /* Back across two clips, to the start of clip 1. */
  g_assert_true (echoes_player_pipeline_seek_to_clip (player, 0));
  for (;;)
    {
      gboolean seen;

      g_mutex_lock (&fixture->lock);
      last = g_array_index (fixture->frames, Frame, fixture->frames->len - 1);
      seen = last.stream_time < GST_SECOND;
      g_mutex_unlock (&fixture->lock);
      if (seen)
        break;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (last.stream_time, ==, 0);
  g_assert_false (echoes_player_pipeline_seek_to_clip (player, 3));

  echoes_player_pipeline_unload (player);
  g_assert_false (echoes_player_pipeline_get_loaded (player));
  g_assert_cmpuint (echoes_player_pipeline_get_duration (player), ==, 0);
}

static void
test_player_single_clip (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(EchoesPlayerPipeline) player = create_player (fixture);
  const char *one[] = { clips[1], NULL };

  load (player, fixture, one, NULL, 0);
  g_assert_no_error (fixture->error);
  g_assert_cmpuint (echoes_player_pipeline_get_duration (player), ==, GST_SECOND);

  play_to_end (player, fixture);
  g_assert_cmpuint (fixture->frames->len, ==, 30);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

/* The film preview lays clips out as the export does (echoes_film_timeline_new()): with a
 * crossfade, clips overlap and the film is shorter by the crossfades. */
static void
test_player_crossfade (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(EchoesPlayerPipeline) player = create_player (fixture);
  const char *tracks[] = { music, NULL };
  const GstClockTime crossfade = 300 * GST_MSECOND;
  GstClockTime value = 0;
  guint notified = 0;

  g_assert_cmpuint (echoes_player_pipeline_get_crossfade (player), ==, 0);
  g_signal_connect (player, "notify::crossfade", G_CALLBACK (count_notify_cb), &notified);
  g_object_set (player, "crossfade", (guint64) crossfade, NULL);
  echoes_player_pipeline_set_crossfade (player, crossfade);
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (player, "crossfade", &value, NULL);
  g_assert_cmpuint (value, ==, crossfade);

  load (player, fixture, (const char * const *) clips, tracks, 0);
  g_assert_no_error (fixture->error);
  g_assert_cmpuint (echoes_player_pipeline_get_n_clips (player), ==, 3);

  /* Three 1 s clips, two 300 ms crossfades: 2.4 s; each clip starts where its fade in
   * begins (the scrub bar's marks). */
  g_assert_cmpuint (echoes_player_pipeline_get_duration (player), ==, 3 * GST_SECOND - 2 * crossfade);
  g_assert_cmpuint (echoes_player_pipeline_get_clip_start (player, 0), ==, 0);
  g_assert_cmpuint (echoes_player_pipeline_get_clip_start (player, 1), ==, GST_SECOND - crossfade);
  g_assert_cmpuint (echoes_player_pipeline_get_clip_start (player, 2), ==, 2 * (GST_SECOND - crossfade));
  g_assert_cmpuint (echoes_player_pipeline_get_clip_start (player, 3), ==, 3 * GST_SECOND - 2 * crossfade);
  g_assert_cmpuint (echoes_player_pipeline_get_clip_at (player, 600 * GST_MSECOND), ==, 0);
  g_assert_cmpuint (echoes_player_pipeline_get_clip_at (player, 800 * GST_MSECOND), ==, 1);
  g_assert_cmpuint (echoes_player_pipeline_get_clip_at (player, 2 * GST_SECOND), ==, 2);

  play_to_end (player, fixture);

  /* Every frame of the shorter film, one frame apart (no frame lost in the fades). */
  g_mutex_lock (&fixture->lock);
  g_assert_cmpuint (fixture->frames->len, ==, 72);
  g_assert_cmpuint (g_array_index (fixture->frames, Frame, 0).stream_time, ==, 0);
  for (guint i = 1; i < fixture->frames->len; i++)
    {
      const Frame *a = &g_array_index (fixture->frames, Frame, i - 1);
      const Frame *b = &g_array_index (fixture->frames, Frame, i);
      GstClockTimeDiff film_step = GST_CLOCK_DIFF (a->stream_time, b->stream_time);

      g_assert_cmpuint (b->width, ==, 320);
      g_assert_cmpint (film_step, >=, FRAME - GST_MSECOND);
      g_assert_cmpint (film_step, <=, FRAME + GST_MSECOND);
    }
  g_mutex_unlock (&fixture->lock);

  /* Starting from clip 2 starts at its fade in. */
  fixture->eos = FALSE;
  g_mutex_lock (&fixture->lock);
  g_array_set_size (fixture->frames, 0);
  g_mutex_unlock (&fixture->lock);
  load (player, fixture, (const char * const *) clips, NULL, 2);
  g_assert_no_error (fixture->error);
  g_assert_cmpuint (echoes_player_pipeline_get_position (player), ==, 2 * (GST_SECOND - crossfade));
  play_to_end (player, fixture);

  g_signal_handlers_disconnect_by_func (player, count_notify_cb, &notified);
  g_assert_finalize_object (g_steal_pointer (&player));
}

/* Per-clip durations ("Fit Clips to Music") cut the clips as in the export. */
static void
test_player_durations (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(EchoesPlayerPipeline) player = create_player (fixture);
  /* Cut, its own length, longer than the clip (stays 1 s). */
  const GstClockTime durations[] = { 500 * GST_MSECOND, GST_CLOCK_TIME_NONE, 2 * GST_SECOND };

  echoes_player_pipeline_set_clip_durations (player, durations, G_N_ELEMENTS (durations));
  load (player, fixture, (const char * const *) clips, NULL, 0);
  g_assert_no_error (fixture->error);
  g_assert_cmpuint (echoes_player_pipeline_get_duration (player), ==, 2500 * GST_MSECOND);
  g_assert_cmpuint (echoes_player_pipeline_get_clip_start (player, 1), ==, 500 * GST_MSECOND);
  g_assert_cmpuint (echoes_player_pipeline_get_clip_start (player, 2), ==, 1500 * GST_MSECOND);

  play_to_end (player, fixture);
  g_mutex_lock (&fixture->lock);
  g_assert_cmpuint (fixture->frames->len, ==, 75);
  g_mutex_unlock (&fixture->lock);

  /* With a crossfade too: at most half of the shorter clip (250 ms), then 300 ms. */
  fixture->eos = FALSE;
  echoes_player_pipeline_set_crossfade (player, 300 * GST_MSECOND);
  load (player, fixture, (const char * const *) clips, NULL, 0);
  g_assert_no_error (fixture->error);
  g_assert_cmpuint (echoes_player_pipeline_get_clip_start (player, 1), ==, 250 * GST_MSECOND);
  g_assert_cmpuint (echoes_player_pipeline_get_clip_start (player, 2), ==, 950 * GST_MSECOND);
  g_assert_cmpuint (echoes_player_pipeline_get_duration (player), ==, 1950 * GST_MSECOND);
  play_to_end (player, fixture);

  /* NULL: back to the clips' own lengths. */
  echoes_player_pipeline_set_clip_durations (player, NULL, 0);
  echoes_player_pipeline_set_crossfade (player, 0);
  load (player, fixture, (const char * const *) clips, NULL, 0);
  g_assert_no_error (fixture->error);
  g_assert_cmpuint (echoes_player_pipeline_get_duration (player), ==, 3 * GST_SECOND);

  g_assert_finalize_object (g_steal_pointer (&player));
}

static void
test_player_bad_input (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(EchoesPlayerPipeline) player = create_player (fixture);
  g_autofree char *text = g_build_filename (media_dir, "not-music.ogg", NULL);
  const char *tracks[] = { text, NULL };
  const char *missing[] = { "/nonexistent/clip.mp4", NULL };
  const char *none[] = { NULL };

  g_assert_true (g_file_set_contents (text, "nope", -1, NULL));
  load (player, fixture, (const char * const *) clips, tracks, 0);
  g_assert_error (fixture->error, ECHOES_MUSIC_ERROR, ECHOES_MUSIC_ERROR_UNSUPPORTED);
  g_assert_false (echoes_player_pipeline_get_loaded (player));
  g_clear_error (&fixture->error);

  load (player, fixture, missing, NULL, 0);
  g_assert_nonnull (fixture->error);
  g_clear_error (&fixture->error);

  load (player, fixture, none, NULL, 0);
  g_assert_error (fixture->error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&fixture->error);

  g_assert_false (echoes_player_pipeline_get_loaded (player));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gst_init (&argc, &argv);

  media_dir = g_dir_make_tmp ("echoes-player-XXXXXX", NULL);
  clips[0] = echoes_test_media_make_clip (media_dir, "a.mp4", 320, 180, 30, 0);
  clips[1] = echoes_test_media_make_clip (media_dir, "b.mp4", 320, 180, 30, 18);
  clips[2] = echoes_test_media_make_clip (media_dir, "c.mp4", 320, 180, 30, 1);
  music = echoes_test_media_make_audio (media_dir, "music.ogg", "ogg", 44100, 5.0);

  g_test_add ("/echoes/media/player-pipeline/gapless", Fixture, NULL,
              fixture_setup, test_player_gapless, fixture_teardown);
  g_test_add ("/echoes/media/player-pipeline/start-clip", Fixture, NULL,
              fixture_setup, test_player_start_clip, fixture_teardown);
  g_test_add ("/echoes/media/player-pipeline/seek", Fixture, NULL,
              fixture_setup, test_player_seek, fixture_teardown);
  g_test_add ("/echoes/media/player-pipeline/single-clip", Fixture, NULL,
              fixture_setup, test_player_single_clip, fixture_teardown);
  g_test_add ("/echoes/media/player-pipeline/crossfade", Fixture, NULL,
              fixture_setup, test_player_crossfade, fixture_teardown);
  g_test_add ("/echoes/media/player-pipeline/durations", Fixture, NULL,
              fixture_setup, test_player_durations, fixture_teardown);
  g_test_add ("/echoes/media/player-pipeline/bad-input", Fixture, NULL,
              fixture_setup, test_player_bad_input, fixture_teardown);

  ret = g_test_run ();

  echoes_test_remove_tree (media_dir);
  for (guint i = 0; clips[i] != NULL; i++)
    g_clear_pointer (&clips[i], g_free);
  g_clear_pointer (&music, g_free);
  g_clear_pointer (&media_dir, g_free);

  return ret;
}
