/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The repository's root, for tests that read files of the source tree (rules/, docs/):
 * $VIGIL_SRC_DIR when set, else two directories above the test binary (build/unit/test_x),
 * so that a test finds them whatever its working directory.
 */
#ifndef VIGIL_UNIT_SRCDIR_H
#define VIGIL_UNIT_SRCDIR_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline const char *unit_srcdir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("VIGIL_SRC_DIR");
	ssize_t n;
	char *slash;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n <= 0)
		return ".";
	dir[n] = '\0';
	for (int up = 0; up < 3; up++) { /* the binary, unit/, build/ */
		slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			return ".";
		*slash = '\0';
	}
	return dir;
}

/* path under the root, in buf ("" when it does not fit) */
static inline const char *unit_srcpath(char *buf, size_t size, const char *rel)
{
	if ((size_t)snprintf(buf, size, "%s/%s", unit_srcdir(), rel) >= size)
		buf[0] = '\0';
	return buf;
}

#endif /* VIGIL_UNIT_SRCDIR_H */
