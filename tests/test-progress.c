/* test-progress.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "echoes-progress.h"

static void
test_progress_phases (void)
{
  EchoesProgress bar;

  echoes_progress_init (&bar);
  g_assert_cmpfloat (echoes_progress_get_fraction (&bar), ==, 0.0);

  /* Splicing takes the first 85 %, the rest the remainder. */
  echoes_progress_begin_phase (&bar, 0.85);
  g_assert_true (echoes_progress_update (&bar, 0.5));
  g_assert_cmpfloat_with_epsilon (echoes_progress_get_fraction (&bar), 0.425, 1e-9);
  g_assert_true (echoes_progress_update (&bar, 1.0));
  g_assert_cmpfloat_with_epsilon (echoes_progress_get_fraction (&bar), 0.85, 1e-9);

  echoes_progress_begin_phase (&bar, 1.0);
  /* The new phase starts where the last one ended, not at 0. */
  g_assert_false (echoes_progress_update (&bar, 0.0));
  g_assert_cmpfloat_with_epsilon (echoes_progress_get_fraction (&bar), 0.85, 1e-9);
  g_assert_true (echoes_progress_update (&bar, 0.5));
  g_assert_cmpfloat_with_epsilon (echoes_progress_get_fraction (&bar), 0.925, 1e-9);

  echoes_progress_finish (&bar);
  g_assert_cmpfloat (echoes_progress_get_fraction (&bar), ==, 1.0);
  g_assert_false (echoes_progress_update (&bar, 0.1));
  g_assert_cmpfloat (echoes_progress_get_fraction (&bar), ==, 1.0);
}

static void
test_progress_never_back (void)
{
  EchoesProgress bar;

  echoes_progress_init (&bar);

  /* A position that jitters back (0.144 → 0.133) leaves the bar at 0.144. */
  g_assert_true (echoes_progress_update (&bar, 0.144));
  g_assert_false (echoes_progress_update (&bar, 0.133));
  g_assert_cmpfloat (echoes_progress_get_fraction (&bar), ==, 0.144);
  g_assert_false (echoes_progress_update (&bar, 0.144));

  /* Out-of-range and NaN reports are clamped. */
  g_assert_false (echoes_progress_update (&bar, -3.0));
  g_assert_false (echoes_progress_update (&bar, NAN));
  g_assert_cmpfloat (echoes_progress_get_fraction (&bar), ==, 0.144);
  g_assert_true (echoes_progress_update (&bar, 7.0));
  g_assert_cmpfloat (echoes_progress_get_fraction (&bar), ==, 1.0);
}

static void
test_progress_abandoned_phase (void)
{
  EchoesProgress bar;

  echoes_progress_init (&bar);

  /* A phase given up half-way (splicing not possible) for one that takes the rest of
   * the bar: the bar goes on from where it was. */
  echoes_progress_begin_phase (&bar, 0.3);
  g_assert_true (echoes_progress_update (&bar, 0.5));
  g_assert_cmpfloat_with_epsilon (echoes_progress_get_fraction (&bar), 0.15, 1e-9);
  echoes_progress_begin_phase (&bar, 1.0);
  g_assert_false (echoes_progress_update (&bar, 0.0));
  g_assert_true (echoes_progress_update (&bar, 0.1));
  g_assert_cmpfloat_with_epsilon (echoes_progress_get_fraction (&bar), 0.15 + 0.085, 1e-9);

  /* A phase ending below the value reached is empty. */
  echoes_progress_begin_phase (&bar, 0.1);
  g_assert_false (echoes_progress_update (&bar, 1.0));
  g_assert_cmpfloat_with_epsilon (echoes_progress_get_fraction (&bar), 0.235, 1e-9);

  /* Random reports through random phases never step back. */
  echoes_progress_init (&bar);
  for (guint i = 0; i < 1000; i++)
    {
      double before = echoes_progress_get_fraction (&bar);

      if (g_test_rand_int_range (0, 10) == 0)
        echoes_progress_begin_phase (&bar, g_test_rand_double ());
      echoes_progress_update (&bar, g_test_rand_double_range (-0.5, 1.5));
      g_assert_cmpfloat (echoes_progress_get_fraction (&bar), >=, before);
      g_assert_cmpfloat (echoes_progress_get_fraction (&bar), <=, 1.0);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/echoes/core/progress/phases", test_progress_phases);
  g_test_add_func ("/echoes/core/progress/never-back", test_progress_never_back);
  g_test_add_func ("/echoes/core/progress/abandoned-phase", test_progress_abandoned_phase);

  return g_test_run ();
}
