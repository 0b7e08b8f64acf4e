/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_hold.h"

struct k8s_hold {
	struct k8s_held *head, **tail; /* FIFO, arrival order (deadline order too) */
	struct k8s_hold_stats st;
};

struct k8s_hold *k8s_hold__new(size_t max_entries, size_t max_bytes)
{
	struct k8s_hold *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->tail = &h->head;
	h->st.max_entries = max_entries;
	h->st.max_bytes = max_bytes;
	return h;
}

void k8s_hold__free(struct k8s_hold *h)
{
	struct k8s_held *e, *n;

	if (!h)
		return;
	for (e = h->head; e; e = n) {
		n = e->next;
		free(e);
	}
	free(h);
}

int k8s_hold__push(struct k8s_hold *h, const char *line, size_t len, const struct k8s_marks *m,
		   int type, uint64_t deadline_ns)
{
	size_t sz = sizeof(struct k8s_held) + len;
	struct k8s_held *e;

	if (h->st.held >= h->st.max_entries || h->st.held_bytes + sz > h->st.max_bytes) {
		h->st.overflow++;
		return -ENOSPC;
	}
	e = malloc(sz);
	if (!e)
		return -ENOMEM;
	e->next = NULL;
	e->deadline_ns = deadline_ns;
	e->type = type;
	e->m = *m;
	e->len = len;
	memcpy(e->line, line, len);
	*h->tail = e;
	h->tail = &e->next;
	h->st.held++;
	h->st.held_bytes += sz;
	h->st.total++;
	return 0;
}

void k8s_hold__release(struct k8s_hold *h, uint64_t now_ns,
		       bool (*ready)(void *ctx, const struct k8s_held *e),
		       void (*emit)(void *ctx, const struct k8s_held *e, bool resolved),
		       void *ctx)
{
	struct k8s_held **pp = &h->head, *e;

	while ((e = *pp)) {
		bool ok = ready && ready(ctx, e);

		if (!ok && e->deadline_ns > now_ns) {
			/* deadlines grow along the list: without a ready test, no later one is
			 * due either */
			if (!ready)
				break;
			pp = &e->next;
			continue;
		}
		*pp = e->next;
		if (h->tail == &e->next)
			h->tail = pp;
		h->st.held--;
		h->st.held_bytes -= sizeof(*e) + e->len;
		if (ok)
			h->st.resolved++;
		else
			h->st.expired++;
		emit(ctx, e, ok);
		free(e);
	}
}

bool k8s_hold__empty(const struct k8s_hold *h)
{
	return !h->head;
}

void k8s_hold__stats(const struct k8s_hold *h, struct k8s_hold_stats *st)
{
	*st = h->st;
}
