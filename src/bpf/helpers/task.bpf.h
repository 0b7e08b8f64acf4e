/* SPDX-License-Identifier: Apache-2.0 */
/* Task identity reads with CO-RE fallbacks for renamed fields. */
#ifndef VIGIL_TASK_BPF_H
#define VIGIL_TASK_BPF_H

/* Before 5.5 the boot-based start time was called real_start_time. */
struct task_struct___pre55 {
	u64 real_start_time;
} __attribute__((preserve_access_index));

/* Before 6.15 kernfs_node->__parent was called parent. */
struct kernfs_node___pre615 {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline __u64 vg_task_start_ns(struct task_struct *t)
{
	if (bpf_core_field_exists(t->start_boottime))
		return BPF_CORE_READ(t, start_boottime);
	return BPF_CORE_READ((struct task_struct___pre55 *)t, real_start_time);
}

static __always_inline void vg_task_cred(struct task_struct *t, struct vg_cred *c)
{
	const struct cred *cred = BPF_CORE_READ(t, cred);

	c->uid = BPF_CORE_READ(cred, uid.val);
	c->gid = BPF_CORE_READ(cred, gid.val);
	c->euid = BPF_CORE_READ(cred, euid.val);
	c->egid = BPF_CORE_READ(cred, egid.val);
	c->auid = 0xffffffff;
	if (bpf_core_field_exists(t->loginuid))
		c->auid = BPF_CORE_READ(t, loginuid.val);
	c->_pad0 = 0;
}

static __always_inline struct kernfs_node *vg_kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___pre615 *)kn, parent);
}

/* The controlling terminal, encoded as /proc/PID/stat's tty_nr (new_encode_dev of the tty's
 * device number), so seeded and live processes compare equal; 0 without one. */
static __always_inline __u32 vg_task_tty(struct task_struct *t)
{
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
	__u32 major, minor;

	if (!tty)
		return 0;
	major = BPF_CORE_READ(tty, driver, major);
	minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
	return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffu) << 12);
}

/* The cgroup a task is in: the v2 cgroup when it has one below the root, else the first v1
 * hierarchy that places it below its root (pure v1 hosts). */
static __always_inline struct cgroup *vg_task_cgroup(struct task_struct *t, __u32 *flags)
{
	struct css_set *cset = BPF_CORE_READ(t, cgroups);
	struct cgroup *cg = BPF_CORE_READ(cset, dfl_cgrp);

	if (cg && BPF_CORE_READ(cg, level) > 0)
		return cg;
	for (int i = 0; i < 12; i++) {
		struct cgroup_subsys_state *css = BPF_CORE_READ(cset, subsys[i]);
		struct cgroup *c1;

		if (!css)
			continue;
		c1 = BPF_CORE_READ(css, cgroup);
		if (c1 && BPF_CORE_READ(c1, level) > 0) {
			*flags |= VG_CG_V1;
			return c1;
		}
	}
	return cg;
}

/* Cgroup id plus directory names, leaf first, captured now so that a container that is
 * gone by the time user space reads the record is still attributed. */
static __always_inline void vg_hdr_cgroup(void *rec, __u32 *off, struct vg_hdr *h,
					  struct task_struct *t)
{
	struct cgroup *cg = vg_task_cgroup(t, &h->cg_flags);
	struct kernfs_node *kn = BPF_CORE_READ(cg, kn);
	__u32 start = *off;

	h->cgroup_id = BPF_CORE_READ(kn, id);
	vg_str_begin(&h->cgroup, start);
	h->cgroup.flags = VG_STR_COMPONENTS;
	for (int i = 0; i < VG_CGROUP_DEPTH; i++) {
		struct kernfs_node *up = vg_kn_parent(kn);
		long n;

		if (!up) {
			h->cgroup.flags |= VG_STR_ROOTED;
			goto out;
		}
		if (*off > VG_RECORD_MAX - VG_CGROUP_NAME_MAX)
			break;
		n = bpf_probe_read_kernel_str(rec + (*off & VG_OFF_MASK), VG_CGROUP_NAME_MAX,
					      BPF_CORE_READ(kn, name));
		if (n <= 0) {
			*(char *)(rec + (*off & VG_OFF_MASK)) = 0;
			n = 1;
		}
		*off += n;
		h->cgroup.count++;
		kn = up;
	}
	if (!vg_kn_parent(kn))
		h->cgroup.flags |= VG_STR_ROOTED;
	else
		h->cgroup.flags |= VG_STR_TRUNCATED;
out:
	h->cgroup.len = *off - start;
}

#endif /* VIGIL_TASK_BPF_H */
