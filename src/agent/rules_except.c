// SPDX-License-Identifier: Apache-2.0
/*
 * Rule exceptions. An exception names fields and comparisons; each of its values is a tuple
 * that, when every comparison holds, excuses the event:
 *   fields: [proc.name, fd.directory]  comps: [=, in]  values: [[apt, [/usr/bin, /bin]]]
 * becomes   and not ((proc.name = apt and fd.directory in (/usr/bin, /bin)))
 * A single field takes in, pmatch or intersects (in by default) and a list of values; a list of
 * fields takes = by default. Built as AST nodes, not as text as Falco does, so every node keeps
 * the position of the YAML it came from.
 */
#include <errno.h>
#include <string.h>

#include "rules_items.h"

static bool is_list_op(enum rc_op op)
{
	return rules_cond__op_kind(op) == RC_OPK_LIST;
}

static int check_comp(struct ictx *c, const struct rl_exc *e, const struct ynode *comp, bool single)
{
	enum rc_op op;

	if (single && comp->kind != YNODE_SCALAR)
		return ri_err(c, comp,
			      "exception '%s': fields and comps must both be one value or "
			      "both lists",
			      e->name);
	if (comp->kind != YNODE_SCALAR || rules_cond__op_parse(comp->str, &op))
		return ri_err(c, comp, "exception '%s': '%s' is not a comparison operator", e->name,
			      comp->kind == YNODE_SCALAR ? comp->str : "(a list)");
	if (op == RC_OP_EXISTS)
		return ri_err(c, comp, "exception '%s': 'exists' takes no value", e->name);
	if (single && !is_list_op(op))
		return ri_err(c, comp,
			      "exception '%s': with a single field, comps must be in, "
			      "pmatch or intersects",
			      e->name);
	return 0;
}

/* fields and comps agree: one and one, or two lists of the same length. */
static int check_fields(struct ictx *c, const struct rl_exc *e)
{
	const struct ynode *f = e->fields.node, *cm = e->comps.node;
	int ret;

	if (f->kind == YNODE_SCALAR && f->len)
		return cm ? check_comp(c, e, cm, true) : 0;
	if (f->kind != YNODE_SEQ || !f->n)
		return ri_err(c, f, "exception '%s': fields must be a field or a list of fields",
			      e->name);
	for (size_t i = 0; i < f->n; i++)
		if (f->kids[i]->kind != YNODE_SCALAR || !f->kids[i]->len)
			return ri_err(c, f->kids[i], "exception '%s': a field must be a name",
				      e->name);
	if (!cm)
		return 0;
	if (cm->kind != YNODE_SEQ || cm->n != f->n)
		return ri_err(c, cm, "exception '%s': fields and comps must have the same length",
			      e->name);
	for (size_t i = 0; i < cm->n; i++)
		if ((ret = check_comp(c, e, cm->kids[i], false)))
			return ret;
	return 0;
}

static bool known_key(const char *k)
{
	return !strcmp(k, "name") || !strcmp(k, "fields") || !strcmp(k, "comps") ||
	       !strcmp(k, "values");
}

static int read_one(struct ictx *c, const struct ynode *ex, bool append, struct rl_exc *e)
{
	const struct ynode *name = ynode__get(ex, "name"), *vals;

	if (ex->kind != YNODE_MAP)
		return ri_err(c, ex,
			      "an exception must be a mapping with name, fields, comps, "
			      "values");
	if (!ynode__is_scalar(name) || !name->len)
		return ri_err(c, ex, "an exception needs a name");
	e->name = name->str;
	e->pos = rl_pos(c->f, ex);
	e->fields = (struct rl_ref){c->f, ynode__get(ex, "fields")};
	e->comps = (struct rl_ref){c->f, ynode__get(ex, "comps")};
	for (size_t i = 0; i < ex->n; i++)
		if (!known_key(ex->kids[2 * i]->str))
			ri_warn(c, ex->kids[2 * i], "exception '%s': unknown key '%s' ignored",
				e->name, ex->kids[2 * i]->str);
	if (!e->fields.node && !append)
		return ri_err(c, ex, "exception '%s': missing 'fields'", e->name);
	if (e->comps.node && !e->fields.node)
		return ri_err(c, e->comps.node, "exception '%s': comps without fields", e->name);
	if (e->fields.node && check_fields(c, e))
		return -EINVAL;
	vals = ynode__get(ex, "values");
	if (!vals) {
		if (append)
			ri_warn(c, ex, "exception '%s' has no values", e->name);
		return 0;
	}
	if (vals->kind != YNODE_SEQ)
		return ri_err(c, vals, "exception '%s': values must be a list", e->name);
	e->values = arena__calloc(&c->rs->arena, vals->n + 1, sizeof(*e->values));
	if (!e->values)
		return ri_nomem(c);
	for (size_t i = 0; i < vals->n; i++)
		e->values[i] = (struct rl_ref){c->f, vals->kids[i]};
	e->nvalues = vals->n;
	return 0;
}

int rl_read_exceptions(struct ictx *c, bool append, struct rl_exc **out, size_t *n)
{
	const struct ynode *exs = ynode__get(c->item, "exceptions");
	struct rl_exc *v;
	int ret;

	*out = NULL;
	*n = 0;
	if (!exs || (exs->kind == YNODE_SCALAR && !exs->len))
		return 0;
	if (exs->kind != YNODE_SEQ)
		return ri_err(c, exs, "'exceptions' must be a list");
	if (exs->n > RL_EXCS_MAX)
		return ri_err(c, exs, "more than %d exceptions", RL_EXCS_MAX);
	v = arena__calloc(&c->rs->arena, exs->n + 1, sizeof(*v));
	if (!v)
		return ri_nomem(c);
	for (size_t i = 0; i < exs->n; i++) {
		if ((ret = read_one(c, exs->kids[i], append, &v[i])))
			return ret;
		for (size_t j = 0; j < i; j++)
			if (strcmp(v[j].name, v[i].name) == 0)
				return ri_err(c, exs->kids[i],
					      "exception names must be unique: "
					      "'%s' is given twice",
					      v[i].name);
	}
	*out = v;
	*n = exs->n;
	return 0;
}

static struct rl_exc *find_exc(const struct rl_rule *r, const char *name)
{
	for (size_t i = 0; i < r->nexcs; i++)
		if (strcmp(r->excs[i].name, name) == 0)
			return &r->excs[i];
	return NULL;
}

/* Values join an exception of that name; a new name is a new exception, whole. */
static int check_merge(struct ictx *c, const struct rl_rule *r, const struct rl_exc *a)
{
	struct rc_pos pos = a->pos;

	if (find_exc(r, a->name)) {
		if (a->fields.node || a->comps.node)
			return ri_err(c, a->fields.node ? a->fields.node : a->comps.node,
				      "exception '%s' exists: only values can be appended to it",
				      a->name);
		return 0;
	}
	if (!a->fields.node || !a->nvalues) {
		rl_diag(c->rs, RULES_ERROR, &pos, "rule '%s': exception '%s' is new: it needs %s",
			c->name, a->name, a->fields.node ? "values" : "fields and values");
		return -EINVAL;
	}
	return 0;
}

static int add_values(struct ictx *c, struct rl_exc *e, const struct rl_exc *a)
{
	struct rl_ref *v = arena__calloc(&c->rs->arena, e->nvalues + a->nvalues + 1, sizeof(*v));

	if (!v)
		return ri_nomem(c);
	if (e->nvalues)
		memcpy(v, e->values, e->nvalues * sizeof(*v));
	if (a->nvalues)
		memcpy(v + e->nvalues, a->values, a->nvalues * sizeof(*v));
	e->values = v;
	e->nvalues += a->nvalues;
	return 0;
}

int rl_merge_exceptions(struct ictx *c, struct rl_rule *r, const struct rl_exc *add, size_t n)
{
	struct rl_exc *e, *v;
	int ret;

	for (size_t i = 0; i < n; i++)
		if ((ret = check_merge(c, r, &add[i])))
			return ret;
	if (r->nexcs + n > RL_EXCS_MAX)
		return ri_err(c, NULL, "more than %d exceptions", RL_EXCS_MAX);
	for (size_t i = 0; i < n; i++) {
		e = find_exc(r, add[i].name);
		if (e) {
			if ((ret = add_values(c, e, &add[i])))
				return ret;
			continue;
		}
		v = arena__calloc(&c->rs->arena, r->nexcs + 2, sizeof(*v));
		if (!v)
			return ri_nomem(c);
		if (r->nexcs)
			memcpy(v, r->excs, r->nexcs * sizeof(*v));
		v[r->nexcs++] = add[i];
		r->excs = v;
	}
	return 0;
}

/* Building the conditions, at compile time. */

struct xb {
	struct rules_set *rs;
	const struct rl_rule *r;
	const struct rl_exc *e;
};

static int xb_err(struct xb *b, const struct ynode *at, const char *what)
{
	struct rc_pos pos = at ? rl_pos(b->e->fields.file, at) : b->e->pos;

	rl_diag(b->rs, RULES_ERROR, &pos, "rule '%s': exception '%s': %s", b->r->pub.name,
		b->e->name, what);
	return -EINVAL;
}

static int xb_nomem(struct xb *b)
{
	rl_diag(b->rs, RULES_ERROR, &b->e->pos, "out of memory");
	return -ENOMEM;
}

static int xb_value(struct xb *b, const struct rl_ref *ref, struct rc_value *out)
{
	struct rc_err err;
	int ret = rules_cond__value(&b->rs->arena, ref->node->str, ref->node->len,
				    rl_pos(ref->file, ref->node), out, &err);

	if (ret == -EINVAL) {
		rl_diag(b->rs, RULES_ERROR, &err.pos, "rule '%s': exception '%s': %s",
			b->r->pub.name, b->e->name, err.msg);
		return ret;
	}
	return ret ? xb_nomem(b) : 0;
}

/* The values of one comparison: items[0..cnt), a list for in, pmatch and intersects. */
static int xb_values(struct xb *b, struct rc_check *c, const struct rl_ref *items, size_t cnt)
{
	int ret;

	c->rhs = is_list_op(c->op) ? RC_RHS_LIST : RC_RHS_VALUE;
	c->vals = arena__calloc(&b->rs->arena, cnt + 1, sizeof(*c->vals));
	if (!c->vals)
		return xb_nomem(b);
	for (size_t i = 0; i < cnt; i++) {
		if (items[i].node->kind != YNODE_SCALAR)
			return xb_err(b, items[i].node, "a value must be a string");
		if ((ret = xb_value(b, &items[i], &c->vals[i])))
			return ret;
	}
	c->nvals = cnt;
	return 0;
}

/* field comp values, a check placed where its values are */
static int xb_check(struct xb *b, const struct ynode *field, const struct ynode *comp,
		    enum rc_op dflt, const struct rl_ref *items, size_t cnt, struct rc_node **out)
{
	struct rc_node *n = arena__alloc(&b->rs->arena, sizeof(*n));
	struct rc_err err;
	int ret;

	if (!n || !(n->check = arena__alloc(&b->rs->arena, sizeof(*n->check))))
		return xb_nomem(b);
	n->kind = RC_CHECK;
	n->pos = cnt ? rl_pos(items[0].file, items[0].node) : b->e->pos;
	n->check->op = dflt;
	if (comp)
		rules_cond__op_parse(comp->str, &n->check->op); /* checked when read */
	n->check->op_pos = comp ? rl_pos(b->e->comps.file, comp) : n->pos;
	ret = rules_cond__field(&b->rs->arena, field->str, field->len,
				rl_pos(b->e->fields.file, field), &n->check->lhs, &err);
	if (ret)
		return ret == -EINVAL ? xb_err(b, field, err.msg) : xb_nomem(b);
	*out = n;
	return xb_values(b, n->check, items, cnt);
}

/* The items of one value of a tuple: a string, or a list of strings. */
static int xb_items(struct xb *b, const struct rl_ref *v, struct rl_ref **items, size_t *cnt)
{
	const struct ynode *n = v->node;

	if (n->kind != YNODE_SEQ) {
		*items = (struct rl_ref *)v;
		*cnt = 1;
		return 0;
	}
	*items = arena__calloc(&b->rs->arena, n->n + 1, sizeof(**items));
	if (!*items)
		return xb_nomem(b);
	for (size_t i = 0; i < n->n; i++)
		(*items)[i] = (struct rl_ref){v->file, n->kids[i]};
	*cnt = n->n;
	return 0;
}

static int xb_nary(struct xb *b, enum rc_kind kind, struct rc_node **kids, size_t n,
		   struct rc_node **out)
{
	struct rc_node *node;

	if (n == 1) {
		*out = kids[0];
		return 0;
	}
	node = arena__alloc(&b->rs->arena, sizeof(*node));
	if (!node)
		return xb_nomem(b);
	node->kind = kind;
	node->kids = kids;
	node->nkids = n;
	node->pos = kids[0]->pos;
	*out = node;
	return 0;
}

/* One tuple of a list of fields: field_k comp_k value_k, and-ed. */
static int xb_tuple(struct xb *b, const struct rl_ref *v, struct rc_node **out)
{
	const struct ynode *f = b->e->fields.node, *cm = b->e->comps.node;
	struct rc_node **kids;
	int ret;

	if (v->node->kind != YNODE_SEQ || v->node->n != f->n)
		return xb_err(b, v->node, "each value must be a list as long as fields");
	kids = arena__calloc(&b->rs->arena, f->n, sizeof(*kids));
	if (!kids)
		return xb_nomem(b);
	for (size_t k = 0; k < f->n; k++) {
		struct rl_ref item = {v->file, v->node->kids[k]}, *items;
		size_t cnt;

		enum rc_op op = RC_OP_EQ;

		if (cm)
			rules_cond__op_parse(cm->kids[k]->str, &op);
		if (item.node->kind == YNODE_SEQ && !is_list_op(op))
			return xb_err(b, item.node,
				      "a list of values needs in, pmatch or intersects");
		if ((ret = xb_items(b, &item, &items, &cnt)) ||
		    (ret = xb_check(b, f->kids[k], cm ? cm->kids[k] : NULL, RC_OP_EQ, items, cnt,
				    &kids[k])))
			return ret;
	}
	return xb_nary(b, RC_AND, kids, f->n, out);
}

/* not (the exception): its tuples or-ed, or one check of a single field. */
static int xb_exception(struct xb *b, struct rc_node **out)
{
	const struct rl_exc *e = b->e;
	struct rc_node **kids, *not ;
	size_t n = e->fields.node->kind == YNODE_SCALAR ? 1 : e->nvalues;
	int ret = 0;

	kids = arena__calloc(&b->rs->arena, n, sizeof(*kids));
	not = arena__alloc(&b->rs->arena, sizeof(*not ));
	if (!kids || !not || !(not ->kids = arena__alloc(&b->rs->arena, sizeof(*not ->kids))))
		return xb_nomem(b);
	if (e->fields.node->kind == YNODE_SCALAR) {
		for (size_t i = 0; i < e->nvalues; i++)
			if (e->values[i].node->kind != YNODE_SCALAR)
				return xb_err(b, e->values[i].node,
					      "with a single field, each value must be a string");
		ret = xb_check(b, e->fields.node, e->comps.node, RC_OP_IN, e->values, e->nvalues,
			       &kids[0]);
	} else {
		for (size_t i = 0; i < n && !ret; i++)
			ret = xb_tuple(b, &e->values[i], &kids[i]);
	}
	if (!ret)
		ret = xb_nary(b, RC_OR, kids, n, &not ->kids[0]);
	not ->kind = RC_NOT;
	not ->nkids = 1;
	not ->pos = e->pos;
	*out = not ;
	return ret;
}

int rl_build_exceptions(struct rules_set *rs, const struct rl_rule *r, struct rc_node **cond)
{
	struct rc_node **kids = arena__calloc(&rs->arena, r->nexcs + 1, sizeof(*kids));
	struct xb b = {.rs = rs, .r = r};
	size_t n = 0;
	int ret;

	if (!kids)
		return -ENOMEM;
	kids[n++] = *cond;
	for (size_t i = 0; i < r->nexcs; i++) {
		b.e = &r->excs[i];
		if (!b.e->nvalues || !b.e->fields.node)
			continue; /* Falco adds nothing for an exception without values */
		if ((ret = xb_exception(&b, &kids[n++])))
			return ret;
	}
	return xb_nary(&b, RC_AND, kids, n, cond);
}
