/* echoes-sync-badge.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-sync-badge"

#include "config.h"

#include <glib/gi18n.h>

#include "echoes-sync-badge.h"

/**
 * EchoesSyncBadge:
 *
 * The small icon of a project row saying whether the project is kept in the account
 * (synced) or on this computer only, with the same words as its accessible name and
 * tooltip (a bound GtkImage could not carry an accessible name).
 */
struct _EchoesSyncBadge
{
  GtkWidget  parent_instance;

  GtkWidget *image;
  gboolean   synced;
};

G_DEFINE_FINAL_TYPE (EchoesSyncBadge, echoes_sync_badge, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SYNCED,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
update (EchoesSyncBadge *self)
{
  const char *text = self->synced ? _("Kept in your account") : _("On this computer only");

  gtk_image_set_from_icon_name (GTK_IMAGE (self->image),
                                self->synced ? "emblem-synchronizing-symbolic"
                                             : "computer-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

static void
echoes_sync_badge_dispose (GObject *object)
{
  EchoesSyncBadge *self = (EchoesSyncBadge *)object;

  g_clear_pointer (&self->image, gtk_widget_unparent);

  G_OBJECT_CLASS (echoes_sync_badge_parent_class)->dispose (object);
}

static void
echoes_sync_badge_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  EchoesSyncBadge *self = ECHOES_SYNC_BADGE (object);

  switch (prop_id)
    {
    case PROP_SYNCED:
      g_value_set_boolean (value, self->synced);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_sync_badge_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  EchoesSyncBadge *self = ECHOES_SYNC_BADGE (object);

  switch (prop_id)
    {
    case PROP_SYNCED:
      echoes_sync_badge_set_synced (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_sync_badge_class_init (EchoesSyncBadgeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = echoes_sync_badge_dispose;
  object_class->get_property = echoes_sync_badge_get_property;
  object_class->set_property = echoes_sync_badge_set_property;

  properties [PROP_SYNCED] =
    g_param_spec_boolean ("synced", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "syncbadge");
}

static void
echoes_sync_badge_init (EchoesSyncBadge *self)
{
  self->image = gtk_image_new ();
  gtk_widget_set_parent (self->image, GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self), "dim-label");
  update (self);
}

GtkWidget *
echoes_sync_badge_new (void)
{
  return g_object_new (ECHOES_TYPE_SYNC_BADGE, NULL);
}

gboolean
echoes_sync_badge_get_synced (EchoesSyncBadge *self)
{
  g_return_val_if_fail (ECHOES_IS_SYNC_BADGE (self), FALSE);
  return self->synced;
}

void
echoes_sync_badge_set_synced (EchoesSyncBadge *self,
                              gboolean         synced)
{
  g_return_if_fail (ECHOES_IS_SYNC_BADGE (self));

  synced = !!synced;
  if (self->synced == synced)
    return;
  self->synced = synced;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SYNCED]);
}
