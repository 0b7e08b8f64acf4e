#!/bin/bash
# bench/rules: what evaluating Falco rules costs per event (README.md here). As root:
#   ITER=40 MIN_EVALS=2000000 bench/rules/run.sh
# EVENTS=FILE.jsonl replays a recording instead of making one (then root is not needed);
# SAVE=FILE.jsonl keeps the recording made.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ITER=${ITER:-40}               # workload rounds while recording (~90 events each)
MIN_EVALS=${MIN_EVALS:-2000000} # evaluations timed per rule set (at least)
VIGIL=${VIGIL_BIN:-$ROOT/build/vigil}
BENCH=${BENCH_BIN:-$ROOT/build/bench-rules-replay}
RULES=${RULES_DIR:-/work/shared/falco-rules}
OUT=$(mktemp -d /tmp/vigil-bench-rules.XXXXXX)
AGENT=""
LISTENER=""

cleanup() {
	for p in $AGENT $LISTENER; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
	rm -rf "$OUT"
}
trap cleanup EXIT

# A loopback listener that accepts and closes, for the workload's connects.
start_listener() {
	python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(128)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept(); c.close()
' >"$OUT/port" &
	LISTENER=$!
	for _ in $(seq 50); do [ -s "$OUT/port" ] && return; sleep 0.1; done
	echo "listener did not start"; exit 1
}

# Shells and coreutils, file opens, loopback connects; a few things the stable rules flag
# (a sensitive file read, a key search, a symlink over /etc/shadow, a binary run from /dev/shm).
workload() {
	local port i
	port=$(cat "$OUT/port")
	cp /bin/true /dev/shm/vigil-bench-true
	for i in $(seq "$ITER"); do
		sh -c "cat /etc/hostname /etc/os-release; ls / /tmp; id; grep -c root /etc/passwd;
		       head -c 64 /etc/services; echo $i > $OUT/f.$i; wc -c $OUT/f.$i; rm $OUT/f.$i" \
			>/dev/null 2>&1
		bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; exec 3>&-" 2>/dev/null || true
		if [ $((i % 10)) = 0 ]; then
			cat /etc/shadow >/dev/null
			grep -rs "BEGIN RSA PRIVATE" /dev/null || true
			ln -sf /etc/shadow "$OUT/shadow-link"
			/dev/shm/vigil-bench-true
		fi
	done
	rm -f /dev/shm/vigil-bench-true
}

record() {
	"$VIGIL" run --events all --stats-interval 3600 >"$OUT/raw.jsonl" 2>"$OUT/agent.err" &
	AGENT=$!
	for _ in $(seq 300); do grep -q "ready:" "$OUT/agent.err" && break; sleep 0.1; done
	grep -q "ready:" "$OUT/agent.err" || { echo "agent did not start:"; cat "$OUT/agent.err"; exit 1; }
	start_listener
	workload
	sleep 0.5
	kill -INT "$AGENT"; wait "$AGENT" || true
	AGENT=""
	grep -v '"type":"stats"' "$OUT/raw.jsonl" >"$OUT/events.jsonl"
}

if [ -n "${EVENTS:-}" ]; then
	cp "$EVENTS" "$OUT/events.jsonl"
else
	record
	[ -z "${SAVE:-}" ] || cp "$OUT/events.jsonl" "$SAVE"
fi
types=$(sed -n 's/^{"schema":"vigil\/v1","type":"\([a-z_]*\)".*/\1/p' "$OUT/events.jsonl" |
	sort | uniq -c | sort -rn | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}')
echo "== bench/rules: $(wc -l <"$OUT/events.jsonl") events recorded ($types)"
echo
"$BENCH" "$OUT/events.jsonl" "$MIN_EVALS" \
	"stable=$RULES/falco_rules.yaml" \
	"all=$RULES/falco_rules.yaml,$RULES/falco-incubating_rules.yaml,$RULES/falco-sandbox_rules.yaml"

