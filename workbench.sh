#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (as root, or with sudo):
#   ./workbench.sh        install what is missing, build (Release), open the workbench on the bundled sample
#   ./workbench.sh test   install what is missing, build, run every test through CTest
# Both are idempotent and quiet when nothing needs doing. For CI and hardening work also:
#   ./workbench.sh asan          build everything with ASan + UBSan (build-asan/) and run every test
#   ./workbench.sh fuzz [SECS]   build the libFuzzer targets with clang (build-fuzz/) and fuzz for SECS (60) in all
#   ./workbench.sh package       make docs/'s screenshots anew, build the .deb, unpack it into a scratch root
#                                and run what it installed
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DIR=${WEBTHREAT_BUILD_DIR:-build}
SAMPLE=resources/sample/sample_traffic.csv
# Everything the build, the tests, the package check and the fuzz build need on a minimal Debian 12
# root (debootstrap --variant=minbase), where nothing else is assumed. Installed without
# recommends, so what Qt only recommends is named here: libqt6opengl6-dev (Qt6Charts needs Qt6OpenGL
# at configure time). fonts-dejavu-core: the text in screenshots, charts and the PDF report.
# poppler-utils: pdftoppm, with which tests/ui/tst_report renders the exported PDF report to check
# its pages.
# sqlite3: tests/core/model/tst_sqlexport runs the exported SQL with it over a CSV imported as text.
# libonnx-dev, libprotobuf-dev: the ONNX schema and checker for `export-model --onnx`.
# xvfb, xauth (only recommended by xvfb): tests/flows runs the main flows on a real X server under
# xvfb-run.
PACKAGES=(g++ cmake ninja-build qt6-base-dev libqt6opengl6-dev qt6-charts-dev libeigen3-dev libspdlog-dev
    libbenchmark-dev zlib1g-dev libarchive-dev libssl-dev nlohmann-json3-dev libcli11-dev libonnx-dev libprotobuf-dev
    fonts-dejavu-core poppler-utils sqlite3 xvfb xauth)
FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev)
# dpkg-dev: dpkg-shlibdeps for the Depends line; file: whether the installed programs are stripped;
# the rest check the desktop entry, AppStream metadata and man pages (packaging/check-install.sh).
PACKAGING_PACKAGES=(dpkg-dev file appstream desktop-file-utils man-db)

log() { printf '[workbench] %s\n' "$*" >&2; }

install_missing() {
    local missing=()
    for package in "${PACKAGES[@]}" "$@"; do
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

# build DIR [cmake options...]
build() {
    local dir=$1
    shift
    if [ ! -f "$dir/CMakeCache.txt" ]; then
        log "configuring in $dir"
        quietly cmake -S . -B "$dir" -G Ninja "$@"
    fi
    local output
    if ! output=$(cmake --build "$dir" --parallel "$(nproc)" 2>&1); then
        printf '%s\n' "$output" >&2
        log "build failed"
        exit 1
    fi
    grep -q 'no work to do' <<<"$output" || log "built in $dir"
}

command=${1:-run}
case "$command" in
    run)
        install_missing
        build "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release
        if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
            exec "$BUILD_DIR/app/webthreat-workbench" "$SAMPLE"
        fi
        log "no display available (DISPLAY and WAYLAND_DISPLAY are unset): running 'webthreat analyze' on the bundled sample instead"
        exec "$BUILD_DIR/app/webthreat" analyze "$SAMPLE"
        ;;
    test)
        install_missing
        build "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release
        export QT_QPA_PLATFORM=offscreen
        exec ctest --test-dir "$BUILD_DIR" --output-on-failure --parallel "$(nproc)"
        ;;
    asan)
        install_missing
        build build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWEBTHREAT_SANITIZE=ON
        export QT_QPA_PLATFORM=offscreen
        export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
        export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
        export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
        # Not tests/flows: on a real X server the X and font libraries' own allocations would be
        # reported as leaks; the same flows' code runs under the sanitizers offscreen in tests/ui.
        exec ctest --test-dir build-asan --output-on-failure --parallel "$(nproc)" -LE flows
        ;;
    package)
        install_missing "${PACKAGING_PACKAGES[@]}"
        build "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release
        # The README's pictures, made anew from the program being packaged: they cannot go stale.
        bash docs/screenshots.sh "$BUILD_DIR" docs
        exec bash packaging/check-install.sh "$BUILD_DIR"
        ;;
    fuzz)
        seconds=${2:-60}
        install_missing "${FUZZ_PACKAGES[@]}"
        build build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 -DWEBTHREAT_FUZZ=ON \
            -DWEBTHREAT_BUILD_UI=OFF -DWEBTHREAT_BUILD_TESTS=OFF
        # Seeds: the bad-input corpus, the AWS log samples (plain and gzip), the regression crashers,
        # and the reference data where present.
        corpus=build-fuzz/corpus
        mkdir -p "$corpus"
        cp tests/data/bad/*.csv "$corpus"/
        cp tests/data/formats/*.log tests/data/formats/*.gz "$corpus"/
        [ -d tests/data/fuzz-regressions ] && cp tests/data/fuzz-regressions/* "$corpus"/ 2>/dev/null || true
        [ -f ../shared/data/CloudWatch_Traffic_Web_Attack.csv ] && cp ../shared/data/CloudWatch_Traffic_Web_Attack.csv "$corpus"/
        head -c 30000 "$SAMPLE" > "$corpus/sample_head.csv"
        # The saved-model loader's seeds: small real models (3 trees of 16 samples, every feature, both
        # scalings), so the fuzzer mutates documents the loader accepts.
        models=build-fuzz/corpus-model
        mkdir -p "$models"
        for scale in auto none; do
            build-fuzz/app/webthreat analyze "$SAMPLE" --trees 3 --max-samples 16 --scale "$scale" \
                --features bytes_in,bytes_out,session_duration,avg_packet_size,dst_port_frequency,protocol_frequency,response_code_frequency,country_frequency,src_ip_private,source_sessions,source_total_bytes \
                --save-model "$models/seed-$scale.json" --force >/dev/null
        done
        # Two thirds of the time to the readers and pipeline, a third to the model loader. Findings
        # are written to build-fuzz/ as crash-*/leak-*/timeout-*; a finding fails this step.
        fuzz_target() { # NAME CORPUS SECONDS MAX_LEN
            log "fuzzing $1 for $3 s"
            local status=0
            build-fuzz/tests/fuzz/"$1" "$2" -max_total_time="$3" -max_len="$4" -timeout=10 -rss_limit_mb=4096 \
                -print_final_stats=1 -artifact_prefix=build-fuzz/"$1"- >build-fuzz/"$1".log 2>&1 || status=$?
            grep -E '^(stat::(number_of_executed_units|new_units_added|peak_rss_mb)|Done|SUMMARY|==[0-9]+==ERROR)' \
                build-fuzz/"$1".log >&2 || true
            if [ "$status" -ne 0 ]; then
                tail -n 60 build-fuzz/"$1".log >&2
                log "the fuzzer found a problem in $1 (exit $status): the input is in build-fuzz/$1-crash-* (or leak-*, timeout-*)"
                exit 1
            fi
        }
        fuzz_target fuzz_pipeline "$corpus" $((seconds * 2 / 3)) 100000
        fuzz_target fuzz_model "$models" $((seconds - seconds * 2 / 3)) 200000
        ;;
    *)
        echo "usage: $0 [run|test|asan|package|fuzz [SECONDS]]" >&2
        exit 2
        ;;
esac
