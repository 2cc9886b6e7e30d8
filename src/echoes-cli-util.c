/* echoes-cli-util.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "echoes-cli-util.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/**
 * echoes_cli_wait_cb:
 * @user_data: an #EchoesCliWait
 *
 * The callback that keeps the result for echoes_cli_wait().
 */
void
echoes_cli_wait_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  EchoesCliWait *wait = user_data;

  wait->result = g_object_ref (result);
}

/**
 * echoes_cli_wait:
 * @wait: the wait given to echoes_cli_wait_cb()
 *
 * Runs the main context until the call ends.
 *
 * Returns: (transfer none): its result, owned by @wait (g_clear_object (&wait->result))
 */
GAsyncResult *
echoes_cli_wait (EchoesCliWait *wait)
{
  while (wait->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return wait->result;
}

/**
 * echoes_cli_read_line:
 * @prompt: shown on a terminal
 * @secret: whether to turn echo off (a password, a key)
 *
 * Returns: (transfer full) (nullable): one line of stdin, without its newline
 */
char *
echoes_cli_read_line (const char *prompt,
                      gboolean    secret)
{
  struct termios saved;
  gboolean tty = isatty (STDIN_FILENO);
  gboolean echo_off = FALSE;
  char buffer[1024];
  char *line = NULL;

  if (tty)
    {
      g_printerr ("%s", prompt);
      if (secret && tcgetattr (STDIN_FILENO, &saved) == 0)
        {
          struct termios quiet = saved;

          quiet.c_lflag &= ~(tcflag_t) ECHO;
          echo_off = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }

  if (fgets (buffer, sizeof buffer, stdin) != NULL)
    {
      buffer[strcspn (buffer, "\r\n")] = '\0';
      line = g_strdup (buffer);
    }
  explicit_bzero (buffer, sizeof buffer);

  if (echo_off)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }
  return line;
}
