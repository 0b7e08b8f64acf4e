// SPDX-License-Identifier: Apache-2.0
/*
 * What evaluating Falco rules costs per event: recorded vigil events (JSON lines) are parsed
 * into event views once, untimed, then replayed through the rule engine (the agent's own
 * objects) pass after pass until at least MIN_EVALS events were evaluated, on one thread,
 * timed in thread CPU time. Also what turning a line into a view costs (json-c parse, then
 * rules_replay__fill), timed separately.
 *
 *   replay_bench EVENTS.jsonl MIN_EVALS NAME=RULES[,RULES...] [NAME=...]
 *
 * Prints a small table: per rule set, rules run, evaluations, matches per pass, ns per event
 * and events per second per core.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules_eval.h"
#include "rules_load.h"
#include "rules_replay.h"

#define CHUNK (4u << 20) /* bytes of one store chunk */

struct bench_ev {
	struct json_object *obj;
	struct rr_event rr;
};

struct events {
	struct bench_ev *ev;
	size_t n, lines, bytes;
	char *chunks[4096];
	size_t nchunks, chunk_used;
	double parse_ns, fill_ns;
	struct rules_replay *rp;
	char scratch[RV_SCRATCH_DEFAULT];
};

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Room for one event's store: the current chunk, or a new one. */
static char *store_get(struct events *es)
{
	if (es->nchunks && CHUNK - es->chunk_used >= RR_STORE_SIZE)
		return es->chunks[es->nchunks - 1] + es->chunk_used;
	if (es->nchunks == sizeof(es->chunks) / sizeof(es->chunks[0]) ||
	    !(es->chunks[es->nchunks] = malloc(CHUNK)))
		return NULL;
	es->nchunks++;
	es->chunk_used = 0;
	return es->chunks[es->nchunks - 1];
}

/* Every line parsed (timed as a whole), then every event filled in order (timed too): the
 * lineage table learns from exec lines as it would reading the file. Views point into
 * themselves, so they are made in place, in an array allocated once. */
static int events_make(struct events *es, char *buf, size_t size, size_t lines)
{
	char *p, *nl, *store;
	double t0;

	if (!(es->ev = calloc(lines, sizeof(*es->ev))))
		return -ENOMEM;
	t0 = cpu_ns();
	for (p = buf; p < buf + size; p = nl + 1) {
		nl = memchr(p, '\n', size - (size_t)(p - buf));
		nl = nl ? nl : buf + size;
		es->lines++;
		es->bytes += (size_t)(nl - p);
		if (!rules_replay__parse(es->rp, p, (size_t)(nl - p), &es->ev[es->n].obj))
			es->n++;
	}
	es->parse_ns = cpu_ns() - t0;
	t0 = cpu_ns();
	for (size_t i = 0; i < es->n; i++) {
		struct bench_ev *b = &es->ev[i];

		if (!(store = store_get(es)) ||
		    rules_replay__fill(es->rp, b->obj, &b->rr, store, RR_STORE_SIZE, es->scratch,
				       sizeof(es->scratch)))
			return -ENOMEM;
		es->chunk_used += b->rr.store_used;
	}
	es->fill_ns = cpu_ns() - t0;
	return 0;
}

/* The whole file in memory, then its events. */
static int events_load(struct events *es, const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL, *p, *nl;
	size_t size = 0, lines = 1;
	long end;
	int ret = -1;

	if (!f || fseek(f, 0, SEEK_END) || (end = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(buf = malloc((size = (size_t)end) + 1)) || fread(buf, 1, size, f) != size ||
	    rules_replay__new(NULL, &es->rp))
		goto out;
	buf[size] = '\0';
	for (p = buf; (nl = memchr(p, '\n', size - (size_t)(p - buf))); p = nl + 1)
		lines++;
	ret = events_make(es, buf, size, lines);
out:
	if (ret)
		fprintf(stderr, "%s: %s\n", path, errno ? strerror(errno) : "cannot load");
	free(buf);
	if (f)
		fclose(f);
	return ret;
}

static int count_match(void *ctx, const struct rules_rule *r, const struct rv_event *ev)
{
	(void)r;
	(void)ev;
	++*(uint64_t *)ctx;
	return 0;
}

/* One pass over every event; the view's scratch and its memo of built strings are emptied
 * before each evaluation, as a fresh event's would be. */
static uint64_t pass(struct re_engine *e, struct events *es)
{
	uint64_t matches = 0;

	for (size_t i = 0; i < es->n; i++) {
		struct rv_event *ev = &es->ev[i].rr.ev;

		ev->scratch_used = 0;
		memset(ev->built, 0, sizeof(ev->built));
		re_engine__eval(e, ev, count_match, &matches);
	}
	return matches;
}

/* "stable=a.yaml,b.yaml": load the files in order. */
static struct rules_set *rules_of(char *spec, const char **name)
{
	char *eq = strchr(spec, '='), *tok, *save = NULL;
	struct rules_set *rs = rules_set__new();

	if (!eq || !rs)
		return NULL;
	*eq = '\0';
	*name = spec;
	for (tok = strtok_r(eq + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		rules_set__load_path(rs, tok);
	if (rules_set__compile(rs) || rules_set__nerrors(rs)) {
		fprintf(stderr, "%s: the rules have errors\n", *name);
		rules_set__free(rs);
		return NULL;
	}
	return rs;
}

static int bench_set(struct events *es, char *spec, uint64_t min_evals)
{
	const char *name;
	struct rules_set *rs = rules_of(spec, &name);
	struct re_engine *e = NULL;
	struct re_opts o = {.sz = sizeof(o), .min_priority = RULES_PRIO_DEBUG};
	uint64_t passes = (min_evals + es->n - 1) / es->n, matches;
	double t0, ns;

	if (!rs || re_engine__new(rs, &o, &e) == -ENOMEM) {
		rules_set__free(rs);
		return -1;
	}
	matches = pass(e, es); /* warm up: caches, the lineage, user names */
	t0 = cpu_ns();
	for (uint64_t i = 0; i < passes; i++)
		pass(e, es);
	ns = (cpu_ns() - t0) / (double)(passes * es->n);
	printf("| %-10s | %5zu | %9zu | %11llu | %13llu | %8.1f | %12.0f |\n", name,
	       re_engine__nrules(e), es->n, (unsigned long long)(passes * es->n),
	       (unsigned long long)matches, ns, 1e9 / ns);
	re_engine__free(e);
	rules_set__free(rs);
	return 0;
}

int main(int argc, char **argv)
{
	static struct events es;
	uint64_t min_evals;
	int ret = 0;

	if (argc < 4) {
		fputs("usage: replay_bench EVENTS.jsonl MIN_EVALS NAME=RULES[,RULES...]...\n",
		      stderr);
		return 2;
	}
	min_evals = strtoull(argv[2], NULL, 10);
	if (events_load(&es, argv[1]) || !es.n) {
		fprintf(stderr, "%s: no events loaded\n", argv[1]);
		return 1;
	}
	printf("events: %zu of %zu lines (%zu bytes/line); parse %.0f ns/line (json-c), view "
	       "%.0f ns/event (rules_replay__fill); store %.0f bytes/event\n\n",
	       es.n, es.lines, es.bytes / es.lines, es.parse_ns / (double)es.lines,
	       es.fill_ns / (double)es.n,
	       (double)((es.nchunks - 1) * CHUNK + es.chunk_used) / es.n);
	printf("| rule set   | rules | events    | evaluations | matches/pass  | ns/event | "
	       "events/s/core |\n|------------|-------|-----------|-------------|---------------|"
	       "----------|--------------|\n");
	for (int i = 3; i < argc && !ret; i++)
		ret = bench_set(&es, argv[i], min_evals);
	for (size_t i = 0; i < es.n; i++)
		rules_replay__put(es.ev[i].obj);
	for (size_t i = 0; i < es.nchunks; i++)
		free(es.chunks[i]);
	free(es.ev);
	rules_replay__free(es.rp);
	return ret ? 1 : 0;
}
