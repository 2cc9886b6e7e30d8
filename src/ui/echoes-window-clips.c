/* echoes-window-clips.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-window"

#include "config.h"

#include <glib/gi18n.h>

#include "echoes-window-private.h"

#include "echoes-clip-card.h"
#include "echoes-clip-window.h"
#include "echoes-film-window.h"

/* The timeline of the shown project: the grid of clip cards, keyboard focus, moving,
 * approving, trashing (with Undo), sorting, opening a clip and playing the film. */

/* Clips */

static EchoesClip *
find_clip (EchoesWindow *self,
           const char   *clip_id)
{
  guint n;

  if (self->clips == NULL || clip_id == NULL)
    return NULL;

  n = g_list_model_get_n_items (self->clips);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(EchoesClip) clip = g_list_model_get_item (self->clips, i);

      if (g_strcmp0 (echoes_clip_get_id (clip), clip_id) == 0)
        return clip;
    }

  return NULL;
}

static EchoesClipCard *
find_card (EchoesWindow *self,
           const char   *clip_id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->clip_grid));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *card = gtk_widget_get_first_child (child);
      EchoesClip *clip;

      if (card != NULL && ECHOES_IS_CLIP_CARD (card) &&
          (clip = echoes_clip_card_get_clip (ECHOES_CLIP_CARD (card))) != NULL &&
          g_strcmp0 (echoes_clip_get_id (clip), clip_id) == 0)
        return ECHOES_CLIP_CARD (card);
    }

  return NULL;
}

/* The clip whose card has the keyboard focus, if the focus is in the timeline. */
static EchoesClip *
get_focused_clip (EchoesWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->clip_grid)))
    return NULL;

  for (GtkWidget *w = focus; w != NULL && w != GTK_WIDGET (self->clip_grid); w = gtk_widget_get_parent (w))
    {
      GtkWidget *first;

      if (ECHOES_IS_CLIP_CARD (w))
        return echoes_clip_card_get_clip (ECHOES_CLIP_CARD (w));

      /* The list item widget itself may hold the focus. */
      if ((first = gtk_widget_get_first_child (w)) != NULL && ECHOES_IS_CLIP_CARD (first))
        return echoes_clip_card_get_clip (ECHOES_CLIP_CARD (first));
    }

  return NULL;
}

static gboolean
refocus_cb (gpointer user_data)
{
  EchoesWindow *self = user_data;
  EchoesClipCard *card;

  self->refocus_source = 0;

  if (self->refocus_clip_id != NULL &&
      (card = find_card (self, self->refocus_clip_id)) != NULL)
    {
      gtk_widget_grab_focus (GTK_WIDGET (card));
      g_clear_pointer (&self->refocus_clip_id, g_free);
    }

  return G_SOURCE_REMOVE;
}

static void
clips_changed_cb (EchoesWindow *self,
                  guint         position,
                  guint         removed,
                  guint         added,
                  GListModel   *model)
{
  _echoes_window_update_content_page (self);

  /* After a keyboard move or delete the card widgets are recycled: focus the clip
   * again once the grid has laid out its new children. */
  if (self->refocus_clip_id != NULL && self->refocus_source == 0)
    self->refocus_source = g_timeout_add (50, refocus_cb, self);
}

static void
clip_setup_cb (EchoesWindow             *self,
               GtkListItem              *item,
               GtkSignalListItemFactory *factory)
{
  /* The card is focusable, so the list item widget passes the focus on to it. */
  gtk_list_item_set_child (item, echoes_clip_card_new (self->context));
}

static void
clip_bind_cb (EchoesWindow             *self,
              GtkListItem              *item,
              GtkSignalListItemFactory *factory)
{
  echoes_clip_card_set_clip (ECHOES_CLIP_CARD (gtk_list_item_get_child (item)),
                             gtk_list_item_get_item (item));
}

static void
clip_unbind_cb (EchoesWindow             *self,
                GtkListItem              *item,
                GtkSignalListItemFactory *factory)
{
  /* Cancels a thumbnail still loading for a card scrolled away. */
  echoes_clip_card_set_clip (ECHOES_CLIP_CARD (gtk_list_item_get_child (item)), NULL);
}

/* Clip actions */

static void
trash_clip (EchoesWindow *self,
            EchoesClip   *clip)
{
  g_autofree char *title = NULL;
  const char *name = echoes_clip_get_source_name (clip);

  if (name == NULL || *name == '\0')
    name = _("Photo");

  /* Translators: a toast after deleting a photo; %s is its file name */
  title = g_strdup_printf (_("“%s” deleted"), name);
  _echoes_window_show_undo_toast (self, title, "win.restore-clip",
                                  g_variant_new ("(ssu)",
                                                 echoes_clip_get_project_id (clip),
                                                 echoes_clip_get_id (clip),
                                                 echoes_clip_get_position (clip)));
  echoes_library_trash_clip (_echoes_window_get_library (self), clip);
}

static void
trash_clip_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  EchoesClip *clip = find_clip (self, g_variant_get_string (param, NULL));

  if (clip != NULL)
    trash_clip (self, clip);
}

static void
restore_clip_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  const char *project_id;
  const char *clip_id;
  guint position;

  if (_echoes_window_get_library (self) == NULL)
    return;

  g_variant_get (param, "(&s&su)", &project_id, &clip_id, &position);
  echoes_library_restore_clip (_echoes_window_get_library (self), project_id, clip_id, position);
}

static void
set_clip_approved_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  g_autoptr(EchoesClip) copy = NULL;
  const char *clip_id;
  gboolean approved;
  EchoesClip *clip;

  g_variant_get (param, "(&sb)", &clip_id, &approved);
  if ((clip = find_clip (self, clip_id)) == NULL || echoes_clip_get_approved (clip) == approved)
    return;

  copy = echoes_clip_copy (clip);
  echoes_clip_set_approved (copy, approved);
  echoes_library_update_clip (_echoes_window_get_library (self), copy);
  if (approved && echoes_clip_get_status (clip) == ECHOES_CLIP_STATUS_READY)
    _echoes_window_hide_approve_hint (self);
}

static void
move_clip_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  const char *clip_id;
  guint position;
  EchoesClip *clip;

  g_variant_get (param, "(&su)", &clip_id, &position);
  if ((clip = find_clip (self, clip_id)) == NULL || echoes_clip_get_position (clip) == position)
    return;

  echoes_library_move_clip (_echoes_window_get_library (self), clip, position);
}

static void
move_focused_clip (EchoesWindow *self,
                   int           delta)
{
  EchoesClip *clip = get_focused_clip (self);
  guint position;
  guint n;

  if (clip == NULL || self->clips == NULL)
    return;

  position = echoes_clip_get_position (clip);
  n = g_list_model_get_n_items (self->clips);
  if ((delta < 0 && position == 0) || (delta > 0 && position + 1 >= n))
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return;
    }

  g_free (self->refocus_clip_id);
  self->refocus_clip_id = g_strdup (echoes_clip_get_id (clip));
  echoes_library_move_clip (_echoes_window_get_library (self), clip, position + delta);
}

static void
move_clip_left_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  move_focused_clip (ECHOES_WINDOW (widget), -1);
}

static void
move_clip_right_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  move_focused_clip (ECHOES_WINDOW (widget), 1);
}

static void
delete_focused_clip_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  EchoesClip *clip = get_focused_clip (self);
  g_autoptr(EchoesClip) neighbour = NULL;
  guint position;

  if (clip == NULL)
    return;

  /* Keep the keyboard in the timeline: focus the next photo, or the previous one. */
  position = echoes_clip_get_position (clip);
  if (!(neighbour = g_list_model_get_item (self->clips, position + 1)) && position > 0)
    neighbour = g_list_model_get_item (self->clips, position - 1);
  g_free (self->refocus_clip_id);
  self->refocus_clip_id = neighbour ? g_strdup (echoes_clip_get_id (neighbour)) : NULL;

  trash_clip (self, clip);
}

typedef struct
{
  EchoesWindow *self;
  char         *project_id;
} SortData;

static void
sort_data_free (SortData *data)
{
  g_object_unref (data->self);
  g_free (data->project_id);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SortData, sort_data_free)

static void
sort_by_date_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SortData) data = user_data;
  EchoesWindow *self = data->self;
  const char *project_id = data->project_id;
  g_auto(GStrv) previous = NULL;
  g_autoptr(GError) error = NULL;

  previous = echoes_library_sort_by_date_finish (ECHOES_LIBRARY (object), result, &error);
  if (previous == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _echoes_window_show_library_error (self, error);
      return;
    }

  _echoes_window_show_undo_toast (self, _("Photos sorted by date"), "win.restore-order",
                                  g_variant_new ("(s^as)", project_id, previous));
}

static void
sort_by_date_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  SortData *data;

  if (self->project == NULL)
    return;

  data = g_new0 (SortData, 1);
  data->self = g_object_ref (self);
  data->project_id = g_strdup (_echoes_window_get_project_id (self));
  echoes_library_sort_by_date_async (_echoes_window_get_library (self), data->project_id, self->cancellable,
                                     sort_by_date_cb, data);
}

static void
restore_order_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  g_autofree const char **order = NULL;
  const char *project_id;

  if (_echoes_window_get_library (self) == NULL)
    return;

  g_variant_get (param, "(&s^a&s)", &project_id, &order);
  echoes_library_set_clip_order (_echoes_window_get_library (self), project_id, order);
}

/* Clip detail */

static void
open_clip (EchoesWindow *self,
           EchoesClip   *clip)
{
  EchoesClipWindow *window;

  if (clip == NULL || self->context == NULL)
    return;

  window = echoes_clip_window_new (GTK_WINDOW (self), self->context, clip,
                                   self->project ? echoes_project_get_ratio (self->project) : NULL);
  gtk_window_present (GTK_WINDOW (window));
}

static void
open_clip_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);

  open_clip (self, find_clip (self, g_variant_get_string (param, NULL)));
}

static void
clip_activated_cb (EchoesWindow *self,
                   guint         position,
                   GtkGridView  *grid)
{
  g_autoptr(EchoesClip) clip = NULL;

  if (self->clips != NULL && (clip = g_list_model_get_item (self->clips, position)) != NULL)
    open_clip (self, clip);
}

/* Play film */

static void
play_film_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(EchoesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EchoesFilmWindow) window = NULL;
  g_autofree char *start_id = g_steal_pointer (&self->play_start_id);
  EchoesFilm *film;
  EchoesClip *start;
  guint start_clip = 0;

  film = echoes_store_run_finish (ECHOES_STORE (object), result, &error);
  if (film == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (g_error_matches (error, ECHOES_EXPORT_ERROR, ECHOES_EXPORT_ERROR_NO_CLIPS))
        _echoes_window_show_approve_hint (self, _("Approve some ready clips to play the film"));
      else
        adw_toast_overlay_add_toast (self->toast_overlay, _echoes_window_toast_new_escaped (error->message));
      return;
    }

  /* Start at the chosen clip, or the first approved one after it. */
  if ((start = find_clip (self, start_id)) != NULL)
    {
      for (guint i = 0; i < film->n_clips; i++)
        {
          EchoesClip *clip = find_clip (self, film->clip_ids[i]);

          if (clip != NULL && echoes_clip_get_position (clip) >= echoes_clip_get_position (start))
            {
              start_clip = i;
              break;
            }
        }
    }

  window = g_object_ref_sink (echoes_film_window_new (GTK_WINDOW (self),
                                                      self->project ? echoes_project_get_title (self->project) : NULL,
                                                      film, start_clip, _echoes_window_get_crossfade (self),
                                                      self->context ? echoes_context_get_sync_engine (self->context) : NULL));
  echoes_film_free (film);
  gtk_window_present (GTK_WINDOW (window));
}

static void
play_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  EchoesWindow *self = ECHOES_WINDOW (widget);
  EchoesClip *start = get_focused_clip (self);

  if (self->context == NULL || _echoes_window_get_project_id (self) == NULL)
    return;

  if (start == NULL)
    start = gtk_single_selection_get_selected_item (self->clip_selection);

  g_free (self->play_start_id);
  self->play_start_id = start ? g_strdup (echoes_clip_get_id (start)) : NULL;
  _echoes_window_load_film_async (self, _echoes_window_get_project_id (self), self->cancellable,
                                  play_film_cb, g_object_ref (self));
}

/* Feature hooks */


void
_echoes_window_clips_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.trash-clip", "s", trash_clip_action);
  gtk_widget_class_install_action (widget_class, "win.restore-clip", "(ssu)", restore_clip_action);
  gtk_widget_class_install_action (widget_class, "win.set-clip-approved", "(sb)", set_clip_approved_action);
  gtk_widget_class_install_action (widget_class, "win.move-clip", "(su)", move_clip_action);
  gtk_widget_class_install_action (widget_class, "win.move-clip-left", NULL, move_clip_left_action);
  gtk_widget_class_install_action (widget_class, "win.move-clip-right", NULL, move_clip_right_action);
  gtk_widget_class_install_action (widget_class, "win.delete-focused-clip", NULL, delete_focused_clip_action);
  gtk_widget_class_install_action (widget_class, "win.sort-by-date", NULL, sort_by_date_action);
  gtk_widget_class_install_action (widget_class, "win.restore-order", "(sas)", restore_order_action);
  gtk_widget_class_install_action (widget_class, "win.open-clip", "s", open_clip_action);
  gtk_widget_class_install_action (widget_class, "win.play", NULL, play_action);
}

void
_echoes_window_clips_init (EchoesWindow *self)
{
  GtkSignalListItemFactory *factory;

  /* Clips: library model -> selection -> grid of cards */
  self->clip_selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->clip_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->clip_selection, TRUE);
  factory = GTK_SIGNAL_LIST_ITEM_FACTORY (gtk_signal_list_item_factory_new ());
  g_signal_connect_object (factory, "setup", G_CALLBACK (clip_setup_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "bind", G_CALLBACK (clip_bind_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (clip_unbind_cb), self, G_CONNECT_SWAPPED);
  gtk_grid_view_set_factory (self->clip_grid, GTK_LIST_ITEM_FACTORY (factory));
  gtk_grid_view_set_model (self->clip_grid, GTK_SELECTION_MODEL (self->clip_selection));
  g_object_unref (factory);

  g_signal_connect_object (self->clip_grid, "activate", G_CALLBACK (clip_activated_cb), self,
                           G_CONNECT_SWAPPED);

  self->clips_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_object (self->clips_signals, "items-changed", G_CALLBACK (clips_changed_cb),
                                 self, G_CONNECT_SWAPPED);
}

void
_echoes_window_clips_dispose (EchoesWindow *self)
{
  g_clear_handle_id (&self->refocus_source, g_source_remove);
  if (self->clips_signals != NULL)
    g_signal_group_set_target (self->clips_signals, NULL);
}
