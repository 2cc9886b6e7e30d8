/* echoes-clip-encoder.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * EchoesClipEncoderSpeed:
 * @ECHOES_CLIP_ENCODER_QUALITY: what every local clip is made with (x264 `veryfast`, CRF 21)
 * @ECHOES_CLIP_ENCODER_FAST: the same with a shorter look-ahead, for the splicer's short runs
 *
 * Both produce byte-identical SPS/PPS for the same size and frame rate, so frames of
 * either can follow each other in one H.264 stream (see echoes-film-splicer.c).
 */
typedef enum
{
  ECHOES_CLIP_ENCODER_QUALITY,
  ECHOES_CLIP_ENCODER_FAST,
} EchoesClipEncoderSpeed;

/* Seconds between key frames of a clip: the places a film can be cut without
 * re-encoding. */
#define ECHOES_CLIP_KEY_INTERVAL 1

char *echoes_clip_encoder_describe (int                    fps_n,
                                    int                    fps_d,
                                    EchoesClipEncoderSpeed speed);
gboolean echoes_clip_encoder_check       (GError               **error);
gboolean echoes_clip_encoder_check_h264  (GError               **error);
gboolean echoes_clip_encoder_same_stream (GstCaps               *a,
                                          GstCaps               *b);

G_END_DECLS
