// SPDX-License-Identifier: Apache-2.0
/*
 * procfs_parse_stat() on stat lines laid out as the kernel writes them (52 fields), and
 * procfs_seed() against a fake proc root built in a temporary directory, then once against the
 * real /proc. Every field of a seeded entry is asserted.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define UNIT_MAIN
#include "unit.h"

#include "vigil/events.h"
#include "procfs.h"

#define PF_KTHREAD 0x00200000u
#define PF_USER	   0x00400100u /* PF_RANDOMIZE | PF_FORKNOEXEC, as a shell child shows */

/*
 * A stat line as fs/proc/array.c writes it: pid (comm) state, then 49 more fields, fields 5..
 * given distinct values so a parser that counts wrong picks up the wrong one.
 */
static void stat_line(char *out, size_t outsz, unsigned pid, const char *comm, unsigned ppid,
		      unsigned flags, unsigned long long start)
{
	int n = snprintf(out, outsz,
			 "%u (%s) S %u %u %u 34816 -1 %u 1201 1202 1203 1204 1205 1206 1207 1208 "
			 "20 0 1 0 %llu 12345678 901",
			 pid, comm, ppid, pid + 1, pid + 2, flags, start);

	/* rsslim .. exit_code: fields 25..52 */
	for (int f = 25; f <= 52; f++)
		n += snprintf(out + n, outsz - n, " %d", f == 25 ? 0 : 1000 + f);
	snprintf(out + n, outsz - n, "\n");
}

static int nfields_after_comm(const char *line)
{
	int n = 0;

	for (const char *p = strrchr(line, ')') + 1; *p; p++)
		n += *p == ' ';
	return n;
}

UNIT_TEST(stat_line_has_52_fields)
{
	char line[1024];

	stat_line(line, sizeof(line), 1234, "bash", 1, PF_USER, 777);
	CHECK_INT(nfields_after_comm(line), 50); /* 52 less pid and comm */
}

UNIT_TEST(parse_stat_normal)
{
	char line[1024], comm[16];
	uint32_t ppid = 0, flags = 0, tty = 0;
	uint64_t start = 0;

	stat_line(line, sizeof(line), 1234, "bash", 987, PF_USER, 123456789ull);
	CHECK_INT(procfs_parse_stat(line, comm, sizeof(comm), &ppid, &start, &flags, &tty), 0);
	CHECK_STR(comm, "bash");
	CHECK_INT(ppid, 987);
	CHECK_INT(tty, 34816); /* field 7, tty_nr: /dev/pts/0 */
	CHECK_INT(flags, PF_USER);
	CHECK_INT(start, 123456789ull);

	/* the largest values the fields can hold */
	stat_line(line, sizeof(line), 4194304, "x", 4194303, 0xffffffffu, 18446744073709551615ull);
	CHECK_INT(procfs_parse_stat(line, comm, sizeof(comm), &ppid, &start, &flags, &tty), 0);
	CHECK_INT(ppid, 4194303);
	CHECK_INT(flags, 0xffffffffu);
	CHECK(start == 18446744073709551615ull);
}

static void expect_comm(const char *c_in, const char *c_out)
{
	char line[1024], comm[16] = "unset";
	uint32_t ppid = 0, flags = 0, tty = 0;
	uint64_t start = 0;

	stat_line(line, sizeof(line), 1234, c_in, 77, PF_USER, 555);
	CHECK_INT(procfs_parse_stat(line, comm, sizeof(comm), &ppid, &start, &flags, &tty), 0);
	CHECK_STR(comm, c_out);
	CHECK_INT(ppid, 77);
	CHECK_INT(flags, PF_USER);
	CHECK_INT(start, 555);
}

UNIT_TEST(parse_stat_odd_comm)
{
	expect_comm("a) b) (c", "a) b) (c");
	expect_comm("a b", "a b");
	expect_comm(")", ")");
	expect_comm("(", "(");
	expect_comm("", "");
	expect_comm(") S 9 9 9 9", ") S 9 9 9 9"); /* looks like fields */
	expect_comm("a\nb\t\xff", "a\nb\t\xff");
	expect_comm("((()))", "((()))");
}

UNIT_TEST(parse_stat_comm_longer_than_buffer)
{
	char line[1024], comm[8];
	uint32_t ppid = 0, flags = 0, tty = 0;
	uint64_t start = 0;

	memset(comm, 'Z', sizeof(comm));
	stat_line(line, sizeof(line), 3, "kworker/0:0H-events_highpri", 2, PF_KTHREAD, 4);
	CHECK_INT(procfs_parse_stat(line, comm, sizeof(comm), &ppid, &start, &flags, &tty), 0);
	CHECK_STR(comm, "kworker");
	CHECK_INT(ppid, 2);
	CHECK_INT(start, 4);
	stat_line(line, sizeof(line), 3, "1234567", 2, 0, 4); /* exactly fits */
	CHECK_INT(procfs_parse_stat(line, comm, sizeof(comm), &ppid, &start, &flags, &tty), 0);
	CHECK_STR(comm, "1234567");
	stat_line(line, sizeof(line), 3, "12345678", 2, 0, 4); /* one too many */
	CHECK_INT(procfs_parse_stat(line, comm, sizeof(comm), &ppid, &start, &flags, &tty), 0);
	CHECK_STR(comm, "1234567");
}

UNIT_TEST(parse_stat_kthread_flags)
{
	char comm[16];
	uint32_t ppid = 1, flags = 0, tty = 0;
	uint64_t start = 1;

	/* kthreadd, as on a 6.x kernel */
	CHECK_INT(procfs_parse_stat("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 0 "
				    "0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 "
				    "1 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
				    comm, sizeof(comm), &ppid, &start, &flags, &tty),
		  0);
	CHECK_STR(comm, "kthreadd");
	CHECK_INT(ppid, 0);
	CHECK_INT(start, 0);
	CHECK_INT(flags, 2129984);
	CHECK_INT(flags & PF_KTHREAD, PF_KTHREAD);
}

/* Every prefix that ends before starttime is complete is -EINVAL; every longer one parses. */
UNIT_TEST(parse_stat_truncated)
{
	char line[1024], cut[1024], comm[16];
	uint32_t ppid, flags, tty;
	uint64_t start;
	const char *p;
	size_t len, complete;
	int f;

	stat_line(line, sizeof(line), 1234, "a) b", 987, PF_USER, 123456789ull);
	/* starttime is field 22, the 20th after ")"; it is complete at the space after it */
	for (p = strrchr(line, ')') + 1, f = 2; f <= 22; p++)
		f += *p == ' ';
	complete = p - line - 1;
	CHECK(strncmp(line + complete - 10, " 123456789 ", 11) == 0);
	len = strlen(line);
	for (size_t n = 0; n <= len; n++) {
		int rc;

		memcpy(cut, line, n);
		cut[n] = 0;
		ppid = flags = 0, start = 0;
		rc = procfs_parse_stat(cut, comm, sizeof(comm), &ppid, &start, &flags, &tty);
		if (n <= complete) {
			if (rc != -EINVAL)
				printf("  prefix of %zu bytes: \"%s\" gave %d\n", n, cut, rc);
			CHECK_INT(rc, -EINVAL);
		} else {
			CHECK_INT(rc, 0);
			CHECK_INT(start, 123456789ull);
			CHECK_INT(ppid, 987);
		}
	}
	CHECK_INT(procfs_parse_stat("", comm, sizeof(comm), &ppid, &start, &flags, &tty), -EINVAL);
	CHECK_INT(procfs_parse_stat("1 bash S 1", comm, sizeof(comm), &ppid, &start, &flags, &tty),
		  -EINVAL);
	CHECK_INT(procfs_parse_stat("1 )bash( S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 "
				    "21 22 23 24",
				    comm, sizeof(comm), &ppid, &start, &flags, &tty),
		  -EINVAL);
}

/* ---- procfs_seed against a fake proc root ---- */

static char root[64], procdir[PATH_MAX], cgdir[96];

static void put(const char *pid, const char *name, const void *data, size_t len)
{
	char path[PATH_MAX * 2];
	int dfd, fd;

	/* relative to the pid directory, which may be too deep for a full path */
	snprintf(path, sizeof(path), "%s/%s", procdir, pid);
	mkdir(path, 0755);
	dfd = open(path, O_RDONLY | O_DIRECTORY);
	fd = dfd < 0 ? -1 : openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);
	close(dfd);
}

static void put_str(const char *pid, const char *name, const char *s)
{
	put(pid, name, s, strlen(s));
}

static void put_link(const char *pid, const char *name, const char *target)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s/%s", procdir, pid, name);
	if (symlink(target, path))
		abort();
}

static void put_stat(const char *pid, const char *comm, unsigned ppid, unsigned flags,
		     unsigned long long start)
{
	char line[1024];

	stat_line(line, sizeof(line), (unsigned)atoi(pid), comm, ppid, flags, start);
	put_str(pid, "stat", line);
}

static void put_status(const char *pid, const char *name, const char *uids, const char *gids)
{
	char s[1024];

	snprintf(s, sizeof(s),
		 "Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t%s\nNgid:\t0\nPid:\t%s\n"
		 "PPid:\t1\nTracerPid:\t0\nUid:\t%s\nGid:\t%s\nFDSize:\t256\nGroups:\t4 27 \n",
		 name, pid, pid, uids, gids);
	put_str(pid, "status", s);
}

static void rm_rf(const char *path)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		printf("  could not remove %s\n", path);
}

static uint64_t inode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* inode of a cgroup under the fake cgroup2 mount: what the seeder should report as its id */
static uint64_t cg_inode(const char *sub)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s", cgdir, sub);
	return inode_of(path);
}

static const char bash_args[] = "-bash";
static const char odd_args[] = "/opt/my prog\0--x=\xff\x01\x7f\0\0last";

/*
 *   1 systemd            ppid 0
 *   2 kthreadd           kernel thread
 *   3 kworker/0:0H-...   kernel thread, ppid 2
 * 100 bash               ppid 1, every file; parent of 4321
 * 4321 odd comm          ppid 100, odd cmdline, a hybrid cgroup file
 *  42 child of 9000      created before its parent
 * 9000 parent of 42      ppid 1
 * 600 stat only          ppid 1
 * 700 long cmdline       ppid 1
 * 555 no stat, 556 unparsable stat: vanished
 * sys, 12abc, self: skipped
 */
static void build_root(void)
{
	char big[VG_ARGS_MAX + 100], cgleaf[PATH_MAX * 2];

	snprintf(root, sizeof(root), "/tmp/vigil-procfs-XXXXXX");
	if (!mkdtemp(root))
		abort();
	snprintf(procdir, sizeof(procdir), "%s/proc", root);
	snprintf(cgdir, sizeof(cgdir), "%s/cgroup", root);
	mkdir(procdir, 0755);
	mkdir(cgdir, 0755);
	snprintf(cgleaf, sizeof(cgleaf), "%s/kubepods", cgdir);
	mkdir(cgleaf, 0755);
	snprintf(cgleaf, sizeof(cgleaf), "%s/kubepods/pod1", cgdir);
	mkdir(cgleaf, 0755);
	snprintf(cgleaf, sizeof(cgleaf), "%s/user.slice", cgdir);
	mkdir(cgleaf, 0755);

	put_stat("42", "child", 9000, PF_USER, 9100);
	put_str("42", "cmdline", "child");
	put_stat("1", "systemd", 0, 0x400100, 5);
	put_status("1", "systemd", "0\t0\t0\t0", "0\t0\t0\t0");
	put_str("1", "loginuid", "4294967295");
	put_str("1", "cgroup", "0::/\n");
	put_link("1", "exe", "/usr/lib/systemd/systemd");
	put_link("1", "cwd", "/");
	put(("1"), "cmdline", "/sbin/init\0splash\0", 18);
	put_stat("2", "kthreadd", 0, 0x208040, 0);
	put_stat("3", "kworker/0:0H-events_highpri", 2, 0x4208060, 1);
	put_stat("100", "bash", 1, PF_USER, 1000);
	put_status("100", "bash", "1000\t1001\t1002\t1003", "2000\t2001\t2002\t2003");
	put_str("100", "loginuid", "1000");
	put_str("100", "cgroup", "0::/user.slice\n");
	put_link("100", "exe", "/usr/bin/bash");
	put_link("100", "cwd", "/home/u");
	put("100", "cmdline", bash_args, sizeof(bash_args));
	put_stat("4321", "my prog) (x\n\xff", 100, PF_USER, 2000);
	put_status("4321", "my prog) (x", "1000\t0\t0\t0", "1000\t0\t0\t0");
	put_str("4321", "loginuid", "1000");
	put_str("4321", "cgroup",
		"12:cpu,cpuacct:/kubepods/pod1\n1:name=systemd:/x\n"
		"0::/kubepods/pod1\n");
	put_link("4321", "exe", "/opt/my prog (deleted)");
	put_link("4321", "cwd", "/tmp/d ir");
	put("4321", "cmdline", odd_args, sizeof(odd_args));
	put_stat("9000", "parent", 1, PF_USER, 9000);
	put_str("9000", "cmdline", "parent");
	put_stat("600", "bare", 1, PF_USER, 6000);
	memset(big, 'a', sizeof(big));
	for (size_t i = 99; i < sizeof(big); i += 100)
		big[i] = 0;
	put_stat("700", "long", 1, PF_USER, 7000);
	put("700", "cmdline", big, sizeof(big));
	put_str("555", "status", "Name:\tgone\n");
	put_str("556", "stat", "556 (gone");
	mkdir(strcat(strcpy(cgleaf, procdir), "/sys"), 0755);
	put_stat("12abc", "nope", 1, PF_USER, 1);
	if (symlink("100", strcat(strcpy(cgleaf, procdir), "/self")))
		abort();
}

UNIT_TEST(seed_fake_root)
{
	struct proc_cache *c = proc_cache__new(64, 1 << 20, 1000);
	uint64_t tick = proc_cache__tick_ns();
	struct procfs_seed_stats st = {.seeded = 99};
	struct proc_entry *e, *p;

	build_root();
	CHECK_INT(procfs_seed(c, procdir, cgdir, &st), 0);
	CHECK_INT(st.seeded, 7);
	CHECK_INT(st.kernel_threads, 2);
	CHECK_INT(st.vanished, 2);
	CHECK(proc_cache__lookup(c, 2, 0) == NULL);
	CHECK(proc_cache__lookup(c, 3, 0) == NULL);
	CHECK(proc_cache__lookup(c, 555, 0) == NULL);
	CHECK(proc_cache__lookup(c, 556, 0) == NULL);
	CHECK(proc_cache__lookup(c, 12, 0) == NULL);

	e = proc_cache__lookup(c, 100, 0);
	CHECK(e != NULL);
	if (!e)
		goto out;
	CHECK_STR(e->comm, "bash");
	CHECK_INT(e->ppid, 1);
	CHECK_INT(e->start_ns, 1000 * tick);
	CHECK_INT(e->parent_start_ns, 5 * tick);
	CHECK_INT(e->flags, PROC_F_PROCFS | PROC_F_PARENT_REF);
	CHECK_INT(e->uid, 1000);
	CHECK_INT(e->euid, 1001);
	CHECK_INT(e->gid, 2000);
	CHECK_INT(e->egid, 2001);
	CHECK_INT(e->auid, 1000);
	CHECK_INT(e->cgroup_id, cg_inode("/user.slice"));
	CHECK(e->cgroup_id != 0);
	CHECK_STR(e->binary, "/usr/bin/bash");
	CHECK_STR(e->cwd, "/home/u");
	CHECK_INT(e->args_len, sizeof(bash_args));
	CHECK(e->args && memcmp(e->args, bash_args, sizeof(bash_args)) == 0);
	CHECK_INT(e->refs, 1); /* 4321 */
	CHECK_INT(e->exec_ns, 0);
	CHECK_INT(e->exit_ns, 0);
	/* the kernel's exact start falls in the seeded tick */
	CHECK(proc_cache__lookup(c, 100, 1000 * tick + tick / 2) == e);
	CHECK(proc_cache__lookup(c, 100, 1001 * tick) == NULL);

	p = proc_cache__lookup(c, 1, 0);
	CHECK(p && proc_cache__parent(c, e) == p);
	if (p) {
		CHECK_STR(p->comm, "systemd");
		CHECK_INT(p->ppid, 0);
		CHECK_INT(p->flags, PROC_F_PROCFS);
		CHECK_INT(p->auid, 0xffffffffu);
		CHECK_INT(p->cgroup_id, inode_of(cgdir));
		CHECK_STR(p->binary, "/usr/lib/systemd/systemd");
		CHECK_STR(p->cwd, "/");
		CHECK_INT(p->args_len, 18);
		CHECK(memcmp(p->args, "/sbin/init\0splash\0", 18) == 0);
		CHECK_INT(p->refs, 4); /* 100, 9000, 600, 700 */
	}

	e = proc_cache__lookup(c, 4321, 2000 * tick);
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(e->comm, "my prog) (x\n\xff");
		CHECK_INT(e->ppid, 100);
		CHECK(proc_cache__parent(c, e) == proc_cache__lookup(c, 100, 0));
		CHECK_INT(e->uid, 1000);
		CHECK_INT(e->euid, 0);
		CHECK_INT(e->gid, 1000);
		CHECK_INT(e->egid, 0);
		CHECK_INT(e->cgroup_id, cg_inode("/kubepods/pod1"));
		CHECK_STR(e->binary, "/opt/my prog (deleted)");
		CHECK_STR(e->cwd, "/tmp/d ir");
		CHECK_INT(e->args_len, sizeof(odd_args));
		CHECK(memcmp(e->args, odd_args, sizeof(odd_args)) == 0);
		CHECK_INT(e->flags, PROC_F_PROCFS | PROC_F_PARENT_REF);
	}

	/* a child listed before its parent is linked all the same */
	e = proc_cache__lookup(c, 42, 0);
	p = proc_cache__lookup(c, 9000, 0);
	CHECK(e && p && proc_cache__parent(c, e) == p);
	if (e && p) {
		CHECK_INT(e->flags, PROC_F_PROCFS | PROC_F_PARENT_REF);
		CHECK_INT(p->refs, 1);
		CHECK_INT(e->args_len, 5); /* "child" without a NUL is kept as read */
		CHECK(memcmp(e->args, "child", 6) == 0);
	}

	/* only stat: defaults everywhere else */
	e = proc_cache__lookup(c, 600, 0);
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(e->comm, "bare");
		CHECK_INT(e->uid, 0);
		CHECK_INT(e->gid, 0);
		CHECK_INT(e->auid, 0xffffffffu);
		CHECK_INT(e->cgroup_id, 0);
		CHECK_STR(e->binary, "");
		CHECK_STR(e->cwd, "");
		CHECK_INT(e->args_len, 0);
		CHECK_INT(e->flags, PROC_F_PROCFS | PROC_F_PARENT_REF);
	}

	/* argv longer than the capture limit is cut and flagged */
	e = proc_cache__lookup(c, 700, 0);
	CHECK(e != NULL);
	if (e) {
		CHECK_INT(e->args_len, VG_ARGS_MAX);
		CHECK_INT(e->flags, PROC_F_PROCFS | PROC_F_PARENT_REF | PROC_F_ARGS_TRUNC);
		CHECK_INT(e->args[99], 0);
		CHECK_INT(e->args[VG_ARGS_MAX - 1], 'a');
	}

	/* without a cgroup2 mount no cgroup ids are read */
	proc_cache__free(c);
	c = proc_cache__new(64, 1 << 20, 1000);
	CHECK_INT(procfs_seed(c, procdir, "", &st), 0);
	CHECK_INT(st.seeded, 7);
	e = proc_cache__lookup(c, 4321, 0);
	CHECK(e && e->cgroup_id == 0);
out:
	proc_cache__free(c);
	rm_rf(root);
}

UNIT_TEST(seed_missing_root)
{
	struct proc_cache *c = proc_cache__new(4, 1 << 20, 1000);
	struct procfs_seed_stats st = {.seeded = 5, .vanished = 5, .kernel_threads = 5};

	CHECK_INT(procfs_seed(c, "/nonexistent/vigil/proc", "", &st), -ENOENT);
	CHECK_INT(st.seeded, 0);
	CHECK_INT(st.vanished, 0);
	CHECK_INT(st.kernel_threads, 0);
	proc_cache__free(c);
}

/* More processes than entries: seeding stays within the bound. */
UNIT_TEST(seed_more_than_capacity)
{
	struct proc_cache *c = proc_cache__new(4, 1 << 20, 1000);
	struct proc_cache_stats ps;
	struct procfs_seed_stats st;
	char pid[16];

	build_root();
	for (int i = 0; i < 20; i++) {
		snprintf(pid, sizeof(pid), "%d", 20000 + i);
		put_stat(pid, "many", 1, PF_USER, 100 + i);
	}
	CHECK_INT(procfs_seed(c, procdir, "", &st), 0);
	CHECK_INT(st.seeded, 27);
	proc_cache__stats(c, &ps);
	CHECK_INT(ps.size, 4);
	CHECK_INT(ps.evictions, 23);
	proc_cache__free(c);
	rm_rf(root);
}

/*
 * A proc root so deep that PID/cgroup no longer fits in PATH_MAX while PID/stat still does:
 * the cgroup id must be 0, not read from whatever the buffer held.
 */
UNIT_TEST(seed_path_too_long_for_cgroup)
{
	struct proc_cache *c = proc_cache__new(64, 1 << 20, 1000);
	struct procfs_seed_stats st;
	char deep[PATH_MAX], saved[PATH_MAX], pod[PATH_MAX];
	struct proc_entry *e;
	size_t len;

	build_root();
	snprintf(pod, sizeof(pod), "%s/kubepods/pod1", cgdir);
	strcpy(saved, procdir);
	strcpy(deep, procdir);
	len = strlen(deep);
	while (len < PATH_MAX - 12) {
		size_t n = PATH_MAX - 12 - len > 200 ? 200 : PATH_MAX - 12 - len;

		deep[len++] = '/';
		memset(deep + len, 'd', n - 1);
		len += n - 1;
		deep[len] = 0;
		if (mkdir(deep, 0755) && errno != EEXIST)
			abort();
	}
	/* deep + "/12345/stat" is PATH_MAX - 1 long; "/12345/cgroup" does not fit, "/1/cgroup"
	 * does */
	CHECK_INT(strlen(deep) + strlen("/12345/stat"), PATH_MAX - 1);
	strcpy(procdir, deep);
	/* several of each, so that whatever the directory order a long one follows a short one */
	for (int i = 0; i < 10; i++) {
		char pid[16];

		snprintf(pid, sizeof(pid), "%d", 1 + i);
		put_stat(pid, "short", 0, PF_USER, 1);
		put_str(pid, "cgroup", "0::/kubepods/pod1\n");
		snprintf(pid, sizeof(pid), "%d", 12340 + i);
		put_stat(pid, "long", 0, PF_USER, 2);
		put_str(pid, "cgroup", "0::/kubepods/pod1\n");
	}
	CHECK_INT(procfs_seed(c, deep, cgdir, &st), 0);
	CHECK_INT(st.seeded, 20);
	for (uint32_t i = 0; i < 10; i++) {
		e = proc_cache__lookup(c, 1 + i, 0);
		CHECK(e && e->cgroup_id == inode_of(pod));
		e = proc_cache__lookup(c, 12340 + i, 0);
		CHECK(e && e->cgroup_id == 0);
	}
	strcpy(procdir, saved);
	proc_cache__free(c);
	rm_rf(root);
}

/* ---- the real /proc ---- */

UNIT_TEST(seed_real_proc)
{
	struct proc_cache *c = proc_cache__new(1 << 16, 64 << 20, 1000);
	char exe[PATH_MAX], cwd[PATH_MAX], cmdline[VG_ARGS_MAX + 1];
	struct procfs_seed_stats st;
	struct proc_entry *e, *p;
	ssize_t n;
	int fd;

	CHECK_INT(procfs_seed(c, "/proc", "", &st), 0);
	CHECK(st.seeded >= 2);
	e = proc_cache__lookup(c, (uint32_t)getpid(), 0);
	CHECK(e != NULL);
	if (!e)
		goto out;
	CHECK_INT(e->ppid, getppid());
	CHECK_STR(e->comm, "test_procfs");
	CHECK_INT(e->flags & PROC_F_PROCFS, PROC_F_PROCFS);
	CHECK_INT(e->uid, getuid());
	CHECK_INT(e->euid, geteuid());
	CHECK_INT(e->gid, getgid());
	CHECK_INT(e->egid, getegid());
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	CHECK_STR(e->binary, exe);
	CHECK_STR(e->cwd, getcwd(cwd, sizeof(cwd)));
	fd = open("/proc/self/cmdline", O_RDONLY);
	n = fd >= 0 ? read(fd, cmdline, sizeof(cmdline)) : -1;
	if (fd >= 0)
		close(fd);
	CHECK_INT(e->args_len, n);
	CHECK(n > 0 && memcmp(e->args, cmdline, n) == 0);
	p = proc_cache__parent(c, e);
	CHECK(p != NULL);
	if (p) {
		CHECK_INT(p->tgid, getppid());
		CHECK(p->start_ns <= e->start_ns);
	}
out:
	proc_cache__free(c);
}

int main(void)
{
	return unit_run();
}
