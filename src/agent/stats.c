/* SPDX-License-Identifier: Apache-2.0 */
/* The stats record (in the event stream) and the shutdown summary (on stderr). */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"

struct self_usage {
	double user_s, sys_s;
	uint64_t rss, rss_peak;
};

static void self_usage(struct self_usage *u)
{
	struct rusage ru;
	char line[256];
	FILE *f;

	memset(u, 0, sizeof(*u));
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		u->user_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
		u->sys_s = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	}
	f = fopen("/proc/self/status", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long kb;

		if (sscanf(line, "VmRSS: %llu kB", &kb) == 1)
			u->rss = kb * 1024;
		else if (sscanf(line, "VmHWM: %llu kB", &kb) == 1)
			u->rss_peak = kb * 1024;
	}
	fclose(f);
}

static void per_type(struct json_w *w, const char *key, const __u64 *v)
{
	json_key(w, key);
	json_obj_begin(w);
	for (int t = 1; t < VG_EV_MAX; t++)
		if (v[t]) /* 41 types x 10 counters: zeros are left out (documented) */
			json_ku64(w, agent_event_name(t), v[t]);
	json_obj_end(w);
}

static void fd_object(struct agent *a)
{
	struct json_w *w = &a->json;
	struct fd_table_stats st;

	fd_table__stats(a->fds, &st);
	json_key(w, "fd");
	json_obj_begin(w);
	json_ku64(w, "size", st.entries);
	json_ku64(w, "capacity", st.capacity);
	json_ku64(w, "processes", st.processes);
	json_ku64(w, "evictions", st.evictions);
	json_ku64(w, "fork_copy_truncated", st.fork_copy_truncated);
	json_ku64(w, "lookups", st.lookups);
	json_ku64(w, "hits", st.hits);
	json_ku64(w, "seeded", st.seeded);
	json_ku64(w, "kernel_registered", a->cnt.fd_registered);
	json_ku64(w, "kernel_register_errors", a->cnt.fd_register_errors);
	json_obj_end(w);
}

static void cache_objects(struct agent *a)
{
	struct json_w *w = &a->json;
	struct proc_cache_stats ps;
	struct container_cache_stats cs;

	proc_cache__stats(a->procs, &ps);
	container_cache__stats(a->cgroups, &cs);
	json_key(w, "caches");
	json_obj_begin(w);
	json_key(w, "process");
	json_obj_begin(w);
	json_ku64(w, "size", ps.size);
	json_ku64(w, "capacity", ps.capacity);
	json_ku64(w, "bytes", ps.bytes);
	json_ku64(w, "max_bytes", ps.max_bytes);
	json_ku64(w, "evictions", ps.evictions);
	json_ku64(w, "evictions_live", ps.evictions_live);
	json_ku64(w, "expired", ps.expired);
	json_ku64(w, "redacted", ps.redacted);
	json_ku64(w, "hits", ps.hits);
	json_ku64(w, "misses", ps.misses);
	json_obj_end(w);
	fd_object(a);
	json_key(w, "cgroup");
	json_obj_begin(w);
	json_ku64(w, "size", cs.size);
	json_ku64(w, "capacity", cs.capacity);
	json_ku64(w, "evictions", cs.evictions);
	json_ku64(w, "hits", cs.hits);
	json_ku64(w, "misses", cs.misses);
	json_obj_end(w);
	json_obj_end(w);
}

static const char *const filter_names[VG_FILTER_MAX] = {
#define VG_X_NAME(name, val, str) [val] = str,
	VG_FILTER_REASONS(VG_X_NAME)
#undef VG_X_NAME
};

static void kernel_object(struct json_w *w, const struct vg_kstats *k)
{
	json_key(w, "kernel");
	json_obj_begin(w);
	per_type(w, "seen", k->seen);
	per_type(w, "emitted", k->emitted);
	json_key(w, "filtered");
	json_obj_begin(w);
	for (int r = 0; r < VG_FILTER_MAX; r++)
		per_type(w, filter_names[r], k->filtered[r]);
	json_obj_end(w);
	json_ku64(w, "stash_miss", k->stash_miss);
	json_ku64(w, "threads_skipped", k->threads_skipped);
	json_ku64(w, "proc_table_full", k->table_full);
	json_obj_end(w);
}

static void drops_object(struct agent *a, const struct vg_kstats *k)
{
	struct json_w *w = &a->json;

	json_key(w, "drops");
	json_obj_begin(w);
	per_type(w, "ringbuf_full", k->dropped);
	json_ku64(w, "seq_gaps", a->cnt.seq_gaps);
	json_ku64(w, "decode_error", a->cnt.decode_errors);
	json_ku64(w, "output_error", a->cnt.output_errors);
	json_obj_end(w);
}

/* Per-pod counts (metrics.per_pod): "pods" and what went past the cap. */
static void pods_object(struct json_w *w, const struct pod_counts *pc)
{
	if (!pc->nslots)
		return;
	json_key(w, "pods");
	json_obj_begin(w);
	for (size_t i = 0; i < pc->nslots; i++) {
		if (!pc->slots[i].key[0])
			continue;
		json_key(w, pc->slots[i].key);
		json_obj_begin(w);
		json_ku64(w, "events", pc->slots[i].events);
		json_ku64(w, "alerts", pc->slots[i].alerts);
		json_obj_end(w);
	}
	json_obj_end(w);
	/* events and alerts of the pods past the cap, which have no series of their own */
	json_ku64(w, "pods_overflow", pc->overflow_events + pc->overflow_alerts);
}

/* The stats record in a->json, but for its closing brace. */
static void render_stats(struct agent *a, bool final)
{
	struct json_w *w = &a->json;
	struct vg_kstats k;
	struct self_usage u;
	uint64_t now = agent_boot_ns();
	int64_t real = (int64_t)now + a->boot_to_real_ns;

	agent_bpf_kstats(a, &k);
	self_usage(&u);
	json_reset(w);
	a->k8s.mark.active = false;
	json_obj_begin(w);
	json_kstr(w, "schema", VIGIL_SCHEMA);
	json_kstr(w, "type", "stats");
	json_ktime(w, "time", real / 1000000000, real % 1000000000);
	a->line_time_ns = real;
	json_kstr(w, "node", a->cfg.node);
	json_kbool(w, "final", final);
	per_type(w, "events", a->cnt.received);
	per_type(w, "written", a->cnt.written);
	per_type(w, "filtered_user", a->cnt.filtered_user);
	kernel_object(w, &k);
	drops_object(a, &k);
	cache_objects(a);
	agent_k8s_stats(a);
	agent_rules_stats(a);
	agent_enforce_stats(a);
	agent_outputs_stats(a);
	agent_bpf_prog_stats(a);
	pods_object(w, &a->podc);
	json_key(w, "agent");
	json_obj_begin(w);
	json_key(w, "cpu_user_s");
	json_double(w, u.user_s, 3);
	json_key(w, "cpu_system_s");
	json_double(w, u.sys_s, 3);
	json_ku64(w, "rss_bytes", u.rss);
	json_ku64(w, "rss_peak_bytes", u.rss_peak);
	json_key(w, "uptime_s");
	json_double(w, (now - a->started_boot_ns) / 1e9, 3);
	json_obj_end(w);
}

int agent_emit_stats(struct agent *a, bool final)
{
	render_stats(a, final);
	return agent_write_line(a, 0);
}

/* The stats record, rendered and not written: what the metrics endpoint serves. Returns the
 * document in a->json (valid until the next line is built), or NULL. */
const char *agent_stats_snapshot(struct agent *a, size_t *len)
{
	render_stats(a, false);
	json_obj_end(&a->json);
	if (a->json.err)
		return NULL;
	*len = a->json.len;
	return a->json.buf;
}

void agent_print_summary(struct agent *a)
{
	struct vg_kstats k;
	struct self_usage u;
	struct proc_cache_stats ps;

	agent_bpf_kstats(a, &k);
	self_usage(&u);
	proc_cache__stats(a->procs, &ps);
	fprintf(stderr, "vigil: counters:\n");
	for (int t = 1; t < VG_EV_MAX; t++) {
		unsigned long long filtered = 0;

		for (int r = 0; r < VG_FILTER_MAX; r++)
			filtered += k.filtered[r][t];
		if (!k.seen[t] && !a->cnt.received[t])
			continue;
		fprintf(stderr, "  %-12s seen %llu  filtered in kernel %llu  emitted %llu  ringbuf "
			"drops %llu  received %llu\n", agent_event_name(t),
			(unsigned long long)k.seen[t], filtered, (unsigned long long)k.emitted[t],
			(unsigned long long)k.dropped[t], (unsigned long long)a->cnt.received[t]);
	}
	fprintf(stderr, "  seq gaps %llu  decode errors %llu  output errors %llu\n",
		(unsigned long long)a->cnt.seq_gaps, (unsigned long long)a->cnt.decode_errors,
		(unsigned long long)a->cnt.output_errors);
	fprintf(stderr, "  process cache %llu/%llu  evictions %llu\n",
		(unsigned long long)ps.size, (unsigned long long)ps.capacity,
		(unsigned long long)ps.evictions);
	fprintf(stderr, "  cpu %.3fs user %.3fs system  rss %llu KiB (peak %llu KiB)\n", u.user_s,
		u.sys_s, (unsigned long long)u.rss / 1024, (unsigned long long)u.rss_peak / 1024);
}
