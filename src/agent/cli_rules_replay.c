// SPDX-License-Identifier: Apache-2.0
/*
 * The replay loop of `vigil rules test`: event lines in, through the engine, alerts (or
 * explanations) out on stdout, and a summary on stderr. Memory is bounded: one line, one view,
 * one alert at a time; a line longer than RR_LINE_MAX is skipped as bad.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_rules.h"
#include "rules_alert.h"
#include "rules_eval.h"
#include "rules_replay.h"

#define ALERT_MAX   (1u << 20)	 /* bytes of one alert line */
#define VIGIL_MAX   (256 * 1024) /* bytes of an alert's "vigil" members */
#define EXPLAIN_MAX (64 * 1024)	 /* bytes of one explanation */

struct run {
	struct re_engine *e;
	struct rules_replay *rp;
	const char *explain;
	FILE *in;
	char *line; /* RR_LINE_MAX + 1 */
	struct rr_event rr;
	char *store, *scratch, *vigil, *text;
	bool vigil_done;
	size_t vigil_len;
	struct json_w w;
	uint64_t *counts; /* alerts per compiled rule, in the engine's order */
	uint64_t alerts, explained, explained_match, out_errors;
};

static int run_init(struct run *r, struct re_engine *e, const char *explain)
{
	size_t n = re_engine__nrules(e);

	r->e = e;
	r->explain = explain;
	r->line = malloc(RR_LINE_MAX + 1);
	r->store = malloc(RR_STORE_SIZE);
	r->scratch = malloc(RV_SCRATCH_DEFAULT);
	r->vigil = malloc(VIGIL_MAX);
	r->text = malloc(EXPLAIN_MAX);
	r->counts = calloc(n ? n : 1, sizeof(*r->counts));
	if (!r->line || !r->store || !r->scratch || !r->vigil || !r->text || !r->counts ||
	    json_init(&r->w, ALERT_MAX) || rules_replay__new(NULL, &r->rp))
		return -ENOMEM;
	return 0;
}

static void run_free(struct run *r)
{
	if (r->in && r->in != stdin)
		fclose(r->in);
	rules_replay__free(r->rp);
	json_free(&r->w);
	free(r->line);
	free(r->store);
	free(r->scratch);
	free(r->vigil);
	free(r->text);
	free(r->counts);
}

/*
 * One line into r->line without its newline. Returns 1, 0 at the end, -E2BIG for a line
 * longer than RR_LINE_MAX (read up to its end and dropped), -EIO on a read error.
 */
static int line_read(struct run *r, size_t *len)
{
	size_t n = 0;
	bool cut = false;
	int c;

	while ((c = getc_unlocked(r->in)) != EOF && c != '\n') {
		if (n < RR_LINE_MAX)
			r->line[n++] = (char)c;
		else
			cut = true;
	}
	if (ferror(r->in))
		return -EIO;
	if (c == EOF && !n && !cut)
		return 0;
	r->line[n] = '\0';
	*len = n;
	return cut ? -E2BIG : 1;
}

static void count(struct run *r, const struct rules_rule *rule)
{
	for (size_t i = 0; i < re_engine__nrules(r->e); i++)
		if (re_engine__rule(r->e, i) == rule)
			r->counts[i]++;
}

/* An alert, on stdout, with what the line knew of its process, parent, container and pod. */
static int on_match(void *ctx, const struct rules_rule *rule, const struct rv_event *ev)
{
	struct run *r = ctx;

	if (!r->vigil_done) {
		r->vigil_len = rules_replay__vigil_members(&r->rr, r->vigil, VIGIL_MAX);
		r->vigil_len = r->vigil_len < VIGIL_MAX ? r->vigil_len : 0;
		r->vigil_done = true;
	}
	r->alerts++;
	count(r, rule);
	json_reset(&r->w);
	if (rules_alert__render(&r->w, rule, ev, rules_replay__node(&r->rr),
				r->vigil_len ? r->vigil : NULL, r->vigil_len) ||
	    fwrite(r->w.buf, 1, r->w.len, stdout) != r->w.len || putchar('\n') == EOF)
		r->out_errors++;
	return 0;
}

/* --explain: the rule's verdict on every event of its types. */
static void explain(struct run *r, uint64_t lineno)
{
	const struct rules_rule *rule = re_engine__rule(r->e, 0);
	const struct rv_event *ev = &r->rr.ev;
	int n;

	if (!rule || !((rule->events >> ev->type) & 1))
		return;
	n = re_engine__explain(r->e, r->explain, ev, r->text, EXPLAIN_MAX);
	if (n < 0)
		return;
	r->explained++;
	r->explained_match += strstr(r->text, "=> match\n") != NULL;
	printf("== line %llu: %s %s (pid %u)\n%s", (unsigned long long)lineno,
	       rules_view__evt_name(ev) ? rules_view__evt_name(ev) : "?",
	       ev->proc.comm ? ev->proc.comm : "?", ev->proc.pid, r->text);
}

static void one_line(struct run *r, size_t len, uint64_t lineno)
{
	struct json_object *obj;

	if (rules_replay__parse(r->rp, r->line, len, &obj))
		return; /* counted, and described in the summary */
	if (!rules_replay__fill(r->rp, obj, &r->rr, r->store, RR_STORE_SIZE, r->scratch,
				RV_SCRATCH_DEFAULT)) {
		r->vigil_done = false;
		if (r->explain)
			explain(r, lineno);
		else
			re_engine__eval(r->e, &r->rr.ev, on_match, r);
	}
	rules_replay__put(obj);
}

static int replay_all(struct run *r)
{
	uint64_t lineno = 0;
	size_t len;
	int ret;

	while ((ret = line_read(r, &len)) != 0) {
		lineno++;
		if (ret == -EIO)
			return -EIO;
		if (ret == -E2BIG)
			rules_replay__bad_line(r->rp, "line too long");
		else
			one_line(r, len, lineno);
	}
	return 0;
}

static void summary_lines(const struct run *r, const struct rules_replay_stats *st)
{
	fprintf(stderr, "events: %llu read; %llu lines skipped, %llu stats or blank lines\n",
		(unsigned long long)st->events, (unsigned long long)st->bad,
		(unsigned long long)st->stats_lines);
	for (size_t i = 0; rules_replay__error(r->rp, i); i++)
		fprintf(stderr, "  skipped %s\n", rules_replay__error(r->rp, i));
	if (st->bad > RR_ERRORS_KEPT)
		fprintf(stderr, "  ... and %llu more\n",
			(unsigned long long)(st->bad - RR_ERRORS_KEPT));
	fprintf(stderr,
		"lineage: %llu exec ids learnt, %llu evicted; syscall events of a known exec "
		"line: %llu, of an unknown one: %llu\n",
		(unsigned long long)st->lineage_learnt, (unsigned long long)st->lineage_evicted,
		(unsigned long long)st->lineage_hits, (unsigned long long)st->lineage_misses);
}

static void summary(const struct run *r)
{
	struct rules_replay_stats st;
	size_t n = re_engine__nrules(r->e);

	rules_replay__stats(r->rp, &st);
	summary_lines(r, &st);
	if (r->explain) {
		fprintf(stderr, "explained: %llu events of the types of '%s', %llu matched\n",
			(unsigned long long)r->explained, r->explain,
			(unsigned long long)r->explained_match);
		return;
	}
	fprintf(stderr, "alerts: %llu, from %zu rules run\n", (unsigned long long)r->alerts, n);
	for (size_t i = 0; i < n; i++)
		if (r->counts[i])
			fprintf(stderr, "  %8llu  %s\n", (unsigned long long)r->counts[i],
				re_engine__rule(r->e, i)->name);
	if (r->out_errors)
		fprintf(stderr, "alerts not written: %llu\n", (unsigned long long)r->out_errors);
}

int cli_rules__replay(struct re_engine *e, const char *path, const char *explain)
{
	struct run r = {0};
	int ret = 1;

	if (run_init(&r, e, explain)) {
		fputs("vigil rules test: out of memory\n", stderr);
		goto cleanup;
	}
	r.in = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!r.in) {
		fprintf(stderr, "vigil rules test: %s: %s\n", path, strerror(errno));
		goto cleanup;
	}
	if (replay_all(&r)) {
		fprintf(stderr, "vigil rules test: %s: %s\n", path, strerror(errno));
		goto cleanup;
	}
	fflush(stdout);
	summary(&r);
	ret = 0;
cleanup:
	run_free(&r);
	return ret;
}
