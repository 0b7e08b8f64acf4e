/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The user-space fd table: (tgid, fd) -> what the fd refers to (a path, a socket, a pipe...),
 * so that an event naming only an fd (write, dup2, fchmod) can say what it touched.
 *
 * Bounded: a fixed number of entries over all processes, allocated up front, with the least
 * recently used entry evicted (and counted) when a new one needs room; each path is capped at
 * FD_PATH_MAX bytes. Each process's entries are also on a per-process list, so exec, exit and
 * fork cost what that process holds, not what the table holds. A process record exists only
 * while the process has entries.
 *
 * Paths are shared, reference counted, between entries copied by dup and fork: a fork storm
 * copies pointers, it does not allocate strings.
 */
#ifndef VIGIL_FD_TABLE_H
#define VIGIL_FD_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FD_PATH_MAX	      4096 /* bytes of a stored path, NUL included; longer ones are cut */
#define FD_TABLE_FORK_COPY_MAX 256 /* fds a child inherits per fork; the rest are counted */
#define FD_TABLE_MAX_ENTRIES  (1u << 24) /* capacity is allocated up front: ~200 bytes an entry */

enum fd_kind {
	FD_KIND_UNKNOWN,
	FD_KIND_FILE,
	FD_KIND_DIR,
	FD_KIND_SOCKET,
	FD_KIND_PIPE,
	FD_KIND_MEMFD,
	FD_KIND_ANON,
	FD_KIND_OTHER, /* what /proc shows as neither a path nor a known kind: "net:[...]" */
};

#define FD_SIDE_UNKNOWN 0 /* seeded from /proc, or not connected */
#define FD_SIDE_SERVER	1 /* returned by accept: the local end is the server */
#define FD_SIDE_CLIENT	2 /* connected with connect: the local end is the client */

struct fd_sock {
	uint16_t family; /* AF_INET, AF_INET6, AF_UNIX, AF_NETLINK, AF_PACKET ... 0 unknown */
	uint16_t type; /* SOCK_STREAM, SOCK_DGRAM, SOCK_RAW ... 0 unknown */
	uint16_t protocol; /* IPPROTO_* for inet, NETLINK_* for netlink; 0 unknown */
	uint16_t lport, rport; /* host byte order */
	uint8_t laddr[16], raddr[16]; /* network order: IPv4 in the first 4 bytes, IPv6 all 16 */
	bool listening; /* TCP_LISTEN, or a listening unix socket, as /proc showed it */
	uint8_t side; /* FD_SIDE_*: which end of the connection this fd is, when known */
	uint64_t inode; /* socket inode when known (from /proc), else 0 */
};

struct fd_info {
	enum fd_kind kind;
	bool cloexec;
	/* file or directory path, the unix socket path, "memfd:name", "pipe:[123]",
	 * "anon_inode:[eventfd]"...; NULL when unknown. Owned by the table in what it returns. */
	const char *path;
	struct fd_sock sock; /* valid when kind == FD_KIND_SOCKET */
};

struct fd_table_stats {
	uint64_t entries, capacity;
	uint64_t processes; /* processes holding at least one entry */
	uint64_t path_bytes; /* heap held by distinct path strings */
	uint64_t inserts; /* entries created (replacing one in place is not an insert) */
	uint64_t evictions; /* entries removed to make room */
	uint64_t lookups, hits; /* fd_table__get */
	uint64_t path_truncated; /* paths cut to FD_PATH_MAX */
	uint64_t fork_copy_truncated; /* fds a child did not inherit because of the per-fork cap */
	uint64_t seeded; /* fds entered from /proc */
	uint64_t seed_procs; /* processes whose fds were read */
	uint64_t seed_vanished; /* processes that exited while being read */
	uint64_t seed_denied; /* processes whose fds we may not read */
	uint64_t seed_unresolved; /* socket fds whose inode no /proc/net table listed */
	uint64_t net_loads; /* /proc/net table sets read: one per namespace change while seeding */
	uint64_t net_malformed; /* lines of those tables that did not parse */
	uint64_t net_dropped; /* sockets not indexed because the index was full */
};

/* Which addresses fd_table__update_sock copies. */
#define FD_SOCK_LOCAL  0x1
#define FD_SOCK_REMOTE 0x2
#define FD_SOCK_PATH   0x4

struct fd_table;

/* A table of at most max_entries entries over all processes. NULL with errno EINVAL (0 or
 * more than FD_TABLE_MAX_ENTRIES) or ENOMEM. */
struct fd_table *fd_table__new(size_t max_entries);
/* Free the table and every path it holds; NULL is fine. */
void fd_table__free(struct fd_table *t);

/* Insert or replace (tgid, fd), copying info and its path (cut to FD_PATH_MAX). Evicts the
 * least recently used entry when full. 0 or -ENOMEM (-EINVAL for a negative fd). */
int fd_table__set(struct fd_table *t, uint32_t tgid, int32_t fd, const struct fd_info *info);

/* What (tgid, fd) is, or NULL. Marks the entry recently used. The pointer and its path stay
 * valid until the next call that changes the table. */
const struct fd_info *fd_table__get(struct fd_table *t, uint32_t tgid, int32_t fd);

/*
 * connect/bind/accept/getsockname told us more about a socket. Non-zero family, type,
 * protocol and inode of s replace the entry's; `fields` chooses which addresses are copied
 * (FD_SOCK_LOCAL, FD_SOCK_REMOTE) and whether path becomes the unix path (FD_SOCK_PATH;
 * NULL clears it). An fd we did not know, or knew as something else, becomes a socket with
 * cloexec unset. 0, -EINVAL or -ENOMEM.
 */
int fd_table__update_sock(struct fd_table *t, uint32_t tgid, int32_t fd, const struct fd_sock *s,
			  const char *path, unsigned int fields);

/* dup/dup2/dup3/fcntl(F_DUPFD): newfd becomes what oldfd is, with the given cloexec. If
 * oldfd is unknown, newfd is removed (it no longer is what we had) and -ENOENT returned.
 * oldfd == newfd changes nothing (dup2 returns without touching the flags). */
int fd_table__dup(struct fd_table *t, uint32_t tgid, int32_t oldfd, int32_t newfd, bool cloexec);

/* Forget (tgid, fd); unknown fds are fine. */
void fd_table__close(struct fd_table *t, uint32_t tgid, int32_t fd);

/* A successful exec: the process's close-on-exec fds are gone, the others stay. */
void fd_table__exec(struct fd_table *t, uint32_t tgid);

/*
 * The child starts with a copy of the parent's fds: at most FD_TABLE_FORK_COPY_MAX, the
 * parent's most recently used ones; the rest are counted in fork_copy_truncated. Entries
 * already held under the child's tgid are dropped first: they belong to an earlier process
 * with that pid. Returns the number of fds copied, or -EINVAL (parent == child).
 */
int fd_table__fork(struct fd_table *t, uint32_t parent, uint32_t child);

/* The process is gone: drop all its fds. */
void fd_table__exit(struct fd_table *t, uint32_t tgid);

/*
 * Enter the fds of one process from proc_root/<tgid>/fd (readlink) and fdinfo (O_CLOEXEC),
 * replacing what the table held for those fds (others are left alone: events may already
 * have added them). "socket:[INODE]" is resolved through the socket tables of the process's
 * network namespace: proc_root/<tgid>/net/{tcp,udp,udplite,raw,icmp}[6], unix, netlink and
 * packet (see procnet.h), or proc_root/net when the process has no net directory. Returns the
 * number of fds entered, -ENOENT if the process is gone, -EACCES if its fds may not be read,
 * -ENOMEM.
 */
int fd_table__seed_proc(struct fd_table *t, const char *proc_root, uint32_t tgid);

/* fd_table__seed_proc for every numeric entry of proc_root, reading each network namespace's
 * socket tables once while consecutive processes share it. Processes that vanish or may not
 * be read are counted and skipped. Returns the number of processes read, or -errno if
 * proc_root cannot be listed or memory runs out. */
int fd_table__seed_all(struct fd_table *t, const char *proc_root);

/* The fds held for tgid, most recently used first: up to max of them into fds. Returns how
 * many. */
size_t fd_table__fds(const struct fd_table *t, uint32_t tgid, int32_t *fds, size_t max);

/* fn(tgid, fd, arg) for every entry, most recently used first. fn must not change the table. */
void fd_table__each(const struct fd_table *t, void (*fn)(uint32_t tgid, int32_t fd, void *arg),
		    void *arg);

/* A copy of the counters. */
void fd_table__stats(const struct fd_table *t, struct fd_table_stats *st);

/* Walk every list and hash chain and check they agree with each other and the counters.
 * O(entries); for tests and debugging. 0 or -EUCLEAN. */
int fd_table__check(const struct fd_table *t);

/*
 * What the fd is, as a short string for output: the path for files and most kinds,
 * "tcp 10.0.0.1:443->10.0.0.2:5555" for inet sockets (IPv6 in brackets, no "->..." while
 * there is no peer), "unix:/path" (or "unix" when unnamed), "netlink:route", "packet:0x0003"
 * (the ethertype), "socket:[INODE]" for a socket of unknown family. Bytes are copied as
 * stored; escaping is the output's job. Returns the length written, -ENOSPC if it was cut (out
 * still holds a NUL terminated prefix), -EINVAL without room for anything.
 */
int fd_info__format(const struct fd_info *info, char *out, size_t outsz);

#endif /* VIGIL_FD_TABLE_H */
