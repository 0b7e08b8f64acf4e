/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kubernetes enrichment of events: where pod metadata comes from (the API watcher, the static
 * metadata file), the container/pod/attribution members of every event, and the hold that
 * lets an event wait briefly for a pod that has not reached the cache yet.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "k8s_config.h"
#include "k8s_hold.h"
#include "k8s_meta.h"
#include "k8s_watch.h"
#include "log.h"
#include "pod_cache.h"

#define DRAIN_BATCH 256 /* updates applied per loop turn, so intake is never starved */

/* Is the metadata of (pod uid, container id) complete in the cache? An empty id is not
 * looked up. */
static bool find(const struct pod_cache *pods, const char *uid, const char *ctr_id,
		 const struct k8s_pod **pod, const struct k8s_container **ctr)
{
	*pod = NULL;
	*ctr = NULL;
	if (ctr_id[0])
		*pod = pod_cache__by_container(pods, ctr_id, ctr);
	if (!*pod && uid[0])
		*pod = pod_cache__pod(pods, uid);
	return *pod && (!ctr_id[0] || *ctr);
}

/* The pod and container of cgroup cg, memoised in cg until the pod cache changes. */
static void lookup(struct agent *a, struct cg_entry *cg)
{
	uint64_t gen;

	if (!a->k8s.pods)
		return;
	gen = pod_cache__gen(a->k8s.pods) + 1;

	if (cg->k8s_gen == gen)
		return;
	find(a->k8s.pods, cg->id.pod ? cg->id.pod_uid : "",
	     cg->id.container ? cg->id.container_id : "", &cg->k8s_pod, &cg->k8s_ctr);
	cg->k8s_gen = gen;
}

void agent_k8s_lookup(struct agent *a, struct cg_entry *cg)
{
	lookup(a, cg);
}

static void container_object(struct json_w *w, const struct cg_entry *cg,
			     const struct k8s_container *ctr, struct k8s_marks *m)
{
	json_key(w, "container");
	json_obj_begin(w);
	json_kstr(w, "id", cg->id.container_id);
	json_kstr(w, "runtime", cg_runtime_name(cg->id.runtime));
	if (ctr)
		json_members_raw(w, ctr->json, ctr->json_len);
	else if (m)
		m->ctr_at = w->len;
	json_obj_end(w);
}

static void pod_object(struct json_w *w, const struct cg_entry *cg, const struct k8s_pod *pod,
		       struct k8s_marks *m)
{
	json_key(w, "pod");
	json_obj_begin(w);
	json_kstr(w, "uid", cg->id.pod ? cg->id.pod_uid : pod->uid);
	json_kstr(w, "qos", cg_qos_name(cg->id.qos));
	if (pod)
		json_members_raw(w, pod->json, pod->json_len);
	else if (m)
		m->pod_at = w->len;
	json_obj_end(w);
}

static const char *attribution(struct agent *a, struct cg_entry *cg, bool *pending)
{
	*pending = false;
	if (!cg)
		return "unknown";
	if (!cg->id.container && !cg->id.pod)
		return "host";
	if (!a->k8s.pods)
		return "cgroup";
	lookup(a, cg);
	if (cg->k8s_pod && (!cg->id.container || cg->k8s_ctr))
		return "complete";
	/* only the API can still deliver what is missing; a static file is complete */
	if (a->k8s.watch && cg->id.pod) {
		*pending = true;
		return "pending";
	}
	return cg->k8s_pod ? "complete" : "cgroup";
}

void agent_k8s_members(struct agent *a, struct cg_entry *cg)
{
	struct json_w *w = &a->json;
	struct k8s_marks *m = &a->k8s.mark;
	bool pending;
	const char *status = attribution(a, cg, &pending);
	const struct k8s_pod *pod = cg && a->k8s.pods ? cg->k8s_pod : NULL;
	const struct k8s_container *ctr = pod ? cg->k8s_ctr : NULL;

	memset(m, 0, offsetof(struct k8s_marks, pod_uid));
	m->ctr_at = m->pod_at = K8S_HOLD_NONE;
	a->k8s.cur_pod = pod;
	if (cg && cg->id.container)
		container_object(w, cg, ctr, pending ? m : NULL);
	if (cg && (cg->id.pod || (pod && !pod->standalone)))
		pod_object(w, cg, pod, pending ? m : NULL);
	json_key(w, "attribution");
	m->attr_at = w->len + 1; /* past the opening quote */
	json_str(w, status);
	if (pending && a->cfg.k8s_hold_ns) {
		m->active = true;
		strcpy(m->pod_uid, cg->id.pod_uid);
		strcpy(m->ctr_id, cg->id.container ? cg->id.container_id : "");
	}
}

bool agent_k8s_hold_line(struct agent *a, int type, uint64_t dedup)
{
	struct k8s_marks *m = &a->k8s.mark;
	struct json_w *w = &a->json;

	if (!m->active)
		return false;
	m->active = false;
	if (w->err)
		return false;
	m->time_ns = a->line_time_ns;
	m->dedup = dedup;
	return k8s_hold__push(a->k8s.hold, w->buf, w->len, m, type,
			      agent_boot_ns() + a->cfg.k8s_hold_ns) == 0;
}

static bool held_ready(void *ctx, const struct k8s_held *e)
{
	struct agent *a = ctx;
	const struct k8s_pod *pod;
	const struct k8s_container *ctr;

	return find(a->k8s.pods, e->m.pod_uid, e->m.ctr_id, &pod, &ctr);
}

/* Append n bytes to the line being assembled in a->k8s.line (sized for the worst case). */
static void put(struct agent *a, const char *s, size_t n)
{
	memcpy(a->k8s.line + a->k8s.line_len, s, n);
	a->k8s.line_len += n;
}

/* Write a held line with what the cache knows now spliced in. */
static void held_emit(void *ctx, const struct k8s_held *e, bool resolved)
{
	struct agent *a = ctx;
	const struct k8s_pod *pod;
	const struct k8s_container *ctr;
	const char *l = e->line;
	size_t at = 0, need;

	find(a->k8s.pods, e->m.pod_uid, e->m.ctr_id, &pod, &ctr);
	need = e->len + 16 + (ctr ? ctr->json_len : 0) + (pod ? pod->json_len : 0);
	if (need > a->k8s.line_cap) {
		char *n = realloc(a->k8s.line, need);

		if (!n) {
			a->cnt.output_errors++;
			return;
		}
		a->k8s.line = n, a->k8s.line_cap = need;
	}
	a->k8s.line_len = 0;
	if (ctr && e->m.ctr_at != K8S_HOLD_NONE) {
		put(a, l, e->m.ctr_at);
		put(a, ",", 1);
		put(a, ctr->json, ctr->json_len);
		at = e->m.ctr_at;
	}
	if (pod && e->m.pod_at != K8S_HOLD_NONE) {
		put(a, l + at, e->m.pod_at - at);
		put(a, ",", 1);
		put(a, pod->json, pod->json_len);
		at = e->m.pod_at;
	}
	if (resolved) {
		put(a, l + at, e->m.attr_at - at);
		put(a, "complete", 8);
		at = e->m.attr_at + strlen("pending");
	}
	put(a, l + at, e->len - at);
	agent_outputs_line(a, OUT_EVENT, e->type, 6, e->m.time_ns, a->k8s.line, a->k8s.line_len,
			   e->m.dedup);
	put(a, "\n", 1);
	if (a->cfg.stdout_events &&
	    fwrite(a->k8s.line, 1, a->k8s.line_len, a->out) != a->k8s.line_len)
		a->cnt.output_errors++;
	else if (e->type > 0 && e->type < VG_EV_MAX)
		a->cnt.written[e->type]++;
}

static void apply(void *ctx, enum k8s_op op, struct k8s_pod *pod)
{
	struct agent *a = ctx;

	switch (op) {
	case K8S_UPSERT:
		agent_enforce_pod(a, pod, false);
		if (pod_cache__upsert(a->k8s.pods, pod))
			log_warn("kubernetes: out of memory caching a pod");
		return;
	case K8S_DELETE:
		agent_enforce_pod(a, pod, true);
		pod_cache__delete(a->k8s.pods, pod->uid);
		break;
	case K8S_RESYNC_BEGIN:
		pod_cache__resync_begin(a->k8s.pods);
		break;
	case K8S_RESYNC_END:
		pod_cache__resync_end(a->k8s.pods);
		break;
	}
	k8s_pod__free(pod);
}

static void log_synced(struct agent *a)
{
	struct k8s_watch_stats ws;
	struct pod_cache_stats ps;

	k8s_watch__stats(a->k8s.watch, &ws);
	if (!ws.synced || a->k8s.synced_logged)
		return;
	a->k8s.synced_logged = true;
	pod_cache__stats(a->k8s.pods, &ps);
	log_info("kubernetes: %llu pods of node %s cached, %.0f ms after start",
		 (unsigned long long)ps.pods, a->cfg.node,
		 (ws.synced_ns - a->started_boot_ns) / 1e6);
}

void agent_k8s_poll(struct agent *a)
{
	int n = 0;

	if (a->k8s.watch) {
		n = k8s_watch__drain(a->k8s.watch, DRAIN_BATCH, apply, a);
		if (n > 0)
			log_synced(a);
	}
	if (a->k8s.hold && !k8s_hold__empty(a->k8s.hold))
		k8s_hold__release(a->k8s.hold, agent_boot_ns(), n > 0 ? held_ready : NULL,
				  held_emit, a);
}

static int start_api(struct agent *a)
{
	struct k8s_config kc;
	char err[1024] = "";
	int rc;

	rc = k8s_config__discover(&kc, a->cfg.kubeconfig[0] ? a->cfg.kubeconfig : NULL,
				  K8S_SA_DIR, err, sizeof(err));
	if (rc) {
		log_error("kubernetes: %s; running without Kubernetes metadata", err);
		k8s_config__free(&kc);
		return a->cfg.kubeconfig[0] ? rc : 0; /* an explicit --kubeconfig must work */
	}
	if (kc.source == K8S_NONE) {
		log_info("kubernetes: no kubeconfig and not in a cluster; events carry cgroup "
			 "attribution only");
		k8s_config__free(&kc);
		return 0;
	}
	snprintf(kc.node, sizeof(kc.node), "%s", a->cfg.node); /* --node wins */
	if (kc.insecure)
		log_warn("kubernetes: %s: insecure-skip-tls-verify: the API server's certificate is "
			 "not verified", kc.origin);
	rc = k8s_watch__start(&a->k8s.watch, &kc);
	if (rc)
		log_error("kubernetes: cannot start the pod watcher: %s", strerror(-rc));
	k8s_config__free(&kc);
	return rc;
}

int agent_k8s_start(struct agent *a)
{
	char err[1024] = "";
	int rc;

	if (!a->cfg.k8s_api && !a->cfg.metadata_file[0])
		return 0;
	a->k8s.pods = pod_cache__new(a->cfg.pod_cache_entries, a->cfg.pod_cache_bytes);
	a->k8s.hold = k8s_hold__new(a->cfg.k8s_hold_entries, a->cfg.k8s_hold_bytes);
	if (!a->k8s.pods || !a->k8s.hold)
		return -ENOMEM;
	if (a->cfg.metadata_file[0]) {
		rc = k8s_meta__load(a->cfg.metadata_file, a->k8s.pods, err, sizeof(err));
		if (rc < 0) {
			log_error("--metadata %s", err);
			return rc;
		}
		log_info("metadata: %d pods and container groups from %s", rc,
			 a->cfg.metadata_file);
	}
	if (a->cfg.k8s_api && (rc = start_api(a)))
		return rc;
	if (!a->k8s.watch && !a->cfg.metadata_file[0]) {
		/* nothing will ever fill the cache: keep the cgroup-only attribution */
		pod_cache__free(a->k8s.pods);
		a->k8s.pods = NULL;
	}
	return 0;
}

void agent_k8s_flush(struct agent *a)
{
	if (a->k8s.watch)
		k8s_watch__drain(a->k8s.watch, INT32_MAX, apply, a);
	if (a->k8s.hold)
		k8s_hold__release(a->k8s.hold, UINT64_MAX, a->k8s.pods ? held_ready : NULL,
				  held_emit, a);
}

void agent_k8s_stop(struct agent *a)
{
	if (a->k8s.watch)
		k8s_watch__stop(a->k8s.watch);
	a->k8s.watch = NULL;
	agent_k8s_flush(a);
	k8s_hold__free(a->k8s.hold);
	a->k8s.hold = NULL;
	pod_cache__free(a->k8s.pods);
	a->k8s.pods = NULL;
	free(a->k8s.line);
	a->k8s.line = NULL;
	a->k8s.line_len = a->k8s.line_cap = 0;
}

void agent_k8s_stats(struct agent *a)
{
	struct json_w *w = &a->json;
	struct pod_cache_stats ps;
	struct k8s_hold_stats hs;
	struct k8s_watch_stats ws;

	if (!a->k8s.pods)
		return;
	pod_cache__stats(a->k8s.pods, &ps);
	k8s_hold__stats(a->k8s.hold, &hs);
	json_key(w, "kubernetes");
	json_obj_begin(w);
	json_kstr(w, "source", a->k8s.watch ? "api" : "static");
	json_ku64(w, "pods", ps.pods);
	json_ku64(w, "containers", ps.containers);
	json_ku64(w, "bytes", ps.bytes);
	json_ku64(w, "capacity", ps.capacity);
	json_ku64(w, "upserts", ps.upserts);
	json_ku64(w, "deletes", ps.deletes);
	json_ku64(w, "evictions", ps.evictions);
	json_ku64(w, "resync_removed", ps.resync_removed);
	json_key(w, "hold");
	json_obj_begin(w);
	json_ku64(w, "held", hs.held);
	json_ku64(w, "total", hs.total);
	json_ku64(w, "resolved", hs.resolved);
	json_ku64(w, "expired", hs.expired);
	json_ku64(w, "overflow", hs.overflow);
	json_obj_end(w);
	if (a->k8s.watch) {
		k8s_watch__stats(a->k8s.watch, &ws);
		json_key(w, "api");
		json_obj_begin(w);
		json_kbool(w, "synced", ws.synced != 0);
		json_ku64(w, "lists", ws.lists);
		json_ku64(w, "watches", ws.watches);
		json_ku64(w, "events", ws.events);
		json_ku64(w, "bookmarks", ws.bookmarks);
		json_ku64(w, "relists_410", ws.relists_410);
		json_ku64(w, "errors", ws.errors);
		json_ku64(w, "parse_errors", ws.parse_errors);
		json_ku64(w, "reconnects", ws.reconnects);
		json_obj_end(w);
	}
	json_obj_end(w);
}
