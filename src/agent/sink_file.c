/* SPDX-License-Identifier: Apache-2.0 */
/* JSON lines to a file, rotated by size: path, path.1 (newest) .. path.KEEP (oldest). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "sink_file.h"

#define IOV_BATCH 512 /* records per writev: 2 iovecs each, under IOV_MAX (1024) */

struct sink_file {
	char path[4096];
	size_t max_bytes; /* 0: never rotate */
	unsigned keep;
	int fd;
	uint64_t size; /* of the current file */
	uint64_t rotations;
};

void *sink_file__new(const struct vg_output *o, char *err, size_t errsz)
{
	struct sink_file *f;

	if (!o->path[0] || o->path[0] != '/') {
		snprintf(err, errsz, "output %s: path: expected an absolute file path", o->name);
		return NULL;
	}
	if (!(f = calloc(1, sizeof(*f)))) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	snprintf(f->path, sizeof(f->path), "%s", o->path);
	f->max_bytes = o->max_bytes;
	f->keep = o->keep;
	f->fd = -1;
	return f;
}

static int file_connect(void *impl)
{
	struct sink_file *f = impl;
	struct stat st;

	f->fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (f->fd < 0)
		return -errno;
	f->size = fstat(f->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

static void file_disconnect(void *impl)
{
	struct sink_file *f = impl;

	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* path.N-1 -> path.N, ..., path -> path.1, and a fresh path. A failed rename is logged and the
 * file keeps growing rather than losing lines. */
static void rotate(struct sink_file *f)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];

	file_disconnect(f);
	if (f->keep) {
		for (unsigned i = f->keep; i > 1; i--) {
			snprintf(from, sizeof(from), "%s.%u", f->path, i - 1);
			snprintf(to, sizeof(to), "%s.%u", f->path, i);
			if (rename(from, to) < 0 && errno != ENOENT)
				log_warn("output file %s: rotating: %s", to, strerror(errno));
		}
		snprintf(to, sizeof(to), "%s.1", f->path);
		if (rename(f->path, to) < 0)
			log_warn("output file %s: rotating: %s", f->path, strerror(errno));
	} else if (truncate(f->path, 0) < 0) {
		log_warn("output file %s: truncating: %s", f->path, strerror(errno));
	}
	f->rotations++;
	file_connect(f);
}

/* Write recs[0..n) with their newlines in as few writev calls as it takes. Returns the
 * count of whole records written, or a negative errno when none was. */
static int write_all(struct sink_file *f, struct out_rec *const *recs, size_t n)
{
	struct iovec iov[2 * IOV_BATCH];
	size_t done = 0;

	while (done < n) {
		size_t k = n - done < IOV_BATCH ? n - done : IOV_BATCH, ni = 0, first = 0;

		for (size_t i = 0; i < k; i++) {
			iov[ni++] = (struct iovec){ recs[done + i]->line, recs[done + i]->len };
			iov[ni++] = (struct iovec){ "\n", 1 };
		}
		while (first < ni) {
			ssize_t w = writev(f->fd, iov + first, ni - first);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return done ? (int)done : -errno;
			f->size += w;
			/* skip what was written; a record cut short continues where it stopped */
			while (first < ni && (size_t)w >= iov[first].iov_len)
				w -= iov[first++].iov_len;
			if (first < ni) {
				iov[first].iov_base = (char *)iov[first].iov_base + w;
				iov[first].iov_len -= w;
			}
		}
		done += k;
	}
	return (int)done;
}

static int file_send(void *impl, struct out_rec *const *recs, size_t n, unsigned *rejected)
{
	struct sink_file *f = impl;
	int r;

	(void)rejected;
	if (f->fd < 0 && (r = file_connect(f)) < 0)
		return r;
	r = write_all(f, recs, n);
	if (r > 0 && f->max_bytes && f->size >= f->max_bytes)
		rotate(f);
	return r;
}

/* A file removed or moved away by someone else (logrotate) is reopened at its path. */
static void file_tick(void *impl, uint64_t now_ns)
{
	struct sink_file *f = impl;
	struct stat a, b;

	(void)now_ns;
	if (f->fd >= 0 && (stat(f->path, &a) < 0 || fstat(f->fd, &b) < 0 || a.st_ino != b.st_ino ||
			   a.st_dev != b.st_dev)) {
		file_disconnect(f);
		file_connect(f);
	}
}

static void file_free(void *impl)
{
	file_disconnect(impl);
	free(impl);
}

const struct sink_ops sink_file_ops = {
	.kind = "file",
	.connect = file_connect,
	.send = file_send,
	.disconnect = file_disconnect,
	.tick = file_tick,
	.free = file_free,
};
