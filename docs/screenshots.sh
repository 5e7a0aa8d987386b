#!/usr/bin/env bash
# Makes every screenshot in docs/ anew from the program itself (webthreat-workbench --screenshot,
# rendered offscreen at 1280x800), so the README's pictures show the window as it is. Run by
# `./workbench.sh package`; by hand: bash docs/screenshots.sh [BUILD_DIR] [OUT_DIR].
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
out=${2:-docs}
app="$build/app/webthreat-workbench"
[ -x "$app" ] || { echo "screenshots: $app is not built (cmake --build $build first)" >&2; exit 1; }
mkdir -p "$out"
export QT_QPA_PLATFORM=offscreen
# A settings folder of its own: the pictures do not depend on the machine's remembered choices.
XDG_CONFIG_HOME=$(mktemp -d)
export XDG_CONFIG_HOME
trap 'rm -rf "$XDG_CONFIG_HOME"' EXIT

png_size() { # FILE: "WIDTH x HEIGHT" from the PNG header (coreutils only)
    local b
    read -r -a b < <(od -An -tu1 -j16 -N8 "$1")
    echo "$(( (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3] )) x $(( (b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7] ))"
}

shot() { # NAME SIZE ARGS...: one picture, checked to be a PNG of that size
    local name=$1 want=$2
    shift 2
    "$app" --screenshot "$out/$name.png" "$@" >/dev/null 2>&1
    local size
    size=$(png_size "$out/$name.png")
    [ "$size" = "$want" ] || { echo "screenshots: $out/$name.png is '$size', not '$want'" >&2; exit 1; }
    echo "screenshots: $out/$name.png ($size)"
}

# The bundled sample (no FILE), one tab each.
shot screenshot-overview '1280 x 800' --tab overview
shot screenshot-anomalies '1280 x 800' --tab anomalies
shot screenshot-timeline '1280 x 800' --tab timeline
shot screenshot-entities '1280 x 800' --tab entities
shot screenshot-trust '1280 x 800' --tab trust
shot screenshot-dark '1280 x 800' --tab overview --palette dark
# The Beacons tab on generated traffic with planted beacons (the sample has none that keep a beat).
[ -x "$build/app/webthreat" ] || { echo "screenshots: $build/app/webthreat is not built" >&2; exit 1; }
"$build/app/webthreat" generate --rows 50000 --label --out "$XDG_CONFIG_HOME/beacons.csv" >/dev/null
shot screenshot-beacons '1280 x 800' --tab beacons "$XDG_CONFIG_HOME/beacons.csv"
# Streaming mode: a file larger than the memory budget (1 MiB here), the Data tab's banner and rows.
"$build/app/webthreat" generate --rows 300000 --out "$XDG_CONFIG_HOME/stream.csv" >/dev/null
WEBTHREAT_MEMORY_BUDGET=1M shot screenshot-streaming '1280 x 800' --tab data "$XDG_CONFIG_HOME/stream.csv"
# A semicolon file with European dates opens the import dialog (its own size): that is the picture.
shot screenshot-import '1080 x 620' tests/data/import/semicolon_european.csv
