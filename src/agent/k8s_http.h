/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GET requests to the Kubernetes API server for the pod watcher: libcurl with the TLS and
 * authentication of a k8s_config, one connection kept alive between requests, and a stop
 * that interrupts a transfer at once from another thread.
 *
 * The bearer token file is checked (stat) before every request and re-read when it changed,
 * as a rotated service account token must be picked up; a 401 forces a re-read and a fresh
 * connection for the next request. Used by one thread; only k8s_http__wakeup may be called
 * from another.
 */
#ifndef VIGIL_K8S_HTTP_H
#define VIGIL_K8S_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "k8s_config.h"

struct k8s_http;

struct k8s_http_req {
	const char *path; /* "/api/v1/pods?...", appended to the server URL */
	long timeout_s;	  /* the whole request; 0: none, but a stalled transfer fails */
	/* A 2xx body, as it arrives. A negative return aborts the transfer with that value. */
	int (*body)(void *ctx, const char *data, size_t len);
	/* Optional: the headers of a 2xx response are in (a watch may send nothing for long). */
	void (*connected)(void *ctx);
	void *ctx;
};

struct k8s_http_res {
	long status;	  /* HTTP status; 0 when no response was received */
	int curl_code;	  /* CURLcode of the transfer */
	char reason[600]; /* what went wrong, for the log: curl's text, or status and message */
};

/* kc is copied. stop is polled during transfers (the owner sets it, then calls wakeup). */
int k8s_http__new(struct k8s_http **out, const struct k8s_config *kc, atomic_bool *stop);
void k8s_http__free(struct k8s_http *h);
/* Any thread: make a transfer in progress notice `stop` now. */
void k8s_http__wakeup(struct k8s_http *h);
const char *k8s_http__server(const struct k8s_http *h);

/*
 * One GET. Returns 0 when a whole response was received (any status: see res->status; a
 * non-2xx body is read as a Kubernetes Status and its message put in res->reason), or a
 * negative errno: -ECANCELED when stopped, the body callback's error, -EIO for a transport
 * failure (connect, TLS, timeout, dropped connection; res->status is set if the response had
 * begun), -EACCES when the token file cannot be read and no earlier token is known.
 */
int k8s_http__get(struct k8s_http *h, const struct k8s_http_req *req, struct k8s_http_res *res);

/* Printable ASCII copy of src for a log line: quotes and backslashes escaped, other bytes as
 * \xNN, cut at dstsz with "..." when it does not fit. Returns dst. */
char *k8s_escape(char *dst, size_t dstsz, const char *src, size_t len);

/* Percent-encode all but RFC 3986 unreserved characters. -ENAMETOOLONG if it does not fit. */
int k8s_url_encode(char *dst, size_t dstsz, const char *src);

#endif /* VIGIL_K8S_HTTP_H */
