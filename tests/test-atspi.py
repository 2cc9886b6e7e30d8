#!/usr/bin/python3
# test-atspi.py
#
# Copyright 2026 The Echoes Authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Drives the built app as a screen reader user would, through AT-SPI: every control
# shown has a name, and New Project, Add Photos, Play, Export and Approve are found by
# their role and name and do what they say.
#
# Usage: test-atspi.py ECHOES ECHOES_CLI   (needs a display; starts its own D-Bus session
# bus when there is none, for the accessibility bus)

import ctypes
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

if 'DBUS_SESSION_BUS_ADDRESS' not in os.environ and 'ECHOES_ATSPI_REEXEC' not in os.environ:
    os.environ['ECHOES_ATSPI_REEXEC'] = '1'
    os.execvp('dbus-run-session', ['dbus-run-session', '--', sys.executable] + sys.argv)

# The test environment turns the accessibility bridge off for the C tests.
os.environ.pop('NO_AT_BRIDGE', None)

import gi  # noqa: E402
gi.require_version('GdkPixbuf', '2.0')
from gi.repository import GdkPixbuf  # noqa: E402
import pyatspi  # noqa: E402

TIMEOUT = 60.0
# Roles a user acts on: each must have a name.
CONTROL_ROLES = {'push button', 'toggle button', 'check box', 'radio button', 'combo box',
                 'entry', 'password text', 'slider', 'spin button', 'menu item', 'link',
                 'switch'}
failures = []
current_app = None


def log(message):
    print('# ' + message, flush=True)


def fail(message):
    print('not ok - ' + message, flush=True)
    failures.append(message)


def wait_for(what, predicate, timeout=TIMEOUT):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            result = predicate()
        except Exception:  # an object gone from the tree while walking it
            result = None
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError('timed out waiting for ' + what)


def dump(root):
    for node in walk(root):
        if showing(node):
            log('[%s] %s' % (node.getRoleName(), node.name))


def walk(node, depth=0):
    """Nodes under @node, depth first, skipping the internals of combo boxes."""
    if node is None or depth > 60:
        return
    yield node
    if node.getRoleName() == 'combo box':
        return
    for i in range(node.childCount):
        yield from walk(node.getChildAtIndex(i), depth + 1)


def showing(node):
    # GTK 4.8 tells whether a widget is visible, not whether it is mapped (SHOWING).
    return node.getState().contains(pyatspi.STATE_VISIBLE)


def on_screen(node):
    """Visible and given room: the visible pages of a stack have never been allocated."""
    if not showing(node):
        return False
    try:
        extents = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    except NotImplementedError:
        return True
    return extents.width > 0 and extents.height > 0


def find(root, role, name):
    for node in walk(root):
        if node.getRoleName() == role and node.name == name and on_screen(node):
            return node
    return None


def find_prefix(root, role, prefix, suffix):
    for node in walk(root):
        if (node.getRoleName() == role and node.name.startswith(prefix) and
                node.name.endswith(suffix) and on_screen(node)):
            return node
    return None


def find_app():
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        app = desktop.getChildAtIndex(i)
        if app is not None and app.name == 'echoes' and app.childCount > 0:
            return app
    return None


def x_toplevels():
    """The X server's top-level windows that have a name (GTK names its windows)."""
    out = subprocess.run(['xwininfo', '-root', '-children'], capture_output=True, text=True,
                         check=True).stdout
    return [line for line in out.splitlines() if line.strip().startswith('0x') and
            '(has no name)' not in line]


def frames(app):
    return [app.getChildAtIndex(i) for i in range(app.childCount)]


def click(node):
    action = node.queryAction()
    for i in range(action.nActions):
        if action.getName(i) == 'click':
            action.doAction(i)
            return
    raise AssertionError('%s “%s” has no click action' % (node.getRoleName(), node.name))


def unnamed_controls(root):
    bad = []
    for node in walk(root):
        if node.getRoleName() not in CONTROL_ROLES or not showing(node):
            continue
        name = node.name or ''
        # GTK gives the widget's type name when there is no name; a "_" is a raw mnemonic.
        if not name.strip() or name.startswith(('Gtk', 'Adw')) or '_' in name:
            bad.append('%s “%s” (%s)' % (node.getRoleName(), name, node.description))
    return bad


def make_photo(path, rgb, shape_rgb):
    pixbuf = GdkPixbuf.Pixbuf.new(GdkPixbuf.Colorspace.RGB, False, 8, 480, 320)
    pixbuf.fill(rgb << 8 | 0xff)
    pixbuf.new_subpixbuf(160, 80, 160, 160).fill(shape_rgb << 8 | 0xff)
    pixbuf.savev(path, 'jpeg', ['quality'], ['90'])


def main():
    echoes, cli = sys.argv[1], sys.argv[2]
    if not os.environ.get('DISPLAY') and not os.environ.get('WAYLAND_DISPLAY'):
        print('Bail out! no display: run under xvfb-run')
        return 1

    # Xvfb resets when its last client leaves, and refuses connections while it does:
    # stay connected so that the app does not start during a reset (the CLI's GStreamer
    # may connect and leave just before).
    x11 = ctypes.CDLL('libX11.so.6')
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    if os.environ.get('DISPLAY') and not x11.XOpenDisplay(None):
        print('Bail out! cannot open the display %s' % os.environ['DISPLAY'])
        return 1

    tmp = tempfile.mkdtemp(prefix='echoes-atspi-')
    env = dict(os.environ)
    env.update({
        'HOME': tmp,
        'XDG_DATA_HOME': os.path.join(tmp, 'data'),
        'XDG_CACHE_HOME': os.path.join(tmp, 'cache'),
        'XDG_CONFIG_HOME': os.path.join(tmp, 'config'),
        'GSETTINGS_BACKEND': 'memory',
        'GTK_A11Y': 'atspi',
    })
    env.pop('NO_AT_BRIDGE', None)
    os.environ.update(env)

    def run_cli(*args):
        out = subprocess.run([cli, '--json'] + list(args), env=env, check=True,
                             capture_output=True, text=True).stdout
        return json.loads(out) if out.strip() else None

    # A project with two generated clips: Play, Export and Approve are enabled.
    photos = []
    for name, rgb, shape in (('sea.jpg', 0x1c71d8, 0xf6d32d), ('forest.jpg', 0x26a269, 0xe01b24)):
        photos.append(os.path.join(tmp, name))
        make_photo(photos[-1], rgb, shape)
    run_cli('projects', 'create', 'Summer')
    run_cli('clips', 'add', 'Summer', *photos)
    run_cli('projects', 'generate', 'Summer')
    clips = run_cli('clips', 'list', 'Summer')
    assert [c['status'] for c in clips] == ['ready', 'ready'], clips

    app_process = subprocess.Popen([echoes], env=env)
    try:
        global current_app
        app = current_app = wait_for('the app on the accessibility bus', find_app)
        window = wait_for('the main window', lambda: find(app, 'frame', 'Echoes'))
        # A card's name says its order, photo and status.
        card = wait_for('the card of sea.jpg', lambda: find_prefix(window, 'panel', 'Photo ', ', sea.jpg, Ready'))
        card_name = card.name
        log('found the window and the card “%s”' % card_name)

        bad = unnamed_controls(window)
        for b in bad:
            fail('control without an accessible name: ' + b)
        if not bad:
            print('ok - every control shown has a name', flush=True)

        # Approve, on the first clip's card
        approve = find(card, 'toggle button', 'Approve') or find(card, 'push button', 'Approve')
        if approve is None:
            fail('no “Approve” button on the card')
        else:
            click(approve)
            wait_for('the clip approved in the library',
                     lambda: [c['approved'] for c in run_cli('clips', 'list', 'Summer')
                              if c['source_name'] == 'sea.jpg'] == [True])
            wait_for('the card to say it is approved',
                     lambda: find(window, 'panel', card_name + ', approved'))
            print('ok - Approve approves the clip', flush=True)

        # Play: the film window
        play = find(window, 'push button', 'Play') or find(window, 'push button', 'Play the Film')
        if play is None:
            fail('no “Play” button')
        else:
            n = len(frames(app))
            click(play)
            player = wait_for('the film window', lambda: len(frames(app)) > n and frames(app)[-1])
            wait_for('the player’s Play button', lambda: find(player, 'push button', 'Play') or
                     find(player, 'push button', 'Pause'))
            for b in unnamed_controls(player):
                fail('control without an accessible name in the film window: ' + b)
            close = wait_for('the film window’s Close', lambda: find(player, 'push button', 'Close'))
            # GTK 4.8 can crash answering AT-SPI about a window it is destroying, so the
            # closing is watched on the X server: the film window's X window goes away.
            before = x_toplevels()
            click(close)
            wait_for('the film window to close', lambda: len(x_toplevels()) < len(before))
            wait_for('the film window to leave the tree', lambda: len(frames(app)) == n)
            print('ok - Play opens the film', flush=True)

        # Export: the Export dialog, cancelled
        export = find(window, 'push button', 'Export…') or find(window, 'push button', 'Export the Film')
        if export is None:
            fail('no “Export” button')
        else:
            n = len(frames(app))
            click(export)
            dialog = wait_for('the Export dialog', lambda: len(frames(app)) > n and frames(app)[-1])
            wait_for('the dialog’s heading', lambda: find(dialog, 'label', 'Export Film'))
            for b in unnamed_controls(dialog):
                fail('control without an accessible name in the Export dialog: ' + b)
            click(wait_for('Cancel', lambda: find(dialog, 'push button', 'Cancel')))
            wait_for('the Export dialog to close', lambda: len(frames(app)) == n)
            print('ok - Export opens the Export dialog', flush=True)

        # Add Photos: the file chooser, cancelled
        add = find(window, 'push button', 'Add Photos')
        if add is None:
            fail('no “Add Photos” button')
        else:
            n = len(frames(app))
            click(add)
            chooser = wait_for('the file chooser', lambda: len(frames(app)) > n and frames(app)[-1])
            if chooser.name != 'Add Photos':
                fail('the file chooser is called “%s”' % chooser.name)
            # GTK 4.8's own file chooser names its buttons “_Cancel Cancel” (see
            # echoes_ui_fix_button_names()).
            click(wait_for('Cancel', lambda: find(chooser, 'push button', 'Cancel') or
                           find(chooser, 'push button', '_Cancel Cancel')))
            wait_for('the file chooser to close', lambda: len(frames(app)) == n)
            print('ok - Add Photos opens the file chooser', flush=True)

        # New Project: the title dialog makes the project
        new = find(window, 'push button', 'New Project')
        if new is None:
            fail('no “New Project” button')
        else:
            n = len(frames(app))
            click(new)
            dialog = wait_for('the New Project dialog', lambda: len(frames(app)) > n and frames(app)[-1])
            wait_for('the dialog’s heading', lambda: find(dialog, 'label', 'New Project'))
            entry = wait_for('the title entry', lambda: find(dialog, 'text', 'Project title') or
                             find(dialog, 'entry', 'Project title'))
            entry.queryEditableText().setTextContents('Autumn')
            for b in unnamed_controls(dialog):
                fail('control without an accessible name in the New Project dialog: ' + b)
            click(wait_for('Create', lambda: find(dialog, 'push button', 'Create')))
            wait_for('the project in the library',
                     lambda: 'Autumn' in [p['title'] for p in run_cli('projects', 'list')])
            print('ok - New Project creates a project', flush=True)
    except AssertionError:
        if current_app is not None:
            dump(current_app)
        raise
    finally:
        app_process.terminate()
        app_process.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)

    return 1 if failures else 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except AssertionError as e:
        print('Bail out! ' + str(e), flush=True)
        sys.exit(1)
