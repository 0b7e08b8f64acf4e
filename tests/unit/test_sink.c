/* SPDX-License-Identifier: Apache-2.0 */
/* The sink machinery (sink.c, sink_worker.c) with the file output and with a scripted peer:
 * delivery in order, admission by kind, retry with backoff, spill while down and re-send
 * when back, spill at stop, rotation of the file output. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sink.h"
#include "sink_file.h"
#define UNIT_MAIN
#include "unit.h"

/* A peer that is up or down as the test says, and records what it got. */
struct peer {
	pthread_mutex_t mu;
	bool down;
	char got[4096][32];
	unsigned ngot, sends, connects;
};

static int peer_connect(void *impl)
{
	struct peer *p = impl;
	int err;

	pthread_mutex_lock(&p->mu);
	p->connects++;
	err = p->down ? -ECONNREFUSED : 0;
	pthread_mutex_unlock(&p->mu);
	return err;
}

static int peer_send(void *impl, struct out_rec *const *recs, size_t n, unsigned *rejected)
{
	struct peer *p = impl;

	(void)rejected;
	pthread_mutex_lock(&p->mu);
	p->sends++;
	if (p->down) {
		pthread_mutex_unlock(&p->mu);
		return -ECONNRESET;
	}
	for (size_t i = 0; i < n && p->ngot < 4096; i++)
		snprintf(p->got[p->ngot++], 32, "%s", recs[i]->line);
	pthread_mutex_unlock(&p->mu);
	return (int)n;
}

static const struct sink_ops peer_ops = {
	.kind = "test", .connect = peer_connect, .send = peer_send,
};

/* An in-memory spill store. */
struct mem_spill {
	pthread_mutex_t mu;
	struct out_rec *rows[256];
	uint64_t ids[256];
	unsigned n;
	uint64_t next;
};
static struct mem_spill ms = { .mu = PTHREAD_MUTEX_INITIALIZER };

static struct sink_spill *sp_open(void *ctx) { return ctx; }
static void sp_close(struct sink_spill *sp) { (void)sp; }
static int sp_put(struct sink_spill *sp, const char *sink, const struct out_rec *r)
{
	(void)sp, (void)sink;
	pthread_mutex_lock(&ms.mu);
	ms.rows[ms.n] = out_rec__new(r->kind, r->type, r->prio, r->time_ns, r->line, r->len);
	ms.ids[ms.n++] = ++ms.next;
	pthread_mutex_unlock(&ms.mu);
	return 0;
}
static int sp_take(struct sink_spill *sp, const char *sink, struct out_rec **out, size_t max)
{
	unsigned k = 0;

	(void)sp, (void)sink;
	pthread_mutex_lock(&ms.mu);
	for (unsigned i = 0; i < ms.n && k < max; i++, k++) {
		const struct out_rec *r = ms.rows[i];

		out[k] = out_rec__new(r->kind, r->type, r->prio, r->time_ns, r->line, r->len);
		out[k]->spill_id = ms.ids[i];
	}
	pthread_mutex_unlock(&ms.mu);
	return k;
}
static int sp_done(struct sink_spill *sp, uint64_t id)
{
	(void)sp;
	pthread_mutex_lock(&ms.mu);
	for (unsigned i = 0; i < ms.n; i++) {
		if (ms.ids[i] != id)
			continue;
		free(ms.rows[i]);
		memmove(ms.rows + i, ms.rows + i + 1, (ms.n - i - 1) * sizeof(ms.rows[0]));
		memmove(ms.ids + i, ms.ids + i + 1, (ms.n - i - 1) * sizeof(ms.ids[0]));
		ms.n--;
		break;
	}
	pthread_mutex_unlock(&ms.mu);
	return 0;
}
static int64_t sp_count(struct sink_spill *sp, const char *sink)
{
	(void)sp, (void)sink;
	return ms.n;
}
static const struct sink_spill_ops spill_ops = {
	.open = sp_open, .put = sp_put, .take = sp_take, .done = sp_done, .count = sp_count,
	.close = sp_close, .ctx = &ms,
};

static void offer(struct sink *s, int kind, const char *text)
{
	sink__offer_line(s, kind, 0, 4, 1, text, strlen(text));
}

static bool wait_got(struct peer *p, unsigned n)
{
	for (int i = 0; i < 500; i++) {
		pthread_mutex_lock(&p->mu);
		unsigned got = p->ngot;
		pthread_mutex_unlock(&p->mu);
		if (got >= n)
			return true;
		usleep(10000);
	}
	return false;
}

static void set_down(struct peer *p, bool down)
{
	pthread_mutex_lock(&p->mu);
	p->down = down;
	pthread_mutex_unlock(&p->mu);
}

UNIT_TEST(test_down_spill_back)
{
	static struct peer p = { .mu = PTHREAD_MUTEX_INITIALIZER };
	struct sink_opts o = { .name = "t", .kinds = 7, .min_prio = 7, .queue_entries = 8,
			       .backoff_min_ms = 10, .backoff_max_ms = 40, .spill = &spill_ops };
	struct sink *s = sink__new(&o, &peer_ops, &p);
	struct sink_stats st;

	CHECK(s && sink__start(s) == 0);
	offer(s, OUT_ALERT, "a1");
	offer(s, OUT_EVENT, "e1");
	CHECK(wait_got(&p, 2));
	CHECK_STR(p.got[0], "a1");
	CHECK_STR(p.got[1], "e1");
	set_down(&p, true);
	for (int i = 0; i < 5; i++) {
		char t[8];

		snprintf(t, sizeof(t), "a%d", i + 2);
		offer(s, OUT_ALERT, t);
	}
	/* events fill only 3/4 of 8 entries: 6; the 7th is dropped */
	for (int i = 0; i < 7; i++)
		offer(s, OUT_EVENT, "ev");
	usleep(200000);
	sink__stats(s, &st);
	CHECK(!st.up);
	CHECK(st.spilled == 5); /* the alerts went to the store while down */
	CHECK(st.dropped_queue_full[OUT_EVENT] >= 1);
	CHECK(st.dropped_queue_full[OUT_ALERT] == 0);
	set_down(&p, false);
	CHECK(wait_got(&p, 2 + 5));
	usleep(1200000); /* the events follow */
	sink__stats(s, &st);
	CHECK(st.up);
	CHECK(st.unspilled == 5 && st.spill_pending == 0);
	CHECK(ms.n == 0);
	/* every alert exactly once */
	for (int i = 2; i <= 6; i++) {
		char t[8];
		int seen = 0;

		snprintf(t, sizeof(t), "a%d", i);
		for (unsigned j = 0; j < p.ngot; j++)
			seen += !strcmp(p.got[j], t);
		CHECK(seen == 1);
	}
	CHECK(st.delivered[OUT_ALERT] == 6);
	CHECK(st.delivered[OUT_EVENT] + st.dropped_queue_full[OUT_EVENT] == 8);
	/* alerts left at stop while down are spilled, events counted */
	set_down(&p, true);
	offer(s, OUT_ALERT, "last");
	offer(s, OUT_EVENT, "lastev");
	sink__stop(s, 100);
	sink__stats(s, &st);
	CHECK(ms.n == 1 && !strcmp(ms.rows[0]->line, "last"));
	CHECK(st.delivered[OUT_EVENT] + st.dropped_queue_full[OUT_EVENT] + st.dropped_at_stop == 9);
	sink__free(s);
	sp_done(NULL, ms.ids[0]);
}

/* A peer that answers "busy, come back in asked_ms" (HTTP 429 with Retry-After) until up. */
struct busy {
	pthread_mutex_t mu;
	unsigned asked_ms, n;
	bool up;
	uint64_t t_ms[64];
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int busy_send(void *impl, struct out_rec *const *recs, size_t n, unsigned *rejected)
{
	struct busy *b = impl;
	int rc;

	(void)recs, (void)rejected;
	pthread_mutex_lock(&b->mu);
	if (b->n < 64)
		b->t_ms[b->n++] = mono_ms();
	rc = b->up ? (int)n : -EBUSY;
	pthread_mutex_unlock(&b->mu);
	return rc;
}

static unsigned busy_retry_after(void *impl)
{
	struct busy *b = impl;
	unsigned ms;

	pthread_mutex_lock(&b->mu);
	ms = b->up ? 0 : b->asked_ms;
	pthread_mutex_unlock(&b->mu);
	return ms;
}

static const struct sink_ops busy_ops = {
	.kind = "test", .send = busy_send, .retry_after_ms = busy_retry_after,
};

/* Wait until the busy peer was sent to n times; the gap before the last of them, in ms. */
static long busy_gap(struct busy *b, unsigned n)
{
	long gap = -1;

	for (int i = 0; i < 500 && gap < 0; i++) {
		pthread_mutex_lock(&b->mu);
		if (b->n >= n)
			gap = (long)(b->t_ms[n - 1] - b->t_ms[n - 2]);
		pthread_mutex_unlock(&b->mu);
		if (gap < 0)
			usleep(10000);
	}
	return gap;
}

UNIT_TEST(test_backoff_waits_what_the_peer_asks_up_to_the_max)
{
	static struct busy b = { .mu = PTHREAD_MUTEX_INITIALIZER, .asked_ms = 250 };
	struct sink_opts o = { .name = "b", .kinds = 7, .min_prio = 7, .queue_entries = 8,
			       .backoff_min_ms = 10, .backoff_max_ms = 600 };
	struct sink *s = sink__new(&o, &busy_ops, &b);
	struct sink_stats st;
	long gap;

	CHECK(s && sink__start(s) == 0);
	offer(s, OUT_ALERT, "a1");
	/* asked 250 ms: the doubling backoff (10, 20 ms) waits that long instead */
	gap = busy_gap(&b, 2);
	CHECK(gap >= 240);
	gap = busy_gap(&b, 3);
	CHECK(gap >= 240 && gap < 600);
	/* asked more than the maximum: the maximum */
	pthread_mutex_lock(&b.mu);
	b.asked_ms = 60000;
	pthread_mutex_unlock(&b.mu);
	busy_gap(&b, 4); /* the wait under way was decided on the old ask */
	gap = busy_gap(&b, 5);
	CHECK(gap >= 590 && gap < 2000);
	pthread_mutex_lock(&b.mu);
	b.up = true;
	pthread_mutex_unlock(&b.mu);
	for (int i = 0; i < 300; i++) {
		sink__stats(s, &st);
		if (st.delivered[OUT_ALERT] == 1)
			break;
		usleep(10000);
	}
	CHECK(st.delivered[OUT_ALERT] == 1);
	sink__stop(s, 100);
	sink__free(s);
}

UNIT_TEST(test_kinds_and_priority)
{
	static struct peer p = { .mu = PTHREAD_MUTEX_INITIALIZER };
	struct sink_opts o = { .name = "k", .kinds = OUT_KIND_MASK(OUT_ALERT), .min_prio = 4 };
	struct sink *s = sink__new(&o, &peer_ops, &p);

	CHECK(s && sink__start(s) == 0);
	CHECK(sink__offer_line(s, OUT_EVENT, 1, 6, 1, "e", 1) == -ENOENT);
	CHECK(sink__offer_line(s, OUT_ALERT, 0, 5, 1, "notice", 6) == -ENOENT);
	CHECK(sink__offer_line(s, OUT_ALERT, 0, 4, 1, "warning", 7) == 0);
	CHECK(wait_got(&p, 1));
	CHECK_STR(p.got[0], "warning");
	sink__free(s);
}

UNIT_TEST(test_file_rotation)
{
	char dir[] = "/tmp/vigil-sink-XXXXXX", path[128], buf[256];
	struct vg_output vo = { .type = VG_OUT_FILE, .name = "f", .max_bytes = 100, .keep = 2 };
	struct sink_opts o = { .name = "f", .kinds = 7, .min_prio = 7 };
	struct sink_stats st;
	struct stat sb;
	char err[256];
	FILE *fp;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/out.jsonl", dir);
	snprintf(vo.path, sizeof(vo.path), "%s", path);
	void *impl = sink_file__new(&vo, err, sizeof(err));
	struct sink *s = sink__new(&o, &sink_file_ops, impl);

	CHECK(s && sink__start(s) == 0);
	for (int i = 0; i < 12; i++) {
		snprintf(buf, sizeof(buf), "{\"n\":%d,\"pad\":\"%040d\"}", i, 0);
		sink__offer_line(s, OUT_EVENT, 1, 6, 1, buf, strlen(buf));
		usleep(20000); /* one batch each, so rotation happens between them */
	}
	sink__stop(s, 1000);
	sink__stats(s, &st);
	CHECK(st.delivered[OUT_EVENT] == 12);
	sink__free(s);
	snprintf(buf, sizeof(buf), "%s.1", path);
	CHECK(stat(buf, &sb) == 0 && sb.st_size >= 100);
	snprintf(buf, sizeof(buf), "%s.3", path);
	CHECK(stat(buf, &sb) < 0); /* keep: 2 */
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	/* the newest line is in the current file (or, right after a rotation, in .1) */
	fp = fopen(path, "r");
	CHECK(fp != NULL);
	bool last = false;
	while (fp && fgets(buf, sizeof(buf), fp))
		last |= strstr(buf, "\"n\":11") != NULL;
	if (fp)
		fclose(fp);
	if (!last) {
		snprintf(buf, sizeof(buf), "%s.1", path);
		fp = fopen(buf, "r");
		while (fp && fgets(buf, sizeof(buf), fp))
			last |= strstr(buf, "\"n\":11") != NULL;
		if (fp)
			fclose(fp);
	}
	CHECK(last);
	vo.path[0] = 0;
	CHECK(sink_file__new(&vo, err, sizeof(err)) == NULL && strstr(err, "path"));
	snprintf(buf, sizeof(buf), "rm -rf %s", dir);
	CHECK(system(buf) == 0);
}

int main(void)
{
	return unit_run();
}
