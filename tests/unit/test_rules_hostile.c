// SPDX-License-Identifier: Apache-2.0
/*
 * Rule files built to hurt: long chains of macros and lists, lists that double at every
 * level, huge conditions, more diagnostics than are kept. Each must end in bounded time and
 * memory with an error, or load, never exhaust the stack.
 */
#include <stdarg.h>
#include <stdlib.h>

#define UNIT_MAIN
#include "rules_load.h"
#include "unit.h"

struct buf {
	char *s;
	size_t len, cap;
};

static void add(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->cap - b->len, fmt, ap);
		va_end(ap);
		if ((size_t)n < b->cap - b->len)
			break;
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	b->len += (size_t)n;
}

static struct rules_set *load(struct buf *b)
{
	struct rules_set *rs = rules_set__new();

	rules_set__load_buf(rs, "h.yaml", b->s, b->len);
	rules_set__compile(rs);
	free(b->s);
	*b = (struct buf){0};
	return rs;
}

static const char *first_msg(const struct rules_set *rs)
{
	return rules_set__ndiags(rs) ? rules_set__diag(rs, 0)->msg : "";
}

UNIT_TEST(a_long_chain_of_macros)
{
	struct buf b = {0};
	struct rules_set *rs;
	const struct rules_rule *r;

	add(&b, "- macro: m0\n  condition: evt.type = open\n");
	for (int i = 1; i < 20000; i++)
		add(&b, "- macro: m%d\n  condition: m%d and proc.name != x%d\n", i, i - 1, i);
	add(&b, "- rule: R\n  desc: d\n  condition: m19999\n  output: o\n  priority: info\n");
	rs = load(&b);
	r = rules_set__find_rule(rs, "R");
	CHECK_STR(first_msg(rs), "");
	CHECK(r && r->status == RULES_LOADED);
	rules_set__free(rs);
}

UNIT_TEST(a_long_cycle_of_macros)
{
	struct buf b = {0};
	struct rules_set *rs;

	add(&b, "- macro: m0\n  condition: evt.type = open\n");
	for (int i = 1; i < 5000; i++)
		add(&b, "- macro: m%d\n  condition: m%d\n", i, i - 1);
	add(&b, "- macro: m0\n  condition: or m4999\n  override:\n    condition: append\n");
	add(&b, "- rule: R\n  desc: d\n  condition: m10\n  output: o\n  priority: info\n");
	rs = load(&b);
	CHECK(strncmp(first_msg(rs), "macro 'm1': cycle of macros: m0 -> m4999 -> m4998", 49) == 0);
	CHECK_INT(rules_set__nerrors(rs), 1);
	CHECK_INT(rules_set__find_rule(rs, "R")->status, RULES_FAILED);
	rules_set__free(rs);
}

UNIT_TEST(deep_and_doubling_lists)
{
	struct buf b = {0};
	struct rules_set *rs;

	/* defined in order, each list is expanded once, from the one before it */
	add(&b, "- list: l0\n  items: [a]\n");
	for (int i = 1; i < 100; i++)
		add(&b, "- list: l%d\n  items: [l%d]\n", i, i - 1);
	add(&b, "- rule: R\n  desc: d\n  condition: evt.type = open and proc.name in (l99)\n"
		"  output: o\n  priority: info\n");
	rs = load(&b);
	CHECK_STR(first_msg(rs), "");
	CHECK_INT(rules_set__find_rule(rs, "R")->status, RULES_LOADED);
	rules_set__free(rs);

	/* appends let each list see the next one: a chain 100 deep */
	for (int i = 0; i < 100; i++)
		add(&b, "- list: l%d\n  items: [x]\n", i);
	for (int i = 0; i < 99; i++)
		add(&b, "- list: l%d\n  items: [l%d]\n  override:\n    items: append\n", i, i + 1);
	add(&b, "- rule: R\n  desc: d\n  condition: evt.type = open and proc.name in (l0)\n"
		"  output: o\n  priority: info\n");
	rs = load(&b);
	CHECK_STR(first_msg(rs), "list 'l64': lists nested deeper than 64 levels");
	CHECK_INT(rules_set__find_rule(rs, "R")->status, RULES_FAILED);
	rules_set__free(rs);

	add(&b, "- list: d0\n  items: [a, b]\n");
	for (int i = 1; i < 40; i++)
		add(&b, "- list: d%d\n  items: [d%d, d%d]\n", i, i - 1, i - 1);
	rs = load(&b);
	CHECK_STR(first_msg(rs), "list 'd20': more than 1048576 items");
	rules_set__free(rs);
}

UNIT_TEST(huge_conditions)
{
	struct buf b = {0};
	struct rules_set *rs;
	const struct rules_rule *r;

	add(&b, "- rule: R\n  desc: d\n  condition: evt.type = open");
	for (int i = 0; i < 50000; i++)
		add(&b, " and proc.name != p%d", i);
	add(&b, "\n  output: o\n  priority: info\n- rule: S\n  desc: d\n  condition: ");
	for (int i = 0; i < 1000; i++)
		add(&b, "(");
	add(&b, "evt.type = open");
	for (int i = 0; i < 1000; i++)
		add(&b, ")");
	add(&b, "\n  output: o\n  priority: info\n");
	rs = load(&b);
	r = rules_set__find_rule(rs, "R");
	CHECK(r && r->status == RULES_LOADED && r->cond->nkids == 50001);
	CHECK_STR(first_msg(rs), "rule 'S': condition: nested deeper than 200 levels");
	rules_set__free(rs);
}

UNIT_TEST(diagnostics_are_bounded)
{
	struct buf b = {0};
	struct rules_set *rs;

	for (int i = 0; i < 12000; i++)
		add(&b, "- macro: m%d\n  condition: (\n", i);
	rs = load(&b);
	CHECK_INT(rules_set__ndiags(rs), RULES_DIAGS_MAX);
	CHECK_INT(rules_set__dropped_diags(rs), 2000);
	CHECK_INT(rules_set__nerrors(rs), 12000);
	rules_set__free(rs);
}

int main(void)
{
	return unit_run();
}
