/* SPDX-License-Identifier: Apache-2.0 */
/* Command line: the commands and their dispatch; --help on each. `vigil run`'s options are
 * in cli_run.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/events.h"
#include "agent.h"
#include "cli.h"
#include "cli_store.h"
#include "log.h"
#include "reload.h"
#include "cli_rules.h"
#include "cli_run.h"
#include "config_file.h"

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
	"  config     vigil config check FILE validates a configuration file\n"
	"  version    print the version, event schema and BPF ABI\n"
	"  help       this text\n"
	"\n"
	"`vigil <command> --help` describes each command.\n";

/* The command line of this `vigil run`, parsed again on SIGHUP (reload.h). */
static int run_argc;
static char **run_argv;

int agent_reload_config(struct vg_config *cfg)
{
	char err[8192] = "";
	int rc = cli_run_parse(run_argc, run_argv, cfg, err, sizeof(err));

	if (rc && err[0])
		log_error("%s", err);
	return rc ? -EINVAL : 0;
}

static int cmd_run(int argc, char **argv)
{
	struct vg_config cfg;
	char err[8192];
	int rc;

	run_argc = argc, run_argv = argv;
	rc = cli_run_parse(argc, argv, &cfg, err, sizeof(err));
	if (rc == CLI_RUN_HELP)
		fputs(cli_run_usage, stdout);
	else if (rc)
		fprintf(stderr, "%s\n", err);
	else /* the agent takes cfg over, and frees it: a reload replaces what it points to */
		return agent_run(&cfg) ? 1 : 0;
	config_free(&cfg);
	return rc == CLI_RUN_HELP ? 0 : rc < 0 ? 2 : rc;
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
	if (!strcmp(cmd, "config"))
		return cli_config(argc - 1, argv + 1);
	fprintf(stderr, "vigil: unknown command '%s'\n\n%s", cmd, main_usage);
	return 2;
}
