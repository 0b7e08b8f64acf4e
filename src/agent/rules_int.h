/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rule set's insides, shared by rules_load.c (files, diagnostics, lookups), rules_items.c
 * (reading items), rules_compile.c and rules_resolve.c (conditions) and rules_check.c (fields and
 * types). Nothing else includes this.
 */
#ifndef VIGIL_RULES_INT_H
#define VIGIL_RULES_INT_H

#include "arena.h"
#include "rules_evttype.h"
#include "rules_load.h"
#include "ynode.h"

#define RULES_ARENA_MAX (1u << 30)
#define RL_UNKNOWN_MAX	4 /* unknown field names a rule's reason lists */
/* Bounds on what one item holds, far above real rule files, so that the checks for duplicates
 * (quadratic, as lists this short deserve) cannot be made to run for hours. */
#define RL_KEYS_MAX 64	 /* keys of an item */
#define RL_TAGS_MAX 1024 /* tags of a rule */
#define RL_EXCS_MAX 1024 /* exceptions of a rule */

/* A YAML node and the file it came from. */
struct rl_ref {
	const struct rl_file *file;
	const struct ynode *node;
};

/* A condition built from one or more scalars (appends join them with a space). */
struct rl_seg {
	size_t off; /* where the scalar starts in text */
	struct rl_ref ref;
};

struct rl_text {
	const char *text;
	size_t len;
	struct rl_seg *segs;
	size_t nsegs;
};

struct rl_file {
	struct rules_file pub;
	unsigned index;
	struct ydoc *doc;
};

/* What a condition uses that matters to the rules using it. */
struct rl_summary {
	const char *bad; /* "macro 'x'" or "list 'y'": the first with errors it uses */
	unsigned nunknown;
	const char *unknown[RL_UNKNOWN_MAX]; /* fields vigil does not provide, first seen first,
					      * without their arguments */
	bool unknown_more;		     /* and more than those */
	const char *unknown_first;	     /* the first, with its argument */
	struct rc_pos unknown_pos;	     /* and where it is */
	struct re_set evt;
};

struct rl_list {
	const char *name;
	unsigned index, vis; /* Falco's visibility: it sees lists whose index < vis */
	struct rc_pos pos;
	struct rl_ref *items;
	size_t nitems;
	/* compile */
	int state; /* 0 not yet, 1 expanding, 2 done */
	bool broken;
	struct rc_value *vals;
	size_t nvals;
};

struct rl_macro {
	const char *name;
	unsigned index, vis;
	struct rc_pos pos;
	struct rl_text cond;
	/* compile */
	struct rc_node *ast;
	struct rl_macro **deps; /* the macros its condition names, and where */
	struct rc_pos *dep_pos;
	size_t ndeps;
	bool broken;	      /* its own error: parse, undefined macro, types, cycle */
	const char *bad_list; /* a list with errors it uses */
	int state;	      /* cycle search: 0 new, 1 on the path, 2 done */
	bool summarized;
	struct rl_summary sum;
};

struct rl_exc {
	const char *name;
	struct rc_pos pos;
	struct rl_ref fields, comps; /* node NULL when absent */
	struct rl_ref *values;
	size_t nvalues;
};

struct rl_rule {
	struct rules_rule pub;
	unsigned index;
	const struct rl_file *file;
	struct rl_text cond;
	struct rl_exc *excs;
	size_t nexcs;
	bool unknown_source;
};

/* name -> index, open addressing */
struct rl_map {
	const char **keys;
	unsigned *vals;
	size_t cap, n;
};

struct rl_diag {
	struct rules_diag pub;
	int file; /* index of the file, -1 for none: the sort key with line and column */
	size_t seq;
};

struct rules_set {
	struct arena arena;
	struct rl_file files[RULES_FILES_MAX];
	size_t nfiles;
	struct rl_list **lists;
	struct rl_macro **macros;
	struct rl_rule **rules;
	size_t nlists, nmacros, nrules, caplists, capmacros, caprules;
	struct rl_map list_map, macro_map, rule_map;
	unsigned next_index; /* definitions and appends, in load order */
	struct rl_diag *diags;
	size_t ndiags, capdiags, dropped, nerrors;
	bool compiled;
};

/* rules_load.c */
void rl_diag(struct rules_set *rs, enum rules_severity sev, const struct rc_pos *pos,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
struct rc_pos rl_pos(const struct rl_file *f, const struct ynode *n);
struct rl_list *rl_find_list(const struct rules_set *rs, const char *name);
struct rl_macro *rl_find_macro(const struct rules_set *rs, const char *name);
struct rl_rule *rl_find_rule(const struct rules_set *rs, const char *name);
int rl_add_list(struct rules_set *rs, struct rl_list *l);
int rl_add_macro(struct rules_set *rs, struct rl_macro *m);
int rl_add_rule(struct rules_set *rs, struct rl_rule *r);
/* Grow an arena array of *n elements to hold one more (doubling, old copy abandoned). */
void *rl_grow(struct rules_set *rs, void *v, size_t n, size_t size);

/* rules_items.c: one top-level item; returns 0, or -EINVAL after reporting it */
int rl_read_item(struct rules_set *rs, struct rl_file *f, const struct ynode *item);
int rl_text_set(struct rules_set *rs, struct rl_text *t, const struct rl_file *f,
		const struct ynode *n);
int rl_text_append(struct rules_set *rs, struct rl_text *t, const struct rl_file *f,
		   const struct ynode *n);

/* rules_except.c (reading them: rules_items.h): the exceptions of r as conditions, each
 * negated and and-ed onto cond. */
int rl_build_exceptions(struct rules_set *rs, const struct rl_rule *r, struct rc_node **cond);

/* rules_resolve.c: names in conditions */
/* Parse t; errors are reported prefixed with owner ("rule 'X'"). */
int rl_parse_text(struct rules_set *rs, const struct rl_text *t, const char *owner,
		  struct rc_node **out);
/* A list's items, the lists it names (defined before it) spliced in. */
int rl_expand_list(struct rules_set *rs, struct rl_list *l);
/* Resolve macro names (visible: index < vis) and list references in n, and check its fields.
 * A macro m gets the macros it names in m->deps. Returns 0, or -EINVAL after reporting. A
 * list with errors is not reported again: *bad names it. */
int rl_resolve(struct rules_set *rs, struct rc_node *n, unsigned vis, const char *owner,
	       struct rl_macro *m, const char **bad);
/* What n uses; the macros it names must be summarized already. */
void rl_summarize(struct rules_set *rs, const struct rc_node *n, struct rl_summary *out);

/* rules_check.c: look the check's fields up in the catalogue (a field vigil does not provide
 * keeps def NULL: not an error) and check operator and values against their types. Returns 0,
 * or -EINVAL after reporting, prefixed with owner ("rule 'X'"). */
int rl_check(struct rules_set *rs, struct rc_check *c, const char *owner);
/* The name of a field that rl_check did not find (evt.arg.NAME spelled out). */
const char *rl_field_name(struct rules_set *rs, const struct rc_field *f);

/* rules_compile.c */
int rl_compile(struct rules_set *rs);

#endif /* VIGIL_RULES_INT_H */
