// SPDX-License-Identifier: Apache-2.0
/*
 * rules_replay: event views from hand-written vigil event lines (the shapes docs/events.md
 * gives and the agent writes): exec with its lineage, open, connect, accept, setuid, dup,
 * memfd, pod members; evt.arg renderings; bad lines; the lineage table, its eviction and the
 * generation check that keeps an evicted entry from answering.
 */
#include <errno.h>
#include <json-c/json.h>
#include <pwd.h>
#include <stdlib.h>

#define UNIT_MAIN
#include "rules_replay.h"
#include "unit.h"

#define PROC_A                                                                                     \
	"\"process\":{\"exec_id\":\"QQ==\",\"pid\":200,\"comm\":\"cat\",\"binary\":\"/usr/bin/"    \
	"cat\","                                                                                   \
	"\"arguments\":[\"cat\",\"/etc/shadow\"],\"arguments_truncated\":false,\"ppid\":100,"      \
	"\"cwd\":\"/root\",\"uid\":0,\"gid\":0,\"euid\":0,\"egid\":0,\"auid\":1000,\"tty\":34817," \
	"\"start_time\":\"2026-11-21T16:00:19.425535202Z\",\"from_procfs\":false"
#define PARENT_FULL                                                                                \
	"\"parent\":{\"exec_id\":\"UA==\",\"pid\":100,\"comm\":\"bash\",\"binary\":\"/usr/bin/"    \
	"bash\","                                                                                  \
	"\"arguments\":[\"bash\",\"-i\"],\"arguments_truncated\":false,\"ppid\":50,\"cwd\":\"/\"," \
	"\"uid\":1000,\"gid\":1000,\"euid\":1000,\"egid\":1000,\"auid\":1000,\"tty\":34817,"       \
	"\"start_time\":\"2026-11-21T15:00:00Z\",\"from_procfs\":false,\"exited\":false}"
#define PARENT_SHORT                                                                               \
	"\"parent\":{\"exec_id\":\"UA==\",\"pid\":100,\"comm\":\"bash\",\"binary\":\"/usr/bin/"    \
	"bash\"}"
#define SYSCALL(name, ret, err)                                                                    \
	"\"syscall\":{\"name\":\"" name "\",\"nr\":1,\"ret\":" #ret ",\"error\":\"" err "\","      \
	"\"tid\":201,\"uid\":0,\"euid\":0,\"cap_effective\":\"000001ffffffffff\","                 \
	"\"cap_permitted\":\"0000000000003000\"}"
#define HOST "\"cgroup\":{\"id\":1,\"path\":\"/\",\"hierarchy\":\"v2\"},\"attribution\":\"host\""

static const char exec_line[] =
    "{\"schema\":\"vigil/v1\",\"type\":\"exec\",\"time\":\"2026-11-21T16:00:20.940308597Z\","
    "\"node\":\"vm\",\"cpu\":0,\"seq\":3," PROC_A ",\"tid\":200,\"argc\":2,"
    "\"filename\":\"/bin/cat\",\"fileless\":false,\"memfd\":false,\"deleted\":false,"
    "\"exec_fd\":false,\"setuid\":false}," PARENT_FULL ",\"ancestors\":["
    "{\"exec_id\":\"Rw==\",\"pid\":50,\"comm\":\"sshd\",\"binary\":\"/usr/sbin/sshd\"},"
    "{\"exec_id\":\"SQ==\",\"pid\":1,\"comm\":\"systemd\",\"binary\":\"/lib/systemd/"
    "systemd\"}]," HOST "}";

static const char open_line[] =
    "{\"schema\":\"vigil/v1\",\"type\":\"open\",\"time\":\"2026-11-21T16:00:21Z\","
    "\"node\":\"vm\"," PROC_A ",\"exited\":false}," PARENT_SHORT "," HOST "," SYSCALL(
	"openat", 3,
	"") ",\"file\":{\"path\":\"/etc/shadow\",\"requested\":"
	    "\"../etc/shadow\",\"fd\":3,\"type\":\"file\",\"inode\":5,\"dev\":2,\"flags\":524353,"
	    "\"created\":false,\"mode\":\"0755\"}}";

static const char *const sock_proc = PROC_A ",\"exited\":false}," PARENT_SHORT "," HOST;

/* A line parsed and filled; the object is kept until done(). */
struct filled {
	struct json_object *obj;
	struct rr_event rr;
	char store[RR_STORE_SIZE];
	char scratch[RV_SCRATCH_DEFAULT];
};

static struct filled *fill(struct rules_replay *rp, const char *line)
{
	struct filled *f = calloc(1, sizeof(*f));

	CHECK(f != NULL);
	CHECK_INT(rules_replay__parse(rp, line, strlen(line), &f->obj), 0);
	if (f->obj)
		CHECK_INT(rules_replay__fill(rp, f->obj, &f->rr, f->store, sizeof(f->store),
					     f->scratch, sizeof(f->scratch)),
			  0);
	return f;
}

static void done(struct filled *f)
{
	json_object_put(f->obj);
	free(f);
}

static struct rules_replay *replay(size_t cap)
{
	struct rules_replay_opts o = {.sz = sizeof(o), .lineage_cap = cap};
	struct rules_replay *rp = NULL;

	CHECK_INT(rules_replay__new(&o, &rp), 0);
	return rp;
}

static const char *arg(const struct rv_event *ev, const char *name)
{
	return ev->arg ? ev->arg(ev, name) : NULL;
}

static const char *aname(const struct rv_event *ev, unsigned level)
{
	const struct rv_proc *p = ev->lazy.ancestor ? ev->lazy.ancestor(ev, level) : NULL;

	return p ? p->comm : NULL;
}

UNIT_TEST(exec_line_view)
{
	struct rules_replay *rp = replay(0);
	struct filled *f = fill(rp, exec_line);
	const struct rv_event *ev = &f->rr.ev;

	CHECK_INT(ev->type, VG_EV_EXEC);
	CHECK_STR(ev->evt_name, "execve");
	CHECK_INT(ev->time_ns, 1795276820940308597ull);
	CHECK_INT(ev->boot_ns, ev->time_ns);
	CHECK_INT(ev->num, 1);
	CHECK(ev->proc.known);
	CHECK_INT(ev->proc.pid, 200);
	CHECK_INT(ev->proc.ppid, 100);
	CHECK_STR(ev->proc.comm, "cat");
	CHECK_STR(ev->proc.exepath, "/usr/bin/cat");
	CHECK_INT(ev->proc.args_len, 16);
	CHECK(ev->proc.args && !memcmp(ev->proc.args, "cat\0/etc/shadow\0", 16));
	CHECK_STR(ev->proc.cwd, "/root");
	CHECK(ev->proc.has_creds);
	CHECK_INT(ev->proc.auid, 1000);
	CHECK_INT(ev->proc.tty, 34817);
	CHECK_INT(ev->proc.start_ns, 1795276819425535202ull);
	CHECK_STR(ev->filename, "/bin/cat");
	CHECK_INT(ev->tid, 200);
	CHECK(ev->has_uid && ev->uid == 0);
	CHECK(!ev->has_ret);
	CHECK_STR(ev->parent.comm, "bash");
	CHECK_INT(ev->parent.uid, 1000);
	CHECK_INT(ev->parent.args_len, 8);
	CHECK_STR(aname(ev, 1), "bash");
	CHECK_STR(aname(ev, 2), "sshd");
	CHECK_STR(aname(ev, 3), "systemd");
	CHECK(aname(ev, 4) == NULL);
	CHECK_INT(ev->lazy.ancestor(ev, 2)->ppid, 1);
	CHECK_STR(ev->container_id, "host");
	CHECK_INT(ev->privileged, -1);
	CHECK_STR(arg(ev, "filename"), "/bin/cat");
	CHECK(arg(ev, "flags") == NULL);
	done(f);
	rules_replay__free(rp);
}

UNIT_TEST(open_after_exec_has_lineage)
{
	struct rules_replay *rp = replay(0);
	struct filled *x = fill(rp, exec_line), *f = fill(rp, open_line);
	const struct rv_event *ev = &f->rr.ev;
	struct rules_replay_stats st;

	CHECK_INT(ev->type, VG_EV_OPEN);
	CHECK_STR(ev->evt_name, "openat");
	CHECK(ev->has_ret && ev->ret == 3);
	CHECK_STR(ev->error, "");
	CHECK_INT(ev->tid, 201);
	CHECK(ev->has_caps);
	CHECK_INT(ev->cap_effective, 0x1ffffffffffull);
	CHECK_INT(ev->cap_permitted, 0x3000);
	CHECK_STR(ev->fd_name, "/etc/shadow");
	CHECK_STR(ev->fd_nameraw, "../etc/shadow");
	CHECK(ev->has_fd && ev->fd == 3);
	CHECK_INT(ev->fd_typechar, 'f');
	CHECK(ev->has_open_flags && ev->open_flags == 524353);
	CHECK(ev->has_mode && ev->mode == 0755);
	/* the syscall line's parent is short; the exec line gave its argv and credentials */
	CHECK_INT(ev->parent.args_len, 8);
	CHECK(ev->parent.args && !memcmp(ev->parent.args, "bash\0-i\0", 8));
	CHECK(ev->parent.has_creds && ev->parent.uid == 1000);
	CHECK_STR(aname(ev, 2), "sshd");
	CHECK_STR(aname(ev, 3), "systemd");
	CHECK_STR(arg(ev, "flags"), "O_WRONLY|O_CREAT|O_CLOEXEC");
	CHECK_STR(arg(ev, "name"), "../etc/shadow");
	CHECK_STR(arg(ev, "mode"), "S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR");
	CHECK_STR(arg(ev, "fd"), "3");
	CHECK_STR(arg(ev, "res"), "3");
	CHECK(arg(ev, "path") == NULL);
	CHECK(arg(ev, "uid") == NULL);
	rules_replay__stats(rp, &st);
	CHECK_INT(st.lineage_hits, 1);
	CHECK_INT(st.lineage_learnt, 1);
	CHECK_INT(st.events, 2);
	done(f);
	done(x);
	rules_replay__free(rp);
}

static char *sock_line(const char *type, const char *sys, const char *rest)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"schema\":\"vigil/v1\",\"type\":\"%s\",\"time\":\"2026-11-21T16:00:21Z\","
		 "\"node\":\"n1\",%s,%s,%s}",
		 type, sock_proc, sys, rest);
	return buf;
}

UNIT_TEST(connect_view)
{
	struct rules_replay *rp = replay(0);
	struct filled *f = fill(
	    rp, sock_line("connect", SYSCALL("connect", 0, ""),
			  "\"socket\":{\"fd\":4,\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\","
			  "\"protocol\":\"tcp\"},\"local\":{\"family\":\"AF_INET\",\"address\":"
			  "\"127.0.0.1\",\"port\":39522},\"remote\":{\"family\":\"AF_INET\","
			  "\"address\":\"10.1.2.3\",\"port\":443}"));
	const struct rv_event *ev = &f->rr.ev;

	CHECK_INT(ev->type, VG_EV_CONNECT);
	CHECK_INT(ev->sock_family, 2);
	CHECK_INT(ev->l4proto, 6);
	CHECK_INT(ev->fd_typechar, '4');
	CHECK(ev->has_fd && ev->fd == 4);
	CHECK_STR(ev->fd_name, "127.0.0.1:39522->10.1.2.3:443");
	CHECK_INT(ev->local.ip.family, 4);
	CHECK(!memcmp(ev->remote.ip.addr, "\x0a\x01\x02\x03", 4));
	CHECK(ev->remote.has_port && ev->remote.port == 443);
	CHECK(!ev->server_is_local);
	CHECK_INT(ev->connected, 1);
	CHECK_INT(ev->name_changed, 1);
	CHECK_STR(arg(ev, "fd"), "4");
	CHECK_STR(rules_replay__node(&f->rr), "n1");
	done(f);
	/* a failed connect: not connected */
	f = fill(rp,
		 sock_line("connect", SYSCALL("connect", -111, "ECONNREFUSED"),
			   "\"socket\":{\"fd\":4,\"family\":\"AF_INET6\",\"type\":\"SOCK_STREAM\","
			   "\"protocol\":\"tcp\"},\"local\":null,\"remote\":{\"family\":"
			   "\"AF_INET6\",\"address\":\"::1\",\"port\":80,\"scope_id\":0}"));
	ev = &f->rr.ev;
	CHECK_INT(ev->connected, 0);
	CHECK_INT(ev->fd_typechar, '6');
	CHECK_STR(ev->fd_name, ":::0->::1:80");
	CHECK_STR(arg(ev, "res"), "ECONNREFUSED");
	CHECK_INT(ev->local.ip.family, 0);
	done(f);
	rules_replay__free(rp);
}

UNIT_TEST(accept_and_listen_views)
{
	struct rules_replay *rp = replay(0);
	struct filled *f = fill(
	    rp, sock_line("accept", SYSCALL("accept4", 5, ""),
			  "\"socket\":{\"fd\":5,\"family\":\"AF_INET6\",\"type\":\"SOCK_STREAM\","
			  "\"protocol\":\"tcp\",\"nonblock\":false,\"cloexec\":true},\"local\":{"
			  "\"family\":\"AF_INET6\",\"address\":\"fd00::1\",\"port\":8080,"
			  "\"scope_id\":0},\"remote\":{\"family\":\"AF_INET6\",\"address\":"
			  "\"fd00::2\",\"port\":50000,\"scope_id\":0}"));
	const struct rv_event *ev = &f->rr.ev;

	CHECK_STR(ev->evt_name, "accept4");
	CHECK(ev->server_is_local);
	CHECK_STR(ev->fd_name, "fd00::2:50000->fd00::1:8080");
	CHECK_INT(ev->connected, 1);
	CHECK_INT(ev->local.ip.family, 6);
	done(f);
	f = fill(rp,
		 sock_line("listen", SYSCALL("listen", 0, ""),
			   "\"socket\":{\"fd\":3,\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\","
			   "\"protocol\":\"tcp\"},\"local\":{\"family\":\"AF_INET\",\"address\":"
			   "\"0.0.0.0\",\"port\":22},\"backlog\":128"));
	ev = &f->rr.ev;
	CHECK_STR(ev->fd_name, "0.0.0.0:22");
	CHECK(ev->server_is_local);
	CHECK_STR(arg(ev, "backlog"), "128");
	done(f);
	f = fill(rp,
		 sock_line("connect", SYSCALL("connect", 0, ""),
			   "\"socket\":{\"fd\":3,\"family\":\"AF_UNIX\",\"type\":\"SOCK_STREAM\","
			   "\"protocol\":\"0\"},\"local\":{\"family\":\"AF_UNIX\",\"path\":\"\","
			   "\"abstract\":false},\"remote\":{\"family\":\"AF_UNIX\",\"path\":"
			   "\"/run/docker.sock\",\"abstract\":false}"));
	ev = &f->rr.ev;
	CHECK_INT(ev->fd_typechar, 'u');
	CHECK_STR(ev->fd_name, "/run/docker.sock");
	CHECK_INT(ev->l4proto, 0);
	done(f);
	rules_replay__free(rp);
}

UNIT_TEST(setuid_view)
{
	struct rules_replay *rp = replay(0);
	struct filled *f = fill(
	    rp, sock_line("setuid", SYSCALL("setuid", 0, ""),
			  "\"setuid\":{\"old\":{\"uid\":1000,\"euid\":1000,\"suid\":1000,"
			  "\"fsuid\":1000},\"new\":{\"uid\":0,\"euid\":0,\"suid\":0,\"fsuid\":0},"
			  "\"requested\":[0]}"));
	const struct rv_event *ev = &f->rr.ev;
	struct passwd *pw = getpwuid(0);

	CHECK_INT(ev->type, VG_EV_SETUID);
	CHECK(ev->has_uid && ev->uid == 0);
	CHECK_STR(arg(ev, "uid"), pw ? pw->pw_name : "0");
	CHECK(arg(ev, "gid") == NULL);
	CHECK_STR(ev->lazy.user_name(ev, 0), pw ? pw->pw_name : NULL);
	CHECK(ev->lazy.user_name(ev, 4000000000u) == NULL);
	CHECK(ev->lazy.user_name(ev, 4000000000u) == NULL); /* cached as unknown */
	CHECK_STR(f->rr.own_key, "setuid");
	done(f);
	f = fill(rp, sock_line("setuid", SYSCALL("setresuid", -1, "EPERM"),
			       "\"setuid\":{\"new\":{\"uid\":5,\"euid\":5,\"suid\":5,\"fsuid\":5},"
			       "\"requested\":[4000000000,-1,-1]}"));
	CHECK_STR(arg(&f->rr.ev, "uid"), "4000000000");
	CHECK_STR(arg(&f->rr.ev, "res"), "EPERM");
	done(f);
	rules_replay__free(rp);
}

UNIT_TEST(dup_memfd_and_pod_views)
{
	struct rules_replay *rp = replay(0);
	char vigil[8192];
	struct filled *f = fill(
	    rp, sock_line("dup", SYSCALL("dup2", 1, ""),
			  "\"dup\":{\"oldfd\":3,\"newfd\":1,\"old_is_socket\":true,\"old_type\":"
			  "\"socket\",\"cloexec\":false,\"fd_target\":{\"kind\":\"socket\","
			  "\"name\":\"tcp [::1]:5->[::2]:4444\",\"cloexec\":false}},"
			  "\"container\":{\"id\":\"abc\",\"runtime\":\"containerd\",\"name\":\"c\","
			  "\"image\":\"nginx:1\",\"privileged\":true},\"pod\":{\"uid\":\"u1\","
			  "\"qos\":\"burstable\",\"name\":\"p\",\"namespace\":\"ns\",\"labels\":"
			  "{\"app\":\"web\",\"tier\":\"front\"}}"));
	const struct rv_event *ev = &f->rr.ev;

	CHECK_STR(ev->evt_name, "dup2");
	CHECK(ev->has_fd && ev->fd == 1);
	CHECK_INT(ev->fd_typechar, '6');
	CHECK_STR(ev->fd_name, "::1:5->::2:4444");
	CHECK_STR(ev->container_id, "abc");
	CHECK_STR(ev->image, "nginx:1");
	CHECK_INT(ev->privileged, 1);
	CHECK_STR(ev->k8s_ns, "ns");
	CHECK_STR(ev->k8s_pod_uid, "u1");
	CHECK_STR(ev->lazy.pod_label(ev, "app"), "web");
	CHECK(ev->lazy.pod_label(ev, "nope") == NULL);
	CHECK_STR(ev->lazy.pod_labels(ev), "app:web, tier:front");
	CHECK(rules_replay__vigil_members(&f->rr, vigil, sizeof(vigil)) < sizeof(vigil));
	CHECK(strstr(vigil, "\"process\":{\"exec_id\":\"QQ==\"") == vigil);
	CHECK(strstr(vigil, ",\"pod\":{\"uid\":\"u1\"") != NULL);
	CHECK(strstr(vigil, ",\"dup\":{\"oldfd\":3") != NULL);
	CHECK_INT(rules_replay__vigil_members(&f->rr, vigil, 10) > 10, 1);
	CHECK_STR(vigil, "");
	done(f);
	f = fill(rp, sock_line("memfd_create", SYSCALL("memfd_create", 7, ""),
			       "\"memfd\":{\"name\":\"x\",\"fd\":7,\"flags\":[\"MFD_CLOEXEC\"]}"));
	ev = &f->rr.ev;
	CHECK_STR(ev->fd_name, "memfd:x");
	CHECK_INT(ev->fd_typechar, 'm');
	CHECK_STR(arg(ev, "flags"), "MFD_CLOEXEC");
	CHECK_STR(arg(ev, "name"), "x");
	CHECK_STR(arg(ev, "fd"), "7");
	done(f);
	rules_replay__free(rp);
}

UNIT_TEST(bad_lines_are_counted_and_named)
{
	static const char *const lines[] = {
	    "not json",
	    "[1,2]",
	    "{}",
	    "{\"type\":5}",
	    "{\"type\":\"bogus\"}",
	    "{\"type\":\"open\"} x",
	    "{\"type\":\"op",
	};
	static const char *const why[] = {
	    "line 1: not JSON",
	    "line 2: not a JSON object",
	    "line 3: no \"type\"",
	    "line 4: \"type\" is not",
	    "line 5: unknown event type 'bogus'",
	    "line 6: not JSON: text after",
	    "line 7: not JSON",
	};
	struct rules_replay *rp = replay(0);
	struct rules_replay_stats st;
	struct json_object *o;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		CHECK_INT(rules_replay__parse(rp, lines[i], strlen(lines[i]), &o), -EINVAL);
		CHECK(o == NULL);
		CHECK(!strncmp(rules_replay__last_error(rp), why[i], strlen(why[i])));
	}
	CHECK_INT(rules_replay__parse(rp, "  ", 2, &o), 1);
	CHECK_INT(rules_replay__parse(rp, "{\"type\":\"stats\",\"final\":true}", 29, &o), 1);
	rules_replay__bad_line(rp, "line too long");
	CHECK_STR(rules_replay__last_error(rp), "line 10: line too long");
	rules_replay__stats(rp, &st);
	CHECK_INT(st.lines, 10);
	CHECK_INT(st.bad, 8);
	CHECK_INT(st.stats_lines, 2);
	CHECK_INT(st.events, 0);
	CHECK(!strncmp(rules_replay__error(rp, 0), "line 1:", 7));
	CHECK(!strncmp(rules_replay__error(rp, 4), "line 5:", 7));
	CHECK(rules_replay__error(rp, 5) == NULL);
	/* an event line with members of the wrong types: a view with those members absent */
	{
		struct filled *f =
		    fill(rp, "{\"type\":\"open\",\"time\":7,\"process\":[1],"
			     "\"file\":{\"path\":5,\"fd\":\"x\",\"mode\":\"9z\"},"
			     "\"syscall\":{\"ret\":\"3\",\"cap_effective\":\"zz\"}}");

		CHECK_INT(f->rr.ev.time_ns, 0);
		CHECK(!f->rr.ev.proc.known && !f->rr.ev.has_fd && !f->rr.ev.has_mode);
		CHECK(!f->rr.ev.has_ret && !f->rr.ev.has_caps && f->rr.ev.fd_name == NULL);
		CHECK(f->rr.ev.container_id == NULL);
		done(f);
	}
	rules_replay__free(rp);
}

/* An exec line of the given exec_id (a parent and one ancestor). */
static char *exec_of(const char *id, const char *anc_comm)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf),
		 "{\"type\":\"exec\",\"time\":\"2026-01-01T00:00:00Z\",\"process\":{\"exec_id\":"
		 "\"%s\",\"pid\":9,\"comm\":\"x\"}," PARENT_FULL ",\"ancestors\":[{\"pid\":3,"
		 "\"comm\":\"%s\",\"binary\":\"/bin/%s\"}]}",
		 id, anc_comm, anc_comm);
	return buf;
}

static char *open_of(const char *id)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf),
		 "{\"type\":\"open\",\"process\":{\"exec_id\":\"%s\",\"pid\":9,\"comm\":\"x\"}"
		 "," PARENT_SHORT ",\"file\":{\"path\":\"/a\"}}",
		 id);
	return buf;
}

UNIT_TEST(lineage_eviction_is_counted_and_checked)
{
	struct rules_replay *rp = replay(2);
	struct filled *a, *b, *c, *o;
	struct rules_replay_stats st;

	a = fill(rp, exec_of("A", "initA"));
	o = fill(rp, open_of("A"));
	CHECK_STR(aname(&o->rr.ev, 2), "initA");
	CHECK_STR(o->rr.ev.lazy.ancestor(&o->rr.ev, 2)->exepath, "/bin/initA");
	b = fill(rp, exec_of("B", "initB"));
	c = fill(rp, exec_of("C", "initC")); /* A is the oldest: evicted */
	rules_replay__stats(rp, &st);
	CHECK_INT(st.lineage_evicted, 1);
	CHECK_INT(st.lineage_size, 2);
	/* the view filled before the eviction no longer answers, rather than answer wrong */
	CHECK(aname(&o->rr.ev, 2) == NULL);
	CHECK_STR(aname(&o->rr.ev, 1), "bash");
	done(o);
	o = fill(rp, open_of("A"));
	CHECK(aname(&o->rr.ev, 2) == NULL);
	done(o);
	o = fill(rp, open_of("C"));
	CHECK_STR(aname(&o->rr.ev, 2), "initC");
	done(o);
	/* the same exec_id again replaces its entry in place */
	done(fill(rp, exec_of("C", "initD")));
	o = fill(rp, open_of("C"));
	CHECK_STR(aname(&o->rr.ev, 2), "initD");
	done(o);
	rules_replay__stats(rp, &st);
	CHECK_INT(st.lineage_evicted, 1);
	CHECK_INT(st.lineage_learnt, 4);
	CHECK_INT(st.lineage_misses, 1);
	CHECK_INT(st.lineage_hits, 3);
	done(a);
	done(b);
	done(c);
	rules_replay__free(rp);
}

UNIT_TEST(lineage_bytes_bound)
{
	struct rules_replay_opts opts = {.sz = sizeof(opts), .lineage_bytes = 1};
	struct rules_replay *rp = NULL;
	struct rules_replay_stats st;

	CHECK_INT(rules_replay__new(&opts, &rp), 0);
	for (int i = 0; i < 5; i++) {
		char id[8];

		snprintf(id, sizeof(id), "E%d", i);
		done(fill(rp, exec_of(id, "init")));
	}
	rules_replay__stats(rp, &st);
	CHECK_INT(st.lineage_size, 1); /* every entry is over the bound: only the newest stays */
	CHECK_INT(st.lineage_evicted, 4);
	rules_replay__free(rp);
}

int main(void)
{
	return unit_run();
}
