// SPDX-License-Identifier: Apache-2.0
/*
 * The static metadata file: Kubernetes Pod objects as kubectl prints them, or vigil's own short
 * form (k8s_meta.h). Everything is parsed and checked before the cache is touched, so a file
 * with one mistake loads nothing. vigil's form is strict about unknown fields, since a typo in
 * a hand-written file would otherwise silently lose metadata.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "k8s_meta.h"
#include "k8s_pod_internal.h"
#include "pod_cache.h"
#include "yamljson.h"

#define META_BYTES_MAX (16u << 20) /* a file larger than this is not a hand-written list */
#define MSG_MAX	       512

struct meta_pods {
	struct k8s_pod **v;
	size_t n, cap;
};

static int pods_add(struct meta_pods *mp, struct k8s_pod *p)
{
	struct k8s_pod **nv;

	if (mp->n == mp->cap) {
		mp->cap = mp->cap ? mp->cap * 2 : 16;
		nv = realloc(mp->v, mp->cap * sizeof(*nv));
		if (!nv) {
			k8s_pod__free(p);
			return -ENOMEM;
		}
		mp->v = nv;
	}
	mp->v[mp->n++] = p;
	return 0;
}

static void pods_free(struct meta_pods *mp)
{
	for (size_t i = 0; i < mp->n; i++)
		k8s_pod__free(mp->v[i]);
	free(mp->v);
}

/* Every member of o must be one of the names in allowed (NULL-terminated). */
static int check_fields(const struct json_object *o, const char *path, const char *const *allowed,
			char *err, size_t errsz)
{
	struct json_object_iter it;
	size_t i;

	json_object_object_foreachC(o, it)
	{
		for (i = 0; allowed[i] && strcmp(allowed[i], it.key) != 0; i++)
			;
		if (!allowed[i])
			return k8s_err(err, errsz, path, it.key, "unknown field");
	}
	return 0;
}

/* Element i of an array, which must be an object. */
static int array_obj(const struct json_object *arr, size_t i, const char *path,
		     const struct json_object **out, char *err, size_t errsz)
{
	*out = json_object_array_get_idx(arr, i);
	if (!json_object_is_type(*out, json_type_object))
		return k8s_err(err, errsz, path, NULL, "not a mapping");
	return 0;
}

/* "<hex>" or "<runtime>://<hex>". */
static int meta_cid(struct k8s_container *c, const char *id, const char *path, unsigned *dropped,
		    char *err, size_t errsz)
{
	const char *sep = strstr(id, "://");
	char runtime[32] = "";
	int ret;

	ret = k8s_hex_id(sep ? sep + 3 : id, c->id);
	if (ret == -EINVAL)
		return k8s_err(err, errsz, path, "id", "not hex");
	if (ret)
		return k8s_err(err, errsz, path, "id", "not 12 to 64 hex digits");
	if (sep)
		snprintf(runtime, sizeof(runtime), "%.*s", (int)(sep - id), id);
	c->runtime = k8s_strdup(runtime, dropped);
	return c->runtime ? 0 : -ENOMEM;
}

/* A container of vigil's form; labels (standalone containers only) go to the holder. */
static int meta_container(struct k8s_container *c, const struct json_object *o, const char *path,
			  unsigned *dropped, char *err, size_t errsz)
{
	static const char *const fields[] = {"id", "name", "image", "privileged", "labels", NULL};
	const char *id = NULL, *name = NULL, *image = NULL;
	int ret;

	if ((ret = check_fields(o, path, fields, err, errsz)) ||
	    (ret = k8s_get_required(o, "id", path, &id, err, errsz)) ||
	    (ret = k8s_get_str(o, "name", path, &name, err, errsz)) ||
	    (ret = k8s_get_str(o, "image", path, &image, err, errsz)) ||
	    (ret = k8s_get_bool(o, "privileged", path, &c->privileged, err, errsz)) ||
	    (ret = meta_cid(c, id, path, dropped, err, errsz)))
		return ret;
	c->name = k8s_strdup(name, dropped);
	if (!c->name || k8s_container_set_image(c, image, dropped))
		return -ENOMEM;
	return 0;
}

static int meta_containers(struct k8s_pod *p, const struct json_object *o, const char *path,
			   char *err, size_t errsz)
{
	const struct json_object *list = NULL, *co;
	char cpath[K8S_PATH_MAX];
	size_t n;
	int ret;

	if ((ret = k8s_get_arr(o, "containers", path, &list, err, errsz)))
		return ret;
	n = list ? json_object_array_length(list) : 0;
	if (n > K8S_CONTAINERS_MAX) {
		p->dropped += n - K8S_CONTAINERS_MAX;
		n = K8S_CONTAINERS_MAX;
	}
	if (n && !(p->containers = calloc(n, sizeof(*p->containers))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		k8s_path(cpath, "%s.containers[%zu]", path, i);
		if ((ret = array_obj(list, i, cpath, &co, err, errsz)))
			return ret;
		if (json_object_object_get_ex(co, "labels", NULL))
			return k8s_err(err, errsz, cpath, "labels",
				       "only for containers outside pods");
		p->ncontainers++;
		ret = meta_container(&p->containers[i], co, cpath, &p->dropped, err, errsz);
		if (ret)
			return ret;
	}
	return 0;
}

static int meta_workload(struct k8s_pod *p, const struct json_object *o, const char *path,
			 char *err, size_t errsz)
{
	static const char *const fields[] = {"kind", "name", NULL};
	const struct json_object *wl = NULL;
	const char *kind = "Pod", *name = p->name;
	char wpath[K8S_PATH_MAX];
	int ret;

	k8s_path(wpath, "%s.workload", path);
	if ((ret = k8s_get_obj(o, "workload", path, &wl, err, errsz)))
		return ret;
	if (wl && ((ret = check_fields(wl, wpath, fields, err, errsz)) ||
		   (ret = k8s_get_required(wl, "kind", wpath, &kind, err, errsz)) ||
		   (ret = k8s_get_required(wl, "name", wpath, &name, err, errsz))))
		return ret;
	p->workload_kind = k8s_strdup(kind, &p->dropped);
	p->workload_name = k8s_strdup(name, &p->dropped);
	return p->workload_kind && p->workload_name ? 0 : -ENOMEM;
}

static int meta_identity(struct k8s_pod *p, const struct json_object *o, const char *path,
			 char *err, size_t errsz)
{
	const char *uid = NULL, *name = NULL, *ns = "default", *sa = NULL, *node = NULL;
	int ret;

	if ((ret = k8s_get_required(o, "uid", path, &uid, err, errsz)) ||
	    (ret = k8s_get_required(o, "name", path, &name, err, errsz)) ||
	    (ret = k8s_get_str(o, "namespace", path, &ns, err, errsz)) ||
	    (ret = k8s_get_str(o, "service_account", path, &sa, err, errsz)) ||
	    (ret = k8s_get_str(o, "node", path, &node, err, errsz)))
		return ret;
	if (strlen(uid) >= K8S_UID_MAX)
		return k8s_err(err, errsz, path, "uid", "too long");
	strcpy(p->uid, uid);
	p->name = k8s_strdup(name, &p->dropped);
	p->namespace = k8s_strdup(ns, &p->dropped);
	p->service_account = k8s_strdup(sa, &p->dropped);
	p->node = k8s_strdup(node, &p->dropped);
	return p->name && p->namespace && p->service_account && p->node ? 0 : -ENOMEM;
}

/* Fields a hand-built pod does not have, as the shared "" (never NULL). */
static struct k8s_pod *meta_pod_new(void)
{
	struct k8s_pod *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->name = p->namespace = p->node = p->service_account = k8s_empty;
	p->resource_version = p->owner_kind = p->owner_name = k8s_empty;
	p->workload_kind = p->workload_name = k8s_empty;
	p->static_meta = true;
	return p;
}

static int meta_pod(const struct json_object *o, const char *path, struct meta_pods *mp, char *err,
		    size_t errsz)
{
	static const char *const fields[] = {
	    "uid",	"name", "namespace",	   "labels",	 "annotations",
	    "workload", "node", "service_account", "containers", NULL};
	const struct json_object *labels = NULL, *ann = NULL;
	struct k8s_pod *p = meta_pod_new();
	char lpath[K8S_PATH_MAX], apath[K8S_PATH_MAX];
	int ret;

	if (!p)
		return -ENOMEM;
	k8s_path(lpath, "%s.labels", path);
	k8s_path(apath, "%s.annotations", path);
	if ((ret = check_fields(o, path, fields, err, errsz)) ||
	    (ret = meta_identity(p, o, path, err, errsz)) ||
	    (ret = k8s_get_obj(o, "labels", path, &labels, err, errsz)) ||
	    (ret = k8s_get_obj(o, "annotations", path, &ann, err, errsz)) ||
	    (ret = k8s_kvs_from_json(labels, lpath, K8S_LABELS_MAX, &p->labels, &p->nlabels,
				     &p->dropped, err, errsz)) ||
	    (ret = k8s_kvs_from_json(ann, apath, K8S_ANNOTATIONS_MAX, &p->annotations,
				     &p->nannotations, &p->dropped, err, errsz)) ||
	    (ret = meta_workload(p, o, path, err, errsz)) ||
	    (ret = meta_containers(p, o, path, err, errsz)) || (ret = k8s_pod__render(p))) {
		k8s_pod__free(p);
		return ret;
	}
	return pods_add(mp, p);
}

/* A container outside any pod: a holder of its own, keyed by the container id. */
static int meta_standalone(const struct json_object *o, const char *path, struct meta_pods *mp,
			   char *err, size_t errsz)
{
	const struct json_object *labels = NULL;
	struct k8s_pod *p = meta_pod_new();
	char lpath[K8S_PATH_MAX];
	int ret = -ENOMEM;

	if (!p)
		return -ENOMEM;
	p->standalone = true;
	k8s_path(lpath, "%s.labels", path);
	p->containers = calloc(1, sizeof(*p->containers));
	if (!p->containers)
		goto fail;
	p->ncontainers = 1;
	if ((ret = meta_container(p->containers, o, path, &p->dropped, err, errsz)) ||
	    (ret = k8s_get_obj(o, "labels", path, &labels, err, errsz)) ||
	    (ret = k8s_kvs_from_json(labels, lpath, K8S_LABELS_MAX, &p->labels, &p->nlabels,
				     &p->dropped, err, errsz)) ||
	    (ret = k8s_pod__render(p)))
		goto fail;
	return pods_add(mp, p);
fail:
	k8s_pod__free(p);
	return ret;
}

/* Each element of o[key] (an array of mappings) through fn. */
static int meta_list(const struct json_object *o, const char *key, struct meta_pods *mp,
		     int (*fn)(const struct json_object *, const char *, struct meta_pods *, char *,
			       size_t),
		     char *err, size_t errsz)
{
	const struct json_object *list = NULL, *e;
	char path[K8S_PATH_MAX];
	size_t n;
	int ret;

	if ((ret = k8s_get_arr(o, key, "", &list, err, errsz)))
		return ret;
	n = list ? json_object_array_length(list) : 0;
	for (size_t i = 0; i < n; i++) {
		k8s_path(path, "%s[%zu]", key, i);
		if ((ret = array_obj(list, i, path, &e, err, errsz)) ||
		    (ret = fn(e, path, mp, err, errsz)))
			return ret;
	}
	return 0;
}

/* A Pod object; `path` prefixes its messages ("items[3]."), "" for a lone Pod. */
static int kube_pod(const struct json_object *o, const char *path, struct meta_pods *mp, char *err,
		    size_t errsz)
{
	const char *kind = NULL;
	char msg[MSG_MAX];
	struct k8s_pod *p;
	int ret;

	if ((ret = k8s_get_str(o, "kind", path, &kind, err, errsz)))
		return ret;
	if (kind && strcmp(kind, "Pod") != 0)
		return k8s_err(err, errsz, path, "kind", "not a Pod");
	ret = k8s_pod__from_json(o, &p, msg, sizeof(msg));
	if (ret == -EINVAL)
		snprintf(err, errsz, "%s%s%s", path, *path ? "." : "", msg);
	if (ret)
		return ret;
	p->static_meta = true;
	return pods_add(mp, p);
}

static int meta_collect(const struct json_object *root, struct meta_pods *mp, char *err,
			size_t errsz)
{
	static const char *const fields[] = {"pods", "containers", NULL};
	const char *kind = NULL;
	int ret;

	if (!root)
		return 0;
	if (!json_object_is_type(root, json_type_object))
		return k8s_err(err, errsz, "", "top level", "not a mapping");
	if ((ret = k8s_get_str(root, "kind", "", &kind, err, errsz)))
		return ret;
	if (kind && strcmp(kind, "Pod") == 0)
		return kube_pod(root, "", mp, err, errsz);
	if (kind && (strcmp(kind, "PodList") == 0 || strcmp(kind, "List") == 0))
		return meta_list(root, "items", mp, kube_pod, err, errsz);
	if (kind)
		return k8s_err(err, errsz, "", "kind", "not a Pod, PodList or List");
	if ((ret = check_fields(root, "", fields, err, errsz)) ||
	    (ret = meta_list(root, "pods", mp, meta_pod, err, errsz)))
		return ret;
	return meta_list(root, "containers", mp, meta_standalone, err, errsz);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The first string that occurs twice in v (sorted in place), NULL if none. */
static const char *first_dup(const char **v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 1; i < n; i++)
		if (strcmp(v[i - 1], v[i]) == 0)
			return v[i];
	return NULL;
}

/* Two pods with one uid, or two containers with one id: the second would silently replace or
 * steal from the first, so the file is refused instead. */
static int meta_check_dups(const struct meta_pods *mp, char *err, size_t errsz)
{
	size_t nu = 0, nc = 0, total = 0;
	const char **uids, **cids, *dup;
	int ret = 0;

	for (size_t i = 0; i < mp->n; i++)
		total += mp->v[i]->ncontainers;
	uids = calloc(mp->n + 1, sizeof(*uids));
	cids = calloc(total + 1, sizeof(*cids));
	if (!uids || !cids) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < mp->n; i++) {
		if (!mp->v[i]->standalone)
			uids[nu++] = mp->v[i]->uid;
		for (size_t k = 0; k < mp->v[i]->ncontainers; k++)
			if (mp->v[i]->containers[k].id[0])
				cids[nc++] = mp->v[i]->containers[k].id;
	}
	if ((dup = first_dup(uids, nu))) {
		snprintf(err, errsz, "uid %s: appears twice", dup);
		ret = -EINVAL;
	} else if ((dup = first_dup(cids, nc))) {
		snprintf(err, errsz, "container id %s: appears twice", dup);
		ret = -EINVAL;
	}
out:
	free(uids);
	free(cids);
	return ret;
}

/* The whole file must fit, or loading it would evict part of it. */
static int meta_check_fit(const struct meta_pods *mp, const struct pod_cache *c, char *err,
			  size_t errsz)
{
	struct pod_cache_stats st;
	size_t bytes = 0;

	pod_cache__stats(c, &st);
	for (size_t i = 0; i < mp->n; i++)
		bytes += mp->v[i]->bytes;
	if (mp->n > st.capacity || bytes > st.bytes_max) {
		snprintf(err, errsz,
			 "%zu pods and containers (%zu bytes) do not fit the pod cache "
			 "(%llu pods, %llu bytes)",
			 mp->n, bytes, (unsigned long long)st.capacity,
			 (unsigned long long)st.bytes_max);
		return -E2BIG;
	}
	return 0;
}

int k8s_meta__load(const char *path, struct pod_cache *c, char *err, size_t errsz)
{
	struct meta_pods mp = {0};
	struct json_object *root;
	char msg[MSG_MAX] = "";
	size_t i;
	int ret;

	ret = yamljson__parse_file(path, META_BYTES_MAX, &root, err, errsz);
	if (ret)
		return ret;
	ret = meta_collect(root, &mp, msg, sizeof(msg));
	json_object_put(root);
	if (!ret && !(ret = meta_check_dups(&mp, msg, sizeof(msg))))
		ret = meta_check_fit(&mp, c, msg, sizeof(msg));
	if (ret) {
		snprintf(err, errsz, "%s: %s", path, ret == -ENOMEM ? "out of memory" : msg);
		pods_free(&mp);
		return ret;
	}
	for (i = 0; i < mp.n; i++) {
		ret = pod_cache__upsert(c, mp.v[i]);
		if (ret)
			break;
	}
	if (ret) {
		/* only the allocator can fail here (the upsert freed its pod); those before stay */
		snprintf(err, errsz, "%s: out of memory after %zu pods", path, i);
		while (++i < mp.n)
			k8s_pod__free(mp.v[i]);
	}
	free(mp.v);
	return ret ? ret : (int)mp.n;
}
