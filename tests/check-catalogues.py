#!/usr/bin/env python3
# check-catalogues.py
#
# Copyright 2026 The Echoes Authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Every language in po/LINGUAS has a catalogue that msgfmt accepts with its format
# checks, is complete (no untranslated or fuzzy message) and states the plural rule of
# its language.
#
# Usage: check-catalogues.py PO_DIR

import os
import re
import subprocess
import sys

PLURAL_FORMS = {
    'de': 'nplurals=2; plural=(n != 1);',
    'fr': 'nplurals=2; plural=(n > 1);',
}


def main():
    po_dir = sys.argv[1]
    with open(os.path.join(po_dir, 'LINGUAS'), encoding='utf-8') as f:
        languages = [w for line in f for w in line.split('#')[0].split()]

    status = 0
    if not languages:
        print('not ok: po/LINGUAS lists no language')
        return 1

    for lang in languages:
        path = os.path.join(po_dir, lang + '.po')
        result = subprocess.run(['msgfmt', '--check', '--statistics', '-o', os.devnull, path],
                                capture_output=True, text=True)
        report = (result.stdout + result.stderr).strip()
        if result.returncode != 0:
            print('not ok: %s: %s' % (path, report))
            status = 1
            continue
        if 'untranslated' in report or 'fuzzy' in report:
            print('not ok: %s is incomplete: %s' % (path, report))
            status = 1
            continue
        with open(path, encoding='utf-8') as f:
            text = f.read()
        match = re.search(r'"Plural-Forms: ([^"\\]*)\\n"', text)
        expected = PLURAL_FORMS.get(lang)
        if match is None or (expected and match.group(1).strip() != expected):
            print('not ok: %s: Plural-Forms should be "%s"' % (path, expected))
            status = 1
            continue
        print('ok: %s: %s' % (path, report))
    return status


if __name__ == '__main__':
    sys.exit(main())
