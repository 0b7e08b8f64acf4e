// SPDX-License-Identifier: Apache-2.0
/*
 * rules_alert: Falco's JSON alert for a rule and a hand-built view, checked as whole lines.
 * A small rule from inline YAML; <NA> for unknown fields and missing values (null in
 * output_fields); references in every form ([arg], .arg, %( ), trailing dots, a '%' that is
 * text); each field once in output_fields; the output cut at its bound; and an upstream rule,
 * "Terminal shell in container" from falco_rules.yaml ($VIGIL_FALCO_RULES, else
 * ../shared/falco-rules; without them that test says so and passes).
 */
#include <stdlib.h>
#include <unistd.h>

#define UNIT_MAIN
#include "rules_alert.h"
#include "unit.h"

static char scratch[RV_SCRATCH_DEFAULT];
static struct rv_event ev;
static struct json_w w;

static struct rules_set *load(const char *yaml)
{
	struct rules_set *rs = rules_set__new();

	CHECK(rs != NULL);
	CHECK_INT(rules_set__load_buf(rs, "r.yaml", yaml, strlen(yaml)), 0);
	CHECK_INT(rules_set__compile(rs), 0);
	return rs;
}

/* The alert line for rule `name` of rs. */
static const char *render(const struct rules_set *rs, const char *name, const char *host,
			  const char *vigil)
{
	const struct rules_rule *r = rules_set__find_rule(rs, name);

	CHECK(r != NULL);
	if (!r)
		return "(no rule)";
	json_reset(&w);
	CHECK_INT(rules_alert__render(&w, r, &ev, host, vigil, vigil ? strlen(vigil) : 0), 0);
	CHECK_INT(w.depth, 0);
	return w.err ? "(error)" : w.buf;
}

static const char *user_name(const struct rv_event *e, uint32_t uid)
{
	(void)e;
	return uid == 0 ? "root" : NULL;
}

static const struct rv_proc *ancestor(const struct rv_event *e, unsigned level)
{
	static const struct rv_proc shim = {.known = true, .pid = 900, .comm = "containerd-shim"};

	(void)e;
	return level == 2 ? &shim : NULL;
}

static const char *args_cb(const struct rv_event *e, const char *name)
{
	(void)e;
	return strcmp(name, "flags") == 0 ? "O_RDONLY" : NULL;
}

/* cat /etc/shadow, run from bash, in a container. */
static void open_view(void)
{
	static const char args[] = "cat\0/etc/shadow";

	rules_view__reset(&ev, scratch, sizeof(scratch));
	ev.type = VG_EV_OPEN;
	ev.evt_name = "openat";
	ev.time_ns = 1732190462123456789ull;
	ev.num = 7;
	ev.has_ret = true;
	ev.ret = 3;
	ev.proc = (struct rv_proc){.known = true,
				   .pid = 300,
				   .ppid = 200,
				   .comm = "cat",
				   .exepath = "/usr/bin/cat",
				   .args = args,
				   .args_len = sizeof(args),
				   .has_creds = true,
				   .auid = UINT32_MAX};
	ev.parent = (struct rv_proc){.known = true, .pid = 200, .comm = "bash"};
	ev.has_fd = true;
	ev.fd = 3;
	ev.fd_name = "/etc/shadow";
	ev.fd_typechar = 'f';
	ev.container_id = "0123456789ab";
	ev.lazy.user_name = user_name;
	ev.lazy.ancestor = ancestor;
	ev.arg = args_cb;
}

#define SHADOW_RULE                                                                                \
	"- rule: Shadow read\n"                                                                    \
	"  desc: reads of /etc/shadow\n"                                                           \
	"  condition: evt.type = openat and fd.name = /etc/shadow\n"                               \
	"  output: Shadow read (user=%user.name uid=%user.uid login=%user.loginuid "               \
	"file=%fd.name flags=%evt.arg.flags gp=%proc.aname[2] ctr=%container.id "                  \
	"name=%container.name cmd=%(proc.cmdline) failed=%evt.failed)\n"                           \
	"  priority: WARNING\n"                                                                    \
	"  tags: [filesystem, mitre_credential_access]\n"

UNIT_TEST(whole_alert)
{
	struct rules_set *rs = load(SHADOW_RULE);

	open_view();
	CHECK_STR(render(rs, "Shadow read", "node-1", NULL),
		  "{\"hostname\":\"node-1\",\"output\":\"12:01:02.123456789: Warning Shadow read "
		  "(user=root uid=0 login=-1 file=/etc/shadow flags=O_RDONLY gp=containerd-shim "
		  "ctr=0123456789ab name=<NA> cmd=cat /etc/shadow failed=false)\","
		  "\"output_fields\":{\"evt.time\":1732190462123456789,\"user.name\":\"root\","
		  "\"user.uid\":0,\"user.loginuid\":-1,\"fd.name\":\"/etc/shadow\","
		  "\"evt.arg.flags\":\"O_RDONLY\",\"proc.aname[2]\":\"containerd-shim\","
		  "\"container.id\":\"0123456789ab\",\"container.name\":null,"
		  "\"proc.cmdline\":\"cat /etc/shadow\",\"evt.failed\":false},"
		  "\"priority\":\"Warning\",\"rule\":\"Shadow read\",\"source\":\"syscall\","
		  "\"tags\":[\"filesystem\",\"mitre_credential_access\"],"
		  "\"time\":\"2024-11-21T12:01:02.123456789Z\"}");
	/* no hostname; the vigil members at the end */
	render(rs, "Shadow read", NULL, "\"process\":{\"pid\":300}");
	CHECK(strncmp(w.buf, "{\"output\":", 10) == 0);
	CHECK(strstr(w.buf, ",\"vigil\":{\"process\":{\"pid\":300}}}") != NULL);
	CHECK(strstr(w.buf, "\"time\":\"2024-11-21T12:01:02.123456789Z\",\"vigil\"") != NULL);
	rules_set__free(rs);
}

/* A rule R whose output is given; a block scalar, since outputs here start with '%' or '. */
#define RULE_WITH(output)                                                                          \
	"- rule: R\n  desc: d\n  condition: evt.type = openat\n  output: |-\n    " output          \
	"\n  priority: INFO\n"

static const char *output_of(const char *yaml)
{
	static char buf[RA_OUTPUT_MAX];
	struct rules_set *rs = load(yaml);
	const struct rules_rule *r = rules_set__find_rule(rs, "R");

	buf[0] = '\0';
	CHECK(r != NULL);
	if (r)
		rules_alert__output(r, &ev, buf, sizeof(buf));
	rules_set__free(rs);
	return buf;
}

static const char *fields_of(const char *yaml)
{
	static char buf[4096];
	struct rules_set *rs = load(yaml);
	const char *line = render(rs, "R", NULL, NULL), *s = strstr(line, "\"output_fields\":");
	const char *e = s ? strstr(s, "},\"priority\"") : NULL;

	snprintf(buf, sizeof(buf), "%.*s", s && e ? (int)(e - s) + 1 : 0, s ? s : "");
	rules_set__free(rs);
	return buf;
}

UNIT_TEST(not_available)
{
	open_view();
	/* fields vigil lacks, fields with no value, arguments a field does not take */
	CHECK_STR(output_of(RULE_WITH("a=%proc.nosuch b=%container.name c=%evt.arg.mode "
				      "d=%proc.aname[9] e=%evt.arg[0] f=%proc.name[1] "
				      "g=%k8s.pod.label h=%fd.sip.name")),
		  "a=<NA> b=<NA> c=<NA> d=<NA> e=<NA> f=<NA> g=<NA> h=<NA>");
	CHECK_STR(fields_of(RULE_WITH("a=%proc.nosuch b=%container.name f=%proc.name[1]")),
		  "\"output_fields\":{\"evt.time\":1732190462123456789,\"proc.nosuch\":null,"
		  "\"container.name\":null,\"proc.name[1]\":null}");
	/* a view with nothing in it */
	rules_view__reset(&ev, scratch, sizeof(scratch));
	CHECK_STR(output_of(RULE_WITH("%proc.name %evt.type %user.uid %fd.ip")),
		  "<NA> <NA> <NA> <NA>");
}

UNIT_TEST(reference_forms)
{
	open_view();
	CHECK_STR(output_of(RULE_WITH("'%proc.name.' %proc.pname, (%proc.pid)")),
		  "'cat.' bash, (300)");
	CHECK_STR(output_of(RULE_WITH("%(proc.name)x %(proc.aname[1])y %(evt.arg.flags)")),
		  "catx bashy O_RDONLY");
	CHECK_STR(output_of(RULE_WITH("%evt.arg[flags] %proc.aname[2]")),
		  "O_RDONLY containerd-shim");
	/* a '%' that starts no reference is text */
	CHECK_STR(output_of(RULE_WITH("100% %% %( %(proc.name %.x %proc.name[ %proc.name[a b]")),
		  "100% %% %( %(proc.name %.x cat[ cat[a b]");
	/* evt.time in the text is Falco's time of day; in output_fields the number, once */
	CHECK_STR(output_of(RULE_WITH("at %evt.time")), "at 12:01:02.123456789");
	CHECK_STR(fields_of(RULE_WITH("%evt.time %proc.name %proc.name %(proc.name) %proc.pid")),
		  "\"output_fields\":{\"evt.time\":1732190462123456789,\"proc.name\":\"cat\","
		  "\"proc.pid\":300}");
	/* keys as written: an ancestor level, a dotted argument, an address */
	ev.remote.ip.family = 4;
	memcpy(ev.remote.ip.addr, "\x01\x02\x03\x04", 4);
	CHECK_STR(fields_of(RULE_WITH("%proc.aname[2] %proc.aname[1] %evt.arg.flags %fd.rip "
				      "%fd.is_open_read %evt.is_open_read")),
		  "\"output_fields\":{\"evt.time\":1732190462123456789,"
		  "\"proc.aname[2]\":\"containerd-shim\",\"proc.aname[1]\":\"bash\","
		  "\"evt.arg.flags\":\"O_RDONLY\",\"fd.rip\":\"1.2.3.4\","
		  "\"fd.is_open_read\":null,\"evt.is_open_read\":false}");
	/* text that needs escaping in JSON */
	ev.fd_name = "/tmp/a\"b\n";
	CHECK(strstr(fields_of(RULE_WITH("%fd.name")), "\"fd.name\":\"/tmp/a\\\"b\\n\"") != NULL);
}

UNIT_TEST(output_bound)
{
	static char yaml[RA_OUTPUT_MAX * 2];
	static char big[RA_OUTPUT_MAX + 100];
	const char *out;
	char small[10];
	struct rules_set *rs;
	const struct rules_rule *r;

	open_view();
	/* a value longer than the whole output */
	memset(big, 'x', sizeof(big) - 1);
	ev.fd_name = big;
	out = output_of(RULE_WITH("file=%fd.name end"));
	CHECK_INT(strlen(out), RA_OUTPUT_MAX - 1);
	CHECK(strncmp(out, "file=xxx", 8) == 0);
	CHECK_STR(out + RA_OUTPUT_MAX - 4, "...");
	/* the whole line, prefix included, stays within the bound */
	snprintf(yaml, sizeof(yaml), RULE_WITH("%%fd.name"));
	rs = load(yaml);
	render(rs, "R", NULL, NULL);
	CHECK(strstr(w.buf, "xxx...\",\"output_fields\"") != NULL);
	CHECK(strstr(w.buf, "\"output\":\"12:01:02.123456789: Informational xxx") != NULL);
	/* a small buffer */
	ev.fd_name = "/etc/shadow";
	r = rules_set__find_rule(rs, "R");
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_INT(rules_alert__output(r, &ev, small, sizeof(small)), 9);
	CHECK_STR(small, "/etc/s...");
	CHECK_INT(rules_alert__output(r, &ev, small, 0), 0);
	CHECK_INT(rules_alert__output(r, &ev, small, 3), 2);
	CHECK_STR(small, "/e");
	rules_set__free(rs);
}

UNIT_TEST(priorities)
{
	static const char *names[] = {"Emergency", "Alert",  "Critical",      "Error",
				      "Warning",   "Notice", "Informational", "Debug"};

	for (int p = RULES_PRIO_EMERGENCY; p <= RULES_PRIO_DEBUG; p++)
		CHECK_STR(rules_alert__priority((enum rules_priority)p), names[p]);
}

UNIT_TEST(rule_without_output_or_tags)
{
	struct rules_rule r = {.name = "bare", .priority = RULES_PRIO_DEBUG};

	open_view();
	json_reset(&w);
	CHECK_INT(rules_alert__render(&w, &r, &ev, "h", NULL, 0), 0);
	CHECK_STR(w.buf, "{\"hostname\":\"h\",\"output\":\"12:01:02.123456789: Debug \","
			 "\"output_fields\":{\"evt.time\":1732190462123456789},"
			 "\"priority\":\"Debug\",\"rule\":\"bare\",\"source\":\"syscall\","
			 "\"tags\":[],\"time\":\"2024-11-21T12:01:02.123456789Z\"}");
}

/* --- an upstream rule --- */

static bool falco_dir(char *path, size_t size)
{
	const char *env = getenv("VIGIL_FALCO_RULES");

	snprintf(path, size, "%s/falco_rules.yaml", env && *env ? env : "../shared/falco-rules");
	if (access(path, R_OK) == 0)
		return true;
	printf("SKIP: no upstream Falco rules at %s (set VIGIL_FALCO_RULES to their directory)\n",
	       path);
	return false;
}

/* bash -i run by kubectl exec (runc) in a pod, with a terminal. */
static void shell_view(void)
{
	static const char args[] = "bash\0-i";

	rules_view__reset(&ev, scratch, sizeof(scratch));
	ev.type = VG_EV_EXEC;
	ev.evt_name = "execve";
	ev.time_ns = 1732190462123456789ull;
	ev.tid = 4242;
	ev.proc = (struct rv_proc){.known = true,
				   .pid = 4242,
				   .ppid = 4200,
				   .comm = "bash",
				   .exepath = "/usr/bin/bash",
				   .args = args,
				   .args_len = sizeof(args),
				   .has_creds = true,
				   .auid = UINT32_MAX,
				   .tty = 34816};
	ev.parent = (struct rv_proc){.known = true, .pid = 4200, .comm = "runc"};
	ev.container_id = "0123456789ab";
	ev.container_name = "web";
	ev.image_repository = "docker.io/library/nginx";
	ev.k8s_ns = "prod";
	ev.k8s_pod = "web-7f9";
	ev.lazy.user_name = user_name;
}

UNIT_TEST(falco_terminal_shell)
{
	char path[4200];
	struct rules_set *rs;
	const struct rules_rule *r;

	if (!falco_dir(path, sizeof(path)))
		return;
	rs = rules_set__new();
	CHECK_INT(rules_set__load_path(rs, path), 0);
	CHECK_INT(rules_set__compile(rs), 0);
	r = rules_set__find_rule(rs, "Terminal shell in container");
	CHECK(r != NULL && r->status == RULES_LOADED);
	shell_view();
	/* exe_flags: vigil's exec records have no flags argument, so <NA> */
	CHECK_STR(render(rs, "Terminal shell in container", "node-1", NULL),
		  "{\"hostname\":\"node-1\",\"output\":\"12:01:02.123456789: Notice A shell was "
		  "spawned in a container with an attached terminal | evt_type=execve user=root "
		  "user_uid=0 user_loginuid=-1 process=bash proc_exepath=/usr/bin/bash parent=runc "
		  "command=bash -i terminal=34816 exe_flags=<NA>\","
		  "\"output_fields\":{\"evt.time\":1732190462123456789,\"evt.type\":\"execve\","
		  "\"user.name\":\"root\",\"user.uid\":0,\"user.loginuid\":-1,"
		  "\"proc.name\":\"bash\",\"proc.exepath\":\"/usr/bin/bash\","
		  "\"proc.pname\":\"runc\",\"proc.cmdline\":\"bash -i\",\"proc.tty\":34816,"
		  "\"evt.arg.flags\":null},"
		  "\"priority\":\"Notice\",\"rule\":\"Terminal shell in container\","
		  "\"source\":\"syscall\",\"tags\":[\"maturity_stable\",\"container\",\"shell\","
		  "\"mitre_execution\",\"T1059\"],\"time\":\"2024-11-21T12:01:02.123456789Z\"}");
	rules_set__free(rs);
}

int main(void)
{
	int rc;

	if (json_init(&w, 1 << 20) != 0)
		return 1;
	rc = unit_run();
	json_free(&w);
	return rc;
}
