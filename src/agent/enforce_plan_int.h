/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by enforce_plan.c (the walk of the condition, the plan's last checks),
 * enforce_plan_term.c (what one conjunct contributes) and enforce_plan_net.c (the connect
 * conjuncts). Private to them. */
#ifndef VIGIL_ENFORCE_PLAN_INT_H
#define VIGIL_ENFORCE_PLAN_INT_H

#include "enforce_plan.h"

#define EP_OR_MAX    256 /* checks one `or` joins */
#define EP_TYPES_MAX 8	 /* evt.type names kept while intersecting (one class has at most 4) */

/* One conjunct: a check, or an `or` of checks on one field; neg when it stands under `not`
 * (only ever with a single check: `not (a or b)` is two conjuncts). */
struct ep_term {
	bool neg;
	size_t n;
	const struct rc_check *c[EP_OR_MAX];
};

/* The state of one compilation. */
struct ep_ctx {
	const struct rules_rule *r;
	struct ep_plan *p;
	bool failed; /* p->why says why */
	unsigned depth, steps;
	struct ep_term term;
	size_t ntypes; /* evt.type names left after intersecting (when p->cls is set) */
	const char *types[EP_TYPES_MAX];
	bool have_inc; /* an include conjunct on proc.name was seen: inc is intersected */
	size_t ninc, nexc;
	char inc[EP_COMMS_MAX][EP_COMM_LEN], exc[EP_COMMS_MAX][EP_COMM_LEN];
	bool have_ns, have_pods, have_ports;
	bool host, containers;	       /* container.id said so */
	const char *need[EP_EXEC + 1]; /* a conjunct that only makes sense for this class */
};

/* Make the plan a user-space one, unless it already is: why = "rule 'NAME': " + fmt. Returns
 * -1, so that callers can `return ep__fail(...)`. */
int ep__fail(struct ep_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fail on check c as not kernel-decidable: "[not ]field[arg] op". */
int ep__unsupported(struct ep_ctx *x, const struct rc_check *c, bool neg);
/* Add a static note once; more than EP_NOTES_MAX are dropped. */
void ep__note(struct ep_ctx *x, const char *note);
/* A number as the checker accepts it (decimal or 0x hex, a sign); -EINVAL otherwise. */
int ep__num(const char *s, int64_t *out);
/* Every check of t has one of the operators in mask (1u << RC_OP_*); else fails on the first
 * that does not. t->neg fails unless neg_ok. */
int ep__ops(struct ep_ctx *x, const struct ep_term *t, unsigned mask, bool neg_ok);
/* Record that the conjunct `what` needs class cls (checked once the class is known). */
void ep__need(struct ep_ctx *x, enum ep_class cls, const char *what);

/* What one conjunct contributes; 0, or -1 when it made the plan a user-space one. */
int ep_term__apply(struct ep_ctx *x, const struct ep_term *t);
/* enforce_plan_net.c: fd.sip, fd.rip, fd.snet, fd.rnet; fd.sport, fd.rport. */
int ep_net__addrs(struct ep_ctx *x, const struct ep_term *t);
int ep_net__ports(struct ep_ctx *x, const struct ep_term *t);

#endif /* VIGIL_ENFORCE_PLAN_INT_H */
