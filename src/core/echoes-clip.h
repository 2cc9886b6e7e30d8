/* echoes-clip.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-types.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_CLIP (echoes_clip_get_type())

G_DECLARE_FINAL_TYPE (EchoesClip, echoes_clip, ECHOES, CLIP, GObject)

EchoesClip       *echoes_clip_new                  (const char       *id,
                                                    const char       *project_id);
EchoesClip       *echoes_clip_copy                 (EchoesClip       *self);
void              echoes_clip_update_from          (EchoesClip       *self,
                                                    EchoesClip       *other);
const char       *echoes_clip_get_id               (EchoesClip       *self);
const char       *echoes_clip_get_project_id       (EchoesClip       *self);
const char       *echoes_clip_get_image            (EchoesClip       *self);
void              echoes_clip_set_image            (EchoesClip       *self,
                                                    const char       *image);
const char       *echoes_clip_get_source_name      (EchoesClip       *self);
void              echoes_clip_set_source_name      (EchoesClip       *self,
                                                    const char       *source_name);
const char       *echoes_clip_get_video            (EchoesClip       *self);
void              echoes_clip_set_video            (EchoesClip       *self,
                                                    const char       *video);
EchoesClipStatus  echoes_clip_get_status           (EchoesClip       *self);
void              echoes_clip_set_status           (EchoesClip       *self,
                                                    EchoesClipStatus  status);
gboolean          echoes_clip_get_approved         (EchoesClip       *self);
void              echoes_clip_set_approved         (EchoesClip       *self,
                                                    gboolean          approved);
guint             echoes_clip_get_position         (EchoesClip       *self);
void              echoes_clip_set_position         (EchoesClip       *self,
                                                    guint             position);
const char       *echoes_clip_get_provider         (EchoesClip       *self);
void              echoes_clip_set_provider         (EchoesClip       *self,
                                                    const char       *provider);
const char       *echoes_clip_get_provider_override (EchoesClip      *self);
void              echoes_clip_set_provider_override (EchoesClip      *self,
                                                     const char      *provider);
const char       *echoes_clip_choose_provider      (EchoesClip       *self,
                                                    const char       *project_provider,
                                                    const char       *app_provider);
gboolean          echoes_provider_name_is_ai       (const char       *name);
const char       *echoes_clip_get_prompt           (EchoesClip       *self);
void              echoes_clip_set_prompt           (EchoesClip       *self,
                                                    const char       *prompt);
const char       *echoes_clip_get_error            (EchoesClip       *self);
void              echoes_clip_set_error            (EchoesClip       *self,
                                                    const char       *error);
EchoesClipFailure echoes_clip_get_failure          (EchoesClip       *self);
void              echoes_clip_set_failure          (EchoesClip       *self,
                                                    EchoesClipFailure failure);
const char       *echoes_clip_get_failure_message  (EchoesClip       *self);
const char       *echoes_clip_get_motion           (EchoesClip       *self);
void              echoes_clip_set_motion           (EchoesClip       *self,
                                                    const char       *motion);
char             *echoes_clip_dup_motion_with_duration (EchoesClip *self,
                                                        double      seconds);
gint64            echoes_clip_get_capture_time     (EchoesClip       *self);
void              echoes_clip_set_capture_time     (EchoesClip       *self,
                                                    gint64            capture_time);
gint64            echoes_clip_get_created_at       (EchoesClip       *self);
void              echoes_clip_set_created_at       (EchoesClip       *self,
                                                    gint64            created_at);
gint64            echoes_clip_get_updated_at       (EchoesClip       *self);
void              echoes_clip_set_updated_at       (EchoesClip       *self,
                                                    gint64            updated_at);
gboolean          echoes_clip_get_queued           (EchoesClip       *self);
void              echoes_clip_set_queued           (EchoesClip       *self,
                                                    gboolean          queued);
double            echoes_clip_get_progress         (EchoesClip       *self);
void              echoes_clip_set_progress         (EchoesClip       *self,
                                                    double            progress);

G_END_DECLS
