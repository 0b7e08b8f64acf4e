// SPDX-License-Identifier: Apache-2.0
/*
 * One compiled check against one event: fetch the field's value (or each of its values),
 * apply the transformers, compare. Semantics follow Falco's (libsinsp filter_compare):
 *  - a field with no value makes the check false, whatever the operator (exists: false too);
 *  - a field with several values (proc.aname without [N], fd.ip...) passes when one of them
 *    does, for every operator, != included, as libsinsp's ancestor checks do;
 *  - text compares byte for byte; icontains and iglob fold ASCII case;
 *  - glob is fnmatch(3) without FNM_PATHNAME ('*' crosses '/'), as libsinsp calls it;
 *  - regex must match the whole value (RE2 anchored at both ends in libsinsp); here a POSIX
 *    extended regex whose leftmost-longest match spans the value;
 *  - addresses of another family are never equal, so != holds for them.
 * Nothing here allocates: values that must be rebuilt (tolower, b64, a glob's NUL) go in a
 * buffer on the stack, bounded by RE_VALUE_MAX; a longer one is treated as absent.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "rules_eval_int.h"

struct probe {
	const struct re_check *c;
	const struct rv_event *ev;
	const struct rv_val *rhs; /* RE_H_FIELD: the other field's value */
};

static bool num_op(enum rc_op op, int64_t a, int64_t b)
{
	switch (op) {
	case RC_OP_NE:
		return a != b;
	case RC_OP_LT:
		return a < b;
	case RC_OP_LE:
		return a <= b;
	case RC_OP_GT:
		return a > b;
	case RC_OP_GE:
		return a >= b;
	default: /* =, in, intersects */
		return a == b;
	}
}

static int bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

static bool ord_op(enum rc_op op, int c)
{
	return op == RC_OP_LT ? c < 0 : op == RC_OP_LE ? c <= 0 : op == RC_OP_GT ? c > 0 : c >= 0;
}

/* needle is already lowered */
static bool icontains(const char *hay, size_t n, const char *needle, size_t m, bool fold_needle)
{
	if (m > n)
		return false;
	for (size_t i = 0; i + m <= n; i++) {
		size_t j = 0;

		while (j < m && tolower((unsigned char)hay[i + j]) ==
				    (fold_needle ? tolower((unsigned char)needle[j]) : needle[j]))
			j++;
		if (j == m)
			return true;
	}
	return false;
}

static bool glob_one(const char *pattern, const char *s, size_t len, bool fold)
{
	char buf[RE_VALUE_MAX];

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return fnmatch(pattern, buf, fold ? FNM_CASEFOLD : 0) == 0;
}

static bool regex_full(const regex_t *re, const char *s, size_t len)
{
	regmatch_t m = {.rm_so = 0, .rm_eo = (regoff_t)len};

	if (regexec(re, s, 1, &m, REG_STARTEND) != 0)
		return false;
	return m.rm_so == 0 && (size_t)m.rm_eo == len;
}

static bool str_one_of(const struct re_check *c, const char *s, size_t len)
{
	if (c->how == RE_H_STR_SET || (c->how == RE_H_EVTTYPE && c->n > RE_LINEAR_MAX))
		return re_value__tset_has(&c->set, s, len);
	for (uint32_t i = 0; i < c->n; i++)
		if (c->texts[i].len == len && memcmp(c->texts[i].s, s, len) == 0)
			return true;
	return false;
}

static bool num_one_of(const struct re_check *c, int64_t n)
{
	if (c->n <= RE_LINEAR_MAX) {
		for (uint32_t i = 0; i < c->n; i++)
			if (c->nums[i] == n)
				return true;
		return false;
	}
	return bsearch(&n, c->nums, c->n, sizeof(*c->nums), re_value__cmp_num) != NULL;
}

static bool ip_eq(const struct rv_ip *a, const struct rv_ip *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16) == 0;
}

static bool ip_one_of(const struct re_check *c, const struct rv_ip *ip)
{
	for (uint32_t i = 0; i < c->n; i++)
		if (re_value__net_has(&c->nets[i], ip))
			return true;
	return false;
}

static bool str_match(const struct re_check *c, const char *s, size_t len)
{
	uint32_t i;

	switch (c->how) {
	case RE_H_STR_EQ:
	case RE_H_STR_SET:
		return str_one_of(c, s, len) != c->neg;
	case RE_H_STR_ORD:
		return ord_op(c->op, bytes_cmp(s, len, c->texts[0].s, c->texts[0].len));
	case RE_H_CONTAINS:
		return memmem(s, len, c->texts[0].s, c->texts[0].len) != NULL;
	case RE_H_ICONTAINS:
		return icontains(s, len, c->texts[0].s, c->texts[0].len, false);
	case RE_H_STARTSWITH:
		return c->texts[0].len <= len && memcmp(s, c->texts[0].s, c->texts[0].len) == 0;
	case RE_H_ENDSWITH:
		return c->texts[0].len <= len &&
		       memcmp(s + len - c->texts[0].len, c->texts[0].s, c->texts[0].len) == 0;
	case RE_H_PREFIXES:
		return re_value__prefixes_has(&c->pre, s, len);
	case RE_H_GLOB:
		for (i = 0; i < c->n; i++)
			if (glob_one(c->texts[i].s, s, len, c->op == RC_OP_IGLOB))
				return true;
		return false;
	case RE_H_REGEX:
		for (i = 0; i < c->n; i++)
			if (regex_full(&c->res[i]->re, s, len))
				return true;
		return false;
	case RE_H_PMATCH:
		return re_value__pmatch_has(&c->pm, s, len);
	default:
		return false;
	}
}

/* One value (already transformed) against c's right-hand values. */
static bool value_match(const struct re_check *c, const struct rv_val *v)
{
	switch (c->how) {
	case RE_H_EXISTS:
		return true;
	case RE_H_NUM:
		return num_op(c->op, v->n, c->nums[0]);
	case RE_H_NUM_IN:
		return num_one_of(c, v->n);
	case RE_H_IP:
	case RE_H_NET:
		return ip_one_of(c, &v->ip) != c->neg;
	default:
		return v->s ? str_match(c, v->s, v->len) : str_match(c, "", 0);
	}
}

/* Text against text only known at run time (val(), transformers on the right). */
static bool str_vs(enum rc_op op, const char *s, size_t len, const char *r, size_t rlen)
{
	char pat[RE_VALUE_MAX];

	switch (op) {
	case RC_OP_NE:
		return len != rlen || memcmp(s, r, len) != 0;
	case RC_OP_LT:
	case RC_OP_LE:
	case RC_OP_GT:
	case RC_OP_GE:
		return ord_op(op, bytes_cmp(s, len, r, rlen));
	case RC_OP_CONTAINS:
	case RC_OP_BCONTAINS:
		return memmem(s, len, r, rlen) != NULL;
	case RC_OP_ICONTAINS:
		return icontains(s, len, r, rlen, true);
	case RC_OP_STARTSWITH:
	case RC_OP_BSTARTSWITH:
		return rlen <= len && memcmp(s, r, rlen) == 0;
	case RC_OP_ENDSWITH:
		return rlen <= len && memcmp(s + len - rlen, r, rlen) == 0;
	case RC_OP_GLOB:
	case RC_OP_IGLOB:
		if (rlen >= sizeof(pat))
			return false;
		memcpy(pat, r, rlen);
		pat[rlen] = '\0';
		return glob_one(pat, s, len, op == RC_OP_IGLOB);
	default: /* =, in, intersects */
		return len == rlen && memcmp(s, r, len) == 0;
	}
}

static bool field_match(const struct re_check *c, const struct rv_val *v, const struct rv_val *r)
{
	bool eq;

	switch (c->vtype) {
	case RF_NUM:
	case RF_BOOL:
		return num_op(c->op, v->n, r->n);
	case RF_IPADDR:
	case RF_IPNET:
		eq = ip_eq(&v->ip, &r->ip);
		return c->op == RC_OP_NE ? !eq : eq;
	default:
		return str_vs(c->op, v->s ? v->s : "", v->s ? v->len : 0, r->s ? r->s : "",
			      r->s ? r->len : 0);
	}
}

static int b64_digit(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/* Decode in place (the output never overtakes the input); padding optional. */
static bool b64_decode(char *s, size_t *len)
{
	size_t n = *len, out = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	while (n && s[n - 1] == '=' && *len - n < 2)
		n--;
	if (n % 4 == 1)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = b64_digit((unsigned char)s[i]);

		if (d < 0)
			return false;
		acc = (acc << 6) | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			s[out++] = (char)((acc >> bits) & 0xff);
		}
	}
	*len = out;
	return true;
}

/* v into buf, where case changes and decoding can work in place. */
static bool to_buf(struct rv_val *v, char *buf, size_t size)
{
	if (v->s == buf)
		return true;
	if (v->len >= size)
		return false;
	if (v->len)
		memcpy(buf, v->s, v->len);
	buf[v->len] = '\0';
	v->s = buf;
	return true;
}

static bool xform_one(enum rc_xform xf, struct rv_val *v, char *buf, size_t size)
{
	const char *slash;

	switch (xf) {
	case RC_XF_BASENAME:
		slash = v->len ? memrchr(v->s, '/', v->len) : NULL;
		if (slash) {
			v->len -= (size_t)(slash + 1 - v->s);
			v->s = slash + 1;
		}
		return true;
	case RC_XF_LEN:
		v->n = v->type == RF_STR && v->len ? (int64_t)strnlen(v->s, v->len) : (int64_t)v->len;
		v->type = RF_NUM;
		return true;
	case RC_XF_TOLOWER:
	case RC_XF_TOUPPER:
		if (!to_buf(v, buf, size))
			return false;
		for (size_t i = 0; i < v->len; i++)
			buf[i] = (char)(xf == RC_XF_TOLOWER ? tolower((unsigned char)buf[i])
							    : toupper((unsigned char)buf[i]));
		return true;
	case RC_XF_B64:
		return to_buf(v, buf, size) && b64_decode(buf, &v->len);
	default:
		return false;
	}
}

bool re_match__xform(uint8_t nxf, const enum rc_xform *xf, struct rv_val *v, char *buf,
		     size_t size)
{
	if (!v->s && (v->type == RF_STR || v->type == RF_BYTES)) {
		v->s = "";
		v->len = 0;
	}
	for (unsigned i = nxf; i-- > 0;)
		if (!xform_one(xf[i], v, buf, size))
			return false;
	return true;
}

/* Kept out of line: the buffer is only on the stack when a check transforms. */
static __attribute__((noinline)) bool probe_xform(const struct probe *p, struct rv_val *v)
{
	char buf[RE_VALUE_MAX];

	if (!re_match__xform(p->c->nxf, p->c->xf, v, buf, sizeof(buf)))
		return false;
	return p->rhs ? field_match(p->c, v, p->rhs) : value_match(p->c, v);
}

static bool probe_value(const struct rv_val *v0, void *arg)
{
	const struct probe *p = arg;
	struct rv_val v;

	if (p->c->how == RE_H_EXISTS)
		return true;
	v = *v0;
	if (p->c->nxf)
		return probe_xform(p, &v);
	return p->rhs ? field_match(p->c, &v, p->rhs) : value_match(p->c, &v);
}

static bool first_value(const struct rv_val *v, void *arg)
{
	*(struct rv_val *)arg = *v;
	return true;
}

/* The right-hand field's value (its first, when it has several), transformed. */
static __attribute__((noinline)) bool check_field(struct probe *p)
{
	const struct re_check *c = p->c;
	char buf[RE_VALUE_MAX];
	struct rv_val r, v;
	bool got;

	if (c->rf.multi)
		got = rules_view__each(p->ev, c->rf.f, c->rf.key, first_value, &r);
	else
		got = rules_view__get(p->ev, c->rf.f, c->rf.key, &r) == 1;
	if (!got || !re_match__xform(c->rf.nxf, c->rf.xf, &r, buf, sizeof(buf)))
		return false;
	p->rhs = &r;
	if (c->multi)
		return rules_view__each(p->ev, c->f, c->key, probe_value, p);
	if (rules_view__get(p->ev, c->f, c->key, &v) != 1)
		return false;
	return probe_value(&v, p);
}

static bool check_evttype(const struct re_check *c, const struct rv_event *ev)
{
	uint64_t bit = ev->type > 0 && ev->type < VG_EV_MAX ? 1ull << ev->type : 0;
	const char *name;
	bool r;

	if (c->ev_full & bit)
		r = true;
	else if (!(c->ev_part & bit))
		r = false;
	else {
		name = rules_view__evt_name(ev);
		r = name && str_one_of(c, name, strlen(name));
	}
	return r != c->neg;
}

bool re_match__check(const struct re_check *c, const struct rv_event *ev)
{
	struct probe p = {.c = c, .ev = ev};
	struct rv_val v;

	if (c->how == RE_H_EVTTYPE)
		return check_evttype(c, ev);
	if (c->how == RE_H_FIELD)
		return check_field(&p);
	if (c->multi)
		return rules_view__each(ev, c->f, c->key, probe_value, &p);
	if (rules_view__get(ev, c->f, c->key, &v) != 1)
		return false;
	return probe_value(&v, &p);
}
