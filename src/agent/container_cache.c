/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "container_cache.h"
#include "decode.h"

struct container_cache {
	struct cg_entry **buckets;
	size_t nbuckets;
	struct cg_entry lru; /* sentinel; most recent at lru.next */
	struct container_cache_stats st;
};

static void lru_del(struct cg_entry *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
}

static void lru_push(struct container_cache *c, struct cg_entry *e)
{
	e->next = c->lru.next;
	e->prev = &c->lru;
	c->lru.next->prev = e;
	c->lru.next = e;
}

struct container_cache *container_cache__new(size_t capacity)
{
	struct container_cache *c = calloc(1, sizeof(*c));
	size_t n = 16;

	if (!c || !capacity)
		goto fail;
	while (n < capacity)
		n <<= 1;
	c->buckets = calloc(n, sizeof(*c->buckets));
	if (!c->buckets)
		goto fail;
	c->nbuckets = n;
	c->st.capacity = capacity;
	c->lru.next = c->lru.prev = &c->lru;
	return c;
fail:
	free(c);
	return NULL;
}

static struct cg_entry **slot(struct container_cache *c, uint64_t id)
{
	return &c->buckets[(id * 0x9E3779B97F4A7C15ull >> 32) & (c->nbuckets - 1)];
}

static void evict_lru(struct container_cache *c)
{
	struct cg_entry *victim = c->lru.prev, **pp;

	if (victim == &c->lru)
		return;
	for (pp = slot(c, victim->cgroup_id); *pp; pp = &(*pp)->hnext) {
		if (*pp == victim) {
			*pp = victim->hnext;
			break;
		}
	}
	lru_del(victim);
	free(victim);
	c->st.size--;
	c->st.evictions++;
}

struct cg_entry *container_cache__resolve(struct container_cache *c, uint64_t cgroup_id,
						const char *names, size_t len, unsigned count,
						unsigned str_flags, uint32_t cg_flags)
{
	struct cg_entry *e, **head = slot(c, cgroup_id);

	for (e = *head; e; e = e->hnext) {
		if (e->cgroup_id == cgroup_id) {
			c->st.hits++;
			lru_del(e);
			lru_push(c, e);
			return e;
		}
	}
	c->st.misses++;
	if (!count && !len && !(str_flags & VG_STR_ROOTED))
		return NULL; /* a record without names (tcp_state off-owner): nothing to learn */
	if (c->st.size >= c->st.capacity)
		evict_lru(c);
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->cgroup_id = cgroup_id;
	e->flags = cg_flags;
	if (decode_path(names, len, count, str_flags, e->path, sizeof(e->path)) < 0 && !e->path[0])
		strcpy(e->path, "/");
	if (cg_parse(e->path, &e->id) < 0)
		c->st.parse_errors++;
	head = slot(c, cgroup_id);
	e->hnext = *head;
	*head = e;
	lru_push(c, e);
	c->st.size++;
	return e;
}

void container_cache__stats(const struct container_cache *c, struct container_cache_stats *st)
{
	*st = c->st;
}

void container_cache__free(struct container_cache *c)
{
	struct cg_entry *e, *n;

	if (!c)
		return;
	for (e = c->lru.next; e != &c->lru; e = n) {
		n = e->next;
		free(e);
	}
	free(c->buckets);
	free(c);
}
