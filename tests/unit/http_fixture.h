/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A tiny HTTP/1.1 server on 127.0.0.1 for the HTTP forwarders' tests: one thread, one
 * connection at a time (kept alive, as libcurl keeps it), answers from a script of replies
 * (status, body, delay, or dropping the connection without a word), and records each request's
 * path, Content-Type, one chosen header and body.
 *
 *   struct tsrv s; tsrv__start(&s); tsrv__script(&s, 500, "oops");  ... tsrv__stop(&s);
 */
#ifndef VIGIL_HTTP_FIXTURE_H
#define VIGIL_HTTP_FIXTURE_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TSRV_MAX     64
#define TSRV_REQ_MAX (8u << 20)

struct tsrv_reply {
	int status; /* 0: drop the connection instead of answering */
	const char *body;
	int delay_ms;
	const char *header; /* one more header line, "Name: value", or NULL */
};

struct tsrv_req {
	char path[512], ctype[128], header[256];
	char *body;
	size_t len;
};

struct tsrv {
	int lfd, port;
	pthread_t th;
	atomic_bool stop;
	bool running;
	pthread_mutex_t lock;
	struct tsrv_reply script[TSRV_MAX];
	size_t nscript, next;
	struct tsrv_reply dflt;
	const char *want_header; /* recorded in req.header, "Name" */
	struct tsrv_req req[TSRV_MAX];
	size_t nreq;
	unsigned conns;
};

static inline void tsrv__script(struct tsrv *s, int status, const char *body, int delay_ms)
{
	pthread_mutex_lock(&s->lock);
	if (s->nscript < TSRV_MAX)
		s->script[s->nscript++] = (struct tsrv_reply){status, body, delay_ms, NULL};
	pthread_mutex_unlock(&s->lock);
}

/* The next reply carries one more header line. */
static inline void tsrv__script_header(struct tsrv *s, int status, const char *header)
{
	pthread_mutex_lock(&s->lock);
	if (s->nscript < TSRV_MAX)
		s->script[s->nscript++] = (struct tsrv_reply){status, "", 0, header};
	pthread_mutex_unlock(&s->lock);
}

static inline struct tsrv_reply tsrv__next(struct tsrv *s)
{
	struct tsrv_reply r;

	pthread_mutex_lock(&s->lock);
	r = s->next < s->nscript ? s->script[s->next++] : s->dflt;
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* Read into buf until the headers end; returns the header length (up to the blank line) or
 * -1 at EOF, error or stop. *have is what was read, maybe with some body already. */
static inline int tsrv__read_head(struct tsrv *s, int fd, char *buf, size_t cap, size_t *have)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char *end;
	ssize_t n;

	*have = 0;
	while (!atomic_load(&s->stop)) {
		if (poll(&p, 1, 50) <= 0)
			continue;
		n = recv(fd, buf + *have, cap - 1 - *have, 0);
		if (n <= 0)
			return -1;
		*have += (size_t)n;
		buf[*have] = 0;
		end = strstr(buf, "\r\n\r\n");
		if (end)
			return (int)(end - buf) + 4;
		if (*have >= cap - 1)
			return -1;
	}
	return -1;
}

static inline void tsrv__header(const char *head, const char *name, char *out, size_t outsz)
{
	size_t nl = strlen(name);

	out[0] = 0;
	for (const char *l = strstr(head, "\r\n"); l && l[2]; l = strstr(l + 2, "\r\n")) {
		if (!strncasecmp(l + 2, name, nl) && l[2 + nl] == ':') {
			const char *v = l + 3 + nl, *e = strstr(v, "\r\n");

			while (*v == ' ')
				v++;
			snprintf(out, outsz, "%.*s", (int)(e ? e - v : (long)strlen(v)), v);
			return;
		}
	}
}

static inline int tsrv__read_body(int fd, char *buf, size_t have, size_t want)
{
	ssize_t n;

	while (have < want) {
		n = recv(fd, buf + have, want - have, 0);
		if (n <= 0)
			return -1;
		have += (size_t)n;
	}
	return 0;
}

static inline void tsrv__record(struct tsrv *s, const char *head, const char *body, size_t len)
{
	struct tsrv_req *r;

	pthread_mutex_lock(&s->lock);
	if (s->nreq < TSRV_MAX) {
		r = &s->req[s->nreq++];
		sscanf(head, "%*s %511s", r->path);
		tsrv__header(head, "Content-Type", r->ctype, sizeof(r->ctype));
		if (s->want_header)
			tsrv__header(head, s->want_header, r->header, sizeof(r->header));
		r->body = malloc(len + 1);
		memcpy(r->body, body, len);
		r->body[len] = 0;
		r->len = len;
	}
	pthread_mutex_unlock(&s->lock);
}

static inline void tsrv__sleep(struct tsrv *s, int ms)
{
	struct timespec ts = {0, 10 * 1000000L};

	for (int i = 0; i < ms / 10 && !atomic_load(&s->stop); i++)
		nanosleep(&ts, NULL);
}

/* One request on fd; false when the connection is over. */
static inline bool tsrv__one(struct tsrv *s, int fd, char *buf)
{
	struct tsrv_reply r;
	char cl[32], out[512];
	size_t have, want;
	int hl = tsrv__read_head(s, fd, buf, TSRV_REQ_MAX, &have);

	if (hl < 0)
		return false;
	buf[hl - 2] = 0; /* the headers as one string, ending in one CRLF */
	tsrv__header(buf, "Content-Length", cl, sizeof(cl));
	want = (size_t)strtoul(cl, NULL, 10);
	if (want > TSRV_REQ_MAX - (size_t)hl || tsrv__read_body(fd, buf + hl, have - hl, want))
		return false;
	tsrv__record(s, buf, buf + hl, want);
	r = tsrv__next(s);
	tsrv__sleep(s, r.delay_ms);
	if (!r.status)
		return false;
	snprintf(out, sizeof(out),
		 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n%s%s\r\n",
		 r.status, r.body ? strlen(r.body) : 0, r.header ? r.header : "",
		 r.header ? "\r\n" : "");
	if (send(fd, out, strlen(out), MSG_NOSIGNAL) < 0 ||
	    (r.body && send(fd, r.body, strlen(r.body), MSG_NOSIGNAL) < 0))
		return false;
	return true;
}

static inline void *tsrv__thread(void *arg)
{
	struct tsrv *s = arg;
	struct pollfd p = {.fd = s->lfd, .events = POLLIN};
	char *buf = malloc(TSRV_REQ_MAX + 1);
	int fd;

	while (buf && !atomic_load(&s->stop)) {
		if (poll(&p, 1, 50) <= 0)
			continue;
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		pthread_mutex_lock(&s->lock);
		s->conns++;
		pthread_mutex_unlock(&s->lock);
		while (tsrv__one(s, fd, buf))
			;
		close(fd);
	}
	free(buf);
	return NULL;
}

static inline int tsrv__start(struct tsrv *s)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->dflt = (struct tsrv_reply){200, "{}", 0};
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) || listen(s->lfd, 8) ||
	    getsockname(s->lfd, (struct sockaddr *)&a, &alen))
		return -errno;
	s->port = ntohs(a.sin_port);
	s->running = !pthread_create(&s->th, NULL, tsrv__thread, s);
	return s->running ? 0 : -EAGAIN;
}

/* Stop answering and listening: a client now finds the port closed. */
static inline void tsrv__halt(struct tsrv *s)
{
	if (!s->running)
		return;
	atomic_store(&s->stop, true);
	pthread_join(s->th, NULL);
	close(s->lfd);
	s->running = false;
}

static inline void tsrv__stop(struct tsrv *s)
{
	tsrv__halt(s);
	for (size_t i = 0; i < s->nreq; i++)
		free(s->req[i].body);
	pthread_mutex_destroy(&s->lock);
}

static inline size_t tsrv__nreq(struct tsrv *s)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = s->nreq;
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* Forget what was recorded and scripted. */
static inline void tsrv__reset(struct tsrv *s)
{
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->nreq; i++)
		free(s->req[i].body);
	s->nreq = s->nscript = s->next = 0;
	pthread_mutex_unlock(&s->lock);
}

#endif /* VIGIL_HTTP_FIXTURE_H */
