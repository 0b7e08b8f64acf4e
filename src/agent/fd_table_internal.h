/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fd table's layout, for its own files only: fd_table.c (the operations),
 * fd_table_check.c (the consistency walk) and fd_seed.c (which only adds to the counters).
 * Everything else goes through fd_table.h.
 */
#ifndef VIGIL_FD_TABLE_INTERNAL_H
#define VIGIL_FD_TABLE_INTERNAL_H

#include <stddef.h>

#include "fd_table.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

struct fd_link {
	struct fd_link *prev, *next;
};

/* A path shared by the entries that dup and fork copied from one another. */
struct fd_path {
	uint32_t refs;
	uint32_t size; /* bytes charged to path_bytes */
	char s[];
};

struct fd_proc {
	struct fd_proc *hnext; /* first: tgid hash chain, or the free list */
	uint32_t tgid;
	uint32_t count; /* entries on the list; the record goes when it reaches 0 */
	struct fd_link entries; /* sentinel; most recently used first */
};

struct fd_entry {
	struct fd_entry *hnext; /* first: (tgid, fd) hash chain, or the free list */
	struct fd_link lru; /* all entries, most recently used first */
	struct fd_link plink; /* the process's entries, in the same order */
	struct fd_proc *proc;
	uint32_t tgid;
	int32_t fd;
	struct fd_info info; /* info.path is an fd_path's string, or NULL */
};

/* One fd a fork copies, taken before inserting so eviction cannot pull it away. */
struct fd_copy {
	int32_t fd;
	struct fd_info info;
};

/* Entries and process records live in two arrays of `capacity` slots allocated up front; a
 * process record exists only while it holds an entry, so it can never run out of slots. */
struct fd_table {
	struct fd_entry **ebuckets, *entries, *efree;
	struct fd_proc **pbuckets, *procs, *pfree;
	size_t mask; /* both hashes have mask + 1 buckets */
	size_t eused, pused; /* slots handed out at least once */
	struct fd_link lru; /* sentinel */
	struct fd_copy *scratch; /* FD_TABLE_FORK_COPY_MAX */
	uint64_t seed; /* keeps chains short even for fd numbers picked by an adversary */
	struct fd_table_stats st;
};

/* Bucket of (tgid, fd); process records hash as (tgid, -1). */
static inline size_t fd_table__hash(const struct fd_table *t, uint32_t tgid, int32_t fd)
{
	uint64_t x = ((uint64_t)tgid << 32 | (uint32_t)fd) ^ t->seed;

	x *= 0x9e3779b97f4a7c15ull;
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	return (size_t)x & t->mask;
}

static inline struct fd_path *fd_path__of(const char *s)
{
	return container_of(s, struct fd_path, s);
}

static inline struct fd_proc *fd_table__find_proc(const struct fd_table *t, uint32_t tgid)
{
	struct fd_proc *p = t->pbuckets[fd_table__hash(t, tgid, -1)];

	while (p && p->tgid != tgid)
		p = p->hnext;
	return p;
}

#endif /* VIGIL_FD_TABLE_INTERNAL_H */
