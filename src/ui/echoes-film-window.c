/* echoes-film-window.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-film-window"

#include "config.h"

#include "echoes-film-window.h"
#include "echoes-ui-util.h"

#include <glib/gi18n.h>

#include "echoes-stream-resolver.h"

/**
 * EchoesFilmWindow:
 *
 * The whole film (approved, ready clips back to back with the music) in a window of
 * its own; F makes it full screen, Space plays and pauses (both handled by the player).
 * Synced clips whose video is not downloaded yet stream from the account
 * (EchoesStreamResolver), renewed when their URL expires.
 */
struct _EchoesFilmWindow
{
  AdwWindow         parent_instance;

  GCancellable     *cancellable;  /* (owned) */
  gboolean          loaded;
  EchoesStreamResolver *resolver; /* (owned) */
  EchoesFilm       *film;         /* (owned) until loading */
  guint             start_clip;

  AdwWindowTitle   *window_title;
  EchoesFilmPlayer *player;
  AdwToastOverlay  *toast_overlay;
};

G_DEFINE_FINAL_TYPE (EchoesFilmWindow, echoes_film_window, ADW_TYPE_WINDOW)

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(EchoesFilmWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!echoes_film_player_load_finish (ECHOES_FILM_PLAYER (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_markup_escape_text (error->message, -1);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      return;
    }

  self->loaded = TRUE;
  gtk_widget_grab_focus (GTK_WIDGET (self->player));
  echoes_film_player_play (self->player);
}

static void
resolved_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(EchoesFilmWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) sources = NULL;
  g_autoptr(EchoesFilm) film = g_steal_pointer (&self->film);

  if (!(sources = echoes_stream_resolver_resolve_finish (ECHOES_STREAM_RESOLVER (object), result,
                                                         NULL, &error)))
    return;  /* cancelled: the window is closing */

  echoes_film_player_load_async (self->player,
                                 (const char * const *)sources,
                                 (const char * const *)film->music,
                                 film->volume, film->fade_out, self->start_clip,
                                 self->cancellable, load_cb, g_object_ref (self));
}

static void
echoes_film_window_dispose (GObject *object)
{
  EchoesFilmWindow *self = (EchoesFilmWindow *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), ECHOES_TYPE_FILM_WINDOW);

  G_OBJECT_CLASS (echoes_film_window_parent_class)->dispose (object);
}

static void
echoes_film_window_finalize (GObject *object)
{
  EchoesFilmWindow *self = (EchoesFilmWindow *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->resolver);
  g_clear_pointer (&self->film, echoes_film_free);

  G_OBJECT_CLASS (echoes_film_window_parent_class)->finalize (object);
}

static void
echoes_film_window_class_init (EchoesFilmWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = echoes_film_window_dispose;
  object_class->finalize = echoes_film_window_finalize;

  g_type_ensure (ECHOES_TYPE_FILM_PLAYER);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/echoes-film-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EchoesFilmWindow, player);
  gtk_widget_class_bind_template_child (widget_class, EchoesFilmWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, EchoesFilmWindow, window_title);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
echoes_film_window_init (EchoesFilmWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  echoes_ui_fix_button_names (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/**
 * echoes_film_window_new:
 * @parent: (nullable): the main window
 * @title: the project title
 * @film: the film to play (copied)
 * @start_clip: the clip of @film to start from
 * @crossfade: the crossfade between clips, as the export has it (0 for cuts)
 * @engine: (nullable): the sync engine while signed in: clips not downloaded yet stream
 *
 * Plays @film as it is exported: with @film's per-clip durations ("Fit Clips to Music")
 * and @crossfade.
 *
 * Returns: (transfer floating): a new window, loading @film; present it
 */
EchoesFilmWindow *
echoes_film_window_new (GtkWindow    *parent,
                        const char   *title,
                        EchoesFilm   *film,
                        guint         start_clip,
                        GstClockTime  crossfade,
                        EchoesSyncEngine *engine)
{
  EchoesFilmWindow *self;
  EchoesPlayerPipeline *pipeline;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (film != NULL, NULL);

  self = g_object_new (ECHOES_TYPE_FILM_WINDOW,
                       "transient-for", parent,
                       NULL);
  adw_window_title_set_subtitle (self->window_title, title);

  pipeline = echoes_film_player_get_pipeline (self->player);
  echoes_player_pipeline_set_crossfade (pipeline, crossfade);
  echoes_player_pipeline_set_clip_durations (pipeline, film->durations, film->n_clips);

  self->resolver = echoes_stream_resolver_new (engine, (const char * const *)film->clip_ids);
  echoes_player_pipeline_set_renewer (pipeline, ECHOES_URI_RENEWER (self->resolver));
  self->start_clip = MIN (start_clip, film->n_clips - 1);
  self->film = g_new0 (EchoesFilm, 1);
  self->film->music = g_strdupv (film->music);
  self->film->volume = film->volume;
  self->film->fade_out = film->fade_out;
  echoes_stream_resolver_resolve_async (self->resolver, (const char * const *)film->clips,
                                        self->cancellable, resolved_cb, g_object_ref (self));
  return self;
}

/**
 * echoes_film_window_get_player:
 *
 * Returns: (transfer none): the player
 */
EchoesFilmPlayer *
echoes_film_window_get_player (EchoesFilmWindow *self)
{
  g_return_val_if_fail (ECHOES_IS_FILM_WINDOW (self), NULL);
  return self->player;
}

/**
 * echoes_film_window_get_loaded:
 *
 * Returns: whether the film is loaded (and playing or paused)
 */
gboolean
echoes_film_window_get_loaded (EchoesFilmWindow *self)
{
  g_return_val_if_fail (ECHOES_IS_FILM_WINDOW (self), FALSE);
  return self->loaded;
}
