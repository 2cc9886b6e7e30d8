/* test-clip.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "echoes-clip.h"
#include "echoes-enums.h"
#include "echoes-project.h"

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_clip_properties (void)
{
  g_autoptr(EchoesClip) clip = echoes_clip_new ("c1", "p1");
  guint notified = 0;

  g_signal_connect (clip, "notify", G_CALLBACK (count_notify), &notified);

  g_assert_cmpstr (echoes_clip_get_id (clip), ==, "c1");
  g_assert_cmpstr (echoes_clip_get_project_id (clip), ==, "p1");
  g_assert_cmpint (echoes_clip_get_status (clip), ==, ECHOES_CLIP_STATUS_PENDING);

  echoes_clip_set_approved (clip, TRUE);
  echoes_clip_set_approved (clip, TRUE);
  g_assert_cmpuint (notified, ==, 1);

  echoes_clip_set_image (clip, "images/p1/c1.jpg");
  echoes_clip_set_image (clip, "images/p1/c1.jpg");
  g_assert_cmpuint (notified, ==, 2);

  echoes_clip_set_status (clip, ECHOES_CLIP_STATUS_FAILED);
  echoes_clip_set_error (clip, "boom");
  g_assert_cmpuint (notified, ==, 4);

  echoes_clip_set_error (clip, NULL);
  g_assert_null (echoes_clip_get_error (clip));
  g_assert_cmpuint (notified, ==, 5);

  g_object_set (clip, "position", 7, NULL);
  g_assert_cmpuint (echoes_clip_get_position (clip), ==, 7);

  g_signal_handlers_disconnect_by_func (clip, count_notify, &notified);
  g_assert_finalize_object (g_steal_pointer (&clip));
}

static void
test_clip_copy (void)
{
  g_autoptr(EchoesClip) clip = echoes_clip_new ("c1", "p1");
  g_autoptr(EchoesClip) copy = NULL;
  guint notified = 0;

  g_object_set (clip, "image", "a.jpg", "prompt", "waves", "capture-time", (gint64)42,
                "status", ECHOES_CLIP_STATUS_READY, "progress", 0.5, NULL);
  copy = echoes_clip_copy (clip);

  g_assert_cmpstr (echoes_clip_get_image (copy), ==, "a.jpg");
  g_assert_cmpstr (echoes_clip_get_prompt (copy), ==, "waves");
  g_assert_cmpint (echoes_clip_get_capture_time (copy), ==, 42);
  g_assert_cmpint (echoes_clip_get_status (copy), ==, ECHOES_CLIP_STATUS_READY);
  /* transient state is not copied */
  g_assert_cmpfloat (echoes_clip_get_progress (copy), ==, 0.0);

  /* update_from notifies only what differs */
  g_signal_connect (clip, "notify", G_CALLBACK (count_notify), &notified);
  echoes_clip_set_prompt (copy, "clouds");
  echoes_clip_update_from (clip, copy);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpstr (echoes_clip_get_prompt (clip), ==, "clouds");
  g_assert_cmpfloat (echoes_clip_get_progress (clip), ==, 0.5);

  g_signal_handlers_disconnect_by_func (clip, count_notify, &notified);
  g_assert_finalize_object (g_steal_pointer (&copy));
  g_assert_finalize_object (g_steal_pointer (&clip));
}

static void
test_status_strings (void)
{
  EchoesClipStatus status;
  EchoesProjectStatus project_status;

  for (guint i = ECHOES_CLIP_STATUS_PENDING; i <= ECHOES_CLIP_STATUS_FAILED; i++)
    {
      g_assert_true (echoes_clip_status_from_string (echoes_clip_status_to_string (i), &status));
      g_assert_cmpuint (status, ==, i);
    }

  g_assert_cmpstr (echoes_clip_status_to_string (ECHOES_CLIP_STATUS_GENERATING), ==, "generating");
  g_assert_false (echoes_clip_status_from_string ("done", &status));
  g_assert_false (echoes_clip_status_from_string (NULL, &status));
  g_assert_true (echoes_project_status_from_string ("completed", &project_status));
  g_assert_cmpint (project_status, ==, ECHOES_PROJECT_STATUS_COMPLETED);
  g_assert_false (echoes_project_status_from_string ("archived", &project_status));
}

static void
test_clip_failure (void)
{
  g_autoptr(EchoesClip) clip = echoes_clip_new ("c1", "p1");
  g_autoptr(EchoesClip) copy = NULL;
  EchoesClipFailure failure = ECHOES_CLIP_FAILURE_NONE;

  /* No failure: nothing to show. */
  g_assert_cmpint (echoes_clip_get_failure (clip), ==, ECHOES_CLIP_FAILURE_NONE);
  g_assert_null (echoes_clip_get_failure_message (clip));
  echoes_clip_set_error (clip, "");
  g_assert_cmpint (echoes_clip_get_failure (clip), ==, ECHOES_CLIP_FAILURE_NONE);

  /* Every code round-trips through the stored string and has its own sentence. */
  for (guint i = ECHOES_CLIP_FAILURE_UNKNOWN; i <= ECHOES_CLIP_FAILURE_NOT_SIGNED_IN; i++)
    {
      const char *code = echoes_clip_failure_to_string (i);

      g_assert_nonnull (code);
      g_assert_true (echoes_clip_failure_from_string (code, &failure));
      g_assert_cmpuint (failure, ==, i);

      echoes_clip_set_failure (clip, i);
      g_assert_cmpstr (echoes_clip_get_error (clip), ==, code);
      g_assert_cmpint (echoes_clip_get_failure (clip), ==, i);
      g_assert_cmpstr (echoes_clip_get_failure_message (clip), ==,
                       echoes_clip_failure_get_message (i));

      for (guint j = ECHOES_CLIP_FAILURE_UNKNOWN; j < i; j++)
        g_assert_cmpstr (echoes_clip_failure_get_message (j), !=,
                         echoes_clip_failure_get_message (i));
    }

  /* The code is what the database holds, never the provider's message. */
  echoes_clip_set_failure (clip, ECHOES_CLIP_FAILURE_PHOTO);
  g_assert_cmpstr (echoes_clip_get_error (clip), ==, "photo");
  copy = echoes_clip_copy (clip);
  g_assert_cmpint (echoes_clip_get_failure (copy), ==, ECHOES_CLIP_FAILURE_PHOTO);

  /* An English message stored by an older version (or the server) is not shown as is. */
  echoes_clip_set_error (clip, "The local provider can't make a 3.0 s clip at 4:3");
  g_assert_cmpint (echoes_clip_get_failure (clip), ==, ECHOES_CLIP_FAILURE_UNKNOWN);
  g_assert_cmpstr (echoes_clip_get_failure_message (clip), ==,
                   echoes_clip_failure_get_message (ECHOES_CLIP_FAILURE_UNKNOWN));
  g_assert_false (echoes_clip_failure_from_string ("generation failed", &failure));
  g_assert_false (echoes_clip_failure_from_string (NULL, &failure));

  echoes_clip_set_failure (clip, ECHOES_CLIP_FAILURE_NONE);
  g_assert_null (echoes_clip_get_error (clip));
  g_assert_null (echoes_clip_failure_to_string (ECHOES_CLIP_FAILURE_NONE));
  g_assert_null (echoes_clip_failure_get_message (ECHOES_CLIP_FAILURE_NONE));

  g_assert_finalize_object (g_steal_pointer (&copy));
  g_assert_finalize_object (g_steal_pointer (&clip));
}

static void
test_clip_queued (void)
{
  g_autoptr(EchoesClip) clip = echoes_clip_new ("c1", "p1");
  g_autoptr(EchoesClip) copy = NULL;
  guint notified = 0;
  gboolean queued = FALSE;

  g_signal_connect (clip, "notify::queued", G_CALLBACK (count_notify), &notified);
  g_assert_false (echoes_clip_get_queued (clip));
  echoes_clip_set_queued (clip, TRUE);
  echoes_clip_set_queued (clip, TRUE);
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (clip, "queued", &queued, NULL);
  g_assert_true (queued);

  /* Stored state: copied, and a reload that clears it notifies (the UI follows). */
  copy = echoes_clip_copy (clip);
  g_assert_true (echoes_clip_get_queued (copy));
  echoes_clip_set_queued (copy, FALSE);
  echoes_clip_update_from (clip, copy);
  g_assert_false (echoes_clip_get_queued (clip));
  g_assert_cmpuint (notified, ==, 2);

  g_signal_handlers_disconnect_by_func (clip, count_notify, &notified);
  g_assert_finalize_object (g_steal_pointer (&copy));
  g_assert_finalize_object (g_steal_pointer (&clip));
}

static void
test_project_properties (void)
{
  g_autoptr(EchoesProject) project = echoes_project_new ("p1");
  g_autoptr(EchoesProject) copy = NULL;

  echoes_project_set_title (project, "Summer");
  echoes_project_set_clip_count (project, 3);
  copy = echoes_project_copy (project);
  g_assert_cmpstr (echoes_project_get_title (copy), ==, "Summer");
  g_assert_cmpuint (echoes_project_get_clip_count (copy), ==, 3);
  g_assert_cmpstr (echoes_project_get_id (copy), ==, "p1");

  g_assert_finalize_object (g_steal_pointer (&copy));
  g_assert_finalize_object (g_steal_pointer (&project));
}

static void
test_clip_precondition (void)
{
  g_test_expect_message ("echoes-clip", G_LOG_LEVEL_CRITICAL, "*ECHOES_IS_CLIP*");
  echoes_clip_set_approved (NULL, TRUE);
  g_test_assert_expected_messages ();
}

static void
test_ratio (void)
{
  static const struct
  {
    const char *name;
    EchoesRatio ratio;
    int         w720, h720, w1080, h1080, clip_w, clip_h;
  } cases[] = {
    { "16:9", ECHOES_RATIO_16_9, 1280, 720, 1920, 1080, 1280, 720 },
    { "9:16", ECHOES_RATIO_9_16, 720, 1280, 1080, 1920, 720, 1280 },
    { "1:1", ECHOES_RATIO_1_1, 720, 720, 1080, 1080, 1080, 1080 },
  };
  g_autoptr(GEnumClass) enum_class = g_type_class_ref (ECHOES_TYPE_RATIO);
  EchoesRatio ratio;
  int w, h;

  /* Every value of the enum is in the table, and in echoes_ratio_names. */
  g_assert_cmpuint (enum_class->n_values, ==, G_N_ELEMENTS (cases));
  g_assert_cmpuint (g_strv_length ((GStrv) echoes_ratio_names), ==, G_N_ELEMENTS (cases));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpstr (echoes_ratio_to_string (cases[i].ratio), ==, cases[i].name);
      g_assert_cmpstr (echoes_ratio_names[cases[i].ratio], ==, cases[i].name);
      ratio = (EchoesRatio) -1;
      g_assert_true (echoes_ratio_from_string (cases[i].name, &ratio));
      g_assert_cmpint (ratio, ==, cases[i].ratio);

      echoes_ratio_get_size (cases[i].ratio, ECHOES_RESOLUTION_720P, &w, &h);
      g_assert_cmpint (w, ==, cases[i].w720);
      g_assert_cmpint (h, ==, cases[i].h720);
      echoes_ratio_get_size (cases[i].ratio, ECHOES_RESOLUTION_1080P, &w, &h);
      g_assert_cmpint (w, ==, cases[i].w1080);
      g_assert_cmpint (h, ==, cases[i].h1080);
      echoes_ratio_get_clip_size (cases[i].ratio, &w, &h);
      g_assert_cmpint (w, ==, cases[i].clip_w);
      g_assert_cmpint (h, ==, cases[i].clip_h);
      /* Encoders need even sizes. */
      g_assert_cmpint (w % 2, ==, 0);
      g_assert_cmpint (h % 2, ==, 0);
    }

  /* Unknown strings leave the value alone. */
  ratio = ECHOES_RATIO_1_1;
  g_assert_false (echoes_ratio_from_string ("4:3", &ratio));
  g_assert_false (echoes_ratio_from_string ("", &ratio));
  g_assert_false (echoes_ratio_from_string (NULL, &ratio));
  g_assert_false (echoes_ratio_from_string ("16:9 ", &ratio));
  g_assert_cmpint (ratio, ==, ECHOES_RATIO_1_1);

  g_assert_cmpstr (echoes_ratio_to_string (ECHOES_RATIO_DEFAULT), ==, "16:9");
  g_assert_cmpuint (echoes_resolution_get_lines (ECHOES_RESOLUTION_720P), ==, 720);
  g_assert_cmpuint (echoes_resolution_get_lines (ECHOES_RESOLUTION_1080P), ==, 1080);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/echoes/core/clip/properties", test_clip_properties);
  g_test_add_func ("/echoes/core/clip/copy", test_clip_copy);
  g_test_add_func ("/echoes/core/clip/precondition", test_clip_precondition);
  g_test_add_func ("/echoes/core/clip/failure", test_clip_failure);
  g_test_add_func ("/echoes/core/clip/queued", test_clip_queued);
  g_test_add_func ("/echoes/core/types/status-strings", test_status_strings);
  g_test_add_func ("/echoes/core/types/ratio", test_ratio);
  g_test_add_func ("/echoes/core/project/properties", test_project_properties);

  return g_test_run ();
}
