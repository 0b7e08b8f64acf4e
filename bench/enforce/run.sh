#!/bin/bash
# bench/enforce: enforcement's kill latency (kernel and user-space paths) and what loaded
# enforcement rules cost an open storm (README.md here). As root, after `make`:
#   RUNS=1000 OPENS=1000000 bench/enforce/run.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUNS=${RUNS:-1000}
OPENS=${OPENS:-1000000}
VIGIL=${VIGIL_BIN:-$ROOT/build/vigil}
OUT=$(mktemp -d /tmp/vigil-enforce-bench.XXXXXX)
AGENT=""
cleanup() {
	[ -n "$AGENT" ] && kill -INT "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null || true
	rm -rf "$OUT"
}
trap cleanup EXIT

cc -O2 -o "$OUT/killbench" "$HERE/killbench.c"
make -s -C "$ROOT/bench/overhead" >/dev/null
STORM="$ROOT/bench/overhead/build/openstorm"
echo secret > "$OUT/kernel-secret"
echo secret > "$OUT/user-secret"
cat > "$OUT/rules.yaml" <<YAML
- rule: bench kernel kill
  desc: decided in the kernel (host scope named, so host processes are enforced on)
  condition: evt.type in (open, openat) and fd.name = $OUT/kernel-secret and container.id = host and proc.name = killbench
  output: kernel kill %proc.name
  priority: WARNING
  action: kill
- rule: bench user kill
  desc: decided in user space (proc.cmdline contains)
  condition: evt.type in (open, openat) and fd.name = $OUT/user-secret and container.id = host and proc.cmdline contains killbench
  output: user kill %proc.name
  priority: WARNING
  action: kill
YAML

# start_agent MODE: vigil with the bench rules in MODE (enforce; alert: the same rules as dry
# runs: the kernel rule is judged on the hooks all the same, so a reload can switch it, but the
# doom check on every syscall is not attached)
# start_agent MODE [TAG [OPTION...]]: TAG names the output files (default MODE)
start_agent() {
	local mode=$1 tag=${2:-$1}
	shift; shift || true
	"$VIGIL" run --rules "$OUT/rules.yaml" --rule-mode "$mode" --no-kubernetes \
		--stats-interval 0 "$@" >"$OUT/alerts.$tag" 2>"$OUT/log.$tag" &
	AGENT=$!
	for _ in $(seq 100); do grep -q "ready:" "$OUT/log.$tag" && return; sleep 0.1; done
	echo "vigil did not start:"; cat "$OUT/log.$tag"; exit 1
}
stop_agent() { kill -INT "$AGENT"; wait "$AGENT" || true; AGENT=""; }
storm() { "$STORM" -n "$OPENS" -p 2 | sed -n 's/.*per_open_us=\([0-9.]*\).*/\1/p'; }

echo "== open storm, $OPENS opens x 2 workers (per open, us)"
base=$(storm)
start_agent alert; alert=$(storm); stop_agent
start_agent enforce; enf=$(storm)
echo "no vigil:                         $base"
echo "vigil, rules as dry runs:         $alert   ratio $(awk "BEGIN{printf \"%.3f\", $alert / $base}")"
echo "vigil, enforcement on the hooks:  $enf   ratio $(awk "BEGIN{printf \"%.3f\", $enf / $base}")"
echo "== kills ($RUNS runs each)"
"$OUT/killbench" kernel "$RUNS" "$OUT/kernel-secret"
"$OUT/killbench" user "$RUNS" "$OUT/user-secret"
sleep 0.5
stop_agent
# the same user-space kills with the event thread on the kernel's default time slice: what the
# short slice (docs/config.md, event_slice) changes, side by side
start_agent enforce noslice --event-slice 0
echo "   ... the event thread on the kernel's default slice (--event-slice 0):"
"$OUT/killbench" user "$RUNS" "$OUT/user-secret"
sleep 0.5
stop_agent
echo "== user-space path, from the syscall's return to the SIGKILL (alerts' latency_ns)"
python3 - "$OUT/alerts.enforce" "$OUT/alerts.noslice" <<'PY'
import json, sys
for path, what in zip(sys.argv[1:], ("event thread slice 100 us", "kernel's default slice")):
    alerts = [json.loads(l) for l in open(path)]
    lat = sorted(a["enforcement"]["latency_ns"] for a in alerts if a.get("rule") == "bench user kill")
    if lat:
        print(f"{what}: alerts={len(lat)} p50_us={lat[len(lat)//2]/1e3:.1f} "
              f"p99_us={lat[len(lat)*99//100]/1e3:.1f} max_us={lat[-1]/1e3:.1f}")
PY
