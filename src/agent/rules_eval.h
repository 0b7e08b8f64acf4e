/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rule evaluator: a compiled rule set (rules_load.h) turned into a form that is fast to run
 * against one event view (rules_view.h) at a time.
 *
 *   struct re_engine *e;
 *   re_engine__new(rs, &opts, &e);                 rs must outlive e
 *   for each event: re_engine__eval(e, &view, on_match, ctx);
 *   re_engine__free(e);
 *
 * Compiling: every enabled LOADED rule (at or above opts.min_priority) becomes a tree of
 * compiled checks. Fields are resolved to catalogue entries and their argument parsed once;
 * the right-hand values are converted to the field's type once (numbers parsed, addresses and
 * networks parsed, text kept with its length); `in`/`intersects` over more than a few values
 * use a hash set, `pmatch` and lists of prefixes a sorted prefix table, `regex` a compiled
 * POSIX extended regex; macros are inlined. Within an and/or, checks that are cheaper to decide
 * (event type, numbers, plain text compares) run before costlier ones (ancestors, regex,
 * globs), since their order does not change the result.
 *
 * Evaluating: rules are indexed by event type, so an event only meets the rules that can match
 * its type (rules_rule.events); within those, rules run in definition order, and every match is
 * reported (as Falco does, each matching rule raises its own alert).
 */
#ifndef VIGIL_RULES_EVAL_H
#define VIGIL_RULES_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules_load.h"
#include "rules_view.h"

struct re_opts {
	size_t sz; /* sizeof(struct re_opts), so that it can grow */
	enum rules_priority min_priority; /* rules less severe than this are left out (DEBUG:
					   * none is) */
	const char *only_rule; /* when set, compile only this rule (--explain, tests) */
};

struct re_engine;

struct re_stats {
	uint64_t events;		 /* evaluated */
	uint64_t matches;		 /* rule matches reported */
	uint64_t checks;		 /* checks run */
	uint64_t per_type[VG_EV_MAX]; /* events evaluated, by type */
};

/* Compile rs. Returns 0, -ENOMEM, or -EINVAL when a rule cannot be compiled (a regex that
 * does not compile, a value that is not of the field's type, a condition nested deeper than
 * the evaluator recurses): such a rule is left out and reported once through the log with its
 * name and position, the others are kept (*out is set on -EINVAL too; NULL on -ENOMEM).
 * opts may be NULL: every rule, DEBUG included. */
int re_engine__new(const struct rules_set *rs, const struct re_opts *opts, struct re_engine **out);
void re_engine__free(struct re_engine *e);

/* Rules compiled, and the event types they can match (RF_EV bits), for the kernel side. */
size_t re_engine__nrules(const struct re_engine *e);
const struct rules_rule *re_engine__rule(const struct re_engine *e, size_t i);
uint64_t re_engine__events(const struct re_engine *e);

/* Run every rule that can match ev's type; call on_match for each rule that matches, in
 * definition order. on_match returns 0 to go on, nonzero to stop. Returns the number of
 * matches. The engine keeps per-event state (the stats, the results of checks that rules
 * share): one engine per thread. */
typedef int (*re_match_fn)(void *ctx, const struct rules_rule *r, const struct rv_event *ev);
int re_engine__eval(struct re_engine *e, const struct rv_event *ev, re_match_fn on_match,
		    void *ctx);

/*
 * Why rule `name` did or did not match ev: one line per check that was decided on the way,
 * "FILE:LINE:COL: field op value -> true|false (value seen: ...)", the clause that settled it
 * last, ending with "=> match" or "=> no match". Also "not for this event type" when the rule
 * cannot match ev's type. Returns the length (as snprintf), -ENOENT when the rule is not
 * compiled in e.
 */
int re_engine__explain(struct re_engine *e, const char *name, const struct rv_event *ev,
		       char *buf, size_t size);

void re_engine__stats(const struct re_engine *e, struct re_stats *out);

#endif /* VIGIL_RULES_EVAL_H */
