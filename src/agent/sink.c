/* SPDX-License-Identifier: Apache-2.0 */
/* The generic part of a sink (sink.h): bounded queue, worker thread, retry, spill, counters. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "sink.h"
#include "sink_int.h"

struct out_rec *out_rec__new(int kind, int type, int prio, uint64_t time_ns, const char *line,
			     size_t len)
{
	struct out_rec *r;

	if (len > UINT32_MAX - 1 || !(r = malloc(sizeof(*r) + len + 1)))
		return NULL;
	r->time_ns = time_ns;
	r->spill_id = 0;
	r->type = type;
	r->kind = kind;
	r->prio = prio;
	r->len = len;
	memcpy(r->line, line, len);
	r->line[len] = 0;
	return r;
}

uint64_t sink_now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

struct sink *sink__new(const struct sink_opts *o, const struct sink_ops *ops, void *impl)
{
	struct sink *s = calloc(1, sizeof(*s));

	if (!s) {
		if (ops->free)
			ops->free(impl);
		return NULL;
	}
	s->o = *o;
	s->o.name[sizeof(s->o.name) - 1] = 0;
	if (!s->o.queue_entries)
		s->o.queue_entries = 16384;
	if (!s->o.queue_bytes)
		s->o.queue_bytes = 16u << 20;
	if (!s->o.max_batch)
		s->o.max_batch = 512;
	if (!s->o.backoff_min_ms)
		s->o.backoff_min_ms = 100;
	if (!s->o.backoff_max_ms)
		s->o.backoff_max_ms = 30000;
	if (s->o.backoff_max_ms < s->o.backoff_min_ms)
		s->o.backoff_max_ms = s->o.backoff_min_ms;
	s->ops = ops;
	s->impl = impl;
	s->st.spill_pending = o->spill ? 0 : -1;
	s->q = calloc(s->o.queue_entries, sizeof(*s->q));
	s->batch = calloc(s->o.max_batch, sizeof(*s->batch));
	if (!s->q || !s->batch) {
		sink__free(s);
		return NULL;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	s->inited = true;
	return s;
}

const char *sink__name(const struct sink *s)
{
	return s->o.name;
}

/* Events and stats get 3/4 of the room, alerts all of it: a flood of events must not take the
 * place of the alerts that matter. */
static bool fits(const struct sink *s, int kind, size_t len)
{
	size_t n = s->qn, b = s->qbytes + len; /* plus the worker's batch: max_batch at most */

	if (kind == OUT_ALERT)
		return n < s->o.queue_entries && b <= s->o.queue_bytes;
	return n < s->o.queue_entries / 4 * 3 && b <= s->o.queue_bytes / 4 * 3;
}

int sink__offer(struct sink *s, const struct out_rec *rec)
{
	return sink__offer_line(s, rec->kind, rec->type, rec->prio, rec->time_ns, rec->line,
				rec->len);
}

int sink__offer_line(struct sink *s, int kind, int type, int prio, uint64_t time_ns,
		     const char *line, size_t len)
{
	struct out_rec *c;

	kind = kind >= 0 && kind < 3 ? kind : OUT_EVENT;
	if (!(s->o.kinds & OUT_KIND_MASK(kind)) || (kind == OUT_ALERT && prio > s->o.min_prio))
		return -ENOENT;
	pthread_mutex_lock(&s->mu);
	s->st.offered[kind]++;
	if (s->stopping || !fits(s, kind, len)) {
		s->st.dropped_queue_full[kind]++;
		pthread_mutex_unlock(&s->mu);
		return -ENOSPC;
	}
	pthread_mutex_unlock(&s->mu);
	/* copy outside the lock: the worker must not wait on the main thread's memcpy */
	c = out_rec__new(kind, type, prio, time_ns, line, len);
	pthread_mutex_lock(&s->mu);
	if (!c) {
		s->st.dropped_queue_full[kind]++;
		pthread_mutex_unlock(&s->mu);
		return -ENOSPC;
	}
	s->q[(s->qhead + s->qn) % s->o.queue_entries] = c;
	s->qn++;
	s->qbytes += c->len;
	/* wake the worker when it has work now: the first record, or a full batch */
	if (s->qn == 1 || s->qn == s->o.max_batch || kind == OUT_ALERT)
		pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

/* Under mu: move up to max_batch queued records to the worker's batch. */
void sink_take_locked(struct sink *s)
{
	while (s->nbatch < s->o.max_batch && s->qn) {
		struct out_rec *r = s->q[s->qhead];

		s->q[s->qhead] = NULL;
		s->qhead = (s->qhead + 1) % s->o.queue_entries;
		s->qn--;
		s->qbytes -= r->len;
		s->batch[s->nbatch++] = r;
	}
}

int sink__start(struct sink *s)
{
	int err = pthread_create(&s->thr, NULL, sink_worker, s);
	size_t n = strnlen(s->o.name, 9);
	char name[16]; /* "vigil-NAME" in top -H and /proc/PID/task/TID/comm: 15 bytes at most */

	if (err) {
		log_error("output %s: cannot start its thread: %s", s->o.name, strerror(err));
		return -err;
	}
	memcpy(name, "vigil-", 6);
	memcpy(name + 6, s->o.name, n);
	name[6 + n] = 0;
	pthread_setname_np(s->thr, name);
	s->started = true;
	return 0;
}

void sink__request_stop(struct sink *s, unsigned drain_ms)
{
	if (!s || !s->started)
		return;
	pthread_mutex_lock(&s->mu);
	if (!s->stopping) {
		s->stopping = true;
		s->drain_until = sink_now_ns(CLOCK_MONOTONIC) + drain_ms * 1000000ull;
	}
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void sink__stop(struct sink *s, unsigned drain_ms)
{
	if (!s || !s->started)
		return;
	sink__request_stop(s, drain_ms);
	pthread_join(s->thr, NULL);
	s->started = false;
}

void sink__free(struct sink *s)
{
	if (!s)
		return;
	sink__stop(s, 0);
	for (size_t i = 0; s->q && i < s->qn; i++)
		free(s->q[(s->qhead + i) % s->o.queue_entries]);
	for (size_t i = 0; s->batch && i < s->nbatch; i++)
		free(s->batch[i]);
	if (s->ops->free)
		s->ops->free(s->impl);
	if (s->inited) {
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
	}
	free(s->q);
	free(s->batch);
	free(s);
}

void sink__stats(struct sink *s, struct sink_stats *st)
{
	pthread_mutex_lock(&s->mu);
	*st = s->st;
	st->queued_now = s->qn + s->inflight;
	st->queued_bytes_now = s->qbytes;
	pthread_mutex_unlock(&s->mu);
}

const char *sink__kind(const struct sink *s)
{
	return s->ops->kind;
}
