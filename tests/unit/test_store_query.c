/* SPDX-License-Identifier: Apache-2.0 */
/* The SQL behind vigil query and vigil report (store_query.c): times, filters, prefixes,
 * the report's accesses, run against a store filled with the fixture's lines. */
#define UNIT_MAIN
#include <errno.h>

#include "store_fixture.h"
#include "store_query.h"

UNIT_TEST(time_arguments)
{
	uint64_t now = 1795287992000000000ull, t = 0;

	CHECK_INT(store_time__arg("10m", now, &t), 0);
	CHECK_INT(t, now - 600000000000ull);
	CHECK_INT(store_time__arg("7d", now, &t), 0);
	CHECK_INT(t, now - 7 * day_ns);
	CHECK_INT(store_time__arg("1w", now, &t), 0);
	CHECK_INT(t, now - 7 * day_ns);
	CHECK_INT(store_time__arg("now", now, &t), 0);
	CHECK_INT(t, now);
	CHECK_INT(store_time__arg("2026-11-21", now, &t), 0);
	CHECK_INT(t, 1795219200000000000ull);
	CHECK_INT(store_time__arg("2026-11-21T19:06:32.5Z", now, &t), 0);
	CHECK_INT(t, 1795287992500000000ull);
	static const char *const bad[] = { "", "5x", "-1h", "10", "1.5h", "h", "2026-13-01",
					   "99999999999d", "10mm", "2026-11-21T19:06:32" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT(store_time__arg(bad[i], now, &t), -EINVAL);
}

UNIT_TEST(sql_building)
{
	static struct store_sql q;
	struct store_filter f = { .max_prio = -1 };

	store_sql__init(&q);
	store_sql__match(&q, "path", "/etc/shadow", false);
	store_sql__match(&q, "path", "/etc/", false);
	store_sql__match(&q, "path", "/etc/pa*", false);
	store_sql__match(&q, "container", "3f4e", true);
	store_sql__match(&q, "path", "\xff\xff", true);
	CHECK_STR(q.text, " AND path = ?1 AND path >= ?2 AND path < ?3 AND path >= ?4 AND "
			  "path < ?5 AND container >= ?6 AND container < ?7 AND path >= ?8");
	CHECK_INT(q.nbind, 8);
	CHECK(q.bind[2].slen == 5 && !memcmp(q.bind[2].s, "/etc0", 5));
	CHECK(q.bind[3].slen == 7 && !memcmp(q.bind[3].s, "/etc/pa", 7));
	CHECK(q.bind[4].slen == 7 && !memcmp(q.bind[4].s, "/etc/pb", 7));
	CHECK(q.bind[6].slen == 4 && !memcmp(q.bind[6].s, "3f4f", 4));

	f.alerts = true;
	f.max_prio = 4;
	f.proc = "/bin/busybox";
	f.since_ns = 5;
	f.limit = 10;
	CHECK_INT(store_query__sql(&f, &q), 0);
	CHECK(strstr(q.text, "SELECT * FROM (SELECT id,") == q.text);
	CHECK(strstr(q.text, " WHERE 1 AND time_ns >= ?1 AND kind = 1 AND priority <= ?2 AND "
			     "binary = ?3 ORDER BY time_ns DESC, id DESC LIMIT 10) ORDER BY "
			     "time_ns, id") != NULL);
	f = (struct store_filter){ .max_prio = -1, .events = true, .proc = "cat", .after_id = 7 };
	CHECK_INT(store_query__sql(&f, &q), 0);
	CHECK(strstr(q.text, "WHERE 1 AND kind = 0 AND comm = ?1 AND id > ?2 ORDER BY id") != NULL);

	const char *many[STORE_REPORT_MAX_PATHS + 1];
	for (int i = 0; i <= STORE_REPORT_MAX_PATHS; i++)
		many[i] = "/x/";
	CHECK_INT(store_report__sql(many, STORE_REPORT_MAX_PATHS + 1, 0, 0, true, &q), -EINVAL);
	CHECK_INT(store_report__sql(many, STORE_REPORT_MAX_PATHS, 0, 0, true, &q), 0);
	CHECK_INT(store_report__sql(many, 0, 0, 0, true, &q), -EINVAL);
}

static void sql_access(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *line = (const char *)sqlite3_value_text(argv[1]);
	const char *a = store_row__access(sqlite3_value_int(argv[0]), line ? line : "",
					  (size_t)sqlite3_value_bytes(argv[1]));

	(void)argc;
	if (a)
		sqlite3_result_text(ctx, a, -1, SQLITE_STATIC);
	else
		sqlite3_result_null(ctx);
}

/* The details of a query plan, joined. */
static const char *plan(sqlite3 *db, const char *sql)
{
	static char out[1024];
	char full[512];
	sqlite3_stmt *s;
	size_t n = 0;

	out[0] = '\0';
	snprintf(full, sizeof(full), "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(db, full, -1, &s, NULL) != SQLITE_OK)
		return "(error)";
	while (sqlite3_step(s) == SQLITE_ROW && n < sizeof(out) - 200)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s; ", sqlite3_column_text(s, 3));
	sqlite3_finalize(s);
	return out;
}

/* A filter's SQL with its parameters written in, for EXPLAIN QUERY PLAN. */
static const char *filter_sql(const struct store_filter *f)
{
	static struct store_sql q;
	static char out[9000];
	size_t o = 0;

	store_query__sql(f, &q);
	for (const char *p = q.text; *p && o < sizeof(out) - 64; p++) {
		if (*p == '?') {
			int i = atoi(p + 1) - 1;

			while (p[1] >= '0' && p[1] <= '9')
				p++;
			if (q.bind[i].s)
				o += (size_t)snprintf(out + o, sizeof(out) - o, "'%.*s'",
						      q.bind[i].slen, q.bind[i].s);
			else
				o += (size_t)snprintf(out + o, sizeof(out) - o, "%lld",
						      (long long)q.bind[i].i);
			continue;
		}
		out[o++] = *p;
	}
	out[o] = '\0';
	return out;
}

/* Rows a filter selects in the fixture store, as "id,id,..." in the order returned. */
static const char *select_ids(sqlite3 *db, const struct store_filter *f)
{
	static struct store_sql q;
	static char out[256];
	sqlite3_stmt *s;
	size_t n = 0;

	out[0] = '\0';
	if (store_query__sql(f, &q) || sqlite3_prepare_v2(db, q.text, -1, &s, NULL) != SQLITE_OK)
		return "(error)";
	store_sql__bind(&q, s);
	while (sqlite3_step(s) == SQLITE_ROW && n < sizeof(out) - 16)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%lld", n ? "," : "",
				      sqlite3_column_int64(s, SQ_ID));
	sqlite3_finalize(s);
	return out;
}

/* Each query option against the fixture's rows: 1 pod read, 2 pod write, 3 host rw,
 * 4 pod unlink, 5 pod exec, 6 alert on row 1 (and the stats line, not kept). */
UNIT_TEST(queries_select_the_right_rows)
{
	static const int all[] = { L_POD_READ, L_POD_WRITE, L_HOST_RW, L_UNLINK, L_EXEC, L_ALERT,
				   L_STATS };
	struct vg_store_cfg cfg;
	char dir[64], err[512];
	struct store_filter f;
	struct store *st;
	sqlite3 *db;

	setup(dir, &cfg);
	st = store__open(&cfg, err, sizeof(err));
	send_lines(st, all, NLINES, 0);
	store_sink_ops.free(st);
	CHECK_INT(store__open_ro(cfg.path, &db, err, sizeof(err)), 0);
#define Q(...) (f = (struct store_filter){ .max_prio = -1, __VA_ARGS__ }, select_ids(db, &f))
	CHECK_STR(Q(.limit = 0), "1,6,2,3,4,5");
	CHECK_STR(Q(.limit = 2), "4,5"); /* the newest two, oldest first */
	CHECK_STR(Q(.ns = "shop"), "1,6,2,4,5");
	CHECK_STR(Q(.ns = "shop", .pod = "cart-7d9f", .events = true), "1,2,4,5");
	CHECK_STR(Q(.pod = "nope"), "");
	CHECK_STR(Q(.container = "3f4e5d6c7b8a", .type = "unlink"), "4");
	CHECK_STR(Q(.alerts = true), "6");
	f = (struct store_filter){ .max_prio = 3 };
	CHECK_STR(select_ids(db, &f), "");
	f.max_prio = 4;
	CHECK_STR(select_ids(db, &f), "6");
	CHECK_STR(Q(.rule = "Credential file read by an unexpected program"), "6");
	CHECK_STR(Q(.proc = "cat"), "1,6,3");
	CHECK_STR(Q(.proc = "/bin/busybox"), "1,6,2,4");
	CHECK_STR(Q(.path = "/etc/app/"), "2,3,4");
	CHECK_STR(Q(.path = "/etc/app/c*"), "2");
	CHECK_STR(Q(.path = "/etc/shadow"), "1,6");
	CHECK_STR(Q(.since_ns = 1795287993000000001ull, .until_ns = 1795287995000000000ull),
		  "2,3");
	CHECK_STR(Q(.after_id = 3), "4,5,6");
	CHECK_STR(Q(.type = "exec", .events = true, .alerts = true), "5");
#undef Q
	/* the partial indexes serve the queries they are for */
	f = (struct store_filter){ .max_prio = -1, .alerts = true, .path = "/etc/" };
	CHECK(strstr(plan(db, filter_sql(&f)), "records_path") != NULL);
	f = (struct store_filter){ .max_prio = 4, .ns = "a", .pod = "b" };
	CHECK(strstr(plan(db, filter_sql(&f)), "records_pod") != NULL);
	f = (struct store_filter){ .max_prio = -1, .alerts = true, .container = "3f" };
	CHECK(strstr(plan(db, filter_sql(&f)), "records_container") != NULL);
	f = (struct store_filter){ .max_prio = -1, .alerts = true, .rule = "r", .limit = 100 };
	CHECK(strstr(plan(db, filter_sql(&f)), "records_rule") != NULL);
	f = (struct store_filter){ .max_prio = -1, .since_ns = 1, .path = "/etc/", .limit = 100 };
	CHECK(strstr(plan(db, filter_sql(&f)), "records_time") != NULL);
	sqlite3_close(db);
	cleanup(dir);
}

/* The report: accesses from the open flags, the alert on an access counted once with its
 * event, grouping and first/last times. */
UNIT_TEST(report_rows)
{
	static const int all[] = { L_POD_READ, L_POD_WRITE, L_HOST_RW, L_UNLINK, L_EXEC, L_ALERT,
				   L_POD_READ };
	static const char *const paths[] = { "/etc/shadow", "/etc/app/" };
	static struct store_sql q;
	struct vg_store_cfg cfg;
	char dir[64], err[512], row[512];
	struct store *st;
	sqlite3_stmt *s;
	sqlite3 *db;
	int n = 0;

	setup(dir, &cfg);
	st = store__open(&cfg, err, sizeof(err));
	send_lines(st, all, 7, 0);
	send_lines(st, (int[]){ L_ALERT }, 1, 1795287999000000000ull); /* alert, no event */
	store_sink_ops.free(st);
	CHECK_INT(store__open_ro(cfg.path, &db, err, sizeof(err)), 0);
	sqlite3_create_function(db, "vg_access", 2, SQLITE_UTF8, NULL, sql_access, NULL, NULL);
	CHECK_INT(store_report__sql(paths, 2, 0, 0, true, &q), 0);
	CHECK_INT(sqlite3_prepare_v2(db, q.text, -1, &s, NULL), SQLITE_OK);
	store_sql__bind(&q, s);
	static const char *const want[] = {
		"cart-7d9f|1000|/etc/app/config.yaml|write|1",
		"cart-7d9f|0|/etc/app/old.yaml|delete|1",
		"|0|/etc/app/we\"ird\npath|read-write|1",
		"cart-7d9f|0|/etc/shadow|read|3",
	};
	while (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(row, sizeof(row), "%s|%s|%s|%s|%s",
			 sqlite3_column_text(s, SR_POD) ? (char *)sqlite3_column_text(s, SR_POD) : "",
			 sqlite3_column_text(s, SR_UID), sqlite3_column_text(s, SR_PATH),
			 sqlite3_column_text(s, SR_ACCESS), sqlite3_column_text(s, SR_COUNT));
		if (n < 4)
			CHECK_STR(row, want[n]);
		n++;
	}
	CHECK_INT(n, 4);
	sqlite3_finalize(s);
	CHECK_INT(store_report__sql(paths, 2, 0, 1795287994000000000ull, false, &q), 0);
	CHECK_INT(sqlite3_prepare_v2(db, q.text, -1, &s, NULL), SQLITE_OK);
	store_sql__bind(&q, s);
	n = 0;
	while (sqlite3_step(s) == SQLITE_ROW)
		n++;
	CHECK_INT(n, 3); /* the two reads at the same time are one access each, alert merged */
	sqlite3_finalize(s);
	sqlite3_close(db);
	cleanup(dir);
}

int main(void)
{
	int rc = unit_run();

	free_lines();
	return rc;
}
