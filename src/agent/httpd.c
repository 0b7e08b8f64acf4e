// SPDX-License-Identifier: Apache-2.0
/*
 * A minimal HTTP/1.1 server's parts, for the metrics endpoint. Everything a client sends is
 * untrusted: the request must fit in HTTPD_REQ_MAX and arrive within HTTPD_TIMEOUT_MS, and
 * whatever else it is, it gets an error status, never a crash or a stuck thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "httpd.h"

#define HTTPD_SEND_TIMEOUT_MS 5000 /* a client that does not read its response is dropped */
#define HTTPD_LINGER_MS 200

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int parse_port(const char *s, int *port)
{
	long v = 0;

	if (!*s || strlen(s) > 5)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (*s - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*port = (int)v;
	return 0;
}

/* Split "HOST:PORT" / "[V6]:PORT" into host and *port_s; *v6: it was bracketed. NULL, or
 * what is wrong. */
static const char *split_addr(const char *spec, char *host, size_t hsz, const char **port_s,
			      bool *v6)
{
	const char *h = spec, *end, *colon;

	*v6 = spec[0] == '[';
	if (*v6) {
		h = spec + 1;
		end = strchr(h, ']');
		if (!end || end[1] != ':')
			return "an IPv6 address is written [ADDRESS]:PORT";
		colon = end + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon)
			return "expected HOST:PORT";
		end = colon;
		if (memchr(spec, ':', (size_t)(colon - spec)))
			return "an IPv6 address is written [ADDRESS]:PORT";
	}
	if ((size_t)(end - h) >= hsz)
		return "host too long";
	memcpy(host, h, (size_t)(end - h));
	host[end - h] = '\0';
	*port_s = colon + 1;
	return NULL;
}

int httpd__parse_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len, char *err,
		      size_t errsz)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char host[64];
	const char *why, *port_s;
	bool v6;
	int port;

	memset(ss, 0, sizeof(*ss));
	why = split_addr(spec, host, sizeof(host), &port_s, &v6);
	if (!why && parse_port(port_s, &port))
		why = "the port must be a number from 0 to 65535";
	if (!why && v6) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			why = "not an IPv6 address";
	} else if (!why) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*len = sizeof(*in4);
		if (!host[0])
			in4->sin_addr.s_addr = htonl(INADDR_ANY);
		else if (!strcmp(host, "localhost"))
			in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		else if (inet_pton(AF_INET, host, &in4->sin_addr) != 1)
			why = "the host must be an IPv4 address, [IPv6 address] or localhost";
	}
	if (!why)
		return 0;
	snprintf(err, errsz, "listen address \"%s\": %s", spec, why);
	return -EINVAL;
}

static int bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int httpd__listen(const char *spec, int *port, char *err, size_t errsz)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1, rc;

	rc = httpd__parse_addr(spec, &ss, &len, err, errsz);
	if (rc)
		return rc;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errsz, "listen address \"%s\": socket: %s", spec, strerror(-rc));
		return rc;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 16) < 0) {
		rc = -errno;
		snprintf(err, errsz, "cannot listen on \"%s\": %s", spec, strerror(-rc));
		close(fd);
		return rc;
	}
	*port = bound_port(fd);
	return fd;
}

/* 1 when fd is readable, 0 at the deadline, -ECANCELED when cancel_fd is. */
static int wait_in(int fd, int cancel_fd, int64_t deadline)
{
	struct pollfd p[2] = { { fd, POLLIN, 0 }, { cancel_fd, POLLIN, 0 } };
	int64_t left;
	int rc;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return 0;
		rc = poll(p, cancel_fd >= 0 ? 2 : 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return -errno;
		if (cancel_fd >= 0 && p[1].revents)
			return -ECANCELED;
		if (rc > 0)
			return 1;
	}
}

static bool is_token(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

/* The target's path: origin-form ("/metrics?x") or absolute-form ("http://h:1/metrics"). */
static int parse_target(const char *t, size_t n, struct http_req *req)
{
	const char *scheme = memchr(t, ':', n), *auth, *p;
	size_t plen;

	if (scheme && n - (size_t)(scheme - t) >= 3 && !memcmp(scheme, "://", 3)) {
		auth = scheme + 3;
		p = memchr(auth, '/', n - (size_t)(auth - t));
		n = p ? n - (size_t)(p - t) : 1;
		t = p ? p : "/";
	}
	if (!n || t[0] != '/')
		return 400;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] <= ' ' || t[i] == 0x7f)
			return 400;
	plen = strcspn(t, "?#");
	plen = plen < n ? plen : n;
	if (plen >= sizeof(req->path))
		return 414;
	memcpy(req->path, t, plen);
	req->path[plen] = '\0';
	return 200;
}

/* "METHOD SP TARGET SP HTTP/1.x" */
static int parse_request_line(const char *line, size_t n, struct http_req *req)
{
	const char *sp1 = memchr(line, ' ', n), *sp2, *ver;
	size_t vlen;
	int st;

	if (!sp1)
		return 400;
	sp2 = memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - line));
	if (!sp2 || (size_t)(sp1 - line) >= sizeof(req->method) ||
	    !is_token(line, (size_t)(sp1 - line)))
		return 400;
	memcpy(req->method, line, (size_t)(sp1 - line));
	req->method[sp1 - line] = '\0';
	st = parse_target(sp1 + 1, (size_t)(sp2 - sp1 - 1), req);
	if (st != 200)
		return st;
	ver = sp2 + 1;
	vlen = n - (size_t)(ver - line);
	if (vlen == 8 && !memcmp(ver, "HTTP/1.", 7) && ver[7] >= '0' && ver[7] <= '9')
		return 200;
	return vlen >= 5 && !memcmp(ver, "HTTP/", 5) ? 505 : 400;
}

static int parse_request(const char *buf, size_t len, struct http_req *req)
{
	const char *nl = memchr(buf, '\n', len);
	size_t n = (size_t)(nl - buf);

	if (n && buf[n - 1] == '\r')
		n--;
	if (memchr(buf, '\0', n))
		return 400;
	return parse_request_line(buf, n, req);
}

/* Where the header block ends ("\r\n\r\n" or "\n\n"), or 0 while it has not. */
static size_t header_end(const char *buf, size_t len)
{
	const char *p;

	if ((p = memmem(buf, len, "\r\n\r\n", 4)))
		return (size_t)(p - buf) + 4;
	if ((p = memmem(buf, len, "\n\n", 2)))
		return (size_t)(p - buf) + 2;
	return 0;
}

int httpd__read_request(int fd, int cancel_fd, struct http_req *req)
{
	char buf[HTTPD_REQ_MAX];
	int64_t deadline = now_ms() + HTTPD_TIMEOUT_MS;
	size_t len = 0;
	ssize_t n;
	int rc;

	memset(req, 0, sizeof(*req));
	while (!header_end(buf, len)) {
		if (len == sizeof(buf))
			return 431;
		rc = wait_in(fd, cancel_fd, deadline);
		if (rc == 0)
			return len ? 408 : 0;
		if (rc < 0)
			return 0;
		n = recv(fd, buf + len, sizeof(buf) - len, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return n == 0 && len ? 400 : 0;
		len += (size_t)n;
	}
	return parse_request(buf, len, req);
}

static int send_all(int fd, const char *p, size_t len, int64_t deadline)
{
	while (len) {
		struct pollfd pf = { fd, POLLOUT, 0 };
		int64_t left = deadline - now_ms();
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pf, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
		n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

const char *httpd__reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

int httpd__respond(int fd, int status, const char *ctype, const char *extra_headers,
		   const char *body, size_t len, bool head)
{
	int64_t deadline = now_ms() + HTTPD_SEND_TIMEOUT_MS;
	char hdr[512];
	int n, rc;

	n = snprintf(hdr, sizeof(hdr),
		     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		     "Connection: close\r\n%s\r\n",
		     status, httpd__reason(status), ctype, len, extra_headers ? extra_headers : "");
	if (n < 0 || (size_t)n >= sizeof(hdr))
		return -EOVERFLOW;
	rc = send_all(fd, hdr, (size_t)n, deadline);
	if (!rc && !head && len)
		rc = send_all(fd, body, len, deadline);
	return rc;
}

void httpd__close(int fd)
{
	int64_t deadline = now_ms() + HTTPD_LINGER_MS;
	char scratch[4096];
	size_t total = 0;

	if (shutdown(fd, SHUT_WR) == 0) {
		while (total < 16 * sizeof(scratch) && wait_in(fd, -1, deadline) > 0) {
			ssize_t n = recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT);

			if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN)))
				break;
			total += n > 0 ? (size_t)n : 0;
		}
	}
	close(fd);
}
