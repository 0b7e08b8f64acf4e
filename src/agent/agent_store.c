/* SPDX-License-Identifier: Apache-2.0 */
/* The evidence store (store.h) as the agent's first sink, and its part of the stats. */
#include <errno.h>
#include <stdio.h>

#include "agent.h"
#include "log.h"
#include "outputs.h"
#include "store.h"

/* Fingerprints the dedup table holds: 16 bytes each, 256 KiB. A node's distinct events per
 * window rarely exceed this; beyond it the table forgets, counted, and stores repeats again. */
#define DEDUP_SLOTS 16384

int agent_store_start(struct agent *a)
{
	const struct vg_store_cfg *c = &a->cfg.store;
	struct sink_opts so = {
		.name = "store",
		.kinds = OUT_KIND_MASK(OUT_ALERT) | (c->events ? OUT_KIND_MASK(OUT_EVENT) : 0),
		.min_prio = 7,
		.queue_entries = c->queue_entries,
		.queue_bytes = 32u << 20, /* RSS bound while the store falls behind a storm */
		.max_batch = 2048,
	};
	struct agent_outputs *out = &a->outs;
	struct sink *s;
	char err[512] = "";
	struct store *st;

	if (!c->enabled) {
		log_info("store: off");
		return 0;
	}
	/* A node agent that cannot keep evidence still detects and forwards: run on, loudly. */
	if (!(st = store__open(c, err, sizeof(err)))) {
		log_error("store: %s; running without the evidence store", err);
		return 0;
	}
	if (c->events && store_dedup__init(&out->dedup, DEDUP_SLOTS, c->dedup_window_s * NS_PER_S))
		return -ENOMEM;
	if (!(s = sink__new(&so, &store_sink_ops, st)))
		return -ENOMEM;
	if (sink__start(s)) {
		sink__free(s);
		return -EAGAIN;
	}
	out->sinks[out->n++] = s;
	out->kinds |= so.kinds;
	out->store = st;
	log_info("store: %s (%s; keep %llu s, %llu MiB; repeats of an event within %llu s kept "
		 "once)",
		 c->path, c->events ? "events and alerts" : "alerts", (unsigned long long)c->max_age_s,
		 (unsigned long long)(c->max_bytes >> 20), (unsigned long long)c->dedup_window_s);
	return 0;
}

const struct sink_spill_ops *agent_store_spill(struct agent *a)
{
	return a->outs.store ? store__spill_ops(a->outs.store) : NULL;
}

void agent_store_stats(struct agent *a)
{
	struct json_w *w = &a->json;
	struct store_stats ss;

	if (!a->outs.store)
		return;
	store__stats(a->outs.store, &ss);
	json_key(w, "store");
	json_obj_begin(w);
	json_kstr(w, "path", a->cfg.store.path);
	json_ku64(w, "rows", ss.rows);
	json_ku64(w, "bytes", ss.bytes);
	json_ku64(w, "file_bytes", ss.file_bytes);
	json_ku64(w, "inserted", ss.inserted);
	json_ku64(w, "deleted_age", ss.deleted_age);
	json_ku64(w, "deleted_size", ss.deleted_size);
	json_ku64(w, "errors", ss.errors);
	json_ku64(w, "batches", ss.batches);
	json_ku64(w, "repeats", a->outs.dedup.repeats);
	json_ku64(w, "dedup_evictions", a->outs.dedup.evictions);
	json_obj_end(w);
}
