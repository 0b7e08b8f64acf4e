// SPDX-License-Identifier: Apache-2.0
/* The HTTP forwarders against a real server on 127.0.0.1 (http_fixture.h) that answers as
 * told: what reaches the wire, the return value and *rejected of send() for every kind of
 * answer, keep-alive, timeouts, a refused connection, 413 splitting. */
#define UNIT_MAIN
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_fixture.h"
#include "sink_http.h"
#include "unit.h"

static const char ALERT[] =
    "{\"hostname\":\"node-1\",\"output\":\"x\",\"output_fields\":{},\"priority\":\"Warning\","
    "\"rule\":\"R\",\"source\":\"syscall\",\"tags\":[],\"time\":\"2026-11-21T11:10:07Z\","
    "\"vigil\":{\"type\":\"open\",\"pod\":{\"namespace\":\"shop\",\"name\":\"cart-1\"}}}";
static const char EVENT[] = "{\"schema\":\"vigil/v1\",\"type\":\"exec\","
			    "\"time\":\"2026-11-21T11:10:07Z\",\"node\":\"node-1\"}";

static struct out_rec *mkrec(int kind, const char *line)
{
	size_t len = strlen(line);
	struct out_rec *r = calloc(1, sizeof(*r) + len + 1);

	r->kind = (uint8_t)kind;
	r->prio = 4;
	r->time_ns = 1795259407000000000ull;
	r->len = (uint32_t)len;
	memcpy(r->line, line, len + 1);
	return r;
}

struct fix {
	struct tsrv srv;
	void *h;
	struct out_rec *r[8];
};

static bool fix__start(struct fix *f, const char *format, const char *path, unsigned timeout_ms)
{
	struct vg_output o = {.type = VG_OUT_HTTP, .timeout_ms = timeout_ms, .nheaders = 1};
	char err[256] = "";

	memset(f, 0, sizeof(*f));
	if (tsrv__start(&f->srv)) {
		CHECK(!"server");
		return false;
	}
	f->srv.want_header = "Authorization";
	snprintf(o.name, sizeof(o.name), "http-t");
	snprintf(o.format, sizeof(o.format), "%s", format);
	snprintf(o.address, sizeof(o.address), "http://127.0.0.1:%d%s", f->srv.port, path);
	snprintf(o.headers[0], sizeof(o.headers[0]), "Authorization: Bearer t0k");
	f->h = sink_http__new(&o, "node-1", err, sizeof(err));
	CHECK(f->h != NULL);
	if (!f->h)
		printf("  %s\n", err);
	for (int i = 0; i < 8; i++)
		f->r[i] = mkrec(i % 2 ? OUT_EVENT : OUT_ALERT, i % 2 ? EVENT : ALERT);
	return f->h != NULL;
}

static void fix__stop(struct fix *f)
{
	if (f->h)
		sink_http_ops.free(f->h);
	tsrv__stop(&f->srv);
	for (int i = 0; i < 8; i++)
		free(f->r[i]);
}

static int send_n(struct fix *f, size_t from, size_t n, unsigned *rej)
{
	*rej = 0;
	return sink_http_ops.send(f->h, f->r + from, n, rej);
}

UNIT_TEST(falco_one_request_per_alert)
{
	struct fix f;
	unsigned rej;

	if (!fix__start(&f, "falco", "", 2000))
		return;
	CHECK_INT(send_n(&f, 0, 3, &rej), 3);
	CHECK_INT(rej, 0);
	CHECK_INT(tsrv__nreq(&f.srv), 3);
	CHECK_STR(f.srv.req[0].path, "/");
	CHECK_STR(f.srv.req[0].ctype, "application/json");
	CHECK_STR(f.srv.req[0].header, "Bearer t0k");
	CHECK_STR(f.srv.req[0].body, ALERT);
	CHECK_STR(f.srv.req[1].body, EVENT);
	CHECK_INT(f.srv.conns, 1); /* kept alive */
	fix__stop(&f);
}

UNIT_TEST(falco_status_handling)
{
	struct fix f;
	unsigned rej;

	if (!fix__start(&f, "falco", "/falco", 2000))
		return;
	/* 200 then 500: the first is delivered, the rest goes again */
	tsrv__script(&f.srv, 200, "", 0);
	tsrv__script(&f.srv, 500, "{\"error\":\"down\"}", 0);
	CHECK_INT(send_n(&f, 0, 3, &rej), 1);
	/* nothing delivered: the errno of the status */
	tsrv__script(&f.srv, 503, "", 0);
	CHECK_INT(send_n(&f, 1, 2, &rej), -EIO);
	tsrv__script(&f.srv, 429, "", 0);
	CHECK_INT(send_n(&f, 1, 2, &rej), -EBUSY);
	tsrv__script(&f.srv, 408, "", 0);
	CHECK_INT(send_n(&f, 1, 2, &rej), -ETIMEDOUT);
	/* 400 and 404 are refused for good: counted as delivered and rejected */
	tsrv__script(&f.srv, 400, "{\"error\":\"bad alert\"}", 0);
	tsrv__script(&f.srv, 200, "", 0);
	tsrv__script(&f.srv, 404, "", 0);
	CHECK_INT(send_n(&f, 1, 3, &rej), 3);
	CHECK_INT(rej, 2);
	CHECK_STR(f.srv.req[0].path, "/falco");
	fix__stop(&f);
}

UNIT_TEST(retry_after_is_kept_for_the_backoff)
{
	struct fix f;
	unsigned rej;

	if (!fix__start(&f, "falco", "/falco", 2000))
		return;
	tsrv__script_header(&f.srv, 429, "Retry-After: 7");
	CHECK_INT(send_n(&f, 0, 1, &rej), -EBUSY);
	CHECK_INT(sink_http_ops.retry_after_ms(f.h), 7000);
	tsrv__script_header(&f.srv, 503, "Retry-After: soon");
	CHECK_INT(send_n(&f, 0, 1, &rej), -EIO);
	CHECK_INT(sink_http_ops.retry_after_ms(f.h), 0); /* malformed: not a wait */
	tsrv__script_header(&f.srv, 503, "retry-after: 2"); /* header names have no case */
	CHECK_INT(send_n(&f, 0, 1, &rej), -EIO);
	CHECK_INT(sink_http_ops.retry_after_ms(f.h), 2000);
	tsrv__script(&f.srv, 200, "", 0); /* a later answer forgets it */
	CHECK_INT(send_n(&f, 0, 1, &rej), 1);
	CHECK_INT(sink_http_ops.retry_after_ms(f.h), 0);
	fix__stop(&f);
}

UNIT_TEST(transport_failures)
{
	struct fix f;
	unsigned rej;
	struct timespec t0, t1;

	if (!fix__start(&f, "falco", "", 300))
		return;
	/* no answer at all: the connection is dropped */
	tsrv__script(&f.srv, 0, NULL, 0);
	CHECK_INT(send_n(&f, 0, 1, &rej), -ECONNRESET);
	sink_http_ops.disconnect(f.h);
	CHECK_INT(sink_http_ops.connect(f.h), 0);
	/* a stalled server: the timeout, not forever */
	tsrv__script(&f.srv, 200, "", 900);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(send_n(&f, 0, 2, &rej), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 800);
	sink_http_ops.disconnect(f.h);
	nanosleep(&(struct timespec){0, 800 * 1000000L}, NULL); /* the server is done stalling */
	/* back: delivered on a fresh connection */
	CHECK_INT(send_n(&f, 0, 2, &rej), 2);
	CHECK(f.srv.conns >= 3);
	/* nobody listening */
	tsrv__halt(&f.srv);
	sink_http_ops.disconnect(f.h);
	CHECK_INT(send_n(&f, 0, 1, &rej), -ECONNREFUSED);
	fix__stop(&f);
}

UNIT_TEST(bulk_partial_and_rejected)
{
	struct fix f;
	unsigned rej;

	if (!fix__start(&f, "elasticsearch", "", 2000))
		return;
	tsrv__script(&f.srv, 200, "{\"errors\":false}", 0);
	CHECK_INT(send_n(&f, 0, 4, &rej), 4);
	CHECK_INT(tsrv__nreq(&f.srv), 1);
	CHECK(!strncmp(f.srv.req[0].path, "/_bulk?filter_path=", 19));
	CHECK_STR(f.srv.req[0].ctype, "application/x-ndjson");
	CHECK(strstr(f.srv.req[0].body, "{\"create\":{\"_index\":\"vigil-events\",\"_id\":\""));
	/* item 2 refused (400), item 3 throttled (429): two delivered, one of them rejected */
	tsrv__script(&f.srv, 200,
		     "{\"errors\":true,\"items\":[{\"create\":{\"status\":201}},"
		     "{\"create\":{\"status\":400,\"error\":{\"type\":\"x\",\"reason\":\"y\"}}},"
		     "{\"create\":{\"status\":429}},{\"create\":{\"status\":201}}]}",
		     0);
	CHECK_INT(send_n(&f, 0, 4, &rej), 2);
	CHECK_INT(rej, 1);
	/* a whole-request 400: all refused; 503: none delivered */
	tsrv__script(&f.srv, 400, "{\"error\":\"bad\"}", 0);
	CHECK_INT(send_n(&f, 0, 3, &rej), 3);
	CHECK_INT(rej, 3);
	tsrv__script(&f.srv, 503, "", 0);
	CHECK_INT(send_n(&f, 0, 3, &rej), -EIO);
	/* 200 that is not a _bulk answer: sent again (the ids make that harmless) */
	tsrv__script(&f.srv, 200, "ok", 0);
	CHECK_INT(send_n(&f, 0, 3, &rej), -EPROTO);
	fix__stop(&f);
}

UNIT_TEST(bulk_413_splits)
{
	struct fix f;
	unsigned rej;
	size_t n;

	if (!fix__start(&f, "elasticsearch", "/es/", 2000))
		return;
	tsrv__script(&f.srv, 413, "", 0);		    /* 8 */
	tsrv__script(&f.srv, 413, "", 0);		    /* 4 */
	tsrv__script(&f.srv, 200, "{\"errors\":false}", 0); /* 2 */
	tsrv__script(&f.srv, 200, "{\"errors\":false}", 0);
	tsrv__script(&f.srv, 200, "{\"errors\":false}", 0);
	tsrv__script(&f.srv, 200, "{\"errors\":false}", 0);
	CHECK_INT(send_n(&f, 0, 8, &rej), 8);
	CHECK_INT(rej, 0);
	n = tsrv__nreq(&f.srv);
	CHECK_INT(n, 6);
	CHECK(!strncmp(f.srv.req[0].path, "/es/_bulk?", 10));
	for (size_t i = 2; i < n; i++) {
		size_t lines = 0;

		for (const char *p = f.srv.req[i].body; *p; p++)
			lines += *p == '\n';
		CHECK_INT(lines, 4); /* two records, two lines each */
	}
	/* one record still too large: refused for good */
	tsrv__script(&f.srv, 413, "", 0);
	CHECK_INT(send_n(&f, 0, 1, &rej), 1);
	CHECK_INT(rej, 1);
	fix__stop(&f);
}

UNIT_TEST(otlp_roundtrip)
{
	struct fix f;
	unsigned rej;

	if (!fix__start(&f, "otlp", "", 2000))
		return;
	CHECK_INT(send_n(&f, 0, 4, &rej), 4);
	CHECK_STR(f.srv.req[0].path, "/v1/logs");
	CHECK_STR(f.srv.req[0].ctype, "application/json");
	CHECK(strstr(f.srv.req[0].body, "\"resourceLogs\":[") != NULL);
	CHECK(strstr(f.srv.req[0].body, "\"k8s.pod.name\"") != NULL);
	tsrv__script(&f.srv, 200, "{\"partialSuccess\":{\"rejectedLogRecords\":\"1\"}}", 0);
	CHECK_INT(send_n(&f, 0, 4, &rej), 4);
	CHECK_INT(rej, 1);
	tsrv__script(&f.srv, 400, "{\"code\":3,\"message\":\"bad\"}", 0);
	CHECK_INT(send_n(&f, 0, 2, &rej), 2);
	CHECK_INT(rej, 2);
	tsrv__script(&f.srv, 502, "", 0);
	CHECK_INT(send_n(&f, 0, 2, &rej), -EIO);
	fix__stop(&f);
}

int main(void)
{
	return unit_run();
}
