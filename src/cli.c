/* cli.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-cli"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "echoes-cli-project.h"
#include "echoes-cli-account.h"
#include "echoes-cli-runway-key.h"
#include "echoes-cli-credits.h"
#include "echoes-context.h"
#include "echoes-importer.h"
#include "echoes-util.h"
#include "echoes-film-export.h"
#include "echoes-generation-batch.h"
#include "echoes-provider-registry.h"
#include "echoes-runway-provider.h"

/* `echoes-cli`: the app's store and import path, headless. Every command works on the
 * same database as the app (`$XDG_DATA_HOME/echoes`), prints a message on stderr and
 * exits non-zero on any error, and prints JSON on stdout with --json. */

typedef struct
{
  EchoesContext *context;
  gboolean       json;
  gboolean       forced_provider;  /* --provider: every clip, whatever it chose */
} Cli;

typedef int (*CommandFunc) (Cli   *cli,
                            int    argc,
                            char **argv);

typedef struct
{
  const char  *group;
  const char  *name;
  const char  *usage;
  int          min_args;
  int          max_args;  /* -1: any */
  CommandFunc  func;
} Command;

static int
fail (GError *error)
{
  g_printerr ("echoes-cli: %s\n", error->message);
  return 1;
}

static int
fail_message (const char *message)
{
  g_printerr ("echoes-cli: %s\n", message);
  return 1;
}

static void
print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_time (JsonBuilder *builder,
          const char  *name,
          gint64       usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autofree char *iso = dt ? g_date_time_format_iso8601 (dt) : NULL;

  add_string (builder, name, iso);
}

static void
build_project (JsonBuilder   *builder,
               EchoesProject *project)
{
  json_builder_begin_object (builder);
  add_string (builder, "id", echoes_project_get_id (project));
  add_string (builder, "title", echoes_project_get_title (project));
  add_string (builder, "status", echoes_project_status_to_string (echoes_project_get_status (project)));
  add_string (builder, "ratio", echoes_project_get_ratio (project));
  add_string (builder, "music", echoes_project_get_music (project));
  add_string (builder, "provider", echoes_project_get_provider (project));
  json_builder_set_member_name (builder, "clips");
  json_builder_add_int_value (builder, echoes_project_get_clip_count (project));
  json_builder_set_member_name (builder, "approved");
  json_builder_add_int_value (builder, echoes_project_get_approved_count (project));
  add_time (builder, "created_at", echoes_project_get_created_at (project));
  add_time (builder, "updated_at", echoes_project_get_updated_at (project));
  json_builder_end_object (builder);
}

static void
build_clip (JsonBuilder *builder,
            EchoesClip  *clip)
{
  json_builder_begin_object (builder);
  add_string (builder, "id", echoes_clip_get_id (clip));
  add_string (builder, "project_id", echoes_clip_get_project_id (clip));
  json_builder_set_member_name (builder, "order");
  json_builder_add_int_value (builder, echoes_clip_get_position (clip));
  add_string (builder, "image", echoes_clip_get_image (clip));
  add_string (builder, "source_name", echoes_clip_get_source_name (clip));
  add_string (builder, "video", echoes_clip_get_video (clip));
  add_string (builder, "status", echoes_clip_status_to_string (echoes_clip_get_status (clip)));
  json_builder_set_member_name (builder, "approved");
  json_builder_add_boolean_value (builder, echoes_clip_get_approved (clip));
  add_string (builder, "provider", echoes_clip_get_provider (clip));
  add_string (builder, "provider_override", echoes_clip_get_provider_override (clip));
  add_string (builder, "prompt", echoes_clip_get_prompt (clip));
  add_string (builder, "motion", echoes_clip_get_motion (clip));
  add_string (builder, "error", echoes_clip_get_error (clip));
  add_time (builder, "created_at", echoes_clip_get_created_at (clip));
  add_time (builder, "updated_at", echoes_clip_get_updated_at (clip));
  json_builder_end_object (builder);
}

/* A project is named by its id, a unique id prefix, or its exact title. */
static EchoesProject *
find_project (Cli         *cli,
              const char  *name,
              GError     **error)
{
  EchoesStore *store = echoes_context_get_store (cli->context);
  g_autoptr(GPtrArray) projects = NULL;
  EchoesProject *found = NULL;
  guint matches = 0;

  if (!(projects = echoes_store_list_projects (store, error)))
    return NULL;

  for (guint i = 0; i < projects->len; i++)
    {
      EchoesProject *project = g_ptr_array_index (projects, i);

      if (g_str_equal (echoes_project_get_id (project), name))
        return g_object_ref (project);
    }

  for (guint i = 0; i < projects->len; i++)
    {
      EchoesProject *project = g_ptr_array_index (projects, i);

      if (g_str_has_prefix (echoes_project_get_id (project), name) ||
          g_strcmp0 (echoes_project_get_title (project), name) == 0)
        {
          found = project;
          matches++;
        }
    }

  if (matches == 1)
    return g_object_ref (found);

  g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND,
               matches ? _("“%s” names more than one project; use its id")
                       : _("No project “%s”"), name);
  return NULL;
}

/* A clip is named by its id or a unique id prefix. */
static EchoesClip *
find_clip (Cli         *cli,
           const char  *name,
           GError     **error)
{
  EchoesStore *store = echoes_context_get_store (cli->context);
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(EchoesClip) found = NULL;
  guint matches = 0;

  if (!(projects = echoes_store_list_projects (store, error)))
    return NULL;

  for (guint i = 0; i < projects->len; i++)
    {
      EchoesProject *project = g_ptr_array_index (projects, i);
      g_autoptr(GPtrArray) clips = echoes_store_list_clips (store, echoes_project_get_id (project),
                                                            error);

      if (clips == NULL)
        return NULL;

      for (guint j = 0; j < clips->len; j++)
        {
          EchoesClip *clip = g_ptr_array_index (clips, j);

          if (g_str_equal (echoes_clip_get_id (clip), name))
            return g_object_ref (clip);
          if (g_str_has_prefix (echoes_clip_get_id (clip), name))
            {
              g_set_object (&found, clip);
              matches++;
            }
        }
    }

  if (matches == 1)
    return g_steal_pointer (&found);

  g_set_error (error, ECHOES_STORE_ERROR, ECHOES_STORE_ERROR_NOT_FOUND,
               matches ? _("“%s” names more than one clip; use its id")
                       : _("No clip “%s”"), name);
  return NULL;
}

/* For the command groups in files of their own (echoes-cli-project.h). */
EchoesProject *
echoes_cli_find_project (EchoesContext  *context,
                         const char     *name,
                         GError        **error)
{
  Cli cli = { context, FALSE };

  return find_project (&cli, name, error);
}

EchoesClip *
echoes_cli_find_clip (EchoesContext  *context,
                      const char     *name,
                      GError        **error)
{
  Cli cli = { context, FALSE };

  return find_clip (&cli, name, error);
}

void
echoes_cli_build_project (JsonBuilder   *builder,
                          EchoesProject *project)
{
  build_project (builder, project);
}

void
echoes_cli_build_clip (JsonBuilder *builder,
                       EchoesClip  *clip)
{
  build_clip (builder, clip);
}

void
echoes_cli_print_json (JsonBuilder *builder)
{
  print_json (builder);
}

static int
print_project (Cli           *cli,
               EchoesProject *project)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      build_project (builder, project);
      print_json (builder);
    }
  else
    g_print ("%s\t%s\n", echoes_project_get_id (project), echoes_project_get_title (project));

  return 0;
}

static int
projects_list (Cli   *cli,
               int    argc,
               char **argv)
{
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(GError) error = NULL;

  if (!(projects = echoes_store_list_projects (echoes_context_get_store (cli->context), &error)))
    return fail (error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < projects->len; i++)
        build_project (builder, g_ptr_array_index (projects, i));
      json_builder_end_array (builder);
      print_json (builder);
      return 0;
    }

  for (guint i = 0; i < projects->len; i++)
    {
      EchoesProject *project = g_ptr_array_index (projects, i);

      /* TRANSLATORS: project list columns: id, clip count, approved count, title */
      g_print (_("%s\t%u clips\t%u approved\t%s\n"),
               echoes_project_get_id (project),
               echoes_project_get_clip_count (project),
               echoes_project_get_approved_count (project),
               echoes_project_get_title (project));
    }

  return 0;
}

static int
projects_create (Cli   *cli,
                 int    argc,
                 char **argv)
{
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = g_strstrip (g_strdup (argv[0]));

  if (*title == '\0')
    return fail_message (_("A project needs a title"));

  if (!(project = echoes_store_create_project (echoes_context_get_store (cli->context), title,
                                               &error)))
    return fail (error);

  return print_project (cli, project);
}

static int
projects_rename (Cli   *cli,
                 int    argc,
                 char **argv)
{
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = g_strstrip (g_strdup (argv[1]));

  if (*title == '\0')
    return fail_message (_("A project needs a title"));

  if (!(project = find_project (cli, argv[0], &error)))
    return fail (error);

  echoes_project_set_title (project, title);
  if (!echoes_store_update_project (echoes_context_get_store (cli->context), project, &error))
    return fail (error);

  return print_project (cli, project);
}

static int
projects_delete (Cli   *cli,
                 int    argc,
                 char **argv)
{
  EchoesStore *store = echoes_context_get_store (cli->context);
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(GError) error = NULL;

  if (!(project = find_project (cli, argv[0], &error)) ||
      !echoes_store_trash_project (store, echoes_project_get_id (project), &error))
    return fail (error);

  /* Purge only this one: the app may hold other trashed items for its Undo. */
  echoes_store_purge_trash (store, echoes_project_get_id (project), &error);
  if (error != NULL)
    return fail (error);

  return 0;
}

static int
clips_list (Cli   *cli,
            int    argc,
            char **argv)
{
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GError) error = NULL;

  if (!(project = find_project (cli, argv[0], &error)) ||
      !(clips = echoes_store_list_clips (echoes_context_get_store (cli->context),
                                         echoes_project_get_id (project), &error)))
    return fail (error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < clips->len; i++)
        build_clip (builder, g_ptr_array_index (clips, i));
      json_builder_end_array (builder);
      print_json (builder);
      return 0;
    }

  for (guint i = 0; i < clips->len; i++)
    {
      EchoesClip *clip = g_ptr_array_index (clips, i);

      g_print ("%u\t%s\t%s\t%s\t%s\n",
               echoes_clip_get_position (clip),
               echoes_clip_get_id (clip),
               echoes_clip_status_to_string (echoes_clip_get_status (clip)),
               echoes_clip_get_approved (clip) ? _("approved") : "-",
               echoes_clip_get_source_name (clip) ?: "");
    }

  return 0;
}

static void
file_failed_cb (EchoesImporter *importer,
                GFile          *file,
                GError         *error,
                gpointer        user_data)
{
  g_printerr ("echoes-cli: %s\n", error->message);
}

static void
clip_added_cb (EchoesImporter *importer,
               EchoesClip     *clip,
               GPtrArray      *added)
{
  g_ptr_array_add (added, g_object_ref (clip));
}

static void
progress_cb (EchoesImporter *importer,
             GParamSpec     *pspec,
             gpointer        user_data)
{
  /* TRANSLATORS: import progress on a terminal: done of total */
  g_printerr ("\r");
  g_printerr (_("Importing %u of %u…"), echoes_importer_get_done (importer),
              echoes_importer_get_total (importer));
}

static int
clips_add (Cli   *cli,
           int    argc,
           char **argv)
{
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(EchoesImporter) importer = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  gboolean tty = isatty (STDERR_FILENO);

  if (!(project = find_project (cli, argv[0], &error)))
    return fail (error);

  for (int i = 1; i < argc; i++)
    g_ptr_array_add (files, g_file_new_for_commandline_arg (argv[i]));

  importer = echoes_importer_new (echoes_context_get_store (cli->context),
                                  echoes_context_get_thumbnailer (cli->context),
                                  echoes_project_get_id (project));
  g_signal_connect (importer, "file-failed", G_CALLBACK (file_failed_cb), NULL);
  g_signal_connect (importer, "clip-added", G_CALLBACK (clip_added_cb), added);
  if (tty && !cli->json)
    g_signal_connect (importer, "notify::done", G_CALLBACK (progress_cb), NULL);

  if (!echoes_importer_import (importer, files, NULL, &error))
    return fail (error);

  if (tty && !cli->json)
    g_printerr ("\n");

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < added->len; i++)
        build_clip (builder, g_ptr_array_index (added, i));
      json_builder_end_array (builder);
      print_json (builder);
    }
  else
    {
      for (guint i = 0; i < added->len; i++)
        g_print ("%s\t%s\n", echoes_clip_get_id (g_ptr_array_index (added, i)),
                 echoes_clip_get_source_name (g_ptr_array_index (added, i)));
    }

  /* Some files refused: the others were added, but the command did not do all it was
   * asked, which scripts must be able to see. */
  return echoes_importer_get_failed (importer) ? 1 : 0;
}

static int
set_approved (Cli        *cli,
              const char *name,
              gboolean    approved)
{
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GError) error = NULL;

  if (!(clip = find_clip (cli, name, &error)))
    return fail (error);

  echoes_clip_set_approved (clip, approved);
  if (!echoes_store_update_clip (echoes_context_get_store (cli->context), clip, &error))
    return fail (error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      build_clip (builder, clip);
      print_json (builder);
    }

  return 0;
}

static int
clips_approve (Cli   *cli,
               int    argc,
               char **argv)
{
  return set_approved (cli, argv[0], TRUE);
}

static int
clips_unapprove (Cli   *cli,
                 int    argc,
                 char **argv)
{
  return set_approved (cli, argv[0], FALSE);
}

static int
clips_move (Cli   *cli,
            int    argc,
            char **argv)
{
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GError) error = NULL;
  guint64 position;

  if (!g_ascii_string_to_unsigned (argv[1], 10, 0, G_MAXINT, &position, NULL))
    return fail_message (_("The position must be a number from 0"));

  if (!(clip = find_clip (cli, argv[0], &error)) ||
      !echoes_store_move_clip (echoes_context_get_store (cli->context),
                               echoes_clip_get_id (clip), position, &error))
    return fail (error);

  return 0;
}

static int
clips_delete (Cli   *cli,
              int    argc,
              char **argv)
{
  EchoesStore *store = echoes_context_get_store (cli->context);
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GError) error = NULL;

  if (!(clip = find_clip (cli, argv[0], &error)) ||
      !echoes_store_trash_clip (store, echoes_clip_get_id (clip), &error))
    return fail (error);

  echoes_store_purge_trash (store, echoes_clip_get_id (clip), &error);
  if (error != NULL)
    return fail (error);

  return 0;
}

/* `projects export`: options of their own, parsed with the main ones. */
static gboolean export_webm;
static gboolean export_1080p;
static gboolean export_force;
static double export_crossfade;

static GOptionGroup *
export_option_group (void)
{
  static const GOptionEntry entries[] = {
    { "webm", 0, 0, G_OPTION_ARG_NONE, &export_webm,
      N_("projects export: write WebM (VP9 + Opus) instead of MP4 (H.264 + AAC)"), NULL },
    { "1080p", 0, 0, G_OPTION_ARG_NONE, &export_1080p,
      N_("projects export: 1080p instead of 720p"), NULL },
    { "crossfade", 0, 0, G_OPTION_ARG_DOUBLE, &export_crossfade,
      N_("projects export: crossfade between clips"), N_("SECONDS") },
    { "force", 0, 0, G_OPTION_ARG_NONE, &export_force,
      N_("projects export: replace OUT if it exists"), NULL },
    { NULL }
  };
  GOptionGroup *group;

  group = g_option_group_new ("export", _("Export options:"), _("Show export options"),
                              NULL, NULL);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_group_add_entries (group, entries);

  return group;
}

typedef struct
{
  GMainLoop    *loop;
  GCancellable *cancellable;
  GError       *error;
  gboolean      ok;
} ExportRun;

static void
export_progress_cb (EchoesExporter *exporter,
                    double          fraction,
                    gint64          remaining,
                    gpointer        user_data)
{
  g_printerr ("\r");
  if (remaining >= 0)
    /* TRANSLATORS: export progress on a terminal: percent done, seconds left */
    g_printerr (_("Exporting… %3.0f %% (%d s left)   "), fraction * 100,
                (int)((remaining + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC));
  else
    g_printerr (_("Exporting… %3.0f %%   "), fraction * 100);
}

static gboolean
export_interrupt_cb (gpointer user_data)
{
  ExportRun *run = user_data;

  /* The exporter removes its temp file; the destination is never half-written. */
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  ExportRun *run = user_data;

  run->ok = echoes_exporter_run_finish (ECHOES_EXPORTER (object), result, &run->error);
  g_main_loop_quit (run->loop);
}

static int
projects_export (Cli   *cli,
                 int    argc,
                 char **argv)
{
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(EchoesFilm) film = NULL;
  g_autoptr(EchoesExporter) exporter = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gboolean tty = isatty (STDERR_FILENO) && !cli->json;
  ExportRun run = { loop, cancellable, NULL, FALSE };
  guint sigint;

  if (!(project = find_project (cli, argv[0], &error)) ||
      !(film = echoes_film_load (echoes_context_get_store (cli->context),
                                 echoes_project_get_id (project), &error)))
    return fail (error);

  if (export_crossfade < 0 || export_crossfade > 5)
    return fail_message (_("The crossfade must be between 0 and 5 seconds"));

  exporter = echoes_exporter_new ();
  echoes_film_apply (film, exporter);
  echoes_exporter_set_format (exporter, export_webm ? ECHOES_EXPORT_FORMAT_WEBM
                                                    : ECHOES_EXPORT_FORMAT_MP4);
  echoes_exporter_set_height (exporter,
                              echoes_resolution_get_lines (export_1080p ? ECHOES_RESOLUTION_1080P
                                                                        : ECHOES_RESOLUTION_720P));
  echoes_exporter_set_crossfade (exporter, (GstClockTime) (export_crossfade * GST_SECOND));
  echoes_exporter_set_flags (exporter, export_force ? ECHOES_EXPORT_FLAGS_OVERWRITE
                                                    : ECHOES_EXPORT_FLAGS_NONE);
  if (tty)
    g_signal_connect (exporter, "progress", G_CALLBACK (export_progress_cb), NULL);

  sigint = g_unix_signal_add (SIGINT, export_interrupt_cb, &run);
  echoes_exporter_run_async (exporter, argv[1], cancellable, export_done_cb, &run);
  g_main_loop_run (loop);
  g_source_remove (sigint);

  if (tty)
    g_printerr ("\n");

  if (!run.ok)
    {
      g_propagate_error (&error, run.error);
      return fail (error);
    }

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      add_string (builder, "project", echoes_project_get_id (project));
      add_string (builder, "output", argv[1]);
      json_builder_set_member_name (builder, "clips");
      json_builder_add_int_value (builder, film->n_clips);
      json_builder_set_member_name (builder, "copied-video");
      json_builder_add_boolean_value (builder, echoes_exporter_get_copied_video (exporter));
      json_builder_set_member_name (builder, "spliced-video");
      json_builder_add_boolean_value (builder, echoes_exporter_get_spliced_video (exporter));
      json_builder_end_object (builder);
      print_json (builder);
    }
  else
    {
      g_print ("%s\n", argv[1]);
    }

  return 0;
}

/* `projects generate`: every pending or failed clip, each with its chosen provider (its
 * own, else its project's, else the active one), or all with --provider's. */
char *
echoes_cli_dup_provider_setting (void)
{
  g_autoptr(GSettings) settings = echoes_settings_new (ECHOES_PROVIDER_SETTINGS_KEY);

  /* The CLI also runs uninstalled, without the schema: then the default applies. */
  return settings != NULL ? g_settings_get_string (settings, ECHOES_PROVIDER_SETTINGS_KEY) : NULL;
}

static void
generate_progress_cb (const char *clip_id,
                      guint       index,
                      guint       total,
                      double      fraction,
                      gpointer    user_data)
{
  /* TRANSLATORS: generation progress on a terminal: clips done of all, percent of the whole */
  g_printerr ("\r");
  g_printerr (_("Generating clips: %u of %u done, %3.0f %%   "), index, total, fraction * 100);
}

typedef struct
{
  EchoesStore         *store;
  EchoesProviderRegistry *registry;  /* (nullable): NULL forces @provider */
  EchoesVideoProvider *provider;
  const char          *project_id;
  gboolean             tty;
  GCancellable        *cancellable;
  GMainLoop           *loop;
  guint                n_done;
  gboolean             ok;
  GError              *error;
} GenerateRun;

static gboolean
generate_interrupt_cb (gpointer user_data)
{
  GenerateRun *run = user_data;

  /* Clips go back to pending and partial files are removed. */
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

static gboolean
generate_quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* The batch runs its own main context; it gets a thread so this one can take SIGINT. */
static gpointer
generate_thread (gpointer user_data)
{
  GenerateRun *run = user_data;

  run->ok = echoes_generation_batch_run (run->store, run->registry, run->provider,
                                         run->project_id,
                                         run->tty ? generate_progress_cb : NULL,
                                         NULL, &run->n_done, run->cancellable,
                                         &run->error);
  g_idle_add (generate_quit_cb, run->loop);
  return NULL;
}

/* Whether any clip of the project to generate would use "runway" (then the registry
 * needs the signed-in session). */
static gboolean
project_uses_runway (EchoesStore   *store,
                     EchoesProject *project,
                     const char    *default_name)
{
  g_autoptr(GPtrArray) clips = echoes_store_list_clips (store, echoes_project_get_id (project),
                                                        NULL);

  for (guint i = 0; clips != NULL && i < clips->len; i++)
    {
      EchoesClip *clip = clips->pdata[i];
      EchoesClipStatus status = echoes_clip_get_status (clip);

      if (status != ECHOES_CLIP_STATUS_READY &&
          g_strcmp0 (echoes_clip_choose_provider (clip, echoes_project_get_provider (project),
                                                  default_name),
                     ECHOES_RUNWAY_PROVIDER_NAME) == 0)
        return TRUE;
    }
  return FALSE;
}

static int
projects_generate (Cli   *cli,
                   int    argc,
                   char **argv)
{
  EchoesStore *store = echoes_context_get_store (cli->context);
  g_autoptr(EchoesProject) project = NULL;
  g_autofree char *setting = echoes_cli_dup_provider_setting ();
  const char *default_name = echoes_provider_registry_resolve_name (setting);
  g_autoptr(EchoesProviderRegistry) registry = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  EchoesVideoProvider *provider;
  GenerateRun run = { 0 };
  GThread *thread;
  guint sigint;

  if (!(project = find_project (cli, argv[0], &error)))
    return fail (error);

  /* "runway" generates as the signed-in account (echoes-cli account login). */
  registry = echoes_cli_credits_new_registry (
    (cli->forced_provider ? g_str_equal (default_name, ECHOES_RUNWAY_PROVIDER_NAME)
                          : project_uses_runway (store, project, default_name))
      ? ECHOES_RUNWAY_PROVIDER_NAME : default_name);
  if (!(provider = echoes_provider_registry_get_active (registry, setting, &error)))
    return fail (error);

  run.store = store;
  run.registry = cli->forced_provider ? NULL : registry;
  run.provider = provider;
  run.project_id = echoes_project_get_id (project);
  run.tty = isatty (STDERR_FILENO) && !cli->json;
  run.cancellable = cancellable;
  run.loop = loop;

  sigint = g_unix_signal_add (SIGINT, generate_interrupt_cb, &run);
  thread = g_thread_new ("echoes-generate", generate_thread, &run);
  g_main_loop_run (loop);
  g_thread_join (thread);
  g_source_remove (sigint);

  if (run.tty)
    g_printerr ("\n");

  if (!run.ok)
    {
      g_propagate_error (&error, run.error);
      return fail (error);
    }

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      add_string (builder, "project", echoes_project_get_id (project));
      add_string (builder, "provider", echoes_video_provider_get_name (provider));
      json_builder_set_member_name (builder, "generated");
      json_builder_add_int_value (builder, run.n_done);
      json_builder_end_object (builder);
      print_json (builder);
    }
  else
    {
      g_print ("%u\n", run.n_done);
    }

  return 0;
}

static const Command commands[] = {
  { "projects", "list",      "",                       0, 0, projects_list },
  { "projects", "create",    "TITLE",                  1, 1, projects_create },
  { "projects", "rename",    "PROJECT TITLE",          2, 2, projects_rename },
  { "projects", "delete",    "PROJECT",                1, 1, projects_delete },
  { "projects", "export",    "PROJECT OUT [--webm] [--1080p] [--crossfade SECONDS] [--force]",
                                                        2, 2, projects_export },
  { "projects", "generate",  "PROJECT",                1, 1, projects_generate },
  { "clips",    "list",      "PROJECT",                1, 1, clips_list },
  { "clips",    "add",       "PROJECT FILE…",          2, -1, clips_add },
  { "clips",    "approve",   "CLIP",                   1, 1, clips_approve },
  { "clips",    "unapprove", "CLIP",                   1, 1, clips_unapprove },
  { "clips",    "move",      "CLIP POSITION",          2, 2, clips_move },
  { "clips",    "delete",    "CLIP",                   1, 1, clips_delete },
};

static char *
usage_text (void)
{
  GString *text = g_string_new (NULL);

  g_string_append (text, _("Commands:"));
  g_string_append_c (text, '\n');
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "  %s %s %s\n", commands[i].group, commands[i].name,
                            commands[i].usage);
  echoes_cli_project_append_usage (text);
  g_string_append (text, echoes_cli_account_usage ());
  g_string_append (text, echoes_cli_runway_key_usage ());
  g_string_append (text, echoes_cli_credits_usage ());
  g_string_append (text, _("PROJECT is an id, a unique id prefix or a title; CLIP an id or a unique id prefix."));
  return g_string_free (text, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(EchoesStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *usage = NULL;
  gboolean json = FALSE;
  gboolean version = FALSE;
  g_autofree char *provider = NULL;
  Cli cli = { 0 };
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print machine-readable JSON"), NULL },
    { "provider", 0, 0, G_OPTION_ARG_STRING, &provider, N_("Video provider for “projects generate”: local or runway"), N_("NAME") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version"), NULL },
    { NULL }
  };
  int status;

  /* The facedetect element loads optional OpenCV cascades that Debian does not ship
   * and OpenCV reports each as an error on stderr; only fatal ones matter to us. Set
   * before any thread starts, as setenv() is not thread-safe. */
  g_setenv ("OPENCV_LOG_LEVEL", "FATAL", FALSE);
  setlocale (LC_ALL, "");
  /* The tests point ECHOES_LOCALEDIR at the catalogues in the build directory. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("ECHOES_LOCALEDIR") ?: LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Commands with options of their own parse their command line themselves. */
  if (echoes_cli_project_run (argc, argv, &status))
    return status;

  usage = usage_text ();
  options = g_option_context_new (_("GROUP COMMAND [ARGUMENTS…] — make films from photos"));
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (options, export_option_group ());
  g_option_context_set_description (options, usage);
  g_option_context_set_strict_posix (options, FALSE);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("echoes-cli: %s\n", error->message);
      return 2;
    }

  if (version)
    {
      g_print ("echoes-cli %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (provider != NULL)
    g_setenv (ECHOES_PROVIDER_ENV, provider, TRUE);

  if (argc >= 2 && echoes_cli_credits_handles (argv[1]))
    return echoes_cli_credits (argc - 1, argv + 1, json);

  if (argc < 3)
    {
      g_printerr ("%s\n", usage);
      return 2;
    }

  /* The account commands need the account server, not the store. */
  if (g_str_equal (argv[1], "account"))
    return echoes_cli_account (argc - 2, argv + 2, json);
  if (g_str_equal (argv[1], "runway-key"))
    return echoes_cli_runway_key (argc - 2, argv + 2, json);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const Command *command = &commands[i];
      int n_args = argc - 3;

      if (!g_str_equal (command->group, argv[1]) || !g_str_equal (command->name, argv[2]))
        continue;

      if (n_args < command->min_args || (command->max_args >= 0 && n_args > command->max_args))
        {
          g_printerr (_("Usage: echoes-cli %s %s %s\n"), command->group, command->name,
                      command->usage);
          return 2;
        }

      if (!(store = echoes_store_open (NULL, &error)))
        return fail (error);

      cli.context = echoes_context_new (store);
      {
        g_autoptr(GSettings) settings = echoes_settings_new (NULL);

        echoes_context_apply_settings (cli.context, settings);
      }
      echoes_context_sweep_exports (cli.context);
      cli.json = json;
      cli.forced_provider = provider != NULL;
      status = command->func (&cli, n_args, argv + 3);
      g_clear_object (&cli.context);
      return status;
    }

  g_printerr (_("echoes-cli: unknown command “%s %s”\n%s\n"), argv[1], argv[2], usage);
  return 2;
}
