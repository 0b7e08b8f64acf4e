/* SPDX-License-Identifier: Apache-2.0 */
/* Every map vigil's BPF side uses, declared once. Sizes marked "set by user space" are
 * resized with bpf_map__set_max_entries() from configuration before load. */
#ifndef VIGIL_MAPS_BPF_H
#define VIGIL_MAPS_BPF_H

/* Records to user space. Written by every program, read by the agent. Set by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

/* One record being built, per CPU: records are assembled here, then copied out with their
 * real size so small records do not reserve VG_RECORD_MAX bytes of ring. Written by programs. */
struct vg_scratch_buf {
	char data[VG_SCRATCH_SIZE];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vg_scratch_buf);
} scratch SEC(".maps");

/* Per-CPU record sequence numbers; written by programs, a gap in user space means a loss. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seqs SEC(".maps");

/* When the agent was last woken for new records (boot ns), shared by all CPUs; see vg_submit. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} last_wakeup SEC(".maps");

/* Counters of everything seen, emitted and dropped; written by programs, read by stats. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vg_kstats);
} kstats SEC(".maps");

/* Process table: tgid -> identity at fork/exec. Written by the lifecycle programs, seeded by
 * user space from /proc. LRU so a table that is too small degrades instead of failing.
 * Set by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct vg_proc);
} proc_table SEC(".maps");

/* Cgroups whose subtrees are in scope (VG_SCOPE_CGROUPS): cgroup v2 id -> 1. Written by user
 * space (scope.c) from the configured pods and cgroup paths. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} scope_cgroups SEC(".maps");

/* Path filters: absolute path prefix (or exact path, NUL included) -> VG_PATH_IGNORE or
 * VG_PATH_REPORT; the longest match wins. Written by user space from configuration. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__type(key, struct vg_path_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} path_filter SEC(".maps");

/* The rules' kernel prefilter (user space derives it from the loaded rules, rules_prefilter.h):
 * exact paths (NUL included) and path prefixes some rule could match -> bit mask of the event
 * types they apply to. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__type(key, struct vg_path_key);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} rule_paths SEC(".maps");

/* ... and path suffixes, stored reversed (so that a longest-prefix match on the reversed path
 * is a suffix match) -> type mask. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__type(key, struct vg_path_key);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} rule_suffixes SEC(".maps");

/* Lookup key being built, per CPU (too large for the BPF stack). Written by programs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vg_path_key);
} path_key SEC(".maps");

/* A second key: the path reversed, for rule_suffixes. Written by programs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vg_path_key);
} path_rkey SEC(".maps");

/* fds user space tracks in its fd table: (tgid << 32 | fd) -> 1. Set when an event hands a
 * new fd to user space (open, socket, accept, dup, memfd); close is only reported for these. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u8);
} fd_tracked SEC(".maps");

/* The fds user space entered in fd_tracked for a process (seeded from /proc, inherited at a
 * fork): tgid -> vg_fd_umask. Written by user space only; exec and exit read it to forget the
 * keys of fds that are gone (vg_fd_forget), exit deletes it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct vg_fd_umask);
} fd_umask SEC(".maps");

/* Recently reported things, for aggregation: a hash of what (file head written, UDP
 * destination) -> boot ns last reported. Written by programs. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} recent SEC(".maps");

/* Owners of TCP sockets, for tcp_state (often in softirq, where `current` is unrelated):
 * struct sock pointer -> owner. Written by connect/accept/listen and by vg_tcp_state on
 * CLOSE -> SYN_SENT/LISTEN; deleted by vg_tcp_state on TCP_CLOSE. */
struct vg_sock_owner {
	__u32 tgid;
	__u32 pid;
	__u64 start_ns; /* tells a reused tgid apart in user space */
	__u64 cgroup_id;
	__u32 uid;
	__u32 euid;
	__u32 cg_flags; /* VG_CG_* of cgroup_id */
	__u32 _pad0;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32768);
	__type(key, __u64);
	__type(value, struct vg_sock_owner);
} sock_owner SEC(".maps");

/* A thread's credentials at the entry of setuid/setgid/capset and relatives, so the exit
 * program can report old and new: thread id -> vg_priv_stash. Written by the vg_e_* entry
 * programs, read and deleted by the exit programs (priv.bpf.c). LRU: a stash whose exit
 * never ran (program attached mid-call) is evicted instead of leaking. */
struct vg_priv_stash {
	struct vg_ids ids;
	struct vg_caps caps;
	__u32 nr; /* syscall that saved it, checked at exit */
	__u32 _pad0;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct vg_priv_stash);
} priv_stash SEC(".maps");

/* Enforcement (enforce.bpf.h). All written by user space (enforce.c) unless said otherwise. */

/* Policies by index: vg_enf_policy. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VG_ENF_POLICIES);
	__type(key, __u32);
	__type(value, struct vg_enf_policy);
} enf_policy SEC(".maps");

/* Open policies' paths: exact paths (NUL included) and prefixes -> policy mask. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__type(key, struct vg_path_key);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} enf_paths SEC(".maps");

/* comm (NUL padded) -> mask of the policies whose comm set names it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2048);
	__type(key, char[VG_COMM_LEN]);
	__type(value, __u64);
} enf_comms SEC(".maps");

/* uid -> masks of the policies that want it (user.uid =) and that exclude it (!=). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct vg_enf_uid);
} enf_uids SEC(".maps");

/* Pod uid -> mask of the pod-scoped policies that hold the pod. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, char[VG_POD_UID_LEN]);
	__type(value, __u64);
} enf_pods SEC(".maps");

/* cgroup v2 id -> vg_enf_cgroup: the pod-scoped policies that hold it, its quarantine.
 * Written by the exec program on a cgroup's first exec, and by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct vg_enf_cgroup);
} enf_cgroups SEC(".maps");

struct vg_net4_key {
	__u32 prefixlen;
	__u8 addr[4];
};
struct vg_net6_key {
	__u32 prefixlen;
	__u8 addr[16];
};
/* Connect policies' destination networks -> policy mask. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__type(key, struct vg_net4_key);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} enf_nets4 SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__type(key, struct vg_net6_key);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} enf_nets6 SEC(".maps");

/* Destination port (host order) -> mask of the connect policies naming it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u16);
	__type(value, __u64);
} enf_ports SEC(".maps");

/* Devices denied: (type << 40 | major << 20 | minor), type 'c' or 'b' -> policy mask. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, __u64);
} enf_devs SEC(".maps");

/* What enforcement did to the syscall a thread is in: thread id -> VG_ENF_CODE. Written by
 * the entry and cgroup programs, taken by the exit programs into vg_sys.enforce. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u32);
} enf_stash SEC(".maps");

/* Processes user space decided to kill: tgid -> start_ns (a reused pid is spared). The
 * sys_enter program kills them at their next syscall and deletes the entry. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} doomed SEC(".maps");

/* Quarantined cgroups (a pod's, or a container's outside Kubernetes): cgroup v2 id -> index + 1
 * of the policy that quarantined it. Checked over the caller's ancestors by the sock_addr
 * programs. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u32);
} quarantine SEC(".maps");

/* Threshold counters: (cgroup id, policy) -> window. Written by the programs. */
struct vg_thr_key {
	__u64 cgroup_id;
	__u32 policy;
	__u32 _pad0;
};
struct vg_thr_val {
	__u64 window_start_ns;
	__u32 count;
	__u32 _pad0;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct vg_thr_key);
	__type(value, struct vg_thr_val);
} enf_thresh SEC(".maps");

#endif /* VIGIL_MAPS_BPF_H */
