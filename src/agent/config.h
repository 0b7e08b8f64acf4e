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
#define VG_OUTPUTS_MAX 16 /* forwarders in the config file's outputs: list */
#define VG_HEADERS_MAX 8
#define VG_REDACT_MAX 64

/* One forwarder (docs/config.md, `outputs:`); run by a sink (sink.h). */
enum vg_output_type { VG_OUT_FILE = 1, VG_OUT_SYSLOG, VG_OUT_HTTP };
struct vg_output {
	int type; /* enum vg_output_type */
	char name[64]; /* unique; default "<type>-<index>" */
	unsigned kinds; /* OUT_KIND_MASK(OUT_EVENT/ALERT/STATS) bits (sink.h); default alerts */
	int min_prio; /* enum rules_priority: alerts at or above; default debug (all) */
	size_t queue_entries; /* default 16384 */
	unsigned backoff_max_ms; /* default 30000 */
	/* file */
	char path[4096];
	size_t max_bytes; /* rotate past this size; default 100M, 0: never */
	unsigned keep; /* rotated files kept (path.1 .. path.N); default 5 */
	/* syslog: udp://HOST:PORT, tcp://HOST:PORT, tls://HOST:PORT; http: the URL */
	char address[1024];
	/* syslog: rfc5424 (default) or cef; http: falco (default), elasticsearch or otlp */
	char format[32];
	int facility; /* syslog facility number; default 1 (user) */
	char app_name[48]; /* syslog APP-NAME; default "vigil" */
	/* TLS (syslog tls://, https://) */
	char ca_file[4096], cert_file[4096], key_file[4096];
	bool insecure; /* skip peer verification (tests only) */
	/* http */
	char index[128]; /* elasticsearch _bulk index; default "vigil-events" */
	unsigned nheaders;
	char headers[VG_HEADERS_MAX][256]; /* "Name: value" */
	unsigned timeout_ms; /* per request / connect; default 5000 */
};

#define VG_STORE_PATH_DEFAULT "/var/lib/vigil/vigil.db"

/* The embedded evidence store (docs/config.md, `store:`). */
struct vg_store_cfg {
	bool enabled; /* default true */
	char path[4096]; /* default /var/lib/vigil/vigil.db */
	uint64_t max_age_s; /* default 7 days; 0: no age limit */
	uint64_t max_bytes; /* default 1G; 0: no size limit */
	bool events; /* store events too, not only alerts; default true */
	uint64_t dedup_window_s; /* repeats of an event inside it are not stored; default 60 s */
	size_t queue_entries; /* default 65536 */
	char group[64]; /* group that may read the store; "" root only */
};

/* Prometheus metrics and health (docs/config.md, `metrics:`). */
struct vg_metrics_cfg {
	char listen[128]; /* HOST:PORT; default 127.0.0.1:9464; "" disables */
	bool per_pod; /* per-pod series (opt-in) */
	unsigned per_pod_max; /* pods with their own series, at most; default 100 */
	bool bpf_stats; /* count run time per BPF program (costs on every hook); default off */
};

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
	unsigned event_slice_us; /* scheduler slice asked for the event thread; 0: the kernel's */
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
	/* Outputs, store, metrics, redaction (docs/config.md) */
	char config_file[4096]; /* --config; "" none */
	bool stdout_events; /* write events to stdout; default true */
	bool stdout_alerts; /* write alerts to stdout (or --alerts-output); default true */
	unsigned noutputs;
	struct vg_output outputs[VG_OUTPUTS_MAX];
	struct vg_store_cfg store;
	struct vg_metrics_cfg metrics;
	unsigned nredact;
	char *redact[VG_REDACT_MAX]; /* secret patterns (redact.h); default set when 0 */
};

void config_defaults(struct vg_config *cfg);
/* Settle what depends on several options (after the file and the command line). */
void config_finish(struct vg_config *cfg);
/* Release what option parsing allocated (scope items, path filters). */
void config_free(struct vg_config *cfg);
/* Only the scope items and path filters (what config_free releases of them). */
void config_free_filters(struct vg_config *cfg);
/* Parse a size with an optional K/M/G suffix (powers of 1024). */
int config_parse_size(const char *s, size_t *out);

#endif /* VIGIL_CONFIG_H */
