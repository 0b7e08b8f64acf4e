// SPDX-License-Identifier: Apache-2.0
/* Syscall names, from the table generated at build time (see sysnames.h). */
#include <errno.h>
#include <string.h>

#include "sysnames.h"

/* Indexed by syscall number; the holes (x86_64 jumps from 334 to 424) stay NULL. */
static const char *const syscall_names[] = {
#include "syscall_names.h"
};

#define NR_SYSCALL_SLOTS (sizeof(syscall_names) / sizeof(syscall_names[0]))

const char *sysname(unsigned nr)
{
	return nr < NR_SYSCALL_SLOTS ? syscall_names[nr] : NULL;
}

/* A linear scan: this is for configuration (rule files name syscalls), not the event path. */
int sysname_lookup(const char *name)
{
	if (!name)
		return -EINVAL;
	for (unsigned nr = 0; nr < NR_SYSCALL_SLOTS; nr++)
		if (syscall_names[nr] && strcmp(syscall_names[nr], name) == 0)
			return nr;
	return -ENOENT;
}
