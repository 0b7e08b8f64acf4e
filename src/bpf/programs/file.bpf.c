/* SPDX-License-Identifier: Apache-2.0 */
/* File events: open, unlink, rename, link, symlink, chmod, chown, truncate, mkdir, rmdir,
 * writes to a file's first bytes, and close of fds user space tracks. One exit program per
 * syscall (include/vigil/syscalls.h); all share vg_file_exit. Included by vigil.bpf.c. */

/* A path argument and, when it is relative, the directory it is relative to. */
static __always_inline void vg_file_arg(struct vg_file *f, __u32 *off, struct task_struct *t,
					struct vg_str *s, __u32 base_str_off, __u32 pa, __u32 da)
{
	struct fs_struct *fs;
	struct file *dir;
	char c = 0;
	__s64 dirfd;

	if (pa > 5)
		return;
	vg_tail_ustr(f, off, s, f->sys.args[pa & 7], VG_PATH_MAX);
	if (!s->off || da == VG_A_NONE)
		return;
	bpf_probe_read_kernel(&c, 1, (char *)f + (s->off & VG_OFF_MASK));
	if (c == '/')
		return;
	dirfd = da <= 5 ? (__s64)(int)f->sys.args[da & 7] : VG_AT_FDCWD;
	if (dirfd == VG_AT_FDCWD) {
		fs = t->fs;
		/* probe reads: vg_path_walk, a global function, takes pointers as numbers only */
		*off = vg_path_walk(*off, base_str_off, (__u64)BPF_CORE_READ(fs, pwd.dentry),
				    (__u64)BPF_CORE_READ(fs, pwd.mnt));
	} else if ((dir = vg_fd_file(t, dirfd))) {
		*off = vg_file_walk(*off, base_str_off, dir);
	}
}

/* Checks of the hot hooks (write, close), made from the return value and the one or two
 * arguments they need, before a record is started; true to report. */
static __always_inline bool vg_file_worth(struct trace_event_raw_sys_exit *ctx, __u16 type,
					  struct task_struct *t, __u32 tgid, __u32 spec)
{
	struct file *file;
	long ret = ctx->ret;
	__u64 pos;

	if (type == VG_EV_CLOSE)
		return ret == 0 && vg_fd_untrack(vg_fd_key(tgid, (__s32)vg_sys_arg(t, 0)));
	if (type != VG_EV_WRITE_HEAD)
		return true;
	if (ret <= 0)
		return false;
	file = vg_fd_file(t, (int)vg_sys_arg(t, 0));
	if (!file || (BPF_CORE_READ(file, f_inode, i_mode) & VG_S_IFMT) != VG_S_IFREG)
		return false;
	if (VG_SPEC_X(spec) == VG_X_POS3)
		pos = vg_sys_arg(t, 3);
	else
		pos = BPF_CORE_READ(file, f_pos) - ret;
	return pos == 0;
}

static __always_inline __u32 vg_open_flags(struct vg_file *f, __u32 x)
{
	__u64 how_flags = 0;

	if (x <= 5)
		return f->sys.args[x & 7];
	if (x == VG_X_CREAT)
		return 01 | 0100 | 01000; /* O_WRONLY | O_CREAT | O_TRUNC */
	if (x == VG_X_HOW) /* struct open_how starts with the flags */
		bpf_probe_read_user(&how_flags, sizeof(how_flags), (void *)f->sys.args[2]);
	return how_flags;
}

/* The object the syscall acted on, through an fd: the returned one or an fd argument. */
static __always_inline void vg_file_resolve(struct vg_file *f, __u32 *off, struct task_struct *t,
					    __u32 fda)
{
	struct file *file;

	f->fd = -1;
	if (fda == VG_A_RET)
		f->fd = f->sys.ret;
	else if (fda <= 5)
		f->fd = (int)f->sys.args[fda & 7];
	/* a closed fd's slot is empty, or already holds another thread's new file: the fd table
	 * in user space says what was closed */
	if (f->fd < 0 || (fda == VG_A_RET && f->sys.ret < 0) || f->hdr.type == VG_EV_CLOSE)
		return;
	file = vg_fd_file(t, f->fd);
	if (!file)
		return;
	vg_fdinfo_fill(&f->fdinfo, file);
	f->fflags |= VG_FILE_RESOLVED;
	if (fda == VG_A_RET) {
		if (BPF_CORE_READ(file, f_mode) & 0x100000) /* FMODE_CREATED */
			f->fflags |= VG_FILE_CREATED;
		if (vg_fd_cloexec(t, f->fd))
			f->fflags |= VG_FILE_CLOEXEC;
		vg_fd_track(f->hdr.tgid, f->fd);
	}
	*off = vg_file_walk(*off, vg_str_off(f, file), file);
}

static __always_inline int vg_file_exit(struct trace_event_raw_sys_exit *ctx, __u16 type,
					__u16 type2, __u32 spec)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 off = sizeof(struct vg_file), tgid = bpf_get_current_pid_tgid() >> 32, verdict;
	struct vg_file *f;
	__u64 uptr;

	/* the hottest case first: most closes are of fds vigil never reported (every fd of an
	 * untracked open, of vigil itself, of what is out of scope); one counter update, no
	 * admission work. Tracked fds were admitted when they were opened. */
	if (type == VG_EV_CLOSE && !vg_file_worth(ctx, type, t, tgid, spec)) {
		vg_count_seen_filtered(type, VG_FILTER_IRRELEVANT);
		return 0;
	}
	if (!vg_sys_admit(type, t))
		return 0;
	if (type != VG_EV_CLOSE && !vg_file_worth(ctx, type, t, tgid, spec)) {
		vg_count_filtered(type, VG_FILTER_IRRELEVANT);
		return 0;
	}
	/* path filters first, from the one argument they need: an ignored open costs a string
	 * read and a trie lookup, nothing more */
	uptr = VG_SPEC_PATH(spec) <= 5 && (vg_path_filters || (vg_rule_types >> type) & 1)
		       ? vg_sys_arg(t, VG_SPEC_PATH(spec))
		       : 0;
	verdict = uptr ? vg_path_verdict(uptr) : 0;
	if (verdict != VG_PATH_REPORT && type == VG_EV_OPEN && vg_enf_peek())
		verdict = VG_PATH_REPORT; /* enforcement acted on it: the alert needs the record */
	if (verdict == VG_PATH_IGNORE) {
		vg_count_filtered(type, VG_FILTER_PATH);
		return 0;
	}
	if ((vg_rule_types >> type) & 1 && verdict != VG_PATH_REPORT && uptr &&
	    !vg_rule_pass(uptr, type)) {
		vg_count_filtered(type, VG_FILTER_RULES);
		return 0;
	}
	f = vg_scratch();
	if (!f)
		return 0;
	vg_sys_fill(&f->sys, ctx, t);
	if (type2 == VG_EV_RMDIR && (f->sys.args[2] & 0x200)) /* unlinkat(AT_REMOVEDIR) */
		type = vg_retype(type, VG_EV_RMDIR);
	if (verdict != VG_PATH_REPORT && vg_sampled_out(type))
		return 0;
	if (type == VG_EV_WRITE_HEAD) {
		struct file *file = vg_fd_file(t, (int)f->sys.args[0]);

		if (vg_recently(((__u64)BPF_CORE_READ(file, f_inode) ^ ((__u64)tgid << 48)),
				bpf_ktime_get_boot_ns())) {
			vg_count_filtered(type, VG_FILTER_DEDUP);
			return 0;
		}
	}
	vg_hdr_init(&f->hdr, type, t);
	vg_hdr_cgroup(f, &off, &f->hdr, t);
	f->fflags = 0;
	f->_pad0 = 0;
	f->flags = type == VG_EV_OPEN ? vg_open_flags(f, VG_SPEC_X(spec)) : 0;
	__builtin_memset(&f->fdinfo, 0, sizeof(f->fdinfo));
	vg_str_begin(&f->base, 0);
	vg_str_begin(&f->file, 0);
	vg_str_begin(&f->base2, 0);
	vg_str_begin(&f->path, 0);
	vg_str_begin(&f->path2, 0);
	vg_str_begin(&f->data, 0);
	vg_file_arg(f, &off, t, &f->path, vg_str_off(f, base), VG_SPEC_PATH(spec),
		    VG_SPEC_DIRFD(spec));
	vg_file_arg(f, &off, t, &f->path2, vg_str_off(f, base2), VG_SPEC_PATH2(spec),
		    VG_SPEC_DIRFD2(spec));
	vg_file_resolve(f, &off, t, VG_SPEC_FD(spec));
	if (type == VG_EV_WRITE_HEAD)
		vg_tail_ubytes(f, &off, &f->data, f->sys.args[1], f->sys.ret, VG_WRITE_HEAD_BYTES);
	vg_submit(&f->hdr, off);
	return 0;
}

#define VG_FILE_PROG(sc, TYPE, TYPE2, spec)                                                        \
	SEC("tracepoint/syscalls/sys_exit_" #sc)                                                   \
	int vg_x_##sc(struct trace_event_raw_sys_exit *ctx)                                        \
	{                                                                                          \
		return vg_file_exit(ctx, VG_EV_##TYPE, VG_EV_##TYPE2, spec);                       \
	}
VG_SYSCALLS_FILE(VG_FILE_PROG)
