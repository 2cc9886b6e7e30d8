/* echoes-cloud-private.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "echoes-cloud-error.h"

G_BEGIN_DECLS

GError *_echoes_cloud_error_from_response (guint               status,
                                           SoupMessageHeaders *headers,
                                           GBytes             *body);
GError *_echoes_cloud_error_from_io       (const GError       *io_error);
char   *_echoes_cloud_loggable_url        (const char         *url);
char   *_echoes_cloud_escape_param        (const char         *value);

G_END_DECLS
