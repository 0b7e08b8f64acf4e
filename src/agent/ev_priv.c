/* SPDX-License-Identifier: Apache-2.0 */
/* Privilege and integrity events: validate, keep the fd table current (dup, memfd_create),
 * write the common syscall members and then one object named after the event with its
 * decoded arguments. The members are a contract: docs/events.md lists them. */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>

#include "agent.h"
#include "flagnames.h"

#define S_IFMT_ 0170000
#define S_IFSOCK_ 0140000

typedef void (*priv_writer)(struct agent *a, const struct vg_priv *p);

/* A string argument, or null when the pointer was NULL or unreadable. */
static void str_member(struct agent *a, const char *key, const struct vg_priv *p,
		       const struct vg_str *s)
{
	const char *v = (const char *)p + s->off;

	json_key(&a->json, key);
	if (!s->off || !s->len)
		json_null(&a->json);
	else
		json_strn(&a->json, v, strnlen(v, s->len));
}

/* What an fd argument refers to (components, or a pseudo file's name), null if unknown. */
static void fdpath_member(struct agent *a, const char *key, const struct vg_priv *p)
{
	char path[VG_PATH_MAX + 8];

	json_key(&a->json, key);
	if (!p->fdpath.off || !p->fdpath.len) {
		json_null(&a->json);
		return;
	}
	agent_rec_path(p, &p->fdpath, path, sizeof(path));
	json_str(&a->json, path);
}

static void fd_member(struct agent *a, const char *key, __u64 arg)
{
	json_ki64(&a->json, key, (int32_t)arg);
}

/* The ids a setuid or setgid family call may change. */
static void ids_object(struct json_w *w, const char *key, const struct vg_ids *ids, bool gid)
{
	json_key(w, key);
	json_obj_begin(w);
	if (gid) {
		json_ku64(w, "gid", ids->gid);
		json_ku64(w, "egid", ids->egid);
		json_ku64(w, "sgid", ids->sgid);
		json_ku64(w, "fsgid", ids->fsgid);
	} else {
		json_ku64(w, "uid", ids->uid);
		json_ku64(w, "euid", ids->euid);
		json_ku64(w, "suid", ids->suid);
		json_ku64(w, "fsuid", ids->fsuid);
	}
	json_obj_end(w);
}

/* How many id arguments a credential syscall takes; -1 in them means "leave unchanged". */
static int id_args(uint32_t nr)
{
	switch (nr) {
	case SYS_setreuid:
	case SYS_setregid:
		return 2;
	case SYS_setresuid:
	case SYS_setresgid:
		return 3;
	default:
		return 1;
	}
}

static void w_ids(struct agent *a, const struct vg_priv *p)
{
	struct json_w *w = &a->json;
	bool gid = p->hdr.type == VG_EV_SETGID;

	if (p->pflags & VG_PRIV_OLD)
		ids_object(w, "old", &p->old_ids, gid);
	ids_object(w, "new", &p->new_ids, gid);
	json_key(w, "requested");
	json_arr_begin(w);
	for (int i = 0; i < id_args(p->sys.nr); i++)
		json_i64(w, (int32_t)p->sys.args[i]);
	json_arr_end(w);
}

static void caps_object(struct json_w *w, const char *key, const struct vg_caps *c)
{
	json_key(w, key);
	json_obj_begin(w);
	json_key(w, "effective");
	caps_json(w, c->effective);
	json_key(w, "permitted");
	caps_json(w, c->permitted);
	json_key(w, "inheritable");
	caps_json(w, c->inheritable);
	json_obj_end(w);
}

static void w_capset(struct agent *a, const struct vg_priv *p)
{
	if (p->pflags & VG_PRIV_OLD)
		caps_object(&a->json, "old", &p->old_caps);
	caps_object(&a->json, "new", &p->new_caps);
}

/* The host pid the kernel resolved the pid argument to, null when it could not. */
static void target_member(struct agent *a, const struct vg_priv *p)
{
	json_key(&a->json, "target_pid");
	if (p->target_pid)
		json_u64(&a->json, p->target_pid);
	else
		json_null(&a->json);
}

static void w_ptrace(struct agent *a, const struct vg_priv *p)
{
	json_key(&a->json, "request");
	enum_json(&a->json, ptrace_request_name(p->sys.args[0]), (long)p->sys.args[0]);
	json_ki64(&a->json, "pid", (int32_t)p->sys.args[1]);
	target_member(a, p);
}

static void w_module(struct agent *a, const struct vg_priv *p)
{
	switch (p->sys.nr) {
#ifdef SYS_init_module
	case SYS_init_module:
		json_ku64(&a->json, "size", p->sys.args[1]);
		str_member(a, "params", p, &p->s1);
		break;
#endif
	case SYS_finit_module:
		fd_member(a, "fd", p->sys.args[0]);
		fdpath_member(a, "path", p);
		str_member(a, "params", p, &p->s1);
		json_ku64(&a->json, "flags", (uint32_t)p->sys.args[2]);
		break;
	default: /* delete_module */
		str_member(a, "name", p, &p->s1);
		json_ku64(&a->json, "flags", (uint32_t)p->sys.args[1]);
	}
}

static void w_mount(struct agent *a, const struct vg_priv *p)
{
	str_member(a, "source", p, &p->s1);
	str_member(a, "target", p, &p->s2);
	str_member(a, "fstype", p, &p->s3);
	json_key(&a->json, "flags");
	mount_flags_json(&a->json, p->sys.args[3]);
}

static void w_umount(struct agent *a, const struct vg_priv *p)
{
	str_member(a, "target", p, &p->s1);
	json_key(&a->json, "flags");
	umount_flags_json(&a->json, p->sys.args[1]);
}

static void w_unshare(struct agent *a, const struct vg_priv *p)
{
	json_key(&a->json, "flags");
	unshare_flags_json(&a->json, p->sys.args[0]);
}

static void w_setns(struct agent *a, const struct vg_priv *p)
{
	fd_member(a, "fd", p->sys.args[0]);
	fdpath_member(a, "namespace", p);
	json_key(&a->json, "nstype");
	setns_nstype_json(&a->json, p->sys.args[1]);
}

static void w_chroot(struct agent *a, const struct vg_priv *p)
{
	str_member(a, "path", p, &p->s1);
}

static void w_pivot_root(struct agent *a, const struct vg_priv *p)
{
	str_member(a, "new_root", p, &p->s1);
	str_member(a, "put_old", p, &p->s2);
}

static void w_memfd(struct agent *a, const struct vg_priv *p)
{
	str_member(a, "name", p, &p->s1);
	json_ki64(&a->json, "fd", p->sys.ret >= 0 ? p->sys.ret : -1);
	json_key(&a->json, "flags");
	memfd_flags_json(&a->json, p->sys.args[1]);
}

static void w_bpf(struct agent *a, const struct vg_priv *p)
{
	json_key(&a->json, "cmd");
	enum_json(&a->json, bpf_cmd_name(p->sys.args[0]), (int)p->sys.args[0]);
}

/* The fd a dup made, or the one it was asked for when it failed (dup2, dup3). */
static int32_t dup_newfd(const struct vg_priv *p)
{
	if (p->sys.ret >= 0 || p->sys.nr == SYS_dup)
		return p->sys.ret >= 0 ? (int32_t)p->sys.ret : -1;
	return (int32_t)p->sys.args[1];
}

static void w_dup(struct agent *a, const struct vg_priv *p)
{
	struct json_w *w = &a->json;
	const char *type = file_type_name(p->fdinfo.ino_mode);

	fd_member(a, "oldfd", p->sys.args[0]);
	json_ki64(w, "newfd", dup_newfd(p));
	json_kbool(w, "old_is_socket", (p->fdinfo.ino_mode & S_IFMT_) == S_IFSOCK_);
	json_key(w, "old_type");
	if (type)
		json_str(w, type);
	else
		json_null(w);
	json_kbool(w, "cloexec", !!(p->pflags & VG_PRIV_CLOEXEC));
	agent_fd_describe(a, "fd_target", p->hdr.tgid, dup_newfd(p));
}

/* kill(pid, sig), tkill(tid, sig), tgkill(tgid, tid, sig): pids as the caller named them. */
static void w_kill(struct agent *a, const struct vg_priv *p)
{
	struct json_w *w = &a->json;
	const __u64 *arg = p->sys.args;
	int sig = (int)arg[1];

	json_key(w, "pid");
	if (p->sys.nr == SYS_tkill)
		json_null(w);
	else
		json_i64(w, (int32_t)arg[0]);
	if (p->sys.nr == SYS_tkill) {
		json_ki64(w, "tid", (int32_t)arg[0]);
	} else if (p->sys.nr == SYS_tgkill) {
		json_ki64(w, "tid", (int32_t)arg[1]);
		sig = (int)arg[2];
	}
	json_key(w, "signal");
	enum_json(w, signal_name(sig), sig);
	target_member(a, p);
}

static void w_prctl(struct agent *a, const struct vg_priv *p)
{
	json_key(&a->json, "option");
	enum_json(&a->json, prctl_option_name(p->sys.args[0]), (int)p->sys.args[0]);
	json_ku64(&a->json, "arg2", p->sys.args[1]);
	if (p->s1.off)
		str_member(a, "name", p, &p->s1);
}

static void w_personality(struct agent *a, const struct vg_priv *p)
{
	json_ku64(&a->json, "persona", (uint32_t)p->sys.args[0]);
	json_key(&a->json, "flags");
	personality_json(&a->json, p->sys.args[0]);
}

/* Name of the event's own object and what goes into it, per record type. */
static const struct {
	const char *key;
	priv_writer write;
} writers[VG_EV_MAX] = {
	[VG_EV_SETUID] = { "setuid", w_ids },
	[VG_EV_SETGID] = { "setgid", w_ids },
	[VG_EV_CAPSET] = { "capset", w_capset },
	[VG_EV_PTRACE] = { "ptrace", w_ptrace },
	[VG_EV_MODULE_LOAD] = { "module", w_module },
	[VG_EV_MODULE_UNLOAD] = { "module", w_module },
	[VG_EV_MOUNT] = { "mount", w_mount },
	[VG_EV_UMOUNT] = { "umount", w_umount },
	[VG_EV_UNSHARE] = { "unshare", w_unshare },
	[VG_EV_SETNS] = { "setns", w_setns },
	[VG_EV_CHROOT] = { "chroot", w_chroot },
	[VG_EV_PIVOT_ROOT] = { "pivot_root", w_pivot_root },
	[VG_EV_MEMFD_CREATE] = { "memfd", w_memfd },
	[VG_EV_BPF] = { "bpf", w_bpf },
	[VG_EV_DUP] = { "dup", w_dup },
	[VG_EV_KILL] = { "kill", w_kill },
	[VG_EV_PRCTL] = { "prctl", w_prctl },
	[VG_EV_PERSONALITY] = { "personality", w_personality },
};

/* The fd table learns of the fds dup and memfd_create made before the line describes them. */
static void update_fds(struct agent *a, const struct vg_priv *p)
{
	char what[VG_NAME_MAX + 8];
	bool cloexec = p->pflags & VG_PRIV_CLOEXEC;
	const char *name = (const char *)p + p->s1.off;

	if (p->sys.ret < 0 || p->sys.ret > INT32_MAX)
		return;
	if (p->hdr.type == VG_EV_DUP) {
		agent_fd_dup(a, p->hdr.tgid, (int32_t)p->sys.args[0], p->sys.ret, cloexec);
	} else if (p->hdr.type == VG_EV_MEMFD_CREATE) {
		snprintf(what, sizeof(what), "memfd:%.*s", (int)strnlen(name, p->s1.len), name);
		agent_fd_opened(a, p->hdr.tgid, p->sys.ret, what, p->fdinfo.ino_mode, cloexec);
	}
}

int agent_on_priv(struct agent *a, const struct vg_priv *p, size_t size)
{
	size_t fixed = sizeof(*p);
	struct sys_ctx cx;
	int t = p->hdr.type;

	if (agent_check_str(&p->s1, fixed, size) || agent_check_str(&p->s2, fixed, size) ||
	    agent_check_str(&p->s3, fixed, size) || agent_check_str(&p->fdpath, fixed, size) ||
	    !writers[t].write)
		return -EINVAL;
	update_fds(a, p);
	if (!agent_type_handled(a, t))
		return 0;
	agent_sys_context(a, &p->hdr, &p->sys, &cx);
	if (agent_rules_want(a, t))
		agent_rules_priv(a, p, &cx);
	if (!agent_line_needed(a, t))
		return 0;
	agent_begin_sys(a, &p->hdr, &p->sys, cx.pe, cx.cg);
	json_key(&a->json, writers[t].key);
	json_obj_begin(&a->json);
	writers[t].write(a, p);
	json_obj_end(&a->json);
	return agent_write_line(a, t);
}
