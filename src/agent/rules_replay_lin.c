// SPDX-License-Identifier: Apache-2.0
/*
 * Lineage of replayed processes, and user and group names.
 *
 * Syscall lines name their process's exec_id but carry no ancestors; the exec (or fork) line
 * of that exec_id did. The table remembers, per exec_id, the parent in full (its argv for
 * proc.pcmdline) and the ancestors (comm, binary, argv[0]), copied into one allocation. It is
 * a ring of slots in insertion order with hash chains over it: bounded in entries and bytes,
 * the oldest evicted first. A view refers to its entry by slot and generation, so a view whose
 * entry was evicted since sees no ancestors instead of another process's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules_replay_int.h"

#define NO_SLOT	     UINT32_MAX
#define BINARY_MAX   4096 /* bytes of an ancestor's binary kept */
#define ANC_ARGS_MAX 512  /* bytes of an ancestor's argv[0] kept */

struct rr_lin_entry {
	uint64_t hash;
	size_t bytes;
	const char *exec_id;
	const char *parent_exec_id; /* NULL: unknown */
	bool memfd;		    /* the process's executable is on a memfd */
	bool exe_upper;		    /* ... on an overlay's upper layer */
	unsigned nlevels;	    /* lv[0] is level 1 (the parent), lv[1] level 2, ... */
	struct rv_proc lv[];
};

int rr_lineage__init(struct rules_replay *rp, size_t cap, size_t max_bytes)
{
	size_t nb = 16;

	while (nb < cap)
		nb <<= 1;
	rp->cap = cap;
	rp->nbuckets = nb;
	rp->max_bytes = max_bytes;
	rp->slots = calloc(cap, sizeof(*rp->slots));
	rp->gens = calloc(cap, sizeof(*rp->gens));
	rp->next = calloc(cap, sizeof(*rp->next));
	rp->buckets = malloc(nb * sizeof(*rp->buckets));
	if (!rp->slots || !rp->gens || !rp->next || !rp->buckets)
		return -ENOMEM;
	memset(rp->buckets, 0xff, nb * sizeof(*rp->buckets));
	return 0;
}

void rr_lineage__free(struct rules_replay *rp)
{
	for (size_t i = 0; rp->slots && i < rp->cap; i++)
		free(rp->slots[i]);
	free(rp->slots);
	free(rp->gens);
	free(rp->next);
	free(rp->buckets);
}

static uint64_t hash_of(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static uint32_t find(const struct rules_replay *rp, const char *exec_id, uint64_t h)
{
	uint32_t s = rp->buckets[h & (rp->nbuckets - 1)];

	for (; s != NO_SLOT; s = rp->next[s])
		if (rp->slots[s]->hash == h && !strcmp(rp->slots[s]->exec_id, exec_id))
			return s;
	return NO_SLOT;
}

/* Take slot s's entry out of its chain and free it. */
static void slot_clear(struct rules_replay *rp, uint32_t s)
{
	struct rr_lin_entry *e = rp->slots[s];
	uint32_t *p = &rp->buckets[e->hash & (rp->nbuckets - 1)];

	while (*p != s)
		p = &rp->next[*p];
	*p = rp->next[s];
	rp->bytes -= e->bytes;
	free(e);
	rp->slots[s] = NULL;
	rp->gens[s]++;
}

static void evict_oldest(struct rules_replay *rp)
{
	slot_clear(rp, (uint32_t)((rp->head + rp->cap - rp->count) % rp->cap));
	rp->count--;
	rp->st.lineage_evicted++;
}

/* Put e in the table: in place of an entry of the same exec_id, else at the ring's head. */
static void insert(struct rules_replay *rp, struct rr_lin_entry *e)
{
	uint32_t s = find(rp, e->exec_id, e->hash);
	uint32_t *b = &rp->buckets[e->hash & (rp->nbuckets - 1)];

	if (s != NO_SLOT) {
		slot_clear(rp, s);
	} else {
		while (rp->count && (rp->count == rp->cap || rp->bytes + e->bytes > rp->max_bytes))
			evict_oldest(rp);
		s = (uint32_t)rp->head;
		rp->head = (rp->head + 1) % rp->cap;
		rp->count++;
	}
	rp->slots[s] = e;
	rp->gens[s]++;
	rp->next[s] = *b;
	*b = s;
	rp->bytes += e->bytes;
	rp->st.lineage_learnt++;
}

/* Copying strings into an entry's tail. */
struct blob {
	char *p, *end;
};

static const char *blob_put(struct blob *b, const char *s, size_t n)
{
	char *at = b->p;

	if (!s || (size_t)(b->end - b->p) < n + 1)
		return NULL;
	memcpy(at, s, n);
	at[n] = '\0';
	b->p += n + 1;
	return at;
}

static size_t cut(const char *s, size_t max)
{
	return s ? strnlen(s, max) : 0;
}

/* Bytes of argv an entry keeps for level i: the parent's whole, an ancestor's argv[0]. */
static size_t args_kept(const struct rv_proc *p, unsigned i)
{
	if (!p->args)
		return 0;
	return i == 0 ? p->args_len
		      : cut(p->args, p->args_len < ANC_ARGS_MAX ? p->args_len : ANC_ARGS_MAX) + 1;
}

static void level_copy(struct blob *b, const struct rv_proc *src, unsigned i, struct rv_proc *dst)
{
	size_t n = args_kept(src, i);

	*dst = *src;
	dst->cwd = NULL; /* no field asks for an ancestor's */
	dst->comm = blob_put(b, src->comm, cut(src->comm, 64));
	dst->exepath = blob_put(b, src->exepath, cut(src->exepath, BINARY_MAX));
	dst->args = n ? blob_put(b, src->args, n - (i ? 1 : 0)) : NULL;
	dst->args_len = dst->args ? (uint32_t)n : 0;
}

static size_t level_bytes(const struct rv_proc *p, unsigned i)
{
	return cut(p->comm, 64) + cut(p->exepath, BINARY_MAX) + args_kept(p, i) + 3;
}

static struct rr_lin_entry *entry_new(const char *exec_id, const char *pexec_id,
				      const struct rv_proc *lv, unsigned n)
{
	size_t size = sizeof(struct rr_lin_entry) + n * sizeof(struct rv_proc) + cut(exec_id, 512) +
		      cut(pexec_id, 512) + 2;
	struct rr_lin_entry *e;
	struct blob b;

	for (unsigned i = 0; i < n; i++)
		size += level_bytes(&lv[i], i);
	if (!(e = calloc(1, size)))
		return NULL;
	b.p = (char *)&e->lv[n];
	b.end = (char *)e + size;
	e->bytes = size;
	e->exec_id = blob_put(&b, exec_id, cut(exec_id, 512));
	e->parent_exec_id = blob_put(&b, pexec_id, cut(pexec_id, 512));
	e->hash = hash_of(e->exec_id);
	e->nlevels = n;
	for (unsigned i = 0; i < n; i++)
		level_copy(&b, &lv[i], i, &e->lv[i]);
	return e;
}

void rr_lineage__learn(struct rules_replay *rp, struct rr_event *rr)
{
	struct json_object *proc = rr_get(rr->line, "process"),
			   *parent = rr_get(rr->line, "parent");
	struct json_object *anc = rr_get(rr->line, "ancestors");
	const char *exec_id = rr_str(proc, "exec_id");
	struct rv_proc lv[RV_ANC_MAX - 1];
	size_t used = rr->store_used;
	unsigned n = 0;
	struct rr_lin_entry *e;

	if (!exec_id || !rr->ev.parent.known)
		return;
	memset(lv, 0, sizeof(lv));
	lv[n++] = rr->ev.parent;
	for (size_t i = 0; json_object_is_type(anc, json_type_array) &&
			   i < json_object_array_length(anc) && n < RV_ANC_MAX - 1;
	     i++) {
		rr_proc_fill(rr, json_object_array_get_idx(anc, i), &lv[n]);
		if (!lv[n].known)
			break;
		lv[n - 1].ppid = lv[n].pid;
		n++;
	}
	e = entry_new(exec_id, rr_str(parent, "exec_id"), lv, n);
	rr->store_used = used; /* the ancestors' argv was copied into the entry */
	if (!e)
		return;
	e->memfd = rr->ev.proc.memfd;
	e->exe_upper = rr->ev.proc.exe_upper;
	insert(rp, e);
}

/* What a syscall line's parent lacks (its argv, credentials) when it is the parent the
 * process had at exec; all of it when the line does not know its parent. */
static void parent_complete(struct rr_event *rr, const struct rr_lin_entry *e)
{
	struct rv_proc *p = &rr->ev.parent;
	const struct rv_proc *l = &e->lv[0];
	const char *pid = rr_str(rr_get(rr->line, "parent"), "exec_id");

	if (!p->known) {
		*p = *l;
		p->comm = l->comm ? rr_store_put(rr, l->comm, strlen(l->comm)) : NULL;
		p->exepath = l->exepath ? rr_store_put(rr, l->exepath, strlen(l->exepath)) : NULL;
		p->args = NULL;
		p->args_len = 0;
	} else if (!pid || !e->parent_exec_id || strcmp(pid, e->parent_exec_id)) {
		return;
	}
	if (!p->args && l->args && (p->args = rr_store_put(rr, l->args, l->args_len)))
		p->args_len = l->args_len;
	if (!p->has_creds) {
		p->has_creds = l->has_creds;
		p->uid = l->uid;
		p->gid = l->gid;
		p->auid = l->auid;
	}
	p->ppid = p->ppid ? p->ppid : l->ppid;
	p->tty = p->tty ? p->tty : l->tty;
	p->start_ns = p->start_ns ? p->start_ns : l->start_ns;
}

void rr_lineage__attach(struct rules_replay *rp, struct rr_event *rr, const char *exec_id)
{
	bool lifecycle = rr->ev.type == VG_EV_EXEC || rr->ev.type == VG_EV_FORK;
	uint32_t s = exec_id ? find(rp, exec_id, hash_of(exec_id)) : NO_SLOT;
	const struct rr_lin_entry *e;

	if (!lifecycle) {
		if (s == NO_SLOT)
			rp->st.lineage_misses++;
		else
			rp->st.lineage_hits++;
	}
	if (s == NO_SLOT)
		return;
	e = rp->slots[s];
	rr->has_lineage = true;
	rr->lin_slot = s;
	rr->lin_gen = rp->gens[s];
	if (lifecycle)
		return;
	rr->ev.proc.memfd = rr->ev.proc.memfd || e->memfd;
	rr->ev.proc.exe_upper = rr->ev.proc.exe_upper || e->exe_upper;
	if (e->nlevels)
		parent_complete(rr, e);
}

const struct rv_proc *rr_ancestor(const struct rv_event *ev, unsigned level)
{
	const struct rr_event *rr = ev->lazy.ctx;
	const struct rules_replay *rp = rr ? rr->rp : NULL;
	const struct rr_lin_entry *e;

	if (level == 0)
		return ev->proc.known ? &ev->proc : NULL;
	if (level == 1)
		return ev->parent.known ? &ev->parent : NULL;
	if (!rp || !rr->has_lineage || level >= RV_ANC_MAX || rp->gens[rr->lin_slot] != rr->lin_gen)
		return NULL;
	e = rp->slots[rr->lin_slot];
	return level - 1 < e->nlevels ? &e->lv[level - 1] : NULL;
}

/* --- user and group names --- */

/* A user or group name (idnames.h), copied into the view's scratch. */
static const char *names_get(struct idnames *n, uint32_t id, bool group, const struct rv_event *ev)
{
	char *s = rules_view__scratch(ev, IDNAME_MAX);

	return s && idnames__get(n, id, group, s, IDNAME_MAX) >= 0 ? s : NULL;
}

const char *rr_user_name(const struct rv_event *ev, uint32_t uid)
{
	const struct rr_event *rr = ev->lazy.ctx;

	return rr ? names_get(&rr->rp->names, uid, false, ev) : NULL;
}

const char *rr_group_name(const struct rv_event *ev, uint32_t gid)
{
	const struct rr_event *rr = ev->lazy.ctx;

	return rr ? names_get(&rr->rp->names, gid, true, ev) : NULL;
}
