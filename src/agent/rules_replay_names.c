// SPDX-License-Identifier: Apache-2.0
/*
 * flagnames.h's name tables for the replay, whose other files use json-c (see
 * rules_replay_int.h): names back to values, and open flags as Falco prints them.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flagnames.h"
#include "json.h"
#include "rules_replay_names.h"

#define AF_LAST	   64  /* above every family flagnames.c names */
#define PROTO_LAST 300 /* above every IP protocol it names */

/* A name of a table back to its value, or a number written as text. */
static int value_of(const char *name, const char *(*name_of)(int), int last)
{
	char *end;
	long v;

	if (!name || !*name)
		return -1;
	for (int i = 0; i <= last; i++) {
		const char *n = name_of(i);

		if (n && !strcmp(n, name))
			return i;
	}
	errno = 0;
	v = strtol(name, &end, 10);
	return !errno && !*end && v >= 0 && v <= INT32_MAX ? (int)v : -1;
}

static const char *af_of(int v)
{
	return af_name((unsigned)v);
}

int rr_af_value(const char *name)
{
	return value_of(name, af_of, AF_LAST);
}

int rr_proto_value(const char *name)
{
	return value_of(name, inet_proto_name, PROTO_LAST);
}

struct json_w *rr_flagw__new(void)
{
	struct json_w *w = calloc(1, sizeof(*w));

	if (w && json_init(w, 1024)) {
		free(w);
		return NULL;
	}
	return w;
}

void rr_flagw__free(struct json_w *w)
{
	if (w)
		json_free(w);
	free(w);
}

/* Open flags as Falco prints them (flagnames.c's flags_text). */
int rr_open_flags_text(struct json_w *w, uint32_t flags, char *out, size_t size)
{
	return flags_text(w, open_flags_json64, flags, out, size);
}
