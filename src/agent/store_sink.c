/* SPDX-License-Identifier: Apache-2.0 */
/* The store as a sink: batched inserts, retention and WAL checkpoints (store.h). */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "log.h"
#include "store_int.h"

#define RETAIN_CHUNK 2000		     /* rows per delete transaction */
#define RETAIN_BUDGET_NS (500 * 1000000ull) /* retention work per tick, at most */
#define AGE_EVERY_NS (10 * NS_PER_S)	     /* age check period */
#define CKPT_EVERY_NS (30 * NS_PER_S)	     /* wal_checkpoint(TRUNCATE) period */
#define CKPT_RETRY_NS (5 * NS_PER_S)	     /* after one that readers kept busy */
#define ERR_LOG_EVERY_NS (10 * NS_PER_S)

/* Parameter index of each text column in insert_sql (store.c). */
static const int col_param[SC_NTEXT] = {
	[SC_TYPE] = 3, [SC_RULE] = 5, [SC_NODE] = 6,	[SC_NS] = 7,	  [SC_POD] = 8,
	[SC_CONTAINER] = 9, [SC_COMM] = 10, [SC_BINARY] = 11, [SC_PATH] = 14,
};

/* A failure of the worker's own statements: counted, and logged at most every 10 s (the sink
 * also reports the peer down, but only with an errno; this says what SQLite said). */
static int store_fail(struct store *st, const char *what, int rc)
{
	uint64_t now = store__now_ns();

	STORE_ADD(st, errors, 1);
	if (now - st->last_err_log_ns >= ERR_LOG_EVERY_NS) {
		st->last_err_log_ns = now;
		log_warn("store: %s: %s: %s", st->cfg.path, what, sqlite3_errmsg(st->db));
	}
	return store__errno(rc) ? store__errno(rc) : -EIO;
}

static int store_insert(struct store *st, const struct out_rec *rec, uint64_t now)
{
	struct store_row *row = &st->row;
	sqlite3_stmt *s = st->ins;
	int rc;

	store_row__extract(row, rec, now);
	sqlite3_bind_int64(s, 1, row->time_ns);
	sqlite3_bind_int(s, 2, row->kind);
	if (row->prio >= 0)
		sqlite3_bind_int(s, 4, row->prio);
	else
		sqlite3_bind_null(s, 4);
	for (int c = 0; c < SC_NTEXT; c++) {
		if (row->len[c] >= 0)
			sqlite3_bind_text(s, col_param[c], row->text[c], row->len[c], SQLITE_STATIC);
		else
			sqlite3_bind_null(s, col_param[c]);
	}
	if (row->has_pid)
		sqlite3_bind_int64(s, 12, row->pid);
	else
		sqlite3_bind_null(s, 12);
	if (row->has_uid)
		sqlite3_bind_int64(s, 13, row->uid);
	else
		sqlite3_bind_null(s, 13);
	rc = sqlite3_bind_text(s, 15, rec->line, (int)rec->len, SQLITE_STATIC);
	if (rc != SQLITE_OK) /* longer than SQLite's limit on a value */
		return rc;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : rc;
}

static bool store_keeps(const struct store *st, const struct out_rec *rec)
{
	if (rec->kind == OUT_STATS)
		return false; /* the metrics endpoint has them; as rows they would only cost */
	return rec->kind != OUT_EVENT || st->cfg.events;
}

/* A write transaction, or the one already open. A forwarder's thread waiting to spill gets
 * the file first (up to 50 ms): SQLite's busy handler sleeps, and would lose every race
 * against this thread taking the lock again at once. */
static int store_begin(struct store *st)
{
	struct timespec nap = { 0, 1000000 };
	int rc;

	if (st->in_tx)
		return 0;
	for (int i = 0; i < 50 && __atomic_load_n(&st->share->spill_waiting, __ATOMIC_RELAXED); i++)
		nanosleep(&nap, NULL);
	rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, "begin", rc);
	st->in_tx = true;
	st->tx_start_ns = store__now_ns();
	st->tx_rows = 0;
	return 0;
}

/* A failed transaction: its rows were reported delivered, so they are counted as lost. */
static void store_abort(struct store *st)
{
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	STORE_ADD(st, lost, st->tx_rows);
	st->in_tx = false;
}

/* The WAL starts over from its beginning only at a write transaction that finds every frame
 * of it copied into the file; the checkpointer is always a little behind a writer that never
 * pauses, so past 64 MiB the writer copies the rest itself (a few hundred ms of inserts, the
 * checkpointer did the bulk) and the next transaction restarts the WAL. */
static void store_catch_up(struct store *st)
{
	if (!st->ckpt_running || st->wal_frames < STORE_WAL_RESTART_FRAMES)
		return;
	if (sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) ==
	    SQLITE_OK)
		st->wal_frames = st->wal_kick_frames = 0;
}

int store__commit(struct store *st)
{
	int rc;

	if (!st->in_tx)
		return 0;
	rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		int err = store_fail(st, "commit", rc);

		store_abort(st);
		return err;
	}
	st->in_tx = false;
	store_catch_up(st);
	STORE_ADD(st, inserted, st->tx_rows);
	STORE_ADD(st, rows, st->tx_rows);
	STORE_ADD(st, batches, 1);
	STORE_SET(st, last_commit_ns, store__now_ns());
	return 0;
}

/* Rows go into a transaction that stays open across batches until it holds commit_rows rows
 * or is commit_ns old (or a forwarder waits to spill, or the tick comes): each commit writes
 * every page it dirtied to the WAL once, and the indexes' pages are shared by many rows
 * only when the transaction is large (bench/store: 512 rows per commit made ~2 pages of
 * WAL per row on a 1M-row store). A crash loses the open transaction, as it loses the
 * sink's queue. */
static int store_send(void *impl, struct out_rec *const *recs, size_t n, unsigned *rejected)
{
	struct store *st = impl;
	uint64_t now = store__now_ns(), kept = 0;
	unsigned rej = 0;
	int rc;

	if ((rc = store_begin(st)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (!store_keeps(st, recs[i]))
			continue;
		rc = store_insert(st, recs[i], now);
		if (rc == SQLITE_TOOBIG || (rc & 0xff) == SQLITE_CONSTRAINT) {
			store_fail(st, "insert (record refused)", rc); /* this line, for good */
			rej++;
			continue;
		}
		if (rc) {
			int err = store_fail(st, "insert", rc);

			store_abort(st);
			return err;
		}
		kept++;
	}
	st->tx_rows += kept;
	*rejected += rej;
	STORE_ADD(st, skipped, n - kept - rej);
	if (st->tx_rows >= st->commit_rows || store__now_ns() - st->tx_start_ns >= st->commit_ns ||
	    __atomic_load_n(&st->share->spill_waiting, __ATOMIC_RELAXED))
		rc = store__commit(st);
	return rc ? rc : (int)n;
}

/* Run a DELETE with its integer parameters in its own transaction, so that forwarders'
 * spill writes get their turn between chunks. Rows deleted, or -errno. */
static int64_t store_delete(struct store *st, const char *sql, int64_t a1, int64_t a2)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "retention", SQLITE_ERROR);
	for (int i = 1; i <= sqlite3_bind_parameter_count(s) && i <= 2; i++)
		sqlite3_bind_int64(s, i, i == 1 ? a1 : a2);
	rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return store_fail(st, "retention", rc);
	}
	int64_t n = sqlite3_changes(st->db);

	rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return store_fail(st, "retention commit", rc);
	}
	return n;
}

static uint64_t sub_floor(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* Rows older than max_age_s, oldest first, a chunk at a time within the tick's budget. */
static void retain_age(struct store *st, uint64_t now_ns, uint64_t deadline)
{
	static const char sql[] = "DELETE FROM records WHERE id IN (SELECT id FROM records"
				  " WHERE time_ns < ?1 ORDER BY time_ns LIMIT ?2)";
	int64_t cutoff = (int64_t)sub_floor(now_ns, st->cfg.max_age_s * NS_PER_S), n, sp;

	if (store__int(st->db, "SELECT min(time_ns) FROM records", INT64_MAX) < cutoff) {
		do {
			n = store_delete(st, sql, cutoff, RETAIN_CHUNK);
			if (n > 0) {
				STORE_ADD(st, deleted_age, (uint64_t)n);
				__atomic_fetch_sub(&st->stats.rows, (uint64_t)n, __ATOMIC_RELAXED);
			}
		} while (n == RETAIN_CHUNK && store__now_ns() < deadline);
		if (n == RETAIN_CHUNK)
			st->next_age_ns = 0; /* more to do: again next tick */
	}
	sp = store_delete(st, "DELETE FROM spill WHERE time_ns < ?1", cutoff, 0);
	if (sp > 0)
		log_warn("store: dropped %lld spilled alerts older than %llu s that no forwarder "
			 "could deliver", (long long)sp, (unsigned long long)st->cfg.max_age_s);
}

static int64_t live_bytes(struct store *st)
{
	return (store__int(st->db, "PRAGMA page_count", 0) -
		store__int(st->db, "PRAGMA freelist_count", 0)) * st->page_size;
}

/* How many rows to delete next to free `excess` bytes, from the average row's size. */
static int64_t size_chunk(struct store *st, int64_t live, int64_t excess)
{
	uint64_t rows = __atomic_load_n(&st->stats.rows, __ATOMIC_RELAXED);
	int64_t avg = rows ? live / (int64_t)rows : 1024, n = excess / (avg ? avg : 1) + 1;

	return n < 100 ? 100 : n > RETAIN_CHUNK ? RETAIN_CHUNK : n;
}

/* Over 90% of max_bytes: the oldest events go first, alerts only when no event is left,
 * down to 80%. The room left is reused by the next inserts before the file grows, so the
 * file stays under max_bytes without giving pages back (and moving pages) every second. */
static void retain_size(struct store *st, uint64_t deadline)
{
	/* a range of ids, found first: deleting along the table in order is cheaper than a
	 * list of ids (bench/store) */
	static const char ev[] = "DELETE FROM records WHERE kind = 0 AND id <= coalesce((SELECT"
				 " id FROM records WHERE kind = 0 ORDER BY id LIMIT 1 OFFSET ?1 - 1),"
				 " (SELECT max(id) FROM records))";
	static const char al[] = "DELETE FROM records WHERE id <= coalesce((SELECT id FROM records"
				 " ORDER BY id LIMIT 1 OFFSET ?1 - 1), (SELECT max(id) FROM records))";
	int64_t max = (int64_t)st->cfg.max_bytes, high = max - max / 10, low = max - max / 5;
	int64_t live = live_bytes(st), n = -1;

	if (live <= high)
		return;
	/* under max_bytes whatever it takes (the sink's queue absorbs the pause, or drops
	 * events: the store cannot keep this rate under this limit); on to 80% within the budget */
	while (live > low && (live > max || store__now_ns() < deadline)) {
		int64_t chunk = size_chunk(st, live, live - low);

		n = store_delete(st, ev, chunk, 0);
		if (n == 0)
			n = store_delete(st, al, chunk, 0);
		if (n <= 0)
			break;
		STORE_ADD(st, deleted_size, (uint64_t)n);
		__atomic_fetch_sub(&st->stats.rows, (uint64_t)n, __ATOMIC_RELAXED);
		live = live_bytes(st);
	}
	if (live > max && n == 0)
		log_warn("store: %s: %lld bytes live and no record left to delete (spilled "
			 "alerts?)", st->cfg.path, (long long)live);
}

/* Give free pages back to the file system (incremental vacuum moves the last pages into the
 * free ones, then truncates): beyond max_bytes with a size limit, else beyond a quarter of
 * the file (after an age purge). */
static void store_shrink(struct store *st)
{
	int64_t pages = store__int(st->db, "PRAGMA page_count", 0);
	int64_t freel = store__int(st->db, "PRAGMA freelist_count", 0);
	int64_t n = st->cfg.max_bytes ? pages - (int64_t)st->cfg.max_bytes / st->page_size :
					freel - pages / 4;
	char sql[64];

	if (n > freel)
		n = freel;
	if (n <= 0)
		return;
	snprintf(sql, sizeof(sql), "PRAGMA incremental_vacuum(%lld)", (long long)n);
	if (store__exec(st->db, sql))
		STORE_ADD(st, errors, 1);
}

/* Keep the -wal file small: readers that hold old snapshots only delay it (SQLITE_BUSY). */
static void store_checkpoint(struct store *st, uint64_t now_ns)
{
	int rc;

	struct timespec nap = { 0, 20 * 1000000L };

	sqlite3_busy_timeout(st->db, 200);
	/* the checkpointer's PASSIVE runs are short; one in progress is a plain BUSY */
	for (int i = 0; i < 5; i++) {
		rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
		if (rc != SQLITE_BUSY)
			break;
		nanosleep(&nap, NULL);
	}
	sqlite3_busy_timeout(st->db, 5000);
	if (rc == SQLITE_OK) {
		STORE_ADD(st, wal_truncates, 1);
		st->next_ckpt_ns = now_ns + CKPT_EVERY_NS;
	} else {
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			store_fail(st, "checkpoint", rc);
		st->next_ckpt_ns = now_ns + CKPT_RETRY_NS;
	}
}

void store__retain(struct store *st, uint64_t now_ns)
{
	uint64_t deadline = store__now_ns() + RETAIN_BUDGET_NS;

	if (st->cfg.max_age_s && now_ns >= st->next_age_ns) {
		st->next_age_ns = now_ns + AGE_EVERY_NS;
		retain_age(st, now_ns, deadline);
	}
	if (st->cfg.max_bytes)
		retain_size(st, deadline);
	store_shrink(st);
	if (now_ns >= st->next_ckpt_ns)
		store_checkpoint(st, now_ns);
	int64_t pages = store__int(st->db, "PRAGMA page_count", 0);

	STORE_SET(st, bytes, (uint64_t)live_bytes(st));
	STORE_SET(st, file_bytes, (uint64_t)(pages * st->page_size));
}

/* The wall clock, whatever clock the sink's now_ns is: ages compare with event times. */
static void store_tick(void *impl, uint64_t now_ns)
{
	(void)now_ns;
	store__commit(impl);
	store__retain(impl, store__now_ns());
}

static void store_free(void *impl)
{
	struct store *st = impl;

	if (st)
		store__commit(st);
	store__close(st);
}

const struct sink_ops store_sink_ops = {
	.kind = "store",
	.send = store_send,
	.tick = store_tick,
	.free = store_free,
};
