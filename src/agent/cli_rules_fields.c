// SPDX-License-Identifier: Apache-2.0
/*
 * `vigil rules fields [--markdown]`: the Falco fields vigil provides (rules_fields.h), with
 * their type, argument, the event types that carry them and where vigil takes the value from,
 * then the evt.arg names. The Markdown form is the table in docs/rules.md; a unit test keeps
 * the two equal.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli_rules.h"
#include "rules_fields.h"

static const char fields_usage[] =
    "usage: vigil rules fields [--markdown]\n"
    "\n"
    "List the Falco fields vigil provides to rule conditions and outputs: name, type,\n"
    "argument, the event types whose records carry it, and where vigil takes the value from;\n"
    "then the evt.arg.NAME arguments. A rule using any other field is skipped.\n"
    "\n"
    "options:\n"
    "  --markdown   print Markdown tables (the ones in docs/rules.md)\n"
    "  -h, --help   this text\n";

/* vigil's event type names, by VG_EV_* value */
static const char *const ev_names[VG_EV_MAX] = {
#define CLI_X_NAME(name, val, str, layout) [val] = str,
    VG_EVENT_TYPES(CLI_X_NAME)
#undef CLI_X_NAME
};

/* Groups named instead of their members, largest first (as `vigil run --events` groups). */
static const struct {
	const char *name;
	uint64_t mask;
} ev_groups[] = {
    {"all", RF_EV_ALL},		  {"syscall events", RF_EV_SYSCALL},
    {"process events", RF_EV_PROCESS}, {"file events", RF_EV_FILE},
    {"network events", RF_EV_NET},	  {"privilege events", RF_EV_PRIV},
};

static unsigned popcount64(uint64_t m)
{
	return (unsigned)__builtin_popcountll(m);
}

static void put_sep(FILE *out, bool *first)
{
	if (!*first)
		fputs(", ", out);
	*first = false;
}

/* A group the mask holds whole, or all but one member of ("network events except socket"). */
static uint64_t put_group(FILE *out, uint64_t mask, size_t g, bool *first)
{
	uint64_t gm = ev_groups[g].mask, missing = gm & ~mask;

	if (!missing) {
		put_sep(out, first);
		fputs(ev_groups[g].name, out);
		return gm;
	}
	if (popcount64(gm) > 2 && popcount64(missing) == 1) {
		put_sep(out, first);
		fprintf(out, "%s except %s", ev_groups[g].name,
			ev_names[__builtin_ctzll(missing)]);
		return gm;
	}
	return 0;
}

/* The event types of a mask, by group where a group is whole, then one by one. */
static void put_events(FILE *out, uint64_t mask)
{
	bool first = true;

	for (size_t g = 0; g < sizeof(ev_groups) / sizeof(ev_groups[0]); g++)
		mask &= ~put_group(out, mask, g, &first);
	for (int t = 0; t < VG_EV_MAX; t++) {
		if (!(mask & (1ull << t)) || !ev_names[t])
			continue;
		put_sep(out, &first);
		fputs(ev_names[t], out);
	}
}

static const char *arg_text(const struct rf_field *f)
{
	switch (f->arg) {
	case RF_ARG_INDEX:
		return f->flags & RF_ARG_OPTIONAL ? "[N], optional" : "[N]";
	case RF_ARG_KEY:
		return f->flags & RF_ARG_DOTTED ? "[name] or .name" : "[name]";
	default:
		return "";
	}
}

/* Text for a Markdown cell: '|' would end the cell. */
static void put_cell(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', out);
		fputc(*s, out);
	}
}

static void markdown_fields(FILE *out)
{
	fputs("| field | type | argument | event types | where vigil takes it from |\n"
	      "|---|---|---|---|---|\n",
	      out);
	for (unsigned i = 0; i < rules_fields__count(); i++) {
		const struct rf_field *f = rules_fields__get((enum rf_id)i);

		fprintf(out, "| `%s` | %s | %s | ", f->name, rules_fields__type_name(f->type),
			arg_text(f));
		put_events(out, f->events);
		fputs(" | ", out);
		put_cell(out, f->source);
		fputs(" |\n", out);
	}
}

static void markdown_args(FILE *out)
{
	fputs("| argument | event types | where vigil takes it from |\n"
	      "|---|---|---|\n",
	      out);
	for (unsigned i = 0; i < rules_fields__arg_count(); i++) {
		const struct rf_arg *a = rules_fields__arg_at(i);

		fprintf(out, "| `evt.arg.%s` | ", a->name);
		put_events(out, a->events);
		fputs(" | ", out);
		put_cell(out, a->source);
		fputs(" |\n", out);
	}
}

void cli_rules_fields__markdown(FILE *out)
{
	markdown_fields(out);
	fputs("\nArguments of `evt.arg.NAME` (also `evt.arg[NAME]`), all of type text:\n\n", out);
	markdown_args(out);
}

static void text_fields(FILE *out)
{
	for (unsigned i = 0; i < rules_fields__count(); i++) {
		const struct rf_field *f = rules_fields__get((enum rf_id)i);
		const char *arg = arg_text(f);

		fprintf(out, "%-28s %-8s %s%s", f->name, rules_fields__type_name(f->type), arg,
			*arg ? "; " : "");
		put_events(out, f->events);
		fprintf(out, "\n    %s\n", f->source);
	}
}

static void text_args(FILE *out)
{
	fputs("\nevt.arg.NAME (text):\n", out);
	for (unsigned i = 0; i < rules_fields__arg_count(); i++) {
		const struct rf_arg *a = rules_fields__arg_at(i);

		fprintf(out, "evt.arg.%-20s ", a->name);
		put_events(out, a->events);
		fprintf(out, "\n    %s\n", a->source);
	}
}

int cli_rules_fields(int argc, char **argv)
{
	bool markdown = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(fields_usage, stdout);
			return 0;
		}
		if (strcmp(argv[i], "--markdown")) {
			fprintf(stderr, "vigil rules fields: unknown argument '%s'\n\n%s", argv[i],
				fields_usage);
			return 2;
		}
		markdown = true;
	}
	if (markdown) {
		cli_rules_fields__markdown(stdout);
	} else {
		text_fields(stdout);
		text_args(stdout);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
