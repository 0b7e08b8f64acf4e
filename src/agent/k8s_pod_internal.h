/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the pod model's files share with each other and with the static metadata loader:
 * bounded string copies, typed reads of json-c fields that name the field when they fail,
 * label maps and image fields. Only k8s_pod*.c and k8s_meta.c include this.
 */
#ifndef VIGIL_K8S_POD_INTERNAL_H
#define VIGIL_K8S_POD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "k8s_pod.h"

struct json_object;

/* A label or annotation key: a 253-byte DNS prefix, '/', a 63-byte name. Longer keys are not
 * Kubernetes keys; they are dropped rather than cut, since a cut key would be a wrong key. */
#define K8S_KEY_MAX 317

/* The annotation kubectl apply writes: a copy of the whole object, never worth its bytes. */
#define K8S_LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"

/*
 * Every string of a pod is a heap copy except "", which is this one shared byte, so empty
 * fields cost nothing. Free with k8s_str_free, account with k8s_str_heap.
 */
extern char k8s_empty[1];

/* A copy of s (NULL is ""), cut on a UTF-8 boundary to at most `max` bytes; a cut is counted
 * in *dropped. NULL only when out of memory. */
char *k8s_strdup_max(const char *s, size_t max, unsigned *dropped);
/* The same with max K8S_VALUE_MAX, the bound on every string a pod keeps. */
char *k8s_strdup(const char *s, unsigned *dropped);
void k8s_str_free(char *s);
size_t k8s_str_heap(const char *s);

/* "PATH.KEY: what" (or "KEY: what" at the top level, or "PATH: what" without a key) into err;
 * returns -EINVAL so callers can `return k8s_err(...)`. */
int k8s_err(char *err, size_t errsz, const char *path, const char *key, const char *what);

/* Field paths for messages ("spec.containers[2].securityContext"); longer ones are cut. */
#define K8S_PATH_MAX 128
void k8s_path(char path[K8S_PATH_MAX], const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Typed reads of member `key` of object o. An absent member or a JSON null leaves *out as it
 * was and returns 0; a member of another type is -EINVAL with "PATH.KEY: not a string" (or
 * "not a boolean", ...) in err. o itself may be NULL (an absent parent).
 */
int k8s_get_str(const struct json_object *o, const char *key, const char *path, const char **out,
		char *err, size_t errsz);
/* A string that must be there and not be empty: otherwise "PATH.KEY: missing". *out is
 * cleared first, so a default cannot hide an absent field. */
int k8s_get_required(const struct json_object *o, const char *key, const char *path,
		     const char **out, char *err, size_t errsz);
int k8s_get_bool(const struct json_object *o, const char *key, const char *path, bool *out,
		 char *err, size_t errsz);
int k8s_get_obj(const struct json_object *o, const char *key, const char *path,
		const struct json_object **out, char *err, size_t errsz);
int k8s_get_arr(const struct json_object *o, const char *key, const char *path,
		const struct json_object **out, char *err, size_t errsz);

/*
 * A label or annotation map (a JSON object of strings; NULL is empty) into an array of at most
 * `max` pairs, in document order. Dropped and counted in *dropped: pairs beyond max, keys
 * longer than K8S_KEY_MAX, and the last-applied-configuration annotation; values longer than
 * K8S_VALUE_MAX are cut (counted). A value that is not a string is -EINVAL naming it.
 */
int k8s_kvs_from_json(const struct json_object *map, const char *path, size_t max,
		      struct k8s_kv **out, size_t *n, unsigned *dropped, char *err, size_t errsz);
void k8s_kvs_free(struct k8s_kv *kv, size_t n);

/* A container id of 12 to 64 hex digits (12: docker's short ids, as cgroup_parse accepts),
 * lower-cased into id. -EINVAL if a character is not hex, -ERANGE for a wrong length. */
int k8s_hex_id(const char *hex, char id[K8S_CONTAINER_ID_MAX]);

/* Set image and its repository, tag and digest parts (bounded copies). -ENOMEM or 0. */
int k8s_container_set_image(struct k8s_container *c, const char *image, unsigned *dropped);
/* Free what a container holds (not the container itself). */
void k8s_container_clear(struct k8s_container *c);

#endif /* VIGIL_K8S_POD_INTERNAL_H */
