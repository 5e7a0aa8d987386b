#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (as root, or with sudo):
#   ./workbench.sh        install what is missing, build (Release), open the workbench on the bundled sample
#   ./workbench.sh test   install what is missing, build, run every test through CTest
# Both are idempotent and quiet when nothing needs doing.
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DIR=${WEBTHREAT_BUILD_DIR:-build}
SAMPLE=resources/sample/sample_traffic.csv
PACKAGES=(g++ cmake ninja-build qt6-base-dev qt6-charts-dev libeigen3-dev libspdlog-dev)

log() { printf '[workbench] %s\n' "$*" >&2; }

install_missing() {
    local missing=()
    for package in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$package")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { log "need root (or sudo) to install: ${missing[*]}"; exit 1; }
        sudo=(sudo)
    fi
    log "installing: ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Runs a step, showing its output only when it fails.
quietly() {
    local output
    if ! output=$("$@" 2>&1); then
        printf '%s\n' "$output" >&2
        log "failed: $*"
        exit 1
    fi
}

build() {
    if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
        log "configuring in $BUILD_DIR (Release)"
        quietly cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
    fi
    local output
    if ! output=$(cmake --build "$BUILD_DIR" --parallel "$(nproc)" 2>&1); then
        printf '%s\n' "$output" >&2
        log "build failed"
        exit 1
    fi
    grep -q 'no work to do' <<<"$output" || log "built in $BUILD_DIR"
}

command=${1:-run}
case "$command" in
    run)
        install_missing
        build
        if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
            exec "$BUILD_DIR/app/webthreat-workbench" "$SAMPLE"
        fi
        log "no display available (DISPLAY and WAYLAND_DISPLAY are unset): running 'webthreat analyze' on the bundled sample instead"
        exec "$BUILD_DIR/app/webthreat" analyze "$SAMPLE"
        ;;
    test)
        install_missing
        build
        export QT_QPA_PLATFORM=offscreen
        exec ctest --test-dir "$BUILD_DIR" --output-on-failure --parallel "$(nproc)"
        ;;
    *)
        echo "usage: $0 [run|test]" >&2
        exit 2
        ;;
esac
