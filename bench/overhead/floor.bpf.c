/*
 * The floor: an empty program on every hook vigil attaches. Timing a storm with this loaded
 * gives the cost of the hooks themselves (trampoline + program dispatch), which no agent can
 * go below; vigil's extra cost over it is what vigil's own code adds.
 *
 * This list is THE list of hooks the benchmark mirrors: when vigil gains a hook, add one line
 * here. The loader (floor.c) attaches whatever programs this object contains.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* An empty body reads no arguments, so one signature fits every tp_btf hook. */
#define FLOOR_HOOK(name, section)                                                                  \
	SEC(section)                                                                               \
	int name(void *ctx)                                                                        \
	{                                                                                          \
		(void)ctx;                                                                         \
		return 0;                                                                          \
	}

FLOOR_HOOK(floor_exec, "tp_btf/sched_process_exec")
FLOOR_HOOK(floor_fork, "tp_btf/sched_process_fork")
FLOOR_HOOK(floor_exit, "tp_btf/sched_process_exit")

char LICENSE[] SEC("license") = "Dual BSD/GPL";
