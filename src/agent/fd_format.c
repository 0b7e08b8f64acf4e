/* SPDX-License-Identifier: Apache-2.0 */
/* fd_info__format: what an fd is, in the few words an event prints. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "fd_table.h"

/* The netlink families one meets in practice (linux/netlink.h); others print as numbers. */
static const char *const netlink_names[] = {
	[0] = "route",
	[4] = "sock_diag",
	[6] = "xfrm",
	[7] = "selinux",
	[9] = "audit",
	[11] = "connector",
	[12] = "netfilter",
	[15] = "kobject_uevent",
	[16] = "generic",
	[21] = "crypto",
};

static const char *const kind_names[] = {
	[FD_KIND_UNKNOWN] = "unknown",
	[FD_KIND_FILE] = "file",
	[FD_KIND_DIR] = "dir",
	[FD_KIND_SOCKET] = "socket",
	[FD_KIND_PIPE] = "pipe",
	[FD_KIND_MEMFD] = "memfd",
	[FD_KIND_ANON] = "anon",
	[FD_KIND_OTHER] = "other",
};

static const char *inet_proto(const struct fd_sock *s)
{
	if (s->type == SOCK_RAW)
		return "raw";
	switch (s->protocol) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_UDPLITE:
		return "udplite";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmp6";
	case IPPROTO_MPTCP:
		return "mptcp";
	}
	/* protocol 0 at socket(): the kernel's default for the type */
	if (s->type == SOCK_STREAM)
		return "tcp";
	if (s->type == SOCK_DGRAM)
		return "udp";
	return s->family == AF_INET6 ? "inet6" : "inet";
}

static bool is_set(const uint8_t *addr, uint16_t port)
{
	static const uint8_t zero[16];

	return port || memcmp(addr, zero, sizeof(zero)) != 0;
}

static void endpoint(int family, const uint8_t *addr, uint16_t port, char *out, size_t outsz)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(family, addr, a, sizeof(a));
	if (family == AF_INET6)
		snprintf(out, outsz, "[%s]:%u", a, port);
	else
		snprintf(out, outsz, "%s:%u", a, port);
}

static int format_inet(const struct fd_sock *s, char *out, size_t outsz)
{
	char l[INET6_ADDRSTRLEN + 8], r[INET6_ADDRSTRLEN + 8];
	int family = s->family;
	uint8_t laddr[16] = { 0 }, raddr[16] = { 0 };

	/* only the family's bytes count: anything after an IPv4 address is not an address */
	memcpy(laddr, s->laddr, family == AF_INET6 ? 16 : 4);
	memcpy(raddr, s->raddr, family == AF_INET6 ? 16 : 4);
	if (!is_set(raddr, s->rport) && !is_set(laddr, s->lport))
		return snprintf(out, outsz, "%s", inet_proto(s));
	endpoint(family, laddr, s->lport, l, sizeof(l));
	if (!is_set(raddr, s->rport))
		return snprintf(out, outsz, "%s %s", inet_proto(s), l);
	endpoint(family, raddr, s->rport, r, sizeof(r));
	return snprintf(out, outsz, "%s %s->%s", inet_proto(s), l, r);
}

static int format_sock(const struct fd_info *info, char *out, size_t outsz)
{
	const struct fd_sock *s = &info->sock;
	size_t nl = sizeof(netlink_names) / sizeof(netlink_names[0]);

	switch (s->family) {
	case AF_INET:
	case AF_INET6:
		return format_inet(s, out, outsz);
	case AF_UNIX:
		if (info->path && info->path[0])
			return snprintf(out, outsz, "unix:%s", info->path);
		return snprintf(out, outsz, "unix");
	case AF_NETLINK:
		if (s->protocol < nl && netlink_names[s->protocol])
			return snprintf(out, outsz, "netlink:%s", netlink_names[s->protocol]);
		return snprintf(out, outsz, "netlink:%u", s->protocol);
	case AF_PACKET:
		return snprintf(out, outsz, "packet:0x%04x", s->protocol);
	}
	if (s->inode)
		return snprintf(out, outsz, "socket:[%llu]", (unsigned long long)s->inode);
	return snprintf(out, outsz, "socket");
}

int fd_info__format(const struct fd_info *info, char *out, size_t outsz)
{
	int n;

	if (!info || !out || !outsz)
		return -EINVAL;
	if (info->kind == FD_KIND_SOCKET)
		n = format_sock(info, out, outsz);
	else if (info->path)
		n = snprintf(out, outsz, "%s", info->path);
	else if ((unsigned)info->kind < sizeof(kind_names) / sizeof(kind_names[0]))
		n = snprintf(out, outsz, "%s", kind_names[info->kind]);
	else
		n = snprintf(out, outsz, "unknown");
	if (n < 0)
		return -EINVAL;
	return (size_t)n >= outsz ? -ENOSPC : n;
}
