// SPDX-License-Identifier: Apache-2.0
/*
 * rules_eval: rules loaded from inline YAML, compiled, and run against event views built by
 * hand. Every operator and value type, transformers, fields with several values and fields
 * with none, and/or/not and their short-circuits, macros and exceptions, the priority filter,
 * dispatch by event type, rules left out for values that do not convert, explain's text; then
 * the upstream stable rules against a shell in a container, and a timing loop (printed only).
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define UNIT_MAIN
#include "log.h"
#include "rules_eval.h"
#include "rules_load.h"
#include "unit.h"

static char scratch[RV_SCRATCH_DEFAULT];
static char yaml[1 << 16];

/* One rule R (after `extra`, macros and lists), compiled. */
static struct rules_set *load(const char *extra, const char *cond, const char *prio)
{
	struct rules_set *rs = rules_set__new();

	snprintf(yaml, sizeof(yaml),
		 "%s- rule: R\n  desc: d\n  condition: >\n    %s\n  output: o\n  priority: %s\n",
		 extra, cond, prio);
	rules_set__load_buf(rs, "r.yaml", yaml, strlen(yaml));
	rules_set__compile(rs);
	return rs;
}

/* 1: R matches ev, 0: it does not, -1: R did not load, -2: the engine left it out. */
static int run_with(const char *extra, const char *cond, const struct rv_event *ev)
{
	struct rules_set *rs = load(extra, cond, "warning");
	const struct rules_rule *r = rules_set__find_rule(rs, "R");
	struct re_engine *e = NULL;
	int ret = -1;

	if (r && r->status == RULES_LOADED) {
		ret = re_engine__new(rs, NULL, &e);
		if (ret == 0)
			ret = re_engine__eval(e, ev, NULL, NULL);
		else
			ret = -2;
	} else {
		printf("  not loaded: %s: %s\n", cond, r ? r->reason : "(no rule)");
	}
	re_engine__free(e);
	rules_set__free(rs);
	return ret;
}

static int run(const char *cond, const struct rv_event *ev)
{
	return run_with("", cond, ev);
}

static const struct rv_proc ancestors[] = {
    {.known = true, .pid = 40, .ppid = 30, .comm = "containerd-shim"},
    {.known = true, .pid = 30, .ppid = 1, .comm = "systemd"},
};

/* levels 2 and 3 */
static const struct rv_proc *ancestor(const struct rv_event *ev, unsigned level)
{
	if (level == 1)
		return ev->parent.known ? &ev->parent : NULL;
	return level - 2 < sizeof(ancestors) / sizeof(ancestors[0]) ? &ancestors[level - 2] : NULL;
}

static const char *label(const struct rv_event *ev, const char *key)
{
	(void)ev;
	if (!strcmp(key, "app"))
		return "web";
	if (!strcmp(key, "enc"))
		return "aGVsbG8gd29ybGQ";
	return NULL;
}

static const char args[] = "bash\0-c\0ls -l /tmp";

/* bash -c 'ls -l /tmp', run by runc in a container, with a terminal */
static void exec_event(struct rv_event *ev)
{
	rules_view__reset(ev, scratch, sizeof(scratch));
	ev->type = VG_EV_EXEC;
	ev->evt_name = "execve";
	ev->num = 42; /* Falco's never_true is evt.num = 0 */
	ev->proc = (struct rv_proc){.known = true,
				    .pid = 100,
				    .ppid = 50,
				    .comm = "bash",
				    .exepath = "/usr/bin/bash",
				    .args = args,
				    .args_len = sizeof(args),
				    .cwd = "/var/run/app",
				    .tty = 34816,
				    .has_creds = true};
	ev->parent = (struct rv_proc){.known = true, .pid = 50, .ppid = 40, .comm = "runc"};
	ev->has_uid = true;
	ev->uid = 0;
	ev->filename = "/usr/bin/bash";
	ev->container_id = "0123456789ab";
	ev->container_name = "web-1";
	ev->image_repository = "docker.io/library/nginx";
	ev->privileged = 0;
	ev->lazy.ancestor = ancestor;
	ev->lazy.pod_label = label;
}

/* a TCP connect from 10.1.2.3:40000 to 1.2.3.4:443 that failed */
static void connect_event(struct rv_event *ev)
{
	exec_event(ev);
	ev->type = VG_EV_CONNECT;
	ev->evt_name = "connect";
	ev->has_ret = true;
	ev->ret = -111;
	ev->error = "ECONNREFUSED";
	ev->has_fd = true;
	ev->fd = 3;
	ev->fd_name = "10.1.2.3:40000->1.2.3.4:443";
	ev->fd_typechar = '4';
	ev->l4proto = 6;
	ev->sock_family = 2;
	ev->local = (struct rv_end){.ip = {4, {10, 1, 2, 3}}, .port = 40000, .has_port = true};
	ev->remote = (struct rv_end){.ip = {4, {1, 2, 3, 4}}, .port = 443, .has_port = true};
	ev->connected = 0;
}

UNIT_TEST(text_operators)
{
	struct rv_event ev;

	exec_event(&ev);
	CHECK_INT(run("proc.name = bash", &ev), 1);
	CHECK_INT(run("proc.name = bas", &ev), 0);
	CHECK_INT(run("proc.name != bash", &ev), 0);
	CHECK_INT(run("proc.name != sh", &ev), 1);
	/* the parser takes only numbers after <, compared with text as bytes */
	CHECK_INT(run("proc.name > 5 and proc.name >= 5", &ev), 1);
	CHECK_INT(run("proc.name < 5 or proc.name <= 5", &ev), 0);
	CHECK_INT(run("proc.exepath < 5", &ev), 1);
	CHECK_INT(run("proc.exepath contains bin/ba", &ev), 1);
	CHECK_INT(run("proc.exepath contains BIN", &ev), 0);
	CHECK_INT(run("proc.exepath icontains BIN/BA", &ev), 1);
	CHECK_INT(run("proc.exepath startswith /usr/", &ev), 1);
	CHECK_INT(run("proc.exepath startswith /bin", &ev), 0);
	CHECK_INT(run("proc.exepath endswith /bash", &ev), 1);
	CHECK_INT(run("proc.exepath endswith /bas", &ev), 0);
	CHECK_INT(run("proc.cmdline = \"bash -c ls -l /tmp\"", &ev), 1);
	CHECK_INT(run("container.image.repository endswith nginx", &ev), 1);
}

UNIT_TEST(glob_regex_pmatch)
{
	struct rv_event ev;

	exec_event(&ev);
	/* no FNM_PATHNAME: '*' crosses slashes, as in Falco */
	CHECK_INT(run("proc.exepath glob '/usr/*'", &ev), 1);
	CHECK_INT(run("proc.exepath glob '/usr/b?n/ba[st]h'", &ev), 1);
	CHECK_INT(run("proc.exepath glob '/usr/*/sh'", &ev), 0);
	CHECK_INT(run("proc.exepath glob '/USR/*'", &ev), 0);
	CHECK_INT(run("proc.exepath iglob '/USR/*BASH'", &ev), 1);
	/* the whole value must match */
	CHECK_INT(run("proc.name regex 'ba(sh|rk)'", &ev), 1);
	CHECK_INT(run("proc.name regex 'as'", &ev), 0);
	CHECK_INT(run("proc.name regex '.*as.*'", &ev), 1);
	CHECK_INT(run("proc.exepath regex '/usr/(s?bin)/[a-z]+'", &ev), 1);
	/* pmatch: a directory listed is the path or one of its ancestors */
	CHECK_INT(run("proc.cwd pmatch (/etc, /var/run)", &ev), 1);
	CHECK_INT(run("proc.cwd pmatch (/var/run/app)", &ev), 1);
	CHECK_INT(run("proc.cwd pmatch (/var/ru, /var/run/a, /var/run/app/x)", &ev), 0);
	CHECK_INT(run("proc.cwd pmatch (/var/run/, //var//run)", &ev), 1);
	CHECK_INT(run("proc.cwd pmatch (/)", &ev), 1);
	CHECK_INT(run("proc.cwd pmatch (/etc, /var/*/app)", &ev), 1);
	CHECK_INT(run("proc.cwd pmatch (/etc, /*/run/x)", &ev), 0);
	ev.proc.cwd = "/var/runx";
	CHECK_INT(run("proc.cwd pmatch (/etc, /var/run)", &ev), 0);
	CHECK_INT(run("proc.cwd startswith /var/run", &ev), 1);
}

UNIT_TEST(lists_and_sets)
{
	struct rv_event ev;

	exec_event(&ev);
	CHECK_INT(run("proc.name in (sh, bash)", &ev), 1);
	CHECK_INT(run("proc.name in (sh, zsh)", &ev), 0);
	CHECK_INT(run("proc.name intersects (sh, bash)", &ev), 1);
	/* more than a few values: a hash set */
	CHECK_INT(run("proc.name in (a, b, c, d, e, f, g, h, i, j, k, bash, l)", &ev), 1);
	CHECK_INT(run("proc.name in (a, b, c, d, e, f, g, h, i, j, k, bas, bashh, l)", &ev), 0);
	CHECK_INT(run("not proc.name in (a, b, c, d, e, f, g, h, i, j, k, l)", &ev), 1);
	CHECK_INT(run_with("- list: shells\n  items: [ash, bash, csh, ksh, sh, tcsh, zsh, dash, "
			   "fish, rbash]\n",
			   "proc.name in (shells)", &ev),
		  1);
	CHECK_INT(run("proc.pid in (1, 2, 100)", &ev), 1);
	CHECK_INT(run("proc.pid in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 100, 200)", &ev), 1);
	CHECK_INT(run("proc.pid in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 99, 101)", &ev), 0);
	/* prefixes merged from an 'or' into one table */
	CHECK_INT(run("proc.exepath startswith /sbin or proc.exepath startswith /usr/b or "
		      "proc.exepath startswith /usr or proc.exepath startswith /bin",
		      &ev),
		  1);
	CHECK_INT(run("proc.exepath startswith /sbin or proc.exepath startswith /usr/sbin or "
		      "proc.exepath startswith /usr/bin/bashx or proc.exepath startswith /bin",
		      &ev),
		  0);
}

UNIT_TEST(numbers_and_booleans)
{
	struct rv_event ev;

	connect_event(&ev);
	CHECK_INT(run("proc.tty != 0", &ev), 1);
	CHECK_INT(run("proc.tty = 34816", &ev), 1);
	CHECK_INT(run("proc.pid = 0x64", &ev), 1);
	CHECK_INT(run("proc.pid < 100", &ev), 0);
	CHECK_INT(run("proc.pid <= 100 and proc.pid >= 100 and proc.pid > 99", &ev), 1);
	CHECK_INT(run("evt.rawres = -111", &ev), 1);
	CHECK_INT(run("evt.rawres < 0", &ev), 1);
	CHECK_INT(run("evt.failed = true", &ev), 1);
	CHECK_INT(run("evt.failed = false", &ev), 0);
	CHECK_INT(run("evt.failed != false", &ev), 1);
	CHECK_INT(run("fd.connected = false", &ev), 1);
	CHECK_INT(run("container.privileged = true", &ev), 0);
	CHECK_INT(run("fd.lport = 40000 and fd.rport = 443", &ev), 1);
}

UNIT_TEST(addresses_and_networks)
{
	struct rv_event ev;

	connect_event(&ev);
	CHECK_INT(run("fd.sip = 1.2.3.4", &ev), 1);
	CHECK_INT(run("fd.sip = 1.2.3.5", &ev), 0);
	CHECK_INT(run("fd.sip != 1.2.3.5", &ev), 1);
	CHECK_INT(run("fd.sip in (9.9.9.9, 1.2.3.4)", &ev), 1);
	CHECK_INT(run("fd.sip = ::1", &ev), 0);
	CHECK_INT(run("fd.sip != ::1", &ev), 1); /* another family is never equal */
	/* host names: resolved once at compile time (1.2.3.4 is a literal address, which
	 * getaddrinfo returns as is); a name that does not resolve matches nothing */
	CHECK_INT(run("fd.sip.name = 1.2.3.4", &ev), 1);
	CHECK_INT(run("fd.sip.name in (localhost, 1.2.3.4)", &ev), 1);
	CHECK_INT(run("fd.sip.name = localhost", &ev), 0);
	CHECK_INT(run("fd.cip.name = localhost", &ev), 0);
	CHECK_INT(run("fd.sip.name = no-such-host.invalid", &ev), 0);
	CHECK_INT(run("fd.sip.name != no-such-host.invalid", &ev), 1);
	ev.remote.ip = (struct rv_ip){4, {127, 0, 0, 1}};
	CHECK_INT(run("fd.sip.name = localhost", &ev), 1);
	CHECK_INT(run("fd.rip.name = localhost", &ev), 1);
	CHECK_INT(run("fd.lip.name = localhost", &ev), 0);
	connect_event(&ev);
	CHECK_INT(run("fd.snet = 1.2.0.0/16", &ev), 1);
	CHECK_INT(run("fd.snet = 1.3.0.0/16", &ev), 0);
	CHECK_INT(run("fd.snet in (10.0.0.0/8, 1.2.3.0/25)", &ev), 1);
	CHECK_INT(run("fd.snet = 1.2.3.4", &ev), 1);
	CHECK_INT(run("fd.snet = 0.0.0.0/0", &ev), 1);
	/* both ends: true when one of them is */
	CHECK_INT(run("fd.ip = 10.1.2.3", &ev), 1);
	CHECK_INT(run("fd.ip = 1.2.3.4", &ev), 1);
	CHECK_INT(run("fd.ip = 8.8.8.8", &ev), 0);
	CHECK_INT(run("fd.net = 10.0.0.0/8", &ev), 1);
	CHECK_INT(run("fd.net = 192.168.0.0/16", &ev), 0);
	CHECK_INT(run("fd.port = 443", &ev), 1);
	CHECK_INT(run("fd.port in (80, 8080)", &ev), 0);
	CHECK_INT(run("fd.port > 30000", &ev), 1);
}

UNIT_TEST(transformers)
{
	struct rv_event ev;

	exec_event(&ev);
	ev.proc.comm = "BaSh";
	CHECK_INT(run("tolower(proc.name) = bash", &ev), 1);
	CHECK_INT(run("toupper(proc.name) = BASH", &ev), 1);
	CHECK_INT(run("proc.name = bash", &ev), 0);
	CHECK_INT(run("basename(proc.exepath) = bash", &ev), 1);
	CHECK_INT(run("toupper(basename(proc.exepath)) = BASH", &ev), 1);
	CHECK_INT(run("len(proc.name) = 4", &ev), 1);
	CHECK_INT(run("len(proc.exepath) > 20", &ev), 0);
	CHECK_INT(run("b64(k8s.pod.label[enc]) = 'hello world'", &ev), 1);
	CHECK_INT(run("b64(k8s.pod.label[app]) exists", &ev), 1);
	CHECK_INT(run("b64(k8s.pod.label[app]) = web", &ev), 0);
	/* a field on the right */
	ev.parent.comm = "bash";
	CHECK_INT(run("tolower(proc.name) = val(proc.pname)", &ev), 1);
	CHECK_INT(run("proc.name = val(proc.pname)", &ev), 0);
	CHECK_INT(run("proc.name != val(proc.pname)", &ev), 1);
	CHECK_INT(run("proc.pname = tolower(proc.name)", &ev), 1);
	CHECK_INT(run("proc.name icontains val(proc.pname)", &ev), 1);
	CHECK_INT(run("proc.pid > val(proc.ppid)", &ev), 1);
	CHECK_INT(run("proc.pid <= val(proc.ppid)", &ev), 0);
	ev.parent.known = false;
	CHECK_INT(run("tolower(proc.name) = val(proc.pname)", &ev), 0);
}

UNIT_TEST(several_values_and_none)
{
	struct rv_event ev;

	exec_event(&ev);
	CHECK_INT(run("proc.aname = systemd", &ev), 1);
	CHECK_INT(run("proc.aname = runc", &ev), 1);
	CHECK_INT(run("proc.aname = bash", &ev), 0); /* from the parent up */
	CHECK_INT(run("proc.aname[2] = containerd-shim", &ev), 1);
	CHECK_INT(run("proc.aname[3] startswith system", &ev), 1);
	CHECK_INT(run("proc.aname[4] exists", &ev), 0);
	CHECK_INT(run("proc.aname in (sshd, systemd)", &ev), 1);
	CHECK_INT(run("not proc.aname in (sshd, login)", &ev), 1);
	/* as libsinsp: != holds when some ancestor differs */
	CHECK_INT(run("proc.aname != runc", &ev), 1);
	/* absent: every comparison false, != and exists too */
	CHECK_INT(run("fd.name = x", &ev), 0);
	CHECK_INT(run("fd.name != x", &ev), 0);
	CHECK_INT(run("fd.name exists", &ev), 0);
	CHECK_INT(run("not fd.name exists", &ev), 1);
	CHECK_INT(run("not fd.name = x", &ev), 1);
	CHECK_INT(run("proc.pname exists", &ev), 1);
	ev.parent.known = false;
	ev.lazy.ancestor = NULL;
	CHECK_INT(run("proc.pname exists", &ev), 0);
	CHECK_INT(run("proc.aname = systemd", &ev), 0);
	CHECK_INT(run("proc.aname != systemd", &ev), 0);
}

/* Checks run for one event, to see the order and the short-circuits. */
static long checks_run(const char *cond, const struct rv_event *ev, int *matched)
{
	struct rules_set *rs = load("", cond, "warning");
	struct re_engine *e = NULL;
	struct re_stats st = {0};

	CHECK_INT(re_engine__new(rs, NULL, &e), 0);
	if (!e) {
		rules_set__free(rs);
		return -1;
	}
	*matched = re_engine__eval(e, ev, NULL, NULL);
	re_engine__stats(e, &st);
	re_engine__free(e);
	rules_set__free(rs);
	return (long)st.checks;
}

UNIT_TEST(and_or_not_short_circuits)
{
	struct rv_event ev;
	int m;

	exec_event(&ev);
	CHECK_INT(run("proc.name = bash and (proc.pid = 1 or proc.tty != 0)", &ev), 1);
	CHECK_INT(run("proc.name = bash and not (proc.pid = 1 or proc.tty != 0)", &ev), 0);
	CHECK_INT(run("proc.name = zsh or proc.pid = 1 or not proc.tty = 0", &ev), 1);
	CHECK_INT(run("not not proc.name = bash", &ev), 1);
	/* the number is decided first, and settles the 'and' */
	CHECK_INT(checks_run("proc.cmdline contains ls and proc.pid = 1", &ev, &m), 1);
	CHECK_INT(m, 0);
	CHECK_INT(checks_run("proc.exepath glob '*sh' or proc.name = bash", &ev, &m), 1);
	CHECK_INT(m, 1);
	CHECK_INT(checks_run("proc.name regex 'b.*' and proc.exepath glob '*sh' and "
			     "proc.pid = 100",
			     &ev, &m),
		  3);
	CHECK_INT(m, 1);
}

UNIT_TEST(macros_and_exceptions)
{
	const char *extra =
	    "- list: shell_binaries\n  items: [bash, sh]\n"
	    "- macro: spawned_process\n  condition: evt.type in (execve, execveat)\n"
	    "- macro: shell_procs\n  condition: proc.name in (shell_binaries)\n";
	struct rules_set *rs;
	struct re_engine *e;
	struct rv_event ev;

	exec_event(&ev);
	CHECK_INT(run_with(extra, "spawned_process and shell_procs", &ev), 1);
	CHECK_INT(run_with(extra, "spawned_process and not shell_procs", &ev), 0);
	ev.evt_name = "execveat";
	CHECK_INT(run_with(extra, "spawned_process and shell_procs", &ev), 1);
	rs = rules_set__new();
	snprintf(yaml, sizeof(yaml),
		 "%s- rule: R\n  desc: d\n  condition: spawned_process and shell_procs\n"
		 "  output: o\n  priority: warning\n  exceptions:\n"
		 "    - name: known\n      fields: [proc.name, proc.pname]\n"
		 "      values: [[bash, runc], [sh, init]]\n",
		 extra);
	rules_set__load_buf(rs, "r.yaml", yaml, strlen(yaml));
	rules_set__compile(rs);
	CHECK_INT(re_engine__new(rs, NULL, &e), 0);
	CHECK_INT(re_engine__eval(e, &ev, NULL, NULL), 0);
	ev.parent.comm = "sshd";
	CHECK_INT(re_engine__eval(e, &ev, NULL, NULL), 1);
	ev.proc.comm = "sh";
	ev.parent.comm = "init";
	CHECK_INT(re_engine__eval(e, &ev, NULL, NULL), 0);
	re_engine__free(e);
	rules_set__free(rs);
}

static int collect(void *ctx, const struct rules_rule *r, const struct rv_event *ev)
{
	char *buf = ctx;

	(void)ev;
	strcat(buf, r->name);
	strcat(buf, ";");
	return 0;
}

static int stop_first(void *ctx, const struct rules_rule *r, const struct rv_event *ev)
{
	(void)ev;
	return collect(ctx, r, ev) + 1;
}

static const char three_rules[] =
    "- rule: Open\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: error\n"
    "- rule: Exec\n  desc: d\n  condition: evt.type = execve and proc.name = bash\n"
    "  output: o\n  priority: debug\n"
    "- rule: Shell\n  desc: d\n  condition: evt.type in (execve, open) and proc.tty != 0\n"
    "  output: o\n  priority: warning\n";

UNIT_TEST(priority_dispatch_and_order)
{
	struct rules_set *rs = rules_set__new();
	struct re_opts o = {.sz = sizeof(o), .min_priority = RULES_PRIO_NOTICE};
	struct re_engine *e;
	struct re_stats st;
	struct rv_event ev;
	char names[256] = "";

	rules_set__load_buf(rs, "r.yaml", three_rules, strlen(three_rules));
	rules_set__compile(rs);
	exec_event(&ev);
	CHECK_INT(re_engine__new(rs, NULL, &e), 0);
	CHECK_INT(re_engine__nrules(e), 3);
	CHECK_INT(re_engine__events(e), RF_EV(OPEN) | RF_EV(EXEC));
	CHECK_INT(re_engine__eval(e, &ev, collect, names), 2);
	CHECK_STR(names, "Exec;Shell;");
	names[0] = '\0';
	CHECK_INT(re_engine__eval(e, &ev, stop_first, names), 1);
	CHECK_STR(names, "Exec;");
	ev.type = VG_EV_OPEN;
	ev.evt_name = "open"; /* OPEN records stand for open and openat: names still matter */
	names[0] = '\0';
	CHECK_INT(re_engine__eval(e, &ev, collect, names), 1);
	CHECK_STR(names, "Shell;");
	ev.evt_name = "openat";
	names[0] = '\0';
	CHECK_INT(re_engine__eval(e, &ev, collect, names), 1);
	CHECK_STR(names, "Open;");
	re_engine__stats(e, &st);
	CHECK_INT(st.events, 4);
	CHECK_INT(st.matches, 5);
	CHECK_INT(st.per_type[VG_EV_EXEC], 2);
	CHECK_INT(st.per_type[VG_EV_OPEN], 2);
	re_engine__free(e);
	/* rules less severe than notice are left out */
	CHECK_INT(re_engine__new(rs, &o, &e), 0);
	CHECK_INT(re_engine__nrules(e), 2);
	CHECK_STR(re_engine__rule(e, 0)->name, "Open");
	CHECK_STR(re_engine__rule(e, 1)->name, "Shell");
	CHECK(re_engine__rule(e, 2) == NULL);
	re_engine__free(e);
	o.only_rule = "Shell";
	CHECK_INT(re_engine__new(rs, &o, &e), 0);
	CHECK_INT(re_engine__nrules(e), 1);
	CHECK_INT(re_engine__events(e), RF_EV(OPEN) | RF_EV(EXEC));
	re_engine__free(e);
	rules_set__free(rs);
}

UNIT_TEST(shared_checks_run_once)
{
	static const char text[] =
	    "- macro: a\n  condition: proc.name = bash\n"
	    "- macro: b\n  condition: proc.name = bash and proc.pid = 100\n"
	    "- rule: R1\n  desc: d\n  condition: evt.type = execve and a\n  output: o\n"
	    "  priority: error\n"
	    "- rule: R2\n  desc: d\n  condition: evt.type = execve and b\n  output: o\n"
	    "  priority: error\n"
	    "- rule: R3\n  desc: d\n  condition: proc.name = bash and not proc.pid = 100\n"
	    "  output: o\n  priority: error\n";
	struct rules_set *rs = rules_set__new();
	struct re_engine *e;
	struct re_stats st;
	struct rv_event ev;

	rules_set__load_buf(rs, "r.yaml", text, strlen(text));
	rules_set__compile(rs);
	exec_event(&ev);
	CHECK_INT(re_engine__new(rs, NULL, &e), 0);
	CHECK_INT(re_engine__eval(e, &ev, NULL, NULL), 2);
	re_engine__stats(e, &st);
	CHECK_INT(st.checks, 3); /* evt.type, proc.name, proc.pid: each once */
	CHECK_INT(re_engine__eval(e, &ev, NULL, NULL), 2);
	re_engine__stats(e, &st);
	CHECK_INT(st.checks, 6); /* and again for the next event */
	re_engine__free(e);
	rules_set__free(rs);
}

UNIT_TEST(too_deep_is_left_out)
{
	static char text[1 << 17];
	struct rules_set *rs = rules_set__new();
	enum log_level lv = log_get_level();
	struct re_engine *e;
	size_t len;

	len = (size_t)snprintf(text, sizeof(text), "- macro: m0\n  condition: proc.pid = 1\n");
	for (int i = 1; i < 1200; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"- macro: m%d\n  condition: m%d and proc.name != x%d\n", i,
					i - 1, i);
	len += (size_t)snprintf(text + len, sizeof(text) - len,
				"- rule: Deep\n  desc: d\n  condition: m1199\n  output: o\n"
				"  priority: error\n"
				"- rule: Shallow\n  desc: d\n  condition: m10\n  output: o\n"
				"  priority: error\n");
	rules_set__load_buf(rs, "r.yaml", text, len);
	rules_set__compile(rs);
	CHECK_INT(rules_set__find_rule(rs, "Deep")->status, RULES_LOADED);
	log_set_level(LOG_ERROR);
	CHECK_INT(re_engine__new(rs, NULL, &e), -EINVAL);
	log_set_level(lv);
	CHECK(e && re_engine__nrules(e) == 1 && !strcmp(re_engine__rule(e, 0)->name, "Shallow"));
	re_engine__free(e);
	rules_set__free(rs);
}

UNIT_TEST(bad_values_leave_the_rule_out)
{
	static const char text[] =
	    "- rule: Big\n  desc: d\n  condition: proc.pid = 99999999999999999999\n"
	    "  output: o\n  priority: error\n"
	    "- rule: Regex\n  desc: d\n  condition: proc.name regex 'a(b'\n"
	    "  output: o\n  priority: error\n"
	    "- rule: Good\n  desc: d\n  condition: proc.name = bash\n  output: o\n"
	    "  priority: error\n";
	struct rules_set *rs = rules_set__new();
	enum log_level lv = log_get_level();
	struct re_engine *e;
	struct rv_event ev;

	rules_set__load_buf(rs, "r.yaml", text, strlen(text));
	rules_set__compile(rs);
	/* the loader refuses the regex; the number is only found too big here */
	CHECK_INT(rules_set__find_rule(rs, "Regex")->status, RULES_FAILED);
	CHECK_INT(rules_set__find_rule(rs, "Big")->status, RULES_LOADED);
	log_set_level(LOG_ERROR); /* the warning is expected */
	CHECK_INT(re_engine__new(rs, NULL, &e), -EINVAL);
	log_set_level(lv);
	CHECK(e != NULL);
	if (e) {
		CHECK_INT(re_engine__nrules(e), 1);
		CHECK_STR(re_engine__rule(e, 0)->name, "Good");
		exec_event(&ev);
		CHECK_INT(re_engine__eval(e, &ev, NULL, NULL), 1);
	}
	re_engine__free(e);
	rules_set__free(rs);
}

UNIT_TEST(explain_text)
{
	const char *extra = "- macro: sh\n  condition: proc.name in (bash, sh)\n";
	struct rules_set *rs =
	    load(extra, "evt.type = execve and sh and not proc.pname exists", "warning");
	struct re_engine *e;
	struct rv_event ev;
	char buf[2048];
	int n;

	exec_event(&ev);
	CHECK_INT(re_engine__new(rs, NULL, &e), 0);
	n = re_engine__explain(e, "R", &ev, buf, sizeof(buf));
	CHECK_INT(n, (int)strlen(buf));
	/* the macro and the 'not' are cheaper per chance of settling it than the event type */
	CHECK_STR(buf, "r.yaml:6:27: macro sh\n"
		       "r.yaml:2:14:   proc.name in (bash, sh) -> true (value: bash)\n"
		       "r.yaml:6:27: macro sh -> true\n"
		       "r.yaml:6:38:   proc.pname exists -> true (value: runc)\n"
		       "r.yaml:6:34: not -> false\n"
		       "=> no match\n");
	ev.parent.known = false;
	re_engine__explain(e, "R", &ev, buf, sizeof(buf));
	CHECK(strstr(buf, "proc.pname exists -> false (value: <none>)\n") != NULL);
	CHECK(strstr(buf, "=> match\n") != NULL);
	ev.type = VG_EV_OPEN;
	ev.evt_name = "openat";
	re_engine__explain(e, "R", &ev, buf, sizeof(buf));
	CHECK_STR(buf, "rule 'R': not for this event type (openat)\n=> no match\n");
	CHECK_INT(re_engine__explain(e, "nope", &ev, buf, sizeof(buf)), -ENOENT);
	/* a short buffer: the length it needed, as snprintf */
	ev.type = VG_EV_EXEC;
	ev.evt_name = "execve";
	CHECK(re_engine__explain(e, "R", &ev, buf, 10) > 10);
	CHECK_INT(strlen(buf), 9);
	re_engine__free(e);
	rules_set__free(rs);
}

static char dir[4096];

/* $VIGIL_FALCO_RULES, else ../shared/falco-rules from the repository root (../../shared from
 * a worktree under it), as test_rules_falco.c looks for them. */
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

static int count_terminal(void *ctx, const struct rules_rule *r, const struct rv_event *ev)
{
	(void)ev;
	if (!strcmp(r->name, "Terminal shell in container"))
		(*(int *)ctx)++;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Events of the usual kinds, benign, through every stable rule: informational. */
static void timing(struct re_engine *e)
{
	struct rv_event evs[3];
	const int rounds = 200000;
	double t0, dt;

	exec_event(&evs[0]);
	evs[0].proc.tty = 0;
	connect_event(&evs[1]);
	exec_event(&evs[2]);
	evs[2].type = VG_EV_OPEN;
	evs[2].evt_name = "openat";
	evs[2].fd_name = "/var/lib/app/data.db";
	evs[2].fd_typechar = 'f';
	evs[2].has_open_flags = true;
	evs[2].has_ret = true;
	t0 = now();
	for (int i = 0; i < rounds; i++) {
		evs[i % 3].scratch_used = 0;
		re_engine__eval(e, &evs[i % 3], NULL, NULL);
	}
	dt = now() - t0;
	printf("  timing: %d events through %zu stable rules: %.0f events/s (sanitized build)\n",
	       rounds, re_engine__nrules(e), rounds / dt);
}

UNIT_TEST(falco_stable_rules)
{
	struct rules_set *rs;
	struct re_engine *e = NULL;
	struct rv_event ev;
	char path[4200], buf[8192];
	int hits = 0;

	if (!find_rules())
		return;
	rs = rules_set__new();
	snprintf(path, sizeof(path), "%s/falco_rules.yaml", dir);
	CHECK_INT(rules_set__load_path(rs, path), 0);
	CHECK_INT(rules_set__compile(rs), 0);
	CHECK_INT(re_engine__new(rs, NULL, &e), 0);
	if (!e) {
		rules_set__free(rs);
		return;
	}
	CHECK_INT(re_engine__nrules(e), 25);
	exec_event(&ev); /* bash with a tty, its parent runc, in a container */
	re_engine__eval(e, &ev, count_terminal, &hits);
	CHECK_INT(hits, 1);
	if (hits != 1) {
		re_engine__explain(e, "Terminal shell in container", &ev, buf, sizeof(buf));
		printf("%s", buf);
	}
	ev.proc.tty = 0;
	hits = 0;
	re_engine__eval(e, &ev, count_terminal, &hits);
	CHECK_INT(hits, 0);
	ev.proc.tty = 34816;
	ev.container_id = "host";
	re_engine__eval(e, &ev, count_terminal, &hits);
	CHECK_INT(hits, 0);
	timing(e);
	re_engine__free(e);
	rules_set__free(rs);
}

int main(void)
{
	return unit_run();
}
