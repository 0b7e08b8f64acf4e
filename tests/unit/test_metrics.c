// SPDX-License-Identifier: Apache-2.0
/* Unit tests of the Prometheus rendering of the stats record: exact lines, the exposition
 * format's structure, label escaping, caps, and hostile records. */
#include <errno.h>
#include <stdlib.h>

#define UNIT_MAIN
#include "unit.h"
#include "unit_srcdir.h"
#include "metrics.h"
#include "metrics_test.h"

static char *read_fixture(const char *rel, size_t *len)
{
	char path[PATH_MAX];
	FILE *f = fopen(unit_srcpath(path, sizeof(path), rel), "r");
	char *buf;

	if (!f)
		return NULL;
	buf = calloc(1, 1 << 20);
	*len = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	return buf;
}

/* The text of one render (static buffer's copy, freed by the caller). */
static char *render(const char *json, const struct vg_metrics_cfg *cfg, struct metrics_state *st,
		    int *rc)
{
	struct metrics_buf b;
	char *text;

	metrics_buf__init(&b, 0);
	*rc = metrics_render(json, json ? strlen(json) : 0, cfg, st, &b);
	text = strdup(b.data ? b.data : "");
	metrics_buf__free(&b);
	return text;
}

static char *render_fixture(const struct vg_metrics_cfg *cfg)
{
	size_t len;
	char *json = read_fixture("tests/unit/fixtures/metrics/stats_full.json", &len);
	char *text;
	int rc;

	if (!json)
		return strdup("");
	text = render(json, cfg, NULL, &rc);
	CHECK_INT(rc, 0);
	free(json);
	return text;
}

UNIT_TEST(sample_exact_lines)
{
	struct vg_metrics_cfg cfg = { .per_pod = false };
	char *t = render_fixture(&cfg);
	static const char *const lines[] = {
		"# HELP vigil_build_info The agent's version and event schema (always 1).",
		"# TYPE vigil_build_info gauge",
		"vigil_build_info{version=\"" VIGIL_VERSION "\",schema=\"vigil/v1\"} 1",
		"vigil_uptime_seconds 3.367",
		"process_start_time_seconds 1795287921.4888391",
		"process_cpu_seconds_total 2.412",
		"process_resident_memory_bytes 22794240",
		"vigil_resident_memory_peak_bytes 25112576",
		"# TYPE vigil_events_received_total counter",
		"vigil_events_received_total{type=\"exec\"} 12",
		"vigil_events_written_total{type=\"open\"} 38",
		"vigil_events_filtered_user_total{type=\"open\"} 2",
		"vigil_kernel_events_seen_total{type=\"open\"} 644",
		"vigil_kernel_events_emitted_total{type=\"exec\"} 14",
		"vigil_kernel_events_filtered_total{reason=\"self\",type=\"write_head\"} 3",
		"vigil_kernel_events_filtered_total{reason=\"irrelevant\",type=\"close\"} 617",
		"vigil_kernel_events_filtered_total{reason=\"rules\",type=\"connect\"} 3",
		"vigil_kernel_events_dropped_total{type=\"open\"} 5",
		"vigil_kernel_stash_misses_total 0",
		"vigil_kernel_proc_table_full_total 0",
		"vigil_drops_total{stage=\"kernel_ringbuf\",reason=\"ringbuf_full\"} 7",
		"vigil_drops_total{stage=\"kernel_ringbuf\",reason=\"seq_gaps\"} 6",
		"vigil_drops_total{stage=\"decode\",reason=\"decode_error\"} 0",
		"vigil_drops_total{stage=\"output\",reason=\"output_error\"} 0",
		"vigil_drops_total{stage=\"kernel_prefilter\",reason=\"rules\"} 10",
		"vigil_drops_total{stage=\"rules\",reason=\"alerts_dropped\"} 0",
		"vigil_drops_total{stage=\"sink:syslog-1\",reason=\"queue_full\"} 10",
		"vigil_drops_total{stage=\"sink:syslog-1\",reason=\"rejected\"} 2",
		"vigil_drops_total{stage=\"sink:store\",reason=\"at_stop\"} 0",
		"vigil_rules_active 46",
		"vigil_alerts_total{priority=\"warning\"} 3",
		"vigil_alerts_total{priority=\"informational\"} 0",
		"vigil_rule_alerts_total{rule=\"Terminal shell in container\",priority=\"warning\"} 3",
		"vigil_rule_monitored_total{rule=\"Read sensitive file untrusted\",priority=\"critical\"} 2",
		"vigil_bpf_prog_run_total{prog=\"vg_exec\"} 123",
		"vigil_bpf_prog_run_seconds_total{prog=\"vg_exec\"} 0.004567",
		"vigil_bpf_prog_run_seconds_total{prog=\"vg_open\"} 2.5",
		"vigil_cache_entries{cache=\"fd\"} 318",
		"vigil_cache_capacity{cache=\"process\"} 32768",
		"vigil_cache_capacity{cache=\"names\"} 512",
		"vigil_cache_capacity{cache=\"pods\"} 4096",
		"vigil_cache_capacity{cache=\"enforce_threshold\"} 1024",
		"vigil_cache_entries{cache=\"pods\"} 12",
		"vigil_cache_entries{cache=\"k8s_hold\"} 0",
		"vigil_cache_bytes{cache=\"process\"} 2091",
		"vigil_cache_max_bytes{cache=\"process\"} 33554432",
		"vigil_cache_evictions_total{cache=\"cgroup\"} 0",
		"vigil_cache_hits_total{cache=\"process\"} 8",
		"vigil_kubernetes_api_synced 1",
		"vigil_kubernetes_api_events_total 44",
		"vigil_kubernetes_api_errors_total{reason=\"reconnects\"} 2",
		"vigil_kubernetes_hold_total{result=\"expired\"} 1",
		"vigil_output_info{output=\"syslog-1\",type=\"syslog\"} 1",
		"vigil_output_up{output=\"store\"} 1",
		"vigil_output_up{output=\"syslog-1\"} 0",
		"vigil_output_delivered_total{output=\"store\",kind=\"event\"} 40",
		"vigil_output_dropped_total{output=\"syslog-1\",reason=\"queue_full\",kind=\"event\"} 9",
		"vigil_output_dropped_total{output=\"syslog-1\",reason=\"rejected\",kind=\"any\"} 2",
		"vigil_output_queued{output=\"syslog-1\"} 17",
		"vigil_output_queued_bytes{output=\"syslog-1\"} 4096",
		"vigil_output_spilled_total{output=\"syslog-1\"} 3",
		"vigil_output_spill_pending{output=\"syslog-1\"} 2",
		"vigil_output_send_errors_total{output=\"syslog-1\"} 4",
		"vigil_output_latency_seconds{output=\"store\"} 0.00012",
		"vigil_output_latency_max_seconds{output=\"syslog-1\"} 2",
		"vigil_store_rows 10",
		"vigil_store_bytes 4096",
		"vigil_store_deleted_total{reason=\"size\"} 1",
		"vigil_store_repeats_total 7",
		"vigil_store_dedup_evictions_total 2",
		"vigil_enforcement_rules{decided=\"user\"} 1",
		"vigil_enforcement_kills_total{by=\"kernel\"} 3",
		"vigil_enforcement_rule_actions_total{rule=\"Kill miners\",decided=\"kernel\",result=\"acted\"} 3",
		"vigil_enforcement_rule_actions_total{rule=\"Kill miners\",decided=\"kernel\",result=\"skipped\"} 1",
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (!metrics_test_has_line(t, lines[i]))
			printf("  missing line: %s\n", lines[i]), unit_case_failed = 1;
	/* unknown spill backlog (-1) is not a number of rows; per-pod series are opt-in */
	CHECK(!strstr(t, "vigil_output_spill_pending{output=\"store\"}"));
	CHECK(!strstr(t, "vigil_pod_"));
	CHECK(!strstr(t, "vigil_metrics_series_dropped_total"));
	CHECK_STR(metrics_test_check_format(t), "");
	free(t);
}

UNIT_TEST(per_pod_capped_into_other)
{
	struct vg_metrics_cfg cfg = { .per_pod = true, .per_pod_max = 2 };
	char *t = render_fixture(&cfg);

	/* the pod with an alert first, then the busiest; the third is summed into _other */
	CHECK(metrics_test_has_line(t, "vigil_pod_alerts_total{namespace=\"kube-system\",pod=\"coredns-abc\"} 1"));
	CHECK(metrics_test_has_line(t, "vigil_pod_events_total{namespace=\"default\",pod=\"web-1\"} 30"));
	CHECK(metrics_test_has_line(t, "vigil_pod_events_total{namespace=\"_other\",pod=\"_other\"} 7"));
	CHECK(!strstr(t, "pod=\"db-0\""));
	CHECK(metrics_test_has_line(t, "vigil_pods_overflow_total 0"));
	CHECK_STR(metrics_test_check_format(t), "");
	free(t);
	cfg.per_pod_max = 0;
	t = render_fixture(&cfg);
	CHECK(metrics_test_has_line(t, "vigil_pod_events_total{namespace=\"_other\",pod=\"_other\"} 42"));
	CHECK(metrics_test_has_line(t, "vigil_pod_alerts_total{namespace=\"_other\",pod=\"_other\"} 1"));
	free(t);
}

UNIT_TEST(label_escaping)
{
	const char *json = "{\"rules\":{\"by_rule\":{"
			   "\"say \\\"hi\\\" \\\\ now\\nplease\":{\"priority\":\"notice\",\"alerts\":1},"
			   "\"nul\\u0000here\":{\"priority\":\"notice\",\"alerts\":2},"
			   "\"caf\xc3\xa9 \xff\xfe bad\":{\"priority\":\"a\\tb\",\"alerts\":3}}}}";
	int rc;
	char *t = render(json, NULL, NULL, &rc);

	CHECK_INT(rc, 0);
	CHECK(metrics_test_has_line(
		t, "vigil_rule_alerts_total{rule=\"say \\\"hi\\\" \\\\ now\\nplease\",priority=\"notice\"} 1"));
	/* json-c keys stop at NUL; label values never carry one */
	CHECK(metrics_test_has_line(t, "vigil_rule_alerts_total{rule=\"nul\",priority=\"notice\"} 2"));
	CHECK(metrics_test_has_line(t, "vigil_rule_alerts_total{rule=\"caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd bad\","
				       "priority=\"a\tb\"} 3"));
	CHECK_STR(metrics_test_check_format(t), "");
	free(t);
}

UNIT_TEST(label_value_nul_and_bad_utf8)
{
	const char *json = "{\"outputs\":{\"o\":{\"kind\":\"a\\u0000b\\\"\",\"up\":true}}}";
	int rc;
	char *t = render(json, NULL, NULL, &rc);

	CHECK_INT(rc, 0);
	CHECK(metrics_test_has_line(t, "vigil_output_info{output=\"o\",type=\"a\xef\xbf\xbd" "b\\\"\"} 1"));
	free(t);
}

/* A record with many rules: the family stops at METRICS_SERIES_MAX and says how many it cut,
 * summed over scrapes. */
UNIT_TEST(series_cap)
{
	size_t cap = 64 + 2500 * 64, len = 0;
	char *json = malloc(cap), *t;
	struct metrics_state st = { { 0 } };
	int rc;

	len += (size_t)snprintf(json + len, cap - len, "{\"rules\":{\"by_rule\":{");
	for (int i = 0; i < 2500; i++)
		len += (size_t)snprintf(json + len, cap - len, "%s\"rule %d\":{\"alerts\":%d}",
					i ? "," : "", i, i);
	snprintf(json + len, cap - len, "}}}");
	t = render(json, NULL, &st, &rc);
	CHECK_INT(rc, 0);
	CHECK_INT(metrics_test_count_prefix(t, "vigil_rule_alerts_total{"), METRICS_SERIES_MAX);
	CHECK(metrics_test_has_line(t, "vigil_rule_alerts_total{rule=\"rule 1999\",priority=\"\"} 1999"));
	CHECK(!strstr(t, "rule 2000"));
	CHECK(metrics_test_has_line(
		t, "vigil_metrics_series_dropped_total{family=\"vigil_rule_alerts_total\"} 500"));
	CHECK_STR(metrics_test_check_format(t), "");
	free(t);
	t = render(json, NULL, &st, &rc);
	CHECK(metrics_test_has_line(
		t, "vigil_metrics_series_dropped_total{family=\"vigil_rule_alerts_total\"} 1000"));
	free(t);
	free(json);
}

UNIT_TEST(buffer_cap)
{
	struct metrics_buf b;

	metrics_buf__init(&b, 100);
	CHECK_INT(metrics_render(NULL, 0, NULL, NULL, &b), -E2BIG);
	CHECK(b.len < 100);
	metrics_buf__free(&b);
}

UNIT_TEST(no_record)
{
	int rc;
	char *t = render(NULL, NULL, NULL, &rc);

	CHECK_INT(rc, 0);
	CHECK(metrics_test_has_line(t, "vigil_build_info{version=\"" VIGIL_VERSION
				       "\",schema=\"" VIGIL_SCHEMA "\"} 1"));
	CHECK_INT(metrics_test_count_prefix(t, "vigil_"), 1);
	free(t);
}

/* Whatever the record, a render never fails beyond -EINVAL and stays well formed. */
UNIT_TEST(hostile_records)
{
	static const char *const bad[] = {
		"not json", "{\"events\":", "[1,2]", "{} trailing", "\"str\"", "{\"a\":1}}",
	};
	static const char *const odd[] = {
		"{\"events\":\"x\",\"kernel\":[1],\"drops\":{\"ringbuf_full\":7,\"seq_gaps\":-3}}",
		"{\"events\":{\"open\":-1,\"exec\":1.5e300,\"x\":null,\"y\":{}},\"agent\":{\"uptime_s\":\"1\"}}",
		"{\"rules\":{\"by_rule\":{\"r\":7,\"s\":{\"alerts\":\"3\",\"priority\":4}},\"alerts\":[]}}",
		"{\"outputs\":{\"a\":1,\"b\":{\"dropped\":{\"queue_full\":[1]},\"latency_ns\":7,"
		"\"delivered\":{\"event\":true}}},\"store\":[],\"pods\":{\"x\":1}}",
		"{\"enforcement\":{\"rules\":1,\"kernel_rules\":5,\"by_rule\":[1,{\"rule\":3},{}]}}",
		"{\"time\":\"garbage\",\"agent\":{\"uptime_s\":1}}",
		"{\"pods\":{\"noslash\":{\"events\":1},\"a/b/c\":{\"alerts\":2}},\"pods_overflow\":3}",
	};
	struct vg_metrics_cfg cfg = { .per_pod = true, .per_pod_max = 1 };
	int rc;
	char *t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = render(bad[i], &cfg, NULL, &rc);
		CHECK_INT(rc, -EINVAL);
		CHECK(strstr(t, "vigil_build_info{") != NULL);
		CHECK_STR(metrics_test_check_format(t), "");
		free(t);
	}
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		t = render(odd[i], &cfg, NULL, &rc);
		CHECK_INT(rc, 0);
		CHECK_STR(metrics_test_check_format(t), "");
		free(t);
	}
	t = render(odd[1], &cfg, NULL, &rc);
	CHECK(!strstr(t, "type=\"exec\"")); /* not a count a counter can hold */
	CHECK(!strstr(t, "type=\"open\""));
	free(t);
	t = render(odd[6], &cfg, NULL, &rc);
	CHECK(metrics_test_has_line(t, "vigil_pod_alerts_total{namespace=\"a\",pod=\"b/c\"} 2"));
	CHECK(metrics_test_has_line(t, "vigil_pod_events_total{namespace=\"_other\",pod=\"_other\"} 1"));
	free(t);
}

/* The fixture with random bytes changed or cut short: never a crash, always well formed. */
UNIT_TEST(mutated_records)
{
	struct vg_metrics_cfg cfg = { .per_pod = true, .per_pod_max = 1 };
	static const char alphabet[] = "{}[]\":,0123456789-.eE \\untrfalse\xff";
	size_t len;
	char *json = read_fixture("tests/unit/fixtures/metrics/stats_full.json", &len);
	char *copy = malloc(len + 1);
	int bad = 0;

	srand(7);
	for (int i = 0; json && copy && i < 3000; i++) {
		struct metrics_buf b;
		size_t n = i % 5 == 0 ? (size_t)rand() % len : len;
		int rc;

		memcpy(copy, json, len + 1);
		for (int k = rand() % 4; k >= 0; k--)
			copy[rand() % len] = alphabet[rand() % (sizeof(alphabet) - 1)];
		metrics_buf__init(&b, 0);
		rc = metrics_render(copy, n, &cfg, NULL, &b);
		if ((rc != 0 && rc != -EINVAL) || metrics_test_check_format(b.data)[0])
			bad++;
		metrics_buf__free(&b);
	}
	CHECK_INT(bad, 0);
	free(copy);
	free(json);
}

int main(void)
{
	return unit_run();
}
