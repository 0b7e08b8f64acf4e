// SPDX-License-Identifier: Apache-2.0
/*
 * container_cache: decoding of the kernel's leaf-first cgroup components into a path, the
 * identity parsed from it, hits on the second resolve, and the LRU bound with its counters.
 */
#include <stdint.h>
#include <stdlib.h>

#define UNIT_MAIN
#include "unit.h"

#include "vigil/events.h"
#include "container_cache.h"

#define CID  "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
#define UID  "0d1f6c2a-8b4e-4c1f-9d2a-3e5f7a9b1c0d"
#define UID_ "0d1f6c2a_8b4e_4c1f_9d2a_3e5f7a9b1c0d"

#define ROOTED (VG_STR_COMPONENTS | VG_STR_ROOTED)

/* names as a string literal of NUL-terminated components: its length without the extra NUL */
#define NAMES(s) s, sizeof(s) - 1

static const char kubepods[] = CID "\0pod" UID "\0besteffort\0kubepods";

static struct container_cache_stats stats(const struct container_cache *c)
{
	struct container_cache_stats st;

	container_cache__stats(c, &st);
	return st;
}

/* Components in an exact-size heap buffer, so ASan sees any read past len. */
static struct cg_entry *resolve(struct container_cache *c, uint64_t id, const char *names,
				      size_t len, unsigned count, unsigned flags)
{
	char *copy = malloc(len ? len : 1);
	struct cg_entry *e;

	if (!copy)
		abort();
	memcpy(copy, names, len);
	e = container_cache__resolve(c, id, copy, len, count, flags, 0);
	free(copy);
	return e;
}

UNIT_TEST(resolve_kubepods_cgroupfs)
{
	struct container_cache *c = container_cache__new(8);
	struct cg_entry *e, *again;

	/* the walk's buffer holds each component with its NUL */
	e = container_cache__resolve(c, 4242, kubepods, sizeof(kubepods), 4, ROOTED, VG_CG_V1);
	CHECK(e != NULL);
	CHECK_INT(e->cgroup_id, 4242);
	CHECK_INT(e->flags, VG_CG_V1);
	CHECK_STR(e->path, "/kubepods/besteffort/pod" UID "/" CID);
	CHECK_INT(e->id.container, 1);
	CHECK_INT(e->id.pod, 1);
	CHECK_INT(e->id.runtime, CG_RT_UNKNOWN);
	CHECK_INT(e->id.qos, CG_QOS_BESTEFFORT);
	CHECK_INT(e->id.driver, CG_DRIVER_CGROUPFS);
	CHECK_STR(e->id.container_id, CID);
	CHECK_STR(e->id.pod_uid, UID);
	CHECK_INT(stats(c).misses, 1);
	CHECK_INT(stats(c).hits, 0);
	CHECK_INT(stats(c).size, 1);

	/* a hit: same entry, whatever the record carries this time */
	again = container_cache__resolve(c, 4242, NULL, 0, 0, 0, 0);
	CHECK(again == e);
	CHECK_STR(again->path, "/kubepods/besteffort/pod" UID "/" CID);
	CHECK_INT(again->flags, VG_CG_V1);
	CHECK_INT(stats(c).misses, 1);
	CHECK_INT(stats(c).hits, 1);
	CHECK_INT(stats(c).size, 1);
	CHECK_INT(stats(c).capacity, 8);
	CHECK_INT(stats(c).evictions, 0);
	CHECK_INT(stats(c).parse_errors, 0);
	container_cache__free(c);
}

UNIT_TEST(resolve_systemd_and_host)
{
	struct container_cache *c = container_cache__new(8);
	struct cg_entry *e;

	e = resolve(c, 1,
		    NAMES("cri-containerd-" CID ".scope\0kubepods-burstable-pod" UID_
			  ".slice\0kubepods-burstable.slice\0kubepods.slice\0"),
		    4, ROOTED);
	CHECK_STR(e->path, "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
			   ".slice/cri-containerd-" CID ".scope");
	CHECK_INT(e->id.container, 1);
	CHECK_INT(e->id.pod, 1);
	CHECK_INT(e->id.runtime, CG_RT_CONTAINERD);
	CHECK_INT(e->id.qos, CG_QOS_BURSTABLE);
	CHECK_INT(e->id.driver, CG_DRIVER_SYSTEMD);
	CHECK_STR(e->id.container_id, CID);
	CHECK_STR(e->id.pod_uid, UID);

	e = resolve(c, 2, NAMES("sshd.service\0system.slice\0"), 2, ROOTED);
	CHECK_STR(e->path, "/system.slice/sshd.service");
	CHECK_INT(e->id.container, 0);
	CHECK_INT(e->id.pod, 0);
	CHECK_INT(e->id.runtime, CG_RT_NONE);
	CHECK_STR(e->id.container_id, "");

	/* the root cgroup: no components */
	e = container_cache__resolve(c, 3, NULL, 0, 0, ROOTED, 0);
	CHECK_STR(e->path, "/");
	CHECK_INT(e->id.container, 0);
	CHECK_INT(stats(c).size, 3);
	CHECK_INT(stats(c).misses, 3);
	CHECK_INT(stats(c).parse_errors, 0);
	container_cache__free(c);
}

UNIT_TEST(truncated_walk_still_parses)
{
	struct container_cache *c = container_cache__new(8);
	struct cg_entry *e;

	/* the kernel stopped after two components: not rooted */
	e = resolve(c, 10, NAMES(CID "\0pod" UID "\0"), 2, VG_STR_COMPONENTS);
	CHECK_STR(e->path, ".../pod" UID "/" CID);
	CHECK_INT(e->id.container, 1);
	CHECK_INT(e->id.pod, 1);
	CHECK_INT(e->id.runtime, CG_RT_UNKNOWN);
	CHECK_INT(e->id.qos, CG_QOS_NONE); /* the QoS level was cut off */
	CHECK_INT(e->id.driver, CG_DRIVER_CGROUPFS);
	CHECK_STR(e->id.container_id, CID);
	CHECK_STR(e->id.pod_uid, UID);

	/* rooted, but the buffer was cut: fewer components than counted */
	e = resolve(c, 11, NAMES(CID "\0pod" UID "\0burstable\0"), 4, ROOTED | VG_STR_TRUNCATED);
	CHECK_STR(e->path, ".../burstable/pod" UID "/" CID);
	CHECK_INT(e->id.qos, CG_QOS_BURSTABLE);
	CHECK_STR(e->id.container_id, CID);
	CHECK_STR(e->id.pod_uid, UID);

	/* cut inside the second component: used as far as it goes, no pod is made of it */
	e = resolve(c, 12, kubepods, 64 + 1 + 10, 4, ROOTED);
	CHECK_STR(e->path, ".../pod0d1f6c2/" CID);
	CHECK_INT(e->id.pod, 0);
	CHECK_STR(e->id.pod_uid, "");
	/* the leaf itself cut: a short id is no container id */
	e = resolve(c, 13, kubepods, 40, 4, ROOTED);
	CHECK_STR(e->path, ".../ca978112ca1bbdcafac231b39a23dc4da786eff8");
	CHECK_INT(e->id.container, 0);
	CHECK_STR(e->id.container_id, "");
	CHECK_INT(stats(c).parse_errors, 0);
	container_cache__free(c);
}

UNIT_TEST(path_longer_than_entry)
{
	struct container_cache *c = container_cache__new(2);
	char names[3000];
	struct cg_entry *e;

	/* 20 components of 149 characters: 3000 bytes of path */
	for (int i = 0; i < 20; i++) {
		memset(names + i * 150, 'a' + i, 149);
		names[i * 150 + 149] = 0;
	}
	e = resolve(c, 1, names, sizeof(names), 20, ROOTED);
	CHECK(e != NULL);
	CHECK_INT(strlen(e->path), CG_PATH_MAX - 1);
	CHECK(e->path[0] == '/' && e->path[1] == 't'); /* root first: the last component */
	CHECK_INT(e->id.container, 0);
	container_cache__free(c);
}

static struct cg_entry *resolve_n(struct container_cache *c, uint64_t id)
{
	char names[64];
	int n = snprintf(names, sizeof(names), "svc%llu.service", (unsigned long long)id);

	memcpy(names + n + 1, "system.slice", 13);
	return resolve(c, id, names, n + 1 + 13, 2, ROOTED);
}

static void check_path(struct cg_entry *e, uint64_t id)
{
	char want[64];

	snprintf(want, sizeof(want), "/system.slice/svc%llu.service", (unsigned long long)id);
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(e->path, want);
		CHECK_INT(e->cgroup_id, id);
	}
}

UNIT_TEST(capacity_lru)
{
	struct container_cache *c = container_cache__new(4);
	struct cg_entry *e[7];

	for (uint64_t i = 1; i <= 4; i++)
		e[i] = resolve_n(c, i);
	CHECK(resolve_n(c, 1) == e[1]); /* 1 is now most recent; 2 least */
	CHECK_INT(stats(c).hits, 1);
	e[5] = resolve_n(c, 5);
	CHECK_INT(stats(c).size, 4);
	CHECK_INT(stats(c).evictions, 1);
	CHECK_INT(stats(c).misses, 5);
	/* survivors are hits and keep their entries */
	CHECK(resolve_n(c, 3) == e[3]);
	CHECK(resolve_n(c, 4) == e[4]);
	CHECK(resolve_n(c, 1) == e[1]);
	CHECK(resolve_n(c, 5) == e[5]);
	CHECK_INT(stats(c).hits, 5);
	CHECK_INT(stats(c).misses, 5);
	check_path(e[1], 1);
	check_path(e[5], 5);
	/* 2 was evicted: a miss that parses again and evicts the LRU (3) */
	e[2] = resolve_n(c, 2);
	check_path(e[2], 2);
	CHECK_INT(stats(c).misses, 6);
	CHECK_INT(stats(c).evictions, 2);
	CHECK(resolve_n(c, 4) == e[4]);
	CHECK_INT(stats(c).misses, 6);
	e[3] = resolve_n(c, 3);
	CHECK_INT(stats(c).misses, 7);
	CHECK_INT(stats(c).evictions, 3);
	CHECK_INT(stats(c).size, 4);
	container_cache__free(c);
}

/* Many more ids than entries, many sharing buckets: the bound holds and the most recent stay. */
UNIT_TEST(capacity_many)
{
	struct container_cache *c = container_cache__new(100);

	for (uint64_t i = 0; i < 5000; i++)
		resolve_n(c, i * 128); /* strided ids collide in the bucket hash */
	CHECK_INT(stats(c).size, 100);
	CHECK_INT(stats(c).evictions, 4900);
	CHECK_INT(stats(c).misses, 5000);
	for (uint64_t i = 4999; i >= 4900; i--)
		check_path(resolve_n(c, i * 128), i * 128);
	CHECK_INT(stats(c).hits, 100);
	CHECK_INT(stats(c).misses, 5000);
	check_path(resolve_n(c, 0), 0);
	CHECK_INT(stats(c).misses, 5001);
	CHECK_INT(stats(c).size, 100);
	container_cache__free(c);
}

UNIT_TEST(new_rejects_zero_capacity)
{
	CHECK(container_cache__new(0) == NULL);
	container_cache__free(NULL);
}

int main(void)
{
	return unit_run();
}
