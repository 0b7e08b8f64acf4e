/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The static metadata file (--metadata FILE, YAML or JSON; docs/kubernetes.md): describes pods
 * and containers for hosts without Kubernetes, and for tests. Two shapes are accepted:
 *  - Kubernetes objects as kubectl prints them: a Pod, a PodList or a List of Pods;
 *  - vigil's own form:
 *      pods:
 *        - uid: 0d1f6c2a-...          name: web-1   namespace: prod
 *          labels: {app: web}         annotations: {...}
 *          workload: {kind: Deployment, name: web}
 *          service_account: default   node: n1
 *          containers:
 *            - {id: <hex>, name: app, image: "nginx:1.25", privileged: false}
 *      containers:                    # containers outside any pod (docker, podman, runc)
 *        - {id: <hex>, name: db, image: "postgres:16", labels: {...}}
 */
#ifndef VIGIL_K8S_META_H
#define VIGIL_K8S_META_H

#include <stddef.h>

struct pod_cache;

/* Load path into the cache (pods marked static_meta). Returns the number of pods loaded, or a
 * negative errno with "FILE: field: what" (or "FILE:LINE:COL: what" for syntax) in err. A
 * file is loaded whole or not at all: a uid or container id given twice is refused, and a file
 * that does not fit the cache's bounds is -E2BIG.
 * vigil's form refuses unknown fields (typos would lose metadata silently); uid and name are
 * required, namespace defaults to "default", workload to the pod itself; container ids are
 * 12 to 64 hex digits, optionally as "runtime://hex". Each entry of `containers:` becomes a
 * standalone holder (counted as a pod) whose labels are the container's. */
int k8s_meta__load(const char *path, struct pod_cache *c, char *err, size_t errsz);

#endif /* VIGIL_K8S_META_H */
