/* echoes-drop-target.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-drop-target"

#include "config.h"

#include "echoes-drop-target.h"

#include "echoes-clip.h"

/**
 * EchoesDropTarget:
 *
 * Takes files and images dropped from other applications on a widget (see
 * echoes_drop_target_attach()), and hands them on as #EchoesDropTarget::drop-files or
 * #EchoesDropTarget::drop-texture once their data is read.
 *
 * A browser offers the web address of an image along with its pixels: when every
 * dropped file is remote and the drop also holds an image, the image is taken. Drops
 * of the timeline's own clip cards are left to the cards.
 *
 * #EchoesDropTarget:active is %TRUE while an accepted drag hovers over the widget, for
 * its highlight.
 */

struct _EchoesDropTarget
{
  GObject             parent_instance;

  GtkDropTargetAsync *target;       /* (owned) */
  GCancellable       *cancellable;  /* (owned) reads of dropped data */
  gboolean            active;
  gboolean            enabled;
};

G_DEFINE_FINAL_TYPE (EchoesDropTarget, echoes_drop_target, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ACTIVE,
  PROP_ENABLED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  DROP_FILES,
  DROP_TEXTURE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_active (EchoesDropTarget *self,
            gboolean          active)
{
  if (self->active == active)
    return;

  self->active = active;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

static void
emit_files (EchoesDropTarget *self,
            GSList           *list)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);

  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, g_object_ref (l->data));

  g_signal_emit (self, signals[DROP_FILES], 0, files);
}

static gboolean
all_remote (GSList *list)
{
  for (GSList *l = list; l != NULL; l = l->next)
    if (g_file_is_native (l->data))
      return FALSE;
  return list != NULL;
}

/* A drop whose data is being read. */
typedef struct
{
  EchoesDropTarget *self;  /* (owned) */
  GdkDrop          *drop;  /* (owned) */
} DropRead;

static DropRead *
drop_read_new (EchoesDropTarget *self,
               GdkDrop          *drop)
{
  DropRead *read = g_new0 (DropRead, 1);

  read->self = g_object_ref (self);
  read->drop = g_object_ref (drop);
  return read;
}

static void
drop_read_free (DropRead *read)
{
  g_object_unref (read->self);
  g_object_unref (read->drop);
  g_free (read);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DropRead, drop_read_free)

static void
texture_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(DropRead) read = user_data;
  g_autoptr(GError) error = NULL;
  const GValue *value;

  value = gdk_drop_read_value_finish (GDK_DROP (object), result, &error);
  if (value == NULL || !G_VALUE_HOLDS (value, GDK_TYPE_TEXTURE))
    {
      g_debug ("Could not read the dropped image: %s", error ? error->message : "no data");
      gdk_drop_finish (read->drop, 0);
      return;
    }

  g_signal_emit (read->self, signals[DROP_TEXTURE], 0, g_value_get_object (value));
  gdk_drop_finish (read->drop, GDK_ACTION_COPY);
}

static void
files_read_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(DropRead) read = user_data;
  g_autoptr(GError) error = NULL;
  GdkContentFormats *formats = gdk_drop_get_formats (read->drop);
  const GValue *value;
  GSList *list;

  value = gdk_drop_read_value_finish (GDK_DROP (object), result, &error);
  if (value == NULL || !G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      g_debug ("Could not read the dropped files: %s", error ? error->message : "no data");
      gdk_drop_finish (read->drop, 0);
      return;
    }

  list = g_value_get_boxed (value);

  /* Browsers offer the web address of an image and its pixels: take the pixels. */
  if (all_remote (list) && gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE))
    {
      GdkDrop *drop = read->drop;

      gdk_drop_read_value_async (drop, GDK_TYPE_TEXTURE, G_PRIORITY_DEFAULT,
                                 read->self->cancellable, texture_read_cb,
                                 g_steal_pointer (&read));
      return;
    }

  emit_files (read->self, list);
  gdk_drop_finish (read->drop, GDK_ACTION_COPY);
}

static gboolean
accept_cb (EchoesDropTarget   *self,
           GdkDrop            *drop,
           GtkDropTargetAsync *target)
{
  GdkContentFormats *formats = gdk_drop_get_formats (drop);

  if (!self->enabled || gdk_content_formats_contain_gtype (formats, ECHOES_TYPE_CLIP))
    return FALSE;

  return gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST) ||
         gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE);
}

static GdkDragAction
enter_cb (EchoesDropTarget   *self,
          GdkDrop            *drop,
          double              x,
          double              y,
          GtkDropTargetAsync *target)
{
  set_active (self, TRUE);
  return GDK_ACTION_COPY;
}

static void
leave_cb (EchoesDropTarget   *self,
          GdkDrop            *drop,
          GtkDropTargetAsync *target)
{
  set_active (self, FALSE);
}

static gboolean
drop_cb (EchoesDropTarget   *self,
         GdkDrop            *drop,
         double              x,
         double              y,
         GtkDropTargetAsync *target)
{
  GdkContentFormats *formats = gdk_drop_get_formats (drop);

  set_active (self, FALSE);

  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST))
    gdk_drop_read_value_async (drop, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT,
                               self->cancellable, files_read_cb, drop_read_new (self, drop));
  else
    gdk_drop_read_value_async (drop, GDK_TYPE_TEXTURE, G_PRIORITY_DEFAULT,
                               self->cancellable, texture_read_cb, drop_read_new (self, drop));

  return TRUE;
}

static void
echoes_drop_target_dispose (GObject *object)
{
  EchoesDropTarget *self = (EchoesDropTarget *)object;

  /* Reads still running finish their drops as failed. */
  g_cancellable_cancel (self->cancellable);
  if (self->target != NULL)
    g_signal_handlers_disconnect_by_data (self->target, self);
  g_clear_object (&self->target);

  G_OBJECT_CLASS (echoes_drop_target_parent_class)->dispose (object);
}

static void
echoes_drop_target_finalize (GObject *object)
{
  EchoesDropTarget *self = (EchoesDropTarget *)object;

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (echoes_drop_target_parent_class)->finalize (object);
}

static void
echoes_drop_target_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EchoesDropTarget *self = ECHOES_DROP_TARGET (object);

  switch (prop_id)
    {
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;

    case PROP_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_drop_target_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  EchoesDropTarget *self = ECHOES_DROP_TARGET (object);

  switch (prop_id)
    {
    case PROP_ENABLED:
      echoes_drop_target_set_enabled (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_drop_target_class_init (EchoesDropTargetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = echoes_drop_target_dispose;
  object_class->finalize = echoes_drop_target_finalize;
  object_class->get_property = echoes_drop_target_get_property;
  object_class->set_property = echoes_drop_target_set_property;

  /**
   * EchoesDropTarget:active:
   *
   * Whether an accepted drag hovers over the widget.
   */
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * EchoesDropTarget:enabled:
   *
   * Whether drops are accepted at all (for instance, not before the library is open).
   */
  properties[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EchoesDropTarget::drop-files:
   * @files: (element-type GFile): the dropped files
   *
   * Files were dropped.
   */
  signals[DROP_FILES] =
    g_signal_new ("drop-files",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  g_cclosure_marshal_VOID__BOXED,
                  G_TYPE_NONE, 1,
                  G_TYPE_PTR_ARRAY | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * EchoesDropTarget::drop-texture:
   * @texture: the dropped image
   *
   * An image without a file was dropped (from a browser, say).
   */
  signals[DROP_TEXTURE] =
    g_signal_new ("drop-texture",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  g_cclosure_marshal_VOID__OBJECT,
                  G_TYPE_NONE, 1,
                  GDK_TYPE_TEXTURE);
}

static void
echoes_drop_target_init (EchoesDropTarget *self)
{
  g_autoptr(GdkContentFormats) formats = NULL;

  self->enabled = TRUE;
  self->cancellable = g_cancellable_new ();

  formats = gdk_content_formats_new_for_gtype (GDK_TYPE_FILE_LIST);
  formats = gdk_content_formats_union (formats, gdk_content_formats_new_for_gtype (GDK_TYPE_TEXTURE));
  self->target = gtk_drop_target_async_new (g_steal_pointer (&formats), GDK_ACTION_COPY);
  g_signal_connect_object (self->target, "accept", G_CALLBACK (accept_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->target, "drag-enter", G_CALLBACK (enter_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->target, "drag-motion", G_CALLBACK (enter_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->target, "drag-leave", G_CALLBACK (leave_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->target, "drop", G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
}

/**
 * echoes_drop_target_new:
 *
 * Returns: (transfer full): a drop target, enabled, to attach to a widget
 */
EchoesDropTarget *
echoes_drop_target_new (void)
{
  return g_object_new (ECHOES_TYPE_DROP_TARGET, NULL);
}

/**
 * echoes_drop_target_attach:
 * @widget: the widget that takes the drops
 *
 * Takes the drops on @widget from now on. The widget does not keep @self alive: its
 * owner does.
 */
void
echoes_drop_target_attach (EchoesDropTarget *self,
                           GtkWidget        *widget)
{
  g_return_if_fail (ECHOES_IS_DROP_TARGET (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (self->target != NULL);
  g_return_if_fail (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (self->target)) == NULL);

  gtk_widget_add_controller (widget, g_object_ref (GTK_EVENT_CONTROLLER (self->target)));
}

gboolean
echoes_drop_target_get_active (EchoesDropTarget *self)
{
  g_return_val_if_fail (ECHOES_IS_DROP_TARGET (self), FALSE);
  return self->active;
}

gboolean
echoes_drop_target_get_enabled (EchoesDropTarget *self)
{
  g_return_val_if_fail (ECHOES_IS_DROP_TARGET (self), FALSE);
  return self->enabled;
}

void
echoes_drop_target_set_enabled (EchoesDropTarget *self,
                                gboolean          enabled)
{
  g_return_if_fail (ECHOES_IS_DROP_TARGET (self));

  enabled = !!enabled;
  if (self->enabled == enabled)
    return;

  self->enabled = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
}

/**
 * echoes_drop_target_drop_value:
 * @value: a #GDK_TYPE_FILE_LIST or a #GdkTexture
 *
 * What a drop does once its data is read: emits #EchoesDropTarget::drop-files or
 * #EchoesDropTarget::drop-texture. Drops that do not come through GTK (and tests)
 * enter here.
 */
void
echoes_drop_target_drop_value (EchoesDropTarget *self,
                               const GValue     *value)
{
  g_return_if_fail (ECHOES_IS_DROP_TARGET (self));
  g_return_if_fail (value != NULL);

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    emit_files (self, g_value_get_boxed (value));
  else if (G_VALUE_HOLDS (value, GDK_TYPE_TEXTURE) && g_value_get_object (value) != NULL)
    g_signal_emit (self, signals[DROP_TEXTURE], 0, g_value_get_object (value));
  else
    g_critical ("%s: cannot drop a value of type %s", G_STRFUNC, G_VALUE_TYPE_NAME (value));
}
