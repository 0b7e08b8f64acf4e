/*
 * The floor: an empty program on every hook vigil attaches. Timing a storm with this loaded
 * gives the cost of the hooks themselves (tracepoint dispatch + an empty program run), which
 * no agent can go below; vigil's extra cost over it is what vigil's own code adds.
 *
 * The syscall exit hooks come from vigil's own table (include/vigil/syscalls.h), so they follow
 * vigil without being listed twice. The few hooks outside that table are listed here: when
 * vigil gains one, add a FLOOR_HOOK line. The loader (floor.c) attaches whatever programs this
 * object contains, and skips those whose tracepoint this kernel lacks.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "vigil/syscalls.h"

/* An empty body reads no arguments, so one signature fits tracepoint and tp_btf hooks alike. */
#define FLOOR_HOOK(name, section)                                                                  \
	SEC(section)                                                                               \
	int name(void *ctx)                                                                        \
	{                                                                                          \
		(void)ctx;                                                                         \
		return 0;                                                                          \
	}

/* vigil's vg_x_<syscall>: one exit program per row of the table. */
#define FLOOR_SYS_EXIT(sc, TYPE, TYPE2, spec)                                                      \
	FLOOR_HOOK(floor_x_##sc, "tracepoint/syscalls/sys_exit_" #sc)
VG_SYSCALLS(FLOOR_SYS_EXIT)

/*
 * vigil's vg_e_<syscall>: entry programs that stash the credentials a syscall is about to
 * change, so its exit can report old and new. The table has no column for them (yet).
 */
#define FLOOR_SYS_ENTER(sc) FLOOR_HOOK(floor_e_##sc, "tracepoint/syscalls/sys_enter_" #sc)
FLOOR_SYS_ENTER(setuid)
FLOOR_SYS_ENTER(setreuid)
FLOOR_SYS_ENTER(setresuid)
FLOOR_SYS_ENTER(setfsuid)
FLOOR_SYS_ENTER(setgid)
FLOOR_SYS_ENTER(setregid)
FLOOR_SYS_ENTER(setresgid)
FLOOR_SYS_ENTER(setfsgid)
FLOOR_SYS_ENTER(capset)

/* VG_OTHER_PROGS: the process lifecycle and TCP state hooks. */
FLOOR_HOOK(floor_exec, "tp_btf/sched_process_exec")
FLOOR_HOOK(floor_fork, "tp_btf/sched_process_fork")
FLOOR_HOOK(floor_exit, "tp_btf/sched_process_exit")
FLOOR_HOOK(floor_tcp_state, "tracepoint/sock/inet_sock_set_state")

char LICENSE[] SEC("license") = "Dual BSD/GPL";
