/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Events and alerts per pod, for opt-in per-pod metrics (metrics.per_pod). Capped: the first
 * `cap` pods seen get their own counters, later ones are summed into the overflow, so a node
 * that churns through pods cannot grow the table or the metrics' label cardinality.
 */
#ifndef VIGIL_POD_COUNTS_H
#define VIGIL_POD_COUNTS_H

#include <stddef.h>
#include <stdint.h>

struct pod_count {
	char key[320]; /* "namespace/name"; "" free */
	uint64_t events, alerts;
};

struct pod_counts {
	struct pod_count *slots; /* open addressing, 2 * cap slots */
	size_t nslots, used, cap;
	uint64_t overflow_events, overflow_alerts; /* of pods past the cap */
};

int pod_counts__init(struct pod_counts *pc, size_t cap);
void pod_counts__free(struct pod_counts *pc);
void pod_counts__add(struct pod_counts *pc, const char *ns, const char *name, int events,
		     int alerts);

#endif /* VIGIL_POD_COUNTS_H */
