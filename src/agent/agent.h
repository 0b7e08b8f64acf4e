/* SPDX-License-Identifier: Apache-2.0 */
/* The running agent: BPF object, caches, output, counters. One per process. */
#ifndef VIGIL_AGENT_H
#define VIGIL_AGENT_H

#include <signal.h>
#include <stdio.h>
#include <linux/types.h>

#include "vigil/events.h"
#include "config.h"
#include "container_cache.h"
#include "fd_table.h"
#include "json.h"
#include "k8s_hold.h"
#include "outputs.h"
#include "pod_counts.h"
#include "probe.h"
#include "enforce.h"
#include "rules_view.h"
#include "proc_cache.h"
#include "sysenv.h"

#define EVENT_LINE_MAX (256u << 10) /* bytes of one event line */

struct vigil_bpf;
struct ring_buffer;

/* Counters kept by user space, per stage; reported by the stats record. */
struct agent_counters {
	__u64 received[VG_EV_MAX]; /* records decoded */
	__u64 written[VG_EV_MAX]; /* JSON lines written */
	__u64 filtered_user[VG_EV_MAX]; /* dropped by a path filter after user-space resolution */
	uint64_t decode_errors; /* malformed records (size, ABI, offsets) */
	uint64_t seq_gaps; /* records missing by per-CPU sequence */
	uint64_t output_errors; /* JSON lines that could not be built or written */
	uint64_t fd_registered; /* seeded and inherited fds entered in the kernel's fd_tracked */
	uint64_t fd_register_errors; /* ... that could not be (their closes go unreported) */
};

/* Kubernetes enrichment (k8s_enrich.c); all NULL when no metadata source is configured. */
struct agent_k8s {
	struct pod_cache *pods;
	struct k8s_watch *watch; /* the API watcher thread; NULL without an API server */
	struct k8s_hold *hold; /* lines waiting for their pod */
	struct k8s_marks mark; /* of the line being built */
	bool synced_logged;
	const struct k8s_pod *cur_pod; /* of the line being built, for per-pod counts */
	char *line; /* a held line with its metadata spliced in */
	size_t line_len, line_cap;
};

/* Rules on the live stream (rules_live*.c); st is NULL when no rules are loaded. */
#define AGENT_MATCH_MAX 64 /* rules one record can raise alerts for */
struct agent_rules_state;
struct rules_rule;
struct agent_rules {
	struct agent_rules_state *st;
	struct re_engine *eng; /* the compiled rules; NULL without rules */
	uint64_t want; /* event types some loaded rule can match */
	struct rv_event view; /* of the record being handled */
	struct cg_entry *cg;  /* its cgroup */
	const struct rules_rule *matched[AGENT_MATCH_MAX];
	struct enf_result enf[AGENT_MATCH_MAX]; /* what enforcement did for each match */
	unsigned nmatched;
	uint32_t enf_code; /* VG_ENF_CODE the record carries; 0 none */
	uint64_t monitored; /* matches of rules in monitor mode: counted, no alert */
	uint64_t num; /* evt.num */
	uint64_t alerts[8]; /* written, by priority */
	uint64_t alert_errors; /* alerts that could not be built or written */
	uint64_t alerts_dropped; /* matches beyond AGENT_MATCH_MAX for one record */
};

struct agent {
	struct vg_config cfg;
	struct sysenv env;
	struct features feat;
	struct vigil_bpf *skel;
	struct ring_buffer *rb;
	struct proc_cache *procs;
	struct container_cache *cgroups;
	struct fd_table *fds; /* (tgid, fd) -> what it is; fdstate.c */
	bool fd_reg_single; /* the kernel has no batch map updates: fdstate.c */
	struct json_w json; /* the event line being built */
	struct json_w json_obj; /* a process object being rendered for the entry cache */
	FILE *out;
	int ncpus;
	int nprogs; /* programs attached */
	uint64_t *last_seq; /* per CPU */
	int64_t boot_to_real_ns; /* CLOCK_REALTIME - CLOCK_BOOTTIME */
	uint64_t started_boot_ns;
	struct agent_counters cnt;
	struct agent_k8s k8s;
	struct agent_rules rules;
	struct agent_enforce_state *enf; /* NULL without rules that act (enforce.h) */
	FILE *alerts_out; /* a->out unless --alerts-output */
	struct agent_outputs outs; /* the store and the forwarders (outputs.h) */
	struct redactor *redactor; /* secrets out of argv (redact.h), given to the process cache */
	uint64_t line_time_ns; /* wall clock "time" of the line being built, for the outputs */
	size_t line_body_at; /* offset of what follows the event header in the line */
	int bpf_stats_fd; /* BPF_ENABLE_STATS, -1 when off (bpf_stats.c) */
	struct metrics *metrics; /* /metrics, /healthz, /readyz; NULL when off (metrics.h) */
	struct pod_counts podc; /* per-pod counts, with metrics.per_pod only */
	uint64_t kernel_events; /* types whose programs run: --events and what rules need */
	volatile sig_atomic_t stop;
	volatile sig_atomic_t reload; /* SIGHUP: reload.c */
};

/* bpf.c: open, size, check, load, attach; and teardown. */
int agent_bpf_start(struct agent *a);
void agent_bpf_detach(struct agent *a);
void agent_bpf_stop(struct agent *a);
/* bpf_stats.c: per-program run count and time, when metrics.bpf_stats asks for them. */
void agent_bpf_stats_start(struct agent *a);
void agent_bpf_stats_stop(struct agent *a);
void agent_bpf_prog_stats(struct agent *a); /* the stats record's "programs" object */
/* Sum the per-CPU kernel counters. */
int agent_bpf_kstats(struct agent *a, struct vg_kstats *out);

/* handler.c: the ring buffer callback. */
int agent_handle_record(void *ctx, void *data, size_t size);

/* event_json.c: write one event line for a decoded record. */
int agent_emit_exec(struct agent *a, const struct vg_exec *e, size_t size,
		    struct proc_entry *pe, struct cg_entry *cg);
int agent_emit_fork(struct agent *a, const struct vg_fork *f, struct proc_entry *pe,
		    struct cg_entry *cg);
int agent_emit_exit(struct agent *a, const struct vg_exit *x, struct proc_entry *pe,
		    struct cg_entry *cg);
/* Start a syscall event line: common members, process, lineage, container and the
 * "syscall" object. The caller adds its own members and finishes with agent_write_line(). */
void agent_begin_sys(struct agent *a, const struct vg_hdr *h, const struct vg_sys *s,
		     struct proc_entry *pe, struct cg_entry *cg);
/* handler.c: what every syscall record handler needs. */
struct sys_ctx {
	struct proc_entry *pe; /* NULL when the process is not cached */
	struct cg_entry *cg;
};
void agent_sys_context(struct agent *a, const struct vg_hdr *h, const struct vg_sys *s,
		       struct sys_ctx *cx);
/* Bounds check of a tail string of a record of `size` bytes with a `fixed` part. */
int agent_check_str(const struct vg_str *s, size_t fixed, size_t size);
/* Decode a path (components) or plain string member of a record into out ("" if absent). */
void agent_rec_path(const void *rec, const struct vg_str *s, char *out, size_t outsz);
/* ev_file.c, ev_net.c, ev_priv.c: validate, update state (fd table), write the line.
 * Return -EINVAL for a malformed record. */
int agent_on_file(struct agent *a, const struct vg_file *f, size_t size);
/* The permission bits of a file record's mode argument, when its syscall has one (open, creat,
 * mkdir, chmod families; ev_file.c's table of arguments). */
bool agent_file_mode(const struct vg_file *f, uint32_t *mode);
int agent_on_net(struct agent *a, const struct vg_net *n, size_t size);
int agent_on_priv(struct agent *a, const struct vg_priv *p, size_t size);
/* fdstate.c: the per-process fd table, fed by the event handlers, so that an event that
 * names only an fd can say what the fd is. `what` is a path ("/etc/passwd", "memfd:x") or
 * NULL; sockets are described from the net record. */
void agent_fd_opened(struct agent *a, uint32_t tgid, int32_t fd, const char *what,
		     uint32_t ino_mode, bool cloexec);
void agent_fd_socket(struct agent *a, uint32_t tgid, int32_t fd, const struct vg_net *n,
		     bool cloexec);
void agent_fd_dup(struct agent *a, uint32_t tgid, int32_t oldfd, int32_t newfd, bool cloexec);
void agent_fd_closed(struct agent *a, uint32_t tgid, int32_t fd);
/* A fork: the child's copy of the parent's fds, entered in the kernel's fd_tracked too, so
 * that their closes are reported (fdstate.c); and the same for every fd seeded from /proc. */
void agent_fd_forked(struct agent *a, uint32_t parent, uint32_t child);
void agent_fd_seeded(struct agent *a);
/* What fd of tgid is, as text ("/etc/passwd", "tcp 1.2.3.4:5->..."); "" when unknown. */
void agent_fd_name(struct agent *a, uint32_t tgid, int32_t fd, char *out, size_t outsz);
/* Write member `key`: an object saying what fd of tgid is, or null when unknown. */
void agent_fd_describe(struct agent *a, const char *key, uint32_t tgid, int32_t fd);
/* Is a line written for this type (--events)? Records of other types only update state. */
static inline bool agent_type_written(const struct agent *a, int type)
{
	return type > 0 && type < 64 && (a->cfg.events >> type) & 1;
}
/* JSON name of a record type ("exec", ...), from the one table in events.h. */
const char *agent_event_name(int type);
/* Finish the line in a->json and write it. */
int agent_write_line(struct agent *a, int type);

/* k8s_enrich.c: pod metadata from the API or the static file. start: 0 also when there is
 * none (logged); an error only for what the user asked for explicitly (--metadata,
 * --kubeconfig) or ENOMEM. poll: apply the watcher's updates and release held lines, once
 * per loop turn. flush: write every held line now. stop: stop the watcher, free. */
int agent_k8s_start(struct agent *a);
void agent_k8s_poll(struct agent *a);
void agent_k8s_flush(struct agent *a);
void agent_k8s_stop(struct agent *a);
/* Write the container, pod and attribution members of an event line for cgroup cg. */
void agent_k8s_members(struct agent *a, struct cg_entry *cg);
/* Called with a finished line: true if it was taken to wait for its pod's metadata. */
bool agent_k8s_hold_line(struct agent *a, int type, uint64_t dedup);
/* The "kubernetes" object of the stats record (nothing without a metadata source). */
void agent_k8s_stats(struct agent *a);

/* rules_live*.c: rule evaluation on the live stream. start: load the rule files (--rules, or
 * the default file), log what loaded and what was skipped; an error in a rule file is fatal.
 * view: reset the view for a record and fill its process, lineage and pod parts; the caller
 * adds the record's own, then eval collects the matches, and agent_write_line writes their
 * alerts once the event line is built. */
int agent_rules_start(struct agent *a);
void agent_rules_stop(struct agent *a);
static inline bool agent_rules_want(const struct agent *a, int type)
{
	return type > 0 && type < 64 && (a->rules.want >> type) & 1;
}
/* Is a record of type worth handling past the state it updates: its line is written, or some
 * rule may match it? And once the rules ran: is its line to be built (written, or needed by an
 * alert)? */
static inline bool agent_type_handled(const struct agent *a, int type)
{
	return agent_type_written(a, type) || agent_rules_want(a, type);
}
static inline bool agent_line_needed(const struct agent *a, int type)
{
	return agent_type_written(a, type) || a->rules.nmatched;
}
struct rv_event *agent_rules_view(struct agent *a, const struct vg_hdr *h,
				  const struct proc_entry *pe, struct cg_entry *cg);
unsigned agent_rules_eval(struct agent *a);
void agent_rules_alerts(struct agent *a);
/* An alert of r was written: count it for the stats' by_rule. */
void agent_rules_count(struct agent *a, const struct rules_rule *r);
void agent_rules_stats(struct agent *a);
/* rules_kernel.c: fill the rules' kernel prefilter maps (after the BPF load, before attach). */
int agent_rules_kernel(struct agent *a);
/* rules_live_ev.c: the record-specific parts of the view, then eval; return the matches. */
unsigned agent_rules_exec(struct agent *a, const struct vg_exec *e, struct proc_entry *pe,
			  struct cg_entry *cg);
unsigned agent_rules_fork(struct agent *a, const struct vg_fork *f, struct proc_entry *pe,
			  struct cg_entry *cg);
unsigned agent_rules_exit(struct agent *a, const struct vg_exit *x, struct proc_entry *pe,
			  struct cg_entry *cg);
unsigned agent_rules_file(struct agent *a, const struct vg_file *f, const char *path,
			  const struct sys_ctx *cx);
unsigned agent_rules_net(struct agent *a, const struct vg_net *n, const struct sys_ctx *cx);
unsigned agent_rules_priv(struct agent *a, const struct vg_priv *p, const struct sys_ctx *cx);
/* k8s_enrich.c: memoised pod and container of cg (cg->k8s_pod, cg->k8s_ctr). */
void agent_k8s_lookup(struct agent *a, struct cg_entry *cg);

/* stats.c */
int agent_emit_stats(struct agent *a, bool final);
/* The stats record rendered in a->json but not written (for the metrics endpoint). */
const char *agent_stats_snapshot(struct agent *a, size_t *len);
void agent_print_summary(struct agent *a);

/* time */
uint64_t agent_boot_ns(void);
void agent_sync_clock(struct agent *a);

/* run.c: run until SIGINT/SIGTERM. Takes cfg over: what it points to is freed on return
 * (a SIGHUP reload replaces it meanwhile). */
int agent_run(struct vg_config *cfg);

#endif /* VIGIL_AGENT_H */
