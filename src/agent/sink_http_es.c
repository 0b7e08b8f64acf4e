/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Elasticsearch / OpenSearch _bulk (sink_http_int.h): the NDJSON body, and what the
 * per-item verdicts of the response (read in sink_http_parse.c) mean for the batch.
 *
 * Every document gets an _id derived from its line (SHA-256, 128 bits in hex), so sending a
 * record again is harmless: a copy Elasticsearch already has comes back 409 on "create" and
 * counts as delivered. That makes "the first N were delivered" exact even when a request
 * timed out after the cluster indexed it, or when a 429 on item 5 makes items 5.. go again.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>

#include "json.h"
#include "sink_http_int.h"

#define ID_BYTES 16

static int bulk__id(const struct out_rec *rec, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_Digest(rec->line, rec->len, md, &mdlen, EVP_sha256(), NULL) || mdlen < ID_BYTES)
		return -ENOMEM;
	for (int i = 0; i < ID_BYTES; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * ID_BYTES] = 0;
	return 0;
}

/*
 * The line with "@timestamp" (the record's time) as its first member: data streams refuse a
 * document without one, and Kibana and OpenSearch Dashboards look for it. The line's own
 * "time" stays as it is.
 */
static void bulk__doc(struct http_buf *b, const struct out_rec *rec)
{
	char ts[JSON_TIME_LEN + 1];
	long long sec = (long long)(rec->time_ns / 1000000000ull);
	long nsec = (long)(rec->time_ns % 1000000000ull);

	if (rec->len < 2 || rec->line[0] != '{' || !rec->time_ns ||
	    json_fmt_time(ts, sizeof(ts), sec, nsec) < 0) {
		http_buf__put(b, rec->line, rec->len);
		return;
	}
	http_buf__puts(b, "{\"@timestamp\":\"");
	http_buf__puts(b, ts);
	http_buf__puts(b, rec->line[1] == '}' ? "\"" : "\",");
	http_buf__put(b, rec->line + 1, rec->len - 1);
}

/* "create", not "index": a data stream takes only create, and an index takes it too. */
int http_bulk__body(struct http_buf *b, const char *index, struct out_rec *const *recs, size_t n)
{
	char id[2 * ID_BYTES + 1];

	for (size_t i = 0; i < n && !b->err; i++) {
		if (bulk__id(recs[i], id))
			return -ENOMEM;
		http_buf__puts(b, "{\"create\":{\"_index\":\"");
		http_buf__puts(b, index); /* checked at start-up: nothing to escape */
		http_buf__puts(b, "\",\"_id\":\"");
		http_buf__puts(b, id);
		http_buf__puts(b, "\"}}\n");
		bulk__doc(b, recs[i]);
		http_buf__put(b, "\n", 1);
	}
	return b->err;
}

int sink_http__send_bulk(struct sink_http *h, struct out_rec *const *recs, size_t n,
			 unsigned *rejected)
{
	struct http_bulk_res r;
	long status;
	int rc;

	h->req.len = 0;
	h->req.err = 0;
	rc = http_bulk__body(&h->req, h->index, recs, n);
	if (!rc)
		rc = sink_http__post(h, h->req.p, h->req.len, &status);
	if (rc)
		return rc;
	if (http_status__verdict(status) != HTTP_DELIVERED)
		return sink_http__batch_status(h, status, n, rejected);
	if (h->resp_cut || http_bulk__parse(h->resp.p, h->resp.len, n, &r)) {
		sink_http__log_fail(h, "HTTP %ld but no _bulk response%s: not an Elasticsearch?",
				    status, h->resp_cut ? " (over 1 MiB)" : "");
		return -EPROTO;
	}
	if (r.rejected) {
		sink_http__log_reject(h, r.rejected, r.why);
		*rejected += r.rejected;
	}
	if (r.delivered < n)
		sink_http__log_fail(h, "_bulk item %zu of %zu: status %ld, sent again", r.delivered,
				    n, r.retry_status);
	return r.delivered ? (int)r.delivered : http_status__errno(r.retry_status);
}
