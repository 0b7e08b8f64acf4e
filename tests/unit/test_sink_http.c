// SPDX-License-Identifier: Apache-2.0
/* The HTTP forwarders' pure parts: settings checks, the _bulk and OTLP bodies read back with
 * json-c, the response parsers. Real requests against a loopback server that answers
 * as told is test_sink_http_net.c. */
#define UNIT_MAIN
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
/* json.h's writer function json_bool() and json-c's type of that name cannot both be
 * declared; this file only needs json.h's json_w, so its json_bool is renamed here. */
#define json_bool vg_json_bool
#include "json.h"
#undef json_bool

#include "sink_http.h"
#include "sink_http_int.h"
#include "unit.h"

#define T_NS 1795259407831610007ull /* 2026-11-21T11:10:07.831610007Z */

static const char EV_HOST[] =
    "{\"schema\":\"vigil/v1\",\"type\":\"exec\",\"time\":\"2026-11-21T11:10:07.831610007Z\","
    "\"node\":\"vm\",\"process\":{\"pid\":1,\"comm\":\"sh\",\"arguments\":[\"sh\",\"-c\"]}}";
static const char EV_POD[] =
    "{\"schema\":\"vigil/v1\",\"type\":\"open\",\"time\":\"2026-11-21T11:10:07.831610007Z\","
    "\"node\":\"node-1\",\"process\":{\"pid\":7,\"comm\":\"cat\"},"
    "\"container\":{\"id\":\"abc123\",\"name\":\"web\"},\"pod\":{\"namespace\":\"shop\","
    "\"name\":\"cart-1\",\"uid\":\"u-1\",\"labels\":{\"app\":\"cart\"}},"
    "\"file\":{\"path\":\"/etc/shadow\"}}";
static const char ALERT_POD[] =
    "{\"hostname\":\"node-1\",\"output\":\"11:10:07.831610007: Warning read \\\"x\\\" \\\\ "
    "\\u00e9\",\"output_fields\":{\"evt.time\":1795259407831610007,\"fd.name\":\"/etc/shadow\"},"
    "\"priority\":\"Warning\",\"rule\":\"Read sensitive file\",\"source\":\"syscall\","
    "\"tags\":[\"filesystem\"],\"time\":\"2026-11-21T11:10:07.831610007Z\",\"vigil\":{"
    "\"schema\":\"vigil/v1\",\"type\":\"open\",\"node\":\"node-1\","
    "\"container\":{\"id\":\"abc123\",\"name\":\"web\"},"
    "\"pod\":{\"namespace\":\"shop\",\"name\":\"cart-1\",\"uid\":\"u-1\"}}}";
static const char STATS[] = "{\"schema\":\"vigil/v1\",\"type\":\"stats\","
			    "\"time\":\"2026-11-21T11:10:07.831610007Z\",\"node\":\"vm\"}";

static struct out_rec *mkrec(int kind, int prio, const char *line)
{
	size_t len = strlen(line);
	struct out_rec *r = calloc(1, sizeof(*r) + len + 1);

	r->kind = (uint8_t)kind;
	r->prio = (uint8_t)prio;
	r->time_ns = T_NS;
	r->len = (uint32_t)len;
	memcpy(r->line, line, len + 1);
	return r;
}

static void freerecs(struct out_rec **r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(r[i]);
}

static void output(struct vg_output *o, const char *addr, const char *format)
{
	memset(o, 0, sizeof(*o));
	o->type = VG_OUT_HTTP;
	snprintf(o->name, sizeof(o->name), "http-1");
	snprintf(o->address, sizeof(o->address), "%s", addr);
	snprintf(o->format, sizeof(o->format), "%s", format);
	o->timeout_ms = 2000;
}

/* sink_http__new fails, and its message names `field`. */
static void bad(const struct vg_output *o, const char *field)
{
	char err[512] = "";
	void *h = sink_http__new(o, "vm", err, sizeof(err));

	CHECK(h == NULL);
	if (h)
		sink_http_ops.free(h);
	CHECK(strstr(err, field) != NULL);
	CHECK(strstr(err, "http-1") != NULL);
	if (!strstr(err, field))
		printf("  message: %s\n", err);
}

UNIT_TEST(settings_refused_with_their_field)
{
	static const char *const addrs[] = {"",	       "ftp://x/",   "http://",
					    "es:9200", "http://a b", "http://x\n"};
	struct vg_output o;

	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		output(&o, addrs[i], "falco");
		bad(&o, "address");
	}
	output(&o, "http://127.0.0.1:1", "syslog");
	bad(&o, "format");
	output(&o, "http://127.0.0.1:1", "elasticsearch");
	snprintf(o.index, sizeof(o.index), "Vigil");
	bad(&o, "index");
	snprintf(o.index, sizeof(o.index), "_x");
	bad(&o, "index");
	output(&o, "http://127.0.0.1:1", "");
	o.nheaders = 1;
	snprintf(o.headers[0], sizeof(o.headers[0]), "NoColon");
	bad(&o, "headers[0]");
	snprintf(o.headers[0], sizeof(o.headers[0]), "X-A: 1\r\nX-B: 2");
	bad(&o, "headers[0]");
	output(&o, "https://127.0.0.1:1", "");
	snprintf(o.ca_file, sizeof(o.ca_file), "/nonexistent/ca.pem");
	bad(&o, "ca_file");
	output(&o, "https://127.0.0.1:1", "");
	snprintf(o.key_file, sizeof(o.key_file), "/etc/hostname");
	bad(&o, "key_file");
}

static void url_is(const char *addr, const char *format, const char *want, const char *log)
{
	struct vg_output o;
	char err[256] = "";
	struct sink_http *h;

	output(&o, addr, format);
	h = sink_http__new(&o, "vm", err, sizeof(err));
	CHECK(h != NULL);
	if (!h) {
		printf("  %s: %s\n", addr, err);
		return;
	}
	CHECK_STR(sink_http__url(h), want);
	if (log)
		CHECK_STR(h->url_log, log);
	sink_http_ops.free(h);
}

#define FP "?filter_path=errors,items.*.status,items.*.error.type,items.*.error.reason"

UNIT_TEST(urls_per_format)
{
	url_is("http://falco:2801", "", "http://falco:2801/", NULL);
	url_is("HTTPS://Sidekick:2801/x", "falco", "https://Sidekick:2801/x", NULL);
	url_is("http://es:9200", "elasticsearch", "http://es:9200/_bulk" FP, NULL);
	url_is("http://es:9200/proxy/", "elasticsearch", "http://es:9200/proxy/_bulk" FP, NULL);
	url_is("http://es:9200/_bulk?pipeline=p", "elasticsearch",
	       "http://es:9200/_bulk?pipeline=p&filter_path=errors,items.*.status,"
	       "items.*.error.type,items.*.error.reason",
	       NULL);
	url_is("http://otel:4318", "otlp", "http://otel:4318/v1/logs", NULL);
	url_is("http://otel:4318/custom/logs", "otlp", "http://otel:4318/custom/logs", NULL);
	url_is("https://elastic:s3cret@es:9200", "elasticsearch",
	       "https://elastic:s3cret@es:9200/_bulk" FP, "https://es:9200/_bulk");
}

UNIT_TEST(status_verdicts)
{
	CHECK_INT(http_status__verdict(200), HTTP_DELIVERED);
	CHECK_INT(http_status__verdict(204), HTTP_DELIVERED);
	CHECK_INT(http_status__verdict(400), HTTP_REJECTED);
	CHECK_INT(http_status__verdict(401), HTTP_REJECTED);
	CHECK_INT(http_status__verdict(404), HTTP_REJECTED);
	CHECK_INT(http_status__verdict(413), HTTP_TOO_BIG);
	CHECK_INT(http_status__verdict(408), HTTP_RETRY);
	CHECK_INT(http_status__verdict(429), HTTP_RETRY);
	CHECK_INT(http_status__verdict(500), HTTP_RETRY);
	CHECK_INT(http_status__verdict(503), HTTP_RETRY);
	CHECK_INT(http_status__verdict(301), HTTP_RETRY);
	CHECK_INT(http_status__errno(429), -EBUSY);
	CHECK_INT(http_status__errno(503), -EIO);
}

UNIT_TEST(retry_after_values)
{
	const time_t now = 1700000000; /* Tue, 14 Nov 2023 22:13:20 GMT */

	CHECK_INT(http_retry_after__ms("120", now), 120000);
	CHECK_INT(http_retry_after__ms(" 5 ", now), 5000);
	CHECK_INT(http_retry_after__ms("0", now), 0);
	CHECK_INT(http_retry_after__ms("99999999999999999999", now), 86400000); /* a day at most */
	CHECK_INT(http_retry_after__ms("5x", now), 0);
	CHECK_INT(http_retry_after__ms("-5", now), 0);
	CHECK_INT(http_retry_after__ms("", now), 0);
	CHECK_INT(http_retry_after__ms(NULL, now), 0);
	CHECK_INT(http_retry_after__ms("Tue, 14 Nov 2023 22:13:50 GMT", now), 30000);
	CHECK_INT(http_retry_after__ms("Tue, 14 Nov 2023 22:13:00 GMT", now), 0); /* past */
	CHECK_INT(http_retry_after__ms("Fri, 01 Dec 2023 00:00:00 GMT", now), 86400000);
	CHECK_INT(http_retry_after__ms("not a date", now), 0);
}

UNIT_TEST(log_rate_limit)
{
	struct http_ratelim r = {.interval_ns = 1000};
	unsigned held = 99;

	CHECK(http_ratelim__allow(&r, 5000, &held));
	CHECK_INT(held, 0);
	CHECK(!http_ratelim__allow(&r, 5500, &held));
	CHECK(!http_ratelim__allow(&r, 5999, &held));
	CHECK(http_ratelim__allow(&r, 6000, &held));
	CHECK_INT(held, 2);
	CHECK(http_ratelim__allow(&r, 7000, &held));
	CHECK_INT(held, 0);
}

/* The NDJSON lines of a _bulk body, each parsed. */
static size_t ndjson(const char *body, struct json_object **out, size_t max)
{
	size_t n = 0;

	for (const char *l = body; *l && n < max;) {
		const char *e = strchr(l, '\n');

		CHECK(e != NULL);
		if (!e)
			break;
		char *line = strndup(l, (size_t)(e - l));

		out[n++] = json_tokener_parse(line);
		free(line);
		l = e + 1;
	}
	return n;
}

static const char *path_str(struct json_object *o, const char *a, const char *b)
{
	struct json_object *v;

	if (a && !json_object_object_get_ex(o, a, &o))
		return NULL;
	if (!json_object_object_get_ex(o, b, &v))
		return NULL;
	return json_object_get_string(v);
}

UNIT_TEST(bulk_body)
{
	struct out_rec *r[3] = {mkrec(OUT_EVENT, 6, EV_POD), mkrec(OUT_ALERT, 4, ALERT_POD),
				mkrec(OUT_EVENT, 6, EV_POD)};
	struct http_buf b = {0};
	struct json_object *l[8] = {0}, *doc;
	size_t n;

	CHECK_INT(http_bulk__body(&b, "vigil-events", r, 3), 0);
	n = ndjson(b.p, l, 8);
	CHECK_INT(n, 6);
	CHECK(b.len && b.p[b.len - 1] == '\n');
	CHECK_STR(path_str(l[0], "create", "_index"), "vigil-events");
	CHECK_INT(strlen(path_str(l[0], "create", "_id")), 32);
	CHECK(strcmp(path_str(l[0], "create", "_id"), path_str(l[2], "create", "_id")) != 0);
	CHECK_STR(path_str(l[0], "create", "_id"), path_str(l[4], "create", "_id"));
	doc = l[1];
	CHECK_STR(path_str(doc, NULL, "@timestamp"), "2026-11-21T11:10:07.831610007Z");
	CHECK_STR(path_str(doc, NULL, "time"), "2026-11-21T11:10:07.831610007Z");
	CHECK_STR(path_str(doc, NULL, "schema"), "vigil/v1");
	CHECK_STR(path_str(doc, "pod", "name"), "cart-1");
	CHECK_STR(path_str(l[3], NULL, "rule"), "Read sensitive file");
	CHECK_STR(path_str(l[3], NULL, "output"),
		  "11:10:07.831610007: Warning read \"x\" \\ \xc3\xa9");
	/* the document is the line with "@timestamp" put first, byte for byte otherwise */
	CHECK(strstr(b.p, "{\"@timestamp\":\"2026-11-21T11:10:07.831610007Z\",") != NULL);
	CHECK(strstr(b.p, EV_POD + 1) != NULL);
	for (size_t i = 0; i < n; i++)
		json_object_put(l[i]);
	http_buf__free(&b);
	freerecs(r, 3);
}

UNIT_TEST(bulk_response)
{
	struct http_bulk_res r;
	const char *mixed =
	    "{\"errors\":true,\"items\":[{\"create\":{\"status\":201}},"
	    "{\"create\":{\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\","
	    "\"reason\":\"failed to parse field [x]\"}}},{\"create\":{\"status\":409}},"
	    "{\"create\":{\"status\":429}},{\"create\":{\"status\":201}}]}";

	CHECK_INT(http_bulk__parse("{\"errors\":false}", 16, 5, &r), 0);
	CHECK_INT(r.delivered, 5);
	CHECK_INT(r.rejected, 0);
	CHECK_INT(http_bulk__parse(mixed, strlen(mixed), 5, &r), 0);
	CHECK_INT(r.delivered, 3);
	CHECK_INT(r.rejected, 1);
	CHECK_INT(r.retry_status, 429);
	CHECK(strstr(r.why, "mapper_parsing_exception") && strstr(r.why, "field [x]"));
	/* fewer items than records: the rest goes again */
	CHECK_INT(http_bulk__parse(mixed, strlen(mixed), 3, &r), 0);
	CHECK_INT(r.delivered, 3);
	mixed = "{\"errors\":true,\"items\":[{\"create\":{\"status\":201}}]}";
	CHECK_INT(http_bulk__parse(mixed, strlen(mixed), 2, &r), 0);
	CHECK_INT(r.delivered, 1);
	CHECK_INT(r.retry_status, 500);
	CHECK_INT(http_bulk__parse("ok", 2, 1, &r), -EPROTO);
	CHECK_INT(http_bulk__parse("{\"errors\":true}", 15, 1, &r), -EPROTO);
	CHECK_INT(http_bulk__parse("{\"took\":1}", 10, 1, &r), -EPROTO);
	CHECK_INT(http_bulk__parse("", 0, 1, &r), -EPROTO);
}

/* OTLP attribute list [{"key":..,"value":{"stringValue":..}}] -> the value of key. */
static const char *attr(struct json_object *list, const char *key)
{
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *a = json_object_array_get_idx(list, i);

		if (!strcmp(path_str(a, NULL, "key"), key))
			return path_str(a, "value", "stringValue");
	}
	return NULL;
}

static struct json_object *at(struct json_object *o, const char *key, size_t idx)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return idx == (size_t)-1 ? v : json_object_array_get_idx(v, idx);
}

#define ONE ((size_t)-1)

static void check_otlp_pod(struct json_object *rl)
{
	struct json_object *res = at(at(rl, "resource", ONE), "attributes", ONE);
	struct json_object *sl = at(rl, "scopeLogs", 0), *recs = at(sl, "logRecords", ONE), *a;

	CHECK_STR(attr(res, "service.name"), "vigil");
	CHECK_STR(attr(res, "k8s.node.name"), "node-1");
	CHECK_STR(attr(res, "k8s.namespace.name"), "shop");
	CHECK_STR(attr(res, "k8s.pod.name"), "cart-1");
	CHECK_STR(attr(res, "k8s.pod.uid"), "u-1");
	CHECK_STR(attr(res, "k8s.container.name"), "web");
	CHECK_STR(attr(res, "container.id"), "abc123");
	CHECK_STR(path_str(sl, "scope", "name"), "vigil");
	CHECK_INT(json_object_array_length(recs), 2);
	a = json_object_array_get_idx(recs, 1);
	CHECK_STR(path_str(a, NULL, "timeUnixNano"), "1795259407831610007");
	CHECK_STR(path_str(a, NULL, "observedTimeUnixNano"), "1795259500000000000");
	CHECK_INT(json_object_get_int(at(a, "severityNumber", ONE)), 13);
	CHECK_STR(path_str(a, NULL, "severityText"), "Warning");
	CHECK_STR(path_str(a, "body", "stringValue"), ALERT_POD);
	CHECK_STR(attr(at(a, "attributes", ONE), "vigil.kind"), "alert");
	CHECK_STR(attr(at(a, "attributes", ONE), "vigil.type"), "open");
	CHECK_STR(attr(at(a, "attributes", ONE), "vigil.rule"), "Read sensitive file");
	CHECK_STR(attr(at(a, "attributes", ONE), "vigil.priority"), "Warning");
	a = json_object_array_get_idx(recs, 0);
	CHECK_INT(json_object_get_int(at(a, "severityNumber", ONE)), 9);
	CHECK_STR(path_str(a, "body", "stringValue"), EV_POD);
	CHECK(attr(at(a, "attributes", ONE), "vigil.rule") == NULL);
}

UNIT_TEST(otlp_body_grouped_by_resource)
{
	struct out_rec *r[4] = {mkrec(OUT_EVENT, 6, EV_HOST), mkrec(OUT_EVENT, 6, EV_POD),
				mkrec(OUT_ALERT, 4, ALERT_POD), mkrec(OUT_STATS, 6, STATS)};
	struct json_object *root, *rl, *res;
	struct json_w w;

	CHECK_INT(json_init(&w, 1 << 20), 0);
	CHECK_INT(http_otlp__body(&w, "vm", r, 4, 1795259500000000000ull), 0);
	root = json_tokener_parse(w.buf);
	CHECK(root != NULL);
	rl = at(root, "resourceLogs", ONE);
	CHECK_INT(json_object_array_length(rl), 2);
	/* the host's event and the stats record share the node-only resource */
	res = at(at(json_object_array_get_idx(rl, 0), "resource", ONE), "attributes", ONE);
	CHECK_STR(attr(res, "k8s.node.name"), "vm");
	CHECK(attr(res, "k8s.pod.name") == NULL);
	CHECK_INT(json_object_array_length(
		      at(at(json_object_array_get_idx(rl, 0), "scopeLogs", 0), "logRecords", ONE)),
		  2);
	check_otlp_pod(json_object_array_get_idx(rl, 1));
	json_object_put(root);
	json_free(&w);
	freerecs(r, 4);
}

UNIT_TEST(otlp_severities_and_bad_lines)
{
	struct out_rec *r[3] = {mkrec(OUT_ALERT, 0, ALERT_POD), mkrec(OUT_ALERT, 7, ALERT_POD),
				mkrec(OUT_EVENT, 6, "not json")};
	struct json_object *root, *recs;
	struct json_w w;

	CHECK_INT(json_init(&w, 1 << 20), 0);
	CHECK_INT(http_otlp__body(&w, "vm", r, 3, 1), 0);
	root = json_tokener_parse(w.buf);
	recs = at(at(json_object_array_get_idx(at(root, "resourceLogs", ONE), 0), "scopeLogs", 0),
		  "logRecords", ONE);
	CHECK_INT(
	    json_object_get_int(at(json_object_array_get_idx(recs, 0), "severityNumber", ONE)), 24);
	CHECK_STR(path_str(json_object_array_get_idx(recs, 0), NULL, "severityText"), "Emergency");
	CHECK_INT(
	    json_object_get_int(at(json_object_array_get_idx(recs, 1), "severityNumber", ONE)), 5);
	/* a line that is not JSON still goes, under the node's name */
	recs = at(at(json_object_array_get_idx(at(root, "resourceLogs", ONE), 1), "scopeLogs", 0),
		  "logRecords", ONE);
	CHECK_STR(path_str(json_object_array_get_idx(recs, 0), "body", "stringValue"), "not json");
	json_object_put(root);
	json_free(&w);
	freerecs(r, 3);
}

UNIT_TEST(otlp_partial_success)
{
	char why[256];
	const char *s =
	    "{\"partialSuccess\":{\"rejectedLogRecords\":\"2\",\"errorMessage\":\"bad\"}}";

	CHECK_INT(http_otlp__rejected(s, strlen(s), 5, why, sizeof(why)), 2);
	CHECK(strstr(why, "bad") != NULL);
	CHECK_INT(http_otlp__rejected(s, strlen(s), 1, why, sizeof(why)), 1);
	s = "{\"partialSuccess\":{\"rejectedLogRecords\":3}}";
	CHECK_INT(http_otlp__rejected(s, strlen(s), 5, why, sizeof(why)), 3);
	CHECK_INT(http_otlp__rejected("{}", 2, 5, why, sizeof(why)), 0);
	CHECK_INT(http_otlp__rejected("", 0, 5, why, sizeof(why)), 0);
	CHECK_INT(http_otlp__rejected("<html>", 6, 5, why, sizeof(why)), 0);
}

int main(void)
{
	return unit_run();
}
