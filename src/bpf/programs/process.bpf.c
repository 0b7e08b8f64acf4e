/* SPDX-License-Identifier: Apache-2.0 */
/* Process lifecycle: exec, fork (processes, not threads) and exit (whole thread group).
 * Included by vigil.bpf.c. Hooks are BTF tracepoints, present on every kernel vigil supports
 * (>= 5.8 with BTF), so lifecycle never depends on kprobes, fentry or LSM. */

/* Identity of the parent from the kernel table when we saw it fork, else from real_parent.
 * The table keeps the creator even after a reparent to a subreaper (containerd-shim). */
static __always_inline void vg_exec_parent(struct vg_exec *e, struct task_struct *task,
					   struct vg_proc *self)
{
	struct task_struct *rp = task->real_parent;
	struct vg_proc *pp;

	if (self && self->ppid) {
		e->ppid = self->ppid;
		e->parent_start_ns = self->parent_start_ns;
		e->flags |= VG_EXEC_PARENT_TABLE;
	} else {
		e->ppid = rp->tgid;
		e->parent_start_ns = vg_task_start_ns(rp);
	}
	pp = bpf_map_lookup_elem(&proc_table, &e->ppid);
	if (pp && pp->start_ns == e->parent_start_ns) {
		e->parent_exec_ns = pp->exec_ns;
		__builtin_memcpy(e->parent_comm, pp->comm, VG_COMM_LEN);
	} else if ((__u32)rp->tgid == e->ppid) {
		BPF_CORE_READ_STR_INTO(&e->parent_comm, rp, comm);
	}
}

static __always_inline void vg_exec_args(void *rec, __u32 *off, struct vg_exec *e,
					 struct task_struct *task)
{
	struct mm_struct *mm = task->mm;
	unsigned long start = mm->arg_start;
	unsigned long end = mm->arg_end;
	__u64 len = end > start ? end - start : 0;

	vg_str_begin(&e->args, *off);
	if (len > VG_ARGS_MAX) {
		len = VG_ARGS_MAX;
		e->args.flags |= VG_STR_TRUNCATED;
	}
	if (*off > VG_RECORD_MAX - VG_ARGS_MAX)
		return;
	/* keep the bound visible to the verifier after clang's range analysis */
	asm volatile("%0 &= 0x1fff" : "+r"(len));
	if (len > VG_ARGS_MAX)
		return;
	if (len && bpf_probe_read_user(rec + (*off & VG_OFF_MASK), len, (void *)start) == 0) {
		e->args.len = len;
		*off += len;
	}
}

#define VG_OVERLAYFS_MAGIC 0x794c7630

/* Is the executable on an overlay file system's upper layer, i.e. written (or copied up) after
 * the container started rather than part of its image? An overlay inode has an upper dentry
 * exactly then. Kernels without overlayfs in their BTF answer no. */
static __always_inline bool vg_file_upper(struct file *file)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	struct ovl_inode *oi;

	if (!bpf_core_type_exists(struct ovl_inode) || !inode ||
	    BPF_CORE_READ(inode, i_sb, s_magic) != VG_OVERLAYFS_MAGIC)
		return false;
	oi = (void *)((char *)inode - bpf_core_field_offset(struct ovl_inode, vfs_inode));
	return BPF_CORE_READ(oi, __upperdentry) != NULL;
}

static __always_inline void vg_exec_file(void *rec, __u32 *off, struct vg_exec *e,
					 struct linux_binprm *bprm)
{
	struct file *file = BPF_CORE_READ(bprm, file);
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	char fdpfx[8] = {};

	*off = vg_path_walk(*off, vg_str_off(e, binary), (__u64)dentry,
			    (__u64)BPF_CORE_READ(file, f_path.mnt));
	if (BPF_CORE_READ(dentry, d_inode, i_nlink) == 0)
		e->flags |= VG_EXEC_DELETED;
	if (vg_dentry_is_memfd(dentry) && (e->binary.flags & VG_STR_PSEUDO))
		e->flags |= VG_EXEC_MEMFD;
	if (vg_file_upper(file))
		e->flags |= VG_EXEC_UPPER;

	vg_str_begin(&e->filename, *off);
	if (vg_tail_kstr(rec, off, BPF_CORE_READ(bprm, filename)) == 0) {
		e->filename.len = *off - e->filename.off;
		e->filename.count = 1;
	}
	/* execveat(fd, "", AT_EMPTY_PATH) and fexecve run "/dev/fd/N" */
	bpf_probe_read_kernel(fdpfx, sizeof(fdpfx), BPF_CORE_READ(bprm, filename));
	if (fdpfx[0] == '/' && fdpfx[1] == 'd' && fdpfx[2] == 'e' && fdpfx[3] == 'v' &&
	    fdpfx[4] == '/' && fdpfx[5] == 'f' && fdpfx[6] == 'd' && fdpfx[7] == '/')
		e->flags |= VG_EXEC_FD;
}

static __always_inline void vg_proc_note_exec(__u32 tgid, struct vg_exec *e, struct vg_proc *self)
{
	struct vg_kstats *st;
	struct vg_proc p = {};

	if (self) {
		self->exec_ns = e->hdr.ts_ns;
		__builtin_memcpy(self->comm, e->comm, VG_COMM_LEN);
		return;
	}
	p.start_ns = e->start_ns;
	p.exec_ns = e->hdr.ts_ns;
	p.parent_start_ns = e->parent_start_ns;
	p.ppid = e->ppid;
	__builtin_memcpy(p.comm, e->comm, VG_COMM_LEN);
	if (bpf_map_update_elem(&proc_table, &tgid, &p, BPF_ANY) && (st = vg_stats()))
		st->table_full++;
}

/* Close-on-exec has run: forget the tracked fds that are no longer open, of those the masks
 * name. A key of an fd that is not open is stale whoever entered it, so the masks may
 * over-approximate: user space's is never cleared here. */
static __always_inline void vg_exec_forget_fds(struct task_struct *task, __u32 tgid,
					       struct vg_proc *self)
{
	struct vg_fd_umask *um = bpf_map_lookup_elem(&fd_umask, &tgid);
	__u64 bits, open;

	for (__u32 w = 0; w < VG_FD_UMASK_WORDS; w++) {
		bits = (um ? um->bits[w] : 0) | (w == 0 && self ? self->fd_mask : 0);
		if (!bits)
			continue;
		open = vg_fd_open_word(task, w);
		vg_fd_forget(tgid, bits & ~open, w * 64);
		if (w == 0 && self)
			self->fd_mask &= open;
	}
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(vg_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct vg_exec *e = vg_scratch();
	struct vg_proc *self;
	struct fs_struct *fs;
	__u32 off = sizeof(*e), tgid;
	/* out of scope: keep the process table true (it gives in-scope children their parent),
	 * send nothing */
	bool send = vg_sys_admit(VG_EV_EXEC, task);

	if (!e)
		return 0;
	vg_hdr_init(&e->hdr, VG_EV_EXEC, task);
	tgid = e->hdr.tgid;
	vg_hdr_cgroup(e, &off, &e->hdr, task);
	vg_task_cred(task, &e->cred);
	e->flags = 0;
	e->start_ns = vg_task_start_ns(task);
	e->parent_exec_ns = 0;
	e->argc = bprm->argc;
	e->tty = vg_task_tty(task);
	BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
	__builtin_memset(e->parent_comm, 0, VG_COMM_LEN);
	self = bpf_map_lookup_elem(&proc_table, &tgid);
	if (self && self->start_ns != e->start_ns)
		self = NULL; /* stale entry of a reused pid */
	vg_exec_forget_fds(task, tgid, self);
	vg_exec_parent(e, task, self);
	if (e->cred.euid != e->cred.uid)
		e->flags |= VG_EXEC_SETUID;
	vg_exec_args(e, &off, e, task);
	vg_exec_file(e, &off, e, bprm);
	fs = task->fs;
	/* probe reads: vg_path_walk, a global function, takes pointers as numbers only */
	off = vg_path_walk(off, vg_str_off(e, cwd), (__u64)BPF_CORE_READ(fs, pwd.dentry),
			   (__u64)BPF_CORE_READ(fs, pwd.mnt));
	vg_proc_note_exec(tgid, e, self);
	e->enforce = vg_enf_exec_check(task, bpf_get_current_cgroup_id());
	e->_pad1 = 0;
	if (!send && e->enforce) { /* out of the event scope, but the alert must be written */
		vg_unfilter(VG_EV_EXEC, VG_FILTER_SCOPE);
		send = true;
	}
	if (send)
		vg_submit(&e->hdr, off);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(vg_fork, struct task_struct *parent, struct task_struct *child)
{
	struct vg_fork *f;
	struct vg_proc p = {}, *pp;
	struct vg_kstats *st;
	__u32 off = sizeof(*f), tgid;
	bool send;

	if (child->pid != child->tgid) { /* a thread */
		if ((st = vg_stats()))
			st->threads_skipped++;
		return 0;
	}
	send = vg_sys_admit(VG_EV_FORK, child);
	f = vg_scratch();
	if (!f)
		return 0;
	vg_hdr_init(&f->hdr, VG_EV_FORK, child);
	vg_hdr_cgroup(f, &off, &f->hdr, child);
	f->ppid = parent->tgid;
	f->parent_pid = parent->pid;
	f->start_ns = vg_task_start_ns(child);
	f->parent_start_ns = vg_task_start_ns(parent);
	f->clone_flags_unused = 0;
	BPF_CORE_READ_STR_INTO(&f->comm, child, comm);

	p.start_ns = f->start_ns;
	p.parent_start_ns = f->parent_start_ns;
	p.ppid = f->ppid;
	__builtin_memcpy(p.comm, f->comm, VG_COMM_LEN);
	pp = bpf_map_lookup_elem(&proc_table, &f->ppid);
	if (pp && pp->start_ns == f->parent_start_ns)
		p.exec_ns = pp->exec_ns; /* the child runs its parent's image until it execs */
	tgid = f->hdr.tgid;
	if (bpf_map_update_elem(&proc_table, &tgid, &p, BPF_ANY) && (st = vg_stats()))
		st->table_full++;
	if (send)
		vg_submit(&f->hdr, off);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(vg_exit, struct task_struct *task)
{
	struct vg_exit *x;
	struct vg_proc *self;
	struct vg_kstats *st;
	__u32 off = sizeof(*x), tgid, ppid;
	struct vg_fd_umask *um;
	__u64 mask = 0;

	/* only the last thread of a group reports; signal->live is 0 once the group is dead */
	if (task->signal->live.counter != 0) {
		if ((st = vg_stats()))
			st->threads_skipped++;
		return 0;
	}
	if (!vg_sys_admit(VG_EV_EXIT, task)) {
		tgid = task->tgid;
		bpf_map_delete_elem(&proc_table, &tgid);
		return 0;
	}
	x = vg_scratch();
	if (!x)
		return 0;
	vg_hdr_init(&x->hdr, VG_EV_EXIT, task);
	vg_hdr_cgroup(x, &off, &x->hdr, task);
	tgid = x->hdr.tgid;
	x->start_ns = vg_task_start_ns(task);
	x->exit_code = task->exit_code;
	BPF_CORE_READ_STR_INTO(&x->comm, task, comm);
	/* read before the lookup: clang would otherwise share one load between the map value
	 * and the task, which the verifier refuses */
	ppid = task->real_parent->tgid;
	self = bpf_map_lookup_elem(&proc_table, &tgid);
	if (self && self->start_ns == x->start_ns) {
		ppid = self->ppid;
		mask = self->fd_mask;
	}
	x->ppid = ppid;
	/* the files close without a close(2) each: forget every tracked fd, the ones still open
	 * (exit closes them next) and those closed otherwise (close_range) */
	um = bpf_map_lookup_elem(&fd_umask, &tgid);
	for (__u32 w = 0; w < VG_FD_UMASK_WORDS; w++)
		vg_fd_forget(tgid, (w == 0 ? mask : 0) | (um ? um->bits[w] : 0) |
				   vg_fd_open_word(task, w), w * 64);
	if (um)
		bpf_map_delete_elem(&fd_umask, &tgid);
	bpf_map_delete_elem(&proc_table, &tgid);
	vg_submit(&x->hdr, off);
	return 0;
}
