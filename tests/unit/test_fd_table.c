// SPDX-License-Identifier: Apache-2.0
/*
 * fd_table: set/get/replace, dup, close, exec, fork and its cap, exit, LRU eviction at
 * capacity, the per-process index and its cleanup, path caps, socket updates, formatting of
 * every kind, and a random run against a reference model. fd_table__check() walks every list
 * and chain after each kind of change; LeakSanitizer checks that shared paths are freed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define UNIT_MAIN
#include "unit.h"

#include "fd_table.h"

static struct fd_table_stats stats(struct fd_table *t)
{
	struct fd_table_stats st;

	fd_table__stats(t, &st);
	return st;
}

static struct fd_info file_info(const char *path, bool cloexec)
{
	return (struct fd_info){ .kind = FD_KIND_FILE, .cloexec = cloexec, .path = path };
}

static void set_file(struct fd_table *t, uint32_t tgid, int32_t fd, const char *path,
		     bool cloexec)
{
	struct fd_info fi = file_info(path, cloexec);

	CHECK_INT(fd_table__set(t, tgid, fd, &fi), 0);
}

/* The path of (tgid, fd), "(none)" without one, "(unknown)" for an unknown fd. */
static const char *path_at(struct fd_table *t, uint32_t tgid, int32_t fd)
{
	const struct fd_info *fi = fd_table__get(t, tgid, fd);

	return !fi ? "(unknown)" : fi->path ? fi->path : "(none)";
}

UNIT_TEST(new_rejects_bad_capacity)
{
	errno = 0;
	CHECK(fd_table__new(0) == NULL);
	CHECK_INT(errno, EINVAL);
	errno = 0;
	CHECK(fd_table__new((size_t)FD_TABLE_MAX_ENTRIES + 1) == NULL);
	CHECK_INT(errno, EINVAL);
	fd_table__free(NULL);
}

UNIT_TEST(set_get_replace)
{
	struct fd_table *t = fd_table__new(16);
	struct fd_info fi = file_info("/etc/passwd", true), sk = { .kind = FD_KIND_SOCKET };
	char buf[32] = "/tmp/a";
	const struct fd_info *got;

	CHECK_INT(fd_table__set(t, 100, 3, &fi), 0);
	fi.path = buf;
	CHECK_INT(fd_table__set(t, 100, 4, &fi), 0);
	buf[5] = 'b'; /* the table holds its own copy */
	got = fd_table__get(t, 100, 3);
	CHECK(got != NULL && got->kind == FD_KIND_FILE && got->cloexec);
	CHECK_STR(got ? got->path : NULL, "/etc/passwd");
	CHECK_STR(path_at(t, 100, 4), "/tmp/a");
	CHECK(fd_table__get(t, 100, 5) == NULL);
	CHECK(fd_table__get(t, 101, 3) == NULL);
	CHECK_INT(stats(t).entries, 2);
	CHECK_INT(stats(t).processes, 1);
	CHECK_INT(stats(t).inserts, 2);
	CHECK_INT(stats(t).lookups, 4);
	CHECK_INT(stats(t).hits, 2);

	/* replace in place: a socket now, no path, not an insert */
	sk.sock.family = AF_INET;
	CHECK_INT(fd_table__set(t, 100, 3, &sk), 0);
	got = fd_table__get(t, 100, 3);
	CHECK(got && got->kind == FD_KIND_SOCKET && !got->cloexec && got->path == NULL);
	CHECK(got && got->sock.family == AF_INET);
	CHECK_INT(stats(t).entries, 2);
	CHECK_INT(stats(t).inserts, 2);
	CHECK_INT(stats(t).path_bytes > 0 && stats(t).path_bytes < 64, 1); /* only "/tmp/a" */

	/* setting an entry from what get returned (the store may drop the old path first) */
	got = fd_table__get(t, 100, 4);
	CHECK_INT(fd_table__set(t, 100, 4, got), 0);
	CHECK_STR(path_at(t, 100, 4), "/tmp/a");
	CHECK_INT(fd_table__set(t, 100, -1, &fi), -EINVAL);
	CHECK_INT(fd_table__check(t), 0);
	fd_table__free(t);
}

UNIT_TEST(paths_are_capped_and_kept_as_bytes)
{
	struct fd_table *t = fd_table__new(8);
	static char big[FD_PATH_MAX + 100];
	const struct fd_info *got;

	memset(big, 'p', sizeof(big) - 1);
	big[0] = '/';
	set_file(t, 1, 0, big, false);
	got = fd_table__get(t, 1, 0);
	CHECK(got && strlen(got->path) == FD_PATH_MAX - 1);
	CHECK(got && memcmp(got->path, big, FD_PATH_MAX - 1) == 0);
	CHECK_INT(stats(t).path_truncated, 1);
	/* exactly the largest that fits, and one more */
	big[FD_PATH_MAX - 1] = 0;
	set_file(t, 1, 1, big, false);
	CHECK_INT(strlen(path_at(t, 1, 1)), FD_PATH_MAX - 1);
	CHECK_INT(stats(t).path_truncated, 1);
	big[FD_PATH_MAX - 1] = 'p';
	big[FD_PATH_MAX] = 0;
	set_file(t, 1, 2, big, false);
	CHECK_INT(strlen(path_at(t, 1, 2)), FD_PATH_MAX - 1);
	CHECK_INT(stats(t).path_truncated, 2);
	/* not UTF-8, control bytes: stored as they are */
	set_file(t, 1, 3, "/tmp/\xff\xfe\x01\n\t x", false);
	CHECK_STR(path_at(t, 1, 3), "/tmp/\xff\xfe\x01\n\t x");
	set_file(t, 1, 4, "", false);
	CHECK_STR(path_at(t, 1, 4), "");
	CHECK_INT(fd_table__check(t), 0);
	fd_table__free(t);
}

UNIT_TEST(dup_known)
{
	struct fd_table *t = fd_table__new(16);
	const struct fd_info *a, *b;
	uint64_t bytes;

	set_file(t, 7, 3, "/var/log/x", false);
	set_file(t, 7, 10, "/old", true);
	bytes = stats(t).path_bytes;
	CHECK_INT(fd_table__dup(t, 7, 3, 10, true), 0); /* replaces 10 */
	CHECK_INT(fd_table__dup(t, 7, 3, 11, false), 0);
	a = fd_table__get(t, 7, 3);
	b = fd_table__get(t, 7, 10);
	CHECK(a && b && b->kind == FD_KIND_FILE && b->cloexec && !a->cloexec);
	CHECK_STR(b ? b->path : NULL, "/var/log/x");
	CHECK(a && b && a->path == b->path); /* shared, not copied */
	CHECK(stats(t).path_bytes < bytes); /* "/old" freed, nothing allocated */
	b = fd_table__get(t, 7, 11);
	CHECK(b && !b->cloexec && b->path == a->path);
	CHECK_INT(stats(t).entries, 3);

	/* the original closing leaves the copies whole */
	fd_table__close(t, 7, 3);
	CHECK_STR(path_at(t, 7, 10), "/var/log/x");
	CHECK_STR(path_at(t, 7, 11), "/var/log/x");
	/* dup2(fd, fd) changes nothing, not even cloexec */
	CHECK_INT(fd_table__dup(t, 7, 10, 10, false), 0);
	CHECK(fd_table__get(t, 7, 10)->cloexec);
	CHECK_INT(fd_table__dup(t, 7, -1, 4, false), -EINVAL);
	CHECK_INT(fd_table__check(t), 0);
	fd_table__free(t);
}

UNIT_TEST(dup_unknown_removes_newfd)
{
	struct fd_table *t = fd_table__new(16);

	set_file(t, 7, 5, "/stale", false);
	CHECK_INT(fd_table__dup(t, 7, 4, 5, false), -ENOENT);
	CHECK(fd_table__get(t, 7, 5) == NULL);
	CHECK_INT(stats(t).entries, 0);
	CHECK_INT(stats(t).processes, 0);
	CHECK_INT(fd_table__dup(t, 7, 4, 6, false), -ENOENT); /* neither known */
	CHECK_INT(fd_table__dup(t, 7, 4, 4, false), -ENOENT);
	CHECK_INT(stats(t).entries, 0);
	CHECK_INT(fd_table__check(t), 0);
	fd_table__free(t);
}

UNIT_TEST(close_and_process_record)
{
	struct fd_table *t = fd_table__new(16);

	set_file(t, 1, 0, "/a", false);
	set_file(t, 1, 1, "/b", false);
	set_file(t, 2, 0, "/c", false);
	CHECK_INT(stats(t).processes, 2);
	fd_table__close(t, 1, 0);
	fd_table__close(t, 1, 0); /* twice */
	fd_table__close(t, 3, 0); /* unknown process */
	CHECK_INT(stats(t).entries, 2);
	CHECK_INT(stats(t).processes, 2);
	fd_table__close(t, 1, 1);
	CHECK_INT(stats(t).processes, 1); /* the record went with its last fd */
	CHECK_STR(path_at(t, 2, 0), "/c");
	CHECK_INT(stats(t).path_bytes > 0, 1);
	fd_table__close(t, 2, 0);
	CHECK_INT(stats(t).entries, 0);
	CHECK_INT(stats(t).processes, 0);
	CHECK_INT(stats(t).path_bytes, 0);
	CHECK_INT(fd_table__check(t), 0);
	fd_table__free(t);
}

UNIT_TEST(exec_drops_cloexec_only)
{
	struct fd_table *t = fd_table__new(32);

	for (int fd = 0; fd < 10; fd++) {
		set_file(t, 50, fd, "/f", fd % 3 == 0);
		set_file(t, 51, fd, "/g", true);
	}
	fd_table__exec(t, 50);
	for (int fd = 0; fd < 10; fd++) {
		CHECK((fd_table__get(t, 50, fd) == NULL) == (fd % 3 == 0));
		CHECK(fd_table__get(t, 51, fd) != NULL); /* another process */
	}
	CHECK_INT(stats(t).entries, 6 + 10);
	CHECK_INT(fd_table__check(t), 0);
	/* all cloexec: the process record goes too */
	fd_table__exec(t, 51);
	CHECK_INT(stats(t).entries, 6);
	CHECK_INT(stats(t).processes, 1);
	fd_table__exec(t, 52); /* unknown */
	fd_table__exec(t, 50); /* nothing left to drop */
	CHECK_INT(stats(t).entries, 6);
	CHECK_INT(fd_table__check(t), 0);
	fd_table__free(t);
}

UNIT_TEST(fork_copies)
{
	struct fd_table *t = fd_table__new(64);
	uint64_t bytes;

	for (int fd = 0; fd < 5; fd++)
		set_file(t, 10, fd, fd == 4 ? "/four" : "/x", fd == 2);
	set_file(t, 20, 9, "/stale from an earlier pid 20", false);
	bytes = stats(t).path_bytes;
	CHECK_INT(fd_table__fork(t, 10, 20), 5);
	CHECK(fd_table__get(t, 20, 9) == NULL); /* the earlier process's */
	for (int fd = 0; fd < 5; fd++) {
		const struct fd_info *c = fd_table__get(t, 20, fd), *p = fd_table__get(t, 10, fd);

		CHECK(c && p && c->path == p->path && c->cloexec == (fd == 2));
	}
	CHECK(stats(t).path_bytes < bytes); /* copies share; the stale path was freed */
	CHECK_INT(stats(t).entries, 10);
	CHECK_INT(stats(t).processes, 2);
	CHECK_INT(stats(t).fork_copy_truncated, 0);

	/* independent afterwards */
	fd_table__close(t, 20, 4);
	set_file(t, 10, 0, "/new", false);
	CHECK_STR(path_at(t, 10, 4), "/four");
	CHECK_STR(path_at(t, 20, 0), "/x");
	fd_table__exec(t, 20);
	CHECK(fd_table__get(t, 20, 2) == NULL);
	CHECK(fd_table__get(t, 10, 2) != NULL);

	CHECK_INT(fd_table__fork(t, 10, 10), -EINVAL);
	CHECK_INT(fd_table__fork(t, 99, 20), 0); /* unknown parent: the child starts empty */
	CHECK_INT(stats(t).entries, 5);
	CHECK_INT(stats(t).processes, 1);
	CHECK_INT(fd_table__check(t), 0);
	fd_table__free(t);
}

static void count_entry(uint32_t tgid, int32_t fd, void *arg)
{
	uint64_t *sum = arg;

	sum[0]++;
	sum[1] += (uint64_t)tgid * 1000 + (uint64_t)fd;
}

UNIT_TEST(fds_of_a_process_and_every_entry)
{
	struct fd_table *t = fd_table__new(64);
	int32_t fds[8];
	uint64_t sum[2] = { 0, 0 };

	set_file(t, 10, 3, "/a", false);
	set_file(t, 10, 7, "/b", false);
	set_file(t, 11, 5, "/c", false);
	CHECK_INT(fd_table__fds(t, 10, fds, 8), 2);
	CHECK_INT(fds[0], 7); /* most recently used first */
	CHECK_INT(fds[1], 3);
	CHECK_INT(fd_table__fds(t, 10, fds, 1), 1);
	CHECK_INT(fds[0], 7);
	CHECK_INT(fd_table__fds(t, 12, fds, 8), 0);
	fd_table__each(t, count_entry, sum);
	CHECK_INT(sum[0], 3);
	CHECK_INT(sum[1], 10003 + 10007 + 11005);
	fd_table__free(t);
}

UNIT_TEST(fork_copy_cap_keeps_most_recent)
{
	struct fd_table *t = fd_table__new(1024);
	int n = FD_TABLE_FORK_COPY_MAX + 44;

	for (int fd = 0; fd < n; fd++)
		set_file(t, 1, fd, "/p", false);
	CHECK(fd_table__get(t, 1, 0) != NULL); /* fd 0 becomes the most recent */
	CHECK_INT(fd_table__fork(t, 1, 2), FD_TABLE_FORK_COPY_MAX);
	CHECK_INT(stats(t).fork_copy_truncated, 44);
	CHECK(fd_table__get(t, 2, 0) != NULL);
	for (int fd = 1; fd < n; fd++)
		CHECK((fd_table__get(t, 2, fd) != NULL) == (fd >= 45));
	CHECK_INT(stats(t).entries, n + FD_TABLE_FORK_COPY_MAX);
	CHECK_INT(fd_table__check(t), 0);
	fd_table__free(t);
}

/* A full table: the copies evict other entries, possibly the parent's, never a copy. */
UNIT_TEST(fork_into_full_table)
{
	struct fd_table *t = fd_table__new(8);

	for (int fd = 0; fd < 6; fd++)
		set_file(t, 1, fd, "/p", false);
	set_file(t, 3, 0, "/other", false);
	set_file(t, 3, 1, "/other", false);
	CHECK_INT(fd_table__fork(t, 1, 2), 6);
	CHECK_INT(stats(t).entries, 8);
	CHECK_INT(stats(t).evictions, 6);
	for (int fd = 0; fd < 6; fd++)
		CHECK_STR(path_at(t, 2, fd), "/p");
	CHECK_INT(fd_table__check(t), 0);
	fd_table__free(t);
}

UNIT_TEST(exit_drops_the_process)
{
	struct fd_table *t = fd_table__new(64);

	for (int fd = 0; fd < 20; fd++)
		set_file(t, 5, fd, "/f", false);
	set_file(t, 6, 0, "/g", false);
	fd_table__exit(t, 5);
	CHECK_INT(stats(t).entries, 1);
	CHECK_INT(stats(t).processes, 1);
	CHECK(fd_table__get(t, 5, 0) == NULL);
	CHECK_STR(path_at(t, 6, 0), "/g");
	fd_table__exit(t, 5);
	fd_table__exit(t, 77);
	CHECK_INT(fd_table__check(t), 0);
	fd_table__free(t);
}

UNIT_TEST(lru_eviction_at_capacity)
{
	struct fd_table *t = fd_table__new(4);

	set_file(t, 1, 0, "/a", false);
	set_file(t, 1, 1, "/b", false);
	set_file(t, 2, 0, "/c", false);
	set_file(t, 3, 0, "/d", false);
	CHECK(fd_table__get(t, 1, 0) != NULL); /* (1,1) is now the least recently used */
	set_file(t, 4, 0, "/e", false);
	CHECK_INT(stats(t).evictions, 1);
	CHECK(fd_table__get(t, 1, 1) == NULL);
	/* replacing in place neither evicts nor counts */
	set_file(t, 2, 0, "/c2", false);
	CHECK_INT(stats(t).evictions, 1);
	/* LRU now: (3,0) (1,0) (4,0) (2,0); a dup touches its source first */
	CHECK_INT(fd_table__dup(t, 3, 0, 1, false), 0);
	CHECK_INT(stats(t).evictions, 2);
	CHECK(fd_table__get(t, 1, 0) == NULL);
	CHECK_STR(path_at(t, 3, 1), "/d");
	CHECK_INT(stats(t).processes, 3); /* process 1 went with its last entry */
	CHECK_INT(stats(t).entries, 4);
	CHECK_INT(stats(t).inserts, 6);
	CHECK_INT(fd_table__check(t), 0);
	fd_table__free(t);
}

UNIT_TEST(capacity_one)
{
	struct fd_table *t = fd_table__new(1);

	set_file(t, 1, 0, "/a", false);
	CHECK_INT(fd_table__dup(t, 1, 0, 1, false), 0); /* evicts its own source */
	CHECK_STR(path_at(t, 1, 1), "/a");
	CHECK(fd_table__get(t, 1, 0) == NULL);
	CHECK_INT(fd_table__fork(t, 1, 2), 1);
	CHECK_STR(path_at(t, 2, 1), "/a");
	CHECK_INT(stats(t).entries, 1);
	CHECK_INT(stats(t).processes, 1);
	CHECK_INT(fd_table__check(t), 0);
	fd_table__free(t);
}

/* Thousands of short-lived children: the per-process index holds only live ones. */
UNIT_TEST(fork_storm_leaves_nothing)
{
	struct fd_table *t = fd_table__new(1000);

	for (int fd = 0; fd < 8; fd++)
		set_file(t, 1, fd, "/shared", fd >= 3);
	for (uint32_t child = 2; child < 50000; child++) {
		CHECK_INT(fd_table__fork(t, 1, child), 8);
		fd_table__exec(t, child);
		if (child % 5000 == 0)
			CHECK_INT(fd_table__check(t), 0);
		if (child >= 102) /* not the parent, 1 */
			fd_table__exit(t, child - 100);
	}
	CHECK_INT(stats(t).processes, 101);
	CHECK_INT(stats(t).entries, 8 + 100 * 3);
	for (uint32_t child = 49900; child < 50000; child++)
		fd_table__exit(t, child);
	CHECK_INT(stats(t).processes, 1);
	CHECK_INT(stats(t).entries, 8);
	CHECK_INT(stats(t).evictions, 0);
	CHECK_INT(fd_table__check(t), 0);
	fd_table__free(t);
}

/* More processes than entries: the process records stay within capacity too. */
UNIT_TEST(process_records_bounded)
{
	struct fd_table *t = fd_table__new(10);

	for (uint32_t tgid = 1; tgid <= 1000; tgid++)
		set_file(t, tgid, 0, "/x", false);
	CHECK_INT(stats(t).entries, 10);
	CHECK_INT(stats(t).processes, 10);
	CHECK_INT(stats(t).evictions, 990);
	CHECK_STR(path_at(t, 1000, 0), "/x");
	CHECK_STR(path_at(t, 990, 0), "(unknown)");
	CHECK_INT(fd_table__check(t), 0);
	fd_table__free(t);
}

static struct fd_sock v4(const char *l, uint16_t lport, const char *r, uint16_t rport)
{
	struct fd_sock s = { .family = AF_INET, .type = SOCK_STREAM, .protocol = IPPROTO_TCP };

	inet_pton(AF_INET, l, s.laddr);
	inet_pton(AF_INET, r, s.raddr);
	s.lport = lport;
	s.rport = rport;
	return s;
}

UNIT_TEST(update_sock)
{
	struct fd_table *t = fd_table__new(16);
	struct fd_sock s = v4("10.0.0.1", 443, "10.0.0.2", 5555), only = { 0 };
	const struct fd_info *got;

	/* unknown fd: created as a socket with only what was given */
	CHECK_INT(fd_table__update_sock(t, 1, 3, &s, NULL, FD_SOCK_REMOTE), 0);
	got = fd_table__get(t, 1, 3);
	CHECK(got && got->kind == FD_KIND_SOCKET && !got->cloexec);
	CHECK(got && got->sock.family == AF_INET && got->sock.rport == 5555 &&
	      got->sock.lport == 0 && memcmp(got->sock.raddr, s.raddr, 4) == 0);
	/* then the local side; zero identity fields leave what is known */
	only.lport = 443;
	memcpy(only.laddr, s.laddr, 4);
	CHECK_INT(fd_table__update_sock(t, 1, 3, &only, NULL, FD_SOCK_LOCAL), 0);
	got = fd_table__get(t, 1, 3);
	CHECK(got && got->sock.lport == 443 && got->sock.rport == 5555);
	CHECK(got && got->sock.family == AF_INET && got->sock.protocol == IPPROTO_TCP);

	/* an fd known as a file is a socket now; cloexec of the file does not carry over */
	set_file(t, 1, 4, "/was/a/file", true);
	CHECK_INT(fd_table__update_sock(t, 1, 4, &s, NULL, FD_SOCK_LOCAL | FD_SOCK_REMOTE), 0);
	got = fd_table__get(t, 1, 4);
	CHECK(got && got->kind == FD_KIND_SOCKET && !got->cloexec && got->path == NULL);

	/* a unix path, replaced, then cleared */
	s = (struct fd_sock){ .family = AF_UNIX, .type = SOCK_STREAM };
	CHECK_INT(fd_table__update_sock(t, 1, 5, &s, "/run/a.sock", FD_SOCK_PATH), 0);
	CHECK_STR(path_at(t, 1, 5), "/run/a.sock");
	CHECK_INT(fd_table__update_sock(t, 1, 5, &only, "/run/b.sock", FD_SOCK_PATH), 0);
	CHECK_STR(path_at(t, 1, 5), "/run/b.sock");
	CHECK_INT(fd_table__update_sock(t, 1, 5, &only, "/ignored", 0), 0);
	CHECK_STR(path_at(t, 1, 5), "/run/b.sock");
	CHECK_INT(fd_table__update_sock(t, 1, 5, &only, NULL, FD_SOCK_PATH), 0);
	CHECK_STR(path_at(t, 1, 5), "(none)");
	CHECK(fd_table__get(t, 1, 5)->sock.family == AF_UNIX);
	CHECK_INT(fd_table__update_sock(t, 1, -2, &only, NULL, 0), -EINVAL);
	CHECK_INT(stats(t).path_bytes, 0);
	CHECK_INT(fd_table__check(t), 0);
	fd_table__free(t);
}

static const char *fmt(const struct fd_info *fi)
{
	static char buf[256];
	int n = fd_info__format(fi, buf, sizeof(buf));

	CHECK_INT(n, strlen(buf));
	return buf;
}

static const char *fmt_sock(struct fd_sock s, const char *path)
{
	struct fd_info fi = { .kind = FD_KIND_SOCKET, .sock = s, .path = path };

	return fmt(&fi);
}

UNIT_TEST(format_files_and_kinds)
{
	struct fd_info fi = file_info("/etc/passwd", false);

	CHECK_STR(fmt(&fi), "/etc/passwd");
	fi = (struct fd_info){ .kind = FD_KIND_DIR, .path = "/" };
	CHECK_STR(fmt(&fi), "/");
	fi = (struct fd_info){ .kind = FD_KIND_PIPE, .path = "pipe:[123]" };
	CHECK_STR(fmt(&fi), "pipe:[123]");
	fi = (struct fd_info){ .kind = FD_KIND_MEMFD, .path = "memfd:jit" };
	CHECK_STR(fmt(&fi), "memfd:jit");
	fi = (struct fd_info){ .kind = FD_KIND_ANON, .path = "anon_inode:[eventfd]" };
	CHECK_STR(fmt(&fi), "anon_inode:[eventfd]");
	fi = (struct fd_info){ .kind = FD_KIND_OTHER, .path = "net:[4026531840]" };
	CHECK_STR(fmt(&fi), "net:[4026531840]");
	fi = (struct fd_info){ .kind = FD_KIND_UNKNOWN };
	CHECK_STR(fmt(&fi), "unknown");
	fi = (struct fd_info){ .kind = FD_KIND_PIPE };
	CHECK_STR(fmt(&fi), "pipe");
	fi = (struct fd_info){ .kind = (enum fd_kind)99 };
	CHECK_STR(fmt(&fi), "unknown");
	fi = file_info("/a\xff\"b", false); /* bytes as stored: escaping is the output's */
	CHECK_STR(fmt(&fi), "/a\xff\"b");
}

UNIT_TEST(format_sockets)
{
	struct fd_sock s = v4("10.0.0.1", 443, "10.0.0.2", 5555);

	CHECK_STR(fmt_sock(s, NULL), "tcp 10.0.0.1:443->10.0.0.2:5555");
	s = v4("127.0.0.1", 8080, "0.0.0.0", 0);
	CHECK_STR(fmt_sock(s, NULL), "tcp 127.0.0.1:8080"); /* no peer */
	s = v4("0.0.0.0", 0, "0.0.0.0", 0);
	CHECK_STR(fmt_sock(s, NULL), "tcp"); /* nothing known yet */
	s = v4("0.0.0.0", 0, "1.2.3.4", 53);
	s.type = SOCK_DGRAM, s.protocol = IPPROTO_UDP;
	CHECK_STR(fmt_sock(s, NULL), "udp 0.0.0.0:0->1.2.3.4:53");
	s.protocol = 0; /* the type's default */
	CHECK_STR(fmt_sock(s, NULL), "udp 0.0.0.0:0->1.2.3.4:53");
	s.type = SOCK_RAW, s.protocol = IPPROTO_ICMP;
	CHECK_STR(fmt_sock(s, NULL), "raw 0.0.0.0:0->1.2.3.4:53");
	s = v4("192.168.1.1", 1, "0.0.0.0", 0);
	s.raddr[5] = 0xff; /* beyond an IPv4 address: not part of it */
	CHECK_STR(fmt_sock(s, NULL), "tcp 192.168.1.1:1");

	s = (struct fd_sock){ .family = AF_INET6, .type = SOCK_STREAM, .protocol = IPPROTO_TCP,
			      .lport = 443, .rport = 5555 };
	inet_pton(AF_INET6, "::1", s.laddr);
	inet_pton(AF_INET6, "2001:db8::1", s.raddr);
	CHECK_STR(fmt_sock(s, NULL), "tcp [::1]:443->[2001:db8::1]:5555");
	memset(s.raddr, 0, 16);
	s.rport = 0;
	inet_pton(AF_INET6, "::ffff:10.1.2.3", s.laddr);
	CHECK_STR(fmt_sock(s, NULL), "tcp [::ffff:10.1.2.3]:443");

	s = (struct fd_sock){ .family = AF_UNIX, .type = SOCK_STREAM, .inode = 5 };
	CHECK_STR(fmt_sock(s, "/run/docker.sock"), "unix:/run/docker.sock");
	CHECK_STR(fmt_sock(s, "@abstract name"), "unix:@abstract name");
	CHECK_STR(fmt_sock(s, NULL), "unix");
	CHECK_STR(fmt_sock(s, ""), "unix");
	s = (struct fd_sock){ .family = AF_NETLINK, .protocol = 0 };
	CHECK_STR(fmt_sock(s, NULL), "netlink:route");
	s.protocol = 9;
	CHECK_STR(fmt_sock(s, NULL), "netlink:audit");
	s.protocol = 17;
	CHECK_STR(fmt_sock(s, NULL), "netlink:17");
	s.protocol = 0xffff;
	CHECK_STR(fmt_sock(s, NULL), "netlink:65535");
	s = (struct fd_sock){ .family = AF_PACKET, .protocol = 3 };
	CHECK_STR(fmt_sock(s, NULL), "packet:0x0003");
	s = (struct fd_sock){ .inode = 12345 }; /* a /proc socket no table listed */
	CHECK_STR(fmt_sock(s, NULL), "socket:[12345]");
	s = (struct fd_sock){ .family = AF_VSOCK };
	CHECK_STR(fmt_sock(s, NULL), "socket");
}

UNIT_TEST(format_bounds)
{
	struct fd_info fi = file_info("/abcdef", false);
	char buf[8];

	CHECK_INT(fd_info__format(&fi, buf, 8), 7); /* 7 and the NUL fit */
	CHECK_STR(buf, "/abcdef");
	fi.path = "/abcdefg"; /* one more does not: cut, terminated */
	CHECK_INT(fd_info__format(&fi, buf, 8), -ENOSPC);
	CHECK_STR(buf, "/abcdef");
	CHECK_INT(fd_info__format(&fi, buf, 0), -EINVAL);
	CHECK_INT(fd_info__format(NULL, buf, 8), -EINVAL);
	CHECK_INT(fd_info__format(&fi, buf, 1), -ENOSPC);
	CHECK_STR(buf, "");
}

/* Entries, shared paths and records of many processes at free: LeakSanitizer sees leaks. */
UNIT_TEST(free_with_entries)
{
	struct fd_table *t = fd_table__new(100);
	char path[32];

	for (uint32_t tgid = 1; tgid < 40; tgid++) {
		snprintf(path, sizeof(path), "/p/%u", tgid);
		set_file(t, tgid, 0, path, false);
		fd_table__dup(t, tgid, 0, 1, true);
		fd_table__fork(t, tgid, tgid + 1000);
	}
	CHECK_INT(stats(t).entries, 100);
	CHECK_INT(fd_table__check(t), 0);
	fd_table__free(t);
}

int main(void)
{
	return unit_run();
}
