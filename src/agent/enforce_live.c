/* SPDX-License-Identifier: Apache-2.0 */
/* Enforcement decisions when a rule matches (enforce.h): what the kernel already did, as the
 * record's code says; thresholds counted here for rules the kernel does not decide; and the
 * user-space actions: doom and kill, quarantine. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "agent.h"
#include "container_cache.h"
#include "enforce_int.h"
#include "log.h"
#include "procfs.h"
#include "vigil.skel.h"

static const char *const outcome_names[] = {
	[ENF_OUT_NONE] = "none",	       [ENF_OUT_KILLED] = "killed",
	[ENF_OUT_DENIED] = "denied",	       [ENF_OUT_QUARANTINED] = "quarantined",
	[ENF_OUT_DRY_RUN] = "dry-run",	       [ENF_OUT_SKIPPED] = "skipped",
	[ENF_OUT_FAILED] = "failed",	       [ENF_OUT_GONE] = "gone",
};

const char *enf_outcome__name(enum enf_outcome o)
{
	return o < sizeof(outcome_names) / sizeof(outcome_names[0]) ? outcome_names[o] : "?";
}

enum rules_mode enforce_mode_of(int rule_mode, const struct rules_rule *r)
{
	return rule_mode != RULES_MODE_UNSET ? (enum rules_mode)rule_mode : rules_rule__mode(r);
}

enum rules_mode agent_enforce_mode(const struct agent *a, const struct rules_rule *r)
{
	return enforce_mode_of(a->cfg.rule_mode, r);
}

const struct rules_rule *agent_enforce_code_rule(const struct agent *a, uint32_t code)
{
	unsigned id = (code & 0xff) - 1;

	if (!a->enf || !code || id >= a->enf->n)
		return NULL;
	return a->enf->ents[id].rule;
}

/* The kernel's report on entry e, from the record's code. */
static void from_kernel(struct enf_entry *e, uint32_t code, struct enf_result *res)
{
	unsigned act = (code >> 8) & 0xf, out = (code >> 12) & 0xf;

	res->kernel = true;
	res->err = (code >> 16) & 0xff;
	switch (out) {
	case VG_ENF_OUT_SIGNALLED:
		res->outcome = ENF_OUT_KILLED;
		res->action = RULES_ACT_KILL; /* also a deny that had to fall back */
		break;
	case VG_ENF_OUT_DENIED:
		res->outcome = act == VG_ACT_QUARANTINE ? ENF_OUT_QUARANTINED : ENF_OUT_DENIED;
		break;
	case VG_ENF_OUT_DRY_RUN:
		res->outcome = e->rule->action == RULES_ACT_NONE ? ENF_OUT_NONE : ENF_OUT_DRY_RUN;
		break;
	default:
		res->outcome = ENF_OUT_FAILED;
	}
	if (res->outcome == ENF_OUT_KILLED || res->outcome == ENF_OUT_DENIED ||
	    res->outcome == ENF_OUT_QUARANTINED)
		e->acted++;
	else if (res->outcome == ENF_OUT_FAILED)
		e->failed++;
	else if (res->outcome == ENF_OUT_DRY_RUN)
		e->dry_runs++;
}

/* One more match of threshold entry e in cgroup cgid at ts: past its count in the window? */
static bool thr_crossed(struct agent_enforce_state *st, const struct enf_entry *e,
			uint64_t cgid, uint64_t ts)
{
	uint64_t h = (cgid * 0x9e3779b97f4a7c15ull) ^ e->id;
	struct enf_thr *t = &st->thr[h % ENF_THR_SLOTS];

	if (t->id != e->id || t->cgroup_id != cgid || ts - t->start_ns > e->rule->thr_window_ns) {
		if (t->count && (t->id != e->id || t->cgroup_id != cgid) &&
		    ts - t->start_ns <= e->rule->thr_window_ns)
			st->thr_evictions++; /* a live window of another (rule, cgroup) */
		*t = (struct enf_thr){ .cgroup_id = cgid, .start_ns = ts, .id = e->id };
	}
	return ++t->count > e->rule->thr_count;
}

/* Is tgid still the process that started at start_ns (/proc's start is in clock ticks)? */
static bool same_process(uint32_t tgid, uint64_t start_ns)
{
	char path[64], text[1024], comm[32];
	uint64_t ticks = 0, tick_ns = 1000000000ull / sysconf(_SC_CLK_TCK), d;
	uint32_t ppid, flags, tty;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/stat", tgid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return false;
	text[n] = 0;
	if (procfs_parse_stat(text, comm, sizeof(comm), &ppid, &ticks, &flags, &tty))
		return false;
	d = ticks * tick_ns > start_ns ? ticks * tick_ns - start_ns : start_ns - ticks * tick_ns;
	return !start_ns || d <= 2 * tick_ns;
}

/* Doom the process (the kernel kills it at its next syscall) and send SIGKILL now. */
static void user_kill(struct agent *a, struct enf_entry *e, struct enf_result *res)
{
	struct agent_enforce_state *st = a->enf;
	const struct rv_event *v = &a->rules.view;
	uint32_t tgid = v->proc.pid;
	uint64_t start = v->proc.start_ns;
	int pfd;

	res->action = RULES_ACT_KILL;
	if (a->skel && a->skel->progs.vg_enf_doom && bpf_program__autoload(a->skel->progs.vg_enf_doom) &&
	    !bpf_map_update_elem(bpf_map__fd(a->skel->maps.doomed), &tgid, &start, BPF_NOEXIST)) {
		__atomic_fetch_add(&a->skel->bss->vg_doomed_n, 1, __ATOMIC_RELAXED);
		st->doomed++;
	}
	pfd = syscall(SYS_pidfd_open, tgid, 0);
	if (pfd < 0 || !same_process(tgid, start)) {
		res->outcome = ENF_OUT_GONE;
		if (pfd >= 0)
			close(pfd);
		return;
	}
	if (syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0) == 0) {
		res->outcome = ENF_OUT_KILLED;
		st->pidfd_kills++;
		e->acted++;
	} else {
		res->outcome = errno == ESRCH ? ENF_OUT_GONE : ENF_OUT_FAILED;
		res->err = errno;
		e->failed += res->outcome == ENF_OUT_FAILED;
	}
	close(pfd);
	res->latency_ns = agent_boot_ns() - v->boot_ns;
}

/* The cgroup that stands for the offending pod: the pod's (the container's parent) when the
 * path shows one, else the container's own. Its id is its directory's inode number. */
static uint64_t group_cgroup(struct agent *a)
{
	const struct cg_entry *cg = a->rules.cg;
	char path[8192];
	struct stat sb;

	if (!cg || !a->env.cgroup2[0] || (cg->flags & VG_CG_V1) || !strncmp(cg->path, "...", 3))
		return cg && !(cg->flags & VG_CG_V1) ? cg->cgroup_id : 0;
	snprintf(path, sizeof(path), "%s%s", a->env.cgroup2, cg->path);
	if (cg->id.pod)
		dirname(path);
	return stat(path, &sb) ? cg->cgroup_id : (uint64_t)sb.st_ino;
}

static void user_quarantine(struct agent *a, struct enf_entry *e, struct enf_result *res)
{
	struct agent_enforce_state *st = a->enf;
	uint64_t id = group_cgroup(a);
	uint32_t val = e->id + 1;

	if (!id || !a->skel || !bpf_program__autoload(a->skel->progs.vg_enf_connect4)) {
		res->outcome = ENF_OUT_FAILED;
		res->err = id ? ENOSYS : ENOENT;
		e->failed++;
		return;
	}
	if (bpf_map_update_elem(bpf_map__fd(a->skel->maps.quarantine), &id, &val, BPF_NOEXIST) ==
	    0) {
		__atomic_fetch_add(&a->skel->bss->vg_enf_quarantined, 1, __ATOMIC_RELAXED);
		st->quarantines++;
		log_warn("enforce: rule '%s' quarantined cgroup %llu (%s): its new connections are "
			 "denied until `vigil enforce release`", e->rule->name,
			 (unsigned long long)id, a->rules.cg ? a->rules.cg->path : "?");
	}
	res->outcome = ENF_OUT_QUARANTINED;
	res->latency_ns = agent_boot_ns() - a->rules.view.boot_ns;
	e->acted++;
}

/* Host processes only when the rule names the host; vigil never. */
static bool spared(struct agent *a, const struct enf_entry *e)
{
	const struct rv_event *v = &a->rules.view;

	if (v->proc.pid == (uint32_t)getpid())
		return true;
	return !e->host_explicit && (!v->container_id || !strcmp(v->container_id, "host"));
}

bool agent_enforce_match(struct agent *a, const struct rules_rule *r, uint32_t code,
			 struct enf_result *res)
{
	struct agent_enforce_state *st = a->enf;
	struct enf_entry *e = enf_entry_of(st, r);

	*res = (struct enf_result){ .rule = r, .action = r->action,
				    .mode = agent_enforce_mode(a, r) };
	if (res->mode == RULES_MODE_MONITOR)
		return false;
	if (!e)
		return true;
	res->threshold = r->thr_count != 0;
	if (code && (code & 0xff) == e->id + 1) {
		st->kernel_reports++;
		from_kernel(e, code, res);
		return true;
	}
	if (r->thr_count && (e->kernel || !thr_crossed(st, e, group_cgroup(a),
						      a->rules.view.boot_ns)))
		return false; /* the kernel counts its own; this match did not cross */
	if (r->action == RULES_ACT_NONE)
		return true;
	if (res->mode != RULES_MODE_ENFORCE) {
		res->outcome = ENF_OUT_DRY_RUN;
		e->dry_runs++;
		return true;
	}
	if (spared(a, e)) {
		res->outcome = ENF_OUT_SKIPPED;
		e->skipped++;
		return true;
	}
	if (r->action == RULES_ACT_QUARANTINE)
		user_quarantine(a, e, res);
	else
		user_kill(a, e, res);
	return true;
}

size_t agent_enforce_members(const struct enf_result *res, char *buf, size_t size)
{
	int n;

	if (!res->rule || (res->rule->action == RULES_ACT_NONE && !res->threshold))
		return 0;
	n = snprintf(buf, size,
		     "\"enforcement\":{\"action\":\"%s\",\"mode\":\"%s\",\"outcome\":\"%s\","
		     "\"decided\":\"%s\",\"error\":%d,\"latency_ns\":%llu",
		     rules_action__name(res->action), rules_mode__name(res->mode),
		     enf_outcome__name(res->outcome), res->kernel ? "kernel" : "user", res->err,
		     (unsigned long long)res->latency_ns);
	if (n > 0 && (size_t)n < size && res->threshold)
		n += snprintf(buf + n, size - n, ",\"threshold\":{\"count\":%u,\"window_ms\":%llu}",
			      res->rule->thr_count,
			      (unsigned long long)(res->rule->thr_window_ns / 1000000));
	if (n > 0 && (size_t)n + 1 < size) {
		buf[n++] = '}';
		buf[n] = 0;
		return n;
	}
	return 0;
}
