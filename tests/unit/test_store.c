/* SPDX-License-Identifier: Apache-2.0 */
/* The evidence store: open, permissions, inserts through the sink interface, retention,
 * checkpoints and the spill area, checked with plain SQL on the file. */
#define UNIT_MAIN
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "rfc3339.h"
#include "store_int.h"
#include "store_query.h"
#include "unit.h"
#include "unit_srcdir.h"

#define NLINES 7 /* tests/unit/fixtures/store/lines.jsonl */
enum { L_POD_READ, L_POD_WRITE, L_HOST_RW, L_UNLINK, L_EXEC, L_ALERT, L_STATS };

static char *lines[NLINES];

static void load_lines(void)
{
	char path[4096], buf[1 << 16];
	FILE *f;
	int n = 0;

	if (lines[0])
		return;
	f = fopen(unit_srcpath(path, sizeof(path), "tests/unit/fixtures/store/lines.jsonl"), "r");
	if (!f) {
		printf("  cannot open %s\n", path);
		exit(1);
	}
	while (n < NLINES && fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		lines[n++] = strdup(buf);
	}
	fclose(f);
}

static struct out_rec *rec_new(int kind, int type, int prio, uint64_t t, const char *line)
{
	size_t n = strlen(line);
	struct out_rec *r = calloc(1, sizeof(*r) + n + 1);

	r->kind = (uint8_t)kind;
	r->type = (uint16_t)type;
	r->prio = (uint8_t)prio;
	r->time_ns = t;
	r->len = (uint32_t)n;
	memcpy(r->line, line, n + 1);
	return r;
}

static int line_kind(int i)
{
	return i == L_ALERT ? OUT_ALERT : i == L_STATS ? OUT_STATS : OUT_EVENT;
}

/* A fresh directory and config for one test; the store goes two levels below it. */
static void setup(char *dir, struct vg_store_cfg *cfg)
{
	strcpy(dir, "/tmp/vigil-test-store.XXXXXX");
	if (!mkdtemp(dir))
		exit(1);
	memset(cfg, 0, sizeof(*cfg));
	cfg->enabled = cfg->events = true;
	snprintf(cfg->path, sizeof(cfg->path), "%s/lib/vigil/vigil.db", dir);
	load_lines();
}

static void cleanup(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("  could not remove %s\n", dir);
}

static int send_lines(struct store *st, const int *which, size_t n, uint64_t t)
{
	struct out_rec *recs[64];
	unsigned rej = 0;
	int rc;

	for (size_t i = 0; i < n; i++)
		recs[i] = rec_new(line_kind(which[i]), 0, which[i] == L_ALERT ? 4 : 6, t,
				  lines[which[i]]);
	rc = store_sink_ops.send(st, recs, n, &rej);
	for (size_t i = 0; i < n; i++)
		free(recs[i]);
	CHECK_INT(store__commit(st), 0); /* else the next tick or batch commits */
	return rc;
}

static sqlite3 *peek(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		printf("  cannot open %s\n", path);
	return db;
}

/* The text of the first column of a one-row query ("" for NULL, "(none)" without a row). */
static const char *q1(sqlite3 *db, const char *sql)
{
	static char out[4096];
	sqlite3_stmt *s;

	strcpy(out, "(none)");
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(out, sizeof(out), "(error %s)", sqlite3_errmsg(db));
		return out;
	}
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(out, sizeof(out), "%s",
			 sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0) : "");
	sqlite3_finalize(s);
	return out;
}

UNIT_TEST(open_creates_directory_schema_and_private_file)
{
	struct vg_store_cfg cfg;
	char dir[64], err[512], p[4200];
	struct store *st;
	struct stat sb;
	sqlite3 *db;

	setup(dir, &cfg);
	st = store__open(&cfg, err, sizeof(err));
	CHECK(st != NULL);
	if (!st)
		return printf("  %s\n", err), cleanup(dir);
	snprintf(p, sizeof(p), "%s/lib/vigil", dir);
	CHECK(stat(p, &sb) == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & 0777) == 0750);
	CHECK(stat(cfg.path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	CHECK(sb.st_uid == geteuid());
	CHECK_INT(send_lines(st, (int[]){ L_POD_READ }, 1, 0), 1);
	snprintf(p, sizeof(p), "%s-wal", cfg.path);
	CHECK(stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	db = peek(cfg.path);
	CHECK_STR(q1(db, "SELECT version FROM schema_version"), "1");
	CHECK_STR(q1(db, "PRAGMA journal_mode"), "wal");
	CHECK_STR(q1(db, "PRAGMA auto_vacuum"), "2");
	CHECK_STR(q1(db, "SELECT count(*) FROM sqlite_master WHERE type='index' AND name LIKE "
			 "'records_%'"), "7");
	sqlite3_close(db);
	store_sink_ops.free(st);
	st = store__open(&cfg, err, sizeof(err)); /* reopening an existing store */
	CHECK(st != NULL);
	store_sink_ops.free(st);
	cleanup(dir);
}

UNIT_TEST(group_readable_file)
{
	struct group *gr = getgrgid(getegid());
	struct vg_store_cfg cfg;
	char dir[64], err[512], p[4200];
	struct store *st;
	struct stat sb;

	setup(dir, &cfg);
	CHECK(gr != NULL);
	if (!gr)
		return cleanup(dir);
	snprintf(cfg.group, sizeof(cfg.group), "%s", gr->gr_name);
	st = store__open(&cfg, err, sizeof(err));
	CHECK(st != NULL);
	CHECK(stat(cfg.path, &sb) == 0 && (sb.st_mode & 0777) == 0640 && sb.st_gid == getegid());
	CHECK_INT(send_lines(st, (int[]){ L_POD_READ }, 1, 0), 1);
	snprintf(p, sizeof(p), "%s-shm", cfg.path);
	CHECK(stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0640 && sb.st_gid == getegid());
	store_sink_ops.free(st);
	/* a file left 0666 by hand is put back */
	CHECK_INT(chmod(cfg.path, 0666), 0);
	st = store__open(&cfg, err, sizeof(err));
	CHECK(stat(cfg.path, &sb) == 0 && (sb.st_mode & 0777) == 0640);
	store_sink_ops.free(st);
	cleanup(dir);
}

UNIT_TEST(open_errors_are_clear)
{
	struct vg_store_cfg cfg;
	char dir[64], err[512], p[4200];
	struct store *st;
	sqlite3 *db;

	setup(dir, &cfg);
	strcpy(cfg.group, "no-such-group-vigil");
	CHECK(store__open(&cfg, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "no-such-group-vigil") && strstr(err, "does not exist"));
	cfg.group[0] = '\0';

	st = store__open(&cfg, err, sizeof(err));
	store_sink_ops.free(st);
	CHECK_INT(sqlite3_open(cfg.path, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "UPDATE schema_version SET version = 99", 0, 0, 0), SQLITE_OK);
	sqlite3_close(db);
	CHECK(store__open(&cfg, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "schema version 99") && strstr(err, "newer"));
	CHECK_INT(store__open_ro(cfg.path, &db, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "newer") != NULL);

	snprintf(p, sizeof(p), "%s/other.db", dir);
	CHECK_INT(sqlite3_open(p, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "CREATE TABLE t(x)", 0, 0, 0), SQLITE_OK);
	sqlite3_close(db);
	snprintf(cfg.path, sizeof(cfg.path), "%.4000s", p);
	CHECK(store__open(&cfg, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "not a vigil store") != NULL);

	snprintf(cfg.path, sizeof(cfg.path), "%s/link.db", dir);
	CHECK_INT(symlink(p, cfg.path), 0);
	CHECK(store__open(&cfg, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "symlink") != NULL);
	CHECK_INT(store__open_ro("/nonexistent/vigil.db", &db, err, sizeof(err)), -ENOENT);
	CHECK(strstr(err, "/nonexistent/vigil.db") != NULL);
	cleanup(dir);
}

/* Columns of an event in a pod, a host event with escapes, an alert; stats not kept. */
UNIT_TEST(send_extracts_columns)
{
	static const int all[] = { L_POD_READ, L_POD_WRITE, L_HOST_RW, L_UNLINK, L_EXEC, L_ALERT,
				   L_STATS };
	struct vg_store_cfg cfg;
	struct store_stats ss;
	char dir[64], err[512];
	struct store *st;
	sqlite3 *db;

	setup(dir, &cfg);
	st = store__open(&cfg, err, sizeof(err));
	CHECK_INT(send_lines(st, all, NLINES, 0), NLINES);
	store__stats(st, &ss);
	CHECK_INT(ss.inserted, 6);
	CHECK_INT(ss.skipped, 1);
	CHECK_INT(ss.batches, 1);
	CHECK_INT(ss.rows, 6);
	CHECK(ss.last_commit_ns > 0);
	db = peek(cfg.path);
	CHECK_STR(q1(db, "SELECT count(*) FROM records WHERE kind = 2"), "0");
	CHECK_STR(q1(db, "SELECT type||'|'||namespace||'|'||pod||'|'||comm||'|'||binary||'|'||"
			 "pid||'|'||uid||'|'||path||'|'||node||'|'||substr(container,1,12)||'|'||"
			 "time_ns FROM records WHERE id = 1"),
		  "open|shop|cart-7d9f|cat|/bin/busybox|4242|0|/etc/shadow|vm|3f4e5d6c7b8a|"
		  "1795287992565123672");
	CHECK_STR(q1(db, "SELECT path FROM records WHERE id = 3"), "/etc/app/we\"ird\npath");
	CHECK_STR(q1(db, "SELECT quote(namespace)||quote(container) FROM records WHERE id = 3"),
		  "NULLNULL");
	CHECK_STR(q1(db, "SELECT quote(path) FROM records WHERE type = 'exec'"), "NULL");
	CHECK_STR(q1(db, "SELECT kind||'|'||rule||'|'||priority||'|'||type||'|'||path||'|'||"
			 "namespace||'|'||comm||'|'||pid FROM records WHERE kind = 1"),
		  "1|Credential file read by an unexpected program|4|open|/etc/shadow|shop|cat|4242");
	CHECK_STR(q1(db, "SELECT line = '' FROM records WHERE kind = 1"), "0");
	CHECK_STR(q1(db, "SELECT count(*) FROM records WHERE json_valid(line)"), "6");
	sqlite3_close(db);
	store_sink_ops.free(st);
	cleanup(dir);
}

/* The record's own kind, time and priority win over the line's; events can be left out. */
UNIT_TEST(record_fields_and_events_off)
{
	struct vg_store_cfg cfg;
	char dir[64], err[512];
	struct out_rec *r[3];
	struct store *st;
	unsigned rej = 0;
	sqlite3 *db;

	setup(dir, &cfg);
	cfg.events = false;
	st = store__open(&cfg, err, sizeof(err));
	r[0] = rec_new(OUT_ALERT, 0, 2, 42, lines[L_ALERT]);
	r[1] = rec_new(OUT_EVENT, 0, 6, 0, lines[L_POD_READ]);
	r[2] = rec_new(OUT_ALERT, 0, 200, 0, "{\"rule\":\"r\",\"priority\":\"notice\",\"x\":");
	CHECK_INT(store_sink_ops.send(st, r, 3, &rej), 3);
	db = peek(cfg.path);
	CHECK_STR(q1(db, "SELECT count(*) FROM records"), "0"); /* not committed yet */
	store_sink_ops.tick(st, 0);
	CHECK_STR(q1(db, "SELECT time_ns||'|'||priority FROM records WHERE id = 1"), "42|2");
	CHECK_STR(q1(db, "SELECT count(*) FROM records"), "2");
	/* malformed: kept with its line, time now, no columns */
	CHECK_STR(q1(db, "SELECT quote(rule)||quote(priority)||(time_ns > 1700000000000000000) "
			 "FROM records WHERE id = 2"), "NULLNULL1");
	sqlite3_close(db);
	for (int i = 0; i < 3; i++)
		free(r[i]);
	store_sink_ops.free(st);
	cleanup(dir);
}

UNIT_TEST(access_from_flags)
{
	load_lines();
	CHECK_STR(store_row__access(OUT_EVENT, lines[L_POD_READ], strlen(lines[L_POD_READ])),
		  "read");
	CHECK_STR(store_row__access(OUT_EVENT, lines[L_POD_WRITE], strlen(lines[L_POD_WRITE])),
		  "write");
	CHECK_STR(store_row__access(OUT_EVENT, lines[L_HOST_RW], strlen(lines[L_HOST_RW])),
		  "read-write");
	CHECK_STR(store_row__access(OUT_EVENT, lines[L_UNLINK], strlen(lines[L_UNLINK])),
		  "delete");
	CHECK(store_row__access(OUT_EVENT, lines[L_EXEC], strlen(lines[L_EXEC])) == NULL);
	CHECK_STR(store_row__access(OUT_ALERT, lines[L_ALERT], strlen(lines[L_ALERT])), "read");
	CHECK(store_row__access(OUT_EVENT, "{\"type\":\"open\"", 14) == NULL);
	CHECK_STR(store_row__access(OUT_EVENT, "{\"type\":\"open\",\"file\":{\"flags\":512}}", 36),
		  "write"); /* O_RDONLY|O_TRUNC still writes */
}

static void send_many(struct store *st, int which, int n, uint64_t t)
{
	int idx[64];

	for (int i = 0; i < 64; i++)
		idx[i] = which;
	while (n > 0) {
		int k = n < 64 ? n : 64;

		CHECK_INT(send_lines(st, idx, (size_t)k, t), k);
		n -= k;
	}
}

static const uint64_t day_ns = 86400ull * 1000000000ull;

UNIT_TEST(retention_by_age)
{
	struct vg_store_cfg cfg;
	struct store_stats ss;
	char dir[64], err[512];
	struct sink_spill *sp;
	struct store *st;
	uint64_t now = store__now_ns();
	struct out_rec *r;
	sqlite3 *db;

	setup(dir, &cfg);
	cfg.max_age_s = 7 * 86400;
	st = store__open(&cfg, err, sizeof(err));
	send_many(st, L_POD_READ, 100, now - 8 * day_ns);
	send_many(st, L_ALERT, 5, now - 8 * day_ns);
	send_many(st, L_POD_WRITE, 50, now - day_ns);
	sp = store__spill_ops(st)->open(store__spill_ops(st)->ctx);
	r = rec_new(OUT_ALERT, 0, 4, now - 9 * day_ns, lines[L_ALERT]);
	CHECK_INT(store__spill_ops(st)->put(sp, "syslog", r), 0);
	free(r);
	store__retain(st, now);
	store__stats(st, &ss);
	CHECK_INT(ss.deleted_age, 105);
	CHECK_INT(ss.rows, 50);
	CHECK_INT(store__spill_ops(st)->count(sp, "syslog"), 0);
	db = peek(cfg.path);
	CHECK_STR(q1(db, "SELECT count(*) FROM records"), "50");
	CHECK_STR(q1(db, "SELECT count(*) FROM records WHERE path = '/etc/app/config.yaml'"),
		  "50");
	sqlite3_close(db);
	store__spill_ops(st)->close(sp);
	store_sink_ops.free(st);
	cleanup(dir);
}

static long long file_size(const char *path, const char *sfx)
{
	char p[4200];
	struct stat sb;

	snprintf(p, sizeof(p), "%s%s", path, sfx);
	return stat(p, &sb) ? -1 : (long long)sb.st_size;
}

UNIT_TEST(retention_by_size_events_first)
{
	struct vg_store_cfg cfg;
	struct store_stats ss;
	char dir[64], err[512];
	struct store *st;
	uint64_t now = store__now_ns();
	sqlite3 *db;

	setup(dir, &cfg);
	cfg.max_bytes = 1 << 20;
	st = store__open(&cfg, err, sizeof(err));
	send_many(st, L_ALERT, 3, now - 3000);
	send_many(st, L_POD_READ, 3000, now - 2000);
	CHECK(file_size(cfg.path, "-wal") > (1 << 20));
	store__retain(st, now);
	store__stats(st, &ss);
	CHECK(ss.deleted_size > 2000);
	CHECK(ss.bytes <= (1 << 20));
	CHECK(ss.file_bytes <= (1 << 20));
	CHECK_INT(ss.wal_truncates, 1);
	CHECK(file_size(cfg.path, "") <= (1 << 20));
	CHECK_INT(file_size(cfg.path, "-wal"), 0);
	db = peek(cfg.path);
	CHECK_STR(q1(db, "SELECT count(*) FROM records WHERE kind = 1"), "3");
	CHECK_STR(q1(db, "SELECT max(id) = 3003 FROM records"), "1"); /* the newest stay */
	CHECK_INT(atoll(q1(db, "SELECT count(*) FROM records WHERE kind = 0")) +
			  (long long)ss.deleted_size, 3000);
	sqlite3_close(db);

	/* only alerts left over the limit: they go too, oldest first */
	send_many(st, L_ALERT, 1500, now - 1000);
	store__retain(st, now);
	store__stats(st, &ss);
	CHECK(ss.bytes <= (1 << 20));
	db = peek(cfg.path);
	CHECK_STR(q1(db, "SELECT count(*) FROM records WHERE kind = 0"), "0");
	CHECK_STR(q1(db, "SELECT min(id) > 3003 FROM records"), "1");
	sqlite3_close(db);
	store_sink_ops.free(st);
	cleanup(dir);
}

struct spill_arg {
	const struct sink_spill_ops *ops;
	int n;
	int failures;
};

/* A forwarder's thread: its own handle, spilling while the store's thread inserts. */
static void *spill_thread(void *p)
{
	struct spill_arg *a = p;
	struct sink_spill *sp = a->ops->open(a->ops->ctx);

	if (!sp) {
		a->failures = -1;
		return NULL;
	}
	for (int i = 0; i < a->n; i++) {
		char line[64];
		struct out_rec *r;

		snprintf(line, sizeof(line), "{\"rule\":\"r%d\"}", i);
		r = rec_new(OUT_ALERT, 3, 4, 1000 + (uint64_t)i, line);
		a->failures += a->ops->put(sp, i % 4 == 3 ? "http-1" : "syslog", r) != 0;
		free(r);
	}
	a->ops->close(sp);
	return NULL;
}

UNIT_TEST(spill_roundtrip_across_threads)
{
	struct vg_store_cfg cfg;
	char dir[64], err[512];
	struct store *st;
	struct out_rec *got[300];
	struct sink_spill *sp;
	struct spill_arg a;
	pthread_t th;
	int n;

	setup(dir, &cfg);
	st = store__open(&cfg, err, sizeof(err));
	a = (struct spill_arg){ .ops = store__spill_ops(st), .n = 200 };
	pthread_create(&th, NULL, spill_thread, &a);
	send_many(st, L_POD_READ, 2000, 0); /* concurrent writers: WAL and busy_timeout */
	pthread_join(th, NULL);
	CHECK_INT(a.failures, 0);

	sp = a.ops->open(a.ops->ctx);
	CHECK_INT(a.ops->count(sp, "syslog"), 150);
	CHECK_INT(a.ops->count(sp, "http-1"), 50);
	CHECK_INT(a.ops->take(sp, "syslog", got, 0), 0);
	n = a.ops->take(sp, "syslog", got, 300);
	CHECK_INT(n, 150);
	CHECK_STR(got[0]->line, "{\"rule\":\"r0\"}");
	CHECK_STR(got[1]->line, "{\"rule\":\"r1\"}");
	CHECK(got[0]->spill_id > 0 && got[1]->spill_id > got[0]->spill_id);
	CHECK_INT(got[1]->time_ns, 1001);
	CHECK(got[1]->kind == OUT_ALERT && got[1]->prio == 4 && got[1]->type == 3);
	CHECK_INT(got[1]->len, strlen(got[1]->line));
	for (int i = 0; i < 100; i++)
		CHECK_INT(a.ops->done(sp, got[i]->spill_id), 0);
	CHECK_INT(a.ops->done(sp, got[0]->spill_id), 0); /* twice: no harm */
	for (int i = 0; i < n; i++)
		free(got[i]);
	CHECK_INT(a.ops->count(sp, "syslog"), 50);
	n = a.ops->take(sp, "syslog", got, 1);
	CHECK_INT(n, 1);
	CHECK_STR(got[0]->line, "{\"rule\":\"r133\"}"); /* 0..132 minus every 4th were sent */
	free(got[0]);
	CHECK_INT(a.ops->take(sp, "nobody", got, 10), 0);
	store_sink_ops.free(st); /* sinks stop in any order: the handle still works */
	got[0] = rec_new(OUT_ALERT, 0, 1, 5, "{}");
	CHECK_INT(a.ops->put(sp, "syslog", got[0]), 0);
	free(got[0]);
	CHECK_INT(a.ops->count(sp, "syslog"), 51);
	a.ops->close(sp);
	cleanup(dir);
}

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

	for (int i = 0; i < NLINES; i++)
		free(lines[i]);
	return rc;
}
