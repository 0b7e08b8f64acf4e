// SPDX-License-Identifier: Apache-2.0
/*
 * evt.arg.NAME of a recorded line (the names of RF_EVT_ARGS in rules_fields.h), rendered as
 * Falco renders arguments: flag sets by name joined with '|' ("O_RDONLY|O_CLOEXEC"), a failed
 * result by its errno name, a uid by the user's name. Only for the event types the argument
 * belongs to; any other use is absent. Built strings go into the view's scratch.
 */
#include <stdio.h>
#include <string.h>

#include "flagnames.h"
#include "rules_replay_int.h"

#define NUM_MAX 24

static const char *num_text(const struct rv_event *ev, long long v)
{
	char *s = rules_view__scratch(ev, NUM_MAX);

	if (s)
		snprintf(s, NUM_MAX, "%lld", v);
	return s;
}

static const char *int_member(const struct rv_event *ev, struct json_object *o, const char *k)
{
	int64_t v;

	return rr_int(o, k, &v) ? num_text(ev, v) : NULL;
}

/* A JSON array of names as "A|B"; "0" when it is empty, as Falco shows a flag set with no
 * bit set. */
static const char *names_joined(const struct rv_event *ev, struct json_object *arr)
{
	size_t n, len = 0;
	char *s;

	if (!json_object_is_type(arr, json_type_array))
		return NULL;
	n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++)
		len += (size_t)json_object_get_string_len(json_object_array_get_idx(arr, i)) + 1;
	if (!n)
		return "0";
	if (!(s = rules_view__scratch(ev, len)))
		return NULL;
	len = 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(arr, i);
		size_t alen = (size_t)json_object_get_string_len(a);

		if (i)
			s[len++] = '|';
		memcpy(s + len, json_object_get_string(a), alen);
		len += alen;
	}
	s[len] = '\0';
	return s;
}

/* open(2) flags by name, from flagnames.c's table. */
static const char *open_flags(const struct rr_event *rr)
{
	char buf[512], *s;
	int n = rr_open_flags_text(rr->rp->flags, rr->ev.open_flags, buf, sizeof(buf));

	if (n < 0 || !(s = rules_view__scratch(&rr->ev, (size_t)n + 1)))
		return NULL;
	return memcpy(s, buf, (size_t)n + 1);
}

/* Permission bits by name, as Falco lists a mode argument ("0" for none). */
static const char *mode_names(const struct rv_event *ev)
{
	char *s = rules_view__scratch(ev, 128);

	if (!s || file_mode_names(ev->mode, s, 128) < 0)
		return NULL;
	return s[0] ? s : "0";
}

static bool is(const struct rv_event *ev, uint64_t mask)
{
	return (1ull << ev->type) & mask;
}

/* A member of the file object when the event is one of mask's types; file.requested is the
 * view's fd.nameraw already, with no lookup. */
static const char *file_member(const struct rr_event *rr, uint64_t mask, const char *key)
{
	if (!is(&rr->ev, mask))
		return NULL;
	return strcmp(key, "requested") ? rr_str(rr->own, key) : rr->ev.fd_nameraw;
}

static const char *arg_flags(const struct rr_event *rr)
{
	const struct rv_event *ev = &rr->ev;

	if (ev->type == VG_EV_OPEN)
		return ev->has_open_flags ? open_flags(rr) : NULL;
	if (ev->type == VG_EV_MODULE_LOAD)
		return int_member(ev, rr->own, "flags");
	if (is(ev, RF_EV(UNSHARE) | RF_EV(MOUNT) | RF_EV(UMOUNT) | RF_EV(MEMFD_CREATE)))
		return names_joined(ev, rr_get(rr->own, "flags"));
	return NULL;
}

/* uid and gid: the first id asked for, named by the host's database when it knows it. */
static const char *arg_id(const struct rr_event *rr, int type)
{
	const struct rv_event *ev = &rr->ev;
	struct json_object *req = rr_get(rr->own, "requested");
	struct json_object *first;
	int64_t id;
	const char *name;

	if (ev->type != type || !json_object_is_type(req, json_type_array) ||
	    !json_object_array_length(req))
		return NULL;
	first = json_object_array_get_idx(req, 0);
	if (!json_object_is_type(first, json_type_int))
		return NULL;
	id = json_object_get_int64(first);
	if (id >= 0 && id < UINT32_MAX) {
		name = type == VG_EV_SETUID ? rr_user_name(ev, (uint32_t)id)
					    : rr_group_name(ev, (uint32_t)id);
		if (name)
			return name;
	}
	return num_text(ev, id);
}

static const char *arg_res(const struct rr_event *rr)
{
	const struct rv_event *ev = &rr->ev;

	if (!ev->has_ret)
		return NULL;
	if (ev->ret < 0 && ev->error && *ev->error)
		return ev->error;
	return num_text(ev, ev->ret);
}

/* The arguments of file events, whose own object is "file". */
static const char *arg_file(const struct rr_event *rr, const char *name, bool *done)
{
	const struct rv_event *ev = &rr->ev;

	*done = true;
	if (!strcmp(name, "name"))
		return file_member(rr, RF_EV(OPEN) | RF_EV(UNLINK), "requested");
	if (!strcmp(name, "path"))
		return file_member(rr, RF_EV(MKDIR) | RF_EV(RMDIR) | RF_EV(UNLINK) | RF_EV(CHOWN),
				   "requested");
	if (!strcmp(name, "filename"))
		return file_member(rr, RF_EV(CHMOD), "requested");
	if (!strcmp(name, "mode"))
		return is(ev, RF_EV(OPEN) | RF_EV(CHMOD) | RF_EV(MKDIR)) && ev->has_mode
			   ? mode_names(ev)
			   : NULL;
	if (!strcmp(name, "oldpath"))
		return file_member(rr, RF_EV(RENAME) | RF_EV(LINK), "requested");
	if (!strcmp(name, "newpath"))
		return file_member(rr, RF_EV(RENAME) | RF_EV(LINK), "target_requested");
	if (!strcmp(name, "target"))
		return file_member(rr, RF_EV(SYMLINK), "target");
	if (!strcmp(name, "linkpath"))
		return file_member(rr, RF_EV(SYMLINK), "requested");
	*done = false;
	return NULL;
}

/* Arguments that are one member of the type's own object, as text. */
static const struct {
	const char *arg;
	int type;
	const char *key;
} members[] = {
    {"name", VG_EV_MEMFD_CREATE, "name"},
    {"name", VG_EV_UMOUNT, "target"},
    {"path", VG_EV_CHROOT, "path"},
    {"domain", VG_EV_SOCKET, "family"},
    {"type", VG_EV_SOCKET, "type"},
    {"proto", VG_EV_SOCKET, "protocol"},
    {"request", VG_EV_PTRACE, "request"},
    {"sig", VG_EV_KILL, "signal"},
    {"cmd", VG_EV_BPF, "cmd"},
    {"option", VG_EV_PRCTL, "option"},
};

static const char *arg_other(const struct rr_event *rr, const char *name)
{
	const struct rv_event *ev = &rr->ev;

	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		if (ev->type == members[i].type && !strcmp(name, members[i].arg))
			return rr_str(rr->own, members[i].key);
	if (!strcmp(name, "fd"))
		return is(ev, RF_EV_FILE | RF_EV_NET | RF_EV(MEMFD_CREATE) | RF_EV(MODULE_LOAD) |
				  RF_EV(SETNS))
			   ? int_member(ev, rr->own, "fd")
			   : NULL;
	if (!strcmp(name, "filename"))
		return ev->type == VG_EV_EXEC ? ev->filename : NULL;
	if (!strcmp(name, "flags"))
		return arg_flags(rr);
	if (!strcmp(name, "backlog"))
		return ev->type == VG_EV_LISTEN ? int_member(ev, rr->line, "backlog") : NULL;
	if (!strcmp(name, "pid"))
		return is(ev, RF_EV(PTRACE) | RF_EV(KILL)) ? int_member(ev, rr->own, "pid") : NULL;
	if (!strcmp(name, "uid"))
		return arg_id(rr, VG_EV_SETUID);
	if (!strcmp(name, "gid"))
		return arg_id(rr, VG_EV_SETGID);
	if (!strcmp(name, "nstype"))
		return ev->type == VG_EV_SETNS ? names_joined(ev, rr_get(rr->own, "nstype")) : NULL;
	if (!strcmp(name, "res"))
		return is(ev, RF_EV_SYSCALL) ? arg_res(rr) : NULL;
	return NULL;
}

const char *rr_arg(const struct rv_event *ev, const char *name)
{
	const struct rr_event *rr = ev->arg_ctx;
	const char *v;
	bool done;

	if (!rr || !name)
		return NULL;
	if (is(ev, RF_EV_FILE)) {
		v = arg_file(rr, name, &done);
		if (done)
			return v;
	}
	return arg_other(rr, name);
}
