/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup id -> container and pod identity, parsed once per cgroup from the names the kernel
 * captured with the record. Bounded LRU; evictions counted. */
#ifndef VIGIL_CONTAINER_CACHE_H
#define VIGIL_CONTAINER_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "cgroup_parse.h"

#define CG_PATH_MAX 1024

struct k8s_pod;
struct k8s_container;

struct cg_entry {
	uint64_t cgroup_id;
	struct cg_identity id;
	char path[CG_PATH_MAX]; /* as decoded; may start with ".../" */
	uint32_t flags; /* VG_CG_* from the record */
	/* Kubernetes metadata of this cgroup, memoised by k8s_enrich.c: valid while k8s_gen is the
	 * pod cache's generation + 1 (0: never looked up). */
	uint64_t k8s_gen;
	const struct k8s_pod *k8s_pod;
	const struct k8s_container *k8s_ctr;
	struct cg_entry *hnext, *prev, *next;
};

struct container_cache_stats {
	uint64_t size, capacity, hits, misses, evictions, parse_errors;
};

struct container_cache;

struct container_cache *container_cache__new(size_t capacity);
void container_cache__free(struct container_cache *c);
/* Identity of cgroup_id. On a miss, decode `names` (leaf-first components, `count` of them,
 * VG_STR_* `str_flags`) and parse. Never NULL unless allocation fails. */
struct cg_entry *container_cache__resolve(struct container_cache *c, uint64_t cgroup_id,
						const char *names, size_t len, unsigned count,
						unsigned str_flags, uint32_t cg_flags);
void container_cache__stats(const struct container_cache *c, struct container_cache_stats *st);

#endif /* VIGIL_CONTAINER_CACHE_H */
