// SPDX-License-Identifier: Apache-2.0
/*
 * The kernel prefilter's path patterns, derived from the checked ASTs of the compiled rules
 * (rules_prefilter.h has the mapping). Every set built here over-approximates the paths a
 * condition admits, as the kernel will judge them; a set is ANY when nothing narrower can be
 * said, and then carries why. Sets live in malloc'd arrays freed as soon as they are merged,
 * their strings in one bounded arena freed at the end.
 *
 * The soundness argument the mapping rests on: the kernel passes every raw path that is not
 * absolute and normalised, and for one that is, fd.name is that same text (symlinks aside, as
 * the header says). So a pattern that admits only paths the kernel passes anyway ("../" in
 * it, a relative raw path...) adds nothing and is left out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_prefilter_int.h"

#define RP_WORK_MAX  (4 * RP_PATTERNS_MAX) /* patterns of a set being built */
#define RP_WALK_MAX  1000		   /* nesting of the walk, macros included */
#define RP_ARENA_MAX (64u << 20)	   /* bytes of pattern text kept while walking */

const char rp_no_constraint[] = "no constraint on the path";
static const char R_MANY[] = "more than " RP_STR(RP_PATTERNS_MAX) " patterns";

/* Does s hold a sequence that makes the kernel pass a path without judging it? */
bool rp__dotted(const char *s, size_t len)
{
	return memmem(s, len, "//", 2) || memmem(s, len, "/.", 2) || memmem(s, len, "../", 3);
}

static void set_free(struct rp_set *s)
{
	free(s->p);
	memset(s, 0, sizeof(*s));
}

void rp_set__any(struct rp_set *s, const char *field, const char *op, const char *what)
{
	set_free(s);
	s->any = true;
	s->field = field;
	s->op = op;
	s->what = what;
}

/* Is the reason for s's ANY about a path check (rather than the absence of one)? */
static bool set_onpath(const struct rp_set *s)
{
	return s->any && s->what != rp_no_constraint;
}

/* Add a pattern unless s has it; copy: str must be copied into the arena. */
int rp_set__put(struct rp_walk *w, struct rp_set *s, enum rp_kind k, const char *str, size_t len,
		bool copy)
{
	struct rp_pat *np;

	if (s->any)
		return 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->p[i].kind == k && s->p[i].len == len && !memcmp(s->p[i].s, str, len))
			return 0;
	if (s->n == RP_WORK_MAX) {
		rp_set__any(s, NULL, NULL, R_MANY);
		return 0;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;

		cap = cap > RP_WORK_MAX ? RP_WORK_MAX : cap;
		np = realloc(s->p, cap * sizeof(*np));
		if (!np)
			return -ENOMEM;
		s->p = np;
		s->cap = cap;
	}
	if (copy && !(str = arena__strndup(&w->a, str, len)))
		return -ENOMEM;
	s->p[s->n++] = (struct rp_pat){.kind = k, .len = len, .s = str};
	return 0;
}

/* dst |= src; src is consumed. */
static int set_union(struct rp_walk *w, struct rp_set *dst, struct rp_set *src)
{
	int ret = 0;

	if (dst->any) {
		set_free(src);
		return 0;
	}
	if (src->any) {
		set_free(dst);
		*dst = *src;
		memset(src, 0, sizeof(*src));
		return 0;
	}
	for (size_t i = 0; i < src->n && !ret; i++)
		ret = rp_set__put(w, dst, src->p[i].kind, src->p[i].s, src->p[i].len, false);
	set_free(src);
	return ret;
}

/* --- the tree --- */

static int walk_node(struct rp_walk *w, const struct rc_node *n, struct rp_set *out);

/* The smallest set among the children that are not ANY; when all are, the first reason that
 * is about a path check. */
static int walk_and(struct rp_walk *w, const struct rc_node *n, struct rp_set *out)
{
	struct rp_set why = {.any = true, .what = rp_no_constraint}, kid;
	bool have = false;
	int ret;

	for (size_t i = 0; i < n->nkids && !(have && out->n == 0); i++) {
		memset(&kid, 0, sizeof(kid));
		ret = walk_node(w, n->kids[i], &kid);
		if (ret) {
			set_free(&kid);
			return ret;
		}
		if (kid.any) {
			if (!set_onpath(&why) && set_onpath(&kid))
				why = kid;
			continue;
		}
		if (!have || kid.n < out->n) {
			set_free(out);
			*out = kid;
			have = true;
		} else {
			set_free(&kid);
		}
	}
	if (!have)
		rp_set__any(out, why.field, why.op, why.what);
	return 0;
}

/* The union; ANY, with the child's reason, as soon as one child is. */
static int walk_or(struct rp_walk *w, const struct rc_node *n, struct rp_set *out)
{
	struct rp_set kid;
	int ret = 0;

	for (size_t i = 0; i < n->nkids && !out->any && !ret; i++) {
		memset(&kid, 0, sizeof(kid));
		ret = walk_node(w, n->kids[i], &kid);
		if (!ret)
			ret = set_union(w, out, &kid);
		set_free(&kid);
	}
	return ret;
}

/* not: ANY; the reason says whether a path check was negated. */
static int walk_not(struct rp_walk *w, const struct rc_node *n, struct rp_set *out)
{
	struct rp_set kid = {0};
	int ret = walk_node(w, n->kids[0], &kid);
	bool onpath = !kid.any || set_onpath(&kid);

	set_free(&kid);
	if (!ret)
		rp_set__any(out, NULL, NULL, onpath ? "a path check under not" : rp_no_constraint);
	return ret;
}

static int walk_node(struct rp_walk *w, const struct rc_node *n, struct rp_set *out)
{
	int ret = 0;

	if (++w->depth > RP_WALK_MAX) {
		rp_set__any(out, NULL, NULL, "a condition nested too deep");
	} else if (n->kind == RC_AND) {
		ret = walk_and(w, n, out);
	} else if (n->kind == RC_OR) {
		ret = walk_or(w, n, out);
	} else if (n->kind == RC_NOT && n->nkids == 1) {
		ret = walk_not(w, n, out);
	} else if (n->kind == RC_CHECK && n->check) {
		ret = rp_check__paths(w, n->check, out);
	} else if (n->kind == RC_MACRO && n->body) {
		ret = walk_node(w, n->body, out);
	} else {
		rp_set__any(out, NULL, NULL, rp_no_constraint);
	}
	w->depth--;
	return ret;
}

/* --- the type's set --- */

static int pat_cmp(const void *a, const void *b)
{
	const struct rp_pat *x = a, *y = b;
	int c;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Does c, a different pattern, admit every path p admits? */
static bool covers(const struct rp_pat *c, const struct rp_pat *p)
{
	if (c->kind == RP_EXACT || c->len > p->len || (p->kind != RP_EXACT && p->kind != c->kind))
		return false;
	if (c->kind == RP_PREFIX)
		return !memcmp(p->s, c->s, c->len);
	return !memcmp(p->s + p->len - c->len, c->s, c->len);
}

/* Sorted, without the patterns another one covers (the set holds no duplicates). */
static void set_minimise(struct rp_set *s)
{
	size_t n = 0;

	if (!s->n)
		return;
	qsort(s->p, s->n, sizeof(*s->p), pat_cmp);
	for (size_t i = 0; i < s->n; i++) {
		bool covered = false;

		for (size_t j = 0; j < s->n && !covered; j++)
			covered = j != i && covers(&s->p[j], &s->p[i]);
		if (!covered)
			s->p[n++] = s->p[i];
	}
	s->n = n;
}

static void paths_any(struct rp_paths *out, const char *rule, const struct rp_set *s)
{
	const char *field = s ? s->field : NULL, *op = s ? s->op : NULL;
	const char *what = s ? s->what : NULL;

	out->any = true;
	out->n = 0;
	snprintf(out->why, sizeof(out->why), "%s%s%s%s%s%s%s%s", rule ? "rule '" : "",
		 rule ? rule : "", rule ? "': " : "", field ? field : "", field && op ? " " : "",
		 op ? op : "", (field || op) && what ? ": " : "", what ? what : "");
}

static void paths_fill(struct rp_paths *out, const struct rp_set *s)
{
	out->any = false;
	out->why[0] = '\0';
	out->n = s->n;
	for (size_t i = 0; i < s->n; i++) {
		out->pats[i].kind = s->p[i].kind;
		memcpy(out->pats[i].path, s->p[i].s, s->p[i].len);
		out->pats[i].path[s->p[i].len] = '\0';
	}
}

/* Add rule r's set to all; ANY (out says why) when it is, or when all grows too large. */
static int paths_rule(struct rp_walk *w, const struct rules_rule *r, struct rp_set *all,
		      struct rp_paths *out)
{
	struct rp_set one = {0};
	int ret = r->cond ? walk_node(w, r->cond, &one) : 0;

	if (!r->cond)
		rp_set__any(&one, NULL, NULL, rp_no_constraint);
	if (!ret && one.any)
		paths_any(out, r->name, &one);
	if (!ret && !one.any) {
		ret = set_union(w, all, &one);
		if (!ret && !all->any && all->n > RP_PATTERNS_MAX)
			set_minimise(all);
		if (!ret && (all->any || all->n > RP_PATTERNS_MAX)) {
			rp_set__any(all, NULL, NULL, R_MANY);
			paths_any(out, r->name, all);
		}
	}
	set_free(&one);
	return ret;
}

int rules_prefilter__paths(const struct re_engine *e, int type, struct rp_paths *out)
{
	struct rp_walk w = {0};
	struct rp_set all = {0};
	size_t nrules = 0;
	int ret = 0;

	out->any = false;
	out->n = 0;
	out->why[0] = '\0';
	if (type < 0 || type >= VG_EV_MAX) {
		snprintf(out->why, sizeof(out->why), "%d is not an event type", type);
		out->any = true;
		return -EINVAL;
	}
	arena__init(&w.a, RP_ARENA_MAX);
	w.type = type;
	for (size_t i = 0; i < re_engine__nrules(e) && !ret && !out->any; i++) {
		const struct rules_rule *r = re_engine__rule(e, i);

		if (!r || !((r->events >> type) & 1))
			continue;
		nrules++;
		ret = paths_rule(&w, r, &all, out);
	}
	if (ret) {
		snprintf(out->why, sizeof(out->why), "out of memory");
		out->any = true;
	} else if (!nrules) {
		snprintf(out->why, sizeof(out->why), "no rule can match this event type");
		out->any = true;
	} else if (!out->any) {
		set_minimise(&all);
		paths_fill(out, &all);
	}
	set_free(&all);
	arena__free(&w.a);
	return ret;
}

static bool pat_match(const struct rp_pattern *pat, const char *p, size_t len)
{
	size_t n = strlen(pat->path);

	switch (pat->kind) {
	case RP_EXACT:
		return n == len && !memcmp(p, pat->path, n);
	case RP_PREFIX:
		return n <= len && !memcmp(p, pat->path, n);
	case RP_SUFFIX:
		return n <= len && !memcmp(p + len - n, pat->path, n);
	}
	return false;
}

bool rules_prefilter__passes(const struct rp_paths *rp, const char *p)
{
	size_t len;

	if (!rp || rp->any || !p || p[0] != '/')
		return true;
	len = strlen(p);
	if (rp__dotted(p, len) || (len > 1 && p[len - 1] == '/'))
		return true;
	for (size_t i = 0; i < rp->n; i++)
		if (pat_match(&rp->pats[i], p, len))
			return true;
	return false;
}
