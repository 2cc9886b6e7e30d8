/* echoes-window-generation.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-window"

#include "config.h"

#include <glib/gi18n.h>

#include "echoes-window-private.h"

#include "echoes-credit-confirm.h"
#include "echoes-project-settings.h"
#include "echoes-provider-registry.h"

/* Generation: the progress of the context's generation queue under the timeline, its
 * notification, and the actions that queue and cancel clips. */

EchoesGenerationQueue *
_echoes_window_get_queue (EchoesWindow *self)
{
  return self->context ? echoes_context_get_queue (self->context) : NULL;
}

static void
update_generation (EchoesWindow *self)
{
  EchoesGenerationQueue *queue = _echoes_window_get_queue (self);
  guint n_jobs = queue ? echoes_generation_queue_get_n_jobs (queue) : 0;
  g_autofree char *label = NULL;
  guint total;

  if (n_jobs > 0)
    {
      total = self->gen_done + n_jobs;
      /* Translators: "Generating 3 of 12…" */
      label = g_strdup_printf (_("Generating %u of %u…"), MIN (self->gen_done + 1, total), total);
      gtk_label_set_label (self->generation_label, label);
      gtk_progress_bar_set_fraction (self->generation_progress,
                                     CLAMP ((self->gen_done + self->gen_fraction) / total, 0.0, 1.0));
    }

  gtk_revealer_set_reveal_child (self->generation_revealer, n_jobs > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-generation", n_jobs > 0);
}

static void
queue_n_jobs_cb (EchoesWindow          *self,
                 GParamSpec            *pspec,
                 EchoesGenerationQueue *queue)
{
  update_generation (self);
}

static void
queue_clip_started_cb (EchoesWindow          *self,
                       const char            *clip_id,
                       EchoesGenerationQueue *queue)
{
  self->gen_fraction = 0.0;
  update_generation (self);
}

static void
queue_clip_progress_cb (EchoesWindow          *self,
                        const char            *clip_id,
                        double                 fraction,
                        EchoesGenerationQueue *queue)
{
  self->gen_fraction = fraction;
  update_generation (self);
}

static void
queue_clip_finished_cb (EchoesWindow          *self,
                        const char            *clip_id,
                        const GError          *error,
                        EchoesGenerationQueue *queue)
{
  self->gen_done++;
  self->gen_fraction = 0.0;
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->gen_failed++;
  else if (error == NULL)
    self->gen_ready++;
  update_generation (self);
}

/* `ken-burns-fallback`: the failed AI clip is being made with Ken Burns instead. */
static void
queue_clip_fell_back_cb (EchoesWindow          *self,
                         const char            *clip_id,
                         const GError          *error,
                         EchoesGenerationQueue *queue)
{
  if (self->gen_failed > 0)
    self->gen_failed--;
  adw_toast_overlay_add_toast (self->toast_overlay,
                               _echoes_window_toast_new_escaped (_("AI could not make a clip: it is made with Ken Burns instead")));
}

static void
queue_drained_cb (EchoesWindow          *self,
                  EchoesGenerationQueue *queue)
{
  g_autofree char *body = NULL;

  if (self->gen_failed > 0)
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%u clip could not be generated",
                                                         "%u clips could not be generated",
                                                         self->gen_failed),
                                               self->gen_failed);

      adw_toast_overlay_add_toast (self->toast_overlay, _echoes_window_toast_new_escaped (text));
    }

  if (self->gen_ready > 0)
    {
      body = g_strdup_printf (ngettext ("%u clip is ready to review",
                                        "%u clips are ready to review", self->gen_ready),
                              self->gen_ready);
      _echoes_window_send_notification (self, "generation", _("Clips Generated"), body);
    }

  self->gen_done = self->gen_ready = self->gen_failed = 0;
  self->gen_fraction = 0.0;
  update_generation (self);
}

static void
generate_all_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);

  if (_echoes_window_get_queue (self) != NULL && _echoes_window_get_project_id (self) != NULL)
    echoes_credit_confirm_enqueue_project (widget, self->context, _echoes_window_get_project_id (self), self->clips);
}

static void
cancel_generation_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);

  if (_echoes_window_get_queue (self) != NULL)
    echoes_generation_queue_cancel_all (_echoes_window_get_queue (self));
}

static void
generate_clip_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);

  if (_echoes_window_get_queue (self) != NULL)
    echoes_credit_confirm_enqueue_clip (widget, self->context, g_variant_get_string (param, NULL));
}

static void
cancel_clip_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);

  if (_echoes_window_get_queue (self) != NULL)
    echoes_generation_queue_cancel_clip (_echoes_window_get_queue (self), g_variant_get_string (param, NULL));
}

/* Feature hooks */

/* A failed AI clip, generated again with Ken Burns (never without being asked). */
static void
use_ken_burns_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  EchoesVideoProvider *local;

  if (self->context == NULL
      || !(local = echoes_provider_registry_lookup (echoes_context_get_registry (self->context), "local")))
    return;
  echoes_generation_queue_enqueue_clip_with_provider (_echoes_window_get_queue (self),
                                                      g_variant_get_string (param, NULL), local);
}

/* "Animate With" of a clip: its own provider, or "default" to follow the project. The
 * clip is made with it the next time it is generated. */
static void
animate_with_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  g_autoptr(EchoesClip) copy = NULL;
  g_autoptr(GError) error = NULL;
  const char *clip_id;
  const char *choice;
  EchoesClip *clip;

  g_variant_get (param, "(&s&s)", &clip_id, &choice);
  if (self->context == NULL ||
      !(clip = echoes_library_find_clip (_echoes_window_get_library (self), clip_id)))
    return;

  copy = echoes_clip_copy (clip);
  if (!echoes_clip_settings_set_provider (copy, choice, &error))
    {
      adw_toast_overlay_add_toast (self->toast_overlay, _echoes_window_toast_new_escaped (error->message));
      return;
    }
  if (g_strcmp0 (echoes_clip_get_provider_override (copy), echoes_clip_get_provider_override (clip)) != 0)
    echoes_library_update_clip (_echoes_window_get_library (self), copy);
}

void
_echoes_window_generation_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.generate-all", NULL, generate_all_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-generation", NULL, cancel_generation_action);
  gtk_widget_class_install_action (widget_class, "win.generate-clip", "s", generate_clip_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-clip", "s", cancel_clip_action);
  gtk_widget_class_install_action (widget_class, "win.use-ken-burns", "s", use_ken_burns_action);
  gtk_widget_class_install_action (widget_class, "win.animate-with", "(ss)", animate_with_action);
}

/* The library is open: follow its generation queue. */
void
_echoes_window_generation_set_context (EchoesWindow *self)
{
  EchoesGenerationQueue *queue = echoes_context_get_queue (self->context);

  g_signal_connect_object (queue, "notify::n-jobs",
                           G_CALLBACK (queue_n_jobs_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (queue, "clip-started",
                           G_CALLBACK (queue_clip_started_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (queue, "clip-progress",
                           G_CALLBACK (queue_clip_progress_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (queue, "clip-finished",
                           G_CALLBACK (queue_clip_finished_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (queue, "clip-fell-back",
                           G_CALLBACK (queue_clip_fell_back_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (queue, "drained",
                           G_CALLBACK (queue_drained_cb), self, G_CONNECT_SWAPPED);
  update_generation (self);
}
