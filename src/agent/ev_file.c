/* SPDX-License-Identifier: Apache-2.0 */
/* File events: validate, keep the fd table current, write the "file" object
 * (format: docs/events.md, "File events"). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "agent.h"
#include "pathutil.h"
#include "scope.h"
#include "sysnames.h"

#define NONE -1

/* Where the numeric arguments of each file syscall are. */
struct file_args {
	const char *name;
	signed char mode, uid, gid, length, at_flags, flags2;
};

static const struct file_args arg_table[] = {
	{ "open", 2, NONE, NONE, NONE, NONE, NONE },
	{ "openat", 3, NONE, NONE, NONE, NONE, NONE },
	{ "creat", 1, NONE, NONE, NONE, NONE, NONE },
	{ "mkdir", 1, NONE, NONE, NONE, NONE, NONE },
	{ "mkdirat", 2, NONE, NONE, NONE, NONE, NONE },
	{ "chmod", 1, NONE, NONE, NONE, NONE, NONE },
	{ "fchmod", 1, NONE, NONE, NONE, NONE, NONE },
	{ "fchmodat", 2, NONE, NONE, NONE, NONE, NONE },
	{ "fchmodat2", 2, NONE, NONE, NONE, 3, NONE },
	{ "chown", NONE, 1, 2, NONE, NONE, NONE },
	{ "lchown", NONE, 1, 2, NONE, NONE, NONE },
	{ "fchown", NONE, 1, 2, NONE, NONE, NONE },
	{ "fchownat", NONE, 2, 3, NONE, 4, NONE },
	{ "truncate", NONE, NONE, NONE, 1, NONE, NONE },
	{ "ftruncate", NONE, NONE, NONE, 1, NONE, NONE },
	{ "unlinkat", NONE, NONE, NONE, NONE, 2, NONE },
	{ "linkat", NONE, NONE, NONE, NONE, 4, NONE },
	{ "renameat2", NONE, NONE, NONE, NONE, NONE, 4 },
	{ "pwrite64", NONE, NONE, NONE, NONE, NONE, NONE },
};

#define NR_MAX 1024 /* above every syscall number of the architectures vigil builds for */

/* The row of syscall nr, from an index by number built on first use: every file event asks. */
static const struct file_args *args_of(unsigned nr)
{
	static const struct file_args *by_nr[NR_MAX];
	static bool built;

	if (!built) {
		for (size_t i = 0; i < sizeof(arg_table) / sizeof(arg_table[0]); i++) {
			int n = sysname_lookup(arg_table[i].name);

			if (n >= 0 && n < NR_MAX)
				by_nr[n] = &arg_table[i];
		}
		built = true;
	}
	return nr < NR_MAX ? by_nr[nr] : NULL;
}

bool agent_file_mode(const struct vg_file *f, uint32_t *mode)
{
	const struct file_args *fa = args_of(f->sys.nr);

	if (!fa || fa->mode == NONE)
		return false;
	*mode = (uint32_t)f->sys.args[(int)fa->mode] & 07777;
	return true;
}

static const char *file_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "symlink";
	case S_IFCHR: return "chardev";
	case S_IFBLK: return "blockdev";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	default: return "";
	}
}

/* The absolute, normalised path a path argument names: what the kernel resolved when it
 * had the object, else the argument joined onto its base directory. */
static void final_path(const struct vg_file *f, const struct vg_str *ps, const struct vg_str *bs,
		       const char *resolved, char *out, size_t outsz)
{
	char raw[VG_PATH_MAX + 8], base[VG_PATH_MAX + 8];

	out[0] = 0;
	if (resolved && resolved[0]) {
		snprintf(out, outsz, "%s", resolved);
		return;
	}
	if (!ps->off)
		return;
	agent_rec_path(f, ps, raw, sizeof(raw));
	agent_rec_path(f, bs, base, sizeof(base));
	path_resolve(base, raw, out, outsz);
}

/* A string argument of the record, written as it was passed (no copy). */
static void arg_member(struct json_w *w, const char *key, const struct vg_file *f,
		       const struct vg_str *ps)
{
	const char *p = (const char *)f + ps->off;

	json_key(w, key);
	json_strn(w, p, strnlen(p, ps->len));
}

/* "path" and "requested" (the argument as passed) of one path argument. */
static void path_members(struct agent *a, const struct vg_file *f, const struct vg_str *ps,
			 const char *path, const char *pkey, const char *rkey)
{
	json_kstr(&a->json, pkey, path);
	if (ps->off)
		arg_member(&a->json, rkey, f, ps);
}

static void mode_member(struct json_w *w, const char *key, uint64_t mode)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%04llo", (unsigned long long)(mode & 07777));
	json_kstr(w, key, buf);
}

/* The first bytes written: hex, and what they look like. */
static void head_members(struct agent *a, const struct vg_file *f)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)f + f->data.off;
	char buf[2 * VG_WRITE_HEAD_BYTES + 1];
	const char *magic = "";
	unsigned n = f->data.off ? f->data.len : 0;

	if (n > VG_WRITE_HEAD_BYTES)
		n = VG_WRITE_HEAD_BYTES;
	for (unsigned i = 0; i < n; i++) {
		buf[2 * i] = hex[p[i] >> 4];
		buf[2 * i + 1] = hex[p[i] & 15];
	}
	buf[2 * n] = 0;
	if (n >= 4 && !memcmp(p, "\x7f" "ELF", 4))
		magic = "elf";
	else if (n >= 2 && p[0] == '#' && p[1] == '!')
		magic = "script";
	else if (n >= 4 && !memcmp(p, "PK\x03\x04", 4))
		magic = "zip";
	else if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		magic = "gzip";
	json_kstr(&a->json, "head_hex", buf);
	json_kstr(&a->json, "head_magic", magic);
	json_ku64(&a->json, "head_bytes", n);
}

static void numeric_members(struct agent *a, const struct vg_file *f, const struct file_args *fa)
{
	struct json_w *w = &a->json;
	uint32_t t = f->hdr.type;

	if (fa && fa->mode != NONE && (t != VG_EV_OPEN || (f->flags & 0100 /* O_CREAT */)))
		mode_member(w, "mode", f->sys.args[fa->mode]);
	if (fa && fa->uid != NONE) {
		json_ki64(w, "uid", (int32_t)f->sys.args[fa->uid]);
		json_ki64(w, "gid", (int32_t)f->sys.args[fa->gid]);
	}
	if (fa && fa->length != NONE)
		json_ki64(w, "length", (int64_t)f->sys.args[fa->length]);
	if (fa && fa->at_flags != NONE)
		json_ku64(w, "at_flags", (uint32_t)f->sys.args[fa->at_flags]);
	if (fa && fa->flags2 != NONE)
		json_ku64(w, "rename_flags", (uint32_t)f->sys.args[fa->flags2]);
	if (t == VG_EV_OPEN) {
		json_ku64(w, "flags", f->flags);
		json_kbool(w, "created", !!(f->fflags & VG_FILE_CREATED));
	}
}

static void file_object(struct agent *a, const struct vg_file *f, const char *path)
{
	struct json_w *w = &a->json;
	bool two = f->hdr.type == VG_EV_RENAME || f->hdr.type == VG_EV_LINK;
	char target[2 * VG_PATH_MAX + 16];

	json_key(w, "file");
	json_obj_begin(w);
	path_members(a, f, &f->path, path, "path", "requested");
	if (two) {
		final_path(f, &f->path2, &f->base2, NULL, target, sizeof(target));
		path_members(a, f, &f->path2, target, "target", "target_requested");
	}
	if (f->hdr.type == VG_EV_SYMLINK && f->path2.off) /* the link's content: not resolved */
		arg_member(w, "target", f, &f->path2);
	else if (f->hdr.type == VG_EV_SYMLINK)
		json_kstr(w, "target", "");
	if (f->fd >= 0)
		json_ki64(w, "fd", f->fd);
	if (f->fflags & VG_FILE_RESOLVED) {
		json_kstr(w, "type", file_type(f->fdinfo.ino_mode));
		json_ku64(w, "inode", f->fdinfo.ino);
		json_ku64(w, "dev", f->fdinfo.dev);
	}
	numeric_members(a, f, args_of(f->sys.nr));
	if (f->hdr.type == VG_EV_WRITE_HEAD)
		head_members(a, f);
	json_obj_end(w);
}

static int check(const struct vg_file *f, size_t size)
{
	const struct vg_str *s[] = { &f->path, &f->base, &f->file, &f->path2, &f->base2, &f->data };

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (agent_check_str(s[i], sizeof(*f), size))
			return -EINVAL;
	return 0;
}

/* Keep the fd table in step: new fds, closes. */
static void track_fd(struct agent *a, const struct vg_file *f, const char *path)
{
	if (f->hdr.type == VG_EV_CLOSE)
		agent_fd_closed(a, f->hdr.tgid, f->fd);
	else if (f->hdr.type == VG_EV_OPEN && f->sys.ret >= 0)
		agent_fd_opened(a, f->hdr.tgid, f->fd, path, f->fdinfo.ino_mode,
				!!(f->fflags & VG_FILE_CLOEXEC));
}

int agent_on_file(struct agent *a, const struct vg_file *f, size_t size)
{
	char resolved[VG_PATH_MAX + 8] = "", path[2 * VG_PATH_MAX + 16];
	struct sys_ctx cx;

	if (check(f, size))
		return -EINVAL;
	if (f->fflags & VG_FILE_RESOLVED)
		agent_rec_path(f, &f->file, resolved, sizeof(resolved));
	final_path(f, &f->path, &f->base, resolved, path, sizeof(path));
	if (f->hdr.type == VG_EV_CLOSE) /* what was closed: the fd table knows */
		agent_fd_name(a, f->hdr.tgid, f->fd, path, sizeof(path));
	track_fd(a, f, path);
	if (!agent_type_handled(a, f->hdr.type))
		return 0;
	if (scope_path_ignored(a, path)) {
		a->cnt.filtered_user[f->hdr.type]++;
		return 0;
	}
	agent_sys_context(a, &f->hdr, &f->sys, &cx);
	if (agent_rules_want(a, f->hdr.type))
		agent_rules_file(a, f, path, &cx);
	if (!agent_line_needed(a, f->hdr.type))
		return 0;
	agent_begin_sys(a, &f->hdr, &f->sys, cx.pe, cx.cg);
	file_object(a, f, path);
	return agent_write_line(a, f->hdr.type);
}
