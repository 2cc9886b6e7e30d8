/* echoes-ken-burns-button.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-ken-burns-button"

#include "config.h"

#include "echoes-ken-burns-button.h"

#include <glib/gi18n.h>

#include "echoes-generation-queue.h"
#include "echoes-provider-registry.h"

#define AI_PROVIDER    "runway"
#define LOCAL_PROVIDER "local"

/**
 * EchoesKenBurnsButton:
 *
 * "Use Ken Burns Instead": shown only while its clip's AI generation failed for a
 * reason the local provider does not have (refused by moderation, no credits left, the
 * service out of reach); clicking generates that clip again with the local provider.
 * Nothing falls back on its own.
 */
struct _EchoesKenBurnsButton
{
  GtkButton      parent_instance;

  EchoesContext *context;   /* (owned) (nullable) */
  EchoesClip    *clip;      /* (owned) (nullable) */
};

G_DEFINE_FINAL_TYPE (EchoesKenBurnsButton, echoes_ken_burns_button, GTK_TYPE_BUTTON)

/**
 * echoes_ken_burns_button_applies:
 * @clip: a clip
 *
 * Returns: whether @clip is an AI clip that failed for a reason Ken Burns avoids
 */
gboolean
echoes_ken_burns_button_applies (EchoesClip *clip)
{
  EchoesClipFailure failure;

  g_return_val_if_fail (ECHOES_IS_CLIP (clip), FALSE);

  if (echoes_clip_get_status (clip) != ECHOES_CLIP_STATUS_FAILED
      || g_strcmp0 (echoes_clip_get_provider (clip), AI_PROVIDER) != 0)
    return FALSE;

  failure = echoes_clip_get_failure (clip);
  return failure == ECHOES_CLIP_FAILURE_MODERATION
         || failure == ECHOES_CLIP_FAILURE_NO_CREDITS
         || failure == ECHOES_CLIP_FAILURE_NETWORK;
}

static void
update (EchoesKenBurnsButton *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self),
                          self->clip != NULL && echoes_ken_burns_button_applies (self->clip));
}

static void
echoes_ken_burns_button_clicked (GtkButton *button)
{
  EchoesKenBurnsButton *self = ECHOES_KEN_BURNS_BUTTON (button);
  EchoesVideoProvider *local;

  if (self->clip == NULL || !echoes_ken_burns_button_applies (self->clip))
    return;
  local = echoes_provider_registry_lookup (echoes_context_get_registry (self->context), LOCAL_PROVIDER);
  g_return_if_fail (local != NULL);
  echoes_generation_queue_enqueue_clip_with_provider (echoes_context_get_queue (self->context),
                                                      echoes_clip_get_id (self->clip), local);
}

static void
echoes_ken_burns_button_dispose (GObject *object)
{
  EchoesKenBurnsButton *self = (EchoesKenBurnsButton *)object;

  g_clear_object (&self->clip);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (echoes_ken_burns_button_parent_class)->dispose (object);
}

static void
echoes_ken_burns_button_class_init (EchoesKenBurnsButtonClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = echoes_ken_burns_button_dispose;
  GTK_BUTTON_CLASS (klass)->clicked = echoes_ken_burns_button_clicked;
}

static void
echoes_ken_burns_button_init (EchoesKenBurnsButton *self)
{
  gtk_button_set_label (GTK_BUTTON (self), _("Use _Ken Burns Instead"));
  gtk_button_set_use_underline (GTK_BUTTON (self), TRUE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self),
                               _("Generate this clip on this computer with a pan and zoom over the photo, without credits"));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

/**
 * echoes_ken_burns_button_set_clip:
 * @context: the context (its queue and providers)
 * @clip: the live clip (from the library)
 */
void
echoes_ken_burns_button_set_clip (EchoesKenBurnsButton *self,
                                  EchoesContext        *context,
                                  EchoesClip           *clip)
{
  g_return_if_fail (ECHOES_IS_KEN_BURNS_BUTTON (self));
  g_return_if_fail (ECHOES_IS_CONTEXT (context));
  g_return_if_fail (ECHOES_IS_CLIP (clip));

  g_set_object (&self->context, context);
  if (self->clip != NULL)
    g_signal_handlers_disconnect_by_data (self->clip, self);
  g_set_object (&self->clip, clip);
  g_signal_connect_object (clip, "notify", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);
}
