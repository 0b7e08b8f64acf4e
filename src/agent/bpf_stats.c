/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Run count and run time of each loaded BPF program (the kernel's BPF stats), for the stats
 * record's "programs" object and so for the metrics. The kernel only counts while some
 * process holds a BPF_ENABLE_STATS fd (or kernel.bpf_stats_enabled is 1), and counting costs
 * two clock reads per program run on every hook, so it is opt-in (metrics.bpf_stats).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "agent.h"
#include "log.h"
#include "vigil.skel.h"

void agent_bpf_stats_start(struct agent *a)
{
	a->bpf_stats_fd = -1;
	if (!a->cfg.metrics.bpf_stats)
		return;
	a->bpf_stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (a->bpf_stats_fd < 0)
		log_warn("BPF program statistics unavailable: %s", strerror(-a->bpf_stats_fd));
	else
		log_info("BPF program statistics on (run count and time per program)");
}

void agent_bpf_stats_stop(struct agent *a)
{
	if (a->bpf_stats_fd >= 0)
		close(a->bpf_stats_fd);
	a->bpf_stats_fd = -1;
}

/* Is the kernel counting, because of us or of the sysctl? */
static bool counting(const struct agent *a)
{
	char c = '0';
	FILE *f;

	if (a->bpf_stats_fd >= 0)
		return true;
	if ((f = fopen("/proc/sys/kernel/bpf_stats_enabled", "re"))) {
		if (fread(&c, 1, 1, f) != 1)
			c = '0';
		fclose(f);
	}
	return c == '1';
}

void agent_bpf_prog_stats(struct agent *a)
{
	struct json_w *w = &a->json;
	struct bpf_program *p;

	if (!a->skel || !counting(a))
		return;
	json_key(w, "programs");
	json_obj_begin(w);
	bpf_object__for_each_program(p, a->skel->obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		memset(&info, 0, sizeof(info));
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		json_key(w, bpf_program__name(p));
		json_obj_begin(w);
		json_ku64(w, "run_count", info.run_cnt);
		json_ku64(w, "run_time_ns", info.run_time_ns);
		json_obj_end(w);
	}
	json_obj_end(w);
}
