// SPDX-License-Identifier: Apache-2.0
/* Rendering conditions for tests and messages; single values and fields, as lists and
 * exceptions hold them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rules_cond_int.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	size_t room = o->len < o->size ? o->size - o->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void put_field(struct out *o, const struct rc_field *f)
{
	for (unsigned i = 0; i < f->nxf; i++)
		put(o, "%s(", rules_cond__xform_name(f->xf[i]));
	put(o, "%s", f->name);
	if (f->arg)
		put(o, "[%s]", f->arg);
	for (unsigned i = 0; i < f->nxf; i++)
		put(o, ")");
}

static void put_value(struct out *o, const struct rc_value *v)
{
	if (!v->quoted) {
		put(o, "%s", v->str);
		return;
	}
	put(o, "\"");
	for (size_t i = 0; i < v->len; i++) {
		unsigned char c = (unsigned char)v->str[i];

		if (c == '"' || c == '\\')
			put(o, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			put(o, "\\x%02x", c);
		else
			put(o, "%c", c);
	}
	put(o, "\"");
}

static void put_check(struct out *o, const struct rc_check *c)
{
	put(o, "{");
	put_field(o, &c->lhs);
	put(o, " %s", rules_cond__op_name(c->op));
	switch (c->rhs) {
	case RC_RHS_VALUE:
		put(o, " ");
		put_value(o, &c->vals[0]);
		break;
	case RC_RHS_LIST:
		put(o, " (");
		for (size_t i = 0; i < c->nvals; i++) {
			put(o, "%s", i ? ", " : "");
			put_value(o, &c->vals[i]);
		}
		put(o, ")");
		break;
	case RC_RHS_LISTREF:
		put(o, " @%s", c->vals[0].str);
		break;
	case RC_RHS_FIELD:
		put(o, c->rval ? " val(" : " ");
		put_field(o, &c->rfield);
		put(o, c->rval ? ")" : "");
		break;
	default:
		break;
	}
	put(o, "}");
}

static void put_node(struct out *o, const struct rc_node *n, unsigned depth)
{
	switch (n->kind) {
	case RC_AND:
	case RC_OR:
	case RC_NOT:
		put(o, "(%s", n->kind == RC_AND ? "and" : n->kind == RC_OR ? "or" : "not");
		for (size_t i = 0; i < n->nkids; i++) {
			put(o, " ");
			put_node(o, n->kids[i], depth);
		}
		put(o, ")");
		break;
	case RC_CHECK:
		put_check(o, n->check);
		break;
	case RC_MACRO:
		put(o, "%s", n->name);
		if (depth && n->body) {
			put(o, "=>");
			put_node(o, n->body, depth - 1);
		}
		break;
	}
}

size_t rules_cond__dump(const struct rc_node *n, unsigned depth, char *buf, size_t size)
{
	struct out o = {.buf = buf, .size = size};

	if (size)
		buf[0] = '\0';
	if (n)
		put_node(&o, n, depth);
	return o.len;
}

/* Positions inside a one-line value: its start plus the offset. */
static void value_pos(void *ctx, size_t off, struct rc_pos *out)
{
	*out = *(const struct rc_pos *)ctx;
	out->col += (unsigned)off;
}

int rules_cond__value(struct arena *a, const char *text, size_t len, struct rc_pos pos,
		      struct rc_value *out, struct rc_err *err)
{
	struct rc_src src = {.text = text, .len = len, .pos = value_pos, .ctx = &pos};
	struct rcl_lexer lx = {.a = a, .src = &src, .err = err};
	struct rcl_token t;
	int ret;

	memset(out, 0, sizeof(*out));
	out->pos = pos;
	if (!len || (text[0] != '"' && text[0] != '\'')) {
		out->str = arena__strndup(a, text, len);
		out->len = len;
		return out->str ? 0 : -ENOMEM;
	}
	ret = rcl_next_value(&lx, &t);
	if (ret)
		return ret;
	if (t.end != len)
		return rcl_fail(&lx, t.end, "text after the closing quote");
	out->str = t.str;
	out->len = t.len;
	out->quoted = true;
	return 0;
}

int rules_cond__field(struct arena *a, const char *text, size_t len, struct rc_pos pos,
		      struct rc_field *out, struct rc_err *err)
{
	struct rc_src src = {.text = text, .len = len, .pos = value_pos, .ctx = &pos};
	struct rcl_lexer lx = {.a = a, .src = &src, .err = err};
	struct rcl_token t, end;
	int ret;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	out->pos = pos;
	ret = rcl_next(&lx, &t);
	if (!ret && t.kind == RCL_FIELD)
		ret = rcl_next(&lx, &end);
	if (ret)
		return ret;
	if (t.kind != RCL_FIELD || end.kind != RCL_EOF)
		return rcl_fail(&lx, 0, "'%.*s' is not a field name", (int)len, text);
	out->name = t.str;
	out->arg = t.arg;
	return 0;
}
