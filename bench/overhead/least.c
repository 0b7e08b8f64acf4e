/*
 * least: load one mode of least.bpf.c (the least an agent on the open storm's hooks can do),
 * print "least: ready" on stderr, and hold it until SIGINT or SIGTERM.
 *   least filter PATH...   drop opens of PATH in the kernel (exact paths)
 *   least deliver FILE     write one JSON line per open to FILE; on exit, say on stderr how
 *                          many were delivered and how many found the ring buffer full
 * Reading every 2 ms instead of being woken per record is what makes delivery cheap; vigil
 * does the same within VG_WAKEUP_NS.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "least.h"
#include "least.skel.h"

#define POLL_NS 2000000L

static volatile sig_atomic_t stop;
static unsigned long long delivered;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The path as a JSON string body: quote, backslash and control bytes escaped. */
static void json_path(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

static int on_record(void *ctx, void *data, size_t size)
{
	const struct least_rec *r = data;
	FILE *f = ctx;

	if (size < sizeof(*r))
		return 0;
	fprintf(f, "{\"type\":\"open\",\"ts_ns\":%llu,\"tgid\":%u,\"ret\":%d,\"path\":\"",
		(unsigned long long)r->ts_ns, r->tgid, r->ret);
	json_path(f, r->path);
	fputs("\"}\n", f);
	delivered++;
	return 0;
}

static int add_paths(struct least_bpf *s, char **paths, int n)
{
	struct least_key k;
	__u32 one = 1;

	for (int i = 0; i < n; i++) {
		size_t len = strlen(paths[i]);

		if (len >= LEAST_PATH_MAX) {
			fprintf(stderr, "least: %s: longer than %d bytes\n", paths[i], LEAST_PATH_MAX - 1);
			return -1;
		}
		memset(&k, 0, sizeof(k));
		memcpy(k.path, paths[i], len);
		k.prefixlen = (len + 1) * 8; /* the NUL too: an exact match */
		if (bpf_map_update_elem(bpf_map__fd(s->maps.paths), &k, &one, BPF_ANY)) {
			fprintf(stderr, "least: adding %s: %s\n", paths[i], strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int deliver(struct least_bpf *s, const char *file)
{
	static char buf[1 << 20];
	struct timespec ts = { 0, POLL_NS };
	struct ring_buffer *rb;
	FILE *f = fopen(file, "w");
	int err = 0;

	if (!f) {
		fprintf(stderr, "least: %s: %s\n", file, strerror(errno));
		return -1;
	}
	setvbuf(f, buf, _IOFBF, sizeof(buf));
	rb = ring_buffer__new(bpf_map__fd(s->maps.records), on_record, f, NULL);
	if (!rb) {
		fprintf(stderr, "least: ring buffer: %s\n", strerror(errno));
		fclose(f);
		return -1;
	}
	fprintf(stderr, "least: ready\n");
	while (!stop && err >= 0) {
		nanosleep(&ts, NULL);
		err = ring_buffer__consume(rb);
	}
	if (err >= 0)
		err = ring_buffer__consume(rb);
	ring_buffer__free(rb);
	if (fclose(f) || err < 0) {
		fprintf(stderr, "least: writing %s failed\n", file);
		return -1;
	}
	fprintf(stderr, "least: delivered %llu, lost %llu\n", delivered,
		(unsigned long long)s->bss->lost);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: least filter PATH... | least deliver FILE\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct least_bpf *s;
	int filter, err = -1;

	if (argc < 3 || (strcmp(argv[1], "filter") && strcmp(argv[1], "deliver")) ||
	    (!strcmp(argv[1], "deliver") && argc != 3))
		return usage();
	filter = !strcmp(argv[1], "filter");
	if (signal(SIGINT, on_signal) == SIG_ERR || signal(SIGTERM, on_signal) == SIG_ERR)
		return 1;
	s = least_bpf__open();
	if (!s) {
		fprintf(stderr, "least: open: %s\n", strerror(errno));
		return 1;
	}
	bpf_program__set_autoload(s->progs.filter_openat, filter);
	bpf_program__set_autoload(s->progs.filter_close, filter);
	bpf_program__set_autoload(s->progs.deliver_openat, !filter);
	if ((err = least_bpf__load(s)) || (err = least_bpf__attach(s))) {
		fprintf(stderr, "least: load/attach: %s\n", strerror(-err));
		goto out;
	}
	if (filter) {
		if ((err = add_paths(s, argv + 2, argc - 2)))
			goto out;
		fprintf(stderr, "least: ready\n");
		while (!stop)
			pause();
		fprintf(stderr, "least: matched %llu\n", (unsigned long long)s->bss->matched);
	} else {
		err = deliver(s, argv[2]);
	}
out:
	least_bpf__destroy(s);
	return err ? 1 : 0;
}
