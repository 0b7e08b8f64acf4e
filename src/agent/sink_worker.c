/* SPDX-License-Identifier: Apache-2.0 */
/* A sink's worker thread: batch, connect, send, back off, spill and re-send (sink.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sched_hint.h"
#include "sink_int.h"

#define TICK_NS 1000000000ull

static void wait_until(struct sink *s, uint64_t deadline)
{
	struct timespec ts = { .tv_sec = deadline / 1000000000ull,
			       .tv_nsec = deadline % 1000000000ull };

	pthread_cond_timedwait(&s->cv, &s->mu, &ts);
}

/* Under mu: is it time to leave? While stopping: once the queue is delivered, the drain time
 * is over, or the peer is down (waiting on it would only delay the agent's exit). */
static bool done_locked(struct sink *s, uint64_t now)
{
	return s->stopping &&
	       ((!s->qn && !s->nbatch) || now >= s->drain_until || s->down_since);
}

/* Wait for records, a tick or the stop; fill the batch. Returns false to leave. */
static bool wait_work(struct sink *s)
{
	uint64_t now;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		now = sink_now_ns(CLOCK_MONOTONIC);
		if (done_locked(s, now)) {
			pthread_mutex_unlock(&s->mu);
			return false;
		}
		if (s->nbatch || s->qn || now - s->last_tick >= TICK_NS || s->stopping)
			break;
		wait_until(s, s->last_tick + TICK_NS);
	}
	if (s->o.linger_ms && s->qn < s->o.max_batch && !s->stopping)
		wait_until(s, now + s->o.linger_ms * 1000000ull);
	sink_take_locked(s);
	s->inflight = s->nbatch;
	pthread_mutex_unlock(&s->mu);
	return true;
}

static void note_error(struct sink *s, const char *what, int err)
{
	uint64_t now = sink_now_ns(CLOCK_MONOTONIC);

	pthread_mutex_lock(&s->mu);
	s->st.send_errors++;
	s->st.up = false;
	snprintf(s->st.last_error, sizeof(s->st.last_error), "%s: %s", what, strerror(-err));
	pthread_mutex_unlock(&s->mu);
	if (!s->down_since) {
		s->down_since = now;
		log_warn("output %s (%s): peer down: %s: %s; retrying with backoff up to %u ms%s",
			 s->o.name, s->ops->kind, what, strerror(-err), s->o.backoff_max_ms,
			 s->sp ? ", alerts spill to the store meanwhile" : "");
	}
	if (s->connected && s->ops->disconnect)
		s->ops->disconnect(s->impl);
	s->connected = false;
}

static void note_up(struct sink *s)
{
	pthread_mutex_lock(&s->mu);
	s->st.up = true;
	pthread_mutex_unlock(&s->mu);
	if (s->down_since) {
		log_info("output %s (%s): peer back after %.1f s%s", s->o.name, s->ops->kind,
			 (sink_now_ns(CLOCK_MONOTONIC) - s->down_since) / 1e9,
			 s->st.spill_pending > 0 ? "; re-sending spilled alerts" : "");
		s->down_since = 0;
	}
	s->backoff_ms = 0;
}

static bool ensure_connected(struct sink *s)
{
	int err;

	if (s->connected)
		return true;
	if (s->ops->connect && (err = s->ops->connect(s->impl)) < 0) {
		note_error(s, "connect", err);
		return false;
	}
	s->connected = true;
	pthread_mutex_lock(&s->mu);
	s->st.connects++;
	pthread_mutex_unlock(&s->mu);
	return true;
}

/* Keep one alert in the store; false when it could not be (it stays with the caller). */
static bool spill_one(struct sink *s, struct out_rec *r)
{
	int err = s->o.spill->put(s->sp, s->o.name, r);

	pthread_mutex_lock(&s->mu);
	if (err)
		s->st.spill_errors++;
	else
		s->st.spilled++, s->st.spill_pending++;
	pthread_mutex_unlock(&s->mu);
	return !err;
}

/* While the peer is down: alerts of the batch and of the queue go to the store. */
static void spill_alerts(struct sink *s)
{
	size_t j = 0;

	if (!s->sp)
		return;
	for (size_t i = 0; i < s->nbatch; i++) {
		struct out_rec *r = s->batch[i];

		if (r->kind == OUT_ALERT && !r->spill_id && spill_one(s, r))
			free(r);
		else
			s->batch[j++] = r;
	}
	s->nbatch = j;
	/* queued alerts: take them out under the lock, write them without it */
	struct out_rec *tmp[256];
	size_t n = 0, lost = 0;

	pthread_mutex_lock(&s->mu);
	for (size_t i = 0, w = 0, qn = s->qn; i < qn; i++) {
		size_t from = (s->qhead + i) % s->o.queue_entries;
		struct out_rec *r = s->q[from];

		s->q[from] = NULL;
		if (r->kind == OUT_ALERT && n < 256) {
			tmp[n++] = r;
			s->qn--;
			s->qbytes -= r->len;
		} else {
			s->q[(s->qhead + w++) % s->o.queue_entries] = r;
		}
	}
	s->inflight = s->nbatch;
	pthread_mutex_unlock(&s->mu);
	for (size_t i = 0; i < n; i++) {
		if (spill_one(s, tmp[i]))
			free(tmp[i]);
		else if (s->nbatch < s->o.max_batch)
			s->batch[s->nbatch++] = tmp[i]; /* keep it: retried with the batch */
		else
			lost++, free(tmp[i]);
	}
	if (lost) {
		pthread_mutex_lock(&s->mu);
		s->st.dropped_queue_full[OUT_ALERT] += lost;
		pthread_mutex_unlock(&s->mu);
	}
}

/* Sleep the backoff (a stop cuts it short), doubling it for the next time; at least what the
 * peer asked for (Retry-After), never more than the maximum. */
static void backoff(struct sink *s)
{
	unsigned wait_ms, asked = s->ops->retry_after_ms ? s->ops->retry_after_ms(s->impl) : 0;
	uint64_t until;

	s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : s->o.backoff_min_ms;
	if (s->backoff_ms > s->o.backoff_max_ms)
		s->backoff_ms = s->o.backoff_max_ms;
	wait_ms = asked > s->backoff_ms ? asked : s->backoff_ms;
	if (wait_ms > s->o.backoff_max_ms)
		wait_ms = s->o.backoff_max_ms;
	until = sink_now_ns(CLOCK_MONOTONIC) + wait_ms * 1000000ull;
	pthread_mutex_lock(&s->mu);
	while (!s->stopping && sink_now_ns(CLOCK_MONOTONIC) < until)
		wait_until(s, until);
	pthread_mutex_unlock(&s->mu);
}

static void count_delivered(struct sink *s, struct out_rec *const *recs, int n,
			    unsigned rejected)
{
	uint64_t now = sink_now_ns(CLOCK_REALTIME);

	pthread_mutex_lock(&s->mu);
	for (int i = 0; i < n; i++) {
		uint64_t lat = now > recs[i]->time_ns ? now - recs[i]->time_ns : 0;

		s->st.delivered[recs[i]->kind]++;
		if (recs[i]->kind != OUT_STATS) {
			s->st.last_latency_ns = lat;
			if (lat > s->st.max_latency_ns)
				s->st.max_latency_ns = lat;
		}
	}
	s->st.dropped_rejected += rejected;
	s->st.batches++;
	pthread_mutex_unlock(&s->mu);
}

/* Send what the store kept for this sink, oldest first. False when the peer failed. */
static bool unspill(struct sink *s)
{
	struct out_rec *recs[64];
	unsigned rejected;
	int n, sent;

	while (s->st.spill_pending > 0 && !s->stopping) {
		n = s->o.spill->take(s->sp, s->o.name, recs, 64);
		if (n <= 0) {
			pthread_mutex_lock(&s->mu);
			s->st.spill_pending = n < 0 ? s->st.spill_pending : 0;
			pthread_mutex_unlock(&s->mu);
			return n == 0;
		}
		rejected = 0;
		sent = s->ops->send(s->impl, recs, n, &rejected);
		if (sent > 0)
			count_delivered(s, recs, sent, rejected);
		for (int i = 0; i < n; i++) {
			if (i < sent && !s->o.spill->done(s->sp, recs[i]->spill_id)) {
				pthread_mutex_lock(&s->mu);
				s->st.unspilled++, s->st.spill_pending--;
				pthread_mutex_unlock(&s->mu);
			}
			free(recs[i]);
		}
		if (sent < n) {
			note_error(s, "send", sent < 0 ? sent : -EIO);
			return false;
		}
	}
	return true;
}

/* Send the batch; delivered records leave it, the rest stays for the retry. */
static bool deliver(struct sink *s)
{
	unsigned rejected = 0;
	int sent = s->ops->send(s->impl, s->batch, s->nbatch, &rejected);

	if (sent > (int)s->nbatch)
		sent = s->nbatch;
	if (sent > 0) {
		count_delivered(s, s->batch, sent, rejected);
		for (int i = 0; i < sent; i++)
			free(s->batch[i]);
		memmove(s->batch, s->batch + sent, (s->nbatch - sent) * sizeof(*s->batch));
		s->nbatch -= sent;
	}
	pthread_mutex_lock(&s->mu);
	s->inflight = s->nbatch;
	pthread_mutex_unlock(&s->mu);
	if (s->nbatch) {
		note_error(s, "send", sent < 0 ? sent : -EIO);
		return false;
	}
	note_up(s);
	return true;
}

static void tick(struct sink *s)
{
	uint64_t now = sink_now_ns(CLOCK_MONOTONIC);

	if (now - s->last_tick < TICK_NS)
		return;
	s->last_tick = now;
	if (s->ops->tick)
		s->ops->tick(s->impl, now);
}

/* At stop: alerts left go to the store, the rest is counted as dropped. */
static void finish(struct sink *s)
{
	uint64_t alerts_lost = 0, left = 0;

	for (;;) {
		pthread_mutex_lock(&s->mu);
		sink_take_locked(s);
		pthread_mutex_unlock(&s->mu);
		if (!s->nbatch)
			break;
		for (size_t i = 0; i < s->nbatch; i++) {
			struct out_rec *r = s->batch[i];

			if (r->kind != OUT_ALERT || !s->sp || !spill_one(s, r)) {
				alerts_lost += r->kind == OUT_ALERT;
				left++;
			}
			free(r);
		}
		s->nbatch = 0;
	}
	pthread_mutex_lock(&s->mu);
	s->st.dropped_at_stop += left;
	s->inflight = 0;
	pthread_mutex_unlock(&s->mu);
	if (alerts_lost)
		log_warn("output %s: %llu alerts not delivered at stop (no spill store)", s->o.name,
			 (unsigned long long)alerts_lost);
}

static void start_spill(struct sink *s)
{
	if (!s->o.spill)
		return;
	if (!(s->sp = s->o.spill->open(s->o.spill->ctx))) {
		log_warn("output %s: no spill store: alerts wait in memory while the peer is down",
			 s->o.name);
		return;
	}
	int64_t n = s->o.spill->count(s->sp, s->o.name);

	pthread_mutex_lock(&s->mu);
	s->st.spill_pending = n;
	pthread_mutex_unlock(&s->mu);
	if (n > 0)
		log_info("output %s: %lld alerts spilled by an earlier run will be re-sent",
			 s->o.name, (long long)n);
}

void *sink_worker(void *arg)
{
	struct sink *s = arg;

	sched_hint_default_slice();
	start_spill(s);
	s->last_tick = sink_now_ns(CLOCK_MONOTONIC);
	if (ensure_connected(s))
		note_up(s);
	while (wait_work(s)) {
		tick(s);
		if (!s->nbatch && s->st.spill_pending <= 0)
			continue;
		if (!ensure_connected(s) || (s->sp && !unspill(s)) || (s->nbatch && !deliver(s))) {
			spill_alerts(s);
			backoff(s);
		}
	}
	finish(s);
	if (s->connected && s->ops->disconnect)
		s->ops->disconnect(s->impl);
	s->connected = false;
	if (s->sp)
		s->o.spill->close(s->sp);
	s->sp = NULL;
	return NULL;
}
