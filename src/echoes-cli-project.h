/* echoes-cli-project.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "echoes-context.h"

G_BEGIN_DECLS

/* Defined in cli.c, shared with the command groups in files of their own. */
EchoesProject *echoes_cli_find_project         (EchoesContext  *context,
                                                const char     *name,
                                                GError        **error);
EchoesClip    *echoes_cli_find_clip            (EchoesContext  *context,
                                                const char     *name,
                                                GError        **error);
void           echoes_cli_build_project        (JsonBuilder    *builder,
                                                EchoesProject  *project);
void           echoes_cli_build_clip           (JsonBuilder    *builder,
                                                EchoesClip     *clip);
void           echoes_cli_print_json           (JsonBuilder    *builder);
char          *echoes_cli_dup_provider_setting (void);

/* echoes-cli-project.c: `projects set`, `projects fit-to-music`, `clips set`. */
gboolean       echoes_cli_project_run          (int             argc,
                                                char          **argv,
                                                int            *status);
void           echoes_cli_project_append_usage (GString        *text);

G_END_DECLS
