/* SPDX-License-Identifier: Apache-2.0 */
/* The host environment vigil needs: privileges, kernel BTF, and the pseudo file systems
 * (bpffs, tracefs, cgroup2) found from /proc/mounts and mounted when missing. */
#ifndef VIGIL_SYSENV_H
#define VIGIL_SYSENV_H

#include <limits.h>
#include <stdbool.h>

struct sysenv {
	char cgroup2[PATH_MAX]; /* cgroup v2 mount point, "" when the host has none */
	char bpffs[PATH_MAX];
	char tracefs[PATH_MAX];
	bool mounted_bpffs; /* vigil mounted it */
	bool mounted_tracefs;
};

/* 0 when the process can load and attach BPF programs; otherwise logs what is missing and
 * how to grant it, and returns -EPERM. */
int sysenv_check_privileges(void);
/* 0 when kernel BTF is readable at `path`; otherwise logs why vigil needs it, -ENOENT. */
int sysenv_check_btf(const char *path);
/* Fill *env from `mounts_file` (normally /proc/mounts); mount bpffs and tracefs when absent.
 * Missing tracefs is a warning (only syscall tracepoints need it), missing bpffs too. */
int sysenv_discover(struct sysenv *env, const char *mounts_file, bool mount_missing);
/* Find the mount point of the first file system of type `fstype` in a mounts file. */
int sysenv_find_mount(const char *mounts_file, const char *fstype, char *out, int outsz);
/* Try to lift RLIMIT_MEMLOCK; kernels >= 5.11 account BPF memory to the memory cgroup, so
 * failure only matters on older kernels and is logged, never fatal. */
void sysenv_raise_memlock(void);

#endif /* VIGIL_SYSENV_H */
