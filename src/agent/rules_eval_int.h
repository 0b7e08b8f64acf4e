/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The evaluator's insides, shared by rules_eval.c (the engine, its index and the eval loop),
 * rules_eval_compile.c (AST to compiled tree), rules_eval_check.c (one check),
 * rules_eval_value.c (right-hand values and the
 * sets that hold them), rules_eval_match.c (one check against one event) and
 * rules_eval_explain.c (the traced run). Nothing else includes this.
 *
 * A compiled rule is a tree of re_node in the engine's arena: and/or with their children
 * sorted cheapest first, not, macro (kept by name, for explain), check. A check knows its
 * field, argument, transformers and how it compares (enum re_how), decided once at compile
 * time with its right-hand values converted to the field's type.
 */
#ifndef VIGIL_RULES_EVAL_INT_H
#define VIGIL_RULES_EVAL_INT_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "rules_eval.h"

#define RE_ARENA_MAX   (256u << 20)
#define RE_LINEAR_MAX  8    /* values compared one by one; more go in a hash set / sorted */
#define RE_VALUE_MAX   8192 /* bytes of a value that transformers, glob and pmatch copy */
#define RE_PATH_DEPTH  512  /* pmatch: components of one path considered */
#define RE_EXPLAIN_VAL 160  /* bytes of a value shown by explain */
#define RE_DEPTH_MAX   1000 /* nesting of a compiled tree (the evaluator recurses) */

/* A text value: NUL terminated (a copy in the arena), with its length. */
struct re_text {
	const char *s;
	uint32_t len;
};

/* Text values by content, open addressing over FNV-1a hashes. */
struct re_tset {
	const struct re_text *items;
	uint32_t *slots; /* index + 1; 0: empty */
	uint64_t *hashes; /* of items, to skip most byte compares */
	uint32_t mask;	  /* slots - 1 */
	uint32_t minlen, maxlen;
};

/* pmatch: directories as component paths ("/a/b", the root as ""), plain ones in a set, those
 * with glob characters in a component listed with their components. */
struct re_pglob {
	const struct re_text *comps;
	uint32_t ncomps;
};

struct re_pmatch {
	struct re_tset plain;
	bool has_plain;
	const struct re_pglob *globs;
	uint32_t nglobs;
};

/* Prefixes, sorted, none a prefix of another: at most one can start a value, the greatest that
 * is not above it. */
struct re_prefixes {
	const struct re_text *items;
	uint32_t n;
};

struct re_net {
	uint8_t family; /* 4 or 6 */
	uint8_t bits;
	uint8_t addr[16]; /* masked to bits */
};

struct re_regex {
	regex_t re;
	struct re_regex *next; /* every compiled regex, to free them */
};

/* How a check compares one value. */
enum re_how {
	RE_H_EXISTS,
	RE_H_EVTTYPE,	 /* evt.type = / in: by event type masks, names when they are not enough */
	RE_H_NUM,	 /* ordering or equality with one number */
	RE_H_NUM_IN,	 /* equal to one of nums (sorted when many) */
	RE_H_STR_EQ,	 /* equal to one of texts (one by one) */
	RE_H_STR_SET,	 /* equal to one of set */
	RE_H_STR_ORD,	 /* <, <=, >, >= as bytes */
	RE_H_CONTAINS,	 /* also bcontains */
	RE_H_ICONTAINS,	 /* texts[0] lowered */
	RE_H_STARTSWITH, /* also bstartswith */
	RE_H_ENDSWITH,
	RE_H_PREFIXES, /* startswith one of prefixes (merged from an 'or') */
	RE_H_GLOB,     /* fnmatch, FNM_CASEFOLD for iglob, one of texts */
	RE_H_REGEX,    /* full match with one of regexes */
	RE_H_PMATCH,
	RE_H_IP,  /* equal to one of ips */
	RE_H_NET, /* in one of nets */
	RE_H_FIELD, /* against another field's value (val(f), transformers on the right) */
};

/* The right-hand field of RE_H_FIELD. */
struct re_rfield {
	const struct rf_field *f;
	const char *key;
	bool multi;
	uint8_t nxf;
	enum rc_xform xf[RC_XF_DEPTH]; /* as written: outermost first */
};

struct re_check {
	const struct rc_node *src; /* for explain; NULL for merged checks */
	const struct rf_field *f;
	const char *key;   /* argument as the view takes it */
	bool multi;	   /* several values: true when one satisfies */
	bool neg;	   /* !=: the equality test negated (per value) */
	uint8_t nxf;
	enum rc_xform xf[RC_XF_DEPTH]; /* as written: outermost first */
	enum rf_type vtype;	       /* after the transformers */
	enum rc_op op;
	enum re_how how;
	uint32_t n; /* values in the array below that `how` uses */
	const struct re_text *texts;
	const int64_t *nums;
	const struct re_net *nets;
	struct re_tset set;
	struct re_pmatch pm;
	struct re_prefixes pre;
	const struct re_regex *const *res;
	uint64_t ev_full, ev_part; /* evt.type: types every name of which is listed / some */
	struct re_rfield rf;
	const char *merged_text; /* merged checks: how explain shows them */
	struct rc_pos pos;
};

enum re_kind { RE_AND, RE_OR, RE_NOT, RE_MACRO, RE_CHECK };

struct re_node {
	enum re_kind kind;
	uint32_t nkids;
	uint32_t cost;	 /* estimate for the whole subtree */
	uint32_t height; /* levels below */
	struct re_node **kids;
	struct re_check *check;
	const struct rc_node *src; /* where it was written; macros: the use (name) */
};

struct re_rule {
	const struct rules_rule *r;
	struct re_node *root;
	uint64_t events;
};

struct re_engine {
	struct arena arena;
	const struct rules_set *rs;
	struct re_rule *rules; /* definition order */
	size_t nrules;
	struct re_rule **by_type[VG_EV_MAX];
	uint32_t nby_type[VG_EV_MAX];
	uint64_t events;
	struct re_regex *regexes;
	struct re_stats stats;
};

/* rules_eval_compile.c: one rule's tree. -EINVAL (logged) when it cannot be compiled,
 * -ENOMEM. `cache` memoises nodes shared through macros. */
struct re_cache;
struct re_cache *re_cache__new(void);
void re_cache__free(struct re_cache *c);
int re_compile__rule(struct re_engine *e, struct re_cache *cache, const struct rules_rule *r,
		     struct re_node **out);

/* A compilation under way: the first error is kept, with its position. */
struct re_cc {
	struct re_engine *e;
	struct re_cache *cache;
	bool failed;
	struct rc_pos pos;
	char msg[256];
};

int re_cc__fail(struct re_cc *x, const struct rc_pos *pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* rules_eval_check.c: one check, and its estimated cost */
int re_cc__check(struct re_cc *x, const struct rc_node *src, struct re_check **out);
uint32_t re_cc__cost(const struct re_check *c);

/* rules_eval_value.c: right-hand values and sets. Each returns 0, -EINVAL with *why set, or
 * -ENOMEM. */
int re_value__num(const char *s, int64_t *out);
int re_value__net(const char *s, bool net, struct re_net *out);
int re_value__tset(struct arena *a, const struct re_text *items, uint32_t n, struct re_tset *out);
bool re_value__tset_has(const struct re_tset *t, const char *s, size_t len);
int re_value__pmatch(struct arena *a, const struct re_text *dirs, uint32_t n,
		     struct re_pmatch *out);
bool re_value__pmatch_has(const struct re_pmatch *p, const char *s, size_t len);
int re_value__prefixes(struct arena *a, struct re_text *items, uint32_t n,
		       struct re_prefixes *out);
bool re_value__prefixes_has(const struct re_prefixes *p, const char *s, size_t len);
int re_value__cmp_num(const void *a, const void *b);
bool re_value__net_has(const struct re_net *n, const struct rv_ip *ip);

/* rules_eval_match.c */
bool re_match__check(const struct re_check *c, const struct rv_event *ev);
/* A value after c's transformers (lhs: rf false), in buf when they build one; false when
 * it has none (a b64 that does not decode, a value too long to transform). */
bool re_match__xform(uint8_t nxf, const enum rc_xform *xf, struct rv_val *v, char *buf,
		     size_t size);

/* rules_eval_explain.c */
int re_explain__rule(const struct re_rule *rr, const struct rv_event *ev, char *buf, size_t size);

#endif /* VIGIL_RULES_EVAL_INT_H */
