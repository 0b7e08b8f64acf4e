/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by rules_prefilter.c (sets, the walk of the tree, the type's set) and
 * rules_prefilter_check.c (what one check admits). Private to them. */
#ifndef VIGIL_RULES_PREFILTER_INT_H
#define VIGIL_RULES_PREFILTER_INT_H

#include "arena.h"
#include "rules_prefilter.h"

#define RP_STR2(x) #x
#define RP_STR(x)  RP_STR2(x)

struct rp_pat {
	enum rp_kind kind;
	size_t len;
	const char *s; /* in the walk's arena */
};

/* ANY, or n patterns; when ANY, why: "field op: what", each part optional */
struct rp_set {
	bool any;
	const char *field, *op, *what;
	size_t n, cap;
	struct rp_pat *p;
};

struct rp_walk {
	struct arena a;
	int type; /* the event type the sets are for */
	unsigned depth;
};

/* The reason of an ANY that is not about a path check; compared by address. */
extern const char rp_no_constraint[];

/* Does s hold a sequence that makes the kernel pass a path without judging it? */
bool rp__dotted(const char *s, size_t len);
/* Make s ANY, for this reason. */
void rp_set__any(struct rp_set *s, const char *field, const char *op, const char *what);
/* Add a pattern unless s has it; copy: str must be copied into the arena. ANY when s grows
 * too large. 0 or -ENOMEM. */
int rp_set__put(struct rp_walk *w, struct rp_set *s, enum rp_kind k, const char *str, size_t len,
		bool copy);
/* The patterns check c admits, into out (empty, not ANY, on entry). 0 or -ENOMEM. */
int rp_check__paths(struct rp_walk *w, const struct rc_check *c, struct rp_set *out);

#endif /* VIGIL_RULES_PREFILTER_INT_H */
