/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's checkpointer: a thread with its own connection that copies the WAL into the
 * database file twice a second, and whenever the inserting thread says the WAL grew by 16 MiB
 * (PASSIVE: it never waits for, nor blocks, the inserting thread). SQLite's automatic
 * checkpoint would run inside a commit of the sink's worker, fsync included: a quarter of
 * its time at 1M rows (bench/store). With the copy done here,
 * on another core, the worker only appends to the WAL, and the WAL starts over from its
 * beginning (so stays small) once everything in it was copied.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "log.h"
#include "store_int.h"

#define CKPT_PERIOD_MS 500

static bool ckpt_wait(struct store *st)
{
	struct timespec until;
	bool stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += CKPT_PERIOD_MS * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&st->ckpt_lock);
	while (!st->ckpt_stop && !st->ckpt_kick &&
	       pthread_cond_timedwait(&st->ckpt_cond, &st->ckpt_lock, &until) != ETIMEDOUT)
		;
	st->ckpt_kick = false;
	stop = st->ckpt_stop;
	pthread_mutex_unlock(&st->ckpt_lock);
	return !stop;
}

static void *ckpt_main(void *arg)
{
	struct store *st = arg;
	int rc, logged = 0;

	while (ckpt_wait(st)) {
		rc = sqlite3_wal_checkpoint_v2(st->ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
					       NULL);
		if (rc == SQLITE_OK) {
			STORE_ADD(st, checkpoints, 1);
		} else if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) {
			STORE_ADD(st, errors, 1);
			if (!logged++)
				log_warn("store: %s: checkpoint: %s", st->cfg.path,
					 sqlite3_errmsg(st->ckpt_db));
		}
	}
	return NULL;
}

int store__ckpt_start(struct store *st)
{
	int rc = sqlite3_open_v2(st->cfg.path, &st->ckpt_db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc != SQLITE_OK || store__pragmas(st->ckpt_db, STORE_AUX_CACHE_KIB))
		return -EIO;
	pthread_mutex_init(&st->ckpt_lock, NULL);
	pthread_cond_init(&st->ckpt_cond, NULL);
	rc = pthread_create(&st->ckpt_thread, NULL, ckpt_main, st);
	if (rc) {
		pthread_cond_destroy(&st->ckpt_cond);
		pthread_mutex_destroy(&st->ckpt_lock);
		return -rc;
	}
	pthread_setname_np(st->ckpt_thread, "vigil-ckpt");
	st->ckpt_running = true;
	return 0;
}

void store__ckpt_kick(struct store *st)
{
	pthread_mutex_lock(&st->ckpt_lock);
	st->ckpt_kick = true;
	pthread_cond_signal(&st->ckpt_cond);
	pthread_mutex_unlock(&st->ckpt_lock);
}

void store__ckpt_stop(struct store *st)
{
	if (st->ckpt_running) {
		pthread_mutex_lock(&st->ckpt_lock);
		st->ckpt_stop = true;
		pthread_cond_signal(&st->ckpt_cond);
		pthread_mutex_unlock(&st->ckpt_lock);
		pthread_join(st->ckpt_thread, NULL);
		pthread_cond_destroy(&st->ckpt_cond);
		pthread_mutex_destroy(&st->ckpt_lock);
		st->ckpt_running = false;
	}
	if (st->ckpt_db)
		sqlite3_close(st->ckpt_db);
	st->ckpt_db = NULL;
}
