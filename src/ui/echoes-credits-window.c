/* echoes-credits-window.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-credits-window"

#include "config.h"

#include "echoes-credits-window-private.h"

#include <glib/gi18n.h>

#include "echoes-cloud-error.h"
#include "echoes-credits-client.h"
#include "echoes-util.h"

/* The ledger rows shown, newest first. */
#define LEDGER_LIMIT 100
/* Waiting for a purchase: the first balance poll, the longest pause between two, and
 * when to give up (focusing the window polls again at any time). */
#define FIRST_POLL_MS  3000
#define MAX_POLL_MS    60000
#define POLL_GIVE_UP_S (30 * 60)

/* One ledger row, as a list item. */
#define ECHOES_TYPE_CREDIT_ITEM (echoes_credit_item_get_type ())
G_DECLARE_FINAL_TYPE (EchoesCreditItem, echoes_credit_item, ECHOES, CREDIT_ITEM, GObject)

struct _EchoesCreditItem
{
  GObject            parent_instance;
  EchoesCreditEntry *entry;   /* (owned) */
};

G_DEFINE_FINAL_TYPE (EchoesCreditItem, echoes_credit_item, G_TYPE_OBJECT)

static void
echoes_credit_item_finalize (GObject *object)
{
  g_clear_pointer (&ECHOES_CREDIT_ITEM (object)->entry, echoes_credit_entry_free);
  G_OBJECT_CLASS (echoes_credit_item_parent_class)->finalize (object);
}

static void
echoes_credit_item_class_init (EchoesCreditItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = echoes_credit_item_finalize;
}

static void
echoes_credit_item_init (EchoesCreditItem *self)
{
}

/**
 * EchoesCreditsWindow:
 *
 * The account's credits: the balance, the packs to buy (Stripe Checkout in the browser,
 * then the balance is polled with backoff, and on focus, until the credits arrive), the
 * ledger, the account's referral code with Copy, and redeeming a friend's code. Every
 * request is cancelled when the window goes; errors show inline.
 */
struct _EchoesCreditsWindow
{
  AdwWindow            parent_instance;

  EchoesAuth          *auth;            /* (owned) */
  EchoesCreditsClient *client;          /* (owned) */
  GCancellable        *cancellable;     /* (owned) */
  GListStore          *ledger;          /* (owned) EchoesCreditItem */
  GPtrArray           *packs;           /* (owned) (nullable) EchoesCreditPack */
  GSettings           *settings;        /* (owned) (nullable) */
  int                  balance;         /* -1: not known yet */
  char                *referral_code;   /* (owned) (nullable) */
  char                *last_toast;      /* (owned) (nullable) for tests */
  EchoesAuthUriFunc    uri_func;        /* (nullable) tests only */
  gpointer             uri_data;

  /* Waiting for a purchase */
  gboolean             waiting;
  int                  balance_before;
  guint                poll_source;
  guint                poll_ms;
  guint                first_poll_ms;
  gint64               waiting_since;
  gboolean             polling;         /* a balance request is in flight */

  /* Template children */
  AdwToastOverlay     *toast_overlay;
  GtkLabel            *balance_label;
  GtkLabel            *error_label;
  GtkLabel            *waiting_label;
  GtkListBox          *packs_box;
  GtkLabel            *code_label;
  GtkWidget           *copy_button;
  GtkEntry            *redeem_entry;
  GtkWidget           *redeem_button;
  GtkLabel            *redeem_label;
  GtkListView         *ledger_view;
  GtkStack            *ledger_stack;
};

G_DEFINE_FINAL_TYPE (EchoesCreditsWindow, echoes_credits_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_BALANCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void poll_balance (EchoesCreditsWindow *self);
static void load_ledger  (EchoesCreditsWindow *self);

static void
show_error (EchoesCreditsWindow *self,
            const GError        *error)
{
  if (error == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
      return;
    }
  gtk_label_set_text (self->error_label, echoes_credits_error_describe (error));
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

static void
show_toast (EchoesCreditsWindow *self,
            const char          *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}

static void
set_balance (EchoesCreditsWindow *self,
             int                  balance)
{
  g_autofree char *text = NULL;

  text = g_strdup_printf (ngettext ("%d credit", "%d credits", balance), balance);
  gtk_label_set_text (self->balance_label, text);
  if (self->balance != balance)
    {
      self->balance = balance;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BALANCE]);
    }
}

/* ---- waiting for a purchase ---- */

static void
stop_waiting (EchoesCreditsWindow *self)
{
  self->waiting = FALSE;
  g_clear_handle_id (&self->poll_source, g_source_remove);
  gtk_widget_set_visible (GTK_WIDGET (self->waiting_label), FALSE);
}

static gboolean
poll_timeout_cb (gpointer user_data)
{
  EchoesCreditsWindow *self = user_data;

  self->poll_source = 0;
  poll_balance (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_poll (EchoesCreditsWindow *self)
{
  if (!self->waiting || self->poll_source != 0)
    return;
  if (g_get_monotonic_time () - self->waiting_since > (gint64) POLL_GIVE_UP_S * G_USEC_PER_SEC)
    {
      stop_waiting (self);
      return;
    }
  self->poll_source = g_timeout_add (self->poll_ms, poll_timeout_cb, self);
  self->poll_ms = MIN (self->poll_ms * 2, MAX_POLL_MS);
}

static void
balance_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  EchoesCreditsWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  int balance = 0;

  if (!echoes_credits_client_get_balance_finish (ECHOES_CREDITS_CLIENT (object), result,
                                                 &balance, &code, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->polling = FALSE;
      show_error (self, error);
      schedule_poll (self);
      return;
    }

  self->polling = FALSE;
  show_error (self, NULL);
  if (g_strcmp0 (code, self->referral_code) != 0)
    {
      g_free (self->referral_code);
      self->referral_code = g_steal_pointer (&code);
      gtk_label_set_text (self->code_label, self->referral_code ? self->referral_code : "");
      gtk_widget_set_sensitive (self->copy_button, self->referral_code != NULL);
    }

  if (self->waiting && balance > self->balance_before)
    {
      int added = balance - self->balance_before;
      g_autofree char *text = g_strdup_printf (ngettext ("%d credit added", "%d credits added", added),
                                               added);
      stop_waiting (self);
      show_toast (self, text);
      load_ledger (self);
    }
  set_balance (self, balance);
  schedule_poll (self);
}

static void
poll_balance (EchoesCreditsWindow *self)
{
  if (self->polling)
    return;
  self->polling = TRUE;
  echoes_credits_client_get_balance_async (self->client, self->cancellable, balance_cb, self);
}

static void
is_active_cb (EchoesCreditsWindow *self)
{
  if (gtk_window_is_active (GTK_WINDOW (self)) && self->waiting)
    {
      g_clear_handle_id (&self->poll_source, g_source_remove);
      poll_balance (self);
    }
}

/* ---- the ledger ---- */

static void
ledger_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  EchoesCreditsWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  if (!(entries = echoes_credits_client_list_ledger_finish (ECHOES_CREDITS_CLIENT (object), result, &error)))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error);
      return;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      EchoesCreditItem *item = g_object_new (ECHOES_TYPE_CREDIT_ITEM, NULL);

      item->entry = g_steal_pointer (&entries->pdata[i]);
      g_ptr_array_add (items, item);
    }
  g_list_store_splice (self->ledger, 0, g_list_model_get_n_items (G_LIST_MODEL (self->ledger)),
                       items->pdata, items->len);
  gtk_stack_set_visible_child_name (self->ledger_stack, items->len > 0 ? "list" : "empty");
}

static void
load_ledger (EchoesCreditsWindow *self)
{
  echoes_credits_client_list_ledger_async (self->client, LEDGER_LIMIT, self->cancellable,
                                           ledger_cb, self);
}

static void
ledger_setup_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  const char *classes[] = { "dim-label", NULL, "numeric", "dim-label" };

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  for (guint i = 0; i < 4; i++)
    {
      GtkWidget *label = gtk_label_new (NULL);

      gtk_label_set_xalign (GTK_LABEL (label), i == 2 ? 1.0f : 0.0f);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_set_hexpand (label, i == 1);
      if (i == 0)
        gtk_label_set_width_chars (GTK_LABEL (label), 16);
      if (i == 2)
        gtk_label_set_width_chars (GTK_LABEL (label), 5);
      if (i == 3)
        gtk_label_set_width_chars (GTK_LABEL (label), 8);
      if (classes[i] != NULL)
        gtk_widget_add_css_class (label, classes[i]);
      gtk_box_append (GTK_BOX (box), label);
    }
  gtk_list_item_set_child (list_item, box);
}

static void
ledger_bind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                gpointer                  user_data)
{
  EchoesCreditItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *label = gtk_widget_get_first_child (gtk_list_item_get_child (list_item));
  g_autoptr(GDateTime) local = g_date_time_to_local (item->entry->created_at);
  /* TRANSLATORS: the date of a credit ledger row; see g_date_time_format() */
  g_autofree char *date = g_date_time_format (local, _("%x %H:%M"));
  g_autofree char *amount = g_strdup_printf ("%+d", item->entry->amount);
  g_autofree char *clip = NULL;
  g_autofree char *description = NULL;

  if (item->entry->clip_id != NULL)
    /* TRANSLATORS: the clip of a ledger row, by the start of its id */
    clip = g_strdup_printf (_("Clip %.8s"), item->entry->clip_id);

  gtk_label_set_text (GTK_LABEL (label), date);
  label = gtk_widget_get_next_sibling (label);
  gtk_label_set_text (GTK_LABEL (label), echoes_credit_kind_describe (item->entry->kind));
  label = gtk_widget_get_next_sibling (label);
  gtk_label_set_text (GTK_LABEL (label), amount);
  label = gtk_widget_get_next_sibling (label);
  gtk_label_set_text (GTK_LABEL (label), clip ? clip : "");

  /* TRANSLATORS: how a screen reader reads a ledger row: date, kind, amount */
  description = g_strdup_printf (_("%s, %s, %s"), date, echoes_credit_kind_describe (item->entry->kind), amount);
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_list_item_get_child (list_item)),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
}

/* ---- packs and Checkout ---- */

static void
checkout_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  EchoesCreditsWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  if (!(url = echoes_credits_client_checkout_finish (ECHOES_CREDITS_CLIENT (object), result, NULL, &error)))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      gtk_widget_set_sensitive (GTK_WIDGET (self->packs_box), TRUE);
      show_error (self, error);
      return;
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->packs_box), TRUE);
  show_error (self, NULL);
  if (self->uri_func != NULL)
    self->uri_func (url, self->uri_data);
  else
    gtk_show_uri (GTK_WINDOW (self), url, GDK_CURRENT_TIME);

  /* Wait for the credits: from the balance known now. */
  self->waiting = TRUE;
  self->balance_before = MAX (self->balance, 0);
  self->poll_ms = self->first_poll_ms;
  self->waiting_since = g_get_monotonic_time ();
  g_clear_handle_id (&self->poll_source, g_source_remove);
  gtk_widget_set_visible (GTK_WIDGET (self->waiting_label), TRUE);
  schedule_poll (self);
}

static char *
dup_setting (EchoesCreditsWindow *self,
             const char          *key)
{
  return self->settings != NULL ? g_settings_get_string (self->settings, key) : NULL;
}

static void
buy (EchoesCreditsWindow *self,
     guint                index)
{
  g_autofree char *success = NULL;
  g_autofree char *cancel = NULL;
  EchoesCreditPack *pack;

  if (self->packs == NULL || index >= self->packs->len)
    return;
  pack = self->packs->pdata[index];
  success = dup_setting (self, "checkout-success-url");
  cancel = dup_setting (self, "checkout-cancel-url");
  gtk_widget_set_sensitive (GTK_WIDGET (self->packs_box), FALSE);
  echoes_credits_client_checkout_async (self->client, pack->id, success, cancel,
                                        self->cancellable, checkout_cb, self);
}

static void
buy_clicked_cb (GtkButton           *button,
                EchoesCreditsWindow *self)
{
  buy (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "echoes-pack")));
}

static void
packs_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  EchoesCreditsWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) packs = NULL;
  GtkWidget *child;

  if (!(packs = echoes_credits_client_list_packs_finish (ECHOES_CREDITS_CLIENT (object), result, &error)))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error);
      return;
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->packs_box))) != NULL)
    gtk_list_box_remove (self->packs_box, child);

  for (guint i = 0; i < packs->len; i++)
    {
      EchoesCreditPack *pack = packs->pdata[i];
      g_autofree char *credits = g_strdup_printf (ngettext ("%d credit", "%d credits", pack->credits),
                                                  pack->credits);
      g_autofree char *upper = g_ascii_strup (pack->currency ? pack->currency : "", -1);
      /* TRANSLATORS: a price: amount and currency code, "9.99 USD" */
      g_autofree char *price = g_strdup_printf (_("%d.%02d %s"), pack->amount_cents / 100,
                                                pack->amount_cents % 100, upper);
      g_autofree char *buy_label = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button;

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), pack->name ? pack->name : credits);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), credits);
      /* TRANSLATORS: the button buying a credit pack, with its price */
      buy_label = g_strdup_printf (_("Buy for %s"), price);
      button = gtk_button_new_with_label (buy_label);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      g_object_set_data (G_OBJECT (button), "echoes-pack", GUINT_TO_POINTER (i));
      g_signal_connect_object (button, "clicked", G_CALLBACK (buy_clicked_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (self->packs_box, row);
    }
  g_clear_pointer (&self->packs, g_ptr_array_unref);
  self->packs = g_steal_pointer (&packs);
}

/* ---- referral ---- */

static void
copy_clicked_cb (EchoesCreditsWindow *self)
{
  if (self->referral_code == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->referral_code);
  show_toast (self, _("Referral code copied"));
}

static void
redeem_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  EchoesCreditsWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  int bonus = 0, balance = 0;

  if (!echoes_credits_client_redeem_finish (ECHOES_CREDITS_CLIENT (object), result, &bonus, &balance, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      gtk_widget_set_sensitive (self->redeem_button, TRUE);
      gtk_label_set_text (self->redeem_label, echoes_credits_error_describe (error));
      gtk_widget_add_css_class (GTK_WIDGET (self->redeem_label), "error");
      gtk_widget_set_visible (GTK_WIDGET (self->redeem_label), TRUE);
      return;
    }

  gtk_widget_set_sensitive (self->redeem_button, TRUE);
  text = g_strdup_printf (ngettext ("Code redeemed: %d credit added.", "Code redeemed: %d credits added.", bonus),
                          bonus);
  gtk_label_set_text (self->redeem_label, text);
  gtk_widget_remove_css_class (GTK_WIDGET (self->redeem_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->redeem_label), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->redeem_entry), "");
  set_balance (self, balance);
  load_ledger (self);
}

static void
redeem (EchoesCreditsWindow *self,
        const char          *code)
{
  g_autofree char *stripped = g_strstrip (g_strdup (code));

  if (*stripped == '\0')
    return;
  gtk_widget_set_sensitive (self->redeem_button, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->redeem_label), FALSE);
  echoes_credits_client_redeem_async (self->client, stripped, self->cancellable, redeem_cb, self);
}

static void
redeem_activated_cb (EchoesCreditsWindow *self)
{
  redeem (self, gtk_editable_get_text (GTK_EDITABLE (self->redeem_entry)));
}

static void
redeem_changed_cb (EchoesCreditsWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->redeem_entry));

  gtk_widget_set_sensitive (self->redeem_button, text != NULL && *text != '\0');
}

/* ---- the class ---- */

static void
echoes_credits_window_dispose (GObject *object)
{
  EchoesCreditsWindow *self = (EchoesCreditsWindow *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->poll_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), ECHOES_TYPE_CREDITS_WINDOW);

  G_OBJECT_CLASS (echoes_credits_window_parent_class)->dispose (object);
}

static void
echoes_credits_window_finalize (GObject *object)
{
  EchoesCreditsWindow *self = (EchoesCreditsWindow *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->auth);
  g_clear_object (&self->ledger);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->packs, g_ptr_array_unref);
  g_free (self->referral_code);
  g_free (self->last_toast);

  G_OBJECT_CLASS (echoes_credits_window_parent_class)->finalize (object);
}

static void
echoes_credits_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  EchoesCreditsWindow *self = ECHOES_CREDITS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_BALANCE:
      g_value_set_int (value, self->balance);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
echoes_credits_window_class_init (EchoesCreditsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = echoes_credits_window_dispose;
  object_class->finalize = echoes_credits_window_finalize;
  object_class->get_property = echoes_credits_window_get_property;

  /**
   * EchoesCreditsWindow:balance:
   *
   * The credits left, as last read from the server; -1 before.
   */
  properties[PROP_BALANCE] =
    g_param_spec_int ("balance", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/echoes/VideoCreator/ui/echoes-credits-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EchoesCreditsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, EchoesCreditsWindow, balance_label);
  gtk_widget_class_bind_template_child (widget_class, EchoesCreditsWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, EchoesCreditsWindow, waiting_label);
  gtk_widget_class_bind_template_child (widget_class, EchoesCreditsWindow, packs_box);
  gtk_widget_class_bind_template_child (widget_class, EchoesCreditsWindow, code_label);
  gtk_widget_class_bind_template_child (widget_class, EchoesCreditsWindow, copy_button);
  gtk_widget_class_bind_template_child (widget_class, EchoesCreditsWindow, redeem_entry);
  gtk_widget_class_bind_template_child (widget_class, EchoesCreditsWindow, redeem_button);
  gtk_widget_class_bind_template_child (widget_class, EchoesCreditsWindow, redeem_label);
  gtk_widget_class_bind_template_child (widget_class, EchoesCreditsWindow, ledger_view);
  gtk_widget_class_bind_template_child (widget_class, EchoesCreditsWindow, ledger_stack);
  gtk_widget_class_bind_template_callback (widget_class, copy_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, redeem_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, redeem_changed_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
echoes_credits_window_init (EchoesCreditsWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->balance = -1;
  self->first_poll_ms = FIRST_POLL_MS;
  self->cancellable = g_cancellable_new ();
  self->ledger = g_list_store_new (ECHOES_TYPE_CREDIT_ITEM);
  self->settings = echoes_settings_new ("checkout-success-url");

  g_signal_connect (factory, "setup", G_CALLBACK (ledger_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (ledger_bind_cb), NULL);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->ledger)));
  gtk_list_view_set_factory (self->ledger_view, factory);
  gtk_list_view_set_model (self->ledger_view, GTK_SELECTION_MODEL (selection));

  g_signal_connect (self, "notify::is-active", G_CALLBACK (is_active_cb), NULL);
}

/**
 * echoes_credits_window_new:
 * @auth: the signed-in session
 *
 * Returns: (transfer full): a new window, loading the balance, packs and ledger
 */
EchoesCreditsWindow *
echoes_credits_window_new (EchoesAuth *auth)
{
  EchoesCreditsWindow *self;

  g_return_val_if_fail (ECHOES_IS_AUTH (auth), NULL);

  self = g_object_new (ECHOES_TYPE_CREDITS_WINDOW, NULL);
  self->auth = g_object_ref (auth);
  self->client = echoes_credits_client_new (auth);
  echoes_credits_window_refresh (self);
  echoes_credits_client_list_packs_async (self->client, self->cancellable, packs_cb, self);
  return self;
}

/**
 * echoes_credits_window_refresh:
 *
 * Reads the balance and the ledger again.
 */
void
echoes_credits_window_refresh (EchoesCreditsWindow *self)
{
  g_return_if_fail (ECHOES_IS_CREDITS_WINDOW (self));

  poll_balance (self);
  load_ledger (self);
}

int
echoes_credits_window_get_balance (EchoesCreditsWindow *self)
{
  g_return_val_if_fail (ECHOES_IS_CREDITS_WINDOW (self), -1);
  return self->balance;
}

/* ---- for tests ---- */

void
_echoes_credits_window_set_uri_func (EchoesCreditsWindow *self,
                                     EchoesAuthUriFunc    func,
                                     gpointer             data)
{
  self->uri_func = func;
  self->uri_data = data;
}

void
_echoes_credits_window_set_first_poll (EchoesCreditsWindow *self,
                                       guint                first_poll_ms)
{
  self->first_poll_ms = first_poll_ms;
}

guint
_echoes_credits_window_get_n_entries (EchoesCreditsWindow *self)
{
  return g_list_model_get_n_items (G_LIST_MODEL (self->ledger));
}

const char *
_echoes_credits_window_get_entry_kind (EchoesCreditsWindow *self,
                                       guint                position)
{
  g_autoptr(EchoesCreditItem) item = g_list_model_get_item (G_LIST_MODEL (self->ledger), position);

  return item ? echoes_credit_kind_describe (item->entry->kind) : NULL;
}

guint
_echoes_credits_window_get_n_packs (EchoesCreditsWindow *self)
{
  return self->packs ? self->packs->len : 0;
}

void
_echoes_credits_window_buy (EchoesCreditsWindow *self,
                            guint                pack)
{
  buy (self, pack);
}

const char *
_echoes_credits_window_get_last_toast (EchoesCreditsWindow *self)
{
  return self->last_toast;
}

const char *
_echoes_credits_window_get_referral_code (EchoesCreditsWindow *self)
{
  return self->referral_code;
}

void
_echoes_credits_window_redeem (EchoesCreditsWindow *self,
                               const char          *code)
{
  gtk_editable_set_text (GTK_EDITABLE (self->redeem_entry), code);
  redeem_activated_cb (self);
}

const char *
_echoes_credits_window_get_redeem_message (EchoesCreditsWindow *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->redeem_label))
         ? gtk_label_get_text (self->redeem_label) : NULL;
}

const char *
_echoes_credits_window_get_error (EchoesCreditsWindow *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->error_label))
         ? gtk_label_get_text (self->error_label) : NULL;
}
