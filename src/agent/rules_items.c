// SPDX-License-Identifier: Apache-2.0
/*
 * Reading the top-level items of a rules file: required_engine_version,
 * required_plugin_versions, list, macro, rule; and applying them to the set in load order:
 * definitions replace (keeping their place), `append: true` and `override:` append to or replace
 * keys of an earlier definition, as Falco's rule loader does. An item is checked whole before
 * anything of it is applied, so an item with an error changes nothing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rules_items.h"

const char *const rk_names[RK_MAX] = {
    [RK_CONDITION] = "condition",
    [RK_OUTPUT] = "output",
    [RK_DESC] = "desc",
    [RK_PRIORITY] = "priority",
    [RK_TAGS] = "tags",
    [RK_EXCEPTIONS] = "exceptions",
    [RK_ENABLED] = "enabled",
    [RK_WARN_EVTTYPES] = "warn_evttypes",
    [RK_SKIP_UNKNOWN] = "skip-if-unknown-filter",
    [RK_ACTION] = "action",
    [RK_MODE] = "mode",
    [RK_THRESHOLD] = "threshold",
    [RK_ITEMS] = "items",
};

static void vreport(struct ictx *c, enum rules_severity sev, const struct ynode *at,
		    const char *fmt, va_list ap)
{
	struct rc_pos pos = rl_pos(c->f, at ? at : c->item);
	char msg[768];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (c->name)
		rl_diag(c->rs, sev, &pos, "%s '%s': %s", c->kind, c->name, msg);
	else
		rl_diag(c->rs, sev, &pos, "%s: %s", c->kind, msg);
}

int ri_err(struct ictx *c, const struct ynode *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, RULES_ERROR, at, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void ri_warn(struct ictx *c, const struct ynode *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, RULES_WARNING, at, fmt, ap);
	va_end(ap);
}

int ri_nomem(struct ictx *c)
{
	struct rc_pos pos = rl_pos(c->f, c->item);

	rl_diag(c->rs, RULES_ERROR, &pos, "out of memory");
	return -ENOMEM;
}

static bool empty_scalar(const struct ynode *n)
{
	return n->kind == YNODE_SCALAR && !n->len;
}

/* A non-empty scalar under key: 0 and *out, 1 when absent and optional, else an error. */
int ri_str(struct ictx *c, const char *key, bool required, const struct ynode **out)
{
	const struct ynode *v = ynode__get(c->item, key);

	*out = v;
	if (!v && !required)
		return 1;
	if (!v)
		return ri_err(c, NULL, "missing key '%s'", key);
	if (v->kind != YNODE_SCALAR)
		return ri_err(c, v, "'%s' must be a string", key);
	if (empty_scalar(v))
		return ri_err(c, v, "'%s' is empty", key);
	return 0;
}

/* YAML booleans as yaml-cpp (Falco's reader) takes them. */
int ri_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES",
					  "on",	  "On",	  "ON",	  "y",	 "Y"};
	static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO",
					 "off",	  "Off",   "OFF",   "n",  "N"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* An optional boolean: 0 and *out set, 1 when absent, else an error. */
int ri_bool(struct ictx *c, const char *key, bool *out)
{
	const struct ynode *v;
	int ret = ri_str(c, key, false, &v);

	if (ret)
		return ret;
	if (ri_parse_bool(v->str, out))
		return ri_err(c, v, "'%s' must be true or false, not '%s'", key, v->str);
	return 0;
}

/* Duplicate keys are an error: YAML forbids them and readers disagree on which one wins. */
int ri_keys(struct ictx *c, const char *const *allowed)
{
	const struct ynode *m = c->item;
	bool known;

	if (m->n > RL_KEYS_MAX)
		return ri_err(c, NULL, "more than %d keys", RL_KEYS_MAX);
	for (size_t i = 0; i < m->n; i++) {
		const struct ynode *k = m->kids[2 * i];

		for (size_t j = 0; j < i; j++)
			if (strcmp(m->kids[2 * j]->str, k->str) == 0)
				return ri_err(c, k, "duplicate key '%s'", k->str);
		known = false;
		for (const char *const *a = allowed; *a; a++)
			known = known || strcmp(*a, k->str) == 0;
		if (!known)
			ri_warn(c, k, "unknown key '%s' ignored", k->str);
	}
	return 0;
}

/* override: {key: append|replace}; *app and *rep get the keys' bits. */
static int read_override(struct ictx *c, unsigned appendable, unsigned replaceable, unsigned *app,
			 unsigned *rep)
{
	const struct ynode *o = ynode__get(c->item, "override");

	*app = *rep = 0;
	if (!o)
		return 0;
	if (o->kind != YNODE_MAP)
		return ri_err(c, o, "'override' must be a mapping of keys to append or replace");
	for (size_t i = 0; i < o->n; i++) {
		const struct ynode *k = o->kids[2 * i], *v = o->kids[2 * i + 1];
		int key = 0;

		while (key < RK_MAX && strcmp(rk_names[key], k->str) != 0)
			key++;
		if (v->kind != YNODE_SCALAR ||
		    (strcmp(v->str, "append") != 0 && strcmp(v->str, "replace") != 0))
			return ri_err(c, v, "override of '%s' must be 'append' or 'replace'",
				      k->str);
		if (strcmp(v->str, "append") == 0) {
			if (key == RK_MAX || !(appendable & (1u << key)))
				return ri_err(c, k, "'%s' cannot be appended to%s", k->str,
					      key < RK_MAX && (replaceable & (1u << key))
						  ? ", use 'replace' instead"
						  : "");
			*app |= 1u << key;
		} else {
			if (key == RK_MAX || !(replaceable & (1u << key)))
				return ri_err(c, k, "'%s' cannot be replaced", k->str);
			*rep |= 1u << key;
		}
	}
	return 0;
}

/* The keys present among `keys`. */
unsigned ri_present(const struct ynode *item, unsigned keys)
{
	unsigned got = 0;

	for (int k = 0; k < RK_MAX; k++)
		if ((keys & (1u << k)) && ynode__get(item, rk_names[k]))
			got |= 1u << k;
	return got;
}

/* Every key overridden must be there, and every overridable key there must be overridden. */
int ri_override_keys(struct ictx *c, unsigned overridable, unsigned app, unsigned rep)
{
	unsigned have = ri_present(c->item, overridable);

	/* as Falco: an override without its key first, then a key without its override */
	for (int k = 0; k < RK_MAX; k++)
		if ((app | rep) & (1u << k) && !(have & (1u << k)))
			return ri_err(c, NULL, "an override of '%s' is given, but '%s' is not",
				      rk_names[k], rk_names[k]);
	for (int k = 0; k < RK_MAX; k++)
		if (have & (1u << k) && !((app | rep) & (1u << k)))
			return ri_err(c, ynode__get(c->item, rk_names[k]),
				      "'%s' has no entry under 'override' (append or replace)",
				      rk_names[k]);
	return 0;
}

/* append: true (deprecated) or override; both is an error. */
int ri_append(struct ictx *c, unsigned appendable, unsigned replaceable, bool *append,
	      unsigned *app, unsigned *rep)
{
	int ret;

	*append = false;
	ret = ri_bool(c, "append", append);
	if (ret < 0)
		return ret;
	if (*append)
		ri_warn(c, ynode__get(c->item, "append"),
			"'append' is deprecated: use 'override' (e.g. 'condition: append')");
	ret = read_override(c, appendable, replaceable, app, rep);
	if (ret)
		return ret;
	if (*append && (*app | *rep))
		return ri_err(c, ynode__get(c->item, "override"),
			      "'append' and 'override' cannot be used together");
	return 0;
}

int rl_text_set(struct rules_set *rs, struct rl_text *t, const struct rl_file *f,
		const struct ynode *n)
{
	t->segs = rl_grow(rs, NULL, 0, sizeof(*t->segs)); /* room for appends */
	if (!t->segs)
		return -ENOMEM;
	t->text = n->str;
	t->len = n->len;
	t->segs[0] = (struct rl_seg){.off = 0, .ref = {f, n}};
	t->nsegs = 1;
	return 0;
}

int rl_text_append(struct rules_set *rs, struct rl_text *t, const struct rl_file *f,
		   const struct ynode *n)
{
	char *text = arena__alloc(&rs->arena, t->len + 1 + n->len + 1);
	struct rl_seg *segs = rl_grow(rs, t->segs, t->nsegs, sizeof(*segs));

	if (!text || !segs)
		return -ENOMEM;
	memcpy(text, t->text, t->len);
	text[t->len] = ' ';
	memcpy(text + t->len + 1, n->str, n->len);
	segs[t->nsegs++] = (struct rl_seg){.off = t->len + 1, .ref = {f, n}};
	t->text = text;
	t->len += 1 + n->len;
	t->segs = segs;
	return 0;
}

/* A sequence of scalars (items, tags); null is an error for items, an empty list for tags. */
int ri_seq(struct ictx *c, const char *key, const struct ynode **out)
{
	const struct ynode *v = ynode__get(c->item, key);

	*out = v;
	if (!v)
		return 1;
	if (v->kind != YNODE_SEQ)
		return ri_err(c, v, "'%s' must be a list", key);
	for (size_t i = 0; i < v->n; i++)
		if (v->kids[i]->kind != YNODE_SCALAR)
			return ri_err(c, v->kids[i], "the items of '%s' must be strings", key);
	return 0;
}

/* Falco's bare string: no blanks, parentheses, quotes, '=' or ','. */
static bool valid_list_name(const char *s)
{
	for (; *s; s++)
		if (strchr("()\"'=, \t\r\n\f\v", *s))
			return false;
	return true;
}

/* [a-zA-Z]+[a-zA-Z0-9_]*, the identifier a condition can name. */
static bool valid_macro_name(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", *s))
			return false;
	return true;
}

static int set_items(struct ictx *c, struct rl_list *l, const struct ynode *items, bool append)
{
	size_t keep = append ? l->nitems : 0;
	struct rl_ref *v = arena__calloc(&c->rs->arena, keep + items->n + 1, sizeof(*v));

	if (!v)
		return ri_nomem(c);
	if (keep)
		memcpy(v, l->items, keep * sizeof(*v));
	for (size_t i = 0; i < items->n; i++)
		v[keep + i] = (struct rl_ref){c->f, items->kids[i]};
	l->items = v;
	l->nitems = keep + items->n;
	return 0;
}

static int read_list(struct ictx *c)
{
	static const char *const keys[] = {"list", "items", "append", "override", NULL};
	const struct ynode *name, *items;
	unsigned app, rep;
	struct rl_list *l;
	bool append;
	int ret;

	if ((ret = ri_str(c, "list", true, &name)))
		return ret;
	c->name = name->str;
	if (!valid_list_name(name->str))
		return ri_err(c, name,
			      "invalid list name: blanks, quotes, ( ) = , are not allowed");
	if ((ret = ri_keys(c, keys)) ||
	    (ret = ri_append(c, RK(ITEMS), RK(ITEMS), &append, &app, &rep)))
		return ret;
	ret = ri_seq(c, "items", &items);
	if (ret)
		return ret < 0 ? ret : ri_err(c, NULL, "missing key 'items'");
	append = append || (app & RK(ITEMS));
	l = rl_find_list(c->rs, name->str);
	if (append && !l)
		return ri_err(c, NULL, "cannot append to a list that is not defined before");
	if (!l) {
		l = arena__alloc(&c->rs->arena, sizeof(*l));
		if (!l)
			return ri_nomem(c);
		l->name = name->str;
		l->index = c->rs->next_index;
		if (rl_add_list(c->rs, l))
			return ri_nomem(c);
	}
	if (!append)
		l->pos = rl_pos(c->f, c->item);
	l->vis = c->rs->next_index++;
	return set_items(c, l, items, append);
}

static int read_macro(struct ictx *c)
{
	static const char *const keys[] = {"macro", "condition", "append", "override", NULL};
	const struct ynode *name, *cond;
	unsigned app, rep;
	struct rl_macro *m;
	bool append;
	int ret;

	if ((ret = ri_str(c, "macro", true, &name)))
		return ret;
	c->name = name->str;
	if (!valid_macro_name(name->str))
		return ri_err(c, name,
			      "invalid macro name: it must be letters, then letters, "
			      "digits or '_'");
	if ((ret = ri_keys(c, keys)) || (ret = ri_str(c, "condition", true, &cond)) ||
	    (ret = ri_append(c, RK(CONDITION), RK(CONDITION), &append, &app, &rep)))
		return ret;
	append = append || (app & RK(CONDITION));
	m = rl_find_macro(c->rs, name->str);
	if (append && !m)
		return ri_err(c, NULL, "cannot append to a macro that is not defined before");
	if (!m) {
		m = arena__alloc(&c->rs->arena, sizeof(*m));
		if (!m)
			return ri_nomem(c);
		m->name = name->str;
		m->index = c->rs->next_index;
		if (rl_add_macro(c->rs, m))
			return ri_nomem(c);
	}
	m->vis = c->rs->next_index++;
	if (append)
		return rl_text_append(c->rs, &m->cond, c->f, cond) ? ri_nomem(c) : 0;
	m->pos = rl_pos(c->f, c->item);
	return rl_text_set(c->rs, &m->cond, c->f, cond) ? ri_nomem(c) : 0;
}

/* N (an old engine number) or x.y.z */
static bool valid_version(const char *s)
{
	int dots = 0;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s; s++) {
		if (*s == '.' && s[1] >= '0' && s[1] <= '9')
			dots++;
		else if (*s < '0' || *s > '9')
			return false;
	}
	return dots == 0 || dots == 2;
}

static int read_engine(struct ictx *c)
{
	const struct ynode *v;
	int ret = ri_str(c, "required_engine_version", true, &v);

	if (ret)
		return ret;
	if (!valid_version(v->str))
		return ri_err(c, v, "'%s' is not a version: N or x.y.z", v->str);
	c->f->pub.engine_version = v->str;
	return 0;
}

/* One requirement: {name, version}, as "name version". */
static int plugin_req(struct ictx *c, const struct ynode *p, const char **out)
{
	const struct ynode *name = ynode__get(p, "name"), *ver = ynode__get(p, "version");

	if (p->kind != YNODE_MAP)
		return ri_err(c, p, "a plugin requirement must be a mapping with name and version");
	if (!ynode__is_scalar(name) || !name->len || !ynode__is_scalar(ver) || !ver->len)
		return ri_err(c, p, "a plugin requirement needs a name and a version");
	if (!valid_version(ver->str))
		return ri_err(c, ver, "'%s' is not a version: x.y.z", ver->str);
	*out = arena__sprintf(&c->rs->arena, "%s %s", name->str, ver->str);
	return *out ? 0 : ri_nomem(c);
}

static int read_plugin(struct ictx *c, const struct ynode *p, const char **out)
{
	const struct ynode *alts = ynode__get(p, "alternatives");
	const char *req = NULL, *alt;
	int ret = plugin_req(c, p, &req);

	if (ret || !alts)
		goto out;
	if (alts->kind != YNODE_SEQ)
		return ri_err(c, alts, "'alternatives' must be a list");
	for (size_t i = 0; i < alts->n && !ret; i++) {
		ret = plugin_req(c, alts->kids[i], &alt);
		if (!ret && !(req = arena__sprintf(&c->rs->arena, "%s or %s", req, alt)))
			ret = ri_nomem(c);
	}
out:
	*out = req;
	return ret;
}

static int read_plugins(struct ictx *c)
{
	const struct ynode *v = ynode__get(c->item, "required_plugin_versions");
	struct rules_file *pf = &c->f->pub;
	const char **all;
	int ret;

	if (v->kind != YNODE_SEQ)
		return ri_err(c, v, "must be a list of {name, version}");
	all = arena__calloc(&c->rs->arena, pf->nplugins + v->n + 1, sizeof(*all));
	if (!all)
		return ri_nomem(c);
	if (pf->nplugins)
		memcpy(all, pf->plugins, pf->nplugins * sizeof(*all));
	for (size_t i = 0; i < v->n; i++)
		if ((ret = read_plugin(c, v->kids[i], &all[pf->nplugins + i])))
			return ret;
	pf->plugins = all;
	pf->nplugins += v->n;
	return 0;
}

int rl_read_item(struct rules_set *rs, struct rl_file *f, const struct ynode *item)
{
	struct ictx c = {.rs = rs, .f = f, .item = item, .kind = "item"};

	if (item->kind != YNODE_MAP)
		return ri_err(&c, item, "an item must be a mapping: rule, macro, list...");
	if (ynode__get(item, "required_engine_version")) {
		c.kind = "required_engine_version";
		return read_engine(&c);
	}
	if (ynode__get(item, "required_plugin_versions")) {
		c.kind = "required_plugin_versions";
		return read_plugins(&c);
	}
	if (ynode__get(item, "list")) {
		c.kind = "list";
		f->pub.lists++;
		return read_list(&c);
	}
	if (ynode__get(item, "macro")) {
		c.kind = "macro";
		f->pub.macros++;
		return read_macro(&c);
	}
	if (ynode__get(item, "rule")) {
		c.kind = "rule";
		return rl_read_rule(&c);
	}
	ri_warn(&c, item,
		"unknown item ignored: expected rule, macro, list, "
		"required_engine_version or required_plugin_versions");
	return 0;
}
