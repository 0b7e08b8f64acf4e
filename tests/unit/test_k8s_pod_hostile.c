// SPDX-License-Identifier: Apache-2.0
/*
 * k8s_pod against hostile objects: every field of every fixture replaced by a wrong type,
 * missing identity, 100 KB strings everywhere, invalid UTF-8, deep nesting, too many
 * containers, and escape-heavy values that hit the per-pod byte bound. Nothing may crash; a
 * refused pod says which field.
 */
#include <errno.h>
#include <stdlib.h>

#define UNIT_MAIN
#include "unit.h"
#include "k8s_fixture.h"
#include "k8s_pod.h"

static char err[512];

/* from_json on JSON text; the error (or "") in err. */
static int parse(const char *json, struct k8s_pod **p)
{
	struct json_object *o = json_tokener_parse(json);
	int ret;

	CHECK(o != NULL);
	err[0] = '\0';
	*p = NULL;
	ret = k8s_pod__from_json(o, p, err, sizeof(err));
	json_object_put(o);
	return ret;
}

static void check_refused(const char *json, const char *msg)
{
	struct k8s_pod *p;

	CHECK_INT(parse(json, &p), -EINVAL);
	CHECK(p == NULL);
	CHECK_STR(err, msg);
}

/* A pod with identity: more metadata members; more top-level members; spec members. */
#define IDENT	   "\"uid\":\"u\",\"name\":\"n\",\"namespace\":\"s\""
#define META(rest) "{\"metadata\":{" IDENT rest "}}"
#define POD(rest)  "{\"metadata\":{" IDENT "}" rest "}"
#define SPEC(rest) POD(",\"spec\":{" rest "}")

UNIT_TEST(identity_required)
{
	struct k8s_pod *p = NULL;

	check_refused("{}", "metadata: missing");
	check_refused("[]", "pod: not an object");
	check_refused("{\"metadata\":null}", "metadata: missing");
	check_refused("{\"metadata\":[]}", "metadata: not an object");
	check_refused("{\"metadata\":{\"name\":\"n\",\"namespace\":\"s\"}}",
		      "metadata.uid: missing");
	check_refused("{\"metadata\":{\"uid\":\"\",\"name\":\"n\",\"namespace\":\"s\"}}",
		      "metadata.uid: missing");
	check_refused("{\"metadata\":{\"uid\":7,\"name\":\"n\",\"namespace\":\"s\"}}",
		      "metadata.uid: not a string");
	check_refused("{\"metadata\":{\"uid\":\"0d1f6c2a-8b4e-4c1f-9d2a-3e5f7a9b1c0d0\",\"name\":"
		      "\"n\",\"namespace\":\"s\"}}",
		      "metadata.uid: too long");
	check_refused("{\"metadata\":{\"uid\":\"u\",\"namespace\":\"s\"}}",
		      "metadata.name: missing");
	check_refused("{\"metadata\":{\"uid\":\"u\",\"name\":\"n\"}}",
		      "metadata.namespace: missing");
	check_refused("{\"metadata\":{\"uid\":\"u\",\"name\":\"n\",\"namespace\":{}}}",
		      "metadata.namespace: not a string");
	CHECK_INT(k8s_pod__from_json(NULL, &p, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "pod: not an object");
	CHECK(p == NULL);
}

UNIT_TEST(wrong_types_name_the_field)
{
	check_refused(META(",\"resourceVersion\":5"), "metadata.resourceVersion: not a string");
	check_refused(META(",\"labels\":[]"), "metadata.labels: not an object");
	check_refused(META(",\"labels\":{\"app\":1}"), "metadata.labels.app: not a string");
	check_refused(META(",\"annotations\":{\"a\":\"ok\",\"b\":{}}"),
		      "metadata.annotations.b: not a string");
	check_refused(META(",\"ownerReferences\":{}"), "metadata.ownerReferences: not an array");
	check_refused(META(",\"ownerReferences\":[{\"kind\":\"A\",\"name\":\"a\"},3]"),
		      "metadata.ownerReferences[1]: not an object");
	check_refused(META(",\"ownerReferences\":[{\"kind\":\"A\",\"name\":\"a\",\"controller\":"
			   "\"yes\"}]"),
		      "metadata.ownerReferences[0].controller: not a boolean");
	check_refused(META(",\"ownerReferences\":[{\"name\":\"a\"}]"),
		      "metadata.ownerReferences[0].kind: missing");
	check_refused(META(",\"ownerReferences\":[{\"kind\":\"A\",\"name\":false}]"),
		      "metadata.ownerReferences[0].name: not a string");
	check_refused(POD(",\"spec\":\"x\""), "spec: not an object");
	check_refused(POD(",\"status\":[]"), "status: not an object");
	check_refused(SPEC("\"nodeName\":1"), "spec.nodeName: not a string");
	check_refused(SPEC("\"serviceAccountName\":[]"), "spec.serviceAccountName: not a string");
	check_refused(SPEC("\"serviceAccount\":true"), "spec.serviceAccount: not a string");
	check_refused(SPEC("\"containers\":{}"), "spec.containers: not an array");
	check_refused(SPEC("\"containers\":[{\"name\":\"a\"},\"b\"]"),
		      "spec.containers[1]: not an object");
	check_refused(SPEC("\"containers\":[{\"name\":\"a\"},{\"image\":\"x\"}]"),
		      "spec.containers[1].name: missing");
	check_refused(SPEC("\"initContainers\":[{\"name\":\"a\",\"image\":5}]"),
		      "spec.initContainers[0].image: not a string");
	check_refused(SPEC("\"ephemeralContainers\":[{\"name\":\"a\",\"securityContext\":1}]"),
		      "spec.ephemeralContainers[0].securityContext: not an object");
	check_refused(SPEC("\"containers\":[{\"name\":\"a\",\"securityContext\":{\"privileged\":"
			   "\"true\"}}]"),
		      "spec.containers[0].securityContext.privileged: not a boolean");
	check_refused(
	    SPEC("\"containers\":[{\"name\":\"a\"}]},\"status\":{\"containerStatuses\":7"),
	    "status.containerStatuses: not an array");
	check_refused(SPEC("\"containers\":[{\"name\":\"a\"}]},\"status\":{\"containerStatuses\":"
			   "[{\"name\":\"a\",\"containerID\":12}]"),
		      "status.containerStatuses[0].containerID: not a string");
	check_refused(SPEC("\"containers\":[{\"name\":\"a\"}]},\"status\":{\"containerStatuses\":"
			   "[{\"name\":\"b\"},{\"name\":\"a\",\"imageID\":[]}]"),
		      "status.containerStatuses[1].imageID: not a string");
	check_refused(SPEC("\"containers\":[{\"name\":\"a\"}]},\"status\":{\"containerStatuses\":"
			   "[{\"name\":3}]"),
		      "status.containerStatuses[0].name: not a string");
	check_refused(SPEC("\"initContainers\":[{\"name\":\"a\"}]},\"status\":{"
			   "\"initContainerStatuses\":[null]"),
		      "status.initContainerStatuses[0]: not an object");
}

UNIT_TEST(nulls_are_absent)
{
	struct k8s_pod *p;

	CHECK_INT(parse("{\"metadata\":{" IDENT ",\"labels\":null,\"annotations\":{\"a\":null},"
			"\"ownerReferences\":null},\"spec\":{\"nodeName\":null,\"containers\":"
			"[{\"name\":\"c\",\"image\":null,\"securityContext\":null}]},"
			"\"status\":null}",
			&p),
		  0);
	CHECK_STR(err, "");
	if (!p)
		return;
	CHECK_INT(p->nannotations, 1);
	CHECK_STR(p->annotations[0].value, "");
	CHECK_STR(p->node, "");
	CHECK_STR(p->containers[0].image, "");
	CHECK_STR(p->containers[0].image_repo, "");
	k8s_pod__free(p);
}

/* A status that cannot be matched to cgroups does not refuse the pod: the id stays "". */
UNIT_TEST(unusable_container_ids)
{
	static const char *const ids[] = {"",
					  "containerd://",
					  "containerd://xyz",
					  "c842e7e9efb61e3cc052505d39c50d0e0ae82d6b04405ac03",
					  "unknown://abc",
					  NULL};
	char json[512];
	struct k8s_pod *p;

	for (int i = 0; ids[i]; i++) {
		snprintf(
		    json, sizeof(json),
		    SPEC("\"containers\":[{\"name\":\"a\"}]},\"status\":{\"containerStatuses\":"
			 "[{\"name\":\"a\",\"containerID\":\"%s\",\"imageID\":\"sha256:00\"}]"),
		    ids[i]);
		CHECK_INT(parse(json, &p), 0);
		if (!p)
			continue;
		CHECK_STR(p->containers[0].id, "");
		CHECK_STR(p->containers[0].runtime, "");
		/* a bare image id is the local config digest, not a repository digest */
		CHECK_STR(p->containers[0].image_digest, "");
		k8s_pod__free(p);
	}
}

struct walk {
	struct json_object *root;
	const char *fixture;
	int cases, refused;
};

static void walk(struct walk *w, struct json_object *o, const char *path);

/* Put a wrong-typed value where `path` is, parse, and put the original back. */
static void try_replaced(struct walk *w, const char *path)
{
	struct k8s_pod *p = NULL;
	int ret;

	err[0] = '\0';
	ret = k8s_pod__from_json(w->root, &p, err, sizeof(err));
	w->cases++;
	if (ret == 0) {
		CHECK(p != NULL && p->bytes <= K8S_POD_BYTES_MAX);
		k8s_pod__free(p);
		return;
	}
	w->refused++;
	CHECK_INT(ret, -EINVAL);
	CHECK(p == NULL);
	/* the message starts with the path of the replaced field, or of a field inside it */
	if (strncmp(err, path, strlen(path)) != 0 && strncmp(path, err, strcspn(err, ":")) != 0)
		printf("  %s: replaced %s: %s\n", w->fixture, path, err);
	CHECK(strncmp(err, path, strlen(path)) == 0 || strncmp(path, err, strcspn(err, ":")) == 0);
}

static void walk_member(struct walk *w, struct json_object *o, const char *key, const char *path)
{
	static const int kinds[] = {json_type_int, json_type_string, json_type_array};
	struct json_object *orig = json_object_get(json_object_object_get(o, key));

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct json_object *bad = kinds[k] == json_type_int ? json_object_new_int(7)
					  : kinds[k] == json_type_string
					      ? json_object_new_string("x")
					      : json_object_new_array();

		/* a string where a string belongs is no test */
		if (json_object_is_type(orig, kinds[k])) {
			json_object_put(bad);
			continue;
		}
		json_object_object_add(o, key, bad);
		try_replaced(w, path);
	}
	json_object_object_add(o, key, orig);
	walk(w, orig, path);
}

static void walk(struct walk *w, struct json_object *o, const char *path)
{
	char sub[512];

	if (json_object_is_type(o, json_type_object)) {
		struct json_object_iter it;
		size_t n = json_object_object_length(o), i = 0;
		const char **keys = calloc(n + 1, sizeof(*keys));

		/* keys first: replacing values while iterating would be unsafe */
		json_object_object_foreachC(o, it) keys[i++] = it.key;
		for (i = 0; i < n; i++) {
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", keys[i]);
			walk_member(w, o, keys[i], sub);
		}
		free(keys);
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o) && i < 3; i++) {
			struct json_object *orig = json_object_get(json_object_array_get_idx(o, i));

			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			json_object_array_put_idx(o, i, json_object_new_int(7));
			try_replaced(w, sub);
			json_object_array_put_idx(o, i, orig);
			walk(w, orig, sub);
		}
	}
}

UNIT_TEST(every_field_of_every_fixture_with_a_wrong_type)
{
	static const char *const names[] = {"pod-deployment.json", "pod-cronjob.json",
					    "pod-statefulset-debug.json", "pod-bare.json", NULL};

	for (int i = 0; names[i]; i++) {
		struct walk w = {.root = fixture(names[i]), .fixture = names[i]};

		walk(&w, w.root, "");
		CHECK(w.cases > 100);
		CHECK(w.refused > 20);
		json_object_put(w.root);
	}
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

UNIT_TEST(hundred_kb_strings_everywhere)
{
	char *big = repeat('a', 100 * 1024), *json = malloc(20 * 100 * 1024);
	struct k8s_pod *p;

	if (!json)
		abort();
	snprintf(json, 20 * 100 * 1024,
		 "{\"metadata\":{\"uid\":\"u\",\"name\":\"%s\",\"namespace\":\"%s\","
		 "\"resourceVersion\":\"%s\",\"labels\":{\"k\":\"%s\",\"%s\":\"v\"},"
		 "\"annotations\":{\"a\":\"%s\"},\"ownerReferences\":[{\"kind\":\"%s\",\"name\":"
		 "\"%s\"}]},\"spec\":{\"nodeName\":\"%s\",\"serviceAccountName\":\"%s\","
		 "\"containers\":[{\"name\":\"%s\",\"image\":\"%s\"}]},\"status\":{"
		 "\"containerStatuses\":[{\"name\":\"%s\",\"imageID\":\"x@sha256:%s\"}]}}",
		 big, big, big, big, big, big, big, big, big, big, big, big, big, big);
	CHECK_INT(parse(json, &p), 0);
	if (p) {
		CHECK_INT(strlen(p->name), K8S_VALUE_MAX);
		CHECK_INT(strlen(p->namespace), K8S_VALUE_MAX);
		CHECK_INT(strlen(p->resource_version), K8S_VALUE_MAX);
		CHECK_INT(strlen(p->node), K8S_VALUE_MAX);
		CHECK_INT(strlen(p->owner_kind), K8S_VALUE_MAX);
		CHECK_INT(strlen(p->workload_name), K8S_VALUE_MAX);
		/* the long key is not a key: dropped, not cut */
		CHECK_INT(p->nlabels, 1);
		CHECK_INT(strlen(p->labels[0].value), K8S_VALUE_MAX);
		CHECK_INT(strlen(p->containers[0].name), K8S_VALUE_MAX);
		CHECK_INT(strlen(p->containers[0].image), K8S_VALUE_MAX);
		CHECK_INT(strlen(p->containers[0].image_repo), K8S_VALUE_MAX);
		CHECK_INT(strlen(p->containers[0].image_digest), K8S_VALUE_MAX);
		CHECK(p->dropped >= 13);
		CHECK(p->bytes <= K8S_POD_BYTES_MAX);
		k8s_pod__free(p);
	}
	free(json);
	free(big);
}

UNIT_TEST(invalid_utf8_is_rendered_valid)
{
	struct k8s_pod *p;

	CHECK_INT(
	    parse(META(",\"labels\":{\"bad\":\"a\\u0000b\",\"ctl\":\"x\\u0001\\u2028y\"}"), &p), 0);
	if (p) {
		/* an embedded NUL ends the string, as in every C string of the pod */
		CHECK_STR(p->labels[0].value, "a");
		CHECK(strstr(p->json, "\"ctl\":\"x\\u0001\\u2028y\"") != NULL);
		k8s_pod__free(p);
	}
	/* raw bytes json-c's tokener lets through */
	CHECK_INT(parse(META(",\"labels\":{\"raw\":\"\xff\xc3(\xe2\x82\"}"), &p), 0);
	if (p) {
		CHECK_STR(p->labels[0].value, "\xff\xc3(\xe2\x82");
		CHECK(strstr(p->json, "\"raw\":\"\\ufffd\\ufffd(\\ufffd\\ufffd\"") != NULL);
		k8s_pod__free(p);
	}
}

UNIT_TEST(values_cut_on_a_utf8_boundary)
{
	/* 'a' and then 2-byte characters: byte 1024 is the second byte of one */
	size_t n = 1 + 2 * 600;
	char *v = malloc(n + 1), json[4096];
	struct k8s_pod *p;

	if (!v)
		abort();
	v[0] = 'a';
	for (size_t i = 1; i < n; i += 2)
		memcpy(v + i, "\xc3\xa9", 2);
	v[n] = '\0';
	snprintf(json, sizeof(json), META(",\"labels\":{\"k\":\"%s\"}"), v);
	CHECK_INT(parse(json, &p), 0);
	if (p) {
		CHECK_INT(strlen(p->labels[0].value), 1023);
		CHECK(strncmp(p->labels[0].value, v, 1023) == 0);
		CHECK_INT(p->dropped, 1);
		CHECK(strstr(p->json, "\\ufffd") == NULL);
		k8s_pod__free(p);
	}
	free(v);
	/* a run of continuation bytes is invalid anyway: cut at the bound */
	v = repeat('\x80', 2000);
	snprintf(json, sizeof(json), META(",\"labels\":{\"k\":\"%s\"}"), v);
	CHECK_INT(parse(json, &p), 0);
	if (p) {
		CHECK_INT(strlen(p->labels[0].value), K8S_VALUE_MAX);
		k8s_pod__free(p);
	}
	free(v);
}

/* A pod whose labels and annotations are all K8S_VALUE_MAX control bytes: each renders six
 * times larger, far beyond K8S_POD_BYTES_MAX. */
static struct json_object *escape_heavy_pod(int nlabels, int nann)
{
	struct json_object *o = json_tokener_parse(META(",\"labels\":{},\"annotations\":{}"));
	struct json_object *meta, *labels, *ann;
	char *v = repeat('\x01', K8S_VALUE_MAX), key[32];

	json_object_object_get_ex(o, "metadata", &meta);
	json_object_object_get_ex(meta, "labels", &labels);
	json_object_object_get_ex(meta, "annotations", &ann);
	for (int i = 0; i < nlabels; i++) {
		snprintf(key, sizeof(key), "l%02d", i);
		json_object_object_add(labels, key, json_object_new_string(i == 0 ? "small" : v));
	}
	for (int i = 0; i < nann; i++) {
		snprintf(key, sizeof(key), "a%02d", i);
		json_object_object_add(ann, key, json_object_new_string(i == 1 ? "tiny" : v));
	}
	free(v);
	return o;
}

UNIT_TEST(byte_bound_drops_annotations_then_labels)
{
	struct json_object *o = escape_heavy_pod(4, 32);
	struct k8s_pod *p = NULL;

	/* each big pair costs about 7.2 KB: the 4 labels (3 big) stay, and as many annotations
	 * as fit beside them, in document order, the small one among them */
	CHECK_INT(k8s_pod__from_json(o, &p, err, sizeof(err)), 0);
	json_object_put(o);
	if (!p)
		return;
	CHECK_INT(p->nlabels, 4);
	CHECK(p->nannotations >= 2 && p->nannotations <= 8);
	CHECK_STR(p->annotations[0].key, "a00");
	CHECK_STR(p->annotations[1].key, "a01");
	CHECK_STR(p->annotations[1].value, "tiny");
	CHECK_INT(p->dropped, 32 - p->nannotations);
	CHECK(p->bytes <= K8S_POD_BYTES_MAX);
	/* not more dropped than needed: one more big pair would not have fitted */
	CHECK(p->bytes > K8S_POD_BYTES_MAX - 8 * 1024);
	CHECK_INT(p->json_len, strlen(p->json));
	k8s_pod__free(p);

	/* 64 such labels cannot all stay: every annotation goes first, even the small one, then
	 * the costliest labels; the small label stays */
	o = escape_heavy_pod(64, 32);
	CHECK_INT(k8s_pod__from_json(o, &p, err, sizeof(err)), 0);
	json_object_put(o);
	if (!p)
		return;
	CHECK_INT(p->nannotations, 0);
	CHECK(p->annotations == NULL);
	CHECK(strstr(p->json, "\"annotations\":{}") != NULL);
	CHECK(p->nlabels >= 2 && p->nlabels < 12);
	CHECK_STR(p->labels[0].key, "l00");
	CHECK_STR(p->labels[0].value, "small");
	CHECK_STR(p->labels[1].key, "l01");
	CHECK_INT(p->dropped, 32 + 64 - p->nlabels);
	CHECK(p->bytes <= K8S_POD_BYTES_MAX);
	CHECK(p->bytes > K8S_POD_BYTES_MAX - 8 * 1024);
	CHECK_INT(p->json_len, strlen(p->json));
	k8s_pod__free(p);
}

UNIT_TEST(too_many_containers)
{
	struct json_object *o = json_tokener_parse(SPEC("\"containers\":[]"));
	struct json_object *spec, *list, *init, *c;
	struct k8s_pod *p = NULL;
	char name[16];

	json_object_object_get_ex(o, "spec", &spec);
	json_object_object_get_ex(spec, "containers", &list);
	init = json_object_new_array();
	json_object_object_add(spec, "initContainers", init);
	for (int i = 0; i < 70; i++) {
		c = json_object_new_object();
		snprintf(name, sizeof(name), "c%d", i);
		json_object_object_add(c, "name", json_object_new_string(name));
		json_object_array_add(i < 10 ? init : list, c);
	}
	CHECK_INT(k8s_pod__from_json(o, &p, err, sizeof(err)), 0);
	json_object_put(o);
	if (!p)
		return;
	CHECK_INT(p->ncontainers, K8S_CONTAINERS_MAX);
	CHECK_INT(p->dropped, 70 - K8S_CONTAINERS_MAX);
	CHECK_STR(p->containers[0].name, "c0");
	CHECK_INT(p->containers[9].init, true);
	CHECK_INT(p->containers[10].init, false);
	CHECK_STR(p->containers[63].name, "c63");
	k8s_pod__free(p);
}

UNIT_TEST(deep_nesting_in_ignored_fields)
{
	struct json_object *o = fixture("pod-deployment.json"), *spec, *deep, *inner;
	struct k8s_pod *p = NULL;

	/* json-c's tokener stops at depth 32, but a tree built in memory has no bound */
	deep = inner = json_object_new_array();
	for (int i = 0; i < 5000; i++) {
		struct json_object *next = json_object_new_array();

		json_object_array_add(inner, next);
		inner = next;
	}
	json_object_object_get_ex(o, "spec", &spec);
	json_object_object_add(spec, "volumes", deep);
	CHECK_INT(k8s_pod__from_json(o, &p, err, sizeof(err)), 0);
	k8s_pod__free(p);
	json_object_put(o);
}

int main(void)
{
	return unit_run();
}
