/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP forwarders (sink_http.h): configuration, the libcurl handle, one POST, status handling,
 * and the falco format (one alert per request). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "k8s_http.h"
#include "log.h"
#include "sink_http.h"
#include "sink_http_int.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Kept NUL terminated, so a response can be read as a string. */
void http_buf__put(struct http_buf *b, const void *s, size_t n)
{
	size_t cap;
	char *p;

	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		for (cap = b->cap ? b->cap : 4096; cap < b->len + n + 1; cap *= 2)
			;
		p = realloc(b->p, cap);
		if (!p) {
			b->err = -ENOMEM;
			return;
		}
		b->p = p, b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

void http_buf__puts(struct http_buf *b, const char *s)
{
	http_buf__put(b, s, strlen(s));
}

void http_buf__free(struct http_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

bool http_ratelim__allow(struct http_ratelim *r, uint64_t now_ns, unsigned *held)
{
	if (r->next_ns && now_ns < r->next_ns) {
		r->held++;
		return false;
	}
	*held = r->held;
	r->held = 0;
	r->next_ns = now_ns + r->interval_ns;
	return true;
}

enum http_verdict http_status__verdict(long status)
{
	if (status >= 200 && status <= 299)
		return HTTP_DELIVERED;
	if (status == 413)
		return HTTP_TOO_BIG;
	if (status >= 400 && status <= 499 && status != 408 && status != 429)
		return HTTP_REJECTED;
	return HTTP_RETRY;
}

unsigned http_retry_after__ms(const char *value, time_t now)
{
	const unsigned day_s = 86400;
	unsigned long s = 0;
	time_t t;

	while (value && (*value == ' ' || *value == '\t'))
		value++;
	if (!value || !*value)
		return 0;
	if (*value >= '0' && *value <= '9') {
		for (; *value >= '0' && *value <= '9'; value++)
			if ((s = s * 10 + (unsigned long)(*value - '0')) > day_s)
				s = day_s;
		while (*value == ' ' || *value == '\t')
			value++;
		return *value ? 0 : (unsigned)s * 1000;
	}
	t = curl_getdate(value, NULL);
	if (t <= now)
		return 0;
	return (unsigned)(t - now > day_s ? day_s : t - now) * 1000;
}

/* The response's Retry-After, in ms (0 without one). */
static unsigned http__retry_after(struct sink_http *h)
{
	struct curl_header *hd;

	if (curl_easy_header(h->easy, "Retry-After", 0, CURLH_HEADER, -1, &hd) != CURLHE_OK)
		return 0;
	return http_retry_after__ms(hd->value, time(NULL));
}

int http_status__errno(long status)
{
	if (status == 429)
		return -EBUSY;
	if (status == 408)
		return -ETIMEDOUT;
	if (status >= 500 && status <= 599)
		return -EIO;
	return -EPROTO; /* 1xx, 3xx: not an answer we can act on */
}

static int curl__errno(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return -EHOSTUNREACH;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return -ECONNRESET;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		return -EPROTO;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

static const char *held_text(unsigned held, char *buf)
{
	if (!held)
		return "";
	snprintf(buf, 64, " (and %u more like it since the last such line)", held);
	return buf;
}

void sink_http__log_fail(struct sink_http *h, const char *fmt, ...)
{
	char msg[512], heldbuf[64];
	unsigned held;
	va_list ap;

	if (!http_ratelim__allow(&h->fail_log, mono_ns(), &held))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warn("output %s: %s: %s%s", h->name, h->url_log, msg, held_text(held, heldbuf));
}

void sink_http__log_reject(struct sink_http *h, size_t n, const char *why)
{
	char heldbuf[64];
	unsigned held;

	if (http_ratelim__allow(&h->rej_log, mono_ns(), &held))
		log_warn("output %s: %s refused %zu record(s) for good, not sent again: %s%s",
			 h->name, h->url_log, n, why, held_text(held, heldbuf));
}

/* "HTTP 400: <the start of the body>", printable, for a log line. */
static void http__why(struct sink_http *h, long status, char *why, size_t whysz)
{
	char body[HTTP_BODY_LOG * 4 + 4];
	size_t len = h->resp.len < HTTP_BODY_LOG ? h->resp.len : HTTP_BODY_LOG;

	k8s_escape(body, sizeof(body), h->resp.p ? h->resp.p : "", len);
	snprintf(why, whysz, "HTTP %ld: %s", status, body);
}

static size_t http__write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink_http *h = arg;
	size_t len = size * nmemb, room = HTTP_RESP_MAX - h->resp.len;

	if (len > room)
		h->resp_cut = true;
	http_buf__put(&h->resp, data, len < room ? len : room);
	return len; /* the rest is read and dropped, so the connection can be kept */
}

#define SETOPT(c, opt, val) (rc = rc ? rc : curl_easy_setopt((c), (opt), (val)))

static CURLcode http__tls(struct sink_http *h, CURL *c)
{
	CURLcode rc = CURLE_OK;

	SETOPT(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (h->insecure) {
		SETOPT(c, CURLOPT_SSL_VERIFYPEER, 0L);
		SETOPT(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (h->ca_file) {
		SETOPT(c, CURLOPT_CAINFO, h->ca_file);
		SETOPT(c, CURLOPT_CA_CACHE_TIMEOUT, 0L); /* a rotated CA counts at once */
	}
	if (h->cert_file)
		SETOPT(c, CURLOPT_SSLCERT, h->cert_file);
	if (h->key_file)
		SETOPT(c, CURLOPT_SSLKEY, h->key_file);
	return rc;
}

/* A fresh handle with every option; requests only set their body. */
static int http__easy(struct sink_http *h)
{
	CURL *c = curl_easy_init();
	CURLcode rc = CURLE_OK;

	if (!c)
		return -ENOMEM;
	SETOPT(c, CURLOPT_URL, h->url);
	SETOPT(c, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(c, CURLOPT_NOSIGNAL, 1L);
	SETOPT(c, CURLOPT_TIMEOUT_MS, h->timeout_ms);
	SETOPT(c, CURLOPT_CONNECTTIMEOUT_MS, h->timeout_ms);
	SETOPT(c, CURLOPT_TCP_KEEPALIVE, 1L);
	SETOPT(c, CURLOPT_USERAGENT, "vigil/" VIGIL_VERSION);
	SETOPT(c, CURLOPT_HTTPHEADER, h->headers);
	SETOPT(c, CURLOPT_POST, 1L);
	SETOPT(c, CURLOPT_ERRORBUFFER, h->errbuf);
	SETOPT(c, CURLOPT_WRITEFUNCTION, http__write);
	SETOPT(c, CURLOPT_WRITEDATA, h);
	if (rc == CURLE_OK)
		rc = http__tls(h, c);
	if (rc != CURLE_OK) {
		curl_easy_cleanup(c);
		return rc == CURLE_OUT_OF_MEMORY ? -ENOMEM : -EINVAL;
	}
	h->easy = c;
	return 0;
}

int sink_http__post(struct sink_http *h, const char *body, size_t len, long *status)
{
	CURLcode c;
	int rc = h->easy ? 0 : http__easy(h);

	if (rc)
		return rc;
	h->resp.len = 0;
	h->resp.err = 0;
	h->resp_cut = false;
	h->retry_after_ms = 0;
	h->errbuf[0] = 0;
	if (curl_easy_setopt(h->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len) ||
	    curl_easy_setopt(h->easy, CURLOPT_POSTFIELDS, body))
		return -ENOMEM;
	c = curl_easy_perform(h->easy);
	if (c != CURLE_OK) {
		sink_http__log_fail(h, "%s", h->errbuf[0] ? h->errbuf : curl_easy_strerror(c));
		return curl__errno(c);
	}
	*status = 0;
	curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, status);
	if (http_status__verdict(*status) == HTTP_RETRY)
		h->retry_after_ms = http__retry_after(h);
	if (!h->resp.p)
		http_buf__put(&h->resp, "", 0); /* an empty body still reads as "" */
	return 0;
}

/* falco: each record is its own request, as Falco's http_output posts each alert. */
static int http__send_each(struct sink_http *h, struct out_rec *const *recs, size_t n,
			   unsigned *rejected)
{
	char why[HTTP_BODY_LOG * 4 + 32];
	long status;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = sink_http__post(h, recs[i]->line, recs[i]->len, &status);
		if (rc)
			return i ? (int)i : rc;
		switch (http_status__verdict(status)) {
		case HTTP_DELIVERED:
			break;
		case HTTP_REJECTED:
		case HTTP_TOO_BIG:
			http__why(h, status, why, sizeof(why));
			sink_http__log_reject(h, 1, why);
			(*rejected)++;
			break;
		case HTTP_RETRY:
			http__why(h, status, why, sizeof(why));
			sink_http__log_fail(h, "%s", why);
			return i ? (int)i : http_status__errno(status);
		}
	}
	return (int)n;
}

/* Shared by the batch formats: the verdict of a whole-request status that is not 2xx. */
int sink_http__batch_status(struct sink_http *h, long status, size_t n, unsigned *rejected)
{
	char why[HTTP_BODY_LOG * 4 + 32];

	http__why(h, status, why, sizeof(why));
	switch (http_status__verdict(status)) {
	case HTTP_DELIVERED:
		return (int)n;
	case HTTP_TOO_BIG:
		return -E2BIG;
	case HTTP_REJECTED:
		sink_http__log_reject(h, n, why);
		*rejected += (unsigned)n;
		return (int)n;
	default:
		sink_http__log_fail(h, "%s", why);
		return http_status__errno(status);
	}
}

/*
 * A batch format: one request for the batch, halved while the peer says 413 (a proxy in
 * front of Elasticsearch often takes 1 MiB at most), down to a single record, which is then
 * refused for good. The rest of the batch goes on at the size that passed.
 */
static int http__send_batch(struct sink_http *h, struct out_rec *const *recs, size_t n,
			    unsigned *rejected)
{
	size_t done = 0, chunk = n, m;
	int rc = 0;

	while (done < n) {
		m = n - done < chunk ? n - done : chunk;
		if (h->fmt == HTTP_FMT_ES)
			rc = sink_http__send_bulk(h, recs + done, m, rejected);
		else
			rc = sink_http__send_otlp(h, recs + done, m, rejected);
		if (rc == -E2BIG && m > 1) {
			chunk = (m + 1) / 2;
			continue;
		}
		if (rc == -E2BIG) {
			sink_http__log_reject(h, 1, "HTTP 413: a single record is too large");
			(*rejected)++;
			rc = 1;
		}
		if (rc < 0)
			break;
		done += (size_t)rc;
		if ((size_t)rc < m)
			break;
	}
	if (h->req.cap > HTTP_BUF_KEEP)
		http_buf__free(&h->req);
	return done ? (int)done : rc;
}

static int http__send(void *impl, struct out_rec *const *recs, size_t n, unsigned *rejected)
{
	struct sink_http *h = impl;

	if (!n)
		return 0;
	if (h->fmt == HTTP_FMT_FALCO)
		return http__send_each(h, recs, n, rejected);
	return http__send_batch(h, recs, n, rejected);
}

/* libcurl connects lazily on the first request; here only the handle is made again. */
static int http__connect(void *impl)
{
	struct sink_http *h = impl;

	return h->easy ? 0 : http__easy(h);
}

/* Dropping the handle closes its connections: the next request starts afresh (say, after
 * the peer restarted behind the same address). */
static void http__disconnect(void *impl)
{
	struct sink_http *h = impl;

	if (h->easy)
		curl_easy_cleanup(h->easy);
	h->easy = NULL;
}

static void http__free(void *impl)
{
	struct sink_http *h = impl;

	if (!h)
		return;
	http__disconnect(h);
	curl_slist_free_all(h->headers);
	http_buf__free(&h->req);
	http_buf__free(&h->resp);
	sink_http__otlp_free(h);
	free(h->ca_file);
	free(h->cert_file);
	free(h->key_file);
	free(h);
	curl_global_cleanup();
}

static unsigned http__retry_after_ms(void *impl)
{
	return ((struct sink_http *)impl)->retry_after_ms;
}

const struct sink_ops sink_http_ops = {
    .kind = "http",
    .connect = http__connect,
    .send = http__send,
    .disconnect = http__disconnect,
    .retry_after_ms = http__retry_after_ms,
    .free = http__free,
};

const char *sink_http__url(const void *impl)
{
	return ((const struct sink_http *)impl)->url;
}

void *sink_http__new(const struct vg_output *o, const char *hostname, char *err, size_t errsz)
{
	struct sink_http *h;
	int rc;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errsz, "output %s: libcurl cannot be initialised", o->name);
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		curl_global_cleanup();
		snprintf(err, errsz, "output %s: out of memory", o->name);
		return NULL;
	}
	snprintf(h->hostname, sizeof(h->hostname), "%s", hostname ? hostname : "");
	rc = sink_http__configure(h, o, err, errsz);
	if (!rc) {
		rc = http__easy(h);
		if (rc)
			snprintf(err, errsz, "output %s: %s", o->name,
				 rc == -ENOMEM ? "out of memory" : "libcurl refused an option");
	}
	if (rc) {
		http__free(h);
		return NULL;
	}
	return h;
}
