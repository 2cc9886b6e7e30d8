/* echoes-player-playback.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-player-pipeline"

#include "config.h"

#include "echoes-player-pipeline-private.h"

/* EchoesPlayerPipeline's playback: play, pause, seek, and where the film is (position,
 * duration, clip starts). */

void
echoes_player_pipeline_play (EchoesPlayerPipeline *self)
{
  g_return_if_fail (ECHOES_IS_PLAYER_PIPELINE (self));

  if (!self->loaded)
    return;

  if (self->recovering)
    {
      self->resume_playing = TRUE;
      _echoes_player_pipeline_set_playing (self, TRUE);
      return;
    }

  /* At the end: play again from the start. */
  if (echoes_player_pipeline_get_position (self) + GST_SECOND / 20 >=
      echoes_player_pipeline_get_duration (self))
    echoes_player_pipeline_seek (self, 0);

  gst_element_set_state (GST_ELEMENT (self->pipeline), GST_STATE_PLAYING);
  _echoes_player_pipeline_set_playing (self, TRUE);
}

void
echoes_player_pipeline_pause (EchoesPlayerPipeline *self)
{
  g_return_if_fail (ECHOES_IS_PLAYER_PIPELINE (self));

  if (!self->loaded)
    return;

  if (self->recovering)
    {
      self->resume_playing = FALSE;
      _echoes_player_pipeline_set_playing (self, FALSE);
      return;
    }

  gst_element_set_state (GST_ELEMENT (self->pipeline), GST_STATE_PAUSED);
  _echoes_player_pipeline_set_playing (self, FALSE);
}

gboolean
echoes_player_pipeline_get_playing (EchoesPlayerPipeline *self)
{
  g_return_val_if_fail (ECHOES_IS_PLAYER_PIPELINE (self), FALSE);

  return self->playing;
}

/**
 * echoes_player_pipeline_seek:
 * @self: a #EchoesPlayerPipeline
 * @position: the film time to show
 *
 * Seeks to the exact frame, across clips. Playing or paused stays as it was; when
 * paused, the frame at @position is delivered.
 *
 * Returns: %TRUE if the seek was started
 */
gboolean
echoes_player_pipeline_seek (EchoesPlayerPipeline *self,
                             GstClockTime          position)
{
  g_return_val_if_fail (ECHOES_IS_PLAYER_PIPELINE (self), FALSE);

  if (!self->loaded)
    return FALSE;

  position = MIN (position, echoes_player_pipeline_get_duration (self));

  if (self->recovering)
    {
      /* Taken up once the film is built again. */
      self->resume_position = position;
      if (GST_CLOCK_TIME_IS_VALID (self->pending_seek))
        self->pending_seek = position;
      if (GST_CLOCK_TIME_IS_VALID (self->pending_seek) || self->pipeline == NULL)
        return TRUE;
    }

  return gst_element_seek_simple (GST_ELEMENT (self->pipeline), GST_FORMAT_TIME,
                                  GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE,
                                  (gint64) position);
}

gboolean
echoes_player_pipeline_seek_to_clip (EchoesPlayerPipeline *self,
                                     guint                 clip)
{
  g_return_val_if_fail (ECHOES_IS_PLAYER_PIPELINE (self), FALSE);

  if (clip >= echoes_player_pipeline_get_n_clips (self))
    return FALSE;

  return echoes_player_pipeline_seek (self, echoes_player_pipeline_get_clip_start (self, clip));
}

GstClockTime
echoes_player_pipeline_get_position (EchoesPlayerPipeline *self)
{
  gint64 position = 0;

  g_return_val_if_fail (ECHOES_IS_PLAYER_PIPELINE (self), 0);

  if (self->recovering)
    return self->resume_position;

  if (self->pipeline == NULL ||
      !gst_element_query_position (GST_ELEMENT (self->pipeline), GST_FORMAT_TIME, &position) ||
      position < 0)
    {
      GstClockTime last;

      /* In an error, the query may fail: the last frame shown says where. */
      g_mutex_lock (&self->frame_lock);
      last = self->last_position;
      g_mutex_unlock (&self->frame_lock);
      return self->pipeline != NULL && GST_CLOCK_TIME_IS_VALID (last) ? last : 0;
    }

  return (GstClockTime) position;
}

GstClockTime
echoes_player_pipeline_get_duration (EchoesPlayerPipeline *self)
{
  g_return_val_if_fail (ECHOES_IS_PLAYER_PIPELINE (self), 0);

  if (self->starts->len == 0)
    return 0;

  return g_array_index (self->starts, GstClockTime, self->starts->len - 1);
}

guint
echoes_player_pipeline_get_n_clips (EchoesPlayerPipeline *self)
{
  g_return_val_if_fail (ECHOES_IS_PLAYER_PIPELINE (self), 0);

  return self->starts->len > 0 ? self->starts->len - 1 : 0;
}

/**
 * echoes_player_pipeline_get_clip_start:
 * @self: a #EchoesPlayerPipeline
 * @clip: a clip index, or the number of clips for the film's end
 *
 * Returns: where @clip starts in the film (the clip boundaries of the scrub bar)
 */
GstClockTime
echoes_player_pipeline_get_clip_start (EchoesPlayerPipeline *self,
                                       guint                 clip)
{
  g_return_val_if_fail (ECHOES_IS_PLAYER_PIPELINE (self), 0);
  g_return_val_if_fail (clip < self->starts->len, 0);

  return g_array_index (self->starts, GstClockTime, clip);
}

/**
 * echoes_player_pipeline_get_clip_at:
 * @self: a #EchoesPlayerPipeline
 * @position: a film time
 *
 * Returns: the index of the clip shown at @position
 */
guint
echoes_player_pipeline_get_clip_at (EchoesPlayerPipeline *self,
                                    GstClockTime          position)
{
  guint n;

  g_return_val_if_fail (ECHOES_IS_PLAYER_PIPELINE (self), 0);

  n = echoes_player_pipeline_get_n_clips (self);
  for (guint i = 1; i < n; i++)
    if (position < g_array_index (self->starts, GstClockTime, i))
      return i - 1;

  return n > 0 ? n - 1 : 0;
}
