// SPDX-License-Identifier: Apache-2.0
/*
 * Stats record -> Prometheus text: the agent, event, kernel, drop, rule, BPF program, cache
 * and Kubernetes families (outputs, store, enforcement and pods: metrics_outputs.c). Every
 * member is optional: what the record lacks is left out, never an error.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "metrics_int.h"

#define STATS_JSON_DEPTH 32

static void render_agent(struct mw *w, json_object *root)
{
	json_object *ag = mj_obj(root, "agent"), *schema;
	struct mlabel sl = ML("schema", VIGIL_SCHEMA);
	double user, sys, up, now;
	uint64_t n;

	if (root && json_object_object_get_ex(root, "schema", &schema))
		mj_label(schema, "schema", &sl);
	mw__begin(w, MF_BUILD_INFO);
	mw__u64(w, 1, MLS(ML("version", VIGIL_VERSION), sl));
	if (!ag)
		return;
	mw__begin(w, MF_UPTIME);
	if (mj_kdbl(ag, "uptime_s", &up)) {
		mw__f64(w, up, NULL, 0);
		mw__begin(w, MF_START_TIME);
		if (mj_ktime(root, "time", &now))
			mw__f64(w, now - up, NULL, 0);
	}
	mw__begin(w, MF_CPU);
	if (mj_kdbl(ag, "cpu_user_s", &user) && mj_kdbl(ag, "cpu_system_s", &sys))
		mw__f64(w, user + sys, NULL, 0);
	mw__begin(w, MF_RSS);
	if (mj_ku64(ag, "rss_bytes", &n))
		mw__u64(w, n, NULL, 0);
	mw__begin(w, MF_RSS_PEAK);
	if (mj_ku64(ag, "rss_peak_bytes", &n))
		mw__u64(w, n, NULL, 0);
}

void metrics_render_one(struct mw *w, enum mfam fam, json_object *o, const char *key)
{
	uint64_t n;

	mw__begin(w, fam);
	if (mj_ku64(o, key, &n))
		mw__u64(w, n, NULL, 0);
}

static void render_kernel(struct mw *w, json_object *root)
{
	json_object *k = mj_obj(root, "kernel"), *f = mj_obj(k, "filtered");
	uint64_t n;

	mw__begin(w, MF_K_SEEN);
	mw__by_key(w, mj_obj(k, "seen"), "type");
	mw__begin(w, MF_K_EMITTED);
	mw__by_key(w, mj_obj(k, "emitted"), "type");
	mw__begin(w, MF_K_FILTERED);
	if (f) {
		json_object_object_foreach(f, reason, types) {
			if (!json_object_is_type(types, json_type_object))
				continue;
			json_object_object_foreach(types, type, val)
				if (mj_u64(val, &n))
					mw__u64(w, n, MLS(ML("reason", reason), ML("type", type)));
		}
	}
	mw__begin(w, MF_K_DROPPED);
	mw__by_key(w, mj_obj(mj_obj(root, "drops"), "ringbuf_full"), "type");
	metrics_render_one(w, MF_K_STASH_MISS, k, "stash_miss");
	metrics_render_one(w, MF_K_THREADS_SKIPPED, k, "threads_skipped");
	metrics_render_one(w, MF_K_TABLE_FULL, k, "proc_table_full");
}

static void drop(struct mw *w, const char *stage, const char *reason, uint64_t n)
{
	mw__u64(w, n, MLS(ML("stage", stage), ML("reason", reason)));
}

static void drop_key(struct mw *w, json_object *o, const char *key, const char *stage)
{
	uint64_t n;

	if (mj_ku64(o, key, &n))
		drop(w, stage, key, n);
}

/* A sink's drops: queue_full summed over record kinds (by kind: vigil_output_dropped_total). */
static void sink_drops(struct mw *w, const char *name, json_object *out)
{
	json_object *d = mj_obj(out, "dropped"), *v;
	char stage[160];

	if (!d)
		return;
	snprintf(stage, sizeof(stage), "sink:%s", name);
	json_object_object_foreach(d, reason, val) {
		uint64_t n = 0;

		v = val;
		if (json_object_is_type(v, json_type_object))
			n = mj_sum(v);
		else if (!mj_u64(v, &n))
			continue;
		drop(w, stage, reason, n);
	}
}

static void render_drops(struct mw *w, json_object *root)
{
	json_object *d = mj_obj(root, "drops"), *rb = mj_obj(d, "ringbuf_full");
	json_object *filt = mj_obj(mj_obj(root, "kernel"), "filtered");
	json_object *rules = mj_obj(root, "rules"), *outs = mj_obj(root, "outputs");

	mw__begin(w, MF_DROPS);
	if (rb)
		drop(w, "kernel_ringbuf", "ringbuf_full", mj_sum(rb));
	drop_key(w, d, "seq_gaps", "kernel_ringbuf");
	drop_key(w, d, "decode_error", "decode");
	drop_key(w, d, "output_error", "output");
	if (mj_obj(filt, "rules"))
		drop(w, "kernel_prefilter", "rules", mj_sum(mj_obj(filt, "rules")));
	drop_key(w, rules, "alerts_dropped", "rules");
	drop_key(w, rules, "alert_errors", "rules");
	if (outs) {
		json_object_object_foreach(outs, name, out)
			sink_drops(w, name, out);
	}
}

/* Per-rule families from rules.by_rule: {"<rule>": {"priority": .., "alerts": .., ...}}. */
static void render_by_rule(struct mw *w, json_object *by_rule, enum mfam fam, const char *key)
{
	json_object *prio;
	uint64_t n;

	mw__begin(w, fam);
	if (!by_rule)
		return;
	json_object_object_foreach(by_rule, rule, r) {
		struct mlabel pl = ML("priority", "");

		if (!mj_ku64(r, key, &n))
			continue;
		if (json_object_object_get_ex(r, "priority", &prio))
			mj_label(prio, "priority", &pl);
		mw__u64(w, n, MLS(ML("rule", rule), pl));
	}
}

static void render_rules(struct mw *w, json_object *root)
{
	json_object *r = mj_obj(root, "rules"), *by_rule = mj_obj(r, "by_rule");
	uint64_t n;

	mw__begin(w, MF_RULES_ACTIVE);
	if (mj_ku64(r, "active", &n))
		mw__u64(w, n, NULL, 0);
	metrics_render_one(w, MF_RULES_EVALUATED, r, "evaluated");
	metrics_render_one(w, MF_RULES_MONITORED, r, "monitored");
	mw__begin(w, MF_ALERTS);
	mw__by_key(w, mj_obj(r, "alerts"), "priority");
	render_by_rule(w, by_rule, MF_RULE_ALERTS, "alerts");
	render_by_rule(w, by_rule, MF_RULE_MONITORED, "monitored");
}

static void render_programs(struct mw *w, json_object *root)
{
	json_object *p = mj_obj(root, "programs");
	uint64_t n;

	if (!p)
		return;
	mw__begin(w, MF_PROG_RUN);
	json_object_object_foreach(p, prog, st)
		if (mj_ku64(st, "run_count", &n))
			mw__u64(w, n, MLS(ML("prog", prog)));
	mw__begin(w, MF_PROG_SECONDS);
	json_object_object_foreach(p, prog2, st2)
		if (mj_ku64(st2, "run_time_ns", &n))
			mw__f64(w, n / 1e9, MLS(ML("prog", prog2)));
}

/*
 * Caches: every member of "caches" (process, fd, cgroup, and any added later) with the common
 * keys, and the caches kept elsewhere in the record under their own keys.
 */
enum { C_ENTRIES, C_CAPACITY, C_BYTES, C_MAX_BYTES, C_EVICTIONS, C_HITS, C_MISSES, C_N };
static const enum mfam cache_fams[C_N] = { MF_CACHE_ENTRIES, MF_CACHE_CAPACITY, MF_CACHE_BYTES,
					    MF_CACHE_MAX_BYTES, MF_CACHE_EVICTIONS,
					    MF_CACHE_HITS, MF_CACHE_MISSES };
static const char *const cache_keys[C_N] = { "size", "capacity", "bytes", "max_bytes",
					     "evictions", "hits", "misses" };
static const struct other_cache {
	const char *label, *path[2];
	const char *keys[C_N];
} other_caches[] = {
	{ "pods", { "kubernetes" }, { "pods", "capacity", "bytes", NULL, "evictions" } },
	{ "k8s_hold", { "kubernetes", "hold" }, { "held" } },
	{ "names",
	  { "rules", "names" },
	  { NULL, "capacity", NULL, NULL, "evictions", "hits", "misses" } },
	{ "enforce_threshold", { "enforcement" },
	  { NULL, "threshold_capacity", NULL, NULL, "threshold_evictions" } },
};

static void render_caches(struct mw *w, json_object *root)
{
	json_object *caches = mj_obj(root, "caches");
	uint64_t n;

	for (int f = 0; f < C_N; f++) {
		mw__begin(w, cache_fams[f]);
		if (caches) {
			json_object_object_foreach(caches, name, c)
				if (mj_ku64(c, cache_keys[f], &n))
					mw__u64(w, n, MLS(ML("cache", name)));
		}
		for (size_t i = 0; i < sizeof(other_caches) / sizeof(other_caches[0]); i++) {
			const struct other_cache *oc = &other_caches[i];
			json_object *o = mj_obj(root, oc->path[0]);

			if (oc->path[1])
				o = mj_obj(o, oc->path[1]);
			if (oc->keys[f] && mj_ku64(o, oc->keys[f], &n))
				mw__u64(w, n, MLS(ML("cache", oc->label)));
		}
	}
}

static void render_k8s(struct mw *w, json_object *root)
{
	static const char *const api_errors[] = { "errors", "parse_errors", "relists_410",
						   "reconnects" };
	static const char *const hold[] = { "resolved", "expired", "overflow" };
	json_object *k = mj_obj(root, "kubernetes"), *api = mj_obj(k, "api");
	json_object *h = mj_obj(k, "hold");
	uint64_t n;

	metrics_render_one(w, MF_K8S_SYNCED, api, "synced");
	metrics_render_one(w, MF_K8S_API_EVENTS, api, "events");
	mw__begin(w, MF_K8S_API_ERRORS);
	for (size_t i = 0; i < sizeof(api_errors) / sizeof(api_errors[0]); i++)
		if (mj_ku64(api, api_errors[i], &n))
			mw__u64(w, n, MLS(ML("reason", api_errors[i])));
	mw__begin(w, MF_K8S_HOLD);
	for (size_t i = 0; i < sizeof(hold) / sizeof(hold[0]); i++)
		if (mj_ku64(h, hold[i], &n))
			mw__u64(w, n, MLS(ML("result", hold[i])));
}

/* Last, so it includes what this scrape cut. Only families that were ever cut appear. */
static void render_series_dropped(struct mw *w)
{
	uint64_t cut[MF_COUNT];

	memcpy(cut, w->st->series_dropped, sizeof(cut));
	mw__begin(w, MF_SERIES_DROPPED);
	for (int f = 0; f < MF_COUNT; f++)
		if (cut[f])
			mw__u64(w, cut[f], MLS(ML("family", mfam__name(f))));
}

static json_object *parse_stats(const char *s, size_t len)
{
	json_tokener *tok = json_tokener_new_ex(STATS_JSON_DEPTH);
	json_object *root;
	size_t end;

	if (!tok || len > INT32_MAX) {
		json_tokener_free(tok);
		return NULL;
	}
	root = json_tokener_parse_ex(tok, s, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (root && json_tokener_get_error(tok) == json_tokener_success)
		while (end < len && strchr(" \t\r\n", s[end]) && s[end])
			end++;
	if (!root || end != len || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	return root;
}

static void render_record(struct mw *w, json_object *root, const struct vg_metrics_cfg *cfg)
{
	mw__begin(w, MF_EV_RECEIVED);
	mw__by_key(w, mj_obj(root, "events"), "type");
	mw__begin(w, MF_EV_WRITTEN);
	mw__by_key(w, mj_obj(root, "written"), "type");
	mw__begin(w, MF_EV_FILTERED_USER);
	mw__by_key(w, mj_obj(root, "filtered_user"), "type");
	render_kernel(w, root);
	render_drops(w, root);
	render_rules(w, root);
	render_programs(w, root);
	render_caches(w, root);
	render_k8s(w, root);
	metrics_render_outputs(w, root);
	metrics_render_store(w, root);
	metrics_render_enforcement(w, root);
	if (cfg && cfg->per_pod)
		metrics_render_pods(w, root, cfg->per_pod_max);
}

int metrics_render(const char *stats_json, size_t len, const struct vg_metrics_cfg *cfg,
		   struct metrics_state *st, struct metrics_buf *out)
{
	struct metrics_state local = { { 0 } };
	struct mw w = { .b = out, .st = st ? st : &local };
	json_object *root = NULL;
	int rc = 0;

	if (stats_json && len) {
		root = parse_stats(stats_json, len);
		if (!root)
			rc = -EINVAL;
	}
	render_agent(&w, root);
	if (root)
		render_record(&w, root, cfg);
	render_series_dropped(&w);
	json_object_put(root);
	return out->err ? out->err : rc;
}
