#!/usr/bin/env bash
# Takes the README and metainfo screenshots (see screenshots.py) in a private X server
# and D-Bus session: build-aux/screenshots.sh [BUILD_DIR] [OUT_DIR]
# Needs xvfb-run, dbus-run-session, ImageMagick's import and convert, python3-pyatspi.
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
# A server number of its own: "-a" races with other xvfb-runs starting at the same time.
exec xvfb-run -n $((RANDOM % 5000 + 200)) -s "-screen 0 1920x1080x24" \
  dbus-run-session -- /usr/bin/python3 "$here/screenshots.py" "${1:-build}" "${2:-data/screenshots}"
