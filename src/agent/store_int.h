/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the store (store.c, store_sink.c, store_ckpt.c, store_spill.c, store_row.c) and its
 * tests and benchmark: not for other users. */
#ifndef VIGIL_STORE_INT_H
#define VIGIL_STORE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
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

#define STORE_COL_MAX 4096		   /* bytes kept of one text column (a path) */
#define STORE_COMMIT_ROWS 16384		   /* rows per insert transaction, at most */
#define STORE_COMMIT_NS (250 * 1000000ull) /* age of an insert transaction, at most */
#define STORE_WAL_RESTART_FRAMES 8192	   /* WAL frames (64 MiB) before the writer catches up */
#define STORE_WAL_KICK_FRAMES 2048	   /* WAL growth (16 MiB) that wakes the checkpointer */
#define STORE_CACHE_KIB 16384		   /* page cache of the inserting connection */
#define STORE_AUX_CACHE_KIB 1024	   /* ... of the checkpointer's and the spill ones */

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

/* What the store shares with the spill handles, which may outlive it (sinks stop in any
 * order): freed with the last reference. */
struct store_share {
	int refs;
	int spill_waiting;	     /* forwarders' threads about to write their spill */
	struct sink_spill_ops spill; /* what sinks point to */
};

static inline struct store_share *store_share__get(struct store_share *sh)
{
	__atomic_fetch_add(&sh->refs, 1, __ATOMIC_RELAXED);
	return sh;
}

static inline void store_share__put(struct store_share *sh)
{
	if (sh && __atomic_sub_fetch(&sh->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(sh);
}

/* Counters written by the worker, read by anyone (relaxed atomics). */
#define STORE_ADD(st, field, n) __atomic_fetch_add(&(st)->stats.field, (n), __ATOMIC_RELAXED)
#define STORE_SET(st, field, v) __atomic_store_n(&(st)->stats.field, (v), __ATOMIC_RELAXED)

struct store {
	sqlite3 *db;
	sqlite3_stmt *ins;
	struct vg_store_cfg cfg;
	int64_t page_size;
	uint64_t next_ckpt_ns, next_age_ns, last_err_log_ns;
	/* the open insert transaction (store_send) */
	bool in_tx;
	uint64_t tx_start_ns, tx_rows;
	uint64_t commit_rows, commit_ns; /* STORE_COMMIT_ROWS, STORE_COMMIT_NS */
	struct store_share *share;
	/* the checkpointer (store_ckpt.c) */
	sqlite3 *ckpt_db;
	pthread_t ckpt_thread;
	pthread_mutex_t ckpt_lock;
	pthread_cond_t ckpt_cond;
	bool ckpt_stop, ckpt_running, ckpt_kick;
	int wal_frames;	     /* frames in the WAL after the last commit (the WAL hook) */
	int wal_kick_frames; /* ... when the checkpointer was last woken */
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
/* busy timeout, WAL, synchronous=NORMAL, WAL size limit, no automatic checkpoints, a page
 * cache of cache_kib. 0 or -EIO. */
int store__pragmas(sqlite3 *db, int cache_kib);
/* Finalize, close and free (store_sink_ops.free). */
void store__close(struct store *st);
/* store_sink.c: retention and checkpoints, from the worker's tick. */
void store__retain(struct store *st, uint64_t now_ns);
/* Commit the open insert transaction, if any. 0 or -errno (its rows then count as lost). */
int store__commit(struct store *st);
/* store_ckpt.c: the thread that copies the WAL into the file; 0 or -errno. */
int store__ckpt_start(struct store *st);
void store__ckpt_stop(struct store *st);
/* Wake the checkpointer now. */
void store__ckpt_kick(struct store *st);
/* store_spill.c */
void store__spill_init(struct store *st);

#endif /* VIGIL_STORE_INT_H */
