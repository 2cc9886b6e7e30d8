/* echoes-cli-runway-key.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-cli-runway-key"

#include "config.h"

#include "echoes-cli-runway-key.h"

#include <glib/gi18n.h>

#include "echoes-cli-util.h"
#include "echoes-cloud-error.h"
#include "echoes-runway-key.h"
#include "echoes-secret-store.h"
#include "echoes-util.h"

/* `echoes-cli runway-key set|remove|status`: the user's own Runway key ("bring your own
 * key"). AI clips then go straight to Runway, without an account or credits. The key is
 * read from stdin (a prompt without echo on a terminal), never from the command line;
 * it is checked once with Runway, then kept only in the keyring, and never printed. */

/* The key in the keyring, or %NULL (none, or no keyring: @error). */
static char *
lookup (EchoesSecretStore  *keyring,
        const char         *api_url,
        GError            **error)
{
  EchoesCliWait wait = { NULL };
  char *key;

  echoes_secret_store_lookup_async (keyring, api_url, NULL, echoes_cli_wait_cb, &wait);
  key = echoes_secret_store_lookup_finish (keyring, echoes_cli_wait (&wait), error);
  g_clear_object (&wait.result);
  return key;
}

/**
 * echoes_cli_runway_key_apply:
 * @registry: the providers `projects generate` uses
 *
 * Gives "runway" the user's own key when the keyring has one.
 */
void
echoes_cli_runway_key_apply (EchoesProviderRegistry *registry)
{
  g_autoptr(EchoesSecretStore) keyring = echoes_secret_store_new ();
  g_autofree char *api_url = echoes_runway_key_dup_api_url ();
  g_autoptr(GError) error = NULL;
  char *key;

  if ((key = lookup (keyring, api_url, &error)) != NULL)
    echoes_provider_registry_set_runway_key (registry, key, api_url);
  else if (error != NULL)
    g_debug ("No own Runway key: %s", error->message);
  echoes_secret_free (key);
}

/**
 * echoes_cli_runway_key_usage:
 *
 * Returns: (transfer none): the usage lines of the runway-key commands
 */
const char *
echoes_cli_runway_key_usage (void)
{
  return "  runway-key set\n  runway-key remove\n  runway-key status\n";
}

static int
print_state (gboolean set,
             gboolean json)
{
  if (json)
    g_print ("{\n  \"runway_key\" : %s\n}\n", set ? "true" : "false");
  else if (set)
    g_print ("%s\n", _("Your own Runway key is set: AI clips go straight to Runway, without credits."));
  else
    g_print ("%s\n", _("No own Runway key: AI clips use your account’s credits."));
  return 0;
}

/**
 * echoes_cli_runway_key:
 * @argc: the number of arguments after `runway-key`
 * @argv: the arguments after `runway-key`: the command first
 * @json: print JSON
 *
 * Returns: the exit status
 */
int
echoes_cli_runway_key (int        argc,
                       char     **argv,
                       gboolean   json)
{
  g_autoptr(EchoesSecretStore) keyring = NULL;
  g_autofree char *api_url = echoes_runway_key_dup_api_url ();
  g_autoptr(GError) error = NULL;
  const char *command = argc > 0 ? argv[0] : "";
  EchoesCliWait wait = { NULL };
  gboolean ok;

  if (argc != 1 || !(g_str_equal (command, "set") || g_str_equal (command, "remove") ||
                     g_str_equal (command, "status")))
    {
      g_printerr (_("Usage: echoes-cli runway-key set | remove | status\n"));
      return 2;
    }

  keyring = echoes_secret_store_new ();

  if (g_str_equal (command, "status"))
    {
      char *key = lookup (keyring, api_url, &error);
      gboolean set = key != NULL;

      echoes_secret_free (key);
      if (error != NULL)
        {
          g_printerr ("echoes-cli: %s\n", echoes_cloud_error_describe (error));
          return 1;
        }
      return print_state (set, json);
    }

  if (g_str_equal (command, "remove"))
    {
      echoes_secret_store_clear_async (keyring, api_url, NULL, echoes_cli_wait_cb, &wait);
      ok = echoes_secret_store_clear_finish (keyring, echoes_cli_wait (&wait), &error);
    }
  else
    {
      char *key = echoes_cli_read_line (_("Runway API key: "), TRUE);

      if (key == NULL || *key == '\0')
        {
          echoes_secret_free (key);
          g_printerr ("echoes-cli: %s\n", _("No key given"));
          return 2;
        }
      echoes_runway_key_save_async (keyring, api_url, key, NULL, echoes_cli_wait_cb, &wait);
      echoes_secret_free (key);
      ok = echoes_runway_key_save_finish (echoes_cli_wait (&wait), &error);
    }
  g_clear_object (&wait.result);

  if (!ok)
    {
      if (g_error_matches (error, ECHOES_CLOUD_ERROR, ECHOES_CLOUD_ERROR_UNAUTHORIZED))
        g_printerr ("echoes-cli: %s\n", _("Runway does not accept this key"));
      else
        g_printerr ("echoes-cli: %s\n", echoes_cloud_error_describe (error));
      return 1;
    }
  return print_state (g_str_equal (command, "set"), json);
}
