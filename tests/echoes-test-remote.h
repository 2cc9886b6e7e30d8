/* echoes-test-remote.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "echoes-sync-remote.h"

G_BEGIN_DECLS

#define ECHOES_TYPE_TEST_REMOTE (echoes_test_remote_get_type())

G_DECLARE_FINAL_TYPE (EchoesTestRemote, echoes_test_remote, ECHOES, TEST_REMOTE, GObject)

/* An in-memory server for sync tests: rows merged per field by time (like the real one
 * should), objects in a hash table, resumable uploads, and faults on demand. The fields
 * are public: tests set the faults and read the counters directly. */
struct _EchoesTestRemote
{
  GObject     parent_instance;

  char       *user_id;
  GHashTable *tables;        /* table -> (id -> FakeRow) */
  GHashTable *objects;       /* "bucket/path" -> GBytes */
  GHashTable *uploads;       /* url -> GByteArray (resumable uploads in progress) */
  gint64      clock;
  guint       next_upload;

  /* faults */
  guint       fail_pushes;       /* the next N pushes fail, unapplied */
  gboolean    fail_after_apply;  /* the next push is applied, then fails (lost answer) */
  char       *refuse_id;         /* pushes of this row always fail */
  gint64      cut_upload_at;     /* the next resumable upload stops after this many bytes */
  gboolean    truncate_downloads;/* downloads write half and announce the whole */
  char       *refuse_upload_id;  /* uploads of this clip's media always fail */
  gboolean    hold_uploads;      /* small uploads wait for echoes_test_remote_release_uploads() */
  gboolean    uploads_overloaded;/* every upload fails as a 503 does (ECHOES_CLOUD_ERROR_SERVER) */

  /* counters */
  GHashTable *push_counts;   /* id -> pushes applied */
  guint       n_pushes;      /* pushes applied, all rows */
  guint       n_resumes;
  gint64      last_resume_offset;
  guint       n_row_requests;    /* push_row and push_rows calls: one request each */
  guint       n_upload_attempts;
  GPtrArray  *held;              /* (owned) uploads waiting for their release */
  guint       max_held;          /* the most uploads held at once */
};

EchoesTestRemote *echoes_test_remote_new            (const char       *user_id);
guint             echoes_test_remote_count_pushes   (EchoesTestRemote *self,
                                                     const char       *id);
GVariant         *echoes_test_remote_dup_field      (EchoesTestRemote *self,
                                                     const char       *table,
                                                     const char       *id,
                                                     const char       *field);
guint             echoes_test_remote_count_rows     (EchoesTestRemote *self,
                                                     const char       *table);
gboolean          echoes_test_remote_is_deleted     (EchoesTestRemote *self,
                                                     const char       *table,
                                                     const char       *id);
void              echoes_test_remote_delete         (EchoesTestRemote *self,
                                                     const char       *table,
                                                     const char       *id);
GBytes           *echoes_test_remote_get_object     (EchoesTestRemote *self,
                                                     const char       *bucket,
                                                     const char       *path);
void              echoes_test_remote_release_uploads (EchoesTestRemote *self);

G_END_DECLS
