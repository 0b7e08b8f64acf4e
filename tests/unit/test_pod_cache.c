// SPDX-License-Identifier: Apache-2.0
/*
 * pod_cache: lookups by uid and by container id, replace (old container ids disappear),
 * delete, eviction by count and by bytes in least-recently-updated order, resync, gen,
 * container ids claimed by a newer pod, standalone holders; a random workload checked against
 * a simple model; and the heap a typical Deployment pod costs in the cache (printed).
 */
#include <errno.h>
#include <stdlib.h>

#define UNIT_MAIN
#include "unit.h"
#include "k8s_fixture.h"
#include "pod_cache.h"

#define BIG 1000000000

/* A 64-digit container id from a small number. */
static const char *cid(unsigned n)
{
	static char ids[8][K8S_CONTAINER_ID_MAX];
	static int next;
	char *s = ids[next++ % 8];

	snprintf(s, K8S_CONTAINER_ID_MAX, "%064x", n);
	return s;
}

/* A pod with uid "u<n>" and containers whose ids are cid(ids[i]) (0 ends the list; an id of
 * ~0u gives a container that has not started). */
static struct k8s_pod *mkpod(unsigned n, const unsigned *ids)
{
	char json[4096], err[256];
	struct json_object *o;
	struct k8s_pod *pod = NULL;
	size_t len;
	int i;

	len = snprintf(json, sizeof(json),
		       "{\"metadata\":{\"uid\":\"u%u\",\"name\":\"pod-%u\",\"namespace\":\"ns\"},"
		       "\"spec\":{\"containers\":[",
		       n, n);
	for (i = 0; ids && ids[i]; i++)
		len += snprintf(json + len, sizeof(json) - len,
				"%s{\"name\":\"c%d\",\"image\":\"img:%d\"}", i ? "," : "", i, i);
	len += snprintf(json + len, sizeof(json) - len, "]},\"status\":{\"containerStatuses\":[");
	for (i = 0; ids && ids[i]; i++)
		len += snprintf(json + len, sizeof(json) - len,
				"%s{\"name\":\"c%d\",\"containerID\":\"containerd://%s\"}",
				i ? "," : "", i, ids[i] == ~0u ? "" : cid(ids[i]));
	snprintf(json + len, sizeof(json) - len, "]}}");
	o = json_tokener_parse(json);
	if (!o || k8s_pod__from_json(o, &pod, err, sizeof(err))) {
		printf("mkpod: %s\n", o ? err : json);
		abort();
	}
	json_object_put(o);
	return pod;
}

static const char *uid_of(unsigned n)
{
	static char uid[32];

	snprintf(uid, sizeof(uid), "u%u", n);
	return uid;
}

static struct pod_cache_stats stats(const struct pod_cache *c)
{
	struct pod_cache_stats st;

	pod_cache__stats(c, &st);
	return st;
}

UNIT_TEST(new_rejects_zero_bounds)
{
	CHECK(pod_cache__new(0, 1000) == NULL);
	CHECK(pod_cache__new(10, 0) == NULL);
	pod_cache__free(NULL);
}

UNIT_TEST(upsert_and_lookup)
{
	struct pod_cache *c = pod_cache__new(16, BIG);
	struct k8s_pod *p = fixture_pod("pod-deployment.json");
	const struct k8s_container *ctr = NULL;
	size_t pod_bytes = p->bytes;
	uint64_t gen = pod_cache__gen(c);

	CHECK_INT(pod_cache__upsert(c, p), 0);
	CHECK(pod_cache__gen(c) > gen);
	CHECK(pod_cache__pod(c, WEB_UID) == p);
	CHECK(pod_cache__by_container(c, WEB_NGINX_ID, &ctr) == p);
	CHECK(ctr == &p->containers[0]);
	CHECK(pod_cache__by_container(c, WEB_EXPORTER_ID, &ctr) == p);
	CHECK(ctr == &p->containers[1]);
	CHECK(pod_cache__by_container(c, WEB_EXPORTER_ID, NULL) == p);
	CHECK(pod_cache__by_container(c, DB_POSTGRES_ID, &ctr) == NULL);
	CHECK(ctr == NULL);
	CHECK(pod_cache__by_container(c, "", &ctr) == NULL);
	CHECK(pod_cache__by_container(c, NULL, &ctr) == NULL);
	CHECK(pod_cache__pod(c, DB_UID) == NULL);
	CHECK(pod_cache__pod(c, "") == NULL);
	CHECK(pod_cache__pod(c, NULL) == NULL);
	CHECK_INT(stats(c).pods, 1);
	CHECK_INT(stats(c).containers, 2);
	CHECK_INT(stats(c).upserts, 1);
	CHECK_INT(stats(c).capacity, 16);
	CHECK_INT(stats(c).bytes_max, BIG);
	/* the pod's own heap plus the cache's entry and index nodes, nothing else */
	CHECK(stats(c).bytes > pod_bytes && stats(c).bytes < pod_bytes + 256);
	gen = pod_cache__gen(c);
	pod_cache__pod(c, WEB_UID);
	pod_cache__by_container(c, WEB_NGINX_ID, NULL);
	CHECK_INT(pod_cache__gen(c), gen);
	pod_cache__free(c);
}

UNIT_TEST(replace_moves_container_ids)
{
	struct pod_cache *c = pod_cache__new(16, BIG);
	struct k8s_pod *a = mkpod(1, (unsigned[]){11, 12, 0}), *b;
	const struct k8s_container *ctr;
	uint64_t gen;

	CHECK_INT(pod_cache__upsert(c, a), 0);
	CHECK(pod_cache__by_container(c, cid(11), NULL) == a);
	CHECK(pod_cache__by_container(c, cid(12), NULL) == a);
	gen = pod_cache__gen(c);
	/* the same uid, one container replaced by another and one not started yet */
	b = mkpod(1, (unsigned[]){12, 13, ~0u, 0});
	CHECK_INT(pod_cache__upsert(c, b), 0);
	CHECK(pod_cache__gen(c) > gen);
	CHECK(pod_cache__pod(c, uid_of(1)) == b);
	CHECK(pod_cache__by_container(c, cid(11), &ctr) == NULL);
	CHECK(pod_cache__by_container(c, cid(12), &ctr) == b);
	CHECK(ctr == &b->containers[0]);
	CHECK(pod_cache__by_container(c, cid(13), &ctr) == b);
	CHECK(ctr == &b->containers[1]);
	CHECK_INT(stats(c).pods, 1);
	CHECK_INT(stats(c).containers, 2);
	CHECK_INT(stats(c).upserts, 2);
	CHECK_INT(stats(c).evictions, 0);
	CHECK(stats(c).bytes > b->bytes && stats(c).bytes < b->bytes + 256);
	/* replaced by a pod without containers: no id left */
	CHECK_INT(pod_cache__upsert(c, mkpod(1, NULL)), 0);
	CHECK(pod_cache__by_container(c, cid(12), NULL) == NULL);
	CHECK(pod_cache__by_container(c, cid(13), NULL) == NULL);
	CHECK_INT(stats(c).containers, 0);
	pod_cache__free(c);
}

UNIT_TEST(delete)
{
	struct pod_cache *c = pod_cache__new(16, BIG);
	uint64_t gen;

	CHECK_INT(pod_cache__delete(c, uid_of(1)), -ENOENT);
	CHECK_INT(pod_cache__upsert(c, mkpod(1, (unsigned[]){11, 0})), 0);
	CHECK_INT(pod_cache__upsert(c, mkpod(2, (unsigned[]){21, 0})), 0);
	gen = pod_cache__gen(c);
	CHECK_INT(pod_cache__delete(c, uid_of(1)), 0);
	CHECK(pod_cache__gen(c) > gen);
	CHECK(pod_cache__pod(c, uid_of(1)) == NULL);
	CHECK(pod_cache__by_container(c, cid(11), NULL) == NULL);
	CHECK(pod_cache__pod(c, uid_of(2)) != NULL);
	CHECK(pod_cache__by_container(c, cid(21), NULL) != NULL);
	CHECK_INT(pod_cache__delete(c, uid_of(1)), -ENOENT);
	CHECK_INT(pod_cache__delete(c, ""), -ENOENT);
	CHECK_INT(pod_cache__delete(c, NULL), -ENOENT);
	CHECK_INT(pod_cache__delete(c, uid_of(2)), 0);
	CHECK_INT(stats(c).pods, 0);
	CHECK_INT(stats(c).containers, 0);
	CHECK_INT(stats(c).bytes, 0);
	CHECK_INT(stats(c).deletes, 2);
	CHECK_INT(stats(c).upserts, 2);
	pod_cache__free(c);
}

UNIT_TEST(evict_by_count_least_recently_updated)
{
	struct pod_cache *c = pod_cache__new(3, BIG);
	uint64_t gen;

	for (unsigned i = 1; i <= 3; i++)
		CHECK_INT(pod_cache__upsert(c, mkpod(i, (unsigned[]){10 * i, 0})), 0);
	/* an update makes u1 the most recent: u2 is now the oldest */
	CHECK_INT(pod_cache__upsert(c, mkpod(1, (unsigned[]){10, 0})), 0);
	gen = pod_cache__gen(c);
	CHECK_INT(pod_cache__upsert(c, mkpod(4, (unsigned[]){40, 0})), 0);
	CHECK(pod_cache__gen(c) > gen);
	CHECK(pod_cache__pod(c, uid_of(2)) == NULL);
	CHECK(pod_cache__by_container(c, cid(20), NULL) == NULL);
	CHECK(pod_cache__pod(c, uid_of(1)) != NULL);
	CHECK(pod_cache__pod(c, uid_of(3)) != NULL);
	CHECK(pod_cache__pod(c, uid_of(4)) != NULL);
	CHECK_INT(stats(c).pods, 3);
	CHECK_INT(stats(c).containers, 3);
	CHECK_INT(stats(c).evictions, 1);
	CHECK_INT(pod_cache__upsert(c, mkpod(5, NULL)), 0);
	CHECK(pod_cache__pod(c, uid_of(3)) == NULL);
	CHECK_INT(stats(c).evictions, 2);
	/* lookups do not make a pod recent */
	pod_cache__pod(c, uid_of(1));
	CHECK_INT(pod_cache__upsert(c, mkpod(6, NULL)), 0);
	CHECK(pod_cache__pod(c, uid_of(1)) == NULL);
	CHECK_INT(stats(c).evictions, 3);
	pod_cache__free(c);
}

UNIT_TEST(evict_by_bytes)
{
	struct k8s_pod *probe = mkpod(0, (unsigned[]){1, 0});
	struct pod_cache *c = pod_cache__new(100, 1), *c2;
	size_t one;

	/* the cost of one such pod in the cache */
	CHECK_INT(pod_cache__upsert(c, probe), 0);
	one = stats(c).bytes;
	pod_cache__free(c);

	c = pod_cache__new(100, one * 5 / 2);
	for (unsigned i = 1; i <= 2; i++)
		CHECK_INT(pod_cache__upsert(c, mkpod(i, (unsigned[]){i + 100, 0})), 0);
	CHECK_INT(stats(c).evictions, 0);
	CHECK_INT(stats(c).bytes, 2 * one);
	CHECK_INT(pod_cache__upsert(c, mkpod(3, (unsigned[]){103, 0})), 0);
	CHECK_INT(stats(c).evictions, 1);
	CHECK_INT(stats(c).pods, 2);
	CHECK_INT(stats(c).bytes, 2 * one);
	CHECK(pod_cache__pod(c, uid_of(1)) == NULL);
	CHECK(pod_cache__by_container(c, cid(101), NULL) == NULL);
	CHECK(pod_cache__by_container(c, cid(103), NULL) != NULL);
	/* a pod larger than the whole budget still goes in, alone */
	c2 = pod_cache__new(100, one / 2);
	CHECK_INT(pod_cache__upsert(c2, mkpod(1, (unsigned[]){1, 0})), 0);
	CHECK_INT(pod_cache__upsert(c2, mkpod(2, (unsigned[]){2, 0})), 0);
	CHECK_INT(stats(c2).pods, 1);
	CHECK(pod_cache__pod(c2, uid_of(2)) != NULL);
	CHECK_INT(stats(c2).evictions, 1);
	pod_cache__free(c2);
	pod_cache__free(c);
}

UNIT_TEST(resync_removes_what_was_not_listed)
{
	struct pod_cache *c = pod_cache__new(16, BIG);
	struct k8s_pod *s = mkpod(9, (unsigned[]){90, 0});
	uint64_t gen;

	s->static_meta = true;
	CHECK_INT(pod_cache__upsert(c, s), 0);
	for (unsigned i = 1; i <= 3; i++)
		CHECK_INT(pod_cache__upsert(c, mkpod(i, (unsigned[]){10 * i, 0})), 0);
	gen = pod_cache__gen(c);
	pod_cache__resync_begin(c);
	CHECK_INT(pod_cache__gen(c), gen);
	CHECK_INT(pod_cache__upsert(c, mkpod(2, (unsigned[]){20, 0})), 0);
	CHECK_INT(pod_cache__upsert(c, mkpod(4, (unsigned[]){40, 0})), 0);
	gen = pod_cache__gen(c);
	pod_cache__resync_end(c);
	CHECK(pod_cache__gen(c) > gen);
	CHECK(pod_cache__pod(c, uid_of(1)) == NULL);
	CHECK(pod_cache__pod(c, uid_of(3)) == NULL);
	CHECK(pod_cache__by_container(c, cid(10), NULL) == NULL);
	CHECK(pod_cache__by_container(c, cid(30), NULL) == NULL);
	CHECK(pod_cache__pod(c, uid_of(2)) != NULL);
	CHECK(pod_cache__pod(c, uid_of(4)) != NULL);
	/* the static file's pod is not the API's to remove */
	CHECK(pod_cache__pod(c, uid_of(9)) == s);
	CHECK_INT(stats(c).resync_removed, 2);
	CHECK_INT(stats(c).deletes, 0);
	CHECK_INT(stats(c).pods, 3);
	CHECK_INT(stats(c).containers, 3);
	/* an empty resync leaves nothing stale behind for the next one */
	gen = pod_cache__gen(c);
	pod_cache__resync_begin(c);
	pod_cache__resync_end(c);
	CHECK_INT(stats(c).pods, 1);
	CHECK_INT(stats(c).resync_removed, 4);
	pod_cache__resync_begin(c);
	pod_cache__resync_end(c);
	CHECK_INT(stats(c).pods, 1);
	CHECK_INT(stats(c).resync_removed, 4);
	pod_cache__free(c);
}

UNIT_TEST(newer_pod_claims_a_container_id)
{
	struct pod_cache *c = pod_cache__new(16, BIG);
	struct k8s_pod *a = mkpod(1, (unsigned[]){11, 12, 0});
	struct k8s_pod *b = mkpod(2, (unsigned[]){12, 0});
	const struct k8s_container *ctr;

	CHECK_INT(pod_cache__upsert(c, a), 0);
	CHECK_INT(pod_cache__upsert(c, b), 0);
	CHECK(pod_cache__by_container(c, cid(12), &ctr) == b);
	CHECK(ctr == &b->containers[0]);
	CHECK(pod_cache__by_container(c, cid(11), NULL) == a);
	CHECK_INT(stats(c).containers, 2);
	/* the id is not given back when the newer pod goes */
	CHECK_INT(pod_cache__delete(c, uid_of(2)), 0);
	CHECK(pod_cache__by_container(c, cid(12), NULL) == NULL);
	CHECK(pod_cache__pod(c, uid_of(1)) == a);
	CHECK_INT(stats(c).containers, 1);
	CHECK_INT(pod_cache__delete(c, uid_of(1)), 0);
	CHECK_INT(stats(c).containers, 0);
	pod_cache__free(c);
}

/* A holder for one container outside any pod, as the static loader makes them. */
static struct k8s_pod *holder(unsigned id)
{
	struct k8s_pod *p = mkpod(0, (unsigned[]){id, 0});

	p->uid[0] = '\0';
	p->standalone = true;
	p->static_meta = true;
	return p;
}

UNIT_TEST(standalone_holders)
{
	struct pod_cache *c = pod_cache__new(16, BIG);
	struct k8s_pod *h = holder(77), *h2 = holder(77), *none;
	const struct k8s_container *ctr;

	CHECK_INT(pod_cache__upsert(c, h), 0);
	CHECK_INT(pod_cache__upsert(c, holder(78)), 0);
	CHECK(pod_cache__by_container(c, cid(77), &ctr) == h);
	CHECK(ctr == &h->containers[0]);
	CHECK(pod_cache__pod(c, "") == NULL);
	CHECK(pod_cache__pod(c, cid(77)) == NULL);
	CHECK_INT(pod_cache__delete(c, cid(77)), -ENOENT);
	CHECK_INT(stats(c).pods, 2);
	/* keyed by the container id: the same id replaces */
	CHECK_INT(pod_cache__upsert(c, h2), 0);
	CHECK_INT(stats(c).pods, 2);
	CHECK(pod_cache__by_container(c, cid(77), NULL) == h2);
	/* a holder without a container id has no key */
	none = holder(~0u);
	CHECK_INT(pod_cache__upsert(c, none), -EINVAL);
	none = mkpod(1, NULL);
	none->uid[0] = '\0';
	CHECK_INT(pod_cache__upsert(c, none), -EINVAL);
	CHECK_INT(stats(c).pods, 2);
	pod_cache__free(c);
}

/* Random upserts, deletes and resyncs against a model of which uid holds which ids. */
UNIT_TEST(random_workload_matches_model)
{
	enum { NPODS = 64, CAP = 40, STEPS = 5000 };
	struct pod_cache *c = pod_cache__new(CAP, BIG);
	unsigned owner[NPODS * 4 + 1] = {0}; /* container number -> pod + 1, 0: none */
	bool present[NPODS] = {0};
	unsigned seed = 12345, r, n, ids[3];
	size_t count = 0;

	for (int step = 0; step < STEPS; step++) {
		seed = seed * 1103515245 + 12345;
		r = seed >> 8;
		n = r % NPODS;
		if (r % 5 == 0) {
			CHECK_INT(pod_cache__delete(c, uid_of(n)), present[n] ? 0 : -ENOENT);
			count -= present[n];
			present[n] = false;
		} else {
			/* two of the pod's four possible ids, so replaces move ids */
			ids[0] = n * 4 + 1 + (r >> 7) % 4;
			ids[1] = n * 4 + 1 + (r >> 9) % 4;
			ids[2] = 0;
			if (ids[1] == ids[0])
				ids[1] = 0;
			CHECK_INT(pod_cache__upsert(c, mkpod(n, ids)), 0);
			for (unsigned k = 1; k <= 4; k++)
				if (owner[n * 4 + k] == n + 1)
					owner[n * 4 + k] = 0;
			owner[ids[0]] = n + 1;
			if (ids[1])
				owner[ids[1]] = n + 1;
			count += !present[n];
			present[n] = true;
		}
		/* evicted pods are gone from the model too */
		for (unsigned i = 0; i < NPODS; i++) {
			if (present[i] && !pod_cache__pod(c, uid_of(i))) {
				present[i] = false;
				count--;
			}
		}
		CHECK(stats(c).pods == count && count <= CAP);
	}
	for (unsigned k = 1; k <= NPODS * 4; k++) {
		const struct k8s_pod *p = pod_cache__by_container(c, cid(k), NULL);
		unsigned o = owner[k];

		CHECK((p != NULL) == (o && present[o - 1]));
		if (p)
			CHECK_STR(p->uid, uid_of(o - 1));
	}
	pod_cache__free(c);
}

/* The number the memory budget is sized with: one typical Deployment pod (2 containers,
 * 8 labels, 4 annotations: the deployment fixture) as the cache accounts it. */
UNIT_TEST(bytes_per_typical_pod)
{
	struct pod_cache *c = pod_cache__new(16, BIG);
	struct k8s_pod *p = fixture_pod("pod-deployment.json");
	size_t pod = p->bytes;

	CHECK_INT(p->ncontainers, 2);
	CHECK_INT(p->nlabels, 8);
	CHECK_INT(p->nannotations, 4);
	CHECK_INT(pod_cache__upsert(c, p), 0);
	printf("  typical Deployment pod: %zu bytes (pod %zu, rendered JSON %zu + %zu + %zu, "
	       "cache entry %zu)\n",
	       (size_t)stats(c).bytes, pod, p->json_len + 1, p->containers[0].json_len + 1,
	       p->containers[1].json_len + 1, (size_t)stats(c).bytes - pod);
	CHECK(stats(c).bytes < 4096);
	pod_cache__free(c);
}

int main(void)
{
	return unit_run();
}
