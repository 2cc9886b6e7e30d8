/* echoes-library.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "echoes-store.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_LIBRARY (echoes_library_get_type())

G_DECLARE_FINAL_TYPE (EchoesLibrary, echoes_library, ECHOES, LIBRARY, GObject)

EchoesLibrary *echoes_library_new                   (EchoesStore          *store);
EchoesStore   *echoes_library_get_store             (EchoesLibrary        *self);
GListModel    *echoes_library_get_projects          (EchoesLibrary        *self);
GListModel    *echoes_library_get_clips             (EchoesLibrary        *self,
                                                     const char           *project_id);
EchoesProject *echoes_library_find_project          (EchoesLibrary        *self,
                                                     const char           *project_id);
EchoesClip    *echoes_library_find_clip             (EchoesLibrary        *self,
                                                     const char           *clip_id);
void           echoes_library_reload                (EchoesLibrary        *self,
                                                     const char           *project_id);
void           echoes_library_create_project_async  (EchoesLibrary        *self,
                                                     const char           *title,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
EchoesProject *echoes_library_create_project_finish (EchoesLibrary        *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
void           echoes_library_update_project        (EchoesLibrary        *self,
                                                     EchoesProject        *project);
void           echoes_library_trash_project         (EchoesLibrary        *self,
                                                     const char           *project_id);
void           echoes_library_restore_project       (EchoesLibrary        *self,
                                                     const char           *project_id);
void           echoes_library_update_clip           (EchoesLibrary        *self,
                                                     EchoesClip           *clip);
void           echoes_library_move_clip             (EchoesLibrary        *self,
                                                     EchoesClip           *clip,
                                                     guint                 position);
void           echoes_library_trash_clip            (EchoesLibrary        *self,
                                                     EchoesClip           *clip);
void           echoes_library_restore_clip          (EchoesLibrary        *self,
                                                     const char           *project_id,
                                                     const char           *clip_id,
                                                     guint                 position);
void           echoes_library_set_clip_order        (EchoesLibrary        *self,
                                                     const char           *project_id,
                                                     const char * const   *clip_ids);
void           echoes_library_sort_by_date_async    (EchoesLibrary        *self,
                                                     const char           *project_id,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GStrv          echoes_library_sort_by_date_finish   (EchoesLibrary        *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
void           echoes_library_purge_trash           (EchoesLibrary        *self);

G_END_DECLS
