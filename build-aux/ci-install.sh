#!/usr/bin/env bash
# Installs what Echoes needs to build, run and test on Debian 12 (bookworm), and nothing
# when it is all there: apt is only touched when a package is missing (after an
# `apt-get update`), deno only when absent. Run as root, or as a user with sudo.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then
  SUDO="sudo"
fi

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
  # media + test tooling (djpeg, convert and gdk-pixbuf-thumbnailer are the thumbnail
  # benchmark's references; xwininfo polls the startup benchmark's window)
  ffmpeg imagemagick hyperfine valgrind libjpeg-turbo-progs libgdk-pixbuf2.0-bin x11-utils
  # the Ken Burns benchmark's real photo (a GNOME wallpaper), CPU load for test.sh --repeat,
  # the Flatpak manifest check, the stand-in's smoke check
  gnome-backgrounds stress-ng flatpak-builder curl
  # EXIF + extra image loaders
  libgexiv2-dev webp-pixbuf-loader heif-gdk-pixbuf gstreamer1.0-opencv opencv-data
)

missing=()
for p in "${PKGS[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" != "installed" ]; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "ci-install: installing ${#missing[@]} missing package(s): ${missing[*]}"
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "ci-install: all ${#PKGS[@]} apt packages already installed"
fi

# Deno (the edge functions' runtime) comes from the npm registry.
if ! command -v deno >/dev/null 2>&1; then
  if ! command -v npm >/dev/null 2>&1; then
    $SUDO apt-get update -q
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends npm
  fi
  echo "ci-install: installing deno@${DENO_VERSION} from npm"
  $SUDO npm install -g "deno@${DENO_VERSION}"
fi
command -v deno >/dev/null || { echo "ci-install: deno could not be installed" >&2; exit 1; }

deno --version 2>/dev/null | head -n1 || true
pkg-config --modversion gtk4 libadwaita-1 gstreamer-1.0 gst-editing-services-1.0 | tr '\n' ' '
echo
