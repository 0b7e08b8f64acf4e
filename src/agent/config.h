/* SPDX-License-Identifier: Apache-2.0 */
/* Run-time configuration of the agent: every bound and switch, with defaults in one place. */
#ifndef VIGIL_CONFIG_H
#define VIGIL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

#define VIGIL_VERSION "0.1.0"
#define VIGIL_SCHEMA "vigil/v1" /* event stream format; see docs/events.md */

#define VG_SCOPE_MAX_ITEMS 256 /* pods and cgroup paths in --scope */
#define VG_PATH_FILTERS_MAX 256 /* --ignore-path and --report-path entries */

/* What the kernel reports on (in-kernel scoping; see docs/config and `vigil run --help`). */
struct vg_scope {
	int mode; /* VG_SCOPE_ALL, VG_SCOPE_CONTAINERS, VG_SCOPE_CGROUPS */
	unsigned npods, ncgroups;
	char *pods[VG_SCOPE_MAX_ITEMS]; /* pod uids */
	char *cgroups[VG_SCOPE_MAX_ITEMS]; /* cgroup paths, relative to the cgroup2 root */
};

struct vg_path_filter {
	char *path; /* ending in '/' or '*': prefix; otherwise exact */
	bool report; /* always report (overrides an ignore prefix, and sampling) */
};

#define VG_RULES_PATHS_MAX 64

struct vg_config {
	size_t ringbuf_bytes; /* kernel -> user ring buffer, power of two */
	uint32_t proc_table_entries; /* in-kernel process table */
	size_t proc_cache_entries; /* user-space process cache */
	size_t proc_cache_bytes; /* heap budget of the process cache strings */
	uint64_t exit_grace_ns; /* how long exited processes stay for lineage */
	size_t cgroup_cache_entries;
	size_t fd_table_entries; /* user-space fd table, over all processes */
	unsigned ancestors; /* lineage levels reported: parent plus ancestors */
	unsigned stats_interval_s; /* periodic stats record; 0 disables */
	bool seed_procfs; /* read /proc at start-up */
	uint64_t events; /* enabled event types, bit per VG_EV_* (evsel.h) */
	struct vg_scope scope;
	unsigned npath_filters;
	struct vg_path_filter path_filters[VG_PATH_FILTERS_MAX];
	uint32_t sample[64]; /* per event type: report 1 in N (0, 1: all) */
	enum log_level log_level;
	char node[256];
	char btf_path[4096]; /* kernel BTF; another file enables CO-RE on kernels without it */
	/* Kubernetes enrichment (docs/kubernetes.md) */
	bool k8s_api; /* discover the API server (--no-kubernetes clears it) */
	char kubeconfig[4096]; /* --kubeconfig; "" to use $KUBECONFIG or in-cluster config */
	char metadata_file[4096]; /* --metadata: static pod/container descriptions, "" if none */
	uint64_t k8s_hold_ns; /* how long an event waits for its pod's metadata; 0: no wait */
	size_t pod_cache_entries; /* pods kept */
	size_t pod_cache_bytes; /* heap budget of the pod cache */
	size_t k8s_hold_entries; /* events waiting for their pod, at most */
	size_t k8s_hold_bytes; /* ... and their bytes */
	/* Rules (docs/rules.md) */
	unsigned nrules;
	char *rules[VG_RULES_PATHS_MAX]; /* --rules, in order; none: the default file */
	bool no_rules; /* --no-rules */
	bool no_rule_prefilter; /* --no-rule-prefilter: every event of the rules' types reaches them */
	bool events_given; /* --events was given (else rules alone choose what is attached) */
	int min_priority; /* enum rules_priority: alerts at or above it */
	int rule_mode; /* enum rules_mode: --rule-mode, RULES_MODE_UNSET: each rule's own */
	char alerts_output[4096]; /* --alerts-output; "" is the event stream (stdout) */
};

void config_defaults(struct vg_config *cfg);
/* Release what option parsing allocated (scope items, path filters). */
void config_free(struct vg_config *cfg);
/* Parse a size with an optional K/M/G suffix (powers of 1024). */
int config_parse_size(const char *s, size_t *out);

#endif /* VIGIL_CONFIG_H */
