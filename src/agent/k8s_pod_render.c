// SPDX-License-Identifier: Apache-2.0
/*
 * A pod's JSON members, written once when the pod is built so that enriching an event is a
 * copy; and the K8S_POD_BYTES_MAX bound, which needs the rendered sizes to be enforced.
 *
 * The members are written with json.h's writer and the outer braces stripped, so the escaping
 * is exactly the event format's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "k8s_pod_internal.h"

/* Most a render may take before the bound is applied: every string is at most K8S_VALUE_MAX
 * bytes, six times that escaped, and there are at most ~100 of them in one render. */
#define RENDER_LIMIT (1u << 20)

/* The members inside the writer's outer braces, as a new exact-size string. */
static int take_members(const struct json_w *w, char **out, size_t *len)
{
	if (w->err)
		return w->err;
	*len = w->len - 2;
	*out = malloc(*len + 1);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, w->buf + 1, *len);
	(*out)[*len] = '\0';
	return 0;
}

static int render_container(struct json_w *w, struct k8s_container *c)
{
	json_reset(w);
	json_obj_begin(w);
	json_kstr(w, "name", c->name);
	json_kstr(w, "image", c->image);
	json_kstr(w, "image_repository", c->image_repo);
	json_kstr(w, "image_tag", c->image_tag);
	json_kstr(w, "image_digest", c->image_digest);
	json_kbool(w, "privileged", c->privileged);
	json_kbool(w, "ephemeral", c->ephemeral); /* kubectl debug: an added shell in a pod */
	json_obj_end(w);
	free(c->json);
	c->json = NULL;
	return take_members(w, &c->json, &c->json_len);
}

static void render_kvs(struct json_w *w, const char *key, const struct k8s_kv *kv, size_t n)
{
	json_key(w, key);
	json_obj_begin(w);
	for (size_t i = 0; i < n; i++)
		json_kstr(w, kv[i].key, kv[i].value);
	json_obj_end(w);
}

static void render_ref(struct json_w *w, const char *key, const char *kind, const char *name)
{
	json_key(w, key);
	json_obj_begin(w);
	json_kstr(w, "kind", kind);
	json_kstr(w, "name", name);
	json_obj_end(w);
}

/* A standalone holder has no name, namespace or workload: only its container's labels. */
static void render_pod(struct json_w *w, const struct k8s_pod *p, bool with_kvs)
{
	json_reset(w);
	json_obj_begin(w);
	if (!p->standalone) {
		json_kstr(w, "name", p->name);
		json_kstr(w, "namespace", p->namespace);
	}
	render_kvs(w, "labels", p->labels, with_kvs ? p->nlabels : 0);
	if (!p->standalone) {
		render_kvs(w, "annotations", p->annotations, with_kvs ? p->nannotations : 0);
		render_ref(w, "workload", p->workload_kind, p->workload_name);
		if (p->owner_kind && *p->owner_kind)
			render_ref(w, "owner", p->owner_kind, p->owner_name);
		json_kstr(w, "service_account", p->service_account);
		json_kstr(w, "node", p->node);
	}
	json_obj_end(w);
}

static size_t container_heap(const struct k8s_container *c)
{
	return k8s_str_heap(c->name) + k8s_str_heap(c->image) + k8s_str_heap(c->image_repo) +
	       k8s_str_heap(c->image_tag) + k8s_str_heap(c->image_digest) +
	       k8s_str_heap(c->runtime) + (c->json ? c->json_len + 1 : 0);
}

static size_t kvs_heap(const struct k8s_kv *kv, size_t n)
{
	size_t sum = n * sizeof(*kv);

	for (size_t i = 0; i < n; i++)
		sum += k8s_str_heap(kv[i].key) + k8s_str_heap(kv[i].value);
	return sum;
}

/* Everything but the labels, the annotations and the pod's own JSON. */
static size_t fixed_heap(const struct k8s_pod *p)
{
	size_t sum = sizeof(*p) + p->ncontainers * sizeof(*p->containers);

	sum += k8s_str_heap(p->name) + k8s_str_heap(p->namespace) + k8s_str_heap(p->node) +
	       k8s_str_heap(p->service_account) + k8s_str_heap(p->resource_version) +
	       k8s_str_heap(p->owner_kind) + k8s_str_heap(p->owner_name) +
	       k8s_str_heap(p->workload_kind) + k8s_str_heap(p->workload_name);
	for (size_t i = 0; i < p->ncontainers; i++)
		sum += container_heap(&p->containers[i]);
	return sum;
}

static size_t pod_heap(const struct k8s_pod *p)
{
	return fixed_heap(p) + kvs_heap(p->labels, p->nlabels) +
	       kvs_heap(p->annotations, p->nannotations) + (p->json ? p->json_len + 1 : 0);
}

/* What one pair adds to the pod: its heap, its rendered "k":"v" and a comma. */
static size_t kv_cost(struct json_w *w, const struct k8s_kv *kv)
{
	json_reset(w);
	json_obj_begin(w);
	json_kstr(w, kv->key, kv->value);
	json_obj_end(w);
	return kvs_heap(kv, 1) + (w->err ? RENDER_LIMIT : w->len - 2 + 1);
}

/* Drop the costliest pairs of kv until need fits the bound; returns the bytes saved. Of equal
 * costs the last goes first, so what stays is in document order like the count bound's. */
static size_t drop_costliest(struct k8s_kv *kv, size_t *n, size_t *cost, size_t need,
			     unsigned *dropped)
{
	size_t saved = 0, max;

	while (need - saved > K8S_POD_BYTES_MAX && *n) {
		max = 0;
		for (size_t i = 1; i < *n; i++)
			if (cost[i] >= cost[max])
				max = i;
		saved += cost[max];
		k8s_str_free(kv[max].key);
		k8s_str_free(kv[max].value);
		memmove(&kv[max], &kv[max + 1], (*n - max - 1) * sizeof(*kv));
		memmove(&cost[max], &cost[max + 1], (*n - max - 1) * sizeof(*cost));
		(*n)--;
		(*dropped)++;
	}
	return saved;
}

/* Resize an array to n elements exactly (the byte account counts n), or free it. */
static void *shrink(void *a, size_t n, size_t size)
{
	void *r;

	if (!n) {
		free(a);
		return NULL;
	}
	r = realloc(a, n * size);
	return r ? r : a;
}

/* A hand-built pod (the static loader's) may hold more pairs than a parsed one could. */
static void cut_kvs(struct k8s_kv *kv, size_t *n, size_t max, unsigned *dropped)
{
	while (*n > max) {
		(*n)--;
		k8s_str_free(kv[*n].key);
		k8s_str_free(kv[*n].value);
		(*dropped)++;
	}
}

/* Bound the pod: annotations go first, then labels, then (only for absurd containers) the
 * last containers; every one dropped is counted. A pod is never refused for its size. */
static void pod_fit(struct json_w *w, struct k8s_pod *p)
{
	size_t lcost[K8S_LABELS_MAX], acost[K8S_ANNOTATIONS_MAX], need, i;

	cut_kvs(p->labels, &p->nlabels, K8S_LABELS_MAX, &p->dropped);
	cut_kvs(p->annotations, &p->nannotations, K8S_ANNOTATIONS_MAX, &p->dropped);
	render_pod(w, p, false);
	need = fixed_heap(p) + (w->err ? RENDER_LIMIT : w->len - 2 + 1);
	for (i = 0; i < p->nlabels; i++)
		need += lcost[i] = kv_cost(w, &p->labels[i]);
	for (i = 0; i < p->nannotations; i++)
		need += acost[i] = kv_cost(w, &p->annotations[i]);
	need -= drop_costliest(p->annotations, &p->nannotations, acost, need, &p->dropped);
	need -= drop_costliest(p->labels, &p->nlabels, lcost, need, &p->dropped);
	while (need > K8S_POD_BYTES_MAX && p->ncontainers) {
		struct k8s_container *c = &p->containers[--p->ncontainers];

		need -= container_heap(c) + sizeof(*c);
		k8s_container_clear(c);
		p->dropped++;
	}
	p->labels = shrink(p->labels, p->nlabels, sizeof(*p->labels));
	p->annotations = shrink(p->annotations, p->nannotations, sizeof(*p->annotations));
	p->containers = shrink(p->containers, p->ncontainers, sizeof(*p->containers));
}

int k8s_pod__render(struct k8s_pod *p)
{
	struct json_w w;
	int ret;

	ret = json_init(&w, RENDER_LIMIT);
	if (ret)
		return ret;
	for (size_t i = 0; i < p->ncontainers && !ret; i++)
		ret = render_container(&w, &p->containers[i]);
	if (ret)
		goto out;
	pod_fit(&w, p);
	render_pod(&w, p, true);
	free(p->json);
	p->json = NULL;
	ret = take_members(&w, &p->json, &p->json_len);
	p->bytes = pod_heap(p);
out:
	json_free(&w);
	return ret;
}
