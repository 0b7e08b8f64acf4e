/* SPDX-License-Identifier: Apache-2.0 */
/* `vigil run` options, from the command line and from the config file (cli_run.h). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgval.h"
#include "cli_run.h"
#include "config_file.h"
#include "evsel.h"
#include "log.h"
#include "options.h"
#include "redact.h"
#include "rules_load.h"

const char cli_run_usage[] =
	"usage: vigil run [options]\n"
	"\n"
	"Attach to process lifecycle events and write one JSON object per line to stdout\n"
	"(format: docs/events.md). Logs go to stderr. Stops on SIGINT or SIGTERM, then detaches,\n"
	"drains, writes a final stats record and prints its counters to stderr.\n"
	"\n"
	"options:\n"
	"  --config FILE             read settings from a YAML file first (docs/config.md);\n"
	"                            the options below win over it\n"
	"  --node NAME               node name in events (default: $NODE_NAME, else hostname)\n"
	"  --ringbuf-size BYTES      kernel ring buffer, power of two, K/M/G suffix (default 4M)\n"
	"  --proc-table-size N       in-kernel process table entries (default 65536)\n"
	"  --proc-cache-size N       user-space process cache entries (default 32768)\n"
	"  --proc-cache-bytes BYTES  heap budget for cached argv/paths (default 32M)\n"
	"  --exit-grace SECONDS      keep exited processes for lineage this long (default 10)\n"
	"  --cgroup-cache-size N     cgroup identity cache entries (default 4096)\n"
	"  --ancestors N             lineage levels reported, parent included (default 8)\n"
	"  --stats-interval SECONDS  periodic stats record, 0 disables (default 60)\n"
	"  --event-slice US          scheduler time slice asked for the event thread, 100 ..\n"
	"                            100000 microseconds, so it runs as soon as events wake\n"
	"                            it (Linux 6.12+; default 100; 0 leaves the kernel's)\n"
	"  --no-procfs-seed          do not read /proc for processes started before vigil\n"
	"  --btf PATH                kernel BTF file (default /sys/kernel/btf/vmlinux)\n"
	"  --events LIST             event types or groups to report, comma separated: process,\n"
	"                            file, network, privilege, all (default), or types such as\n"
	"                            open,connect; '-type' removes one (all,-write_head)\n"
	"  --scope SCOPE             what the kernel reports on: all (default), containers,\n"
	"                            pod:UID[,UID..] or cgroup:PATH[,PATH..] (repeatable)\n"
	"  --ignore-path PATH        do not report file events on PATH; a PATH ending in / or *\n"
	"                            is a prefix (repeatable; filtered in the kernel)\n"
	"  --report-path PATH        always report PATH (beats --ignore-path and --sample)\n"
	"  --sample TYPE=N           report one in N events of TYPE (repeatable)\n"
	"  --kubeconfig PATH         Kubernetes API credentials (default: $KUBECONFIG, else the\n"
	"                            in-cluster service account, else none)\n"
	"  --no-kubernetes           do not look for the Kubernetes API\n"
	"  --metadata FILE           static pod and container metadata, YAML or JSON\n"
	"  --k8s-hold MS             hold an event up to MS for its pod's metadata (default 2000)\n"
	"  --pod-cache-size N        pods kept in the metadata cache (default 1024)\n"
	"  --rules PATH              Falco rule file, or a directory of *.yaml loaded in name\n"
	"                            order (repeatable; later files customise earlier ones).\n"
	"                            Default: vigil's own rules (docs/rules.md). With --rules,\n"
	"                            only alerts are written unless --events is given\n"
	"  --no-rules                load no rules: events only\n"
	"  --min-priority LEVEL      alerts at or above LEVEL only: emergency ... debug\n"
	"                            (default debug: every rule)\n"
	"  --alerts-output FILE      append alerts to FILE instead of the event stream\n"
	"  --no-rule-prefilter       do not drop in the kernel the events no rule can match\n"
	"                            (by path; also off for types --events writes)\n"
	"  --rule-mode MODE          run every rule in MODE, whatever its own mode: monitor\n"
	"                            (no alerts), alert (actions are dry runs) or enforce\n"
	"  --no-stdout-events        do not write events to stdout (the store and outputs still\n"
	"                            get them)\n"
	"  --no-stdout-alerts        do not write alerts to stdout or --alerts-output\n"
	"  --store PATH              evidence store database (default /var/lib/vigil/vigil.db)\n"
	"  --no-store                keep no events and alerts on disk\n"
	"  --store-max-age DURATION  forget stored records older than DURATION: 30s, 10m, 2h,\n"
	"                            7d (default 7d; 0: no age limit)\n"
	"  --store-max-size BYTES    keep the store under BYTES, K/M/G suffix (default 1G;\n"
	"                            0: no size limit)\n"
	"  --store-dedup-window DURATION\n"
	"                            store an event identical to one stored less than DURATION\n"
	"                            ago only once (default 60s; 0: store every event)\n"
	"  --metrics-listen ADDR     Prometheus metrics and health on HOST:PORT (default\n"
	"                            127.0.0.1:9464); none disables them\n"
	"  --bpf-stats               run count and time of each BPF program in the stats and\n"
	"                            metrics (the kernel then times every program run)\n"
	"  --redact PATTERN          also redact the secret named PATTERN in command lines\n"
	"                            (repeatable; adds to the default patterns, docs/config.md)\n"
	"  --log-level LEVEL         error, warn, info or debug (default info)\n"
	"  -h, --help                this text\n";

enum {
	OPT_NODE = 256, OPT_RINGBUF, OPT_PTABLE, OPT_PCACHE, OPT_PBYTES, OPT_GRACE, OPT_CGCACHE,
	OPT_ANCESTORS, OPT_STATS, OPT_NOSEED, OPT_LOGLEVEL, OPT_BTF, OPT_KUBECONFIG, OPT_NOK8S,
	OPT_METADATA, OPT_K8SHOLD, OPT_PODCACHE, OPT_RULES, OPT_NORULES, OPT_MINPRIO, OPT_ALERTS,
	OPT_NOPREFILTER, OPT_RULEMODE, OPT_CONFIG, OPT_STORE, OPT_NOSTORE, OPT_STORE_AGE,
	OPT_STORE_SIZE, OPT_METRICS, OPT_REDACT, OPT_NOSTDOUT_EV, OPT_NOSTDOUT_AL, OPT_BPFSTATS,
	OPT_SLICE, OPT_STORE_DEDUP,
	/* list-valued, from here on (parse_list_opt) */
	OPT_EVENTS, OPT_SCOPE, OPT_IGNORE_PATH, OPT_REPORT_PATH, OPT_SAMPLE,
	OPT_END
};

#define CLI_OPT_CLI 0x8 /* command line only: the file has a section for it */
#define A CLI_OPT_ARG
#define L (CLI_OPT_ARG | CLI_OPT_LIST)

static const struct run_opt {
	const char *name;
	int id;
	unsigned flags;
} run_opts[] = {
	{ "node", OPT_NODE, A },
	{ "ringbuf-size", OPT_RINGBUF, A },
	{ "proc-table-size", OPT_PTABLE, A },
	{ "proc-cache-size", OPT_PCACHE, A },
	{ "proc-cache-bytes", OPT_PBYTES, A },
	{ "exit-grace", OPT_GRACE, A },
	{ "cgroup-cache-size", OPT_CGCACHE, A },
	{ "ancestors", OPT_ANCESTORS, A },
	{ "stats-interval", OPT_STATS, A },
	{ "event-slice", OPT_SLICE, A },
	{ "no-procfs-seed", OPT_NOSEED, CLI_OPT_NEG },
	{ "log-level", OPT_LOGLEVEL, A },
	{ "btf", OPT_BTF, A },
	{ "events", OPT_EVENTS, A },
	{ "scope", OPT_SCOPE, L },
	{ "ignore-path", OPT_IGNORE_PATH, L },
	{ "report-path", OPT_REPORT_PATH, L },
	{ "sample", OPT_SAMPLE, L },
	{ "kubeconfig", OPT_KUBECONFIG, A },
	{ "no-kubernetes", OPT_NOK8S, CLI_OPT_NEG },
	{ "metadata", OPT_METADATA, A },
	{ "k8s-hold", OPT_K8SHOLD, A },
	{ "pod-cache-size", OPT_PODCACHE, A },
	{ "rules", OPT_RULES, L },
	{ "no-rules", OPT_NORULES, 0 },
	{ "min-priority", OPT_MINPRIO, A },
	{ "alerts-output", OPT_ALERTS, A },
	{ "no-rule-prefilter", OPT_NOPREFILTER, CLI_OPT_NEG },
	{ "rule-mode", OPT_RULEMODE, A },
	{ "config", OPT_CONFIG, A | CLI_OPT_CLI },
	{ "store", OPT_STORE, A | CLI_OPT_CLI },
	{ "no-store", OPT_NOSTORE, CLI_OPT_CLI },
	{ "store-max-age", OPT_STORE_AGE, A | CLI_OPT_CLI },
	{ "store-max-size", OPT_STORE_SIZE, A | CLI_OPT_CLI },
	{ "store-dedup-window", OPT_STORE_DEDUP, A | CLI_OPT_CLI },
	{ "metrics-listen", OPT_METRICS, A | CLI_OPT_CLI },
	{ "redact", OPT_REDACT, L | CLI_OPT_CLI },
	{ "no-stdout-events", OPT_NOSTDOUT_EV, CLI_OPT_CLI },
	{ "no-stdout-alerts", OPT_NOSTDOUT_AL, CLI_OPT_CLI },
	{ "bpf-stats", OPT_BPFSTATS, CLI_OPT_CLI },
};
#undef A
#undef L
#define NOPTS (sizeof(run_opts) / sizeof(run_opts[0]))

/* Where an option's value came from, for its error messages. */
struct octx {
	const char *name; /* long option */
	const char *where; /* NULL: the command line */
	char *err;
	size_t errsz;
};

/* The config file's key of an option: '-' written '_', a --no-X switch's X. */
static void file_key(const struct run_opt *ro, char *buf, size_t bufsz)
{
	const char *n = ro->name + ((ro->flags & CLI_OPT_NEG) ? 3 : 0);
	size_t i;

	for (i = 0; n[i] && i + 1 < bufsz; i++)
		buf[i] = n[i] == '-' ? '_' : n[i];
	buf[i] = '\0';
}

static const struct run_opt *opt_by_name(const char *name)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (!strcmp(run_opts[i].name, name))
			return &run_opts[i];
	return NULL;
}

static const struct run_opt *opt_by_id(int id)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (run_opts[i].id == id)
			return &run_opts[i];
	return NULL;
}

static int ofail(const struct octx *o, const char *val, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "vigil run: --NAME VALUE: " (or "--NAME: " without a value) on the command line,
 * "FILE:LINE:COL: KEY: " in a file (the position shows the value), then the message. */
static int ofail(const struct octx *o, const char *val, const char *fmt, ...)
{
	const struct run_opt *ro = opt_by_name(o->name);
	char key[64];
	va_list ap;
	int n;

	if (o->where) {
		file_key(ro, key, sizeof(key));
		n = snprintf(o->err, o->errsz, "%s: %s: ", o->where, key);
	} else if (val) {
		n = snprintf(o->err, o->errsz, "vigil run: --%s %s: ", o->name, val);
	} else {
		n = snprintf(o->err, o->errsz, "vigil run: --%s: ", o->name);
	}
	if (n >= 0 && (size_t)n < o->errsz) {
		va_start(ap, fmt);
		vsnprintf(o->err + n, o->errsz - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Parse an unsigned number in [min, max]; names the option in the error. */
static int parse_uint(const struct octx *o, const char *s, unsigned long long min,
		      unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || end == s || *end || *out < min || *out > max || s[0] == '-')
		return ofail(o, s, "expected a whole number from %llu to %llu", min, max);
	return 0;
}

/* A path option into a PATH_MAX buffer of the config. */
static int copy_path(const struct octx *o, const char *arg, char out[4096])
{
	if (!*arg || strlen(arg) >= 4096)
		return ofail(o, NULL, "%s path", *arg ? "too long a" : "empty");
	strcpy(out, arg);
	return 0;
}

/* The list-valued options; their parsers name the bad part. */
static int parse_list_opt(const struct octx *o, int c, const char *arg, struct vg_config *cfg)
{
	char err[512] = "";
	int rc;

	switch (c) {
	case OPT_EVENTS:
		rc = evsel_parse(arg, &cfg->events, err, sizeof(err));
		cfg->events_given = true;
		break;
	case OPT_SCOPE: rc = options_scope(arg, &cfg->scope, err, sizeof(err)); break;
	case OPT_IGNORE_PATH:
	case OPT_REPORT_PATH:
		rc = options_path_filter(arg, c == OPT_REPORT_PATH, cfg, err, sizeof(err));
		break;
	default: rc = options_sample(arg, cfg, err, sizeof(err));
	}
	if (rc)
		ofail(o, NULL, "%s", err[0] ? err : strerror(-rc));
	return rc;
}

/* --rules, --min-priority, --alerts-output, --rule-mode */
static int parse_rules_opt(const struct octx *o, int c, const char *arg, struct vg_config *cfg)
{
	enum rules_priority p;
	enum rules_mode m;

	switch (c) {
	case OPT_RULES:
		if (!*arg || cfg->nrules >= VG_RULES_PATHS_MAX)
			return ofail(o, NULL, "%s", *arg ? "too many (at most 64)" : "empty path");
		return (cfg->rules[cfg->nrules] = strdup(arg)) ? (cfg->nrules++, 0) : -ENOMEM;
	case OPT_MINPRIO:
		if (rules_priority__parse(arg, &p))
			return ofail(o, arg, "expected emergency, alert, critical, error, warning, "
					     "notice, informational or debug");
		cfg->min_priority = p;
		return 0;
	case OPT_RULEMODE:
		if (rules_mode__parse(arg, &m) || m == RULES_MODE_UNSET)
			return ofail(o, arg, "expected monitor, alert or enforce");
		cfg->rule_mode = m;
		return 0;
	default:
		return copy_path(o, arg, cfg->alerts_output);
	}
}

static int add_redact(const struct octx *o, const char *arg, struct vg_config *cfg)
{
	char err[256];
	int rc;

	if (redact__check(arg, err, sizeof(err)))
		return ofail(o, NULL, "%s", err);
	rc = config_file__redact_add(cfg, arg);
	if (rc == -E2BIG)
		return ofail(o, NULL, "more than %d redaction patterns", VG_REDACT_MAX);
	return rc;
}

/* --store-*, --metrics-listen, --redact: values shared with the file's sections. */
static int parse_output_opt(const struct octx *o, int c, const char *arg, struct vg_config *cfg)
{
	char err[256];
	uint64_t v;

	switch (c) {
	case OPT_STORE:
		cfg->store.enabled = true;
		return copy_path(o, arg, cfg->store.path);
	case OPT_STORE_AGE:
		if (cfgval_duration_s(arg, CONFIG_MAX_AGE_S, &cfg->store.max_age_s, err,
				      sizeof(err)))
			return ofail(o, arg, "%s", err);
		return 0;
	case OPT_STORE_DEDUP:
		if (cfgval_duration_s(arg, CONFIG_MAX_DEDUP_S, &cfg->store.dedup_window_s, err,
				      sizeof(err)))
			return ofail(o, arg, "%s", err);
		return 0;
	case OPT_STORE_SIZE:
		if (cfgval_size(arg, CONFIG_MAX_STORE_BYTES, &v, err, sizeof(err)))
			return ofail(o, arg, "%s", err);
		cfg->store.max_bytes = v;
		return 0;
	case OPT_METRICS:
		if (cfgval_listen(arg, cfg->metrics.listen, sizeof(cfg->metrics.listen), err,
				  sizeof(err)))
			return ofail(o, arg, "%s", err);
		return 0;
	default:
		return add_redact(o, arg, cfg);
	}
}

/* The switch a value-less option sets, and what it sets it to. */
static bool *switch_field(int id, struct vg_config *cfg, bool *on)
{
	*on = false;
	switch (id) {
	case OPT_NOSEED: return &cfg->seed_procfs;
	case OPT_NOK8S: return &cfg->k8s_api;
	case OPT_NOSTORE: return &cfg->store.enabled;
	case OPT_NOSTDOUT_EV: return &cfg->stdout_events;
	case OPT_NOSTDOUT_AL: return &cfg->stdout_alerts;
	default: break;
	}
	*on = true;
	switch (id) {
	case OPT_NORULES: return &cfg->no_rules;
	case OPT_BPFSTATS: return &cfg->metrics.bpf_stats;
	case OPT_NOPREFILTER: return &cfg->no_rule_prefilter;
	default: return NULL;
	}
}

/* --ringbuf-size and --proc-cache-bytes */
static int parse_size_opt(const struct octx *o, int c, const char *arg, struct vg_config *cfg)
{
	size_t sz;

	if (config_parse_size(arg, &sz))
		return ofail(o, arg, "expected a size such as 4M");
	*(c == OPT_RINGBUF ? &cfg->ringbuf_bytes : &cfg->proc_cache_bytes) = sz;
	return 0;
}

/* Options that take a whole number. */
static int parse_num_opt(const struct octx *o, int c, const char *arg, struct vg_config *cfg)
{
	static const struct {
		int id;
		unsigned long long min, max;
	} ranges[] = {
		{ OPT_PTABLE, 1024, 1u << 22 }, { OPT_PCACHE, 64, 1u << 22 },
		{ OPT_GRACE, 0, 3600 },		{ OPT_CGCACHE, 16, 1u << 20 },
		{ OPT_ANCESTORS, 0, 64 },	{ OPT_STATS, 0, 86400 },
		{ OPT_K8SHOLD, 0, 60000 },	{ OPT_SLICE, 0, 100000 },
		{ OPT_PODCACHE, 16, 1u << 20 },
	};
	unsigned long long v = 0;
	unsigned i = 0, n = sizeof(ranges) / sizeof(ranges[0]);
	int err;

	while (i + 1 < n && ranges[i].id != c)
		i++;
	if ((err = parse_uint(o, arg, ranges[i].min, ranges[i].max, &v)))
		return err;
	switch (c) {
	case OPT_PTABLE: cfg->proc_table_entries = v; break;
	case OPT_PCACHE: cfg->proc_cache_entries = v; break;
	case OPT_GRACE: cfg->exit_grace_ns = v * 1000000000ull; break;
	case OPT_CGCACHE: cfg->cgroup_cache_entries = v; break;
	case OPT_ANCESTORS: cfg->ancestors = v; break;
	case OPT_STATS: cfg->stats_interval_s = v; break;
	case OPT_K8SHOLD: cfg->k8s_hold_ns = v * 1000000ull; break;
	case OPT_SLICE:
		if (v && v < 100)
			return ofail(o, arg, "expected 0 or 100 .. 100000 (microseconds)");
		cfg->event_slice_us = v;
		break;
	default: cfg->pod_cache_entries = v;
	}
	return 0;
}

static int parse_run_opt(const struct octx *o, int c, const char *arg, struct vg_config *cfg)
{
	switch (c) {
	case OPT_NODE:
		snprintf(cfg->node, sizeof(cfg->node), "%s", arg);
		return 0;
	case OPT_RINGBUF:
	case OPT_PBYTES:
		return parse_size_opt(o, c, arg, cfg);
	case OPT_BTF:
		return copy_path(o, arg, cfg->btf_path);
	case OPT_CONFIG:
		return copy_path(o, arg, cfg->config_file);
	case OPT_KUBECONFIG:
	case OPT_METADATA:
		return copy_path(o, arg, c == OPT_KUBECONFIG ? cfg->kubeconfig : cfg->metadata_file);
	case OPT_RULES:
	case OPT_MINPRIO:
	case OPT_ALERTS:
	case OPT_RULEMODE:
		return parse_rules_opt(o, c, arg, cfg);
	case OPT_STORE:
	case OPT_STORE_AGE:
	case OPT_STORE_SIZE:
	case OPT_STORE_DEDUP:
	case OPT_METRICS:
	case OPT_REDACT:
		return parse_output_opt(o, c, arg, cfg);
	case OPT_LOGLEVEL:
		if (log_parse_level(arg, &cfg->log_level))
			return ofail(o, arg, "expected error, warn, info or debug");
		return 0;
	default:
		return c >= OPT_EVENTS ? parse_list_opt(o, c, arg, cfg) : parse_num_opt(o, c, arg, cfg);
	}
}

/* A switch: given (value NULL), or set from true/false. */
static int apply_switch(const struct octx *o, int id, const char *value, struct vg_config *cfg)
{
	bool on, b = true;
	bool *f = switch_field(id, cfg, &on);
	char err[64];

	if (value && cfgval_bool(value, &b, err, sizeof(err)))
		return ofail(o, value, "%s", err);
	*f = b ? on : !on;
	return 0;
}

int cli_run_option(const char *name, const char *value, struct vg_config *cfg,
		   const char *where, char *err, size_t errsz)
{
	const struct run_opt *ro = opt_by_name(name);
	struct octx o = { .name = name, .where = where, .err = err, .errsz = errsz };

	if (!ro) {
		snprintf(err, errsz, "%s: no option --%s", where ? where : "vigil run", name);
		return -ENOENT;
	}
	if (!(ro->flags & CLI_OPT_ARG))
		return apply_switch(&o, ro->id, value, cfg);
	if (!value)
		return ofail(&o, NULL, "a value is needed");
	return parse_run_opt(&o, ro->id, value, cfg);
}

const char *cli_run_file_option(const char *key, unsigned *flags)
{
	char buf[64];

	for (size_t i = 0; i < NOPTS; i++) {
		if (run_opts[i].flags & CLI_OPT_CLI)
			continue;
		file_key(&run_opts[i], buf, sizeof(buf));
		if (!strcmp(buf, key)) {
			*flags = run_opts[i].flags;
			return run_opts[i].name;
		}
	}
	return NULL;
}

bool cli_run_file_key(unsigned i, char *buf, size_t bufsz)
{
	if (i >= NOPTS)
		return false;
	if (run_opts[i].flags & CLI_OPT_CLI)
		buf[0] = '\0';
	else
		file_key(&run_opts[i], buf, bufsz);
	return true;
}

/* getopt's table, from run_opts. */
static const struct option *getopt_table(void)
{
	static struct option t[NOPTS + 2];

	if (!t[0].name) {
		for (size_t i = 0; i < NOPTS; i++)
			t[i] = (struct option){ run_opts[i].name,
						(run_opts[i].flags & CLI_OPT_ARG) ? required_argument :
										    no_argument,
						NULL, run_opts[i].id };
		t[NOPTS] = (struct option){ "help", no_argument, NULL, 'h' };
	}
	return t;
}

/* First pass: --help and --config only, silently (the second pass reports the rest). */
static int find_config(int argc, char **argv, struct vg_config *cfg, char *err, size_t errsz)
{
	struct octx o = { .name = "config", .err = err, .errsz = errsz };
	int c, rc = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", getopt_table(), NULL)) != -1) {
		if (c == 'h')
			return CLI_RUN_HELP;
		if (c == OPT_CONFIG && !rc)
			rc = copy_path(&o, optarg, cfg->config_file);
	}
	return rc;
}

/* The command line's first --rules (or another list) replaces what the file listed. */
static void clear_list(int id, struct vg_config *cfg, const unsigned char *seen)
{
	unsigned i, j;

	if (id == OPT_RULES) {
		for (i = 0; i < cfg->nrules; i++)
			free(cfg->rules[i]);
		cfg->nrules = 0;
		if (!seen[OPT_NORULES - OPT_NODE])
			cfg->no_rules = false;
	} else if (id == OPT_SCOPE) {
		for (i = 0; i < cfg->scope.npods; i++)
			free(cfg->scope.pods[i]);
		for (i = 0; i < cfg->scope.ncgroups; i++)
			free(cfg->scope.cgroups[i]);
		memset(&cfg->scope, 0, sizeof(cfg->scope));
	} else if (id == OPT_SAMPLE) {
		memset(cfg->sample, 0, sizeof(cfg->sample));
	} else if (id == OPT_IGNORE_PATH || id == OPT_REPORT_PATH) {
		for (i = j = 0; i < cfg->npath_filters; i++) {
			if (cfg->path_filters[i].report == (id == OPT_REPORT_PATH))
				free(cfg->path_filters[i].path);
			else
				cfg->path_filters[j++] = cfg->path_filters[i];
		}
		cfg->npath_filters = j;
	}
}

/* Second pass: every option but --config, over what the file set. */
static int apply_argv(int argc, char **argv, struct vg_config *cfg, char *err, size_t errsz)
{
	static const char hint[] = "see `vigil run --help`";
	unsigned char seen[OPT_END - OPT_NODE] = { 0 };
	struct octx o = { .err = err, .errsz = errsz };
	int c, rc;

	optind = 0;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "h", getopt_table(), NULL)) != -1) {
		if (c == '?' || c == ':') {
			snprintf(err, errsz, "%s", hint);
			return -EINVAL;
		}
		if (c == OPT_CONFIG || c == 'h')
			continue;
		o.name = opt_by_id(c)->name;
		if (!seen[c - OPT_NODE]++ && c != OPT_REDACT)
			clear_list(c, cfg, seen);
		rc = (opt_by_id(c)->flags & CLI_OPT_ARG) ? parse_run_opt(&o, c, optarg, cfg) :
							    apply_switch(&o, c, NULL, cfg);
		if (rc) {
			if (rc == -ENOMEM)
				snprintf(err, errsz, "vigil run: out of memory");
			snprintf(err + strlen(err), errsz - strlen(err), "\n%s", hint);
			return rc;
		}
	}
	if (optind < argc) {
		snprintf(err, errsz, "vigil run: unexpected argument '%s'; %s", argv[optind], hint);
		return -EINVAL;
	}
	return 0;
}

int cli_run_parse(int argc, char **argv, struct vg_config *cfg, char *err, size_t errsz)
{
	int rc;

	config_defaults(cfg);
	err[0] = '\0';
	rc = find_config(argc, argv, cfg, err, errsz);
	if (rc < 0)
		snprintf(err + strlen(err), errsz - strlen(err), "\nsee `vigil run --help`");
	if (rc)
		return rc;
	if (cfg->config_file[0] && config_file__load(cfg->config_file, cfg, err, errsz))
		return -EBADMSG;
	return apply_argv(argc, argv, cfg, err, errsz);
}
