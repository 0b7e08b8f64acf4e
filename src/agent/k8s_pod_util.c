// SPDX-License-Identifier: Apache-2.0
/*
 * The pod model's small parts: bounded copies, typed field reads that name the field, label
 * maps, image references and container ids.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "k8s_pod_internal.h"

#define CID_HEX_MIN 12 /* docker's short ids, as cgroup_parse accepts them */

char k8s_empty[1];

/* Where to cut s (len bytes) to keep at most max: not inside a UTF-8 sequence. A sequence is
 * at most 4 bytes, so a longer run of continuation bytes is invalid anyway and cut as is. */
static size_t utf8_cut(const char *s, size_t max)
{
	size_t cut = max;

	while (cut > 0 && max - cut < 3 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;
	if (((unsigned char)s[cut] & 0xc0) == 0x80)
		cut = max;
	return cut;
}

char *k8s_strdup_max(const char *s, size_t max, unsigned *dropped)
{
	size_t len;

	if (!s || !*s)
		return k8s_empty;
	len = strlen(s);
	if (len > max) {
		len = utf8_cut(s, max);
		(*dropped)++;
		if (!len)
			return k8s_empty;
	}
	return strndup(s, len);
}

char *k8s_strdup(const char *s, unsigned *dropped)
{
	return k8s_strdup_max(s, K8S_VALUE_MAX, dropped);
}

void k8s_str_free(char *s)
{
	if (s != k8s_empty)
		free(s);
}

size_t k8s_str_heap(const char *s)
{
	return s && s != k8s_empty ? strlen(s) + 1 : 0;
}

int k8s_err(char *err, size_t errsz, const char *path, const char *key, const char *what)
{
	const char *dot = path && *path && key ? "." : "";

	if (errsz)
		snprintf(err, errsz, "%s%s%s: %s", path ? path : "", dot, key ? key : "", what);
	return -EINVAL;
}

void k8s_path(char path[K8S_PATH_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, K8S_PATH_MAX, fmt, ap);
	va_end(ap);
}

/* Member key of o if o has it and it is not null. */
static struct json_object *member(const struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static int get_typed(const struct json_object *o, const char *key, const char *path,
		     enum json_type type, struct json_object **out, char *err, size_t errsz)
{
	static const char *const what[] = {
	    [json_type_boolean] = "not a boolean",
	    [json_type_object] = "not an object",
	    [json_type_array] = "not an array",
	    [json_type_string] = "not a string",
	};
	struct json_object *v = member(o, key);

	if (!v)
		return 0;
	if (!json_object_is_type(v, type))
		return k8s_err(err, errsz, path, key, what[type]);
	*out = v;
	return 0;
}

int k8s_get_str(const struct json_object *o, const char *key, const char *path, const char **out,
		char *err, size_t errsz)
{
	struct json_object *v = NULL;
	int ret = get_typed(o, key, path, json_type_string, &v, err, errsz);

	if (!ret && v)
		*out = json_object_get_string(v);
	return ret;
}

int k8s_get_required(const struct json_object *o, const char *key, const char *path,
		     const char **out, char *err, size_t errsz)
{
	int ret;

	*out = NULL;
	ret = k8s_get_str(o, key, path, out, err, errsz);
	if (!ret && (!*out || !**out))
		ret = k8s_err(err, errsz, path, key, "missing");
	return ret;
}

int k8s_get_bool(const struct json_object *o, const char *key, const char *path, bool *out,
		 char *err, size_t errsz)
{
	struct json_object *v = NULL;
	int ret = get_typed(o, key, path, json_type_boolean, &v, err, errsz);

	if (!ret && v)
		*out = json_object_get_boolean(v);
	return ret;
}

int k8s_get_obj(const struct json_object *o, const char *key, const char *path,
		const struct json_object **out, char *err, size_t errsz)
{
	struct json_object *v = NULL;
	int ret = get_typed(o, key, path, json_type_object, &v, err, errsz);

	if (!ret && v)
		*out = v;
	return ret;
}

int k8s_get_arr(const struct json_object *o, const char *key, const char *path,
		const struct json_object **out, char *err, size_t errsz)
{
	struct json_object *v = NULL;
	int ret = get_typed(o, key, path, json_type_array, &v, err, errsz);

	if (!ret && v)
		*out = v;
	return ret;
}

void k8s_kvs_free(struct k8s_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		k8s_str_free(kv[i].key);
		k8s_str_free(kv[i].value);
	}
	free(kv);
}

/* Whether a pair is left out before counting against the bound; counted in *dropped. */
static bool kv_skip(const char *key, unsigned *dropped)
{
	if (strlen(key) <= K8S_KEY_MAX && strcmp(key, K8S_LAST_APPLIED) != 0)
		return false;
	(*dropped)++;
	return true;
}

static int kv_set(struct k8s_kv *kv, const char *key, const char *value, unsigned *dropped)
{
	kv->key = k8s_strdup(key, dropped);
	kv->value = k8s_strdup(value, dropped);
	return kv->key && kv->value ? 0 : -ENOMEM;
}

int k8s_kvs_from_json(const struct json_object *map, const char *path, size_t max,
		      struct k8s_kv **out, size_t *n, unsigned *dropped, char *err, size_t errsz)
{
	struct json_object_iter it;
	struct k8s_kv *kv = NULL;
	size_t cap, len = 0;
	int ret = 0;

	*out = NULL;
	*n = 0;
	if (!map)
		return 0;
	cap = json_object_object_length(map);
	cap = cap < max ? cap : max;
	if (cap && !(kv = calloc(cap, sizeof(*kv))))
		return -ENOMEM;
	json_object_object_foreachC(map, it)
	{
		if (it.val && !json_object_is_type(it.val, json_type_string)) {
			ret = k8s_err(err, errsz, path, it.key, "not a string");
			break;
		}
		if (kv_skip(it.key, dropped))
			continue;
		if (len == cap) {
			(*dropped)++;
			continue;
		}
		ret = kv_set(&kv[len++], it.key, json_object_get_string(it.val), dropped);
		if (ret)
			break;
	}
	if (ret || !len) {
		k8s_kvs_free(kv, len);
		return ret;
	}
	/* exact size, so the pod's byte account is the array's real size */
	if (len < cap)
		*out = realloc(kv, len * sizeof(*kv));
	*out = *out ? *out : kv;
	*n = len;
	return 0;
}

/*
 * name[:tag][@digest]: the digest is everything after the first '@' (it has a ':' of its own),
 * the tag is after the last ':' that follows the last '/' (an earlier ':' is a registry port).
 */
struct image_parts {
	size_t repo_len, tag_off, tag_len, digest_off, digest_len;
};

static void image_parse(const char *image, struct image_parts *ip)
{
	const char *at = strchr(image, '@'), *slash, *colon;
	size_t name_len = at ? (size_t)(at - image) : strlen(image);

	memset(ip, 0, sizeof(*ip));
	if (at) {
		ip->digest_off = name_len + 1;
		ip->digest_len = strlen(at + 1);
	}
	ip->repo_len = name_len;
	slash = memrchr(image, '/', name_len);
	colon = memrchr(image, ':', name_len);
	if (colon && (!slash || colon > slash)) {
		ip->repo_len = colon - image;
		ip->tag_off = ip->repo_len + 1;
		ip->tag_len = name_len - ip->tag_off;
	}
}

static void copy_part(char *dst, size_t n, const char *src, size_t len)
{
	if (!n)
		return;
	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

void k8s_image_split(const char *image, char *repo, char *tag, char *digest, size_t n)
{
	struct image_parts ip;

	if (!image)
		image = "";
	image_parse(image, &ip);
	copy_part(repo, n, image, ip.repo_len);
	copy_part(tag, n, image + ip.tag_off, ip.tag_len);
	copy_part(digest, n, image + ip.digest_off, ip.digest_len);
}

/* A bounded copy of len bytes at s. */
static char *part_dup(const char *s, size_t len, unsigned *dropped)
{
	char *tmp = strndup(s, len), *out;

	if (!tmp)
		return NULL;
	out = k8s_strdup(tmp, dropped);
	free(tmp);
	return out;
}

int k8s_container_set_image(struct k8s_container *c, const char *image, unsigned *dropped)
{
	struct image_parts ip;

	c->image = k8s_strdup(image, dropped);
	if (!c->image)
		return -ENOMEM;
	/* parts of the copy, so a cut image gives parts that agree with it */
	image_parse(c->image, &ip);
	c->image_repo = part_dup(c->image, ip.repo_len, dropped);
	c->image_tag = part_dup(c->image + ip.tag_off, ip.tag_len, dropped);
	c->image_digest = part_dup(c->image + ip.digest_off, ip.digest_len, dropped);
	return c->image_repo && c->image_tag && c->image_digest ? 0 : -ENOMEM;
}

void k8s_container_clear(struct k8s_container *c)
{
	k8s_str_free(c->name);
	k8s_str_free(c->image);
	k8s_str_free(c->image_repo);
	k8s_str_free(c->image_tag);
	k8s_str_free(c->image_digest);
	k8s_str_free(c->runtime);
	free(c->json);
	memset(c, 0, sizeof(*c));
}

static int hex_lower(char c)
{
	if (c >= '0' && c <= '9')
		return c;
	if (c >= 'a' && c <= 'f')
		return c;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 'a';
	return 0;
}

int k8s_hex_id(const char *hex, char id[K8S_CONTAINER_ID_MAX])
{
	size_t len = strlen(hex);

	id[0] = '\0';
	for (size_t i = 0; i < len; i++)
		if (!hex_lower(hex[i]))
			return -EINVAL;
	if (len < CID_HEX_MIN || len >= K8S_CONTAINER_ID_MAX)
		return -ERANGE;
	for (size_t i = 0; i < len; i++)
		id[i] = hex_lower(hex[i]);
	id[len] = '\0';
	return 0;
}

int k8s_container_id_parse(const char *cid, char id[K8S_CONTAINER_ID_MAX], char *runtime,
			   size_t rtsz)
{
	const char *sep = cid ? strstr(cid, "://") : NULL;

	id[0] = '\0';
	if (rtsz)
		runtime[0] = '\0';
	if (!sep || sep == cid || k8s_hex_id(sep + 3, id))
		return -EINVAL;
	copy_part(runtime, rtsz, cid, sep - cid);
	return 0;
}
