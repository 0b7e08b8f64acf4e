/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include "fd_table_internal.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
/* Slots are recycled, never freed: poison them so ASan still sees a use after "free". The
 * first word stays readable, it links the free list. */
#define slot_poison(p, sz)   ASAN_POISON_MEMORY_REGION((char *)(p) + 8, (sz) - 8)
#define slot_unpoison(p, sz) ASAN_UNPOISON_MEMORY_REGION((char *)(p) + 8, (sz) - 8)
#else
#define slot_poison(p, sz)   ((void)(p), (void)(sz))
#define slot_unpoison(p, sz) ((void)(p), (void)(sz))
#endif

static void link_init(struct fd_link *l)
{
	l->prev = l->next = l;
}

static void link_del(struct fd_link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
	link_init(l);
}

static void link_add_head(struct fd_link *head, struct fd_link *l)
{
	l->next = head->next;
	l->prev = head;
	head->next->prev = l;
	head->next = l;
}

/* A new shared copy of s, cut to FD_PATH_MAX - 1 bytes; NULL on ENOMEM. */
static const char *path_new(struct fd_table *t, const char *s)
{
	size_t len = strnlen(s, FD_PATH_MAX);
	struct fd_path *p;

	if (len == FD_PATH_MAX) {
		len = FD_PATH_MAX - 1;
		t->st.path_truncated++;
	}
	p = malloc(sizeof(*p) + len + 1);
	if (!p)
		return NULL;
	p->refs = 1;
	p->size = sizeof(*p) + len + 1;
	memcpy(p->s, s, len);
	p->s[len] = 0;
	t->st.path_bytes += p->size;
	return p->s;
}

static const char *path_get(const char *s)
{
	if (s)
		fd_path__of(s)->refs++;
	return s;
}

static void path_put(struct fd_table *t, const char *s)
{
	struct fd_path *p;

	if (!s)
		return;
	p = fd_path__of(s);
	if (--p->refs)
		return;
	t->st.path_bytes -= p->size;
	free(p);
}

static uint64_t random_seed(const void *salt)
{
	uint64_t seed;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == sizeof(seed))
		return seed;
	/* no entropy yet (early boot): still differs between runs and tables */
	return (uint64_t)(uintptr_t)salt ^ (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull;
}

struct fd_table *fd_table__new(size_t max_entries)
{
	struct fd_table *t;
	size_t n = 16;

	if (max_entries == 0 || max_entries > FD_TABLE_MAX_ENTRIES) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		goto fail;
	while (n < max_entries)
		n <<= 1;
	t->mask = n - 1;
	/* calloc'd arrays are only touched as slots are used: a large, idle table costs little */
	t->ebuckets = calloc(n, sizeof(*t->ebuckets));
	t->pbuckets = calloc(n, sizeof(*t->pbuckets));
	t->entries = calloc(max_entries, sizeof(*t->entries));
	t->procs = calloc(max_entries, sizeof(*t->procs));
	t->scratch = calloc(FD_TABLE_FORK_COPY_MAX, sizeof(*t->scratch));
	if (!t->ebuckets || !t->pbuckets || !t->entries || !t->procs || !t->scratch)
		goto fail;
	link_init(&t->lru);
	t->st.capacity = max_entries;
	t->seed = random_seed(t);
	return t;
fail:
	fd_table__free(t);
	errno = ENOMEM;
	return NULL;
}

void fd_table__free(struct fd_table *t)
{
	struct fd_link *l, *next;

	if (!t)
		return;
	if (t->entries) {
		for (l = t->lru.next; l && l != &t->lru; l = next) {
			next = l->next;
			path_put(t, container_of(l, struct fd_entry, lru)->info.path);
		}
	}
	free(t->ebuckets);
	free(t->pbuckets);
	free(t->entries);
	free(t->procs);
	free(t->scratch);
	free(t);
}

/* Find or create. There is always a free record: each one holds at least one entry. */
static struct fd_proc *proc_get(struct fd_table *t, uint32_t tgid)
{
	struct fd_proc *p = fd_table__find_proc(t, tgid);
	size_t b;

	if (p)
		return p;
	if (t->pfree) {
		p = t->pfree;
		t->pfree = p->hnext;
		slot_unpoison(p, sizeof(*p));
		memset(p, 0, sizeof(*p));
	} else if (t->pused < t->st.capacity) {
		p = &t->procs[t->pused++];
	} else {
		return NULL;
	}
	p->tgid = tgid;
	link_init(&p->entries);
	b = fd_table__hash(t, tgid, -1);
	p->hnext = t->pbuckets[b];
	t->pbuckets[b] = p;
	t->st.processes++;
	return p;
}

static void proc_remove(struct fd_table *t, struct fd_proc *p)
{
	struct fd_proc **pp = &t->pbuckets[fd_table__hash(t, p->tgid, -1)];

	while (*pp != p)
		pp = &(*pp)->hnext;
	*pp = p->hnext;
	p->hnext = t->pfree;
	t->pfree = p;
	slot_poison(p, sizeof(*p));
	t->st.processes--;
}

static struct fd_entry **entry_slot(struct fd_table *t, uint32_t tgid, int32_t fd)
{
	struct fd_entry **pp = &t->ebuckets[fd_table__hash(t, tgid, fd)];

	while (*pp && ((*pp)->tgid != tgid || (*pp)->fd != fd))
		pp = &(*pp)->hnext;
	return pp;
}

static struct fd_entry *entry_find(struct fd_table *t, uint32_t tgid, int32_t fd)
{
	return *entry_slot(t, tgid, fd);
}

static void entry_touch(struct fd_table *t, struct fd_entry *e)
{
	link_del(&e->lru);
	link_add_head(&t->lru, &e->lru);
	link_del(&e->plink);
	link_add_head(&e->proc->entries, &e->plink);
}

/* Unlink and recycle; the process record goes with its last entry. */
static void entry_remove(struct fd_table *t, struct fd_entry *e)
{
	struct fd_entry **pp = entry_slot(t, e->tgid, e->fd);
	struct fd_proc *p = e->proc;

	*pp = e->hnext;
	link_del(&e->lru);
	link_del(&e->plink);
	path_put(t, e->info.path);
	if (--p->count == 0)
		proc_remove(t, p);
	e->hnext = t->efree;
	t->efree = e;
	slot_poison(e, sizeof(*e));
	t->st.entries--;
}

static void evict_lru(struct fd_table *t)
{
	if (t->lru.prev == &t->lru)
		return;
	entry_remove(t, container_of(t->lru.prev, struct fd_entry, lru));
	t->st.evictions++;
}

static struct fd_entry *entry_alloc(struct fd_table *t)
{
	struct fd_entry *e;

	if (t->efree) {
		e = t->efree;
		t->efree = e->hnext;
		slot_unpoison(e, sizeof(*e));
		memset(e, 0, sizeof(*e));
		return e;
	}
	return t->eused < t->st.capacity ? &t->entries[t->eused++] : NULL;
}

/* A new, empty, most recently used entry; evicts first when full. */
static struct fd_entry *entry_insert(struct fd_table *t, uint32_t tgid, int32_t fd)
{
	struct fd_entry *e;
	struct fd_proc *p;
	size_t b;

	if (t->st.entries >= t->st.capacity)
		evict_lru(t);
	/* after the eviction, which may have taken this process's last entry and record */
	p = proc_get(t, tgid);
	e = p ? entry_alloc(t) : NULL;
	if (!e) {
		if (p && !p->count)
			proc_remove(t, p);
		return NULL;
	}
	e->tgid = tgid;
	e->fd = fd;
	e->proc = p;
	p->count++;
	link_add_head(&t->lru, &e->lru);
	link_add_head(&p->entries, &e->plink);
	b = fd_table__hash(t, tgid, fd);
	e->hnext = t->ebuckets[b];
	t->ebuckets[b] = e;
	t->st.entries++;
	t->st.inserts++;
	return e;
}

/* Store info under (tgid, fd), most recently used. Takes over the reference `path` holds,
 * even on failure. NULL only if the table is broken. */
static struct fd_entry *entry_store(struct fd_table *t, uint32_t tgid, int32_t fd,
				    const struct fd_info *info, const char *path)
{
	struct fd_entry *e = entry_find(t, tgid, fd);

	if (e) {
		path_put(t, e->info.path);
		entry_touch(t, e);
	} else {
		e = entry_insert(t, tgid, fd);
		if (!e) {
			path_put(t, path);
			return NULL;
		}
	}
	e->info = *info;
	e->info.path = path;
	return e;
}

int fd_table__set(struct fd_table *t, uint32_t tgid, int32_t fd, const struct fd_info *info)
{
	struct fd_info copy = *info; /* info may be an entry's that the store evicts */
	const char *path = NULL;

	if (fd < 0)
		return -EINVAL;
	if (copy.path) {
		path = path_new(t, copy.path);
		if (!path)
			return -ENOMEM;
	}
	return entry_store(t, tgid, fd, &copy, path) ? 0 : -ENOMEM;
}

const struct fd_info *fd_table__get(struct fd_table *t, uint32_t tgid, int32_t fd)
{
	struct fd_entry *e = entry_find(t, tgid, fd);

	t->st.lookups++;
	if (!e)
		return NULL;
	t->st.hits++;
	entry_touch(t, e);
	return &e->info;
}

static void sock_merge(struct fd_sock *d, const struct fd_sock *s, unsigned int fields)
{
	d->family = s->family ?: d->family;
	d->type = s->type ?: d->type;
	d->protocol = s->protocol ?: d->protocol;
	d->inode = s->inode ?: d->inode;
	if (fields & FD_SOCK_LOCAL) {
		memcpy(d->laddr, s->laddr, sizeof(d->laddr));
		d->lport = s->lport;
		d->listening = s->listening;
	}
	if (fields & FD_SOCK_REMOTE) {
		memcpy(d->raddr, s->raddr, sizeof(d->raddr));
		d->rport = s->rport;
	}
	d->side = s->side ?: d->side;
}

int fd_table__update_sock(struct fd_table *t, uint32_t tgid, int32_t fd, const struct fd_sock *s,
			  const char *path, unsigned int fields)
{
	const struct fd_info fresh = { .kind = FD_KIND_SOCKET };
	const char *np = NULL;
	struct fd_entry *e;

	if (fd < 0)
		return -EINVAL;
	if ((fields & FD_SOCK_PATH) && path && !(np = path_new(t, path)))
		return -ENOMEM;
	e = entry_find(t, tgid, fd);
	if (e && e->info.kind == FD_KIND_SOCKET)
		entry_touch(t, e);
	else if (!(e = entry_store(t, tgid, fd, &fresh, NULL)))
		goto nomem;
	sock_merge(&e->info.sock, s, fields);
	if (fields & FD_SOCK_PATH) {
		path_put(t, e->info.path);
		e->info.path = np;
	}
	return 0;
nomem:
	path_put(t, np);
	return -ENOMEM;
}

int fd_table__dup(struct fd_table *t, uint32_t tgid, int32_t oldfd, int32_t newfd, bool cloexec)
{
	struct fd_entry *e;
	struct fd_info info;

	if (oldfd < 0 || newfd < 0)
		return -EINVAL;
	e = entry_find(t, tgid, oldfd);
	if (!e) {
		fd_table__close(t, tgid, newfd);
		return -ENOENT;
	}
	entry_touch(t, e);
	if (oldfd == newfd)
		return 0;
	info = e->info;
	info.cloexec = cloexec;
	return entry_store(t, tgid, newfd, &info, path_get(info.path)) ? 0 : -ENOMEM;
}

void fd_table__close(struct fd_table *t, uint32_t tgid, int32_t fd)
{
	struct fd_entry *e = entry_find(t, tgid, fd);

	if (e)
		entry_remove(t, e);
}

void fd_table__exec(struct fd_table *t, uint32_t tgid)
{
	struct fd_proc *p = fd_table__find_proc(t, tgid);
	struct fd_link *l, *next;
	uint32_t n;

	if (!p)
		return;
	/* counted, not run to the sentinel: removing the last entry recycles p */
	for (n = p->count, l = p->entries.next; n; n--, l = next) {
		struct fd_entry *e = container_of(l, struct fd_entry, plink);

		next = l->next;
		if (e->info.cloexec)
			entry_remove(t, e);
	}
}

void fd_table__exit(struct fd_table *t, uint32_t tgid)
{
	struct fd_proc *p = fd_table__find_proc(t, tgid);

	for (uint32_t n = p ? p->count : 0; n; n--)
		entry_remove(t, container_of(p->entries.next, struct fd_entry, plink));
}

/* Up to FD_TABLE_FORK_COPY_MAX of p's entries, most recent first, each holding its path. */
static size_t fork_snapshot(struct fd_table *t, struct fd_proc *p)
{
	struct fd_link *l = p->entries.next;
	size_t n = 0;

	for (; l != &p->entries && n < FD_TABLE_FORK_COPY_MAX; l = l->next, n++) {
		struct fd_entry *e = container_of(l, struct fd_entry, plink);

		t->scratch[n].fd = e->fd;
		t->scratch[n].info = e->info;
		path_get(e->info.path);
	}
	t->st.fork_copy_truncated += p->count - n;
	return n;
}

int fd_table__fork(struct fd_table *t, uint32_t parent, uint32_t child)
{
	struct fd_proc *p;
	size_t n;
	int err = 0;

	if (parent == child)
		return -EINVAL;
	fd_table__exit(t, child);
	p = fd_table__find_proc(t, parent);
	if (!p)
		return 0;
	n = fork_snapshot(t, p);
	/* oldest first, so the child's recency order is the parent's */
	for (size_t i = n; i-- > 0;) {
		struct fd_copy *c = &t->scratch[i];

		if (!entry_store(t, child, c->fd, &c->info, c->info.path))
			err = -ENOMEM;
	}
	return err ?: (int)n;
}

size_t fd_table__fds(const struct fd_table *t, uint32_t tgid, int32_t *fds, size_t max)
{
	const struct fd_proc *p = fd_table__find_proc(t, tgid);
	const struct fd_link *l;
	size_t n = 0;

	if (!p)
		return 0;
	for (l = p->entries.next; l != &p->entries && n < max; l = l->next)
		fds[n++] = container_of(l, struct fd_entry, plink)->fd;
	return n;
}

void fd_table__each(const struct fd_table *t, void (*fn)(uint32_t tgid, int32_t fd, void *arg),
		    void *arg)
{
	for (const struct fd_link *l = t->lru.next; l != &t->lru; l = l->next) {
		const struct fd_entry *e = container_of(l, struct fd_entry, lru);

		fn(e->tgid, e->fd, arg);
	}
}

void fd_table__stats(const struct fd_table *t, struct fd_table_stats *st)
{
	*st = t->st;
}
