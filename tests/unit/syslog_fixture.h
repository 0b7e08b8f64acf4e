/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the syslog sink's tests: sample records and outputs. */
#ifndef VIGIL_SYSLOG_FIXTURE_H
#define VIGIL_SYSLOG_FIXTURE_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "sink.h"
#include "sink_syslog.h"
#include "unit_srcdir.h"

/* The time of the alert sample (tests/unit/fixtures/syslog): 2026-11-21T19:06:32.566706547Z */
#define SAMPLE_NS 1795287992566706547ull

/* A record as sink.c's out_rec__new makes it (not linked here: sink.c is not in this tree). */
static inline struct out_rec *mk_rec(int kind, int prio, uint64_t time_ns, const char *line,
				     size_t len)
{
	struct out_rec *r = calloc(1, sizeof(*r) + len + 1);

	if (!r)
		return NULL;
	r->kind = (uint8_t)kind;
	r->prio = (uint8_t)prio;
	r->time_ns = time_ns;
	r->len = (uint32_t)len;
	memcpy(r->line, line, len);
	return r;
}

/* A record of a fixture file (its one line, without the newline); NULL if missing. */
static inline struct out_rec *fixture_rec(const char *name, int kind, int prio)
{
	char path[PATH_MAX], rel[256], line[1 << 16];
	struct out_rec *r = NULL;
	size_t n;
	FILE *f;

	snprintf(rel, sizeof(rel), "tests/unit/fixtures/syslog/%s", name);
	f = fopen(unit_srcpath(path, sizeof(path), rel), "r");
	if (!f)
		return NULL;
	if (fgets(line, sizeof(line), f)) {
		n = strcspn(line, "\n");
		r = mk_rec(kind, prio, SAMPLE_NS, line, n);
	}
	fclose(f);
	return r;
}

static inline struct out_rec *text_rec(int kind, int prio, const char *line)
{
	return mk_rec(kind, prio, SAMPLE_NS, line, strlen(line));
}

/* An output as config.c would default it, with address and format. */
static inline void output_init(struct vg_output *o, const char *address, const char *format)
{
	memset(o, 0, sizeof(*o));
	o->type = VG_OUT_SYSLOG;
	snprintf(o->name, sizeof(o->name), "syslog-0");
	snprintf(o->address, sizeof(o->address), "%s", address);
	snprintf(o->format, sizeof(o->format), "%s", format);
	o->facility = 1;
	o->timeout_ms = 2000;
}

/* The message for rec, malloc'd; "" (static) on failure. */
static inline char *format_rec(void *impl, const struct out_rec *rec)
{
	static char empty[1];
	char *out;
	size_t len;

	if (!impl || !rec || sink_syslog__format(impl, rec, &out, &len) < 0)
		return empty;
	return out;
}

static inline void format_free(char *s)
{
	if (s && *s)
		free(s);
}

#endif /* VIGIL_SYSLOG_FIXTURE_H */
