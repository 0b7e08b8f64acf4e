/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the store (store.c, store_sink.c, store_spill.c, store_row.c): not for other users. */
#ifndef VIGIL_STORE_INT_H
#define VIGIL_STORE_INT_H

#include <stdbool.h>
#include <sqlite3.h>

#include "store.h"

/* Text columns of the records table, as store_row extracts them from a line. */
enum store_col {
	SC_TYPE,
	SC_RULE,
	SC_NODE,
	SC_NS,
	SC_POD,
	SC_CONTAINER,
	SC_COMM,
	SC_BINARY,
	SC_PATH,
	SC_NTEXT,
};

#define STORE_COL_MAX 4096
#define STORE_COMMIT_ROWS 16384		/* rows per insert transaction, at most */
#define STORE_COMMIT_NS (250 * 1000000ull) /* age of an insert transaction, at most */ /* bytes kept of one text column (a path); longer is cut */

/* The indexed columns of one line. */
struct store_row {
	int64_t time_ns, pid, uid;
	int kind;
	int prio; /* -1: none (events) */
	bool has_pid, has_uid;
	int len[SC_NTEXT]; /* -1: NULL */
	char text[SC_NTEXT][STORE_COL_MAX];
};

/* Fill row from rec (its kind, time and prio where set, else the line's own). A malformed
 * line still gets kind and time (now, when it has none); its other columns are NULL.
 * Returns 0, or -EINVAL for a malformed line (the row is still usable). */
int store_row__extract(struct store_row *row, const struct out_rec *rec, uint64_t now_ns);
/* Counters written by the worker, read by anyone (relaxed atomics). */
#define STORE_ADD(st, field, n) __atomic_fetch_add(&(st)->stats.field, (n), __ATOMIC_RELAXED)
#define STORE_SET(st, field, v) __atomic_store_n(&(st)->stats.field, (v), __ATOMIC_RELAXED)

struct store {
	sqlite3 *db;
	sqlite3_stmt *ins;
	struct vg_store_cfg cfg;
	struct sink_spill_ops spill;
	int64_t page_size;
	uint64_t next_ckpt_ns, next_age_ns, last_err_log_ns;
	/* the open insert transaction (store_send) */
	bool in_tx;
	uint64_t tx_start_ns, tx_rows;
	uint64_t commit_rows, commit_ns; /* STORE_COMMIT_ROWS, STORE_COMMIT_NS */
	int spill_waiting; /* forwarders' threads about to write their spill (atomic) */
	struct store_stats stats;
	struct store_row row; /* scratch for send() */
};

/* store.c */
int store__errno(int sqlite_rc);
/* Run one statement with no result (pragmas, DDL); logs what failed. 0 or -errno. */
int store__exec(sqlite3 *db, const char *sql);
/* The first column of a one-row query as an integer; def when there is no row. */
int64_t store__int(sqlite3 *db, const char *sql, int64_t def);
uint64_t store__now_ns(void);
/* busy timeout, WAL, synchronous=NORMAL, WAL size limit, cache size. 0 or -EIO. */
int store__pragmas(sqlite3 *db);
/* Finalize, close and free (store_sink_ops.free). */
void store__close(struct store *st);
/* store_sink.c: retention and checkpoints, from the worker's tick. */
void store__retain(struct store *st, uint64_t now_ns);
/* Commit the open insert transaction, if any. 0 or -errno (its rows then count as lost). */
int store__commit(struct store *st);
/* store_spill.c */
void store__spill_init(struct store *st);

#endif /* VIGIL_STORE_INT_H */
