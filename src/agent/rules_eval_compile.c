// SPDX-License-Identifier: Apache-2.0
/*
 * A rule's checked AST (rules_load.h) into the evaluator's tree: and/or/not kept, macros kept
 * as named nodes over their compiled body (shared by every rule that uses the macro), checks
 * compiled once each (rules_eval_check.c). Within an and/or the children are sorted by their
 * estimated cost, cheapest first: the result does not depend on the order, only the work does.
 * Successive `startswith` on one field under an `or` become one lookup in a prefix table.
 *
 * Trees are bounded in depth (RE_DEPTH_MAX): the evaluator recurses, and a rule file can nest
 * macros thousands deep; such a rule is left out with a message rather than risk the stack.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rules_eval_int.h"

#define RE_COST_MAX    (1u << 30)
#define RE_MERGE_MIN   3 /* startswith checks on one field that an 'or' merges */
#define RE_MERGED_SHOW 4 /* prefixes explain names before "..." */

struct re_cache {
	const void **keys;
	struct re_node **vals;
	size_t cap, n;
};

struct re_cache *re_cache__new(void)
{
	return calloc(1, sizeof(struct re_cache));
}

void re_cache__free(struct re_cache *c)
{
	if (!c)
		return;
	free(c->keys);
	free(c->vals);
	free(c);
}

static size_t ptr_hash(const void *p, size_t mask)
{
	uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) & mask;
}

static struct re_node *cache_get(const struct re_cache *c, const void *key)
{
	if (!c->cap)
		return NULL;
	for (size_t i = ptr_hash(key, c->cap - 1); c->keys[i]; i = (i + 1) & (c->cap - 1))
		if (c->keys[i] == key)
			return c->vals[i];
	return NULL;
}

static void cache_put_at(struct re_cache *c, const void *key, struct re_node *val)
{
	size_t i = ptr_hash(key, c->cap - 1);

	while (c->keys[i])
		i = (i + 1) & (c->cap - 1);
	c->keys[i] = key;
	c->vals[i] = val;
	c->n++;
}

static int cache_put(struct re_cache *c, const void *key, struct re_node *val)
{
	if ((c->n + 1) * 2 > c->cap) {
		struct re_cache old = *c;
		size_t cap = c->cap ? c->cap * 2 : 256;

		c->keys = calloc(cap, sizeof(*c->keys));
		c->vals = calloc(cap, sizeof(*c->vals));
		if (!c->keys || !c->vals) {
			free(c->keys);
			free(c->vals);
			*c = old;
			return -ENOMEM;
		}
		c->cap = cap;
		c->n = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.keys[i])
				cache_put_at(c, old.keys[i], old.vals[i]);
		free(old.keys);
		free(old.vals);
	}
	cache_put_at(c, key, val);
	return 0;
}

int re_cc__fail(struct re_cc *x, const struct rc_pos *pos, const char *fmt, ...)
{
	va_list ap;

	if (x->failed)
		return -EINVAL;
	x->failed = true;
	x->pos = *pos;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static uint32_t cost_add(uint32_t a, uint32_t b)
{
	return a + b > RE_COST_MAX ? RE_COST_MAX : a + b;
}

struct ranked {
	struct re_node *n;
	size_t i;
};

static int ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->n->cost != y->n->cost)
		return x->n->cost < y->n->cost ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

/* Cheapest first; equal costs keep the order they were written in. */
static int kids_sort(struct re_node *n)
{
	struct ranked *r = malloc(n->nkids * sizeof(*r));

	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < n->nkids; i++)
		r[i] = (struct ranked){n->kids[i], i};
	qsort(r, n->nkids, sizeof(*r), ranked_cmp);
	n->cost = 0;
	n->height = 0;
	for (size_t i = 0; i < n->nkids; i++) {
		n->kids[i] = r[i].n;
		n->cost = cost_add(n->cost, r[i].n->cost);
		if (r[i].n->height + 1u > n->height)
			n->height = r[i].n->height + 1u;
	}
	free(r);
	return 0;
}

static bool same_lhs(const struct re_check *a, const struct re_check *b)
{
	return a->f == b->f && a->multi == b->multi && a->nxf == b->nxf &&
	       !memcmp(a->xf, b->xf, a->nxf * sizeof(a->xf[0])) &&
	       (a->key == b->key || (a->key && b->key && !strcmp(a->key, b->key)));
}

static bool mergeable(const struct re_node *n)
{
	return n->kind == RE_CHECK && n->check->how == RE_H_STARTSWITH && n->check->src &&
	       n->check->src->check->op == RC_OP_STARTSWITH;
}

/* "proc.cmdline startswith (a, b, c, d, ...)": how explain shows a merged check. */
static const char *merged_text(struct arena *a, const struct rc_node *first,
			       const struct re_text *items, size_t n)
{
	char buf[512], field[256];
	size_t len;
	struct rc_node probe = *first;
	struct rc_check chk = *first->check;

	chk.rhs = RC_RHS_NONE;
	chk.op = RC_OP_EXISTS;
	probe.check = &chk;
	rules_cond__dump(&probe, 0, field, sizeof(field));
	len = strlen(field);
	if (len >= 9)
		field[len - 8] = '\0'; /* "{f exists}" -> "{f" */
	len = (size_t)snprintf(buf, sizeof(buf), "%s startswith (", field + 1);
	for (size_t i = 0; i < n && i < RE_MERGED_SHOW && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? ", " : "",
					items[i].s);
	if (len < sizeof(buf))
		snprintf(buf + len, sizeof(buf) - len, "%s)", n > RE_MERGED_SHOW ? ", ..." : "");
	return arena__strdup(a, buf);
}

/* The checks kids[idx[0..n)] as one prefix table lookup, in kids[idx[0]]'s place. */
static int merge_group(struct re_cc *x, struct re_node *n, const size_t *idx, size_t cnt)
{
	struct arena *a = &x->e->arena;
	struct re_node *m = arena__alloc(a, sizeof(*m));
	struct re_check *c = arena__alloc(a, sizeof(*c));
	struct re_text *items = arena__calloc(a, cnt, sizeof(*items));

	if (!m || !c || !items)
		return -ENOMEM;
	*c = *n->kids[idx[0]]->check;
	for (size_t i = 0; i < cnt; i++)
		items[i] = n->kids[idx[i]]->check->texts[0];
	c->merged_text = merged_text(a, c->src, items, cnt);
	c->src = NULL;
	c->how = RE_H_PREFIXES;
	c->n = (uint32_t)cnt;
	c->texts = NULL;
	re_value__prefixes(a, items, (uint32_t)cnt, &c->pre);
	*m = (struct re_node){.kind = RE_CHECK, .check = c, .cost = re_cc__cost(c)};
	n->kids[idx[0]] = m;
	for (size_t i = 1; i < cnt; i++)
		n->kids[idx[i]] = NULL;
	return c->merged_text ? 0 : -ENOMEM;
}

static int key_cmp(const char *a, const char *b)
{
	return a == b ? 0 : !a ? -1 : !b ? 1 : strcmp(a, b);
}

/* By left-hand side (field, argument, transformers), then by position. */
static int lhs_cmp(const void *pa, const void *pb)
{
	const struct ranked *ra = pa, *rb = pb;
	const struct re_check *a = ra->n->check, *b = rb->n->check;
	int c;

	if (a->f != b->f)
		return a->f->id < b->f->id ? -1 : 1;
	if (a->multi != b->multi || a->nxf != b->nxf)
		return a->multi != b->multi ? a->multi - b->multi : a->nxf - b->nxf;
	c = memcmp(a->xf, b->xf, a->nxf * sizeof(a->xf[0]));
	c = c ? c : key_cmp(a->key, b->key);
	return c ? c : (ra->i > rb->i) - (ra->i < rb->i);
}

/* Under an 'or', startswith checks on the same field (same argument and transformers). */
static int merge_prefixes(struct re_cc *x, struct re_node *n)
{
	struct ranked *r = malloc(n->nkids * sizeof(*r));
	size_t *idx = malloc(n->nkids * sizeof(*idx)), m = 0, k = 0;
	int ret = 0;

	if (!r || !idx) {
		free(r);
		free(idx);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n->nkids; i++)
		if (mergeable(n->kids[i]))
			r[m++] = (struct ranked){n->kids[i], i};
	qsort(r, m, sizeof(*r), lhs_cmp);
	for (size_t s = 0, e; s < m && !ret; s = e) {
		for (e = s + 1; e < m && same_lhs(r[s].n->check, r[e].n->check); e++)
			idx[e - s] = r[e].i;
		idx[0] = r[s].i;
		if (e - s >= RE_MERGE_MIN)
			ret = merge_group(x, n, idx, e - s);
	}
	for (size_t i = 0; i < n->nkids; i++)
		if (n->kids[i])
			n->kids[k++] = n->kids[i];
	n->nkids = (uint32_t)k;
	free(r);
	free(idx);
	return ret;
}

static int node_compile(struct re_cc *x, const struct rc_node *src, unsigned depth,
			struct re_node **out);

static size_t count_kids(const struct rc_node *src)
{
	size_t n = 0;

	for (size_t i = 0; i < src->nkids; i++)
		n += src->kids[i]->kind == src->kind ? count_kids(src->kids[i]) : 1;
	return n;
}

/* The children of an and/or, nested ones of the same kind lifted into it: (a and (b and c)). */
static int kids_compile(struct re_cc *x, const struct rc_node *src, unsigned depth,
			struct re_node *n)
{
	for (size_t i = 0; i < src->nkids; i++) {
		const struct rc_node *k = src->kids[i];
		int ret;

		if (k->kind == src->kind)
			ret = kids_compile(x, k, depth + 1, n);
		else
			ret = node_compile(x, k, depth + 1, &n->kids[n->nkids++]);
		if (ret)
			return ret;
	}
	return 0;
}

static int andor_compile(struct re_cc *x, const struct rc_node *src, unsigned depth,
			 struct re_node *n)
{
	size_t nk = count_kids(src);
	int ret;

	n->kind = src->kind == RC_AND ? RE_AND : RE_OR;
	n->kids = arena__calloc(&x->e->arena, nk ? nk : 1, sizeof(*n->kids));
	if (!n->kids)
		return -ENOMEM;
	ret = kids_compile(x, src, depth, n);
	if (!ret && n->kind == RE_OR)
		ret = merge_prefixes(x, n);
	return ret ? ret : kids_sort(n);
}

static int one_kid(struct re_cc *x, const struct rc_node *kid, unsigned depth, struct re_node *n)
{
	int ret;

	n->kids = arena__alloc(&x->e->arena, sizeof(*n->kids));
	if (!n->kids)
		return -ENOMEM;
	n->nkids = 1;
	ret = node_compile(x, kid, depth + 1, &n->kids[0]);
	if (ret)
		return ret;
	n->cost = n->kids[0]->cost;
	n->height = n->kids[0]->height + 1u;
	return 0;
}

static int node_build(struct re_cc *x, const struct rc_node *src, unsigned depth,
		      struct re_node *n)
{
	n->src = src;
	switch (src->kind) {
	case RC_AND:
	case RC_OR:
		return andor_compile(x, src, depth, n);
	case RC_NOT:
		n->kind = RE_NOT;
		return one_kid(x, src->kids[0], depth, n);
	case RC_MACRO:
		n->kind = RE_MACRO;
		if (!src->body)
			return re_cc__fail(x, &src->pos, "macro '%s' has no condition", src->name);
		return one_kid(x, src->body, depth, n);
	case RC_CHECK:
		n->kind = RE_CHECK;
		return re_cc__check(x, src, &n->check) ?: (n->cost = re_cc__cost(n->check), 0);
	}
	return re_cc__fail(x, &src->pos, "unknown node");
}

static int node_compile(struct re_cc *x, const struct rc_node *src, unsigned depth,
			struct re_node **out)
{
	struct re_node *n = cache_get(x->cache, src);
	int ret;

	if (depth > RE_DEPTH_MAX || (n && depth + n->height > RE_DEPTH_MAX))
		return re_cc__fail(x, &src->pos, "the condition nests deeper than %u levels",
				   RE_DEPTH_MAX);
	if (n) {
		*out = n;
		return 0;
	}
	n = arena__alloc(&x->e->arena, sizeof(*n));
	if (!n)
		return -ENOMEM;
	ret = node_build(x, src, depth, n);
	if (ret)
		return ret;
	*out = n;
	return cache_put(x->cache, src, n);
}

int re_compile__rule(struct re_engine *e, struct re_cache *cache, const struct rules_rule *r,
		     struct re_node **out)
{
	struct re_cc x = {.e = e, .cache = cache};
	int ret;

	if (!r->cond)
		return -EINVAL;
	ret = node_compile(&x, r->cond, 0, out);
	if (ret == -EINVAL)
		log_warn("%s:%u:%u: rule '%s' left out: %s", x.pos.file ? x.pos.file : "-",
			 x.pos.line, x.pos.col, r->name, x.msg);
	else if (ret)
		log_warn("rule '%s' left out: %s", r->name, strerror(-ret));
	return ret;
}
