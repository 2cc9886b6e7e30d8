/* echoes-clip-window.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "echoes-clip.h"
#include "echoes-context.h"
#include "echoes-film-player.h"
#include "echoes-motion-editor.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_CLIP_WINDOW (echoes_clip_window_get_type())

G_DECLARE_FINAL_TYPE (EchoesClipWindow, echoes_clip_window, ECHOES, CLIP_WINDOW, AdwWindow)

EchoesClipWindow   *echoes_clip_window_new               (GtkWindow        *parent,
                                                          EchoesContext    *context,
                                                          EchoesClip       *clip,
                                                          const char       *ratio);
EchoesClip         *echoes_clip_window_get_clip          (EchoesClipWindow *self);
EchoesFilmPlayer   *echoes_clip_window_get_player        (EchoesClipWindow *self);
EchoesMotionEditor *echoes_clip_window_get_motion_editor (EchoesClipWindow *self);

G_END_DECLS
