/* test-exporter.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-exporter"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <gst/app/app.h>
#include <gst/video/video.h>

#include "echoes-exporter.h"
#include "echoes-test-media.h"
#include "echoes-test-util.h"

#define FRAME (GST_SECOND / 30)

static char *media_dir;
static char *clips[4];       /* three 1 s 320×180 clips */
static char *long_clips[4];  /* black, white, black: 2 s each, key frames at 0 and 1 s */
static char *music;          /* 5 s, 44.1 kHz Ogg */
static char *broken_music;

/* A folder of its own for each film, inside media_dir: main() removes them with it. */
static char *
out_path (const char *name)
{
  g_autofree char *dir = g_build_filename (media_dir, "export-XXXXXX", NULL);

  g_assert_nonnull (g_mkdtemp (dir));
  return g_build_filename (dir, name, NULL);
}

static guint
count_files (const char *dir_path)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

/* How many exports' working folders are in the cache. */
static guint
count_scratch (void)
{
  g_autofree char *top = g_build_filename (g_get_user_cache_dir (), "echoes", "export", NULL);

  return g_file_test (top, G_FILE_TEST_IS_DIR) ? count_files (top) : 0;
}

/* The checksums of every video sample as stored in the file (no decoding). */
static GPtrArray *
video_sample_checksums (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autofree char *description = NULL;
  GPtrArray *sums = g_ptr_array_new_with_free_func (g_free);
  const char *demux = g_str_has_suffix (path, ".webm") ? "matroskademux" : "qtdemux";
  GstSample *sample;

  description = g_strdup_printf ("filesrc location=\"%s\" ! %s ! video/x-h264 "
                                 "! appsink name=sink sync=false", path, demux);
  pipeline = gst_parse_launch (description, &error);
  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink))))
    {
      GstBuffer *buffer = gst_sample_get_buffer (sample);
      GstMapInfo map;

      g_assert_true (gst_buffer_map (buffer, &map, GST_MAP_READ));
      g_ptr_array_add (sums, g_compute_checksum_for_data (G_CHECKSUM_SHA1, map.data, map.size));
      gst_buffer_unmap (buffer, &map);
      gst_sample_unref (sample);
    }

  gst_element_set_state (pipeline, GST_STATE_NULL);

  return sums;
}

/* The mean luma of every frame, in presentation order. */
static GArray *
frame_lumas (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autofree char *description = NULL;
  GArray *lumas = g_array_new (FALSE, FALSE, sizeof (double));
  GstSample *sample;

  description = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! videoconvert "
                                 "! video/x-raw,format=I420 ! appsink name=sink sync=false",
                                 path);
  pipeline = gst_parse_launch (description, &error);
  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink))))
    {
      GstVideoInfo info;
      GstVideoFrame frame;
      guint64 sum = 0;
      double mean;

      g_assert_true (gst_video_info_from_caps (&info, gst_sample_get_caps (sample)));
      g_assert_true (gst_video_frame_map (&frame, &info, gst_sample_get_buffer (sample), GST_MAP_READ));
      for (gint y = 0; y < GST_VIDEO_INFO_HEIGHT (&info); y++)
        {
          const guint8 *row = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) +
                              y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);

          for (gint x = 0; x < GST_VIDEO_INFO_WIDTH (&info); x++)
            sum += row[x];
        }
      mean = (double) sum / (GST_VIDEO_INFO_WIDTH (&info) * GST_VIDEO_INFO_HEIGHT (&info));
      g_array_append_val (lumas, mean);
      gst_video_frame_unmap (&frame);
      gst_sample_unref (sample);
    }

  gst_element_set_state (pipeline, GST_STATE_NULL);

  return lumas;
}

static void
assert_same_samples (GPtrArray *output,
                     guint      output_from,
                     GPtrArray *input,
                     guint      input_from,
                     guint      n)
{
  g_assert_cmpuint (output_from + n, <=, output->len);
  g_assert_cmpuint (input_from + n, <=, input->len);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (output, output_from + i), ==,
                     g_ptr_array_index (input, input_from + i));
}

typedef struct
{
  const char   *container;
  const char   *video;
  const char   *audio;
  guint         width;
  guint         height;
  GstClockTime  duration;
} Expected;

static void
assert_film (const char     *path,
             const Expected *expected)
{
  g_autoptr(GstDiscovererInfo) info = echoes_test_media_discover (path);
  g_autoptr(GstCaps) container_caps = NULL;
  GstDiscovererStreamInfo *container;
  GList *video, *audio;
  GstDiscovererVideoInfo *vinfo;
  GstClockTime duration;
  g_autoptr(GstCaps) vcaps = NULL;
  g_autoptr(GstCaps) acaps = NULL;

  container = gst_discoverer_info_get_stream_info (info);
  container_caps = gst_discoverer_stream_info_get_caps (container);
  g_assert_true (gst_structure_has_name (gst_caps_get_structure (container_caps, 0),
                                         expected->container));
  gst_discoverer_stream_info_unref (container);

  video = gst_discoverer_info_get_video_streams (info);
  g_assert_cmpuint (g_list_length (video), ==, 1);
  vinfo = video->data;
  vcaps = gst_discoverer_stream_info_get_caps (video->data);
  g_assert_true (gst_structure_has_name (gst_caps_get_structure (vcaps, 0), expected->video));
  g_assert_cmpuint (gst_discoverer_video_info_get_width (vinfo), ==, expected->width);
  g_assert_cmpuint (gst_discoverer_video_info_get_height (vinfo), ==, expected->height);
  gst_discoverer_stream_info_list_free (video);

  audio = gst_discoverer_info_get_audio_streams (info);
  g_assert_cmpuint (g_list_length (audio), ==, 1);
  acaps = gst_discoverer_stream_info_get_caps (audio->data);
  g_assert_true (gst_structure_has_name (gst_caps_get_structure (acaps, 0), expected->audio));
  g_assert_cmpuint (gst_discoverer_audio_info_get_sample_rate (audio->data), ==, 48000);
  gst_discoverer_stream_info_list_free (audio);

  duration = gst_discoverer_info_get_duration (info);
  g_test_message ("%s: %" GST_TIME_FORMAT, path, GST_TIME_ARGS (duration));
  g_assert_cmpuint (duration, >=, expected->duration - FRAME);
  g_assert_cmpuint (duration, <=, expected->duration + FRAME);
}

static void
progress_cb (double   fraction,
             gint64   remaining,
             gpointer user_data)
{
  double *last = user_data;

  g_assert_cmpfloat (fraction, >=, *last);
  g_assert_cmpfloat (fraction, <=, 1.0);
  *last = fraction;
}

static void
count_notify (guint *n)
{
  (*n)++;
}

static void
test_exporter_copy_mp4 (void)
{
  g_autoptr(EchoesExporter) exporter = echoes_exporter_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) output = NULL;
  g_autofree char *path = out_path ("film.mp4");
  const char *tracks[] = { music, NULL };
  const Expected expected = { "video/quicktime", "video/x-h264", "audio/mpeg", 320, 180,
                              3 * GST_SECOND };
  double last = 0.0;
  guint n = 0;
  guint n_notify = 0;
  gboolean copied = FALSE;
  guint height = 1;

  echoes_exporter_set_clips (exporter, (const char * const *) clips);
  echoes_exporter_set_music (exporter, tracks, 0.8, GST_SECOND);
  echoes_exporter_set_height (exporter, 0);
  g_signal_connect_swapped (exporter, "notify::copied-video", G_CALLBACK (count_notify), &n_notify);
  g_assert_true (echoes_exporter_run (exporter, path, NULL, progress_cb, &last, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (last, ==, 1.0);
  g_assert_true (echoes_exporter_get_copied_video (exporter));
  g_assert_false (echoes_exporter_get_spliced_video (exporter));
  g_object_get (exporter, "copied-video", &copied, "height", &height, NULL);
  g_assert_true (copied);
  g_assert_cmpuint (height, ==, 0);
  g_assert_cmpuint (n_notify, ==, 1);
  assert_film (path, &expected);

  /* Copied, not re-encoded: every stored video sample is byte-identical to the inputs'. */
  output = video_sample_checksums (path);
  g_assert_cmpuint (output->len, ==, 90);
  for (guint c = 0; clips[c] != NULL; c++)
    {
      g_autoptr(GPtrArray) input = video_sample_checksums (clips[c]);

      g_assert_cmpuint (input->len, ==, 30);
      for (guint i = 0; i < input->len; i++, n++)
        g_assert_cmpstr (g_ptr_array_index (output, n), ==, g_ptr_array_index (input, i));
    }

  /* Same size as the clips, explicitly: still a copy. */
  g_unlink (path);
  echoes_exporter_set_height (exporter, 180);
  g_assert_true (echoes_exporter_run (exporter, path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (echoes_exporter_get_copied_video (exporter));
}

static void
test_exporter_encode_crossfade (void)
{
  g_autoptr(EchoesExporter) exporter = echoes_exporter_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = out_path ("film.mp4");
  const char *tracks[] = { music, NULL };
  /* 3 × 1 s − 2 × 0.5 s of overlap */
  const Expected expected = { "video/quicktime", "video/x-h264", "audio/mpeg", 640, 360,
                              2 * GST_SECOND };

  echoes_exporter_set_clips (exporter, (const char * const *) clips);
  echoes_exporter_set_music (exporter, tracks, 1.0, GST_SECOND);
  echoes_exporter_set_height (exporter, 360);
  echoes_exporter_set_crossfade (exporter, GST_SECOND / 2);
  g_assert_true (echoes_exporter_run (exporter, path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  /* Resized: rendered. */
  g_assert_false (echoes_exporter_get_copied_video (exporter));
  g_assert_false (echoes_exporter_get_spliced_video (exporter));
  assert_film (path, &expected);
}

/* A portrait film's size is counted on its short side, as "720p" is: clips of 180×320
 * exported at 180 are copied as they are, at 360 they become 360×640. */
static void
test_exporter_portrait (void)
{
  g_autoptr(EchoesExporter) exporter = echoes_exporter_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = out_path ("portrait.mp4");
  g_autofree char *a = echoes_test_media_make_clip (media_dir, "tall-a.mp4", 180, 320, 30, 0);
  g_autofree char *b = echoes_test_media_make_clip (media_dir, "tall-b.mp4", 180, 320, 30, 1);
  const char *tall[] = { a, b, NULL };
  const Expected copied = { "video/quicktime", "video/x-h264", "audio/mpeg", 180, 320,
                            2 * GST_SECOND };
  const Expected larger = { "video/quicktime", "video/x-h264", "audio/mpeg", 360, 640,
                            2 * GST_SECOND };

  echoes_exporter_set_clips (exporter, tall);
  echoes_exporter_set_height (exporter, 180);
  g_assert_true (echoes_exporter_run (exporter, path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (echoes_exporter_get_copied_video (exporter));
  assert_film (path, &copied);

  g_unlink (path);
  echoes_exporter_set_height (exporter, 360);
  g_assert_true (echoes_exporter_run (exporter, path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (echoes_exporter_get_copied_video (exporter));
  assert_film (path, &larger);
}

static void
test_exporter_encode_resize (void)
{
  g_autoptr(EchoesExporter) exporter = echoes_exporter_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = out_path ("film.mp4");
  const Expected expected = { "video/quicktime", "video/x-h264", "audio/mpeg", 640, 360,
                              3 * GST_SECOND };

  /* No music: the film still has a (silent) audio track. */
  echoes_exporter_set_clips (exporter, (const char * const *) clips);
  echoes_exporter_set_height (exporter, 360);
  g_assert_true (echoes_exporter_run (exporter, path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (echoes_exporter_get_copied_video (exporter));
  assert_film (path, &expected);
}

static void
test_exporter_durations (void)
{
  g_autoptr(EchoesExporter) exporter = echoes_exporter_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = out_path ("film.mp4");
  g_autoptr(GPtrArray) output = NULL;
  g_autoptr(GPtrArray) input = NULL;
  /* "Fit to music" cut clips 1 and 3 to half a second; clip 2 keeps its length. */
  const GstClockTime durations[] = { GST_SECOND / 2, GST_CLOCK_TIME_NONE, GST_SECOND / 2 };
  const Expected expected = { "video/quicktime", "video/x-h264", "audio/mpeg", 320, 180,
                              2 * GST_SECOND };

  echoes_exporter_set_clips (exporter, (const char * const *) clips);
  echoes_exporter_set_clip_durations (exporter, durations, G_N_ELEMENTS (durations));
  echoes_exporter_set_height (exporter, 0);
  g_assert_true (echoes_exporter_run (exporter, path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  /* Cutting inside a GOP needs encoding, but only of the cut clips: clip 2 is copied. */
  g_assert_false (echoes_exporter_get_copied_video (exporter));
  g_assert_true (echoes_exporter_get_spliced_video (exporter));
  assert_film (path, &expected);
  output = video_sample_checksums (path);
  input = video_sample_checksums (clips[1]);
  g_assert_cmpuint (output->len, ==, 60);
  assert_same_samples (output, 15, input, 0, 30);
}

static void
test_exporter_splice_crossfade (void)
{
  g_autoptr(EchoesExporter) exporter = echoes_exporter_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) output = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) last = NULL;
  g_autoptr(GArray) lumas = NULL;
  g_autofree char *path = out_path ("film.mp4");
  g_autofree char *dir = g_path_get_dirname (path);
  const char *tracks[] = { music, NULL };
  /* 3 × 2 s − 2 × 0.5 s of overlap */
  const Expected expected = { "video/quicktime", "video/x-h264", "audio/mpeg", 320, 180,
                              5 * GST_SECOND };
  double progress = 0.0;

  echoes_exporter_set_clips (exporter, (const char * const *) long_clips);
  echoes_exporter_set_music (exporter, tracks, 1.0, GST_SECOND);
  echoes_exporter_set_height (exporter, 0);
  echoes_exporter_set_crossfade (exporter, GST_SECOND / 2);
  g_assert_true (echoes_exporter_run (exporter, path, NULL, progress_cb, &progress, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (progress, ==, 1.0);
  g_assert_true (echoes_exporter_get_spliced_video (exporter));
  g_assert_false (echoes_exporter_get_copied_video (exporter));
  assert_film (path, &expected);
  /* Nothing left beside the film. */
  g_assert_cmpuint (count_files (dir), ==, 1);

  /* Clip 1's first second and clip 3's last second are copied (whole GOPs); the
   * frames from clip 1's key frame at 1 s to clip 3's at 1 s are re-encoded. */
  output = video_sample_checksums (path);
  g_assert_cmpuint (output->len, ==, 150);
  first = video_sample_checksums (long_clips[0]);
  last = video_sample_checksums (long_clips[2]);
  assert_same_samples (output, 0, first, 0, 30);
  assert_same_samples (output, 120, last, 30, 30);

  /* Black until the first crossfade (frames 45–59), white from its end to the second
   * (90–104), black after; half way through a crossfade, grey. */
  lumas = frame_lumas (path);
  g_assert_cmpuint (lumas->len, ==, 150);
  g_assert_cmpfloat (g_array_index (lumas, double, 44), <, 30);
  g_assert_cmpfloat_with_epsilon (g_array_index (lumas, double, 52), 125, 25);
  g_assert_cmpfloat (g_array_index (lumas, double, 60), >, 220);
  g_assert_cmpfloat (g_array_index (lumas, double, 89), >, 220);
  g_assert_cmpfloat_with_epsilon (g_array_index (lumas, double, 97), 125, 25);
  g_assert_cmpfloat (g_array_index (lumas, double, 105), <, 30);
  for (guint i = 46; i < 60; i++)
    g_assert_cmpfloat (g_array_index (lumas, double, i), >, g_array_index (lumas, double, i - 1));
}

static void
test_exporter_splice_fallback (void)
{
  g_autoptr(EchoesExporter) exporter = echoes_exporter_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = out_path ("film.mp4");
  /* 3 × 1 s − 2 × 0.5 s: the middle clip has no key frame between its crossfades. */
  const Expected expected = { "video/quicktime", "video/x-h264", "audio/mpeg", 320, 180,
                              2 * GST_SECOND };

  echoes_exporter_set_clips (exporter, (const char * const *) clips);
  echoes_exporter_set_height (exporter, 0);
  echoes_exporter_set_crossfade (exporter, GST_SECOND / 2);
  g_assert_true (echoes_exporter_run (exporter, path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (echoes_exporter_get_spliced_video (exporter));
  g_assert_false (echoes_exporter_get_copied_video (exporter));
  assert_film (path, &expected);
}

static void
test_exporter_webm (void)
{
  g_autoptr(EchoesExporter) exporter = echoes_exporter_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = out_path ("film.webm");
  const char *tracks[] = { music, NULL };
  const Expected expected = { "video/webm", "video/x-vp9", "audio/x-opus", 320, 180,
                              3 * GST_SECOND };

  echoes_exporter_set_clips (exporter, (const char * const *) clips);
  echoes_exporter_set_music (exporter, tracks, 1.0, GST_SECOND);
  echoes_exporter_set_height (exporter, 180);
  echoes_exporter_set_format (exporter, ECHOES_EXPORT_FORMAT_WEBM);
  g_assert_true (echoes_exporter_run (exporter, path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (echoes_exporter_get_copied_video (exporter));
  assert_film (path, &expected);
}

typedef struct
{
  GCancellable *cancellable;
  GError       *error;
  gboolean      done;
  gboolean      ok;
  guint         n_progress;
  double        last;
  GThread      *thread;
} AsyncData;

static void
async_progress_cb (EchoesExporter *exporter,
                   double          fraction,
                   gint64          remaining,
                   AsyncData      *data)
{
  /* Delivered on the caller's main context. */
  g_assert_true (data->thread == g_thread_self ());
  g_assert_cmpfloat (fraction, >=, data->last);
  data->last = fraction;
  data->n_progress++;

  if (data->cancellable != NULL)
    g_cancellable_cancel (data->cancellable);
}

static void
async_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncData *data = user_data;

  data->ok = echoes_exporter_run_finish (ECHOES_EXPORTER (object), result, &data->error);
  data->done = TRUE;
}

static void
test_exporter_async (void)
{
  g_autoptr(EchoesExporter) exporter = echoes_exporter_new ();
  g_autofree char *path = out_path ("film.mp4");
  AsyncData data = { NULL, NULL, FALSE, FALSE, 0, 0.0, g_thread_self () };

  echoes_exporter_set_clips (exporter, (const char * const *) clips);
  echoes_exporter_set_height (exporter, 360);
  g_signal_connect (exporter, "progress", G_CALLBACK (async_progress_cb), &data);
  echoes_exporter_run_async (exporter, path, NULL, async_done_cb, &data);
  while (!data.done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_no_error (data.error);
  g_assert_true (data.ok);
  g_assert_cmpuint (data.n_progress, >=, 1);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_scratch (), ==, 0);
}

static void
test_exporter_cancel (void)
{
  g_autoptr(EchoesExporter) exporter = echoes_exporter_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *path = out_path ("film.mp4");
  g_autofree char *dir = g_path_get_dirname (path);
  AsyncData data = { cancellable, NULL, FALSE, FALSE, 0, 0.0, g_thread_self () };

  /* Cancelled at the first progress report, i.e. while writing. */
  echoes_exporter_set_clips (exporter, (const char * const *) clips);
  echoes_exporter_set_height (exporter, 360);
  g_signal_connect (exporter, "progress", G_CALLBACK (async_progress_cb), &data);
  echoes_exporter_run_async (exporter, path, cancellable, async_done_cb, &data);
  while (!data.done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (data.ok);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (dir), ==, 0);
  g_assert_cmpuint (count_scratch (), ==, 0);
  g_clear_error (&data.error);

  /* The same while splicing: neither the film nor the parts are left. */
  g_cancellable_reset (cancellable);
  data.done = FALSE;
  data.n_progress = 0;
  data.last = 0.0;
  echoes_exporter_set_clips (exporter, (const char * const *) long_clips);
  echoes_exporter_set_height (exporter, 0);
  echoes_exporter_set_crossfade (exporter, GST_SECOND / 2);
  echoes_exporter_run_async (exporter, path, cancellable, async_done_cb, &data);
  while (!data.done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (dir), ==, 0);
  g_assert_cmpuint (count_scratch (), ==, 0);
  g_clear_error (&data.error);
}

static void
test_exporter_no_overwrite (void)
{
  g_autoptr(EchoesExporter) exporter = echoes_exporter_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = out_path ("film.mp4");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *contents = NULL;

  g_assert_true (g_file_set_contents (path, "precious", -1, NULL));
  echoes_exporter_set_clips (exporter, (const char * const *) clips);
  echoes_exporter_set_height (exporter, 0);

  g_assert_false (echoes_exporter_run (exporter, path, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "precious");
  g_assert_cmpuint (count_files (dir), ==, 1);
  g_clear_pointer (&contents, g_free);

  echoes_exporter_set_flags (exporter, ECHOES_EXPORT_FLAGS_OVERWRITE);
  g_assert_true (echoes_exporter_run (exporter, path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, !=, "precious");
  g_assert_cmpuint (count_files (dir), ==, 1);
}

static void
test_exporter_bad_input (void)
{
  g_autoptr(EchoesExporter) exporter = echoes_exporter_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = out_path ("film.mp4");
  g_autofree char *dir = g_path_get_dirname (path);
  const char *tracks[] = { broken_music, NULL };
  const char *missing[] = { clips[0], "/nonexistent/clip.mp4", NULL };
  const char *none[] = { NULL };

  echoes_exporter_set_clips (exporter, (const char * const *) clips);
  echoes_exporter_set_music (exporter, tracks, 1.0, 0);
  g_assert_false (echoes_exporter_run (exporter, path, NULL, NULL, NULL, &error));
  /* Which of the two depends on how much of the file looks like audio. */
  g_assert_true (g_error_matches (error, ECHOES_MUSIC_ERROR, ECHOES_MUSIC_ERROR_BROKEN) ||
                 g_error_matches (error, ECHOES_MUSIC_ERROR, ECHOES_MUSIC_ERROR_UNSUPPORTED));
  g_assert_nonnull (strstr (error->message, "broken.mp3"));
  g_clear_error (&error);

  echoes_exporter_set_music (exporter, NULL, 1.0, 0);
  echoes_exporter_set_clips (exporter, missing);
  g_assert_false (echoes_exporter_run (exporter, path, NULL, NULL, NULL, &error));
  g_assert_error (error, ECHOES_EXPORT_ERROR, ECHOES_EXPORT_ERROR_BAD_CLIP);
  g_clear_error (&error);

  echoes_exporter_set_clips (exporter, none);
  g_assert_false (echoes_exporter_run (exporter, path, NULL, NULL, NULL, &error));
  g_assert_error (error, ECHOES_EXPORT_ERROR, ECHOES_EXPORT_ERROR_NO_CLIPS);

  g_assert_cmpuint (count_files (dir), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&exporter));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gst_init (&argc, &argv);

  media_dir = g_dir_make_tmp ("echoes-media-XXXXXX", NULL);
  clips[0] = echoes_test_media_make_clip (media_dir, "a.mp4", 320, 180, 30, 0);
  clips[1] = echoes_test_media_make_clip (media_dir, "b.mp4", 320, 180, 30, 18);
  clips[2] = echoes_test_media_make_clip (media_dir, "c.mp4", 320, 180, 30, 1);
  long_clips[0] = echoes_test_media_make_clip (media_dir, "black1.mp4", 320, 180, 60, 2);
  long_clips[1] = echoes_test_media_make_clip (media_dir, "white.mp4", 320, 180, 60, 3);
  long_clips[2] = echoes_test_media_make_clip (media_dir, "black2.mp4", 320, 180, 60, 2);
  music = echoes_test_media_make_audio (media_dir, "music.ogg", "ogg", 44100, 5.0);
  broken_music = g_build_filename (media_dir, "broken.mp3", NULL);
  g_assert_true (g_file_set_contents (broken_music, "ID3\x03\x00\x00\x00\x00\x00\x10garbage garbage",
                                      -1, NULL));

  g_test_add_func ("/echoes/media/exporter/copy-mp4", test_exporter_copy_mp4);
  g_test_add_func ("/echoes/media/exporter/encode-crossfade", test_exporter_encode_crossfade);
  g_test_add_func ("/echoes/media/exporter/encode-resize", test_exporter_encode_resize);
  g_test_add_func ("/echoes/media/exporter/portrait", test_exporter_portrait);
  g_test_add_func ("/echoes/media/exporter/durations", test_exporter_durations);
  g_test_add_func ("/echoes/media/exporter/splice-crossfade", test_exporter_splice_crossfade);
  g_test_add_func ("/echoes/media/exporter/splice-fallback", test_exporter_splice_fallback);
  g_test_add_func ("/echoes/media/exporter/webm", test_exporter_webm);
  g_test_add_func ("/echoes/media/exporter/async", test_exporter_async);
  g_test_add_func ("/echoes/media/exporter/cancel", test_exporter_cancel);
  g_test_add_func ("/echoes/media/exporter/no-overwrite", test_exporter_no_overwrite);
  g_test_add_func ("/echoes/media/exporter/bad-input", test_exporter_bad_input);

  ret = g_test_run ();

  echoes_test_remove_tree (media_dir);
  for (guint i = 0; clips[i] != NULL; i++)
    g_clear_pointer (&clips[i], g_free);
  for (guint i = 0; long_clips[i] != NULL; i++)
    g_clear_pointer (&long_clips[i], g_free);
  g_clear_pointer (&music, g_free);
  g_clear_pointer (&broken_music, g_free);
  g_clear_pointer (&media_dir, g_free);

  return ret;
}
