// SPDX-License-Identifier: Apache-2.0
/*
 * Names in conditions. Visibility follows Falco: a list sees the lists defined before it, a
 * macro the macros defined before it (its last definition or append counts), a rule every
 * macro; conditions see every list. A list or macro that was appended to after another one
 * was defined can see it, which is how cycles can happen at all: they are reported with their
 * chain. Lists are expanded fully (Falco expands one level); nesting is bounded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_int.h"

#define RL_LIST_DEPTH	  64
#define RL_LIST_ITEMS_MAX (1u << 20)

/* Positions in a condition made of scalars joined by spaces: one cursor per scalar. */
struct segpos {
	const struct rl_text *t;
	struct ycursor *cur;
};

static void seg_pos(void *ctx, size_t off, struct rc_pos *out)
{
	struct segpos *sp = ctx;
	const struct rl_text *t = sp->t;
	size_t i = t->nsegs - 1, local;

	while (i > 0 && t->segs[i].off > off)
		i--;
	local = off - t->segs[i].off;
	if (local >= t->segs[i].ref.node->len && i + 1 < t->nsegs) { /* the joining space */
		i++;
		local = 0;
	}
	out->file = t->segs[i].ref.file->pub.path;
	ydoc__cursor_pos(&sp->cur[i], local, &out->line, &out->col);
}

int rl_parse_text(struct rules_set *rs, const struct rl_text *t, const char *owner,
		  struct rc_node **out)
{
	struct segpos sp = {.t = t, .cur = calloc(t->nsegs, sizeof(*sp.cur))};
	struct rc_src src = {.text = t->text, .len = t->len, .pos = seg_pos, .ctx = &sp};
	struct rc_err err;
	int ret;

	if (!sp.cur)
		return -ENOMEM;
	for (size_t i = 0; i < t->nsegs; i++)
		ydoc__cursor_init(&sp.cur[i], t->segs[i].ref.file->doc, t->segs[i].ref.node);
	ret = rules_cond__parse(&rs->arena, &src, out, &err);
	free(sp.cur);
	if (ret == -EINVAL)
		rl_diag(rs, RULES_ERROR, &err.pos, "%s: condition: %s", owner, err.msg);
	return ret;
}

struct vvec {
	struct rc_value *v;
	size_t n, cap;
};

static int vvec_add(struct vvec *v, const struct rc_value *x, size_t n)
{
	struct rc_value *nv;

	if (!n)
		return 0;
	if (v->n + n > RL_LIST_ITEMS_MAX)
		return -E2BIG;
	if (v->n + n > v->cap) {
		v->cap = v->n + n > v->cap * 2 ? v->n + n : v->cap * 2;
		nv = realloc(v->v, v->cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		v->v = nv;
	}
	memcpy(v->v + v->n, x, n * sizeof(*x));
	v->n += n;
	return 0;
}

struct lstack {
	struct rl_list *l[RL_LIST_DEPTH];
	unsigned n;
};

static int list_cycle(struct rules_set *rs, struct lstack *st, struct rl_list *l)
{
	char chain[1024] = "";
	size_t len = 0;
	unsigned i = 0;

	while (i < st->n && st->l[i] != l)
		i++;
	for (; i < st->n; i++) {
		st->l[i]->broken = true;
		if (len < sizeof(chain))
			len += (size_t)snprintf(chain + len, sizeof(chain) - len, "%s -> ",
						st->l[i]->name);
	}
	rl_diag(rs, RULES_ERROR, &st->l[st->n - 1]->pos, "list '%s': cycle of lists: %s%s",
		st->l[st->n - 1]->name, chain, l->name);
	return -EINVAL;
}

static int expand(struct rules_set *rs, struct rl_list *l, struct lstack *st);

/* One item: a value, or the values of a list defined before l. */
static int expand_item(struct rules_set *rs, struct rl_list *l, const struct rl_ref *item,
		       struct lstack *st, struct vvec *out)
{
	struct rc_value v;
	struct rl_list *ref;
	struct rc_err err;
	int ret = rules_cond__value(&rs->arena, item->node->str, item->node->len,
				    rl_pos(item->file, item->node), &v, &err);

	if (ret == -EINVAL) {
		rl_diag(rs, RULES_ERROR, &err.pos, "list '%s': %s", l->name, err.msg);
		return ret;
	}
	ref = ret || v.quoted ? NULL : rl_find_list(rs, v.str);
	if (ret || !ref || ref->index >= l->vis)
		return ret ? ret : vvec_add(out, &v, 1);
	if ((ret = expand(rs, ref, st)))
		return ret;
	return vvec_add(out, ref->vals, ref->nvals);
}

static int expand(struct rules_set *rs, struct rl_list *l, struct lstack *st)
{
	struct vvec out = {0};
	int ret = 0, r;

	if (l->state == 2)
		return l->broken ? -EINVAL : 0;
	if (l->state == 1)
		return list_cycle(rs, st, l);
	if (st->n == RL_LIST_DEPTH) {
		rl_diag(rs, RULES_ERROR, &l->pos, "list '%s': lists nested deeper than %d levels",
			l->name, RL_LIST_DEPTH);
		return -EINVAL;
	}
	l->state = 1;
	st->l[st->n++] = l;
	for (size_t i = 0; i < l->nitems && ret != -ENOMEM; i++) {
		r = expand_item(rs, l, &l->items[i], st, &out);
		if (r == -E2BIG)
			rl_diag(rs, RULES_ERROR, &l->pos, "list '%s': more than %u items", l->name,
				RL_LIST_ITEMS_MAX);
		ret = ret ? ret : r;
		if (r == -E2BIG)
			break;
	}
	st->n--;
	l->state = 2;
	l->broken = l->broken || ret;
	l->nvals = out.n;
	l->vals = arena__calloc(&rs->arena, out.n + 1, sizeof(*l->vals));
	if (l->vals && out.n)
		memcpy(l->vals, out.v, out.n * sizeof(*out.v));
	free(out.v);
	if (!l->vals)
		return -ENOMEM;
	return l->broken ? -EINVAL : 0;
}

int rl_expand_list(struct rules_set *rs, struct rl_list *l)
{
	struct lstack st = {.n = 0};

	return expand(rs, l, &st);
}

struct rctx {
	struct rules_set *rs;
	unsigned vis;
	const char *owner;
	struct rl_macro *m;
	const char *bad;
};

static void use_bad_list(struct rctx *x, const struct rl_list *l)
{
	if (!x->bad)
		x->bad = arena__sprintf(&x->rs->arena, "list '%s'", l->name);
}

/* `in (a, name, b)`: the lists named in a list of values are spliced in. */
static int splice_lists(struct rctx *x, struct rc_check *c)
{
	struct vvec out = {0};
	struct rl_list *l;
	bool any = false;
	int ret = 0;

	for (size_t i = 0; i < c->nvals && !ret; i++) {
		l = c->vals[i].quoted ? NULL : rl_find_list(x->rs, c->vals[i].str);
		if (l && l->broken)
			use_bad_list(x, l);
		any = any || l;
		ret = l ? vvec_add(&out, l->vals, l->nvals) : vvec_add(&out, &c->vals[i], 1);
	}
	if (!ret && any) {
		c->vals = arena__calloc(&x->rs->arena, out.n + 1, sizeof(*c->vals));
		if (c->vals && out.n)
			memcpy(c->vals, out.v, out.n * sizeof(*out.v));
		c->nvals = out.n;
		ret = c->vals ? 0 : -ENOMEM;
	}
	free(out.v);
	if (ret == -E2BIG)
		rl_diag(x->rs, RULES_ERROR, &c->op_pos, "%s: more than %u values", x->owner,
			RL_LIST_ITEMS_MAX);
	return ret;
}

static int resolve_check(struct rctx *x, struct rc_node *n)
{
	struct rc_check *c = n->check;
	struct rl_list *l;
	int ret;

	if (c->rhs == RC_RHS_LISTREF) {
		l = rl_find_list(x->rs, c->vals[0].str);
		if (!l) {
			rl_diag(x->rs, RULES_ERROR, &c->vals[0].pos, "%s: undefined list '%s'",
				x->owner, c->vals[0].str);
			return -EINVAL;
		}
		if (l->broken)
			use_bad_list(x, l);
		c->rhs = RC_RHS_LIST;
		c->vals = l->vals;
		c->nvals = l->nvals;
	} else if (c->rhs == RC_RHS_LIST && (ret = splice_lists(x, c))) {
		return ret;
	}
	return rl_check(x->rs, c, x->owner);
}

static int add_dep(struct rctx *x, struct rl_macro *dep, const struct rc_pos *pos)
{
	struct rl_macro *m = x->m;

	m->deps = rl_grow(x->rs, m->deps, m->ndeps, sizeof(*m->deps));
	m->dep_pos = rl_grow(x->rs, m->dep_pos, m->ndeps, sizeof(*m->dep_pos));
	if (!m->deps || !m->dep_pos)
		return -ENOMEM;
	m->deps[m->ndeps] = dep;
	m->dep_pos[m->ndeps++] = *pos;
	return 0;
}

static int resolve_macro(struct rctx *x, struct rc_node *n)
{
	struct rl_macro *m = rl_find_macro(x->rs, n->name);

	if (!m || m->index >= x->vis) {
		rl_diag(x->rs, RULES_ERROR, &n->pos, "%s: undefined macro '%s'%s", x->owner,
			n->name,
			m ? " (a macro can only use macros defined before it)"
			: rl_find_list(x->rs, n->name) ? " (it is a list: use 'in (list)')"
						       : "");
		return -EINVAL;
	}
	n->macro = m;
	n->body = m->ast;
	return x->m ? add_dep(x, m, &n->pos) : 0;
}

static int resolve_node(struct rctx *x, struct rc_node *n)
{
	int ret = 0, r;

	switch (n->kind) {
	case RC_MACRO:
		return resolve_macro(x, n);
	case RC_CHECK:
		return resolve_check(x, n);
	default:
		for (size_t i = 0; i < n->nkids && ret != -ENOMEM; i++) {
			r = resolve_node(x, n->kids[i]); /* on: report every error */
			ret = ret ? ret : r;
		}
		return ret;
	}
}

int rl_resolve(struct rules_set *rs, struct rc_node *n, unsigned vis, const char *owner,
	       struct rl_macro *m, const char **bad)
{
	struct rctx x = {.rs = rs, .vis = vis, .owner = owner, .m = m};
	int ret = resolve_node(&x, n);

	*bad = x.bad;
	return ret;
}

static void add_unknown(struct rl_summary *s, const char *name, const char *shown,
			const struct rc_pos *pos)
{
	if (!s->nunknown) {
		s->unknown_first = shown;
		s->unknown_pos = *pos;
	}
	for (unsigned i = 0; i < s->nunknown; i++)
		if (strcmp(s->unknown[i], name) == 0)
			return;
	if (s->nunknown < RL_UNKNOWN_MAX)
		s->unknown[s->nunknown++] = name;
	else
		s->unknown_more = true;
}

/* What t adds to s: the problems it uses, first ones first. */
static void merge_uses(struct rl_summary *s, const struct rl_summary *t)
{
	if (!s->bad)
		s->bad = t->bad;
	for (unsigned i = 0; i < t->nunknown; i++)
		add_unknown(s, t->unknown[i], i ? t->unknown[i] : t->unknown_first,
			    &t->unknown_pos);
	s->unknown_more = s->unknown_more || t->unknown_more;
}

static void summarize_check(struct rules_set *rs, const struct rc_check *c, struct rl_summary *s)
{
	rules_evttype__check(c, &s->evt);
	if (!c->lhs.def)
		add_unknown(s, c->lhs.name, rl_field_name(rs, &c->lhs), &c->lhs.pos);
	if (c->rhs == RC_RHS_FIELD && !c->rfield.def)
		add_unknown(s, c->rfield.name, rl_field_name(rs, &c->rfield), &c->rfield.pos);
}

static void summarize_macro(const struct rc_node *n, struct rules_set *rs, struct rl_summary *s)
{
	const struct rl_macro *m = n->macro;

	if (!m || m->broken || !m->summarized) {
		rules_evttype__all(&s->evt);
		s->bad =
		    m ? arena__sprintf(&rs->arena, "macro '%s'", m->name) : "an undefined macro";
		return;
	}
	*s = m->sum;
}

void rl_summarize(struct rules_set *rs, const struct rc_node *n, struct rl_summary *out)
{
	struct rl_summary kid;

	memset(out, 0, sizeof(*out));
	switch (n->kind) {
	case RC_CHECK:
		summarize_check(rs, n->check, out);
		return;
	case RC_MACRO:
		summarize_macro(n, rs, out);
		return;
	case RC_NOT:
		rl_summarize(rs, n->kids[0], out);
		rules_evttype__not(&out->evt);
		return;
	default:
		rl_summarize(rs, n->kids[0], out);
		for (size_t i = 1; i < n->nkids; i++) {
			rl_summarize(rs, n->kids[i], &kid);
			merge_uses(out, &kid);
			if (n->kind == RC_AND)
				rules_evttype__and(&out->evt, &kid.evt);
			else
				rules_evttype__or(&out->evt, &kid.evt);
		}
	}
}
