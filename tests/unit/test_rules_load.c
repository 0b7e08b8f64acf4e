// SPDX-License-Identifier: Apache-2.0
/*
 * rules_load: Falco rule files from small inline documents. Items, their errors and what is
 * fatal for what; append and override of every key; exceptions; enabled; visibility of lists
 * and macros, cycles, undefined names; skipped rules (fields, event types, sources); several
 * files in order and a directory; positions of everything, block scalars included.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define UNIT_MAIN
#include "rules_fields.h"
#include "rules_load.h"
#include "unit.h"

#define MAX_FILES 4

#include "rules_fixture.h"

/* A rule's condition as rules_cond__dump shows it, macros opened; or its status. */
static const char *cond(const struct rules_set *rs, const char *rule)
{
	static char buf[4096];
	const struct rules_rule *r = rules_set__find_rule(rs, rule);

	if (!r)
		return "(no rule)";
	if (r->status != RULES_LOADED) {
		snprintf(buf, sizeof(buf), "(%s: %s)",
			 r->status == RULES_SKIPPED ? "skipped" : "failed", r->reason);
		return buf;
	}
	rules_cond__dump(r->cond, 8, buf, sizeof(buf));
	return buf;
}

#define RULE(name, condition)                                                                      \
	"- rule: " name "\n  desc: d\n  condition: " condition "\n  output: o\n  priority: "       \
	"WARNING\n"

UNIT_TEST(macro_list_rule)
{
	struct rules_set *rs = load("- list: shells\n"
				    "  items: [bash, sh, \"'z sh'\"]\n"
				    "- macro: spawned\n"
				    "  condition: evt.type in (execve, execveat)\n"
				    "- macro: shell\n"
				    "  condition: proc.name in (shells, zsh)\n"
				    "- rule: Shell\n"
				    "  desc: a shell\n"
				    "  condition: spawned and shell\n"
				    "  output: >\n"
				    "    shell %proc.name\n"
				    "  priority: notice\n"
				    "  tags: [a, b, a]\n");
	const struct rules_rule *r = rules_set__find_rule(rs, "Shell");
	const struct rules_file *f = rules_set__file(rs, 0);
	size_t n;
	const struct rc_value *items = rules_set__list(rs, "shells", &n);

	CHECK_STR(diags(rs), "");
	CHECK_INT(rules_set__nerrors(rs), 0);
	CHECK_STR(cond(rs, "Shell"), "(and spawned=>{evt.type in (execve, execveat)} "
				     "shell=>{proc.name in (bash, sh, \"z sh\", zsh)})");
	CHECK(r && r->status == RULES_LOADED && r->enabled);
	if (r) {
		CHECK_STR(r->output, "shell %proc.name");
		CHECK_STR(r->desc, "a shell");
		CHECK_INT(r->priority, RULES_PRIO_NOTICE);
		CHECK_INT(r->ntags, 2);
		CHECK_STR(r->source, "syscall");
		CHECK_INT(r->events, RF_EV(EXEC));
		CHECK_INT(r->pos.line, 7);
		CHECK_INT(r->pos.col, 3);
	}
	CHECK_INT(n, 3);
	CHECK(items && items[2].quoted);
	CHECK(rules_set__macro(rs, "shell") != NULL);
	CHECK_INT(f->rules, 1);
	CHECK_INT(f->loaded, 1);
	CHECK_INT(f->macros, 2);
	CHECK_INT(f->lists, 1);
	rules_set__free(rs);
}

UNIT_TEST(priorities)
{
	static const char *const ok[] = {"EMERGENCY",	  "alert",   "Critical",
					 "ERROR",	  "warning", "notice",
					 "informational", "INFO",    "debug"};
	enum rules_priority p;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		CHECK_INT(rules_priority__parse(ok[i], &p), 0);
	CHECK_INT(p, RULES_PRIO_DEBUG);
	CHECK_INT(rules_priority__parse("warn", &p), -EINVAL);
	CHECK_STR(rules_priority__name(RULES_PRIO_INFORMATIONAL), "informational");
}

UNIT_TEST(item_errors_are_per_item)
{
	struct rules_set *rs =
	    load("- rule: A\n"
		 "  desc: d\n"
		 "  condition: evt.type = open\n"
		 "  output: o\n"
		 "  priority: loud\n" RULE("B", "evt.type = open") "- rule: C\n"
								   "  desc: d\n"
								   "- macro: 1bad\n"
								   "  condition: x\n"
								   "- list: l\n"
								   "  items: {a: b}\n"
								   "- just a string\n"
								   "- rule: D\n"
								   "  rule: D2\n"
								   "- foo: bar\n"
								   "- rule: E\n"
								   "  desc: d\n"
								   "  condition: evt.type = open\n"
								   "  output: o\n"
								   "  priority: info\n"
								   "  colour: red\n"
								   "  enabled: maybe\n"
								   "-\n");

	CHECK_STR(diags(rs),
		  "r.yaml:5:13: error: rule 'A': invalid priority 'loud': emergency, alert, "
		  "critical, error, warning, notice, informational or debug\n"
		  "r.yaml:11:3: error: rule 'C': missing key 'condition'\n"
		  "r.yaml:13:10: error: macro '1bad': invalid macro name: it must be letters, then "
		  "letters, digits or '_'\n"
		  "r.yaml:16:10: error: list 'l': 'items' must be a list\n"
		  "r.yaml:17:3: error: item: an item must be a mapping: rule, macro, list...\n"
		  "r.yaml:19:3: error: rule 'D': duplicate key 'rule'\n"
		  "r.yaml:20:3: warning: item: unknown item ignored: expected rule, macro, list, "
		  "required_engine_version or required_plugin_versions\n"
		  "r.yaml:26:3: warning: rule 'E': unknown key 'colour' ignored\n"
		  "r.yaml:27:12: error: rule 'E': 'enabled' must be true or false, not 'maybe'\n");
	CHECK_STR(cond(rs, "B"), "{evt.type = open}");
	CHECK_STR(cond(rs, "A"), "(no rule)");
	CHECK_INT(rules_set__nrules(rs), 1);
	CHECK_INT(rules_set__nerrors(rs), 7);
	rules_set__free(rs);
}

UNIT_TEST(malformed_yaml_is_fatal_for_the_file)
{
	struct rules_set *rs = load2(RULE("A", "evt.type = open") "- rule: B\n"
								  "  condition: [oops\n",
				     RULE("C", "evt.type = open"));
	const struct rules_file *f = rules_set__file(rs, 0);

	CHECK_STR(diags(rs), "a.yaml:8:1: error: did not find expected ',' or ']' while parsing "
			     "a flow sequence; the file is not loaded\n");
	CHECK(f->failed);
	CHECK_STR(cond(rs, "A"), "(no rule)");
	CHECK_STR(cond(rs, "C"), "{evt.type = open}");
	CHECK(!rules_set__file(rs, 1)->failed);
	rules_set__free(rs);
	rs = load("rule: A\n");
	CHECK_STR(diags(rs), "r.yaml:1:1: error: a rules file is a sequence of items (rule, "
			     "macro, list...); this document is not loaded\n");
	rules_set__free(rs);
	rs = load("- a: &x 1\n");
	CHECK_STR(diags(rs), "r.yaml:1:6: error: anchors and aliases are not supported; the file "
			     "is not loaded\n");
	rules_set__free(rs);
	rs = load("");
	CHECK_STR(diags(rs), "");
	CHECK_INT(rules_set__nerrors(rs), 0);
	rules_set__free(rs);
}

UNIT_TEST(condition_errors_have_positions)
{
	struct rules_set *rs = load("- macro: m\n"
				    "  condition: >\n"
				    "    evt.type = open and\n"
				    "    (proc.name = a\n"
				    "- rule: R\n"
				    "  desc: d\n"
				    "  condition: |\n"
				    "    evt.type = open\n"
				    "      and proc.name like x\n"
				    "  output: o\n"
				    "  priority: debug\n"
				    "- rule: S\n"
				    "  desc: d\n"
				    "  condition: \"evt.type = open and proc.name = 'x\"\n"
				    "  output: o\n"
				    "  priority: debug\n" RULE("T", "m and proc.name = x"));

	CHECK_STR(
	    diags(rs),
	    "r.yaml:4:5: error: macro 'm': condition: unbalanced parenthesis: '(' is not "
	    "closed\n"
	    "r.yaml:9:21: error: rule 'R': condition: unknown operator 'like' after proc.name\n"
	    "r.yaml:14:47: error: rule 'S': condition: unterminated string: no closing '\n");
	CHECK_STR(cond(rs, "R"), "(failed: its condition has errors)");
	CHECK_STR(cond(rs, "T"), "(failed: it uses macro 'm', which has errors)");
	rules_set__free(rs);
}

UNIT_TEST(undefined_names)
{
	struct rules_set *rs = load("- list: l\n"
				    "  items: [a]\n" RULE("R", "evt.type = open and nomacro")
					RULE("S", "evt.type = open and l")
					    RULE("T", "evt.type = open and proc.name in nolist"));

	CHECK_STR(diags(rs),
		  "r.yaml:5:34: error: rule 'R': undefined macro 'nomacro'\n"
		  "r.yaml:10:34: error: rule 'S': undefined macro 'l' (it is a list: use "
		  "'in (list)')\n"
		  "r.yaml:15:47: error: rule 'T': undefined list 'nolist'\n");
	CHECK_STR(cond(rs, "R"), "(failed: its condition has errors)");
	rules_set__free(rs);
}

UNIT_TEST(visibility_of_macros_and_lists)
{
	/* a macro sees macros defined before it, a rule every macro; a list sees lists defined
	 * before it (a later one is a plain string), a condition every list */
	struct rules_set *rs =
	    load("- list: a\n"
		 "  items: [b, x]\n"
		 "- list: b\n"
		 "  items: [y]\n"
		 "- list: c\n"
		 "  items: [a]\n"
		 "- macro: m1\n"
		 "  condition: m2\n"
		 "- macro: m2\n"
		 "  condition: evt.type = open\n" RULE("R", "m2 and proc.name in (c, d)")
		     RULE("S", "later") "- macro: later\n"
					"  condition: evt.type = connect\n");

	CHECK_STR(diags(rs), "r.yaml:8:14: error: macro 'm1': undefined macro 'm2' (a macro can "
			     "only use macros defined before it)\n");
	CHECK_STR(cond(rs, "R"), "(and m2=>{evt.type = open} {proc.name in (b, x, d)})");
	CHECK_STR(cond(rs, "S"), "later=>{evt.type = connect}");
	rules_set__free(rs);
}

UNIT_TEST(list_cycles)
{
	/* b sees a (defined before it); a sees b only once it is appended to after b */
	struct rules_set *rs =
	    load("- list: a\n"
		 "  items: [x]\n"
		 "- list: b\n"
		 "  items: [a, y]\n"
		 "- list: a\n"
		 "  items: [b]\n"
		 "  override:\n"
		 "    items: append\n"
		 "- macro: m\n"
		 "  condition: proc.name in (b)\n" RULE("R", "proc.name in (b)")
		     RULE("S", "evt.type = open") RULE("T", "evt.type = open and m"));

	CHECK_STR(diags(rs), "r.yaml:3:3: error: list 'b': cycle of lists: a -> b -> a\n");
	CHECK_STR(cond(rs, "R"), "(failed: it uses list 'b', which has errors)");
	CHECK_STR(cond(rs, "S"), "{evt.type = open}");
	CHECK_STR(cond(rs, "T"), "(failed: it uses list 'b', which has errors)");
	rules_set__free(rs);
}

UNIT_TEST(macro_cycles)
{
	struct rules_set *rs =
	    load("- macro: a\n"
		 "  condition: evt.type = open\n"
		 "- macro: b\n"
		 "  condition: a and proc.name = x\n"
		 "- macro: c\n"
		 "  condition: b\n"
		 "- macro: a\n"
		 "  condition: or c\n"
		 "  override:\n"
		 "    condition: append\n" RULE("R", "c") RULE("S", "evt.type = open"));

	CHECK_STR(diags(rs), "r.yaml:4:14: error: macro 'b': cycle of macros: a -> c -> b -> a\n");
	CHECK_STR(cond(rs, "R"), "(failed: it uses macro 'c', which has errors)");
	CHECK_STR(cond(rs, "S"), "{evt.type = open}");
	rules_set__free(rs);
	rs = load("- macro: a\n"
		  "  condition: evt.type = open\n"
		  "- macro: a\n"
		  "  append: true\n"
		  "  condition: or a\n");
	CHECK_STR(diags(rs), "r.yaml:4:11: warning: macro 'a': 'append' is deprecated: use "
			     "'override' (e.g. 'condition: append')\n"
			     "r.yaml:5:17: error: macro 'a': cycle of macros: a -> a\n");
	rules_set__free(rs);
}

UNIT_TEST(list_and_macro_append_and_override)
{
	struct rules_set *rs =
	    load2("- list: l\n"
		  "  items: [a, b]\n"
		  "- list: k\n"
		  "  items: [a, b]\n"
		  "- macro: m\n"
		  "  condition: evt.type = open\n"
		  "- macro: n\n"
		  "  condition: evt.type = open\n" RULE("R", "m and n and proc.name in (l, k)"),
		  "- list: l\n"
		  "  items: [c]\n"
		  "  override:\n"
		  "    items: append\n"
		  "- list: k\n"
		  "  items: [z]\n"
		  "  override:\n"
		  "    items: replace\n"
		  "- macro: m\n"
		  "  condition: or evt.type = connect\n"
		  "  override:\n"
		  "    condition: append\n"
		  "- macro: n\n"
		  "  condition: evt.type = connect\n"
		  "  override:\n"
		  "    condition: replace\n");

	CHECK_STR(diags(rs), "");
	CHECK_STR(cond(rs, "R"), "(and m=>(or {evt.type = open} {evt.type = connect}) "
				 "n=>{evt.type = connect} {proc.name in (a, b, c, z)})");
	rules_set__free(rs);
	rs = load("- list: l\n"
		  "  items: [a]\n"
		  "  override:\n"
		  "    items: append\n"
		  "- macro: m\n"
		  "  condition: x\n"
		  "  append: true\n"
		  "- list: k\n"
		  "  items: [a]\n"
		  "  override:\n"
		  "    items: merge\n"
		  "- list: j\n"
		  "  items: [a]\n"
		  "  append: true\n"
		  "  override:\n"
		  "    items: append\n");
	CHECK_STR(
	    diags(rs),
	    "r.yaml:1:3: error: list 'l': cannot append to a list that is not defined before\n"
	    "r.yaml:5:3: error: macro 'm': cannot append to a macro that is not defined "
	    "before\n"
	    "r.yaml:7:11: warning: macro 'm': 'append' is deprecated: use 'override' (e.g. "
	    "'condition: append')\n"
	    "r.yaml:11:12: error: list 'k': override of 'items' must be 'append' or 'replace'\n"
	    "r.yaml:14:11: warning: list 'j': 'append' is deprecated: use 'override' (e.g. "
	    "'condition: append')\n"
	    "r.yaml:16:5: error: list 'j': 'append' and 'override' cannot be used together\n");
	rules_set__free(rs);
}

#define BASE                                                                                       \
	"- rule: R\n"                                                                              \
	"  desc: first\n"                                                                          \
	"  condition: evt.type = open\n"                                                           \
	"  output: out1\n"                                                                         \
	"  priority: WARNING\n"                                                                    \
	"  tags: [t1, t2]\n"                                                                       \
	"  exceptions:\n"                                                                          \
	"    - name: procs\n"                                                                      \
	"      fields: proc.name\n"                                                                \
	"      values: [a]\n"

UNIT_TEST(rule_override_append)
{
	struct rules_set *rs = load2(BASE, "- rule: R\n"
					   "  desc: more\n"
					   "  condition: and proc.name = x\n"
					   "  output: out2\n"
					   "  tags: [t2, t3]\n"
					   "  exceptions:\n"
					   "    - name: procs\n"
					   "      values: [b]\n"
					   "    - name: files\n"
					   "      fields: [fd.name, fd.directory]\n"
					   "      comps: [=, in]\n"
					   "      values: [[/x, [/etc, /usr]]]\n"
					   "  override:\n"
					   "    desc: append\n"
					   "    condition: append\n"
					   "    output: append\n"
					   "    tags: append\n"
					   "    exceptions: append\n");
	const struct rules_rule *r = rules_set__find_rule(rs, "R");

	CHECK_STR(diags(rs), "");
	CHECK_STR(cond(rs, "R"), "(and (and {evt.type = open} {proc.name = x}) "
				 "(not {proc.name in (a, b)}) "
				 "(not (and {fd.name = /x} {fd.directory in (/etc, /usr)})))");
	if (r) {
		CHECK_STR(r->desc, "first more");
		CHECK_STR(r->output, "out1 out2");
		CHECK_INT(r->ntags, 3);
		CHECK_STR(r->tags[2], "t3");
		CHECK_STR(r->file, "a.yaml");
		CHECK_INT(r->priority, RULES_PRIO_WARNING);
	}
	rules_set__free(rs);
}

UNIT_TEST(rule_override_replace)
{
	struct rules_set *rs = load2(BASE, "- rule: R\n"
					   "  desc: second\n"
					   "  condition: evt.type = connect\n"
					   "  output: out2\n"
					   "  priority: critical\n"
					   "  tags: [t9]\n"
					   "  exceptions:\n"
					   "    - name: other\n"
					   "      fields: [proc.name]\n"
					   "      values: [[c]]\n"
					   "  enabled: false\n"
					   "  warn_evttypes: false\n"
					   "  skip-if-unknown-filter: true\n"
					   "  override:\n"
					   "    desc: replace\n"
					   "    condition: replace\n"
					   "    output: replace\n"
					   "    priority: replace\n"
					   "    tags: replace\n"
					   "    exceptions: replace\n"
					   "    enabled: replace\n"
					   "    warn_evttypes: replace\n"
					   "    skip-if-unknown-filter: replace\n");
	const struct rules_rule *r = rules_set__find_rule(rs, "R");

	CHECK_STR(diags(rs), "");
	CHECK_STR(cond(rs, "R"), "(and {evt.type = connect} (not {proc.name = c}))");
	CHECK(r != NULL);
	if (r) {
		CHECK_STR(r->desc, "second");
		CHECK_STR(r->output, "out2");
		CHECK_INT(r->priority, RULES_PRIO_CRITICAL);
		CHECK_INT(r->ntags, 1);
		CHECK(!r->enabled && !r->warn_evttypes && r->skip_if_unknown_filter);
		CHECK_INT(r->status, RULES_LOADED);
	}
	rules_set__free(rs);
}

UNIT_TEST(rule_override_errors)
{
	struct rules_set *rs = load2(BASE, "- rule: R\n"
					   "  priority: debug\n"
					   "  override:\n"
					   "    priority: append\n"
					   "- rule: R\n"
					   "  condition: x\n"
					   "  override:\n"
					   "    output: append\n"
					   "- rule: R\n"
					   "  condition: x\n"
					   "  output: y\n"
					   "  override:\n"
					   "    condition: append\n"
					   "- rule: Nope\n"
					   "  condition: x\n"
					   "  override:\n"
					   "    condition: append\n"
					   "- rule: R\n"
					   "  source: k8s_audit\n"
					   "  override:\n"
					   "    source: replace\n"
					   "- rule: R\n"
					   "  exceptions:\n"
					   "    - name: procs\n"
					   "      fields: proc.pname\n"
					   "      values: [z]\n"
					   "  override:\n"
					   "    exceptions: append\n");

	CHECK_STR(
	    diags(rs),
	    "b.yaml:4:5: error: rule 'R': 'priority' cannot be appended to, use 'replace' "
	    "instead\n"
	    "b.yaml:5:3: error: rule 'R': an override of 'output' is given, but 'output' is "
	    "not\n"
	    "b.yaml:11:11: error: rule 'R': 'output' has no entry under 'override' (append or "
	    "replace)\n"
	    "b.yaml:14:3: error: rule 'Nope': cannot append to a rule that is not defined "
	    "before\n"
	    "b.yaml:21:5: error: rule 'R': 'source' cannot be replaced\n"
	    "b.yaml:25:15: error: rule 'R': exception 'procs' exists: only values can be "
	    "appended to it\n");
	CHECK_STR(cond(rs, "R"), "(and {evt.type = open} (not {proc.name in (a)}))");
	rules_set__free(rs);
}

UNIT_TEST(legacy_append_and_enabled)
{
	struct rules_set *rs =
	    load2(BASE RULE("Q", "evt.type = open"), "- rule: R\n"
						     "  append: true\n"
						     "  condition: and proc.name = x\n"
						     "  output: ignored\n"
						     "  exceptions:\n"
						     "    - name: procs\n"
						     "      values: [b]\n"
						     "- rule: Q\n"
						     "  enabled: false\n"
						     "- rule: Gone\n"
						     "  enabled: false\n");
	const struct rules_rule *q = rules_set__find_rule(rs, "Q"),
				*r = rules_set__find_rule(rs, "R");

	CHECK_STR(
	    diags(rs),
	    "b.yaml:2:11: warning: rule 'R': 'append' is deprecated: use 'override' (e.g. "
	    "'condition: append')\n"
	    "b.yaml:4:11: warning: rule 'R': 'output' is ignored with 'append: true' (use "
	    "override)\n"
	    "b.yaml:9:12: warning: rule 'Q': 'enabled' alone is deprecated: use override: "
	    "{enabled: replace}\n"
	    "b.yaml:10:3: error: rule 'Gone': cannot enable or disable a rule that is not "
	    "defined before\n"
	    "b.yaml:11:12: warning: rule 'Gone': 'enabled' alone is deprecated: use override: "
	    "{enabled: replace}\n");
	CHECK_STR(cond(rs, "R"), "(and (and {evt.type = open} {proc.name = x}) "
				 "(not {proc.name in (a, b)}))");
	CHECK(r && !strcmp(r->output, "out1"));
	CHECK(q && !q->enabled && q->status == RULES_LOADED);
	CHECK_INT(rules_set__file(rs, 0)->disabled, 1);
	rules_set__free(rs);
}

UNIT_TEST(enabled_false_is_loaded_disabled)
{
	struct rules_set *rs = load("- rule: R\n"
				    "  desc: d\n"
				    "  condition: evt.type = open\n"
				    "  output: o\n"
				    "  priority: debug\n"
				    "  enabled: false\n");
	const struct rules_rule *r = rules_set__find_rule(rs, "R");

	CHECK(r && !r->enabled && r->status == RULES_LOADED);
	CHECK_INT(rules_set__file(rs, 0)->loaded, 1);
	CHECK_INT(rules_set__file(rs, 0)->disabled, 1);
	rules_set__free(rs);
}

UNIT_TEST(exceptions)
{
	struct rules_set *rs = load("- list: apt_files\n"
				    "  items: [/bin/ls, /bin/rm]\n"
				    "- rule: R\n"
				    "  desc: d\n"
				    "  condition: evt.type = open\n"
				    "  output: o\n"
				    "  priority: debug\n"
				    "  exceptions:\n"
				    "    - name: proc_writer\n"
				    "      fields: [proc.name, fd.directory]\n"
				    "      comps: [=, startswith]\n"
				    "      values:\n"
				    "        - [apk, /usr/lib]\n"
				    "        - [\"my app\", /opt]\n"
				    "    - name: proc_files\n"
				    "      fields: [proc.name, fd.name]\n"
				    "      comps: [=, in]\n"
				    "      values:\n"
				    "        - [apt, [apt_files]]\n"
				    "        - [rpm, [/bin/cp, /bin/pwd]]\n"
				    "        - [dnf, apt_files]\n"
				    "    - name: prefixes\n"
				    "      fields: fd.name\n"
				    "      comps: pmatch\n"
				    "      values: [/tmp, /var/tmp]\n"
				    "    - name: no_values\n"
				    "      fields: [proc.name]\n");

	CHECK_STR(diags(rs), "");
	CHECK_STR(cond(rs, "R"),
		  "(and {evt.type = open} "
		  "(not (or (and {proc.name = apk} {fd.directory startswith /usr/lib}) "
		  "(and {proc.name = my app} {fd.directory startswith /opt}))) "
		  "(not (or (and {proc.name = apt} {fd.name in (/bin/ls, /bin/rm)}) "
		  "(and {proc.name = rpm} {fd.name in (/bin/cp, /bin/pwd)}) "
		  "(and {proc.name = dnf} {fd.name in (/bin/ls, /bin/rm)}))) "
		  "(not {fd.name pmatch (/tmp, /var/tmp)}))");
	rules_set__free(rs);
}

UNIT_TEST(exception_errors)
{
	struct rules_set *rs = load("- rule: A\n"
				    "  desc: d\n"
				    "  condition: evt.type = open\n"
				    "  output: o\n"
				    "  priority: debug\n"
				    "  exceptions:\n"
				    "    - name: e\n"
				    "      fields: [proc.name, fd.name]\n"
				    "      comps: [=]\n"
				    "- rule: B\n"
				    "  desc: d\n"
				    "  condition: evt.type = open\n"
				    "  output: o\n"
				    "  priority: debug\n"
				    "  exceptions:\n"
				    "    - name: e\n"
				    "      fields: proc.name\n"
				    "      comps: '='\n"
				    "- rule: C\n"
				    "  desc: d\n"
				    "  condition: evt.type = open\n"
				    "  output: o\n"
				    "  priority: debug\n"
				    "  exceptions:\n"
				    "    - name: e\n"
				    "      fields: [proc.name]\n"
				    "      comps: [like]\n"
				    "    - name: e\n"
				    "      fields: [proc.name]\n"
				    "- rule: F\n"
				    "  desc: d\n"
				    "  condition: evt.type = open\n"
				    "  output: o\n"
				    "  priority: debug\n"
				    "  exceptions:\n"
				    "    - name: e\n"
				    "      fields: proc.name\n"
				    "      comps: [in]\n"
				    "- rule: D\n"
				    "  desc: d\n"
				    "  condition: evt.type = open\n"
				    "  output: o\n"
				    "  priority: debug\n"
				    "  exceptions:\n"
				    "    - name: e\n"
				    "      fields: [proc.name, fd.name]\n"
				    "      values: [[a]]\n"
				    "    - name: f\n"
				    "      fields: [proc.name]\n"
				    "      values: [[[a, b]]]\n"
				    "    - name: g\n"
				    "      fields: [fd.num]\n"
				    "      values: [[x]]\n"
				    "- rule: E\n"
				    "  desc: d\n"
				    "  condition: evt.type = open\n"
				    "  output: o\n"
				    "  priority: debug\n"
				    "  exceptions:\n"
				    "    - name: e\n"
				    "      fields: [proc.name]\n"
				    "    - name: e\n"
				    "      fields: [fd.name]\n");

	CHECK_STR(
	    diags(rs),
	    "r.yaml:9:14: error: rule 'A': exception 'e': fields and comps must have the same "
	    "length\n"
	    "r.yaml:18:14: error: rule 'B': exception 'e': with a single field, comps must be "
	    "in, pmatch or intersects\n"
	    "r.yaml:27:15: error: rule 'C': exception 'e': 'like' is not a comparison "
	    "operator\n"
	    "r.yaml:38:14: error: rule 'F': exception 'e': fields and comps must both be one "
	    "value or both lists\n"
	    "r.yaml:47:16: error: rule 'D': exception 'e': each value must be a list as long "
	    "as fields\n"
	    "r.yaml:62:7: error: rule 'E': exception names must be unique: 'e' is given twice\n");
	CHECK_STR(cond(rs, "D"), "(failed: its exceptions have errors)");
	rules_set__free(rs);
}

UNIT_TEST(exception_value_errors)
{
	struct rules_set *rs = load("- rule: D\n"
				    "  desc: d\n"
				    "  condition: evt.type = open\n"
				    "  output: o\n"
				    "  priority: debug\n"
				    "  exceptions:\n"
				    "    - name: f\n"
				    "      fields: [proc.name]\n"
				    "      values: [[[a, b]]]\n"
				    "    - name: g\n"
				    "      fields: [fd.num]\n"
				    "      values: [[x]]\n"
				    "    - name: h\n"
				    "      fields: [proc.nosuch]\n"
				    "      values: [[x]]\n");

	CHECK_STR(diags(rs), "r.yaml:9:17: error: rule 'D': exception 'f': a list of values needs "
			     "in, pmatch or intersects\n");
	rules_set__free(rs);
	rs = load("- rule: D\n"
		  "  desc: d\n"
		  "  condition: evt.type = open\n"
		  "  output: o\n"
		  "  priority: debug\n"
		  "  exceptions:\n"
		  "    - name: g\n"
		  "      fields: [fd.num]\n"
		  "      values: [[x]]\n");
	CHECK_STR(diags(rs), "r.yaml:9:17: error: rule 'D': 'x' is not a number (fd.num is of type "
			     "number)\n");
	rules_set__free(rs);
	rs = load("- rule: D\n"
		  "  desc: d\n"
		  "  condition: evt.type = open\n"
		  "  output: o\n"
		  "  priority: debug\n"
		  "  exceptions:\n"
		  "    - name: h\n"
		  "      fields: [proc.nosuch]\n"
		  "      values: [[x]]\n");
	CHECK_STR(diags(rs), "r.yaml:8:16: warning: rule 'D' skipped: field proc.nosuch is not "
			     "provided by vigil\n");
	rules_set__free(rs);
}

UNIT_TEST(skipped_rules)
{
	struct rules_set *rs = load(RULE("Tty", "evt.type = execve and proc.vpid != 1") RULE(
	    "Quiet",
	    "evt.type = execve and proc.vpid != 1") "  skip-if-unknown-filter: true\n" RULE("Uffd",
											   "evt."
											   "type = "
											   "userfau"
											   "ltfd")
					RULE("Part", "evt.type in (userfaultfd, execve)")
					    RULE("None", "evt.type = execve and evt.type = connect")
						RULE("Any", "proc.name = x")
						    RULE("Arg", "evt.type = open and evt.arg[0] = "
								"x") "- rule: Audit\n"
								     "  desc: d\n"
								     "  condition: ka.verb = "
								     "create\n"
								     "  output: o\n"
								     "  priority: debug\n"
								     "  source: k8s_audit\n");
	const struct rules_rule *part = rules_set__find_rule(rs, "Part");

	CHECK_STR(
	    diags(rs),
	    "r.yaml:3:36: warning: rule 'Tty' skipped: field proc.vpid is not provided by "
	    "vigil\n"
	    "r.yaml:12:3: warning: rule 'Uffd' skipped: evt.type userfaultfd: not produced by "
	    "vigil\n"
	    "r.yaml:22:3: warning: rule 'None' skipped: its evt.type conditions exclude each "
	    "other: it matches no event\n"
	    "r.yaml:27:3: warning: rule 'Any' has no evt.type condition: it would be evaluated "
	    "for every event\n"
	    "r.yaml:34:34: warning: rule 'Arg' skipped: field evt.arg[0] is not provided by "
	    "vigil\n"
	    "r.yaml:42:11: warning: rule 'Audit': source 'k8s_audit' is not supported by vigil "
	    "(only syscall): skipped\n");
	CHECK_STR(cond(rs, "Quiet"), "(skipped: field proc.vpid is not provided by vigil)");
	CHECK_STR(cond(rs, "Audit"), "(skipped: source 'k8s_audit' is not supported by vigil)");
	CHECK_STR(cond(rs, "Part"), "{evt.type in (userfaultfd, execve)}");
	CHECK(part && part->nnotes == 1 &&
	      !strcmp(part->notes[0], "evt.type userfaultfd: not produced by vigil, the rule runs "
				      "on the others"));
	CHECK_INT(rules_set__nerrors(rs), 0);
	CHECK_INT(rules_set__file(rs, 0)->skipped, 6);
	CHECK_INT(rules_set__file(rs, 0)->loaded, 2);
	rules_set__free(rs);
}

UNIT_TEST(unknown_fields_are_named_once)
{
	struct rules_set *rs =
	    load("- macro: m\n"
		 "  condition: c.d = 1 and a.b[2] = 1\n" RULE(
		     "R", "evt.type = open and a.b[1] = 1 and m and e.f = 1 and g.h = 1 "
			  "and i.j = 1"));

	CHECK_STR(cond(rs, "R"), "(skipped: field a.b[1] is not provided by vigil (also c.d, e.f, "
				 "g.h...))");
	CHECK_STR(diags(rs), "r.yaml:5:34: warning: rule 'R' skipped: field a.b[1] is not provided "
			     "by vigil (also c.d, e.f, g.h...)\n");
	rules_set__free(rs);
}

UNIT_TEST(type_errors)
{
	struct rules_set *rs = load(
	    RULE("A", "evt.type = open and fd.num = abc")
		RULE("B", "evt.type = open and proc.pid contains 1")
		    RULE("C", "evt.type = connect and fd.sip = 10.0.0.300")
			RULE("D", "evt.type = connect and fd.snet in ('10.0.0.0/8', 10.0.0.0/33)")
			    RULE("E", "evt.type = open and container.privileged = yes")
				RULE("F", "evt.type = open and proc.name = val(proc.pid)")
				    RULE("G", "evt.type = open and tolower(proc.pid) = 1") RULE(
					"H", "evt.type = open and proc.name bcontains 0a")
					RULE("I", "evt.type = open and proc.name[1] = x")
					    RULE("J", "evt.type = open and proc.aname[x] = y") RULE(
						"K", "evt.type = open and k8s.pod.label = y")
						RULE("L", "evt.type = open and proc.name regex '('")
						    RULE("M", "evt.type = open and len(proc.args) "
							      "> 2 and fd.num in (1, 0x2)"));

	CHECK_STR(
	    diags(rs),
	    "r.yaml:3:43: error: rule 'A': 'abc' is not a number (fd.num is of type number)\n"
	    "r.yaml:8:43: error: rule 'B': 'contains' does not apply to proc.pid (of type number)\n"
	    "r.yaml:13:46: error: rule 'C': '10.0.0.300' is not an IP address (fd.sip is of type "
	    "address)\n"
	    "r.yaml:18:63: error: rule 'D': '10.0.0.0/33' is not a network (address/prefix) "
	    "(fd.snet is of type network)\n"
	    "r.yaml:23:57: error: rule 'E': 'yes' is not true or false (container.privileged "
	    "is of type bool)\n"
	    "r.yaml:28:50: error: rule 'F': proc.name (of type text) cannot be compared "
	    "with proc.pid (of type number)\n"
	    "r.yaml:33:34: error: rule 'G': tolower() does not apply to proc.pid (of type number)\n"
	    "r.yaml:38:44: error: rule 'H': 'bcontains' does not apply to proc.name (of type "
	    "text)\n"
	    "r.yaml:43:34: error: rule 'I': proc.name[1]: this field takes no argument\n"
	    "r.yaml:48:34: error: rule 'J': proc.aname[x]: the argument must be a number: an "
	    "ancestor's level\n"
	    "r.yaml:53:34: error: rule 'K': k8s.pod.label: this field needs an argument\n"
	    "r.yaml:58:50: error: rule 'L': invalid regular expression\n");
	CHECK_STR(cond(rs, "M"),
		  "(and {evt.type = open} {len(proc.args) > 2} {fd.num in (1, 0x2)})");
	rules_set__free(rs);
}

UNIT_TEST(several_files_in_order)
{
	const char *names[] = {"1.yaml", "2.yaml", "3.yaml"};
	const char *yaml[] = {"- list: l\n"
			      "  items: [a]\n"
			      "- macro: m\n"
			      "  condition: proc.name in (l)\n" RULE("R", "evt.type = open and m"),
			      "- list: l\n"
			      "  items: [b]\n"
			      "  override:\n"
			      "    items: append\n"
			      "- rule: R\n"
			      "  condition: and not proc.name = c\n"
			      "  override:\n"
			      "    condition: append\n",
			      "- macro: m\n"
			      "  condition: proc.name in (l, z)\n" RULE("S", "evt.type = open")};
	struct rules_set *rs = load_n(names, yaml, 3);

	CHECK_STR(diags(rs), "");
	CHECK_STR(cond(rs, "R"), "(and {evt.type = open} m=>{proc.name in (a, b, z)} "
				 "(not {proc.name = c}))");
	CHECK_INT(rules_set__nfiles(rs), 3);
	CHECK_INT(rules_set__file(rs, 0)->rules, 1);
	CHECK_INT(rules_set__file(rs, 1)->rules, 0);
	CHECK_INT(rules_set__file(rs, 2)->rules, 1);
	CHECK_INT(rules_set__file(rs, 2)->macros, 1);
	CHECK_INT(rules_set__nrules(rs), 2);
	CHECK_STR(rules_set__rule(rs, 0)->name, "R");
	rules_set__free(rs);
}

UNIT_TEST(appended_conditions_keep_their_positions)
{
	struct rules_set *rs =
	    load2(RULE("R", "evt.type = open"), "- rule: R\n"
						"  condition: >\n"
						"    and\n"
						"      proc.name = x and fd.num = y\n"
						"  override:\n"
						"    condition: append\n");

	CHECK_STR(diags(rs), "b.yaml:4:34: error: rule 'R': 'y' is not a number (fd.num is of type "
			     "number)\n");
	rules_set__free(rs);
}

UNIT_TEST(versions_and_plugins)
{
	struct rules_set *rs = load("- required_engine_version: 0.57.0\n"
				    "- required_plugin_versions:\n"
				    "    - name: container\n"
				    "      version: 0.4.0\n"
				    "    - name: k8saudit\n"
				    "      version: 0.7.0\n"
				    "      alternatives:\n"
				    "        - name: k8saudit-eks\n"
				    "          version: 0.4.0\n"
				    "- required_engine_version: x.y\n"
				    "- required_plugin_versions: [{name: a}]\n");
	const struct rules_file *f = rules_set__file(rs, 0);

	CHECK_STR(f->engine_version, "0.57.0");
	CHECK_INT(f->nplugins, 2);
	CHECK_STR(f->plugins[0], "container 0.4.0");
	CHECK_STR(f->plugins[1], "k8saudit 0.7.0 or k8saudit-eks 0.4.0");
	CHECK_STR(diags(rs), "r.yaml:10:28: error: required_engine_version: 'x.y' is not a "
			     "version: N or x.y.z\n"
			     "r.yaml:11:30: error: required_plugin_versions: a plugin requirement "
			     "needs a name and a version\n");
	rules_set__free(rs);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

UNIT_TEST(a_directory_in_name_order)
{
	char dir[] = "/tmp/vigil-rules-XXXXXX", path[256];
	struct rules_set *rs;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/20-local.yaml", dir);
	write_file(path, "- list: l\n  items: [b]\n  override:\n    items: append\n");
	snprintf(path, sizeof(path), "%s/10-base.yaml", dir);
	write_file(path,
		   "- list: l\n  items: [a]\n" RULE("R", "evt.type = open and proc.name in (l)"));
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	write_file(path, "not yaml: [");
	rs = rules_set__new();
	CHECK_INT(rules_set__load_path(rs, dir), 0);
	CHECK_INT(rules_set__compile(rs), 0);
	CHECK_STR(diags(rs), "");
	CHECK_INT(rules_set__nfiles(rs), 2);
	CHECK(strstr(rules_set__file(rs, 0)->path, "/10-base.yaml") != NULL);
	CHECK_STR(cond(rs, "R"), "(and {evt.type = open} {proc.name in (a, b)})");
	CHECK_INT(rules_set__load_path(rs, dir), -EBUSY);
	rules_set__free(rs);
	rs = rules_set__new();
	snprintf(path, sizeof(path), "%s/missing.yaml", dir);
	CHECK_INT(rules_set__load_path(rs, path), -ENOENT);
	CHECK(strstr(diags(rs), "missing.yaml:0:0: error: cannot open: No such file") != NULL);
	rules_set__free(rs);
	snprintf(path, sizeof(path), "rm -r %s", dir);
	CHECK_INT(system(path), 0);
}

int main(void)
{
	return unit_run();
}
