/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQL behind `vigil query` and `vigil report` (cli_query.c, cli_report.c), built here
 * from their options so that it can be tested without the commands: filters become WHERE
 * terms with bound parameters (never text pasted into SQL), path and container prefixes
 * become index ranges, and --since/--until accept RFC 3339 or "10m"-style relative times.
 */
#ifndef VIGIL_STORE_QUERY_H
#define VIGIL_STORE_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sqlite3_stmt;

#define STORE_SQL_MAX_BINDS 160
#define STORE_REPORT_MAX_PATHS 64

/* What to select; NULL / 0 / -1 members do not filter. */
struct store_filter {
	uint64_t since_ns, until_ns; /* [since, until) */
	const char *ns, *pod, *rule, *type;
	const char *container; /* a prefix of the id: the 12-digit short form works */
	const char *proc;      /* the comm, or with a '/' the binary */
	const char *path;      /* exact, or a prefix when it ends in '/' or '*' */
	int max_prio;	       /* alerts at or above (0 emergency .. 7 debug); -1 any */
	bool events, alerts;   /* kinds wanted (neither: both) */
	int64_t after_id;      /* rows inserted after this one (--follow); 0 none */
	unsigned limit;	       /* 0: none */
};

/* A statement being built: its text and parameters (?1, ?2, ...). Errors are sticky. */
struct store_sql {
	char text[8192];
	size_t len;
	int nbind;
	struct {
		const char *s; /* text parameter (NULL: integer) */
		int slen;
		int64_t i;
	} bind[STORE_SQL_MAX_BINDS];
	char pool[8192]; /* computed text parameters (prefix upper bounds) */
	size_t pool_used;
	int err; /* -E2BIG when something did not fit */
};

void store_sql__init(struct store_sql *q);
void store_sql__add(struct store_sql *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A parameter; returns its number for the text (0 after an error). */
int store_sql__text(struct store_sql *q, const char *s, int len);
int store_sql__int(struct store_sql *q, int64_t v);
/* Bind every parameter; 0 or the SQLite error code. */
int store_sql__bind(const struct store_sql *q, struct sqlite3_stmt *st);

/* " AND col = ?" for an exact value, " AND col >= ? AND col < ?" for a prefix (pat ending in
 * '/' or '*', the '*' dropped; with prefix_always every value is a prefix). */
void store_sql__match(struct store_sql *q, const char *col, const char *pat, bool prefix_always);
/* The filter's terms, each starting with " AND " (the caller writes "WHERE 1"). */
void store_filter__where(const struct store_filter *f, struct store_sql *q);
/* vigil query: the columns the command prints; the newest `limit` rows, oldest first, or
 * with after_id the rows inserted after it, in insertion order. */
int store_query__sql(const struct store_filter *f, struct store_sql *q);

/* Column numbers of store_query__sql's result. */
enum {
	SQ_ID, SQ_TIME, SQ_KIND, SQ_TYPE, SQ_PRIO, SQ_RULE, SQ_NS, SQ_POD, SQ_CONTAINER,
	SQ_COMM, SQ_BINARY, SQ_PID, SQ_UID, SQ_PATH, SQ_LINE,
};

/* --since/--until: RFC 3339, a date (YYYY-MM-DD, midnight UTC), "now", or a time before now
 * (N followed by s, m, h, d or w: "10m", "2h", "7d"). 0 or -EINVAL. */
int store_time__arg(const char *s, uint64_t now_ns, uint64_t *out);

/* vigil report: accesses to files under paths[0..n), in the time range. `summary`: grouped
 * by (namespace, pod, container, binary, uid, path, access) with count, first and last time;
 * else every access, oldest first. Needs the SQL function vg_access (cli_report.c). */
int store_report__sql(const char *const *paths, size_t n, uint64_t since_ns, uint64_t until_ns,
		      bool summary, struct store_sql *q);

/* Column numbers of store_report__sql's result. */
enum {
	SR_NS, SR_POD, SR_CONTAINER, SR_BINARY, SR_UID, SR_PATH, SR_ACCESS,
	SR_COUNT, SR_FIRST, SR_LAST, /* summary */
	SR_TIME = SR_COUNT, SR_PID, SR_COMM, /* details */
};

#endif /* VIGIL_STORE_QUERY_H */
