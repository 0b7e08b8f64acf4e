/* SPDX-License-Identifier: Apache-2.0 */
/* Network events: socket, connect, accept, bind, listen, UDP sends (aggregated per
 * destination), DNS messages over UDP port 53, and TCP state changes attributed to the
 * socket's owner. One exit program per syscall (include/vigil/syscalls.h), all sharing
 * vg_net_exit, plus vg_tcp_state. Included by vigil.bpf.c. */
#include <bpf/bpf_endian.h>

/* <sys/socket.h> constants; vmlinux.h has no #defines */
#define VG_AF_UNIX 1
#define VG_AF_INET 2
#define VG_AF_INET6 10
#define VG_SOCK_TYPE_MASK 0xf
#define VG_SUN_PATH_MAX 108
#define VG_DNS_PORT 53
#define VG_EINPROGRESS 115

/* Which syscall a program serves; suffixes are the syscall names so the table can paste. */
enum vg_net_call {
	VG_NC_socket,
	VG_NC_connect,
	VG_NC_accept,
	VG_NC_accept4,
	VG_NC_bind,
	VG_NC_listen,
	VG_NC_sendto,
	VG_NC_sendmsg,
	VG_NC_recvfrom,
	VG_NC_recvmsg,
};

/* A hook invocation that will not be sent, decided before vg_sys_admit counted it seen. */
static __always_inline int vg_net_skip(__u16 type, __u32 reason)
{
	struct vg_kstats *st = vg_stats();

	if (st && type < VG_EV_MAX && reason < VG_FILTER_MAX) {
		st->seen[type]++;
		st->filtered[reason][type]++;
	}
	return 0;
}

/* The sock behind a socket fd; NULL when fd is not a socket. It runs on every send and
 * receive: the task's fd table is reached by direct loads through the BTF task pointer, a
 * third of the cost of probe reads (vg_fd_file). */
static __always_inline struct sock *vg_fd_sock(struct task_struct *t, __s64 fd)
{
	struct fdtable *fdt = t->files->fdt;
	struct file **fds = fdt->fd;
	struct file *f = NULL;
	struct socket *so;

	if (fd < 0 || fd >= fdt->max_fds)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & VG_S_IFMT) != VG_S_IFSOCK)
		return NULL;
	so = BPF_CORE_READ(f, private_data);
	return so ? BPF_CORE_READ(so, sk) : NULL;
}

/* sk_type and sk_protocol were bitfields before 5.6: the probed read handles both. */
static __always_inline void vg_sock_ids(struct vg_net *n, struct sock *sk)
{
	n->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	n->type = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_type);
	n->protocol = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);
}

/* The UDP socket behind fd; NULL for anything else (ICMP "ping" sockets are SOCK_DGRAM too,
 * hence the protocol). The type is read first: it turns away most sockets in one read. */
static __always_inline struct sock *vg_udp_sock(struct task_struct *t, __s64 fd)
{
	struct sock *sk = vg_fd_sock(t, fd);
	__u16 family;

	if (!sk || BPF_CORE_READ_BITFIELD_PROBED(sk, sk_type) != SOCK_DGRAM ||
	    BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) != IPPROTO_UDP)
		return NULL;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	return family == VG_AF_INET || family == VG_AF_INET6 ? sk : NULL;
}

/* The fd argument of a hot syscall, read alone: the full argument set (vg_sys_fill) costs a
 * dozen reads that most sends and receives, which are not UDP, do not need. A direct load on
 * x86 (the registers are a BTF pointer); libbpf makes it a probe read where it must. */
static __always_inline __s64 vg_arg0(struct task_struct *t)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);

	return (int)PT_REGS_PARM1_SYSCALL(regs);
}

/* The sock's own address (`remote` false) or its peer's. Ports in sock_common: skc_num is
 * host order, skc_dport network order. */
static __always_inline void vg_sa_sock(struct vg_sockaddr *sa, struct sock *sk, bool remote)
{
	struct sock_common *c = &sk->__sk_common;

	sa->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (sa->family == VG_AF_INET && remote) {
		sa->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		bpf_core_read(sa->addr, 4, &c->skc_daddr);
	} else if (sa->family == VG_AF_INET) {
		sa->port = BPF_CORE_READ(sk, __sk_common.skc_num);
		bpf_core_read(sa->addr, 4, &c->skc_rcv_saddr);
	} else if (sa->family == VG_AF_INET6 && remote) {
		sa->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		bpf_core_read(sa->addr, 16, &c->skc_v6_daddr);
	} else if (sa->family == VG_AF_INET6) {
		sa->port = BPF_CORE_READ(sk, __sk_common.skc_num);
		bpf_core_read(sa->addr, 16, &c->skc_v6_rcv_saddr);
	}
}

/* An inet address a syscall argument points to, `len` bytes long. Other families get only
 * their family number here (unix paths go to the tail: vg_unix_path). */
static __always_inline void vg_sa_user(struct vg_sockaddr *sa, __u64 uptr, __s64 len)
{
	struct sockaddr_in6 in6 = {};

	if (!uptr || len < 2 || bpf_probe_read_user(&sa->family, 2, (void *)uptr))
		return;
	if (sa->family == VG_AF_INET && len >= 8) {
		if (bpf_probe_read_user(&in6, 8, (void *)uptr))
			return;
		sa->port = bpf_ntohs(in6.sin6_port);
		__builtin_memcpy(sa->addr, &in6.sin6_flowinfo, 4); /* sin_addr is at that offset */
	} else if (sa->family == VG_AF_INET6 && len >= 24) { /* 24: RFC 2133, no scope id */
		if (bpf_probe_read_user(&in6, len >= 28 ? 28 : 24, (void *)uptr))
			return;
		sa->port = bpf_ntohs(in6.sin6_port);
		__builtin_memcpy(sa->addr, &in6.sin6_addr, 16);
		sa->scope_id = in6.sin6_scope_id;
	}
}

/* Append `len` bytes of kernel memory (at most VG_SUN_PATH_MAX) as vg_str `s`. */
static __always_inline void vg_tail_kbytes(void *rec, __u32 *off, struct vg_str *s,
					   const void *src, __s64 len)
{
	vg_str_begin(s, 0);
	if (len <= 0 || len > VG_SUN_PATH_MAX || *off > VG_RECORD_MAX - 128)
		return;
	asm volatile("%0 &= 0x7f" : "+r"(len));
	if (len == 0 || bpf_probe_read_kernel(rec + vg_off(*off), len, src))
		return;
	s->off = *off;
	s->len = len;
	*off += len;
}

/* A sun_path of `len` bytes (user or kernel memory) as n->unix_path. An abstract name starts
 * with a NUL byte, which is left out and said by VG_NET_UNIX_ABSTRACT; other names are sent
 * as given, NUL and all, so user space stops at the first NUL. */
static __always_inline void vg_unix_path(struct vg_net *n, __u32 *off, __u64 path, __s64 len,
					 bool user)
{
	char first = 0;

	if (len <= 0) /* unnamed, or autobind */
		return;
	if (len > VG_SUN_PATH_MAX)
		len = VG_SUN_PATH_MAX;
	if (user ? bpf_probe_read_user(&first, 1, (void *)path) :
		   bpf_probe_read_kernel(&first, 1, (void *)path))
		return;
	if (!first) {
		n->nflags |= VG_NET_UNIX_ABSTRACT;
		path++;
		len--;
	}
	if (user)
		vg_tail_ubytes(n, off, &n->unix_path, path, len, VG_SUN_PATH_MAX);
	else
		vg_tail_kbytes(n, off, &n->unix_path, (const void *)path, len);
}

/* The name a unix sock is bound to (an accepted one carries its listener's). */
static __always_inline void vg_unix_sock(struct vg_net *n, __u32 *off, struct sock *sk)
{
	struct unix_address *ua = BPF_CORE_READ((struct unix_sock *)sk, addr);
	int len;

	if (!ua)
		return;
	len = BPF_CORE_READ(ua, len) - (int)offsetof(struct sockaddr_un, sun_path);
	vg_unix_path(n, off, (__u64)&ua->name[0].sun_path, len, false);
}

/* Remember who owns a TCP sock, for vg_tcp_state. A sock already back in TCP_CLOSE (refused,
 * reset) would never see the close that deletes the entry, so it gets none. */
static __always_inline void vg_owner_set(struct sock *sk, const struct vg_hdr *h,
					 const struct vg_sys *s)
{
	struct vg_sock_owner o = {
		.tgid = h->tgid,
		.pid = h->pid,
		.start_ns = s->start_ns,
		.cgroup_id = h->cgroup_id,
		.uid = s->uid,
		.euid = s->euid,
		.cg_flags = h->cg_flags,
	};
	__u64 key = (__u64)sk;

	if (BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) != IPPROTO_TCP ||
	    BPF_CORE_READ(sk, __sk_common.skc_state) == TCP_CLOSE)
		return;
	bpf_map_update_elem(&sock_owner, &key, &o, BPF_ANY);
}

/* Header, cgroup and empty tail strings; the fixed fields were zeroed by vg_net_exit. */
static __always_inline void vg_net_begin(struct vg_net *n, __u32 *off, __u16 type,
					 struct task_struct *t)
{
	*off = sizeof(*n);
	vg_hdr_init(&n->hdr, type, t);
	vg_hdr_cgroup(n, off, &n->hdr, t);
	vg_str_begin(&n->unix_path, 0);
	vg_str_begin(&n->payload, 0);
}

/* Self, scope and sampling, then the record's start. False when not to be sent. */
static __always_inline bool vg_net_admit(struct vg_net *n, __u32 *off, __u16 type,
					 struct task_struct *t)
{
	if (!vg_sys_admit(type, t) || vg_sampled_out(type))
		return false;
	vg_net_begin(n, off, type, t);
	return true;
}

/* socket: what the kernel made of the arguments (protocol 0 means the family's default),
 * or the arguments when it failed. The type's flag bits stay in sys.args[1]. */
static __always_inline int vg_net_socket(struct vg_net *n, struct task_struct *t, __u16 type)
{
	struct sock *sk = NULL;
	__u32 off;

	if (!vg_net_admit(n, &off, type, t))
		return 0;
	n->fd = n->sys.ret < 0 ? -1 : n->sys.ret;
	if (n->fd >= 0)
		sk = vg_fd_sock(t, n->fd);
	if (sk) {
		vg_sock_ids(n, sk);
	} else {
		n->family = n->sys.args[0];
		n->type = n->sys.args[1] & VG_SOCK_TYPE_MASK;
	}
	if (!n->protocol) /* packet sockets keep theirs elsewhere */
		n->protocol = n->sys.args[2];
	vg_fd_track(n->hdr.tgid, n->fd);
	return vg_submit(&n->hdr, off);
}

/* connect, bind, listen: an fd argument, and for connect and bind an address argument
 * (connect: the peer; on failure the kernel has already cleared the sock's destination). */
static __always_inline int vg_net_fdarg(struct vg_net *n, struct task_struct *t, __u16 type,
					enum vg_net_call call)
{
	struct vg_sockaddr *sa = call == VG_NC_bind ? &n->local : &n->remote;
	struct sock *sk;
	__u32 off;

	if (!vg_net_admit(n, &off, type, t))
		return 0;
	n->fd = n->sys.args[0];
	sk = vg_fd_sock(t, n->fd);
	if (sk)
		vg_sock_ids(n, sk);
	if (call == VG_NC_listen) {
		if (sk)
			vg_sa_sock(&n->local, sk, false);
		if (sk && n->family == VG_AF_UNIX)
			vg_unix_sock(n, &off, sk);
	} else {
		if (call == VG_NC_connect && sk)
			vg_sa_sock(&n->local, sk, false);
		vg_sa_user(sa, n->sys.args[1], (int)n->sys.args[2]);
		if (sa->family == VG_AF_UNIX)
			vg_unix_path(n, &off, n->sys.args[1] + 2, (int)n->sys.args[2] - 2, true);
	}
	/* bind to port 0: the kernel chose one */
	if (call == VG_NC_bind && sk && n->sys.ret == 0 && !n->local.port &&
	    (n->family == VG_AF_INET || n->family == VG_AF_INET6))
		n->local.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (sk && call != VG_NC_bind && (n->sys.ret == 0 || n->sys.ret == -VG_EINPROGRESS))
		vg_owner_set(sk, &n->hdr, &n->sys);
	return vg_submit(&n->hdr, off);
}

/* accept, accept4 that succeeded: the new socket, both ends from its sock. */
static __always_inline int vg_net_accept(struct vg_net *n, struct task_struct *t, __u16 type)
{
	struct sock *sk;
	__u32 off;

	if (!vg_net_admit(n, &off, type, t))
		return 0;
	n->fd = n->sys.ret;
	sk = vg_fd_sock(t, n->fd);
	if (sk) {
		vg_sock_ids(n, sk);
		vg_sa_sock(&n->local, sk, false);
		vg_sa_sock(&n->remote, sk, true);
		if (n->family == VG_AF_UNIX)
			vg_unix_sock(n, &off, sk);
		vg_owner_set(sk, &n->hdr, &n->sys);
	}
	vg_fd_track(n->hdr.tgid, n->fd);
	return vg_submit(&n->hdr, off);
}

/* Where a datagram went or came from, and its first buffer. */
struct vg_msg {
	__u64 name;
	__s64 namelen;
	__u64 buf;
	__u64 buflen;
};

static __always_inline void vg_msghdr_read(struct vg_msg *m, __u64 umsg)
{
	struct user_msghdr h = {};
	struct iovec iov = {};

	if (bpf_probe_read_user(&h, sizeof(h), (void *)umsg))
		return;
	m->name = (__u64)h.msg_name;
	m->namelen = h.msg_namelen; /* recvmsg: as the kernel updated it */
	if (h.msg_iovlen && !bpf_probe_read_user(&iov, sizeof(iov), h.msg_iov)) {
		m->buf = (__u64)iov.iov_base;
		m->buflen = iov.iov_len;
	}
}

/* The message of a sendto/recvfrom (buf, len, flags, addr, addrlen) or sendmsg/recvmsg
 * (msghdr); recvfrom's addrlen points to the length the kernel wrote. Then its peer: the
 * address in the message, or the sock's own for a connected socket. Arguments are read
 * straight from the registers, before vg_sys_fill, which only reported messages need. */
static __always_inline void vg_msg_peer(struct vg_msg *m, struct vg_net *n, struct sock *sk,
					struct task_struct *t, enum vg_net_call call)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);
	int alen = 0;

	if (call == VG_NC_sendmsg || call == VG_NC_recvmsg) {
		vg_msghdr_read(m, PT_REGS_PARM2_SYSCALL(regs));
	} else {
		m->buf = PT_REGS_PARM2_SYSCALL(regs);
		m->buflen = PT_REGS_PARM3_SYSCALL(regs);
		m->name = PT_REGS_PARM5_SYSCALL(regs);
		if (m->name && call == VG_NC_sendto)
			m->namelen = (int)VG_SYSARG5(regs);
		else if (m->name && !bpf_probe_read_user(&alen, sizeof(alen),
							 (void *)VG_SYSARG5(regs)))
			m->namelen = alen;
	}
	if (m->name && m->namelen)
		vg_sa_user(&n->remote, m->name, m->namelen);
	else
		vg_sa_sock(&n->remote, sk, true);
}

/* Bytes of the first buffer the syscall moved (ret > 0). */
static __always_inline __u64 vg_min_len(__u64 buflen, __s64 ret)
{
	return buflen < (__u64)ret ? buflen : (__u64)ret;
}

/* Aggregation key of a UDP destination of a process. */
static __always_inline __u64 vg_udp_key(__u32 tgid, const struct vg_sockaddr *sa)
{
	__u64 a, b, h;

	__builtin_memcpy(&a, sa->addr, 8);
	__builtin_memcpy(&b, sa->addr + 8, 8);
	h = ((__u64)tgid << 32 | (__u32)sa->port << 16 | sa->family) * 0x9e3779b97f4a7c15ULL;
	h ^= (a + 0x55445020ULL) * 0xbf58476d1ce4e5b9ULL; /* "UDP ": apart from file keys */
	h ^= (h >> 31) ^ b * 0x94d049bb133111ebULL;
	return h ^ (h >> 29);
}

/* sendto, sendmsg on UDP sockets: a DNS query with its message when the destination port is
 * 53, otherwise udp_send once per (process, destination) per second. */
static __always_inline int vg_net_send(struct trace_event_raw_sys_exit *ctx, struct vg_net *n,
				       struct task_struct *t, __u16 type, __u16 type2,
				       enum vg_net_call call)
{
	struct vg_msg m = {};
	struct sock *sk;
	__u32 off;

	sk = vg_udp_sock(t, vg_arg0(t));
	if (!sk)
		return vg_net_skip(type, VG_FILTER_IRRELEVANT);
	vg_msg_peer(&m, n, sk, t, call);
	if (n->remote.port == VG_DNS_PORT)
		type = type2;
	if (!vg_sys_admit(type, t) || vg_sampled_out(type))
		return 0;
	if (type != VG_EV_DNS && vg_recently(vg_udp_key(bpf_get_current_pid_tgid() >> 32,
							&n->remote), bpf_ktime_get_boot_ns())) {
		vg_count_filtered(type, VG_FILTER_DEDUP);
		return 0;
	}
	vg_sys_fill(&n->sys, ctx, t);
	vg_sock_ids(n, sk);
	vg_net_begin(n, &off, type, t);
	n->fd = n->sys.args[0];
	vg_sa_sock(&n->local, sk, false);
	if (type == VG_EV_DNS) {
		n->nflags |= VG_NET_DNS_QUERY;
		if (n->sys.ret > 0)
			vg_tail_ubytes(n, &off, &n->payload, m.buf,
				       vg_min_len(m.buflen, n->sys.ret), VG_DNS_MAX);
	}
	return vg_submit(&n->hdr, off);
}

/* recvfrom, recvmsg: hot, and almost never DNS. The cheap tests (return value, socket kind)
 * come before any user memory is read. */
static __always_inline int vg_net_recv(struct trace_event_raw_sys_exit *ctx, struct vg_net *n,
				       struct task_struct *t, __u16 type, enum vg_net_call call)
{
	struct vg_msg m = {};
	struct sock *sk;
	__u32 off;

	if (ctx->ret <= 0 || !(sk = vg_udp_sock(t, vg_arg0(t))))
		return vg_net_skip(type, VG_FILTER_IRRELEVANT);
	vg_msg_peer(&m, n, sk, t, call);
	if (n->remote.port != VG_DNS_PORT)
		return vg_net_skip(type, VG_FILTER_IRRELEVANT);
	if (!vg_net_admit(n, &off, type, t))
		return 0;
	vg_sys_fill(&n->sys, ctx, t);
	vg_sock_ids(n, sk);
	n->fd = n->sys.args[0];
	n->nflags |= VG_NET_DNS_ANSWER;
	vg_sa_sock(&n->local, sk, false);
	vg_tail_ubytes(n, &off, &n->payload, m.buf, vg_min_len(m.buflen, n->sys.ret), VG_DNS_MAX);
	return vg_submit(&n->hdr, off);
}

static __always_inline int vg_net_exit(struct trace_event_raw_sys_exit *ctx, __u16 type,
				       __u16 type2, enum vg_net_call call)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct vg_net *n = vg_scratch();

	if (!n)
		return vg_net_skip(type, VG_FILTER_IRRELEVANT);
	__builtin_memset(&n->fd, 0, sizeof(*n) - offsetof(struct vg_net, fd));
	switch (call) {
	case VG_NC_sendto:
	case VG_NC_sendmsg:
		return vg_net_send(ctx, n, t, type, type2, call);
	case VG_NC_recvfrom:
	case VG_NC_recvmsg:
		return vg_net_recv(ctx, n, t, type, call);
	case VG_NC_accept:
	case VG_NC_accept4:
		/* failures (EAGAIN from every non-blocking accept loop) have no socket */
		if (ctx->ret < 0)
			return vg_net_skip(type, VG_FILTER_IRRELEVANT);
		vg_sys_fill(&n->sys, ctx, t);
		return vg_net_accept(n, t, type);
	case VG_NC_socket:
		vg_sys_fill(&n->sys, ctx, t);
		return vg_net_socket(n, t, type);
	default:
		vg_sys_fill(&n->sys, ctx, t);
		return vg_net_fdarg(n, t, type, call);
	}
}

#define VG_NET_PROG(sc, TYPE, TYPE2, spec)                                                         \
	SEC("tracepoint/syscalls/sys_exit_" #sc)                                                   \
	int vg_x_##sc(struct trace_event_raw_sys_exit *ctx)                                        \
	{                                                                                          \
		return vg_net_exit(ctx, VG_EV_##TYPE, VG_EV_##TYPE2, VG_NC_##sc);                  \
	}
VG_SYSCALLS_NET(VG_NET_PROG)

/* Who runs now, as a sock owner; cgroup_id from the header just built for current. */
static __always_inline void vg_owner_current(struct vg_sock_owner *o, const struct vg_hdr *h,
					    struct task_struct *t)
{
	const struct cred *cred = t->cred;

	o->tgid = h->tgid;
	o->pid = h->pid;
	o->cgroup_id = h->cgroup_id;
	o->cg_flags = h->cg_flags;
	o->_pad0 = 0;
	o->start_ns = vg_task_start_ns(t->group_leader);
	o->uid = cred->uid.val;
	o->euid = cred->euid.val;
}

/* Why current may not claim a sock with no owner: CLOSE -> SYN_SENT (connect) and CLOSE ->
 * LISTEN run in the owner's own context, before connect() or listen() return, so current
 * is the owner there; without this the first transitions of every connection would go
 * unattributed. VG_FILTER_MAX when current may claim it. */
static __always_inline __u32 vg_tcp_claim(struct trace_event_raw_inet_sock_set_state *ctx,
					  struct task_struct *t)
{
	if (ctx->newstate != TCP_SYN_SENT && ctx->newstate != TCP_LISTEN)
		return VG_FILTER_IRRELEVANT;
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) == vg_self_tgid)
		return VG_FILTER_SELF;
	if (!vg_in_scope(t))
		return VG_FILTER_SCOPE;
	return VG_FILTER_MAX;
}

/* Both ends as the tracepoint saw them (ports already in host order). */
static __always_inline void vg_tcp_ends(struct vg_net *n,
					struct trace_event_raw_inet_sock_set_state *ctx)
{
	n->family = ctx->family;
	n->type = SOCK_STREAM;
	n->protocol = ctx->protocol;
	n->old_state = ctx->oldstate;
	n->new_state = ctx->newstate;
	n->local.family = n->remote.family = ctx->family;
	n->local.port = ctx->sport;
	n->remote.port = ctx->dport;
	/* a copy would load through a moved ctx pointer, which the verifier refuses */
	if (ctx->family == VG_AF_INET6) {
		bpf_probe_read_kernel(n->local.addr, 16, ctx->saddr_v6);
		bpf_probe_read_kernel(n->remote.addr, 16, ctx->daddr_v6);
	} else {
		bpf_probe_read_kernel(n->local.addr, 4, ctx->saddr);
		bpf_probe_read_kernel(n->remote.addr, 4, ctx->daddr);
	}
}

/* The record of a sock that has an owner: identity from the owner entry. Unless current
 * is the owner, the cgroup names are not known here and user space resolves the cgroup by
 * its id. */
static __always_inline void vg_tcp_begin_owner(struct vg_net *n, __u32 *off,
					       const struct vg_sock_owner *o,
					       struct task_struct *t)
{
	*off = sizeof(*n);
	vg_hdr_init(&n->hdr, VG_EV_TCP_STATE, t);
	n->hdr.pid = o->pid;
	n->hdr.tgid = o->tgid;
	n->hdr.cgroup_id = o->cgroup_id;
	n->hdr.cg_flags = o->cg_flags;
	vg_str_begin(&n->unix_path, 0);
	vg_str_begin(&n->payload, 0);
}

/* TCP state changes of sockets with a known owner. Scope is the owner's, judged when it was
 * recorded; sampling applies after the owner entry is kept or dropped. */
SEC("tracepoint/sock/inet_sock_set_state")
int vg_tcp_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 key = (__u64)ctx->skaddr;
	struct vg_sock_owner own, *o;
	struct vg_net *n;
	__u32 off, reason;

	if (ctx->protocol != IPPROTO_TCP || !(n = vg_scratch()))
		return vg_net_skip(VG_EV_TCP_STATE, VG_FILTER_IRRELEVANT);
	vg_count_seen(VG_EV_TCP_STATE);
	__builtin_memset(&n->sys, 0, sizeof(*n) - offsetof(struct vg_net, sys));
	o = bpf_map_lookup_elem(&sock_owner, &key);
	if (o) {
		own = *o;
		if (ctx->newstate == TCP_CLOSE)
			bpf_map_delete_elem(&sock_owner, &key);
	} else {
		reason = vg_tcp_claim(ctx, t);
		if (reason < VG_FILTER_MAX) {
			vg_count_filtered(VG_EV_TCP_STATE, reason);
			return 0;
		}
		vg_net_begin(n, &off, VG_EV_TCP_STATE, t);
		vg_owner_current(&own, &n->hdr, t);
		bpf_map_update_elem(&sock_owner, &key, &own, BPF_ANY);
	}
	if (vg_sampled_out(VG_EV_TCP_STATE))
		return 0;
	if (o)
		vg_tcp_begin_owner(n, &off, &own, t);
	if (o && (__u32)(bpf_get_current_pid_tgid() >> 32) == own.tgid) {
		/* running in the owner (its own close, say): its cgroup names can be had */
		n->hdr.cg_flags = 0;
		vg_hdr_cgroup(n, &off, &n->hdr, t);
	}
	vg_tcp_ends(n, ctx);
	n->fd = -1;
	n->nflags = VG_NET_OWNER;
	n->sys.nr = ~0U; /* no syscall */
	n->sys.start_ns = own.start_ns;
	n->sys.uid = own.uid;
	n->sys.euid = own.euid;
	n->sys.cap_effective = n->sys.cap_permitted = 0; /* not known for the owner */
	return vg_submit(&n->hdr, off);
}
