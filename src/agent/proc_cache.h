/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The user-space process cache: (tgid, start time) -> identity, for lineage and for events
 * that name only a pid. Bounded by an entry count and a byte budget; evictions are counted.
 *
 * Exited processes stay for a grace period, and longer while live children still refer to
 * them, so a short-lived parent (a shell that forks and exits, runc's init) still appears as
 * the parent of what it started. Entries never point at each other: a child refers to its
 * parent by (ppid, parent_start_ns) and looks it up, so eviction can never leave a dangling
 * pointer.
 */
#ifndef VIGIL_PROC_CACHE_H
#define VIGIL_PROC_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROC_F_PROCFS 0x1 /* seeded from /proc: start time has clock-tick resolution */
#define PROC_F_EXITED 0x2
#define PROC_F_EXECED 0x4 /* exec'd while vigil watched: binary/args are this image's */
#define PROC_F_ARGS_TRUNC 0x8
#define PROC_F_PARENT_REF 0x10 /* holds a reference on its parent entry */

struct proc_entry {
	uint32_t tgid;
	uint32_t ppid;
	uint64_t start_ns; /* CLOCK_BOOTTIME */
	uint64_t parent_start_ns;
	uint64_t exec_ns; /* last exec (CLOCK_BOOTTIME), 0 if none seen */
	uint64_t exit_ns;
	uint64_t cgroup_id;
	uint32_t uid, gid, euid, egid, auid;
	uint32_t flags; /* PROC_F_* */
	uint32_t exec_flags; /* VG_EXEC_* of the last exec */
	uint32_t refs; /* live children that refer to this entry */
	int32_t exit_code;
	uint32_t tty; /* controlling terminal (tty_nr encoding), 0: none */
	char comm[16];
	char *binary; /* NUL terminated or NULL */
	char *cwd;
	char *args; /* NUL separated */
	uint32_t args_len;
	char *json[2]; /* rendered JSON object, short and full form (event_json.c), or NULL */
	uint32_t json_len[2];
	size_t bytes; /* heap bytes charged to the budget */
	struct proc_entry *hnext;
	struct proc_entry *prev, *next; /* live LRU or exited FIFO */
};

struct proc_cache_stats {
	uint64_t size, capacity, bytes, max_bytes;
	uint64_t inserts, hits, misses;
	uint64_t evictions; /* removed to make room (capacity or bytes) */
	uint64_t evictions_live; /* of which still-running processes */
	uint64_t expired; /* exited entries removed after their grace period */
	uint64_t redacted; /* argv blocks that had a secret replaced */
};

struct proc_cache;

/* capacity: entries; max_bytes: heap for strings; grace_ns: how long exits are kept. */
struct proc_cache *proc_cache__new(size_t capacity, size_t max_bytes, uint64_t grace_ns);
void proc_cache__free(struct proc_cache *c);
/* Redact secrets from every argv set from now on (redact.h); NULL: none. r must outlive c
 * or be replaced. */
struct redactor;
void proc_cache__set_redactor(struct proc_cache *c, const struct redactor *r);
/* Find by tgid. start_ns 0 matches any; otherwise it must match (tick-tolerant for entries
 * seeded from /proc). Touches the LRU. */
struct proc_entry *proc_cache__lookup(struct proc_cache *c, uint32_t tgid, uint64_t start_ns);
/* Find or create. An entry of the same tgid with another start time (pid reuse) is
 * replaced. Never fails for lack of room: it evicts. NULL only on allocation failure. */
struct proc_entry *proc_cache__upsert(struct proc_cache *c, uint32_t tgid, uint64_t start_ns);
/* Replace the entry's strings (copies). NULL leaves a string unchanged. -ENOMEM on failure. */
int proc_entry__set_strings(struct proc_cache *c, struct proc_entry *e, const char *binary,
			    const char *args, uint32_t args_len, const char *cwd);
/* Keep a rendered JSON form of the entry (form 0 or 1); it is dropped whenever the entry
 * changes through this API. Charged to the byte budget. -ENOMEM on failure. */
int proc_entry__set_json(struct proc_cache *c, struct proc_entry *e, int form, const char *s,
			 size_t n);
/* Forget the rendered forms; call after changing an entry's fields directly. */
void proc_entry__drop_json(struct proc_cache *c, struct proc_entry *e);
/* Copy image strings from parent to a forked child. */
int proc_entry__inherit(struct proc_cache *c, struct proc_entry *child,
			const struct proc_entry *parent);
/* Record the parent link and take a reference on the parent if it is cached. */
void proc_cache__link_parent(struct proc_cache *c, struct proc_entry *e, uint32_t ppid,
			     uint64_t parent_start_ns);
/* Mark exited; it is removed by proc_cache__sweep after the grace period and once no live
 * child refers to it. */
void proc_cache__exit(struct proc_cache *c, struct proc_entry *e, uint64_t now_ns);
void proc_cache__sweep(struct proc_cache *c, uint64_t now_ns);
/* Parent of e, or NULL. */
struct proc_entry *proc_cache__parent(struct proc_cache *c, const struct proc_entry *e);
void proc_cache__stats(const struct proc_cache *c, struct proc_cache_stats *st);
/* Call fn on every entry; fn must not add or remove entries. */
void proc_cache__foreach(struct proc_cache *c, void (*fn)(struct proc_cache *c,
							  struct proc_entry *e, void *arg),
			 void *arg);
/* Nanoseconds per /proc clock tick, used for tick-tolerant start-time matching. */
uint64_t proc_cache__tick_ns(void);

#endif /* VIGIL_PROC_CACHE_H */
