// SPDX-License-Identifier: Apache-2.0
/*
 * The enforcement plan of a rule (enforce_plan.h): the condition is flattened into conjuncts
 * through and-nodes and macro bodies; `not` is pushed down through `or` (not (a or b) is
 * not a and not b, the shape exceptions take) and cancels itself; an `or` is kept only when it
 * joins checks on one field. Each conjunct is then handed to enforce_plan_term.c, which knows
 * what the kernel can check. The first part that does not fit makes the rule a user-space one
 * and is named in why.
 *
 * The plan must never be wider than the rule: the kernel kills on it, with no second look in
 * user space. So nothing here over-approximates (unlike the path prefilter): a conjunct is
 * either represented exactly, or dropped because the kernel acts on the attempt before the
 * outcome a success check looks at, or it makes the rule a user-space one.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enforce_plan_int.h"

#define EP_DEPTH_MAX 1000   /* nesting of the walk, macros included */
#define EP_STEPS_MAX 100000 /* nodes one walk visits (macros are walked once per use) */

int ep__fail(struct ep_ctx *x, const char *fmt, ...)
{
	size_t len;
	va_list ap;

	if (x->failed)
		return -1;
	x->failed = true;
	snprintf(x->p->why, sizeof(x->p->why), "rule '%s': ", x->r->name ? x->r->name : "");
	len = strlen(x->p->why);
	va_start(ap, fmt);
	vsnprintf(x->p->why + len, sizeof(x->p->why) - len, fmt, ap);
	va_end(ap);
	return -1;
}

/* field[arg] as written, inside its transformers: "tolower(proc.aname[2])". */
static void field_text(const struct rc_field *f, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < f->nxf && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s(",
					rules_cond__xform_name(f->xf[i]));
	if (len < size)
		len += (size_t)snprintf(buf + len, size - len, "%s%s%s%s", f->name ? f->name : "?",
					f->arg ? "[" : "", f->arg ? f->arg : "", f->arg ? "]" : "");
	for (unsigned i = 0; i < f->nxf && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, ")");
}

int ep__unsupported(struct ep_ctx *x, const struct rc_check *c, bool neg)
{
	char field[128];

	field_text(&c->lhs, field, sizeof(field));
	return ep__fail(x, "%s%s %s%s", neg ? "not " : "", field, rules_cond__op_name(c->op),
			c->rhs == RC_RHS_FIELD ? " another field" : "");
}

void ep__note(struct ep_ctx *x, const char *note)
{
	for (size_t i = 0; i < x->p->nnotes; i++)
		if (x->p->notes[i] == note)
			return;
	if (x->p->nnotes < EP_NOTES_MAX)
		x->p->notes[x->p->nnotes++] = note;
}

int ep__num(const char *s, int64_t *out)
{
	const char *p = s + (*s == '-' || *s == '+');
	int base = p[0] == '0' && (p[1] == 'x' || p[1] == 'X') ? 16 : 10;
	char *end;
	long long v;

	if (base == 16)
		p += 2;
	if (base == 16 ? !isxdigit((unsigned char)*p) : !isdigit((unsigned char)*p))
		return -EINVAL;
	errno = 0;
	v = strtoll(p, &end, base);
	if (errno || *end)
		return -EINVAL;
	*out = *s == '-' ? -v : v;
	return 0;
}

int ep__ops(struct ep_ctx *x, const struct ep_term *t, unsigned mask, bool neg_ok)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct rc_check *c = t->c[i];
		char field[128];

		if (!(mask & (1u << c->op)) || (t->neg && !neg_ok) || c->lhs.nxf ||
		    (c->rhs != RC_RHS_VALUE && c->rhs != RC_RHS_LIST))
			return ep__unsupported(x, c, t->neg);
		if (!c->nvals) {
			field_text(&c->lhs, field, sizeof(field));
			return ep__fail(x, "%s %s an empty list", field,
					rules_cond__op_name(c->op));
		}
	}
	return 0;
}

void ep__need(struct ep_ctx *x, enum ep_class cls, const char *what)
{
	if (!x->need[cls])
		x->need[cls] = what;
}

/* --- the walk --- */

static int walk(struct ep_ctx *x, const struct rc_node *n, bool neg);

/* Each child a conjunct (an `and`, or a negated `or`). */
static int walk_kids(struct ep_ctx *x, const struct rc_node *n, bool neg)
{
	for (size_t i = 0; i < n->nkids; i++)
		if (walk(x, n->kids[i], neg))
			return -1;
	return 0;
}

static bool same_field(const struct rc_field *a, const struct rc_field *b)
{
	if (a->def != b->def || (!a->key) != (!b->key))
		return false;
	return !a->key || !strcmp(a->key, b->key);
}

/* The checks an `or` joins, through nested ors and macros, into x->term. */
static int or_collect(struct ep_ctx *x, const struct rc_node *n, unsigned depth)
{
	struct ep_term *t = &x->term;

	if (depth >= EP_DEPTH_MAX || ++x->steps > EP_STEPS_MAX)
		return ep__fail(x, "a condition nested too deep or too large");
	if (n->kind == RC_MACRO && n->body)
		return or_collect(x, n->body, depth + 1);
	if (n->kind == RC_OR) {
		for (size_t i = 0; i < n->nkids; i++)
			if (or_collect(x, n->kids[i], depth + 1))
				return -1;
		return 0;
	}
	if (n->kind == RC_NOT)
		return ep__fail(x, "a 'not' inside an 'or'");
	if (n->kind != RC_CHECK || !n->check ||
	    (t->n && !same_field(&t->c[0]->lhs, &n->check->lhs)))
		return ep__fail(x, "an 'or' of different fields");
	if (t->n == EP_OR_MAX)
		return ep__fail(x, "an 'or' of more than %d checks", EP_OR_MAX);
	t->c[t->n++] = n->check;
	return 0;
}

static int walk_or(struct ep_ctx *x, const struct rc_node *n)
{
	x->term.neg = false;
	x->term.n = 0;
	if (or_collect(x, n, x->depth))
		return -1;
	return ep_term__apply(x, &x->term);
}

static int walk_check(struct ep_ctx *x, const struct rc_check *c, bool neg)
{
	x->term.neg = neg;
	x->term.n = 1;
	x->term.c[0] = c;
	return ep_term__apply(x, &x->term);
}

static int walk_node(struct ep_ctx *x, const struct rc_node *n, bool neg)
{
	switch (n->kind) {
	case RC_MACRO:
		if (!n->body)
			return ep__fail(x, "macro '%s' has no condition", n->name ? n->name : "");
		return walk(x, n->body, neg);
	case RC_NOT:
		return n->nkids == 1 ? walk(x, n->kids[0], !neg) : ep__fail(x, "a malformed 'not'");
	case RC_AND:
		return neg ? ep__fail(x, "a 'not' of an 'and'") : walk_kids(x, n, false);
	case RC_OR:
		return neg ? walk_kids(x, n, true) : walk_or(x, n);
	case RC_CHECK:
		return n->check ? walk_check(x, n->check, neg) : ep__fail(x, "an empty check");
	}
	return ep__fail(x, "an unknown node");
}

static int walk(struct ep_ctx *x, const struct rc_node *n, bool neg)
{
	int ret;

	if (x->failed)
		return -1;
	if (x->depth >= EP_DEPTH_MAX || ++x->steps > EP_STEPS_MAX)
		return ep__fail(x, "a condition nested too deep or too large");
	x->depth++;
	ret = walk_node(x, n, neg);
	x->depth--;
	return ret;
}

/* --- host_explicit: the whole condition, whatever the plan --- */

/* Does check c, under neg, say that the process is on the host? */
static bool check_host(const struct rc_check *c, bool neg)
{
	bool host = false;

	if (!c->lhs.def || c->lhs.def->id != RF_CONTAINER_ID || c->lhs.nxf ||
	    (c->rhs != RC_RHS_VALUE && c->rhs != RC_RHS_LIST))
		return false;
	for (size_t i = 0; i < c->nvals; i++)
		host |= c->vals[i].len == 4 && !memcmp(c->vals[i].str, "host", 4);
	if (!host)
		return false;
	return neg ? c->op == RC_OP_NE : c->op == RC_OP_EQ || c->op == RC_OP_IN;
}

static bool names_host(const struct rc_node *n, bool neg, unsigned depth, unsigned *steps)
{
	if (depth >= EP_DEPTH_MAX || ++*steps > EP_STEPS_MAX)
		return false;
	switch (n->kind) {
	case RC_MACRO:
		return n->body && names_host(n->body, neg, depth + 1, steps);
	case RC_NOT:
		return n->nkids == 1 && names_host(n->kids[0], !neg, depth + 1, steps);
	case RC_AND:
	case RC_OR:
		for (size_t i = 0; i < n->nkids; i++)
			if (names_host(n->kids[i], neg, depth + 1, steps))
				return true;
		return false;
	case RC_CHECK:
		return n->check && check_host(n->check, neg);
	}
	return false;
}

/* --- the plan's last checks --- */

static const char *class_name(enum ep_class c)
{
	switch (c) {
	case EP_OPEN:
		return "open";
	case EP_CONNECT:
		return "connect";
	case EP_EXEC:
		return "exec";
	default:
		return "none";
	}
}

static bool comm_has(char (*set)[EP_COMM_LEN], size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(set[i], s))
			return true;
	return false;
}

/* The included comms less the excluded ones, or the excluded ones alone. */
static int finish_comms(struct ep_ctx *x)
{
	struct ep_plan *p = x->p;

	if (!x->have_inc) {
		memcpy(p->comms, x->exc, x->nexc * sizeof(x->exc[0]));
		p->ncomms = x->nexc;
		p->comm_exclude = x->nexc > 0;
		return 0;
	}
	for (size_t i = 0; i < x->ninc; i++)
		if (!comm_has(x->exc, x->nexc, x->inc[i]))
			memcpy(p->comms[p->ncomms++], x->inc[i], EP_COMM_LEN);
	if (!p->ncomms)
		return ep__fail(x, "proc.name conditions that no process satisfies");
	return 0;
}

static int finish_scope(struct ep_ctx *x)
{
	bool pods = x->have_ns || x->have_pods;

	if (x->host && x->containers)
		return ep__fail(x, "container.id: both the host and containers");
	if (x->host && pods)
		return ep__fail(x, "the host (container.id = host) and pods (k8s.ns.name, "
				   "k8s.pod.name) conflict");
	x->p->scope = pods ? EP_SCOPE_PODS : x->host ? EP_SCOPE_HOST : EP_SCOPE_CONTAINERS;
	return 0;
}

static int finish(struct ep_ctx *x)
{
	if (x->p->cls == EP_NONE)
		return ep__fail(x, "no event type");
	for (int c = EP_OPEN; c <= EP_EXEC; c++)
		if (x->need[c] && (enum ep_class)c != x->p->cls)
			return ep__fail(x, "%s is checked only on %s, and evt.type is %s",
					x->need[c], class_name((enum ep_class)c),
					class_name(x->p->cls));
	if (finish_comms(x))
		return -1;
	return finish_scope(x);
}

/* A user-space plan holds why and host_explicit, nothing half-built. */
static void plan_user(struct ep_plan *p)
{
	char why[sizeof(p->why)];
	bool host = p->host_explicit;

	memcpy(why, p->why, sizeof(why));
	memset(p, 0, sizeof(*p));
	memcpy(p->why, why, sizeof(why));
	p->host_explicit = host;
}

int enforce_plan__compile(const struct rules_rule *r, struct ep_plan *out)
{
	struct ep_ctx x;
	unsigned steps = 0;

	memset(out, 0, sizeof(*out));
	if (!r || !r->cond || r->status != RULES_LOADED) {
		snprintf(out->why, sizeof(out->why), "rule '%s': no checked condition",
			 r && r->name ? r->name : "");
		return -EINVAL;
	}
	memset(&x, 0, sizeof(x));
	x.r = r;
	x.p = out;
	out->host_explicit = names_host(r->cond, false, 0, &steps);
	if (!walk(&x, r->cond, false))
		finish(&x);
	if (x.failed)
		plan_user(out);
	else
		out->kernel = true;
	return 0;
}
