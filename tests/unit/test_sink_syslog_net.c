/* SPDX-License-Identifier: Apache-2.0 */
/* The syslog sink over real loopback sockets: UDP datagrams, TCP octet-counted frames, a peer
 * that closed, a peer that stops reading, a port nobody listens on. */
#define UNIT_MAIN
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "syslog_fixture.h"
#include "unit.h"

/* A loopback socket bound to a free port; its port in *port. */
static int loopback(int type, int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0), small = 4096;

	if (fd < 0)
		return -1;
	/* a small window, so that a peer that does not read fills up soon */
	if (type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 8) < 0) ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static void *new_sink(const char *scheme, int port, unsigned timeout_ms)
{
	struct vg_output o;
	char addr[64], err[512] = "";
	void *s;

	snprintf(addr, sizeof(addr), "%s://127.0.0.1:%d", scheme, port);
	output_init(&o, addr, "");
	o.timeout_ms = timeout_ms;
	s = sink_syslog__new(&o, "vm", err, sizeof(err));
	if (!s)
		printf("  sink_syslog__new(%s): %s\n", addr, err);
	return s;
}

/* Everything a stream peer sends until it closes. */
struct reader {
	int fd;
	char *buf;
	size_t len, cap;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;

	for (;;) {
		ssize_t n;

		if (r->len == r->cap) {
			char *p = realloc(r->buf, r->cap ? r->cap * 2 : 65536);

			if (!p)
				break;
			r->buf = p;
			r->cap = r->cap ? r->cap * 2 : 65536;
		}
		n = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (n <= 0)
			break;
		r->len += (size_t)n;
	}
	return NULL;
}

/* Count the complete RFC 6587 octet-counted frames in buf, checking that each is the message
 * of recs[i]; the count, or -1 at the first wrong one. */
static int check_frames(void *s, const char *buf, size_t len, struct out_rec **recs, size_t n)
{
	size_t off = 0, i = 0;

	while (off < len && i < n) {
		char *end, *want;
		unsigned long flen = strtoul(buf + off, &end, 10);
		int ok;

		if (end == buf + off || (size_t)(end - buf) >= len || *end != ' ')
			return -1;
		if ((size_t)(end + 1 - buf) + flen > len)
			break; /* cut short */
		want = format_rec(s, recs[i]);
		ok = strlen(want) == flen && memcmp(want, end + 1, flen) == 0;
		format_free(want);
		if (!ok)
			return -1;
		off = (size_t)(end + 1 - buf) + flen;
		i++;
	}
	return (int)i;
}

static struct out_rec **sample_batch(size_t n)
{
	static const char *const files[] = {"alert.json", "event_open.json", "stats.json"};
	static const int kinds[] = {OUT_ALERT, OUT_EVENT, OUT_STATS};
	struct out_rec **recs = calloc(n, sizeof(*recs));

	for (size_t i = 0; recs && i < n; i++)
		recs[i] = fixture_rec(files[i % 3], kinds[i % 3], 4);
	return recs;
}

static void free_batch(struct out_rec **recs, size_t n)
{
	for (size_t i = 0; recs && i < n; i++)
		free(recs[i]);
	free(recs);
}

UNIT_TEST(udp_one_datagram_per_message)
{
	int port, fd = loopback(SOCK_DGRAM, &port);
	void *s = new_sink("udp", port, 1000);
	struct out_rec **recs = sample_batch(3);
	unsigned rejected = 0;
	char buf[65536];

	CHECK(fd >= 0 && s != NULL);
	CHECK_INT(sink_syslog_ops.connect(s), 0);
	CHECK_INT(sink_syslog_ops.send(s, recs, 3, &rejected), 3);
	for (int i = 0; i < 3; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
		char *want = format_rec(s, recs[i]);

		CHECK(n > 0 && (size_t)n == strlen(want) && memcmp(buf, want, (size_t)n) == 0);
		format_free(want);
	}
	CHECK_INT(rejected, 0);
	CHECK_INT(sink_syslog__truncated(s), 0);
	free_batch(recs, 3);
	sink_syslog_ops.free(s);
	close(fd);
}

UNIT_TEST(udp_over_ipv6)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct out_rec **recs = sample_batch(1);
	struct vg_output o;
	char addr[64], err[256], buf[8192];
	unsigned rejected = 0;
	void *s;

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0) {
		printf("  SKIP udp_over_ipv6: no IPv6 loopback\n");
		if (fd >= 0)
			close(fd);
		free_batch(recs, 1);
		return;
	}
	snprintf(addr, sizeof(addr), "udp://[::1]:%d", ntohs(a.sin6_port));
	output_init(&o, addr, "");
	s = sink_syslog__new(&o, "vm", err, sizeof(err));
	CHECK(s != NULL);
	CHECK_INT(sink_syslog_ops.connect(s), 0);
	CHECK_INT(sink_syslog_ops.send(s, recs, 1, &rejected), 1);
	CHECK(recv(fd, buf, sizeof(buf), 0) > 0 && strncmp(buf, "<12>1 ", 6) == 0);
	free_batch(recs, 1);
	sink_syslog_ops.free(s);
	close(fd);
}

UNIT_TEST(udp_long_message_is_cut_on_a_character)
{
	int port, fd = loopback(SOCK_DGRAM, &port);
	void *s = new_sink("udp", port, 1000);
	static char line[20001], buf[65536];
	struct out_rec *r;
	unsigned rejected = 0;
	ssize_t n;

	for (size_t i = 0; i + 2 <= 20000; i += 2) /* "é" = c3 a9, from some odd offset on */
		memcpy(line + i, i < 10 ? "aa" : "\xc3\xa9", 2);
	line[20000] = '\0';
	r = text_rec(OUT_EVENT, 6, line);
	CHECK_INT(sink_syslog_ops.connect(s), 0);
	CHECK_INT(sink_syslog_ops.send(s, &r, 1, &rejected), 1);
	n = recv(fd, buf, sizeof(buf), 0);
	CHECK(n >= SINK_SYSLOG_UDP_MAX - 1 && n <= SINK_SYSLOG_UDP_MAX);
	CHECK(n > 0 && (unsigned char)buf[n - 1] == 0xa9); /* no half character at the end */
	CHECK_INT(sink_syslog__truncated(s), 1);
	free(r);
	sink_syslog_ops.free(s);
	close(fd);
}

UNIT_TEST(udp_closed_port_is_an_error_then)
{
	int port, fd = loopback(SOCK_DGRAM, &port);
	void *s;
	struct out_rec **recs = sample_batch(1);
	unsigned rejected = 0;
	int rc = 0;

	close(fd); /* nobody listens there now */
	s = new_sink("udp", port, 1000);
	CHECK_INT(sink_syslog_ops.connect(s), 0);
	/* the first datagram goes; the ICMP port unreachable it meets fails a later send */
	for (int i = 0; i < 50 && rc >= 0; i++) {
		rc = sink_syslog_ops.send(s, recs, 1, &rejected);
		usleep(10000);
	}
	CHECK_INT(rc, -ECONNREFUSED);
	free_batch(recs, 1);
	sink_syslog_ops.free(s);
}

UNIT_TEST(tcp_batch_in_octet_counted_frames)
{
	enum { N = 700 }; /* more than one write's worth of frames */
	int port, lfd = loopback(SOCK_STREAM, &port);
	void *s = new_sink("tcp", port, 2000);
	struct out_rec **recs = sample_batch(N);
	struct reader rd = {0};
	unsigned rejected = 0;
	pthread_t th;

	CHECK_INT(sink_syslog_ops.connect(s), 0);
	rd.fd = accept(lfd, NULL, NULL);
	CHECK(pthread_create(&th, NULL, reader_main, &rd) == 0);
	CHECK_INT(sink_syslog_ops.send(s, recs, 100, &rejected), 100);
	CHECK_INT(sink_syslog_ops.send(s, recs + 100, N - 100, &rejected), N - 100);
	sink_syslog_ops.disconnect(s);
	pthread_join(th, NULL);
	CHECK_INT(check_frames(s, rd.buf, rd.len, recs, N), N);
	CHECK(rd.len > 0 && rd.buf[rd.len - 1] == '}'); /* nothing after the last frame */
	free(rd.buf);
	close(rd.fd);
	free_batch(recs, N);
	sink_syslog_ops.free(s);
	close(lfd);
}

UNIT_TEST(tcp_peer_closed_is_seen_before_writing)
{
	int port, lfd = loopback(SOCK_STREAM, &port), afd;
	void *s = new_sink("tcp", port, 2000);
	struct out_rec **recs = sample_batch(2);
	unsigned rejected = 0;
	char buf[8192];

	CHECK_INT(sink_syslog_ops.connect(s), 0);
	afd = accept(lfd, NULL, NULL);
	close(afd);
	usleep(20000); /* the FIN arrives */
	CHECK_INT(sink_syslog_ops.send(s, recs, 2, &rejected), -ECONNRESET);
	CHECK_INT(sink_syslog_ops.send(s, recs, 2, &rejected), -ENOTCONN);
	/* reconnected, both go, and nothing went into the dead connection */
	CHECK_INT(sink_syslog_ops.connect(s), 0);
	afd = accept(lfd, NULL, NULL);
	CHECK_INT(sink_syslog_ops.send(s, recs, 2, &rejected), 2);
	sink_syslog_ops.disconnect(s);
	{
		ssize_t n, len = 0;

		while ((n = read(afd, buf + len, sizeof(buf) - (size_t)len)) > 0)
			len += n;
		CHECK_INT(check_frames(s, buf, (size_t)len, recs, 2), 2);
	}
	close(afd);
	free_batch(recs, 2);
	sink_syslog_ops.free(s);
	close(lfd);
}

UNIT_TEST(tcp_peer_that_stops_reading_times_out_with_a_count)
{
	enum { N = 3000 };
	int port, lfd = loopback(SOCK_STREAM, &port), afd, got;
	void *s = new_sink("tcp", port, 200);
	struct out_rec **recs = calloc(N, sizeof(*recs));
	static char line[4000];
	struct reader rd = {0};
	unsigned rejected = 0;
	int rc;

	memset(line, 'x', sizeof(line) - 1);
	for (int i = 0; recs && i < N; i++)
		recs[i] = text_rec(OUT_EVENT, 6, line);
	CHECK_INT(sink_syslog_ops.connect(s), 0);
	afd = accept(lfd, NULL, NULL);
	rc = sink_syslog_ops.send(s, recs, N, &rejected);
	CHECK(rc > 0 && rc < N); /* those the kernel took */
	CHECK_INT(sink_syslog_ops.send(s, recs, 1, &rejected), -ENOTCONN); /* it hung up */
	rd.fd = afd;
	reader_main(&rd);
	got = check_frames(s, rd.buf, rd.len, recs, N);
	CHECK_INT(got, rc); /* every frame counted arrived whole; the next one was cut */
	free(rd.buf);
	close(afd);
	free_batch(recs, N);
	sink_syslog_ops.free(s);
	close(lfd);
}

UNIT_TEST(tcp_connect_failures)
{
	int port, lfd = loopback(SOCK_STREAM, &port);
	void *s;
	unsigned rejected = 0;
	struct out_rec **recs = sample_batch(1);

	close(lfd);
	s = new_sink("tcp", port, 1000);
	CHECK_INT(sink_syslog_ops.send(s, recs, 1, &rejected), -ENOTCONN); /* never connected */
	CHECK_INT(sink_syslog_ops.connect(s), -ECONNREFUSED);
	CHECK_INT(sink_syslog_ops.connect(s), -ECONNREFUSED); /* logged once, see stderr */
	free_batch(recs, 1);
	sink_syslog_ops.free(s);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	return unit_run();
}
