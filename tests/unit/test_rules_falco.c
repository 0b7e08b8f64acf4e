// SPDX-License-Identifier: Apache-2.0
/*
 * The upstream Falco rule files (falcosecurity/rules: stable, incubating, sandbox), loaded as
 * they are, each alone and the three in order, with the exact counts and the reviewed list of
 * the rules vigil skips and why. They are read from $VIGIL_FALCO_RULES, else from
 * ../shared/falco-rules (relative to the repository root, where `make unit` runs); without
 * them the tests say so and pass.
 *
 * When vigil learns a field or an event type, a rule moves from the skipped list to the
 * loaded count here: that is the point of keeping the list exact.
 */
#include <stdlib.h>
#include <unistd.h>

#define UNIT_MAIN
#include "rules_fields.h"
#include "rules_load.h"
#include "unit.h"

struct skip {
	const char *rule, *reason;
};

struct expect {
	const char *file;
	unsigned rules, loaded, disabled, skipped, macros, lists;
	const struct skip *skips; /* NULL terminated */
};

/* The stable file loads whole. */
static const struct skip stable_skips[] = {
    {NULL, NULL},
};

/* Fields vigil's records do not carry:
 *   proc.vpid             the pid inside the container's pid namespace (container_started)
 *   proc.env              the environment: vigil does not capture it */
static const struct skip incubating_skips[] = {
    {"Launch Privileged Container", "field proc.vpid is not provided by vigil"},
    {"Launch Excessively Capable Container",
     "field proc.vpid is not provided by vigil"},
    {"Program run with disallowed http proxy env", "field proc.env is not provided by vigil"},
    {"Potential Local Privilege Escalation via Environment Variables Misuse",
     "field proc.env is not provided by vigil"},
    {NULL, NULL},
};

/* As above, and:
 *   container.mount.dest  the container's mounts: not in the pod metadata vigil keeps
 *   evt.buffer            read and write buffers (vigil has only a file head's first bytes)
 *   proc.is_vpgid_leader  process groups
 * and an event type vigil does not produce: userfaultfd. */
static const struct skip sandbox_skips[] = {
    {"Launch Sensitive Mount Container",
     "field proc.vpid is not provided by vigil (also container.mount.dest)"},
    {"Launch Disallowed Container", "field proc.vpid is not provided by vigil"},
    {"Container Run as Root User", "field proc.vpid is not provided by vigil"},
    {"Unprivileged Delegation of Page Faults Handling to a Userspace Process",
     "evt.type userfaultfd: not produced by vigil"},
    {"Java Process Class File Download", "field evt.buffer is not provided by vigil"},
    {"Basic Interactive Reconnaissance",
     "field proc.is_vpgid_leader is not provided by vigil"},
    {NULL, NULL},
};

static const struct expect stable = {"falco_rules.yaml", 25, 25, 0, 0, 87, 49, stable_skips};
static const struct expect incubating = {
    "falco-incubating_rules.yaml", 31, 27, 0, 4, 82, 54, incubating_skips};
static const struct expect sandbox = {
    "falco-sandbox_rules.yaml", 37, 31, 10, 6, 183, 60, sandbox_skips};

static char dir[4096];

/* Where the files are; false (and a note) when they are not there. */
static bool find_rules(void)
{
	const char *env = getenv("VIGIL_FALCO_RULES");
	char probe[4200];

	snprintf(dir, sizeof(dir), "%s", env && *env ? env : "../shared/falco-rules");
	snprintf(probe, sizeof(probe), "%s/falco_rules.yaml", dir);
	if (access(probe, R_OK) == 0)
		return true;
	printf("SKIP: no upstream Falco rules in %s (set VIGIL_FALCO_RULES to their directory)\n",
	       dir);
	return false;
}

static struct rules_set *load(const struct expect *const *files, int n)
{
	struct rules_set *rs = rules_set__new();
	char path[4200];

	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]->file);
		CHECK_INT(rules_set__load_path(rs, path), 0);
	}
	CHECK_INT(rules_set__compile(rs), 0);
	CHECK_INT(rules_set__nerrors(rs), 0);
	return rs;
}

static const struct rules_rule *skip_of(const struct skip *s, const char *name)
{
	for (; s->rule; s++)
		if (strcmp(s->rule, name) == 0)
			return (const struct rules_rule *)s;
	return NULL;
}

/* A list's items after expansion, space separated. */
static const char *list_text(const struct rules_set *rs, const char *name)
{
	static char buf[4096];
	size_t n, len = 0;
	const struct rc_value *v = rules_set__list(rs, name, &n);

	buf[0] = '\0';
	for (size_t i = 0; v && i < n && len < sizeof(buf); i++)
		len +=
		    (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "", v[i].str);
	return buf;
}

/* The counts of file i, and every rule of it loaded but the listed ones, skipped as listed. */
static void check_file(const struct rules_set *rs, size_t i, const struct expect *e)
{
	const struct rules_file *f = rules_set__file(rs, i);
	unsigned skipped = 0;

	CHECK(strstr(f->path, e->file) != NULL);
	CHECK(!f->failed);
	CHECK_INT(f->rules, e->rules);
	CHECK_INT(f->loaded, e->loaded);
	CHECK_INT(f->disabled, e->disabled);
	CHECK_INT(f->skipped, e->skipped);
	CHECK_INT(f->errored, 0);
	CHECK_INT(f->macros, e->macros);
	CHECK_INT(f->lists, e->lists);
	CHECK_INT(f->errors, 0);
	CHECK_STR(f->engine_version, "0.57.0");
	for (size_t r = 0; r < rules_set__nrules(rs); r++) {
		const struct rules_rule *rule = rules_set__rule(rs, r);
		const struct skip *s = (const struct skip *)skip_of(e->skips, rule->name);

		if (rule->file != f->path)
			continue;
		if (!s) {
			if (rule->status != RULES_LOADED)
				printf("  unexpected: %s: %s\n", rule->name, rule->reason);
			CHECK_INT(rule->status, RULES_LOADED);
			CHECK(rule->cond != NULL && rule->events != 0);
			continue;
		}
		skipped++;
		CHECK_INT(rule->status, RULES_SKIPPED);
		CHECK_STR(rule->reason, s->reason);
	}
	CHECK_INT(skipped, e->skipped);
}

UNIT_TEST(stable_alone)
{
	const struct expect *files[] = {&stable};
	struct rules_set *rs;
	const struct rules_rule *r;

	if (!find_rules())
		return;
	rs = load(files, 1);
	check_file(rs, 0, &stable);
	/* one warning per skipped rule, nothing else */
	CHECK_INT(rules_set__ndiags(rs), stable.skipped);
	r = rules_set__find_rule(rs, "Run shell untrusted");
	CHECK(r && r->events == RF_EV(EXEC));
	r = rules_set__find_rule(rs, "Disallowed SSH Connection Non Standard Port");
	CHECK(r && r->events == (RF_EV(CONNECT) | RF_EV(UDP_SEND) | RF_EV(DNS)));
	CHECK(r && r->nnotes == 1);
	r = rules_set__find_rule(rs, "Read sensitive file untrusted");
	CHECK(r && r->events == RF_EV(OPEN));
	CHECK_STR(list_text(rs, "python_package_managers"), "pip pip3 conda uv");
	/* a list of lists defined before it: expanded */
	CHECK(strstr(list_text(rs, "package_mgmt_binaries"),
		     "rhn_check yumdb dpkg dpkg-preconfigu") != NULL);
	rules_set__free(rs);
}

UNIT_TEST(incubating_alone)
{
	const struct expect *files[] = {&incubating};
	struct rules_set *rs;

	if (!find_rules())
		return;
	rs = load(files, 1);
	check_file(rs, 0, &incubating);
	CHECK_INT(rules_set__ndiags(rs), incubating.skipped);
	rules_set__free(rs);
}

UNIT_TEST(sandbox_alone)
{
	const struct expect *files[] = {&sandbox};
	struct rules_set *rs;

	if (!find_rules())
		return;
	rs = load(files, 1);
	check_file(rs, 0, &sandbox);
	CHECK_INT(rules_set__ndiags(rs), sandbox.skipped);
	rules_set__free(rs);
}

/* In order, each file customising the ones before it: the incubating and sandbox files
 * redefine a few lists and macros of the stable one; no rule changes hands. */
UNIT_TEST(all_three_in_order)
{
	const struct expect *files[] = {&stable, &incubating, &sandbox};
	struct rules_set *rs;

	if (!find_rules())
		return;
	rs = load(files, 3);
	for (int i = 0; i < 3; i++)
		check_file(rs, (size_t)i, files[i]);
	CHECK_INT(rules_set__nrules(rs), 93);
	CHECK_INT(rules_set__ndiags(rs), 10);
	/* the later definition of a list wins: stable's has uv, incubating's does not */
	CHECK_STR(list_text(rs, "python_package_managers"), "pip pip3 conda");
	rules_set__free(rs);
}

int main(void)
{
	return unit_run();
}
