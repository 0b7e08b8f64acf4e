/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/types.h>

#include "vigil/events.h"
#include "log.h"
#include "procfs.h"

#define PF_KTHREAD 0x00200000

/* dir + "/" + name into out; -ENAMETOOLONG rather than a silently cut path. */
static int path_join(char *out, size_t outsz, const char *dir, const char *name)
{
	int n = snprintf(out, outsz, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= outsz ? -ENAMETOOLONG : 0;
}

/* Read at most bufsz-1 bytes of a file; returns bytes read or -errno. */
static ssize_t read_file(const char *path, char *buf, size_t bufsz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, total = 0;

	if (fd < 0)
		return -errno;
	while ((size_t)total < bufsz - 1) {
		n = read(fd, buf + total, bufsz - 1 - total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
	}
	close(fd);
	buf[total] = 0;
	return total;
}

int procfs_parse_stat(const char *text, char *comm, int commsz, uint32_t *ppid,
		      uint64_t *start_ticks, uint32_t *flags, uint32_t *tty)
{
	const char *open = strchr(text, '('), *close = strrchr(text, ')');
	unsigned long long v;
	const char *p;
	int field, n;

	if (!open || !close || close < open)
		return -EINVAL;
	n = close - open - 1;
	if (n >= commsz)
		n = commsz - 1;
	memcpy(comm, open + 1, n);
	comm[n] = 0;
	/* fields after ")" start at 3 (state); ppid is 4, tty_nr 7, flags 9, starttime 22 */
	p = close + 1;
	for (field = 3; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return -EINVAL;
		v = strtoull(p, NULL, 10);
		if (field == 4)
			*ppid = (uint32_t)v;
		else if (field == 7)
			*tty = (uint32_t)strtoll(p, NULL, 10);
		else if (field == 9)
			*flags = (uint32_t)v;
		else if (field == 22)
			*start_ticks = v;
		while (*p && *p != ' ')
			p++;
	}
	/* more fields follow starttime; without them it may have been cut mid-number */
	return *p == ' ' ? 0 : -EINVAL;
}

static void read_ids(const char *dir, struct proc_entry *e)
{
	char path[PATH_MAX], buf[4096], *l;
	unsigned a, b, c, d;

	if (path_join(path, sizeof(path), dir, "status") == 0 &&
	    read_file(path, buf, sizeof(buf)) > 0) {
		if ((l = strstr(buf, "\nUid:")) && sscanf(l + 5, "%u %u %u %u", &a, &b, &c, &d) == 4)
			e->uid = a, e->euid = b;
		if ((l = strstr(buf, "\nGid:")) && sscanf(l + 5, "%u %u %u %u", &a, &b, &c, &d) == 4)
			e->gid = a, e->egid = b;
	}
	if (path_join(path, sizeof(path), dir, "loginuid") == 0 &&
	    read_file(path, buf, sizeof(buf)) > 0)
		e->auid = (uint32_t)strtoul(buf, NULL, 10);
}

static uint64_t read_cgroup_id(const char *dir, const char *cgroup2)
{
	char path[PATH_MAX], buf[4096], *l;
	struct stat st;

	if (!cgroup2[0])
		return 0;
	if (path_join(path, sizeof(path), dir, "cgroup") || read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	l = strncmp(buf, "0::", 3) == 0 ? buf : strstr(buf, "\n0::");
	if (!l)
		return 0;
	l += l == buf ? 3 : 4;
	l[strcspn(l, "\n")] = 0;
	if (snprintf(path, sizeof(path), "%s%s", cgroup2, l) >= (int)sizeof(path))
		return 0;
	return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

static void read_link(const char *dir, const char *name, char *out, size_t outsz)
{
	char path[PATH_MAX];
	ssize_t n;

	n = path_join(path, sizeof(path), dir, name) ? -1 : readlink(path, out, outsz - 1);
	out[n > 0 ? n : 0] = 0;
}

static int seed_one(struct proc_cache *c, const char *dir, uint32_t tgid, const char *cgroup2,
		    struct procfs_seed_stats *st)
{
	char buf[VG_ARGS_MAX + 1], exe[PATH_MAX], cwd[PATH_MAX], comm[32];
	uint64_t ticks = 0, tick = proc_cache__tick_ns();
	uint32_t ppid = 0, flags = 0, tty = 0;
	struct proc_entry *e;
	ssize_t n;

	if (path_join(exe, sizeof(exe), dir, "stat") || read_file(exe, buf, sizeof(buf)) <= 0 ||
	    procfs_parse_stat(buf, comm, sizeof(comm), &ppid, &ticks, &flags, &tty) < 0) {
		st->vanished++;
		return 0;
	}
	if (flags & PF_KTHREAD) {
		st->kernel_threads++;
		return 0;
	}
	e = proc_cache__upsert(c, tgid, ticks * tick);
	if (!e)
		return -ENOMEM;
	e->flags |= PROC_F_PROCFS;
	memcpy(e->comm, comm, sizeof(e->comm) - 1);
	e->comm[sizeof(e->comm) - 1] = 0;
	e->ppid = ppid;
	e->tty = tty;
	read_ids(dir, e);
	e->cgroup_id = read_cgroup_id(dir, cgroup2);
	n = path_join(exe, sizeof(exe), dir, "cmdline") ? 0 : read_file(exe, buf, sizeof(buf));
	read_link(dir, "exe", exe, sizeof(exe));
	read_link(dir, "cwd", cwd, sizeof(cwd));
	if (n == VG_ARGS_MAX)
		e->flags |= PROC_F_ARGS_TRUNC;
	if (proc_entry__set_strings(c, e, exe, buf, n > 0 ? n : 0, cwd) < 0)
		return -ENOMEM;
	st->seeded++;
	return 0;
}

static void link_seeded(struct proc_cache *c, struct proc_entry *e, void *arg)
{
	struct proc_entry *p;

	(void)arg;
	if (!(e->flags & PROC_F_PROCFS) || (e->flags & PROC_F_PARENT_REF) || !e->ppid)
		return;
	p = proc_cache__lookup(c, e->ppid, 0);
	if (p)
		proc_cache__link_parent(c, e, e->ppid, p->start_ns);
}

int procfs_seed(struct proc_cache *c, const char *proc_root, const char *cgroup2,
		struct procfs_seed_stats *st)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(proc_root);
	int err = 0;

	memset(st, 0, sizeof(*st));
	if (!d)
		return -errno;
	while ((de = readdir(d)) && !err) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);

		if (!isdigit((unsigned char)de->d_name[0]) || *end)
			continue;
		if (path_join(dir, sizeof(dir), proc_root, de->d_name))
			continue;
		err = seed_one(c, dir, (uint32_t)pid, cgroup2, st);
	}
	closedir(d);
	/* second pass, since /proc lists parents and children in any order */
	proc_cache__foreach(c, link_seeded, NULL);
	return err;
}
