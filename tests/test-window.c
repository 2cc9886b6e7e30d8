/* test-window.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <locale.h>

#include <glib/gstdio.h>
#include <adwaita.h>

#include "echoes-clip-card.h"
#include "echoes-clip-window.h"
#include "echoes-context.h"
#include "echoes-film-player.h"
#include "echoes-generation-queue.h"
#include "echoes-library.h"
#include "echoes-test-media.h"
#include "echoes-test-util.h"
#include "echoes-test-provider.h"
#include "echoes-test-ui.h"
#include "echoes-window-private.h"

#define TIMEOUT_MS 20000

typedef struct
{
  EchoesContext *context;
  EchoesWindow  *window;
  char          *photos;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  int width = GPOINTER_TO_INT (data);

  f->context = echoes_test_ui_open_context (TIMEOUT_MS);

  f->photos = g_build_filename (g_get_user_cache_dir (), "photos", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->photos, 0700), ==, 0);

  if (width == 0)
    f->window = echoes_test_ui_show_window (f->context, 1280, 800, TIMEOUT_MS);
  else if (width <= 360)
    f->window = echoes_test_ui_show_window (f->context, width, 640, TIMEOUT_MS);
  else
    f->window = echoes_test_ui_show_window (f->context, width, width * 9 / 16, TIMEOUT_MS);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  echoes_test_ui_close_window (g_steal_pointer (&f->window), g_steal_pointer (&f->context));
  g_free (f->photos);
}


typedef struct
{
  Fixture    *f;
  const char *page;
  guint       n_clips;
} Expect;

static GListModel *
get_clips (Fixture *f)
{
  const char *id = echoes_window_get_project_id (f->window);

  return id ? echoes_library_get_clips (echoes_context_get_library (f->context), id) : NULL;
}

static gboolean
page_is (gpointer data)
{
  Expect *e = data;

  return g_strcmp0 (_echoes_window_get_page (e->f->window), e->page) == 0;
}

static gboolean
clips_are (gpointer data)
{
  Expect *e = data;
  GListModel *clips = get_clips (e->f);

  return clips != NULL && g_list_model_get_n_items (clips) == e->n_clips &&
         !echoes_window_get_importing (e->f->window) &&
         g_strcmp0 (_echoes_window_get_page (e->f->window), e->page) == 0;
}

static char *
dup_order (Fixture *f)
{
  GListModel *clips = get_clips (f);
  GString *order = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (clips); i++)
    {
      g_autoptr(EchoesClip) clip = g_list_model_get_item (clips, i);

      g_assert_cmpuint (echoes_clip_get_position (clip), ==, i);
      if (i > 0)
        g_string_append_c (order, ' ');
      g_string_append (order, echoes_clip_get_source_name (clip));
    }

  return g_string_free (order, FALSE);
}

typedef struct
{
  Fixture *f;
  char    *order;
} ExpectOrder;

static gboolean
order_is (gpointer data)
{
  ExpectOrder *e = data;
  g_autofree char *order = dup_order (e->f);

  return g_strcmp0 (order, e->order) == 0;
}

static void
assert_order (Fixture    *f,
              const char *expected)
{
  ExpectOrder e = { f, (char *)expected };
  g_autofree char *order = NULL;

  if (!echoes_test_wait_until (order_is, &e, TIMEOUT_MS))
    {
      order = dup_order (f);
      g_assert_cmpstr (order, ==, expected);
    }
}

/* Cards shown in the grid, with their thumbnails loaded. */
static guint
count_cards (Fixture  *f,
             gboolean  with_thumbnail)
{
  GtkWidget *grid = _echoes_window_get_clip_grid (f->window);
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (grid); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *card = gtk_widget_get_first_child (child);

      if (card && ECHOES_IS_CLIP_CARD (card) && echoes_clip_card_get_clip (ECHOES_CLIP_CARD (card)) &&
          gtk_widget_get_mapped (card) &&
          (!with_thumbnail || echoes_clip_card_has_thumbnail (ECHOES_CLIP_CARD (card))))
        n++;
    }

  return n;
}

typedef struct
{
  Fixture *f;
  guint    n;
} ExpectCards;

static gboolean
cards_ready (gpointer data)
{
  ExpectCards *e = data;

  return count_cards (e->f, TRUE) == e->n;
}

static EchoesClip *
clip_named (Fixture    *f,
            const char *name)
{
  GListModel *clips = get_clips (f);

  for (guint i = 0; i < g_list_model_get_n_items (clips); i++)
    {
      g_autoptr(EchoesClip) clip = g_list_model_get_item (clips, i);

      if (g_strcmp0 (echoes_clip_get_source_name (clip), name) == 0)
        return clip;
    }

  return NULL;
}

static void
assert_order_suffix (Fixture    *f,
                     const char *suffix)
{
  g_autofree char *order = dup_order (f);

  g_assert_true (g_str_has_suffix (order, suffix));
}

static EchoesClipCard *
find_card (Fixture    *f,
           const char *name)
{
  GtkWidget *grid = _echoes_window_get_clip_grid (f->window);

  for (GtkWidget *child = gtk_widget_get_first_child (grid); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *card = gtk_widget_get_first_child (child);
      EchoesClip *clip;

      if (card && ECHOES_IS_CLIP_CARD (card) &&
          (clip = echoes_clip_card_get_clip (ECHOES_CLIP_CARD (card))) &&
          g_strcmp0 (echoes_clip_get_source_name (clip), name) == 0)
        return ECHOES_CLIP_CARD (card);
    }

  return NULL;
}

static void
focus_card (Fixture    *f,
            const char *name)
{
  EchoesClipCard *card = find_card (f, name);

  g_assert_nonnull (card);
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (card)));
}

typedef struct
{
  Fixture    *f;
  const char *name;
} FocusOn;

static gboolean
focus_on (gpointer data)
{
  FocusOn *e = data;
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (e->f->window));
  EchoesClip *clip;

  return focus && ECHOES_IS_CLIP_CARD (focus) &&
         (clip = echoes_clip_card_get_clip (ECHOES_CLIP_CARD (focus))) &&
         g_strcmp0 (echoes_clip_get_source_name (clip), e->name) == 0;
}

static gboolean
find_message_dialog (gpointer data)
{
  GtkWidget **dialog = data;
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_mapped (l->data))
      *dialog = l->data;

  return *dialog != NULL;
}

static void
show_error_details (Fixture *f)
{
  GtkWidget *dialog = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-import-errors", NULL));
  g_assert_true (echoes_test_wait_until (find_message_dialog, &dialog, TIMEOUT_MS));
  echoes_test_ui_wait_mapped (dialog, TIMEOUT_MS);
  echoes_test_ui_save_screenshot (dialog, "import-errors.png");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static gboolean
has_project (gpointer data)
{
  return echoes_window_get_project_id (((Fixture *)data)->window) != NULL;
}

static void
test_window_import (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) bad = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *bad_path = g_build_filename (f->photos, "notes.jpg", NULL);
  const char *names[] = { "beach.jpg", "harbour.jpg", "sunset.jpg" };
  const guint32 colours[] = { 0x3584e4, 0x2ec27e, 0xe66100 };
  Expect e = { f, "no-project", 0 };
  ExpectCards cards = { f, 3 };
  EchoesClip *clip;

  /* No project yet: the window invites to create one. */
  g_assert_true (echoes_test_wait_until (page_is, &e, TIMEOUT_MS));

  echoes_window_create_project (f->window, "Summer 2026");
  g_assert_true (echoes_test_wait_until (has_project, f, TIMEOUT_MS));
  e.page = "empty";
  g_assert_true (echoes_test_wait_until (page_is, &e, TIMEOUT_MS));

  /* The same entry point as a drop, paste, the file chooser and the command line. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = echoes_test_write_jpeg (f->photos, names[i], 1200, 800, colours[i]);

      g_ptr_array_add (files, g_file_new_for_path (path));
    }
  echoes_window_import_files (f->window, files);

  e.page = "timeline";
  e.n_clips = 3;
  g_assert_true (echoes_test_wait_until (clips_are, &e, TIMEOUT_MS));
  assert_order (f, "beach.jpg harbour.jpg sunset.jpg");
  g_assert_true (echoes_test_wait_until (cards_ready, &cards, TIMEOUT_MS));

  /* A refused file is reported, with its reason, and the others stay. */
  g_assert_true (g_file_set_contents (bad_path, "not a photo", -1, NULL));
  g_ptr_array_add (bad, g_file_new_for_path (bad_path));
  echoes_window_import_files (f->window, bad);
  g_assert_true (echoes_test_wait_until (clips_are, &e, TIMEOUT_MS));
  g_assert_cmpuint (_echoes_window_get_n_failures (f->window), ==, 1);

  /* "Details" lists each refused file with its reason. */
  show_error_details (f);

  /* Trash with Undo */
  clip = clip_named (f, "harbour.jpg");
  g_assert_nonnull (clip);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.trash-clip", "s",
                                             echoes_clip_get_id (clip)));
  assert_order (f, "beach.jpg sunset.jpg");
  g_assert_true (_echoes_window_undo (f->window));
  assert_order (f, "beach.jpg harbour.jpg sunset.jpg");

  /* Reorder: what a drop of a card on another does */
  clip = clip_named (f, "sunset.jpg");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.move-clip", "(su)",
                                             echoes_clip_get_id (clip), 0));
  assert_order (f, "sunset.jpg beach.jpg harbour.jpg");

  /* Keyboard: Alt+Left on the focused card moves it, and the focus follows it. */
  focus_card (f, "harbour.jpg");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.move-clip-left", NULL));
  assert_order (f, "sunset.jpg harbour.jpg beach.jpg");
  g_assert_true (echoes_test_wait_until (focus_on, &(FocusOn) { f, "harbour.jpg" }, TIMEOUT_MS));

  /* The context menu's Move Later does what a drop does */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (find_card (f, "sunset.jpg")), "card.show-menu", NULL));
  echoes_test_ui_wait_frames (GTK_WIDGET (f->window), 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (find_card (f, "sunset.jpg")), "card.move-later", NULL));
  assert_order (f, "harbour.jpg sunset.jpg beach.jpg");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (find_card (f, "sunset.jpg")), "card.move-earlier", NULL));
  assert_order (f, "sunset.jpg harbour.jpg beach.jpg");

  /* Sort by date is one undoable step. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sort-by-date", NULL));
  assert_order (f, "beach.jpg harbour.jpg sunset.jpg");
  g_assert_true (_echoes_window_undo (f->window));
  assert_order (f, "sunset.jpg harbour.jpg beach.jpg");

  /* Delete on the focused card trashes it; the focus moves to the next card. */
  focus_card (f, "harbour.jpg");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.delete-focused-clip", NULL));
  assert_order (f, "sunset.jpg beach.jpg");
  g_assert_true (echoes_test_wait_until (focus_on, &(FocusOn) { f, "beach.jpg" }, TIMEOUT_MS));
  g_assert_true (_echoes_window_undo (f->window));
  assert_order (f, "sunset.jpg harbour.jpg beach.jpg");

  /* Approve one, for the screenshot */
  clip = clip_named (f, "beach.jpg");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.set-clip-approved", "(sb)",
                                             echoes_clip_get_id (clip), TRUE));
  g_assert_true (echoes_test_wait_until (cards_ready, &cards, TIMEOUT_MS));
  echoes_test_ui_save_screenshot (GTK_WIDGET (f->window), "window.png");
}

typedef struct
{
  Fixture    *f;
  guint       n_projects;
  guint       n_shown;
  const char *title;
} ExpectProjects;

static gboolean
projects_are (gpointer data)
{
  ExpectProjects *e = data;
  GListModel *projects = echoes_library_get_projects (echoes_context_get_library (e->f->context));
  const char *id = echoes_window_get_project_id (e->f->window);
  EchoesProject *shown = id ? echoes_library_find_project (echoes_context_get_library (e->f->context), id) : NULL;

  return g_list_model_get_n_items (projects) == e->n_projects &&
         _echoes_window_get_n_shown_projects (e->f->window) == e->n_shown &&
         (e->title == NULL ? shown == NULL
                           : shown != NULL && g_strcmp0 (echoes_project_get_title (shown), e->title) == 0);
}

static void
test_window_projects (Fixture       *f,
                      gconstpointer  data)
{
  ExpectProjects e = { f, 1, 1, "Summer 2026" };
  GtkWidget *dialog = NULL;
  GtkWidget *focus;
  GtkWidget *entry;

  echoes_window_create_project (f->window, "Summer 2026");
  g_assert_true (echoes_test_wait_until (projects_are, &e, TIMEOUT_MS));
  echoes_window_create_project (f->window, "Grandma");
  e = (ExpectProjects) { f, 2, 2, "Grandma" };
  g_assert_true (echoes_test_wait_until (projects_are, &e, TIMEOUT_MS));

  /* Ctrl+F searches titles; the shown project stays shown. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.search", NULL));
  focus = gtk_root_get_focus (GTK_ROOT (f->window));
  g_assert_true (GTK_IS_EDITABLE (focus));
  gtk_editable_set_text (GTK_EDITABLE (focus), "summ");
  e = (ExpectProjects) { f, 2, 1, "Grandma" };
  g_assert_true (echoes_test_wait_until (projects_are, &e, TIMEOUT_MS));
  gtk_editable_set_text (GTK_EDITABLE (focus), "");
  e = (ExpectProjects) { f, 2, 2, "Grandma" };
  g_assert_true (echoes_test_wait_until (projects_are, &e, TIMEOUT_MS));

  /* F2 renames through a dialog with the title selected */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.rename-project", NULL));
  g_assert_true (echoes_test_wait_until (find_message_dialog, &dialog, TIMEOUT_MS));
  entry = adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog));
  g_assert_true (GTK_IS_ENTRY (entry));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "Grandma");
  gtk_editable_set_text (GTK_EDITABLE (entry), "Grandma’s Album");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "ok");
  gtk_window_destroy (GTK_WINDOW (dialog));
  e = (ExpectProjects) { f, 2, 2, "Grandma’s Album" };
  g_assert_true (echoes_test_wait_until (projects_are, &e, TIMEOUT_MS));

  /* Delete, then Undo */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.delete-project", NULL));
  e = (ExpectProjects) { f, 1, 1, NULL };
  g_assert_true (echoes_test_wait_until (projects_are, &e, TIMEOUT_MS));
  g_assert_cmpstr (_echoes_window_get_page (f->window), ==, "no-project");
  g_assert_true (_echoes_window_undo (f->window));
  e = (ExpectProjects) { f, 2, 2, "Grandma’s Album" };
  g_assert_true (echoes_test_wait_until (projects_are, &e, TIMEOUT_MS));
}

static gboolean
import_stopped (gpointer data)
{
  return !echoes_window_get_importing (((Fixture *)data)->window);
}

static void
test_window_cancel (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *clips;

  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *name = g_strdup_printf ("photo-%02u.jpg", i);
      g_autofree char *path = echoes_test_write_jpeg (f->photos, name, 3000, 2000, 0x101010 * (i % 16));

      g_ptr_array_add (files, g_file_new_for_path (path));
    }

  /* No project: the import makes one. */
  echoes_window_import_files (f->window, files);
  g_assert_true (echoes_test_wait_until (has_project, f, TIMEOUT_MS));
  g_assert_true (echoes_window_get_importing (f->window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.cancel-import", NULL));
  echoes_test_ui_save_screenshot (GTK_WIDGET (f->window), "window-importing.png");

  g_assert_true (echoes_test_wait_until (import_stopped, f, TIMEOUT_MS));
  echoes_test_ui_drain ();
  clips = get_clips (f);
  g_assert_cmpuint (g_list_model_get_n_items (clips), <, 60);
  g_test_message ("%u of 60 imported before Cancel", g_list_model_get_n_items (clips));
}

typedef struct
{
  Fixture *f;
  guint    n;
} ExpectCount;

static gboolean
clip_count_is (gpointer data)
{
  ExpectCount *e = data;
  GListModel *clips = get_clips (e->f);

  return clips != NULL && g_list_model_get_n_items (clips) == e->n &&
         !echoes_window_get_importing (e->f->window);
}

static void
test_window_paste (Fixture       *f,
                   gconstpointer  data)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (f->window));
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 640, 480);
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = echoes_test_write_jpeg (f->photos, "copied.jpg", 800, 600, 0xc061cb);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GSList files = { file, NULL };
  ExpectCount e = { f, 1 };
  EchoesClip *clip;

  echoes_window_create_project (f->window, "Pasted");
  g_assert_true (echoes_test_wait_until (has_project, f, TIMEOUT_MS));

  /* An image copied in a browser or an image editor: pixels, no file */
  gdk_pixbuf_fill (pixbuf, 0x33d17aff);
  texture = gdk_texture_new_for_pixbuf (pixbuf);
  gdk_clipboard_set_texture (clipboard, texture);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.paste", NULL));
  g_assert_true (echoes_test_wait_until (clip_count_is, &e, TIMEOUT_MS));
  clip = g_list_model_get_item (get_clips (f), 0);
  g_assert_true (g_str_has_suffix (echoes_clip_get_source_name (clip), ".png"));
  g_object_unref (clip);

  /* Files copied in a file manager */
  gdk_clipboard_set (clipboard, GDK_TYPE_FILE_LIST, &files);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.paste", NULL));
  e.n = 2;
  g_assert_true (echoes_test_wait_until (clip_count_is, &e, TIMEOUT_MS));
  assert_order_suffix (f, "copied.jpg");
}

/* What a drop from another application does once GTK has read its data (Xvfb cannot
 * drive a real drag): the highlight while a drag hovers, then files and images imported. */
static void
test_window_drop (Fixture       *f,
                  gconstpointer  data)
{
  EchoesDropTarget *target = _echoes_window_get_drop_target (f->window);
  GtkWidget *content = _echoes_window_get_content (f->window);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (content);
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 640, 480);
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *first = echoes_test_write_jpeg (f->photos, "dropped-1.jpg", 800, 600, 0x3584e4);
  g_autofree char *second = echoes_test_write_jpeg (f->photos, "dropped-2.jpg", 800, 600, 0x2ec27e);
  g_autoptr(GFile) file1 = g_file_new_for_path (first);
  g_autoptr(GFile) file2 = g_file_new_for_path (second);
  GSList list2 = { file2, NULL };
  GSList list = { file1, &list2 };
  g_auto(GValue) value = G_VALUE_INIT;
  GtkEventController *controller = NULL;
  GdkDragAction action = 0;
  ExpectCount e = { f, 2 };

  g_assert_nonnull (target);
  g_assert_true (echoes_drop_target_get_enabled (target));
  g_assert_true (gtk_widget_has_css_class (content, "drop-area"));

  echoes_window_create_project (f->window, "Dropped");
  g_assert_true (echoes_test_wait_until (has_project, f, TIMEOUT_MS));

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && controller == NULL; i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET_ASYNC (c))
        controller = c;
    }
  g_assert_nonnull (controller);

  /* A drag hovers over the timeline: it is highlighted until the drag leaves. */
  g_signal_emit_by_name (controller, "drag-enter", NULL, 100.0, 100.0, &action);
  g_assert_cmpint (action, ==, GDK_ACTION_COPY);
  g_assert_true (echoes_drop_target_get_active (target));
  g_assert_true (gtk_widget_has_css_class (content, "drop-highlight"));
  g_signal_emit_by_name (controller, "drag-leave", NULL);
  g_assert_false (echoes_drop_target_get_active (target));
  g_assert_false (gtk_widget_has_css_class (content, "drop-highlight"));

  /* Files from a file manager */
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, &list);
  echoes_drop_target_drop_value (target, &value);
  g_assert_true (echoes_test_wait_until (clip_count_is, &e, TIMEOUT_MS));
  assert_order (f, "dropped-1.jpg dropped-2.jpg");
  g_value_unset (&value);

  /* An image from a browser: pixels, no file */
  gdk_pixbuf_fill (pixbuf, 0xe66100ff);
  texture = gdk_texture_new_for_pixbuf (pixbuf);
  g_value_init (&value, GDK_TYPE_TEXTURE);
  g_value_set_object (&value, texture);
  echoes_drop_target_drop_value (target, &value);
  e.n = 3;
  g_assert_true (echoes_test_wait_until (clip_count_is, &e, TIMEOUT_MS));
  assert_order_suffix (f, ".png");
}

static gboolean
shown_cards_ready (gpointer data)
{
  Fixture *f = data;
  guint shown = count_cards (f, FALSE);

  return shown > 0 && count_cards (f, TRUE) == shown;
}

static void
test_window_wide (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  ExpectCount e = { f, 40 };

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *name = g_strdup_printf ("wide-%02u.jpg", i);
      g_autofree char *path = echoes_test_write_jpeg (f->photos, name, 640, 480,
                                                      (0x30 + i * 5) << 16 | (0x80 + i * 3) << 8 | 0xc0);

      g_ptr_array_add (files, g_file_new_for_path (path));
    }

  echoes_window_import_files (f->window, files);
  g_assert_true (echoes_test_wait_until (clip_count_is, &e, TIMEOUT_MS));
  g_assert_false (adw_leaflet_get_folded (ADW_LEAFLET (_echoes_window_get_leaflet (f->window))));
  /* As wide as the screen allows: 3840 px under the 4K Xvfb screen build-aux/test.sh
   * starts (-screen 0 3840x2160x24). */
  g_assert_true (echoes_test_wait_until (shown_cards_ready, f, TIMEOUT_MS));
  {
    GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (f->window));
    g_autoptr(GdkMonitor) monitor = g_list_model_get_item (gdk_display_get_monitors (display), 0);
    GdkRectangle geometry;

    gdk_monitor_get_geometry (monitor, &geometry);
    /* Less the window's shadow (client-side decorations). */
    if (geometry.width >= 3840)
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->window)), >=, 3800);
    else
      g_test_message ("A %d px screen: not a 4K check", geometry.width);
  }
  g_test_message ("Wide window: %d×%d, %u cards shown", gtk_widget_get_width (GTK_WIDGET (f->window)),
                  gtk_widget_get_height (GTK_WIDGET (f->window)), count_cards (f, FALSE));
  echoes_test_ui_save_screenshot (GTK_WIDGET (f->window), "window-wide.png");
}

static gboolean
leaflet_folded (gpointer data)
{
  return adw_leaflet_get_folded (ADW_LEAFLET (_echoes_window_get_leaflet (((Fixture *)data)->window)));
}

static void
test_window_narrow (Fixture       *f,
                    gconstpointer  data)
{
  AdwLeaflet *leaflet = ADW_LEAFLET (_echoes_window_get_leaflet (f->window));
  Expect e = { f, "empty", 0 };

  g_assert_true (echoes_test_wait_until (leaflet_folded, f, TIMEOUT_MS));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->window)), <=, 360);

  /* Creating a project shows its (empty) timeline instead of the project list. */
  echoes_window_create_project (f->window, NULL);
  g_assert_true (echoes_test_wait_until (page_is, &e, TIMEOUT_MS));
  g_assert_true (adw_leaflet_get_visible_child (leaflet) == _echoes_window_get_content (f->window));
  echoes_test_ui_save_screenshot (GTK_WIDGET (f->window), "window-narrow.png");

  /* Back to the project list */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-projects", NULL));
  g_assert_true (adw_leaflet_get_visible_child (leaflet) == _echoes_window_get_sidebar (f->window));
}


/* The item of a popover menu labelled @label: a GtkModelButton (a private type, so
 * found by its "text" property), whose sensitivity follows its action's enabled state. */
static GtkWidget *
find_menu_item (GtkWidget  *widget,
                const char *label)
{
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (widget), "text") != NULL &&
      g_strcmp0 (G_OBJECT_TYPE_NAME (widget), "GtkModelButton") == 0)
    {
      g_autofree char *text = NULL;

      g_object_get (widget, "text", &text, NULL);
      if (g_strcmp0 (text, label) == 0)
        return widget;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_menu_item (child, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

typedef struct
{
  Fixture    *f;
  const char *name;
  gboolean    enabled;
} ExpectEntry;

static GtkWidget *find_widget_of_type (GtkWidget *widget,
                                       GType      type);

/* The item of @card's context menu labelled @label; the card builds the menu when it is
 * first shown, so this shows it once, then closes it. */
static GtkWidget *
find_card_menu_item (EchoesClipCard *card,
                     const char     *label)
{
  GtkWidget *item = find_menu_item (GTK_WIDGET (card), label);
  GtkWidget *popover;

  if (item == NULL && gtk_widget_activate_action (GTK_WIDGET (card), "card.show-menu", NULL))
    {
      item = find_menu_item (GTK_WIDGET (card), label);
      if ((popover = find_widget_of_type (GTK_WIDGET (card), GTK_TYPE_POPOVER)))
        gtk_popover_popdown (GTK_POPOVER (popover));
    }

  return item;
}

/* The card's "Cancel Generation" menu entry is enabled (sensitive) as expected. */
static gboolean
cancel_entry_is (gpointer data)
{
  ExpectEntry *e = data;
  EchoesClipCard *card = find_card (e->f, e->name);
  /* The label of echoes-clip-card.ui's item for card.cancel-generation, without its
   * mnemonic (C locale). */
  GtkWidget *item = card ? find_card_menu_item (card, "Cancel Generation") : NULL;

  return item != NULL && gtk_widget_get_sensitive (item) == e->enabled;
}

static void
assert_cancel_entry (Fixture    *f,
                     const char *name,
                     gboolean    enabled)
{
  ExpectEntry e = { f, name, enabled };

  if (!echoes_test_wait_until (cancel_entry_is, &e, TIMEOUT_MS))
    g_error ("“Cancel Generation” of %s is not %s", name, enabled ? "enabled" : "disabled");
}

typedef struct
{
  Fixture          *f;
  const char       *name;
  EchoesClipStatus  status;
} ExpectStatus;

static gboolean
status_is (gpointer data)
{
  ExpectStatus *e = data;
  EchoesClip *clip = clip_named (e->f, e->name);

  return clip != NULL && echoes_clip_get_status (clip) == e->status;
}

static GtkWidget *
find_widget_of_type (GtkWidget *widget,
                     GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget_of_type (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
find_clip_window (gpointer data)
{
  GtkWidget **window = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (ECHOES_IS_CLIP_WINDOW (toplevel))
        *window = GTK_WIDGET (toplevel);
    }

  return *window != NULL;
}

static void
test_window_generation_menu (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TestProvider) provider = g_object_new (TEST_TYPE_PROVIDER, NULL);
  const char *names[] = { "beach.jpg", "harbour.jpg", "sunset.jpg" };
  EchoesGenerationQueue *queue = echoes_context_get_queue (f->context);
  ExpectCards cards = { f, 3 };
  ExpectStatus status = { f, "beach.jpg", ECHOES_CLIP_STATUS_GENERATING };
  GtkWidget *clip_window = NULL;
  GtkWidget *status_page;
  EchoesClip *clip;

  echoes_window_create_project (f->window, "Queue");
  g_assert_true (echoes_test_wait_until (has_project, f, TIMEOUT_MS));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = echoes_test_write_jpeg (f->photos, names[i], 640, 480, 0x204060 * (i + 1));

      g_ptr_array_add (files, g_file_new_for_path (path));
    }
  echoes_window_import_files (f->window, files);
  g_assert_true (echoes_test_wait_until (cards_ready, &cards, TIMEOUT_MS));

  /* Clips generate until cancelled. */
  provider->block = TRUE;
  echoes_generation_queue_set_provider (queue, ECHOES_VIDEO_PROVIDER (provider));
  echoes_generation_queue_set_max_jobs (queue, 1);

  /* Pending, not queued: nothing to cancel. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    assert_cancel_entry (f, names[i], FALSE);

  /* beach generates; harbour waits behind it, still `pending`: both can be cancelled. */
  clip = clip_named (f, "beach.jpg");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.generate-clip", "s",
                                             echoes_clip_get_id (clip)));
  clip = clip_named (f, "harbour.jpg");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.generate-clip", "s",
                                             echoes_clip_get_id (clip)));
  g_assert_true (echoes_test_wait_until (status_is, &status, TIMEOUT_MS));
  assert_cancel_entry (f, "beach.jpg", TRUE);
  assert_cancel_entry (f, "harbour.jpg", TRUE);
  g_assert_cmpint (echoes_clip_get_status (clip_named (f, "harbour.jpg")), ==, ECHOES_CLIP_STATUS_PENDING);
  assert_cancel_entry (f, "sunset.jpg", FALSE);

  /* Cancelling the waiting clip from its menu disables the entry. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (find_card (f, "harbour.jpg")),
                                             "card.cancel-generation", NULL));
  assert_cancel_entry (f, "harbour.jpg", FALSE);
  assert_cancel_entry (f, "beach.jpg", TRUE);

  /* and so does cancelling the running one: back to pending. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (find_card (f, "beach.jpg")),
                                             "card.cancel-generation", NULL));
  status.status = ECHOES_CLIP_STATUS_PENDING;
  g_assert_true (echoes_test_wait_until (status_is, &status, TIMEOUT_MS));
  assert_cancel_entry (f, "beach.jpg", FALSE);

  /* A failure: the entry goes, and the clip shows a translated reason, never the
   * provider's message. */
  provider->block = FALSE;
  provider->fail = TRUE;
  provider->fail_suffix = NULL;
  provider->fail_domain = ECHOES_PROVIDER_ERROR;
  provider->fail_code = ECHOES_PROVIDER_ERROR_NO_CREDITS;
  clip = clip_named (f, "sunset.jpg");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.generate-clip", "s",
                                             echoes_clip_get_id (clip)));
  status = (ExpectStatus) { f, "sunset.jpg", ECHOES_CLIP_STATUS_FAILED };
  g_assert_true (echoes_test_wait_until (status_is, &status, TIMEOUT_MS));
  assert_cancel_entry (f, "sunset.jpg", FALSE);
  clip = clip_named (f, "sunset.jpg");
  g_assert_cmpint (echoes_clip_get_failure (clip), ==, ECHOES_CLIP_FAILURE_NO_CREDITS);
  g_assert_cmpstr (echoes_clip_get_error (clip), !=, TEST_PROVIDER_MESSAGE);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.open-clip", "s",
                                             echoes_clip_get_id (clip)));
  g_assert_true (echoes_test_wait_until (find_clip_window, &clip_window, TIMEOUT_MS));
  status_page = find_widget_of_type (clip_window, ADW_TYPE_STATUS_PAGE);
  g_assert_nonnull (status_page);
  g_assert_cmpstr (adw_status_page_get_description (ADW_STATUS_PAGE (status_page)), ==,
                   echoes_clip_failure_get_message (ECHOES_CLIP_FAILURE_NO_CREDITS));
  echoes_test_ui_wait_mapped (clip_window, TIMEOUT_MS);
  echoes_test_ui_save_screenshot (clip_window, "clip-failed.png");
  gtk_window_destroy (GTK_WINDOW (clip_window));

  g_assert_cmpuint (echoes_generation_queue_get_n_jobs (queue), ==, 0);
}

static gboolean
card_shows_video (gpointer data)
{
  FocusOn *e = data;
  EchoesClipCard *card = find_card (e->f, e->name);

  return card != NULL && echoes_clip_card_has_video_thumbnail (card);
}

static gboolean
has_approve_hint (gpointer data)
{
  return ((Fixture *) data)->window->approve_hint != NULL;
}

/* A ready clip's card shows the clip's first frame, not the photo: a blue photo whose
 * clip is red. */
static void
test_window_video_thumbnail (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TestProvider) provider = g_object_new (TEST_TYPE_PROVIDER, NULL);
  g_autofree char *photo = echoes_test_write_jpeg (f->photos, "blue.jpg", 640, 360, 0x0000ff);
  /* videotestsrc pattern 4: red */
  g_autofree char *video = echoes_test_media_make_clip (f->photos, "red.mp4", 320, 180, 10, 4);
  EchoesGenerationQueue *queue = echoes_context_get_queue (f->context);
  ExpectCards cards = { f, 1 };
  FocusOn shows = { f, "blue.jpg" };
  EchoesClipCard *card;
  GdkPaintable *paintable;
  g_autofree guchar *pixels = NULL;
  int width, height;
  const guchar *centre;

  echoes_window_create_project (f->window, "Frames");
  g_assert_true (echoes_test_wait_until (has_project, f, TIMEOUT_MS));
  g_ptr_array_add (files, g_file_new_for_path (photo));
  echoes_window_import_files (f->window, files);
  g_assert_true (echoes_test_wait_until (cards_ready, &cards, TIMEOUT_MS));
  card = find_card (f, "blue.jpg");
  g_assert_false (echoes_clip_card_has_video_thumbnail (card));

  /* Nothing approved: Play says so, until a ready clip is approved. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.play", NULL));
  g_assert_true (echoes_test_wait_until (has_approve_hint, f, TIMEOUT_MS));

  provider->video = video;
  echoes_generation_queue_set_provider (queue, ECHOES_VIDEO_PROVIDER (provider));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.generate-all", NULL));
  g_assert_true (echoes_test_wait_until (card_shows_video, &shows, TIMEOUT_MS));

  card = find_card (f, "blue.jpg");
  paintable = echoes_clip_card_get_thumbnail (card);
  g_assert_true (GDK_IS_TEXTURE (paintable));
  width = gdk_texture_get_width (GDK_TEXTURE (paintable));
  height = gdk_texture_get_height (GDK_TEXTURE (paintable));
  pixels = g_malloc (width * height * 4);
  gdk_texture_download (GDK_TEXTURE (paintable), pixels, width * 4);
  /* Cairo's ARGB32: B, G, R, A in memory */
  centre = pixels + (height / 2 * width + width / 2) * 4;
  g_assert_cmpint (centre[2], >, 200);
  g_assert_cmpint (centre[0], <, 60);
  g_assert_nonnull (f->window->approve_hint);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.set-clip-approved", "(sb)",
                                             echoes_clip_get_id (clip_named (f, "blue.jpg")), TRUE));
  g_assert_null (f->window->approve_hint);
  echoes_test_ui_save_screenshot (GTK_WIDGET (f->window), "card-video-thumbnail.png");
}

/* Keyboard: what a key press does once it reaches a widget: the shortcuts of @widget and
 * of each of its ancestors, in the bubble phase (Xvfb gives no way to type keys). */
static gboolean
press_keys (GtkWidget  *widget,
            const char *accelerator)
{
  g_autoptr(GtkShortcutTrigger) wanted = gtk_shortcut_trigger_parse_string (accelerator);

  g_assert_nonnull (wanted);
  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    {
      g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (w);

      for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
        {
          g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

          if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
            continue;

          for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
            {
              g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

              if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), wanted) &&
                  gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut),
                                                GTK_SHORTCUT_ACTION_EXCLUSIVE, w,
                                                gtk_shortcut_get_arguments (shortcut)))
                {
                  g_autofree char *what = gtk_shortcut_action_to_string (gtk_shortcut_get_action (shortcut));
                  g_test_message ("%s: %s on %s", accelerator, what, G_OBJECT_TYPE_NAME (w));
                  return TRUE;
                }
            }
        }
    }

  return FALSE;
}

/* The action a key of @widget's class runs, or NULL. */
static const char *
action_for_keys (GtkWidget  *widget,
                 const char *accelerator)
{
  g_autoptr(GtkShortcutTrigger) wanted = gtk_shortcut_trigger_parse_string (accelerator);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), wanted) &&
              GTK_IS_NAMED_ACTION (action))
            return gtk_named_action_get_action_name (GTK_NAMED_ACTION (action));
        }
    }

  return NULL;
}

static gboolean
no_message_dialog (gpointer data)
{
  GtkWidget *dialog = NULL;

  return !find_message_dialog (&dialog);
}

static void
close_message_dialog (const char *heading)
{
  GtkWidget *dialog = NULL;

  g_assert_true (echoes_test_wait_until (find_message_dialog, &dialog, TIMEOUT_MS));
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, heading);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (echoes_test_wait_until (no_message_dialog, NULL, TIMEOUT_MS));
}

static GtkWidget *
find_button_with_action (GtkWidget  *widget,
                         const char *action_name)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_with_action (child, action_name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

typedef struct
{
  Fixture    *f;
  const char *name;
  guint       position;
} ExpectPosition;

static gboolean
position_is (gpointer data)
{
  ExpectPosition *e = data;
  EchoesClip *clip = clip_named (e->f, e->name);

  return clip != NULL && echoes_clip_get_position (clip) == e->position;
}

static void
assert_position (Fixture    *f,
                 const char *name,
                 guint       position)
{
  ExpectPosition e = { f, name, position };

  if (!echoes_test_wait_until (position_is, &e, TIMEOUT_MS))
    g_error ("%s is not at position %u", name, position);
}

/* The focus is back on a card after the grid was rebuilt. */
static gboolean
refocused_on (gpointer data)
{
  FocusOn *e = data;

  return e->f->window->refocus_clip_id == NULL && focus_on (data);
}

static void
test_window_keyboard (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (f->window));
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 320, 240);
  g_autoptr(GdkTexture) texture = NULL;
  const char *names[] = { "beach.jpg", "harbour.jpg" };
  ExpectCount count = { f, 2 };
  ExpectCards cards = { f, 2 };
  FocusOn focus = { f, "harbour.jpg" };
  GtkWidget *window = GTK_WIDGET (f->window);
  GtkWidget *player_window;
  GtkWidget *player;
  GtkWidget *fullscreen_button;
  GtkWidget *clip_window = NULL;
  EchoesClip *clip;

  /* Ctrl+N: the title dialog of a new project */
  g_assert_true (press_keys (window, "<Control>n"));
  close_message_dialog ("New Project");

  echoes_window_create_project (f->window, "Keys");
  g_assert_true (echoes_test_wait_until (has_project, f, TIMEOUT_MS));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = echoes_test_write_jpeg (f->photos, names[i], 800, 600, 0x3584e4);

      g_ptr_array_add (files, g_file_new_for_path (path));
    }
  echoes_window_import_files (f->window, files);
  g_assert_true (echoes_test_wait_until (clip_count_is, &count, TIMEOUT_MS));
  g_assert_true (echoes_test_wait_until (cards_ready, &cards, TIMEOUT_MS));

  /* Ctrl+O: the file chooser (it needs GTK's settings schema, which the isolated test
   * dirs hide: check the action it runs) */
  g_assert_cmpstr (action_for_keys (window, "<Control>o"), ==, "win.add-photos");

  /* Ctrl+V: an image from the clipboard */
  gdk_pixbuf_fill (pixbuf, 0x33d17aff);
  texture = gdk_texture_new_for_pixbuf (pixbuf);
  gdk_clipboard_set_texture (clipboard, texture);
  g_assert_true (press_keys (window, "<Control>v"));
  count.n = 3;
  g_assert_true (echoes_test_wait_until (clip_count_is, &count, TIMEOUT_MS));

  /* Delete: the focused photo; Ctrl+Z brings it back where it was */
  g_assert_false (_echoes_window_can_undo (f->window));
  focus_card (f, "harbour.jpg");
  g_assert_true (echoes_test_wait_until (focus_on, &focus, TIMEOUT_MS));
  g_assert_true (press_keys (gtk_root_get_focus (GTK_ROOT (window)), "Delete"));
  count.n = 2;
  g_assert_true (echoes_test_wait_until (clip_count_is, &count, TIMEOUT_MS));
  g_assert_null (clip_named (f, "harbour.jpg"));
  g_assert_true (press_keys (window, "<Control>z"));
  count.n = 3;
  g_assert_true (echoes_test_wait_until (clip_count_is, &count, TIMEOUT_MS));
  assert_position (f, "harbour.jpg", 1);
  /* Nothing left to undo: a second Ctrl+Z does nothing. */
  g_assert_false (_echoes_window_can_undo (f->window));
  g_assert_false (press_keys (window, "<Control>z"));
  g_assert_cmpuint (g_list_model_get_n_items (get_clips (f)), ==, 3);

  /* Alt+→ moves the focused photo later (the card takes the keys before the leaflet,
   * which would go back to the project list on Alt+←) */
  focus.name = "beach.jpg";
  focus_card (f, "beach.jpg");
  g_assert_true (echoes_test_wait_until (focus_on, &focus, TIMEOUT_MS));
  g_assert_true (press_keys (gtk_root_get_focus (GTK_ROOT (window)), "<Alt>Right"));
  assert_position (f, "beach.jpg", 1);
  /* The moved photo keeps the focus: Alt+← brings it back. */
  g_assert_true (echoes_test_wait_until (refocused_on, &focus, TIMEOUT_MS));
  g_assert_true (press_keys (gtk_root_get_focus (GTK_ROOT (window)), "<Alt>Left"));
  assert_position (f, "beach.jpg", 0);

  /* Ctrl+E: the Export dialog */
  g_assert_true (press_keys (window, "<Control>e"));
  close_message_dialog ("Export Film");

  /* F11: the window full screen (Xvfb has no window manager to make it so: check the
   * action it runs), and the film player's full screen. */
  g_assert_cmpstr (action_for_keys (window, "F11"), ==, "win.fullscreen");
  g_assert_true (press_keys (window, "F11"));

  player_window = gtk_window_new ();
  player = echoes_film_player_new ();
  gtk_window_set_child (GTK_WINDOW (player_window), player);
  gtk_window_present (GTK_WINDOW (player_window));
  echoes_test_ui_wait_mapped (player, TIMEOUT_MS);
  fullscreen_button = find_button_with_action (player, "player.fullscreen");
  g_assert_nonnull (fullscreen_button);
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (fullscreen_button)), ==, "view-fullscreen-symbolic");
  g_assert_true (press_keys (player, "F11"));
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (fullscreen_button)), ==, "view-restore-symbolic");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (fullscreen_button), ==, "Leave Full Screen");
  gtk_window_destroy (GTK_WINDOW (player_window));

  /* The clip window's keys, for the shortcuts window below */
  clip = clip_named (f, "beach.jpg");
  g_assert_true (gtk_widget_activate_action (window, "win.open-clip", "s", echoes_clip_get_id (clip)));
  g_assert_true (echoes_test_wait_until (find_clip_window, &clip_window, TIMEOUT_MS));

  /* The shortcuts window tells the truth: each key it lists is bound where it says
   * (the window, the film player, a clip card, the clip window), or by the application
   * (Ctrl+Q quits, GtkApplication binds Ctrl+? to the shortcuts window). */
  {
    g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (RESOURCE_PREFIX "/gtk/help-overlay.ui");
    g_autoptr(GListModel) objects = NULL;
    GtkWidget *card = echoes_clip_card_new (f->context);
    GtkWidget *player2 = echoes_film_player_new ();
    GtkWidget *bound[] = { window, player2, card, clip_window };
    GSList *list = gtk_builder_get_objects (builder);
    guint n_shortcuts = 0;

    g_object_ref_sink (card);
    g_object_ref_sink (player2);
    for (GSList *l = list; l != NULL; l = l->next)
      {
        g_auto(GStrv) accels = NULL;
        g_autofree char *accel_string = NULL;

        if (!GTK_IS_SHORTCUTS_SHORTCUT (l->data))
          continue;
        g_object_get (l->data, "accelerator", &accel_string, NULL);
        accels = g_strsplit (accel_string, " ", -1);
        for (guint i = 0; accels[i] != NULL; i++)
          {
            gboolean found = g_str_equal (accels[i], "<Control>q") ||
                             g_str_equal (accels[i], "<Control>question");

            for (guint w = 0; !found && w < G_N_ELEMENTS (bound); w++)
              found = action_for_keys (bound[w], accels[i]) != NULL;
            if (!found)
              g_error ("The shortcuts window lists %s, which nothing binds", accels[i]);
            n_shortcuts++;
          }
      }
    g_slist_free (list);
    g_assert_cmpuint (n_shortcuts, >=, 20);

    /* …and it lists the keys this test pressed. */
    {
      g_autoptr(GString) all = g_string_new (" ");

      list = gtk_builder_get_objects (builder);
      for (GSList *l = list; l != NULL; l = l->next)
        if (GTK_IS_SHORTCUTS_SHORTCUT (l->data))
          {
            g_autofree char *accel_string = NULL;

            g_object_get (l->data, "accelerator", &accel_string, NULL);
            g_string_append_printf (all, "%s ", accel_string);
          }
      g_slist_free (list);
      for (const char * const *k = (const char * const[]) { "<Control>n", "<Control>o", "<Control>v",
                                                           "Delete", "<Control>z", "<Alt>Right",
                                                           "<Alt>Left", "<Control>e", "F11",
                                                           "<Control>question", NULL }; *k; k++)
        {
          g_autofree char *needle = g_strdup_printf (" %s ", *k);

          if (g_strstr_len (all->str, -1, needle) == NULL)
            g_error ("The shortcuts window does not list %s", *k);
        }
    }

    g_object_unref (card);
    g_object_unref (player2);
  }
  gtk_window_destroy (GTK_WINDOW (clip_window));
}

typedef struct
{
  Fixture    *f;
  const char *name;
  const char *badge;
} ExpectBadge;

static gboolean
card_has_badge (gpointer data)
{
  ExpectBadge *e = data;
  EchoesClipCard *card = find_card (e->f, e->name);

  return card != NULL && g_strcmp0 (echoes_clip_card_get_provider_badge (card), e->badge) == 0;
}

/* Each card shows the provider its clip will be made with: the project's Motion choice
 * changes every badge, a clip's "Animate With" only its own. */
static void
test_window_provider_badges (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *one = echoes_test_write_jpeg (f->photos, "one.jpg", 320, 240, 0xff0000);
  g_autofree char *two = echoes_test_write_jpeg (f->photos, "two.jpg", 320, 240, 0x00ff00);
  ExpectCards cards = { f, 2 };
  ExpectBadge badge = { f, NULL, NULL };
  EchoesClip *clip;

  echoes_window_create_project (f->window, "Badges");
  g_assert_true (echoes_test_wait_until (has_project, f, TIMEOUT_MS));
  g_ptr_array_add (files, g_file_new_for_path (one));
  g_ptr_array_add (files, g_file_new_for_path (two));
  echoes_window_import_files (f->window, files);
  g_assert_true (echoes_test_wait_until (cards_ready, &cards, TIMEOUT_MS));

  /* The app's default: Ken Burns */
  g_assert_cmpstr (echoes_clip_card_get_provider_badge (find_card (f, "one.jpg")), ==, "Ken Burns");
  g_assert_cmpstr (echoes_clip_card_get_provider_badge (find_card (f, "two.jpg")), ==, "Ken Burns");

  /* The project chooses AI: both badges follow, and the project keeps it. */
  gtk_drop_down_set_selected (f->window->provider_dropdown, 2);
  badge.name = "one.jpg";
  badge.badge = "AI";
  g_assert_true (echoes_test_wait_until (card_has_badge, &badge, TIMEOUT_MS));
  badge.name = "two.jpg";
  g_assert_true (echoes_test_wait_until (card_has_badge, &badge, TIMEOUT_MS));
  g_assert_cmpstr (echoes_project_get_provider (f->window->project), ==, "runway");

  /* One clip goes back to Ken Burns through its menu's action. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (find_card (f, "one.jpg")),
                                             "card.animate-with", "s", "local"));
  badge.name = "one.jpg";
  badge.badge = "Ken Burns";
  g_assert_true (echoes_test_wait_until (card_has_badge, &badge, TIMEOUT_MS));
  clip = clip_named (f, "one.jpg");
  g_assert_cmpstr (echoes_clip_get_provider_override (clip), ==, "local");
  g_assert_cmpstr (echoes_clip_card_get_provider_badge (find_card (f, "two.jpg")), ==, "AI");

  /* …and follows the project again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (find_card (f, "one.jpg")),
                                             "card.animate-with", "s", "default"));
  badge.badge = "AI";
  g_assert_true (echoes_test_wait_until (card_has_badge, &badge, TIMEOUT_MS));
  g_assert_null (echoes_clip_get_provider_override (clip_named (f, "one.jpg")));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkCssProvider) css = NULL;

  echoes_test_init (&argc, &argv);
  gst_init (NULL, NULL);
  gtk_disable_setlocale ();
  setlocale (LC_ALL, "C.UTF-8");
  gtk_init ();
  adw_init ();
  /* Screenshots show the end of transitions, not their middle. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  /* Isolated XDG dirs hide the system icon theme, and there is no application to load
   * style.css: do both as the installed app would have them. */
  gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                  "/usr/share/icons");
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    RESOURCE_PREFIX "/icons");
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, RESOURCE_PREFIX "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_test_add ("/echoes/ui/window/import", Fixture, NULL,
              fixture_setup, test_window_import, fixture_teardown);
  g_test_add ("/echoes/ui/window/projects", Fixture, NULL,
              fixture_setup, test_window_projects, fixture_teardown);
  g_test_add ("/echoes/ui/window/cancel", Fixture, NULL,
              fixture_setup, test_window_cancel, fixture_teardown);
  g_test_add ("/echoes/ui/window/generation-menu", Fixture, NULL,
              fixture_setup, test_window_generation_menu, fixture_teardown);
  g_test_add ("/echoes/ui/window/paste", Fixture, NULL,
              fixture_setup, test_window_paste, fixture_teardown);
  g_test_add ("/echoes/ui/window/drop", Fixture, NULL,
              fixture_setup, test_window_drop, fixture_teardown);
  g_test_add ("/echoes/ui/window/video-thumbnail", Fixture, NULL,
              fixture_setup, test_window_video_thumbnail, fixture_teardown);
  g_test_add ("/echoes/ui/window/provider-badges", Fixture, NULL,
              fixture_setup, test_window_provider_badges, fixture_teardown);
  g_test_add ("/echoes/ui/window/keyboard", Fixture, NULL,
              fixture_setup, test_window_keyboard, fixture_teardown);
  g_test_add ("/echoes/ui/window/wide", Fixture, GINT_TO_POINTER (3840),
              fixture_setup, test_window_wide, fixture_teardown);
  g_test_add ("/echoes/ui/window/narrow", Fixture, GINT_TO_POINTER (360),
              fixture_setup, test_window_narrow, fixture_teardown);

  return g_test_run ();
}
