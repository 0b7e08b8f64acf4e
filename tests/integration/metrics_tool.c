// SPDX-License-Identifier: Apache-2.0
/*
 * The agent's metrics server alone, for tests/integration/test_metrics_prom.py: serves a stats
 * record read from a file, as the agent would after publishing it, without loading anything
 * into the kernel.
 *
 *   metrics_tool LISTEN STATS_JSON [PER_POD_MAX]
 *
 * Prints "port N" once listening, heartbeats every 200 ms, is ready at once, re-reads the
 * file on every heartbeat (so a test can change the record), and runs until SIGTERM/SIGINT.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void publish_file(struct metrics *m, const char *path)
{
	static char buf[1 << 22];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	metrics__publish(m, buf, n);
}

int main(int argc, char **argv)
{
	struct vg_metrics_cfg cfg = { 0 };
	struct metrics *m;
	char err[512];

	if (argc < 3) {
		fprintf(stderr, "usage: %s LISTEN STATS_JSON [PER_POD_MAX]\n", argv[0]);
		return 2;
	}
	snprintf(cfg.listen, sizeof(cfg.listen), "%s", argv[1]);
	if (argc > 3) {
		cfg.per_pod = true;
		cfg.per_pod_max = (unsigned)atoi(argv[3]);
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	m = metrics__start(&cfg, err, sizeof(err));
	if (!m) {
		fprintf(stderr, "metrics_tool: %s\n", err);
		return 1;
	}
	printf("port %d\n", metrics__port(m));
	fflush(stdout);
	metrics__set_ready(m, true, NULL);
	while (!stop) {
		publish_file(m, argv[2]);
		metrics__heartbeat(m, boot_ns());
		usleep(200 * 1000);
	}
	metrics__stop(m);
	return 0;
}
