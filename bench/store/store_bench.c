// SPDX-License-Identifier: Apache-2.0
/*
 * What keeping every event in the evidence store costs: realistic event lines (templates
 * taken from a real recording, with pods, containers, processes, paths and times varied)
 * go through store_sink_ops.send in batches of 512, as the store sink's worker would send
 * them, into a fresh store (the agent's own objects: build/libvigil.a).
 *
 *   store_bench TEMPLATES.jsonl EVENTS DIR [RETAIN_MB]
 *
 * Three runs: inserts alone (then the file's size per event); inserts with the worker's
 * once-a-second tick enforcing a size limit of RETAIN_MB (default 256) in the same thread, as
 * in the agent; inserts with events indexed on every column as alerts are. Only send() and
 * tick() are timed; making the lines is not. Also times the column extraction (jpick) alone.
 * For experiments, from the environment: BATCH, BENCH_SQL (run after open), COMMIT_ROWS,
 * COMMIT_MS, KEEP_DB (stop after the first run, keeping its store), SKIP_ALL_INDEXES.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rfc3339.h"
#include "store_int.h"

static size_t batch = 512; /* records per send(): the sink's default max_batch */
#define MAX_TEMPLATES 256
#define LINE_MAX_BYTES 8192
#define NPODS 200
#define NNS 10
#define NPATHS 5000

static const char *const comms[][2] = {
	{ "nginx", "/usr/sbin/nginx" },	       { "java", "/usr/lib/jvm/bin/java" },
	{ "python3", "/usr/bin/python3.11" },  { "node", "/usr/local/bin/node" },
	{ "sh", "/bin/busybox" },	       { "bash", "/usr/bin/bash" },
	{ "cat", "/usr/bin/cat" },	       { "postgres", "/usr/lib/postgresql/bin/postgres" },
	{ "redis-server", "/usr/bin/redis-server" }, { "envoy", "/usr/local/bin/envoy" },
	{ "kubelet", "/usr/bin/kubelet" },     { "containerd", "/usr/bin/containerd" },
	{ "curl", "/usr/bin/curl" },	       { "ls", "/usr/bin/ls" },
	{ "grep", "/usr/bin/grep" },	       { "php-fpm", "/usr/sbin/php-fpm8.2" },
};

static const char *const dirs[] = {
	"/etc", "/var/lib/app", "/usr/lib/x86_64-linux-gnu", "/proc/self", "/tmp",
	"/var/log/app", "/srv/data", "/home/app/.cache", "/run/secrets/kubernetes.io",
	"/usr/share/zoneinfo",
};

struct bench {
	char *tmpl[MAX_TEMPLATES];
	size_t ntmpl;
	uint64_t t0, seq;
	unsigned rnd;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU time of this thread, user and system: what the store costs, whatever else runs. */
static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned rnd(struct bench *b)
{
	b->rnd = b->rnd * 1103515245u + 12345u;
	return b->rnd >> 8;
}

/* The {{ATTR}} of a template: a host process, or a container of one of NPODS pods. */
static int attr(struct bench *b, char *o, size_t n)
{
	unsigned p = rnd(b) % (NPODS + NPODS / 4);

	if (p >= NPODS)
		return snprintf(o, n, "\"attribution\":\"host\"");
	return snprintf(o, n,
			"\"container\":{\"id\":\"%08x%056x\",\"runtime\":\"containerd\","
			"\"name\":\"app\",\"image\":\"registry.local/team/app-%u:1.%u\","
			"\"image_repository\":\"registry.local/team/app-%u\",\"image_tag\":\"1.%u\","
			"\"image_digest\":\"\",\"privileged\":false,\"ephemeral\":false},"
			"\"pod\":{\"uid\":\"%08x-8b4e-4c1f-9d2a-3e5f7a9b1c0d\",\"qos\":\"burstable\","
			"\"name\":\"app-%u-7d9f8c-x%u\",\"namespace\":\"team-%u\","
			"\"labels\":{\"app\":\"app-%u\",\"tier\":\"backend\"},\"workload\":{\"kind\":"
			"\"Deployment\",\"name\":\"app-%u\"},\"service_account\":\"default\","
			"\"node\":\"vm\"},\"attribution\":\"complete\"",
			p * 2654435761u, p, p, p % 7, p, p % 7, p, p, p, p % NNS, p, p);
}

/* One line from template t with the placeholders filled in. */
static size_t make_line(struct bench *b, const char *t, char *o, size_t n)
{
	size_t len = 0;
	unsigned c = rnd(b) % (sizeof(comms) / sizeof(comms[0])), path = rnd(b) % NPATHS;
	char ts[40];

	rfc3339__format(b->t0 + b->seq++ * 10000, 9, ts, sizeof(ts));
	while (*t && len + 1024 < n) {
		const char *e = strstr(t, "{{");
		size_t k = e ? (size_t)(e - t) : strlen(t);

		memcpy(o + len, t, k);
		len += k;
		t += k;
		if (!e)
			break;
		if (!strncmp(t, "{{TIME}}", 8))
			len += (size_t)snprintf(o + len, n - len, "\"%s\"", ts);
		else if (!strncmp(t, "{{PID}}", 7))
			len += (size_t)snprintf(o + len, n - len, "%u", 1000 + rnd(b) % 60000);
		else if (!strncmp(t, "{{COMM}}", 8))
			len += (size_t)snprintf(o + len, n - len, "\"%s\"", comms[c][0]);
		else if (!strncmp(t, "{{BIN}}", 7))
			len += (size_t)snprintf(o + len, n - len, "\"%s\"", comms[c][1]);
		else if (!strncmp(t, "{{PATH}}", 8))
			len += (size_t)snprintf(o + len, n - len, "\"%s/f%u.conf\"",
						dirs[path % 10], path / 10);
		else if (!strncmp(t, "{{ATTR}}", 8))
			len += (size_t)attr(b, o + len, n - len);
		t = strstr(t, "}}") + 2;
	}
	o[len] = '\0';
	return len;
}

static struct out_rec *rec_of(struct bench *b, size_t i)
{
	static char line[LINE_MAX_BYTES];
	size_t n = make_line(b, b->tmpl[i % b->ntmpl], line, sizeof(line));
	struct out_rec *r = malloc(sizeof(*r) + n + 1);

	if (!r)
		exit(1);
	*r = (struct out_rec){ .time_ns = b->t0 + (b->seq - 1) * 10000, .kind = OUT_EVENT,
			       .prio = 6, .len = (uint32_t)n };
	memcpy(r->line, line, n + 1);
	return r;
}

static int load(struct bench *b, const char *path)
{
	char buf[LINE_MAX_BYTES];
	FILE *f = fopen(path, "r");

	if (!f)
		return fprintf(stderr, "%s: %s\n", path, strerror(errno)), -1;
	while (b->ntmpl < MAX_TEMPLATES && fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		if (buf[0])
			b->tmpl[b->ntmpl++] = strdup(buf);
	}
	fclose(f);
	return b->ntmpl ? 0 : (fprintf(stderr, "%s: no templates\n", path), -1);
}

struct result {
	double secs, tick_secs, cpu;
	uint64_t bytes_made, deleted, file_bytes;
};

static long long fsize(const char *p)
{
	struct stat sb;

	return stat(p, &sb) ? 0 : (long long)sb.st_size;
}

/* Every column indexed for events too, as the alerts are: the alternative schema.sql in
 * store.c decided against (docs/store.md). */
static const char all_indexes_sql[] =
	"CREATE INDEX ev_pod ON records(namespace, pod) WHERE namespace IS NOT NULL;"
	"CREATE INDEX ev_container ON records(container) WHERE container IS NOT NULL;"
	"CREATE INDEX ev_type ON records(type);"
	"CREATE INDEX ev_comm ON records(comm);"
	"CREATE INDEX ev_path ON records(path) WHERE path IS NOT NULL;";

/* Knobs for experiments, from the environment: SQL run after open (BENCH_SQL), and the
 * insert transaction's limits (COMMIT_ROWS, COMMIT_MS). */
static int tune(struct store *st, const char *extra_sql)
{
	const char *sql = getenv("BENCH_SQL");

	if ((extra_sql && store__exec(st->db, extra_sql)) || (sql && store__exec(st->db, sql)))
		return -1;
	if (getenv("COMMIT_ROWS"))
		st->commit_rows = strtoull(getenv("COMMIT_ROWS"), NULL, 10);
	if (getenv("COMMIT_MS"))
		st->commit_ns = strtoull(getenv("COMMIT_MS"), NULL, 10) * 1000000ull;
	return 0;
}

/* Insert n events in batches into a fresh store; with a size limit, the tick once per second
 * of elapsed time, in the same thread, as the sink's worker does. */
static int run(struct bench *b, const char *path, size_t n, uint64_t max_bytes,
	       const char *extra_sql, struct result *res)
{
	struct vg_store_cfg cfg = { .enabled = true, .events = true, .max_bytes = max_bytes };
	struct out_rec **recs = calloc(batch, sizeof(*recs));
	struct store_stats ss;
	char err[512];
	struct store *st;
	double start, next_tick, t, c0;
	unsigned rej;

	snprintf(cfg.path, sizeof(cfg.path), "%s", path);
	if (!recs || !(st = store__open(&cfg, err, sizeof(err))))
		return fprintf(stderr, "%s\n", recs ? err : "out of memory"), -1;
	if (tune(st, extra_sql))
		return -1;
	memset(res, 0, sizeof(*res));
	b->seq = 0;
	next_tick = now_s() + 1;
	for (size_t done = 0; done < n;) {
		size_t k = n - done < batch ? n - done : batch;

		for (size_t i = 0; i < k; i++) {
			recs[i] = rec_of(b, done + i);
			res->bytes_made += recs[i]->len;
		}
		start = now_s();
		c0 = cpu_s();
		if (store_sink_ops.send(st, recs, k, &rej) != (int)k)
			return fprintf(stderr, "send failed\n"), -1;
		t = now_s();
		res->secs += t - start;
		if (max_bytes && t >= next_tick) {
			store_sink_ops.tick(st, 0);
			res->tick_secs += now_s() - t;
			next_tick = t + 1;
		}
		res->cpu += cpu_s() - c0;
		for (size_t i = 0; i < k; i++)
			free(recs[i]);
		done += k;
	}
	start = now_s();
	c0 = cpu_s();
	store_sink_ops.tick(st, 0); /* the last commit, retention if on */
	res->tick_secs += now_s() - start;
	res->cpu += cpu_s() - c0;
	store__stats(st, &ss);
	/* the file's size once the WAL is in it (deletes and vacuums shrink it only then), with
	 * the checkpointer stopped so that it cannot be busy at that moment */
	store__ckpt_stop(st);
	sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	res->deleted = ss.deleted_size;
	res->file_bytes = (uint64_t)fsize(path);
	store_sink_ops.free(st);
	free(recs);
	return 0;
}

/* jpick and the column copies alone: 1000 lines (made first, untimed) extracted 100 times
 * over, warm in the cache as a line just copied from the queue is. */
static double extract_ns(struct bench *b)
{
	static struct store_row row;
	struct out_rec *recs[1000];
	double t;

	b->seq = 0;
	for (size_t i = 0; i < 1000; i++)
		recs[i] = rec_of(b, i);
	t = cpu_s();
	for (int pass = 0; pass < 100; pass++)
		for (size_t i = 0; i < 1000; i++)
			store_row__extract(&row, recs[i], 0);
	t = cpu_s() - t;
	for (size_t i = 0; i < 1000; i++)
		free(recs[i]);
	return t / 100000 * 1e9;
}

static void remove_db(const char *p)
{
	char q[4200];

	unlink(p);
	snprintf(q, sizeof(q), "%s-wal", p);
	unlink(q);
	snprintf(q, sizeof(q), "%s-shm", p);
	unlink(q);
}

/* One line of the table; the file's bytes per event are per event kept. */
static void row(const char *name, size_t n, const struct result *r)
{
	double per = (double)r->file_bytes / (double)(n - r->deleted);

	printf("| %-28s | %8zu | %7.2f | %7.2f | %9.0f | %9.0f | %8.0f | %14.0f | %10.0f | %8llu "
	       "|\n", name, n, r->secs + r->tick_secs, r->tick_secs, n / (r->secs + r->tick_secs),
	       n / r->cpu, r->file_bytes / 1048576.0, per, per * 1e6 / 1048576,
	       (unsigned long long)r->deleted);
}

int main(int argc, char **argv)
{
	struct bench b = { .rnd = 12345 };
	struct result res;
	char path[4096], name[64];
	size_t n;
	uint64_t retain_mb;

	if (argc < 4) {
		fprintf(stderr, "usage: store_bench TEMPLATES.jsonl EVENTS DIR [RETAIN_MB]\n");
		return 2;
	}
	n = strtoull(argv[2], NULL, 10);
	retain_mb = argc > 4 ? strtoull(argv[4], NULL, 10) : 256;
	if (getenv("BATCH"))
		batch = strtoull(getenv("BATCH"), NULL, 10);
	if (load(&b, argv[1]) || !n || !batch)
		return 1;
	b.t0 = store__now_ns() - n * 10000ull;
	snprintf(path, sizeof(path), "%s/bench.db", argv[3]);
	remove_db(path);
	if (run(&b, path, n, 0, NULL, &res))
		return 1;
	printf("events: %zu from %zu templates, %.0f bytes/line, batches of %zu\n", n, b.ntmpl,
	       (double)res.bytes_made / n, batch);
	printf("column extraction (jpick): %.0f ns/line\n\n",
	       extract_ns(&b));
	printf("| run                          | events   | seconds | in tick | events/s  | "
	       "ev/CPU-s  | file MiB | bytes/event    | MiB per 1M | deleted  |\n"
	       "|------------------------------|----------|---------|---------|-----------|"
	       "-----------|----------|----------------|------------|----------|\n");
	row("insert", n, &res);
	if (getenv("KEEP_DB")) /* experiments: keep the first run's store, for queries */
		return 0;
	remove_db(path);
	if (run(&b, path, n, retain_mb << 20, NULL, &res))
		return 1;
	snprintf(name, sizeof(name), "insert, %llu MiB limit", (unsigned long long)retain_mb);
	row(name, n, &res);
	remove_db(path);
	if (!getenv("SKIP_ALL_INDEXES")) {
		if (run(&b, path, n, 0, all_indexes_sql, &res))
			return 1;
		row("insert, events indexed too", n, &res);
		remove_db(path);
	}
	return 0;
}
