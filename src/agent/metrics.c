// SPDX-License-Identifier: Apache-2.0
/*
 * The metrics server: one thread, one connection at a time (metrics.h says why that is
 * enough), serving /metrics from the latest published stats record and /healthz, /readyz
 * from the main loop's heartbeat and readiness.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "httpd.h"
#include "log.h"
#include "metrics.h"

#define METRICS_SNAPSHOT_MAX (8u << 20) /* a larger stats record is not kept */
#define METRICS_STALL_NS (5ull * 1000000000) /* /healthz fails past this without a heartbeat */
#define PROM_CTYPE "text/plain; version=0.0.4; charset=utf-8"
#define TEXT_CTYPE "text/plain; charset=utf-8"

struct metrics {
	struct vg_metrics_cfg cfg;
	int fd, wake_fd, port;
	pthread_t thread;
	pthread_mutex_t lock; /* snap*, ready, why_not */
	char *snap;
	size_t snap_len, snap_cap;
	bool ready;
	char why_not[256];
	uint64_t heartbeat_ns; /* atomic; CLOCK_BOOTTIME of the main loop's last heartbeat */
	uint64_t snap_too_big; /* publications refused (main thread only) */
	/* the server thread's own */
	char *copy;
	size_t copy_cap;
	struct metrics_buf out;
	struct metrics_state state;
	uint64_t bad_snapshots, accept_errors;
};

static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void respond_text(int fd, int status, const char *extra, const char *text, bool head)
{
	httpd__respond(fd, status, TEXT_CTYPE, extra, text, strlen(text), head);
}

/* Copy the snapshot out under the lock and render outside it, so a scrape never holds up
 * metrics__publish for longer than a memcpy. */
static size_t take_snapshot(struct metrics *m)
{
	size_t len = 0;

	pthread_mutex_lock(&m->lock);
	if (m->snap_len > m->copy_cap) {
		char *p = realloc(m->copy, m->snap_len);

		if (p) {
			m->copy = p;
			m->copy_cap = m->snap_len;
		}
	}
	if (m->snap_len <= m->copy_cap) {
		len = m->snap_len;
		if (len)
			memcpy(m->copy, m->snap, len);
	}
	pthread_mutex_unlock(&m->lock);
	return len;
}

static void serve_metrics(struct metrics *m, int fd, bool head)
{
	size_t len = take_snapshot(m);
	char msg[128];
	int rc;

	metrics_buf__reset(&m->out);
	rc = metrics_render(m->copy, len, &m->cfg, &m->state, &m->out);
	if (rc == -EINVAL && m->bad_snapshots++ == 0)
		log_warn("metrics: the published stats record is not a JSON object; /metrics "
			 "serves only the families that need none");
	if (m->out.err) {
		snprintf(msg, sizeof(msg), "metrics: cannot render: %s\n", strerror(-m->out.err));
		respond_text(fd, 500, "", msg, head);
		return;
	}
	httpd__respond(fd, 200, PROM_CTYPE, "", m->out.data ? m->out.data : "", m->out.len, head);
}

static void serve_healthz(struct metrics *m, int fd, bool head)
{
	uint64_t hb = __atomic_load_n(&m->heartbeat_ns, __ATOMIC_RELAXED), now = boot_ns();
	char msg[160];

	if (!hb) {
		respond_text(fd, 503, "", "not alive: no heartbeat from the main loop yet\n", head);
	} else if (now > hb && now - hb >= METRICS_STALL_NS) {
		snprintf(msg, sizeof(msg),
			 "not alive: the main loop's last heartbeat was %.1f s ago\n",
			 (now - hb) / 1e9);
		respond_text(fd, 503, "", msg, head);
	} else {
		respond_text(fd, 200, "", "ok\n", head);
	}
}

static void serve_readyz(struct metrics *m, int fd, bool head)
{
	char msg[300];
	bool ready;

	pthread_mutex_lock(&m->lock);
	ready = m->ready;
	snprintf(msg, sizeof(msg), "not ready: %s\n", m->why_not);
	pthread_mutex_unlock(&m->lock);
	respond_text(fd, ready ? 200 : 503, "", ready ? "ok\n" : msg, head);
}

static void serve(struct metrics *m, int fd)
{
	static const struct {
		const char *path;
		void (*fn)(struct metrics *m, int fd, bool head);
	} routes[] = {
		{ "/metrics", serve_metrics },
		{ "/healthz", serve_healthz },
		{ "/readyz", serve_readyz },
	};
	struct http_req req;
	int st = httpd__read_request(fd, m->wake_fd, &req);
	bool head = !strcmp(req.method, "HEAD");

	if (st != 200) {
		if (st)
			respond_text(fd, st, "", httpd__reason(st), false);
		return;
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(req.path, routes[i].path))
			continue;
		if (!head && strcmp(req.method, "GET"))
			respond_text(fd, 405, "Allow: GET, HEAD\r\n", "only GET and HEAD\n", false);
		else
			routes[i].fn(m, fd, head);
		return;
	}
	respond_text(fd, 404, "", "not found: try /metrics, /healthz or /readyz\n", head);
}

/* Out of descriptors or memory: say so once, and back off instead of spinning on poll. */
static void accept_failed(struct metrics *m, int err)
{
	struct pollfd p = { m->wake_fd, POLLIN, 0 };

	if (err == EINTR || err == EAGAIN || err == ECONNABORTED || err == EPROTO)
		return;
	if (m->accept_errors++ == 0)
		log_warn("metrics: accept: %s (backing off; logged once)", strerror(err));
	poll(&p, 1, 100);
}

static void *metrics__thread(void *arg)
{
	struct metrics *m = arg;

	for (;;) {
		struct pollfd p[2] = { { m->fd, POLLIN, 0 }, { m->wake_fd, POLLIN, 0 } };
		int cfd;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_error("metrics: poll: %s; the metrics server stops", strerror(errno));
			break;
		}
		if (p[1].revents)
			break;
		if (!p[0].revents)
			continue;
		cfd = accept4(m->fd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0) {
			accept_failed(m, errno);
			continue;
		}
		serve(m, cfd);
		httpd__close(cfd);
	}
	return NULL;
}

/* The thread takes no signals: they stay with the main thread, which handles them. */
static int start_thread(struct metrics *m)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&m->thread, NULL, metrics__thread, m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!rc)
		pthread_setname_np(m->thread, "vigil-metrics");
	return rc;
}

struct metrics *metrics__start(const struct vg_metrics_cfg *cfg, char *err, size_t errsz)
{
	struct metrics *m;
	char why[256];
	int rc;

	err[0] = '\0';
	if (!cfg->listen[0])
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errsz, "metrics: out of memory");
		return NULL;
	}
	m->cfg = *cfg;
	m->wake_fd = -1;
	m->fd = httpd__listen(cfg->listen, &m->port, why, sizeof(why));
	if (m->fd < 0) {
		snprintf(err, errsz, "metrics.listen: %s", why);
		free(m);
		return NULL;
	}
	m->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&m->lock, NULL);
	snprintf(m->why_not, sizeof(m->why_not), "starting");
	metrics_buf__init(&m->out, METRICS_BUF_MAX);
	rc = m->wake_fd < 0 ? -errno : start_thread(m);
	if (rc) {
		snprintf(err, errsz, "metrics: cannot start the server: %s", strerror(-rc));
		close(m->fd);
		if (m->wake_fd >= 0)
			close(m->wake_fd);
		pthread_mutex_destroy(&m->lock);
		free(m);
		return NULL;
	}
	log_info("metrics: /metrics, /healthz and /readyz on %s (port %d)", cfg->listen, m->port);
	return m;
}

int metrics__port(const struct metrics *m)
{
	return m ? m->port : -1;
}

void metrics__publish(struct metrics *m, const char *stats_json, size_t len)
{
	if (!m || !stats_json)
		return;
	if (len > METRICS_SNAPSHOT_MAX) {
		if (m->snap_too_big++ == 0)
			log_warn("metrics: a stats record of %zu bytes is over %u: /metrics "
				 "keeps the previous one (logged once)", len, METRICS_SNAPSHOT_MAX);
		return;
	}
	pthread_mutex_lock(&m->lock);
	if (len > m->snap_cap) {
		char *p = realloc(m->snap, len);

		if (!p) {
			pthread_mutex_unlock(&m->lock);
			return;
		}
		m->snap = p;
		m->snap_cap = len;
	}
	memcpy(m->snap, stats_json, len);
	m->snap_len = len;
	pthread_mutex_unlock(&m->lock);
}

void metrics__heartbeat(struct metrics *m, uint64_t now_boot_ns)
{
	if (m)
		__atomic_store_n(&m->heartbeat_ns, now_boot_ns ? now_boot_ns : 1, __ATOMIC_RELAXED);
}

void metrics__set_ready(struct metrics *m, bool ready, const char *why_not)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->ready = ready;
	snprintf(m->why_not, sizeof(m->why_not), "%s", why_not ? why_not : "not ready");
	pthread_mutex_unlock(&m->lock);
}

void metrics__stop(struct metrics *m)
{
	uint64_t one = 1;

	if (!m)
		return;
	if (write(m->wake_fd, &one, sizeof(one)) != sizeof(one))
		log_warn("metrics: cannot wake the server thread: %s", strerror(errno));
	pthread_join(m->thread, NULL);
	close(m->fd);
	close(m->wake_fd);
	pthread_mutex_destroy(&m->lock);
	metrics_buf__free(&m->out);
	free(m->snap);
	free(m->copy);
	free(m);
}
