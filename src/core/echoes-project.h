/* echoes-project.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-types.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_PROJECT (echoes_project_get_type())

G_DECLARE_FINAL_TYPE (EchoesProject, echoes_project, ECHOES, PROJECT, GObject)

EchoesProject       *echoes_project_new                (const char          *id);
EchoesProject       *echoes_project_copy               (EchoesProject       *self);
void                 echoes_project_update_from        (EchoesProject       *self,
                                                        EchoesProject       *other);
const char          *echoes_project_get_id             (EchoesProject       *self);
const char          *echoes_project_get_title          (EchoesProject       *self);
void                 echoes_project_set_title          (EchoesProject       *self,
                                                        const char          *title);
const char          *echoes_project_get_music          (EchoesProject       *self);
void                 echoes_project_set_music          (EchoesProject       *self,
                                                        const char          *music);
const char          *echoes_project_get_ratio          (EchoesProject       *self);
void                 echoes_project_set_ratio          (EchoesProject       *self,
                                                        const char          *ratio);
const char          *echoes_project_get_provider       (EchoesProject       *self);
void                 echoes_project_set_provider       (EchoesProject       *self,
                                                        const char          *provider);
EchoesProjectStatus  echoes_project_get_status         (EchoesProject       *self);
void                 echoes_project_set_status         (EchoesProject       *self,
                                                        EchoesProjectStatus  status);
guint                echoes_project_get_clip_count     (EchoesProject       *self);
void                 echoes_project_set_clip_count     (EchoesProject       *self,
                                                        guint                clip_count);
guint                echoes_project_get_approved_count (EchoesProject       *self);
void                 echoes_project_set_approved_count (EchoesProject       *self,
                                                        guint                approved_count);
gint64               echoes_project_get_created_at     (EchoesProject       *self);
void                 echoes_project_set_created_at     (EchoesProject       *self,
                                                        gint64               created_at);
gint64               echoes_project_get_updated_at     (EchoesProject       *self);
void                 echoes_project_set_updated_at     (EchoesProject       *self,
                                                        gint64               updated_at);
gboolean             echoes_project_get_synced         (EchoesProject       *self);
void                 echoes_project_set_synced         (EchoesProject       *self,
                                                        gboolean             synced);

G_END_DECLS
