/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the pod watcher, shared by k8s_watch.c (the thread: lifecycle, retry loop, backoff,
 * failure reporting, the hand-over) and k8s_watch_proto.c (one list or one watch request:
 * pages, line framing of the stream, watch events). Not for other users; unit tests feed
 * stream bytes through k8s_watch__feed.
 */
#ifndef VIGIL_K8S_WATCH_INT_H
#define VIGIL_K8S_WATCH_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "k8s_queue.h"
#include "k8s_watch.h"

#define K8S_QUEUE_CAP	  4096
/* Pods per list page. json-c turns a page into a tree ~20 times its size (a 12 MB list of 250
 * pods became 248 MB), so pages stay small: 25 pods of 10 KB make a ~5 MB tree, and the pages
 * are freed (and the heap trimmed) before the next one. */
#define K8S_LIST_LIMIT	  25
#define K8S_LINE_MAX	  (16u << 20) /* one watch event; Pods are at most ~1.5 MiB in etcd */
#define K8S_LINE_KEEP	  (1u << 20)  /* a line buffer grown past this is given back */
#define K8S_LIST_PAGE_MAX (64u << 20) /* one list page */
#define K8S_RV_MAX	  128
#define K8S_JSON_DEPTH	  64 /* managedFields nest deeper than json-c's default 32 */

struct json_tokener;
struct k8s_http;

/* What one request did, for the retry loop. */
struct k8s_attempt {
	int rc;		    /* 0, -ESTALE (410: relist), -ECANCELED, or the failure */
	bool connected;	    /* a 2xx response began */
	uint64_t delivered; /* watch events and bookmarks taken from this connection */
	bool reported;	    /* already logged where it happened (a malformed line) */
	char key[32];	    /* the kind of failure: one log line per kind, not per retry */
	char reason[700];
};

struct k8s_watch {
	struct k8s_http *http;
	struct k8s_queue q;
	pthread_t thread;
	bool started;
	atomic_bool stop;
	pthread_mutex_t lock; /* st and the backoff sleep */
	pthread_cond_t wake;  /* CLOCK_MONOTONIC; signalled on stop */
	struct k8s_watch_stats st;
	char server[1024];
	char selector[1024];  /* "fieldSelector=spec.nodeName%3D<node>", encoded */
	long timeout_fixed_s; /* VIGIL_K8S_WATCH_TIMEOUT_S, 0: jittered */
	uint64_t rng;
	char rv[K8S_RV_MAX]; /* resourceVersion to watch from; "" before the first list */
	/* the current request */
	struct json_tokener *tok;
	struct k8s_attempt *att;
	char *line;
	size_t line_len, line_cap;
	size_t page_bytes;
	struct json_object *page; /* a parsed list page */
	bool resync_begun;
	/* failure reporting */
	char fail_key[32]; /* last failure kind logged, "" while healthy */
	uint64_t fail_count;
	char fail_reason[700];
};

/* k8s_watch.c */
void k8s_watch__count(struct k8s_watch *w, uint64_t *field, uint64_t n);
#define K8S_COUNT(w, f) k8s_watch__count((w), &(w)->st.f, 1)
int k8s_watch__push(struct k8s_watch *w, enum k8s_op op, struct k8s_pod *pod);
/* Describe a failed attempt; returns rc. */
int k8s_watch__fail(struct k8s_attempt *a, int rc, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
uint64_t k8s_watch__random(struct k8s_watch *w);
/* A request got a 2xx response: log the recovery if we were failing. */
void k8s_watch__healthy(struct k8s_watch *w);

/* k8s_watch_proto.c */
/* The whole list, page by page: RESYNC_BEGIN, the pods, RESYNC_END; w->rv set. */
void k8s_watch__list(struct k8s_watch *w, struct k8s_attempt *a);
/* One watch connection from w->rv until it ends. */
void k8s_watch__watch(struct k8s_watch *w, struct k8s_attempt *a);
/* Watch stream bytes, as the body of a watch response (exposed for unit tests). */
int k8s_watch__feed(void *ctx, const char *data, size_t len);
void k8s_watch__proto_free(struct k8s_watch *w);

#endif /* VIGIL_K8S_WATCH_INT_H */
