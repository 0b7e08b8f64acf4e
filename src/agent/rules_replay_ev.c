// SPDX-License-Identifier: Apache-2.0
/*
 * The members of each kind of event line (docs/events.md) in the view: the file object, a
 * socket and its ends (with fd.name as Falco prints a socket: client first,
 * "10.0.0.1:40000->10.0.0.2:80"), and the fds the privilege events name.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "rules_replay_int.h"

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

/* fd.typechar of a file.type or dup.old_type; 0 when unknown. */
static char file_typechar(const char *type)
{
	static const struct {
		const char *name;
		char c;
	} tab[] = {{"file", 'f'},     {"dir", 'd'},  {"symlink", 'l'}, {"chardev", 'c'},
		   {"blockdev", 'b'}, {"fifo", 'p'}, {"socket", 'u'}};

	for (size_t i = 0; type && i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcmp(type, tab[i].name))
			return tab[i].c;
	return 0;
}

static void fd_fill(struct rv_event *ev, struct json_object *o, const char *key)
{
	int64_t v;

	if (rr_int(o, key, &v) && v >= 0 && v <= INT32_MAX) {
		ev->has_fd = true;
		ev->fd = (int32_t)v;
	}
}

void rr_fill_file(struct rr_event *rr)
{
	struct rv_event *ev = &rr->ev;
	struct json_object *f = rr_get(rr->line, "file");
	const char *mode = rr_str(f, "mode");
	int64_t v;
	char *end;

	rr->own = f;
	rr->own_key = "file";
	if (!f)
		return;
	ev->fd_name = nonempty(rr_str(f, "path"));
	ev->fd_nameraw = rr_str(f, "requested");
	fd_fill(ev, f, "fd");
	ev->fd_typechar = file_typechar(rr_str(f, "type"));
	if (ev->type == VG_EV_OPEN && rr_int(f, "flags", &v)) {
		ev->has_open_flags = true;
		ev->open_flags = (uint32_t)v;
	}
	if (mode && *mode) {
		errno = 0;
		v = strtol(mode, &end, 8);
		ev->has_mode = !errno && !*end && v >= 0 && v <= 07777;
		ev->mode = ev->has_mode ? (uint32_t)v : 0;
	}
}

/* One endpoint object: {"family","address","port"}; a unix end gives only its family. */
static void end_fill(struct json_object *o, struct rv_end *e)
{
	const char *addr = rr_str(o, "address");
	int fam = rr_af_value(rr_str(o, "family"));
	int64_t port;

	if (addr && fam == AF_INET && inet_pton(AF_INET, addr, e->ip.addr) == 1)
		e->ip.family = 4;
	else if (addr && fam == AF_INET6 && inet_pton(AF_INET6, addr, e->ip.addr) == 1)
		e->ip.family = 6;
	if (rr_int(o, "port", &port) && port >= 0 && port <= 65535) {
		e->port = (uint16_t)port;
		e->has_port = true;
	}
}

/* fd.name of an IP socket (rules_view__tuple). */
static void inet_name(struct rr_event *rr)
{
	char name[2 * INET6_ADDRSTRLEN + 24];
	int n = rules_view__tuple(&rr->ev, name, sizeof(name));

	if (n >= 0 && (size_t)n < sizeof(name))
		rr->ev.fd_name = rr_store_put(rr, name, (size_t)n);
}

/* fd.name of a unix socket: the path it is bound to or connects to; "@name" when abstract. */
static void unix_name(struct rr_event *rr)
{
	struct json_object *end =
	    rr_get(rr->line, rr->ev.type == VG_EV_CONNECT ? "remote" : "local");
	const char *path = rr_str(end, "path");
	char name[4096 + 2];

	if (!path || !*path)
		return;
	snprintf(name, sizeof(name), "%s%s", rr_bool(end, "abstract") == 1 ? "@" : "", path);
	rr->ev.fd_name = rr_store_put(rr, name, strnlen(name, sizeof(name)));
}

/* fd.connected and fd.name_changed, as far as a line tells them. */
static void conn_state(struct rr_event *rr)
{
	struct rv_event *ev = &rr->ev;
	const char *state = rr_str(rr_get(rr->line, "tcp"), "new_state");

	switch (ev->type) {
	case VG_EV_CONNECT:
		ev->connected = ev->has_ret && ev->ret == 0;
		ev->name_changed = 1;
		break;
	case VG_EV_ACCEPT:
		ev->connected = 1;
		ev->name_changed = 0;
		break;
	case VG_EV_BIND:
		ev->name_changed = 1;
		break;
	case VG_EV_TCP_STATE:
		ev->connected = state && !strcmp(state, "ESTABLISHED");
		ev->name_changed = 0;
		break;
	default:
		break;
	}
}

void rr_fill_net(struct rr_event *rr)
{
	struct rv_event *ev = &rr->ev;
	struct json_object *s = rr_get(rr->line, "socket");
	int fam = rr_af_value(rr_str(s, "family")), proto;

	rr->own = s;
	rr->own_key = "socket";
	fd_fill(ev, s, "fd");
	ev->sock_family = fam > 0 ? fam : 0;
	end_fill(rr_get(rr->line, "local"), &ev->local);
	end_fill(rr_get(rr->line, "remote"), &ev->remote);
	ev->server_is_local =
	    ev->type == VG_EV_ACCEPT || ev->type == VG_EV_BIND || ev->type == VG_EV_LISTEN;
	conn_state(rr);
	if (fam == AF_INET || fam == AF_INET6) {
		proto = rr_proto_value(rr_str(s, "protocol"));
		ev->l4proto = proto > 0 && proto < 256 ? (uint8_t)proto : 0;
		ev->fd_typechar = fam == AF_INET ? '4' : '6';
		inet_name(rr);
	} else if (fam == AF_UNIX) {
		ev->fd_typechar = 'u';
		unix_name(rr);
	} else if (fam > 0) {
		ev->fd_typechar = 'o';
	}
}

/* Key of each privilege event's own object. */
static const char *const own_keys[VG_EV_MAX] = {
    [VG_EV_SETUID] = "setuid",
    [VG_EV_SETGID] = "setgid",
    [VG_EV_CAPSET] = "capset",
    [VG_EV_PTRACE] = "ptrace",
    [VG_EV_MODULE_LOAD] = "module",
    [VG_EV_MODULE_UNLOAD] = "module",
    [VG_EV_MOUNT] = "mount",
    [VG_EV_UMOUNT] = "umount",
    [VG_EV_UNSHARE] = "unshare",
    [VG_EV_SETNS] = "setns",
    [VG_EV_CHROOT] = "chroot",
    [VG_EV_PIVOT_ROOT] = "pivot_root",
    [VG_EV_MEMFD_CREATE] = "memfd",
    [VG_EV_BPF] = "bpf",
    [VG_EV_DUP] = "dup",
    [VG_EV_KILL] = "kill",
    [VG_EV_PRCTL] = "prctl",
    [VG_EV_PERSONALITY] = "personality",
};

/* What the fd table said a dup's new fd is ("tcp 10.0.0.1:5->10.0.0.2:80", "unix:/x",
 * "/dev/null") as Falco names it, and its type. */
static void dup_target(struct rr_event *rr, struct json_object *t, const char *old_type)
{
	const char *kind = rr_str(t, "kind"), *name = rr_str(t, "name"), *sp;
	char buf[512];
	size_t n = 0;

	rr->ev.fd_typechar = file_typechar(old_type);
	if (!name || !*name)
		return;
	if (!kind || strcmp(kind, "socket")) {
		rr->ev.fd_name = name;
		return;
	}
	if (!strncmp(name, "unix", 4)) {
		rr->ev.fd_typechar = 'u';
		if (name[4] == ':')
			rr->ev.fd_name = name + 5;
		return;
	}
	sp = strchr(name, ' ');
	rr->ev.fd_typechar = !sp ? 'o' : strchr(sp, '[') ? '6' : '4';
	for (const char *p = sp ? sp + 1 : name; *p && n < sizeof(buf) - 1; p++)
		if (*p != '[' && *p != ']')
			buf[n++] = *p;
	if (sp)
		rr->ev.fd_name = rr_store_put(rr, buf, n);
}

void rr_fill_priv(struct rr_event *rr)
{
	struct rv_event *ev = &rr->ev;
	struct json_object *o = rr_get(rr->line, own_keys[ev->type]);
	const char *name;
	char buf[512];

	rr->own = o;
	rr->own_key = own_keys[ev->type];
	switch (ev->type) {
	case VG_EV_MODULE_LOAD:
		fd_fill(ev, o, "fd");
		ev->fd_name = rr_str(o, "path");
		break;
	case VG_EV_SETNS:
		fd_fill(ev, o, "fd");
		ev->fd_name = rr_str(o, "namespace");
		break;
	case VG_EV_MEMFD_CREATE:
		fd_fill(ev, o, "fd");
		if ((name = rr_str(o, "name"))) {
			snprintf(buf, sizeof(buf), "memfd:%s", name);
			ev->fd_name = rr_store_put(rr, buf, strnlen(buf, sizeof(buf)));
		}
		ev->fd_typechar = 'm';
		break;
	case VG_EV_DUP:
		fd_fill(ev, o, "newfd");
		dup_target(rr, rr_get(o, "fd_target"), rr_str(o, "old_type"));
		break;
	default:
		break;
	}
}
