// SPDX-License-Identifier: Apache-2.0
/*
 * Rule items, in Falco's four forms:
 *  - a definition (condition, output, desc, priority and the optional keys), which replaces an
 *    earlier rule of the same name in its place;
 *  - override: {key: append|replace}: append joins condition, output and desc with a space,
 *    unites tags, adds exceptions or their values; replace replaces the key;
 *  - append: true (deprecated): appends the condition and exceptions;
 *  - enabled alone (deprecated): enables or disables an earlier rule.
 * vigil adds three keys (docs/rules.md, "Enforcement"): action, mode and threshold, which a
 * definition sets (absent: none) and override can replace, not append to.
 */
#include <errno.h>
#include <stdint.h>
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
	enum rules_action action;
	enum rules_mode mode;
	uint32_t thr_count;
	uint64_t thr_window_ns;
};

#define THR_COUNT_MAX	  1000000u
#define THR_WINDOW_MAX_MS (24ull * 3600 * 1000)

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

/* action and mode are vigil's own keys: exact lower case, unlike Falco's priority. */
static int read_action(struct ictx *c, struct rdef *d)
{
	const struct ynode *v;
	int ret = ri_str(c, "action", true, &v);

	if (ret)
		return ret;
	if (rules_action__parse(v->str, &d->action))
		return ri_err(c, v, "invalid action '%s': kill, deny or quarantine", v->str);
	return 0;
}

static int read_mode(struct ictx *c, struct rdef *d)
{
	const struct ynode *v;
	int ret = ri_str(c, "mode", true, &v);

	if (ret)
		return ret;
	if (rules_mode__parse(v->str, &d->mode))
		return ri_err(c, v, "invalid mode '%s': monitor, alert or enforce", v->str);
	return 0;
}

/* Digits only, stopping past max so that nothing overflows; 0 when there are none. */
static const char *read_uint(const struct ynode *v, uint64_t max, uint64_t *out)
{
	const char *s = v->str;

	*out = 0;
	for (; *s >= '0' && *s <= '9' && *out <= max; s++)
		*out = *out * 10 + (uint64_t)(*s - '0');
	return s == v->str || *out > max ? NULL : s;
}

/* count: 1..THR_COUNT_MAX */
static int thr_count(const struct ynode *v, uint32_t *out)
{
	const char *end;
	uint64_t n;

	if (!ynode__is_scalar(v) || strlen(v->str) != v->len)
		return -EINVAL;
	end = read_uint(v, THR_COUNT_MAX, &n);
	if (!end || *end || !n)
		return -EINVAL;
	*out = (uint32_t)n;
	return 0;
}

/* window: an integer and a unit (ms, s, m, h; none: seconds), 1ms..24h. */
static int thr_window(const struct ynode *v, uint64_t *out_ns)
{
	static const struct {
		const char *unit;
		uint64_t ms;
	} units[] = {{"", 1000}, {"ms", 1}, {"s", 1000}, {"m", 60 * 1000}, {"h", 3600 * 1000}};
	const char *unit;
	uint64_t n;

	if (!ynode__is_scalar(v) || strlen(v->str) != v->len)
		return -EINVAL;
	unit = read_uint(v, THR_WINDOW_MAX_MS, &n);
	for (size_t i = 0; unit && i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(unit, units[i].unit) != 0)
			continue;
		if (!n || n > THR_WINDOW_MAX_MS / units[i].ms)
			return -EINVAL;
		*out_ns = n * units[i].ms * 1000000ull;
		return 0;
	}
	return -EINVAL;
}

/* What a value is, for a message about it. */
static const char *shown(const struct ynode *v)
{
	return v->kind == YNODE_SCALAR ? v->str : v->kind == YNODE_SEQ ? "(a list)" : "(a mapping)";
}

/* Exactly count and window, each once. */
static int thr_keys(struct ictx *c, const struct ynode *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct ynode *k = t->kids[2 * i];

		if (strcmp(k->str, "count") != 0 && strcmp(k->str, "window") != 0)
			return ri_err(
			    c, k, "unknown key '%s' in 'threshold': count and window only", k->str);
		for (size_t j = 0; j < i; j++)
			if (strcmp(t->kids[2 * j]->str, k->str) == 0)
				return ri_err(c, k, "duplicate key '%s' in 'threshold'", k->str);
	}
	if (!ynode__get(t, "count") || !ynode__get(t, "window"))
		return ri_err(c, t, "'threshold' needs '%s': {count: N, window: D}",
			      ynode__get(t, "count") ? "window" : "count");
	return 0;
}

/* threshold: {count: N, window: D} */
static int read_threshold(struct ictx *c, struct rdef *d)
{
	const struct ynode *t = ynode__get(c->item, "threshold"), *v;
	int ret;

	if (t->kind != YNODE_MAP)
		return ri_err(c, t, "'threshold' must be a mapping: {count: N, window: D}");
	if ((ret = thr_keys(c, t)))
		return ret;
	v = ynode__get(t, "count");
	if (thr_count(v, &d->thr_count))
		return ri_err(c, v, "threshold 'count' must be an integer from 1 to %u, not '%s'",
			      THR_COUNT_MAX, shown(v));
	v = ynode__get(t, "window");
	if (thr_window(v, &d->thr_window_ns))
		return ri_err(c, v,
			      "threshold 'window' must be a duration from 1ms to 24h (500ms, 10s, "
			      "2m, 1h; a number alone is seconds), not '%s'",
			      shown(v));
	return 0;
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
		case RK_ACTION:
			ret = read_action(c, d);
			break;
		case RK_MODE:
			ret = read_mode(c, d);
			break;
		case RK_THRESHOLD:
			ret = read_threshold(c, d);
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
	if (keys & RK(ACTION))
		p->action = d->action;
	if (keys & RK(MODE))
		p->mode = d->mode;
	if (keys & RK(THRESHOLD)) {
		p->thr_count = d->thr_count;
		p->thr_window_ns = d->thr_window_ns;
	}
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

/* The deprecated forms act on some keys only; the others are said to be ignored. */
static void warn_ignored(struct ictx *c, unsigned keys, const char *form)
{
	unsigned other = ri_present(c->item, keys);

	for (int k = 0; k < RK_MAX; k++)
		if (other & (1u << k))
			ri_warn(c, ynode__get(c->item, rk_names[k]),
				"'%s' is ignored with %s (use override)", rk_names[k], form);
}

/* append: true: the condition and the exceptions. */
static int read_legacy_append(struct ictx *c)
{
	struct rdef d = {0};
	unsigned keys = RK(CONDITION) | RK(EXCEPTIONS);
	struct rl_rule *r;
	int ret;

	warn_ignored(c, RULE_REPLACEABLE & ~keys, "'append: true'");
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
	/* an action dropped without a word would be a surprise; Falco's keys stay silent */
	warn_ignored(c, RULE_ENFORCE, "'enabled' alone");
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
					   "action",
					   "mode",
					   "threshold",
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
