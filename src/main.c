/* main.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-main"

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "echoes-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(EchoesApplication) app = NULL;

  /* The facedetect element loads optional OpenCV cascades that Debian does not ship
   * and OpenCV reports each as an error on stderr; only fatal ones matter to us. Set
   * before any thread starts, as setenv() is not thread-safe. */
  g_setenv ("OPENCV_LOG_LEVEL", "FATAL", FALSE);
  setlocale (LC_ALL, "");
  /* The tests point ECHOES_LOCALEDIR at the catalogues in the build directory. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("ECHOES_LOCALEDIR") ?: LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("Echoes"));

  app = echoes_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
