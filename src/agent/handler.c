/* SPDX-License-Identifier: Apache-2.0 */
/* Ring buffer records in, caches updated, one JSON line out. Every record is validated
 * before use: a malformed one is counted and skipped, never trusted. */
#include <errno.h>
#include <string.h>

#include "agent.h"
#include "decode.h"
#include "log.h"

static const size_t fixed_size[VG_EV_MAX] = {
#define VG_X_SIZE(name, val, str, layout) [val] = sizeof(struct vg_##layout),
	VG_EVENT_TYPES(VG_X_SIZE)
#undef VG_X_SIZE
};

/* Which record layout a type uses, to dispatch. */
enum layout { L_exec, L_fork, L_exit, L_file, L_net, L_priv };
static const unsigned char layout_of[VG_EV_MAX] = {
#define VG_X_LAYOUT(name, val, str, layout) [val] = L_##layout,
	VG_EVENT_TYPES(VG_X_LAYOUT)
#undef VG_X_LAYOUT
};

int agent_check_str(const struct vg_str *s, size_t fixed, size_t size)
{
	return decode_str_check(s->off, s->len, fixed, size);
}


/* Validate the common header; 0 or -EINVAL. */
static int check_hdr(const struct vg_hdr *h, size_t size)
{
	if (size < sizeof(*h) || h->size != size || h->abi != VG_ABI_VERSION)
		return -EINVAL;
	if (h->type == VG_EV_NONE || h->type >= VG_EV_MAX || size < fixed_size[h->type])
		return -EINVAL;
	return agent_check_str(&h->cgroup, fixed_size[h->type], size);
}

static void track_seq(struct agent *a, const struct vg_hdr *h)
{
	uint64_t *last;

	if (h->cpu >= a->ncpus)
		return;
	last = &a->last_seq[h->cpu];
	if (*last && h->seq > *last + 1)
		a->cnt.seq_gaps += h->seq - *last - 1;
	*last = h->seq;
}

static struct cg_entry *resolve_cgroup(struct agent *a, const struct vg_hdr *h)
{
	const char *rec = (const char *)h;

	return container_cache__resolve(a->cgroups, h->cgroup_id, rec + h->cgroup.off,
					h->cgroup.len, h->cgroup.count, h->cgroup.flags,
					h->cg_flags);
}

void agent_rec_path(const void *rec, const struct vg_str *s, char *out, size_t outsz)
{
	out[0] = 0;
	if (!s->off) /* absent; a rooted walk with no component (len 0) is "/" */
		return;
	if (!(s->flags & VG_STR_COMPONENTS)) { /* a plain string argument */
		snprintf(out, outsz, "%.*s", (int)strnlen((const char *)rec + s->off, s->len),
			 (const char *)rec + s->off);
		return;
	}
	if (s->flags & VG_STR_PSEUDO && s->count == 1) {
		/* memfd:x, pipe:[n]: a name on a pseudo file system is shown bare */
		snprintf(out, outsz, "%.*s", (int)s->len, (const char *)rec + s->off);
		return;
	}
	decode_path((const char *)rec + s->off, s->len, s->count, s->flags, out, outsz);
}

static int on_exec(struct agent *a, const struct vg_exec *e, size_t size)
{
	char binary[VG_PATH_MAX + 8], cwd[VG_PATH_MAX + 8];
	struct cg_entry *cg;
	struct proc_entry *pe;

	if (agent_check_str(&e->args, sizeof(*e), size) ||
	    agent_check_str(&e->binary, sizeof(*e), size) ||
	    agent_check_str(&e->cwd, sizeof(*e), size) ||
	    agent_check_str(&e->filename, sizeof(*e), size))
		return -EINVAL;
	cg = resolve_cgroup(a, &e->hdr);
	agent_rec_path(e, &e->binary, binary, sizeof(binary));
	agent_rec_path(e, &e->cwd, cwd, sizeof(cwd));
	pe = proc_cache__upsert(a->procs, e->hdr.tgid, e->start_ns);
	if (pe) {
		proc_entry__drop_json(a->procs, pe);
		pe->exec_ns = e->hdr.ts_ns;
		pe->cgroup_id = e->hdr.cgroup_id;
		pe->uid = e->cred.uid, pe->gid = e->cred.gid;
		pe->euid = e->cred.euid, pe->egid = e->cred.egid, pe->auid = e->cred.auid;
		pe->exec_flags = e->flags;
		pe->tty = e->tty;
		pe->flags &= ~PROC_F_ARGS_TRUNC;
		pe->flags |= PROC_F_EXECED;
		if (e->args.flags & VG_STR_TRUNCATED)
			pe->flags |= PROC_F_ARGS_TRUNC;
		memcpy(pe->comm, e->comm, sizeof(pe->comm));
		pe->comm[sizeof(pe->comm) - 1] = 0;
		proc_entry__set_strings(a->procs, pe, binary, (const char *)e + e->args.off,
					e->args.len, cwd);
		fd_table__exec(a->fds, e->hdr.tgid); /* close-on-exec fds are gone */
		proc_cache__link_parent(a->procs, pe, e->ppid, e->parent_start_ns);
	}
	if (agent_rules_want(a, VG_EV_EXEC))
		agent_rules_exec(a, e, pe, cg);
	if (!agent_line_needed(a, VG_EV_EXEC))
		return 0;
	return agent_emit_exec(a, e, size, pe, cg);
}

static int on_fork(struct agent *a, const struct vg_fork *f)
{
	struct cg_entry *cg = resolve_cgroup(a, &f->hdr);
	struct proc_entry *pe, *parent;

	agent_fd_forked(a, f->ppid, f->hdr.tgid);
	/* touch the parent first so the upsert's eviction, if any, takes someone else */
	proc_cache__lookup(a->procs, f->ppid, f->parent_start_ns);
	pe = proc_cache__upsert(a->procs, f->hdr.tgid, f->start_ns);
	if (pe) {
		proc_entry__drop_json(a->procs, pe);
		pe->cgroup_id = f->hdr.cgroup_id;
		memcpy(pe->comm, f->comm, sizeof(pe->comm));
		pe->comm[sizeof(pe->comm) - 1] = 0;
		/* the upsert may have evicted the parent; look it up again */
		parent = proc_cache__lookup(a->procs, f->ppid, f->parent_start_ns);
		if (parent && parent != pe) {
			pe->exec_ns = parent->exec_ns;
			proc_entry__inherit(a->procs, pe, parent);
		}
		proc_cache__link_parent(a->procs, pe, f->ppid, f->parent_start_ns);
	}
	if (agent_rules_want(a, VG_EV_FORK))
		agent_rules_fork(a, f, pe, cg);
	if (!agent_line_needed(a, VG_EV_FORK))
		return 0;
	return agent_emit_fork(a, f, pe, cg);
}

static int on_exit(struct agent *a, const struct vg_exit *x)
{
	struct cg_entry *cg = resolve_cgroup(a, &x->hdr);
	struct proc_entry *pe = proc_cache__lookup(a->procs, x->hdr.tgid, x->start_ns);
	int err;

	if (pe)
		pe->exit_code = x->exit_code; /* not rendered; proc_cache__exit drops the JSON */
	if (agent_rules_want(a, VG_EV_EXIT))
		agent_rules_exit(a, x, pe, cg);
	err = agent_line_needed(a, VG_EV_EXIT) ? agent_emit_exit(a, x, pe, cg) : 0;
	if (pe)
		proc_cache__exit(a->procs, pe, x->hdr.ts_ns);
	fd_table__exit(a->fds, x->hdr.tgid);
	return err;
}

void agent_sys_context(struct agent *a, const struct vg_hdr *h, const struct vg_sys *s,
		       struct sys_ctx *cx)
{
	cx->cg = resolve_cgroup(a, h);
	cx->pe = proc_cache__lookup(a->procs, h->tgid, s->start_ns);
}

int agent_handle_record(void *ctx, void *data, size_t size)
{
	struct agent *a = ctx;
	const struct vg_hdr *h = data;
	int err;

	if (check_hdr(h, size) < 0) {
		a->cnt.decode_errors++;
		log_debug("malformed record: %zu bytes, type %u", size,
			  size >= sizeof(*h) ? h->type : 0);
		return 0;
	}
	track_seq(a, h);
	a->cnt.received[h->type]++;
	switch (layout_of[h->type]) {
	case L_exec: err = on_exec(a, data, size); break;
	case L_fork: err = on_fork(a, data); break;
	case L_exit: err = on_exit(a, data); break;
	case L_file: err = agent_on_file(a, data, size); break;
	case L_net: err = agent_on_net(a, data, size); break;
	case L_priv: err = agent_on_priv(a, data, size); break;
	default: err = -EINVAL;
	}
	if (err == -EINVAL)
		a->cnt.decode_errors++;
	return 0;
}
