#!/usr/bin/env bash
# Installs what is missing (Debian 12; uses sudo when not root), builds Echoes and starts
# it from the build folder: local mode, no account, data in ~/.local/share/echoes.
set -euo pipefail

top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$top"

bash build-aux/ci-install.sh
if [ ! -f build/build.ninja ]; then
  meson setup build
fi
ninja -C build
# Run uninstalled: the compiled GSettings schema lives in the build folder.
exec env GSETTINGS_SCHEMA_DIR="$top/build/data" "$top/build/src/echoes" "$@"
