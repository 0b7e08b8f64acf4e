// SPDX-License-Identifier: Apache-2.0
/*
 * enforce_plan: rules from inline YAML, with macros in the shapes of Falco's own (open_read,
 * spawned_process, container...), compiled into plans, every member asserted: kernel rules
 * for files, comms, the uid, connect and exec; user-space rules, each with its why; the scope
 * and host_explicit. Then every rule of the upstream Falco files, which must compile without
 * a crash into either a kernel plan or a reason.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define UNIT_MAIN
#include "enforce_plan.h"
#include "rules_load.h"
#include "unit.h"

#define MACROS                                                                                     \
	"- macro: open_read\n"                                                                     \
	"  condition: (evt.type in (open,openat,openat2) and evt.is_open_read=true and "           \
	"fd.typechar='f' and fd.num>=0)\n"                                                         \
	"- macro: open_write\n"                                                                    \
	"  condition: (evt.type in (open,openat,openat2) and evt.is_open_write=true and "          \
	"fd.typechar='f' and fd.num>=0)\n"                                                         \
	"- macro: spawned_process\n"                                                               \
	"  condition: (evt.type in (execve, execveat))\n"                                          \
	"- macro: container\n"                                                                     \
	"  condition: (container.id != host)\n"                                                    \
	"- macro: proc_name_exists\n"                                                              \
	"  condition: (not proc.name in (\"<NA>\",\"N/A\"))\n"                                     \
	"- macro: never_true\n"                                                                    \
	"  condition: (evt.num=0)\n"                                                               \
	"- macro: user_known_activities\n"                                                         \
	"  condition: (never_true)\n"                                                              \
	"- list: secrets\n"                                                                        \
	"  items: [/etc/shadow, /etc/gshadow]\n"

static struct rules_set *rs;
static char yaml[80 * 1024];

/* Rule r of yaml (MACROS prepended) compiled into *p; rs holds the AST until done(). */
static int plan_yaml(const char *items, const char *name, struct ep_plan *p)
{
	const struct rules_rule *r;

	snprintf(yaml, sizeof(yaml), "%s%s", MACROS, items);
	rs = rules_set__new();
	rules_set__load_buf(rs, "p.yaml", yaml, strlen(yaml));
	rules_set__compile(rs);
	for (size_t i = 0; i < rules_set__ndiags(rs); i++)
		printf("  diag: %u:%u: %s\n", rules_set__diag(rs, i)->line,
		       rules_set__diag(rs, i)->col, rules_set__diag(rs, i)->msg);
	r = rules_set__find_rule(rs, name);
	CHECK(r && r->status == RULES_LOADED);
	memset(p, 0xa5, sizeof(*p)); /* compile must set every member */
	return r ? enforce_plan__compile(r, p) : -ENOENT;
}

/* The rule "R" with condition cond. */
static int plan(const char *cond, struct ep_plan *p)
{
	static char items[72 * 1024];

	snprintf(items, sizeof(items),
		 "- rule: R\n  desc: d\n  condition: >\n    %s\n  output: o\n  priority: WARNING\n",
		 cond);
	return plan_yaml(items, "R", p);
}

static void done(void)
{
	rules_set__free(rs);
	rs = NULL;
}

/* A user-space plan: why as given, nothing else but host_explicit. */
static void check_user(const struct ep_plan *p, const char *why)
{
	CHECK(!p->kernel);
	CHECK_STR(p->why, why);
	CHECK_INT(p->cls, EP_NONE);
	CHECK_INT(p->open_acc, 0);
	CHECK_INT(p->npaths + p->ncomms + p->nns + p->npods + p->nnets + p->nports + p->nnotes, 0);
	CHECK(!p->has_uid && !p->comm_exclude);
	CHECK_INT(p->scope, EP_SCOPE_CONTAINERS);
}

static void user(const char *cond, const char *why)
{
	struct ep_plan p;

	CHECK_INT(plan(cond, &p), 0);
	check_user(&p, why);
	if (strcmp(p.why, why))
		printf("  (condition: %s)\n", cond);
	done();
}

static const char note_fdnum[] = "the kernel acts on the attempt: fd.num >= 0 is not checked";
static const char note_typef[] = "the kernel acts on the attempt: fd.typechar = f is not checked";

UNIT_TEST(shadow_in_pods)
{
	struct ep_plan p;

	CHECK_INT(plan("open_read and container and fd.name = /etc/shadow and "
		       "k8s.ns.name in (a, b)",
		       &p),
		  0);
	CHECK(p.kernel);
	CHECK_STR(p.why, "");
	CHECK_INT(p.cls, EP_OPEN);
	CHECK_INT(p.open_acc, EP_ACC_READ);
	CHECK_INT(p.npaths, 1);
	CHECK_INT(p.paths[0].kind, RP_EXACT);
	CHECK_STR(p.paths[0].path, "/etc/shadow");
	CHECK(!p.comm_exclude);
	CHECK_INT(p.ncomms, 0);
	CHECK(!p.has_uid && !p.uid_ne);
	CHECK_INT(p.uid, 0);
	CHECK_INT(p.scope, EP_SCOPE_PODS);
	CHECK(!p.host_explicit);
	CHECK_INT(p.nns, 2);
	CHECK_STR(p.ns[0], "a");
	CHECK_STR(p.ns[1], "b");
	CHECK_INT(p.npods, 0);
	CHECK_INT(p.nnets, 0);
	CHECK_INT(p.nports, 0);
	CHECK_INT(p.nnotes, 2);
	CHECK_STR(p.notes[0], note_typef);
	CHECK_STR(p.notes[1], note_fdnum);
	done();
}

UNIT_TEST(paths)
{
	struct ep_plan p;

	CHECK_INT(plan("open_read and (fd.name startswith /root/.ssh/ or "
		       "fd.name pmatch (/etc/ssh/)) and k8s.pod.name = web",
		       &p),
		  0);
	CHECK(p.kernel);
	CHECK_INT(p.npaths, 3);
	CHECK_INT(p.paths[0].kind, RP_PREFIX);
	CHECK_STR(p.paths[0].path, "/root/.ssh/");
	CHECK_INT(p.paths[1].kind, RP_EXACT);
	CHECK_STR(p.paths[1].path, "/etc/ssh");
	CHECK_INT(p.paths[2].kind, RP_PREFIX);
	CHECK_STR(p.paths[2].path, "/etc/ssh/");
	CHECK_INT(p.scope, EP_SCOPE_PODS);
	CHECK_INT(p.nns, 0);
	CHECK_INT(p.npods, 1);
	CHECK_STR(p.pods[0], "web");
	done();
	/* the second pmatch value holds "//": not what the kernel sees as fd.name */
	CHECK_INT(plan("open_read and fd.name pmatch (/var//lib/x)", &p), 0);
	check_user(&p, "rule 'R': fd.name: '/var//lib/x' is not an absolute, normalised path");
	done();

	CHECK_INT(plan("open_write and fd.name in (secrets, /etc/passwd) and fd.num >= 0", &p), 0);
	CHECK(p.kernel);
	CHECK_INT(p.open_acc, EP_ACC_WRITE);
	CHECK_INT(p.npaths, 3);
	CHECK_STR(p.paths[0].path, "/etc/shadow");
	CHECK_STR(p.paths[1].path, "/etc/gshadow");
	CHECK_STR(p.paths[2].path, "/etc/passwd");
	CHECK_INT(p.paths[2].kind, RP_EXACT);
	CHECK_INT(p.scope, EP_SCOPE_CONTAINERS);
	CHECK_INT(p.nnotes, 2); /* once each */
	done();

	/* both modes, the root */
	CHECK_INT(plan("open_read and evt.is_open_write = true and fd.name pmatch (/)", &p), 0);
	CHECK(p.kernel);
	CHECK_INT(p.open_acc, EP_ACC_READ | EP_ACC_WRITE);
	CHECK_INT(p.npaths, 1);
	CHECK_INT(p.paths[0].kind, RP_PREFIX);
	CHECK_STR(p.paths[0].path, "/");
	done();

	/* no path: any; evt.type = creat is of the open class */
	CHECK_INT(plan("evt.type = creat and evt.dir = <", &p), 0);
	CHECK(p.kernel);
	CHECK_INT(p.cls, EP_OPEN);
	CHECK_INT(p.npaths + p.nnotes + p.open_acc, 0);
	done();
}

UNIT_TEST(paths_refused)
{
	user("open_read and fd.name = etc/shadow",
	     "rule 'R': fd.name: 'etc/shadow' is not an absolute, normalised path");
	user("open_read and fd.name startswith /etc/../root",
	     "rule 'R': fd.name: '/etc/../root' is not an absolute, normalised path");
	user("open_read and fd.name = /etc/./shadow",
	     "rule 'R': fd.name: '/etc/./shadow' is not an absolute, normalised path");
	user("open_read and fd.name = /etc/",
	     "rule 'R': fd.name: '/etc/' is not an absolute, normalised path");
	user("open_read and fd.name pmatch (/etc/*/x)",
	     "rule 'R': fd.name pmatch /etc/*/x: a wildcard");
	user("open_read and fd.name startswith /etc and fd.name = /etc/shadow",
	     "rule 'R': more than one condition on fd.name");
	user("open_read and fd.name endswith shadow", "rule 'R': fd.name endswith");
	user("open_read and not fd.name = /etc/shadow", "rule 'R': not fd.name =");
	user("evt.type = connect and fd.name = /x",
	     "rule 'R': fd.name is checked only on open, and evt.type is connect");
}

UNIT_TEST(comms)
{
	struct ep_plan p;

	CHECK_INT(plan("spawned_process and proc.name in (nc, ncat, abcdefghijklmnopq, "
		       "abcdefghijklmno) and proc_name_exists",
		       &p),
		  0);
	CHECK(p.kernel);
	CHECK_INT(p.cls, EP_EXEC);
	CHECK(!p.comm_exclude);
	CHECK_INT(p.ncomms, 3);
	CHECK_STR(p.comms[0], "nc");
	CHECK_STR(p.comms[1], "ncat");
	CHECK_STR(p.comms[2], "abcdefghijklmno"); /* 15: fits */
	CHECK_INT(p.nnotes, 1);
	CHECK(strstr(p.notes[0], "longer than 15") != NULL);
	done();

	/* excluded: not in, not =, != and an exception on proc.name add up */
	CHECK_INT(
	    plan_yaml("- rule: X\n  desc: d\n  condition: >\n"
		      "    spawned_process and not proc.name in (bash, sh) and not proc.name = "
		      "zsh and proc.name != sh and proc.name != abcdefghijklmnopq\n"
		      "  output: o\n  priority: WARNING\n"
		      "  exceptions:\n    - name: e\n      fields: proc.name\n"
		      "      values: [dash]\n    - name: f\n      fields: [proc.name]\n"
		      "      values: [[ksh], [csh]]\n",
		      "X", &p),
	    0);
	CHECK(p.kernel);
	CHECK(p.comm_exclude);
	CHECK_INT(p.ncomms, 6);
	CHECK_STR(p.comms[0], "bash");
	CHECK_STR(p.comms[1], "sh");
	CHECK_STR(p.comms[2], "zsh");
	CHECK_STR(p.comms[3], "dash");
	CHECK_STR(p.comms[4], "ksh");
	CHECK_STR(p.comms[5], "csh");
	done();

	/* included less excluded, included intersected */
	CHECK_INT(plan("spawned_process and proc.name in (a, b, c) and not proc.name = a and "
		       "(proc.name = b or proc.name = c or proc.name = d) and proc.name != c",
		       &p),
		  0);
	CHECK(p.kernel);
	CHECK(!p.comm_exclude);
	CHECK_INT(p.ncomms, 1);
	CHECK_STR(p.comms[0], "b");
	done();

	user("spawned_process and proc.name = a and proc.name = b",
	     "rule 'R': proc.name conditions that no process satisfies");
	user("spawned_process and proc.name = abcdefghijklmnopq",
	     "rule 'R': proc.name conditions that no process satisfies");
	user("spawned_process and proc.name startswith nc", "rule 'R': proc.name startswith");
	user("spawned_process and tolower(proc.name) = nc", "rule 'R': tolower(proc.name) =");
	user("spawned_process and proc.name = val(proc.pname)",
	     "rule 'R': proc.name = another field");
	user("spawned_process and (proc.name != a or proc.name != b)", "rule 'R': proc.name !=");
}

UNIT_TEST(uid)
{
	struct ep_plan p;

	CHECK_INT(plan("spawned_process and user.uid = 0 and container", &p), 0);
	CHECK(p.kernel && p.has_uid && !p.uid_ne);
	CHECK_INT(p.uid, 0);
	done();
	CHECK_INT(plan("spawned_process and user.uid != 1000", &p), 0);
	CHECK(p.kernel && p.has_uid && p.uid_ne);
	CHECK_INT(p.uid, 1000);
	done();
	CHECK_INT(plan("spawned_process and not user.uid = 0x10 and user.uid != 16", &p), 0);
	CHECK(p.kernel && p.has_uid && p.uid_ne);
	CHECK_INT(p.uid, 16);
	done();
	user("spawned_process and user.uid in (0, 1)",
	     "rule 'R': user.uid compared with more than one value");
	user("spawned_process and user.uid = -1", "rule 'R': user.uid -1 is not a uid");
	user("spawned_process and user.uid = 0 and user.uid = 1",
	     "rule 'R': more than one condition on user.uid");
	user("spawned_process and user.uid > 0", "rule 'R': user.uid >");
}

UNIT_TEST(connect_rules)
{
	static const uint8_t fd00[16] = {0xfd};
	struct ep_plan p;

	CHECK_INT(plan("evt.type = connect and evt.dir = < and fd.snet in (10.0.0.0/8, fd00::/8) "
		       "and fd.rport = 443 and (fd.typechar = 4 or fd.typechar = 6) and "
		       "fd.sport in (443, 8443)",
		       &p),
		  0);
	CHECK(p.kernel);
	CHECK_INT(p.cls, EP_CONNECT);
	CHECK_INT(p.nnets, 2);
	CHECK_INT(p.nets[0].family, AF_INET);
	CHECK_INT(p.nets[0].prefixlen, 8);
	CHECK(p.nets[0].addr[0] == 10 && p.nets[0].addr[1] == 0 && p.nets[0].addr[3] == 0);
	CHECK_INT(p.nets[1].family, AF_INET6);
	CHECK_INT(p.nets[1].prefixlen, 8);
	CHECK(!memcmp(p.nets[1].addr, fd00, 16));
	CHECK_INT(p.nports, 1);
	CHECK_INT(p.ports[0], 443);
	CHECK_INT(p.nnotes, 1);
	CHECK_STR(p.notes[0],
		  "the kernel acts on the attempt: fd.typechar in (4, 6) is not checked");
	CHECK_INT(p.npaths + p.ncomms, 0);
	CHECK_INT(p.scope, EP_SCOPE_CONTAINERS);
	done();

	/* one address, host bits of a network cleared */
	CHECK_INT(plan("evt.type = connect and fd.rip in (1.2.3.4, \"::1\")", &p), 0);
	CHECK(p.kernel);
	CHECK_INT(p.nnets, 2);
	CHECK_INT(p.nets[0].prefixlen, 32);
	CHECK(p.nets[0].addr[0] == 1 && p.nets[0].addr[3] == 4);
	CHECK_INT(p.nets[1].prefixlen, 128);
	CHECK_INT(p.nets[1].addr[15], 1);
	done();
	CHECK_INT(plan("evt.type = connect and fd.rnet = 192.168.77.9/20", &p), 0);
	CHECK(p.kernel);
	CHECK_INT(p.nets[0].prefixlen, 20);
	CHECK(p.nets[0].addr[0] == 192 && p.nets[0].addr[2] == 64 && p.nets[0].addr[3] == 0);
	done();

	user("evt.type = connect and fd.rport in (1, 2) and fd.sport = 3",
	     "rule 'R': port conditions that no connection satisfies");
	user("evt.type = connect and not fd.snet in (10.0.0.0/8)", "rule 'R': not fd.snet in");
	user("evt.type = connect and fd.sip = 1.1.1.1 and fd.rnet = 1.0.0.0/8",
	     "rule 'R': more than one condition on the destination address");
	user("open_read and fd.rport = 443",
	     "rule 'R': fd.rport is checked only on connect, and evt.type is open");
	user("evt.type = connect and fd.typechar = 4", "rule 'R': fd.typechar =");
	user("evt.type = connect and fd.typechar = f",
	     "rule 'R': fd.typechar = f is checked only on open, and evt.type is connect");
	user("evt.type = connect and fd.ip = 1.1.1.1", "rule 'R': fd.ip =");
}

UNIT_TEST(exec_and_scope)
{
	struct ep_plan p;

	CHECK_INT(plan("spawned_process and container and proc.name = xmrig and evt.arg.res = 0 "
		       "and not user_known_activities",
		       &p),
		  0);
	CHECK(p.kernel);
	CHECK_INT(p.cls, EP_EXEC);
	CHECK_INT(p.scope, EP_SCOPE_CONTAINERS);
	CHECK(!p.host_explicit);
	CHECK_INT(p.ncomms, 1);
	CHECK_STR(p.comms[0], "xmrig");
	CHECK_INT(p.nnotes, 1);
	CHECK_STR(p.notes[0], "the kernel acts on the attempt: evt.arg.res = 0 is not checked");
	done();

	CHECK_INT(plan("spawned_process and not container", &p), 0);
	CHECK(p.kernel);
	CHECK_INT(p.scope, EP_SCOPE_HOST);
	CHECK(p.host_explicit);
	done();
	CHECK_INT(
	    plan("evt.type = execve and container.id = host and not container.id != host", &p), 0);
	CHECK(p.kernel);
	CHECK_INT(p.scope, EP_SCOPE_HOST);
	CHECK(p.host_explicit);
	done();
	CHECK_INT(plan("evt.type = execve and not container.id = host", &p), 0);
	CHECK(p.kernel);
	CHECK_INT(p.scope, EP_SCOPE_CONTAINERS);
	CHECK(!p.host_explicit);
	done();
	/* pods in containers */
	CHECK_INT(
	    plan("spawned_process and container and k8s.ns.name = a and k8s.ns.name in (a, b)", &p),
	    0);
	CHECK(p.kernel);
	CHECK_INT(p.scope, EP_SCOPE_PODS);
	CHECK_INT(p.nns, 1);
	CHECK_STR(p.ns[0], "a");
	done();

	user("spawned_process and not container and k8s.ns.name = a",
	     "rule 'R': the host (container.id = host) and pods (k8s.ns.name, k8s.pod.name) "
	     "conflict");
	user("spawned_process and container and not container",
	     "rule 'R': container.id: both the host and containers");
	user("spawned_process and container.id = abc",
	     "rule 'R': container.id compared with an id other than host");
	user("spawned_process and k8s.ns.name = a and k8s.ns.name = b",
	     "rule 'R': k8s.ns.name conditions that no pod satisfies");
	user("spawned_process and not k8s.ns.name = a", "rule 'R': not k8s.ns.name =");
}

UNIT_TEST(user_space)
{
	struct ep_plan p;

	user("spawned_process and proc.cmdline contains curl", "rule 'R': proc.cmdline contains");
	user("spawned_process and (proc.name = a or user.uid = 0)",
	     "rule 'R': an 'or' of different fields");
	user("spawned_process and (proc.name = a or (proc.name = b and user.uid = 0))",
	     "rule 'R': an 'or' of different fields");
	user("spawned_process and (proc.name = a or not proc.name = b)",
	     "rule 'R': a 'not' inside an 'or'");
	user("evt.type in (open, connect)",
	     "rule 'R': evt.type names types of more than one class");
	user("evt.type = open and evt.type = openat",
	     "rule 'R': evt.type conditions that no event satisfies");
	user("evt.type in (open, unlink)",
	     "rule 'R': evt.type unlink is not enforceable in the kernel");
	user("evt.type != open", "rule 'R': evt.type !=");
	user("proc.name = nc", "rule 'R': no event type");
	user("spawned_process and not (proc.name = a and user.uid = 0)",
	     "rule 'R': a 'not' of an 'and'");
	user("spawned_process and evt.num = 0", "rule 'R': evt.num =");
	user("evt.type = execve and evt.failed = true", "rule 'R': evt.failed =");
	user("open_read and evt.is_open_read = false", "rule 'R': evt.is_open_read =");
	user("spawned_process and evt.is_open_read = true",
	     "rule 'R': evt.is_open_read is checked only on open, and evt.type is exec");

	/* an exception of two fields */
	CHECK_INT(
	    plan_yaml("- rule: X\n  desc: d\n  condition: open_read and fd.name = /etc/shadow\n"
		      "  output: o\n  priority: WARNING\n"
		      "  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n"
		      "      values: [[cat, /etc/shadow]]\n",
		      "X", &p),
	    0);
	check_user(&p, "rule 'X': a 'not' of an 'and'");
	done();
}

UNIT_TEST(host_explicit)
{
	static const struct {
		const char *cond;
		bool host;
	} cases[] = {
	    {"spawned_process and container.id = host and proc.cmdline contains x", true},
	    {"spawned_process and container.id in (host, abc)", true},
	    {"spawned_process and not container and proc.cmdline contains x", true},
	    {"spawned_process and (proc.cmdline contains x or not container.id != host)", true},
	    {"spawned_process and not not container.id = host", true},
	    {"spawned_process and container and proc.cmdline contains x", false},
	    {"spawned_process and not container.id = host", false},
	    {"spawned_process and not container.id in (host)", false},
	    {"spawned_process and container.id = abc", false},
	    {"spawned_process and container.id startswith host", false},
	};
	struct ep_plan p;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_INT(plan(cases[i].cond, &p), 0);
		if (p.host_explicit != cases[i].host)
			printf("  host_explicit: %s\n", cases[i].cond);
		CHECK(p.host_explicit == cases[i].host);
		done();
	}
}

/* Bounds: an `or` too wide, a set too large, macros nested too deep. */
UNIT_TEST(limits)
{
	static char items[64 * 1024];
	size_t len = 0;
	struct ep_plan p;

	len += (size_t)snprintf(items, sizeof(items), "spawned_process and (proc.name = n0");
	for (int i = 1; i < 256 + 1; i++)
		len += (size_t)snprintf(items + len, sizeof(items) - len, " or proc.name = n%d", i);
	snprintf(items + len, sizeof(items) - len, ")");
	CHECK_INT(plan(items, &p), 0);
	check_user(&p, "rule 'R': an 'or' of more than 256 checks");
	done();

	len = (size_t)snprintf(items, sizeof(items), "spawned_process and proc.name in (n0");
	for (int i = 1; i < EP_COMMS_MAX + 1; i++)
		len += (size_t)snprintf(items + len, sizeof(items) - len, ", n%d", i);
	snprintf(items + len, sizeof(items) - len, ")");
	CHECK_INT(plan(items, &p), 0);
	check_user(&p, "rule 'R': more than 32 proc.name values");
	done();

	len = (size_t)snprintf(items, sizeof(items), "- macro: m0\n  condition: spawned_process\n");
	for (int i = 1; i < 1100; i++)
		len +=
		    (size_t)snprintf(items + len, sizeof(items) - len,
				     "- macro: m%d\n  condition: (m%d or m%d)\n", i, i - 1, i - 1);
	snprintf(items + len, sizeof(items) - len,
		 "- rule: D\n  desc: d\n  condition: m1099\n  output: o\n  priority: INFO\n");
	CHECK_INT(plan_yaml(items, "D", &p), 0);
	check_user(&p, "rule 'D': a condition nested too deep or too large");
	done();
}

UNIT_TEST(refused_input)
{
	struct rules_rule r;
	struct ep_plan p;

	memset(&r, 0, sizeof(r));
	r.name = "N";
	CHECK_INT(enforce_plan__compile(&r, &p), -EINVAL);
	CHECK(!p.kernel);
	CHECK_STR(p.why, "rule 'N': no checked condition");
}

/* --- the upstream files --- */

static const char *const upstream[] = {"falco_rules.yaml", "falco-incubating_rules.yaml",
				       "falco-sandbox_rules.yaml"};

UNIT_TEST(upstream_rules)
{
	const char *env = getenv("VIGIL_FALCO_RULES");
	const char *dir = env && *env ? env : "../shared/falco-rules";
	struct rules_set *set = rules_set__new();
	unsigned loaded = 0, kernel = 0;
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", dir, upstream[0]);
	if (access(path, R_OK) != 0) {
		printf("SKIP: no upstream Falco rules in %s\n", dir);
		rules_set__free(set);
		return;
	}
	for (size_t i = 0; i < sizeof(upstream) / sizeof(upstream[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, upstream[i]);
		CHECK_INT(rules_set__load_path(set, path), 0);
	}
	CHECK_INT(rules_set__compile(set), 0);
	for (size_t i = 0; i < rules_set__nrules(set); i++) {
		const struct rules_rule *r = rules_set__rule(set, i);
		struct ep_plan p;
		int ret = enforce_plan__compile(r, &p);

		if (r->status != RULES_LOADED) {
			CHECK_INT(ret, -EINVAL);
			continue;
		}
		loaded++;
		CHECK_INT(ret, 0);
		CHECK(p.kernel ? p.why[0] == '\0' && p.cls != EP_NONE : p.why[0] != '\0');
		kernel += p.kernel;
		if (getenv("VIGIL_PLAN_VERBOSE"))
			printf("  %s: %s\n", p.kernel ? "kernel" : "user",
			       p.kernel ? r->name : p.why);
	}
	CHECK(loaded > 80);
	printf("  upstream: %u rules loaded, %u kernel-decidable\n", loaded, kernel);
	rules_set__free(set);
}

int main(void)
{
	return unit_run();
}
