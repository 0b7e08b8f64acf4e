/* SPDX-License-Identifier: Apache-2.0 */
/* Command line: `vigil run`, `vigil version`, `vigil help`; --help on each. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/events.h"
#include "agent.h"
#include "cli.h"
#include "cli_rules.h"
#include "cli_store.h"
#include "evsel.h"
#include "log.h"
#include "options.h"
#include "rules_load.h"

static const char main_usage[] =
	"usage: vigil <command> [options]\n"
	"\n"
	"eBPF runtime security and observability for Kubernetes nodes.\n"
	"\n"
	"commands:\n"
	"  run        load the BPF programs and stream events as JSON lines on stdout\n"
	"  rules      Falco rule files: vigil rules validate FILE|DIR... checks them;\n"
	"             vigil rules test --rules FILE|DIR --events FILE.jsonl replays recorded\n"
	"             events through them and prints the alerts; vigil rules fields lists\n"
	"             the fields rules can use\n"
	"  enforce    quarantines of the running agent: vigil enforce list, vigil enforce\n"
	"             release CGROUP|--all\n"
	"  query      events and alerts kept in the evidence store, filtered by time, pod,\n"
	"             container, rule, type, process or path (--follow for new ones)\n"
	"  report     who read or wrote given files and when, from the store (Markdown, CSV)\n"
	"  version    print the version, event schema and BPF ABI\n"
	"  help       this text\n"
	"\n"
	"`vigil <command> --help` describes each command.\n";

static const char run_usage[] =
	"usage: vigil run [options]\n"
	"\n"
	"Attach to process lifecycle events and write one JSON object per line to stdout\n"
	"(format: docs/events.md). Logs go to stderr. Stops on SIGINT or SIGTERM, then detaches,\n"
	"drains, writes a final stats record and prints its counters to stderr.\n"
	"\n"
	"options:\n"
	"  --node NAME               node name in events (default: $NODE_NAME, else hostname)\n"
	"  --ringbuf-size BYTES      kernel ring buffer, power of two, K/M/G suffix (default 4M)\n"
	"  --proc-table-size N       in-kernel process table entries (default 65536)\n"
	"  --proc-cache-size N       user-space process cache entries (default 32768)\n"
	"  --proc-cache-bytes BYTES  heap budget for cached argv/paths (default 32M)\n"
	"  --exit-grace SECONDS      keep exited processes for lineage this long (default 10)\n"
	"  --cgroup-cache-size N     cgroup identity cache entries (default 4096)\n"
	"  --ancestors N             lineage levels reported, parent included (default 8)\n"
	"  --stats-interval SECONDS  periodic stats record, 0 disables (default 60)\n"
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
	"  --log-level LEVEL         error, warn, info or debug (default info)\n"
	"  -h, --help                this text\n";

enum {
	OPT_NODE = 256, OPT_RINGBUF, OPT_PTABLE, OPT_PCACHE, OPT_PBYTES, OPT_GRACE, OPT_CGCACHE,
	OPT_ANCESTORS, OPT_STATS, OPT_NOSEED, OPT_LOGLEVEL, OPT_BTF, OPT_KUBECONFIG, OPT_NOK8S,
	OPT_METADATA, OPT_K8SHOLD, OPT_PODCACHE, OPT_RULES, OPT_NORULES, OPT_MINPRIO, OPT_ALERTS, OPT_NOPREFILTER,
	OPT_RULEMODE,
	/* list-valued, from here on (parse_list_opt) */
	OPT_EVENTS, OPT_SCOPE, OPT_IGNORE_PATH, OPT_REPORT_PATH, OPT_SAMPLE,
};

static const struct option run_opts[] = {
	{ "node", required_argument, NULL, OPT_NODE },
	{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF },
	{ "proc-table-size", required_argument, NULL, OPT_PTABLE },
	{ "proc-cache-size", required_argument, NULL, OPT_PCACHE },
	{ "proc-cache-bytes", required_argument, NULL, OPT_PBYTES },
	{ "exit-grace", required_argument, NULL, OPT_GRACE },
	{ "cgroup-cache-size", required_argument, NULL, OPT_CGCACHE },
	{ "ancestors", required_argument, NULL, OPT_ANCESTORS },
	{ "stats-interval", required_argument, NULL, OPT_STATS },
	{ "no-procfs-seed", no_argument, NULL, OPT_NOSEED },
	{ "log-level", required_argument, NULL, OPT_LOGLEVEL },
	{ "btf", required_argument, NULL, OPT_BTF },
	{ "events", required_argument, NULL, OPT_EVENTS },
	{ "scope", required_argument, NULL, OPT_SCOPE },
	{ "ignore-path", required_argument, NULL, OPT_IGNORE_PATH },
	{ "report-path", required_argument, NULL, OPT_REPORT_PATH },
	{ "sample", required_argument, NULL, OPT_SAMPLE },
	{ "kubeconfig", required_argument, NULL, OPT_KUBECONFIG },
	{ "no-kubernetes", no_argument, NULL, OPT_NOK8S },
	{ "metadata", required_argument, NULL, OPT_METADATA },
	{ "k8s-hold", required_argument, NULL, OPT_K8SHOLD },
	{ "pod-cache-size", required_argument, NULL, OPT_PODCACHE },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "no-rules", no_argument, NULL, OPT_NORULES },
	{ "min-priority", required_argument, NULL, OPT_MINPRIO },
	{ "alerts-output", required_argument, NULL, OPT_ALERTS },
	{ "no-rule-prefilter", no_argument, NULL, OPT_NOPREFILTER },
	{ "rule-mode", required_argument, NULL, OPT_RULEMODE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Parse an unsigned number in [min, max]; names the option in the error. */
static int parse_uint(const char *opt, const char *s, unsigned long long min,
		      unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || end == s || *end || *out < min || *out > max || s[0] == '-') {
		fprintf(stderr, "vigil run: --%s %s: expected a whole number from %llu to %llu\n",
			opt, s, min, max);
		return -EINVAL;
	}
	return 0;
}

/* A path option into a PATH_MAX buffer of the config. */
static int copy_path(const char *opt, const char *arg, char out[4096])
{
	if (!*arg || strlen(arg) >= 4096) {
		fprintf(stderr, "vigil run: --%s: %s path\n", opt, *arg ? "too long a" : "empty");
		return -EINVAL;
	}
	strcpy(out, arg);
	return 0;
}

/* The list-valued options; their parsers name the bad part. */
static int parse_list_opt(int c, const char *arg, struct vg_config *cfg)
{
	static const char *const names[] = {
		[OPT_EVENTS - OPT_EVENTS] = "events", [OPT_SCOPE - OPT_EVENTS] = "scope",
		[OPT_IGNORE_PATH - OPT_EVENTS] = "ignore-path",
		[OPT_REPORT_PATH - OPT_EVENTS] = "report-path", [OPT_SAMPLE - OPT_EVENTS] = "sample",
	};
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
		fprintf(stderr, "vigil run: --%s: %s\n", names[c - OPT_EVENTS],
			err[0] ? err : strerror(-rc));
	return rc;
}

/* --rules, --no-rules, --min-priority, --alerts-output */
static int parse_rules_opt(int c, const char *arg, struct vg_config *cfg)
{
	enum rules_priority p;
	enum rules_mode m;

	switch (c) {
	case OPT_RULES:
		if (!*arg || cfg->nrules >= VG_RULES_PATHS_MAX) {
			fprintf(stderr, "vigil run: --rules: %s\n",
				*arg ? "too many (at most 64)" : "empty path");
			return -EINVAL;
		}
		return (cfg->rules[cfg->nrules] = strdup(arg)) ? (cfg->nrules++, 0) : -ENOMEM;
	case OPT_NORULES:
		cfg->no_rules = true;
		return 0;
	case OPT_NOPREFILTER:
		cfg->no_rule_prefilter = true;
		return 0;
	case OPT_MINPRIO:
		if (rules_priority__parse(arg, &p)) {
			fprintf(stderr, "vigil run: --min-priority %s: expected emergency, alert, "
					"critical, error, warning, notice, informational or debug\n",
				arg);
			return -EINVAL;
		}
		cfg->min_priority = p;
		return 0;
	case OPT_RULEMODE:
		if (rules_mode__parse(arg, &m) || m == RULES_MODE_UNSET) {
			fprintf(stderr, "vigil run: --rule-mode %s: expected monitor, alert or "
					"enforce\n", arg);
			return -EINVAL;
		}
		cfg->rule_mode = m;
		return 0;
	default:
		return copy_path("alerts-output", arg, cfg->alerts_output);
	}
}

static int parse_run_opt(int c, const char *arg, struct vg_config *cfg)
{
	unsigned long long v = 0;
	size_t sz;
	int err = 0;

	switch (c) {
	case OPT_NODE:
		snprintf(cfg->node, sizeof(cfg->node), "%s", arg);
		break;
	case OPT_RINGBUF:
	case OPT_PBYTES:
		err = config_parse_size(arg, &sz);
		if (err) {
			fprintf(stderr, "vigil run: --%s %s: expected a size such as 4M\n",
				c == OPT_RINGBUF ? "ringbuf-size" : "proc-cache-bytes", arg);
			break;
		}
		*(c == OPT_RINGBUF ? &cfg->ringbuf_bytes : &cfg->proc_cache_bytes) = sz;
		break;
	case OPT_PTABLE:
		if (!(err = parse_uint("proc-table-size", arg, 1024, 1u << 22, &v)))
			cfg->proc_table_entries = v;
		break;
	case OPT_PCACHE:
		if (!(err = parse_uint("proc-cache-size", arg, 64, 1u << 22, &v)))
			cfg->proc_cache_entries = v;
		break;
	case OPT_GRACE:
		if (!(err = parse_uint("exit-grace", arg, 0, 3600, &v)))
			cfg->exit_grace_ns = v * 1000000000ull;
		break;
	case OPT_CGCACHE:
		if (!(err = parse_uint("cgroup-cache-size", arg, 16, 1u << 20, &v)))
			cfg->cgroup_cache_entries = v;
		break;
	case OPT_ANCESTORS:
		if (!(err = parse_uint("ancestors", arg, 0, 64, &v)))
			cfg->ancestors = v;
		break;
	case OPT_STATS:
		if (!(err = parse_uint("stats-interval", arg, 0, 86400, &v)))
			cfg->stats_interval_s = v;
		break;
	case OPT_BTF:
		err = copy_path("btf", arg, cfg->btf_path);
		break;
	case OPT_NOSEED:
		cfg->seed_procfs = false;
		break;
	case OPT_KUBECONFIG:
	case OPT_METADATA:
		err = copy_path(c == OPT_KUBECONFIG ? "kubeconfig" : "metadata", arg,
				c == OPT_KUBECONFIG ? cfg->kubeconfig : cfg->metadata_file);
		break;
	case OPT_NOK8S:
		cfg->k8s_api = false;
		break;
	case OPT_K8SHOLD:
		if (!(err = parse_uint("k8s-hold", arg, 0, 60000, &v)))
			cfg->k8s_hold_ns = v * 1000000ull;
		break;
	case OPT_PODCACHE:
		if (!(err = parse_uint("pod-cache-size", arg, 16, 1u << 20, &v)))
			cfg->pod_cache_entries = v;
		break;
	case OPT_RULES:
	case OPT_NORULES:
	case OPT_MINPRIO:
	case OPT_ALERTS:
	case OPT_NOPREFILTER:
	case OPT_RULEMODE:
		err = parse_rules_opt(c, arg, cfg);
		break;
	case OPT_LOGLEVEL:
		err = log_parse_level(arg, &cfg->log_level);
		if (err)
			fprintf(stderr, "vigil run: --log-level %s: expected error, warn, info or "
					"debug\n", arg);
		break;
	default:
		err = c >= OPT_EVENTS ? parse_list_opt(c, arg, cfg) : -EINVAL;
	}
	return err;
}

static int cmd_run(int argc, char **argv)
{
	struct vg_config cfg;
	int c;

	config_defaults(&cfg);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", run_opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(run_usage, stdout);
			return 0;
		}
		if (c == '?' || parse_run_opt(c, optarg, &cfg)) {
			fputs("see `vigil run --help`\n", stderr);
			config_free(&cfg);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vigil run: unexpected argument '%s'; see `vigil run --help`\n",
			argv[optind]);
		config_free(&cfg);
		return 2;
	}
	c = agent_run(&cfg) ? 1 : 0;
	config_free(&cfg);
	return c;
}

static int cmd_version(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs("usage: vigil version\n\nPrint the agent version, the event schema and the "
		      "kernel record ABI.\n", stdout);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "vigil version: unexpected argument '%s'\n", argv[1]);
		return 2;
	}
	printf("vigil %s (event schema %s, BPF ABI %d)\n", VIGIL_VERSION, VIGIL_SCHEMA,
	       VG_ABI_VERSION);
	return 0;
}

int cli_main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd || !strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(main_usage, cmd ? stdout : stderr);
		return cmd ? 0 : 2;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "rules"))
		return cli_rules(argc - 1, argv + 1);
	if (!strcmp(cmd, "enforce"))
		return cli_enforce(argc - 1, argv + 1);
	if (!strcmp(cmd, "query"))
		return cli_query(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return cli_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version"))
		return cmd_version(argc - 1, argv + 1);
	fprintf(stderr, "vigil: unknown command '%s'\n\n%s", cmd, main_usage);
	return 2;
}
