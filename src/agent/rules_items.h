/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers for reading items, shared by rules_items.c (lists, macros, versions, the dispatch)
 * and rules_rule.c (rules). Nothing else includes this. */
#ifndef VIGIL_RULES_ITEMS_H
#define VIGIL_RULES_ITEMS_H

#include "rules_int.h"

/* The keys that append and override act on. */
enum rk {
	RK_CONDITION,
	RK_OUTPUT,
	RK_DESC,
	RK_PRIORITY,
	RK_TAGS,
	RK_EXCEPTIONS,
	RK_ENABLED,
	RK_WARN_EVTTYPES,
	RK_SKIP_UNKNOWN,
	RK_ACTION, /* vigil's enforcement keys, replaceable only */
	RK_MODE,
	RK_THRESHOLD,
	RK_ITEMS,
	RK_MAX,
};

extern const char *const rk_names[RK_MAX];

#define RK(k)		(1u << RK_##k)
#define RULE_APPENDABLE (RK(CONDITION) | RK(OUTPUT) | RK(DESC) | RK(TAGS) | RK(EXCEPTIONS))
#define RULE_ENFORCE	(RK(ACTION) | RK(MODE) | RK(THRESHOLD))
#define RULE_REPLACEABLE                                                                           \
	(RULE_APPENDABLE | RK(PRIORITY) | RK(ENABLED) | RK(WARN_EVTTYPES) | RK(SKIP_UNKNOWN) |     \
	 RULE_ENFORCE)

/* The item being read, for messages: "rule 'Name': ..." */
struct ictx {
	struct rules_set *rs;
	struct rl_file *f;
	const struct ynode *item;
	const char *kind, *name;
};

/* Report at `at` (the item when NULL), prefixed with the item; ierr returns -EINVAL. */
int ri_err(struct ictx *c, const struct ynode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ri_warn(struct ictx *c, const struct ynode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int ri_nomem(struct ictx *c);
/* A non-empty scalar under key: 0 and *out, 1 when absent and optional, else an error. */
int ri_str(struct ictx *c, const char *key, bool required, const struct ynode **out);
/* An optional boolean: 0 and *out set, 1 when absent, else an error. */
int ri_bool(struct ictx *c, const char *key, bool *out);
int ri_parse_bool(const char *s, bool *out);
/* A list of scalars: 0, 1 when absent, else an error. */
int ri_seq(struct ictx *c, const char *key, const struct ynode **out);
/* Duplicate keys are errors, keys not in allowed (NULL terminated) warnings. */
int ri_keys(struct ictx *c, const char *const *allowed);
/* append: true (deprecated) or override: {key: append|replace}, not both. */
int ri_append(struct ictx *c, unsigned appendable, unsigned replaceable, bool *append,
	      unsigned *app, unsigned *rep);
/* The keys among `keys` the item has. */
unsigned ri_present(const struct ynode *item, unsigned keys);
/* Every key overridden must be there, and every overridable key there must be overridden. */
int ri_override_keys(struct ictx *c, unsigned overridable, unsigned app, unsigned rep);

/* rules_except.c: the item's exceptions (fields may be left out when appending, to add values
 * to an exception defined before); adding them to a rule. */
int rl_read_exceptions(struct ictx *c, bool append, struct rl_exc **out, size_t *n);
int rl_merge_exceptions(struct ictx *c, struct rl_rule *r, const struct rl_exc *add, size_t n);

/* rules_rule.c */
int rl_read_rule(struct ictx *c);

#endif /* VIGIL_RULES_ITEMS_H */
