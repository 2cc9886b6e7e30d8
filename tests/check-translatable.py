#!/usr/bin/env python3
# check-translatable.py
#
# Copyright 2026 The Echoes Authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Finds user-visible strings that are not marked for translation: text properties in
# the .ui files without translatable="yes", and string literals handed to the GTK and
# libadwaita calls that show text without _() / N_() / C_() / ngettext() around them.
# Also checks that every file with marked strings is listed in po/POTFILES.in.
#
# Usage: check-translatable.py SOURCE_ROOT
#        check-translatable.py --self-test

import os
import re
import sys
import xml.etree.ElementTree as ET

UI_TEXT_PROPERTIES = {
    'label', 'title', 'subtitle', 'tooltip-text', 'tooltip-markup', 'placeholder-text',
    'description', 'text', 'secondary-text', 'heading', 'body', 'button-label',
    'accessible-name', 'accessible-description',
}

# Calls whose string arguments are shown to the user.
C_TEXT_CALLS = (
    'gtk_label_new', 'gtk_label_set_label', 'gtk_label_set_text', 'gtk_label_set_markup',
    'gtk_label_new_with_mnemonic', 'gtk_button_new_with_label', 'gtk_button_new_with_mnemonic',
    'gtk_button_set_label', 'gtk_check_button_new_with_label', 'gtk_window_set_title',
    'gtk_widget_set_tooltip_text', 'gtk_widget_set_tooltip_markup', 'gtk_file_chooser_native_new',
    'gtk_file_filter_set_name', 'gtk_entry_set_placeholder_text', 'gtk_progress_bar_set_text',
    'adw_toast_new', 'adw_toast_set_title', 'adw_toast_set_button_label', 'adw_window_title_new',
    'adw_window_title_set_title', 'adw_window_title_set_subtitle', 'adw_status_page_set_title',
    'adw_status_page_set_description', 'adw_preferences_row_set_title',
    'adw_preferences_group_set_title', 'adw_preferences_group_set_description',
    'adw_action_row_set_subtitle', 'adw_expander_row_set_subtitle', 'adw_message_dialog_new',
    'adw_message_dialog_add_response', 'adw_message_dialog_set_heading',
    'adw_message_dialog_set_body', 'adw_message_dialog_format_body', 'adw_combo_row_set_model',
    'g_notification_new', 'g_notification_set_body', 'g_notification_add_button',
    'gtk_accessible_update_property',
)

CALL_RE = re.compile(r'\b(' + '|'.join(C_TEXT_CALLS) + r')\s*\(')
STRING_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')
MARKERS = ('_', 'N_', 'C_', 'NC_', 'ngettext', 'g_dngettext', 'gettext', 'g_dgettext')


def call_arguments(text, start):
    """The text between the call's parentheses (start is just after the '(')."""
    depth = 1
    i = start
    in_string = False
    while i < len(text) and depth > 0:
        c = text[i]
        if in_string:
            if c == '\\':
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c == '(':
            depth += 1
        elif c == ')':
            depth -= 1
        i += 1
    return text[start:i - 1]


def marked(args, literal_start):
    """Whether the literal at literal_start in args is inside a gettext marker call."""
    before = args[:literal_start].rstrip()
    # Adjacent literals ("a" "b") belong to the same marker.
    while before.endswith('"'):
        m = re.search(r'"(?:[^"\\]|\\.)*"\s*$', before)
        if not m:
            break
        before = before[:m.start()].rstrip()
    if not before.endswith('('):
        # A later argument of a marker call (ngettext's plural, C_'s message).
        before = before.rstrip(',').rstrip()
        depth = 0
        for i in range(len(before) - 1, -1, -1):
            if before[i] == ')':
                depth += 1
            elif before[i] == '(':
                if depth == 0:
                    return re.search(r'\b(' + '|'.join(MARKERS) + r')\s*$', before[:i]) is not None
                depth -= 1
        return False
    return re.search(r'\b(' + '|'.join(MARKERS) + r')\s*\($', before) is not None


def looks_like_text(literal):
    # Words: at least two letters in a row. Format strings, icon names and ids are not
    # checked: they never show as they are.
    if not re.search(r'[A-Za-z]{2}', literal):
        return False
    if re.fullmatch(r'[a-z0-9-]+-symbolic|[a-z0-9._/:-]+', literal):
        return False
    return True


def scan_c(path, text):
    problems = []
    # Comments out.
    text = re.sub(r'/\*.*?\*/', lambda m: ' ' * len(m.group(0)), text, flags=re.S)
    for call in CALL_RE.finditer(text):
        args = call_arguments(text, call.end())
        for literal in STRING_RE.finditer(args):
            if looks_like_text(literal.group(1)) and not marked(args, literal.start()):
                line = text.count('\n', 0, call.start()) + 1
                problems.append('%s:%d: %s ("%s") is not marked for translation'
                                % (path, line, call.group(1), literal.group(1)))
    return problems


def scan_ui(path, text):
    problems = []
    root = ET.fromstring(text)
    for element in root.iter():
        if element.tag not in ('property', 'attribute'):
            continue
        name = element.get('name')
        value = (element.text or '').strip()
        if name not in UI_TEXT_PROPERTIES or not value:
            continue
        if element.tag == 'attribute' and name != 'label':
            continue
        if element.get('translatable') in ('yes', 'true', '1'):
            continue
        if not looks_like_text(value):
            continue
        problems.append('%s: <%s name="%s">%s</%s> is not translatable'
                        % (path, element.tag, name, value, element.tag))
    return problems


def has_marked_strings(path, text):
    if path.endswith('.ui'):
        return 'translatable="yes"' in text
    if path.endswith('.c'):
        return re.search(r'\b(_|N_|C_|ngettext)\s*\(\s*"', text) is not None
    return False


def self_test():
    bad_c = 'void f (void) {\n  gtk_label_set_label (l, "Hello there");\n' \
            '  adw_toast_new (_("Saved"));\n  x = ngettext ("%u clip", "%u clips", n);\n' \
            '  gtk_window_set_title (w, C_("title", "Film"));\n' \
            '  gtk_button_set_label (b, "Not marked either");\n  g_debug ("Fine here");\n}\n'
    bad_ui = '<interface><object class="GtkLabel"><property name="label">Visible</property>' \
             '<property name="label" translatable="yes">Marked</property>' \
             '<property name="icon-name">go-next-symbolic</property></object>' \
             '<menu><item><attribute name="label">_Quit</attribute></item></menu></interface>'
    c_problems = scan_c('bad.c', bad_c)
    ui_problems = scan_ui('bad.ui', bad_ui)
    assert len(c_problems) == 2, c_problems
    assert 'Hello there' in c_problems[0] and 'Not marked either' in c_problems[1], c_problems
    assert len(ui_problems) == 2, ui_problems
    assert 'Visible' in ui_problems[0] and '_Quit' in ui_problems[1], ui_problems
    print('ok: the scanner finds unmarked strings')
    return 0


def main():
    if sys.argv[1] == '--self-test':
        return self_test()

    root = sys.argv[1]
    with open(os.path.join(root, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        listed = {line.strip() for line in f if line.strip() and not line.startswith('#')}

    problems = []
    for top in ('src', 'data'):
        for directory, _dirs, files in os.walk(os.path.join(root, top)):
            for name in sorted(files):
                path = os.path.join(directory, name)
                relative = os.path.relpath(path, root)
                if not name.endswith(('.c', '.ui')):
                    continue
                with open(path, encoding='utf-8') as f:
                    text = f.read()
                if name.endswith('.c'):
                    problems += scan_c(relative, text)
                else:
                    problems += scan_ui(relative, text)
                if has_marked_strings(relative, text) and relative not in listed:
                    problems.append('%s has translatable strings but is not in po/POTFILES.in'
                                    % relative)

    for problem in problems:
        print('not ok: ' + problem)
    if problems:
        return 1
    print('ok: every string found is marked and listed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
