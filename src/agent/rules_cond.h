/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Falco rule conditions: the lexer and recursive-descent parser, and the AST they build.
 *
 *   or    := and ('or' and)*
 *   and   := not ('and' not)*
 *   not   := 'not' not | check
 *   check := '(' or ')' | operand 'exists' | operand op value | operand listop list | MACRO
 *   operand := FIELD | XFORM '(' operand ')'          FIELD: a.b[.c..] with an optional [arg]
 *   value := "quoted" | 'quoted' | bare | val(FIELD) | XFORM '(' operand ')'
 *   list  := '(' [value (',' value)*] ')' | LIST_NAME | val(FIELD) | XFORM '(' operand ')'
 *
 * 'not' binds tighter than 'and', which binds tighter than 'or'; and/or nodes are n-ary. The
 * words and, or, not must be followed by a blank or '(' as in Falco. Quoted strings take the
 * escapes \b \f \n \r \t \\ \/ \xHH and the escaped quote of their own kind.
 *
 * The parser knows no fields, macros or lists: names are resolved by the rule loader
 * (rules_load.h), types are checked against the field catalogue (rules_fields.h).
 * Every node has the position of its first character: file, line, column from 1.
 */
#ifndef VIGIL_RULES_COND_H
#define VIGIL_RULES_COND_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

struct rf_field;
struct rf_arg;

/* X(NAME, "spelling", kind). "==" is read as EQ. */
#define RC_OPS(X)                                                                                  \
	X(EQ, "=", RC_OPK_STR)                                                                     \
	X(NE, "!=", RC_OPK_STR)                                                                    \
	X(LT, "<", RC_OPK_NUM)                                                                     \
	X(LE, "<=", RC_OPK_NUM)                                                                    \
	X(GT, ">", RC_OPK_NUM)                                                                     \
	X(GE, ">=", RC_OPK_NUM)                                                                    \
	X(CONTAINS, "contains", RC_OPK_STR)                                                        \
	X(ICONTAINS, "icontains", RC_OPK_STR)                                                      \
	X(BCONTAINS, "bcontains", RC_OPK_STR)                                                      \
	X(STARTSWITH, "startswith", RC_OPK_STR)                                                    \
	X(BSTARTSWITH, "bstartswith", RC_OPK_STR)                                                  \
	X(ENDSWITH, "endswith", RC_OPK_STR)                                                        \
	X(GLOB, "glob", RC_OPK_STR)                                                                \
	X(IGLOB, "iglob", RC_OPK_STR)                                                              \
	X(REGEX, "regex", RC_OPK_STR)                                                              \
	X(IN, "in", RC_OPK_LIST)                                                                   \
	X(INTERSECTS, "intersects", RC_OPK_LIST)                                                   \
	X(PMATCH, "pmatch", RC_OPK_LIST)                                                           \
	X(EXISTS, "exists", RC_OPK_UNARY)

enum rc_op_kind {
	RC_OPK_UNARY, /* no value */
	RC_OPK_NUM,   /* a number */
	RC_OPK_STR,   /* one value */
	RC_OPK_LIST,  /* a list of values */
};

enum rc_op {
#define RC_X_ENUM(name, str, kind) RC_OP_##name,
	RC_OPS(RC_X_ENUM)
#undef RC_X_ENUM
	    RC_OP_MAX,
};

/* Field transformers: X(NAME, "spelling"). val() is not one: it marks a right-hand field. */
#define RC_XFORMS(X)                                                                               \
	X(TOLOWER, "tolower")                                                                      \
	X(TOUPPER, "toupper")                                                                      \
	X(B64, "b64")                                                                              \
	X(BASENAME, "basename")                                                                    \
	X(LEN, "len")

enum rc_xform {
#define RC_X_ENUM(name, str) RC_XF_##name,
	RC_XFORMS(RC_X_ENUM)
#undef RC_X_ENUM
	    RC_XF_MAX,
};

#define RC_XF_DEPTH  4	 /* transformers applied to one field */
#define RC_DEPTH_MAX 200 /* nesting of parentheses and 'not' */

struct rc_pos {
	const char *file;
	unsigned line, col;
};

/* A field, maybe transformed: tolower(proc.aname[2]). */
struct rc_field {
	const char *name; /* as written: "proc.aname", "evt.arg.flags" */
	const char *arg;  /* inside [..], unescaped; NULL when there is none */
	struct rc_pos pos;
	unsigned nxf;
	enum rc_xform xf[RC_XF_DEPTH]; /* outermost first */
	/* set by the checker */
	const struct rf_field *def;  /* catalogue entry; NULL when vigil does not know the field */
	const struct rf_arg *argdef; /* evt.arg.NAME: the argument's entry */
	const char *key;	     /* the argument the field takes: "flags", "2", "app" */
};

struct rc_value {
	const char *str; /* unescaped; NUL terminated, but may hold NULs (\x00): use len */
	size_t len;
	bool quoted; /* written in quotes: a string, never a list name */
	struct rc_pos pos;
};

enum rc_rhs {
	RC_RHS_NONE,	/* exists */
	RC_RHS_VALUE,	/* vals[0] */
	RC_RHS_LIST,	/* vals[0..nvals) */
	RC_RHS_LISTREF, /* `in name`: vals[0] is the list's name, until the loader expands it */
	RC_RHS_FIELD,	/* rfield: val(f) or a transformer */
};

struct rc_check {
	struct rc_field lhs;
	enum rc_op op;
	struct rc_pos op_pos;
	enum rc_rhs rhs;
	struct rc_value *vals;
	size_t nvals;
	struct rc_field rfield;
	bool rval; /* rfield was written val(...) */
};

enum rc_kind { RC_AND, RC_OR, RC_NOT, RC_CHECK, RC_MACRO };

struct rc_node {
	enum rc_kind kind;
	struct rc_pos pos;
	size_t nkids; /* and, or: 2 or more; not: 1 */
	struct rc_node **kids;
	struct rc_check *check;	    /* RC_CHECK */
	const char *name;	    /* RC_MACRO: the name as written */
	const void *macro;	    /* RC_MACRO: what the loader resolved the name to */
	const struct rc_node *body; /* RC_MACRO: that macro's condition, once resolved */
};

/* A condition to parse and where its characters came from. */
struct rc_src {
	const char *text;
	size_t len;
	/* position of text[off]; offsets are asked in increasing order, mostly */
	void (*pos)(void *ctx, size_t off, struct rc_pos *out);
	void *ctx;
};

struct rc_err {
	struct rc_pos pos;
	char msg[256];
};

/* Parse src into *out, allocated from a. Returns 0, -EINVAL with *err set (the position of the
 * offending token: an unclosed '(' or quote, an unknown operator...), or -ENOMEM. */
int rules_cond__parse(struct arena *a, const struct rc_src *src, struct rc_node **out,
		      struct rc_err *err);
/* One value as a list item or exception value holds it: "quoted" (unescaped) or taken as it
 * is. The result keeps pos. -EINVAL when a quoted text is malformed. */
int rules_cond__value(struct arena *a, const char *text, size_t len, struct rc_pos pos,
		      struct rc_value *out, struct rc_err *err);

/* A field name with an optional [arg], as exceptions list them; -EINVAL when text is not one. */
int rules_cond__field(struct arena *a, const char *text, size_t len, struct rc_pos pos,
		      struct rc_field *out, struct rc_err *err);

const char *rules_cond__op_name(enum rc_op op);
enum rc_op_kind rules_cond__op_kind(enum rc_op op);
/* An operator by spelling ("==" included); -EINVAL when unknown. */
int rules_cond__op_parse(const char *s, enum rc_op *out);
const char *rules_cond__xform_name(enum rc_xform xf);

/* A one-line rendering for tests and debugging: (and A B), (or A B), (not A), macro names,
 * {field op value}, lists as (a, "b c"), list references as @name, fields as written with
 * [arg], transformers and val(). A resolved macro is shown as name=>(its body); `depth`
 * bounds how many macro levels are opened (0: none). Returns the length it needed. */
size_t rules_cond__dump(const struct rc_node *n, unsigned depth, char *buf, size_t size);

#endif /* VIGIL_RULES_COND_H */
