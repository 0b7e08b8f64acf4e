// SPDX-License-Identifier: Apache-2.0
/*
 * What Kubernetes enrichment costs per event: the container, pod and attribution members of an
 * event line, written by the agent's own code (agent_k8s_members), with the pods of a PodList
 * file cached, against the same members from the cgroup alone (no metadata source). Also the
 * heap the cached pods hold, as malloc sees it.
 *
 *   enrich PODLIST.json IDS.txt [ITERATIONS]
 *
 * IDS.txt: "POD_UID CONTAINER_ID" per line, the containers events come from.
 *
 * Prints one line of key=value pairs (bench/k8s/run.sh reads it).
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "k8s_meta.h"
#include "pod_cache.h"

#define MAX_CG 4096

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One cgroup entry per "POD_UID CONTAINER_ID" line of ids, as the container cache holds them. */
static size_t cgroups_of(const char *ids, struct cg_entry *cg)
{
	char uid[64], cid[128];
	size_t n = 0;
	FILE *f = fopen(ids, "re");

	if (!f)
		return 0;
	while (n < MAX_CG && fscanf(f, "%63s %127s", uid, cid) == 2) {
		if (strlen(uid) >= sizeof(cg[n].id.pod_uid) ||
		    strlen(cid) >= sizeof(cg[n].id.container_id))
			continue;
		memset(&cg[n], 0, sizeof(cg[n]));
		cg[n].id.container = cg[n].id.pod = true;
		cg[n].id.qos = CG_QOS_BURSTABLE;
		strcpy(cg[n].id.container_id, cid);
		strcpy(cg[n].id.pod_uid, uid);
		n++;
	}
	fclose(f);
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
	long iters = argc > 3 ? atol(argv[3]) : 1000000;
	struct mallinfo2 m0, m1;
	struct pod_cache_stats st;
	struct pod_cache *pc;
	double base, memo, lookup, b_base, b_memo, b_lookup;
	char err[1024];
	size_t n;
	int pods;

	if (argc < 3 || iters < 1) {
		fprintf(stderr, "usage: enrich PODLIST.json IDS.txt [ITERATIONS]\n");
		return 2;
	}
	config_defaults(&a.cfg);
	a.cfg.k8s_hold_ns = 0; /* measure the members, not the hold */
	if (json_init(&a.json, 1 << 20))
		return 1;
	m0 = mallinfo2();
	pc = pod_cache__new(4096, 256u << 20);
	/* the agent's own loader: a PodList is read exactly as from the API */
	pods = pc ? k8s_meta__load(argv[1], pc, err, sizeof(err)) : -ENOMEM;
	if (pods < 0) {
		fprintf(stderr, "enrich: %s\n", err);
		return 1;
	}
	m1 = mallinfo2();
	n = cgroups_of(argv[2], cg);
	if (!n) {
		fprintf(stderr, "enrich: no containers in %s\n", argv[2]);
		return 1;
	}
	/* the modes interleaved, 5 times each; the fastest of each is least disturbed */
	base = memo = lookup = 1e18;
	for (int r = 0; r < 5; r++) {
		double t;

		a.k8s.pods = NULL; /* cgroup attribution only */
		if ((t = run(&a, cg, n, iters, true, &b_base)) < base)
			base = t;
		a.k8s.pods = pc;
		if ((t = run(&a, cg, n, iters, true, &b_memo)) < memo)
			memo = t;
		if ((t = run(&a, cg, n, iters, false, &b_lookup)) < lookup)
			lookup = t;
	}
	pod_cache__stats(pc, &st);
	printf("pods=%d containers=%zu heap_bytes=%zu cache_bytes=%llu per_pod_bytes=%zu "
	       "cgroup_ns=%.1f enriched_ns=%.1f enriched_lookup_ns=%.1f added_ns=%.1f "
	       "added_lookup_ns=%.1f cgroup_bytes=%.0f enriched_bytes=%.0f\n",
	       pods, n, m1.uordblks - m0.uordblks, (unsigned long long)st.bytes,
	       pods ? (m1.uordblks - m0.uordblks) / pods : 0, base, memo, lookup, memo - base,
	       lookup - base, b_base, b_memo);
	a.k8s.pods = NULL;
	pod_cache__free(pc);
	json_free(&a.json);
	return 0;
}
