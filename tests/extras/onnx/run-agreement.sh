#!/bin/sh
# CTest's app/onnxruntime_agreement: node agreement.js WEBTHREAT WORKDIR [ROWS], or exit 77 (CTest's
# skip) saying why when Node.js is absent; agreement.js itself skips when onnxruntime-node is.
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null 2>&1; then
    echo "SKIP: node is not installed (Debian: apt-get install nodejs npm, then npm ci --ignore-scripts in $here)"
    exit 77
fi
exec node "$here/agreement.js" "$@"
