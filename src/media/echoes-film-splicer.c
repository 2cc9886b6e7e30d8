/* echoes-film-splicer.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-film-splicer"

#include "config.h"

#include "echoes-film-splicer.h"

#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <gst/app/app.h>
#include <gst/video/video.h>
#include <glib/gstdio.h>
#include <glib/gi18n.h>

#include "echoes-clip-encoder.h"
#include "echoes-media-util.h"

/* Joins H.264 clips into one video-only MP4 with crossfades (and trims) while decoding
 * and encoding only the frames around each cut.
 *
 * The app's clips have a closed GOP every second (echoes-clip-encoder.c), so a clip can
 * be cut at any of its key frames by copying whole GOPs. For each cut between clip A and
 * clip B the film is made of
 *
 *   A [from_A, to_A)       copied: to_A is A's last key frame before the crossfade
 *   T                      re-encoded: A [to_A, n_A) with its last frames blended into
 *                          B [0, fade), then B [fade, from_B)
 *   B [from_B, to_B)       copied: from_B is B's first key frame after the crossfade
 *   ...
 *
 * T is encoded with the fast variant of the clips' encoder, whose SPS/PPS are
 * byte-identical to the clips' (checked here, not assumed), and starts with an IDR frame
 * like every copied piece, so the pieces follow each other in one stream with one avcC.
 * The copied frames are passed on bit for bit; their timestamps are rewritten onto the
 * film's frame grid.
 *
 * When the clips do not allow it (not the same H.264 stream, no key frame where a cut
 * needs one, variable frame rate, an encoder whose headers differ), the function fails
 * with G_IO_ERROR_NOT_SUPPORTED before writing anything, and the caller renders the film
 * the slow way. */

/* How much a copied frame costs against a decoded, blended and encoded one, for the
 * progress fraction. */
#define COPY_COST 0.02

#define PULL_TIMEOUT (100 * GST_MSECOND)

/* A clip's H.264 samples as stored, for reading its frame table and copying them. */
#define DEMUX "qtdemux ! video/x-h264,stream-format=avc,alignment=au"

typedef struct
{
  const char   *path;
  GstCaps      *caps;       /* video/x-h264 as qtdemux gives it */
  GstClockTime  first_pts;  /* PTS of frame 0 */
  guint         n_frames;   /* in the file */
  GArray       *keys;       /* guint: indices of the key frames, ascending */
  guint         n;          /* frames used by the film */
  guint         from;       /* the copied frames: [from, to) */
  guint         to;
} Clip;

typedef struct
{
  Clip                     *clips;
  guint                     n_clips;
  gint                      fps_n;
  gint                      fps_d;
  guint                     n_fade;

  EchoesSpliceProgressFunc  progress;
  gpointer                  progress_data;
  double                    work_done;
  double                    work_total;

  GstElement               *out_pipeline;
  GstAppSrc                *out;
  GstClockTime              base;       /* PTS of the film's first frame */
  guint                     out_frames; /* frames written */
  guint                     encoded_frames;
  GstClockTime              last_dts;
} Splice;

static void
clip_clear (Clip *clip)
{
  g_clear_pointer (&clip->caps, gst_caps_unref);
  g_clear_pointer (&clip->keys, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Clip, clip_clear)

static gboolean
not_supported (GError     **error,
               const char  *format,
               ...) G_GNUC_PRINTF (2, 3);

static gboolean
not_supported (GError     **error,
               const char  *format,
               ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* Never shown: the caller falls back to rendering the whole film. */
  g_debug ("Cannot splice: %s", message);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, message);
  return FALSE;
}

static GstClockTime
frame_time (const Splice *s,
            guint64       frames)
{
  return gst_util_uint64_scale (frames, (guint64) s->fps_d * GST_SECOND, (guint64) s->fps_n);
}

static guint
frame_index (const Splice *s,
             const Clip   *clip,
             GstClockTime  pts)
{
  if (!GST_CLOCK_TIME_IS_VALID (pts) || pts < clip->first_pts)
    return G_MAXUINT;

  return (guint) gst_util_uint64_scale_round (pts - clip->first_pts, (guint64) s->fps_n,
                                              (guint64) s->fps_d * GST_SECOND);
}

static void
report (Splice *s,
        double  work)
{
  s->work_done += work;
  if (s->progress != NULL && s->work_total > 0)
    s->progress (CLAMP (s->work_done / s->work_total, 0.0, 1.0), s->progress_data);
}

/* ---- reading ---- */

/* @tail: what follows filesrc, ending in caps the appsink takes. */
static GstElement *
reader_new (const char  *path,
            const char  *tail,
            GError     **error)
{
  g_autofree char *description = NULL;
  g_autoptr(GstElement) src = NULL;
  g_autoptr(GError) local_error = NULL;
  GstElement *pipeline;

  description = g_strdup_printf ("filesrc name=src ! %s "
                                 "! appsink name=sink sync=false max-buffers=4", tail);
  if (!(pipeline = gst_parse_launch (description, &local_error)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The film cannot be exported: %s"), local_error->message);
      return NULL;
    }

  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  g_object_set (src, "location", path, NULL);

  return pipeline;
}

static GstAppSink *
reader_get_sink (GstElement *reader)
{
  g_autoptr(GstElement) sink = gst_bin_get_by_name (GST_BIN (reader), "sink");

  /* The pipeline keeps it alive. */
  return GST_APP_SINK (sink);
}

/* @path: the file read, or %NULL when writing */
static gboolean
take_bus_error (GstElement  *pipeline,
                const char  *path,
                GError     **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr(GstMessage) message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_autoptr(GError) gst_error = NULL;
  g_autofree char *debug = NULL;
  g_autofree char *display = NULL;

  if (message == NULL)
    return FALSE;

  gst_message_parse_error (message, &gst_error, &debug);
  g_debug ("%s failed: %s (%s)", path ? path : "Writing", gst_error->message, debug ? debug : "");
  if (path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The film cannot be exported: %s"), gst_error->message);
      return TRUE;
    }
  display = g_filename_display_basename (path);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               _("“%s” cannot be read: %s"), display, gst_error->message);
  return TRUE;
}

/* Returns the next sample, or NULL without an error at the end. */
static GstSample *
reader_pull (GstElement    *reader,
             const char    *path,
             GCancellable  *cancellable,
             GError       **error)
{
  GstAppSink *sink = reader_get_sink (reader);

  for (;;)
    {
      GstSample *sample;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      if ((sample = gst_app_sink_try_pull_sample (sink, PULL_TIMEOUT)) != NULL)
        return sample;

      if (take_bus_error (reader, path, error) || gst_app_sink_is_eos (sink))
        return NULL;
    }
}

static gboolean
reader_start (GstElement    *reader,
              const char    *path,
              GstClockTime   position,
              GError       **error)
{
  GstStateChangeReturn ret;

  if (position > 0)
    {
      gst_element_set_state (reader, GST_STATE_PAUSED);
      ret = gst_element_get_state (reader, NULL, NULL, 10 * GST_SECOND);
      if (ret == GST_STATE_CHANGE_FAILURE || ret == GST_STATE_CHANGE_ASYNC ||
          !gst_element_seek_simple (reader, GST_FORMAT_TIME,
                                    GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, (gint64) position))
        goto failed;
    }

  if (gst_element_set_state (reader, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    goto failed;

  return TRUE;

failed:
  if (!take_bus_error (reader, path, error))
    {
      g_autofree char *display = g_filename_display_basename (path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("“%s” cannot be read"), display);
    }
  return FALSE;
}

static void
reader_free (GstElement *reader)
{
  gst_element_set_state (reader, GST_STATE_NULL);
  gst_object_unref (reader);
}

typedef GstElement Reader;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reader, reader_free)

/* Reads the frame table of @clip: its caps, frame 0's PTS, the key frames. */
static gboolean
scan_clip (Splice        *s,
           Clip          *clip,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(Reader) reader = NULL;
  g_autoptr(GArray) indices = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) seen = g_array_new (FALSE, TRUE, sizeof (gboolean));
  g_autoptr(GArray) key_pts = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  g_autoptr(GArray) all_pts = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  GstSample *sample;
  g_autoptr(GError) pull_error = NULL;

  if (!(reader = reader_new (clip->path, DEMUX, error)) ||
      !reader_start (reader, clip->path, 0, error))
    return FALSE;

  while ((sample = reader_pull (reader, clip->path, cancellable, &pull_error)) != NULL)
    {
      g_autoptr(GstSample) owned = sample;
      GstBuffer *buffer = gst_sample_get_buffer (sample);
      GstClockTime pts = GST_BUFFER_PTS (buffer);
      gboolean key = !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT);

      if (clip->caps == NULL)
        {
          GstStructure *st;

          clip->caps = gst_caps_ref (gst_sample_get_caps (sample));
          st = gst_caps_get_structure (clip->caps, 0);
          if (!key || !GST_CLOCK_TIME_IS_VALID (pts) || !GST_BUFFER_DTS_IS_VALID (buffer))
            return not_supported (error, "%s does not start with a key frame", clip->path);
          if (s->fps_n == 0 &&
              (!gst_structure_get_fraction (st, "framerate", &s->fps_n, &s->fps_d) ||
               s->fps_n <= 0 || s->fps_d <= 0))
            return not_supported (error, "%s has no fixed frame rate", clip->path);
          clip->first_pts = pts;
        }

      if (!GST_CLOCK_TIME_IS_VALID (pts) || pts < clip->first_pts ||
          !GST_BUFFER_DTS_IS_VALID (buffer) || GST_BUFFER_DTS (buffer) > pts)
        return not_supported (error, "%s: a frame before the first key frame", clip->path);

      g_array_append_val (all_pts, pts);
      if (key)
        g_array_append_val (key_pts, pts);
    }

  if (pull_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&pull_error));
      return FALSE;
    }
  if (clip->caps == NULL)
    return not_supported (error, "%s has no H.264 video", clip->path);

  /* Every frame on the grid, each grid position once. */
  for (guint i = 0; i < all_pts->len; i++)
    {
      GstClockTime pts = g_array_index (all_pts, GstClockTime, i);
      guint index = frame_index (s, clip, pts);
      GstClockTime expected = frame_time (s, index);
      GstClockTime offset = pts - clip->first_pts;
      gboolean *mark;

      if (index >= all_pts->len ||
          (offset > expected ? offset - expected : expected - offset) > frame_time (s, 1) / 4)
        return not_supported (error, "%s has a variable frame rate", clip->path);
      if (index >= seen->len)
        g_array_set_size (seen, index + 1);
      mark = &g_array_index (seen, gboolean, index);
      if (*mark)
        return not_supported (error, "%s has two frames at %u", clip->path, index);
      *mark = TRUE;
    }

  clip->n_frames = all_pts->len;
  clip->keys = g_array_sized_new (FALSE, FALSE, sizeof (guint), key_pts->len);
  for (guint i = 0; i < key_pts->len; i++)
    {
      guint index = frame_index (s, clip, g_array_index (key_pts, GstClockTime, i));

      /* Key frames are shown in the order they are decoded (closed GOPs). */
      if (i > 0 && index <= g_array_index (clip->keys, guint, i - 1))
        return not_supported (error, "%s has open GOPs", clip->path);
      g_array_append_val (clip->keys, index);
    }

  return TRUE;
}

static guint
first_key_from (const Clip *clip,
                guint       frame)
{
  for (guint i = 0; i < clip->keys->len; i++)
    if (g_array_index (clip->keys, guint, i) >= frame)
      return g_array_index (clip->keys, guint, i);

  return G_MAXUINT;
}

static guint
last_key_until (const Clip *clip,
                guint       frame)
{
  guint found = G_MAXUINT;

  for (guint i = 0; i < clip->keys->len; i++)
    if (g_array_index (clip->keys, guint, i) <= frame)
      found = g_array_index (clip->keys, guint, i);

  return found;
}

/* Frames of the transition after @i (A = clip i, B = clip i + 1, if any). */
static guint
transition_frames (const Splice *s,
                   guint         i)
{
  const Clip *a = &s->clips[i];
  guint frames = a->n - a->to;

  if (i + 1 < s->n_clips)
    frames += s->clips[i + 1].from - s->n_fade;

  return frames;
}

/* Chooses the cuts: the copied range of each clip between the key frames nearest to
 * its crossfades (or its trimmed end). */
static gboolean
plan (Splice             *s,
      const GstClockTime *durations,
      GstClockTime        crossfade,
      GError            **error)
{
  s->n_fade = (guint) gst_util_uint64_scale_round (crossfade, (guint64) s->fps_n,
                                                   (guint64) s->fps_d * GST_SECOND);
  s->work_total = 0;

  for (guint i = 0; i < s->n_clips; i++)
    {
      Clip *c = &s->clips[i];
      guint fade_in = i > 0 ? s->n_fade : 0;
      guint fade_out = i + 1 < s->n_clips ? s->n_fade : 0;

      c->n = c->n_frames;
      if (durations != NULL && GST_CLOCK_TIME_IS_VALID (durations[i]) && durations[i] > 0)
        c->n = MIN (c->n_frames, (guint) gst_util_uint64_scale_round (durations[i],
                                                                      (guint64) s->fps_n,
                                                                      (guint64) s->fps_d * GST_SECOND));
      if (c->n <= fade_in + fade_out)
        return not_supported (error, "%s is shorter than its crossfades", c->path);

      c->from = fade_in > 0 ? first_key_from (c, fade_in) : 0;
      c->to = fade_out == 0 && c->n == c->n_frames ? c->n : last_key_until (c, c->n - fade_out);
      if (c->from == G_MAXUINT || c->to == G_MAXUINT || c->to < c->from)
        return not_supported (error, "%s has no key frame between its crossfades", c->path);
    }

  for (guint i = 0; i < s->n_clips; i++)
    {
      guint t = transition_frames (s, i);

      s->work_total += (s->clips[i].to - s->clips[i].from) * COPY_COST + t * (1 + COPY_COST);
    }

  return TRUE;
}

/* ---- writing ---- */

static gboolean
wait_for_eos (GstElement    *pipeline,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (echoes_media_wait_for_eos (pipeline, cancellable, &local_error))
    return TRUE;

  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 _("The film cannot be exported: %s"), local_error->message);
  return FALSE;
}

/* appsrc ! @middle ! filesink, playing. */
static GstElement *
writer_new (const char  *middle,
            GstCaps     *caps,
            const char  *path,
            GstAppSrc  **src_out,
            GError     **error)
{
  g_autofree char *description = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) src = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GError) local_error = NULL;

  description = g_strdup_printf ("appsrc name=src format=time block=true "
                                 "handle-segment-change=true ! %s ! filesink name=sink",
                                 middle);
  if (!(pipeline = gst_parse_launch (description, &local_error)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The film cannot be exported: %s"), local_error->message);
      return NULL;
    }

  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_app_src_set_caps (GST_APP_SRC (src), caps);
  /* A few frames in flight: x264 has its own look-ahead. */
  gst_app_src_set_max_bytes (GST_APP_SRC (src), 4 * 1024 * 1024);
  g_object_set (sink, "location", path, NULL);

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_autofree char *display = g_filename_display_basename (path);

      gst_element_set_state (pipeline, GST_STATE_NULL);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("“%s” cannot be written"), display);
      return NULL;
    }

  *src_out = GST_APP_SRC (src);
  return g_steal_pointer (&pipeline);
}

/* Pushes @buffer (transfer full); with @segment, as a sample that starts that segment. */
static gboolean
push (GstElement       *pipeline,
      GstAppSrc        *src,
      GstBuffer        *buffer,
      const GstSegment *segment,
      GError          **error)
{
  GstFlowReturn ret;

  if (segment != NULL)
    {
      g_autoptr(GstCaps) caps = gst_app_src_get_caps (src);
      g_autoptr(GstSample) sample = gst_sample_new (buffer, caps, segment, NULL);

      gst_buffer_unref (buffer);
      ret = gst_app_src_push_sample (src, sample);
    }
  else
    {
      ret = gst_app_src_push_buffer (src, buffer);
    }

  if (ret == GST_FLOW_OK)
    return TRUE;

  /* The reason is on the bus. */
  if (!take_bus_error (pipeline, NULL, error))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 _("The film cannot be exported: %s"), gst_flow_get_name (ret));
  return FALSE;
}

/* Writes one encoded frame as the film's frame @film_frame, keeping its reordering
 * delay (PTS - DTS). */
static gboolean
write_frame (Splice     *s,
             GstBuffer  *buffer,
             guint       film_frame,
             GError    **error)
{
  GstClockTime reorder = GST_BUFFER_PTS (buffer) - GST_BUFFER_DTS (buffer);
  GstClockTime pts = s->base + frame_time (s, film_frame);
  GstBuffer *out;

  if (reorder > pts || (GST_CLOCK_TIME_IS_VALID (s->last_dts) && pts - reorder <= s->last_dts))
    return not_supported (error, "decoding order cannot be kept at frame %u", film_frame);

  out = gst_buffer_copy (buffer);
  GST_BUFFER_PTS (out) = pts;
  GST_BUFFER_DTS (out) = pts - reorder;
  GST_BUFFER_DURATION (out) = frame_time (s, film_frame + 1) - frame_time (s, film_frame);
  GST_BUFFER_OFFSET (out) = GST_BUFFER_OFFSET_NONE;
  GST_BUFFER_OFFSET_END (out) = GST_BUFFER_OFFSET_NONE;
  if (!GST_CLOCK_TIME_IS_VALID (s->last_dts))
    {
      GstSegment segment;

      /* Frame 0 is shown at `base`, after the reordering delay, as in the clips. */
      gst_segment_init (&segment, GST_FORMAT_TIME);
      segment.start = s->base;
      segment.position = s->base;
      s->last_dts = GST_BUFFER_DTS (out);
      return push (s->out_pipeline, s->out, out, &segment, error);
    }

  s->last_dts = GST_BUFFER_DTS (out);
  return push (s->out_pipeline, s->out, out, NULL, error);
}

/* Copies the frames [from, to) of @clip, which start with a key frame. */
static gboolean
copy_frames (Splice        *s,
             const Clip    *clip,
             guint          from,
             guint          to,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(Reader) reader = NULL;
  GstSample *sample;
  g_autoptr(GError) pull_error = NULL;

  if (from >= to)
    return TRUE;

  if (!(reader = reader_new (clip->path, DEMUX, error)) ||
      !reader_start (reader, clip->path, 0, error))
    return FALSE;

  while ((sample = reader_pull (reader, clip->path, cancellable, &pull_error)) != NULL)
    {
      g_autoptr(GstSample) owned = sample;
      GstBuffer *buffer = gst_sample_get_buffer (sample);
      guint index = frame_index (s, clip, GST_BUFFER_PTS (buffer));

      if (index >= to && !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT))
        break;
      if (index < from || index >= to)
        continue;

      if (!write_frame (s, buffer, s->out_frames + (index - from), error))
        return FALSE;
      report (s, COPY_COST);
    }

  if (pull_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&pull_error));
      return FALSE;
    }

  s->out_frames += to - from;
  return TRUE;
}

/* ---- transitions ---- */

/* Pulls decoded frames of @clip until frame @index. */
static GstSample *
next_frame (Splice        *s,
            GstElement    *reader,
            const Clip    *clip,
            guint          index,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GError) pull_error = NULL;
  GstSample *sample;

  while ((sample = reader_pull (reader, clip->path, cancellable, &pull_error)) != NULL)
    {
      guint got = frame_index (s, clip, GST_BUFFER_PTS (gst_sample_get_buffer (sample)));

      if (got == index)
        return sample;

      gst_sample_unref (sample);
      if (got != G_MAXUINT && got > index)
        break;
    }

  if (pull_error != NULL)
    g_propagate_error (error, g_steal_pointer (&pull_error));
  else
    not_supported (error, "frame %u of %s was not decoded", index, clip->path);
  return NULL;
}

/* (1 - @weight/256) × @a + @weight/256 × @b, plane by plane. */
static GstBuffer *
blend (GstSample *a,
       GstSample *b,
       guint      weight)
{
  GstVideoInfo info_a, info_b, info;
  GstVideoFrame fa, fb, fo;
  GstBuffer *out;

  if (!gst_video_info_from_caps (&info_a, gst_sample_get_caps (a)) ||
      !gst_video_info_from_caps (&info_b, gst_sample_get_caps (b)) ||
      GST_VIDEO_INFO_WIDTH (&info_a) != GST_VIDEO_INFO_WIDTH (&info_b) ||
      GST_VIDEO_INFO_HEIGHT (&info_a) != GST_VIDEO_INFO_HEIGHT (&info_b))
    return NULL;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420,
                             GST_VIDEO_INFO_WIDTH (&info_a), GST_VIDEO_INFO_HEIGHT (&info_a));
  out = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info), NULL);

  if (!gst_video_frame_map (&fa, &info_a, gst_sample_get_buffer (a), GST_MAP_READ))
    goto failed;
  if (!gst_video_frame_map (&fb, &info_b, gst_sample_get_buffer (b), GST_MAP_READ))
    {
      gst_video_frame_unmap (&fa);
      goto failed;
    }
  if (!gst_video_frame_map (&fo, &info, out, GST_MAP_WRITE))
    {
      gst_video_frame_unmap (&fb);
      gst_video_frame_unmap (&fa);
      goto failed;
    }

  for (guint p = 0; p < 3; p++)
    {
      guint width = GST_VIDEO_FRAME_COMP_WIDTH (&fo, p);
      guint height = GST_VIDEO_FRAME_COMP_HEIGHT (&fo, p);

      for (guint y = 0; y < height; y++)
        {
          const guint8 *ra = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&fa, p) + y * GST_VIDEO_FRAME_PLANE_STRIDE (&fa, p);
          const guint8 *rb = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&fb, p) + y * GST_VIDEO_FRAME_PLANE_STRIDE (&fb, p);
          guint8 *ro = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&fo, p) + y * GST_VIDEO_FRAME_PLANE_STRIDE (&fo, p);

          for (guint x = 0; x < width; x++)
            ro[x] = (guint8) ((ra[x] * (256 - weight) + rb[x] * weight + 128) >> 8);
        }
    }

  gst_video_frame_unmap (&fo);
  gst_video_frame_unmap (&fb);
  gst_video_frame_unmap (&fa);
  return out;

failed:
  gst_buffer_unref (out);
  return NULL;
}

typedef struct
{
  GstElement *pipeline;
  GstAppSrc  *src;
  guint       frames;
} Encoder;

static void
encoder_clear (Encoder *enc)
{
  if (enc->pipeline != NULL)
    {
      gst_element_set_state (enc->pipeline, GST_STATE_NULL);
      g_clear_object (&enc->pipeline);
      enc->src = NULL;
    }
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Encoder, encoder_clear)

/* Encodes @buffer (transfer full) as the next frame, creating the encoder on the first. */
static gboolean
encode (Splice      *s,
        Encoder     *enc,
        GstSample   *like,
        GstBuffer   *buffer,
        const char  *path,
        GError     **error)
{
  GstClockTime pts = frame_time (s, enc->frames);

  if (enc->pipeline == NULL)
    {
      g_autofree char *encoder = echoes_clip_encoder_describe (s->fps_n, s->fps_d,
                                                               ECHOES_CLIP_ENCODER_FAST);
      g_autofree char *middle = g_strdup_printf ("%s ! mp4mux", encoder);

      if (!(enc->pipeline = writer_new (middle, gst_sample_get_caps (like), path, &enc->src, error)))
        {
          gst_buffer_unref (buffer);
          return FALSE;
        }
    }

  buffer = gst_buffer_make_writable (buffer);
  GST_BUFFER_PTS (buffer) = pts;
  GST_BUFFER_DTS (buffer) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (buffer) = frame_time (s, enc->frames + 1) - pts;
  enc->frames++;

  return push (enc->pipeline, enc->src, buffer, NULL, error);
}

/* Encodes the transition after clip @i into @path: A [to, n) with its last n_fade
 * frames blended into B [0, n_fade), then B [n_fade, from). */
static gboolean
render_transition (Splice        *s,
                   guint          i,
                   const char    *path,
                   GCancellable  *cancellable,
                   GError       **error)
{
  /* One decoding thread each: the transitions are short, and two decoders with a frame
   * pool per thread would cost more memory than the encoder (see bench-export). */
  const char *decode = "qtdemux ! h264parse ! avdec_h264 max-threads=1 ! videoconvert "
                       "! video/x-raw,format=I420";
  const Clip *a = &s->clips[i];
  const Clip *b = i + 1 < s->n_clips ? &s->clips[i + 1] : NULL;
  guint fade_start = b != NULL ? a->n - s->n_fade : a->n;
  g_autoptr(Reader) reader_a = NULL;
  g_autoptr(Reader) reader_b = NULL;
  g_auto(Encoder) enc = { NULL, };

  if (!(reader_a = reader_new (a->path, decode, error)) ||
      !reader_start (reader_a, a->path, frame_time (s, a->to), error))
    return FALSE;
  if (b != NULL &&
      (!(reader_b = reader_new (b->path, decode, error)) ||
       !reader_start (reader_b, b->path, 0, error)))
    return FALSE;

  for (guint index = a->to; index < a->n; index++)
    {
      g_autoptr(GstSample) sa = next_frame (s, reader_a, a, index, cancellable, error);
      g_autoptr(GstSample) sb = NULL;
      GstBuffer *frame;

      if (sa == NULL)
        return FALSE;

      if (index < fade_start)
        {
          frame = gst_buffer_ref (gst_sample_get_buffer (sa));
        }
      else
        {
          guint k = index - fade_start;

          if (!(sb = next_frame (s, reader_b, b, k, cancellable, error)))
            return FALSE;
          if (!(frame = blend (sa, sb, (k + 1) * 256 / (s->n_fade + 1))))
            return not_supported (error, "%s and %s have different sizes", a->path, b->path);
        }

      if (!encode (s, &enc, sa, frame, path, error))
        return FALSE;
      report (s, 1.0);
    }

  for (guint index = s->n_fade; b != NULL && index < b->from; index++)
    {
      g_autoptr(GstSample) sb = next_frame (s, reader_b, b, index, cancellable, error);

      if (sb == NULL ||
          !encode (s, &enc, sb, gst_buffer_ref (gst_sample_get_buffer (sb)), path, error))
        return FALSE;
      report (s, 1.0);
    }

  if (enc.pipeline == NULL)
    return TRUE;

  gst_app_src_end_of_stream (enc.src);
  return wait_for_eos (enc.pipeline, cancellable, error);
}

/* Renders the transition after clip @i and copies it into the film. */
static gboolean
splice_transition (Splice        *s,
                   guint          i,
                   const char    *work_dir,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autofree char *name = g_strdup_printf ("transition-%u.mp4", i);
  g_autofree char *path = g_build_filename (work_dir, name, NULL);
  g_auto(Clip) t = { .path = path, };
  guint expected = transition_frames (s, i);
  gboolean ok;

  if (expected == 0)
    return TRUE;

  ok = render_transition (s, i, path, cancellable, error) &&
       scan_clip (s, &t, cancellable, error);

  if (ok && (!echoes_clip_encoder_same_stream (t.caps, s->clips[0].caps) || t.n_frames != expected))
    ok = not_supported (error, "the transition after clip %u does not match the clips "
                        "(%u frames of %u)", i + 1, t.n_frames, expected);

  ok = ok && copy_frames (s, &t, 0, t.n_frames, cancellable, error);
  if (ok)
    s->encoded_frames += t.n_frames;
  g_unlink (path);

  return ok;
}

/**
 * echoes_film_splice:
 * @clips: the clips' files, in order
 * @durations: (nullable) (array): how much of each clip the film shows (from its
 *   start); GST_CLOCK_TIME_NONE or 0 for all of it
 * @crossfade: the overlap between consecutive clips, 0 for cuts
 * @work_dir: a folder for the transitions while they are made
 * @output: the video-only MP4 to write
 * @progress: (nullable) (scope call): called on this thread with 0–1
 * @progress_data: closure for @progress
 * @n_encoded: (out) (optional): how many frames were re-encoded (0: all copied)
 * @cancellable: (nullable): checked between frames
 * @error: return location for an error
 *
 * Writes the film's video to @output, re-encoding only the frames around the
 * crossfades and trimmed ends. Fails with G_IO_ERROR_NOT_SUPPORTED when the clips
 * cannot be joined this way; @output may then be left half written and must be
 * removed by the caller, as on any failure. Blocks: call it from a worker thread.
 *
 * Returns: %TRUE on success
 */
gboolean
echoes_film_splice (const char * const        *clips,
                    const GstClockTime        *durations,
                    GstClockTime               crossfade,
                    const char                *work_dir,
                    const char                *output,
                    EchoesSpliceProgressFunc   progress,
                    gpointer                   progress_data,
                    guint                     *n_encoded,
                    GCancellable              *cancellable,
                    GError                   **error)
{
  g_autofree Clip *all = NULL;
  Splice s = { 0, };
  gboolean ok = TRUE;

  g_return_val_if_fail (clips != NULL && clips[0] != NULL, FALSE);
  g_return_val_if_fail (work_dir != NULL && output != NULL, FALSE);

  s.n_clips = g_strv_length ((char **) clips);
  s.clips = all = g_new0 (Clip, s.n_clips);
  s.progress = progress;
  s.progress_data = progress_data;
  s.last_dts = GST_CLOCK_TIME_NONE;

  {
    g_autoptr(GstElementFactory) decoder = gst_element_factory_find ("avdec_h264");

    if (decoder == NULL)
      ok = not_supported (error, "avdec_h264 (gstreamer1.0-libav) is not installed");
  }

  for (guint i = 0; ok && i < s.n_clips; i++)
    {
      all[i].path = clips[i];
      ok = scan_clip (&s, &all[i], cancellable, error);
      if (ok && !echoes_clip_encoder_same_stream (all[0].caps, all[i].caps))
        ok = not_supported (error, "%s is not encoded like %s", clips[i], clips[0]);
    }

  ok = ok && plan (&s, durations, GST_CLOCK_TIME_IS_VALID (crossfade) ? crossfade : 0, error);

  if (ok)
    {
      s.base = all[0].first_pts;
      ok = (s.out_pipeline = writer_new ("video/x-h264 ! mp4mux", all[0].caps, output, &s.out, error)) != NULL;
    }

  for (guint i = 0; ok && i < s.n_clips; i++)
    {
      ok = copy_frames (&s, &all[i], all[i].from, all[i].to, cancellable, error) &&
           splice_transition (&s, i, work_dir, cancellable, error);
#ifdef __GLIBC__
      /* Each transition's decoders and encoder leave their frames in the streaming
       * threads' malloc arenas; without this the next ones add ~15 MB each to the RSS. */
      malloc_trim (0);
#endif
    }

  if (ok)
    {
      gst_app_src_end_of_stream (s.out);
      ok = wait_for_eos (s.out_pipeline, cancellable, error);
    }

  if (s.out_pipeline != NULL)
    {
      gst_element_set_state (s.out_pipeline, GST_STATE_NULL);
      gst_object_unref (s.out_pipeline);
    }

  for (guint i = 0; i < s.n_clips; i++)
    clip_clear (&all[i]);

  g_debug ("Spliced %u clips into %u frames (%u encoded): %s", s.n_clips, s.out_frames,
           s.encoded_frames, ok ? "done" : "failed");
  if (n_encoded != NULL)
    *n_encoded = s.encoded_frames;

  return ok;
}
