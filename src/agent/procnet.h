/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The socket tables of /proc/net (tcp, udp, raw, unix, netlink, packet... as one network
 * namespace sees them), indexed by socket inode, so that an fd /proc shows as
 * "socket:[INODE]" can be described. Used while seeding the fd table; bounded by a maximum
 * number of sockets, the rest counted.
 */
#ifndef VIGIL_PROCNET_H
#define VIGIL_PROCNET_H

#include <stddef.h>
#include <stdint.h>

#include "fd_table.h"

struct procnet_sock {
	struct fd_sock sock; /* sock.inode is the key */
	char *path; /* AF_UNIX name as /proc shows it ("@name" when abstract), or NULL */
};

struct procnet_stats {
	uint64_t loads; /* procnet_index__load calls that read at least one table */
	uint64_t malformed; /* lines that did not parse (headers are not counted) */
	uint64_t dropped; /* sockets over the index's maximum */
};

struct procnet_index;

/* An empty index that will hold at most max_sockets sockets; NULL on ENOMEM or 0. */
struct procnet_index *procnet_index__new(size_t max_sockets);
/* Free the index and its names; NULL is fine. */
void procnet_index__free(struct procnet_index *ix);

/*
 * Replace the index's content with the tables under net_dir ("/proc/net", "/proc/PID/net").
 * Tables that do not exist (no IPv6, no netlink...) are skipped; the first line of each is a
 * header. Counts go to st. Returns the number of sockets indexed, -ENOENT if no table could
 * be read, -ENOMEM.
 */
int procnet_index__load(struct procnet_index *ix, const char *net_dir, struct procnet_stats *st);

/* The socket with this inode, or NULL. Valid until the next load or free. */
const struct procnet_sock *procnet_index__find(const struct procnet_index *ix, uint64_t inode);

/*
 * One line of /proc/net/{tcp,udp,raw,...}[6]: "sl local rem st ... inode ...", addresses in
 * hex of the kernel's in-memory words (so read natively), ports in hex, host order. family is
 * AF_INET or AF_INET6. Fills family, addresses, ports and inode; *state gets the st field
 * (TCP_* for TCP). At least one field must follow the inode, as the kernel always writes
 * one, so a cut line is not read as a shorter inode. 0 or -EINVAL.
 */
int procnet_parse_inet(const char *line, int family, struct fd_sock *s, unsigned int *state);

/* One line of /proc/net/unix: "Num RefCount Protocol Flags Type St Inode [Path]". *path and
 * *pathlen give the name within line (not NUL terminated; length 0 when unnamed). 0 or
 * -EINVAL. */
int procnet_parse_unix(const char *line, struct fd_sock *s, const char **path, size_t *pathlen);

/* One line of /proc/net/netlink ("sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode"):
 * protocol and inode. 0 or -EINVAL. */
int procnet_parse_netlink(const char *line, struct fd_sock *s);

/* One line of /proc/net/packet ("sk RefCnt Type Proto Iface R Rmem User Inode"): type,
 * protocol (ethertype, host order) and inode. 0 or -EINVAL. */
int procnet_parse_packet(const char *line, struct fd_sock *s);

#endif /* VIGIL_PROCNET_H */
