/* SPDX-License-Identifier: Apache-2.0 */
/* The evidence store: open, permissions, inserts through the sink interface, retention,
 * checkpoints and the spill area, checked with plain SQL on the file. */
#define UNIT_MAIN
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <sys/stat.h>

#include "store_fixture.h"

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

/* A store an older vigil made, with every column indexed for every record: opening it keeps
 * the rows and rebuilds the indexes as events-by-time, alerts-by-column. */
UNIT_TEST(indexes_an_older_vigil_made_are_rebuilt)
{
	static const char *const idx[] = { "records_pod", "records_container", "records_rule",
					   "records_type", "records_comm", "records_path" };
	struct vg_store_cfg cfg;
	char dir[64], err[512], sql[160];
	struct store *st;
	sqlite3 *db;

	setup(dir, &cfg);
	st = store__open(&cfg, err, sizeof(err));
	CHECK(st != NULL);
	if (!st)
		return printf("  %s\n", err), cleanup(dir);
	CHECK_INT(send_lines(st, (int[]){ L_POD_READ, L_ALERT, L_EXEC }, 3, 0), 3);
	store_sink_ops.free(st);
	/* the definitions of before: not partial, or partial on the column */
	CHECK_INT(sqlite3_open(cfg.path, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "DROP INDEX records_comm; CREATE INDEX records_comm ON "
				   "records(comm); DROP INDEX records_path; CREATE INDEX records_path "
				   "ON records(path) WHERE path IS NOT NULL; DROP INDEX records_time",
			       NULL, NULL, NULL),
		  SQLITE_OK);
	sqlite3_close(db);
	st = store__open(&cfg, err, sizeof(err));
	CHECK(st != NULL);
	if (!st)
		return printf("  %s\n", err), cleanup(dir);
	store_sink_ops.free(st);
	db = peek(cfg.path);
	CHECK_STR(q1(db, "SELECT count(*) FROM records"), "3");
	CHECK_STR(q1(db, "SELECT sql FROM sqlite_master WHERE name = 'records_time'"),
		  "CREATE INDEX records_time ON records(time_ns)");
	for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT sql LIKE '%% WHERE kind = 1' FROM sqlite_master "
					   "WHERE name = '%s'", idx[i]);
		CHECK_STR(q1(db, sql), "1");
	}
	/* only the alert is in the column indexes */
	CHECK_STR(q1(db, "SELECT count(*) FROM records INDEXED BY records_comm WHERE comm IS NOT "
			 "NULL AND kind = 1"), "1");
	sqlite3_close(db);
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

/* A line SQLite refuses for good is counted as rejected, not retried; the others stay. */
UNIT_TEST(refused_line_is_rejected)
{
	struct vg_store_cfg cfg;
	char dir[64], err[512], *big = malloc(20001);
	struct out_rec *r[3];
	struct store *st;
	unsigned rej = 0;
	sqlite3 *db;

	setup(dir, &cfg);
	st = store__open(&cfg, err, sizeof(err));
	sqlite3_limit(st->db, SQLITE_LIMIT_LENGTH, 10000);
	memset(big, 'x', 20000);
	big[20000] = '\0';
	r[0] = rec_new(OUT_EVENT, 0, 6, 1, lines[L_POD_READ]);
	r[1] = rec_new(OUT_EVENT, 0, 6, 2, big);
	r[2] = rec_new(OUT_EVENT, 0, 6, 3, lines[L_EXEC]);
	CHECK_INT(store_sink_ops.send(st, r, 3, &rej), 3);
	CHECK_INT(rej, 1);
	store_sink_ops.tick(st, 0);
	db = peek(cfg.path);
	CHECK_STR(q1(db, "SELECT group_concat(time_ns) FROM records"), "1,3");
	sqlite3_close(db);
	for (int i = 0; i < 3; i++)
		free(r[i]);
	free(big);
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

int main(void)
{
	int rc = unit_run();

	free_lines();
	return rc;
}
