/* test-providers.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-providers"

#include "config.h"

#include "echoes-test-util.h"

#include <glib/gstdio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gst/gst.h>

#include "echoes-local-provider.h"
#include "echoes-runway-provider.h"
#include "echoes-provider-registry.h"
#include "echoes-video-provider.h"

static char *
make_photo (int width,
            int height)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (g_get_user_cache_dir (), "photo.jpg", NULL);

  gdk_pixbuf_fill (pixbuf, 0x336699ff);
  g_mkdir_with_parents (g_get_user_cache_dir (), 0755);
  gdk_pixbuf_save (pixbuf, path, "jpeg", &error, NULL);
  g_assert_no_error (error);
  return path;
}

static void
test_registry (void)
{
  g_autoptr(EchoesProviderRegistry) registry = echoes_provider_registry_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = echoes_provider_registry_dup_names (registry);
  EchoesVideoProvider *local;

  g_assert_cmpstrv (names, ((const char * const []) { "local", "runway", NULL }));

  local = echoes_provider_registry_lookup (registry, "local");
  g_assert_true (ECHOES_IS_LOCAL_PROVIDER (local));
  g_assert_true (ECHOES_IS_RUNWAY_PROVIDER (echoes_provider_registry_lookup (registry, "runway")));

  /* The setting picks; empty means the default. */
  g_unsetenv (ECHOES_PROVIDER_ENV);
  g_assert_true (echoes_provider_registry_get_active (registry, "local", &error) == local);
  g_assert_true (echoes_provider_registry_get_active (registry, NULL, &error) == local);
  g_assert_true (echoes_provider_registry_get_active (registry, "", &error) == local);
  g_assert_no_error (error);
  g_assert_null (echoes_provider_registry_get_active (registry, "kling", &error));
  g_assert_error (error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* "runway" is there: never a silent fallback to Ken Burns. */
  g_assert_true (echoes_provider_registry_get_active (registry, "runway", &error)
                 == echoes_provider_registry_lookup (registry, "runway"));
  g_assert_no_error (error);

  /* The environment overrides the setting. */
  g_setenv (ECHOES_PROVIDER_ENV, "local", TRUE);
  g_assert_cmpstr (echoes_provider_registry_resolve_name ("runway"), ==, "local");
  g_assert_true (echoes_provider_registry_get_active (registry, "runway", &error) == local);
  g_setenv (ECHOES_PROVIDER_ENV, "nope", TRUE);
  g_assert_null (echoes_provider_registry_get_active (registry, "local", &error));
  g_assert_error (error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_NOT_FOUND);
  g_unsetenv (ECHOES_PROVIDER_ENV);

  /* Adding one with the same name replaces it. */
  {
    g_autoptr(EchoesLocalProvider) other = echoes_local_provider_new ();
    g_auto(GStrv) after = NULL;

    echoes_provider_registry_add (registry, ECHOES_VIDEO_PROVIDER (other));
    after = echoes_provider_registry_dup_names (registry);
    g_assert_cmpuint (g_strv_length (after), ==, 2);
    g_assert_true (echoes_provider_registry_lookup (registry, "local") ==
                   ECHOES_VIDEO_PROVIDER (other));
  }

  g_assert_finalize_object (g_steal_pointer (&registry));
}

static void
runway_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GError **error = user_data;

  g_assert_false (echoes_video_provider_generate_finish (ECHOES_VIDEO_PROVIDER (object), result, error));
  g_assert_nonnull (*error);
}

static void
test_runway_signed_out (void)
{
  g_autoptr(EchoesProviderRegistry) registry = echoes_provider_registry_new ();
  EchoesVideoProvider *runway = echoes_provider_registry_lookup (registry, "runway");
  const EchoesVideoProviderCapabilities *caps = echoes_video_provider_get_capabilities (runway);
  g_autofree char *image = make_photo (64, 48);
  g_autofree char *output = g_build_filename (g_get_user_cache_dir (), "runway.mp4", NULL);
  EchoesVideoRequest request = {
    .image_path = image, .ratio = "16:9", .duration = 5, .output_path = output,
    .project_id = "00000000-0000-4000-8000-000000000001",
    .clip_id = "00000000-0000-4000-8000-000000000002",
  };
  g_autoptr(GError) error = NULL;

  g_assert_true (caps->needs_network);
  g_assert_true (caps->costs_credits);
  g_assert_true (caps->uses_prompt);
  g_assert_true (echoes_video_provider_supports (runway, "9:16", 10));
  g_assert_false (echoes_video_provider_supports (runway, "16:9", 7));

  echoes_video_provider_generate_async (runway, &request, NULL, NULL, NULL, NULL,
                                        runway_done_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_NOT_SIGNED_IN);
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
}

static void
test_local_capabilities (void)
{
  g_autoptr(EchoesLocalProvider) local = echoes_local_provider_new ();
  EchoesVideoProvider *provider = ECHOES_VIDEO_PROVIDER (local);
  const EchoesVideoProviderCapabilities *caps = echoes_video_provider_get_capabilities (provider);

  g_assert_cmpstr (echoes_video_provider_get_name (provider), ==, "local");
  g_assert_false (caps->needs_network);
  g_assert_false (caps->costs_credits);
  g_assert_true (caps->uses_motion);
  g_assert_true (echoes_video_provider_supports (provider, "16:9", 5));
  g_assert_true (echoes_video_provider_supports (provider, "9:16", 2));
  g_assert_true (echoes_video_provider_supports (provider, "1:1", 10));
  g_assert_true (echoes_video_provider_supports (provider, NULL, 7.5));
  g_assert_false (echoes_video_provider_supports (provider, "4:3", 5));
  g_assert_false (echoes_video_provider_supports (provider, "16:9", 1));
  g_assert_false (echoes_video_provider_supports (provider, "16:9", 11));

  echoes_local_provider_set_max_size (local, 320);
  g_assert_cmpint (echoes_local_provider_get_max_size (local), ==, 320);
  g_assert_finalize_object (g_steal_pointer (&local));
}

typedef struct
{
  GArray   *fractions;
  gboolean  done;
  gboolean  ok;
  GError   *error;
  gboolean  progress_after_done;
  gboolean  progress_wrong_thread;
  gboolean  destroyed;
  GThread  *main_thread;
  GCancellable *cancel_mid_way;
} Run;

static void
run_progress (double   fraction,
              gpointer user_data)
{
  Run *run = user_data;

  if (run->done)
    run->progress_after_done = TRUE;
  if (g_thread_self () != run->main_thread)
    run->progress_wrong_thread = TRUE;
  /* Progress never goes back. */
  if (run->fractions->len > 0)
    g_assert_cmpfloat (fraction, >=, g_array_index (run->fractions, double, run->fractions->len - 1));
  g_array_append_val (run->fractions, fraction);

  /* Past decoding and framing (0.05): frames are being rendered. */
  if (run->cancel_mid_way != NULL && fraction > 0.05)
    g_cancellable_cancel (run->cancel_mid_way);
}

static void
run_destroy (gpointer user_data)
{
  Run *run = user_data;

  run->destroyed = TRUE;
}

static void
run_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Run *run = user_data;

  run->ok = echoes_video_provider_generate_finish (ECHOES_VIDEO_PROVIDER (object), result,
                                                   &run->error);
  run->done = TRUE;
}

static void
run_generate (EchoesVideoProvider      *provider,
              const EchoesVideoRequest *request,
              GCancellable             *cancellable,
              Run                      *run)
{
  memset (run, 0, sizeof *run);
  run->fractions = g_array_new (FALSE, FALSE, sizeof (double));
  run->main_thread = g_thread_self ();
  /* With a @cancellable, the run is cancelled mid-way: at its first rendered frame. */
  run->cancel_mid_way = cancellable;

  echoes_video_provider_generate_async (provider, request, run_progress, run, run_destroy,
                                        cancellable, run_done, run);
  while (!run->done)
    g_main_context_iteration (NULL, TRUE);

  /* Stale progress would arrive now, if any. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->fractions, g_array_unref);
  g_clear_error (&run->error);
}

static void
test_local_generate (void)
{
  g_autoptr(EchoesLocalProvider) local = echoes_local_provider_new ();
  EchoesVideoProvider *provider = ECHOES_VIDEO_PROVIDER (local);
  g_autofree char *photo = make_photo (400, 300);
  g_autofree char *out = g_build_filename (g_get_user_data_dir (), "clips", "p", "c.mp4", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  EchoesVideoRequest request = { 0 };
  Run run;

  echoes_local_provider_set_max_size (local, 320);
  request.image_path = photo;
  request.ratio = "9:16";
  request.motion = "{'duration': <2.0>, 'preset': <'zoom-in'>, 'fps': <24>}";
  request.output_path = out;

  run_generate (provider, &request, NULL, &run);
  g_assert_no_error (run.error);
  g_assert_true (run.ok);
  g_assert_true (g_file_test (out, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (run.fractions->len, >, 5);
  g_assert_cmpfloat (g_array_index (run.fractions, double, run.fractions->len - 1), ==, 1.0);
  for (guint i = 1; i < run.fractions->len; i++)
    g_assert_cmpfloat (g_array_index (run.fractions, double, i), >=,
                       g_array_index (run.fractions, double, i - 1));
  g_assert_false (run.progress_after_done);
  g_assert_false (run.progress_wrong_thread);
  g_assert_true (run.destroyed);
  run_clear (&run);
  g_unlink (out);

  /* Bad motion string. */
  request.motion = "{'preset': <'wobble'>}";
  run_generate (provider, &request, NULL, &run);
  g_assert_error (run.error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_INVALID);
  g_assert_true (run.destroyed);
  run_clear (&run);

  /* Unsupported ratio and duration. */
  request.motion = NULL;
  request.ratio = "4:3";
  run_generate (provider, &request, NULL, &run);
  g_assert_error (run.error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_NOT_SUPPORTED);
  run_clear (&run);
  request.ratio = "16:9";
  request.duration = 30;
  run_generate (provider, &request, NULL, &run);
  g_assert_error (run.error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_NOT_SUPPORTED);
  run_clear (&run);

  /* A missing photo is a failure with its own code (the UI says so), not a crash. */
  request.duration = 2;
  request.image_path = "/nonexistent/photo.jpg";
  run_generate (provider, &request, NULL, &run);
  g_assert_error (run.error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_IMAGE);
  run_clear (&run);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  /* Cancelled mid-way: no file. Full size so it takes long enough. */
  echoes_local_provider_set_max_size (local, 0);
  request.image_path = photo;
  request.duration = 10;
  run_generate (provider, &request, cancellable, &run);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (run.progress_after_done);
  run_clear (&run);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  g_assert_finalize_object (g_steal_pointer (&local));
}

int
main (int   argc,
      char *argv[])
{
  /* keeps the MIME database gdk-pixbuf needs visible in isolated dirs */
  echoes_test_init (&argc, &argv);
  gst_init (&argc, &argv);

  g_test_add_func ("/echoes/providers/registry", test_registry);
  g_test_add_func ("/echoes/providers/runway/signed-out", test_runway_signed_out);
  g_test_add_func ("/echoes/providers/local/capabilities", test_local_capabilities);
  g_test_add_func ("/echoes/providers/local/generate", test_local_generate);

  return g_test_run ();
}
