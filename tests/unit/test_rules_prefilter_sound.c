// SPDX-License-Identifier: Apache-2.0
/*
 * rules_prefilter against the evaluator: the upstream stable rules' patterns for open, and
 * soundness, that no open a rule matches is dropped by passes(): every open rule of the
 * stable rules and of vigil's rules, and rules written for each mapping, against sample
 * paths (normalised or not, files and directories), by a process in a container.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define UNIT_MAIN
#include "rules_eval.h"
#include "rules_load.h"
#include "rules_prefilter.h"
#include "unit.h"
#include "unit_srcdir.h"

static char scratch[RV_SCRATCH_DEFAULT];
static char yaml[1 << 16];
#include "prefilter_fixture.h"

/* --- the upstream stable rules --- */

static char dir[4096];

/* $VIGIL_FALCO_RULES, else ../shared/falco-rules from the repository root (../../shared from
 * a worktree under it), as test_rules_eval.c looks for them. */
static bool find_rules(void)
{
	const char *env = getenv("VIGIL_FALCO_RULES");
	const char *tries[] = {env && *env ? env : "../shared/falco-rules",
			       "../../shared/falco-rules"};
	char probe[4200];

	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		snprintf(dir, sizeof(dir), "%s", tries[i]);
		snprintf(probe, sizeof(probe), "%s/falco_rules.yaml", dir);
		if (access(probe, R_OK) == 0)
			return true;
	}
	printf("SKIP: no upstream Falco rules (set VIGIL_FALCO_RULES to their directory)\n");
	return false;
}

static bool has(const struct rp_paths *rp, enum rp_kind k, const char *path)
{
	for (size_t i = 0; i < rp->n; i++)
		if (rp->pats[i].kind == k && !strcmp(rp->pats[i].path, path))
			return true;
	return false;
}

static struct re_engine *engine_of(const char *file, struct rules_set **rs, const char *only)
{
	struct re_opts o = {.sz = sizeof(o), .min_priority = RULES_PRIO_DEBUG, .only_rule = only};
	struct re_engine *e = NULL;

	*rs = rules_set__new();
	rules_set__load_path(*rs, file);
	rules_set__compile(*rs);
	re_engine__new(*rs, &o, &e);
	return e;
}

UNIT_TEST(falco_stable_open)
{
	struct rules_set *rs;
	struct re_engine *e;
	char path[4200];

	if (!find_rules())
		return;
	snprintf(path, sizeof(path), "%s/falco_rules.yaml", dir);
	e = engine_of(path, &rs, NULL);
	CHECK(e != NULL);
	CHECK_INT(e ? rules_prefilter__paths(e, VG_EV_OPEN, &P) : -1, 0);
	CHECK(!P.any);
	printf("  stable rules, open: %s: %zu patterns: %s\n", P.any ? P.why : "not ANY", P.n,
	       show());
	CHECK(has(&P, RP_EXACT, "/etc/shadow"));
	CHECK(has(&P, RP_PREFIX, "/etc/sudoers.d/"));
	CHECK(has(&P, RP_PREFIX, "/etc/pam.d/"));
	CHECK(has(&P, RP_PREFIX, "/var/log/"));
	CHECK(has(&P, RP_SUFFIX, "/syslog"));
	CHECK(has(&P, RP_SUFFIX, "release_agent"));
	CHECK(!rules_prefilter__passes(&P, "/tmp/vigil-bench/f1"));
	CHECK(!rules_prefilter__passes(&P, "/usr/lib/x86_64-linux-gnu/libc.so.6"));
	CHECK(rules_prefilter__passes(&P, "/etc/shadow"));
	CHECK(rules_prefilter__passes(&P, "/var/log/syslog"));
	CHECK(rules_prefilter__passes(&P, "/sys/fs/cgroup/x/release_agent"));
	CHECK(rules_prefilter__passes(&P, "/etc/../etc/passwd"));
	CHECK(rules_prefilter__passes(&P, "relative/path"));
	CHECK(rules_prefilter__passes(&P, "/root/.ssh/id_rsa"));
	re_engine__free(e);
	rules_set__free(rs);
}

/* --- soundness: what a rule matches, the prefilter passes --- */

/* (raw argument, fd.name): most the same, some not normalised */
static const char *const samples[][2] = {
    {"/etc/shadow", NULL},
    {"/etc/gshadow", NULL},
    {"/etc/sudoers", NULL},
    {"/etc/sudoers.d/90-cloud", NULL},
    {"/etc/pam.d/sshd", NULL},
    {"/etc/pam.conf", NULL},
    {"/etc/security/pwquality.conf", NULL},
    {"/etc/passwd", NULL},
    {"/etc/hosts", NULL},
    {"/etc", NULL},
    {"/etc/pam.d", NULL},
    {"/var/log/syslog", NULL},
    {"/var/log/auth.log", NULL},
    {"/var/log/nginx/access_log", NULL},
    {"/var/log/app/secure", NULL},
    {"/opt/app/syslog", NULL},
    {"/var/log", NULL},
    {"/sys/fs/cgroup/x/release_agent", NULL},
    {"/sys/fs/cgroup/release_agent", NULL},
    {"/root/.ssh/id_rsa", NULL},
    {"/root/.ssh/authorized_keys", NULL},
    {"/home/u/id_rsa", NULL},
    {"/tmp/vigil-bench/f1", NULL},
    {"/usr/lib/x86_64-linux-gnu/libc.so.6", NULL},
    {"/bin/ls", NULL},
    {"/dev/log", NULL},
    {"/dev/log/x", NULL},
    {"/dev/null", NULL},
    {"/proc/self/status", NULL},
    {"/var/lib/app/data.db", NULL},
    {"/etc/kubernetes/admin.conf", NULL},
    {"/etc/../etc/shadow", "/etc/shadow"},
    {"../../etc/shadow", "/etc/shadow"},
    {"/root/.ssh/../.ssh/id_rsa", "/root/.ssh/id_rsa"},
    {"/var/log//syslog", "/var/log/syslog"},
    {"/etc/pam.d/", "/etc/pam.d"},
};

static const char *open_arg(const struct rv_event *ev, const char *name)
{
	if (!strcmp(name, "name") || !strcmp(name, "path"))
		return ev->fd_nameraw;
	if (!strcmp(name, "flags"))
		return ev->open_flags & O_TRUNC ? "O_WRONLY|O_TRUNC" : "O_RDONLY";
	return NULL;
}

/* proc (long running) in a container, as root with CAP_DAC_OVERRIDE and CAP_SYS_ADMIN, opens
 * raw (which leads to name: raw when NULL) for reading, or for writing with O_TRUNC; typechar
 * 'f' or 'd'. */
static void open_event(struct rv_event *ev, const char *proc, const char *raw, const char *name,
		       bool write, char tc)
{
	rules_view__reset(ev, scratch, sizeof(scratch));
	ev->type = VG_EV_OPEN;
	ev->evt_name = "openat";
	ev->num = 42;
	ev->boot_ns = 100000000000ull;
	ev->proc = (struct rv_proc){.known = true,
				    .pid = 100,
				    .ppid = 50,
				    .comm = proc,
				    .exepath = "/usr/bin/x",
				    .args = "x",
				    .args_len = 2,
				    .cwd = "/",
				    .start_ns = 1,
				    .has_creds = true};
	ev->parent = (struct rv_proc){.known = true, .pid = 50, .ppid = 1, .comm = "containerd"};
	ev->has_uid = true;
	ev->has_caps = true;
	ev->cap_effective = ev->cap_permitted = (1ull << 1) | (1ull << 21);
	ev->has_ret = true;
	ev->ret = 3;
	ev->has_fd = true;
	ev->fd = 3;
	ev->fd_nameraw = raw;
	ev->fd_name = name ? name : raw;
	ev->fd_typechar = tc;
	ev->has_open_flags = true;
	ev->open_flags = write ? O_WRONLY | O_TRUNC : O_RDONLY;
	ev->arg = open_arg;
	ev->container_id = "0123456789ab";
	ev->image_repository = "docker.io/library/nginx";
	ev->privileged = 0;
}

struct sound {
	const struct rp_paths *all, *rule;
	const char *path; /* the raw argument */
	unsigned matches, dropped;
};

static int on_match(void *ctx, const struct rules_rule *r, const struct rv_event *ev)
{
	struct sound *s = ctx;

	(void)ev;
	s->matches++;
	if (!rules_prefilter__passes(s->rule, s->path) ||
	    !rules_prefilter__passes(s->all, s->path)) {
		printf("  DROPPED: rule '%s' matches %s\n", r->name, s->path);
		s->dropped++;
	}
	return 0;
}

/* Every sample event through one rule's own engine; returns how many matched. */
static unsigned sound_rule(const char *file, const char *name, const struct rp_paths *all)
{
	static const char *const procs[] = {"cat", "nginx"};
	static struct rp_paths one;
	struct sound s = {.all = all, .rule = &one};
	struct rules_set *rs;
	struct re_engine *e = engine_of(file, &rs, name);
	struct rv_event ev;

	CHECK_INT(e ? rules_prefilter__paths(e, VG_EV_OPEN, &one) : -1, 0);
	for (size_t i = 0; e && i < sizeof(samples) / sizeof(samples[0]); i++)
		for (int v = 0; v < 8; v++) {
			open_event(&ev, procs[v & 1], samples[i][0], samples[i][1], v & 2,
				   v & 4 ? 'd' : 'f');
			s.path = samples[i][0];
			re_engine__eval(e, &ev, on_match, &s);
		}
	CHECK_INT(s.dropped, 0);
	re_engine__free(e);
	rules_set__free(rs);
	return s.matches;
}

/* Every rule of file that can match open through its own engine; returns how many matched
 * some sample, *nrules how many there were. */
static unsigned sound_file(const char *file, unsigned *nrules)
{
	struct rules_set *rs;
	struct re_engine *e = engine_of(file, &rs, NULL);
	static struct rp_paths all;
	unsigned matched = 0;

	*nrules = 0;
	CHECK_INT(e ? rules_prefilter__paths(e, VG_EV_OPEN, &all) : -1, 0);
	for (size_t i = 0; e && i < re_engine__nrules(e); i++) {
		const struct rules_rule *r = re_engine__rule(e, i);
		unsigned m;

		if (!((r->events >> VG_EV_OPEN) & 1))
			continue;
		(*nrules)++;
		m = sound_rule(file, r->name, &all);
		matched += m > 0;
		printf("  %s: %u sample events match\n", r->name, m);
	}
	re_engine__free(e);
	rules_set__free(rs);
	return matched;
}

UNIT_TEST(falco_stable_sound)
{
	char path[4200];
	unsigned rules, matched;

	if (!find_rules())
		return;
	snprintf(path, sizeof(path), "%s/falco_rules.yaml", dir);
	matched = sound_file(path, &rules);
	/* not vacuous: every open rule matched some sample */
	CHECK(rules >= 5);
	CHECK_INT(matched, rules);
}

/* vigil's rules too, though few match these samples: no match may be dropped */
UNIT_TEST(vigil_rules_sound)
{
	char path[4200];
	unsigned rules, matched;

	unit_srcpath(path, sizeof(path), "rules/vigil_rules.yaml");
	if (access(path, R_OK) != 0) {
		printf("SKIP: no %s\n", path);
		return;
	}
	matched = sound_file(path, &rules);
	printf("  vigil rules: %u of %u open rules matched some sample\n", matched, rules);
}

/* The mappings above, checked the same way: rule R against paths at the edges. */
UNIT_TEST(inline_sound)
{
	static const char *const conds[] = {
	    "fd.name in (/etc/shadow, /x)",
	    "fd.name startswith /etc/",
	    "fd.name endswith /syslog",
	    "fd.name pmatch (/etc, //var//run/, /usr/*/a.conf)",
	    "fd.name glob '/etc/p*'",
	    "fd.name glob '/etc/shadow'",
	    "fd.name glob '*/.bashrc'",
	    "fd.name contains /.",
	    "fd.directory in (/etc, /etc/pam.d, /tmp/a/)",
	    "fd.directory startswith /usr",
	    "fd.directory pmatch (/var/run)",
	    "fd.filename in (x, .bashrc, shadow)",
	    "fd.filename endswith .conf",
	    "fd.nameraw in (/etc/shadow, relative)",
	    "fd.nameraw startswith /tmp/",
	    "fd.nameraw glob '/etc/*'",
	    "evt.arg.name endswith /c",
	    "fd.nameraw contains '../'",
	    "fd.name in (/a, /x) and fd.filename = x",
	    "(evt.type = openat and fd.name = /a) or (evt.type = rename and proc.name = cat)",
	    "not fd.name = /a and fd.directory = /b",
	};
	static const char *const paths[] = {
	    "/",
	    "/x",
	    "/a",
	    "/etc",
	    "/etc/x",
	    "/etc/shadow",
	    "/etc/passwd",
	    "/etc/pam.d",
	    "/etc/pam.d/sshd",
	    "/.bashrc",
	    "/root/.bashrc",
	    "/var/log/syslog",
	    "/opt/syslog",
	    "/usr/lib/a.conf",
	    "/usr/lib",
	    "/var/run",
	    "/var/run/app/x",
	    "/var/runx",
	    "/b/c",
	    "/tmp/a/b/c",
	    "/tmp/a",
	    "relative",
	    "../x",
	};
	static struct rp_paths rp;
	unsigned matches = 0;
	struct rv_event ev;

	for (size_t c = 0; c < sizeof(conds) / sizeof(conds[0]); c++) {
		struct rules_set *rs = rules_set__new();
		struct re_engine *e = NULL;

		snprintf(yaml, sizeof(yaml),
			 "- rule: R\n  desc: d\n  condition: >\n    %s\n  output: o\n"
			 "  priority: warning\n",
			 conds[c]);
		rules_set__load_buf(rs, "r.yaml", yaml, strlen(yaml));
		rules_set__compile(rs);
		CHECK_INT(re_engine__new(rs, NULL, &e), 0);
		CHECK_INT(e ? rules_prefilter__paths(e, VG_EV_OPEN, &rp) : -1, 0);
		CHECK(!rp.any);
		for (size_t i = 0; e && i < sizeof(paths) / sizeof(paths[0]); i++)
			for (int tc = 0; tc < 2; tc++) {
				open_event(&ev, "cat", paths[i], NULL, false, tc ? 'd' : 'f');
				if (re_engine__eval(e, &ev, NULL, NULL) <= 0)
					continue;
				matches++;
				if (!rules_prefilter__passes(&rp, paths[i])) {
					printf("  DROPPED: %s matches %s\n", conds[c], paths[i]);
					CHECK(0);
				}
			}
		re_engine__free(e);
		rules_set__free(rs);
	}
	CHECK(matches > 40);
	printf("  inline rules: %u matches, none dropped\n", matches);
}

/* vigil's own rules: informational, they may well be ANY. */
UNIT_TEST(vigil_rules_open)
{
	struct rules_set *rs;
	struct re_engine *e;
	char path[4200];

	unit_srcpath(path, sizeof(path), "rules/vigil_rules.yaml");
	if (access(path, R_OK) != 0) {
		printf("SKIP: no %s\n", path);
		return;
	}
	e = engine_of(path, &rs, NULL);
	CHECK(e != NULL);
	CHECK_INT(e ? rules_prefilter__paths(e, VG_EV_OPEN, &P) : -1, 0);
	if (P.any)
		printf("  vigil rules, open: ANY: %s\n", P.why);
	else
		printf("  vigil rules, open: %zu patterns: %s\n", P.n, show());
	re_engine__free(e);
	rules_set__free(rs);
}

int main(void)
{
	return unit_run();
}
