/* test-runway-standin.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "echoes-auth.h"
#include "echoes-cloud-error.h"
#include "echoes-credits-client.h"
#include "echoes-functions-client.h"
#include "echoes-generation-queue.h"
#include "echoes-paths.h"
#include "echoes-store.h"
#include "echoes-runway-key.h"
#include "echoes-runway-provider.h"
#include "echoes-test-cloud.h"
#include "echoes-test-media.h"
#include "echoes-test-util.h"

/* AI clips and credits end to end against the real stand-in (real PostgreSQL with RLS, the
 * Edge Functions, the fake Runway and the fake Stripe with signed webhooks), started by
 * tests/cloud-standin.sh. Every account is new: 1 free credit. */

static char *url;
static char *anon_key;
static char *runway_url;
static char *stripe_url;
static char *work_dir;

/* ---- helpers ---- */

static void
runway_mode (const char *json)
{
  g_autofree char *address = g_strconcat (runway_url, "/_test/mode", NULL);
  g_autoptr(JsonNode) node = test_http_json ("POST", address, json);
}

static gint64
runway_starts (void)
{
  g_autofree char *address = g_strconcat (runway_url, "/_test/stats", NULL);
  g_autoptr(JsonNode) node = test_http_json ("GET", address, NULL);

  return json_object_get_int_member (json_node_get_object (node), "starts");
}

static EchoesAuth *
new_user (void)
{
  g_autofree char *email = g_strdup_printf ("runway-%08x%08x@example.com", g_random_int (), g_random_int ());
  g_autoptr(EchoesAuth) auth = echoes_auth_new_full (url, anon_key, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  echoes_auth_sign_up_async (auth, email, "correct horse battery", NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_auth_sign_up_finish (auth, result, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (echoes_auth_get_signed_in (auth));
  return g_steal_pointer (&auth);
}

static EchoesRunwayProvider *
new_provider (EchoesAuth *auth)
{
  EchoesRunwayProvider *provider = echoes_runway_provider_new (auth);

  /* The fake finishes fast: the same sequence of requests, 20× sooner. */
  echoes_runway_provider_set_poll_scale (provider, 0.05);
  return provider;
}

typedef struct
{
  char   *project_id;
  char   *clip_id;
  char   *image;
  char   *output;
} Clip;

static void
clip_clear (Clip *clip)
{
  g_free (clip->project_id);
  g_free (clip->clip_id);
  g_free (clip->image);
  g_free (clip->output);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Clip, clip_clear)

static void
clip_init (Clip       *clip,
           const char *project_id)
{
  g_autofree char *name = NULL;

  clip->project_id = project_id ? g_strdup (project_id) : g_uuid_string_random ();
  clip->clip_id = g_uuid_string_random ();
  name = g_strconcat (clip->clip_id, ".jpg", NULL);
  clip->image = echoes_test_write_jpeg (work_dir, name, 320, 240, 0x336699);
  clip->output = g_strdup_printf ("%s/clips/%s/%s.mp4", work_dir, clip->project_id, clip->clip_id);
}

typedef struct
{
  gboolean  done;
  GError   *error;
} Wait;

static void
generated_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Wait *wait = user_data;

  echoes_video_provider_generate_finish (ECHOES_VIDEO_PROVIDER (object), result, &wait->error);
  wait->done = TRUE;
}

static void
start_generate (EchoesRunwayProvider *provider,
                Clip                 *clip,
                const char           *prompt,
                Wait                 *wait)
{
  EchoesVideoRequest request = {
    .image_path = clip->image,
    .prompt = prompt,
    .ratio = "16:9",
    .duration = 5,
    .seed = 7,
    .output_path = clip->output,
    .project_id = clip->project_id,
    .clip_id = clip->clip_id,
  };

  echoes_video_provider_generate_async (ECHOES_VIDEO_PROVIDER (provider), &request, NULL, NULL,
                                        NULL, NULL, generated_cb, wait);
}

static GError *
generate (EchoesRunwayProvider *provider,
          Clip                 *clip,
          const char           *prompt)
{
  Wait wait = { 0 };

  start_generate (provider, clip, prompt, &wait);
  echoes_test_wait (&wait.done);
  return wait.error;
}

static int
balance_of (EchoesAuth *auth)
{
  g_autoptr(EchoesCreditsClient) credits = echoes_credits_client_new (auth);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  int balance = -1;

  echoes_credits_client_get_balance_async (credits, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_credits_client_get_balance_finish (credits, result, &balance, NULL, &error));
  g_assert_no_error (error);
  return balance;
}

static GPtrArray *
ledger_of (EchoesAuth *auth)
{
  g_autoptr(EchoesCreditsClient) credits = echoes_credits_client_new (auth);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *ledger;

  echoes_credits_client_list_ledger_async (credits, 0, NULL, test_result_cb, &result);
  test_wait_result (&result);
  ledger = echoes_credits_client_list_ledger_finish (credits, result, &error);
  g_assert_no_error (error);
  return ledger;
}

static guint
count_kind (GPtrArray  *ledger,
            const char *kind,
            const char *clip_id,
            int        *sum)
{
  guint n = 0;

  for (guint i = 0; i < ledger->len; i++)
    {
      EchoesCreditEntry *entry = ledger->pdata[i];

      if (g_str_equal (entry->kind, kind) && (clip_id == NULL || g_strcmp0 (entry->clip_id, clip_id) == 0))
        {
          n++;
          if (sum != NULL)
            *sum += entry->amount;
        }
    }
  return n;
}

/* The file decodes to the end with GStreamer, from disk only. */
static void
assert_playable (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *description = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! videoconvert ! fakesink", path);
  g_autoptr(GstDiscovererInfo) info = echoes_test_media_discover (path);
  g_autoptr(GList) videos = gst_discoverer_info_get_video_streams (info);

  g_assert_nonnull (videos);
  gst_discoverer_stream_info_list_free (g_steal_pointer (&videos));
  g_assert_true (echoes_test_media_run (description, &error));
  g_assert_no_error (error);
}

/* ---- tests ---- */

static void
test_generate (void)
{
  g_autoptr(EchoesAuth) auth = new_user ();
  g_autoptr(EchoesRunwayProvider) provider = new_provider (auth);
  g_autoptr(EchoesRunwayProvider) other = new_provider (auth);
  g_autoptr(GPtrArray) ledger = NULL;
  g_auto(Clip) clip = { 0 };
  g_auto(Clip) second = { 0 };
  Wait a = { 0 }, b = { 0 }, c = { 0 };
  gint64 starts;
  GError *error;

  clip_init (&clip, NULL);
  g_assert_cmpint (balance_of (auth), ==, 1);
  starts = runway_starts ();

  /* Generate clicked twice, and the same clip from another provider object (another run
   * of the app): one charge, one Runway task, all three get the video. */
  start_generate (provider, &clip, "The leaves move in the wind", &a);
  start_generate (provider, &clip, "The leaves move in the wind", &b);
  start_generate (other, &clip, "The leaves move in the wind", &c);
  echoes_test_wait (&a.done);
  echoes_test_wait (&b.done);
  echoes_test_wait (&c.done);
  g_assert_no_error (a.error);
  g_assert_no_error (b.error);
  g_assert_no_error (c.error);
  g_assert_cmpint (runway_starts (), ==, starts + 1);

  g_assert_true (g_file_test (clip.output, G_FILE_TEST_IS_REGULAR));
  assert_playable (clip.output);
  g_assert_cmpint (balance_of (auth), ==, 0);
  ledger = ledger_of (auth);
  g_assert_cmpuint (count_kind (ledger, "generation_reserve", clip.clip_id, NULL), ==, 1);
  g_assert_cmpuint (count_kind (ledger, "generation_release", NULL, NULL), ==, 0);
  g_assert_cmpuint (count_kind (ledger, "signup_bonus", NULL, NULL), ==, 1);
  g_assert_cmpuint (echoes_runway_provider_get_n_status_requests (provider), >=, 1);

  /* No credit left: a clear refusal, and Runway is never called. */
  clip_init (&second, clip.project_id);
  starts = runway_starts ();
  error = generate (provider, &second, NULL);
  g_assert_error (error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_NO_CREDITS);
  g_clear_error (&error);
  g_assert_cmpint (runway_starts (), ==, starts);
  g_assert_false (g_file_test (second.output, G_FILE_TEST_EXISTS));
  g_assert_cmpint (balance_of (auth), ==, 0);
}

static void
test_failures (void)
{
  g_autoptr(EchoesAuth) auth = new_user ();
  g_autoptr(EchoesRunwayProvider) provider = new_provider (auth);
  g_autoptr(GPtrArray) ledger = NULL;
  g_auto(Clip) failing = { 0 };
  g_auto(Clip) refused = { 0 };
  int released = 0;
  GError *error;

  clip_init (&failing, NULL);
  clip_init (&refused, failing.project_id);

  /* The provider fails: clip failed, credit back. */
  runway_mode ("{\"fail\": \"INTERNAL.BAD_OUTPUT.CODE01\"}");
  error = generate (provider, &failing, NULL);
  g_assert_error (error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (balance_of (auth), ==, 1);

  /* A moderation refusal: its own code, credit back too. */
  runway_mode ("{\"fail\": \"SAFETY.INPUT.IMAGE\"}");
  error = generate (provider, &refused, NULL);
  runway_mode ("{\"fail\": null}");
  g_assert_error (error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_MODERATION);
  g_clear_error (&error);
  g_assert_cmpint (balance_of (auth), ==, 1);
  g_assert_false (g_file_test (refused.output, G_FILE_TEST_EXISTS));

  ledger = ledger_of (auth);
  g_assert_cmpuint (count_kind (ledger, "generation_reserve", NULL, NULL), ==, 2);
  g_assert_cmpuint (count_kind (ledger, "generation_release", failing.clip_id, &released), ==, 1);
  g_assert_cmpuint (count_kind (ledger, "generation_release", refused.clip_id, &released), ==, 1);
  g_assert_cmpint (released, ==, 2);
}

static gboolean
polled_cb (gpointer data)
{
  return echoes_runway_provider_get_n_status_requests (data) > 0;
}

static void
test_resume (void)
{
  g_autoptr(EchoesAuth) auth = new_user ();
  g_autoptr(EchoesRunwayProvider) provider = new_provider (auth);
  g_autoptr(EchoesRunwayProvider) again = NULL;
  g_autoptr(GPtrArray) ledger = NULL;
  g_auto(Clip) clip = { 0 };
  Wait first = { 0 };
  gint64 starts = runway_starts ();
  GError *error;

  clip_init (&clip, NULL);
  start_generate (provider, &clip, NULL, &first);
  g_assert_true (echoes_test_wait_until (polled_cb, provider, 60000));

  /* The app goes away mid-generation: nothing is cancelled on the server. */
  echoes_runway_provider_detach_all (provider);
  echoes_test_wait (&first.done);
  g_assert_error (first.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&first.error);
  g_assert_finalize_object (g_steal_pointer (&provider));
  g_assert_false (g_file_test (clip.output, G_FILE_TEST_EXISTS));

  /* The next run asks for the same clip: it follows the job, no second charge. */
  again = new_provider (auth);
  error = generate (again, &clip, NULL);
  g_assert_no_error (error);
  assert_playable (clip.output);
  g_assert_cmpint (runway_starts (), ==, starts + 1);
  g_assert_cmpint (balance_of (auth), ==, 0);
  ledger = ledger_of (auth);
  g_assert_cmpuint (count_kind (ledger, "generation_reserve", clip.clip_id, NULL), ==, 1);
  g_assert_cmpuint (count_kind (ledger, "generation_release", NULL, NULL), ==, 0);
}

static void
test_cancel (void)
{
  g_autoptr(EchoesAuth) auth = new_user ();
  g_autoptr(EchoesRunwayProvider) provider = new_provider (auth);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(Clip) clip = { 0 };
  Wait wait = { 0 };
  EchoesVideoRequest request = { 0 };
  g_autoptr(GPtrArray) ledger = NULL;

  clip_init (&clip, NULL);
  request.image_path = clip.image;
  request.ratio = "1:1";
  request.duration = 5;
  request.output_path = clip.output;
  request.project_id = clip.project_id;
  request.clip_id = clip.clip_id;
  echoes_video_provider_generate_async (ECHOES_VIDEO_PROVIDER (provider), &request, NULL, NULL,
                                        NULL, cancellable, generated_cb, &wait);
  g_assert_true (echoes_test_wait_until (polled_cb, provider, 60000));
  g_cancellable_cancel (cancellable);
  echoes_test_wait (&wait.done);
  g_assert_error (wait.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&wait.error);

  /* cancel-generation gave the credit back (it runs after the callback: wait for it). */
  while (balance_of (auth) != 1)
    g_main_context_iteration (NULL, FALSE);
  ledger = ledger_of (auth);
  g_assert_cmpuint (count_kind (ledger, "generation_release", clip.clip_id, NULL), ==, 1);
}

#define SUCCESS_PAGE "http://127.0.0.1:9/echoes/paid?session={CHECKOUT_SESSION_ID}"
#define CANCEL_PAGE  "http://127.0.0.1:9/echoes/cancelled"

static void
test_purchase_and_refund (void)
{
  g_autoptr(EchoesAuth) auth = new_user ();
  g_autoptr(EchoesCreditsClient) credits = echoes_credits_client_new (auth);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) packs = NULL;
  g_autoptr(GPtrArray) ledger = NULL;
  g_autofree char *checkout = NULL;
  g_autofree char *session = NULL;
  g_autofree char *pay = NULL;
  g_autofree char *redeliver = NULL;
  g_autofree char *refund = NULL;
  g_autofree char *stripe_session = NULL;
  g_autoptr(JsonNode) node = NULL;
  int sum = 0;

  echoes_credits_client_list_packs_async (credits, NULL, test_result_cb, &result);
  test_wait_result (&result);
  packs = echoes_credits_client_list_packs_finish (credits, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (packs->len, >=, 1);
  g_assert_cmpstr (((EchoesCreditPack *) packs->pdata[0])->id, ==, "pack_10");
  g_assert_cmpint (((EchoesCreditPack *) packs->pdata[0])->credits, ==, 10);
  g_clear_object (&result);

  echoes_credits_client_checkout_async (credits, "pack_nope", NULL, NULL, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_null (echoes_credits_client_checkout_finish (credits, result, NULL, &error));
  g_assert_error (error, ECHOES_CREDITS_ERROR, ECHOES_CREDITS_ERROR_UNKNOWN_PACK);
  g_clear_error (&error);
  g_clear_object (&result);

  /* A return page the server's allow-list refuses: no session. */
  echoes_credits_client_checkout_async (credits, "pack_10", "https://evil.example/?x=http://127.0.0.1:9/",
                                        NULL, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_null (echoes_credits_client_checkout_finish (credits, result, NULL, &error));
  g_assert_error (error, ECHOES_CREDITS_ERROR, ECHOES_CREDITS_ERROR_REDIRECT_REFUSED);
  g_clear_error (&error);
  g_clear_object (&result);

  /* The stand-in allows loopback pages (CHECKOUT_REDIRECT_ALLOWLIST=loopback): Stripe gets them. */
  echoes_credits_client_checkout_async (credits, "pack_10", SUCCESS_PAGE, CANCEL_PAGE, NULL,
                                        test_result_cb, &result);
  test_wait_result (&result);
  checkout = echoes_credits_client_checkout_finish (credits, result, &session, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (checkout, stripe_url));
  g_assert_nonnull (session);
  g_assert_cmpint (balance_of (auth), ==, 1);
  stripe_session = g_strdup_printf ("%s/v1/checkout/sessions/%s", stripe_url, session);
  node = test_http_json ("GET", stripe_session, NULL);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "success_url"), ==, SUCCESS_PAGE);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "cancel_url"), ==, CANCEL_PAGE);

  /* Paid; Stripe delivers the event three times: +10 once. */
  pay = g_strdup_printf ("%s/_test/checkout/%s/pay", stripe_url, session);
  redeliver = g_strdup_printf ("%s/_test/checkout/%s/redeliver", stripe_url, session);
  g_clear_pointer (&result, g_object_unref);
  json_node_unref (test_http_json ("POST", pay, NULL));
  json_node_unref (test_http_json ("POST", redeliver, NULL));
  json_node_unref (test_http_json ("POST", redeliver, NULL));
  g_assert_cmpint (balance_of (auth), ==, 11);
  ledger = ledger_of (auth);
  g_assert_cmpuint (count_kind (ledger, "purchase", NULL, &sum), ==, 1);
  g_assert_cmpint (sum, ==, 10);
  g_clear_pointer (&ledger, g_ptr_array_unref);

  /* Refunded: the 10 credits go back. */
  refund = g_strdup_printf ("%s/_test/checkout/%s/refund", stripe_url, session);
  json_node_unref (test_http_json ("POST", refund, NULL));
  g_assert_cmpint (balance_of (auth), ==, 1);
  ledger = ledger_of (auth);
  sum = 0;
  g_assert_cmpuint (count_kind (ledger, "purchase_refund", NULL, &sum), ==, 1);
  g_assert_cmpint (sum, ==, -10);
}

static GError *
redeem (EchoesAuth *auth,
        const char *code,
        int        *balance)
{
  g_autoptr(EchoesCreditsClient) credits = echoes_credits_client_new (auth);
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;

  echoes_credits_client_redeem_async (credits, code, NULL, test_result_cb, &result);
  test_wait_result (&result);
  echoes_credits_client_redeem_finish (credits, result, NULL, balance, &error);
  return error;
}

static char *
code_of (EchoesAuth *auth)
{
  g_autoptr(EchoesCreditsClient) credits = echoes_credits_client_new (auth);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *code = NULL;

  echoes_credits_client_get_balance_async (credits, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_credits_client_get_balance_finish (credits, result, NULL, &code, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (code), ==, 8);
  return code;
}

static void
test_referral (void)
{
  g_autoptr(EchoesAuth) alice = new_user ();
  g_autoptr(EchoesAuth) bob = new_user ();
  g_autofree char *alice_code = code_of (alice);
  g_autofree char *bob_code = code_of (bob);
  g_autofree char *spaced = NULL;
  int balance = -1;
  GError *error;

  /* Unknown, own. */
  error = redeem (bob, "ZZZZ2222", NULL);
  g_assert_error (error, ECHOES_CREDITS_ERROR, ECHOES_CREDITS_ERROR_INVALID_CODE);
  g_assert_nonnull (echoes_credits_error_describe (error));
  g_clear_error (&error);
  error = redeem (bob, bob_code, NULL);
  g_assert_error (error, ECHOES_CREDITS_ERROR, ECHOES_CREDITS_ERROR_OWN_CODE);
  g_clear_error (&error);

  /* A friend's, typed in lower case with a space: bonus. */
  spaced = g_ascii_strdown (alice_code, -1);
  spaced = g_strconcat (g_steal_pointer (&spaced), " ", NULL);
  error = redeem (bob, spaced, &balance);
  g_assert_no_error (error);
  g_assert_cmpint (balance, >, 1);
  g_assert_cmpint (balance_of (bob), ==, balance);

  /* Once only, and never back. */
  error = redeem (bob, alice_code, NULL);
  g_assert_error (error, ECHOES_CREDITS_ERROR, ECHOES_CREDITS_ERROR_ALREADY_REDEEMED);
  g_clear_error (&error);
  error = redeem (alice, bob_code, NULL);
  g_assert_error (error, ECHOES_CREDITS_ERROR, ECHOES_CREDITS_ERROR_REFERRED_YOU);
  g_clear_error (&error);
}

static void
test_oversized_photo (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wide = echoes_test_write_jpeg (work_dir, "wide.jpg", 900, 200, 0x336699);
  g_autofree char *fine = echoes_test_write_jpeg (work_dir, "fine.jpg", 400, 300, 0x336699);
  g_autofree char *type = NULL;
  g_autofree char *ext = NULL;
  g_autofree char *path = NULL;
  gboolean converted = TRUE;
  int w = 0, h = 0;

  path = echoes_runway_provider_prepare_image (fine, &type, &ext, &converted, &error);
  g_assert_no_error (error);
  g_assert_false (converted);
  g_assert_cmpstr (path, ==, fine);
  g_assert_cmpstr (type, ==, "image/jpeg");
  g_assert_cmpstr (ext, ==, "jpg");
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&type, g_free);
  g_clear_pointer (&ext, g_free);

  /* 4.5:1 is outside what the provider takes: cropped to 2:1. */
  path = echoes_runway_provider_prepare_image (wide, &type, &ext, &converted, &error);
  g_assert_no_error (error);
  g_assert_true (converted);
  g_assert_true (gdk_pixbuf_get_file_info (path, &w, &h) != NULL);
  g_assert_cmpint (w, ==, 2 * h);
  g_assert_cmpstr (type, ==, "image/jpeg");
  g_unlink (path);
}

typedef struct
{
  guint   finished;
  GError *error;
} QueueWait;

static void
queue_finished_cb (EchoesGenerationQueue *queue,
                   const char            *clip_id,
                   const GError          *error,
                   QueueWait             *wait)
{
  g_clear_error (&wait->error);
  wait->error = error ? g_error_copy (error) : NULL;
  wait->finished++;
}

static char *
store_clip (EchoesStore *store,
            const char  *project_id,
            const char  *prompt,
            guint        position)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 320, 240);
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *relative = echoes_paths_image_relative (project_id, id, "photo.jpg");
  g_autofree char *path = echoes_store_resolve (store, relative);
  g_autofree char *dir = g_path_get_dirname (path);

  gdk_pixbuf_fill (pixbuf, 0x884422ff);
  g_mkdir_with_parents (dir, 0755);
  gdk_pixbuf_save (pixbuf, path, "jpeg", &error, NULL);
  g_assert_no_error (error);
  clip = echoes_clip_new (id, project_id);
  echoes_clip_set_image (clip, relative);
  echoes_clip_set_prompt (clip, prompt);
  g_assert_true (echoes_store_insert_clip (store, clip, position, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&id);
}

/* Through the app's generation queue: the clip's ids, prompt and failure codes. */
static void
test_queue (void)
{
  g_autoptr(EchoesAuth) auth = new_user ();
  g_autoptr(EchoesRunwayProvider) provider = new_provider (auth);
  g_autoptr(EchoesStore) store = NULL;
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(EchoesGenerationQueue) queue = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *good = NULL;
  g_autofree char *refused = NULL;
  g_autofree char *video = NULL;
  QueueWait wait = { 0 };

  store = echoes_store_open (NULL, &error);
  g_assert_no_error (error);
  project = echoes_store_create_project (store, "AI", &error);
  g_assert_no_error (error);
  good = store_clip (store, echoes_project_get_id (project), "Clouds drift slowly", 0);
  refused = store_clip (store, echoes_project_get_id (project), NULL, 1);

  queue = echoes_generation_queue_new (store, NULL, ECHOES_VIDEO_PROVIDER (provider));
  g_signal_connect (queue, "clip-finished", G_CALLBACK (queue_finished_cb), &wait);

  echoes_generation_queue_enqueue_clip (queue, good);
  while (wait.finished < 1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (wait.error);
  clip = echoes_store_get_clip (store, good, &error);
  g_assert_no_error (error);
  g_assert_cmpint (echoes_clip_get_status (clip), ==, ECHOES_CLIP_STATUS_READY);
  g_assert_cmpstr (echoes_clip_get_provider (clip), ==, "runway");
  video = echoes_store_resolve (store, echoes_clip_get_video (clip));
  assert_playable (video);
  g_clear_object (&clip);

  /* The credit is spent: the next clip is refused with the no-credits code and its
   * translated sentence. */
  echoes_generation_queue_enqueue_clip (queue, refused);
  while (wait.finished < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (wait.error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_NO_CREDITS);
  clip = echoes_store_get_clip (store, refused, &error);
  g_assert_no_error (error);
  g_assert_cmpint (echoes_clip_get_status (clip), ==, ECHOES_CLIP_STATUS_FAILED);
  g_assert_cmpint (echoes_clip_get_failure (clip), ==, ECHOES_CLIP_FAILURE_NO_CREDITS);
  g_assert_nonnull (echoes_clip_get_failure_message (clip));
  g_clear_error (&wait.error);
  echoes_test_drain (queue);
}

/* Bring your own key: checked once, then straight to Runway, no account needed. */
static void
test_own_key (void)
{
  g_autoptr(EchoesAuth) nobody = echoes_auth_new_full (url, anon_key, FALSE);
  g_autoptr(EchoesRunwayProvider) provider = new_provider (nobody);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Clip) clip = { 0 };
  gint64 starts = runway_starts ();

  echoes_runway_key_validate_async (runway_url, "not-a-key", NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_false (echoes_runway_key_validate_finish (result, &error));
  g_assert_error (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  g_clear_object (&result);
  echoes_runway_key_validate_async (runway_url, "key_0123456789abcdef", NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_true (echoes_runway_key_validate_finish (result, &error));
  g_assert_no_error (error);

  clip_init (&clip, NULL);
  echoes_runway_provider_set_api_key (provider, "key_0123456789abcdef", runway_url);
  error = generate (provider, &clip, "A slow zoom");
  g_assert_no_error (error);
  assert_playable (clip.output);
  g_assert_cmpint (runway_starts (), ==, starts + 1);
}

/* ---- restarts ---- */

static JsonObject *
runway_stats (JsonNode **holder)
{
  g_autofree char *address = g_strconcat (runway_url, "/_test/stats", NULL);

  *holder = test_http_json ("GET", address, NULL);
  return json_node_get_object (*holder);
}

static gint64
runway_downloads (void)
{
  g_autoptr(JsonNode) node = NULL;

  return json_object_get_int_member (runway_stats (&node), "downloads");
}

static gboolean
runway_cancelled (const char *task)
{
  g_autoptr(JsonNode) node = NULL;
  JsonArray *cancels = json_object_get_array_member (runway_stats (&node), "cancels");

  for (guint i = 0; i < json_array_get_length (cancels); i++)
    if (g_strcmp0 (json_array_get_string_element (cancels, i), task) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
file_gone_cb (gpointer path)
{
  return !g_file_test (path, G_FILE_TEST_EXISTS);
}

/* The resume state file's member @name. */
static char *
state_member (const char *path,
              const char *name)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return g_strdup (json_object_get_string_member_with_default (
                     json_node_get_object (json_parser_get_root (parser)), name, NULL));
}

typedef struct
{
  char *clip_id;
  char *project_id;
  char *image;
  char *output;
  char *state;
} Stored;

static void
stored_clear (Stored *stored)
{
  g_free (stored->clip_id);
  g_free (stored->project_id);
  g_free (stored->image);
  g_free (stored->output);
  g_free (stored->state);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Stored, stored_clear)

/* A clip in @store, started by @provider the way the generation queue starts it, and
 * then the app killed mid-run: the provider goes away (detached, nothing cancelled) and
 * the store keeps the clip `generating` and queued, as a killed process leaves it. */
static void
start_and_kill (EchoesStore          *store,
                EchoesRunwayProvider *provider,
                Stored               *stored)
{
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *video = NULL;
  g_autofree char *state = NULL;
  EchoesVideoRequest request = { 0 };
  Wait wait = { 0 };

  project = echoes_store_create_project (store, "Restart", &error);
  g_assert_no_error (error);
  stored->project_id = g_strdup (echoes_project_get_id (project));
  stored->clip_id = store_clip (store, stored->project_id, "The sea breathes", 0);
  clip = echoes_store_get_clip (store, stored->clip_id, &error);
  g_assert_no_error (error);
  echoes_clip_set_status (clip, ECHOES_CLIP_STATUS_GENERATING);
  echoes_clip_set_provider (clip, ECHOES_RUNWAY_PROVIDER_NAME);
  g_assert_true (echoes_store_update_clip (store, clip, &error));
  g_assert_true (echoes_store_set_clips_queued (store, (const char *[]) { stored->clip_id, NULL },
                                                TRUE, &error));
  g_assert_no_error (error);

  video = echoes_paths_video_relative (stored->project_id, stored->clip_id);
  state = echoes_paths_generation_state_relative (stored->clip_id);
  stored->image = echoes_store_resolve (store, echoes_clip_get_image (clip));
  stored->output = echoes_store_resolve (store, video);
  stored->state = echoes_store_resolve (store, state);

  request.image_path = stored->image;
  request.prompt = "The sea breathes";
  request.ratio = "16:9";
  request.duration = 5;
  request.seed = 3;
  request.output_path = stored->output;
  request.project_id = stored->project_id;
  request.clip_id = stored->clip_id;
  request.state_path = stored->state;
  echoes_video_provider_generate_async (ECHOES_VIDEO_PROVIDER (provider), &request, NULL, NULL,
                                        NULL, NULL, generated_cb, &wait);
  g_assert_true (echoes_test_wait_until (polled_cb, provider, 60000));

  echoes_runway_provider_detach_all (provider);
  echoes_test_wait (&wait.done);
  g_assert_error (wait.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&wait.error);
  g_assert_false (g_file_test (stored->output, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (stored->state, G_FILE_TEST_IS_REGULAR));
}

/* The next start: a new provider and queue on the same store resume the clip. */
static GError *
restart_and_resume (EchoesStore          *store,
                    EchoesRunwayProvider *provider,
                    const char           *clip_id)
{
  g_autoptr(EchoesGenerationQueue) queue = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QueueWait wait = { 0 };

  queue = echoes_generation_queue_new (store, NULL, ECHOES_VIDEO_PROVIDER (provider));
  g_signal_connect (queue, "clip-finished", G_CALLBACK (queue_finished_cb), &wait);
  echoes_generation_queue_resume_async (queue, NULL, test_result_cb, &result);
  test_wait_result (&result);
  g_assert_cmpuint (echoes_generation_queue_resume_finish (queue, result, &error), ==, 1);
  g_assert_no_error (error);
  g_clear_object (&result);  /* it holds the queue */
  while (wait.finished < 1)
    g_main_context_iteration (NULL, TRUE);
  echoes_test_drain (queue);
  return wait.error;
}

static void
assert_clip_ready (EchoesStore *store,
                   const char  *clip_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesClip) clip = echoes_store_get_clip (store, clip_id, &error);
  g_autofree char *video = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (echoes_clip_get_status (clip), ==, ECHOES_CLIP_STATUS_READY);
  video = echoes_store_resolve (store, echoes_clip_get_video (clip));
  assert_playable (video);
}

/* Own key: killed mid-run, the next start polls the same Runway task with the key and
 * downloads its video once; no second task. */
static void
test_own_key_restart (void)
{
  g_autoptr(EchoesAuth) nobody = echoes_auth_new_full (url, anon_key, FALSE);
  g_autoptr(EchoesRunwayProvider) provider = new_provider (nobody);
  g_autoptr(EchoesRunwayProvider) again = new_provider (nobody);
  g_autoptr(EchoesStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Stored) stored = { 0 };
  g_autofree char *task = NULL;
  gint64 starts = runway_starts ();
  gint64 downloads;

  store = echoes_store_open (NULL, &error);
  g_assert_no_error (error);
  echoes_runway_provider_set_api_key (provider, "key_0123456789abcdef", runway_url);
  start_and_kill (store, provider, &stored);
  g_assert_finalize_object (g_steal_pointer (&provider));
  g_assert_cmpint (runway_starts (), ==, starts + 1);
  task = state_member (stored.state, "task");
  g_assert_nonnull (task);
  downloads = runway_downloads ();

  echoes_runway_provider_set_api_key (again, "key_0123456789abcdef", runway_url);
  error = restart_and_resume (store, again, stored.clip_id);
  g_assert_no_error (error);
  assert_clip_ready (store, stored.clip_id);
  g_assert_cmpint (runway_starts (), ==, starts + 1);
  g_assert_cmpint (runway_downloads (), ==, downloads + 1);
  g_assert_false (runway_cancelled (task));
  g_assert_true (echoes_test_wait_until (file_gone_cb, stored.state, 10000));
}

/* Own key: cancelling deletes the Runway task, also a resumed one. */
static void
test_own_key_cancel (void)
{
  g_autoptr(EchoesAuth) nobody = echoes_auth_new_full (url, anon_key, FALSE);
  g_autoptr(EchoesRunwayProvider) provider = new_provider (nobody);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(Clip) clip = { 0 };
  g_autofree char *state = NULL;
  g_autofree char *task = NULL;
  EchoesVideoRequest request = { 0 };
  Wait wait = { 0 };

  clip_init (&clip, NULL);
  state = g_strdup_printf ("%s/generations/%s.json", work_dir, clip.clip_id);
  request.image_path = clip.image;
  request.ratio = "16:9";
  request.duration = 5;
  request.output_path = clip.output;
  request.project_id = clip.project_id;
  request.clip_id = clip.clip_id;
  request.state_path = state;
  echoes_runway_provider_set_api_key (provider, "key_0123456789abcdef", runway_url);
  echoes_video_provider_generate_async (ECHOES_VIDEO_PROVIDER (provider), &request, NULL, NULL,
                                        NULL, cancellable, generated_cb, &wait);
  g_assert_true (echoes_test_wait_until (polled_cb, provider, 60000));
  task = state_member (state, "task");
  g_assert_nonnull (task);
  g_cancellable_cancel (cancellable);
  echoes_test_wait (&wait.done);
  g_assert_error (wait.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&wait.error);

  /* The DELETE goes out after the callback: wait for the fake to see it. */
  while (!runway_cancelled (task))
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (echoes_test_wait_until (file_gone_cb, state, 10000));
  g_assert_false (g_file_test (clip.output, G_FILE_TEST_EXISTS));
}

static gboolean
clip_ready_on_server (EchoesAuth *auth,
                      const char *clip_id)
{
  g_autoptr(EchoesFunctionsClient) functions = echoes_functions_client_new (auth);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "clip_id");
  json_builder_add_string_value (builder, clip_id);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  echoes_functions_client_invoke_async (functions, "clip-status", body, NULL, test_result_cb, &result);
  test_wait_result (&result);
  answer = echoes_functions_client_invoke_finish (functions, result, &error);
  g_assert_no_error (error);
  return g_strcmp0 (json_object_get_string_member (json_node_get_object (answer), "status"), "ready") == 0;
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Through the account: the clip is made on the server while the app is away (someone else
 * asks clip-status, like the server's sweeper). The resume only downloads it: no second
 * charge, no second task; a deliberate regenerate of the ready clip is charged. */
static void
test_resume_ready (void)
{
  g_autoptr(EchoesAuth) auth = new_user ();
  g_autoptr(EchoesRunwayProvider) provider = new_provider (auth);
  g_autoptr(EchoesRunwayProvider) again = new_provider (auth);
  g_autoptr(EchoesStore) store = NULL;
  g_autoptr(GPtrArray) ledger = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesGenerationQueue) queue = NULL;
  g_autofree char *kind = NULL;
  g_auto(Stored) stored = { 0 };
  QueueWait wait = { 0 };
  gint64 starts = runway_starts ();

  store = echoes_store_open (NULL, &error);
  g_assert_no_error (error);
  start_and_kill (store, provider, &stored);
  g_assert_finalize_object (g_steal_pointer (&provider));
  kind = state_member (stored.state, "kind");
  g_assert_cmpstr (kind, ==, "server");

  while (!clip_ready_on_server (auth, stored.clip_id))
    {
      gboolean paced = FALSE;

      g_timeout_add (50, timeout_cb, &paced);
      echoes_test_wait (&paced);
    }
  g_assert_cmpint (balance_of (auth), ==, 0);

  error = restart_and_resume (store, again, stored.clip_id);
  g_assert_no_error (error);
  assert_clip_ready (store, stored.clip_id);
  g_assert_cmpint (runway_starts (), ==, starts + 1);
  g_assert_cmpint (balance_of (auth), ==, 0);
  ledger = ledger_of (auth);
  g_assert_cmpuint (count_kind (ledger, "generation_reserve", stored.clip_id, NULL), ==, 1);
  g_assert_cmpuint (count_kind (ledger, "generation_release", NULL, NULL), ==, 0);
  g_assert_true (echoes_test_wait_until (file_gone_cb, stored.state, 10000));

  /* Regenerate (not a resume): charged again, and with no credit left refused. */
  queue = echoes_generation_queue_new (store, NULL, ECHOES_VIDEO_PROVIDER (again));
  g_signal_connect (queue, "clip-finished", G_CALLBACK (queue_finished_cb), &wait);
  echoes_generation_queue_enqueue_clip (queue, stored.clip_id);
  while (wait.finished < 1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (wait.error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_NO_CREDITS);
  g_clear_error (&wait.error);
  g_assert_cmpint (runway_starts (), ==, starts + 1);
  echoes_test_drain (queue);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  echoes_test_init (&argc, &argv);
  gst_init (&argc, &argv);

  url = g_strdup (g_getenv ("ECHOES_SUPABASE_URL"));
  anon_key = g_strdup (g_getenv ("ECHOES_SUPABASE_ANON_KEY"));
  runway_url = g_strdup (g_getenv ("ECHOES_TEST_RUNWAY_URL"));
  stripe_url = g_strdup (g_getenv ("ECHOES_TEST_STRIPE_URL"));
  /* A missing backend is a failure, never a skip. */
  g_assert_nonnull (url);
  g_assert_nonnull (anon_key);
  g_assert_true (runway_url != NULL && *runway_url != '\0');
  g_assert_true (stripe_url != NULL && *stripe_url != '\0');
  g_assert_true (g_str_has_prefix (url, "http://127.0.0.1:"));

  work_dir = g_dir_make_tmp ("echoes-runway-XXXXXX", NULL);
  g_assert_nonnull (work_dir);

  /* A real MP4 for the fake Runway to hand out. */
  {
    g_autofree char *video = echoes_test_media_make_clip (work_dir, "runway.mp4", 320, 180, 30, 0);
    g_autofree char *data = NULL;
    g_autofree char *b64 = NULL;
    g_autofree char *body = NULL;
    g_autofree char *address = g_strconcat (runway_url, "/_test/output", NULL);
    gsize len = 0;

    g_assert_true (g_file_get_contents (video, &data, &len, NULL));
    b64 = g_base64_encode ((const guchar *) data, len);
    body = g_strdup_printf ("{\"base64\": \"%s\"}", b64);
    json_node_unref (test_http_json ("POST", address, body));
  }

  g_test_add_func ("/runway-standin/photo-limits", test_oversized_photo);
  g_test_add_func ("/runway-standin/generate", test_generate);
  g_test_add_func ("/runway-standin/failures", test_failures);
  g_test_add_func ("/runway-standin/queue", test_queue);
  g_test_add_func ("/runway-standin/own-key", test_own_key);
  g_test_add_func ("/runway-standin/resume", test_resume);
  g_test_add_func ("/runway-standin/cancel", test_cancel);
  g_test_add_func ("/runway-standin/purchase-refund", test_purchase_and_refund);
  g_test_add_func ("/runway-standin/referral", test_referral);
  g_test_add_func ("/runway-standin/own-key-restart", test_own_key_restart);
  g_test_add_func ("/runway-standin/own-key-cancel", test_own_key_cancel);
  g_test_add_func ("/runway-standin/resume-ready", test_resume_ready);

  ret = g_test_run ();
  echoes_test_remove_tree (work_dir);
  return ret;
}
