/* SPDX-License-Identifier: Apache-2.0 */
/* The agent's fd state: the event handlers feed the fd table (fd_table.c) from opens,
 * sockets, dups, closes and the process lifecycle; events that name only an fd ask it what
 * the fd is. Only fds of processes in scope are ever seen, so the table stays small. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/stat.h>

#include "agent.h"
#include "fd_table.h"
#include "vigil.skel.h"

static const char *const kind_names[] = {
	[FD_KIND_UNKNOWN] = "unknown", [FD_KIND_FILE] = "file",   [FD_KIND_DIR] = "dir",
	[FD_KIND_SOCKET] = "socket",   [FD_KIND_PIPE] = "pipe",   [FD_KIND_MEMFD] = "memfd",
	[FD_KIND_ANON] = "anon",       [FD_KIND_OTHER] = "other",
};

static enum fd_kind kind_of(const char *what, uint32_t ino_mode)
{
	if (what && !strncmp(what, "memfd:", 6))
		return FD_KIND_MEMFD;
	switch (ino_mode & S_IFMT) {
	case S_IFREG: return FD_KIND_FILE;
	case S_IFDIR: return FD_KIND_DIR;
	case S_IFIFO: return FD_KIND_PIPE;
	case S_IFSOCK: return FD_KIND_SOCKET;
	case 0: return what && what[0] == '/' ? FD_KIND_FILE : FD_KIND_UNKNOWN;
	default: return FD_KIND_OTHER;
	}
}

void agent_fd_opened(struct agent *a, uint32_t tgid, int32_t fd, const char *what,
		     uint32_t ino_mode, bool cloexec)
{
	struct fd_info fi = { .kind = kind_of(what, ino_mode), .cloexec = cloexec, .path = what };

	if (a->fds && fd >= 0)
		fd_table__set(a->fds, tgid, fd, &fi);
}

static void sock_of(const struct vg_net *n, struct fd_sock *s)
{
	memset(s, 0, sizeof(*s));
	s->family = n->family;
	s->type = n->type & 0xff; /* without SOCK_NONBLOCK / SOCK_CLOEXEC */
	s->protocol = n->protocol;
	s->lport = n->local.port;
	s->rport = n->remote.port;
	memcpy(s->laddr, n->local.addr, sizeof(s->laddr));
	memcpy(s->raddr, n->remote.addr, sizeof(s->raddr));
	s->listening = n->hdr.type == VG_EV_LISTEN;
	s->side = n->hdr.type == VG_EV_ACCEPT	 ? FD_SIDE_SERVER
		  : n->hdr.type == VG_EV_CONNECT ? FD_SIDE_CLIENT
						 : FD_SIDE_UNKNOWN;
}

void agent_fd_socket(struct agent *a, uint32_t tgid, int32_t fd, const struct vg_net *n,
		     bool cloexec)
{
	const char *path = n->unix_path.off ? (const char *)n + n->unix_path.off : NULL;
	char upath[128] = "";
	struct fd_info fi = { .kind = FD_KIND_SOCKET, .cloexec = cloexec };
	const struct fd_info *old;

	if (!a->fds || fd < 0)
		return;
	if (path)
		snprintf(upath, sizeof(upath), "%.*s", (int)strnlen(path, n->unix_path.len), path);
	sock_of(n, &fi.sock);
	old = fd_table__get(a->fds, tgid, fd);
	if (old && old->kind == FD_KIND_SOCKET && n->hdr.type != VG_EV_SOCKET &&
	    n->hdr.type != VG_EV_ACCEPT) {
		/* connect/bind/listen complete what socket() started */
		fd_table__update_sock(a->fds, tgid, fd, &fi.sock, upath[0] ? upath : NULL,
				      FD_SOCK_LOCAL | (n->remote.family ? FD_SOCK_REMOTE : 0) |
					      (upath[0] ? FD_SOCK_PATH : 0));
		return;
	}
	fi.path = upath[0] ? upath : NULL;
	fd_table__set(a->fds, tgid, fd, &fi);
}

void agent_fd_dup(struct agent *a, uint32_t tgid, int32_t oldfd, int32_t newfd, bool cloexec)
{
	if (a->fds && oldfd >= 0 && newfd >= 0 && oldfd != newfd)
		fd_table__dup(a->fds, tgid, oldfd, newfd, cloexec);
}

void agent_fd_closed(struct agent *a, uint32_t tgid, int32_t fd)
{
	if (a->fds)
		fd_table__close(a->fds, tgid, fd);
}

/* The kernel reports a close only for the fds in its fd_tracked map (maps.bpf.h), which the
 * programs fill as they hand user space a new fd. The fds the table learnt otherwise, seeded
 * from /proc or inherited at a fork, are entered here, so that their closes are reported too
 * and the table never describes a closed fd whose number was then reused. A child that closes
 * an inherited fd before its fork record is handled here (microseconds) still goes unseen. */
#define FD_REGISTER_BATCH 256

/* Enter the fds of `keys` in fd_umask, per process, so that the kernel can forget their
 * fd_tracked keys when the fds go without a close(2): close-on-exec, close_range, exit
 * (process.bpf.c). Higher fds than the mask holds are left to the LRU. User space is the
 * map's only writer, so the read-modify-write is safe. */
static void fd_umask_add(struct agent *a, const __u64 *keys, __u32 n)
{
	int mfd = bpf_map__fd(a->skel->maps.fd_umask);

	for (__u32 i = 0; i < n;) {
		struct vg_fd_umask m = { 0 }, old = { 0 };
		__u32 tgid = keys[i] >> 32;
		bool add = false;

		for (; i < n && keys[i] >> 32 == tgid; i++) {
			__u32 fd = (__u32)keys[i];

			if (fd < VG_FD_UMASK_WORDS * 64) {
				m.bits[fd / 64] |= 1ull << (fd % 64);
				add = true;
			}
		}
		if (!add)
			continue;
		bpf_map_lookup_elem(mfd, &tgid, &old);
		for (int w = 0; w < VG_FD_UMASK_WORDS; w++)
			m.bits[w] |= old.bits[w];
		if (memcmp(&m, &old, sizeof(m)) && bpf_map_update_elem(mfd, &tgid, &m, BPF_ANY))
			a->cnt.fd_register_errors++;
	}
}

static void fd_register(struct agent *a, const __u64 *keys, __u32 n)
{
	static const __u8 ones[FD_REGISTER_BATCH] = { [0 ... FD_REGISTER_BATCH - 1] = 1 };
	int mfd = bpf_map__fd(a->skel->maps.fd_tracked);
	__u32 count = n;

	if (!n)
		return;
	fd_umask_add(a, keys, n);
	if (!a->fd_reg_single && bpf_map_update_batch(mfd, keys, ones, &count, NULL) == 0) {
		a->cnt.fd_registered += n;
		return;
	}
	if (!a->fd_reg_single && (errno == EINVAL || errno == ENOTSUP || errno == EOPNOTSUPP)) {
		a->fd_reg_single = true; /* no batch updates on this kernel: one at a time */
		count = 0;
	}
	for (__u32 i = count; i < n; i++) {
		if (bpf_map_update_elem(mfd, &keys[i], &ones[0], BPF_ANY))
			a->cnt.fd_register_errors++;
		else
			a->cnt.fd_registered++;
	}
	a->cnt.fd_registered += count;
}

static __u64 fd_key(uint32_t tgid, int32_t fd)
{
	return (__u64)tgid << 32 | (uint32_t)fd;
}

void agent_fd_forked(struct agent *a, uint32_t parent, uint32_t child)
{
	int32_t fds[FD_REGISTER_BATCH];
	__u64 keys[FD_REGISTER_BATCH];
	size_t n;

	if (!a->fds || fd_table__fork(a->fds, parent, child) <= 0)
		return;
	n = fd_table__fds(a->fds, child, fds, FD_REGISTER_BATCH);
	for (size_t i = 0; i < n; i++)
		keys[i] = fd_key(child, fds[i]);
	fd_register(a, keys, n);
}

struct seed_reg {
	struct agent *a;
	__u64 keys[FD_REGISTER_BATCH];
	__u32 n;
};

static void seed_one(uint32_t tgid, int32_t fd, void *arg)
{
	struct seed_reg *r = arg;

	if (tgid == (uint32_t)getpid())
		return; /* vigil's own closes are never reported */
	r->keys[r->n++] = fd_key(tgid, fd);
	if (r->n == FD_REGISTER_BATCH) {
		fd_register(r->a, r->keys, r->n);
		r->n = 0;
	}
}

void agent_fd_seeded(struct agent *a)
{
	struct seed_reg r = { .a = a };

	if (!a->fds)
		return;
	fd_table__each(a->fds, seed_one, &r);
	fd_register(a, r.keys, r.n);
}

void agent_fd_name(struct agent *a, uint32_t tgid, int32_t fd, char *out, size_t outsz)
{
	const struct fd_info *fi = a->fds && fd >= 0 ? fd_table__get(a->fds, tgid, fd) : NULL;

	if (!fi || fd_info__format(fi, out, outsz) < 0)
		out[0] = 0;
}

void agent_fd_describe(struct agent *a, const char *key, uint32_t tgid, int32_t fd)
{
	const struct fd_info *fi = a->fds && fd >= 0 ? fd_table__get(a->fds, tgid, fd) : NULL;
	struct json_w *w = &a->json;
	char text[FD_PATH_MAX + 128];

	json_key(w, key);
	if (!fi) {
		json_raw(w, "null");
		return;
	}
	json_obj_begin(w);
	json_kstr(w, "kind", fi->kind < sizeof(kind_names) / sizeof(kind_names[0]) ?
				     kind_names[fi->kind] : "unknown");
	if (fd_info__format(fi, text, sizeof(text)) < 0)
		text[0] = 0;
	json_kstr(w, "name", text);
	json_kbool(w, "cloexec", fi->cloexec);
	json_obj_end(w);
}
