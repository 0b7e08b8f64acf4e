/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vigil kernel <-> user space record ABI.
 *
 * This is the only definition of the records the BPF programs write into the ring buffer.
 * It is included by BPF C (after vmlinux.h) and by user space (after <linux/types.h>).
 * Every record starts with struct vg_hdr; fixed fields follow; variable data (argv, paths,
 * cgroup names) lives in a tail addressed by struct vg_str {offset, length} pairs, where the
 * offset is counted from the start of the record.
 *
 * Bump VG_ABI_VERSION on any layout change. The BPF object exports the version it was built
 * with as rodata and user space refuses to run a mismatched object.
 */
#ifndef VIGIL_EVENTS_H
#define VIGIL_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h> /* user space; BPF gets the types from vmlinux.h */
#endif

#define VG_ABI_VERSION 1

/* Record types: X(NAME, value, "json name"). Name tables are generated from this list. */
#define VG_EVENT_TYPES(X)                                                                          \
	X(EXEC, 1, "exec")                                                                         \
	X(FORK, 2, "fork")                                                                         \
	X(EXIT, 3, "exit")

enum vg_event_type {
	VG_EV_NONE = 0,
#define VG_X_ENUM(name, val, str) VG_EV_##name = val,
	VG_EVENT_TYPES(VG_X_ENUM)
#undef VG_X_ENUM
	VG_EV_MAX,
};

/* Sizes of the variable parts. Paths are sent as components, leaf first (see vg_str). */
#define VG_COMM_LEN 16
#define VG_ARGS_MAX 4096 /* bytes of argv captured (NUL separated) */
#define VG_PATH_MAX 4096 /* bytes of one encoded path */
#define VG_NAME_MAX 256 /* one path component, NUL included */
#define VG_PATH_DEPTH 48 /* components walked before a path is marked truncated */
#define VG_CGROUP_DEPTH 6 /* cgroup path components captured, leaf first */
#define VG_CGROUP_NAME_MAX 128 /* one cgroup directory name, NUL included */
#define VG_CGROUP_MAX (VG_CGROUP_DEPTH * VG_CGROUP_NAME_MAX)

/* Per-CPU scratch buffer the BPF side builds a record in; power of two. */
#define VG_SCRATCH_SIZE 32768
#define VG_RECORD_MAX 16384 /* no record is larger than this */

/* struct vg_str.flags */
#define VG_STR_TRUNCATED 0x1 /* data was cut to fit */
#define VG_STR_COMPONENTS 0x2 /* NUL separated path components, leaf first */
#define VG_STR_ROOTED 0x4 /* the component walk reached a root (absolute path) */
#define VG_STR_UNREACHABLE 0x8 /* path is outside the task's root / mount namespace */
#define VG_STR_PSEUDO 0x10 /* walk ended on a pseudo file system dentry (memfd, pipe, anon) */

struct vg_str {
	__u16 off; /* from the start of the record; 0 when absent */
	__u16 len; /* bytes, including NULs */
	__u16 flags; /* VG_STR_* */
	__u16 count; /* number of NUL separated items */
};

/* Common header of every record. */
struct vg_hdr {
	__u16 type; /* enum vg_event_type */
	__u16 size; /* total bytes of the record */
	__u16 cpu; /* CPU that produced the record */
	__u16 abi; /* VG_ABI_VERSION */
	__u64 seq; /* per-CPU sequence number, starts at 1; a gap means lost records */
	__u64 ts_ns; /* CLOCK_BOOTTIME nanoseconds */
	__u32 pid; /* thread id (kernel pid) */
	__u32 tgid; /* process id */
	__u64 cgroup_id; /* cgroup v2 id (v1 hierarchy id when VG_CG_V1) */
	struct vg_str cgroup; /* cgroup directory names, leaf first, up to VG_CGROUP_DEPTH */
	__u32 cg_flags; /* VG_CG_* */
	__u32 _pad0;
};

#define VG_CG_V1 0x1 /* cgroup taken from a v1 hierarchy (no v2 membership) */

/* Identity of a process as the kernel knows it. */
struct vg_cred {
	__u32 uid;
	__u32 gid;
	__u32 euid;
	__u32 egid;
	__u32 auid; /* loginuid; 0xffffffff when unset or unsupported */
	__u32 _pad0;
};

/* VG_EV_EXEC flags */
#define VG_EXEC_MEMFD 0x1 /* executable lives on a memfd */
#define VG_EXEC_DELETED 0x2 /* executable file has no link left */
#define VG_EXEC_FD 0x4 /* run through execveat(fd) / AT_EMPTY_PATH (/dev/fd/N) */
#define VG_EXEC_PARENT_TABLE 0x8 /* parent identity came from the in-kernel process table */
#define VG_EXEC_SETUID 0x10 /* exec changed the effective uid (setuid binary) */

struct vg_exec {
	struct vg_hdr hdr;
	struct vg_cred cred;
	__u32 ppid; /* creator process (kernel table) or real parent */
	__u32 flags; /* VG_EXEC_* */
	__u64 start_ns; /* process start, CLOCK_BOOTTIME ns */
	__u64 parent_start_ns; /* parent process start, CLOCK_BOOTTIME ns */
	__u64 parent_exec_ns; /* when the parent last exec'd (0: unknown) */
	__u32 argc; /* argc the process got (may exceed the args captured) */
	__u32 _pad0;
	char comm[VG_COMM_LEN];
	char parent_comm[VG_COMM_LEN];
	struct vg_str args; /* argv, NUL separated; VG_STR_TRUNCATED when cut */
	struct vg_str binary; /* path of the file actually executed (components) */
	struct vg_str cwd; /* working directory (components) */
	struct vg_str filename; /* the filename passed to execve (string) */
	/* tail follows */
};

struct vg_fork {
	struct vg_hdr hdr; /* pid/tgid are the child's */
	__u32 ppid; /* parent process */
	__u32 parent_pid; /* parent thread that forked */
	__u64 start_ns; /* child start */
	__u64 parent_start_ns;
	__u64 clone_flags_unused; /* reserved */
	char comm[VG_COMM_LEN];
};

struct vg_exit {
	struct vg_hdr hdr;
	__u32 ppid;
	__s32 exit_code; /* raw wait status: (code << 8) | signal */
	__u64 start_ns;
	char comm[VG_COMM_LEN];
};

/* Kernel process table value (map proc_table: tgid -> vg_proc). */
struct vg_proc {
	__u64 start_ns; /* process start, CLOCK_BOOTTIME */
	__u64 exec_ns; /* last exec seen in the kernel, 0 if none */
	__u64 parent_start_ns;
	__u32 ppid; /* creator at fork time; survives reparenting to a subreaper */
	__u32 flags;
	char comm[VG_COMM_LEN];
};

/* Kernel counters (per-CPU array, one element). */
struct vg_kstats {
	__u64 emitted[VG_EV_MAX]; /* records written to the ring buffer */
	__u64 dropped[VG_EV_MAX]; /* records lost: ring buffer full */
	__u64 seen[VG_EV_MAX]; /* hook invocations that produced a record attempt */
	__u64 threads_skipped; /* clone/exit of non-leader threads, not process events */
	__u64 table_full; /* proc_table updates that failed */
};

#ifndef __VMLINUX_H__
/* Layouts are part of the ABI: a change here must come with a VG_ABI_VERSION bump. */
_Static_assert(sizeof(struct vg_str) == 8, "vg_str layout");
_Static_assert(sizeof(struct vg_hdr) == 56, "vg_hdr layout");
_Static_assert(sizeof(struct vg_cred) == 24, "vg_cred layout");
_Static_assert(sizeof(struct vg_exec) == 184, "vg_exec layout");
_Static_assert(sizeof(struct vg_fork) == 104, "vg_fork layout");
_Static_assert(sizeof(struct vg_exit) == 88, "vg_exit layout");
_Static_assert(sizeof(struct vg_proc) == 48, "vg_proc layout");
_Static_assert(sizeof(struct vg_exec) % 8 == 0 && sizeof(struct vg_hdr) % 8 == 0, "alignment");
#endif

#endif /* VIGIL_EVENTS_H */
