// SPDX-License-Identifier: Apache-2.0
/*
 * Event type sets: an exact set over vigil's types, plus either every other type or a few
 * named ones (the names Falco rules used that vigil does not produce, kept for messages).
 */
#include <string.h>

#include "rules_evttype.h"

/* VG_EV_NONE is 0 and never a record type: its bit stands for "no second type". */
#define RE_BITS(t1, t2) ((RF_EV(t1) | RF_EV(t2)) & ~RF_EV(NONE))

static const struct re_evttype types[] = {
#define RE_X_ROW(name, t1, t2, partial) {name, RE_BITS(t1, t2), partial},
    RE_EVTTYPES(RE_X_ROW)
#undef RE_X_ROW
};

const struct re_evttype *rules_evttype__find(const char *name)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(name, types[i].name) == 0)
			return &types[i];
	return NULL;
}

void rules_evttype__all(struct re_set *s)
{
	memset(s, 0, sizeof(*s));
	s->events = RF_EV_ALL;
	s->other = s->any_other = true;
}

bool rules_evttype__is_all(const struct re_set *s)
{
	return s->events == RF_EV_ALL && s->any_other;
}

static bool has_name(const struct re_set *s, const char *name)
{
	for (unsigned i = 0; i < s->nnames; i++)
		if (strcmp(s->names[i], name) == 0)
			return true;
	return false;
}

static void add_name(struct re_set *s, const char *name)
{
	s->other = true;
	if (s->any_other || has_name(s, name))
		return;
	if (s->nnames == RE_NAMES_MAX) /* too many to name: say "other types" */
		s->any_other = true;
	else
		s->names[s->nnames++] = name;
}

static void add_note(struct re_set *s, const struct re_evttype *t)
{
	for (unsigned i = 0; i < s->nnotes; i++)
		if (s->notes[i] == t)
			return;
	if (s->nnotes < RE_NOTES_MAX)
		s->notes[s->nnotes++] = t;
}

static void add_notes(struct re_set *s, const struct re_set *t)
{
	for (unsigned i = 0; i < t->nnotes; i++)
		add_note(s, t->notes[i]);
}

/* The types a list of names stands for. */
static void of_values(const struct rc_check *c, struct re_set *out)
{
	const struct re_evttype *t;

	memset(out, 0, sizeof(*out));
	out->exact = true;
	for (size_t i = 0; i < c->nvals; i++) {
		t = rules_evttype__find(c->vals[i].str);
		if (!t) {
			add_name(out, c->vals[i].str);
			continue;
		}
		out->events |= t->events;
		if (t->partial)
			add_note(out, t);
	}
}

void rules_evttype__check(const struct rc_check *c, struct re_set *out)
{
	bool typed = c->lhs.def && c->lhs.def->id == RF_EVT_TYPE && !c->lhs.nxf;
	bool values = c->rhs == RC_RHS_VALUE || c->rhs == RC_RHS_LIST;

	if (!typed || !values) {
		rules_evttype__all(out);
		return;
	}
	switch (c->op) {
	case RC_OP_EQ:
	case RC_OP_IN:
	case RC_OP_INTERSECTS:
		of_values(c, out);
		return;
	case RC_OP_NE:
		of_values(c, out);
		rules_evttype__not(out);
		return;
	default:
		rules_evttype__all(out);
	}
}

void rules_evttype__not(struct re_set *s)
{
	bool other = !(s->other && s->any_other);

	if (!s->exact) {
		rules_evttype__all(s);
		return;
	}
	s->events = RF_EV_ALL & ~s->events;
	s->other = s->any_other = other; /* whatever a few names leave out is "every other" */
	s->nnames = 0;
}

void rules_evttype__and(struct re_set *s, const struct re_set *t)
{
	struct re_set r = {.events = s->events & t->events, .exact = s->exact && t->exact};

	if (s->any_other && t->any_other) {
		r.other = r.any_other = true;
	} else if (s->other && t->other) {
		const struct re_set *named = s->any_other ? t : s, *other = s->any_other ? s : t;

		for (unsigned i = 0; i < named->nnames; i++)
			if (other->any_other || has_name(other, named->names[i]))
				add_name(&r, named->names[i]);
	}
	add_notes(&r, s);
	add_notes(&r, t);
	*s = r;
}

void rules_evttype__or(struct re_set *s, const struct re_set *t)
{
	s->exact = s->exact && t->exact;
	s->events |= t->events;
	s->any_other = s->any_other || t->any_other;
	for (unsigned i = 0; i < t->nnames; i++)
		add_name(s, t->names[i]);
	s->other = s->other || t->other;
	if (s->any_other)
		s->nnames = 0;
	add_notes(s, t);
}
