// SPDX-License-Identifier: Apache-2.0
/*
 * The engine: the rules kept (loaded, enabled, severe enough), each compiled into a tree, an
 * index by event type, and the loop that runs an event through the rules of its type. All the
 * compiled state lives in one arena; evaluating allocates nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rules_eval_int.h"

static bool node_eval(struct re_engine *e, const struct re_node *n, const struct rv_event *ev)
{
	uint32_t i;

	switch (n->kind) {
	case RE_AND:
		for (i = 0; i < n->nkids; i++)
			if (!node_eval(e, n->kids[i], ev))
				return false;
		return true;
	case RE_OR:
		for (i = 0; i < n->nkids; i++)
			if (node_eval(e, n->kids[i], ev))
				return true;
		return false;
	case RE_NOT:
		return !node_eval(e, n->kids[0], ev);
	case RE_MACRO:
		return node_eval(e, n->kids[0], ev);
	case RE_CHECK:
		e->stats.checks++;
		return re_match__check(n->check, ev);
	}
	return false;
}

int re_engine__eval(struct re_engine *e, const struct rv_event *ev, re_match_fn on_match,
		    void *ctx)
{
	struct re_rule **rules;
	uint32_t n;
	int matches = 0;

	e->stats.events++;
	if (ev->type <= 0 || ev->type >= VG_EV_MAX)
		return 0;
	e->stats.per_type[ev->type]++;
	rules = e->by_type[ev->type];
	n = e->nby_type[ev->type];
	for (uint32_t i = 0; i < n; i++) {
		if (!node_eval(e, rules[i]->root, ev))
			continue;
		matches++;
		e->stats.matches++;
		if (on_match && on_match(ctx, rules[i]->r, ev))
			break;
	}
	return matches;
}

static bool wanted(const struct rules_rule *r, const struct re_opts *o)
{
	if (r->status != RULES_LOADED || !r->enabled || !r->cond)
		return false;
	if (r->priority > o->min_priority)
		return false;
	return !o->only_rule || strcmp(o->only_rule, r->name) == 0;
}

/* Per type, the rules that can match it, in definition order: one array each, in the arena. */
static int index_build(struct re_engine *e)
{
	for (int t = 1; t < VG_EV_MAX; t++) {
		uint32_t n = 0;

		for (size_t i = 0; i < e->nrules; i++)
			n += (e->rules[i].events >> t) & 1;
		if (!n)
			continue;
		e->by_type[t] = arena__calloc(&e->arena, n, sizeof(*e->by_type[t]));
		if (!e->by_type[t])
			return -ENOMEM;
		for (size_t i = 0; i < e->nrules; i++)
			if ((e->rules[i].events >> t) & 1)
				e->by_type[t][e->nby_type[t]++] = &e->rules[i];
	}
	return 0;
}

/* Every wanted rule; one that does not compile is left out (and logged), -EINVAL at the end. */
static int compile_all(struct re_engine *e, const struct re_opts *o)
{
	size_t total = rules_set__nrules(e->rs);
	struct re_cache *cache = re_cache__new();
	int ret = 0, err;

	e->rules = arena__calloc(&e->arena, total ? total : 1, sizeof(*e->rules));
	if (!cache || !e->rules) {
		re_cache__free(cache);
		return -ENOMEM;
	}
	for (size_t i = 0; i < total; i++) {
		const struct rules_rule *r = rules_set__rule(e->rs, i);
		struct re_rule *rr = &e->rules[e->nrules];

		if (!wanted(r, o))
			continue;
		err = re_compile__rule(e, cache, r, &rr->root);
		if (err == -ENOMEM) {
			ret = err;
			break;
		}
		if (err) {
			ret = -EINVAL;
			continue;
		}
		rr->r = r;
		rr->events = r->events & RF_EV_ALL;
		e->events |= rr->events;
		e->nrules++;
	}
	re_cache__free(cache);
	return ret;
}

static void opts_read(const struct re_opts *in, struct re_opts *o)
{
	*o = (struct re_opts){.sz = sizeof(*o), .min_priority = RULES_PRIO_DEBUG};
	if (!in)
		return;
	if (in->sz >= offsetof(struct re_opts, min_priority) + sizeof(in->min_priority))
		o->min_priority = in->min_priority;
	if (in->sz >= offsetof(struct re_opts, only_rule) + sizeof(in->only_rule))
		o->only_rule = in->only_rule;
}

int re_engine__new(const struct rules_set *rs, const struct re_opts *opts, struct re_engine **out)
{
	struct re_engine *e;
	struct re_opts o;
	int ret, ret2;

	*out = NULL;
	if (!rs)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	arena__init(&e->arena, RE_ARENA_MAX);
	e->rs = rs;
	opts_read(opts, &o);
	ret = compile_all(e, &o);
	ret2 = ret == -ENOMEM ? ret : index_build(e);
	if (ret2 == -ENOMEM) {
		re_engine__free(e);
		return -ENOMEM;
	}
	log_debug("rules: %zu compiled, %zu bytes", e->nrules, e->arena.bytes);
	*out = e;
	return ret;
}

void re_engine__free(struct re_engine *e)
{
	if (!e)
		return;
	for (struct re_regex *r = e->regexes; r; r = r->next)
		regfree(&r->re);
	arena__free(&e->arena);
	free(e);
}

size_t re_engine__nrules(const struct re_engine *e)
{
	return e->nrules;
}

const struct rules_rule *re_engine__rule(const struct re_engine *e, size_t i)
{
	return i < e->nrules ? e->rules[i].r : NULL;
}

uint64_t re_engine__events(const struct re_engine *e)
{
	return e->events;
}

void re_engine__stats(const struct re_engine *e, struct re_stats *out)
{
	*out = e->stats;
}

int re_engine__explain(struct re_engine *e, const char *name, const struct rv_event *ev,
		       char *buf, size_t size)
{
	for (size_t i = 0; i < e->nrules; i++)
		if (strcmp(e->rules[i].r->name, name) == 0)
			return re_explain__rule(&e->rules[i], ev, buf, size);
	return -ENOENT;
}
