/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Syscall number -> name for the architecture vigil is built for. The table is generated at
 * build time from the kernel UAPI header (scripts/gen-syscalls.sh -> build/syscall_names.h),
 * so it matches the numbers the kernel side sees without being written out by hand.
 */
#ifndef VIGIL_SYSNAMES_H
#define VIGIL_SYSNAMES_H

/* The name of syscall nr ("openat"), or NULL when nr is not a syscall of this architecture
 * (including numbers the build machine's headers are too old to know). */
const char *sysname(unsigned nr);

/* The number of the syscall called name, or -ENOENT; -EINVAL for a NULL name. */
int sysname_lookup(const char *name);

#endif /* VIGIL_SYSNAMES_H */
