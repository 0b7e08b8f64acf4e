// SPDX-License-Identifier: Apache-2.0
/*
 * The pod cache: two chained hash tables of fixed size (chosen from the capacity, never
 * resized, so no insert ever rehashes) and an LRU list by last update.
 *
 * Keys: a pod's uid; a standalone holder (uid "") is keyed by its first container id, in the
 * same table but never equal to a uid key, since the standalone flag is part of the key.
 *
 * A container id belongs to one pod: when a pod claims an id another pod holds, the newer pod
 * wins and the older keeps the container without the index entry (a restarted runtime that
 * reuses ids, or a static file and the API describing the same container). Deleting the newer
 * pod later does not give the id back.
 *
 * Accounting: an entry costs its pod's bytes plus the entry and its index nodes; the bucket
 * arrays are fixed at creation and not counted against bytes_max.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pod_cache.h"

#define BUCKETS_MAX (1u << 20)

struct cid_node {
	struct cid_node *hnext;
	struct pod_entry *entry;
	const struct k8s_container *ctr;
	bool linked; /* in the index (false once a newer pod claimed the id) */
};

struct pod_entry {
	struct pod_entry *hnext;       /* uid table chain */
	struct pod_entry *prev, *next; /* LRU, most recently updated at lru.next */
	struct k8s_pod *pod;
	struct cid_node *cids; /* one per container that has an id */
	size_t ncids, bytes;
	bool stale; /* not seen since resync_begin */
};

struct pod_cache {
	struct pod_entry **pods;
	struct cid_node **cids;
	size_t npods_b, ncids_b; /* bucket counts, powers of two */
	struct pod_entry lru;	 /* sentinel */
	struct pod_cache_stats st;
	uint64_t gen;
};

/* FNV-1a: short keys, hex or uuid text, no adversary choosing them for collisions that
 * matter more than a longer chain. */
static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static size_t buckets_for(size_t n)
{
	size_t b = 16;

	while (b < n && b < BUCKETS_MAX)
		b <<= 1;
	return b;
}

struct pod_cache *pod_cache__new(size_t capacity, size_t bytes_max)
{
	struct pod_cache *c;

	if (!capacity || !bytes_max)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->npods_b = buckets_for(capacity);
	c->ncids_b = buckets_for(capacity * 2);
	c->pods = calloc(c->npods_b, sizeof(*c->pods));
	c->cids = calloc(c->ncids_b, sizeof(*c->cids));
	if (!c->pods || !c->cids) {
		free(c->pods);
		free(c->cids);
		free(c);
		return NULL;
	}
	c->lru.next = c->lru.prev = &c->lru;
	c->st.capacity = capacity;
	c->st.bytes_max = bytes_max;
	return c;
}

/* The key of a pod in the uid table; "" when it has none (a holder without a container id). */
static const char *pod_key(const struct k8s_pod *p)
{
	if (!p->standalone)
		return p->uid;
	return p->ncontainers ? p->containers[0].id : "";
}

static struct pod_entry **pod_slot(const struct pod_cache *c, const char *key)
{
	return &c->pods[hash_str(key) & (c->npods_b - 1)];
}

static struct cid_node **cid_slot(const struct pod_cache *c, const char *id)
{
	return &c->cids[hash_str(id) & (c->ncids_b - 1)];
}

static struct pod_entry *entry_find(const struct pod_cache *c, const char *key, bool standalone)
{
	struct pod_entry *e;

	for (e = *pod_slot(c, key); e; e = e->hnext)
		if (e->pod->standalone == standalone && strcmp(pod_key(e->pod), key) == 0)
			return e;
	return NULL;
}

static void cid_unlink(struct pod_cache *c, struct cid_node *n)
{
	struct cid_node **pp;

	if (!n->linked)
		return;
	for (pp = cid_slot(c, n->ctr->id); *pp; pp = &(*pp)->hnext) {
		if (*pp == n) {
			*pp = n->hnext;
			break;
		}
	}
	n->linked = false;
	c->st.containers--;
}

static struct cid_node *cid_find(const struct pod_cache *c, const char *id)
{
	struct cid_node *n;

	for (n = *cid_slot(c, id); n; n = n->hnext)
		if (strcmp(n->ctr->id, id) == 0)
			return n;
	return NULL;
}

/* Index the entry's containers; an id already indexed moves to this pod (newest wins). */
static int cids_link(struct pod_cache *c, struct pod_entry *e)
{
	const struct k8s_pod *p = e->pod;
	struct cid_node *n, *old, **head;
	size_t k = 0;

	for (size_t i = 0; i < p->ncontainers; i++)
		k += p->containers[i].id[0] != '\0';
	e->cids = k ? calloc(k, sizeof(*e->cids)) : NULL;
	if (k && !e->cids)
		return -ENOMEM;
	for (size_t i = 0; i < p->ncontainers; i++) {
		if (!p->containers[i].id[0])
			continue;
		n = &e->cids[e->ncids++];
		n->ctr = &p->containers[i];
		n->entry = e;
		old = cid_find(c, n->ctr->id);
		if (old)
			cid_unlink(c, old);
		head = cid_slot(c, n->ctr->id);
		n->hnext = *head;
		*head = n;
		n->linked = true;
		c->st.containers++;
	}
	return 0;
}

static void cids_unlink(struct pod_cache *c, struct pod_entry *e)
{
	for (size_t i = 0; i < e->ncids; i++)
		cid_unlink(c, &e->cids[i]);
	free(e->cids);
	e->cids = NULL;
	e->ncids = 0;
}

static void lru_del(struct pod_entry *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
}

static void lru_push(struct pod_cache *c, struct pod_entry *e)
{
	e->next = c->lru.next;
	e->prev = &c->lru;
	c->lru.next->prev = e;
	c->lru.next = e;
}

/* Take an entry out of everything and free it with its pod. */
static void entry_remove(struct pod_cache *c, struct pod_entry *e)
{
	struct pod_entry **pp;

	for (pp = pod_slot(c, pod_key(e->pod)); *pp; pp = &(*pp)->hnext) {
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	}
	cids_unlink(c, e);
	lru_del(e);
	c->st.pods--;
	c->st.bytes -= e->bytes;
	c->gen++;
	k8s_pod__free(e->pod);
	free(e);
}

/* Set the entry's pod (taking ownership) and index its containers. */
static int entry_set(struct pod_cache *c, struct pod_entry *e, struct k8s_pod *p)
{
	int ret;

	e->pod = p;
	ret = cids_link(c, e);
	e->bytes = p->bytes + sizeof(*e) + e->ncids * sizeof(*e->cids);
	c->st.bytes += e->bytes;
	return ret;
}

/* Oldest first, never the entry just written: an upsert that returned 0 has its pod. */
static void evict(struct pod_cache *c, const struct pod_entry *keep)
{
	while ((c->st.pods > c->st.capacity || c->st.bytes > c->st.bytes_max) &&
	       c->lru.prev != keep && c->lru.prev != &c->lru) {
		entry_remove(c, c->lru.prev);
		c->st.evictions++;
	}
}

static int upsert_new(struct pod_cache *c, struct k8s_pod *p, const char *key)
{
	struct pod_entry *e = calloc(1, sizeof(*e)), **head;

	if (!e) {
		k8s_pod__free(p);
		return -ENOMEM;
	}
	head = pod_slot(c, key);
	e->hnext = *head;
	*head = e;
	lru_push(c, e);
	c->st.pods++;
	if (entry_set(c, e, p)) {
		entry_remove(c, e);
		return -ENOMEM;
	}
	evict(c, e);
	return 0;
}

int pod_cache__upsert(struct pod_cache *c, struct k8s_pod *p)
{
	const char *key = pod_key(p);
	struct pod_entry *e;

	if (!*key) {
		k8s_pod__free(p);
		return -EINVAL;
	}
	c->st.upserts++;
	c->gen++;
	e = entry_find(c, key, p->standalone);
	if (!e)
		return upsert_new(c, p, key);
	cids_unlink(c, e);
	c->st.bytes -= e->bytes;
	k8s_pod__free(e->pod);
	e->stale = false;
	lru_del(e);
	lru_push(c, e);
	if (entry_set(c, e, p)) {
		entry_remove(c, e);
		return -ENOMEM;
	}
	evict(c, e);
	return 0;
}

int pod_cache__delete(struct pod_cache *c, const char *uid)
{
	struct pod_entry *e = uid && *uid ? entry_find(c, uid, false) : NULL;

	if (!e)
		return -ENOENT;
	entry_remove(c, e);
	c->st.deletes++;
	return 0;
}

void pod_cache__resync_begin(struct pod_cache *c)
{
	for (struct pod_entry *e = c->lru.next; e != &c->lru; e = e->next)
		e->stale = !e->pod->static_meta;
}

void pod_cache__resync_end(struct pod_cache *c)
{
	struct pod_entry *e, *prev;

	for (e = c->lru.prev; e != &c->lru; e = prev) {
		prev = e->prev;
		if (!e->stale)
			continue;
		entry_remove(c, e);
		c->st.resync_removed++;
	}
}

const struct k8s_pod *pod_cache__pod(const struct pod_cache *c, const char *uid)
{
	const struct pod_entry *e = uid && *uid ? entry_find(c, uid, false) : NULL;

	return e ? e->pod : NULL;
}

const struct k8s_pod *pod_cache__by_container(const struct pod_cache *c, const char *id,
					      const struct k8s_container **ctr)
{
	const struct cid_node *n = id && *id ? cid_find(c, id) : NULL;

	if (ctr)
		*ctr = n ? n->ctr : NULL;
	return n ? n->entry->pod : NULL;
}

void pod_cache__each(const struct pod_cache *c, void (*fn)(void *ctx, const struct k8s_pod *p),
		     void *ctx)
{
	for (const struct pod_entry *e = c->lru.next; e && e != &c->lru; e = e->next)
		fn(ctx, e->pod);
}

uint64_t pod_cache__gen(const struct pod_cache *c)
{
	return c->gen;
}

void pod_cache__stats(const struct pod_cache *c, struct pod_cache_stats *st)
{
	*st = c->st;
}

void pod_cache__free(struct pod_cache *c)
{
	struct pod_entry *e, *next;

	if (!c)
		return;
	for (e = c->lru.next; e != &c->lru; e = next) {
		next = e->next;
		k8s_pod__free(e->pod);
		free(e->cids);
		free(e);
	}
	free(c->pods);
	free(c->cids);
	free(c);
}
