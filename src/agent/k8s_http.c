/* SPDX-License-Identifier: Apache-2.0 */
/* GET requests to the API server over libcurl (k8s_http.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include "k8s_http.h"
#include "log.h"

#define TOKEN_BYTES_MAX	   (64u << 10) /* service account JWTs are ~1 KiB */
#define ERRBODY_BYTES_MAX  (16u << 10) /* a Status object; the rest is not needed */
#define CONNECT_TIMEOUT_MS 10000L
#define STALL_S		   60L /* a list that moves no byte for this long has failed */
#define KEEPIDLE_S	   30L /* a peer gone silently is found within ~2 min, not at timeout */
#define KEEPINTVL_S	   10L
#define URL_MAX		   8192

struct k8s_http {
	struct k8s_config kc; /* own copy, strings duplicated */
	atomic_bool *stop;
	CURLM *multi;
	CURL *easy;
	CURLcode setopt_err; /* first failed curl_easy_setopt, sticky */
	struct curl_slist *headers;
	char *token;	      /* the bearer token in use, NULL if none */
	struct stat token_st; /* of token_file when it was last read */
	bool token_known;     /* token_st is valid */
	bool token_warned;    /* an unreadable token file was reported */
	bool fresh_connect;   /* after a 401: maybe the client certificate changed too */
	/* per request */
	const struct k8s_http_req *req;
	long status;
	int body_rc;
	size_t errlen;
	char errbody[ERRBODY_BYTES_MAX + 1];
	char errbuf[CURL_ERROR_SIZE];
};

#define SETOPT(h, opt, val)                                                                        \
	do {                                                                                       \
		if ((h)->setopt_err == CURLE_OK)                                                   \
			(h)->setopt_err = curl_easy_setopt((h)->easy, opt, val);                   \
	} while (0)

char *k8s_escape(char *dst, size_t dstsz, const char *src, size_t len)
{
	size_t o = 0;

	if (!dstsz)
		return dst;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)src[i];
		char tmp[5];
		size_t n;

		if (ch == '"' || ch == '\\')
			n = (size_t)snprintf(tmp, sizeof(tmp), "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			n = (size_t)snprintf(tmp, sizeof(tmp), "\\x%02x", ch);
		else
			n = (size_t)snprintf(tmp, sizeof(tmp), "%c", ch);
		if (o + n + 4 > dstsz) { /* room for "..." and the NUL */
			if (o + 4 <= dstsz) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(dst + o, tmp, n);
		o += n;
	}
	dst[o < dstsz ? o : dstsz - 1] = 0;
	return dst;
}

int k8s_url_encode(char *dst, size_t dstsz, const char *src)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *src; src++) {
		unsigned char ch = (unsigned char)*src;
		bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
			     ch == '~';

		if (o + 4 > dstsz)
			return -ENAMETOOLONG;
		if (plain) {
			dst[o++] = (char)ch;
		} else {
			dst[o++] = '%';
			dst[o++] = hex[ch >> 4];
			dst[o++] = hex[ch & 15];
		}
	}
	if (!dstsz)
		return -ENAMETOOLONG;
	dst[o] = 0;
	return 0;
}

static int dup_str(char **dst, const char *src)
{
	*dst = src ? strdup(src) : NULL;
	return src && !*dst ? -ENOMEM : 0;
}

static int config_copy(struct k8s_config *dst, const struct k8s_config *src)
{
	*dst = *src;
	dst->token = dst->ca_data = dst->cert_data = dst->key_data = NULL;
	if (dup_str(&dst->token, src->token) || dup_str(&dst->ca_data, src->ca_data) ||
	    dup_str(&dst->cert_data, src->cert_data) || dup_str(&dst->key_data, src->key_data)) {
		k8s_config__free(dst);
		return -ENOMEM;
	}
	return 0;
}

/* A token goes into a header line: anything but visible ASCII could forge other headers. */
static bool token_valid(const char *t)
{
	for (; *t; t++) {
		if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
			return false;
	}
	return true;
}

/* Accept, and Authorization when there is a token. */
static int http__headers(struct k8s_http *h, const char *token)
{
	struct curl_slist *l, *n;
	char *auth;

	l = curl_slist_append(NULL, "Accept: application/json");
	if (!l)
		return -ENOMEM;
	if (token) {
		if (asprintf(&auth, "Authorization: Bearer %s", token) < 0)
			goto nomem;
		n = curl_slist_append(l, auth);
		explicit_bzero(auth, strlen(auth));
		free(auth);
		if (!n)
			goto nomem;
		l = n;
	}
	curl_slist_free_all(h->headers);
	h->headers = l;
	SETOPT(h, CURLOPT_HTTPHEADER, h->headers);
	return 0;
nomem:
	curl_slist_free_all(l);
	return -ENOMEM;
}

/* The whole file, trimmed; a token is one line of visible ASCII. */
static int token_read(const char *path, char **out, char *why, size_t whysz)
{
	char *buf = malloc(TOKEN_BYTES_MAX + 2), *s, *e; /* one byte more tells "too long" */
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	ssize_t n = -1;

	if (fd >= 0 && buf)
		n = read(fd, buf, TOKEN_BYTES_MAX + 1);
	if (n < 0) {
		rc = buf ? -errno : -ENOMEM;
		snprintf(why, whysz, "token file %.400s: cannot read: %s", path, strerror(-rc));
		goto out;
	}
	buf[n] = 0;
	for (s = buf; *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'; s++)
		;
	for (e = buf + n;
	     e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'); e--)
		;
	*e = 0;
	if ((size_t)n > TOKEN_BYTES_MAX || !*s || !token_valid(s)) {
		rc = -EINVAL;
		snprintf(why, whysz, "token file %.400s: %s", path,
			 *s ? "not a token (too long, or blanks inside)" : "empty");
		goto out;
	}
	memmove(buf, s, strlen(s) + 1);
	*out = buf, buf = NULL;
out:
	if (buf)
		explicit_bzero(buf, TOKEN_BYTES_MAX + 2);
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* A token file we cannot read while an earlier token is known: keep that token, say so once. */
static int http__token_keep(struct k8s_http *h, int rc, char *why, size_t whysz)
{
	if (!h->token)
		return rc == -ENOMEM ? rc : -EACCES;
	if (!h->token_warned)
		log_warn("kubernetes: %s; keeping the previous token", why);
	h->token_warned = true;
	memset(why, 0, whysz);
	return 0;
}

/*
 * Re-read the token file when it changed (kubelet rotates projected tokens by swapping a
 * symlink, so stat follows it). A failed read keeps the last good token, as client-go does:
 * a rotation caught half-way must not cost a working connection.
 */
static int http__token(struct k8s_http *h, char *why, size_t whysz)
{
	struct stat st;
	char *tok = NULL;
	int rc;

	if (!h->kc.token_file[0])
		return 0;
	if (stat(h->kc.token_file, &st) < 0) {
		rc = -errno;
		snprintf(why, whysz, "token file %.400s: %s", h->kc.token_file, strerror(errno));
		return http__token_keep(h, rc, why, whysz);
	}
	if (h->token_known && same_file(&st, &h->token_st))
		return 0;
	rc = token_read(h->kc.token_file, &tok, why, whysz);
	if (rc)
		return http__token_keep(h, rc, why, whysz);
	if (!h->token || strcmp(tok, h->token) != 0) {
		rc = http__headers(h, tok);
		if (rc) {
			free(tok);
			return rc;
		}
	}
	if (h->token)
		explicit_bzero(h->token, strlen(h->token));
	free(h->token);
	h->token = tok;
	h->token_st = st;
	h->token_known = true;
	h->token_warned = false;
	return 0;
}

static size_t http__write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct k8s_http *h = arg;
	size_t len = size * nmemb, room;
	int rc;

	if (!h->status)
		curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &h->status);
	if (h->status < 200 || h->status > 299) {
		room = ERRBODY_BYTES_MAX - h->errlen;
		memcpy(h->errbody + h->errlen, data, len < room ? len : room);
		h->errlen += len < room ? len : room;
		return len;
	}
	rc = h->req->body(h->req->ctx, data, len);
	if (rc < 0) {
		h->body_rc = rc;
		return 0; /* fewer bytes than given: libcurl aborts with CURLE_WRITE_ERROR */
	}
	return len;
}

/* The end of a response's headers: tell the caller a 2xx response has begun. */
static size_t http__header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct k8s_http *h = arg;
	size_t len = size * nmemb;
	long status = 0;

	if ((len == 2 && data[0] == '\r' && data[1] == '\n') || (len == 1 && data[0] == '\n')) {
		curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200 && status <= 299 && h->req->connected)
			h->req->connected(h->req->ctx);
	}
	return len;
}

/* Called at least once a second by libcurl, and at once after a wakeup. */
static int http__progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
			  curl_off_t ulnow)
{
	struct k8s_http *h = arg;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return atomic_load(h->stop) ? 1 : 0;
}

static void http__tls(struct k8s_http *h)
{
	struct curl_blob blob = { .flags = CURL_BLOB_COPY };
	const struct k8s_config *kc = &h->kc;

	SETOPT(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (kc->insecure) {
		SETOPT(h, CURLOPT_SSL_VERIFYPEER, 0L);
		SETOPT(h, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (kc->ca_data) {
		blob.data = kc->ca_data, blob.len = strlen(kc->ca_data);
		SETOPT(h, CURLOPT_CAINFO_BLOB, &blob);
	} else if (kc->ca_file[0]) {
		SETOPT(h, CURLOPT_CAINFO, kc->ca_file);
		SETOPT(h, CURLOPT_CA_CACHE_TIMEOUT, 0L); /* a rotated ca.crt counts at once */
	}
	/* the cluster's CA alone, as client-go: not also every public CA in /etc/ssl/certs */
	if (!kc->insecure && (kc->ca_data || kc->ca_file[0]))
		SETOPT(h, CURLOPT_CAPATH, NULL);
	if (kc->cert_data) {
		blob.data = kc->cert_data, blob.len = strlen(kc->cert_data);
		SETOPT(h, CURLOPT_SSLCERT_BLOB, &blob);
		SETOPT(h, CURLOPT_SSLCERTTYPE, "PEM");
	} else if (kc->cert_file[0]) {
		SETOPT(h, CURLOPT_SSLCERT, kc->cert_file);
	}
	if (kc->key_data) {
		blob.data = kc->key_data, blob.len = strlen(kc->key_data);
		SETOPT(h, CURLOPT_SSLKEY_BLOB, &blob);
		SETOPT(h, CURLOPT_SSLKEYTYPE, "PEM");
	} else if (kc->key_file[0]) {
		SETOPT(h, CURLOPT_SSLKEY, kc->key_file);
	}
}

static void http__options(struct k8s_http *h)
{
	SETOPT(h, CURLOPT_PROTOCOLS_STR, "https,http");
	SETOPT(h, CURLOPT_NOSIGNAL, 1L);
	/* a stop must not wait for a getaddrinfo() in the resolver thread to give up */
	SETOPT(h, CURLOPT_QUICK_EXIT, 1L);
	/* what the test server speaks is what runs; watches need no multiplexing here */
	SETOPT(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	SETOPT(h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	SETOPT(h, CURLOPT_TCP_KEEPALIVE, 1L);
	SETOPT(h, CURLOPT_TCP_KEEPIDLE, KEEPIDLE_S);
	SETOPT(h, CURLOPT_TCP_KEEPINTVL, KEEPINTVL_S);
	SETOPT(h, CURLOPT_ACCEPT_ENCODING, ""); /* gzip: a large list is a tenth of its size */
	SETOPT(h, CURLOPT_USERAGENT, "vigil");
	SETOPT(h, CURLOPT_ERRORBUFFER, h->errbuf);
	SETOPT(h, CURLOPT_WRITEFUNCTION, http__write);
	SETOPT(h, CURLOPT_WRITEDATA, h);
	SETOPT(h, CURLOPT_HEADERFUNCTION, http__header);
	SETOPT(h, CURLOPT_HEADERDATA, h);
	SETOPT(h, CURLOPT_NOPROGRESS, 0L);
	SETOPT(h, CURLOPT_XFERINFOFUNCTION, http__progress);
	SETOPT(h, CURLOPT_XFERINFODATA, h);
	http__tls(h);
}

int k8s_http__new(struct k8s_http **out, const struct k8s_config *kc, atomic_bool *stop)
{
	struct k8s_http *h = calloc(1, sizeof(*h));
	int rc = -ENOMEM;

	if (!h)
		return -ENOMEM;
	h->stop = stop;
	if (config_copy(&h->kc, kc))
		goto fail;
	h->multi = curl_multi_init();
	h->easy = curl_easy_init();
	if (!h->multi || !h->easy)
		goto fail;
	http__options(h);
	if (h->kc.token && !token_valid(h->kc.token)) {
		rc = -EINVAL;
		goto fail;
	}
	rc = http__headers(h, h->kc.token);
	if (rc)
		goto fail;
	rc = dup_str(&h->token, h->kc.token);
	if (rc)
		goto fail;
	if (h->setopt_err != CURLE_OK) {
		rc = h->setopt_err == CURLE_OUT_OF_MEMORY ? -ENOMEM : -EINVAL;
		goto fail;
	}
	*out = h;
	return 0;
fail:
	k8s_http__free(h);
	return rc;
}

void k8s_http__free(struct k8s_http *h)
{
	if (!h)
		return;
	if (h->easy)
		curl_easy_cleanup(h->easy);
	if (h->multi)
		curl_multi_cleanup(h->multi);
	curl_slist_free_all(h->headers);
	if (h->token)
		explicit_bzero(h->token, strlen(h->token));
	free(h->token);
	k8s_config__free(&h->kc);
	free(h);
}

void k8s_http__wakeup(struct k8s_http *h)
{
	curl_multi_wakeup(h->multi);
}

const char *k8s_http__server(const struct k8s_http *h)
{
	return h->kc.server;
}

/* Run the transfer on the multi handle, so that a wakeup interrupts its wait at once. */
static CURLcode http__perform(struct k8s_http *h, bool *stopped)
{
	CURLcode cc = CURLE_FAILED_INIT;
	CURLMcode mc;
	CURLMsg *msg;
	int running = 1, left;

	*stopped = false;
	if (curl_multi_add_handle(h->multi, h->easy) != CURLM_OK)
		return CURLE_OUT_OF_MEMORY;
	while (running) {
		mc = curl_multi_perform(h->multi, &running);
		if (mc != CURLM_OK || !running)
			break;
		if (atomic_load(h->stop)) {
			*stopped = true;
			break;
		}
		mc = curl_multi_poll(h->multi, NULL, 0, 1000, NULL);
		if (mc != CURLM_OK)
			break;
	}
	while ((msg = curl_multi_info_read(h->multi, &left))) {
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == h->easy)
			cc = msg->data.result;
	}
	curl_multi_remove_handle(h->multi, h->easy);
	return cc;
}

/* "HTTP 403 Forbidden: pods is forbidden: User ..." from a Status body, or its first bytes. */
static void http__status_reason(struct k8s_http *h, struct k8s_http_res *res)
{
	json_object *st, *msg = NULL, *why = NULL;
	char head[256];

	h->errbody[h->errlen] = 0;
	st = json_tokener_parse(h->errbody);
	if (st && json_object_is_type(st, json_type_object)) {
		json_object_object_get_ex(st, "message", &msg);
		json_object_object_get_ex(st, "reason", &why);
	}
	if (msg && json_object_is_type(msg, json_type_string)) {
		snprintf(res->reason, sizeof(res->reason), "HTTP %ld%s%s: %s", res->status,
			 why ? " " : "", why ? json_object_get_string(why) : "",
			 json_object_get_string(msg));
	} else {
		k8s_escape(head, sizeof(head), h->errbody, h->errlen < 200 ? h->errlen : 200);
		snprintf(res->reason, sizeof(res->reason), "HTTP %ld: \"%s\"", res->status, head);
	}
	json_object_put(st);
}

static void http__request_options(struct k8s_http *h, const struct k8s_http_req *req,
				  const char *url)
{
	SETOPT(h, CURLOPT_URL, url);
	SETOPT(h, CURLOPT_TIMEOUT, req->timeout_s);
	SETOPT(h, CURLOPT_LOW_SPEED_LIMIT, req->timeout_s ? 0L : 1L);
	SETOPT(h, CURLOPT_LOW_SPEED_TIME, req->timeout_s ? 0L : STALL_S);
	SETOPT(h, CURLOPT_FRESH_CONNECT, h->fresh_connect ? 1L : 0L);
}

static int http__result(struct k8s_http *h, CURLcode cc, bool stopped, struct k8s_http_res *res)
{
	res->curl_code = cc;
	curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &res->status);
	if (stopped || cc == CURLE_ABORTED_BY_CALLBACK) {
		snprintf(res->reason, sizeof(res->reason), "stopped");
		return -ECANCELED;
	}
	if (cc == CURLE_WRITE_ERROR && h->body_rc < 0)
		return h->body_rc;
	if (cc != CURLE_OK) {
		snprintf(res->reason, sizeof(res->reason), "%s",
			 h->errbuf[0] ? h->errbuf : curl_easy_strerror(cc));
		return cc == CURLE_OUT_OF_MEMORY ? -ENOMEM : -EIO;
	}
	if (res->status == 401) {
		h->token_known = false; /* re-read the token even if its file looks unchanged */
		h->fresh_connect = true;
	} else {
		h->fresh_connect = false;
	}
	if (res->status < 200 || res->status > 299)
		http__status_reason(h, res);
	return 0;
}

int k8s_http__get(struct k8s_http *h, const struct k8s_http_req *req, struct k8s_http_res *res)
{
	char url[URL_MAX];
	bool stopped;
	CURLcode cc;
	int rc, n;

	memset(res, 0, sizeof(*res));
	if (atomic_load(h->stop)) {
		snprintf(res->reason, sizeof(res->reason), "stopped");
		return -ECANCELED;
	}
	n = snprintf(url, sizeof(url), "%s%s", h->kc.server, req->path);
	if (n < 0 || n >= (int)sizeof(url)) {
		snprintf(res->reason, sizeof(res->reason), "request URL too long");
		return -ENAMETOOLONG;
	}
	rc = http__token(h, res->reason, sizeof(res->reason));
	if (rc)
		return rc;
	h->req = req;
	h->status = 0;
	h->body_rc = 0;
	h->errlen = 0;
	h->errbuf[0] = 0;
	http__request_options(h, req, url);
	if (h->setopt_err != CURLE_OK) {
		snprintf(res->reason, sizeof(res->reason), "curl: %s",
			 curl_easy_strerror(h->setopt_err));
		return -EINVAL;
	}
	cc = http__perform(h, &stopped);
	return http__result(h, cc, stopped, res);
}
