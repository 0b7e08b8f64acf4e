// SPDX-License-Identifier: Apache-2.0
/*
 * rules_prefilter: the path patterns derived from rules loaded from inline YAML, one mapping
 * at a time (fd.name, fd.directory, fd.filename, fd.nameraw and evt.arg.name by operator),
 * and/or/not, macros, lists, exceptions, evt.type branches, the limits and the reasons given
 * for ANY; passes() by hand. test_rules_prefilter_sound.c checks the result against the
 * evaluator.
 */
#include <errno.h>
#include <stdlib.h>

#define UNIT_MAIN
#include "rules_eval.h"
#include "rules_load.h"
#include "rules_prefilter.h"
#include "unit.h"

static char yaml[1 << 16];
#include "prefilter_fixture.h"

/* Rule R with condition cond (after macros and lists in extra, and with `tail` appended to
 * the rule's item), compiled; P gets its patterns for open. Returns what paths() returned, or
 * -1 when R did not load. */
static int paths_of(const char *extra, const char *cond, const char *tail)
{
	struct rules_set *rs = rules_set__new();
	const struct rules_rule *r;
	struct re_engine *e = NULL;
	int ret = -1;

	snprintf(yaml, sizeof(yaml),
		 "%s- rule: R\n  desc: d\n  condition: >\n    %s\n  output: o\n"
		 "  priority: warning\n%s",
		 extra, cond, tail);
	rules_set__load_buf(rs, "r.yaml", yaml, strlen(yaml));
	rules_set__compile(rs);
	r = rules_set__find_rule(rs, "R");
	if (r && r->status == RULES_LOADED && re_engine__new(rs, NULL, &e) == 0)
		ret = rules_prefilter__paths(e, VG_EV_OPEN, &P);
	else
		printf("  not loaded: %s: %s\n", cond, r ? r->reason : "(no rule)");
	re_engine__free(e);
	rules_set__free(rs);
	return ret;
}

/* The patterns of cond, shown. */
static const char *pats(const char *cond)
{
	if (paths_of("", cond, "") != 0)
		return "(failed)";
	return show();
}

UNIT_TEST(fd_name)
{
	CHECK_STR(pats("fd.name = /etc/shadow"), "E:/etc/shadow");
	CHECK_STR(pats("fd.name in (/etc/shadow, /etc/gshadow, /etc/shadow)"),
		  "E:/etc/gshadow E:/etc/shadow");
	CHECK_STR(pats("fd.name startswith /etc/"), "P:/etc/");
	CHECK_STR(pats("fd.name endswith /syslog"), "S:/syslog");
	/* pmatch: normalised as pmatch compares; a wildcard cuts it */
	CHECK_STR(pats("fd.name pmatch (/etc, //var//log/)"),
		  "E:/etc E:/var/log P:/etc/ P:/var/log/");
	CHECK_STR(pats("fd.name pmatch (/var/*/app, /opt/ap?)"), "P:/opt/ap P:/var/");
	CHECK_STR(pats("fd.name pmatch (/etc, /)"), "ANY");
	/* glob: exact without a wildcard, else the text before the first one */
	CHECK_STR(pats("fd.name glob '/etc/*.conf'"), "P:/etc/");
	CHECK_STR(pats("fd.name glob '/etc/pa[s]swd'"), "P:/etc/pa");
	CHECK_STR(pats("fd.name glob '/etc/passwd'"), "E:/etc/passwd");
	CHECK_STR(pats("fd.name glob '*.conf'"), "ANY");
	CHECK_STR(P.why, "rule 'R': fd.name glob: no leading '/' before a wildcard");
	CHECK_STR(pats("fd.name glob 'etc/*'"), "ANY");
	CHECK_STR(pats("fd.name glob '*/.ssh/*'"), ""); /* every match holds "/.": passed */
	/* not absolute: kept (harmless); admitting only passed paths: left out */
	CHECK_STR(pats("fd.name = relative"), "E:relative");
	CHECK_STR(pats("fd.name in (/etc/, /a/../b, /root/.ssh/id_rsa, /x)"), "E:/x");
	/* contains: ANY unless every match holds a sequence the kernel passes */
	CHECK_STR(pats("fd.name contains /etc"), "ANY");
	CHECK_STR(P.why, "rule 'R': fd.name contains");
	CHECK_STR(pats("fd.name contains /.ssh/"), "");
	CHECK(!P.any && P.n == 0);
	CHECK_STR(pats("fd.name startswith ''"), "ANY");
	CHECK_STR(P.why, "rule 'R': fd.name startswith: a pattern that admits every path");
	CHECK_STR(pats("fd.name startswith /"), "ANY");
	CHECK_STR(pats("fd.name endswith ''"), "ANY");
	CHECK_STR(pats("fd.name icontains /etc"), "ANY");
	CHECK_STR(pats("fd.name != /etc/shadow"), "ANY");
	CHECK_STR(P.why, "rule 'R': fd.name !=");
	CHECK_STR(pats("fd.name exists"), "ANY");
	CHECK_STR(pats("fd.name iglob '/etc/*'"), "ANY");
	CHECK_STR(pats("fd.name regex '/etc/.*'"), "ANY");
}

UNIT_TEST(fd_directory_filename)
{
	/* a directory's fd.directory is its own path: exact D too */
	CHECK_STR(pats("fd.directory = /etc"), "E:/etc P:/etc/");
	CHECK_STR(pats("fd.directory in (/etc/pam.d, /var/log)"),
		  "E:/etc/pam.d E:/var/log P:/etc/pam.d/ P:/var/log/");
	CHECK_STR(pats("fd.directory in (/etc, /)"), "ANY");
	CHECK_STR(pats("fd.directory = /etc/"), "P:/etc/");
	CHECK_STR(pats("fd.directory startswith /usr"), "P:/usr");
	CHECK_STR(pats("fd.directory pmatch (/usr/lib)"), "E:/usr/lib P:/usr/lib/");
	CHECK_STR(pats("fd.directory endswith /bin"), "ANY");
	CHECK_STR(pats("fd.filename = shadow"), "S:/shadow");
	/* a dotfile's suffix holds "/.": passed anyway */
	CHECK_STR(pats("fd.filename in (.bashrc, id_rsa)"), "S:/id_rsa");
	CHECK_STR(pats("fd.filename = a/b"), "S:a/b");
	CHECK_STR(pats("fd.filename endswith .conf"), "S:.conf");
	CHECK_STR(pats("fd.filename startswith x"), "ANY");
	CHECK_STR(pats("fd.filename contains ../"), "ANY");
}

UNIT_TEST(raw_path)
{
	CHECK_STR(pats("fd.nameraw contains '../'"), "");
	CHECK_STR(pats("fd.nameraw contains '//'"), "");
	CHECK_STR(pats("fd.nameraw contains /etc"), "ANY");
	CHECK_STR(P.why, "rule 'R': fd.nameraw contains");
	CHECK_STR(pats("fd.nameraw = /etc/shadow"), "E:/etc/shadow");
	CHECK_STR(pats("fd.nameraw startswith /etc/"), "P:/etc/");
	/* a raw path that is not absolute is passed: nothing to add */
	CHECK_STR(pats("fd.nameraw startswith ../"), "");
	CHECK_STR(pats("fd.nameraw in (etc/shadow, /etc/shadow)"), "E:/etc/shadow");
	CHECK_STR(pats("fd.nameraw endswith /shadow"), "S:/shadow");
	CHECK_STR(pats("fd.nameraw glob '*../*../*'"), "");
	CHECK_STR(pats("fd.nameraw glob 'etc/*'"), "");
	CHECK_STR(pats("fd.nameraw glob '*/etc/*'"), "ANY");
	CHECK_STR(pats("fd.nameraw glob '[./]./*'"), "ANY"); /* the bracket is not literal */
	CHECK_STR(pats("fd.nameraw pmatch (/etc)"), "E:/etc P:/etc/");
	/* evt.arg.name and evt.arg.path: the argument as passed */
	CHECK_STR(pats("evt.arg.name = /etc/shadow"), "E:/etc/shadow");
	CHECK_STR(pats("evt.arg[name] startswith /etc/"), "P:/etc/");
	CHECK_STR(pats("evt.type = openat and evt.arg.name contains ../"), "");
	CHECK_STR(pats("evt.arg.flags contains O_TRUNC"), "ANY");
	CHECK_STR(P.why, "rule 'R': no constraint on the path");
}

UNIT_TEST(and_or_not)
{
	CHECK_STR(pats("fd.name = /a or fd.name startswith /b/"), "E:/a P:/b/");
	CHECK_STR(pats("fd.name = /a or proc.name = cat"), "ANY");
	CHECK_STR(P.why, "rule 'R': no constraint on the path");
	CHECK_STR(pats("fd.name = /a or fd.name contains x or proc.name = cat"), "ANY");
	CHECK_STR(P.why, "rule 'R': fd.name contains");
	/* and: the child with the fewest patterns; the empty set wins */
	CHECK_STR(pats("fd.name in (/a, /b) and fd.name = /c"), "E:/c");
	CHECK_STR(pats("proc.name = cat and fd.name in (/a, /b) and evt.type = openat"),
		  "E:/a E:/b");
	CHECK_STR(pats("fd.name in (/a, /b) and fd.nameraw contains '../'"), "");
	CHECK_STR(pats("proc.name = cat and (fd.name = /a or fd.directory = /b)"),
		  "E:/a E:/b P:/b/");
	/* and with no child narrower than ANY: the first reason about a path */
	CHECK_STR(pats("proc.name = cat and fd.name contains x"), "ANY");
	CHECK_STR(P.why, "rule 'R': fd.name contains");
	CHECK_STR(pats("not fd.name = /a"), "ANY");
	CHECK_STR(P.why, "rule 'R': a path check under not");
	CHECK_STR(pats("fd.name = /a and not fd.name = /b"), "E:/a");
	CHECK_STR(pats("not proc.name = cat and fd.name endswith /x"), "S:/x");
	/* a branch for other event types admits no open */
	CHECK_STR(
	    pats("(evt.type = openat and fd.name = /a) or (evt.type = rename and proc.name = x)"),
	    "E:/a");
	CHECK_STR(pats("(evt.type in (open, unlink) and fd.name = /a) or evt.type in (rename)"),
		  "E:/a");
	/* != names one syscall of several for open: no conclusion */
	CHECK_STR(pats("(evt.type != openat and proc.name = x) or fd.name = /a"), "ANY");
}

UNIT_TEST(macros_lists_exceptions)
{
	const char *extra =
	    "- list: files\n  items: [/etc/shadow, /etc/gshadow]\n"
	    "- list: dirs\n  items: [/etc/pam.d]\n"
	    "- macro: m\n  condition: fd.name in (files) or fd.directory in (dirs)\n"
	    "- macro: opened\n  condition: evt.type in (open, openat)\n";

	CHECK_INT(paths_of(extra, "opened and m and proc.name = cat", ""), 0);
	CHECK_STR(show(), "E:/etc/gshadow E:/etc/pam.d E:/etc/shadow P:/etc/pam.d/");
	/* exceptions are folded in as `and not (...)`: they do not widen the set */
	CHECK_INT(paths_of(extra, "opened and m",
			   "  exceptions:\n    - name: known\n      fields: [proc.name, fd.name]\n"
			   "      values: [[cat, /tmp/x]]\n"),
		  0);
	CHECK_STR(show(), "E:/etc/gshadow E:/etc/pam.d E:/etc/shadow P:/etc/pam.d/");
	CHECK_INT(paths_of(extra, "opened and not m", ""), 0);
	CHECK_STR(show(), "ANY");
	CHECK_STR(P.why, "rule 'R': a path check under not");
}

UNIT_TEST(any_and_limits)
{
	static char cond[32768];
	size_t n = 0;

	CHECK_STR(pats("tolower(fd.name) = /etc/x"), "ANY");
	CHECK_STR(P.why, "rule 'R': fd.name: under a transformer");
	CHECK_STR(pats("fd.name = val(fd.nameraw)"), "ANY");
	CHECK_STR(P.why, "rule 'R': fd.name =: against a field");
	/* longer than a kernel key */
	n = (size_t)snprintf(cond, sizeof(cond), "fd.name = /");
	for (int i = 0; i < 300; i++)
		cond[n++] = 'a';
	cond[n] = '\0';
	CHECK_STR(pats(cond), "ANY");
	CHECK_STR(P.why, "rule 'R': fd.name =: a value longer than 255 bytes or with a NUL");
	/* too many patterns */
	n = (size_t)snprintf(cond, sizeof(cond), "fd.name in (");
	for (int i = 0; i < RP_PATTERNS_MAX + 1; i++)
		n += (size_t)snprintf(cond + n, sizeof(cond) - n, "%s/f%d", i ? ", " : "", i);
	snprintf(cond + n, sizeof(cond) - n, ")");
	CHECK_STR(pats(cond), "ANY");
	CHECK_STR(P.why, "rule 'R': more than 512 patterns");
	/* ... unless most are covered by a prefix */
	cond[n] = '\0';
	snprintf(cond + n, sizeof(cond) - n, ") or fd.name startswith /f");
	CHECK_STR(pats(cond), "P:/f");
	/* what a prefix or suffix covers is left out */
	CHECK_STR(pats("fd.name in (/etc/a, /x/syslog, /etc) or fd.name startswith /etc/ or "
		       "fd.name startswith /etc/b/ or fd.name endswith /syslog or "
		       "fd.name endswith /var/log/syslog"),
		  "E:/etc P:/etc/ S:/syslog");
}

/* A rule set whose rules cannot match open: ANY, since nothing can be said; a bad type. */
UNIT_TEST(no_rule_for_type)
{
	static const char y[] = "- rule: X\n  desc: d\n  condition: evt.type = execve\n"
				"  output: o\n  priority: warning\n";
	struct rules_set *rs = rules_set__new();
	struct re_engine *e = NULL;

	rules_set__load_buf(rs, "r.yaml", y, strlen(y));
	CHECK_INT(rules_set__compile(rs), 0);
	CHECK_INT(re_engine__new(rs, NULL, &e), 0);
	CHECK_INT(rules_prefilter__paths(e, VG_EV_OPEN, &P), 0);
	CHECK(P.any);
	CHECK_STR(P.why, "no rule can match this event type");
	CHECK_INT(rules_prefilter__paths(e, VG_EV_EXEC, &P), 0);
	CHECK(P.any);
	CHECK_STR(P.why, "rule 'X': no constraint on the path");
	CHECK_INT(rules_prefilter__paths(e, -1, &P), -EINVAL);
	CHECK(P.any);
	CHECK_INT(rules_prefilter__paths(e, VG_EV_MAX, &P), -EINVAL);
	re_engine__free(e);
	rules_set__free(rs);
}

UNIT_TEST(passes)
{
	static struct rp_paths rp;

	rp.any = true;
	CHECK(rules_prefilter__passes(&rp, "/tmp/x"));
	rp.any = false;
	rp.n = 3;
	rp.pats[0] = (struct rp_pattern){.kind = RP_EXACT, .path = "/etc/shadow"};
	rp.pats[1] = (struct rp_pattern){.kind = RP_PREFIX, .path = "/var/log/"};
	rp.pats[2] = (struct rp_pattern){.kind = RP_SUFFIX, .path = "/syslog"};
	CHECK(rules_prefilter__passes(&rp, "/etc/shadow"));
	CHECK(!rules_prefilter__passes(&rp, "/etc/shadow-"));
	CHECK(!rules_prefilter__passes(&rp, "/etc/shado"));
	CHECK(rules_prefilter__passes(&rp, "/var/log/x"));
	CHECK(!rules_prefilter__passes(&rp, "/var/log"));
	CHECK(rules_prefilter__passes(&rp, "/opt/syslog"));
	CHECK(!rules_prefilter__passes(&rp, "/opt/syslogd"));
	CHECK(!rules_prefilter__passes(&rp, "/tmp/x"));
	CHECK(!rules_prefilter__passes(&rp, "/"));
	/* relative or not normalised: passed unjudged */
	CHECK(rules_prefilter__passes(&rp, "tmp/x"));
	CHECK(rules_prefilter__passes(&rp, ""));
	CHECK(rules_prefilter__passes(&rp, "/tmp//x"));
	CHECK(rules_prefilter__passes(&rp, "/tmp/./x"));
	CHECK(rules_prefilter__passes(&rp, "/tmp/../etc/shadow"));
	CHECK(rules_prefilter__passes(&rp, "/tmp/.x"));
	CHECK(rules_prefilter__passes(&rp, "/etc/shadow/"));
	CHECK(rules_prefilter__passes(&rp, NULL));
	rp.n = 0;
	CHECK(!rules_prefilter__passes(&rp, "/etc/shadow"));
}

int main(void)
{
	return unit_run();
}
