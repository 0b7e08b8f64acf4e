// SPDX-License-Identifier: Apache-2.0
/*
 * Recorded event lines back into event views (rules_replay.h): parsing and the members every
 * event has (time, syscall, process, parent, container, pod). The members of each kind of event
 * are in rules_replay_ev.c, evt.arg in rules_replay_arg.c, lineage in rules_replay_lin.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_replay_int.h"

static const char *const type_names[VG_EV_MAX] = {
#define RR_X_NAME(name, val, str, layout) [val] = str,
    VG_EVENT_TYPES(RR_X_NAME)
#undef RR_X_NAME
};

static int type_of(const char *name)
{
	for (int t = 1; t < VG_EV_MAX; t++)
		if (type_names[t] && !strcmp(type_names[t], name))
			return t;
	return VG_EV_NONE;
}

int rules_replay__new(const struct rules_replay_opts *opts, struct rules_replay **out)
{
	size_t cap = opts && opts->lineage_cap ? opts->lineage_cap : RR_LINEAGE_CAP;
	size_t bytes = opts && opts->lineage_bytes ? opts->lineage_bytes : RR_LINEAGE_BYTES;
	struct rules_replay *rp;

	*out = NULL;
	if (cap > UINT32_MAX / 2)
		return -EINVAL;
	rp = calloc(1, sizeof(*rp));
	if (!rp)
		return -ENOMEM;
	rp->tok = json_tokener_new();
	rp->flags = rr_flagw__new();
	if (!rp->tok || !rp->flags || rr_lineage__init(rp, cap, bytes)) {
		rules_replay__free(rp);
		return -ENOMEM;
	}
	*out = rp;
	return 0;
}

void rules_replay__free(struct rules_replay *rp)
{
	if (!rp)
		return;
	if (rp->tok)
		json_tokener_free(rp->tok);
	rr_flagw__free(rp->flags);
	rr_lineage__free(rp);
	free(rp);
}

/* Count a bad line and say why, with its number; the first few are kept for a summary. */
static int bad(struct rules_replay *rp, const char *fmt, ...)
{
	char msg[RR_ERROR_LEN - 32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(rp->last_error, sizeof(rp->last_error), "line %llu: %s",
		 (unsigned long long)rp->st.lines, msg);
	if (rp->st.bad < RR_ERRORS_KEPT)
		memcpy(rp->errors[rp->st.bad], rp->last_error, sizeof(rp->last_error));
	rp->st.bad++;
	return -EINVAL;
}

void rules_replay__put(struct json_object *obj)
{
	json_object_put(obj);
}

void rules_replay__bad_line(struct rules_replay *rp, const char *why)
{
	rp->st.lines++;
	bad(rp, "%s", why);
}

const char *rules_replay__last_error(const struct rules_replay *rp)
{
	return rp->last_error;
}

const char *rules_replay__error(const struct rules_replay *rp, size_t i)
{
	return i < RR_ERRORS_KEPT && i < rp->st.bad ? rp->errors[i] : NULL;
}

static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* The line's type, checked: an event type vigil knows, or stats (1). */
static int check_type(struct rules_replay *rp, struct json_object *obj)
{
	struct json_object *t = rr_get(obj, "type");

	if (!json_object_is_type(obj, json_type_object))
		return bad(rp, "not a JSON object");
	if (!t)
		return bad(rp, "no \"type\" member");
	if (!json_object_is_type(t, json_type_string))
		return bad(rp, "\"type\" is not a string");
	if (!strcmp(json_object_get_string(t), "stats"))
		return 1;
	if (type_of(json_object_get_string(t)) == VG_EV_NONE)
		return bad(rp, "unknown event type '%.64s'", json_object_get_string(t));
	return 0;
}

int rules_replay__parse(struct rules_replay *rp, const char *line, size_t len,
			struct json_object **out)
{
	struct json_object *obj;
	enum json_tokener_error jerr;
	int ret;

	*out = NULL;
	rp->st.lines++;
	if (blank(line, len)) {
		rp->st.stats_lines++;
		return 1;
	}
	if (len > INT32_MAX)
		return bad(rp, "line too long");
	json_tokener_reset(rp->tok);
	obj = json_tokener_parse_ex(rp->tok, line, (int)len);
	jerr = json_tokener_get_error(rp->tok);
	if (!obj || jerr != json_tokener_success)
		ret = bad(rp, "not JSON: %s",
			  json_tokener_error_desc(
			      jerr == json_tokener_success ? json_tokener_continue : jerr));
	else if (!blank(line + rp->tok->char_offset, len - rp->tok->char_offset))
		ret = bad(rp, "not JSON: text after the object at byte %d", rp->tok->char_offset);
	else
		ret = check_type(rp, obj);
	if (ret) {
		if (ret == 1)
			rp->st.stats_lines++;
		json_object_put(obj);
		return ret;
	}
	rp->st.events++;
	*out = obj;
	return 0;
}

const char *rr_store_put(struct rr_event *rr, const char *s, size_t n)
{
	char *p;

	if (!rr->store || rr->store_size - rr->store_used < n + 1) {
		rr->rp->st.store_full++;
		return NULL;
	}
	p = rr->store + rr->store_used;
	memcpy(p, s, n);
	p[n] = '\0';
	rr->store_used += n + 1;
	return p;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* n decimal digits at s, or -1 */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* The fraction and zone after the seconds: ".123456789Z", "Z", "+02:00". */
static int time_tail(const char *s, int64_t *ns, int64_t *offset_s)
{
	int64_t scale = 100000000;
	int hh, mm;

	*ns = 0;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10)
			*ns += (*s - '0') * scale;
	}
	*offset_s = 0;
	if ((*s == 'Z' || *s == 'z') && !s[1])
		return 0;
	if ((*s != '+' && *s != '-') || (hh = digits(s + 1, 2)) < 0 || s[3] != ':' ||
	    (mm = digits(s + 4, 2)) < 0 || s[6])
		return -EINVAL;
	*offset_s = (*s == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
	return 0;
}

int rr_time_ns(const char *s, uint64_t *out)
{
	int y, mo, d, h, mi, se;
	int64_t ns, off, t;

	if (!s || strlen(s) < 20 || (y = digits(s, 4)) < 1970 || s[4] != '-' ||
	    (mo = digits(s + 5, 2)) < 1 || mo > 12 || s[7] != '-' || (d = digits(s + 8, 2)) < 1 ||
	    d > 31 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    (h = digits(s + 11, 2)) < 0 || h > 23 || s[13] != ':' || (mi = digits(s + 14, 2)) < 0 ||
	    mi > 59 || s[16] != ':' || (se = digits(s + 17, 2)) < 0 || se > 60 ||
	    time_tail(s + 19, &ns, &off))
		return -EINVAL;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
	if (t < 0)
		return -EINVAL;
	*out = (uint64_t)t * 1000000000u + (uint64_t)ns;
	return 0;
}

/* argv as the view wants it: NUL separated, in the store. */
static void args_fill(struct rr_event *rr, struct json_object *arr, struct rv_proc *p)
{
	size_t n = json_object_array_length(arr), start = rr->store_used, len = 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(arr, i);
		size_t alen = json_object_is_type(a, json_type_string)
				  ? (size_t)json_object_get_string_len(a)
				  : 0;

		if (len + alen + 1 > RR_ARGS_MAX ||
		    !rr_store_put(rr, alen ? json_object_get_string(a) : "", alen))
			break; /* cut, as the kernel cuts a long argv */
		len += alen + 1;
	}
	p->args = len ? rr->store + start : NULL;
	p->args_len = (uint32_t)len;
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

void rr_proc_fill(struct rr_event *rr, struct json_object *o, struct rv_proc *p)
{
	struct json_object *args = rr_get(o, "arguments");
	int64_t v;

	if (!json_object_is_type(o, json_type_object) || rr_bool(o, "unknown") == 1)
		return;
	p->known = true;
	if (rr_int(o, "pid", &v))
		p->pid = (uint32_t)v;
	if (rr_int(o, "ppid", &v))
		p->ppid = (uint32_t)v;
	p->comm = rr_str(o, "comm");
	p->exepath = nonempty(rr_str(o, "binary"));
	if (json_object_is_type(args, json_type_array))
		args_fill(rr, args, p);
	p->cwd = nonempty(rr_str(o, "cwd"));
	p->has_creds = rr_int(o, "uid", &v);
	p->uid = p->has_creds ? (uint32_t)v : 0;
	p->gid = rr_int(o, "gid", &v) ? (uint32_t)v : 0;
	p->auid = rr_int(o, "auid", &v) ? (uint32_t)v : UINT32_MAX;
	p->tty = rr_int(o, "tty", &v) ? (uint32_t)v : 0;
	p->memfd = rr_bool(o, "memfd") == 1;
	p->exe_upper = rr_bool(o, "exe_upper_layer") == 1;
	if (rr_time_ns(rr_str(o, "start_time"), &p->start_ns))
		p->start_ns = 0;
}

/* 16 hex digits, as /proc/PID/status writes a capability set */
static bool caps_parse(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	*out = strtoull(s, &end, 16);
	return !errno && !*end;
}

/* syscall.*: the result, the caller's thread, uid and capabilities. */
static void syscall_fill(struct rr_event *rr, struct json_object *sc)
{
	struct rv_event *ev = &rr->ev;
	const char *name = rr_str(sc, "name");
	int64_t v;

	if (!sc)
		return;
	if (name && strcmp(name, "unknown"))
		ev->evt_name = name;
	ev->has_ret = rr_int(sc, "ret", &ev->ret);
	ev->error = rr_str(sc, "error");
	if (rr_int(sc, "tid", &v))
		ev->tid = (uint32_t)v;
	if ((ev->has_uid = rr_int(sc, "uid", &v)))
		ev->uid = (uint32_t)v;
	ev->has_caps = caps_parse(rr_str(sc, "cap_effective"), &ev->cap_effective) &&
		       caps_parse(rr_str(sc, "cap_permitted"), &ev->cap_permitted);
}

static const char *pod_label(const struct rv_event *ev, const char *key)
{
	const struct rr_event *rr = ev->lazy.ctx;

	return key ? rr_str(rr->labels, key) : NULL;
}

/* A label's value as text: "" for one that is not a string. */
static const char *label_text(struct json_object *v)
{
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

/* Every label as "k1:v1, k2:v2", Falco's k8s.pod.labels. */
static const char *pod_labels(const struct rv_event *ev)
{
	const struct rr_event *rr = ev->lazy.ctx;
	struct lh_entry *e;
	size_t len = 1, n = 0;
	char *s;

	for (e = json_object_get_object(rr->labels)->head; e; e = e->next)
		len += strlen(e->k) + strlen(label_text((struct json_object *)e->v)) + 3;
	if (!(s = rules_view__scratch(ev, len)))
		return NULL;
	s[0] = '\0';
	for (e = json_object_get_object(rr->labels)->head; e; e = e->next)
		n += (size_t)snprintf(s + n, len - n, "%s%s:%s", n ? ", " : "", (const char *)e->k,
				      label_text((struct json_object *)e->v));
	return s;
}

/* container.*, pod.*: "host" for a host process, as Falco's container.id. */
static void container_fill(struct rr_event *rr, struct json_object *obj)
{
	struct rv_event *ev = &rr->ev;
	struct json_object *c = rr_get(obj, "container"), *pod = rr_get(obj, "pod");
	const char *attr = rr_str(obj, "attribution");

	ev->privileged = -1;
	if (c) {
		ev->container_id = rr_str(c, "id");
		ev->container_name = rr_str(c, "name");
		ev->image = rr_str(c, "image");
		ev->image_repository = rr_str(c, "image_repository");
		ev->image_tag = rr_str(c, "image_tag");
		ev->image_digest = rr_str(c, "image_digest");
		ev->privileged = rr_bool(c, "privileged");
	} else if (attr && !strcmp(attr, "host")) {
		ev->container_id = "host";
	}
	if (pod) {
		ev->k8s_ns = rr_str(pod, "namespace");
		ev->k8s_pod = rr_str(pod, "name");
		ev->k8s_pod_uid = rr_str(pod, "uid");
		rr->labels = rr_get(pod, "labels");
		if (json_object_is_type(rr->labels, json_type_object)) {
			ev->lazy.pod_label = pod_label;
			ev->lazy.pod_labels = pod_labels;
		}
	}
}

/* The process members, and what the type adds: exec's filename and thread, Falco's names
 * for the lifecycle events. */
static void process_fill(struct rules_replay *rp, struct rr_event *rr, struct json_object *obj)
{
	struct rv_event *ev = &rr->ev;
	struct json_object *proc = rr_get(obj, "process");
	int64_t v;

	rr_proc_fill(rr, proc, &ev->proc);
	rr_proc_fill(rr, rr_get(obj, "parent"), &ev->parent);
	ev->tid = ev->proc.pid;
	if (ev->type == VG_EV_EXEC) {
		ev->evt_name = rr_bool(proc, "exec_fd") == 1 ? "execveat" : "execve";
		ev->filename = rr_str(proc, "filename");
		if (rr_int(proc, "tid", &v))
			ev->tid = (uint32_t)v;
	} else if (ev->type == VG_EV_FORK) {
		ev->evt_name = "clone";
	} else if (ev->type == VG_EV_EXIT) {
		ev->evt_name = "procexit";
	}
	if (ev->type == VG_EV_EXEC || ev->type == VG_EV_FORK)
		rr_lineage__learn(rp, rr);
	rr_lineage__attach(rp, rr, rr_str(proc, "exec_id"));
}

static void callbacks_set(struct rr_event *rr)
{
	struct rv_event *ev = &rr->ev;

	ev->lazy.ctx = rr;
	ev->lazy.ancestor = rr_ancestor;
	ev->lazy.user_name = rr_user_name;
	ev->lazy.group_name = rr_group_name;
	ev->arg = rr_arg;
	ev->arg_ctx = rr;
}

int rules_replay__fill(struct rules_replay *rp, struct json_object *obj, struct rr_event *rr,
		       char *store, size_t store_size, char *scratch, size_t scratch_size)
{
	struct rv_event *ev = &rr->ev;
	const char *type = rr_str(obj, "type");
	int t = type ? type_of(type) : VG_EV_NONE;

	memset(rr, 0, sizeof(*rr));
	rules_view__reset(ev, scratch, scratch_size);
	rr->rp = rp;
	rr->line = obj;
	rr->store = store;
	rr->store_size = store_size;
	if (t == VG_EV_NONE)
		return -EINVAL;
	ev->type = t;
	ev->num = rp->st.events;
	ev->connected = ev->name_changed = -1;
	if (rr_time_ns(rr_str(obj, "time"), &ev->time_ns))
		ev->time_ns = 0;
	ev->boot_ns = ev->time_ns;
	callbacks_set(rr);
	process_fill(rp, rr, obj);
	if (!ev->has_uid && ev->proc.has_creds) {
		ev->uid = ev->proc.uid;
		ev->has_uid = true;
	}
	syscall_fill(rr, rr_get(obj, "syscall"));
	container_fill(rr, obj);
	if (RF_EV_FILE & (1ull << t))
		rr_fill_file(rr);
	else if (RF_EV_NET & (1ull << t))
		rr_fill_net(rr);
	else if (RF_EV_PRIV & (1ull << t))
		rr_fill_priv(rr);
	return 0;
}

const char *rules_replay__node(const struct rr_event *rr)
{
	const char *node = rr_str(rr->line, "node");

	return node ? node : "";
}

/* One member "key":{...} after len bytes of buf; returns the new length (as snprintf). */
static size_t member_put(char *buf, size_t size, size_t len, const char *key, struct json_object *v)
{
	const char *text;
	int n;

	if (!v)
		return len;
	text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
	n = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0, "%s\"%s\":%s",
		     len ? "," : "", key, text);
	return len + (n > 0 ? (size_t)n : 0);
}

size_t rules_replay__vigil_members(const struct rr_event *rr, char *buf, size_t size)
{
	static const char *const keys[] = {"process", "parent", "container", "pod",
					   "local",   "remote", "tcp",	     "dns"};
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		len = member_put(buf, size, len, keys[i], rr_get(rr->line, keys[i]));
	if (rr->own_key)
		len = member_put(buf, size, len, rr->own_key, rr->own);
	if (len >= size && size)
		buf[0] = '\0';
	return len;
}

void rules_replay__stats(const struct rules_replay *rp, struct rules_replay_stats *out)
{
	*out = rp->st;
	out->lineage_size = rp->count;
}
