#!/usr/bin/env bash
# Renders the hicolor PNGs from the SVG. The PNGs are committed, so a build needs no SVG renderer;
# run this after changing the SVG (needs rsvg-convert, Debian package librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")"
id=io.github.webthreat.Workbench
for size in 16 32 48 64 128 256; do
    rsvg-convert --width "$size" --height "$size" --output "$id-$size.png" "$id.svg"
done
