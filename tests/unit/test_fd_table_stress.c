// SPDX-License-Identifier: Apache-2.0
/*
 * fd_table against a reference model: 100k random set/get/close/dup/update_sock/exec/fork/
 * exit operations on a table of 1000 entries, with more keys than that so eviction runs all
 * the time, and some processes wide enough for forks to hit the per-fork copy cap.
 *
 * The model is the plainest thing that says what the table must do: a 2-D array of slots with
 * a use stamp each; eviction scans for the smallest stamp. After every operation the counts
 * must agree; every 5000 operations every slot is compared and fd_table__check() walks the
 * table's lists and chains; at the end the eviction, insert and truncation counters agree.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

#define UNIT_MAIN
#include "unit.h"

#include "fd_table.h"

#define CAP	  1000
#define NTGID	  16
#define NFD	  320
#define WIDE	  4 /* tgids 1..WIDE use fds up to NFD, the others up to NARROW */
#define NARROW	  24
#define NPATHS	  6
#define OPS	  100000
#define FULL_EVERY 5000

struct mslot {
	bool used;
	uint64_t stamp;
	struct fd_info info; /* info.path points at path, or is NULL */
	char path[16];
};

static struct model {
	struct mslot s[NTGID + 1][NFD]; /* by tgid, 1..NTGID */
	uint32_t count[NTGID + 1];
	uint64_t entries, processes, clock;
	uint64_t evictions, inserts, truncated;
} m;

static uint64_t rng = 0x9d2c5680a5f1e3b7ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16) % n;
}

static void m_remove(uint32_t tg, int fd)
{
	struct mslot *x = &m.s[tg][fd];

	if (!x->used)
		return;
	x->used = false;
	m.entries--;
	if (--m.count[tg] == 0)
		m.processes--;
}

static void m_evict(void)
{
	uint32_t btg = 0;
	int bfd = -1;

	for (uint32_t tg = 1; tg <= NTGID; tg++)
		for (int fd = 0; fd < NFD; fd++)
			if (m.s[tg][fd].used && (bfd < 0 || m.s[tg][fd].stamp < m.s[btg][bfd].stamp))
				btg = tg, bfd = fd;
	m_remove(btg, bfd);
	m.evictions++;
}

static struct mslot *m_store(uint32_t tg, int fd, const struct fd_info *info)
{
	struct mslot *x = &m.s[tg][fd];
	struct fd_info copy = *info;
	char path[16] = "";

	if (copy.path) /* before evicting: it may point into the victim */
		snprintf(path, sizeof(path), "%s", copy.path);
	if (!x->used) {
		if (m.entries == CAP)
			m_evict();
		x->used = true;
		m.entries++;
		m.inserts++;
		if (m.count[tg]++ == 0)
			m.processes++;
	}
	x->info = copy;
	if (copy.path) {
		memcpy(x->path, path, sizeof(path));
		x->info.path = x->path;
	}
	x->stamp = ++m.clock;
	return x;
}

static const struct fd_info *m_get(uint32_t tg, int fd)
{
	struct mslot *x = &m.s[tg][fd];

	if (!x->used)
		return NULL;
	x->stamp = ++m.clock;
	return &x->info;
}

static int m_dup(uint32_t tg, int oldfd, int newfd, bool cloexec)
{
	struct mslot *x = &m.s[tg][oldfd];
	struct fd_info info;

	if (!x->used) {
		m_remove(tg, newfd);
		return -ENOENT;
	}
	x->stamp = ++m.clock;
	if (oldfd == newfd)
		return 0;
	info = x->info;
	info.cloexec = cloexec;
	m_store(tg, newfd, &info);
	return 0;
}

static void m_exec(uint32_t tg, bool all)
{
	for (int fd = 0; fd < NFD; fd++)
		if (all || (m.s[tg][fd].used && m.s[tg][fd].info.cloexec))
			m_remove(tg, fd);
}

static int by_stamp_desc(const void *a, const void *b)
{
	const struct mslot *x = *(struct mslot *const *)a, *y = *(struct mslot *const *)b;

	return x->stamp < y->stamp ? 1 : x->stamp > y->stamp ? -1 : 0;
}

static int m_fork(uint32_t parent, uint32_t child)
{
	static struct mslot *order[NFD], snap[NFD];
	int n = 0, copied;

	m_exec(child, true);
	for (int fd = 0; fd < NFD; fd++)
		if (m.s[parent][fd].used)
			order[n++] = &m.s[parent][fd];
	qsort(order, n, sizeof(order[0]), by_stamp_desc);
	copied = n < FD_TABLE_FORK_COPY_MAX ? n : FD_TABLE_FORK_COPY_MAX;
	m.truncated += n - copied;
	for (int i = 0; i < copied; i++) {
		snap[i] = *order[i];
		if (snap[i].info.path)
			snap[i].info.path = snap[i].path;
	}
	/* oldest first, so the child's order is the parent's */
	for (int i = copied; i-- > 0;)
		m_store(child, (int)(order[i] - m.s[parent]), &snap[i].info);
	return copied;
}

static void m_update_sock(uint32_t tg, int fd, const struct fd_sock *s, const char *path,
			  unsigned int fields)
{
	const struct fd_info fresh = { .kind = FD_KIND_SOCKET };
	struct mslot *x = &m.s[tg][fd];
	struct fd_sock *d;

	if (x->used && x->info.kind == FD_KIND_SOCKET)
		x->stamp = ++m.clock;
	else
		x = m_store(tg, fd, &fresh);
	d = &x->info.sock;
	d->family = s->family ? s->family : d->family;
	d->type = s->type ? s->type : d->type;
	d->protocol = s->protocol ? s->protocol : d->protocol;
	d->inode = s->inode ? s->inode : d->inode;
	if (fields & FD_SOCK_LOCAL) {
		memcpy(d->laddr, s->laddr, 16);
		d->lport = s->lport;
		d->listening = s->listening;
	}
	if (fields & FD_SOCK_REMOTE) {
		memcpy(d->raddr, s->raddr, 16);
		d->rport = s->rport;
	}
	if (fields & FD_SOCK_PATH) {
		x->info.path = path ? x->path : NULL;
		if (path)
			snprintf(x->path, sizeof(x->path), "%s", path);
	}
}

static bool same_sock(const struct fd_sock *a, const struct fd_sock *b)
{
	return a->family == b->family && a->type == b->type && a->protocol == b->protocol &&
	       a->lport == b->lport && a->rport == b->rport && a->listening == b->listening &&
	       a->inode == b->inode && memcmp(a->laddr, b->laddr, 16) == 0 &&
	       memcmp(a->raddr, b->raddr, 16) == 0;
}

static bool same(const struct fd_info *a, const struct fd_info *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || a->cloexec != b->cloexec || !a->path != !b->path)
		return false;
	if (a->path && strcmp(a->path, b->path) != 0)
		return false;
	return same_sock(&a->sock, &b->sock);
}

static struct fd_sock rnd_sock(void)
{
	static const uint16_t families[] = { 0, AF_INET, AF_INET6, AF_UNIX };
	struct fd_sock s = { .family = families[rnd(4)], .type = rnd(3), .protocol = rnd(3) };

	s.lport = rnd(3) * 1000;
	s.rport = rnd(3) * 443;
	s.laddr[rnd(16)] = rnd(256);
	s.raddr[rnd(16)] = rnd(256);
	s.listening = rnd(2);
	s.inode = rnd(4);
	return s;
}

static struct fd_info rnd_info(char *buf, size_t sz)
{
	struct fd_info fi = { .kind = rnd(FD_KIND_OTHER + 1), .cloexec = rnd(2) };

	if (rnd(8)) {
		snprintf(buf, sz, "/p%u", rnd(NPATHS));
		fi.path = buf;
	}
	if (fi.kind == FD_KIND_SOCKET)
		fi.sock = rnd_sock();
	return fi;
}

static uint32_t rnd_tg(void)
{
	return 1 + rnd(NTGID);
}

static int rnd_fd(uint32_t tg)
{
	return rnd(tg <= WIDE ? NFD : NARROW);
}

static bool step_sock(struct fd_table *t, uint32_t tg, int fd)
{
	struct fd_sock s = rnd_sock();
	unsigned int fields = rnd(8);
	const char *path = NULL;
	char buf[16];

	if (rnd(2)) {
		snprintf(buf, sizeof(buf), "/s%u", rnd(3));
		path = buf;
	}
	m_update_sock(tg, fd, &s, path, fields);
	return fd_table__update_sock(t, tg, fd, &s, path, fields) == 0;
}

/* A wide process opens many fds, so that forks of it hit the copy cap. */
static bool step_burst(struct fd_table *t)
{
	uint32_t tg = 1 + rnd(WIDE);
	struct fd_info fi;
	char buf[16];

	for (int fd = 0; fd < 300; fd++) {
		fi = rnd_info(buf, sizeof(buf));
		if (fd_table__set(t, tg, fd, &fi))
			return false;
		m_store(tg, fd, &fi);
	}
	return true;
}

/* One random operation on both; false if their results differ. */
static bool step(struct fd_table *t)
{
	uint32_t tg = rnd_tg(), op = rnd(100), other;
	int fd = rnd_fd(tg), fd2 = rnd(4) ? rnd_fd(tg) : fd;
	bool cloexec = rnd(2);
	struct fd_info fi;
	char buf[16];

	if (op < 30) {
		fi = rnd_info(buf, sizeof(buf));
		m_store(tg, fd, &fi);
		return fd_table__set(t, tg, fd, &fi) == 0;
	}
	if (op < 50)
		return same(fd_table__get(t, tg, fd), m_get(tg, fd));
	if (op < 58) {
		fd_table__close(t, tg, fd);
		m_remove(tg, fd);
	} else if (op < 68) {
		return fd_table__dup(t, tg, fd, fd2, cloexec) == m_dup(tg, fd, fd2, cloexec);
	} else if (op < 76) {
		return step_sock(t, tg, fd);
	} else if (op < 81) {
		fd_table__exec(t, tg);
		m_exec(tg, false);
	} else if (op < 87) {
		other = rnd_tg();
		if (other == tg)
			return fd_table__fork(t, tg, tg) == -EINVAL;
		return fd_table__fork(t, tg, other) == m_fork(tg, other);
	} else if (op < 92) {
		fd_table__exit(t, tg);
		m_exec(tg, true);
	} else if (op < 93) {
		return step_burst(t);
	}
	return true;
}

/* Every slot, table and model visited in the same order (a get touches both alike). */
static bool all_match(struct fd_table *t)
{
	for (uint32_t tg = 1; tg <= NTGID; tg++)
		for (int fd = 0; fd < NFD; fd++)
			if (!same(fd_table__get(t, tg, fd), m_get(tg, fd))) {
				printf("  slot %u/%d differs\n", tg, fd);
				return false;
			}
	return true;
}

UNIT_TEST(random_ops_match_model)
{
	struct fd_table *t = fd_table__new(CAP);
	struct fd_table_stats st;
	int i;

	for (i = 0; i < OPS; i++) {
		bool ok = step(t);

		fd_table__stats(t, &st);
		ok = ok && st.entries == m.entries && st.processes == m.processes &&
		     st.entries <= CAP;
		if (ok && (i + 1) % FULL_EVERY == 0)
			ok = fd_table__check(t) == 0 && all_match(t);
		if (!ok) {
			printf("  op %d: table and model differ (entries %llu/%llu)\n", i,
			       (unsigned long long)st.entries, (unsigned long long)m.entries);
			break;
		}
	}
	CHECK_INT(i, OPS);
	fd_table__stats(t, &st);
	CHECK_INT(st.evictions, m.evictions);
	CHECK_INT(st.inserts, m.inserts);
	CHECK_INT(st.fork_copy_truncated, m.truncated);
	/* the run exercised what it is meant to */
	CHECK(m.evictions > 10000);
	CHECK(m.truncated > 0);
	printf("  %d ops: %llu inserts, %llu evictions, %llu not copied at fork\n", OPS,
	       (unsigned long long)m.inserts, (unsigned long long)m.evictions,
	       (unsigned long long)m.truncated);
	fd_table__free(t);
}

int main(void)
{
	return unit_run();
}
