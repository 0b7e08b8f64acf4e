/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing of the list-valued `vigil run` options (--events, --scope, --ignore-path,
 * --report-path, --sample). Each writes a message naming the bad part into err on failure. */
#ifndef VIGIL_OPTIONS_H
#define VIGIL_OPTIONS_H

#include <stddef.h>
#include "config.h"

/* "all", "containers", "pod:UID[,UID...]" or "cgroup:PATH[,PATH...]"; repeatable: pods and
 * cgroups accumulate (and select the cgroup mode). */
int options_scope(const char *arg, struct vg_scope *s, char *err, size_t errsz);
/* An absolute path; ending in '/' or '*' makes it a prefix. */
int options_path_filter(const char *arg, bool report, struct vg_config *cfg, char *err,
			size_t errsz);
/* TYPE=N: report one in N events of TYPE (N from 1 to 1000000). */
int options_sample(const char *arg, struct vg_config *cfg, char *err, size_t errsz);

#endif /* VIGIL_OPTIONS_H */
