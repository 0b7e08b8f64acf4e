/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's pods: uid -> pod, container id -> (pod, container). Owned and used by the main
 * thread only (the watch thread hands pods over through k8s_watch's queue), so lookups take no
 * lock. Bounded by a pod count and a byte budget; the least recently updated pod is evicted
 * first, and evictions are counted.
 *
 * `gen` changes whenever the content changes, so a caller may cache a lookup result and
 * reuse it while gen is unchanged (container_cache entries do this).
 */
#ifndef VIGIL_POD_CACHE_H
#define VIGIL_POD_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "k8s_pod.h"

struct pod_cache_stats {
	uint64_t pods, containers, bytes;	 /* now; containers: ids indexed */
	uint64_t capacity, bytes_max;
	uint64_t upserts, deletes, evictions, resync_removed;
};

struct pod_cache;

/* NULL when out of memory or when a bound is 0. */
struct pod_cache *pod_cache__new(size_t capacity, size_t bytes_max);
void pod_cache__free(struct pod_cache *c);

/* Insert or replace (by uid; standalone holders by their first container id). Takes ownership
 * of p; a replaced pod is freed. A container id belongs to one pod: the newest pod that names
 * it. Returns 0, -EINVAL when p has no key (uid "", or a holder without a container id), or
 * -ENOMEM; p is freed on failure. The pod just written is never the one evicted. */
int pod_cache__upsert(struct pod_cache *c, struct k8s_pod *p);
/* Remove by uid; -ENOENT if absent. */
int pod_cache__delete(struct pod_cache *c, const char *uid);

/* A full relist: begin marks every pod stale, upserts clear the mark, end removes the pods
 * still marked (counted in resync_removed). Pods from the static file are never removed. */
void pod_cache__resync_begin(struct pod_cache *c);
void pod_cache__resync_end(struct pod_cache *c);

const struct k8s_pod *pod_cache__pod(const struct pod_cache *c, const char *uid);
/* By container id; *ctr is set to the container. NULL if unknown. */
const struct k8s_pod *pod_cache__by_container(const struct pod_cache *c, const char *id,
					      const struct k8s_container **ctr);
uint64_t pod_cache__gen(const struct pod_cache *c);
/* Call fn for every pod, most recently updated first. */
void pod_cache__each(const struct pod_cache *c, void (*fn)(void *ctx, const struct k8s_pod *p),
		     void *ctx);
void pod_cache__stats(const struct pod_cache *c, struct pod_cache_stats *st);

#endif /* VIGIL_POD_CACHE_H */
