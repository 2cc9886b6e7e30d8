/* echoes-project-settings.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-project-settings"

#include "config.h"

#include "echoes-project-settings.h"

#include <math.h>
#include <glib/gi18n.h>

#include "echoes-ken-burns.h"
#include "echoes-local-provider.h"
#include "echoes-music.h"
#include "echoes-runway-provider.h"

/* What a project's and a clip's settings may be, checked in one place for the app and
 * echoes-cli: the film's shape, its music and volume, a clip's motion preset, length
 * and prompt. The functions change the objects they are given; the caller saves them
 * (EchoesLibrary in the app, EchoesStore in the CLI) and, for a clip, has it made again. */

G_DEFINE_QUARK (echoes-project-settings-error-quark, echoes_project_settings_error)


/**
 * echoes_project_settings_get_ratios:
 *
 * Returns: (transfer none): the film shapes the app offers, landscape first
 */
const char * const *
echoes_project_settings_get_ratios (void)
{
  return (const char * const *) echoes_ratio_names;
}

/**
 * echoes_project_settings_set_ratio:
 * @project: a project
 * @ratio: "16:9", "9:16" or "1:1"
 * @error: return location for a #GError
 *
 * Sets the film's shape. Clips made for another shape are cropped by the export.
 *
 * Returns: %TRUE, or %FALSE with %ECHOES_PROJECT_SETTINGS_ERROR_RATIO
 */
gboolean
echoes_project_settings_set_ratio (EchoesProject  *project,
                                   const char     *ratio,
                                   GError        **error)
{
  EchoesRatio value;

  g_return_val_if_fail (ECHOES_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (ratio == NULL || !echoes_ratio_from_string (ratio, &value))
    {
      g_set_error (error, ECHOES_PROJECT_SETTINGS_ERROR, ECHOES_PROJECT_SETTINGS_ERROR_RATIO,
                   /* Translators: %s is what was given, then the shapes to choose from */
                   _("“%s” is not a film shape; use 16:9, 9:16 or 1:1"), ratio ? ratio : "");
      return FALSE;
    }

  echoes_project_set_ratio (project, ratio);
  return TRUE;
}

/**
 * echoes_project_settings_set_music_tracks:
 * @project: a project
 * @paths: (array zero-terminated=1): absolute paths of audio files, already probed
 *
 * Makes @paths the project's music, in order, keeping its volume and fade. What the
 * app does once echoes_music_probe_async() accepted the chosen files.
 */
void
echoes_project_settings_set_music_tracks (EchoesProject      *project,
                                          const char * const *paths)
{
  g_autoptr(EchoesMusic) music = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (ECHOES_IS_PROJECT (project));
  g_return_if_fail (paths != NULL && paths[0] != NULL);

  if (!(music = echoes_music_parse (echoes_project_get_music (project), NULL)))
    music = echoes_music_new ();
  g_strfreev (music->tracks);
  music->tracks = g_strdupv ((char **)paths);
  text = echoes_music_format (music);
  echoes_project_set_music (project, text);
}

/**
 * echoes_project_settings_set_music:
 * @project: a project
 * @paths: (array zero-terminated=1): absolute paths of audio files
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Probes @paths and makes them the project's music. Blocks while GStreamer reads the
 * files: call it from a worker thread, or from the CLI.
 *
 * Returns: %TRUE, or %FALSE with an #ECHOES_MUSIC_ERROR naming the file that is
 *   missing or not usable audio; the project keeps its music then
 */
gboolean
echoes_project_settings_set_music (EchoesProject       *project,
                                   const char * const  *paths,
                                   GCancellable        *cancellable,
                                   GError             **error)
{
  g_autoptr(GPtrArray) tracks = NULL;

  g_return_val_if_fail (ECHOES_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (paths != NULL && paths[0] != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(tracks = echoes_music_probe (paths, cancellable, error)))
    return FALSE;

  echoes_project_settings_set_music_tracks (project, paths);
  return TRUE;
}

/**
 * echoes_project_settings_clear_music:
 * @project: a project
 *
 * Takes the music away: the film is silent, its clips at their own lengths.
 */
void
echoes_project_settings_clear_music (EchoesProject *project)
{
  g_return_if_fail (ECHOES_IS_PROJECT (project));

  echoes_project_set_music (project, NULL);
}

/**
 * echoes_project_settings_set_volume:
 * @project: a project
 * @volume: linear gain, 0–2 (1 leaves the music as it is)
 * @error: return location for a #GError
 *
 * Returns: %TRUE, or %FALSE with %ECHOES_PROJECT_SETTINGS_ERROR_VOLUME
 */
gboolean
echoes_project_settings_set_volume (EchoesProject  *project,
                                    double          volume,
                                    GError        **error)
{
  g_autoptr(EchoesMusic) music = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (ECHOES_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!isfinite (volume) || volume < 0.0 || volume > 2.0)
    {
      g_set_error_literal (error, ECHOES_PROJECT_SETTINGS_ERROR,
                           ECHOES_PROJECT_SETTINGS_ERROR_VOLUME,
                           _("The music volume must be between 0 and 2"));
      return FALSE;
    }

  if (!(music = echoes_music_parse (echoes_project_get_music (project), NULL)))
    music = echoes_music_new ();
  music->volume = volume;
  text = echoes_music_format (music);
  echoes_project_set_music (project, text);
  return TRUE;
}

/**
 * echoes_clip_settings_set_motion:
 * @clip: a clip
 * @preset: (nullable): a motion preset ("auto", "zoom-in", "zoom-out", "pan-left",
 *   "pan-right", "pan-up", "pan-down"), or %NULL to keep it
 * @seconds: the clip's length, 2–10 seconds, or NAN to keep it
 * @error: return location for a #GError
 *
 * Changes the clip's motion (EchoesClip:motion), keeping every other value of it: its
 * framing seed, zoom and speed. The clip must then be made again. "custom" is not
 * accepted: its crops come from the clip window's motion editor.
 *
 * Returns: %TRUE, or %FALSE with %ECHOES_PROJECT_SETTINGS_ERROR_MOTION or
 *   %ECHOES_PROJECT_SETTINGS_ERROR_DURATION
 */
gboolean
echoes_clip_settings_set_motion (EchoesClip  *clip,
                                 const char  *preset,
                                 double       seconds,
                                 GError     **error)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autoptr(GVariant) parsed = NULL;
  g_autoptr(GVariant) variant = NULL;
  g_autofree char *text = NULL;
  const char *motion;
  EchoesKenBurnsPreset value;

  g_return_val_if_fail (ECHOES_IS_CLIP (clip), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (preset != NULL &&
      (!echoes_ken_burns_preset_from_string (preset, &value) ||
       value == ECHOES_KEN_BURNS_PRESET_CUSTOM))
    {
      g_set_error (error, ECHOES_PROJECT_SETTINGS_ERROR, ECHOES_PROJECT_SETTINGS_ERROR_MOTION,
                   /* Translators: %s is what was given; the names after it stay in English */
                   _("“%s” is not a motion; use auto, zoom-in, zoom-out, pan-left, pan-right, "
                     "pan-up or pan-down"), preset);
      return FALSE;
    }

  if (!isnan (seconds) &&
      !(seconds >= ECHOES_KEN_BURNS_MIN_DURATION && seconds <= ECHOES_KEN_BURNS_MAX_DURATION))
    {
      g_set_error (error, ECHOES_PROJECT_SETTINGS_ERROR, ECHOES_PROJECT_SETTINGS_ERROR_DURATION,
                   _("A clip lasts from %g to %g seconds"),
                   ECHOES_KEN_BURNS_MIN_DURATION, ECHOES_KEN_BURNS_MAX_DURATION);
      return FALSE;
    }

  motion = echoes_clip_get_motion (clip);
  if (motion != NULL && *motion != '\0' &&
      (parsed = g_variant_parse (G_VARIANT_TYPE_VARDICT, motion, NULL, NULL, NULL)))
    {
      g_variant_dict_clear (&dict);
      g_variant_dict_init (&dict, parsed);
    }

  if (preset != NULL)
    g_variant_dict_insert (&dict, "preset", "s", preset);
  if (!isnan (seconds))
    g_variant_dict_insert (&dict, "duration", "d", seconds);

  variant = g_variant_ref_sink (g_variant_dict_end (&dict));
  text = g_variant_print (variant, TRUE);
  echoes_clip_set_motion (clip, text);
  return TRUE;
}

/**
 * echoes_clip_settings_set_prompt:
 * @clip: a clip
 * @prompt: (nullable): what an AI provider is asked to make of the photo; empty or
 *   %NULL for none
 * @error: return location for a #GError
 *
 * Returns: %TRUE, or %FALSE with %ECHOES_PROJECT_SETTINGS_ERROR_PROMPT when @prompt is
 *   longer than %ECHOES_CLIP_PROMPT_MAX_CHARS characters or not UTF-8
 */
gboolean
echoes_clip_settings_set_prompt (EchoesClip  *clip,
                                 const char  *prompt,
                                 GError     **error)
{
  g_autofree char *stripped = NULL;

  g_return_val_if_fail (ECHOES_IS_CLIP (clip), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (prompt != NULL && !g_utf8_validate (prompt, -1, NULL))
    {
      g_set_error_literal (error, ECHOES_PROJECT_SETTINGS_ERROR,
                           ECHOES_PROJECT_SETTINGS_ERROR_PROMPT,
                           _("The prompt is not valid text"));
      return FALSE;
    }

  stripped = g_strstrip (g_strdup (prompt ? prompt : ""));
  if (g_utf8_strlen (stripped, -1) > ECHOES_CLIP_PROMPT_MAX_CHARS)
    {
      g_set_error (error, ECHOES_PROJECT_SETTINGS_ERROR, ECHOES_PROJECT_SETTINGS_ERROR_PROMPT,
                   _("A prompt has at most %d characters"), ECHOES_CLIP_PROMPT_MAX_CHARS);
      return FALSE;
    }

  echoes_clip_set_prompt (clip, *stripped ? stripped : NULL);
  return TRUE;
}

/* "local" or "runway" → itself; "default" (or %NULL, or empty) → %NULL; else FALSE. */
static gboolean
parse_provider_choice (const char   *choice,
                       const char  **name,
                       GError      **error)
{
  if (choice == NULL || *choice == '\0' || g_str_equal (choice, ECHOES_PROVIDER_CHOICE_DEFAULT))
    {
      *name = NULL;
      return TRUE;
    }
  if (g_str_equal (choice, ECHOES_LOCAL_PROVIDER_NAME) ||
      g_str_equal (choice, ECHOES_RUNWAY_PROVIDER_NAME))
    {
      *name = choice;
      return TRUE;
    }

  g_set_error (error, ECHOES_PROJECT_SETTINGS_ERROR, ECHOES_PROJECT_SETTINGS_ERROR_PROVIDER,
               /* Translators: %s is what was given; keep local, runway and default as they are */
               _("“%s” is not a motion provider; use local, runway or default"), choice);
  return FALSE;
}

/**
 * echoes_project_settings_set_provider:
 * @project: a project
 * @choice: (nullable): "local" (Ken Burns), "runway" (AI) or "default" (follow the app's
 *   `active-provider` setting)
 * @error: return location for a #GError
 *
 * Sets how the project's clips are animated, unless a clip chooses its own.
 *
 * Returns: %TRUE, or %FALSE with %ECHOES_PROJECT_SETTINGS_ERROR_PROVIDER
 */
gboolean
echoes_project_settings_set_provider (EchoesProject  *project,
                                      const char     *choice,
                                      GError        **error)
{
  const char *name;

  g_return_val_if_fail (ECHOES_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!parse_provider_choice (choice, &name, error))
    return FALSE;

  echoes_project_set_provider (project, name);
  return TRUE;
}

/**
 * echoes_clip_settings_set_provider:
 * @clip: a clip
 * @choice: (nullable): "local" (Ken Burns), "runway" (AI) or "default" (follow the
 *   project)
 * @error: return location for a #GError
 *
 * Sets how this clip is animated ("Animate with"). The caller has it made again.
 *
 * Returns: %TRUE, or %FALSE with %ECHOES_PROJECT_SETTINGS_ERROR_PROVIDER
 */
gboolean
echoes_clip_settings_set_provider (EchoesClip  *clip,
                                   const char  *choice,
                                   GError     **error)
{
  const char *name;

  g_return_val_if_fail (ECHOES_IS_CLIP (clip), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!parse_provider_choice (choice, &name, error))
    return FALSE;

  echoes_clip_set_provider_override (clip, name);
  return TRUE;
}
