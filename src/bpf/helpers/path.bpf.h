/* SPDX-License-Identifier: Apache-2.0 */
/* Path resolution by walking dentries and mounts, for hooks where bpf_d_path is not allowed
 * (tracepoints). Components are emitted leaf first, NUL separated; user space reverses them.
 * Writing forwards avoids the variable-offset backwards copy that older verifiers reject. */
#ifndef VIGIL_PATH_BPF_H
#define VIGIL_PATH_BPF_H

static __always_inline bool vg_dentry_is_slash(struct dentry *dentry)
{
	char name[2] = {};

	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(dentry, d_name.name));
	return name[0] == '/' && name[1] == 0;
}

/* Resolve (dentry, vfsmount) into the scratch record's tail at `off`, and fill the vg_str at
 * `str_off` inside the record. Returns the new tail offset. The walk crosses mount points up to
 * the root of the mount namespace the mount belongs to, so a container's files read as the
 * container sees them ("/bin/sh", not the host's bundle path).
 * A global function: the verifier checks it once instead of once per call site, which keeps
 * the exec program far below the complexity limit. Pointers travel as scalars (probe reads). */
__noinline int vg_path_walk(__u32 off, __u32 str_off, __u64 dentry_p, __u64 vfsmnt_p)
{
	struct dentry *dentry = (struct dentry *)dentry_p;
	struct vfsmount *vfsmnt = (struct vfsmount *)vfsmnt_p;
	struct mount *mnt = container_of(vfsmnt, struct mount, mnt);
	void *rec = vg_scratch();
	struct vg_str s;

	if (!rec || str_off > VG_RECORD_MAX - sizeof(s))
		return off;
	vg_str_begin(&s, off);
	s.flags = VG_STR_COMPONENTS;
	for (int i = 0; i < VG_PATH_DEPTH; i++) {
		struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);

		if (dentry == mnt_root) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

			if (up == mnt || !up) {
				s.flags |= VG_STR_ROOTED;
				/* a file that is itself the root of a detached mount (runc's sealed
				 * binary clone): report its name rather than "/" */
				if (i == 0 && !vg_dentry_is_slash(dentry) &&
				    vg_tail_kstr(rec, &off, BPF_CORE_READ(dentry, d_name.name)) == 0) {
					s.count = 1;
					s.flags = VG_STR_COMPONENTS | VG_STR_PSEUDO;
				}
				goto out;
			}
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			vfsmnt = &up->mnt;
			continue;
		}
		if (vg_tail_kstr(rec, &off, BPF_CORE_READ(dentry, d_name.name)) < 0)
			break;
		s.count++;
		if (parent == dentry || !parent) {
			/* pseudo file system (memfd, pipe, anon inode) or disconnected dentry */
			s.flags |= VG_STR_PSEUDO;
			goto out;
		}
		dentry = parent;
	}
	s.flags |= VG_STR_TRUNCATED;
out:
	s.len = off - s.off;
	__builtin_memcpy(rec + (str_off & VG_OFF_MASK), &s, sizeof(s));
	return off;
}

/* Offset of a vg_str member inside the scratch record, for vg_path_walk(). */
#define vg_str_off(rec, member) ((__u32)((void *)&(rec)->member - (void *)(rec)))

/* Does the dentry's name start with "memfd:"? Files from memfd_create are named so. */
static __always_inline bool vg_dentry_is_memfd(struct dentry *dentry)
{
	char name[8] = {};

	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(dentry, d_name.name));
	return name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' &&
	       name[4] == 'd' && name[5] == ':';
}

#endif /* VIGIL_PATH_BPF_H */
