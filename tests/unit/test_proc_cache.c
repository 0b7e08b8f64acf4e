// SPDX-License-Identifier: Apache-2.0
/*
 * proc_cache: (tgid, start) keys, tick-tolerant matching of entries seeded from /proc, the
 * entry and byte bounds with their eviction order, parent references, and the exit grace
 * period. Every count and every survivor is asserted; LeakSanitizer checks the frees.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define UNIT_MAIN
#include "unit.h"

#include "proc_cache.h"

#define MiB   (1024 * 1024)
#define GRACE 1000ull

static struct proc_cache_stats stats(struct proc_cache *c)
{
	struct proc_cache_stats st;

	proc_cache__stats(c, &st);
	return st;
}

/* An entry with a binary of exactly `bytes` charged bytes (string + NUL). */
static struct proc_entry *with_binary(struct proc_cache *c, uint32_t tgid, size_t bytes)
{
	struct proc_entry *e = proc_cache__upsert(c, tgid, tgid * 1000ull);
	char s[256];

	memset(s, 'b', bytes - 1);
	s[bytes - 1] = 0;
	if (e)
		proc_entry__set_strings(c, e, s, NULL, 0, NULL);
	return e;
}

UNIT_TEST(insert_and_lookup)
{
	struct proc_cache *c = proc_cache__new(16, MiB, GRACE);
	struct proc_entry *e;

	e = proc_cache__upsert(c, 100, 5000);
	CHECK(e != NULL);
	CHECK_INT(e->tgid, 100);
	CHECK_INT(e->start_ns, 5000);
	CHECK_INT(e->auid, 0xffffffffu); /* unset, as the kernel says it */
	CHECK_INT(e->flags, 0);
	CHECK_INT(e->refs, 0);
	CHECK(e->binary == NULL && e->args == NULL && e->cwd == NULL);
	CHECK(proc_cache__lookup(c, 100, 5000) == e);
	CHECK(proc_cache__lookup(c, 100, 0) == e); /* 0 matches any start */
	CHECK(proc_cache__lookup(c, 100, 5001) == NULL);
	CHECK(proc_cache__lookup(c, 100, 4999) == NULL);
	CHECK(proc_cache__lookup(c, 101, 0) == NULL);
	CHECK(proc_cache__upsert(c, 100, 5000) == e); /* found, not inserted again */
	CHECK(proc_cache__upsert(c, 100, 0) == e);
	CHECK_INT(stats(c).size, 1);
	CHECK_INT(stats(c).capacity, 16);
	CHECK_INT(stats(c).max_bytes, MiB);
	CHECK_INT(stats(c).inserts, 1);
	CHECK_INT(stats(c).hits, 2);
	CHECK_INT(stats(c).misses, 3);
	CHECK_INT(stats(c).evictions, 0);
	proc_cache__free(c);
}

UNIT_TEST(new_rejects_zero_capacity)
{
	CHECK(proc_cache__new(0, MiB, GRACE) == NULL);
	proc_cache__free(NULL);
}

/* tgids that land in one hash bucket: unlinking from the middle of a chain keeps the rest. */
UNIT_TEST(bucket_chains)
{
	struct proc_cache *c = proc_cache__new(16, MiB, GRACE); /* 64 buckets */
	struct proc_entry *e[5];

	for (int i = 0; i < 5; i++)
		e[i] = proc_cache__upsert(c, 7 + 64 * i, 1 + i);
	proc_cache__upsert(c, 7 + 64 * 2, 99); /* pid reuse of the middle one */
	proc_cache__exit(c, e[3], 10);
	proc_cache__sweep(c, 10 + GRACE);
	CHECK(proc_cache__lookup(c, 7, 1) == e[0]);
	CHECK(proc_cache__lookup(c, 7 + 64, 2) == e[1]);
	CHECK(proc_cache__lookup(c, 7 + 128, 3) == NULL);
	CHECK(proc_cache__lookup(c, 7 + 128, 99) != NULL);
	CHECK(proc_cache__lookup(c, 7 + 192, 0) == NULL);
	CHECK(proc_cache__lookup(c, 7 + 256, 5) == e[4]);
	CHECK_INT(stats(c).size, 4);
	CHECK_INT(stats(c).expired, 1);
	proc_cache__free(c);
}

UNIT_TEST(pid_reuse_replaces)
{
	struct proc_cache *c = proc_cache__new(16, MiB, GRACE);
	struct proc_entry *old, *e;

	old = proc_cache__upsert(c, 100, 5000);
	proc_entry__set_strings(c, old, "/bin/old", "old\0", 4, "/");
	old->uid = 42;
	CHECK_INT(stats(c).bytes, 9 + 5 + 2);
	e = proc_cache__upsert(c, 100, 9000);
	CHECK(e != NULL);
	CHECK_INT(e->start_ns, 9000);
	CHECK_INT(e->uid, 0); /* nothing carried over from the old process */
	CHECK(e->binary == NULL);
	CHECK_INT(stats(c).size, 1);
	CHECK_INT(stats(c).bytes, 0);
	CHECK_INT(stats(c).inserts, 2);
	CHECK_INT(stats(c).evictions, 0);
	CHECK(proc_cache__lookup(c, 100, 5000) == NULL);
	CHECK(proc_cache__lookup(c, 100, 9000) == e);

	/* an exited entry whose pid comes back is replaced too */
	proc_cache__exit(c, e, 50);
	e = proc_cache__upsert(c, 100, 12000);
	CHECK_INT(e->flags, 0);
	CHECK_INT(stats(c).size, 1);
	proc_cache__sweep(c, 50 + GRACE); /* the exited FIFO no longer holds the old one */
	CHECK(proc_cache__lookup(c, 100, 12000) == e);
	CHECK_INT(stats(c).expired, 0);
	proc_cache__free(c);
}

UNIT_TEST(procfs_start_matches_at_tick_resolution)
{
	struct proc_cache *c = proc_cache__new(16, MiB, GRACE);
	uint64_t tick = proc_cache__tick_ns(), t0 = 700 * tick;
	struct proc_entry *e, *exact;

	CHECK(tick > 0 && tick <= 1000000000ull);
	CHECK_INT(tick, 1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK));
	e = proc_cache__upsert(c, 200, t0);
	e->flags |= PROC_F_PROCFS;
	CHECK(proc_cache__lookup(c, 200, t0) == e);
	CHECK(proc_cache__lookup(c, 200, t0 + 1) == e);
	CHECK(proc_cache__lookup(c, 200, t0 + tick - 1) == e);
	CHECK(proc_cache__lookup(c, 200, t0 + tick) == NULL);
	CHECK(proc_cache__lookup(c, 200, t0 - 1) == NULL);

	/* an entry with an exact time gets no tolerance */
	exact = proc_cache__upsert(c, 201, t0);
	CHECK(proc_cache__lookup(c, 201, t0 + 1) == NULL);
	CHECK(exact->start_ns == t0);

	/* the kernel's exact time upgrades the seeded entry in place */
	CHECK(proc_cache__upsert(c, 200, t0 + 12345) == e);
	CHECK_INT(e->start_ns, t0 + 12345);
	CHECK_INT(e->flags & PROC_F_PROCFS, 0);
	CHECK(proc_cache__lookup(c, 200, t0 + 12345) == e);
	CHECK(proc_cache__lookup(c, 200, t0 + 12346) == NULL);
	CHECK_INT(stats(c).size, 2);
	CHECK_INT(stats(c).inserts, 2);

	/* a start in another tick is another process */
	e = proc_cache__upsert(c, 201, t0 + 5 * tick);
	CHECK_INT(e->start_ns, t0 + 5 * tick);
	CHECK(proc_cache__lookup(c, 201, t0) == NULL);
	CHECK_INT(stats(c).inserts, 3);
	proc_cache__free(c);
}

/* A seeded child links its seeded parent at tick resolution; the parent's later upgrade to
 * the exact start must keep the link, the reference and its release. */
UNIT_TEST(procfs_upgrade_keeps_parent_link)
{
	struct proc_cache *c = proc_cache__new(16, MiB, GRACE);
	uint64_t tick = proc_cache__tick_ns();
	struct proc_entry *p, *ch;

	p = proc_cache__upsert(c, 300, 5 * tick);
	p->flags |= PROC_F_PROCFS;
	ch = proc_cache__upsert(c, 301, 6 * tick);
	ch->flags |= PROC_F_PROCFS;
	proc_cache__link_parent(c, ch, 300, 5 * tick);
	CHECK_INT(p->refs, 1);
	CHECK(proc_cache__upsert(c, 300, 5 * tick + 777) == p); /* p execs */
	CHECK(proc_cache__parent(c, ch) == p);

	/* the child execs too: relinking with the exact time neither leaks nor doubles the ref */
	CHECK(proc_cache__upsert(c, 301, 6 * tick + 5) == ch);
	proc_cache__link_parent(c, ch, 300, 5 * tick + 777);
	CHECK_INT(p->refs, 1);
	CHECK(proc_cache__parent(c, ch) == p);

	proc_cache__exit(c, p, 10);
	proc_cache__exit(c, ch, 20);
	proc_cache__sweep(c, 20 + GRACE);
	CHECK_INT(stats(c).size, 0);
	CHECK_INT(stats(c).expired, 2);
	proc_cache__free(c);
}

UNIT_TEST(capacity_evicts_live_in_lru_order)
{
	struct proc_cache *c = proc_cache__new(8, MiB, GRACE);

	for (uint32_t i = 1; i <= 8; i++)
		CHECK(proc_cache__upsert(c, i, i * 10) != NULL);
	CHECK(proc_cache__lookup(c, 1, 10) != NULL); /* touched: now most recent */
	CHECK(proc_cache__lookup(c, 3, 0) != NULL);
	for (uint32_t i = 9; i <= 12; i++)
		CHECK(proc_cache__upsert(c, i, i * 10) != NULL);
	CHECK_INT(stats(c).size, 8);
	CHECK_INT(stats(c).inserts, 12);
	CHECK_INT(stats(c).evictions, 4);
	CHECK_INT(stats(c).evictions_live, 4);
	/* evicted: the four least recently used, 2, 4, 5, 6 */
	CHECK(proc_cache__lookup(c, 2, 0) == NULL);
	CHECK(proc_cache__lookup(c, 4, 0) == NULL);
	CHECK(proc_cache__lookup(c, 5, 0) == NULL);
	CHECK(proc_cache__lookup(c, 6, 0) == NULL);
	for (uint32_t i = 1; i <= 12; i++)
		if (i != 2 && (i < 4 || i > 6))
			CHECK(proc_cache__lookup(c, i, i * 10) != NULL);
	proc_cache__free(c);
}

UNIT_TEST(capacity_evicts_exited_first)
{
	struct proc_cache *c = proc_cache__new(4, MiB, GRACE);
	struct proc_entry *e[5];
	struct proc_cache_stats st;

	for (uint32_t i = 1; i <= 4; i++)
		e[i] = proc_cache__upsert(c, i, i);
	proc_cache__exit(c, e[3], 100);
	proc_cache__exit(c, e[1], 200);
	CHECK(proc_cache__lookup(c, 3, 3) == e[3]); /* a lookup does not make an exit live */
	proc_cache__upsert(c, 5, 5);
	CHECK(proc_cache__lookup(c, 3, 0) == NULL); /* oldest exit */
	CHECK(proc_cache__lookup(c, 1, 0) == e[1]);
	proc_cache__upsert(c, 6, 6);
	CHECK(proc_cache__lookup(c, 1, 0) == NULL);
	CHECK(proc_cache__lookup(c, 2, 0) == e[2]); /* live: kept while exits remained */
	st = stats(c);
	CHECK_INT(st.evictions, 2);
	CHECK_INT(st.evictions_live, 0);
	/* no exits left: the least recently used live entry (4) goes */
	proc_cache__upsert(c, 7, 7);
	CHECK(proc_cache__lookup(c, 4, 0) == NULL);
	CHECK(proc_cache__lookup(c, 2, 0) == e[2]);
	st = stats(c);
	CHECK_INT(st.size, 4);
	CHECK_INT(st.evictions, 3);
	CHECK_INT(st.evictions_live, 1);
	CHECK_INT(st.expired, 0);
	proc_cache__free(c);
}

/* Evicting a child releases its reference on the parent. */
UNIT_TEST(eviction_drops_parent_ref)
{
	struct proc_cache *c = proc_cache__new(2, MiB, GRACE);
	struct proc_entry *p = proc_cache__upsert(c, 1, 1), *ch = proc_cache__upsert(c, 2, 2);

	proc_cache__link_parent(c, ch, 1, 1);
	CHECK_INT(p->refs, 1);
	CHECK(proc_cache__lookup(c, 1, 1) == p); /* child becomes least recently used */
	proc_cache__upsert(c, 3, 3);
	CHECK(proc_cache__lookup(c, 2, 0) == NULL);
	CHECK_INT(p->refs, 0);
	proc_cache__exit(c, p, 10);
	proc_cache__sweep(c, 10 + GRACE);
	CHECK(proc_cache__lookup(c, 1, 0) == NULL);
	CHECK_INT(stats(c).expired, 1);
	proc_cache__free(c);
}

UNIT_TEST(byte_budget_evicts_others)
{
	struct proc_cache *c = proc_cache__new(100, 100, GRACE);
	struct proc_entry *b, *d;

	with_binary(c, 1, 30);
	b = with_binary(c, 2, 30);
	with_binary(c, 3, 30);
	CHECK_INT(stats(c).bytes, 90);
	d = with_binary(c, 4, 30); /* 120 > 100: the LRU entry (1) goes */
	CHECK_INT(stats(c).bytes, 90);
	CHECK_INT(stats(c).size, 3);
	CHECK_INT(stats(c).evictions, 1);
	CHECK_INT(stats(c).evictions_live, 1);
	CHECK(proc_cache__lookup(c, 1, 0) == NULL);
	CHECK(d->binary && strlen(d->binary) == 29);

	/* b is now least recently used itself: growing it must evict 3, not stop at b */
	proc_entry__set_strings(c, b, NULL, NULL, 0, "/cwd/of/b/which/is/thirty/b"); /* +28 */
	CHECK_INT(b->bytes, 58);
	CHECK_INT(stats(c).bytes, 88);
	CHECK_INT(stats(c).size, 2);
	CHECK_INT(stats(c).evictions, 2);
	CHECK(proc_cache__lookup(c, 3, 0) == NULL);
	CHECK(proc_cache__lookup(c, 2, 0) == b);
	CHECK(proc_cache__lookup(c, 4, 0) == d);
	CHECK(stats(c).bytes <= stats(c).max_bytes);

	/* an exited entry goes before a live one, even a less recently used one */
	with_binary(c, 5, 10); /* 98 */
	proc_cache__exit(c, proc_cache__lookup(c, 5, 0), 10);
	CHECK(proc_cache__lookup(c, 2, 0) == b);	   /* d is the LRU live entry */
	proc_entry__set_strings(c, b, "x", NULL, 0, NULL); /* b: 58 - 30 + 2 = 30 */
	CHECK_INT(stats(c).bytes, 30 + 30 + 10);
	with_binary(c, 6, 40); /* 110: the exit (5) goes, 100 */
	CHECK(proc_cache__lookup(c, 5, 0) == NULL);
	CHECK(proc_cache__lookup(c, 4, 0) == d);
	CHECK_INT(stats(c).bytes, 100);
	CHECK_INT(stats(c).evictions, 3);
	CHECK_INT(stats(c).evictions_live, 2);
	proc_cache__free(c);
}

UNIT_TEST(set_strings_recharges_exactly)
{
	struct proc_cache *c = proc_cache__new(16, MiB, GRACE);
	struct proc_entry *e = proc_cache__upsert(c, 10, 1), *f = proc_cache__upsert(c, 11, 1);

	CHECK_INT(proc_entry__set_strings(c, e, "abc", "a\0bc\0", 5, "/tmp"), 0);
	CHECK_STR(e->binary, "abc");
	CHECK_STR(e->cwd, "/tmp");
	CHECK_INT(e->args_len, 5);
	CHECK(memcmp(e->args, "a\0bc\0", 6) == 0); /* copied, plus a terminating NUL */
	CHECK_INT(e->bytes, 4 + 6 + 5);
	CHECK_INT(stats(c).bytes, 15);
	proc_entry__set_strings(c, f, "/usr/bin/f", NULL, 0, NULL);
	CHECK_INT(stats(c).bytes, 15 + 11);

	/* NULL leaves a string as it was */
	CHECK_INT(proc_entry__set_strings(c, e, "/usr/bin/longer", NULL, 0, NULL), 0);
	CHECK_STR(e->binary, "/usr/bin/longer");
	CHECK_STR(e->cwd, "/tmp");
	CHECK_INT(e->args_len, 5);
	CHECK_INT(e->bytes, 16 + 6 + 5);
	CHECK_INT(stats(c).bytes, 27 + 11);
	/* empty args still cost their terminator */
	proc_entry__set_strings(c, e, NULL, "", 0, "/");
	CHECK_INT(e->args_len, 0);
	CHECK_INT(e->bytes, 16 + 1 + 2);
	CHECK_INT(stats(c).bytes, 19 + 11);
	/* the same strings again cost the same */
	proc_entry__set_strings(c, e, "/usr/bin/longer", "", 0, "/");
	CHECK_INT(stats(c).bytes, 19 + 11);

	proc_cache__exit(c, e, 5);
	proc_cache__sweep(c, 5 + GRACE);
	CHECK_INT(stats(c).bytes, 11);
	proc_cache__upsert(c, 11, 2); /* reuse frees f's strings */
	CHECK_INT(stats(c).bytes, 0);
	proc_cache__free(c);
}

UNIT_TEST(inherit_copies)
{
	struct proc_cache *c = proc_cache__new(16, MiB, GRACE);
	struct proc_entry *p = proc_cache__upsert(c, 20, 1), *ch;

	proc_entry__set_strings(c, p, "/bin/sh", "sh\0-c\0true\0", 11, "/srv");
	p->uid = 1, p->gid = 2, p->euid = 3, p->egid = 4, p->auid = 5;
	p->exec_flags = 0x5a;
	p->flags |= PROC_F_ARGS_TRUNC | PROC_F_EXECED;
	ch = proc_cache__upsert(c, 21, 2);
	CHECK_INT(proc_entry__inherit(c, ch, p), 0);
	CHECK_STR(ch->binary, "/bin/sh");
	CHECK_STR(ch->cwd, "/srv");
	CHECK_INT(ch->args_len, 11);
	CHECK(memcmp(ch->args, "sh\0-c\0true\0", 11) == 0);
	CHECK(ch->binary != p->binary && ch->args != p->args && ch->cwd != p->cwd);
	CHECK_INT(ch->uid, 1);
	CHECK_INT(ch->gid, 2);
	CHECK_INT(ch->euid, 3);
	CHECK_INT(ch->egid, 4);
	CHECK_INT(ch->auid, 5);
	CHECK_INT(ch->exec_flags, 0x5a);
	CHECK_INT(ch->flags, PROC_F_ARGS_TRUNC); /* not EXECED: the child did not exec */
	CHECK_INT(ch->bytes, p->bytes);
	CHECK_INT(stats(c).bytes, 2 * (8 + 12 + 5));

	/* the copies are independent */
	proc_entry__set_strings(c, p, "/bin/bash", NULL, 0, NULL);
	CHECK_STR(ch->binary, "/bin/sh");
	proc_cache__free(c);
}

UNIT_TEST(link_parent_and_lookup)
{
	struct proc_cache *c = proc_cache__new(16, MiB, GRACE);
	struct proc_entry *p = proc_cache__upsert(c, 10, 1000),
			  *ch = proc_cache__upsert(c, 11, 2000);
	struct proc_entry *ch2 = proc_cache__upsert(c, 12, 3000);

	CHECK(proc_cache__parent(c, ch) == NULL);
	proc_cache__link_parent(c, ch, 10, 1000);
	CHECK_INT(ch->ppid, 10);
	CHECK_INT(ch->parent_start_ns, 1000);
	CHECK_INT(ch->flags, PROC_F_PARENT_REF);
	CHECK_INT(p->refs, 1);
	CHECK(proc_cache__parent(c, ch) == p);
	proc_cache__link_parent(c, ch, 10, 1000); /* again: no second reference */
	CHECK_INT(p->refs, 1);
	proc_cache__link_parent(c, ch2, 10, 1000);
	CHECK_INT(p->refs, 2);

	/* a parent of another start time is another process */
	proc_cache__link_parent(c, ch, 10, 999);
	CHECK_INT(p->refs, 1);
	CHECK_INT(ch->flags, 0);
	CHECK(proc_cache__parent(c, ch) == NULL);
	CHECK_INT(ch->parent_start_ns, 999);
	/* an uncached parent is recorded but holds nothing */
	proc_cache__link_parent(c, ch, 77, 5);
	CHECK_INT(ch->ppid, 77);
	CHECK_INT(ch->flags, 0);
	CHECK(proc_cache__parent(c, ch) == NULL);
	/* parent start 0: whichever process has the pid */
	proc_cache__link_parent(c, ch, 10, 0);
	CHECK(proc_cache__parent(c, ch) == p);
	CHECK_INT(p->refs, 2);
	/* a process is never its own parent */
	proc_cache__link_parent(c, p, 10, 1000);
	CHECK(proc_cache__parent(c, p) == NULL);
	CHECK_INT(p->refs, 2);
	proc_cache__free(c);
}

UNIT_TEST(exit_grace_and_refs)
{
	struct proc_cache *c = proc_cache__new(16, MiB, GRACE);
	struct proc_entry *p = proc_cache__upsert(c, 10, 1), *ch = proc_cache__upsert(c, 11, 2);
	struct proc_entry *lone = proc_cache__upsert(c, 12, 3);

	proc_cache__link_parent(c, ch, 10, 1);
	proc_cache__exit(c, p, 100);
	proc_cache__exit(c, lone, 150);
	CHECK_INT(p->flags & PROC_F_EXITED, PROC_F_EXITED);
	CHECK_INT(p->exit_ns, 100);
	proc_cache__exit(c, p, 170); /* a second exit changes nothing */
	CHECK_INT(p->exit_ns, 100);

	/* during the grace period everything is still found */
	proc_cache__sweep(c, 100 + GRACE - 1);
	CHECK(proc_cache__lookup(c, 10, 1) == p);
	CHECK(proc_cache__lookup(c, 12, 3) == lone);
	CHECK(proc_cache__parent(c, ch) == p);
	/* grace over: the lone exit goes, the parent stays for its live child */
	proc_cache__sweep(c, 150 + GRACE);
	CHECK(proc_cache__lookup(c, 12, 0) == NULL);
	CHECK(proc_cache__lookup(c, 10, 1) == p);
	CHECK_INT(stats(c).expired, 1);
	proc_cache__sweep(c, 1000000);
	CHECK(proc_cache__parent(c, ch) == p);
	CHECK_INT(stats(c).size, 2);

	/* the child exits: both are kept for the child's grace, then both go in one sweep */
	proc_cache__exit(c, ch, 2000000);
	proc_cache__sweep(c, 2000000 + GRACE - 1);
	CHECK_INT(stats(c).size, 2);
	proc_cache__sweep(c, 2000000 + GRACE);
	CHECK_INT(stats(c).size, 0);
	CHECK_INT(stats(c).expired, 3);
	CHECK_INT(stats(c).evictions, 0);
	CHECK(proc_cache__lookup(c, 10, 0) == NULL);
	CHECK(proc_cache__lookup(c, 11, 0) == NULL);
	proc_cache__free(c);
}

/* A chain of exited ancestors held by one grandchild is released, in one sweep, with it. */
UNIT_TEST(exit_chain_released_together)
{
	struct proc_cache *c = proc_cache__new(16, MiB, GRACE);
	struct proc_entry *e[4];

	for (uint32_t i = 0; i < 4; i++) {
		e[i] = proc_cache__upsert(c, 50 + i, 1 + i);
		if (i)
			proc_cache__link_parent(c, e[i], 50 + i - 1, i);
	}
	proc_cache__upsert(c, 99, 9); /* unrelated, exits last */
	for (uint32_t i = 0; i < 4; i++)
		proc_cache__exit(c, e[i], 10 + i);
	proc_cache__exit(c, proc_cache__lookup(c, 99, 0), 20);
	proc_cache__sweep(c, 12 + GRACE);
	CHECK_INT(stats(c).size, 5);
	proc_cache__sweep(c, 13 + GRACE);
	CHECK_INT(stats(c).size, 1);
	CHECK_INT(stats(c).expired, 4);
	CHECK(proc_cache__lookup(c, 99, 9) != NULL);
	proc_cache__sweep(c, 20 + GRACE);
	CHECK_INT(stats(c).size, 0);
	CHECK_INT(stats(c).expired, 5);
	proc_cache__free(c);
}

static void visit(struct proc_cache *c, struct proc_entry *e, void *arg)
{
	uint32_t *seen = arg;

	(void)c;
	seen[e->tgid]++;
}

UNIT_TEST(foreach_visits_every_entry)
{
	struct proc_cache *c = proc_cache__new(300, MiB, GRACE);
	static uint32_t seen[1000];
	int n = 0;

	for (uint32_t i = 1; i <= 250; i++) {
		struct proc_entry *e = proc_cache__upsert(c, i * 3, i);

		if (i % 4 == 0)
			proc_cache__exit(c, e, i);
	}
	proc_cache__foreach(c, visit, seen);
	for (uint32_t t = 0; t < 1000; t++) {
		CHECK_INT(seen[t], t && t % 3 == 0 && t <= 750);
		n += seen[t];
	}
	CHECK_INT(n, 250);
	proc_cache__free(c);
}

/* Entries with strings, parent refs and exits in both lists: LeakSanitizer sees any leak. */
UNIT_TEST(free_with_entries)
{
	struct proc_cache *c = proc_cache__new(64, MiB, GRACE);

	for (uint32_t i = 1; i <= 200; i++) {
		struct proc_entry *e = proc_cache__upsert(c, i, i);

		proc_entry__set_strings(c, e, "/bin/x", "x\0y\0", 4, "/");
		proc_cache__link_parent(c, e, i - 1, i - 1);
		if (i % 3 == 0)
			proc_cache__exit(c, e, i);
	}
	CHECK_INT(stats(c).size, 64);
	CHECK_INT(stats(c).evictions, 136);
	CHECK_INT(stats(c).bytes, 64 * (7 + 5 + 2));
	proc_cache__free(c);
}

int main(void)
{
	return unit_run();
}
