/* SPDX-License-Identifier: Apache-2.0 */
/* In-kernel scoping, configured from user space: the scope mode and the cgroups in scope,
 * path filters (an LPM trie keyed by path bytes), per-type sampling. The kernel judges
 * absolute paths as passed; user space applies the same path filters to paths it resolves
 * (relative ones), so a filter means the same thing either way. */
#ifndef VIGIL_SCOPE_H
#define VIGIL_SCOPE_H

#include <stdbool.h>

struct agent;

/* Write the configuration into the loaded BPF object's maps and globals. */
int scope_apply(struct agent *a);
/* Tell the kernel the host's mount namespace (vg_host_mnt_ns), for `who`'s messages. */
int scope_host_mnt_ns(struct agent *a, const char *who);
/* Find the cgroups of the configured pods again (new pods appear as kubelet creates their
 * cgroup); cheap, called about every 2 s. Returns how many cgroups are in scope. */
int scope_refresh(struct agent *a);
/* The user-space half of the path filters for a resolved path: true when it is ignored. */
bool scope_path_ignored(const struct agent *a, const char *path);

#endif /* VIGIL_SCOPE_H */
