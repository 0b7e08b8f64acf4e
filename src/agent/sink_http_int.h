/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the HTTP forwarders (sink_http.h): the sink's state, shared by sink_http.c (transport
 * and status handling), sink_http_es.c (_bulk bodies and responses) and sink_otlp.c (OTLP
 * bodies and responses). The body builders and response parsers are pure functions, so the
 * unit tests call them directly.
 */
#ifndef VIGIL_SINK_HTTP_INT_H
#define VIGIL_SINK_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <curl/curl.h>

#include "sink.h"

/* Not json.h: its json_bool() clashes with json-c's type of that name, and the response
 * parsers (sink_http_parse.c) use json-c. The writers include json.h themselves. */
struct json_w;

enum http_format { HTTP_FMT_FALCO, HTTP_FMT_ES, HTTP_FMT_OTLP };

#define HTTP_URL_MAX		2048
#define HTTP_RESP_MAX		(1u << 20) /* response bytes kept (a _bulk answer for 512 items) */
#define HTTP_BODY_LOG		200	   /* response bytes quoted in a log line */
#define HTTP_BUF_KEEP		(8u << 20) /* a request buffer larger than this is freed after use */
#define HTTP_TIMEOUT_DEFAULT_MS 5000	   /* timeout_ms 0: a worker must never wait forever */
#define HTTP_OTLP_MAX		(256u << 20) /* an OTLP body; a batch is bounded by its queue's bytes */

/* What a response means for the records it carried. */
enum http_verdict {
	HTTP_DELIVERED, /* 2xx */
	HTTP_RETRY,	/* 408, 429, 5xx, 1xx, 3xx: keep the records, back off, send again */
	HTTP_REJECTED,	/* other 4xx: refused for good */
	HTTP_TOO_BIG,	/* 413: send fewer records at once */
};
enum http_verdict http_status__verdict(long status);

/* A growing byte buffer; errors are sticky (-ENOMEM), checked once at the end. */
struct http_buf {
	char *p;
	size_t len, cap;
	int err;
};
void http_buf__put(struct http_buf *b, const void *s, size_t n);
void http_buf__puts(struct http_buf *b, const char *s);
void http_buf__free(struct http_buf *b);

/* At most one log line per interval; the lines held back are counted and said next time.
 * Refusals are logged every 10 s at most, failures every 60 s (the sink's worker already says
 * "peer down" once; this adds the HTTP details now and then while it lasts). */
struct http_ratelim {
	uint64_t interval_ns, next_ns;
	unsigned held;
};
bool http_ratelim__allow(struct http_ratelim *r, uint64_t now_ns, unsigned *held);

struct sink_http {
	enum http_format fmt;
	char name[64];
	char url[HTTP_URL_MAX];
	char url_log[HTTP_URL_MAX]; /* without user and password */
	char index[128];
	char hostname[256];
	char *ca_file, *cert_file, *key_file;
	bool insecure;
	long timeout_ms;
	struct curl_slist *headers;
	CURL *easy; /* NULL after a disconnect */
	struct http_buf req, resp;
	bool resp_cut;	   /* the response was longer than HTTP_RESP_MAX */
	struct json_w *jw; /* the OTLP body */
	struct http_ratelim rej_log, fail_log;
	unsigned retry_after_ms; /* the last response's Retry-After, 0 without one */
	char errbuf[CURL_ERROR_SIZE];
};

/* A Retry-After value (delay-seconds, or an HTTP-date) in ms from now (unix seconds), at most
 * a day; 0 when absent, malformed or past. */
unsigned http_retry_after__ms(const char *value, time_t now);

/* One POST of body to the sink's URL. Returns 0 with *status set when a response came (the
 * body in h->resp), or a negative errno for a transport failure (logged, rate limited). */
int sink_http__post(struct sink_http *h, const char *body, size_t len, long *status);
/* Log records the peer refused (rate limited): why, and the start of the response body. */
void sink_http__log_reject(struct sink_http *h, size_t n, const char *why);
/* Log a failed request (rate limited). */
void sink_http__log_fail(struct sink_http *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The errno a retryable status maps to. */
int http_status__errno(long status);
/* A batch's whole-request status that is not 2xx: n when refused for good (logged, counted in
 * *rejected), -E2BIG for 413, else a negative errno to retry (logged). */
int sink_http__batch_status(struct sink_http *h, long status, size_t n, unsigned *rejected);

struct vg_output;
/* Check o and fill h (sink_http_cfg.c): 0, or -EINVAL/-ENOMEM with the message in err. */
int sink_http__configure(struct sink_http *h, const struct vg_output *o, char *err, size_t errsz);

/* _bulk: the NDJSON body for recs, each as {"create":{"_index":index,"_id":...}} then the
 * line with "@timestamp" added. 0 or b->err. */
int http_bulk__body(struct http_buf *b, const char *index, struct out_rec *const *recs, size_t n);

struct http_bulk_res {
	size_t delivered;  /* the leading items done: created, already there, or refused */
	unsigned rejected; /* of those, refused for good */
	long retry_status; /* status of the first item to retry, 0 if none */
	char why[320];	   /* the first refused item's error, for the log */
};
/* A _bulk response for n records. 0, or -EPROTO when it cannot be read (send again: the ids
 * make that harmless). */
int http_bulk__parse(const char *body, size_t len, size_t n, struct http_bulk_res *r);
/* POST recs as one _bulk request. */
int sink_http__send_bulk(struct sink_http *h, struct out_rec *const *recs, size_t n,
			 unsigned *rejected);

/* What an OTLP record needs from its line (sink_http_parse.c). */
enum { OTLP_NODE, OTLP_NS, OTLP_POD, OTLP_POD_UID, OTLP_CNAME, OTLP_CID, OTLP_RES_N };
struct otlp_item {
	void *root;		     /* the parsed line (json-c); NULL when it is not JSON */
	const char *res[OTLP_RES_N]; /* resource: into root, or the hostname; NULL if absent */
	const char *type, *rule;     /* NULL if absent */
	size_t group;		     /* the first item of the batch with the same resource */
};
/* Fill items[0..n) from recs; hostname stands in for a line without a node. */
void otlp_items__parse(struct otlp_item *items, struct out_rec *const *recs, size_t n,
		       const char *hostname);
void otlp_items__free(struct otlp_item *items, size_t n);

/* OTLP: the ExportLogsServiceRequest for recs in w (json_reset first). observed_ns is now.
 * 0 or w->err. */
int http_otlp__body(struct json_w *w, const char *hostname, struct out_rec *const *recs, size_t n,
		    uint64_t observed_ns);
/* The records an ExportLogsServiceResponse says were refused (partialSuccess), at most n;
 * why gets its errorMessage. 0 when none or when the body is empty or unreadable. */
size_t http_otlp__rejected(const char *body, size_t len, size_t n, char *why, size_t whysz);
int sink_http__send_otlp(struct sink_http *h, struct out_rec *const *recs, size_t n,
			 unsigned *rejected);
void sink_http__otlp_free(struct sink_http *h);

#endif /* VIGIL_SINK_HTTP_INT_H */
