#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks the layering of src/ (the order is documented in src/meson.build): every
# `#include "…"` of a file in a layer must name a header of the same layer or of a lower
# one, GTK and libadwaita only appear in the UI, and the test-hook headers are included
# by no shipping file but the one allowed to. The build enforces the same through each
# layer's include directories; this also catches a header dropped into the wrong folder.
#
# Usage: check-layers.py SRCDIR   (prints TAP; exits 1 on a violation)

import os
import re
import sys

# Each layer and the layers directly below it; a layer may include its own headers and
# those of every layer below it, directly or not. Keep in step with src/meson.build.
# The planned layer would be: 'sync': ['store', 'cloud'], with 'orchestration':
# ['providers', 'sync'].
BELOW = {
    'core': [],
    'store': ['core'],
    'media': ['store'],
    'cloud': ['core'],
    'providers': ['media', 'cloud'],
    'orchestration': ['providers'],
    'ui': ['orchestration'],
}
DIRS = {
    'core': 'core',
    'store': 'store',
    'media': 'media',
    'cloud': 'cloud',
    'providers': 'providers',
    'orchestration': '.',
    'ui': 'ui',
}
# Headers meson generates (mkenums), by layer.
GENERATED = {
    'echoes-enums.h': 'core',
    'echoes-media-enums.h': 'media',
    'echoes-cloud-defaults.h': 'cloud',
    'echoes-resources.h': 'ui',
}
# Test and benchmark hooks: header -> the shipping files that may include it (the one
# that defines or calls the hooks). Tests and benchmarks may include them freely.
HOOK_HEADERS = {
    'echoes-bench-hooks.h': {'media/echoes-bench-hooks.c', 'media/echoes-ken-burns.c'},
    'echoes-store-test-hooks.h': {'store/echoes-store.c'},
}
NON_GTK = set(BELOW) - {'ui'}
# The two main()s sit on top of everything.
TOPS = {'main.c', 'cli.c'}

INCLUDE = re.compile(r'^\s*#\s*include\s+([<"])([^>"]+)[>"]')


def allowed(layer):
    """The layers @layer may include: itself and everything below it."""
    result = {layer}
    for lower in BELOW[layer]:
        result |= allowed(lower)
    return result


def main():
    srcdir = sys.argv[1]
    header_layer = dict(GENERATED)
    files = []
    for layer, sub in DIRS.items():
        d = os.path.normpath(os.path.join(srcdir, sub))
        for name in sorted(os.listdir(d)):
            if not name.endswith(('.c', '.h')) or name in TOPS:
                continue
            if name.endswith('.h'):
                header_layer[name] = layer
            files.append((layer, os.path.relpath(os.path.join(d, name), srcdir)))

    failures = []
    for layer, rel in files:
        ok_layers = allowed(layer)
        with open(os.path.join(srcdir, rel), encoding='utf-8') as f:
            for lineno, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                kind, name = m.groups()
                where = f'src/{rel}:{lineno}'
                if kind == '<':
                    if layer in NON_GTK and (name.startswith('gtk/') or name.startswith('gdk/')
                                             or name == 'adwaita.h'):
                        failures.append(f'{where}: {layer} includes <{name}>')
                    continue
                if name == 'config.h':
                    continue
                target = header_layer.get(name)
                if target is None:
                    failures.append(f'{where}: "{name}" is no header of src/')
                elif target not in ok_layers:
                    failures.append(f'{where}: {layer} includes "{name}" of {target}')
                if name in HOOK_HEADERS and rel not in HOOK_HEADERS[name]:
                    failures.append(f'{where}: shipping code includes the hook header "{name}"')

    print('1..1')
    for failure in failures:
        print('# ' + failure)
    print(('not ok' if failures else 'ok') + f' 1 - {len(files)} files of {len(BELOW)} layers')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
