/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The embedded evidence store: every event and alert the agent writes, kept in one SQLite
 * file (WAL) and indexed by time, pod, container, rule, type, process and path, so that
 * `vigil query` and `vigil report` can answer "who touched /etc/shadow in namespace shop last
 * Tuesday" after the fact, on the node, with no external system (docs/store.md).
 *
 * It is a sink (sink.h): the agent offers it each finished line and its worker thread
 * inserts them a batch per transaction; the worker's tick enforces retention (age, size) and
 * keeps the WAL file bounded. Its file also holds the forwarders' spill area.
 */
#ifndef VIGIL_STORE_H
#define VIGIL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "sink.h"

#define STORE_SCHEMA_VERSION 1

#define NS_PER_S 1000000000ull /* the store's times and periods are in nanoseconds */

struct store;
struct sqlite3;

struct store_stats {
	uint64_t rows;		 /* rows in the records table (approximate) */
	uint64_t bytes;		 /* live bytes: pages in use, as of the last tick */
	uint64_t file_bytes;	 /* the database file's size, as of the last tick */
	uint64_t inserted;	 /* rows committed since open */
	uint64_t skipped;	 /* lines offered but not kept: stats records, events when off */
	uint64_t deleted_age;	 /* rows deleted because older than max_age_s */
	uint64_t deleted_size;	 /* rows deleted to stay under max_bytes */
	uint64_t errors;	 /* failed batches, retention and checkpoint steps */
	uint64_t batches;	 /* committed insert transactions (several sends each) */
	uint64_t last_commit_ns; /* wall clock of the last committed batch; 0 none */
	uint64_t checkpoints;	 /* WAL copies into the file by the checkpointer thread */
	uint64_t wal_truncates;	 /* wal_checkpoint(TRUNCATE) from the tick, every 30 s */
	uint64_t lost;		 /* rows accepted, then lost with a transaction that failed */
};

/* Open (creating the parent directory, the file and the schema when missing) the store at
 * cfg->path. The file and its -wal/-shm are mode 0600, or 0640 with group cfg->group; a
 * symlink at the path is refused. NULL with a message in err (naming the path) on failure,
 * e.g. a newer schema or an unknown group. cfg is copied. */
struct store *store__open(const struct vg_store_cfg *cfg, char *err, size_t errsz);

/* The sink implementation; impl is the struct store *, freed (closed) by its free(). */
extern const struct sink_ops store_sink_ops;

/* The spill area for forwarders (sink.h); each open() gets its own connection to the file.
 * open() needs the store (it must not have been freed yet); the handles it returns do not,
 * so sinks may stop and be freed in any order. */
const struct sink_spill_ops *store__spill_ops(struct store *st);

/* Counters, from any thread. */
void store__stats(struct store *st, struct store_stats *out);

/* A read-only connection for the CLI: checks the file exists, is readable and has a schema
 * this build knows. 0, or a negative errno with a message in err. */
int store__open_ro(const char *path, struct sqlite3 **db, char *err, size_t errsz);

/* The file access a stored event or alert line records: "read", "write", "read-write"
 * (an open, from its flags), "delete", "rename", "link", "chmod", "chown", "create", or NULL
 * when it is none (store_row.c; `vigil report`). */
const char *store_row__access(int kind, const char *line, size_t len);

#endif /* VIGIL_STORE_H */
