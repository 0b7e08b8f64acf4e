# shellcheck shell=bash
# The overhead benchmark's report (see README.md): sourced by run.sh, whose globals (OUT, ROUNDS,
# WORKERS, the *_N counts, STORMS, VIGIL_*, PEER_*, LOSS_*) and helpers (kv, expected, storm_n,
# all_configs, ratio_pairs, peer_bin) it uses. It only reads what the runs left in $OUT:
# times.tsv (storm, config, round, wall_s, per-op us, the storm's CPU s, the loader's CPU s),
# vigil.tsv (storm, config, round, RSS idle, peak and end in kB, CPU s, vigil_stats words),
# account (the accounting pass: storm, config, ops, run_time_ns, run_cnt, loader CPU s),
# peer-*.err, least-deliver-*.err and loss.
# shellcheck disable=SC2154 # the globals above are assigned in run.sh

# median_of: the median of the numbers on stdin, one per line, or n/a when there is none.
median_of() {
	sort -g | awk '{ a[NR] = $1 } END {
		if (!NR) { print "n/a"; exit }
		print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# median STORM CONFIG [COLUMN]: median of a times.tsv column (4 = wall_s), or n/a.
median() {
	awk -F'\t' -v s="$1" -v c="$2" -v col="${3:-4}" '$1 == s && $2 == c { print $col }' \
		"$OUT/times.tsv" | median_of
}

# median_cpu STORM CONFIG: median over the runs of the CPU the storm and its loader used
# together (times.tsv columns 6 + 7), or n/a.
median_cpu() {
	awk -F'\t' -v s="$1" -v c="$2" '$1 == s && $2 == c && $6 != "" { print $6 + $7 }' \
		"$OUT/times.tsv" | median_of
}

# secs SECONDS STORM: SECONDS for display (STORM unused: the shape summary_table calls).
secs() { num "$1" 3; }

# per_op SECONDS STORM: SECONDS per operation of STORM, in microseconds, or n/a.
per_op() {
	[ "$1" = n/a ] && { echo n/a; return; }
	awk -v t="$1" -v n="$(storm_n "$2")" 'BEGIN { printf "%.2f", t * 1e6 / n }'
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

# ratios STORM [MEDIAN]: "A/B=r ..." for every pair of ratio_pairs, of the medians MEDIAN
# (median: wall time, the default; median_cpu: CPU time) gives.
ratios() {
	local p m=${2:-median} words=()
	for p in $(ratio_pairs "$1"); do
		words+=("$p=$(ratio "$("$m" "$1" "${p%/*}")" "$("$m" "$1" "${p#*/}")")")
	done
	echo "${words[@]}"
}

report_storm() {
	local s=$1 cfg
	echo "== $s storm: $(storm_n "$s") ops, $WORKERS workers, $ROUNDS rounds" \
		"(medians; cpu = the storm's and its loader's CPU time) =="
	printf '%-15s %10s %14s %8s %8s %15s %12s\n' config wall_s "per_${s}_us" spread cpu_s \
		"cpu_per_${s}_us" loader_cpu_s
	for cfg in $(all_configs "$s"); do
		printf '%-15s %10s %14s %8s %8s %15s %12s\n' "$cfg" \
			"$(num "$(median "$s" "$cfg")" 3)" "$(num "$(median "$s" "$cfg" 5)" 2)" \
			"$(spread "$s" "$cfg")" "$(num "$(median_cpu "$s" "$cfg")" 3)" \
			"$(per_op "$(median_cpu "$s" "$cfg")" "$s")" "$(num "$(median "$s" "$cfg" 7)" 3)"
	done
	echo "ratios (wall): $(ratios "$s")"
	echo "ratios (cpu):  $(ratios "$s" median_cpu)"
	report_peer "$s"
	report_least "$s"
	report_vigil "$s"
	echo
}

# report_peer STORM: the events the peer says it lost (libbpf-tools print "Lost N events" on
# stderr when their perf buffer overflows).
report_peer() {
	local bin files=("$OUT"/peer-"$1"-*.err)
	bin=$(peer_bin "$1")
	[ -n "$bin" ] && [ -e "${files[0]}" ] || return 0
	echo "peer $(basename "$bin"): $(awk '$1 == "Lost" { n += $2 } END { print n + 0 }' \
		"${files[@]}") events lost over ${#files[@]} runs (its stderr)"
}

# check_events STATS EXPECTED: "OK" or what is missing, key by key.
check_events() {
	local w key got want short=""
	for w in $2; do
		key=${w%%=*} want=${w#*=} got=$(kv "$1" "$key")
		[ "${got:-0}" -lt "$want" ] && short+=" ${key#ev_} short by $((want - ${got:-0}))"
	done
	echo "${short:- OK}"
}

# got_events STATS EXPECTED: the counts STATS has for EXPECTED's keys, "key=n ...".
got_events() {
	local w key words=()
	for w in $2; do
		key=${w%%=*}
		words+=("${key#ev_}=$(kv "$1" "$key")")
	done
	echo "${words[@]}"
}

# report_least STORM: what least-deliver delivered and lost (it says so on stderr at exit).
report_least() {
	local files=("$OUT"/least-deliver-"$1"-*.err)
	[ -e "${files[0]}" ] || return 0
	awk '$1 == "least:" && $2 == "delivered" { d += $3; l += $5; n++ }
		END { printf "least-deliver: %d records written out, %d lost (ring buffer full), in %d runs\n", d, l, n }' \
		"${files[@]}"
}

report_vigil() {
	local s=$1 st cfg round idle hwm rss cpu stats exp bytes lines
	grep -q "^$s"$'\t' "$OUT/vigil.tsv" 2>/dev/null || return 0
	exp=$(expected "$s" vigil)
	[ "$s" = open ] && exp+="; vigil-filtered: path_open=$((OPEN_N + 1))"
	[ "$s" = open ] && exp+="; vigil-rules: rules_open=$((OPEN_N + 1))"
	echo "vigil, per run (expected at least: ${exp//ev_/}):"
	while IFS=$'\t' read -r st cfg round idle hwm rss cpu stats; do
		[ "$st" = "$s" ] || continue
		exp=$(expected "$s" "$cfg")
		if [ "$(kv "$stats" final)" != 1 ]; then
			echo "  $cfg round $round: no final stats line on vigil's stdout ($stats)"
		else
			printf '  %s round %s: %s ->%s; drops=%s seq_gaps=%s (%s)\n' "$cfg" "$round" \
				"$(got_events "$stats" "$exp")" "$(check_events "$stats" "$exp")" \
				"$(kv "$stats" drops)" "$(kv "$stats" seq_gaps)" \
				"$(kv "$stats" drops_detail)"
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

# accounted STORM CONFIG: the ratio to the floor of the floor's CPU per op plus what the
# accounting pass measured CONFIG adding (its programs' run time beyond an empty program's,
# and its loader's CPU), or n/a. Prints "ratio own_bpf_us agent_us floor_us empty_ns".
accounted() {
	[ -s "$OUT/account" ] || { echo n/a; return; }
	awk -v s="$1" -v c="$2" -v fl="$(median_cpu "$1" floor)" '
		$1 == s && $2 == "floor" && $5 > 0 { e = $4 / $5 }
		$1 == s && $2 == c { n = $3; rt = $4; cnt = $5; cpu = $6; got = 1 }
		END {
			if (!got || e == "" || fl == "n/a" || n <= 0) { print "n/a"; exit }
			own = (rt - cnt * e) / 1e3 / n; agent = cpu * 1e6 / n; f = fl * 1e6 / n
			printf "%.3f %.3f %.3f %.3f %.0f\n", (f + own + agent) / f, own, agent, f, e
		}' "$OUT/account"
}

# report_account: the accounting pass, per storm and configuration.
report_account() {
	local s c a
	[ -s "$OUT/account" ] || return 0
	echo "== accounted cost: one storm each with BPF statistics on; vigil's programs' run time" \
		"beyond an empty program's, and its CPU, added to the floor's CPU per op =="
	for s in $STORMS; do
		for c in least-filter vigil-filtered vigil-rules; do
			a=$(accounted "$s" "$c")
			[ "$a" = n/a ] && continue
			read -r r own agent fl e <<<"$a"
			printf '%s %s: BPF %s us/op + agent %s us/op over the floor'"'"'s %s us/op' \
				"$s" "$c" "$own" "$agent" "$fl"
			printf ' (an empty program: %s ns a run) -> %s x the floor\n' "$e" "$r"
		done
	done
	echo
}

# pct PART WHOLE: PART as a percentage of WHOLE, or n/a.
pct() {
	[ "${2:-0}" -gt 0 ] || { echo n/a; return; }
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f%%", 100 * a / b }'
}

# report_loss: the loss check's figures, and LOSS_LINE for the summary.
report_loss() {
	local l made got ev seen emit filt rb sum account
	[ -s "$OUT/loss" ] || { LOSS_LINE="loss check: $LOSS_NOTE"; return 0; }
	l=$(cat "$OUT/loss")
	echo "== loss check: 3 open storms at once, $LOSS_N opens each, $WORKERS workers each," \
		"vigil with every event =="
	made=$(kv "$l" made) got=$(kv "$l" got)
	echo "storms: $made opens of $(kv "$l" target) in $(kv "$l" wall_s) s" \
		"(their report lines, plus the one open each makes before timing)"
	echo "vigil delivered $got of them: $((made - got)) lost, $(pct $((made - got)) "$made")"
	if [ "$(kv "$l" final)" != 1 ]; then
		echo "vigil: no final stats line on its stdout"
		LOSS_LINE="loss check: $(pct $((made - got)) "$made") of the storms' opens lost;"
		LOSS_LINE+=" no final stats"
		return 0
	fi
	ev=$(kv "$l" ev_open) seen=$(kv "$l" seen_open) emit=$(kv "$l" emit_open)
	filt=$(kv "$l" filt_open) rb=$(kv "$l" rb_open)
	ev=${ev:-0} seen=${seen:-0} emit=${emit:-0} filt=${filt:-0} rb=${rb:-0}
	echo "vigil final stats, open (every process): received=$ev kernel seen=$seen" \
		"emitted=$emit filtered=$filt ringbuf_full=$rb"
	# Each record lost is a sequence number skipped: the two counts must agree.
	echo "all types: ringbuf_full=$(kv "$l" lost) seq_gaps=$(kv "$l" seq_gaps)" \
		"($([ "$(kv "$l" lost)" = "$(kv "$l" seq_gaps)" ] && echo equal || echo DIFFER))"
	sum=$((ev + rb + filt))
	if [ "$sum" -eq "$seen" ]; then
		account="exact"
	else
		account="off by $((sum - seen))"
	fi
	echo "accounting: received + ringbuf_full + filtered = $sum, seen = $seen: $account;" \
		"received $([ "$ev" -eq "$emit" ] && echo "=" || echo "!=") emitted"
	echo "ring buffer loss: $(pct "$rb" $((seen - filt))) of the opens the kernel kept"
	echo "vigil's stdout: $(mib $(($(kv "$l" bytes) / 1024))) MiB in $(kv "$l" lines) lines"
	echo
	LOSS_LINE="loss check (3 x $LOSS_N opens): $(pct $((made - got)) "$made") of the storms'"
	LOSS_LINE+=" opens lost, ringbuf_full open=$rb, accounting $account"
}

# summary_vigil: how complete vigil's events were, its drops and memory, over all its runs.
summary_vigil() {
	local st cfg round idle hwm rss cpu stats runs=0 complete=0 nofinal=0 drops=0 gaps=0
	local maxidle=0 maxhwm=0
	while IFS=$'\t' read -r st cfg round idle hwm rss cpu stats; do
		runs=$((runs + 1))
		[ "${idle:-0}" -gt "$maxidle" ] && maxidle=$idle
		[ "${hwm:-0}" -gt "$maxhwm" ] && maxhwm=$hwm
		[ "$(kv "$stats" final)" = 1 ] || { nofinal=$((nofinal + 1)); continue; }
		drops=$((drops + $(kv "$stats" drops))) gaps=$((gaps + $(kv "$stats" seq_gaps)))
		[ "$(check_events "$stats" "$(expected "$st" "$cfg")")" = " OK" ] &&
			complete=$((complete + 1))
	done <"$OUT/vigil.tsv"
	echo "vigil: events complete in $complete/$runs runs, $nofinal without final stats;" \
		"drops $drops, seq gaps $gaps"
	echo "vigil: RSS idle <= $(mib "$maxidle") MiB, peak (VmHWM) <= $(mib "$maxhwm") MiB"
}

# measures STORM A B: "wall cpu accounted", STORM's A/B in wall time, in CPU time and (for B the
# floor) accounted; n/a for what is not there.
measures() {
	local ra=n/a
	[ "$3" = floor ] && ra=$(accounted "$1" "$2" | cut -d' ' -f1)
	echo "$(ratio "$(median "$1" "$2")" "$(median "$1" "$3")")" \
		"$(ratio "$(median_cpu "$1" "$2")" "$(median_cpu "$1" "$3")")" "$ra"
}

# target STORM A B LIMIT DROPS: one target line, A/B in wall time and in CPU time, and for A
# over the floor the accounted ratio too, each met or not.
target() {
	local rw rc ra
	read -r rw rc ra <<<"$(measures "$1" "$2" "$3")"
	printf 'target: %s %s/%s <= %s' "$1" "$2" "$3" "$4"
	[ "$5" = 0 ] || printf ' with %s drops + seq gaps (0)' "$5"
	printf ': wall %s %s, cpu %s %s' "$rw" "$(verdict "$rw" "$4" "$5")" "$rc" \
		"$(verdict "$rc" "$4" "$5")"
	[ "$ra" = n/a ] || printf ', accounted %s %s' "$ra" "$(verdict "$ra" "$4" "$5")"
	printf '\n'
}

# reference STORM A B WHAT: the least agent's A/B (least.bpf.c), the bound under a target.
reference() {
	local rw rc ra
	grep -q "^$1	$2	" "$OUT/times.tsv" || return 0
	read -r rw rc ra <<<"$(measures "$1" "$2" "$3")"
	printf '  reference: %s %s/%s (%s): wall %s, cpu %s' "$1" "$2" "$3" "$4" "$rw" "$rc"
	[ "$ra" = n/a ] || printf ', accounted %s' "$ra"
	printf '\n'
}

# targets: the issues' goals, met or not, by wall time and by CPU time.
targets() {
	local s
	grep -q "^open" "$OUT/times.tsv" || return 0
	target open vigil-filtered floor 1.05 0
	reference open least-filter floor "the least a path filter on these hooks does"
	target open vigil baseline 1.5 "$(open_drops)"
	reference open least-deliver baseline "the least work that writes out every open"
	for s in open exec; do
		grep -q "^$s	vigil-rules" "$OUT/times.tsv" || continue
		target "$s" vigil-rules floor 1.10 0
	done
}

# open_drops: drops + seq gaps over the open storm's vigil runs, n/a if there was none.
open_drops() {
	local st cfg round idle hwm rss cpu stats n=0 d=0
	[ -s "$OUT/vigil.tsv" ] || { echo n/a; return; }
	while IFS=$'\t' read -r st cfg round idle hwm rss cpu stats; do
		[ "$st/$cfg" = open/vigil ] || continue
		# A run without final stats has unknown drops: no verdict.
		[ "$(kv "$stats" final)" = 1 ] || { echo n/a; return; }
		n=$((n + 1))
		d=$((d + $(kv "$stats" drops) + $(kv "$stats" seq_gaps)))
	done <"$OUT/vigil.tsv"
	[ "$n" -gt 0 ] && echo "$d" || echo n/a
}

# verdict RATIO LIMIT DROPS: met, not met, or n/a.
verdict() {
	{ [ "$1" = n/a ] || [ "$3" = n/a ]; } && { echo n/a; return; }
	awk -v r="$1" -v l="$2" -v d="$3" 'BEGIN { print (r <= l && d == 0) ? "met" : "NOT met" }'
}

# summary_table TITLE MEDIAN FORMAT: one row per storm, one column per configuration, each
# cell FORMAT "$(MEDIAN storm config)" storm (secs: seconds; per_op: us per op).
summary_table() {
	local s c row cols=(baseline floor least-filter vigil-filtered vigil-rules vigil least-deliver peer)
	local fmt='%-14s %9s %9s %13s %15s %12s %9s %14s %9s\n'
	echo "$1:"
	# shellcheck disable=SC2059 # one format for the header and the rows
	printf "$fmt" storm "${cols[@]}"
	for s in $STORMS; do
		row=()
		for c in "${cols[@]}"; do
			row+=("$("$3" "$("$2" "$s" "$c")" "$s")")
		done
		# shellcheck disable=SC2059
		printf "$fmt" "$s x$(storm_n "$s")" "${row[@]}"
	done
}

summary() {
	local s
	echo "---- summary ----"
	echo "vigil overhead, $(date -u +%Y-%m-%d), kernel $(uname -r), $(nproc) CPUs," \
		"$WORKERS workers, median of $ROUNDS rounds"
	summary_table "wall time, s" median secs
	summary_table "cpu per op, us (storm + loader)" median_cpu per_op
	for s in $STORMS; do printf '%-8s wall %s\n' "$s:" "$(ratios "$s")"; done
	for s in $STORMS; do printf '%-8s cpu  %s\n' "$s:" "$(ratios "$s" median_cpu)"; done
	targets
	if [ -s "$OUT/vigil.tsv" ]; then
		summary_vigil
	elif [ -n "$VIGIL_OK" ]; then
		echo "vigil: $VIGIL_BIN failed in every round (see $OUT/vigil-*.err)"
	else
		echo "vigil: $VIGIL_NOTE"
	fi
	echo "$LOSS_LINE"
	echo "peer: $PEER_NOTE"
	[ -s "$OUT/failures" ] && sed 's/^/failed: /' "$OUT/failures"
	[ -s "$OUT/foreign" ] &&
		echo "warning: other tracing BPF programs ran during $(wc -l <"$OUT/foreign") runs" \
			"(see $OUT/foreign): figures are suspect"
	echo "----"
}
