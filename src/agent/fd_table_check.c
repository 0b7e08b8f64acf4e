/* SPDX-License-Identifier: Apache-2.0 */
/* fd_table__check: the walk the unit tests run after every kind of change. */
#include <errno.h>
#include <string.h>

#include "fd_table_internal.h"
#include "log.h"

static int broken(const char *what)
{
	log_warn("fd_table: inconsistent: %s", what);
	return -EUCLEAN;
}

static int check_entry(const struct fd_table *t, const struct fd_entry *e)
{
	const struct fd_entry *h = t->ebuckets[fd_table__hash(t, e->tgid, e->fd)];

	while (h && h != e)
		h = h->hnext;
	if (!h)
		return broken("entry not in its hash chain");
	if (e->fd < 0 || !e->proc || e->proc->tgid != e->tgid || fd_table__find_proc(t, e->tgid) != e->proc)
		return broken("entry's process record");
	if (e->lru.next->prev != &e->lru || e->plink.next->prev != &e->plink)
		return broken("list links");
	if (e->info.path && (fd_path__of(e->info.path)->refs == 0 ||
			     strnlen(e->info.path, FD_PATH_MAX) == FD_PATH_MAX))
		return broken("path");
	return 0;
}

static int check_procs(const struct fd_table *t)
{
	uint64_t procs = 0, entries = 0;

	for (size_t b = 0; b <= t->mask; b++) {
		for (const struct fd_proc *p = t->pbuckets[b]; p; p = p->hnext) {
			uint32_t n = 0;

			for (const struct fd_link *l = p->entries.next; l != &p->entries; l = l->next)
				if (container_of(l, struct fd_entry, plink)->proc != p || ++n > p->count)
					return broken("process list");
			if (n != p->count || n == 0 || fd_table__hash(t, p->tgid, -1) != b)
				return broken("process count");
			procs++;
			entries += n;
		}
	}
	if (procs != t->st.processes || entries != t->st.entries || procs > t->st.capacity)
		return broken("process totals");
	return 0;
}

int fd_table__check(const struct fd_table *t)
{
	uint64_t n = 0, chained = 0;
	int err;

	for (const struct fd_link *l = t->lru.next; l != &t->lru; l = l->next) {
		if (++n > t->st.capacity)
			return broken("more entries than capacity");
		err = check_entry(t, container_of(l, struct fd_entry, lru));
		if (err)
			return err;
	}
	for (size_t b = 0; b <= t->mask; b++)
		for (const struct fd_entry *e = t->ebuckets[b]; e; e = e->hnext)
			chained++;
	if (n != t->st.entries || chained != n)
		return broken("entry count");
	return check_procs(t);
}
