/* SPDX-License-Identifier: Apache-2.0 */
/* Task identity reads with CO-RE fallbacks for renamed fields.
 *
 * Every function here takes BTF pointers (bpf_get_current_task_btf(), a tp_btf argument, or a
 * field loaded from one) and reads them with direct loads, which the verifier turns into
 * fault-tolerant loads (a fault reads 0, as a failed probe read would). A load costs about a
 * nanosecond; a bpf_probe_read_kernel() call about 30, and a record reads tens of fields: the
 * helper calls were the largest part of a delivered open's BPF time. Pointers that arrive as
 * numbers (read with a probe read, such as a struct file from an fd table) still need probe
 * reads. */
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

/* Is t in another mount namespace than the host's (vg_host_mnt_ns, sys.bpf.h): a container? */
static __always_inline bool vg_task_in_container(struct task_struct *t, __u32 host_mnt_ns)
{
	return t->nsproxy->mnt_ns->ns.inum != host_mnt_ns;
}

/* Before 6.3 kernel_cap_t was struct kernel_cap_struct, two u32 with the low word first. */
struct kernel_cap_struct___pre63 {
	__u32 cap[2];
} __attribute__((preserve_access_index));

/* A capability set as one bitmask, from either layout of kernel_cap_t. */
static __always_inline __u64 vg_cap(const kernel_cap_t *c)
{
	const struct kernel_cap_struct___pre63 *old = (const void *)c;

	if (bpf_core_field_exists(c->val))
		return c->val;
	return old->cap[0] | (__u64)old->cap[1] << 32;
}

static __always_inline __u64 vg_task_start_ns(struct task_struct *t)
{
	if (bpf_core_field_exists(t->start_boottime))
		return t->start_boottime;
	return ((struct task_struct___pre55 *)t)->real_start_time;
}

static __always_inline void vg_task_cred(struct task_struct *t, struct vg_cred *c)
{
	const struct cred *cred = t->cred;

	c->uid = cred->uid.val;
	c->gid = cred->gid.val;
	c->euid = cred->euid.val;
	c->egid = cred->egid.val;
	c->auid = 0xffffffff;
	if (bpf_core_field_exists(t->loginuid))
		c->auid = t->loginuid.val;
	c->_pad0 = 0;
}

static __always_inline struct kernfs_node *vg_kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return kn->__parent;
	return ((struct kernfs_node___pre615 *)kn)->parent;
}

/* The controlling terminal, encoded as /proc/PID/stat's tty_nr (new_encode_dev of the tty's
 * device number), so seeded and live processes compare equal; 0 without one. */
static __always_inline __u32 vg_task_tty(struct task_struct *t)
{
	struct tty_struct *tty = t->signal->tty;
	struct tty_driver *drv;
	__u32 major, minor;

	if (!tty)
		return 0;
	drv = tty->driver;
	major = drv->major;
	minor = drv->minor_start + tty->index;
	return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffu) << 12);
}

/* The cgroup a task is in: the v2 cgroup when it has one below the root, else the first v1
 * hierarchy that places it below its root (pure v1 and hybrid hosts). A css has a parent
 * exactly when its cgroup is not a hierarchy's root. The loop is unrolled (a BTF pointer takes
 * constant offsets only), and an index the running kernel's subsys[] lacks is skipped: its
 * relocation fails, and the size check makes that branch dead for the verifier. */
static __always_inline struct cgroup *vg_task_cgroup(struct task_struct *t, __u32 *flags)
{
	struct css_set *cset = t->cgroups;
	struct cgroup *cg = cset->dfl_cgrp;

	if (cg && cg->level > 0)
		return cg;
#pragma unroll
	for (int i = 0; i < 12; i++) {
		struct cgroup_subsys_state *css;

		if ((i + 1) * sizeof(void *) > bpf_core_field_size(cset->subsys))
			break;
		css = cset->subsys[i];
		if (css && css->parent) {
			*flags |= VG_CG_V1;
			return css->cgroup;
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
	struct kernfs_node *kn = cg->kn;
	__u32 start = *off;

	h->cgroup_id = kn->id;
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
					      kn->name);
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
