// SPDX-License-Identifier: Apache-2.0
/*
 * vigil's default rule file (rules/vigil_rules.yaml): it loads with no error, warning or
 * skipped rule, with the exact counts below; every rule is complete (description, output whose
 * %fields vigil provides, a MITRE ATT&CK tag); the Kubernetes behaviours each have their rule;
 * a later file customises it through its lists and macros; it loads beside Falco's own rules
 * without a name clash. And where vigil looks for it (rules_default.h).
 *
 * When a rule is added or removed, change the counts here: that is the point of them.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#define UNIT_MAIN
#include "rules_default.h"
#include "rules_fields.h"
#include "rules_load.h"
#include "unit.h"
#include "unit_srcdir.h"

#define DEFAULT_RULES  46
#define DEFAULT_MACROS 44
#define DEFAULT_LISTS  54

static char path[PATH_MAX];

static struct rules_set *load_default(const char *extra_name, const char *extra)
{
	struct rules_set *rs = rules_set__new();

	CHECK(rs != NULL);
	CHECK_INT(
	    rules_set__load_path(rs, unit_srcpath(path, sizeof(path), "rules/vigil_rules.yaml")),
	    0);
	if (extra)
		CHECK_INT(rules_set__load_buf(rs, extra_name, extra, strlen(extra)), 0);
	CHECK_INT(rules_set__compile(rs), 0);
	return rs;
}

/* Every diagnostic, printed, so a failure says what went wrong. */
static size_t print_diags(const struct rules_set *rs)
{
	for (size_t i = 0; i < rules_set__ndiags(rs); i++) {
		const struct rules_diag *d = rules_set__diag(rs, i);

		printf("  %s:%u:%u: %s\n", d->file ? d->file : "-", d->line, d->col, d->msg);
	}
	return rules_set__ndiags(rs);
}

UNIT_TEST(loads_clean_with_exact_counts)
{
	struct rules_set *rs = load_default(NULL, NULL);
	const struct rules_file *f = rules_set__file(rs, 0);

	CHECK_INT(print_diags(rs), 0);
	CHECK_INT(rules_set__nerrors(rs), 0);
	CHECK_INT(rules_set__nfiles(rs), 1);
	CHECK(!f->failed);
	CHECK_INT(f->rules, DEFAULT_RULES);
	CHECK_INT(f->loaded, DEFAULT_RULES);
	CHECK_INT(f->disabled, 0);
	CHECK_INT(f->skipped, 0);
	CHECK_INT(f->errored, 0);
	CHECK_INT(f->macros, DEFAULT_MACROS);
	CHECK_INT(f->lists, DEFAULT_LISTS);
	CHECK_INT(rules_set__nrules(rs), DEFAULT_RULES);
	rules_set__free(rs);
}

static bool is_mitre_id(const char *t)
{
	size_t i = t[0] == 'T' && t[1] == 'A' ? 2 : t[0] == 'T' ? 1 : 0;

	if (!i)
		return false;
	for (size_t n = 0; n < 4; n++, i++)
		if (!isdigit((unsigned char)t[i]))
			return false;
	return t[i] == '\0' || (t[i] == '.' && isdigit((unsigned char)t[i + 1]));
}

static bool has_tag(const struct rules_rule *r, const char *tag)
{
	for (size_t i = 0; i < r->ntags; i++)
		if (!strcmp(r->tags[i], tag))
			return true;
	return false;
}

static bool has_mitre_tag(const struct rules_rule *r)
{
	for (size_t i = 0; i < r->ntags; i++)
		if (is_mitre_id(r->tags[i]))
			return true;
	return false;
}

/* Every %field of an output is one vigil provides ("%proc.aname[2]", "%evt.arg.flags"). */
static bool output_fields_known(const struct rules_rule *r)
{
	char name[128];
	const char *dotted;
	bool ok = true;

	/* p ends on the character after each name, the NUL at the end of the output included */
	for (const char *p = strchr(r->output, '%'); p; p = strchr(p, '%')) {
		size_t n = 0;

		for (p++;
		     *p && n + 1 < sizeof(name) && (isalnum((unsigned char)*p) || strchr("._", *p));
		     p++)
			name[n++] = *p;
		while (n && name[n - 1] == '.') /* a sentence's full stop */
			n--;
		name[n] = '\0';
		if (!rules_fields__find(name, &dotted) ||
		    (dotted && strncmp(name, "evt.arg.", 8) == 0 && !rules_fields__arg(dotted))) {
			printf("  %s: output field %%%s is not provided by vigil\n", r->name, name);
			ok = false;
		}
	}
	return ok;
}

UNIT_TEST(every_rule_is_complete)
{
	struct rules_set *rs = load_default(NULL, NULL);

	for (size_t i = 0; i < rules_set__nrules(rs); i++) {
		const struct rules_rule *r = rules_set__rule(rs, i);

		if (r->status != RULES_LOADED)
			printf("  %s: %s\n", r->name, r->reason);
		CHECK_INT(r->status, RULES_LOADED);
		CHECK(r->enabled);
		CHECK(r->cond != NULL && r->events != 0);
		CHECK(r->events != RF_EV_ALL); /* every rule names its event types */
		CHECK(r->desc && strlen(r->desc) > 40);
		CHECK(r->output && strchr(r->output, '%'));
		CHECK(output_fields_known(r));
		if (!has_mitre_tag(r))
			printf("  %s: no MITRE ATT&CK technique tag\n", r->name);
		CHECK(has_mitre_tag(r));
		CHECK(r->priority <= RULES_PRIO_INFORMATIONAL);
	}
	rules_set__free(rs);
}

/* A rule by name, with a tag, matching exactly the event types given. */
static void check_rule(const struct rules_set *rs, const char *name, const char *tag,
		       uint64_t events)
{
	const struct rules_rule *r = rules_set__find_rule(rs, name);

	if (!r) {
		printf("  no rule '%s'\n", name);
		CHECK(r != NULL);
		return;
	}
	CHECK_INT(r->status, RULES_LOADED);
	if (!has_tag(r, tag))
		printf("  %s: no tag %s\n", name, tag);
	CHECK(has_tag(r, tag));
	CHECK_INT(r->events, events);
}

UNIT_TEST(kubernetes_behaviours_have_rules)
{
	struct rules_set *rs = load_default(NULL, NULL);

	check_rule(rs, "Interactive exec into a Kubernetes pod", "T1609", RF_EV(EXEC));
	check_rule(rs, "Service account token read by an unexpected process", "T1528", RF_EV(OPEN));
	check_rule(rs, "Kubernetes API server contacted from a container", "T1613", RF_EV(CONNECT));
	check_rule(rs, "Kubelet or etcd contacted from a container", "k8s", RF_EV(CONNECT));
	check_rule(rs, "Cloud metadata service contacted from a container", "T1552.005",
		   RF_EV(CONNECT));
	check_rule(rs, "Connection to a cryptocurrency mining pool port", "T1496", RF_EV(CONNECT));
	check_rule(rs, "Cryptocurrency miner started", "T1496", RF_EV(EXEC));
	check_rule(rs, "Container engine socket contacted from a container", "T1611",
		   RF_EV(CONNECT));
	/* and a few of the node-level ones whose event types matter */
	check_rule(rs, "Standard stream redirected to a network socket", "T1059", RF_EV(DUP));
	check_rule(rs, "Kernel module loaded from a container", "T1547.006", RF_EV(MODULE_LOAD));
	check_rule(rs, "Namespace entered from a container", "T1611", RF_EV(SETNS) | RF_EV(EXEC));
	check_rule(rs, "Program run from memory without a file", "T1620", RF_EV(EXEC));
	rules_set__free(rs);
}

/* A site's file after the default one: lists extended, an allow macro replaced, a rule's
 * exception given values, a rule switched off. */
static const char site_rules[] = "- list: k8s_apiserver_addresses\n"
				 "  items: [10.200.0.1]\n"
				 "  override: {items: append}\n"
				 "- macro: pod_exec_allowed\n"
				 "  condition: (k8s.ns.name = dev and proc.name = bash)\n"
				 "- rule: Program run from a temporary directory in a container\n"
				 "  exceptions:\n"
				 "    - name: image_and_program\n"
				 "      values: [[registry.example/ci, make]]\n"
				 "  override: {exceptions: append}\n"
				 "- rule: Network scanner run in a container\n"
				 "  enabled: false\n"
				 "  override: {enabled: replace}\n";

UNIT_TEST(customised_by_a_later_file)
{
	struct rules_set *rs = load_default("site.yaml", site_rules);
	const struct rc_value *v;
	const struct rules_rule *r;
	size_t n;

	CHECK_INT(print_diags(rs), 0);
	v = rules_set__list(rs, "k8s_apiserver_addresses", &n);
	CHECK(v && n == 8);
	if (v && n == 8)
		CHECK_STR(v[7].str, "10.200.0.1");
	r = rules_set__find_rule(rs, "Interactive exec into a Kubernetes pod");
	CHECK(r && r->status == RULES_LOADED);
	r = rules_set__find_rule(rs, "Network scanner run in a container");
	CHECK(r && r->status == RULES_LOADED && !r->enabled);
	CHECK_INT(rules_set__file(rs, 0)->disabled, 1);
	rules_set__free(rs);
}

/* Loaded with Falco's stable rules, in either order: vigil's names are its own, so neither
 * file redefines the other's lists, macros or rules. */
UNIT_TEST(beside_falco_rules)
{
	const char *env = getenv("VIGIL_FALCO_RULES");
	char falco[PATH_MAX + 32], mine[PATH_MAX];
	struct rules_set *rs;

	snprintf(falco, sizeof(falco), "%s/falco_rules.yaml",
		 env && *env ? env : unit_srcpath(mine, sizeof(mine), "../shared/falco-rules"));
	unit_srcpath(mine, sizeof(mine), "rules/vigil_rules.yaml");
	if (access(falco, R_OK)) {
		printf("SKIP: no %s (set VIGIL_FALCO_RULES)\n", falco);
		return;
	}
	for (int order = 0; order < 2; order++) {
		rs = rules_set__new();
		rules_set__load_path(rs, order ? falco : mine);
		rules_set__load_path(rs, order ? mine : falco);
		CHECK_INT(rules_set__compile(rs), 0);
		CHECK_INT(rules_set__nerrors(rs), 0);
		CHECK_INT(rules_set__file(rs, (size_t)order)->loaded, DEFAULT_RULES);
		CHECK_INT(rules_set__file(rs, (size_t)order)->macros, DEFAULT_MACROS);
		rules_set__free(rs);
	}
}

/* The fixed candidates come first; a build tree's executable finds ../rules/. */
UNIT_TEST(default_path)
{
	static const char *const fixed[] = {VIGIL_RULES_DEFAULT_PATHS};
	char exe[PATH_MAX + 16], out[PATH_MAX], want[PATH_MAX], tiny[8];
	const char *installed = NULL;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]) && !installed; i++)
		if (access(fixed[i], R_OK) == 0)
			installed = fixed[i];
	CHECK_STR(fixed[0], "/etc/vigil/rules/vigil_rules.yaml");
	CHECK(strstr(fixed[1], "/share/vigil/rules/vigil_rules.yaml") != NULL);

	snprintf(exe, sizeof(exe), "%s/build/vigil", unit_srcdir());
	CHECK(realpath(unit_srcpath(want, sizeof(want), "rules/vigil_rules.yaml"), out));
	snprintf(want, sizeof(want), "%s", out);
	if (exe[0] == '/') {
		CHECK_INT(rules_default__path_for(exe, out, sizeof(out)), 0);
		CHECK_STR(out, installed ? installed : want);
	}
	if (!installed) {
		CHECK_INT(rules_default__path_for("/nonexistent/bin/vigil", out, sizeof(out)),
			  -ENOENT);
		CHECK_INT(rules_default__path_for(NULL, out, sizeof(out)), -ENOENT);
		CHECK_INT(rules_default__path_for("vigil", out, sizeof(out)), -ENOENT);
		CHECK_INT(rules_default__path_for("/", out, sizeof(out)), -ENOENT);
		CHECK_INT(rules_default__path_for(exe, tiny, sizeof(tiny)), -ENAMETOOLONG);
	}
	/* the test binary's ../rules/ is build/rules/: nothing there */
	CHECK_INT(rules_default__path(out, sizeof(out)), installed ? 0 : -ENOENT);
}

int main(void)
{
	return unit_run();
}
