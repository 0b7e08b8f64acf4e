/* SPDX-License-Identifier: Apache-2.0 */
/* The indexed columns of an event or alert line (store_int.h), read with jpick. */
#include <errno.h>
#include <string.h>

#include "vigil/events.h"
#include "jpick.h"
#include "rfc3339.h"
#include "rules_load.h"
#include "store_int.h"

/* Every path either kind of line may need, so one scan serves both: an event's members at
 * the top, an alert's (Falco's format, docs/rules.md) under "vigil" and "output_fields". */
enum {
	P_TYPE, P_TIME, P_NODE, P_COMM, P_BINARY, P_PID, P_UID, P_CONTAINER, P_NS, P_POD,
	P_FPATH, P_FTARGET,
	A_RULE, A_PRIO, A_HOST, A_TYPE, A_COMM, A_BINARY, A_PID, A_UID, A_CONTAINER, A_NS,
	A_POD, A_FDNAME, A_FPATH, A_FTARGET,
	P_N,
};

static const char *const paths[P_N] = {
	[P_TYPE] = "type",
	[P_TIME] = "time",
	[P_NODE] = "node",
	[P_COMM] = "process.comm",
	[P_BINARY] = "process.binary",
	[P_PID] = "process.pid",
	[P_UID] = "process.uid",
	[P_CONTAINER] = "container.id",
	[P_NS] = "pod.namespace",
	[P_POD] = "pod.name",
	[P_FPATH] = "file.path",
	[P_FTARGET] = "file.target",
	[A_RULE] = "rule",
	[A_PRIO] = "priority",
	[A_HOST] = "hostname",
	[A_TYPE] = "vigil.type",
	[A_COMM] = "vigil.process.comm",
	[A_BINARY] = "vigil.process.binary",
	[A_PID] = "vigil.process.pid",
	[A_UID] = "vigil.process.uid",
	[A_CONTAINER] = "vigil.container.id",
	[A_NS] = "vigil.pod.namespace",
	[A_POD] = "vigil.pod.name",
	[A_FDNAME] = "output_fields.fd.name",
	[A_FPATH] = "vigil.file.path",
	[A_FTARGET] = "vigil.file.target",
};
_Static_assert(P_N <= JPICK_MAX, "one jpick scan");

static const char *const type_names[VG_EV_MAX] = {
#define X_NAME(name, val, str, layout) [val] = str,
	VG_EVENT_TYPES(X_NAME)
#undef X_NAME
};

static const size_t col_cap[SC_NTEXT] = {
	[SC_TYPE] = 64, [SC_RULE] = 1024, [SC_NODE] = 256, [SC_NS] = 256, [SC_POD] = 256,
	[SC_CONTAINER] = 128, [SC_COMM] = 64, [SC_BINARY] = 4096, [SC_PATH] = 4096,
};

/* A text column from the first present, non-empty string of two candidates; "" and null are
 * stored as NULL so that the partial indexes skip them. */
static void set_text(struct store_row *row, int col, const struct jpick_val *a,
		     const struct jpick_val *b)
{
	const struct jpick_val *v = a && a->type == JPICK_STRING && a->len ? a : b;
	int n;

	row->len[col] = -1;
	if (!v || v->type != JPICK_STRING || !v->len)
		return;
	n = jpick__str(v, row->text[col], col_cap[col]);
	row->len[col] = n > 0 ? n : -1;
}

static void set_int(const struct jpick_val *v, int64_t *out, bool *has)
{
	*has = jpick__i64(v, out) == 0;
}

static void row_event(struct store_row *row, const struct jpick_val *v)
{
	set_text(row, SC_TYPE, &v[P_TYPE], NULL);
	set_text(row, SC_NODE, &v[P_NODE], NULL);
	set_text(row, SC_COMM, &v[P_COMM], NULL);
	set_text(row, SC_BINARY, &v[P_BINARY], NULL);
	set_text(row, SC_CONTAINER, &v[P_CONTAINER], NULL);
	set_text(row, SC_NS, &v[P_NS], NULL);
	set_text(row, SC_POD, &v[P_POD], NULL);
	set_text(row, SC_PATH, &v[P_FPATH], &v[P_FTARGET]);
	set_int(&v[P_PID], &row->pid, &row->has_pid);
	set_int(&v[P_UID], &row->uid, &row->has_uid);
}

static void row_alert(struct store_row *row, const struct jpick_val *v)
{
	char prio[32];
	enum rules_priority p;

	set_text(row, SC_TYPE, &v[A_TYPE], NULL);
	set_text(row, SC_RULE, &v[A_RULE], NULL);
	set_text(row, SC_NODE, &v[A_HOST], &v[P_NODE]);
	set_text(row, SC_COMM, &v[A_COMM], NULL);
	set_text(row, SC_BINARY, &v[A_BINARY], NULL);
	set_text(row, SC_CONTAINER, &v[A_CONTAINER], NULL);
	set_text(row, SC_NS, &v[A_NS], NULL);
	set_text(row, SC_POD, &v[A_POD], NULL);
	set_text(row, SC_PATH, &v[A_FDNAME], &v[A_FPATH]);
	if (row->len[SC_PATH] < 0)
		set_text(row, SC_PATH, &v[A_FTARGET], NULL);
	set_int(&v[A_PID], &row->pid, &row->has_pid);
	set_int(&v[A_UID], &row->uid, &row->has_uid);
	if (row->prio < 0 && jpick__str(&v[A_PRIO], prio, sizeof(prio)) > 0 &&
	    rules_priority__parse(prio, &p) == 0)
		row->prio = (int)p;
}

/* Kind, time and priority from the record where it sets them, else from the line. */
static void row_header(struct store_row *row, const struct out_rec *rec,
		       const struct jpick_val *v, uint64_t now_ns)
{
	uint64_t t = rec->time_ns;

	row->kind = rec->kind <= OUT_STATS ? rec->kind : OUT_EVENT;
	row->prio = row->kind == OUT_ALERT && rec->prio <= RULES_PRIO_DEBUG ? rec->prio : -1;
	if (!t && (v[P_TIME].type != JPICK_STRING || v[P_TIME].escaped ||
		   rfc3339__parse(v[P_TIME].p, v[P_TIME].len, &t)))
		t = now_ns;
	row->time_ns = t > INT64_MAX ? INT64_MAX : (int64_t)t;
}

int store_row__extract(struct store_row *row, const struct out_rec *rec, uint64_t now_ns)
{
	struct jpick_val v[P_N];
	int err = jpick__scan(rec->line, rec->len, paths, P_N, v);

	for (int i = 0; i < SC_NTEXT; i++)
		row->len[i] = -1;
	row->has_pid = row->has_uid = false;
	row_header(row, rec, v, now_ns);
	if (row->kind == OUT_ALERT)
		row_alert(row, v);
	else
		row_event(row, v);
	if (row->len[SC_TYPE] < 0 && rec->type && rec->type < VG_EV_MAX && type_names[rec->type]) {
		row->len[SC_TYPE] = (int)strlen(type_names[rec->type]);
		memcpy(row->text[SC_TYPE], type_names[rec->type], (size_t)row->len[SC_TYPE] + 1);
	}
	return err ? -EINVAL : 0;
}

#define VG_O_ACCMODE 03
#define VG_O_CREAT 0100
#define VG_O_TRUNC 01000

/* An open's access from the flags the kernel used (docs/events.md: file.flags, O_* bits):
 * truncating or creating counts as writing even when opened for reading only. */
static const char *open_access(int64_t flags, bool created)
{
	int acc = (int)(flags & VG_O_ACCMODE);

	if (acc == 2)
		return "read-write";
	if (acc == 1 || (flags & VG_O_TRUNC) || created)
		return "write";
	return "read";
}

static const char *type_access(const char *type, size_t n)
{
	static const struct { const char *type, *access; } map[] = {
		{ "unlink", "delete" }, { "rmdir", "delete" },	  { "rename", "rename" },
		{ "link", "link" },	{ "symlink", "link" },	  { "chmod", "chmod" },
		{ "chown", "chown" },	{ "truncate", "write" }, { "write_head", "write" },
		{ "mkdir", "create" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].type) == n && !memcmp(map[i].type, type, n))
			return map[i].access;
	return NULL;
}

const char *store_row__access(int kind, const char *line, size_t len)
{
	static const char *const ev[] = { "type", "file.flags", "file.created", "file" };
	static const char *const al[] = { "vigil.type", "vigil.file.flags", "vigil.file.created",
					  "vigil.file" };
	const char *const *p = kind == OUT_ALERT ? al : ev;
	struct jpick_val v[4];
	int64_t flags = 0;

	if (jpick__scan(line, len, p, 4, v) || v[0].type != JPICK_STRING || v[0].escaped ||
	    v[3].type != JPICK_OBJECT)
		return NULL;
	if (v[0].len == 4 && !memcmp(v[0].p, "open", 4)) {
		if (jpick__i64(&v[1], &flags))
			return NULL;
		return open_access(flags, v[2].type == JPICK_TRUE);
	}
	return type_access(v[0].p, v[0].len);
}
