/* echoes-cli-project.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-cli-project"

#include "config.h"

#include "echoes-cli-project.h"

#include <math.h>
#include <stdio.h>
#include <glib/gi18n.h>

#include "echoes-film-export.h"
#include "echoes-project-settings.h"
#include "echoes-provider-registry.h"
#include "echoes-util.h"

/* The echoes-cli commands that change a project's or a clip's settings, as the app's
 * controls do and through the same functions (echoes-project-settings.c,
 * echoes_film_fit_to_music_sync()). Each has options of its own and its own --help, so
 * it parses its whole command line itself. */

typedef struct
{
  EchoesContext *context;
  gboolean       json;
  char         **args;   /* the positional arguments after the command's name */
  int            n_args;
} Run;

typedef int (*RunFunc) (Run *run);

/* Options, one set for all three commands (each reads its own). */
static gboolean opt_json;
static char *opt_ratio;
static char **opt_music;
static double opt_volume = NAN;
static gboolean opt_no_music;
static char *opt_motion;
static double opt_duration = NAN;
static char *opt_prompt;
static char *opt_provider;

static int
fail (const GError *error)
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

static int
print_project (Run           *run,
               EchoesProject *project)
{
  if (run->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      echoes_cli_build_project (builder, project);
      echoes_cli_print_json (builder);
    }
  else
    g_print ("%s\t%s\n", echoes_project_get_id (project), echoes_project_get_title (project));

  return 0;
}

static int
projects_set (Run *run)
{
  EchoesStore *store = echoes_context_get_store (run->context);
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(GPtrArray) music = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  /* `--music a.mp3 b.mp3`: the files after the first are left as arguments. */
  for (guint i = 0; opt_music != NULL && opt_music[i] != NULL; i++)
    g_ptr_array_add (music, g_strdup (opt_music[i]));
  for (int i = 1; i < run->n_args; i++)
    {
      if (music->len == 0)
        return fail_message (_("Unexpected argument; music files follow --music"));
      g_ptr_array_add (music, g_strdup (run->args[i]));
    }

  if (opt_ratio == NULL && music->len == 0 && isnan (opt_volume) && !opt_no_music &&
      opt_provider == NULL)
    return fail_message (_("Nothing to set: give --ratio, --music, --volume, --no-music or --provider"));
  if (opt_no_music && music->len > 0)
    return fail_message (_("Give either --music or --no-music"));

  if (!(project = echoes_cli_find_project (run->context, run->args[0], &error)))
    return fail (error);

  /* Every check passes before anything is saved: a bad value changes nothing. */
  if (opt_ratio != NULL && !echoes_project_settings_set_ratio (project, opt_ratio, &error))
    return fail (error);

  if (opt_provider != NULL &&
      !echoes_project_settings_set_provider (project, opt_provider, &error))
    return fail (error);

  if (opt_no_music)
    echoes_project_settings_clear_music (project);

  if (music->len > 0)
    {
      g_autoptr(GStrvBuilder) paths = g_strv_builder_new ();
      g_auto(GStrv) strv = NULL;

      for (guint i = 0; i < music->len; i++)
        {
          g_autoptr(GFile) file = g_file_new_for_commandline_arg (music->pdata[i]);
          g_autofree char *path = g_file_get_path (file);

          g_strv_builder_add (paths, path ? path : music->pdata[i]);
        }
      strv = g_strv_builder_end (paths);
      if (!echoes_project_settings_set_music (project, (const char * const *) strv, NULL, &error))
        return fail (error);
    }

  if (!isnan (opt_volume) && !echoes_project_settings_set_volume (project, opt_volume, &error))
    return fail (error);

  if (!echoes_store_update_project (store, project, &error))
    return fail (error);

  return print_project (run, project);
}

static GstClockTime
crossfade_setting (void)
{
  g_autoptr(GSettings) settings = echoes_settings_new ("crossfade");

  /* Uninstalled, without the schema: no crossfade, the setting's default. */
  return settings != NULL ? (GstClockTime) g_settings_get_uint (settings, "crossfade") * GST_MSECOND
                          : 0;
}

static int
projects_fit_to_music (Run *run)
{
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(EchoesProviderRegistry) registry = echoes_provider_registry_new ();
  g_autofree char *setting = echoes_cli_dup_provider_setting ();
  g_autoptr(GError) error = NULL;
  EchoesVideoProvider *provider;
  gboolean fits = FALSE;
  guint longer = 0;

  if (!(project = echoes_cli_find_project (run->context, run->args[0], &error)))
    return fail (error);

  /* Without a usable provider the clips keep their lengths; fitting still works. */
  provider = echoes_provider_registry_get_active (registry, setting, NULL);

  if (!echoes_film_fit_to_music_sync (echoes_context_get_store (run->context),
                                      echoes_project_get_id (project), provider,
                                      crossfade_setting (), &fits, &longer, NULL, &error))
    return fail (error);

  if (run->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "project");
      json_builder_add_string_value (builder, echoes_project_get_id (project));
      json_builder_set_member_name (builder, "fits");
      json_builder_add_boolean_value (builder, fits);
      json_builder_set_member_name (builder, "longer");
      json_builder_add_int_value (builder, longer);
      json_builder_end_object (builder);
      echoes_cli_print_json (builder);
      return 0;
    }

  /* The app's words (its toast), then what to do on a terminal. */
  if (!fits)
    g_print ("%s\n", _("The music does not fit this many clips; they were made as long or as short as allowed"));
  else if (longer == 0)
    g_print ("%s\n", _("The film now ends with the music"));
  if (longer > 0)
    g_print (ngettext ("%u clip must be made again, longer: run “echoes-cli projects generate %s”\n",
                       "%u clips must be made again, longer: run “echoes-cli projects generate %s”\n",
                       longer), longer, echoes_project_get_id (project));

  return 0;
}

static int
clips_set (Run *run)
{
  g_autoptr(EchoesClip) clip = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_provider = NULL;
  gboolean remake;

  if (opt_motion == NULL && isnan (opt_duration) && opt_prompt == NULL && opt_provider == NULL)
    return fail_message (_("Nothing to set: give --motion, --duration, --prompt or --provider"));

  if (!(clip = echoes_cli_find_clip (run->context, run->args[0], &error)))
    return fail (error);

  old_provider = g_strdup (echoes_clip_get_provider_override (clip));
  remake = opt_motion != NULL || !isnan (opt_duration);
  if ((remake && !echoes_clip_settings_set_motion (clip, opt_motion, opt_duration, &error)) ||
      (opt_prompt != NULL && !echoes_clip_settings_set_prompt (clip, opt_prompt, &error)) ||
      (opt_provider != NULL && !echoes_clip_settings_set_provider (clip, opt_provider, &error)))
    return fail (error);
  remake = remake || g_strcmp0 (old_provider, echoes_clip_get_provider_override (clip)) != 0;

  /* A new motion, length or provider needs a new video: `projects generate` makes it (the app
   * queues it at once). The old video stays until then. */
  if (remake && echoes_clip_get_status (clip) != ECHOES_CLIP_STATUS_GENERATING)
    echoes_clip_set_status (clip, ECHOES_CLIP_STATUS_PENDING);

  if (!echoes_store_update_clip (echoes_context_get_store (run->context), clip, &error))
    return fail (error);

  if (run->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      echoes_cli_build_clip (builder, clip);
      echoes_cli_print_json (builder);
    }
  else
    g_print ("%s\n", echoes_clip_get_id (clip));

  return 0;
}

typedef struct
{
  const char        *group;
  const char        *name;
  const char        *args;     /* positional arguments, for --help and the usage */
  int                min_args;
  int                max_args; /* -1: any */
  const char        *summary;
  const GOptionEntry *entries;
  RunFunc            func;
} SetCommand;

static const GOptionEntry json_entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_("Print machine-readable JSON"), NULL },
  { NULL }
};

static const GOptionEntry projects_set_entries[] = {
  { "ratio", 0, 0, G_OPTION_ARG_STRING, &opt_ratio,
    N_("The film’s shape: 16:9, 9:16 or 1:1"), N_("RATIO") },
  { "music", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_music,
    N_("Audio files played in order under the film"), N_("FILE…") },
  { "volume", 0, 0, G_OPTION_ARG_DOUBLE, &opt_volume,
    N_("The music’s volume, 0 to 2 (1 leaves it as it is)"), N_("VOLUME") },
  { "no-music", 0, 0, G_OPTION_ARG_NONE, &opt_no_music,
    N_("No music: a silent film"), NULL },
  { "provider", 0, 0, G_OPTION_ARG_STRING, &opt_provider,
    N_("How its clips are animated: local (Ken Burns), runway (AI) or default (the app’s setting)"),
    N_("NAME") },
  { NULL }
};

static const GOptionEntry clips_set_entries[] = {
  { "motion", 0, 0, G_OPTION_ARG_STRING, &opt_motion,
    N_("auto, zoom-in, zoom-out, pan-left, pan-right, pan-up or pan-down"), N_("PRESET") },
  { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &opt_duration,
    N_("The clip’s length, 2 to 10 seconds"), N_("SECONDS") },
  { "prompt", 0, 0, G_OPTION_ARG_STRING, &opt_prompt,
    N_("What an AI video service is asked to make of the photo"), N_("TEXT") },
  { "provider", 0, 0, G_OPTION_ARG_STRING, &opt_provider,
    N_("How the clip is animated: local (Ken Burns), runway (AI) or default (the project’s choice)"),
    N_("NAME") },
  { NULL }
};

static const GOptionEntry no_entries[] = { { NULL } };

static const SetCommand set_commands[] = {
  { "projects", "set", "PROJECT", 1, -1,
    N_("Sets a project’s film shape, music and how its clips are animated. The clips are not "
       "made again."),
    projects_set_entries, projects_set },
  { "projects", "fit-to-music", "PROJECT", 1, 1,
    N_("Makes the approved clips as long as the music, together. Clips that must get "
       "longer are marked to be made again by “projects generate”."),
    no_entries, projects_fit_to_music },
  { "clips", "set", "CLIP", 1, 1,
    N_("Sets a clip’s motion, length, prompt or how it is animated. A new motion or length "
       "marks the clip to be made again by “projects generate”."),
    clips_set_entries, clips_set },
};

/**
 * echoes_cli_project_append_usage:
 * @text: the usage text of echoes-cli
 *
 * Adds a line per command of this file.
 */
void
echoes_cli_project_append_usage (GString *text)
{
  for (guint i = 0; i < G_N_ELEMENTS (set_commands); i++)
    {
      const SetCommand *command = &set_commands[i];

      g_string_append_printf (text, "  %s %s %s", command->group, command->name, command->args);
      for (guint j = 0; command->entries[j].long_name != NULL; j++)
        g_string_append_printf (text, " [--%s%s%s]", command->entries[j].long_name,
                                command->entries[j].arg_description ? " " : "",
                                command->entries[j].arg_description
                                  ? _(command->entries[j].arg_description) : "");
      g_string_append_c (text, '\n');
    }
}

/**
 * echoes_cli_project_run:
 * @argc: the CLI's argc
 * @argv: the CLI's argv
 * @status: (out): the exit status, when %TRUE is returned
 *
 * Runs the command if @argv names one of this file's (its first two arguments that
 * are not options), with its own options and --help.
 *
 * Returns: whether it was one of them
 */
gboolean
echoes_cli_project_run (int    argc,
                        char **argv,
                        int   *status)
{
  const SetCommand *command = NULL;
  const char *words[2] = { NULL, NULL };
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(EchoesStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *parameter = NULL;
  g_auto(GStrv) args = NULL;
  int n_words = 0;
  int n_args;
  Run run = { 0 };

  for (int i = 1; i < argc && n_words < 2; i++)
    if (argv[i][0] != '-')
      words[n_words++] = argv[i];

  for (guint i = 0; n_words == 2 && i < G_N_ELEMENTS (set_commands); i++)
    if (g_str_equal (set_commands[i].group, words[0]) && g_str_equal (set_commands[i].name, words[1]))
      command = &set_commands[i];

  if (command == NULL)
    return FALSE;

  parameter = g_strdup_printf ("%s %s %s", command->group, command->name, command->args);
  options = g_option_context_new (parameter);
  g_option_context_set_translation_domain (options, GETTEXT_PACKAGE);
  g_option_context_set_summary (options, _(command->summary));
  g_option_context_add_main_entries (options, json_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (options, command->entries, GETTEXT_PACKAGE);

  /* A copy: g_option_context_parse_strv() rearranges what it is given. */
  args = g_strdupv (argv);
  if (!g_option_context_parse_strv (options, &args, &error))
    {
      g_printerr ("echoes-cli: %s\n", error->message);
      *status = 2;
      return TRUE;
    }

  /* args: the program, the group, the name, then the command's own arguments. */
  n_args = (int) g_strv_length (args) - 3;
  if (n_args < command->min_args || (command->max_args >= 0 && n_args > command->max_args))
    {
      g_printerr (_("Usage: echoes-cli %s %s %s\n"), command->group, command->name,
                  command->args);
      *status = 2;
      return TRUE;
    }

  if (!(store = echoes_store_open (NULL, &error)))
    {
      *status = fail (error);
      return TRUE;
    }

  run.context = echoes_context_new (store);
  run.json = opt_json;
  run.args = args + 3;
  run.n_args = n_args;
  *status = command->func (&run);
  g_clear_object (&run.context);

  return TRUE;
}
