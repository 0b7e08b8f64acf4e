// SPDX-License-Identifier: Apache-2.0
/*
 * `vigil rules test`: run Falco rules offline over recorded vigil events (JSON lines), and
 * print the alerts `vigil run` would have raised, in Falco's JSON format; or, with --explain,
 * why one rule did or did not match each event it could.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_rules.h"
#include "rules_eval.h"
#include "rules_load.h"

const char rules_test_usage[] =
    "usage: vigil rules test --rules FILE|DIR [--rules ...] --events FILE.jsonl\n"
    "                        [--explain RULE] [--min-priority PRIORITY]\n"
    "\n"
    "Load the rule files in the order given (as `vigil rules validate` does; errors and\n"
    "warnings go to stderr), then replay the events of FILE.jsonl (the output of `vigil run`;\n"
    "- for stdin) through them and print one alert per match on stdout, in Falco's JSON\n"
    "format. A summary goes to stderr: events read, lines skipped (with the first errors),\n"
    "alerts per rule.\n"
    "\n"
    "options:\n"
    "  -r, --rules PATH         a rule file, or a directory of *.yaml; repeatable\n"
    "  -e, --events FILE        recorded events, one JSON object per line (- for stdin)\n"
    "  -x, --explain RULE       instead of alerts, print for each event of the rule's types\n"
    "                           why it matched or not: every check decided, with the value seen\n"
    "  -p, --min-priority P     leave out rules less severe than P (emergency .. debug)\n"
    "  -h, --help               this text\n"
    "\n"
    "Exit status: 0 when the events were replayed (with or without alerts), 1 when the rules\n"
    "had errors or the events could not be read, 2 on usage errors.\n";

struct test_opts {
	const char *rules[RULES_FILES_MAX];
	size_t nrules;
	const char *events, *explain;
	enum rules_priority min_prio;
};

static int usage_error(const char *fmt, const char *arg)
{
	fputs("vigil rules test: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n\n", stderr);
	fputs(rules_test_usage, stderr);
	return 2;
}

/* The value of option argv[*i], which needs one. */
static const char *opt_value(int argc, char **argv, int *i)
{
	return *i + 1 < argc ? argv[++*i] : NULL;
}

static bool is_opt(const char *a, const char *s, const char *l)
{
	return !strcmp(a, s) || !strcmp(a, l);
}

/* Returns 0, 2 for a usage error, or -1 after printing the help. */
static int opts_parse(int argc, char **argv, struct test_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;

		if (is_opt(a, "-h", "--help")) {
			fputs(rules_test_usage, stdout);
			return -1;
		}
		if (!is_opt(a, "-r", "--rules") && !is_opt(a, "-e", "--events") &&
		    !is_opt(a, "-x", "--explain") && !is_opt(a, "-p", "--min-priority"))
			return usage_error(a[0] == '-' ? "unknown option '%s'" : "unexpected '%s'",
					   a);
		if (!(v = opt_value(argc, argv, &i)))
			return usage_error("%s needs a value", a);
		if (is_opt(a, "-r", "--rules")) {
			if (o->nrules == RULES_FILES_MAX)
				return usage_error("more than %s rule paths", "256");
			o->rules[o->nrules++] = v;
		} else if (is_opt(a, "-e", "--events")) {
			o->events = v;
		} else if (is_opt(a, "-x", "--explain")) {
			o->explain = v;
		} else if (rules_priority__parse(v, &o->min_prio)) {
			return usage_error("--min-priority %s: not a priority", v);
		}
	}
	if (!o->nrules)
		return usage_error("%s", "no --rules given");
	if (!o->events)
		return usage_error("%s", "no --events given");
	return 0;
}

/* Load and compile the rules; errors and warnings to stderr. NULL when they had errors. */
static struct rules_set *rules_get(const struct test_opts *o)
{
	struct rules_set *rs = rules_set__new();
	int ret;

	if (!rs) {
		fputs("vigil rules test: out of memory\n", stderr);
		return NULL;
	}
	for (size_t i = 0; i < o->nrules; i++)
		rules_set__load_path(rs, o->rules[i]);
	ret = rules_set__compile(rs);
	cli_rules__print_diags(rs, stderr);
	if (ret || rules_set__nerrors(rs)) {
		fprintf(stderr, "vigil rules test: the rules have %zu errors: nothing replayed\n",
			rules_set__nerrors(rs));
		rules_set__free(rs);
		return NULL;
	}
	return rs;
}

/* --explain of a rule that is not compiled: why (2 when there is no such rule at all). */
static int explain_missing(const struct rules_set *rs, const char *name)
{
	const struct rules_rule *r = rules_set__find_rule(rs, name);

	if (!r) {
		fprintf(stderr, "vigil rules test: --explain: no rule named '%s'\n", name);
		return 2;
	}
	if (r->status != RULES_LOADED)
		fprintf(stderr, "vigil rules test: rule '%s' is not run: %s\n", name,
			r->reason ? r->reason : "it did not load");
	else if (!r->enabled)
		fprintf(stderr, "vigil rules test: rule '%s' is disabled\n", name);
	else
		fprintf(stderr,
			"vigil rules test: rule '%s' is not run (below --min-priority, or "
			"its condition did not compile)\n",
			name);
	return 1;
}

static struct re_engine *engine_get(const struct rules_set *rs, const struct test_opts *o,
				    int *status)
{
	struct re_opts ro = {
	    .sz = sizeof(ro), .min_priority = o->min_prio, .only_rule = o->explain};
	struct re_engine *e = NULL;
	int ret = re_engine__new(rs, &ro, &e);

	if (ret == -EINVAL) /* the others run; which one and why is in the log */
		fputs("vigil rules test: some rules could not be compiled (see above)\n", stderr);
	if (!e) {
		fprintf(stderr, "vigil rules test: %s\n", strerror(-ret));
		*status = 1;
		return NULL;
	}
	*status = ret ? 1 : 0;
	if (o->explain && !re_engine__nrules(e)) {
		*status = explain_missing(rs, o->explain);
		re_engine__free(e);
		return NULL;
	}
	return e;
}

int cli_rules_test(int argc, char **argv)
{
	struct test_opts o = {.min_prio = RULES_PRIO_DEBUG};
	struct rules_set *rs;
	struct re_engine *e;
	int ret = opts_parse(argc, argv, &o), status;

	if (ret)
		return ret < 0 ? 0 : ret;
	if (!(rs = rules_get(&o)))
		return 1;
	e = engine_get(rs, &o, &status);
	if (e) {
		ret = cli_rules__replay(e, o.events, o.explain);
		status = ret ? ret : status;
	}
	re_engine__free(e);
	rules_set__free(rs);
	return status;
}
