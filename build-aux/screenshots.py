#!/usr/bin/python3
# screenshots.py
#
# Copyright 2026 The Echoes Authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Takes the screenshots of the README and the metainfo from the built app, on generated
# photos made into clips by the local provider, so that anyone gets the same pictures:
#
#   build-aux/screenshots.sh [BUILD_DIR] [OUT_DIR]      (runs this under Xvfb + D-Bus)
#
# Saves projects.png (the project list), window.png (a project's timeline), clip.png (the
# clip window) and export.png (an export under way) in OUT_DIR (data/screenshots).
# The app is driven through AT-SPI, as tests/test-atspi.py does.

import ctypes
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

os.environ.pop('NO_AT_BRIDGE', None)

import pyatspi  # noqa: E402

WIDTH, HEIGHT = 1280, 720          # the main window: 1270 × 710 without its margins
NARROW = 400                       # the project list alone (the leaflet folded)
TIMEOUT = 120.0


def wait_for(what, predicate, timeout=TIMEOUT):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            result = predicate()
        except Exception:
            result = None
        if result:
            return result
        time.sleep(0.1)
    raise SystemExit('timed out waiting for ' + what)


def walk(node, depth=0):
    if node is None or depth > 60:
        return
    yield node
    if node.getRoleName() == 'combo box':
        return
    for i in range(node.childCount):
        yield from walk(node.getChildAtIndex(i), depth + 1)


def on_screen(node):
    if not node.getState().contains(pyatspi.STATE_VISIBLE):
        return False
    try:
        extents = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    except NotImplementedError:
        return True
    return extents.width > 0 and extents.height > 0


def find(root, role, name=None, prefix=None):
    for node in walk(root):
        if node.getRoleName() == role and on_screen(node) and \
                (name is None or node.name == name) and \
                (prefix is None or node.name.startswith(prefix)):
            return node
    return None


def do_action(node, name):
    action = node.queryAction()
    for i in range(action.nActions):
        if action.getName(i) == name:
            action.doAction(i)
            return
    raise SystemExit('%s “%s” has no action %s' % (node.getRoleName(), node.name, name))


def find_app():
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        app = desktop.getChildAtIndex(i)
        if app is not None and app.name == 'echoes' and app.childCount > 0:
            return app
    return None


def frames(app):
    return [app.getChildAtIndex(i) for i in range(app.childCount)]


def shoot(frame, path, settle=1.5):
    """Saves @frame as drawn on the screen: with no window manager, windows sit at 0,0."""
    time.sleep(settle)
    extents = frame.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    subprocess.run(['import', '-window', 'root', '-crop',
                    '%dx%d+0+0' % (extents.width, extents.height), '+repage', path], check=True)
    print('%s: %dx%d' % (path, extents.width, extents.height), flush=True)


def make_photo(path, sky, sea, sun):
    """A landscape of shapes and colours: sky, sea, a sun and a sail."""
    subprocess.run(['convert', '-size', '1600x1067', 'gradient:%s-%s' % (sky, sea),
                    '-fill', sun, '-draw', 'circle 1150,330 1150,470',
                    '-fill', '#ffffff', '-draw', 'polygon 420,760 560,420 560,760',
                    '-fill', '#3d3846', '-draw', 'polygon 360,780 620,780 580,830 400,830',
                    '-quality', '90', path], check=True)


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else 'build')
    out = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else 'data/screenshots')
    echoes = os.path.join(build, 'src', 'echoes')
    cli = os.path.join(build, 'src', 'echoes-cli')

    # Xvfb resets when its last client leaves: stay connected.
    x11 = ctypes.CDLL('libX11.so.6')
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    if not x11.XOpenDisplay(None):
        raise SystemExit('no display: run build-aux/screenshots.sh')

    tmp = tempfile.mkdtemp(prefix='echoes-screenshots-')
    env = dict(os.environ)
    env.update({
        'HOME': tmp,
        'XDG_DATA_HOME': os.path.join(tmp, 'data'),
        'XDG_CACHE_HOME': os.path.join(tmp, 'cache'),
        'XDG_CONFIG_HOME': os.path.join(tmp, 'config'),
        'GSETTINGS_SCHEMA_DIR': os.path.join(build, 'data'),
        'GSETTINGS_BACKEND': 'keyfile',
        'LANGUAGE': 'en',
    })
    os.environ.update(env)

    def run_cli(*args):
        result = subprocess.run([cli, '--json'] + list(args), env=env, check=True,
                                capture_output=True, text=True).stdout
        return json.loads(result) if result.strip() else None

    def set_size(width, height):
        for key, value in (('window-width', width), ('window-height', height)):
            subprocess.run(['gsettings', 'set', 'io.github.echoes.VideoCreator', key, str(value)],
                           env=env, check=True)

    os.makedirs(out, exist_ok=True)
    photos = []
    for name, sky, sea, sun in (('harbour.jpg', '#99c1f1', '#1a5fb4', '#f6d32d'),
                                ('sunset.jpg', '#ffbe6f', '#813d9c', '#e66100'),
                                ('lagoon.jpg', '#8ff0a4', '#26a269', '#f9f06b'),
                                ('night.jpg', '#241f31', '#1c71d8', '#deddda')):
        photos.append(os.path.join(tmp, name))
        make_photo(photos[-1], sky, sea, sun)

    run_cli('projects', 'create', 'Birthday Party')
    run_cli('projects', 'create', 'Grandma’s Garden')
    run_cli('projects', 'create', 'Summer by the Sea')
    for photo in photos:   # one at a time: in this order
        run_cli('clips', 'add', 'Summer by the Sea', photo)
    run_cli('projects', 'generate', 'Summer by the Sea')
    clips = run_cli('clips', 'list', 'Summer by the Sea')
    for clip in clips[:3]:
        run_cli('clips', 'approve', clip['id'])

    def start_app(width, height):
        set_size(width, height)
        process = subprocess.Popen([echoes], env=env)
        try:
            app = wait_for('the app', find_app, 30)
        except SystemExit:
            desktop = pyatspi.Registry.getDesktop(0)
            print([(desktop.getChildAtIndex(i).name, desktop.getChildAtIndex(i).childCount)
                   for i in range(desktop.childCount)], process.poll())
            raise
        window = wait_for('the window', lambda: find(app, 'frame', 'Echoes'))
        return process, app, window

    def stop_app(process):
        process.terminate()
        process.wait(timeout=30)

    try:
        # The project list alone: a narrow window folds it over the timeline.
        process, app, window = start_app(NARROW, HEIGHT)
        wait_for('the projects', lambda: find(window, 'list', 'Projects'))
        back = wait_for('Back to Projects', lambda: find(window, 'push button', 'Back to Projects'))
        do_action(back, 'click')
        wait_for('the project list', lambda: find(window, 'push button', 'Search Projects'))
        shoot(window, os.path.join(out, 'projects.png'))
        stop_app(process)

        # The timeline: the clips' first frames, three approved
        process, app, window = start_app(WIDTH, HEIGHT)
        wait_for('the last card', lambda: find(window, 'panel', prefix='Photo 4, '))
        shoot(window, os.path.join(out, 'window.png'), settle=4)

        # The clip window, playing the first clip
        card = find(window, 'panel', prefix='Photo 1, ')
        n = len(frames(app))
        do_action(card, 'card.play')
        clip_window = wait_for('the clip window', lambda: len(frames(app)) > n and frames(app)[-1])
        wait_for('the player', lambda: find(clip_window, 'push button', 'Pause') or
                 find(clip_window, 'push button', 'Play'))
        shoot(clip_window, os.path.join(out, 'clip.png'), settle=3)
        do_action(find(clip_window, 'push button', 'Close'), 'click')
        wait_for('the clip window to close', lambda: len(frames(app)) == n)

        # Export: the dialog, the file chooser, then the progress under the timeline
        do_action(find(window, 'push button', 'Export…') or
                  find(window, 'push button', 'Export the Film'), 'click')
        dialog = wait_for('the Export dialog', lambda: len(frames(app)) > n and frames(app)[-1])
        do_action(wait_for('Export…', lambda: find(dialog, 'push button', 'Export…')), 'click')
        def file_name_entry():
            # GTK's own file chooser: the text field holding the suggested name
            for frame in frames(app):
                for node in walk(frame):
                    if node.getRoleName() == 'text':
                        text = node.queryText()
                        if text.getText(0, text.characterCount).endswith('.mp4'):
                            return frame, node
            return None

        chooser, name = wait_for('the file chooser', file_name_entry, 60)
        name.queryEditableText().setTextContents(os.path.join(tmp, 'Summer by the Sea.mp4'))
        save = [node for node in walk(chooser) if node.getRoleName() == 'push button' and
                node.name in ('Export', '_Export Export')][0]
        do_action(save, 'click')
        wait_for('the export progress', lambda: find(window, 'progress bar', prefix='Exporting'))
        shoot(window, os.path.join(out, 'export.png'), settle=2)
        stop_app(process)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
