/* echoes-exporter-render.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-exporter"

#include "config.h"

#include "echoes-exporter-private.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
/* GES 1.22's headers have const-qualified return types (-Wignored-qualifiers). */
#include <ges/ges.h>
#include <glib/gstdio.h>
#include <glib/gi18n.h>

#include "echoes-clip-encoder.h"
#include "echoes-film-timeline.h"
#include "echoes-export-scratch.h"
#include "echoes-types.h"
#include "echoes-paths.h"
#include "echoes-progress.h"

/* Writing the film: the checks, the GES pipeline (profile, encoder settings), running it
 * with progress and cancellation, and moving the temp file into place. */

#define POLL_INTERVAL (100 * GST_MSECOND)

static GstEncodingProfile *
create_profile (EchoesExportFormat format)
{
  g_autoptr(GstCaps) container_caps = NULL;
  g_autoptr(GstCaps) video_caps = NULL;
  g_autoptr(GstCaps) audio_caps = NULL;
  GstEncodingContainerProfile *container;

  if (format == ECHOES_EXPORT_FORMAT_WEBM)
    {
      container_caps = gst_caps_from_string ("video/webm");
      video_caps = gst_caps_from_string ("video/x-vp9");
      audio_caps = gst_caps_from_string ("audio/x-opus");
    }
  else
    {
      container_caps = gst_caps_from_string ("video/quicktime,variant=iso");
      video_caps = gst_caps_from_string ("video/x-h264");
      audio_caps = gst_caps_from_string ("audio/mpeg,mpegversion=4");
    }

  container = gst_encoding_container_profile_new ("echoes", NULL, container_caps, NULL);
  gst_encoding_container_profile_add_profile (container, GST_ENCODING_PROFILE (
    gst_encoding_video_profile_new (video_caps, NULL, NULL, 0)));
  gst_encoding_container_profile_add_profile (container, GST_ENCODING_PROFILE (
    gst_encoding_audio_profile_new (audio_caps, NULL, NULL, 0)));

  return GST_ENCODING_PROFILE (container);
}

/* Called on whichever thread adds the element, before it leaves NULL state. */
static void
deep_element_added_cb (GstBin     *bin,
                       GstBin     *sub_bin,
                       GstElement *element,
                       gpointer    user_data)
{
  Job *job = user_data;
  GstElementFactory *factory = gst_element_get_factory (element);
  const char *name;
  const char *klass;

  if (factory == NULL)
    return;

  name = gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (factory));
  klass = gst_element_factory_get_metadata (factory, GST_ELEMENT_METADATA_KLASS);

  if (klass != NULL && strstr (klass, "Encoder") != NULL && strstr (klass, "Video") != NULL)
    {
      g_debug ("Video encoder %s created", name);
      job->video_encoder_created = TRUE;
    }

  if (g_str_equal (name, "x264enc"))
    {
      /* CRF-like constant quality, matching ffmpeg's defaults but a faster preset. */
      gst_util_set_object_arg (G_OBJECT (element), "speed-preset", "veryfast");
      gst_util_set_object_arg (G_OBJECT (element), "pass", "qual");
      g_object_set (element,
                    "quantizer", 23,
                    "key-int-max", 250,
                    "vbv-buf-capacity", 0,
                    /* x264enc turns trellis on regardless of the preset: a quarter
                     * of the encoding time for little gain at this quality. */
                    "trellis", FALSE,
                    NULL);
    }
  else if (g_str_equal (name, "vp9enc"))
    {
      /* Default vp9enc settings are ~15× slower; see docs/media.md, section 4. */
      g_object_set (element,
                    "deadline", (gint64) 1,
                    "cpu-used", 8,
                    "threads", 2,
                    "target-bitrate",
                    job->height >= echoes_resolution_get_lines (ECHOES_RESOLUTION_1080P)
                      ? 5000000 : 2500000,
                    NULL);
    }
  else if (g_str_equal (name, "mp4mux"))
    {
      /* Its temporary file in our working folder, not in /tmp: see
       * _echoes_exporter_export_film(). */
      g_object_set (element, "faststart", TRUE, "faststart-file", job->faststart_file, NULL);
    }
}

static gboolean
move_into_place (const char  *temp_path,
                 const char  *destination,
                 gboolean     overwrite,
                 GError     **error)
{
  g_autofree char *display = g_filename_display_basename (destination);
  int saved_errno;

  if (overwrite)
    {
      if (g_rename (temp_path, destination) != 0)
        {
          saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("“%s” cannot be written: %s"), display, g_strerror (saved_errno));
          return FALSE;
        }
      return TRUE;
    }

  /* link() never replaces an existing file, unlike rename(). */
  if (link (temp_path, destination) == 0)
    {
      g_unlink (temp_path);
      return TRUE;
    }

  saved_errno = errno;
  if (saved_errno == EEXIST)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("“%s” already exists"), display);
      return FALSE;
    }

  /* Some file systems (FAT, some FUSE) have no hard links. */
  if (g_file_test (destination, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("“%s” already exists"), display);
      return FALSE;
    }

  if (g_rename (temp_path, destination) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("“%s” cannot be written: %s"), display, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static gboolean
run_pipeline (Job           *job,
              GstElement    *pipeline,
              GstClockTime   film_duration,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  gboolean done = FALSE;
  gboolean ok = FALSE;

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, ECHOES_EXPORT_ERROR, ECHOES_EXPORT_ERROR_FAILED,
                   _("The film cannot be exported"));
      return FALSE;
    }

  while (!done)
    {
      g_autoptr(GstMessage) message = NULL;
      gint64 position;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;

      message = gst_bus_timed_pop_filtered (bus, POLL_INTERVAL,
                                            GST_MESSAGE_EOS | GST_MESSAGE_ERROR);

      if (message != NULL && GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS)
        {
          ok = done = TRUE;
        }
      else if (message != NULL && GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
        {
          g_autoptr(GError) gst_error = NULL;
          g_autofree char *debug = NULL;

          gst_message_parse_error (message, &gst_error, &debug);
          g_warning ("Export failed: %s (%s)", gst_error->message, debug ? debug : "");
          g_set_error (error, ECHOES_EXPORT_ERROR, ECHOES_EXPORT_ERROR_FAILED,
                       _("The film cannot be exported: %s"), gst_error->message);
          done = TRUE;
        }
      else if (film_duration > 0 &&
               gst_element_query_position (pipeline, GST_FORMAT_TIME, &position) &&
               position >= 0)
        _echoes_exporter_job_report_stage (job, (double) position / (double) film_duration);
    }

  gst_element_set_state (pipeline, GST_STATE_NULL);

  if (ok)
    {
      echoes_progress_finish (&job->bar);
      _echoes_exporter_job_report (job, echoes_progress_get_fraction (&job->bar), 0);
    }

  return ok;
}

gboolean
_echoes_exporter_export_film (Job           *job,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(GArray) infos = NULL;
  g_autoptr(GArray) starts = NULL;
  g_autoptr(GPtrArray) clip_assets = NULL;
  g_autoptr(GPtrArray) music_assets = NULL;
  g_autoptr(GPtrArray) tracks = NULL;
  g_autoptr(GESTimeline) timeline = NULL;
  g_autoptr(GESPipeline) pipeline = NULL;
  g_autoptr(GstEncodingProfile) profile = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *cache_dir = NULL;
  g_autofree char *temp_uri = NULL;
  g_autofree char *display = NULL;
  g_autofree GstClockTime *durations = NULL;
  g_autoptr(EchoesExportScratch) scratch = NULL;
  EchoesFilmSettings settings;
  const ClipInfo *first;
  gboolean ok;

  display = g_filename_display_basename (job->destination);
  job->started = g_get_monotonic_time ();

  if (job->clips == NULL || job->clips[0] == NULL)
    {
      g_set_error (error, ECHOES_EXPORT_ERROR, ECHOES_EXPORT_ERROR_NO_CLIPS,
                   _("The film has no approved clips"));
      return FALSE;
    }

  if ((job->flags & ECHOES_EXPORT_FLAGS_OVERWRITE) == 0 &&
      g_file_test (job->destination, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("“%s” already exists"), display);
      return FALSE;
    }

  dir = g_path_get_dirname (job->destination);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The folder for “%s” does not exist"), display);
      return FALSE;
    }

  /* Without any H.264 encoder encodebin fails late with a bare "missing plugin". */
  if (job->format == ECHOES_EXPORT_FORMAT_MP4 && !echoes_clip_encoder_check_h264 (error))
    return FALSE;

  infos = g_array_new (FALSE, TRUE, sizeof (ClipInfo));
  g_array_set_clear_func (infos, _echoes_exporter_clip_info_clear);
  if (!_echoes_exporter_inspect_clips (job, infos, cancellable, error))
    return FALSE;

  if (job->music != NULL && job->music[0] != NULL &&
      !(tracks = echoes_music_probe ((const char * const *) job->music, cancellable, error)))
    return FALSE;

  cache_dir = echoes_paths_dup_cache_dir ();
  if (!(scratch = echoes_export_scratch_new (cache_dir, job->destination, error)))
    return FALSE;

  if (_echoes_exporter_clips_share_stream (job, infos) &&
      !_echoes_exporter_splice_video (job, echoes_export_scratch_get_dir (scratch), infos,
                                      cancellable, error))
    return FALSE;

  job->copied_video = _echoes_exporter_can_copy_video (job, infos);
  first = &g_array_index (infos, ClipInfo, 0);

  echoes_film_settings_init (&settings);
  settings.mixing = !job->copied_video;
  settings.crossfade = job->crossfade;
  settings.volume = job->volume;
  settings.fade_out = job->fade_out;
  if (!job->copied_video)
    {
      _echoes_exporter_film_size (job, first, &settings.width, &settings.height);
      settings.fps_n = first->fps_n > 0 ? first->fps_n : 30;
      settings.fps_d = first->fps_n > 0 ? MAX (first->fps_d, 1) : 1;
    }

  durations = _echoes_exporter_job_dup_durations (job, infos->len);

  g_debug ("Exporting %u clips to %s, %s video, %ux%u", infos->len, job->destination,
           job->spliced_video ? "spliced" : job->copied_video ? "copying" : "encoding",
           settings.width, settings.height);

  if (!(clip_assets = echoes_film_request_assets ((const char * const *) job->clips,
                                                   cancellable, error)))
    return FALSE;
  if (tracks != NULL &&
      !(music_assets = echoes_film_request_assets ((const char * const *) job->music,
                                                    cancellable, error)))
    return FALSE;

  starts = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  if (!(timeline = echoes_film_timeline_new (clip_assets, durations, music_assets, &settings,
                                             starts, error)))
    return FALSE;

  temp_uri = g_filename_to_uri (echoes_export_scratch_get_output (scratch), NULL, NULL);
  job->faststart_file = g_build_filename (echoes_export_scratch_get_dir (scratch), "faststart",
                                          NULL);
  profile = create_profile (job->format);

  pipeline = g_object_ref_sink (ges_pipeline_new ());
  g_signal_connect (pipeline, "deep-element-added", G_CALLBACK (deep_element_added_cb), job);

  ok = ges_pipeline_set_timeline (pipeline, g_object_ref (timeline)) &&
       ges_pipeline_set_render_settings (pipeline, temp_uri, profile) &&
       ges_pipeline_set_mode (pipeline, job->copied_video ? GES_PIPELINE_MODE_SMART_RENDER
                                                          : GES_PIPELINE_MODE_RENDER);
  if (!ok)
    g_set_error (error, ECHOES_EXPORT_ERROR, ECHOES_EXPORT_ERROR_FAILED,
                 _("The film cannot be exported"));
  else
    ok = run_pipeline (job, GST_ELEMENT (pipeline),
                       g_array_index (starts, GstClockTime, starts->len - 1),
                       cancellable, error);

  g_signal_handlers_disconnect_by_func (pipeline, deep_element_added_cb, job);
  g_clear_object (&pipeline);

  /* encodebin's smart encoder creates an encoder up front even when it only copies. */
  if (ok && job->copied_video && job->video_encoder_created)
    g_debug ("A video encoder was created on the copy path");

  if (ok)
    ok = move_into_place (echoes_export_scratch_get_output (scratch), job->destination,
                          (job->flags & ECHOES_EXPORT_FLAGS_OVERWRITE) != 0, error);
  if (ok)
    echoes_export_scratch_committed (scratch);

  /* The scratch space goes, with the temporary film unless it was moved into place. */
  return ok;
}
