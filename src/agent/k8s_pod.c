// SPDX-License-Identifier: Apache-2.0
/*
 * A Pod object (json-c, as the API serves it) -> struct k8s_pod. Reads only what enrichment
 * reports; every string is a bounded copy, so the tree can be freed as soon as this returns.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "k8s_pod_internal.h"

#define RUNTIME_MAX 32

/* The three container lists of a pod spec, in the order vigil keeps them, with the status
 * list that belongs to each. */
static const struct {
	const char *spec, *status;
	bool init, ephemeral;
} ctr_lists[] = {
    {"initContainers", "initContainerStatuses", true, false},
    {"containers", "containerStatuses", false, false},
    {"ephemeralContainers", "ephemeralContainerStatuses", false, true},
};

void k8s_pod__free(struct k8s_pod *p)
{
	if (!p)
		return;
	k8s_str_free(p->name);
	k8s_str_free(p->namespace);
	k8s_str_free(p->node);
	k8s_str_free(p->service_account);
	k8s_str_free(p->resource_version);
	k8s_str_free(p->owner_kind);
	k8s_str_free(p->owner_name);
	k8s_str_free(p->workload_kind);
	k8s_str_free(p->workload_name);
	k8s_kvs_free(p->labels, p->nlabels);
	k8s_kvs_free(p->annotations, p->nannotations);
	for (size_t i = 0; i < p->ncontainers; i++)
		k8s_container_clear(&p->containers[i]);
	free(p->containers);
	free(p->json);
	free(p);
}

const struct k8s_container *k8s_pod__container(const struct k8s_pod *p, const char *id)
{
	if (!p || !id || !*id)
		return NULL;
	for (size_t i = 0; i < p->ncontainers; i++)
		if (strcmp(p->containers[i].id, id) == 0)
			return &p->containers[i];
	return NULL;
}

static int pod_identity(struct k8s_pod *p, const struct json_object *meta, char *err, size_t errsz)
{
	const char *uid = NULL, *name = NULL, *ns = NULL, *rv = NULL;
	int ret;

	if ((ret = k8s_get_required(meta, "uid", "metadata", &uid, err, errsz)) ||
	    (ret = k8s_get_required(meta, "name", "metadata", &name, err, errsz)) ||
	    (ret = k8s_get_required(meta, "namespace", "metadata", &ns, err, errsz)) ||
	    (ret = k8s_get_str(meta, "resourceVersion", "metadata", &rv, err, errsz)))
		return ret;
	if (strlen(uid) >= K8S_UID_MAX)
		return k8s_err(err, errsz, "metadata", "uid", "too long");
	strcpy(p->uid, uid);
	p->name = k8s_strdup(name, &p->dropped);
	p->namespace = k8s_strdup(ns, &p->dropped);
	p->resource_version = k8s_strdup(rv, &p->dropped);
	return p->name && p->namespace && p->resource_version ? 0 : -ENOMEM;
}

static int pod_labels(struct k8s_pod *p, const struct json_object *meta, char *err, size_t errsz)
{
	const struct json_object *labels = NULL, *ann = NULL;
	int ret;

	if ((ret = k8s_get_obj(meta, "labels", "metadata", &labels, err, errsz)) ||
	    (ret = k8s_get_obj(meta, "annotations", "metadata", &ann, err, errsz)))
		return ret;
	ret = k8s_kvs_from_json(labels, "metadata.labels", K8S_LABELS_MAX, &p->labels, &p->nlabels,
				&p->dropped, err, errsz);
	if (ret)
		return ret;
	return k8s_kvs_from_json(ann, "metadata.annotations", K8S_ANNOTATIONS_MAX, &p->annotations,
				 &p->nannotations, &p->dropped, err, errsz);
}

/* Index of the reference with controller: true, else of the first; -1 if there is none. Every
 * entry is type-checked, so a malformed list is reported whichever entry would have been used. */
static int pick_owner(const struct json_object *refs, long *idx, char *err, size_t errsz)
{
	size_t n = refs ? json_object_array_length(refs) : 0;
	char path[K8S_PATH_MAX];
	bool found_controller = false;
	int ret;

	*idx = -1;
	for (size_t i = 0; i < n; i++) {
		const struct json_object *r = json_object_array_get_idx(refs, i);
		bool controller = false;

		k8s_path(path, "metadata.ownerReferences[%zu]", i);
		if (!json_object_is_type(r, json_type_object))
			return k8s_err(err, errsz, path, NULL, "not an object");
		ret = k8s_get_bool(r, "controller", path, &controller, err, errsz);
		if (ret)
			return ret;
		if (*idx < 0 || (controller && !found_controller)) {
			*idx = i;
			found_controller = controller;
		}
	}
	return 0;
}

static int pod_owner(struct k8s_pod *p, const struct json_object *meta, char *err, size_t errsz)
{
	const struct json_object *refs = NULL, *owner;
	const char *kind = NULL, *name = NULL;
	char path[K8S_PATH_MAX];
	long idx;
	int ret;

	if ((ret = k8s_get_arr(meta, "ownerReferences", "metadata", &refs, err, errsz)) ||
	    (ret = pick_owner(refs, &idx, err, errsz)))
		return ret;
	if (idx >= 0) {
		owner = json_object_array_get_idx(refs, idx);
		k8s_path(path, "metadata.ownerReferences[%ld]", idx);
		if ((ret = k8s_get_required(owner, "kind", path, &kind, err, errsz)) ||
		    (ret = k8s_get_required(owner, "name", path, &name, err, errsz)))
			return ret;
	}
	p->owner_kind = k8s_strdup(kind, &p->dropped);
	p->owner_name = k8s_strdup(name, &p->dropped);
	return p->owner_kind && p->owner_name ? 0 : -ENOMEM;
}

/* Length of name without a "-<suffix>" that the owner's controller appended, or 0 if name does
 * not end that way. */
static size_t strip_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	if (!s || n < s + 2 || name[n - s - 1] != '-' || strcmp(name + n - s, suffix) != 0)
		return 0;
	return n - s - 1;
}

/* "-<digits>" at the end of a Job's name with at least 8 digits: the CronJob controller's
 * suffix (the scheduled time in minutes since the epoch). */
static size_t strip_cronjob_suffix(const char *name)
{
	size_t n = strlen(name), d = 0;

	while (d < n && name[n - d - 1] >= '0' && name[n - d - 1] <= '9')
		d++;
	if (d < 8 || n < d + 2 || name[n - d - 1] != '-')
		return 0;
	return n - d - 1;
}

/* The first len bytes of s (already bounded), or the shared "". */
static char *dup_len(const char *s, size_t len)
{
	return len ? strndup(s, len) : k8s_empty;
}

/* Deployment behind a ReplicaSet, CronJob behind a Job, else the owner, else the pod. The
 * template hash is read from the object, not from the kept labels, which may be bounded;
 * pod_labels has checked that labels are strings. */
static int pod_workload(struct k8s_pod *p, const struct json_object *meta)
{
	const char *kind = p->owner_kind, *name = p->owner_name, *hash = NULL;
	struct json_object *labels = NULL, *v = NULL;
	size_t len = strlen(name);

	if (!*kind) {
		kind = "Pod";
		name = p->name;
		len = strlen(name);
	} else if (strcmp(kind, "ReplicaSet") == 0) {
		if (json_object_object_get_ex(meta, "labels", &labels) &&
		    json_object_object_get_ex(labels, "pod-template-hash", &v))
			hash = json_object_get_string(v);
		if (hash && strip_suffix(name, hash)) {
			kind = "Deployment";
			len = strip_suffix(name, hash);
		}
	} else if (strcmp(kind, "Job") == 0 && strip_cronjob_suffix(name)) {
		kind = "CronJob";
		len = strip_cronjob_suffix(name);
	}
	p->workload_kind = k8s_strdup(kind, &p->dropped);
	p->workload_name = dup_len(name, len);
	return p->workload_kind && p->workload_name ? 0 : -ENOMEM;
}

static int pod_spec(struct k8s_pod *p, const struct json_object *spec, char *err, size_t errsz)
{
	const char *node = NULL, *sa = NULL;
	int ret;

	if ((ret = k8s_get_str(spec, "nodeName", "spec", &node, err, errsz)) ||
	    (ret = k8s_get_str(spec, "serviceAccountName", "spec", &sa, err, errsz)))
		return ret;
	/* serviceAccount is the deprecated alias some old objects still carry alone */
	if ((!sa || !*sa) && (ret = k8s_get_str(spec, "serviceAccount", "spec", &sa, err, errsz)))
		return ret;
	p->node = k8s_strdup(node, &p->dropped);
	p->service_account = k8s_strdup(sa, &p->dropped);
	return p->node && p->service_account ? 0 : -ENOMEM;
}

/* The status entry of the container called name in the list at path, NULL if none; its path
 * (for messages) in epath. */
static int find_status(const struct json_object *list, const char *path, const char *name,
		       const struct json_object **out, char *epath, char *err, size_t errsz)
{
	size_t n = list ? json_object_array_length(list) : 0;
	int ret;

	*out = NULL;
	for (size_t i = 0; i < n && !*out; i++) {
		const struct json_object *st = json_object_array_get_idx(list, i);
		const char *sname = NULL;

		k8s_path(epath, "%s[%zu]", path, i);
		if (!json_object_is_type(st, json_type_object))
			return k8s_err(err, errsz, epath, NULL, "not an object");
		if ((ret = k8s_get_str(st, "name", epath, &sname, err, errsz)))
			return ret;
		if (sname && strcmp(sname, name) == 0)
			*out = st;
	}
	return 0;
}

/* containerID and the digest from imageID ("repo@sha256:..."; an image id without '@' is the
 * local config digest, not the repository digest, so it is not used). */
static int container_status(struct k8s_container *c, const struct json_object *st, const char *path,
			    unsigned *dropped, char *err, size_t errsz)
{
	const char *cid = NULL, *image_id = NULL, *at;
	char runtime[RUNTIME_MAX];
	int ret;

	if ((ret = k8s_get_str(st, "containerID", path, &cid, err, errsz)) ||
	    (ret = k8s_get_str(st, "imageID", path, &image_id, err, errsz)))
		return ret;
	/* an id vigil cannot match against cgroups is as good as none: the pod still counts */
	k8s_container_id_parse(cid, c->id, runtime, sizeof(runtime));
	c->runtime = k8s_strdup(runtime, dropped);
	if (!c->runtime)
		return -ENOMEM;
	at = image_id ? strchr(image_id, '@') : NULL;
	if (*c->image_digest || !at || !strstr(at, "sha256:"))
		return 0;
	k8s_str_free(c->image_digest);
	c->image_digest = k8s_strdup(at + 1, dropped);
	return c->image_digest ? 0 : -ENOMEM;
}

static int container_from_json(struct k8s_container *c, const struct json_object *o,
			       const char *path, const struct json_object *statuses,
			       const char *spath, unsigned *dropped, char *err, size_t errsz)
{
	const struct json_object *sc = NULL, *st = NULL;
	const char *name = NULL, *image = NULL;
	char scpath[K8S_PATH_MAX], stpath[K8S_PATH_MAX];
	int ret;

	if (!json_object_is_type(o, json_type_object))
		return k8s_err(err, errsz, path, NULL, "not an object");
	k8s_path(scpath, "%s.securityContext", path);
	if ((ret = k8s_get_required(o, "name", path, &name, err, errsz)) ||
	    (ret = k8s_get_str(o, "image", path, &image, err, errsz)) ||
	    (ret = k8s_get_obj(o, "securityContext", path, &sc, err, errsz)) ||
	    (ret = k8s_get_bool(sc, "privileged", scpath, &c->privileged, err, errsz)) ||
	    (ret = find_status(statuses, spath, name, &st, stpath, err, errsz)))
		return ret;
	c->name = k8s_strdup(name, dropped);
	if (!c->name || k8s_container_set_image(c, image, dropped))
		return -ENOMEM;
	if (st)
		return container_status(c, st, stpath, dropped, err, errsz);
	c->runtime = k8s_empty;
	return 0;
}

/* One spec list (and its status list) appended to p->containers, up to the bound. */
static int containers_list(struct k8s_pod *p, size_t cap, const struct json_object *spec,
			   const struct json_object *status, int which, char *err, size_t errsz)
{
	const struct json_object *list = NULL, *statuses = NULL;
	char path[K8S_PATH_MAX], spath[K8S_PATH_MAX];
	size_t n;
	int ret;

	k8s_path(spath, "status.%s", ctr_lists[which].status);
	if ((ret = k8s_get_arr(spec, ctr_lists[which].spec, "spec", &list, err, errsz)) ||
	    (ret = k8s_get_arr(status, ctr_lists[which].status, "status", &statuses, err, errsz)))
		return ret;
	n = list ? json_object_array_length(list) : 0;
	for (size_t i = 0; i < n; i++) {
		struct k8s_container *c = &p->containers[p->ncontainers];

		if (p->ncontainers == cap) {
			p->dropped += n - i;
			break;
		}
		k8s_path(path, "spec.%s[%zu]", ctr_lists[which].spec, i);
		p->ncontainers++;
		c->init = ctr_lists[which].init;
		c->ephemeral = ctr_lists[which].ephemeral;
		ret = container_from_json(c, json_object_array_get_idx(list, i), path, statuses,
					  spath, &p->dropped, err, errsz);
		if (ret)
			return ret;
	}
	return 0;
}

static size_t list_len(const struct json_object *spec, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(spec, key, &v) || !json_object_is_type(v, json_type_array))
		return 0;
	return json_object_array_length(v);
}

static int pod_containers(struct k8s_pod *p, const struct json_object *spec,
			  const struct json_object *status, char *err, size_t errsz)
{
	size_t cap = 0;
	int ret;

	for (size_t k = 0; k < sizeof(ctr_lists) / sizeof(ctr_lists[0]); k++)
		cap += list_len(spec, ctr_lists[k].spec);
	cap = cap < K8S_CONTAINERS_MAX ? cap : K8S_CONTAINERS_MAX;
	if (cap && !(p->containers = calloc(cap, sizeof(*p->containers))))
		return -ENOMEM;
	for (size_t k = 0; k < sizeof(ctr_lists) / sizeof(ctr_lists[0]); k++) {
		ret = containers_list(p, cap, spec, status, k, err, errsz);
		if (ret)
			return ret;
	}
	return 0;
}

static int pod_parse(struct k8s_pod *p, const struct json_object *obj, char *err, size_t errsz)
{
	const struct json_object *meta = NULL, *spec = NULL, *status = NULL;
	int ret;

	if (!json_object_is_type(obj, json_type_object))
		return k8s_err(err, errsz, "pod", NULL, "not an object");
	if ((ret = k8s_get_obj(obj, "metadata", "", &meta, err, errsz)) ||
	    (ret = k8s_get_obj(obj, "spec", "", &spec, err, errsz)) ||
	    (ret = k8s_get_obj(obj, "status", "", &status, err, errsz)))
		return ret;
	if (!meta)
		return k8s_err(err, errsz, "", "metadata", "missing");
	if ((ret = pod_identity(p, meta, err, errsz)) || (ret = pod_labels(p, meta, err, errsz)) ||
	    (ret = pod_owner(p, meta, err, errsz)) || (ret = pod_spec(p, spec, err, errsz)) ||
	    (ret = pod_containers(p, spec, status, err, errsz)) || (ret = pod_workload(p, meta)))
		return ret;
	return k8s_pod__render(p);
}

int k8s_pod__from_json(const struct json_object *obj, struct k8s_pod **out, char *err, size_t errsz)
{
	struct k8s_pod *p = calloc(1, sizeof(*p));
	int ret;

	*out = NULL;
	if (!p)
		return -ENOMEM;
	ret = pod_parse(p, obj, err, errsz);
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(err, errsz, "out of memory");
		k8s_pod__free(p);
		return ret;
	}
	*out = p;
	return 0;
}
