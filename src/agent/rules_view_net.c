// SPDX-License-Identifier: Apache-2.0
/*
 * The field accessors of rules_view.h, second half: the fd the event names, its socket's ends,
 * and the container and pod. Falco's semantics (libsinsp's fd filterchecks): fd.directory and
 * fd.filename only for files and directories, the server end of a socket is the local one for
 * accept, bind and listen, fd.ip, fd.port and fd.net match either end.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "rules_view_int.h"

/* Falco's fd type characters; an unknown one is 'o'. */
static const char typechars[] = "fd46upseimo";

/* Falco has no link or device fd types: what open gave for a symlink or a device is a file. */
static char fd_typechar(char c)
{
	if (c == 'l' || c == 'c' || c == 'b')
		return 'f';
	if (c && !strchr(typechars, c))
		return 'o';
	return c;
}

static const char *fd_type_name(char c)
{
	switch (c) {
	case 'f':
		return "file";
	case 'd':
		return "directory";
	case '4':
		return "ipv4";
	case '6':
		return "ipv6";
	case 'u':
		return "unix";
	case 'p':
		return "pipe";
	case 'e':
		return "event";
	case 's':
		return "signalfd";
	case 'i':
		return "inotify";
	case 'm':
		return "memfd";
	default:
		return NULL; /* Falco's <NA> */
	}
}

/* The directory of a file's path: up to the last '/', "/" for a file at the root, the path
 * itself when it ends with '/'; a directory's own path. */
static int fd_directory(const struct rv_event *ev, char tc, struct rv_val *out)
{
	const char *name = ev->fd_name, *slash;

	if (!name || (tc != 'f' && tc != 'd'))
		return 0;
	slash = strrchr(name, '/');
	if (tc == 'd' || (slash && slash[1] == '\0'))
		return rv_str(out, name);
	if (!slash || slash == name)
		return rv_strn(out, "/", 1);
	return rv_strn(out, name, (size_t)(slash - name));
}

/* The last component of a file's path (the path itself when it has no '/' or ends with one). */
static int fd_filename(const struct rv_event *ev, char tc, struct rv_val *out)
{
	const char *name = ev->fd_name, *slash;

	if (!name || tc != 'f')
		return 0;
	slash = strrchr(name, '/');
	return rv_str(out, slash && slash[1] ? slash + 1 : name);
}

int rv_fd_field(const struct rv_event *ev, enum rf_id id, struct rv_val *out)
{
	char tc = fd_typechar(ev->fd_typechar);

	switch (id) {
	case RF_FD_NUM:
		return ev->has_fd && rv_num(out, ev->fd);
	case RF_FD_NAME:
		return rv_str(out, ev->fd_name);
	case RF_FD_NAMERAW:
		return rv_str(out, ev->fd_nameraw);
	case RF_FD_DIRECTORY:
		return fd_directory(ev, tc, out);
	case RF_FD_FILENAME:
		return fd_filename(ev, tc, out);
	case RF_FD_TYPECHAR:
		return tc && rv_strn(out, strchr(typechars, tc), 1);
	case RF_FD_TYPE:
		return rv_str(out, fd_type_name(tc));
	default:
		return 0;
	}
}

static const char *l4proto_name(uint8_t p)
{
	switch (p) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return "icmp";
	case IPPROTO_RAW:
		return "raw";
	default:
		return NULL;
	}
}

static const char *family_name(int family)
{
	switch (family) {
	case AF_INET:
	case AF_INET6:
		return "ip";
	case AF_UNIX:
		return "unix";
	default:
		return NULL;
	}
}

/* An end's port (RF_NUM), or its address typed as the field is. */
static int end_value(const struct rv_end *e, const struct rf_field *f, bool port,
		     struct rv_val *out)
{
	if (port)
		return e->has_port && rv_num(out, e->port);
	return rv_ip(out, &e->ip, f->type);
}

/* fd.ip and the like asked for one value: the local end, else the remote one. */
static int either_end(const struct rv_event *ev, const struct rf_field *f, bool port,
		      struct rv_val *out)
{
	return end_value(&ev->local, f, port, out) || end_value(&ev->remote, f, port, out);
}

/* "10.0.0.1:80" or "::1:80" for one end; the any address when the address is unknown. */
static int end_text(const struct rv_end *e, int family, char *buf, size_t size)
{
	static const uint8_t any[16];
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, e->ip.family ? e->ip.addr : any, a,
		       sizeof(a)))
		return -EINVAL;
	return snprintf(buf, size, "%s:%u", a, e->port);
}

int rules_view__tuple(const struct rv_event *ev, char *buf, size_t size)
{
	const struct rv_end *s = ev->server_is_local ? &ev->local : &ev->remote;
	const struct rv_end *c = ev->server_is_local ? &ev->remote : &ev->local;
	int fam = s->ip.family ? s->ip.family : c->ip.family;
	char sb[INET6_ADDRSTRLEN + 8], cb[INET6_ADDRSTRLEN + 8];

	if (ev->type == VG_EV_SOCKET || !fam || end_text(s, fam, sb, sizeof(sb)) < 0)
		return -ENOENT;
	if (ev->type == VG_EV_BIND || ev->type == VG_EV_LISTEN)
		return snprintf(buf, size, "%s", sb);
	if (end_text(c, fam, cb, sizeof(cb)) < 0)
		return -ENOENT;
	return snprintf(buf, size, "%s->%s", cb, sb);
}

/*
 * The fd.*.name fields have no value here: in conditions the evaluator compares them with the
 * addresses the name resolves to (resolved once, at compile time: rules_eval_check.c), as
 * Falco does; as values, in outputs, they are absent (<NA>).
 */
/* clang-format off */
int rv_net_field(const struct rv_event *ev, const struct rf_field *f, struct rv_val *out)
{
	const struct rv_end *srv = ev->server_is_local ? &ev->local : &ev->remote;
	const struct rv_end *cli = ev->server_is_local ? &ev->remote : &ev->local;

	switch (f->id) {
	case RF_FD_L4PROTO:
		return rv_str(out, l4proto_name(ev->l4proto));
	case RF_FD_SOCKFAMILY:
		return rv_str(out, family_name(ev->sock_family));
	case RF_FD_CONNECTED:
		return ev->connected >= 0 && rv_bool(out, ev->connected);
	case RF_FD_NAME_CHANGED:
		return ev->name_changed >= 0 && rv_bool(out, ev->name_changed);
	case RF_FD_IP: case RF_FD_NET: case RF_FD_PORT:
		return either_end(ev, f, f->id == RF_FD_PORT, out);
	case RF_FD_SIP: case RF_FD_SNET: case RF_FD_SPORT:
		return end_value(srv, f, f->id == RF_FD_SPORT, out);
	case RF_FD_CIP: case RF_FD_CNET: case RF_FD_CPORT:
		return end_value(cli, f, f->id == RF_FD_CPORT, out);
	case RF_FD_LIP: case RF_FD_LNET: case RF_FD_LPORT:
		return end_value(&ev->local, f, f->id == RF_FD_LPORT, out);
	case RF_FD_RIP: case RF_FD_RNET: case RF_FD_RPORT:
		return end_value(&ev->remote, f, f->id == RF_FD_RPORT, out);
	default:
		return 0;
	}
}
/* clang-format on */

bool rv_net_each(const struct rv_event *ev, const struct rf_field *f,
		 bool (*fn)(const struct rv_val *v, void *arg), void *arg)
{
	const struct rv_end *ends[2] = {&ev->local, &ev->remote};
	struct rv_val v;

	for (int i = 0; i < 2; i++) {
		memset(&v, 0, sizeof(v));
		if (end_value(ends[i], f, f->id == RF_FD_PORT, &v) && fn(&v, arg))
			return true;
	}
	return false;
}

int rv_ctr_field(const struct rv_event *ev, enum rf_id id, const char *key, struct rv_val *out)
{
	const struct rv_lazy *l = &ev->lazy;

	switch (id) {
	case RF_CONTAINER_ID:
		return rv_str(out, ev->container_id);
	case RF_CONTAINER_NAME:
		return rv_str(out, ev->container_name);
	case RF_CONTAINER_IMAGE:
		return rv_str(out, ev->image);
	case RF_CONTAINER_IMAGE_REPOSITORY:
		return rv_str(out, ev->image_repository);
	case RF_CONTAINER_IMAGE_TAG:
		return rv_str(out, ev->image_tag);
	case RF_CONTAINER_IMAGE_DIGEST:
		return rv_str(out, ev->image_digest);
	case RF_CONTAINER_PRIVILEGED:
		return ev->privileged >= 0 && rv_bool(out, ev->privileged);
	case RF_K8S_NS_NAME:
		return rv_str(out, ev->k8s_ns);
	case RF_K8S_POD_NAME:
		return rv_str(out, ev->k8s_pod);
	case RF_K8S_POD_UID:
		return rv_str(out, ev->k8s_pod_uid);
	case RF_K8S_POD_LABEL:
		return key && l->pod_label && rv_str(out, l->pod_label(ev, key));
	case RF_K8S_POD_LABELS:
		return l->pod_labels && rv_str(out, l->pod_labels(ev));
	default:
		return 0;
	}
}
