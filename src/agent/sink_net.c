/* SPDX-License-Identifier: Apache-2.0 */
/* Non-blocking client sockets for outputs (sink_net.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sink_net.h"

/* A peer that vanished without a FIN or RST (host down, cable cut) is found in ~1 minute
 * rather than at the first write that times out after the kernel's ~15 minute retries. */
#define KEEPIDLE_S  30
#define KEEPINTVL_S 10
#define KEEPCNT	    3

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

bool sink_net__is_ip(const char *s)
{
	unsigned char a[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

int sink_net__wait(int fd, short events, unsigned timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;
	struct pollfd p = {.fd = fd, .events = events};

	for (;;) {
		uint64_t now = now_ms();
		int r;

		if (now >= deadline)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)(deadline - now));
		if (r > 0)
			return 0; /* ready, or an error the next call on fd reports */
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static void net_keepalive(int fd)
{
	int on = 1, idle = KEEPIDLE_S, intvl = KEEPINTVL_S, cnt = KEEPCNT;

	/* best effort: without it a silent peer is still found by the write time limit */
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

/* One address: a non-blocking connect, so that a black-holed peer costs timeout_ms, not the
 * kernel's two minutes of SYN retries. Returns the fd or a negative errno. */
static int net_connect_one(const struct addrinfo *ai, unsigned timeout_ms)
{
	int fd, err = 0, soerr = 0;
	socklen_t sl = sizeof(soerr);

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS) {
			err = -errno;
			goto fail;
		}
		err = sink_net__wait(fd, POLLOUT, timeout_ms);
		if (!err && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
			err = -errno;
		else if (!err && soerr)
			err = -soerr;
		if (err)
			goto fail;
	}
	if (ai->ai_socktype == SOCK_STREAM) {
		int one = 1;

		net_keepalive(fd);
		/* writes are whole batches already: Nagle would only hold the last segment of
		 * each until the previous one is acknowledged (a delayed ACK: 40 ms or more) */
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	return fd;
fail:
	close(fd);
	return err;
}

static void net_addr_str(const struct addrinfo *ai, char *buf, size_t size)
{
	char h[INET6_ADDRSTRLEN], p[16];

	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, h, sizeof(h), p, sizeof(p),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(buf, size, "?");
	else if (ai->ai_family == AF_INET6)
		snprintf(buf, size, "[%s]:%s", h, p);
	else
		snprintf(buf, size, "%s:%s", h, p);
}

int sink_net__connect(const char *host, const char *port, int socktype, unsigned timeout_ms,
		      char *err, size_t errsz)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = socktype};
	struct addrinfo *res = NULL, *ai;
	uint64_t deadline = now_ms() + timeout_ms;
	int gai, sys_errno, fd = -EHOSTUNREACH;
	char addr[80];

	gai = getaddrinfo(host, port, &hints, &res);
	sys_errno = errno;
	if (gai != 0) {
		snprintf(err, errsz, "resolve %s: %s", host,
			 gai == EAI_SYSTEM ? strerror(sys_errno) : gai_strerror(gai));
		return gai == EAI_SYSTEM && sys_errno ? -sys_errno : -EHOSTUNREACH;
	}
	snprintf(err, errsz, "resolve %s: no address", host);
	for (ai = res; ai; ai = ai->ai_next) {
		uint64_t now = now_ms();

		if (now >= deadline) {
			fd = -ETIMEDOUT;
			break;
		}
		fd = net_connect_one(ai, (unsigned)(deadline - now));
		if (fd >= 0)
			break;
		net_addr_str(ai, addr, sizeof(addr));
		snprintf(err, errsz, "connect %s: %s", addr, strerror(-fd));
	}
	freeaddrinfo(res);
	return fd;
}

int sink_net__write(int fd, const void *buf, size_t len, unsigned timeout_ms, size_t *written)
{
	const char *p = buf;
	size_t off = 0;
	int err = 0;

	while (off < len) {
		ssize_t n = send(fd, p + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			err = -errno;
			break;
		}
		err = sink_net__wait(fd, POLLOUT, timeout_ms);
		if (err)
			break;
	}
	*written = off;
	return err;
}

int sink_net__peer_closed(int fd, bool peek_only)
{
	char scratch[4096];

	/* bounded: a peer that keeps talking is not worth more than a few reads per batch */
	for (int i = 0; i < 16; i++) {
		ssize_t n = recv(fd, scratch, sizeof(scratch), MSG_PEEK | MSG_DONTWAIT);

		if (n == 0)
			return 1;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : 1;
		}
		if (peek_only)
			return 2;
		/* a syslog receiver says nothing; whatever it did say is dropped so that a FIN
		 * behind it can be seen */
		if (recv(fd, scratch, (size_t)n, MSG_DONTWAIT) < 0 && errno != EINTR &&
		    errno != EAGAIN && errno != EWOULDBLOCK)
			return 1;
	}
	return 0;
}
