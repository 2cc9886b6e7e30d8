#!/usr/bin/env python3
# check-screenshots.py
#
# Copyright 2026 The Echoes Authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The metainfo's screenshots are files of this repository (data/screenshots/): checks
# that each one exists and has the width and height the metainfo declares.
#
# Usage: check-screenshots.py METAINFO SOURCE_ROOT

import struct
import sys
import xml.etree.ElementTree as ET


def png_size(path):
    with open(path, 'rb') as f:
        head = f.read(24)
    if head[:8] != b'\x89PNG\r\n\x1a\n' or head[12:16] != b'IHDR':
        raise ValueError('%s is not a PNG file' % path)
    return struct.unpack('>II', head[16:24])


def main():
    metainfo, root = sys.argv[1:3]
    status = 0
    images = ET.parse(metainfo).getroot().findall('./screenshots/screenshot/image')
    if not images:
        print('not ok: no screenshot')
        return 1
    for image in images:
        url = image.text.strip()
        marker = '/main/'
        if marker not in url:
            print('not ok: %s is not a file of the repository' % url)
            status = 1
            continue
        path = root + '/' + url.split(marker, 1)[1]
        declared = (int(image.get('width')), int(image.get('height')))
        actual = png_size(path)
        if declared != actual:
            print('not ok: %s is %d×%d, the metainfo says %d×%d' % ((path,) + actual + declared))
            status = 1
        else:
            print('ok: %s %d×%d' % ((path,) + actual))
    return status


if __name__ == '__main__':
    sys.exit(main())
