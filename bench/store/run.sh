#!/bin/bash
# bench/store: what keeping every event in the evidence store costs (README.md here). No root
# needed. Knobs: EVENTS (1000000 lines), RETAIN_MB (256: the size limit of the second run),
# DIR (where the store is made; default a new directory under /var/tmp, on a real disk: a
# tmpfs would hide the cost of the writes), BATCH (512: records per send(), as the sink's
# default max_batch).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BENCH=${BENCH_BIN:-$ROOT/build/bench-store}
EVENTS=${EVENTS:-1000000}
RETAIN_MB=${RETAIN_MB:-256}
OUT=${DIR:-$(mktemp -d /var/tmp/vigil-bench-store.XXXXXX)}
[ -n "${DIR:-}" ] || trap 'rm -rf "$OUT"' EXIT

echo "== bench/store: $EVENTS events into $OUT ($(nproc) CPUs, $(df -P "$OUT" | awk 'NR==2 {print $1}'), load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
"$BENCH" "$HERE/templates.jsonl" "$EVENTS" "$OUT" "$RETAIN_MB"
