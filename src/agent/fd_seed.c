/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Seeding the fd table from /proc, so fds opened before vigil started can be described: the
 * links under PID/fd, the O_CLOEXEC bit from PID/fdinfo, and sockets resolved through the
 * socket tables of the process's own network namespace.
 */
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

#include "fd_table_internal.h"
#include "procnet.h"

#define NETNS_KEY_MAX	64 /* "net:[4026531840]" */
#define NET_INDEX_MIN	4096 /* sockets indexed at least, however small the table */
#define DELETED_SUFFIX	" (deleted)"

struct seed_ctx {
	struct fd_table *t;
	const char *proc_root;
	struct procnet_index *ix;
	bool loaded; /* ix holds the tables of netns (or of an unknown namespace if "") */
	int load_err;
	char netns[NETNS_KEY_MAX];
};

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A name made of decimal digits only, within [0, max]. */
static bool parse_number(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return !*end && !errno && *v <= max;
}

/* "socket:[12345]" */
static bool socket_inode(const char *target, uint64_t *inode)
{
	const char *p = target + strlen("socket:[");
	char *end;

	if (!has_prefix(target, "socket:[") || !isdigit((unsigned char)*p))
		return false;
	*inode = strtoull(p, &end, 10);
	return end[0] == ']' && end[1] == 0;
}

/* root/PID/sub into out; -ENAMETOOLONG rather than a path silently cut. */
static int pid_path(char *out, size_t outsz, const char *root, uint32_t tgid, const char *sub)
{
	int n = snprintf(out, outsz, "%s/%u/%s", root, tgid, sub);

	return n < 0 || (size_t)n >= outsz ? -ENAMETOOLONG : 0;
}

/* Load the socket tables of tgid's network namespace unless they are the ones loaded. */
static int net_load(struct seed_ctx *c, uint32_t tgid)
{
	struct procnet_stats ns = { 0 };
	char dir[PATH_MAX], key[NETNS_KEY_MAX];
	struct stat st;
	ssize_t n;
	int err;

	n = pid_path(dir, sizeof(dir), c->proc_root, tgid, "ns/net") ? -1 :
	    readlink(dir, key, sizeof(key) - 1);
	key[n > 0 ? n : 0] = 0;
	/* a namespace we cannot name is taken to be the one loaded */
	if (c->loaded && (!key[0] || strcmp(key, c->netns) == 0))
		return c->load_err;
	if (pid_path(dir, sizeof(dir), c->proc_root, tgid, "net") || stat(dir, &st) ||
	    !S_ISDIR(st.st_mode))
		snprintf(dir, sizeof(dir), "%s/net", c->proc_root); /* cut: ENOENT below */
	err = procnet_index__load(c->ix, dir, &ns);
	c->t->st.net_loads += ns.loads;
	c->t->st.net_malformed += ns.malformed;
	c->t->st.net_dropped += ns.dropped;
	c->loaded = true;
	c->load_err = err < 0 ? err : 0;
	memcpy(c->netns, key, sizeof(key));
	return c->load_err;
}

/* Fill a socket fd's description from the tables; only -ENOMEM is an error. */
static int resolve_socket(struct seed_ctx *c, uint32_t tgid, uint64_t inode,
			  struct fd_info *info)
{
	const struct procnet_sock *ps;
	int err = net_load(c, tgid);

	info->kind = FD_KIND_SOCKET;
	info->path = NULL;
	info->sock.inode = inode;
	if (err == -ENOMEM)
		return err;
	ps = err ? NULL : procnet_index__find(c->ix, inode);
	if (!ps) {
		c->t->st.seed_unresolved++;
		return 0;
	}
	info->sock = ps->sock;
	info->path = ps->path;
	return 0;
}

/* "/memfd:name (deleted)" -> "memfd:name", in place. */
static const char *memfd_name(char *target)
{
	size_t n = strlen(target), sl = strlen(DELETED_SUFFIX);

	if (n > sl && strcmp(target + n - sl, DELETED_SUFFIX) == 0)
		target[n - sl] = 0;
	return target + 1;
}

/* What the link target says the fd is; target may be edited and becomes info->path. */
static int describe(struct seed_ctx *c, uint32_t tgid, int fddir, const char *name,
		    char *target, struct fd_info *info)
{
	uint64_t inode;
	struct stat st;

	info->path = target;
	if (socket_inode(target, &inode))
		return resolve_socket(c, tgid, inode, info);
	if (has_prefix(target, "pipe:["))
		info->kind = FD_KIND_PIPE;
	else if (has_prefix(target, "/memfd:"))
		info->kind = FD_KIND_MEMFD, info->path = memfd_name(target);
	else if (has_prefix(target, "anon_inode:"))
		info->kind = FD_KIND_ANON;
	else if (target[0] != '/')
		info->kind = FD_KIND_OTHER; /* "net:[...]", "mnt:[...]", "[eventpoll]" */
	else if (fstatat(fddir, name, &st, 0) == 0 && S_ISDIR(st.st_mode))
		info->kind = FD_KIND_DIR;
	else
		info->kind = FD_KIND_FILE;
	return 0;
}

/* The O_CLOEXEC bit of the "flags:" line (octal) of fdinfo; false when it cannot be read. */
static bool read_cloexec(int infodir, const char *name)
{
	int fd = infodir < 0 ? -1 : openat(infodir, name, O_RDONLY | O_CLOEXEC);
	char buf[256], *l;
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	l = has_prefix(buf, "flags:") ? buf : strstr(buf, "\nflags:");
	if (!l)
		return false;
	return (strtoul(l + (*l == '\n') + strlen("flags:"), NULL, 8) & O_CLOEXEC) != 0;
}

/* 1 if the fd was entered, 0 if skipped (not an fd, closed since the listing), -ENOMEM. */
static int seed_fd(struct seed_ctx *c, uint32_t tgid, int fddir, int infodir, const char *name)
{
	char target[FD_PATH_MAX + 1]; /* one more than is kept, so a longer link is seen cut */
	struct fd_info info = { 0 };
	unsigned long fd;
	ssize_t n;
	int err;

	if (!parse_number(name, INT32_MAX, &fd))
		return 0;
	n = readlinkat(fddir, name, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = 0;
	err = describe(c, tgid, fddir, name, target, &info);
	if (err)
		return err;
	info.cloexec = read_cloexec(infodir, name);
	err = fd_table__set(c->t, tgid, (int32_t)fd, &info);
	return err ?: 1;
}

/* An fd of root/PID/sub, or -errno. */
static int open_dir(const char *root, uint32_t tgid, const char *sub)
{
	char dir[PATH_MAX];
	int fd;

	if (pid_path(dir, sizeof(dir), root, tgid, sub))
		return -ENAMETOOLONG;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* The number of fds entered, or -errno from opening PID/fd, or -ENOMEM. */
static int seed_one(struct seed_ctx *c, uint32_t tgid)
{
	int fddir = open_dir(c->proc_root, tgid, "fd"), infodir, n = 0, rc = 0;
	struct dirent *de;
	DIR *d;

	if (fddir < 0)
		return fddir;
	d = fdopendir(fddir);
	if (!d) {
		close(fddir);
		return -ENOMEM;
	}
	infodir = open_dir(c->proc_root, tgid, "fdinfo");
	while (rc >= 0 && (de = readdir(d))) {
		rc = seed_fd(c, tgid, dirfd(d), infodir, de->d_name);
		n += rc > 0;
	}
	if (infodir >= 0)
		close(infodir);
	closedir(d);
	c->t->st.seeded += n;
	return rc < 0 ? rc : n;
}

static int seed_counted(struct seed_ctx *c, uint32_t tgid)
{
	int rc = seed_one(c, tgid);

	if (rc >= 0)
		c->t->st.seed_procs++;
	else if (rc == -ENOENT || rc == -ENOTDIR || rc == -ESRCH)
		c->t->st.seed_vanished++;
	else if (rc == -EACCES || rc == -EPERM)
		c->t->st.seed_denied++;
	return rc;
}

static struct procnet_index *net_index_new(const struct fd_table *t)
{
	return procnet_index__new(t->st.capacity > NET_INDEX_MIN ? t->st.capacity : NET_INDEX_MIN);
}

int fd_table__seed_proc(struct fd_table *t, const char *proc_root, uint32_t tgid)
{
	struct seed_ctx c = { .t = t, .proc_root = proc_root };
	int rc;

	/* a fresh index: the tables change as sockets come and go */
	c.ix = net_index_new(t);
	if (!c.ix)
		return -ENOMEM;
	rc = seed_counted(&c, tgid);
	procnet_index__free(c.ix);
	return rc;
}

int fd_table__seed_all(struct fd_table *t, const char *proc_root)
{
	struct seed_ctx c = { .t = t, .proc_root = proc_root };
	struct dirent *de;
	unsigned long pid;
	int procs = 0, rc = 0;
	DIR *d = opendir(proc_root);

	if (!d)
		return -errno;
	c.ix = net_index_new(t);
	if (!c.ix)
		rc = -ENOMEM;
	while (rc != -ENOMEM && (de = readdir(d))) {
		if (!parse_number(de->d_name, UINT32_MAX, &pid))
			continue;
		rc = seed_counted(&c, (uint32_t)pid);
		procs += rc >= 0;
	}
	closedir(d);
	procnet_index__free(c.ix);
	return rc == -ENOMEM ? rc : procs;
}
