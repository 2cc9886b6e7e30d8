/* echoes-clip.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-clip"

#include "config.h"

#include "echoes-clip.h"
#include "echoes-enums.h"
#include "echoes-util.h"

/**
 * EchoesClip:
 *
 * One photo on a project's timeline and the video made from it.
 *
 * A clip is plain data: the store creates and updates clips, the UI binds to their
 * properties. Paths (`image`, `video`) are relative to the app's data directory so the
 * database can move with it. `motion` is the provider's framing, a GVariant `a{sv}` as text.
 */
struct _EchoesClip
{
  GObject parent_instance;

  char *id; /* (owned) */
  char *project_id; /* (owned) */
  char *image; /* (owned) (nullable) */
  char *source_name; /* (owned) (nullable) */
  char *video; /* (owned) (nullable) */
  EchoesClipStatus status;
  gboolean approved;
  guint position;
  char *provider; /* (owned) (nullable) */
  char *provider_override; /* (owned) (nullable) */
  char *prompt; /* (owned) (nullable) */
  char *error; /* (owned) (nullable) */
  char *motion; /* (owned) (nullable) */
  gint64 capture_time;
  gint64 created_at;
  gint64 updated_at;
  gboolean queued;
  double progress;
};

G_DEFINE_FINAL_TYPE (EchoesClip, echoes_clip, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_PROJECT_ID,
  PROP_IMAGE,
  PROP_SOURCE_NAME,
  PROP_VIDEO,
  PROP_STATUS,
  PROP_APPROVED,
  PROP_POSITION,
  PROP_PROVIDER,
  PROP_PROVIDER_OVERRIDE,
  PROP_PROMPT,
  PROP_ERROR,
  PROP_MOTION,
  PROP_CAPTURE_TIME,
  PROP_CREATED_AT,
  PROP_UPDATED_AT,
  PROP_QUEUED,
  PROP_PROGRESS,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
echoes_clip_finalize (GObject *object)
{
  EchoesClip *self = (EchoesClip *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->project_id, g_free);
  g_clear_pointer (&self->image, g_free);
  g_clear_pointer (&self->source_name, g_free);
  g_clear_pointer (&self->video, g_free);
  g_clear_pointer (&self->provider, g_free);
  g_clear_pointer (&self->provider_override, g_free);
  g_clear_pointer (&self->prompt, g_free);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->motion, g_free);

  G_OBJECT_CLASS (echoes_clip_parent_class)->finalize (object);
}

static void
echoes_clip_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EchoesClip *self = ECHOES_CLIP (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_PROJECT_ID:
      g_value_set_string (value, self->project_id);
      break;

    case PROP_IMAGE:
      g_value_set_string (value, self->image);
      break;

    case PROP_SOURCE_NAME:
      g_value_set_string (value, self->source_name);
      break;

    case PROP_VIDEO:
      g_value_set_string (value, self->video);
      break;

    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;

    case PROP_APPROVED:
      g_value_set_boolean (value, self->approved);
      break;

    case PROP_POSITION:
      g_value_set_uint (value, self->position);
      break;

    case PROP_PROVIDER:
      g_value_set_string (value, self->provider);
      break;

    case PROP_PROVIDER_OVERRIDE:
      g_value_set_string (value, self->provider_override);
      break;

    case PROP_PROMPT:
      g_value_set_string (value, self->prompt);
      break;

    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;

    case PROP_MOTION:
      g_value_set_string (value, self->motion);
      break;

    case PROP_CAPTURE_TIME:
      g_value_set_int64 (value, self->capture_time);
      break;

    case PROP_CREATED_AT:
      g_value_set_int64 (value, self->created_at);
      break;

    case PROP_UPDATED_AT:
      g_value_set_int64 (value, self->updated_at);
      break;

    case PROP_QUEUED:
      g_value_set_boolean (value, self->queued);
      break;

    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_clip_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  EchoesClip *self = ECHOES_CLIP (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;

    case PROP_PROJECT_ID:
      self->project_id = g_value_dup_string (value);
      break;

    case PROP_IMAGE:
      echoes_clip_set_image (self, g_value_get_string (value));
      break;

    case PROP_SOURCE_NAME:
      echoes_clip_set_source_name (self, g_value_get_string (value));
      break;

    case PROP_VIDEO:
      echoes_clip_set_video (self, g_value_get_string (value));
      break;

    case PROP_STATUS:
      echoes_clip_set_status (self, g_value_get_enum (value));
      break;

    case PROP_APPROVED:
      echoes_clip_set_approved (self, g_value_get_boolean (value));
      break;

    case PROP_POSITION:
      echoes_clip_set_position (self, g_value_get_uint (value));
      break;

    case PROP_PROVIDER:
      echoes_clip_set_provider (self, g_value_get_string (value));
      break;

    case PROP_PROVIDER_OVERRIDE:
      echoes_clip_set_provider_override (self, g_value_get_string (value));
      break;

    case PROP_PROMPT:
      echoes_clip_set_prompt (self, g_value_get_string (value));
      break;

    case PROP_ERROR:
      echoes_clip_set_error (self, g_value_get_string (value));
      break;

    case PROP_MOTION:
      echoes_clip_set_motion (self, g_value_get_string (value));
      break;

    case PROP_CAPTURE_TIME:
      echoes_clip_set_capture_time (self, g_value_get_int64 (value));
      break;

    case PROP_CREATED_AT:
      echoes_clip_set_created_at (self, g_value_get_int64 (value));
      break;

    case PROP_UPDATED_AT:
      echoes_clip_set_updated_at (self, g_value_get_int64 (value));
      break;

    case PROP_QUEUED:
      echoes_clip_set_queued (self, g_value_get_boolean (value));
      break;

    case PROP_PROGRESS:
      echoes_clip_set_progress (self, g_value_get_double (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_clip_class_init (EchoesClipClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = echoes_clip_finalize;
  object_class->get_property = echoes_clip_get_property;
  object_class->set_property = echoes_clip_set_property;

  properties [PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties [PROP_PROJECT_ID] =
    g_param_spec_string ("project-id", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties [PROP_IMAGE] =
    g_param_spec_string ("image", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_SOURCE_NAME] =
    g_param_spec_string ("source-name", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_VIDEO] =
    g_param_spec_string ("video", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, ECHOES_TYPE_CLIP_STATUS, ECHOES_CLIP_STATUS_PENDING,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_APPROVED] =
    g_param_spec_boolean ("approved", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_POSITION] =
    g_param_spec_uint ("position", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /**
   * EchoesClip:provider:
   *
   * The provider the clip's last generation ran with (written when a job starts).
   */
  properties [PROP_PROVIDER] =
    g_param_spec_string ("provider", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /**
   * EchoesClip:provider-override:
   *
   * The provider the user chose for this clip ("Animate with"), %NULL to follow its
   * project's (EchoesProject:provider). See echoes_clip_choose_provider().
   */
  properties [PROP_PROVIDER_OVERRIDE] =
    g_param_spec_string ("provider-override", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_PROMPT] =
    g_param_spec_string ("prompt", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_MOTION] =
    g_param_spec_string ("motion", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_CAPTURE_TIME] =
    g_param_spec_int64 ("capture-time", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_CREATED_AT] =
    g_param_spec_int64 ("created-at", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_UPDATED_AT] =
    g_param_spec_int64 ("updated-at", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /**
   * EchoesClip:error:
   *
   * Why generation failed: a code of echoes_clip_failure_to_string(), or free text
   * stored by an older version or the server. Show echoes_clip_get_failure_message(),
   * never this.
   */
  properties [PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /**
   * EchoesClip:queued:
   *
   * Whether the clip waits in the generation queue or is being generated (the store's
   * `queued` column, which the generation queue keeps).
   */
  properties [PROP_QUEUED] =
    g_param_spec_boolean ("queued", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
echoes_clip_init (EchoesClip *self)
{
}

EchoesClip *
echoes_clip_new (const char *id,
                 const char *project_id)
{
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (project_id != NULL, NULL);

  return g_object_new (ECHOES_TYPE_CLIP, "id", id, "project-id", project_id, NULL);
}

/**
 * echoes_clip_update_from:
 * @self: a #EchoesClip
 * @other: a #EchoesClip with the same id
 *
 * Copies every stored property of @other into @self, notifying only what changed.
 * Transient state (a clip's progress) is left alone.
 */
void
echoes_clip_update_from (EchoesClip *self,
                         EchoesClip *other)
{
  g_return_if_fail (ECHOES_IS_CLIP (self));
  g_return_if_fail (ECHOES_IS_CLIP (other));

  g_object_freeze_notify (G_OBJECT (self));
  echoes_clip_set_image (self, other->image);
  echoes_clip_set_source_name (self, other->source_name);
  echoes_clip_set_video (self, other->video);
  echoes_clip_set_status (self, other->status);
  echoes_clip_set_approved (self, other->approved);
  echoes_clip_set_position (self, other->position);
  echoes_clip_set_provider (self, other->provider);
  echoes_clip_set_provider_override (self, other->provider_override);
  echoes_clip_set_prompt (self, other->prompt);
  echoes_clip_set_error (self, other->error);
  echoes_clip_set_motion (self, other->motion);
  echoes_clip_set_capture_time (self, other->capture_time);
  echoes_clip_set_created_at (self, other->created_at);
  echoes_clip_set_updated_at (self, other->updated_at);
  echoes_clip_set_queued (self, other->queued);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * echoes_clip_copy:
 * @self: a #EchoesClip
 *
 * Returns: (transfer full): a new #EchoesClip with the same values, for handing to a
 *   worker thread
 */
EchoesClip *
echoes_clip_copy (EchoesClip *self)
{
  EchoesClip *copy;

  g_return_val_if_fail (ECHOES_IS_CLIP (self), NULL);

  copy = echoes_clip_new (self->id, self->project_id);
  echoes_clip_update_from (copy, self);
  return copy;
}

const char *
echoes_clip_get_id (EchoesClip *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), NULL);
  return self->id;
}

const char *
echoes_clip_get_project_id (EchoesClip *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), NULL);
  return self->project_id;
}

const char *
echoes_clip_get_image (EchoesClip *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), 0);
  return self->image;
}

void
echoes_clip_set_image (EchoesClip *self,
                       const char *image)
{
  g_return_if_fail (ECHOES_IS_CLIP (self));

  if (echoes_set_str (&self->image, image))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_IMAGE]);
}

const char *
echoes_clip_get_source_name (EchoesClip *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), 0);
  return self->source_name;
}

void
echoes_clip_set_source_name (EchoesClip *self,
                             const char *source_name)
{
  g_return_if_fail (ECHOES_IS_CLIP (self));

  if (echoes_set_str (&self->source_name, source_name))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SOURCE_NAME]);
}

const char *
echoes_clip_get_video (EchoesClip *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), 0);
  return self->video;
}

void
echoes_clip_set_video (EchoesClip *self,
                       const char *video)
{
  g_return_if_fail (ECHOES_IS_CLIP (self));

  if (echoes_set_str (&self->video, video))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_VIDEO]);
}

EchoesClipStatus
echoes_clip_get_status (EchoesClip *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), 0);
  return self->status;
}

void
echoes_clip_set_status (EchoesClip *self,
                        EchoesClipStatus status)
{
  g_return_if_fail (ECHOES_IS_CLIP (self));

  if (self->status != status)
    {
      self->status = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STATUS]);
    }
}

gboolean
echoes_clip_get_approved (EchoesClip *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), 0);
  return self->approved;
}

void
echoes_clip_set_approved (EchoesClip *self,
                          gboolean approved)
{
  g_return_if_fail (ECHOES_IS_CLIP (self));

  approved = !!approved;

  if (self->approved != approved)
    {
      self->approved = approved;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_APPROVED]);
    }
}

guint
echoes_clip_get_position (EchoesClip *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), 0);
  return self->position;
}

void
echoes_clip_set_position (EchoesClip *self,
                          guint position)
{
  g_return_if_fail (ECHOES_IS_CLIP (self));

  if (self->position != position)
    {
      self->position = position;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_POSITION]);
    }
}

const char *
echoes_clip_get_provider (EchoesClip *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), 0);
  return self->provider;
}

void
echoes_clip_set_provider (EchoesClip *self,
                          const char *provider)
{
  g_return_if_fail (ECHOES_IS_CLIP (self));

  if (echoes_set_str (&self->provider, provider))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PROVIDER]);
}

/**
 * echoes_clip_get_provider_override:
 * @self: a #EchoesClip
 *
 * Returns: (transfer none) (nullable): the provider chosen for this clip, %NULL to
 *   follow the project
 */
const char *
echoes_clip_get_provider_override (EchoesClip *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), NULL);
  return self->provider_override;
}

/**
 * echoes_clip_set_provider_override:
 * @self: a #EchoesClip
 * @provider: (nullable): a provider's name, %NULL (or empty) to follow the project
 */
void
echoes_clip_set_provider_override (EchoesClip *self,
                                   const char *provider)
{
  g_return_if_fail (ECHOES_IS_CLIP (self));

  if (provider != NULL && *provider == '\0')
    provider = NULL;
  if (echoes_set_str (&self->provider_override, provider))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PROVIDER_OVERRIDE]);
}

/**
 * echoes_clip_choose_provider:
 * @self: a #EchoesClip
 * @project_provider: (nullable): its project's EchoesProject:provider
 * @app_provider: (nullable): the app's `active-provider` (already resolved)
 *
 * The provider the clip is made with: its own choice, else its project's, else the
 * app's. Never substitutes one for another: an unknown name is the caller's failure.
 *
 * Returns: (transfer none) (nullable): the provider's name
 */
const char *
echoes_clip_choose_provider (EchoesClip *self,
                             const char *project_provider,
                             const char *app_provider)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), NULL);

  if (self->provider_override != NULL)
    return self->provider_override;
  if (project_provider != NULL && *project_provider != '\0')
    return project_provider;
  return app_provider;
}

/**
 * echoes_provider_name_is_ai:
 * @name: (nullable): a provider's name
 *
 * Returns: whether @name is an AI provider (anything but the offline "local" Ken Burns),
 *   which costs credits
 */
gboolean
echoes_provider_name_is_ai (const char *name)
{
  return name != NULL && g_strcmp0 (name, "local") != 0;
}

const char *
echoes_clip_get_prompt (EchoesClip *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), 0);
  return self->prompt;
}

void
echoes_clip_set_prompt (EchoesClip *self,
                        const char *prompt)
{
  g_return_if_fail (ECHOES_IS_CLIP (self));

  if (echoes_set_str (&self->prompt, prompt))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PROMPT]);
}

const char *
echoes_clip_get_error (EchoesClip *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), 0);
  return self->error;
}

void
echoes_clip_set_error (EchoesClip *self,
                       const char *error)
{
  g_return_if_fail (ECHOES_IS_CLIP (self));

  if (echoes_set_str (&self->error, error))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ERROR]);
}

/**
 * echoes_clip_get_failure:
 * @self: a #EchoesClip
 *
 * Returns: why generation failed, from EchoesClip:error; %ECHOES_CLIP_FAILURE_UNKNOWN
 *   for free text (stored by an older version or the server)
 */
EchoesClipFailure
echoes_clip_get_failure (EchoesClip *self)
{
  EchoesClipFailure failure = ECHOES_CLIP_FAILURE_UNKNOWN;

  g_return_val_if_fail (ECHOES_IS_CLIP (self), ECHOES_CLIP_FAILURE_NONE);

  if (self->error == NULL || self->error[0] == '\0')
    return ECHOES_CLIP_FAILURE_NONE;

  echoes_clip_failure_from_string (self->error, &failure);
  return failure;
}

/**
 * echoes_clip_set_failure:
 * @self: a #EchoesClip
 * @failure: why generation failed, or %ECHOES_CLIP_FAILURE_NONE
 *
 * Stores @failure's code in EchoesClip:error.
 */
void
echoes_clip_set_failure (EchoesClip        *self,
                         EchoesClipFailure  failure)
{
  g_return_if_fail (ECHOES_IS_CLIP (self));

  echoes_clip_set_error (self, echoes_clip_failure_to_string (failure));
}

/**
 * echoes_clip_get_failure_message:
 * @self: a #EchoesClip
 *
 * Returns: (nullable): the translated sentence to show for the clip's failure, %NULL if
 *   there is none
 */
const char *
echoes_clip_get_failure_message (EchoesClip *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), NULL);

  return echoes_clip_failure_get_message (echoes_clip_get_failure (self));
}

const char *
echoes_clip_get_motion (EchoesClip *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), 0);
  return self->motion;
}

void
echoes_clip_set_motion (EchoesClip *self,
                        const char *motion)
{
  g_return_if_fail (ECHOES_IS_CLIP (self));

  if (echoes_set_str (&self->motion, motion))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MOTION]);
}

/**
 * echoes_clip_dup_motion_with_duration:
 * @self: a clip
 * @seconds: the clip's length
 *
 * The motion string (a GVariant `a{sv}` in text form) with its `duration` set to
 * @seconds; every other key stays as it is. The key is common to every provider that
 * honours motion (#EchoesVideoProviderCapabilities:uses_motion). A motion that cannot
 * be parsed is replaced.
 *
 * Returns: (transfer full): the new motion string
 */
char *
echoes_clip_dup_motion_with_duration (EchoesClip *self,
                                      double      seconds)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autoptr(GVariant) parsed = NULL;
  g_autoptr(GVariant) variant = NULL;

  g_return_val_if_fail (ECHOES_IS_CLIP (self), NULL);

  if (self->motion != NULL && *self->motion != '\0' &&
      (parsed = g_variant_parse (G_VARIANT_TYPE_VARDICT, self->motion, NULL, NULL, NULL)))
    {
      g_variant_dict_clear (&dict);
      g_variant_dict_init (&dict, parsed);
    }

  g_variant_dict_insert (&dict, "duration", "d", seconds);
  variant = g_variant_ref_sink (g_variant_dict_end (&dict));

  return g_variant_print (variant, TRUE);
}

gint64
echoes_clip_get_capture_time (EchoesClip *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), 0);
  return self->capture_time;
}

void
echoes_clip_set_capture_time (EchoesClip *self,
                              gint64 capture_time)
{
  g_return_if_fail (ECHOES_IS_CLIP (self));

  if (self->capture_time != capture_time)
    {
      self->capture_time = capture_time;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CAPTURE_TIME]);
    }
}

gint64
echoes_clip_get_created_at (EchoesClip *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), 0);
  return self->created_at;
}

void
echoes_clip_set_created_at (EchoesClip *self,
                            gint64 created_at)
{
  g_return_if_fail (ECHOES_IS_CLIP (self));

  if (self->created_at != created_at)
    {
      self->created_at = created_at;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CREATED_AT]);
    }
}

gint64
echoes_clip_get_updated_at (EchoesClip *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), 0);
  return self->updated_at;
}

void
echoes_clip_set_updated_at (EchoesClip *self,
                            gint64 updated_at)
{
  g_return_if_fail (ECHOES_IS_CLIP (self));

  if (self->updated_at != updated_at)
    {
      self->updated_at = updated_at;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_UPDATED_AT]);
    }
}

gboolean
echoes_clip_get_queued (EchoesClip *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), FALSE);
  return self->queued;
}

void
echoes_clip_set_queued (EchoesClip *self,
                        gboolean    queued)
{
  g_return_if_fail (ECHOES_IS_CLIP (self));

  queued = !!queued;
  if (self->queued != queued)
    {
      self->queued = queued;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_QUEUED]);
    }
}

double
echoes_clip_get_progress (EchoesClip *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP (self), 0);
  return self->progress;
}

void
echoes_clip_set_progress (EchoesClip *self,
                          double progress)
{
  g_return_if_fail (ECHOES_IS_CLIP (self));

  if (self->progress != progress)
    {
      self->progress = progress;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PROGRESS]);
    }
}
