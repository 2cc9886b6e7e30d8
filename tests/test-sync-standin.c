/* test-sync-standin.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The sync engine with the Supabase adapter against the real stand-in (real PostgreSQL,
 * real RLS), started by tests/cloud-standin.sh which sets ECHOES_SUPABASE_URL and
 * ECHOES_SUPABASE_ANON_KEY: two devices (two data directories) of one account. */

#include "config.h"

#include <glib/gstdio.h>

#include <string.h>
#include <libsoup/soup.h>

#include "echoes-auth.h"
#include "echoes-paths.h"
#include "echoes-player-pipeline.h"
#include "echoes-stream-resolver.h"
#include "echoes-store-private.h"
#include "echoes-store-test-hooks.h"
#include "echoes-supabase-remote.h"
#include "echoes-sync-engine.h"
#include "echoes-test-media.h"
#include "echoes-test-network.h"
#include "echoes-test-util.h"

/* ---- helpers ---- */

typedef struct
{
  EchoesAuth       *auth;
  EchoesStore      *store;
  EchoesSyncEngine *engine;
} Device;

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static void
device_open (Device          *device,
             const char      *name,
             const char      *email,
             gboolean         sign_up,
             GNetworkMonitor *network)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), name, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesSupabaseRemote) remote = NULL;
  gboolean confirmation = TRUE;

  device->auth = echoes_auth_new_full (g_getenv ("ECHOES_SUPABASE_URL"),
                                       g_getenv ("ECHOES_SUPABASE_ANON_KEY"), FALSE);
  if (sign_up)
    {
      echoes_auth_sign_up_async (device->auth, email, "correct horse battery staple", NULL,
                                 result_cb, &result);
      g_assert_true (echoes_auth_sign_up_finish (device->auth, wait_result (&result),
                                                 &confirmation, &error));
    }
  else
    {
      echoes_auth_sign_in_async (device->auth, email, "correct horse battery staple", NULL,
                                 result_cb, &result);
      g_assert_true (echoes_auth_sign_in_finish (device->auth, wait_result (&result), &error));
    }
  g_assert_no_error (error);
  g_clear_object (&result);

  device->store = echoes_store_open (dir, &error);
  g_assert_no_error (error);
  remote = echoes_supabase_remote_new (device->auth);
  device->engine = echoes_sync_engine_new (device->store, ECHOES_SYNC_REMOTE (remote), network);

  echoes_sync_engine_signed_in_async (device->engine, FALSE, NULL, result_cb, &result);
  g_assert_true (echoes_sync_engine_signed_in_finish (device->engine, wait_result (&result),
                                                      &error));
  g_assert_no_error (error);
}

static void
device_close (Device *device)
{
  echoes_sync_engine_stop (device->engine);
  echoes_test_drain (device->engine);
  g_assert_finalize_object (g_steal_pointer (&device->engine));
  echoes_test_drain (device->store);
  g_assert_finalize_object (g_steal_pointer (&device->store));
  g_clear_object (&device->auth);
}

static void
sync_ok (Device *device)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  echoes_sync_engine_sync_async (device->engine, NULL, result_cb, &result);
  g_assert_true (echoes_sync_engine_sync_finish (device->engine, wait_result (&result), &error));
  g_assert_no_error (error);
}

static EchoesClip *
add_clip (EchoesStore *store,
          const char  *project_id,
          guint        position,
          gsize        size)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *image = echoes_paths_image_relative (project_id, id, "jpg");
  g_autofree char *path = echoes_store_resolve (store, image);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *data = g_malloc (size);
  g_autoptr(GError) error = NULL;
  EchoesClip *clip = echoes_clip_new (id, project_id);

  for (gsize i = 0; i < size; i++)
    data[i] = (char)(i * 7 + position);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, data, size, &error));
  echoes_clip_set_image (clip, image);
  echoes_clip_set_prompt (clip, "first");
  g_assert_true (echoes_store_insert_clip (store, clip, position, &error));
  g_assert_no_error (error);
  return clip;
}

static gint64
file_size (EchoesStore *store,
           const char  *relative)
{
  g_autofree char *path = echoes_store_resolve (store, relative);
  GStatBuf st;

  return g_stat (path, &st) == 0 ? st.st_size : -1;
}

static char *
prompt_of (EchoesStore *store,
           const char  *clip_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesClip) clip = echoes_store_get_clip (store, clip_id, &error);

  g_assert_no_error (error);
  return g_strdup (echoes_clip_get_prompt (clip));
}

static void
set_prompt (EchoesStore *store,
            const char  *clip_id,
            const char  *prompt)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesClip) clip = echoes_store_get_clip (store, clip_id, &error);

  echoes_clip_set_prompt (clip, prompt);
  g_assert_true (echoes_store_update_clip (store, clip, &error));
  g_assert_no_error (error);
}

static char *
order_of (EchoesStore *store,
          const char  *project_id)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) order = echoes_store_dup_clip_order (store, project_id, &error);

  g_assert_no_error (error);
  g_assert_true (_echoes_store_check_order (store, project_id, &error));
  return g_strjoinv (",", order);
}

static gboolean
clip_is_here (EchoesStore *store,
              const char  *clip_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesClip) clip = echoes_store_get_clip (store, clip_id, &error);

  if (clip == NULL)
    g_assert_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND);
  return clip != NULL;
}

static gboolean
project_is_here (EchoesStore *store,
                 const char  *project_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesProject) project = echoes_store_get_project (store, project_id, &error);

  if (project == NULL)
    g_assert_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND);
  return project != NULL;
}

/* A video made on this device (with the user's own provider key), then approved. */
static void
generate_here (EchoesStore *store,
               const char  *project_id,
               const char  *clip_id,
               gsize        size)
{
  g_autofree char *video = echoes_paths_video_relative (project_id, clip_id);
  g_autofree char *path = echoes_store_resolve (store, video);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *data = g_malloc (size);
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesClip) clip = NULL;

  for (gsize i = 0; i < size; i++)
    data[i] = (char)(i * 13);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, data, size, &error));
  g_assert_no_error (error);

  clip = echoes_store_get_clip (store, clip_id, &error);
  g_assert_no_error (error);
  echoes_clip_set_video (clip, video);
  echoes_clip_set_status (clip, ECHOES_CLIP_STATUS_READY);
  g_assert_true (echoes_store_update_clip (store, clip, &error));
  g_assert_no_error (error);
  echoes_clip_set_approved (clip, TRUE);
  g_assert_true (echoes_store_update_clip (store, clip, &error));
  g_assert_no_error (error);
}

static void
set_approved (EchoesStore *store,
              const char  *clip_id,
              gboolean     approved)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesClip) clip = echoes_store_get_clip (store, clip_id, &error);

  g_assert_no_error (error);
  echoes_clip_set_approved (clip, approved);
  g_assert_true (echoes_store_update_clip (store, clip, &error));
  g_assert_no_error (error);
}

static void
assert_generated (EchoesStore *store,
                  const char  *clip_id,
                  gint64       size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesClip) clip = echoes_store_get_clip (store, clip_id, &error);

  g_assert_no_error (error);
  g_assert_cmpint (echoes_clip_get_status (clip), ==, ECHOES_CLIP_STATUS_READY);
  g_assert_true (echoes_clip_get_approved (clip));
  g_assert_nonnull (echoes_clip_get_video (clip));
  g_assert_cmpint (file_size (store, echoes_clip_get_video (clip)), ==, size);
}

/* Field times are the real clock's microseconds: two writes in a row get two times. */
static void
wait_a_microsecond (void)
{
  gint64 start = g_get_real_time ();

  while (g_get_real_time () <= start)
    ;
}

/* ---- the test ---- */

static void
test_two_devices (void)
{
  g_autofree char *email = g_strdup_printf ("sync-%08x%08x@example.com", g_random_int (),
                                            g_random_int ());
  g_autoptr(GNetworkMonitor) network = g_object_new (TEST_TYPE_NETWORK, NULL);
  Device a = { NULL, }, b = { NULL, };
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(EchoesProject) there = NULL;
  g_autoptr(EchoesProject) gone = NULL;
  EchoesClip *gone_clip;
  EchoesClip *late;
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prompt_a = NULL;
  g_autofree char *prompt_b = NULL;
  g_autofree char *order_a = NULL;
  g_autofree char *order_b = NULL;
  EchoesClip *clip[3];
  const char *pid;

  if (g_getenv ("ECHOES_SUPABASE_URL") == NULL)
    {
      g_test_fail_printf ("ECHOES_SUPABASE_URL is not set: run through tests/cloud-standin.sh");
      return;
    }

  device_open (&a, "device-a", email, TRUE, network);
  device_open (&b, "device-b", email, FALSE, network);

  /* A makes a project; the third image is over 6 MiB (TUS). */
  project = echoes_store_create_project (a.store, "Two devices", &error);
  g_assert_no_error (error);
  pid = echoes_project_get_id (project);
  for (guint i = 0; i < 3; i++)
    clip[i] = add_clip (a.store, pid, i, i == 2 ? 7 * 1024 * 1024 + 5 : 1000 + i);
  sync_ok (&a);

  /* B gets it all, media included. */
  sync_ok (&b);
  there = echoes_store_get_project (b.store, pid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (echoes_project_get_title (there), ==, "Two devices");
  clips = echoes_store_list_clips (b.store, pid, &error);
  g_assert_cmpuint (clips->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (file_size (b.store, echoes_clip_get_image (clip[i])), ==,
                     file_size (a.store, echoes_clip_get_image (clip[i])));

  /* Both edit one prompt, B later: the later write wins on both devices. */
  set_prompt (a.store, echoes_clip_get_id (clip[0]), "from A");
  wait_a_microsecond ();
  set_prompt (b.store, echoes_clip_get_id (clip[0]), "from B");
  sync_ok (&a);
  sync_ok (&b);
  sync_ok (&a);
  prompt_a = prompt_of (a.store, echoes_clip_get_id (clip[0]));
  prompt_b = prompt_of (b.store, echoes_clip_get_id (clip[0]));
  g_assert_cmpstr (prompt_a, ==, prompt_b);
  g_assert_cmpstr (prompt_a, ==, "from B");

  /* A reorders: B follows, orders 0..n-1 on both. */
  g_assert_true (echoes_store_move_clip (a.store, echoes_clip_get_id (clip[2]), 0, &error));
  sync_ok (&a);
  sync_ok (&b);
  order_a = order_of (a.store, pid);
  order_b = order_of (b.store, pid);
  g_assert_cmpstr (order_a, ==, order_b);
  g_assert_true (g_str_has_prefix (order_a, echoes_clip_get_id (clip[2])));

  /* Deletes reach the other device: A deletes a clip, then a whole project. */
  gone = echoes_store_create_project (a.store, "Gone soon", &error);
  g_assert_no_error (error);
  gone_clip = add_clip (a.store, echoes_project_get_id (gone), 0, 500);
  sync_ok (&a);
  sync_ok (&b);
  g_assert_true (clip_is_here (b.store, echoes_clip_get_id (gone_clip)));
  g_assert_true (echoes_store_trash_clip (a.store, echoes_clip_get_id (clip[1]), &error));
  g_assert_no_error (error);
  g_assert_true (echoes_store_trash_project (a.store, echoes_project_get_id (gone), &error));
  g_assert_no_error (error);
  sync_ok (&a);
  sync_ok (&b);
  g_assert_false (clip_is_here (b.store, echoes_clip_get_id (clip[1])));
  g_assert_false (clip_is_here (b.store, echoes_clip_get_id (gone_clip)));
  g_assert_false (project_is_here (b.store, echoes_project_get_id (gone)));
  g_assert_true (project_is_here (b.store, pid));
  g_clear_pointer (&clips, g_ptr_array_unref);
  clips = echoes_store_list_clips (b.store, pid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clips->len, ==, 2);

  /* A deletes a clip that B edits afterwards, before it hears of the delete: the later
   * edit wins, the clip stays on B and comes back on A. */
  g_assert_true (echoes_store_trash_clip (a.store, echoes_clip_get_id (clip[0]), &error));
  g_assert_no_error (error);
  wait_a_microsecond ();
  set_prompt (b.store, echoes_clip_get_id (clip[0]), "kept on B");
  sync_ok (&a);
  sync_ok (&b);
  g_assert_true (clip_is_here (b.store, echoes_clip_get_id (clip[0])));
  g_clear_pointer (&prompt_b, g_free);
  prompt_b = prompt_of (b.store, echoes_clip_get_id (clip[0]));
  g_assert_cmpstr (prompt_b, ==, "kept on B");
  sync_ok (&b);
  g_assert_true (clip_is_here (b.store, echoes_clip_get_id (clip[0])));
  sync_ok (&a);
  g_assert_true (clip_is_here (a.store, echoes_clip_get_id (clip[0])));
  g_clear_pointer (&prompt_a, g_free);
  prompt_a = prompt_of (a.store, echoes_clip_get_id (clip[0]));
  g_assert_cmpstr (prompt_a, ==, "kept on B");
  g_clear_pointer (&order_a, g_free);
  g_clear_pointer (&order_b, g_free);
  order_a = order_of (a.store, pid);
  order_b = order_of (b.store, pid);
  g_assert_cmpstr (order_a, ==, order_b);

  /* B generates a video on the computer and approves it: the video goes to the server,
   * which takes the clip as ready (and so its approval); A gets all three. An edit of
   * another field on A afterwards leaves them on both. */
  generate_here (b.store, pid, echoes_clip_get_id (clip[2]), 4096);
  sync_ok (&b);
  sync_ok (&a);
  assert_generated (a.store, echoes_clip_get_id (clip[2]), 4096);
  set_prompt (a.store, echoes_clip_get_id (clip[2]), "after the video");
  sync_ok (&a);
  sync_ok (&b);
  assert_generated (b.store, echoes_clip_get_id (clip[2]), 4096);
  assert_generated (a.store, echoes_clip_get_id (clip[2]), 4096);
  g_clear_pointer (&prompt_b, g_free);
  prompt_b = prompt_of (b.store, echoes_clip_get_id (clip[2]));
  g_assert_cmpstr (prompt_b, ==, "after the video");

  /* Edits of two fields of one clip reach the server out of order: A changes the prompt
   * first, B the approval after, but B syncs first. Both edits stay, on both devices
   * (the server keeps a time per field). */
  set_prompt (a.store, echoes_clip_get_id (clip[2]), "A, written first");
  wait_a_microsecond ();
  set_approved (b.store, echoes_clip_get_id (clip[2]), FALSE);
  sync_ok (&b);
  sync_ok (&a);
  sync_ok (&b);
  for (guint d = 0; d < 2; d++)
    {
      EchoesStore *store = d == 0 ? a.store : b.store;
      g_autoptr(EchoesClip) both = echoes_store_get_clip (store, echoes_clip_get_id (clip[2]), &error);

      g_assert_no_error (error);
      g_assert_cmpstr (echoes_clip_get_prompt (both), ==, "A, written first");
      g_assert_false (echoes_clip_get_approved (both));
    }

  /* Order is a field too. A moves a clip to the front, then B edits that clip's prompt
   * and syncs first: the move still lands (the server compares it with the clip's last
   * move, not with the row's last write). */
  late = add_clip (a.store, pid, 2, 700);
  sync_ok (&a);
  sync_ok (&b);
  g_assert_true (echoes_store_move_clip (a.store, echoes_clip_get_id (late), 0, &error));
  wait_a_microsecond ();
  set_prompt (b.store, echoes_clip_get_id (late), "B, after A's move");
  sync_ok (&b);
  sync_ok (&a);
  sync_ok (&b);
  g_clear_pointer (&order_a, g_free);
  g_clear_pointer (&order_b, g_free);
  order_a = order_of (a.store, pid);
  order_b = order_of (b.store, pid);
  g_assert_cmpstr (order_a, ==, order_b);
  g_assert_true (g_str_has_prefix (order_a, echoes_clip_get_id (late)));
  g_clear_pointer (&prompt_a, g_free);
  prompt_a = prompt_of (a.store, echoes_clip_get_id (late));
  g_assert_cmpstr (prompt_a, ==, "B, after A's move");

  /* A deletes a clip; B then moves another one, which shifts the deleted clip on the
   * server, and syncs first. The shift is no edit of the deleted clip: the delete
   * reaches B. */
  g_assert_true (echoes_store_trash_clip (a.store, echoes_clip_get_id (clip[0]), &error));
  g_assert_no_error (error);
  wait_a_microsecond ();
  {
    g_auto(GStrv) order = echoes_store_dup_clip_order (b.store, pid, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length (order), ==, 3);
    g_assert_true (echoes_store_move_clip (b.store, order[2], 0, &error));
    g_assert_no_error (error);
  }
  sync_ok (&b);
  sync_ok (&a);
  sync_ok (&b);
  g_assert_false (clip_is_here (a.store, echoes_clip_get_id (clip[0])));
  g_assert_false (clip_is_here (b.store, echoes_clip_get_id (clip[0])));
  g_clear_pointer (&order_a, g_free);
  g_clear_pointer (&order_b, g_free);
  order_a = order_of (a.store, pid);
  order_b = order_of (b.store, pid);
  g_assert_cmpstr (order_a, ==, order_b);

  g_object_unref (late);
  g_object_unref (gone_clip);
  for (guint i = 0; i < 3; i++)
    g_object_unref (clip[i]);
  device_close (&a);
  device_close (&b);
}

/* ---- streaming a clip that is not downloaded yet ---- */

static char *
sign (Device     *device,
      const char *clip_id,
      gboolean    force_new,
      gint64     *expires_at)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *url;

  echoes_sync_engine_sign_media_async (device->engine, clip_id, "video", force_new, NULL,
                                       result_cb, &result);
  url = echoes_sync_engine_sign_media_finish (device->engine, wait_result (&result), expires_at,
                                              &error);
  g_assert_no_error (error);
  g_assert_nonnull (url);
  return url;
}

static guint
http_status (const char *url)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  return soup_message_get_status (message);
}

typedef struct
{
  gboolean done;
  gboolean eos;
  guint    frames;
  GError  *error;
} Playback;

static void
frame_cb (GstSample *sample,
          gpointer   user_data)
{
  g_atomic_int_inc (&((Playback *) user_data)->frames);
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Playback *playback = user_data;

  echoes_player_pipeline_load_finish (ECHOES_PLAYER_PIPELINE (object), result, &playback->error);
  playback->done = TRUE;
}

static void
eos_cb (EchoesPlayerPipeline *player,
        Playback             *playback)
{
  playback->eos = TRUE;
}

static gboolean
expired_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Device B pulled a clip whose video is not downloaded yet: the engine signs it (the
 * same URL until it is about to expire), the player streams it, and a URL the server
 * refuses (expired) is signed again with force_new and the player goes on. */
static void
test_stream (void)
{
  g_autofree char *email = g_strdup_printf ("stream-%08x%08x@example.com", g_random_int (),
                                            g_random_int ());
  g_autoptr(GNetworkMonitor) network = g_object_new (TEST_TYPE_NETWORK, NULL);
  g_autofree char *media_dir = g_dir_make_tmp ("echoes-stream-XXXXXX", NULL);
  g_autofree char *made = echoes_test_media_make_clip (media_dir, "made.mp4", 320, 180, 30, 18);
  Device a = { NULL, }, b = { NULL, };
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(EchoesClip) pulled = NULL;
  g_autoptr(EchoesStreamResolver) resolver = NULL;
  g_autoptr(EchoesPlayerPipeline) player = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *video = NULL;
  g_autofree char *path = NULL;
  g_autofree char *url1 = NULL;
  g_autofree char *again = NULL;
  g_autofree char *expiring = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) sources = NULL;
  const char *ids[2] = { NULL, NULL };
  gint64 expires_at = 0;
  gsize length;
  guint n_streamed = 0;
  gboolean expired = FALSE;
  Playback playback = { 0, };

  if (g_getenv ("ECHOES_SUPABASE_URL") == NULL)
    {
      g_test_fail_printf ("ECHOES_SUPABASE_URL is not set: run through tests/cloud-standin.sh");
      return;
    }

  device_open (&a, "stream-a", email, TRUE, network);
  device_open (&b, "stream-b", email, FALSE, network);

  /* A makes a clip with a real one-second video and syncs it. */
  project = echoes_store_create_project (a.store, "Streamed", &error);
  g_assert_no_error (error);
  clip = add_clip (a.store, echoes_project_get_id (project), 0, 1000);
  ids[0] = echoes_clip_get_id (clip);
  generate_here (a.store, echoes_project_get_id (project), ids[0], 16);
  video = echoes_paths_video_relative (echoes_project_get_id (project), ids[0]);
  path = echoes_store_resolve (a.store, video);
  g_assert_true (g_file_get_contents (made, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  sync_ok (&a);

  /* B pulls it; its video download has not happened yet (it is removed again). */
  sync_ok (&b);
  g_clear_pointer (&path, g_free);
  path = echoes_store_resolve (b.store, video);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_unlink (path), ==, 0);

  /* Signed for about an hour, and the same URL when asked again. */
  url1 = sign (&b, ids[0], FALSE, &expires_at);
  g_assert_cmpint (expires_at - g_get_real_time (), >, (gint64) 3500 * G_USEC_PER_SEC);
  again = sign (&b, ids[0], FALSE, NULL);
  g_assert_cmpstr (url1, ==, again);
  g_assert_cmpuint (http_status (url1), ==, 200);

  /* The resolver streams the missing file. */
  resolver = echoes_stream_resolver_new (b.engine, ids);
  {
    const char *paths[] = { path, NULL };

    echoes_stream_resolver_resolve_async (resolver, paths, NULL, result_cb, &result);
    sources = echoes_stream_resolver_resolve_finish (resolver, wait_result (&result), &n_streamed,
                                                     &error);
    g_assert_no_error (error);
    g_clear_object (&result);
  }
  g_assert_cmpuint (n_streamed, ==, 1);
  g_assert_cmpstr (sources[0], ==, url1);

  /* A URL that expired before the player loads it: the server answers 400, the player
   * asks the resolver, which signs again (force_new), and the clip plays to its end. */
  echoes_sync_engine_set_media_url_lifetime (b.engine, 1);
  expiring = sign (&b, ids[0], TRUE, &expires_at);
  echoes_sync_engine_set_media_url_lifetime (b.engine, 3600);
  /* The stand-in's tokens count whole seconds: wait until the server takes it as expired. */
  g_timeout_add ((guint) ((expires_at - g_get_real_time ()) / 1000) + 1100, expired_cb, &expired);
  echoes_test_wait (&expired);
  g_assert_cmpuint (http_status (expiring), ==, 400);

  player = echoes_player_pipeline_new ();
  echoes_player_pipeline_set_frame_func (player, frame_cb, &playback, NULL);
  echoes_player_pipeline_set_audio_sink (player, gst_parse_bin_from_description (
    "audioconvert ! fakesink sync=true", TRUE, NULL));
  echoes_player_pipeline_set_renewer (player, ECHOES_URI_RENEWER (resolver));
  g_signal_connect (player, "eos", G_CALLBACK (eos_cb), &playback);
  {
    const char *clips[] = { expiring, NULL };

    echoes_player_pipeline_load_async (player, clips, NULL, 1.0, 0, 0, NULL, loaded_cb,
                                       &playback);
  }
  echoes_test_wait (&playback.done);
  g_assert_no_error (playback.error);
  g_assert_cmpuint (echoes_player_pipeline_get_duration (player), ==, GST_SECOND);
  echoes_player_pipeline_play (player);
  echoes_test_wait (&playback.eos);
  g_assert_cmpuint (g_atomic_int_get (&playback.frames), >=, 30);

  /* The renewed URL is the one cached now, and a good one. */
  g_clear_pointer (&again, g_free);
  again = sign (&b, ids[0], FALSE, &expires_at);
  g_assert_cmpstr (again, !=, expiring);
  g_assert_cmpint (expires_at - g_get_real_time (), >, (gint64) 3500 * G_USEC_PER_SEC);
  g_assert_cmpuint (http_status (again), ==, 200);

  echoes_player_pipeline_unload (player);
  g_clear_object (&player);
  g_clear_object (&resolver);
  echoes_test_remove_tree (media_dir);
  device_close (&a);
  device_close (&b);
}

/* Signed URLs are secrets: no message logged (debug ones included) quotes a token. */
static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0 &&
        strstr (fields[i].value, "token=") != NULL)
      g_error ("A signed URL reached the log");

  return g_log_writer_default (level, fields, n_fields, user_data);
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);
  gst_init (&argc, &argv);
  g_log_set_writer_func (log_writer, NULL, NULL);

  g_test_add_func ("/echoes/sync/standin/two-devices", test_two_devices);
  g_test_add_func ("/echoes/sync/standin/stream", test_stream);

  return g_test_run ();
}
