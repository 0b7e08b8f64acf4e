/*
 * The least an agent on vigil's open-storm hooks can do, as reference points for vigil's
 * targets (README.md, "Reference points"). Nothing here is vigil's code; it is the bare work
 * vigil's job implies, written as plainly as possible:
 *   filter  — an open's path argument read from user memory and looked up in a trie, as any
 *             path filter on a syscall tracepoint must; a close's fd looked up among tracked
 *             fds, as any agent that reports closes must. Nothing is ever sent.
 *   deliver — each open's result and path argument into a ring buffer record, without a
 *             wakeup per record (least.c polls): the cheapest way to get every open to user
 *             space.
 * least.c loads the programs of one mode only.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "least.h"

/* The filter's paths, written by least.c. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__type(key, struct least_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} paths SEC(".maps");

/* Per-CPU room for the trie key (too big for the stack next to the rest). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct least_key);
} key_buf SEC(".maps");

/* (tgid << 32 | fd) of the fds whose close would be reported; never written in this bench,
 * as under vigil-filtered no open is reported, so every close lookup misses. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u8);
} tracked SEC(".maps");

/* deliver: the records. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} records SEC(".maps");

__u64 matched, lost; /* filter: opens of a listed path; deliver: records that found no room */

static __always_inline struct pt_regs *user_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

SEC("tracepoint/syscalls/sys_exit_openat")
int filter_openat(struct trace_event_raw_sys_exit *ctx)
{
	struct least_key *k;
	__u32 zero = 0;
	long n;

	(void)ctx;
	k = bpf_map_lookup_elem(&key_buf, &zero);
	if (!k)
		return 0;
	n = bpf_probe_read_user_str(k->path, sizeof(k->path), (void *)user_regs()->si);
	if (n <= 0)
		return 0;
	k->prefixlen = n * 8;
	if (bpf_map_lookup_elem(&paths, k))
		__sync_fetch_and_add(&matched, 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_close")
int filter_close(struct trace_event_raw_sys_exit *ctx)
{
	__u64 key;

	if (ctx->ret)
		return 0;
	key = (bpf_get_current_pid_tgid() & ~0xffffffffull) | (__u32)user_regs()->di;
	bpf_map_lookup_elem(&tracked, &key);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int deliver_openat(struct trace_event_raw_sys_exit *ctx)
{
	struct least_rec *r = bpf_ringbuf_reserve(&records, sizeof(*r), 0);

	if (!r) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	r->ts_ns = bpf_ktime_get_boot_ns();
	r->tgid = bpf_get_current_pid_tgid() >> 32;
	r->ret = ctx->ret;
	if (bpf_probe_read_user_str(r->path, sizeof(r->path), (void *)user_regs()->si) <= 0)
		r->path[0] = 0;
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
