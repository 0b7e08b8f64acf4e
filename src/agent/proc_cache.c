/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc_cache.h"
#include "redact.h"

struct plist {
	struct proc_entry head; /* sentinel */
};

struct proc_cache {
	struct proc_entry **buckets;
	size_t nbuckets; /* power of two */
	struct plist live; /* most recently used at head.next */
	struct plist exited; /* oldest exit at head.next */
	uint64_t grace_ns;
	uint64_t tick_ns;
	struct proc_cache_stats st;
	const struct redactor *redact; /* secrets out of argv before anyone sees it */
	char *scratch; /* the redacted argv */
	size_t scratch_cap;
	bool inheriting; /* copying a parent's argv: already redacted */
};

static void plist_init(struct plist *l)
{
	l->head.next = l->head.prev = &l->head;
}

static void plist_del(struct proc_entry *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->next = e->prev = e;
}

static void plist_add_head(struct plist *l, struct proc_entry *e)
{
	e->next = l->head.next;
	e->prev = &l->head;
	l->head.next->prev = e;
	l->head.next = e;
}

static void plist_add_tail(struct plist *l, struct proc_entry *e)
{
	e->prev = l->head.prev;
	e->next = &l->head;
	l->head.prev->next = e;
	l->head.prev = e;
}

uint64_t proc_cache__tick_ns(void)
{
	long hz = sysconf(_SC_CLK_TCK);

	return 1000000000ULL / (uint64_t)(hz > 0 ? hz : 100);
}

struct proc_cache *proc_cache__new(size_t capacity, size_t max_bytes, uint64_t grace_ns)
{
	struct proc_cache *c = calloc(1, sizeof(*c));
	size_t n = 64;

	if (!c || capacity == 0)
		goto fail;
	while (n < capacity)
		n <<= 1;
	c->buckets = calloc(n, sizeof(*c->buckets));
	if (!c->buckets)
		goto fail;
	c->nbuckets = n;
	c->grace_ns = grace_ns;
	c->tick_ns = proc_cache__tick_ns();
	c->st.capacity = capacity;
	c->st.max_bytes = max_bytes;
	plist_init(&c->live);
	plist_init(&c->exited);
	return c;
fail:
	free(c);
	return NULL;
}

static size_t bucket_of(const struct proc_cache *c, uint32_t tgid)
{
	return (tgid * 2654435761u) & (c->nbuckets - 1);
}

static void evict_one(struct proc_cache *c, const struct proc_entry *keep);

void proc_entry__drop_json(struct proc_cache *c, struct proc_entry *e)
{
	for (int i = 0; i < 2; i++) {
		if (!e->json[i])
			continue;
		free(e->json[i]);
		e->json[i] = NULL;
		c->st.bytes -= e->json_len[i] + 1;
		e->bytes -= e->json_len[i] + 1;
		e->json_len[i] = 0;
	}
}

int proc_entry__set_json(struct proc_cache *c, struct proc_entry *e, int form, const char *s,
			 size_t n)
{
	char *p;

	if (form < 0 || form > 1 || n >= UINT32_MAX)
		return -EINVAL;
	p = malloc(n + 1);
	if (!p)
		return -ENOMEM;
	memcpy(p, s, n);
	p[n] = 0;
	if (e->json[form]) {
		free(e->json[form]);
		c->st.bytes -= e->json_len[form] + 1;
		e->bytes -= e->json_len[form] + 1;
	}
	e->json[form] = p;
	e->json_len[form] = n;
	c->st.bytes += n + 1;
	e->bytes += n + 1;
	while (c->st.bytes > c->st.max_bytes && c->st.size > 1)
		evict_one(c, e);
	return 0;
}

static void entry_free_strings(struct proc_cache *c, struct proc_entry *e)
{
	proc_entry__drop_json(c, e);
	free(e->binary);
	free(e->cwd);
	free(e->args);
	e->binary = e->cwd = e->args = NULL;
	e->args_len = 0;
	c->st.bytes -= e->bytes;
	e->bytes = 0;
}

static bool start_matches(const struct proc_cache *c, const struct proc_entry *e, uint64_t ns)
{
	if (!ns || e->start_ns == ns)
		return true;
	if (e->flags & PROC_F_PROCFS)
		return e->start_ns / c->tick_ns == ns / c->tick_ns;
	return false;
}

static struct proc_entry *find(struct proc_cache *c, uint32_t tgid, struct proc_entry ***link)
{
	struct proc_entry **pp = &c->buckets[bucket_of(c, tgid)];

	for (; *pp; pp = &(*pp)->hnext) {
		if ((*pp)->tgid == tgid) {
			if (link)
				*link = pp;
			return *pp;
		}
	}
	return NULL;
}

/* A link made while seeding holds the parent's start at clock-tick resolution (a multiple of
 * the tick), and the parent may since have been upgraded to its exact start. */
static struct proc_entry *parent_of(struct proc_cache *c, const struct proc_entry *e)
{
	struct proc_entry *p = find(c, e->ppid, NULL);
	uint64_t ns = e->parent_start_ns;

	if (!p || p == e)
		return NULL;
	if (start_matches(c, p, ns) ||
	    (ns % c->tick_ns == 0 && p->start_ns / c->tick_ns == ns / c->tick_ns))
		return p;
	return NULL;
}

/* Unlink, drop the parent reference, free. */
static void entry_remove(struct proc_cache *c, struct proc_entry *e)
{
	struct proc_entry **link, *p;

	if (e->flags & PROC_F_PARENT_REF) {
		p = parent_of(c, e);
		if (p && p->refs)
			p->refs--;
	}
	if (find(c, e->tgid, &link) == e)
		*link = e->hnext;
	plist_del(e);
	entry_free_strings(c, e);
	free(e);
	c->st.size--;
}

/* Make room: the oldest exit first, else the least recently used live entry; never `keep`. */
static void evict_one(struct proc_cache *c, const struct proc_entry *keep)
{
	struct proc_entry *victim = c->exited.head.next;

	if (victim == keep)
		victim = victim->next;
	if (victim == &c->exited.head) {
		victim = c->live.head.prev;
		if (victim == keep)
			victim = victim->prev;
		if (victim == &c->live.head)
			return;
		c->st.evictions_live++;
	}
	c->st.evictions++;
	entry_remove(c, victim);
}

struct proc_entry *proc_cache__lookup(struct proc_cache *c, uint32_t tgid, uint64_t start_ns)
{
	struct proc_entry *e = find(c, tgid, NULL);

	if (!e || !start_matches(c, e, start_ns)) {
		c->st.misses++;
		return NULL;
	}
	c->st.hits++;
	if (!(e->flags & PROC_F_EXITED)) {
		plist_del(e);
		plist_add_head(&c->live, e);
	}
	return e;
}

struct proc_entry *proc_cache__upsert(struct proc_cache *c, uint32_t tgid, uint64_t start_ns)
{
	struct proc_entry *e = find(c, tgid, NULL);
	size_t b;

	if (e && start_matches(c, e, start_ns)) {
		if (start_ns && (e->flags & PROC_F_PROCFS)) {
			e->start_ns = start_ns; /* now exact */
			e->flags &= ~PROC_F_PROCFS;
			proc_entry__drop_json(c, e);
		}
		return e;
	}
	if (e)
		entry_remove(c, e); /* pid reused */
	while (c->st.size >= c->st.capacity && c->st.size)
		evict_one(c, NULL);
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->tgid = tgid;
	e->start_ns = start_ns;
	e->auid = 0xffffffff;
	b = bucket_of(c, tgid);
	e->hnext = c->buckets[b];
	c->buckets[b] = e;
	e->next = e->prev = e;
	plist_add_head(&c->live, e);
	c->st.size++;
	c->st.inserts++;
	return e;
}

static int dup_into(char **dst, const char *src, size_t len, size_t *bytes)
{
	char *p = malloc(len + 1);

	if (!p)
		return -ENOMEM;
	memcpy(p, src, len);
	p[len] = 0;
	free(*dst);
	*dst = p;
	*bytes += len + 1;
	return 0;
}

static size_t str_bytes(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

void proc_cache__set_redactor(struct proc_cache *c, const struct redactor *r)
{
	c->redact = r;
}

/* argv with its secrets replaced (redact.h); args itself when there is nothing to do. */
static const char *redacted(struct proc_cache *c, const char *args, uint32_t *len)
{
	size_t need = 2 * (size_t)*len + 64, n; /* "***" for a 1-byte value: at most 2x */
	unsigned hits = 0;

	if (!c->redact || c->inheriting || !*len)
		return args;
	if (need > c->scratch_cap) {
		char *p = realloc(c->scratch, need);

		if (!p)
			return NULL;
		c->scratch = p, c->scratch_cap = need;
	}
	n = redact__args(c->redact, args, *len, c->scratch, c->scratch_cap, &hits);
	if (!hits)
		return args;
	c->st.redacted++;
	*len = n < c->scratch_cap ? n : c->scratch_cap;
	return c->scratch;
}

int proc_entry__set_strings(struct proc_cache *c, struct proc_entry *e, const char *binary,
			    const char *args, uint32_t args_len, const char *cwd)
{
	size_t bytes = 0;
	int err = 0;

	/* no argv at all rather than one with its secret when there is no memory to redact */
	if (args && !(args = redacted(c, args, &args_len)))
		args_len = 0, args = "";

	proc_entry__drop_json(c, e);
	if (binary)
		err = err ?: dup_into(&e->binary, binary, strlen(binary), &bytes);
	if (args) {
		err = err ?: dup_into(&e->args, args, args_len, &bytes);
		e->args_len = err ? 0 : args_len;
	}
	if (cwd)
		err = err ?: dup_into(&e->cwd, cwd, strlen(cwd), &bytes);
	/* recompute the charge from what the entry now holds */
	bytes = str_bytes(e->binary) + str_bytes(e->cwd) + (e->args ? e->args_len + 1 : 0);
	c->st.bytes = c->st.bytes - e->bytes + bytes;
	e->bytes = bytes;
	while (c->st.bytes > c->st.max_bytes && c->st.size > 1)
		evict_one(c, e);
	return err;
}

int proc_entry__inherit(struct proc_cache *c, struct proc_entry *child,
			const struct proc_entry *parent)
{
	child->exec_flags = parent->exec_flags;
	child->tty = parent->tty; /* the controlling terminal is inherited */
	if (parent->flags & PROC_F_ARGS_TRUNC)
		child->flags |= PROC_F_ARGS_TRUNC;
	child->uid = parent->uid;
	child->gid = parent->gid;
	child->euid = parent->euid;
	child->egid = parent->egid;
	child->auid = parent->auid;
	int err;

	c->inheriting = true;
	err = proc_entry__set_strings(c, child, parent->binary, parent->args, parent->args_len,
				      parent->cwd);
	c->inheriting = false;
	return err;
}

struct proc_entry *proc_cache__parent(struct proc_cache *c, const struct proc_entry *e)
{
	return parent_of(c, e);
}

void proc_cache__link_parent(struct proc_cache *c, struct proc_entry *e, uint32_t ppid,
			     uint64_t parent_start_ns)
{
	struct proc_entry *p;

	if ((e->flags & PROC_F_PARENT_REF) && e->ppid == ppid &&
	    e->parent_start_ns == parent_start_ns)
		return;
	proc_entry__drop_json(c, e);
	if (e->flags & PROC_F_PARENT_REF) {
		p = proc_cache__parent(c, e);
		if (p && p->refs)
			p->refs--;
		e->flags &= ~PROC_F_PARENT_REF;
	}
	e->ppid = ppid;
	e->parent_start_ns = parent_start_ns;
	p = proc_cache__parent(c, e);
	if (p) {
		p->refs++;
		e->flags |= PROC_F_PARENT_REF;
	}
}

void proc_cache__exit(struct proc_cache *c, struct proc_entry *e, uint64_t now_ns)
{
	if (e->flags & PROC_F_EXITED)
		return;
	e->flags |= PROC_F_EXITED;
	e->exit_ns = now_ns;
	proc_entry__drop_json(c, e);
	plist_del(e);
	plist_add_tail(&c->exited, e);
}

/* Remove e, then each exited ancestor that only e still held: the walk may have passed it. */
static void expire(struct proc_cache *c, struct proc_entry *e, uint64_t now_ns,
		   struct proc_entry **next)
{
	struct proc_entry *p;

	for (; e; e = p) {
		p = (e->flags & PROC_F_PARENT_REF) ? parent_of(c, e) : NULL;
		c->st.expired++;
		entry_remove(c, e);
		if (!p || p->refs || !(p->flags & PROC_F_EXITED) || p->exit_ns + c->grace_ns > now_ns)
			return;
		if (*next == p)
			*next = p->next;
	}
}

void proc_cache__sweep(struct proc_cache *c, uint64_t now_ns)
{
	struct proc_entry *e = c->exited.head.next, *next;

	for (; e != &c->exited.head; e = next) {
		next = e->next;
		if (e->exit_ns + c->grace_ns > now_ns)
			break; /* FIFO: everything after exited later */
		if (!e->refs)
			expire(c, e, now_ns, &next);
	}
}

void proc_cache__stats(const struct proc_cache *c, struct proc_cache_stats *st)
{
	*st = c->st;
}

void proc_cache__foreach(struct proc_cache *c, void (*fn)(struct proc_cache *c,
							  struct proc_entry *e, void *arg),
			 void *arg)
{
	for (size_t i = 0; i < c->nbuckets; i++)
		for (struct proc_entry *e = c->buckets[i]; e; e = e->hnext)
			fn(c, e, arg);
}

void proc_cache__free(struct proc_cache *c)
{
	if (!c)
		return;
	free(c->scratch);
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct proc_entry *e = c->buckets[i], *n;

		for (; e; e = n) {
			n = e->hnext;
			free(e->binary);
			free(e->cwd);
			free(e->args);
			free(e);
		}
	}
	free(c->buckets);
	free(c);
}
