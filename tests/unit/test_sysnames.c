// SPDX-License-Identifier: Apache-2.0
/* Unit tests of the generated syscall name table. */
#include <errno.h>
#include <sys/syscall.h>

#define UNIT_MAIN
#include "unit.h"
#include "sysnames.h"

UNIT_TEST(sysname_known_numbers)
{
#if defined(__x86_64__)
	CHECK_STR(sysname(257), "openat");
	CHECK_STR(sysname(59), "execve");
	CHECK_STR(sysname(42), "connect");
	CHECK_STR(sysname(0), "read");
#elif defined(__aarch64__)
	CHECK_STR(sysname(56), "openat");
	CHECK_STR(sysname(221), "execve");
	CHECK_STR(sysname(203), "connect");
	CHECK_STR(sysname(63), "read");
#endif
}

/* The table and libc's SYS_ numbers come from the same UAPI header. */
UNIT_TEST(sysname_matches_libc)
{
	CHECK_STR(sysname(SYS_openat), "openat");
	CHECK_STR(sysname(SYS_execve), "execve");
	CHECK_STR(sysname(SYS_execveat), "execveat");
	CHECK_STR(sysname(SYS_connect), "connect");
	CHECK_STR(sysname(SYS_ptrace), "ptrace");
	CHECK_STR(sysname(SYS_bpf), "bpf");
	CHECK_STR(sysname(SYS_memfd_create), "memfd_create");
	CHECK_STR(sysname(SYS_clone3), "clone3");
	CHECK_STR(sysname(SYS_exit_group), "exit_group");
}

UNIT_TEST(sysname_unknown)
{
	CHECK(sysname(4096) == NULL);
	CHECK(sysname(100000) == NULL);
	CHECK(sysname(-1u) == NULL);
#if defined(__x86_64__)
	CHECK(sysname(335) == NULL); /* the hole between the old table and 424 */
	CHECK(sysname(423) == NULL);
#endif
}

UNIT_TEST(sysname_lookup_roundtrip)
{
	CHECK_INT(sysname_lookup("openat"), SYS_openat);
	CHECK_INT(sysname_lookup("execve"), SYS_execve);
	CHECK_INT(sysname_lookup("no_such_syscall"), -ENOENT);
	CHECK_INT(sysname_lookup(""), -ENOENT);
	CHECK_INT(sysname_lookup(NULL), -EINVAL);
	for (unsigned nr = 0; nr < 1024; nr++)
		if (sysname(nr))
			CHECK_INT(sysname_lookup(sysname(nr)), nr);
}

int main(void)
{
	return unit_run();
}
