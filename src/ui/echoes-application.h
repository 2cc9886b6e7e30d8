/* echoes-application.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "echoes-context.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_APPLICATION (echoes_application_get_type())

G_DECLARE_FINAL_TYPE (EchoesApplication, echoes_application, ECHOES, APPLICATION, AdwApplication)

EchoesApplication *echoes_application_new         (void);
EchoesContext     *echoes_application_get_context (EchoesApplication *self);
const GError      *echoes_application_get_error   (EchoesApplication *self);
void               echoes_application_set_data_dir (EchoesApplication *self,
                                                    const char        *data_dir);

G_END_DECLS
