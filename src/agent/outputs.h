/* SPDX-License-Identifier: Apache-2.0 */
/* The agent's sinks (outputs.c): the evidence store and the configured forwarders. */
#ifndef VIGIL_OUTPUTS_H
#define VIGIL_OUTPUTS_H

#include <pthread.h>
#include <stdbool.h>

#include "config.h"
#include "sink.h"
#include "store_dedup.h"

struct store;

struct agent_outputs {
	struct sink *sinks[VG_OUTPUTS_MAX + 1]; /* the store first, when there is one */
	unsigned n;
	unsigned kinds; /* OUT_KIND_MASK()s some sink takes: nothing to do for the others */
	struct store *store; /* owned by sinks[0] */
	struct store_dedup dedup; /* repeats the store skips (store_dedup.h) */
	pthread_t retirer; /* stops the sinks a reload removed (they drain meanwhile) */
	bool retiring;
};

/* A reload's outputs, built before anything is swapped (reload.c). */
struct outputs_plan {
	struct sink *sinks[VG_OUTPUTS_MAX + 1]; /* the new list: kept and fresh ones */
	bool fresh[VG_OUTPUTS_MAX + 1]; /* created for this reload, not started yet */
	unsigned n, kinds;
	struct sink *retire[VG_OUTPUTS_MAX + 1];
	unsigned nretire;
};

struct agent;

/* Open the store and start every sink; an output that cannot be set up is an error. */
int agent_outputs_start(struct agent *a);
/* Offer one finished line (without its newline) to every sink. `dedup` is what
 * agent_outputs_dedup said of it (STORE_DEDUP_OFF for alerts and stats): a repeat goes to
 * every sink but the store. */
void agent_outputs_line(struct agent *a, int kind, int type, int prio, uint64_t time_ns,
			const char *line, size_t len, uint64_t dedup);
/* store_dedup__check for an event whose line body (after the header) is `body`;
 * STORE_DEDUP_OFF without a store, or with its dedup window 0. */
uint64_t agent_outputs_dedup(struct agent *a, const char *body, size_t len, uint64_t time_ns);
/* Deliver what is queued (bounded wait), spill the alerts left, stop the threads; their
 * counters stay for the final stats record. free: then release them. */
void agent_outputs_stop(struct agent *a);
void agent_outputs_free(struct agent *a);
/* The "outputs" and "store" members of the stats record. */
void agent_outputs_stats(struct agent *a);
/* Reload: plan nc's forwarders (an unchanged one is kept, with its queue), then commit
 * (start the fresh ones, swap, let the removed ones drain in the background) or discard. */
int agent_outputs_plan(struct agent *a, const struct vg_config *nc, struct outputs_plan *p);
void agent_outputs_commit(struct agent *a, struct outputs_plan *p);
void agent_outputs_plan_discard(struct outputs_plan *p);
/* A forwarder's sink for o, not started; NULL with the reason logged. */
struct sink *outputs_make_sink(struct agent *a, const struct vg_output *o);
/* The sink_ops of an output type (enum vg_output_type). */
const struct sink_ops *outputs_ops_of(int type);

/* agent_store.c: the evidence store as the first sink. start: nothing when disabled; when it
 * cannot be opened the agent runs on without it, loudly. */
int agent_store_start(struct agent *a);
const struct sink_spill_ops *agent_store_spill(struct agent *a);
void agent_store_stats(struct agent *a);

#endif /* VIGIL_OUTPUTS_H */
