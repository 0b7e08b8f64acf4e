// SPDX-License-Identifier: Apache-2.0
/* The pod watcher without a server: the hand-over queue, and the watch stream's framing and
 * events fed byte by byte (the server side is tests/integration/test_k8s_watch.py). */
#define UNIT_MAIN
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "unit.h"
#include "k8s_pod.h"
#include "k8s_queue.h"
#include "k8s_watch_int.h"

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static struct k8s_pod *pod(const char *uid, const char *name, const char *rv)
{
	char text[512], err[256];
	struct k8s_pod *p = NULL;
	json_object *o;

	snprintf(text, sizeof(text),
		 "{\"metadata\":{\"uid\":\"%s\",\"name\":\"%s\",\"namespace\":\"ns\","
		 "\"resourceVersion\":\"%s\"},\"spec\":{\"containers\":[{\"name\":\"c\","
		 "\"image\":\"busybox\"}]}}", uid, name, rv);
	o = json_tokener_parse(text);
	if (k8s_pod__from_json(o, &p, err, sizeof(err)))
		printf("  from_json: %s\n", err);
	json_object_put(o);
	return p;
}

UNIT_TEST(queue_order_and_eventfd)
{
	struct k8s_queue q;
	struct k8s_update u[8];

	CHECK_INT(k8s_queue__init(&q, 4), 0);
	CHECK(!readable(q.efd));
	CHECK_INT(k8s_queue__push(&q, K8S_RESYNC_BEGIN, NULL), 0);
	CHECK_INT(k8s_queue__push(&q, K8S_UPSERT, NULL), 0);
	CHECK_INT(k8s_queue__push(&q, K8S_RESYNC_END, NULL), 0);
	CHECK(readable(q.efd));
	CHECK_INT(k8s_queue__pop(&q, u, 2), 2);
	CHECK_INT(u[0].op, K8S_RESYNC_BEGIN);
	CHECK_INT(u[1].op, K8S_UPSERT);
	CHECK(readable(q.efd)); /* one left: still readable */
	CHECK_INT(k8s_queue__pop(&q, u, 8), 1);
	CHECK_INT(u[0].op, K8S_RESYNC_END);
	CHECK(!readable(q.efd));
	CHECK_INT(k8s_queue__pop(&q, u, 8), 0);
	CHECK_INT(k8s_queue__full_waits(&q), 0);
	k8s_queue__destroy(&q);
}

struct producer {
	struct k8s_queue *q;
	int n, rc;
};

static void *produce(void *arg)
{
	struct producer *p = arg;

	for (int i = 0; i < p->n && !p->rc; i++)
		p->rc = k8s_queue__push(p->q, (enum k8s_op)(i % 4), NULL);
	return NULL;
}

UNIT_TEST(queue_full_waits_and_loses_nothing)
{
	struct producer p;
	struct k8s_queue q;
	struct k8s_update u[3];
	pthread_t th;
	int got = 0, bad = 0;
	size_t n;

	CHECK_INT(k8s_queue__init(&q, 8), 0);
	p = (struct producer){ &q, 1000, 0 };
	pthread_create(&th, NULL, produce, &p);
	while (got < 1000) {
		usleep(got < 20 ? 20000 : 0); /* slow at first: the producer finds it full */
		n = k8s_queue__pop(&q, u, 3);
		for (size_t i = 0; i < n; i++, got++)
			bad += u[i].op != (enum k8s_op)(got % 4);
	}
	pthread_join(th, NULL);
	CHECK_INT(p.rc, 0);
	CHECK_INT(bad, 0);
	CHECK(k8s_queue__full_waits(&q) >= 1);
	k8s_queue__destroy(&q);
}

UNIT_TEST(queue_close_releases_a_waiting_producer)
{
	struct producer p;
	struct k8s_queue q;
	pthread_t th;

	CHECK_INT(k8s_queue__init(&q, 2), 0);
	p = (struct producer){ &q, 3, 0 };
	pthread_create(&th, NULL, produce, &p);
	while (k8s_queue__full_waits(&q) == 0)
		usleep(1000);
	k8s_queue__close(&q);
	pthread_join(th, NULL);
	CHECK_INT(p.rc, -ECANCELED);
	CHECK_INT(k8s_queue__push(&q, K8S_UPSERT, NULL), -ECANCELED);
	k8s_queue__destroy(&q);
}

UNIT_TEST(queue_destroy_frees_queued_pods)
{
	struct k8s_queue q;

	CHECK_INT(k8s_queue__init(&q, 4), 0);
	CHECK_INT(k8s_queue__push(&q, K8S_UPSERT, pod("0d1f6c2a-0000-4000-8000-000000000001",
						       "a", "5")), 0);
	k8s_queue__destroy(&q); /* ASan reports a leak otherwise */
}

/* ---- the stream ---- */

static struct k8s_watch *watch_new(void)
{
	struct k8s_watch *w = calloc(1, sizeof(*w));

	pthread_mutex_init(&w->lock, NULL);
	k8s_queue__init(&w->q, K8S_QUEUE_CAP);
	w->tok = json_tokener_new_ex(K8S_JSON_DEPTH);
	strcpy(w->server, "https://test");
	strcpy(w->rv, "10");
	return w;
}

static void watch_free(struct k8s_watch *w)
{
	k8s_watch__proto_free(w);
	json_tokener_free(w->tok);
	k8s_queue__destroy(&w->q);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* "op:name:rv," for every update queued */
static void take(struct k8s_watch *w, char *out, size_t outsz)
{
	static const char ops[] = "UDBE";
	struct k8s_update u;
	size_t o = 0;

	out[0] = 0;
	while (k8s_queue__pop(&w->q, &u, 1) == 1) {
		o += snprintf(out + o, outsz - o, "%c:%s:%s,", ops[u.op], u.pod ? u.pod->name : "",
			      u.pod ? u.pod->resource_version : "");
		k8s_pod__free(u.pod);
	}
}

#define EV(type, uid, name, rv)                                                                    \
	"{\"type\":\"" type "\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"uid\":\"" uid        \
	"\",\"name\":\"" name "\",\"namespace\":\"ns\",\"resourceVersion\":\"" rv "\"},"           \
	"\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}}\n"
#define UID_A "0d1f6c2a-0000-4000-8000-00000000000a"
#define UID_B "0d1f6c2a-0000-4000-8000-00000000000b"
#define BOOKMARK(rv) "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"metadata\":" \
		     "{\"resourceVersion\":\"" rv "\"},\"spec\":{\"containers\":null}}}\n"

static const char stream[] = EV("ADDED", UID_A, "a", "11") "\r\n"
			     "\n" BOOKMARK("12") EV("MODIFIED", UID_A, "a", "13")
			     EV("DELETED", UID_B, "b", "14");

/* Feed text in pieces of `step` bytes; returns the first error. */
static int feed(struct k8s_watch *w, struct k8s_attempt *a, const char *text, size_t len,
		size_t step)
{
	int rc = 0;

	w->att = a;
	for (size_t off = 0; off < len && !rc; off += step)
		rc = k8s_watch__feed(w, text + off, len - off < step ? len - off : step);
	return rc;
}

UNIT_TEST(stream_framing_at_every_split)
{
	struct k8s_attempt a;
	char got[512];
	int bad = 0;

	for (size_t step = 1; step <= sizeof(stream); step++) {
		struct k8s_watch *w = watch_new();

		memset(&a, 0, sizeof(a));
		bad += feed(w, &a, stream, sizeof(stream) - 1, step) != 0;
		take(w, got, sizeof(got));
		bad += strcmp(got, "U:a:11,U:a:13,D:b:14,") != 0;
		bad += strcmp(w->rv, "14") != 0 || a.delivered != 4 || !a.connected;
		bad += w->st.events != 3 || w->st.bookmarks != 1 || w->line_len != 0;
		if (bad && step < 3)
			printf("  step %zu: %s rv %s\n", step, got, w->rv);
		watch_free(w);
	}
	CHECK_INT(bad, 0);
}

UNIT_TEST(stream_malformed_line_keeps_what_came_before)
{
	static const char text[] = EV("ADDED", UID_A, "a", "11")
		"{\"type\":\"ADDED\",\"object\":{bad\n" EV("ADDED", UID_B, "b", "12");
	struct k8s_watch *w = watch_new();
	struct k8s_attempt a = { 0 };
	char got[256];

	CHECK_INT(feed(w, &a, text, sizeof(text) - 1, 7), -EBADMSG);
	take(w, got, sizeof(got));
	CHECK_STR(got, "U:a:11,");
	CHECK_STR(w->rv, "11");
	CHECK_INT(w->st.parse_errors, 1);
	CHECK(a.reported && a.rc == -EBADMSG);
	watch_free(w);
}

UNIT_TEST(stream_rejects_what_is_not_one_event_per_line)
{
	static const char *const bad[] = {
		"{\"type\":\"ADDED\"}\n",			/* no object */
		"{\"type\":\"SOMETHING\",\"object\":{}}\n",	/* unknown type */
		"[1,2]\n", "{\"type\":\"BOOKMARK\",\"object\":{}} x\n", "{\"a\":1}{\"b\":2}\n",
		"\"ADDED\"\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct k8s_watch *w = watch_new();
		struct k8s_attempt a = { 0 };

		CHECK_INT(feed(w, &a, bad[i], strlen(bad[i]), 64), -EBADMSG);
		CHECK_STR(w->rv, "10");
		watch_free(w);
	}
}

UNIT_TEST(stream_line_longer_than_the_bound)
{
	struct k8s_watch *w = watch_new();
	struct k8s_attempt a = { 0 };
	size_t n = K8S_LINE_MAX + 10;
	char *big = malloc(n);

	memset(big, ' ', n);
	memcpy(big, "{\"type\":\"ADDED\",\"x\":\"", 21);
	CHECK_INT(feed(w, &a, big, n, 1 << 20), -EBADMSG);
	CHECK_INT(w->st.parse_errors, 1);
	CHECK(w->line_cap <= K8S_LINE_MAX);
	free(big);
	watch_free(w);
}

UNIT_TEST(stream_error_events)
{
	static const char gone[] = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410,"
				   "\"reason\":\"Expired\",\"message\":\"too old resource version\"}}\n";
	static const char other[] = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":500,"
				    "\"message\":\"etcd is sad\"}}\n";
	struct k8s_watch *w = watch_new();
	struct k8s_attempt a = { 0 };

	CHECK_INT(feed(w, &a, gone, sizeof(gone) - 1, 100), -ESTALE);
	CHECK(strstr(a.reason, "too old resource version") != NULL);
	memset(&a, 0, sizeof(a));
	CHECK_INT(feed(w, &a, other, sizeof(other) - 1, 100), -EREMOTEIO);
	CHECK_STR(a.key, "error event 500");
	CHECK(strstr(a.reason, "etcd is sad") != NULL);
	CHECK_STR(w->rv, "10");
	watch_free(w);
}

UNIT_TEST(stream_skips_a_pod_that_does_not_convert)
{
	static const char text[] = "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"nouid\","
				   "\"namespace\":\"ns\",\"resourceVersion\":\"11\"}}}\n"
				   EV("ADDED", UID_B, "b", "12");
	struct k8s_watch *w = watch_new();
	struct k8s_attempt a = { 0 };
	char got[256];

	CHECK_INT(feed(w, &a, text, sizeof(text) - 1, 4096), 0);
	take(w, got, sizeof(got));
	CHECK_STR(got, "U:b:12,");
	CHECK_INT(w->st.pod_errors, 1);
	CHECK_STR(w->rv, "12");
	watch_free(w);
}

int main(void)
{
	return unit_run();
}
