/* SPDX-License-Identifier: Apache-2.0 */
/* Inside a sink (sink.c, sink_worker.c): not for implementations. */
#ifndef VIGIL_SINK_INT_H
#define VIGIL_SINK_INT_H

#include <pthread.h>
#include <time.h>

#include "sink.h"

struct sink {
	struct sink_opts o;
	const struct sink_ops *ops;
	void *impl;
	pthread_t thr;
	bool started, inited;
	pthread_mutex_t mu; /* guards the queue, st, stopping, inflight */
	pthread_cond_t cv; /* CLOCK_MONOTONIC */
	struct out_rec **q; /* ring of queue_entries */
	size_t qhead, qn, qbytes;
	bool stopping;
	uint64_t drain_until; /* monotonic ns: stop delivering after it */
	size_t inflight; /* records in the worker's batch (for the stats) */
	struct sink_stats st;
	/* the worker's own */
	struct out_rec **batch; /* max_batch */
	size_t nbatch;
	struct sink_spill *sp;
	bool connected;
	unsigned backoff_ms;
	uint64_t down_since; /* monotonic ns; 0 when up */
	uint64_t last_tick;
};

void *sink_worker(void *arg);
void sink_take_locked(struct sink *s);
uint64_t sink_now_ns(clockid_t clk);

#endif /* VIGIL_SINK_INT_H */
