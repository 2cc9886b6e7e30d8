#!/bin/sh
# check-install-layout.sh
#
# Copyright 2026 The Echoes Authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs the build into a temporary DESTDIR and checks that everything the Flatpak
# build (prefix /app) exports is where flatpak-builder looks for it: the binaries, the
# desktop file, the metainfo, the icons, the GSettings schema and the translations.
#
# Usage: check-install-layout.sh BUILD_ROOT APP_ID PREFIX BINDIR DATADIR LOCALEDIR
set -eu

build_root=$1
app_id=$2
prefix=$3
bindir=$4
datadir=$5
localedir=$6

destdir=$(mktemp -d)
trap 'rm -rf "$destdir"' EXIT

meson install -C "$build_root" --destdir "$destdir" --no-rebuild --quiet >/dev/null

# Relative options are relative to the prefix; absolute ones stand as they are.
case $bindir in /*) ;; *) bindir=$prefix/$bindir ;; esac
case $datadir in /*) ;; *) datadir=$prefix/$datadir ;; esac
case $localedir in /*) ;; *) localedir=$prefix/$localedir ;; esac

status=0
check() {
  if [ -e "$destdir$1" ]; then
    echo "ok: $1"
  else
    echo "not ok: $1 is not installed"
    status=1
  fi
}

check "$bindir/echoes"
check "$bindir/echoes-cli"
check "$datadir/applications/$app_id.desktop"
check "$datadir/metainfo/$app_id.metainfo.xml"
check "$datadir/icons/hicolor/scalable/apps/$app_id.svg"
check "$datadir/icons/hicolor/symbolic/apps/$app_id-symbolic.svg"
check "$datadir/glib-2.0/schemas/io.github.echoes.VideoCreator.gschema.xml"

# Every language of po/LINGUAS has its catalogue.
for lang in $(sed -e 's/#.*//' "$(dirname "$0")/../po/LINGUAS"); do
  check "$localedir/$lang/LC_MESSAGES/echoes.mo"
done

# The desktop file's Icon= and the metainfo's launchable name what is installed.
if ! grep -qx "Icon=$app_id" "$destdir$datadir/applications/$app_id.desktop"; then
  echo "not ok: the desktop file's Icon is not $app_id"
  status=1
fi
if ! grep -q "<launchable type=\"desktop-id\">$app_id.desktop</launchable>" \
       "$destdir$datadir/metainfo/$app_id.metainfo.xml"; then
  echo "not ok: the metainfo does not launch $app_id.desktop"
  status=1
fi

exit $status
