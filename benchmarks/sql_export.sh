#!/bin/bash
# The SQL export's size and SQLite's speed with it (issue 16): a model of 100 trees of 256 samples
# fitted on generated rows, exported in each form, and sqlite3 scoring the rows, the import and the
# query timed apart. Prints figures; never fails on time.
#   benchmarks/sql_export.sh [BUILD_DIR] [ROWS]     (defaults: build, 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
ROWS=${2:-100000}
WEBTHREAT="$BUILD_DIR/app/webthreat"
command -v sqlite3 >/dev/null || { echo "sqlite3 is not installed (apt-get install sqlite3)" >&2; exit 1; }
[ -x "$WEBTHREAT" ] || { echo "$WEBTHREAT not built (cmake --build $BUILD_DIR --target webthreat)" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

seconds() { # command...: wall seconds, output discarded
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

"$WEBTHREAT" generate --rows "$ROWS" --seed 7 --out "$WORK/traffic.csv" >/dev/null
echo "sqlite3 $(sqlite3 --version | cut -d' ' -f1), $ROWS generated rows (seed 7), model: 100 trees of 256 samples"
for preset in default notebook; do
    "$WEBTHREAT" analyze "$WORK/traffic.csv" --preset "$preset" --save-model "$WORK/model.json" --force >/dev/null
    echo
    echo "preset $preset (model file $(stat -c %s "$WORK/model.json") bytes):"
    printf '  %-34s %10s %10s %10s\n' "form" "SQL bytes" "import s" "query s"
    for form in case table nodes; do
        args=(--forest "$form")
        [ "$form" = nodes ] && args=(--nodes-table forest --nodes-csv "$WORK/nodes.csv")
        "$WEBTHREAT" export-model "$WORK/model.json" --sql "$WORK/score.sql" --dialect sqlite "${args[@]}" --force >/dev/null
        rm -f "$WORK/traffic.db"
        import=$(seconds sqlite3 "$WORK/traffic.db" ".import --csv $WORK/traffic.csv traffic")
        [ "$form" = nodes ] && sqlite3 "$WORK/traffic.db" ".import --csv $WORK/nodes.csv forest"
        query=$(seconds sqlite3 -csv "$WORK/traffic.db" < "$WORK/score.sql")
        label=$form
        [ "$form" = nodes ] && label="nodes table ($(stat -c %s "$WORK/nodes.csv") B CSV)"
        printf '  %-34s %10s %10.2f %10.2f\n' "$label" "$(stat -c %s "$WORK/score.sql")" "$import" "$query"
    done
    for dialect in athena spark duckdb ansi; do
        "$WEBTHREAT" export-model "$WORK/model.json" --sql "$WORK/$dialect.sql" --dialect "$dialect" --force \
            >"$WORK/$dialect.out"
        echo "  $dialect (auto): $(sed -n 1p "$WORK/$dialect.out" | sed "s/ written to .*//")"
    done
done
