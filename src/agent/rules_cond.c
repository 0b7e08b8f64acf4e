// SPDX-License-Identifier: Apache-2.0
/*
 * The condition parser: recursive descent over rules_cond_lex.c's tokens, one function per
 * production of the grammar in rules_cond.h. Recursion is bounded by RC_DEPTH_MAX, so a
 * condition of ten thousand '(' is an error, not a stack overflow.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules_cond_int.h"

struct rp {
	struct rcl_lexer lx;
	unsigned depth;
};

struct nvec {
	void **v;
	size_t n, cap;
};

static int nvec_push(struct nvec *v, void *x)
{
	void **nv;

	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 4;
		nv = realloc(v->v, v->cap * sizeof(*v->v));
		if (!nv)
			return -ENOMEM;
		v->v = nv;
	}
	v->v[v->n++] = x;
	return 0;
}

static const char *const op_names[] = {
#define RC_X_NAME(name, str, kind) str,
    RC_OPS(RC_X_NAME)
#undef RC_X_NAME
};

static const enum rc_op_kind op_kinds[] = {
#define RC_X_KIND(name, str, kind) kind,
    RC_OPS(RC_X_KIND)
#undef RC_X_KIND
};

static const char *const xf_names[] = {
#define RC_X_NAME(name, str) str,
    RC_XFORMS(RC_X_NAME)
#undef RC_X_NAME
};

const char *rules_cond__op_name(enum rc_op op)
{
	return op < RC_OP_MAX ? op_names[op] : "?";
}

enum rc_op_kind rules_cond__op_kind(enum rc_op op)
{
	return op < RC_OP_MAX ? op_kinds[op] : RC_OPK_STR;
}

int rules_cond__op_parse(const char *s, enum rc_op *out)
{
	if (strcmp(s, "==") == 0) {
		*out = RC_OP_EQ;
		return 0;
	}
	for (int i = 0; i < RC_OP_MAX; i++)
		if (strcmp(s, op_names[i]) == 0) {
			*out = (enum rc_op)i;
			return 0;
		}
	return -EINVAL;
}

const char *rules_cond__xform_name(enum rc_xform xf)
{
	return xf < RC_XF_MAX ? xf_names[xf] : "?";
}

static int xform_parse(const char *s, enum rc_xform *out)
{
	for (int i = 0; i < RC_XF_MAX; i++)
		if (strcmp(s, xf_names[i]) == 0) {
			*out = (enum rc_xform)i;
			return 0;
		}
	return -EINVAL;
}

static bool is_word(const struct rcl_token *t, const char *w)
{
	return t->kind == RCL_WORD && strcmp(t->str, w) == 0;
}

static bool is_keyword(const struct rcl_token *t)
{
	return is_word(t, "and") || is_word(t, "or") || is_word(t, "not");
}

static int next(struct rp *p, struct rcl_token *t)
{
	return rcl_next(&p->lx, t);
}

static int peek(struct rp *p, struct rcl_token *t)
{
	size_t save = p->lx.off;
	int ret = rcl_next(&p->lx, t);

	p->lx.off = save;
	return ret;
}

static int fail(struct rp *p, size_t off, const char *what)
{
	return rcl_fail(&p->lx, off, "%s", what);
}

static int nomem(struct rp *p)
{
	p->lx.ret = -ENOMEM;
	return -ENOMEM;
}

/* How a token reads in a message: 'text' or "the end of the condition". */
static const char *tok_text(struct rp *p, const struct rcl_token *t)
{
	if (t->kind == RCL_EOF)
		return "the end of the condition";
	return arena__sprintf(p->lx.a, "'%.*s'", (int)(t->end - t->off), p->lx.src->text + t->off)
		   ?: "a token";
}

static struct rc_node *new_node(struct rp *p, enum rc_kind kind, size_t off)
{
	struct rc_node *n = arena__alloc(p->lx.a, sizeof(*n));

	if (n) {
		n->kind = kind;
		rcl_pos(&p->lx, off, &n->pos);
	}
	return n;
}

static int parse_or(struct rp *p, struct rc_node **out);

/* The n-ary node of a list of children; a single child is returned as it is. */
static int finish_nary(struct rp *p, enum rc_kind kind, struct nvec *v, struct rc_node **out)
{
	struct rc_node *n;

	if (v->n == 1) {
		*out = v->v[0];
		free(v->v);
		return 0;
	}
	n = arena__alloc(p->lx.a, sizeof(*n)); /* its position is its first child's */
	if (n)
		n->kids = arena__calloc(p->lx.a, v->n, sizeof(*n->kids));
	if (!n || !n->kids) {
		free(v->v);
		return nomem(p);
	}
	memcpy(n->kids, v->v, v->n * sizeof(*n->kids));
	n->kind = kind;
	n->nkids = v->n;
	n->pos = n->kids[0]->pos;
	free(v->v);
	*out = n;
	return 0;
}

static int enter(struct rp *p, size_t off)
{
	if (++p->depth > RC_DEPTH_MAX)
		return rcl_fail(&p->lx, off, "nested deeper than %d levels", RC_DEPTH_MAX);
	return 0;
}

/* A field operand, maybe inside transformers: first is its first token, already read. */
static int parse_operand(struct rp *p, struct rcl_token *first, struct rc_field *f)
{
	struct rcl_token t = *first;
	enum rc_xform xf;
	int ret;

	rcl_pos(&p->lx, t.off, &f->pos);
	while (t.kind == RCL_WORD && t.call && xform_parse(t.str, &xf) == 0) {
		if (f->nxf == RC_XF_DEPTH)
			return rcl_fail(&p->lx, t.off, "more than %d transformers on one field",
					RC_XF_DEPTH);
		f->xf[f->nxf++] = xf;
		if ((ret = next(p, &t)) || (ret = next(p, &t))) /* the '(' and what follows */
			return ret;
	}
	if (t.kind != RCL_FIELD)
		return rcl_fail(&p->lx, t.off, "expected a field%s, found %s",
				f->nxf ? " inside the transformer" : "", tok_text(p, &t));
	f->name = t.str;
	f->arg = t.arg;
	for (unsigned i = 0; i < f->nxf; i++) {
		if ((ret = next(p, &t)))
			return ret;
		if (t.kind != RCL_RPAREN)
			return rcl_fail(&p->lx, t.off, "expected ')' to close %s(), found %s",
					xf_names[f->xf[f->nxf - 1 - i]], tok_text(p, &t));
	}
	return 0;
}

/* A transformed field or val(field) where a value is expected; 1 when there is none. */
static int parse_rhs_field(struct rp *p, struct rc_check *c)
{
	size_t save = p->lx.off;
	struct rcl_token t;
	enum rc_xform xf;
	int ret;

	if ((ret = next(p, &t)))
		return ret;
	if (t.kind != RCL_WORD || !t.call || (!is_word(&t, "val") && xform_parse(t.str, &xf))) {
		p->lx.off = save;
		return 1;
	}
	c->rhs = RC_RHS_FIELD;
	if (!is_word(&t, "val"))
		return parse_operand(p, &t, &c->rfield);
	c->rval = true;
	if ((ret = next(p, &t)) || (ret = next(p, &t)))
		return ret;
	if (t.kind != RCL_FIELD)
		return rcl_fail(&p->lx, t.off, "expected a field inside val(), found %s",
				tok_text(p, &t));
	rcl_pos(&p->lx, t.off, &c->rfield.pos);
	c->rfield.name = t.str;
	c->rfield.arg = t.arg;
	if ((ret = next(p, &t)))
		return ret;
	if (t.kind != RCL_RPAREN)
		return rcl_fail(&p->lx, t.off, "expected ')' to close val(), found %s",
				tok_text(p, &t));
	return 0;
}

static int make_value(struct rp *p, const struct rcl_token *t, struct rc_value *v)
{
	v->str = t->str;
	v->len = t->len;
	v->quoted = t->kind == RCL_STRING;
	rcl_pos(&p->lx, t->off, &v->pos);
	return 0;
}

static int one_value(struct rp *p, struct rc_check *c, const struct rcl_token *t)
{
	c->vals = arena__alloc(p->lx.a, sizeof(*c->vals));
	if (!c->vals)
		return nomem(p);
	c->nvals = 1;
	return make_value(p, t, c->vals);
}

/* [+-]digits[.digits][e[+-]digits] or 0x..., as Falco's number token. */
static bool is_number(const char *s)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2]) {
		for (s += 2; *s; s++)
			if (!strchr("0123456789abcdefABCDEF", *s))
				return false;
		return true;
	}
	s += *s == '+' || *s == '-';
	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9')
		s++;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9';)
			s++;
	if ((*s == 'e' || *s == 'E') && (s[1] == '+' || s[1] == '-') && s[2] >= '0' && s[2] <= '9')
		for (s += 2; *s >= '0' && *s <= '9';)
			s++;
	return *s == '\0';
}

static int parse_value(struct rp *p, struct rc_check *c, bool number)
{
	const char *op = op_names[c->op];
	struct rcl_token t;
	int ret = parse_rhs_field(p, c);

	if (ret <= 0)
		return ret;
	if ((ret = rcl_next_value(&p->lx, &t)))
		return ret;
	if (number && (t.kind != RCL_BARE || !is_number(t.str)))
		return rcl_fail(&p->lx, t.off, "expected a number after '%s', found %s", op,
				tok_text(p, &t));
	if (t.kind != RCL_STRING && (t.kind != RCL_BARE || !t.len))
		return rcl_fail(&p->lx, t.off, "expected a value after '%s', found %s", op,
				tok_text(p, &t));
	c->rhs = RC_RHS_VALUE;
	return one_value(p, c, &t);
}

static int finish_list(struct rp *p, struct rc_check *c, struct nvec *v)
{
	c->rhs = RC_RHS_LIST;
	c->nvals = v->n;
	if (v->n) {
		c->vals = arena__calloc(p->lx.a, v->n, sizeof(*c->vals));
		if (!c->vals)
			return nomem(p);
		for (size_t i = 0; i < v->n; i++)
			c->vals[i] = *(struct rc_value *)v->v[i];
	}
	return 0;
}

/* '(' item, item ')' after the '(' at open. */
static int parse_list_items(struct rp *p, struct rc_check *c, size_t open)
{
	struct nvec v = {0};
	struct rcl_token t;
	struct rc_value *item;
	int ret;

	for (;;) {
		if ((ret = rcl_next_value(&p->lx, &t)))
			goto out;
		if (t.kind == RCL_RPAREN && v.n == 0)
			break;
		if (t.kind == RCL_EOF) {
			ret = fail(p, open, "unbalanced parenthesis: the list's '(' is not closed");
			goto out;
		}
		if (t.kind != RCL_STRING && (t.kind != RCL_BARE || !t.len)) {
			ret = rcl_fail(&p->lx, t.off, "expected a value in the list, found %s",
				       tok_text(p, &t));
			goto out;
		}
		item = arena__alloc(p->lx.a, sizeof(*item));
		if (!item || nvec_push(&v, item)) {
			ret = nomem(p);
			goto out;
		}
		make_value(p, &t, item);
		if ((ret = rcl_next_value(&p->lx, &t)))
			goto out;
		if (t.kind == RCL_RPAREN)
			break;
		if (t.kind != RCL_COMMA) {
			ret = t.kind == RCL_EOF
				  ? fail(p, open,
					 "unbalanced parenthesis: the list's '(' is not closed")
				  : rcl_fail(&p->lx, t.off,
					     "expected ',' or ')' in the list, found %s",
					     tok_text(p, &t));
			goto out;
		}
	}
	ret = finish_list(p, c, &v);
out:
	free(v.v);
	return ret;
}

static bool is_identifier(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", *s))
			return false;
	return true;
}

static int parse_list(struct rp *p, struct rc_check *c)
{
	const char *op = op_names[c->op];
	struct rcl_token t;
	int ret = parse_rhs_field(p, c);

	if (ret <= 0)
		return ret;
	if ((ret = rcl_next_value(&p->lx, &t)))
		return ret;
	if (t.kind == RCL_LPAREN)
		return parse_list_items(p, c, t.off);
	if (t.kind == RCL_BARE && is_identifier(t.str)) {
		c->rhs = RC_RHS_LISTREF;
		return one_value(p, c, &t);
	}
	return rcl_fail(&p->lx, t.off, "expected a list after '%s': '(' or a list name, found %s",
			op, tok_text(p, &t));
}

/* The operator and value after an operand. */
static int parse_condition(struct rp *p, struct rc_check *c)
{
	struct rcl_token t;
	int ret;

	if ((ret = next(p, &t)))
		return ret;
	if (t.kind == RCL_OP) {
		c->op = t.op;
	} else if (t.kind != RCL_WORD || rules_cond__op_parse(t.str, &c->op)) {
		if (t.kind == RCL_WORD)
			return rcl_fail(&p->lx, t.off, "unknown operator '%s' after %s", t.str,
					c->lhs.name);
		return rcl_fail(&p->lx, t.off, "expected an operator after %s, found %s",
				c->lhs.name, tok_text(p, &t));
	}
	rcl_pos(&p->lx, t.off, &c->op_pos);
	switch (rules_cond__op_kind(c->op)) {
	case RC_OPK_UNARY:
		return 0;
	case RC_OPK_NUM:
		return parse_value(p, c, true);
	case RC_OPK_STR:
		return parse_value(p, c, false);
	default:
		return parse_list(p, c);
	}
}

static int parse_field_check(struct rp *p, struct rcl_token *first, struct rc_node **out)
{
	struct rc_node *n = new_node(p, RC_CHECK, first->off);
	int ret;

	if (!n || !(n->check = arena__alloc(p->lx.a, sizeof(*n->check))))
		return nomem(p);
	ret = parse_operand(p, first, &n->check->lhs);
	if (!ret)
		ret = parse_condition(p, n->check);
	*out = n;
	return ret;
}

static int parse_paren(struct rp *p, const struct rcl_token *open, struct rc_node **out)
{
	struct rcl_token t;
	int ret;

	if ((ret = enter(p, open->off)) || (ret = parse_or(p, out)) || (ret = next(p, &t)))
		return ret;
	p->depth--;
	if (t.kind == RCL_RPAREN)
		return 0;
	if (t.kind == RCL_EOF)
		return fail(p, open->off, "unbalanced parenthesis: '(' is not closed");
	return rcl_fail(&p->lx, t.off, "unexpected %s: expected 'and', 'or' or ')'",
			tok_text(p, &t));
}

static int parse_check(struct rp *p, struct rc_node **out)
{
	struct rcl_token t;
	enum rc_xform xf;
	int ret;

	if ((ret = next(p, &t)))
		return ret;
	if (t.kind == RCL_LPAREN)
		return parse_paren(p, &t, out);
	if (t.kind == RCL_FIELD || (t.kind == RCL_WORD && t.call && !xform_parse(t.str, &xf)))
		return parse_field_check(p, &t, out);
	if (t.kind == RCL_WORD && t.call && is_word(&t, "val"))
		return fail(p, t.off, "val() is only allowed after an operator");
	if (t.kind == RCL_WORD && !is_keyword(&t)) {
		*out = new_node(p, RC_MACRO, t.off);
		if (!*out)
			return nomem(p);
		(*out)->name = t.str;
		return 0;
	}
	if (t.kind == RCL_RPAREN && !p->depth)
		return fail(p, t.off, "unbalanced parenthesis: ')' has no matching '('");
	return rcl_fail(&p->lx, t.off,
			"expected a condition (a field comparison, a macro name or '('), found %s",
			tok_text(p, &t));
}

static int parse_not(struct rp *p, struct rc_node **out)
{
	struct rcl_token t;
	struct rc_node *n;
	int ret;

	if ((ret = peek(p, &t)))
		return ret;
	if (!is_word(&t, "not"))
		return parse_check(p, out);
	next(p, &t);
	n = new_node(p, RC_NOT, t.off);
	if (!n || !(n->kids = arena__alloc(p->lx.a, sizeof(*n->kids))))
		return nomem(p);
	n->nkids = 1;
	if ((ret = enter(p, t.off)) || (ret = parse_not(p, &n->kids[0])))
		return ret;
	p->depth--;
	*out = n;
	return 0;
}

/* kid ('word' kid)*, where kid is parse_kid: the and and or levels. */
static int parse_nary(struct rp *p, const char *word, enum rc_kind kind,
		      int (*parse_kid)(struct rp *, struct rc_node **), struct rc_node **out)
{
	struct nvec v = {0};
	struct rc_node *kid = NULL;
	struct rcl_token t;
	int ret;

	for (;;) {
		ret = parse_kid(p, &kid);
		if (ret || nvec_push(&v, kid)) {
			free(v.v);
			return ret ? ret : nomem(p);
		}
		if ((ret = peek(p, &t))) {
			free(v.v);
			return ret;
		}
		if (!is_word(&t, word))
			break;
		next(p, &t);
	}
	return finish_nary(p, kind, &v, out);
}

static int parse_and(struct rp *p, struct rc_node **out)
{
	return parse_nary(p, "and", RC_AND, parse_not, out);
}

static int parse_or(struct rp *p, struct rc_node **out)
{
	return parse_nary(p, "or", RC_OR, parse_and, out);
}

int rules_cond__parse(struct arena *a, const struct rc_src *src, struct rc_node **out,
		      struct rc_err *err)
{
	struct rp p = {.lx = {.a = a, .src = src, .err = err}};
	struct rcl_token t;
	int ret;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	ret = peek(&p, &t);
	if (!ret && t.kind == RCL_EOF)
		return fail(&p, 0, "empty condition");
	if (!ret)
		ret = parse_or(&p, out);
	if (!ret)
		ret = next(&p, &t);
	if (!ret && t.kind == RCL_RPAREN)
		ret = fail(&p, t.off, "unbalanced parenthesis: ')' has no matching '('");
	else if (!ret && t.kind != RCL_EOF)
		ret = rcl_fail(&p.lx, t.off, "unexpected %s: expected 'and', 'or' or the end",
			       tok_text(&p, &t));
	if (ret) {
		*out = NULL;
		return p.lx.ret ? p.lx.ret : ret;
	}
	return 0;
}
