/* echoes-exporter.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-exporter"

#include "config.h"

#include "echoes-exporter-private.h"

/* GES 1.22's headers have const-qualified return types (-Wignored-qualifiers). */
#include <ges/ges.h>

#include "echoes-media-enums.h"
#include "echoes-types.h"
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
 * final move is a link(), which fails atomically if a file appeared meanwhile.
 *
 * The exporter is split by concern; echoes-exporter-private.h holds what the pieces share:
 * - echoes-exporter.c: the object, its properties, the export job and its progress, and
 *   the run functions (sync, async);
 * - echoes-exporter-plan.c: probing the clips and choosing the path (copy, splice, render);
 * - echoes-exporter-render.c: the checks, the GES pipeline and the final move. */

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
  GWeakRef  exporter;
  double    fraction;
  gint64    remaining;
} ProgressEvent;

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

void
_echoes_exporter_job_report (Job    *job,
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
void
_echoes_exporter_job_report_stage (Job    *job,
                                   double  fraction)
{
  double overall;
  gint64 elapsed = g_get_monotonic_time () - job->started;
  gint64 remaining = -1;

  echoes_progress_update (&job->bar, fraction);
  overall = echoes_progress_get_fraction (&job->bar);
  if (overall > 0.02)
    remaining = (gint64) (elapsed * (1.0 - overall) / overall);

  _echoes_exporter_job_report (job, overall, remaining);
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

  ret = _echoes_exporter_export_film (job, cancellable, error);
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

  if (_echoes_exporter_export_film (job, cancellable, &error))
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
