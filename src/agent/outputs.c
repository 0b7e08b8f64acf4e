/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's outputs beyond stdout: the evidence store and the configured forwarders, each a
 * sink (sink.h) with its own thread. The main thread hands every finished line here once;
 * each sink copies what it takes into its bounded queue, so intake never waits on a peer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "log.h"
#include "outputs.h"
#include "sink_file.h"
#include "sink_http.h"
#include "sink_syslog.h"

#define STOP_DRAIN_MS 2000 /* how long a forwarder may still deliver at stop */

static const char *const type_names[] = {
	[VG_OUT_FILE] = "file", [VG_OUT_SYSLOG] = "syslog", [VG_OUT_HTTP] = "http",
};

static void *make_impl(const struct agent *a, const struct vg_output *o, char *err,
		       size_t errsz)
{
	(void)a;
	switch (o->type) {
	case VG_OUT_FILE:
		return sink_file__new(o, err, errsz);
	case VG_OUT_HTTP:
		return sink_http__new(o, a->cfg.node, err, errsz);
	case VG_OUT_SYSLOG:
		return sink_syslog__new(o, a->cfg.node, err, errsz);
	default:
		snprintf(err, errsz, "output %s: type %d is not supported", o->name, o->type);
		return NULL;
	}
}

const struct sink_ops *outputs_ops_of(int type)
{
	switch (type) {
	case VG_OUT_FILE: return &sink_file_ops;
	case VG_OUT_HTTP: return &sink_http_ops;
	case VG_OUT_SYSLOG: return &sink_syslog_ops;
	default: return NULL;
	}
}

static int add_sink_started(struct agent *a, struct sink *s, unsigned kinds)
{
	struct agent_outputs *out = &a->outs;
	int err;

	if ((err = sink__start(s))) {
		sink__free(s);
		return err;
	}
	out->sinks[out->n++] = s;
	out->kinds |= kinds;
	return 0;
}

/* A forwarder's sink, not started; NULL with the reason logged. */
struct sink *outputs_make_sink(struct agent *a, const struct vg_output *o)
{
	struct sink_opts so = {
		.kinds = o->kinds,
		.min_prio = o->min_prio,
		.queue_entries = o->queue_entries,
		.backoff_max_ms = o->backoff_max_ms,
		.spill = agent_store_spill(a),
	};
	char err[512] = "";
	void *impl = make_impl(a, o, err, sizeof(err));

	if (!impl) {
		log_error("%s", err);
		return NULL;
	}
	snprintf(so.name, sizeof(so.name), "%s", o->name);
	log_info("output %s: %s %s, %s%s%s", o->name, o->type < 4 ? type_names[o->type] : "?",
		 o->address[0] ? o->address : o->path,
		 o->kinds & OUT_KIND_MASK(OUT_ALERT) ? "alerts" : "",
		 o->kinds & OUT_KIND_MASK(OUT_EVENT) ? " events" : "",
		 o->kinds & OUT_KIND_MASK(OUT_STATS) ? " stats" : "");
	return sink__new(&so, outputs_ops_of(o->type), impl);
}

static int add_forwarder(struct agent *a, const struct vg_output *o)
{
	struct sink *s = outputs_make_sink(a, o);

	if (!s)
		return -EINVAL;
	return add_sink_started(a, s, o->kinds);
}

int agent_outputs_start(struct agent *a)
{
	int err;

	if ((err = agent_store_start(a)))
		return err;
	for (unsigned i = 0; i < a->cfg.noutputs; i++)
		if ((err = add_forwarder(a, &a->cfg.outputs[i])))
			return err;
	return 0;
}

void agent_outputs_line(struct agent *a, int kind, int type, int prio, uint64_t time_ns,
			const char *line, size_t len, uint64_t dedup)
{
	struct agent_outputs *out = &a->outs;

	if (!(out->kinds & OUT_KIND_MASK(kind)))
		return;
	for (unsigned i = 0; i < out->n; i++) {
		bool store = out->store && i == 0; /* the store is sinks[0] when there is one */

		if (store && dedup == STORE_DEDUP_REPEAT)
			continue;
		if (sink__offer_line(out->sinks[i], kind, type, prio, time_ns, line, len) && store)
			store_dedup__forget(&out->dedup, dedup);
	}
}

uint64_t agent_outputs_dedup(struct agent *a, const char *body, size_t len, uint64_t time_ns)
{
	if (!a->outs.store)
		return STORE_DEDUP_OFF;
	return store_dedup__check(&a->outs.dedup, body, len, time_ns);
}

/* Stop them all at once, then wait: each drains in parallel, so the agent's exit takes the
 * longest drain, not their sum. The store goes last: the others spill into it. */
void agent_outputs_stop(struct agent *a)
{
	struct agent_outputs *out = &a->outs;

	if (out->retiring) /* sinks a reload removed may still spill into the store */
		pthread_join(out->retirer, NULL);
	out->retiring = false;
	/* forwarders first: their drain ends in deliveries or spills into the store */
	for (unsigned i = out->store ? 1 : 0; i < out->n; i++)
		sink__request_stop(out->sinks[i], STOP_DRAIN_MS);
	for (unsigned i = out->n; i-- > 0;)
		sink__stop(out->sinks[i], 5 * STOP_DRAIN_MS);
	out->kinds = 0; /* nothing more is offered; the counters stay readable */
}

void agent_outputs_free(struct agent *a)
{
	struct agent_outputs *out = &a->outs;

	agent_outputs_stop(a);
	for (unsigned i = out->n; i-- > 0;) /* the store last: the others spill into it */
		sink__free(out->sinks[i]);
	out->n = 0;
	out->store = NULL;
	store_dedup__free(&out->dedup);
}

static void kinds3(struct json_w *w, const char *key, const uint64_t v[3])
{
	json_key(w, key);
	json_obj_begin(w);
	json_ku64(w, "event", v[OUT_EVENT]);
	json_ku64(w, "alert", v[OUT_ALERT]);
	json_ku64(w, "stats", v[OUT_STATS]);
	json_obj_end(w);
}

static void sink_object(struct json_w *w, struct sink *s)
{
	struct sink_stats st;

	sink__stats(s, &st);
	json_key(w, sink__name(s));
	json_obj_begin(w);
	json_kstr(w, "kind", sink__kind(s));
	json_kbool(w, "up", st.up);
	json_ku64(w, "queued", st.queued_now);
	json_ku64(w, "queued_bytes", st.queued_bytes_now);
	kinds3(w, "delivered", st.delivered);
	json_key(w, "dropped");
	json_obj_begin(w);
	kinds3(w, "queue_full", st.dropped_queue_full);
	json_ku64(w, "rejected", st.dropped_rejected);
	json_ku64(w, "at_stop", st.dropped_at_stop);
	json_obj_end(w);
	json_ku64(w, "spilled", st.spilled);
	json_ku64(w, "unspilled", st.unspilled);
	json_ki64(w, "spill_pending", st.spill_pending);
	json_ku64(w, "spill_errors", st.spill_errors);
	json_ku64(w, "send_errors", st.send_errors);
	json_ku64(w, "connects", st.connects);
	json_ku64(w, "batches", st.batches);
	json_key(w, "latency_ns");
	json_obj_begin(w);
	json_ku64(w, "last", st.last_latency_ns);
	json_ku64(w, "max", st.max_latency_ns);
	json_obj_end(w);
	json_kstr(w, "last_error", st.last_error);
	json_obj_end(w);
}

/* The "outputs" object of the stats record (docs/events.md), and the store's. */
void agent_outputs_stats(struct agent *a)
{
	struct json_w *w = &a->json;

	json_key(w, "outputs");
	json_obj_begin(w);
	for (unsigned i = 0; i < a->outs.n; i++)
		sink_object(w, a->outs.sinks[i]);
	json_obj_end(w);
	agent_store_stats(a);
}
