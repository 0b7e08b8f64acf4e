/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pod watcher: one thread that lists and watches the pods of this node
 * (fieldSelector=spec.nodeName=<node>) through libcurl, and hands parsed pods to the main
 * thread through a bounded queue. The main thread applies them to its pod_cache.
 *
 * Protocol, as client-go's reflector does it:
 *  - list in pages (limit + continue), then watch from the list's resourceVersion with
 *    allowWatchBookmarks=true and a server timeout (timeoutSeconds, jittered);
 *  - every event's and bookmark's resourceVersion is remembered; a dropped connection or an
 *    expired server timeout re-watches from it, so nothing is lost and nothing is repeated;
 *  - 410 Gone (as an HTTP status or as an ERROR watch event) relists: the main thread sees
 *    RESYNC_BEGIN, the pods, RESYNC_END, and pods that disappeared meanwhile are removed;
 *  - errors (connect, TLS, 401/403, 5xx, malformed JSON) are logged once per kind of failure
 *    with the server and the reason, and retried with jittered exponential backoff
 *    (0.5 s doubling to 30 s); success is logged when it recovers.
 * $VIGIL_K8S_WATCH_TIMEOUT_S (1..3600) replaces the jittered watch timeout (for tests).
 */
#ifndef VIGIL_K8S_WATCH_H
#define VIGIL_K8S_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "k8s_config.h"

struct k8s_pod;

enum k8s_op {
	K8S_UPSERT,	  /* pod: added or modified (or listed) */
	K8S_DELETE,	  /* pod: deleted (only uid is meaningful to the receiver) */
	K8S_RESYNC_BEGIN, /* a full list starts; pod NULL */
	K8S_RESYNC_END,	  /* the full list ended; pod NULL; the cache is now complete */
};

struct k8s_watch_stats {
	uint64_t lists, list_pages, watches, events, bookmarks, relists_410;
	uint64_t errors, parse_errors, reconnects, queue_full_waits;
	uint64_t synced;       /* 1 once the first full list has been handed over */
	uint64_t list_bytes;   /* largest list page seen */
	uint64_t synced_ns;    /* CLOCK_BOOTTIME ns of the first complete list, 0 before */
	uint64_t pod_errors;   /* pods skipped because k8s_pod__from_json refused them */
};

struct k8s_watch;

/* Start the thread. kc is copied. Returns 0 or a negative errno (thread, curl init). */
int k8s_watch__start(struct k8s_watch **out, const struct k8s_config *kc);
/* Stop and join (aborts a transfer in progress within ~100 ms); frees queued pods. */
void k8s_watch__stop(struct k8s_watch *w);
/* An fd that is readable when updates are queued (eventfd), for the main loop's poll. */
int k8s_watch__fd(const struct k8s_watch *w);
/* Main thread: take up to max queued updates, in order, calling fn for each. fn takes
 * ownership of pod (which may be NULL for RESYNC_*). Returns how many were taken. */
int k8s_watch__drain(struct k8s_watch *w, int max,
		     void (*fn)(void *ctx, enum k8s_op op, struct k8s_pod *pod), void *ctx);
void k8s_watch__stats(struct k8s_watch *w, struct k8s_watch_stats *st);

#endif /* VIGIL_K8S_WATCH_H */
