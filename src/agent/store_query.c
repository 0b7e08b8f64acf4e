/* SPDX-License-Identifier: Apache-2.0 */
/* SQL for `vigil query` and `vigil report` (store_query.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "rfc3339.h"
#include "store_query.h"

void store_sql__init(struct store_sql *q)
{
	q->text[0] = '\0';
	q->len = 0;
	q->nbind = 0;
	q->pool_used = 0;
	q->err = 0;
}

void store_sql__add(struct store_sql *q, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (q->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(q->text + q->len, sizeof(q->text) - q->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(q->text) - q->len) {
		q->err = -E2BIG;
		q->text[q->len] = '\0';
		return;
	}
	q->len += (size_t)n;
}

int store_sql__text(struct store_sql *q, const char *s, int len)
{
	if (q->err || q->nbind >= STORE_SQL_MAX_BINDS) {
		q->err = -E2BIG;
		return 0;
	}
	q->bind[q->nbind].s = s;
	q->bind[q->nbind].slen = len < 0 ? (int)strlen(s) : len;
	return ++q->nbind;
}

int store_sql__int(struct store_sql *q, int64_t v)
{
	if (q->err || q->nbind >= STORE_SQL_MAX_BINDS) {
		q->err = -E2BIG;
		return 0;
	}
	q->bind[q->nbind].s = NULL;
	q->bind[q->nbind].i = v;
	return ++q->nbind;
}

int store_sql__bind(const struct store_sql *q, sqlite3_stmt *st)
{
	int rc = SQLITE_OK;

	for (int i = 0; i < q->nbind && rc == SQLITE_OK; i++) {
		if (q->bind[i].s)
			rc = sqlite3_bind_text(st, i + 1, q->bind[i].s, q->bind[i].slen,
					       SQLITE_STATIC);
		else
			rc = sqlite3_bind_int64(st, i + 1, q->bind[i].i);
	}
	return rc;
}

/* The least string greater than every string starting with p[0..n): the last byte that can
 * be incremented, incremented, the rest dropped. Kept in the pool; -1 when there is none
 * (every byte 0xff), then the range has no upper end. */
static int upper_bound(struct store_sql *q, const char *p, size_t n)
{
	while (n > 0 && (unsigned char)p[n - 1] == 0xff)
		n--;
	if (n == 0)
		return -1;
	if (q->pool_used + n > sizeof(q->pool)) {
		q->err = -E2BIG;
		return 0;
	}
	char *hi = q->pool + q->pool_used;

	memcpy(hi, p, n);
	hi[n - 1] = (char)((unsigned char)hi[n - 1] + 1);
	q->pool_used += n;
	return store_sql__text(q, hi, (int)n);
}

void store_sql__match(struct store_sql *q, const char *col, const char *pat, bool prefix_always)
{
	size_t n = strlen(pat);
	bool star = n > 0 && pat[n - 1] == '*';
	int lo, hi;

	if (!prefix_always && !star && (n == 0 || pat[n - 1] != '/')) {
		store_sql__add(q, " AND %s = ?%d", col, store_sql__text(q, pat, (int)n));
		return;
	}
	n -= star;
	lo = store_sql__text(q, pat, (int)n);
	hi = upper_bound(q, pat, n);
	if (hi > 0)
		store_sql__add(q, " AND %s >= ?%d AND %s < ?%d", col, lo, col, hi);
	else
		store_sql__add(q, " AND %s >= ?%d", col, lo);
}

static void where_eq(struct store_sql *q, const char *col, const char *v)
{
	if (v)
		store_sql__add(q, " AND %s = ?%d", col, store_sql__text(q, v, -1));
}

static void where_time(struct store_sql *q, uint64_t since_ns, uint64_t until_ns)
{
	if (since_ns)
		store_sql__add(q, " AND time_ns >= ?%d", store_sql__int(q, (int64_t)since_ns));
	if (until_ns)
		store_sql__add(q, " AND time_ns < ?%d", store_sql__int(q, (int64_t)until_ns));
}

void store_filter__where(const struct store_filter *f, struct store_sql *q)
{
	where_time(q, f->since_ns, f->until_ns);
	if (f->events != f->alerts || f->max_prio >= 0)
		store_sql__add(q, " AND kind = %d", f->events && f->max_prio < 0 ? 0 : 1);
	if (f->max_prio >= 0)
		store_sql__add(q, " AND priority <= ?%d", store_sql__int(q, f->max_prio));
	where_eq(q, "namespace", f->ns);
	where_eq(q, "pod", f->pod);
	where_eq(q, "rule", f->rule);
	where_eq(q, "type", f->type);
	if (f->container)
		store_sql__match(q, "container", f->container, true);
	if (f->proc)
		where_eq(q, strchr(f->proc, '/') ? "binary" : "comm", f->proc);
	if (f->path)
		store_sql__match(q, "path", f->path, false);
	if (f->after_id)
		store_sql__add(q, " AND id > ?%d", store_sql__int(q, f->after_id));
}

int store_query__sql(const struct store_filter *f, struct store_sql *q)
{
	store_sql__init(q);
	/* the newest N, shown oldest first: SQLite turns them round, not our memory */
	if (!f->after_id)
		store_sql__add(q, "SELECT * FROM (");
	store_sql__add(q, "SELECT id, time_ns, kind, type, priority, rule, namespace, pod,"
			  " container, comm, binary, pid, uid, path, line FROM records WHERE 1");
	store_filter__where(f, q);
	if (f->after_id)
		store_sql__add(q, " ORDER BY id");
	else if (f->limit)
		store_sql__add(q, " ORDER BY time_ns DESC, id DESC");
	if (f->limit)
		store_sql__add(q, " LIMIT %u", f->limit);
	if (!f->after_id)
		store_sql__add(q, ") ORDER BY time_ns, id");
	return q->err;
}

int store_time__arg(const char *s, uint64_t now_ns, uint64_t *out)
{
	static const struct { char unit; uint64_t s; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 7 * 86400 },
	};
	char full[40], *end;
	unsigned long long n;

	if (!strcmp(s, "now"))
		return *out = now_ns, 0;
	if (strlen(s) == 10) { /* a date */
		memcpy(full, s, 10);
		memcpy(full + 10, "T00:00:00Z", 11);
		if (rfc3339__parse(full, 20, out) == 0)
			return 0;
	}
	if (rfc3339__parse(s, strlen(s), out) == 0)
		return 0;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-' || !end[0] || end[1])
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (*end != units[i].unit)
			continue;
		if (n > now_ns / 1000000000ull / units[i].s)
			return -EINVAL; /* before 1970 */
		*out = now_ns - n * units[i].s * 1000000000ull;
		return 0;
	}
	return -EINVAL;
}

/* The file event types an access report covers; the path column is their file.path. */
static const char report_types[] =
	"('open','unlink','rmdir','rename','link','symlink','chmod','chown','truncate','mkdir',"
	"'write_head')";

/* The terms shared by both halves of the report's query, once: the halves use the same
 * parameter numbers. */
static void report_where(struct store_sql *q, const char *const *paths, size_t n,
			 uint64_t since_ns, uint64_t until_ns, char *out, size_t outsz)
{
	size_t start = q->len;

	store_sql__add(q, " AND type IN %s", report_types);
	where_time(q, since_ns, until_ns);
	store_sql__add(q, " AND (0");
	for (size_t i = 0; i < n; i++) {
		store_sql__add(q, " OR (1");
		store_sql__match(q, "path", paths[i], false);
		store_sql__add(q, ")");
	}
	store_sql__add(q, ")");
	if (q->len - start >= outsz) {
		q->err = -E2BIG;
		out[0] = '\0';
	} else {
		memcpy(out, q->text + start, q->len - start + 1);
	}
	q->len = start;
	q->text[start] = '\0';
}

int store_report__sql(const char *const *paths, size_t n, uint64_t since_ns, uint64_t until_ns,
		      bool summary, struct store_sql *q)
{
	char where[4096];

	store_sql__init(q);
	if (n == 0 || n > STORE_REPORT_MAX_PATHS)
		return -EINVAL;
	report_where(q, paths, n, since_ns, until_ns, where, sizeof(where));
	/* an alert for an access whose event is stored too is the same access: counted once;
	 * several alerts for one access are one access */
	store_sql__add(q, "WITH acc AS (SELECT time_ns, namespace, pod, container, binary, uid,"
			  " path, vg_access(kind, line) AS access, pid, comm FROM records"
			  " WHERE kind = 0%s UNION ALL SELECT time_ns, namespace, pod, container,"
			  " binary, uid, path, vg_access(kind, line), pid, comm FROM records r"
			  " WHERE kind = 1%s AND NOT EXISTS (SELECT 1 FROM records e WHERE"
			  " e.kind = 0 AND e.time_ns = r.time_ns AND e.pid IS r.pid AND"
			  " e.path = r.path) GROUP BY time_ns, pid, path)", where, where);
	if (summary)
		store_sql__add(q, " SELECT namespace, pod, container, binary, uid, path, access,"
				  " count(*), min(time_ns), max(time_ns) FROM acc WHERE access IS"
				  " NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 6, 1, 2, 3, 4,"
				  " 5, 7");
	else
		store_sql__add(q, " SELECT namespace, pod, container, binary, uid, path, access,"
				  " time_ns, pid, comm FROM acc WHERE access IS NOT NULL"
				  " ORDER BY time_ns");
	return q->err;
}
