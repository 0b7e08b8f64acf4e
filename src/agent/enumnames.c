// SPDX-License-Identifier: Apache-2.0
/*
 * Enum decoders for process-level syscalls (see flagnames.h): ptrace requests, signals, prctl
 * options, bpf commands. Tables are indexed by value; N() spells each name once, as the token
 * the kernel header uses, so a name and its string cannot drift apart.
 */
#include <stddef.h>

#include "flagnames.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define N(name, v)    [v] = #name

/* A value-indexed table lookup that is safe for any v, holes included. */
static const char *table_name(const char *const *tab, size_t n, long long v)
{
	return v >= 0 && (unsigned long long)v < n ? tab[v] : NULL;
}

#define TABLE_NAME(tab, v) table_name((tab), ARRAY_SIZE(tab), (v))

/* linux/ptrace.h; 12..34 are per architecture (arch/<arch>/include/uapi/asm/ptrace*.h). */
static const char *const ptrace_low[] = {
    N(PTRACE_TRACEME, 0),
    N(PTRACE_PEEKTEXT, 1),
    N(PTRACE_PEEKDATA, 2),
    N(PTRACE_PEEKUSER, 3),
    N(PTRACE_POKETEXT, 4),
    N(PTRACE_POKEDATA, 5),
    N(PTRACE_POKEUSER, 6),
    N(PTRACE_CONT, 7),
    N(PTRACE_KILL, 8),
    N(PTRACE_SINGLESTEP, 9),
    N(PTRACE_ATTACH, 16),
    N(PTRACE_DETACH, 17),
    N(PTRACE_SYSCALL, 24),
#if defined(__x86_64__) || defined(__i386__)
    N(PTRACE_GETREGS, 12),
    N(PTRACE_SETREGS, 13),
    N(PTRACE_GETFPREGS, 14),
    N(PTRACE_SETFPREGS, 15),
    N(PTRACE_GETFPXREGS, 18),
    N(PTRACE_SETFPXREGS, 19),
    N(PTRACE_OLDSETOPTIONS, 21),
    N(PTRACE_GET_THREAD_AREA, 25),
    N(PTRACE_SET_THREAD_AREA, 26),
    N(PTRACE_ARCH_PRCTL, 30),
    N(PTRACE_SYSEMU, 31),
    N(PTRACE_SYSEMU_SINGLESTEP, 32),
    N(PTRACE_SINGLEBLOCK, 33),
#elif defined(__aarch64__)
    N(PTRACE_SYSEMU, 31),      N(PTRACE_SYSEMU_SINGLESTEP, 32),
    N(PTRACE_PEEKMTETAGS, 33), N(PTRACE_POKEMTETAGS, 34),
#endif
};

#define PTRACE_EXT_BASE 0x4200

static const char *const ptrace_ext[] = {
    N(PTRACE_SETOPTIONS, 0x00),
    N(PTRACE_GETEVENTMSG, 0x01),
    N(PTRACE_GETSIGINFO, 0x02),
    N(PTRACE_SETSIGINFO, 0x03),
    N(PTRACE_GETREGSET, 0x04),
    N(PTRACE_SETREGSET, 0x05),
    N(PTRACE_SEIZE, 0x06),
    N(PTRACE_INTERRUPT, 0x07),
    N(PTRACE_LISTEN, 0x08),
    N(PTRACE_PEEKSIGINFO, 0x09),
    N(PTRACE_GETSIGMASK, 0x0a),
    N(PTRACE_SETSIGMASK, 0x0b),
    N(PTRACE_SECCOMP_GET_FILTER, 0x0c),
    N(PTRACE_SECCOMP_GET_METADATA, 0x0d),
    N(PTRACE_GET_SYSCALL_INFO, 0x0e),
    N(PTRACE_GET_RSEQ_CONFIGURATION, 0x0f),
    N(PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG, 0x10),
    N(PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG, 0x11),
    N(PTRACE_SET_SYSCALL_INFO, 0x12),
};

const char *ptrace_request_name(long request)
{
	if (request >= PTRACE_EXT_BASE)
		return TABLE_NAME(ptrace_ext, request - PTRACE_EXT_BASE);
	return TABLE_NAME(ptrace_low, request);
}

/* The x86/arm64/generic numbering (not alpha, mips, sparc, parisc). */
#define VG_SIGRTMIN 32
#define VG_SIGRTMAX 64
#define RT(n)	    [VG_SIGRTMIN + n] = "SIGRTMIN+" #n

static const char *const signal_names[] = {
    N(SIGHUP, 1),   N(SIGINT, 2),
    N(SIGQUIT, 3),  N(SIGILL, 4),
    N(SIGTRAP, 5),  N(SIGABRT, 6),
    N(SIGBUS, 7),   N(SIGFPE, 8),
    N(SIGKILL, 9),  N(SIGUSR1, 10),
    N(SIGSEGV, 11), N(SIGUSR2, 12),
    N(SIGPIPE, 13), N(SIGALRM, 14),
    N(SIGTERM, 15), N(SIGSTKFLT, 16),
    N(SIGCHLD, 17), N(SIGCONT, 18),
    N(SIGSTOP, 19), N(SIGTSTP, 20),
    N(SIGTTIN, 21), N(SIGTTOU, 22),
    N(SIGURG, 23),  N(SIGXCPU, 24),
    N(SIGXFSZ, 25), N(SIGVTALRM, 26),
    N(SIGPROF, 27), N(SIGWINCH, 28),
    N(SIGIO, 29),   N(SIGPWR, 30),
    N(SIGSYS, 31),  N(SIGRTMIN, 32),
    RT(1),	    RT(2),
    RT(3),	    RT(4),
    RT(5),	    RT(6),
    RT(7),	    RT(8),
    RT(9),	    RT(10),
    RT(11),	    RT(12),
    RT(13),	    RT(14),
    RT(15),	    RT(16),
    RT(17),	    RT(18),
    RT(19),	    RT(20),
    RT(21),	    RT(22),
    RT(23),	    RT(24),
    RT(25),	    RT(26),
    RT(27),	    RT(28),
    RT(29),	    RT(30),
    RT(31),	    RT(32),
};

_Static_assert(ARRAY_SIZE(signal_names) == VG_SIGRTMAX + 1, "signals 1..64");

const char *signal_name(int sig)
{
	return TABLE_NAME(signal_names, sig);
}

/* linux/prctl.h */
static const char *const prctl_names[] = {
    N(PR_SET_PDEATHSIG, 1),
    N(PR_GET_PDEATHSIG, 2),
    N(PR_GET_DUMPABLE, 3),
    N(PR_SET_DUMPABLE, 4),
    N(PR_GET_UNALIGN, 5),
    N(PR_SET_UNALIGN, 6),
    N(PR_GET_KEEPCAPS, 7),
    N(PR_SET_KEEPCAPS, 8),
    N(PR_GET_FPEMU, 9),
    N(PR_SET_FPEMU, 10),
    N(PR_GET_FPEXC, 11),
    N(PR_SET_FPEXC, 12),
    N(PR_GET_TIMING, 13),
    N(PR_SET_TIMING, 14),
    N(PR_SET_NAME, 15),
    N(PR_GET_NAME, 16),
    N(PR_GET_ENDIAN, 19),
    N(PR_SET_ENDIAN, 20),
    N(PR_GET_SECCOMP, 21),
    N(PR_SET_SECCOMP, 22),
    N(PR_CAPBSET_READ, 23),
    N(PR_CAPBSET_DROP, 24),
    N(PR_GET_TSC, 25),
    N(PR_SET_TSC, 26),
    N(PR_GET_SECUREBITS, 27),
    N(PR_SET_SECUREBITS, 28),
    N(PR_SET_TIMERSLACK, 29),
    N(PR_GET_TIMERSLACK, 30),
    N(PR_TASK_PERF_EVENTS_DISABLE, 31),
    N(PR_TASK_PERF_EVENTS_ENABLE, 32),
    N(PR_MCE_KILL, 33),
    N(PR_MCE_KILL_GET, 34),
    N(PR_SET_MM, 35),
    N(PR_SET_CHILD_SUBREAPER, 36),
    N(PR_GET_CHILD_SUBREAPER, 37),
    N(PR_SET_NO_NEW_PRIVS, 38),
    N(PR_GET_NO_NEW_PRIVS, 39),
    N(PR_GET_TID_ADDRESS, 40),
    N(PR_SET_THP_DISABLE, 41),
    N(PR_GET_THP_DISABLE, 42),
    N(PR_MPX_ENABLE_MANAGEMENT, 43),
    N(PR_MPX_DISABLE_MANAGEMENT, 44),
    N(PR_SET_FP_MODE, 45),
    N(PR_GET_FP_MODE, 46),
    N(PR_CAP_AMBIENT, 47),
    N(PR_SVE_SET_VL, 50),
    N(PR_SVE_GET_VL, 51),
    N(PR_GET_SPECULATION_CTRL, 52),
    N(PR_SET_SPECULATION_CTRL, 53),
    N(PR_PAC_RESET_KEYS, 54),
    N(PR_SET_TAGGED_ADDR_CTRL, 55),
    N(PR_GET_TAGGED_ADDR_CTRL, 56),
    N(PR_SET_IO_FLUSHER, 57),
    N(PR_GET_IO_FLUSHER, 58),
    N(PR_SET_SYSCALL_USER_DISPATCH, 59),
    N(PR_PAC_SET_ENABLED_KEYS, 60),
    N(PR_PAC_GET_ENABLED_KEYS, 61),
    N(PR_SCHED_CORE, 62),
    N(PR_SME_SET_VL, 63),
    N(PR_SME_GET_VL, 64),
    N(PR_SET_MDWE, 65),
    N(PR_GET_MDWE, 66),
    N(PR_SET_MEMORY_MERGE, 67),
    N(PR_GET_MEMORY_MERGE, 68),
    N(PR_RISCV_V_SET_CONTROL, 69),
    N(PR_RISCV_V_GET_CONTROL, 70),
    N(PR_RISCV_SET_ICACHE_FLUSH_CTX, 71),
    N(PR_PPC_GET_DEXCR, 72),
    N(PR_PPC_SET_DEXCR, 73),
    N(PR_GET_SHADOW_STACK_STATUS, 74),
    N(PR_SET_SHADOW_STACK_STATUS, 75),
    N(PR_LOCK_SHADOW_STACK_STATUS, 76),
    N(PR_TIMER_CREATE_RESTORE_IDS, 77),
    N(PR_FUTEX_HASH, 78),
};

/* Options numbered with ASCII tags rather than in sequence. */
const char *prctl_option_name(int option)
{
	switch (option) {
	case 0x59616d61: /* "Yama" */
		return "PR_SET_PTRACER";
	case 0x53564d41: /* "SVMA" */
		return "PR_SET_VMA";
	case 0x41555856: /* "AUXV" */
		return "PR_GET_AUXV";
	default:
		return TABLE_NAME(prctl_names, option);
	}
}

/* enum bpf_cmd in linux/bpf.h */
static const char *const bpf_cmd_names[] = {
    N(BPF_MAP_CREATE, 0),
    N(BPF_MAP_LOOKUP_ELEM, 1),
    N(BPF_MAP_UPDATE_ELEM, 2),
    N(BPF_MAP_DELETE_ELEM, 3),
    N(BPF_MAP_GET_NEXT_KEY, 4),
    N(BPF_PROG_LOAD, 5),
    N(BPF_OBJ_PIN, 6),
    N(BPF_OBJ_GET, 7),
    N(BPF_PROG_ATTACH, 8),
    N(BPF_PROG_DETACH, 9),
    N(BPF_PROG_TEST_RUN, 10),
    N(BPF_PROG_GET_NEXT_ID, 11),
    N(BPF_MAP_GET_NEXT_ID, 12),
    N(BPF_PROG_GET_FD_BY_ID, 13),
    N(BPF_MAP_GET_FD_BY_ID, 14),
    N(BPF_OBJ_GET_INFO_BY_FD, 15),
    N(BPF_PROG_QUERY, 16),
    N(BPF_RAW_TRACEPOINT_OPEN, 17),
    N(BPF_BTF_LOAD, 18),
    N(BPF_BTF_GET_FD_BY_ID, 19),
    N(BPF_TASK_FD_QUERY, 20),
    N(BPF_MAP_LOOKUP_AND_DELETE_ELEM, 21),
    N(BPF_MAP_FREEZE, 22),
    N(BPF_BTF_GET_NEXT_ID, 23),
    N(BPF_MAP_LOOKUP_BATCH, 24),
    N(BPF_MAP_LOOKUP_AND_DELETE_BATCH, 25),
    N(BPF_MAP_UPDATE_BATCH, 26),
    N(BPF_MAP_DELETE_BATCH, 27),
    N(BPF_LINK_CREATE, 28),
    N(BPF_LINK_UPDATE, 29),
    N(BPF_LINK_GET_FD_BY_ID, 30),
    N(BPF_LINK_GET_NEXT_ID, 31),
    N(BPF_ENABLE_STATS, 32),
    N(BPF_ITER_CREATE, 33),
    N(BPF_LINK_DETACH, 34),
    N(BPF_PROG_BIND_MAP, 35),
    N(BPF_TOKEN_CREATE, 36),
    N(BPF_PROG_STREAM_READ_BY_FD, 37),
};

const char *bpf_cmd_name(int cmd)
{
	return TABLE_NAME(bpf_cmd_names, cmd);
}
