/* echoes-film-player.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-film-player"

#include "config.h"

#include "echoes-film-player.h"
#include "echoes-ui-util.h"

#include <gst/video/video.h>
#include <glib/gi18n.h>


/* Shows an EchoesPlayerPipeline: frames arrive on a streaming thread, are wrapped
 * zero-copy in a GdkMemoryTexture there, and only the swap happens on the main thread
 * (coalesced: if the main thread is late, it shows the newest frame). Play/pause
 * (Space), a scrub bar with a mark at every clip boundary, previous/next clip and full
 * screen (F). */

#define POSITION_INTERVAL_MS 100

/* Shared with the streaming thread, so it is reference counted (g_atomic_rc_box). */
typedef struct
{
  GWeakRef    player;
  GMutex      lock;
  GdkTexture *pending;  /* (owned) (nullable) */
} FrameTarget;

struct _EchoesFilmPlayer
{
  GtkWidget             parent_instance;

  EchoesPlayerPipeline *pipeline;      /* (owned) */
  GCancellable         *cancellable;   /* (owned) */
  FrameTarget          *target;        /* (owned) rc box */
  GdkTexture           *frame;         /* (owned) (nullable) */
  guint                 position_id;

  /* Template widgets */
  GtkAdjustment        *adjustment;
  GtkWidget            *box;
  GtkButton            *fullscreen_button;
  GtkPicture           *picture;
  GtkButton            *play_button;
  GtkScale             *scale;
  GtkLabel             *time_label;
};

G_DEFINE_FINAL_TYPE (EchoesFilmPlayer, echoes_film_player, GTK_TYPE_WIDGET)

static void
frame_target_clear (gpointer data)
{
  FrameTarget *target = data;

  g_weak_ref_clear (&target->player);
  g_mutex_clear (&target->lock);
  g_clear_object (&target->pending);
}

static void
frame_target_release (gpointer data)
{
  g_atomic_rc_box_release_full (data, frame_target_clear);
}

static char *
format_time (GstClockTime time)
{
  guint64 seconds = time / GST_SECOND;

  return g_strdup_printf ("%" G_GUINT64_FORMAT ":%02u", seconds / 60, (guint) (seconds % 60));
}

static void
update_position (EchoesFilmPlayer *self)
{
  g_autofree char *position_text = NULL;
  g_autofree char *duration_text = NULL;
  g_autofree char *label = NULL;
  GstClockTime position = echoes_player_pipeline_get_position (self->pipeline);
  GstClockTime duration = echoes_player_pipeline_get_duration (self->pipeline);

  gtk_adjustment_set_value (self->adjustment, (double) position / GST_SECOND);

  position_text = format_time (position);
  duration_text = format_time (duration);
  /* TRANSLATORS: film player time, position / duration */
  label = g_strdup_printf (_("%s / %s"), position_text, duration_text);
  gtk_label_set_label (self->time_label, label);
}

static gboolean
position_timeout_cb (gpointer user_data)
{
  update_position (user_data);
  return G_SOURCE_CONTINUE;
}

static void
update_controls (EchoesFilmPlayer *self)
{
  gboolean playing = echoes_player_pipeline_get_playing (self->pipeline);
  gboolean loaded = echoes_player_pipeline_get_loaded (self->pipeline);

  gtk_button_set_icon_name (self->play_button, playing ? "media-playback-pause-symbolic"
                                                       : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button), playing ? _("Pause") : _("Play"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->play_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, playing ? _("Pause") : _("Play"),
                                  -1);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "player.play-pause", loaded);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "player.previous-clip", loaded);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "player.next-clip", loaded);
  gtk_widget_set_sensitive (GTK_WIDGET (self->scale), loaded);

  if (playing && self->position_id == 0)
    self->position_id = g_timeout_add (POSITION_INTERVAL_MS, position_timeout_cb, self);
  else if (!playing)
    g_clear_handle_id (&self->position_id, g_source_remove);

  update_position (self);
}

/* Main thread. */
static gboolean
show_frame_cb (gpointer data)
{
  FrameTarget *target = data;
  g_autoptr(EchoesFilmPlayer) self = g_weak_ref_get (&target->player);
  g_autoptr(GdkTexture) texture = NULL;

  g_mutex_lock (&target->lock);
  texture = g_steal_pointer (&target->pending);
  g_mutex_unlock (&target->lock);

  if (self != NULL && texture != NULL)
    {
      g_set_object (&self->frame, texture);
      gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
    }

  return G_SOURCE_REMOVE;
}

/* Streaming thread: no GTK here, only GDK's thread-safe texture constructor. */
static void
frame_cb (GstSample *sample,
          gpointer   user_data)
{
  FrameTarget *target = user_data;
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  GstVideoMeta *meta;
  GstVideoInfo info;
  GstMapInfo map;
  GBytes *bytes;
  GdkTexture *texture;
  gsize stride;
  gboolean schedule;

  if (buffer == NULL || !gst_video_info_from_caps (&info, gst_sample_get_caps (sample)))
    return;

  stride = GST_VIDEO_INFO_PLANE_STRIDE (&info, 0);
  if ((meta = gst_buffer_get_video_meta (buffer)))
    stride = meta->stride[0];

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return;

  /* System memory (RGBA caps, no GL): the mapping stays valid while the buffer lives. */
  bytes = g_bytes_new_with_free_func (map.data, map.size, (GDestroyNotify) gst_buffer_unref,
                                      gst_buffer_ref (buffer));
  gst_buffer_unmap (buffer, &map);
  texture = gdk_memory_texture_new (GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info),
                                    GDK_MEMORY_R8G8B8A8, bytes, stride);
  g_bytes_unref (bytes);

  g_mutex_lock (&target->lock);
  schedule = target->pending == NULL;
  g_clear_object (&target->pending);
  target->pending = texture;
  g_mutex_unlock (&target->lock);

  if (schedule)
    g_main_context_invoke_full (NULL, G_PRIORITY_HIGH_IDLE, show_frame_cb,
                                g_atomic_rc_box_acquire (target), frame_target_release);
}

static void
playing_changed_cb (EchoesFilmPlayer *self)
{
  update_controls (self);
}

static void
eos_cb (EchoesFilmPlayer *self)
{
  update_controls (self);
}

static void
error_cb (EchoesFilmPlayer *self,
          GError           *error)
{
  g_warning ("Playback stopped: %s", error->message);
  update_controls (self);
}

static gboolean
scale_change_value_cb (GtkRange         *range,
                       GtkScrollType     scroll,
                       double            value,
                       EchoesFilmPlayer *self)
{
  echoes_player_pipeline_seek (self->pipeline, (GstClockTime) (MAX (value, 0.0) * GST_SECOND));
  return FALSE;
}

static void
play_pause_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EchoesFilmPlayer *self = ECHOES_FILM_PLAYER (widget);

  if (echoes_player_pipeline_get_playing (self->pipeline))
    echoes_film_player_pause (self);
  else
    echoes_film_player_play (self);
}

static void
previous_clip_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  EchoesFilmPlayer *self = ECHOES_FILM_PLAYER (widget);
  GstClockTime position = echoes_player_pipeline_get_position (self->pipeline);
  guint clip = echoes_player_pipeline_get_clip_at (self->pipeline, position);

  /* Like a music player: back to the start of this clip, or to the previous clip when
   * already near its start. */
  if (clip > 0 &&
      position < echoes_player_pipeline_get_clip_start (self->pipeline, clip) + GST_SECOND)
    clip--;

  echoes_player_pipeline_seek_to_clip (self->pipeline, clip);
  update_position (self);
}

static void
next_clip_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  EchoesFilmPlayer *self = ECHOES_FILM_PLAYER (widget);
  GstClockTime position = echoes_player_pipeline_get_position (self->pipeline);
  guint clip = echoes_player_pipeline_get_clip_at (self->pipeline, position);

  echoes_player_pipeline_seek_to_clip (self->pipeline, clip + 1);
  update_position (self);
}

static void
fullscreen_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EchoesFilmPlayer *self = ECHOES_FILM_PLAYER (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  gboolean fullscreen;

  if (!GTK_IS_WINDOW (root))
    return;

  fullscreen = !gtk_window_is_fullscreen (GTK_WINDOW (root));
  if (fullscreen)
    gtk_window_fullscreen (GTK_WINDOW (root));
  else
    gtk_window_unfullscreen (GTK_WINDOW (root));

  gtk_button_set_icon_name (self->fullscreen_button, fullscreen ? "view-restore-symbolic"
                                                                : "view-fullscreen-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->fullscreen_button),
                               fullscreen ? _("Leave Full Screen") : _("Full Screen"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->fullscreen_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  fullscreen ? _("Leave Full Screen") : _("Full Screen"),
                                  -1);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EchoesFilmPlayer *self = g_task_get_source_object (task);
  GError *error = NULL;
  guint n_clips;

  if (!echoes_player_pipeline_load_finish (ECHOES_PLAYER_PIPELINE (object), result, &error))
    {
      update_controls (self);
      g_task_return_error (task, error);
      return;
    }

  n_clips = echoes_player_pipeline_get_n_clips (self->pipeline);
  gtk_adjustment_set_upper (self->adjustment,
                            (double) echoes_player_pipeline_get_duration (self->pipeline) /
                            GST_SECOND);
  gtk_scale_clear_marks (self->scale);
  for (guint i = 1; i < n_clips; i++)
    gtk_scale_add_mark (self->scale,
                        (double) echoes_player_pipeline_get_clip_start (self->pipeline, i) /
                        GST_SECOND,
                        GTK_POS_BOTTOM, NULL);

  update_controls (self);
  g_task_return_boolean (task, TRUE);
}

static void
echoes_film_player_dispose (GObject *object)
{
  EchoesFilmPlayer *self = (EchoesFilmPlayer *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->position_id, g_source_remove);

  if (self->pipeline != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->pipeline, self);
      /* Stops the streaming threads before the frame target goes. */
      echoes_player_pipeline_unload (self->pipeline);
      echoes_player_pipeline_set_frame_func (self->pipeline, NULL, NULL, NULL);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), ECHOES_TYPE_FILM_PLAYER);

  g_clear_object (&self->pipeline);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->frame);
  g_clear_pointer (&self->target, frame_target_release);

  G_OBJECT_CLASS (echoes_film_player_parent_class)->dispose (object);
}

static void
echoes_film_player_class_init (EchoesFilmPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = echoes_film_player_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/echoes-film-player.ui");
  gtk_widget_class_bind_template_child (widget_class, EchoesFilmPlayer, adjustment);
  gtk_widget_class_bind_template_child (widget_class, EchoesFilmPlayer, box);
  gtk_widget_class_bind_template_child (widget_class, EchoesFilmPlayer, fullscreen_button);
  gtk_widget_class_bind_template_child (widget_class, EchoesFilmPlayer, picture);
  gtk_widget_class_bind_template_child (widget_class, EchoesFilmPlayer, play_button);
  gtk_widget_class_bind_template_child (widget_class, EchoesFilmPlayer, scale);
  gtk_widget_class_bind_template_child (widget_class, EchoesFilmPlayer, time_label);
  gtk_widget_class_bind_template_callback (widget_class, scale_change_value_cb);

  gtk_widget_class_install_action (widget_class, "player.play-pause", NULL, play_pause_action);
  gtk_widget_class_install_action (widget_class, "player.previous-clip", NULL,
                                   previous_clip_action);
  gtk_widget_class_install_action (widget_class, "player.next-clip", NULL, next_clip_action);
  gtk_widget_class_install_action (widget_class, "player.fullscreen", NULL, fullscreen_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "player.play-pause", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, 0, "player.fullscreen", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "player.fullscreen", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, 0,
                                       "player.previous-clip", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, 0,
                                       "player.next-clip", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "echoes-film-player");
}

static void
echoes_film_player_init (EchoesFilmPlayer *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  echoes_ui_fix_button_names (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->pipeline = echoes_player_pipeline_new ();
  self->target = g_atomic_rc_box_new0 (FrameTarget);
  g_weak_ref_init (&self->target->player, self);
  g_mutex_init (&self->target->lock);

  echoes_player_pipeline_set_frame_func (self->pipeline, frame_cb,
                                         g_atomic_rc_box_acquire (self->target),
                                         frame_target_release);
  g_signal_connect_swapped (self->pipeline, "notify::playing",
                            G_CALLBACK (playing_changed_cb), self);
  g_signal_connect_swapped (self->pipeline, "eos", G_CALLBACK (eos_cb), self);
  g_signal_connect_swapped (self->pipeline, "error", G_CALLBACK (error_cb), self);

  update_controls (self);
}

/**
 * echoes_film_player_new:
 *
 * Returns: (transfer floating): a new, empty film player
 */
GtkWidget *
echoes_film_player_new (void)
{
  return g_object_new (ECHOES_TYPE_FILM_PLAYER, NULL);
}

/**
 * echoes_film_player_get_pipeline:
 * @self: a #EchoesFilmPlayer
 *
 * Returns: (transfer none): the pipeline, for seeking or the position
 */
EchoesPlayerPipeline *
echoes_film_player_get_pipeline (EchoesFilmPlayer *self)
{
  g_return_val_if_fail (ECHOES_IS_FILM_PLAYER (self), NULL);

  return self->pipeline;
}

/**
 * echoes_film_player_load_async:
 * @self: a #EchoesFilmPlayer
 * @clips: (array zero-terminated=1): absolute paths of the clips (one for a single clip)
 * @music: (nullable) (array zero-terminated=1): absolute paths of the music tracks
 * @volume: the music's gain
 * @fade_out: the music's fade at the end
 * @start_clip: the clip to start from
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the first frame is shown, paused
 * @user_data: data for @callback
 *
 * See echoes_player_pipeline_load_async(). Call echoes_film_player_play() from
 * @callback to start playing.
 */
void
echoes_film_player_load_async (EchoesFilmPlayer    *self,
                               const char * const  *clips,
                               const char * const  *music,
                               double               volume,
                               GstClockTime         fade_out,
                               guint                start_clip,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ECHOES_IS_FILM_PLAYER (self));
  g_return_if_fail (clips != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, echoes_film_player_load_async);

  g_clear_object (&self->frame);
  gtk_picture_set_paintable (self->picture, NULL);

  echoes_player_pipeline_load_async (self->pipeline, clips, music, volume, fade_out,
                                     start_clip, cancellable, load_cb, g_steal_pointer (&task));
  update_controls (self);
}

/**
 * echoes_film_player_load_finish:
 * @self: a #EchoesFilmPlayer
 * @result: the result passed to the callback
 * @error: return location for an error (translated: show it)
 *
 * Returns: %TRUE if the film is ready
 */
gboolean
echoes_film_player_load_finish (EchoesFilmPlayer  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (ECHOES_IS_FILM_PLAYER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
echoes_film_player_play (EchoesFilmPlayer *self)
{
  g_return_if_fail (ECHOES_IS_FILM_PLAYER (self));

  echoes_player_pipeline_play (self->pipeline);
}

void
echoes_film_player_pause (EchoesFilmPlayer *self)
{
  g_return_if_fail (ECHOES_IS_FILM_PLAYER (self));

  echoes_player_pipeline_pause (self->pipeline);
}

/**
 * echoes_film_player_get_frame:
 * @self: a #EchoesFilmPlayer
 *
 * Returns: (transfer none) (nullable): the frame on screen
 */
GdkPaintable *
echoes_film_player_get_frame (EchoesFilmPlayer *self)
{
  g_return_val_if_fail (ECHOES_IS_FILM_PLAYER (self), NULL);

  return self->frame ? GDK_PAINTABLE (self->frame) : NULL;
}
