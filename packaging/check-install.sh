#!/usr/bin/env bash
# Checks that the Debian package is whole and works, without touching the machine's own files:
#   bash packaging/check-install.sh BUILD_DIR
# brings BUILD_DIR (configured, e.g. by ./workbench.sh test) up to date, builds the .deb with CPack
# there, unpacks it into a scratch root with dpkg -x, and runs the unpacked webthreat from there:
# --version must print the project version and `analyze` on the installed sample must succeed. It also checks the control data
# (Depends from dpkg-shlibdeps, version), that every file is where the desktop expects it, and runs
# desktop-file-validate, appstreamcli and man's warnings where those tools are installed, and shows
# lintian's tags where it is.
# Ends with one line, "check-install: PASS ..." or "check-install: FAIL ...", and exits 0 or 1.
set -uo pipefail

if [ $# -ne 1 ] || [ ! -f "$1/CMakeCache.txt" ]; then
    echo "usage: $0 BUILD_DIR   (a configured CMake build directory)" >&2
    exit 2
fi
build_dir=$(cd "$1" && pwd)
app_id=io.github.webthreat.Workbench

failures=()
step() { printf '\n== %s\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
fail() { printf '   FAIL: %s\n' "$*"; failures+=("$*"); }
skip() { printf '   skipped: %s\n' "$*"; }
finish() {
    echo
    if [ ${#failures[@]} -eq 0 ]; then
        echo "check-install: PASS ($deb_name, version $version)"
        exit 0
    fi
    printf '   - %s\n' "${failures[@]}"
    echo "check-install: FAIL (${#failures[@]} problem(s), listed above; package: $deb_name)"
    exit 1
}
deb_name="no package"
version=unknown

scratch=$(mktemp -d "${TMPDIR:-/tmp}/webthreat-check-install.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# --- the package -------------------------------------------------------------------------------
step "cmake --build $build_dir"
# The package must hold the current build (quick when it is up to date); this also re-runs CMake
# if the project version changed, so the cache below has the current one.
if ! cmake --build "$build_dir" >"$scratch/build.log" 2>&1; then
    tail -n 40 "$scratch/build.log"
    fail "the build in $build_dir does not build"
    finish
fi
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build_dir/CMakeCache.txt")
[ -n "$version" ] || { fail "no CMAKE_PROJECT_VERSION in $build_dir/CMakeCache.txt"; finish; }
ui_built=$(sed -n 's/^WEBTHREAT_BUILD_UI:BOOL=//p' "$build_dir/CMakeCache.txt")
case "$ui_built" in ON|on|TRUE|true|1|YES|yes) ui_built=1 ;; *) ui_built=0 ;; esac
ok "project version $version"

step "cpack -G DEB"
if ! (cd "$build_dir" && cpack -G DEB -B "$scratch/cpack") >"$scratch/cpack.log" 2>&1; then
    cat "$scratch/cpack.log"
    fail "cpack -G DEB failed"
    finish
fi
deb=$(find "$scratch/cpack" -maxdepth 1 -name '*.deb' -print -quit)
if [ -z "$deb" ]; then
    cat "$scratch/cpack.log"
    fail "cpack made no .deb"
    finish
fi
deb_name=$(basename "$deb")
cp "$deb" "$build_dir/"
ok "$deb_name ($(du -h "$deb" | cut -f1)), copied to $build_dir/"

step "dpkg-deb -I"
dpkg-deb -I "$deb" | sed 's/^/   /'
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = webthreat-workbench ] && ok "Package: webthreat-workbench" || fail "Package is '$(field Package)'"
[ "$(field Version)" = "$version" ] && ok "Version: $version" || fail "Version is '$(field Version)', the project's is $version"
depends=$(field Depends)
# dpkg-shlibdeps names the C library with a minimum version; a hand-written list would not.
if [[ "$depends" =~ libc6\ \(\>=\ [0-9] ]] && [[ "$depends" =~ libstdc\+\+6 ]]; then
    ok "Depends comes from dpkg-shlibdeps"
else
    fail "Depends ('$depends') does not look like dpkg-shlibdeps output"
fi
# SHA-256 comes from OpenSSL's libcrypto (core links it), so dpkg-shlibdeps must name libssl3.
[[ "$depends" =~ libssl3 ]] && ok "Depends names libssl3 (libcrypto)" || fail "Depends lacks libssl3"
# bzip2, xz, zstd, zip and tar input are read through libarchive (core links it).
[[ "$depends" =~ libarchive13 ]] && ok "Depends names libarchive13" || fail "Depends lacks libarchive13"
# Offline IP enrichment: libloc1 through dpkg-shlibdeps, its database recommended (issue 20).
[[ "$depends" =~ libloc1 ]] && ok "Depends names libloc1" || fail "Depends lacks libloc1"
[[ "$(field Recommends)" =~ libloc-database ]] && ok "Recommends libloc-database" \
    || fail "Recommends ('$(field Recommends)') lacks libloc-database"
if [ "$ui_built" = 1 ]; then
    [[ "$depends" =~ libqt6widgets6 ]] && ok "Depends names Qt Widgets" || fail "Depends lacks libqt6widgets6"
    [[ "$depends" =~ libqt6charts6 ]] && ok "Depends names Qt Charts" || fail "Depends lacks libqt6charts6"
fi

# --- unpacked into a scratch root: no root, no change to the machine -------------------------
root="$scratch/root"
step "dpkg -x into $root"
if ! dpkg -x "$deb" "$root"; then
    fail "dpkg -x failed"
    finish
fi
expected=(
    usr/bin/webthreat
    usr/share/man/man1/webthreat.1.gz
    usr/share/webthreat-workbench/sample/sample_traffic.csv
    usr/share/doc/webthreat-workbench/changelog.gz
)
if [ "$ui_built" = 1 ]; then
    expected+=(
        usr/bin/webthreat-workbench
        usr/share/man/man1/webthreat-workbench.1.gz
        "usr/share/applications/$app_id.desktop"
        "usr/share/metainfo/$app_id.metainfo.xml"
        "usr/share/icons/hicolor/scalable/apps/$app_id.svg"
    )
    for size in 16 32 48 64 128 256; do
        expected+=("usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png")
    done
fi
missing=0
for path in "${expected[@]}"; do
    [ -e "$root/$path" ] || { fail "/$path is not in the package"; missing=1; }
done
[ "$missing" = 0 ] && ok "all ${#expected[@]} expected files are there"
# The report module of `webthreat analyze --report` lives in the library folder (multiarch on Debian).
module=$(cd "$root" && find usr/lib -name libwebthreat-report.so 2>/dev/null | head -n 1)
if [ "$ui_built" = 1 ]; then
    [ -n "$module" ] && ok "/$module is there" || fail "libwebthreat-report.so is not in the package"
fi
unexpected=$(cd "$root" && find . -type f | sed 's|^\./||' \
    | grep -v -e '^usr/bin/' -e '^usr/share/' -e '^usr/lib/\([^/]*/\)\?webthreat/libwebthreat-report\.so$' || true)
[ -z "$unexpected" ] && ok "nothing outside /usr/bin, /usr/share and the report module" || fail "unexpected files: $unexpected"
for exe in usr/bin/webthreat usr/bin/webthreat-workbench; do
    [ -e "$root/$exe" ] || continue
    [ -x "$root/$exe" ] || fail "/$exe is not executable"
    if command -v file >/dev/null && file "$root/$exe" | grep -q 'not stripped'; then
        fail "/$exe is not stripped"
    fi
done

step "the installed webthreat --version"
cli="$root/usr/bin/webthreat"
out=$("$cli" --version 2>"$scratch/version.err")
status=$?
echo "   $out"
if [ "$status" -ne 0 ]; then
    sed 's/^/   /' "$scratch/version.err"
    fail "webthreat --version exited with status $status"
elif [ "$out" = "webthreat $version" ]; then
    ok "prints the project version"
else
    fail "webthreat --version printed '$out', expected 'webthreat $version'"
fi

step "the installed webthreat analyze on the installed sample"
sample="$root/usr/share/webthreat-workbench/sample/sample_traffic.csv"
"$cli" analyze "$sample" --out "$scratch/scored.csv" >"$scratch/analyze.out" 2>"$scratch/analyze.err"
status=$?
# The file line and the verdict; the whole report is long.
grep -E '^(File|Suspicious):' "$scratch/analyze.out" | sed 's/^/   /'
if [ "$status" -eq 0 ]; then
    ok "exit status 0"
    grep -q '^Suspicious: [1-9][0-9]* of ' "$scratch/analyze.out" && ok "reports suspicious rows" \
        || fail "analyze did not report any suspicious rows"
    sample_rows=$(($(wc -l <"$sample") - 1))
    scored_rows=$(($(wc -l <"$scratch/scored.csv") - 1))
    [ "$scored_rows" -gt 0 ] && [ "$scored_rows" -le "$sample_rows" ] \
        && ok "--out wrote $scored_rows scored rows (the sample has $sample_rows)" \
        || fail "--out wrote $scored_rows rows for a sample of $sample_rows"
else
    sed 's/^/   /' "$scratch/analyze.err"
    fail "webthreat analyze exited with status $status"
fi

if [ "$ui_built" = 1 ]; then
    step "the installed webthreat analyze --report (the module found from the installed binary)"
    # No display and no platform named: the module picks the offscreen platform itself.
    env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$cli" analyze "$sample" --report "$scratch/report.html" \
        >"$scratch/report.out" 2>"$scratch/report.err"
    status=$?
    if [ "$status" -eq 0 ] && grep -q "data:image/png;base64," "$scratch/report.html" 2>/dev/null; then
        ok "wrote a report with its charts embedded"
    else
        sed 's/^/   /' "$scratch/report.err"
        fail "webthreat analyze --report exited with status $status or wrote no charts"
    fi

    step "the installed webthreat-workbench --version (offscreen)"
    # Qt's start-up notes (XDG_RUNTIME_DIR and the like) go to stderr, shown only on failure.
    out=$(QT_QPA_PLATFORM=offscreen "$root/usr/bin/webthreat-workbench" --version 2>"$scratch/gui.err")
    status=$?
    echo "   $out"
    if [ "$status" -ne 0 ]; then
        sed 's/^/   /' "$scratch/gui.err"
        fail "webthreat-workbench --version exited with status $status"
    elif [[ "$out" == *" $version" ]]; then
        ok "prints the project version"
    else
        fail "webthreat-workbench --version printed '$out', expected the version $version"
    fi
fi

# --- desktop metadata --------------------------------------------------------------------------
if [ "$ui_built" = 1 ]; then
    desktop="$root/usr/share/applications/$app_id.desktop"
    metainfo="$root/usr/share/metainfo/$app_id.metainfo.xml"

    step "desktop-file-validate"
    if command -v desktop-file-validate >/dev/null; then
        if out=$(desktop-file-validate "$desktop" 2>&1) && ! grep -qE '(error|warning):' <<<"$out"; then
            [ -n "$out" ] && echo "$out" | sed 's/^/   /'
            ok "$app_id.desktop is valid"
        else
            echo "$out" | sed 's/^/   /'
            fail "desktop-file-validate rejects $app_id.desktop"
        fi
    else
        skip "desktop-file-validate is not installed (Debian package desktop-file-utils)"
    fi
    grep -q '^MimeType=.*text/csv' "$desktop" && ok "the launcher opens text/csv" || fail "the .desktop lacks MimeType text/csv"
    grep -q "^Icon=$app_id\$" "$desktop" && ok "the launcher's icon is $app_id" || fail "the .desktop's Icon is not $app_id"

    step "appstreamcli validate"
    if command -v appstreamcli >/dev/null; then
        # --no-net: CI machines may have no network, and the homepage is a placeholder.
        if out=$(appstreamcli validate --no-net --explain "$metainfo" 2>&1); then
            echo "$out" | sed 's/^/   /'
            ok "the metainfo is valid"
        else
            echo "$out" | sed 's/^/   /'
            fail "appstreamcli validate rejects the metainfo"
        fi
        if out=$(appstreamcli validate-tree --no-net "$root" 2>&1); then
            ok "appstreamcli validate-tree: metainfo, launcher and icon agree"
        else
            echo "$out" | sed 's/^/   /'
            fail "appstreamcli validate-tree rejects the install tree"
        fi
        release=$(grep -o '<release version="[^"]*"' "$metainfo" | head -n 1)
        [ "$release" = "<release version=\"$version\"" ] && ok "the metainfo's release is $version" \
            || fail "the metainfo's release is $release, not $version"
    else
        skip "appstreamcli is not installed (Debian package appstream)"
    fi
fi

step "man pages"
for page in "$root"/usr/share/man/man1/*.1.gz; do
    name=$(basename "$page" .1.gz)
    zcat "$page" | grep -q "^\.TH .*$version" && ok "$name(1) names version $version" || fail "$name(1) does not name version $version"
    if command -v man >/dev/null; then
        # Lintian's check: groff warnings about the page's roff.
        warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
        [ -z "$warnings" ] && ok "$name(1) formats without warnings" || { echo "$warnings" | sed 's/^/   /'; fail "$name(1) has roff warnings"; }
    fi
done

step "lintian (informational: its tags do not fail this check)"
if command -v lintian >/dev/null; then
    tags=$(lintian --tag-display-limit 0 "$deb" 2>/dev/null)
    if [ -z "$tags" ]; then
        ok "no tags"
    else
        echo "$tags" | sed 's/^/   /'
    fi
else
    skip "lintian is not installed"
fi

# --- the other route: cmake --install into a prefix ---------------------------------------------
step "cmake --install into a prefix"
prefix="$scratch/prefix"
if cmake --install "$build_dir" --prefix "$prefix" >"$scratch/install.log" 2>&1; then
    differ=$(diff <(cd "$root/usr" && find . -type f | sort) <(cd "$prefix" && find . -type f | sort))
    [ -z "$differ" ] && ok "the same $(cd "$prefix" && find . -type f | wc -l) files as the package" \
        || { echo "$differ" | sed 's/^/   /'; fail "cmake --install and the package install different files"; }
else
    cat "$scratch/install.log"
    fail "cmake --install failed"
fi

finish
