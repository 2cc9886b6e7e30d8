/* test-clip-encoder.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Without an H.264 encoder (a build without the "ugly" plugins) making a clip and
 * exporting an MP4 fail at once, with an error that names what to install. The
 * encoders are taken out of this process's registry; nothing is uninstalled. */

#include "config.h"

#include <gst/gst.h>

#include "echoes-clip-encoder.h"
#include "echoes-exporter.h"
#include "echoes-ken-burns.h"
#include "echoes-test-util.h"

static void
remove_h264_encoders (void)
{
  GstRegistry *registry = gst_registry_get ();
  GList *encoders = gst_element_factory_list_get_elements (GST_ELEMENT_FACTORY_TYPE_VIDEO_ENCODER,
                                                           GST_RANK_NONE);
  g_autoptr(GstCaps) h264 = gst_caps_from_string ("video/x-h264");

  for (GList *l = encoders; l != NULL; l = l->next)
    {
      GstElementFactory *factory = l->data;

      for (const GList *t = gst_element_factory_get_static_pad_templates (factory); t; t = t->next)
        {
          GstStaticPadTemplate *templ = t->data;
          g_autoptr(GstCaps) caps = gst_static_caps_get (&templ->static_caps);

          if (templ->direction == GST_PAD_SRC && gst_caps_can_intersect (caps, h264))
            {
              gst_registry_remove_feature (registry, GST_PLUGIN_FEATURE (factory));
              break;
            }
        }
    }
  gst_plugin_feature_list_free (encoders);
}

static void
test_present (void)
{
  g_autoptr(GError) error = NULL;

  /* The test machine has them (gstreamer1.0-plugins-ugly): the app needs them. */
  g_assert_true (echoes_clip_encoder_check (&error));
  g_assert_no_error (error);
  g_assert_true (echoes_clip_encoder_check_h264 (&error));
  g_assert_no_error (error);
}

static void
test_missing (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "encoder", NULL);
  g_autofree char *photo = echoes_test_write_jpeg (dir, "photo.jpg", 320, 240, 0x336699);
  g_autofree char *clip = g_build_filename (dir, "clip.mp4", NULL);
  g_autofree char *film = g_build_filename (dir, "film.mp4", NULL);
  g_autoptr(EchoesExporter) exporter = NULL;
  g_autoptr(GError) error = NULL;
  const char *clips[] = { clip, NULL };
  EchoesKenBurnsParams params;

  remove_h264_encoders ();

  g_assert_false (echoes_clip_encoder_check (&error));
  g_assert_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN);
  g_assert_nonnull (strstr (error->message, "x264enc"));
  g_clear_error (&error);

  g_assert_false (echoes_clip_encoder_check_h264 (&error));
  g_assert_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN);
  g_assert_nonnull (strstr (error->message, "WebM"));
  g_clear_error (&error);

  /* Making a clip: the renderer's error carries the same words, and no file is left. */
  echoes_ken_burns_params_init (&params);
  params.width = 320;
  params.height = 180;
  params.duration = 1.0;
  g_assert_false (echoes_ken_burns_render (photo, &params, clip, NULL, NULL, NULL, &error));
  g_assert_error (error, ECHOES_KEN_BURNS_ERROR, ECHOES_KEN_BURNS_ERROR_MISSING_PLUGIN);
  g_assert_nonnull (strstr (error->message, "x264enc"));
  g_assert_false (g_file_test (clip, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* Exporting an MP4 fails before it writes anything. */
  g_file_set_contents (clip, "", 0, NULL);
  exporter = echoes_exporter_new ();
  echoes_exporter_set_clips (exporter, clips);
  g_assert_false (echoes_exporter_run (exporter, film, NULL, NULL, NULL, &error));
  g_assert_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN);
  g_assert_false (g_file_test (film, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  echoes_test_init (&argc, &argv);
  gst_init (&argc, &argv);

  g_test_add_func ("/echoes/media/clip-encoder/present", test_present);
  g_test_add_func ("/echoes/media/clip-encoder/missing", test_missing);

  return g_test_run ();
}
