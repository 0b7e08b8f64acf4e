// SPDX-License-Identifier: Apache-2.0
/*
 * `vigil rules validate FILE|DIR...`: load Falco rule files in order as `vigil run` will, print
 * every error and warning as FILE:LINE:COLUMN: severity: message, then what each file gave.
 * `vigil rules test` is in cli_rules_test.c.
 */
#include <stdio.h>
#include <string.h>

#include "cli_rules.h"
#include "rules_load.h"

static const char rules_usage[] =
    "usage: vigil rules validate [-v] FILE|DIR...\n"
    "       vigil rules test --rules FILE|DIR [--rules ...] --events FILE.jsonl\n"
    "                        [--explain RULE] [--min-priority PRIORITY]\n"
    "       vigil rules fields [--markdown]\n"
    "\n"
    "validate:\n"
    "Load Falco rule files in the order given (a directory: its *.yaml files in name order;\n"
    "later files customise earlier ones), check every condition against the fields and event\n"
    "types vigil provides, and print each error and warning as FILE:LINE:COLUMN: ..., then a\n"
    "summary per file: rules loaded, skipped (with the reason) and failed, macros, lists,\n"
    "and each loaded rule with an action or a mode as MODE: RULE: action ACTION.\n"
    "\n"
    "A rule is skipped, not failed, when vigil cannot run it: it uses a field vigil does not\n"
    "provide, needs event types vigil does not produce, or has another source than syscall.\n"
    "\n"
    "options:\n"
    "  -v, --verbose   also list the rules vigil covers in part, and why\n"
    "  -h, --help      this text\n"
    "\n"
    "Exit status: 0 when every file loaded without errors, 1 on errors, 2 on usage errors.\n"
    "\n"
    "test: replay recorded events (the output of `vigil run`) through the rules and print\n"
    "the alerts in Falco's JSON format; `vigil rules test --help` says more.\n"
    "\n"
    "fields: the fields, evt.arg names and event types rules can use (--markdown: as the\n"
    "tables of docs/rules.md).\n";

void cli_rules__print_diags(const struct rules_set *rs, FILE *out)
{
	for (size_t i = 0; i < rules_set__ndiags(rs); i++) {
		const struct rules_diag *d = rules_set__diag(rs, i);
		const char *sev = d->severity == RULES_ERROR ? "error" : "warning";

		if (d->file && d->line)
			fprintf(out, "%s:%u:%u: %s: %s\n", d->file, d->line, d->col, sev, d->msg);
		else if (d->file)
			fprintf(out, "%s: %s: %s\n", d->file, sev, d->msg);
		else
			fprintf(out, "vigil: %s: %s\n", sev, d->msg);
	}
	if (rules_set__dropped_diags(rs))
		fprintf(out, "vigil: ... and %zu more messages\n", rules_set__dropped_diags(rs));
}

static void print_requirements(const struct rules_file *f)
{
	if (f->engine_version)
		printf("  requires Falco engine %s\n", f->engine_version);
	for (size_t i = 0; i < f->nplugins; i++)
		printf("  requires plugin %s\n", f->plugins[i]);
}

/* The rules of one file that did not load or that enforce (or set a mode), and with -v those
 * vigil covers in part. */
static void print_rules(const struct rules_set *rs, const struct rules_file *f, bool verbose)
{
	for (size_t i = 0; i < rules_set__nrules(rs); i++) {
		const struct rules_rule *r = rules_set__rule(rs, i);

		if (r->file != f->path)
			continue;
		if (r->status != RULES_LOADED)
			printf("  %s: %s: %s\n", r->status == RULES_SKIPPED ? "skipped" : "failed",
			       r->name, r->reason);
		else if (r->action != RULES_ACT_NONE || r->mode != RULES_MODE_UNSET)
			printf("  %s: %s: action %s\n", rules_mode__name(rules_rule__mode(r)),
			       r->name, rules_action__name(r->action));
		for (size_t j = 0; verbose && j < r->nnotes; j++)
			printf("  partial: %s: %s\n", r->name, r->notes[j]);
	}
}

static void print_summary(const struct rules_set *rs, bool verbose)
{
	unsigned rules = 0, loaded = 0, disabled = 0, skipped = 0, failed = 0;

	for (size_t i = 0; i < rules_set__nfiles(rs); i++) {
		const struct rules_file *f = rules_set__file(rs, i);

		if (f->failed) {
			printf("%s: not loaded\n", f->path);
			continue;
		}
		printf("%s: %u rules: %u loaded (%u disabled), %u skipped, %u failed; %u macros, "
		       "%u lists\n",
		       f->path, f->rules, f->loaded, f->disabled, f->skipped, f->errored, f->macros,
		       f->lists);
		print_requirements(f);
		print_rules(rs, f, verbose);
		rules += f->rules;
		loaded += f->loaded;
		disabled += f->disabled;
		skipped += f->skipped;
		failed += f->errored;
	}
	if (rules_set__nfiles(rs) > 1)
		printf(
		    "total: %u rules: %u loaded (%u disabled), %u skipped, %u failed; %zu errors\n",
		    rules, loaded, disabled, skipped, failed, rules_set__nerrors(rs));
}

static int validate(int argc, char **argv)
{
	struct rules_set *rs;
	bool verbose = false;
	int first = 1, ret;

	for (; first < argc && argv[first][0] == '-'; first++) {
		if (!strcmp(argv[first], "-h") || !strcmp(argv[first], "--help")) {
			fputs(rules_usage, stdout);
			return 0;
		}
		if (strcmp(argv[first], "-v") && strcmp(argv[first], "--verbose")) {
			fprintf(stderr, "vigil rules validate: unknown option '%s'\n", argv[first]);
			return 2;
		}
		verbose = true;
	}
	if (first == argc) {
		fputs("vigil rules validate: no rule file given\n\n", stderr);
		fputs(rules_usage, stderr);
		return 2;
	}
	rs = rules_set__new();
	if (!rs) {
		fputs("vigil rules validate: out of memory\n", stderr);
		return 1;
	}
	for (int i = first; i < argc; i++)
		rules_set__load_path(rs, argv[i]);
	ret = rules_set__compile(rs);
	cli_rules__print_diags(rs, stdout);
	print_summary(rs, verbose);
	ret = ret || rules_set__nerrors(rs) ? 1 : 0;
	rules_set__free(rs);
	return ret;
}

int cli_rules(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub || !strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
		fputs(rules_usage, sub ? stdout : stderr);
		return sub ? 0 : 2;
	}
	if (!strcmp(sub, "validate"))
		return validate(argc - 1, argv + 1);
	if (!strcmp(sub, "fields"))
		return cli_rules_fields(argc - 1, argv + 1);
	if (!strcmp(sub, "test"))
		return cli_rules_test(argc - 1, argv + 1);
	fprintf(stderr, "vigil rules: unknown command '%s'\n\n%s", sub, rules_usage);
	return 2;
}
