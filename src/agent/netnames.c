// SPDX-License-Identifier: Apache-2.0
/*
 * Socket decoders (see flagnames.h): address families, socket types, IP protocols, TCP
 * states, address text. Tables are indexed by value, each name spelled once by N().
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "flagnames.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define N(name, v)    [v] = #name

/* linux/socket.h */
static const char *const af_names[] = {
    N(AF_UNSPEC, 0),	  N(AF_UNIX, 1),      N(AF_INET, 2),	  N(AF_AX25, 3),
    N(AF_IPX, 4),	  N(AF_APPLETALK, 5), N(AF_NETROM, 6),	  N(AF_BRIDGE, 7),
    N(AF_ATMPVC, 8),	  N(AF_X25, 9),	      N(AF_INET6, 10),	  N(AF_ROSE, 11),
    N(AF_DECnet, 12),	  N(AF_NETBEUI, 13),  N(AF_SECURITY, 14), N(AF_KEY, 15),
    N(AF_NETLINK, 16),	  N(AF_PACKET, 17),   N(AF_ASH, 18),	  N(AF_ECONET, 19),
    N(AF_ATMSVC, 20),	  N(AF_RDS, 21),      N(AF_SNA, 22),	  N(AF_IRDA, 23),
    N(AF_PPPOX, 24),	  N(AF_WANPIPE, 25),  N(AF_LLC, 26),	  N(AF_IB, 27),
    N(AF_MPLS, 28),	  N(AF_CAN, 29),      N(AF_TIPC, 30),	  N(AF_BLUETOOTH, 31),
    N(AF_IUCV, 32),	  N(AF_RXRPC, 33),    N(AF_ISDN, 34),	  N(AF_PHONET, 35),
    N(AF_IEEE802154, 36), N(AF_CAIF, 37),     N(AF_ALG, 38),	  N(AF_NFC, 39),
    N(AF_VSOCK, 40),	  N(AF_KCM, 41),      N(AF_QIPCRTR, 42),  N(AF_SMC, 43),
    N(AF_XDP, 44),	  N(AF_MCTP, 45),
};

const char *af_name(unsigned family)
{
	return family < ARRAY_SIZE(af_names) ? af_names[family] : NULL;
}

/* linux/net.h enum sock_type; the bits above SOCK_TYPE_MASK (0xf) are flags. */
static const char *const sock_type_names[] = {
    N(SOCK_STREAM, 1),	  N(SOCK_DGRAM, 2), N(SOCK_RAW, 3),	N(SOCK_RDM, 4),
    N(SOCK_SEQPACKET, 5), N(SOCK_DCCP, 6),  N(SOCK_PACKET, 10),
};

const char *sock_type_name(uint32_t type)
{
	type &= 0xf;
	return type < ARRAY_SIZE(sock_type_names) ? sock_type_names[type] : NULL;
}

/* linux/in.h IPPROTO_*, lower case as in /etc/protocols and Falco's fd.l4proto. */
static const char *const inet_proto_names[] = {
    [0] = "ip",	    [1] = "icmp",	[2] = "igmp",	[4] = "ipip",	 [6] = "tcp",
    [8] = "egp",    [12] = "pup",	[17] = "udp",	[22] = "idp",	 [29] = "tp",
    [33] = "dccp",  [41] = "ipv6",	[46] = "rsvp",	[47] = "gre",	 [50] = "esp",
    [51] = "ah",    [58] = "icmpv6",	[92] = "mtp",	[94] = "beetph", [98] = "encap",
    [103] = "pim",  [108] = "comp",	[115] = "l2tp", [132] = "sctp",	 [136] = "udplite",
    [137] = "mpls", [143] = "ethernet", [255] = "raw",	[256] = "smc",	 [262] = "mptcp",
};

const char *inet_proto_name(int proto)
{
	if (proto < 0 || (size_t)proto >= ARRAY_SIZE(inet_proto_names))
		return NULL;
	return inet_proto_names[proto];
}

/* include/net/tcp_states.h */
static const char *const tcp_state_names[] = {
    [1] = "ESTABLISHED",     [2] = "SYN_SENT",	[3] = "SYN_RECV", [4] = "FIN_WAIT1",
    [5] = "FIN_WAIT2",	     [6] = "TIME_WAIT", [7] = "CLOSE",	  [8] = "CLOSE_WAIT",
    [9] = "LAST_ACK",	     [10] = "LISTEN",	[11] = "CLOSING", [12] = "NEW_SYN_RECV",
    [13] = "BOUND_INACTIVE",
};

const char *tcp_state_name(unsigned state)
{
	return state < ARRAY_SIZE(tcp_state_names) ? tcp_state_names[state] : NULL;
}

int ip_format(uint16_t family, const uint8_t addr[16], char *out, size_t outsz)
{
	socklen_t n = outsz > INET6_ADDRSTRLEN ? INET6_ADDRSTRLEN : outsz;

	if (!addr || !out)
		return -EINVAL;
	if (outsz)
		out[0] = '\0';
	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	if (!inet_ntop(family, addr, out, n)) {
		if (outsz)
			out[0] = '\0';
		return -ENOSPC;
	}
	return strlen(out);
}
