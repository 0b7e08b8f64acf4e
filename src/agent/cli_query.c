/* SPDX-License-Identifier: Apache-2.0 */
/* `vigil query`: events and alerts from the evidence store, filtered, as a table or as the
 * stored JSON lines; --follow keeps printing new ones. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>

#include "cli_store.h"
#include "config.h"
#include "rfc3339.h"
#include "rules_alert.h"
#include "rules_load.h"
#include "store.h"
#include "store_query.h"

static const char usage[] =
	"usage: vigil query [options]\n"
	"\n"
	"Events and alerts kept in the evidence store (docs/store.md), oldest first: the newest\n"
	"--limit of those that match every option given.\n"
	"\n"
	"options:\n"
	"  --db PATH            the store (default /var/lib/vigil/vigil.db)\n"
	"  --since TIME         at or after TIME: RFC 3339 (2026-11-21T10:00:00Z), a date\n"
	"                       (2026-11-21), or a time before now: 30s, 10m, 2h, 7d, 1w\n"
	"  --until TIME         before TIME (same forms)\n"
	"  --namespace NS       Kubernetes namespace\n"
	"  --pod NAME           pod name\n"
	"  --container ID       container id, or its first digits (the short id)\n"
	"  --rule NAME          alerts of this rule\n"
	"  --priority LEVEL     alerts at or above LEVEL: emergency ... debug\n"
	"  --type TYPE          event type (open, exec, connect...; alerts: their event's)\n"
	"  --proc NAME          process: its comm, or with a '/' its binary path\n"
	"  --path PATH          file path: exact, or a prefix when it ends in / or *\n"
	"  --alerts, --events   only alerts, only events (default both)\n"
	"  --limit N            at most N rows, the newest (default 100, 0: all)\n"
	"  --json               the stored JSON lines instead of a table\n"
	"  --follow             then print new rows as they are stored, until interrupted\n"
	"  -h, --help           this text\n";

enum {
	O_DB = 256, O_SINCE, O_UNTIL, O_NS, O_POD, O_CONTAINER, O_RULE, O_PRIO, O_TYPE, O_PROC,
	O_PATH, O_ALERTS, O_EVENTS, O_LIMIT, O_JSON, O_FOLLOW,
};

static const struct option opts[] = {
	{ "db", required_argument, NULL, O_DB },
	{ "since", required_argument, NULL, O_SINCE },
	{ "until", required_argument, NULL, O_UNTIL },
	{ "namespace", required_argument, NULL, O_NS },
	{ "pod", required_argument, NULL, O_POD },
	{ "container", required_argument, NULL, O_CONTAINER },
	{ "rule", required_argument, NULL, O_RULE },
	{ "priority", required_argument, NULL, O_PRIO },
	{ "type", required_argument, NULL, O_TYPE },
	{ "proc", required_argument, NULL, O_PROC },
	{ "path", required_argument, NULL, O_PATH },
	{ "alerts", no_argument, NULL, O_ALERTS },
	{ "events", no_argument, NULL, O_EVENTS },
	{ "limit", required_argument, NULL, O_LIMIT },
	{ "json", no_argument, NULL, O_JSON },
	{ "follow", no_argument, NULL, O_FOLLOW },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct query_opts {
	struct store_filter f;
	char db[4096];
	bool json, follow;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Options that take a time, a priority or a number; the others are stored as given. */
static int parse_value(int c, const char *arg, struct query_opts *o, uint64_t now)
{
	enum rules_priority p;
	char *end;

	switch (c) {
	case O_SINCE: case O_UNTIL:
		if (store_time__arg(arg, now, c == O_SINCE ? &o->f.since_ns : &o->f.until_ns)) {
			fprintf(stderr, "vigil query: --%s %s: expected an RFC 3339 time "
					"(2026-11-21T10:00:00Z), a date (2026-11-21) or a time "
					"before now (10m, 2h, 7d)\n",
				c == O_SINCE ? "since" : "until", arg);
			return -EINVAL;
		}
		return 0;
	case O_PRIO:
		if (rules_priority__parse(arg, &p)) {
			fprintf(stderr, "vigil query: --priority %s: expected emergency, alert, "
					"critical, error, warning, notice, informational or debug\n",
				arg);
			return -EINVAL;
		}
		o->f.max_prio = (int)p;
		return 0;
	case O_LIMIT:
		errno = 0;
		unsigned long n = strtoul(arg, &end, 10);

		if (errno || end == arg || *end || arg[0] == '-' || n > 100000000) {
			fprintf(stderr, "vigil query: --limit %s: expected a whole number from "
					"0 to 100000000\n", arg);
			return -EINVAL;
		}
		o->f.limit = (unsigned)n;
		return 0;
	}
	return -EINVAL;
}

static int parse_opt(int c, const char *arg, struct query_opts *o, uint64_t now)
{
	switch (c) {
	case O_DB:
		if (!*arg || strlen(arg) >= sizeof(o->db))
			return fprintf(stderr, "vigil query: --db: bad path\n"), -EINVAL;
		strcpy(o->db, arg);
		return 0;
	case O_NS: o->f.ns = arg; return 0;
	case O_POD: o->f.pod = arg; return 0;
	case O_CONTAINER: o->f.container = arg; return 0;
	case O_RULE: o->f.rule = arg; return 0;
	case O_TYPE: o->f.type = arg; return 0;
	case O_PROC: o->f.proc = arg; return 0;
	case O_PATH: o->f.path = arg; return 0;
	case O_ALERTS: o->f.alerts = true; return 0;
	case O_EVENTS: o->f.events = true; return 0;
	case O_JSON: o->json = true; return 0;
	case O_FOLLOW: o->follow = true; return 0;
	}
	return parse_value(c, arg, o, now);
}

static int parse_args(int argc, char **argv, struct query_opts *o)
{
	uint64_t now = (uint64_t)time(NULL) * 1000000000ull;
	int c;

	memset(o, 0, sizeof(*o));
	o->f.max_prio = -1;
	o->f.limit = 100;
	snprintf(o->db, sizeof(o->db), "%s", VG_STORE_PATH_DEFAULT);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return 1;
		}
		if (c == '?' || parse_opt(c, optarg, o, now))
			return c == '?' ? (fputs(usage, stderr), -EINVAL) : -EINVAL;
	}
	if (optind < argc) {
		fprintf(stderr, "vigil query: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (o->f.since_ns && o->f.until_ns && o->f.until_ns <= o->f.since_ns) {
		fprintf(stderr, "vigil query: --until is not after --since\n");
		return -EINVAL;
	}
	return 0;
}

/* A table cell: control characters shown as '?', cut to `width` characters (UTF-8 aware,
 * ending in "..."), padded unless it is the last column (width 0: whole). */
static void put_cell(const char *s, int width)
{
	int chars = 0, cut = 0;

	if (!s || !*s)
		s = "-";
	for (const char *p = s; *p; p++)
		chars += ((unsigned char)*p & 0xc0) != 0x80;
	if (width && chars > width)
		cut = width - 3;
	chars = 0;
	for (const char *p = s; *p; p++) {
		bool start = ((unsigned char)*p & 0xc0) != 0x80;

		if (cut && start && chars == cut)
			break;
		chars += start;
		putchar((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p);
	}
	if (cut) {
		fputs("...", stdout);
		chars += 3;
	}
	for (; width && chars < width + 2; chars++)
		putchar(' ');
}

static const char *col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

static void print_row(sqlite3_stmt *s, bool json)
{
	char t[40], who[160], proc[64];
	int kind = sqlite3_column_int(s, SQ_KIND);

	if (json) {
		puts(col(s, SQ_LINE) ? col(s, SQ_LINE) : "{}");
		return;
	}
	rfc3339__format((uint64_t)sqlite3_column_int64(s, SQ_TIME), 3, t, sizeof(t));
	put_cell(t, 24);
	put_cell(kind == 1 ? rules_priority__name(sqlite3_column_int(s, SQ_PRIO)) : "event", 13);
	put_cell(kind == 1 ? col(s, SQ_RULE) : col(s, SQ_TYPE), 30);
	if (col(s, SQ_NS) || col(s, SQ_POD))
		snprintf(who, sizeof(who), "%s/%s", col(s, SQ_NS) ? col(s, SQ_NS) : "?",
			 col(s, SQ_POD) ? col(s, SQ_POD) : "?");
	else
		snprintf(who, sizeof(who), "%s", col(s, SQ_CONTAINER) ? "-" : "host");
	put_cell(who, 28);
	snprintf(t, 13, "%s", col(s, SQ_CONTAINER) ? col(s, SQ_CONTAINER) : "-");
	put_cell(t, 12);
	snprintf(proc, sizeof(proc), "%s[%lld]", col(s, SQ_COMM) ? col(s, SQ_COMM) : "?",
		 sqlite3_column_int64(s, SQ_PID));
	put_cell(proc, 22);
	put_cell(col(s, SQ_PATH), 0);
	putchar('\n');
}

static void print_header(void)
{
	printf("%-26s%-15s%-32s%-30s%-14s%-24s%s\n", "TIME", "KIND", "TYPE/RULE", "NAMESPACE/POD",
	       "CONTAINER", "PROCESS", "PATH");
}

/* Run the filter once; prints the rows and keeps the highest id seen in *last_id. */
static int run_once(sqlite3 *db, const struct store_filter *f, bool json, int64_t *last_id)
{
	struct store_sql *q = malloc(sizeof(*q));
	sqlite3_stmt *s = NULL;
	int rc;

	if (!q || store_query__sql(f, q)) {
		fprintf(stderr, "vigil query: %s\n", q ? "the query is too long" : "out of memory");
		free(q);
		return -ENOMEM;
	}
	rc = sqlite3_prepare_v2(db, q->text, -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = store_sql__bind(q, s);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		print_row(s, json);
		if (sqlite3_column_int64(s, SQ_ID) > *last_id)
			*last_id = sqlite3_column_int64(s, SQ_ID);
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE)
		fprintf(stderr, "vigil query: %s\n", sqlite3_errmsg(db));
	sqlite3_finalize(s);
	free(q);
	fflush(stdout);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

static int64_t max_id(sqlite3 *db)
{
	sqlite3_stmt *s;
	int64_t id = 0;

	if (sqlite3_prepare_v2(db, "SELECT max(id) FROM records", -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			id = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	return id;
}

/* --follow: every 200 ms, what was inserted after last_id, until SIGINT or SIGTERM. */
static int follow(sqlite3 *db, struct store_filter f, bool json, int64_t last_id)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec nap = { 0, 200 * 1000000L };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	f.limit = 10000;
	f.since_ns = f.until_ns = 0; /* new rows are wanted whatever their time */
	while (!stop) {
		nanosleep(&nap, NULL);
		f.after_id = last_id ? last_id : -1;
		if (!stop && run_once(db, &f, json, &last_id))
			return 1;
	}
	return 0;
}

int cli_query(int argc, char **argv)
{
	struct query_opts o;
	char err[4400];
	int64_t last_id = 0;
	sqlite3 *db;
	int rc = parse_args(argc, argv, &o);

	if (rc)
		return rc > 0 ? 0 : 2;
	if (store__open_ro(o.db, &db, err, sizeof(err))) {
		fprintf(stderr, "vigil query: %s\n", err);
		return 1;
	}
	if (!o.json)
		print_header();
	/* one snapshot for the rows shown and the last id, so that --follow goes on exactly
	 * after what the first query saw (rows older than those shown included) */
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	rc = run_once(db, &o.f, o.json, &last_id) ? 1 : 0;
	last_id = max_id(db);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (!rc && o.follow)
		rc = follow(db, o.f, o.json, last_id);
	sqlite3_close(db);
	return rc;
}
