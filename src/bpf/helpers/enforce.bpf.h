/* SPDX-License-Identifier: Apache-2.0 */
/* Enforcement decided in the kernel: the policies user space compiled from rules with an
 * action (enforce.c), checked where the syscall or the cgroup hook runs. A policy matches when
 * every constraint its flags name holds; the first that matches acts. What was done goes into
 * enf_stash for the syscall's exit program to report (vg_sys.enforce).
 * Include after sys.bpf.h. */
#ifndef VIGIL_ENFORCE_BPF_H
#define VIGIL_ENFORCE_BPF_H

#define VG_SIGKILL 9

/* Written by user space while running (it maps .bss). */
__u32 vg_enf_active; /* bit (1 << VG_ENF_*) per class with policies; 0: no enforcement */
__u64 vg_enf_nopath; /* open policies with no path constraint */
__u64 vg_enf_nonet; /* connect policies with no network constraint */
__u64 vg_enf_exec; /* exec policies */
__u32 vg_enf_pods; /* pod-scoped policies exist: classify cgroups at exec */
__u32 vg_enf_quarantined; /* entries in quarantine; 0 skips the lookups */
__s32 vg_doomed_n; /* entries in doomed (user space adds, the kernel removes); 0 skips */
__u64 vg_enf_kills; /* kills done at the next syscall for user space (doomed) */

/* What a check knows of the caller. */
struct vg_enf_ctx {
	__u64 cgid;
	struct vg_enf_cgroup *cg; /* the cgroup's classification, NULL when never made */
	__u64 comms; /* policies whose comm set names the caller's comm */
	__u32 oflags; /* open: O_* flags */
	__u32 in_container; /* 1 yes, 0 no, 2 unknown */
	__u64 nets, ports; /* connect: policies naming the destination */
};

static __always_inline __u64 vg_enf_comm_mask(void)
{
	char comm[VG_COMM_LEN] = {};
	__u64 *m;

	bpf_get_current_comm(comm, sizeof(comm));
	m = bpf_map_lookup_elem(&enf_comms, comm);
	return m ? *m : 0;
}

/* Policies by property, as bit masks over policy indexes (filled by user space from the
 * policies): a check is then a few mask operations for all policies at once, which keeps the
 * verifier's work flat however many policies there are. */
__u64 vg_enf_cls[4]; /* policies of each class */
__u64 vg_enf_read, vg_enf_write; /* open: need an access mode that reads / writes */
__u64 vg_enf_comm_in, vg_enf_comm_out; /* comm must / must not be in the policy's set */
__u64 vg_enf_uid_eq, vg_enf_uid_ne; /* uid must / must not be the policy's (enf_uids) */
__u64 vg_enf_need_nets, vg_enf_need_ports; /* connect: destination constraints */
__u64 vg_enf_in_ctr, vg_enf_in_host, vg_enf_in_pods; /* scope */
__u64 vg_enf_thr; /* threshold policies */
/* Policies whose rule runs in enforce mode: only they act. The others (monitor, alert) are
 * judged all the same and reported as dry runs, so that a reload can switch a rule's mode
 * with one store to this word: no moment without the policy, and no restart. */
__u64 vg_enf_enforcing;

static __always_inline int vg_ctz64(__u64 x)
{
	int n = 0;

	if (!(x & 0xffffffffULL)) {
		n += 32;
		x >>= 32;
	}
	if (!(x & 0xffff)) {
		n += 16;
		x >>= 16;
	}
	if (!(x & 0xff)) {
		n += 8;
		x >>= 8;
	}
	if (!(x & 0xf)) {
		n += 4;
		x >>= 4;
	}
	if (!(x & 0x3)) {
		n += 2;
		x >>= 2;
	}
	return n + !(x & 1);
}

/* Count one more match of threshold policy i in group (a pod's cgroup): true once past the
 * policy's count within its window (and for every match after, until the window ends). */
static __always_inline bool vg_enf_over(__u32 i, __u64 group)
{
	struct vg_thr_key k = { .cgroup_id = group, .policy = i };
	struct vg_thr_val fresh = { .count = 1 }, *v;
	__u64 now = bpf_ktime_get_boot_ns();
	struct vg_enf_policy *p = bpf_map_lookup_elem(&enf_policy, &i);

	if (!p)
		return false;
	v = bpf_map_lookup_elem(&enf_thresh, &k);
	if (!v || now - v->window_start_ns > (__u64)p->thr_window_ms * 1000000ULL) {
		fresh.window_start_ns = now;
		bpf_map_update_elem(&enf_thresh, &k, &fresh, BPF_ANY);
		return fresh.count > p->thr_count;
	}
	/* no fetching atomics before 5.12 (and cpu v3): add, then read; a race between CPUs
	 * can only make two matches see the same count */
	__sync_fetch_and_add(&v->count, 1);
	return v->count > p->thr_count;
}

/* The policies of mask that the caller satisfies, threshold ones counted. */
static __always_inline __u64 vg_enf_filter(__u64 mask, __u8 cls, struct vg_enf_ctx *c)
{
	__u32 acc = c->oflags & 3, uid = (__u32)bpf_get_current_uid_gid();
	struct vg_enf_uid *um;
	__u64 pass = mask & vg_enf_cls[cls & 3], thr;

	if (!pass)
		return 0;
	if (acc != 0 && acc != 2)
		pass &= ~vg_enf_read;
	if (acc != 1 && acc != 2)
		pass &= ~vg_enf_write;
	pass &= (c->nets | ~vg_enf_need_nets) & (c->ports | ~vg_enf_need_ports);
	c->comms = vg_enf_comm_mask();
	pass &= (c->comms | ~vg_enf_comm_in) & ~(c->comms & vg_enf_comm_out);
	um = bpf_map_lookup_elem(&enf_uids, &uid);
	pass &= ((um ? um->eq : 0) | ~vg_enf_uid_eq) & ~((um ? um->ne : 0) & vg_enf_uid_ne);
	pass &= (c->cg ? c->cg->pods : 0) | ~vg_enf_in_pods;
	if (c->in_container == 2)
		pass &= ~(vg_enf_in_ctr | vg_enf_in_host); /* unknown: user space decides */
	else
		pass &= ~(c->in_container ? vg_enf_in_host : vg_enf_in_ctr);
	thr = pass & vg_enf_thr;
	pass &= ~vg_enf_thr;
	for (int k = 0; k < 4 && thr; k++) {
		__u32 i = vg_ctz64(thr);

		thr &= thr - 1;
		if (vg_enf_over(i, c->cg && c->cg->group ? c->cg->group : c->cgid))
			pass |= 1ULL << i;
	}
	return pass;
}

/* The first policy of class cls in mask that the caller matches, *pol its index; NULL when
 * none. */
static __always_inline struct vg_enf_policy *vg_enf_decide(__u64 mask, __u8 cls,
							  struct vg_enf_ctx *c, __u32 *pol)
{
	__u64 pass = vg_enf_filter(mask, cls, c);

	if (!pass)
		return NULL;
	*pol = vg_ctz64(pass);
	return bpf_map_lookup_elem(&enf_policy, pol);
}

static __always_inline void vg_enf_note(__u32 code)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_update_elem(&enf_stash, &tid, &code, BPF_ANY);
}

/* Does policy pol act (rather than report a dry run)? */
static __always_inline bool vg_enf_acts(const struct vg_enf_policy *p, __u32 pol)
{
	return p->action != VG_ACT_NONE && pol < 64 && (vg_enf_enforcing >> pol & 1);
}

/* Act from a tracepoint, where a signal can be sent: kill (deny has no hook there and falls
 * back to kill; user space says so at load), or only report outside enforce mode. */
static __always_inline __u32 vg_enf_act_task(const struct vg_enf_policy *p, __u32 pol)
{
	long err;

	if (!vg_enf_acts(p, pol))
		return VG_ENF_CODE(pol, VG_ACT_NONE, VG_ENF_OUT_DRY_RUN, 0);
	err = bpf_send_signal(VG_SIGKILL);
	return VG_ENF_CODE(pol, VG_ACT_KILL, err ? VG_ENF_OUT_FAILED : VG_ENF_OUT_SIGNALLED, err);
}

/* What enforcement did to the current thread's syscall, peeked (the exit program's checks
 * let such a record through) or taken (the record reports it). 0 when nothing. */
static __always_inline __u32 vg_enf_peek(void)
{
	__u32 tid, *code;

	if (!vg_enf_active)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	code = bpf_map_lookup_elem(&enf_stash, &tid);
	return code ? *code : 0;
}

static __always_inline __u32 vg_enf_take(void)
{
	__u32 tid, *code, v;

	if (!vg_enf_active)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	code = bpf_map_lookup_elem(&enf_stash, &tid);
	if (!code)
		return 0;
	v = *code;
	bpf_map_delete_elem(&enf_stash, &tid);
	return v;
}

/* Copy a pod uid out of a kubelet cgroup directory name: "pod<uid>" (cgroupfs driver) or
 * "kubepods[-qos]-pod<uid with _>.slice" (systemd driver). True when name is one. */
static __always_inline bool vg_pod_uid_of(const char *name, long n, char *uid)
{
	long at = -1;

	n--; /* without the NUL */
	if (n == 39 && name[0] == 'p' && name[1] == 'o' && name[2] == 'd')
		at = 3;
	else if (n >= 45 && n < 64 && name[(n - 6) & 63] == '.' && name[(n - 5) & 63] == 's' &&
		 name[(n - 1) & 63] == 'e' && name[(n - 45) & 63] == 'p' &&
		 name[(n - 44) & 63] == 'o' && name[(n - 43) & 63] == 'd')
		at = n - 42;
	if (at < 0)
		return false;
	for (int i = 0; i < 36; i++) {
		char c = name[(at + i) & 63];

		uid[i] = c == '_' ? '-' : c;
	}
	return true;
}

/* Classify task t's cgroup into cg: its pod (the pod uid in its cgroup path gives the
 * pod-scoped policies holding it, and the pod's cgroup is its group), else itself. */
static __always_inline void vg_enf_pod_of(struct task_struct *t, struct vg_enf_cgroup *cg)
{
	struct kernfs_node *kn = t->cgroups->dfl_cgrp->kn;
	char uid[VG_POD_UID_LEN] = {};
	char name[64];

	cg->group = kn->id;
	for (int lvl = 0; lvl < 4 && kn; lvl++) {
		long n = bpf_probe_read_kernel_str(name, sizeof(name), kn->name);

		if (n > 0 && vg_pod_uid_of(name, n, uid)) {
			__u64 *m = bpf_map_lookup_elem(&enf_pods, uid);

			cg->pods = m ? *m : 0;
			cg->group = kn->id;
			return;
		}
		kn = vg_kn_parent(kn);
	}
}

/* The caller's cgroup classification; made now when it is missing (a cgroup's first exec). */
static __always_inline struct vg_enf_cgroup *vg_enf_cgroup_of(struct task_struct *t, __u64 cgid,
							      bool make)
{
	struct vg_enf_cgroup *cg = bpf_map_lookup_elem(&enf_cgroups, &cgid), fresh = {};

	if (cg || !make)
		return cg;
	fresh.flags = VG_ENF_CG_KNOWN;
	if (vg_task_in_container(t, vg_host_mnt_ns))
		fresh.flags |= VG_ENF_CG_CONTAINER;
	vg_enf_pod_of(t, &fresh);
	bpf_map_update_elem(&enf_cgroups, &cgid, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&enf_cgroups, &cgid);
}

/* Is the path at key k, read from user memory, absolute and normalised (no "//", "/.",
 * "../", no trailing '/')? Only such a path is judged at entry: any other form of it is
 * resolved in user space, which decides the rule then (the process is doomed). */
static __always_inline bool vg_path_plain(const struct vg_path_key *k, long n)
{
	if (n <= 1 || n >= VG_PATH_KEY_MAX || k->path[0] != '/')
		return false;
	for (__u32 i = 0; i < VG_PATH_KEY_MAX - 2; i++) {
		char c = k->path[i], d = k->path[i + 1];

		if (!c)
			break;
		if ((c == '/' && (d == '/' || d == '.' || d == 0)) ||
		    (c == '.' && d == '.' && k->path[i + 2] == '/'))
			return n == 2; /* "/" alone is plain */
	}
	return true;
}

#endif /* VIGIL_ENFORCE_BPF_H */
