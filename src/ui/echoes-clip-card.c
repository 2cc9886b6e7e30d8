/* echoes-clip-card.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-clip-card"

#include "config.h"

#include "echoes-clip-card.h"
#include "echoes-ui-util.h"

#include <glib/gi18n.h>

#include "echoes-generation-queue.h"
#include "echoes-ken-burns-button.h"
#include "echoes-store.h"
#include "echoes-thumbnailer.h"
#include "echoes-util.h"

/**
 * EchoesClipCard:
 *
 * One photo of the timeline: its thumbnail, order, status and approval.
 *
 * The card only shows a clip and turns clicks into window actions (`win.trash-clip`,
 * `win.set-clip-approved`, `win.move-clip`, `win.open-clip`, `win.generate-clip`,
 * `win.cancel-clip`), so the window owns every change.
 *
 * GTK 4.8's grid view keeps about 30 rows of cards per column alive and maps only those
 * in view, so a card holds its thumbnail only while it is mapped, and builds its context
 * menu when first asked for it. Its tooltips are given on demand
 * (#GtkWidget::query-tooltip): setting a tooltip on a visible widget makes GTK ask the
 * display where the pointer is, a round trip to the X server for each of the hundreds
 * of cards built at start-up.
 */
struct _EchoesClipCard
{
  GtkWidget       parent_instance;

  EchoesContext  *context;      /* (owned) (nullable) */
  EchoesClip     *clip;         /* (owned) (nullable) */
  GCancellable   *cancellable;  /* (owned) (nullable) the thumbnail load, once asked for */
  GSignalGroup   *clip_signals; /* (owned) */
  GSignalGroup   *project_signals; /* (owned) its project's provider */
  GtkWidget      *popover;      /* (nullable) the context menu, built on first use */
  char           *status_tooltip; /* (owned) (nullable) */
  gulong          layout_handler; /* the frame clock's, while a load waits for the layout */
  guint           updating : 1;
  guint           has_thumbnail : 1;
  guint           video_thumbnail : 1;  /* the thumbnail shown is the video's */

  GtkToggleButton *approve_button;
  GtkWidget       *bottom_bar;
  GMenuModel      *context_menu;
  GtkButton       *delete_button;
  GtkLabel        *name_label;
  GtkLabel        *order_label;
  GtkLabel        *provider_label;
  GtkWidget       *overlay;
  GtkPicture      *picture;
  GtkButton       *retry_button;
  GtkStack        *picture_stack;
  GtkProgressBar  *progress_bar;
  GtkWidget       *status_badge;
  GtkImage        *status_icon;
  GtkLabel        *status_label;
};

enum {
  PROP_0,
  PROP_CLIP,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (EchoesClipCard, echoes_clip_card, GTK_TYPE_WIDGET)

static GParamSpec *properties [N_PROPS];

/* The badge of the provider the clip will be made with (its own choice, its project's,
 * else the app's): "Ken Burns" or "AI". */
static void
echoes_clip_card_update_provider (EchoesClipCard *self)
{
  const char *name;
  gboolean ai;

  if (self->clip == NULL)
    return;

  name = self->context != NULL ? echoes_context_choose_provider (self->context, self->clip)
                               : echoes_clip_choose_provider (self->clip, NULL, "local");
  ai = echoes_provider_name_is_ai (name);
  /* Translators: the badge on a photo card: the clip is animated by AI (a short word) */
  gtk_label_set_label (self->provider_label, ai ? C_("provider badge", "AI")
                                                : C_("provider badge", "Ken Burns"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->provider_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  ai ? _("Animated with AI") : _("Animated with Ken Burns"),
                                  -1);
  if (ai)
    gtk_widget_add_css_class (GTK_WIDGET (self->provider_label), "ai");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->provider_label), "ai");
}

static void
echoes_clip_card_update (EchoesClipCard *self)
{
  g_autofree char *order = NULL;
  g_autofree char *a11y = NULL;
  g_autofree char *percent = NULL;
  const char *status_text = NULL;
  const char *icon = NULL;
  const char *tooltip = NULL;
  const char *name;
  EchoesClipStatus status;
  gboolean approved;
  guint position;

  if (self->clip == NULL)
    return;

  position = echoes_clip_get_position (self->clip);
  status = echoes_clip_get_status (self->clip);
  approved = echoes_clip_get_approved (self->clip);
  name = echoes_clip_get_source_name (self->clip);
  if (name == NULL || *name == '\0')
    name = _("Photo");

  order = g_strdup_printf ("%u", position + 1);
  gtk_label_set_label (self->order_label, order);
  gtk_label_set_label (self->name_label, name);

  gtk_widget_remove_css_class (self->status_badge, "ready");
  gtk_widget_remove_css_class (self->status_badge, "failed");
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), FALSE);

  switch (status)
    {
    case ECHOES_CLIP_STATUS_PENDING:
      icon = "content-loading-symbolic";
      status_text = _("Pending");
      tooltip = _("Not generated yet");
      break;

    case ECHOES_CLIP_STATUS_GENERATING:
      icon = "emblem-synchronizing-symbolic";
      /* Translators: a percentage of progress, e.g. "40 %" */
      percent = g_strdup_printf (_("%.0f %%"), CLAMP (echoes_clip_get_progress (self->clip), 0.0, 1.0) * 100.0);
      status_text = percent;
      tooltip = _("Generating");
      gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
      gtk_progress_bar_set_fraction (self->progress_bar, echoes_clip_get_progress (self->clip));
      break;

    case ECHOES_CLIP_STATUS_READY:
      icon = "emblem-ok-symbolic";
      status_text = _("Ready");
      tooltip = _("The clip is ready");
      gtk_widget_add_css_class (self->status_badge, "ready");
      break;

    case ECHOES_CLIP_STATUS_FAILED:
      icon = "dialog-warning-symbolic";
      status_text = _("Failed");
      tooltip = echoes_clip_get_failure_message (self->clip);
      if (tooltip == NULL || *tooltip == '\0')
        tooltip = _("Generation failed");
      gtk_widget_add_css_class (self->status_badge, "failed");
      gtk_widget_set_visible (GTK_WIDGET (self->retry_button), TRUE);
      break;

    default:
      g_assert_not_reached ();
    }

  echoes_clip_card_update_provider (self);

  gtk_image_set_from_icon_name (self->status_icon, icon);
  gtk_label_set_label (self->status_label, status_text);
  echoes_set_str (&self->status_tooltip, tooltip);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "card.move-earlier", position > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "card.use-ken-burns", echoes_ken_burns_button_applies (self->clip));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "card.cancel-generation",
                                 status == ECHOES_CLIP_STATUS_GENERATING ||
                                 (self->context != NULL &&
                                  echoes_generation_queue_has_clip (echoes_context_get_queue (self->context),
                                                                    echoes_clip_get_id (self->clip))));

  self->updating = TRUE;
  gtk_toggle_button_set_active (self->approve_button, approved);
  self->updating = FALSE;

  if (approved)
    gtk_widget_add_css_class (GTK_WIDGET (self), "approved");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "approved");

  /* Translators: the accessible name of a photo card: position, file name, status */
  a11y = g_strdup_printf (approved ? _("Photo %u, %s, %s, approved") : _("Photo %u, %s, %s"),
                          position + 1, name, status_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, a11y,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip,
                                  -1);
}

static int
thumbnail_size (EchoesClipCard *self)
{
  /* Sharp on HiDPI screens too */
  return ECHOES_THUMBNAIL_SIZE * CLAMP (gtk_widget_get_scale_factor (GTK_WIDGET (self)), 1, 2);
}

static void video_thumbnail_loaded_cb (GObject      *object,
                                       GAsyncResult *result,
                                       gpointer      user_data);

/* A ready clip shows its video's first frame, over the photo once that is shown. */
static void
echoes_clip_card_load_video_thumbnail (EchoesClipCard *self)
{
  g_autofree char *path = NULL;
  EchoesStore *store;
  const char *video;

  if (self->clip == NULL || self->context == NULL || self->cancellable == NULL ||
      !self->has_thumbnail || self->video_thumbnail ||
      echoes_clip_get_status (self->clip) != ECHOES_CLIP_STATUS_READY ||
      (video = echoes_clip_get_video (self->clip)) == NULL ||
      (store = echoes_context_get_store (self->context)) == NULL ||
      !(path = echoes_store_resolve (store, video)))
    return;

  echoes_thumbnailer_load_video_async (echoes_context_get_thumbnailer (self->context),
                                       path,
                                       echoes_clip_get_id (self->clip),
                                       thumbnail_size (self),
                                       self->cancellable,
                                       video_thumbnail_loaded_cb,
                                       g_object_ref (self));
}

static void
thumbnail_loaded_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(EchoesClipCard) self = user_data;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  pixbuf = echoes_thumbnailer_load_finish (ECHOES_THUMBNAILER (object), result, &error);

  if (pixbuf == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_debug ("No thumbnail: %s", error->message);
          gtk_image_set_from_icon_name (GTK_IMAGE (gtk_stack_get_child_by_name (self->picture_stack, "placeholder")),
                                        "image-missing-symbolic");
        }
      return;
    }

  texture = gdk_texture_new_for_pixbuf (pixbuf);
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
  gtk_stack_set_visible_child_name (self->picture_stack, "picture");
  self->has_thumbnail = TRUE;
  self->video_thumbnail = FALSE;

  echoes_clip_card_load_video_thumbnail (self);
}

static void
video_thumbnail_loaded_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(EchoesClipCard) self = user_data;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  /* On failure the photo stays. */
  if (!(pixbuf = echoes_thumbnailer_load_video_finish (ECHOES_THUMBNAILER (object), result, &error)))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No video thumbnail: %s", error->message);
      return;
    }

  texture = gdk_texture_new_for_pixbuf (pixbuf);
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
  gtk_stack_set_visible_child_name (self->picture_stack, "picture");
  self->has_thumbnail = TRUE;
  self->video_thumbnail = TRUE;
}

/* Back to the placeholder: a pending load is cancelled, a shown thumbnail let go. */
static void
echoes_clip_card_clear_thumbnail (EchoesClipCard *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_picture_set_paintable (self->picture, NULL);
  gtk_stack_set_visible_child_name (self->picture_stack, "placeholder");
  gtk_image_set_from_icon_name (GTK_IMAGE (gtk_stack_get_child_by_name (self->picture_stack, "placeholder")),
                                "image-x-generic-symbolic");
  self->has_thumbnail = FALSE;
  self->video_thumbnail = FALSE;
}

static void
echoes_clip_card_load_thumbnail (EchoesClipCard *self)
{
  g_autofree char *path = NULL;
  EchoesStore *store;
  const char *image;

  g_assert (self->cancellable == NULL);

  if (self->clip == NULL || self->context == NULL)
    return;

  /* Set even when there is nothing to load: the card does not ask again. */
  self->cancellable = g_cancellable_new ();

  image = echoes_clip_get_image (self->clip);
  store = echoes_context_get_store (self->context);
  if (image == NULL || store == NULL || !(path = echoes_store_resolve (store, image)))
    return;

  echoes_thumbnailer_load_async (echoes_context_get_thumbnailer (self->context),
                                 path,
                                 echoes_clip_get_id (self->clip),
                                 thumbnail_size (self),
                                 self->cancellable,
                                 thumbnail_loaded_cb,
                                 g_object_ref (self));
}

static void
layout_cb (GdkFrameClock  *clock,
           EchoesClipCard *self)
{
  g_clear_signal_handler (&self->layout_handler, clock);

  if (self->cancellable == NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    echoes_clip_card_load_thumbnail (self);
}

/* Loads the thumbnail after the window's next layout if the card is still mapped then:
 * the grid maps each card it builds, and unmaps those out of view when it allocates. */
static void
echoes_clip_card_queue_load (EchoesClipCard *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (clock == NULL || self->layout_handler != 0)
    return;

  /* After the handler GtkRoot connects at realize, which allocates. */
  self->layout_handler = g_signal_connect_object (clock, "layout", G_CALLBACK (layout_cb), self,
                                                  G_CONNECT_AFTER);
  gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_LAYOUT);
}

/* Shows the thumbnail of a new clip or image once the card is on screen. */
static void
echoes_clip_card_reset_thumbnail (EchoesClipCard *self)
{
  echoes_clip_card_clear_thumbnail (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    echoes_clip_card_queue_load (self);
}

static void
clip_notify_cb (EchoesClipCard *self,
                GParamSpec     *pspec,
                EchoesClip     *clip)
{
  if (g_strcmp0 (pspec->name, "image") == 0)
    echoes_clip_card_reset_thumbnail (self);
  else if (g_strcmp0 (pspec->name, "video") == 0 && self->video_thumbnail)
    /* A new video (generated again): its own first frame */
    echoes_clip_card_reset_thumbnail (self);
  else
    {
      echoes_clip_card_update (self);
      if (g_strcmp0 (pspec->name, "status") == 0 || g_strcmp0 (pspec->name, "video") == 0)
        echoes_clip_card_load_video_thumbnail (self);
    }
}

static gboolean
query_tooltip_cb (EchoesClipCard *self,
                  int             x,
                  int             y,
                  gboolean        keyboard,
                  GtkTooltip     *tooltip,
                  GtkWidget      *widget)
{
  g_autofree char *text = NULL;

  if (self->clip == NULL)
    return FALSE;

  if (widget == GTK_WIDGET (self->name_label))
    text = g_strdup (gtk_label_get_label (self->name_label));
  else if (widget == self->status_badge)
    text = g_strdup (self->status_tooltip);
  else if (widget == GTK_WIDGET (self->retry_button))
    /* Translators: the tooltip of the Retry button of a failed clip; %s is the reason */
    text = g_strdup_printf (_("Retry — %s"), self->status_tooltip ? self->status_tooltip : "");
  else if (widget == GTK_WIDGET (self->approve_button))
    text = g_strdup (echoes_clip_get_approved (self->clip) ? _("Approved") : _("Approve"));
  else if (widget == GTK_WIDGET (self->delete_button))
    text = g_strdup (_("Delete"));

  if (text == NULL || *text == '\0')
    return FALSE;

  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
approve_toggled_cb (EchoesClipCard  *self,
                    GtkToggleButton *button)
{
  if (self->updating || self->clip == NULL)
    return;

  gtk_widget_activate_action (GTK_WIDGET (self), "win.set-clip-approved", "(sb)",
                              echoes_clip_get_id (self->clip),
                              gtk_toggle_button_get_active (button));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  EchoesClipCard *self = ECHOES_CLIP_CARD (widget);

  if (self->clip != NULL)
    gtk_widget_activate_action (widget, "win.trash-clip", "s", echoes_clip_get_id (self->clip));
}

static void
forward_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  EchoesClipCard *self = ECHOES_CLIP_CARD (widget);
  const char *target = NULL;

  if (self->clip == NULL)
    return;

  if (g_str_equal (action_name, "card.play"))
    target = "win.open-clip";
  else if (g_str_equal (action_name, "card.regenerate"))
    target = "win.generate-clip";
  else if (g_str_equal (action_name, "card.cancel-generation"))
    target = "win.cancel-clip";
  else if (g_str_equal (action_name, "card.use-ken-burns"))
    target = "win.use-ken-burns";
  else
    g_assert_not_reached ();

  gtk_widget_activate_action (widget, target, "s", echoes_clip_get_id (self->clip));
}

static void
animate_with_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  EchoesClipCard *self = ECHOES_CLIP_CARD (widget);

  if (self->clip != NULL)
    gtk_widget_activate_action (widget, "win.animate-with", "(ss)",
                                echoes_clip_get_id (self->clip),
                                g_variant_get_string (param, NULL));
}

static void
approve_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  EchoesClipCard *self = ECHOES_CLIP_CARD (widget);

  gtk_toggle_button_set_active (self->approve_button,
                                !gtk_toggle_button_get_active (self->approve_button));
}

static void
move_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  EchoesClipCard *self = ECHOES_CLIP_CARD (widget);
  guint position;

  if (self->clip == NULL)
    return;

  position = echoes_clip_get_position (self->clip);
  if (g_str_equal (action_name, "card.move-earlier"))
    {
      if (position == 0)
        return;
      position--;
    }
  else
    position++;

  gtk_widget_activate_action (widget, "win.move-clip", "(su)",
                              echoes_clip_get_id (self->clip), position);
}

static void
show_menu_at (EchoesClipCard *self,
              double          x,
              double          y)
{
  if (self->clip == NULL)
    return;

  /* A GtkPopoverMenu builds every item up front: a card rarely needs its own. */
  if (self->popover == NULL)
    {
      self->popover = gtk_popover_menu_new_from_model (self->context_menu);
      gtk_popover_set_has_arrow (GTK_POPOVER (self->popover), FALSE);
      gtk_widget_set_parent (self->popover, GTK_WIDGET (self));
    }

  gtk_popover_set_pointing_to (GTK_POPOVER (self->popover),
                               &(GdkRectangle) { (int)x, (int)y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->popover));
}

static void
show_menu_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  show_menu_at (ECHOES_CLIP_CARD (widget),
                gtk_widget_get_width (widget) / 2.0,
                gtk_widget_get_height (widget) / 2.0);
}

static void
context_click_cb (EchoesClipCard  *self,
                  int              n_press,
                  double           x,
                  double           y,
                  GtkGestureClick *gesture)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  show_menu_at (self, x, y);
}

static void
long_press_cb (EchoesClipCard     *self,
               double              x,
               double              y,
               GtkGestureLongPress *gesture)
{
  show_menu_at (self, x, y);
}

static GdkContentProvider *
drag_prepare_cb (EchoesClipCard *self,
                 double          x,
                 double          y,
                 GtkDragSource  *source)
{
  g_autoptr(GdkPaintable) icon = NULL;

  if (self->clip == NULL)
    return NULL;

  icon = gtk_widget_paintable_new (GTK_WIDGET (self));
  gtk_drag_source_set_icon (source, icon, (int)x, (int)y);

  /* Only Echoes itself understands this type: the clip (and so its id) moves. */
  return gdk_content_provider_new_typed (ECHOES_TYPE_CLIP, self->clip);
}

static gboolean
drop_cb (EchoesClipCard *self,
         const GValue   *value,
         double          x,
         double          y,
         GtkDropTarget  *target)
{
  EchoesClip *dropped;

  if (self->clip == NULL || !G_VALUE_HOLDS (value, ECHOES_TYPE_CLIP))
    return FALSE;

  dropped = g_value_get_object (value);
  if (dropped == NULL || dropped == self->clip)
    return FALSE;

  gtk_widget_activate_action (GTK_WIDGET (self), "win.move-clip", "(su)",
                              echoes_clip_get_id (dropped),
                              echoes_clip_get_position (self->clip));
  return TRUE;
}

/* The grid maps only the cards in view: a card holds its thumbnail while it is seen. */
static void
echoes_clip_card_map (GtkWidget *widget)
{
  EchoesClipCard *self = ECHOES_CLIP_CARD (widget);

  GTK_WIDGET_CLASS (echoes_clip_card_parent_class)->map (widget);

  if (self->cancellable == NULL)
    echoes_clip_card_queue_load (self);
}

static void
echoes_clip_card_unmap (GtkWidget *widget)
{
  EchoesClipCard *self = ECHOES_CLIP_CARD (widget);

  g_clear_signal_handler (&self->layout_handler, gtk_widget_get_frame_clock (widget));
  echoes_clip_card_clear_thumbnail (self);

  GTK_WIDGET_CLASS (echoes_clip_card_parent_class)->unmap (widget);
}

static void
echoes_clip_card_dispose (GObject *object)
{
  EchoesClipCard *self = (EchoesClipCard *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->popover, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), ECHOES_TYPE_CLIP_CARD);

  G_OBJECT_CLASS (echoes_clip_card_parent_class)->dispose (object);
}

static void
echoes_clip_card_finalize (GObject *object)
{
  EchoesClipCard *self = (EchoesClipCard *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->status_tooltip, g_free);
  g_clear_object (&self->clip_signals);
  g_clear_object (&self->project_signals);
  g_clear_object (&self->clip);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (echoes_clip_card_parent_class)->finalize (object);
}

static void
echoes_clip_card_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  EchoesClipCard *self = ECHOES_CLIP_CARD (object);

  switch (prop_id)
    {
    case PROP_CLIP:
      g_value_set_object (value, self->clip);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_clip_card_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  EchoesClipCard *self = ECHOES_CLIP_CARD (object);

  switch (prop_id)
    {
    case PROP_CLIP:
      echoes_clip_card_set_clip (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_clip_card_class_init (EchoesClipCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = echoes_clip_card_dispose;
  object_class->finalize = echoes_clip_card_finalize;
  object_class->get_property = echoes_clip_card_get_property;
  object_class->set_property = echoes_clip_card_set_property;

  widget_class->map = echoes_clip_card_map;
  widget_class->unmap = echoes_clip_card_unmap;

  properties [PROP_CLIP] =
    g_param_spec_object ("clip", NULL, NULL,
                         ECHOES_TYPE_CLIP,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/echoes-clip-card.ui");
  gtk_widget_class_bind_template_child (widget_class, EchoesClipCard, approve_button);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipCard, bottom_bar);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipCard, context_menu);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipCard, delete_button);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipCard, name_label);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipCard, order_label);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipCard, provider_label);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipCard, overlay);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipCard, picture);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipCard, picture_stack);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipCard, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipCard, retry_button);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipCard, status_badge);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipCard, status_icon);
  gtk_widget_class_bind_template_child (widget_class, EchoesClipCard, status_label);
  gtk_widget_class_bind_template_callback (widget_class, approve_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, query_tooltip_cb);

  gtk_widget_class_install_action (widget_class, "card.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "card.approve", NULL, approve_action);
  gtk_widget_class_install_action (widget_class, "card.move-earlier", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "card.move-later", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "card.show-menu", NULL, show_menu_action);
  gtk_widget_class_install_action (widget_class, "card.play", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "card.regenerate", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "card.cancel-generation", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "card.use-ken-burns", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "card.animate-with", "s", animate_with_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "card.show-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "card.show-menu", NULL);
  /* Here, not only on the window: the leaflet between them takes Alt+← to go back. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.move-clip-left", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Left, GDK_ALT_MASK, "win.move-clip-left", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "win.move-clip-right", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Right, GDK_ALT_MASK, "win.move-clip-right", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "clipcard");
}

static void
echoes_clip_card_init (EchoesClipCard *self)
{
  GtkDragSource *source;
  GtkDropTarget *target;
  GtkGesture *gesture;

  gtk_widget_init_template (GTK_WIDGET (self));
  echoes_ui_fix_button_names (GTK_WIDGET (self));

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect_object (gesture, "pressed", G_CALLBACK (context_click_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_long_press_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (gesture), TRUE);
  g_signal_connect_object (gesture, "pressed", G_CALLBACK (long_press_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  self->clip_signals = g_signal_group_new (ECHOES_TYPE_CLIP);
  g_signal_group_connect_object (self->clip_signals, "notify", G_CALLBACK (clip_notify_cb),
                                 self, G_CONNECT_SWAPPED);
  self->project_signals = g_signal_group_new (ECHOES_TYPE_PROJECT);
  g_signal_group_connect_object (self->project_signals, "notify::provider",
                                 G_CALLBACK (echoes_clip_card_update_provider), self,
                                 G_CONNECT_SWAPPED);

  source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (source, GDK_ACTION_MOVE);
  g_signal_connect_object (source, "prepare", G_CALLBACK (drag_prepare_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (source));

  target = gtk_drop_target_new (ECHOES_TYPE_CLIP, GDK_ACTION_MOVE);
  g_signal_connect_object (target, "drop", G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

/**
 * echoes_clip_card_new:
 * @context: (nullable): where thumbnails and image paths come from
 *
 * Returns: (transfer floating): a new card
 */
GtkWidget *
echoes_clip_card_new (EchoesContext *context)
{
  EchoesClipCard *self;

  g_return_val_if_fail (!context || ECHOES_IS_CONTEXT (context), NULL);

  self = g_object_new (ECHOES_TYPE_CLIP_CARD, NULL);
  g_set_object (&self->context, context);
  /* The app's `active-provider` is the queue's provider. */
  if (context != NULL)
    g_signal_connect_object (echoes_context_get_queue (context), "notify::provider",
                             G_CALLBACK (echoes_clip_card_update_provider), self,
                             G_CONNECT_SWAPPED);
  return GTK_WIDGET (self);
}

/**
 * echoes_clip_card_get_clip:
 *
 * Returns: (transfer none) (nullable): the clip shown
 */
EchoesClip *
echoes_clip_card_get_clip (EchoesClipCard *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP_CARD (self), NULL);
  return self->clip;
}

/**
 * echoes_clip_card_set_clip:
 * @clip: (nullable): the clip to show; %NULL cancels a pending thumbnail
 *
 * Shows @clip; its thumbnail loads in the background while the card is mapped.
 */
void
echoes_clip_card_set_clip (EchoesClipCard *self,
                           EchoesClip     *clip)
{
  g_return_if_fail (ECHOES_IS_CLIP_CARD (self));
  g_return_if_fail (!clip || ECHOES_IS_CLIP (clip));

  if (!g_set_object (&self->clip, clip))
    return;

  g_signal_group_set_target (self->clip_signals, clip);
  g_signal_group_set_target (self->project_signals,
                             clip != NULL && self->context != NULL
                             ? echoes_library_find_project (echoes_context_get_library (self->context),
                                                            echoes_clip_get_project_id (clip))
                             : NULL);
  echoes_clip_card_reset_thumbnail (self);
  echoes_clip_card_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CLIP]);
}

/**
 * echoes_clip_card_has_thumbnail:
 *
 * Returns: whether the thumbnail is shown (it loads in the background, and only
 *   while the card is mapped)
 */
/**
 * echoes_clip_card_has_video_thumbnail:
 *
 * Returns: whether the card shows its clip's first frame (a ready clip, once loaded)
 */
gboolean
echoes_clip_card_has_video_thumbnail (EchoesClipCard *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP_CARD (self), FALSE);

  return self->video_thumbnail;
}

/**
 * echoes_clip_card_get_thumbnail:
 *
 * Returns: (transfer none) (nullable): the picture the card shows
 */
GdkPaintable *
echoes_clip_card_get_thumbnail (EchoesClipCard *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP_CARD (self), NULL);

  return gtk_picture_get_paintable (self->picture);
}

gboolean
echoes_clip_card_has_thumbnail (EchoesClipCard *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP_CARD (self), FALSE);
  return self->has_thumbnail;
}

/**
 * echoes_clip_card_get_provider_badge:
 *
 * Returns: (transfer none): the provider badge's text ("Ken Burns" or "AI", translated)
 */
const char *
echoes_clip_card_get_provider_badge (EchoesClipCard *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP_CARD (self), NULL);

  return gtk_label_get_label (self->provider_label);
}
