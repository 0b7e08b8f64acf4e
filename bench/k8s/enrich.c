// SPDX-License-Identifier: Apache-2.0
/*
 * What Kubernetes enrichment costs per event: the container, pod and attribution members of an
 * event line, written by the agent's own code (agent_k8s_members), with the pods of a PodList
 * file cached, against the same members from the cgroup alone (no metadata source). Also the
 * heap the cached pods hold, as malloc sees it.
 *
 *   enrich PODLIST.json [ITERATIONS]
 *
 * Prints one line of key=value pairs (bench/k8s/run.sh reads it).
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "agent.h"
#include "k8s_pod.h"
#include "pod_cache.h"

#define MAX_CG 4096

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One cgroup entry per container of every pod, as the container cache would hold them. */
static size_t cgroups_of(const struct pod_cache *pc, json_object *items, struct cg_entry *cg)
{
	size_t n = 0;

	for (size_t i = 0; i < json_object_array_length(items) && n < MAX_CG; i++) {
		json_object *uidj, *meta = json_object_object_get(json_object_array_get_idx(items, i),
								   "metadata");
		const struct k8s_pod *p;

		if (!json_object_object_get_ex(meta, "uid", &uidj) ||
		    !(p = pod_cache__pod(pc, json_object_get_string(uidj))))
			continue;
		for (size_t c = 0; c < p->ncontainers && n < MAX_CG; c++) {
			if (!p->containers[c].id[0])
				continue;
			memset(&cg[n], 0, sizeof(cg[n]));
			cg[n].id.container = cg[n].id.pod = true;
			cg[n].id.qos = CG_QOS_BURSTABLE;
			strcpy(cg[n].id.container_id, p->containers[c].id);
			strcpy(cg[n].id.pod_uid, p->uid);
			n++;
		}
	}
	return n;
}

/* ns per call of agent_k8s_members over the n cgroups, round robin; bytes written per call */
static double run(struct agent *a, struct cg_entry *cg, size_t n, long iters, bool memo,
		  double *bytes)
{
	double t0 = now_ns(), total = 0;

	for (long i = 0; i < iters; i++) {
		struct cg_entry *e = &cg[i % n];

		if (!memo)
			e->k8s_gen = 0;
		json_reset(&a->json);
		json_obj_begin(&a->json);
		agent_k8s_members(a, e);
		json_obj_end(&a->json);
		total += a->json.len;
	}
	*bytes = total / iters;
	return (now_ns() - t0) / iters;
}

int main(int argc, char **argv)
{
	static struct agent a;
	static struct cg_entry cg[MAX_CG];
	long iters = argc > 2 ? atol(argv[2]) : 2000000;
	struct mallinfo2 m0, m1;
	json_object *list, *items;
	struct pod_cache *pc;
	double base, memo, lookup, b_base, b_memo, b_lookup;
	size_t n, pods = 0;
	char err[512];

	if (argc < 2 || iters < 1) {
		fprintf(stderr, "usage: enrich PODLIST.json [ITERATIONS]\n");
		return 2;
	}
	list = json_object_from_file(argv[1]);
	if (!list || !json_object_object_get_ex(list, "items", &items)) {
		fprintf(stderr, "enrich: %s: not a PodList\n", argv[1]);
		return 1;
	}
	config_defaults(&a.cfg);
	a.cfg.k8s_hold_ns = 0; /* measure the members, not the hold */
	if (json_init(&a.json, 1 << 20))
		return 1;
	m0 = mallinfo2();
	pc = pod_cache__new(4096, 256u << 20);
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		struct k8s_pod *p;

		if (k8s_pod__from_json(json_object_array_get_idx(items, i), &p, err, sizeof(err))) {
			fprintf(stderr, "enrich: item %zu: %s\n", i, err);
			return 1;
		}
		if (pod_cache__upsert(pc, p) == 0)
			pods++;
	}
	m1 = mallinfo2();
	n = cgroups_of(pc, items, cg);
	if (!n) {
		fprintf(stderr, "enrich: no running containers in %s\n", argv[1]);
		return 1;
	}
	base = run(&a, cg, n, iters, true, &b_base); /* a.k8s.pods NULL: cgroup attribution */
	a.k8s.pods = pc;
	memo = run(&a, cg, n, iters, true, &b_memo);
	lookup = run(&a, cg, n, iters, false, &b_lookup);
	struct pod_cache_stats st;
	pod_cache__stats(pc, &st);
	printf("pods=%zu containers=%zu heap_bytes=%zu cache_bytes=%llu per_pod_bytes=%zu "
	       "cgroup_ns=%.1f enriched_ns=%.1f enriched_lookup_ns=%.1f added_ns=%.1f "
	       "added_lookup_ns=%.1f cgroup_bytes=%.0f enriched_bytes=%.0f\n",
	       pods, n, m1.uordblks - m0.uordblks, (unsigned long long)st.bytes,
	       pods ? (m1.uordblks - m0.uordblks) / pods : 0, base, memo, lookup, memo - base,
	       lookup - base, b_base, b_memo);
	a.k8s.pods = NULL;
	pod_cache__free(pc);
	json_free(&a.json);
	json_object_put(list);
	return 0;
}
