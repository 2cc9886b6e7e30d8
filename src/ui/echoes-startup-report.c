/* echoes-startup-report.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-startup-report"

#include "config.h"

#include "echoes-startup-report.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "echoes-clip-card.h"
#include "echoes-window-private.h"

/* The start-up timing hook of tests/bench/bench-startup.c, kept out of the application.
 *
 * With ECHOES_REPORT_FIRST_FRAME set, `first-frame <ms>` goes to stderr after the
 * window's first paint and `content-frame <ms>` after the first paint that shows the
 * project's clips, counted from ECHOES_REPORT_ORIGIN_US (a g_get_monotonic_time()
 * value: the bench passes the time it spawned us) or else from the process start. */
static gint64
report_origin (void)
{
  const char *env = g_getenv ("ECHOES_REPORT_ORIGIN_US");
  g_autofree char *stat = NULL;
  struct timespec boot;
  const char *fields;
  guint64 start_ticks;
  gint64 since_boot;

  if (env != NULL)
    return g_ascii_strtoll (env, NULL, 10);

  /* Field 22 of /proc/self/stat is the start time in clock ticks since boot; the
   * command (field 2) may hold spaces, so count from its closing parenthesis. */
  if (!g_file_get_contents ("/proc/self/stat", &stat, NULL, NULL) ||
      !(fields = strrchr (stat, ')')) ||
      sscanf (fields + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
              "%*d %*d %*d %*d %" G_GUINT64_FORMAT, &start_ticks) != 1 ||
      clock_gettime (CLOCK_BOOTTIME, &boot) != 0)
    return g_get_monotonic_time ();

  since_boot = (gint64)boot.tv_sec * G_USEC_PER_SEC + boot.tv_nsec / 1000;
  return g_get_monotonic_time () - (since_boot - (gint64)(start_ticks * G_USEC_PER_SEC /
                                                           sysconf (_SC_CLK_TCK)));
}

/* The timeline is on screen, done fading in, with at least one card showing a clip. */
static gboolean
shows_clips (EchoesWindow *window)
{
  GtkWidget *grid = _echoes_window_get_clip_grid (window);
  GtkWidget *stack = gtk_widget_get_ancestor (grid, GTK_TYPE_STACK);

  if (g_strcmp0 (_echoes_window_get_page (window), "timeline") != 0 ||
      (stack != NULL && gtk_stack_get_transition_running (GTK_STACK (stack))))
    return FALSE;

  for (GtkWidget *item = gtk_widget_get_first_child (grid); item;
       item = gtk_widget_get_next_sibling (item))
    {
      GtkWidget *card = gtk_widget_get_first_child (item);

      if (card != NULL && ECHOES_IS_CLIP_CARD (card) &&
          echoes_clip_card_get_clip (ECHOES_CLIP_CARD (card)) != NULL &&
          gtk_widget_get_mapped (card))
        return TRUE;
    }

  return FALSE;
}

static void
report_after_paint_cb (GdkFrameClock *clock,
                       EchoesWindow  *window)
{
  static gint64 origin = -1;
  static gboolean first_done = FALSE;
  double ms;

  if (origin < 0)
    origin = report_origin ();
  ms = (g_get_monotonic_time () - origin) / 1000.0;

  if (!first_done)
    {
      first_done = TRUE;
      g_printerr ("first-frame %.1f\n", ms);
    }

  if (shows_clips (window))
    {
      g_printerr ("content-frame %.1f\n", ms);
      g_signal_handlers_disconnect_by_func (clock, report_after_paint_cb, window);
    }
}

static void
report_realize_cb (GtkWidget *window)
{
  g_signal_connect_object (gtk_widget_get_frame_clock (window), "after-paint",
                           G_CALLBACK (report_after_paint_cb), window, 0);
}

/**
 * echoes_startup_report_attach:
 * @window: the main window, not yet realized
 *
 * With ECHOES_REPORT_FIRST_FRAME in the environment, reports when @window first paints
 * and when it first shows clips (for tests/bench/bench-startup.c); otherwise does nothing.
 */
void
echoes_startup_report_attach (GtkWidget *window)
{
  g_return_if_fail (ECHOES_IS_WINDOW (window));

  if (g_getenv ("ECHOES_REPORT_FIRST_FRAME") != NULL)
    g_signal_connect (window, "realize", G_CALLBACK (report_realize_cb), NULL);
}
