/* echoes-music.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define ECHOES_MUSIC_ERROR (echoes_music_error_quark ())

/**
 * EchoesMusicError:
 * @ECHOES_MUSIC_ERROR_NOT_FOUND: the file does not exist or cannot be read
 * @ECHOES_MUSIC_ERROR_UNSUPPORTED: not an audio file, or no decoder for it is installed
 * @ECHOES_MUSIC_ERROR_BROKEN: the file looks like audio but cannot be decoded
 * @ECHOES_MUSIC_ERROR_INVALID: the serialised music settings cannot be parsed
 *
 * The messages of these errors are translated and name the file: they can be shown to
 * the user as they are. On any of them the caller keeps the previous music.
 */
typedef enum
{
  ECHOES_MUSIC_ERROR_NOT_FOUND,
  ECHOES_MUSIC_ERROR_UNSUPPORTED,
  ECHOES_MUSIC_ERROR_BROKEN,
  ECHOES_MUSIC_ERROR_INVALID,
} EchoesMusicError;

/* Rate and channels every track is resampled to before it is mixed or encoded. */
#define ECHOES_MUSIC_RATE     48000
#define ECHOES_MUSIC_CHANNELS 2

#define ECHOES_MUSIC_DEFAULT_FADE_OUT (2 * GST_SECOND)
#define ECHOES_MUSIC_MIN_CLIP         (2 * GST_SECOND)
#define ECHOES_MUSIC_MAX_CLIP         (10 * GST_SECOND)

/**
 * EchoesMusicTrack:
 * @path: absolute path of the audio file
 * @duration: its duration in nanoseconds
 * @rate: its sample rate in Hz
 * @channels: its channel count
 *
 * One probed audio file.
 */
typedef struct
{
  char         *path;
  GstClockTime  duration;
  guint         rate;
  guint         channels;
} EchoesMusicTrack;

/**
 * EchoesMusic:
 * @tracks: (array zero-terminated=1): audio files played in sequence; relative paths
 *   are relative to the data directory
 * @volume: linear gain, 0.0 – 2.0 (1.0 = unchanged)
 * @fade_out: length of the fade-out at the end of the film, in nanoseconds
 * @durations: (element-type utf8 guint64): clip id → clip duration in nanoseconds,
 *   as set by "fit to music"; clips not listed play at their natural length
 *
 * A project's music settings: what `EchoesProject:music` holds, see
 * echoes_music_parse() for the format.
 */
typedef struct
{
  GStrv         tracks;
  double        volume;
  GstClockTime  fade_out;
  GHashTable   *durations;
} EchoesMusic;

#define ECHOES_TYPE_MUSIC       (echoes_music_get_type())
#define ECHOES_TYPE_MUSIC_TRACK (echoes_music_track_get_type())

GQuark            echoes_music_error_quark        (void);
GType             echoes_music_get_type           (void) G_GNUC_CONST;
GType             echoes_music_track_get_type     (void) G_GNUC_CONST;

EchoesMusic      *echoes_music_new                (void);
EchoesMusic      *echoes_music_copy               (const EchoesMusic   *self);
void              echoes_music_free               (EchoesMusic         *self);
EchoesMusic      *echoes_music_parse              (const char          *text,
                                                   GError             **error);
char             *echoes_music_format             (const EchoesMusic   *self);
GStrv             echoes_music_resolve_tracks     (const EchoesMusic   *self,
                                                   const char          *data_dir);
gboolean          echoes_music_get_clip_duration  (const EchoesMusic   *self,
                                                   const char          *clip_id,
                                                   GstClockTime        *duration);
void              echoes_music_set_clip_duration  (EchoesMusic         *self,
                                                   const char          *clip_id,
                                                   GstClockTime         duration);

EchoesMusicTrack *echoes_music_track_copy         (const EchoesMusicTrack *track);
void              echoes_music_track_free         (EchoesMusicTrack    *track);

GPtrArray        *echoes_music_probe              (const char * const  *paths,
                                                   GCancellable        *cancellable,
                                                   GError             **error);
void              echoes_music_probe_async        (const char * const  *paths,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GPtrArray        *echoes_music_probe_finish       (GAsyncResult        *result,
                                                   GError             **error);
GstClockTime      echoes_music_total_duration     (GPtrArray           *tracks);

gboolean          echoes_music_fit_durations      (GstClockTime         music_duration,
                                                   guint                n_clips,
                                                   GstClockTime         crossfade,
                                                   GstClockTime         frame_duration,
                                                   GstClockTime        *durations);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EchoesMusic, echoes_music_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EchoesMusicTrack, echoes_music_track_free)

G_END_DECLS
