/* echoes-clip-card.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "echoes-clip.h"
#include "echoes-context.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_CLIP_CARD (echoes_clip_card_get_type())

G_DECLARE_FINAL_TYPE (EchoesClipCard, echoes_clip_card, ECHOES, CLIP_CARD, GtkWidget)

GtkWidget     *echoes_clip_card_new         (EchoesContext  *context);
EchoesClip    *echoes_clip_card_get_clip    (EchoesClipCard *self);
void           echoes_clip_card_set_clip    (EchoesClipCard *self,
                                             EchoesClip     *clip);
gboolean       echoes_clip_card_has_thumbnail (EchoesClipCard *self);
gboolean       echoes_clip_card_has_video_thumbnail (EchoesClipCard *self);
GdkPaintable  *echoes_clip_card_get_thumbnail       (EchoesClipCard *self);
const char    *echoes_clip_card_get_provider_badge  (EchoesClipCard *self);

G_END_DECLS
