/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Events waiting for their pod's metadata.
 *
 * A container's first processes often run before the watch delivers the pod (or the
 * containerStatuses entry with the container's id). Such an event's line is rendered at once,
 * from the state of that moment, and held here for a bounded time with the places where the
 * pod and container members go. When the metadata arrives the members are spliced in; when
 * the time is up the line goes out as it is, marked "pending". Bounded by entries and bytes;
 * a line that does not fit is written at once (counted as overflow).
 */
#ifndef VIGIL_K8S_HOLD_H
#define VIGIL_K8S_HOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "k8s_pod.h"

#define K8S_HOLD_NONE UINT32_MAX

/* Where enrichment goes in a rendered line (byte offsets, increasing). */
struct k8s_marks {
	bool active; /* the line is waiting for metadata */
	uint32_t ctr_at; /* end of the container object's members, or K8S_HOLD_NONE */
	uint32_t pod_at; /* end of the pod object's members, or K8S_HOLD_NONE */
	uint32_t attr_at; /* first byte of the attribution value ("pending") */
	uint64_t time_ns; /* the line's "time" (wall clock ns), for the outputs */
	uint64_t dedup; /* what the store's dedup said of the line (agent_outputs_dedup) */
	char pod_uid[K8S_UID_MAX];
	char ctr_id[K8S_CONTAINER_ID_MAX];
};

struct k8s_held {
	struct k8s_held *next;
	uint64_t deadline_ns;
	int type; /* event type, for the written counters */
	struct k8s_marks m;
	size_t len;
	char line[]; /* not NUL terminated */
};

struct k8s_hold_stats {
	uint64_t held, held_bytes; /* now */
	uint64_t max_entries, max_bytes;
	uint64_t total, resolved, expired, overflow;
};

struct k8s_hold;

struct k8s_hold *k8s_hold__new(size_t max_entries, size_t max_bytes);
/* Writes nothing: the caller emits what is still held first (k8s_hold__release at +inf). */
void k8s_hold__free(struct k8s_hold *h);
/* Hold a copy of line. -ENOSPC (counted as overflow) when full, -ENOMEM. */
int k8s_hold__push(struct k8s_hold *h, const char *line, size_t len, const struct k8s_marks *m,
		   int type, uint64_t deadline_ns);
/*
 * Hand back, in arrival order, every held line that is ready (ready() says its metadata is
 * there) or whose deadline is <= now_ns, through emit(); `resolved` is counted for the first,
 * `expired` for the second. ready may be NULL (deadline only).
 */
void k8s_hold__release(struct k8s_hold *h, uint64_t now_ns,
		       bool (*ready)(void *ctx, const struct k8s_held *e),
		       void (*emit)(void *ctx, const struct k8s_held *e, bool resolved),
		       void *ctx);
bool k8s_hold__empty(const struct k8s_hold *h);
void k8s_hold__stats(const struct k8s_hold *h, struct k8s_hold_stats *st);

#endif /* VIGIL_K8S_HOLD_H */
