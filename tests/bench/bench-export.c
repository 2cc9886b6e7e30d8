/* bench-export.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Export benchmark (prints figures, never fails on a timing):
 *   10 clips of 5 s, 1280x720, 30 fps, H.264 (x264, like the app's) + 60 s of music;
 *   A. our 720p export with 0.5 s crossfades (spliced: only the frames around each
 *      crossfade are re-encoded, see echoes-film-splicer.c)  vs  ffmpeg concat +
 *      libx264/aac of the same inputs - goal <= 1.0x its time; also checked: ffmpeg decodes
 *      it without an error; and, for reference, the same film rendered whole by GES (the
 *      fallback for clips that cannot be spliced);
 *   B. our export without crossfades (video copied)       vs  the same ffmpeg re-encode -
 *      goal >= 10x faster, frames identical;
 *   peak RSS of each (goal <= 300 MB).
 * Each export runs in a child process (this program, re-executed) so its peak RSS is
 * its own. Inputs are generated once into a temp dir. */

#define G_LOG_DOMAIN "bench-export"

#include "config.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <gst/app/app.h>

#include "echoes-exporter.h"
#include "../echoes-test-media.h"
#include "../echoes-test-util.h"

#define N_CLIPS 10

typedef struct
{
  double seconds;
  double rss_mb;
  int    status;
} Run;

static int
child_main (int   argc,
            char *argv[])
{
  /* --child OUT CROSSFADE_MS[:render] MUSIC CLIP... */
  g_autoptr(EchoesExporter) exporter = NULL;
  g_autoptr(GError) error = NULL;
  const char *tracks[] = { argv[4], NULL };

  gst_init (NULL, NULL);
  exporter = echoes_exporter_new ();
  echoes_exporter_set_clips (exporter, (const char * const *) argv + 5);
  echoes_exporter_set_music (exporter, tracks, 1.0, 2 * GST_SECOND);
  echoes_exporter_set_crossfade (exporter, g_ascii_strtoull (argv[3], NULL, 10) * GST_MSECOND);
  echoes_exporter_set_height (exporter, 720);
  echoes_exporter_set_flags (exporter, ECHOES_EXPORT_FLAGS_OVERWRITE |
                             (g_str_has_suffix (argv[3], ":render") ? ECHOES_EXPORT_FLAGS_FORCE_ENCODE : 0));

  if (!echoes_exporter_run (exporter, argv[2], NULL, NULL, NULL, &error))
    {
      g_printerr ("export failed: %s\n", error->message);
      return 1;
    }

  g_printerr ("  (video %s)\n", echoes_exporter_get_copied_video (exporter) ? "copied" :
                                 echoes_exporter_get_spliced_video (exporter) ? "spliced" : "encoded");
  return 0;
}

static Run
run_measured (GPtrArray *args)
{
  g_autoptr(GError) error = NULL;
  struct rusage usage;
  Run run = { 0, 0, -1 };
  gint64 start;
  GPid pid;
  int status;

  g_ptr_array_add (args, NULL);
  start = g_get_monotonic_time ();
  if (!g_spawn_async (NULL, (char **) args->pdata, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH |
                      G_SPAWN_STDOUT_TO_DEV_NULL,
                      NULL, NULL, &pid, &error))
    {
      g_printerr ("cannot run %s: %s\n", (char *) args->pdata[0], error->message);
      return run;
    }

  if (wait4 (pid, &status, 0, &usage) < 0)
    return run;

  run.seconds = (g_get_monotonic_time () - start) / 1e6;
  run.rss_mb = usage.ru_maxrss / 1024.0;
  run.status = WIFEXITED (status) ? WEXITSTATUS (status) : -1;

  return run;
}

static Run
run_ours (const char *self_path,
          const char *out,
          guint       crossfade_ms,
          gboolean    render,
          const char *music,
          char      **clips)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (args, g_strdup (self_path));
  g_ptr_array_add (args, g_strdup ("--child"));
  g_ptr_array_add (args, g_strdup (out));
  g_ptr_array_add (args, g_strdup_printf ("%u%s", crossfade_ms, render ? ":render" : ""));
  g_ptr_array_add (args, g_strdup (music));
  for (guint i = 0; clips[i] != NULL; i++)
    g_ptr_array_add (args, g_strdup (clips[i]));

  return run_measured (args);
}

static Run
run_ffmpeg (const char *out,
            const char *music,
            char      **clips,
            double      film_seconds)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) filter = g_string_new (NULL);

  g_ptr_array_add (args, g_strdup ("ffmpeg"));
  g_ptr_array_add (args, g_strdup ("-v"));
  g_ptr_array_add (args, g_strdup ("error"));
  g_ptr_array_add (args, g_strdup ("-y"));
  for (guint i = 0; clips[i] != NULL; i++)
    {
      g_ptr_array_add (args, g_strdup ("-i"));
      g_ptr_array_add (args, g_strdup (clips[i]));
      g_string_append_printf (filter, "[%u:v]", i);
    }
  g_ptr_array_add (args, g_strdup ("-i"));
  g_ptr_array_add (args, g_strdup (music));
  g_string_append_printf (filter,
                          "concat=n=%u:v=1:a=0[v];[%u:a]atrim=0:%.3f,afade=t=out:st=%.3f:d=2[a]",
                          N_CLIPS, N_CLIPS, film_seconds, film_seconds - 2);
  g_ptr_array_add (args, g_strdup ("-filter_complex"));
  g_ptr_array_add (args, g_string_free (g_steal_pointer (&filter), FALSE));
  g_ptr_array_add (args, g_strdup ("-map"));
  g_ptr_array_add (args, g_strdup ("[v]"));
  g_ptr_array_add (args, g_strdup ("-map"));
  g_ptr_array_add (args, g_strdup ("[a]"));
  g_ptr_array_add (args, g_strdup ("-c:v"));
  g_ptr_array_add (args, g_strdup ("libx264"));
  g_ptr_array_add (args, g_strdup ("-crf"));
  g_ptr_array_add (args, g_strdup ("23"));
  g_ptr_array_add (args, g_strdup ("-c:a"));
  g_ptr_array_add (args, g_strdup ("aac"));
  g_ptr_array_add (args, g_strdup (out));

  return run_measured (args);
}

/* Whether ffmpeg decodes every frame of @path without reporting an error. */
static gboolean
decodes_cleanly (const char *path)
{
  char *argv[] = { (char *) "ffmpeg", (char *) "-v", (char *) "error", (char *) "-i",
                   (char *) path, (char *) "-f", (char *) "null", (char *) "-", NULL };
  g_autofree char *err = NULL;
  int status = -1;

  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, NULL))
    return FALSE;
  if (err != NULL && *err != '\0')
    g_print ("# ffmpeg on %s: %s", path, err);

  return status == 0 && (err == NULL || *err == '\0');
}

static GPtrArray *
video_sample_checksums (const char *path)
{
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autofree char *description = NULL;
  GPtrArray *sums = g_ptr_array_new_with_free_func (g_free);
  GstSample *sample;

  description = g_strdup_printf ("filesrc location=\"%s\" ! qtdemux ! video/x-h264 "
                                 "! appsink name=sink sync=false", path);
  pipeline = gst_parse_launch (description, NULL);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink))))
    {
      GstMapInfo map;

      gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ);
      g_ptr_array_add (sums, g_compute_checksum_for_data (G_CHECKSUM_SHA1, map.data, map.size));
      gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
      gst_sample_unref (sample);
    }

  gst_element_set_state (pipeline, GST_STATE_NULL);

  return sums;
}

static gboolean
frames_identical (const char  *out,
                  char       **clips)
{
  g_autoptr(GPtrArray) output = video_sample_checksums (out);
  guint n = 0;

  for (guint c = 0; clips[c] != NULL; c++)
    {
      g_autoptr(GPtrArray) input = video_sample_checksums (clips[c]);

      for (guint i = 0; i < input->len; i++, n++)
        if (n >= output->len ||
            !g_str_equal (g_ptr_array_index (output, n), g_ptr_array_index (input, i)))
          return FALSE;
    }

  return n == output->len;
}

static double
duration_of (const char *path)
{
  g_autoptr(GstDiscovererInfo) info = echoes_test_media_discover (path);

  return (double) gst_discoverer_info_get_duration (info) / GST_SECOND;
}

static const char *
verdict (gboolean ok)
{
  return ok ? "MET" : "NOT MET";
}

int
main (int   argc,
      char *argv[])
{
  static const guint patterns[N_CLIPS] = { 18, 0, 21, 24, 13, 22, 25, 23, 19, 20 };
  g_autofree char *self_path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *music = NULL;
  g_autofree char *out_fade = NULL;
  g_autofree char *out_copy = NULL;
  g_autofree char *out_ffmpeg = NULL;
  g_autofree char *out_render = NULL;
  char *clips[N_CLIPS + 1] = { NULL, };
  Run ours_fade, ours_render, ours_copy, ffmpeg;
  gboolean identical;
  gboolean clean;
  gint64 start;
  double film;

  if (argc >= 6 && g_str_equal (argv[1], "--child"))
    return child_main (argc, argv);

  gst_init (&argc, &argv);

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  dir = g_dir_make_tmp ("echoes-bench-export-XXXXXX", NULL);
  g_print ("# inputs in %s\n", dir);

  /* The app's clips, made with its clip encoder (x264 medium, CRF-like 23, a key frame
   * every second). */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < N_CLIPS; i++)
    {
      g_autofree char *name = g_strdup_printf ("clip%02u.mp4", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *description = NULL;
      g_autofree char *encoder = echoes_clip_encoder_describe (30, 1, ECHOES_CLIP_ENCODER_QUALITY);
      g_autoptr(GError) error = NULL;

      description = g_strdup_printf ("videotestsrc num-buffers=150 pattern=%u "
                                     "! video/x-raw,format=I420,width=1280,height=720,framerate=30/1 "
                                     "! %s ! mp4mux faststart=true ! filesink location=\"%s\"",
                                     patterns[i], encoder, path);
      if (!echoes_test_media_run (description, &error))
        g_error ("cannot make %s: %s", path, error->message);
      clips[i] = g_steal_pointer (&path);
    }
  music = echoes_test_media_make_audio (dir, "music.ogg", "ogg", 44100, 60.0);
  g_print ("# generated 10 x 5 s 1280x720 clips + 60 s music in %.1f s\n",
           (g_get_monotonic_time () - start) / 1e6);

  out_fade = g_build_filename (dir, "ours-crossfade.mp4", NULL);
  out_copy = g_build_filename (dir, "ours-copy.mp4", NULL);
  out_ffmpeg = g_build_filename (dir, "ffmpeg.mp4", NULL);
  out_render = g_build_filename (dir, "ours-rendered.mp4", NULL);

  ffmpeg = run_ffmpeg (out_ffmpeg, music, clips, 50.0);
  ours_fade = run_ours (self_path, out_fade, 500, FALSE, music, clips);
  ours_render = run_ours (self_path, out_render, 500, TRUE, music, clips);
  ours_copy = run_ours (self_path, out_copy, 0, FALSE, music, clips);

  if (ffmpeg.status != 0 || ours_fade.status != 0 || ours_copy.status != 0 ||
      ours_render.status != 0)
    {
      g_print ("# FAILED: ffmpeg %d, crossfade export %d (rendered %d), copy export %d\n",
               ffmpeg.status, ours_fade.status, ours_render.status, ours_copy.status);
      return 1;
    }
  clean = decodes_cleanly (out_fade);

  film = duration_of (out_fade);
  identical = frames_identical (out_copy, clips);

  g_print ("\nExport of 10 x 5 s 1280x720 clips + music, 720p (2 cores: %u)\n",
           g_get_num_processors ());
  g_print ("  reference  ffmpeg concat + libx264 crf 23 + aac  %6.2f s  %6.1f MB  (%.2f s film)\n",
           ffmpeg.seconds, ffmpeg.rss_mb, duration_of (out_ffmpeg));
  g_print ("  A. echoes, 0.5 s crossfades (spliced)          %6.2f s  %6.1f MB  (%.2f s film)\n",
           ours_fade.seconds, ours_fade.rss_mb, film);
  g_print ("     time vs ffmpeg: %.2fx  (goal <= 1.0x: %s); decodes without an error: %s\n",
           ours_fade.seconds / ffmpeg.seconds, verdict (ours_fade.seconds <= ffmpeg.seconds),
           clean ? "yes" : "NO");
  g_print ("     the same rendered whole (GES, the fallback) %6.2f s  %6.1f MB  (%.2fx ffmpeg)\n",
           ours_render.seconds, ours_render.rss_mb, ours_render.seconds / ffmpeg.seconds);
  g_print ("  B. echoes, no crossfade (video copied)         %6.2f s  %6.1f MB  (%.2f s film)\n",
           ours_copy.seconds, ours_copy.rss_mb, duration_of (out_copy));
  g_print ("     speed-up vs ffmpeg re-encode: %.1fx  (goal >= 10x: %s); frames identical: %s\n",
           ffmpeg.seconds / ours_copy.seconds,
           verdict (ffmpeg.seconds / ours_copy.seconds >= 10), identical ? "yes" : "NO");
  g_print ("  peak RSS: A %.1f MB, B %.1f MB, ffmpeg %.1f MB  (goal <= 300 MB: %s)\n",
           ours_fade.rss_mb, ours_copy.rss_mb, ffmpeg.rss_mb,
           verdict (ours_fade.rss_mb <= 300 && ours_copy.rss_mb <= 300));

  for (guint i = 0; i < N_CLIPS; i++)
    g_free (clips[i]);
  echoes_test_remove_tree (dir);

  /* A benchmark: only a broken export fails it. */
  return identical && clean ? 0 : 1;
}
