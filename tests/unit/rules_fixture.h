/* SPDX-License-Identifier: Apache-2.0 */
/* Rule sets from inline YAML, and their diagnostics as text: shared by the loader's unit
 * tests. Include after unit.h. */
#ifndef VIGIL_TEST_RULES_FIXTURE_H
#define VIGIL_TEST_RULES_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "rules_load.h"

/* A set of the given files, compiled. */
static inline struct rules_set *load_n(const char *const *names, const char *const *yaml, int n)
{
	struct rules_set *rs = rules_set__new();

	CHECK(rs != NULL);
	for (int i = 0; i < n; i++)
		rules_set__load_buf(rs, names[i], yaml[i], strlen(yaml[i]));
	rules_set__compile(rs);
	return rs;
}

static inline struct rules_set *load(const char *yaml)
{
	const char *name = "r.yaml";

	return load_n(&name, &yaml, 1);
}

static inline struct rules_set *load2(const char *a, const char *b)
{
	const char *names[] = {"a.yaml", "b.yaml"}, *yaml[] = {a, b};

	return load_n(names, yaml, 2);
}

/* Every diagnostic, one a line: "r.yaml:3:5: error: ..." */
static inline const char *diags(const struct rules_set *rs)
{
	static char buf[8192];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < rules_set__ndiags(rs) && len < sizeof(buf); i++) {
		const struct rules_diag *d = rules_set__diag(rs, i);

		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s:%u:%u: %s: %s\n",
					d->file ? d->file : "-", d->line, d->col,
					d->severity == RULES_ERROR ? "error" : "warning", d->msg);
	}
	return buf;
}

#endif /* VIGIL_TEST_RULES_FIXTURE_H */
