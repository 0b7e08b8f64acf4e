/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rule view of privilege and integrity records and of process lifecycle records (exec,
 * fork, exit); see rules_live_ev.c for files and sockets.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "agent.h"
#include "fd_table.h"
#include "flagnames.h"
#include "rules_live.h"
#include "sysnames.h"

static void unshare_fn(struct json_w *w, uint64_t f) { unshare_flags_json(w, f); }
static void mount_fn(struct json_w *w, uint64_t f) { mount_flags_json(w, f); }
static void umount_fn(struct json_w *w, uint64_t f) { umount_flags_json(w, (uint32_t)f); }
static void memfd_fn(struct json_w *w, uint64_t f) { memfd_flags_json(w, (uint32_t)f); }
static void nstype_fn(struct json_w *w, uint64_t f) { setns_nstype_json(w, (uint32_t)f); }

/* evt.arg.flags of the record types that have flags. */
static const char *flags_of(const struct rv_event *v, const struct vg_priv *p)
{
	switch (p->hdr.type) {
	case VG_EV_UNSHARE: return rl_flags(v, unshare_fn, p->sys.args[0]);
	case VG_EV_MOUNT: return rl_flags(v, mount_fn, p->sys.args[3]);
	case VG_EV_UMOUNT: return rl_flags(v, umount_fn, p->sys.args[1]);
	case VG_EV_MEMFD_CREATE: return rl_flags(v, memfd_fn, p->sys.args[1]);
	case VG_EV_MODULE_LOAD: return rl_num(v, (uint32_t)p->sys.args[2]);
	default: return NULL;
	}
}

static const char *kill_sig(const struct vg_priv *p)
{
	return signal_name((int)p->sys.args[p->sys.nr == SYS_tgkill ? 2 : 1]);
}

static const char *priv_arg(const struct rv_event *v, const char *name)
{
	const struct vg_priv *p = v->arg_ctx;
	int t = p->hdr.type;

	if (!strcmp(name, "res"))
		return rl_num(v, p->sys.ret);
	if (!strcmp(name, "flags"))
		return flags_of(v, p);
	if (!strcmp(name, "request") && t == VG_EV_PTRACE)
		return ptrace_request_name((long)p->sys.args[0]);
	if (!strcmp(name, "pid") && (t == VG_EV_PTRACE || t == VG_EV_KILL))
		return rl_num(v, (int32_t)p->sys.args[t == VG_EV_PTRACE ? 1 : 0]);
	if (!strcmp(name, "sig") && t == VG_EV_KILL)
		return kill_sig(p);
	if (!strcmp(name, "uid") && t == VG_EV_SETUID)
		return v->lazy.user_name(v, (uint32_t)p->sys.args[0]);
	if (!strcmp(name, "gid") && t == VG_EV_SETGID)
		return v->lazy.group_name(v, (uint32_t)p->sys.args[0]);
	if (!strcmp(name, "cmd") && t == VG_EV_BPF)
		return bpf_cmd_name((int)p->sys.args[0]);
	if (!strcmp(name, "option") && t == VG_EV_PRCTL)
		return prctl_option_name((int)p->sys.args[0]);
	if (!strcmp(name, "nstype") && t == VG_EV_SETNS)
		return rl_flags(v, nstype_fn, p->sys.args[1]);
	if (!strcmp(name, "fd") && (t == VG_EV_SETNS || t == VG_EV_MODULE_LOAD))
		return rl_num(v, (int32_t)p->sys.args[0]);
	if (!strcmp(name, "fd") && v->has_fd)
		return rl_num(v, v->fd);
	if ((!strcmp(name, "name") && (t == VG_EV_MEMFD_CREATE || t == VG_EV_UMOUNT)) ||
	    (!strcmp(name, "path") && t == VG_EV_CHROOT))
		return rl_str(v, p, &p->s1);
	return NULL;
}

/* What an fd is, from the fd table: dup's new fd (a copy of the old one). */
static void fd_from_table(struct agent *a, struct rv_event *v, uint32_t tgid, int32_t fd)
{
	const struct fd_info *fi = fd_table__get(a->fds, tgid, fd);
	char *out;

	if (!fi)
		return;
	switch (fi->kind) {
	case FD_KIND_SOCKET:
		if (rl_sock(v, &fi->sock))
			return; /* an inet socket: fd.name is its tuple */
		break;
	case FD_KIND_DIR: v->fd_typechar = 'd'; break;
	case FD_KIND_PIPE: v->fd_typechar = 'p'; break;
	case FD_KIND_MEMFD: v->fd_typechar = 'm'; break;
	case FD_KIND_FILE: v->fd_typechar = 'f'; break;
	default: v->fd_typechar = 'o';
	}
	if ((out = rules_view__scratch(v, 512)) && fd_info__format(fi, out, 512) >= 0)
		v->fd_name = out;
}

static void priv_fd(struct agent *a, struct rv_event *v, const struct vg_priv *p)
{
	char *path;

	switch (p->hdr.type) {
	case VG_EV_DUP:
		v->fd = p->sys.ret >= 0 ? (int32_t)p->sys.ret : (int32_t)p->sys.args[1];
		v->has_fd = v->fd >= 0;
		if (p->sys.ret >= 0)
			fd_from_table(a, v, p->hdr.tgid, v->fd);
		break;
	case VG_EV_MEMFD_CREATE:
		v->has_fd = p->sys.ret >= 0;
		v->fd = (int32_t)p->sys.ret;
		v->fd_typechar = 'm';
		break;
	case VG_EV_MODULE_LOAD:
	case VG_EV_SETNS:
		if (!p->fdpath.off || !(path = rules_view__scratch(v, VG_PATH_MAX + 8)))
			break;
		agent_rec_path(p, &p->fdpath, path, VG_PATH_MAX + 8);
		v->fd_name = path;
		break;
	}
}

unsigned agent_rules_priv(struct agent *a, const struct vg_priv *p, const struct sys_ctx *cx)
{
	struct rv_event *v = agent_rules_view(a, &p->hdr, cx->pe, cx->cg);

	a->rules.enf_code = p->sys.enforce;
	v->evt_name = sysname(p->sys.nr);
	v->has_ret = true;
	v->ret = p->sys.ret;
	v->error = p->sys.ret < 0 && p->sys.ret > -4096 ? strerrorname_np(-p->sys.ret) : NULL;
	v->uid = p->sys.uid;
	v->has_uid = true;
	v->cap_effective = p->sys.cap_effective;
	v->cap_permitted = p->sys.cap_permitted;
	v->has_caps = true;
	priv_fd(a, v, p);
	v->arg = priv_arg;
	v->arg_ctx = p;
	return agent_rules_eval(a);
}

/* --- lifecycle --- */

static const char *exec_arg(const struct rv_event *v, const char *name)
{
	if (!strcmp(name, "filename"))
		return v->filename;
	return NULL;
}

unsigned agent_rules_exec(struct agent *a, const struct vg_exec *e, struct proc_entry *pe,
			  struct cg_entry *cg)
{
	struct rv_event *v = agent_rules_view(a, &e->hdr, pe, cg);

	a->rules.enf_code = e->enforce;
	v->evt_name = "execve";
	if (!pe) {
		static char comm[VG_COMM_LEN + 1];

		memcpy(comm, e->comm, VG_COMM_LEN);
		v->proc.comm = comm;
		v->proc.uid = e->cred.uid, v->proc.gid = e->cred.gid, v->proc.auid = e->cred.auid;
		v->proc.has_creds = true;
		v->proc.tty = e->tty;
	}
	v->filename = rl_str(v, e, &e->filename);
	v->arg = exec_arg;
	return agent_rules_eval(a);
}

unsigned agent_rules_fork(struct agent *a, const struct vg_fork *f, struct proc_entry *pe,
			  struct cg_entry *cg)
{
	struct rv_event *v = agent_rules_view(a, &f->hdr, pe, cg);

	v->evt_name = "clone";
	return agent_rules_eval(a);
}

unsigned agent_rules_exit(struct agent *a, const struct vg_exit *x, struct proc_entry *pe,
			  struct cg_entry *cg)
{
	struct rv_event *v = agent_rules_view(a, &x->hdr, pe, cg);

	v->evt_name = "procexit";
	return agent_rules_eval(a);
}
