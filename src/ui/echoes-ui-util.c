/* echoes-ui-util.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-ui"

#include "config.h"

#include "echoes-ui-util.h"

/**
 * echoes_ui_fix_button_names:
 * @widget: a widget tree, once built
 *
 * GTK 4.8 names a button with a mnemonic label after both its raw label and the label
 * it shows ("_Export… Export…"), and a screen reader reads both. This drops the raw
 * label of each such button in @widget's tree, so that the name is the text shown.
 */
void
echoes_ui_fix_button_names (GtkWidget *widget)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));

  if (GTK_IS_BUTTON (widget) &&
      gtk_button_get_use_underline (GTK_BUTTON (widget)) &&
      gtk_button_get_label (GTK_BUTTON (widget)) != NULL &&
      GTK_IS_LABEL (gtk_button_get_child (GTK_BUTTON (widget))))
    gtk_accessible_reset_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    echoes_ui_fix_button_names (child);
}
