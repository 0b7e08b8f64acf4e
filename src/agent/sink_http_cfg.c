/* SPDX-License-Identifier: Apache-2.0 */
/* The checks of an HTTP output's settings and the URL each format posts to (sink_http.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "sink_http_int.h"

/* Only what Elasticsearch needs to answer: a successful _bulk response otherwise repeats
 * every document's index, id, version and shards, ~200 bytes per record. */
#define BULK_QUERY    "filter_path=errors,items.*.status,items.*.error.type,items.*.error.reason"
#define INDEX_DEFAULT "vigil-events"

static int cfg__format(struct sink_http *h, const struct vg_output *o, char *err, size_t errsz)
{
	if (!o->format[0] || !strcmp(o->format, "falco"))
		h->fmt = HTTP_FMT_FALCO;
	else if (!strcmp(o->format, "elasticsearch"))
		h->fmt = HTTP_FMT_ES;
	else if (!strcmp(o->format, "otlp"))
		h->fmt = HTTP_FMT_OTLP;
	else {
		snprintf(err, errsz,
			 "output %s: format \"%.32s\": must be falco, elasticsearch or otlp",
			 h->name, o->format);
		return -EINVAL;
	}
	return 0;
}

/* The path each format posts to: Elasticsearch's _bulk endpoint below the URL given (a
 * proxy may put the cluster under a prefix), OTLP's standard /v1/logs when no path is given. */
static CURLUcode cfg__path(CURLU *u, enum http_format fmt)
{
	char *path = NULL, *np = NULL;
	CURLUcode rc;
	size_t len;

	rc = curl_url_get(u, CURLUPART_PATH, &path, 0);
	if (rc)
		return rc;
	len = strlen(path);
	if (fmt == HTTP_FMT_OTLP && (!len || !strcmp(path, "/"))) {
		rc = curl_url_set(u, CURLUPART_PATH, "/v1/logs", 0);
	} else if (fmt == HTTP_FMT_ES) {
		while (len && path[len - 1] == '/')
			path[--len] = 0;
		if (len < 6 || strcmp(path + len - 6, "/_bulk") != 0) {
			if (asprintf(&np, "%s/_bulk", path) < 0)
				np = NULL;
			rc = np ? curl_url_set(u, CURLUPART_PATH, np, 0) : CURLUE_OUT_OF_MEMORY;
		}
		if (!rc)
			rc = curl_url_set(u, CURLUPART_QUERY, BULK_QUERY, CURLU_APPENDQUERY);
	}
	free(np);
	curl_free(path);
	return rc;
}

/* Copy the whole URL of u into dst; -ENAMETOOLONG when it does not fit. */
static int cfg__url_get(CURLU *u, char *dst, size_t dstsz)
{
	char *s = NULL;
	int rc = 0;

	if (curl_url_get(u, CURLUPART_URL, &s, 0))
		return -ENOMEM;
	if (strlen(s) >= dstsz)
		rc = -ENAMETOOLONG;
	else
		strcpy(dst, s);
	curl_free(s);
	return rc;
}

static int cfg__url_check(CURLU *u, const char *addr, char *why, size_t whysz)
{
	char *scheme = NULL, *host = NULL;
	CURLUcode rc;
	int ret = 0;

	for (const char *p = addr; *p; p++) {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p == 0x7f) {
			snprintf(why, whysz, "blanks or control characters in the URL");
			return -EINVAL;
		}
	}
	rc = curl_url_set(u, CURLUPART_URL, addr, 0);
	if (!rc)
		rc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	if (!rc)
		rc = curl_url_get(u, CURLUPART_HOST, &host, 0);
	if (rc) {
		snprintf(why, whysz, "not an http:// or https:// URL (%s)", curl_url_strerror(rc));
		ret = -EINVAL;
	} else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		snprintf(why, whysz, "scheme %.20s: must be http or https", scheme);
		ret = -EINVAL;
	} else if (!*host) {
		snprintf(why, whysz, "no host");
		ret = -EINVAL;
	}
	curl_free(scheme);
	curl_free(host);
	return ret;
}

/* The URL to post to, and a copy without user and password for the logs. */
static int cfg__url(struct sink_http *h, const struct vg_output *o, char *err, size_t errsz)
{
	CURLU *u = curl_url();
	char why[160] = "", *q;
	int rc;

	if (!u)
		return -ENOMEM;
	if (!o->address[0]) {
		snprintf(why, sizeof(why), "missing (an http:// or https:// URL)");
		rc = -EINVAL;
	} else {
		rc = cfg__url_check(u, o->address, why, sizeof(why));
	}
	if (!rc && cfg__path(u, h->fmt) != CURLUE_OK)
		rc = -ENOMEM;
	if (!rc)
		rc = cfg__url_get(u, h->url, sizeof(h->url));
	if (!rc && (curl_url_set(u, CURLUPART_USER, NULL, 0) ||
		    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0)))
		rc = -ENOMEM;
	if (!rc)
		rc = cfg__url_get(u, h->url_log, sizeof(h->url_log));
	if (!rc && (q = strstr(h->url_log, BULK_QUERY)) != NULL)
		q[-1] = 0; /* the logs are long enough without our filter */
	if (rc == -ENAMETOOLONG)
		snprintf(why, sizeof(why), "longer than %d bytes", HTTP_URL_MAX - 1);
	if (rc)
		snprintf(err, errsz, "output %s: address \"%.200s\": %s", h->name, o->address,
			 rc == -ENOMEM ? "out of memory" : why);
	curl_url_cleanup(u);
	return rc;
}

/* Elasticsearch's rules for index and data stream names, so that a typo is an error at start-up
 * rather than every record refused. Date math ("<vigil-{now/d}>") is let through. */
static int cfg__index(struct sink_http *h, const struct vg_output *o, char *err, size_t errsz)
{
	const char *ix = o->index[0] ? o->index : INDEX_DEFAULT, *bad = NULL;

	if (strlen(ix) > 255)
		bad = "longer than 255 bytes";
	else if (ix[0] == '-' || ix[0] == '_' || ix[0] == '+')
		bad = "must not start with -, _ or +";
	for (const char *p = ix; !bad && *p; p++) {
		if (isupper((unsigned char)*p))
			bad = "must be lower case";
		else if ((unsigned char)*p <= 0x20 || strchr("\"\\*?|,#:", *p))
			bad = "must not contain blanks or any of \" \\ * ? | , # :";
	}
	if (bad) {
		snprintf(err, errsz, "output %s: index \"%.128s\": %s", h->name, ix, bad);
		return -EINVAL;
	}
	snprintf(h->index, sizeof(h->index), "%s", ix);
	return 0;
}

/* "Name: value": a header line must not smuggle in another (CR, LF) nor lack a name. */
static const char *cfg__header_bad(const char *hd)
{
	const char *colon = strchr(hd, ':');

	if (!colon || colon == hd)
		return "must be \"Name: value\"";
	for (const char *p = hd; p < colon; p++) {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return "blank or control character in the name";
	}
	for (const char *p = colon; *p; p++) {
		if ((unsigned char)*p < 0x20 && *p != '\t')
			return "control character in the value";
	}
	return NULL;
}

/* Our Content-Type unless the configuration sets one; no "Expect: 100-continue" (libcurl
 * sends it for bodies over 1 MiB and waits a second for an answer many servers never give). */
static int cfg__headers(struct sink_http *h, const struct vg_output *o, char *err, size_t errsz)
{
	const char *ctype = h->fmt == HTTP_FMT_ES ? "Content-Type: application/x-ndjson"
						  : "Content-Type: application/json";
	bool own_ctype = false;
	struct curl_slist *n;

	for (unsigned i = 0; i < o->nheaders && i < VG_HEADERS_MAX; i++) {
		const char *bad = cfg__header_bad(o->headers[i]);

		if (bad) {
			snprintf(err, errsz, "output %s: headers[%u] \"%.60s\": %s", h->name, i,
				 o->headers[i], bad);
			return -EINVAL;
		}
		own_ctype |= !strncasecmp(o->headers[i], "content-type:", 13);
		n = curl_slist_append(h->headers, o->headers[i]);
		if (!n)
			return -ENOMEM;
		h->headers = n;
	}
	if (!own_ctype) {
		n = curl_slist_append(h->headers, ctype);
		if (!n)
			return -ENOMEM;
		h->headers = n;
	}
	n = curl_slist_append(h->headers, "Expect:");
	if (!n)
		return -ENOMEM;
	h->headers = n;
	return 0;
}

static int cfg__file(char **dst, const char *field, const char *path, const char *name, char *err,
		     size_t errsz)
{
	if (!path[0])
		return 0;
	if (access(path, R_OK) < 0) {
		snprintf(err, errsz, "output %s: %s %.300s: %s", name, field, path,
			 strerror(errno));
		return -EINVAL;
	}
	*dst = strdup(path);
	return *dst ? 0 : -ENOMEM;
}

static int cfg__tls(struct sink_http *h, const struct vg_output *o, char *err, size_t errsz)
{
	int rc;

	if (o->key_file[0] && !o->cert_file[0]) {
		snprintf(err, errsz, "output %s: key_file without cert_file", h->name);
		return -EINVAL;
	}
	rc = cfg__file(&h->ca_file, "ca_file", o->ca_file, h->name, err, errsz);
	if (!rc)
		rc = cfg__file(&h->cert_file, "cert_file", o->cert_file, h->name, err, errsz);
	if (!rc)
		rc = cfg__file(&h->key_file, "key_file", o->key_file, h->name, err, errsz);
	if (!rc && strncmp(h->url, "https:", 6) != 0 && (h->ca_file || h->cert_file || o->insecure))
		log_warn("output %s: TLS settings are ignored for the http:// address %s", h->name,
			 h->url_log);
	h->insecure = o->insecure;
	return rc;
}

int sink_http__configure(struct sink_http *h, const struct vg_output *o, char *err, size_t errsz)
{
	int rc;

	snprintf(h->name, sizeof(h->name), "%s", o->name[0] ? o->name : "http");
	h->rej_log.interval_ns = 10ull * 1000000000ull;
	h->fail_log.interval_ns = 60ull * 1000000000ull;
	h->timeout_ms = o->timeout_ms ? (long)o->timeout_ms : HTTP_TIMEOUT_DEFAULT_MS;
	rc = cfg__format(h, o, err, errsz);
	if (!rc)
		rc = cfg__url(h, o, err, errsz);
	if (!rc && h->fmt == HTTP_FMT_ES)
		rc = cfg__index(h, o, err, errsz);
	if (!rc)
		rc = cfg__headers(h, o, err, errsz);
	if (!rc)
		rc = cfg__tls(h, o, err, errsz);
	if (rc == -ENOMEM)
		snprintf(err, errsz, "output %s: out of memory", h->name);
	return rc;
}
