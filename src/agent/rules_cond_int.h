/* SPDX-License-Identifier: Apache-2.0 */
/* The condition lexer, shared by the parser (rules_cond.c) and nobody else. */
#ifndef VIGIL_RULES_COND_INT_H
#define VIGIL_RULES_COND_INT_H

#include "rules_cond.h"

enum rcl_kind {
	RCL_EOF,
	RCL_LPAREN,
	RCL_RPAREN,
	RCL_COMMA,
	RCL_WORD,   /* an identifier: a macro, a keyword, a word operator, a transformer */
	RCL_FIELD,  /* a.b.c with an optional [arg] right after it */
	RCL_OP,	    /* a symbolic operator: = == != < <= > >= */
	RCL_STRING, /* "quoted" or 'quoted', unescaped */
	RCL_BARE,   /* an unquoted value */
};

struct rcl_token {
	enum rcl_kind kind;
	size_t off, end; /* the token's span in the source */
	const char *str; /* WORD, FIELD (the name), STRING, BARE: NUL terminated, in the arena */
	size_t len;
	const char *arg; /* FIELD: the [arg], unescaped; NULL when none */
	enum rc_op op;	 /* OP */
	bool call;	 /* WORD: directly followed by '(' */
};

struct rcl_lexer {
	struct arena *a;
	const struct rc_src *src;
	size_t off;
	struct rc_err *err;
	int ret; /* the error a failed call set: -EINVAL or -ENOMEM */
};

/* The next token of an expression: parentheses, commas, words, fields, symbolic operators and
 * quoted strings. Returns 0, or the error (with lx->err set). */
int rcl_next(struct rcl_lexer *lx, struct rcl_token *t);
/* The next token where a value is expected: a quoted string or a bare value, or ( ) , */
int rcl_next_value(struct rcl_lexer *lx, struct rcl_token *t);
/* Set lx->err at a source offset; returns -EINVAL. */
int rcl_fail(struct rcl_lexer *lx, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void rcl_pos(const struct rcl_lexer *lx, size_t off, struct rc_pos *out);
bool rcl_is_blank(char c);
/* Unescape a quoted text q[0..n) (quotes included) into the arena. */
int rcl_unquote(struct rcl_lexer *lx, size_t off, const char *q, size_t n, const char **out,
		size_t *outlen);

#endif /* VIGIL_RULES_COND_INT_H */
