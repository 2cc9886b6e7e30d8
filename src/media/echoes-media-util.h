/* echoes-media-util.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

gboolean echoes_media_wait_for_eos (GstElement    *pipeline,
                                    GCancellable  *cancellable,
                                    GError       **error);

G_END_DECLS
