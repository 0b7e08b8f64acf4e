/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prometheus metrics and health endpoints (docs/metrics.md).
 *
 * The stats record (docs/events.md, "stats") is the single source of truth: the main thread
 * publishes a fresh stats JSON snapshot about once a second (metrics__publish), and the server
 * thread renders Prometheus text from the latest snapshot on each scrape (metrics_render). So
 * the metrics and the stats lines in the event stream can never disagree, and the server
 * never touches the agent's state.
 *
 * The server is a minimal HTTP/1.1 server on one thread that serves one connection at a time
 * (the others wait in the listen backlog): GET or HEAD of /metrics, /healthz and /readyz,
 * each answered with Connection: close. A request must arrive within 2 s and fit in 8 KiB; a
 * client that does not read its answer is dropped after 2 s. So a misbehaving client delays
 * a scrape by at most a few seconds and never holds memory.
 */
#ifndef VIGIL_METRICS_H
#define VIGIL_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct metrics;

/* Listen on cfg->listen ("HOST:PORT": an IPv4 address, [IPv6], "localhost", or an empty host
 * for all IPv4 interfaces; port 0 picks a free port, see metrics__port) and start the server
 * thread. NULL on error, with the reason in err; NULL with err "" when cfg->listen is ""
 * (metrics disabled). */
struct metrics *metrics__start(const struct vg_metrics_cfg *cfg, char *err, size_t errsz);
/* The port the server listens on. */
int metrics__port(const struct metrics *m);
/* Keep a copy of the latest stats record (one JSON object), for the next scrapes. Called by
 * the main thread; never blocks on a scrape in progress for longer than a memcpy. */
void metrics__publish(struct metrics *m, const char *stats_json, size_t len);
/* The main loop is alive (CLOCK_BOOTTIME ns). /healthz fails 5 s after the last one. */
void metrics__heartbeat(struct metrics *m, uint64_t now_boot_ns);
/* /readyz answers 200 once ready, else 503 with why_not (copied; NULL: "not ready"). */
void metrics__set_ready(struct metrics *m, bool ready, const char *why_not);
/* Stop the thread, close the socket, free m. NULL is a no-op. */
void metrics__stop(struct metrics *m);

/* ---- rendering (pure; used by the server thread, unit tested) ---- */

/* A growing text buffer with a hard cap: past max, err is set and the text is incomplete. */
struct metrics_buf {
	char *data; /* NUL terminated when len > 0 */
	size_t len, cap, max;
	int err; /* 0 or negative errno (-E2BIG past max, -ENOMEM) */
};

#define METRICS_BUF_MAX (16u << 20) /* a scrape larger than this is refused (500) */
#define METRICS_SERIES_MAX 2000 /* series per family, at most; the rest counted and left out */
#define METRICS_FAMILIES_MAX 96

/* What rendering keeps across scrapes: series cut by METRICS_SERIES_MAX, per family (the
 * counter vigil_metrics_series_dropped_total). Zero it before the first render. */
struct metrics_state {
	uint64_t series_dropped[METRICS_FAMILIES_MAX];
};

void metrics_buf__init(struct metrics_buf *b, size_t max);
void metrics_buf__reset(struct metrics_buf *b);
void metrics_buf__free(struct metrics_buf *b);

/* Prometheus text (exposition format 0.0.4) from one stats record, appended to out. NULL or
 * empty stats_json renders only what needs no record (vigil_build_info, ...). Members that
 * are missing or of an unexpected type are skipped. Returns 0, -EINVAL when stats_json is not
 * a JSON object (the families that need no record are still rendered), or out->err. */
int metrics_render(const char *stats_json, size_t len, const struct vg_metrics_cfg *cfg,
		   struct metrics_state *st, struct metrics_buf *out);

#endif /* VIGIL_METRICS_H */
