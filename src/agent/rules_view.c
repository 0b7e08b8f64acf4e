// SPDX-License-Identifier: Apache-2.0
/*
 * The field accessors of rules_view.h: Falco's fields read from an rv_event, with Falco's
 * semantics (libsinsp's filterchecks), one switch on the field's id dispatching to a group.
 * This file has the event, process, lineage and user fields; rules_view_net.c the fd,
 * network, container and pod ones.
 *
 * Nothing here allocates. A string that has to be built (proc.cmdline, the capability names)
 * goes into the view's scratch once per event and is kept in rv_event.built, since rules ask
 * for the same few fields again and again; when the scratch is used up the field is absent.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "flagnames.h"
#include "rules_evttype.h"
#include "rules_view_int.h"

/* rv_event.built slots */
enum { BUILT_CMDLINE0, BUILT_CMDLINE1, BUILT_ARGS, BUILT_CAPEFF, BUILT_CAPPRM, BUILT_RES };
_Static_assert(BUILT_RES < RV_BUILT_MAX, "a slot per built string");

/* What rv_proc gives for the lineage fields. */
enum rv_pwhat { PW_NAME, PW_EXE, PW_EXEPATH, PW_PID };

void rules_view__reset(struct rv_event *ev, char *scratch, size_t size)
{
	memset(ev, 0, sizeof(*ev));
	ev->scratch = scratch;
	ev->scratch_size = scratch ? size : 0;
	ev->connected = -1;
	ev->name_changed = -1;
	ev->privileged = -1;
}

/* The scratch and the built strings are the view's working memory while it is evaluated,
 * which reads it through a const pointer: they are the only parts written. */
char *rules_view__scratch(const struct rv_event *ev, size_t n)
{
	struct rv_event *w = (struct rv_event *)ev;
	char *p;

	if (!w->scratch || w->scratch_used > w->scratch_size ||
	    n > w->scratch_size - w->scratch_used)
		return NULL;
	p = w->scratch + w->scratch_used;
	w->scratch_used += n;
	return p;
}

static int built_get(const struct rv_event *ev, unsigned slot, struct rv_val *out)
{
	const struct rv_built *b = &ev->built[slot];

	return b->s ? rv_strn(out, b->s, b->len) : 0;
}

static int built_keep(const struct rv_event *ev, unsigned slot, const char *s, size_t len,
		      struct rv_val *out)
{
	struct rv_built *b = &((struct rv_event *)ev)->built[slot];

	b->s = s;
	b->len = len;
	return rv_strn(out, s, len);
}

/* The first Falco name of each vigil type, in RE_EVTTYPES order; but an open whose syscall
 * is not known is an openat, as libc's open() has been for years. */
static const struct {
	const char *name;
	int type;
} evt_names[] = {
#define RV_X_NAME(name, t, t2, note) {name, VG_EV_##t},
    RE_EVTTYPES(RV_X_NAME)
#undef RV_X_NAME
};

const char *rules_view__evt_name(const struct rv_event *ev)
{
	if (ev->evt_name)
		return ev->evt_name;
	if (ev->type == VG_EV_OPEN)
		return "openat";
	for (size_t i = 0; i < sizeof(evt_names) / sizeof(evt_names[0]); i++)
		if (evt_names[i].type == ev->type)
			return evt_names[i].name;
	return NULL;
}

const struct rv_proc *rules_view__proc(const struct rv_event *ev, unsigned level)
{
	const struct rv_proc *p = NULL;

	if (level == 0)
		p = &ev->proc;
	else if (level == 1 && ev->parent.known)
		p = &ev->parent;
	else if (level < RV_ANC_MAX && ev->lazy.ancestor)
		p = ev->lazy.ancestor(ev, level);
	return p && p->known ? p : NULL;
}

/* --- the process and its lineage --- */

/* argv[0]'s length (within args_len); false when p has no argv. */
static bool proc_argv0(const struct rv_proc *p, size_t *len)
{
	if (!p->args || !p->args_len)
		return false;
	*len = strnlen(p->args, p->args_len);
	return true;
}

/* argv[1..] as stored, NUL separated, without the last one's NUL; false when there is none.
 * One empty argument is a present rest of length 0. */
static bool proc_argv_rest(const struct rv_proc *p, const char **s, size_t *len)
{
	size_t a0;

	if (!proc_argv0(p, &a0) || a0 + 1 >= p->args_len)
		return false;
	*s = p->args + a0 + 1;
	*len = p->args_len - a0 - 1;
	if ((*s)[*len - 1] == '\0')
		(*len)--;
	return true;
}

/* n bytes of NUL separated arguments, space separated. */
static void join_args(char *dst, const char *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i] ? src[i] : ' ';
}

/* Falco's proc.cmdline: comm, then each argument after argv[0] after a space. Without argv,
 * comm alone. */
static int proc_cmdline(const struct rv_event *ev, const struct rv_proc *p, unsigned slot,
			struct rv_val *out)
{
	const char *rest;
	size_t rlen, clen;
	char *buf;

	if (!p || !p->comm)
		return 0;
	if (built_get(ev, slot, out))
		return 1;
	clen = strlen(p->comm);
	if (!proc_argv_rest(p, &rest, &rlen))
		return rv_strn(out, p->comm, clen);
	buf = rules_view__scratch(ev, clen + 1 + rlen + 1);
	if (!buf)
		return 0;
	memcpy(buf, p->comm, clen);
	buf[clen] = ' ';
	join_args(buf + clen + 1, rest, rlen);
	buf[clen + 1 + rlen] = '\0';
	return built_keep(ev, slot, buf, clen + 1 + rlen, out);
}

/* proc.args: the arguments after argv[0], space separated; "" when there are none, absent
 * when argv is not known. */
static int proc_args(const struct rv_event *ev, const struct rv_proc *p, struct rv_val *out)
{
	const char *rest;
	size_t rlen, a0;
	char *buf;

	if (!p || !proc_argv0(p, &a0))
		return 0;
	if (!proc_argv_rest(p, &rest, &rlen))
		return rv_strn(out, "", 0);
	if (built_get(ev, BUILT_ARGS, out))
		return 1;
	buf = rules_view__scratch(ev, rlen + 1);
	if (!buf)
		return 0;
	join_args(buf, rest, rlen);
	buf[rlen] = '\0';
	return built_keep(ev, BUILT_ARGS, buf, rlen, out);
}

static int proc_value(const struct rv_proc *p, enum rv_pwhat what, struct rv_val *out)
{
	size_t len;

	if (!p)
		return 0;
	switch (what) {
	case PW_NAME:
		return rv_str(out, p->comm);
	case PW_EXE:
		return proc_argv0(p, &len) && rv_strn(out, p->args, len);
	case PW_EXEPATH:
		return rv_str(out, p->exepath);
	case PW_PID:
		return rv_num(out, p->pid);
	}
	return 0;
}

/* The process's own fields (level 0), and thread.tid. */
static int proc_field(const struct rv_event *ev, enum rf_id id, struct rv_val *out)
{
	const struct rv_proc *p = rules_view__proc(ev, 0);

	switch (id) {
	case RF_PROC_NAME:
		return proc_value(p, PW_NAME, out);
	case RF_PROC_EXE:
		return proc_value(p, PW_EXE, out);
	case RF_PROC_EXEPATH:
		return proc_value(p, PW_EXEPATH, out);
	case RF_PROC_PID:
		return proc_value(p, PW_PID, out);
	case RF_PROC_CMDLINE:
		return proc_cmdline(ev, p, BUILT_CMDLINE0, out);
	case RF_PROC_ARGS:
		return proc_args(ev, p, out);
	case RF_PROC_PPID:
		return p && rv_num(out, p->ppid);
	case RF_PROC_TTY:
		return p && rv_num(out, p->tty);
	case RF_PROC_CWD:
		return p && rv_str(out, p->cwd);
	case RF_PROC_IS_EXE_FROM_MEMFD:
		return p && rv_bool(out, p->memfd);
	case RF_PROC_IS_EXE_UPPER_LAYER:
		return p && rv_bool(out, p->exe_upper);
	case RF_PROC_DURATION:
		return p && p->start_ns && ev->boot_ns >= p->start_ns &&
		       rv_num(out, (int64_t)(ev->boot_ns - p->start_ns));
	case RF_THREAD_TID:
		return ev->tid && rv_num(out, ev->tid);
	default:
		return 0;
	}
}

static int parent_field(const struct rv_event *ev, enum rf_id id, struct rv_val *out)
{
	const struct rv_proc *p = rules_view__proc(ev, 1);

	switch (id) {
	case RF_PROC_PNAME:
		return proc_value(p, PW_NAME, out);
	case RF_PROC_PEXE:
		return proc_value(p, PW_EXE, out);
	case RF_PROC_PEXEPATH:
		return proc_value(p, PW_EXEPATH, out);
	case RF_PROC_PCMDLINE:
		return proc_cmdline(ev, p, BUILT_CMDLINE1, out);
	default:
		return 0;
	}
}

static enum rv_pwhat anc_what(enum rf_id id)
{
	switch (id) {
	case RF_PROC_APID:
		return PW_PID;
	case RF_PROC_AEXE:
		return PW_EXE;
	case RF_PROC_AEXEPATH:
		return PW_EXEPATH;
	default:
		return PW_NAME;
	}
}

/* The level an ancestor field's argument names ("2"); -1 beyond what a view answers. */
static int anc_level(const char *key)
{
	unsigned n = 0;

	if (!*key)
		return -1;
	for (; *key; key++) {
		if (*key < '0' || *key > '9' || n >= RV_ANC_MAX)
			return -1;
		n = n * 10 + (unsigned)(*key - '0');
	}
	return n < RV_ANC_MAX ? (int)n : -1;
}

/* proc.aname[N] and the like; without [N] the process itself, as Falco's outputs show it. */
static int anc_field(const struct rv_event *ev, enum rf_id id, const char *key, struct rv_val *out)
{
	int level = key ? anc_level(key) : 0;

	return level >= 0 && proc_value(rules_view__proc(ev, (unsigned)level), anc_what(id), out);
}

/* proc.aname without [N] in a condition: every known ancestor, parent first, up to the first
 * level the view does not know. */
static bool anc_each(const struct rv_event *ev, enum rf_id id,
		     bool (*fn)(const struct rv_val *v, void *arg), void *arg)
{
	struct rv_val v;

	for (unsigned level = 1; level < RV_ANC_MAX; level++) {
		const struct rv_proc *p = rules_view__proc(ev, level);

		if (!p)
			break;
		memset(&v, 0, sizeof(v));
		if (proc_value(p, anc_what(id), &v) && fn(&v, arg))
			return true;
	}
	return false;
}

/* --- user, group, capabilities --- */

static int user_field(const struct rv_event *ev, enum rf_id id, struct rv_val *out)
{
	const struct rv_proc *p = rules_view__proc(ev, 0);
	bool creds = p && p->has_creds, has_uid = ev->has_uid || creds;
	uint32_t uid = ev->has_uid ? ev->uid : creds ? p->uid : 0;

	switch (id) {
	case RF_USER_UID:
		return has_uid && rv_num(out, uid);
	case RF_USER_NAME:
		return has_uid && ev->lazy.user_name && rv_str(out, ev->lazy.user_name(ev, uid));
	case RF_USER_LOGINUID:
		return creds && rv_num(out, p->auid == UINT32_MAX ? -1 : (int64_t)p->auid);
	case RF_GROUP_GID:
		return creds && rv_num(out, p->gid);
	case RF_GROUP_NAME:
		return creds && ev->lazy.group_name && rv_str(out, ev->lazy.group_name(ev, p->gid));
	default:
		return 0;
	}
}

/* Falco's rendering of a capability set: the names of its bits, lowest first, space
 * separated ("" for none). Bits above the last capability vigil names are left out. */
static int caps_field(const struct rv_event *ev, uint64_t caps, unsigned slot, struct rv_val *out)
{
	const char *name;
	size_t n = 0, len;
	char *buf;

	if (!ev->has_caps)
		return 0;
	if (built_get(ev, slot, out))
		return 1;
	for (unsigned i = 0; (name = cap_name(i)); i++)
		if (caps >> i & 1)
			n += strlen(name) + 1;
	if (!n)
		return rv_strn(out, "", 0);
	buf = rules_view__scratch(ev, n);
	if (!buf)
		return 0;
	n = 0;
	for (unsigned i = 0; (name = cap_name(i)); i++) {
		if (!(caps >> i & 1))
			continue;
		if (n)
			buf[n++] = ' ';
		len = strlen(name);
		memcpy(buf + n, name, len);
		n += len;
	}
	buf[n] = '\0';
	return built_keep(ev, slot, buf, n, out);
}

/* --- the event --- */

/* The errno name of a failed call; SUCCESS otherwise, as Falco's evt.res. */
static int evt_res(const struct rv_event *ev, struct rv_val *out)
{
	if (!ev->has_ret)
		return 0;
	if (ev->error && *ev->error)
		return rv_str(out, ev->error);
	if (ev->ret < 0 && ev->ret >= -4095)
		return rv_str(out, strerrorname_np((int)-ev->ret));
	return rv_str(out, "SUCCESS");
}

/* Falco answers these for every event: false unless an open's flags say so. */
static int evt_open(const struct rv_event *ev, enum rf_id id, struct rv_val *out)
{
	uint32_t f = ev->has_open_flags ? ev->open_flags : 0, acc = f & O_ACCMODE;
	bool creat = (f & O_CREAT) || (f & O_TMPFILE) == O_TMPFILE;

	if (!ev->has_open_flags)
		return rv_bool(out, false);
	if (id == RF_EVT_IS_OPEN_READ)
		return rv_bool(out, acc == O_RDONLY || acc == O_RDWR);
	if (id == RF_EVT_IS_OPEN_WRITE)
		return rv_bool(out, acc == O_WRONLY || acc == O_RDWR);
	return rv_bool(out, creat && ev->has_mode && (ev->mode & 0111));
}

/* evt.arg.NAME from the producer; evt.arg.res is the return value when it has none. */
static int evt_arg(const struct rv_event *ev, const char *key, struct rv_val *out)
{
	const char *v;
	char *buf;
	int n;

	if (!key)
		return 0;
	if (ev->arg && (v = ev->arg(ev, key)))
		return rv_str(out, v);
	if (strcmp(key, "res") != 0 || !ev->has_ret)
		return 0;
	if (built_get(ev, BUILT_RES, out))
		return 1;
	buf = rules_view__scratch(ev, 24);
	if (!buf)
		return 0;
	n = snprintf(buf, 24, "%" PRId64, ev->ret);
	return built_keep(ev, BUILT_RES, buf, (size_t)n, out);
}

static int evt_field(const struct rv_event *ev, enum rf_id id, const char *key, struct rv_val *out)
{
	switch (id) {
	case RF_EVT_TYPE:
		return rv_str(out, rules_view__evt_name(ev));
	case RF_EVT_DIR:
		return rv_strn(out, "<", 1);
	case RF_EVT_NUM:
		return rv_num(out, (int64_t)ev->num);
	case RF_EVT_RES:
		return evt_res(ev, out);
	case RF_EVT_RAWRES:
		return ev->has_ret && rv_num(out, ev->ret);
	case RF_EVT_FAILED:
		return ev->has_ret && rv_bool(out, ev->ret < 0);
	case RF_EVT_IS_OPEN_READ:
	case RF_EVT_IS_OPEN_WRITE:
	case RF_EVT_IS_OPEN_EXEC:
		return evt_open(ev, id, out);
	case RF_EVT_ARG:
		return evt_arg(ev, key, out);
	default:
		return 0;
	}
}

/* --- dispatch --- */

/* The cases are grouped by the function that answers them, one group a paragraph. */
/* clang-format off */
int rules_view__get(const struct rv_event *ev, const struct rf_field *f, const char *key,
		    struct rv_val *out)
{
	memset(out, 0, sizeof(*out));
	switch (f->id) {
	case RF_EVT_TYPE: case RF_EVT_DIR: case RF_EVT_NUM: case RF_EVT_RES: case RF_EVT_RAWRES:
	case RF_EVT_FAILED: case RF_EVT_IS_OPEN_READ: case RF_EVT_IS_OPEN_WRITE:
	case RF_EVT_IS_OPEN_EXEC: case RF_EVT_ARG:
		return evt_field(ev, f->id, key, out);
	case RF_PROC_NAME: case RF_PROC_EXE: case RF_PROC_EXEPATH: case RF_PROC_CMDLINE:
	case RF_PROC_ARGS: case RF_PROC_PID: case RF_PROC_PPID: case RF_PROC_TTY: case RF_PROC_CWD:
	case RF_PROC_DURATION: case RF_PROC_IS_EXE_FROM_MEMFD: case RF_PROC_IS_EXE_UPPER_LAYER:
	case RF_THREAD_TID:
		return proc_field(ev, f->id, out);
	case RF_PROC_PNAME: case RF_PROC_PEXE: case RF_PROC_PEXEPATH: case RF_PROC_PCMDLINE:
		return parent_field(ev, f->id, out);
	case RF_PROC_ANAME: case RF_PROC_APID: case RF_PROC_AEXE: case RF_PROC_AEXEPATH:
		return anc_field(ev, f->id, key, out);
	case RF_THREAD_CAP_EFFECTIVE:
		return caps_field(ev, ev->cap_effective, BUILT_CAPEFF, out);
	case RF_THREAD_CAP_PERMITTED:
		return caps_field(ev, ev->cap_permitted, BUILT_CAPPRM, out);
	case RF_USER_UID: case RF_USER_NAME: case RF_USER_LOGINUID: case RF_GROUP_GID:
	case RF_GROUP_NAME:
		return user_field(ev, f->id, out);
	case RF_FD_NUM: case RF_FD_NAME: case RF_FD_NAMERAW: case RF_FD_DIRECTORY:
	case RF_FD_FILENAME: case RF_FD_TYPECHAR: case RF_FD_TYPE:
		return rv_fd_field(ev, f->id, out);
	case RF_FD_L4PROTO: case RF_FD_SOCKFAMILY: case RF_FD_CONNECTED: case RF_FD_NAME_CHANGED:
	case RF_FD_IP: case RF_FD_PORT: case RF_FD_NET: case RF_FD_SIP: case RF_FD_SPORT:
	case RF_FD_SNET: case RF_FD_CIP: case RF_FD_CPORT: case RF_FD_CNET: case RF_FD_LIP:
	case RF_FD_LPORT: case RF_FD_LNET: case RF_FD_RIP: case RF_FD_RPORT: case RF_FD_RNET:
	case RF_FD_SIP_NAME: case RF_FD_CIP_NAME: case RF_FD_LIP_NAME: case RF_FD_RIP_NAME:
		return rv_net_field(ev, f, out);
	case RF_CONTAINER_ID: case RF_CONTAINER_NAME: case RF_CONTAINER_IMAGE:
	case RF_CONTAINER_IMAGE_REPOSITORY: case RF_CONTAINER_IMAGE_TAG:
	case RF_CONTAINER_IMAGE_DIGEST: case RF_CONTAINER_PRIVILEGED: case RF_K8S_NS_NAME:
	case RF_K8S_POD_NAME: case RF_K8S_POD_UID: case RF_K8S_POD_LABEL: case RF_K8S_POD_LABELS:
		return rv_ctr_field(ev, f->id, key, out);
	case RF_MAX:
		break;
	}
	return 0;
}
/* clang-format on */

bool rules_view__each(const struct rv_event *ev, const struct rf_field *f, const char *key,
		      bool (*fn)(const struct rv_val *v, void *arg), void *arg)
{
	struct rv_val v;

	switch (f->id) {
	case RF_PROC_ANAME:
	case RF_PROC_APID:
	case RF_PROC_AEXE:
	case RF_PROC_AEXEPATH:
		if (!key)
			return anc_each(ev, f->id, fn, arg);
		break;
	case RF_FD_IP:
	case RF_FD_PORT:
	case RF_FD_NET:
		return rv_net_each(ev, f, fn, arg);
	default:
		break;
	}
	return rules_view__get(ev, f, key, &v) && fn(&v, arg);
}

size_t rules_view__format(const struct rv_val *v, char *buf, size_t size)
{
	char tmp[INET6_ADDRSTRLEN];
	const char *s = tmp;
	size_t len = 0;

	if (!size)
		return 0;
	tmp[0] = '\0';
	switch (v->type) {
	case RF_STR:
	case RF_BYTES:
		s = v->s ? v->s : "";
		len = v->s ? v->len : 0;
		break;
	case RF_NUM:
		len = (size_t)snprintf(tmp, sizeof(tmp), "%" PRId64, v->n);
		break;
	case RF_BOOL:
		s = v->n ? "true" : "false";
		len = strlen(s);
		break;
	case RF_IPADDR:
	case RF_IPNET:
		if (v->ip.family == 4 || v->ip.family == 6)
			inet_ntop(v->ip.family == 6 ? AF_INET6 : AF_INET, v->ip.addr, tmp,
				  sizeof(tmp));
		len = strlen(tmp);
		break;
	}
	if (len > size - 1)
		len = size - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return len;
}
