/* echoes-generation-queue-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "echoes-store.h"

G_BEGIN_DECLS

/* Shared by the generation queue and the batch driver (echoes-generation-batch.c). */

/* The stable code stored for a failure; the provider's message is for the log only. */
EchoesClipFailure _echoes_generation_failure_from_error      (const GError *error);
/* Removes `.{clip}.mp4.XXXXXX` files a crashed render left beside the clip's video. */
void              _echoes_generation_remove_stale_temp_files (EchoesStore  *store,
                                                              EchoesClip   *clip);

G_END_DECLS
