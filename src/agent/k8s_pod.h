/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A Kubernetes pod as vigil keeps it: only what enrichment reports, bounded, and with the JSON
 * members written once when the pod is parsed, so that enriching an event is a copy.
 *
 * Built from the API's Pod JSON (a PodList item or a watch event's object), or from vigil's
 * static metadata file (k8s_meta.h). Immutable once built: an update replaces the whole pod.
 */
#ifndef VIGIL_K8S_POD_H
#define VIGIL_K8S_POD_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

#define K8S_UID_MAX	    37 /* canonical dashed uuid + NUL */
#define K8S_CONTAINER_ID_MAX 65 /* 64 hex + NUL */

/* Bounds on what one pod may cost; larger values are cut on a UTF-8 boundary or dropped, and
 * either is counted in `dropped`. Over K8S_POD_BYTES_MAX, annotations go first (costliest
 * first), then labels, then (only with absurd container fields) the last containers. */
#define K8S_LABELS_MAX	     64	    /* labels kept per pod */
#define K8S_ANNOTATIONS_MAX  32	    /* annotations kept per pod */
#define K8S_VALUE_MAX	     1024   /* bytes of one label/annotation value (or any string) kept */
#define K8S_CONTAINERS_MAX   64	    /* containers (init + app + ephemeral) per pod */
#define K8S_POD_BYTES_MAX    65536  /* heap per pod, all strings and rendered JSON included */

struct k8s_kv {
	char *key, *value;
};

struct k8s_container {
	char *name;
	char *image;	    /* spec image as written, e.g. "nginx:1.25" */
	char *image_repo;   /* "docker.io/library/nginx" is not invented: repo as written ("nginx") */
	char *image_tag;    /* "1.25"; "" when absent */
	char *image_digest; /* "sha256:..." from the image or the status imageID; "" when unknown */
	char id[K8S_CONTAINER_ID_MAX]; /* lower-case hex from status containerID; "" until started */
	char *runtime;	    /* scheme of containerID: "containerd", "cri-o", "docker"; "" */
	bool privileged;    /* securityContext.privileged */
	bool init, ephemeral;
	char *json;	    /* rendered members, see k8s_pod__render */
	size_t json_len;
};

struct k8s_pod {
	char uid[K8S_UID_MAX];
	char *name, *namespace, *node, *service_account;
	char *resource_version; /* metadata.resourceVersion */
	char *owner_kind, *owner_name;	     /* the controller ownerReference; "" if none */
	char *workload_kind, *workload_name; /* Deployment behind a ReplicaSet, CronJob behind a
					      * Job, else the owner; the pod itself if no owner */
	/* Workload, a heuristic from names alone (no lookups): ReplicaSet "<d>-<h>" with the pod
	 * label pod-template-hash=<h> -> Deployment "<d>"; Job "<c>-<digits>" with >= 8 digits
	 * (the CronJob controller's scheduled-minute suffix) -> CronJob "<c>". A Job named so by
	 * hand is taken for a CronJob's. */
	struct k8s_kv *labels;
	size_t nlabels;
	struct k8s_kv *annotations;
	size_t nannotations;
	struct k8s_container *containers;
	size_t ncontainers;
	bool static_meta; /* from the static metadata file, not the API */
	bool standalone;  /* a holder for containers outside any pod (static file only); uid "" */
	unsigned dropped; /* labels/annotations/containers dropped or truncated by the bounds */
	char *json;	  /* rendered pod members, see k8s_pod__render */
	size_t json_len;
	size_t bytes;	  /* heap this pod holds (accounting; the cache sums it) */
};

/*
 * Build a pod from a Pod object (json-c). Returns 0 and a new pod in *out, or -EINVAL with a
 * message naming the field ("metadata.uid: missing", "spec.containers[2].name: not a string")
 * in err. Tolerant of absent optional fields; strict on the identity (uid, name, namespace).
 * The rendered JSON is built before returning.
 */
int k8s_pod__from_json(const struct json_object *pod, struct k8s_pod **out, char *err,
		       size_t errsz);
void k8s_pod__free(struct k8s_pod *p);

/*
 * The rendered members, written into events by enrichment (no braces, no leading comma):
 *   pod:       "name":"web-7f..","namespace":"prod","labels":{..},"annotations":{..},
 *              "workload":{"kind":"Deployment","name":"web"},"owner":{"kind":"ReplicaSet",
 *              "name":"web-7f.."},"service_account":"default","node":"n1"
 *   container: "name":"app","image":"nginx:1.25","image_repository":"nginx",
 *              "image_tag":"1.25","image_digest":"sha256:..","privileged":false
 * Escaped exactly as json.h does. "owner" is left out when the pod has none; a standalone
 * holder renders only "labels". Also applies K8S_POD_BYTES_MAX and sets `bytes` (so call it
 * last). Called by k8s_pod__from_json; exposed for the static loader. 0 or -ENOMEM.
 */
int k8s_pod__render(struct k8s_pod *p);

/* Container by id (exact, lower-case hex); NULL if the pod has no such container. */
const struct k8s_container *k8s_pod__container(const struct k8s_pod *p, const char *id);

/* Split an image reference into repository, tag and digest (any may come out ""):
 * "reg:5000/ns/app:1.2@sha256:ab" -> "reg:5000/ns/app", "1.2", "sha256:ab". Strings are
 * written into the caller's buffers, each of size n, truncated if needed. */
void k8s_image_split(const char *image, char *repo, char *tag, char *digest, size_t n);

/* Container id and runtime from a status containerID ("containerd://<hex>"). Returns 0, or
 * -EINVAL if it has no scheme or the id is not 12 to 64 hex digits (cgroup_parse's range; the
 * id is lower-cased). */
int k8s_container_id_parse(const char *cid, char id[K8S_CONTAINER_ID_MAX], char *runtime,
			   size_t rtsz);

#endif /* VIGIL_K8S_POD_H */
