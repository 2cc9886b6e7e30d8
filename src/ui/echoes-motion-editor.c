/* echoes-motion-editor.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-motion-editor"

#include "config.h"

#include "echoes-motion-editor.h"
#include "echoes-ui-util.h"

#include <glib/gi18n.h>

#include "echoes-ken-burns.h"
#include "echoes-types.h"

/**
 * EchoesMotionEditor:
 *
 * Edits a clip's Ken Burns motion (EchoesClip:motion): a preset, the zoom and speed, and
 * the first and last frame as rectangles over the photo (green: first, orange: last).
 * Dragging a rectangle moves it, dragging its bottom-right corner resizes it; either
 * switches to the "custom" preset. The rectangles always keep the film's aspect and stay
 * inside the photo, exactly as the renderer will use them (echoes_ken_burns_plan()).
 *
 * Emits #EchoesMotionEditor::motion-changed with the new motion string; it owns nothing
 * else (the caller stores it).
 */
struct _EchoesMotionEditor
{
  GtkWidget             parent_instance;

  GtkWidget            *box;
  GtkPicture           *picture;
  GtkDropDown          *preset;
  GtkScale             *speed;
  GtkScale             *zoom;

  EchoesKenBurnsParams  params;
  char                 *ratio;
  EchoesKenBurnsRect    rects[2];     /* start, end; photo pixels */
  int                   drag_index;   /* -1: none */
  gboolean              drag_resize;
  EchoesKenBurnsRect    drag_origin;
  gboolean              updating;
};

enum {
  PROP_0,
  PROP_PAINTABLE,
  PROP_RATIO,
  PROP_MOTION,
  N_PROPS
};

enum {
  MOTION_CHANGED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (EchoesMotionEditor, echoes_motion_editor, GTK_TYPE_WIDGET)

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

#define HANDLE_SIZE 16.0

static gboolean
photo_size (EchoesMotionEditor *self,
            double             *w,
            double             *h)
{
  GdkPaintable *paintable = gtk_picture_get_paintable (self->picture);

  if (paintable == NULL)
    return FALSE;

  *w = gdk_paintable_get_intrinsic_width (paintable);
  *h = gdk_paintable_get_intrinsic_height (paintable);
  return *w > 0 && *h > 0;
}

/* Photo pixels → editor coordinates: the picture shows the photo "contain"-fitted. */
static gboolean
photo_transform (EchoesMotionEditor *self,
                 double             *scale,
                 double             *ox,
                 double             *oy)
{
  graphene_rect_t bounds;
  double pw, ph;

  if (!photo_size (self, &pw, &ph) ||
      !gtk_widget_compute_bounds (GTK_WIDGET (self->picture), GTK_WIDGET (self), &bounds))
    return FALSE;

  *scale = MIN (bounds.size.width / pw, bounds.size.height / ph);
  *ox = bounds.origin.x + (bounds.size.width - pw * *scale) / 2;
  *oy = bounds.origin.y + (bounds.size.height - ph * *scale) / 2;
  return *scale > 0;
}

static void
update_rects (EchoesMotionEditor *self)
{
  double pw, ph;

  if (photo_size (self, &pw, &ph))
    echoes_ken_burns_plan (&self->params, pw, ph, NULL, 0, NULL, &self->rects[0], &self->rects[1]);

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
sync_controls (EchoesMotionEditor *self)
{
  self->updating = TRUE;
  gtk_drop_down_set_selected (self->preset, self->params.preset);
  gtk_range_set_value (GTK_RANGE (self->zoom), self->params.zoom);
  gtk_range_set_value (GTK_RANGE (self->speed), self->params.speed);
  self->updating = FALSE;
}

static void
emit_changed (EchoesMotionEditor *self)
{
  g_autofree char *motion = echoes_ken_burns_params_to_string (&self->params);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MOTION]);
  g_signal_emit (self, signals [MOTION_CHANGED], 0, motion);
}

/* Stores the shown rectangles as the custom ones, relative to the photo. */
static void
store_custom_rects (EchoesMotionEditor *self)
{
  EchoesKenBurnsRect *rel[2] = { &self->params.start, &self->params.end };
  double pw, ph;

  if (!photo_size (self, &pw, &ph))
    return;

  for (guint i = 0; i < 2; i++)
    *rel[i] = (EchoesKenBurnsRect) { self->rects[i].x / pw, self->rects[i].y / ph,
                                     self->rects[i].width / pw, self->rects[i].height / ph };
  self->params.preset = ECHOES_KEN_BURNS_PRESET_CUSTOM;
}

static void
preset_changed_cb (EchoesMotionEditor *self)
{
  guint selected = gtk_drop_down_get_selected (self->preset);

  if (self->updating || selected == GTK_INVALID_LIST_POSITION)
    return;

  /* Custom starts from what the previous preset showed. */
  if (selected == ECHOES_KEN_BURNS_PRESET_CUSTOM)
    store_custom_rects (self);
  else
    self->params.preset = (EchoesKenBurnsPreset)selected;

  update_rects (self);
  emit_changed (self);
}

static void
scale_changed_cb (EchoesMotionEditor *self)
{
  if (self->updating)
    return;

  self->params.zoom = gtk_range_get_value (GTK_RANGE (self->zoom));
  self->params.speed = gtk_range_get_value (GTK_RANGE (self->speed));
  update_rects (self);
  emit_changed (self);
}

static void
drag_begin_cb (EchoesMotionEditor *self,
               double              x,
               double              y,
               GtkGestureDrag     *gesture)
{
  double s, ox, oy;

  self->drag_index = -1;
  if (!photo_transform (self, &s, &ox, &oy))
    return;

  /* The last frame is drawn on top, so it is hit first. */
  for (int i = 1; i >= 0; i--)
    {
      const EchoesKenBurnsRect *r = &self->rects[i];
      double x0 = ox + r->x * s, y0 = oy + r->y * s;
      double x1 = x0 + r->width * s, y1 = y0 + r->height * s;

      if (x >= x0 && x <= x1 + HANDLE_SIZE / 2 && y >= y0 && y <= y1 + HANDLE_SIZE / 2)
        {
          self->drag_index = i;
          self->drag_resize = x >= x1 - HANDLE_SIZE && y >= y1 - HANDLE_SIZE;
          self->drag_origin = *r;
          gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
          return;
        }
    }

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
}

static void
drag_update_cb (EchoesMotionEditor *self,
                double              dx,
                double              dy,
                GtkGestureDrag     *gesture)
{
  EchoesKenBurnsRect r;
  double s, ox, oy, pw, ph, aspect;

  if (self->drag_index < 0 || !photo_transform (self, &s, &ox, &oy) || !photo_size (self, &pw, &ph))
    return;

  r = self->drag_origin;
  aspect = r.width / r.height;

  if (self->drag_resize)
    {
      /* Keep the aspect and the top-left corner; stay inside the photo. */
      r.width = MAX (r.width + MAX (dx, dy * aspect) / s, pw * 0.1);
      r.width = MIN (r.width, MIN (pw - r.x, (ph - r.y) * aspect));
      r.height = r.width / aspect;
    }
  else
    {
      r.x = CLAMP (r.x + dx / s, 0, pw - r.width);
      r.y = CLAMP (r.y + dy / s, 0, ph - r.height);
    }

  self->rects[self->drag_index] = r;
  store_custom_rects (self);
  sync_controls (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
drag_end_cb (EchoesMotionEditor *self,
             double              dx,
             double              dy,
             GtkGestureDrag     *gesture)
{
  if (self->drag_index < 0)
    return;

  self->drag_index = -1;
  update_rects (self);
  emit_changed (self);
}

static void
echoes_motion_editor_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  EchoesMotionEditor *self = ECHOES_MOTION_EDITOR (widget);
  static const GdkRGBA colors[2] = {
    { 0.15f, 0.64f, 0.41f, 1.0f },  /* first frame: green */
    { 0.90f, 0.38f, 0.00f, 1.0f },  /* last frame: orange */
  };
  double s, ox, oy;

  GTK_WIDGET_CLASS (echoes_motion_editor_parent_class)->snapshot (widget, snapshot);

  if (!photo_transform (self, &s, &ox, &oy))
    return;

  for (guint i = 0; i < 2; i++)
    {
      const EchoesKenBurnsRect *r = &self->rects[i];
      const float widths[4] = { 2, 2, 2, 2 };
      const GdkRGBA c[4] = { colors[i], colors[i], colors[i], colors[i] };
      graphene_rect_t bounds = GRAPHENE_RECT_INIT ((float)(ox + r->x * s), (float)(oy + r->y * s),
                                                   (float)(r->width * s), (float)(r->height * s));
      graphene_rect_t handle = GRAPHENE_RECT_INIT (bounds.origin.x + bounds.size.width - 8,
                                                   bounds.origin.y + bounds.size.height - 8,
                                                   8, 8);
      GskRoundedRect outline;

      gsk_rounded_rect_init_from_rect (&outline, &bounds, 0);
      gtk_snapshot_append_border (snapshot, &outline, widths, c);
      gtk_snapshot_append_color (snapshot, &colors[i], &handle);
    }
}

static void
echoes_motion_editor_dispose (GObject *object)
{
  EchoesMotionEditor *self = (EchoesMotionEditor *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), ECHOES_TYPE_MOTION_EDITOR);

  G_OBJECT_CLASS (echoes_motion_editor_parent_class)->dispose (object);
}

static void
echoes_motion_editor_finalize (GObject *object)
{
  EchoesMotionEditor *self = (EchoesMotionEditor *)object;

  g_clear_pointer (&self->ratio, g_free);

  G_OBJECT_CLASS (echoes_motion_editor_parent_class)->finalize (object);
}

static void
echoes_motion_editor_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  EchoesMotionEditor *self = ECHOES_MOTION_EDITOR (object);

  switch (prop_id)
    {
    case PROP_PAINTABLE:
      g_value_set_object (value, echoes_motion_editor_get_paintable (self));
      break;

    case PROP_RATIO:
      g_value_set_string (value, self->ratio);
      break;

    case PROP_MOTION:
      g_value_take_string (value, echoes_motion_editor_dup_motion (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_motion_editor_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  EchoesMotionEditor *self = ECHOES_MOTION_EDITOR (object);

  switch (prop_id)
    {
    case PROP_PAINTABLE:
      echoes_motion_editor_set_paintable (self, g_value_get_object (value));
      break;

    case PROP_RATIO:
      echoes_motion_editor_set_ratio (self, g_value_get_string (value));
      break;

    case PROP_MOTION:
      echoes_motion_editor_set_motion (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_motion_editor_class_init (EchoesMotionEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = echoes_motion_editor_dispose;
  object_class->finalize = echoes_motion_editor_finalize;
  object_class->get_property = echoes_motion_editor_get_property;
  object_class->set_property = echoes_motion_editor_set_property;

  widget_class->snapshot = echoes_motion_editor_snapshot;

  properties [PROP_PAINTABLE] =
    g_param_spec_object ("paintable", NULL, NULL, GDK_TYPE_PAINTABLE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties [PROP_RATIO] =
    g_param_spec_string ("ratio", NULL, NULL, echoes_ratio_to_string (ECHOES_RATIO_DEFAULT),
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties [PROP_MOTION] =
    g_param_spec_string ("motion", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EchoesMotionEditor::motion-changed:
   * @self: the editor
   * @motion: the new motion string, for EchoesClip:motion
   *
   * Emitted when the user changed the motion (not when it is set from code).
   */
  signals [MOTION_CHANGED] =
    g_signal_new ("motion-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/echoes-motion-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, EchoesMotionEditor, box);
  gtk_widget_class_bind_template_child (widget_class, EchoesMotionEditor, picture);
  gtk_widget_class_bind_template_child (widget_class, EchoesMotionEditor, preset);
  gtk_widget_class_bind_template_child (widget_class, EchoesMotionEditor, speed);
  gtk_widget_class_bind_template_child (widget_class, EchoesMotionEditor, zoom);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "echoes-motion-editor");
}

static void
echoes_motion_editor_init (EchoesMotionEditor *self)
{
  GtkGesture *drag;

  gtk_widget_init_template (GTK_WIDGET (self));
  echoes_ui_fix_button_names (GTK_WIDGET (self));

  echoes_ken_burns_params_init (&self->params);
  self->ratio = g_strdup (echoes_ratio_to_string (ECHOES_RATIO_DEFAULT));
  self->drag_index = -1;
  sync_controls (self);

  g_signal_connect_object (self->preset, "notify::selected", G_CALLBACK (preset_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->zoom, "value-changed", G_CALLBACK (scale_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->speed, "value-changed", G_CALLBACK (scale_changed_cb),
                           self, G_CONNECT_SWAPPED);

  drag = gtk_gesture_drag_new ();
  g_signal_connect_object (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (drag, "drag-update", G_CALLBACK (drag_update_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (drag, "drag-end", G_CALLBACK (drag_end_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
}

GtkWidget *
echoes_motion_editor_new (void)
{
  return g_object_new (ECHOES_TYPE_MOTION_EDITOR, NULL);
}

/**
 * echoes_motion_editor_get_paintable:
 *
 * Returns: (transfer none) (nullable): the photo shown
 */
GdkPaintable *
echoes_motion_editor_get_paintable (EchoesMotionEditor *self)
{
  g_return_val_if_fail (ECHOES_IS_MOTION_EDITOR (self), NULL);

  return gtk_picture_get_paintable (self->picture);
}

/**
 * echoes_motion_editor_set_paintable:
 * @paintable: (nullable): the photo, e.g. a texture from the thumbnailer (its intrinsic
 *   size only needs the photo's aspect ratio)
 */
void
echoes_motion_editor_set_paintable (EchoesMotionEditor *self,
                                    GdkPaintable       *paintable)
{
  g_return_if_fail (ECHOES_IS_MOTION_EDITOR (self));
  g_return_if_fail (!paintable || GDK_IS_PAINTABLE (paintable));

  if (gtk_picture_get_paintable (self->picture) == paintable)
    return;

  gtk_picture_set_paintable (self->picture, paintable);
  update_rects (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PAINTABLE]);
}

const char *
echoes_motion_editor_get_ratio (EchoesMotionEditor *self)
{
  g_return_val_if_fail (ECHOES_IS_MOTION_EDITOR (self), NULL);

  return self->ratio;
}

/**
 * echoes_motion_editor_set_ratio:
 * @ratio: the project's ratio ("16:9", "9:16", "1:1"); the rectangles take its shape
 */
void
echoes_motion_editor_set_ratio (EchoesMotionEditor *self,
                                const char         *ratio)
{
  g_return_if_fail (ECHOES_IS_MOTION_EDITOR (self));

  if (ratio == NULL || g_strcmp0 (self->ratio, ratio) == 0 ||
      !echoes_ken_burns_params_set_ratio (&self->params, ratio))
    return;

  g_free (self->ratio);
  self->ratio = g_strdup (ratio);
  update_rects (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_RATIO]);
}

/**
 * echoes_motion_editor_dup_motion:
 *
 * Returns: (transfer full): the motion string being edited
 */
char *
echoes_motion_editor_dup_motion (EchoesMotionEditor *self)
{
  g_return_val_if_fail (ECHOES_IS_MOTION_EDITOR (self), NULL);

  return echoes_ken_burns_params_to_string (&self->params);
}

/**
 * echoes_motion_editor_set_motion:
 * @motion: (nullable): a clip's motion string; %NULL or invalid gives the defaults
 */
void
echoes_motion_editor_set_motion (EchoesMotionEditor *self,
                                 const char         *motion)
{
  g_autoptr(GError) error = NULL;
  int width, height;

  g_return_if_fail (ECHOES_IS_MOTION_EDITOR (self));

  width = self->params.width;
  height = self->params.height;
  if (!echoes_ken_burns_params_from_string (&self->params, motion, &error))
    {
      g_debug ("Ignoring motion: %s", error->message);
      echoes_ken_burns_params_init (&self->params);
    }
  self->params.width = width;
  self->params.height = height;

  sync_controls (self);
  update_rects (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MOTION]);
}
