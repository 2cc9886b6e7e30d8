/* echoes-exporter.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-exporter"

#include "config.h"

#include "echoes-exporter.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <gst/pbutils/pbutils.h>
/* GES 1.22's headers have const-qualified return types (-Wignored-qualifiers). */
#include <ges/ges.h>
#include <glib/gstdio.h>
#include <glib/gi18n.h>

#include "echoes-clip-encoder.h"
#include "echoes-film-splicer.h"
#include "echoes-film-timeline.h"
#include "echoes-export-scratch.h"
#include "echoes-media-enums.h"
#include "echoes-types.h"
#include "echoes-paths.h"
#include "echoes-progress.h"

/* Exports the approved clips (+ music) as one film, with the timeline shared with the
 * player (echoes-film-timeline.c) in a GESPipeline.
 *
 * Splice path: when every clip is H.264 with the same caps (size, frame rate, profile
 * and SPS/PPS in codec_data) and the target is MP4 at that size, the clips are first
 * joined into one video-only file by echoes-film-splicer.c, which copies their GOPs and
 * re-encodes only the frames around crossfades and trimmed ends (none for a plain
 * copy). That one file then takes the copy path.
 *
 * Copy path: with no crossfades or trims and clips like the above, the pipeline runs
 * in smart-render mode with mixing disabled on the tracks, so the video is parsed and
 * remuxed, never decoded or encoded; only the audio is encoded. (With mixing enabled
 * GES silently re-encodes: see docs/media.md, section 4.)
 *
 * Otherwise (resized, WebM, clips the splicer cannot join) the film is rendered and
 * encoded (x264/AAC or VP9/Opus).
 *
 * The film is written to a hidden temp file in the destination folder and moved into
 * place on success; on error or cancellation the temp file is removed. Working files
 * (the spliced video, mp4mux's faststart file) live in the cache: see
 * echoes-export-scratch.c, which also finds what a killed export left. An existing
 * destination is never replaced unless ECHOES_EXPORT_FLAGS_OVERWRITE is set, and the
 * final move is a link(), which fails atomically if a file appeared meanwhile. */

#define POLL_INTERVAL (100 * GST_MSECOND)

struct _EchoesExporter
{
  GObject             parent_instance;

  GStrv               clips;      /* (owned) */
  GArray             *durations;  /* (owned) (nullable) GstClockTime */
  GStrv               music;      /* (owned) */
  double              volume;
  GstClockTime        fade_out;
  EchoesExportFormat  format;
  guint               height;
  GstClockTime        crossfade;
  EchoesExportFlags   flags;
  gboolean            copied_video;
  gboolean            spliced_video;
};

enum {
  PROP_0,
  PROP_FORMAT,
  PROP_HEIGHT,
  PROP_CROSSFADE,
  PROP_FLAGS,
  PROP_COPIED_VIDEO,
  PROP_SPLICED_VIDEO,
  N_PROPS
};

enum {
  PROGRESS,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (EchoesExporter, echoes_exporter, G_TYPE_OBJECT)
G_DEFINE_QUARK (echoes-export-error-quark, echoes_export_error)

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

typedef struct
{
  GStrv                     clips;
  GArray                   *durations;
  GStrv                     music;
  double                    volume;
  GstClockTime              fade_out;
  EchoesExportFormat        format;
  guint                     height;
  GstClockTime              crossfade;
  EchoesExportFlags         flags;
  char                     *destination;

  /* Progress goes either to a callback on the export thread (sync) or to the "progress"
   * signal on the caller's main context (async). */
  EchoesExportProgressFunc  progress;
  gpointer                  progress_data;
  GMainContext             *context;
  GWeakRef                  exporter;

  gboolean                  copied_video;
  gboolean                  spliced_video;
  gboolean                  video_encoder_created;
  char                     *faststart_file;

  /* The stage running maps its 0–1 onto its phase of the bar, which never goes back. */
  gint64                    started;
  EchoesProgress            bar;
} Job;

typedef struct
{
  GWeakRef  exporter;
  double    fraction;
  gint64    remaining;
} ProgressEvent;

typedef struct
{
  GstCaps      *caps;
  guint         width;
  guint         height;
  gint          fps_n;
  gint          fps_d;
  GstClockTime  duration;
} ClipInfo;

static void
job_free (Job *job)
{
  g_strfreev (job->clips);
  g_clear_pointer (&job->durations, g_array_unref);
  g_strfreev (job->music);
  g_free (job->destination);
  g_free (job->faststart_file);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_weak_ref_clear (&job->exporter);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

static void
clip_info_clear (gpointer data)
{
  ClipInfo *info = data;

  g_clear_pointer (&info->caps, gst_caps_unref);
}

static Job *
job_new (EchoesExporter *self,
         const char     *destination)
{
  Job *job = g_new0 (Job, 1);

  job->clips = g_strdupv (self->clips);
  if (self->durations != NULL)
    job->durations = g_array_ref (self->durations);
  job->music = g_strdupv (self->music);
  job->volume = self->volume;
  job->fade_out = self->fade_out;
  job->format = self->format;
  job->height = self->height;
  job->crossfade = self->crossfade;
  job->flags = self->flags;
  job->destination = g_canonicalize_filename (destination, NULL);
  echoes_progress_init (&job->bar);
  g_weak_ref_init (&job->exporter, self);

  return job;
}

static void
progress_event_free (gpointer data)
{
  ProgressEvent *event = data;

  g_weak_ref_clear (&event->exporter);
  g_free (event);
}

static gboolean
progress_event_dispatch (gpointer data)
{
  ProgressEvent *event = data;
  g_autoptr(EchoesExporter) self = g_weak_ref_get (&event->exporter);

  if (self != NULL)
    g_signal_emit (self, signals [PROGRESS], 0, event->fraction, event->remaining);

  return G_SOURCE_REMOVE;
}

static void
job_report (Job    *job,
            double  fraction,
            gint64  remaining)
{
  g_autoptr(GObject) exporter = NULL;
  g_autoptr(GSource) source = NULL;
  ProgressEvent *event;

  if (job->progress != NULL)
    {
      job->progress (fraction, remaining, job->progress_data);
      return;
    }

  if (job->context == NULL || !(exporter = g_weak_ref_get (&job->exporter)))
    return;

  event = g_new0 (ProgressEvent, 1);
  g_weak_ref_init (&event->exporter, exporter);
  event->fraction = fraction;
  event->remaining = remaining;
  /* Not g_main_context_invoke(): it runs the callback right here, out of turn with the
   * events already queued, whenever this thread can acquire the (global default) context. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, progress_event_dispatch, event, progress_event_free);
  g_source_set_static_name (source, "[echoes] export progress");
  g_source_attach (source, job->context);
}

/* Reports the running stage's @fraction, with the time left estimated from the time
 * the whole export took so far. A stage that reports less than before (the pipeline's
 * position jitters) leaves the bar where it is. */
static void
job_report_stage (Job    *job,
                  double  fraction)
{
  double overall;
  gint64 elapsed = g_get_monotonic_time () - job->started;
  gint64 remaining = -1;

  echoes_progress_update (&job->bar, fraction);
  overall = echoes_progress_get_fraction (&job->bar);
  if (overall > 0.02)
    remaining = (gint64) (elapsed * (1.0 - overall) / overall);

  job_report (job, overall, remaining);
}

static gboolean
inspect_clips (Job           *job,
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
static void
film_size (Job            *job,
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
static gboolean
clips_share_stream (Job    *job,
                    GArray *infos)
{
  const ClipInfo *first = &g_array_index (infos, ClipInfo, 0);
  guint width, height;

  film_size (job, first, &width, &height);
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
static gboolean
can_copy_video (Job    *job,
                GArray *infos)
{
  if (job->crossfade > 0 || !clips_share_stream (job, infos))
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
static GstClockTime *
job_dup_durations (Job   *job,
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
  job_report_stage (user_data, fraction);
}

/* Replaces the clips with one video-only file, the film's video spliced from them, so
 * that the rest is the copy path. Leaves the clips as they were (and returns %TRUE)
 * when they cannot be spliced: the film is then rendered. */
static gboolean
splice_video (Job           *job,
              const char    *parts_dir,
              GArray        *infos,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree GstClockTime *durations = job_dup_durations (job, infos->len);
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
  return inspect_clips (job, infos, cancellable, error);
}

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
      /* Its temporary file in our working folder, not in /tmp: see export_film(). */
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
        job_report_stage (job, (double) position / (double) film_duration);
    }

  gst_element_set_state (pipeline, GST_STATE_NULL);

  if (ok)
    {
      echoes_progress_finish (&job->bar);
      job_report (job, echoes_progress_get_fraction (&job->bar), 0);
    }

  return ok;
}

static gboolean
export_film (Job           *job,
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
  g_array_set_clear_func (infos, clip_info_clear);
  if (!inspect_clips (job, infos, cancellable, error))
    return FALSE;

  if (job->music != NULL && job->music[0] != NULL &&
      !(tracks = echoes_music_probe ((const char * const *) job->music, cancellable, error)))
    return FALSE;

  cache_dir = echoes_paths_dup_cache_dir ();
  if (!(scratch = echoes_export_scratch_new (cache_dir, job->destination, error)))
    return FALSE;

  if (clips_share_stream (job, infos) &&
      !splice_video (job, echoes_export_scratch_get_dir (scratch), infos, cancellable, error))
    return FALSE;

  job->copied_video = can_copy_video (job, infos);
  first = &g_array_index (infos, ClipInfo, 0);

  echoes_film_settings_init (&settings);
  settings.mixing = !job->copied_video;
  settings.crossfade = job->crossfade;
  settings.volume = job->volume;
  settings.fade_out = job->fade_out;
  if (!job->copied_video)
    {
      film_size (job, first, &settings.width, &settings.height);
      settings.fps_n = first->fps_n > 0 ? first->fps_n : 30;
      settings.fps_d = first->fps_n > 0 ? MAX (first->fps_d, 1) : 1;
    }

  durations = job_dup_durations (job, infos->len);

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

static void
echoes_exporter_finalize (GObject *object)
{
  EchoesExporter *self = (EchoesExporter *)object;

  g_clear_pointer (&self->clips, g_strfreev);
  g_clear_pointer (&self->durations, g_array_unref);
  g_clear_pointer (&self->music, g_strfreev);

  G_OBJECT_CLASS (echoes_exporter_parent_class)->finalize (object);
}

static void
set_result (EchoesExporter *self,
            gboolean        copied_video,
            gboolean        spliced_video)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->copied_video != copied_video)
    {
      self->copied_video = copied_video;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_COPIED_VIDEO]);
    }
  if (self->spliced_video != spliced_video)
    {
      self->spliced_video = spliced_video;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SPLICED_VIDEO]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
echoes_exporter_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  EchoesExporter *self = ECHOES_EXPORTER (object);

  switch (prop_id)
    {
    case PROP_FORMAT:
      g_value_set_enum (value, self->format);
      break;

    case PROP_HEIGHT:
      g_value_set_uint (value, self->height);
      break;

    case PROP_CROSSFADE:
      g_value_set_uint64 (value, self->crossfade);
      break;

    case PROP_FLAGS:
      g_value_set_flags (value, self->flags);
      break;

    case PROP_COPIED_VIDEO:
      g_value_set_boolean (value, self->copied_video);
      break;

    case PROP_SPLICED_VIDEO:
      g_value_set_boolean (value, self->spliced_video);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_exporter_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  EchoesExporter *self = ECHOES_EXPORTER (object);

  switch (prop_id)
    {
    case PROP_FORMAT:
      echoes_exporter_set_format (self, g_value_get_enum (value));
      break;

    case PROP_HEIGHT:
      echoes_exporter_set_height (self, g_value_get_uint (value));
      break;

    case PROP_CROSSFADE:
      echoes_exporter_set_crossfade (self, g_value_get_uint64 (value));
      break;

    case PROP_FLAGS:
      echoes_exporter_set_flags (self, g_value_get_flags (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_exporter_class_init (EchoesExporterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = echoes_exporter_finalize;
  object_class->get_property = echoes_exporter_get_property;
  object_class->set_property = echoes_exporter_set_property;

  /**
   * EchoesExporter:format:
   *
   * The container and codecs of the film.
   */
  properties [PROP_FORMAT] =
    g_param_spec_enum ("format", NULL, NULL,
                       ECHOES_TYPE_EXPORT_FORMAT, ECHOES_EXPORT_FORMAT_MP4,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * EchoesExporter:height:
   *
   * The film's size on its short side, in pixels: the height of a landscape or square
   * film, the width of a portrait one (the other side follows the clips' shape); 0
   * keeps the clips' size.
   */
  properties [PROP_HEIGHT] =
    g_param_spec_uint ("height", NULL, NULL,
                       0, 4320, echoes_resolution_get_lines (ECHOES_RESOLUTION_720P),
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * EchoesExporter:crossfade:
   *
   * How long consecutive clips overlap, in nanoseconds; 0 cuts.
   */
  properties [PROP_CROSSFADE] =
    g_param_spec_uint64 ("crossfade", NULL, NULL,
                         0, G_MAXINT64, 0,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * EchoesExporter:flags:
   *
   * #EchoesExportFlags for the next run.
   */
  properties [PROP_FLAGS] =
    g_param_spec_flags ("flags", NULL, NULL,
                        ECHOES_TYPE_EXPORT_FLAGS, ECHOES_EXPORT_FLAGS_NONE,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * EchoesExporter:copied-video:
   *
   * Whether the last run copied every frame of the video.
   */
  properties [PROP_COPIED_VIDEO] =
    g_param_spec_boolean ("copied-video", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * EchoesExporter:spliced-video:
   *
   * Whether the last run re-encoded only the frames around its crossfades and cuts.
   */
  properties [PROP_SPLICED_VIDEO] =
    g_param_spec_boolean ("spliced-video", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EchoesExporter::progress:
   * @self: the exporter
   * @fraction: 0.0 – 1.0
   * @remaining: estimated time left in microseconds, or -1 while unknown
   *
   * Emitted on the main context that called echoes_exporter_run_async(), about ten
   * times a second while the film is written.
   */
  signals [PROGRESS] =
    g_signal_new ("progress",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_INT64);
}

static void
echoes_exporter_init (EchoesExporter *self)
{
  self->clips = g_new0 (char *, 1);
  self->music = g_new0 (char *, 1);
  self->volume = 1.0;
  self->fade_out = ECHOES_MUSIC_DEFAULT_FADE_OUT;
  self->format = ECHOES_EXPORT_FORMAT_MP4;
  self->height = echoes_resolution_get_lines (ECHOES_RESOLUTION_720P);
}

/**
 * echoes_exporter_new:
 *
 * Creates an exporter: MP4, 720p, no crossfade, no music.
 *
 * Returns: (transfer full): a new #EchoesExporter
 */
EchoesExporter *
echoes_exporter_new (void)
{
  /* ges_init() expects GStreamer to be initialised already. */
  gst_init (NULL, NULL);
  ges_init ();

  return g_object_new (ECHOES_TYPE_EXPORTER, NULL);
}

/**
 * echoes_exporter_set_clips:
 * @self: a #EchoesExporter
 * @paths: (array zero-terminated=1): absolute paths of the approved clips, in order
 */
void
echoes_exporter_set_clips (EchoesExporter     *self,
                           const char * const *paths)
{
  g_return_if_fail (ECHOES_IS_EXPORTER (self));
  g_return_if_fail (paths != NULL);

  g_strfreev (self->clips);
  self->clips = g_strdupv ((GStrv) paths);
}

/**
 * echoes_exporter_set_clip_durations:
 * @self: a #EchoesExporter
 * @durations: (nullable) (array length=n_durations): per-clip durations (e.g. from
 *   "fit to music"); %GST_CLOCK_TIME_NONE keeps a clip's own length
 * @n_durations: the length of @durations
 *
 * Clips are cut to these durations (never made longer). A cut re-encodes the frames
 * from the key frame before it, or the whole video when the clips cannot be spliced.
 */
void
echoes_exporter_set_clip_durations (EchoesExporter     *self,
                                    const GstClockTime *durations,
                                    guint               n_durations)
{
  g_return_if_fail (ECHOES_IS_EXPORTER (self));

  g_clear_pointer (&self->durations, g_array_unref);
  if (durations != NULL && n_durations > 0)
    {
      self->durations = g_array_sized_new (FALSE, FALSE, sizeof (GstClockTime), n_durations);
      g_array_append_vals (self->durations, durations, n_durations);
    }
}

/**
 * echoes_exporter_set_music:
 * @self: a #EchoesExporter
 * @tracks: (nullable) (array zero-terminated=1): absolute paths of the music tracks
 * @volume: the music's gain, 0.0 – 2.0
 * @fade_out: the fade at the end of the film
 */
void
echoes_exporter_set_music (EchoesExporter     *self,
                           const char * const *tracks,
                           double              volume,
                           GstClockTime        fade_out)
{
  g_return_if_fail (ECHOES_IS_EXPORTER (self));

  g_strfreev (self->music);
  self->music = tracks ? g_strdupv ((GStrv) tracks) : g_new0 (char *, 1);
  self->volume = CLAMP (volume, 0.0, 2.0);
  self->fade_out = GST_CLOCK_TIME_IS_VALID (fade_out) ? fade_out : 0;
}

void
echoes_exporter_set_format (EchoesExporter     *self,
                            EchoesExportFormat  format)
{
  g_return_if_fail (ECHOES_IS_EXPORTER (self));

  if (self->format != format)
    {
      self->format = format;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_FORMAT]);
    }
}

EchoesExportFormat
echoes_exporter_get_format (EchoesExporter *self)
{
  g_return_val_if_fail (ECHOES_IS_EXPORTER (self), 0);

  return self->format;
}

/**
 * echoes_exporter_set_height:
 * @self: a #EchoesExporter
 * @height: the film's short side (720, 1080), or 0 to keep the clips' size
 *
 * The long side follows from the clips' aspect ratio: 720 makes a 16:9 film 1280×720
 * and a 9:16 one 720×1280.
 */
void
echoes_exporter_set_height (EchoesExporter *self,
                            guint           height)
{
  g_return_if_fail (ECHOES_IS_EXPORTER (self));

  if (self->height != height)
    {
      self->height = height;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_HEIGHT]);
    }
}

guint
echoes_exporter_get_height (EchoesExporter *self)
{
  g_return_val_if_fail (ECHOES_IS_EXPORTER (self), 0);

  return self->height;
}

void
echoes_exporter_set_crossfade (EchoesExporter *self,
                               GstClockTime    crossfade)
{
  g_return_if_fail (ECHOES_IS_EXPORTER (self));

  crossfade = GST_CLOCK_TIME_IS_VALID (crossfade) ? crossfade : 0;
  if (self->crossfade != crossfade)
    {
      self->crossfade = crossfade;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CROSSFADE]);
    }
}

GstClockTime
echoes_exporter_get_crossfade (EchoesExporter *self)
{
  g_return_val_if_fail (ECHOES_IS_EXPORTER (self), 0);

  return self->crossfade;
}

void
echoes_exporter_set_flags (EchoesExporter    *self,
                           EchoesExportFlags  flags)
{
  g_return_if_fail (ECHOES_IS_EXPORTER (self));

  if (self->flags != flags)
    {
      self->flags = flags;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_FLAGS]);
    }
}

EchoesExportFlags
echoes_exporter_get_flags (EchoesExporter *self)
{
  g_return_val_if_fail (ECHOES_IS_EXPORTER (self), 0);

  return self->flags;
}

/**
 * echoes_exporter_get_copied_video:
 * @self: a #EchoesExporter
 *
 * Returns: %TRUE if the last successful export copied every frame of the video
 *   instead of encoding it
 */
gboolean
echoes_exporter_get_copied_video (EchoesExporter *self)
{
  g_return_val_if_fail (ECHOES_IS_EXPORTER (self), FALSE);

  return self->copied_video;
}

/**
 * echoes_exporter_get_spliced_video:
 * @self: a #EchoesExporter
 *
 * Returns: %TRUE if the last successful export encoded only the frames around its
 *   crossfades and cuts and copied the others
 */
gboolean
echoes_exporter_get_spliced_video (EchoesExporter *self)
{
  g_return_val_if_fail (ECHOES_IS_EXPORTER (self), FALSE);

  return self->spliced_video;
}

/**
 * echoes_exporter_run:
 * @self: a #EchoesExporter
 * @destination: the path of the film to write
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope call): called on this thread with the progress
 * @user_data: data for @progress
 * @error: return location for an error
 *
 * Exports synchronously, for the CLI and worker threads. Never call it from the UI
 * thread: use echoes_exporter_run_async().
 *
 * Returns: %TRUE if @destination was written
 */
gboolean
echoes_exporter_run (EchoesExporter            *self,
                     const char                *destination,
                     GCancellable              *cancellable,
                     EchoesExportProgressFunc   progress,
                     gpointer                   user_data,
                     GError                   **error)
{
  g_autoptr(Job) job = NULL;
  gboolean ret;

  g_return_val_if_fail (ECHOES_IS_EXPORTER (self), FALSE);
  g_return_val_if_fail (destination != NULL, FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  job = job_new (self, destination);
  job->progress = progress;
  job->progress_data = user_data;

  ret = export_film (job, cancellable, error);
  set_result (self, ret && job->copied_video && !job->spliced_video, ret && job->spliced_video);

  return ret;
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  if (export_film (job, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * echoes_exporter_run_async:
 * @self: a #EchoesExporter
 * @destination: the path of the film to write
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the film is written or the export failed
 * @user_data: data for @callback
 *
 * Exports on a worker thread. #EchoesExporter::progress is emitted on the calling
 * thread's main context meanwhile. Later changes to @self don't affect a running
 * export.
 */
void
echoes_exporter_run_async (EchoesExporter      *self,
                           const char          *destination,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (ECHOES_IS_EXPORTER (self));
  g_return_if_fail (destination != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  job = job_new (self, destination);
  job->context = g_main_context_ref_thread_default ();

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_exporter_run_async);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, export_thread);
}

/**
 * echoes_exporter_run_finish:
 * @self: a #EchoesExporter
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Returns: %TRUE if the film was written
 */
gboolean
echoes_exporter_run_finish (EchoesExporter  *self,
                            GAsyncResult    *result,
                            GError         **error)
{
  Job *job;
  gboolean ret;

  g_return_val_if_fail (ECHOES_IS_EXPORTER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == echoes_exporter_run_async,
                        FALSE);

  job = g_task_get_task_data (G_TASK (result));
  ret = g_task_propagate_boolean (G_TASK (result), error);
  set_result (self, ret && job->copied_video && !job->spliced_video, ret && job->spliced_video);

  return ret;
}
