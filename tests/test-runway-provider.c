/* test-runway-provider.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "echoes-auth.h"
#include "echoes-runway-provider.h"
#include "echoes-test-cloud.h"
#include "echoes-test-util.h"

/* The runway provider's rules against a SoupServer on loopback standing in for the
 * account server: the first status request after the server's retry_after_seconds, then
 * after its estimate while the progress moves, else backing off; never two status requests in flight for one clip, even when the clip is
 * asked for twice; failures mapped to their codes; Cancel tells the server. */

#define SCALE 0.1  /* poll-scale: every wait 10× shorter, same order */
#define VIDEO "not really an mp4, but the bytes the server gave"

typedef struct
{
  FakeServer *fake;
  EchoesAuth *auth;
  char       *dir;

  /* what the fake functions do */
  const char *final_status;   /* "ready", "failed" */
  const char *failure;        /* clips.error of a failed clip */
  guint       status_before_final; /* "generating" answers first */
  const char *const *generating;   /* their bodies, in turn (the last one repeats) */
  gboolean    no_credits;
  gboolean    hold_first_status;   /* pause the first clip-status for a while */
  guint       fail_status_at;      /* this clip-status (1-based) answers 503 */

  /* what they saw */
  guint       in_flight;
  guint       max_in_flight;
  GArray     *status_times;   /* gint64 µs */
  gint64      generated_at;
} Fixture;

static gboolean
release_cb (gpointer data)
{
  SoupServerMessage *msg = data;
  Fixture *f = g_object_get_data (G_OBJECT (msg), "fixture");

  f->in_flight--;
  fake_server_json (msg, 200, "{\"status\":\"generating\",\"state\":\"running\",\"progress\":0.5,\"retry_after_seconds\":5}");
  soup_server_message_unpause (msg);
  return G_SOURCE_REMOVE;
}

static gboolean
functions_handler (FakeServer        *fake,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           data)
{
  Fixture *f = data;

  if (g_str_equal (path, "/functions/v1/generate-clip"))
    {
      if (f->no_credits)
        {
          fake_server_json (msg, 402, "{\"error\":\"insufficient credits\",\"code\":\"insufficient_credits\",\"credit_balance\":0}");
          return TRUE;
        }
      f->generated_at = g_get_monotonic_time ();
      fake_server_json (msg, 200, "{\"clip_id\":\"c\",\"status\":\"generating\",\"task_id\":\"t1\",\"credit_balance\":0}");
      return TRUE;
    }

  if (g_str_equal (path, "/functions/v1/clip-status"))
    {
      gint64 now = g_get_monotonic_time ();

      g_array_append_val (f->status_times, now);
      f->in_flight++;
      f->max_in_flight = MAX (f->max_in_flight, f->in_flight);

      if (f->hold_first_status && f->status_times->len == 1)
        {
          g_object_set_data (G_OBJECT (msg), "fixture", f);
          soup_server_message_pause (msg);
          g_timeout_add_full (G_PRIORITY_DEFAULT, 300, release_cb, g_object_ref (msg), g_object_unref);
          return TRUE;
        }

      f->in_flight--;
      if (f->status_times->len == f->fail_status_at)
        fake_server_json (msg, 503, "{\"message\":\"The function is overloaded\"}");
      else if (f->status_times->len <= f->status_before_final && f->generating != NULL)
        {
          guint n = g_strv_length ((char **) f->generating);

          fake_server_json (msg, 200, f->generating[MIN (f->status_times->len, n) - 1]);
        }
      else if (f->status_times->len <= f->status_before_final)
        fake_server_json (msg, 200, "{\"status\":\"generating\",\"state\":\"running\",\"progress\":0.5,\"retry_after_seconds\":5}");
      else if (g_str_equal (f->final_status, "ready"))
        {
          g_autofree char *json = g_strdup_printf ("{\"status\":\"ready\",\"error\":null,\"video_path\":\"u/p/c.mp4\","
                                                   "\"video_url\":\"%s/storage/v1/object/sign/clips/u/p/c.mp4?token=x\"}",
                                                   fake->url);
          fake_server_json (msg, 200, json);
        }
      else
        {
          g_autofree char *json = g_strdup_printf ("{\"status\":\"failed\",\"error\":\"%s\",\"credit_released\":true,\"credit_balance\":1}",
                                                   f->failure);
          fake_server_json (msg, 200, json);
        }
      return TRUE;
    }

  if (g_str_has_prefix (path, "/storage/v1/object/sign/clips/")
      && g_str_equal (soup_server_message_get_method (msg), "GET"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "video/mp4", SOUP_MEMORY_STATIC, VIDEO, strlen (VIDEO));
      return TRUE;
    }

  if (g_str_equal (path, "/functions/v1/cancel-generation"))
    {
      fake_server_json (msg, 200, "{\"status\":\"failed\",\"error\":\"GENERATION_CANCELLED: by the user\",\"cancelled\":true,\"credit_released\":true,\"credit_balance\":1}");
      return TRUE;
    }

  return FALSE;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  f->fake = fake_server_new ();
  f->fake->handler = functions_handler;
  f->fake->handler_data = f;
  f->status_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  f->final_status = "ready";
  f->status_before_final = 2;
  f->dir = g_dir_make_tmp ("echoes-runway-XXXXXX", NULL);

  f->auth = echoes_auth_new_full (f->fake->url, FAKE_ANON_KEY, FALSE);
  echoes_auth_sign_in_async (f->auth, FAKE_EMAIL, FAKE_PASSWORD, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_auth_sign_in_finish (f->auth, result, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->auth);
  g_array_unref (f->status_times);
  echoes_test_remove_tree (f->dir);
  g_free (f->dir);
  fake_server_free (f->fake);
}

typedef struct
{
  gboolean  done;
  GError   *error;
  double    last_progress;
} Wait;

static void
progress_cb (double   fraction,
             gpointer user_data)
{
  Wait *wait = user_data;

  g_assert_false (wait->done);
  g_assert_cmpfloat (fraction, >=, wait->last_progress);
  wait->last_progress = fraction;
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  echoes_video_provider_generate_finish (ECHOES_VIDEO_PROVIDER (object), result, &wait->error);
  wait->done = TRUE;
}

static void
start (Fixture              *f,
       EchoesRunwayProvider *provider,
       GCancellable         *cancellable,
       Wait                 *wait,
       char                **output)
{
  g_autofree char *image = echoes_test_write_jpeg (f->dir, "photo.jpg", 64, 48, 0x808080);
  EchoesVideoRequest request = { 0 };

  *output = g_build_filename (f->dir, "clips", "p", "c.mp4", NULL);
  request.image_path = image;
  request.prompt = "Waves roll in";
  request.ratio = "9:16";
  request.duration = 10;
  request.output_path = *output;
  request.project_id = "00000000-0000-4000-8000-0000000000aa";
  request.clip_id = "00000000-0000-4000-8000-0000000000bb";
  echoes_video_provider_generate_async (ECHOES_VIDEO_PROVIDER (provider), &request,
                                        progress_cb, wait, NULL, cancellable, done_cb, wait);
}

static void
test_polling (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(EchoesRunwayProvider) provider = echoes_runway_provider_new (f->auth);
  g_autofree char *output = NULL;
  g_autofree char *output2 = NULL;
  g_autofree char *contents = NULL;
  Wait a = { 0 }, b = { 0 };
  /* The answers (the first is held, and answered the same by release_cb), then "ready". */
#define STILL "{\"status\":\"generating\",\"state\":\"running\",\"progress\":0.5,\"retry_after_seconds\":5}"
  static const char *const generating[] = {
    STILL, STILL, STILL, STILL, STILL,
    "{\"status\":\"generating\",\"state\":\"running\",\"progress\":0.9,\"retry_after_seconds\":1.5}",
    NULL
  };
#undef STILL
  /* generate-clip gives no retry_after_seconds: 5 s. Then the server's 5 s while the
   * progress moved (0.5 at first) and for three answers more without new progress; after
   * the fourth, ×1.5 (7.5 s). The progress moved (0.9): the server's estimate of the time
   * left, 1.5 s, sooner than the backing off would. */
  const double expected[] = { 5.0, 5.0, 5.0, 5.0, 5.0, 7.5, 1.5 };

  echoes_runway_provider_set_poll_scale (provider, SCALE);
  f->hold_first_status = TRUE;
  f->status_before_final = 6;
  f->generating = generating;

  /* Asked for twice: the second joins the first. */
  start (f, provider, NULL, &a, &output);
  start (f, provider, NULL, &b, &output2);
  echoes_test_wait (&a.done);
  echoes_test_wait (&b.done);
  g_assert_no_error (a.error);
  g_assert_no_error (b.error);

  g_assert_cmpuint (fake_server_hits (f->fake, "POST /functions/v1/generate-clip"), ==, 1);
  g_assert_cmpuint (f->status_times->len, ==, 7);
  g_assert_cmpuint (echoes_runway_provider_get_n_status_requests (provider), ==, 7);
  g_assert_cmpuint (f->max_in_flight, ==, 1);

  /* Timers never fire early: each wait is at least what the rules say. */
  for (guint i = 0; i < f->status_times->len; i++)
    {
      gint64 before = i == 0 ? f->generated_at : g_array_index (f->status_times, gint64, i - 1);
      gint64 gap = g_array_index (f->status_times, gint64, i) - before;

      g_assert_cmpint (gap, >=, (gint64) (expected[i] * SCALE * G_USEC_PER_SEC) - 1000);
    }
  /* …and the estimate was followed: sooner than the 8 s of backing off. */
  g_assert_cmpint (g_array_index (f->status_times, gint64, 6) - g_array_index (f->status_times, gint64, 5),
                   <, (gint64) (8.0 * SCALE * G_USEC_PER_SEC) - 1000);

  /* The generate-clip request carried the clip, the prompt, Runway's ratio and length. */
  g_assert_true (g_file_get_contents (output, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, VIDEO);
  g_assert_cmpfloat (a.last_progress, ==, 1.0);
  g_assert_cmpuint (fake_server_hits (f->fake, "POST /storage/v1/object/images/" FAKE_USER_ID
                                      "/00000000-0000-4000-8000-0000000000aa/00000000-0000-4000-8000-0000000000bb.jpg"), ==, 1);
}

/* Runway itself, for the user's own key: 24 s in and 75 % done, then done. */
static void
runway_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           data)
{
  Fixture *f = data;

  if (g_str_equal (path, "/v1/image_to_video"))
    {
      f->generated_at = g_get_monotonic_time ();
      fake_server_json (msg, 200, "{\"id\":\"t1\"}");
    }
  else if (g_str_equal (path, "/v1/tasks/t1"))
    {
      gint64 now = g_get_monotonic_time ();
      g_autoptr(GDateTime) utc = g_date_time_new_now_utc ();
      g_autoptr(GDateTime) created = g_date_time_add_seconds (utc, -24);
      g_autofree char *iso = g_date_time_format_iso8601 (created);
      g_autoptr(GUri) base = g_uri_ref (soup_server_message_get_uri (msg));
      g_autofree char *json = NULL;

      g_array_append_val (f->status_times, now);
      if (f->status_times->len == 1)
        json = g_strdup_printf ("{\"id\":\"t1\",\"status\":\"RUNNING\",\"createdAt\":\"%s\",\"progress\":0.75}", iso);
      else
        json = g_strdup_printf ("{\"id\":\"t1\",\"status\":\"SUCCEEDED\",\"createdAt\":\"%s\","
                                "\"output\":[\"http://127.0.0.1:%d/output/t1.mp4\"]}", iso, g_uri_get_port (base));
      fake_server_json (msg, 200, json);
    }
  else if (g_str_equal (path, "/output/t1.mp4"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "video/mp4", SOUP_MEMORY_STATIC, VIDEO, strlen (VIDEO));
    }
  else
    soup_server_message_set_status (msg, 404, NULL);
}

/* The user's own key: Runway is asked directly, and the time left is estimated here from
 * the task's createdAt and progress, as the server does otherwise. */
static void
test_own_key_polling (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(EchoesRunwayProvider) provider = echoes_runway_provider_new (f->auth);
  g_autofree char *output = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(SoupServer) runway = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  GSList *uris;
  Wait wait = { 0 };
  gint64 first, second;

  soup_server_add_handler (runway, NULL, runway_cb, f, NULL);
  soup_server_listen_local (runway, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (runway);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  echoes_runway_provider_set_poll_scale (provider, SCALE);
  echoes_runway_provider_set_api_key (provider, "key_0123456789abcdef", url);
  start (f, provider, NULL, &wait, &output);
  echoes_test_wait (&wait.done);
  g_assert_no_error (wait.error);
  g_assert_true (g_file_get_contents (output, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, VIDEO);
  g_assert_cmpuint (fake_server_hits (f->fake, "POST /functions/v1/generate-clip"), ==, 0);
  g_assert_cmpuint (f->status_times->len, ==, 2);

  /* First after the default 5 s; then after the estimate, (24 s × 0.25 − 4 s) / 0.75 ≈ 2.7 s
   * (see direct_retry_after()), not the 5 s of the default. */
  first = g_array_index (f->status_times, gint64, 0) - f->generated_at;
  second = g_array_index (f->status_times, gint64, 1) - g_array_index (f->status_times, gint64, 0);
  g_assert_cmpint (first, >=, (gint64) (5.0 * SCALE * G_USEC_PER_SEC) - 1000);
  g_assert_cmpint (second, >=, (gint64) (2.6 * SCALE * G_USEC_PER_SEC) - 1000);
  g_assert_cmpint (second, <, (gint64) (5.0 * SCALE * G_USEC_PER_SEC) - 1000);
  soup_server_disconnect (runway);
}

/* A status request the server could not answer (503): the clip goes on generating, asked
 * again later, backing off; no error reaches the caller. */
static void
test_status_unavailable (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(EchoesRunwayProvider) provider = echoes_runway_provider_new (f->auth);
  g_autofree char *output = NULL;
  Wait wait = { 0 };
  /* 5 s at first, the server's 5 s after the first progress; after the 503: ×1.5 (7.5 s),
   * and again (8 s) since the progress has not moved. */
  const double expected[] = { 5.0, 5.0, 7.5, 8.0 };

  echoes_runway_provider_set_poll_scale (provider, SCALE);
  f->fail_status_at = 2;
  f->status_before_final = 3;
  start (f, provider, NULL, &wait, &output);
  echoes_test_wait (&wait.done);
  g_assert_no_error (wait.error);
  g_assert_true (g_file_test (output, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (f->status_times->len, ==, 4);
  for (guint i = 0; i < f->status_times->len; i++)
    {
      gint64 before = i == 0 ? f->generated_at : g_array_index (f->status_times, gint64, i - 1);
      gint64 gap = g_array_index (f->status_times, gint64, i) - before;

      g_assert_cmpint (gap, >=, (gint64) (expected[i] * SCALE * G_USEC_PER_SEC) - 1000);
    }
}

static void
test_moderation (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(EchoesRunwayProvider) provider = echoes_runway_provider_new (f->auth);
  g_autofree char *output = NULL;
  Wait wait = { 0 };

  echoes_runway_provider_set_poll_scale (provider, 0.01);
  f->final_status = "failed";
  f->failure = "SAFETY.INPUT.IMAGE: refused";
  start (f, provider, NULL, &wait, &output);
  echoes_test_wait (&wait.done);
  g_assert_error (wait.error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_MODERATION);
  g_clear_error (&wait.error);
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
}

static void
test_no_credits (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(EchoesRunwayProvider) provider = echoes_runway_provider_new (f->auth);
  g_autofree char *output = NULL;
  Wait wait = { 0 };

  f->no_credits = TRUE;
  start (f, provider, NULL, &wait, &output);
  echoes_test_wait (&wait.done);
  g_assert_error (wait.error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_NO_CREDITS);
  g_clear_error (&wait.error);
  g_assert_cmpuint (f->status_times->len, ==, 0);
}

static gboolean
polled_cb (gpointer data)
{
  Fixture *f = data;

  return f->status_times->len > 0;
}

static gboolean
cancel_sent_cb (gpointer data)
{
  Fixture *f = data;

  return fake_server_hits (f->fake, "POST /functions/v1/cancel-generation") == 1;
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(EchoesRunwayProvider) provider = echoes_runway_provider_new (f->auth);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *output = NULL;
  Wait wait = { 0 };

  echoes_runway_provider_set_poll_scale (provider, SCALE);
  f->status_before_final = 1000;
  start (f, provider, cancellable, &wait, &output);
  g_assert_true (echoes_test_wait_until (polled_cb, f, 30000));

  /* Cancelled while waiting for the next poll: at once, and the server is told. */
  g_cancellable_cancel (cancellable);
  echoes_test_wait (&wait.done);
  g_assert_error (wait.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&wait.error);
  g_assert_true (echoes_test_wait_until (cancel_sent_cb, f, 30000));
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);

  g_test_add ("/runway-provider/polling", Fixture, NULL, fixture_setup, test_polling, fixture_teardown);
  g_test_add ("/runway-provider/own-key-polling", Fixture, NULL, fixture_setup, test_own_key_polling, fixture_teardown);
  g_test_add ("/runway-provider/status-unavailable", Fixture, NULL, fixture_setup, test_status_unavailable, fixture_teardown);
  g_test_add ("/runway-provider/moderation", Fixture, NULL, fixture_setup, test_moderation, fixture_teardown);
  g_test_add ("/runway-provider/no-credits", Fixture, NULL, fixture_setup, test_no_credits, fixture_teardown);
  g_test_add ("/runway-provider/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);

  return g_test_run ();
}
