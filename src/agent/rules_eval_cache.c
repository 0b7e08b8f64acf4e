// SPDX-License-Identifier: Apache-2.0
/*
 * What one compilation remembers, so that what rules share is compiled once: nodes by the AST
 * node they came from (a macro's body, used by many rules), checks by their text (the same
 * check written in several macros). Both are open-addressing tables that double when half
 * full; they live only while the engine is built.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules_eval_int.h"

#define CACHE_MIN 256

struct check_ent {
	uint64_t hash;
	char *text; /* NULL: empty slot */
	size_t len;
	struct re_check *check;
};

struct re_cache {
	const void **keys;
	struct re_node **vals;
	size_t cap, n;
	struct check_ent *checks;
	size_t ccap, cn;
};

struct re_cache *re_cache__new(void)
{
	return calloc(1, sizeof(struct re_cache));
}

void re_cache__free(struct re_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->ccap; i++)
		free(c->checks[i].text);
	free(c->checks);
	free(c->keys);
	free(c->vals);
	free(c);
}

static size_t ptr_hash(const void *p, size_t mask)
{
	uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) & mask;
}

struct re_node *re_cache__node(const struct re_cache *c, const void *key)
{
	if (!c->cap)
		return NULL;
	for (size_t i = ptr_hash(key, c->cap - 1); c->keys[i]; i = (i + 1) & (c->cap - 1))
		if (c->keys[i] == key)
			return c->vals[i];
	return NULL;
}

static void node_put_at(struct re_cache *c, const void *key, struct re_node *val)
{
	size_t i = ptr_hash(key, c->cap - 1);

	while (c->keys[i])
		i = (i + 1) & (c->cap - 1);
	c->keys[i] = key;
	c->vals[i] = val;
	c->n++;
}

static int node_grow(struct re_cache *c)
{
	size_t cap = c->cap ? c->cap * 2 : CACHE_MIN, old_cap = c->cap;
	const void **keys = calloc(cap, sizeof(*keys)), **old_keys = c->keys;
	struct re_node **vals = calloc(cap, sizeof(*vals)), **old_vals = c->vals;

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	c->keys = keys;
	c->vals = vals;
	c->cap = cap;
	c->n = 0;
	for (size_t i = 0; i < old_cap; i++)
		if (old_keys[i])
			node_put_at(c, old_keys[i], old_vals[i]);
	free(old_keys);
	free(old_vals);
	return 0;
}

int re_cache__put_node(struct re_cache *c, const void *key, struct re_node *n)
{
	if ((c->n + 1) * 2 > c->cap && node_grow(c))
		return -ENOMEM;
	node_put_at(c, key, n);
	return 0;
}

static uint64_t text_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static struct check_ent *check_slot(struct check_ent *t, size_t cap, uint64_t h, const char *s,
				    size_t len)
{
	size_t i = (size_t)h & (cap - 1);

	for (; t[i].text; i = (i + 1) & (cap - 1))
		if (t[i].hash == h && t[i].len == len && !memcmp(t[i].text, s, len))
			break;
	return &t[i];
}

struct re_check *re_cache__check(const struct re_cache *c, const char *text, size_t len)
{
	if (!c->ccap)
		return NULL;
	return check_slot(c->checks, c->ccap, text_hash(text, len), text, len)->check;
}

static int check_grow(struct re_cache *c)
{
	size_t cap = c->ccap ? c->ccap * 2 : CACHE_MIN;
	struct check_ent *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < c->ccap; i++)
		if (c->checks[i].text)
			*check_slot(t, cap, c->checks[i].hash, c->checks[i].text,
				    c->checks[i].len) = c->checks[i];
	free(c->checks);
	c->checks = t;
	c->ccap = cap;
	return 0;
}

int re_cache__put_check(struct re_cache *c, const char *text, size_t len, struct re_check *chk)
{
	struct check_ent *e;
	uint64_t h = text_hash(text, len);
	char *copy;

	if ((c->cn + 1) * 2 > c->ccap && check_grow(c))
		return -ENOMEM;
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len + 1);
	e = check_slot(c->checks, c->ccap, h, text, len);
	if (e->text) { /* already there: keep the first */
		free(copy);
		return 0;
	}
	*e = (struct check_ent){.hash = h, .text = copy, .len = len, .check = chk};
	c->cn++;
	return 0;
}
