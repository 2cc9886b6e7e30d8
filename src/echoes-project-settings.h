/* echoes-project-settings.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-clip.h"
#include "echoes-project.h"

G_BEGIN_DECLS

#define ECHOES_PROJECT_SETTINGS_ERROR (echoes_project_settings_error_quark ())

/**
 * EchoesProjectSettingsError:
 * @ECHOES_PROJECT_SETTINGS_ERROR_RATIO: not one of the film shapes the app offers
 * @ECHOES_PROJECT_SETTINGS_ERROR_VOLUME: a music volume outside 0–2
 * @ECHOES_PROJECT_SETTINGS_ERROR_DURATION: a clip length outside what the app offers
 * @ECHOES_PROJECT_SETTINGS_ERROR_MOTION: an unknown motion preset
 * @ECHOES_PROJECT_SETTINGS_ERROR_PROMPT: a prompt longer than the store keeps
 * @ECHOES_PROJECT_SETTINGS_ERROR_PROVIDER: not a motion provider the app knows
 *
 * The messages are translated: they can be shown as they are. On any of them nothing
 * was changed.
 */
typedef enum
{
  ECHOES_PROJECT_SETTINGS_ERROR_RATIO,
  ECHOES_PROJECT_SETTINGS_ERROR_VOLUME,
  ECHOES_PROJECT_SETTINGS_ERROR_DURATION,
  ECHOES_PROJECT_SETTINGS_ERROR_MOTION,
  ECHOES_PROJECT_SETTINGS_ERROR_PROMPT,
  ECHOES_PROJECT_SETTINGS_ERROR_PROVIDER,
} EchoesProjectSettingsError;

/* The choice that follows the next level up (the project's for a clip, the app's
 * `active-provider` for a project). */
#define ECHOES_PROVIDER_CHOICE_DEFAULT "default"

/* The longest prompt a clip keeps, in characters. */
#define ECHOES_CLIP_PROMPT_MAX_CHARS 1000

GQuark              echoes_project_settings_error_quark (void);

const char * const *echoes_project_settings_get_ratios  (void);
gboolean            echoes_project_settings_set_ratio   (EchoesProject       *project,
                                                         const char          *ratio,
                                                         GError             **error);
gboolean            echoes_project_settings_set_music   (EchoesProject       *project,
                                                         const char * const  *paths,
                                                         GCancellable        *cancellable,
                                                         GError             **error);
void                echoes_project_settings_set_music_tracks (EchoesProject  *project,
                                                              const char * const *paths);
void                echoes_project_settings_clear_music (EchoesProject       *project);
gboolean            echoes_project_settings_set_volume  (EchoesProject       *project,
                                                         double               volume,
                                                         GError             **error);
gboolean            echoes_project_settings_set_provider (EchoesProject      *project,
                                                          const char         *choice,
                                                          GError            **error);

gboolean            echoes_clip_settings_set_motion     (EchoesClip          *clip,
                                                         const char          *preset,
                                                         double               seconds,
                                                         GError             **error);
gboolean            echoes_clip_settings_set_prompt     (EchoesClip          *clip,
                                                         const char          *prompt,
                                                         GError             **error);
gboolean            echoes_clip_settings_set_provider   (EchoesClip          *clip,
                                                         const char          *choice,
                                                         GError             **error);

G_END_DECLS
