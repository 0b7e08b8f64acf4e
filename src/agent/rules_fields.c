// SPDX-License-Identifier: Apache-2.0
/* The field catalogue's tables and lookups; the rows are in rules_fields.h. */
#include <stddef.h>
#include <string.h>

#include "rules_fields.h"

static const struct rf_field fields[] = {
#define RF_X_ROW(id, name, type, arg, flags, ev, src) {RF_##id, name, type, arg, flags, ev, src},
    RF_FIELDS(RF_X_ROW)
#undef RF_X_ROW
};

static const struct rf_arg args[] = {
#define RF_X_ARG(name, ev, src) {name, ev, src},
    RF_EVT_ARGS(RF_X_ARG)
#undef RF_X_ARG
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))
#define NARGS	(sizeof(args) / sizeof(args[0]))

_Static_assert(NFIELDS == RF_MAX, "one row per id");

const struct rf_field *rules_fields__get(enum rf_id id)
{
	return (unsigned)id < NFIELDS ? &fields[id] : NULL;
}

const struct rf_field *rules_fields__find(const char *name, const char **dotted)
{
	const struct rf_field *best = NULL;
	size_t best_len = 0;

	*dotted = NULL;
	for (size_t i = 0; i < NFIELDS; i++) {
		size_t n = strlen(fields[i].name);

		if (strcmp(name, fields[i].name) == 0)
			return &fields[i];
		if ((fields[i].flags & RF_ARG_DOTTED) && strncmp(name, fields[i].name, n) == 0 &&
		    name[n] == '.' && name[n + 1] && n > best_len) {
			best = &fields[i];
			best_len = n;
		}
	}
	if (best)
		*dotted = name + best_len + 1;
	return best;
}

const struct rf_arg *rules_fields__arg(const char *name)
{
	for (size_t i = 0; i < NARGS; i++)
		if (strcmp(name, args[i].name) == 0)
			return &args[i];
	return NULL;
}

const char *rules_fields__type_name(enum rf_type t)
{
	switch (t) {
	case RF_STR:
		return "text";
	case RF_NUM:
		return "number";
	case RF_BOOL:
		return "bool";
	case RF_IPADDR:
		return "address";
	case RF_IPNET:
		return "network";
	case RF_BYTES:
		return "bytes";
	}
	return "?";
}

unsigned rules_fields__count(void)
{
	return NFIELDS;
}

unsigned rules_fields__arg_count(void)
{
	return NARGS;
}

const struct rf_arg *rules_fields__arg_at(unsigned i)
{
	return i < NARGS ? &args[i] : NULL;
}
