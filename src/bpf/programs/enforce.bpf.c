/* SPDX-License-Identifier: Apache-2.0 */
/* Enforcement programs (helpers/enforce.bpf.h has the checks): opens judged at the syscall's
 * entry, doomed processes killed at their next syscall, connect and sendmsg denied per cgroup,
 * devices denied per cgroup, and the exec check the lifecycle program calls. User space loads
 * them only when a rule needs them (enforce.c); the cgroup ones are attached to the cgroup v2
 * root and judge scope themselves, so that a pod is covered from its first process on.
 * Included by vigil.bpf.c. */

#define VG_O_ACCMODE_CREAT 01 /* creat(): O_WRONLY | O_CREAT | O_TRUNC, written */
/* uapi's anonymous enums for struct bpf_cgroup_dev_ctx, which BTF does not carry */
#define VG_DEVCG_ACC_READ 2
#define VG_DEVCG_ACC_WRITE 4
#define VG_DEVCG_DEV_CHAR 2

/* An open about to run: is its absolute path one a policy names, and does a policy match? */
static __always_inline int vg_enf_open_entry(__u64 uptr, __u32 oflags)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct vg_enf_ctx c = {};
	struct vg_enf_policy *p;
	struct vg_path_key *k;
	__u32 zero = 0, pol = 0;
	__u64 mask, *m;
	long n;

	if (!(vg_enf_active & (1 << VG_ENF_OPEN)) ||
	    (__u32)(bpf_get_current_pid_tgid() >> 32) == vg_self_tgid)
		return 0;
	k = bpf_map_lookup_elem(&path_key, &zero);
	if (!k || !uptr)
		return 0;
	n = bpf_probe_read_user_str(k->path, sizeof(k->path), (void *)uptr);
	mask = vg_enf_nopath;
	if (vg_path_plain(k, n)) {
		k->prefixlen = n * 8;
		m = bpf_map_lookup_elem(&enf_paths, k);
		if (m)
			mask |= *m;
	}
	if (!mask)
		return 0;
	c.cgid = bpf_get_current_cgroup_id();
	c.cg = vg_enf_cgroup_of(t, c.cgid, true);
	c.in_container = vg_task_in_container(t, vg_host_mnt_ns);
	c.oflags = oflags;
	p = vg_enf_decide(mask, VG_ENF_OPEN, &c, &pol);
	if (p)
		vg_enf_note(vg_enf_act_task(p, pol));
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int vg_enf_openat(struct trace_event_raw_sys_enter *ctx)
{
	return vg_enf_open_entry(ctx->args[1], ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_open")
int vg_enf_open(struct trace_event_raw_sys_enter *ctx)
{
	return vg_enf_open_entry(ctx->args[0], ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_creat")
int vg_enf_creat(struct trace_event_raw_sys_enter *ctx)
{
	return vg_enf_open_entry(ctx->args[0], VG_O_ACCMODE_CREAT);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int vg_enf_openat2(struct trace_event_raw_sys_enter *ctx)
{
	__u64 flags = 0;

	/* struct open_how starts with the flags */
	bpf_probe_read_user(&flags, sizeof(flags), (void *)ctx->args[2]);
	return vg_enf_open_entry(ctx->args[1], flags);
}

/* A process user space doomed dies at its next syscall, before that syscall runs. */
SEC("raw_tracepoint/sys_enter")
int vg_enf_doom(void *ctx)
{
	__u32 tgid;
	__u64 *start;

	if (vg_doomed_n <= 0)
		return 0;
	tgid = bpf_get_current_pid_tgid() >> 32;
	start = bpf_map_lookup_elem(&doomed, &tgid);
	if (!start)
		return 0;
	if (*start &&
	    *start != vg_task_start_ns(bpf_get_current_task_btf()->group_leader))
		return 0; /* the pid was reused: spare the newcomer */
	if (bpf_send_signal(VG_SIGKILL) == 0)
		__sync_fetch_and_add(&vg_enf_kills, 1);
	if (bpf_map_delete_elem(&doomed, &tgid) == 0)
		__sync_fetch_and_add(&vg_doomed_n, -1);
	return 0;
}

/* Is the caller's cgroup, or one above it, quarantined? The policy index + 1, or 0. */
static __always_inline __u32 vg_enf_quarantine_of(void)
{
	for (int lvl = 1; lvl <= VG_SCOPE_DEPTH; lvl++) {
		__u64 id = bpf_get_current_ancestor_cgroup_id(lvl);
		__u32 *q;

		if (!id)
			break;
		q = bpf_map_lookup_elem(&quarantine, &id);
		if (q)
			return *q;
	}
	return 0;
}

/* connect and sendmsg with an address: 1 lets the call go on, 0 fails it with EPERM. */
static __always_inline int vg_enf_sockaddr(struct bpf_sock_addr *ctx, bool v6)
{
	struct vg_enf_ctx c = { .in_container = 2 };
	struct vg_enf_policy *p;
	__u32 pol = 0, q;
	__u64 *m;
	__u16 port;

	if (!vg_enf_active || (__u32)(bpf_get_current_pid_tgid() >> 32) == vg_self_tgid)
		return 1;
	if (vg_enf_quarantined && (q = vg_enf_quarantine_of())) {
		vg_enf_note(VG_ENF_CODE(q - 1, VG_ACT_QUARANTINE, VG_ENF_OUT_DENIED, 0));
		return 0;
	}
	if (!(vg_enf_active & (1 << VG_ENF_CONNECT)))
		return 1;
	if (v6) {
		struct vg_net6_key k6 = { .prefixlen = 128 };

		__u32 w[4];

		/* the context allows only 4-byte loads at constant offsets */
		w[0] = ctx->user_ip6[0];
		w[1] = ctx->user_ip6[1];
		w[2] = ctx->user_ip6[2];
		w[3] = ctx->user_ip6[3];
		__builtin_memcpy(k6.addr, w, 16);
		m = bpf_map_lookup_elem(&enf_nets6, &k6);
	} else {
		struct vg_net4_key k4 = { .prefixlen = 32 };

		__u32 ip = ctx->user_ip4;

		__builtin_memcpy(k4.addr, &ip, 4);
		m = bpf_map_lookup_elem(&enf_nets4, &k4);
	}
	c.nets = m ? *m : 0;
	port = bpf_ntohs((__u16)ctx->user_port);
	m = bpf_map_lookup_elem(&enf_ports, &port);
	c.ports = m ? *m : 0;
	if (!(c.nets | vg_enf_nonet))
		return 1;
	c.cgid = bpf_get_current_cgroup_id();
	c.cg = bpf_map_lookup_elem(&enf_cgroups, &c.cgid);
	if (c.cg && (c.cg->flags & VG_ENF_CG_KNOWN))
		c.in_container = !!(c.cg->flags & VG_ENF_CG_CONTAINER);
	p = vg_enf_decide(c.nets | vg_enf_nonet, VG_ENF_CONNECT, &c, &pol);
	if (!p)
		return 1;
	if (!vg_enf_acts(p, pol)) {
		vg_enf_note(VG_ENF_CODE(pol, VG_ACT_NONE, VG_ENF_OUT_DRY_RUN, 0));
		return 1;
	}
	if (p->action == VG_ACT_KILL) { /* no signal from here: doomed, dies at its next call */
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;
		__u64 any = 0;

		if (bpf_map_update_elem(&doomed, &tgid, &any, BPF_NOEXIST) == 0)
			__sync_fetch_and_add(&vg_doomed_n, 1);
	}
	vg_enf_note(VG_ENF_CODE(pol, p->action, VG_ENF_OUT_DENIED, 0));
	return 0;
}

SEC("cgroup/connect4")
int vg_enf_connect4(struct bpf_sock_addr *ctx)
{
	return vg_enf_sockaddr(ctx, false);
}

SEC("cgroup/connect6")
int vg_enf_connect6(struct bpf_sock_addr *ctx)
{
	return vg_enf_sockaddr(ctx, true);
}

SEC("cgroup/sendmsg4")
int vg_enf_sendmsg4(struct bpf_sock_addr *ctx)
{
	return vg_enf_sockaddr(ctx, false);
}

SEC("cgroup/sendmsg6")
int vg_enf_sendmsg6(struct bpf_sock_addr *ctx)
{
	return vg_enf_sockaddr(ctx, true);
}

/* Device access (open of a device node): 0 denies with EPERM. mknod is left alone. */
SEC("cgroup/dev")
int vg_enf_dev(struct bpf_cgroup_dev_ctx *ctx)
{
	struct vg_enf_ctx c = { .in_container = 2 };
	__u32 type = ctx->access_type & 0xffff, access = ctx->access_type >> 16, pol = 0;
	struct vg_enf_policy *p;
	__u64 key, *m;

	if (!(access & (VG_DEVCG_ACC_READ | VG_DEVCG_ACC_WRITE)) ||
	    (__u32)(bpf_get_current_pid_tgid() >> 32) == vg_self_tgid)
		return 1;
	key = ((__u64)(type == VG_DEVCG_DEV_CHAR ? 'c' : 'b') << 40) |
	      ((__u64)(ctx->major & 0xfffff) << 20) | (ctx->minor & 0xfffff);
	m = bpf_map_lookup_elem(&enf_devs, &key);
	if (!m)
		return 1;
	c.cgid = bpf_get_current_cgroup_id();
	c.cg = bpf_map_lookup_elem(&enf_cgroups, &c.cgid);
	if (c.cg && (c.cg->flags & VG_ENF_CG_KNOWN))
		c.in_container = !!(c.cg->flags & VG_ENF_CG_CONTAINER);
	/* the open's flags are not known here: the access asked for stands in for them */
	c.oflags = (access & VG_DEVCG_ACC_WRITE) ? ((access & VG_DEVCG_ACC_READ) ? 2 : 1) : 0;
	p = vg_enf_decide(*m, VG_ENF_OPEN, &c, &pol);
	if (!p)
		return 1;
	if (!vg_enf_acts(p, pol)) {
		vg_enf_note(VG_ENF_CODE(pol, VG_ACT_NONE, VG_ENF_OUT_DRY_RUN, 0));
		return 1;
	}
	vg_enf_note(VG_ENF_CODE(pol, VG_ACT_DENY, VG_ENF_OUT_DENIED, 0));
	return 0;
}

/* At exec (called by the lifecycle program for every exec): classify a new cgroup, and judge
 * the exec policies. Returns the VG_ENF_CODE for the exec record. */
static __always_inline __u32 vg_enf_exec_check(struct task_struct *t, __u64 cgid)
{
	struct vg_enf_ctx c = {};
	struct vg_enf_policy *p;
	__u32 pol = 0;

	if (!vg_enf_active || (__u32)(bpf_get_current_pid_tgid() >> 32) == vg_self_tgid)
		return 0;
	c.cgid = cgid;
	c.cg = vg_enf_cgroup_of(t, cgid, true);
	if (!vg_enf_exec)
		return 0;
	c.in_container = vg_task_in_container(t, vg_host_mnt_ns);
	p = vg_enf_decide(vg_enf_exec, VG_ENF_EXEC, &c, &pol);
	return p ? vg_enf_act_task(p, pol) : 0;
}
