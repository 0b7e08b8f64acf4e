/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OTLP/HTTP JSON logs (sink_http_int.h): a batch as one ExportLogsServiceRequest, records
 * grouped by where they come from (node, namespace, pod, container) into resourceLogs with
 * the Kubernetes semantic-convention attributes, so a collector can route and label them
 * without parsing the body. The body is the vigil line itself, unchanged, as a string.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "rules_alert.h"
#include "sink_http_int.h"

static const char *const res_keys[OTLP_RES_N] = {
    "k8s.node.name", "k8s.namespace.name", "k8s.pod.name",
    "k8s.pod.uid",   "k8s.container.name", "container.id",
};

/* OTLP SeverityNumber per priority, emergency .. debug: FATAL4, FATAL3, FATAL, ERROR, WARN,
 * INFO2, INFO, DEBUG. Events and stats records are INFO. */
static const unsigned char sev_number[8] = {24, 23, 21, 17, 13, 10, 9, 5};
#define SEV_INFO 9

/* {"key":k,"value":{"stringValue":v}} */
static void otlp__attr(struct json_w *w, const char *k, const char *v)
{
	json_obj_begin(w);
	json_kstr(w, "key", k);
	json_key(w, "value");
	json_obj_begin(w);
	json_kstr(w, "stringValue", v);
	json_obj_end(w);
	json_obj_end(w);
}

static void otlp__resource(struct json_w *w, const struct otlp_item *it)
{
	json_key(w, "resource");
	json_obj_begin(w);
	json_key(w, "attributes");
	json_arr_begin(w);
	otlp__attr(w, "service.name", "vigil");
	for (int k = 0; k < OTLP_RES_N; k++) {
		if (it->res[k])
			otlp__attr(w, res_keys[k], it->res[k]);
	}
	json_arr_end(w);
	json_obj_end(w);
}

/* 64-bit integers are strings in OTLP's JSON encoding. */
static void otlp__knano(struct json_w *w, const char *k, uint64_t ns)
{
	char num[24];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)ns);
	json_kstr(w, k, num);
}

static void otlp__record(struct json_w *w, const struct out_rec *rec, const struct otlp_item *it,
			 uint64_t observed_ns)
{
	static const char *const kinds[] = {"event", "alert", "stats"};
	bool alert = rec->kind == OUT_ALERT;
	const char *prio = rules_alert__priority(rec->prio);

	json_obj_begin(w);
	if (rec->time_ns)
		otlp__knano(w, "timeUnixNano", rec->time_ns);
	otlp__knano(w, "observedTimeUnixNano", observed_ns);
	json_ku64(w, "severityNumber", alert && rec->prio < 8 ? sev_number[rec->prio] : SEV_INFO);
	json_kstr(w, "severityText", alert ? prio : "INFO");
	json_key(w, "body");
	json_obj_begin(w);
	json_key(w, "stringValue");
	json_strn(w, rec->line, rec->len);
	json_obj_end(w);
	json_key(w, "attributes");
	json_arr_begin(w);
	otlp__attr(w, "vigil.kind", rec->kind < 3 ? kinds[rec->kind] : "unknown");
	if (it->type)
		otlp__attr(w, "vigil.type", it->type);
	if (alert) {
		otlp__attr(w, "vigil.rule", it->rule ? it->rule : "");
		otlp__attr(w, "vigil.priority", prio);
	}
	json_arr_end(w);
	json_obj_end(w);
}

/* One resourceLogs entry: the records of group g, in their order in the batch. */
static void otlp__group(struct json_w *w, struct out_rec *const *recs,
			const struct otlp_item *items, size_t n, size_t g, uint64_t observed_ns)
{
	json_obj_begin(w);
	otlp__resource(w, &items[g]);
	json_key(w, "scopeLogs");
	json_arr_begin(w);
	json_obj_begin(w);
	json_key(w, "scope");
	json_obj_begin(w);
	json_kstr(w, "name", "vigil");
	json_kstr(w, "version", VIGIL_VERSION);
	json_obj_end(w);
	json_key(w, "logRecords");
	json_arr_begin(w);
	for (size_t i = g; i < n; i++) {
		if (items[i].group == g)
			otlp__record(w, recs[i], &items[i], observed_ns);
	}
	json_arr_end(w);
	json_obj_end(w);
	json_arr_end(w);
	json_obj_end(w);
}

int http_otlp__body(struct json_w *w, const char *hostname, struct out_rec *const *recs, size_t n,
		    uint64_t observed_ns)
{
	struct otlp_item *items = calloc(n ? n : 1, sizeof(*items));

	if (!items)
		return -ENOMEM;
	otlp_items__parse(items, recs, n, hostname);
	json_obj_begin(w);
	json_key(w, "resourceLogs");
	json_arr_begin(w);
	for (size_t g = 0; g < n; g++) {
		if (items[g].group == g)
			otlp__group(w, recs, items, n, g, observed_ns);
	}
	json_arr_end(w);
	json_obj_end(w);
	otlp_items__free(items, n);
	free(items);
	return w->err;
}

/* The writer is made on first use and remade after a rare huge batch, so that batch does not
 * pin its buffer for good. */
static int otlp__writer(struct sink_http *h)
{
	struct json_w *w;

	if (h->jw && h->jw->cap <= HTTP_BUF_KEEP)
		return 0;
	w = malloc(sizeof(*w));
	if (!w || json_init(w, HTTP_OTLP_MAX)) {
		free(w);
		return h->jw ? 0 : -ENOMEM;
	}
	sink_http__otlp_free(h);
	h->jw = w;
	return 0;
}

void sink_http__otlp_free(struct sink_http *h)
{
	if (h->jw)
		json_free(h->jw);
	free(h->jw);
	h->jw = NULL;
}

int sink_http__send_otlp(struct sink_http *h, struct out_rec *const *recs, size_t n,
			 unsigned *rejected)
{
	struct timespec now;
	char why[256];
	size_t nrej;
	long status;
	int rc = otlp__writer(h);

	if (rc)
		return rc;
	clock_gettime(CLOCK_REALTIME, &now);
	json_reset(h->jw);
	rc = http_otlp__body(h->jw, h->hostname, recs, n,
			     (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec);
	if (!rc)
		rc = sink_http__post(h, h->jw->buf, h->jw->len, &status);
	if (rc)
		return rc;
	if (http_status__verdict(status) != HTTP_DELIVERED)
		return sink_http__batch_status(h, status, n, rejected);
	nrej = http_otlp__rejected(h->resp.p, h->resp.len, n, why, sizeof(why));
	if (nrej) {
		sink_http__log_reject(h, nrej, why);
		*rejected += (unsigned)nrej;
	}
	return (int)n;
}
