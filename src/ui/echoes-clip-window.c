/* echoes-clip-window.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-clip-window"

#include "config.h"

#include "echoes-clip-window.h"
#include "echoes-ui-util.h"

#include <glib/gi18n.h>

#include "echoes-clip-prompt.h"
#include "echoes-credit-confirm.h"
#include "echoes-generation-queue.h"
#include "echoes-ken-burns-button.h"
#include "echoes-library.h"
#include "echoes-store.h"
#include "echoes-stream-resolver.h"
#include "echoes-thumbnailer.h"

/**
 * EchoesClipWindow:
 *
 * One clip up close: its video (once generated), the motion editor over its photo,
 * Approve (A) and Regenerate. Every change goes through the library and the queue;
 * the window follows the clip's notifications. A synced clip whose video is not
 * downloaded yet streams from the account (EchoesStreamResolver).
 */
struct _EchoesClipWindow
{
  AdwWindow           parent_instance;

  EchoesContext      *context;      /* (owned) */
  EchoesClip         *clip;         /* (owned) */
  GCancellable       *cancellable;  /* (owned) */
  GCancellable       *load_cancellable; /* (owned) (nullable) */
  char               *loaded_video; /* (owned) (nullable) */
  EchoesStreamResolver *resolver;   /* (owned) (nullable) */
  gboolean            updating;

  GtkToggleButton    *approve_button;
  EchoesClipPrompt   *prompt;
  EchoesKenBurnsButton *ken_burns_button;
  EchoesMotionEditor *motion_editor;
  EchoesFilmPlayer   *player;
  GtkStack           *player_stack;
  AdwStatusPage      *status_page;
  AdwToastOverlay    *toast_overlay;
  AdwWindowTitle     *window_title;
};

G_DEFINE_FINAL_TYPE (EchoesClipWindow, echoes_clip_window, ADW_TYPE_WINDOW)

static void
player_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(EchoesClipWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!echoes_film_player_load_finish (ECHOES_FILM_PLAYER (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_markup_escape_text (error->message, -1);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      return;
    }

  echoes_film_player_play (self->player);
}

static void
video_resolved_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(EchoesClipWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) sources = NULL;

  if (!(sources = echoes_stream_resolver_resolve_finish (ECHOES_STREAM_RESOLVER (object), result,
                                                         NULL, &error)))
    return;  /* cancelled: another video, or the window closes */

  echoes_film_player_load_async (self->player, (const char * const *) sources, NULL, 1.0, 0, 0,
                                 self->load_cancellable, player_loaded_cb, g_object_ref (self));
}

static void
echoes_clip_window_update (EchoesClipWindow *self)
{
  EchoesClipStatus status = echoes_clip_get_status (self->clip);
  const char *video = echoes_clip_get_video (self->clip);
  const char *name = echoes_clip_get_source_name (self->clip);
  const char *reason;

  adw_window_title_set_subtitle (self->window_title, name);

  self->updating = TRUE;
  gtk_toggle_button_set_active (self->approve_button, echoes_clip_get_approved (self->clip));
  gtk_button_set_label (GTK_BUTTON (self->approve_button),
                        echoes_clip_get_approved (self->clip) ? _("_Approved") : _("_Approve"));
  self->updating = FALSE;

  if (status == ECHOES_CLIP_STATUS_READY && video != NULL)
    {
      gtk_stack_set_visible_child_name (self->player_stack, "player");

      if (g_strcmp0 (video, self->loaded_video) != 0)
        {
          g_autofree char *path = echoes_store_resolve (echoes_context_get_store (self->context), video);
          const char *clips[] = { path, NULL };
          const char *ids[] = { echoes_clip_get_id (self->clip), NULL };

          g_free (self->loaded_video);
          self->loaded_video = g_strdup (video);
          g_cancellable_cancel (self->load_cancellable);
          g_clear_object (&self->load_cancellable);
          self->load_cancellable = g_cancellable_new ();
          g_clear_object (&self->resolver);
          self->resolver = echoes_stream_resolver_new (echoes_context_get_sync_engine (self->context),
                                                       ids);
          echoes_player_pipeline_set_renewer (echoes_film_player_get_pipeline (self->player),
                                              ECHOES_URI_RENEWER (self->resolver));
          echoes_stream_resolver_resolve_async (self->resolver, clips, self->load_cancellable,
                                                video_resolved_cb, g_object_ref (self));
        }
      return;
    }

  /* A new video comes: load it once ready, even if the file name stays the same. */
  g_clear_pointer (&self->loaded_video, g_free);
  echoes_film_player_pause (self->player);
  gtk_stack_set_visible_child_name (self->player_stack, "status");

  switch (status)
    {
    case ECHOES_CLIP_STATUS_GENERATING:
      adw_status_page_set_icon_name (self->status_page, "emblem-synchronizing-symbolic");
      adw_status_page_set_title (self->status_page, _("Generating…"));
      adw_status_page_set_description (self->status_page, NULL);
      break;

    case ECHOES_CLIP_STATUS_FAILED:
      /* The stored code's translated sentence, never the provider's message. */
      reason = echoes_clip_get_failure_message (self->clip);
      if (reason == NULL)
        reason = echoes_clip_failure_get_message (ECHOES_CLIP_FAILURE_UNKNOWN);
      adw_status_page_set_icon_name (self->status_page, "dialog-warning-symbolic");
      adw_status_page_set_title (self->status_page, _("Generation Failed"));
      adw_status_page_set_description (self->status_page, reason);
      break;

    case ECHOES_CLIP_STATUS_PENDING:
    case ECHOES_CLIP_STATUS_READY:
    default:
      adw_status_page_set_icon_name (self->status_page, "content-loading-symbolic");
      adw_status_page_set_title (self->status_page, _("Not Generated Yet"));
      adw_status_page_set_description (self->status_page,
                                       _("Regenerate to make a clip with the motion on the right"));
      break;
    }
}

static void
clip_notify_cb (EchoesClipWindow *self,
                GParamSpec       *pspec,
                EchoesClip       *clip)
{
  /* Progress changes many times a second and shows nothing here. */
  if (g_strcmp0 (pspec->name, "progress") != 0)
    echoes_clip_window_update (self);
}

static void
thumbnail_loaded_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(EchoesClipWindow) self = user_data;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  if (!(pixbuf = echoes_thumbnailer_load_finish (ECHOES_THUMBNAILER (object), result, &error)))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No photo for the motion editor: %s", error->message);
      return;
    }

  texture = gdk_texture_new_for_pixbuf (pixbuf);
  echoes_motion_editor_set_paintable (self->motion_editor, GDK_PAINTABLE (texture));
}

static void
set_approved (EchoesClipWindow *self,
              gboolean          approved)
{
  g_autoptr(EchoesClip) copy = NULL;

  if (echoes_clip_get_approved (self->clip) == approved)
    return;

  copy = echoes_clip_copy (self->clip);
  echoes_clip_set_approved (copy, approved);
  echoes_library_update_clip (echoes_context_get_library (self->context), copy);
}

static void
approve_toggled_cb (EchoesClipWindow *self,
                    GtkToggleButton  *button)
{
  if (!self->updating)
    set_approved (self, gtk_toggle_button_get_active (button));
}

static void
toggle_approved_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  EchoesClipWindow *self = ECHOES_CLIP_WINDOW (widget);

  set_approved (self, !echoes_clip_get_approved (self->clip));
}

static void
regenerate_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EchoesClipWindow *self = ECHOES_CLIP_WINDOW (widget);

  echoes_credit_confirm_enqueue_clip (widget, self->context, echoes_clip_get_id (self->clip));
}

static void
apply_motion_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  EchoesClipWindow *self = ECHOES_CLIP_WINDOW (widget);
  g_autoptr(EchoesClip) copy = echoes_clip_copy (self->clip);
  g_autofree char *motion = echoes_motion_editor_dup_motion (self->motion_editor);

  /* The library writes the motion before the queue reads the clip: both go through the
   * store's single worker, in order. */
  echoes_clip_set_motion (copy, motion);
  echoes_library_update_clip (echoes_context_get_library (self->context), copy);
  echoes_credit_confirm_enqueue_clip (widget, self->context, echoes_clip_get_id (self->clip));
  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (_("Motion saved; the clip is generated again")));
}

static void
play_pause_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EchoesClipWindow *self = ECHOES_CLIP_WINDOW (widget);
  EchoesPlayerPipeline *pipeline = echoes_film_player_get_pipeline (self->player);

  if (!echoes_player_pipeline_get_loaded (pipeline))
    return;

  if (echoes_player_pipeline_get_playing (pipeline))
    echoes_film_player_pause (self->player);
  else
    echoes_film_player_play (self->player);
}

static void
echoes_clip_window_dispose (GObject *object)
{
  EchoesClipWindow *self = (EchoesClipWindow *)object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->load_cancellable);
  if (self->clip != NULL)
    g_signal_handlers_disconnect_by_data (self->clip, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), ECHOES_TYPE_CLIP_WINDOW);

  G_OBJECT_CLASS (echoes_clip_window_parent_class)->dispose (object);
}

static void
echoes_clip_window_finalize (GObject *object)
{
  EchoesClipWindow *self = (EchoesClipWindow *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->resolver);
  g_clear_object (&self->clip);
  g_clear_object (&self->context);
  g_clear_pointer (&self->loaded_video, g_free);

  G_OBJECT_CLASS (echoes_clip_window_parent_class)->finalize (object);
}

static void
echoes_clip_window_class_init (EchoesClipWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = echoes_clip_window_dispose;
  object_class->finalize = echoes_clip_window_finalize;

  g_type_ensure (ECHOES_TYPE_FILM_PLAYER);
  g_type_ensure (ECHOES_TYPE_MOTION_EDITOR);
  g_type_ensure (ECHOES_TYPE_CLIP_PROMPT);
  g_type_ensure (ECHOES_TYPE_KEN_BURNS_BUTTON);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/echoes-clip-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EchoesClipWindow, approve_button);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipWindow, prompt);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipWindow, ken_burns_button);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipWindow, motion_editor);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipWindow, player);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipWindow, player_stack);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipWindow, window_title);
  gtk_widget_class_bind_template_callback (widget_class, approve_toggled_cb);

  gtk_widget_class_install_action (widget_class, "clip.toggle-approved", NULL, toggle_approved_action);
  gtk_widget_class_install_action (widget_class, "clip.regenerate", NULL, regenerate_action);
  gtk_widget_class_install_action (widget_class, "clip.apply-motion", NULL, apply_motion_action);
  gtk_widget_class_install_action (widget_class, "clip.play-pause", NULL, play_pause_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, 0, "clip.toggle-approved", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "clip.play-pause", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
echoes_clip_window_init (EchoesClipWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  echoes_ui_fix_button_names (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/**
 * echoes_clip_window_new:
 * @parent: (nullable): the main window
 * @context: the context
 * @clip: the live clip (from the library)
 * @ratio: (nullable): the project's ratio, for the motion editor
 *
 * Returns: (transfer floating): a new window; present it
 */
EchoesClipWindow *
echoes_clip_window_new (GtkWindow     *parent,
                        EchoesContext *context,
                        EchoesClip    *clip,
                        const char    *ratio)
{
  EchoesClipWindow *self;
  g_autofree char *path = NULL;
  const char *image;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (ECHOES_IS_CONTEXT (context), NULL);
  g_return_val_if_fail (ECHOES_IS_CLIP (clip), NULL);

  self = g_object_new (ECHOES_TYPE_CLIP_WINDOW, "transient-for", parent, NULL);
  self->context = g_object_ref (context);
  self->clip = g_object_ref (clip);

  if (ratio != NULL)
    echoes_motion_editor_set_ratio (self->motion_editor, ratio);
  echoes_motion_editor_set_motion (self->motion_editor, echoes_clip_get_motion (clip));
  echoes_clip_prompt_set_clip (self->prompt, context, clip);
  echoes_ken_burns_button_set_clip (self->ken_burns_button, context, clip);

  image = echoes_clip_get_image (clip);
  if (image != NULL && (path = echoes_store_resolve (echoes_context_get_store (context), image)))
    echoes_thumbnailer_load_async (echoes_context_get_thumbnailer (context), path,
                                   echoes_clip_get_id (clip), 2 * ECHOES_THUMBNAIL_SIZE,
                                   self->cancellable, thumbnail_loaded_cb, g_object_ref (self));

  g_signal_connect_object (clip, "notify", G_CALLBACK (clip_notify_cb), self, G_CONNECT_SWAPPED);
  echoes_clip_window_update (self);
  return self;
}

/**
 * echoes_clip_window_get_clip:
 *
 * Returns: (transfer none): the clip shown
 */
EchoesClip *
echoes_clip_window_get_clip (EchoesClipWindow *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP_WINDOW (self), NULL);
  return self->clip;
}

/**
 * echoes_clip_window_get_player:
 *
 * Returns: (transfer none): the player of the clip's video
 */
EchoesFilmPlayer *
echoes_clip_window_get_player (EchoesClipWindow *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP_WINDOW (self), NULL);
  return self->player;
}

/**
 * echoes_clip_window_get_motion_editor:
 *
 * Returns: (transfer none): the motion editor
 */
EchoesMotionEditor *
echoes_clip_window_get_motion_editor (EchoesClipWindow *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP_WINDOW (self), NULL);
  return self->motion_editor;
}
