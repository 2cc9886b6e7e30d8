/* echoes-clip-prompt.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "echoes-context.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_CLIP_PROMPT (echoes_clip_prompt_get_type())

G_DECLARE_FINAL_TYPE (EchoesClipPrompt, echoes_clip_prompt, ECHOES, CLIP_PROMPT, GtkBox)

void        echoes_clip_prompt_set_clip   (EchoesClipPrompt *self,
                                           EchoesContext    *context,
                                           EchoesClip       *clip);
gboolean    echoes_clip_prompt_save       (EchoesClipPrompt *self);
void        echoes_clip_prompt_set_text   (EchoesClipPrompt *self,
                                           const char       *text);
const char *echoes_clip_prompt_get_error  (EchoesClipPrompt *self);

G_END_DECLS
