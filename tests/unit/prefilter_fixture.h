/* SPDX-License-Identifier: Apache-2.0 */
/* The prefilter tests' result and its text form. Include after unit.h. */
#ifndef VIGIL_TEST_PREFILTER_FIXTURE_H
#define VIGIL_TEST_PREFILTER_FIXTURE_H

#include <stdio.h>

#include "rules_prefilter.h"

static struct rp_paths P; /* the last result: large, so not on the stack */
static char shown[1 << 14];

/* The patterns of P as "E:/etc/shadow P:/etc/ S:/syslog", in P's order; "ANY" when any. */
static inline const char *show(void)
{
	static const char kinds[] = "EPS";
	size_t n = 0;

	shown[0] = '\0';
	if (P.any)
		return "ANY";
	for (size_t i = 0; i < P.n && n < sizeof(shown); i++)
		n += (size_t)snprintf(shown + n, sizeof(shown) - n, "%s%c:%s", i ? " " : "",
				      kinds[P.pats[i].kind], P.pats[i].path);
	return shown;
}

#endif /* VIGIL_TEST_PREFILTER_FIXTURE_H */
