// SPDX-License-Identifier: Apache-2.0
/*
 * Rule items, in Falco's four forms:
 *  - a definition (condition, output, desc, priority and the optional keys), which replaces an
 *    earlier rule of the same name in its place;
 *  - override: {key: append|replace}: append joins condition, output and desc with a space,
 *    unites tags, adds exceptions or their values; replace replaces the key;
 *  - append: true (deprecated): appends the condition and exceptions;
 *  - enabled alone (deprecated): enables or disables an earlier rule.
 */
#include <errno.h>
#include <string.h>

#include "rules_items.h"

/* What an item gives, read and checked before anything is applied. */
struct rdef {
	const struct ynode *node[RK_MAX]; /* the keys present */
	const char *source;
	enum rules_priority priority;
	bool enabled, warn_evttypes, skip_unknown;
	const char **tags;
	size_t ntags;
	struct rl_exc *excs;
	size_t nexcs;
};

static int add_tag(struct ictx *c, const char ***tags, size_t *n, const char *tag)
{
	const char **v;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*tags)[i], tag) == 0)
			return 0;
	if (*n == RL_TAGS_MAX)
		return ri_err(c, NULL, "more than %d tags", RL_TAGS_MAX);
	v = rl_grow(c->rs, (void *)*tags, *n, sizeof(*v));
	if (!v)
		return ri_nomem(c);
	v[(*n)++] = tag;
	*tags = v;
	return 0;
}

static int read_tags(struct ictx *c, struct rdef *d)
{
	const struct ynode *seq;
	int ret = ri_seq(c, "tags", &seq);

	if (ret)
		return ret < 0 ? ret : 0;
	for (size_t i = 0; i < seq->n; i++)
		if ((ret = add_tag(c, &d->tags, &d->ntags, seq->kids[i]->str)))
			return ret;
	return 0;
}

static int read_flag(struct ictx *c, enum rk k, bool *out)
{
	int ret = ri_bool(c, rk_names[k], out);

	return ret < 0 ? ret : 0;
}

static int read_text(struct ictx *c, struct rdef *d, enum rk k)
{
	int ret = ri_str(c, rk_names[k], true, &d->node[k]);

	return ret < 0 ? ret : 0;
}

/* The keys `keys` of the item (those present); exceptions as an append gives them. */
static int read_keys(struct ictx *c, struct rdef *d, unsigned keys, bool exc_append)
{
	const struct ynode *p;
	int ret = 0;

	for (int k = 0; k < RK_MAX && !ret; k++) {
		if (!(keys & (1u << k)) || !ynode__get(c->item, rk_names[k]))
			continue;
		switch (k) {
		case RK_TAGS:
			ret = read_tags(c, d);
			break;
		case RK_ENABLED:
			ret = read_flag(c, k, &d->enabled);
			break;
		case RK_WARN_EVTTYPES:
			ret = read_flag(c, k, &d->warn_evttypes);
			break;
		case RK_SKIP_UNKNOWN:
			ret = read_flag(c, k, &d->skip_unknown);
			break;
		case RK_EXCEPTIONS:
			ret = rl_read_exceptions(c, exc_append, &d->excs, &d->nexcs);
			break;
		default:
			ret = read_text(c, d, (enum rk)k);
		}
		d->node[k] = ynode__get(c->item, rk_names[k]);
	}
	p = d->node[RK_PRIORITY];
	if (!ret && p && rules_priority__parse(p->str, &d->priority))
		ret = ri_err(c, p,
			     "invalid priority '%s': emergency, alert, critical, error, "
			     "warning, notice, informational or debug",
			     p->str);
	return ret;
}

static const char *joined(struct ictx *c, const char *a, const char *b)
{
	return arena__sprintf(&c->rs->arena, "%s %s", a, b);
}

/* Text without the blanks around it (a folded block ends in a newline). */
static const char *trimmed(struct ictx *c, const struct ynode *n)
{
	const char *s = n->str, *e = n->str + n->len;

	while (s < e && strchr(" \t\r\n", *s))
		s++;
	while (e > s && strchr(" \t\r\n", e[-1]))
		e--;
	return arena__strndup(&c->rs->arena, s, (size_t)(e - s));
}

static int apply_append(struct ictx *c, struct rl_rule *r, const struct rdef *d, unsigned keys)
{
	struct rules_rule *p = &r->pub;
	int ret = 0;

	if ((keys & RK(CONDITION)) && rl_text_append(c->rs, &r->cond, c->f, d->node[RK_CONDITION]))
		return ri_nomem(c);
	if (keys & RK(OUTPUT) &&
	    !(p->output = joined(c, p->output, trimmed(c, d->node[RK_OUTPUT]))))
		return ri_nomem(c);
	if (keys & RK(DESC) && !(p->desc = joined(c, p->desc, trimmed(c, d->node[RK_DESC]))))
		return ri_nomem(c);
	for (size_t i = 0; (keys & RK(TAGS)) && i < d->ntags && !ret; i++)
		ret = add_tag(c, &p->tags, &p->ntags, d->tags[i]);
	if (!ret && (keys & RK(EXCEPTIONS)))
		ret = rl_merge_exceptions(c, r, d->excs, d->nexcs);
	return ret;
}

static int apply_replace(struct ictx *c, struct rl_rule *r, const struct rdef *d, unsigned keys)
{
	struct rules_rule *p = &r->pub;

	if ((keys & RK(CONDITION)) && rl_text_set(c->rs, &r->cond, c->f, d->node[RK_CONDITION]))
		return ri_nomem(c);
	if (keys & RK(OUTPUT) && !(p->output = trimmed(c, d->node[RK_OUTPUT])))
		return ri_nomem(c);
	if (keys & RK(DESC) && !(p->desc = trimmed(c, d->node[RK_DESC])))
		return ri_nomem(c);
	if (keys & RK(TAGS)) {
		p->tags = d->tags;
		p->ntags = d->ntags;
	}
	if (keys & RK(EXCEPTIONS)) {
		r->excs = d->excs;
		r->nexcs = d->nexcs;
	}
	if (keys & RK(PRIORITY))
		p->priority = d->priority;
	if (keys & RK(ENABLED))
		p->enabled = d->enabled;
	if (keys & RK(WARN_EVTTYPES))
		p->warn_evttypes = d->warn_evttypes;
	if (keys & RK(SKIP_UNKNOWN))
		p->skip_if_unknown_filter = d->skip_unknown;
	return 0;
}

static struct rl_rule *previous(struct ictx *c, const char *what)
{
	struct rl_rule *r = rl_find_rule(c->rs, c->name);

	if (!r)
		ri_err(c, NULL, "cannot %s a rule that is not defined before", what);
	return r;
}

static int read_override(struct ictx *c, unsigned app, unsigned rep)
{
	struct rdef d = {0};
	struct rl_rule *r;
	int ret;

	if ((ret = ri_override_keys(c, RULE_REPLACEABLE, app, rep)))
		return ret;
	/* replaced exceptions are whole definitions; appended ones may name an earlier one */
	if ((ret = read_keys(c, &d, app, true)) || (ret = read_keys(c, &d, rep, false)))
		return ret;
	r = previous(c, app ? "append to" : "replace keys of");
	if (!r)
		return -EINVAL;
	if ((ret = apply_append(c, r, &d, app)))
		return ret;
	return apply_replace(c, r, &d, rep);
}

/* append: true: the condition and the exceptions. */
static int read_legacy_append(struct ictx *c)
{
	struct rdef d = {0};
	unsigned keys = RK(CONDITION) | RK(EXCEPTIONS), other;
	struct rl_rule *r;
	int ret;

	other = ri_present(c->item, RULE_REPLACEABLE & ~keys);
	for (int k = 0; k < RK_MAX; k++)
		if (other & (1u << k))
			ri_warn(c, ynode__get(c->item, rk_names[k]),
				"'%s' is ignored with 'append: true' (use override)", rk_names[k]);
	if (!ri_present(c->item, keys))
		ri_warn(c, NULL, "'append: true' without condition or exceptions appends nothing");
	if ((ret = read_keys(c, &d, keys, true)))
		return ret;
	r = previous(c, "append to");
	return r ? apply_append(c, r, &d, ri_present(c->item, keys)) : -EINVAL;
}

/* enabled alone, without condition, output, desc or priority */
static int read_enable(struct ictx *c)
{
	struct rl_rule *r;
	bool on = true;
	int ret = ri_bool(c, "enabled", &on);

	if (ret)
		return ret < 0 ? ret
			       : ri_err(c, NULL,
					"a rule needs condition, output, desc and priority "
					"(or 'override', or 'enabled' alone)");
	ri_warn(c, ynode__get(c->item, "enabled"),
		"'enabled' alone is deprecated: use override: {enabled: replace}");
	r = previous(c, "enable or disable");
	if (!r)
		return -EINVAL;
	r->pub.enabled = on;
	return 0;
}

static int new_rule(struct ictx *c, const struct rdef *d, struct rl_rule **out)
{
	struct rl_rule *r = rl_find_rule(c->rs, c->name);

	if (r && strcmp(r->pub.source, d->source) != 0)
		return ri_err(c, NULL, "redefined with source '%s'; it was '%s'", d->source,
			      r->pub.source);
	if (!r) {
		r = arena__alloc(&c->rs->arena, sizeof(*r));
		if (!r)
			return ri_nomem(c);
		r->pub.name = c->name;
		r->index = c->rs->next_index;
		if (rl_add_rule(c->rs, r))
			return ri_nomem(c);
	}
	c->rs->next_index++;
	*out = r;
	return 0;
}

static int read_definition(struct ictx *c)
{
	unsigned keys = RULE_REPLACEABLE;
	struct rdef d = {.source = "syscall", .enabled = true, .warn_evttypes = true};
	const struct ynode *src;
	struct rl_rule *r = NULL;
	int ret;

	for (int k = RK_CONDITION; k <= RK_PRIORITY; k++)
		if ((ret = ri_str(c, rk_names[k], true, &src)))
			return ret;
	ret = ri_str(c, "source", false, &src);
	if (ret < 0 || (ret = read_keys(c, &d, keys, false)))
		return ret;
	if (src)
		d.source = src->str;
	if ((ret = new_rule(c, &d, &r)))
		return ret;
	memset(&r->pub, 0, sizeof(r->pub));
	r->pub.name = c->name;
	r->pub.source = d.source;
	r->pub.file = c->f->pub.path;
	r->pub.pos = rl_pos(c->f, c->item);
	r->file = c->f;
	r->excs = NULL;
	r->nexcs = 0;
	r->unknown_source = strcmp(d.source, "syscall") != 0;
	if (r->unknown_source)
		ri_warn(c, src, "source '%s' is not supported by vigil (only syscall): skipped",
			d.source);
	return apply_replace(c, r, &d, keys);
}

int rl_read_rule(struct ictx *c)
{
	static const char *const keys[] = {"rule",
					   "condition",
					   "output",
					   "desc",
					   "priority",
					   "tags",
					   "enabled",
					   "source",
					   "exceptions",
					   "append",
					   "override",
					   "warn_evttypes",
					   "skip-if-unknown-filter",
					   NULL};
	const struct ynode *name;
	unsigned app, rep;
	bool append;
	int ret;

	if ((ret = ri_str(c, "rule", true, &name)))
		return ret;
	c->name = name->str;
	if ((ret = ri_keys(c, keys)) ||
	    (ret = ri_append(c, RULE_APPENDABLE, RULE_REPLACEABLE, &append, &app, &rep)))
		return ret;
	if (app | rep)
		return read_override(c, app, rep);
	if (append)
		return read_legacy_append(c);
	if (!ri_present(c->item, RK(CONDITION) | RK(OUTPUT) | RK(DESC) | RK(PRIORITY)))
		return read_enable(c);
	return read_definition(c);
}
