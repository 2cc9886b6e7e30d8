/* echoes-generation-batch.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-provider-registry.h"
#include "echoes-store.h"
#include "echoes-video-provider.h"

G_BEGIN_DECLS

/**
 * EchoesGenerationProgressFunc:
 * @clip_id: the clip whose progress moved the batch
 * @index: how many clips are finished
 * @total: clips in the batch
 * @fraction: progress of the whole batch, 0–1: finished clips count whole, clips being
 *   made (several at once) by their part; it never goes back
 * @user_data: closure
 */
typedef void (*EchoesGenerationProgressFunc) (const char *clip_id,
                                              guint       index,
                                              guint       total,
                                              double      fraction,
                                              gpointer    user_data);

gboolean echoes_generation_batch_run (EchoesStore                   *store,
                                      EchoesProviderRegistry        *registry,
                                      EchoesVideoProvider           *provider,
                                      const char                    *project_id,
                                      EchoesGenerationProgressFunc   progress,
                                      gpointer                       progress_data,
                                      guint                         *n_done,
                                      GCancellable                  *cancellable,
                                      GError                       **error);

G_END_DECLS
