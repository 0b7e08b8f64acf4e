/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the metrics renderer: the one table of metric families, the series writer (header,
 * label escaping, per-family caps) and the stats-record readers. Only metrics_*.c include it.
 */
#ifndef VIGIL_METRICS_INT_H
#define VIGIL_METRICS_INT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "metrics.h"

/* id, name, TYPE, HELP. docs/metrics.md describes each family with its labels; the dashboard
 * test (tests/integration/test_grafana_dashboard.py) reads the names from here. */
#define METRICS_FAMILIES(X)                                                                        \
	X(BUILD_INFO, "vigil_build_info", GAUGE,                                                   \
	  "The agent's version and event schema (always 1).")                                      \
	X(UPTIME, "vigil_uptime_seconds", GAUGE, "Seconds since the agent started.")               \
	X(START_TIME, "process_start_time_seconds", GAUGE,                                         \
	  "Start time of the agent since the Unix epoch, in seconds.")                             \
	X(CPU, "process_cpu_seconds_total", COUNTER,                                               \
	  "User and system CPU time the agent spent, in seconds.")                                 \
	X(RSS, "process_resident_memory_bytes", GAUGE, "Resident memory of the agent, in bytes.")  \
	X(RSS_PEAK, "vigil_resident_memory_peak_bytes", GAUGE,                                     \
	  "Peak resident memory of the agent, in bytes.")                                          \
	X(EV_RECEIVED, "vigil_events_received_total", COUNTER,                                     \
	  "Records user space received from the kernel, by event type.")                           \
	X(EV_WRITTEN, "vigil_events_written_total", COUNTER,                                       \
	  "Event lines written, by event type.")                                                   \
	X(EV_FILTERED_USER, "vigil_events_filtered_user_total", COUNTER,                           \
	  "Events dropped by a path filter after user-space path resolution, by event type.")      \
	X(K_SEEN, "vigil_kernel_events_seen_total", COUNTER,                                       \
	  "Kernel hook invocations, by event type.")                                               \
	X(K_EMITTED, "vigil_kernel_events_emitted_total", COUNTER,                                 \
	  "Records the kernel wrote to the ring buffer, by event type.")                           \
	X(K_FILTERED, "vigil_kernel_events_filtered_total", COUNTER,                               \
	  "Events the kernel did not send, by reason and event type.")                             \
	X(K_DROPPED, "vigil_kernel_events_dropped_total", COUNTER,                                 \
	  "Records the kernel could not deliver because the ring buffer was full, by event type.") \
	X(K_STASH_MISS, "vigil_kernel_stash_misses_total", COUNTER,                                \
	  "Syscall exits whose entry state was missing.")                                          \
	X(K_THREADS_SKIPPED, "vigil_kernel_threads_skipped_total", COUNTER,                        \
	  "Thread creations and exits skipped (not process events).")                              \
	X(K_TABLE_FULL, "vigil_kernel_proc_table_full_total", COUNTER,                             \
	  "In-kernel process table updates that failed.")                                          \
	X(DROPS, "vigil_drops_total", COUNTER,                                                     \
	  "Records lost or not reported, by stage and reason.")                                    \
	X(RULES_ACTIVE, "vigil_rules_active", GAUGE, "Rules compiled and evaluated.")              \
	X(RULES_EVALUATED, "vigil_rules_evaluated_total", COUNTER, "Events the rules saw.")        \
	X(RULES_MONITORED, "vigil_rules_monitored_total", COUNTER,                                 \
	  "Matches of rules in monitor mode (no alert).")                                          \
	X(ALERTS, "vigil_alerts_total", COUNTER, "Alerts written, by priority.")                   \
	X(RULE_ALERTS, "vigil_rule_alerts_total", COUNTER, "Alerts written, by rule.")             \
	X(RULE_MONITORED, "vigil_rule_monitored_total", COUNTER,                                   \
	  "Matches of a rule in monitor mode (no alert), by rule.")                                \
	X(PROG_RUN, "vigil_bpf_prog_run_total", COUNTER,                                           \
	  "Runs of each BPF program (with kernel BPF stats enabled).")                             \
	X(PROG_SECONDS, "vigil_bpf_prog_run_seconds_total", COUNTER,                               \
	  "Time spent in each BPF program, in seconds (with kernel BPF stats enabled).")           \
	X(CACHE_ENTRIES, "vigil_cache_entries", GAUGE, "Entries in each cache.")                   \
	X(CACHE_CAPACITY, "vigil_cache_capacity", GAUGE, "Entries each cache may hold.")           \
	X(CACHE_BYTES, "vigil_cache_bytes", GAUGE, "Heap bytes each cache uses.")                  \
	X(CACHE_MAX_BYTES, "vigil_cache_max_bytes", GAUGE, "Heap bytes each cache may use.")       \
	X(CACHE_EVICTIONS, "vigil_cache_evictions_total", COUNTER,                                 \
	  "Entries evicted from each cache to make room.")                                         \
	X(CACHE_HITS, "vigil_cache_hits_total", COUNTER, "Lookups that found their entry.")        \
	X(CACHE_MISSES, "vigil_cache_misses_total", COUNTER, "Lookups that did not.")              \
	X(K8S_SYNCED, "vigil_kubernetes_api_synced", GAUGE,                                        \
	  "1 once the pod watcher's first full list is in.")                                       \
	X(K8S_API_EVENTS, "vigil_kubernetes_api_events_total", COUNTER,                            \
	  "Pod watch events received from the API server.")                                        \
	X(K8S_API_ERRORS, "vigil_kubernetes_api_errors_total", COUNTER,                            \
	  "Pod watcher failures, by reason.")                                                      \
	X(K8S_HOLD, "vigil_kubernetes_hold_total", COUNTER,                                        \
	  "Events that waited for their pod's metadata, by outcome.")                              \
	X(OUT_INFO, "vigil_output_info", GAUGE, "Each output and its type (always 1).")            \
	X(OUT_UP, "vigil_output_up", GAUGE, "1 when the output's last send or connect worked.")    \
	X(OUT_DELIVERED, "vigil_output_delivered_total", COUNTER,                                  \
	  "Records an output delivered, by record kind.")                                          \
	X(OUT_DROPPED, "vigil_output_dropped_total", COUNTER,                                      \
	  "Records an output dropped, by reason and record kind.")                                 \
	X(OUT_QUEUED, "vigil_output_queued", GAUGE, "Records waiting in an output's queue.")       \
	X(OUT_QUEUED_BYTES, "vigil_output_queued_bytes", GAUGE,                                    \
	  "Bytes waiting in an output's queue.")                                                   \
	X(OUT_SPILLED, "vigil_output_spilled_total", COUNTER,                                      \
	  "Alerts an output kept in the store while its peer was down.")                           \
	X(OUT_UNSPILLED, "vigil_output_unspilled_total", COUNTER,                                  \
	  "Spilled alerts an output delivered later.")                                             \
	X(OUT_SPILL_PENDING, "vigil_output_spill_pending", GAUGE,                                  \
	  "Spilled alerts still waiting in the store for an output.")                              \
	X(OUT_SPILL_ERRORS, "vigil_output_spill_errors_total", COUNTER,                            \
	  "Alerts an output could not spill to the store.")                                        \
	X(OUT_SEND_ERRORS, "vigil_output_send_errors_total", COUNTER,                              \
	  "Failed sends of an output.")                                                            \
	X(OUT_CONNECTS, "vigil_output_connects_total", COUNTER, "Connections an output made.")     \
	X(OUT_BATCHES, "vigil_output_batches_total", COUNTER, "Batches an output delivered.")      \
	X(OUT_LATENCY, "vigil_output_latency_seconds", GAUGE,                                      \
	  "Offer-to-delivery latency of an output's last batch, in seconds.")                      \
	X(OUT_LATENCY_MAX, "vigil_output_latency_max_seconds", GAUGE,                              \
	  "Largest offer-to-delivery latency of an output's batches, in seconds.")                 \
	X(STORE_ROWS, "vigil_store_rows", GAUGE, "Records in the evidence store.")                 \
	X(STORE_BYTES, "vigil_store_bytes", GAUGE, "Size of the evidence store, in bytes.")        \
	X(STORE_INSERTED, "vigil_store_inserted_total", COUNTER,                                   \
	  "Records written to the evidence store.")                                                \
	X(STORE_DELETED, "vigil_store_deleted_total", COUNTER,                                     \
	  "Records the evidence store's retention deleted, by reason.")                            \
	X(STORE_ERRORS, "vigil_store_errors_total", COUNTER, "Evidence store errors.")             \
	X(STORE_REPEATS, "vigil_store_repeats_total", COUNTER,                                     \
	  "Events not stored again: identical to one stored inside the dedup window.")            \
	X(STORE_DEDUP_EVICTIONS, "vigil_store_dedup_evictions_total", COUNTER,                     \
	  "Fingerprints of stored events pushed out of the dedup table inside their window.")     \
	X(ENF_RULES, "vigil_enforcement_rules", GAUGE,                                             \
	  "Rules that act, by where they are decided.")                                            \
	X(ENF_DOOMED, "vigil_enforcement_doomed_total", COUNTER,                                   \
	  "Processes put in the kernel's doom map.")                                               \
	X(ENF_KILLS, "vigil_enforcement_kills_total", COUNTER,                                     \
	  "Processes killed by enforcement, by who killed them.")                                  \
	X(ENF_QUARANTINES, "vigil_enforcement_quarantines_total", COUNTER,                         \
	  "Pods or containers put in network quarantine.")                                         \
	X(ENF_KREPORTS, "vigil_enforcement_kernel_reports_total", COUNTER,                         \
	  "Records the kernel sent after it had acted.")                                           \
	X(ENF_RULE_ACTIONS, "vigil_enforcement_rule_actions_total", COUNTER,                       \
	  "Enforcement outcomes, by rule and result.")                                             \
	X(POD_EVENTS, "vigil_pod_events_total", COUNTER, "Events written, by pod.")                \
	X(POD_ALERTS, "vigil_pod_alerts_total", COUNTER, "Alerts written, by pod.")                \
	X(PODS_OVERFLOW, "vigil_pods_overflow_total", COUNTER,                                     \
	  "The agent's per-pod counter table was full (stats pods_overflow).")                     \
	X(SERIES_DROPPED, "vigil_metrics_series_dropped_total", COUNTER,                           \
	  "Series left out of scrapes because a family reached its cap, summed over scrapes.")

enum mfam {
#define MF_ENUM(id, name, type, help) MF_##id,
	METRICS_FAMILIES(MF_ENUM)
#undef MF_ENUM
	MF_COUNT
};
_Static_assert(MF_COUNT <= METRICS_FAMILIES_MAX, "struct metrics_state too small");

const char *mfam__name(enum mfam f);

/* One label; len is that of val (label values may come from JSON with any bytes). */
struct mlabel {
	const char *name, *val;
	size_t len;
};
#define ML(n, v) ((struct mlabel){ (n), (v), strlen(v) })
/* a label list and its length, for mw__u64/mw__f64 */
#define MLS(...)                                                                                   \
	((const struct mlabel[]){ __VA_ARGS__ }),                                                  \
		(sizeof((const struct mlabel[]){ __VA_ARGS__ }) / sizeof(struct mlabel))

/* Writes the families, one at a time: mw__begin, then its series. */
struct mw {
	struct metrics_buf *b;
	struct metrics_state *st;
	enum mfam fam;
	unsigned n; /* series of fam written */
	bool head; /* fam's HELP and TYPE written */
};

void mw__begin(struct mw *w, enum mfam fam);
void mw__u64(struct mw *w, uint64_t v, const struct mlabel *l, size_t nl);
void mw__f64(struct mw *w, double v, const struct mlabel *l, size_t nl);
/* a label from a JSON string (NULL when it is not one) */
bool mj_label(json_object *s, const char *name, struct mlabel *out);

/* Readers of the stats record: each is false (and leaves *out) when the member is missing
 * or of another type. Counts must be non-negative numbers; a bool counts as 0 or 1. */
json_object *mj_obj(json_object *o, const char *key);
bool mj_u64(json_object *v, uint64_t *out);
bool mj_ku64(json_object *o, const char *key, uint64_t *out);
bool mj_dbl(json_object *v, double *out);
bool mj_kdbl(json_object *o, const char *key, double *out);
/* "2026-11-21T19:05:24.855839219Z" -> seconds since the epoch */
bool mj_ktime(json_object *o, const char *key, double *out);

/* One series per member of obj ({"open": 3, ...}), label lname = the member's name. */
void mw__by_key(struct mw *w, json_object *obj, const char *lname);
/* The sum of the numeric members of obj. */
uint64_t mj_sum(json_object *obj);

/* Family groups (metrics_render.c, metrics_outputs.c). */
void metrics_render_outputs(struct mw *w, json_object *root);
void metrics_render_store(struct mw *w, json_object *root);
/* One unlabelled series from o's member key (absent: the family with no sample). */
void metrics_render_one(struct mw *w, enum mfam fam, json_object *o, const char *key);
void metrics_render_enforcement(struct mw *w, json_object *root);
void metrics_render_pods(struct mw *w, json_object *root, unsigned max);

#endif /* VIGIL_METRICS_INT_H */
