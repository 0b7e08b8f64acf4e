// SPDX-License-Identifier: Apache-2.0
/*
 * One check compiled: its field, argument and transformers resolved, the way it compares
 * chosen once (enum re_how), its right-hand values converted to the field's type. The loader
 * already checked types and spellings; what can still fail here is what only conversion
 * finds (a number beyond 64 bits) and what the evaluator does not do (a regex or pmatch
 * against another field, as Falco refuses them too).
 *
 * The estimates order and/or children. Cost: event type and numbers first, then plain text,
 * then sets, then fields that walk the process tree or build a string, then globs and regexes.
 * Chance: a comparison with listed values rarely holds (rules name the unusual), its negation
 * (!=, not in, the exceptions) almost always does, `exists` mostly does.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "rules_evttype.h"
#include "log.h"
#include "rules_eval_int.h"

/* every Falco event type name vigil knows, to tell which types a list names in full */
static const char *const evt_names[] = {
#define RE_X_NAME(name, t1, t2, partial) name,
    RE_EVTTYPES(RE_X_NAME)
#undef RE_X_NAME
};

static bool is_multi(const struct rf_field *f, const char *key)
{
	if (f->id == RF_FD_IP || f->id == RF_FD_PORT || f->id == RF_FD_NET)
		return true;
	return !key && (f->flags & RF_ARG_OPTIONAL);
}

static enum rf_type xform_type(enum rf_type t, unsigned nxf, const enum rc_xform *xf)
{
	for (unsigned i = nxf; i-- > 0;)
		t = xf[i] == RC_XF_LEN ? RF_NUM : t == RF_BYTES ? RF_BYTES : RF_STR;
	return t;
}

static const char *field_name(const struct rc_check *k)
{
	return k->lhs.name;
}

static bool listed(const struct rc_check *k, const char *name)
{
	for (size_t i = 0; i < k->nvals; i++)
		if (strcmp(k->vals[i].str, name) == 0)
			return true;
	return false;
}

/* The vigil types some listed name stands for, and those every name of which is listed. */
static void evt_masks(const struct rc_check *k, uint64_t *full, uint64_t *part)
{
	uint64_t missing = 0;

	*part = 0;
	for (size_t i = 0; i < sizeof(evt_names) / sizeof(evt_names[0]); i++) {
		const struct re_evttype *t = rules_evttype__find(evt_names[i]);

		if (!t)
			continue;
		if (listed(k, evt_names[i]))
			*part |= t->events;
		else
			missing |= t->events;
	}
	*full = *part & ~missing;
}

static int texts_of(struct re_cc *x, const struct rc_check *k, struct re_check *c)
{
	struct re_text *t = arena__calloc(&x->e->arena, k->nvals ? k->nvals : 1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < k->nvals; i++)
		t[i] = (struct re_text){k->vals[i].str, (uint32_t)k->vals[i].len};
	c->texts = t;
	c->n = (uint32_t)k->nvals;
	return 0;
}

static int set_of_texts(struct re_cc *x, struct re_check *c)
{
	if (c->n <= RE_LINEAR_MAX)
		return 0;
	if (c->how == RE_H_STR_EQ)
		c->how = RE_H_STR_SET;
	return re_value__tset(&x->e->arena, c->texts, c->n, &c->set);
}

static int evttype_compile(struct re_cc *x, const struct rc_check *k, struct re_check *c)
{
	int ret = texts_of(x, k, c);

	if (ret)
		return ret;
	c->how = RE_H_EVTTYPE;
	c->neg = k->op == RC_OP_NE;
	evt_masks(k, &c->ev_full, &c->ev_part);
	return set_of_texts(x, c);
}

static int num_compile(struct re_cc *x, const struct rc_check *k, struct re_check *c)
{
	int64_t *nums = arena__calloc(&x->e->arena, k->nvals ? k->nvals : 1, sizeof(*nums));

	if (!nums)
		return -ENOMEM;
	for (size_t i = 0; i < k->nvals; i++) {
		const struct rc_value *v = &k->vals[i];

		if (c->vtype == RF_BOOL && (!strcmp(v->str, "true") || !strcmp(v->str, "false")))
			nums[i] = !strcmp(v->str, "true");
		else if (c->vtype == RF_BOOL || re_value__num(v->str, &nums[i]))
			return re_cc__fail(x, &v->pos, "'%.200s' is not %s (%s)", v->str,
					   c->vtype == RF_BOOL ? "true or false"
							       : "a 64-bit number",
					   field_name(k));
	}
	c->nums = nums;
	c->n = (uint32_t)k->nvals;
	if (k->op != RC_OP_IN && k->op != RC_OP_INTERSECTS && c->n == 1) {
		c->how = RE_H_NUM;
		return 0;
	}
	c->how = RE_H_NUM_IN;
	if (c->n > RE_LINEAR_MAX)
		qsort(nums, c->n, sizeof(*nums), re_value__cmp_num);
	return 0;
}

static int ip_compile(struct re_cc *x, const struct rc_check *k, struct re_check *c)
{
	struct re_net *nets = arena__calloc(&x->e->arena, k->nvals ? k->nvals : 1, sizeof(*nets));
	bool net = c->vtype == RF_IPNET;

	if (!nets)
		return -ENOMEM;
	for (size_t i = 0; i < k->nvals; i++)
		if (re_value__net(k->vals[i].str, net, &nets[i]))
			return re_cc__fail(x, &k->vals[i].pos, "'%.200s' is not %s (%s)",
					   k->vals[i].str, net ? "a network" : "an IP address",
					   field_name(k));
	c->nets = nets;
	c->n = (uint32_t)k->nvals;
	c->how = net ? RE_H_NET : RE_H_IP;
	c->neg = k->op == RC_OP_NE;
	return 0;
}

/* Host name resolution for fd.*.name: up to RE_HOST_ADDRS addresses per check. */
#define RE_HOST_ADDRS 64

struct host_addrs {
	struct re_net *nets;
	size_t n;
};

/* Add the addresses v resolves to (logged when it resolves to none). */
static void host_resolve(const struct rc_check *k, const struct rc_value *v,
			 struct host_addrs *h)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL, *ai;
	int rc = getaddrinfo(v->str, NULL, &hints, &res);

	if (rc)
		log_warn("rules: %s:%u:%u: %s: '%.200s' does not resolve (%s); it matches no address",
			 v->pos.file ? v->pos.file : "-", v->pos.line, v->pos.col, field_name(k),
			 v->str, gai_strerror(rc));
	for (ai = rc ? NULL : res; ai && h->n < RE_HOST_ADDRS; ai = ai->ai_next) {
		char text[INET6_ADDRSTRLEN];
		const void *addr = ai->ai_family == AF_INET
					   ? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
					   : (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;

		if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
		    inet_ntop(ai->ai_family, addr, text, sizeof(text)) &&
		    !re_value__net(text, false, &h->nets[h->n]))
			h->n++;
	}
	if (res)
		freeaddrinfo(res);
}

/* fd.sip.name = NAME and the like: NAME's addresses, resolved once here as Falco does at
 * load, compared with the address field (fd.sip...). A name that does not resolve matches
 * nothing, and is logged. */
static int host_compile(struct re_cc *x, const struct rc_check *k, struct re_check *c)
{
	static const enum rf_id ip_of[] = { [RF_FD_SIP_NAME] = RF_FD_SIP,
					    [RF_FD_CIP_NAME] = RF_FD_CIP,
					    [RF_FD_LIP_NAME] = RF_FD_LIP,
					    [RF_FD_RIP_NAME] = RF_FD_RIP };
	struct host_addrs h = { arena__calloc(&x->e->arena, RE_HOST_ADDRS, sizeof(*h.nets)), 0 };

	if (!h.nets)
		return -ENOMEM;
	if (c->nxf || (k->op != RC_OP_EQ && k->op != RC_OP_NE && k->op != RC_OP_IN &&
		       k->op != RC_OP_INTERSECTS))
		return re_cc__fail(x, &k->op_pos, "%s takes =, !=, in or intersects with host names",
				   field_name(k));
	for (size_t i = 0; i < k->nvals; i++)
		host_resolve(k, &k->vals[i], &h);
	c->f = rules_fields__get(ip_of[c->f->id]);
	c->vtype = RF_IPADDR;
	c->nets = h.nets;
	c->n = (uint32_t)h.n;
	c->how = RE_H_IP;
	c->neg = k->op == RC_OP_NE;
	return 0;
}

static int hex_digit(char ch)
{
	char lc = re_lower(ch);

	if (ch >= '0' && ch <= '9')
		return ch - '0';
	return lc >= 'a' && lc <= 'f' ? lc - 'a' + 10 : -1;
}

/* bcontains, bstartswith: the value is bytes in hexadecimal. */
static int hex_bytes(struct re_cc *x, const struct rc_value *v, struct re_text *out)
{
	char *b = arena__alloc(&x->e->arena, v->len / 2 + 1);

	if (!b)
		return -ENOMEM;
	if (v->len % 2)
		return re_cc__fail(x, &v->pos, "'%.200s' is not bytes in hexadecimal", v->str);
	for (size_t i = 0; i < v->len; i += 2) {
		int hi = hex_digit(v->str[i]), lo = hex_digit(v->str[i + 1]);

		if (hi < 0 || lo < 0)
			return re_cc__fail(x, &v->pos, "'%.200s' is not bytes in hexadecimal",
					   v->str);
		b[i / 2] = (char)(hi << 4 | lo);
	}
	*out = (struct re_text){b, (uint32_t)(v->len / 2)};
	return 0;
}

static int regex_compile(struct re_cc *x, struct re_check *c)
{
	const struct re_regex **res = arena__calloc(&x->e->arena, c->n ? c->n : 1, sizeof(*res));

	if (!res)
		return -ENOMEM;
	for (uint32_t i = 0; i < c->n; i++) {
		struct re_regex *r = arena__alloc(&x->e->arena, sizeof(*r));

		if (!r)
			return -ENOMEM;
		if (regcomp(&r->re, c->texts[i].s, REG_EXTENDED))
			return re_cc__fail(x, &c->pos, "'%.200s' is not a valid regular expression",
					   c->texts[i].s);
		r->next = x->e->regexes;
		x->e->regexes = r;
		res[i] = r;
	}
	c->res = (const struct re_regex *const *)res;
	return 0;
}

static int lowered(struct re_cc *x, struct re_check *c)
{
	char *s = arena__strndup(&x->e->arena, c->texts[0].s, c->texts[0].len);
	struct re_text *t = arena__alloc(&x->e->arena, sizeof(*t));

	if (!s || !t)
		return -ENOMEM;
	for (size_t i = 0; i < c->texts[0].len; i++)
		s[i] = re_lower(s[i]);
	*t = (struct re_text){s, c->texts[0].len};
	c->texts = t;
	return 0;
}

static int str_how(struct re_cc *x, const struct rc_check *k, struct re_check *c)
{
	switch (k->op) {
	case RC_OP_EQ:
	case RC_OP_NE:
	case RC_OP_IN:
	case RC_OP_INTERSECTS:
		c->how = RE_H_STR_EQ;
		c->neg = k->op == RC_OP_NE;
		return set_of_texts(x, c);
	case RC_OP_LT:
	case RC_OP_LE:
	case RC_OP_GT:
	case RC_OP_GE:
		c->how = RE_H_STR_ORD;
		return 0;
	case RC_OP_CONTAINS:
	case RC_OP_BCONTAINS:
		c->how = RE_H_CONTAINS;
		return 0;
	case RC_OP_ICONTAINS:
		c->how = RE_H_ICONTAINS;
		return lowered(x, c);
	case RC_OP_STARTSWITH:
	case RC_OP_BSTARTSWITH:
		c->how = RE_H_STARTSWITH;
		return 0;
	case RC_OP_ENDSWITH:
		c->how = RE_H_ENDSWITH;
		return 0;
	case RC_OP_GLOB:
	case RC_OP_IGLOB:
		c->how = RE_H_GLOB;
		return 0;
	case RC_OP_REGEX:
		c->how = RE_H_REGEX;
		return regex_compile(x, c);
	case RC_OP_PMATCH:
		c->how = RE_H_PMATCH;
		return re_value__pmatch(&x->e->arena, c->texts, c->n, &c->pm);
	default:
		return re_cc__fail(x, &k->op_pos, "'%s' does not apply to text",
				   rules_cond__op_name(k->op));
	}
}

static int str_compile(struct re_cc *x, const struct rc_check *k, struct re_check *c)
{
	int ret = texts_of(x, k, c);

	if (ret)
		return ret;
	if (k->op == RC_OP_BCONTAINS || k->op == RC_OP_BSTARTSWITH) {
		struct re_text *t = (struct re_text *)c->texts;

		for (uint32_t i = 0; i < c->n; i++)
			if ((ret = hex_bytes(x, &k->vals[i], &t[i])))
				return ret;
	}
	if (!c->n && k->op != RC_OP_IN && k->op != RC_OP_INTERSECTS && k->op != RC_OP_PMATCH)
		return re_cc__fail(x, &k->op_pos, "'%s' needs a value", rules_cond__op_name(k->op));
	return str_how(x, k, c);
}

/* val(f) or a transformed field on the right: compared with that field's value at run time. */
static int rfield_compile(struct re_cc *x, const struct rc_check *k, struct re_check *c)
{
	const struct rc_field *r = &k->rfield;

	if (!r->def)
		return re_cc__fail(x, &r->pos, "unknown field %s", r->name);
	if (k->op == RC_OP_REGEX || k->op == RC_OP_PMATCH || c->vtype == RF_IPNET)
		return re_cc__fail(x, &r->pos, "'%s' on %s does not take a field on its right",
				   rules_cond__op_name(k->op), field_name(k));
	c->how = RE_H_FIELD;
	c->rf.f = r->def;
	c->rf.key = r->key;
	c->rf.multi = is_multi(r->def, r->key);
	c->rf.nxf = (uint8_t)r->nxf;
	memcpy(c->rf.xf, r->xf, sizeof(c->rf.xf));
	return 0;
}

static int rhs_compile(struct re_cc *x, const struct rc_check *k, struct re_check *c)
{
	if (k->op == RC_OP_EXISTS) {
		c->how = RE_H_EXISTS;
		return 0;
	}
	if (k->rhs == RC_RHS_FIELD)
		return rfield_compile(x, k, c);
	if (k->rhs != RC_RHS_VALUE && k->rhs != RC_RHS_LIST)
		return re_cc__fail(x, &k->op_pos, "'%s' has no value to compare with",
				   rules_cond__op_name(k->op));
	if (c->f->id == RF_EVT_TYPE && !c->nxf &&
	    (k->op == RC_OP_EQ || k->op == RC_OP_NE || k->op == RC_OP_IN ||
	     k->op == RC_OP_INTERSECTS))
		return evttype_compile(x, k, c);
	if (c->f->id == RF_FD_SIP_NAME || c->f->id == RF_FD_CIP_NAME ||
	    c->f->id == RF_FD_LIP_NAME || c->f->id == RF_FD_RIP_NAME)
		return host_compile(x, k, c);
	switch (c->vtype) {
	case RF_NUM:
	case RF_BOOL:
		return num_compile(x, k, c);
	case RF_IPADDR:
	case RF_IPNET:
		return ip_compile(x, k, c);
	default:
		return str_compile(x, k, c);
	}
}

int re_cc__check(struct re_cc *x, const struct rc_node *src, struct re_check **out)
{
	const struct rc_check *k = src->check;
	struct re_check *c = arena__alloc(&x->e->arena, sizeof(*c));

	if (!c)
		return -ENOMEM;
	if (!k->lhs.def)
		return re_cc__fail(x, &k->lhs.pos, "unknown field %s", k->lhs.name);
	if (k->lhs.nxf > RC_XF_DEPTH || k->rfield.nxf > RC_XF_DEPTH)
		return re_cc__fail(x, &k->lhs.pos, "too many transformers");
	c->src = src;
	c->pos = src->pos;
	c->f = k->lhs.def;
	c->key = k->lhs.key;
	c->multi = is_multi(c->f, c->key);
	c->nxf = (uint8_t)k->lhs.nxf;
	memcpy(c->xf, k->lhs.xf, sizeof(c->xf));
	c->vtype = xform_type(c->f->type, c->nxf, c->xf);
	c->op = k->op;
	*out = c;
	return rhs_compile(x, k, c);
}

/* Fields that walk the process tree, call back into a cache, or build a string. */
static uint32_t field_cost(const struct rf_field *f, const char *key, bool multi)
{
	switch (f->id) {
	case RF_EVT_TYPE:
		return 1;
	case RF_PROC_ANAME:
	case RF_PROC_APID:
	case RF_PROC_AEXE:
	case RF_PROC_AEXEPATH:
		return multi ? 40 : key && strtoul(key, NULL, 10) >= 2 ? 12 : 4;
	case RF_PROC_CMDLINE:
	case RF_PROC_ARGS:
	case RF_PROC_PCMDLINE:
	case RF_USER_NAME:
	case RF_GROUP_NAME:
	case RF_K8S_POD_LABEL:
	case RF_K8S_POD_LABELS:
	case RF_EVT_ARG:
	case RF_THREAD_CAP_EFFECTIVE:
	case RF_THREAD_CAP_PERMITTED:
	case RF_FD_SIP_NAME:
	case RF_FD_CIP_NAME:
	case RF_FD_LIP_NAME:
	case RF_FD_RIP_NAME:
		return 10;
	case RF_FD_NAME:
	case RF_FD_DIRECTORY:
	case RF_FD_FILENAME:
		return 5;
	default:
		return multi ? 6 : f->type == RF_STR ? 3 : 2;
	}
}

static uint32_t how_cost(const struct re_check *c)
{
	switch (c->how) {
	case RE_H_EXISTS:
	case RE_H_EVTTYPE:
	case RE_H_NUM:
		return 0;
	case RE_H_NUM_IN:
	case RE_H_STR_EQ:
	case RE_H_IP:
	case RE_H_NET:
		return c->n / 4;
	case RE_H_STR_SET:
	case RE_H_STARTSWITH:
	case RE_H_ENDSWITH:
	case RE_H_STR_ORD:
		return 2;
	case RE_H_CONTAINS:
	case RE_H_PREFIXES:
		return 3;
	case RE_H_ICONTAINS:
	case RE_H_PMATCH:
	case RE_H_FIELD:
		return 6;
	case RE_H_GLOB:
		return 15 * c->n;
	case RE_H_REGEX:
		return 30 * c->n;
	}
	return 10;
}

float re_cc__cost(const struct re_check *c)
{
	uint32_t cost = field_cost(c->f, c->key, c->multi) + how_cost(c) + 4u * c->nxf;

	if (c->how == RE_H_FIELD)
		cost += field_cost(c->rf.f, c->rf.key, c->rf.multi) + 4u * c->rf.nxf;
	return (float)cost;
}

float re_cc__chance(const struct re_check *c)
{
	switch (c->how) {
	case RE_H_EXISTS:
		return 0.95f;
	case RE_H_EVTTYPE: /* rules only meet events of their types */
		return c->neg ? 0.2f : 0.8f;
	case RE_H_NUM:
		if (c->op != RC_OP_EQ && c->op != RC_OP_NE)
			return 0.5f;
		if (c->vtype == RF_BOOL)
			return c->op == RC_OP_NE ? 0.7f : 0.3f;
		return c->op == RC_OP_NE ? 0.95f : 0.05f;
	case RE_H_FIELD:
		return 0.5f;
	default:
		return c->neg ? 0.95f : 0.05f;
	}
}
