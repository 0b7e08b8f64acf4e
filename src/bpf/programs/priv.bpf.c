/* SPDX-License-Identifier: Apache-2.0 */
/* Privilege and integrity events: credential changes (setuid, setgid and capset families),
 * ptrace, kernel modules, mounts and namespaces, chroot, pivot_root, memfd_create, bpf(),
 * dups onto the standard fds or of sockets, signals to other processes, prctl options that
 * change security state, and personality changes. One exit program per syscall
 * (include/vigil/syscalls.h), all sharing vg_priv_exit; the credential syscalls also have an
 * entry program that saves the state before the change. Included by vigil.bpf.c. */

/* Which syscall a program is for. Every program passes a constant, so after inlining each
 * keeps only its own branches of the shared handler. */
enum vg_psc {
#define VG_X_PSC(sc, TYPE, TYPE2, spec) VG_PSC_##sc,
	VG_SYSCALLS_PRIV(VG_X_PSC)
#undef VG_X_PSC
};

#define VG_NSFS_MAGIC 0x6e736673
#define VG_PTRACE_TRACEME 0
#define VG_PTRACE_ATTACH 16
#define VG_PTRACE_SEIZE 0x4206
#define VG_PERSONALITY_QUERY 0xffffffffU
#define VG_NSNAME_MAX 64 /* "cgroup:[4026531835]" and friends */
#define VG_PRIV_NAME_MAX 256 /* module, memfd and fs type names; all far shorter */
#define VG_TASK_COMM_LEN 16
/* Tag of ptrace dedup keys in map `recent`, apart from the other users' keys. */
#define VG_PTRACE_DEDUP_TAG (0xa5ULL << 56)

/* prctl options that change security state or identity (linux/prctl.h). */
#define VG_PR_SET_PDEATHSIG 1
#define VG_PR_SET_DUMPABLE 4
#define VG_PR_SET_KEEPCAPS 8
#define VG_PR_SET_NAME 15
#define VG_PR_SET_SECCOMP 22
#define VG_PR_CAPBSET_DROP 24
#define VG_PR_SET_SECUREBITS 28
#define VG_PR_SET_MM 35
#define VG_PR_SET_CHILD_SUBREAPER 36
#define VG_PR_SET_NO_NEW_PRIVS 38
#define VG_PR_CAP_AMBIENT 47
#define VG_PR_SET_PTRACER 0x59616d61

static __always_inline bool vg_psc_stashed(enum vg_psc sc)
{
	switch (sc) {
	case VG_PSC_setuid:
	case VG_PSC_setreuid:
	case VG_PSC_setresuid:
	case VG_PSC_setfsuid:
	case VG_PSC_setgid:
	case VG_PSC_setregid:
	case VG_PSC_setresgid:
	case VG_PSC_setfsgid:
	case VG_PSC_capset:
		return true;
	default:
		return false;
	}
}

/* `c` is a BTF pointer (a task's cred): direct loads, see task.bpf.h. */
static __always_inline void vg_cred_ids(const struct cred *c, struct vg_ids *ids)
{
	ids->uid = c->uid.val;
	ids->euid = c->euid.val;
	ids->suid = c->suid.val;
	ids->fsuid = c->fsuid.val;
	ids->gid = c->gid.val;
	ids->egid = c->egid.val;
	ids->sgid = c->sgid.val;
	ids->fsgid = c->fsgid.val;
}

static __always_inline void vg_cred_caps(const struct cred *c, struct vg_caps *caps)
{
	caps->effective = vg_cap(&c->cap_effective);
	caps->permitted = vg_cap(&c->cap_permitted);
	caps->inheritable = vg_cap(&c->cap_inheritable);
}

/* Entry of a credential syscall: save the credentials it may change. Kept small, and vigil's
 * own calls cost one compare; scope is judged at exit, where the stash is dropped if unused. */
static __always_inline int vg_priv_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct task_struct *t = bpf_get_current_task_btf();
	const struct cred *c = t->cred;
	struct vg_priv_stash s;
	__u32 pid = id;

	if ((__u32)(id >> 32) == vg_self_tgid)
		return 0;
	vg_cred_ids(c, &s.ids);
	vg_cred_caps(c, &s.caps);
	s.nr = ctx->id;
	s._pad0 = 0;
	bpf_map_update_elem(&priv_stash, &pid, &s, BPF_ANY);
	return 0;
}

/* A task's pid number as its own pid namespace sees it (what it passes to kill()). */
static __always_inline __s32 vg_pid_nr_ns(struct pid *pid)
{
	__u32 level = BPF_CORE_READ(pid, level);
	__s32 nr = 0;
	void *p;

	if (level > 31) /* MAX_PID_NS_LEVEL */
		return 0;
	p = (void *)pid + bpf_core_field_offset(struct pid, numbers) +
	    level * bpf_core_type_size(struct upid) + bpf_core_field_offset(struct upid, nr);
	bpf_probe_read_kernel(&nr, sizeof(nr), p);
	return nr;
}

/* Does kill/tkill/tgkill target the caller's own process? Threads of one process signal
 * each other all the time (Go preempts its threads with tgkill), which says nothing. A tkill
 * to a sibling thread other than the leader is not recognised: tkill is obsolete. */
static __always_inline bool vg_kill_self(struct vg_priv *p, enum vg_psc sc, struct task_struct *t)
{
	__s32 target = (__s32)p->sys.args[0];

	if (target == vg_pid_nr_ns(t->group_leader->thread_pid))
		return true;
	return sc == VG_PSC_tkill && target == vg_pid_nr_ns(t->thread_pid);
}

static __always_inline bool vg_prctl_relevant(__u64 option)
{
	switch (option) {
	case VG_PR_SET_PDEATHSIG:
	case VG_PR_SET_DUMPABLE:
	case VG_PR_SET_KEEPCAPS:
	case VG_PR_SET_NAME:
	case VG_PR_SET_SECCOMP:
	case VG_PR_CAPBSET_DROP:
	case VG_PR_SET_SECUREBITS:
	case VG_PR_SET_MM:
	case VG_PR_SET_CHILD_SUBREAPER:
	case VG_PR_SET_NO_NEW_PRIVS:
	case VG_PR_CAP_AMBIENT:
	case VG_PR_SET_PTRACER:
		return true;
	default:
		return false;
	}
}

/* The fd a dup produced or, when it failed, the one it was asked for (dup2, dup3). */
static __always_inline __s64 vg_dup_newfd(struct vg_priv *p, enum vg_psc sc)
{
	if (p->sys.ret >= 0 || sc == VG_PSC_dup)
		return p->sys.ret;
	return (__s32)p->sys.args[1];
}

/* Does user space's fd table hold this fd of the caller? */
static __always_inline bool vg_fd_is_tracked(__u32 tgid, __s64 fd)
{
	__u64 key = vg_fd_key(tgid, fd);

	return fd >= 0 && bpf_map_lookup_elem(&fd_tracked, &key);
}

/* dup is reported when it puts something on fd 0, 1 or 2 or copies a socket: the shape of a
 * reverse shell; and when it copies or replaces an fd the fd table holds, which would
 * otherwise go stale. Other dups are everyday shell redirection. Fills fdinfo of the old fd. */
static __always_inline bool vg_dup_relevant(struct vg_priv *p, enum vg_psc sc,
					    struct task_struct *t)
{
	struct file *f = vg_fd_file(t, (__s32)p->sys.args[0]);
	__s64 newfd = vg_dup_newfd(p, sc);

	if (f)
		vg_fdinfo_fill(&p->fdinfo, f);
	return (newfd >= 0 && newfd <= 2) || (p->fdinfo.ino_mode & VG_S_IFMT) == VG_S_IFSOCK ||
	       vg_fd_is_tracked(bpf_get_current_pid_tgid() >> 32, (__s32)p->sys.args[0]) ||
	       vg_fd_is_tracked(bpf_get_current_pid_tgid() >> 32, newfd);
}

/* Repeated ptrace requests of a tracer (strace does several per traced syscall) are
 * reported once per VG_DEDUP_NS per (tracer, request, pid); attaching always is. */
static __always_inline bool vg_ptrace_repeat(struct vg_priv *p)
{
	__u64 req = p->sys.args[0], key;

	if (req == VG_PTRACE_TRACEME || req == VG_PTRACE_ATTACH || req == VG_PTRACE_SEIZE)
		return false;
	/* the header is not filled yet: the caller is current */
	key = VG_PTRACE_DEDUP_TAG | ((bpf_get_current_pid_tgid() >> 32 & 0x3fffff) << 34) |
	      ((p->sys.args[1] & 0x3fffff) << 12) | ((req ^ (req >> 12)) & 0xfff);
	return vg_recently(key, bpf_ktime_get_boot_ns());
}

/* Why not to report this call, or VG_FILTER_MAX to report it. */
static __always_inline __u32 vg_priv_verdict(struct vg_priv *p, enum vg_psc sc,
					     struct task_struct *t)
{
	switch (sc) {
	case VG_PSC_dup:
	case VG_PSC_dup2:
	case VG_PSC_dup3:
		return vg_dup_relevant(p, sc, t) ? VG_FILTER_MAX : VG_FILTER_IRRELEVANT;
	case VG_PSC_kill:
	case VG_PSC_tkill:
	case VG_PSC_tgkill:
		return vg_kill_self(p, sc, t) ? VG_FILTER_IRRELEVANT : VG_FILTER_MAX;
	case VG_PSC_prctl:
		return vg_prctl_relevant(p->sys.args[0]) ? VG_FILTER_MAX : VG_FILTER_IRRELEVANT;
	case VG_PSC_personality:
		return (__u32)p->sys.args[0] == VG_PERSONALITY_QUERY ? VG_FILTER_IRRELEVANT :
								       VG_FILTER_MAX;
	case VG_PSC_ptrace:
		return vg_ptrace_repeat(p) ? VG_FILTER_DEDUP : VG_FILTER_MAX;
	default:
		return VG_FILTER_MAX;
	}
}

/* Old credentials from the entry program, new ones from the task as the call returns. */
static __always_inline void vg_priv_creds(struct vg_priv *p, struct task_struct *t)
{
	__u32 pid = p->hdr.pid;
	struct vg_priv_stash *s = bpf_map_lookup_elem(&priv_stash, &pid);
	const struct cred *c = t->cred;
	struct vg_kstats *st;

	vg_cred_ids(c, &p->new_ids);
	vg_cred_caps(c, &p->new_caps);
	if (s && s->nr == p->sys.nr) {
		p->old_ids = s->ids;
		p->old_caps = s->caps;
		p->pflags |= VG_PRIV_OLD;
	} else if ((st = vg_stats())) {
		st->stash_miss++;
	}
}

/* The pid argument as a host tgid, where that is cheap: a caller in the initial pid
 * namespace names host pids already. PTRACE_TRACEME names none: its tracer is the parent. */
static __always_inline __u32 vg_target_pid(struct vg_priv *p, enum vg_psc sc,
					   struct task_struct *t)
{
	__s64 pid = sc == VG_PSC_ptrace ? (__s32)p->sys.args[1] : (__s32)p->sys.args[0];

	if (sc == VG_PSC_ptrace && p->sys.args[0] == VG_PTRACE_TRACEME)
		return t->real_parent->tgid;
	if (sc == VG_PSC_tkill || pid <= 0 || t->thread_pid->level != 0)
		return 0;
	return pid;
}

/* An nsfs file's name as /proc/<pid>/ns/ links show it, "net:[4026531840]": the dentry of
 * an nsfs file is anonymous, its name is made up on demand from the namespace. */
static __always_inline bool vg_nsfs_name(struct vg_priv *p, __u32 *off, struct file *f)
{
	static const char fmt[] = "%s:[%u]";
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	struct ns_common *ns;
	__u64 data[2];
	long n;

	if (BPF_CORE_READ(ino, i_sb, s_magic) != VG_NSFS_MAGIC || *off > VG_RECORD_MAX - 64)
		return false;
	ns = BPF_CORE_READ(ino, i_private);
	data[0] = (__u64)BPF_CORE_READ(ns, ops, name);
	data[1] = BPF_CORE_READ(ns, inum);
	n = bpf_snprintf(((char *)p) + vg_off(*off), VG_NSNAME_MAX, fmt, data, sizeof(data));
	if (n <= 0)
		return false;
	if (n > VG_NSNAME_MAX)
		n = VG_NSNAME_MAX;
	vg_str_begin(&p->fdpath, *off);
	p->fdpath.len = n;
	p->fdpath.count = 1;
	p->fdpath.flags = VG_STR_COMPONENTS | VG_STR_PSEUDO;
	*off += n;
	return true;
}

/* What the fd argument refers to: fdinfo and path (setns, finit_module). */
static __always_inline void vg_priv_fd(struct vg_priv *p, __u32 *off, struct task_struct *t,
				       __s64 fd)
{
	struct file *f = vg_fd_file(t, fd);

	if (!f)
		return;
	vg_fdinfo_fill(&p->fdinfo, f);
	if (!vg_nsfs_name(p, off, f))
		*off = vg_file_walk(*off, vg_str_off(p, fdpath), f);
}

/* A new fd handed to user space: what it is, whether it closes on exec, and track it so
 * its close is reported. */
static __always_inline void vg_priv_newfd(struct vg_priv *p, struct task_struct *t, __s64 fd,
					  bool fill)
{
	struct file *f;

	if (fd < 0)
		return;
	if (fill && (f = vg_fd_file(t, fd)))
		vg_fdinfo_fill(&p->fdinfo, f);
	if (vg_fd_cloexec(t, fd))
		p->pflags |= VG_PRIV_CLOEXEC;
	vg_fd_track(p->hdr.tgid, fd);
}

/* The arguments each syscall has beyond the raw ones in p->sys. */
static __always_inline void vg_priv_args(struct vg_priv *p, __u32 *off, enum vg_psc sc,
					 struct task_struct *t)
{
	__u64 *a = p->sys.args;

	switch (sc) {
	case VG_PSC_init_module:
		vg_tail_ustr(p, off, &p->s1, a[2], VG_PATH_MAX);
		break;
	case VG_PSC_finit_module:
		vg_tail_ustr(p, off, &p->s1, a[1], VG_PATH_MAX);
		vg_priv_fd(p, off, t, (__s32)a[0]);
		break;
	case VG_PSC_delete_module:
		vg_tail_ustr(p, off, &p->s1, a[0], VG_PRIV_NAME_MAX);
		break;
	case VG_PSC_mount:
		vg_tail_ustr(p, off, &p->s1, a[0], VG_PATH_MAX);
		vg_tail_ustr(p, off, &p->s2, a[1], VG_PATH_MAX);
		vg_tail_ustr(p, off, &p->s3, a[2], VG_PRIV_NAME_MAX);
		break;
	case VG_PSC_umount2:
	case VG_PSC_chroot:
		vg_tail_ustr(p, off, &p->s1, a[0], VG_PATH_MAX);
		break;
	case VG_PSC_pivot_root:
		vg_tail_ustr(p, off, &p->s1, a[0], VG_PATH_MAX);
		vg_tail_ustr(p, off, &p->s2, a[1], VG_PATH_MAX);
		break;
	case VG_PSC_setns:
		vg_priv_fd(p, off, t, (__s32)a[0]);
		break;
	case VG_PSC_memfd_create:
		vg_tail_ustr(p, off, &p->s1, a[0], VG_PRIV_NAME_MAX);
		vg_priv_newfd(p, t, p->sys.ret, true);
		break;
	case VG_PSC_dup:
	case VG_PSC_dup2:
	case VG_PSC_dup3:
		vg_priv_newfd(p, t, p->sys.ret, false);
		break;
	case VG_PSC_ptrace:
	case VG_PSC_kill:
	case VG_PSC_tkill:
	case VG_PSC_tgkill:
		p->target_pid = vg_target_pid(p, sc, t);
		break;
	case VG_PSC_prctl:
		if (a[0] == VG_PR_SET_NAME)
			vg_tail_ustr(p, off, &p->s1, a[1], VG_TASK_COMM_LEN);
		break;
	default:
		break;
	}
}

static __always_inline void vg_priv_clear(struct vg_priv *p)
{
	__builtin_memset(&p->old_ids, 0, sizeof(p->old_ids));
	__builtin_memset(&p->new_ids, 0, sizeof(p->new_ids));
	__builtin_memset(&p->old_caps, 0, sizeof(p->old_caps));
	__builtin_memset(&p->new_caps, 0, sizeof(p->new_caps));
	__builtin_memset(&p->fdinfo, 0, sizeof(p->fdinfo));
	p->pflags = 0;
	p->target_pid = 0;
	vg_str_begin(&p->s1, 0);
	vg_str_begin(&p->s2, 0);
	vg_str_begin(&p->s3, 0);
	vg_str_begin(&p->fdpath, 0);
}

/* Build and send the record; every path counts one of emitted, dropped or a filter reason. */
static __always_inline void vg_priv_record(struct trace_event_raw_sys_exit *ctx, __u16 type,
					   enum vg_psc sc)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 off = sizeof(struct vg_priv), reason;
	struct vg_priv *p;

	if (!vg_sys_admit(type, t))
		return;
	p = vg_scratch();
	if (!p)
		return;
	vg_sys_fill(&p->sys, ctx, t);
	vg_priv_clear(p);
	p->hdr.tgid = bpf_get_current_pid_tgid() >> 32; /* vg_ptrace_repeat keys on it */
	reason = vg_priv_verdict(p, sc, t);
	if (reason != VG_FILTER_MAX) {
		vg_count_filtered(type, reason);
		return;
	}
	if (vg_sampled_out(type))
		return;
	vg_hdr_init(&p->hdr, type, t);
	vg_hdr_cgroup(p, &off, &p->hdr, t);
	if (vg_psc_stashed(sc))
		vg_priv_creds(p, t);
	vg_priv_args(p, &off, sc, t);
	vg_submit(&p->hdr, off);
}

static __always_inline int vg_priv_exit(struct trace_event_raw_sys_exit *ctx, __u16 type,
					enum vg_psc sc)
{
	__u32 pid = bpf_get_current_pid_tgid();

	vg_priv_record(ctx, type, sc);
	/* whatever the record's fate, the entry's stash is spent */
	if (vg_psc_stashed(sc))
		bpf_map_delete_elem(&priv_stash, &pid);
	return 0;
}

/* The tracepoint of a syscall is named after its SYSCALL_DEFINE, which is not always the
 * syscall's name: x86_64's umount2 is defined as umount. VG_TP(sc) is sc unless a
 * VG_TP_<sc> override says otherwise (the override supplies a second macro argument). */
#define VG_TP_umount2 ~, umount
#define VG_TP_2ND(a, b, ...) b
#define VG_TP_2ND_X(...) VG_TP_2ND(__VA_ARGS__)
#define VG_TP(sc) VG_TP_2ND_X(VG_TP_##sc, sc, ~)
#define VG_STR_X(x) #x
#define VG_TP_STR(sc) VG_STR_X(sc)

#define VG_PRIV_PROG(sc, TYPE, TYPE2, spec)                                                        \
	SEC("tracepoint/syscalls/sys_exit_" VG_TP_STR(VG_TP(sc)))                                  \
	int vg_x_##sc(struct trace_event_raw_sys_exit *ctx)                                        \
	{                                                                                          \
		return vg_priv_exit(ctx, VG_EV_##TYPE, VG_PSC_##sc);                               \
	}
VG_SYSCALLS_PRIV(VG_PRIV_PROG)

#define VG_PRIV_ENTRY_PROG(sc)                                                                     \
	SEC("tracepoint/syscalls/sys_enter_" #sc)                                                  \
	int vg_e_##sc(struct trace_event_raw_sys_enter *ctx)                                       \
	{                                                                                          \
		return vg_priv_enter(ctx);                                                         \
	}
VG_PRIV_ENTRY_PROG(setuid)
VG_PRIV_ENTRY_PROG(setreuid)
VG_PRIV_ENTRY_PROG(setresuid)
VG_PRIV_ENTRY_PROG(setfsuid)
VG_PRIV_ENTRY_PROG(setgid)
VG_PRIV_ENTRY_PROG(setregid)
VG_PRIV_ENTRY_PROG(setresgid)
VG_PRIV_ENTRY_PROG(setfsgid)
VG_PRIV_ENTRY_PROG(capset)
