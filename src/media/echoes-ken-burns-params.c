/* echoes-ken-burns-params.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-ken-burns-params"

#include "config.h"

#include "echoes-ken-burns.h"
#include "echoes-types.h"
#include "echoes-util.h"

#include <math.h>
#include <string.h>

/* The Ken Burns parameters: defaults, output size, and the string stored in
 * #EchoesClip:motion. */

static const char * const preset_names[] = {
  "auto", "zoom-in", "zoom-out", "pan-left", "pan-right", "pan-up", "pan-down", "custom",
};

static const char * const easing_names[] = {
  "linear", "ease-in-out", "ease-in", "ease-out",
};

/**
 * echoes_ken_burns_params_init:
 * @params: the struct to fill
 *
 * Sets the defaults: auto preset, ease-in-out, zoom 1.25, speed 1, 16:9 1280×720,
 * 30 fps, 5 s, seed 0, face detection on; custom rectangles are the whole photo.
 */
void
echoes_ken_burns_params_init (EchoesKenBurnsParams *params)
{
  g_return_if_fail (params != NULL);

  memset (params, 0, sizeof *params);
  params->preset = ECHOES_KEN_BURNS_PRESET_AUTO;
  params->easing = ECHOES_KEN_BURNS_EASING_IN_OUT;
  params->zoom = ECHOES_KEN_BURNS_DEFAULT_ZOOM;
  params->speed = 1.0;
  params->start = (EchoesKenBurnsRect) { 0, 0, 1, 1 };
  params->end = (EchoesKenBurnsRect) { 0, 0, 1, 1 };
  echoes_ratio_get_clip_size (ECHOES_RATIO_DEFAULT, &params->width, &params->height);
  params->fps = 30;
  params->duration = ECHOES_KEN_BURNS_DEFAULT_DURATION;
  params->seed = 0;
  params->detect_faces = TRUE;
}

/**
 * echoes_ken_burns_params_set_ratio:
 * @params: the params
 * @ratio: the project's ratio: "16:9", "9:16" or "1:1"
 *
 * Sets the output size to the ratio's clip size (echoes_ratio_get_clip_size()): 16:9 →
 * 1280×720, 9:16 → 720×1280, 1:1 → 1080×1080.
 *
 * Returns: %FALSE if @ratio is unknown (the size is left alone)
 */
gboolean
echoes_ken_burns_params_set_ratio (EchoesKenBurnsParams *params,
                                   const char           *ratio)
{
  EchoesRatio value;

  g_return_val_if_fail (params != NULL, FALSE);

  if (!echoes_ratio_from_string (ratio, &value))
    return FALSE;

  echoes_ratio_get_clip_size (value, &params->width, &params->height);
  return TRUE;
}

const char *
echoes_ken_burns_preset_to_string (EchoesKenBurnsPreset preset)
{
  if ((guint)preset < G_N_ELEMENTS (preset_names))
    return preset_names[preset];
  return NULL;
}

gboolean
echoes_ken_burns_preset_from_string (const char           *str,
                                     EchoesKenBurnsPreset *preset)
{
  guint i;

  if (!echoes_names_lookup (preset_names, G_N_ELEMENTS (preset_names), str, &i))
    return FALSE;
  *preset = (EchoesKenBurnsPreset)i;
  return TRUE;
}

const char *
echoes_ken_burns_easing_to_string (EchoesKenBurnsEasing easing)
{
  if ((guint)easing < G_N_ELEMENTS (easing_names))
    return easing_names[easing];
  return NULL;
}

gboolean
echoes_ken_burns_easing_from_string (const char           *str,
                                     EchoesKenBurnsEasing *easing)
{
  guint i;

  if (!echoes_names_lookup (easing_names, G_N_ELEMENTS (easing_names), str, &i))
    return FALSE;
  *easing = (EchoesKenBurnsEasing)i;
  return TRUE;
}

/**
 * echoes_ken_burns_params_to_string:
 * @params: the params
 *
 * Serialises everything but the output size as a GVariant `a{sv}` in text form, e.g.
 * `{'version': <1>, 'preset': <'zoom-in'>, 'zoom': <1.25>, …}`.
 *
 * Returns: (transfer full): the string for #EchoesClip:motion
 */
char *
echoes_ken_burns_params_to_string (const EchoesKenBurnsParams *params)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autoptr(GVariant) variant = NULL;

  g_return_val_if_fail (params != NULL, NULL);

  g_variant_dict_insert (&dict, "version", "i", 1);
  g_variant_dict_insert (&dict, "preset", "s", echoes_ken_burns_preset_to_string (params->preset));
  g_variant_dict_insert (&dict, "easing", "s", echoes_ken_burns_easing_to_string (params->easing));
  g_variant_dict_insert (&dict, "zoom", "d", params->zoom);
  g_variant_dict_insert (&dict, "speed", "d", params->speed);
  g_variant_dict_insert (&dict, "start", "(dddd)", params->start.x, params->start.y,
                         params->start.width, params->start.height);
  g_variant_dict_insert (&dict, "end", "(dddd)", params->end.x, params->end.y,
                         params->end.width, params->end.height);
  g_variant_dict_insert (&dict, "fps", "i", params->fps);
  g_variant_dict_insert (&dict, "duration", "d", params->duration);
  g_variant_dict_insert (&dict, "seed", "u", params->seed);
  g_variant_dict_insert (&dict, "faces", "b", params->detect_faces);

  variant = g_variant_ref_sink (g_variant_dict_end (&dict));
  return g_variant_print (variant, TRUE);
}

static gboolean
rect_is_valid (const EchoesKenBurnsRect *r)
{
  return isfinite (r->x) && isfinite (r->y) && isfinite (r->width) && isfinite (r->height) &&
         r->width > 0 && r->height > 0 &&
         r->x >= -1e-6 && r->y >= -1e-6 &&
         r->x + r->width <= 1 + 1e-6 && r->y + r->height <= 1 + 1e-6;
}

/**
 * echoes_ken_burns_motion_has:
 * @motion: (nullable): a clip's motion string
 * @key: a field of it, e.g. "seed" or "duration"
 *
 * Returns: %TRUE if @motion parses and sets @key
 */
gboolean
echoes_ken_burns_motion_has (const char *motion,
                             const char *key)
{
  g_autoptr(GVariant) variant = NULL;
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  g_return_val_if_fail (key != NULL, FALSE);

  if (motion == NULL || *motion == '\0' ||
      !(variant = g_variant_parse (G_VARIANT_TYPE_VARDICT, motion, NULL, NULL, NULL)))
    return FALSE;

  g_variant_dict_clear (&dict);
  g_variant_dict_init (&dict, variant);
  return g_variant_dict_contains (&dict, key);
}

/**
 * echoes_ken_burns_params_from_string:
 * @params: filled with the defaults, then with what @str holds
 * @str: (nullable): a string from echoes_ken_burns_params_to_string(); %NULL or "" gives
 *   the defaults
 * @error: return location for an error
 *
 * Keys that are missing keep their defaults, unknown keys are ignored. The output size is
 * left at the default; call echoes_ken_burns_params_set_ratio() after.
 *
 * Returns: %FALSE with %ECHOES_KEN_BURNS_ERROR_INVALID if @str can't be parsed or holds
 *   values out of range
 */
gboolean
echoes_ken_burns_params_from_string (EchoesKenBurnsParams  *params,
                                     const char            *str,
                                     GError               **error)
{
  g_autoptr(GVariant) variant = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  const char *s = NULL;
  EchoesKenBurnsParams p;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  echoes_ken_burns_params_init (&p);

  if (str == NULL || *str == '\0')
    {
      *params = p;
      return TRUE;
    }

  if (!(variant = g_variant_parse (G_VARIANT_TYPE_VARDICT, str, NULL, NULL, &local_error)))
    {
      g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_INVALID,
                   "Invalid motion string: %s", local_error->message);
      return FALSE;
    }

  g_variant_dict_init (&dict, variant);

  if (g_variant_dict_lookup (&dict, "preset", "&s", &s) &&
      !echoes_ken_burns_preset_from_string (s, &p.preset))
    goto invalid;
  if (g_variant_dict_lookup (&dict, "easing", "&s", &s) &&
      !echoes_ken_burns_easing_from_string (s, &p.easing))
    goto invalid;
  g_variant_dict_lookup (&dict, "zoom", "d", &p.zoom);
  g_variant_dict_lookup (&dict, "speed", "d", &p.speed);
  g_variant_dict_lookup (&dict, "start", "(dddd)", &p.start.x, &p.start.y,
                         &p.start.width, &p.start.height);
  g_variant_dict_lookup (&dict, "end", "(dddd)", &p.end.x, &p.end.y,
                         &p.end.width, &p.end.height);
  g_variant_dict_lookup (&dict, "fps", "i", &p.fps);
  g_variant_dict_lookup (&dict, "duration", "d", &p.duration);
  g_variant_dict_lookup (&dict, "seed", "u", &p.seed);
  g_variant_dict_lookup (&dict, "faces", "b", &p.detect_faces);

  if (!(p.zoom >= 1.0 && p.zoom <= 3.0) ||
      !(p.speed >= 0.1 && p.speed <= 2.0) ||
      p.fps < 1 || p.fps > 60 ||
      !(p.duration >= 0.1 && p.duration <= 60.0) ||
      !rect_is_valid (&p.start) || !rect_is_valid (&p.end))
    goto invalid;

  *params = p;
  return TRUE;

invalid:
  g_set_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_INVALID,
               "Motion values out of range: %s", str);
  return FALSE;
}

/**
 * echoes_ken_burns_params_get_n_frames:
 *
 * Returns: round (duration × fps), at least 1
 */
guint
echoes_ken_burns_params_get_n_frames (const EchoesKenBurnsParams *params)
{
  g_return_val_if_fail (params != NULL, 0);

  return MAX (1, (guint)lround (params->duration * params->fps));
}
