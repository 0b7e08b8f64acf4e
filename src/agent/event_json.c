/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON event stream: one object per line, format documented in docs/events.md.
 * Field names here are a contract; renaming one is a breaking change of VIGIL_SCHEMA. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "decode.h"
#include "sysnames.h"

static const char *const type_names[VG_EV_MAX] = {
#define VG_X_NAME(name, val, str, layout) [val] = str,
	VG_EVENT_TYPES(VG_X_NAME)
#undef VG_X_NAME
};

const char *agent_event_name(int type)
{
	return type > 0 && type < VG_EV_MAX ? type_names[type] : "unknown";
}

static void ktime_w(struct agent *a, struct json_w *w, const char *key, uint64_t boot_ns)
{
	int64_t real = (int64_t)boot_ns + a->boot_to_real_ns;

	json_ktime(w, key, real / 1000000000, real % 1000000000);
}

static void ktime(struct agent *a, const char *key, uint64_t boot_ns)
{
	ktime_w(a, &a->json, key, boot_ns);
}

/* Tetragon-style exec id: base64("node:ktime:pid"), unique per process image on a node. */
static void exec_id(struct agent *a, struct json_w *w, const char *key, uint32_t tgid,
		    uint64_t ns)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char raw[sizeof(a->cfg.node) + 2 * (JSON_U64_LEN + 1)], out[sizeof(raw) * 4 / 3 + 4];
	size_t node = strnlen(a->cfg.node, sizeof(a->cfg.node) - 1);
	int n, o = 0;

	/* "node:ns:tgid", without printf: twice per event */
	memcpy(raw, a->cfg.node, node);
	n = node;
	raw[n++] = ':';
	n += json_fmt_u64(raw + n, ns);
	raw[n++] = ':';
	n += json_fmt_u64(raw + n, tgid);
	for (int i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)raw[i] << 16;

		v |= i + 1 < n ? (unsigned char)raw[i + 1] << 8 : 0;
		v |= i + 2 < n ? (unsigned char)raw[i + 2] : 0;
		out[o++] = tbl[(v >> 18) & 63];
		out[o++] = tbl[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tbl[v & 63] : '=';
	}
	out[o] = 0;
	json_kstr(w, key, out);
}

static uint64_t image_ns(const struct proc_entry *pe)
{
	return pe->exec_ns ? pe->exec_ns : pe->start_ns;
}

static void args_array(struct json_w *w, const char *key, const char *buf, size_t len)
{
	struct args_iter it;
	const char *arg;
	size_t n;

	json_key(w, key);
	json_arr_begin(w);
	args_iter_init(&it, buf, len);
	while (args_iter_next(&it, &arg, &n))
		json_strn(w, arg, n);
	json_arr_end(w);
}

/* A capability set as /proc/PID/status writes it: 16 hex digits, bit n for capability n. */
static void cap_hex(struct json_w *w, const char *key, uint64_t caps)
{
	static const char digits[] = "0123456789abcdef";
	char hex[17];

	for (int i = 15; i >= 0; i--, caps >>= 4)
		hex[i] = digits[caps & 15];
	hex[16] = '\0';
	json_kstr(w, key, hex);
}

/* Members shared by the process, parent and ancestor objects. */
static void proc_members(struct agent *a, struct json_w *w, const struct proc_entry *pe,
			 bool full)
{
	exec_id(a, w, "exec_id", pe->tgid, image_ns(pe));
	json_ku64(w, "pid", pe->tgid);
	json_kstr(w, "comm", pe->comm);
	json_kstr(w, "binary", pe->binary ? pe->binary : "");
	if (!full)
		return; /* ancestors: identity only, their argv would dominate every line */
	args_array(w, "arguments", pe->args, pe->args ? pe->args_len : 0);
	json_kbool(w, "arguments_truncated", !!(pe->flags & PROC_F_ARGS_TRUNC));
	json_ku64(w, "ppid", pe->ppid);
	json_kstr(w, "cwd", pe->cwd ? pe->cwd : "");
	json_ku64(w, "uid", pe->uid);
	json_ku64(w, "gid", pe->gid);
	json_ku64(w, "euid", pe->euid);
	json_ku64(w, "egid", pe->egid);
	json_ku64(w, "auid", pe->auid);
	json_ku64(w, "tty", pe->tty);
	ktime_w(a, w, "start_time", pe->start_ns);
	json_kbool(w, "from_procfs", !!(pe->flags & PROC_F_PROCFS));
}

/* A parent or ancestor object. Parents recur in thousands of events (a shell, a shim, a
 * storm's driver), so each entry keeps its rendered form until it changes. */
static void proc_object(struct agent *a, struct proc_entry *p, int full)
{
	struct json_w *o = &a->json_obj;

	if (!p->json[full]) {
		json_reset(o);
		json_obj_begin(o);
		proc_members(a, o, p, full);
		if (full)
			json_kbool(o, "exited", !!(p->flags & PROC_F_EXITED));
		json_obj_end(o);
		if (o->err || proc_entry__set_json(a->procs, p, full, o->buf, o->len)) {
			json_raw(&a->json, o->err ? "null" : o->buf);
			return;
		}
	}
	json_raw(&a->json, p->json[full]);
}

/* Lineage: the parent (full, or short in syscall events) and, for lifecycle events, the
 * ancestors in short form. */
static void lineage(struct agent *a, const struct proc_entry *pe, uint32_t ppid,
		    uint64_t parent_start_ns, bool lifecycle)
{
	struct proc_entry *p = pe ? proc_cache__parent(a->procs, pe) : NULL;
	struct json_w *w = &a->json;

	json_key(w, "parent");
	if (p) {
		proc_object(a, p, lifecycle);
	} else {
		json_obj_begin(w);
		/* not cached (vigil dropped it, or it predates the /proc seed): what we know */
		json_ku64(w, "pid", ppid);
		ktime(a, "start_time", parent_start_ns);
		json_kbool(w, "unknown", 1);
		json_obj_end(w);
	}
	if (!p || a->cfg.ancestors < 2 || !lifecycle)
		return;
	json_key(w, "ancestors");
	json_arr_begin(w);
	for (unsigned lvl = 1; lvl < a->cfg.ancestors && (p = proc_cache__parent(a->procs, p));
	     lvl++)
		proc_object(a, p, 0);
	json_arr_end(w);
}

static void container_members(struct agent *a, const struct vg_hdr *h, struct cg_entry *cg)
{
	struct json_w *w = &a->json;

	json_key(w, "cgroup");
	json_obj_begin(w);
	json_ku64(w, "id", h->cgroup_id);
	json_kstr(w, "path", cg ? cg->path : "");
	json_kstr(w, "hierarchy", (h->cg_flags & VG_CG_V1) ? "v1" : "v2");
	json_obj_end(w);
	agent_k8s_members(a, cg);
}

static void begin_event(struct agent *a, const struct vg_hdr *h)
{
	struct json_w *w = &a->json;

	json_reset(w);
	a->k8s.mark.active = false;
	json_obj_begin(w);
	json_kstr(w, "schema", VIGIL_SCHEMA);
	json_kstr(w, "type", type_names[h->type]);
	ktime(a, "time", h->ts_ns);
	a->line_time_ns = h->ts_ns + a->boot_to_real_ns;
	json_kstr(w, "node", a->cfg.node);
	json_ku64(w, "cpu", h->cpu);
	json_ku64(w, "seq", h->seq);
	a->line_body_at = w->len; /* what follows identifies a repeat (store_dedup.h) */
}

int agent_write_line(struct agent *a, int type)
{
	struct json_w *w = &a->json;
	const struct k8s_pod *pod = a->k8s.cur_pod; /* valid until the loop polls the watch */
	uint64_t dedup = STORE_DEDUP_OFF;

	a->k8s.cur_pod = NULL;
	json_obj_end(w);
	if (a->rules.nmatched)
		agent_rules_alerts(a);
	if (type && !agent_type_written(a, type))
		return 0; /* built for its alerts only (type 0: the stats record) */
	if (type && !w->err && a->line_body_at < w->len)
		dedup = agent_outputs_dedup(a, w->buf + a->line_body_at, w->len - a->line_body_at,
					    a->line_time_ns);
	if (agent_k8s_hold_line(a, type, dedup))
		return 0;
	if (w->err) {
		a->cnt.output_errors++;
		return -EIO;
	}
	agent_outputs_line(a, type ? OUT_EVENT : OUT_STATS, type, 6, a->line_time_ns, w->buf,
			   w->len, dedup);
	/* the stats record always goes to stdout too: it is the agent's own account */
	if ((a->cfg.stdout_events || !type) &&
	    (fwrite(w->buf, 1, w->len, a->out) != w->len || fputc('\n', a->out) == EOF)) {
		a->cnt.output_errors++;
		return -EIO;
	}
	if (type > 0 && type < VG_EV_MAX)
		a->cnt.written[type]++;
	if (a->podc.nslots && pod && type)
		pod_counts__add(&a->podc, pod->namespace, pod->name, 1, 0);
	return 0;
}

/* Process object for a record whose process is not cached (allocation failure). */
static void proc_minimal(struct agent *a, uint32_t tgid, uint64_t start_ns, const char *comm)
{
	json_ku64(&a->json, "pid", tgid);
	json_kstr(&a->json, "comm", comm);
	ktime(a, "start_time", start_ns);
}

int agent_emit_exec(struct agent *a, const struct vg_exec *e, size_t size,
		    struct proc_entry *pe, struct cg_entry *cg)
{
	struct json_w *w = &a->json;
	char comm[VG_COMM_LEN + 1] = "";

	(void)size;
	memcpy(comm, e->comm, VG_COMM_LEN);
	begin_event(a, &e->hdr);
	json_key(w, "process");
	json_obj_begin(w);
	if (pe)
		proc_members(a, w, pe, true);
	else
		proc_minimal(a, e->hdr.tgid, e->start_ns, comm);
	json_ku64(w, "tid", e->hdr.pid);
	json_ku64(w, "argc", e->argc);
	json_key(w, "filename");
	json_strn(w, (const char *)e + e->filename.off, e->filename.len ? e->filename.len - 1 : 0);
	json_kbool(w, "fileless", !!(e->flags & (VG_EXEC_MEMFD | VG_EXEC_DELETED | VG_EXEC_FD)));
	json_kbool(w, "memfd", !!(e->flags & VG_EXEC_MEMFD));
	json_kbool(w, "deleted", !!(e->flags & VG_EXEC_DELETED));
	json_kbool(w, "exec_fd", !!(e->flags & VG_EXEC_FD));
	json_kbool(w, "setuid", !!(e->flags & VG_EXEC_SETUID));
	json_kbool(w, "exe_upper_layer", !!(e->flags & VG_EXEC_UPPER));
	json_obj_end(w);
	lineage(a, pe, e->ppid, e->parent_start_ns, true);
	container_members(a, &e->hdr, cg);
	return agent_write_line(a, VG_EV_EXEC);
}

int agent_emit_fork(struct agent *a, const struct vg_fork *f, struct proc_entry *pe,
		    struct cg_entry *cg)
{
	struct json_w *w = &a->json;
	char comm[VG_COMM_LEN + 1] = "";

	memcpy(comm, f->comm, VG_COMM_LEN);
	begin_event(a, &f->hdr);
	json_key(w, "process");
	json_obj_begin(w);
	if (pe)
		proc_members(a, w, pe, true);
	else
		proc_minimal(a, f->hdr.tgid, f->start_ns, comm);
	json_ku64(w, "parent_tid", f->parent_pid);
	json_obj_end(w);
	lineage(a, pe, f->ppid, f->parent_start_ns, true);
	container_members(a, &f->hdr, cg);
	return agent_write_line(a, VG_EV_FORK);
}

void agent_begin_sys(struct agent *a, const struct vg_hdr *h, const struct vg_sys *s,
		     struct proc_entry *pe, struct cg_entry *cg)
{
	struct json_w *w = &a->json;
	const char *name = sysname(s->nr);
	const char *err = s->ret < 0 && s->ret > -4096 ? strerrorname_np(-s->ret) : NULL;

	begin_event(a, h);
	json_key(w, "process");
	if (pe) {
		proc_object(a, pe, 1);
	} else {
		json_obj_begin(w);
		proc_minimal(a, h->tgid, s->start_ns, "");
		json_obj_end(w);
	}
	/* the full lineage is on the process's exec event (join on exec_id); repeating it in
	 * every file and socket event would triple the line and the agent's cost */
	lineage(a, pe, pe ? pe->ppid : 0, pe ? pe->parent_start_ns : 0, false);
	container_members(a, h, cg);
	if (s->nr == UINT32_MAX) /* not from a syscall (tcp_state) */
		return;
	json_key(w, "syscall");
	json_obj_begin(w);
	json_kstr(w, "name", name ? name : "unknown");
	json_ku64(w, "nr", s->nr);
	json_ki64(w, "ret", s->ret);
	json_kstr(w, "error", err ? err : "");
	json_ku64(w, "tid", h->pid);
	json_ku64(w, "uid", s->uid);
	json_ku64(w, "euid", s->euid);
	cap_hex(w, "cap_effective", s->cap_effective);
	cap_hex(w, "cap_permitted", s->cap_permitted);
	json_obj_end(w);
}

int agent_emit_exit(struct agent *a, const struct vg_exit *x, struct proc_entry *pe,
		    struct cg_entry *cg)
{
	struct json_w *w = &a->json;
	char comm[VG_COMM_LEN + 1] = "", sig[24] = "";
	int signo = x->exit_code & 0x7f;
	const char *abbrev = signo ? sigabbrev_np(signo) : NULL;

	memcpy(comm, x->comm, VG_COMM_LEN);
	begin_event(a, &x->hdr);
	json_key(w, "process");
	json_obj_begin(w);
	if (pe)
		proc_members(a, w, pe, true);
	else
		proc_minimal(a, x->hdr.tgid, x->start_ns, comm);
	json_obj_end(w);
	json_key(w, "exit");
	json_obj_begin(w);
	json_ki64(w, "code", (x->exit_code >> 8) & 0xff);
	json_ki64(w, "signal", signo);
	if (abbrev)
		snprintf(sig, sizeof(sig), "SIG%s", abbrev);
	json_kstr(w, "signal_name", sig);
	json_kbool(w, "core_dumped", !!(x->exit_code & 0x80));
	json_ku64(w, "lifetime_ns", x->hdr.ts_ns > x->start_ns ? x->hdr.ts_ns - x->start_ns : 0);
	json_obj_end(w);
	lineage(a, pe, x->ppid, pe ? pe->parent_start_ns : 0, true);
	container_members(a, &x->hdr, cg);
	return agent_write_line(a, VG_EV_EXIT);
}
