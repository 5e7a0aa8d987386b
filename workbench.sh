#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (as root, or with sudo):
#   ./workbench.sh        install what is missing, build (Release), open the workbench on the bundled sample
#   ./workbench.sh test   install what is missing, build, run every test through CTest
# Both are idempotent and quiet when nothing needs doing. For CI and hardening work also:
#   ./workbench.sh asan          build everything with ASan + UBSan (build-asan/) and run every test
#   ./workbench.sh fuzz [SECS]   build the libFuzzer targets with clang (build-fuzz/) and fuzz them one after
#                                another for SECS (60) in all
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
# libsqlite3-dev: the triage workspace (core/triage/workspace), kept in SQLite through its C API.
# libloc-dev, libloc-database, pkgconf: offline IP enrichment (core/context/ipenricher: country, autonomous
# system and flags of every address, from IPFire's location database), found with pkg-config.
# libonnx-dev, libprotobuf-dev: the ONNX schema and checker for `export-model --onnx`.
# xvfb, xauth (only recommended by xvfb): tests/flows runs the main flows on a real X server under
# xvfb-run.
PACKAGES=(g++ cmake ninja-build qt6-base-dev libqt6opengl6-dev qt6-charts-dev libeigen3-dev libspdlog-dev
    libbenchmark-dev zlib1g-dev libarchive-dev libssl-dev nlohmann-json3-dev libsqlite3-dev libcli11-dev libonnx-dev libprotobuf-dev
    libloc-dev libloc-database pkgconf fonts-dejavu-core poppler-utils sqlite3 xvfb xauth)
# The fuzz build, and the tools that pack fuzz_archive's seeds (gzip and tar are in every Debian root).
FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev bzip2 xz-utils zstd zip)
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
        # One seed folder per target (kept between runs, with what the fuzzer added to it). The
        # regression crashers seed every target.
        seeds() { # NAME FILES...: copies these files into the folder build-fuzz/corpus-NAME
            local dir=build-fuzz/corpus-$1
            shift
            mkdir -p "$dir"
            cp "$@" tests/data/fuzz-regressions/* "$dir"/
        }
        # fuzz_pipeline: the bad-input corpus, the AWS log samples (plain and gzip) and the reference
        # data where present.
        seeds pipeline tests/data/bad/*.csv tests/data/formats/*.log tests/data/formats/*.json tests/data/formats/*.gz
        [ -f ../shared/data/CloudWatch_Traffic_Web_Attack.csv ] \
            && cp ../shared/data/CloudWatch_Traffic_Web_Attack.csv build-fuzz/corpus-pipeline/
        head -c 30000 "$SAMPLE" > build-fuzz/corpus-pipeline/sample_head.csv
        # fuzz_sniffer: other tools' CSV layouts, and the bad corpus.
        seeds sniffer tests/data/import/* tests/data/bad/*.csv
        # fuzz_vpc, fuzz_elb, fuzz_zeek: their formats' samples (Zeek's: TSV, JSON, and its head
        # alone, header and a few records, so that mutations reach the header's handling often).
        seeds vpc tests/data/formats/vpcflow_*.log
        seeds elb tests/data/formats/alb_*.log
        seeds zeek tests/data/formats/zeek_*.log tests/data/formats/zeek_*.json
        head -n 14 tests/data/formats/zeek_conn.log > build-fuzz/corpus-zeek/zeek_conn_head.log
        head -n 8 tests/data/formats/zeek_conn.json > build-fuzz/corpus-zeek/zeek_conn_head.json
        # fuzz_archive: a small CSV and a flow log packed every way the workbench reads, with the
        # tools FUZZ_PACKAGES installs: each compression, zip and tar (plain and compressed), one
        # member and two, and an archive inside an archive.
        seeds archive tests/data/formats/*.gz
        packed=build-fuzz/corpus-archive
        scratch=$(mktemp -d)
        head -c 2000 "$SAMPLE" > "$scratch/traffic.csv"
        head -c 2000 tests/data/formats/vpcflow_v2_accept_reject_with_header.log > "$scratch/flows.log"
        bzip2 -c "$scratch/traffic.csv" > "$packed/traffic.csv.bz2"
        xz -c "$scratch/traffic.csv" > "$packed/traffic.csv.xz"
        zstd -q -c "$scratch/flows.log" > "$packed/flows.log.zst"
        gzip -n -c "$scratch/flows.log" > "$scratch/flows.log.gz"
        (cd "$scratch" && zip -q -X one.zip traffic.csv && zip -q -X two.zip traffic.csv flows.log \
            && zip -q -X nested.zip flows.log.gz && tar -cf one.tar traffic.csv && tar -czf two.tar.gz traffic.csv flows.log \
            && tar -cJf one.tar.xz flows.log)
        cp "$scratch"/*.zip "$scratch"/*.tar "$scratch"/*.tar.* "$packed"/
        rm -rf "$scratch"
        # fuzz_model: small real models (3 trees of 16 samples, every feature, both scalings), so the
        # fuzzer mutates documents the loader accepts.
        seeds model
        for scale in auto none; do
            build-fuzz/app/webthreat analyze "$SAMPLE" --trees 3 --max-samples 16 --scale "$scale" \
                --features bytes_in,bytes_out,session_duration,avg_packet_size,dst_port_frequency,protocol_frequency,response_code_frequency,country_frequency,src_ip_private,source_sessions,source_total_bytes \
                --save-model build-fuzz/corpus-model/seed-$scale.json --force >/dev/null
        done
        # fuzz_triage: a triage export in each form (JSON, CSV).
        seeds triage tests/data/triage/*
        # fuzz_threatlist: the list fixtures (text, DROP, netset, CSV, a bad line).
        seeds threatlist tests/data/threatlists/*
        # The targets fuzz one after another (one core), each from its folder, where what it learns
        # stays for the next run. Findings are written to build-fuzz/ as
        # NAME-crash-*/leak-*/timeout-*; a finding fails this step, after the other targets have run.
        found=()
        fuzz_target() { # NAME SECONDS MAX_LEN
            log "fuzzing fuzz_$1 for $2 s"
            local status=0
            build-fuzz/tests/fuzz/fuzz_"$1" build-fuzz/corpus-"$1" -max_total_time="$2" -max_len="$3" -timeout=10 \
                -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=build-fuzz/fuzz_"$1"- \
                >build-fuzz/fuzz_"$1".log 2>&1 || status=$?
            grep -E '^(stat::(number_of_executed_units|new_units_added|peak_rss_mb)|Done|SUMMARY|==[0-9]+==ERROR)' \
                build-fuzz/fuzz_"$1".log >&2 || true
            grep -oE 'cov: [0-9]+ ft: [0-9]+' build-fuzz/fuzz_"$1".log | tail -n 1 >&2 || true
            if [ "$status" -ne 0 ]; then
                tail -n 60 build-fuzz/fuzz_"$1".log >&2
                log "the fuzzer found a problem in fuzz_$1 (exit $status): the input is in build-fuzz/fuzz_$1-crash-* (or leak-*, timeout-*)"
                found+=("fuzz_$1")
            fi
        }
        # The time is shared: the whole pipeline a quarter, each focused target the rest in equal parts.
        share=$((seconds * 3 / 4 / 8))
        [ "$share" -ge 1 ] || share=1
        fuzz_target pipeline $((seconds - 8 * share > 0 ? seconds - 8 * share : 1)) 100000
        fuzz_target sniffer "$share" 32768
        fuzz_target vpc "$share" 100000
        fuzz_target elb "$share" 100000
        fuzz_target zeek "$share" 100000
        fuzz_target archive "$share" 100000
        fuzz_target model "$share" 200000
        fuzz_target triage "$share" 100000
        fuzz_target threatlist "$share" 100000
        if [ ${#found[@]} -gt 0 ]; then
            log "findings in: ${found[*]}; once fixed, put each input in tests/data/fuzz-regressions/ with a test that reads it"
            exit 1
        fi
        ;;
    *)
        echo "usage: $0 [run|test|asan|package|fuzz [SECONDS]]" >&2
        exit 2
        ;;
esac
