#!/bin/bash
# bench/k8s: what Kubernetes enrichment costs (README.md here). Run from anywhere, as root.
#   PODS=250 PAD=40000 ROUNDS=3 bench/k8s/run.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PODS=${PODS:-250}       # pods on the benchmark's node
PAD=${PAD:-40000}       # bytes of env vars per pod: 250 x 40 KB makes a ~12 MB list
ROUNDS=${ROUNDS:-3}     # agent runs per configuration, alternating; medians reported
ITER=${ITER:-1000000}   # enrichment calls timed per mode and round (5 rounds, fastest kept)
VIGIL=${VIGIL_BIN:-$ROOT/build/vigil}
ENRICH=${ENRICH_BIN:-$ROOT/build/bench-k8s-enrich}
PY=${PYTHON:-/usr/bin/python3}
NODE=bench-node
OUT=$(mktemp -d /tmp/vigil-bench-k8s.XXXXXX)
API_PIDS=""

cleanup() {
	for p in $API_PIDS; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	rm -rf "$OUT"
}
trap cleanup EXIT

kv() { sed -n "s/.*\b$2=\([^ ]*\).*/\1/p" <<<"$1"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# 1. per event: the agent's enrichment code over the node's pods, against cgroup attribution
"$PY" - "$ROOT/tests/k8s" "$NODE" "$PODS" "$PAD" "$OUT/ids.txt" >"$OUT/podlist.json" <<'PYEOF'
import json, sys
sys.path.insert(0, sys.argv[1])
import fixtures
pods = fixtures.population(sys.argv[2], int(sys.argv[3]), other_count=0, pad_bytes=int(sys.argv[4]))
json.dump({"kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": "1"}, "items": pods}, sys.stdout)
with open(sys.argv[5], "w") as ids:
    for p in pods:
        for st in p["status"].get("containerStatuses", []):
            if st.get("containerID"):
                ids.write("%s %s\n" % (p["metadata"]["uid"], st["containerID"].split("://")[1]))
PYEOF
E=$("$ENRICH" "$OUT/podlist.json" "$OUT/ids.txt" "$ITER")

# 2. the real agent against the test API server serving the same node: RSS and time to cache
# two servers for the same node: one with no pods (what the client itself costs: libcurl,
# TLS, the thread) and one with the pods (what the pods cost on top)
start_api() { # dir pods
	"$PY" "$ROOT/tests/k8s/apiserver.py" --dir "$OUT/$1" --node "$NODE" --pods "$2" \
		--other-pods 0 --pad-bytes "$PAD" >"$OUT/$1.out" 2>"$OUT/$1.err" &
	API_PIDS="$API_PIDS $!"
	for _ in $(seq 100); do grep -q READY "$OUT/$1.out" 2>/dev/null && return; sleep 0.1; done
	echo "test API server did not start:"; cat "$OUT/$1.err"; exit 1
}
start_api api0 0
start_api api "$PODS"

# one agent run: prints "rss_kib=N cache_ms=M pods=P pod_bytes=B"
agent_run() {
	local mode=$1 log=$OUT/agent.err pid rss ms="" pods=0 bytes=0
	local args=(run --node "$NODE" --events process --stats-interval 1 --no-procfs-seed)
	case $mode in
	api | api0) args+=(--kubeconfig "$OUT/$mode/kubeconfig") ;;
	*) args+=(--no-kubernetes) ;;
	esac
	env -u KUBERNETES_SERVICE_HOST -u KUBECONFIG "$VIGIL" "${args[@]}" >"$OUT/agent.out" 2>"$log" &
	pid=$!
	for _ in $(seq 300); do
		grep -q "ready:" "$log" && { [ "$mode" = none ] || grep -q "pods of node" "$log"; } && break
		sleep 0.1
	done
	sleep 3 # steady state: the first list's buffers released, a few stats records written
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
	if [ "$mode" = api ]; then
		ms=$(sed -n 's/.*cached, \([0-9]*\) ms after start.*/\1/p' "$log")
		pods=$(grep '"type":"stats"' "$OUT/agent.out" | tail -1 | sed -n 's/.*"kubernetes":{[^}]*"pods":\([0-9]*\).*/\1/p')
		bytes=$(grep '"type":"stats"' "$OUT/agent.out" | tail -1 | sed -n 's/.*"kubernetes":{[^}]*"bytes":\([0-9]*\).*/\1/p')
	fi
	kill -INT "$pid"; wait "$pid" || true
	echo "rss_kib=$rss cache_ms=$ms pods=$pods pod_bytes=$bytes"
}

: >"$OUT/none"; : >"$OUT/api0.runs"; : >"$OUT/api.runs"
for _ in $(seq "$ROUNDS"); do
	agent_run none >>"$OUT/none"
	agent_run api0 >>"$OUT/api0.runs"
	agent_run api >>"$OUT/api.runs"
done
rss_none=$(sed 's/.*rss_kib=\([0-9]*\).*/\1/' "$OUT/none" | median)
rss_api0=$(sed 's/.*rss_kib=\([0-9]*\).*/\1/' "$OUT/api0.runs" | median)
rss_api=$(sed 's/.*rss_kib=\([0-9]*\).*/\1/' "$OUT/api.runs" | median)
cache_ms=$(sed 's/.*cache_ms=\([0-9]*\).*/\1/' "$OUT/api.runs" | median)
last=$(tail -1 "$OUT/api.runs")
list_bytes=$(stat -c %s "$OUT/podlist.json")

echo "== bench/k8s: $PODS pods, list $((list_bytes / 1024)) KiB, $ROUNDS rounds"
printf "enrichment per event: cgroup only %s ns, with pod metadata %s ns (memoised) / %s ns (looked up): +%s ns / +%s ns; line %s -> %s bytes\n" \
	"$(kv "$E" cgroup_ns)" "$(kv "$E" enriched_ns)" "$(kv "$E" enriched_lookup_ns)" \
	"$(kv "$E" added_ns)" "$(kv "$E" added_lookup_ns)" "$(kv "$E" cgroup_bytes)" "$(kv "$E" enriched_bytes)"
printf "pod cache: %s pods, %s containers, heap %s KiB (%s B/pod); cache accounting %s KiB\n" \
	"$(kv "$E" pods)" "$(kv "$E" containers)" "$(($(kv "$E" heap_bytes) / 1024))" \
	"$(kv "$E" per_pod_bytes)" "$(($(kv "$E" cache_bytes) / 1024))"
printf "agent RSS (median): no kubernetes %s KiB; API client, 0 pods %s KiB (+%s KiB); %s pods cached %s KiB: the pods +%s KiB (%s KiB/pod)\n" \
	"$rss_none" "$rss_api0" "$((rss_api0 - rss_none))" "$(kv "$last" pods)" "$rss_api" \
	"$((rss_api - rss_api0))" \
	"$(awk -v d=$((rss_api - rss_api0)) -v n="$PODS" 'BEGIN {printf "%.1f", d / n}')"
printf "time to a full cache after start-up (median): %s ms\n" "$cache_ms"
