// SPDX-License-Identifier: Apache-2.0
/*
 * After the last file: lists are expanded, macros parsed and resolved, macro cycles found,
 * then each rule is parsed, given its exceptions, resolved, and judged: loaded, skipped (a
 * field vigil does not provide, an event type it does not produce, another source) or failed.
 * Macros are summarized once, in dependency order, so a rule reads its macros' summaries
 * instead of walking them again.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_int.h"

static const char *owner_of(struct rules_set *rs, const char *kind, const char *name)
{
	return arena__sprintf(&rs->arena, "%s '%s'", kind, name) ?: kind;
}

static void compile_lists(struct rules_set *rs)
{
	for (size_t i = 0; i < rs->nlists; i++)
		rl_expand_list(rs, rs->lists[i]);
}

static int parse_macros(struct rules_set *rs)
{
	int ret;

	for (size_t i = 0; i < rs->nmacros; i++) {
		struct rl_macro *m = rs->macros[i];

		ret = rl_parse_text(rs, &m->cond, owner_of(rs, "macro", m->name), &m->ast);
		if (ret == -ENOMEM)
			return ret;
		m->broken = ret != 0;
	}
	for (size_t i = 0; i < rs->nmacros; i++) {
		struct rl_macro *m = rs->macros[i];

		if (m->broken)
			continue;
		ret =
		    rl_resolve(rs, m->ast, m->vis, owner_of(rs, "macro", m->name), m, &m->bad_list);
		if (ret == -ENOMEM)
			return ret;
		m->broken = ret != 0;
	}
	return 0;
}

static void summarize_macro(struct rules_set *rs, struct rl_macro *m)
{
	m->summarized = true;
	if (m->broken) {
		m->sum.bad = owner_of(rs, "macro", m->name);
		rules_evttype__all(&m->sum.evt);
		return;
	}
	rl_summarize(rs, m->ast, &m->sum);
	if (m->bad_list)
		m->sum.bad = m->bad_list;
}

/* The macros on the path from `from` to the top, then back to `to`: a -> b -> a. */
static void macro_cycle(struct rules_set *rs, struct rl_macro **path, size_t n, struct rl_macro *to,
			const struct rc_pos *where)
{
	char chain[1024] = "";
	size_t len = 0, i = 0;

	while (i < n && path[i] != to)
		i++;
	for (; i < n; i++) {
		path[i]->broken = true;
		if (len < sizeof(chain))
			len += (size_t)snprintf(chain + len, sizeof(chain) - len, "%s -> ",
						path[i]->name);
	}
	rl_diag(rs, RULES_ERROR, where, "macro '%s': cycle of macros: %s%s", path[n - 1]->name,
		chain, to->name);
}

/* Depth first over the macros' references, without recursion: a chain of a thousand macros
 * must not exhaust the stack. Post order is dependency order, so summaries are made there. */
static int order_macros(struct rules_set *rs)
{
	struct rl_macro **path = calloc(rs->nmacros + 1, sizeof(*path));
	size_t *next = calloc(rs->nmacros + 1, sizeof(*next)), n = 0;

	if (!path || !next) {
		free(path);
		free(next);
		return -ENOMEM;
	}
	for (size_t i = 0; i < rs->nmacros; i++) {
		if (rs->macros[i]->state)
			continue;
		rs->macros[i]->state = 1;
		path[n] = rs->macros[i];
		next[n++] = 0;
		while (n) {
			struct rl_macro *m = path[n - 1], *d;

			if (next[n - 1] == m->ndeps) {
				m->state = 2;
				summarize_macro(rs, m);
				n--;
				continue;
			}
			d = m->deps[next[n - 1]];
			if (d->state == 1)
				macro_cycle(rs, path, n, d, &m->dep_pos[next[n - 1]]);
			next[n - 1]++;
			if (d->state == 0) {
				d->state = 1;
				path[n] = d;
				next[n++] = 0;
			}
		}
	}
	free(path);
	free(next);
	return 0;
}

static void skip(struct rl_rule *r, enum rules_status st, const char *reason)
{
	r->pub.status = st;
	r->pub.reason = reason ? reason : "out of memory";
}

static void skip_unknown(struct rules_set *rs, struct rl_rule *r, const struct rl_summary *s)
{
	char more[256] = "";
	size_t len = 0;

	for (unsigned i = 1; i < s->nunknown && len < sizeof(more); i++)
		len += (size_t)snprintf(more + len, sizeof(more) - len, "%s%s",
					i == 1 ? " (also " : ", ", s->unknown[i]);
	if (len && len < sizeof(more))
		snprintf(more + len, sizeof(more) - len, "%s)", s->unknown_more ? "..." : "");
	skip(r, RULES_SKIPPED,
	     arena__sprintf(&rs->arena, "field %s is not provided by vigil%s", s->unknown_first,
			    more));
	if (!r->pub.skip_if_unknown_filter)
		rl_diag(rs, RULES_WARNING, &s->unknown_pos, "rule '%s' skipped: %s", r->pub.name,
			r->pub.reason);
}

static const char *names_of(struct rules_set *rs, const struct re_set *e)
{
	const char *s = e->nnames ? e->names[0] : "other";

	for (unsigned i = 1; i < e->nnames; i++)
		s = arena__sprintf(&rs->arena, "%s, %s", s, e->names[i]) ?: s;
	return s;
}

static void add_note(struct rules_set *rs, struct rl_rule *r, const char *note)
{
	const char **v = rl_grow(rs, r->pub.notes, r->pub.nnotes, sizeof(*v));

	if (v && note) {
		v[r->pub.nnotes++] = note;
		r->pub.notes = v;
	}
}

/* One note for the types that share notes[i]'s coverage: "evt.type dup, dup2: only ..." */
static void partial_note(struct rules_set *rs, struct rl_rule *r, const struct re_set *e,
			 unsigned i)
{
	const char *why = e->notes[i]->partial, *names = e->notes[i]->name;

	for (unsigned j = 0; j < i; j++)
		if (strcmp(e->notes[j]->partial, why) == 0)
			return;
	for (unsigned j = i + 1; j < e->nnotes && names; j++)
		if (strcmp(e->notes[j]->partial, why) == 0)
			names = arena__sprintf(&rs->arena, "%s, %s", names, e->notes[j]->name);
	add_note(rs, r, names ? arena__sprintf(&rs->arena, "evt.type %s: %s", names, why) : NULL);
}

/* Whether vigil produces the event types the rule needs; notes what it covers in part. */
static bool judge_events(struct rules_set *rs, struct rl_rule *r, const struct re_set *e)
{
	if (!e->events) {
		skip(r, RULES_SKIPPED,
		     e->other ? arena__sprintf(&rs->arena, "evt.type %s: not produced by vigil",
					       names_of(rs, e))
			      : "its evt.type conditions exclude each other: it matches no event");
		rl_diag(rs, RULES_WARNING, &r->pub.pos, "rule '%s' skipped: %s", r->pub.name,
			r->pub.reason);
		return false;
	}
	if (e->other && !e->any_other)
		add_note(rs, r,
			 arena__sprintf(&rs->arena,
					"evt.type %s: not produced by vigil, the rule "
					"runs on the others",
					names_of(rs, e)));
	for (unsigned i = 0; i < e->nnotes; i++)
		partial_note(rs, r, e, i);
	if (rules_evttype__is_all(e) && r->pub.warn_evttypes)
		rl_diag(
		    rs, RULES_WARNING, &r->pub.pos,
		    "rule '%s' has no evt.type condition: it would be evaluated for every event",
		    r->pub.name);
	return true;
}

static int compile_rule(struct rules_set *rs, struct rl_rule *r)
{
	const char *owner = owner_of(rs, "rule", r->pub.name), *bad;
	struct rc_node *cond;
	struct rl_summary s;
	int ret;

	if (r->unknown_source) {
		skip(r, RULES_SKIPPED,
		     arena__sprintf(&rs->arena, "source '%s' is not supported by vigil",
				    r->pub.source));
		return 0;
	}
	ret = rl_parse_text(rs, &r->cond, owner, &cond);
	if (ret) {
		skip(r, RULES_FAILED, "its condition has errors");
		return ret == -ENOMEM ? ret : 0;
	}
	ret = rl_build_exceptions(rs, r, &cond);
	if (ret) {
		skip(r, RULES_FAILED, "its exceptions have errors");
		return ret == -ENOMEM ? ret : 0;
	}
	ret = rl_resolve(rs, cond, UINT_MAX, owner, NULL, &bad);
	if (ret) {
		skip(r, RULES_FAILED, "its condition has errors"); /* exceptions included */
		return ret == -ENOMEM ? ret : 0;
	}
	rl_summarize(rs, cond, &s);
	if (bad || s.bad) {
		skip(r, RULES_FAILED,
		     arena__sprintf(&rs->arena, "it uses %s, which has errors", bad ? bad : s.bad));
		return 0;
	}
	if (s.nunknown) {
		skip_unknown(rs, r, &s);
		return 0;
	}
	if (!judge_events(rs, r, &s.evt))
		return 0;
	r->pub.status = RULES_LOADED;
	r->pub.cond = cond;
	r->pub.events = s.evt.events;
	return 0;
}

static void count_files(struct rules_set *rs)
{
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct rl_rule *r = rs->rules[i];
		struct rules_file *f = &rs->files[r->file->index].pub;

		f->rules++;
		if (r->pub.status == RULES_LOADED) {
			f->loaded++;
			f->disabled += !r->pub.enabled;
		} else {
			(*(r->pub.status == RULES_SKIPPED ? &f->skipped : &f->errored))++;
		}
	}
}

int rl_compile(struct rules_set *rs)
{
	int ret;

	compile_lists(rs);
	if ((ret = parse_macros(rs)) || (ret = order_macros(rs)))
		return ret;
	for (size_t i = 0; i < rs->nrules; i++)
		if ((ret = compile_rule(rs, rs->rules[i])))
			return ret;
	count_files(rs);
	return 0;
}
