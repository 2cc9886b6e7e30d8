/* bench-runway.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "echoes-auth.h"
#include "echoes-runway-provider.h"
#include "../echoes-test-cloud.h"
#include "../echoes-test-media.h"
#include "../echoes-test-util.h"

/* AI clips at scale against the stand-in (tests/cloud-standin.sh --runway-ms 30000): N
 * (ECHOES_BENCH_N, default 20) accounts each generate one clip at once through the
 * runway provider, at the server's real pace (poll-scale 1). The fake Runway finishes a
 * task 30 s after it was started, reporting a steadily growing progress until then. The
 * fake serves a real MP4, made here with GStreamer and handed to it through
 * `POST /_test/output`. Two rounds: the fake's progress moving smoothly, then in 5 s steps
 * as Runway's does. Each prints the status requests per clip (goal ≤ 12) and the time from
 * the provider's "succeeded" (the task's start, as the fake tells in `GET /_test/stats`,
 * + 30 s) to the clip playable: downloaded, and its first frame decoded from the file on
 * disk (a pipeline of it prerolled, with a duration) (goal ≤ 3 s); also when the server
 * first saw it succeeded. Never fails on a figure; a clip that does not decode, or whose
 * task the fake does not know, counts as failed. */

#define TASK_SECONDS 30.0

typedef struct
{
  EchoesAuth           *auth;
  EchoesRunwayProvider *provider;
  char                 *image;
  char                 *output;
  char                 *project_id;
  char                 *clip_id;
  gint64                ready_at;     /* µs since the epoch, the server answered "ready" */
  gint64                done_at;      /* µs since the epoch, the provider finished (downloaded) */
  gint64                playable_at;  /* µs since the epoch, the file's first frame decoded */
  GstElement           *pipeline;
  gboolean              done;
  GError               *error;
} Gen;

static void
progress_cb (double   fraction,
             gpointer user_data)
{
  Gen *gen = user_data;

  /* 0.95: clip-status answered "ready" (the video copied, the credit committed); the
   * download starts. */
  if (fraction >= 0.95 && gen->ready_at == 0)
    gen->ready_at = g_get_real_time ();
}

/* The decoding pipeline prerolled (its first frame reached the sink) or failed. */
static gboolean
bus_cb (GstBus     *bus,
        GstMessage *message,
        gpointer    user_data)
{
  Gen *gen = user_data;
  gint64 duration = 0;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      gst_message_parse_error (message, &gen->error, NULL);
    }
  else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ASYNC_DONE)
    {
      if (gst_element_query_duration (gen->pipeline, GST_FORMAT_TIME, &duration) && duration > 0)
        gen->playable_at = g_get_real_time ();
      else
        gen->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "No duration");
    }
  else
    return G_SOURCE_CONTINUE;

  gst_element_set_state (gen->pipeline, GST_STATE_NULL);
  g_clear_object (&gen->pipeline);
  gen->done = TRUE;
  return G_SOURCE_REMOVE;
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Gen *gen = user_data;
  g_autofree char *description = NULL;
  g_autoptr(GstBus) bus = NULL;

  gen->done_at = g_get_real_time ();
  if (!echoes_video_provider_generate_finish (ECHOES_VIDEO_PROVIDER (object), result, &gen->error))
    {
      gen->done = TRUE;
      return;
    }

  /* Playable: decoded from disk, in the main loop like the app's player. */
  description = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! videoconvert ! fakesink", gen->output);
  if (!(gen->pipeline = gst_parse_launch (description, &gen->error)))
    {
      gen->done = TRUE;
      return;
    }
  bus = gst_element_get_bus (gen->pipeline);
  gst_bus_add_watch (bus, bus_cb, gen);
  gst_element_set_state (gen->pipeline, GST_STATE_PAUSED);
}

/* The MP4 the fake Runway hands out for every task: real, so "playable" means decoded. */
static void
serve_real_video (const char *runway_url,
                  const char *dir)
{
  g_autofree char *video = echoes_test_media_make_clip (dir, "runway.mp4", 1280, 720, 150, 0);
  g_autofree char *address = g_strconcat (runway_url, "/_test/output", NULL);
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *b64 = NULL;
  g_autofree char *body = NULL;
  gsize len = 0;

  if (!g_file_get_contents (video, &data, &len, &error))
    g_error ("%s", error->message);
  b64 = g_base64_encode ((const guchar *) data, len);
  body = g_strdup_printf ("{\"base64\": \"%s\"}", b64);
  answer = test_http_json ("POST", address, body);
  g_print ("# the fake Runway serves a real MP4: 1280×720, 5 s, %" G_GSIZE_FORMAT " bytes\n", len);
}

/* The fake's tasks: id → {created_at, finished_at, image} (ms since the epoch, URL). */
static JsonNode *
runway_tasks (const char *runway_url)
{
  g_autofree char *address = g_strconcat (runway_url, "/_test/stats", NULL);
  g_autoptr(JsonNode) stats = test_http_json ("GET", address, NULL);

  return json_node_copy (json_object_get_member (json_node_get_object (stats), "tasks"));
}

/* The task of a clip: the one started with its photo (images/{user}/{project}/{clip}.jpg). */
static JsonObject *
task_of_clip (JsonNode   *tasks,
              const char *clip_id)
{
  g_autoptr(GList) members = json_object_get_values (json_node_get_object (tasks));
  g_autofree char *name = g_strconcat ("/", clip_id, ".jpg", NULL);

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonObject *task = json_node_get_object (l->data);
      const char *image = json_object_get_string_member_with_default (task, "image", NULL);

      if (image != NULL && g_str_has_suffix (image, name))
        return task;
    }
  return NULL;
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static EchoesAuth *
new_user (const char *url,
          const char *anon_key,
          guint       i)
{
  g_autofree char *email = g_strdup_printf ("bench-%u-%08x@example.com", i, g_random_int ());
  EchoesAuth *auth = echoes_auth_new_full (url, anon_key, FALSE);
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  echoes_auth_sign_up_async (auth, email, "correct horse battery", NULL, result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!echoes_auth_sign_up_finish (auth, result, NULL, &error))
    g_error ("sign-up: %s", error->message);
  g_object_unref (result);
  return auth;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Sets the fake Runway's behaviour (`POST /_test/mode`). */
static void
runway_mode (const char *runway_url,
             const char *json)
{
  g_autofree char *address = g_strconcat (runway_url, "/_test/mode", NULL);
  g_autoptr(JsonNode) answer = test_http_json ("POST", address, json);
}

/* One round of @n concurrent clips, each by a new account; returns how many failed. */
static guint
run_round (const char *url,
           const char *anon_key,
           const char *runway_url,
           const char *dir,
           guint       n)
{
  g_autofree Gen *gens = g_new0 (Gen, n);
  g_autofree double *latency = g_new0 (double, n);
  g_autofree double *requests = g_new0 (double, n);
  g_autofree double *download = g_new0 (double, n);
  g_autofree double *seen = g_new0 (double, n);
  g_autofree double *ready = g_new0 (double, n);
  g_autoptr(JsonNode) tasks = NULL;
  guint ok = 0;
  double total_requests = 0;

  for (guint i = 0; i < n; i++)
    {
      Gen *gen = &gens[i];
      g_autofree char *name = g_strdup_printf ("photo-%u.jpg", i);

      gen->auth = new_user (url, anon_key, i);
      gen->provider = echoes_runway_provider_new (gen->auth);
      gen->project_id = g_uuid_string_random ();
      gen->clip_id = g_uuid_string_random ();
      gen->image = echoes_test_write_jpeg (dir, name, 640, 360, 0x3366aa + i);
      gen->output = g_strdup_printf ("%s/clips/%s/%s.mp4", dir, gen->project_id, gen->clip_id);
    }

  for (guint i = 0; i < n; i++)
    {
      Gen *gen = &gens[i];
      EchoesVideoRequest request = {
        .image_path = gen->image, .ratio = "16:9", .duration = 5, .output_path = gen->output,
        .project_id = gen->project_id, .clip_id = gen->clip_id,
      };

      echoes_video_provider_generate_async (ECHOES_VIDEO_PROVIDER (gen->provider), &request,
                                            progress_cb, gen, NULL, NULL, done_cb, gen);
    }

  for (guint i = 0; i < n; i++)
    while (!gens[i].done)
      g_main_context_iteration (NULL, TRUE);

  tasks = runway_tasks (runway_url);
  for (guint i = 0; i < n; i++)
    {
      Gen *gen = &gens[i];
      JsonObject *task = task_of_clip (tasks, gen->clip_id);
      double succeeded;

      if (gen->error == NULL && task == NULL)
        gen->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "The fake Runway has no task for it");
      if (gen->error != NULL)
        {
          g_print ("# clip %u failed: %s\n", i, gen->error->message);
          continue;
        }
      requests[ok] = echoes_runway_provider_get_n_status_requests (gen->provider);
      total_requests += requests[ok];
      /* Runway "succeeded" TASK_SECONDS after it started the task (ms since the epoch). */
      succeeded = json_object_get_double_member (task, "created_at") / 1000.0 + TASK_SECONDS;
      latency[ok] = gen->playable_at / (double) G_USEC_PER_SEC - succeeded;
      download[ok] = gen->done_at / (double) G_USEC_PER_SEC - succeeded;
      ready[ok] = gen->ready_at / (double) G_USEC_PER_SEC - succeeded;
      seen[ok] = json_object_get_double_member (task, "finished_at") / 1000.0 - succeeded;
      ok++;
    }

  if (ok > 0)
    {
      qsort (latency, ok, sizeof (double), compare_double);
      qsort (download, ok, sizeof (double), compare_double);
      qsort (seen, ok, sizeof (double), compare_double);
      qsort (ready, ok, sizeof (double), compare_double);
      qsort (requests, ok, sizeof (double), compare_double);
      g_print ("status requests per clip: mean %.1f, max %.0f (goal ≤ 12)\n",
               total_requests / ok, requests[ok - 1]);
      g_print ("succeeded → seen by the server: median %.2f s, max %.2f s\n",
               seen[ok / 2], seen[ok - 1]);
      g_print ("succeeded → ready (copied to storage, credit committed): median %.2f s, max %.2f s\n",
               ready[ok / 2], ready[ok - 1]);
      g_print ("succeeded → downloaded: median %.2f s, max %.2f s\n",
               download[ok / 2], download[ok - 1]);
      g_print ("succeeded → playable (first frame decoded): median %.2f s, max %.2f s (goal ≤ 3 s)\n",
               latency[ok / 2], latency[ok - 1]);
    }
  g_print ("failed: %u of %u\n", n - ok, n);

  for (guint i = 0; i < n; i++)
    {
      g_clear_object (&gens[i].provider);
      g_clear_object (&gens[i].auth);
      g_clear_error (&gens[i].error);
      g_free (gens[i].image);
      g_free (gens[i].output);
      g_free (gens[i].project_id);
      g_free (gens[i].clip_id);
    }
  return n - ok;
}

int
main (int   argc,
      char *argv[])
{
  const char *url = g_getenv ("ECHOES_SUPABASE_URL");
  const char *anon_key = g_getenv ("ECHOES_SUPABASE_ANON_KEY");
  const char *runway_url = g_getenv ("ECHOES_TEST_RUNWAY_URL");
  guint n = g_getenv ("ECHOES_BENCH_N") ? (guint) g_ascii_strtoull (g_getenv ("ECHOES_BENCH_N"), NULL, 10) : 20;
  g_autofree char *dir = NULL;
  guint failed = 0;

  echoes_test_init (&argc, &argv);
  gst_init (&argc, &argv);
  if (url == NULL || anon_key == NULL || runway_url == NULL || *runway_url == '\0')
    g_error ("run through tests/cloud-standin.sh");

  dir = g_dir_make_tmp ("echoes-bench-runway-XXXXXX", NULL);
  serve_real_video (runway_url, dir);

  g_print ("# %u concurrent AI clips, fake Runway tasks of %.0f s, progress moving smoothly\n", n, TASK_SECONDS);
  runway_mode (runway_url, "{\"progress_step_ms\": 0}");
  failed += run_round (url, anon_key, runway_url, dir, n);

  /* Runway's own progress moves about every 5 s: the estimate is coarser. */
  g_print ("# the same, progress moving in 5 s steps\n");
  runway_mode (runway_url, "{\"progress_step_ms\": 5000}");
  failed += run_round (url, anon_key, runway_url, dir, n);

  echoes_test_remove_tree (dir);
  return failed == 0 ? 0 : 1;
}
