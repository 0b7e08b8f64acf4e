// SPDX-License-Identifier: Apache-2.0
/* Stats record -> Prometheus text: outputs (sinks), the evidence store, enforcement, pods. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_int.h"

/* Families with one number per output, straight from outputs.<name>.<key>. */
static const struct {
	enum mfam fam;
	const char *key;
} out_plain[] = {
	{ MF_OUT_QUEUED, "queued" },
	{ MF_OUT_QUEUED_BYTES, "queued_bytes" },
	{ MF_OUT_SPILLED, "spilled" },
	{ MF_OUT_UNSPILLED, "unspilled" },
	{ MF_OUT_SPILL_PENDING, "spill_pending" }, /* -1 (unknown) is not a count: left out */
	{ MF_OUT_SPILL_ERRORS, "spill_errors" },
	{ MF_OUT_SEND_ERRORS, "send_errors" },
	{ MF_OUT_CONNECTS, "connects" },
	{ MF_OUT_BATCHES, "batches" },
};

/* outputs.<name>.dropped: {"queue_full": {"event": n, ...}, "rejected": n, "at_stop": n}. A
 * count not split by record kind gets kind="any". */
static void output_dropped(struct mw *w, const char *name, json_object *out)
{
	json_object *d = mj_obj(out, "dropped");
	uint64_t n;

	if (!d)
		return;
	json_object_object_foreach(d, reason, val) {
		if (json_object_is_type(val, json_type_object)) {
			json_object_object_foreach(val, kind, cnt)
				if (mj_u64(cnt, &n))
					mw__u64(w, n, MLS(ML("output", name), ML("reason", reason),
							  ML("kind", kind)));
		} else if (mj_u64(val, &n)) {
			mw__u64(w, n,
				MLS(ML("output", name), ML("reason", reason), ML("kind", "any")));
		}
	}
}

static void output_latency(struct mw *w, json_object *outs, enum mfam fam, const char *key)
{
	uint64_t ns;

	mw__begin(w, fam);
	json_object_object_foreach(outs, name, out)
		if (mj_ku64(mj_obj(out, "latency_ns"), key, &ns))
			mw__f64(w, ns / 1e9, MLS(ML("output", name)));
}

static void output_info(struct mw *w, json_object *outs)
{
	json_object *kind;
	struct mlabel kl;
	uint64_t n;

	mw__begin(w, MF_OUT_INFO);
	json_object_object_foreach(outs, name, out)
		if (json_object_object_get_ex(out, "kind", &kind) && mj_label(kind, "type", &kl))
			mw__u64(w, 1, MLS(ML("output", name), kl));
	mw__begin(w, MF_OUT_UP);
	json_object_object_foreach(outs, name2, out2)
		if (mj_ku64(out2, "up", &n))
			mw__u64(w, n != 0, MLS(ML("output", name2)));
}

void metrics_render_outputs(struct mw *w, json_object *root)
{
	json_object *outs = mj_obj(root, "outputs");
	uint64_t n;

	if (!outs)
		return;
	output_info(w, outs);
	mw__begin(w, MF_OUT_DELIVERED);
	json_object_object_foreach(outs, name, out) {
		json_object *del = mj_obj(out, "delivered");

		if (!del)
			continue;
		json_object_object_foreach(del, kind, cnt)
			if (mj_u64(cnt, &n))
				mw__u64(w, n, MLS(ML("output", name), ML("kind", kind)));
	}
	mw__begin(w, MF_OUT_DROPPED);
	json_object_object_foreach(outs, name2, out2)
		output_dropped(w, name2, out2);
	for (size_t i = 0; i < sizeof(out_plain) / sizeof(out_plain[0]); i++) {
		mw__begin(w, out_plain[i].fam);
		json_object_object_foreach(outs, name3, out3)
			if (mj_ku64(out3, out_plain[i].key, &n))
				mw__u64(w, n, MLS(ML("output", name3)));
	}
	output_latency(w, outs, MF_OUT_LATENCY, "last");
	output_latency(w, outs, MF_OUT_LATENCY_MAX, "max");
}

void metrics_render_store(struct mw *w, json_object *root)
{
	json_object *s = mj_obj(root, "store");
	uint64_t n;

	if (!s)
		return;
	metrics_render_one(w, MF_STORE_ROWS, s, "rows");
	metrics_render_one(w, MF_STORE_BYTES, s, "bytes");
	metrics_render_one(w, MF_STORE_INSERTED, s, "inserted");
	mw__begin(w, MF_STORE_DELETED);
	if (mj_ku64(s, "deleted_age", &n))
		mw__u64(w, n, MLS(ML("reason", "age")));
	if (mj_ku64(s, "deleted_size", &n))
		mw__u64(w, n, MLS(ML("reason", "size")));
	metrics_render_one(w, MF_STORE_ERRORS, s, "errors");
	metrics_render_one(w, MF_STORE_REPEATS, s, "repeats");
	metrics_render_one(w, MF_STORE_DEDUP_EVICTIONS, s, "dedup_evictions");
}

/* enforcement.by_rule: [{"rule", "decided", "acted", "dry_runs", "failed", "skipped"}]. */
static void enforcement_rules(struct mw *w, json_object *by_rule)
{
	static const char *const keys[] = { "acted", "dry_runs", "failed", "skipped" };
	static const char *const results[] = { "acted", "dry_run", "failed", "skipped" };
	size_t nr = json_object_array_length(by_rule);

	mw__begin(w, MF_ENF_RULE_ACTIONS);
	for (size_t i = 0; i < nr; i++) {
		json_object *r = json_object_array_get_idx(by_rule, i), *v;
		struct mlabel rl, dl = ML("decided", "");
		uint64_t n;

		if (!json_object_object_get_ex(r, "rule", &v) || !mj_label(v, "rule", &rl))
			continue;
		if (json_object_object_get_ex(r, "decided", &v))
			mj_label(v, "decided", &dl);
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (mj_ku64(r, keys[k], &n))
				mw__u64(w, n, MLS(rl, dl, ML("result", results[k])));
	}
}

void metrics_render_enforcement(struct mw *w, json_object *root)
{
	json_object *e = mj_obj(root, "enforcement"), *by_rule;
	uint64_t all, kern, n;

	if (!e)
		return;
	mw__begin(w, MF_ENF_RULES);
	if (mj_ku64(e, "rules", &all) && mj_ku64(e, "kernel_rules", &kern) && kern <= all) {
		mw__u64(w, kern, MLS(ML("decided", "kernel")));
		mw__u64(w, all - kern, MLS(ML("decided", "user")));
	}
	mw__begin(w, MF_ENF_DOOMED);
	if (mj_ku64(e, "doomed", &n))
		mw__u64(w, n, NULL, 0);
	mw__begin(w, MF_ENF_KILLS);
	if (mj_ku64(e, "kernel_kills_doomed", &n))
		mw__u64(w, n, MLS(ML("by", "kernel")));
	if (mj_ku64(e, "pidfd_kills", &n))
		mw__u64(w, n, MLS(ML("by", "pidfd")));
	mw__begin(w, MF_ENF_QUARANTINES);
	if (mj_ku64(e, "quarantines", &n))
		mw__u64(w, n, NULL, 0);
	mw__begin(w, MF_ENF_KREPORTS);
	if (mj_ku64(e, "kernel_reports", &n))
		mw__u64(w, n, NULL, 0);
	if (json_object_object_get_ex(e, "by_rule", &by_rule) &&
	    json_object_is_type(by_rule, json_type_array))
		enforcement_rules(w, by_rule);
}

struct pod_row {
	const char *key; /* "<namespace>/<pod>" */
	uint64_t events, alerts;
};

/* Pods with alerts first, then the busiest, then by name: the ones worth a series of their
 * own. */
static int pod_row__cmp(const void *pa, const void *pb)
{
	const struct pod_row *a = pa, *b = pb;

	if (a->alerts != b->alerts)
		return a->alerts > b->alerts ? -1 : 1;
	if (a->events != b->events)
		return a->events > b->events ? -1 : 1;
	return strcmp(a->key, b->key);
}

static void pod_series(struct mw *w, const struct pod_row *r, uint64_t v)
{
	const char *slash = strchr(r->key, '/');
	struct mlabel ns = { "namespace", r->key, slash ? (size_t)(slash - r->key) : 0 };

	mw__u64(w, v, MLS(ns, ML("pod", slash ? slash + 1 : r->key)));
}

/* The first max rows get their own series; the rest are summed into pod="_other". */
static void pod_family(struct mw *w, enum mfam fam, const struct pod_row *rows, size_t n,
		       unsigned max, bool alerts)
{
	uint64_t other = 0;

	mw__begin(w, fam);
	for (size_t i = 0; i < n; i++) {
		uint64_t v = alerts ? rows[i].alerts : rows[i].events;

		if (i < max)
			pod_series(w, &rows[i], v);
		else
			other += v;
	}
	if (n > max)
		mw__u64(w, other, MLS(ML("namespace", "_other"), ML("pod", "_other")));
}

void metrics_render_pods(struct mw *w, json_object *root, unsigned max)
{
	json_object *pods = mj_obj(root, "pods");
	struct pod_row *rows;
	size_t n = 0;
	uint64_t ov;

	mw__begin(w, MF_PODS_OVERFLOW);
	if (mj_ku64(root, "pods_overflow", &ov))
		mw__u64(w, ov, NULL, 0);
	if (!pods || !json_object_object_length(pods))
		return;
	rows = calloc((size_t)json_object_object_length(pods), sizeof(*rows));
	if (!rows)
		return;
	json_object_object_foreach(pods, key, p) {
		if (!json_object_is_type(p, json_type_object))
			continue;
		rows[n].key = key;
		mj_ku64(p, "events", &rows[n].events);
		mj_ku64(p, "alerts", &rows[n].alerts);
		n++;
	}
	qsort(rows, n, sizeof(*rows), pod_row__cmp);
	pod_family(w, MF_POD_EVENTS, rows, n, max, false);
	pod_family(w, MF_POD_ALERTS, rows, n, max, true);
	free(rows);
}
