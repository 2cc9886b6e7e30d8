/* echoes-cli-account.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-cli-account"

#include "config.h"

#include "echoes-cli-account.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "echoes-auth.h"
#include "echoes-cloud-error.h"
#include "echoes-store.h"
#include "echoes-supabase-remote.h"
#include "echoes-sync-engine.h"
#include "echoes-util.h"
#include "echoes-cli-util.h"

/* `echoes-cli account login|logout|status|sync`: the account the app signs in to, from a
 * terminal or a script; `sync` runs one sync of the data directory with it. The password is read from stdin (a prompt without echo on a
 * terminal); never from the command line, where other users could see it. */

static int
fail_error (const GError *error)
{
  g_printerr ("echoes-cli: %s\n", echoes_cloud_error_describe (error));
  return 1;
}

static void
print_status (EchoesAuth *auth,
              gboolean    json)
{
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "signed_in");
      json_builder_add_boolean_value (builder, echoes_auth_get_signed_in (auth));
      json_builder_set_member_name (builder, "email");
      if (echoes_auth_get_email (auth) != NULL)
        json_builder_add_string_value (builder, echoes_auth_get_email (auth));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "user_id");
      if (echoes_auth_get_user_id (auth) != NULL)
        json_builder_add_string_value (builder, echoes_auth_get_user_id (auth));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "remembered");
      json_builder_add_boolean_value (builder, echoes_auth_get_session_persistent (auth));
      json_builder_set_member_name (builder, "server");
      json_builder_add_string_value (builder, echoes_auth_get_url (auth));
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      json_generator_set_pretty (generator, TRUE);
      text = json_generator_to_data (generator, NULL);
      g_print ("%s\n", text);
      return;
    }

  if (echoes_auth_get_signed_in (auth))
    g_print (_("Signed in as %s.\n"), echoes_auth_get_email (auth) != NULL
                                      ? echoes_auth_get_email (auth)
                                      : echoes_auth_get_user_id (auth));
  else
    g_print (_("Not signed in.\n"));
}

static gboolean
restore (EchoesAuth  *auth,
         GError     **error)
{
  EchoesCliWait wait = { NULL };
  gboolean ok;

  echoes_auth_restore_async (auth, NULL, echoes_cli_wait_cb, &wait);
  echoes_cli_wait (&wait);
  ok = echoes_auth_restore_finish (auth, wait.result, error);
  g_object_unref (wait.result);
  return ok;
}

static int
account_login (EchoesAuth *auth,
               int         argc,
               char      **argv,
               gboolean    json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *email = NULL;
  g_autofree char *password = NULL;
  EchoesCliWait wait = { NULL };
  gboolean ok;

  email = argc > 1 ? g_strdup (argv[1]) : echoes_cli_read_line (_("E-mail address: "), FALSE);
  if (email == NULL || *email == '\0')
    {
      g_printerr ("echoes-cli: %s\n", _("An e-mail address is needed to sign in."));
      return 2;
    }
  password = echoes_cli_read_line (_("Password: "), TRUE);
  if (password == NULL || *password == '\0')
    {
      g_printerr ("echoes-cli: %s\n", _("A password is needed to sign in; it is read from the standard input."));
      return 2;
    }

  echoes_auth_sign_in_async (auth, email, password, NULL, echoes_cli_wait_cb, &wait);
  g_clear_pointer (&password, echoes_secret_free);
  echoes_cli_wait (&wait);
  ok = echoes_auth_sign_in_finish (auth, wait.result, &error);
  g_object_unref (wait.result);
  if (!ok)
    return fail_error (error);

  print_status (auth, json);
  if (!echoes_auth_get_session_persistent (auth))
    {
      const GError *why = echoes_auth_get_persistence_error (auth);

      g_printerr ("echoes-cli: %s\n",
                  why != NULL ? echoes_cloud_error_describe (why)
                              : _("The sign-in will not be remembered."));
    }
  return 0;
}

static int
account_logout (EchoesAuth *auth,
                gboolean    json)
{
  g_autoptr(GError) error = NULL;
  EchoesCliWait wait = { NULL };
  gboolean ok;

  if (!restore (auth, &error))
    return fail_error (error);
  if (!echoes_auth_get_signed_in (auth))
    {
      print_status (auth, json);
      return 0;
    }

  echoes_auth_sign_out_async (auth, NULL, echoes_cli_wait_cb, &wait);
  echoes_cli_wait (&wait);
  ok = echoes_auth_sign_out_finish (auth, wait.result, &error);
  g_object_unref (wait.result);
  /* Signed out here either way; say so when the server could not be told. */
  print_status (auth, json);
  if (!ok)
    {
      g_printerr ("echoes-cli: %s\n", echoes_cloud_error_describe (error));
      return 1;
    }
  return 0;
}

static const char *
describe_sync_error (const GError *error)
{
  if (error->domain != ECHOES_SYNC_ERROR)
    return echoes_cloud_error_describe (error);

  switch ((EchoesSyncError)error->code)
    {
    case ECHOES_SYNC_ERROR_OFFLINE:
    case ECHOES_SYNC_ERROR_NETWORK:
      return _("The account server could not be reached. Check your internet connection and try again.");
    case ECHOES_SYNC_ERROR_NOT_SIGNED_IN:
      return _("You are not signed in.");
    case ECHOES_SYNC_ERROR_OTHER_ACCOUNT:
      return _("The synced projects on this computer belong to another account");
    case ECHOES_SYNC_ERROR_FAILED:
    case ECHOES_SYNC_ERROR_NOT_FOUND:
    case ECHOES_SYNC_ERROR_BAD_RESPONSE:
    case ECHOES_SYNC_ERROR_UPLOAD_EXPIRED:
    default:
      return _("Sync failed: your changes are kept on this computer");
    }
}

/* One whole sync (push, pull, downloads) of the data directory with the account. */
static int
account_sync (EchoesAuth *auth,
              gboolean    json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesStore) store = NULL;
  g_autoptr(EchoesSupabaseRemote) remote = NULL;
  g_autoptr(EchoesSyncEngine) engine = NULL;
  EchoesCliWait wait = { NULL };
  gboolean ok;

  if (!restore (auth, &error))
    return fail_error (error);
  if (!echoes_auth_get_signed_in (auth))
    {
      g_printerr ("echoes-cli: %s\n", _("You are not signed in."));
      return 1;
    }

  if (!(store = echoes_store_open (NULL, &error)))
    {
      g_printerr ("echoes-cli: %s\n", error->message);
      return 1;
    }

  remote = echoes_supabase_remote_new (auth);
  engine = echoes_sync_engine_new (store, ECHOES_SYNC_REMOTE (remote), NULL);
  echoes_sync_engine_sync_async (engine, NULL, echoes_cli_wait_cb, &wait);
  echoes_cli_wait (&wait);
  ok = echoes_sync_engine_sync_finish (engine, wait.result, &error);
  g_object_unref (wait.result);
  echoes_sync_engine_stop (engine);
  if (!ok)
    {
      g_printerr ("echoes-cli: %s\n", describe_sync_error (error));
      return 1;
    }

  if (json)
    g_print ("{\n  \"synced\" : true\n}\n");
  else
    g_print ("%s\n", _("Synced."));
  return 0;
}

/**
 * echoes_cli_account_usage:
 *
 * Returns: (transfer none): the usage lines of the account commands
 */
const char *
echoes_cli_account_usage (void)
{
  return "  account login [EMAIL]\n  account logout\n  account status\n  account sync\n";
}

/**
 * echoes_cli_account:
 * @argc: the number of arguments after `account`
 * @argv: the arguments after `account`: the command first
 * @json: print JSON
 *
 * Runs an account command against the configured account server.
 *
 * Returns: the exit status
 */
int
echoes_cli_account (int        argc,
                    char     **argv,
                    gboolean   json)
{
  g_autoptr(EchoesAuth) auth = NULL;
  g_autoptr(GError) error = NULL;
  const char *command = argc > 0 ? argv[0] : "";

  if (!(g_str_equal (command, "login") && argc <= 2)
      && !(g_str_equal (command, "logout") && argc == 1)
      && !(g_str_equal (command, "status") && argc == 1)
      && !(g_str_equal (command, "sync") && argc == 1))
    {
      g_printerr (_("Usage: echoes-cli account login [EMAIL] | logout | status | sync\n"));
      return 2;
    }

  if (!(auth = echoes_auth_new_from_settings (&error)))
    return fail_error (error);

  if (g_str_equal (command, "login"))
    return account_login (auth, argc, argv, json);
  if (g_str_equal (command, "logout"))
    return account_logout (auth, json);
  if (g_str_equal (command, "sync"))
    return account_sync (auth, json);

  if (!restore (auth, &error))
    {
      print_status (auth, json);
      return fail_error (error);
    }
  print_status (auth, json);
  return 0;
}
