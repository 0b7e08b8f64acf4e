/* SPDX-License-Identifier: Apache-2.0 */
/* `vigil report`: who read or wrote given files and when, from the evidence store, as a
 * compliance-style report (Markdown or CSV): a summary per (pod, container, process, user,
 * path, access), then every access. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>

#include "cli_store.h"
#include "config.h"
#include "rfc3339.h"
#include "store.h"
#include "store_query.h"

static const char usage[] =
	"usage: vigil report --path PATH [--path PATH...] [options]\n"
	"\n"
	"Who (namespace/pod or host, container, process binary, uid) read, wrote, deleted,\n"
	"renamed or changed the mode or owner of files under the given paths, and when, from\n"
	"the file events (and alerts) kept in the evidence store (docs/store.md): a summary\n"
	"grouped by pod, container, process, user, path and access, then every access.\n"
	"\n"
	"options:\n"
	"  --path PATH          a file, or a directory or prefix when it ends in / or *\n"
	"                       (repeatable, up to 64)\n"
	"  --since TIME         at or after TIME: RFC 3339, a date (2026-11-21) or a time\n"
	"                       before now (10m, 2h, 7d, 1w)\n"
	"  --until TIME         before TIME (same forms)\n"
	"  --db PATH            the store (default /var/lib/vigil/vigil.db)\n"
	"  --format FORMAT      markdown (default) or csv\n"
	"  --output FILE        write the report to FILE instead of stdout\n"
	"  -h, --help           this text\n";

enum { R_PATH = 256, R_SINCE, R_UNTIL, R_DB, R_FORMAT, R_OUTPUT };

static const struct option opts[] = {
	{ "path", required_argument, NULL, R_PATH },
	{ "since", required_argument, NULL, R_SINCE },
	{ "until", required_argument, NULL, R_UNTIL },
	{ "db", required_argument, NULL, R_DB },
	{ "format", required_argument, NULL, R_FORMAT },
	{ "output", required_argument, NULL, R_OUTPUT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct report {
	const char *paths[STORE_REPORT_MAX_PATHS];
	size_t npaths;
	uint64_t since, until;
	char db[4096];
	bool csv;
	const char *output;
	FILE *out;
	sqlite3 *conn;
};

static int bad(const char *opt, const char *arg, const char *want)
{
	fprintf(stderr, "vigil report: --%s %s: %s\n", opt, arg, want);
	return -EINVAL;
}

static int parse_opt(int c, const char *arg, struct report *r, uint64_t now)
{
	switch (c) {
	case R_PATH:
		if (!*arg)
			return bad("path", "''", "an empty path");
		if (r->npaths == STORE_REPORT_MAX_PATHS)
			return bad("path", arg, "more than 64 paths");
		r->paths[r->npaths++] = arg;
		return 0;
	case R_SINCE: case R_UNTIL:
		if (store_time__arg(arg, now, c == R_SINCE ? &r->since : &r->until))
			return bad(c == R_SINCE ? "since" : "until", arg,
				   "expected an RFC 3339 time (2026-11-21T10:00:00Z), a date "
				   "(2026-11-21) or a time before now (10m, 2h, 7d)");
		return 0;
	case R_DB:
		if (!*arg || strlen(arg) >= sizeof(r->db))
			return bad("db", arg, "bad path");
		strcpy(r->db, arg);
		return 0;
	case R_FORMAT:
		if (strcmp(arg, "markdown") && strcmp(arg, "md") && strcmp(arg, "csv"))
			return bad("format", arg, "expected markdown or csv");
		r->csv = !strcmp(arg, "csv");
		return 0;
	case R_OUTPUT:
		r->output = arg;
		return 0;
	}
	return -EINVAL;
}

/* 0, 1 after --help, or -EINVAL (message printed). */
static int parse_args(int argc, char **argv, struct report *r)
{
	uint64_t now = (uint64_t)time(NULL) * 1000000000ull;
	int c;

	memset(r, 0, sizeof(*r));
	snprintf(r->db, sizeof(r->db), "%s", VG_STORE_PATH_DEFAULT);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return fputs(usage, stdout), 1;
		if (c == '?')
			return fputs(usage, stderr), -EINVAL;
		if (parse_opt(c, optarg, r, now))
			return -EINVAL;
	}
	if (optind < argc)
		return fprintf(stderr, "vigil report: unexpected argument '%s'\n", argv[optind]),
		       -EINVAL;
	if (!r->npaths)
		return fprintf(stderr, "vigil report: --path is required\n\n%s", usage), -EINVAL;
	if (r->since && r->until && r->until <= r->since)
		return fprintf(stderr, "vigil report: --until is not after --since\n"), -EINVAL;
	return 0;
}

/* SQL function vg_access(kind, line): the access a stored line records (store_row__access). */
static void sql_access(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *line = (const char *)sqlite3_value_text(argv[1]);
	const char *a;

	(void)argc;
	a = line ? store_row__access(sqlite3_value_int(argv[0]), line,
				     (size_t)sqlite3_value_bytes(argv[1])) : NULL;
	if (a)
		sqlite3_result_text(ctx, a, -1, SQLITE_STATIC);
	else
		sqlite3_result_null(ctx);
}

/* One cell. Markdown: '|' escaped, line breaks and other control characters as spaces.
 * CSV (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled. */
static void cell(const struct report *r, const char *s, bool last)
{
	bool quote = r->csv && strpbrk(s, ",\"\r\n");

	if (!r->csv)
		fputs("| ", r->out);
	if (quote)
		fputc('"', r->out);
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (r->csv && c == '"')
			fputs("\"\"", r->out);
		else if (!r->csv && c == '|')
			fputs("\\|", r->out);
		else
			fputc(!r->csv && (c < 0x20 || c == 0x7f) ? ' ' : c, r->out);
	}
	if (quote)
		fputc('"', r->out);
	if (r->csv)
		fputc(last ? '\n' : ',', r->out);
	else
		fputs(last ? " |\n" : " ", r->out);
}

static const char *text(sqlite3_stmt *s, int i, const char *none)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	return t && *t ? t : none;
}

static void time_cell(const struct report *r, sqlite3_stmt *s, int i, bool last)
{
	char t[40];

	rfc3339__format((uint64_t)sqlite3_column_int64(s, i), 3, t, sizeof(t));
	cell(r, t, last);
}

/* The columns both tables start with: who, container, process, uid, path, access. */
static void who_cells(const struct report *r, sqlite3_stmt *s)
{
	char who[600], cont[16], uid[24];

	if (sqlite3_column_type(s, SR_NS) != SQLITE_NULL || sqlite3_column_type(s, SR_POD) !=
							       SQLITE_NULL)
		snprintf(who, sizeof(who), "%s/%s", text(s, SR_NS, "?"), text(s, SR_POD, "?"));
	else
		snprintf(who, sizeof(who), "%s", sqlite3_column_type(s, SR_CONTAINER) ==
							 SQLITE_NULL ? "host" : "(no pod)");
	snprintf(cont, sizeof(cont), "%.12s", text(s, SR_CONTAINER, r->csv ? "" : "-"));
	if (sqlite3_column_type(s, SR_UID) == SQLITE_NULL)
		snprintf(uid, sizeof(uid), "?");
	else
		snprintf(uid, sizeof(uid), "%lld", sqlite3_column_int64(s, SR_UID));
	if (r->csv) { /* namespace and pod apart, for spreadsheets */
		cell(r, text(s, SR_NS, ""), false);
		cell(r, text(s, SR_POD, ""), false);
	} else {
		cell(r, who, false);
	}
	cell(r, cont, false);
	cell(r, text(s, SR_BINARY, "?"), false);
	cell(r, uid, false);
	cell(r, text(s, SR_PATH, ""), false);
	cell(r, text(s, SR_ACCESS, "?"), false);
}

static void section_header(const struct report *r, bool summary)
{
	if (r->csv)
		return;
	if (summary)
		fputs("| Namespace/pod | Container | Process | UID | Path | Access | Count | First | "
		      "Last |\n|---|---|---|---:|---|---|---:|---|---|\n", r->out);
	else
		fputs("| Time | Namespace/pod | Container | Process | UID | Path | Access | PID | "
		      "Command |\n|---|---|---|---|---:|---|---|---:|---|\n", r->out);
}

static void print_row(const struct report *r, sqlite3_stmt *s, bool summary)
{
	char n[24];

	if (r->csv)
		cell(r, summary ? "summary" : "access", false);
	else if (!summary)
		time_cell(r, s, SR_TIME, false);
	who_cells(r, s);
	if (summary) {
		snprintf(n, sizeof(n), "%lld", sqlite3_column_int64(s, SR_COUNT));
		cell(r, n, false);
		time_cell(r, s, SR_FIRST, false);
		time_cell(r, s, SR_LAST, !r->csv);
		if (r->csv)
			cell(r, "", false), cell(r, "", false), cell(r, "", true);
		return;
	}
	if (r->csv)
		cell(r, "", false), cell(r, "", false), cell(r, "", false), time_cell(r, s, SR_TIME,
										      false);
	snprintf(n, sizeof(n), "%lld", sqlite3_column_int64(s, SR_PID));
	cell(r, n, false);
	cell(r, text(s, SR_COMM, ""), true);
}

/* One table: its rows as the query returns them. Rows printed, or -1 on an error. */
static long long run_section(struct report *r, bool summary)
{
	struct store_sql *q = malloc(sizeof(*q));
	sqlite3_stmt *s = NULL;
	long long n = 0;
	int rc;

	if (!q || store_report__sql(r->paths, r->npaths, r->since, r->until, summary, q)) {
		fprintf(stderr, "vigil report: %s\n", q ? "too many or too long paths" :
							  "out of memory");
		free(q);
		return -1;
	}
	rc = sqlite3_prepare_v2(r->conn, q->text, -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = store_sql__bind(q, s);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n++ == 0)
			section_header(r, summary);
		print_row(r, s, summary);
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "vigil report: %s: %s\n", r->db, sqlite3_errmsg(r->conn));
		n = -1;
	}
	sqlite3_finalize(s);
	free(q);
	return n;
}

static void print_intro(const struct report *r)
{
	char a[40], b[40];

	if (r->csv) {
		fputs("section,namespace,pod,container,process,uid,path,access,count,first,last,"
		      "time,pid,command\n", r->out);
		return;
	}
	fputs("# File access report\n\n- Paths:", r->out);
	for (size_t i = 0; i < r->npaths; i++)
		fprintf(r->out, "%s `%s`", i ? "," : "", r->paths[i]);
	rfc3339__format(r->since, 0, a, sizeof(a));
	rfc3339__format(r->until, 0, b, sizeof(b));
	fprintf(r->out, "\n- Period: %s to %s\n", r->since ? a : "the oldest record kept",
		r->until ? b : "the newest");
	rfc3339__format((uint64_t)time(NULL) * 1000000000ull, 0, a, sizeof(a));
	fprintf(r->out, "- Store: `%s`, read %s\n\n## Summary\n\n", r->db, a);
}

static int report_run(struct report *r)
{
	long long n;

	print_intro(r);
	n = run_section(r, true);
	if (n < 0)
		return 1;
	if (!r->csv && n == 0) {
		fputs("No access to these paths is kept for this period.\n", r->out);
		return 0;
	}
	if (!r->csv)
		fputs("\n## Accesses\n\n", r->out);
	return run_section(r, false) < 0 ? 1 : 0;
}

int cli_report(int argc, char **argv)
{
	struct report r;
	char err[4400];
	int rc = parse_args(argc, argv, &r);

	if (rc)
		return rc > 0 ? 0 : 2;
	if (store__open_ro(r.db, &r.conn, err, sizeof(err))) {
		fprintf(stderr, "vigil report: %s\n", err);
		return 1;
	}
	if (sqlite3_create_function(r.conn, "vg_access", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
				    NULL, sql_access, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "vigil report: %s\n", sqlite3_errmsg(r.conn));
		sqlite3_close(r.conn);
		return 1;
	}
	r.out = r.output ? fopen(r.output, "w") : stdout;
	if (!r.out) {
		fprintf(stderr, "vigil report: --output %s: %s\n", r.output, strerror(errno));
		sqlite3_close(r.conn);
		return 1;
	}
	rc = report_run(&r);
	if (r.output && fclose(r.out)) {
		fprintf(stderr, "vigil report: writing %s: %s\n", r.output, strerror(errno));
		rc = 1;
	}
	sqlite3_close(r.conn);
	return rc;
}
