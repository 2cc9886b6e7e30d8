/* echoes-project.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-project"

#include "config.h"

#include "echoes-project.h"
#include "echoes-enums.h"
#include "echoes-util.h"

/**
 * EchoesProject:
 *
 * A film: a title, its music and (in the store) an ordered list of clips.
 */
struct _EchoesProject
{
  GObject parent_instance;

  char *id; /* (owned) */
  char *title; /* (owned) (nullable) */
  char *music; /* (owned) (nullable) */
  char *ratio; /* (owned) (nullable) */
  char *provider; /* (owned) (nullable): NULL follows the app's `active-provider` */
  EchoesProjectStatus status;
  guint clip_count;
  guint approved_count;
  gint64 created_at;
  gint64 updated_at;
  gboolean synced;
};

G_DEFINE_FINAL_TYPE (EchoesProject, echoes_project, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_MUSIC,
  PROP_RATIO,
  PROP_PROVIDER,
  PROP_STATUS,
  PROP_CLIP_COUNT,
  PROP_APPROVED_COUNT,
  PROP_CREATED_AT,
  PROP_UPDATED_AT,
  PROP_SYNCED,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
echoes_project_finalize (GObject *object)
{
  EchoesProject *self = (EchoesProject *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->music, g_free);
  g_clear_pointer (&self->ratio, g_free);
  g_clear_pointer (&self->provider, g_free);

  G_OBJECT_CLASS (echoes_project_parent_class)->finalize (object);
}

static void
echoes_project_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  EchoesProject *self = ECHOES_PROJECT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_MUSIC:
      g_value_set_string (value, self->music);
      break;

    case PROP_RATIO:
      g_value_set_string (value, self->ratio);
      break;

    case PROP_PROVIDER:
      g_value_set_string (value, self->provider);
      break;

    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;

    case PROP_CLIP_COUNT:
      g_value_set_uint (value, self->clip_count);
      break;

    case PROP_APPROVED_COUNT:
      g_value_set_uint (value, self->approved_count);
      break;

    case PROP_CREATED_AT:
      g_value_set_int64 (value, self->created_at);
      break;

    case PROP_UPDATED_AT:
      g_value_set_int64 (value, self->updated_at);
      break;

    case PROP_SYNCED:
      g_value_set_boolean (value, self->synced);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_project_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  EchoesProject *self = ECHOES_PROJECT (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;

    case PROP_TITLE:
      echoes_project_set_title (self, g_value_get_string (value));
      break;

    case PROP_MUSIC:
      echoes_project_set_music (self, g_value_get_string (value));
      break;

    case PROP_RATIO:
      echoes_project_set_ratio (self, g_value_get_string (value));
      break;

    case PROP_PROVIDER:
      echoes_project_set_provider (self, g_value_get_string (value));
      break;

    case PROP_STATUS:
      echoes_project_set_status (self, g_value_get_enum (value));
      break;

    case PROP_CLIP_COUNT:
      echoes_project_set_clip_count (self, g_value_get_uint (value));
      break;

    case PROP_APPROVED_COUNT:
      echoes_project_set_approved_count (self, g_value_get_uint (value));
      break;

    case PROP_CREATED_AT:
      echoes_project_set_created_at (self, g_value_get_int64 (value));
      break;

    case PROP_UPDATED_AT:
      echoes_project_set_updated_at (self, g_value_get_int64 (value));
      break;

    case PROP_SYNCED:
      echoes_project_set_synced (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_project_class_init (EchoesProjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = echoes_project_finalize;
  object_class->get_property = echoes_project_get_property;
  object_class->set_property = echoes_project_set_property;

  properties [PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties [PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_MUSIC] =
    g_param_spec_string ("music", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_RATIO] =
    g_param_spec_string ("ratio", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /**
   * EchoesProject:provider:
   *
   * The video provider the project's clips are made with ("local" for Ken Burns,
   * "runway" for AI motion), unless a clip chooses its own
   * (EchoesClip:provider-override); %NULL follows the app's `active-provider` setting.
   */
  properties [PROP_PROVIDER] =
    g_param_spec_string ("provider", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, ECHOES_TYPE_PROJECT_STATUS, ECHOES_PROJECT_STATUS_IN_PROGRESS,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_CLIP_COUNT] =
    g_param_spec_uint ("clip-count", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_APPROVED_COUNT] =
    g_param_spec_uint ("approved-count", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_CREATED_AT] =
    g_param_spec_int64 ("created-at", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_UPDATED_AT] =
    g_param_spec_int64 ("updated-at", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /**
   * EchoesProject:synced:
   *
   * %TRUE when the project is kept in the account (synced), %FALSE when it stays on
   * this computer only.
   */
  properties [PROP_SYNCED] =
    g_param_spec_boolean ("synced", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
echoes_project_init (EchoesProject *self)
{
}

EchoesProject *
echoes_project_new (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  return g_object_new (ECHOES_TYPE_PROJECT, "id", id, NULL);
}

/**
 * echoes_project_update_from:
 * @self: a #EchoesProject
 * @other: a #EchoesProject with the same id
 *
 * Copies every stored property of @other into @self, notifying only what changed.
 * Transient state (a clip's progress) is left alone.
 */
void
echoes_project_update_from (EchoesProject *self,
                            EchoesProject *other)
{
  g_return_if_fail (ECHOES_IS_PROJECT (self));
  g_return_if_fail (ECHOES_IS_PROJECT (other));

  g_object_freeze_notify (G_OBJECT (self));
  echoes_project_set_title (self, other->title);
  echoes_project_set_music (self, other->music);
  echoes_project_set_ratio (self, other->ratio);
  echoes_project_set_provider (self, other->provider);
  echoes_project_set_status (self, other->status);
  echoes_project_set_clip_count (self, other->clip_count);
  echoes_project_set_approved_count (self, other->approved_count);
  echoes_project_set_created_at (self, other->created_at);
  echoes_project_set_updated_at (self, other->updated_at);
  echoes_project_set_synced (self, other->synced);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * echoes_project_copy:
 * @self: a #EchoesProject
 *
 * Returns: (transfer full): a new #EchoesProject with the same values, for handing to a
 *   worker thread
 */
EchoesProject *
echoes_project_copy (EchoesProject *self)
{
  EchoesProject *copy;

  g_return_val_if_fail (ECHOES_IS_PROJECT (self), NULL);

  copy = echoes_project_new (self->id);
  echoes_project_update_from (copy, self);
  return copy;
}

const char *
echoes_project_get_id (EchoesProject *self)
{
  g_return_val_if_fail (ECHOES_IS_PROJECT (self), NULL);
  return self->id;
}

const char *
echoes_project_get_title (EchoesProject *self)
{
  g_return_val_if_fail (ECHOES_IS_PROJECT (self), 0);
  return self->title;
}

void
echoes_project_set_title (EchoesProject *self,
                          const char *title)
{
  g_return_if_fail (ECHOES_IS_PROJECT (self));

  if (echoes_set_str (&self->title, title))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_TITLE]);
}

const char *
echoes_project_get_music (EchoesProject *self)
{
  g_return_val_if_fail (ECHOES_IS_PROJECT (self), 0);
  return self->music;
}

void
echoes_project_set_music (EchoesProject *self,
                          const char *music)
{
  g_return_if_fail (ECHOES_IS_PROJECT (self));

  if (echoes_set_str (&self->music, music))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MUSIC]);
}

const char *
echoes_project_get_ratio (EchoesProject *self)
{
  g_return_val_if_fail (ECHOES_IS_PROJECT (self), 0);
  return self->ratio;
}

void
echoes_project_set_ratio (EchoesProject *self,
                          const char *ratio)
{
  g_return_if_fail (ECHOES_IS_PROJECT (self));

  if (echoes_set_str (&self->ratio, ratio))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_RATIO]);
}

/**
 * echoes_project_get_provider:
 * @self: a #EchoesProject
 *
 * Returns: (transfer none) (nullable): the provider's name, %NULL to follow the app's
 *   setting
 */
const char *
echoes_project_get_provider (EchoesProject *self)
{
  g_return_val_if_fail (ECHOES_IS_PROJECT (self), NULL);
  return self->provider;
}

/**
 * echoes_project_set_provider:
 * @self: a #EchoesProject
 * @provider: (nullable): a provider's name, %NULL (or empty) to follow the app's setting
 */
void
echoes_project_set_provider (EchoesProject *self,
                             const char    *provider)
{
  g_return_if_fail (ECHOES_IS_PROJECT (self));

  if (provider != NULL && *provider == '\0')
    provider = NULL;
  if (echoes_set_str (&self->provider, provider))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PROVIDER]);
}

EchoesProjectStatus
echoes_project_get_status (EchoesProject *self)
{
  g_return_val_if_fail (ECHOES_IS_PROJECT (self), 0);
  return self->status;
}

void
echoes_project_set_status (EchoesProject *self,
                           EchoesProjectStatus status)
{
  g_return_if_fail (ECHOES_IS_PROJECT (self));

  if (self->status != status)
    {
      self->status = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STATUS]);
    }
}

guint
echoes_project_get_clip_count (EchoesProject *self)
{
  g_return_val_if_fail (ECHOES_IS_PROJECT (self), 0);
  return self->clip_count;
}

void
echoes_project_set_clip_count (EchoesProject *self,
                               guint clip_count)
{
  g_return_if_fail (ECHOES_IS_PROJECT (self));

  if (self->clip_count != clip_count)
    {
      self->clip_count = clip_count;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CLIP_COUNT]);
    }
}

guint
echoes_project_get_approved_count (EchoesProject *self)
{
  g_return_val_if_fail (ECHOES_IS_PROJECT (self), 0);
  return self->approved_count;
}

void
echoes_project_set_approved_count (EchoesProject *self,
                                   guint approved_count)
{
  g_return_if_fail (ECHOES_IS_PROJECT (self));

  if (self->approved_count != approved_count)
    {
      self->approved_count = approved_count;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_APPROVED_COUNT]);
    }
}

gint64
echoes_project_get_created_at (EchoesProject *self)
{
  g_return_val_if_fail (ECHOES_IS_PROJECT (self), 0);
  return self->created_at;
}

void
echoes_project_set_created_at (EchoesProject *self,
                               gint64 created_at)
{
  g_return_if_fail (ECHOES_IS_PROJECT (self));

  if (self->created_at != created_at)
    {
      self->created_at = created_at;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CREATED_AT]);
    }
}

gint64
echoes_project_get_updated_at (EchoesProject *self)
{
  g_return_val_if_fail (ECHOES_IS_PROJECT (self), 0);
  return self->updated_at;
}

void
echoes_project_set_updated_at (EchoesProject *self,
                               gint64 updated_at)
{
  g_return_if_fail (ECHOES_IS_PROJECT (self));

  if (self->updated_at != updated_at)
    {
      self->updated_at = updated_at;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_UPDATED_AT]);
    }
}

gboolean
echoes_project_get_synced (EchoesProject *self)
{
  g_return_val_if_fail (ECHOES_IS_PROJECT (self), FALSE);
  return self->synced;
}

void
echoes_project_set_synced (EchoesProject *self,
                           gboolean       synced)
{
  g_return_if_fail (ECHOES_IS_PROJECT (self));

  synced = !!synced;
  if (self->synced != synced)
    {
      self->synced = synced;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SYNCED]);
    }
}
