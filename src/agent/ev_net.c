/* SPDX-License-Identifier: Apache-2.0 */
/* Network events: validate, keep the fd table current, write the "socket", "local",
 * "remote", "tcp" and "dns" members (docs/events.md; member names are a contract). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <arpa/inet.h>

#include "agent.h"
#include "dns.h"
#include "flagnames.h"

/* Which end of the record the unix path names: the peer for connect, otherwise the
 * socket itself (bind, listen, and accept, which carries its listener's name). */
enum end { END_LOCAL, END_REMOTE };

static int check_net(const struct vg_net *n, size_t size)
{
	if (agent_check_str(&n->unix_path, sizeof(*n), size) ||
	    agent_check_str(&n->payload, sizeof(*n), size))
		return -EINVAL;
	return 0;
}

/* A protocol number means something only within its family. */
static void protocol_member(struct json_w *w, uint16_t family, uint16_t protocol)
{
	json_key(w, "protocol");
	if (family == AF_INET || family == AF_INET6)
		enum_json(w, inet_proto_name(protocol), protocol);
	else if (family == AF_PACKET) /* an ethertype, in network order */
		enum_json(w, NULL, ntohs(protocol));
	else
		enum_json(w, NULL, protocol);
}

/* socket(2) and accept4(2) say whether the new fd is non-blocking and close-on-exec. */
static bool new_fd_flags(const struct vg_net *n, uint64_t *flags)
{
	if (n->hdr.type == VG_EV_SOCKET) {
		*flags = n->sys.args[1];
		return true;
	}
	if (n->hdr.type == VG_EV_ACCEPT) {
		*flags = n->sys.nr == __NR_accept4 ? n->sys.args[3] : 0;
		return true;
	}
	return false;
}

static void socket_object(struct json_w *w, const struct vg_net *n)
{
	uint64_t flags;

	json_key(w, "socket");
	json_obj_begin(w);
	json_ki64(w, "fd", n->fd);
	json_key(w, "family");
	enum_json(w, af_name(n->family), n->family);
	json_key(w, "type");
	enum_json(w, sock_type_name(n->type), n->type);
	protocol_member(w, n->family, n->protocol);
	if (new_fd_flags(n, &flags)) {
		json_kbool(w, "nonblock", !!(flags & SOCK_NONBLOCK));
		json_kbool(w, "cloexec", !!(flags & SOCK_CLOEXEC));
	}
	json_obj_end(w);
}

static void unix_members(struct json_w *w, const struct vg_net *n)
{
	const char *p = (const char *)n + n->unix_path.off;
	size_t len = n->unix_path.off ? n->unix_path.len : 0;
	bool abstract = n->nflags & VG_NET_UNIX_ABSTRACT;

	json_key(w, "path");
	/* an abstract name is raw bytes (NULs included); a path ends at its first NUL */
	json_strn(w, len ? p : "", abstract ? len : strnlen(p, len));
	json_kbool(w, "abstract", abstract);
}

static void endpoint(struct json_w *w, const char *key, const struct vg_net *n,
		     const struct vg_sockaddr *sa, bool has_path)
{
	char text[64];

	json_key(w, key);
	if (!sa->family) { /* the address could not be read */
		json_null(w);
		return;
	}
	json_obj_begin(w);
	json_key(w, "family");
	enum_json(w, af_name(sa->family), sa->family);
	if (sa->family == AF_INET || sa->family == AF_INET6) {
		if (ip_format(sa->family, sa->addr, text, sizeof(text)) < 0)
			text[0] = 0;
		json_kstr(w, "address", text);
		json_ku64(w, "port", sa->port);
		if (sa->family == AF_INET6)
			json_ku64(w, "scope_id", sa->scope_id);
	} else if (sa->family == AF_UNIX && has_path) {
		unix_members(w, n);
	} else if (sa->family == AF_UNIX) { /* an unnamed end */
		json_kstr(w, "path", "");
		json_kbool(w, "abstract", false);
	}
	json_obj_end(w);
}

/* Which endpoints a record type has. */
static void endpoints(struct json_w *w, const struct vg_net *n)
{
	bool unix_remote = n->hdr.type == VG_EV_CONNECT;

	switch (n->hdr.type) {
	case VG_EV_SOCKET:
		return;
	case VG_EV_BIND:
	case VG_EV_LISTEN:
		endpoint(w, "local", n, &n->local, !unix_remote);
		return;
	default:
		endpoint(w, "local", n, &n->local, !unix_remote);
		endpoint(w, "remote", n, &n->remote, unix_remote);
	}
}

static void tcp_object(struct json_w *w, const struct vg_net *n)
{
	json_key(w, "tcp");
	json_obj_begin(w);
	json_key(w, "old_state");
	enum_json(w, tcp_state_name(n->old_state), n->old_state);
	json_key(w, "new_state");
	enum_json(w, tcp_state_name(n->new_state), n->new_state);
	json_obj_end(w);
}

/* dns_msg holds 16 answers of 2 KiB each: too large for the stack of a callback that runs for
 * every record, and the agent handles one record at a time. */
static struct dns_msg dns_scratch;

static void dns_answers(struct json_w *w, const struct dns_msg *m)
{
	json_key(w, "answers");
	json_arr_begin(w);
	for (unsigned i = 0; i < m->nanswers && i < DNS_MAX_ANSWERS; i++) {
		const struct dns_answer *an = &m->answers[i];

		json_obj_begin(w);
		json_kstr(w, "name", an->name);
		json_key(w, "type");
		enum_json(w, dns_type_name(an->type), an->type);
		json_ku64(w, "ttl", an->ttl);
		json_kstr(w, "data", an->data);
		json_obj_end(w);
	}
	json_arr_end(w);
}

static void dns_object(struct json_w *w, const struct vg_net *n)
{
	const char *why = "no message captured";
	struct dns_msg *m = &dns_scratch;
	int err = -EINVAL;

	json_key(w, "dns");
	json_obj_begin(w);
	json_kstr(w, "direction", n->nflags & VG_NET_DNS_ANSWER ? "answer" : "query");
	if (n->payload.off && n->payload.len)
		err = dns_parse((const uint8_t *)n + n->payload.off, n->payload.len, m, &why);
	if (err) {
		json_kstr(w, "error", why ? why : "malformed message");
		json_obj_end(w);
		return;
	}
	json_ku64(w, "id", m->id);
	json_key(w, "rcode");
	enum_json(w, dns_rcode_name(m->rcode), m->rcode);
	json_kstr(w, "name", m->has_question ? m->qname : "");
	json_key(w, "qtype");
	if (m->has_question)
		enum_json(w, dns_type_name(m->qtype), m->qtype);
	else
		json_null(w);
	dns_answers(w, m);
	json_kbool(w, "truncated", m->cut || (n->payload.flags & VG_STR_TRUNCATED));
	json_obj_end(w);
}

/* Tell the fd table about a socket fd the syscall made or gave an address, also when its
 * type is not written (--events): a later event may name the fd. */
static void track_fd(struct agent *a, const struct vg_net *n)
{
	uint64_t flags = 0;

	if (n->fd < 0 || (n->sys.ret < 0 && n->sys.ret != -EINPROGRESS))
		return;
	switch (n->hdr.type) {
	case VG_EV_SOCKET:
	case VG_EV_ACCEPT:
	case VG_EV_CONNECT:
	case VG_EV_BIND:
	case VG_EV_LISTEN:
		/* the others leave close-on-exec alone, and the record does not carry it */
		new_fd_flags(n, &flags);
		agent_fd_socket(a, n->hdr.tgid, n->fd, n, !!(flags & SOCK_CLOEXEC));
		break;
	default:
		break;
	}
}

int agent_on_net(struct agent *a, const struct vg_net *n, size_t size)
{
	struct json_w *w = &a->json;
	struct sys_ctx cx;

	if (check_net(n, size))
		return -EINVAL;
	track_fd(a, n);
	if (!agent_type_handled(a, n->hdr.type))
		return 0;
	agent_sys_context(a, &n->hdr, &n->sys, &cx);
	if (agent_rules_want(a, n->hdr.type))
		agent_rules_net(a, n, &cx);
	if (!agent_line_needed(a, n->hdr.type))
		return 0;
	agent_begin_sys(a, &n->hdr, &n->sys, cx.pe, cx.cg);
	socket_object(w, n);
	endpoints(w, n);
	if (n->hdr.type == VG_EV_LISTEN)
		json_ki64(w, "backlog", (int)n->sys.args[1]);
	if (n->hdr.type == VG_EV_TCP_STATE)
		tcp_object(w, n);
	if (n->hdr.type == VG_EV_DNS)
		dns_object(w, n);
	return agent_write_line(a, n->hdr.type);
}
