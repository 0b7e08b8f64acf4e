/* SPDX-License-Identifier: Apache-2.0 */
/* The forwarders' spill area in the store's file (sink.h, struct sink_spill_ops): alerts a
 * sink could not deliver, kept until it can. Each sink thread has its own connection; WAL
 * lets them write between the store's batches. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"

#define SPILL_MAX_ROWS 100000 /* per sink: the disk is bounded too */

struct sink_spill {
	sqlite3 *db;
	sqlite3_stmt *put, *take, *done, *count;
	char sink[64]; /* whose row count `rows` is */
	int64_t rows;  /* -1: not known */
	char *path;
	struct store_share *share; /* not the store: a handle may outlive it */
};

static const char *const spill_sql[4] = {
	"INSERT INTO spill(sink, time_ns, kind, prio, type, line) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	"SELECT id, time_ns, kind, prio, type, line FROM spill WHERE sink = ?1 ORDER BY id"
	" LIMIT ?2",
	"DELETE FROM spill WHERE id = ?1",
	"SELECT count(*) FROM spill WHERE sink = ?1",
};

static void spill_close(struct sink_spill *sp)
{
	if (!sp)
		return;
	sqlite3_finalize(sp->put);
	sqlite3_finalize(sp->take);
	sqlite3_finalize(sp->done);
	sqlite3_finalize(sp->count);
	sqlite3_close(sp->db);
	store_share__put(sp->share);
	free(sp->path);
	free(sp);
}

static struct sink_spill *spill_open(void *ctx)
{
	struct store *st = ctx;
	struct sink_spill *sp = calloc(1, sizeof(*sp));
	sqlite3_stmt **stmts[4];

	if (!sp) {
		log_error("store: spill: out of memory");
		return NULL;
	}
	sp->rows = -1;
	sp->path = strdup(st->cfg.path);
	sp->share = store_share__get(st->share);
	stmts[0] = &sp->put, stmts[1] = &sp->take, stmts[2] = &sp->done, stmts[3] = &sp->count;
	if (!sp->path ||
	    sqlite3_open_v2(st->cfg.path, &sp->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK || store__pragmas(sp->db, STORE_AUX_CACHE_KIB))
		goto fail;
	for (int i = 0; i < 4; i++)
		if (sqlite3_prepare_v3(sp->db, spill_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       stmts[i], NULL) != SQLITE_OK)
			goto fail;
	return sp;
fail:
	log_error("store: spill: cannot open %s: %s", st->cfg.path,
		  sp->db ? sqlite3_errmsg(sp->db) : "out of memory");
	spill_close(sp);
	return NULL;
}

static int64_t spill_count(struct sink_spill *sp, const char *sink)
{
	int64_t n = -1;

	if (sp->rows >= 0 && !strcmp(sp->sink, sink))
		return sp->rows;
	sqlite3_bind_text(sp->count, 1, sink, -1, SQLITE_STATIC);
	if (sqlite3_step(sp->count) == SQLITE_ROW)
		n = sqlite3_column_int64(sp->count, 0);
	sqlite3_reset(sp->count);
	if (n >= 0 && strlen(sink) < sizeof(sp->sink)) {
		strcpy(sp->sink, sink);
		sp->rows = n;
	}
	return n;
}

/* The step of one of the handle's writes, reset after; 0 or -errno (logged). The store's
 * thread is told, so that it lets this write in between its batches. */
static int spill_step(struct sink_spill *sp, sqlite3_stmt *s, const char *what)
{
	int rc;

	__atomic_fetch_add(&sp->share->spill_waiting, 1, __ATOMIC_RELAXED);
	rc = sqlite3_step(s);
	__atomic_fetch_sub(&sp->share->spill_waiting, 1, __ATOMIC_RELAXED);

	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	log_warn("store: spill %s in %s: %s", what, sp->path, sqlite3_errmsg(sp->db));
	return store__errno(rc) ? store__errno(rc) : -EIO;
}

static int spill_put(struct sink_spill *sp, const char *sink, const struct out_rec *rec)
{
	sqlite3_stmt *s = sp->put;
	int64_t n = spill_count(sp, sink);
	int rc;

	if (n >= SPILL_MAX_ROWS)
		return -ENOSPC;
	sqlite3_bind_text(s, 1, sink, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (int64_t)(rec->time_ns ? rec->time_ns : store__now_ns()));
	sqlite3_bind_int(s, 3, rec->kind);
	sqlite3_bind_int(s, 4, rec->prio);
	sqlite3_bind_int(s, 5, rec->type);
	sqlite3_bind_text(s, 6, rec->line, (int)rec->len, SQLITE_STATIC);
	rc = spill_step(sp, s, "put");
	if (!rc && sp->rows >= 0 && !strcmp(sp->sink, sink))
		sp->rows++;
	return rc;
}

/* A row of the take query as a malloc'd out_rec, as sink.c's out_rec__new would make it. */
static struct out_rec *spill_rec(sqlite3_stmt *s)
{
	const void *line = sqlite3_column_text(s, 5);
	int len = sqlite3_column_bytes(s, 5);
	struct out_rec *r = line ? malloc(sizeof(*r) + (size_t)len + 1) : NULL;

	if (!r)
		return NULL;
	r->spill_id = (uint64_t)sqlite3_column_int64(s, 0);
	r->time_ns = (uint64_t)sqlite3_column_int64(s, 1);
	r->kind = (uint8_t)sqlite3_column_int(s, 2);
	r->prio = (uint8_t)sqlite3_column_int(s, 3);
	r->type = (uint16_t)sqlite3_column_int(s, 4);
	r->len = (uint32_t)len;
	memcpy(r->line, line, (size_t)len);
	r->line[len] = '\0';
	return r;
}

static int spill_take(struct sink_spill *sp, const char *sink, struct out_rec **out, size_t max)
{
	sqlite3_stmt *s = sp->take;
	int n = 0, rc = SQLITE_DONE;

	if (max > INT32_MAX)
		max = INT32_MAX;
	sqlite3_bind_text(s, 1, sink, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (int64_t)max);
	while ((size_t)n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!(out[n] = spill_rec(s))) {
			rc = SQLITE_NOMEM;
			break;
		}
		n++;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return n;
	while (n > 0)
		free(out[--n]);
	log_warn("store: spill take in %s: %s", sp->path, sqlite3_errstr(rc));
	return store__errno(rc) ? store__errno(rc) : -EIO;
}

static int spill_done(struct sink_spill *sp, uint64_t spill_id)
{
	int rc;

	sqlite3_bind_int64(sp->done, 1, (int64_t)spill_id);
	rc = spill_step(sp, sp->done, "done");
	if (!rc && sqlite3_changes(sp->db) > 0 && sp->rows > 0)
		sp->rows--;
	return rc;
}

/* Always counted afresh: the store's age retention may have deleted rows meanwhile. */
static int64_t spill_pending(struct sink_spill *sp, const char *sink)
{
	sp->rows = -1;
	return spill_count(sp, sink);
}

void store__spill_init(struct store *st)
{
	st->share->spill = (struct sink_spill_ops){
		.open = spill_open,
		.put = spill_put,
		.take = spill_take,
		.done = spill_done,
		.count = spill_pending,
		.close = spill_close,
		.ctx = st,
	};
}

const struct sink_spill_ops *store__spill_ops(struct store *st)
{
	return &st->share->spill;
}
