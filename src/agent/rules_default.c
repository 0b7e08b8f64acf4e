// SPDX-License-Identifier: Apache-2.0
/* Finding the default rule file: the candidates of rules_default.h, first readable one wins. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rules_default.h"

static int copy_out(const char *path, char *out, size_t size)
{
	if (strlen(path) >= size)
		return -ENAMETOOLONG;
	memcpy(out, path, strlen(path) + 1);
	return 0;
}

/* <exe's directory>/../rules/NAME, with the '..' taken off the executable's directory: exe is
 * a resolved path (/proc/self/exe), so its parent directory is the lexical one. */
static int beside_exe(const char *exe, char *buf, size_t size)
{
	const char *slash = strrchr(exe, '/');
	size_t dir;

	if (exe[0] != '/' || !slash)
		return -ENOENT;
	dir = (size_t)(slash - exe);
	while (dir > 0 && exe[dir - 1] != '/')
		dir--;
	/* dir is now the length of the grandparent, its trailing '/' included ("/" at least) */
	if (dir == 0)
		dir = 1;
	if ((size_t)snprintf(buf, size, "%.*srules/%s", (int)dir, exe, VIGIL_RULES_DEFAULT_NAME) >=
	    size)
		return -ENAMETOOLONG;
	return 0;
}

int rules_default__path_for(const char *exe, char *out, size_t size)
{
	static const char *const fixed[] = {VIGIL_RULES_DEFAULT_PATHS};
	char buf[PATH_MAX];

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (access(fixed[i], R_OK) == 0)
			return copy_out(fixed[i], out, size);
	if (exe && beside_exe(exe, buf, sizeof(buf)) == 0 && access(buf, R_OK) == 0)
		return copy_out(buf, out, size);
	return -ENOENT;
}

int rules_default__path(char *out, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0)
		exe[n] = '\0';
	return rules_default__path_for(n > 0 ? exe : NULL, out, size);
}
