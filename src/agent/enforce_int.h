/* SPDX-License-Identifier: Apache-2.0 */
/* Enforcement state shared by enforce.c (set up) and enforce_live.c (decisions). */
#ifndef VIGIL_ENFORCE_INT_H
#define VIGIL_ENFORCE_INT_H

#include "enforce.h"
#include "enforce_plan.h"

struct bpf_link;

/* One rule with an action or a threshold. */
struct enf_entry {
	const struct rules_rule *rule;
	unsigned id;		/* enforcement id (kernel policy index when kernel) */
	enum rules_mode mode;	/* with --rule-mode applied */
	bool kernel;		/* a kernel policy decides it */
	bool devices;		/* open deny of device nodes: the cgroup device program */
	bool host_explicit;	/* the rule names the host: host processes are enforced on */
	struct ep_plan *plan;	/* kernel only, until apply() filled the maps */
	char why[256];		/* user space only: why not the kernel */
	uint64_t acted, dry_runs, failed, skipped; /* outcomes */
};

/* A user-space threshold window: (rule id, cgroup) -> matches since start. */
struct enf_thr {
	uint64_t cgroup_id, start_ns;
	uint32_t id, count;
};

#define ENF_LINKS_MAX 5

struct agent_enforce_state {
	struct enf_entry ents[ENF_IDS_MAX];
	unsigned n, nkernel;
	bool open_entry, sockaddr, dev, doom; /* programs wanted */
	int cg_root_fd;
	struct bpf_link *links[ENF_LINKS_MAX];
	unsigned nlinks;
	struct enf_thr thr[ENF_THR_SLOTS];
	uint64_t thr_evictions;
	uint64_t doomed, pidfd_kills, quarantines, kernel_reports;
};

/* enforce.c: the device path names ('c' or 'b', major, minor); -ENODEV when not one. */
int enforce_device_of(const char *path, char *type, unsigned *maj, unsigned *min);

/* The entry of rule r; NULL when r has no action and no threshold. */
struct enf_entry *enf_entry_of(struct agent_enforce_state *st, const struct rules_rule *r);

#endif /* VIGIL_ENFORCE_INT_H */
