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

#define VG_ABI_VERSION 6

/* Record types: X(NAME, value, "json name", layout). Name tables are generated from this list.
 * The layout names the record struct (struct vg_<layout>); syscall events share three layouts
 * (file, net, priv), and the "syscall" member says which syscall produced them. */
#define VG_EVENT_TYPES(X)                                                                          \
	X(EXEC, 1, "exec", exec)                                                                   \
	X(FORK, 2, "fork", fork)                                                                   \
	X(EXIT, 3, "exit", exit)                                                                   \
	X(OPEN, 4, "open", file)                                                                   \
	X(UNLINK, 5, "unlink", file)                                                               \
	X(RENAME, 6, "rename", file)                                                               \
	X(LINK, 7, "link", file)                                                                   \
	X(SYMLINK, 8, "symlink", file)                                                             \
	X(CHMOD, 9, "chmod", file)                                                                 \
	X(CHOWN, 10, "chown", file)                                                                \
	X(TRUNCATE, 11, "truncate", file)                                                          \
	X(MKDIR, 12, "mkdir", file)                                                                \
	X(RMDIR, 13, "rmdir", file)                                                                \
	X(WRITE_HEAD, 14, "write_head", file)                                                      \
	X(CLOSE, 15, "close", file)                                                                \
	X(SOCKET, 16, "socket", net)                                                               \
	X(CONNECT, 17, "connect", net)                                                             \
	X(ACCEPT, 18, "accept", net)                                                               \
	X(BIND, 19, "bind", net)                                                                   \
	X(LISTEN, 20, "listen", net)                                                               \
	X(UDP_SEND, 21, "udp_send", net)                                                           \
	X(TCP_STATE, 22, "tcp_state", net)                                                         \
	X(DNS, 23, "dns", net)                                                                     \
	X(SETUID, 24, "setuid", priv)                                                              \
	X(SETGID, 25, "setgid", priv)                                                              \
	X(CAPSET, 26, "capset", priv)                                                              \
	X(PTRACE, 27, "ptrace", priv)                                                              \
	X(MODULE_LOAD, 28, "module_load", priv)                                                    \
	X(MODULE_UNLOAD, 29, "module_unload", priv)                                                \
	X(MOUNT, 30, "mount", priv)                                                                \
	X(UMOUNT, 31, "umount", priv)                                                              \
	X(UNSHARE, 32, "unshare", priv)                                                            \
	X(SETNS, 33, "setns", priv)                                                                \
	X(CHROOT, 34, "chroot", priv)                                                              \
	X(PIVOT_ROOT, 35, "pivot_root", priv)                                                      \
	X(MEMFD_CREATE, 36, "memfd_create", priv)                                                  \
	X(BPF, 37, "bpf", priv)                                                                    \
	X(DUP, 38, "dup", priv)                                                                    \
	X(KILL, 39, "kill", priv)                                                                  \
	X(PRCTL, 40, "prctl", priv)                                                                \
	X(PERSONALITY, 41, "personality", priv)

/* Why the kernel did not send something it saw: X(NAME, value, "json name").
 * For every type: seen == emitted + dropped + sum over reasons of filtered[reason]. */
#define VG_FILTER_REASONS(X)                                                                       \
	X(SELF, 0, "self") /* vigil's own activity */                                              \
	X(SCOPE, 1, "scope") /* outside the configured cgroup / container scope */                \
	X(PATH, 2, "path") /* an ignored path prefix */                                           \
	X(SAMPLED, 3, "sampled") /* left out by per-type sampling */                              \
	X(DEDUP, 4, "dedup") /* aggregated: same thing recently reported */                      \
	X(IRRELEVANT, 5, "irrelevant") /* hook fired, nothing to report (e.g. write not at 0) */ \
	X(RULES, 6, "rules") /* no loaded rule could match it (the rules' kernel prefilter) */

enum vg_filter_reason {
#define VG_X_ENUM(name, val, str) VG_FILTER_##name = val,
	VG_FILTER_REASONS(VG_X_ENUM)
#undef VG_X_ENUM
	VG_FILTER_MAX,
};

enum vg_event_type {
	VG_EV_NONE = 0,
#define VG_X_ENUM(name, val, str, layout) VG_EV_##name = val,
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
/* The kernel wakes the agent for a record only once this long has passed since the last
 * wakeup (or the ring is a quarter full, or a user-space enforcement rule acts on its type):
 * the agent looks again this long after a wakeup for the records that did not wake it. Each
 * wakeup is a self-IPI from the traced task, a hypervisor trap on VMs: README, Performance. */
#define VG_WAKEUP_NS 2000000ULL

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
#define VG_EXEC_UPPER 0x20 /* executable is on an overlay's upper layer (written in the container) */

struct vg_exec {
	struct vg_hdr hdr;
	struct vg_cred cred;
	__u32 ppid; /* creator process (kernel table) or real parent */
	__u32 flags; /* VG_EXEC_* */
	__u64 start_ns; /* process start, CLOCK_BOOTTIME ns */
	__u64 parent_start_ns; /* parent process start, CLOCK_BOOTTIME ns */
	__u64 parent_exec_ns; /* when the parent last exec'd (0: unknown) */
	__u32 argc; /* argc the process got (may exceed the args captured) */
	__u32 tty; /* controlling terminal as /proc/PID/stat's tty_nr encodes it; 0: none */
	char comm[VG_COMM_LEN];
	char parent_comm[VG_COMM_LEN];
	struct vg_str args; /* argv, NUL separated; VG_STR_TRUNCATED when cut */
	struct vg_str binary; /* path of the file actually executed (components) */
	struct vg_str cwd; /* working directory (components) */
	struct vg_str filename; /* the filename passed to execve (string) */
	__u32 enforce; /* VG_ENF_CODE: what enforcement did at this exec; 0 nothing */
	__u32 _pad1;
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

/* Syscall events. The record type says what happened (open, connect, setuid...); `nr` says
 * which syscall did it (open, openat, openat2 and creat all give VG_EV_OPEN). */
struct vg_sys {
	__s64 ret; /* return value; -errno on failure */
	__u64 args[6]; /* raw arguments, as the syscall got them */
	__u64 start_ns; /* start of the calling process (tells a reused pid apart) */
	__u32 nr; /* syscall number of the running architecture */
	__u32 uid; /* real and effective uid of the caller when the syscall returned */
	__u32 euid;
	__u32 enforce; /* VG_ENF_CODE: what enforcement did to this syscall; 0 nothing */
	/* capability sets of the caller when the syscall returned (bit n: capability n), as
	 * /proc/PID/status shows them in CapEff and CapPrm */
	__u64 cap_effective;
	__u64 cap_permitted;
};

/* What an fd refers to, read from the kernel's file table at event time. */
struct vg_fdinfo {
	__u32 ino_mode; /* inode type and permission bits (S_IF*), 0 when unknown */
	__u32 _pad0;
	__u64 ino;
	__u32 dev;
	__u32 mnt_ns_unused; /* reserved */
};

/* VG_EV_OPEN ... VG_EV_CLOSE. Which vg_str members are present depends on the syscall; see
 * docs/events.md. Relative paths come with the directory they are relative to (base). */
#define VG_FILE_RESOLVED 0x1 /* `file` is the object the syscall acted on */
#define VG_FILE_CREATED 0x2 /* open created the file (O_CREAT and it did not exist: FMODE_CREATED) */
#define VG_FILE_CLOEXEC 0x4 /* the returned fd is close-on-exec */

struct vg_file {
	struct vg_hdr hdr;
	struct vg_sys sys;
	__s32 fd; /* fd returned (open) or acted on (fchmod, write, close); -1 none */
	__u32 fflags; /* VG_FILE_* */
	struct vg_fdinfo fdinfo; /* of `file` when resolved */
	__u32 flags; /* open: O_* flags as the kernel used them (openat2: how.flags) */
	__u32 _pad0;
	struct vg_str path; /* first path argument, as passed (string) */
	struct vg_str base; /* directory a relative `path` starts from (components) */
	struct vg_str file; /* the file acted on, resolved by the kernel (components) */
	struct vg_str path2; /* second path argument (rename/link new path; symlink target) */
	struct vg_str base2; /* directory a relative `path2` starts from (components) */
	struct vg_str data; /* write_head: the first bytes written */
};

#define VG_WRITE_HEAD_BYTES 64 /* bytes of a file's head sent with write_head */

/* An endpoint. IPv4 addresses use the first 4 bytes of addr. */
struct vg_sockaddr {
	__u16 family; /* AF_* */
	__u16 port; /* host byte order */
	__u32 scope_id; /* IPv6 scope */
	__u8 addr[16]; /* network byte order */
};

/* VG_EV_SOCKET ... VG_EV_DNS */
#define VG_NET_DNS_QUERY 0x1 /* payload is a DNS message this process sent */
#define VG_NET_DNS_ANSWER 0x2 /* payload is a DNS message this process received */
#define VG_NET_OWNER 0x4 /* tcp_state: pid/cgroup are the socket's owner, not current */
#define VG_NET_UNIX_ABSTRACT 0x8 /* unix_path is in the abstract namespace */

struct vg_net {
	struct vg_hdr hdr;
	struct vg_sys sys;
	__s32 fd; /* socket fd (accept: the new fd); -1 none */
	__u32 nflags; /* VG_NET_* */
	__u16 family; /* AF_* of the socket */
	__u16 type; /* SOCK_* */
	__u16 protocol; /* IPPROTO_* */
	__u8 old_state; /* tcp_state: TCP_* before */
	__u8 new_state; /* tcp_state: TCP_* after */
	__u64 sock_cookie_unused; /* reserved */
	struct vg_sockaddr local;
	struct vg_sockaddr remote;
	struct vg_str unix_path; /* AF_UNIX path (bound, or the peer's) */
	struct vg_str payload; /* dns: the message bytes, cut at VG_DNS_MAX */
};

#define VG_DNS_MAX 512

/* All the ids of a credential set. */
struct vg_ids {
	__u32 uid, euid, suid, fsuid;
	__u32 gid, egid, sgid, fsgid;
};

struct vg_caps {
	__u64 effective, permitted, inheritable;
};

/* VG_EV_SETUID ... VG_EV_PERSONALITY. Strings s1..s3 are syscall arguments (docs/events.md
 * lists which); fdpath is what an fd argument refers to. */
#define VG_PRIV_OLD 0x1 /* old_ids/old_caps are valid (captured at syscall entry) */
#define VG_PRIV_CLOEXEC 0x2 /* dup, memfd_create: the new fd is close-on-exec */

struct vg_priv {
	struct vg_hdr hdr;
	struct vg_sys sys;
	struct vg_ids old_ids;
	struct vg_ids new_ids;
	struct vg_caps old_caps;
	struct vg_caps new_caps;
	__u32 pflags; /* VG_PRIV_* */
	__u32 target_pid; /* ptrace/kill: the pid argument as a host pid, 0 unknown (resolved
			   * only for callers in the initial pid namespace); PTRACE_TRACEME:
			   * the parent, its tracer to be */
	struct vg_fdinfo fdinfo; /* of the fd argument (dup: oldfd; setns, finit_module: fd) */
	struct vg_str s1, s2, s3;
	struct vg_str fdpath; /* path of the fd argument (components) */
};

/* The fds below VG_FD_UMASK_WORDS * 64 user space entered in fd_tracked for a process (map
 * fd_umask: tgid -> vg_fd_umask), one bit per fd. */
#define VG_FD_UMASK_WORDS 4
struct vg_fd_umask {
	__u64 bits[VG_FD_UMASK_WORDS];
};

/* Kernel process table value (map proc_table: tgid -> vg_proc). */
struct vg_proc {
	__u64 start_ns; /* process start, CLOCK_BOOTTIME */
	__u64 exec_ns; /* last exec seen in the kernel, 0 if none */
	__u64 parent_start_ns;
	__u32 ppid; /* creator at fork time; survives reparenting to a subreaper */
	__u32 flags;
	char comm[VG_COMM_LEN];
	/* fds below 64 the programs entered in fd_tracked (user space's entries: map fd_umask);
	 * exec forgets those close-on-exec closed, exit the rest (process.bpf.c) */
	__u64 fd_mask;
};

/* Kernel counters (per-CPU array, one element). */
struct vg_kstats {
	__u64 emitted[VG_EV_MAX]; /* records written to the ring buffer */
	__u64 dropped[VG_EV_MAX]; /* records lost: ring buffer full */
	__u64 seen[VG_EV_MAX]; /* hook invocations that produced a record attempt */
	__u64 filtered[VG_FILTER_MAX][VG_EV_MAX]; /* not sent, by reason */
	__u64 threads_skipped; /* clone/exit of non-leader threads, not process events */
	__u64 table_full; /* proc_table updates that failed */
	__u64 stash_miss; /* exit without the state its entry program saved */
	__u64 _reserved[5];
};

/* Scope of the events the kernel sends (vg_cfg.scope_mode). */
#define VG_SCOPE_ALL 0
#define VG_SCOPE_CONTAINERS 1 /* tasks outside the host's mount namespace */
#define VG_SCOPE_CGROUPS 2 /* tasks below a cgroup in map scope_cgroups */
#define VG_SCOPE_DEPTH 8 /* cgroup ancestor levels checked against scope_cgroups */

/* Path filter map (LPM trie): key.prefixlen in bits over key.path. An entry whose bytes
 * include the terminating NUL matches one path exactly; one without matches a prefix. */
#define VG_PATH_KEY_MAX 256
struct vg_path_key {
	__u32 prefixlen;
	char path[VG_PATH_KEY_MAX];
};
#define VG_PATH_IGNORE 1
#define VG_PATH_REPORT 2

/* Enforcement (docs/rules.md, "Enforcement"). User space compiles the rules with an action
 * that the kernel can decide into policies, one bit each of a 64-bit mask; the maps that say
 * which policies a path, comm, pod, address or port can trigger hold such masks. */
#define VG_ENF_POLICIES 64
#define VG_ENF_OPEN 1 /* policy classes */
#define VG_ENF_CONNECT 2
#define VG_ENF_EXEC 3

#define VG_ACT_NONE 0 /* alert mode: what would have been done is reported, not done */
#define VG_ACT_KILL 1
#define VG_ACT_DENY 2
#define VG_ACT_QUARANTINE 3

#define VG_ENF_SCOPE_CONTAINERS 0 /* outside the host's mount namespace */
#define VG_ENF_SCOPE_HOST 1
#define VG_ENF_SCOPE_PODS 2 /* the cgroup's pod mask has the policy's bit (enf_cgroups) */

#define VG_ENF_F_PATHS 0x1 /* enf_paths must name the policy */
#define VG_ENF_F_COMM_IN 0x2 /* enf_comms must name it */
#define VG_ENF_F_COMM_OUT 0x4 /* enf_comms must not */
#define VG_ENF_F_UID_EQ 0x8
#define VG_ENF_F_UID_NE 0x10
#define VG_ENF_F_READ 0x20 /* open: the access mode reads */
#define VG_ENF_F_WRITE 0x40 /* open: the access mode writes */
#define VG_ENF_F_NETS 0x80 /* connect: the destination is in enf_nets4/6 for it */
#define VG_ENF_F_PORTS 0x100 /* connect: the destination port is in enf_ports for it */
#define VG_ENF_F_THRESHOLD 0x200 /* counted per cgroup and window; acts past thr_count */

struct vg_enf_policy {
	__u8 cls; /* VG_ENF_OPEN... ; 0: unused slot */
	__u8 action; /* VG_ACT_* taken (VG_ACT_NONE in alert mode) */
	__u8 scope; /* VG_ENF_SCOPE_* */
	__u8 _pad0;
	__u16 flags; /* VG_ENF_F_* */
	__u16 thr_count; /* VG_ENF_F_THRESHOLD: matches allowed per window */
	__u32 uid; /* VG_ENF_F_UID_* */
	__u32 thr_window_ms;
};

/* Per cgroup (map enf_cgroups, cgroup v2 id -> this): what the cgroup hooks, which cannot
 * look at the task, need to know of its processes. Written by the exec program on a cgroup's
 * first exec (from the mount namespace and the pod uid in the cgroup path), and by user
 * space. */
struct vg_enf_cgroup {
	__u64 pods; /* mask of the VG_ENF_SCOPE_PODS policies that hold it */
	__u64 group; /* the pod's cgroup id (the container's own outside pods): thresholds
		      * count per group */
	__u32 flags; /* VG_ENF_CG_* */
	__u32 _pad0;
};
#define VG_ENF_CG_KNOWN 0x1
#define VG_ENF_CG_CONTAINER 0x2 /* its processes are outside the host's mount namespace */

/* map enf_uids: uid -> the policies that want it (user.uid =) and that exclude it (!=) */
struct vg_enf_uid {
	__u64 eq, ne;
};

/* A pod uid as enf_pods keys it: the 36 characters with dashes, NUL padded. */
#define VG_POD_UID_LEN 40

/* vg_sys.enforce / vg_exec.enforce: policy index + 1 in bits 0-7, VG_ACT_* in bits 8-11,
 * VG_ENF_OUT_* in bits 12-15, the errno bpf_send_signal returned (negated) in bits 16-23. */
#define VG_ENF_OUT_SIGNALLED 1 /* SIGKILL sent before the syscall returned */
#define VG_ENF_OUT_DENIED 2 /* the syscall failed with EPERM */
#define VG_ENF_OUT_DRY_RUN 3 /* alert mode: nothing done */
#define VG_ENF_OUT_FAILED 4 /* the signal could not be sent */
#define VG_ENF_CODE(pol, act, out, err)                                                            \
	(((pol) + 1) | ((act) << 8) | ((out) << 12) | (((-(err)) & 0xff) << 16))

#ifndef __VMLINUX_H__
/* Layouts are part of the ABI: a change here must come with a VG_ABI_VERSION bump. */
_Static_assert(sizeof(struct vg_str) == 8, "vg_str layout");
_Static_assert(sizeof(struct vg_hdr) == 56, "vg_hdr layout");
_Static_assert(sizeof(struct vg_cred) == 24, "vg_cred layout");
_Static_assert(sizeof(struct vg_enf_policy) == 16, "vg_enf_policy layout");
_Static_assert(sizeof(struct vg_enf_cgroup) == 24, "vg_enf_cgroup layout");
_Static_assert(sizeof(struct vg_exec) == 192, "vg_exec layout");
_Static_assert(sizeof(struct vg_fork) == 104, "vg_fork layout");
_Static_assert(sizeof(struct vg_exit) == 88, "vg_exit layout");
_Static_assert(sizeof(struct vg_proc) == 56, "vg_proc layout");
_Static_assert(sizeof(struct vg_sys) == 96, "vg_sys layout");
_Static_assert(sizeof(struct vg_fdinfo) == 24, "vg_fdinfo layout");
_Static_assert(sizeof(struct vg_file) == 240, "vg_file layout");
_Static_assert(sizeof(struct vg_sockaddr) == 24, "vg_sockaddr layout");
_Static_assert(sizeof(struct vg_net) == 240, "vg_net layout");
_Static_assert(sizeof(struct vg_priv) == 328, "vg_priv layout");
_Static_assert(sizeof(struct vg_exec) % 8 == 0 && sizeof(struct vg_hdr) % 8 == 0, "alignment");
#endif

#endif /* VIGIL_EVENTS_H */
