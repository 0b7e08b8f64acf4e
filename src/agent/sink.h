/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Outputs that leave the agent's main thread: the evidence store, JSON files, syslog, HTTP,
 * OTLP. Every finished line the agent writes (an event, an alert, a stats record) is offered
 * to each sink as an out_rec; the sink copies it into its own bounded queue and returns at
 * once, so a slow or dead peer never stalls event intake.
 *
 * A sink is the generic machinery here (queue, worker thread, batching, retry with
 * exponential backoff, counters, "peer down"/"peer back" logs, spill) around a small
 * implementation (struct sink_ops) that only formats and delivers a batch.
 *
 * Admission: events and stats may fill only 3/4 of the queue (entries and bytes), so the last
 * quarter is kept for alerts; what does not fit is dropped at once and counted as queue_full,
 * by kind. Alerts are never dropped silently.
 *
 * Spill: while the peer is down, the worker moves the alerts it holds to the embedded store
 * (struct sink_spill) instead of keeping them in memory, so the queue's room stays free for
 * new alerts and an agent restart does not lose them; events wait in the queue (and drop when
 * it is full). When the peer is back, the sink re-sends what was spilled, oldest first, before
 * its queue, and deletes each row once it was delivered (at least once: a crash between the
 * send and the delete re-sends that row). On stop, alerts still queued are spilled too.
 */
#ifndef VIGIL_SINK_H
#define VIGIL_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum out_kind {
	OUT_EVENT = 0,
	OUT_ALERT = 1,
	OUT_STATS = 2,
};
#define OUT_KIND_MASK(k) (1u << (k))

/* One finished line. Sinks get their own copies; line is NUL terminated, without '\n'. */
struct out_rec {
	uint64_t time_ns; /* wall clock, ns since the epoch (the event's time) */
	uint64_t spill_id; /* row id when it came back from the spill store, else 0 */
	uint16_t type; /* VG_EV_* of an event; 0 for alerts and stats */
	uint8_t kind; /* enum out_kind */
	uint8_t prio; /* enum rules_priority of an alert (0 emergency .. 7 debug); events 6 */
	uint32_t len;
	char line[];
};

/* The implementation of one kind of sink. Every callback runs in the sink's worker thread,
 * except free (after the thread stopped). */
struct sink_ops {
	const char *kind; /* "store", "file", "syslog", "http" */
	/* (Re)connect before the first send and after a failure; 0 or negative errno. May be
	 * NULL (connectionless). */
	int (*connect)(void *impl);
	/* Deliver recs[0..n), in order. Returns how many were delivered (the first ones) when
	 * all or some were, or a negative errno when none were; the rest is retried after a
	 * backoff and a connect(). A record the peer refused for good (say HTTP 400) counts as
	 * delivered in the return value, is logged by the sink (rate limited) and added to
	 * *rejected, so it is not retried forever. */
	int (*send)(void *impl, struct out_rec *const *recs, size_t n, unsigned *rejected);
	/* Drop the connection (after a send failure, and at stop). May be NULL. */
	void (*disconnect)(void *impl);
	/* After a failed send: how long the peer asked to be left alone, in ms (HTTP's
	 * Retry-After), 0 when it did not say. The backoff waits at least that, up to its
	 * maximum. May be NULL. */
	unsigned (*retry_after_ms)(void *impl);
	/* About once a second in the worker thread, whatever the traffic (retention, rotation,
	 * flushing). May be NULL. */
	void (*tick)(void *impl, uint64_t now_ns);
	/* Free impl. May be NULL. */
	void (*free)(void *impl);
};

/* The store's spill area, used by sinks from their own threads (each gets its own handle). */
struct sink_spill;
struct sink_spill_ops {
	/* Open a handle for one sink thread; NULL on error (logged). */
	struct sink_spill *(*open)(void *ctx);
	/* Keep rec for the sink named `sink`. 0 or negative errno. */
	int (*put)(struct sink_spill *sp, const char *sink, const struct out_rec *rec);
	/* Up to max of the oldest records kept for `sink`, as malloc'd out_recs with spill_id
	 * set, into out; returns how many (0: none), or negative errno. */
	int (*take)(struct sink_spill *sp, const char *sink, struct out_rec **out, size_t max);
	/* Forget a record that was delivered. */
	int (*done)(struct sink_spill *sp, uint64_t spill_id);
	/* How many records are kept for `sink` (for the stats). */
	int64_t (*count)(struct sink_spill *sp, const char *sink);
	void (*close)(struct sink_spill *sp);
	void *ctx;
};

struct sink_opts {
	char name[64]; /* unique per agent: "store", "syslog", "http-1", ... (logs, stats) */
	unsigned kinds; /* OUT_KIND_MASK()s the sink takes */
	int min_prio; /* alerts above (less severe than) this are not offered; 7: all */
	size_t queue_entries; /* default 16384 */
	size_t queue_bytes; /* default 16 MiB (the store: 32 MiB) */
	size_t max_batch; /* records per send(); default 512 */
	unsigned linger_ms; /* wait this long for a batch to fill (0: send at once) */
	unsigned backoff_min_ms, backoff_max_ms; /* defaults 100 and 30000 */
	const struct sink_spill_ops *spill; /* NULL: no spill, alerts that do not fit drop */
};

struct sink_stats {
	uint64_t offered[3], queued_now, queued_bytes_now;
	uint64_t delivered[3]; /* by kind */
	uint64_t dropped_queue_full[3]; /* by kind (alerts only without spill) */
	uint64_t dropped_rejected; /* refused by the peer for good (send()'s *rejected) */
	uint64_t dropped_at_stop; /* events and stats left in the queue when the agent stopped */
	uint64_t spilled, unspilled, spill_errors;
	int64_t spill_pending; /* rows kept in the store for this sink; -1 unknown */
	uint64_t send_errors, connects, batches;
	uint64_t last_latency_ns, max_latency_ns; /* offer -> delivered, last batch */
	bool up; /* the last send or connect worked */
	char last_error[160];
};

struct sink;

/* A sink with its options and implementation (taken over: freed by sink__free, also on
 * failure). Does not start the thread. NULL on ENOMEM. */
struct sink *sink__new(const struct sink_opts *o, const struct sink_ops *ops, void *impl);
/* Start the worker thread. 0 or negative errno. */
int sink__start(struct sink *s);
/* Copy rec into the queue (never blocks; see admission above). Returns 0 when queued or
 * spilled, -ENOSPC when dropped (counted), -ENOENT when the sink does not take rec's kind or
 * priority. Thread safe. */
int sink__offer(struct sink *s, const struct out_rec *rec);
/* The same from the parts of a record (no out_rec to build first). */
int sink__offer_line(struct sink *s, int kind, int type, int prio, uint64_t time_ns,
		     const char *line, size_t len);
/* Stop the thread: try to deliver what is queued for up to drain_ms, then spill the alerts
 * left (dropping and counting the rest), disconnect. Idempotent. */
void sink__stop(struct sink *s, unsigned drain_ms);
/* Only ask (no wait), so that several sinks drain at once; sink__stop then joins. */
void sink__request_stop(struct sink *s, unsigned drain_ms);
void sink__free(struct sink *s);
void sink__stats(struct sink *s, struct sink_stats *st);
const char *sink__name(const struct sink *s);
const char *sink__kind(const struct sink *s); /* its ops' kind */
/* A heap copy of a record (for sinks and the spill store). NULL on ENOMEM. */
struct out_rec *out_rec__new(int kind, int type, int prio, uint64_t time_ns, const char *line,
			     size_t len);

#endif /* VIGIL_SINK_H */
