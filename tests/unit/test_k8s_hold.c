// SPDX-License-Identifier: Apache-2.0
/* Unit tests of the hold queue for events waiting for pod metadata, and of raw members. */
#include <errno.h>
#include <stdlib.h>

#define UNIT_MAIN
#include "unit.h"
#include "json.h"
#include "k8s_hold.h"

struct sink {
	char out[8][256];
	bool resolved[8];
	int n;
	const char *ready_uid; /* entries of this pod are ready */
};

static bool ready(void *ctx, const struct k8s_held *e)
{
	struct sink *s = ctx;

	return s->ready_uid && !strcmp(e->m.pod_uid, s->ready_uid);
}

static void emit(void *ctx, const struct k8s_held *e, bool resolved)
{
	struct sink *s = ctx;

	snprintf(s->out[s->n], sizeof(s->out[0]), "%.*s", (int)e->len, e->line);
	s->resolved[s->n++] = resolved;
}

static void push(struct k8s_hold *h, const char *line, const char *uid, uint64_t deadline, int rc)
{
	struct k8s_marks m = { .active = true, .ctr_at = K8S_HOLD_NONE, .pod_at = K8S_HOLD_NONE };

	snprintf(m.pod_uid, sizeof(m.pod_uid), "%s", uid);
	CHECK_INT(k8s_hold__push(h, line, strlen(line), &m, 1, deadline), rc);
}

UNIT_TEST(release_by_deadline_in_order)
{
	struct k8s_hold *h = k8s_hold__new(8, 1 << 20);
	struct sink s = { 0 };
	struct k8s_hold_stats st;

	push(h, "a", "p1", 100, 0);
	push(h, "b", "p2", 200, 0);
	push(h, "c", "p1", 300, 0);
	k8s_hold__release(h, 99, NULL, emit, &s);
	CHECK_INT(s.n, 0);
	k8s_hold__release(h, 200, NULL, emit, &s);
	CHECK_INT(s.n, 2);
	CHECK_STR(s.out[0], "a");
	CHECK_STR(s.out[1], "b");
	CHECK(!s.resolved[0] && !s.resolved[1]);
	/* the tail must still be right after the head went: a new push lands after "c" */
	push(h, "d", "p3", 400, 0);
	k8s_hold__release(h, 1000, NULL, emit, &s);
	CHECK_INT(s.n, 4);
	CHECK_STR(s.out[2], "c");
	CHECK_STR(s.out[3], "d");
	CHECK(k8s_hold__empty(h));
	k8s_hold__stats(h, &st);
	CHECK_INT(st.total, 4);
	CHECK_INT(st.expired, 4);
	CHECK_INT(st.resolved, 0);
	CHECK_INT(st.held, 0);
	CHECK_INT(st.held_bytes, 0);
	k8s_hold__free(h);
}

UNIT_TEST(release_ready_keeps_the_rest)
{
	struct k8s_hold *h = k8s_hold__new(8, 1 << 20);
	struct sink s = { .ready_uid = "p2" };
	struct k8s_hold_stats st;

	push(h, "a", "p1", 100, 0);
	push(h, "b", "p2", 100, 0);
	push(h, "c", "p1", 100, 0);
	push(h, "d", "p2", 100, 0);
	k8s_hold__release(h, 50, ready, emit, &s);
	CHECK_INT(s.n, 2);
	CHECK_STR(s.out[0], "b");
	CHECK_STR(s.out[1], "d");
	CHECK(s.resolved[0] && s.resolved[1]);
	/* "d" was the tail: a push after releasing it must still be found */
	push(h, "e", "p1", 100, 0);
	s.ready_uid = "p1";
	k8s_hold__release(h, 50, ready, emit, &s);
	CHECK_INT(s.n, 5);
	CHECK_STR(s.out[2], "a");
	CHECK_STR(s.out[3], "c");
	CHECK_STR(s.out[4], "e");
	k8s_hold__stats(h, &st);
	CHECK_INT(st.resolved, 5);
	k8s_hold__free(h);
}

UNIT_TEST(bounded_by_entries_and_bytes)
{
	struct k8s_hold *h = k8s_hold__new(2, 1 << 20);
	struct k8s_hold *hb = k8s_hold__new(100, sizeof(struct k8s_held) * 2 + 10);
	struct k8s_hold_stats st;

	push(h, "a", "p", 1, 0);
	push(h, "b", "p", 1, 0);
	push(h, "c", "p", 1, -ENOSPC);
	k8s_hold__stats(h, &st);
	CHECK_INT(st.held, 2);
	CHECK_INT(st.overflow, 1);
	push(hb, "0123456789", "p", 1, 0);
	push(hb, "x", "p", 1, -ENOSPC);
	k8s_hold__stats(hb, &st);
	CHECK_INT(st.overflow, 1);
	k8s_hold__free(h); /* frees what is still held (ASan checks) */
	k8s_hold__free(hb);
}

UNIT_TEST(raw_members)
{
	struct json_w w;

	json_init(&w, 256);
	json_obj_begin(&w);
	json_members_raw(&w, "\"a\":1", 5);
	json_kstr(&w, "b", "x");
	json_members_raw(&w, "\"c\":{}", 6);
	json_members_raw(&w, "", 0);
	json_obj_end(&w);
	CHECK_INT(w.err, 0);
	CHECK_STR(w.buf, "{\"a\":1,\"b\":\"x\",\"c\":{}}");
	json_reset(&w);
	json_arr_begin(&w);
	json_members_raw(&w, "\"a\":1", 5); /* not in an object */
	CHECK_INT(w.err, -EINVAL);
	json_free(&w);
}

int main(void)
{
	return unit_run();
}
