/* SPDX-License-Identifier: Apache-2.0 */
/* Capped per-pod event and alert counters (pod_counts.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pod_counts.h"

int pod_counts__init(struct pod_counts *pc, size_t cap)
{
	memset(pc, 0, sizeof(*pc));
	if (!cap)
		return 0;
	pc->cap = cap;
	pc->nslots = 2 * cap;
	pc->slots = calloc(pc->nslots, sizeof(*pc->slots));
	return pc->slots ? 0 : -ENOMEM;
}

void pod_counts__free(struct pod_counts *pc)
{
	free(pc->slots);
	memset(pc, 0, sizeof(*pc));
}

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

void pod_counts__add(struct pod_counts *pc, const char *ns, const char *name, int events,
		     int alerts)
{
	char key[sizeof(pc->slots[0].key)];
	size_t i;

	if (!pc->nslots || !ns || !name)
		return;
	snprintf(key, sizeof(key), "%s/%s", ns, name);
	for (i = hash(key) % pc->nslots; pc->slots[i].key[0]; i = (i + 1) % pc->nslots)
		if (!strcmp(pc->slots[i].key, key))
			goto found;
	if (pc->used >= pc->cap) {
		pc->overflow_events += events;
		pc->overflow_alerts += alerts;
		return;
	}
	strcpy(pc->slots[i].key, key);
	pc->used++;
found:
	pc->slots[i].events += events;
	pc->slots[i].alerts += alerts;
}
