/* echoes-generation-batch.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-store.h"
#include "echoes-video-provider.h"

G_BEGIN_DECLS

/**
 * EchoesGenerationProgressFunc:
 * @clip_id: the clip being made
 * @index: how many clips were finished before it (0-based position in the batch)
 * @total: clips in the batch
 * @fraction: progress of this clip, 0–1
 * @user_data: closure
 */
typedef void (*EchoesGenerationProgressFunc) (const char *clip_id,
                                              guint       index,
                                              guint       total,
                                              double      fraction,
                                              gpointer    user_data);

gboolean echoes_generation_batch_run (EchoesStore                   *store,
                                      EchoesVideoProvider           *provider,
                                      const char                    *project_id,
                                      EchoesGenerationProgressFunc   progress,
                                      gpointer                       progress_data,
                                      guint                         *n_done,
                                      GCancellable                  *cancellable,
                                      GError                       **error);

G_END_DECLS
