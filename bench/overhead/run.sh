#!/usr/bin/env bash
# Overhead benchmark driver (see README.md). Times each storm (exec, open, connect) with nothing
# attached (baseline), with empty programs on vigil's hooks (floor), with vigil running (and for
# the open storm, with vigil told to ignore the storm's path: vigil-filtered), and with a
# libbpf-tools peer (execsnoop, opensnoop) if installed. The open storm also runs under the
# least an agent can do (least.bpf.c: least-filter, least-deliver), the reference points for
# vigil's targets. Configurations alternate within each
# round, the starting one rotating, so drift and noise hit all of them alike; medians are
# compared at the end. Then one loss check: three open storms at once under vigil.
# Progress goes to stderr, the report to stdout.
set -uo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
B=$HERE/build
ROUNDS=${ROUNDS:-5}
EXEC_N=${EXEC_N:-5000}
OPEN_N=${OPEN_N:-500000}
CONNECT_N=${CONNECT_N:-20000}
LOSS_N=${LOSS_N:-$OPEN_N}  # opens per storm in the loss check; 0 skips it
ACCOUNT=${ACCOUNT:-1}      # the accounting pass (BPF statistics on); 0 skips it
WORKERS=${WORKERS:-2}
STORMS=${STORMS:-exec open connect}
OPEN_PATH=${OPEN_PATH:-/etc/hostname}
VIGIL_BIN=${VIGIL_BIN:-$HERE/../../build/vigil}
# Falco's stable rules, for the vigil-rules configuration (skipped when the file is missing)
STABLE_RULES=${STABLE_RULES:-$HERE/../../../shared/falco-rules/falco_rules.yaml}
OUT=${OUT_DIR:-$B/results}
IDLE_S=2          # vigil idles this long after "ready" before its idle RSS is read
READY_TIMEOUT=30  # seconds a loader may take to attach
STOP_TIMEOUT=10   # seconds a loader may take to exit after SIGINT

LIVE=()           # pids of the loaders (and loss-check storms) we started, killed on any exit

# The report: reads what the runs leave in $OUT.
# shellcheck source=report.sh
. "$HERE/report.sh" || exit 1

log() { printf '%s\n' "$*" >&2; }
die() { log "run.sh: $*"; exit 1; }

cleanup() {
	local pid i
	[ -n "${STATS_ON:-}" ] && sysctl -qw kernel.bpf_stats_enabled=0
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

# storm [PID]: run the current storm (STORM) once, with the loader PID (none for the baseline)
# attached; sets ROW, the line record() will keep, and LOADER_CPU, the CPU seconds PID used
# from the storm's start until it was idle again (a loader behind the storm drains its buffers
# after the storm ends; that work is part of what the storm cost).
storm() {
	local line c0=0 c1=0 t i
	[ -n "${1:-}" ] && c0=$(cpu_s "$1")
	case $STORM in
	exec) line=$("$B/execstorm" -n "$EXEC_N" -p "$WORKERS") ;;
	open) line=$("$B/openstorm" -n "$OPEN_N" -p "$WORKERS" "$OPEN_PATH") ;;
	connect) line=$("$B/connectstorm" -n "$CONNECT_N" -p "$WORKERS") ;;
	esac || { fail "$CONFIG" "the $STORM storm failed"; return 1; }
	if [ -n "${1:-}" ]; then
		# idle: under 2 ms of CPU in 100 ms; at most 5 s
		c1=$(cpu_s "$1")
		for ((i = 0; i < 50; i++)); do
			sleep 0.1
			t=$(cpu_s "$1")
			awk -v a="$c1" -v b="$t" 'BEGIN { exit !(b - a < 0.002) }' && break
			c1=$t
		done
	fi
	LOADER_CPU=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.6f", b - a }')
	ROW=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s' "$STORM" "$CONFIG" "$ROUND" "$(kv "$line" wall_s)" \
		"$(kv "$line" "per_${STORM}_us")" "$(kv "$line" cpu_s)" "$LOADER_CPU")
	log "  $(printf '%-14s' "$CONFIG") $line loader_cpu_s=$LOADER_CPU"
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
	storm "$PID" && alive "$PID" "$name" || ok=0
	finish "$PID" "$name" || ok=0
	[ "$ok" -eq 1 ] && record
}

run_floor() {
	start floor /dev/null "$OUT/floor.err" "$B/floor"
	run_loaded floor "$OUT/floor.err" stderr_has "$OUT/floor.err" '^floor: ready'
}

# least_args CONFIG: set LARGS, the arguments build/least gets in a least-* configuration.
least_args() {
	case $1 in
	least-filter) LARGS=(filter "$OPEN_PATH") ;;
	least-deliver) LARGS=(deliver "$OUT/$1-$STORM-$ROUND.jsonl") ;;
	esac
}

# start_least CONFIG ERRFILE: start build/least as CONFIG says (sets PID).
start_least() {
	least_args "$1"
	start "$1" /dev/null "$2" "$B/least" "${LARGS[@]}"
}

run_least() {
	local err=$OUT/$CONFIG-$STORM-$ROUND.err ok=0
	start_least "$CONFIG" "$err"
	run_loaded "$CONFIG" "$err" stderr_has "$err" '^least: ready' && ok=1
	rm -f "$OUT/$CONFIG-$STORM-$ROUND.jsonl"
	[ "$ok" -eq 1 ]
}

run_peer() {
	local bin name err=$OUT/peer-$STORM-$ROUND.err
	bin=$(peer_bin "$STORM")
	name=$(basename "$bin")
	start "$name" /dev/null "$err" "$bin"
	# The peers say they are ready only on stdout: watch their links instead.
	run_loaded "$name" "$err" bpf_links_ready "$PID"
}

# run_config CONFIG: one run of the current storm under CONFIG.
run_config() {
	case $1 in
	baseline) run_baseline ;;
	floor) run_floor ;;
	least-*) run_least ;;
	vigil | vigil-filtered | vigil-rules) vigil_args "$1" && run_vigil "${VARGS[@]}" ;;
	peer) run_peer ;;
	esac
}

# vigil_args CONFIG: set VARGS, the arguments `vigil run` gets in a vigil configuration.
vigil_args() {
	case $1 in
	vigil) VARGS=() ;;
	# The storm's file, exactly: its opens are dropped in the kernel before a record is built.
	vigil-filtered) VARGS=(--ignore-path "$OPEN_PATH") ;;
	# Falco's stable rules, alerts only: the kernel drops what no rule can match
	vigil-rules) VARGS=(--rules "$STABLE_RULES") ;;
	esac
}

# proc_kb PID FIELD: a Vm* field of /proc/PID/status, in kB.
proc_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null; }

# cpu_s PID: CPU seconds PID's threads have used, from the scheduler's per-thread runtime in
# nanoseconds (/proc/PID/task/*/schedstat; /proc/PID/stat counts in clock ticks, too coarse for a
# loader that uses 20 ms). A thread that exited is not counted: vigil's and the peers' threads
# live as long as the process.
cpu_s() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ ns += $1 } END { printf "%.6f", ns / 1e9 }'
}

# vigil_stats FILE: vigil's final stats line, flattened to key=value words: final=1, then per
# event type T ev_T (received by user space), seen_T, emit_T, filt_T (kernel: seen, emitted,
# filtered for any reason), path_T (filtered by --ignore-path), rb_T (lost: ring buffer full);
# lost (all rb_), seq_gaps, drops (lost + decode and output errors), drops_detail; and, from
# the whole file, lines, bad (lines that are not one JSON object) and bytes. final=0 when the
# line is missing. The line alone is saved next to FILE as .stats.json. The file can be GBs:
# only grep and wc read all of it.
vigil_stats() {
	local f=$1 lines bytes bad
	read -r lines bytes < <(wc -lc <"$f")
	bad=$(grep -cv '^{.*}$' "$f")
	grep -F '"type":"stats"' "$f" | /usr/bin/python3 -c '
import json, sys
final = None
for line in sys.stdin:
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if isinstance(o, dict) and o.get("type") == "stats" and o.get("final") is True:
        final, raw = o, line
if final is None:
    sys.stdout.write("final=0")
    sys.exit(0)
with open(sys.argv[1], "w") as f:
    f.write(raw)
kern, drops = final.get("kernel", {}), final.get("drops", {})
reasons = kern.get("filtered", {})
rb = drops.get("ringbuf_full", {})
filt = {}
for per in reasons.values():
    for t, v in per.items():
        filt[t] = filt.get(t, 0) + v
out = ["final=1"]
for pre, m in (("ev", final.get("events", {})), ("seen", kern.get("seen", {})),
               ("emit", kern.get("emitted", {})), ("filt", filt),
               ("path", reasons.get("path", {})), ("rules", reasons.get("rules", {})),
               ("rb", rb)):
    out += ["%s_%s=%d" % (pre, t, v) for t, v in sorted(m.items())]
lost = sum(rb.values())
gaps = drops.get("seq_gaps", 0)
errs = drops.get("decode_error", 0) + drops.get("output_error", 0)
detail = ["ringbuf_full.%s:%d" % (t, v) for t, v in sorted(rb.items()) if v]
detail += ["%s:%d" % (k, v) for k, v in sorted(drops.items())
           if k != "ringbuf_full" and isinstance(v, int) and v]
out += ["lost=%d" % lost, "seq_gaps=%d" % gaps, "drops=%d" % (lost + errs),
        "drops_detail=" + (",".join(detail) or "none")]
sys.stdout.write(" ".join(out))
' "${f%.*}.stats.json"
	printf ' lines=%s bad=%s bytes=%s\n' "$lines" "${bad:-0}" "$bytes"
}

# expected STORM CONFIG: the least vigil must have reported for one storm, as key=count words
# (keys as in vigil_stats). The storm's own processes: the shell forks the storm (fork, exec,
# exit), the storm forks WORKERS workers (fork, exit), each exec-storm spawn is a fork, an exec
# and an exit. Then the storm's own operations, each with the one the storm makes before timing
# to fail early: opens (or, filtered, opens dropped by path), connects and accepts.
expected() {
	local n=0 e
	[ "$1" = exec ] && n=$EXEC_N
	e="ev_exec=$((n + 1)) ev_fork=$((n + WORKERS + 1)) ev_exit=$((n + WORKERS + 1))"
	case $1/$2 in
	open/vigil) e+=" ev_open=$((OPEN_N + 1))" ;;
	open/vigil-filtered) e+=" path_open=$((OPEN_N + 1))" ;;
	open/vigil-rules) e+=" rules_open=$((OPEN_N + 1))" ;;
	connect/vigil) e+=" ev_connect=$((CONNECT_N + 1)) ev_accept=$((CONNECT_N + 1))" ;;
	esac
	echo "$e"
}

# run_vigil [ARGS...]: like run_loaded with `vigil run ARGS`, plus RSS idle and under load, CPU
# used in the storm, final stats.
run_vigil() {
	local tag=$CONFIG-$STORM-$ROUND ok=1 idle hwm rss stats
	local out=$OUT/$tag.jsonl err=$OUT/$tag.err
	start "$CONFIG" "$out" "$err" "$VIGIL_BIN" run "$@"
	ready_or_fail "$PID" "$CONFIG" "$err" stderr_has "$err" '\bready\b' || return 1
	sleep "$IDLE_S"
	idle=$(proc_kb "$PID" VmRSS)
	storm "$PID" && alive "$PID" "$CONFIG" || ok=0
	hwm=$(proc_kb "$PID" VmHWM)
	rss=$(proc_kb "$PID" VmRSS)
	finish "$PID" "$CONFIG" || ok=0
	stats=$(vigil_stats "$out") || stats="final=0"
	[ -n "${KEEP_JSONL:-}" ] || rm -f "$out"
	[ "$ok" -eq 1 ] || return 1
	record
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$STORM" "$CONFIG" "$ROUND" "$idle" "$hwm" \
		"$rss" "$(num "$LOADER_CPU" 2)" "$stats" >>"$OUT/vigil.tsv"
}

# bpf_totals: "run_time_ns run_cnt" summed over the tracing programs the last loader added
# (those loaded now and not before it started). Counted only while kernel.bpf_stats_enabled.
bpf_totals() {
	local ids
	ids=$(comm -13 <(echo "$PROGS_BEFORE") <(tracing_progs) | awk '{ print $1 }' | tr '\n' ' ')
	bpftool -j prog show 2>/dev/null | /usr/bin/python3 -c '
import json, sys
want = set(int(i) for i in sys.argv[1:])
try:
    progs = json.load(sys.stdin)
except ValueError:
    progs = []
t = n = 0
for p in progs:
    if p.get("id") in want:
        t += p.get("run_time_ns", 0)
        n += p.get("run_cnt", 0)
print(t, n)
' $ids
}

# run_account CONFIG: the accounting pass (see README.md, "Accounted cost"): the storm once
# under CONFIG with the kernel's BPF statistics on; appends "storm config ops run_time_ns
# run_cnt loader_cpu_s" to $OUT/account.
run_account() {
	local err=$OUT/account-$STORM-$1.err out=/dev/null b0 b1 ok=1
	CONFIG=$1 ROUND=account
	case $1 in
	floor)
		start floor /dev/null "$err" "$B/floor"
		ready_or_fail "$PID" floor "$err" stderr_has "$err" '^floor: ready' || return 1 ;;
	least-*)
		start_least "$1" "$err"
		ready_or_fail "$PID" "$1" "$err" stderr_has "$err" '^least: ready' || return 1 ;;
	*)
		vigil_args "$1"
		start "$1" "$out" "$err" "$VIGIL_BIN" run "${VARGS[@]}"
		ready_or_fail "$PID" "$1" "$err" stderr_has "$err" '\bready\b' || return 1
		sleep "$IDLE_S" ;; # as in the rounds: start-up work (the store's) is not the storm's
	esac
	STATS_ON=1
	sysctl -qw kernel.bpf_stats_enabled=1 || { finish "$PID" "$1"; return 1; }
	b0=$(bpf_totals)
	storm "$PID" && alive "$PID" "$1" || ok=0
	b1=$(bpf_totals)
	sysctl -qw kernel.bpf_stats_enabled=0
	STATS_ON=
	finish "$PID" "$1" || ok=0
	[ "$ok" -eq 1 ] || return 1
	printf '%s %s %s %s %s %s\n' "$STORM" "$1" "$(storm_n "$STORM")" \
		$(($(echo "$b1" | cut -d' ' -f1) - $(echo "$b0" | cut -d' ' -f1))) \
		$(($(echo "$b1" | cut -d' ' -f2) - $(echo "$b0" | cut -d' ' -f2))) "$LOADER_CPU" \
		>>"$OUT/account"
}

# run_accounting: run_account for the floor, the configurations whose targets are small ratios
# (vigil-filtered, vigil-rules) and their reference (least-filter), on the storms that have them.
run_accounting() {
	local c
	for STORM in $STORMS; do
		case $STORM in exec | open) ;; *) continue ;; esac
		for c in floor $(configs "$STORM"); do
			case $c in floor | least-filter | vigil-filtered | vigil-rules) ;; *) continue ;; esac
			log "accounting: $STORM storm, $c, BPF statistics on"
			run_account "$c" || log "  accounting: $c failed"
		done
	done
}

# run_loss: the loss check. vigil with every event; three open storms at once on a file of
# their own, so that the opens vigil delivered for them can be counted exactly in its output.
# Writes the figures to $OUT/loss (key=value words) for report_loss.
run_loss() {
	local target out=$OUT/vigil-loss.jsonl err=$OUT/vigil-loss.err i ok=1 pids=() t0 t1
	STORM=loss CONFIG=vigil ROUND=1
	log "loss check: 3 open storms at once, $LOSS_N opens each, $WORKERS workers each"
	echo "vigil loss check" >"$OUT/loss-target" || die "cannot write $OUT/loss-target"
	target=$(realpath "$OUT/loss-target")
	start vigil "$out" "$err" "$VIGIL_BIN" run
	ready_or_fail "$PID" vigil "$err" stderr_has "$err" '\bready\b' || return 1
	t0=$(date +%s.%N)
	for i in 1 2 3; do
		"$B/openstorm" -n "$LOSS_N" -p "$WORKERS" "$target" >"$OUT/loss-storm-$i" &
		pids+=("$!")
		LIVE+=("$!")
	done
	for i in "${pids[@]}"; do
		wait "$i" || { fail "openstorm" "a loss-check storm failed"; ok=0; }
		untrack "$i"
	done
	t1=$(date +%s.%N)
	alive "$PID" vigil || ok=0
	finish "$PID" vigil || ok=0
	[ "$ok" -eq 1 ] || { rm -f "$out"; return 1; }
	{
		printf 'target=%s wall_s=%s ' "$target" \
			"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
		# The storm's lines say opens=N; each storm also opened the file once before timing.
		printf 'made=%s ' "$(cat "$OUT"/loss-storm-[123] |
			awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^opens=/) n += substr($i, 7) + 1 }
			END { print n + 0 }')"
		# Paths are JSON strings: this works for a target with nothing to escape.
		printf 'got=%s ' "$(grep -F "\"path\":\"$target\"" "$out" | grep -cF '"type":"open"')"
		vigil_stats "$out"
	} >"$OUT/loss"
	[ -n "${KEEP_JSONL:-}" ] || rm -f "$out"
}

# all_configs STORM: every configuration STORM has, in its base order; configs STORM: those that
# can run here.
all_configs() {
	case $1 in
	exec) echo baseline floor vigil vigil-rules peer ;;
	open) echo baseline floor least-filter vigil-filtered vigil-rules vigil least-deliver peer ;;
	connect) echo baseline floor vigil ;;
	esac
}

configs() {
	local c words=()
	for c in $(all_configs "$1"); do
		case $c in
		vigil-rules) [ -n "$VIGIL_OK" ] && [ -f "$STABLE_RULES" ] || continue ;;
		vigil*) [ -n "$VIGIL_OK" ] || continue ;;
		peer) [ -n "$(peer_bin "$1")" ] || continue ;;
		esac
		words+=("$c")
	done
	echo "${words[@]}"
}

# ratio_pairs STORM: the ratios reported for STORM, as A/B configuration pairs.
ratio_pairs() {
	case $1 in
	exec) echo floor/baseline vigil/baseline vigil/floor vigil-rules/floor peer/baseline ;;
	open) echo floor/baseline vigil/baseline vigil/floor least-filter/floor vigil-filtered/floor \
		vigil-rules/floor vigil-filtered/baseline least-deliver/baseline peer/baseline ;;
	connect) echo floor/baseline vigil/baseline vigil/floor ;;
	esac
}

storm_n() {
	case $1 in
	exec) echo "$EXEC_N" ;;
	open) echo "$OPEN_N" ;;
	connect) echo "$CONNECT_N" ;;
	esac
}

peer_bin() {
	case $1 in
	exec) echo "$PEER_EXEC" ;;
	open) echo "$PEER_OPEN" ;;
	esac
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
			if ! run_config "$CONFIG"; then
				[ "$CONFIG" = baseline ] && die "the $STORM storm fails on its own"
				log "  $CONFIG dropped from the remaining $STORM rounds"
				failed+="$CONFIG "
			fi
		done
	done
}

# peer_probe TOOL TRACEPOINT: set P_BIN to libbpf-tools' TOOL if it can run here, and P_NOTE to
# what it is or why it cannot.
peer_probe() {
	P_BIN=$(command -v "$1" || { [ -x "/usr/sbin/$1" ] && echo "/usr/sbin/$1"; })
	if [ -z "$P_BIN" ]; then
		P_NOTE="libbpf-tools $1 not installed (apt-get install libbpf-tools)"
	elif [ ! -e "/sys/kernel/tracing/events/syscalls/$2" ] &&
		[ ! -e "/sys/kernel/debug/tracing/events/syscalls/$2" ]; then
		P_NOTE="$P_BIN needs tracefs, which is not mounted"
		P_NOTE+=" (mount -t tracefs nodev /sys/kernel/tracing): skipped"
		P_BIN=''
	else
		P_NOTE="$P_BIN (libbpf-tools), stdout to /dev/null"
	fi
}

# Which configurations can run here; each absence is said once, plainly.
probe_configs() {
	VIGIL_OK='' LOSS_NOTE="skipped (LOSS_N=0)"
	if [ -x "$VIGIL_BIN" ]; then
		VIGIL_OK=1 VIGIL_NOTE="$VIGIL_BIN"
	else
		VIGIL_NOTE="vigil not built ($VIGIL_BIN missing; 'make' at the repo root builds it):"
		VIGIL_NOTE+=" column skipped"
		log "$VIGIL_NOTE"
		LOSS_NOTE="skipped: vigil not built"
	fi
	peer_probe execsnoop sys_enter_execve
	PEER_EXEC=$P_BIN PEER_NOTE="exec storm: $P_NOTE"
	peer_probe opensnoop sys_enter_openat
	PEER_OPEN=$P_BIN PEER_NOTE+="; open storm: $P_NOTE"
	log "peer: $PEER_NOTE"
}

# check_env: the knobs, before anything runs.
check_env() {
	local v s
	for v in ROUNDS EXEC_N OPEN_N CONNECT_N WORKERS; do
		[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, not '${!v}'"
	done
	[[ $LOSS_N =~ ^(0|[1-9][0-9]*)$ ]] || die "LOSS_N must be 0 or a positive integer"
	[[ $ACCOUNT =~ ^[01]$ ]] || die "ACCOUNT must be 0 or 1"
	for s in $STORMS; do
		case $s in exec | open | connect) ;; *) die "STORMS: no storm '$s' (exec open connect)" ;; esac
	done
	[ -n "${STORMS// /}" ] || die "STORMS is empty"
	# vigil reports the path the kernel resolved; --ignore-path must be given the same.
	OPEN_PATH=$(realpath -e -- "$OPEN_PATH") || die "OPEN_PATH: no such file"
}

main() {
	local s
	check_env
	[ "$(id -u)" -eq 0 ] || die "loading BPF programs needs root"
	make -s -C "$HERE" all >&2 || die "build failed"
	mkdir -p "$OUT" || die "cannot create $OUT"
	# Only what an earlier run left: OUT_DIR may be a directory the user cares about.
	rm -f "$OUT"/times.tsv "$OUT"/vigil.tsv "$OUT"/floor.err "$OUT"/peer-*.err "$OUT"/vigil-* \
		"$OUT"/loss "$OUT"/loss-* "$OUT"/failures "$OUT"/foreign "$OUT"/account \
		"$OUT"/account-* "$OUT"/least-*
	: >"$OUT/times.tsv"
	probe_configs
	log "warm-up"
	"$B/execstorm" -n 200 -p "$WORKERS" >/dev/null || die "the exec storm fails"
	"$B/openstorm" -n 20000 -p "$WORKERS" "$OPEN_PATH" >/dev/null || die "the open storm fails"
	"$B/connectstorm" -n 2000 -p "$WORKERS" >/dev/null || die "the connect storm fails"
	for s in $STORMS; do run_rounds "$s"; done
	[ -n "$VIGIL_OK" ] && [ "$ACCOUNT" = 1 ] && run_accounting
	if [ -n "$VIGIL_OK" ] && [ "$LOSS_N" -gt 0 ]; then
		LOSS_NOTE="vigil failed (see $OUT/vigil-loss.err)"
		run_loss
	fi
	for s in $STORMS; do report_storm "$s"; done
	report_account
	report_loss
	summary
	log "raw data: $OUT"
}

main "$@"
