// SPDX-License-Identifier: Apache-2.0
/*
 * Seeding the fd table from /proc: a fake proc root built in a temporary directory (fd
 * symlinks made with symlink(2), fdinfo files, net tables for two network namespaces, a
 * process that vanished), then the real /proc for this test process, with a file, TCP
 * listening and connected sockets, a unix socket, a pipe, a memfd, an eventfd and a directory
 * opened for the purpose.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define UNIT_MAIN
#include "unit.h"

#include "fd_table.h"

static char root[64], procdir[96];

static struct fd_table_stats stats(struct fd_table *t)
{
	struct fd_table_stats st;

	fd_table__stats(t, &st);
	return st;
}

static void mkdirf(const char *fmt, const char *a, const char *b)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), fmt, procdir, a, b);
	if (mkdir(path, 0755) && errno != EEXIST)
		abort();
}

/* procdir/<pid>/<sub>/<name> holding text; pid "" for procdir/<sub>/<name> */
static void put(const char *pid, const char *sub, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	mkdirf("%s/%s%s", pid, "");
	snprintf(path, sizeof(path), "%s/%s%s%s", procdir, pid, pid[0] ? "/" : "", sub);
	if (mkdir(path, 0755) && errno != EEXIST)
		abort();
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s", name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0)
		abort();
	fclose(f);
}

static void put_link(const char *pid, const char *sub, const char *name, const char *target)
{
	char path[PATH_MAX];

	mkdirf("%s/%s%s", pid, "");
	mkdirf("%s/%s/%s", pid, sub);
	snprintf(path, sizeof(path), "%s/%s/%s/%s", procdir, pid, sub, name);
	if (symlink(target, path))
		abort();
}

static void put_fd(const char *pid, const char *fd, const char *target, const char *fdinfo)
{
	put_link(pid, "fd", fd, target);
	if (fdinfo)
		put(pid, "fdinfo", fd, fdinfo);
}

static void rm_rf(const char *path)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		printf("  could not remove %s\n", path);
}

/* An address as the kernel prints it in /proc/net: native 32-bit words, %08X each. */
static const char *hexaddr(int family, const char *text)
{
	static char out[2][40];
	static int which;
	uint8_t a[16] = { 0 };
	char *o = out[which++ % 2];
	uint32_t w;

	inet_pton(family, text, a);
	for (int i = 0; i < (family == AF_INET6 ? 4 : 1); i++) {
		memcpy(&w, a + 4 * i, 4);
		sprintf(o + 8 * i, "%08X", w);
	}
	return o;
}

struct inet_line {
	const char *laddr, *lport, *raddr, *rport, *st, *inode; /* ports and st in hex */
};

/* A /proc/net/tcp-style table: header, the lines, and one malformed line. */
static void put_inet(const char *pid, const char *name, int family, const struct inet_line *l,
		     int n)
{
	char buf[4096];
	int len = snprintf(buf, sizeof(buf), "  sl  local_address rem_address   st tx_queue "
					     "rx_queue tr tm->when retrnsmt   uid  timeout inode\n");

	for (int i = 0; i < n; i++)
		len += snprintf(buf + len, sizeof(buf) - len,
				"%4d: %s:%s %s:%s %s 00000000:00000000 00:00000000 00000000 0 0 "
				"%s 1 0000000000000000 100 0 0 10 0\n",
				i, hexaddr(family, l[i].laddr), l[i].lport,
				hexaddr(family, l[i].raddr), l[i].rport, l[i].st, l[i].inode);
	snprintf(buf + len, sizeof(buf) - len, "garbage\n");
	put(pid, "net", name, buf);
}

static const char cloexec_info[] = "pos:\t0\nflags:\t02100002\nmnt_id:\t25\nino:\t7\n";

static void build_net(void)
{
	static const struct inet_line tcp[] = {
		{ "127.0.0.1", "0016", "0.0.0.0", "0000", "0A", "1001" },
		{ "10.0.0.1", "01BB", "10.0.0.2", "15B3", "01", "1002" },
		{ "10.0.0.1", "01BC", "10.0.0.2", "15B4", "06", "0" }, /* time-wait */
	};
	static const struct inet_line tcp6[] = {
		{ "::1", "01BB", "2001:db8::1", "15B3", "01", "1003" },
	};
	static const struct inet_line raw[] = {
		{ "0.0.0.0", "0001", "0.0.0.0", "0000", "07", "1005" },
	};
	static const struct inet_line tcp400[] = {
		{ "10.9.9.9", "1F90", "0.0.0.0", "0000", "0A", "5001" },
	};

	put_inet("", "tcp", AF_INET, tcp, 3);
	put_inet("", "tcp6", AF_INET6, tcp6, 1);
	put_inet("", "raw", AF_INET, raw, 1);
	put("", "net", "unix",
	    "Num       RefCount Protocol Flags    Type St Inode Path\n"
	    "0000000000000000: 00000002 00000000 00010000 0001 01  2001 /run/test.sock\n"
	    "0000000000000000: 00000003 00000000 00000000 0001 03  2002\n"
	    "0000000000000000: 00000002 00000000 00000000 0002 01  2003 @abs name\n"
	    "zzz\n");
	put("", "net", "netlink",
	    "sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    "
	    "Inode\n0000000000000000 9   0          00000000 0        0        0        2        "
	    "0        3001\n");
	put("", "net", "packet",
	    "sk       RefCnt Type Proto  Iface R Rmem   User   Inode\n"
	    "0000000000000000 3      3    0003   2     1 0      0      4001\n");
	put_inet("400", "tcp", AF_INET, tcp400, 1);
}

/* fd number, link target, fdinfo (NULL: none) */
static const char *const fds100[][3] = {
	{ "0", "/dev/null", "pos:\t0\nflags:\t0100002\nmnt_id:\t25\n" },
	{ "1", "pipe:[555]", NULL },
	{ "3", "/etc/passwd", cloexec_info },
	{ "4", "/", NULL },
	{ "5", "socket:[1001]", cloexec_info },
	{ "6", "socket:[1002]", NULL },
	{ "7", "socket:[1003]", NULL },
	{ "8", "socket:[2001]", NULL },
	{ "9", "socket:[2003]", NULL },
	{ "10", "socket:[99999]", NULL },
	{ "11", "/memfd:jit (deleted)", NULL },
	{ "12", "anon_inode:[eventfd]", NULL },
	{ "13", "net:[4026531840]", NULL },
	{ "14", "socket:[1005]", NULL },
	{ "15", "socket:[3001]", NULL },
	{ "16", "socket:[4001]", NULL },
	{ "17", "socket:[2002]", NULL },
	{ "18", "/tmp/a file (deleted)", NULL },
	{ "19", "socket:[12x]", NULL },
	{ "20", "/x", "flags:\t02000000\n" },
	{ "21", "/y", "nothing to see\n" },
	{ "abc", "/not/an/fd", NULL },
};

/*
 * proc/net: tcp 1001 listen 127.0.0.1:22, 1002 10.0.0.1:443->10.0.0.2:5555; tcp6 1003; raw
 *           1005 (ICMP); unix 2001 /run/test.sock listening, 2002 unnamed, 2003 abstract;
 *           netlink 3001 (audit); packet 4001; a malformed line in tcp, tcp6, raw and unix
 * 100: every kind of fd (fds100, 21 fds), network namespace net:[1]
 * 200: two files, no sockets
 * 300: no fd directory: vanished
 * 400: network namespace net:[2] with its own net/tcp: 5001 resolves there, 1001 does not
 * self, sys, 12abc: not processes
 */
static void build_root(void)
{
	char path[PATH_MAX];

	snprintf(root, sizeof(root), "/tmp/vigil-fdseed-XXXXXX");
	if (!mkdtemp(root))
		abort();
	snprintf(procdir, sizeof(procdir), "%s/proc", root);
	if (mkdir(procdir, 0755))
		abort();
	build_net();
	for (size_t i = 0; i < sizeof(fds100) / sizeof(fds100[0]); i++)
		put_fd("100", fds100[i][0], fds100[i][1], fds100[i][2]);
	put_link("100", "ns", "net", "net:[1]");
	put_fd("200", "0", "/dev/null", NULL);
	put_fd("200", "1", "/var/log/two", cloexec_info);
	mkdirf("%s/%s%s", "300", "");
	put("300", "fdinfo", "0", cloexec_info);
	put_fd("400", "0", "socket:[5001]", NULL);
	put_fd("400", "1", "socket:[1001]", NULL);
	put_link("400", "ns", "net", "net:[2]");
	mkdirf("%s/%s%s", "sys", "");
	mkdirf("%s/%s%s", "12abc", "");
	put_fd("12abc", "0", "/nope", NULL);
	snprintf(path, sizeof(path), "%s/self", procdir);
	if (symlink("100", path))
		abort();
}

/* (tgid, fd) is known, of this kind and cloexec, and formats as `text`. */
static const struct fd_info *expect(struct fd_table *t, uint32_t tgid, int32_t fd,
				    enum fd_kind kind, bool cloexec, const char *text)
{
	const struct fd_info *fi = fd_table__get(t, tgid, fd);
	char buf[256] = "(unknown fd)";

	if (fi)
		fd_info__format(fi, buf, sizeof(buf));
	if (!fi || fi->kind != kind || fi->cloexec != cloexec || strcmp(buf, text) != 0) {
		printf("  %u/%d: kind %d cloexec %d \"%s\"; wanted kind %d cloexec %d \"%s\"\n",
		       tgid, fd, fi ? (int)fi->kind : -1, fi ? fi->cloexec : -1, buf, kind,
		       cloexec, text);
		unit_case_failed = 1;
	}
	return fi;
}

static void set_file(struct fd_table *t, uint32_t tgid, int32_t fd, const char *path)
{
	struct fd_info fi = { .kind = FD_KIND_FILE, .path = path };

	CHECK_INT(fd_table__set(t, tgid, fd, &fi), 0);
}

static void expect_fds100(struct fd_table *t)
{
	const struct fd_info *fi;

	expect(t, 100, 0, FD_KIND_FILE, false, "/dev/null");
	expect(t, 100, 1, FD_KIND_PIPE, false, "pipe:[555]");
	expect(t, 100, 3, FD_KIND_FILE, true, "/etc/passwd");
	expect(t, 100, 4, FD_KIND_DIR, false, "/");
	fi = expect(t, 100, 5, FD_KIND_SOCKET, true, "tcp 127.0.0.1:22");
	CHECK(fi && fi->sock.listening && fi->sock.inode == 1001 && fi->sock.type == SOCK_STREAM);
	CHECK(fi && fi->sock.protocol == IPPROTO_TCP && fi->path == NULL);
	fi = expect(t, 100, 6, FD_KIND_SOCKET, false, "tcp 10.0.0.1:443->10.0.0.2:5555");
	CHECK(fi && !fi->sock.listening && fi->sock.inode == 1002);
	expect(t, 100, 7, FD_KIND_SOCKET, false, "tcp [::1]:443->[2001:db8::1]:5555");
	fi = expect(t, 100, 8, FD_KIND_SOCKET, false, "unix:/run/test.sock");
	CHECK(fi && fi->sock.family == AF_UNIX && fi->sock.listening && fi->sock.inode == 2001);
	expect(t, 100, 9, FD_KIND_SOCKET, false, "unix:@abs name");
	fi = expect(t, 100, 10, FD_KIND_SOCKET, false, "socket:[99999]");
	CHECK(fi && fi->sock.family == 0 && fi->sock.inode == 99999);
	expect(t, 100, 11, FD_KIND_MEMFD, false, "memfd:jit");
	expect(t, 100, 12, FD_KIND_ANON, false, "anon_inode:[eventfd]");
	expect(t, 100, 13, FD_KIND_OTHER, false, "net:[4026531840]");
	fi = expect(t, 100, 14, FD_KIND_SOCKET, false, "raw");
	CHECK(fi && fi->sock.type == SOCK_RAW && fi->sock.protocol == IPPROTO_ICMP);
	expect(t, 100, 15, FD_KIND_SOCKET, false, "netlink:audit");
	expect(t, 100, 16, FD_KIND_SOCKET, false, "packet:0x0003");
	fi = expect(t, 100, 17, FD_KIND_SOCKET, false, "unix");
	CHECK(fi && fi->sock.inode == 2002 && fi->path == NULL);
	expect(t, 100, 18, FD_KIND_FILE, false, "/tmp/a file (deleted)");
	expect(t, 100, 19, FD_KIND_OTHER, false, "socket:[12x]");
	expect(t, 100, 20, FD_KIND_FILE, true, "/x");
	expect(t, 100, 21, FD_KIND_FILE, false, "/y");
	CHECK(fd_table__get(t, 100, 2) == NULL);
}

UNIT_TEST(seed_proc_fake_root)
{
	struct fd_table *t = fd_table__new(64);
	struct fd_table_stats st;

	build_root();
	set_file(t, 100, 50, "/opened/since"); /* seeding leaves fds it does not list alone */
	set_file(t, 100, 3, "/replaced");
	CHECK_INT(fd_table__seed_proc(t, procdir, 100), 21);
	expect_fds100(t);
	expect(t, 100, 50, FD_KIND_FILE, false, "/opened/since");
	st = stats(t);
	CHECK_INT(st.entries, 22);
	CHECK_INT(st.seeded, 21);
	CHECK_INT(st.seed_procs, 1);
	CHECK_INT(st.seed_vanished, 0);
	CHECK_INT(st.seed_unresolved, 1);
	CHECK_INT(st.net_loads, 1);
	CHECK_INT(st.net_malformed, 4);
	CHECK_INT(st.net_dropped, 0);
	CHECK_INT(fd_table__check(t), 0);
	fd_table__free(t);
	rm_rf(root);
}

UNIT_TEST(seed_all_fake_root)
{
	struct fd_table *t = fd_table__new(64);
	const struct fd_info *fi;
	struct fd_table_stats st;

	build_root();
	CHECK_INT(fd_table__seed_all(t, procdir), 3);
	expect_fds100(t);
	expect(t, 200, 0, FD_KIND_FILE, false, "/dev/null");
	expect(t, 200, 1, FD_KIND_FILE, true, "/var/log/two");
	/* 400 is in another network namespace: its tables, not proc/net */
	fi = expect(t, 400, 0, FD_KIND_SOCKET, false, "tcp 10.9.9.9:8080");
	CHECK(fi && fi->sock.listening);
	expect(t, 400, 1, FD_KIND_SOCKET, false, "socket:[1001]");
	CHECK(fd_table__get(t, 12, 0) == NULL);
	st = stats(t);
	CHECK_INT(st.entries, 25);
	CHECK_INT(st.processes, 3);
	CHECK_INT(st.seeded, 25);
	CHECK_INT(st.seed_procs, 3);
	CHECK_INT(st.seed_vanished, 1); /* 300 */
	CHECK_INT(st.seed_unresolved, 2);
	CHECK_INT(st.net_loads, 2); /* once per namespace, whatever the listing order */
	CHECK_INT(st.net_malformed, 4 + 1);
	CHECK_INT(fd_table__check(t), 0);
	fd_table__free(t);
	rm_rf(root);
}

UNIT_TEST(seed_vanished_and_missing)
{
	struct fd_table *t = fd_table__new(64);

	build_root();
	CHECK_INT(fd_table__seed_proc(t, procdir, 300), -ENOENT);
	CHECK_INT(fd_table__seed_proc(t, procdir, 999), -ENOENT);
	CHECK_INT(stats(t).seed_vanished, 2);
	CHECK_INT(stats(t).seed_procs, 0);
	CHECK_INT(fd_table__seed_all(t, "/nonexistent/vigil/proc"), -ENOENT);
	CHECK_INT(stats(t).entries, 0);
	fd_table__free(t);
	rm_rf(root);
}

UNIT_TEST(seed_more_than_capacity)
{
	struct fd_table *t = fd_table__new(8);

	build_root();
	CHECK_INT(fd_table__seed_all(t, procdir), 3);
	CHECK_INT(stats(t).entries, 8);
	CHECK_INT(stats(t).seeded, 25);
	CHECK_INT(stats(t).evictions, 25 - 8);
	CHECK_INT(fd_table__check(t), 0);
	fd_table__free(t);
	rm_rf(root);
}

/* ---- the real /proc ---- */

struct real_fds {
	int file, dir, lsn, cli, srv, un, pipe[2], memfd, efd;
	uint16_t port, cport;
	char file_path[64], un_path[108];
};

static int tcp_listener(struct real_fds *r)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	r->lsn = socket(AF_INET, SOCK_STREAM, 0);
	if (r->lsn < 0 || bind(r->lsn, (struct sockaddr *)&a, sizeof(a)) || listen(r->lsn, 4) ||
	    getsockname(r->lsn, (struct sockaddr *)&a, &len))
		return -1;
	r->port = ntohs(a.sin_port);
	r->cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (r->cli < 0 || connect(r->cli, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	r->srv = accept(r->lsn, NULL, NULL);
	len = sizeof(a);
	if (r->srv < 0 || getsockname(r->cli, (struct sockaddr *)&a, &len))
		return -1;
	r->cport = ntohs(a.sin_port);
	return 0;
}

static int unix_listener(struct real_fds *r)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	snprintf(r->un_path, sizeof(r->un_path), "%s.sock", r->file_path);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", r->un_path);
	r->un = socket(AF_UNIX, SOCK_STREAM, 0);
	if (r->un < 0 || bind(r->un, (struct sockaddr *)&a, sizeof(a)) || listen(r->un, 1))
		return -1;
	return 0;
}

static int open_real(struct real_fds *r)
{
	snprintf(r->file_path, sizeof(r->file_path), "/tmp/vigil-fdseed-file-XXXXXX");
	r->file = mkostemp(r->file_path, O_CLOEXEC);
	r->dir = open("/", O_RDONLY | O_DIRECTORY);
	r->memfd = memfd_create("vigil-test", 0);
	r->efd = eventfd(0, EFD_CLOEXEC);
	if (r->file < 0 || r->dir < 0 || r->memfd < 0 || r->efd < 0 || pipe2(r->pipe, O_CLOEXEC))
		return -1;
	return tcp_listener(r) ?: unix_listener(r);
}

static void close_real(struct real_fds *r)
{
	int fds[] = { r->file, r->dir, r->lsn, r->cli, r->srv, r->un, r->pipe[0], r->pipe[1],
		      r->memfd, r->efd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] > 0)
			close(fds[i]);
	unlink(r->file_path);
	unlink(r->un_path);
}

static uint64_t ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

static void expect_real(struct fd_table *t, const struct real_fds *r)
{
	uint32_t me = (uint32_t)getpid();
	const struct fd_info *fi;
	char want[128], real[PATH_MAX];

	expect(t, me, r->file, FD_KIND_FILE, true, realpath(r->file_path, real) ?: "?");
	expect(t, me, r->dir, FD_KIND_DIR, false, "/");
	snprintf(want, sizeof(want), "tcp 127.0.0.1:%u", r->port);
	fi = expect(t, me, r->lsn, FD_KIND_SOCKET, false, want);
	CHECK(fi && fi->sock.family == AF_INET && fi->sock.type == SOCK_STREAM);
	CHECK(fi && fi->sock.protocol == IPPROTO_TCP && fi->sock.listening);
	CHECK(fi && fi->sock.inode == ino(r->lsn) && fi->sock.lport == r->port);
	CHECK(fi && fi->sock.laddr[0] == 127 && fi->sock.laddr[3] == 1);
	snprintf(want, sizeof(want), "tcp 127.0.0.1:%u->127.0.0.1:%u", r->cport, r->port);
	fi = expect(t, me, r->cli, FD_KIND_SOCKET, true, want);
	CHECK(fi && !fi->sock.listening && fi->sock.inode == ino(r->cli));
	snprintf(want, sizeof(want), "tcp 127.0.0.1:%u->127.0.0.1:%u", r->port, r->cport);
	expect(t, me, r->srv, FD_KIND_SOCKET, false, want);
	snprintf(want, sizeof(want), "unix:%s", r->un_path);
	fi = expect(t, me, r->un, FD_KIND_SOCKET, false, want);
	CHECK(fi && fi->sock.listening && fi->sock.inode == ino(r->un));
	snprintf(want, sizeof(want), "pipe:[%llu]", (unsigned long long)ino(r->pipe[0]));
	expect(t, me, r->pipe[0], FD_KIND_PIPE, true, want);
	expect(t, me, r->pipe[1], FD_KIND_PIPE, true, want);
	expect(t, me, r->memfd, FD_KIND_MEMFD, false, "memfd:vigil-test");
	expect(t, me, r->efd, FD_KIND_ANON, true, "anon_inode:[eventfd]");
}

UNIT_TEST(seed_real_proc_self)
{
	struct fd_table *t = fd_table__new(1 << 16);
	struct real_fds r = { 0 };
	int n;

	if (open_real(&r)) {
		printf("  could not open the test's fds: %s\n", strerror(errno));
		unit_case_failed = 1;
		goto out;
	}
	n = fd_table__seed_proc(t, "/proc", (uint32_t)getpid());
	CHECK(n >= 12);
	expect_real(t, &r);
	CHECK_INT(stats(t).net_malformed, 0); /* every line of this kernel's tables parsed */
	CHECK_INT(stats(t).net_loads, 1);

	/* and once more among every process */
	fd_table__free(t);
	t = fd_table__new(1 << 16);
	CHECK(fd_table__seed_all(t, "/proc") >= 1);
	expect_real(t, &r);
	CHECK_INT(stats(t).net_malformed, 0);
	CHECK_INT(fd_table__check(t), 0);
out:
	close_real(&r);
	fd_table__free(t);
}

int main(void)
{
	return unit_run();
}
