#!/usr/bin/env bash
# Overhead benchmark driver (see README.md). Times each storm with nothing attached (baseline),
# with empty programs on vigil's hooks (floor), with vigil running, and with execsnoop (peer,
# exec storm only, if installed). Configurations alternate within each round, the starting one
# rotating, so drift and noise hit all of them alike; medians are compared at the end.
# Progress goes to stderr, the report to stdout.
set -uo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
B=$HERE/build
ROUNDS=${ROUNDS:-5}
EXEC_N=${EXEC_N:-5000}
OPEN_N=${OPEN_N:-2000000}
WORKERS=${WORKERS:-2}
VIGIL_BIN=${VIGIL_BIN:-$HERE/../../build/vigil}
OUT=${OUT_DIR:-$B/results}
IDLE_S=2          # vigil idles this long after "ready" before its idle RSS is read
READY_TIMEOUT=30  # seconds a loader may take to attach
STOP_TIMEOUT=10   # seconds a loader may take to exit after SIGINT

LIVE=()           # pids of the loaders we started, killed on any exit

log() { printf '%s\n' "$*" >&2; }
die() { log "run.sh: $*"; exit 1; }

cleanup() {
	local pid i
	for pid in "${LIVE[@]}"; do
		kill -TERM "$pid" 2>/dev/null || continue
		for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	LIVE=()
}
trap cleanup EXIT
trap 'log "run.sh: interrupted"; exit 130' INT TERM

untrack() {
	local pid keep=()
	for pid in "${LIVE[@]}"; do [ "$pid" = "$1" ] || keep+=("$pid"); done
	LIVE=("${keep[@]}")
}

# kv LINE KEY: the value of KEY=value in a storm's report line.
kv() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# stderr_has FILE REGEX
stderr_has() { grep -Eq -- "$2" "$1" 2>/dev/null; }

# bpf_links_ready PID: true once PID holds a bpf link for each of its (>0) bpf programs. Used for
# the peer, which announces readiness only on stdout (sent to /dev/null).
bpf_links_ready() {
	local fds progs links
	fds=$(find "/proc/$1/fd" -mindepth 1 -printf '%l\n' 2>/dev/null) || return 1
	progs=$(grep -c '^anon_inode:bpf-prog$' <<<"$fds")
	links=$(grep -c '^anon_inode:bpf_link$' <<<"$fds")
	[ "$progs" -gt 0 ] && [ "$links" -ge "$progs" ]
}

# wait_ready PID CHECK [ARGS...]: poll CHECK; returns 0 when true, 1 if PID died, 2 on timeout.
wait_ready() {
	local pid=$1 deadline=$((SECONDS + READY_TIMEOUT))
	shift
	while ! "$@"; do
		kill -0 "$pid" 2>/dev/null || return 1
		[ "$SECONDS" -ge "$deadline" ] && return 2
		sleep 0.05
	done
}

# tracing_progs: "id name" of every loaded BPF program of a tracing type, sorted.
tracing_progs() {
	bpftool -j prog show 2>/dev/null | /usr/bin/python3 -c '
import json, sys
types = {"tracing", "raw_tracepoint", "tracepoint", "kprobe", "perf_event", "lsm"}
try:
    progs = json.load(sys.stdin)
except ValueError:
    sys.exit(0)
for p in progs:
    if p.get("type") in types:
        print(p.get("id"), p.get("name", "?"))
' | sort
}

# start NAME STDOUT STDERR CMD...: start a loader in the background with SIGINT at its default
# disposition (a script's background jobs otherwise inherit it ignored); sets PID.
start() {
	local name=$1 out=$2 err=$3
	shift 3
	PROGS_BEFORE=$(tracing_progs)
	env --default-signal=INT "$@" >"$out" 2>"$err" &
	PID=$!
	LIVE+=("$PID")
	log "  $name started (pid $PID)"
}

# stop PID NAME: SIGINT, then SIGKILL after STOP_TIMEOUT s; returns the exit status.
stop() {
	local pid=$1 name=$2 rc=0 deadline=$((SECONDS + STOP_TIMEOUT))
	kill -INT "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			log "  $name (pid $pid) still running ${STOP_TIMEOUT}s after SIGINT: SIGKILL"
			kill -KILL "$pid" 2>/dev/null
			break
		fi
		sleep 0.05
	done
	wait "$pid" 2>/dev/null || rc=$?
	untrack "$pid"
	progs_released
	return "$rc"
}

# progs_released: wait (up to 3 s) until the programs the last loader added are freed; the kernel
# frees them a little after the loader exits, and foreign_progs must not count them.
progs_released() {
	local i
	for ((i = 0; i < 60; i++)); do
		[ -z "$(comm -13 <(echo "$PROGS_BEFORE") <(tracing_progs))" ] && return 0
		sleep 0.05
	done
	log "  warning: programs still loaded 3 s after their loader exited"
}

# ready_or_fail PID NAME ERRFILE CHECK...: wait for readiness, explain a failure and stop PID.
ready_or_fail() {
	local pid=$1 name=$2 err=$3 rc=0
	shift 3
	wait_ready "$pid" "$@" || rc=$?
	[ "$rc" -eq 0 ] && return 0
	if [ "$rc" -eq 1 ]; then
		log "  $name exited before it was ready; its stderr ends with:"
	else
		log "  $name not ready after ${READY_TIMEOUT}s; its stderr ends with:"
	fi
	tail -n 5 "$err" | sed 's/^/    /' >&2
	stop "$pid" "$name"
	return 1
}

# fail NAME WHY: say why a configuration's run is discarded, and keep it for the summary.
fail() {
	log "  $1: $2"
	printf '%s %s round %s: %s\n' "$1" "$STORM" "$ROUND" "$2" >>"$OUT/failures"
	return 1
}

# storm: run the current storm (STORM) once; sets ROW, the line record() will keep.
storm() {
	local line
	case $STORM in
	exec) line=$("$B/execstorm" -n "$EXEC_N" -p "$WORKERS") ;;
	open) line=$("$B/openstorm" -n "$OPEN_N" -p "$WORKERS") ;;
	esac || { fail "$CONFIG" "the $STORM storm failed"; return 1; }
	ROW=$(printf '%s\t%s\t%s\t%s\t%s' "$STORM" "$CONFIG" "$ROUND" "$(kv "$line" wall_s)" \
		"$(kv "$line" "per_${STORM}_us")")
	log "  $(printf '%-8s' "$CONFIG") $line"
}

record() { printf '%s\n' "$ROW" >>"$OUT/times.tsv"; }

# alive PID NAME: a loader that went away before we stopped it makes the run worthless.
alive() { kill -0 "$1" 2>/dev/null || fail "$2" "exited before it was stopped: run discarded"; }

# finish PID NAME: stop a loader; its exit status must be 0.
finish() {
	local rc=0
	stop "$1" "$2" || rc=$?
	[ "$rc" -eq 0 ] || fail "$2" "exited $rc when stopped"
}

run_baseline() { storm && record; }

# run_loaded NAME ERRFILE CHECK...: the storm with the loader just started as PID attached.
run_loaded() {
	local name=$1 err=$2 ok=1
	shift 2
	ready_or_fail "$PID" "$name" "$err" "$@" || return 1
	storm && alive "$PID" "$name" || ok=0
	finish "$PID" "$name" || ok=0
	[ "$ok" -eq 1 ] && record
}

run_floor() {
	start floor /dev/null "$OUT/floor.err" "$B/floor"
	run_loaded floor "$OUT/floor.err" stderr_has "$OUT/floor.err" '^floor: ready'
}

run_peer() {
	start execsnoop /dev/null "$OUT/peer.err" "$PEER_BIN"
	# execsnoop says it is ready only on stdout: watch its links instead.
	run_loaded execsnoop "$OUT/peer.err" bpf_links_ready "$PID"
}

# proc_kb PID FIELD: a Vm* field of /proc/PID/status, in kB.
proc_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null; }

# cpu_s PID: user+system CPU seconds PID has used.
cpu_s() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null |
		awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($12 + $13) / hz }'
}

# vigil_stats FILE: vigil's final stats line as "final=1 exec=N fork=N exit=N drops=N
# drops_detail=... lines=N bad=N bytes=N" (final=0 when absent); the line alone is saved next
# to FILE as .stats.json.
vigil_stats() {
	/usr/bin/python3 -c '
import json, sys
def flat(d, pre=""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from flat(v, pre + k + ".")
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            yield pre + k, v
final, raw, lines, bad, size = None, "", 0, 0, 0
with open(sys.argv[1], "rb") as f:
    for line in f:
        lines += 1
        size += len(line)
        try:
            o = json.loads(line)
        except ValueError:
            bad += 1
            continue
        if isinstance(o, dict) and o.get("type") == "stats" and o.get("final") is True:
            final, raw = o, line.decode()
tail = "lines=%d bad=%d bytes=%d" % (lines, bad, size)
if final is None:
    print("final=0 " + tail)
    sys.exit(0)
with open(sys.argv[1].rsplit(".", 1)[0] + ".stats.json", "w") as f:
    f.write(raw)
ev = final.get("events", {})
drops = dict(flat(final.get("drops", {})))
detail = ",".join("%s:%d" % (k, v) for k, v in sorted(drops.items()) if v) or "none"
print("final=1 exec=%d fork=%d exit=%d drops=%d drops_detail=%s %s" % (ev.get("exec", 0),
    ev.get("fork", 0), ev.get("exit", 0), sum(drops.values()), detail, tail))
' "$1"
}

# The least vigil must have seen for one storm: the storm's own processes. The shell forks the
# storm (fork, exec, exit); the storm forks WORKERS workers (fork, exit); each spawn is a fork,
# an exec and an exit.
expected() {
	local n=0
	[ "$1" = exec ] && n=$EXEC_N
	echo "exec=$((n + 1)) fork=$((n + WORKERS + 1)) exit=$((n + WORKERS + 1))"
}

# run_vigil: like run_loaded, plus RSS idle and under load, CPU used in the storm, final stats.
run_vigil() {
	local tag=$STORM-$ROUND ok=1 idle hwm rss c0 c1 stats
	local out=$OUT/vigil-$tag.jsonl err=$OUT/vigil-$tag.err
	start vigil "$out" "$err" "$VIGIL_BIN" run
	ready_or_fail "$PID" vigil "$err" stderr_has "$err" '\bready\b' || return 1
	sleep "$IDLE_S"
	idle=$(proc_kb "$PID" VmRSS)
	c0=$(cpu_s "$PID")
	storm && alive "$PID" vigil || ok=0
	hwm=$(proc_kb "$PID" VmHWM)
	rss=$(proc_kb "$PID" VmRSS)
	c1=$(cpu_s "$PID")
	finish "$PID" vigil || ok=0
	stats=$(vigil_stats "$out") || stats="final=0"
	[ -n "${KEEP_JSONL:-}" ] || rm -f "$out"
	[ "$ok" -eq 1 ] || return 1
	record
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$STORM" "$ROUND" "$idle" "$hwm" "$rss" \
		"$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')" \
		"$stats" >>"$OUT/vigil.tsv"
}

# median STORM CONFIG [COLUMN]: median of a times.tsv column (4 = wall_s), or n/a.
median() {
	awk -F'\t' -v s="$1" -v c="$2" -v col="${3:-4}" '$1 == s && $2 == c { print $col }' \
		"$OUT/times.tsv" | sort -g |
		awk '{ a[NR] = $1 } END {
			if (!NR) { print "n/a"; exit }
			print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# spread STORM CONFIG: (max - min) / median of wall_s, in percent.
spread() {
	awk -F'\t' -v s="$1" -v c="$2" -v m="$(median "$1" "$2")" '
		$1 == s && $2 == c { v = $4 + 0; if (!n++ || v < lo) lo = v; if (v > hi) hi = v }
		END { if (n && m > 0) printf "%.1f%%", 100 * (hi - lo) / m; else print "n/a" }' \
		"$OUT/times.tsv"
}

ratio() {
	[ "$1" = n/a ] || [ "$2" = n/a ] && { echo n/a; return; }
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'
}

# num VALUE DECIMALS: VALUE rounded for display; n/a stays n/a.
num() {
	[ "$1" = n/a ] && { echo n/a; return; }
	awk -v v="$1" -v d="$2" 'BEGIN { printf "%.*f", d, v }'
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# configs STORM: the configurations available for STORM, in their base order.
configs() {
	local c=(baseline floor)
	[ -n "$VIGIL_OK" ] && c+=(vigil)
	[ "$1" = exec ] && [ -n "$PEER_BIN" ] && c+=(peer)
	echo "${c[@]}"
}

# foreign_progs: names of the tracing BPF programs loaded now. Called when none of ours is (stop
# waits for them to be freed), so anything listed is someone else's, and runs during our storms.
foreign_progs() { tracing_progs | awk '{ print $2 }' | sort -u | tr '\n' ' ' | sed 's/ $//'; }

# run_rounds STORM: every configuration once per round, the first one rotating.
run_rounds() {
	local list i k others failed=" "
	STORM=$1
	read -ra list <<<"$(configs "$STORM")"
	k=${#list[@]}
	for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
		log "$STORM storm, round $ROUND/$ROUNDS"
		for ((i = 0; i < k; i++)); do
			CONFIG=${list[$(((ROUND - 1 + i) % k))]}
			case $failed in *" $CONFIG "*) continue ;; esac
			others=$(foreign_progs)
			if [ -n "$others" ]; then
				log "  warning: other tracing BPF programs are loaded: $others"
				echo "$STORM round $ROUND $CONFIG: $others" >>"$OUT/foreign"
			fi
			if ! "run_$CONFIG"; then
				[ "$CONFIG" = baseline ] && die "the $STORM storm fails on its own"
				log "  $CONFIG dropped from the remaining $STORM rounds"
				failed+="$CONFIG "
			fi
		done
	done
}

report_storm() {
	local s=$1 n=$2 cfg base fl vg pr
	echo "== $s storm: $n ops, $WORKERS workers, $ROUNDS rounds (median of wall time) =="
	printf '%-10s %10s %12s %8s\n' config wall_s "per_${s}_us" spread
	for cfg in baseline floor vigil peer; do
		[ "$cfg" = peer ] && [ "$s" != exec ] && continue
		printf '%-10s %10s %12s %8s\n' "$cfg" "$(num "$(median "$s" "$cfg")" 3)" \
			"$(num "$(median "$s" "$cfg" 5)" 2)" "$(spread "$s" "$cfg")"
	done
	base=$(median "$s" baseline) fl=$(median "$s" floor) vg=$(median "$s" vigil)
	printf 'ratios: floor/baseline=%s vigil/baseline=%s vigil/floor=%s' \
		"$(ratio "$fl" "$base")" "$(ratio "$vg" "$base")" "$(ratio "$vg" "$fl")"
	if [ "$s" = exec ]; then
		pr=$(median "$s" peer)
		printf ' peer/baseline=%s' "$(ratio "$pr" "$base")"
	fi
	printf '\n'
	report_vigil "$s"
	echo
}

# check_events STATS EXPECTED: "OK" or what is missing, event type by event type.
check_events() {
	local t got want out=""
	for t in exec fork exit; do
		got=$(kv "$1" "$t") want=$(kv "$2" "$t")
		[ "${got:-0}" -lt "$want" ] && out+=" $t short by $((want - ${got:-0}))"
	done
	echo "${out:- OK}"
}

report_vigil() {
	local s=$1 st round idle hwm rss cpu stats exp bytes lines
	[ -s "$OUT/vigil.tsv" ] && grep -q "^$s"$'\t' "$OUT/vigil.tsv" || return 0
	exp=$(expected "$s")
	echo "vigil, per round (expected at least: $exp):"
	while IFS=$'\t' read -r st round idle hwm rss cpu stats; do
		[ "$st" = "$s" ] || continue
		if [ "$(kv "$stats" final)" != 1 ]; then
			echo "  round $round: no final stats line on vigil's stdout ($stats)"
		else
			printf '  round %s: events exec=%s fork=%s exit=%s ->%s; drops=%s (%s)\n' \
				"$round" "$(kv "$stats" exec)" "$(kv "$stats" fork)" \
				"$(kv "$stats" exit)" "$(check_events "$stats" "$exp")" \
				"$(kv "$stats" drops)" "$(kv "$stats" drops_detail)"
			[ "$(kv "$stats" bad)" -gt 0 ] &&
				echo "    $(kv "$stats" bad) of $(kv "$stats" lines) stdout lines are not JSON"
		fi
		bytes=$(kv "$stats" bytes) lines=$(kv "$stats" lines)
		printf '    stdout %s MiB in %s lines (%s bytes/line)\n' "$(mib $((bytes / 1024)))" \
			"$lines" $((bytes / (lines > 0 ? lines : 1)))
		printf '    RSS idle %s MiB, end %s MiB, peak (VmHWM) %s MiB; cpu %s s in the storm\n' \
			"$(mib "$idle")" "$(mib "$rss")" "$(mib "$hwm")" "$cpu"
	done <"$OUT/vigil.tsv"
}

summary() {
	local s n base fl vg pr
	echo "---- summary ----"
	echo "vigil overhead, $(date -u +%Y-%m-%d), kernel $(uname -r), $(nproc) CPUs," \
		"$WORKERS workers, median of $ROUNDS rounds"
	printf '%-16s %10s %9s %9s %9s %11s %10s %11s %10s\n' storm baseline_s floor_s vigil_s \
		peer_s floor/base vigil/base vigil/floor peer/base
	for s in exec open; do
		n=$EXEC_N
		[ "$s" = open ] && n=$OPEN_N
		base=$(median "$s" baseline) fl=$(median "$s" floor) vg=$(median "$s" vigil)
		pr=n/a
		[ "$s" = exec ] && pr=$(median "$s" peer)
		printf '%-16s %10s %9s %9s %9s %11s %10s %11s %10s\n' "$s x$n" \
			"$(num "$base" 3)" "$(num "$fl" 3)" "$(num "$vg" 3)" "$(num "$pr" 3)" \
			"$(ratio "$fl" "$base")" "$(ratio "$vg" "$base")" "$(ratio "$vg" "$fl")" \
			"$(ratio "$pr" "$base")"
	done
	if [ -s "$OUT/vigil.tsv" ]; then
		awk -F'\t' -v en="$EXEC_N" '{
			if ($3 > idle) idle = $3; if ($4 > hwm) hwm = $4
			if ($7 !~ /final=1/) { nofinal++; next }
			split($7, kvs, " ")
			for (i in kvs) { split(kvs[i], p, "="); v[p[1]] = p[2] }
			drops += v["drops"]
			if (v["exec"] >= ($1 == "exec" ? en : 0) + 1) complete++
		} END {
			printf "vigil: exec events complete in %d/%d runs, %d without final stats; " \
				"drops %d\n", complete, NR, nofinal, drops
			printf "vigil: RSS idle <= %.1f MiB, peak (VmHWM) <= %.1f MiB\n",
				idle / 1024, hwm / 1024 }' "$OUT/vigil.tsv"
	elif [ -n "$VIGIL_OK" ]; then
		echo "vigil: $VIGIL_BIN failed in every round (see $OUT/vigil-*.err)"
	else
		echo "vigil: $VIGIL_NOTE"
	fi
	echo "peer: $PEER_NOTE"
	[ -s "$OUT/failures" ] && sed 's/^/failed: /' "$OUT/failures"
	[ -s "$OUT/foreign" ] &&
		echo "warning: other tracing BPF programs ran during $(wc -l <"$OUT/foreign") runs" \
			"(see $OUT/foreign): figures are suspect"
	echo "----"
}

# Which configurations can run here; each absence is said once, plainly.
probe_configs() {
	VIGIL_OK='' PEER_BIN=''
	if [ -x "$VIGIL_BIN" ]; then
		VIGIL_OK=1 VIGIL_NOTE="$VIGIL_BIN"
	else
		VIGIL_NOTE="vigil not built ($VIGIL_BIN missing; 'make' at the repo root builds it):"
		VIGIL_NOTE+=" column skipped"
		log "$VIGIL_NOTE"
	fi
	local es
	es=$(command -v execsnoop || { [ -x /usr/sbin/execsnoop ] && echo /usr/sbin/execsnoop; })
	if [ -z "$es" ]; then
		PEER_NOTE="libbpf-tools execsnoop not installed (apt-get install libbpf-tools)"
	elif [ ! -e /sys/kernel/tracing/events/syscalls/sys_enter_execve ] &&
		[ ! -e /sys/kernel/debug/tracing/events/syscalls/sys_enter_execve ]; then
		PEER_NOTE="$es needs tracefs, which is not mounted"
		PEER_NOTE+=" (mount -t tracefs nodev /sys/kernel/tracing): skipped"
	else
		PEER_BIN=$es PEER_NOTE="$es (libbpf-tools), exec storm only, stdout to /dev/null"
	fi
	log "peer: $PEER_NOTE"
}

main() {
	local v
	for v in ROUNDS EXEC_N OPEN_N WORKERS; do
		[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, not '${!v}'"
	done
	[ "$(id -u)" -eq 0 ] || die "loading BPF programs needs root"
	make -s -C "$HERE" all >&2 || die "build failed"
	mkdir -p "$OUT" || die "cannot create $OUT"
	# Only what an earlier run left: OUT_DIR may be a directory the user cares about.
	rm -f "$OUT"/times.tsv "$OUT"/vigil.tsv "$OUT"/floor.err "$OUT"/peer.err "$OUT"/vigil-* \
		"$OUT"/failures "$OUT"/foreign
	: >"$OUT/times.tsv"
	probe_configs
	log "warm-up"
	"$B/execstorm" -n 200 -p "$WORKERS" >/dev/null || die "the exec storm fails"
	"$B/openstorm" -n 20000 -p "$WORKERS" >/dev/null || die "the open storm fails"
	run_rounds exec
	run_rounds open
	report_storm exec "$EXEC_N"
	report_storm open "$OPEN_N"
	summary
	log "raw data: $OUT"
}

main "$@"
