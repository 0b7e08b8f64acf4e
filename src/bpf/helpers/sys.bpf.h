/* SPDX-License-Identifier: Apache-2.0 */
/* Syscall events: the checks every hook makes before building a record (self, scope,
 * sampling), the syscall's arguments, and fd and user-memory reads shared by the file, net
 * and priv programs. Include after emit.bpf.h, path.bpf.h and task.bpf.h. */
#ifndef VIGIL_SYS_BPF_H
#define VIGIL_SYS_BPF_H

#define VG_AT_FDCWD -100
#define VG_S_IFMT 00170000
#define VG_S_IFREG 0100000
#define VG_S_IFSOCK 0140000
#define VG_DEDUP_NS 1000000000ULL /* one report per second for aggregated things */

/* Syscall argument n from the saved user registers. On x86 the registers are read with direct
 * loads through the BTF pointer bpf_task_pt_regs() gives (a third of a probe read's cost, on
 * hooks that run for every open and close); elsewhere with CO-RE reads. libbpf 1.1 also stops
 * at the fifth argument. */
#if defined(__TARGET_ARCH_x86)
#define VG_SYSARG0(r) ((r)->di)
#define VG_SYSARG1(r) ((r)->si)
#define VG_SYSARG2(r) ((r)->dx)
#define VG_SYSARG3(r) ((r)->r10)
#define VG_SYSARG4(r) ((r)->r8)
#define VG_SYSARG5(r) ((r)->r9)
#elif defined(__TARGET_ARCH_arm64)
#define VG_SYSARG0(r) PT_REGS_PARM1_CORE_SYSCALL(r)
#define VG_SYSARG1(r) PT_REGS_PARM2_CORE_SYSCALL(r)
#define VG_SYSARG2(r) PT_REGS_PARM3_CORE_SYSCALL(r)
#define VG_SYSARG3(r) PT_REGS_PARM4_CORE_SYSCALL(r)
#define VG_SYSARG4(r) PT_REGS_PARM5_CORE_SYSCALL(r)
#define VG_SYSARG5(r) BPF_CORE_READ((const struct user_pt_regs *)(r), regs[5])
#else
#error "syscall arguments: add this architecture"
#endif

/* Configuration user space may change while running (it maps .bss). */
__u32 vg_self_tgid; /* vigil itself: never reported */
__u32 vg_scope_mode; /* VG_SCOPE_* */
__u32 vg_host_mnt_ns; /* mount namespace inode of the host (pid 1) */
__u32 vg_path_filters; /* entries in path_filter; 0 skips the lookup */
__u64 vg_rule_types; /* event types the rules' path prefilter judges (bit per VG_EV_*) */
__u32 vg_sample[VG_EV_MAX]; /* send 1 in N of a type; 0 and 1 send all */

/* enforce.bpf.h: what enforcement did to the current thread's syscall (0 nothing) */
static __always_inline __u32 vg_enf_peek(void);
static __always_inline __u32 vg_enf_take(void);

static __always_inline void vg_count_filtered(__u16 type, __u32 reason)
{
	struct vg_kstats *st = vg_stats();

	if (st && type < VG_EV_MAX && reason < VG_FILTER_MAX)
		st->filtered[reason][type]++;
}

/* Take back a filtered count: the record is sent after all. */
static __always_inline void vg_unfilter(__u16 type, __u32 reason)
{
	struct vg_kstats *st = vg_stats();

	if (st && type < VG_EV_MAX && reason < VG_FILTER_MAX)
		st->filtered[reason][type]--;
}

/* Seen and filtered at once, with one lookup of the counters: for the hottest rejections. */
static __always_inline void vg_count_seen_filtered(__u16 type, __u32 reason)
{
	struct vg_kstats *st = vg_stats();

	if (st && type < VG_EV_MAX && reason < VG_FILTER_MAX) {
		st->seen[type]++;
		st->filtered[reason][type]++;
	}
}

static __always_inline bool vg_in_scope(struct task_struct *t)
{
	if (vg_scope_mode == VG_SCOPE_ALL)
		return true;
	if (vg_scope_mode == VG_SCOPE_CONTAINERS)
		return vg_task_in_container(t, vg_host_mnt_ns);
	for (int lvl = 1; lvl <= VG_SCOPE_DEPTH; lvl++) {
		__u64 id = bpf_get_current_ancestor_cgroup_id(lvl);

		if (!id)
			break;
		if (bpf_map_lookup_elem(&scope_cgroups, &id))
			return true;
	}
	return false;
}

/* Count the hook as seen and decide whether the task is one to report on at all.
 * Returns true to go on; otherwise the reason was counted. */
static __always_inline bool vg_sys_admit(__u16 type, struct task_struct *t)
{
	vg_count_seen(type);
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) == vg_self_tgid) {
		vg_count_filtered(type, VG_FILTER_SELF);
		return false;
	}
	/* a syscall enforcement acted on is always reported: its alert says what was done */
	if (!vg_in_scope(t) && !vg_enf_peek()) {
		vg_count_filtered(type, VG_FILTER_SCOPE);
		return false;
	}
	return true;
}

/* A hook that turns out to report another type (unlinkat removing a directory, sendto to a
 * DNS server) moves its "seen" count along, so every type balances. Returns `to`. */
static __always_inline __u16 vg_retype(__u16 from, __u16 to)
{
	struct vg_kstats *st = vg_stats();

	if (st && from < VG_EV_MAX && to < VG_EV_MAX) {
		st->seen[from]--;
		st->seen[to]++;
	}
	return to;
}

/* Per-type sampling, the last check before a record is built. */
static __always_inline bool vg_sampled_out(__u16 type)
{
	__u32 n = 0;

	if (type < VG_EV_MAX)
		n = vg_sample[type];
	if (n > 1 && bpf_get_prandom_u32() % n && !vg_enf_peek()) {
		vg_count_filtered(type, VG_FILTER_SAMPLED);
		return true;
	}
	return false;
}

/* Return value, number and arguments of the syscall now returning. At syscall exit the
 * arguments are still in the task's saved user registers. */
static __always_inline void vg_sys_fill(struct vg_sys *s, struct trace_event_raw_sys_exit *ctx,
					struct task_struct *t)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);
	const struct cred *cred = t->cred;

	s->ret = ctx->ret;
	s->nr = (__u32)ctx->id;
	s->enforce = vg_enf_take();
	s->start_ns = vg_task_start_ns(t->group_leader);
	s->uid = cred->uid.val;
	s->euid = cred->euid.val;
	s->cap_effective = vg_cap(&cred->cap_effective);
	s->cap_permitted = vg_cap(&cred->cap_permitted);
	s->args[0] = VG_SYSARG0(regs);
	s->args[1] = VG_SYSARG1(regs);
	s->args[2] = VG_SYSARG2(regs);
	s->args[3] = VG_SYSARG3(regs);
	s->args[4] = VG_SYSARG4(regs);
	s->args[5] = VG_SYSARG5(regs);
}

/* One argument of the syscall now returning; `i` is a constant after inlining. Cheaper than
 * vg_sys_fill for the checks that decide whether to build a record at all. */
static __always_inline __u64 vg_sys_arg(struct task_struct *t, __u32 i)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);

	switch (i) {
	case 0: return VG_SYSARG0(regs);
	case 1: return VG_SYSARG1(regs);
	case 2: return VG_SYSARG2(regs);
	case 3: return VG_SYSARG3(regs);
	case 4: return VG_SYSARG4(regs);
	default: return VG_SYSARG5(regs);
	}
}

/* The struct file behind fd in the task's table, or NULL. The table's own fields are direct
 * loads; its fd array is a pointer to pointers, which the verifier gives as a number, so the
 * slot is a probe read, and so is everything read through the file it returns. */
static __always_inline struct file *vg_fd_file(struct task_struct *t, __s64 fd)
{
	struct fdtable *fdt = t->files->fdt;
	struct file **fds = fdt->fd;
	struct file *f = NULL;

	if (fd < 0 || fd >= fdt->max_fds)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/* Word w (fds 64 * w to 64 * w + 63) of one of the fd table's bitmaps, 0 past its end. */
static __always_inline __u64 vg_fdt_word(struct fdtable *fdt, unsigned long *bits, __u32 w)
{
	unsigned long word = 0;

	if (w * 64 >= fdt->max_fds)
		return 0;
	bpf_probe_read_kernel(&word, sizeof(word), &bits[w]);
	return word;
}

/* Is fd close-on-exec? Read from the fd table's bitmap, which is authoritative. */
static __always_inline bool vg_fd_cloexec(struct task_struct *t, __s64 fd)
{
	struct fdtable *fdt = t->files->fdt;

	return fd >= 0 && (vg_fdt_word(fdt, fdt->close_on_exec, fd / 64) >> (fd % 64)) & 1;
}

/* Word w of the task's open-fd bitmap. */
static __always_inline __u64 vg_fd_open_word(struct task_struct *t, __u32 w)
{
	struct fdtable *fdt = t->files->fdt;

	return vg_fdt_word(fdt, fdt->open_fds, w);
}

static __always_inline void vg_fdinfo_fill(struct vg_fdinfo *fi, struct file *f)
{
	struct inode *ino = BPF_CORE_READ(f, f_inode);

	fi->ino_mode = BPF_CORE_READ(ino, i_mode);
	fi->ino = BPF_CORE_READ(ino, i_ino);
	fi->dev = BPF_CORE_READ(ino, i_sb, s_dev);
	fi->_pad0 = 0;
	fi->mnt_ns_unused = 0;
}

/* Resolve a struct file's path into the record tail; see vg_path_walk. */
static __always_inline __u32 vg_file_walk(__u32 off, __u32 str_off, struct file *f)
{
	return vg_path_walk(off, str_off, (__u64)BPF_CORE_READ(f, f_path.dentry),
			    (__u64)BPF_CORE_READ(f, f_path.mnt));
}

/* Append a user string (NUL included, at most `max` bytes) to the tail as vg_str `s`.
 * An unreadable pointer gives an absent string. */
static __always_inline void vg_tail_ustr(void *rec, __u32 *off, struct vg_str *s, __u64 uptr,
					 __u32 max)
{
	long n;

	vg_str_begin(s, 0);
	if (!uptr || *off > VG_RECORD_MAX - VG_PATH_MAX)
		return;
	if (max > VG_PATH_MAX)
		max = VG_PATH_MAX;
	n = bpf_probe_read_user_str(rec + vg_off(*off), max & (VG_PATH_MAX * 2 - 1),
				    (void *)uptr);
	if (n <= 0)
		return;
	s->off = *off;
	s->len = n;
	s->count = 1;
	if (n == max && max > 0)
		s->flags |= VG_STR_TRUNCATED;
	*off += n;
}

/* Append up to `len` bytes of user memory (not a string) as vg_str `s`. */
static __always_inline void vg_tail_ubytes(void *rec, __u32 *off, struct vg_str *s, __u64 uptr,
					   __u64 len, __u32 max)
{
	vg_str_begin(s, 0);
	if (!uptr || !len || *off > VG_RECORD_MAX - VG_DNS_MAX)
		return;
	if (len > max) {
		len = max;
		s->flags |= VG_STR_TRUNCATED;
	}
	asm volatile("%0 &= 0x3ff" : "+r"(len));
	if (len > VG_DNS_MAX || len == 0)
		return;
	if (bpf_probe_read_user(rec + vg_off(*off), len, (void *)uptr))
		return;
	s->off = *off;
	s->len = len;
	*off += len;
}

/* Path filter verdict for an absolute user path: VG_PATH_IGNORE, VG_PATH_REPORT or 0.
 * Relative paths are not judged here (user space filters them once resolved). */
static __always_inline __u32 vg_path_verdict(__u64 uptr)
{
	struct vg_path_key *k;
	__u32 zero = 0, *v;
	long n;

	if (!vg_path_filters || !uptr)
		return 0;
	k = bpf_map_lookup_elem(&path_key, &zero);
	if (!k)
		return 0;
	n = bpf_probe_read_user_str(k->path, sizeof(k->path), (void *)uptr);
	if (n <= 0 || k->path[0] != '/')
		return 0;
	k->prefixlen = n * 8;
	v = bpf_map_lookup_elem(&path_filter, k);
	return v ? *v : 0;
}

/* The rules' prefilter: may some loaded rule match an event of `type` on user path uptr? A
 * relative or non-normalised path ("//", "/.", "../" anywhere, a trailing "/") is not judged:
 * it passes, so
 * that no lexical difference from the resolved fd.name drops a match. Otherwise an exact or
 * prefix pattern (rule_paths) or a suffix (rule_suffixes) of this type must match. */
static __always_inline bool vg_rule_pass(__u64 uptr, __u16 type)
{
	struct vg_path_key *k, *r;
	__u32 zero = 0, len;
	__u64 *m;
	long n;

	k = bpf_map_lookup_elem(&path_key, &zero);
	r = bpf_map_lookup_elem(&path_rkey, &zero);
	if (!k || !r || !uptr)
		return true;
	n = bpf_probe_read_user_str(k->path, sizeof(k->path), (void *)uptr);
	if (n <= 1 || n >= VG_PATH_KEY_MAX || k->path[0] != '/')
		return true; /* unreadable, empty, too long to judge, or relative */
	len = n - 1;
	for (__u32 i = 0; i < VG_PATH_KEY_MAX - 2; i++) {
		char c = k->path[i], d = k->path[i + 1];

		if (!c)
			break;
		if ((c == '/' && (d == '/' || d == '.')) || (c == '.' && d == '.' &&
							      k->path[i + 2] == '/'))
			return true;
		r->path[(len - 1 - i) & (VG_PATH_KEY_MAX - 1)] = c;
	}
	if (len > 1 && k->path[(len - 1) & (VG_PATH_KEY_MAX - 1)] == '/')
		return true; /* fd.name has no trailing slash: not judged */
	k->prefixlen = n * 8;
	m = bpf_map_lookup_elem(&rule_paths, k);
	if (m && (*m >> type) & 1)
		return true;
	r->prefixlen = len * 8;
	m = bpf_map_lookup_elem(&rule_suffixes, r);
	return m && (*m >> type) & 1;
}

/* The fd_tracked key of a process's fd. */
static __always_inline __u64 vg_fd_key(__u32 tgid, __s64 fd)
{
	return ((__u64)tgid << 32) | (__u32)fd;
}

/* Take key out of fd_tracked; true if it was there. A lookup miss is lock free; a delete
 * takes the bucket lock even to miss, so it comes only after a hit. */
static __always_inline bool vg_fd_untrack(__u64 key)
{
	return bpf_map_lookup_elem(&fd_tracked, &key) && bpf_map_delete_elem(&fd_tracked, &key) == 0;
}

static __always_inline void vg_fd_track(__u32 tgid, __s64 fd)
{
	__u64 key = vg_fd_key(tgid, fd);
	struct vg_proc *p;
	__u8 one = 1;

	if (fd < 0)
		return;
	bpf_map_update_elem(&fd_tracked, &key, &one, BPF_ANY);
	/* so that exec and exit can find the key again (process.bpf.c, vg_fd_forget) */
	if (fd < 64 && (p = bpf_map_lookup_elem(&proc_table, &tgid)))
		__sync_fetch_and_or(&p->fd_mask, 1ull << fd);
}

/* Forget tgid's fds base + i for each bit i set in `bits`: fd_tracked keys of fds that are
 * gone (closed at exec, or the process exited) would otherwise stay until the LRU evicts
 * them, pushing out live processes' keys, and a later close of the same number, of a file
 * vigil never reported, would be reported. A global function: verified once, not per caller. */
__noinline int vg_fd_forget(__u32 tgid, __u64 bits, __u32 base)
{
	for (__u32 i = 0; i < 64 && bits; i++, bits >>= 1)
		if (bits & 1)
			vg_fd_untrack(vg_fd_key(tgid, base + i));
	return 0;
}

/* Was `key` reported less than VG_DEDUP_NS ago? Records it as reported now if not. */
static __always_inline bool vg_recently(__u64 key, __u64 now)
{
	__u64 *last = bpf_map_lookup_elem(&recent, &key);

	if (last && now - *last < VG_DEDUP_NS)
		return true;
	bpf_map_update_elem(&recent, &key, &now, BPF_ANY);
	return false;
}

#endif /* VIGIL_SYS_BPF_H */
