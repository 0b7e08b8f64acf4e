/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The record-specific parts of the rule view (rules_view.h) on the live stream: the syscall's
 * result, the fd and what it is, socket ends, and evt.arg.NAME rendered as Falco renders
 * arguments. rules_live.c fills the process and pod parts first (agent_rules_view).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "agent.h"
#include "fd_table.h"
#include "flagnames.h"
#include "rules_live.h"
#include "rules_eval.h"
#include "sysnames.h"

/* Falco's fd.typechar for an inode mode. */
static char mode_typechar(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return 'd';
	case S_IFSOCK: return 'u'; /* refined by the socket's family where known */
	case S_IFIFO: return 'p';
	default: return 'f';
	}
}

static void common_sys(struct rv_event *v, const struct vg_sys *s)
{
	v->evt_name = sysname(s->nr);
	v->has_ret = true;
	v->ret = s->ret;
	v->error = s->ret < 0 && s->ret > -4096 ? strerrorname_np(-s->ret) : NULL;
	v->uid = s->uid;
	v->has_uid = true;
	v->cap_effective = s->cap_effective;
	v->cap_permitted = s->cap_permitted;
	v->has_caps = true;
}

/* A string of the record: a plain argument, cut at its NUL. */
const char *rl_str(const struct rv_event *v, const void *rec, const struct vg_str *s)
{
	const char *p = (const char *)rec + s->off;
	size_t n;
	char *out;

	if (!s->off)
		return NULL;
	n = strnlen(p, s->len);
	if ((out = rules_view__scratch(v, n + 1))) {
		memcpy(out, p, n);
		out[n] = 0;
	}
	return out;
}

const char *rl_num(const struct rv_event *v, long long n)
{
	char *out = rules_view__scratch(v, 24);

	if (out)
		snprintf(out, 24, "%lld", n);
	return out;
}

/* A flag set as Falco writes it (flagnames.c's flags_text), in the view's scratch. */
const char *rl_flags(const struct rv_event *v, void (*fn)(struct json_w *, uint64_t),
		     uint64_t flags)
{
	static struct json_w w;
	char buf[1024], *out;
	int n;

	if (!w.buf && json_init(&w, sizeof(buf)))
		return NULL;
	n = flags_text(&w, fn, flags, buf, sizeof(buf));
	if (n < 0 || !(out = rules_view__scratch(v, (size_t)n + 1)))
		return NULL;
	return memcpy(out, buf, (size_t)n + 1);
}

/* --- files --- */

static const char *file_arg(const struct rv_event *v, const char *name)
{
	const struct vg_file *f = v->arg_ctx;
	int t = f->hdr.type;

	if (!strcmp(name, "res"))
		return rl_num(v, f->sys.ret);
	if (!strcmp(name, "fd"))
		return f->fd >= 0 ? rl_num(v, f->fd) : NULL;
	if (!strcmp(name, "flags") && t == VG_EV_OPEN)
		return rl_flags(v, open_flags_json64, f->flags);
	if (!strcmp(name, "mode") && v->has_mode) {
		char *out = rules_view__scratch(v, 160);

		return out && file_mode_names(v->mode, out, 160) >= 0 ? out : NULL;
	}
	if (!strcmp(name, "name") || !strcmp(name, "path") || !strcmp(name, "filename") ||
	    !strcmp(name, "oldpath") || !strcmp(name, "linkpath"))
		return rl_str(v, f, &f->path);
	if (!strcmp(name, "newpath") || !strcmp(name, "target"))
		return rl_str(v, f, &f->path2);
	return NULL;
}

unsigned agent_rules_file(struct agent *a, const struct vg_file *f, const char *path,
			  const struct sys_ctx *cx)
{
	struct rv_event *v = agent_rules_view(a, &f->hdr, cx->pe, cx->cg);

	a->rules.enf_code = f->sys.enforce;
	common_sys(v, &f->sys);
	v->has_fd = f->fd >= 0;
	v->fd = f->fd;
	v->fd_name = path;
	v->fd_nameraw = rl_str(v, f, &f->path);
	v->fd_typechar = f->fflags & VG_FILE_RESOLVED ? mode_typechar(f->fdinfo.ino_mode) : 'f';
	if (f->hdr.type == VG_EV_OPEN) {
		v->has_open_flags = true;
		v->open_flags = f->flags;
	}
	v->has_mode = agent_file_mode(f, &v->mode);
	v->arg = file_arg;
	v->arg_ctx = f;
	return agent_rules_eval(a);
}

/* --- sockets --- */

char rl_family_typechar(int family)
{
	switch (family) {
	case AF_INET: return '4';
	case AF_INET6: return '6';
	case AF_UNIX: return 'u';
	default: return 'o';
	}
}

static void sock_end(struct rv_end *e, const struct vg_sockaddr *sa)
{
	if (sa->family != AF_INET && sa->family != AF_INET6)
		return;
	e->ip.family = sa->family == AF_INET ? 4 : 6;
	memcpy(e->ip.addr, sa->addr, 16);
	e->port = sa->port;
	e->has_port = true;
}

static uint8_t l4proto(uint16_t family, uint16_t type, uint16_t proto)
{
	if (family != AF_INET && family != AF_INET6)
		return 0;
	if (proto)
		return proto == IPPROTO_RAW ? 255 : (uint8_t)proto;
	if ((type & 0xf) == SOCK_STREAM)
		return IPPROTO_TCP;
	if ((type & 0xf) == SOCK_DGRAM)
		return IPPROTO_UDP;
	return (type & 0xf) == SOCK_RAW ? 255 : 0;
}

/* fd.name of an inet socket, in scratch (rules_view__tuple). */
static const char *tuple_name(struct rv_event *v)
{
	char buf[2 * INET6_ADDRSTRLEN + 24], *out;
	int n = rules_view__tuple(v, buf, sizeof(buf));

	if (n < 0 || (size_t)n >= sizeof(buf) || !(out = rules_view__scratch(v, (size_t)n + 1)))
		return NULL;
	return memcpy(out, buf, (size_t)n + 1);
}

/* A socket from the fd table (dup's target): family, protocol, ends and Falco's fd.name.
 * Returns true when that was an inet socket with a known tuple. The table knows which end is
 * the server when vigil saw the accept or connect; for a socket seeded from /proc, a listening
 * one, or one whose local port is below the ephemeral range and remote port in it, is taken
 * for the server's. */
bool rl_sock(struct rv_event *v, const struct fd_sock *s)
{
	v->sock_family = s->family;
	v->fd_typechar = rl_family_typechar(s->family);
	if (s->family != AF_INET && s->family != AF_INET6)
		return false;
	v->l4proto = l4proto(s->family, s->type, s->protocol);
	v->local.ip.family = v->remote.ip.family = s->family == AF_INET ? 4 : 6;
	memcpy(v->local.ip.addr, s->laddr, 16);
	memcpy(v->remote.ip.addr, s->raddr, 16);
	v->local.port = s->lport, v->remote.port = s->rport;
	v->local.has_port = v->remote.has_port = true;
	v->server_is_local = s->side ? s->side == FD_SIDE_SERVER
				     : s->listening || (s->lport < 32768 && s->rport >= 32768);
	v->fd_name = tuple_name(v);
	return v->fd_name != NULL;
}

static const char *net_arg(const struct rv_event *v, const char *name)
{
	const struct vg_net *n = v->arg_ctx;
	const char *s = NULL;

	if (!strcmp(name, "res"))
		return rl_num(v, n->sys.ret);
	if (!strcmp(name, "fd"))
		return n->fd >= 0 ? rl_num(v, n->fd) : NULL;
	if (!strcmp(name, "backlog") && n->hdr.type == VG_EV_LISTEN)
		return rl_num(v, (int)n->sys.args[1]);
	if (n->hdr.type != VG_EV_SOCKET)
		return NULL;
	if (!strcmp(name, "domain"))
		s = af_name(n->family);
	else if (!strcmp(name, "type"))
		s = sock_type_name(n->type);
	else if (!strcmp(name, "proto"))
		return rl_num(v, n->protocol);
	return s;
}

unsigned agent_rules_net(struct agent *a, const struct vg_net *n, const struct sys_ctx *cx)
{
	struct rv_event *v = agent_rules_view(a, &n->hdr, cx->pe, cx->cg);

	a->rules.enf_code = n->sys.enforce;
	int t = n->hdr.type;

	common_sys(v, &n->sys);
	v->has_fd = n->fd >= 0;
	v->fd = n->fd;
	v->sock_family = n->family;
	v->l4proto = l4proto(n->family, n->type, n->protocol);
	sock_end(&v->local, &n->local);
	sock_end(&v->remote, &n->remote);
	v->server_is_local = t == VG_EV_ACCEPT || t == VG_EV_BIND || t == VG_EV_LISTEN;
	v->connected = t == VG_EV_ACCEPT ? 1 : t == VG_EV_CONNECT ? n->sys.ret == 0 : -1;
	v->name_changed = t == VG_EV_CONNECT || t == VG_EV_BIND ? 1 : -1;
	v->fd_typechar = rl_family_typechar(n->family);
	if (n->family == AF_UNIX)
		v->fd_name = rl_str(v, n, &n->unix_path);
	else
		v->fd_name = tuple_name(v);
	v->arg = net_arg;
	v->arg_ctx = n;
	return agent_rules_eval(a);
}
