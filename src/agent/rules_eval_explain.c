// SPDX-License-Identifier: Apache-2.0
/*
 * Why a rule did or did not match an event: the compiled tree run again, in the order the
 * engine runs it (cheapest first, stopping where and/or are settled), writing one line per
 * check decided with the value the field had, macros entered and left by name, and the result.
 *
 *   r.yaml:3:14: macro spawned_process
 *   r.yaml:1:30:   evt.type in (execve, execveat) -> true (value: execve)
 *   r.yaml:3:14: macro spawned_process -> true
 *   r.yaml:3:34: proc.tty != 0 -> false (value: 0)
 *   => no match
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rules_eval_int.h"

#define EXPLAIN_TEXT   240 /* bytes of a check's text shown */
#define EXPLAIN_INDENT 16  /* levels of indentation shown */

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	size_t room = o->len < o->size ? o->size - o->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void put_pos(struct out *o, const struct rc_pos *p, unsigned depth)
{
	put(o, "%s:%u:%u: %*s", p->file ? p->file : "-", p->line, p->col,
	    (int)(2 * (depth < EXPLAIN_INDENT ? depth : EXPLAIN_INDENT)), "");
}

/* The check as written, without the braces rules_cond__dump puts around it. */
static void check_text(const struct re_check *c, char *buf, size_t size)
{
	char full[EXPLAIN_TEXT + 8];
	size_t len;

	if (!c->src) {
		snprintf(buf, size, "%s", c->merged_text ? c->merged_text : "?");
		return;
	}
	len = rules_cond__dump(c->src, 0, full, sizeof(full));
	if (len >= sizeof(full))
		snprintf(full + EXPLAIN_TEXT - 4, 8, "...}");
	len = strlen(full);
	if (len >= 2 && full[0] == '{' && full[len - 1] == '}')
		full[len - 1] = '\0';
	snprintf(buf, size, "%s", full[0] == '{' ? full + 1 : full);
}

struct vals {
	char *buf;
	size_t size, len;
	unsigned n;
	uint8_t nxf;
	const enum rc_xform *xf;
};

/* One value, transformed as the check transforms it, appended to the list shown. */
static bool add_val(const struct rv_val *v0, void *arg)
{
	struct vals *vs = arg;
	char xbuf[RE_VALUE_MAX], one[RE_EXPLAIN_VAL];
	struct rv_val v = *v0;
	size_t room = vs->size - vs->len;

	if (!re_match__xform(vs->nxf, vs->xf, &v, xbuf, sizeof(xbuf)))
		snprintf(one, sizeof(one), "<none>");
	else
		rules_view__format(&v, one, sizeof(one));
	if (room > 1)
		vs->len += (size_t)snprintf(vs->buf + vs->len, room, "%s%s", vs->n ? ", " : "", one);
	if (vs->len >= vs->size)
		vs->len = vs->size - 1;
	vs->n++;
	return false; /* all of them */
}

static void field_values(const struct rv_event *ev, const struct rf_field *f, const char *key,
			 bool multi, struct vals *vs)
{
	struct rv_val v;

	if (multi)
		rules_view__each(ev, f, key, add_val, vs);
	else if (rules_view__get(ev, f, key, &v) == 1)
		add_val(&v, vs);
	if (!vs->n)
		snprintf(vs->buf, vs->size, "<none>");
}

static void check_value(const struct re_check *c, const struct rv_event *ev, char *buf,
			size_t size)
{
	struct vals vs = {.buf = buf, .size = size, .nxf = c->nxf, .xf = c->xf};
	const char *name;
	size_t len;

	buf[0] = '\0';
	if (c->how == RE_H_EVTTYPE) {
		name = rules_view__evt_name(ev);
		snprintf(buf, size, "%s", name ? name : "<none>");
		return;
	}
	field_values(ev, c->f, c->key, c->multi, &vs);
	if (c->how != RE_H_FIELD)
		return;
	len = strlen(buf);
	if (len + 16 >= size)
		return;
	len += (size_t)snprintf(buf + len, size - len, "; other: ");
	vs = (struct vals){.buf = buf + len, .size = size - len, .nxf = c->rf.nxf, .xf = c->rf.xf};
	field_values(ev, c->rf.f, c->rf.key, c->rf.multi, &vs);
}

static bool explain_check(struct out *o, const struct re_check *c, const struct rv_event *ev,
			  unsigned depth)
{
	char text[EXPLAIN_TEXT + 8], value[2 * RE_EXPLAIN_VAL + 16];
	bool r = re_match__check(c, ev);

	check_text(c, text, sizeof(text));
	check_value(c, ev, value, sizeof(value));
	put_pos(o, &c->pos, depth);
	put(o, "%s -> %s (value: %s)\n", text, r ? "true" : "false", value);
	return r;
}

static bool explain_node(struct out *o, const struct re_node *n, const struct rv_event *ev,
			 unsigned depth)
{
	bool r;

	switch (n->kind) {
	case RE_AND:
	case RE_OR:
		for (uint32_t i = 0; i < n->nkids; i++) {
			r = explain_node(o, n->kids[i], ev, depth);
			if (r != (n->kind == RE_AND))
				return r;
		}
		return n->kind == RE_AND;
	case RE_NOT:
		r = !explain_node(o, n->kids[0], ev, depth + 1);
		put_pos(o, &n->src->pos, depth);
		put(o, "not -> %s\n", r ? "true" : "false");
		return r;
	case RE_MACRO:
		put_pos(o, &n->src->pos, depth);
		put(o, "macro %s\n", n->src->name);
		r = explain_node(o, n->kids[0], ev, depth + 1);
		put_pos(o, &n->src->pos, depth);
		put(o, "macro %s -> %s\n", n->src->name, r ? "true" : "false");
		return r;
	case RE_CHECK:
		return explain_check(o, n->check, ev, depth);
	}
	return false;
}

int re_explain__rule(const struct re_rule *rr, const struct rv_event *ev, char *buf, size_t size)
{
	struct out o = {.buf = buf, .size = size};
	bool in_type = ev->type > 0 && ev->type < VG_EV_MAX && ((rr->events >> ev->type) & 1);

	if (size)
		buf[0] = '\0';
	if (!in_type) {
		const char *name = rules_view__evt_name(ev);

		put(&o, "rule '%s': not for this event type (%s)\n=> no match\n", rr->r->name,
		    name ? name : "?");
		return (int)o.len;
	}
	put(&o, "%s", explain_node(&o, rr->root, ev, 0) ? "=> match\n" : "=> no match\n");
	return o.len > (size_t)INT32_MAX ? -EOVERFLOW : (int)o.len;
}
