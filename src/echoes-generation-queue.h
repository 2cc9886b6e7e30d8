/* echoes-generation-queue.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-library.h"
#include "echoes-provider-registry.h"
#include "echoes-store.h"
#include "echoes-video-provider.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_GENERATION_QUEUE (echoes_generation_queue_get_type())

G_DECLARE_FINAL_TYPE (EchoesGenerationQueue, echoes_generation_queue, ECHOES, GENERATION_QUEUE, GObject)

EchoesGenerationQueue *echoes_generation_queue_new                  (EchoesStore                  *store,
                                                                     EchoesLibrary                *library,
                                                                     EchoesVideoProvider          *provider);
EchoesVideoProvider   *echoes_generation_queue_get_provider         (EchoesGenerationQueue        *self);
void                   echoes_generation_queue_set_provider         (EchoesGenerationQueue        *self,
                                                                     EchoesVideoProvider          *provider);
EchoesProviderRegistry *echoes_generation_queue_get_registry       (EchoesGenerationQueue        *self);
void                   echoes_generation_queue_set_registry         (EchoesGenerationQueue        *self,
                                                                     EchoesProviderRegistry       *registry);
void                   echoes_generation_queue_set_force_provider   (EchoesGenerationQueue        *self,
                                                                     gboolean                      force);
gboolean               echoes_generation_queue_get_ken_burns_fallback (EchoesGenerationQueue      *self);
void                   echoes_generation_queue_set_ken_burns_fallback (EchoesGenerationQueue      *self,
                                                                       gboolean                    fallback);
guint                  echoes_generation_queue_get_max_jobs         (EchoesGenerationQueue        *self);
void                   echoes_generation_queue_set_max_jobs         (EchoesGenerationQueue        *self,
                                                                     guint                         max_jobs);
void                   echoes_generation_queue_set_default_duration (EchoesGenerationQueue        *self,
                                                                     double                        seconds);
guint                  echoes_generation_queue_get_n_jobs           (EchoesGenerationQueue        *self);
gboolean               echoes_generation_queue_has_clip             (EchoesGenerationQueue        *self,
                                                                     const char                   *clip_id);
void                   echoes_generation_queue_enqueue_clip         (EchoesGenerationQueue        *self,
                                                                     const char                   *clip_id);
void                   echoes_generation_queue_enqueue_clip_with_provider (EchoesGenerationQueue *self,
                                                                           const char            *clip_id,
                                                                           EchoesVideoProvider   *provider);
void                   echoes_generation_queue_enqueue_project      (EchoesGenerationQueue        *self,
                                                                     const char                   *project_id);
void                   echoes_generation_queue_cancel_clip          (EchoesGenerationQueue        *self,
                                                                     const char                   *clip_id);
void                   echoes_generation_queue_cancel_all           (EchoesGenerationQueue        *self);
void                   echoes_generation_queue_resume_async         (EchoesGenerationQueue        *self,
                                                                     GCancellable                 *cancellable,
                                                                     GAsyncReadyCallback           callback,
                                                                     gpointer                      user_data);
guint                  echoes_generation_queue_resume_finish        (EchoesGenerationQueue        *self,
                                                                     GAsyncResult                 *result,
                                                                     GError                      **error);

G_END_DECLS
