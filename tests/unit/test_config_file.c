// SPDX-License-Identifier: Apache-2.0
/*
 * The config file: every top-level option key, every section, the outputs and their checks,
 * every kind of error with its FILE:LINE:COL and key, precedence (defaults < file < command
 * line) through cli_run_parse, and hostile files (truncated, binary, deep, huge, aliases).
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define UNIT_MAIN
#include "unit.h"
#include "unit_srcdir.h"
#include "cfgval.h"
#include "cli_run.h"
#include "config_file.h"
#include "evsel.h"
#include "redact.h"
#include "rules_load.h"
#include "sink.h"
#include "vigil/events.h"

static char dir[64], path[128];
static char err[16384];

/* The file vigil.yaml holding text (len bytes). */
static void put_file(const char *text, size_t len)
{
	FILE *f;

	if (!dir[0]) {
		strcpy(dir, "/tmp/vg-cfg-XXXXXX");
		CHECK(mkdtemp(dir) != NULL);
		snprintf(path, sizeof(path), "%s/vigil.yaml", dir);
	}
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(fwrite(text, 1, len, f) == len);
	fclose(f);
}

/* Load text onto fresh defaults; cfg must be config_free()d. */
static int load(const char *text, struct vg_config *cfg)
{
	put_file(text, strlen(text));
	config_defaults(cfg);
	return config_file__load(path, cfg, err, sizeof(err));
}

/* Load text, expect failure with msg (after the directory) among the errors. */
static void bad(const char *text, const char *msg, int line)
{
	struct vg_config cfg;
	char want[512];

	int rc = load(text, &cfg);

	/* a message naming the file names it by its path */
	snprintf(want, sizeof(want), "%s%s", strncmp(msg, "vigil.yaml", 10) ? "" : dir, msg);
	if (strncmp(msg, "vigil.yaml", 10) == 0)
		want[strlen(dir)] = '/', memmove(want + strlen(dir) + 1, msg, strlen(msg) + 1);
	if (rc != -EINVAL || !strstr(err, want)) {
		printf("  FAIL %s:%d: want \"%s\" in:\n%s\n", __FILE__, line, msg, err);
		unit_case_failed = 1;
	}
	config_free(&cfg);
}
#define BAD(text, msg) bad(text, msg, __LINE__)

static void good(const char *text, struct vg_config *cfg, int line)
{
	if (load(text, cfg)) {
		printf("  FAIL %s:%d: unexpected errors:\n%s\n", __FILE__, line, err);
		unit_case_failed = 1;
	}
}
#define GOOD(text, cfg) good(text, cfg, __LINE__)

UNIT_TEST(empty_files)
{
	struct vg_config a, b;
	const char *empties[] = { "", "# nothing\n", "---\n", "~\n", "---\n...\n" };

	config_defaults(&b);
	for (unsigned i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
		GOOD(empties[i], &a);
		CHECK(!memcmp(&a, &b, sizeof(a)));
		config_free(&a);
	}
	/* a key without a value keeps its default */
	GOOD("ringbuf_size:\nstore:\n  path: ~\n", &a);
	CHECK_INT(a.ringbuf_bytes, b.ringbuf_bytes);
	CHECK_STR(a.store.path, b.store.path);
	config_free(&a);
}

UNIT_TEST(top_level_options)
{
	struct vg_config c;

	GOOD("node: n1\nringbuf_size: 8M\nproc_table_size: 2048\nproc_cache_size: 128\n"
	     "proc_cache_bytes: 1M\nexit_grace: 5\ncgroup_cache_size: 64\nancestors: 3\n"
	     "stats_interval: 0\nevent_slice: 0\nprocfs_seed: false\nbtf: /b\nevents: [file, network]\n"
	     "scope: [\"pod:0123456789abcdef\"]\nignore_path: [/proc/, /sys/*]\n"
	     "report_path: /etc/shadow\nsample: {open: 10, connect: 2}\nkubeconfig: /k\n"
	     "kubernetes: false\nmetadata: /m.yaml\nk8s_hold: 100\npod_cache_size: 32\n"
	     "rules: [/r1.yaml, /r2]\nmin_priority: warning\nrule_mode: monitor\n"
	     "alerts_output: /a.json\nrule_prefilter: false\nlog_level: debug\n",
	     &c);
	CHECK_STR(c.node, "n1");
	CHECK_INT(c.ringbuf_bytes, 8 << 20);
	CHECK_INT(c.proc_table_entries, 2048);
	CHECK_INT(c.proc_cache_entries, 128);
	CHECK_INT(c.proc_cache_bytes, 1 << 20);
	CHECK_INT(c.exit_grace_ns, 5000000000ll);
	CHECK_INT(c.cgroup_cache_entries, 64);
	CHECK_INT(c.ancestors, 3);
	CHECK_INT(c.stats_interval_s, 0);
	CHECK_INT(c.event_slice_us, 0);
	CHECK(!c.seed_procfs);
	CHECK_STR(c.btf_path, "/b");
	CHECK(c.events_given);
	CHECK(c.events & EVSEL_BIT(VG_EV_OPEN));
	CHECK(!(c.events & EVSEL_BIT(VG_EV_SETUID)));
	CHECK_INT(c.scope.mode, VG_SCOPE_CGROUPS);
	CHECK_INT(c.scope.npods, 1);
	CHECK_INT(c.npath_filters, 3);
	CHECK(c.path_filters[2].report);
	CHECK_INT(c.sample[VG_EV_OPEN], 10);
	CHECK_INT(c.sample[VG_EV_CONNECT], 2);
	CHECK_STR(c.kubeconfig, "/k");
	CHECK(!c.k8s_api);
	CHECK_STR(c.metadata_file, "/m.yaml");
	CHECK_INT(c.k8s_hold_ns, 100000000);
	CHECK_INT(c.pod_cache_entries, 32);
	CHECK_INT(c.nrules, 2);
	CHECK_STR(c.rules[1], "/r2");
	CHECK_INT(c.min_priority, RULES_PRIO_WARNING);
	CHECK_INT(c.rule_mode, RULES_MODE_MONITOR);
	CHECK_STR(c.alerts_output, "/a.json");
	CHECK(c.no_rule_prefilter);
	CHECK_INT(c.log_level, LOG_DEBUG);
	config_free(&c);
	/* the other spellings: a comma list, TYPE=N items, rules: [], switches on */
	GOOD("events: \"process,file\"\nsample: [\"open=3\"]\nrules: []\nkubernetes: yes\n"
	     "procfs_seed: true\nno_rules: false\nscope: containers\n",
	     &c);
	CHECK(c.events & EVSEL_BIT(VG_EV_EXEC));
	CHECK(!(c.events & EVSEL_BIT(VG_EV_CONNECT)));
	CHECK_INT(c.sample[VG_EV_OPEN], 3);
	CHECK(!c.no_rules); /* rules: [] set it, no_rules: false cleared it again */
	CHECK(c.k8s_api && c.seed_procfs);
	CHECK_INT(c.scope.mode, VG_SCOPE_CONTAINERS);
	config_free(&c);
	GOOD("rules: []\n", &c);
	CHECK(c.no_rules);
	config_free(&c);
}

UNIT_TEST(option_errors)
{
	BAD("ringbuf_size: 12Q\n", "vigil.yaml:1:1: ringbuf_size: expected a size such as 4M");
	BAD("node: x\nancestors: 99\n",
	    "vigil.yaml:2:1: ancestors: expected a whole number from 0 to 64");
	BAD("event_slice: 50\n",
	    "vigil.yaml:1:1: event_slice: expected 0 or 100 .. 100000 (microseconds)");
	BAD("min_priority: loud\n", "vigil.yaml:1:1: min_priority: expected emergency, alert");
	BAD("rule_mode: x\n", "vigil.yaml:1:1: rule_mode: expected monitor, alert or enforce");
	BAD("log_level: loud\n", "vigil.yaml:1:1: log_level: expected error, warn, info or debug");
	BAD("events:\n  - file\n  - bogus\n",
	    "vigil.yaml:3:5: events: unknown event type or group 'bogus'");
	BAD("events: file,bogus\n", "vigil.yaml:1:1: events: unknown event type or group 'bogus'");
	BAD("sample:\n  open: 10\n  opn: 3\n", "vigil.yaml:3:3: sample: 'opn': unknown event type");
	BAD("sample: {open: 0}\n", "vigil.yaml:1:10: sample: '0': N must be a whole number");
	BAD("scope: [\"pod:xyz\"]\n", "vigil.yaml:1:9: scope: 'xyz' is not a pod uid");
	BAD("ignore_path: [relative]\n", "vigil.yaml:1:15: ignore_path: 'relative': expected an "
					   "absolute path");
	BAD("rules: [\"\"]\n", "vigil.yaml:1:9: rules: empty path");
	BAD("btf: \"\"\n", "vigil.yaml:1:1: btf: empty path");
	/* wrong types */
	BAD("ringbuf_size: [1]\n", "vigil.yaml:1:1: ringbuf_size: expected a single value, not a list");
	BAD("node: {a: b}\n", "vigil.yaml:1:1: node: expected a single value, not a mapping");
	BAD("kubernetes: maybe\n", "vigil.yaml:1:1: kubernetes: expected true or false");
	BAD("ignore_path: {a: b}\n", "vigil.yaml:1:1: ignore_path: expected a value or a list");
	BAD("rules: [[a]]\n", "vigil.yaml:1:9: rules: expected a single value, not a list");
	BAD("store: 5\n", "vigil.yaml:1:1: store: expected a mapping (key: value)");
	BAD("node: \"a\\0b\"\n", "vigil.yaml:1:1: node: a NUL character in the value");
}

UNIT_TEST(keys_and_documents)
{
	struct vg_config c;
	char many[4096] = "";

	BAD("ringbuf-size: 4M\n", "vigil.yaml:1:1: ringbuf-size: unknown key; did you mean "
				  "'ringbuf_size'?");
	BAD("evnts: all\n", "vigil.yaml:1:1: evnts: unknown key; did you mean 'events'?");
	BAD("xyzzy_plugh: 1\n", "vigil.yaml:1:1: xyzzy_plugh: unknown key");
	CHECK(!strstr(err, "did you mean"));
	BAD("store:\n  max_sise: 1G\n", "vigil.yaml:2:3: store.max_sise: unknown key; did you "
					"mean 'max_size'?");
	BAD("config: /x\n", "vigil.yaml:1:1: config: unknown key"); /* command line only */
	BAD("node: a\nnode: b\n", "vigil.yaml:2:1: node: given twice (first on line 1)");
	BAD("- a\n- b\n", "vigil.yaml:1:1: expected a mapping of settings");
	BAD("node: a\n---\nnode: b\n", "vigil.yaml:3:1: one YAML document only");
	BAD("node: [a\n", "vigil.yaml:2:1: did not find expected ',' or ']'");
	/* every problem is reported, up to a bound, then counted */
	for (int i = 0; i < 30; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "bad%d: 1\n", i);
	CHECK_INT(load(many, &c), -EINVAL);
	CHECK(strstr(err, "vigil.yaml:20:1: bad19: unknown key"));
	CHECK(!strstr(err, "bad20"));
	CHECK(strstr(err, "vigil.yaml: 10 more errors"));
	config_free(&c);
	/* a file that does not exist */
	config_defaults(&c);
	CHECK_INT(config_file__load("/nonexistent/vigil.yaml", &c, err, sizeof(err)), -ENOENT);
	CHECK_STR(err, "/nonexistent/vigil.yaml: cannot open: No such file or directory");
}

UNIT_TEST(store_section)
{
	struct vg_config c;

	GOOD("store:\n  enabled: false\n  path: /data/v.db\n  max_age: 2h\n  max_size: 512M\n"
	     "  events: false\n  queue_size: 4096\n  group: vigil-readers\n  dedup_window: 5m\n",
	     &c);
	CHECK_INT(c.store.dedup_window_s, 300);
	CHECK(!c.store.enabled && !c.store.events);
	CHECK_STR(c.store.path, "/data/v.db");
	CHECK_INT(c.store.max_age_s, 7200);
	CHECK_INT(c.store.max_bytes, 512ull << 20);
	CHECK_INT(c.store.queue_entries, 4096);
	CHECK_STR(c.store.group, "vigil-readers");
	config_free(&c);
	GOOD("store: {max_age: 0, max_size: 0, dedup_window: 0}\n", &c);
	CHECK_INT(c.store.dedup_window_s, 0);
	CHECK_INT(c.store.max_age_s, 0);
	CHECK_INT(c.store.max_bytes, 0);
	config_free(&c);
	BAD("\n\n\n\n\n\n\n\n\n\n\nstore:\n  max_age: 7x\n",
	    "vigil.yaml:13:3: store.max_age: expected a duration such as 7d");
	BAD("store: {max_age: 1500ms}\n", "vigil.yaml:1:9: store.max_age: expected whole seconds");
	BAD("store: {max_age: 99999d}\n", "vigil.yaml:1:9: store.max_age: expected a duration from");
	BAD("store: {max_size: 1X}\n", "store.max_size: expected a size such as 512M");
	BAD("store: {max_size: 99999999999999999999}\n", "store.max_size: expected a size");
	BAD("store: {max_size: 2000T}\n", "store.max_size: too large");
	BAD("store: {queue_size: 5}\n", "store.queue_size: expected a whole number from 1024");
	BAD("store: {path: \"\"}\n", "store.path: must not be empty");
	BAD("store: {dedup_window: 2d}\n", "vigil.yaml:1:9: store.dedup_window: expected a duration from");
	BAD("store: {dedup_window: soon}\n", "store.dedup_window: expected a duration such as 7d");
	BAD("store: {group: \"a b\"}\n", "store.group: not a group name");
	BAD("store: {enabled: 2}\n", "store.enabled: expected true or false");
}

UNIT_TEST(metrics_stdout_sections)
{
	struct vg_config c;
	const char *off[] = { "metrics: {listen: false}\n", "metrics: {listen: \"\"}\n",
			      "metrics: {listen: none}\n" };

	GOOD("metrics:\n  listen: \"[::1]:9100\"\n  per_pod: true\n  per_pod_max: 7\n"
	     "stdout: {events: false, alerts: false}\n",
	     &c);
	CHECK_STR(c.metrics.listen, "[::1]:9100");
	CHECK(c.metrics.per_pod);
	CHECK_INT(c.metrics.per_pod_max, 7);
	CHECK(!c.stdout_events && !c.stdout_alerts);
	config_free(&c);
	for (unsigned i = 0; i < 3; i++) {
		GOOD(off[i], &c);
		CHECK_STR(c.metrics.listen, "");
		config_free(&c);
	}
	BAD("metrics: {listen: localhost}\n", "metrics.listen: expected HOST:PORT");
	BAD("metrics: {listen: \"h:70000\"}\n", "metrics.listen: expected HOST:PORT");
	BAD("metrics: {per_pod_max: 0}\n", "metrics.per_pod_max: expected a whole number from 1");
	BAD("stdout: {events: true, stats: true}\n", "stdout.stats: unknown key");
}

UNIT_TEST(redact_sections)
{
	struct vg_config c;
	unsigned ndefs;

	redact__defaults(&ndefs);
	GOOD("redact: [\"--db-pass=\", MY_KEY]\n", &c);
	CHECK_INT(c.nredact, 2);
	CHECK_STR(c.redact[0], "--db-pass=");
	config_free(&c);
	GOOD("redact_extra: [x_token]\n", &c);
	CHECK_INT(c.nredact, ndefs + 1);
	CHECK_STR(c.redact[0], "password");
	CHECK_STR(c.redact[ndefs], "x_token");
	config_free(&c);
	/* both: the list, then the extras, whatever their order in the file */
	GOOD("redact_extra: b\nredact: a\n", &c);
	CHECK_INT(c.nredact, 2);
	CHECK_STR(c.redact[0], "a");
	CHECK_STR(c.redact[1], "b");
	config_free(&c);
	BAD("redact: []\n", "vigil.yaml:1:1: redact: an empty list would turn redaction off");
	BAD("redact: [ok, \"a b\"]\n", "vigil.yaml:1:14: redact: redaction pattern 'a b': only");
	BAD("redact_extra: {a: b}\n", "redact_extra: expected a list of patterns");
}

static const char outputs_ok[] =
	"outputs:\n"
	"  - type: file\n"
	"    path: /var/log/vigil/alerts.json\n"
	"    events: true\n"
	"    max_size: 10M\n"
	"    keep: 2\n"
	"  - type: syslog\n"
	"    address: udp://10.0.0.1\n"
	"    facility: local3\n"
	"    min_priority: error\n"
	"    stats: true\n"
	"  - type: syslog\n"
	"    name: siem\n"
	"    address: tls://[fd00::1]:6514\n"
	"    format: cef\n"
	"    facility: 4\n"
	"    app_name: vg\n"
	"    ca_file: /ca.pem\n"
	"    cert_file: /c.pem\n"
	"    key_file: /k.pem\n"
	"    queue_size: 100\n"
	"    backoff_max: 5s\n"
	"  - type: http\n"
	"    url: https://es.local:9200/_bulk\n"
	"    format: elasticsearch\n"
	"    index: vigil-alerts\n"
	"    headers: {Authorization: \"ApiKey abc\", X-Scope: t1}\n"
	"    timeout: 1500ms\n"
	"    insecure: true\n"
	"    alerts: false\n"
	"    events: true\n";

UNIT_TEST(outputs_valid)
{
	struct vg_config c;
	const struct vg_output *o = c.outputs;

	GOOD(outputs_ok, &c);
	CHECK_INT(c.noutputs, 4);
	CHECK_INT(o[0].type, VG_OUT_FILE);
	CHECK_STR(o[0].name, "file-1");
	CHECK_INT(o[0].kinds, OUT_KIND_MASK(OUT_ALERT) | OUT_KIND_MASK(OUT_EVENT));
	CHECK_INT(o[0].max_bytes, 10 << 20);
	CHECK_INT(o[0].keep, 2);
	CHECK_INT(o[0].queue_entries, 16384);
	CHECK_INT(o[0].backoff_max_ms, 30000);
	CHECK_INT(o[0].min_prio, RULES_PRIO_DEBUG);
	CHECK_STR(o[1].name, "syslog-1");
	CHECK_STR(o[1].address, "udp://10.0.0.1:514"); /* the port is always there */
	CHECK_STR(o[1].format, "rfc5424");
	CHECK_INT(o[1].facility, 19);
	CHECK_INT(o[1].min_prio, RULES_PRIO_ERROR);
	CHECK_STR(o[1].app_name, "vigil");
	CHECK_INT(o[1].kinds, OUT_KIND_MASK(OUT_ALERT) | OUT_KIND_MASK(OUT_STATS));
	CHECK_STR(o[2].name, "siem");
	CHECK_STR(o[2].address, "tls://[fd00::1]:6514");
	CHECK_STR(o[2].format, "cef");
	CHECK_INT(o[2].facility, 4);
	CHECK_STR(o[2].app_name, "vg");
	CHECK_STR(o[2].cert_file, "/c.pem");
	CHECK_INT(o[2].queue_entries, 100);
	CHECK_INT(o[2].backoff_max_ms, 5000);
	CHECK_STR(o[3].name, "http-1");
	CHECK_STR(o[3].address, "https://es.local:9200/_bulk");
	CHECK_STR(o[3].format, "elasticsearch");
	CHECK_STR(o[3].index, "vigil-alerts");
	CHECK_INT(o[3].nheaders, 2);
	CHECK_STR(o[3].headers[0], "Authorization: ApiKey abc");
	CHECK_STR(o[3].headers[1], "X-Scope: t1");
	CHECK_INT(o[3].timeout_ms, 1500);
	CHECK(o[3].insecure);
	CHECK_INT(o[3].kinds, OUT_KIND_MASK(OUT_EVENT));
	config_free(&c);
	GOOD("outputs: []\n", &c);
	CHECK_INT(c.noutputs, 0);
	config_free(&c);
	GOOD("outputs:\n  - {type: http, url: \"http://127.0.0.1:8080\"}\n"
	     "  - {type: syslog, address: \"tcp://logs:1514\"}\n",
	     &c);
	CHECK_STR(c.outputs[0].format, "falco");
	CHECK_STR(c.outputs[1].address, "tcp://logs:1514");
	config_free(&c);
}

UNIT_TEST(outputs_errors)
{
	char many[2048] = "outputs:\n";

	BAD("outputs: {type: file}\n", "vigil.yaml:1:1: outputs: expected a list of outputs");
	BAD("outputs:\n  - file\n", "vigil.yaml:2:5: outputs[0]: expected a mapping");
	BAD("outputs:\n  - path: /x\n", "vigil.yaml:2:5: outputs[0]: no type:");
	BAD("outputs:\n  - type: kafka\n", "vigil.yaml:2:11: outputs[0].type: expected file, "
					   "syslog or http");
	BAD("outputs:\n  - type: file\n", "vigil.yaml:2:5: outputs[0]: a file output needs a path");
	BAD("outputs:\n  - type: syslog\n", "outputs[0]: a syslog output needs an address");
	BAD("outputs:\n  - type: http\n", "outputs[0]: a http output needs a url");
	BAD("outputs:\n  - type: file\n    path: /x\n    url: http://h\n",
	    "vigil.yaml:4:5: outputs[0].url: not a setting of file outputs");
	BAD("outputs:\n  - type: file\n    path: /x\n    paht: /y\n",
	    "vigil.yaml:4:5: outputs[0].paht: unknown key; did you mean 'path'?");
	BAD("outputs:\n  - {type: syslog, address: \"udp:/h:1\"}\n",
	    "outputs[0].address: expected udp://HOST:PORT");
	BAD("outputs:\n  - {type: syslog, address: \"udp://h:0\"}\n", "outputs[0].address: expected");
	BAD("outputs:\n  - {type: syslog, address: \"udp://a b:1\"}\n", "outputs[0].address: ");
	BAD("outputs:\n  - {type: http, url: \"ftp://h\"}\n", "outputs[0].url: expected http://");
	BAD("outputs:\n  - {type: http, url: \"http://h/a b\"}\n", "outputs[0].url: blanks");
	BAD("outputs:\n  - {type: http, url: \"https://\"}\n", "outputs[0].url: expected http://");
	BAD("outputs:\n  - {type: http, url: \"http://h\", format: splunk}\n",
	    "outputs[0].format: expected falco, elasticsearch or otlp");
	BAD("outputs:\n  - {type: syslog, address: \"udp://h\", format: json}\n",
	    "outputs[0].format: expected rfc5424 or cef");
	BAD("outputs:\n  - {type: syslog, address: \"udp://h\", facility: local9}\n",
	    "outputs[0].facility: expected a facility name");
	BAD("outputs:\n  - {type: syslog, address: \"udp://h\", app_name: \"a b\"}\n",
	    "outputs[0].app_name: printable ASCII");
	BAD("outputs:\n  - {type: http, url: \"http://h\", index: x}\n",
	    "outputs[0].index: only for format: elasticsearch");
	BAD("outputs:\n  - {type: http, url: \"http://h\", format: elasticsearch, index: _x}\n",
	    "outputs[0].index: not an Elasticsearch index name");
	BAD("outputs:\n  - {type: http, url: \"http://h\", headers: {\"a b\": c}}\n",
	    "outputs[0].headers: 'a b' is not a header name");
	BAD("outputs:\n  - {type: http, url: \"http://h\", headers: {a: \"x\\r\\ny\"}}\n",
	    "outputs[0].headers: a header value is one line");
	BAD("outputs:\n  - {type: http, url: \"http://h\", headers: {a: 1, A: 2}}\n",
	    "outputs[0].headers: header 'A' given twice");
	BAD("outputs:\n  - {type: http, url: \"http://h\", headers: {a: 1, b: 2, c: 3, d: 4, e: 5, "
	    "f: 6, g: 7, h: 8, i: 9}}\n",
	    "outputs[0].headers: more than 8 headers");
	BAD("outputs:\n  - {type: http, url: \"http://h\", ca_file: /ca}\n",
	    "outputs[0].ca_file: only with an https:// address");
	BAD("outputs:\n  - {type: syslog, address: \"udp://h\", insecure: true}\n",
	    "outputs[0].insecure: only with a tls:// address");
	BAD("outputs:\n  - {type: syslog, address: \"tls://h\", cert_file: /c}\n",
	    "outputs[0]: cert_file and key_file go together");
	BAD("outputs:\n  - {type: file, path: /x, alerts: false}\n",
	    "outputs[0]: sends nothing");
	BAD("outputs:\n  - {type: file, path: /x, min_priority: urgent}\n",
	    "outputs[0].min_priority: expected emergency");
	BAD("outputs:\n  - {type: file, path: /x, backoff_max: 10ms}\n",
	    "outputs[0].backoff_max: expected a duration from 100ms to 1h");
	BAD("outputs:\n  - {type: http, url: \"http://h\", timeout: forever}\n",
	    "outputs[0].timeout: expected a duration such as 7d");
	BAD("outputs:\n  - {type: file, path: /x, keep: 1000}\n", "outputs[0].keep: expected a whole");
	BAD("outputs:\n  - {type: file, path: /x, name: \"a/b\"}\n", "outputs[0].name: only letters");
	BAD("outputs:\n  - {type: file, path: /x, name: a}\n  - {type: file, path: /y, name: a}\n",
	    "vigil.yaml:3:34: outputs[1].name: 'a' is the name of outputs[0] too");
	BAD("outputs:\n  - {type: file, path: /x, name: file-2}\n  - {type: file, path: /y}\n",
	    "vigil.yaml:3:5: outputs[1].name: 'file-2' is the name of outputs[0] too");
	BAD("outputs:\n  - {type: file, path: /x, name: store}\n", "'store' is the evidence store");
	for (int i = 0; i < 17; i++)
		strcat(many, "  - {type: file, path: /x}\n");
	BAD(many, "vigil.yaml:18:5: outputs: more than 16 outputs");
}

/* cli_run_parse with a file and a command line; argv[0] is "run". */
static int parse(struct vg_config *c, const char *yaml, int argc, char **argv)
{
	put_file(yaml, strlen(yaml));
	return cli_run_parse(argc, argv, c, err, sizeof(err));
}

UNIT_TEST(precedence)
{
	struct vg_config c;
	char cfgopt[160];
	char *argv[] = { "run", "--ringbuf-size", "16M", cfgopt, "--rules", "/c.yaml",
			 "--no-kubernetes", "--redact", "my_secret", "--ignore-path", "/tmp/",
			 NULL };
	int argc = sizeof(argv) / sizeof(argv[0]) - 1;
	unsigned ndefs;

	redact__defaults(&ndefs);
	put_file("", 0);
	snprintf(cfgopt, sizeof(cfgopt), "--config=%s", path);
	CHECK_INT(parse(&c, "ringbuf_size: 8M\nancestors: 2\nrules: [/a, /b]\nno_rules: true\n"
			    "kubernetes: true\nignore_path: [/proc/]\nreport_path: [/etc/x]\n"
			    "store: {path: /s.db}\n",
			argc, argv),
		  0);
	CHECK_STR(c.config_file, path);
	CHECK_INT(c.ringbuf_bytes, 16 << 20); /* the command line wins */
	CHECK_INT(c.ancestors, 2);	      /* the file beats the default */
	CHECK_INT(c.nrules, 1);		      /* --rules replaces the file's list */
	CHECK_STR(c.rules[0], "/c.yaml");
	CHECK(!c.no_rules);
	CHECK(!c.k8s_api);
	CHECK_INT(c.nredact, ndefs + 1); /* --redact adds to the defaults */
	CHECK_INT(c.npath_filters, 2);	 /* ignore paths replaced, report paths kept */
	CHECK_STR(c.path_filters[0].path, "/etc/x");
	CHECK_STR(c.path_filters[1].path, "/tmp/");
	CHECK_STR(c.store.path, "/s.db");
	config_free(&c);
	/* the same arguments again: the reload of SIGHUP reads the file anew */
	CHECK_INT(parse(&c, "ancestors: 5\n", argc, argv), 0);
	CHECK_INT(c.ancestors, 5);
	CHECK_INT(c.ringbuf_bytes, 16 << 20);
	config_free(&c);
	/* a bad file */
	CHECK_INT(parse(&c, "ancestors: 500\n", argc, argv), -EBADMSG);
	CHECK(strstr(err, "/vigil.yaml:1:1: ancestors: expected a whole number from 0 to 64"));
	config_free(&c);
}

UNIT_TEST(command_line)
{
	struct vg_config c;
	char *bad1[] = { "run", "--ancestors", "x9", NULL };
	char *bad2[] = { "run", "--store-max-age", "7x", NULL };
	char *bad3[] = { "run", "extra", NULL };
	char *help[] = { "run", "--ancestors", "x9", "--help", NULL };
	char *news[] = { "run", "--store", "/x.db", "--store-max-age", "90s", "--store-max-size",
			 "2G", "--metrics-listen", "none", "--no-stdout-events", "--no-stdout-alerts",
			 "--no-store", "--store-dedup-window", "10s", NULL };

	CHECK_INT(cli_run_parse(3, bad1, &c, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "vigil run: --ancestors x9: expected a whole number from 0 to 64\n"
		       "see `vigil run --help`");
	config_free(&c);
	CHECK_INT(cli_run_parse(3, bad2, &c, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "vigil run: --store-max-age 7x: expected a duration such as 7d (units ms, "
		       "s, m, h, d)\nsee `vigil run --help`");
	config_free(&c);
	CHECK_INT(cli_run_parse(2, bad3, &c, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "vigil run: unexpected argument 'extra'; see `vigil run --help`");
	config_free(&c);
	CHECK_INT(cli_run_parse(4, help, &c, err, sizeof(err)), CLI_RUN_HELP);
	config_free(&c);
	CHECK_INT(cli_run_parse(14, news, &c, err, sizeof(err)), 0);
	CHECK_INT(c.store.dedup_window_s, 10);
	CHECK_STR(c.store.path, "/x.db");
	CHECK_INT(c.store.max_age_s, 90);
	CHECK_INT(c.store.max_bytes, 2ull << 30);
	CHECK_STR(c.metrics.listen, "");
	CHECK(!c.stdout_events && !c.stdout_alerts && !c.store.enabled);
	config_free(&c);
	/* cli_run_option names its origin */
	config_defaults(&c);
	CHECK_INT(cli_run_option("ancestors", "x", &c, NULL, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "vigil run: --ancestors x: expected a whole number from 0 to 64");
	CHECK_INT(cli_run_option("k8s-hold", "-1", &c, "f.yaml:3:4", err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "f.yaml:3:4: k8s_hold: expected a whole number from 0 to 60000");
	CHECK_INT(cli_run_option("no-kubernetes", "false", &c, NULL, err, sizeof(err)), 0);
	CHECK(c.k8s_api);
	CHECK_INT(cli_run_option("no-kubernetes", NULL, &c, NULL, err, sizeof(err)), 0);
	CHECK(!c.k8s_api);
	CHECK_INT(cli_run_option("nope", "1", &c, NULL, err, sizeof(err)), -ENOENT);
	config_free(&c);
}

/* Must not crash, hang or leak on anything; errors name the file. */
static void survive(const char *text, size_t len)
{
	struct vg_config c;
	int rc;

	put_file(text, len);
	config_defaults(&c);
	rc = config_file__load(path, &c, err, sizeof(err));
	CHECK(rc == 0 || (strstr(err, path) == err && strlen(err) < sizeof(err)));
	config_free(&c);
}

UNIT_TEST(hostile_files)
{
	size_t n = strlen(outputs_ok), big = 1 << 20;
	char *buf = malloc(big + 64);
	unsigned seed = 7;

	if (!buf)
		return;
	for (size_t cut = 0; cut < n; cut++) /* every truncation */
		survive(outputs_ok, cut);
	for (int round = 0; round < 300; round++) { /* bytes changed at random */
		memcpy(buf, outputs_ok, n);
		for (int k = 0; k < 4; k++) {
			seed = seed * 1103515245 + 12345;
			buf[(seed >> 8) % n] = (char)(seed >> 20);
		}
		survive(buf, n);
	}
	for (size_t i = 0; i < 4096; i++) /* binary */
		buf[i] = (char)(i * 131 + (i >> 3));
	survive(buf, 4096);
	for (size_t i = 0; i < 300; i++) /* deep nesting */
		buf[i] = '[';
	survive(buf, 300);
	strcpy(buf, "store: {a: {b: {c: {d: [[[[{e: 1}]]]]}}}}\nredact: [[[x]]]\n");
	survive(buf, strlen(buf));
	strcpy(buf, "node: "); /* a huge scalar */
	memset(buf + 6, 'x', big);
	strcpy(buf + 6 + big, "\n");
	survive(buf, strlen(buf));
	memcpy(buf, "events: ", 8);
	survive(buf, strlen(buf));
	strcpy(buf, "base: &b {type: file, path: /x}\noutputs: [*b, *b]\n"); /* aliases */
	survive(buf, strlen(buf));
	BAD("outputs: [&b {type: file, path: /x}, *b]\n", "vigil.yaml:1:");
	free(buf);
}

UNIT_TEST(values)
{
	char e[256], host[CFGVAL_HOST_MAX];
	unsigned port;
	uint64_t u;
	bool b;
	int fac;

	CHECK_INT(cfgval_hostport("[::1]:9464", host, sizeof(host), &port, e, sizeof(e)), 0);
	CHECK_STR(host, "::1");
	CHECK_INT(port, 9464);
	CHECK_INT(cfgval_hostport("node-1.example:1", host, sizeof(host), &port, e, sizeof(e)), 0);
	CHECK_STR(host, "node-1.example");
	CHECK_INT(cfgval_hostport("a:b:1", NULL, 0, NULL, e, sizeof(e)), -EINVAL);
	CHECK_INT(cfgval_hostport("h:", NULL, 0, NULL, e, sizeof(e)), -EINVAL);
	CHECK_INT(cfgval_hostport(":80", NULL, 0, NULL, e, sizeof(e)), -EINVAL);
	CHECK_INT(cfgval_hostport("[::1]", NULL, 0, NULL, e, sizeof(e)), -EINVAL);
	CHECK_INT(cfgval_hostport("h:+80", NULL, 0, NULL, e, sizeof(e)), -EINVAL);
	CHECK_INT(cfgval_size("1T", UINT64_MAX, &u, e, sizeof(e)), 0);
	CHECK_INT(u, 1ull << 40);
	CHECK_INT(cfgval_size("17179869184G", UINT64_MAX, &u, e, sizeof(e)), -ERANGE);
	CHECK_INT(cfgval_size("-1", UINT64_MAX, &u, e, sizeof(e)), -EINVAL);
	CHECK_INT(cfgval_size("1 M", UINT64_MAX, &u, e, sizeof(e)), -EINVAL);
	CHECK_INT(cfgval_duration_ms("0", 0, 1000, &u, e, sizeof(e)), 0);
	CHECK_INT(cfgval_duration_ms("2m", 0, UINT64_MAX, &u, e, sizeof(e)), 0);
	CHECK_INT(u, 120000);
	CHECK_INT(cfgval_duration_ms("99999999999999999d", 0, UINT64_MAX, &u, e, sizeof(e)),
		  -EINVAL);
	CHECK_INT(cfgval_duration_ms("2h", 100, 3600000, &u, e, sizeof(e)), -ERANGE);
	CHECK_STR(e, "expected a duration from 100ms to 1h");
	CHECK_INT(cfgval_duration_ms("1w", 0, UINT64_MAX, &u, e, sizeof(e)), -EINVAL);
	CHECK_INT(cfgval_bool("On", &b, e, sizeof(e)), 0);
	CHECK(b);
	CHECK_INT(cfgval_bool("1", &b, e, sizeof(e)), -EINVAL);
	CHECK_INT(cfgval_facility("LOCAL7", &fac, e, sizeof(e)), 0);
	CHECK_INT(fac, 23);
	CHECK_INT(cfgval_facility("24", &fac, e, sizeof(e)), -EINVAL);
}

/* deploy/vigil.yaml writes out the defaults: loading it changes nothing. */
UNIT_TEST(example_file_is_the_defaults)
{
	struct vg_config a, b;
	char p[4096];

	config_defaults(&a);
	config_defaults(&b);
	CHECK_INT(config_file__load(unit_srcpath(p, sizeof(p), "deploy/vigil.yaml"), &a, err,
				    sizeof(err)),
		  0);
	CHECK_STR(err, "");
	CHECK(!memcmp(&a, &b, sizeof(a)));
	config_free(&a);
}

/* docs/config.md describes every key. */
UNIT_TEST(docs_name_every_key)
{
	static const char *const sections[] = {
		"store.enabled", "store.path", "store.max_age", "store.max_size", "store.events",
		"store.queue_size", "store.group", "metrics.listen", "metrics.per_pod",
		"metrics.per_pod_max", "stdout.events", "stdout.alerts", "redact", "redact_extra",
		"outputs", "type", "name", "alerts", "events", "stats", "min_priority",
		"queue_size", "backoff_max", "path", "max_size", "keep", "address", "format",
		"facility", "app_name", "ca_file", "cert_file", "key_file", "insecure", "url",
		"index", "headers", "timeout",
	};
	char p[4096], key[80], want[96], *doc = NULL;
	size_t n = 0;
	FILE *f = fopen(unit_srcpath(p, sizeof(p), "docs/config.md"), "r");

	CHECK(f != NULL);
	if (!f || getdelim(&doc, &n, '\0', f) < 0) {
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	for (unsigned i = 0; cli_run_file_key(i, key, sizeof(key)); i++) {
		snprintf(want, sizeof(want), "| `%s` |", key);
		if (key[0] && !strstr(doc, want))
			printf("  FAIL docs/config.md has no row for `%s`\n", key), unit_case_failed = 1;
	}
	for (unsigned i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		snprintf(want, sizeof(want), "`%s`", sections[i]);
		if (!strstr(doc, want))
			printf("  FAIL docs/config.md does not name `%s`\n", sections[i]), unit_case_failed = 1;
	}
	free(doc);
}

int main(void)
{
	int rc = unit_run();

	if (path[0]) {
		unlink(path);
		rmdir(dir);
	}
	return rc;
}
