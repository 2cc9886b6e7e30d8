/* echoes-ken-burns.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

#define ECHOES_KEN_BURNS_ERROR (echoes_ken_burns_error_quark ())

/**
 * EchoesKenBurnsError:
 * @ECHOES_KEN_BURNS_ERROR_FAILED: GStreamer or the disk failed
 * @ECHOES_KEN_BURNS_ERROR_INVALID: the parameters or the motion string make no sense
 * @ECHOES_KEN_BURNS_ERROR_IMAGE: the photo could not be read
 * @ECHOES_KEN_BURNS_ERROR_MISSING_PLUGIN: a GStreamer element (x264enc, mp4mux) is missing
 */
typedef enum
{
  ECHOES_KEN_BURNS_ERROR_FAILED,
  ECHOES_KEN_BURNS_ERROR_INVALID,
  ECHOES_KEN_BURNS_ERROR_IMAGE,
  ECHOES_KEN_BURNS_ERROR_MISSING_PLUGIN,
} EchoesKenBurnsError;

/**
 * EchoesKenBurnsPreset:
 * @ECHOES_KEN_BURNS_PRESET_AUTO: chosen from the photo's shape (see echoes_ken_burns_plan())
 * @ECHOES_KEN_BURNS_PRESET_ZOOM_IN: from the largest crop towards the focus
 * @ECHOES_KEN_BURNS_PRESET_ZOOM_OUT: from the focus out to the largest crop
 * @ECHOES_KEN_BURNS_PRESET_PAN_LEFT: the view travels from right to left
 * @ECHOES_KEN_BURNS_PRESET_PAN_RIGHT: the view travels from left to right
 * @ECHOES_KEN_BURNS_PRESET_PAN_UP: the view travels from bottom to top
 * @ECHOES_KEN_BURNS_PRESET_PAN_DOWN: the view travels from top to bottom
 * @ECHOES_KEN_BURNS_PRESET_CUSTOM: the start and end rectangles of the params are used
 */
typedef enum
{
  ECHOES_KEN_BURNS_PRESET_AUTO,
  ECHOES_KEN_BURNS_PRESET_ZOOM_IN,
  ECHOES_KEN_BURNS_PRESET_ZOOM_OUT,
  ECHOES_KEN_BURNS_PRESET_PAN_LEFT,
  ECHOES_KEN_BURNS_PRESET_PAN_RIGHT,
  ECHOES_KEN_BURNS_PRESET_PAN_UP,
  ECHOES_KEN_BURNS_PRESET_PAN_DOWN,
  ECHOES_KEN_BURNS_PRESET_CUSTOM,
} EchoesKenBurnsPreset;

/**
 * EchoesKenBurnsEasing:
 * @ECHOES_KEN_BURNS_EASING_LINEAR: constant speed
 * @ECHOES_KEN_BURNS_EASING_IN_OUT: cubic smoothstep: starts and stops gently (default)
 * @ECHOES_KEN_BURNS_EASING_IN: starts gently
 * @ECHOES_KEN_BURNS_EASING_OUT: stops gently
 */
typedef enum
{
  ECHOES_KEN_BURNS_EASING_LINEAR,
  ECHOES_KEN_BURNS_EASING_IN_OUT,
  ECHOES_KEN_BURNS_EASING_IN,
  ECHOES_KEN_BURNS_EASING_OUT,
} EchoesKenBurnsEasing;

/**
 * EchoesKenBurnsRect:
 *
 * A rectangle. In #EchoesKenBurnsParams it is relative to the photo (0–1); the framing
 * functions work in photo pixels (sub-pixel, so doubles).
 */
typedef struct
{
  double x;
  double y;
  double width;
  double height;
} EchoesKenBurnsRect;

#define ECHOES_KEN_BURNS_DEFAULT_ZOOM     1.25
#define ECHOES_KEN_BURNS_DEFAULT_DURATION 5.0
#define ECHOES_KEN_BURNS_MIN_DURATION     2.0
#define ECHOES_KEN_BURNS_MAX_DURATION     10.0

/**
 * EchoesKenBurnsParams:
 * @preset: the kind of motion
 * @easing: how the motion speeds up and slows down
 * @zoom: how far zoom presets zoom, 1.0–3.0 (1.25 = the crop shrinks to 1/1.25)
 * @speed: 0.1–2.0, scales the amount of motion in the clip's duration: zoom presets zoom
 *   by 1 + (@zoom - 1) × @speed; pans travel min (1, @speed) of the room they have
 * @start: (custom preset) first crop, relative to the photo
 * @end: (custom preset) last crop, relative to the photo
 * @width: output width in pixels (even); see echoes_ken_burns_params_set_ratio()
 * @height: output height in pixels (even)
 * @fps: 24 or 30 (any 1–60 is accepted)
 * @duration: seconds; the app offers 2–10, the renderer accepts 0.1–60
 * @seed: picks among equally good framings; the same seed gives the same crops
 * @detect_faces: run GStreamer's facedetect (if installed) to keep faces in every frame
 *
 * A plain struct, stored in #EchoesClip:motion through
 * echoes_ken_burns_params_to_string(). The output size is not part of the stored string:
 * it follows the project's ratio.
 */
typedef struct
{
  EchoesKenBurnsPreset preset;
  EchoesKenBurnsEasing easing;
  double               zoom;
  double               speed;
  EchoesKenBurnsRect   start;
  EchoesKenBurnsRect   end;
  int                  width;
  int                  height;
  int                  fps;
  double               duration;
  guint32              seed;
  gboolean             detect_faces;
} EchoesKenBurnsParams;

/**
 * EchoesKenBurnsProgress:
 * @fraction: 0–1
 * @user_data: closure
 *
 * Called from the rendering thread.
 */
typedef void (*EchoesKenBurnsProgress) (double   fraction,
                                        gpointer user_data);

GQuark                echoes_ken_burns_error_quark          (void);

void                  echoes_ken_burns_params_init          (EchoesKenBurnsParams        *params);
gboolean              echoes_ken_burns_params_set_ratio     (EchoesKenBurnsParams        *params,
                                                             const char                  *ratio);
char                 *echoes_ken_burns_params_to_string     (const EchoesKenBurnsParams  *params);
gboolean              echoes_ken_burns_motion_has           (const char                  *motion,
                                                             const char                  *key);
gboolean              echoes_ken_burns_params_from_string   (EchoesKenBurnsParams        *params,
                                                             const char                  *str,
                                                             GError                     **error);
guint                 echoes_ken_burns_params_get_n_frames  (const EchoesKenBurnsParams  *params);

const char           *echoes_ken_burns_preset_to_string     (EchoesKenBurnsPreset         preset);
gboolean              echoes_ken_burns_preset_from_string   (const char                  *str,
                                                             EchoesKenBurnsPreset        *preset);
const char           *echoes_ken_burns_easing_to_string     (EchoesKenBurnsEasing         easing);
gboolean              echoes_ken_burns_easing_from_string   (const char                  *str,
                                                             EchoesKenBurnsEasing        *easing);
double                echoes_ken_burns_ease                 (EchoesKenBurnsEasing         easing,
                                                             double                       t);

gboolean              echoes_ken_burns_plan                 (const EchoesKenBurnsParams  *params,
                                                             double                       photo_width,
                                                             double                       photo_height,
                                                             const EchoesKenBurnsRect    *faces,
                                                             guint                        n_faces,
                                                             const EchoesKenBurnsRect    *detail,
                                                             EchoesKenBurnsRect          *start,
                                                             EchoesKenBurnsRect          *end);
EchoesKenBurnsRect   *echoes_ken_burns_compute_crops        (const EchoesKenBurnsParams  *params,
                                                             double                       photo_width,
                                                             double                       photo_height,
                                                             const EchoesKenBurnsRect    *faces,
                                                             guint                        n_faces,
                                                             const EchoesKenBurnsRect    *detail,
                                                             guint                       *n_frames);

gboolean              echoes_ken_burns_find_detail          (GdkPixbuf                   *pixbuf,
                                                             EchoesKenBurnsRect          *detail);
gboolean              echoes_ken_burns_facedetect_available (void);
EchoesKenBurnsRect   *echoes_ken_burns_detect_faces         (const char                  *image_path,
                                                             int                          max_size,
                                                             int                         *photo_width,
                                                             int                         *photo_height,
                                                             guint                       *n_faces,
                                                             GCancellable                *cancellable,
                                                             GError                     **error);

gboolean              echoes_ken_burns_render               (const char                  *image_path,
                                                             const EchoesKenBurnsParams  *params,
                                                             const char                  *output_path,
                                                             EchoesKenBurnsProgress       progress,
                                                             gpointer                     progress_data,
                                                             GCancellable                *cancellable,
                                                             GError                     **error);

G_END_DECLS
