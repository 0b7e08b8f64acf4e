/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One list or one watch request of the pod watcher (k8s_watch_int.h): list pages parsed as
 * they arrive, the watch stream framed into lines and each line parsed as one watch event.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "k8s_http.h"
#include "k8s_pod.h"
#include "k8s_watch_int.h"
#include "log.h"

#define LINE_MIN_CAP (64u << 10)

static const char *obj_str(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static json_object *obj_member(json_object *obj, const char *key, enum json_type type)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

static bool only_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	}
	return true;
}

/* ---- pods ---- */

/* Convert and hand over. A pod that does not convert is skipped: one bad object must not
 * stop the watch, and re-reading it would not fix it (a DELETED one was refused when it was
 * added, too). Only a stop or a lack of memory fails, and then the event is seen again. */
static int watch__pod(struct k8s_watch *w, json_object *obj, enum k8s_op op)
{
	json_object *meta = obj_member(obj, "metadata", json_type_object);
	const char *ns = meta ? obj_str(meta, "namespace") : NULL;
	const char *name = meta ? obj_str(meta, "name") : NULL;
	struct k8s_pod *pod = NULL;
	char err[256];
	uint64_t n;
	int rc;

	rc = k8s_pod__from_json(obj, &pod, err, sizeof(err));
	if (rc == -ENOMEM)
		return k8s_watch__fail(w->att, rc, "memory", "pod %s/%s: out of memory",
				       ns ? ns : "?", name ? name : "?");
	if (rc) {
		pthread_mutex_lock(&w->lock);
		n = ++w->st.pod_errors;
		pthread_mutex_unlock(&w->lock);
		/* the first ten, then every power of two: a pod updated in a loop is not a flood */
		if (n <= 10 || !(n & (n - 1)))
			log_warn("kubernetes: pod %s/%s skipped: %s (%llu pods skipped so far)",
				 ns ? ns : "?", name ? name : "?", err, (unsigned long long)n);
		return 0;
	}
	rc = k8s_watch__push(w, op, pod);
	if (rc)
		k8s_pod__free(pod);
	return rc;
}

/* A 2xx response began: the attempt reached the server, whatever happens next. */
static void watch__connected(void *ctx)
{
	struct k8s_watch *w = ctx;

	w->att->connected = true;
	k8s_watch__healthy(w);
}

/* json-c's tokener keeps the buffer its longest string needed: after a large request it is
 * replaced, so that an idle watcher holds nothing large. */
static void watch__renew_tokener(struct k8s_watch *w)
{
	struct json_tokener *t = json_tokener_new_ex(K8S_JSON_DEPTH);

	if (!t)
		return; /* the old one still works */
	json_tokener_free(w->tok);
	w->tok = t;
}

/* ---- list ---- */

/* List body bytes, parsed as they come: the page is never held twice. */
static int list__body(void *ctx, const char *data, size_t len)
{
	struct k8s_watch *w = ctx;
	enum json_tokener_error jerr;
	json_object *obj;
	size_t end;

	w->page_bytes += len;
	if (w->page_bytes > K8S_LIST_PAGE_MAX)
		return -EFBIG;
	if (w->page)
		return only_space(data, len) ? 0 : -EBADMSG;
	obj = json_tokener_parse_ex(w->tok, data, (int)len);
	if (!obj) {
		jerr = json_tokener_get_error(w->tok);
		return jerr == json_tokener_continue ? 0 : -EBADMSG;
	}
	w->page = obj;
	end = json_tokener_get_parse_end(w->tok);
	return only_space(data + end, len - end) ? 0 : -EBADMSG;
}

static void list__page_free(struct k8s_watch *w)
{
	bool big = w->page_bytes > K8S_LINE_KEEP;

	json_object_put(w->page);
	w->page = NULL;
	w->page_bytes = 0;
	json_tokener_reset(w->tok);
	/* glibc keeps a freed tree in this thread's arena; give a big one back to the system */
	if (big)
		malloc_trim(0);
}

/* GET one page into w->page. Returns 0, or fills a and returns a->rc. */
static int list__get(struct k8s_watch *w, struct k8s_attempt *a, const char *path, bool cont)
{
	struct k8s_http_req req = { .path = path, .body = list__body,
				    .connected = watch__connected, .ctx = w };
	struct k8s_http_res res;
	char key[32];
	int rc;

	list__page_free(w);
	rc = k8s_http__get(w->http, &req, &res);
	if (rc == -ECANCELED)
		return a->rc = rc;
	if (rc == -EFBIG || rc == -EBADMSG)
		return k8s_watch__fail(a, -EBADMSG, "list body", "list: %s",
				       rc == -EFBIG ? "page larger than 64 MiB" : "malformed JSON");
	if (rc) {
		snprintf(key, sizeof(key), "curl %d", res.curl_code);
		return k8s_watch__fail(a, rc, key, "list: %s",
				       res.reason[0] ? res.reason : strerror(-rc));
	}
	if (res.status == 410 && cont)
		return k8s_watch__fail(a, -ESTALE, "410", "list: continue token expired (%s)",
				       res.reason);
	if (res.status != 200) {
		snprintf(key, sizeof(key), "http %ld", res.status);
		return k8s_watch__fail(a, -EPROTO, key, "list: %s", res.reason);
	}
	if (!w->page)
		return k8s_watch__fail(a, -EBADMSG, "list body", "list: body ended early");
	return 0;
}

/* Hand over one page's pods; the next page's continue token and the list's RV out. */
static int list__page(struct k8s_watch *w, struct k8s_attempt *a, char *cont, size_t contsz,
		      char *rv)
{
	json_object *meta = obj_member(w->page, "metadata", json_type_object);
	json_object *items = obj_member(w->page, "items", json_type_array);
	const char *page_rv = meta ? obj_str(meta, "resourceVersion") : NULL;
	const char *next = meta ? obj_str(meta, "continue") : NULL;
	int rc;

	if (!items || !page_rv || strlen(page_rv) >= K8S_RV_MAX || (next && strlen(next) >= contsz))
		return k8s_watch__fail(a, -EBADMSG, "list body",
				       "list: not a PodList with "
				       "metadata.resourceVersion and items");
	strcpy(rv, page_rv);
	snprintf(cont, contsz, "%s", next ? next : "");
	if (!w->resync_begun) {
		rc = k8s_watch__push(w, K8S_RESYNC_BEGIN, NULL);
		if (rc)
			return a->rc = rc;
		w->resync_begun = true;
	}
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		rc = watch__pod(w, json_object_array_get_idx(items, i), K8S_UPSERT);
		if (rc)
			return a->rc = rc;
	}
	return 0;
}

static void list__done(struct k8s_watch *w, const char *rv)
{
	struct timespec ts;

	snprintf(w->rv, sizeof(w->rv), "%s", rv);
	clock_gettime(CLOCK_BOOTTIME, &ts);
	pthread_mutex_lock(&w->lock);
	w->st.lists++;
	if (!w->st.synced) {
		w->st.synced = 1;
		w->st.synced_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	}
	pthread_mutex_unlock(&w->lock);
}

void k8s_watch__list(struct k8s_watch *w, struct k8s_attempt *a)
{
	char cont[4096] = "", enc[12288], path[16384], rv[K8S_RV_MAX];
	int rc;

	w->resync_begun = false; /* every attempt begins anew: see k8s_watch.h */
	w->att = a;
	do {
		if (k8s_url_encode(enc, sizeof(enc), cont)) {
			rc = k8s_watch__fail(a, -EBADMSG, "list body", "list: continue too long");
			break;
		}
		snprintf(path, sizeof(path), "/api/v1/pods?%s&limit=%d%s%s", w->selector,
			 K8S_LIST_LIMIT, cont[0] ? "&continue=" : "", enc);
		rc = list__get(w, a, path, cont[0] != 0);
		if (!rc) {
			pthread_mutex_lock(&w->lock);
			w->st.list_pages++;
			if (w->page_bytes > w->st.list_bytes)
				w->st.list_bytes = w->page_bytes;
			pthread_mutex_unlock(&w->lock);
			rc = list__page(w, a, cont, sizeof(cont), rv);
		}
		list__page_free(w);
	} while (!rc && cont[0]);
	w->att = NULL;
	watch__renew_tokener(w);
	if (rc)
		return;
	/* counted first: whoever sees RESYNC_END also sees the list in the stats */
	list__done(w, rv);
	a->rc = k8s_watch__push(w, K8S_RESYNC_END, NULL);
}

/* ---- watch ---- */

/* The first bytes of the line that broke the stream, once per connection (we drop it). */
static int watch__malformed(struct k8s_watch *w, const char *line, size_t n, const char *what)
{
	char esc[1024];

	K8S_COUNT(w, parse_errors);
	log_warn("kubernetes: %s: watch stream: %s after resourceVersion %s: \"%s\" (%zu bytes); "
		 "watching again from there",
		 w->server, what, w->rv, k8s_escape(esc, sizeof(esc), line, n < 200 ? n : 200), n);
	w->att->reported = true;
	return k8s_watch__fail(w->att, -EBADMSG, "malformed", "malformed watch event");
}

/* An ERROR event carries a Status: 410 means our resourceVersion is gone, relist. */
static int watch__error(struct k8s_watch *w, json_object *status)
{
	json_object *code = obj_member(status, "code", json_type_int);
	const char *msg = obj_str(status, "message"), *reason = obj_str(status, "reason");
	int c = code ? json_object_get_int(code) : 0;
	char key[32];

	if (c == 410)
		return k8s_watch__fail(w->att, -ESTALE, "410", "resourceVersion %s is too old (%s)",
				       w->rv, msg ? msg : "410 Gone");
	snprintf(key, sizeof(key), "error event %d", c);
	return k8s_watch__fail(w->att, -EREMOTEIO, key, "watch ERROR event %d %s: %s", c,
			       reason ? reason : "", msg ? msg : "(no message)");
}

static void watch__set_rv(struct k8s_watch *w, json_object *obj)
{
	json_object *meta = obj_member(obj, "metadata", json_type_object);
	const char *rv = meta ? obj_str(meta, "resourceVersion") : NULL;

	if (rv && *rv && strlen(rv) < sizeof(w->rv))
		strcpy(w->rv, rv);
}

static int watch__event(struct k8s_watch *w, json_object *ev, const char *line, size_t n)
{
	const char *type = obj_str(ev, "type");
	json_object *obj = obj_member(ev, "object", json_type_object);
	int rc = 0;

	if (!type || !obj)
		return watch__malformed(w, line, n, "not a watch event (type, object)");
	if (!strcmp(type, "ADDED") || !strcmp(type, "MODIFIED") || !strcmp(type, "DELETED")) {
		K8S_COUNT(w, events);
		rc = watch__pod(w, obj, type[0] == 'D' ? K8S_DELETE : K8S_UPSERT);
	} else if (!strcmp(type, "BOOKMARK")) {
		K8S_COUNT(w, bookmarks);
	} else if (!strcmp(type, "ERROR")) {
		return watch__error(w, obj);
	} else {
		return watch__malformed(w, line, n, "unknown event type");
	}
	if (rc)
		return rc;
	/* only now: a stop before the hand-over must see this event again */
	watch__set_rv(w, obj);
	w->att->delivered++;
	return 0;
}

static int watch__line(struct k8s_watch *w, const char *line, size_t n)
{
	json_object *ev;
	size_t end;
	int rc;

	if (only_space(line, n))
		return 0;
	json_tokener_reset(w->tok);
	ev = json_tokener_parse_ex(w->tok, line, (int)n);
	end = ev ? json_tokener_get_parse_end(w->tok) : 0;
	if (!ev || !only_space(line + end, n - end) || !json_object_is_type(ev, json_type_object)) {
		json_object_put(ev);
		return watch__malformed(w, line, n, "malformed JSON");
	}
	rc = watch__event(w, ev, line, n);
	json_object_put(ev);
	if (n > K8S_LINE_KEEP)
		malloc_trim(0); /* see list__page_free */
	return rc;
}

static int line_append(struct k8s_watch *w, const char *data, size_t n)
{
	size_t cap = w->line_cap ? w->line_cap : LINE_MIN_CAP;
	char *p;

	while (cap < w->line_len + n)
		cap *= 2;
	if (cap > K8S_LINE_MAX)
		cap = K8S_LINE_MAX;
	if (cap != w->line_cap) {
		p = realloc(w->line, cap);
		if (!p)
			return -ENOMEM;
		w->line = p;
		w->line_cap = cap;
	}
	memcpy(w->line + w->line_len, data, n);
	w->line_len += n;
	return 0;
}

int k8s_watch__feed(void *ctx, const char *data, size_t len)
{
	struct k8s_watch *w = ctx;
	const char *nl;
	size_t take;
	int rc;

	w->att->connected = true;
	while (len) {
		nl = memchr(data, '\n', len);
		take = nl ? (size_t)(nl - data) : len;
		if (w->line_len + take > K8S_LINE_MAX)
			return watch__malformed(w, w->line_len ? w->line : data,
						w->line_len ? w->line_len : take,
						"event longer than 16 MiB");
		if (nl && !w->line_len) {
			rc = watch__line(w, data, take); /* whole line in this chunk: no copy */
		} else {
			rc = line_append(w, data, take);
			if (!rc && nl) {
				rc = watch__line(w, w->line, w->line_len);
				w->line_len = 0;
			}
		}
		if (rc || !nl)
			return rc;
		data += take + 1;
		len -= take + 1;
	}
	return 0;
}

/* Between connections: a buffer that one huge event grew is given back. */
static void watch__reset_line(struct k8s_watch *w)
{
	w->line_len = 0;
	if (w->line_cap > K8S_LINE_KEEP) {
		free(w->line);
		w->line = NULL;
		w->line_cap = 0;
		watch__renew_tokener(w);
	}
}

static long watch__timeout(struct k8s_watch *w)
{
	if (w->timeout_fixed_s)
		return w->timeout_fixed_s;
	/* spread the reconnects of many nodes, as client-go does */
	return 240 + (long)(k8s_watch__random(w) % 121);
}

static void watch__result(struct k8s_watch *w, struct k8s_attempt *a, int rc,
			  const struct k8s_http_res *res)
{
	char key[32];

	if (a->rc) /* the stream said why it ended */
		return;
	if (rc == 0 && res->status == 200) {
		a->connected = true; /* the server ended it: timeoutSeconds passed */
	} else if (rc == 0 && res->status == 410) {
		k8s_watch__fail(a, -ESTALE, "410", "resourceVersion %s is too old (%s)", w->rv,
				res->reason);
	} else if (rc == 0) {
		snprintf(key, sizeof(key), "http %ld", res->status);
		k8s_watch__fail(a, -EPROTO, key, "watch: %s", res->reason);
	} else {
		snprintf(key, sizeof(key), "curl %d", res->curl_code);
		k8s_watch__fail(a, rc, key, "watch: %s",
				res->reason[0] ? res->reason : strerror(-rc));
	}
}

void k8s_watch__watch(struct k8s_watch *w, struct k8s_attempt *a)
{
	struct k8s_http_req req = { .body = k8s_watch__feed, .connected = watch__connected,
				    .ctx = w };
	struct k8s_http_res res;
	char path[4096], rv[K8S_RV_MAX * 3];
	long timeout = watch__timeout(w);
	int rc;

	k8s_url_encode(rv, sizeof(rv), w->rv); /* fits: w->rv is shorter than a third */
	snprintf(path, sizeof(path),
		 "/api/v1/pods?%s&watch=1&resourceVersion=%s&allowWatchBookmarks=true"
		 "&timeoutSeconds=%ld",
		 w->selector, rv, timeout);
	req.path = path;
	/* the server ends the watch; our own limit is only for a server that does not */
	req.timeout_s = timeout + 30;
	w->att = a;
	K8S_COUNT(w, watches);
	rc = k8s_http__get(w->http, &req, &res);
	if (rc == -ECANCELED)
		a->rc = rc;
	else
		watch__result(w, a, rc, &res);
	watch__reset_line(w);
	w->att = NULL;
}

void k8s_watch__proto_free(struct k8s_watch *w)
{
	json_object_put(w->page);
	w->page = NULL;
	free(w->line);
	w->line = NULL;
	w->line_cap = w->line_len = 0;
}
