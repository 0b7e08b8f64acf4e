/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the HTTP forwarders read with json-c (sink_http_int.h): _bulk responses, OTLP
 * responses, and the resource fields of the lines an OTLP batch carries.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include "sink_http_int.h"

static struct json_object *obj_get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_is_type(v, json_type_object) ? v : NULL;
}

/* A non-empty string member, else NULL. */
static const char *obj_str(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	const char *s;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	return *s ? s : NULL;
}

/* body[0..len) as one JSON document, NULL if it is not one. */
static struct json_object *parse(const char *body, size_t len)
{
	struct json_tokener *tok;
	struct json_object *root = NULL;

	if (!body || !len || len > (size_t)INT32_MAX || !(tok = json_tokener_new()))
		return NULL;
	root = json_tokener_parse_ex(tok, body, (int)len);
	if (root && json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	return root;
}

/* One item, {"create":{"status":201,...}}: its status (0 when it has none), its object. */
static long bulk__item(struct json_object *item, struct json_object **res)
{
	struct json_object *st;

	*res = NULL;
	if (!json_object_is_type(item, json_type_object) || json_object_object_length(item) != 1)
		return 0;
	json_object_object_foreach(item, key, val)
	{
		(void)key;
		*res = val;
	}
	if (!json_object_is_type(*res, json_type_object) ||
	    !json_object_object_get_ex(*res, "status", &st) ||
	    !json_object_is_type(st, json_type_int))
		return 0;
	return (long)json_object_get_int64(st);
}

static void bulk__why(struct json_object *res, long status, char *why, size_t whysz)
{
	struct json_object *e = obj_get(res, "error");
	const char *type = obj_str(e, "type"), *reason = obj_str(e, "reason");

	snprintf(why, whysz, "item status %ld: %.60s: %.180s", status, type ? type : "?",
		 reason ? reason : "?");
}

/* Walk the items in order up to the first one to send again. */
static void bulk__items(struct json_object *items, size_t n, struct http_bulk_res *r)
{
	size_t have = json_object_array_length(items), i;
	struct json_object *res;
	long status;

	for (i = 0; i < n && i < have; i++) {
		status = bulk__item(json_object_array_get_idx(items, i), &res);
		if ((status >= 200 && status <= 299) || status == 409)
			continue; /* 409 on create: the document is there already, from a re-send */
		if (status && http_status__verdict(status) != HTTP_RETRY) {
			if (!r->rejected++)
				bulk__why(res, status, r->why, sizeof(r->why));
			continue;
		}
		r->retry_status = status ? status : 500;
		break;
	}
	if (i < n && !r->retry_status)
		r->retry_status = 500; /* fewer items than records: the rest goes again */
	r->delivered = i;
}

int http_bulk__parse(const char *body, size_t len, size_t n, struct http_bulk_res *r)
{
	struct json_object *root = parse(body, len), *errs = NULL, *items = NULL;
	int rc = -EPROTO;

	memset(r, 0, sizeof(*r));
	if (!root || !json_object_object_get_ex(root, "errors", &errs) ||
	    !json_object_is_type(errs, json_type_boolean))
		goto out;
	if (!json_object_get_boolean(errs)) {
		r->delivered = n;
		rc = 0;
	} else if (json_object_object_get_ex(root, "items", &items) &&
		   json_object_is_type(items, json_type_array)) {
		bulk__items(items, n, r);
		rc = 0;
	}
out:
	json_object_put(root);
	return rc;
}

size_t http_otlp__rejected(const char *body, size_t len, size_t n, char *why, size_t whysz)
{
	struct json_object *root = parse(body, len), *ps = obj_get(root, "partialSuccess"), *v;
	long long rej = 0;
	const char *msg = obj_str(ps, "errorMessage");

	/* int64 is a string in OTLP JSON; some servers write a number all the same */
	if (ps && json_object_object_get_ex(ps, "rejectedLogRecords", &v) &&
	    (json_object_is_type(v, json_type_string) || json_object_is_type(v, json_type_int)))
		rej = json_object_get_int64(v);
	snprintf(why, whysz, "partialSuccess: %.200s", msg ? msg : "(no errorMessage)");
	json_object_put(root);
	if (rej < 0)
		rej = 0;
	return (size_t)rej < n ? (size_t)rej : n;
}

/* Events and stats carry the event object at the top; an alert carries it under "vigil",
 * with the node's name as Falco's "hostname". */
static void otlp__item(struct otlp_item *it, const struct out_rec *rec, const char *hostname)
{
	struct json_object *root = parse(rec->line, rec->len), *ev, *pod, *ctr;

	memset(it, 0, sizeof(*it));
	it->root = root;
	ev = json_object_is_type(root, json_type_object) ? root : NULL;
	if (rec->kind == OUT_ALERT) {
		it->res[OTLP_NODE] = obj_str(ev, "hostname");
		it->rule = obj_str(ev, "rule");
		ev = obj_get(ev, "vigil");
	}
	if (!it->res[OTLP_NODE])
		it->res[OTLP_NODE] = obj_str(ev, "node");
	if (!it->res[OTLP_NODE] && hostname && *hostname)
		it->res[OTLP_NODE] = hostname;
	it->type = obj_str(ev, "type");
	pod = obj_get(ev, "pod");
	ctr = obj_get(ev, "container");
	it->res[OTLP_NS] = obj_str(pod, "namespace");
	it->res[OTLP_POD] = obj_str(pod, "name");
	it->res[OTLP_POD_UID] = obj_str(pod, "uid");
	it->res[OTLP_CNAME] = obj_str(ctr, "name");
	it->res[OTLP_CID] = obj_str(ctr, "id");
}

static bool same_res(const struct otlp_item *a, const struct otlp_item *b)
{
	for (int k = 0; k < OTLP_RES_N; k++) {
		if (!a->res[k] != !b->res[k] || (a->res[k] && strcmp(a->res[k], b->res[k]) != 0))
			return false;
	}
	return true;
}

/* Groups are compared by their first item: a node runs ~100 pods, so this stays short. */
void otlp_items__parse(struct otlp_item *items, struct out_rec *const *recs, size_t n,
		       const char *hostname)
{
	for (size_t i = 0; i < n; i++) {
		otlp__item(&items[i], recs[i], hostname);
		items[i].group = i;
		for (size_t g = 0; g < i; g++) {
			if (items[g].group == g && same_res(&items[g], &items[i])) {
				items[i].group = g;
				break;
			}
		}
	}
}

void otlp_items__free(struct otlp_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_object_put(items[i].root);
		items[i].root = NULL;
	}
}
