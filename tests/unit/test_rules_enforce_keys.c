// SPDX-License-Identifier: Apache-2.0
/*
 * vigil's enforcement keys on rule items (action, mode, threshold): every valid value, errors
 * with their positions, override (replace only), redefinition, the deprecated forms that
 * ignore them, and the effective mode.
 */
#include <errno.h>

#define UNIT_MAIN
#include "rules_load.h"
#include "unit.h"

#include "rules_fixture.h"

/* A rule R on line 1, its extra keys from line 6 on. */
#define RULE_R(extra)                                                                              \
	"- rule: R\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: "            \
	"WARNING\n" extra

/* R as the one-file set gives it; NULL (and a failure) when it did not load cleanly. */
static const struct rules_rule *rule_r(struct rules_set *rs)
{
	const struct rules_rule *r = rules_set__find_rule(rs, "R");

	CHECK_STR(diags(rs), "");
	CHECK(r && r->status == RULES_LOADED);
	return r && r->status == RULES_LOADED ? r : NULL;
}

UNIT_TEST(names_and_parse)
{
	static const char *const acts[] = {"kill", "deny", "quarantine"};
	static const char *const modes[] = {"monitor", "alert", "enforce"};
	enum rules_action a = RULES_ACT_NONE;
	enum rules_mode m = RULES_MODE_UNSET;

	for (int i = 0; i < 3; i++) {
		CHECK_INT(rules_action__parse(acts[i], &a), 0);
		CHECK_INT(a, RULES_ACT_KILL + i);
		CHECK_STR(rules_action__name(a), acts[i]);
		CHECK_INT(rules_mode__parse(modes[i], &m), 0);
		CHECK_INT(m, RULES_MODE_MONITOR + i);
		CHECK_STR(rules_mode__name(m), modes[i]);
	}
	CHECK_STR(rules_action__name(RULES_ACT_NONE), "none");
	CHECK_STR(rules_mode__name(RULES_MODE_UNSET), "unset");
	CHECK_STR(rules_action__name((enum rules_action)99), "?");
	CHECK_STR(rules_mode__name((enum rules_mode)99), "?");
	CHECK_INT(rules_action__parse("none", &a), -EINVAL);
	CHECK_INT(rules_action__parse("Kill", &a), -EINVAL);
	CHECK_INT(rules_action__parse("", &a), -EINVAL);
	CHECK_INT(rules_mode__parse("unset", &m), -EINVAL);
	CHECK_INT(rules_mode__parse("ENFORCE", &m), -EINVAL);
	CHECK_INT(a, RULES_ACT_QUARANTINE); /* unchanged by the failures */
	CHECK_INT(m, RULES_MODE_ENFORCE);
}

UNIT_TEST(each_valid_value)
{
	static const char *const acts[] = {"kill", "deny", "quarantine"};
	static const char *const modes[] = {"monitor", "alert", "enforce"};
	char yaml[512];

	for (int i = 0; i < 3; i++) {
		struct rules_set *rs;
		const struct rules_rule *r;

		snprintf(yaml, sizeof(yaml), RULE_R("  action: %s\n  mode: %s\n"), acts[i],
			 modes[i]);
		rs = load(yaml);
		r = rule_r(rs);
		if (r) {
			CHECK_INT(r->action, RULES_ACT_KILL + i);
			CHECK_INT(r->mode, RULES_MODE_MONITOR + i);
			CHECK_INT(r->thr_count, 0);
			CHECK_INT(r->thr_window_ns, 0);
		}
		rules_set__free(rs);
	}
}

UNIT_TEST(effective_mode)
{
	struct rules_rule r = {0};

	CHECK_INT(rules_rule__mode(&r), RULES_MODE_ALERT);
	r.action = RULES_ACT_DENY;
	CHECK_INT(rules_rule__mode(&r), RULES_MODE_ENFORCE);
	r.mode = RULES_MODE_ALERT;
	CHECK_INT(rules_rule__mode(&r), RULES_MODE_ALERT);
	r.mode = RULES_MODE_MONITOR;
	CHECK_INT(rules_rule__mode(&r), RULES_MODE_MONITOR);
	r.action = RULES_ACT_NONE;
	r.mode = RULES_MODE_ENFORCE;
	CHECK_INT(rules_rule__mode(&r), RULES_MODE_ENFORCE);
}

UNIT_TEST(defaults_when_absent)
{
	struct rules_set *rs = load(RULE_R(""));
	const struct rules_rule *r = rule_r(rs);

	if (r) {
		CHECK_INT(r->action, RULES_ACT_NONE);
		CHECK_INT(r->mode, RULES_MODE_UNSET);
		CHECK_INT(rules_rule__mode(r), RULES_MODE_ALERT);
		CHECK_INT(r->thr_count, 0);
		CHECK_INT(r->thr_window_ns, 0);
	}
	rules_set__free(rs);
	rs = load(RULE_R("  action: kill\n"));
	r = rule_r(rs);
	if (r)
		CHECK_INT(rules_rule__mode(r), RULES_MODE_ENFORCE);
	rules_set__free(rs);
}

UNIT_TEST(invalid_action_and_mode)
{
	struct rules_set *rs = load(RULE_R("  action: Kill\n") "- rule: S\n"
							       "  desc: d\n"
							       "  condition: evt.type = open\n"
							       "  output: o\n"
							       "  priority: debug\n"
							       "  mode: block\n"
							       "- rule: T\n"
							       "  desc: d\n"
							       "  condition: evt.type = open\n"
							       "  output: o\n"
							       "  priority: debug\n"
							       "  action: [kill]\n"
							       "  mode: \"\"\n");

	CHECK_STR(diags(rs),
		  "r.yaml:6:11: error: rule 'R': invalid action 'Kill': kill, deny or quarantine\n"
		  "r.yaml:12:9: error: rule 'S': invalid mode 'block': monitor, alert or enforce\n"
		  "r.yaml:18:11: error: rule 'T': 'action' must be a string\n");
	CHECK(rules_set__find_rule(rs, "R") == NULL);
	CHECK(rules_set__find_rule(rs, "S") == NULL);
	CHECK(rules_set__find_rule(rs, "T") == NULL);
	CHECK_INT(rules_set__nerrors(rs), 3);
	rules_set__free(rs);
	rs = load(RULE_R("  mode: \"\"\n"));
	CHECK_STR(diags(rs), "r.yaml:6:9: error: rule 'R': 'mode' is empty\n");
	rules_set__free(rs);
}

UNIT_TEST(threshold_valid)
{
	static const struct {
		const char *yaml;
		uint32_t count;
		uint64_t ns;
	} ok[] = {
	    {"{count: 3, window: 10s}", 3, 10000000000ull},
	    {"{count: 1, window: 500ms}", 1, 500000000ull},
	    {"{count: 2, window: 5}", 2, 5000000000ull},
	    {"{window: \"2m\", count: \"7\"}", 7, 120000000000ull},
	    {"{count: 1000000, window: 24h}", 1000000, 86400000000000ull},
	    {"{count: 5, window: 1ms}", 5, 1000000ull},
	    {"{count: 5, window: 86400}", 5, 86400000000000ull},
	    {"\n    count: 4\n    window: 1h", 4, 3600000000000ull},
	};
	char yaml[512];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct rules_set *rs;
		const struct rules_rule *r;

		snprintf(yaml, sizeof(yaml), RULE_R("  threshold: %s\n"), ok[i].yaml);
		rs = load(yaml);
		r = rule_r(rs);
		if (r) {
			CHECK_INT(r->thr_count, ok[i].count);
			CHECK_INT(r->thr_window_ns, ok[i].ns);
		} else {
			printf("  (threshold %s)\n", ok[i].yaml);
		}
		rules_set__free(rs);
	}
}

UNIT_TEST(threshold_invalid)
{
	static const struct {
		const char *yaml, *diag;
	} bad[] = {
	    {"{window: 10s}", "r.yaml:6:14: error: rule 'R': 'threshold' needs 'count': "
			      "{count: N, window: D}\n"},
	    {"{count: 3}", "r.yaml:6:14: error: rule 'R': 'threshold' needs 'window': "
			   "{count: N, window: D}\n"},
	    {"{count: 0, window: 10s}", "r.yaml:6:22: error: rule 'R': threshold 'count' must "
					"be an integer from 1 to 1000000, not '0'\n"},
	    {"{count: 1000001, window: 10s}", "r.yaml:6:22: error: rule 'R': threshold 'count' "
					      "must be an integer from 1 to 1000000, not "
					      "'1000001'\n"},
	    {"{count: -1, window: 10s}", "r.yaml:6:22: error: rule 'R': threshold 'count' must "
					 "be an integer from 1 to 1000000, not '-1'\n"},
	    {"{count: [1], window: 10s}", "r.yaml:6:22: error: rule 'R': threshold 'count' "
					  "must be an integer from 1 to 1000000, not '(a "
					  "list)'\n"},
	    {"{count: 99999999999999999999999, window: 10s}",
	     "r.yaml:6:22: error: rule 'R': threshold 'count' must be an integer from 1 to "
	     "1000000, not '99999999999999999999999'\n"},
	    {"{count: 3, window: 10x}", "r.yaml:6:33: error: rule 'R': threshold 'window' must "
					"be a duration from 1ms to 24h (500ms, 10s, 2m, 1h; a "
					"number alone is seconds), not '10x'\n"},
	    {"{count: 3, window: 0s}", "r.yaml:6:33: error: rule 'R': threshold 'window' must "
				       "be a duration from 1ms to 24h (500ms, 10s, 2m, 1h; a "
				       "number alone is seconds), not '0s'\n"},
	    {"{count: 3, window: 25h}", "r.yaml:6:33: error: rule 'R': threshold 'window' must "
					"be a duration from 1ms to 24h (500ms, 10s, 2m, 1h; a "
					"number alone is seconds), not '25h'\n"},
	    {"{count: 3, window: 1.5s}", "r.yaml:6:33: error: rule 'R': threshold 'window' "
					 "must be a duration from 1ms to 24h (500ms, 10s, 2m, "
					 "1h; a number alone is seconds), not '1.5s'\n"},
	    {"{count: 3, window: 10 s}", "r.yaml:6:33: error: rule 'R': threshold 'window' "
					 "must be a duration from 1ms to 24h (500ms, 10s, 2m, "
					 "1h; a number alone is seconds), not '10 s'\n"},
	    {"{count: 3, window: ms}", "r.yaml:6:33: error: rule 'R': threshold 'window' must "
				       "be a duration from 1ms to 24h (500ms, 10s, 2m, 1h; a "
				       "number alone is seconds), not 'ms'\n"},
	    {"{count: 3, window: 10s, burst: 2}", "r.yaml:6:38: error: rule 'R': unknown key "
						  "'burst' in 'threshold': count and "
						  "window only\n"},
	    {"{count: 3, count: 4, window: 1s}", "r.yaml:6:25: error: rule 'R': duplicate key "
						 "'count' in 'threshold'\n"},
	    {"10s", "r.yaml:6:14: error: rule 'R': 'threshold' must be a mapping: {count: N, "
		    "window: D}\n"},
	    {"[3, 10s]", "r.yaml:6:14: error: rule 'R': 'threshold' must be a mapping: {count: "
			 "N, window: D}\n"},
	    {"", "r.yaml:6:13: error: rule 'R': 'threshold' must be a mapping: {count: N, "
		 "window: D}\n"},
	};
	char yaml[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rules_set *rs;

		snprintf(yaml, sizeof(yaml), RULE_R("  threshold: %s\n"), bad[i].yaml);
		rs = load(yaml);
		CHECK_STR(diags(rs), bad[i].diag);
		CHECK(rules_set__find_rule(rs, "R") == NULL);
		rules_set__free(rs);
	}
}

UNIT_TEST(monitor_with_action_and_threshold)
{
	struct rules_set *rs = load(RULE_R("  action: kill\n"
					   "  mode: monitor\n"
					   "  threshold: {count: 2, window: 1m}\n"));
	const struct rules_rule *r = rule_r(rs);

	if (r) {
		CHECK_INT(rules_rule__mode(r), RULES_MODE_MONITOR);
		CHECK_INT(r->action, RULES_ACT_KILL);
		CHECK_INT(r->thr_count, 2);
	}
	rules_set__free(rs);
	rs = load(RULE_R("  action: quarantine\n  enabled: false\n"));
	r = rule_r(rs);
	if (r) {
		CHECK(!r->enabled);
		CHECK_INT(r->action, RULES_ACT_QUARANTINE);
		CHECK_INT(rules_rule__mode(r), RULES_MODE_ENFORCE);
	}
	rules_set__free(rs);
}

UNIT_TEST(override_replace)
{
	struct rules_set *rs =
	    load2(RULE_R("  action: kill\n  mode: alert\n"), "- rule: R\n"
							     "  mode: enforce\n"
							     "  override:\n"
							     "    mode: replace\n");
	const struct rules_rule *r = rule_r(rs);

	if (r) {
		CHECK_INT(r->mode, RULES_MODE_ENFORCE);
		CHECK_INT(r->action, RULES_ACT_KILL);
		CHECK_STR(r->file, "a.yaml");
	}
	rules_set__free(rs);
	rs = load2(RULE_R("  mode: alert\n  threshold: {count: 1, window: 1s}\n"),
		   "- rule: R\n"
		   "  action: deny\n"
		   "  threshold: {count: 9, window: 2m}\n"
		   "  enabled: false\n"
		   "  override:\n"
		   "    action: replace\n"
		   "    threshold: replace\n"
		   "    enabled: replace\n");
	r = rule_r(rs);
	if (r) {
		CHECK_INT(r->mode, RULES_MODE_ALERT);
		CHECK_INT(r->action, RULES_ACT_DENY);
		CHECK_INT(r->thr_count, 9);
		CHECK_INT(r->thr_window_ns, 120000000000ull);
		CHECK(!r->enabled);
	}
	rules_set__free(rs);
}

UNIT_TEST(override_errors)
{
	struct rules_set *rs =
	    load2(RULE_R("  action: kill\n  mode: alert\n"), "- rule: R\n"
							     "  mode: enforce\n"
							     "  override:\n"
							     "    mode: append\n"
							     "- rule: R\n"
							     "  action: deny\n"
							     "  override:\n"
							     "    action: append\n"
							     "- rule: R\n"
							     "  threshold: {count: 1, window: 1s}\n"
							     "  override:\n"
							     "    threshold: append\n"
							     "- rule: R\n"
							     "  mode: enforce\n"
							     "  override:\n"
							     "    action: replace\n"
							     "- rule: R\n"
							     "  mode: stop\n"
							     "  override:\n"
							     "    mode: replace\n"
							     "- rule: Nope\n"
							     "  mode: enforce\n"
							     "  override:\n"
							     "    mode: replace\n");
	const struct rules_rule *r = rules_set__find_rule(rs, "R");

	CHECK_STR(diags(rs),
		  "b.yaml:4:5: error: rule 'R': 'mode' cannot be appended to, use 'replace' "
		  "instead\n"
		  "b.yaml:8:5: error: rule 'R': 'action' cannot be appended to, use 'replace' "
		  "instead\n"
		  "b.yaml:12:5: error: rule 'R': 'threshold' cannot be appended to, use "
		  "'replace' instead\n"
		  "b.yaml:13:3: error: rule 'R': an override of 'action' is given, but 'action' "
		  "is not\n"
		  "b.yaml:18:9: error: rule 'R': invalid mode 'stop': monitor, alert or enforce\n"
		  "b.yaml:21:3: error: rule 'Nope': cannot replace keys of a rule that is not "
		  "defined before\n");
	CHECK(r != NULL);
	if (r) {
		CHECK_INT(r->mode, RULES_MODE_ALERT); /* nothing of the bad items applied */
		CHECK_INT(r->action, RULES_ACT_KILL);
		CHECK_INT(r->status, RULES_LOADED);
	}
	rules_set__free(rs);
}

UNIT_TEST(redefinition_resets)
{
	struct rules_set *rs =
	    load2(RULE_R("  action: kill\n  mode: enforce\n  threshold: {count: 3, window: 10s}\n"),
		  RULE_R(""));
	const struct rules_rule *r = rules_set__find_rule(rs, "R");

	CHECK_STR(diags(rs), "");
	CHECK(r != NULL);
	if (r) {
		CHECK_STR(r->file, "b.yaml");
		CHECK_INT(r->action, RULES_ACT_NONE);
		CHECK_INT(r->mode, RULES_MODE_UNSET);
		CHECK_INT(r->thr_count, 0);
		CHECK_INT(r->thr_window_ns, 0);
	}
	rules_set__free(rs);
	rs = load2(RULE_R("  action: kill\n"), RULE_R("  action: deny\n  mode: monitor\n"));
	r = rules_set__find_rule(rs, "R");
	CHECK(r && r->action == RULES_ACT_DENY && r->mode == RULES_MODE_MONITOR);
	rules_set__free(rs);
}

/* As priority: ignored, with a warning, by append: true; enabled alone also says so. */
UNIT_TEST(deprecated_forms_ignore_them)
{
	struct rules_set *rs = load2(RULE_R(""), "- rule: R\n"
						 "  condition: and proc.name = x\n"
						 "  action: kill\n"
						 "  mode: enforce\n"
						 "  append: true\n"
						 "- rule: R\n"
						 "  enabled: true\n"
						 "  threshold: {count: 1, window: 1s}\n");
	const struct rules_rule *r = rules_set__find_rule(rs, "R");

	CHECK_STR(diags(rs),
		  "b.yaml:3:11: warning: rule 'R': 'action' is ignored with 'append: true' (use "
		  "override)\n"
		  "b.yaml:4:9: warning: rule 'R': 'mode' is ignored with 'append: true' (use "
		  "override)\n"
		  "b.yaml:5:11: warning: rule 'R': 'append' is deprecated: use 'override' (e.g. "
		  "'condition: append')\n"
		  "b.yaml:7:12: warning: rule 'R': 'enabled' alone is deprecated: use override: "
		  "{enabled: replace}\n"
		  "b.yaml:8:14: warning: rule 'R': 'threshold' is ignored with 'enabled' alone "
		  "(use override)\n");
	CHECK_INT(rules_set__nerrors(rs), 0);
	if (r) {
		CHECK_INT(r->action, RULES_ACT_NONE);
		CHECK_INT(r->mode, RULES_MODE_UNSET);
		CHECK_INT(r->thr_count, 0);
		CHECK_INT(r->status, RULES_LOADED);
	}
	rules_set__free(rs);
}

int main(void)
{
	return unit_run();
}
