/* SPDX-License-Identifier: Apache-2.0 */
/* The store tests' fixture: real-looking lines (tests/unit/fixtures/store/lines.jsonl), a
 * store in a fresh temporary directory, and a look at its file with plain SQL. */
#ifndef VIGIL_STORE_FIXTURE_H
#define VIGIL_STORE_FIXTURE_H

#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "store_int.h"
#include "unit.h"
#include "unit_srcdir.h"

#define NLINES 7 /* tests/unit/fixtures/store/lines.jsonl */
enum { L_POD_READ, L_POD_WRITE, L_HOST_RW, L_UNLINK, L_EXEC, L_ALERT, L_STATS };

static char *lines[NLINES];

static inline void load_lines(void)
{
	char path[4096], buf[1 << 16];
	FILE *f;
	int n = 0;

	if (lines[0])
		return;
	f = fopen(unit_srcpath(path, sizeof(path), "tests/unit/fixtures/store/lines.jsonl"), "r");
	if (!f) {
		printf("  cannot open %s\n", path);
		exit(1);
	}
	while (n < NLINES && fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		lines[n++] = strdup(buf);
	}
	fclose(f);
}

static inline struct out_rec *rec_new(int kind, int type, int prio, uint64_t t,
				      const char *line)
{
	size_t n = strlen(line);
	struct out_rec *r = calloc(1, sizeof(*r) + n + 1);

	r->kind = (uint8_t)kind;
	r->type = (uint16_t)type;
	r->prio = (uint8_t)prio;
	r->time_ns = t;
	r->len = (uint32_t)n;
	memcpy(r->line, line, n + 1);
	return r;
}

static inline int line_kind(int i)
{
	return i == L_ALERT ? OUT_ALERT : i == L_STATS ? OUT_STATS : OUT_EVENT;
}

/* A fresh directory and config for one test; the store goes two levels below it. */
static inline void setup(char *dir, struct vg_store_cfg *cfg)
{
	strcpy(dir, "/tmp/vigil-test-store.XXXXXX");
	if (!mkdtemp(dir))
		exit(1);
	memset(cfg, 0, sizeof(*cfg));
	cfg->enabled = cfg->events = true;
	snprintf(cfg->path, sizeof(cfg->path), "%s/lib/vigil/vigil.db", dir);
	load_lines();
}

static inline void cleanup(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("  could not remove %s\n", dir);
}

static inline int send_lines(struct store *st, const int *which, size_t n, uint64_t t)
{
	struct out_rec *recs[64];
	unsigned rej = 0;
	int rc;

	for (size_t i = 0; i < n; i++)
		recs[i] = rec_new(line_kind(which[i]), 0, which[i] == L_ALERT ? 4 : 6, t,
				  lines[which[i]]);
	rc = store_sink_ops.send(st, recs, n, &rej);
	for (size_t i = 0; i < n; i++)
		free(recs[i]);
	CHECK_INT(store__commit(st), 0); /* else the next tick or batch commits */
	return rc;
}

static inline sqlite3 *peek(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		printf("  cannot open %s\n", path);
	return db;
}

/* The text of the first column of a one-row query ("" for NULL, "(none)" without a row). */
static inline const char *q1(sqlite3 *db, const char *sql)
{
	static char out[4096];
	sqlite3_stmt *s;

	strcpy(out, "(none)");
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(out, sizeof(out), "(error %s)", sqlite3_errmsg(db));
		return out;
	}
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(out, sizeof(out), "%s",
			 sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0) : "");
	sqlite3_finalize(s);
	return out;
}

static const uint64_t day_ns = 86400ull * 1000000000ull;

static inline void free_lines(void)
{
	for (int i = 0; i < NLINES; i++)
		free(lines[i]);
}

#endif /* VIGIL_STORE_FIXTURE_H */
