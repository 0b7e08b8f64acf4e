// SPDX-License-Identifier: Apache-2.0
/*
 * The condition lexer. Falco's grammar has two token sets: in an expression a word is a field,
 * a macro or a keyword; where a value is expected nearly anything up to a blank, a parenthesis,
 * a comma, '=' or a quote is one bare value (/etc/, runc:[1:CHILD], <NA>). The parser says
 * which one it wants.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rules_cond_int.h"

bool rcl_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\b' || c == '\r' || c == '\n';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_ident(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '_';
}

/* Not part of a bare value: blanks, ( ) , = and quotes. */
static bool is_bare(char c)
{
	return c && !rcl_is_blank(c) && !strchr("(),=\"'", c);
}

/* Not part of a bare field argument: blanks, [ ] and quotes. */
static bool is_bare_arg(char c)
{
	return c && !rcl_is_blank(c) && !strchr("[]\"'", c);
}

void rcl_pos(const struct rcl_lexer *lx, size_t off, struct rc_pos *out)
{
	lx->src->pos(lx->src->ctx, off, out);
}

int rcl_fail(struct rcl_lexer *lx, size_t off, const char *fmt, ...)
{
	va_list ap;

	rcl_pos(lx, off, &lx->err->pos);
	va_start(ap, fmt);
	vsnprintf(lx->err->msg, sizeof(lx->err->msg), fmt, ap);
	va_end(ap);
	lx->ret = -EINVAL;
	return -EINVAL;
}

static int nomem(struct rcl_lexer *lx)
{
	snprintf(lx->err->msg, sizeof(lx->err->msg), "out of memory");
	lx->ret = -ENOMEM;
	return -ENOMEM;
}

static char peekc(const struct rcl_lexer *lx, size_t off)
{
	return off < lx->src->len ? lx->src->text[off] : '\0';
}

static void skip_blanks(struct rcl_lexer *lx)
{
	while (lx->off < lx->src->len && rcl_is_blank(lx->src->text[lx->off]))
		lx->off++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One escape after a backslash at q[i]; appends the byte to out. Returns the bytes used. */
static int unescape_one(struct rcl_lexer *lx, size_t off, const char *q, size_t i, size_t n,
			char *out, size_t *o)
{
	static const char simple[] = "b\bf\fn\nr\rt\t\\\\//";
	char c = i + 1 < n - 1 ? q[i + 1] : '\0';
	const char *s;
	int hi, lo;

	if (c == q[0]) {
		out[(*o)++] = c;
		return 2;
	}
	for (s = simple; *s; s += 2)
		if (*s == c) {
			out[(*o)++] = s[1];
			return 2;
		}
	if (c == 'x') {
		hi = i + 2 < n - 1 ? hexval(q[i + 2]) : -1;
		lo = i + 3 < n - 1 ? hexval(q[i + 3]) : -1;
		if (hi < 0 || lo < 0)
			return rcl_fail(lx, off + i, "\\x needs two hexadecimal digits");
		out[(*o)++] = (char)(hi << 4 | lo);
		return 4;
	}
	if (c == ' ') { /* Falco reads "\ " as a backslash, for rules written that way */
		out[(*o)++] = '\\';
		return 2;
	}
	if (c == '"' || c == '\'')
		return rcl_fail(lx, off + i, "invalid \\%c escape in a %c-quoted string", c, q[0]);
	return rcl_fail(lx, off + i, "unsupported escape sequence \\%c", c ? c : ' ');
}

int rcl_unquote(struct rcl_lexer *lx, size_t off, const char *q, size_t n, const char **out,
		size_t *outlen)
{
	char *s = arena__alloc(lx->a, n + 1);
	size_t o = 0;
	int used;

	if (!s)
		return nomem(lx);
	for (size_t i = 1; i + 1 < n;) {
		if (q[i] != '\\') {
			s[o++] = q[i++];
			continue;
		}
		used = unescape_one(lx, off, q, i, n, s, &o);
		if (used < 0)
			return used;
		i += (size_t)used;
	}
	s[o] = '\0';
	*out = s;
	*outlen = o;
	return 0;
}

/* A quoted string at lx->off: its end is the first unescaped quote of the same kind. */
static int lex_quoted(struct rcl_lexer *lx, struct rcl_token *t)
{
	const char *text = lx->src->text;
	char q = text[lx->off];
	size_t i = lx->off + 1;

	while (i < lx->src->len && text[i] != q)
		i += text[i] == '\\' ? 2 : 1;
	if (i >= lx->src->len)
		return rcl_fail(lx, lx->off, "unterminated string: no closing %c", q);
	t->kind = RCL_STRING;
	t->off = lx->off;
	t->end = i + 1;
	lx->off = t->end;
	return rcl_unquote(lx, t->off, text + t->off, t->end - t->off, &t->str, &t->len);
}

static int lex_span(struct rcl_lexer *lx, struct rcl_token *t, enum rcl_kind kind, size_t end)
{
	t->kind = kind;
	t->off = lx->off;
	t->end = end;
	t->str = arena__strndup(lx->a, lx->src->text + t->off, end - t->off);
	t->len = end - t->off;
	lx->off = end;
	return t->str ? 0 : nomem(lx);
}

/* The [arg] right after a field name. */
static int lex_field_arg(struct rcl_lexer *lx, struct rcl_token *t)
{
	const char *text = lx->src->text;
	size_t start = ++lx->off, i = start;
	struct rcl_token q;
	int ret;

	if (peekc(lx, i) == '"' || peekc(lx, i) == '\'') {
		ret = lex_quoted(lx, &q);
		if (ret)
			return ret;
		t->arg = q.str;
		i = lx->off;
	} else {
		while (is_bare_arg(peekc(lx, i)))
			i++;
		if (i == start)
			return rcl_fail(lx, start, "expected a field argument after '['");
		t->arg = arena__strndup(lx->a, text + start, i - start);
		if (!t->arg)
			return nomem(lx);
	}
	if (peekc(lx, i) != ']')
		return rcl_fail(lx, i, "expected ']' to close the argument of %s", t->str);
	lx->off = i + 1;
	t->end = lx->off;
	return 0;
}

/* An identifier, or a field: identifiers joined by dots, maybe with [arg]. */
static int lex_word(struct rcl_lexer *lx, struct rcl_token *t)
{
	size_t i = lx->off;
	bool dotted = false;
	int ret;

	while (is_ident(peekc(lx, i)))
		i++;
	while (peekc(lx, i) == '.' && is_alpha(peekc(lx, i + 1))) {
		dotted = true;
		for (i++; is_ident(peekc(lx, i));)
			i++;
	}
	ret = lex_span(lx, t, dotted ? RCL_FIELD : RCL_WORD, i);
	if (ret)
		return ret;
	t->call = peekc(lx, i) == '(';
	if (dotted && peekc(lx, i) == '[')
		return lex_field_arg(lx, t);
	return 0;
}

static int lex_symbol(struct rcl_lexer *lx, struct rcl_token *t)
{
	static const struct {
		const char *s;
		enum rc_op op;
	} ops[] = {
	    {"==", RC_OP_EQ}, {"=", RC_OP_EQ},	{"!=", RC_OP_NE}, {"<=", RC_OP_LE},
	    {"<", RC_OP_LT},  {">=", RC_OP_GE}, {">", RC_OP_GT},
	};
	const char *at = lx->src->text + lx->off;
	size_t left = lx->src->len - lx->off;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].s);

		if (n <= left && memcmp(at, ops[i].s, n) == 0) {
			t->op = ops[i].op;
			return lex_span(lx, t, RCL_OP, lx->off + n);
		}
	}
	return 1;
}

static int lex_punct(struct rcl_lexer *lx, struct rcl_token *t)
{
	switch (peekc(lx, lx->off)) {
	case '(':
		return lex_span(lx, t, RCL_LPAREN, lx->off + 1);
	case ')':
		return lex_span(lx, t, RCL_RPAREN, lx->off + 1);
	case ',':
		return lex_span(lx, t, RCL_COMMA, lx->off + 1);
	case '"':
	case '\'':
		return lex_quoted(lx, t);
	default:
		return 1;
	}
}

static int lex_bare(struct rcl_lexer *lx, struct rcl_token *t)
{
	size_t i = lx->off;

	while (is_bare(peekc(lx, i)))
		i++;
	return lex_span(lx, t, RCL_BARE, i);
}

int rcl_next(struct rcl_lexer *lx, struct rcl_token *t)
{
	int ret;

	memset(t, 0, sizeof(*t));
	skip_blanks(lx);
	t->off = t->end = lx->off;
	if (lx->off >= lx->src->len)
		return 0; /* RCL_EOF */
	ret = lex_punct(lx, t);
	if (ret <= 0)
		return ret;
	if (is_alpha(peekc(lx, lx->off)))
		return lex_word(lx, t);
	ret = lex_symbol(lx, t);
	if (ret <= 0)
		return ret;
	if (!is_bare(peekc(lx, lx->off)))
		return rcl_fail(lx, lx->off, "unexpected character '%c'", peekc(lx, lx->off));
	return lex_bare(lx, t);
}

int rcl_next_value(struct rcl_lexer *lx, struct rcl_token *t)
{
	int ret;

	memset(t, 0, sizeof(*t));
	skip_blanks(lx);
	t->off = t->end = lx->off;
	if (lx->off >= lx->src->len)
		return 0;
	ret = lex_punct(lx, t);
	if (ret <= 0)
		return ret;
	if (peekc(lx, lx->off) == '=') /* "a = = b": let the parser say what it expected */
		return lex_symbol(lx, t) < 0 ? lx->ret : 0;
	return lex_bare(lx, t);
}
