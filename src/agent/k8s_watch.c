/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pod watcher's thread (k8s_watch.h): list, then watch again and again, with backoff
 * after failures; the hand-over queue to the main thread; stop. The requests themselves
 * are in k8s_watch_proto.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include "k8s_http.h"
#include "k8s_pod.h"
#include "k8s_watch_int.h"
#include "log.h"

#define BACKOFF_MIN_MS 500L
#define BACKOFF_MAX_MS 30000L
#define GOOD_CONN_NS   (10ull * 1000000000ull) /* a connection this old was not a failure */
#define DRAIN_BATCH    64
#define TIMEOUT_ENV    "VIGIL_K8S_WATCH_TIMEOUT_S"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: jitter only, no secrecy needed */
uint64_t k8s_watch__random(struct k8s_watch *w)
{
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545f4914f6cdd1dull;
}

void k8s_watch__count(struct k8s_watch *w, uint64_t *field, uint64_t n)
{
	pthread_mutex_lock(&w->lock);
	*field += n;
	pthread_mutex_unlock(&w->lock);
}

int k8s_watch__push(struct k8s_watch *w, enum k8s_op op, struct k8s_pod *pod)
{
	return k8s_queue__push(&w->q, op, pod);
}

int k8s_watch__fail(struct k8s_attempt *a, int rc, const char *key, const char *fmt, ...)
{
	va_list ap;

	a->rc = rc;
	snprintf(a->key, sizeof(a->key), "%s", key);
	va_start(ap, fmt);
	vsnprintf(a->reason, sizeof(a->reason), fmt, ap);
	va_end(ap);
	return rc;
}

void k8s_watch__healthy(struct k8s_watch *w)
{
	if (!w->fail_key[0])
		return;
	log_info("kubernetes: %s: connected again after %llu failed attempts (last: %s)",
		 w->server, (unsigned long long)w->fail_count, w->fail_reason);
	w->fail_key[0] = 0;
	w->fail_count = 0;
}

/*
 * One log line per kind of failure while it lasts (a retry every 30 s would otherwise fill
 * the log), a new line when the kind changes, and k8s_watch__healthy's line at the end.
 */
static void watch__report(struct k8s_watch *w, const struct k8s_attempt *a, bool good)
{
	if (a->rc == -ESTALE) {
		K8S_COUNT(w, relists_410);
		log_info("kubernetes: %s: %s; listing again", w->server, a->reason);
		return;
	}
	K8S_COUNT(w, errors);
	if (a->reported)
		return;
	if (good && a->connected) {
		/* an established watch ended early: routine (apiserver restarts, LB idle cuts) */
		log_debug("kubernetes: %s: watch ended: %s; watching again from resourceVersion %s",
			  w->server, a->reason, w->rv);
		return;
	}
	if (strcmp(a->key, w->fail_key) != 0)
		log_warn("kubernetes: %s: %s%s", w->server, a->reason,
			 w->fail_key[0] ? ""
					: " (retrying with backoff; logged again when it changes)");
	snprintf(w->fail_key, sizeof(w->fail_key), "%s", a->key[0] ? a->key : "?");
	snprintf(w->fail_reason, sizeof(w->fail_reason), "%s", a->reason);
	w->fail_count++;
}

/* Sleep unless stopped; k8s_watch__stop signals the condition. */
static void watch__sleep(struct k8s_watch *w, long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->lock);
	while (!atomic_load(&w->stop)) {
		if (pthread_cond_timedwait(&w->wake, &w->lock, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&w->lock);
}

/* backoff +-20 %, never above the maximum: nodes that lost the server together spread out */
static long watch__jitter(struct k8s_watch *w, long backoff_ms)
{
	uint64_t spread = (uint64_t)backoff_ms * 4 / 10 + 1;
	long ms = backoff_ms * 8 / 10 + (long)(k8s_watch__random(w) % spread);

	return ms < BACKOFF_MAX_MS ? ms : BACKOFF_MAX_MS;
}

static void watch__run(struct k8s_watch *w)
{
	long backoff = BACKOFF_MIN_MS;
	bool need_list = true, listing, retry = false, good;
	struct k8s_attempt a;
	uint64_t t0, took;

	while (!atomic_load(&w->stop)) {
		memset(&a, 0, sizeof(a));
		listing = need_list;
		t0 = now_ns();
		if (retry)
			K8S_COUNT(w, reconnects);
		if (listing)
			k8s_watch__list(w, &a);
		else
			k8s_watch__watch(w, &a);
		if (a.rc == -ECANCELED)
			break;
		took = now_ns() - t0;
		/* a watch that delivered or lived long: the server was fine, however it ended.
		 * Not a list: a server that answers every watch with 410 must not get a list per
		 * second. */
		good = !listing && (a.delivered > 0 || took > GOOD_CONN_NS);
		if (good)
			backoff = BACKOFF_MIN_MS;
		need_list = listing ? a.rc != 0 : a.rc == -ESTALE;
		retry = a.rc != 0;
		if (!a.rc && (listing || good || took > 1000000000ull))
			continue; /* the list, or a watch that timed out as asked: go on at once */
		if (a.rc) /* else a server that ends every watch at once: no busy loop either */
			watch__report(w, &a, good);
		watch__sleep(w, watch__jitter(w, backoff));
		backoff = backoff * 2 < BACKOFF_MAX_MS ? backoff * 2 : BACKOFF_MAX_MS;
	}
}

static void *watch__thread(void *arg)
{
	watch__run(arg);
	return NULL;
}

/* Tests shorten the server-side watch timeout; production jitters it in [240, 360] s. */
static long watch__timeout_env(void)
{
	const char *s = getenv(TIMEOUT_ENV);
	char *end;
	long v;

	if (!s || !*s)
		return 0;
	v = strtol(s, &end, 10);
	if (*end || v < 1 || v > 3600) {
		log_warn("kubernetes: %s=\"%s\" is not 1..3600 seconds; ignored", TIMEOUT_ENV, s);
		return 0;
	}
	return v;
}

static int watch__init(struct k8s_watch *w, const struct k8s_config *kc)
{
	char sel[300], enc[1000];
	pthread_condattr_t ca;
	int rc;

	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &ca);
	pthread_condattr_destroy(&ca);
	rc = k8s_queue__init(&w->q, K8S_QUEUE_CAP);
	if (rc)
		return rc;
	snprintf(w->server, sizeof(w->server), "%s", kc->server);
	snprintf(sel, sizeof(sel), "spec.nodeName=%s", kc->node);
	if (k8s_url_encode(enc, sizeof(enc), sel))
		return -ENAMETOOLONG;
	snprintf(w->selector, sizeof(w->selector), "fieldSelector=%s", enc);
	w->timeout_fixed_s = watch__timeout_env();
	if (getrandom(&w->rng, sizeof(w->rng), GRND_NONBLOCK) != sizeof(w->rng) || !w->rng)
		w->rng = now_ns() | 1;
	w->tok = json_tokener_new_ex(K8S_JSON_DEPTH);
	if (!w->tok)
		return -ENOMEM;
	return k8s_http__new(&w->http, kc, &w->stop);
}

/* The thread takes no signals: the main thread's handlers and signalfd stay in charge. */
static int watch__spawn(struct k8s_watch *w)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&w->thread, NULL, watch__thread, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	w->started = rc == 0;
	if (w->started)
		pthread_setname_np(w->thread, "vigil-k8s");
	return rc;
}

int k8s_watch__start(struct k8s_watch **out, const struct k8s_config *kc)
{
	struct k8s_watch *w;
	int rc;

	if (kc->source == K8S_NONE || !kc->server[0])
		return -EINVAL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -ENOMEM;
	w = calloc(1, sizeof(*w));
	if (!w) {
		curl_global_cleanup();
		return -ENOMEM;
	}
	rc = watch__init(w, kc);
	if (!rc)
		rc = watch__spawn(w);
	if (rc) {
		k8s_watch__stop(w);
		return rc;
	}
	log_info("kubernetes: watching the pods of node %s at %s", kc->node, kc->server);
	*out = w;
	return 0;
}

void k8s_watch__stop(struct k8s_watch *w)
{
	if (!w)
		return;
	atomic_store(&w->stop, true);
	if (w->q.ring)
		k8s_queue__close(&w->q); /* a thread waiting for room returns */
	pthread_mutex_lock(&w->lock);
	pthread_cond_broadcast(&w->wake); /* a thread in backoff returns */
	pthread_mutex_unlock(&w->lock);
	if (w->http)
		k8s_http__wakeup(w->http); /* a transfer returns */
	if (w->started)
		pthread_join(w->thread, NULL);
	k8s_watch__proto_free(w);
	k8s_http__free(w->http);
	if (w->tok)
		json_tokener_free(w->tok);
	k8s_queue__destroy(&w->q);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
	curl_global_cleanup();
}

int k8s_watch__fd(const struct k8s_watch *w)
{
	return w->q.efd;
}

int k8s_watch__drain(struct k8s_watch *w, int max,
		     void (*fn)(void *ctx, enum k8s_op op, struct k8s_pod *pod), void *ctx)
{
	struct k8s_update batch[DRAIN_BATCH];
	size_t n, want;
	int taken = 0;

	while (taken < max) {
		want = (size_t)(max - taken) < DRAIN_BATCH ? (size_t)(max - taken) : DRAIN_BATCH;
		n = k8s_queue__pop(&w->q, batch, want);
		if (!n)
			break;
		for (size_t i = 0; i < n; i++)
			fn(ctx, batch[i].op, batch[i].pod);
		taken += (int)n;
	}
	return taken;
}

void k8s_watch__stats(struct k8s_watch *w, struct k8s_watch_stats *st)
{
	pthread_mutex_lock(&w->lock);
	*st = w->st;
	pthread_mutex_unlock(&w->lock);
	st->queue_full_waits = k8s_queue__full_waits(&w->q);
}
