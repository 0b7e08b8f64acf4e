// SPDX-License-Identifier: Apache-2.0
/*
 * Right-hand values converted once: numbers, addresses and networks, and the structures that
 * answer "is this value one of those" without walking every value: a hash set of texts, the
 * directories of pmatch, a sorted table of prefixes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "rules_eval_int.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME  0x100000001b3ull

static inline uint64_t fnv_add(uint64_t h, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* Decimal or 0x hexadecimal, with a sign; the whole text, within int64. */
int re_value__num(const char *s, int64_t *out)
{
	const char *p = s;
	bool minus = false;
	unsigned base = 10;
	uint64_t v = 0, limit;

	if (*p == '-' || *p == '+')
		minus = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p)
		return -EINVAL;
	limit = minus ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *p; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			return -EINVAL;
		if (v > (limit - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*out = minus ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

static void net_mask(struct re_net *n)
{
	unsigned bytes = n->family == 4 ? 4 : 16;

	for (unsigned i = 0; i < bytes; i++) {
		unsigned keep = n->bits > i * 8 ? n->bits - i * 8 : 0;

		if (keep < 8)
			n->addr[i] &= (uint8_t)(0xff00u >> keep);
	}
}

/* An address, or (net) address/bits; an address alone is a network of one. */
int re_value__net(const char *s, bool net, struct re_net *out)
{
	const char *slash = net ? strchr(s, '/') : NULL;
	char addr[64];
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	long bits = -1;
	char *end;

	memset(out, 0, sizeof(*out));
	if (alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, out->addr) == 1)
		out->family = 4;
	else if (inet_pton(AF_INET6, addr, out->addr) == 1)
		out->family = 6;
	else
		return -EINVAL;
	if (slash) {
		if (slash[1] < '0' || slash[1] > '9')
			return -EINVAL;
		bits = strtol(slash + 1, &end, 10);
		if (*end || bits > (out->family == 4 ? 32 : 128))
			return -EINVAL;
	}
	out->bits = (uint8_t)(bits >= 0 ? bits : out->family == 4 ? 32 : 128);
	net_mask(out);
	return 0;
}

/* ip within n: the leading n->bits bits agree; another family never is. */
bool re_value__net_has(const struct re_net *n, const struct rv_ip *ip)
{
	unsigned full = n->bits / 8, rest = n->bits % 8;

	if (ip->family != n->family)
		return false;
	if (memcmp(ip->addr, n->addr, full) != 0)
		return false;
	return !rest || (ip->addr[full] & (uint8_t)(0xff00u >> rest)) == n->addr[full];
}

int re_value__cmp_num(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t c = 16;

	while (c < n)
		c <<= 1;
	return c;
}

/* Items are kept by reference: they live in the arena as well. */
int re_value__tset(struct arena *a, const struct re_text *items, uint32_t n, struct re_tset *out)
{
	uint32_t cap;

	memset(out, 0, sizeof(*out));
	if (n > (1u << 28))
		return -ENOMEM;
	cap = pow2_at_least(n * 2);
	out->items = items;
	out->slots = arena__calloc(a, cap, sizeof(*out->slots));
	out->hashes = arena__calloc(a, n ? n : 1, sizeof(*out->hashes));
	if (!out->slots || !out->hashes)
		return -ENOMEM;
	out->mask = cap - 1;
	out->minlen = UINT32_MAX;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t h = fnv_add(FNV_OFFSET, items[i].s, items[i].len);
		uint32_t j = (uint32_t)h & out->mask;

		out->hashes[i] = h;
		while (out->slots[j])
			j = (j + 1) & out->mask;
		out->slots[j] = i + 1;
		if (items[i].len < out->minlen)
			out->minlen = items[i].len;
		if (items[i].len > out->maxlen)
			out->maxlen = items[i].len;
	}
	return 0;
}

static bool tset_find(const struct re_tset *t, const char *s, size_t len, uint64_t h)
{
	for (uint32_t j = (uint32_t)h & t->mask; t->slots[j]; j = (j + 1) & t->mask) {
		uint32_t i = t->slots[j] - 1;

		if (t->hashes[i] == h && t->items[i].len == len &&
		    memcmp(t->items[i].s, s, len) == 0)
			return true;
	}
	return false;
}

bool re_value__tset_has(const struct re_tset *t, const char *s, size_t len)
{
	if (len < t->minlen || len > t->maxlen)
		return false;
	return tset_find(t, s, len, fnv_add(FNV_OFFSET, s, len));
}

/* The components of a path: start and length of each, empty ones skipped (as Falco splits
 * them). Returns how many, at most max. */
static uint32_t path_split(const char *s, size_t len, const char **cs, uint32_t *cl, uint32_t max)
{
	uint32_t n = 0;
	size_t i = 0;

	while (i < len && n < max) {
		size_t j = i;

		while (j < len && s[j] != '/')
			j++;
		if (j > i) {
			cs[n] = s + i;
			cl[n++] = (uint32_t)(j - i);
		}
		i = j + 1;
	}
	return n;
}

/* "/a//b/" -> "/a/b", the root -> "": the form both sides of pmatch are compared in. */
static char *path_normal(struct arena *a, const char *s, size_t len, uint32_t *olen)
{
	const char *cs[RE_PATH_DEPTH];
	uint32_t cl[RE_PATH_DEPTH], n = path_split(s, len, cs, cl, RE_PATH_DEPTH);
	char *out = arena__alloc(a, len + 2), *p = out;

	if (!out)
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		*p++ = '/';
		memcpy(p, cs[i], cl[i]);
		p += cl[i];
	}
	*p = '\0';
	*olen = (uint32_t)(p - out);
	return out;
}

static int pglob_add(struct arena *a, const char *s, size_t len, struct re_pglob *g)
{
	const char *cs[RE_PATH_DEPTH];
	uint32_t cl[RE_PATH_DEPTH];
	struct re_text *comps;

	g->ncomps = path_split(s, len, cs, cl, RE_PATH_DEPTH);
	comps = arena__calloc(a, g->ncomps ? g->ncomps : 1, sizeof(*comps));
	if (!comps)
		return -ENOMEM;
	for (uint32_t i = 0; i < g->ncomps; i++) {
		comps[i].s = arena__strndup(a, cs[i], cl[i]);
		comps[i].len = cl[i];
		if (!comps[i].s)
			return -ENOMEM;
	}
	g->comps = comps;
	return 0;
}

int re_value__pmatch(struct arena *a, const struct re_text *dirs, uint32_t n,
		     struct re_pmatch *out)
{
	struct re_text *plain = arena__calloc(a, n ? n : 1, sizeof(*plain));
	struct re_pglob *globs = arena__calloc(a, n ? n : 1, sizeof(*globs));
	uint32_t np = 0, ng = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!plain || !globs)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		if (strpbrk(dirs[i].s, "?*[")) {
			ret = pglob_add(a, dirs[i].s, dirs[i].len, &globs[ng++]);
			if (ret)
				return ret;
			continue;
		}
		plain[np].s = path_normal(a, dirs[i].s, dirs[i].len, &plain[np].len);
		if (!plain[np++].s)
			return -ENOMEM;
	}
	out->has_plain = np > 0;
	out->globs = globs;
	out->nglobs = ng;
	return re_value__tset(a, plain, np, &out->plain);
}

/* The path's first g->ncomps components match g's, one by one (fnmatch for a pattern). */
static bool pglob_match(const struct re_pglob *g, const char **cs, const uint32_t *cl, uint32_t n)
{
	char comp[512];

	if (g->ncomps > n)
		return false;
	for (uint32_t i = 0; i < g->ncomps; i++) {
		if (cl[i] >= sizeof(comp))
			return false;
		memcpy(comp, cs[i], cl[i]);
		comp[cl[i]] = '\0';
		if (fnmatch(g->comps[i].s, comp, 0) != 0)
			return false;
	}
	return true;
}

/* Some directory is the path or one of its ancestors, component-wise: /var/run matches
 * /var/run and /var/run/x, not /var/runx. The path's prefixes are hashed as they grow. */
bool re_value__pmatch_has(const struct re_pmatch *p, const char *s, size_t len)
{
	const char *cs[RE_PATH_DEPTH];
	uint32_t cl[RE_PATH_DEPTH], n = path_split(s, len, cs, cl, RE_PATH_DEPTH);
	char norm[RE_VALUE_MAX];
	uint64_t h = FNV_OFFSET;
	size_t nlen = 0;

	if (p->has_plain) {
		if (tset_find(&p->plain, "", 0, h))
			return true;
		for (uint32_t i = 0; i < n && nlen + 1 + cl[i] <= sizeof(norm); i++) {
			norm[nlen++] = '/';
			memcpy(norm + nlen, cs[i], cl[i]);
			h = fnv_add(h, norm + nlen - 1, cl[i] + 1);
			nlen += cl[i];
			if (nlen <= p->plain.maxlen && tset_find(&p->plain, norm, nlen, h))
				return true;
		}
	}
	for (uint32_t i = 0; i < p->nglobs; i++)
		if (pglob_match(&p->globs[i], cs, cl, n))
			return true;
	return false;
}

static int text_cmp(const void *a, const void *b)
{
	const struct re_text *x = a, *y = b;
	size_t m = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, m);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static bool starts(const char *s, size_t len, const struct re_text *p)
{
	return p->len <= len && memcmp(s, p->s, p->len) == 0;
}

/* Sorted, and every item that has another as its prefix dropped (it adds nothing). */
int re_value__prefixes(struct arena *a, struct re_text *items, uint32_t n,
		       struct re_prefixes *out)
{
	uint32_t k = 0;

	(void)a;
	qsort(items, n, sizeof(*items), text_cmp);
	for (uint32_t i = 0; i < n; i++)
		if (!k || !starts(items[i].s, items[i].len, &items[k - 1]))
			items[k++] = items[i];
	out->items = items;
	out->n = k;
	return 0;
}

/* The greatest item not above the value is the only one that can be its prefix: any item
 * between a prefix p and the value would have p as its prefix, and those were dropped. */
bool re_value__prefixes_has(const struct re_prefixes *p, const char *s, size_t len)
{
	struct re_text v = {s, (uint32_t)len};
	uint32_t lo = 0, hi = p->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (text_cmp(&p->items[mid], &v) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && starts(s, len, &p->items[lo - 1]);
}
