#!/usr/bin/env python3
# check-flatpak-manifest.py
#
# Copyright 2026 The Echoes Authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks flatpak/io.github.echoes.VideoCreator.json without downloading anything: it
# parses (with flatpak-builder --show-manifest when that is installed), names the app
# id, a GNOME runtime whose libraries meet meson.build's minimums, GStreamer modules at
# the runtime's GStreamer version, every source pinned by a checksum, and permissions no
# wider than the app needs.
#
# Usage: check-flatpak-manifest.py MANIFEST MESON_BUILD APP_ID

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

# What each GNOME runtime ships (its freedesktop SDK base for GStreamer).
RUNTIMES = {
    '43': {'glib-2.0': '2.74', 'gtk4': '4.8', 'libadwaita-1': '1.2', 'gstreamer-1.0': '1.20'},
    '44': {'glib-2.0': '2.76', 'gtk4': '4.10', 'libadwaita-1': '1.3', 'gstreamer-1.0': '1.20'},
    '45': {'glib-2.0': '2.78', 'gtk4': '4.12', 'libadwaita-1': '1.4', 'gstreamer-1.0': '1.22'},
    '46': {'glib-2.0': '2.80', 'gtk4': '4.14', 'libadwaita-1': '1.5', 'gstreamer-1.0': '1.22'},
    '47': {'glib-2.0': '2.82', 'gtk4': '4.16', 'libadwaita-1': '1.6', 'gstreamer-1.0': '1.24'},
    '48': {'glib-2.0': '2.84', 'gtk4': '4.18', 'libadwaita-1': '1.7', 'gstreamer-1.0': '1.24'},
    '49': {'glib-2.0': '2.86', 'gtk4': '4.20', 'libadwaita-1': '1.8', 'gstreamer-1.0': '1.26'},
    '50': {'glib-2.0': '2.88', 'gtk4': '4.22', 'libadwaita-1': '1.9', 'gstreamer-1.0': '1.26'},
}

# Modules built from GStreamer's release tarballs: they must match the runtime's minor.
GSTREAMER_MODULES = ('gst-editing-services', 'gst-plugins-ugly')

ALLOWED_FINISH_ARGS = {
    '--share=ipc', '--share=network', '--socket=wayland', '--socket=fallback-x11',
    '--socket=pulseaudio', '--device=dri',
}

CHECKSUMS = ('sha256', 'sha512')

failures = []


def fail(message):
    failures.append(message)
    print('not ok: ' + message)


def version_tuple(text):
    return tuple(int(part) for part in text.split('.'))


def meson_minimums(path):
    """dependency('name', version: '>= X.Y') lines of meson.build."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    found = {}
    for name, version in re.findall(
            r"dependency\('([^']+)',\s*version:\s*'>=\s*([0-9.]+)'", text):
        found[name] = version
    return found


def load(path):
    flatpak_builder = shutil.which('flatpak-builder')
    if flatpak_builder:
        # It resolves included module files and rejects unknown keys: the real parser.
        # It keeps a state folder (.flatpak-builder) in its working directory.
        with tempfile.TemporaryDirectory() as state:
            out = subprocess.run([flatpak_builder, '--show-manifest', os.path.abspath(path)],
                                 check=True, capture_output=True, text=True, cwd=state).stdout
        print('# parsed with flatpak-builder --show-manifest')
        return json.loads(out)
    print('# flatpak-builder is not installed: parsed as JSON')
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def walk_modules(modules):
    for module in modules:
        if isinstance(module, str):
            fail('module file %s is not checked: keep modules inline' % module)
            continue
        yield module
        yield from walk_modules(module.get('modules', []))


def main():
    manifest_path, meson_path, app_id = sys.argv[1:4]
    manifest = load(manifest_path)

    if manifest.get('id', manifest.get('app-id')) != app_id:
        fail('the manifest id is not %s' % app_id)
    if manifest.get('command') != 'echoes':
        fail('the command is not echoes')
    if manifest.get('runtime') != 'org.gnome.Platform' or manifest.get('sdk') != 'org.gnome.Sdk':
        fail('the runtime is not org.gnome.Platform with org.gnome.Sdk')

    runtime = RUNTIMES.get(str(manifest.get('runtime-version')))
    if runtime is None:
        fail('unknown runtime version %s' % manifest.get('runtime-version'))
        runtime = {}
    for name, minimum in meson_minimums(meson_path).items():
        if name in runtime and version_tuple(runtime[name]) < version_tuple(minimum):
            fail('the runtime has %s %s; meson.build needs %s' % (name, runtime[name], minimum))
    print('# runtime %s: %s' % (manifest.get('runtime-version'), runtime))

    finish_args = set(manifest.get('finish-args', []))
    for arg in sorted(finish_args - ALLOWED_FINISH_ARGS):
        fail('finish-arg %s is wider than needed' % arg)
    for arg in ('--socket=wayland', '--socket=fallback-x11', '--device=dri',
                '--socket=pulseaudio', '--share=network'):
        if arg not in finish_args:
            fail('finish-arg %s is missing' % arg)

    names = set()
    for module in walk_modules(manifest.get('modules', [])):
        name = module.get('name', '?')
        names.add(name)
        sources = module.get('sources', [])
        if not sources:
            fail('module %s has no sources' % name)
        for source in sources:
            kind = source.get('type')
            if kind == 'dir' and name == 'echoes':
                continue  # the app itself, from this checkout
            if kind in ('archive', 'file'):
                if not any(re.fullmatch(r'[0-9a-f]{64,128}', source.get(c, ''))
                           for c in CHECKSUMS):
                    fail('source %s of %s has no checksum' % (source.get('url'), name))
                if not source.get('url', '').startswith('https://'):
                    fail('source of %s is not fetched over https' % name)
            elif kind == 'git':
                if not re.fullmatch(r'[0-9a-f]{40}', source.get('commit', '')):
                    fail('git source of %s is not pinned to a commit' % name)
            elif kind in ('patch', 'script', 'shell'):
                continue
            else:
                fail('source type %s of %s cannot be pinned' % (kind, name))

        if name in GSTREAMER_MODULES:
            urls = [s.get('url', '') for s in sources]
            match = [re.search(r'-(\d+\.\d+)\.\d+\.tar', u) for u in urls]
            versions = {m.group(1) for m in match if m}
            if versions != {runtime.get('gstreamer-1.0')}:
                fail('%s %s does not match the runtime\'s GStreamer %s'
                     % (name, versions, runtime.get('gstreamer-1.0')))

    for needed in ('gst-editing-services', 'x264', 'gst-plugins-ugly', 'gexiv2', 'echoes'):
        if needed not in names:
            fail('no %s module' % needed)
    if 'opencv' in names:
        fail('OpenCV is bundled, but face detection is optional')

    if failures:
        return 1
    print('ok: %s' % manifest_path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
