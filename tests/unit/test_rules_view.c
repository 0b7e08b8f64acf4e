// SPDX-License-Identifier: Apache-2.0
/*
 * rules_view: every field of the catalogue read from hand-built views. An exec with a known
 * lineage and pod, an open, failed calls, IPv4 and IPv6 sockets; the edges: no argv, an empty
 * argument, unknown ancestors, levels beyond what a view answers, used-up scratch, values a
 * view leaves out (absent, never a guess), and the rendering of each value type.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define UNIT_MAIN
#include "rules_evttype.h"
#include "rules_view.h"
#include "unit.h"

static char scratch[RV_SCRATCH_DEFAULT];
static struct rv_event ev;

/* --- reading fields by name, as a rule names them --- */

/* spec: "proc.aname[2]", "evt.arg.flags", "fd.name". 1 with *v, 0 absent, -1 unknown. */
static int get(const char *spec, struct rv_val *v)
{
	char name[128], key[128];
	const char *br = strchr(spec, '['), *k = NULL, *dotted;
	const struct rf_field *f;
	int r;

	snprintf(name, sizeof(name), "%.*s", br ? (int)(br - spec) : (int)strlen(spec), spec);
	if (br) {
		snprintf(key, sizeof(key), "%.*s", (int)strlen(br + 1) - 1, br + 1);
		k = key;
	}
	f = rules_fields__find(name, &dotted);
	CHECK(f != NULL);
	if (!f)
		return -1;
	r = rules_view__get(&ev, f, dotted ? dotted : k, v);
	if (r)
		CHECK_INT(v->type, f->type);
	return r;
}

/* The field rendered, or "(absent)". */
static const char *val(const char *spec)
{
	static char bufs[8][1024];
	static int next;
	char *b = bufs[next++ % 8];
	struct rv_val v;

	if (get(spec, &v) <= 0)
		return "(absent)";
	rules_view__format(&v, b, sizeof(bufs[0]));
	return b;
}

static bool collect(const struct rv_val *v, void *arg)
{
	char *out = arg, one[256];

	rules_view__format(v, one, sizeof(one));
	if (*out)
		strcat(out, ",");
	strcat(out, one);
	return false;
}

/* Every value of a multi-valued use, comma separated. */
static const char *each(const char *name)
{
	static char buf[2048];
	const char *dotted;
	const struct rf_field *f = rules_fields__find(name, &dotted);

	buf[0] = '\0';
	CHECK(f != NULL);
	if (f)
		rules_view__each(&ev, f, NULL, collect, buf);
	return buf;
}

/* --- views --- */

static const struct rv_proc anc2 = {.known = true,
				    .pid = 1,
				    .ppid = 0,
				    .comm = "systemd",
				    .exepath = "/usr/lib/systemd/systemd",
				    .args = "/sbin/init\0",
				    .args_len = 11};
static const struct rv_proc unknown_proc = {.known = false, .comm = "ghost"};

static const struct rv_proc *ancestor(const struct rv_event *e, unsigned level)
{
	(void)e;
	if (level == 2)
		return &anc2;
	if (level == 3)
		return &unknown_proc; /* known = false: the lineage ends here */
	return NULL;
}

static const char *user_name(const struct rv_event *e, uint32_t uid)
{
	(void)e;
	return uid == 0 ? "root" : uid == 1000 ? "alice" : NULL;
}

static const char *group_name(const struct rv_event *e, uint32_t gid)
{
	(void)e;
	return gid == 0 ? "root" : NULL;
}

static const char *pod_label(const struct rv_event *e, const char *key)
{
	(void)e;
	return strcmp(key, "app") == 0 ? "web" : NULL;
}

static const char *pod_labels(const struct rv_event *e)
{
	(void)e;
	return "app:web, tier:front";
}

static const char *args_cb(const struct rv_event *e, const char *name)
{
	(void)e;
	if (strcmp(name, "flags") == 0)
		return "O_RDONLY|O_CLOEXEC";
	if (strcmp(name, "name") == 0)
		return "../etc/shadow";
	return NULL;
}

/* bash -c 'echo hi' run by sshd, in a pod. */
static void exec_view(void)
{
	static const char args[] = "-bash\0-c\0echo hi";

	rules_view__reset(&ev, scratch, sizeof(scratch));
	ev.type = VG_EV_EXEC;
	ev.num = 42;
	ev.time_ns = 1732190462123456789ull;
	ev.boot_ns = 5000;
	ev.tid = 100;
	ev.proc = (struct rv_proc){.known = true,
				   .pid = 100,
				   .ppid = 50,
				   .comm = "bash",
				   .exepath = "/usr/bin/bash",
				   .args = args,
				   .args_len = sizeof(args),
				   .cwd = "/root",
				   .start_ns = 1000,
				   .uid = 0,
				   .gid = 0,
				   .auid = 1000,
				   .has_creds = true,
				   .tty = 34816};
	ev.parent = (struct rv_proc){.known = true,
				     .pid = 50,
				     .ppid = 1,
				     .comm = "sshd",
				     .exepath = "/usr/sbin/sshd",
				     .args = "sshd: root@pts/0\0-D",
				     .args_len = 20};
	ev.filename = "/bin/bash";
	ev.container_id = "0123456789ab";
	ev.container_name = "web-1";
	ev.image = "docker.io/library/nginx:1.25";
	ev.image_repository = "docker.io/library/nginx";
	ev.image_tag = "1.25";
	ev.image_digest = "sha256:abc";
	ev.privileged = 0;
	ev.k8s_ns = "prod";
	ev.k8s_pod = "web-7f9";
	ev.k8s_pod_uid = "uid-1";
	ev.lazy = (struct rv_lazy){.ancestor = ancestor,
				   .pod_label = pod_label,
				   .pod_labels = pod_labels,
				   .user_name = user_name,
				   .group_name = group_name};
}

static void open_view(void)
{
	exec_view();
	ev.type = VG_EV_OPEN;
	ev.has_ret = true;
	ev.ret = 3;
	ev.error = "";
	ev.uid = 1000;
	ev.has_uid = true;
	ev.has_caps = true;
	ev.cap_effective = (1ull << 0) | (1ull << 21) | (1ull << 40) | (1ull << 63);
	ev.cap_permitted = 0;
	ev.has_fd = true;
	ev.fd = 3;
	ev.fd_name = "/etc/shadow";
	ev.fd_nameraw = "../etc/shadow";
	ev.fd_typechar = 'f';
	ev.has_open_flags = true;
	ev.open_flags = O_RDONLY | O_CLOEXEC;
	ev.arg = args_cb;
}

static void ip4(struct rv_end *e, const char *addr, uint16_t port)
{
	e->ip.family = 4;
	CHECK(inet_pton(AF_INET, addr, e->ip.addr) == 1);
	e->port = port;
	e->has_port = true;
}

static void ip6(struct rv_end *e, const char *addr, uint16_t port)
{
	e->ip.family = 6;
	CHECK(inet_pton(AF_INET6, addr, e->ip.addr) == 1);
	e->port = port;
	e->has_port = true;
}

static void connect_view(void)
{
	exec_view();
	ev.type = VG_EV_CONNECT;
	ev.has_ret = true;
	ev.ret = 0;
	ev.has_fd = true;
	ev.fd = 5;
	ev.fd_name = "10.0.0.5:40000->1.2.3.4:443";
	ev.fd_typechar = '4';
	ev.l4proto = IPPROTO_TCP;
	ev.sock_family = AF_INET;
	ip4(&ev.local, "10.0.0.5", 40000);
	ip4(&ev.remote, "1.2.3.4", 443);
	ev.connected = 1;
	ev.name_changed = 1;
}

/* --- tests --- */

UNIT_TEST(event_fields)
{
	exec_view();
	CHECK_STR(val("evt.type"), "execve");
	CHECK_STR(val("evt.dir"), "<");
	CHECK_STR(val("evt.num"), "42");
	CHECK_STR(val("evt.res"), "(absent)");
	CHECK_STR(val("evt.rawres"), "(absent)");
	CHECK_STR(val("evt.failed"), "(absent)");
	/* Falco answers these for every event: false but for an open that says so */
	CHECK_STR(val("evt.is_open_read"), "false");
	CHECK_STR(val("evt.is_open_write"), "false");
	CHECK_STR(val("evt.is_open_exec"), "false");
	CHECK_STR(val("evt.arg.flags"), "(absent)"); /* no argument callback */
	ev.evt_name = "execveat";
	CHECK_STR(val("evt.type"), "execveat");
}

UNIT_TEST(process_fields)
{
	exec_view();
	CHECK_STR(val("proc.name"), "bash");
	CHECK_STR(val("proc.exe"), "-bash");
	CHECK_STR(val("proc.exepath"), "/usr/bin/bash");
	CHECK_STR(val("proc.cmdline"), "bash -c echo hi");
	CHECK_STR(val("proc.args"), "-c echo hi");
	CHECK_STR(val("proc.pid"), "100");
	CHECK_STR(val("proc.ppid"), "50");
	CHECK_STR(val("proc.tty"), "34816");
	CHECK_STR(val("proc.cwd"), "/root");
	CHECK_STR(val("proc.duration"), "4000");
	CHECK_STR(val("proc.is_exe_from_memfd"), "false");
	CHECK_STR(val("thread.tid"), "100");
	CHECK_STR(val("proc.pname"), "sshd");
	CHECK_STR(val("proc.pexe"), "sshd: root@pts/0");
	CHECK_STR(val("proc.pexepath"), "/usr/sbin/sshd");
	CHECK_STR(val("proc.pcmdline"), "sshd -D");
	ev.proc.memfd = true;
	CHECK_STR(val("proc.is_exe_from_memfd"), "true");
	ev.tid = 0;
	CHECK_STR(val("thread.tid"), "(absent)");
	ev.proc.start_ns = 0;
	CHECK_STR(val("proc.duration"), "(absent)");
	ev.proc.start_ns = 9000; /* after the event: a clock mix-up, not a negative age */
	CHECK_STR(val("proc.duration"), "(absent)");
	ev.proc.cwd = NULL;
	CHECK_STR(val("proc.cwd"), "(absent)");
}

UNIT_TEST(lineage)
{
	exec_view();
	CHECK_STR(val("proc.aname[0]"), "bash");
	CHECK_STR(val("proc.aname[1]"), "sshd");
	CHECK_STR(val("proc.aname[2]"), "systemd");
	CHECK_STR(val("proc.aname[3]"), "(absent)"); /* the callback's proc is not known */
	CHECK_STR(val("proc.aname[4]"), "(absent)");
	CHECK_STR(val("proc.aname[15]"), "(absent)");
	CHECK_STR(val("proc.aname[16]"), "(absent)");
	CHECK_STR(val("proc.aname[99999999999999999999]"), "(absent)");
	CHECK_STR(val("proc.aname[02]"), "systemd");
	CHECK_STR(val("proc.apid[0]"), "100");
	CHECK_STR(val("proc.apid[1]"), "50");
	CHECK_STR(val("proc.apid[2]"), "1");
	CHECK_STR(val("proc.aexe[1]"), "sshd: root@pts/0");
	CHECK_STR(val("proc.aexe[2]"), "/sbin/init");
	CHECK_STR(val("proc.aexepath[2]"), "/usr/lib/systemd/systemd");
	CHECK_STR(val("proc.aexepath[1]"), "/usr/sbin/sshd");
	/* without [N]: the process itself as one value (outputs), every ancestor in each() */
	CHECK_STR(val("proc.aname"), "bash");
	CHECK_STR(each("proc.aname"), "sshd,systemd");
	CHECK_STR(each("proc.apid"), "50,1");
	CHECK_STR(each("proc.aexe"), "sshd: root@pts/0,/sbin/init");
	CHECK_STR(each("proc.aexepath"), "/usr/sbin/sshd,/usr/lib/systemd/systemd");
}

static int stop_at;
static bool stop_second(const struct rv_val *v, void *arg)
{
	(void)v;
	(void)arg;
	return ++stop_at == 2;
}

UNIT_TEST(lineage_each_stops_and_single_values)
{
	const char *dotted;
	const struct rf_field *f = rules_fields__find("proc.aname", &dotted);

	exec_view();
	stop_at = 0;
	CHECK(rules_view__each(&ev, f, NULL, stop_second, NULL));
	CHECK_INT(stop_at, 2);
	/* with an index, each() gives the one value */
	stop_at = 0;
	CHECK(!rules_view__each(&ev, f, "1", stop_second, NULL));
	CHECK_INT(stop_at, 1);
	/* single-valued field, absent: fn is not called */
	stop_at = 0;
	CHECK(!rules_view__each(&ev, rules_fields__find("fd.name", &dotted), NULL, stop_second,
				NULL));
	CHECK_INT(stop_at, 0);
}

UNIT_TEST(unknown_ancestors)
{
	exec_view();
	ev.parent.known = false;
	ev.lazy.ancestor = NULL;
	CHECK_STR(val("proc.pname"), "(absent)");
	CHECK_STR(val("proc.pexe"), "(absent)");
	CHECK_STR(val("proc.pexepath"), "(absent)");
	CHECK_STR(val("proc.pcmdline"), "(absent)");
	CHECK_STR(val("proc.aname[1]"), "(absent)");
	CHECK_STR(val("proc.apid[2]"), "(absent)");
	CHECK_STR(each("proc.aname"), "");
	CHECK_STR(val("proc.aname[0]"), "bash");
	/* the parent through the callback when the view does not carry it */
	ev.lazy.ancestor = ancestor;
	CHECK(rules_view__proc(&ev, 1) == NULL);
	CHECK(rules_view__proc(&ev, 2) == &anc2);
	CHECK(rules_view__proc(&ev, 3) == NULL);
	CHECK(rules_view__proc(&ev, RV_ANC_MAX) == NULL);
	/* the process itself unknown */
	ev.proc.known = false;
	CHECK(rules_view__proc(&ev, 0) == NULL);
	CHECK_STR(val("proc.name"), "(absent)");
	CHECK_STR(val("proc.cmdline"), "(absent)");
	CHECK_STR(val("proc.pid"), "(absent)");
	CHECK_STR(val("user.uid"), "(absent)");
	CHECK_STR(val("user.loginuid"), "(absent)");
}

UNIT_TEST(argv_edges)
{
	exec_view();
	/* no argv known */
	ev.proc.args = NULL;
	ev.proc.args_len = 0;
	CHECK_STR(val("proc.exe"), "(absent)");
	CHECK_STR(val("proc.args"), "(absent)");
	CHECK_STR(val("proc.cmdline"), "bash");
	CHECK_STR(val("proc.aexe[0]"), "(absent)");
	/* argv[0] only */
	exec_view();
	ev.proc.comm = "ls";
	ev.proc.args = "ls\0";
	ev.proc.args_len = 3;
	CHECK_STR(val("proc.exe"), "ls");
	CHECK_STR(val("proc.args"), "");
	CHECK_STR(val("proc.cmdline"), "ls");
	/* one empty argument, as Falco joins it */
	exec_view();
	ev.proc.comm = "ls";
	ev.proc.args = "ls\0\0";
	ev.proc.args_len = 4;
	CHECK_STR(val("proc.args"), "");
	CHECK_STR(val("proc.cmdline"), "ls ");
	/* argv cut short by the capture, without its last NUL */
	exec_view();
	ev.proc.comm = "ls";
	ev.proc.args = "ls\0-l\0/tm";
	ev.proc.args_len = 9;
	CHECK_STR(val("proc.args"), "-l /tm");
	CHECK_STR(val("proc.cmdline"), "ls -l /tm");
	/* argv[0] empty; argv[0] without NUL at all */
	exec_view();
	ev.proc.args = "\0x";
	ev.proc.args_len = 2;
	CHECK_STR(val("proc.exe"), "");
	CHECK_STR(val("proc.args"), "x");
	exec_view();
	ev.proc.args = "abc";
	ev.proc.args_len = 3;
	CHECK_STR(val("proc.exe"), "abc");
	CHECK_STR(val("proc.args"), "");
	CHECK_STR(val("proc.cmdline"), "bash");
	/* no comm: no cmdline */
	exec_view();
	ev.proc.comm = NULL;
	CHECK_STR(val("proc.cmdline"), "(absent)");
	CHECK_STR(val("proc.name"), "(absent)");
}

UNIT_TEST(users)
{
	exec_view();
	CHECK_STR(val("user.uid"), "0");
	CHECK_STR(val("user.name"), "root");
	CHECK_STR(val("user.loginuid"), "1000");
	CHECK_STR(val("group.gid"), "0");
	CHECK_STR(val("group.name"), "root");
	/* the syscall's uid wins over the process's */
	ev.uid = 1000;
	ev.has_uid = true;
	CHECK_STR(val("user.uid"), "1000");
	CHECK_STR(val("user.name"), "alice");
	ev.uid = 7;
	CHECK_STR(val("user.name"), "(absent)"); /* not in the host's database */
	ev.proc.auid = UINT32_MAX;
	CHECK_STR(val("user.loginuid"), "-1");
	ev.proc.gid = 5;
	CHECK_STR(val("group.name"), "(absent)");
	ev.lazy.user_name = NULL;
	CHECK_STR(val("user.name"), "(absent)");
	ev.proc.has_creds = false;
	CHECK_STR(val("user.uid"), "7");
	CHECK_STR(val("group.gid"), "(absent)");
	CHECK_STR(val("user.loginuid"), "(absent)");
	ev.has_uid = false;
	CHECK_STR(val("user.uid"), "(absent)");
}

UNIT_TEST(open_fields)
{
	open_view();
	CHECK_STR(val("evt.type"), "openat");
	CHECK_STR(val("evt.res"), "SUCCESS");
	CHECK_STR(val("evt.rawres"), "3");
	CHECK_STR(val("evt.failed"), "false");
	CHECK_STR(val("evt.is_open_read"), "true");
	CHECK_STR(val("evt.is_open_write"), "false");
	CHECK_STR(val("evt.is_open_exec"), "false");
	CHECK_STR(val("evt.arg.flags"), "O_RDONLY|O_CLOEXEC");
	CHECK_STR(val("evt.arg[flags]"), "O_RDONLY|O_CLOEXEC");
	CHECK_STR(val("evt.arg.name"), "../etc/shadow");
	CHECK_STR(val("evt.arg.mode"), "(absent)");
	CHECK_STR(val("evt.arg[0]"), "(absent)");
	CHECK_STR(val("evt.arg.res"), "3");
	CHECK_STR(val("evt.arg.res"), "3");
	CHECK_STR(val("fd.num"), "3");
	CHECK_STR(val("fd.name"), "/etc/shadow");
	CHECK_STR(val("fd.nameraw"), "../etc/shadow");
	CHECK_STR(val("fd.directory"), "/etc");
	CHECK_STR(val("fd.filename"), "shadow");
	CHECK_STR(val("fd.typechar"), "f");
	CHECK_STR(val("fd.type"), "file");
	CHECK_STR(val("user.uid"), "1000");
	CHECK_STR(val("thread.cap_effective"), "CAP_CHOWN CAP_SYS_ADMIN CAP_CHECKPOINT_RESTORE");
	CHECK_STR(val("thread.cap_permitted"), "");
	/* socket fields do not apply */
	CHECK_STR(val("fd.l4proto"), "(absent)");
	CHECK_STR(val("fd.sockfamily"), "(absent)");
	CHECK_STR(val("fd.connected"), "(absent)");
	CHECK_STR(val("fd.name_changed"), "(absent)");
	CHECK_STR(val("fd.sip"), "(absent)");
	CHECK_STR(val("fd.ip"), "(absent)");
	CHECK_STR(each("fd.port"), "");
	ev.has_caps = false;
	CHECK_STR(val("thread.cap_permitted"), "(absent)");
}

UNIT_TEST(open_modes)
{
	open_view();
	ev.open_flags = O_WRONLY | O_CREAT | O_TRUNC;
	ev.has_mode = true;
	ev.mode = 0755;
	CHECK_STR(val("evt.is_open_read"), "false");
	CHECK_STR(val("evt.is_open_write"), "true");
	CHECK_STR(val("evt.is_open_exec"), "true");
	ev.mode = 0644;
	CHECK_STR(val("evt.is_open_exec"), "false");
	ev.mode = 0001;
	CHECK_STR(val("evt.is_open_exec"), "true");
	ev.open_flags = O_RDWR; /* an exec bit without O_CREAT creates nothing */
	CHECK_STR(val("evt.is_open_read"), "true");
	CHECK_STR(val("evt.is_open_write"), "true");
	CHECK_STR(val("evt.is_open_exec"), "false");
	ev.open_flags = O_RDWR | O_TMPFILE;
	ev.mode = 0700;
	CHECK_STR(val("evt.is_open_exec"), "true");
	ev.has_mode = false;
	CHECK_STR(val("evt.is_open_exec"), "false");
	ev.has_open_flags = false;
	CHECK_STR(val("evt.is_open_read"), "false");
}

UNIT_TEST(failed_calls)
{
	open_view();
	ev.ret = -2;
	ev.error = "ENOENT";
	CHECK_STR(val("evt.res"), "ENOENT");
	CHECK_STR(val("evt.rawres"), "-2");
	CHECK_STR(val("evt.failed"), "true");
	CHECK_STR(val("evt.arg.res"), "-2");
	/* a producer without the name: the errno's */
	ev.error = NULL;
	ev.ret = -13;
	CHECK_STR(val("evt.res"), "EACCES");
	ev.ret = -4000; /* no errno name */
	CHECK_STR(val("evt.res"), "(absent)");
	ev.ret = -5000; /* not an errno at all */
	CHECK_STR(val("evt.res"), "SUCCESS");
	CHECK_STR(val("evt.failed"), "true");
}

UNIT_TEST(fd_paths)
{
	open_view();
	ev.fd_name = "/x";
	CHECK_STR(val("fd.directory"), "/");
	CHECK_STR(val("fd.filename"), "x");
	ev.fd_name = "/a/b/";
	CHECK_STR(val("fd.directory"), "/a/b/");
	CHECK_STR(val("fd.filename"), "/a/b/");
	ev.fd_name = "rel";
	CHECK_STR(val("fd.directory"), "/");
	CHECK_STR(val("fd.filename"), "rel");
	ev.fd_name = "/var/log";
	ev.fd_typechar = 'd';
	CHECK_STR(val("fd.directory"), "/var/log");
	CHECK_STR(val("fd.filename"), "(absent)");
	CHECK_STR(val("fd.typechar"), "d");
	CHECK_STR(val("fd.type"), "directory");
	/* devices and links opened are files to Falco */
	ev.fd_name = "/dev/mem";
	ev.fd_typechar = 'c';
	CHECK_STR(val("fd.typechar"), "f");
	CHECK_STR(val("fd.type"), "file");
	CHECK_STR(val("fd.directory"), "/dev");
	ev.fd_typechar = 'l';
	CHECK_STR(val("fd.typechar"), "f");
	ev.fd_typechar = 'b';
	CHECK_STR(val("fd.typechar"), "f");
	ev.fd_typechar = 'z';
	CHECK_STR(val("fd.typechar"), "o");
	CHECK_STR(val("fd.type"), "(absent)");
	CHECK_STR(val("fd.directory"), "(absent)");
	ev.fd_typechar = 'm';
	ev.fd_name = "memfd:x";
	CHECK_STR(val("fd.type"), "memfd");
	CHECK_STR(val("fd.filename"), "(absent)");
	ev.fd_typechar = 'p';
	CHECK_STR(val("fd.type"), "pipe");
	ev.fd_typechar = 'u';
	CHECK_STR(val("fd.type"), "unix");
	ev.fd_typechar = 0;
	CHECK_STR(val("fd.typechar"), "(absent)");
	CHECK_STR(val("fd.type"), "(absent)");
	ev.fd_name = NULL;
	ev.fd_nameraw = NULL;
	ev.has_fd = false;
	CHECK_STR(val("fd.name"), "(absent)");
	CHECK_STR(val("fd.nameraw"), "(absent)");
	CHECK_STR(val("fd.num"), "(absent)");
}

UNIT_TEST(ipv4_client)
{
	connect_view();
	CHECK_STR(val("evt.type"), "connect");
	CHECK_STR(val("fd.typechar"), "4");
	CHECK_STR(val("fd.type"), "ipv4");
	CHECK_STR(val("fd.l4proto"), "tcp");
	CHECK_STR(val("fd.sockfamily"), "ip");
	CHECK_STR(val("fd.connected"), "true");
	CHECK_STR(val("fd.name_changed"), "true");
	CHECK_STR(val("fd.name"), "10.0.0.5:40000->1.2.3.4:443");
	CHECK_STR(val("fd.directory"), "(absent)");
	CHECK_STR(val("fd.filename"), "(absent)");
	CHECK_STR(val("fd.sip"), "1.2.3.4");
	CHECK_STR(val("fd.snet"), "1.2.3.4");
	CHECK_STR(val("fd.sport"), "443");
	CHECK_STR(val("fd.cip"), "10.0.0.5");
	CHECK_STR(val("fd.cnet"), "10.0.0.5");
	CHECK_STR(val("fd.cport"), "40000");
	CHECK_STR(val("fd.lip"), "10.0.0.5");
	CHECK_STR(val("fd.lnet"), "10.0.0.5");
	CHECK_STR(val("fd.lport"), "40000");
	CHECK_STR(val("fd.rip"), "1.2.3.4");
	CHECK_STR(val("fd.rnet"), "1.2.3.4");
	CHECK_STR(val("fd.rport"), "443");
	CHECK_STR(val("fd.ip"), "10.0.0.5");
	CHECK_STR(val("fd.port"), "40000");
	CHECK_STR(val("fd.net"), "10.0.0.5");
	CHECK_STR(each("fd.ip"), "10.0.0.5,1.2.3.4");
	CHECK_STR(each("fd.port"), "40000,443");
	CHECK_STR(each("fd.net"), "10.0.0.5,1.2.3.4");
	/* no resolver: the names are absent */
	CHECK_STR(val("fd.sip.name"), "(absent)");
	CHECK_STR(val("fd.cip.name"), "(absent)");
	CHECK_STR(val("fd.lip.name"), "(absent)");
	CHECK_STR(val("fd.rip.name"), "(absent)");
	ev.connected = 0;
	ev.name_changed = 0;
	CHECK_STR(val("fd.connected"), "false");
	CHECK_STR(val("fd.name_changed"), "false");
	/* the local end unknown: fd.ip's one value is the remote end */
	ev.local = (struct rv_end){0};
	CHECK_STR(val("fd.ip"), "1.2.3.4");
	CHECK_STR(val("fd.port"), "443");
	CHECK_STR(each("fd.ip"), "1.2.3.4");
	CHECK_STR(val("fd.cip"), "(absent)");
	CHECK_STR(val("fd.cport"), "(absent)");
}

UNIT_TEST(ipv6_server)
{
	connect_view();
	ev.type = VG_EV_ACCEPT;
	ev.fd_typechar = '6';
	ev.sock_family = AF_INET6;
	ev.server_is_local = true;
	ip6(&ev.local, "::1", 8080);
	ip6(&ev.remote, "fe80::1:2", 5555);
	CHECK_STR(val("evt.type"), "accept");
	CHECK_STR(val("fd.type"), "ipv6");
	CHECK_STR(val("fd.sockfamily"), "ip");
	CHECK_STR(val("fd.sip"), "::1");
	CHECK_STR(val("fd.sport"), "8080");
	CHECK_STR(val("fd.cip"), "fe80::1:2");
	CHECK_STR(val("fd.cport"), "5555");
	CHECK_STR(val("fd.rnet"), "fe80::1:2");
	CHECK_STR(each("fd.ip"), "::1,fe80::1:2");
	ev.remote.has_port = false;
	CHECK_STR(val("fd.cport"), "(absent)");
	CHECK_STR(each("fd.port"), "8080");
	/* the value carries the address, family and bytes, for the evaluator's network test */
	{
		struct rv_val v;

		CHECK_INT(get("fd.snet", &v), 1);
		CHECK_INT(v.type, RF_IPNET);
		CHECK_INT(v.ip.family, 6);
		CHECK_INT(v.ip.addr[15], 1);
	}
}

UNIT_TEST(protocols_and_families)
{
	connect_view();
	ev.l4proto = IPPROTO_UDP;
	CHECK_STR(val("fd.l4proto"), "udp");
	ev.l4proto = IPPROTO_ICMP;
	CHECK_STR(val("fd.l4proto"), "icmp");
	ev.l4proto = IPPROTO_ICMPV6;
	CHECK_STR(val("fd.l4proto"), "icmp");
	ev.l4proto = 255;
	CHECK_STR(val("fd.l4proto"), "raw");
	ev.l4proto = 132; /* SCTP: Falco has no name for it */
	CHECK_STR(val("fd.l4proto"), "(absent)");
	ev.sock_family = AF_UNIX;
	CHECK_STR(val("fd.sockfamily"), "unix");
	ev.sock_family = AF_PACKET;
	CHECK_STR(val("fd.sockfamily"), "(absent)");
}

UNIT_TEST(container_and_pod)
{
	exec_view();
	CHECK_STR(val("container.id"), "0123456789ab");
	CHECK_STR(val("container.name"), "web-1");
	CHECK_STR(val("container.image"), "docker.io/library/nginx:1.25");
	CHECK_STR(val("container.image.repository"), "docker.io/library/nginx");
	CHECK_STR(val("container.image.tag"), "1.25");
	CHECK_STR(val("container.image.digest"), "sha256:abc");
	CHECK_STR(val("container.privileged"), "false");
	CHECK_STR(val("k8s.ns.name"), "prod");
	CHECK_STR(val("k8s.pod.name"), "web-7f9");
	CHECK_STR(val("k8s.pod.uid"), "uid-1");
	CHECK_STR(val("k8s.pod.label[app]"), "web");
	CHECK_STR(val("k8s.pod.label.app"), "web");
	CHECK_STR(val("k8s.pod.label[tier2]"), "(absent)");
	CHECK_STR(val("k8s.pod.labels"), "app:web, tier:front");
	ev.privileged = 1;
	CHECK_STR(val("container.privileged"), "true");
	/* on the host: the producer says "host" and has no pod */
	rules_view__reset(&ev, scratch, sizeof(scratch));
	ev.container_id = "host";
	CHECK_STR(val("container.id"), "host");
	CHECK_STR(val("container.name"), "(absent)");
	CHECK_STR(val("container.privileged"), "(absent)");
	CHECK_STR(val("k8s.pod.label[app]"), "(absent)");
	CHECK_STR(val("k8s.pod.labels"), "(absent)");
	CHECK_STR(val("k8s.ns.name"), "(absent)");
}

UNIT_TEST(scratch_exhausted)
{
	static char tiny[12];

	exec_view();
	ev.scratch = tiny;
	ev.scratch_size = sizeof(tiny);
	ev.has_caps = true;
	ev.cap_effective = ~0ull;
	CHECK_STR(val("proc.cmdline"), "(absent)"); /* 16 bytes needed */
	CHECK_STR(val("thread.cap_effective"), "(absent)");
	CHECK_STR(val("proc.args"), "-c echo hi"); /* 11 bytes: fits */
	CHECK_STR(val("proc.pcmdline"), "(absent)");
	CHECK_STR(val("proc.name"), "bash"); /* borrowed, needs none */
	CHECK(ev.scratch_used <= sizeof(tiny));
	CHECK(rules_view__scratch(&ev, 2) == NULL);
	CHECK(rules_view__scratch(&ev, 1) != NULL);
	CHECK(rules_view__scratch(&ev, 0) != NULL);
	/* no scratch at all */
	ev.scratch = NULL;
	CHECK(rules_view__scratch(&ev, 1) == NULL);
	CHECK_STR(val("proc.aname[0]"), "bash");
}

UNIT_TEST(built_once_per_event)
{
	struct rv_val a, b;
	size_t used;

	exec_view();
	CHECK_INT(get("proc.cmdline", &a), 1);
	used = ev.scratch_used;
	CHECK(used > 0);
	for (int i = 0; i < 1000; i++)
		CHECK_INT(get("proc.cmdline", &b), 1);
	CHECK(a.s == b.s);
	CHECK_INT(ev.scratch_used, used);
	CHECK_INT(a.s[a.len], '\0'); /* built strings are NUL terminated too */
	/* the parent's command line is its own */
	CHECK_STR(val("proc.pcmdline"), "sshd -D");
	CHECK_STR(val("proc.cmdline"), "bash -c echo hi");
	/* reset empties both the scratch and what was built */
	rules_view__reset(&ev, scratch, sizeof(scratch));
	CHECK_INT(ev.scratch_used, 0);
	CHECK(ev.built[0].s == NULL);
}

UNIT_TEST(reset_defaults)
{
	memset(&ev, 0x5a, sizeof(ev));
	rules_view__reset(&ev, scratch, sizeof(scratch));
	CHECK(ev.scratch == scratch);
	CHECK_INT(ev.scratch_size, sizeof(scratch));
	CHECK_INT(ev.connected, -1);
	CHECK_INT(ev.name_changed, -1);
	CHECK_INT(ev.privileged, -1);
	CHECK_STR(val("fd.connected"), "(absent)");
	CHECK_STR(val("container.privileged"), "(absent)");
	rules_view__reset(&ev, NULL, 100);
	CHECK_INT(ev.scratch_size, 0);
}

/* Every field on an empty view and on full ones: no crash, a value of the field's type. */
static void every_field(void)
{
	struct rv_val v;
	static const char *keys[] = {NULL, "0", "1", "2", "15", "16", "x", "res", "flags", "app"};

	for (unsigned i = 0; i < rules_fields__count(); i++) {
		const struct rf_field *f = rules_fields__get((enum rf_id)i);

		CHECK(f != NULL && f->id == (enum rf_id)i);
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			char buf[64];

			if (rules_view__get(&ev, f, keys[k], &v)) {
				CHECK_INT(v.type, f->type);
				CHECK(rules_view__format(&v, buf, sizeof(buf)) < sizeof(buf));
			}
			rules_view__each(&ev, f, keys[k], collect, (char[4096]){0});
		}
	}
}

UNIT_TEST(every_field_every_view)
{
	rules_view__reset(&ev, scratch, sizeof(scratch));
	every_field();
	rules_view__reset(&ev, NULL, 0);
	every_field();
	exec_view();
	every_field();
	open_view();
	every_field();
	connect_view();
	every_field();
	CHECK_INT(rules_fields__count(), RF_MAX);
}

UNIT_TEST(default_event_names)
{
	rules_view__reset(&ev, scratch, sizeof(scratch));
	for (int t = 1; t < VG_EV_MAX; t++) {
		const char *name;
		const struct re_evttype *et;

		ev.type = t;
		name = rules_view__evt_name(&ev);
		if (!name) {
			/* no syscall: the producer names it */
			CHECK_INT(t, VG_EV_TCP_STATE);
			continue;
		}
		et = rules_evttype__find(name);
		CHECK(et != NULL && (et->events & (1ull << t)));
	}
	ev.type = VG_EV_FORK;
	CHECK_STR(rules_view__evt_name(&ev), "clone");
	ev.type = VG_EV_EXIT;
	CHECK_STR(rules_view__evt_name(&ev), "procexit");
	ev.type = VG_EV_OPEN;
	CHECK_STR(rules_view__evt_name(&ev), "openat");
	ev.type = VG_EV_UDP_SEND;
	CHECK_STR(rules_view__evt_name(&ev), "sendto");
	ev.type = VG_EV_DNS;
	CHECK_STR(rules_view__evt_name(&ev), "recvfrom");
	ev.type = 0;
	CHECK(rules_view__evt_name(&ev) == NULL);
	CHECK_STR(val("evt.type"), "(absent)");
}

UNIT_TEST(format)
{
	struct rv_val v = {.type = RF_NUM, .n = -9223372036854775807ll - 1};
	char buf[64];

	CHECK_INT(rules_view__format(&v, buf, sizeof(buf)), 20);
	CHECK_STR(buf, "-9223372036854775808");
	CHECK_INT(rules_view__format(&v, buf, 4), 3);
	CHECK_STR(buf, "-92");
	CHECK_INT(rules_view__format(&v, buf, 0), 0);
	v = (struct rv_val){.type = RF_BOOL, .n = 1};
	rules_view__format(&v, buf, sizeof(buf));
	CHECK_STR(buf, "true");
	v = (struct rv_val){.type = RF_STR, .s = "abcdef", .len = 3};
	CHECK_INT(rules_view__format(&v, buf, sizeof(buf)), 3);
	CHECK_STR(buf, "abc");
	v = (struct rv_val){.type = RF_STR};
	CHECK_INT(rules_view__format(&v, buf, sizeof(buf)), 0);
	v = (struct rv_val){.type = RF_IPADDR, .ip = {.family = 4, .addr = {192, 168, 0, 1}}};
	rules_view__format(&v, buf, sizeof(buf));
	CHECK_STR(buf, "192.168.0.1");
	v.ip.family = 6;
	memset(v.ip.addr, 0, 16);
	v.ip.addr[0] = 0x20;
	v.ip.addr[1] = 0x01;
	v.ip.addr[2] = 0x0d;
	v.ip.addr[3] = 0xb8;
	v.ip.addr[15] = 7;
	rules_view__format(&v, buf, sizeof(buf));
	CHECK_STR(buf, "2001:db8::7");
	v.ip.family = 9; /* not an address */
	CHECK_INT(rules_view__format(&v, buf, sizeof(buf)), 0);
	v.type = RF_BYTES;
	v.s = "a\0b";
	v.len = 3;
	CHECK_INT(rules_view__format(&v, buf, sizeof(buf)), 3);
}

int main(void)
{
	return unit_run();
}
