/* echoes-exporter-plan.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-exporter"

#include "config.h"

#include "echoes-exporter-private.h"

#include <gst/pbutils/pbutils.h>
#include <glib/gstdio.h>
#include <glib/gi18n.h>

#include "echoes-clip-encoder.h"
#include "echoes-film-splicer.h"
#include "echoes-progress.h"

/* Planning an export: probing the clips, the film's size, whether the video can be
 * copied, and splicing the clips into one file for the copy path. */

void
_echoes_exporter_clip_info_clear (gpointer data)
{
  ClipInfo *info = data;

  g_clear_pointer (&info->caps, gst_caps_unref);
}

gboolean
_echoes_exporter_inspect_clips (Job           *job,
                                GArray        *infos,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_autoptr(GstDiscoverer) discoverer = NULL;

  if (!(discoverer = gst_discoverer_new (10 * GST_SECOND, error)))
    return FALSE;

  for (guint i = 0; job->clips[i] != NULL; i++)
    {
      g_autoptr(GstDiscovererInfo) info = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autofree char *uri = NULL;
      g_autofree char *display = g_filename_display_basename (job->clips[i]);
      GList *video;
      GstDiscovererVideoInfo *vinfo;
      ClipInfo clip = { 0, };

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (!g_file_test (job->clips[i], G_FILE_TEST_IS_REGULAR) ||
          !(uri = gst_filename_to_uri (job->clips[i], NULL)))
        {
          g_set_error (error, ECHOES_EXPORT_ERROR, ECHOES_EXPORT_ERROR_BAD_CLIP,
                       _("The video of clip %u (“%s”) is missing"), i + 1, display);
          return FALSE;
        }

      info = gst_discoverer_discover_uri (discoverer, uri, &local_error);
      if (info == NULL || gst_discoverer_info_get_result (info) != GST_DISCOVERER_OK ||
          !(video = gst_discoverer_info_get_video_streams (info)))
        {
          g_set_error (error, ECHOES_EXPORT_ERROR, ECHOES_EXPORT_ERROR_BAD_CLIP,
                       _("The video of clip %u (“%s”) cannot be read"), i + 1, display);
          return FALSE;
        }

      vinfo = video->data;
      clip.caps = gst_discoverer_stream_info_get_caps (GST_DISCOVERER_STREAM_INFO (vinfo));
      clip.width = gst_discoverer_video_info_get_width (vinfo);
      clip.height = gst_discoverer_video_info_get_height (vinfo);
      clip.fps_n = (gint) gst_discoverer_video_info_get_framerate_num (vinfo);
      clip.fps_d = (gint) gst_discoverer_video_info_get_framerate_denom (vinfo);
      clip.duration = gst_discoverer_info_get_duration (info);
      gst_discoverer_stream_info_list_free (video);

      g_array_append_val (infos, clip);
    }

  return TRUE;
}

/* The film's size: the job's lines on the clips' short side (720 lines make a 16:9
 * film 1280×720 and a 9:16 one 720×1280), the other side following their shape, both
 * even; 0 lines keep the clips' size. */
void
_echoes_exporter_film_size (Job            *job,
                            const ClipInfo *first,
                            guint          *width,
                            guint          *height)
{
  guint w = MAX (first->width, 1u), h = MAX (first->height, 1u);
  guint lines = job->height > 0 ? job->height : MIN (w, h);

  if (w >= h)
    {
      *height = lines;
      *width = (guint) ((double) lines * w / h / 2.0 + 0.5) * 2;
    }
  else
    {
      *width = lines;
      *height = (guint) ((double) lines * h / w / 2.0 + 0.5) * 2;
    }
}

/* Whether the clips share one H.264 stream at the film's size (profile, SPS/PPS in
 * codec_data, frame rate) and the film is MP4: then they can be joined without
 * decoding them, spliced (echoes-film-splicer.c) or copied. */
gboolean
_echoes_exporter_clips_share_stream (Job    *job,
                                     GArray *infos)
{
  const ClipInfo *first = &g_array_index (infos, ClipInfo, 0);
  guint width, height;

  _echoes_exporter_film_size (job, first, &width, &height);
  if (job->format != ECHOES_EXPORT_FORMAT_MP4 ||
      (job->flags & ECHOES_EXPORT_FLAGS_FORCE_ENCODE) != 0 ||
      width != first->width || height != first->height)
    return FALSE;

  for (guint i = 0; i < infos->len; i++)
    {
      const ClipInfo *clip = &g_array_index (infos, ClipInfo, i);

      if (!echoes_clip_encoder_same_stream (first->caps, clip->caps))
        {
          g_debug ("Clip %u differs from clip 1: re-encoding", i + 1);
          return FALSE;
        }
    }

  return TRUE;
}

/* Whether GES can copy the video as it is: no crossfades, no cuts. */
gboolean
_echoes_exporter_can_copy_video (Job    *job,
                                 GArray *infos)
{
  if (job->crossfade > 0 || !_echoes_exporter_clips_share_stream (job, infos))
    return FALSE;

  /* Trimming a clip needs a cut between key frames. */
  for (guint i = 0; job->durations != NULL && i < infos->len && i < job->durations->len; i++)
    {
      const ClipInfo *clip = &g_array_index (infos, ClipInfo, i);
      GstClockTime d = g_array_index (job->durations, GstClockTime, i);

      if (GST_CLOCK_TIME_IS_VALID (d) && d > 0 && d + GST_MSECOND < clip->duration)
        return FALSE;
    }

  return TRUE;
}

/* The per-clip durations as an array of @n, or %NULL for whole clips. */
GstClockTime *
_echoes_exporter_job_dup_durations (Job   *job,
                                    guint  n)
{
  GstClockTime *durations;

  if (job->durations == NULL)
    return NULL;

  durations = g_new (GstClockTime, n);
  for (guint i = 0; i < n; i++)
    durations[i] = i < job->durations->len ? g_array_index (job->durations, GstClockTime, i)
                                           : GST_CLOCK_TIME_NONE;
  return durations;
}

/* Share of the progress bar for splicing when it encodes crossfades or cut ends: the
 * rest (remuxing, encoding the audio) takes a fraction of its time. A plain copy is
 * quicker than the audio. */
#define SPLICE_SHARE      0.85
#define SPLICE_COPY_SHARE 0.3

static void
splice_progress_cb (double   fraction,
                    gpointer user_data)
{
  _echoes_exporter_job_report_stage (user_data, fraction);
}

/* Replaces the clips with one video-only file, the film's video spliced from them, so
 * that the rest is the copy path. Leaves the clips as they were (and returns %TRUE)
 * when they cannot be spliced: the film is then rendered. */
gboolean
_echoes_exporter_splice_video (Job           *job,
                               const char    *parts_dir,
                               GArray        *infos,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autofree GstClockTime *durations = _echoes_exporter_job_dup_durations (job, infos->len);
  g_autofree char *video = g_build_filename (parts_dir, "video.mp4", NULL);
  g_autoptr(GError) local_error = NULL;
  double share = job->crossfade > 0 || durations != NULL ? SPLICE_SHARE : SPLICE_COPY_SHARE;
  guint n_encoded = 0;

  echoes_progress_begin_phase (&job->bar, share);
  if (!echoes_film_splice ((const char * const *) job->clips, durations, job->crossfade,
                           parts_dir, video, splice_progress_cb, job, &n_encoded,
                           cancellable, &local_error))
    {
      g_unlink (video);
      /* Rendering takes the rest of the bar, from wherever splicing left it. */
      echoes_progress_begin_phase (&job->bar, 1.0);
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
        {
          g_debug ("Not spliced: %s", local_error->message);
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_strfreev (job->clips);
  job->clips = g_new0 (char *, 2);
  job->clips[0] = g_steal_pointer (&video);
  g_clear_pointer (&job->durations, g_array_unref);
  job->crossfade = 0;
  job->spliced_video = n_encoded > 0;
  echoes_progress_begin_phase (&job->bar, 1.0);

  g_array_set_size (infos, 0);
  return _echoes_exporter_inspect_clips (job, infos, cancellable, error);
}
