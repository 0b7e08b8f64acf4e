/* SPDX-License-Identifier: Apache-2.0 */
/* Seeding of the process cache from /proc, so processes that started before vigil appear
 * with identity and ancestry. */
#ifndef VIGIL_PROCFS_H
#define VIGIL_PROCFS_H

#include <stdint.h>
#include "proc_cache.h"

struct procfs_seed_stats {
	uint64_t seeded; /* processes cached */
	uint64_t vanished; /* exited while being read */
	uint64_t kernel_threads; /* skipped: no user-space image */
};

/* Read every process under `proc_root` (normally "/proc"). `cgroup2` is the cgroup v2 mount
 * (may be "") used to turn /proc/PID/cgroup into a cgroup id. */
int procfs_seed(struct proc_cache *c, const char *proc_root, const char *cgroup2,
		struct procfs_seed_stats *st);
/* Parse the text of /proc/PID/stat: comm (which may hold spaces and parentheses), ppid and
 * starttime in clock ticks. 0 or -EINVAL. */
int procfs_parse_stat(const char *text, char *comm, int commsz, uint32_t *ppid,
		      uint64_t *start_ticks, uint32_t *flags, uint32_t *tty);

#endif /* VIGIL_PROCFS_H */
