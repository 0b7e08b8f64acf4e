// SPDX-License-Identifier: Apache-2.0
/* Unit tests of the metrics server over real loopback sockets: listen addresses, the three
 * endpoints, health and readiness, and clients that are slow, rude or malicious. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define UNIT_MAIN
#include "unit.h"
#include "httpd.h"
#include "metrics.h"
#include "metrics_test.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int dial(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct timeval tv = { .tv_sec = 6 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Everything the server sends until it closes (malloc'd). */
static char *read_all(int fd)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	ssize_t n;

	while ((n = recv(fd, buf + len, cap - len - 1, 0)) > 0) {
		len += (size_t)n;
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	return buf;
}

/* One exchange: the response, its status in *status (0: none). */
static char *http_raw(int port, const char *req, size_t len, int *status)
{
	int fd = dial(port);
	char *resp;

	*status = 0;
	if (fd < 0)
		return strdup("");
	if (len && send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len)
		printf("  short send\n");
	resp = read_all(fd);
	close(fd);
	sscanf(resp, "HTTP/1.1 %d", status);
	return resp;
}

static char *http(int port, const char *req, int *status)
{
	return http_raw(port, req, strlen(req), status);
}

static const char *body_of(const char *resp)
{
	const char *p = strstr(resp, "\r\n\r\n");

	return p ? p + 4 : "";
}

static struct metrics *start_any_port(void)
{
	struct vg_metrics_cfg cfg = { .listen = "127.0.0.1:0" };
	char err[256];
	struct metrics *m = metrics__start(&cfg, err, sizeof(err));

	if (!m)
		printf("  metrics__start: %s\n", err);
	return m;
}

UNIT_TEST(listen_addresses)
{
	static const char *const good[] = { "127.0.0.1:9464", "[::1]:0", "localhost:1",
					    ":9464", "0.0.0.0:80", "[::]:65535" };
	static const struct {
		const char *spec, *why;
	} bad[] = {
		{ "", "expected HOST:PORT" },
		{ "127.0.0.1", "expected HOST:PORT" },
		{ "::1:9464", "[ADDRESS]:PORT" },
		{ "[::1]9464", "[ADDRESS]:PORT" },
		{ "[::1", "[ADDRESS]:PORT" },
		{ "metrics.example:80", "IPv4 address, [IPv6 address] or localhost" },
		{ "1.2.3.4:65536", "from 0 to 65535" },
		{ "1.2.3.4:-1", "from 0 to 65535" },
		{ "1.2.3.4:", "from 0 to 65535" },
		{ "1.2.3.4:80x", "from 0 to 65535" },
		{ "[zz]:80", "not an IPv6 address" },
		{ "[1.2.3.4]:80", "not an IPv6 address" },
	};
	struct sockaddr_storage ss;
	socklen_t len;
	char err[256];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK_INT(httpd__parse_addr(good[i], &ss, &len, err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK_INT(httpd__parse_addr(bad[i].spec, &ss, &len, err, sizeof(err)), -EINVAL);
		if (!strstr(err, bad[i].why) || !strstr(err, bad[i].spec))
			printf("  %s: \"%s\"\n", bad[i].spec, err), unit_case_failed = 1;
	}
}

UNIT_TEST(start_errors)
{
	struct vg_metrics_cfg cfg = { .listen = "" };
	struct metrics *m, *m2;
	char err[256] = "x";

	CHECK(metrics__start(&cfg, err, sizeof(err)) == NULL);
	CHECK_STR(err, ""); /* disabled, not an error */
	snprintf(cfg.listen, sizeof(cfg.listen), "nohost:1");
	CHECK(metrics__start(&cfg, err, sizeof(err)) == NULL);
	CHECK(!strncmp(err, "metrics.listen: listen address \"nohost:1\"", 40));
	m = start_any_port();
	CHECK(m && metrics__port(m) > 0);
	snprintf(cfg.listen, sizeof(cfg.listen), "127.0.0.1:%d", metrics__port(m));
	m2 = metrics__start(&cfg, err, sizeof(err));
	CHECK(m2 == NULL);
	CHECK(strstr(err, "Address already in use") != NULL);
	metrics__stop(m2);
	metrics__stop(m);
}

/* [::1] and localhost listen where they say (skipped without IPv6 on the loopback). */
UNIT_TEST(listen_ipv6_and_localhost)
{
	struct vg_metrics_cfg cfg = { .listen = "[::1]:0" };
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	char err[256], *r;
	struct metrics *m = metrics__start(&cfg, err, sizeof(err));
	int fd, st;

	if (m) {
		sa.sin6_port = htons((uint16_t)metrics__port(m));
		fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
		CHECK_INT(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		send(fd, "GET /readyz HTTP/1.1\r\n\r\n", 24, MSG_NOSIGNAL);
		r = read_all(fd);
		CHECK(!strncmp(r, "HTTP/1.1 503 ", 13));
		free(r);
		close(fd);
		metrics__stop(m);
	} else {
		printf("  (no IPv6 loopback: %s)\n", err);
	}
	snprintf(cfg.listen, sizeof(cfg.listen), "localhost:0");
	m = metrics__start(&cfg, err, sizeof(err));
	CHECK(m != NULL);
	r = http(metrics__port(m), "GET /readyz HTTP/1.1\r\n\r\n", &st);
	CHECK_INT(st, 503);
	free(r);
	metrics__stop(m);
}

UNIT_TEST(metrics_endpoint)
{
	struct metrics *m = start_any_port();
	const char *json = "{\"rules\":{\"active\":46},\"caches\":{\"fd\":{\"size\":3}}}";
	int port = metrics__port(m), st;
	char *r;

	r = http(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &st);
	CHECK_INT(st, 200);
	CHECK(strstr(r, "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n") != NULL);
	CHECK(strstr(r, "\r\nConnection: close\r\n") != NULL);
	CHECK(strstr(body_of(r), "vigil_build_info{") != NULL);
	CHECK(!strstr(r, "vigil_rules_active"));
	free(r);
	metrics__publish(m, json, strlen(json));
	r = http(port, "GET /metrics?x=1 HTTP/1.0\r\n\r\n", &st);
	CHECK_INT(st, 200);
	CHECK(metrics_test_has_line(body_of(r), "vigil_rules_active 46"));
	CHECK(metrics_test_has_line(body_of(r), "vigil_cache_entries{cache=\"fd\"} 3"));
	CHECK_STR(metrics_test_check_format(body_of(r)), "");
	free(r);
	r = http(port, "HEAD /metrics HTTP/1.1\r\n\r\n", &st);
	CHECK_INT(st, 200);
	CHECK_STR(body_of(r), "");
	CHECK(!strstr(r, "Content-Length: 0\r\n"));
	free(r);
	metrics__publish(m, "not json", 8); /* a bad record still serves what needs none */
	r = http(port, "GET /metrics HTTP/1.1\r\n\r\n", &st);
	CHECK_INT(st, 200);
	CHECK(strstr(r, "vigil_build_info{") && !strstr(r, "vigil_rules_active"));
	free(r);
	metrics__stop(m);
}

UNIT_TEST(health_and_ready)
{
	struct metrics *m = start_any_port();
	int port = metrics__port(m), st;
	char *r;

	r = http(port, "GET /healthz HTTP/1.1\r\n\r\n", &st);
	CHECK_INT(st, 503);
	CHECK_STR(body_of(r), "not alive: no heartbeat from the main loop yet\n");
	free(r);
	metrics__heartbeat(m, boot_ns());
	r = http(port, "GET /healthz HTTP/1.1\r\n\r\n", &st);
	CHECK_INT(st, 200);
	CHECK_STR(body_of(r), "ok\n");
	free(r);
	metrics__heartbeat(m, boot_ns() - 6000000000ull);
	r = http(port, "GET /healthz HTTP/1.1\r\n\r\n", &st);
	CHECK_INT(st, 503);
	CHECK(strstr(body_of(r), "last heartbeat was 6.0 s ago") != NULL);
	free(r);
	r = http(port, "GET /readyz HTTP/1.1\r\n\r\n", &st);
	CHECK_INT(st, 503);
	CHECK_STR(body_of(r), "not ready: starting\n");
	free(r);
	metrics__set_ready(m, false, "rules not loaded yet");
	r = http(port, "GET /readyz HTTP/1.1\r\n\r\n", &st);
	CHECK_STR(body_of(r), "not ready: rules not loaded yet\n");
	free(r);
	metrics__set_ready(m, true, NULL);
	r = http(port, "GET /readyz HTTP/1.1\r\n\r\n", &st);
	CHECK_INT(st, 200);
	CHECK_STR(body_of(r), "ok\n");
	free(r);
	metrics__stop(m);
}

UNIT_TEST(bad_requests)
{
	static const struct {
		const char *req;
		int status;
	} cases[] = {
		{ "GET /nope HTTP/1.1\r\n\r\n", 404 },
		{ "GET / HTTP/1.1\r\n\r\n", 404 },
		{ "POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", 405 },
		{ "DELETE /healthz HTTP/1.1\r\n\r\n", 405 },
		{ "\x01\x02 hello\r\n\r\n", 400 },
		{ "GET /metrics HTTP/2.0\r\n\r\n", 505 },
		{ "GET /metrics\r\n\r\n", 400 },
		{ "GET metrics HTTP/1.1\r\n\r\n", 400 },
		{ "\r\n\r\n", 400 },
		{ "GET /a\x7f HTTP/1.1\r\n\r\n", 400 },
		{ "GET http://h:1/healthz?q HTTP/1.1\n\n", 503 },
		{ "GET /metrics HTTP/1.1\r\n", 400 }, /* EOF before the end of the headers */
		{ "", 0 },
	};
	struct metrics *m = start_any_port();
	int port = metrics__port(m), st;
	char *r, *big = malloc(HTTPD_REQ_MAX + 100);

	if (!big)
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int fd = dial(port);
		char *resp;

		/* half-close after the request, as a client that sends nothing more would */
		send(fd, cases[i].req, strlen(cases[i].req), MSG_NOSIGNAL);
		shutdown(fd, SHUT_WR);
		resp = read_all(fd);
		close(fd);
		st = 0;
		sscanf(resp, "HTTP/1.1 %d", &st);
		if (st != cases[i].status)
			printf("  case %zu: %d != %d\n", i, st, cases[i].status),
				unit_case_failed = 1;
		if (st == 405)
			CHECK(strstr(resp, "\r\nAllow: GET, HEAD\r\n") != NULL);
		free(resp);
	}
	memset(big, 'a', HTTPD_REQ_MAX + 100);
	memcpy(big, "GET /", 5);
	r = http_raw(port, big, HTTPD_REQ_MAX + 100, &st);
	CHECK_INT(st, 431);
	free(r);
	snprintf(big, HTTPD_REQ_MAX, "GET /%02000d HTTP/1.1\r\n\r\n", 7);
	r = http(port, big, &st);
	CHECK_INT(st, 414);
	free(r);
	for (int i = 0; i < 200; i++) /* random bytes, some with the end of a header block */
		big[i] = (char)(rand() & 0xff);
	memcpy(big + 200, "\r\n\r\n", 5);
	r = http_raw(port, big, 204, &st);
	CHECK(st == 400 || st == 505);
	free(r);
	r = http(port, "GET /healthz HTTP/1.1\r\n\r\n", &st);
	CHECK_INT(st, 503); /* still serving */
	free(r);
	free(big);
	metrics__stop(m);
}

/* A client that sends half a request and waits holds the server for HTTPD_TIMEOUT_MS at most
 * and gets 408; one that sends nothing is closed after as long; the next client is served
 * after both (one connection at a time: each idle one costs HTTPD_TIMEOUT_MS). */
UNIT_TEST(slow_client)
{
	struct metrics *m = start_any_port();
	int port = metrics__port(m), st, slow = dial(port), silent = dial(port);
	double t0 = now_s(), dt;
	char *r;

	send(slow, "GET /met", 8, MSG_NOSIGNAL);
	r = http(port, "GET /healthz HTTP/1.1\r\n\r\n", &st);
	dt = now_s() - t0;
	CHECK_INT(st, 503);
	CHECK(dt > 3.5 && dt < 7.5);
	free(r);
	r = read_all(slow);
	CHECK(!strncmp(r, "HTTP/1.1 408 ", 13));
	free(r);
	r = read_all(silent); /* sent nothing: closed with nothing */
	CHECK_STR(r, "");
	free(r);
	close(slow);
	close(silent);
	metrics__stop(m);
}

/* Stopping does not wait for a client that sends nothing. */
UNIT_TEST(stop_with_idle_client)
{
	struct metrics *m = start_any_port();
	int fd = dial(metrics__port(m));
	double t0;

	usleep(100 * 1000);
	t0 = now_s();
	metrics__stop(m);
	CHECK(now_s() - t0 < 1.0);
	close(fd);
}

struct publisher {
	struct metrics *m;
	volatile int stop;
};

static void *publish_loop(void *arg)
{
	struct publisher *p = arg;
	char json[256];

	for (unsigned i = 0; !p->stop; i++) {
		int n = snprintf(json, sizeof(json), "{\"rules\":{\"active\":%u}%*s}", i,
				 (int)(i % 50), "");

		metrics__publish(p->m, json, (size_t)n);
		metrics__heartbeat(p->m, boot_ns());
	}
	return NULL;
}

/* Scrapes while the main thread publishes as fast as it can (run under ASan). */
UNIT_TEST(publish_while_scraping)
{
	struct publisher p = { .m = start_any_port() };
	int port = metrics__port(p.m), st, ok = 0;
	pthread_t th;

	metrics__publish(p.m, "{\"rules\":{\"active\":0}}", 22);
	pthread_create(&th, NULL, publish_loop, &p);
	for (int i = 0; i < 50; i++) {
		char *r = http(port, "GET /metrics HTTP/1.1\r\n\r\n", &st);

		ok += st == 200 && strstr(r, "\nvigil_rules_active ") != NULL;
		free(r);
	}
	p.stop = 1;
	pthread_join(th, NULL);
	CHECK_INT(ok, 50);
	metrics__stop(p.m);
}

int main(void)
{
	return unit_run();
}
