#!/usr/bin/env bash
# Idempotent CI dependency installer for the GTK4/libadwaita + GStreamer/GES + Supabase project.
# Target: Debian 12 (bookworm), run as root. Safe to run repeatedly: apt is only touched when a
# package is missing, deno is only installed when absent. Probed: ~35 s / ~460 MB on a cold box.
# See headless-recipes.md for how each tool is used headlessly.
set -euo pipefail

DENO_VERSION="${DENO_VERSION:-2.9.6}"

PKGS=(
  # toolchain
  build-essential meson ninja-build pkg-config gettext
  # app libraries (headers)
  libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev libsecret-1-dev libsqlite3-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libges-1.0-dev
  # GStreamer runtime plugins + CLI tools (gst-discoverer-1.0 is in plugins-base-apps)
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  gstreamer1.0-tools gstreamer1.0-plugins-base-apps ges1.0-tools libgtk-4-media-gstreamer
  # python bindings for GES/GStreamer scripts (gi)
  python3-gi gir1.2-ges-1.0 gir1.2-gst-plugins-base-1.0
  # metadata validators
  appstream desktop-file-utils
  # headless display / session / secrets / accessibility
  xvfb xauth xfonts-base fonts-dejavu-core dbus-x11 libgtk-4-bin
  gnome-keyring libsecret-tools at-spi2-core python3-dogtail python3-pyatspi
  # database
  postgresql postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl sqlite3
  # media + test tooling
  ffmpeg imagemagick hyperfine valgrind libjpeg-turbo-progs
  # EXIF + extra image loaders
  libgexiv2-dev libwebp-dev webp-pixbuf-loader gstreamer1.0-opencv opencv-data
)

missing=()
for p in "${PKGS[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" != "installed" ]; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "ci-install: installing ${#missing[@]} missing package(s): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "ci-install: all ${#PKGS[@]} apt packages already installed"
fi

if ! command -v deno >/dev/null 2>&1; then
  if command -v npm >/dev/null 2>&1; then
    echo "ci-install: installing deno@${DENO_VERSION} from npm"
    npm install -g "deno@${DENO_VERSION}"
  else
    echo "ci-install: WARNING: deno missing and npm not available" >&2
  fi
fi

deno --version 2>/dev/null | head -n1 || true
pkg-config --modversion gtk4 libadwaita-1 gstreamer-1.0 gst-editing-services-1.0 | tr '\n' ' '
echo
