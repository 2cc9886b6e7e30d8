/* echoes-clip-prompt.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-clip-prompt"

#include "config.h"

#include "echoes-clip-prompt.h"

#include <glib/gi18n.h>

#include "echoes-project-settings.h"

/**
 * EchoesClipPrompt:
 *
 * The clip window's optional motion description for the AI provider: an entry, Save,
 * and the refusal (too long) shown under it. Saving writes the clip's prompt through
 * the library; the next AI generation of the clip uses it.
 */
struct _EchoesClipPrompt
{
  GtkBox         parent_instance;

  EchoesContext *context;    /* (owned) (nullable) */
  EchoesClip    *clip;       /* (owned) (nullable) */

  GtkEntry      *entry;
  GtkWidget     *save_button;
  GtkLabel      *error_label;
};

G_DEFINE_FINAL_TYPE (EchoesClipPrompt, echoes_clip_prompt, GTK_TYPE_BOX)

/**
 * echoes_clip_prompt_save:
 *
 * Saves the entry's text as the clip's prompt, or shows why not.
 *
 * Returns: whether it was saved
 */
gboolean
echoes_clip_prompt_save (EchoesClipPrompt *self)
{
  g_autoptr(EchoesClip) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (ECHOES_IS_CLIP_PROMPT (self), FALSE);

  if (self->clip == NULL)
    return FALSE;

  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry))));
  copy = echoes_clip_copy (self->clip);
  if (!echoes_clip_settings_set_prompt (copy, *text != '\0' ? text : NULL, &error))
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return FALSE;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  echoes_library_update_clip (echoes_context_get_library (self->context), copy);
  return TRUE;
}

static void
save_clicked_cb (EchoesClipPrompt *self)
{
  echoes_clip_prompt_save (self);
}

static void
echoes_clip_prompt_dispose (GObject *object)
{
  EchoesClipPrompt *self = (EchoesClipPrompt *)object;

  g_clear_object (&self->clip);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (echoes_clip_prompt_parent_class)->dispose (object);
}

static void
echoes_clip_prompt_class_init (EchoesClipPromptClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = echoes_clip_prompt_dispose;
}

static void
echoes_clip_prompt_init (EchoesClipPrompt *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 6);

  self->entry = GTK_ENTRY (gtk_entry_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->entry), TRUE);
  gtk_entry_set_placeholder_text (self->entry, _("Motion description for AI clips (optional)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Motion Description for AI Clips"), -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->entry),
                               _("What should move in the photo, for clips generated with AI"));
  g_signal_connect_swapped (self->entry, "activate", G_CALLBACK (save_clicked_cb), self);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->entry));

  self->save_button = gtk_button_new_with_mnemonic (_("_Save Description"));
  g_signal_connect_swapped (self->save_button, "clicked", G_CALLBACK (save_clicked_cb), self);
  gtk_box_append (GTK_BOX (row), self->save_button);
  gtk_box_append (GTK_BOX (self), row);

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_xalign (self->error_label, 0.0f);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->error_label));
}

/**
 * echoes_clip_prompt_set_clip:
 * @context: the context (its library saves the prompt)
 * @clip: the live clip
 */
void
echoes_clip_prompt_set_clip (EchoesClipPrompt *self,
                             EchoesContext    *context,
                             EchoesClip       *clip)
{
  const char *prompt;

  g_return_if_fail (ECHOES_IS_CLIP_PROMPT (self));
  g_return_if_fail (ECHOES_IS_CONTEXT (context));
  g_return_if_fail (ECHOES_IS_CLIP (clip));

  g_set_object (&self->context, context);
  g_set_object (&self->clip, clip);
  prompt = echoes_clip_get_prompt (clip);
  gtk_editable_set_text (GTK_EDITABLE (self->entry), prompt ? prompt : "");
}

/* For tests and the window: the entry's text, and the refusal shown (or %NULL). */
void
echoes_clip_prompt_set_text (EchoesClipPrompt *self,
                             const char       *text)
{
  g_return_if_fail (ECHOES_IS_CLIP_PROMPT (self));
  gtk_editable_set_text (GTK_EDITABLE (self->entry), text);
}

const char *
echoes_clip_prompt_get_error (EchoesClipPrompt *self)
{
  g_return_val_if_fail (ECHOES_IS_CLIP_PROMPT (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->error_label))
         ? gtk_label_get_text (self->error_label) : NULL;
}
